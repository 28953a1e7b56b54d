package network

import (
	"encoding/xml"

	"virtlxc/internal/virerr"
)

// schemaChildren are the elements network.rng allows directly under
// <network> (the dnsmasq:options namespace extension aside).
var schemaChildren = map[string]bool{
	"name": true, "uuid": true, "title": true, "description": true, "metadata": true,
	"forward": true, "bridge": true, "mac": true, "mtu": true, "domain": true,
	"dns": true, "ip": true, "route": true, "portgroup": true, "bandwidth": true,
	"vlan": true, "virtualport": true, "port": true,
}

// dnsmasqNS is the namespace of libvirt's <dnsmasq:options> extension.
const dnsmasqNS = "http://libvirt.org/schemas/network/dnsmasq/1.0"

// CheckSchema is the part of VIR_NETWORK_DEFINE_VALIDATE (and _CREATE_)
// that virtlxc checks: the elements directly under <network>, with the
// message libvirt's RNG validation gives for one it does not know. The
// rest of network.rng is not checked (the parse's own checks still run).
func CheckSchema(data []byte) error {
	var doc rawNode
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil // the parse reports it
	}
	for _, c := range doc.Nodes {
		if c.XMLName.Space == dnsmasqNS || schemaChildren[c.XMLName.Local] && c.XMLName.Space == "" {
			continue
		}
		return virerr.New(virerr.ErrXMLInvalidSchema, virerr.FromXML,
			"Unable to validate doc against /usr/share/libvirt/schemas/network.rng\nElement network has extra content: %s\n", c.XMLName.Local)
	}
	return nil
}

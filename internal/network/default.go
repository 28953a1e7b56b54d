package network

import (
	"fmt"
	"net"
)

// shippedDefaultXML is the `default` network as libvirt ships it
// (/usr/share/libvirt/networks/default.xml): NAT on virbr0 with DHCP, on
// SUBNET (192.168.122 unless that is taken).
const shippedDefaultXML = `<network>
  <name>default</name>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='%[1]s.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='%[1]s.2' end='%[1]s.254'/>
    </dhcp>
  </ip>
</network>
`

// InstallDefault defines the `default` network, marks it autostart and
// starts it, as libvirt's packaging does when the network driver first
// runs: on 192.168.122.0/24, or (like the package's install script) the
// first 192.168.N.0/24 above it that no route of the host uses. A
// network already called default is left alone.
func (r *Registry) InstallDefault() error {
	if _, err := r.LookupByName("default"); err == nil {
		return nil
	}
	subnet := ""
	for n := 122; n < 255 && subnet == ""; n++ {
		cand := fmt.Sprintf("192.168.%d", n)
		_, ipnet, _ := net.ParseCIDR(cand + ".0/24")
		used, err := r.links.SubnetInUse(ipnet)
		if err != nil {
			return fmt.Errorf("installing the default network: %w", err)
		}
		if !used {
			subnet = cand
		}
	}
	if subnet == "" {
		return fmt.Errorf("installing the default network: every 192.168.N.0/24 from 122 up is in use")
	}
	if _, err := r.Define([]byte(fmt.Sprintf(shippedDefaultXML, subnet))); err != nil {
		return fmt.Errorf("installing the default network: %w", err)
	}
	if err := r.SetAutostart("default", true); err != nil {
		return fmt.Errorf("installing the default network: %w", err)
	}
	if err := r.Start("default"); err != nil {
		return fmt.Errorf("starting the default network: %w", err)
	}
	return nil
}

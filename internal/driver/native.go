package driver

import (
	"virtlxc/internal/domainxml"
	"virtlxc/internal/lxcnative"
	"virtlxc/internal/virerr"
)

// DomainXMLFromNative converts an LXC tools configuration into a domain
// definition (virConnectDomainXMLFromNative; format "lxc-tools" only), as
// libvirt's LXC driver does: a new UUID, the driver's emulator, nothing
// defined.
func (d *Driver) DomainXMLFromNative(format, config string) (string, error) {
	if format != lxcnative.Format {
		return "", virerr.New(virerr.ErrInvalidArg, virerr.FromLXC, "unsupported config type %s", format)
	}
	def, err := lxcnative.Convert(config, domainxml.Options{Emulator: d.emulator, Logger: d.log})
	if err != nil {
		return "", err
	}
	out, err := domainxml.Format(def)
	if err != nil {
		return "", virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "format converted definition: %v", err)
	}
	return string(out), nil
}

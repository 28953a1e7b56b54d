package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
)

// optArg is a remote_string argument: nil when absent.
func optArg(s libvirt.OptString) *string {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// metadataProcs are DOMAIN_SET_METADATA and DOMAIN_GET_METADATA (virsh
// desc, metadata).
func (h *Handlers) metadataProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcDomainSetMetadata: onDomain(h, false, func(a *libvirt.DomainSetMetadataArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainSetMetadataArgs, ref driver.Ref) (any, error) {
				return nil, h.drv.SetMetadata(ref, a.Type, optArg(a.Metadata), optArg(a.Key), optArg(a.Uri), uint32(a.Flags))
			}),
		proto.ProcDomainGetMetadata: onDomain(h, true, func(a *libvirt.DomainGetMetadataArgs) libvirt.Domain { return a.Dom },
			func(_ *server.Call, a *libvirt.DomainGetMetadataArgs, ref driver.Ref) (any, error) {
				md, err := h.drv.GetMetadata(ref, a.Type, optArg(a.Uri), uint32(a.Flags))
				if err != nil {
					return nil, err
				}
				return &libvirt.DomainGetMetadataRet{Metadata: md}, nil
			}),
	}
}

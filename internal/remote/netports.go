package remote

import (
	"fmt"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/network"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/virerr"
)

// The network port procedures (virsh net-port-list, net-port-dumpxml,
// net-port-delete, net-port-create). The ports' bandwidth parameters stay
// "not supported".

// toPort is a port's wire form.
func toPort(i network.Info, p network.Port) libvirt.NetworkPort {
	out := libvirt.NetworkPort{Net: toNet(i)}
	if u, ok := domainxml.ParseUUID(p.UUID); ok {
		out.UUID = wireUUIDOf(u)
	}
	return out
}

// wireUUIDOf parses a UUID in libvirt's format into its wire form.
func wireUUIDOf(s string) libvirt.UUID {
	return toNet(network.Info{UUID: s}).UUID
}

// portProc is a procedure on one port of a network.
func portProc[A any](ro bool, port func(*A) libvirt.NetworkPort, do func(network.Info, string, *A) (any, error), h *Handlers) server.Procedure {
	return netProc(ro, func(a *A) libvirt.Network { return port(a).Net }, func(i network.Info, a *A) (any, error) {
		return do(i, wireUUID(port(a).UUID), a)
	}, h)
}

// netPortProcs are the port procedures, bound to the registry.
func (h *Handlers) netPortProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcNetworkListAllPorts: netProc(true, func(a *libvirt.NetworkListAllPortsArgs) libvirt.Network { return a.OptNetwork },
			func(i network.Info, a *libvirt.NetworkListAllPortsArgs) (any, error) {
				if a.Flags != 0 {
					return nil, unsupportedFlags(a.Flags, "networkListAllPorts")
				}
				ports, err := h.nets.Ports(i.Name)
				if err != nil {
					return nil, err
				}
				ret := &libvirt.NetworkListAllPortsRet{Ret: uint32(len(ports))}
				if a.NeedResults != 0 {
					for _, p := range ports {
						ret.Ports = append(ret.Ports, toPort(i, p))
					}
				}
				return ret, nil
			}, h),
		proto.ProcNetworkPortLookupByUUID: netProc(true, func(a *libvirt.NetworkPortLookupByUUIDArgs) libvirt.Network { return a.OptNetwork },
			func(i network.Info, a *libvirt.NetworkPortLookupByUUIDArgs) (any, error) {
				p, err := h.nets.PortByUUID(i.Name, wireUUID(a.UUID))
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkPortLookupByUUIDRet{Port: toPort(i, p)}, nil
			}, h),
		proto.ProcNetworkPortGetXMLDesc: portProc(true, func(a *libvirt.NetworkPortGetXMLDescArgs) libvirt.NetworkPort { return a.Port },
			func(i network.Info, uuid string, a *libvirt.NetworkPortGetXMLDescArgs) (any, error) {
				if a.Flags != 0 {
					return nil, unsupportedFlags(a.Flags, "networkPortGetXMLDesc")
				}
				x, err := h.nets.PortXML(i.Name, uuid)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkPortGetXMLDescRet{XML: string(x)}, nil
			}, h),
		proto.ProcNetworkPortCreateXML: netProc(false, func(a *libvirt.NetworkPortCreateXMLArgs) libvirt.Network { return a.OptNetwork },
			func(i network.Info, a *libvirt.NetworkPortCreateXMLArgs) (any, error) {
				// VALIDATE (the schema) is taken as the parse's own checks.
				const validate = 2
				if f := a.Flags &^ (network.PortCreateReclaim | validate); f != 0 {
					return nil, unsupportedFlags(f, "networkPortCreateXML")
				}
				p, err := h.nets.CreatePort(i.Name, a.XML, a.Flags&network.PortCreateReclaim != 0)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkPortCreateXMLRet{Port: toPort(i, p)}, nil
			}, h),
		proto.ProcNetworkPortDelete: portProc(false, func(a *libvirt.NetworkPortDeleteArgs) libvirt.NetworkPort { return a.Port },
			func(i network.Info, uuid string, a *libvirt.NetworkPortDeleteArgs) (any, error) {
				if a.Flags != 0 {
					return nil, unsupportedFlags(a.Flags, "networkPortDelete")
				}
				return nil, h.nets.DeletePort(i.Name, uuid)
			}, h),
	}
}

// unsupportedFlags is libvirt's virCheckFlags error for the network
// driver's function fn: no "invalid argument: " before the message, as
// libvirt 9.0's daemon sends it (driver.CheckFlags for the LXC driver).
func unsupportedFlags(flags uint32, fn string) error {
	return virerr.Raw(virerr.ErrInvalidArg, virerr.FromNetwork, fmt.Sprintf("unsupported flags (0x%x) in function %s", flags, fn))
}

package remote

import (
	"encoding/hex"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/network"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/virerr"
)

// networkXMLInactive is VIR_NETWORK_XML_INACTIVE.
const networkXMLInactive = 1

// listAllNetworksFlags are virConnectListAllNetworks' filter flags
// (VIR_CONNECT_LIST_NETWORKS_FILTERS_ALL): active and inactive,
// persistent and transient, autostart and not.
const listAllNetworksFlags = 0x3f

// toNet converts a network's description into its wire form.
func toNet(i network.Info) libvirt.Network {
	n := libvirt.Network{Name: i.Name}
	if raw, err := hex.DecodeString(strings.ReplaceAll(i.UUID, "-", "")); err == nil {
		copy(n.UUID[:], raw)
	}
	return n
}

// wireUUID formats a wire uuid as libvirt prints it.
func wireUUID(u libvirt.UUID) string {
	s := hex.EncodeToString(u[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// netByRef finds the network a call names, by uuid as libvirt's network
// driver does.
func (h *Handlers) netByRef(n libvirt.Network) (network.Info, error) {
	i, err := h.nets.LookupByUUID(wireUUID(n.UUID))
	if err != nil {
		return i, virerr.New(virerr.ErrNoNetwork, virerr.FromNetwork,
			"no network with matching uuid '%s' (%s)", wireUUID(n.UUID), n.Name)
	}
	return i, nil
}

// matches reports whether i passes virConnectListAllNetworks' filter.
func matches(i network.Info, f libvirt.ConnectListAllNetworksFlags) bool {
	pair := func(yes, no libvirt.ConnectListAllNetworksFlags, v bool) bool {
		if f&(yes|no) == 0 || f&(yes|no) == yes|no {
			return true
		}
		return v == (f&yes != 0)
	}
	return pair(libvirt.ConnectListNetworksActive, libvirt.ConnectListNetworksInactive, i.Active) &&
		pair(libvirt.ConnectListNetworksPersistent, libvirt.ConnectListNetworksTransient, i.Persistent) &&
		pair(libvirt.ConnectListNetworksAutostart, libvirt.ConnectListNetworksNoAutostart, i.Autostart)
}

// netNames lists the active (or inactive) networks' names, at most max.
func (h *Handlers) netNames(active bool, max int32) []string {
	var out []string
	for _, i := range h.nets.List() {
		if i.Active == active && int32(len(out)) < max {
			out = append(out, i.Name)
		}
	}
	return out
}

// netCount counts the active (or inactive) networks.
func (h *Handlers) netCount(active bool) int32 {
	n := int32(0)
	for _, i := range h.nets.List() {
		if i.Active == active {
			n++
		}
	}
	return n
}

// b2i is a C boolean.
func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// netProc builds a procedure taking one network argument.
func netProc[A any](ro bool, net func(*A) libvirt.Network, do func(network.Info, *A) (any, error), h *Handlers) server.Procedure {
	return server.Procedure{ReadOnly: ro,
		NewArgs: func() any { return new(A) },
		Handler: func(c *server.Call) (any, error) {
			a := c.Args.(*A)
			i, err := h.netByRef(net(a))
			if err != nil {
				return nil, err
			}
			return do(i, a)
		}}
}

// networkProcs are the network procedures, bound to the registry.
func (h *Handlers) networkProcs() map[uint32]server.Procedure {
	define := func(xml string) (libvirt.Network, error) {
		i, err := h.nets.Define([]byte(xml))
		return toNet(i), err
	}
	create := func(xml string) (libvirt.Network, error) {
		i, err := h.nets.CreateXML([]byte(xml))
		return toNet(i), err
	}
	return map[uint32]server.Procedure{
		proto.ProcConnectListAllNetworks: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectListAllNetworksArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.ConnectListAllNetworksArgs)
				if extra := uint32(a.Flags) &^ listAllNetworksFlags; extra != 0 {
					return nil, unsupportedFlags(extra, "networkConnectListAllNetworks")
				}
				ret := &libvirt.ConnectListAllNetworksRet{}
				for _, i := range h.nets.List() {
					if !matches(i, a.Flags) {
						continue
					}
					ret.Ret++
					if a.NeedResults != 0 {
						ret.Nets = append(ret.Nets, toNet(i))
					}
				}
				if a.NeedResults != 0 && ret.Nets == nil {
					ret.Nets = []libvirt.Network{}
				}
				return ret, nil
			}},
		proto.ProcConnectNumOfNetworks: {ReadOnly: true, Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectNumOfNetworksRet{Num: h.netCount(true)}, nil
		}},
		proto.ProcConnectNumOfDefinedNetworks: {ReadOnly: true, Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectNumOfDefinedNetworksRet{Num: h.netCount(false)}, nil
		}},
		proto.ProcConnectListNetworks: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectListNetworksArgs{} },
			Handler: func(c *server.Call) (any, error) {
				max := c.Args.(*libvirt.ConnectListNetworksArgs).Maxnames
				return &libvirt.ConnectListNetworksRet{Names: h.netNames(true, max)}, nil
			}},
		proto.ProcConnectListDefinedNetworks: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectListDefinedNetworksArgs{} },
			Handler: func(c *server.Call) (any, error) {
				max := c.Args.(*libvirt.ConnectListDefinedNetworksArgs).Maxnames
				return &libvirt.ConnectListDefinedNetworksRet{Names: h.netNames(false, max)}, nil
			}},
		proto.ProcNetworkLookupByName: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NetworkLookupByNameArgs{} },
			Handler: func(c *server.Call) (any, error) {
				i, err := h.nets.LookupByName(c.Args.(*libvirt.NetworkLookupByNameArgs).Name)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkLookupByNameRet{Net: toNet(i)}, nil
			}},
		proto.ProcNetworkLookupByUUID: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.NetworkLookupByUUIDArgs{} },
			Handler: func(c *server.Call) (any, error) {
				i, err := h.nets.LookupByUUID(wireUUID(c.Args.(*libvirt.NetworkLookupByUUIDArgs).UUID))
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkLookupByUUIDRet{Net: toNet(i)}, nil
			}},
		proto.ProcNetworkDefineXML: {
			NewArgs: func() any { return &libvirt.NetworkDefineXMLArgs{} },
			Handler: func(c *server.Call) (any, error) {
				n, err := define(c.Args.(*libvirt.NetworkDefineXMLArgs).XML)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkDefineXMLRet{Net: n}, nil
			}},
		proto.ProcNetworkDefineXMLFlags: {
			NewArgs: func() any { return &libvirt.NetworkDefineXMLFlagsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NetworkDefineXMLFlagsArgs)
				if err := checkNetworkXMLFlags(a.XML, a.Flags, "networkDefineXMLFlags"); err != nil {
					return nil, err
				}
				n, err := define(a.XML)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkDefineXMLFlagsRet{Net: n}, nil
			}},
		proto.ProcNetworkCreateXML: {
			NewArgs: func() any { return &libvirt.NetworkCreateXMLArgs{} },
			Handler: func(c *server.Call) (any, error) {
				n, err := create(c.Args.(*libvirt.NetworkCreateXMLArgs).XML)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkCreateXMLRet{Net: n}, nil
			}},
		proto.ProcNetworkCreateXMLFlags: {
			NewArgs: func() any { return &libvirt.NetworkCreateXMLFlagsArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.NetworkCreateXMLFlagsArgs)
				if err := checkNetworkXMLFlags(a.XML, a.Flags, "networkCreateXMLFlags"); err != nil {
					return nil, err
				}
				n, err := create(a.XML)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkCreateXMLFlagsRet{Net: n}, nil
			}},
		proto.ProcNetworkUndefine: netProc(false, func(a *libvirt.NetworkUndefineArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkUndefineArgs) (any, error) { return nil, h.nets.Undefine(i.Name) }, h),
		proto.ProcNetworkCreate: netProc(false, func(a *libvirt.NetworkCreateArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkCreateArgs) (any, error) { return nil, h.nets.Start(i.Name) }, h),
		proto.ProcNetworkDestroy: netProc(false, func(a *libvirt.NetworkDestroyArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkDestroyArgs) (any, error) { return nil, h.nets.Destroy(i.Name) }, h),
		proto.ProcNetworkGetXMLDesc: netProc(true, func(a *libvirt.NetworkGetXMLDescArgs) libvirt.Network { return a.Net },
			func(i network.Info, a *libvirt.NetworkGetXMLDescArgs) (any, error) {
				if extra := a.Flags &^ networkXMLInactive; extra != 0 {
					return nil, unsupportedFlags(extra, "networkGetXMLDesc")
				}
				x, err := h.nets.XML(i.Name, a.Flags&networkXMLInactive != 0)
				if err != nil {
					return nil, err
				}
				return &libvirt.NetworkGetXMLDescRet{XML: string(x)}, nil
			}, h),
		proto.ProcNetworkGetBridgeName: netProc(true, func(a *libvirt.NetworkGetBridgeNameArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkGetBridgeNameArgs) (any, error) {
				if i.Bridge == "" {
					return nil, virerr.New(virerr.ErrInternalError, virerr.FromNetwork,
						"network '%s' does not have a bridge name.", i.Name)
				}
				return &libvirt.NetworkGetBridgeNameRet{Name: i.Bridge}, nil
			}, h),
		proto.ProcNetworkGetAutostart: netProc(true, func(a *libvirt.NetworkGetAutostartArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkGetAutostartArgs) (any, error) {
				return &libvirt.NetworkGetAutostartRet{Autostart: b2i(i.Autostart)}, nil
			}, h),
		proto.ProcNetworkUpdate: netProc(false, func(a *libvirt.NetworkUpdateArgs) libvirt.Network { return a.Net },
			func(i network.Info, a *libvirt.NetworkUpdateArgs) (any, error) {
				if extra := uint32(a.Flags) &^ (network.UpdateAffectLive | network.UpdateAffectConfig); extra != 0 {
					return nil, unsupportedFlags(extra, "networkUpdate")
				}
				return nil, h.nets.Update(i.Name, a.Command, a.Section, int(a.ParentIndex), a.XML, uint32(a.Flags))
			}, h),
		proto.ProcNetworkSetAutostart: netProc(false, func(a *libvirt.NetworkSetAutostartArgs) libvirt.Network { return a.Net },
			func(i network.Info, a *libvirt.NetworkSetAutostartArgs) (any, error) {
				return nil, h.nets.SetAutostart(i.Name, a.Autostart != 0)
			}, h),
		proto.ProcNetworkIsActive: netProc(true, func(a *libvirt.NetworkIsActiveArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkIsActiveArgs) (any, error) {
				return &libvirt.NetworkIsActiveRet{Active: b2i(i.Active)}, nil
			}, h),
		proto.ProcNetworkIsPersistent: netProc(true, func(a *libvirt.NetworkIsPersistentArgs) libvirt.Network { return a.Net },
			func(i network.Info, _ *libvirt.NetworkIsPersistentArgs) (any, error) {
				return &libvirt.NetworkIsPersistentRet{Persistent: b2i(i.Persistent)}, nil
			}, h),
	}
}

// networkXMLValidate is VIR_NETWORK_DEFINE_VALIDATE and
// VIR_NETWORK_CREATE_VALIDATE, the one flag the *XMLFlags calls take.
const networkXMLValidate = 1

// checkNetworkXMLFlags is virCheckFlags of function fn, then the schema
// check VALIDATE asks for (network.CheckSchema).
func checkNetworkXMLFlags(doc string, flags uint32, fn string) error {
	if extra := flags &^ networkXMLValidate; extra != 0 {
		return unsupportedFlags(extra, fn)
	}
	if flags&networkXMLValidate != 0 {
		return network.CheckSchema([]byte(doc))
	}
	return nil
}

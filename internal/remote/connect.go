package remote

import (
	"net/url"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/hostinfo"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/virerr"
)

// connectProcs are the connection and host procedures.
func (h *Handlers) connectProcs() map[uint32]server.Procedure {
	ro := func(p server.Procedure) server.Procedure { p.ReadOnly = true; return p }
	return map[uint32]server.Procedure{
		proto.ProcAuthList: {ReadOnly: true, BeforeOpen: true, Handler: func(*server.Call) (any, error) {
			return &libvirt.AuthListRet{Types: []libvirt.AuthType{proto.AuthNone}}, nil
		}},
		proto.ProcConnectSupportsFeature: {ReadOnly: true, BeforeOpen: true,
			NewArgs: func() any { return &libvirt.ConnectSupportsFeatureArgs{} },
			Handler: func(c *server.Call) (any, error) {
				f := c.Args.(*libvirt.ConnectSupportsFeatureArgs).Feature
				switch f {
				case proto.FeatureFDPassing, proto.FeatureTypedParamString, proto.FeatureProgramKeepalive,
					proto.FeatureRemoteEventCallback, proto.FeatureRemoteCloseCallback, proto.FeatureNetworkUpdateOrder:
					if f == proto.FeatureProgramKeepalive {
						c.Conn.StartKeepAlive()
					}
					return &libvirt.ConnectSupportsFeatureRet{Supported: 1}, nil
				}
				return &libvirt.ConnectSupportsFeatureRet{Supported: 0}, nil
			}},
		proto.ProcConnectOpen: {ReadOnly: true, BeforeOpen: true,
			NewArgs: func() any { return &proto.ConnectOpenArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*proto.ConnectOpenArgs)
				name := ""
				if len(a.Name) > 0 {
					name = a.Name[0]
				}
				if err := checkURI(name); err != nil {
					return nil, err
				}
				c.Conn.MarkOpen(a.Flags&proto.ConnectRO != 0)
				return nil, nil
			}},
		proto.ProcConnectClose: {ReadOnly: true, BeforeOpen: true, Handler: func(c *server.Call) (any, error) {
			// Autodestroy domains die before virConnectClose returns, so
			// the client's next connection never sees them (libvirt runs
			// its close callbacks when the socket closes, racing with it).
			if id, ok := c.Conn.Value(connIDKey{}).(driver.ConnID); ok {
				h.drv.ConnectionClosed(id)
			}
			return nil, nil
		}},
		proto.ProcConnectRegisterCloseCallback:   ro(server.Procedure{Handler: func(*server.Call) (any, error) { return nil, nil }}),
		proto.ProcConnectUnregisterCloseCallback: ro(server.Procedure{Handler: func(*server.Call) (any, error) { return nil, nil }}),
		proto.ProcConnectGetType: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectGetTypeRet{Type: "LXC"}, nil
		}}),
		proto.ProcConnectGetVersion: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectGetVersionRet{HvVer: h.host.HypervisorVersion()}, nil
		}}),
		proto.ProcConnectGetLibVersion: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectGetLibVersionRet{LibVer: LibVersion}, nil
		}}),
		proto.ProcConnectGetHostname: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectGetHostnameRet{Hostname: h.host.Hostname()}, nil
		}}),
		proto.ProcConnectGetURI: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectGetUriRet{Uri: "lxc:///system"}, nil
		}}),
		proto.ProcConnectIsSecure: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectIsSecureRet{Secure: 1}, nil // a local unix socket
		}}),
		proto.ProcNodeGetInfo: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			ni := h.host.NodeInfo()
			return &ni, nil
		}}),
		proto.ProcConnectGetCapabilities: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.ConnectGetCapabilitiesRet{Capabilities: h.host.Capabilities()}, nil
		}}),
		proto.ProcConnectGetSysinfo: ro(server.Procedure{
			NewArgs: func() any { return &libvirt.ConnectGetSysinfoArgs{} },
			Handler: func(c *server.Call) (any, error) {
				if err := driver.CheckFlags(c.Args.(*libvirt.ConnectGetSysinfoArgs).Flags, 0, "lxcConnectGetSysinfo"); err != nil {
					return nil, err
				}
				si := h.host.Sysinfo()
				if si == "" {
					return nil, virerr.New(virerr.ErrConfigUnsupported, virerr.FromLXC, "%s", hostinfo.SysinfoUnavailable)
				}
				return &libvirt.ConnectGetSysinfoRet{Sysinfo: si}, nil
			}}),
		proto.ProcConnectDomainXMLFromNative: {
			NewArgs: func() any { return &libvirt.ConnectDomainXMLFromNativeArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.ConnectDomainXMLFromNativeArgs)
				if err := driver.CheckFlags(a.Flags, 0, "lxcConnectDomainXMLFromNative"); err != nil {
					return nil, err
				}
				xml, err := h.drv.DomainXMLFromNative(a.NativeFormat, a.NativeConfig)
				if err != nil {
					return nil, err
				}
				return &libvirt.ConnectDomainXMLFromNativeRet{DomainXML: xml}, nil
			}},
		proto.ProcNodeGetFreeMemory: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.NodeGetFreeMemoryRet{FreeMem: h.host.FreeMemory()}, nil
		}}),
		proto.ProcNodeGetSecurityModel: ro(server.Procedure{Handler: func(*server.Call) (any, error) {
			return &libvirt.NodeGetSecurityModelRet{Model: cstring("none"), Doi: cstring("0")}, nil
		}}),
	}
}

// checkURI accepts what libvirt's LXC driver accepts (lxc:///system, and
// the probe name "").
func checkURI(name string) error {
	if name == "" {
		return nil
	}
	u, err := url.Parse(name)
	if err != nil || (u.Scheme != "lxc" && u.Scheme != "lxc+unix") {
		return virerr.New(virerr.ErrNoConnect, virerr.FromNone, "%s", name)
	}
	switch u.Path {
	case "", "/", "/system":
		return nil
	}
	return virerr.New(virerr.ErrInternalError, virerr.FromLXC, "Unexpected LXC URI path '%s', try lxc:///system", u.Path)
}

package virsh

import (
	"bytes"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// fakeDomain is a domain the fake daemon knows.
type fakeDomain struct {
	dom           libvirt.Domain
	state, reason int32
	info          libvirt.DomainGetInfoRet
	persistent    int32
	autostart     int32
	xml           string
	sched         []libvirt.TypedParam
	mem           []libvirt.TypedParam
	blkio         []libvirt.TypedParam
}

// fake is a scripted libvirt RPC server: the handshake, lookups, the calls
// virsh's read commands make, and per-procedure errors for the others.
type fake struct {
	t    *testing.T
	sock string

	mu      sync.Mutex
	doms    []*fakeDomain
	errs    map[uint32]error
	calls   []uint32
	defined libvirt.Domain // the domain DEFINE_XML / CREATE_XML return
	caps    string
	noStats bool   // answer CONNECT_GET_ALL_DOMAIN_STATS with "unknown procedure"
	crashOn uint32 // drop the connection instead of answering this procedure
}

func mustUUID(s string) libvirt.UUID {
	u, ok := parseUUID(s)
	if !ok {
		panic(s)
	}
	return u
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, errs: map[uint32]error{}, sock: filepath.Join(t.TempDir(), "sock")}
	srv := server.New(slog.New(slog.DiscardHandler), server.Options{})
	reg := func(proc uint32, newArgs func() any, h func(c *server.Call) (any, error)) {
		srv.Register(wire.ProgramRemote, proc, server.Procedure{NewArgs: newArgs, ReadOnly: true, BeforeOpen: true,
			Handler: func(c *server.Call) (any, error) {
				f.mu.Lock()
				f.calls = append(f.calls, proc)
				err := f.errs[proc]
				crash := f.crashOn == proc
				f.mu.Unlock()
				if crash {
					c.Conn.Close()
					<-c.Conn.Done()
					return nil, err
				}
				if err != nil {
					return nil, err
				}
				return h(c)
			}})
	}
	void := func(proc uint32, newArgs func() any) {
		reg(proc, newArgs, func(*server.Call) (any, error) { return nil, nil })
	}
	reg(proto.ProcAuthList, nil, func(*server.Call) (any, error) {
		return &libvirt.AuthListRet{Types: []libvirt.AuthType{0}}, nil
	})
	reg(proto.ProcConnectSupportsFeature, func() any { return &libvirt.ConnectSupportsFeatureArgs{} },
		func(*server.Call) (any, error) { return &libvirt.ConnectSupportsFeatureRet{Supported: 1}, nil })
	reg(proto.ProcConnectOpen, func() any { return &proto.ConnectOpenArgs{} }, func(c *server.Call) (any, error) {
		c.Conn.MarkOpen(false)
		return nil, nil
	})
	for _, p := range []uint32{proto.ProcConnectRegisterCloseCallback, proto.ProcConnectUnregisterCloseCallback, proto.ProcConnectClose} {
		void(p, nil)
	}
	f.registerDomainProcs(reg)
	f.registerHostProcs(reg)
	l, err := net.Listen("unix", f.sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l, false)
	t.Cleanup(func() { srv.Close() })
	return f
}

type registrar func(proc uint32, newArgs func() any, h func(c *server.Call) (any, error))

// find returns the domain an args struct names.
func (f *fake) find(d libvirt.Domain) (*fakeDomain, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fd := range f.doms {
		if fd.dom.UUID == d.UUID {
			return fd, nil
		}
	}
	return nil, virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "no domain with matching uuid '%s' (%s)", formatUUID(d.UUID), d.Name)
}

func (f *fake) registerDomainProcs(reg registrar) {
	lookup := func(match func(*fakeDomain) bool) (any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, fd := range f.doms {
			if match(fd) {
				return &libvirt.DomainLookupByNameRet{Dom: fd.dom}, nil
			}
		}
		return nil, virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "no domain")
	}
	reg(proto.ProcDomainLookupByName, func() any { return &libvirt.DomainLookupByNameArgs{} }, func(c *server.Call) (any, error) {
		return lookup(func(d *fakeDomain) bool { return d.dom.Name == c.Args.(*libvirt.DomainLookupByNameArgs).Name })
	})
	reg(proto.ProcDomainLookupByUUID, func() any { return &libvirt.DomainLookupByUUIDArgs{} }, func(c *server.Call) (any, error) {
		return lookup(func(d *fakeDomain) bool { return d.dom.UUID == c.Args.(*libvirt.DomainLookupByUUIDArgs).UUID })
	})
	reg(proto.ProcDomainLookupByID, func() any { return &libvirt.DomainLookupByIDArgs{} }, func(c *server.Call) (any, error) {
		return lookup(func(d *fakeDomain) bool { return d.dom.ID == c.Args.(*libvirt.DomainLookupByIDArgs).ID })
	})
	reg(proto.ProcConnectListAllDomains, func() any { return &libvirt.ConnectListAllDomainsArgs{} }, func(c *server.Call) (any, error) {
		flags := uint32(c.Args.(*libvirt.ConnectListAllDomainsArgs).Flags)
		f.mu.Lock()
		defer f.mu.Unlock()
		ret := &libvirt.ConnectListAllDomainsRet{}
		for _, d := range f.doms {
			active := d.dom.ID != -1
			if flags&(listActive|listInactive) != 0 && !(active && flags&listActive != 0 || !active && flags&listInactive != 0) {
				continue
			}
			ret.Domains = append(ret.Domains, d.dom)
		}
		ret.Ret = uint32(len(ret.Domains))
		return ret, nil
	})
	onDom := func(proc uint32, newArgs func() any, dom func(any) libvirt.Domain, h func(*fakeDomain, any) (any, error)) {
		reg(proc, newArgs, func(c *server.Call) (any, error) {
			d, err := f.find(dom(c.Args))
			if err != nil {
				return nil, err
			}
			return h(d, c.Args)
		})
	}
	// Every domain args struct starts with the domain: decode just that.
	domArgs := func() any { return &struct{ Dom libvirt.Domain }{} }
	domOf := func(a any) libvirt.Domain { return a.(*struct{ Dom libvirt.Domain }).Dom }
	simple := func(proc uint32, h func(*fakeDomain, any) (any, error)) { onDom(proc, domArgs, domOf, h) }
	simple(proto.ProcDomainGetState, func(d *fakeDomain, _ any) (any, error) {
		return &libvirt.DomainGetStateRet{State: d.state, Reason: d.reason}, nil
	})
	simple(proto.ProcDomainGetInfo, func(d *fakeDomain, _ any) (any, error) { return &d.info, nil })
	simple(proto.ProcDomainGetOSType, func(*fakeDomain, any) (any, error) { return &libvirt.DomainGetOsTypeRet{Type: "exe"}, nil })
	simple(proto.ProcDomainIsPersistent, func(d *fakeDomain, _ any) (any, error) {
		return &libvirt.DomainIsPersistentRet{Persistent: d.persistent}, nil
	})
	simple(proto.ProcDomainIsActive, func(d *fakeDomain, _ any) (any, error) {
		return &libvirt.DomainIsActiveRet{Active: b2i(d.dom.ID != -1)}, nil
	})
	simple(proto.ProcDomainGetAutostart, func(d *fakeDomain, _ any) (any, error) {
		return &libvirt.DomainGetAutostartRet{Autostart: d.autostart}, nil
	})
	simple(proto.ProcDomainHasManagedSaveImage, func(*fakeDomain, any) (any, error) { return &libvirt.DomainHasManagedSaveImageRet{}, nil })
	simple(proto.ProcDomainGetSecurityLabel, func(*fakeDomain, any) (any, error) {
		return &libvirt.DomainGetSecurityLabelRet{Label: cChars("")}, nil
	})
	simple(proto.ProcDomainGetXMLDesc, func(d *fakeDomain, _ any) (any, error) { return &libvirt.DomainGetXMLDescRet{XML: d.xml}, nil })
	simple(proto.ProcDomainGetSchedulerType, func(d *fakeDomain, _ any) (any, error) {
		return &libvirt.DomainGetSchedulerTypeRet{Type: "posix", Nparams: int32(len(d.sched))}, nil
	})
	onDom(proto.ProcDomainGetSchedulerParametersFlags, func() any { return &libvirt.DomainGetSchedulerParametersFlagsArgs{} },
		func(a any) libvirt.Domain { return a.(*libvirt.DomainGetSchedulerParametersFlagsArgs).Dom },
		func(d *fakeDomain, _ any) (any, error) {
			return &libvirt.DomainGetSchedulerParametersFlagsRet{Params: d.sched}, nil
		})
	onDom(proto.ProcDomainGetSchedulerParameters, func() any { return &libvirt.DomainGetSchedulerParametersArgs{} },
		func(a any) libvirt.Domain { return a.(*libvirt.DomainGetSchedulerParametersArgs).Dom },
		func(d *fakeDomain, _ any) (any, error) {
			return &libvirt.DomainGetSchedulerParametersRet{Params: d.sched}, nil
		})
	onDom(proto.ProcDomainSetSchedulerParametersFlags, func() any { return &libvirt.DomainSetSchedulerParametersFlagsArgs{} },
		func(a any) libvirt.Domain { return a.(*libvirt.DomainSetSchedulerParametersFlagsArgs).Dom },
		func(d *fakeDomain, a any) (any, error) {
			for _, p := range a.(*libvirt.DomainSetSchedulerParametersFlagsArgs).Params {
				for i := range d.sched {
					if d.sched[i].Field == p.Field {
						d.sched[i] = p
					}
				}
			}
			return nil, nil
		})
	params := func(proc uint32, get func(*fakeDomain) []libvirt.TypedParam) {
		onDom(proc, func() any { return &libvirt.DomainGetMemoryParametersArgs{} },
			func(a any) libvirt.Domain { return a.(*libvirt.DomainGetMemoryParametersArgs).Dom },
			func(d *fakeDomain, a any) (any, error) {
				ps := get(d)
				if a.(*libvirt.DomainGetMemoryParametersArgs).Nparams == 0 {
					return &libvirt.DomainGetMemoryParametersRet{Nparams: int32(len(ps))}, nil
				}
				return &libvirt.DomainGetMemoryParametersRet{Params: ps, Nparams: int32(len(ps))}, nil
			})
	}
	params(proto.ProcDomainGetMemoryParameters, func(d *fakeDomain) []libvirt.TypedParam { return d.mem })
	params(proto.ProcDomainGetBlkioParameters, func(d *fakeDomain) []libvirt.TypedParam { return d.blkio })
	for _, p := range []uint32{proto.ProcDomainCreate, proto.ProcDomainDestroy, proto.ProcDomainSuspend, proto.ProcDomainResume,
		proto.ProcDomainShutdown, proto.ProcDomainUndefine, proto.ProcDomainShutdownFlags, proto.ProcDomainReboot,
		proto.ProcDomainUndefineFlags, proto.ProcDomainSetAutostart, proto.ProcDomainSetMemoryFlags} {
		simple(p, func(*fakeDomain, any) (any, error) { return nil, nil })
	}
	simple(proto.ProcDomainSnapshotNum, func(*fakeDomain, any) (any, error) { return &libvirt.DomainSnapshotNumRet{}, nil })
	created := func(c *server.Call) (any, error) { return &libvirt.DomainDefineXMLRet{Dom: f.defined}, nil }
	reg(proto.ProcDomainDefineXML, func() any { return &libvirt.DomainDefineXMLArgs{} }, created)
	reg(proto.ProcDomainCreateXML, func() any { return &libvirt.DomainCreateXMLArgs{} }, created)
}

func (f *fake) registerHostProcs(reg registrar) {
	reg(proto.ProcConnectGetType, nil, func(*server.Call) (any, error) { return &libvirt.ConnectGetTypeRet{Type: "LXC"}, nil })
	reg(proto.ProcConnectGetVersion, nil, func(*server.Call) (any, error) { return &libvirt.ConnectGetVersionRet{HvVer: 6018044}, nil })
	reg(proto.ProcConnectGetLibVersion, nil, func(*server.Call) (any, error) { return &libvirt.ConnectGetLibVersionRet{LibVer: 9000000}, nil })
	reg(proto.ProcConnectGetHostname, nil, func(*server.Call) (any, error) { return &libvirt.ConnectGetHostnameRet{Hostname: "vm"}, nil })
	reg(proto.ProcConnectGetCapabilities, nil, func(*server.Call) (any, error) {
		return &libvirt.ConnectGetCapabilitiesRet{Capabilities: f.caps}, nil
	})
	reg(proto.ProcNodeGetInfo, nil, func(*server.Call) (any, error) {
		ret := &libvirt.NodeGetInfoRet{Memory: 5334812, Cpus: 2, Mhz: 2596, Nodes: 1, Sockets: 1, Cores: 2, Threads: 1}
		copy(ret.Model[:], cChars("x86_64"))
		return ret, nil
	})
	reg(proto.ProcNodeGetSecurityModel, nil, func(*server.Call) (any, error) {
		return &libvirt.NodeGetSecurityModelRet{Model: cChars("none"), Doi: cChars("0")}, nil
	})
	reg(proto.ProcConnectGetAllDomainStats, func() any { return &libvirt.ConnectGetAllDomainStatsArgs{} }, func(c *server.Call) (any, error) {
		if f.noStats {
			return nil, server.ErrUnknownProcedure(proto.ProcConnectGetAllDomainStats)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		ret := &libvirt.ConnectGetAllDomainStatsRet{}
		activeOnly := c.Args.(*libvirt.ConnectGetAllDomainStatsArgs).Flags&listActive != 0
		for _, d := range f.doms {
			if d.dom.ID == -1 && activeOnly {
				continue
			}
			ret.RetStats = append(ret.RetStats, libvirt.DomainStatsRecord{Dom: d.dom, Params: []libvirt.TypedParam{
				{Field: "state.state", Value: libvirt.TypedParamValue{D: xdr.ParamInt, I: d.state}},
				ullongParam("cpu.time", d.info.CPUTime),
				ullongParam("balloon.current", d.info.Memory),
				ullongParam("balloon.maximum", d.info.MaxMem),
				ullongParam("block.0.rd.bytes", 1<<20),
			}})
		}
		return ret, nil
	})
}

// cChars is a NUL-terminated char array as libvirt sends it.
func cChars(s string) []int8 {
	out := make([]int8, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		out = append(out, int8(s[i]))
	}
	return append(out, 0)
}

// result is one run of the client.
type result struct {
	stdout, stderr string
	rc             int
}

// run runs virtlxc's Main against the fake, stdin not a terminal.
func (f *fake) run(args ...string) result {
	var out, errb bytes.Buffer
	s := NewSession()
	s.Stdin, s.Stdout, s.Stderr = nil, &out, &errb
	s.Getenv = func(string) string { return "" }
	rc := s.Main(append([]string{"-c", "lxc:///system?socket=" + f.sock}, args...))
	return result{out.String(), errb.String(), rc}
}

func (f *fake) called(proc uint32) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.calls {
		if p == proc {
			return true
		}
	}
	return false
}

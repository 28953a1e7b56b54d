// Package remote binds libvirt's remote and LXC RPC programs to the LXC
// driver: one small handler per procedure, decoding nothing itself (the
// server decodes go-libvirt's args structs) and returning go-libvirt ret
// structs or *virerr.Error. It is the only glue between internal/rpc and
// internal/driver.
package remote

import (
	"encoding/hex"
	"log/slog"
	"strings"
	"sync/atomic"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/hostinfo"
	"virtlxc/internal/network"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// Host answers the host-level queries (capabilities, node info, …).
type Host interface {
	Capabilities() string
	NodeInfo() libvirt.NodeGetInfoRet
	Sysinfo() string
	Hostname() string
	HypervisorVersion() uint64
	FreeMemory() uint64
	CPUStats(cpu int) ([]hostinfo.Stat, error)
	MemoryStats(cell int) ([]hostinfo.Stat, error)
	CPUMap() (present int, online []byte, count int)
	KSMParams(n int) ([]hostinfo.KSMParam, error)
	CellsFreeMemory(start, max int) ([]uint64, error)
	FreePages(sizes []uint32, start, count int) ([]uint64, error)
}

// LibVersion is the libvirt version whose API virtlxc presents (9.0.0).
const LibVersion = 9000000

// Handlers holds what the procedures need.
type Handlers struct {
	drv  *driver.Driver
	nets *network.Registry
	host Host
	log  *slog.Logger
}

// Register installs every procedure virtlxc implements on srv; with a nil
// nets the network procedures answer "not supported".
func Register(srv *server.Server, drv *driver.Driver, nets *network.Registry, host Host, log *slog.Logger) *Handlers {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handlers{drv: drv, nets: nets, host: host, log: log}
	registered := map[uint32]bool{}
	sets := []map[uint32]server.Procedure{h.connectProcs(), h.domainProcs(), h.lifecycleProcs(), h.tuneProcs(), h.eventProcs(), h.nodeProcs(), h.metadataProcs(), h.guestProcs(), h.blockProcs(), h.deviceProcs()}
	if nets != nil {
		sets = append(sets, h.networkProcs(), h.netPortProcs(), h.addressProcs(), h.netEventProcs())
	}
	for _, set := range sets {
		for proc, p := range set {
			// Any call is work: handoffs to the keeper wait for
			// quiet (driver.Worked).
			handle := p.Handler
			p.Handler = func(c *server.Call) (any, error) {
				drv.Worked()
				return handle(c)
			}
			srv.Register(wire.ProgramRemote, proc, p)
			registered[proc] = true
		}
	}
	for prog, procs := range h.streamProcs() {
		for proc, p := range procs {
			srv.Register(prog, proc, p)
			if prog == wire.ProgramRemote {
				registered[proc] = true
			}
		}
	}
	// Every other procedure libvirt's protocol knows is answered as
	// libvirt's LXC driver answers what it lacks: "this function is not
	// supported by the connection driver: <API>".
	for _, proc := range proto.Procedures(wire.ProgramRemote) {
		if registered[proc] || proc == wire.KeepalivePing {
			continue
		}
		api := proto.API(wire.ProgramRemote, proc)
		srv.Register(wire.ProgramRemote, proc, server.Procedure{ReadOnly: true, Handler: func(*server.Call) (any, error) {
			return nil, virerr.New(virerr.ErrNoSupport, unsupportedFrom(api), "%s", api)
		}})
	}
	return h
}

// toRef converts a wire domain into the driver's reference.
func toRef(d libvirt.Domain) driver.Ref {
	u := hex.EncodeToString(d.UUID[:])
	return driver.Ref{
		Name: d.Name,
		UUID: u[0:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:32],
		ID:   int(d.ID),
	}
}

// fromRef converts a driver reference into a wire domain.
func fromRef(r driver.Ref) libvirt.Domain {
	d := libvirt.Domain{Name: r.Name, ID: int32(r.ID)}
	raw, err := hex.DecodeString(strings.ReplaceAll(r.UUID, "-", ""))
	if err == nil {
		copy(d.UUID[:], raw)
	}
	return d
}

// resolve finds the domain a call names, by UUID as libvirt's driver
// does (lxcDomObjFromDomain: a miss names the handle's UUID and name).
func (h *Handlers) resolve(d libvirt.Domain) (driver.Ref, error) {
	return h.drv.Resolve(toRef(d))
}

// cstring encodes a NUL-terminated C string as remote's char arrays do.
func cstring(s string) []int8 {
	out := make([]int8, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		out = append(out, int8(s[i]))
	}
	return append(out, 0)
}

type connIDKey struct{}

var nextConnID atomic.Uint64

// connID identifies a connection to the driver (autodestroy domains die
// with it); the first call assigns it and arranges the driver's cleanup.
func (h *Handlers) connID(c *server.Call) driver.ConnID {
	fresh := driver.ConnID(nextConnID.Add(1))
	id := c.Conn.LoadOrStore(connIDKey{}, fresh).(driver.ConnID)
	if id == fresh {
		c.Conn.OnClose(func() { h.drv.ConnectionClosed(id) })
	}
	return id
}

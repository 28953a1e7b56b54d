package daemon

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/hostinfo"
)

// hostAnswers answers the host queries from a fresh read of /proc and /sys.
type hostAnswers struct {
	emulator string
}

func (h hostAnswers) read() hostinfo.Host {
	host, err := hostinfo.Read("")
	if err != nil {
		return hostinfo.Host{}
	}
	return host
}

func (h hostAnswers) Capabilities() string {
	return hostinfo.Capabilities(h.read(), h.emulator, "none")
}

func (h hostAnswers) NodeInfo() libvirt.NodeGetInfoRet {
	in := hostinfo.NodeInfo(h.read())
	ret := libvirt.NodeGetInfoRet{Memory: in.Memory, Cpus: int32(in.CPUs), Mhz: int32(in.MHz),
		Nodes: int32(in.Nodes), Sockets: int32(in.Sockets), Cores: int32(in.Cores), Threads: int32(in.Threads)}
	for i := 0; i < len(in.Model) && i < len(ret.Model)-1; i++ {
		ret.Model[i] = int8(in.Model[i])
	}
	return ret
}

func (h hostAnswers) Sysinfo() string { return hostinfo.Sysinfo("") }

func (h hostAnswers) Hostname() string {
	name, _ := hostinfo.Hostname()
	return name
}

func (h hostAnswers) HypervisorVersion() uint64 {
	v, _ := hostinfo.HypervisorVersion()
	return v
}

func (h hostAnswers) FreeMemory() uint64 { return hostinfo.FreeMemory(h.read()) }

func (h hostAnswers) CPUStats(cpu int) ([]hostinfo.Stat, error) { return hostinfo.CPUStats("", cpu) }

func (h hostAnswers) MemoryStats(cell int) ([]hostinfo.Stat, error) {
	return hostinfo.MemoryStats(h.read(), cell)
}

func (h hostAnswers) CPUMap() (int, []byte, int) { return hostinfo.CPUMap(h.read()) }

func (h hostAnswers) KSMParams(n int) ([]hostinfo.KSMParam, error) { return hostinfo.KSMParams("", n) }

func (h hostAnswers) CellsFreeMemory(start, max int) ([]uint64, error) {
	return hostinfo.CellsFreeMemory(h.read(), start, max)
}

func (h hostAnswers) FreePages(sizes []uint32, start, count int) ([]uint64, error) {
	return hostinfo.FreePages(h.read(), "", sizes, start, count)
}

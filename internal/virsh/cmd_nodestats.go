package virsh

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/rpc/proto"
)

// sleepSecond waits between nodecpustats --percent's two samples.
var sleepSecond = func() { time.Sleep(time.Second) }

// cpuStatFields are virsh's CPU statistics rows (virshCPUStats order) and
// the server's field names.
var cpuStatFields = []struct{ field, label string }{
	{"user", "user:"}, {"kernel", "system:"}, {"idle", "idle:"}, {"iowait", "iowait:"}, {"intr", "intr:"},
}

func cmdNodeCPUStats() *CmdDef {
	return &CmdDef{
		Name: "nodecpustats", Group: "host",
		Help: "Prints cpu stats of the node.",
		Desc: "Returns cpu stats of the node, in nanoseconds.",
		Opts: []OptDef{
			{Name: "cpu", Type: OptInt, Help: "prints specified cpu statistics only."},
			optBool("percent", "prints by percentage during 1 second."),
		},
		Run: runNodeCPUStats,
	}
}

func runNodeCPUStats(s *Session, pc *ParsedCmd) error {
	cpu, hasCPU, err := pc.Int("cpu")
	if err != nil {
		return err
	}
	if !hasCPU {
		cpu = -1
	}
	c, err := s.connection()
	if err != nil {
		return err
	}
	get := func(n int32) (libvirt.NodeGetCPUStatsRet, error) {
		var ret libvirt.NodeGetCPUStatsRet
		err := c.call(proto.ProcNodeGetCPUStats, &libvirt.NodeGetCPUStatsArgs{CPUNum: int32(cpu), Nparams: n}, &ret)
		return ret, err
	}
	first, err := get(0)
	if err != nil {
		return failed(err, "Unable to get number of cpu stats")
	}
	if first.Nparams == 0 {
		return nil
	}
	values := map[string]uint64{}
	present := map[string]bool{}
	percent := pc.Bool("percent")
	for round := 0; round < 2; round++ {
		ret, err := get(first.Nparams)
		if err != nil {
			return failed(err, "Unable to get node cpu stats")
		}
		for _, p := range ret.Params {
			if round == 0 {
				values[p.Field], present[p.Field] = p.Value, true
			} else if present[p.Field] {
				values[p.Field] = p.Value - values[p.Field]
			}
		}
		if present["utilization"] || !percent {
			break
		}
		sleepSecond()
	}
	if !percent {
		for _, f := range cpuStatFields {
			if present[f.field] {
				s.printf("%-15s %20d\n", f.label, values[f.field])
			}
		}
		return nil
	}
	if present["utilization"] {
		u := float64(values["utilization"])
		s.printf("%-15s %5.1f%%\n", "usage:", u)
		s.printf("%-15s %5.1f%%\n", "idle:", 100-u)
		return nil
	}
	var total float64
	for _, f := range cpuStatFields {
		total += float64(values[f.field])
	}
	s.printf("%-15s %5.1f%%\n", "usage:", float64(values["user"]+values["kernel"])/total*100)
	for _, f := range cpuStatFields {
		if present[f.field] {
			s.printf("%-15s %5.1f%%\n", f.label, float64(values[f.field])/total*100)
		}
	}
	return nil
}

func cmdNodeMemStats() *CmdDef {
	return &CmdDef{
		Name: "nodememstats", Group: "host",
		Help: "Prints memory stats of the node.",
		Desc: "Returns memory stats of the node, in kilobytes.",
		Opts: []OptDef{{Name: "cell", Type: OptInt, Help: "prints specified cell statistics only."}},
		Run: func(s *Session, pc *ParsedCmd) error {
			cell, hasCell, err := pc.Int("cell")
			if err != nil {
				return err
			}
			if !hasCell {
				cell = -1
			}
			c, err := s.connection()
			if err != nil {
				return err
			}
			var ret libvirt.NodeGetMemoryStatsRet
			if err := c.call(proto.ProcNodeGetMemoryStats, &libvirt.NodeGetMemoryStatsArgs{CellNum: int32(cell)}, &ret); err != nil {
				return failed(err, "Unable to get number of memory stats")
			}
			if ret.Nparams == 0 {
				return nil
			}
			n := ret.Nparams
			if err := c.call(proto.ProcNodeGetMemoryStats, &libvirt.NodeGetMemoryStatsArgs{CellNum: int32(cell), Nparams: n}, &ret); err != nil {
				return failed(err, "Unable to get memory stats")
			}
			for _, p := range ret.Params {
				s.printf("%-7s: %20d KiB\n", p.Field, p.Value)
			}
			return nil
		},
	}
}

func cmdNodeCPUMap() *CmdDef {
	return &CmdDef{
		Name: "nodecpumap", Group: "host",
		Help: "node cpu map",
		Desc: "Displays the node's total number of CPUs, the number of online CPUs and the list of online CPUs.",
		Opts: []OptDef{optBool("pretty", "return human readable output")},
		Run: func(s *Session, pc *ParsedCmd) error {
			c, err := s.connection()
			if err != nil {
				return err
			}
			var ret libvirt.NodeGetCPUMapRet
			if err := c.call(proto.ProcNodeGetCPUMap, &libvirt.NodeGetCPUMapArgs{NeedMap: 1, NeedOnline: 1}, &ret); err != nil {
				return failed(err, "Unable to get cpu map")
			}
			s.printf("%-15s %d\n", "CPUs present:", ret.Ret)
			s.printf("%-15s %d\n", "CPUs online:", ret.Online)
			s.printf("%-15s ", "CPU map:")
			used := func(i int) bool { return i/8 < len(ret.Cpumap) && ret.Cpumap[i/8]&(1<<(i%8)) != 0 }
			if pc.Bool("pretty") {
				var set []int
				for i := 0; i < len(ret.Cpumap)*8; i++ {
					if used(i) {
						set = append(set, i)
					}
				}
				s.print(formatRanges(set))
			} else {
				for i := 0; i < int(ret.Ret); i++ {
					if used(i) {
						s.print("y")
					} else {
						s.print("-")
					}
				}
			}
			s.print("\n")
			return nil
		},
	}
}

// formatRanges is virBitmapFormat: "0-3,5".
func formatRanges(set []int) string {
	var parts []string
	for i := 0; i < len(set); {
		j := i
		for j+1 < len(set) && set[j+1] == set[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(set[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", set[i], set[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func cmdNodeMemoryTune() *CmdDef {
	num := func(name, help string) OptDef { return OptDef{Name: name, Type: OptInt, NamedOnly: true, Help: help} }
	return &CmdDef{
		Name: "node-memory-tune", Group: "host",
		Help: "Get or set node memory parameters",
		Desc: "Get or set node memory parameters\n    To get the memory parameters, use following command: \n\n    virsh # node-memory-tune",
		Opts: []OptDef{
			num("shm-pages-to-scan", "number of pages to scan before the shared memory service goes to sleep"),
			num("shm-sleep-millisecs", "number of millisecs the shared memory service should sleep before next scan"),
			num("shm-merge-across-nodes", "Specifies if pages from different numa nodes can be merged"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			var params []libvirt.TypedParam
			for _, name := range []string{"shm-pages-to-scan", "shm-sleep-millisecs", "shm-merge-across-nodes"} {
				v, ok, err := pc.Uint(name)
				if err != nil {
					return err
				}
				if ok {
					field := strings.ReplaceAll(name, "-", "_")
					params = append(params, libvirt.TypedParam{Field: field, Value: *libvirt.NewTypedParamValueUint(uint32(v))})
				}
			}
			c, err := s.connection()
			if err != nil {
				return err
			}
			if len(params) > 0 {
				if err := c.call(proto.ProcNodeSetMemoryParameters, &libvirt.NodeSetMemoryParametersArgs{Params: params}, nil); err != nil {
					return failed(err, "Unable to change memory parameters")
				}
				return nil
			}
			var ret libvirt.NodeGetMemoryParametersRet
			if err := c.call(proto.ProcNodeGetMemoryParameters, &libvirt.NodeGetMemoryParametersArgs{}, &ret); err != nil {
				return failed(err, "Unable to get number of memory parameters")
			}
			if ret.Nparams == 0 {
				return nil
			}
			n := ret.Nparams
			if err := c.call(proto.ProcNodeGetMemoryParameters, &libvirt.NodeGetMemoryParametersArgs{Nparams: n}, &ret); err != nil {
				return failed(err, "Unable to get memory parameters")
			}
			s.print("Shared memory:\n")
			for _, p := range ret.Params {
				s.printf("\t%-15s %s\n", p.Field, ParamValue(p))
			}
			return nil
		},
	}
}

// hostTopology reads the NUMA cells and page sizes of the host's
// capabilities.
func (c *Conn) hostTopology() (*libvirtxml.Caps, error) {
	var ret libvirt.ConnectGetCapabilitiesRet
	if err := c.call(proto.ProcConnectGetCapabilities, nil, &ret); err != nil {
		return nil, err
	}
	var caps libvirtxml.Caps
	if err := xml.Unmarshal([]byte(ret.Capabilities), &caps); err != nil {
		return nil, err
	}
	return &caps, nil
}

func cmdFreecell() *CmdDef {
	return &CmdDef{
		Name: "freecell", Group: "host",
		Help: "NUMA free memory",
		Desc: "display available free memory for the NUMA cell.",
		Opts: []OptDef{
			{Name: "cellno", Type: OptInt, Help: "NUMA cell number"},
			optBool("all", "show free memory for all NUMA cells"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			if err := pc.Exclusive("all", "cellno"); err != nil {
				return err
			}
			cell, hasCell, err := pc.Int("cellno")
			if err != nil {
				return err
			}
			c, err := s.connection()
			if err != nil {
				return err
			}
			free := func(cell int) (uint64, error) {
				var ret libvirt.NodeGetCellsFreeMemoryRet
				err := c.call(proto.ProcNodeGetCellsFreeMemory, &libvirt.NodeGetCellsFreeMemoryArgs{StartCell: int32(cell), Maxcells: 1}, &ret)
				if err == nil && len(ret.Cells) != 1 {
					err = fmt.Errorf("no figure for cell %d", cell)
				}
				if err != nil {
					return 0, err
				}
				return ret.Cells[0], nil
			}
			switch {
			case pc.Bool("all"):
				caps, err := c.hostTopology()
				if err != nil {
					return failed(err, "unable to get node capabilities")
				}
				var total uint64
				var lines []string
				if caps.Host.NUMA != nil && caps.Host.NUMA.Cells != nil {
					for _, cl := range caps.Host.NUMA.Cells.Cells {
						v, err := free(cl.ID)
						if err != nil {
							return failed(err, "failed to get free memory for NUMA node number: %d", cl.ID)
						}
						lines = append(lines, fmt.Sprintf("%5d: %10d KiB\n", cl.ID, v/1024))
						total += v
					}
				}
				for _, l := range lines {
					s.print(l)
				}
				s.printExtra("--------------------\n")
				s.printExtra("%5s: %10d KiB\n", "Total", total/1024)
			case hasCell:
				v, err := free(cell)
				if err != nil {
					return err
				}
				s.printf("%d: %d KiB\n", cell, v/1024)
			default:
				var ret libvirt.NodeGetFreeMemoryRet
				if err := c.call(proto.ProcNodeGetFreeMemory, nil, &ret); err != nil || ret.FreeMem == 0 {
					return err
				}
				s.printf("%s: %d KiB\n", "Total", ret.FreeMem/1024)
			}
			return nil
		},
	}
}

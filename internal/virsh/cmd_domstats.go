package virsh

import (
	"strconv"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"
	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/rpc/proto"
)

func cmdFreepages() *CmdDef {
	return &CmdDef{
		Name: "freepages", Group: "host",
		Help: "NUMA free pages",
		Desc: "display available free pages for the NUMA cell.",
		Opts: []OptDef{
			{Name: "cellno", Type: OptInt, Help: "NUMA cell number"},
			{Name: "pagesize", Type: OptInt, Help: "page size (in kibibytes)"},
			optBool("all", "show free pages for all NUMA cells"),
		},
		Run: runFreepages,
	}
}

func runFreepages(s *Session, pc *ParsedCmd) error {
	if err := pc.Exclusive("all", "cellno"); err != nil {
		return err
	}
	bytes, hasSize, err := pc.Scaled("pagesize", 1024, (1<<32-1)*1024)
	if err != nil {
		return err
	}
	kib := uint32(divUp(bytes, 1024))
	c, err := s.connection()
	if err != nil {
		return err
	}
	free := func(sizes []uint32, cell int) ([]uint64, error) {
		var ret libvirt.NodeGetFreePagesRet
		err := c.call(proto.ProcNodeGetFreePages, &libvirt.NodeGetFreePagesArgs{Pages: sizes, StartCell: int32(cell), CellCount: 1}, &ret)
		return ret.Counts, err
	}
	if pc.Bool("all") {
		caps, err := c.hostTopology()
		if err != nil {
			return failed(err, "unable to get node capabilities")
		}
		sizes := []uint32{kib}
		if !hasSize {
			sizes = nil
			var pages []libvirtxml.CapsHostCPUPageSize
			if caps.Host.CPU != nil {
				pages = caps.Host.CPU.PageSizes
			}
			for _, p := range pages {
				sizes = append(sizes, uint32(p.Size))
			}
			if len(sizes) == 0 {
				return cmdErrorf("could not get information about supported page sizes")
			}
		}
		if caps.Host.NUMA == nil || caps.Host.NUMA.Cells == nil {
			return nil
		}
		for _, cl := range caps.Host.NUMA.Cells.Cells {
			counts, err := free(sizes, cl.ID)
			if err != nil {
				return err
			}
			s.printf("Node %d:\n", cl.ID)
			for i, size := range sizes {
				if i < len(counts) {
					s.printf("%dKiB: %d\n", size, counts[i])
				}
			}
			s.print("\n")
		}
		return nil
	}
	cell, hasCell, err := pc.Int("cellno")
	if err != nil {
		return err
	}
	if !hasCell {
		return cmdErrorf("missing cellno argument")
	}
	if cell < -1 {
		return cmdErrorf("cell number must be non-negative integer or -1")
	}
	if !hasSize {
		return cmdErrorf("missing pagesize argument")
	}
	counts, err := free([]uint32{kib}, cell)
	if err != nil {
		return err
	}
	if len(counts) > 0 {
		s.printf("%dKiB: %d\n", kib, counts[0])
	}
	return nil
}

func cmdNodeSuspend() *CmdDef {
	return &CmdDef{
		Name: "nodesuspend", Group: "host",
		Help: "suspend the host node for a given time duration",
		Desc: "Suspend the host node for a given time duration and attempt to resume thereafter.",
		Opts: []OptDef{
			{Name: "target", Type: OptData, Required: true, Help: "mem(Suspend-to-RAM), disk(Suspend-to-Disk), hybrid(Hybrid-Suspend)"},
			{Name: "duration", Type: OptInt, Required: true, Help: "Suspend duration in seconds, at least 60"},
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			target, _, err := pc.String("target")
			if err != nil {
				return err
			}
			o, _ := pc.find("duration")
			duration, perr := strconv.ParseInt(strings.TrimSpace(o.data), 10, 64)
			if perr != nil {
				return numericError(o.data, "duration")
			}
			t := map[string]uint32{"mem": 0, "disk": 1, "hybrid": 2}
			tv, ok := t[target]
			if !ok {
				return cmdErrorf("Invalid target")
			}
			if duration < 0 {
				return cmdErrorf("Invalid duration")
			}
			c, err := s.connection()
			if err != nil {
				return err
			}
			if err := c.call(proto.ProcNodeSuspendForDuration, &libvirt.NodeSuspendForDurationArgs{Target: tv, Duration: uint64(duration)}, nil); err != nil {
				return failed(err, "The host was not suspended")
			}
			return nil
		},
	}
}

// processSignals are virDomainProcessSignal's names, by number.
var processSignals = []string{"nop", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill",
	"usr1", "segv", "usr2", "pipe", "alrm", "term", "stkflt", "chld", "cont", "stop", "tstp", "ttin",
	"ttou", "urg", "xcpu", "xfsz", "vtalrm", "prof", "winch", "poll", "pwr", "sys"}

// signalNumber is virsh's getSignalNumber: a number, or a name with or
// without "sig"/"sig_" in any case.
func signalNumber(name string) int {
	if n, err := ParseInt(name); err == nil {
		return n
	}
	p := strings.ToLower(name)
	if rest, ok := strings.CutPrefix(p, "sig_"); ok {
		p = rest
	} else if rest, ok := strings.CutPrefix(p, "sig"); ok {
		p = rest
	}
	for i, s := range processSignals {
		if s == p {
			return i
		}
	}
	if rest, ok := strings.CutPrefix(p, "rt"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 0 && n <= 32 && strconv.Itoa(n) == rest {
			return 32 + n
		}
	}
	return -1
}

func cmdSendProcessSignal() *CmdDef {
	return &CmdDef{
		Name: "send-process-signal", Group: "domain",
		Help: "Send signals to processes",
		Desc: "Send signals to processes in the guest",
		Opts: []OptDef{
			optDomainFull(),
			{Name: "pid", Type: OptData, Required: true, Help: "the process ID"},
			{Name: "signame", Type: OptData, Required: true, Help: "the signal number or name"},
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			o, _ := pc.find("pid")
			pid, perr := strconv.ParseInt(strings.TrimSpace(o.data), 10, 64)
			if perr != nil {
				return numericError(o.data, "pid")
			}
			name, _, err := pc.String("signame")
			if err != nil {
				return err
			}
			sig := signalNumber(name)
			if sig < 0 {
				return cmdErrorf("malformed signal name: %s", name)
			}
			return s.conn.call(proto.ProcDomainSendProcessSignal, &libvirt.DomainSendProcessSignalArgs{Dom: dom, PidValue: pid, Signum: uint32(sig)}, nil)
		},
	}
}

func cmdDomHostname() *CmdDef {
	return &CmdDef{
		Name: "domhostname", Group: "domain",
		Help: "print the domain's hostname",
		Opts: []OptDef{
			optDomainFull(),
			{Name: "source", Type: OptString, NamedOnly: true, Help: "address source: 'lease' or 'agent'"},
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			var flags libvirt.DomainGetHostnameFlags
			if src, ok, _ := pc.String("source"); ok {
				switch src {
				case "lease":
					flags = 1
				case "agent":
					flags = 2
				default:
					return cmdErrorf("Unknown data source '%s'", src)
				}
			}
			var ret libvirt.DomainGetHostnameRet
			if err := s.conn.call(proto.ProcDomainGetHostname, &libvirt.DomainGetHostnameArgs{Dom: dom, Flags: flags}, &ret); err != nil {
				return failed(err, "failed to get hostname")
			}
			s.printf("%s\n", ret.Hostname)
			return nil
		},
	}
}

func cmdCPUStats() *CmdDef {
	return &CmdDef{
		Name: "cpu-stats", Group: "domain",
		Help: "show domain cpu statistics",
		Desc: "Display per-CPU and total statistics about the domain's CPUs",
		Opts: []OptDef{
			optDomainFull(),
			optBool("total", "Show total statistics only"),
			{Name: "start", Type: OptInt, NamedOnly: true, Help: "Show statistics from this CPU"},
			{Name: "count", Type: OptInt, NamedOnly: true, Help: "Number of shown CPUs at most"},
		},
		Run: runCPUStats,
	}
}

func runCPUStats(s *Session, pc *ParsedCmd) error {
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	showTotal, showPer := pc.Bool("total"), false
	cpu, hasStart, err := pc.Int("start")
	if err != nil {
		return err
	}
	if hasStart {
		if cpu < 0 {
			return cmdErrorf("Invalid value for start CPU")
		}
		showPer = true
	}
	count, hasCount, err := pc.Int("count")
	if err != nil {
		return err
	}
	if !hasCount {
		count = -1
	} else {
		if count < 0 {
			return cmdErrorf("Invalid value for number of CPUs to show")
		}
		showPer = true
	}
	if !showTotal && !showPer {
		showTotal, showPer = true, true
	}
	get := func(n uint32, start int32, ncpus uint32) (libvirt.DomainGetCPUStatsRet, error) {
		var ret libvirt.DomainGetCPUStatsRet
		err := s.conn.call(proto.ProcDomainGetCPUStats, &libvirt.DomainGetCPUStatsArgs{Dom: dom, Nparams: n, StartCPU: start, Ncpus: ncpus}, &ret)
		return ret, err
	}
	statsFailed := func(err error) error {
		return failed(err, "Failed to retrieve CPU statistics for domain '%s'", dom.Name)
	}
	if showPer {
		r, err := get(0, 0, 0)
		if err != nil {
			return statsFailed(err)
		}
		maxID := int(r.Nparams)
		if cpu >= maxID {
			return cmdErrorf("Start CPU %d is out of range (min: 0, max: %d)", cpu, maxID-1)
		}
		if count < 0 || count > maxID {
			if count > maxID {
				s.printf("Only %d CPUs available to show\n", maxID)
			}
			count = maxID - cpu
		}
		r, err = get(0, 0, 1)
		if err != nil {
			return statsFailed(err)
		}
		n := r.Nparams
		if n == 0 {
			s.print("No per-CPU stats available")
		} else {
			for count > 0 {
				ncpus := min(count, 128)
				r, err := get(uint32(n), int32(cpu), uint32(ncpus))
				if err != nil {
					return statsFailed(err)
				}
				for i := 0; i*int(n) < len(r.Params) && i < ncpus; i++ {
					s.printf("CPU%d:\n", cpu+i)
					for _, p := range r.Params[i*int(n) : min(len(r.Params), (i+1)*int(n))] {
						s.printCPUStat(p)
					}
				}
				cpu += ncpus
				count -= ncpus
			}
		}
		if !showTotal || n == 0 && !showTotal {
			return nil
		}
	}
	r, err := get(0, -1, 1)
	if err != nil {
		return statsFailed(err)
	}
	if r.Nparams == 0 {
		s.print("No total stats available")
		return nil
	}
	r, err = get(uint32(r.Nparams), -1, 1)
	if err != nil {
		return statsFailed(err)
	}
	s.print("Total:\n")
	for _, p := range r.Params {
		s.printCPUStat(p)
	}
	return nil
}

// printCPUStat is virshCPUStatsPrint: times in seconds, others as they are.
func (s *Session) printCPUStat(p libvirt.TypedParam) {
	s.printf("\t%-12s ", p.Field)
	if v, ok := p.Value.I.(uint64); ok && (p.Field == "cpu_time" || p.Field == "vcpu_time" || p.Field == "user_time" || p.Field == "system_time") {
		s.printf("%9d.%09d seconds\n", v/1000000000, v%1000000000)
		return
	}
	s.printf("%s\n", ParamValue(p))
}

// blkStatFields are domblkstat's rows: the typed parameter, its legacy
// name and its --human label.
var blkStatFields = []struct{ field, legacy, human string }{
	{"rd_operations", "rd_req", "number of read operations:"},
	{"rd_bytes", "rd_bytes", "number of bytes read:"},
	{"wr_operations", "wr_req", "number of write operations:"},
	{"wr_bytes", "wr_bytes", "number of bytes written:"},
	{"errs", "errs", "error count:"},
	{"flush_operations", "", "number of flush operations:"},
	{"rd_total_times", "", "total duration of reads (ns):"},
	{"wr_total_times", "", "total duration of writes (ns):"},
	{"flush_total_times", "", "total duration of flushes (ns):"},
}

func cmdDomblkstat() *CmdDef {
	return &CmdDef{
		Name: "domblkstat", Group: "monitor",
		Help: "get device block stats for a domain",
		Desc: "Get device block stats for a running domain. See man page or use --human for explanation of fields",
		Opts: []OptDef{
			optDomainFull(),
			{Name: "device", Type: OptString, Help: "block device"},
			optBool("human", "print a more human readable output"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			device, _, err := pc.String("device")
			if err != nil {
				return err
			}
			human := pc.Bool("human")
			var first libvirt.DomainBlockStatsFlagsRet
			if err := s.conn.call(proto.ProcDomainBlockStatsFlags, &libvirt.DomainBlockStatsFlagsArgs{Dom: dom, Path: device}, &first); err != nil {
				return err
			}
			var ret libvirt.DomainBlockStatsFlagsRet
			if err := s.conn.call(proto.ProcDomainBlockStatsFlags, &libvirt.DomainBlockStatsFlagsArgs{Dom: dom, Path: device, Nparams: first.Nparams}, &ret); err != nil {
				return failed(err, "Failed to get block stats for domain '%s' device '%s'", dom.Name, device)
			}
			shown := device
			if human {
				s.printf("Device: %s\n", device)
				shown = ""
			}
			width := 0
			if human {
				width = 31
			}
			done := map[string]bool{}
			for _, f := range blkStatFields {
				for _, p := range ret.Params {
					if p.Field != f.field {
						continue
					}
					label := f.field
					switch {
					case human:
						label = f.human
					case f.legacy != "":
						label = f.legacy
					}
					s.printf("%s %-*s %s\n", shown, width, label, ParamValue(p))
					done[p.Field] = true
				}
			}
			for _, p := range ret.Params {
				if !done[p.Field] {
					s.printf("%s %-*s %s\n", shown, width, p.Field, ParamValue(p))
				}
			}
			return nil
		},
	}
}

// memStatNames are dommemstat's labels by virDomainMemoryStatTags.
var memStatNames = map[int32]string{0: "swap_in", 1: "swap_out", 2: "major_fault", 3: "minor_fault", 4: "unused",
	5: "available", 6: "actual", 7: "rss", 8: "usable", 9: "last_update", 10: "disk_caches",
	11: "hugetlb_pgalloc", 12: "hugetlb_pgfail"}

func cmdDommemstat() *CmdDef {
	return &CmdDef{
		Name: "dommemstat", Group: "monitor",
		Help: "get memory statistics for a domain",
		Desc: "Get memory statistics for a running domain.",
		Opts: append([]OptDef{optDomainFull(),
			{Name: "period", Type: OptInt, NamedOnly: true, Help: "period in seconds to set collection"}},
			optConfigLiveCurrent()...),
		Run: func(s *Session, pc *ParsedCmd) error {
			flags, current, err := affectFlags(pc)
			if err != nil {
				return err
			}
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			if !current && flags == 0 {
				var active libvirt.DomainIsActiveRet
				if err := s.conn.call(proto.ProcDomainIsActive, &libvirt.DomainIsActiveArgs{Dom: dom}, &active); err == nil && active.Active == 1 {
					flags |= 1
				}
			}
			period, hasPeriod, err := pc.Int("period")
			if err != nil {
				return err
			}
			if hasPeriod {
				if period < 0 {
					return cmdErrorf("Invalid collection period value '%d'", period)
				}
				err := s.conn.call(proto.ProcDomainSetMemoryStatsPeriod, &libvirt.DomainSetMemoryStatsPeriodArgs{Dom: dom, Period: int32(period), Flags: libvirt.DomainMemoryModFlags(flags)}, nil)
				if err != nil {
					return failed(err, "Unable to change balloon collection period.")
				}
				return nil
			}
			var ret libvirt.DomainMemoryStatsRet
			if err := s.conn.call(proto.ProcDomainMemoryStats, &libvirt.DomainMemoryStatsArgs{Dom: dom, MaxStats: 13}, &ret); err != nil {
				return failed(err, "Failed to get memory statistics for domain %s", dom.Name)
			}
			for _, st := range ret.Stats {
				if name, ok := memStatNames[st.Tag]; ok {
					s.printf("%s %d\n", name, st.Val)
				}
			}
			return nil
		},
	}
}

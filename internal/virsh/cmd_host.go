package virsh

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// LibraryVersion is the libvirt version virtlxc's client speaks for
// (major*1000000 + minor*1000 + release), reported by "version" where
// virsh reports its library's.
const LibraryVersion = 9000000

func splitVersion(v uint64) (uint64, uint64, uint64) {
	return v / 1000000, v / 1000 % 1000, v % 1000
}

func hostCmd(name, help, desc string, opts []OptDef, run func(*Session, *ParsedCmd) error) *CmdDef {
	return &CmdDef{Name: name, Group: "host", Help: help, Desc: desc, Opts: opts, Run: run}
}

func cmdVersion() *CmdDef {
	return hostCmd("version", "show version", "Display the system version information.",
		[]OptDef{optBool("daemon", "report daemon version too")}, runVersion)
}

func runVersion(s *Session, pc *ParsedCmd) error {
	ma, mi, re := splitVersion(LibraryVersion)
	s.printf("Compiled against library: libvirt %d.%d.%d\n", ma, mi, re)
	s.printf("Using library: libvirt %d.%d.%d\n", ma, mi, re)
	var typ libvirt.ConnectGetTypeRet
	if err := s.conn.call(proto.ProcConnectGetType, nil, &typ); err != nil {
		return failed(err, "failed to get hypervisor type")
	}
	s.printf("Using API: %s %d.%d.%d\n", typ.Type, ma, mi, re)
	var hv libvirt.ConnectGetVersionRet
	if err := s.conn.call(proto.ProcConnectGetVersion, nil, &hv); err != nil {
		return failed(err, "failed to get the hypervisor version")
	}
	if hv.HvVer == 0 {
		s.printf("Cannot extract running %s hypervisor version\n", typ.Type)
	} else {
		a, b, c := splitVersion(hv.HvVer)
		s.printf("Running hypervisor: %s %d.%d.%d\n", typ.Type, a, b, c)
	}
	if pc.Bool("daemon") {
		var lib libvirt.ConnectGetLibVersionRet
		if err := s.conn.call(proto.ProcConnectGetLibVersion, nil, &lib); err != nil {
			return failed(err, "failed to get the daemon version")
		}
		a, b, c := splitVersion(lib.LibVer)
		s.printf("Running against daemon: %d.%d.%d\n", a, b, c)
	}
	return nil
}

func cmdURI() *CmdDef {
	return hostCmd("uri", "print the hypervisor canonical URI", "", nil, func(s *Session, pc *ParsedCmd) error {
		s.printf("%s\n", s.URI)
		return nil
	})
}

func cmdHostname() *CmdDef {
	return hostCmd("hostname", "print the hypervisor hostname", "", nil, func(s *Session, pc *ParsedCmd) error {
		var ret libvirt.ConnectGetHostnameRet
		if err := s.conn.call(proto.ProcConnectGetHostname, nil, &ret); err != nil {
			return failed(err, "failed to get hostname")
		}
		s.printf("%s\n", ret.Hostname)
		return nil
	})
}

// NodeInfo is the answer to NODE_GET_INFO, as "nodeinfo" prints it.
type NodeInfo struct {
	Model                                 string
	MemoryKiB                             uint64
	CPUs, MHz, Nodes, Sockets, Cores, Thr int32
}

// FormatNodeInfo renders "nodeinfo" output.
func FormatNodeInfo(n NodeInfo) string {
	var b lineBuilder
	b.f("%-20s %s\n", "CPU model:", n.Model)
	b.f("%-20s %d\n", "CPU(s):", n.CPUs)
	if n.MHz != 0 {
		b.f("%-20s %d MHz\n", "CPU frequency:", n.MHz)
	}
	b.f("%-20s %d\n", "CPU socket(s):", n.Sockets)
	b.f("%-20s %d\n", "Core(s) per socket:", n.Cores)
	b.f("%-20s %d\n", "Thread(s) per core:", n.Thr)
	b.f("%-20s %d\n", "NUMA cell(s):", n.Nodes)
	b.f("%-20s %d KiB\n", "Memory size:", n.MemoryKiB)
	return b.String()
}

func cmdNodeinfo() *CmdDef {
	return hostCmd("nodeinfo", "node information", "Returns basic information about the node.", nil,
		func(s *Session, pc *ParsedCmd) error {
			var ret libvirt.NodeGetInfoRet
			if err := s.conn.call(proto.ProcNodeGetInfo, nil, &ret); err != nil {
				return failed(err, "failed to get node information")
			}
			model := make([]int8, len(ret.Model))
			copy(model, ret.Model[:])
			s.print(FormatNodeInfo(NodeInfo{Model: cString(model), MemoryKiB: ret.Memory, CPUs: ret.Cpus,
				MHz: ret.Mhz, Nodes: ret.Nodes, Sockets: ret.Sockets, Cores: ret.Cores, Thr: ret.Threads}))
			return nil
		})
}

func cmdCapabilities() *CmdDef {
	return hostCmd("capabilities", "capabilities", "Returns capabilities of hypervisor/driver.", nil,
		func(s *Session, pc *ParsedCmd) error {
			var ret libvirt.ConnectGetCapabilitiesRet
			if err := s.conn.call(proto.ProcConnectGetCapabilities, nil, &ret); err != nil {
				return failed(err, "failed to get capabilities")
			}
			s.printf("%s\n", ret.Capabilities)
			return nil
		})
}

func cmdSysinfo() *CmdDef {
	return hostCmd("sysinfo", "print the hypervisor sysinfo", "output an XML string for the hypervisor sysinfo, if available", nil,
		func(s *Session, pc *ParsedCmd) error {
			var ret libvirt.ConnectGetSysinfoRet
			if err := s.conn.call(proto.ProcConnectGetSysinfo, &libvirt.ConnectGetSysinfoArgs{}, &ret); err != nil {
				return failed(err, "failed to get sysinfo")
			}
			s.print(ret.Sysinfo)
			return nil
		})
}

package hostinfo

import "fmt"

// Info is libvirt's virNodeInfo, the NODE_GET_INFO reply. (It cannot share
// the name of the NodeInfo function that computes it.)
type Info struct {
	Model   string // host architecture, e.g. "x86_64" (char model[32] on the wire)
	Memory  uint64 // KiB
	CPUs    uint32 // active CPUs
	MHz     uint32
	Nodes   uint32 // NUMA nodes
	Sockets uint32 // per node
	Cores   uint32 // per socket
	Threads uint32 // per core
}

// NodeInfo computes the node info the way libvirt's
// virCapabilitiesGetNodeInfo does.
//
// Memory is the sum of the NUMA nodes' MemTotal (MemTotal of /proc/meminfo
// without NUMA). The topology follows virHostCPUGetInfoPopulateLinux: each
// node directory is walked for its present CPUs; only online ones count,
// sockets are distinct physical_package_id values, cores the most distinct
// core_id values in a socket, threads the largest thread sibling count; the
// largest figure over nodes is kept. Without node directories (or with no
// CPU in them) /sys/devices/system/cpu is walked as one node. When nodes *
// sockets * cores * threads does not equal the CPU count (online plus
// offline), libvirt reports 1 node, 1 socket, that many cores, 1 thread.
// A host with no CPU at all (libvirt's "no CPUs found") yields zeros.
func NodeInfo(h Host) Info {
	ni := Info{Model: h.Arch, MHz: h.MHz, Memory: totalMemoryKiB(h)}
	if len(ni.Model) > 31 {
		ni.Model = ni.Model[:31]
	}
	present, online := toSet(h.CPUPresent), toSet(h.CPUOnline)
	offline := 0
	var cpus, nodes, sockets, cores, threads int
	for _, n := range h.Nodes {
		nodes++
		c, s, k, t := parseNodeCPUs(h, n.CPUEntries, present, online, &offline)
		cpus += c
		sockets, cores, threads = max(sockets, s), max(cores, k), max(threads, t)
	}
	if cpus == 0 || nodes == 0 {
		cpus, sockets, cores, threads = parseNodeCPUs(h, h.CPUDirs, present, online, &offline)
		nodes = 1
	}
	if cpus == 0 || sockets == 0 || threads == 0 {
		return ni
	}
	if nodes*sockets*cores*threads != cpus+offline {
		nodes, sockets, cores, threads = 1, 1, cpus+offline, 1
	}
	ni.CPUs, ni.Nodes = uint32(cpus), uint32(nodes)
	ni.Sockets, ni.Cores, ni.Threads = uint32(sockets), uint32(cores), uint32(threads)
	return ni
}

// parseNodeCPUs is libvirt's virHostCPUParseNode over the CPU ids listed in
// a node (or cpu) directory. It returns the online CPU count, sockets, most
// cores in a socket and most threads in a core, and adds present but offline
// CPUs to *offline.
func parseNodeCPUs(h Host, entries []int, present, online map[int]bool, offline *int) (cpus, sockets, cores, threads int) {
	coresBySocket := map[int]map[int]bool{}
	for _, cpu := range entries {
		if !present[cpu] {
			continue
		}
		if !online[cpu] {
			*offline++
			continue
		}
		cpus++
		t := h.topology(cpu)
		core := t.Core
		if len(h.Arch) >= 4 && h.Arch[:4] == "s390" {
			core = cpu // a logical CPU is a core on s390
		}
		if coresBySocket[t.Socket] == nil {
			coresBySocket[t.Socket] = map[int]bool{}
		}
		coresBySocket[t.Socket][core] = true
		threads = max(threads, len(h.siblings(cpu)))
	}
	for _, cs := range coresBySocket {
		cores = max(cores, len(cs))
	}
	return cpus, len(coresBySocket), cores, threads
}

// totalMemoryKiB is libvirt's virHostMemGetInfo total: the sum of the NUMA
// nodes' MemTotal, or /proc/meminfo's MemTotal without NUMA.
func totalMemoryKiB(h Host) uint64 {
	if !h.NUMA {
		return h.Meminfo.TotalKiB
	}
	var sum uint64
	for _, n := range h.Nodes {
		sum += n.MemTotalKiB
	}
	return sum
}

// FreeMemory is the NODE_GET_FREE_MEMORY answer in bytes, libvirt's
// virHostMemGetInfo free figure: the sum of the NUMA nodes' MemFree (what
// libnuma's numa_node_size64 reports), or /proc/meminfo's MemFree without
// NUMA.
func FreeMemory(h Host) uint64 {
	if !h.NUMA {
		return h.Meminfo.FreeKiB * 1024
	}
	var sum uint64
	for _, n := range h.Nodes {
		sum += n.MemFreeKiB * 1024
	}
	return sum
}

// CellsFreeMemory is the NODE_GET_CELLS_FREE_MEMORY answer: free bytes of
// up to maxCells NUMA cells from startCell (libvirt's
// virHostMemGetCellsFree). Without NUMA there is one cell, 0, with
// /proc/meminfo's MemFree. Missing cells between existing ones report 0.
func CellsFreeMemory(h Host, startCell, maxCells int) ([]uint64, error) {
	if !h.NUMA {
		if startCell != 0 {
			return nil, fmt.Errorf("start cell %d out of range (0-0)", startCell)
		}
		return []uint64{h.Meminfo.FreeKiB * 1024}, nil
	}
	free := map[int]uint64{}
	maxCell := 0
	for _, n := range h.Nodes {
		free[n.ID] = n.MemFreeKiB * 1024
		maxCell = max(maxCell, n.ID)
	}
	if startCell < 0 || startCell > maxCell {
		return nil, fmt.Errorf("start cell %d out of range (0-%d)", startCell, maxCell)
	}
	last := min(startCell+maxCells-1, maxCell)
	var out []uint64
	for n := startCell; n <= last; n++ {
		out = append(out, free[n])
	}
	return out, nil
}

func toSet(ids []int) map[int]bool {
	m := make(map[int]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

package hostinfo

// Host is a snapshot of the host facts the LXC driver reports. Read fills it
// from /proc and /sys; every other function in the package is a pure
// function of it. Memory figures are in KiB, page sizes in KiB.
type Host struct {
	// Arch is the host architecture in libvirt's spelling ("x86_64", "i686",
	// "aarch64"...), from /proc/sys/kernel/arch or uname.
	Arch string
	// UUID is the host UUID (see hostUUID); UUIDSource says where it came
	// from: UUIDFromSMBIOS, UUIDFromMachineID or UUIDRandom.
	UUID       string
	UUIDSource string
	// PageSizeKiB is the system page size.
	PageSizeKiB uint64
	// HugePageSizesKiB lists /sys/kernel/mm/hugepages/hugepages-*kB, sorted.
	HugePageSizesKiB []uint64
	// IOMMU is true when /sys/kernel/iommu_groups has an entry.
	IOMMU bool
	// PowerTargets lists supported suspend targets by libvirt name
	// ("suspend_mem", "suspend_disk", "suspend_hybrid"). libvirt asks
	// systemd-logind or pm-is-supported; Read does neither and leaves it
	// empty, which is what libvirt finds on hosts without them.
	PowerTargets []string
	// Meminfo holds the /proc/meminfo figures.
	Meminfo Meminfo
	// MHz is the CPU frequency as libvirt parses it from /proc/cpuinfo.
	MHz uint32
	// CPUPresent and CPUOnline are /sys/devices/system/cpu/{present,online}.
	CPUPresent []int
	CPUOnline  []int
	// CPUDirs are the ids of the cpuN directories in /sys/devices/system/cpu.
	CPUDirs []int
	// CPUs holds the topology of every CPU that has a topology directory.
	CPUs map[int]CPUTopology
	// NUMA is true when /sys/devices/system/node lists nodes, i.e. when
	// libnuma, and so libvirt, sees a NUMA topology. Nodes are sorted by ID.
	NUMA  bool
	Nodes []Node
	// Caches are the CPU cache banks of level 3 and above, deduplicated and
	// sorted by level then id, as libvirt's virCapabilitiesInitCaches keeps
	// them.
	Caches []CacheBank
}

// Meminfo holds the /proc/meminfo figures libvirt uses, in KiB.
type Meminfo struct {
	TotalKiB   uint64
	FreeKiB    uint64
	BuffersKiB uint64
	CachedKiB  uint64
}

// CPUTopology is one CPU's /sys/devices/system/cpu/cpuN/topology, with
// libvirt's defaults for absent files: socket, die and core 0.
type CPUTopology struct {
	Socket int // physical_package_id; -1 (no sockets) reads as 0
	Die    int // die_id; -1 reads as 0
	Core   int // core_id
	// Siblings is thread_siblings_list; nil when the file is absent, which
	// libvirt treats as "the CPU is its own only sibling".
	Siblings []int
}

// Node is one /sys/devices/system/node/nodeN directory.
type Node struct {
	ID int
	// CPUs is the node's cpumap, the set libnuma's numa_node_to_cpus gives
	// libvirt's capabilities code.
	CPUs []int
	// CPUEntries are the cpuN links in the node directory, which libvirt's
	// node info code walks.
	CPUEntries []int
	// MemTotalKiB and MemFreeKiB come from the node's meminfo, as read by
	// libnuma's numa_node_size64.
	MemTotalKiB uint64
	MemFreeKiB  uint64
	// Distances is the node's distance file: entry i is the distance to
	// node i (libnuma's reading), 0 meaning none.
	Distances []int
	// HugePages are the node's huge page pools, sorted by size.
	HugePages []PagePool
}

// PagePool is a huge page pool: page size and number of pages
// (nr_hugepages).
type PagePool struct {
	SizeKiB uint64
	Count   uint64
}

// CacheBank is one CPU cache as libvirt reports it in <cache><bank>.
type CacheBank struct {
	ID    uint64
	Level uint64
	// Type is libvirt's name for the kernel cache type: "both" (Unified),
	// "code" (Instruction) or "data" (Data).
	Type      string
	SizeBytes uint64
	CPUs      []int // shared_cpu_list
}

// topology returns cpu's topology with libvirt's defaults when the CPU has
// no topology directory (an offline CPU, for one).
func (h Host) topology(cpu int) CPUTopology {
	if t, ok := h.CPUs[cpu]; ok {
		return t
	}
	return CPUTopology{}
}

// siblings returns cpu's thread siblings, itself alone when unknown.
func (h Host) siblings(cpu int) []int {
	if s := h.topology(cpu).Siblings; s != nil {
		return s
	}
	return []int{cpu}
}

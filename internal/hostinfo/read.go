package hostinfo

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

const (
	sysCPU  = "sys/devices/system/cpu"
	sysNode = "sys/devices/system/node"
)

// Read takes a snapshot of the host from the /proc and /sys files under
// root ("" means "/"; tests pass a directory holding copies of those files
// at the same relative paths). It fails only when /proc/meminfo or
// cpu/present cannot be read; other missing files leave libvirt's defaults.
func Read(root string) (Host, error) {
	if root == "" {
		root = "/"
	}
	r := reader{root: root}
	var h Host

	mi, err := r.read("proc/meminfo")
	if err != nil {
		return h, err
	}
	m := parseMeminfo(mi)
	h.Meminfo = Meminfo{m["MemTotal"], m["MemFree"], m["Buffers"], m["Cached"]}

	h.Arch = r.arch()
	smbios := []string{r.readQuiet("sys/devices/virtual/dmi/id/product_uuid"), r.readQuiet("sys/class/dmi/id/product_uuid")}
	h.UUID, h.UUIDSource = hostUUID(smbios, r.readQuiet("etc/machine-id"))
	h.PageSizeKiB = uint64(os.Getpagesize() / 1024)
	h.HugePageSizesKiB = pagePools(r, "sys/kernel/mm/hugepages")
	h.IOMMU = len(r.entries("sys/kernel/iommu_groups")) > 0
	h.MHz = parseCPUMHz(r.readQuiet("proc/cpuinfo"), h.Arch)

	present, err := r.read(sysCPU + "/present")
	if err != nil {
		return h, err
	}
	if h.CPUPresent, err = parseCPUList(present); err != nil {
		return h, err
	}
	h.CPUOnline, _ = parseCPUList(r.readQuiet(sysCPU + "/online"))
	h.CPUDirs = r.numbered(sysCPU, "cpu")
	h.CPUs = map[int]CPUTopology{}
	for _, id := range h.CPUDirs {
		if t, ok := r.cpuTopology(id); ok {
			h.CPUs[id] = t
		}
	}
	for _, id := range r.numbered(sysNode, "node") {
		h.Nodes = append(h.Nodes, r.node(id))
	}
	h.NUMA = len(h.Nodes) > 0
	h.Caches = mergeCacheBanks(r.cacheBanks(h.CPUOnline))
	return h, nil
}

var i386Re = regexp.MustCompile(`^i[3-6]86$`)

type reader struct{ root string }

func (r reader) path(rel string) string { return filepath.Join(r.root, rel) }

func (r reader) read(rel string) (string, error) {
	b, err := os.ReadFile(r.path(rel))
	return string(b), err
}

// readQuiet returns the file's content, or "" when it cannot be read.
func (r reader) readQuiet(rel string) string {
	s, _ := r.read(rel)
	return s
}

// readInt reads a file holding one integer; ok is false when it is absent
// or malformed.
func (r reader) readInt(rel string) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSpace(r.readQuiet(rel)))
	return v, err == nil
}

func (r reader) entries(rel string) []string {
	des, _ := os.ReadDir(r.path(rel))
	names := make([]string, len(des))
	for i, de := range des {
		names[i] = de.Name()
	}
	return names
}

// numbered returns the sorted N of the PREFIXN entries of a directory.
func (r reader) numbered(rel, prefix string) []int {
	var ids []int
	for _, name := range r.entries(rel) {
		if n, ok := strings.CutPrefix(name, prefix); ok && n != "" {
			if id, err := strconv.Atoi(n); err == nil && id >= 0 && strconv.Itoa(id) == n {
				ids = append(ids, id)
			}
		}
	}
	sort.Ints(ids)
	return ids
}

// arch returns the host architecture like libvirt's virArchFromHost.
func (r reader) arch() string {
	machine := strings.TrimSpace(r.readQuiet("proc/sys/kernel/arch"))
	if machine == "" {
		var u unix.Utsname
		if unix.Uname(&u) == nil {
			machine = unix.ByteSliceToString(u.Machine[:])
		}
	}
	switch {
	case i386Re.MatchString(machine):
		return "i686"
	case machine == "amd64":
		return "x86_64"
	}
	return machine
}

func (r reader) cpuTopology(id int) (CPUTopology, bool) {
	dir := fmt.Sprintf("%s/cpu%d/topology", sysCPU, id)
	if _, err := os.Stat(r.path(dir)); err != nil {
		return CPUTopology{}, false
	}
	var t CPUTopology
	if v, ok := r.readInt(dir + "/physical_package_id"); ok && v > 0 {
		t.Socket = v
	}
	if v, ok := r.readInt(dir + "/die_id"); ok && v > 0 {
		t.Die = v
	}
	if v, ok := r.readInt(dir + "/core_id"); ok && v > 0 {
		t.Core = v
	}
	if s, err := r.read(dir + "/thread_siblings_list"); err == nil {
		t.Siblings, _ = parseCPUList(s)
		if t.Siblings == nil {
			t.Siblings = []int{}
		}
	}
	return t, true
}

func (r reader) node(id int) Node {
	dir := fmt.Sprintf("%s/node%d", sysNode, id)
	n := Node{ID: id, CPUEntries: r.numbered(dir, "cpu")}
	n.CPUs, _ = parseCPUMask(r.readQuiet(dir + "/cpumap"))
	m := parseMeminfo(r.readQuiet(dir + "/meminfo"))
	n.MemTotalKiB, n.MemFreeKiB = m["MemTotal"], m["MemFree"]
	for _, f := range strings.Fields(r.readQuiet(dir + "/distance")) {
		d, _ := strconv.Atoi(f)
		n.Distances = append(n.Distances, d)
	}
	for _, size := range pagePools(r, dir+"/hugepages") {
		count, _ := r.readInt(fmt.Sprintf("%s/hugepages/hugepages-%dkB/nr_hugepages", dir, size))
		n.HugePages = append(n.HugePages, PagePool{SizeKiB: size, Count: uint64(max(count, 0))})
	}
	return n
}

// pagePools returns the sorted sizes of the hugepages-NkB entries of dir.
func pagePools(r reader, dir string) []uint64 {
	var sizes []uint64
	for _, name := range r.entries(dir) {
		rest, ok := strings.CutPrefix(name, "hugepages-")
		if !ok || len(rest) < 3 || !strings.EqualFold(rest[len(rest)-2:], "kB") {
			continue
		}
		if v, err := strconv.ParseUint(rest[:len(rest)-2], 10, 64); err == nil {
			sizes = append(sizes, v)
		}
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	return sizes
}

// cacheBanks reads every online CPU's caches of level 3 and above; entries
// with unreadable or unknown attributes are skipped.
func (r reader) cacheBanks(online []int) []CacheBank {
	kinds := map[string]string{"Unified": "both", "Instruction": "code", "Data": "data"}
	var banks []CacheBank
	for _, cpu := range online {
		dir := fmt.Sprintf("%s/cpu%d/cache", sysCPU, cpu)
		for _, name := range r.entries(dir) {
			if !strings.HasPrefix(name, "index") {
				continue
			}
			p := dir + "/" + name
			level, ok1 := r.readInt(p + "/level")
			id, ok2 := r.readInt(p + "/id")
			kind, ok3 := kinds[strings.TrimSpace(r.readQuiet(p+"/type"))]
			size, err := parseScaledSize(r.readQuiet(p + "/size"))
			cpus, err2 := parseCPUList(r.readQuiet(p + "/shared_cpu_list"))
			if !ok1 || level < 3 || !ok2 || id < 0 || !ok3 || err != nil || err2 != nil {
				continue
			}
			banks = append(banks, CacheBank{ID: uint64(id), Level: uint64(level), Type: kind, SizeBytes: size, CPUs: cpus})
		}
	}
	return banks
}

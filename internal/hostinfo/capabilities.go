package hostinfo

import (
	"fmt"
	"slices"
	"sort"
)

// DefaultEmulator is where Debian's libvirt 9.0 keeps the LXC controller,
// the <emulator> the reference capabilities show.
const DefaultEmulator = "/usr/lib/libvirt/libvirt_lxc"

// Capabilities returns libvirt's capabilities XML for the LXC driver
// (lxcCapsInit + virCapabilitiesFormatXML), byte for byte, ending in
// "</capabilities>\n". emulator is the controller path given to both guests;
// secModel is the security driver name ("none", "apparmor", "selinux"; ""
// means "none"), reported with DOI 0 and no base label.
func Capabilities(h Host, emulator, secModel string) string {
	return CapabilitiesWithBaseLabel(h, emulator, secModel, "")
}

// CapabilitiesWithBaseLabel is Capabilities with the security driver's base
// label for LXC domains (for SELinux, the policy's lxc_contexts process
// label), shown as <baselabel type='lxc'> when not empty.
func CapabilitiesWithBaseLabel(h Host, emulator, secModel, baseLabel string) string {
	var b xmlBuf
	b.line("<capabilities>")
	b.blank()
	b.in()
	formatHost(&b, h, secModel, baseLabel)
	for _, arch := range []string{h.Arch, alt32BitArch(h.Arch)} {
		if arch == "" {
			continue
		}
		b.line("<guest>")
		b.in()
		b.line("<os_type>exe</os_type>")
		b.line("<arch name='%s'>", esc(arch))
		b.in()
		b.line("<wordsize>%d</wordsize>", wordSize(arch))
		if emulator != "" {
			b.line("<emulator>%s</emulator>", esc(emulator))
		}
		b.line("<domain type='lxc'/>")
		b.out()
		b.line("</arch>")
		b.out()
		b.line("</guest>")
		b.blank()
	}
	b.out()
	b.line("</capabilities>")
	return b.String()
}

func formatHost(b *xmlBuf, h Host, secModel, baseLabel string) {
	b.line("<host>")
	b.in()
	if h.UUID != "" {
		b.line("<uuid>%s</uuid>", h.UUID)
	}
	b.line("<cpu>")
	b.in()
	if h.Arch != "" {
		b.line("<arch>%s</arch>", esc(h.Arch))
	}
	for _, size := range append([]uint64{h.PageSizeKiB}, h.HugePageSizesKiB...) {
		b.line("<pages unit='KiB' size='%d'/>", size)
	}
	b.out()
	b.line("</cpu>")
	if targets := powerTargets(h.PowerTargets); len(targets) > 0 {
		b.line("<power_management>")
		b.in()
		for _, t := range targets {
			b.line("<%s/>", t)
		}
		b.out()
		b.line("</power_management>")
	} else {
		b.line("<power_management/>")
	}
	b.line("<iommu support='%s'/>", map[bool]string{true: "yes", false: "no"}[h.IOMMU])
	formatTopology(b, h)
	if len(h.Caches) > 0 {
		b.line("<cache>")
		b.in()
		for _, c := range h.Caches {
			size, unit := formatIntPretty(c.SizeBytes)
			b.line("<bank id='%d' level='%d' type='%s' size='%d' unit='%s' cpus='%s'/>",
				c.ID, c.Level, c.Type, size, unit, formatCPUList(c.CPUs))
		}
		b.out()
		b.line("</cache>")
	}
	if secModel == "" {
		secModel = "none"
	}
	b.line("<secmodel>")
	b.in()
	b.line("<model>%s</model>", esc(secModel))
	b.line("<doi>0</doi>")
	if baseLabel != "" {
		b.line("<baselabel type='lxc'>%s</baselabel>", esc(baseLabel))
	}
	b.out()
	b.line("</secmodel>")
	b.out()
	b.line("</host>")
	b.blank()
}

// cell is one <cell> of the host NUMA topology.
type cell struct {
	id        int
	memKiB    uint64
	pages     []PagePool
	distances []int
	cpus      []cellCPU
}

type cellCPU struct {
	id, socket, die, core int
	siblings              []int
}

func formatTopology(b *xmlBuf, h Host) {
	cells := numaCells(h)
	b.line("<topology>")
	b.in()
	b.line("<cells num='%d'>", len(cells))
	b.in()
	for _, c := range cells {
		b.line("<cell id='%d'>", c.id)
		b.in()
		if c.memKiB != 0 {
			b.line("<memory unit='KiB'>%d</memory>", c.memKiB)
		}
		for _, p := range c.pages {
			b.line("<pages unit='KiB' size='%d'>%d</pages>", p.SizeKiB, p.Count)
		}
		var sib []string
		for id, d := range c.distances {
			if d != 0 {
				sib = append(sib, fmt.Sprintf("<sibling id='%d' value='%d'/>", id, d))
			}
		}
		b.element("distances", "", sib)
		var cpus []string
		for _, cpu := range c.cpus {
			cpus = append(cpus, fmt.Sprintf("<cpu id='%d' socket_id='%d' die_id='%d' core_id='%d' siblings='%s'/>",
				cpu.id, cpu.socket, cpu.die, cpu.core, formatCPUList(cpu.siblings)))
		}
		b.element("cpus", fmt.Sprintf(" num='%d'", len(c.cpus)), cpus)
		b.out()
		b.line("</cell>")
	}
	b.out()
	b.line("</cells>")
	b.out()
	b.line("</topology>")
}

// numaCells builds the cells like virCapabilitiesHostNUMANewHost: one per
// NUMA node (libvirt's InitReal), or with no NUMA a single fake cell 0 laid
// out from the node info (InitFake: no pages, no distances).
func numaCells(h Host) []cell {
	if !h.NUMA {
		return []cell{fakeCell(h)}
	}
	var cells []cell
	for _, n := range h.Nodes {
		c := cell{id: n.ID, memKiB: n.MemTotalKiB, distances: n.Distances}
		if h.PageSizeKiB != 0 {
			c.pages = append(c.pages, PagePool{h.PageSizeKiB, n.MemTotalKiB / h.PageSizeKiB})
		}
		c.pages = append(c.pages, n.HugePages...)
		sort.SliceStable(c.pages, func(i, j int) bool { return c.pages[i].SizeKiB < c.pages[j].SizeKiB })
		for _, id := range n.CPUs {
			t := h.topology(id)
			c.cpus = append(c.cpus, cellCPU{id, t.Socket, t.Die, t.Core, h.siblings(id)})
		}
		cells = append(cells, c)
	}
	return cells
}

func fakeCell(h Host) cell {
	ni := NodeInfo(h)
	c := cell{id: 0, memKiB: ni.Memory}
	online := toSet(h.CPUOnline)
	id := 0
	for s := 0; s < int(ni.Sockets); s++ {
		for k := 0; k < int(ni.Cores); k++ {
			var siblings []int
			for t := 0; t < int(ni.Threads); t++ {
				siblings = append(siblings, id+t)
			}
			for range ni.Threads {
				if online[id] || len(h.CPUOnline) == 0 {
					c.cpus = append(c.cpus, cellCPU{id: id, socket: s, core: k, siblings: siblings})
				}
				id++
			}
		}
	}
	return c
}

// mergeCacheBanks drops duplicate banks (every CPU sharing a cache lists it)
// and sorts them by level then id, as virCapabilitiesInitCaches does.
func mergeCacheBanks(banks []CacheBank) []CacheBank {
	var out []CacheBank
	for _, b := range banks {
		if !slices.ContainsFunc(out, func(o CacheBank) bool {
			return o.ID == b.ID && o.Level == b.Level && o.Type == b.Type &&
				o.SizeBytes == b.SizeBytes && slices.Equal(o.CPUs, b.CPUs)
		}) {
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Level != out[j].Level {
			return out[i].Level < out[j].Level
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// powerTargets keeps the known suspend targets in libvirt's order.
func powerTargets(in []string) []string {
	var out []string
	for _, t := range []string{"suspend_mem", "suspend_disk", "suspend_hybrid"} {
		if slices.Contains(in, t) {
			out = append(out, t)
		}
	}
	return out
}

// alt32BitArch is libvirt's lxcContainerGetAlt32bitArch: the 32-bit
// personality a 64-bit host can run, "" when none.
func alt32BitArch(arch string) string {
	return map[string]string{
		"x86_64": "i686", "s390x": "s390", "ppc64": "ppc", "parisc64": "parisc",
		"sparc64": "sparc", "mips64": "mips", "mips64el": "mipsel", "aarch64": "armv7l",
	}[arch]
}

// wordSize is libvirt's virArchGetWordSize.
func wordSize(arch string) int {
	switch arch {
	case "i686", "armv6l", "armv7l", "armv7b", "ppc", "ppcle", "s390", "parisc",
		"sparc", "mips", "mipsel", "cris", "lm32", "m68k", "microblaze",
		"microblazeel", "or32", "sh4", "sh4eb", "unicore32", "xtensa",
		"xtensaeb", "riscv32":
		return 32
	}
	return 64
}

package hostinfo

import (
	"strings"
	"testing"
)

// twoNodeHost is a synthetic two-socket, two-node SMT host: CPUs 0-7 with
// two threads per core, CPU 7 offline (no topology directory), node 0 with
// 2 MiB huge pages, an IOMMU and two L3 caches next to L1/L2 ones.
func twoNodeHost(t *testing.T) Host {
	t.Helper()
	const c, n = "sys/devices/system/cpu/", "sys/devices/system/node/"
	files := merge(
		cpuFiles(0, 0, 0, "0-1"), cpuFiles(1, 0, 0, "0-1"),
		cpuFiles(2, 0, 1, "2-3"), cpuFiles(3, 0, 1, "2-3"),
		cpuFiles(4, 1, 0, "4-5"), cpuFiles(5, 1, 0, "4-5"), cpuFiles(6, 1, 1, "6"),
		map[string]string{
			"proc/meminfo":                   "MemTotal: 3100 kB\nMemFree: 600 kB\n",
			"proc/cpuinfo":                   "processor\t: 0\ncpu MHz\t\t: 1200.500\nprocessor\t: 1\ncpu MHz\t\t: 3400.000\n",
			"proc/sys/kernel/arch":           "x86_64\n",
			"etc/machine-id":                 "0123456789abcdef0123456789abcdef\n",
			"sys/kernel/iommu_groups/0/type": "DMA\n",
			"sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "5\n",
			c + "present": "0-7\n", c + "online": "0-6\n", c + "cpu7/online": "0\n",
			n + "node0/cpumap": "0f\n", n + "node0/distance": "10 20\n",
			n + "node0/meminfo": "Node 0 MemTotal: 1000 kB\nNode 0 MemFree: 400 kB\n",
			n + "node0/hugepages/hugepages-2048kB/nr_hugepages": "5\n",
			n + "node1/cpumap": "000000f0\n", n + "node1/distance": "20 10\n",
			n + "node1/meminfo": "Node 1 MemTotal: 2000 kB\nNode 1 MemFree: 100 kB\n",
		})
	for cpu := 0; cpu < 8; cpu++ {
		files[n+"node"+string(rune('0'+cpu/4))+"/cpu"+string(rune('0'+cpu))] = ""
		idx := c + "cpu" + string(rune('0'+cpu)) + "/cache/"
		id, shared := "0", "0-3"
		if cpu >= 4 {
			id, shared = "1", "4-7"
		}
		files[idx+"index2/level"], files[idx+"index2/id"] = "2\n", string(rune('0'+cpu))+"\n"
		files[idx+"index2/type"], files[idx+"index2/size"] = "Unified\n", "1024K\n"
		files[idx+"index2/shared_cpu_list"] = string(rune('0'+cpu)) + "\n"
		files[idx+"index3/level"], files[idx+"index3/id"] = "3\n", id+"\n"
		files[idx+"index3/type"], files[idx+"index3/size"] = "Unified\n", "16384K\n"
		files[idx+"index3/shared_cpu_list"] = shared + "\n"
	}
	h, err := Read(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	h.PageSizeKiB = 4
	return h
}

func TestTwoNodeCapabilities(t *testing.T) {
	h := twoNodeHost(t)
	h.PowerTargets = []string{"suspend_disk", "suspend_mem"}
	got := CapabilitiesWithBaseLabel(h, "/opt/lxc&co/libvirt_lxc", "selinux", "system_u:system_r:svirt_lxc_net_t:s0")
	want := `<capabilities>

  <host>
    <uuid>01234567-89ab-cdef-0123-456789abcdef</uuid>
    <cpu>
      <arch>x86_64</arch>
      <pages unit='KiB' size='4'/>
      <pages unit='KiB' size='2048'/>
    </cpu>
    <power_management>
      <suspend_mem/>
      <suspend_disk/>
    </power_management>
    <iommu support='yes'/>
    <topology>
      <cells num='2'>
        <cell id='0'>
          <memory unit='KiB'>1000</memory>
          <pages unit='KiB' size='4'>250</pages>
          <pages unit='KiB' size='2048'>5</pages>
          <distances>
            <sibling id='0' value='10'/>
            <sibling id='1' value='20'/>
          </distances>
          <cpus num='4'>
            <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>
            <cpu id='1' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>
            <cpu id='2' socket_id='0' die_id='0' core_id='1' siblings='2-3'/>
            <cpu id='3' socket_id='0' die_id='0' core_id='1' siblings='2-3'/>
          </cpus>
        </cell>
        <cell id='1'>
          <memory unit='KiB'>2000</memory>
          <pages unit='KiB' size='4'>500</pages>
          <distances>
            <sibling id='0' value='20'/>
            <sibling id='1' value='10'/>
          </distances>
          <cpus num='4'>
            <cpu id='4' socket_id='1' die_id='0' core_id='0' siblings='4-5'/>
            <cpu id='5' socket_id='1' die_id='0' core_id='0' siblings='4-5'/>
            <cpu id='6' socket_id='1' die_id='0' core_id='1' siblings='6'/>
            <cpu id='7' socket_id='0' die_id='0' core_id='0' siblings='7'/>
          </cpus>
        </cell>
      </cells>
    </topology>
    <cache>
      <bank id='0' level='3' type='both' size='16' unit='MiB' cpus='0-3'/>
      <bank id='1' level='3' type='both' size='16' unit='MiB' cpus='4-7'/>
    </cache>
    <secmodel>
      <model>selinux</model>
      <doi>0</doi>
      <baselabel type='lxc'>system_u:system_r:svirt_lxc_net_t:s0</baselabel>
    </secmodel>
  </host>

  <guest>
    <os_type>exe</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/opt/lxc&amp;co/libvirt_lxc</emulator>
      <domain type='lxc'/>
    </arch>
  </guest>

  <guest>
    <os_type>exe</os_type>
    <arch name='i686'>
      <wordsize>32</wordsize>
      <emulator>/opt/lxc&amp;co/libvirt_lxc</emulator>
      <domain type='lxc'/>
    </arch>
  </guest>

</capabilities>
`
	diffLines(t, got, want)
}

func TestTwoNodeInfoAndMemory(t *testing.T) {
	h := twoNodeHost(t)
	// 7 online + 1 offline = 2 nodes * 1 socket * 2 cores * 2 threads; the
	// last "cpu MHz" line wins, its fraction dropped; memory sums the nodes.
	want := Info{Model: "x86_64", Memory: 3000, CPUs: 7, MHz: 3400, Nodes: 2, Sockets: 1, Cores: 2, Threads: 2}
	if got := NodeInfo(h); got != want {
		t.Errorf("NodeInfo = %+v, want %+v", got, want)
	}
	if got := FreeMemory(h); got != 500*1024 {
		t.Errorf("FreeMemory = %d, want %d", got, 500*1024)
	}
	cells, err := CellsFreeMemory(h, 1, 5)
	if err != nil || len(cells) != 1 || cells[0] != 100*1024 {
		t.Errorf("CellsFreeMemory(1, 5) = %v, %v", cells, err)
	}
	if _, err := CellsFreeMemory(h, 2, 1); err == nil || err.Error() != "start cell 2 out of range (0-1)" {
		t.Errorf("CellsFreeMemory(2, 1) error = %v", err)
	}
}

// TestFakeNUMA covers a host without /sys/devices/system/node: one fake
// cell laid out from the node info, memory from /proc/meminfo, no pages or
// distances, CPU ids numbered socket by socket, core by core.
func TestFakeNUMA(t *testing.T) {
	root := writeTree(t, merge(
		cpuFiles(0, 0, 0, "0,2"), cpuFiles(1, 0, 1, "1,3"),
		cpuFiles(2, 0, 0, "0,2"), cpuFiles(3, 0, 1, "1,3"),
		map[string]string{
			"proc/meminfo":                   "MemTotal: 8000 kB\nMemFree: 1000 kB\n",
			"proc/sys/kernel/arch":           "aarch64\n",
			"proc/cpuinfo":                   "cpu MHz : 999.0\n",
			"sys/devices/system/cpu/present": "0-3\n",
			"sys/devices/system/cpu/online":  "0-3\n",
		}))
	h, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Model: "aarch64", Memory: 8000, CPUs: 4, MHz: 0, Nodes: 1, Sockets: 1, Cores: 2, Threads: 2}
	if got := NodeInfo(h); got != want {
		t.Errorf("NodeInfo = %+v, want %+v", got, want)
	}
	caps := Capabilities(h, DefaultEmulator, "apparmor")
	topo := caps[strings.Index(caps, "    <topology>"):strings.Index(caps, "    <secmodel>")]
	diffLines(t, topo, `    <topology>
      <cells num='1'>
        <cell id='0'>
          <memory unit='KiB'>8000</memory>
          <cpus num='4'>
            <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>
            <cpu id='1' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>
            <cpu id='2' socket_id='0' die_id='0' core_id='1' siblings='2-3'/>
            <cpu id='3' socket_id='0' die_id='0' core_id='1' siblings='2-3'/>
          </cpus>
        </cell>
      </cells>
    </topology>
`)
	for _, s := range []string{"<model>apparmor</model>", "<arch name='armv7l'>\n      <wordsize>32</wordsize>", "<power_management/>"} {
		if !strings.Contains(caps, s) {
			t.Errorf("capabilities lack %q:\n%s", s, caps)
		}
	}
	if free, _ := CellsFreeMemory(h, 0, 8); len(free) != 1 || free[0] != 1000*1024 || FreeMemory(h) != 1000*1024 {
		t.Errorf("free memory %v / %d", free, FreeMemory(h))
	}
	if _, err := CellsFreeMemory(h, 1, 1); err == nil {
		t.Error("CellsFreeMemory(1, 1) without NUMA succeeded")
	}
}

// TestTopologyFallback covers libvirt's "lie about the topology" rule: when
// nodes*sockets*cores*threads is not the CPU count, report cores = CPUs.
func TestTopologyFallback(t *testing.T) {
	root := writeTree(t, merge(
		cpuFiles(0, 0, 0, "0"), cpuFiles(1, 0, 1, "1-2"), cpuFiles(2, 0, 2, "1-2"),
		map[string]string{
			"proc/meminfo":                   "MemTotal: 100 kB\n",
			"proc/sys/kernel/arch":           "ppc64le\n",
			"proc/cpuinfo":                   "clock\t\t: 2900.000000MHz\n",
			"sys/devices/system/cpu/present": "0-2\n",
			"sys/devices/system/cpu/online":  "0-2\n",
		}))
	h, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Model: "ppc64le", Memory: 100, CPUs: 3, MHz: 2900, Nodes: 1, Sockets: 1, Cores: 3, Threads: 1}
	if got := NodeInfo(h); got != want {
		t.Errorf("NodeInfo = %+v, want %+v", got, want)
	}
	if caps := Capabilities(h, DefaultEmulator, "none"); strings.Count(caps, "<guest>") != 1 {
		t.Errorf("ppc64le has no 32-bit LXC personality, got:\n%s", caps)
	}
}

package hostinfo

import (
	"encoding/xml"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// capsDoc is the part of the capabilities XML the live test checks.
type capsDoc struct {
	UUID  string `xml:"host>uuid"`
	Arch  string `xml:"host>cpu>arch"`
	Cells []struct {
		CPUs []struct {
			ID int `xml:"id,attr"`
		} `xml:"cpus>cpu"`
	} `xml:"host>topology>cells>cell"`
	Guests []struct {
		Arch struct {
			Name string `xml:"name,attr"`
		} `xml:"arch"`
	} `xml:"guest"`
}

// TestReadLive reads this machine and checks the answers hang together.
func TestReadLive(t *testing.T) {
	h, err := Read("")
	if err != nil {
		t.Fatal(err)
	}
	if h.Arch == "" || h.Meminfo.TotalKiB == 0 || len(h.CPUOnline) == 0 || h.PageSizeKiB == 0 {
		t.Fatalf("incomplete snapshot: %+v", h)
	}
	ni := NodeInfo(h)
	if ni.Model != h.Arch || ni.Memory == 0 || int(ni.CPUs) != len(h.CPUOnline) {
		t.Errorf("NodeInfo = %+v with %d online CPUs", ni, len(h.CPUOnline))
	}
	if ni.Nodes*ni.Sockets*ni.Cores*ni.Threads < ni.CPUs {
		t.Errorf("NodeInfo topology %+v does not cover its CPUs", ni)
	}
	if free := FreeMemory(h); free == 0 || free > ni.Memory*1024 {
		t.Errorf("FreeMemory = %d, total %d KiB", free, ni.Memory)
	}
	if cells, err := CellsFreeMemory(h, 0, 64); err != nil || len(cells) == 0 {
		t.Errorf("CellsFreeMemory = %v, %v", cells, err)
	}

	caps := Capabilities(h, DefaultEmulator, "none")
	var doc capsDoc
	if err := xml.Unmarshal([]byte(caps), &doc); err != nil {
		t.Fatalf("capabilities do not parse: %v\n%s", err, caps)
	}
	if u, ok := parseUUID(doc.UUID); !ok || !validUUID(u) || doc.UUID != h.UUID {
		t.Errorf("host uuid %q (source %s)", doc.UUID, h.UUIDSource)
	}
	if doc.Arch != h.Arch || len(doc.Guests) == 0 || doc.Guests[0].Arch.Name != h.Arch {
		t.Errorf("arch %q, guests %+v, want %q", doc.Arch, doc.Guests, h.Arch)
	}
	ncpus := 0
	for _, c := range doc.Cells {
		ncpus += len(c.CPUs)
	}
	if len(doc.Cells) == 0 || ncpus < len(h.CPUOnline) {
		t.Errorf("%d cells with %d CPUs for %d online CPUs", len(doc.Cells), ncpus, len(h.CPUOnline))
	}
}

// numbers matches the figures that legitimately differ between hosts of
// the same kind: the host UUID, memory sizes, page counts, the cache size.
var numbers = regexp.MustCompile(`<uuid>[^<]*</uuid>|(<memory unit='KiB'>|<pages unit='KiB' size='\d+'>)\d+|size='\d+' unit='[KMG]?i?B'`)

// TestLiveMatchesReference compares this machine's capabilities with the
// reference host's, masking the figures above, when this machine is of the
// reference kind (same architecture, CPUs, NUMA layout and page sizes).
func TestLiveMatchesReference(t *testing.T) {
	h, err := Read("")
	if err != nil {
		t.Fatal(err)
	}
	ref := readSnapshot(t)
	refNI, ni := NodeInfo(ref), NodeInfo(h)
	refNI.Memory, refNI.MHz, ni.Memory, ni.MHz = 0, 0, 0, 0
	if ni != refNI || h.PageSizeKiB != 4 || len(h.HugePageSizesKiB) != len(ref.HugePageSizesKiB) {
		t.Skipf("this machine (%+v) is not of the reference kind (%+v)", ni, refNI)
	}
	want, err := os.ReadFile("testdata/reference/capabilities.xml")
	if err != nil {
		t.Fatal(err)
	}
	mask := func(s string) string { return numbers.ReplaceAllString(s, "#") }
	diffLines(t, mask(Capabilities(h, DefaultEmulator, "none")+"\n\n"), mask(string(want)))
}

// TestVersionLive checks HypervisorVersion against uname.
func TestVersionLive(t *testing.T) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	want, err := ParseKernelVersion(unix.ByteSliceToString(u.Release[:]))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := HypervisorVersion(); err != nil || got != want || got < 2006000 {
		t.Errorf("HypervisorVersion = %d, %v; want %d", got, err, want)
	}
}

// TestHostnameLive checks Hostname against the kernel's host name: the same
// name or, canonicalised, one starting with it.
func TestHostnameLive(t *testing.T) {
	short, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Hostname()
	if err != nil || !strings.HasPrefix(got, strings.SplitN(short, ".", 2)[0]) && got != short {
		t.Errorf("Hostname = %q, %v; kernel says %q", got, err, short)
	}
}

// TestSysinfoLive checks that Sysinfo agrees with the presence of DMI data.
func TestSysinfoLive(t *testing.T) {
	s := Sysinfo("")
	if _, err := os.Stat("/sys/class/dmi/id"); err != nil {
		if s != "" {
			t.Errorf("no DMI here but Sysinfo = %q", s)
		}
		return
	}
	if !strings.HasPrefix(s, "<sysinfo type='smbios'") {
		t.Errorf("Sysinfo = %q", s)
	}
}

package memtrim

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"virtlxc/internal/testutil"
)

const sample = `00400000-006f8000 r-xp 00000000 fe:00 1234                               /opt/bin/ctl
Size:               3040 kB
Rss:                2968 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
006f8000-00a5d000 r--p 002f8000 fe:00 1234                               /opt/bin/ctl
Rss:                3088 kB
Anonymous:             0 kB
00a5d000-00a86000 rw-p 0065d000 fe:00 1234                               /opt/bin/ctl
Anonymous:            44 kB
00b00000-00b10000 r--p 00700000 fe:00 1234                               /opt/bin/ctl
Anonymous:             8 kB
00c00000-00c10000 r--p 00000000 fe:00 999                                /opt/bin/ctl (deleted)
Anonymous:             0 kB
7f0796f20000-7f0797100000 rw-p 00000000 00:00 0 
Anonymous:           348 kB
7f07ddb63000-7f07ddb64000 r--s 00000000 fe:00 1234                       /opt/bin/ctl
Anonymous:             0 kB
`

func TestParseAndSelect(t *testing.T) {
	maps, err := ParseSmaps(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 7 {
		t.Fatalf("parsed %d mappings: %+v", len(maps), maps)
	}
	if maps[2].Anonymous != 44*1024 || maps[4].Path != "/opt/bin/ctl" || maps[5].Path != "" {
		t.Errorf("parsed: %+v", maps)
	}
	got := Droppable(maps, "/opt/bin/ctl", 1234)
	want := []Mapping{maps[0], maps[1]} // not writable, not copied, not shared, same inode
	if !reflect.DeepEqual(got, want) {
		t.Errorf("droppable:\n%+v\nwant\n%+v", got, want)
	}
	if _, err := ParseSmaps(strings.NewReader("zz-00 r--p 0 fe:00 1 /x\n")); err == nil {
		t.Error("a bad mapping line parsed")
	}
}

// rssFile reads this process's RssFile in KiB.
func rssFile(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "RssFile:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// TestIdleReleasesAndKeepsRunning drops this test binary's own read-only
// pages and goes on running code and reading data from them.
func TestIdleReleasesAndKeepsRunning(t *testing.T) {
	before := rssFile(t)
	released, err := Idle()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFile(t)
	if released == 0 {
		t.Fatal("nothing released: no read-only mapping of the executable found")
	}
	if after >= before {
		t.Errorf("RssFile %d KiB before, %d KiB after releasing %d bytes", before, after, released)
	}
	// Code and read-only data fault back in unchanged.
	if _, err := ParseSmaps(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	if s := strconv.Quote("ok\n"); s != `"ok\n"` {
		t.Errorf("after release: %s", s)
	}
	t.Logf("RssFile %d → %d KiB, %d KiB of mappings released", before, after, released/1024)
}

// TestPristineImage: the static controller build is pristine, a dynamic
// executable is not.
func TestPristineImage(t *testing.T) {
	if pristineImage("/bin/sh") {
		t.Error("/bin/sh (dynamically linked) reported pristine")
	}
	if pristineImage("/nonexistent") {
		t.Error("a missing file reported pristine")
	}
	dir := t.TempDir()
	if err := testutil.GoBuild(dir, false, "./cmd/virtlxc-controller"); err != nil {
		t.Fatalf("building the controller: %v", err)
	}
	out := dir + "/virtlxc-controller"
	if !pristineImage(out) {
		t.Error("the static, non-PIE controller build is not reported pristine")
	}
}

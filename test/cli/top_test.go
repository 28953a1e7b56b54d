package cli

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// topRow finds a domain's row in a frame and returns its %CPU.
func topRow(t *testing.T, frame, name string) (cpu float64, line string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^ *(\S+) +` + regexp.QuoteMeta(name) + ` +(\S+) +([0-9.]+) .*$`)
	m := re.FindStringSubmatch(frame)
	if m == nil {
		t.Fatalf("no row for %s in:\n%s", name, frame)
	}
	cpu, err := strconv.ParseFloat(m[3], 64)
	if err != nil {
		t.Fatal(err)
	}
	return cpu, m[0]
}

func TestTopBatch(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("busy", "while :; do :; done")
	d.startHostRoot("idle", idleScript)
	d.writeFile("off.xml", hostRootXML("off", idleScript))
	d.virtlxc("define", "off.xml")
	r := d.virtlxc("top", "-b", "-n", "2", "-d", "0.5")
	if r.rc != 0 {
		t.Fatal(r)
	}
	frames := strings.Split(r.stdout, "virtlxc top - ")
	if len(frames) != 3 {
		t.Fatalf("want 2 frames:\n%s", r.stdout)
	}
	last := frames[2]
	busy, busyLine := topRow(t, last, "busy")
	idle, _ := topRow(t, last, "idle")
	if busy < 30 || idle > 20 {
		t.Errorf("CPU busy=%.1f idle=%.1f:\n%s", busy, idle, last)
	}
	if !strings.Contains(busyLine, "running") || !strings.Contains(busyLine, "128.0M") {
		t.Errorf("row lacks state or limit: %q", busyLine)
	}
	if strings.Index(last, " busy ") > strings.Index(last, " idle ") {
		t.Errorf("not sorted by CPU:\n%s", last)
	}
	if strings.Contains(last, " off ") {
		t.Errorf("inactive domain listed without --all:\n%s", last)
	}
	if !strings.Contains(last, "2 domains, 2 active, 2 running") {
		t.Errorf("bad summary:\n%s", last)
	}

	r = d.virtlxc("top", "--batch", "--iterations", "1", "--delay", "0.2", "--sort", "name", "--all")
	if r.rc != 0 || !strings.Contains(r.stdout, " off ") {
		t.Fatalf("--all: %s", r)
	}
	if i, j := strings.Index(r.stdout, " busy "), strings.Index(r.stdout, " off "); i > j {
		t.Errorf("not sorted by name:\n%s", r.stdout)
	}
	for _, bad := range [][]string{{"-o", "nosuch"}, {"-d", "0"}, {"-x"}} {
		if r := d.virtlxc(append([]string{"top", "-b", "-n", "1"}, bad...)...); r.rc != 1 || !strings.HasPrefix(r.stderr, "error: ") {
			t.Errorf("top %v: %s", bad, r)
		}
	}
}

func TestTopInteractive(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("ti", idleScript)
	p := startPTY(t, nil, filepath.Join(d.bin, "virtlxc"), "-c", d.uri, "top", "-d", "0.3")
	p.waitFor("sorted by cpu")
	p.send("m")
	p.waitFor("sorted by mem")
	p.send("q")
	if rc := p.wait(); rc != 0 {
		t.Errorf("exit status %d:\n%q", rc, p.output())
	}
	p.restored()
	if !strings.Contains(p.output(), " ti ") {
		t.Errorf("no row for the domain:\n%q", p.output())
	}
}

package cli

import (
	"regexp"
	"strings"
	"testing"
)

// numbers masks figures that change between two calls.
var numbers = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)

// bothFigures runs a command through both clients and compares them with
// every number masked (host and domain statistics move between calls).
func (d *daemon) bothFigures(t *testing.T, args ...string) result {
	t.Helper()
	v, m := d.virsh(args...), d.virtlxc(args...)
	for _, r := range []*result{&v, &m} {
		r.stdout = numbers.ReplaceAllString(r.stdout, "N")
		r.stderr = numbers.ReplaceAllString(r.stderr, "N")
	}
	same(t, strings.Join(args, " "), v, m)
	return m
}

// TestHostStatsMatchVirsh runs the host statistics commands through both
// clients.
func TestHostStatsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, l := range []string{
		"nodecpustats", "nodecpustats --cpu 0", "nodecpustats --cpu 999", "nodecpustats --cpu -5",
		"nodecpustats --cpu x", "nodememstats", "nodememstats --cell 0", "nodememstats --cell 999",
		"nodememstats --cell -3", "nodecpumap", "nodecpumap --pretty", "node-memory-tune",
		"node-memory-tune --shm-pages-to-scan x", "freecell", "freecell --all", "freecell --cellno 0",
		"freecell --cellno 99", "freecell --all --cellno 0", "freepages --all", "freepages --cellno 0 --pagesize 4",
		"freepages --cellno 0 --pagesize 8", "freepages --pagesize 4", "freepages --cellno 0",
		"freepages --cellno 0 --pagesize 4KiB", "freepages", "freepages --all --pagesize 2048", "nodesuspend mem 60", "nodesuspend disk 60", "nodesuspend bogus 60",
		"nodesuspend mem -1", "nodesuspend mem x",
	} {
		d.bothFigures(t, strings.Fields(l)...)
	}
}

// TestDomainStatsMatchVirsh runs the domain statistics and signal
// commands through both clients on twin domains.
func TestDomainStatsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{twinV, twinM} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
	}
	steps := [][]string{
		{"define", "DOM.xml"},
		{"cpu-stats", "DOM"}, {"domblkstat", "DOM"}, {"dommemstat", "DOM"}, {"domhostname", "DOM"},
		{"send-process-signal", "DOM", "1", "0"},
		{"start", "DOM"},
		{"cpu-stats", "DOM"}, {"cpu-stats", "DOM", "--total"}, {"cpu-stats", "DOM", "--start", "1", "--count", "1"},
		{"cpu-stats", "DOM", "--start", "99"}, {"cpu-stats", "DOM", "--count", "99"}, {"cpu-stats", "DOM", "--start", "-1"},
		{"domblkstat", "DOM"}, {"domblkstat", "DOM", "--human"}, {"domblkstat", "DOM", "vda"},
		{"dommemstat", "DOM"}, {"dommemstat", "DOM", "--period", "5"}, {"dommemstat", "DOM", "--period", "-1"},
		{"domhostname", "DOM"}, {"domhostname", "DOM", "--source", "agent"}, {"domhostname", "DOM", "--source", "x"},
		{"send-process-signal", "DOM", "1", "0"}, {"send-process-signal", "DOM", "1", "sig_cont"},
		{"send-process-signal", "DOM", "1", "SIGUSR1"}, {"send-process-signal", "DOM", "1", "rt3"},
		{"send-process-signal", "DOM", "1", "bogus"}, {"send-process-signal", "DOM", "2", "term"},
		{"send-process-signal", "DOM", "x", "term"}, {"send-process-signal", "DOM", "1", "99"},
		{"destroy", "DOM"}, {"undefine", "DOM"},
	}
	for _, s := range steps {
		sub := func(name string) []string {
			out := make([]string, len(s))
			for i, a := range s {
				out[i] = strings.ReplaceAll(a, "DOM", name)
			}
			return out
		}
		v, m := d.virsh(sub(twinV)...), d.virtlxc(sub(twinM)...)
		for _, r := range []*result{&v, &m} {
			r.stdout = numbers.ReplaceAllString(r.stdout, "N")
			r.stderr = numbers.ReplaceAllString(r.stderr, "N")
		}
		same(t, strings.Join(s, " "), v, m, twinV, twinM)
	}
}

// TestDomstatsMatchVirsh runs domstats (virConnectGetAllDomainStats and
// virDomainListGetStats) through both clients on one running and one
// defined domain: groups, list filters (on named domains too), unknown
// names, a group virtlxc does not fill with and without --enforce.
func TestDomstatsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{"dsrun", "dsoff"} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
		if r := d.virtlxc("define", n+".xml"); r.rc != 0 {
			t.Fatal(r)
		}
	}
	if r := d.virtlxc("start", "dsrun"); r.rc != 0 {
		t.Fatal(r)
	}
	for _, l := range []string{
		"domstats", "domstats --state", "domstats --cpu-total --balloon", "domstats dsoff dsrun --state",
		"domstats --list-running", "domstats --list-shutoff --balloon", "domstats --list-paused",
		"domstats --list-running dsoff", "domstats --list-running dsoff dsrun --state",
		"domstats --raw --state dsrun", "domstats nope", "domstats dsrun nope", "domstats --vcpu",
		"domstats --vcpu --enforce", "domstats --state --vcpu --enforce", "domstats --state --foo",
	} {
		d.bothFigures(t, strings.Fields(l)...)
	}
}

// TestTimingMatchesVirsh: -t prints each command's time in place of the
// blank line after it, with -q too, after failures, for several commands
// on one line (times masked).
func TestTimingMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, l := range [][]string{
		{"-t", "list", "--all"}, {"-t", "-q", "list", "--all"}, {"-t", "domstate", "nope"},
		{"-t", "echo a; echo b"}, {"--timing", "version"}, {"-t", "quit"},
	} {
		d.bothFigures(t, l...)
	}
}

package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// virshCommands are the commands virtlxc shares with virsh.
var virshCommands = []string{
	"attach-device", "attach-interface", "autostart", "blkiotune", "capabilities", "console", "cpu-stats", "create", "define", "desc", "destroy", "detach-device", "detach-disk", "detach-interface", "edit",
	"domblkstat", "domhostname", "domid", "dominfo", "dommemstat", "domname", "domstate", "domuuid", "domxml-from-native", "dumpxml", "event", "exit", "help",
	"freecell", "freepages", "hostname", "list", "lxc-enter-namespace", "memtune", "metadata", "net-autostart", "net-define",
	"net-destroy", "net-dumpxml", "net-edit", "net-info", "net-list", "net-start", "net-undefine",
	"node-memory-tune", "nodecpumap", "nodecpustats", "nodeinfo", "nodememstats", "nodesuspend", "quit", "reboot",
	"resume", "schedinfo", "send-process-signal", "setmaxmem", "setmem", "shutdown", "start", "suspend", "sysinfo",
	"undefine", "update-device", "uri", "version",
	"cd", "connect", "echo", "pwd", "net-update", "net-port-list", "net-port-dumpxml", "net-port-delete",
	"domif-getlink", "domif-setlink", "net-port-create", "domstats",
}

func TestHelpMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, c := range virshCommands {
		d.both(t, "help", c)
		d.both(t, c, "--help")
	}
	d.both(t, "help", "nosuch")
}

func TestHostCommandsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, args := range [][]string{
		{"version"}, {"version", "--daemon"}, {"hostname"}, {"nodeinfo"}, {"uri"},
		{"capabilities"}, {"sysinfo"}, {"list"}, {"list", "--all"}, {"list", "--name"},
	} {
		d.both(t, args...)
	}
}

// TestBuiltinsMatchVirsh: virsh's own commands (echo, pwd, cd, connect).
func TestBuiltinsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, args := range [][]string{
		{"echo", "hello", "world"}, {"echo", "--shell", "a b", "c'd", ""}, {"echo", "--xml", "<a&b>'\"x"},
		{"echo", "--split", "a,b,,c,"}, {"echo"}, {"echo", "--shell", "a", "--xml", "b"}, {"echo", "--err", "oops"},
		{"echo", "--", "--x"}, {"pwd"}, {"cd", "/tmp"}, {"connect"}, {"connect", "--readonly"},
	} {
		d.both(t, args...)
	}
	d.both(t, "echo a; pwd; echo b")
}

func TestParseErrorsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, line := range []string{
		"start", "start --foo x", "start a b c", "start --domain", "start --console=1 x",
		"start x --domain y", "list a", "list --table --name", "list --table --uuid --id",
		"shutdown", "memtune", "setmem x", "lxc-enter-namespace x", "lxc-enter-namespace",
		"nosuch", "event --all --event lifecycle", "event", "event --event bogus",
		"domstate --reason", "schedinfo", "dumpxml x y", "start -- --console",
		"help start extra data", "event --list --all", "event --all --timeout 0",
	} {
		d.both(t, strings.Fields(line)...)
	}
	// One argument is parsed as a command string, with ';' separating commands.
	d.both(t, "uri; hostname")
	d.both(t, "uri; nosuch")
	d.both(t, "uri 'unterminated")
	d.both(t, `uri "unterminated`)
}

// pair runs the same steps through virsh on one domain and through virtlxc
// on a twin domain, comparing each step with the names masked.
type pair struct {
	t *testing.T
	d *daemon
}

const twinV, twinM = "gva", "gvb"

func (p pair) step(args ...string) {
	p.t.Helper()
	sub := func(name string) []string {
		out := make([]string, len(args))
		for i, a := range args {
			out[i] = strings.ReplaceAll(a, "DOM", name)
		}
		return out
	}
	v := p.d.virsh(sub(twinV)...)
	m := p.d.virtlxc(sub(twinM)...)
	same(p.t, strings.Join(args, " "), v, m, twinV, twinM)
}

func (p pair) waitBoth(state string) {
	p.t.Helper()
	p.d.waitState(twinV, state)
	p.d.waitState(twinM, state)
}

func (p pair) waitGone() {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, n := range []string{twinV, twinM} {
		for p.d.virtlxc("domstate", n).rc == 0 {
			if time.Now().After(deadline) {
				p.t.Fatalf("%s still exists", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func TestLifecycleMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{twinV, twinM} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
	}
	d.writeFile("broken.xml", "<domain type='lxc'>\n  <name>broken</name>\n  <os>\n</domain>\n")
	d.writeFile("noinit.xml", "<domain type='lxc'><name>noinit</name><memory>65536</memory><os><type>exe</type></os></domain>\n")
	p := pair{t, d}
	for _, s := range [][]string{
		{"define", "DOM.xml"},
		{"dominfo", "DOM"}, {"domstate", "DOM"}, {"domstate", "--reason", "DOM"}, {"domid", "DOM"},
		{"dumpxml", "DOM"}, {"dumpxml", "--inactive", "DOM"}, {"dumpxml", "DOM", "--xpath", "/domain/os"},
		{"autostart", "DOM"}, {"dominfo", "DOM"}, {"autostart", "--disable", "DOM"},
		{"memtune", "DOM"}, {"blkiotune", "DOM"}, {"schedinfo", "DOM"},
		{"console", "DOM"}, {"lxc-enter-namespace", "DOM", "--", "/bin/true"},
		{"shutdown", "DOM"}, {"destroy", "DOM"}, {"suspend", "DOM"}, {"resume", "DOM"},
		{"setmem", "DOM", "65536"}, {"setmem", "DOM", "65536", "--current"}, {"setmaxmem", "DOM", "262144"},
		{"schedinfo", "DOM", "cpu_shares=100"}, {"schedinfo", "DOM", "--weight", "5"}, {"schedinfo", "DOM", "5", "6", "a=1"},
		{"start", "DOM", "--paused"}, {"start", "DOM", "--pass-fds", "77"}, {"start", "DOM", "--pass-fds", "x,1"},
		{"start", "DOM"}, {"start", "DOM"},
		{"dominfo", "DOM"}, {"domstate", "--reason", "DOM"}, {"dumpxml", "DOM"},
		{"console", "DOM"},
		{"memtune", "DOM", "--hard-limit", "64M"}, {"memtune", "DOM"},
		{"memtune", "DOM", "--hard-limit", "-1", "--live"}, {"memtune", "DOM", "--hard-limit", "12x"},
		{"memtune", "DOM", "--current", "--live"},
		{"setmem", "DOM", "65536", "--live"}, {"setmem", "DOM", "100000"}, {"setmem", "DOM", "1T"}, {"setmem", "DOM", "12x"},
		{"schedinfo", "DOM", "cpu_shares=300"},
		{"setmem", "DOM", "99999999999999999999"}, {"setmem", "DOM", "9999999999999999k"}, {"memtune", "DOM", "--soft-limit", "99999999999999T"},
		{"setmaxmem", "DOM", "100M"}, {"setmaxmem", "DOM", "100M", "--config"},
		{"schedinfo", "DOM", "--set", "cpu_shares=512", "--live"}, {"schedinfo", "DOM", "--set", "vcpu_quota=abc"},
		{"schedinfo", "DOM", "--set", "nosuch=1"}, {"schedinfo", "DOM", "--set", "cpu_shares"},
		{"schedinfo", "DOM", "--live", "--config"},
		{"blkiotune", "DOM", "--weight", "300"}, {"blkiotune", "DOM", "--weight", "-1"}, {"blkiotune", "DOM"},
		{"shutdown", "DOM", "--mode", "bogus"}, {"reboot", "DOM", "--mode", "acpi,nope"},
		{"shutdown", "DOM", "--mode", "acpi"},
		{"shutdown", "DOM", "--mode", "signal"},
	} {
		p.step(s...)
	}
	p.waitBoth("shut off")
	for _, s := range [][]string{
		{"domstate", "--reason", "DOM"},
		{"start", "DOM", "--autodestroy"},
	} {
		p.step(s...)
	}
	p.waitBoth("shut off")
	for _, s := range [][]string{
		{"domstate", "--reason", "DOM"},
		{"start", "DOM", "--console"}, {"destroy", "DOM"},
		{"start", "DOM"}, {"destroy", "DOM"}, {"domstate", "--reason", "DOM"},
		{"start", "DOM"}, {"undefine", "DOM"}, {"dominfo", "DOM"}, {"destroy", "DOM"},
		{"dominfo", "DOM"}, {"undefine", "DOM"},
		{"create", "DOM.xml"}, {"create", "DOM.xml"}, {"dominfo", "DOM"}, {"dumpxml", "--inactive", "DOM"},
		{"destroy", "DOM"},
		{"create", "DOM.xml", "--console"},
		{"destroy", "DOM"},
		{"create", "DOM.xml", "--autodestroy"},
	} {
		p.step(s...)
	}
	p.waitGone()
	for _, s := range [][]string{
		{"dominfo", "DOM"},
		{"define", "broken.xml"}, {"define", "noinit.xml"}, {"create", "noinit.xml"},
		{"define", "/nonexistent/DOM.xml"}, {"undefine", "noinit"},
		{"define", "--validate", "DOM.xml"}, {"undefine", "DOM", "--nvram", "--keep-nvram"},
		{"undefine", "DOM", "--storage", "vda"}, {"undefine", "DOM"},
	} {
		p.step(s...)
	}
}

func TestListMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{"alpha", "Beta", "gamma-long-name"} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
		if r := d.virtlxc("define", n+".xml"); r.rc != 0 {
			t.Fatal(r)
		}
	}
	d.virtlxc("start", "gamma-long-name")
	d.virtlxc("autostart", "alpha")
	// --title shows titles, not descriptions: one domain with each, one
	// running with a title.
	d.virtlxc("desc", "alpha", "--title", "Alpha title")
	d.virtlxc("desc", "Beta", "a description only")
	d.virtlxc("desc", "gamma-long-name", "--title", "Gamma")
	d.writeFile("tr.xml", hostRootXML("transient1", idleScript))
	d.virtlxc("create", "tr.xml")
	for _, l := range []string{
		"list", "list --all", "list --inactive", "list --all --name", "list --all --uuid",
		"list --all --id", "list --name --uuid --all", "list --id --name --all", "list --all --title",
		"list --persistent --all", "list --transient", "list --autostart --all", "list --no-autostart --all",
		"list --state-running", "list --state-shutoff", "list --state-paused --all", "list --state-other --all",
		"list --all --managed-save", "list --all --table", "list --with-snapshot --all",
		"list --without-managed-save --all",
	} {
		d.both(t, strings.Fields(l)...)
		d.both(t, append([]string{"-q"}, strings.Fields(l)...)...)
	}
}

func TestQuietMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{twinV, twinM} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
	}
	p := pair{t, d}
	for _, s := range [][]string{
		{"-q", "define", "DOM.xml"}, {"-q", "autostart", "DOM"}, {"-q", "autostart", "--disable", "DOM"},
		{"-q", "start", "DOM"}, {"-q", "dominfo", "DOM"}, {"-q", "start", "DOM"},
		{"-q", "memtune", "DOM"}, {"-q", "schedinfo", "DOM"},
		{"-q", "event", "--all", "--timeout", "1"},
		{"-q", "destroy", "DOM"}, {"-q", "undefine", "DOM"}, {"-q", "create", "DOM.xml"},
		{"-q", "shutdown", "DOM", "--mode", "signal"},
	} {
		p.step(s...)
	}
	d.both(t, "-q", "version")
	d.both(t, "-q", "help", "uri")
}

// TestEventsMatchVirsh runs "event" in both clients while a domain goes
// through its life.
func TestEventsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	d.writeFile("ev.xml", hostRootXML("ev", idleScript))
	type listener struct {
		name string
		args []string
		out  chan result
	}
	var ls []listener
	for _, args := range [][]string{
		{"event", "--all", "--loop", "--timeout", "6"},
		{"event", "--event", "lifecycle", "--loop", "--timeout", "6", "--timestamp"},
		{"event", "--domain", "nosuch", "--all"},
		{"event", "--event", "lifecycle", "--timeout", "6"},
	} {
		for _, client := range []string{"virsh", "virtlxc"} {
			l := listener{name: client, args: args, out: make(chan result, 1)}
			go func() {
				if l.name == "virsh" {
					l.out <- d.virsh(l.args...)
				} else {
					l.out <- d.virtlxc(l.args...)
				}
			}()
			ls = append(ls, l)
		}
	}
	// Let every listener connect and register before anything happens.
	time.Sleep(2 * time.Second)
	for _, args := range [][]string{{"define", "ev.xml"}, {"start", "ev"}, {"destroy", "ev"}, {"undefine", "ev"}} {
		if r := d.virtlxc(args...); r.rc != 0 {
			t.Fatal(r)
		}
	}
	for i := 0; i < len(ls); i += 2 {
		v, m := <-ls[i].out, <-ls[i+1].out
		same(t, strings.Join(ls[i].args, " "), v, m)
		if i == 0 && !strings.Contains(m.stdout, "event 'lifecycle' for domain 'ev': Started Booted") {
			t.Errorf("no start event:\n%s", m)
		}
	}
}

// TestConnectErrorsMatchVirsh: URIs the daemon refuses.
func TestConnectErrorsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, uri := range []string{
		"lxc:///foo?socket=" + d.sock, "qemu:///system?socket=" + d.sock, "lxc://?socket=" + d.sock,
		"lxc:///?socket=" + d.sock,
	} {
		for _, args := range [][]string{{"list"}, {"uri"}, {"help", "uri"}} {
			v := run(d.root, nil, virshPath, append([]string{"-c", uri}, args...)...)
			m := run(d.root, nil, filepath.Join(d.bin, "virtlxc"), append([]string{"-c", uri}, args...)...)
			same(t, uri+" "+strings.Join(args, " "), v, m)
		}
	}
}

// TestLookupsMatchVirsh resolves a domain by id, UUID and name in every
// command that restricts how (domid: name or UUID; domname: id or UUID;
// domuuid: id or name).
func TestLookupsMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("lk", idleScript)
	d.writeFile("lk2.xml", hostRootXML("lk2", idleScript))
	d.virtlxc("define", "lk2.xml")
	id := d.domid("lk")
	uuid := strings.TrimSpace(d.virtlxc("domuuid", "lk").stdout)
	for _, cmd := range []string{"domid", "domname", "domuuid", "dominfo", "domstate"} {
		for _, arg := range []string{id, uuid, "lk", "lk2", strings.ReplaceAll(uuid, "-", ""), "99999", "-1"} {
			d.both(t, cmd, arg)
		}
	}
}

// TestGroupOrderMatchesVirsh: each help group lists the commands virtlxc
// shares with virsh in virsh's order.
func TestGroupOrderMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, g := range []string{"domain", "monitor", "events", "host", "network", "virsh"} {
		names := func(r result) []string {
			var out []string
			for _, l := range strings.Split(r.stdout, "\n")[1:] {
				if f := strings.Fields(l); len(f) > 0 {
					out = append(out, f[0])
				}
			}
			return out
		}
		v, m := names(d.virsh("help", g)), names(d.virtlxc("help", g))
		keep := func(list, in []string) []string {
			var out []string
			for _, c := range list {
				if slices.Contains(in, c) {
					out = append(out, c)
				}
			}
			return out
		}
		if a, b := keep(v, m), keep(m, v); !slices.Equal(a, b) {
			t.Errorf("help %s: virsh's order %v, virtlxc's %v", g, a, b)
		}
	}
}

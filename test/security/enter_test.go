package security

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostileXML is a private-root domain whose init is busybox (its /bin/sh
// is the attacker) running script.
func hostileXML(name, root, ctl, script string) string {
	return customXML(name, `<init>/bin/busybox</init><initarg>sh</initarg><initarg>-c</initarg><initarg>`+xmlEscape(script)+`</initarg>`, "",
		rootFS(root, false)+"    <filesystem type='mount'><source dir='"+ctl+"'/><target dir='/mnt/ctl'/></filesystem>\n")
}

// waitFile waits up to 10 s for path to exist.
func waitFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}

// statusOf returns the fields of /proc/PID/status.
func statusOf(t *testing.T, pid int) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// cgroupsOf is /proc/PID/cgroup without the name=systemd line (which
// lxc-enter-namespace leaves, as libvirt does).
func cgroupsOf(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, "name=systemd") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// findByExe returns the process in pid namespace pidNS, other than skip,
// running the host file exe (compared by device and inode: the link's
// text is the container's path).
func findByExe(t *testing.T, pidNS, exe string, skip int) int {
	t.Helper()
	want, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range hostPids() {
		if p == skip {
			continue
		}
		ns, _ := os.Readlink("/proc/" + strconv.Itoa(p) + "/ns/pid")
		if ns != pidNS {
			continue
		}
		if st, err := os.Stat("/proc/" + strconv.Itoa(p) + "/exe"); err == nil && os.SameFile(st, want) {
			return p
		}
	}
	t.Fatalf("no process runs %s in %s", exe, pidNS)
	return 0
}

// hostPids lists the host's processes.
func hostPids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// lxc-enter-namespace into a hostile container: its /bin/sh is a fake
// and its /proc a tmpfs of symlinks. The command it runs there (the fake
// shell, through each of virtlxc's helpers) is, seen from the host, in
// all of init's namespaces (its cgroup namespace too) and cgroups, with
// init's bounding set, seccomp filters and no_new_privs, and none of the
// caller's environment; the "shocker" open_by_handle_at it tries fails.
func TestEnterHostileContainer(t *testing.T) {
	d := startDaemon(t)
	root := busyboxRoot(t)
	a, err := os.ReadFile(attacker(t))
	if err != nil {
		t.Fatal(err)
	}
	sh := filepath.Join(root, "bin", "sh")
	if err := os.Remove(sh); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sh, a, 0o755); err != nil {
		t.Fatal(err)
	}
	ctl := hostDir(t)
	script := `umount -l /proc && mount -t tmpfs hostile /proc && ln -s / /proc/self && ln -s / /proc/thread-self && ` +
		`mkdir /proc/1 && ln -s / /proc/1/root && ln -s /mnt /proc/1/ns && touch /mnt/ctl/hostile; exec busybox sleep 600`
	d.define("hostile", hostileXML("hostile", root, ctl, script))
	waitFile(t, filepath.Join(ctl, "hostile"))
	id, err := d.virtlxc("domid", "hostile")
	if err != nil {
		t.Fatal(err)
	}
	ctrl, _ := strconv.Atoi(strings.TrimSpace(id))
	init := initPid(t, ctrl)
	initNS, _ := os.Readlink("/proc/" + strconv.Itoa(init) + "/ns/pid")
	want := statusOf(t, init)
	for _, r := range []struct{ bin, mode string }{{"virtlxc", "go"}, {"virtlxc", "reexec"}, {"virtlxc-nocgo", "go"}} {
		t.Run(r.bin+"-"+r.mode, func(t *testing.T) {
			os.Remove(filepath.Join(ctl, "ready"))
			os.Remove(filepath.Join(ctl, "stop"))
			cmd := exec.Command(filepath.Join(d.bin, r.bin), "-c", d.uri, "lxc-enter-namespace", "hostile", "--", "/bin/sh", "-c", "id")
			cmd.Env = append(os.Environ(), "VIRTLXC_NSENTER="+r.mode, "VIRTLXC_CANARY=host-secret")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = os.WriteFile(filepath.Join(ctl, "stop"), nil, 0o644)
				if err := cmd.Wait(); err != nil {
					t.Errorf("virtlxc: %v\n%s", err, errb.String())
				}
				if v := values(out.String()); !strings.HasPrefix(v["shocker"], "denied:EPERM") {
					t.Errorf("open_by_handle_at from the entered command: %q, want denied:EPERM\n%s", v["shocker"], out.String())
				}
			}()
			waitFile(t, filepath.Join(ctl, "ready"))
			p := findByExe(t, initNS, sh, init)
			got := statusOf(t, p)
			for _, k := range []string{"Uid", "CapBnd", "Seccomp", "Seccomp_filters", "NoNewPrivs"} {
				if got[k] != want[k] {
					t.Errorf("%s: entered %q, init %q", k, got[k], want[k])
				}
			}
			bnd, _ := strconv.ParseUint(want["CapBnd"], 16, 64)
			for _, k := range []string{"CapEff", "CapPrm", "CapInh", "CapAmb"} {
				if c, _ := strconv.ParseUint(got[k], 16, 64); c&^bnd != 0 {
					t.Errorf("%s %s holds capabilities outside init's bounding set %s", k, got[k], want["CapBnd"])
				}
			}
			for _, ns := range []string{"mnt", "pid", "net", "ipc", "uts", "user", "cgroup"} {
				e, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", p, ns))
				i, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", init, ns))
				if e == "" || e != i {
					t.Errorf("namespace %s: entered %q, init %q", ns, e, i)
				}
			}
			if g, w := cgroupsOf(t, p), cgroupsOf(t, init); g != w {
				t.Errorf("cgroups: entered\n%s\ninit\n%s", g, w)
			}
			env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p))
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range strings.Split(strings.TrimRight(string(env), "\x00"), "\x00") {
				k, _, _ := strings.Cut(kv, "=")
				if !slices.Contains([]string{"PATH", "TERM", "container"}, k) {
					t.Errorf("the entered command's environment holds %q", kv)
				}
			}
		})
	}
}

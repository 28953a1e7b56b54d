package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// TestDaemonFromAStrictShell starts virtlxcd the way a hardened root
// shell or a script's background job may: umask 077, SIGHUP, SIGINT and
// SIGQUIT ignored, in some directory. Its containers still start as under
// a systemd-started libvirtd: umask 022 and no signal ignored; and their
// controllers do not hold that directory.
func TestDaemonFromAStrictShell(t *testing.T) {
	dir := t.TempDir()
	d := startDaemonAfter(t, "umask 077; trap '' HUP INT QUIT; cd "+dir)
	d.startHostRoot("strict", `echo "@@umask=$(umask)"; grep SigIgn /proc/1/status; `+idleScript)
	var log string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if log = d.readLog("strict"); strings.Contains(log, "init-started") {
			break
		}
	}
	if !strings.Contains(log, "@@umask=0022") {
		t.Errorf("init's umask is not 0022:\n%s", log)
	}
	if !strings.Contains(log, "SigIgn:\t0000000000000000") {
		t.Errorf("init inherited ignored signals:\n%s", log)
	}
	if cwd, _ := os.Readlink("/proc/" + d.domid("strict") + "/cwd"); cwd != "/" {
		t.Errorf("the controller's working directory is %q, want / (the daemon's is %s)", cwd, dir)
	}
}

// TestDaemonDetach: `virtlxcd --daemon` with a relative --root, run from
// some directory, answers on the socket under that root once it returns,
// and the detached daemon runs in "/" (daemon(3), libvirtd -d).
func TestDaemonDetach(t *testing.T) {
	testutil.RequireRoot(t)
	bin := binaries(t)
	parent := t.TempDir()
	pidFile := filepath.Join(parent, "d.pid")
	r := run(parent, nil, filepath.Join(bin, "virtlxcd"), "--daemon", "--root", "root", "--pid-file", "d.pid")
	if r.rc != 0 {
		t.Fatalf("virtlxcd --daemon: %s", r)
	}
	data, err := os.ReadFile(pidFile)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || perr != nil {
		t.Fatalf("pid file: %v %v %q", err, perr, data)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if syscall.Kill(pid, 0) != nil {
				return
			}
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
	})
	if c, err := net.Dial("unix", filepath.Join(parent, "root/run/libvirt/virtlxcd-sock")); err != nil {
		t.Errorf("no daemon on the socket under the relative root: %v", err)
	} else {
		c.Close()
	}
	if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); cwd != "/" {
		t.Errorf("the detached daemon runs in %q, want /", cwd)
	}
}

package cli

import (
	"strings"
	"testing"
	"time"
)

// TestDaemonFromAStrictShell starts virtlxcd the way a hardened root
// shell or a script's background job may: umask 077, SIGHUP, SIGINT and
// SIGQUIT ignored. Its containers still start as under a systemd-started
// libvirtd: umask 022 and no signal ignored.
func TestDaemonFromAStrictShell(t *testing.T) {
	d := startDaemonAfter(t, "umask 077; trap '' HUP INT QUIT")
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
}

package sigdefault

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

const helperEnv = "SIGDEFAULT_TEST_HELPER"

// TestMain turns the test binary into the helper when asked: it restores
// (or not) and execs cat of its own status, whose SigIgn the test reads.
func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if mode == "restore" {
			if err := Restore(); err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
				os.Exit(3)
			}
		}
		err := unix.Exec("/bin/cat", []string{"cat", "/proc/self/status"}, os.Environ())
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(4)
	}
	os.Exit(m.Run())
}

// sigIgn runs the helper with SIGHUP, SIGINT and SIGQUIT ignored (as
// nohup and a script's background job leave them) and returns the
// SigIgn mask of the program it execs.
func sigIgn(t *testing.T, mode string) uint64 {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", `trap '' HUP INT QUIT; exec "$0"`, os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no SigIgn in\n%s", out)
	return 0
}

func bit(sig unix.Signal) uint64 { return 1 << (uint(sig) - 1) }

func TestRestore(t *testing.T) {
	// Without Restore, the ignored SIGHUP and SIGINT reach the exec'd
	// program (the Go runtime keeps them; it catches SIGQUIT itself,
	// which execve then resets).
	if got := sigIgn(t, "keep"); got&(bit(unix.SIGHUP)|bit(unix.SIGINT)) != bit(unix.SIGHUP)|bit(unix.SIGINT) {
		t.Fatalf("without Restore SigIgn = %#x; want SIGHUP and SIGINT in it (the case Restore is for)", got)
	}
	if got := sigIgn(t, "restore"); got != 0 {
		t.Errorf("after Restore SigIgn = %#x, want 0", got)
	}
}

func TestIgnored(t *testing.T) {
	if ign, err := Ignored(int(unix.SIGTERM)); err != nil || ign {
		t.Errorf("Ignored(SIGTERM) = %v, %v; want false (the Go runtime catches it)", ign, err)
	}
}

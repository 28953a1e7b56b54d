package sigdefault

import (
	"os"
	"os/exec"
	"runtime"
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
		// This thread execs: block two signals the runtime leaves
		// blockable, as a parent's inherited mask would.
		runtime.LockOSThread()
		var set unix.Sigset_t
		for _, sig := range []unix.Signal{unix.SIGUSR1, unix.SIGWINCH} {
			set.Val[0] |= bit(sig)
		}
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(5)
		}
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

// status runs the helper with SIGHUP, SIGINT and SIGQUIT ignored (as
// nohup and a script's background job leave them) and returns the
// SigIgn and SigBlk masks of the program it execs.
func status(t *testing.T, mode string) (ign, blk uint64) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", `trap '' HUP INT QUIT; exec "$0"`, os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	found := 0
	for _, line := range strings.Split(string(out), "\n") {
		key, v, _ := strings.Cut(line, ":")
		if key != "SigIgn" && key != "SigBlk" {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if key == "SigIgn" {
			ign = n
		} else {
			blk = n
		}
		found++
	}
	if found != 2 {
		t.Fatalf("no SigIgn and SigBlk in\n%s", out)
	}
	return ign, blk
}

func bit(sig unix.Signal) uint64 { return 1 << (uint(sig) - 1) }

func TestRestore(t *testing.T) {
	// Without Restore, the ignored SIGHUP and SIGINT reach the exec'd
	// program (the Go runtime keeps them; it catches SIGQUIT itself,
	// which execve then resets), and so does the thread's blocked set.
	ign, blk := status(t, "keep")
	if want := bit(unix.SIGHUP) | bit(unix.SIGINT); ign&want != want {
		t.Fatalf("without Restore SigIgn = %#x; want SIGHUP and SIGINT in it (the case Restore is for)", ign)
	}
	if want := bit(unix.SIGUSR1) | bit(unix.SIGWINCH); blk&want != want {
		t.Fatalf("without Restore SigBlk = %#x; want SIGUSR1 and SIGWINCH in it", blk)
	}
	if ign, blk := status(t, "restore"); ign != 0 || blk != 0 {
		t.Errorf("after Restore SigIgn = %#x, SigBlk = %#x; want 0 and 0", ign, blk)
	}
}

func TestIgnored(t *testing.T) {
	if ign, err := Ignored(int(unix.SIGTERM)); err != nil || ign {
		t.Errorf("Ignored(SIGTERM) = %v, %v; want false (the Go runtime catches it)", ign, err)
	}
}

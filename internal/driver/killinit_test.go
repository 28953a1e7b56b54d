package driver

import (
	"os"
	"testing"
)

// TestStatParent: the parent pid is found after the command name, which
// may hold spaces and parentheses.
func TestStatParent(t *testing.T) {
	for line, want := range map[string]int{
		"42 (sleep) S 7 42 42 0 -1":         7,
		"42 (a b) (c)) R 1234 42 42 0 -1 4": 1234,
	} {
		got, err := statParent([]byte(line))
		if err != nil || got != want {
			t.Errorf("statParent(%q) = %d, %v; want %d", line, got, err, want)
		}
	}
	for _, bad := range []string{"", "42 sleep S 7", "42 (x)", "42 (x) S y"} {
		if _, err := statParent([]byte(bad)); err == nil {
			t.Errorf("statParent(%q): no error", bad)
		}
	}
	// This process's own line, through /proc.
	if got, err := parentOf(os.Getpid()); err != nil || got != os.Getppid() {
		t.Errorf("parentOf(self) = %d, %v; want %d", got, err, os.Getppid())
	}
}

// TestInitPidfdRefusesOthers: a pid whose parent is not the given
// controller is never signalled.
func TestInitPidfdRefusesOthers(t *testing.T) {
	if fd, ok := initPidfd(os.Getpid(), os.Getpid()); ok {
		t.Fatalf("initPidfd took a process that is not the controller's child (fd %d)", fd)
	}
	if _, ok := initPidfd(0, 1); ok {
		t.Fatal("initPidfd took pid 0")
	}
}

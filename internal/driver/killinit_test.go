package driver

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"virtlxc/internal/paths"
	"virtlxc/internal/testutil"
)

// TestParentOf: this process's parent, through /proc.
func TestParentOf(t *testing.T) {
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

// TestRemoveRunFilesDetachesMeminfo: a dead controller's meminfo mount
// point (here a tmpfs in its place) is detached and removed with the
// domain's other run files.
func TestRemoveRunFilesDetachesMeminfo(t *testing.T) {
	testutil.RequireRoot(t)
	d := &Driver{layout: paths.New(t.TempDir(), ""), log: slog.New(slog.DiscardHandler)}
	fuse := d.layout.FuseDir("dead")
	if err := os.MkdirAll(fuse, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", fuse, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(fuse, unix.MNT_DETACH) })
	d.removeRunFiles("dead")
	if _, err := os.Stat(fuse); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", fuse, err)
	}
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mi), " "+fuse+" ") {
		t.Errorf("%s is still mounted", fuse)
	}
}

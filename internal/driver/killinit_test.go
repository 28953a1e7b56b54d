package driver

import (
	"log/slog"
	"os"
	"testing"

	"virtlxc/internal/paths"
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

// TestRemoveRunFilesRemovesMeminfoDir: a dead controller's meminfo mount
// point (an empty directory: the filesystem is only mounted in the
// container's namespace) goes with the domain's other run files.
func TestRemoveRunFilesRemovesMeminfoDir(t *testing.T) {
	d := &Driver{layout: paths.New(t.TempDir(), ""), log: slog.New(slog.DiscardHandler)}
	fuse := d.layout.FuseDir("dead")
	if err := os.MkdirAll(fuse, 0o700); err != nil {
		t.Fatal(err)
	}
	d.removeRunFiles("dead")
	if _, err := os.Stat(fuse); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", fuse, err)
	}
}

// Package cgthread moves the calling thread between v1 cgroups. It is a
// leaf (only x/sys), so that the init stage binary carries nothing of the
// cgroup manager.
//
// Moving a process into a cgroup (a cgroup.procs write, or a tasks write
// naming any thread) write-locks the kernel's cgroup_threadgroup_rwsem,
// which first waits for an RCU grace period unless another move happened
// just before: 5–14 ms on an idle 2-CPU host, held under cgroup_mutex.
// Moving only the calling thread (writing "0" to a v1 tasks file) takes no
// such lock.
package cgthread

import (
	"fmt"
	"os"
	"path/filepath"
)

// Join moves the calling OS thread (only it: the caller must have locked
// its goroutine to it) into every v1 cgroup directory of dirs.
func Join(dirs []string) error {
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, "tasks"), []byte("0"), 0); err != nil {
			return fmt.Errorf("Failed to move into cgroup %s: %w", dir, err)
		}
	}
	return nil
}

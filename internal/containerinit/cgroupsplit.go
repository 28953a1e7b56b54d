package containerinit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"virtlxc/internal/cgroups"
)

// payloadGroup is the child of the container's cgroup that the container
// runs in, and where its cgroup namespace is rooted.
const payloadGroup = "payload"

// splitControllers are the v1 controllers whose hierarchies get the
// payload group: those where the container lifting its own limits is an
// escape (devices: "a" in devices.allow opens every host device), a
// denial of service against its controller (freezer: freezing it), or
// undoes virtlxc's fork-bomb bound (pids). Memory, CPU and block I/O stay
// as they were, so that programs in the container read their real limits
// in their own cgroup; a container without a user namespace can raise
// those (README, Security).
var splitControllers = []string{"devices", "freezer", "pids"}

// enterPayload moves this process (the init stage, placed in the
// container's group by the controller) into the group's child
// payloadGroup in the v1 hierarchies of splitControllers, before the
// cgroup namespace is created, so that the namespace is rooted there.
// The device policy and the controller itself stay on the group above,
// the pids limit on the payload (movePidsLimit), out of the container's
// reach: without a user namespace the container's root owns the files of
// its cgroup namespace's root, through the mounted hierarchies or a fresh
// cgroup mount. The kernel applies the policy above to the groups below.
//
// Not with a user namespace (the mapped root could not create the
// directory, and owns none of the group's files anyway), nor on the
// unified hierarchy (there the group's controllers are not enabled for a
// child, and the container would lose sight of its limits).
func (s *stage) enterPayload() error {
	if !s.c.NewCgroup || s.c.NewUser {
		return nil
	}
	layout, err := cgroups.Detect()
	if err != nil {
		return fmt.Errorf("Failed to read the cgroup layout: %w", err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, h := range layout.V1 {
		if !slices.ContainsFunc(splitControllers, h.Has) {
			continue
		}
		rel, ok := strings.CutPrefix(h.Self, h.Root)
		if !ok || strings.Trim(rel, "/") == "" {
			continue // not in a group of the controller's in this hierarchy
		}
		group := filepath.Join(h.Mount, rel)
		dir := filepath.Join(group, payloadGroup)
		if err := mkCgroup(dir); err != nil {
			return err
		}
		if h.Has("pids") {
			if dir, err = movePidsLimit(group, dir); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), pid, 0); err != nil {
			return fmt.Errorf("Failed to move into cgroup %s: %w", dir, err)
		}
	}
	return nil
}

// mkCgroup creates a cgroup directory unless it exists.
func mkCgroup(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("Failed to create cgroup %s: %w", dir, err)
	}
	return nil
}

// movePidsLimit moves the group's pids limit down to its payload child
// and returns the payload's own child, "init", for the container: the
// limit then bounds the container alone, not the controller (which stays
// in the group: a fork bomb must not leave it unable to start a thread),
// and still sits out of the container's reach. init gets the same value
// for the container to read.
func movePidsLimit(group, payload string) (string, error) {
	limit, err := os.ReadFile(filepath.Join(group, "pids.max"))
	if err != nil {
		return "", fmt.Errorf("Failed to read the pids limit: %w", err)
	}
	if strings.TrimSpace(string(limit)) == "max" {
		// After a reboot the limit is already down there.
		if v, err := os.ReadFile(filepath.Join(payload, "pids.max")); err == nil {
			limit = v
		}
	}
	inner := filepath.Join(payload, "init")
	if err := mkCgroup(inner); err != nil {
		return "", err
	}
	for _, d := range []string{payload, inner} {
		if err := os.WriteFile(filepath.Join(d, "pids.max"), limit, 0); err != nil {
			return "", fmt.Errorf("Failed to set pids.max of %s: %w", d, err)
		}
	}
	if err := os.WriteFile(filepath.Join(group, "pids.max"), []byte("max"), 0); err != nil {
		return "", fmt.Errorf("Failed to lift the group's pids limit above its payload: %w", err)
	}
	return inner, nil
}

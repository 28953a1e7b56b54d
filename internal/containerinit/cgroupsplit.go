package containerinit

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"virtlxc/internal/cgroups"
)

// payloadGroup is the child of the container's cgroup that the container
// runs in, and where its cgroup namespace is rooted.
const payloadGroup = cgroups.PayloadGroup

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
// the pids limit on the payload (cgroups.MovePidsLimit), out of the container's
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
		if err := cgroups.MakeGroupDir(dir); err != nil {
			return err
		}
		if h.Has("pids") {
			if dir, err = cgroups.MovePidsLimit(group, dir); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), pid, 0); err != nil {
			return fmt.Errorf("Failed to move into cgroup %s: %w", dir, err)
		}
	}
	return nil
}

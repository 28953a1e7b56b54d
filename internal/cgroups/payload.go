package cgroups

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"virtlxc/internal/virerr"
)

// PayloadGroup is the child of a container's group that the container
// runs in where it must not reach its group's own files; its pids limit
// lives there, with the container one level further down ("init").
const PayloadGroup = "payload"

// payloadInit is PayloadGroup's child that holds the container when the
// pids limit was moved down (MovePidsLimit).
const payloadInit = "init"

// MakeGroupDir creates a cgroup directory unless it exists.
func MakeGroupDir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return virerr.Sys(err, "Failed to create cgroup %s", dir)
	}
	return nil
}

// MovePidsLimit moves the v1 pids limit of group down to its payload
// child and returns the payload's own child, "init", for the container:
// the limit then bounds the container alone, not its controller (which
// stays in group: a fork bomb must not leave it unable to start a
// thread), and sits out of the container's reach. init gets the same
// value for the container to read.
func MovePidsLimit(group, payload string) (string, error) {
	limit, err := os.ReadFile(filepath.Join(group, "pids.max"))
	if err != nil {
		return "", virerr.Sys(err, "Failed to read the pids limit")
	}
	if strings.TrimSpace(string(limit)) == "max" {
		// After a reboot the limit is already down there.
		if v, err := os.ReadFile(filepath.Join(payload, "pids.max")); err == nil {
			limit = v
		}
	}
	inner := filepath.Join(payload, payloadInit)
	if err := MakeGroupDir(inner); err != nil {
		return "", err
	}
	for _, d := range []string{payload, inner} {
		if err := os.WriteFile(filepath.Join(d, "pids.max"), limit, 0); err != nil {
			return "", virerr.Sys(err, "Failed to set pids.max of %s", d)
		}
	}
	if err := os.WriteFile(filepath.Join(group, "pids.max"), []byte("max"), 0); err != nil {
		return "", virerr.Sys(err, "Failed to lift the group's pids limit above its payload")
	}
	return inner, nil
}

// ConfinePids puts pid (a container's init stage) under the group's v1
// pids limit moved down to PayloadGroup/init, so that the limit counts
// the container's tasks and not the controller's threads. For a container
// without a user namespace SplitPayload prepares this (and more
// controllers' payloads) and the init stage moves itself there; the
// controller calls ConfinePids for a user-namespaced one, whose mapped
// root could not. On the unified hierarchy nothing changes
// (a group holding the controller cannot delegate controllers to a
// child).
func (g *Group) ConfinePids(pid int) error {
	dir, v := g.dirOf(Pids)
	if dir == "" || v != 1 {
		return nil
	}
	payload := filepath.Join(dir, PayloadGroup)
	if err := MakeGroupDir(payload); err != nil {
		return err
	}
	inner, err := MovePidsLimit(dir, payload)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(inner, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		return virerr.Sys(err, "Failed to move pid %d into cgroup %s", pid, inner)
	}
	return nil
}

// knownDirs are a group's directory in one hierarchy and the payload ones
// virtlxc may make below it, outermost first.
func knownDirs(dir string) []string {
	payload := filepath.Join(dir, PayloadGroup)
	return []string{dir, payload, filepath.Join(payload, payloadInit)}
}

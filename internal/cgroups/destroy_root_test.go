package cgroups

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRootDestroyNested destroys groups the fast way (rmdir of the known
// payload directories) and the slow way (a live process, a group the
// container made): both leave nothing, and the process dies.
func TestRootDestroyNested(t *testing.T) {
	m := newRootManager(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name     string
		live     bool   // a process in the group
		extraDir string // a group the container made, below the group
	}{
		{name: "empty"},
		{name: "live", live: true},
		{name: "nested", extraDir: "mine/deeper"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanupGroup(t, m, tc.name)
			g, err := m.Create(tc.name, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range g.Dirs() {
				if err := os.MkdirAll(filepath.Join(d, PayloadGroup, payloadInit), 0o755); err != nil {
					t.Fatal(err)
				}
				if tc.extraDir != "" {
					if err := os.MkdirAll(filepath.Join(d, tc.extraDir), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}
			var done <-chan struct{}
			if tc.live {
				cmd, ch, _ := startSleep(t)
				done = ch
				if err := g.AddPid(cmd.Process.Pid); err != nil {
					t.Fatal(err)
				}
			}
			if err := g.Destroy(ctx); err != nil {
				t.Fatalf("Destroy: %v", err)
			}
			for _, d := range g.Dirs() {
				if fileExists(d, "") {
					t.Errorf("%s left after Destroy", d)
				}
			}
			if done != nil {
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					t.Error("the group's process survived Destroy")
				}
			}
		})
	}
}

// TestRootStartKill kills a group's process without waiting, where the
// kernel has cgroup.kill.
func TestRootStartKill(t *testing.T) {
	m := newRootManager(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cleanupGroup(t, m, "startkill")
	g, err := m.Create("startkill", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	cmd, done, _ := startSleep(t)
	if err := g.AddPid(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	killed, err := g.StartKill()
	if err != nil {
		t.Fatalf("StartKill: %v", err)
	}
	if !killed {
		if dir, _ := g.V2Dir(); dir == "" {
			t.Skip("no unified hierarchy: StartKill cannot kill (Kill does)")
		}
		t.Skip("the kernel has no cgroup.kill (Linux < 5.14): StartKill cannot kill (Kill does)")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the process survived StartKill")
	}
	if err := g.Destroy(ctx); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
}

// TestRootRemoveEmpty: RemoveEmpty takes an empty group with its payload
// groups, and leaves a group with a live process (reporting so) for
// Destroy, the process untouched.
func TestRootRemoveEmpty(t *testing.T) {
	m := newRootManager(t)
	for _, live := range []bool{false, true} {
		name := "rmempty"
		if live {
			name = "rmempty-live"
		}
		cleanupGroup(t, m, name)
		g, err := m.Create(name, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range g.Dirs() {
			if err := os.MkdirAll(filepath.Join(d, PayloadGroup, payloadInit), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		var done <-chan struct{}
		if live {
			cmd, ch, _ := startSleep(t)
			done = ch
			if err := g.AddPid(cmd.Process.Pid); err != nil {
				t.Fatal(err)
			}
		}
		if got := g.RemoveEmpty(); got == live {
			t.Errorf("live=%v: RemoveEmpty = %v", live, got)
		}
		left := 0
		for _, d := range g.Dirs() {
			if fileExists(d, "") {
				left++
			}
		}
		if !live && left > 0 {
			t.Errorf("%d directories left of an empty group", left)
		}
		if live {
			if left == 0 {
				t.Error("a group with a process was removed")
			}
			select {
			case <-done:
				t.Error("RemoveEmpty killed the group's process")
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := g.Destroy(ctx); err != nil {
				t.Errorf("Destroy after RemoveEmpty: %v", err)
			}
			cancel()
		}
	}
}

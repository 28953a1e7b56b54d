package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRunAllStopsAtFirstFailure: the density anchors' runner reports the
// first failing command with its stderr and feeds no more after it.
func TestRunAllStopsAtFirstFailure(t *testing.T) {
	dir := t.TempDir()
	cmds := [][]string{{"sh", "-c", "echo no room >&2; exit 3"}}
	const more = 500
	for i := 0; i < more; i++ {
		cmds = append(cmds, []string{"touch", filepath.Join(dir, strconv.Itoa(i))})
	}
	err := runAll(cmds, densityWorkers)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "no room") {
		t.Fatalf("runAll = %v, want the failing command's status and stderr", err)
	}
	ran, _ := os.ReadDir(dir)
	if len(ran) >= more {
		t.Errorf("all %d commands after the failure ran", len(ran))
	}
}

// TestRunAllRunsEach: without a failure every command runs once.
func TestRunAllRunsEach(t *testing.T) {
	dir := t.TempDir()
	var cmds [][]string
	for i := 0; i < 20; i++ {
		cmds = append(cmds, []string{"touch", filepath.Join(dir, strconv.Itoa(i))})
	}
	if err := runAll(cmds, densityWorkers); err != nil {
		t.Fatal(err)
	}
	if ran, _ := os.ReadDir(dir); len(ran) != 20 {
		t.Errorf("%d of 20 commands ran", len(ran))
	}
}

// TestCommandLines splits a command file into argument lists.
func TestCommandLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cmds")
	if err := os.WriteFile(p, []byte("lxc-start -n a  -P /d\n\ncrun delete -f b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := commandLines(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || strings.Join(got[0], ",") != "lxc-start,-n,a,-P,/d" || strings.Join(got[1], ",") != "crun,delete,-f,b" {
		t.Errorf("commandLines = %q", got)
	}
}

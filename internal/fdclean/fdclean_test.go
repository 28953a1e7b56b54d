package fdclean

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A descriptor inherited without close-on-exec reaches no child after
// CloseOnExecFrom, unless it is passed explicitly.
func TestCloseOnExecFrom(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	// Make w inheritable, as a descriptor from a careless parent is.
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	childSees := func(extra ...*os.File) string {
		cmd := exec.Command("/bin/sh", "-c", "ls /proc/self/fd")
		cmd.ExtraFiles = extra
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return " " + strings.Join(strings.Fields(string(out)), " ") + " "
	}
	name := " " + strconv.Itoa(int(w.Fd())) + " "
	if got := childSees(); !strings.Contains(got, name) {
		t.Fatalf("before: the inheritable descriptor%sdid not reach the child (%s)", name, got)
	}
	if err := CloseOnExecFrom(3); err != nil {
		t.Fatal(err)
	}
	if got := childSees(); strings.Contains(got, name) {
		t.Fatalf("after: descriptor%sstill inherited: %s", name, got)
	}
	cmd := exec.Command("readlink", "/proc/self/fd/3")
	cmd.ExtraFiles = []*os.File{w}
	if out, err := cmd.Output(); err != nil || !strings.HasPrefix(string(out), "pipe:") {
		t.Fatalf("an explicitly passed descriptor is not at 3: %q %v", out, err)
	}
}

package security

import (
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// runc CVE-2024-21626: a descriptor for a host directory leaked into the
// container (or a working directory left in one) lets the container walk
// out of its root. Here the controller inherits, without close-on-exec, a
// host directory (a leak from its parent) and a pipe it is told to pass
// on: init ends up with 0, 1, 2 and the passed pipe as 3, nothing else;
// no descriptor and no working directory, init's or a child's, resolves
// outside the container's root.
func TestNoLeakedDescriptors(t *testing.T) {
	root := busyboxRoot(t)
	a := inRoot(t, root)
	host := hostDir(t)
	leak, err := os.Open(host)
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	// The children inherit these as fds 3 and 4; only 3 is --passfd.
	for _, f := range []*os.File{pw, leak} {
		if _, err := unix.FcntlInt(f.Fd(), unix.F_SETFD, 0); err != nil {
			t.Fatal(err)
		}
	}
	script := a + " inspect=1 inspect=self; echo @@done=1"
	c := startFiles(t, "fds", domainXML("fds", script, rootFS(root, false), ""), []*os.File{pw, leak}, []int{3})
	log, err := c.wait(30 * time.Second)
	if err != nil {
		t.Fatalf("controller: %v\n%s", err, log)
	}
	v := values(log)
	if v["done"] != "1" {
		t.Fatalf("the script did not finish:\n%s", log)
	}
	if v["fds:1"] != "0,1,2,3" {
		t.Errorf("init's descriptors: %q, want 0,1,2,3 (stdio and the passed pipe)", v["fds:1"])
	}
	for _, pid := range []string{"1", "self"} {
		if v["outside:"+pid] != "none" {
			t.Errorf("descriptors of %s outside the root: %s", pid, v["outside:"+pid])
		}
		if v["cwd:"+pid] != "/" || v["cwdroot:"+pid] != "inside" {
			t.Errorf("working directory of %s: %q (%s), want / inside the root", pid, v["cwd:"+pid], v["cwdroot:"+pid])
		}
	}
	if strings.Contains(log, host) {
		t.Errorf("the host directory %s shows inside the container:\n%s", host, log)
	}
}

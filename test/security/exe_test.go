package security

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runc CVE-2019-5736: a container process catches a process entering its
// pid namespace before that one execs its command, holds its
// /proc/PID/exe, and overwrites the file once nothing runs it any more
// (test/security/attacker/exe.go). The container has a private root. While the attacker hunts, virtlxc
// lxc-enter-namespace runs commands in the container through each of its
// helpers (pure Go, the cgo constructor, a client built without cgo): no
// process the attacker catches shows a host binary as its executable,
// nothing is overwritten, and the host binaries keep their hashes.
func TestEnterCannotOverwriteBinaries(t *testing.T) {
	d := startDaemon(t)
	before := d.hashes()
	// A private root: the host binaries are out of the container's
	// sight, /proc/PID/exe is the only way to them. The attacker writes
	// only to files under d.bin (the test's copies) and to memfds.
	root := busyboxRoot(t)
	a := inRoot(t, root)
	ctl := hostDir(t)
	fs := rootFS(root, false) + "    <filesystem type='mount'><source dir='" + ctl + "'/><target dir='/mnt/ctl'/></filesystem>\n"
	d.define("exe", domainXML("exe", a+" 'exe-hunt=/mnt/ctl/stop|"+d.bin+"/'; echo @@done=1", fs, ""))
	time.Sleep(200 * time.Millisecond) // the attacker's start
	runs := []struct{ bin, mode string }{{"virtlxc", "go"}, {"virtlxc", "reexec"}, {"virtlxc-nocgo", "go"}}
	for i := 0; i < 15; i++ {
		for _, r := range runs {
			if _, err := d.client(r.bin, []string{"VIRTLXC_NSENTER=" + r.mode}, "lxc-enter-namespace", "exe", "--", "/bin/true"); err != nil {
				t.Errorf("%s (%s): %v", r.bin, r.mode, err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(ctl, "stop"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var log string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if log = d.consoleLog("exe"); strings.Contains(log, "@@done=1") {
			break
		}
	}
	v := values(log)
	if v["done"] != "1" {
		t.Fatalf("the attacker did not finish:\n%s", log)
	}
	if v["overwrite"] != "" {
		t.Errorf("the container overwrote: %s", v["overwrite"])
	}
	exes := strings.Split(v["exe"], "\n")
	inWindow := 0
	for _, e := range exes {
		if strings.HasPrefix(e, d.bin) || strings.HasPrefix(e, "/tmp/virtlxc-") {
			t.Errorf("a process in the container ran the host binary %s", e)
		}
		if strings.HasPrefix(e, "/memfd:virtlxc-nsenter") || strings.HasPrefix(e, d.bin) {
			inWindow++ // caught before its exec
		}
	}
	if n, _ := strconv.Atoi(v["caught"]); n == 0 || inWindow == 0 {
		t.Errorf("the attacker caught %q processes, none before its exec (executables %q): the test saw no window", v["caught"], exes)
	}
	for name, sum := range d.hashes() {
		if before[name] != sum {
			t.Errorf("%s changed: %s -> %s", name, before[name], sum)
		}
	}
	t.Logf("caught %s; executables seen: %q; refused: %q", v["caught"], exes, v["overwrite-denied"])
}

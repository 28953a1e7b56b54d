package security

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// listen opens a unix listener at addr ("@name" for an abstract socket),
// closed when the test ends.
func listen(t *testing.T, addr string) {
	t.Helper()
	l, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

// A host-root container gets a fresh /run: the host's sockets there are
// not reachable.
func TestHostRunSocketsUnreachable(t *testing.T) {
	dir := filepath.Join("/run", fmt.Sprintf("virtlxc-sec-%d", os.Getpid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "host.sock")
	listen(t, sock)
	script := attacker(t) + ` connect=` + sock + `; if [ -e ` + sock + ` ]; then echo @@visible=yes; else echo @@visible=no; fi; echo @@done=1`
	v := run(t, "runsock", domainXML("runsock", script, "", ""))
	if v["visible"] != "no" || v["connect"] == "allowed" {
		t.Errorf("host socket %s from the container: visible=%s connect=%s", sock, v["visible"], v["connect"])
	}
}

// With a private network namespace the host's abstract unix sockets are
// out of reach (they belong to the network namespace).
func TestHostAbstractSocketPrivnet(t *testing.T) {
	name := fmt.Sprintf("@virtlxc-sec-%d", os.Getpid())
	listen(t, name)
	script := attacker(t) + ` connect=` + name + `; echo @@done=1`
	v := run(t, "abstract", domainXML("abstract", script, "", "<features><privnet/></features>"))
	if v["connect"] == "allowed" || v["connect"] == "" {
		t.Errorf("connect to the host's abstract socket %s with privnet: %q", name, v["connect"])
	}
}

package network

import (
	"regexp"
	"strings"
	"testing"

	"virtlxc/internal/testutil"
)

// TestIsolatedPorts: a network's <port isolated='yes'/> isolates the
// ports of interfaces that do not say otherwise (libvirt's
// networkAllocatePort): two such containers reach the bridge but not each
// other; one with <port isolated='no'/> reaches both. The live XMLs and
// the port show the isolation.
func TestIsolatedPorts(t *testing.T) {
	ns := newNS(t)
	bin, root, sock := ns.daemon()
	cli := func(args ...string) (string, error) { return virtlxc(t, bin, sock, args...) }
	must := func(args ...string) string {
		t.Helper()
		out, err := cli(args...)
		if err != nil {
			t.Fatalf("virtlxc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must("net-define", writeFile(t, root, "iso.xml", `<network><name>iso</name><bridge name='vliso1'/><port isolated='yes'/><ip address='10.57.0.1' prefix='24'/></network>`))
	must("net-start", "iso")
	rootfs := testutil.BusyboxRoot(t)
	ctr := func(name, ip, port string) {
		createCtr(t, bin, sock, root, name, domainXML(name, rootfs, "exec sleep 1000",
			"    <interface type='network'><source network='iso'/><ip address='"+ip+"' prefix='24'/>"+port+"</interface>\n", ""))
	}
	ctr("ia", "10.57.0.2", "")
	ctr("ib", "10.57.0.3", "")
	ctr("ic", "10.57.0.4", "<port isolated='no'/>")
	ping := func(from, to string) bool {
		out, _ := cli("lxc-enter-namespace", from, "--", "/bin/busybox", "ping", "-c", "1", "-W", "2", to)
		return strings.Contains(out, "1 packets received")
	}
	for _, c := range []struct {
		from, to string
		want     bool
	}{
		{"ia", "10.57.0.1", true}, {"ia", "10.57.0.3", false}, {"ib", "10.57.0.2", false},
		{"ic", "10.57.0.2", true}, {"ic", "10.57.0.3", true},
	} {
		if got := ping(c.from, c.to); got != c.want {
			t.Errorf("%s → %s: reached %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if x := must("dumpxml", "ia"); !strings.Contains(x, "<port isolated='yes'/>") {
		t.Errorf("ia's live XML:\n%s", x)
	}
	if x := must("dumpxml", "--inactive", "ia"); strings.Contains(x, "portid") {
		t.Errorf("ia's inactive XML:\n%s", x)
	}
	id := regexp.MustCompile(`portid='([0-9a-f-]{36})'`).FindStringSubmatch(must("dumpxml", "ia"))
	if id == nil {
		t.Fatal("no portid in ia's live XML")
	}
	if x := must("net-port-dumpxml", "iso", id[1]); !strings.Contains(x, "<port isolated='yes'/>") || !strings.Contains(x, "<plug type='network' bridge='vliso1'/>") {
		t.Errorf("ia's port:\n%s", x)
	}
	// A port made through the API (net-port-create), as the real virsh
	// and virtlxc make, show and refuse it.
	portDoc := "<networkport><uuid>0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d</uuid><owner><name>ext</name><uuid>1d7c4b5f-6a3e-4b2c-8d9e-0f1a2b3c4d5e</uuid></owner><mac address='52:54:00:cc:00:01'/></networkport>"
	doc := writeFile(t, root, "port.xml", portDoc)
	if out := mustVirsh(t, sock, "net-port-create", "iso", doc); out != "Network port 0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d created from "+doc+"\n\n" {
		t.Errorf("net-port-create: %q", out)
	}
	if x := must("net-port-dumpxml", "iso", "0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d"); !strings.Contains(x, "<name>ext</name>") ||
		!strings.Contains(x, "<port isolated='yes'/>") || !strings.Contains(x, "<plug type='network' bridge='vliso1'/>") {
		t.Errorf("the created port:\n%s", x)
	}
	for _, body := range []string{portDoc, strings.Replace(portDoc, "</networkport>", "<plug type='network' bridge='vliso1'/></networkport>", 1),
		strings.Replace(portDoc, "<mac address='52:54:00:cc:00:01'/>", "", 1)} {
		f := writeFile(t, root, "bad.xml", body)
		want, _ := virsh(t, sock, "net-port-create", "iso", f)
		if got, _ := cli("net-port-create", "iso", f); got != want || !strings.Contains(want, "error: Failed to create network from") {
			t.Errorf("net-port-create of\n%s\nvirtlxc:\n%s\nvirsh:\n%s", body, got, want)
		}
	}
	if out := must("net-port-delete", "iso", "0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d"); !strings.Contains(out, "Network port 0c6b3a4e-5f2d-4a1b-9c8d-7e6f5a4b3c2d deleted") {
		t.Errorf("net-port-delete: %q", out)
	}
	for _, n := range []string{"ia", "ib", "ic"} {
		must("destroy", n)
	}
	must("net-destroy", "iso")
	ns.assertOnly("lo")
}

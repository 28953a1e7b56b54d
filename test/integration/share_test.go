package integration

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/monitor"
)

func nsLink(t *testing.T, pid int, kind string) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSharedNamespaces(t *testing.T) {
	a := start(t, "nsa", domainXML("nsa", "/bin/sh", []string{"-c", "trap 'exit 0' TERM; echo @@ready=1; while true; do sleep 0.05; done"}, "", "<features><privnet/></features>"))
	w := a.watch()
	var ev monitor.Event
	if err := monitor.ReadLine(w, &ev); err != nil || ev.InitPID == 0 {
		t.Fatalf("init event: %v %+v", err, ev)
	}
	a.waitLog("@@ready=1")
	// b shares a's network (by domain name), IPC (by pid) and UTS (by name).
	// All of b's domain XML shares a's: it must not create its own.
	share := fmt.Sprintf("<lxc:namespace><lxc:sharenet type='name' value='nsa'/><lxc:shareipc type='pid' value='%d'/><lxc:shareuts type='name' value='nsa'/></lxc:namespace>", ev.InitPID)
	xml := strings.Replace(domainXML("nsb", "/bin/sh", []string{"-c",
		"echo @@net=$(readlink /proc/self/ns/net); echo @@ipc=$(readlink /proc/self/ns/ipc); echo @@uts=$(readlink /proc/self/ns/uts); echo @@host=$(hostname)"}, "", share),
		"<domain type='lxc'>", "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>", 1)
	// b's state lives under a's root so it finds a's monitor socket.
	v := values(runUnder(t, a, "nsb", xml))
	for _, kind := range []string{"net", "ipc", "uts"} {
		if want := nsLink(t, ev.InitPID, kind); v[kind] != want {
			t.Errorf("%s namespace %q, want a's %q", kind, v[kind], want)
		}
	}
	if v["host"] != "nsa" {
		t.Errorf("hostname %q, want nsa's", v["host"])
	}
	a.call(monitor.Request{Op: monitor.OpDestroy})
	a.wait(10 * time.Second)
}

func TestShareNamedNetns(t *testing.T) {
	testRequireIP(t)
	name := fmt.Sprintf("virtlxc-test-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	defer exec.Command("ip", "netns", "delete", name).Run()
	share := "<lxc:namespace><lxc:sharenet type='netns' value='" + name + "'/></lxc:namespace>"
	xml := strings.Replace(domainXML("nsnet", "/bin/sh", []string{"-c", "echo @@links=$(ls /sys/class/net | tr '\\n' ' ')"}, "", share),
		"<domain type='lxc'>", "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>", 1)
	v := values(run(t, "nsnet", xml))
	if v["links"] != "lo" {
		t.Errorf("links %q: want the named netns' lone lo", v["links"])
	}
}

func testRequireIP(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("iproute2's ip is needed: %v", err)
	}
}

package security

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// procField returns a "Name:\tvalue" field of /proc/PID/status.
func procField(t *testing.T, pid int, name string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// initPid returns the host pid of the container's init: the controller's
// child in another pid namespace.
func initPid(t *testing.T, ctrl int) int {
	t.Helper()
	own, _ := os.Readlink("/proc/" + strconv.Itoa(ctrl) + "/ns/pid")
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(ctrl) + "/task/*/children")
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if ns, _ := os.Readlink("/proc/" + s + "/ns/pid"); ns != "" && ns != own {
				pid, _ := strconv.Atoi(s)
				return pid
			}
		}
	}
	t.Fatalf("no child of controller %d in another pid namespace", ctrl)
	return 0
}

// A container root keeping CAP_SYS_PTRACE (libvirt's default policy)
// attaches with ptrace to everything it sees: only container processes,
// never the controller, which is in no pid namespace the container can
// see; signalling the controller's host pid reaches no such process. The
// controller is left untraced and still destroys the container.
func TestControllerOutOfReach(t *testing.T) {
	root := busyboxRoot(t)
	a := inRoot(t, root)
	ctl := hostDir(t)
	fs := rootFS(root, false) + "    <filesystem type='mount'><source dir='" + ctl + "'/><target dir='/mnt/ctl'/></filesystem>\n"
	script := `sleep 60 & while [ ! -e /mnt/ctl/pid ]; do sleep 0.05; done; ` +
		a + ` ptrace-scan signal=/mnt/ctl/pid; echo @@done=1; wait`
	c := start(t, "ptrace", domainXML("ptrace", script, fs, ""))
	ctrl := c.Cmd.Process.Pid
	init := initPid(t, ctrl)
	if err := os.WriteFile(filepath.Join(ctl, "pid"), []byte(strconv.Itoa(ctrl)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.waitLog("@@done=1")
	v := values(c.LogText())
	ctrlNS, _ := os.Readlink("/proc/" + strconv.Itoa(ctrl) + "/ns/pid")
	initNS, _ := os.Readlink("/proc/" + strconv.Itoa(init) + "/ns/pid")
	if ctrlNS == "" || ctrlNS == initNS {
		t.Errorf("the controller is in the container's pid namespace (%q)", ctrlNS)
	}
	if v["visible"] == "" || v["ptraced"] != v["visible"] {
		t.Errorf("visible %q, attached %q: want every visible process attached (the attack must be able to ptrace)", v["visible"], v["ptraced"])
	}
	if v["foreign"] != "none" {
		t.Errorf("the container attached to processes running host files: %s", v["foreign"])
	}
	if v["signal"] != "ESRCH" {
		t.Errorf("signal to the controller's host pid %d from inside: %s, want ESRCH", ctrl, v["signal"])
	}
	t.Logf("visible in the container: %s", v["visible"])
	if tp := procField(t, ctrl, "TracerPid"); tp != "0" {
		t.Errorf("the controller is traced by %s", tp)
	}
	c.destroy()
}

package network

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/controller"
	"virtlxc/internal/testutil"
)

// TestKeeperEndsNetworkedContainer: a container with a veth interface,
// handed to the keeper by the daemon, is destroyed by the keeper alone:
// the host end goes, and the controller is not brought back for it.
func TestKeeperEndsNetworkedContainer(t *testing.T) {
	t.Setenv(controller.KeepAfterEnv, "50ms")
	ns := newNS(t)
	ns.ip("link", "add", "br0", "type", "bridge")
	bin, root, sock := ns.daemon()
	rootfs := testutil.BusyboxRoot(t)
	xml := domainXML("netk", rootfs, "exec sleep 1000", `    <interface type='bridge'><source bridge='br0'/><guest dev='lan0'/></interface>
`, "")
	createCtr(t, bin, sock, root, "netk", xml)
	kept := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !kept; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(root, "run/libvirt/lxc/netk.pid"))
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%s/exe", strings.TrimSpace(string(b))))
		kept = filepath.Base(exe) == controller.KeeperBinary
	}
	if !kept {
		t.Fatal("the keeper did not take the container over")
	}
	if out, err := virtlxc(t, bin, sock, "destroy", "netk"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	ns.assertOnly("lo", "br0")
	log, _ := os.ReadFile(filepath.Join(root, "var/log/libvirt/lxc/netk.log"))
	if strings.Contains(string(log), "takes the container back") || !strings.Contains(string(log), "container stopped") {
		t.Errorf("container log:\n%s", log)
	}
}

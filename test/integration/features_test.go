package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

func TestPrivnetHasOnlyLoopback(t *testing.T) {
	xml := domainXML("privnet", "/bin/sh", []string{"-c",
		"echo @@links=$(ls /sys/class/net | tr '\\n' ' '); echo @@lo=$(cat /sys/class/net/lo/operstate); echo @@flags=$(cat /sys/class/net/lo/flags)"},
		"", "<features><privnet/></features>")
	v := values(run(t, "privnet", xml))
	if v["links"] != "lo" {
		t.Errorf("interfaces %q, want only lo", v["links"])
	}
	if v["flags"] != "0x9" { // IFF_UP|IFF_LOOPBACK
		t.Errorf("lo flags %q, want up (0x9)", v["flags"])
	}
}

func TestFilesystems(t *testing.T) {
	root := testutilRoot(t)
	share := t.TempDir()
	if err := os.WriteFile(filepath.Join(share, "hello"), []byte("from-host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "srv/data"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := `echo @@hello=$(cat /mnt/share/hello);
if touch /mnt/share/x 2>/dev/null; then echo @@shareRO=no; else echo @@shareRO=yes; fi;
if touch /etc/x 2>/dev/null; then echo @@rootRO=no; else echo @@rootRO=yes; fi;
echo @@ram=$(df -k /mnt/ram | tail -1 | tr -s ' ' | cut -d' ' -f2);
if touch /mnt/ram/x; then echo @@ramRW=yes; fi;
echo bound > /mnt/data/f && echo @@bind=$(cat /srv/data/f)`
	fs := "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/><readonly/></filesystem>\n" +
		"    <filesystem type='mount'><source dir='" + share + "'/><target dir='/mnt/share'/><readonly/></filesystem>\n" +
		"    <filesystem type='ram'><source usage='2048'/><target dir='/mnt/ram'/></filesystem>\n" +
		"    <filesystem type='ram'><source usage='1024'/><target dir='/srv/data'/></filesystem>\n" +
		"    <filesystem type='bind'><source dir='/srv/data'/><target dir='/mnt/data'/></filesystem>\n"
	// /mnt/* targets must exist in a read-only root.
	for _, d := range []string{"mnt/share", "mnt/ram", "mnt/data"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	v := values(run(t, "fs", domainXML("fs", "/bin/sh", []string{"-c", script}, fs, "")))
	want := map[string]string{"hello": "from-host", "shareRO": "yes", "rootRO": "yes", "ram": "2048", "ramRW": "yes", "bind": "bound"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	if _, err := os.Stat(filepath.Join(share, "x")); err == nil {
		t.Errorf("container wrote into a read-only share")
	}
}

func TestIDMapContainer(t *testing.T) {
	root := testutilRoot(t)
	// As with libvirt, the mapped root must be able to reach its root
	// filesystem, which it owns.
	if err := os.Chmod(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	testutil.ChownTree(t, root, 200000, 200000)
	script := `echo @@id=$(id -u):$(id -g); echo @@uidmap=$(cat /proc/self/uid_map | tr -s ' ');
ls -ln /dev | sed 's/^/@@dev=/'; echo @@mem=$(cat /proc/meminfo | grep MemTotal | tr -s ' ');
if mknod /tmp/x c 1 3 2>/dev/null; then echo @@mknod=ok; else echo @@mknod=denied; fi; echo @@done=1`
	fs := "    <filesystem type='mount'><source dir='" + root + "'/><target dir='/'/></filesystem>\n"
	idmap := "<idmap><uid start='0' target='200000' count='65536'/><gid start='0' target='200000' count='65536'/></idmap>"
	for _, net := range []string{"", "<features><privnet/></features>"} {
		name := "idmap"
		if net != "" {
			name = "idmapnet"
		}
		t.Run(name, func(t *testing.T) {
			c := start(t, name, domainXML(name, "/bin/sh", []string{"-c", script}, fs, idmap+"\n"+net))
			err, log := c.wait(30 * time.Second)
			if err != nil {
				t.Fatalf("controller failed: %v\n%s", err, log)
			}
			v := values(log)
			if v["done"] != "1" {
				t.Fatalf("probe did not finish: %v", v)
			}
			if v["id"] != "0:0" || v["uidmap"] != "0 200000 65536" {
				t.Errorf("id %q, uid_map %q", v["id"], v["uidmap"])
			}
			if v["mknod"] != "denied" {
				t.Errorf("mknod %q", v["mknod"])
			}
			if v["mem"] != "MemTotal: 98304 kB" {
				t.Errorf("meminfo %q", v["mem"])
			}
			if !strings.Contains(v["dev"], "null") {
				t.Errorf("/dev: %s", v["dev"])
			}
		})
	}
}

// makeImage builds an ext2 image holding one file.
func makeImage(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "inside"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "fs.img")
	out, err := exec.Command("mke2fs", "-q", "-t", "ext2", "-d", src, img, "4M").CombinedOutput()
	if err != nil {
		t.Fatalf("mke2fs (e2fsprogs): %v %s", err, out)
	}
	return img
}

func TestLoopImageAndHostdev(t *testing.T) {
	img := makeImage(t, "from-image\n")
	script := `echo @@img=$(cat /mnt/img/inside); ls -ln /dev/loop-control | sed 's/^/@@node=/';
if cat /dev/loop-control 2>&1 | grep -q 'not permitted'; then echo @@open=denied; else echo @@open=allowed; fi`
	fs := "    <filesystem type='file'><driver type='loop' format='raw'/><source file='" + img + "'/><target dir='/mnt/img'/><readonly/></filesystem>\n" +
		"    <hostdev mode='capabilities' type='misc'><source><char>/dev/loop-control</char></source></hostdev>\n"
	v := values(run(t, "loopimg", domainXML("loopimg", "/bin/sh", []string{"-c", script}, fs, "")))
	if v["img"] != "from-image" {
		t.Errorf("image content %q", v["img"])
	}
	if f := strings.Fields(v["node"]); len(f) < 6 || f[0] != "crwx------" || strings.Join(f[4:6], " ") != "10, 237" {
		t.Errorf("hostdev node %q, want crwx------ 10, 237", v["node"])
	}
	if v["open"] != "allowed" {
		t.Errorf("the device cgroup refused the configured hostdev")
	}
	// The loop device was autocleared.
	out, _ := exec.Command("losetup", "-j", img).CombinedOutput()
	if strings.TrimSpace(string(out)) != "" {
		t.Errorf("loop device left behind: %s", out)
	}
}

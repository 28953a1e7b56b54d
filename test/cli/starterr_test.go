package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStartErrorsAsLibvirt: a start that fails on the host's files says
// why in libvirt's words (virReportSystemError: the message, then
// strerror's text), after "Failure in libvirt_lxc startup: ".
func TestStartErrorsAsLibvirt(t *testing.T) {
	d := startDaemon(t)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, c := range []struct{ name, device, want string }{
		// What libvirt 9.0's daemon answered on this machine kind, from
		// se1 on (its lxcContainerResolveSymlinks comes first).
		{"se1", "<filesystem type='mount'><source dir='" + missing + "'/><target dir='/mnt'/></filesystem>",
			"Failed to access '" + missing + "': No such file or directory"},
		{"se2", "<filesystem type='mount'><source dir='/etc/hostname'/><target dir='/mnt'/></filesystem>",
			"Failed to create bind target /mnt: Is a directory"},
		{"se3", "<disk type='file' device='disk'><source file='" + missing + ".img'/><target dev='vdb'/></disk>",
			"Unable to open " + missing + ".img: No such file or directory"},
		// <blkiotune> devices, as libvirt 9.0 words them here.
		{"se4", "<blkiotune><device><path>" + missing + "</path><read_iops_sec>5</read_iops_sec></device></blkiotune>",
			"Path '" + missing + "' is not accessible: No such file or directory"},
		{"se5", "<blkiotune><device><path>/dev/null</path><read_iops_sec>5</read_iops_sec></device></blkiotune>",
			"Path '/dev/null' must be a block device: Invalid argument"},
		{"se6", "<hostdev mode='capabilities' type='storage'><source><block>" + missing + "</block></source></hostdev>",
			"Unable to access " + missing + ": No such file or directory"},
		{"se7", "<filesystem type='block'><source dev='" + missing + "'/><target dir='/mnt'/></filesystem>",
			"Path '" + missing + "' is not accessible: No such file or directory"},
	} {
		xml := hostRootXML(c.name, idleScript)
		if strings.HasPrefix(c.device, "<blkiotune>") {
			xml = strings.Replace(xml, "  <os>", c.device+"<os>", 1)
		} else {
			xml = strings.Replace(xml, "<console type='pty'/>", c.device+"<console type='pty'/>", 1)
		}
		d.writeFile(c.name+".xml", xml)
		r := d.virtlxc("create", c.name+".xml")
		if want := "Failure in libvirt_lxc startup: " + c.want; r.rc != 1 || !strings.HasSuffix(strings.TrimRight(r.stderr, "\n"), want) {
			t.Errorf("%s: %s\nwant the error to end %q", c.name, r, want)
		}
	}
	if r := d.virtlxc("list", "--all", "--name"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("left defined or running: %q", r.stdout)
	}
}

package cli

import "testing"

// TestMetadataMatchesVirsh runs desc and metadata through both clients,
// each on its own twin domain.
func TestMetadataMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{twinV, twinM} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
	}
	p := pair{t, d}
	for _, s := range [][]string{
		{"define", "DOM.xml"},
		{"desc", "DOM"}, {"desc", "DOM", "--title"},
		{"desc", "DOM", "hello", "world"}, {"desc", "DOM"}, {"desc", "DOM", "--new-desc", "again"},
		{"desc", "DOM", "--title", "My", "Title"}, {"desc", "DOM", "--title"},
		{"desc", "DOM", "--title", "bad\ntitle"}, {"desc", "DOM", "--live", "x"}, {"desc", "DOM", "--live", "--current"},
		{"desc", "DOM", "--config"},
		{"metadata", "DOM", "http://example.org/ns"},
		{"metadata", "DOM", "http://example.org/ns", "--key", "ex", "--set", "<foo a='1'><b>bar</b></foo>"},
		{"metadata", "DOM", "http://example.org/ns"},
		{"metadata", "DOM", "http://example.org/ns", "--set", "<x/>"},
		{"metadata", "DOM", "http://example.org/ns", "--key", "ex", "--set", "<a>"},
		{"metadata", "DOM", "http://example.org/ns", "--remove", "--set", "<a/>"},
		{"dumpxml", "DOM", "--xpath", "/domain/metadata"},
		{"metadata", "DOM", "http://example.org/ns", "--remove"},
		{"metadata", "DOM", "http://example.org/ns", "--config"},
		{"desc", "DOM", ""}, {"desc", "DOM", "--title", ""}, {"desc", "DOM"},
		{"start", "DOM"},
		{"metadata", "DOM", "http://l/", "--key", "l", "--set", "<live/>", "--live"},
		{"metadata", "DOM", "http://l/", "--config"},
		{"metadata", "DOM", "http://l/"},
		{"desc", "DOM", "--live", "running"}, {"desc", "DOM", "--config"}, {"desc", "DOM"},
		{"destroy", "DOM"}, {"undefine", "DOM"},
	} {
		p.step(s...)
	}
}

// TestDevicesMatchVirsh runs attach-device, detach-device and
// update-device through both clients, each on its own twin domain.
func TestDevicesMatchVirsh(t *testing.T) {
	d := startDaemon(t)
	for _, n := range []string{twinV, twinM} {
		d.writeFile(n+".xml", hostRootXML(n, idleScript))
	}
	d.writeFile("net.xml", "<interface type='bridge'><mac address='52:54:00:11:22:33'/><source bridge='br0'/></interface>\n")
	d.writeFile("netdown.xml", "<interface type='bridge'><mac address='52:54:00:11:22:33'/><source bridge='br0'/><link state='down'/></interface>\n")
	d.writeFile("disk.xml", "<disk type='block' device='disk'><source dev='/dev/loop7'/><target dev='vdb' bus='virtio'/></disk>\n")
	d.writeFile("fs.xml", "<filesystem type='mount'><source dir='/tmp'/><target dir='/mnt'/></filesystem>\n")
	p := pair{t, d}
	for _, s := range [][]string{
		{"define", "DOM.xml"},
		{"attach-device", "DOM", "net.xml", "--config"}, {"attach-device", "DOM", "disk.xml", "--persistent"},
		{"attach-device", "DOM", "disk.xml", "--config"}, {"attach-device", "DOM", "fs.xml", "--config"},
		{"attach-device", "DOM", "net.xml"}, {"attach-device", "DOM", "net.xml", "--live"},
		{"attach-device", "DOM", "net.xml", "--current", "--live"}, {"attach-device", "DOM", "nosuch.xml", "--config"},
		{"update-device", "DOM", "netdown.xml", "--config"}, {"update-device", "DOM", "disk.xml", "--config"},
		{"update-device", "DOM", "netdown.xml", "--config", "--force"},
		{"dumpxml", "DOM", "--inactive", "--xpath", "/domain/devices/interface"},
		{"detach-device", "DOM", "net.xml", "--config"}, {"detach-device", "DOM", "net.xml", "--config"},
		{"detach-device", "DOM", "disk.xml", "--current"}, {"detach-device", "DOM", "disk.xml"},
		{"undefine", "DOM"},
	} {
		p.step(s...)
	}
}

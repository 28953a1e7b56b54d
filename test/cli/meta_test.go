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
		{"attach-interface", "DOM", "bridge", "br1", "--mac", "52:54:00:aa:bb:cc", "--config"},
		{"attach-interface", "DOM", "bridge", "br1", "--mac", "52:54:00:aa:bb:cd", "--config", "--target", "vx1", "--model", "virtio"},
		{"attach-interface", "DOM", "network", "default", "--config", "--mac", "52:54:00:aa:bb:ce", "--inbound", "100,200,300,400", "--outbound", "10,20"},
		{"attach-interface", "DOM", "bridge", "br1", "--print-xml", "--managed", "--alias", "ua-x"},
		{"attach-interface", "DOM", "bogus", "x", "--config"}, {"attach-interface", "DOM", "ethernet", "x", "--config"},
		{"attach-interface", "DOM", "bridge", "br1", "--inbound", "1,2,3,4,5"}, {"attach-interface", "DOM", "bridge", "br1", "--inbound", "x"},
		{"attach-interface", "DOM", "bridge", "br1", "--outbound", "0,1"}, {"attach-interface", "DOM", "bridge", "br1", "--outbound", "1,,,4"},
		{"attach-interface", "DOM", "vhostuser", "/s", "--print-xml"}, {"attach-interface", "DOM", "vhostuser", "/s", "--source-mode", "x"},
		{"attach-interface", "DOM", "bridge", "br1"},
		{"dumpxml", "DOM", "--inactive", "--xpath", "/domain/devices/interface"},
		{"detach-interface", "DOM", "bridge", "--config"},
		{"detach-interface", "DOM", "bridge", "--config", "--mac", "52:54:00:aa:bb:cc"},
		{"detach-interface", "DOM", "bridge", "--config", "--mac", "52:54:00:ff:ff:ff"},
		{"detach-interface", "DOM", "direct", "--config"},
		{"detach-interface", "DOM", "network", "--config", "--print-xml"},
		{"detach-interface", "DOM", "network", "--config"},
		{"detach-interface", "DOM", "bridge"},
		{"attach-device", "DOM", "disk.xml", "--config"},
		{"detach-disk", "DOM", "vdb", "--config", "--print-xml"}, {"detach-disk", "DOM", "vdz", "--config"},
		{"detach-disk", "DOM", "/dev/loop7", "--config"}, {"detach-disk", "DOM", "vdb", "--config"},
		{"undefine", "DOM"},
	} {
		p.step(s...)
	}
}

package domainxml

import (
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// TestDisksAndHostdevs: what libvirt 9.0's LXC driver printed for these
// definitions (virsh define, then dumpxml --inactive, on this machine):
// disks ordered by the parser's insertion, default buses, drive addresses
// and the controllers they name; host device modes and managed='no'.
func TestDisksAndHostdevs(t *testing.T) {
	blk := func(target string) string {
		return "<disk type='block' device='disk'><source dev='/dev/loop0'/>" + target + "</disk>"
	}
	cases := []struct {
		name, doc string
		want      string
	}{
		{"three buses in index order", dev(blk("<target dev='sdb'/>") + blk("<target dev='vdc'/>") + blk("<target dev='hda'/>")), `    <disk type='block' device='disk'>
      <source dev='/dev/loop0'/>
      <target dev='hda' bus='ide'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <disk type='block' device='disk'>
      <source dev='/dev/loop0'/>
      <target dev='sdb' bus='scsi'/>
      <address type='drive' controller='0' bus='0' target='0' unit='1'/>
    </disk>
    <disk type='block' device='disk'>
      <source dev='/dev/loop0'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <controller type='scsi' index='0'/>
    <controller type='ide' index='0'/>
`},
		{"sata", dev(blk("<target dev='sda' bus='sata'/>")), "<address type='drive' controller='0' bus='0' target='0' unit='0'/>\n    </disk>\n    <controller type='sata' index='0'/>\n"},
		{"eighth scsi disk", dev(blk("<target dev='sdh'/>")), "<address type='drive' controller='1' bus='0' target='0' unit='0'/>\n    </disk>\n    <controller type='scsi' index='0'/>\n    <controller type='scsi' index='1'/>\n"},
		{"fifth ide disk", dev(blk("<target dev='hde'/>")), "<address type='drive' controller='1' bus='0' target='0' unit='0'/>\n    </disk>\n    <controller type='ide' index='0'/>\n    <controller type='ide' index='1'/>\n"},
		{"usb bus", dev(blk("<target dev='sdb' bus='usb'/>")), "<target dev='sdb' bus='usb'/>\n    </disk>\n    <console"},
		{"cdrom", dev("<disk type='file' device='cdrom'><target dev='hdc'/></disk>"), "<target dev='hdc' bus='ide'/>\n      <readonly/>\n      <address type='drive' controller='0' bus='1' target='0' unit='0'/>"},
		{"floppy", dev("<disk type='file' device='floppy'><target dev='fda'/></disk>"), "<target dev='fda' bus='fdc'/>\n      <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n    </disk>\n    <controller type='fdc' index='0'/>"},
		{"given address", dev(blk("<target dev='sdb'/><address type='drive' controller='3' bus='0' target='0' unit='5'/>")), "<controller type='scsi' index='0'/>\n    <controller type='scsi' index='1'/>\n    <controller type='scsi' index='2'/>\n    <controller type='scsi' index='3'/>\n"},
		{"device defaults to disk", dev("<disk type='block'><source dev='/dev/loop0'/><target dev='sdb'/></disk>"), "<disk type='block' device='disk'>\n      <source dev='/dev/loop0'/>"},
		{"usb hostdev without mode", dev("<hostdev type='usb'><source><address bus='1' device='1'/></source></hostdev>"), "<hostdev mode='subsystem' type='usb' managed='no'>"},
		{"managed kept", dev("<hostdev mode='subsystem' type='usb' managed='yes'><source><address bus='1' device='1'/></source></hostdev>"), "<hostdev mode='subsystem' type='usb' managed='yes'>"},
		{"caps storage", dev("<hostdev mode='capabilities' type='storage'><source><block>/dev/sda</block></source></hostdev>"), "<hostdev mode='capabilities' type='storage'>\n      <source>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseFormat(t, c.doc, Options{})
			if !strings.Contains(got, c.want) {
				t.Errorf("output lacks\n%s\ngot:\n%s", c.want, got)
			}
		})
	}
	rejects := []rejectCase{
		{"unknown disk name", dev(blk("<target dev='foo'/>")), virerr.ErrXMLError, fromDom, "XML error: Unknown disk name 'foo' and no address specified", false},
		{"disk without target", dev(blk("")), virerr.ErrNoTarget, fromDom, "missing target information for device /dev/loop0", false},
		{"floppy name on a disk", dev(blk("<target dev='fda'/>")), codeIntErr, fromDom, "internal error: Invalid harddisk device name: fda", false},
		{"disk without source", dev("<disk type='block' device='disk'><target dev='sdc'/></disk>"), virerr.ErrNoSource, fromDom, "missing source information for device sdc", false},
		{"lun on a file", dev("<disk type='file' device='lun'><target dev='sdd'/></disk>"), codeCfg, fromDom, "unsupported configuration: disk device='lun' is only valid for block type disk source", false},
		{"unknown hostdev mode", dev("<hostdev mode='bogus' type='usb'/>"), codeCfg, fromDom, "unsupported configuration: unknown hostdev mode 'bogus'", false},
		{"unknown caps type", dev("<hostdev mode='capabilities' type='bogus'/>"), codeCfg, fromDom, "unsupported configuration: unknown host device source address type 'bogus'", false},
		{"hostdev without type", dev("<hostdev/>"), codeXML, fromDom, "XML error: missing source address type", false},
	}
	runRejects(t, rejects)
}

func TestDiskNameToIndex(t *testing.T) {
	for name, want := range map[string]int{"sda": 0, "hdb": 1, "vdz": 25, "sdaa": 26, "xvdab": 27, "ubda": 0, "fdb": 1,
		"sda1": 0, "sdb12": 1, "sd": 0, "foo": -1, "sda1x": -1, "nvme0n1": -1} {
		if got := DiskNameToIndex(name); got != want {
			t.Errorf("DiskNameToIndex(%q) = %d, want %d", name, got, want)
		}
	}
}

// TestInsertDisk: a disk goes before the first disk of its bus with a
// greater index, else after the last of its bus, else at the end.
func TestInsertDisk(t *testing.T) {
	d := func(dst, bus string) libvirtxml.DomainDisk {
		return libvirtxml.DomainDisk{Target: &libvirtxml.DomainDiskTarget{Dev: dst, Bus: bus}}
	}
	ds := &libvirtxml.DomainDeviceList{}
	for _, x := range []libvirtxml.DomainDisk{d("sdc", "scsi"), d("vda", "virtio"), d("sda", "scsi"), d("hda", "ide"), d("sdd", "scsi")} {
		InsertDisk(ds, x)
	}
	var got []string
	for _, x := range ds.Disks {
		got = append(got, x.Target.Dev)
	}
	if strings.Join(got, " ") != "sda sdc sdd vda hda" {
		t.Errorf("order %v", got)
	}
}

// TestSeclabelsAndGuestIPs: libvirt 9.0's LXC driver on this machine
// (security model "none") for these <seclabel>s and interface <ip>s.
func TestSeclabelsAndGuestIPs(t *testing.T) {
	cases := []wantCase{
		{"dynamic relabels", top("<seclabel type='dynamic' model='apparmor'/>"), "<seclabel type='dynamic' model='apparmor' relabel='yes'/>", ""},
		{"dynamic keeps baselabel only", top("<seclabel type='dynamic' model='selinux'><label>x</label><imagelabel>y</imagelabel><baselabel>z</baselabel></seclabel>"),
			"<seclabel type='dynamic' model='selinux' relabel='yes'>\n    <baselabel>z</baselabel>\n  </seclabel>", "<label>"},
		{"static", top("<seclabel type='static' model='selinux'><label>a:b:c:d</label></seclabel>"), "<seclabel type='static' model='selinux' relabel='no'>\n    <label>a:b:c:d</label>", ""},
		{"no model takes the host's", top("<seclabel type='dynamic'/>"), "<seclabel type='none' model='none'/>", ""},
		{"none", top("<seclabel type='none'/>"), "<seclabel type='none' model='none'/>", ""},
		{"model none labels nothing", top("<seclabel type='static' model='none'/>"), "<seclabel type='none' model='none'/>", ""},
		{"no type is not kept", top("<seclabel model='apparmor'/>"), "</devices>\n</domain>", "seclabel"},
		{"ip family", dev("<interface type='ethernet'><mac address='52:54:00:00:00:01'/><ip address='fd00::2' prefix='64'/><ip address='10.0.0.2'/></interface>"),
			"<ip address='fd00::2' family='ipv6' prefix='64'/>\n      <ip address='10.0.0.2' family='ipv4'/>", ""},
	}
	runWants(t, cases)
	rejects := []rejectCase{
		{"dynamic without relabel", top("<seclabel type='dynamic' model='selinux' relabel='no'/>"), codeCfg, fromDom, "unsupported configuration: dynamic label type must use resource relabeling", false},
		{"none with relabel", top("<seclabel type='none' relabel='yes'/>"), codeCfg, fromDom, "unsupported configuration: resource relabeling is not compatible with 'none' label type", false},
		{"static without label", top("<seclabel type='static' model='selinux'/>"), codeXML, fromDom, "XML error: security label is missing", false},
		{"bad type", top("<seclabel type='bogus' model='selinux'/>"), codeXML, fromXML, "XML error: Invalid value for attribute 'type' in element 'seclabel': 'bogus'.", false},
		{"two without a model", top("<seclabel type='dynamic' model='selinux'/><seclabel type='dynamic'/>"), codeXML, fromDom, "XML error: missing security model when using multiple labels", false},
		{"bad ip", dev("<interface type='ethernet'><ip address='bogus'/></interface>"), codeXML, fromDom, "XML error: Invalid address 'bogus' in <ip>", false},
		{"ip in the wrong family", dev("<interface type='ethernet'><ip address='10.0.0.2' family='ipv6'/></interface>"), codeXML, fromDom, "XML error: Invalid address '10.0.0.2' in <ip>", false},
		{"ipv6 route without family", dev("<interface type='ethernet'><route address='::' gateway='fd00::1'/></interface>"), codeXML, fromDom,
			"XML error: guest interface: No family specified for non-IPv4 address '::' in route definition", false},
	}
	runRejects(t, rejects)
}

// TestMoreLibvirtDefaults: more of what libvirt 9.0's LXC driver printed
// or refused for these definitions on this machine.
func TestMoreLibvirtDefaults(t *testing.T) {
	cases := []wantCase{
		{"serial ports", dev("<serial type='pty'><target port='3'/></serial><serial type='pty'/>"),
			"<target port='3'/>\n    </serial>\n    <serial type='pty'>\n      <target port='4'/>", ""},
		{"space limits in bytes", dev("<filesystem type='mount'><source dir='/tmp'/><target dir='/mnt'/><space_hard_limit unit='KiB'>1</space_hard_limit><space_soft_limit unit='G'>1</space_soft_limit></filesystem>"),
			"<space_hard_limit unit='bytes'>1024</space_hard_limit>\n      <space_soft_limit unit='bytes'>1073741824</space_soft_limit>", ""},
		{"exe os keeps its init options", osExtra("<boot dev='hd'/><loader>/x</loader><kernel>/k</kernel><bootmenu enable='yes'/><smbios mode='host'/>"),
			"<init>/sbin/init</init>\n    <smbios mode='host'/>\n  </os>", "<boot"},
		{"genid generated", top("<genid/>"), "<genid>", "<genid/>"},
		{"ovs interface id", dev("<interface type='bridge'><source bridge='br0'/><virtualport type='openvswitch'><parameters profileid='p'/></virtualport></interface>"),
			"<parameters interfaceid='", ""},
		{"empty bandwidth direction", dev("<interface type='bridge'><source bridge='br0'/><bandwidth><inbound average='0'/></bandwidth></interface>"),
			"<bandwidth>\n      </bandwidth>", "inbound"},
		{"interface driver without virtio", dev("<interface type='bridge'><source bridge='br0'/><driver name='vhost'/><mtu size='0'/></interface>"), "<source bridge='br0'/>\n    </interface>", "<driver"},
		{"interface driver with virtio", dev("<interface type='bridge'><source bridge='br0'/><model type='virtio'/><driver name='vhost' queues='2'/></interface>"), "<driver name='vhost' queues='2'/>", ""},
		{"aliases dropped", dev("<interface type='bridge'><source bridge='br0'/><alias name='ua-net0'/></interface>"), "<source bridge='br0'/>\n    </interface>", "alias"},
		{"hostdev net ip family", dev("<hostdev mode='capabilities' type='net'><source><interface>eth9</interface></source><ip address='10.0.0.3' prefix='24'/></hostdev>"),
			"<ip address='10.0.0.3' family='ipv4' prefix='24'/>", ""},
		{"virtio console", dev("<console type='pty'><target type='virtio'/></console>"), "<controller type='virtio-serial' index='0'/>", ""},
		{"virtio channel", dev("<channel type='pty'><target type='virtio'/></channel>"), "<controller type='virtio-serial' index='0'/>", ""},
		{"memory placed with vcpus", top("<vcpu placement='auto'>2</vcpu>"),
			"<numatune>\n    <memory mode='strict' placement='auto'/>\n  </numatune>", ""},
	}
	runWants(t, cases)
	rejects := []rejectCase{
		{"no vcpus", top("<vcpu>0</vcpu>"), codeIntErr, fromDom, "internal error: CPU IDs in <numa> exceed the <vcpu> count", false},
		{"input", dev("<input type='mouse' bus='usb'/>"), codeIntErr, fromDom, "internal error: Input devices are not supported by this virtualization driver.", false},
		{"graphics", dev("<graphics type='vnc'/>"), codeIntErr, fromDom, "internal error: missing video model and cannot determine default", false},
	}
	runRejects(t, rejects)
}

// TestRoutesAndUnsupportedDevices: libvirt 9.0's refusals of routes that
// are not network addresses and of devices LXC has no use for.
func TestRoutesAndUnsupportedDevices(t *testing.T) {
	eth := func(x string) string {
		return dev("<interface type='ethernet'><mac address='52:54:00:00:00:09'/>" + x + "</interface>")
	}
	for _, ok := range []string{
		eth("<route address='10.1.0.0' prefix='16' gateway='10.0.0.1'/>"),
		eth("<route address='10.1.2.0' netmask='255.255.255.0' gateway='10.0.0.1'/>"),
		eth("<route address='0.0.0.0' gateway='10.0.0.1'/>"),
	} {
		if _, err := Parse([]byte(ok), Options{HostArch: "x86_64"}); err != nil {
			t.Errorf("%v", err)
		}
	}
	if got := parseFormat(t, top("<cpu><topology sockets='1' cores='2' threads='1'/></cpu>"), Options{}); !strings.Contains(got, "<topology sockets='1' dies='1' cores='2' threads='1'/>") {
		t.Errorf("cpu topology:\n%s", got)
	}
	rejects := []rejectCase{
		{"route not a network", eth("<route address='10.0.0.2' gateway='10.0.0.1'/>"), codeXML, fromDom,
			"XML error: guest interface: Address '10.0.0.2' in route definition is not a network address", false},
		{"route under its prefix", eth("<route address='10.1.2.0' prefix='16' gateway='10.0.0.1'/>"), codeXML, fromDom,
			"XML error: guest interface: Address '10.1.2.0' in route definition is not a network address", false},
		{"ipv6 route", eth("<route family='ipv6' address='fd00::5' gateway='fd00::1'/>"), codeXML, fromDom,
			"XML error: guest interface: Address 'fd00::5' in route definition is not a network address", false},
		{"host route", eth("<source><ip address='10.0.0.1' prefix='32'/><route address='10.0.0.2' gateway='10.0.0.1'/></source>"), codeXML, fromDom,
			"XML error: interface host IP: Address '10.0.0.2' in route definition is not a network address", false},
		{"memory device", dev("<memory model='dimm'><target><size unit='KiB'>524288</size><node>0</node></target></memory>"), codeCfg, fromDom,
			"unsupported configuration: memory devices are not supported by this driver", false},
		{"redirdev", dev("<redirdev bus='usb' type='spicevmc'/>"), codeCfg, fromDom,
			"unsupported configuration: cannot add redirected USB device: USB is disabled for this domain", false},
		{"memnode", top("<numatune><memory mode='strict' nodeset='0'/><memnode cellid='0' mode='strict' nodeset='0'/></numatune>"), codeXML, fromDom,
			"XML error: Element 'memnode' is invalid without any guest NUMA cells", false},
	}
	runRejects(t, rejects)
}

// runRejects parses each case's document and checks libvirt's error.
func runRejects(t *testing.T, rejects []rejectCase) {
	t.Helper()
	for _, c := range rejects {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.xml), Options{HostArch: "x86_64"})
			checkErr(t, err, c.code, c.dom, c.msg)
		})
	}
}

// wantCase is a document whose formatted parse must hold want, and not
// not (when set).
type wantCase struct{ name, doc, want, not string }

// runWants parses and formats each case's document and checks it.
func runWants(t *testing.T, cases []wantCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseFormat(t, c.doc, Options{})
			if !strings.Contains(got, c.want) || (c.not != "" && strings.Contains(got, c.not)) {
				t.Errorf("want %q (and no %q) in:\n%s", c.want, c.not, got)
			}
		})
	}
}

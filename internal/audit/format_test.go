package audit

import (
	"testing"

	"libvirt.org/go/libvirtxml"
)

var dom = Domain{Name: "demo", UUID: "c7a5fdbd-edaf-9455-926a-d65c16db1809"}

func TestEncode(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		val  *string
		want string
	}{
		{s("demo"), `vm="demo"`},
		{nil, `vm="?"`},
		{s(""), `vm=""`},
		{s("my vm"), `vm=6D7920766D`},
		{s(`a"b`), `vm=612262`},
		{s("tab\t"), `vm=74616209`},
		{s("x\x7f"), `vm=787F`},
		{s("é"), `vm=C3A9`},
		{s("a=b'c~"), `vm="a=b'c~"`},
	} {
		if got := Encode("vm", tc.val); got != tc.want {
			t.Errorf("Encode(%v) = %s, want %s", tc.val, got, tc.want)
		}
	}
}

func TestGolden(t *testing.T) {
	net, _ := GenericDev(dom, "net", ReasonStart, "", "52:54:00:aa:bb:cc", true)
	fs, _ := GenericDev(dom, "fs", ReasonStart, "", "/", true)
	chr, _ := GenericDev(dom, "chardev", ReasonStart, "", "/dev/pts/3", true)
	disk, _ := GenericDev(dom, "disk", ReasonAttach, "", "/var/lib/x.img", false)
	odd := Domain{Name: "a b", UUID: dom.UUID}
	for _, tc := range []struct {
		rec  Record
		typ  Type
		ok   bool
		want string
	}{
		{MachineID(dom, "", "", "none", true), VirtMachineID, true,
			`virt=lxc vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-ctx=? img-ctx=? model=none`},
		{Start(dom, ReasonBooted, 4242, true), VirtControl, true,
			`virt=lxc op=start reason=booted vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=4242`},
		{Start(dom, ReasonBooted, 0, false), VirtControl, false,
			`virt=lxc op=start reason=booted vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=0`},
		{Init(dom, 4242, 4250, 4026532450), VirtControl, true,
			`virt=lxc op=init vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=4242 init-pid=4250 pid-ns=4026532450`},
		{Stop(dom, ReasonDestroyed, 0), VirtControl, true,
			`virt=lxc op=stop reason=destroyed vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=0`},
		{Stop(odd, ReasonShutdown, 0), VirtControl, true,
			`virt=lxc op=stop reason=shutdown vm=612062 uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=0`},
		{net, VirtResource, true,
			`virt=lxc resrc=net reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 old-net="?" new-net="52:54:00:aa:bb:cc"`},
		{fs, VirtResource, true,
			`virt=lxc resrc=fs reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 old-fs="?" new-fs="/"`},
		{chr, VirtResource, true,
			`virt=lxc resrc=chardev reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 old-chardev="?" new-chardev="/dev/pts/3"`},
		{disk, VirtResource, false,
			`virt=lxc resrc=disk reason=attach vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 old-disk="?" new-disk="/var/lib/x.img"`},
		{USBHostdev(dom, ReasonStart, 1, 12, true), VirtResource, true,
			`virt=lxc resrc=dev reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 bus=usb device="001.012"`},
		{CapsHostdev(dom, ReasonStart, "disk", "/dev/sdb", true), VirtResource, true,
			`virt=lxc resrc=hostdev reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 disk="/dev/sdb"`},
		{CapsHostdev(dom, ReasonStart, "chardev", "/dev/net/tun", true), VirtResource, true,
			`virt=lxc resrc=hostdev reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 chardev="/dev/net/tun"`},
		{Sized(dom, "mem", ReasonStart, 0, 65536, true), VirtResource, true,
			`virt=lxc resrc=mem reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 old-mem=0 new-mem=65536`},
		{Sized(dom, "vcpu", ReasonStart, 0, 2, true), VirtResource, true,
			`virt=lxc resrc=vcpu reason=start vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 old-vcpu=0 new-vcpu=2`},
	} {
		if tc.rec.Text != tc.want || tc.rec.Type != tc.typ || tc.rec.Success != tc.ok {
			t.Errorf("got  %s %s ok=%v\nwant %s %s ok=%v", tc.rec.Type, tc.rec.Text, tc.rec.Success, tc.typ, tc.want, tc.ok)
		}
	}
	if _, ok := GenericDev(dom, "fs", ReasonStart, "", "", true); ok {
		t.Error("a record with both values NULL must be skipped")
	}
}

func TestMessage(t *testing.T) {
	r := Start(dom, ReasonBooted, 7, false)
	want := `virt=lxc op=start reason=booted vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=7` +
		` exe="/usr/sbin/virtlxcd" hostname=? addr=? terminal=? res=failed`
	if got := r.Message("/usr/sbin/virtlxcd"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := Stop(dom, ReasonShutdown, 0).Message("/opt/my bin/d"); got[len(got)-len("exe=2F6F70742F6D792062696E2F64 hostname=? addr=? terminal=? res=success"):] != "exe=2F6F70742F6D792062696E2F64 hostname=? addr=? terminal=? res=success" {
		t.Errorf("exe not encoded: %s", got)
	}
}

func TestStartResources(t *testing.T) {
	bus, dev := uint(2), uint(3)
	def := &libvirtxml.Domain{
		Memory: &libvirtxml.DomainMemory{Value: 64, Unit: "MiB"},
		VCPU:   &libvirtxml.DomainVCPU{Value: 2},
		Devices: &libvirtxml.DomainDeviceList{
			Filesystems: []libvirtxml.DomainFilesystem{
				{Source: &libvirtxml.DomainFilesystemSource{Mount: &libvirtxml.DomainFilesystemSourceMount{Dir: "/"}}},
				{Source: &libvirtxml.DomainFilesystemSource{RAM: &libvirtxml.DomainFilesystemSourceRAM{Usage: 1024}}},
			},
			Interfaces: []libvirtxml.DomainInterface{{MAC: &libvirtxml.DomainInterfaceMAC{Address: "52:54:00:01:02:03"}}},
			Hostdevs: []libvirtxml.DomainHostdev{
				{SubsysUSB: &libvirtxml.DomainHostdevSubsysUSB{Source: &libvirtxml.DomainHostdevSubsysUSBSource{
					Address: &libvirtxml.DomainAddressUSB{Bus: &bus, Device: &dev}}}},
				{CapsNet: &libvirtxml.DomainHostdevCapsNet{}},
				{CapsMisc: &libvirtxml.DomainHostdevCapsMisc{Source: &libvirtxml.DomainHostdevCapsMiscSource{Char: "/dev/net/tun"}}},
			},
			Consoles: []libvirtxml.DomainConsole{{Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{Path: "/dev/pts/0"}}}},
		},
	}
	u := ` vm="demo" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 `
	want := "VIRT_RESOURCE virt=lxc resrc=fs reason=start" + u + `old-fs="?" new-fs="/"` + "\n" +
		"VIRT_RESOURCE virt=lxc resrc=net reason=start" + u + `old-net="?" new-net="52:54:00:01:02:03"` + "\n" +
		"VIRT_RESOURCE virt=lxc resrc=dev reason=start" + u + `bus=usb device="002.003"` + "\n" +
		"VIRT_RESOURCE virt=lxc resrc=hostdev reason=start" + u + `chardev="/dev/net/tun"` + "\n" +
		"VIRT_RESOURCE virt=lxc resrc=chardev reason=start" + u + `old-chardev="?" new-chardev="/dev/pts/0"` + "\n" +
		"VIRT_RESOURCE virt=lxc resrc=mem reason=start" + u + "old-mem=0 new-mem=65536\n" +
		"VIRT_RESOURCE virt=lxc resrc=vcpu reason=start" + u + "old-vcpu=0 new-vcpu=2\n"
	if got := Lines(StartResources(dom, def)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

package cli

import (
	"strings"
	"testing"
)

// TestAttachDiskMatchesVirsh: virtlxc attach-disk builds the <disk> virsh
// 9.0 builds (--print-xml) and refuses what virsh refuses, with the same
// words; then it attaches a loop device to a running container and
// detach-disk takes it away.
func TestAttachDiskMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	loop := loopDevice(t, "attach-disk")
	for _, args := range []string{
		"LOOP sdb", "/etc/hostname vdb", "LOOP sdb --targetbus scsi --driver qemu --subdriver raw --cache none --io native --iothread 2",
		"LOOP sdb --type cdrom --mode readonly", "LOOP sdb --mode shareable --serial S1 --wwn 0x5000c500a1b2c3d4 --alias ua-d1",
		"LOOP sdb --sourcetype file", "/etc/hostname sdb --sourcetype block", "LOOP sdb --type lun --rawio",
		"LOOP sdb --address scsi:0.0.1", "LOOP sdb --address scsi:1.2.3.4", "LOOP sdb --address sata:0.0.3", "LOOP sdb --address usb:1.2",
		"LOOP vdb --address pci:0000.00.05.0 --multifunction", "LOOP vdb --address ccw:0.0.1", "LOOP hda --address ide:0.1.0",
		"LOOP xvdb --address scsi:0.0.1", "/nonexistent sdb",
		"LOOP sdb --address pci:0000.00.05.0", "LOOP hdb --address scsi:0.0.1", "LOOP vdb --address scsi:0.0.1",
		"LOOP sdb --address scsi:0.0", "LOOP sdb --address scsi:-1.0.1", "LOOP sdb --address bogus", "LOOP sdb --address usb:1",
		"LOOP sdb --mode bogus", "LOOP sdb --type bogus", "LOOP sdb --sourcetype bogus", "LOOP sdb --wwn w",
		"LOOP sdb --sourcetype network --source-protocol nbd --source-host-name h:10809",
		"LOOP sdb --source-protocol nbd --source-host-transport unix --source-host-socket /s",
		"LOOP sdb --source-protocol nbd --source-host-name h --source-host-transport tcp",
		"LOOP sdb --sourcetype network", "LOOP sdb --source-host-name h", "LOOP sdb --source-protocol nbd --source-host-socket /s",
		"LOOP sdb --source-protocol nbd --source-host-name h --source-host-socket /s",
	} {
		a := strings.Fields(strings.ReplaceAll(args, "LOOP", loop))
		d.both(t, append(append([]string{"attach-disk", "nodom"}, a...), "--print-xml")...)
	}
	d.writeFile("ad.xml", hostRootXML("ad", idleScript))
	if r := d.virtlxc("create", "ad.xml"); r.rc != 0 {
		t.Fatalf("create: %s", r)
	}
	d.waitState("ad", "running")
	if r := d.virtlxc("attach-disk", "ad", loop, "sdc", "--live"); r.rc != 0 || !strings.Contains(r.stdout, "Disk attached successfully") {
		t.Fatalf("attach-disk: %s", r)
	}
	if r := d.both(t, "domblklist", "ad"); !strings.Contains(r.stdout, "sdc") || !strings.Contains(r.stdout, loop) {
		t.Errorf("domblklist after attach-disk:\n%s", r)
	}
	d.both(t, "domblklist", "ad", "--details")
	d.both(t, "domblklist", "ad", "--inactive")
	d.both(t, "domblklist", "nosuch")
	if r := d.virtlxc("detach-disk", "ad", "sdc", "--live"); r.rc != 0 || !strings.Contains(r.stdout, "Disk detached successfully") {
		t.Fatalf("detach-disk: %s", r)
	}
	if r := d.both(t, "domblklist", "ad"); strings.Contains(r.stdout, "sdc") {
		t.Errorf("domblklist after detach-disk:\n%s", r)
	}
}

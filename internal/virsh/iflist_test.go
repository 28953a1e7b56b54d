package virsh

import "testing"

func TestInterfaceRows(t *testing.T) {
	doc := `<domain type='lxc'><name>x</name><devices>
  <interface type='network'><mac address='52:54:00:aa:00:01'/><source network='default' portid='1' bridge='virbr0'/><target dev='vnet3'/><guest dev='eth0'/></interface>
  <interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface>
  <interface type='ethernet'><source><ip address='10.0.0.1' prefix='24'/></source><mac address='52:54:00:aa:00:03'/></interface>
  <filesystem type='mount'><source dir='/'/><target dir='/'/></filesystem>
</devices></domain>`
	rows, err := interfaceRows(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := [][5]string{
		{"vnet3", "network", "default", "-", "52:54:00:aa:00:01"},
		{"-", "bridge", "br0", "virtio", "-"},
		{"-", "ethernet", "-", "-", "52:54:00:aa:00:03"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %v, want %v", i, rows[i], want[i])
		}
	}
}

package hostinfo

import "testing"

// TestSysinfoFormat checks libvirt's section and entry order, indentation,
// escaping and "Not Specified" for empty values, on a QEMU-like DMI tree.
func TestSysinfoFormat(t *testing.T) {
	const d = "sys/class/dmi/id/"
	root := writeTree(t, map[string]string{
		d + "bios_vendor":       "SeaBIOS\n",
		d + "bios_version":      "1.16.2-debian-1.16.2-1\n",
		d + "bios_date":         "04/01/2014\n",
		d + "bios_release":      "0.0\n",
		d + "sys_vendor":        "QEMU\n",
		d + "product_name":      "Standard PC (Q35 + ICH9, 2009)\n",
		d + "product_version":   "pc-q35-8.2\n",
		d + "product_serial":    "\n",
		d + "product_uuid":      "4c4c4544-0042-3610-8052-b4c04f4e3132\n",
		d + "product_family":    "Virtual   \n",
		d + "board_vendor":      "Tom & Jerry's <board>\n",
		d + "chassis_vendor":    "QEMU\n",
		d + "chassis_version":   "pc-q35-8.2\n",
		d + "chassis_serial":    "\n",
		d + "chassis_asset_tag": "\n",
		d + "chassis_type":      "1\n",
		d + "modalias":          "dmi:bvnSeaBIOS:\n",
	})
	want := `<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>SeaBIOS</entry>
    <entry name='version'>1.16.2-debian-1.16.2-1</entry>
    <entry name='date'>04/01/2014</entry>
    <entry name='release'>0.0</entry>
  </bios>
  <system>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='product'>Standard PC (Q35 + ICH9, 2009)</entry>
    <entry name='version'>pc-q35-8.2</entry>
    <entry name='serial'>Not Specified</entry>
    <entry name='uuid'>4c4c4544-0042-3610-8052-b4c04f4e3132</entry>
    <entry name='family'>Virtual</entry>
  </system>
  <baseBoard>
    <entry name='manufacturer'>Tom &amp; Jerry&apos;s &lt;board&gt;</entry>
  </baseBoard>
  <chassis>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='version'>pc-q35-8.2</entry>
    <entry name='serial'>Not Specified</entry>
    <entry name='asset'>Not Specified</entry>
  </chassis>
</sysinfo>
`
	diffLines(t, Sysinfo(root), want)

	// The SMBIOS UUID then also becomes the host UUID.
	if u, src := hostUUID([]string{"", "4C4C4544-0042-3610-8052-B4C04F4E3132\n"}, ""); u != "4c4c4544-0042-3610-8052-b4c04f4e3132" || src != UUIDFromSMBIOS {
		t.Errorf("hostUUID = %q, %q", u, src)
	}
}

func TestSysinfoUnavailable(t *testing.T) {
	if got := Sysinfo(t.TempDir()); got != "" {
		t.Errorf("Sysinfo without DMI = %q, want \"\"", got)
	}
	if got := Sysinfo(snapshotRoot); got != "" {
		t.Errorf("Sysinfo of the snapshot (no DMI, like the reference host) = %q", got)
	}
	empty := writeTree(t, map[string]string{"sys/class/dmi/id/modalias": "dmi:\n"})
	if got := Sysinfo(empty); got != "<sysinfo type='smbios'/>\n" {
		t.Errorf("Sysinfo with no readable field = %q", got)
	}
}

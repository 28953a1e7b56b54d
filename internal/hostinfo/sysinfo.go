package hostinfo

import (
	"os"
	"path/filepath"
	"strings"
)

// SysinfoUnavailable is the message of libvirt's VIR_ERR_CONFIG_UNSUPPORTED
// error for CONNECT_GET_SYSINFO when the host has no SMBIOS data (Sysinfo
// returns ""). The reference host is such a host: its daemon logged
// "dmidecode ... /dev/mem: No such file or directory" at start.
const SysinfoUnavailable = "Host SMBIOS information is not available"

// dmiSection is one sysinfo section: its element name and its entries, each
// an entry name and the /sys/class/dmi/id file holding the value, in the
// order libvirt's virSysinfoFormat writes them.
type dmiSection struct {
	element string
	entries [][2]string
}

var dmiSections = []dmiSection{
	{"bios", [][2]string{
		{"vendor", "bios_vendor"}, {"version", "bios_version"},
		{"date", "bios_date"}, {"release", "bios_release"},
	}},
	{"system", [][2]string{
		{"manufacturer", "sys_vendor"}, {"product", "product_name"},
		{"version", "product_version"}, {"serial", "product_serial"},
		{"uuid", "product_uuid"}, {"sku", "product_sku"},
		{"family", "product_family"},
	}},
	// The kernel does not export the board's "Location In Chassis".
	{"baseBoard", [][2]string{
		{"manufacturer", "board_vendor"}, {"product", "board_name"},
		{"version", "board_version"}, {"serial", "board_serial"},
		{"asset", "board_asset_tag"},
	}},
	// Nor the chassis "SKU Number".
	{"chassis", [][2]string{
		{"manufacturer", "chassis_vendor"}, {"version", "chassis_version"},
		{"serial", "chassis_serial"}, {"asset", "chassis_asset_tag"},
	}},
}

// Sysinfo returns the CONNECT_GET_SYSINFO document, libvirt's
// <sysinfo type='smbios'> as virSysinfoFormat writes it, built from
// ROOT/sys/class/dmi/id (root "" means "/"). A section appears when one of
// its files can be read, an entry when its file can be read; an empty value
// reads "Not Specified", as dmidecode prints it.
//
// libvirt parses dmidecode's output instead, which also yields processor,
// memory_device and oemStrings sections; the kernel does not export those,
// so they are never present here.
//
// Sysinfo returns "" when /sys/class/dmi/id does not exist: the daemon must
// then fail the call with VIR_ERR_OPERATION_INVALID and SysinfoUnavailable,
// as libvirt does when dmidecode finds no SMBIOS tables.
func Sysinfo(root string) string {
	if root == "" {
		root = "/"
	}
	dir := filepath.Join(root, "sys/class/dmi/id")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	var children xmlBuf
	children.in()
	for _, sec := range dmiSections {
		var lines []string
		for _, e := range sec.entries {
			raw, err := os.ReadFile(filepath.Join(dir, e[1]))
			if err != nil {
				continue
			}
			v := strings.TrimRight(string(raw), " \t\r\n")
			if v == "" {
				v = "Not Specified"
			}
			lines = append(lines, "<entry name='"+e[0]+"'>"+esc(v)+"</entry>")
		}
		if len(lines) > 0 {
			children.line("<%s>", sec.element)
			children.in()
			for _, l := range lines {
				children.line("%s", l)
			}
			children.out()
			children.line("</%s>", sec.element)
		}
	}
	if children.Len() == 0 {
		return "<sysinfo type='smbios'/>\n"
	}
	return "<sysinfo type='smbios'>\n" + children.String() + "</sysinfo>\n"
}

package caps

import "fmt"

// capName pairs a capability's lowercase name (without the CAP_ prefix) with
// its kernel number from <linux/capability.h>.
type capName struct {
	name string
	num  int
}

// libvirtCaps is libvirt's virDomainProcessCapsFeature enum, in enum order:
// the names accepted in `<features><capabilities>`. The order is libvirt's
// (not quite alphabetical: setgid comes before setfcap) and is kept so that
// iteration matches lxcContainerDropCapabilities.
var libvirtCaps = [...]capName{
	{"audit_control", 30},
	{"audit_write", 29},
	{"block_suspend", 36},
	{"chown", 0},
	{"dac_override", 1},
	{"dac_read_search", 2},
	{"fowner", 3},
	{"fsetid", 4},
	{"ipc_lock", 14},
	{"ipc_owner", 15},
	{"kill", 5},
	{"lease", 28},
	{"linux_immutable", 9},
	{"mac_admin", 33},
	{"mac_override", 32},
	{"mknod", 27},
	{"net_admin", 12},
	{"net_bind_service", 10},
	{"net_broadcast", 11},
	{"net_raw", 13},
	{"setgid", 6},
	{"setfcap", 31},
	{"setpcap", 8},
	{"setuid", 7},
	{"sys_admin", 21},
	{"sys_boot", 22},
	{"sys_chroot", 18},
	{"sys_module", 16},
	{"sys_nice", 23},
	{"sys_pacct", 20},
	{"sys_ptrace", 19},
	{"sys_rawio", 17},
	{"sys_resource", 24},
	{"sys_time", 25},
	{"sys_tty_config", 26},
	{"syslog", 34},
	{"wake_alarm", 35},
}

// kernelOnlyCaps are capabilities newer kernels define but libvirt's XML
// does not name. libvirt never touches them, so under the default and allow
// policies the container keeps them; they only need names for display.
var kernelOnlyCaps = [...]capName{
	{"audit_read", 37},
	{"perfmon", 38},
	{"bpf", 39},
	{"checkpoint_restore", 40},
}

// Kernel numbers of the capabilities the default policy treats specially.
const (
	capMknod        = 27
	capSysModule    = 16
	capSysTime      = 25
	capSysBoot      = 22
	capAuditControl = 30
	capMacAdmin     = 33
)

// maxCap is the highest capability number a Set can hold.
const maxCap = 63

// LibvirtNames returns the 37 capability names libvirt accepts in
// `<features><capabilities>`, in libvirt's enum order (audit_control …
// wake_alarm).
func LibvirtNames() []string {
	names := make([]string, len(libvirtCaps))
	for i, c := range libvirtCaps {
		names[i] = c.name
	}
	return names
}

// Lookup returns the kernel number of a capability named as in libvirt's
// XML (lowercase, without CAP_, e.g. "sys_admin"). Only the names listed by
// [LibvirtNames] are found.
func Lookup(name string) (int, bool) {
	for _, c := range libvirtCaps {
		if c.name == name {
			return c.num, true
		}
	}
	return 0, false
}

// Name returns the lowercase name of kernel capability number c without the
// CAP_ prefix, or "cap_N" for a number this package has no name for.
//
// The tables are searched, not indexed by maps built at start-up: every
// process that links this package (each container's controller) would
// otherwise keep those maps for its whole life.
func Name(c int) string {
	for _, t := range [...][]capName{libvirtCaps[:], kernelOnlyCaps[:]} {
		for _, e := range t {
			if e.num == c {
				return e.name
			}
		}
	}
	return fmt.Sprintf("cap_%d", c)
}

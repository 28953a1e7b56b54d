// Package audit builds libvirt's audit records (VIRT_MACHINE_ID,
// VIRT_CONTROL and VIRT_RESOURCE, spec §5) in libvirt's exact text formats
// and sends them to the kernel audit subsystem over NETLINK_AUDIT, or to
// the daemon's log when the kernel does not take them.
//
// The formatting functions are pure; Sender is the only part that touches
// the kernel.
package audit

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is an audit message type of libvirt's virtualisation records.
type Type uint16

// The audit message types libvirt uses (linux/audit.h).
const (
	VirtControl   Type = 2500 // AUDIT_VIRT_CONTROL
	VirtResource  Type = 2501 // AUDIT_VIRT_RESOURCE
	VirtMachineID Type = 2502 // AUDIT_VIRT_MACHINE_ID
)

// String returns the type's name as auditd prints it.
func (t Type) String() string {
	switch t {
	case VirtControl:
		return "VIRT_CONTROL"
	case VirtResource:
		return "VIRT_RESOURCE"
	case VirtMachineID:
		return "VIRT_MACHINE_ID"
	}
	return "UNKNOWN[" + strconv.Itoa(int(t)) + "]"
}

// virtType is the virt= field of every LXC record.
const virtType = "lxc"

// Record is one audit record: its type, libvirt's message text (what
// libvirt passes to audit_log_user_message) and the success flag.
type Record struct {
	Type    Type
	Text    string
	Success bool
}

// Result is libaudit's res= value of the record: success or failed.
func (r Record) Result() string {
	if r.Success {
		return "success"
	}
	return "failed"
}

// Message is the full text libaudit sends to the kernel for r from the
// program exe: the message followed by exe, hostname, addr, terminal and
// res fields (a daemon has no terminal, hostname or address: "?").
func (r Record) Message(exe string) string {
	return r.Text + " exe=" + encodeValue(exe) + " hostname=? addr=? terminal=? res=" + r.Result()
}

// Domain identifies the domain a record is about.
type Domain struct {
	Name string
	UUID string // canonical, lowercase with dashes
}

// needsEncoding is libaudit's audit_value_needs_encoding: a double quote,
// a byte below 0x21 (space and control characters) or above 0x7e.
func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c < 0x21 || c > 0x7e {
			return true
		}
	}
	return false
}

// encodeValue is a value as libaudit encodes it: uppercase hex of its
// bytes when it needs encoding, otherwise the value in double quotes.
func encodeValue(s string) string {
	if needsEncoding(s) {
		return fmt.Sprintf("%X", []byte(s))
	}
	return `"` + s + `"`
}

// Encode is virAuditEncode: key=value with the value encoded as libaudit
// does; a nil value is "?" before encoding (key="?").
func Encode(key string, value *string) string {
	v := "?"
	if value != nil {
		v = *value
	}
	return key + "=" + encodeValue(v)
}

// str returns a pointer to s, nil for "" (libvirt's NULL).
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// head is the fields common to resource records up to uuid.
func (d Domain) fields() string {
	return Encode("vm", &d.Name) + " uuid=" + d.UUID
}

// MachineID is the VIRT_MACHINE_ID record of one security label; empty
// contexts or model print as a bare "?".
func MachineID(d Domain, vmCtx, imgCtx, model string, success bool) Record {
	return Record{Type: VirtMachineID, Success: success, Text: fmt.Sprintf("virt=%s %s vm-ctx=%s img-ctx=%s model=%s",
		virtType, d.fields(), orQ(vmCtx), orQ(imgCtx), orQ(model))}
}

// orQ is s, or "?" when empty.
func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// Control reasons and operations of VIRT_CONTROL records.
const (
	ReasonBooted    = "booted"    // start by API, create or autostart
	ReasonReboot    = "reboot"    // start or stop around a guest reboot
	ReasonShutdown  = "shutdown"  // the container's init exited
	ReasonDestroyed = "destroyed" // destroy API or autodestroy
	ReasonFailed    = "failed"    // the controller was gone on reconnect
	ReasonStart     = "start"     // resource records of a start
	ReasonAttach    = "attach"    // hotplug
	ReasonDetach    = "detach"    // hot-unplug
)

// Lifecycle is virDomainAuditLifecycle: VIRT_CONTROL op=start or op=stop
// with reason and the controller's pid.
func Lifecycle(d Domain, op, reason string, vmPID int, success bool) Record {
	return Record{Type: VirtControl, Success: success, Text: fmt.Sprintf("virt=%s op=%s reason=%s %s vm-pid=%d",
		virtType, op, reason, d.fields(), vmPID)}
}

// Start is the op=start record (reason booted or reboot).
func Start(d Domain, reason string, vmPID int, success bool) Record {
	return Lifecycle(d, "start", reason, vmPID, success)
}

// Stop is the op=stop record; libvirt always reports success.
func Stop(d Domain, reason string, vmPID int) Record {
	return Lifecycle(d, "stop", reason, vmPID, true)
}

// Init is virDomainAuditInit: op=init with the controller's pid, init's
// host pid and the inode of init's pid namespace (always success).
func Init(d Domain, vmPID, initPID int, pidNS uint64) Record {
	return Record{Type: VirtControl, Success: true, Text: fmt.Sprintf("virt=%s op=init %s vm-pid=%d init-pid=%d pid-ns=%d",
		virtType, d.fields(), vmPID, initPID, pidNS)}
}

// GenericDev is virDomainAuditGenericDev: resrc=KIND with old-KIND and
// new-KIND values ("" is libvirt's NULL). ok is false when both are NULL:
// libvirt then sends no record.
func GenericDev(d Domain, kind, reason, oldVal, newVal string, success bool) (Record, bool) {
	if oldVal == "" && newVal == "" {
		return Record{}, false
	}
	return Record{Type: VirtResource, Success: success, Text: fmt.Sprintf("virt=%s resrc=%s reason=%s %s %s %s",
		virtType, kind, reason, d.fields(), Encode("old-"+kind, str(oldVal)), Encode("new-"+kind, str(newVal)))}, true
}

// Sized is virDomainAuditMemory / virDomainAuditVcpu: resrc=mem (KiB) or
// resrc=vcpu (count) with old and new values.
func Sized(d Domain, kind, reason string, oldVal, newVal int64, success bool) Record {
	return Record{Type: VirtResource, Success: success, Text: fmt.Sprintf("virt=%s resrc=%s reason=%s %s old-%s=%d new-%s=%d",
		virtType, kind, reason, d.fields(), kind, oldVal, kind, newVal)}
}

// USBHostdev is virDomainAuditHostdev for a USB device: resrc=dev bus=usb
// device="BBB.DDD".
func USBHostdev(d Domain, reason string, bus, device uint, success bool) Record {
	dev := fmt.Sprintf("%.3d.%.3d", bus, device)
	return Record{Type: VirtResource, Success: success, Text: fmt.Sprintf("virt=%s resrc=dev reason=%s %s bus=usb %s",
		virtType, reason, d.fields(), Encode("device", &dev))}
}

// CapsHostdev is virDomainAuditHostdev for a caps storage (key "disk") or
// misc (key "chardev") device: resrc=hostdev with the host path.
func CapsHostdev(d Domain, reason, key, path string, success bool) Record {
	return Record{Type: VirtResource, Success: success, Text: fmt.Sprintf("virt=%s resrc=hostdev reason=%s %s %s",
		virtType, reason, d.fields(), Encode(key, str(path)))}
}

// Lines joins the records' texts, one a line (for tests and logs).
func Lines(recs []Record) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.Type.String() + " " + r.Text + "\n")
	}
	return b.String()
}

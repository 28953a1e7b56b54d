package driver

import (
	"strconv"
	"syscall"

	"virtlxc/internal/audit"
	"virtlxc/internal/domainxml"
)

// auditDomain is dom's identity in audit records.
func auditDomain(dom *domain) audit.Domain {
	return audit.Domain{Name: dom.name, UUID: dom.uuid}
}

// startReason is the op=start reason of a start: booted, or reboot for a
// restart after the guest rebooted.
func startReason(reboot bool) string {
	if reboot {
		return audit.ReasonReboot
	}
	return audit.ReasonBooted
}

// auditMachineID sends the VIRT_MACHINE_ID record of the security label:
// with no security driver, libvirt's "none" model and no contexts.
func (d *Driver) auditMachineID(dom *domain) {
	d.audit.Send(audit.MachineID(auditDomain(dom), "", "", "none", true))
}

// auditStart is virDomainAuditStart: the resource records of def, then
// op=start with the controller's pid (0 on failure).
func (d *Driver) auditStart(dom *domain, def *domainxml.Domain, reboot bool, vmPID int, success bool) {
	ad := auditDomain(dom)
	if def != nil {
		for _, r := range audit.StartResources(ad, def) {
			d.audit.Send(r)
		}
	}
	if !success {
		vmPID = 0
	}
	d.audit.Send(audit.Start(ad, startReason(reboot), vmPID, success))
}

// auditInit is virDomainAuditInit: op=init with the inode of init's pid
// namespace (0 when it cannot be read).
func (d *Driver) auditInit(dom *domain, vmPID, initPID int) {
	var ino uint64
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(initPID)+"/ns/pid", &st); err == nil {
		ino = st.Ino
	}
	d.audit.Send(audit.Init(auditDomain(dom), vmPID, initPID, ino))
}

// auditStop is virDomainAuditStop. As in libvirt it runs after cleanup
// has reset the domain's pid, so vm-pid is 0.
func (d *Driver) auditStop(dom *domain, reason string) {
	d.audit.Send(audit.Stop(auditDomain(dom), reason, 0))
}

// nonNilSink is s, or audit.Discard.
func nonNilSink(s audit.Sink) audit.Sink {
	if s == nil {
		return audit.Discard
	}
	return s
}

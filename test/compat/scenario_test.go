package compat

import "testing"

// TestVirshAgainstReference replays the anchors' scenarios for the seed's
// container usage (define, dumpxml, start, create, shutdown, destroy,
// reboot, undefine, console, lxc-enter-namespace, list, dominfo, domstate,
// suspend, resume, autostart, pass-fds) with the real virsh and compares
// each output with real libvirt 9.0's. Where virtlxc differs on purpose
// (README "Differences from libvirt") the step checks virtlxc's behaviour
// instead, and says why.
func TestVirshAgainstReference(t *testing.T) {
	e := setup(t)
	for _, s := range []struct{ name, cmd string }{
		{"00-version", "V version"}, {"00-list-all-empty", "V list --all"},
		{"10-define-basic", "V define anchor-basic.xml"},
		{"11-dumpxml-inactive", "V dumpxml anchor-basic"},
		{"12-list-all-defined", "V list --all"}, {"12-list-inactive", "V list --inactive"},
		{"12-list-name", "V list --all --name"}, {"12-list-uuid", "V list --all --uuid"},
		{"13-dominfo-inactive", "V dominfo anchor-basic"},
		{"14-domstate-inactive", "V domstate anchor-basic"},
		{"14-domstate-reason-inactive", "V domstate --reason anchor-basic"},
		{"15-domid-inactive", "V domid anchor-basic"}, {"15-domuuid", "V domuuid anchor-basic"},
		{"16-autostart-enable", "V autostart anchor-basic"},
		{"16-dominfo-autostart", "V dominfo anchor-basic"},
		{"16-autostart-disable", "V autostart --disable anchor-basic"},
		{"17-start-basic", "V start anchor-basic"},
		{"18-dominfo-running", "V dominfo anchor-basic"},
		{"18-domstate-running", "V domstate anchor-basic"},
		{"18-domstate-reason-running", "V domstate --reason anchor-basic"},
		{"18-domid-running", "V domid anchor-basic"},
		{"19-dumpxml-running", "V dumpxml anchor-basic"},
		{"19-dumpxml-inactive-while-running", "V dumpxml --inactive anchor-basic"},
		{"C1-dommemstat-running", "V dommemstat anchor-basic"},
		{"C1-cpu-stats-total", "V cpu-stats anchor-basic --total"},
		{"22-enter-ns-nonexistent-cmd", "V lxc-enter-namespace anchor-basic -- /no/such/cmd"},
	} {
		e.check(s.name, s.cmd)
	}
	e.checkAs("22-enter-ns-exitcode", "virsh -c lxc:///system lxc-enter-namespace anchor-basic -- /bin/sh -c echo out; echo err >&2; exit 7",
		"V lxc-enter-namespace anchor-basic -- /bin/sh -c 'echo out; echo err >&2; exit 7'")
	e.checkAs("23-console-basic", `console anchor-basic hello-from-host\n 1`, console("anchor-basic", `hello-from-host\n`, "1"))
	for _, s := range []struct{ name, cmd string }{
		{"24-suspend", "V suspend anchor-basic"},
		{"24-domstate-reason-paused", "V domstate --reason anchor-basic"},
		{"24-dominfo-paused", "V dominfo anchor-basic"},
		{"24-suspend-again", "V suspend anchor-basic"},
		{"25-resume", "V resume anchor-basic"},
		{"25-domstate-reason-resumed", "V domstate --reason anchor-basic"},
		{"25-resume-again", "V resume anchor-basic"},
		// libvirt's default shutdown does nothing without an initctl
		// FIFO; virtlxc falls back to SIGTERM as the docs promise.
		{"26-shutdown-default", "V shutdown anchor-basic"},
	} {
		e.check(s.name, s.cmd)
	}
	e.waitState("anchor-basic", "shut off")
	for _, s := range []struct{ name, cmd string }{
		{"26-shutdown-inactive", "V shutdown anchor-basic"},
		{"27-start-again", "V start anchor-basic"},
		{"28-start-running", "V start anchor-basic"},
		{"29-destroy", "V destroy anchor-basic"},
		{"29-domstate-reason-destroyed", "V domstate --reason anchor-basic"},
		{"29-destroy-inactive", "V destroy anchor-basic"},
		{"29-suspend-inactive", "V suspend anchor-basic"},
		{"29-enter-ns-inactive", "V lxc-enter-namespace anchor-basic -- /bin/true"},
		{"30-start-then-undefine-running", "V start anchor-basic"},
		{"30-undefine-running", "V undefine anchor-basic"},
		{"30-list-all-after-undefine-running", "V list --all"},
		{"30-dominfo-after-undefine-running", "V dominfo anchor-basic"},
		{"30-destroy-transient", "V destroy anchor-basic"},
		{"30-list-all-after-destroy", "V list --all"},
		{"31-define-again", "V define anchor-basic.xml"},
		{"31-define-redefine", "V define anchor-basic.xml"},
		{"31-undefine", "V undefine anchor-basic"},
		{"31-undefine-missing", "V undefine anchor-basic"},
		{"31-dominfo-missing", "V dominfo anchor-basic"},
		{"31-list-all-final", "V list --all"},
		{"40-define-broken-xml", "V define anchor-broken.xml"},
		{"40-define-noinit", "V define anchor-noinit.xml"},
		{"40-dumpxml-noinit", "V dumpxml anchor-noinit"},
		{"40-undefine-noinit", "V undefine anchor-noinit"},
		{"41-create-badinit", "V create anchor-badinit.xml"},
		{"60-define-hostroot", "V define anchor-hostroot.xml"},
		{"60-dumpxml-inactive-hostroot", "V dumpxml anchor-hostroot"},
		{"61-start-hostroot", "V start anchor-hostroot"},
		{"61-dumpxml-running-hostroot", "V dumpxml anchor-hostroot"},
		{"64-destroy-hostroot", "V destroy anchor-hostroot"},
		{"64-undefine-hostroot", "V undefine anchor-hostroot"},
		{"70-create-transient", "V create anchor-transient.xml"},
		{"70-list-all-transient", "V list --all"},
		{"70-dominfo-transient", "V dominfo anchor-transient"},
		{"70-dumpxml-transient", "V dumpxml anchor-transient"},
		{"70-create-duplicate", "V create anchor-transient.xml"},
		{"71-shutdown-signal-transient", "V shutdown --mode signal anchor-transient"},
	} {
		e.check(s.name, s.cmd)
	}
	e.waitState("anchor-transient", "")
	for _, s := range []struct{ name, cmd string }{
		{"71-list-all-after-transient-shutdown", "V list --all"},
		{"71-domstate-after-transient-shutdown", "V domstate anchor-transient"},
		{"73-create-autodestroy", "V create anchor-transient.xml --autodestroy"},
		{"73-list-after-autodestroy", "V list --all"},
		{"A0-define-passfds", "V define anchor-passfds.xml"},
		{"A5-start-pass-fds-badfd", "V start anchor-passfds --pass-fds 9"},
		{"A8-undefine-passfds", "V undefine anchor-passfds"},
		{"C0-define-tune", "V define anchor-basic.xml"},
		{"C0-memtune-inactive", "V memtune anchor-basic"},
		{"C0-blkiotune-inactive", "V blkiotune anchor-basic"},
		{"C0-dommemstat-inactive", "V dommemstat anchor-basic"},
		{"C0-vcpuinfo-unsupported", "V vcpuinfo anchor-basic"},
		{"C0-domtime-unsupported", "V domtime anchor-basic"},
		{"C9-undefine-tune", "V undefine anchor-basic"},
	} {
		e.check(s.name, s.cmd)
	}
}

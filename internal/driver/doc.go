// Package driver is virtlxc's LXC domain driver: the registry of domains
// (persistent configs and live status), their lifecycle state machine,
// lifecycle events, autostart and live tuning, as libvirt 9.0's LXC driver
// behaves (see the spec §1 and §3).
//
// The RPC handlers call a *Driver; nothing here knows the wire protocol.
// Errors returned by exported methods are *virerr.Error values carrying
// libvirt's codes and messages.
//
// Each running domain has one controller process (virtlxc-controller),
// started detached so that it survives the daemon: exec'd, or a spare
// controller booted ahead of the start (spare.go) handed its command line
// and descriptors. The driver talks to it only through monitor streams
// (internal/monitor): the ready socket given at the launch, on which the
// controller announces init and which goes on as the driver's watch, and
// the monitor socket for requests and for watches after a daemon restart,
// when the status file STATE/NAME.xml finds it again. The driver watches
// every controller as its reaper: it removes the container's cgroups once
// the controller has exited, as libvirtd does. Process start-up and the
// monitor are behind the Launcher interface so that the lifecycle logic is
// tested without root.
package driver

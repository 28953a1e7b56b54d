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
// started detached so that it survives the daemon. The driver talks to it
// only through the monitor socket (internal/monitor) and finds it again
// after a daemon restart from the status file STATE/NAME.xml. Process
// start-up and the monitor are behind the Launcher interface so that the
// lifecycle logic is tested without root.
package driver

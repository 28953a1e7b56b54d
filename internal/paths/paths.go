// Package paths describes libvirt's LXC driver file layout (persistent
// configs, autostart links, live state, logs and the daemon sockets) and
// makes it relocatable under an arbitrary root directory, so that private
// daemons can run side by side with the system one.
package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// System paths used when no root is given; they match libvirt's LXC driver.
const (
	// SystemConfigDir holds persistent domain configs (NAME.xml).
	SystemConfigDir = "/etc/libvirt/lxc"
	// SystemAutostartDir holds autostart symlinks (NAME.xml -> config).
	SystemAutostartDir = "/etc/libvirt/lxc/autostart"
	// SystemStateDir holds live status XML, pid files and monitor sockets.
	SystemStateDir = "/run/libvirt/lxc"
	// SystemLogDir holds the per-container logs (NAME.log).
	SystemLogDir = "/var/log/libvirt/lxc"
	// SystemSocket is the daemon's read-write socket.
	SystemSocket = "/run/libvirt/virtlxcd-sock"
	// SystemDriverConf is the driver configuration file (lxc.conf).
	SystemDriverConf = "/etc/libvirt/lxc.conf"
	// SystemHookScript is the LXC hook script.
	SystemHookScript = "/etc/libvirt/hooks/lxc"
	// SystemNetworkConfigDir holds persistent network configs (NAME.xml),
	// where libvirt's network driver keeps them.
	SystemNetworkConfigDir = "/etc/libvirt/qemu/networks"
	// SystemNetworkAutostartDir holds network autostart symlinks.
	SystemNetworkAutostartDir = "/etc/libvirt/qemu/networks/autostart"
	// SystemNetworkStateDir holds the live XML of active networks.
	SystemNetworkStateDir = "/run/libvirt/network"
	// SystemDnsmasqDir holds the networks' dnsmasq configurations and
	// leases.
	SystemDnsmasqDir = "/var/lib/libvirt/dnsmasq"
)

// ReadOnlySuffix is appended to the read-write socket path to form the
// read-only socket path.
const ReadOnlySuffix = "-ro"

// Layout is the set of directories and files used by the daemon. Every
// path is absolute when Root is absolute (or empty). The per-domain methods
// do not validate the domain name; callers must check it with ValidName
// before using the returned path.
type Layout struct {
	// Root is the directory every path is relocated under; "" means the
	// system paths.
	Root string
	// ConfigDir holds persistent domain configs: ConfigDir/NAME.xml.
	ConfigDir string
	// AutostartDir holds autostart links: AutostartDir/NAME.xml.
	AutostartDir string
	// StateDir holds live status XML, pid files and monitor sockets.
	StateDir string
	// LogDir holds per-container logs: LogDir/NAME.log.
	LogDir string
	// Socket is the read-write daemon socket.
	Socket string
	// SocketRO is the read-only daemon socket (Socket + "-ro").
	SocketRO string
	// DriverConf is the driver configuration file (lxc.conf).
	DriverConf string
	// HookScript is the LXC hook script path.
	HookScript string
	// NetworkConfigDir holds persistent network configs: NAME.xml.
	NetworkConfigDir string
	// NetworkAutostartDir holds network autostart links: NAME.xml.
	NetworkAutostartDir string
	// NetworkStateDir holds the live XML of active networks: NAME.xml.
	NetworkStateDir string
	// DnsmasqDir holds dnsmasq's NAME.conf, hosts files and BRIDGE.leases.
	DnsmasqDir string
}

// New returns the layout for root. With root == "" the system paths are
// used; otherwise every system path is prefixed with root. A non-empty
// socket overrides the read-write socket path, and the read-only socket
// becomes socket + "-ro".
func New(root, socket string) Layout {
	under := func(p string) string {
		if root == "" {
			return p
		}
		return filepath.Join(root, p)
	}
	l := Layout{
		Root:         root,
		ConfigDir:    under(SystemConfigDir),
		AutostartDir: under(SystemAutostartDir),
		StateDir:     under(SystemStateDir),
		LogDir:       under(SystemLogDir),
		Socket:       under(SystemSocket),
		DriverConf:   under(SystemDriverConf),
		HookScript:   under(SystemHookScript),

		NetworkConfigDir:    under(SystemNetworkConfigDir),
		NetworkAutostartDir: under(SystemNetworkAutostartDir),
		NetworkStateDir:     under(SystemNetworkStateDir),
		DnsmasqDir:          under(SystemDnsmasqDir),
	}
	if socket != "" {
		l.Socket = socket
	}
	l.SocketRO = l.Socket + ReadOnlySuffix
	return l
}

// ConfigFile returns the persistent config path CONFIG/NAME.xml.
func (l Layout) ConfigFile(name string) string {
	return filepath.Join(l.ConfigDir, name+".xml")
}

// AutostartLink returns the autostart symlink path AUTOSTART/NAME.xml.
func (l Layout) AutostartLink(name string) string {
	return filepath.Join(l.AutostartDir, name+".xml")
}

// StatusFile returns the live status XML path STATE/NAME.xml.
func (l Layout) StatusFile(name string) string {
	return filepath.Join(l.StateDir, name+".xml")
}

// PidFile returns the controller pid file path STATE/NAME.pid.
func (l Layout) PidFile(name string) string {
	return filepath.Join(l.StateDir, name+".pid")
}

// MonitorSocket returns the controller monitor socket path STATE/NAME.sock.
func (l Layout) MonitorSocket(name string) string {
	return filepath.Join(l.StateDir, name+".sock")
}

// DevDir returns the private /dev tmpfs mount point STATE/NAME.dev.
func (l Layout) DevDir(name string) string {
	return filepath.Join(l.StateDir, name+".dev")
}

// DevptsDir returns the private devpts mount point STATE/NAME.devpts.
func (l Layout) DevptsDir(name string) string {
	return filepath.Join(l.StateDir, name+".devpts")
}

// FuseDir returns the FUSE mount point STATE/NAME.fuse.
func (l Layout) FuseDir(name string) string {
	return filepath.Join(l.StateDir, name+".fuse")
}

// RootMount returns the block-device root mount point STATE/NAME.root.
func (l Layout) RootMount(name string) string {
	return filepath.Join(l.StateDir, name+".root")
}

// LogFile returns the per-container log path LOG/NAME.log.
func (l Layout) LogFile(name string) string {
	return filepath.Join(l.LogDir, name+".log")
}

// DriverPidFile returns the driver lock file STATE/driver.pid.
func (l Layout) DriverPidFile() string {
	return filepath.Join(l.StateDir, "driver.pid")
}

// AutostartedMarker returns the autostart-once marker STATE/autostarted.
func (l Layout) AutostartedMarker() string {
	return filepath.Join(l.StateDir, "autostarted")
}

// NetworkStatusFile returns the live XML path of an active network,
// NETWORKSTATE/NAME.xml.
func (l Layout) NetworkStatusFile(name string) string {
	return filepath.Join(l.NetworkStateDir, name+".xml")
}

// MkdirAll creates the config, autostart, state and log directories with
// mode 0700, and the socket's parent directory with mode 0755. Missing
// intermediate directories are created 0755 so that the read-only socket
// stays reachable; existing directories keep their mode.
func (l Layout) MkdirAll() error {
	dirs := []struct {
		path string
		mode os.FileMode
	}{
		{l.ConfigDir, 0o700},
		{l.AutostartDir, 0o700},
		{l.StateDir, 0o700},
		{l.LogDir, 0o700},
		{filepath.Dir(l.Socket), 0o755},
	}
	for _, d := range dirs {
		if err := mkdir(d.path, d.mode); err != nil {
			return err
		}
	}
	return nil
}

// mkdir creates dir with mode, its missing parents with 0755.
func mkdir(dir string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", filepath.Dir(dir), err)
	}
	if err := os.Mkdir(dir, mode); err != nil {
		if errors.Is(err, os.ErrExist) {
			if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
				return nil
			}
		}
		return fmt.Errorf("cannot create directory %s: %w", dir, err)
	}
	return nil
}

// NameError reports a domain name that cannot be used as a file name
// component. Its Error text is libvirt's message for the case.
type NameError struct {
	// Name is the rejected name.
	Name string
	// Msg is the complete, libvirt-style message.
	Msg string
}

// Error returns the message, e.g. "name a/b cannot contain '/'".
func (e *NameError) Error() string { return e.Msg }

// ValidName returns a *NameError if name cannot be a single file name
// component: empty, "." or "..", containing '/' or a NUL byte.
func ValidName(name string) error {
	switch {
	case name == "":
		return &NameError{Name: name, Msg: "missing name information"}
	case strings.ContainsRune(name, '/'):
		return &NameError{Name: name, Msg: fmt.Sprintf("name %s cannot contain '/'", name)}
	case strings.ContainsRune(name, 0):
		return &NameError{Name: name, Msg: fmt.Sprintf("name %q cannot contain a NUL byte", name)}
	case name == "." || name == "..":
		return &NameError{Name: name, Msg: fmt.Sprintf("name %s is not a valid file name", name)}
	}
	return nil
}

// Package daemon wires virtlxcd together: the libvirt file layout, the LXC
// driver, the RPC server with every procedure registered, and the
// read-write and read-only unix sockets.
package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/audit"
	"virtlxc/internal/driver"
	"virtlxc/internal/hostinfo"
	"virtlxc/internal/network"
	"virtlxc/internal/paths"
	"virtlxc/internal/remote"
	"virtlxc/internal/rpc/server"
)

// Options are virtlxcd's flags (INTERFACE.md).
type Options struct {
	Root           string // --root: relocate every libvirt path under it
	Socket         string // --socket: the read-write socket (ro = +"-ro")
	PidFile        string // --pid-file
	ControllerPath string // the virtlxc-controller binary; empty: beside virtlxcd
	Log            *slog.Logger
	// DefaultNetwork installs libvirt's `default` network (NAT on
	// virbr0) when the daemon first starts: "yes", "no", or "" (auto:
	// only for the system daemon, without --root).
	DefaultNetwork string
	// SpareController "no" starts every controller with an exec instead
	// of keeping one booted ahead of the next start.
	SpareController string
	// Ready, when set, is called once both sockets listen.
	Ready func()
}

// CgroupScope is the cgroup partition component that keeps a private
// daemon's (--root) containers apart from every other daemon's.
func CgroupScope(root string) string {
	if root == "" {
		return ""
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	sum := sha256.Sum256([]byte(abs))
	return "virtlxc-" + hex.EncodeToString(sum[:6])
}

// Run serves until ctx ends, then stops serving and leaves containers
// running (they are found again by the next daemon).
func Run(ctx context.Context, opts Options) error {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	layout := paths.New(opts.Root, opts.Socket)
	if err := layout.MkdirAll(); err != nil {
		return fmt.Errorf("creating libvirt's directories: %w", err)
	}
	ctrl := opts.ControllerPath
	if ctrl == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding virtlxcd's own path: %w", err)
		}
		ctrl = filepath.Join(filepath.Dir(self), "virtlxc-controller")
	}
	if opts.PidFile != "" {
		unlock, err := lockPidFile(opts.PidFile)
		if err != nil {
			return err
		}
		defer unlock()
	}
	auditor := audit.Open(log)
	defer auditor.Close()
	_, err := os.Stat(layout.NetworkConfigDir)
	firstStart := os.IsNotExist(err)
	nets := network.NewRegistry(network.Config{ConfigDir: layout.NetworkConfigDir,
		AutostartDir: layout.NetworkAutostartDir, StateDir: layout.NetworkStateDir,
		DnsmasqDir: layout.DnsmasqDir, Log: log})
	if err := nets.Load(); err != nil {
		// Networks that failed to load or autostart are logged; the
		// daemon serves the others.
		log.Error("loading networks", "err", err)
	}
	if firstStart && (opts.DefaultNetwork == "yes" || opts.DefaultNetwork == "" && opts.Root == "") {
		if err := nets.InstallDefault(); err != nil {
			log.Error("installing the default network", "err", err)
		}
	}
	drv, err := driver.New(driver.Options{
		Layout: layout, ControllerPath: ctrl, CgroupScope: CgroupScope(opts.Root), Log: log, Audit: auditor, Networks: nets,
		// Shown in XML and capabilities as Debian's libvirt shows it;
		// the driver runs virtlxc's controller for it.
		Emulator:        hostinfo.DefaultEmulator,
		SpareController: opts.SpareController != "no",
	})
	if err != nil {
		return err
	}
	defer drv.Close()
	srv := server.New(log, server.Options{})
	remote.Register(srv, drv, nets, hostAnswers{emulator: hostinfo.DefaultEmulator}, log)
	rw, err := listen(layout.Socket, 0o600)
	if err != nil {
		return err
	}
	ro, err := listen(layout.SocketRO, 0o666)
	if err != nil {
		rw.Close()
		return err
	}
	defer os.Remove(layout.Socket)
	defer os.Remove(layout.SocketRO)
	errs := make(chan error, 2)
	go func() { errs <- srv.Serve(rw, false) }()
	go func() { errs <- srv.Serve(ro, true) }()
	log.Info("virtlxcd listening", "socket", layout.Socket, "ro", layout.SocketRO, "root", opts.Root)
	if opts.Ready != nil {
		opts.Ready()
	}
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	srv.Close()
	return err
}

// listen opens a unix socket, replacing a stale one left by a dead daemon
// and refusing to steal a live daemon's.
func listen(path string, mode os.FileMode) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		c, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			c.Close()
			return nil, fmt.Errorf("another daemon is already listening on %s", path)
		}
		_ = os.Remove(path)
	}
	old := unix.Umask(0o077)
	l, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	if err := os.Chmod(path, mode); err != nil {
		l.Close()
		return nil, fmt.Errorf("setting the mode of %s: %w", path, err)
	}
	return l, nil
}

// lockPidFile writes and locks the daemon's pid file; a second daemon on
// the same file fails with a clear message.
func lockPidFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening pid file %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("pid file %s is locked: another virtlxcd is running", path)
		}
		return nil, fmt.Errorf("locking pid file %s: %w", path, err)
	}
	_ = f.Truncate(0)
	if _, err := fmt.Fprintf(f, "%d\n", os.Getpid()); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing pid file %s: %w", path, err)
	}
	return func() { os.Remove(path); f.Close() }, nil
}

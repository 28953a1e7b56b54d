package daemon

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/fdclean"
	"virtlxc/internal/paths"
)

const usage = `Usage: virtlxcd [--root DIR] [--socket PATH] [--pid-file PATH] [--daemon] [--log-level LEVEL]
                [--default-network yes|no] [--spare-controller yes|no]

The virtlxc daemon: libvirt's LXC driver speaking libvirt's RPC protocol, so
virsh -c lxc:///system, python3-libvirt and go-libvirt manage its containers.

  --root DIR         put every libvirt path under DIR (private daemons, tests)
  --socket PATH      read-write socket (default /run/libvirt/virtlxcd-sock;
                     the read-only one is PATH-ro)
  --pid-file PATH    write and lock a pid file
  --daemon           detach and run in the background (logs to the log dir)
  --log-level LEVEL  debug, info, warn or error (default info)
  --default-network yes|no
                     on the first start (no network config directory yet),
                     define, autostart and start libvirt's 'default' NAT
                     network on virbr0 (default: yes without --root)
  --spare-controller yes|no
                     keep one virtlxc-controller booted (an idle process,
                     ≈ 2 MiB) for the next start, which saves it the exec
                     and Go runtime start, ≈ 1.5 ms (default: yes)

SIGTERM stops serving and leaves running containers running.
`

// Main is virtlxcd's command line: it returns the exit status.
func Main(args []string) int {
	fs := flag.NewFlagSet("virtlxcd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", "", "")
	socket := fs.String("socket", "", "")
	pidFile := fs.String("pid-file", "", "")
	background := fs.Bool("daemon", false, "")
	level := fs.String("log-level", "info", "")
	controller := fs.String("controller", "", "")
	defNet := fs.String("default-network", "", "")
	spare := fs.String("spare-controller", "yes", "")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Print(usage)
			return 0
		}
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n%s", err, usage)
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "virtlxcd: must be run as root (the LXC driver needs it)")
		return 1
	}
	if *defNet != "" && *defNet != "yes" && *defNet != "no" {
		fmt.Fprintf(os.Stderr, "virtlxcd: bad --default-network %q (yes or no)\n", *defNet)
		return 2
	}
	if *spare != "yes" && *spare != "no" {
		fmt.Fprintf(os.Stderr, "virtlxcd: bad --spare-controller %q (yes or no)\n", *spare)
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(*level))); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: bad --log-level %q\n", *level)
		return 2
	}
	// Absolute from here on: the controllers, and a daemon detached by
	// --daemon, run in "/" so that none of them holds the directory
	// virtlxcd was started from (daemon(3); libvirtd -d does the same).
	for _, p := range []*string{root, socket, pidFile, controller} {
		if *p != "" {
			abs, err := filepath.Abs(*p)
			if err != nil {
				fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
				return 1
			}
			*p = abs
		}
	}
	layout := paths.New(*root, *socket)
	// Descriptors this process inherited by accident (from a shell or a
	// supervisor) must not reach controllers and containers.
	if err := fdclean.CloseOnExecFrom(3); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
		return 1
	}
	// The modes this daemon means (0644 for the hosts files dnsmasq reads
	// after dropping its privileges, 0755 for the directories on its way)
	// and the umask containers start with must not depend on the shell it
	// was started from: 022, a systemd service's default. Private files
	// (configs, logs, sockets, state) are created with explicit modes.
	unix.Umask(0o022)
	if *background {
		var rest []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "daemon" {
				rest = append(rest, "--"+f.Name+"="+f.Value.String())
			}
		})
		return detach(rest, layout)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	err := Run(ctx, Options{Root: *root, Socket: *socket, PidFile: *pidFile, ControllerPath: *controller, DefaultNetwork: *defNet, SpareController: *spare, Log: log})
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
		return 1
	}
	return 0
}

// detach re-runs virtlxcd with rest (its options but --daemon) in a new
// session and in "/", its output in the log directory, and returns once
// its socket answers.
func detach(rest []string, layout paths.Layout) int {
	if err := os.MkdirAll(layout.LogDir, 0o700); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
		return 1
	}
	logPath := filepath.Join(layout.LogDir, "virtlxcd.log")
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
		return 1
	}
	defer logf.Close()
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
		return 1
	}
	cmd := exec.Command(self, rest...)
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxcd: %v\n", err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(10 * time.Second)
	for {
		if c, err := net.Dial("unix", layout.Socket); err == nil {
			c.Close()
			return 0
		}
		select {
		case <-exited:
			fmt.Fprintf(os.Stderr, "virtlxcd: the daemon exited during start-up; see %s\n", logPath)
			return 1
		case <-deadline:
			fmt.Fprintf(os.Stderr, "virtlxcd: the daemon did not start in 10s; see %s\n", logPath)
			return 1
		case <-time.After(10 * time.Millisecond):
		}
	}
}

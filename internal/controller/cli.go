package controller

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"virtlxc/internal/atomicfile"
	"virtlxc/internal/fdclean"
	"virtlxc/internal/keeper"
	"virtlxc/internal/memtrim"
	"virtlxc/internal/monitor"
	"virtlxc/internal/paths"
)

const usage = `Usage: virtlxc-controller --name NAME --config FILE [--root DIR] [--passfd N]...

Runs one container (libvirt's libvirt_lxc): creates its cgroup, starts its init
in new namespaces, holds its consoles, serves STATE/NAME.sock for virtlxcd and
tears everything down when init exits. virtlxcd starts it; it also runs by hand.

  --name NAME      domain name (must match the config)
  --config FILE    domain XML to run
  --validated      FILE is the live definition virtlxcd wrote (checked
                   when it was defined): read it without checking it again
  --root DIR       relocate libvirt's paths under DIR (as virtlxcd --root)
  --cgroup-scope S keep this instance's cgroups under <partition>/S.partition
  --passfd N       descriptor N (inherited) becomes init's fd 3, 4, … in order
  --log FILE       append the container log to FILE (default: stderr)
  --ready-fd N     write the init event (a monitor line) to descriptor N
                   (inherited) once init runs and the monitor socket
                   listens, then close it; on a socket, serve it as a
                   watch (init event, then exit event) for a reaper

Exit status: 0 when init ran and exited, 1 when the container failed to start.
`

// Main is the controller command: parse args, run, return the exit status.
func Main(args []string) int {
	runtime.LockOSThread() // Pdeathsig of init follows the thread that forked it
	if len(args) == 2 && args[0] == keeper.StateFlag {
		return resumeMain(args[1])
	}
	fs := flag.NewFlagSet("virtlxc-controller", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "")
	config := fs.String("config", "", "")
	root := fs.String("root", "", "")
	scope := fs.String("cgroup-scope", "", "")
	logPath := fs.String("log", "", "")
	validated := fs.Bool("validated", false, "")
	var passfds fdList
	fs.Var(&passfds, "passfd", "")
	readyFD := fs.Int("ready-fd", -1, "")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Print(usage)
			return 0
		}
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n%s", err, usage)
		return 2
	}
	if *name == "" || *config == "" {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: missing --name or --config\n%s", usage)
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "virtlxc-controller: must be run as the 'root' user")
		return 1
	}
	// Only --passfd descriptors go on to init, through exec's ExtraFiles;
	// anything else inherited stays here.
	if err := fdclean.CloseOnExecFrom(3); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n", err)
		return 1
	}
	logFile := os.Stderr
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n", err)
			return 1
		}
		defer f.Close()
		logFile = f
	}
	log := slog.New(slog.NewTextHandler(logFile, nil)).With("domain", *name)
	layout := paths.New(*root, "")
	opts := Options{
		Name: *name, ConfigFile: *config, Validated: *validated, Root: *root, CgroupScope: *scope,
		Log: log, LogFile: logFile,
	}
	for _, fd := range passfds {
		opts.PassFDs = append(opts.PassFDs, os.NewFile(uintptr(fd), "passfd-"+strconv.Itoa(fd)))
	}
	ready, watcher, err := readyFile(*readyFD)
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n", err)
		return 1
	}
	opts.Watcher = watcher
	pidFile := layout.PidFile(*name)
	opts.Ready = func(ev monitor.Event) {
		// Whole or not at all: a full /run leaves no empty pid file (the
		// daemon tracks the controller by its status file, not this).
		if err := atomicfile.Write(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
			log.Warn("writing pid file", "err", err)
		}
		if ready != nil {
			// The init event, as the monitor sends it: the daemon goes
			// on without a round trip (it may have gone: it polls too).
			_ = monitor.WriteLine(ready, ev)
			ready.Close()
		}
		go trimWhenSettled(log)
	}
	opts.Stopped = func() { _ = os.Remove(pidFile) }
	ev, err := Run(context.Background(), opts)
	_ = os.Remove(pidFile)
	if err != nil {
		fmt.Fprintf(logFile, "Failure in libvirt_lxc startup: %v\n", err)
		return 1
	}
	log.Info("container stopped", "status", ev.Status, "code", ev.Code)
	return 0
}

// readyFile turns the inherited descriptor fd (already close-on-exec, so
// it stays out of the container) into a ready pipe, or, when it is a
// socket, into the daemon's watch stream; both nil when fd is negative.
func readyFile(fd int) (*os.File, net.Conn, error) {
	if fd < 0 {
		return nil, nil, nil
	}
	f := os.NewFile(uintptr(fd), "ready")
	if _, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil {
		return f, nil, nil // not a socket: a pipe
	}
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("--ready-fd %d: %w", fd, err)
	}
	return nil, conn, nil
}

// fdList collects repeated --passfd values.
type fdList []int

func (f *fdList) String() string {
	var s []string
	for _, fd := range *f {
		s = append(s, strconv.Itoa(fd))
	}
	return strings.Join(s, ",")
}

func (f *fdList) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("Unable to parse FD number '%s'", v)
	}
	*f = append(*f, n)
	return nil
}

// settleDelay is how long after the start the controller gives its start-up
// memory back: the daemon's follow-up requests come in the meantime.
const settleDelay = 200 * time.Millisecond

// trimWhenSettled gives the resident pages of this binary back to the host
// once the container runs: an idle controller's RSS drops from ≈ 8 MiB to
// ≈ 3.5 MiB (bench/RESULTS.md).
func trimWhenSettled(log *slog.Logger) {
	time.Sleep(settleDelay)
	released, err := memtrim.Idle()
	if err != nil {
		log.Warn("giving memory back", "err", err)
		return
	}
	log.Debug("memory given back", "mapped-bytes", released)
}

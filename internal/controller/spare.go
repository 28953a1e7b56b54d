package controller

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/initproto"
	"virtlxc/internal/plan"
	"virtlxc/internal/proctitle"
)

// SpareArg is the argument that starts a spare controller: a process that
// has booted (exec, Go runtime, package initialisation: ≈ 1.5 ms) before
// any container needs it, and waits for the daemon's launch message.
//
// Its descriptors 3 … 3+SparePlaceholders-1 hold places (/dev/null) for
// those the launch message brings, which an exec'd controller finds there:
// the runtime opens its own descriptors (epoll, pipes) while the spare
// boots, and must not get those numbers. The socket to the daemon is
// descriptor SpareFD.
const SpareArg = "--spare"

// SparePlaceholders is how many descriptors a spare holds for the launch.
const SparePlaceholders = 16

// sparePrepared is closed once a spare's init stage and meminfo
// filesystem are ready (nil in a controller that was not a spare).
var sparePrepared chan struct{}

// waitSpare waits until the spare's preparation is over, so that
// spareStage and spareMeminfo may be read.
func waitSpare() {
	if sparePrepared != nil {
		<-sparePrepared
	}
}

// SpareNice is the nice value a spare boots and waits at; claimed, it
// runs at 0 like an exec'd controller.
const SpareNice = 19

// SpareFD is the spare's socket to the daemon.
const SpareFD = 3 + SparePlaceholders

// Launch is the message that turns a spare into a container's controller:
// the command line and environment an exec would have given it. The
// message carries the descriptors by SCM_RIGHTS: the log (the controller's
// stdout and stderr) first, then what becomes descriptors 3, 4, ….
type Launch struct {
	Args []string `json:"args"`
	Env  []string `json:"env"`
}

// maxLaunch bounds a launch message.
const maxLaunch = 64 << 10

// maxLaunchFDs bounds the descriptors a launch message carries.
const maxLaunchFDs = 64

// RunSpare waits for the launch message on SpareFD and then runs Main as
// the exec'd controller would; it returns Main's exit status. The daemon
// closing its end first (it stopped, or has no use for this spare) ends the
// spare with status 0.
//
// args are the spare's own: --cgroup-scope S, the daemon's scope, which
// names the group its init stage starts in, and --root R, the daemon's
// root, under whose state directory it mounts a meminfo filesystem.
func RunSpare(args []string) int {
	proctitle.Detach() // the claim shows its domain's command line
	fs := flag.NewFlagSet(SpareArg, flag.ContinueOnError)
	scope := fs.String("cgroup-scope", "", "")
	fs.String("root", "", "") // accepted: nothing of a spare lives under the daemon's root any more
	fs.SetOutput(io.Discard)
	_ = fs.Parse(args)
	// Booting and waiting at the lowest priority: the spare must not take
	// CPU from the start or destroy that is running while it boots.
	setNice(SpareNice)
	// Nothing the daemon gave the spare goes on to its init stage.
	_ = unix.CloseRange(3, SpareFD, unix.CLOSE_RANGE_CLOEXEC)
	// Prepared beside the wait, so that a launch arriving early (a tight
	// loop of starts) is taken at once: the start waits for what is not
	// ready only where it needs it (waitSpare), and by then at normal
	// priority. The caches warmUp fills are safe to share.
	stageStarted := make(chan struct{})
	prepared := make(chan struct{})
	sparePrepared = prepared
	// The stage is forked from this thread, the main one, locked: its
	// parent-death signal follows the thread that forked it, and the
	// exec to the keeper (keep) ends every other thread.
	startSpareGroup(*scope)
	startSpareStage()
	close(stageStarted)
	go func() {
		defer close(prepared)
		startSpareMeminfo()
	}()
	go func() {
		if !initproto.Pending(SpareFD) {
			warmUp()
		}
	}()
	// Whatever way this ends, nothing prepared is left behind unused (a
	// launch that failed before its controller took it, the daemon gone).
	defer (&Controller{}).discardSpare()
	buf := make([]byte, maxLaunch)
	oob := make([]byte, unix.CmsgSpace(maxLaunchFDs*4))
	n, oobn, _, _, err := unix.Recvmsg(SpareFD, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil || n == 0 {
		return 0
	}
	// The daemon reniced this process group (ClaimNice); again, for a
	// thread made meanwhile by one it had not reached yet.
	leader := unix.Getpgrp() == os.Getpid()
	if leader {
		_ = unix.Setpriority(unix.PRIO_PGRP, 0, 0)
	} else {
		setNice(0) // not started by a daemon: thread by thread
	}
	// No fork may run while the launch's descriptors (not close-on-exec)
	// are placed: the stage would inherit them.
	<-stageStarted
	if !leader && spareStage != nil {
		setNiceOf(strconv.Itoa(spareStage.cmd.Process.Pid), 0)
	}
	fds, err := launchFDs(oob[:oobn])
	if err != nil || len(fds) == 0 {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: bad launch message: %v\n", err)
		return 1
	}
	var l Launch
	if err := json.Unmarshal(buf[:n], &l); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: bad launch message: %v\n", err)
		return 1
	}
	if err := placeLaunchFDs(fds); err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n", err)
		return 1
	}
	// ps shows what an exec'd controller's command line would be, not
	// --spare: beside the start, it needs no result.
	go func() { _ = proctitle.Set(strings.Join(append([]string{os.Args[0]}, l.Args...), " ")) }()
	os.Clearenv()
	for _, kv := range l.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			_ = os.Setenv(k, v)
		}
	}
	return Main(l.Args)
}

// launchFDs extracts the descriptors of a launch message's control data.
func launchFDs(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("control message: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, fmt.Errorf("descriptors: %w", err)
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

// placeLaunchFDs puts the log (fds[0]) on 1 and 2 and the rest on 3, 4, …
// without close-on-exec, as exec would have inherited them, over the
// placeholders; it closes the socket, the unused placeholders and the
// received copies. A descriptor past the placeholders must be free (the
// runtime may hold it): otherwise the launch fails and the daemon execs a
// controller instead.
func placeLaunchFDs(fds []int) error {
	extra := fds[1:]
	for i := range extra {
		t := 3 + i
		if t < SpareFD {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(t), unix.F_GETFD, 0); err == nil || t == SpareFD {
			return fmt.Errorf("placing launch descriptors: %d is in use", t)
		}
	}
	if err := unix.Dup3(fds[0], 1, 0); err != nil {
		return fmt.Errorf("placing the log: %w", err)
	}
	if err := unix.Dup3(fds[0], 2, 0); err != nil {
		return fmt.Errorf("placing the log: %w", err)
	}
	for i, fd := range extra {
		if err := unix.Dup3(fd, 3+i, 0); err != nil {
			return fmt.Errorf("placing launch descriptors: %w", err)
		}
	}
	for _, fd := range fds {
		if fd >= 3+len(extra) {
			unix.Close(fd)
		}
	}
	for t := 3 + len(extra); t < SpareFD; t++ {
		unix.Close(t)
	}
	unix.Close(SpareFD)
	return nil
}

// warmDomain is a live definition as the daemon writes it for a
// controller, with the elements most containers have.
const warmDomain = `<domain type='lxc'>
  <name>spare</name>
  <uuid>00000000-0000-4000-8000-000000000000</uuid>
  <memory unit='KiB'>65536</memory>
  <currentMemory unit='KiB'>65536</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <resource><partition>/machine</partition></resource>
  <os><type arch='x86_64'>exe</type><init>/sbin/init</init><initarg>-v</initarg></os>
  <features><privnet/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/lib/libvirt/libvirt_lxc</emulator>
    <filesystem type='mount'><source dir='/'/><target dir='/'/></filesystem>
    <interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><target dev='vnet0'/></interface>
    <console type='pty' tty='/dev/pts/0'><source path='/dev/pts/0'/><target type='lxc' port='0'/><alias name='console0'/></console>
  </devices>
</domain>`

// warmUp parses warmDomain and encodes its plan while the spare waits:
// encoding/xml and encoding/json build their reflection caches on first
// use (≈ 0.4 ms for a domain), which a start then finds ready.
func warmUp() {
	d, err := domainxml.ParseLive([]byte(warmDomain))
	if err != nil {
		return
	}
	if sp, err := plan.Build(d, 0, plan.Host{}); err == nil {
		_, _ = json.Marshal(sp)
	}
}

// setNice gives every thread of this process the nice value n (Linux's
// nice is per thread; threads made later inherit their creator's). A
// second pass catches a thread made during the first by a thread the
// first had not reached yet.
func setNice(n int) { setNiceOf("self", n) }

// ClaimNice gives every thread of spare pid and of its init stage nice 0,
// in one call: the daemon renices the spare it hands a start to, which
// may not have finished booting. The spare leads its own process group
// (the daemon starts it with setsid), which the stage, its child, is in
// until it execs init; setpriority(PRIO_PGRP) sets each thread of the
// group's processes (PRIO_PROCESS would set one thread).
func ClaimNice(pid int) { _ = unix.Setpriority(unix.PRIO_PGRP, pid, 0) }

// setNiceOf is setNice for process pid ("self" or a number).
func setNiceOf(pid string, n int) {
	for pass := 0; pass < 2; pass++ {
		tasks, err := os.ReadDir("/proc/" + pid + "/task")
		if err != nil {
			return
		}
		for _, t := range tasks {
			if tid, err := strconv.Atoi(t.Name()); err == nil {
				_ = unix.Setpriority(unix.PRIO_PROCESS, tid, n)
			}
		}
	}
}

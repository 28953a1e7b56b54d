// Package keeper is what a running container's controller serves, in a
// form that needs none of the controller's heavy packages (libvirtxml,
// the cgroup manager, eBPF; netlink only through hostlink): the monitor's
// watches, console attachment and resize, shutdown and reboot, the
// meminfo figures, init's exit. The controller uses it while it runs, and once its container has
// settled it execs the keeper (cmd/virtlxc-keeper, this package's Main)
// in place with a State: same pid, init still its child, every descriptor
// carried over, about half the memory (bench/RESULTS.md, "Memory"). The
// keeper serves the steady state and the common end (init's exit with the
// daemon as reaper); for anything else it execs the controller back in
// place with the State, and the controller carries on from it.
package keeper

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"virtlxc/internal/monitor"
)

// StateFlag is the option both programs take the State's descriptor with.
const StateFlag = "--state-fd"

// A controller's refusals of a keep request (monitor.OpKeep): not now (a
// request is being answered, a console is attached, the container is
// suspended or stopping), or never (no keeper installed, or the container
// has what only the controller serves: loop devices, lent host network
// devices).
const (
	NotNow = "the container is busy: its controller keeps it for now"
	Never  = "the keeper cannot serve this container"
)

// State is a running container as one program hands it to the other
// through an exec. Descriptors are numbers, inherited (close-on-exec
// cleared); -1 means none.
type State struct {
	// The controller's command line, for the controller to go on with.
	Name        string `json:"name"`
	ConfigFile  string `json:"config"`
	Validated   bool   `json:"validated,omitempty"`
	Root        string `json:"root,omitempty"`
	CgroupScope string `json:"scope,omitempty"`
	// Controller is the controller binary to exec back.
	Controller string `json:"controller"`

	LogFD int `json:"log_fd"` // the container log (init stage errors, console logs)
	// Group is the container's cgroup name (cgroups.Manager.Open).
	Group string `json:"group"`
	// Homes are the cgroup directories (of every hierarchy) the
	// controller came from; HomesV1 the v1 ones, where its main thread
	// alone goes back when ThreadInGroup (cgthread.Join).
	// V1Dirs are the container's v1 cgroup directories, where the main
	// thread alone goes when ThreadInGroup: it leaves them before each
	// exec, so that the runtime's threads of the next program are born
	// outside, and joins them again first thing.
	V1Dirs        []string `json:"v1_dirs,omitempty"`
	Homes         []string `json:"homes"`
	HomesV1       []string `json:"homes_v1,omitempty"`
	ThreadInGroup bool     `json:"thread_in_group,omitempty"`
	// Devices is the device policy in force, as the controller encodes
	// it; the keeper only carries it.
	Devices json.RawMessage `json:"devices,omitempty"`

	InitPID   int           `json:"init_pid"`
	PidFD     int           `json:"pidfd"`
	InitEvent monitor.Event `json:"init_event"` // what a new watch gets first
	// Exit is init's end, once it has been reaped.
	Exit *monitor.Event `json:"exit,omitempty"`

	Consoles []Console `json:"consoles,omitempty"`
	Listener int       `json:"listener"` // the monitor socket
	Watches  []Watched `json:"watches,omitempty"`
	// Pending are requests read and not answered: the program exec'd
	// answers them.
	Pending []Pending `json:"pending,omitempty"`
	MntNS   int       `json:"mntns"` // the container's mount namespace, held
	Meminfo *Meminfo  `json:"meminfo,omitempty"`
	Mem     MemFiles  `json:"mem"`

	// Run files, removed at the end.
	Staging string `json:"staging"`
	FuseDir string `json:"fuse_dir,omitempty"`
	PidFile string `json:"pid_file"`
	Socket  string `json:"socket"`
}

// Console is one console: its pty master and the slave end held open, the
// output not yet given to a client, and the attached client's connection
// (-1: none), which goes on attached.
type Console struct {
	Master  int    `json:"master"`
	Peer    int    `json:"peer"`
	Backlog []byte `json:"backlog,omitempty"`
	Client  int    `json:"client"`
}

// Watched is a watch stream.
type Watched struct {
	FD     int  `json:"fd"`
	Reaper bool `json:"reaper,omitempty"`
}

// Pending is a monitor connection whose request has been read.
type Pending struct {
	FD  int             `json:"fd"`
	Req monitor.Request `json:"req"`
}

// Meminfo is the meminfo FUSE connection (procfs.Server.Handoff).
type Meminfo struct {
	FD   int    `json:"fd"`
	Init []byte `json:"init"`
	UID  uint32 `json:"uid,omitempty"`
	GID  uint32 `json:"gid,omitempty"`
}

// MemFiles are the memory cgroup files open for reading (cgmem.Files
// order), -1 where missing; Version 0 when the group has none.
type MemFiles struct {
	Version int   `json:"version"`
	FDs     []int `json:"fds,omitempty"`
}

// Exec execs binary in place with the state (on a memory file given by
// StateFlag after args). It returns only on failure. Call it from the
// thread that started init: init's parent-death signal follows that
// thread, and an exec ends every other. The keeper and a controller it
// execs back run with one P (GOMAXPROCS=1): they serve one container,
// and each P costs threads.
func (s *State) Exec(binary string, args ...string) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encoding the container's state: %w", err)
	}
	fd, err := unix.MemfdCreate("virtlxc-state", 0)
	if err != nil {
		return fmt.Errorf("passing the container's state: %w", err)
	}
	defer unix.Close(fd)
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(fd, data[off:], int64(off))
		if err != nil {
			return fmt.Errorf("passing the container's state: %w", err)
		}
		off += n
	}
	argv := append(append([]string{binary}, args...), StateFlag, strconv.Itoa(fd))
	env := append(os.Environ(), "GOMAXPROCS=1")
	err = unix.Exec(binary, argv, env)
	return fmt.Errorf("executing %s: %w", binary, err)
}

// Receive reads the State an exec passed on descriptor fd, and closes it.
// Every descriptor it names is made close-on-exec again.
func Receive(fd int) (*State, error) {
	f := os.NewFile(uintptr(fd), "state")
	defer f.Close()
	var s State
	if err := json.NewDecoder(f).Decode(&s); err != nil {
		return nil, fmt.Errorf("reading the container's state: %w", err)
	}
	for _, d := range s.fds() {
		if d >= 0 {
			_, _ = unix.FcntlInt(uintptr(d), unix.F_SETFD, unix.FD_CLOEXEC)
		}
	}
	return &s, nil
}

// fds lists every descriptor s names.
func (s *State) fds() []int {
	fds := []int{s.LogFD, s.PidFD, s.Listener, s.MntNS}
	for _, c := range s.Consoles {
		fds = append(fds, c.Master, c.Peer, c.Client)
	}
	for _, w := range s.Watches {
		fds = append(fds, w.FD)
	}
	for _, p := range s.Pending {
		fds = append(fds, p.FD)
	}
	if s.Meminfo != nil {
		fds = append(fds, s.Meminfo.FD)
	}
	return append(fds, s.Mem.FDs...)
}

// Inherit clears close-on-exec on c's descriptor (an *os.File, a
// net.Conn, a net.Listener) and returns its number, or -1 for nil. The
// descriptor stays c's: its blocking mode is left alone.
func Inherit(c syscall.Conn) (int, error) {
	if c == nil {
		return -1, nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var ferr error
	if err := rc.Control(func(u uintptr) {
		fd = int(u)
		_, ferr = unix.FcntlInt(u, unix.F_SETFD, 0)
	}); err != nil {
		return -1, err
	}
	return fd, ferr
}

// InheritFD clears close-on-exec on a raw descriptor (none for -1).
func InheritFD(fd int) error {
	if fd < 0 {
		return nil
	}
	_, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
	return err
}

// File is an inherited descriptor as a file served by Go's poller
// (non-blocking first); nil for -1.
func File(fd int, name string) *os.File {
	if fd < 0 {
		return nil
	}
	_ = unix.SetNonblock(fd, true)
	return os.NewFile(uintptr(fd), name)
}

// Conn is an inherited socket as a net.Conn (the descriptor is taken).
func Conn(fd int) (net.Conn, error) {
	f := File(fd, "conn")
	defer f.Close()
	return net.FileConn(f)
}

// Listener is an inherited listening socket (the descriptor is taken).
func Listener(fd int) (net.Listener, error) {
	f := File(fd, "listener")
	defer f.Close()
	return net.FileListener(f)
}

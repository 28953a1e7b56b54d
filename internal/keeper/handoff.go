package keeper

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"virtlxc/internal/cgthread"
	"virtlxc/internal/hostlink"
)

// execBack hands everything back to the controller: serving stops between
// requests, the state is rebuilt from what runs, and the controller is
// exec'd in place with it. It returns only if that fails, and then the
// container cannot go on: its init dies with this process (its
// parent-death signal).
func (k *keeper) execBack() {
	st := k.st
	if l, ok := k.listener.(*net.UnixListener); ok {
		_ = l.SetDeadline(time.Now())
		<-k.accepted
		_ = l.SetDeadline(time.Time{})
	}
	k.conns.Wait() // each reads its request line within 5 s
	waitFor(&k.reqs, 2*time.Second)
	var err error
	if k.listener != nil {
		if st.Listener, err = Inherit(k.listener.(*net.UnixListener)); err != nil {
			k.log.Error("keeper: handing the monitor socket back", "err", err)
		}
	}
	for what, err := range map[string]error{
		"consoles":       st.PutConsoles(k.relays, k.peers),
		"meminfo":        st.PutMeminfo(k.meminfo),
		"memory figures": st.PutMem(k.mem),
		"watches":        st.PutWatches(&k.watches),
	} {
		if err != nil {
			k.log.Error("keeper: handing the "+what+" back", "err", err)
		}
	}
	k.mu.Lock()
	for _, p := range k.pending {
		if fd, err := Inherit(p.conn.(*net.UnixConn)); err == nil {
			st.Pending = append(st.Pending, Pending{FD: fd, Req: p.req})
		}
	}
	k.mu.Unlock()
	select {
	case <-k.exited:
		ev := k.status
		st.Exit = &ev
	default:
	}
	for _, fd := range []int{st.PidFD, st.LogFD, st.MntNS} {
		_ = InheritFD(fd)
	}
	if st.ThreadInGroup {
		_ = cgthread.Join(st.HomesV1) // see State.V1Dirs
	}
	ops := make([]string, 0, len(st.Pending))
	for _, p := range st.Pending {
		ops = append(ops, p.Req.Op)
	}
	k.log.Info("keeper: the controller takes the container back", "requests", ops, "exited", st.Exit != nil)
	err = st.Exec(st.Controller)
	k.log.Error("keeper: the controller cannot go on; the container ends", "err", err)
}

// waitFor waits for wg, at most timeout.
func waitFor(wg interface{ Wait() }, timeout time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// end is the controller's end for the common case (init exited, the
// daemon removes the cgroups): consoles drained, run files removed, the
// controller out of the container's groups, the exit told to every watch.
func (k *keeper) end() int {
	for _, p := range k.peers {
		p.Close()
	}
	deadline := time.After(2 * time.Second)
drain:
	for _, r := range k.relays {
		select {
		case <-r.Done():
		case <-deadline:
			break drain
		}
	}
	for _, r := range k.relays {
		r.Close()
	}
	k.mem.Close()
	for _, p := range []string{k.st.FuseDir, k.st.Staging} {
		if p != "" {
			_ = os.Remove(p)
		}
	}
	if err := hostlink.Remove(k.st.InitEvent.HostIfaces); err != nil {
		k.log.Warn("removing network interfaces", "err", err)
	}
	k.listener.Close()
	_ = os.Remove(k.st.Socket)
	_ = os.Remove(k.st.PidFile)
	ev := k.status
	ev.Left = k.leave()
	k.watches.Exit(ev)
	k.watches.Flush(5 * time.Second)
	k.mntNS.Close()
	waitFor(&k.reqs, 5*time.Second)
	k.log.Info("container stopped", "status", ev.Status, "code", ev.Code)
	return 0
}

// leave takes this process out of the container's groups, so that the
// daemon can remove them at once, and reports whether it is out: the main
// thread alone when only it went in, else the whole process.
func (k *keeper) leave() bool {
	if k.st.ThreadInGroup {
		// Only the main thread is in them (State.V1Dirs); this runs on it.
		if err := cgthread.Join(k.st.HomesV1); err != nil {
			k.log.Warn("leaving the container's cgroup", "err", err)
			return false
		}
		return true
	}
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, home := range k.st.Homes {
		if err := os.WriteFile(filepath.Join(home, "cgroup.procs"), pid, 0); err != nil {
			k.log.Warn("leaving the container's cgroup", "err", err)
			return false
		}
	}
	return true
}

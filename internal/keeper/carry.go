package keeper

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"

	"virtlxc/internal/cgmem"
	"virtlxc/internal/console"
	"virtlxc/internal/monitor"
	"virtlxc/internal/procfs"
)

// The Put methods fill a State from what serves a running container, each
// part stopped between two requests and its descriptors made inheritable;
// the Take methods rebuild those parts in the program exec'd with it. The
// controller and the keeper use both, in opposite directions.

// PutConsoles hands the relays over (HandoffConsole), peers[i] being
// relay i's slave end.
func (s *State) PutConsoles(relays []*console.Relay, peers []*os.File) error {
	var errs []error
	for i, r := range relays {
		c, err := HandoffConsole(r, peers[i])
		errs = append(errs, err)
		s.Consoles = append(s.Consoles, c)
	}
	return errors.Join(errs...)
}

// TakeConsoles starts a relay on each console (output logged to log), an
// attached client attached again; it returns the relays and the slave
// ends.
func (s *State) TakeConsoles(logFile *os.File, log *slog.Logger) ([]*console.Relay, []*os.File, error) {
	var relays []*console.Relay
	var peers []*os.File
	for _, c := range s.Consoles {
		peers = append(peers, os.NewFile(uintptr(c.Peer), "console-peer"))
		r, err := console.NewRelay(File(c.Master, "console-master"),
			console.RelayOptions{Log: logFile, Logger: log, Backlog: c.Backlog})
		if err != nil {
			return relays, peers, err
		}
		relays = append(relays, r)
		if c.Client >= 0 {
			if conn, err := Conn(c.Client); err == nil {
				_ = Reattach(conn, r)
			}
		}
	}
	s.Consoles = nil
	return relays, peers, nil
}

// PutMeminfo hands the meminfo connection over (nil srv: none).
func (s *State) PutMeminfo(srv *procfs.Server) error {
	if srv == nil {
		return nil
	}
	fd, init, err := srv.Handoff()
	if err != nil {
		return err
	}
	if err := InheritFD(fd); err != nil {
		return err
	}
	uid, gid := srv.Owner()
	s.Meminfo = &Meminfo{FD: fd, Init: init, UID: uid, GID: gid}
	return nil
}

// TakeMeminfo serves the meminfo connection on (procfs.Resume) with
// stats; nil when the state has none.
func (s *State) TakeMeminfo(stats func() (procfs.MemStats, error), log *slog.Logger) (*procfs.Server, error) {
	m := s.Meminfo
	if m == nil {
		return nil, nil
	}
	srv, err := procfs.Resume(m.FD, m.Init, stats, log, procfs.WithOwner(m.UID, m.GID))
	if err != nil {
		return nil, err
	}
	s.Meminfo = nil
	return srv, nil
}

// PutMem hands the memory cgroup's open files over (nil r: none).
func (s *State) PutMem(r *cgmem.Reader) error {
	if r == nil {
		return nil
	}
	v, files := r.Files()
	s.Mem = MemFiles{Version: v}
	var errs []error
	for _, f := range files {
		fd := -1
		if f != nil {
			var err error
			fd, err = Inherit(f)
			errs = append(errs, err)
		}
		s.Mem.FDs = append(s.Mem.FDs, fd)
	}
	return errors.Join(errs...)
}

// TakeMem is a reader of the memory cgroup's files the state carries.
func (s *State) TakeMem() *cgmem.Reader {
	var files [len(cgmem.Files)]*os.File
	for i, fd := range s.Mem.FDs {
		if i < len(files) && fd >= 0 {
			files[i] = os.NewFile(uintptr(fd), "memory."+strconv.Itoa(i))
		}
	}
	return cgmem.FromFiles(s.Mem.Version, files)
}

// PutWatches hands the live watches over (Watches.Handoff).
func (s *State) PutWatches(w *Watches) error {
	var errs []error
	for _, h := range w.Handoff() {
		fd, err := Inherit(h.Conn.(*net.UnixConn))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Watches = append(s.Watches, Watched{FD: fd, Reaper: h.Reaper})
	}
	return errors.Join(errs...)
}

// TakeWatches goes on with the state's watches in w (Watches.Adopt).
func (s *State) TakeWatches(w *Watches) error {
	for _, h := range s.Watches {
		conn, err := Conn(h.FD)
		if err != nil {
			return err
		}
		w.Adopt(conn, h.Reaper)
	}
	s.Watches = nil
	return nil
}

// TakePending calls answer for every request read and not answered
// before the exec (answer starts a goroutine if it must).
func (s *State) TakePending(answer func(net.Conn, monitor.Request)) {
	for _, p := range s.Pending {
		if conn, err := Conn(p.FD); err == nil {
			answer(conn, p.Req)
		}
	}
	s.Pending = nil
}

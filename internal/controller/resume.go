package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"

	"virtlxc/internal/keeper"
	"virtlxc/internal/memtrim"
	"virtlxc/internal/monitor"
	"virtlxc/internal/paths"
)

// resumeMain is the controller exec'd back by the keeper (or by itself,
// when the keeper could not be exec'd): it takes the container over from
// the state on descriptor arg and supervises it as if it had started it.
func resumeMain(arg string) int {
	fd, err := strconv.Atoi(arg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %s %q: %v\n", keeper.StateFlag, arg, err)
		return 2
	}
	st, err := keeper.Receive(fd)
	if err != nil {
		fmt.Fprintf(os.Stderr, "virtlxc-controller: %v\n", err)
		return 1
	}
	logFile := keeper.File(st.LogFD, "log")
	log := slog.New(slog.NewTextHandler(logFile, nil)).With("domain", st.Name)
	pidFile := st.PidFile
	opts := Options{
		Name: st.Name, ConfigFile: st.ConfigFile, Validated: st.Validated, Root: st.Root,
		CgroupScope: st.CgroupScope, Log: log, LogFile: logFile,
		Stopped: func() { _ = os.Remove(pidFile) },
	}
	c, err := resume(opts, st)
	if err != nil {
		// Nothing to go on with: init dies with this process (its
		// parent-death signal), and the daemon sees the controller go.
		log.Error("taking the container over from the keeper", "err", err)
		return 1
	}
	ev := c.supervise(context.Background())
	_ = os.Remove(pidFile)
	log.Info("container stopped", "status", ev.Status, "code", ev.Code)
	return 0
}

// resume rebuilds the Controller of a running container from st.
func resume(opts Options, st *keeper.State) (*Controller, error) {
	c := &Controller{opts: opts, log: opts.Log, layout: paths.New(opts.Root, ""), exited: make(chan struct{}),
		bursts: memtrim.NewAfterBursts(burstQuiet), staging: st.Staging, hostEnds: st.InitEvent.HostIfaces,
		keepReqs: make(chan net.Conn, 1)}
	mgr, err := c.load()
	if err != nil {
		return nil, err
	}
	if c.group, err = mgr.Open(st.Group); err != nil {
		return nil, err
	}
	if len(st.Devices) > 0 {
		if err := json.Unmarshal(st.Devices, &c.devices); err != nil {
			return nil, fmt.Errorf("reading the device policy: %w", err)
		}
	}
	if st.ThreadInGroup {
		threadOnly, err := c.group.AddSelf()
		if err != nil {
			return nil, fmt.Errorf("placing the controller in the container's cgroup: %w", err)
		}
		c.threadInGroup.Store(threadOnly)
	}
	c.init = &initProc{pid: st.InitPID, pidfd: st.PidFD}
	c.memReader.Store(st.TakeMem())
	if c.meminfo, err = st.TakeMeminfo(c.memStats, c.log); err != nil {
		return nil, err
	}
	if st.MntNS >= 0 {
		c.mntNS = os.NewFile(uintptr(st.MntNS), "mntns")
	}
	if c.relays, c.peers, err = st.TakeConsoles(opts.LogFile, c.log); err != nil {
		return nil, err
	}
	if err := st.TakeWatches(&c.watches); err != nil {
		return nil, err
	}
	if c.listener, err = keeper.Listener(st.Listener); err != nil {
		return nil, err
	}
	if st.Exit != nil {
		c.status = *st.Exit
		close(c.exited)
	} else {
		go c.reap()
	}
	c.served = make(chan struct{})
	go c.serve(c.listener, c.served)
	st.TakePending(func(conn net.Conn, req monitor.Request) {
		c.busy.Add(1)
		go c.answer(conn, req)
	})
	settleMemory()
	c.log.Debug("taken over from the keeper", "pending", len(st.Pending), "exited", st.Exit != nil)
	return c, nil
}

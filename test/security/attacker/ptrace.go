package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ptraceScan attaches with ptrace to every process it can see but itself
// and prints:
//
//	@@visible=1,5,…        the pids in its /proc
//	@@ptraced=1,5,…        those it could attach to
//	@@foreign=PID:EXE,…    attached processes whose executable is not a
//	                       file of the container ("none" if all are)
func ptraceScan() {
	runtime.LockOSThread() // ptrace requests come from the attaching thread
	defer runtime.UnlockOSThread()
	self := os.Getpid()
	var visible, ptraced, foreign []string
	for _, pid := range pids() {
		if pid == self {
			continue
		}
		visible = append(visible, strconv.Itoa(pid))
		if err := unix.PtraceAttach(pid); err != nil {
			continue
		}
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WALL, nil)
		ptraced = append(ptraced, strconv.Itoa(pid))
		exe := "/proc/" + strconv.Itoa(pid) + "/exe"
		if t, err := os.Readlink(exe); err == nil && !sameObject(exe, t) {
			foreign = append(foreign, strconv.Itoa(pid)+":"+t)
		}
		_ = unix.PtraceDetach(pid)
	}
	if len(foreign) == 0 {
		foreign = []string{"none"}
	}
	fmt.Printf("@@visible=%s\n@@ptraced=%s\n@@foreign=%s\n",
		strings.Join(visible, ","), strings.Join(ptraced, ","), strings.Join(foreign, ","))
}

// signalPid sends signal 0 to the pid named in the file path (the
// controller's host pid, written by the test) and reports the result as
// @@signal=…: ESRCH when no such pid exists in the container.
func signalPid(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Printf("@@signal=error:%v\n", err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		fmt.Printf("@@signal=error:%v\n", err)
		return
	}
	if err := unix.Kill(pid, 0); err != nil {
		fmt.Printf("@@signal=%s\n", errName(err))
		return
	}
	exe := "/proc/" + strconv.Itoa(pid) + "/exe"
	t, _ := os.Readlink(exe)
	fmt.Printf("@@signal=reached %s (container file: %v)\n", t, sameObject(exe, t))
}

// pids lists the numeric entries of /proc, sorted.
func pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

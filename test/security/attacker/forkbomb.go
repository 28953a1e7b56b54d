package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// bombCap bounds the children forkBomb starts, so that a missing pids
// limit costs the host a thousand sleeping processes, not its pid space.
const bombCap = 1000

// forkBomb forks /bin/sleep children as fast as it can for the given
// number of seconds ("SECONDS"), retrying at once whenever fork fails,
// then prints @@forked=N (children started) and @@eagain=N (forks
// refused) and sleeps until killed. Run it with GOMAXPROCS=1 and GOGC=off:
// its own runtime must not need a new thread once the limit is reached.
func forkBomb(arg string) {
	secs, err := strconv.Atoi(arg)
	if err != nil {
		fmt.Printf("@@forkbomb=error: %v\n", err)
		return
	}
	null, err := syscall.Open("/dev/null", syscall.O_RDWR, 0)
	if err != nil {
		fmt.Printf("@@forkbomb=error: %v\n", err)
		return
	}
	attr := &syscall.ProcAttr{Files: []uintptr{uintptr(null), uintptr(null), uintptr(null)}}
	forked, eagain := 0, 0
	var other []string
	for deadline := time.Now().Add(time.Duration(secs) * time.Second); time.Now().Before(deadline); {
		if forked >= bombCap {
			time.Sleep(time.Millisecond)
			continue
		}
		_, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "600"}, attr)
		switch {
		case err == nil:
			forked++
		case errors.Is(err, unix.EAGAIN):
			eagain++
		default:
			if len(other) < 5 {
				other = append(other, err.Error())
			}
		}
	}
	fmt.Printf("@@forked=%d\n@@eagain=%d\n@@forkerr=%s\n", forked, eagain, strings.Join(other, ";"))
	for {
		time.Sleep(time.Hour)
	}
}

package caps

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHelperProcess is not a test: it is the child side of the root tests.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process for the root tests")
	}
	if err := helper(mode, os.Getenv(helperDirEnv)); err != nil {
		fmt.Printf("helper error: %v\n", err)
		os.Exit(2)
	}
}

func helper(mode, dir string) error {
	switch mode {
	case "default", "deny-mknod":
		// Container-init style: lock, Apply, then exec on the same thread.
		runtime.LockOSThread()
		keep, err := helperPlan(mode)
		if err != nil {
			return err
		}
		if err := Apply(keep); err != nil {
			return err
		}
		if err := printStatus("thread", "/proc/thread-self/status"); err != nil {
			return err
		}
		fmt.Printf("thread mknod: %s\n", tryMknod(filepath.Join(dir, "thread-null")))
		env := withEnv(os.Environ(), helperEnv, "report")
		err = syscall.Exec(os.Args[0], []string{os.Args[0], "-test.run=^TestHelperProcess$"}, env)
		return fmt.Errorf("exec: %w", err)
	case "report":
		// The exec'd program: single-threaded view of what it inherited.
		if err := printStatus("exec", "/proc/self/status"); err != nil {
			return err
		}
		fmt.Printf("exec mknod: %s\n", tryMknod(filepath.Join(dir, "exec-null")))
		return nil
	case "dropall":
		// Park a goroutine on another OS thread first: DropAll must reach it.
		ready, done := make(chan struct{}), make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(ready)
			<-done
		}()
		<-ready
		defer close(done)
		if err := DropAll(); errors.Is(err, errors.ErrUnsupported) {
			// A cgo-linked test binary (e.g. -race): nothing to check.
			fmt.Printf("dropall: unsupported: %v\n", err)
			return nil
		} else if err != nil {
			return err
		}
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		fmt.Printf("tasks: %d\n", len(tasks))
		for _, task := range tasks {
			stage := "task" + task.Name()
			if err := printStatus(stage, "/proc/self/task/"+task.Name()+"/status"); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown helper mode %q", mode)
}

// withEnv returns env with key set to value. Unlike os/exec, syscall.Exec
// does not deduplicate, and Getenv takes the first of duplicate keys.
func withEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

func helperPlan(mode string) (Set, error) {
	last, err := LastCap()
	if err != nil {
		return Set{}, err
	}
	if mode == "deny-mknod" {
		return Plan("deny", map[string]string{"mknod": "on"}, true, last)
	}
	return Plan("default", nil, true, last)
}

// tryMknod creates /dev/null's twin and reports "ok" or the errno name.
func tryMknod(path string) string {
	err := unix.Mknod(path, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3)))
	var errno syscall.Errno
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &errno):
		return unix.ErrnoName(errno)
	default:
		return err.Error()
	}
}

func printStatus(stage, path string) error {
	st, err := readCaps(path)
	if err != nil {
		return err
	}
	for _, k := range capKeys {
		fmt.Printf("%s %s: %016x\n", stage, k, st[k])
	}
	return nil
}

// readCaps parses the Cap* lines of a /proc status file.
func readCaps(path string) (map[string]uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.HasPrefix(k, "Cap") {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, k, err)
		}
		st[k] = n
	}
	return st, sc.Err()
}

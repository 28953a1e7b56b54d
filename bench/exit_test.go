package bench

import (
	"context"
	"fmt"
	"testing"
	"time"
	"virtlxc/internal/testutil"

	libvirt "github.com/digitalocean/go-libvirt"
)

// Issue 8, figures 1 (run-to-exit) and 2 (destroy of an init ignoring
// SIGTERM).

// initXML is a container whose init is /bin/sh -c script.
func initXML(name, script string) string {
	return fmt.Sprintf("<domain type='lxc'><name>%s</name><memory>65536</memory><os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>%s</initarg></os><devices><console type='pty'/></devices></domain>", name, script)
}

// trueXML is a container whose init is /bin/true of root rootfs: the same
// init, and the same (busybox) root, as crun's and lxc's run-to-exit.
func trueXML(name, rootfs string) string {
	return fmt.Sprintf("<domain type='lxc'><name>%s</name><memory unit='KiB'>131072</memory><os><type>exe</type>"+
		"<init>/bin/true</init></os><devices>"+
		"<filesystem type='mount'><source dir='%s'/><target dir='/'/></filesystem><console type='pty'/></devices></domain>",
		name, rootfs)
}

// BenchmarkRunToExit: start of a container whose init (/bin/true) exits at
// once, until the STOPPED lifecycle event arrives (the container is gone).
func BenchmarkRunToExit(b *testing.B) {
	l := daemonConn(b)
	rootfs := testutil.BusyboxRoot(b)
	dom, err := l.DomainDefineXML(trueXML("bexit", rootfs))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := l.LifecycleEvents(ctx)
	if err != nil {
		b.Fatal(err)
	}
	fig := record("api/run-to-exit", "virtlxc", "ms", "API run-to-exit: start of an init that exits at once → STOPPED event")
	warmUp(b, func() error {
		if err := l.DomainCreate(dom); err != nil {
			return err
		}
		return awaitStopped(events, dom.Name, 30*time.Second)
	})
	for b.Loop() {
		traceMark("OPB")
		t0 := time.Now()
		if err := l.DomainCreate(dom); err != nil {
			b.Fatal(err)
		}
		traceMark("OPR")
		waitStopped(b, events, dom.Name)
		fig.addDur(time.Since(t0))
		traceMark("OPE")
	}
}

// waitStopped waits for the STOPPED event of the domain called name.
func waitStopped(b *testing.B, events <-chan libvirt.DomainEventLifecycleMsg, name string) {
	if err := awaitStopped(events, name, 30*time.Second); err != nil {
		b.Fatal(err)
	}
}

// awaitStopped waits up to timeout for the STOPPED event of the domain
// called name.
func awaitStopped(events <-chan libvirt.DomainEventLifecycleMsg, name string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return fmt.Errorf("event stream closed")
			}
			if ev.Dom.Name == name && ev.Event == int32(libvirt.DomainEventStopped) {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no STOPPED event for %s in %v", name, timeout)
		}
	}
}

// BenchmarkDestroyIgnoringTERM: destroy of a running container whose init
// ignores SIGTERM (libvirt waits before it sends SIGKILL; virtlxc kills
// the cgroup at once).
func BenchmarkDestroyIgnoringTERM(b *testing.B) {
	benchDestroy(b, initXML("bstubborn", "trap '' TERM; while :; do sleep 1; done"),
		record("api/destroy-ignoring-term", "virtlxc", "ms", "API destroy, init ignoring SIGTERM"))
}

package driver

import (
	"sync"
	"sync/atomic"
	"time"
	"virtlxc/internal/cgroups"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// jobWait is how long a state-changing call waits for another one on the
// same domain to finish (libvirt's 30 s job wait).
const jobWait = 30 * time.Second

// domain is one registered domain. Name and UUID never change. Fields
// below mu are guarded by it; state-changing calls also hold the job so
// that only one of them runs at a time.
type domain struct {
	name string
	uuid string

	job chan struct{} // a token: held by the running state-changing call

	mu sync.Mutex
	// persistentDef is the config (CONFIG/NAME.xml); nil for a transient
	// domain.
	persistentDef *domainxml.Domain
	// liveDef is the running definition; nil while inactive except for a
	// transient or create-XML definition about to be started.
	liveDef   *domainxml.Domain
	state     State
	reason    int
	id        int // controller pid while active, else -1
	initPID   int // container init's host pid, 0 until known
	autostart bool
	run       *run // the current controller, nil while inactive
	removed   bool // no longer in the registry
	// autodestroy: the connection whose close destroys this domain
	autodestroy   bool
	autodestroyID ConnID
}

// run is one controller's lifetime: from its launch to the end of its
// exit handling.
type run struct {
	proc    Process
	watcher Watcher
	socket  string
	// done is closed once the stop has been handled (files removed,
	// state shut off, event emitted).
	done chan struct{}

	// Guarded by the domain's mu.
	gotExit    bool   // the controller reported init's exit
	exitStatus string // monitor.Exit*
	groupLeft  bool   // the exit event said the controller left its cgroup
	destroying bool   // a destroy was asked for
	handled    bool   // stop handled (done closed)

	// kept says the keeper serves the container (a keep request was
	// answered; any other request may have brought the controller
	// back); keepRetryAt (UnixNano) is when a refused one may be asked
	// again. See paceKeepers.
	kept        atomic.Bool
	keepRetryAt atomic.Int64
}

func newDomain(name, uuid string) *domain {
	return &domain{name: name, uuid: uuid, job: make(chan struct{}, 1), id: -1,
		state: StateShutoff, reason: ShutoffUnknown}
}

// beginJob waits for the domain's job; timeout is libvirt's "cannot
// acquire state change lock".
func (dom *domain) beginJob(wait time.Duration) error {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case dom.job <- struct{}{}:
		return nil
	case <-t.C:
		return virerr.New(virerr.ErrOperationTimeout, virerr.FromLXC, "cannot acquire state change lock")
	}
}

// endJob releases the job.
func (dom *domain) endJob() { <-dom.job }

// active reports whether the domain has a controller (libvirt: id != -1).
// Callers hold mu.
func (dom *domain) active() bool { return dom.id != -1 }

// persistent reports whether the domain has a config. Callers hold mu.
func (dom *domain) persistent() bool { return dom.persistentDef != nil }

// current returns the definition in effect: the live one while active,
// else the config (or a transient definition about to start). Callers
// hold mu.
func (dom *domain) current() *domainxml.Domain {
	if dom.liveDef != nil {
		return dom.liveDef
	}
	return dom.persistentDef
}

// ref returns the domain's identity. Callers hold mu.
func (dom *domain) ref() Ref {
	return Ref{Name: dom.name, UUID: dom.uuid, ID: dom.id}
}

// setState records a new state and reason. Callers hold mu.
func (dom *domain) setState(s State, reason int) {
	dom.state, dom.reason = s, reason
}

// alloc returns a new zero value of the type p points to. It builds the
// model's nested elements without naming libvirtxml's types, which only
// domainxml imports: d.Resource = alloc(d.Resource).
func alloc[T any](_ *T) *T { return new(T) }

// cgroupName is the name of the running domain's cgroup (the controller
// names it after its own pid, the domain id, as libvirt does). Callers
// hold dom.mu.
func (dom *domain) cgroupName() string { return cgroups.MachineName(dom.id, dom.name) }

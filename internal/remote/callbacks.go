package remote

import (
	"sync"

	"virtlxc/internal/virerr"
)

// callbacks is one connection's registered event callbacks of one kind
// (domain or network), by callback id.
type callbacks[R any] struct {
	mu   sync.Mutex
	next int32
	regs map[int32]R
}

// add registers r and returns its callback id.
func (c *callbacks[R]) add(r R) int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.regs == nil {
		c.regs = map[int32]R{}
	}
	c.next++
	c.regs[c.next] = r
	return c.next
}

// remove deregisters id, with libvirt's error for an unknown one.
func (c *callbacks[R]) remove(id int32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.regs[id]; !ok {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromRPC, "callback %d not registered", id)
	}
	delete(c.regs, id)
	return nil
}

// each calls f for every registration, under the lock.
func (c *callbacks[R]) each(f func(id int32, r R)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, r := range c.regs {
		f(id, r)
	}
}

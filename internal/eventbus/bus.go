// Package eventbus fans events out to subscribers, in order, without ever
// blocking the emitter: each subscription queues what its reader has not
// taken yet (domain and network lifecycle events for the RPC clients that
// registered callbacks).
package eventbus

import "sync"

// Subscription receives every event emitted after Subscribe, in order.
// A slow reader delays only itself: its events are queued, never dropped.
type Subscription[T any] struct {
	// C delivers the events; it is closed by Close or when the bus
	// closes.
	C <-chan T

	ch     chan T
	bus    *Bus[T]
	mu     sync.Mutex
	queue  []T
	wake   chan struct{}
	done   chan struct{}
	closed bool
}

// Close stops the delivery and closes C. It may be called more than once.
func (s *Subscription[T]) Close() {
	s.bus.remove(s)
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
}

// push queues ev and wakes the pump; it never blocks.
func (s *Subscription[T]) push(ev T) {
	s.mu.Lock()
	if !s.closed {
		s.queue = append(s.queue, ev)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pump hands the queued events to C until Close.
func (s *Subscription[T]) pump() {
	defer close(s.ch)
	for {
		s.mu.Lock()
		q := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range q {
			select {
			case s.ch <- ev:
			case <-s.done:
				return
			}
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
	}
}

// Bus fans events out to its subscriptions. The zero value is not usable:
// use New.
type Bus[T any] struct {
	mu   sync.Mutex
	subs map[*Subscription[T]]struct{}
}

// New returns an empty bus.
func New[T any]() *Bus[T] {
	return &Bus[T]{subs: map[*Subscription[T]]struct{}{}}
}

// Subscribe returns a subscription to every event emitted from now on.
// The caller must Close it.
func (b *Bus[T]) Subscribe() *Subscription[T] {
	ch := make(chan T)
	s := &Subscription[T]{C: ch, ch: ch, bus: b, wake: make(chan struct{}, 1), done: make(chan struct{})}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.pump()
	return s
}

func (b *Bus[T]) remove(s *Subscription[T]) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
}

// Emit queues ev for every subscription; it never blocks.
func (b *Bus[T]) Emit(ev T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.push(ev)
	}
}

// CloseAll closes every subscription.
func (b *Bus[T]) CloseAll() {
	b.mu.Lock()
	subs := make([]*Subscription[T], 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
}

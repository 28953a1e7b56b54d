package driver

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"virtlxc/internal/cgroups"
)

// Cgroups is what the driver needs of a running domain's cgroup, which
// the controller creates and removes. The real implementation uses
// internal/cgroups; tests use a fake.
type Cgroups interface {
	// Stats reads the usage of name's group in partition; a group that
	// does not exist reads as zero.
	Stats(name, partition string) (cgroups.Stats, error)
	// Set applies live limits to name's group.
	Set(name, partition string, lim cgroups.Limits) error
	// Remove kills whatever is left in name's group and removes it; a
	// group that does not exist is not an error.
	Remove(name, partition string) error
	// DefaultCPUShares is the cpu_shares value of a group without a
	// setting (1024 for v1 cpu.shares, 100 for v2 cpu.weight).
	DefaultCPUShares() uint64
	// HasDevices reports whether the host has the devices controller
	// (a device can then be attached to a running container).
	HasDevices() bool
}

// hostCgroups is the real Cgroups: the host layout is detected on first
// use, and groups are named with the daemon's scope.
type hostCgroups struct {
	scope string
	log   *slog.Logger

	once   sync.Once
	layout *cgroups.Layout
	err    error
}

func (h *hostCgroups) manager(partition string) (*cgroups.Manager, error) {
	h.once.Do(func() { h.layout, h.err = cgroups.Detect() })
	if h.err != nil {
		return nil, h.err
	}
	return cgroups.NewManager(h.layout, cgroups.Naming{Partition: partition, Scope: h.scope}, h.log)
}

func (h *hostCgroups) open(name, partition string) (*cgroups.Group, error) {
	m, err := h.manager(partition)
	if err != nil {
		return nil, err
	}
	return m.Open(name)
}

// Stats implements Cgroups.
func (h *hostCgroups) Stats(name, partition string) (cgroups.Stats, error) {
	g, err := h.open(name, partition)
	if errors.Is(err, fs.ErrNotExist) {
		return cgroups.Stats{}, nil
	}
	if err != nil {
		return cgroups.Stats{}, err
	}
	return g.Stats()
}

// Set implements Cgroups.
func (h *hostCgroups) Set(name, partition string, lim cgroups.Limits) error {
	g, err := h.open(name, partition)
	if err != nil {
		return err
	}
	return g.Set(lim)
}

// Remove implements Cgroups.
func (h *hostCgroups) Remove(name, partition string) error {
	g, err := h.open(name, partition)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return g.Destroy(ctx)
}

// DefaultCPUShares implements Cgroups.
func (h *hostCgroups) DefaultCPUShares() uint64 {
	h.once.Do(func() { h.layout, h.err = cgroups.Detect() })
	if h.err == nil {
		if hier, ok := h.layout.Hierarchy(cgroups.CPU); ok && hier.Version == 2 {
			return 100
		}
	}
	return 1024
}

// HasDevices implements Cgroups.
func (h *hostCgroups) HasDevices() bool {
	h.once.Do(func() { h.layout, h.err = cgroups.Detect() })
	return h.err == nil && h.layout.Has(cgroups.Devices)
}

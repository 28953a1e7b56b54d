package cgroups

import (
	"fmt"

	"virtlxc/internal/cgmem"
)

// OpenMemoryReader opens the group's memory files (cgmem.Reader: the
// figures MemoryStats reads, reread with almost no garbage). A group
// without the memory controller gives a reader that reads zeros, as
// MemoryStats does.
func (g *Group) OpenMemoryReader() (*cgmem.Reader, error) {
	dir, v := g.dirOf(Memory)
	r, err := cgmem.Open(dir, v)
	if err != nil {
		return nil, fmt.Errorf("cgroup stats for '%s': %w", g.name, err)
	}
	return r, nil
}

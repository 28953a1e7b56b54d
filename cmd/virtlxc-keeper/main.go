// Command virtlxc-keeper serves a running container in place of its
// controller, which execs it once the container has settled: a small
// program (no libvirtxml, netlink or cgroup manager) for the steady state.
// See internal/keeper.
package main

import (
	"os"
	"runtime"

	"virtlxc/internal/keeper"
)

// init locks the main goroutine to the main thread: init's parent-death
// signal follows it, it alone sits in the container's v1 cgroups, and the
// exec back to the controller must come from it.
func init() { runtime.LockOSThread() }

func main() { os.Exit(keeper.Main(os.Args[1:])) }

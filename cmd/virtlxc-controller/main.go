// Command virtlxc-controller supervises one container (libvirt's
// libvirt_lxc); re-executed as the container's init stage it sets up the
// container from inside its namespaces. See internal/controller and
// internal/containerinit.
package main

import (
	"os"

	"virtlxc/internal/containerinit"
	"virtlxc/internal/controller"
)

// init locks the main goroutine to the main thread: the init stage's
// mount, capability and exec state are per thread, and the controller
// moves only that thread into its container's v1 cgroups
// (cgroups.Group.AddSelf).
func init() {
	containerinit.LockThread()
}

func main() {
	if containerinit.IsInit() {
		containerinit.Main()
	}
	if len(os.Args) >= 2 && os.Args[1] == controller.SpareArg {
		os.Exit(controller.RunSpare(os.Args[2:]))
	}
	os.Exit(controller.Main(os.Args[1:]))
}

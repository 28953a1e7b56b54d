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

func init() {
	if containerinit.IsInit() {
		containerinit.LockThread()
	}
}

func main() {
	if containerinit.IsInit() {
		containerinit.Main()
	}
	if len(os.Args) == 2 && os.Args[1] == controller.SpareArg {
		os.Exit(controller.RunSpare())
	}
	os.Exit(controller.Main(os.Args[1:]))
}

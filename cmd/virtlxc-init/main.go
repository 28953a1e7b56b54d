// Command virtlxc-init is a container's init stage (internal/containerinit):
// started by its controller inside the container's new namespaces, it
// builds the container's filesystem and execs the domain's init. It is a
// binary of its own so that it starts fast: it carries none of the
// controller's packages (FUSE, XML, RPC), whose initialisation every
// start would otherwise pay once more. virtlxc-controller still runs the
// stage itself when this binary is not next to it.
package main

import (
	"fmt"
	"os"

	"virtlxc/internal/containerinit"
)

// init locks the main goroutine to the main thread: mount, capability and
// exec state are per thread.
func init() {
	containerinit.LockThread()
}

func main() {
	if !containerinit.IsInit() {
		fmt.Fprintln(os.Stderr, "virtlxc-init: started by virtlxc-controller only")
		os.Exit(2)
	}
	containerinit.Main()
}

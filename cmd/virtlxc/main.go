// Command virtlxc is virtlxc's virsh-compatible client: the container
// subset of virsh's commands with virsh's options and output, plus
// "top". See internal/virsh.
package main

import (
	"os"

	"virtlxc/internal/virsh"
)

func main() {
	s := virsh.NewSession()
	s.DaemonPath = virsh.DaemonBeside()
	os.Exit(s.Main(os.Args[1:]))
}

// Command virtlxcd is the virtlxc daemon (libvirt's LXC driver over
// libvirt's RPC protocol). See internal/daemon.
package main

import (
	"os"

	"virtlxc/internal/daemon"
)

func main() { os.Exit(daemon.Main(os.Args[1:])) }

// Command virtlxcd is part of virtlxc (see README.md). It is not implemented yet:
// it lands with its issue and says so until then.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "virtlxcd: not implemented yet (see README.md, \"Status\")")
	os.Exit(1)
}

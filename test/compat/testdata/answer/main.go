// Command answer is a container init for the --pass-fds test: it accepts
// one connection on the listening socket it inherited as fd 3 and answers
// it with its view of LISTEN_FDS, then idles until SIGTERM.
package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	l, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		fmt.Println("answer:", err)
		os.Exit(1)
	}
	c, err := l.Accept()
	if err == nil {
		fmt.Fprintf(c, "hello from pid %d, LISTEN_FDS=%s LISTEN_PID=%s\n", os.Getpid(), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_PID"))
		c.Close()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	<-sig
}

package virsh

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/wire"
)

func cmdConsole() *CmdDef {
	return &CmdDef{
		Name: "console", Group: "domain",
		Help: "connect to the guest console",
		Desc: "Connect the virtual serial console for the guest",
		Opts: []OptDef{
			optDomainFull(),
			{Name: "devname", Type: OptString, Help: "character device name"},
			optBool("force", "force console connection (disconnect already connected sessions)"),
			optBool("safe", "only connect if safe console handling is supported"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			dev, _, err := pc.String("devname")
			if err != nil {
				return err
			}
			var flags uint32
			if pc.Bool("force") {
				flags |= 1
			}
			if pc.Bool("safe") {
				flags |= 2
			}
			return s.runConsole(dom, dev, flags)
		},
	}
}

// EscapeByte returns the byte an escape sequence such as "^]" stands for.
func EscapeByte(esc string) byte {
	if len(esc) == 2 && esc[0] == '^' {
		return esc[1] & 0x1f
	}
	if esc == "" {
		return 0x1d
	}
	return esc[0]
}

// runConsole is virsh's cmdRunConsole: refuse a shut-off domain or a
// stdin that is not a terminal, announce, then relay.
func (s *Session) runConsole(dom libvirt.Domain, dev string, flags uint32) error {
	state, _, err := s.conn.domainState(dom)
	if err != nil {
		return failed(err, "Unable to get domain status")
	}
	if state == stateShutoff {
		return cmdErrorf("The domain is not running")
	}
	if s.Stdin == nil || !term.IsTerminal(int(s.Stdin.Fd())) {
		return cmdErrorf("Cannot run interactive console without a controlling TTY")
	}
	s.printExtra("Connected to domain '%s'\n", dom.Name)
	s.printExtra("Escape character is %s", s.Escape)
	if len(s.Escape) == 2 && s.Escape[0] == '^' {
		s.printExtra(" (Ctrl + %c)", s.Escape[1])
	}
	s.printExtra("\n")
	return s.relayConsole(dom, dev, flags)
}

// relayConsole puts the terminal in raw mode, copies stdin to the console
// stream and the stream to stdout until the escape byte is typed, stdin
// ends or the stream ends, and restores the terminal on every path out,
// including fatal signals.
func (s *Session) relayConsole(dom libvirt.Domain, dev string, flags uint32) error {
	fd := int(s.Stdin.Fd())
	saved, err := term.MakeRaw(fd)
	if err != nil {
		return cmdErrorf("unable to set tty attributes: %v", err)
	}
	restore := func() { term.Restore(fd, saved) }
	defer restore()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGINT)
	defer func() {
		signal.Stop(sigs)
		close(sigs)
	}()
	go func() {
		if sig, ok := <-sigs; ok {
			restore()
			os.Exit(128 + int(sig.(syscall.Signal)))
		}
	}()

	var devName libvirt.OptString
	if dev != "" {
		devName = libvirt.OptString{dev}
	}
	st, err := s.conn.OpenStream(wire.ProgramRemote, proto.ProcDomainOpenConsole,
		&libvirt.DomainOpenConsoleArgs{Dom: dom, DevName: devName, Flags: flags}, nil)
	if err != nil {
		return err
	}
	stopResize := s.followWindowSize(fd, dom, devName)
	defer stopResize()
	done := make(chan error, 2)
	go func() {
		_, err := io.Copy(s.Stdout, st)
		done <- ignoreEOF(err)
	}()
	stop, err := newCanceller()
	if err != nil {
		st.Abort()
		return err
	}
	defer stop.close()
	go func() { done <- copyInput(st, s.Stdin, EscapeByte(s.Escape), stop) }()
	err = <-done
	stop.cancel()
	finished := make(chan struct{})
	go func() {
		st.Close()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(2 * time.Second):
	}
	return err
}

func ignoreEOF(err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, client.ErrStreamClosed) {
		return nil
	}
	return err
}

// canceller is a pipe whose readability tells a poll loop to stop.
type canceller struct{ r, w *os.File }

func newCanceller() (*canceller, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	return &canceller{r: r, w: w}, nil
}

func (c *canceller) cancel() { c.w.Write([]byte{0}) }

func (c *canceller) close() {
	c.r.Close()
	c.w.Close()
}

// copyInput copies the terminal to the stream until the escape byte (the
// bytes before it are sent), end of input, or cancellation. It polls so
// that nothing is read from the terminal after the session ends.
func copyInput(st io.Writer, in *os.File, escape byte, stop *canceller) error {
	buf := make([]byte, 1024)
	fds := []unix.PollFd{{Fd: int32(in.Fd()), Events: unix.POLLIN}, {Fd: int32(stop.r.Fd()), Events: unix.POLLIN}}
	for {
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return err
		}
		if fds[1].Revents != 0 {
			return nil
		}
		if fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) == 0 {
			continue
		}
		n, err := unix.Read(int(in.Fd()), buf)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if n <= 0 {
			return nil
		}
		data := buf[:n]
		for i, b := range data {
			if b == escape {
				if i > 0 {
					st.Write(data[:i])
				}
				return nil
			}
		}
		if _, err := st.Write(data); err != nil {
			return ignoreEOF(err)
		}
	}
}

// followWindowSize passes the terminal's size to the container's console
// now and on every SIGWINCH, through virtlxc's own DOMAIN_CONSOLE_RESIZE
// (a daemon that lacks it, such as libvirt's, is simply not told).
func (s *Session) followWindowSize(fd int, dom libvirt.Domain, dev libvirt.OptString) (stop func()) {
	send := func() bool {
		ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		if err != nil {
			return true
		}
		err = s.conn.Call(wire.ProgramVirtlxc, proto.VirtlxcProcDomainConsoleResize,
			&proto.VirtlxcDomainConsoleResizeArgs{Dom: dom, DevName: dev, Rows: uint32(ws.Row), Cols: uint32(ws.Col)}, nil)
		return err == nil
	}
	if !send() {
		return func() {}
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				send()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(quit)
	}
}

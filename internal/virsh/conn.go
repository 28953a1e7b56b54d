package virsh

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"virtlxc/internal/rpc/client"
)

// DefaultURI is the URI used when neither -c nor LIBVIRT_DEFAULT_URI names one.
const DefaultURI = "lxc:///system"

// DefaultSocket is virtlxcd's read-write socket; the read-only one adds "-ro".
const DefaultSocket = "/run/libvirt/virtlxcd-sock"

// daemonStartTimeout bounds how long the autostarted daemon may take.
const daemonStartTimeout = 15 * time.Second

// Conn is an open connection to the daemon.
type Conn struct {
	*client.Client
	// URI is the URI the connection was opened with.
	URI string
	// Socket is the socket path it was opened on.
	Socket string

	mu      sync.Mutex
	onEvent func(client.Event)
}

// setEventHandler installs (or, with nil, removes) the receiver of domain
// event messages.
func (c *Conn) setEventHandler(h func(client.Event)) {
	c.mu.Lock()
	c.onEvent = h
	c.mu.Unlock()
}

func (c *Conn) dispatchEvent(ev client.Event) {
	c.mu.Lock()
	h := c.onEvent
	c.mu.Unlock()
	if h != nil {
		h(ev)
	}
}

// SocketForURI returns the unix socket a URI names: its ?socket=
// parameter, else, for a local lxc:// URI, the default (isDefault true).
// Remote URIs are not served by virtlxc's own client.
func SocketForURI(uri string, readOnly bool) (path string, isDefault bool, err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", false, cmdErrorf("internal error: Unable to parse URI %s", uri)
	}
	if s := u.Query().Get("socket"); s != "" {
		// An explicit socket: the daemon there judges the URI.
		return s, false, nil
	}
	switch u.Scheme {
	case "lxc", "lxc+unix":
	default:
		return "", false, cmdErrorf("virtlxc speaks to local LXC daemons only (lxc:///system); %q is not supported, use virsh for it", uri)
	}
	if u.Host != "" {
		return "", false, cmdErrorf("virtlxc speaks to local LXC daemons only; remote URI %q is not supported, use virsh for it", uri)
	}
	if readOnly {
		return DefaultSocket + "-ro", true, nil
	}
	return DefaultSocket, true, nil
}

// connection returns the session's connection, opening it on first use.
func (s *Session) connection() (*Conn, error) {
	if s.conn != nil {
		select {
		case <-s.conn.Done():
			s.conn = nil
		default:
			return s.conn, nil
		}
	}
	sock, isDefault, err := SocketForURI(s.URI, s.ReadOnly)
	if err != nil {
		return nil, err
	}
	c, err := s.open(sock)
	if err != nil && isDefault && errors.Is(err, syscall.ENOENT) && s.DaemonPath != "" {
		if serr := s.startDaemon(); serr != nil {
			return nil, serr
		}
		c, err = s.open(sock)
	}
	if err != nil {
		return nil, connectError(sock, isDefault, err)
	}
	s.conn = c
	return c, nil
}

func (s *Session) open(sock string) (*Conn, error) {
	conn := &Conn{URI: s.URI, Socket: sock}
	c, err := client.OpenWith(sock, s.URI, client.Options{ReadOnly: s.ReadOnly, OnEvent: conn.dispatchEvent})
	if err != nil {
		return nil, err
	}
	conn.Client = c
	return conn, nil
}

// connectError is the message for a failed connection: one line naming
// the socket and how to start the daemon when nothing listens there,
// virsh's two lines when the daemon refused the connection.
func connectError(sock string, isDefault bool, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) && (errno == syscall.ENOENT || errno == syscall.ECONNREFUSED) {
		start := "virtlxcd --daemon"
		if !isDefault {
			start += " --socket " + sock
		}
		return &CmdError{Lines: []string{fmt.Sprintf("failed to connect to the hypervisor: no daemon is listening on '%s' (%s); start it with '%s'", sock, errnoText(errno), start)}}
	}
	return &CmdError{Lines: append([]string{"failed to connect to the hypervisor"}, errorLines(err)...), cause: err}
}

func errnoText(e syscall.Errno) string {
	switch e {
	case syscall.ENOENT:
		return "No such file or directory"
	case syscall.ECONNREFUSED:
		return "Connection refused"
	}
	return e.Error()
}

// startDaemon runs "virtlxcd --daemon", which returns once the daemon
// answers on its socket, as libvirt autostarts its session daemon.
func (s *Session) startDaemon() error {
	if _, err := os.Stat(s.DaemonPath); err != nil {
		return nil // nothing to start: report the missing socket
	}
	cmd := exec.Command(s.DaemonPath, "--daemon")
	cmd.Stdout, cmd.Stderr = s.Stderr, s.Stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return cmdErrorf("failed to start %s: %v", s.DaemonPath, err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return cmdErrorf("failed to start the daemon (%s --daemon): %v", s.DaemonPath, err)
		}
		return nil
	case <-time.After(daemonStartTimeout):
		cmd.Process.Kill()
		return cmdErrorf("the daemon (%s --daemon) did not start within %s", s.DaemonPath, daemonStartTimeout)
	}
}

// DaemonBeside returns the virtlxcd binary next to the running executable.
func DaemonBeside() string {
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(self), "virtlxcd")
}

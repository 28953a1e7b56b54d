package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// Sink receives audit records.
type Sink interface {
	// Send records one audit record; it never fails the caller's
	// operation, so it returns nothing.
	Send(r Record)
}

// Discard is a Sink that drops every record.
var Discard Sink = discard{}

type discard struct{}

func (discard) Send(Record) {}

// auditGet is AUDIT_GET (linux/audit.h), the status request.
const auditGet = 1000

// Sender sends records to the kernel audit subsystem over NETLINK_AUDIT
// when the kernel takes them, and otherwise writes the same text to its
// log. Its methods are safe for concurrent use.
type Sender struct {
	log  *slog.Logger
	exe  string
	mu   sync.Mutex
	fd   int // -1 once records go to the log
	seq  uint32
	send func(fd int, typ Type, seq uint32, text string) error
}

// Open detects, once, whether the kernel audit subsystem is enabled and
// reachable, and says in a log line where the records will go.
func Open(log *slog.Logger) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	exe, err := os.Executable()
	if err != nil {
		exe = "?"
	}
	s := &Sender{log: log, exe: exe, fd: -1, send: netlinkSend}
	fd, err := openAudit()
	if err != nil {
		log.Info("audit records go to the log: the kernel audit subsystem is not available", "reason", err.Error())
		return s
	}
	s.fd = fd
	log.Info("audit records go to the kernel audit subsystem (netlink)")
	return s
}

// NewLogSender returns a Sender that writes every record to log, as when
// the kernel has no audit subsystem.
func NewLogSender(log *slog.Logger, exe string) *Sender {
	return &Sender{log: log, exe: exe, fd: -1}
}

// Kernel reports whether records currently go to the kernel.
func (s *Sender) Kernel() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fd >= 0
}

// Send sends r to the kernel; when the kernel refuses it (audit switched
// off or this process in a child pid or user namespace) the sender falls
// back to the log for good and says so. Records in the log keep libvirt's
// text: the message as the kernel would have received it.
func (s *Sender) Send(r Record) {
	msg := r.Message(s.exe)
	s.mu.Lock()
	if s.fd >= 0 {
		s.seq++
		err := s.send(s.fd, r.Type, s.seq, msg)
		if err == nil {
			s.mu.Unlock()
			return
		}
		unix.Close(s.fd)
		s.fd = -1
		s.log.Warn("the kernel refused an audit record; audit records go to the log from now on", "err", err.Error())
	}
	s.mu.Unlock()
	level := slog.LevelInfo
	if !r.Success {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "audit", "type", r.Type.String(), "msg", msg)
}

// Close releases the netlink socket.
func (s *Sender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd >= 0 {
		err := unix.Close(s.fd)
		s.fd = -1
		return err
	}
	return nil
}

// openAudit opens a NETLINK_AUDIT socket and asks the kernel for the
// audit status: an error when it cannot be asked or auditing is off.
func openAudit() (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_AUDIT)
	if err != nil {
		return -1, fmt.Errorf("netlink audit socket: %w", err)
	}
	tv := unix.Timeval{Sec: 2}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("netlink audit socket timeout: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind netlink audit socket: %w", err)
	}
	enabled, err := auditStatus(fd)
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	if enabled == 0 {
		unix.Close(fd)
		return -1, errors.New("auditing is disabled in the kernel")
	}
	return fd, nil
}

// auditStatus sends AUDIT_GET and returns the status's enabled field.
func auditStatus(fd int) (uint32, error) {
	if err := sendMsg(fd, auditGet, unix.NLM_F_REQUEST|unix.NLM_F_ACK, 1, nil); err != nil {
		return 0, fmt.Errorf("audit status request: %w", err)
	}
	buf := make([]byte, 8192)
	for range 4 {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return 0, fmt.Errorf("audit status reply: %w", err)
		}
		msgs, err := parseMsgs(buf[:n])
		if err != nil {
			return 0, err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.NLMSG_ERROR:
				if e := ackErr(m.Data); e != nil {
					return 0, fmt.Errorf("audit status: %w", e)
				}
			case auditGet:
				if len(m.Data) < 8 {
					return 0, errors.New("audit status: short reply")
				}
				return binary.NativeEndian.Uint32(m.Data[4:8]), nil // mask, enabled
			}
		}
	}
	return 0, errors.New("audit status: no reply")
}

// netlinkSend sends one user record and waits for the kernel's ack.
func netlinkSend(fd int, typ Type, seq uint32, text string) error {
	if err := sendMsg(fd, uint16(typ), unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, append([]byte(text), 0)); err != nil {
		return fmt.Errorf("send audit record: %w", err)
	}
	buf := make([]byte, 4096)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("audit record ack: %w", err)
		}
		msgs, err := parseMsgs(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Type == unix.NLMSG_ERROR && m.Header.Seq == seq {
				return ackErr(m.Data)
			}
		}
	}
}

// sendMsg writes one netlink message to the kernel.
func sendMsg(fd int, typ, flags uint16, seq uint32, data []byte) error {
	b := make([]byte, unix.NLMSG_HDRLEN+len(data))
	binary.NativeEndian.PutUint32(b[0:4], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:6], typ)
	binary.NativeEndian.PutUint16(b[6:8], flags)
	binary.NativeEndian.PutUint32(b[8:12], seq)
	copy(b[unix.NLMSG_HDRLEN:], data)
	return unix.Sendto(fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
}

// ackErr is the errno of an NLMSG_ERROR payload, nil for an ack.
func ackErr(data []byte) error {
	if len(data) < 4 {
		return errors.New("short netlink error message")
	}
	if code := int32(binary.NativeEndian.Uint32(data[0:4])); code != 0 {
		return unix.Errno(-code)
	}
	return nil
}

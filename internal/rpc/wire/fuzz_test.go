package wire

import (
	"bytes"
	"net"
	"testing"
	"time"
)

// bytesConn is a read-only net.Conn over a byte slice.
type bytesConn struct{ r *bytes.Reader }

func (c bytesConn) Read(b []byte) (int, error)     { return c.r.Read(b) }
func (bytesConn) Write(b []byte) (int, error)      { return len(b), nil }
func (bytesConn) Close() error                     { return nil }
func (bytesConn) LocalAddr() net.Addr              { return nil }
func (bytesConn) RemoteAddr() net.Addr             { return nil }
func (bytesConn) SetDeadline(time.Time) error      { return nil }
func (bytesConn) SetReadDeadline(time.Time) error  { return nil }
func (bytesConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReadPacket: no byte stream makes the reader panic, and every packet
// it accepts re-frames to the bytes it came from.
func FuzzReadPacket(f *testing.F) {
	f.Add([]byte(nil))
	f.Add(mustHex(virshOpen))
	f.Add(append(mustHex(virshOpen), mustHex(virshOpen)...))
	f.Add([]byte{0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewConn(bytesConn{bytes.NewReader(data)})
		off := 0
		for {
			p, err := c.ReadPacket()
			if err != nil {
				return
			}
			frame, err := Frame(p.Header, len(p.FDs), p.Payload)
			if err != nil {
				t.Fatalf("accepted packet does not re-frame: %v", err)
			}
			if p.Type.HasFDs() {
				return // nfds > 0 cannot be read from a non-unix conn
			}
			if !bytes.Equal(frame, data[off:off+len(frame)]) {
				t.Fatalf("re-framed %x, read %x", frame, data[off:off+len(frame)])
			}
			off += len(frame)
		}
	})
}

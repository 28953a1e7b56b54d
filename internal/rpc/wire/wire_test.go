package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// socketPair returns the two ends of a connected unix stream socket pair.
func socketPair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conv := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "sp")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	a, b := conv(fds[0]), conv(fds[1])
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// mustHex decodes the spec's packet notation (hex words, "quoted" ASCII,
// '|' separators); bad notation is a bug in the test and panics.
func mustHex(s string) []byte {
	var out []byte
	for _, part := range strings.Fields(strings.ReplaceAll(s, "|", " ")) {
		if strings.HasPrefix(part, `"`) {
			out = append(out, strings.Trim(part, `"`)...)
			continue
		}
		b, err := hex.DecodeString(part)
		if err != nil {
			panic(err)
		}
		out = append(out, b...)
	}
	return out
}

// The CONNECT_OPEN call virsh sent, byte for byte (spec §2.2).
const virshOpen = `00000038 20008086 00000001 00000001 00000000 00000002 00000000 | 00000001 0000000d "lxc:///system" 000000 | 00000000`

func TestGoldenConnectOpenFrame(t *testing.T) {
	frame := mustHex(virshOpen)
	a, b := socketPair(t)
	go a.Write(frame)
	p, err := NewConn(b).ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	want := Header{Program: ProgramRemote, Version: 1, Procedure: 1, Type: Call, Serial: 2, Status: OK}
	if p.Header != want {
		t.Fatalf("header %v, want %v", p.Header, want)
	}
	if !bytes.Equal(p.Payload, frame[MinFrame:]) {
		t.Fatalf("payload %x", p.Payload)
	}
	again, err := Frame(p.Header, 0, p.Payload)
	if err != nil || !bytes.Equal(again, frame) {
		t.Fatalf("re-framed %x, %v", again, err)
	}
}

func TestFrameWithFDsCarriesNFDs(t *testing.T) {
	h := Header{Program: ProgramLXC, Version: 1, Procedure: 1, Type: ReplyWithFDs, Serial: 7}
	f, err := Frame(h, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != MinFrame+4 || binary.BigEndian.Uint32(f[MinFrame:]) != 3 {
		t.Fatalf("frame %x", f)
	}
	gotH, nfds, payload, err := ParseFrame(f[LenSize:])
	if err != nil || gotH != h || nfds != 3 || len(payload) != 0 {
		t.Fatalf("parsed %v %d %x %v", gotH, nfds, payload, err)
	}
	over := binary.BigEndian.AppendUint32(f[LenSize:MinFrame:MinFrame], MaxFDs+1)
	if _, _, _, err := ParseFrame(over); err == nil {
		t.Fatal("nfds over the limit accepted")
	}
}

func TestBadLengthsRejectedBeforeAllocation(t *testing.T) {
	for _, n := range []uint32{0, 3, 4, MinFrame - 1, MaxMessage + LenSize + 1, 0xffffffff} {
		a, b := socketPair(t)
		var lenWord [4]byte
		binary.BigEndian.PutUint32(lenWord[:], n)
		if _, err := a.Write(lenWord[:]); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := NewConn(b).ReadPacket()
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("length %d accepted", n)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<10 {
			t.Errorf("length %d: allocated %d bytes before rejecting", n, grew)
		}
	}
}

// A peer announcing the maximum size but sending a few bytes costs at most
// the initial buffer.
func TestAnnouncedSizeIsNotPreallocated(t *testing.T) {
	a, b := socketPair(t)
	var hdr [MinFrame]byte
	binary.BigEndian.PutUint32(hdr[:], MaxMessage+LenSize)
	a.Write(hdr[:])
	a.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := NewConn(b).ReadPacket()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v, want unexpected EOF", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 2*InitialBuffer {
		t.Errorf("allocated %d bytes for a frame that never came", grew)
	}
}

func TestLargePacketRoundTrip(t *testing.T) {
	a, b := socketPair(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 300000) // 4.8 MB, several buffer doublings
	h := Header{Program: ProgramRemote, Version: 1, Procedure: 7, Type: Reply, Serial: 9}
	go NewConn(a).WritePacket(&Packet{Header: h, Payload: payload})
	p, err := NewConn(b).ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	if p.Header != h || !bytes.Equal(p.Payload, payload) {
		t.Fatalf("got %v with %d bytes", p.Header, len(p.Payload))
	}
	if _, err := Frame(h, 0, make([]byte, MaxPayload+1)); err == nil {
		t.Fatal("oversized frame built")
	}
}

func TestCleanEOFBetweenPackets(t *testing.T) {
	a, b := socketPair(t)
	a.Close()
	if _, err := NewConn(b).ReadPacket(); !errors.Is(err, io.EOF) {
		t.Fatalf("error %v, want io.EOF", err)
	}
}

// fds pass through a real socket pair, one sendmsg each, and the frame that
// follows them is read intact (nothing over-read, nothing lost).
func TestFDPassing(t *testing.T) {
	a, b := socketPair(t)
	ca, cb := NewConn(a), NewConn(b)

	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	defer r1.Close()
	defer r2.Close()
	call := &Packet{
		Header:  Header{Program: ProgramRemote, Version: 1, Procedure: 310, Type: CallWithFDs, Serial: 4},
		Payload: []byte{0, 0, 0, 5},
		FDs:     []*os.File{w1, w2},
	}
	next := &Packet{Header: Header{Program: ProgramRemote, Version: 1, Procedure: 2, Type: Call, Serial: 5}}
	errc := make(chan error, 1)
	go func() {
		err := ca.WritePacket(call)
		if err == nil {
			err = ca.WritePacket(next)
		}
		w1.Close()
		w2.Close()
		errc <- err
	}()
	p, err := cb.ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if p.Header != call.Header || !bytes.Equal(p.Payload, call.Payload) || len(p.FDs) != 2 {
		t.Fatalf("got %v payload %x with %d fds", p.Header, p.Payload, len(p.FDs))
	}
	for i, pr := range []*os.File{r1, r2} {
		msg := []byte{'A' + byte(i)}
		if _, err := p.FDs[i].Write(msg); err != nil {
			t.Fatalf("write through received fd %d: %v", i, err)
		}
		p.FDs[i].Close()
		got := make([]byte, 1)
		pr.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(pr, got); err != nil || got[0] != msg[0] {
			t.Fatalf("fd %d delivered %q, %v", i, got, err)
		}
	}
	p2, err := cb.ReadPacket()
	if err != nil || p2.Header != next.Header {
		t.Fatalf("packet after fds: %v, %v", p2, err)
	}
}

func TestFDsNeedUnixSocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	f, _ := os.Open(os.DevNull)
	defer f.Close()
	err := NewConn(a).WriteFrame([]byte{}, []*os.File{f})
	if !errors.Is(err, ErrNoFDPassing) {
		t.Fatalf("error %v", err)
	}
}

// A frame announcing fds that never come is an error, not a hang, once the
// peer goes away.
func TestMissingFDs(t *testing.T) {
	a, b := socketPair(t)
	frame, _ := Frame(Header{Program: ProgramRemote, Version: 1, Type: CallWithFDs}, 1, nil)
	a.Write(frame)
	a.Write([]byte{0}) // a marker byte without a descriptor
	if _, err := NewConn(b).ReadPacket(); err == nil {
		t.Fatal("marker without fd accepted")
	}
}

func TestHeaderStrings(t *testing.T) {
	h := Header{Program: ProgramKeepalive, Version: 1, Procedure: KeepalivePing, Type: Message, Status: Continue}
	if s := h.String(); !strings.Contains(s, "MESSAGE") || !strings.Contains(s, "CONTINUE") || !strings.Contains(s, "0x6b656570") {
		t.Fatalf("header string %q", s)
	}
	if Type(9).String() != "TYPE_9" || Status(7).String() != "STATUS_7" {
		t.Fatal("unknown values not rendered")
	}
}

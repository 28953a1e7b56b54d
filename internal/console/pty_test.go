package console

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOpenPTYAndPeerExchangeBytes(t *testing.T) {
	master, index, err := OpenPTY("/dev/ptmx")
	if err != nil {
		t.Fatalf("OpenPTY: %v", err)
	}
	defer master.Close()
	if index < 0 {
		t.Fatalf("index = %d", index)
	}
	slave, err := OpenPeer(master, "/dev/pts", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK)
	if err != nil {
		t.Fatalf("OpenPeer: %v", err)
	}
	defer slave.Close()
	if want := "/dev/pts/" + strconv.Itoa(index); slave.Name() != want {
		t.Errorf("slave name = %q, want %q", slave.Name(), want)
	}
	if err := MakeRaw(slave); err != nil {
		t.Fatalf("MakeRaw: %v", err)
	}
	writeAll(t, slave, []byte("from container\n"))
	expect(t, master, "from container\n")
	writeAll(t, master, []byte("from host"))
	expect(t, slave, "from host")
}

func TestOpenPTYErrorNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ptmx")
	_, _, err := OpenPTY(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("OpenPTY(%s) error = %v, want one naming the path", path, err)
	}
}

func TestOpenPeerByPathFallback(t *testing.T) {
	master, index, err := OpenPTY("/dev/ptmx")
	if err != nil {
		t.Fatalf("OpenPTY: %v", err)
	}
	defer master.Close()

	slave, err := openPeerByPath(master, "/dev/pts", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK)
	if err != nil {
		t.Fatalf("openPeerByPath: %v", err)
	}
	defer slave.Close()
	if err := MakeRaw(slave); err != nil {
		t.Fatalf("MakeRaw: %v", err)
	}
	writeAll(t, slave, []byte("via path"))
	expect(t, master, "via path")

	// A directory whose entry is not the pty's slave is refused.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(index)), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := openPeerByPath(master, dir, unix.O_RDWR); err == nil {
		f.Close()
		t.Fatal("openPeerByPath accepted a regular file")
	}
	if _, err := openPeerByPath(master, "", unix.O_RDWR); err == nil {
		t.Fatal("openPeerByPath accepted an empty devpts directory")
	}
}

func TestMakeRawDisablesEchoAndCanonicalMode(t *testing.T) {
	master, _, err := OpenPTY("/dev/ptmx")
	if err != nil {
		t.Fatalf("OpenPTY: %v", err)
	}
	defer master.Close()
	slave, err := OpenPeer(master, "/dev/pts", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK)
	if err != nil {
		t.Fatalf("OpenPeer: %v", err)
	}
	defer slave.Close()

	termios := func() *unix.Termios {
		t.Helper()
		var tio *unix.Termios
		if err := withFd(slave, func(fd int) (err error) {
			tio, err = unix.IoctlGetTermios(fd, unix.TCGETS)
			return err
		}); err != nil {
			t.Fatalf("TCGETS: %v", err)
		}
		return tio
	}
	if before := termios(); before.Lflag&(unix.ECHO|unix.ICANON) != unix.ECHO|unix.ICANON {
		t.Fatalf("new pty lflag %#x lacks ECHO|ICANON; test premise broken", before.Lflag)
	}
	if err := MakeRaw(slave); err != nil {
		t.Fatalf("MakeRaw: %v", err)
	}
	after := termios()
	if after.Lflag&(unix.ECHO|unix.ICANON|unix.ISIG|unix.IEXTEN) != 0 {
		t.Errorf("lflag = %#x, want ECHO, ICANON, ISIG, IEXTEN cleared", after.Lflag)
	}
	if after.Oflag&unix.OPOST != 0 || after.Iflag&(unix.ICRNL|unix.IXON) != 0 {
		t.Errorf("oflag = %#x, iflag = %#x, want OPOST, ICRNL, IXON cleared", after.Oflag, after.Iflag)
	}
	if after.Cflag&unix.CSIZE != unix.CS8 || after.Cc[unix.VMIN] != 1 || after.Cc[unix.VTIME] != 0 {
		t.Errorf("cflag = %#x, VMIN = %d, VTIME = %d", after.Cflag, after.Cc[unix.VMIN], after.Cc[unix.VTIME])
	}

	// Without ICANON the slave reads input before any newline; without
	// ECHO the master gets back only what the slave writes.
	writeAll(t, master, []byte("ab"))
	expect(t, slave, "ab")
	writeAll(t, slave, []byte("z"))
	expect(t, master, "z")
}

func TestSetSize(t *testing.T) {
	master, slave := newPair(t)
	if err := SetSize(master, 40, 132); err != nil {
		t.Fatalf("SetSize: %v", err)
	}
	var ws *unix.Winsize
	if err := withFd(slave, func(fd int) (err error) {
		ws, err = unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		return err
	}); err != nil {
		t.Fatalf("TIOCGWINSZ: %v", err)
	}
	if ws.Row != 40 || ws.Col != 132 {
		t.Fatalf("window size = %dx%d, want 40x132", ws.Row, ws.Col)
	}
}

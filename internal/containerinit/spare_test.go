package containerinit

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func inode(t *testing.T, fd int) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatalf("fstat %d: %v", fd, err)
	}
	return st.Ino
}

// TestRelocate: sources land on their destinations (the first npass
// without close-on-exec), even where a destination is another source's
// number, and the sources' old numbers are closed.
func TestRelocate(t *testing.T) {
	var src []int
	var want []uint64
	for i := 0; i < 3; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		fd, err := unix.Dup(int(r.Fd()))
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, fd)
		want = append(want, inode(t, fd))
	}
	// The second destination is the first source's number.
	dst := []int{300, src[0], 302}
	defer closeAll([]int{300, src[0], 302})
	if err := relocate(src, dst, 1); err != nil {
		t.Fatal(err)
	}
	for i, fd := range dst {
		if got := inode(t, fd); got != want[i] {
			t.Errorf("descriptor %d holds inode %d, want %d", fd, got, want[i])
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cloexec := flags&unix.FD_CLOEXEC != 0; cloexec != (i >= 1) {
			t.Errorf("descriptor %d close-on-exec %v", fd, cloexec)
		}
	}
	for _, fd := range src[1:] {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			t.Errorf("source %d still open", fd)
		}
	}
}

// TestRelocateRefusesBusyDestination: a destination held by something
// else (the runtime's descriptors) is never overwritten.
func TestRelocateRefusesBusyDestination(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	// Above the placeholders' numbers, which relocate may overwrite.
	if err := unix.Dup2(int(null.Fd()), 250); err != nil {
		t.Fatal(err)
	}
	busy := os.NewFile(250, "busy")
	defer busy.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	src, err := unix.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if err := relocate([]int{src}, []int{int(busy.Fd())}, 0); err == nil {
		t.Fatal("relocate overwrote a busy descriptor")
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(busy.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		t.Errorf("busy descriptor changed: %v mode %o", err, st.Mode)
	}
}

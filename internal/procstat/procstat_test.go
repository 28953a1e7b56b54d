package procstat

import (
	"os"
	"strconv"
	"testing"
)

// TestFields counts after the last parenthesis of the command name.
func TestFields(t *testing.T) {
	f, err := Fields("42 (a b) (c)) R 1234 42 42 0 -1 4")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Uint(f, 4); err != nil || v != 1234 {
		t.Errorf("field 4 = %d, %v; want 1234", v, err)
	}
	if _, err := Uint(f, 60); err == nil {
		t.Error("field 60 of a short line: no error")
	}
	if _, err := Uint(f, 3); err == nil {
		t.Error("field 3 (R) as a number: no error")
	}
	if _, err := Fields("42 sleep S 7"); err == nil {
		t.Error("no parenthesis: no error")
	}
}

// TestReadSelf: this process's parent, through /proc.
func TestReadSelf(t *testing.T) {
	f, err := Read(strconv.Itoa(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Uint(f, 4); err != nil || int(v) != os.Getppid() {
		t.Errorf("parent = %d, %v; want %d", v, err, os.Getppid())
	}
}

package virerr

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestSysWording: strerror's text after the message, the cause still
// reachable.
func TestSysWording(t *testing.T) {
	_, cause := os.Stat("/nonexistent/virtlxc")
	err := Sys(cause, "Unable to stat bind source %s", "/nonexistent/virtlxc")
	if want := "Unable to stat bind source /nonexistent/virtlxc: No such file or directory"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the cause is not reachable")
	}
	if got := Sys(errors.New("bad spec"), "Failed to x").Error(); got != "Failed to x: bad spec" {
		t.Errorf("a non-system cause: %q", got)
	}
}

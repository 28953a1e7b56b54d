package containerinit

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestSysErrorWording: strerror's text after the message, the cause still
// reachable.
func TestSysErrorWording(t *testing.T) {
	_, cause := os.Stat("/nonexistent/virtlxc")
	err := sysErrorf(cause, "Unable to stat bind source %s", "/nonexistent/virtlxc")
	if want := "Unable to stat bind source /nonexistent/virtlxc: No such file or directory"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the cause is not reachable")
	}
	if got := sysErrorf(errors.New("bad spec"), "Failed to x").Error(); got != "Failed to x: bad spec" {
		t.Errorf("a non-system cause: %q", got)
	}
}

package proctitle

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"virtlxc/internal/procstat"
)

const childEnv = "PROCTITLE_TEST_CHILD"

// TestMain lets the test binary run as the child that sets its title
// (the test process's own arguments hold the testing flags).
func TestMain(m *testing.M) {
	if file := os.Getenv(childEnv); file != "" {
		title, err := os.ReadFile(file)
		if err != nil {
			os.Exit(4)
		}
		Detach()
		arg := os.Args[1]
		if err := Set(string(title)); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(2)
		}
		b, err := os.ReadFile("/proc/self/cmdline")
		if err != nil {
			os.Exit(3)
		}
		// What the kernel shows, then an argument read after Set.
		os.Stdout.Write(append(b, []byte("|"+arg)...))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSet: the command line reads the title (cut to the room there is),
// and os.Args, detached, still reads the original arguments.
func TestSet(t *testing.T) {
	for _, title := range []string{"virtlxc-controller --name web --config /run/x.config", strings.Repeat("x", 9000)} {
		file := filepath.Join(t.TempDir(), "title")
		if err := os.WriteFile(file, []byte(title), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "first-argument")
		cmd.Env = []string{childEnv + "=" + file, "PAD=" + strings.Repeat("p", 100)}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		shown, arg, _ := strings.Cut(string(out), "|")
		shown, ended := strings.CutSuffix(shown, "\x00") // as every command line ends
		if !ended {
			t.Errorf("cmdline %q does not end in NUL", shown)
		}
		if arg != "first-argument" {
			t.Errorf("os.Args[1] after Set = %q", arg)
		}
		if len(title) < 100 && shown != title {
			t.Errorf("cmdline %q, want %q", shown, title)
		}
		if len(title) > 100 && (len(shown) < 100 || len(shown) >= len(title) || !strings.HasPrefix(title, shown)) {
			t.Errorf("long title: cmdline is %d bytes, not a prefix of the title", len(shown))
		}
	}
}

// TestParseRegion reads fields 48, 49 and 51.
func TestParseRegion(t *testing.T) {
	fields := make([]string, 52)
	for i := range fields {
		fields[i] = "0"
	}
	fields[48], fields[49], fields[51] = "1000", "1500", "2000"
	f, err := procstat.Fields("7 (a) b)) " + strings.Join(fields[3:], " "))
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseRegion(f)
	if err != nil || r != (argRegion{1000, 1500, 2000}) {
		t.Errorf("parseRegion = %+v, %v", r, err)
	}
	if _, err := parseRegion(f[:10]); err == nil {
		t.Error("short line: no error")
	}
}

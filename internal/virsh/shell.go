package virsh

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"
)

const (
	shellPrompt   = "virtlxc # "
	shellPromptRO = "virtlxc > "
	historyLimit  = 500
)

// Shell is the interactive mode: a line editor with history on a
// terminal, plain line reading otherwise; each line may hold several
// commands separated by ';'. As virsh's, it exits 0.
func (s *Session) Shell() int {
	s.printExtra("Welcome to virtlxc, the virsh-compatible terminal for LXC containers.\n\n" +
		"Type:  'help' for help with commands\n       'quit' to quit\n\n")
	read := s.lineReader()
	s.interactive = true
	for !s.quit {
		line, err := read()
		if err != nil {
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		s.RunLine(line)
	}
	// virsh ends the session with a line break, after quit or end of input.
	s.print("\n")
	return 0
}

func (s *Session) prompt() string {
	if s.ReadOnly {
		return shellPromptRO
	}
	return shellPrompt
}

// lineReader returns a function reading one command line.
func (s *Session) lineReader() func() (string, error) {
	if s.Stdin != nil && term.IsTerminal(int(s.Stdin.Fd())) {
		if out, ok := s.Stdout.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
			return s.terminalReader(out)
		}
	}
	br := bufio.NewReader(s.Stdin)
	return func() (string, error) {
		// Like readline on a pipe: the prompt, then the line read echoed.
		s.print(s.prompt())
		line, err := br.ReadString('\n')
		if err != nil && line == "" {
			return "", err
		}
		line = strings.TrimSuffix(line, "\n")
		s.print(line + "\n")
		return line, nil
	}
}

// terminalReader edits lines with x/term's Terminal; the terminal is raw
// only while a line is being read, so commands see it as usual.
func (s *Session) terminalReader(out *os.File) func() (string, error) {
	rw := struct {
		io.Reader
		io.Writer
	}{s.Stdin, out}
	t := term.NewTerminal(rw, s.prompt())
	hist := loadHistory(historyPath(s.Getenv))
	t.History = hist
	fd := int(s.Stdin.Fd())
	return func() (string, error) {
		if w, h, err := term.GetSize(fd); err == nil {
			t.SetSize(w, h)
		}
		saved, err := term.MakeRaw(fd)
		if err != nil {
			return "", err
		}
		line, err := t.ReadLine()
		term.Restore(fd, saved)
		if err == nil {
			hist.save()
		}
		return line, err
	}
}

// historyPath is where shell history persists: $XDG_CACHE_HOME/virtlxc or
// ~/.cache/virtlxc, as virsh keeps its own in ~/.cache/virsh.
func historyPath(getenv func(string) string) string {
	dir := getenv("XDG_CACHE_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "virtlxc", "history")
}

// fileHistory is a bounded history saved to a file; newest first for At.
type fileHistory struct {
	path  string
	lines []string
}

func loadHistory(path string) *fileHistory {
	h := &fileHistory{path: path}
	if path == "" {
		return h
	}
	if data, err := os.ReadFile(path); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" {
				h.lines = append(h.lines, l)
			}
		}
	}
	if len(h.lines) > historyLimit {
		h.lines = h.lines[len(h.lines)-historyLimit:]
	}
	return h
}

// Add records a line (term.History).
func (h *fileHistory) Add(l string) {
	if l == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == l) {
		return
	}
	h.lines = append(h.lines, l)
	if len(h.lines) > historyLimit {
		h.lines = h.lines[1:]
	}
}

// Len is the number of lines (term.History).
func (h *fileHistory) Len() int { return len(h.lines) }

// At returns the n-th most recent line (term.History).
func (h *fileHistory) At(n int) string { return h.lines[len(h.lines)-1-n] }

func (h *fileHistory) save() {
	if h.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return
	}
	os.WriteFile(h.path, []byte(strings.Join(h.lines, "\n")+"\n"), 0o600)
}

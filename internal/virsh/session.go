package virsh

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"virtlxc/internal/rpc/client"
)

// Session is one run of the client: its options, its output streams and
// its connection, which is opened on first use and kept across the
// commands of a line or an interactive shell.
type Session struct {
	Stdin  *os.File
	Stdout io.Writer
	Stderr io.Writer

	// URI is the connection URI; URIGiven is set when -c named it.
	URI      string
	URIGiven bool
	// Quiet suppresses informational messages and table headers (-q).
	Quiet bool
	// ReadOnly opens the connection read-only (-r).
	ReadOnly bool
	// Timing prints each command's time after it (-t).
	Timing bool
	// Escape is the console escape sequence, "^]" unless -e changed it.
	Escape string
	// Getenv reads the environment (os.Getenv unless a test sets it).
	Getenv func(string) string
	// LookupEnv tells a variable set empty from one unset (os.LookupEnv
	// unless a test sets it; nil falls back to Getenv).
	LookupEnv func(string) (string, bool)
	// DaemonPath is the virtlxcd binary started when the default socket
	// is absent; "" disables the autostart.
	DaemonPath string

	cmds        *Commands
	conn        *Conn
	quit        bool
	interactive bool // the shell runs (cd works only there)
}

// NewSession returns a session on the process's standard streams.
func NewSession() *Session {
	return &Session{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		URI: DefaultURI, Escape: "^]", Getenv: os.Getenv, LookupEnv: os.LookupEnv,
		cmds: NewCommands(),
	}
}

// lookupEnv reads an environment variable through LookupEnv or Getenv.
func (s *Session) lookupEnv(key string) (string, bool) {
	if s.LookupEnv != nil {
		return s.LookupEnv(key)
	}
	v := s.Getenv(key)
	return v, v != ""
}

// Commands returns the session's command table.
func (s *Session) Commands() *Commands { return s.cmds }

// print writes to stdout unconditionally (virsh's vshPrint).
func (s *Session) print(text string) { io.WriteString(s.Stdout, text) }

// printf formats to stdout unconditionally.
func (s *Session) printf(format string, args ...any) { fmt.Fprintf(s.Stdout, format, args...) }

// printExtra writes an informational message, suppressed by -q
// (vshPrintExtra).
func (s *Session) printExtra(format string, args ...any) {
	if !s.Quiet {
		fmt.Fprintf(s.Stdout, format, args...)
	}
}

// reportError prints an error's lines as virsh does; a connection the
// daemon closed is announced first, as virsh's close callback does.
func (s *Session) reportError(err error) {
	if errors.Is(err, client.ErrClosed) {
		fmt.Fprintf(s.Stderr, "error: Disconnected from %s due to end of file\n", s.URI)
	}
	for _, l := range errorLines(err) {
		fmt.Fprintf(s.Stderr, "error: %s\n", l)
	}
}

// Close ends the session's connection, as virsh does on exit.
func (s *Session) Close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// RunParsed runs parsed commands in order, as virsh's vshCommandRun, and
// returns the exit status of the last one: 0 on success, 1 (or the
// command's own status) on failure.
func (s *Session) RunParsed(cmds []*ParsedCmd) int {
	status := 0
	for _, pc := range cmds {
		status = s.runOne(pc)
		if s.quit {
			break
		}
	}
	return status
}

func (s *Session) runOne(pc *ParsedCmd) int {
	var err error
	t0 := time.Now()
	if !pc.Def.NoConnect {
		_, err = s.connection()
	}
	if err == nil {
		err = pc.Def.Run(s, pc)
	}
	status := 0
	if err != nil {
		s.reportError(err)
		status = 1
		var ce *CmdError
		if errors.As(err, &ce) && ce.Status != 0 {
			status = ce.Status
		}
	}
	if pc.Def.Name == "quit" || pc.Def.Name == "exit" {
		return status
	}
	if s.Timing {
		// As virsh: the connection check and the command, in place of
		// the blank line after it (printed even with -q).
		s.printf("\n(Time: %.3f ms)\n\n", float64(time.Since(t0).Microseconds())/1000)
	} else {
		s.printExtra("\n")
	}
	return status
}

// RunLine parses and runs one line of commands separated by ';' (virsh's
// string parser, used for a single argument and by the shell).
func (s *Session) RunLine(line string) int {
	cmds, err := s.ParseLine(line)
	if err != nil {
		s.reportError(err)
		return 1
	}
	return s.RunParsed(cmds)
}

// ParseLine splits and parses a command line.
func (s *Session) ParseLine(line string) ([]*ParsedCmd, error) {
	groups, err := SplitLine(line)
	if err != nil {
		return nil, err
	}
	var out []*ParsedCmd
	for _, words := range groups {
		pc, err := s.cmds.ParseArgs(words)
		if err != nil {
			return nil, err
		}
		out = append(out, pc)
	}
	return out, nil
}

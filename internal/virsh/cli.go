package virsh

import (
	"fmt"
	"strings"
)

// Version is the version "virtlxc -v" prints: the libvirt API level the
// client speaks.
const Version = "9.0.0"

// usage is "virtlxc -h", in virsh's layout.
func (t *Commands) usage() string {
	var b lineBuilder
	b.f(`
virtlxc [options]... [<command_string>]
virtlxc [options]... <command> [args...]

  options:
    -c | --connect=URI      hypervisor connection URI
    -e | --escape <char>    set escape sequence for console
    -h | --help             this help
    -q | --quiet            quiet mode
    -r | --readonly         connect readonly
    -v                      short version
    -V                      long version
         --version[=TYPE]   version, TYPE is short or long (default short)
  commands (non interactive mode):

`)
	for i := range t.Groups {
		g := &t.Groups[i]
		b.f(" %s (help keyword '%s')\n", g.Name, g.Keyword)
		for _, c := range t.Cmds {
			if c.Group == g.Keyword {
				b.f("    %-30s %s\n", c.Name, c.Help)
			}
		}
		b.f("\n")
	}
	b.f("\n  (specify help <group> for details about the commands in the group)\n")
	b.f("\n  (specify help <command> for details about the command)\n\n")
	return b.String()
}

// parseGlobal parses the options before the command, as virsh's getopt
// with "+": it stops at the first non-option. It returns the remaining
// words and, when the run is over already (-h, -v), the exit status.
func (s *Session) parseGlobal(args []string) (rest []string, exit int, done bool) {
	fail := func(format string, a ...any) ([]string, int, bool) {
		fmt.Fprintf(s.Stderr, "error: "+format+"\n", a...)
		return nil, 1, true
	}
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return args[1:], 0, false
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return args, 0, false
		}
		args = args[1:]
		name, value, hasValue := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "--") && len(a) > 2 {
			name, value, hasValue = a[:2], a[2:], true
			if strings.Contains("qrthvV", a[1:2]) {
				// Bundled flags: -qr is -q -r.
				args = append([]string{"-" + value}, args...)
				value, hasValue = "", false
			}
		}
		needValue := func() (string, bool) {
			if hasValue {
				return value, true
			}
			if len(args) == 0 {
				return "", false
			}
			v := args[0]
			args = args[1:]
			return v, true
		}
		switch name {
		case "-c", "--connect":
			v, ok := needValue()
			if !ok {
				return fail("option '-c'/'--connect' requires an argument")
			}
			s.URI, s.URIGiven = v, true
		case "-e", "--escape":
			v, ok := needValue()
			if !ok {
				return fail("option '-e'/'--escape' requires an argument")
			}
			if !validEscape(v) {
				return fail("Invalid string '%s' for escape sequence", v)
			}
			s.Escape = v
		case "-q", "--quiet":
			s.Quiet = true
		case "-r", "--readonly":
			s.ReadOnly = true
		case "-d", "--debug", "-k", "--keepalive-interval", "-K", "--keepalive-count", "-l", "--log":
			if _, ok := needValue(); !ok {
				return fail("option '%s' requires an argument", name)
			}
		case "-t", "--timing":
			s.Timing = true
		case "-h", "--help":
			s.print(s.cmds.usage())
			return nil, 0, true
		case "-v", "--version":
			if hasValue && value == "long" {
				s.printf("%s\n", longVersion())
			} else {
				s.printf("%s\n", Version)
			}
			return nil, 0, true
		case "-V":
			s.printf("%s\n", longVersion())
			return nil, 0, true
		default:
			return fail("unsupported option '%s'. See --help.", a)
		}
	}
	return nil, 0, false
}

func longVersion() string {
	return "Virtlxc command line tool, speaking the libvirt " + Version + " API (LXC only)"
}

// validEscape is virsh's vshAllowedEscapeChar check: "^" and a letter or
// one of @[\]^_, or a single printable character.
func validEscape(e string) bool {
	switch {
	case len(e) == 2 && e[0] == '^':
		c := e[1]
		return c >= '@' && c <= '_' || c >= 'a' && c <= 'z'
	case len(e) == 1:
		return e[0] > ' ' && e[0] < 0x7f
	}
	return false
}

// Main runs virtlxc with the given arguments (without the program name)
// and returns its exit status.
func (s *Session) Main(args []string) int {
	if len(args) > 0 && args[0] == "__complete" {
		words := args[1:]
		for i := 0; i+1 < len(words)-1; i++ {
			if words[i] == "-c" || words[i] == "--connect" {
				s.URI, s.URIGiven = words[i+1], true
			} else if v, ok := strings.CutPrefix(words[i], "--connect="); ok {
				s.URI, s.URIGiven = v, true
			}
		}
		s.applyEnv()
		for _, c := range s.cmds.Complete(args[1:], s.completeDomains) {
			s.printf("%s\n", c)
		}
		return 0
	}
	rest, status, done := s.parseGlobal(args)
	if done {
		return status
	}
	s.applyEnv()
	defer s.Close()
	if len(rest) == 0 {
		return s.Shell()
	}
	var cmds []*ParsedCmd
	var err error
	if len(rest) == 1 {
		cmds, err = s.ParseLine(rest[0])
	} else {
		var pc *ParsedCmd
		if pc, err = s.cmds.ParseArgs(rest); err == nil {
			cmds = []*ParsedCmd{pc}
		}
	}
	if err != nil {
		s.reportError(err)
		return 1
	}
	if s.URIGiven {
		// virsh connects at start-up when -c named a URI.
		if _, err := s.connection(); err != nil {
			s.reportError(err)
			return 1
		}
	}
	return s.RunParsed(cmds)
}

// applyEnv takes the URI from LIBVIRT_DEFAULT_URI when -c did not name one.
func (s *Session) applyEnv() {
	if !s.URIGiven {
		if u := s.Getenv("LIBVIRT_DEFAULT_URI"); u != "" {
			s.URI = u
		}
	}
}

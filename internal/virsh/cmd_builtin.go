package virsh

import (
	"os"
	"strings"
	"syscall"

	"virtlxc/internal/xmlesc"
)

// virsh's own commands beside help, quit and exit (vsh.c, virsh.c): echo,
// pwd, cd and connect.

func cmdEcho() *CmdDef {
	return &CmdDef{Name: "echo", Group: "virsh", NoConnect: true,
		Help: "echo arguments. Used for internal testing.",
		Desc: "Echo back arguments, possibly with quoting. Used for internal testing.",
		Opts: []OptDef{
			optBool("shell", "escape for shell use"),
			optBool("xml", "escape for XML use"),
			optBool("split", "split each argument on ','; ',,' is an escape sequence"),
			optBool("err", "output to stderr"),
			{Name: "string", Type: OptArgv, Help: "arguments to echo"},
		},
		Run: runEcho,
	}
}

// runEcho is virsh's cmdEcho.
func runEcho(s *Session, pc *ParsedCmd) error {
	for _, pair := range [][2]string{{"shell", "xml"}, {"shell", "split"}, {"xml", "split"}} {
		if err := pc.Exclusive(pair[0], pair[1]); err != nil {
			return err
		}
	}
	var b strings.Builder
	for _, arg := range pc.Argv("string") {
		switch {
		case pc.Bool("xml"):
			b.WriteString(xmlesc.String(arg))
		case pc.Bool("shell"):
			b.WriteString(escapeShell(arg))
		case pc.Bool("split"):
			for _, part := range splitCommas(arg) {
				b.WriteString(part + "\n")
			}
		default:
			b.WriteString(arg)
		}
		b.WriteByte(' ')
	}
	out := strings.TrimRight(b.String(), " ")
	if pc.Bool("err") {
		s.reportError(cmdErrorf("%s", out))
		return nil
	}
	s.print(out)
	return nil
}

// escapeShell is libvirt's virBufferEscapeShell: quoted only when it
// holds shell metacharacters (or is empty).
func escapeShell(v string) string {
	switch {
	case v == "":
		return "''"
	case !strings.ContainsAny(v, "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~"):
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// splitCommas is virsh's vshStringToArray: ',' separates, ',,' is a comma.
func splitCommas(v string) []string {
	parts := strings.Split(v, ",")
	out := []string{parts[0]}
	concat := false
	for _, p := range parts[1:] {
		switch {
		case concat:
			out[len(out)-1] += "," + p
			concat = false
		case p == "":
			concat = true
		default:
			out = append(out, p)
		}
	}
	if concat {
		out = append(out, "")
	}
	return out
}

func cmdPwd() *CmdDef {
	return &CmdDef{Name: "pwd", Group: "virsh", NoConnect: true,
		Help: "print the current directory", Desc: "Print the current directory.",
		Run: func(s *Session, pc *ParsedCmd) error {
			dir, err := os.Getwd()
			if err != nil {
				return cmdErrorf("%s", err)
			}
			s.printf("%s\n", dir)
			return nil
		},
	}
}

func cmdCd() *CmdDef {
	return &CmdDef{Name: "cd", Group: "virsh", NoConnect: true,
		Help: "change the current directory", Desc: "Change the current directory.",
		Opts: []OptDef{{Name: "dir", Type: OptString, Help: "directory to switch to (default: home or else root)"}},
		Run: func(s *Session, pc *ParsedCmd) error {
			if !s.interactive {
				return cmdErrorf("cd: command valid only in interactive mode")
			}
			dir, given, err := pc.String("dir")
			if err != nil {
				return err
			}
			if !given {
				if dir, err = os.UserHomeDir(); err != nil || dir == "" {
					dir = "/"
				}
			}
			if err := os.Chdir(dir); err != nil {
				msg := err.Error()
				if errno, ok := err.(*os.PathError); ok {
					if e, ok := errno.Err.(syscall.Errno); ok {
						msg = errnoText(e)
					}
				}
				return cmdErrorf("cd: %s: %s", msg, dir)
			}
			return nil
		},
	}
}

func cmdConnect() *CmdDef {
	return &CmdDef{Name: "connect", Group: "virsh", NoConnect: true,
		Help: "(re)connect to hypervisor",
		Desc: "Connect to local hypervisor. This is built-in command after shell start up.",
		Opts: []OptDef{
			{Name: "name", Type: OptString, EmptyOK: true, Help: "hypervisor connection URI"},
			optBool("readonly", "read-only connection"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			name, given, err := pc.String("name")
			if err != nil {
				return err
			}
			s.Close()
			if given && name != "" {
				s.URI, s.URIGiven = name, true
			}
			s.ReadOnly = pc.Bool("readonly")
			_, err = s.connection()
			return err
		},
	}
}

package virsh

import (
	"fmt"
	"strings"
)

// CommandHelp renders "help COMMAND" exactly as virsh's vshCmddefHelp.
func CommandHelp(def *CmdDef) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  NAME\n    %s - %s\n", def.Name, def.Help)
	fmt.Fprintf(&b, "\n  SYNOPSIS\n    %s", def.Name)
	shortopt := false
	for _, o := range def.Opts {
		if o.Alias != "" {
			continue
		}
		var s string
		switch o.Type {
		case OptBool:
			s = "[--" + o.Name + "]"
		case OptInt:
			if o.Required {
				s = "<" + o.Name + ">"
			} else {
				s = "[--" + o.Name + " <number>]"
			}
			shortopt = shortopt || !o.NamedOnly
		case OptString:
			s = "[--" + o.Name + " <string>]"
			shortopt = shortopt || !o.NamedOnly
		case OptData:
			if o.Required {
				s = "<" + o.Name + ">"
			} else {
				s = "[<" + o.Name + ">]"
			}
			shortopt = shortopt || !o.NamedOnly
		case OptArgv:
			switch {
			case shortopt && o.Required:
				s = "{[--" + o.Name + "] <string>}..."
			case shortopt:
				s = "[[--" + o.Name + "] <string>]..."
			case o.Required:
				s = "<" + o.Name + ">..."
			default:
				s = "[<" + o.Name + ">]..."
			}
		}
		b.WriteString(" " + s)
	}
	b.WriteString("\n")
	if def.Desc != "" {
		fmt.Fprintf(&b, "\n  DESCRIPTION\n    %s\n", def.Desc)
	}
	if len(def.Opts) > 0 {
		b.WriteString("\n  OPTIONS\n")
		for _, o := range def.Opts {
			if o.Alias != "" {
				continue
			}
			var s string
			switch o.Type {
			case OptBool:
				s = "--" + o.Name
			case OptInt:
				if o.Required {
					s = "[--" + o.Name + "] <number>"
				} else {
					s = "--" + o.Name + " <number>"
				}
			case OptString:
				s = "--" + o.Name + " <string>"
			case OptData:
				s = "[--" + o.Name + "] <string>"
			case OptArgv:
				if shortopt {
					s = "[--" + o.Name + "] <string>"
				} else {
					s = "<" + o.Name + ">"
				}
			}
			fmt.Fprintf(&b, "    %-15s  %s\n", s, o.Help)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// GroupHelp renders "help KEYWORD" as virsh's vshCmdGrpHelp.
func (t *Commands) GroupHelp(g *Group) string {
	var b strings.Builder
	fmt.Fprintf(&b, " %s (help keyword '%s'):\n", g.Name, g.Keyword)
	for _, c := range t.Cmds {
		if c.Group == g.Keyword {
			fmt.Fprintf(&b, "    %-30s %s\n", c.Name, c.Help)
		}
	}
	return b.String()
}

// GlobalHelp renders "help" with no argument: every group.
func (t *Commands) GlobalHelp() string {
	var b strings.Builder
	b.WriteString("Grouped commands:\n\n")
	for i := range t.Groups {
		b.WriteString(t.GroupHelp(&t.Groups[i]))
		b.WriteString("\n")
	}
	return b.String()
}

func cmdHelp() *CmdDef {
	return &CmdDef{
		Name: "help", Group: "virsh", NoConnect: true,
		Help: "print help",
		Desc: "Prints global help, command specific help, or help for a\n    group of related commands",
		Opts: []OptDef{{Name: "command", Type: OptString, Complete: CompleteCommand,
			Help: "Prints global help, command specific help, or help for a group of related commands"}},
		Run: runHelp,
	}
}

func runHelp(s *Session, pc *ParsedCmd) error {
	name, given, err := pc.String("command")
	if err != nil {
		return err
	}
	if !given {
		s.print(s.cmds.GlobalHelp())
		return nil
	}
	if def := s.cmds.Lookup(name); def != nil {
		s.print(CommandHelp(def))
		return nil
	}
	if g := s.cmds.group(name); g != nil {
		s.print(s.cmds.GroupHelp(g))
		return nil
	}
	return cmdErrorf("command or command group '%s' doesn't exist", name)
}

func cmdQuit() *CmdDef {
	return &CmdDef{Name: "quit", Group: "virsh", NoConnect: true,
		Help: "quit this interactive terminal", Run: runQuit}
}

func cmdExit() *CmdDef {
	return &CmdDef{Name: "exit", Group: "virsh", NoConnect: true,
		Help: "quit this interactive terminal", Run: runQuit}
}

func runQuit(s *Session, pc *ParsedCmd) error {
	s.quit = true
	return nil
}

package virsh

import (
	"fmt"
	"strings"
)

// OptType is the kind of a command option, as virsh's vshCmdOptType.
type OptType int

// Option kinds.
const (
	// OptBool is a flag: --name.
	OptBool OptType = iota
	// OptString is --name VALUE; it may also be given positionally unless
	// NamedOnly is set.
	OptString
	// OptInt is a number option, like OptString otherwise.
	OptInt
	// OptData is a required positional string (the domain, a file).
	OptData
	// OptArgv collects every remaining positional argument; it comes last.
	OptArgv
)

// OptDef describes one option of a command (virsh's vshCmdOptDef).
type OptDef struct {
	Name string
	Type OptType
	// Required makes the parser demand the option (VSH_OFLAG_REQ).
	Required bool
	// NamedOnly keeps a string or number option from being filled by a
	// positional argument (VSH_OFLAG_REQ_OPT).
	NamedOnly bool
	// EmptyOK accepts an empty string value (VSH_OFLAG_EMPTY_OK).
	EmptyOK bool
	// Help is the one-line description shown by "help COMMAND".
	Help string
	// Complete names what bash completion offers for the value.
	Complete Completer
	// Alias makes the option another name of option Alias
	// (VSH_OT_ALIAS): help and completion leave it out.
	Alias string
}

// Completer says what a shell can complete an option's value with.
type Completer int

// Completion sources.
const (
	CompleteNone Completer = iota
	// CompleteDomain offers domain names.
	CompleteDomain
	// CompleteFile offers file names.
	CompleteFile
	// CompleteCommand offers command names.
	CompleteCommand
	// CompleteEvent offers event names.
	CompleteEvent
	// CompleteMode offers shutdown modes.
	CompleteMode
)

// takesValue reports whether the option consumes a value.
func (o *OptDef) takesValue() bool { return o.Type != OptBool }

// positional reports whether a bare argument may fill the option.
func (o *OptDef) positional() bool {
	return o.takesValue() && !o.NamedOnly
}

// ParsedCmd is one command line after parsing: its definition and the
// options given, in the order given.
type ParsedCmd struct {
	Def *CmdDef
	// Raw holds the words after the command name of a Raw command.
	Raw  []string
	opts []parsedOpt
}

type parsedOpt struct {
	def  *OptDef
	data string
}

// syntaxError is a command-line error reported by the parser; its text is
// printed after "error: ".
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

func syntaxErrorf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...)}
}

// lookupOpt finds an option definition by name.
func (c *CmdDef) lookupOpt(name string) (int, *OptDef) {
	for i := range c.Opts {
		if c.Opts[i].Name == name {
			if a := c.Opts[i].Alias; a != "" {
				return c.lookupOpt(a)
			}
			return i, &c.Opts[i]
		}
	}
	return -1, nil
}

// ParseArgs parses one command's words (the command name first) the way
// virsh's vshCommandParse does: "--opt value", "--opt=value", bare
// arguments filling the positional options in order, "--" ending option
// processing, and "--help" turning the command into "help COMMAND".
func (t *Commands) ParseArgs(words []string) (*ParsedCmd, error) {
	if len(words) == 0 {
		return nil, syntaxErrorf("no command given")
	}
	def := t.Lookup(words[0])
	if def == nil {
		return nil, syntaxErrorf("unknown command: '%s'", words[0])
	}
	pc := &ParsedCmd{Def: def}
	if def.Raw {
		for _, w := range words[1:] {
			if w == "--help" {
				help := t.Lookup("help")
				return &ParsedCmd{Def: help, opts: []parsedOpt{{def: &help.Opts[0], data: def.Name}}}, nil
			}
		}
		pc.Raw = words[1:]
		return pc, nil
	}
	seen := make([]bool, len(def.Opts))
	needArg := make([]bool, len(def.Opts))
	for i := range def.Opts {
		needArg[i] = def.Opts[i].positional()
	}
	isHelp := def.Name == "help"
	wantHelp := false
	dataOnly := false
	rest := words[1:]
	for len(rest) > 0 {
		tok := rest[0]
		rest = rest[1:]
		if !dataOnly && isOptionToken(tok) {
			name, value, hasValue := strings.Cut(tok[2:], "=")
			if name == "help" {
				wantHelp = true
				continue
			}
			idx, opt := def.lookupOpt(name)
			if opt == nil {
				if isHelp {
					continue
				}
				return nil, syntaxErrorf("command '%s' doesn't support option --%s", def.Name, name)
			}
			if seen[idx] && opt.Type != OptArgv {
				return nil, syntaxErrorf("option --%s already seen", name)
			}
			seen[idx] = true
			if !opt.takesValue() {
				if hasValue {
					return nil, syntaxErrorf("invalid '=' after option --%s", name)
				}
				pc.opts = append(pc.opts, parsedOpt{def: opt})
				continue
			}
			if !hasValue {
				if len(rest) == 0 {
					kind := "string"
					if opt.Type == OptInt {
						kind = "number"
					}
					return nil, syntaxErrorf("expected syntax: --%s <%s>", name, kind)
				}
				value = rest[0]
				rest = rest[1:]
			}
			if opt.Type != OptArgv {
				needArg[idx] = false
			}
			pc.opts = append(pc.opts, parsedOpt{def: opt, data: value})
			continue
		}
		if !dataOnly && tok == "--" {
			dataOnly = true
			continue
		}
		idx := -1
		for i, need := range needArg {
			if need {
				idx = i
				break
			}
		}
		if idx < 0 {
			if isHelp {
				continue
			}
			return nil, syntaxErrorf("unexpected data '%s'", tok)
		}
		opt := &def.Opts[idx]
		if opt.Type != OptArgv {
			needArg[idx] = false
		}
		seen[idx] = true
		pc.opts = append(pc.opts, parsedOpt{def: opt, data: tok})
	}
	if wantHelp {
		help := t.Lookup("help")
		return &ParsedCmd{Def: help, opts: []parsedOpt{{def: &help.Opts[0], data: def.Name}}}, nil
	}
	var missing []string
	for i := range def.Opts {
		o := &def.Opts[i]
		if !o.Required || seen[i] {
			continue
		}
		if o.Type == OptData || o.Type == OptArgv {
			missing = append(missing, fmt.Sprintf("command '%s' requires <%s> option", def.Name, o.Name))
		} else {
			missing = append(missing, fmt.Sprintf("command '%s' requires --%s option", def.Name, o.Name))
		}
	}
	if len(missing) > 0 {
		return nil, &CmdError{Lines: missing}
	}
	return pc, nil
}

// isOptionToken reports whether tok names an option: "--" followed by a
// letter or digit.
func isOptionToken(tok string) bool {
	if len(tok) < 3 || tok[0] != '-' || tok[1] != '-' {
		return false
	}
	c := tok[2]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// find returns the first occurrence of an option given on the command line.
func (pc *ParsedCmd) find(name string) (parsedOpt, bool) {
	if _, def := pc.Def.lookupOpt(name); def == nil {
		panic(fmt.Sprintf("virsh: command %s has no option %q", pc.Def.Name, name))
	}
	for _, o := range pc.opts {
		if o.def.Name == name {
			return o, true
		}
	}
	return parsedOpt{}, false
}

// Bool reports whether the option was given.
func (pc *ParsedCmd) Bool(name string) bool {
	_, ok := pc.find(name)
	return ok
}

// String returns a string option's value and whether it was given. An
// empty value is an error unless the option allows it, as virsh's
// vshCommandOptStringReq.
func (pc *ParsedCmd) String(name string) (string, bool, error) {
	o, ok := pc.find(name)
	if !ok {
		return "", false, nil
	}
	if o.data == "" && !o.def.EmptyOK {
		return "", false, cmdErrorf("Failed to get option '%s': Option argument is empty", name)
	}
	return o.data, true, nil
}

// Argv returns every value of the OptArgv option, in order.
func (pc *ParsedCmd) Argv(name string) []string {
	var out []string
	for _, o := range pc.opts {
		if o.def.Name == name {
			out = append(out, o.data)
		}
	}
	return out
}

// Exclusive reports virsh's error for two options that cannot be combined.
func (pc *ParsedCmd) Exclusive(a, b string) error {
	if pc.Bool(a) && pc.Bool(b) {
		return cmdErrorf("Options --%s and --%s are mutually exclusive", a, b)
	}
	return nil
}

package virsh

import (
	"sort"
	"strings"
)

// BashCompletion is the bash completion script printed by
// "virtlxc completion bash". It asks the binary itself for candidates
// ("virtlxc __complete WORDS..."), so commands, options and domain names
// always match the binary and the running daemon.
const BashCompletion = `# bash completion for virtlxc; install with
#   virtlxc completion bash > /etc/bash_completion.d/virtlxc
_virtlxc() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _virtlxc virtlxc
`

func cmdCompletion() *CmdDef {
	return &CmdDef{
		Name: "completion", Group: "virsh", NoConnect: true,
		Help: "print a shell completion script",
		Desc: "Prints the bash completion script for virtlxc (commands, options and\n    domain names); load it with: source <(virtlxc completion bash)",
		Opts: []OptDef{{Name: "shell", Type: OptString, Help: "shell to complete for (bash)"}},
		Run: func(s *Session, pc *ParsedCmd) error {
			sh, given, err := pc.String("shell")
			if err != nil {
				return err
			}
			if given && sh != "bash" {
				return cmdErrorf("completion for shell '%s' is not supported (only bash)", sh)
			}
			s.print(BashCompletion)
			return nil
		},
	}
}

// globalOptsWithValue are the global options that take a value.
var globalOptsWithValue = map[string]bool{"-c": true, "--connect": true, "-e": true, "--escape": true, "-d": true, "--debug": true}

// Complete returns the candidates for the last of words (the words after
// the program name, the last one being completed). domains lists the
// domain names, called only when they are wanted.
func (t *Commands) Complete(words []string, domains func() []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	prev := words[:len(words)-1]
	i := 0
	for i < len(prev) && strings.HasPrefix(prev[i], "-") {
		if globalOptsWithValue[prev[i]] {
			i++
		}
		i++
	}
	if i >= len(prev) {
		if strings.HasPrefix(cur, "-") {
			return []string{"--connect", "--quiet", "--readonly", "--escape", "--help", "--version"}
		}
		var names []string
		for _, c := range t.Cmds {
			names = append(names, c.Name)
		}
		sort.Strings(names)
		return names
	}
	def := t.Lookup(prev[i])
	if def == nil {
		return nil
	}
	args := prev[i+1:]
	used := map[string]bool{}
	var expect *OptDef
	positional := 0
	for k := 0; k < len(args); k++ {
		a := args[k]
		if isOptionToken(a) {
			name, _, hasValue := strings.Cut(a[2:], "=")
			used[name] = true
			if _, o := def.lookupOpt(name); o != nil && o.takesValue() && !hasValue {
				if k == len(args)-1 {
					expect = o
				}
				k++
			}
			continue
		}
		positional++
	}
	if expect != nil {
		return valueCandidates(t, expect, domains)
	}
	if def.Raw {
		var out []string
		for _, o := range def.Opts {
			out = append(out, "--"+o.Name)
		}
		return out
	}
	// Positional arguments fill the positional options not given by name.
	n := 0
	var next *OptDef
	for k := range def.Opts {
		o := &def.Opts[k]
		if !o.positional() || used[o.Name] {
			continue
		}
		if n < positional && o.Type != OptArgv {
			used[o.Name] = true
			n++
			continue
		}
		if next == nil {
			next = o
		}
	}
	if strings.HasPrefix(cur, "-") || next == nil {
		var out []string
		for _, o := range def.Opts {
			if !used[o.Name] && o.Alias == "" {
				out = append(out, "--"+o.Name)
			}
		}
		return out
	}
	return valueCandidates(t, next, domains)
}

func valueCandidates(t *Commands, o *OptDef, domains func() []string) []string {
	switch o.Complete {
	case CompleteDomain:
		return domains()
	case CompleteCommand:
		var out []string
		for _, c := range t.Cmds {
			out = append(out, c.Name)
		}
		for _, g := range t.Groups {
			out = append(out, g.Keyword)
		}
		return out
	case CompleteEvent:
		return append([]string(nil), EventNames...)
	case CompleteMode:
		return []string{"acpi", "agent", "initctl", "signal", "paravirt"}
	}
	return nil
}

// completeDomains lists domain names for completion, without starting a
// daemon.
func (s *Session) completeDomains() []string {
	s.DaemonPath = ""
	c, err := s.connection()
	if err != nil {
		return nil
	}
	doms, err := c.listAllDomains(listActive | listInactive)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(doms))
	for _, d := range doms {
		names = append(names, d.Name)
	}
	sort.Strings(names)
	return names
}

package virsh

import (
	"reflect"
	"strings"
	"testing"
)

func parse(t *testing.T, line string) (*ParsedCmd, error) {
	t.Helper()
	return NewCommands().ParseArgs(strings.Fields(line))
}

func TestParseOptions(t *testing.T) {
	cases := []struct {
		line string
		want map[string]string // option → value ("" for a flag)
	}{
		{"start vm1", map[string]string{"domain": "vm1"}},
		{"start --domain vm1 --console", map[string]string{"domain": "vm1", "console": ""}},
		{"start --domain=vm1", map[string]string{"domain": "vm1"}},
		{"start vm1 3,4", map[string]string{"domain": "vm1", "pass-fds": "3,4"}},
		{"start --pass-fds 3 vm1", map[string]string{"domain": "vm1", "pass-fds": "3"}},
		{"shutdown vm1 signal", map[string]string{"domain": "vm1", "mode": "signal"}},
		{"memtune vm1 1G 2G", map[string]string{"domain": "vm1", "hard-limit": "1G", "soft-limit": "2G"}},
		{"setmem --size 64M vm1", map[string]string{"domain": "vm1", "size": "64M"}},
		{"dumpxml vm1 --xpath //name", map[string]string{"domain": "vm1", "xpath": "//name"}},
		{"domid -1", map[string]string{"domain": "-1"}},
		{"event --event lifecycle --loop", map[string]string{"event": "lifecycle", "loop": ""}},
	}
	for _, c := range cases {
		pc, err := parse(t, c.line)
		if err != nil {
			t.Errorf("%s: %v", c.line, err)
			continue
		}
		got := map[string]string{}
		for _, o := range pc.opts {
			got[o.def.Name] = o.data
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.line, got, c.want)
		}
	}
}

func TestParseArgv(t *testing.T) {
	pc, err := NewCommands().ParseArgs([]string{"lxc-enter-namespace", "vm1", "--noseclabel", "--", "/bin/sh", "-c", "echo --x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := pc.Argv("cmd"); !reflect.DeepEqual(got, []string{"/bin/sh", "-c", "echo --x"}) {
		t.Errorf("argv %q", got)
	}
	if !pc.Bool("noseclabel") {
		t.Error("--noseclabel lost")
	}
	// --weight and --cap are named only (VSH_OFLAG_REQ_OPT): bare words
	// after the domain go to the --set list, as virsh 9.0 parses them.
	pc, err = parse(t, "schedinfo vm1 5 6 a=1 --set b=2 c=3")
	if err != nil {
		t.Fatal(err)
	}
	w, _, _ := pc.String("weight")
	c, _, _ := pc.String("cap")
	if got := pc.Argv("set"); w != "" || c != "" || !reflect.DeepEqual(got, []string{"5", "6", "a=1", "b=2", "c=3"}) {
		t.Errorf("weight %q cap %q set %q", w, c, got)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"start":                 "command 'start' requires <domain> option",
		"lxc-enter-namespace":   "command 'lxc-enter-namespace' requires <domain> option\ncommand 'lxc-enter-namespace' requires <cmd> option",
		"start --foo x":         "command 'start' doesn't support option --foo",
		"start a b c":           "unexpected data 'c'",
		"list a":                "unexpected data 'a'",
		"start --domain":        "expected syntax: --domain <string>",
		"setmem vm1 --size":     "expected syntax: --size <number>",
		"start --console=1 vm1": "invalid '=' after option --console",
		"start x --domain y":    "option --domain already seen",
		"nosuch":                "unknown command: 'nosuch'",
	}
	for line, want := range cases {
		_, err := parse(t, line)
		if got := strings.Join(errorLines(err), "\n"); got != want {
			t.Errorf("%s: got %q, want %q", line, got, want)
		}
	}
}

func TestParseHelpOption(t *testing.T) {
	for _, line := range []string{"start --help", "start vm1 --bogus-later --help", "top -b --help"} {
		pc, err := parse(t, line)
		if strings.Contains(line, "bogus") {
			if err == nil {
				t.Errorf("%s: unknown option accepted", line)
			}
			continue
		}
		if err != nil || pc.Def.Name != "help" || pc.opts[0].data != strings.Fields(line)[0] {
			t.Errorf("%s: %v %+v", line, err, pc)
		}
	}
}

func TestOptionAccessors(t *testing.T) {
	pc, err := parse(t, "setmem vm1 abc")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pc.Scaled("size", 1024, 1<<62); err == nil || errorLines(err)[0] != "Scaled numeric value 'abc' for <size> option is malformed or out of range" {
		t.Errorf("scaled error %v", err)
	}
	pc, _ = parse(t, "event --all --timeout -3")
	if _, _, err := pc.Uint("timeout"); err == nil || errorLines(err)[0] != "Numeric value '-3' for <timeout> option is malformed or out of range" {
		t.Errorf("uint error %v", err)
	}
	pc, _ = NewCommands().ParseArgs([]string{"dominfo", ""})
	if _, _, err := pc.String("domain"); err == nil || errorLines(err)[0] != "Failed to get option 'domain': Option argument is empty" {
		t.Errorf("empty string error %v", err)
	}
	pc, _ = parse(t, "list --table --name")
	if err := pc.Exclusive("table", "name"); err == nil || errorLines(err)[0] != "Options --table and --name are mutually exclusive" {
		t.Errorf("exclusive %v", err)
	}
}

func TestSplitLine(t *testing.T) {
	cases := []struct {
		line string
		want [][]string
	}{
		{"list --all", [][]string{{"list", "--all"}}},
		{"uri; hostname;;list", [][]string{{"uri"}, {"hostname"}, {"list"}}},
		{`echo 'a b' "c\"d" e\ f`, [][]string{{"echo", "a b", `c"d`, "e f"}}},
		{"uri # comment; not a command\nhostname", [][]string{{"uri"}, {"hostname"}}},
		{"  \t ", nil},
		{"a 'unterminated b", [][]string{{"a", "unterminated b"}}},
		{"a \\\nb", [][]string{{"a", "b"}}},
	}
	for _, c := range cases {
		got, err := SplitLine(c.line)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q %v, want %q", c.line, got, err, c.want)
		}
	}
	for line, want := range map[string]string{`a "b`: `missing "`, `a b\`: `dangling \`} {
		if _, err := SplitLine(line); err == nil || errorLines(err)[0] != want {
			t.Errorf("%q: %v, want %q", line, err, want)
		}
	}
}

func TestGlobalOptions(t *testing.T) {
	s := NewSession()
	var out strings.Builder
	s.Stdout, s.Stderr = &out, &out
	rest, _, done := s.parseGlobal([]string{"-qr", "-c", "lxc:///x", "-e^a", "list", "--all"})
	if done || !s.Quiet || !s.ReadOnly || s.URI != "lxc:///x" || !s.URIGiven || s.Escape != "^a" || !reflect.DeepEqual(rest, []string{"list", "--all"}) {
		t.Errorf("got %+v rest %q", s, rest)
	}
	for args, want := range map[string]string{
		"--connect":   "error: option '-c'/'--connect' requires an argument\n",
		"--foo":       "error: unsupported option '--foo'. See --help.\n",
		"-e ^1":       "error: Invalid string '^1' for escape sequence\n",
		"-v":          "9.0.0\n",
		"--version=x": "9.0.0\n",
	} {
		s := NewSession()
		var b strings.Builder
		s.Stdout, s.Stderr = &b, &b
		_, _, done := s.parseGlobal(strings.Fields(args))
		if !done || b.String() != want {
			t.Errorf("%s: %q, want %q", args, b.String(), want)
		}
	}
	if EscapeByte("^]") != 0x1d || EscapeByte("^a") != 1 || EscapeByte("x") != 'x' {
		t.Error("EscapeByte")
	}
}

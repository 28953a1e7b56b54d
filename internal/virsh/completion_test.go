package virsh

import (
	"slices"
	"testing"
)

func TestComplete(t *testing.T) {
	cmds := NewCommands()
	domains := func() []string { return []string{"vm1", "vm2"} }
	cases := []struct {
		words []string
		want  string
		not   string
	}{
		{[]string{""}, "start", ""},
		{[]string{"-c", "lxc:///system", "do"}, "dominfo", ""},
		{[]string{"-"}, "--connect", ""},
		{[]string{"start", ""}, "vm1", ""},
		{[]string{"start", "vm1", "--"}, "--console", "--domain"},
		{[]string{"start", "--console", ""}, "vm2", ""},
		{[]string{"shutdown", "vm1", "--mode", ""}, "signal", ""},
		{[]string{"event", "--event", ""}, "reboot", ""},
		{[]string{"help", ""}, "monitor", ""},
		{[]string{"lxc-enter-namespace", "vm1", "--", ""}, "", "vm1"},
		{[]string{"top", "-"}, "--batch", ""},
	}
	for _, c := range cases {
		got := cmds.Complete(c.words, domains)
		if c.want != "" && !slices.Contains(got, c.want) {
			t.Errorf("%q: %q lacks %q", c.words, got, c.want)
		}
		if c.not != "" && slices.Contains(got, c.not) {
			t.Errorf("%q: %q has %q", c.words, got, c.not)
		}
	}
}

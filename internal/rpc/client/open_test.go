package client

import "testing"

func TestRemoteName(t *testing.T) {
	cases := map[string]string{
		"lxc:///system":                       "lxc:///system",
		"lxc:///system?socket=/run/x.sock":    "lxc:///system",
		"lxc://":                              "lxc://",
		"":                                    "",
		"lxc:///system?socket=/s&mode=direct": "lxc:///system",
		"lxc:///system?socket=/s&custom=1":    "lxc:///system?custom=1",
		"lxc+ssh://root@h/system?socket=/s&netcat=nc": "lxc+ssh://root@h/system",
	}
	for in, want := range cases {
		if got := remoteName(in); got != want {
			t.Errorf("remoteName(%q) = %q, want %q", in, got, want)
		}
	}
}

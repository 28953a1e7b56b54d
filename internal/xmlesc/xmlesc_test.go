package xmlesc

import "testing"

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", `<a&b>'"`: "&lt;a&amp;b&gt;&apos;&quot;", "x\x01y\tz\n": "xy\tz\n", "é": "é",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

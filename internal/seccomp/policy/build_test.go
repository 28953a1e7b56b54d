package policy

import (
	"errors"
	"testing"

	"virtlxc/internal/seccomp"
)

func TestPrograms(t *testing.T) {
	progs, err := Programs("amd64")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x86_64", "i386", "mount rules"}
	if len(progs) != len(want) {
		t.Fatalf("%d programs, want %d", len(progs), len(want))
	}
	for i, p := range progs {
		if p.Name != want[i] || len(p.Filter) == 0 || len(p.Filter) > 4096 {
			t.Errorf("program %d: %s with %d instructions", i, p.Name, len(p.Filter))
		}
	}
	if _, err := Programs("arm64"); !errors.Is(err, seccomp.ErrUnsupportedArch) {
		t.Errorf("Programs(arm64) = %v, want ErrUnsupportedArch", err)
	}
}

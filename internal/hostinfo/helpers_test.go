package hostinfo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshotRoot is a copy of this machine's /proc and /sys files, edited to
// the reference host's figures (see testdata/README.md).
const snapshotRoot = "testdata/host"

// readSnapshot reads the testdata snapshot. The page size is pinned to the
// reference host's 4 KiB: Read takes it from the running machine.
func readSnapshot(t *testing.T) Host {
	t.Helper()
	h, err := Read(snapshotRoot)
	if err != nil {
		t.Fatal(err)
	}
	h.PageSizeKiB = 4
	return h
}

// writeTree creates files (relative path → content) under a new temporary
// root and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// cpuFiles returns the sysfs files of one CPU: topology, and optionally an
// online file.
func cpuFiles(id, socket, core int, siblings string) map[string]string {
	d := fmt.Sprintf("sys/devices/system/cpu/cpu%d/topology/", id)
	return map[string]string{
		d + "physical_package_id":  fmt.Sprintf("%d\n", socket),
		d + "die_id":               "0\n",
		d + "core_id":              fmt.Sprintf("%d\n", core),
		d + "thread_siblings_list": siblings + "\n",
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// virshNodeinfo prints an Info the way "virsh nodeinfo" does, its trailing
// blank line included.
func virshNodeinfo(ni Info) string {
	return fmt.Sprintf("%-20s %s\n%-20s %d\n%-20s %d MHz\n%-20s %d\n%-20s %d\n%-20s %d\n%-20s %d\n%-20s %d KiB\n\n",
		"CPU model:", ni.Model, "CPU(s):", ni.CPUs, "CPU frequency:", ni.MHz,
		"CPU socket(s):", ni.Sockets, "Core(s) per socket:", ni.Cores,
		"Thread(s) per core:", ni.Threads, "NUMA cell(s):", ni.Nodes,
		"Memory size:", ni.Memory)
}

// referenceStdout returns the stdout section of a captured virsh run.
func referenceStdout(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/reference", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	_, s, ok := strings.Cut(s, "--- stdout\n")
	if !ok {
		t.Fatalf("%s: no stdout section", name)
	}
	s, _, _ = strings.Cut(s, "--- stderr\n")
	return s
}

// diffLines reports the first differing line of two texts.
func diffLines(t *testing.T, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("line %d differs:\n got: %q\nwant: %q\nfull output:\n%s", i+1, gl, wl, got)
		}
	}
	t.Fatalf("outputs differ in line endings:\n got: %q\nwant: %q", got, want)
}

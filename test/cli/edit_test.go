package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// editTemp masks the random part of virsh's temporary file names.
var editTemp = regexp.MustCompile(`virsh[A-Za-z0-9]{6}\.xml`)

// editScript writes an executable editor script under the daemon's root.
func (d *daemon) editScript(name, body string) string {
	d.t.Helper()
	p := filepath.Join(d.root, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		d.t.Fatal(err)
	}
	return p
}

// bothEnv runs one command through both clients with extra environment
// and compares them, temporary file names masked.
func (d *daemon) bothEnv(t *testing.T, env []string, args ...string) (virsh, virtlxc result) {
	t.Helper()
	full := append([]string{"-c", d.uri}, args...)
	v := run(d.root, env, virshPath, full...)
	m := run(d.root, env, filepath.Join(d.bin, "virtlxc"), full...)
	for _, r := range []*result{&v, &m} {
		r.stdout = editTemp.ReplaceAllString(r.stdout, "virshXXXXXX.xml")
		r.stderr = editTemp.ReplaceAllString(r.stderr, "virshXXXXXX.xml")
	}
	same(t, strings.Join(env, " ")+" "+strings.Join(args, " "), v, m)
	return v, m
}

func TestEditMatchesVirsh(t *testing.T) {
	d := startDaemon(t)
	d.writeFile("ed.xml", hostRootXML("ed", idleScript))
	if r := d.virtlxc("define", "ed.xml"); r.rc != 0 {
		t.Fatal(r)
	}
	d.writeFile("en.xml", "<network><name>en</name><bridge name='vbren'/><ip address='10.250.9.1' netmask='255.255.255.0'/></network>\n")
	if r := d.virtlxc("net-define", "en.xml"); r.rc != 0 {
		t.Fatal(r)
	}
	// The definitions as the server keeps them (with their UUIDs), to
	// put back between edits.
	d.writeFile("ed-orig.xml", d.virtlxc("dumpxml", "--inactive", "ed").stdout)
	d.writeFile("en-orig.xml", d.virtlxc("net-dumpxml", "--inactive", "en").stdout)
	tmp := filepath.Join(d.root, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	sig := d.editScript("sig.sh", `kill -TERM $$`)
	gone := d.editScript("gone.sh", `rm "$1"`)
	for _, c := range []struct {
		env  []string
		args string
	}{
		{[]string{"EDITOR=true"}, "edit ed"},
		{[]string{"EDITOR=true"}, "-q edit ed"},
		{[]string{"VISUAL=true", "EDITOR=false"}, "edit ed"},
		{[]string{"EDITOR=false"}, "edit ed"},
		{[]string{"EDITOR=nosuch-editor"}, "edit ed"},
		{[]string{"EDITOR="}, "edit ed"},
		{[]string{"EDITOR=" + sig}, "edit ed"},
		{[]string{"EDITOR=/nonexistent/editor"}, "edit ed"},
		{[]string{"EDITOR=false --flag"}, "edit ed"},
		{[]string{"EDITOR=" + gone}, "edit ed"},
		{[]string{"EDITOR=true", "TMPDIR=/nonexistent"}, "edit ed"},
		{[]string{"EDITOR=true x", "TMPDIR=" + d.root + "/a b"}, "edit ed"},
		{[]string{"EDITOR=true"}, "edit nosuch"},
		{[]string{"EDITOR=true"}, "edit"},
		{[]string{"EDITOR=true"}, "net-edit en"},
		{[]string{"EDITOR=false"}, "net-edit en"},
		{[]string{"EDITOR=true"}, "net-edit nosuch"},
		{[]string{"EDITOR=true"}, "desc ed --edit"},
		{[]string{"EDITOR=true"}, "desc ed --title --edit"},
		{[]string{"EDITOR=" + d.editScript("app.sh", `printf ' more' >> "$1"`)}, "desc ed --edit"},
		{[]string{"EDITOR=" + d.editScript("app2.sh", `printf ' more\n' >> "$1"`)}, "desc ed --title --edit"},
		{[]string{"EDITOR=true"}, "metadata ed http://e/ --key e --edit"},
		{[]string{"EDITOR=true"}, "metadata ed http://e/ --edit"},
		{[]string{"EDITOR=" + d.editScript("md.sh", `echo '<m a="1"/>' > "$1"`)}, "metadata ed http://e/ --key e --edit"},
	} {
		env := c.env
		if !strings.Contains(strings.Join(env, " "), "TMPDIR=") {
			env = append(env, "TMPDIR="+tmp)
		}
		d.bothEnv(t, env, strings.Fields(c.args)...)
	}
	// An edit that changes the definition: each client changes its own
	// copy, from the same starting point.
	mem := d.editScript("mem.sh", `sed -i "s/131072/98304/" "$1"`)
	ip := d.editScript("ip.sh", `sed -i "s/10.250.9.1/10.250.10.1/" "$1"`)
	for _, c := range []struct{ env, args, undo, check, want string }{
		{mem, "edit ed", "ed-orig.xml", "dumpxml --inactive ed", "<memory unit='KiB'>98304</memory>"},
		{mem, "edit ed --skip-validate", "ed-orig.xml", "dumpxml --inactive ed", "<memory unit='KiB'>98304</memory>"},
		{ip, "net-edit en", "en-orig.xml", "net-dumpxml en", "10.250.10.1"},
	} {
		var outs []result
		for _, client := range []string{virshPath, filepath.Join(d.bin, "virtlxc")} {
			redefine := "define"
			if strings.HasPrefix(c.args, "net-") {
				redefine = "net-define"
			}
			if r := d.virtlxc(redefine, c.undo); r.rc != 0 {
				t.Fatal(r)
			}
			r := run(d.root, []string{"EDITOR=" + c.env, "TMPDIR=" + tmp}, client, append([]string{"-c", d.uri}, strings.Fields(c.args)...)...)
			outs = append(outs, r)
			if x := d.virtlxc(strings.Fields(c.check)...); !strings.Contains(x.stdout, c.want) {
				t.Errorf("%s through %s: no %q in\n%s", c.args, client, c.want, x)
			}
		}
		same(t, c.args, outs[0], outs[1])
	}
	for _, undo := range [][]string{{"define", "ed-orig.xml"}, {"net-define", "en-orig.xml"}} {
		if r := d.virtlxc(undo...); r.rc != 0 {
			t.Fatal(r)
		}
	}
	// A definition the server refuses, with stdin not a terminal: virsh
	// 9.0 prints "Failed." and reports "(null)" edited with status 0;
	// virtlxc prints the server's error and fails, leaving the definition.
	brk := d.editScript("brk.sh", `sed -i "s/<name>/<nam>/" "$1"`)
	for _, args := range []string{"edit ed", "net-edit en"} {
		show := []string{"dumpxml", "--inactive", "ed"}
		if strings.HasPrefix(args, "net-") {
			show = []string{"net-dumpxml", "--inactive", "en"}
		}
		before := d.virtlxc(show...)
		r := run(d.root, []string{"EDITOR=" + brk, "TMPDIR=" + tmp}, filepath.Join(d.bin, "virtlxc"), append([]string{"-c", d.uri}, strings.Fields(args)...)...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.rc != 1 || len(lines) < 2 || !strings.HasPrefix(lines[0], "error: ") || lines[0] == "error: Failed." ||
			lines[len(lines)-1] != "error: Failed." || strings.Contains(r.stdout, "edited") {
			t.Errorf("%s with a broken edit:\n%s", args, r)
		}
		if after := d.virtlxc(show...); after.stdout != before.stdout {
			t.Errorf("%s: a refused edit changed the definition", args)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// polkitNote is what virsh 9.0 prints first on a terminal when no polkit
// agent can be started; virtlxc has no polkit.
const polkitNote = "Authorization not available. Check if polkit service is running or see debug message for more information.\r\n"

// TestEditAsksAgainOnATerminal runs an edit the server refuses on a
// terminal through both clients: each prints the error and asks whether to
// edit again; '?' lists the answers, 'f' defines again, 'i' drops the
// validation, 'n' gives up.
func TestEditAsksAgainOnATerminal(t *testing.T) {
	d := startDaemon(t)
	d.writeFile("ea.xml", hostRootXML("ea", idleScript))
	if r := d.virtlxc("define", "ea.xml"); r.rc != 0 {
		t.Fatal(r)
	}
	tmp := filepath.Join(d.root, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	brk := d.editScript("brk.sh", `sed -i "s/<name>/<nam>/" "$1"`)
	before := d.virtlxc("dumpxml", "--inactive", "ea")
	var outs []string
	var rcs []int
	for _, prog := range []string{virshPath, filepath.Join(d.bin, "virtlxc")} {
		p := startPTY(t, []string{"EDITOR=" + brk, "TMPDIR=" + tmp}, prog, "-c", d.uri, "edit", "ea")
		prompts := func(n int) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for strings.Count(p.output(), "Try again? [") < n {
				if time.Now().After(deadline) {
					t.Fatalf("no prompt %d in the terminal output:\n%q", n, p.output())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		prompts(1)
		p.send("?")
		prompts(2)
		p.send("f")
		prompts(3)
		p.send("i")
		prompts(4)
		p.send("n")
		rcs = append(rcs, p.wait())
		p.restored()
		out := strings.Replace(p.output(), polkitNote, "", 1)
		outs = append(outs, editTemp.ReplaceAllString(out, "virshXXXXXX.xml"))
	}
	if outs[0] != outs[1] || rcs[0] != rcs[1] {
		t.Errorf("virsh and virtlxc differ:\n=== virsh rc=%d\n%q\n=== virtlxc rc=%d\n%q", rcs[0], outs[0], rcs[1], outs[1])
	}
	if rcs[1] != 1 {
		t.Errorf("giving up: status %d, want 1", rcs[1])
	}
	if after := d.virtlxc("dumpxml", "--inactive", "ea"); after.stdout != before.stdout {
		t.Error("a refused edit changed the definition")
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

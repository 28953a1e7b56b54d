package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPassFDs starts and creates containers with --pass-fds: the init
// writes to the fd it inherited, the test reads it from the pipe.
func TestPassFDs(t *testing.T) {
	d := startDaemon(t)
	script := "echo from-$LIBVIRT_LXC_NAME >&3; exec 3>&-; " + idleScript
	for _, n := range []string{"pfv", "pfm", "pfc"} {
		d.writeFile(n+".xml", hostRootXML(n, script))
	}
	d.virtlxc("define", "pfv.xml")
	d.virtlxc("define", "pfm.xml")
	for _, c := range []struct {
		prog string
		args []string
		want string
	}{
		{virshPath, []string{"start", "pfv", "--pass-fds", "3"}, "from-pfv"},
		{filepath.Join(d.bin, "virtlxc"), []string{"start", "pfm", "--pass-fds", "3"}, "from-pfm"},
		{filepath.Join(d.bin, "virtlxc"), []string{"create", "pfc.xml", "--pass-fds", "3"}, "from-pfc"},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(c.prog, append([]string{"-c", d.uri}, c.args...)...)
		cmd.Dir = d.root
		cmd.ExtraFiles = []*os.File{w}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err = cmd.Run()
		w.Close()
		if err != nil {
			t.Fatalf("%v: %v\n%s", c.args, err, out.String())
		}
		got := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(r).ReadString('\n')
			got <- strings.TrimSpace(line)
		}()
		select {
		case line := <-got:
			if line != c.want {
				t.Errorf("%v: init wrote %q, want %q", c.args, line, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%v: nothing arrived on the passed fd", c.args)
		}
		r.Close()
	}
}

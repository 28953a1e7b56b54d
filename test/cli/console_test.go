package cli

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echoScript answers each line typed on the console.
const echoScript = "echo console-ready; while read l; do echo \"got:$l\"; done"

func TestConsoleThroughPTY(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("co", echoScript)
	clients := []struct{ name, prog string }{{"virsh", virshPath}, {"virtlxc", filepath.Join(d.bin, "virtlxc")}}
	banners := map[string]string{}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			p := startPTY(t, nil, c.prog, "-c", d.uri, "console", "co")
			p.waitFor("Escape character is ^] (Ctrl + ])")
			p.sendUntil("hello-"+c.name+"\r", "got:hello-"+c.name)
			p.send("\x1d")
			if rc := p.wait(); rc != 0 {
				t.Errorf("exit status %d; output:\n%q", rc, p.output())
			}
			p.restored()
			out := p.output()
			i := strings.Index(out, "Connected to domain")
			if i < 0 {
				t.Fatalf("no banner:\n%q", out)
			}
			end := strings.Index(out[i:], "(Ctrl + ])")
			if end < 0 {
				t.Fatalf("no escape line:\n%q", out)
			}
			banners[c.name] = out[i : i+end]
		})
	}
	// virsh's polkit notice aside, the banners are the same.
	if banners["virsh"] != banners["virtlxc"] {
		t.Errorf("banners differ: virsh %q, virtlxc %q", banners["virsh"], banners["virtlxc"])
	}
}

func TestConsoleEndsWithDomain(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("ce", echoScript)
	p := startPTY(t, nil, filepath.Join(d.bin, "virtlxc"), "-c", d.uri, "console", "ce")
	p.waitFor("Escape character")
	time.Sleep(200 * time.Millisecond)
	if r := d.virtlxc("destroy", "ce"); r.rc != 0 {
		t.Fatal(r)
	}
	if rc := p.wait(); rc != 0 {
		t.Errorf("exit status %d after the domain stopped:\n%q", rc, p.output())
	}
	p.restored()
}

func TestConsoleRestoresTerminalOnSignal(t *testing.T) {
	d := startDaemon(t)
	d.startHostRoot("cs", echoScript)
	p := startPTY(t, nil, filepath.Join(d.bin, "virtlxc"), "-c", d.uri, "console", "cs")
	p.waitFor("Escape character")
	p.cmd.Process.Signal(syscall.SIGTERM)
	if rc := p.wait(); rc != 128+int(syscall.SIGTERM) {
		t.Errorf("exit status %d, want %d", rc, 128+int(syscall.SIGTERM))
	}
	p.restored()
}

func TestStartWithConsole(t *testing.T) {
	d := startDaemon(t)
	d.writeFile("sc.xml", hostRootXML("sc", echoScript))
	if r := d.virtlxc("define", "sc.xml"); r.rc != 0 {
		t.Fatal(r)
	}
	p := startPTY(t, nil, filepath.Join(d.bin, "virtlxc"), "-c", d.uri, "start", "sc", "--console")
	p.waitFor("Domain 'sc' started")
	p.waitFor("console-ready")
	p.send("x\r")
	p.waitFor("got:x")
	p.send("\x1d")
	if rc := p.wait(); rc != 0 {
		t.Errorf("exit status %d:\n%q", rc, p.output())
	}
	p.restored()
}

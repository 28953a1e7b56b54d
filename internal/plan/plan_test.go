package plan

import (
	"reflect"
	"strings"
	"testing"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/spec"
	"virtlxc/internal/virerr"
)

func parse(t *testing.T, body string) *domainxml.Domain {
	t.Helper()
	doc := "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'><name>vm-1_x</name><uuid>0f3a2c5e-2d1b-4c1e-9a0b-6f1d2e3c4b5a</uuid><memory>65536</memory>" + body + "</domain>"
	d, err := domainxml.Parse([]byte(doc), domainxml.Options{HostArch: "x86_64"})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	return d
}

const osInit = "<os><type>exe</type><init>/sbin/init</init><initarg>-v</initarg><initenv name='FOO'>bar</initenv><initenv name='PATH'>/x</initenv><cmdline>quiet</cmdline></os>"

func TestEnvOrderAndContent(t *testing.T) {
	d := parse(t, osInit+"<devices><console type='pty'/><console type='pty'/><console type='pty'/></devices>")
	c, err := Build(d, 2, Host{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PATH=/bin:/usr/bin", "TERM=linux", "container=lxc-libvirt", "HOME=/",
		"container_uuid=0f3a2c5e-2d1b-4c1e-9a0b-6f1d2e3c4b5a", "container_ttys=pts/1 pts/2",
		"LIBVIRT_LXC_UUID=0f3a2c5e-2d1b-4c1e-9a0b-6f1d2e3c4b5a", "LIBVIRT_LXC_NAME=vm-1_x",
		"LIBVIRT_LXC_CMDLINE=quiet", "LISTEN_FDS=2", "LISTEN_PID=1", "FOO=bar", "PATH=/x",
	}
	if !reflect.DeepEqual(c.Env, want) {
		t.Errorf("env\n got %q\nwant %q", c.Env, want)
	}
	if !reflect.DeepEqual(c.Init, []string{"/sbin/init", "-v"}) || c.Consoles != 3 || c.PassFDs != 2 {
		t.Errorf("init %q consoles %d passfds %d", c.Init, c.Consoles, c.PassFDs)
	}
	if c.Hostname != "vm-1x" {
		t.Errorf("hostname %q, want vm-1x", c.Hostname)
	}
}

func TestHostname(t *testing.T) {
	for in, want := range map[string]string{"-a.b_c": "abc", "--x": "-x", "web01": "web01", "ä1": "1"} {
		if got := Hostname(in); got != want {
			t.Errorf("Hostname(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStartRejections(t *testing.T) {
	cases := map[string]string{
		osInit + "<devices/>": "unsupported configuration: At least one PTY console is required",
		osInit + "<devices><console type='file'><source path='/tmp/x'/></console></devices>":                                                                                "unsupported configuration: Only PTY console types are supported",
		osInit + "<devices><filesystem type='template'><source name='t'/><target dir='/mnt'/></filesystem><console type='pty'/></devices>":                                  "unsupported configuration: Cannot mount filesystem type template",
		osInit + "<devices><filesystem type='ram'><source usage='10'/><target dir='/'/></filesystem><console type='pty'/></devices>":                                        "unsupported configuration: Unsupported root filesystem type ram",
		osInit + "<devices><filesystem type='file'><driver type='loop' format='qcow2'/><source file='/x'/><target dir='/mnt'/></filesystem><console type='pty'/></devices>": "unsupported configuration: fs format qcow2 is not supported",
		osInit + "<features><privnet/></features><devices><console type='pty'/></devices><lxc:namespace><lxc:sharenet type='pid' value='1'/></lxc:namespace>":               "unsupported configuration: Config asks for inherit net namespace as well as private network interfaces",
		osInit + "<devices><console type='pty'/></devices><lxc:namespace><lxc:shareipc type='netns' value='red'/></lxc:namespace>":                                          "unsupported configuration: 'netns' namespace source can only be used with sharenet",
	}
	for body, want := range cases {
		_, err := Build(parse(t, body), 0, Host{})
		if err == nil || err.Error() != want {
			t.Errorf("%s\n got %v\nwant %s", body, err, want)
			continue
		}
		if virerr.As(err).Domain != virerr.FromLXC {
			t.Errorf("%s: error domain %d, want LXC", want, virerr.As(err).Domain)
		}
	}
}

func TestFilesystemsAndNamespaces(t *testing.T) {
	d := parse(t, osInit+`<idmap><uid start='0' target='1000' count='10'/><gid start='0' target='2000' count='10'/></idmap>
<features><capabilities policy='deny'><mknod state='on'/><sys_boot state='off'/></capabilities></features>
<devices>
<filesystem type='mount'><source dir='/srv/root'/><target dir='/'/><readonly/></filesystem>
<filesystem type='ram'><source usage='2' units='MiB'/><target dir='/tmp'/></filesystem>
<filesystem type='bind'><source dir='/a'/><target dir='/b'/></filesystem>
<filesystem type='file'><source file='/img'/><target dir='/c'/></filesystem>
<console type='pty'/></devices>
<lxc:namespace><lxc:shareuts type='name' value='other'/></lxc:namespace>`)
	c, err := Build(d, 0, Host{CgroupNS: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Root != (spec.Root{Kind: spec.MountHostBind, Source: "/srv/root", ReadOnly: true}) {
		t.Errorf("root %+v", c.Root)
	}
	wantMounts := []spec.Mount{
		{Kind: spec.MountRAM, Target: "/tmp", SizeBytes: 2 << 20},
		{Kind: spec.MountBind, Source: "/a", Target: "/b"},
		{Kind: spec.MountFile, Source: "/img", Target: "/c"},
	}
	if !reflect.DeepEqual(c.Mounts, wantMounts) {
		t.Errorf("mounts\n got %+v\nwant %+v", c.Mounts, wantMounts)
	}
	if !c.NewUser || c.IDMapRootUID != 1000 || c.IDMapRootGID != 2000 || c.NewNet || !c.NewIPC || c.NewUTS || !c.NewCgroup {
		t.Errorf("namespaces %+v", c)
	}
	if !reflect.DeepEqual(c.Share, []string{"uts"}) {
		t.Errorf("share %q", c.Share)
	}
	if c.CapPolicy != "deny" || c.CapStates["mknod"] != "on" || c.CapStates["sys_boot"] != "off" || len(c.CapStates) != 2 {
		t.Errorf("caps %q %v", c.CapPolicy, c.CapStates)
	}
}

func TestHostRootDefault(t *testing.T) {
	c, err := Build(parse(t, osInit+"<devices><console type='pty'/></devices>"), 0, Host{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Root.SharedHost() || len(c.Mounts) != 0 || c.NewNet || c.NewUser {
		t.Errorf("host-root container %+v", c)
	}
	for _, e := range c.Env {
		if strings.HasPrefix(e, "LISTEN_") || strings.HasPrefix(e, "container_ttys") {
			t.Errorf("unexpected %s", e)
		}
	}
}

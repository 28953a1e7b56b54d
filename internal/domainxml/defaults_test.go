package domainxml

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

func parseFormat(t *testing.T, doc string, opts Options) string {
	t.Helper()
	if opts.HostArch == "" {
		opts.HostArch = "x86_64"
	}
	d, err := Parse([]byte(doc), opts)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	out, err := Format(d)
	if err != nil {
		t.Fatalf("format: %v", err)
	}
	return string(out)
}

var (
	uuidRE = regexp.MustCompile(`<uuid>[0-9a-f-]{36}</uuid>`)
	macRE  = regexp.MustCompile(`52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}`)
)

// TestSeedDefaults is spec §8.4: the seed config and its inactive dumpxml,
// with the random UUID and MAC masked.
func TestSeedDefaults(t *testing.T) {
	in := `<domain type='lxc'>
  <name>vm1</name>
  <memory>500000</memory>
  <os><type>exe</type><init>/bin/sh</init></os>
  <vcpu>1</vcpu>
  <devices>
    <console type='pty'/>
    <interface type='network'><source network='default'/></interface>
  </devices>
</domain>
`
	want := `<domain type='lxc'>
  <name>vm1</name>
  <uuid>UUID</uuid>
  <memory unit='KiB'>500000</memory>
  <currentMemory unit='KiB'>500000</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64'>exe</type>
    <init>/bin/sh</init>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/libexec/libvirt_lxc</emulator>
    <interface type='network'>
      <mac address='MAC'/>
      <source network='default'/>
    </interface>
    <console type='pty'>
      <target type='lxc' port='0'/>
    </console>
  </devices>
</domain>
`
	got := parseFormat(t, in, Options{})
	got = uuidRE.ReplaceAllString(got, "<uuid>UUID</uuid>")
	got = macRE.ReplaceAllString(got, "MAC")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestReferenceInactiveXML checks the anchors' inputs against the reference
// host's inactive dumpxml (its emulator path, the UUID it generated).
func TestReferenceInactiveXML(t *testing.T) {
	ref := filepath.Join("..", "..", "..", "shared", "anchors", "reference")
	for _, name := range []string{"anchor-basic", "anchor-hostroot"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(ref, "xml", name+".xml"))
			if err != nil {
				t.Skip("reference captures not found:", err)
			}
			wantB, err := os.ReadFile(filepath.Join(ref, "dumpxml-inactive-"+name+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(string(wantB), "\n") // virsh adds a newline
			d, err := Parse(in, Options{Emulator: "/usr/lib/libvirt/libvirt_lxc", HostArch: "x86_64"})
			if err != nil {
				t.Fatal(err)
			}
			d.UUID = uuidRE.FindString(want)[len("<uuid>") : len("<uuid>")+36]
			got, err := Format(d)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestDefaults covers the values libvirt fills in or rewrites, each as the
// lines the output must contain.
func TestDefaults(t *testing.T) {
	cases := []struct {
		name, doc string
		want      []string
		not       []string
	}{
		{"currentMemory above memory", top("<currentMemory>100000</currentMemory>"),
			[]string{"<currentMemory unit='KiB'>65536</currentMemory>"}, nil},
		{"currentMemory zero", top("<currentMemory>0</currentMemory>"),
			[]string{"<currentMemory unit='KiB'>65536</currentMemory>"}, nil},
		{"currentMemory below memory", top("<currentMemory unit='MiB'>32</currentMemory>"),
			[]string{"<currentMemory unit='KiB'>32768</currentMemory>"}, nil},
		{"memory units round up", edit("<memory>65536</memory>", "<memory unit='KB'>1</memory>"),
			[]string{"<memory unit='KiB'>1</memory>"}, nil},
		{"libvirt number syntax", edit("<memory>65536</memory>", "<memory> +1024</memory>"),
			[]string{"<memory unit='KiB'>1024</memory>"}, nil},
		{"vcpu current and cpuset", top("<vcpu current='1' cpuset='0,1,2,5'>2</vcpu>"),
			[]string{"<vcpu placement='static' cpuset='0-2,5' current='1'>2</vcpu>"}, nil},
		{"memtune", top("<memtune><hard_limit unit='M'>1</hard_limit><soft_limit>9007199254740991</soft_limit></memtune>"),
			[]string{"  <memtune>\n    <hard_limit unit='KiB'>1024</hard_limit>\n  </memtune>\n"}, []string{"soft_limit"}},
		{"console port is its index", dev("<console type='pty'><target port='7'/></console>"),
			[]string{"<target type='lxc' port='0'/>", "<target type='lxc' port='1'/>"}, []string{"port='7'"}},
		{"console target none", edit("<console type='pty'/>", "<console><target type='none'/></console>"),
			[]string{"<console type='pty'>\n      <target type='lxc' port='0'/>"}, nil},
		{"ram usage truncates", dev("<filesystem type='ram'><source usage='1000' units='bytes'/><target dir='/m'/></filesystem>"),
			[]string{"<source usage='0' units='KiB'/>", "<filesystem type='ram' accessmode='passthrough'>"}, nil},
		{"ram usage in KiB", dev("<filesystem type='ram'><source usage='2' units='MiB'/><target dir='/m'/></filesystem>"),
			[]string{"<source usage='2048' units='KiB'/>"}, nil},
		{"fmode", dev("<filesystem fmode='644'><source dir='/a'/><target dir='/b'/></filesystem>"),
			[]string{"fmode='0644'"}, nil},
		{"vnet target dropped", dev("<interface type='ethernet'><target dev='vnet3'/></interface>"),
			nil, []string{"vnet3"}},
		{"macvtap target dropped", dev("<interface type='ethernet'><target dev='macvtap0'/></interface>"),
			nil, []string{"macvtap0"}},
		{"vif target kept", dev("<interface type='ethernet'><target dev='vif1.0'/></interface>"),
			[]string{"<target dev='vif1.0'/>"}, nil},
		{"unmanaged target kept", dev("<interface type='ethernet'><target dev='vnet3' managed='no'/></interface>"),
			[]string{"<target dev='vnet3' managed='no'/>"}, nil},
		{"mac normalised", dev("<interface type='ethernet'><mac address='A:b:C:d:E:f junk'/></interface>"),
			[]string{"<mac address='0a:0b:0c:0d:0e:0f'/>"}, nil},
		{"net model case", dev("<interface type='ethernet'><model type='VirtIO'/></interface>"),
			[]string{"<model type='virtio'/>"}, nil},
		{"net model unknown", dev("<interface type='ethernet'><model type='unknown'/></interface>"),
			nil, []string{"<model"}},
		{"empty link state", dev("<interface type='ethernet'><link state=''/></interface>"),
			nil, []string{"<link"}},
		{"idmap sorted", top("<idmap><uid start='10' target='2000' count='5'/><uid start='0' target='1000' count='10'/>" +
			"<gid start='0' target='1000' count='10'/></idmap>"),
			[]string{"<uid start='0' target='1000' count='10'/>\n    <uid start='10' target='2000' count='5'/>"}, nil},
		{"lifecycle first element", top("<on_crash>preserve</on_crash><on_crash>restart</on_crash>"),
			[]string{"<on_crash>preserve</on_crash>"}, []string{"<on_crash>restart"}},
		{"clock adjustment", top("<clock offset='localtime' adjustment='10'/>"),
			[]string{"<clock offset='variable' adjustment='10' basis='localtime'/>"}, nil},
		{"clock variable", top("<clock offset='variable'/>"),
			[]string{"<clock offset='variable' adjustment='0' basis='utc'/>"}, nil},
		{"capability state", top("<features><capabilities><mknod/></capabilities></features>"),
			[]string{"<capabilities policy='default'>\n      <mknod state='on'/>\n    </capabilities>"}, nil},
		{"capabilities policy only", top("<features><privnet/><capabilities policy='allow'/></features>"),
			[]string{"<features>\n    <privnet/>\n    <capabilities policy='allow'/>\n  </features>"}, nil},
		{"empty features", top("<features><capabilities/></features>"), nil, []string{"features"}},
		{"name with newline", edit("<name>t</name>", "<name>a\nb</name>"), []string{"<name>a\nb</name>"}, nil},
		{"init option escaping", osExtra(`<initenv name='A"B'>x'y"z&amp;&lt;&gt;</initenv><inituser>a'b</inituser><initgroup>c&lt;d</initgroup><initdir>e'f</initdir>`),
			[]string{`<initenv name='A"B'>x'y"z&amp;&lt;></initenv>`, "<initdir>e&apos;f</initdir>", "<inituser>a'b</inituser>", "<initgroup>c&lt;d</initgroup>"}, nil},
		{"initenv name quote", osExtra(`<initenv name="a'b">v</initenv>`), []string{"<initenv name='a&apos;b'>v</initenv>"}, nil},
		{"initarg first text", osExtra("<initarg>a<!--c-->b</initarg>"), []string{"<initarg>a</initarg>"}, nil},
		{"attribute white space", dev("<filesystem><source dir='/a\tb\nc'/><target dir='/x&#10;y'/></filesystem>"),
			[]string{"<source dir='/a b c'/>", "<target dir='/x&#10;y'/>"}, nil},
		{"namespace none", nsDoc("<lxc:sharenet type='none' value='x'/><lxc:shareuts type='name' value='u'/>"),
			[]string{"  <lxc:namespace>\n    <lxc:shareuts type='name' value='u'/>\n  </lxc:namespace>\n"}, []string{"sharenet"}},
		{"namespace only none", nsDoc("<lxc:sharenet type='none' value='x'/>"),
			[]string{"<domain type='lxc' xmlns:lxc='" + LXCNamespaceURI + "'>", "  <lxc:namespace>\n  </lxc:namespace>\n"}, nil},
		{"namespace empty", nsDoc(""), nil, []string{"lxc:namespace", "xmlns:lxc"}},
		{"domain type none", edit("type='lxc'", "type='none'"), []string{"<domain type='none'>"}, nil},
		{"i686 arch", edit("<type>exe</type>", "<type arch='i686'>exe</type>"), []string{"<type arch='i686'>exe</type>"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseFormat(t, c.doc, Options{})
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("output has %q:\n%s", n, got)
				}
			}
		})
	}
}

// TestLiveKeepsTargets: status XML (Live) keeps generated interface names.
func TestLiveKeepsTargets(t *testing.T) {
	got := parseFormat(t, dev("<interface type='ethernet'><target dev='vnet3'/></interface>"), Options{Live: true})
	if !strings.Contains(got, "<target dev='vnet3'/>") {
		t.Fatalf("target dropped:\n%s", got)
	}
}

// TestSkipValidate: configs read back at startup skip validation but are
// still parsed (the ranges sorted) as libvirt does.
func TestSkipValidate(t *testing.T) {
	doc := top("<idmap><uid start='5' target='2000' count='5'/><uid start='1' target='1000' count='1'/>" +
		"<gid start='0' target='1000' count='10'/></idmap>")
	if _, err := Parse([]byte(doc), Options{HostArch: "x86_64"}); err == nil {
		t.Fatal("validation did not run")
	}
	got := parseFormat(t, doc, Options{SkipValidate: true})
	if !strings.Contains(got, "<uid start='1' target='1000' count='1'/>\n    <uid start='5'") {
		t.Fatalf("ranges not sorted:\n%s", got)
	}
}

func TestCheckDefineName(t *testing.T) {
	if err := CheckDefineName("ok"); err != nil {
		t.Fatal(err)
	}
	checkErr(t, CheckDefineName("a\nb"), virerr.ErrXMLDetail, virerr.FromXML, "invalid char in name: \n")
}

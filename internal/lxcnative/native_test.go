package lxcnative

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"virtlxc/internal/domainxml"
	"virtlxc/internal/testutil"
	"virtlxc/internal/virerr"
)

var uuidRE = regexp.MustCompile(`<uuid>[^<]*</uuid>`)

// convert runs Convert and formats the result with the UUID masked.
func convert(t *testing.T, text string) (string, error) {
	t.Helper()
	d, err := Convert(text, domainxml.Options{HostArch: "x86_64"})
	if err != nil {
		return "", err
	}
	if _, ok := domainxml.ParseUUID(d.UUID); !ok {
		t.Errorf("no UUID generated: %q", d.UUID)
	}
	out, err := domainxml.Format(d)
	if err != nil {
		t.Fatal(err)
	}
	return uuidRE.ReplaceAllString(string(out), "<uuid>UUID</uuid>"), nil
}

// TestLXCConf2XML is libvirt's lxcconf2xmltest: each LXC configuration,
// in its old (lxc.network.*) and LXC 3 (lxc.net.N.*) spelling, gives the
// recorded definition; fstab gives libvirt's error.
func TestLXCConf2XML(t *testing.T) {
	dir := filepath.Join(testutil.ConformanceDir(t), "lxcconf2xml")
	configs, _ := filepath.Glob(filepath.Join(dir, "*.config"))
	if len(configs) < 20 {
		t.Fatalf("only %d configurations in %s", len(configs), dir)
	}
	for _, c := range configs {
		base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(c), ".config"), "-v3")
		t.Run(filepath.Base(c), func(t *testing.T) {
			text, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := convert(t, string(text))
			want, rerr := os.ReadFile(filepath.Join(dir, base+".xml"))
			if rerr != nil {
				// No expected document: libvirt refuses the configuration.
				if err == nil || err.Error() != "argument unsupported: lxc.mount.fstab or lxc.mount found, use lxc.mount.entry lines instead" {
					t.Fatalf("want libvirt's fstab error, got %v\n%s", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w := uuidRE.ReplaceAllString(string(want), "<uuid>UUID</uuid>"); got != w {
				t.Errorf("got\n%s\nwant\n%s", got, w)
			}
		})
	}
}

// TestConvertQuirks holds what libvirt 9.0's daemon printed for
// configurations outside its test data (recorded from a private libvirtd
// on this machine kind).
func TestConvertQuirks(t *testing.T) {
	const base = "lxc.utsname = a\nlxc.rootfs = /r\n"
	for _, c := range []struct {
		name, config string
		want         []string // lines the definition must hold
	}{
		{"no trailing newline", "lxc.utsname = abc\nlxc.rootfs = /r", []string{"<name>abc</name>", "<source dir='/r'/>", "<privnet/>"}},
		{"blanks kept", "lxc.utsname = a \nlxc.rootfs = /r  \n", []string{"<name>a </name>", "<source dir='/r  '/>"}},
		{"comment kept in value", "lxc.utsname = a # c\nlxc.rootfs = /r\n", []string{"<name>a # c</name>"}},
		{"CR LF", "lxc.utsname = a\r\nlxc.rootfs = /r\r\n", []string{"<name>a</name>"}},
		{"escaped", "lxc.uts.name = <&>\nlxc.rootfs.path = /r'x\n", []string{"<name>&lt;&amp;&gt;</name>", "<source dir='/r&apos;x'/>"}},
		{"first value wins, arch", base + "lxc.arch = amd64\nlxc.cap.drop = sys_admin  net_raw bogus\nlxc.utsname = second\n",
			[]string{"<name>a</name>", "<type arch='x86_64'>exe</type>", "<capabilities policy='allow'>", "<net_raw state='off'/>", "<sys_admin state='off'/>"}},
		{"unknown arch", base + "lxc.arch = foo\n", []string{"<type>exe</type>"}},
		{"bad and multicast MACs, unknown type", base + "lxc.network.type = veth\nlxc.network.hwaddr = zz\nlxc.network.type = none\nlxc.network.type = foo\nlxc.network.hwaddr = 01:00:00:00:00:01\n",
			[]string{"<interface type='ethernet'>", "<mac address='00:00:00:00:00:00'/>", "<interface type='user'>", "<mac address='01:00:00:00:00:01'/>", "<link state='down'/>"}},
		{"empty type skipped", base + "lxc.network.type = veth\nlxc.network.type = empty\nlxc.network.type = veth\nlxc.network.link = br0\nlxc.network.macvlan.mode = bridge\n",
			[]string{"<interface type='ethernet'>", "<source bridge='br0'/>"}},
		{"inet_aton addresses", base + "lxc.network.type = veth\nlxc.network.ipv4 = 0x7f.1/8\nlxc.network.ipv6 = 2001:0db8:0:0:0:0:0:1/64\nlxc.network.ipv4 = 10.0.0.1/+5\nlxc.network.ipv4.gateway = 1.2.3\n",
			[]string{"<ip address='127.0.0.1' family='ipv4' prefix='8'/>", "<ip address='2001:db8::1' family='ipv6' prefix='64'/>",
				"<ip address='10.0.0.1' family='ipv4' prefix='5'/>", "<route family='ipv4' address='0.0.0.0' gateway='1.2.0.3'/>"}},
		{"indexed interfaces", base + "lxc.net.5.type = veth\nlxc.net.2.type = phys\nlxc.net.2.link = eth9\nlxc.net.5.link = br5\n",
			[]string{"<source bridge='br5'/>", "<interface>eth9</interface>"}},
		{"vlan without id, guest name", base + "lxc.network.type = vlan\nlxc.network.link = eth0\nlxc.network.type = veth\nlxc.network.flags = down\nlxc.network.name = x y\n",
			[]string{"<interface>eth0</interface>", "<guest dev='x y'/>"}},
		{"macvlan modes", base + "lxc.network.type = macvlan\nlxc.network.link = eth0\nlxc.network.macvlan.mode = private\nlxc.network.type = macvlan\nlxc.network.link = eth0\nlxc.network.macvlan.mode = passthru\n",
			[]string{"<source dev='eth0' mode='private'/>", "<source dev='eth0' mode='vepa'/>"}},
		{"mounts", base + "lxc.mount.entry = tmpfs /tmp tmpfs ro,size=1000 0 0\nlxc.mount.entry = /dev/sdb /data ext4 ro 0 0\nlxc.mount.entry = none sys/kernel/security securityfs ro 0 0\nlxc.mount.entry = /a\tb\tnone\tbind\nlxc.mount.entry = tmpfs t2 tmpfs size=1GB 0 0\nlxc.mount.entry = tmpfs t3 tmpfs size=-1 0 0\n",
			[]string{"<source usage='0' units='KiB'/>", "<source dev='/dev/sdb'/>", "<source dir='/a'/>", "<target dir='/b'/>",
				"<source usage='976562' units='KiB'/>", "<source usage='18014398509481983' units='KiB'/>"}},
		{"first memory limit", base + "lxc.cgroup.memory.limit_in_bytes = 1k\nlxc.cgroup.memory.limit_in_bytes = 2G\n",
			[]string{"<memory unit='KiB'>1</memory>", "<hard_limit unit='KiB'>1</hard_limit>"}},
		{"negative period wraps", base + "lxc.cgroup.cpu.cfs_quota_us = -5\nlxc.cgroup.cpu.cfs_period_us = -5\n",
			[]string{"<period>18446744073709551611</period>", "<quota>-5</quota>"}},
		{"idmap with extra text", base + "lxc.idmap = u 0 100000 65536 extra\nlxc.idmap = g 0 100000 65536\n",
			[]string{"<uid start='100000' target='0' count='65536'/>", "<gid start='100000' target='0' count='65536'/>"}},
		{"blkio unknown key", base + "lxc.cgroup.blkio.weight = 100\nlxc.cgroup.blkio.foo = 8:0 5\n", []string{"<weight>100</weight>"}},
		{"mems only", base + "lxc.cgroup.cpuset.mems = 0\n", []string{"<memory mode='strict' nodeset='0'/>"}},
		{"no ttys", base + "lxc.arch = i686\nlxc.tty.max = 0\n", []string{"<type arch='i686'>exe</type>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := convert(t, c.config)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("no %q in\n%s", w, got)
				}
			}
			if c.name == "blkio unknown key" && strings.Contains(got, "<device>") {
				t.Errorf("a device without values printed:\n%s", got)
			}
		})
	}
}

// TestConvertErrors holds libvirt 9.0's messages for refused
// configurations.
func TestConvertErrors(t *testing.T) {
	const base = "lxc.utsname = a\nlxc.rootfs = /r\n"
	const unknown = "An error occurred, but the cause is unknown"
	for _, c := range []struct{ config, want string }{
		{"", unknown},
		{"# only comment\n", unknown},
		{"lxc.rootfs = /r\n", unknown},
		{"lxc.utsname = a\n", unknown},
		{"lxc.utsname=a;lxc.rootfs=/r\n", unknown},
		{"lxc.utsname = a\n 1x = 3\n", "configuration file syntax error: memory conf:2: expecting a name"},
		{"lxc.utsname = a\nlxc.rootfs /r\n", "configuration file syntax error: memory conf:2: expecting an assignment"},
		{"lxc.utsname = \"a\" b\nlxc.rootfs = /r\n", "configuration file syntax error: memory conf:1: expecting a separator"},
		{base + "lxc.network.flags = up\n", unknown},
		{base + "lxc.network.type = veth\nlxc.network.script.up = /x\n", unknown},
		{base + "lxc.net.x.type = veth\n", unknown},
		{base + "lxc.net.1type = veth\n", unknown},
		{base + "lxc.network.type = macvlan\n", unknown},
		{base + "lxc.network.type = phys\n", "unsupported configuration: Missing 'link' attribute for NIC"},
		{base + "lxc.network.type = veth\nlxc.network.ipv4 = 1.2.3.4\n", "invalid argument: Invalid CIDR address: '1.2.3.4'"},
		{base + "lxc.network.type = veth\nlxc.network.ipv6 = 1.2.3.4/24\n", "invalid argument: Invalid CIDR address: '1.2.3.4/24'"},
		{base + "lxc.network.type = veth\nlxc.network.ipv4 = 10.0.0.1/24/3\n", "invalid argument: Invalid CIDR address: '10.0.0.1/24/3'"},
		{base + "lxc.network.type = veth\nlxc.network.ipv4.gateway = abc\n", "XML error: Domain interface: Bad gateway address 'abc' in route definition"},
		{base + "lxc.network.type = veth\nlxc.network.ipv6.gateway = 1.2.3.4\n", "XML error: Domain interface: ipv6 specified for non-IPv6 gateway address '1.2.3.4' in route definition"},
		{base + "lxc.tty = x\n", "internal error: failed to parse int: 'x'"},
		{base + "lxc.tty =  3x\n", "internal error: failed to parse int: '3x'"},
		{base + "lxc.tty = -1\n", "internal error: failed to parse int: '-1'"},
		{base + "lxc.mount.entry = tmpfs run tmpfs mode=0755 0 0\n", "internal error: missing tmpfs size, set the size option"},
		{base + "lxc.mount.entry = tmpfs run tmpfs size=50% 0 0\n", "internal error: can't convert relative size: '50%'"},
		{base + "lxc.mount.entry = tmpfs tmp tmpfs size=8x 0 0\n", "internal error: failed to convert size: '8x'"},
		{base + "lxc.mount.entry = tmpfs tmp tmpfs size= 0 0\n", "internal error: failed to convert size: ''"},
		{base + "lxc.mount.entry = /dev/sdb1 mnt ext4 defaults 0 0\nlxc.mount.entry = short line\n", unknown},
		{base + "lxc.cgroup.memory.limit_in_bytes = 99999999999999999999\n", "internal error: failed to convert size: '99999999999999999999'"},
		{base + "lxc.cgroup.memory.limit_in_bytes = 16E\n", "internal error: failed to convert size: '16E'"},
		{base + "lxc.cgroup.memory.limit_in_bytes = 100\n", "XML error: Memory size must be specified via <memory> or in the <numa> configuration"},
		{"lxc.utsname = a\nlxc.rootfs = /dev/sda1\nlxc.cgroup.memory.limit_in_bytes = 1G\nlxc.cgroup.cpu.shares = abc\n", "internal error: failed to parse integer: 'abc'"},
		{base + "lxc.id_map = u 0 100000\n", "internal error: invalid lxc.id_map: 'u 0 100000'"},
		{base + "lxc.id_map = x 0 1 2\n", unknown},
		{base + "lxc.cgroup.cpuset.cpus = 0-999999\n", "invalid argument: Failed to parse bitmap '0-999999'"},
		{base + "lxc.cgroup.blkio.device_weight = 8:0\n", "internal error: invalid lxc.cgroup.blkio.device_weight value: '8:0'"},
		{base + "lxc.cgroup.blkio.throttle.read_bps_device = 8:0 abc\n", "internal error: failed to parse read_bps_device: 'abc'"},
		{base + "lxc.cgroup.blkio.device_weight = 8:0 x\n", "internal error: failed to parse device weight: 'x'"},
		{base + "lxc.arch = s390x\nlxc.network.type = macvlan\nlxc.network.link = eth0\n", "invalid argument: could not find capabilities for ostype=exe arch=s390x domaintype=lxc "},
	} {
		_, err := convert(t, c.config)
		var ve *virerr.Error
		if err == nil || !errorsAs(err, &ve) || err.Error() != c.want {
			t.Errorf("%q: got %v, want %q", c.config, err, c.want)
		}
	}
}

func errorsAs(err error, target **virerr.Error) bool { return errors.As(err, target) }

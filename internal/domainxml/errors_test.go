package domainxml

import (
	"errors"
	"strings"
	"testing"

	"virtlxc/internal/virerr"
)

// baseDoc is a minimal valid definition the rejection cases edit.
const baseDoc = `<domain type='lxc'>
  <name>t</name>
  <memory>65536</memory>
  <os>
    <type>exe</type>
    <init>/sbin/init</init>
  </os>
  <devices>
    <console type='pty'/>
  </devices>
</domain>
`

// edit returns baseDoc with each old string replaced by the new one that
// follows it.
func edit(pairs ...string) string {
	s := baseDoc
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic("edit: no " + pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func dev(x string) string     { return edit("<console type='pty'/>", "<console type='pty'/>"+x) }
func osExtra(x string) string { return edit("<init>/sbin/init</init>", "<init>/sbin/init</init>"+x) }
func top(x string) string     { return edit("<memory>65536</memory>", "<memory>65536</memory>"+x) }

const (
	codeXML    = virerr.ErrXMLError
	codeIntErr = virerr.ErrInternalError
	codeCfg    = virerr.ErrConfigUnsupported
	codeArg    = virerr.ErrInvalidArg
	fromDom    = virerr.FromDomain
	fromXML    = virerr.FromXML
)

type rejectCase struct {
	name     string
	xml      string
	code     virerr.Code
	dom      virerr.Domain
	msg      string
	validate bool
}

var rejectCases = []rejectCase{
	// Document and root (research §2.1).
	{"wrong root", "<foo/>", codeXML, fromXML, "XML error: expecting root element of 'domain', not 'foo'", false},
	// virDomainDefParseIDs
	{"no name", edit("<name>t</name>", ""), virerr.ErrNoName, fromDom, "missing name information", false},
	{"empty name", edit("<name>t</name>", "<name></name>"), virerr.ErrNoName, fromDom, "missing name information", false},
	{"name with slash", edit("<name>t</name>", "<name>a/b</name>"), codeXML, fromDom, "XML error: name a/b cannot contain '/'", false},
	{"malformed uuid", top("<uuid>1234</uuid>"), codeIntErr, fromDom, "internal error: malformed uuid element", false},
	{"uuid trailing junk", top("<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809x</uuid>"), codeIntErr, fromDom, "internal error: malformed uuid element", false},
	{"two genids", top("<genid/><genid/>"), codeXML, fromDom, "XML error: element 'genid' can only appear once", false},
	// virDomainDefParseCaps
	{"no type", edit("<domain type='lxc'>", "<domain>"), codeIntErr, fromDom, "internal error: missing domain type attribute", false},
	{"unknown type", edit("type='lxc'", "type='foo'"), codeCfg, fromDom, "unsupported configuration: invalid domain type foo", false},
	{"kvm type", edit("type='lxc'", "type='kvm'"), codeArg, virerr.FromCapabilities,
		"invalid argument: could not find capabilities for ostype=exe arch=x86_64 domaintype=kvm ", false},
	{"no os type", edit("<type>exe</type>", ""), codeXML, fromDom, "XML error: an os <type> must be specified", false},
	{"unknown os type", edit("<type>exe</type>", "<type>foo</type>"), codeCfg, fromDom, "unsupported configuration: unknown OS type 'foo'", false},
	{"hvm os type", edit("<type>exe</type>", "<type>hvm</type>"), codeArg, virerr.FromCapabilities,
		"invalid argument: could not find capabilities for arch=x86_64 domaintype=lxc ", false},
	{"xen os type", edit("<type>exe</type>", "<type>xen</type>"), codeArg, virerr.FromCapabilities,
		"invalid argument: could not find capabilities for ostype=xen arch=x86_64 domaintype=lxc ", false},
	{"unknown arch", edit("<type>exe</type>", "<type arch='foo'>exe</type>"), codeCfg, fromDom, "unsupported configuration: Unknown architecture foo", false},
	{"arch not in caps", edit("<type>exe</type>", "<type arch='aarch64'>exe</type>"), codeArg, virerr.FromCapabilities,
		"invalid argument: could not find capabilities for ostype=exe arch=aarch64 domaintype=lxc ", false},
	{"title newline", top("<title>a\nb</title>"), codeXML, fromDom, "XML error: Domain title can't contain newlines", false},
	// Memory
	{"negative memory", edit("<memory>65536</memory>", "<memory>-5</memory>"), codeXML, fromXML,
		"XML error: Invalid value '-5' for element or attribute './memory[1]'", false},
	{"memory trailing space", edit("<memory>65536</memory>", "<memory>5 </memory>"), codeXML, fromXML,
		"XML error: Invalid value '5 ' for element or attribute './memory[1]'", false},
	{"bad currentMemory", top("<currentMemory>abc</currentMemory>"), codeXML, fromXML,
		"XML error: Invalid value 'abc' for element or attribute './currentMemory[1]'", false},
	{"memory unit", edit("<memory>65536</memory>", "<memory unit='foo'>1</memory>"), codeArg, virerr.FromNone,
		"invalid argument: unknown suffix 'foo'", false},
	{"memory scale overflow", edit("<memory>65536</memory>", "<memory unit='TiB'>99999999999</memory>"), virerr.ErrOverflow, virerr.FromNone,
		"numerical overflow: value too large: 99999999999TiB", false},
	{"memory too large", edit("<memory>65536</memory>", "<memory unit='b'>9223372036854775807</memory>"), virerr.ErrOverflow, fromDom,
		"numerical overflow: size value too large", false},
	{"no memory", edit("<memory>65536</memory>", ""), codeXML, fromDom,
		"XML error: Memory size must be specified via <memory> or in the <numa> configuration", false},
	{"zero memory", edit("<memory>65536</memory>", "<memory>0</memory>"), codeXML, fromDom,
		"XML error: Memory size must be specified via <memory> or in the <numa> configuration", false},
	{"maxMemory without slots", top("<maxMemory>1048576</maxMemory>"), codeXML, fromDom,
		"XML error: both maximum memory size and memory slot count must be specified", false},
	{"maxMemory", top("<maxMemory slots='2'>1048576</maxMemory>"), codeCfg, fromDom,
		"unsupported configuration: memory hotplug tunables <maxMemory> are not supported by this hypervisor driver", false},
	{"bad memtune", top("<memtune><hard_limit>x</hard_limit></memtune>"), codeXML, fromXML,
		"XML error: Invalid value 'x' for element or attribute './memtune/hard_limit[1]'", false},
	// vcpu
	{"vcpu not a number", top("<vcpu>abc</vcpu>"), codeXML, fromDom, "XML error: maximum vcpus count must be an integer", false},
	{"vcpu current", top("<vcpu current='x'>2</vcpu>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'current' in element 'vcpu': 'x'. Expected non-negative integer value", false},
	{"vcpu current above max", top("<vcpu current='3'>2</vcpu>"), codeCfg, fromDom,
		"unsupported configuration: maximum vCPU count must not be less than current vCPU count", false},
	{"vcpu placement", top("<vcpu placement='foo'>1</vcpu>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'placement' in element 'vcpu': 'foo'.", false},
	{"vcpu cpuset syntax", top("<vcpu cpuset='x'>1</vcpu>"), codeArg, virerr.FromNone, "invalid argument: Failed to parse bitmap 'x'", false},
	{"vcpu cpuset empty", top("<vcpu cpuset='0,^0'>1</vcpu>"), codeCfg, fromDom, "unsupported configuration: Invalid value of 'cpuset': 0,^0", false},
	{"individual vcpus", top("<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='yes'/></vcpus>"), codeCfg, fromDom,
		"unsupported configuration: individual CPU state configuration is not supported", false},
	// cputune
	{"cputune shares", top("<cputune><shares>x</shares></cputune>"), codeXML, fromDom, "XML error: can't parse cputune shares value", false},
	{"cputune period", top("<cputune><period>-1</period></cputune>"), codeXML, fromDom, "XML error: can't parse cputune period value", false},
	{"cputune quota", top("<cputune><quota>x</quota></cputune>"), codeXML, fromDom, "XML error: can't parse cputune quota value", false},
	{"cputune shares range", top("<cputune><shares>1</shares></cputune>"), codeCfg, fromDom,
		"unsupported configuration: Value of cputune 'shares' must be in range [2, 262144]", false},
	{"cputune period range", top("<cputune><period>10</period></cputune>"), codeCfg, fromDom,
		"unsupported configuration: Value of cputune 'period' must be in range [1000, 1000000]", false},
	{"cputune quota range", top("<cputune><quota>10</quota></cputune>"), codeCfg, fromDom,
		"unsupported configuration: Value of cputune 'quota' must be in range [1000, 17592186044415]", false},
	// resource
	{"two resources", top("<resource><partition>/a</partition></resource><resource><partition>/b</partition></resource>"),
		codeXML, fromDom, "XML error: only one resource element is supported", false},
	{"empty resource", top("<resource/>"), codeIntErr, virerr.FromRPC, "Library function returned error but did not set virError", false},
	// init (after the capabilities lookup) and its options
	{"no init", edit("<init>/sbin/init</init>", ""), codeXML, fromDom, "XML error: init binary must be specified", false},
	{"no init and kvm", edit("<init>/sbin/init</init>", "", "type='lxc'", "type='kvm'"), codeArg, virerr.FromCapabilities,
		"invalid argument: could not find capabilities for ostype=exe arch=x86_64 domaintype=kvm ", false},
	{"empty initarg", osExtra("<initarg/>"), codeXML, fromDom, "XML error: No data supplied for <initarg> element", false},
	{"initenv without name", osExtra("<initenv>v</initenv>"), codeXML, fromDom, "XML error: No name supplied for <initenv> element", false},
	{"empty initenv", osExtra("<initenv name='X'/>"), codeXML, fromDom, "XML error: No value supplied for <initenv name='X'> element", false},
	{"initenv name schema", osExtra("<initenv name='1BAD'>v</initenv>"), virerr.ErrXMLInvalidSchema, fromXML,
		"XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n" +
			"Error validating value \nExtra element os in interleave\nElement domain failed to validate content\n", true},
	// idmap
	{"idmap bad count", top("<idmap><uid start='0' target='1000' count='x'/><gid start='0' target='1000' count='10'/></idmap>"),
		codeXML, fromDom, "XML error: invalid idmap start/target/count settings", false},
	{"idmap missing target", top("<idmap><uid start='0' count='10'/></idmap>"), codeXML, fromDom, "XML error: invalid idmap start/target/count settings", false},
	{"idmap uid only", top("<idmap><uid start='0' target='1000' count='10'/></idmap>"), codeCfg, fromDom,
		"unsupported configuration: uid and gid should be mapped both", false},
	{"idmap root unmapped", top("<idmap><uid start='1' target='1000' count='10'/><gid start='0' target='1000' count='10'/></idmap>"),
		codeCfg, fromDom, "unsupported configuration: You must map the root user of container", false},
	// consoles
	{"console type", dev("<console type='foo'/>"), codeCfg, fromDom,
		"unsupported configuration: unknown type presented to host for character device: foo", false},
	{"console target type", dev("<console><target type='foo'/></console>"), codeCfg, fromDom,
		"unsupported configuration: unknown target type 'foo' specified for character device", false},
	{"console port", dev("<console><target port='x'/></console>"), codeXML, fromDom, "XML error: Invalid port number: x", false},
	{"second serial console", dev("<console><target type='serial'/></console>"), codeCfg, fromDom,
		"unsupported configuration: Only the first console can be a serial port", false},
	// filesystems
	{"fs type", dev("<filesystem type='foo'><source dir='/a'/><target dir='/b'/></filesystem>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'type' in element 'filesystem': 'foo'.", false},
	{"fs accessmode", dev("<filesystem accessmode='foo'><source dir='/a'/><target dir='/b'/></filesystem>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'accessmode' in element 'filesystem': 'foo'.", false},
	{"fs driver type", dev("<filesystem type='file'><driver type='x'/><source file='/a'/><target dir='/b'/></filesystem>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'type' in element 'driver': 'x'.", false},
	{"fs driver format", dev("<filesystem type='file'><driver type='loop' format='x'/><source file='/a'/><target dir='/b'/></filesystem>"),
		codeCfg, fromDom, "unsupported configuration: unknown driver format value 'x'", false},
	{"fs driver format none", dev("<filesystem type='file'><driver type='loop' format='none'/><source file='/a'/><target dir='/b'/></filesystem>"),
		codeCfg, fromDom, "unsupported configuration: unknown driver format value 'none'", false},
	{"fs no source", dev("<filesystem><target dir='/mnt'/></filesystem>"), virerr.ErrNoSource, fromDom,
		"missing source information for device /mnt", false},
	{"fs no source no target", dev("<filesystem/>"), virerr.ErrNoSource, fromDom, "missing source information for device", false},
	{"fs no target", dev("<filesystem><source dir='/src/path'/></filesystem>"), virerr.ErrNoTarget, fromDom,
		"missing target information for device /src/path", false},
	{"ram no usage", dev("<filesystem type='ram'><source/><target dir='/m'/></filesystem>"), codeXML, fromDom,
		"XML error: missing 'usage' attribute for RAM filesystem", false},
	{"ram bad usage", dev("<filesystem type='ram'><source usage='x'/><target dir='/m'/></filesystem>"), codeXML, fromDom,
		"XML error: cannot parse usage 'x' for RAM filesystem", false},
	{"ram bad units", dev("<filesystem type='ram'><source usage='1' units='x'/><target dir='/m'/></filesystem>"), codeArg, virerr.FromNone,
		"invalid argument: unknown suffix 'x'", false},
	{"fs fmode", dev("<filesystem fmode='1000'><source dir='/a'/><target dir='/b'/></filesystem>"), codeXML, fromDom,
		"XML error: invalid fmode: '01000'", false},
	// interfaces
	{"interface type", dev("<interface type='foo'/>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'type' in element 'interface': 'foo'.", false},
	{"network without source", dev("<interface type='network'/>"), codeXML, fromDom,
		"XML error: interface type='network' requires a 'source' element", false},
	{"network source attr", dev("<interface type='network'><source/></interface>"), codeXML, fromXML,
		"XML error: Missing required attribute 'network' in element 'source'", false},
	{"bridge source attr", dev("<interface type='bridge'><source/></interface>"), codeXML, fromXML,
		"XML error: Missing required attribute 'bridge' in element 'source'", false},
	{"bad mac", dev("<interface type='ethernet'><mac address='zz'/></interface>"), codeXML, fromDom,
		"XML error: unable to parse mac address 'zz'", false},
	{"empty mac", dev("<interface type='ethernet'><mac address=''/></interface>"), codeXML, fromDom,
		"XML error: unable to parse mac address ''", false},
	{"multicast mac", dev("<interface type='ethernet'><mac address='01:00:00:00:00:01'/></interface>"), codeXML, fromDom,
		"XML error: expected unicast mac address, found multicast '01:00:00:00:00:01'", false},
	{"link state", dev("<interface type='ethernet'><link state='x'/></interface>"), codeCfg, fromDom,
		"unsupported configuration: unknown interface link state 'x'", false},
	{"link state default", dev("<interface type='ethernet'><link state='default'/></interface>"), codeCfg, fromDom,
		"unsupported configuration: unknown interface link state 'default'", false},
	{"virtualport on ethernet", dev("<interface type='ethernet'><virtualport type='openvswitch'/></interface>"), codeCfg, fromDom,
		"unsupported configuration: <virtualport> element unsupported for <interface type='ethernet'>", false},
	{"target managed", dev("<interface type='ethernet'><target dev='x' managed='x'/></interface>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'managed' in element 'target': 'x'.", false},
	{"net model", dev("<interface type='ethernet'><model type='foo'/></interface>"), codeCfg, fromDom,
		"unsupported configuration: driver does not support net model 'foo'", false},
	{"net model chars", dev("<interface type='ethernet'><model type='a b'/></interface>"), codeArg, fromDom,
		"invalid argument: Model name contains invalid characters", false},
	// lifecycle
	{"on_poweroff", top("<on_poweroff>foo</on_poweroff>"), codeCfg, fromDom, "unsupported configuration: unknown on_poweroff action: foo", false},
	{"on_crash", top("<on_crash>foo</on_crash>"), codeCfg, fromDom, "unsupported configuration: unknown on_crash action: foo", false},
	{"coredump on poweroff", top("<on_poweroff>coredump-destroy</on_poweroff>"), codeCfg, fromDom,
		"unsupported configuration: Lifecycle event 'poweroff' doesn't support 'coredump-destroy' action", false},
	{"coredump on reboot", top("<on_reboot>coredump-restart</on_reboot>"), codeCfg, fromDom,
		"unsupported configuration: Lifecycle event 'reboot' doesn't support 'coredump-restart' action", false},
	// clock
	{"clock offset", top("<clock offset='foo'/>"), codeCfg, fromDom, "unsupported configuration: unknown clock offset 'foo'", false},
	{"clock adjustment", top("<clock offset='utc' adjustment='x'/>"), codeXML, fromDom, "XML error: unknown clock adjustment 'x'", false},
	{"clock timezone", top("<clock offset='timezone'/>"), codeIntErr, fromDom,
		"internal error: missing 'timezone' attribute for clock with offset='timezone'", false},
	{"clock basis", top("<clock offset='variable' basis='x'/>"), codeCfg, fromDom, "unsupported configuration: unknown clock basis 'x'", false},
	// features
	{"unknown feature", top("<features><foo/></features>"), codeCfg, fromDom, "unsupported configuration: unexpected feature 'foo'", false},
	{"capabilities policy", top("<features><capabilities policy='x'/></features>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'policy' in element 'capabilities': 'x'.", false},
	{"unknown capability", top("<features><capabilities><foo/></capabilities></features>"), codeCfg, fromDom,
		"unsupported configuration: unexpected capability feature 'foo'", false},
	{"capability state", top("<features><capabilities><mknod state='x'/></capabilities></features>"), codeXML, fromXML,
		"XML error: Invalid value for attribute 'state' in element 'mknod': 'x'.", false},
	// lxc:namespace (VIR_FROM_LXC)
	{"namespace feature", nsDoc("<lxc:sharefoo type='name' value='x'/>"), codeCfg, virerr.FromLXC,
		"unsupported configuration: unsupported Namespace feature: sharefoo", false},
	{"namespace no type", nsDoc("<lxc:sharenet value='x'/>"), codeIntErr, virerr.FromLXC, "internal error: No lxc environment type specified", false},
	{"namespace bad type", nsDoc("<lxc:sharenet type='foo' value='x'/>"), codeIntErr, virerr.FromLXC,
		"internal error: Unknown LXC namespace source 'foo'", false},
	{"namespace no value", nsDoc("<lxc:sharenet type='name'/>"), codeIntErr, virerr.FromLXC,
		"internal error: No lxc environment type specified", false},
	// schema validation (define --validate)
	{"schema unknown device", dev("<bogus/>"), virerr.ErrXMLInvalidSchema, fromXML,
		"XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n" +
			"Extra element bogus in /domain/devices\n", true},
	{"schema unknown attribute", edit("<domain type='lxc'>", "<domain type='lxc' foo='bar'>"), virerr.ErrXMLInvalidSchema, fromXML,
		"XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n" +
			"Invalid attribute foo for element domain\n", true},
}

// nsDoc is baseDoc with an <lxc:namespace> holding x.
func nsDoc(x string) string {
	return edit("<domain type='lxc'>", "<domain type='lxc' xmlns:lxc='"+LXCNamespaceURI+"'>",
		"</devices>", "</devices>\n  <lxc:namespace>"+x+"</lxc:namespace>")
}

func TestParseRejects(t *testing.T) {
	for _, c := range rejectCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.xml), Options{HostArch: "x86_64", Validate: c.validate})
			checkErr(t, err, c.code, c.dom, c.msg)
			if !c.validate {
				return
			}
			// Without validation only the schema's rules go away.
			if _, err := Parse([]byte(c.xml), Options{HostArch: "x86_64"}); err != nil {
				t.Errorf("without validation: %v", err)
			}
		})
	}
}

func checkErr(t *testing.T, err error, code virerr.Code, dom virerr.Domain, msg string) {
	t.Helper()
	var ve *virerr.Error
	if !errors.As(err, &ve) {
		t.Fatalf("want a *virerr.Error, got %v", err)
	}
	if ve.Code != code || ve.Domain != dom || ve.Message != msg {
		t.Errorf("got code %d domain %d\n%q\nwant code %d domain %d\n%q", ve.Code, ve.Domain, ve.Message, code, dom, msg)
	}
}

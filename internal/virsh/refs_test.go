package virsh

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// refDir holds the recorded virsh runs (absolute: tests change directory).
var refDir, _ = filepath.Abs(filepath.Join("testdata", "reference"))

// reference is one recorded virsh run: its arguments after the URI and
// what it printed.
type reference struct {
	args []string
	want result
}

// loadReference parses testdata/reference/NAME.txt ("$ virsh -c URI
// ARGS", "--- stdout", ..., "--- stderr", ..., "--- rc=N").
func loadReference(t *testing.T, name string) reference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(refDir, name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	cmdLine, rest, _ := strings.Cut(text, "\n--- stdout\n")
	stdout, rest, _ := strings.Cut(rest, "--- stderr\n")
	stderr, rc, _ := strings.Cut(rest, "--- rc=")
	_, argText, ok := strings.Cut(cmdLine, "lxc:///system ")
	if !ok {
		t.Fatalf("%s: no virsh command line", name)
	}
	n, err := ParseInt(strings.TrimSpace(rc))
	if err != nil {
		t.Fatalf("%s: rc %q", name, rc)
	}
	// Error messages end with a newline the recorder put before "--- rc".
	return reference{args: strings.Fields(argText), want: result{stdout, stderr, n}}
}

// The anchors' domains.
const (
	basicUUID     = "3a2787b4-8dec-4ec9-a3b7-c2ac0982bf25"
	transientUUID = "a86ef92b-41ac-4bd4-aa48-22d82c5e298f"
)

func basicDomain(id int32, state, reason int32, usedKiB uint64) *fakeDomain {
	d := &fakeDomain{
		dom:   libvirt.Domain{Name: "anchor-basic", UUID: mustUUID(basicUUID), ID: id},
		state: state, reason: reason, persistent: 1,
		info: libvirt.DomainGetInfoRet{State: uint8(state), MaxMem: 131072, Memory: usedKiB, NrVirtCPU: 1},
		sched: []libvirt.TypedParam{ullongParam("cpu_shares", 1024), ullongParam("vcpu_period", 100000),
			{Field: "vcpu_quota", Value: libvirt.TypedParamValue{D: xdr.ParamLLong, I: int64(-1)}}},
		mem: []libvirt.TypedParam{ullongParam("hard_limit", MemoryParamUnlimited), ullongParam("soft_limit", MemoryParamUnlimited),
			ullongParam("swap_hard_limit", MemoryParamUnlimited)},
		blkio: []libvirt.TypedParam{{Field: "weight", Value: libvirt.TypedParamValue{D: xdr.ParamUint, I: uint32(0)}}},
	}
	for _, f := range []string{"device_weight", "device_read_iops_sec", "device_write_iops_sec", "device_read_bytes_sec", "device_write_bytes_sec"} {
		d.blkio = append(d.blkio, libvirt.TypedParam{Field: f, Value: libvirt.TypedParamValue{D: xdr.ParamString, I: ""}})
	}
	if id != -1 {
		d.info.CPUTime = 8539366
	}
	return d
}

func inactiveBasic() *fakeDomain { return basicDomain(-1, stateShutoff, 0, 131072) }
func runningBasic() *fakeDomain  { return basicDomain(10323, stateRunning, 1, 640) }

func invalidOp(msg string) error {
	return virerr.New(virerr.ErrOperationInvalid, virerr.FromLXC, "%s", msg)
}

// TestReferenceOutputs replays virsh 9.0's recorded runs against a fake
// daemon in the recorded state and expects the same bytes.
func TestReferenceOutputs(t *testing.T) {
	xmlDir := filepath.Join(refDir, "xml")
	caps, _ := os.ReadFile(filepath.Join(refDir, "00-capabilities.txt"))
	capsXML := strings.TrimSuffix(strings.SplitN(strings.SplitN(string(caps), "--- stdout\n", 2)[1], "--- stderr", 2)[0], "\n\n")
	dumpXML := func(name string) string {
		r := loadReference(t, name)
		return strings.TrimSuffix(r.want.stdout, "\n")
	}
	withDoms := func(ds ...*fakeDomain) func(*fake) {
		return func(f *fake) { f.doms = ds }
	}
	failing := func(proc uint32, err error, ds ...*fakeDomain) func(*fake) {
		return func(f *fake) {
			f.doms = ds
			f.errs[proc] = err
		}
	}
	transient := func(id int32) *fakeDomain {
		d := basicDomain(id, stateRunning, 1, 640)
		d.dom.Name, d.dom.UUID, d.persistent = "anchor-transient", mustUUID(transientUUID), 0
		return d
	}
	cases := map[string]func(*fake){
		"00-list-all-empty":                  withDoms(),
		"12-list-all-defined":                withDoms(inactiveBasic()),
		"12-list-inactive":                   withDoms(inactiveBasic()),
		"12-list-name":                       withDoms(inactiveBasic()),
		"12-list-uuid":                       withDoms(inactiveBasic()),
		"18-list-all-running":                withDoms(runningBasic()),
		"18-list":                            withDoms(runningBasic()),
		"24-list-paused":                     withDoms(basicDomain(10323, statePaused, 1, 720)),
		"70-list-all-transient":              withDoms(transient(11156)),
		"30-list-all-after-undefine-running": withDoms(basicDomain(10815, stateRunning, 1, 636)),
		"13-dominfo-inactive":                withDoms(inactiveBasic()),
		"16-dominfo-autostart": func(f *fake) {
			d := inactiveBasic()
			d.autostart = 1
			f.doms = []*fakeDomain{d}
		},
		"18-dominfo-running": withDoms(runningBasic()),
		"24-dominfo-paused":  withDoms(basicDomain(10323, statePaused, 1, 720)),
		"30-dominfo-after-undefine-running": func(f *fake) {
			d := basicDomain(10815, stateRunning, 1, 636)
			d.persistent = 0
			f.doms = []*fakeDomain{d}
		},
		"70-dominfo-transient":              withDoms(transient(11156)),
		"14-domstate-inactive":              withDoms(inactiveBasic()),
		"14-domstate-reason-inactive":       withDoms(inactiveBasic()),
		"18-domstate-running":               withDoms(runningBasic()),
		"18-domstate-reason-running":        withDoms(runningBasic()),
		"24-domstate-reason-paused":         withDoms(basicDomain(10323, statePaused, 1, 720)),
		"25-domstate-reason-resumed":        withDoms(basicDomain(10323, stateRunning, 5, 720)),
		"26-domstate-after-shutdown-signal": withDoms(basicDomain(-1, stateShutoff, 1, 131072)),
		"29-domstate-reason-destroyed":      withDoms(basicDomain(-1, stateShutoff, 2, 131072)),
		"00-hybrid-domstate-reason":         withDoms(basicDomain(-1, stateShutoff, 6, 131072)),
		"15-domid-inactive":                 withDoms(inactiveBasic()),
		"18-domid-running":                  withDoms(runningBasic()),
		"15-domuuid":                        withDoms(inactiveBasic()),
		"15-domname-by-uuid":                withDoms(inactiveBasic()),
		"00-nodeinfo":                       withDoms(),
		"00-version":                        withDoms(),
		"00-hostname":                       withDoms(),
		"00-capabilities":                   func(f *fake) { f.caps = capsXML },
		"11-dumpxml-inactive": func(f *fake) {
			d := inactiveBasic()
			d.xml = dumpXML("11-dumpxml-inactive")
			f.doms = []*fakeDomain{d}
		},
		"C0-memtune-inactive": withDoms(inactiveBasic()),
		"C1-memtune-running": func(f *fake) {
			d := runningBasic()
			d.mem[0] = ullongParam("hard_limit", 131072)
			f.doms = []*fakeDomain{d}
		},
		"C1-schedinfo-running":  withDoms(runningBasic()),
		"C1-schedinfo-set-live": withDoms(runningBasic()),
		"C0-blkiotune-inactive": withDoms(inactiveBasic()),
		"C1-setmem-live":        withDoms(runningBasic()),
		"16-autostart-enable":   withDoms(inactiveBasic()),
		"16-autostart-disable":  withDoms(inactiveBasic()),
		"17-start-basic":        withDoms(inactiveBasic()),
		"24-suspend":            withDoms(runningBasic()),
		"25-resume":             withDoms(runningBasic()),
		"29-destroy":            withDoms(runningBasic()),
		"31-undefine":           withDoms(inactiveBasic()),
		"26-shutdown-default":   withDoms(runningBasic()),
		"26-shutdown-initctl":   withDoms(runningBasic()),
		"26-shutdown-signal":    withDoms(runningBasic()),
		"27-reboot-default":     withDoms(runningBasic()),
		"27-reboot-signal":      withDoms(runningBasic()),
		"26-shutdown-inactive":  failing(proto.ProcDomainShutdown, invalidOp("domain is not running"), inactiveBasic()),
		"29-destroy-inactive":   failing(proto.ProcDomainDestroy, invalidOp("domain is not running"), inactiveBasic()),
		"29-suspend-inactive":   failing(proto.ProcDomainSuspend, invalidOp("domain is not running"), inactiveBasic()),
		"25-resume-again":       failing(proto.ProcDomainResume, invalidOp("domain is already running"), runningBasic()),
		"28-start-running":      withDoms(runningBasic()),
		"31-dominfo-missing":    withDoms(),
		"31-undefine-missing":   withDoms(),
		"29-console-inactive":   withDoms(inactiveBasic()),
		"10-define-basic":       func(f *fake) { f.defined = inactiveBasic().dom },
		"70-create-transient":   func(f *fake) { f.defined = transient(11156).dom },
		"73-create-autodestroy": func(f *fake) { f.defined = transient(11156).dom },
		"73-create-console-transient": func(f *fake) {
			d := transient(11156)
			f.doms, f.defined = []*fakeDomain{d}, d.dom
		},
		"31-define-redefine": failing(proto.ProcDomainDefineXML, virerr.New(virerr.ErrOperationFailed, virerr.FromLXC,
			"domain 'anchor-basic' already exists with uuid ae249a5a-8ca2-4b56-9737-e765fbbca377")),
		"70-create-duplicate": failing(proto.ProcDomainCreateXML, virerr.New(virerr.ErrOperationFailed, virerr.FromLXC,
			"domain 'anchor-transient' already exists with uuid a86ef92b-41ac-4bd4-aa48-22d82c5e298f")),
		"40-define-noinit": failing(proto.ProcDomainDefineXML, virerr.New(virerr.ErrXMLError, virerr.FromDomain, "init binary must be specified")),
		"40-define-broken-xml": failing(proto.ProcDomainDefineXML, virerr.Raw(virerr.ErrXMLDetail, virerr.FromXML,
			"(domain_definition):4: Opening and ending tag mismatch: os line 3 and domain\n</domain>\n---------^")),
		"41-create-badinit": failing(proto.ProcDomainCreateXML, virerr.New(virerr.ErrInternalError, virerr.FromLXC,
			"Timed out while reading log output: Failure in libvirt_lxc startup: cannot find init path '/no/such/init' relative to container root: No such file or directory\n")),
	}
	t.Chdir(xmlDir)
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			ref := loadReference(t, name)
			f := newFake(t)
			setup(f)
			got := f.run(ref.args...)
			if got != ref.want {
				t.Errorf("virtlxc %s\n=== got rc=%d\n%s--- stderr\n%s=== want rc=%d\n%s--- stderr\n%s",
					strings.Join(ref.args, " "), got.rc, got.stdout, got.stderr, ref.want.rc, ref.want.stdout, ref.want.stderr)
			}
		})
	}
}

// TestDisconnectReported replays libvirtd 9.0 crashing on "schedinfo"
// for an inactive domain: virsh's two lines about the lost connection.
func TestDisconnectReported(t *testing.T) {
	ref := loadReference(t, "C9-schedinfo-inactive-crash")
	f := newFake(t)
	f.doms = []*fakeDomain{inactiveBasic()}
	f.crashOn = proto.ProcDomainGetSchedulerParameters
	got := f.run(ref.args...)
	want := ref.want
	want.stderr = strings.Replace(want.stderr, "lxc:///system", "lxc:///system?socket="+f.sock, 1)
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

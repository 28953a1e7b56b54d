package driver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/virerr"
)

func ptr[T any](v T) *T { return &v }

func TestInfo(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	info, err := e.d.GetInfo(ref)
	if err != nil {
		t.Fatal(err)
	}
	if info != (Info{State: StateShutoff, MaxMemKiB: 131072, MemoryKiB: 131072, NrVirtCPU: 1}) {
		t.Fatalf("inactive info %+v", info)
	}
	e.cg.stats = cgroups.Stats{MemoryUsage: 640 * 1024, CPUUsageNs: 8539366}
	ref = e.start(ref)
	info, _ = e.d.GetInfo(ref)
	if info != (Info{State: StateRunning, MaxMemKiB: 131072, MemoryKiB: 640, NrVirtCPU: 1, CPUTimeNs: 8539366}) {
		t.Fatalf("running info %+v", info)
	}
	if os, _ := e.d.GetOSType(ref); os != "exe" {
		t.Fatal(os)
	}
	if m, _ := e.d.GetMaxMemory(ref); m != 131072 {
		t.Fatal(m)
	}
}

func TestMemoryParameters(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	mt, err := e.d.GetMemoryParameters(ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	u := MemoryParamUnlimited
	if mt != (MemoryTune{u, u, u}) {
		t.Fatalf("inactive memtune %+v", mt)
	}
	_, err = e.d.GetMemoryParameters(ref, AffectLive)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
	if err := e.d.SetMemoryParameters(ref, MemoryTuneUpdate{SoftLimit: ptr[uint64](1000)}, AffectConfig); err != nil {
		t.Fatal(err)
	}
	x, _ := e.d.GetXML(ref, 0)
	if !strings.Contains(x, "<memtune>\n    <soft_limit unit='KiB'>1000</soft_limit>\n  </memtune>") {
		t.Fatalf("config:\n%s", x)
	}
	err = e.d.SetMemoryParameters(ref, MemoryTuneUpdate{HardLimit: ptr[uint64](5000), SwapHardLimit: ptr[uint64](4000)}, 0)
	wantErr(t, err, virerr.ErrInvalidArg, "invalid argument: memory hard_limit tunable value must be lower than or equal to swap_hard_limit")

	e.cg.stats = cgroups.Stats{MemoryLimit: 131072 * 1024, SwapLimit: cgroups.UnlimitedBytes}
	ref = e.start(ref)
	mt, _ = e.d.GetMemoryParameters(ref, 0)
	if mt != (MemoryTune{131072, 1000, u}) {
		t.Fatalf("live memtune %+v", mt)
	}
	if err := e.d.SetMemoryParameters(ref, MemoryTuneUpdate{HardLimit: ptr[uint64](65536)}, AffectLive); err != nil {
		t.Fatal(err)
	}
	if got := e.cg.sets[len(e.cg.sets)-1]; !reflect.DeepEqual(got, cgroups.Limits{HardLimitKiB: 65536}) {
		t.Fatalf("cgroup write %+v", got)
	}
	live, _ := e.d.GetXML(ref, 0)
	config, _ := e.d.GetXML(ref, XMLInactive)
	if !strings.Contains(live, "<hard_limit unit='KiB'>65536</hard_limit>") || strings.Contains(config, "hard_limit") {
		t.Fatalf("live:\n%s\nconfig:\n%s", live, config)
	}
}

func TestSetMemory(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	err := e.d.SetMemory(ref, 200000, 0)
	wantErr(t, err, virerr.ErrInvalidArg, "invalid argument: Cannot set memory higher than max memory")
	if err := e.d.SetMaxMemory(ref, 100000); err != nil {
		t.Fatal(err)
	}
	x, _ := e.d.GetXML(ref, 0)
	if !strings.Contains(x, "<memory unit='KiB'>100000</memory>\n  <currentMemory unit='KiB'>100000</currentMemory>") {
		t.Fatalf("config:\n%s", x)
	}
	ref = e.start(ref)
	err = e.d.SetMaxMemory(ref, 50000)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: Cannot resize the max memory on an active domain")
	if err := e.d.SetMemory(ref, 65536, AffectLive); err != nil {
		t.Fatal(err)
	}
	if got := e.cg.sets[len(e.cg.sets)-1]; !reflect.DeepEqual(got, cgroups.Limits{MemoryKiB: 65536}) {
		t.Fatalf("cgroup write %+v", got)
	}
	live, _ := e.d.GetXML(ref, 0)
	if !strings.Contains(live, "<currentMemory unit='KiB'>65536</currentMemory>") {
		t.Fatalf("live:\n%s", live)
	}
	e.cg.setErr = errors.New("no")
	err = e.d.SetMemory(ref, 1000, AffectLive)
	wantErr(t, err, virerr.ErrOperationFailed, "operation failed: Failed to set memory for domain")
}

func TestSchedulerParameters(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	// libvirt 9.0 crashes here; we answer from the config.
	p, err := e.d.GetSchedulerParameters(ref, 0)
	if err != nil || p != (SchedulerParams{}) {
		t.Fatalf("inactive schedinfo %+v, %v", p, err)
	}
	if typ, n, _ := e.d.SchedulerType(ref); typ != "posix" || n != 3 {
		t.Fatal(typ, n)
	}
	ref = e.start(ref)
	p, _ = e.d.GetSchedulerParameters(ref, 0)
	if p != (SchedulerParams{1024, 100000, -1}) {
		t.Fatalf("live schedinfo %+v", p)
	}
	if err := e.d.SetSchedulerParameters(ref, SchedulerUpdate{CPUShares: ptr[uint64](512)}, AffectLive); err != nil {
		t.Fatal(err)
	}
	p, _ = e.d.GetSchedulerParameters(ref, 0)
	if p != (SchedulerParams{512, 100000, -1}) {
		t.Fatalf("after set %+v", p)
	}
	err = e.d.SetSchedulerParameters(ref, SchedulerUpdate{VCPUPeriod: ptr[uint64](10)}, AffectLive)
	wantErr(t, err, virerr.ErrInvalidArg, "invalid argument: cfs_period '10' must be in range (1000, 1000000)")
	if err := e.d.SetSchedulerParameters(ref, SchedulerUpdate{VCPUQuota: ptr[int64](50000)}, AffectConfig); err != nil {
		t.Fatal(err)
	}
	p, _ = e.d.GetSchedulerParameters(ref, AffectConfig)
	if p != (SchedulerParams{0, 0, 50000}) {
		t.Fatalf("config schedinfo %+v", p)
	}
	err = e.d.SetSchedulerParameters(ref, SchedulerUpdate{}, 8)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x8) in function lxcDomainSetSchedulerParametersFlags")
}

func TestBlkio(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	b, _ := e.d.GetBlkioParameters(ref, 0)
	if b != (BlkioTune{}) {
		t.Fatalf("%+v", b)
	}
	// libvirt 9.0 stores a weight outside 100..1000 in the config too.
	for _, w := range []uint32{5, 500} {
		if err := e.d.SetBlkioWeight(ref, w, 0); err != nil {
			t.Fatal(err)
		}
		b, _ = e.d.GetBlkioParameters(ref, 0)
		if b.Weight != uint32(w) {
			t.Fatalf("weight %d: %+v", w, b)
		}
	}
}

func TestTransientConfigRefused(t *testing.T) {
	e := newEnv(t)
	ref, err := e.d.CreateXML([]byte(domXML("t1", uuid2)), 0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = e.d.SetMemory(ref, 1000, AffectConfig)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: transient domains do not have any persistent config")
}

func TestConsole(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	_, err := e.d.OpenConsole(ref, "", 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
	ref = e.start(ref)
	_, err = e.d.OpenConsole(ref, "", 1)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x1) in function lxcDomainOpenConsole")
	_, err = e.d.OpenConsole(ref, "console7", 0)
	wantErr(t, err, virerr.ErrInternalError, "internal error: cannot find console device 'console7'")
	for _, dev := range []string{"", "console0"} {
		s, err := e.d.OpenConsole(ref, dev, 0)
		if err != nil {
			t.Fatal(err)
		}
		peer := e.fl.consoles[len(e.fl.consoles)-1]
		go func() { _, _ = peer.Write([]byte("hi")) }()
		buf := make([]byte, 2)
		if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "hi" {
			t.Fatalf("read %q, %v", buf, err)
		}
		s.Close()
	}
}

func TestOpenNamespacesInactive(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	_, err := e.d.OpenNamespaces(ref, 0)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
	// Every namespace that opens is handed out, in libvirt's order, the
	// host's too (as virProcessGetNamespaces does).
	files := openNamespaces(os.Getpid())
	if len(files) != len(namespaceOrder) {
		t.Fatalf("%d namespaces, want %d", len(files), len(namespaceOrder))
	}
	for i, f := range files {
		if want := fmt.Sprintf("/proc/%d/ns/%s", os.Getpid(), namespaceOrder[i]); f.Name() != want {
			t.Errorf("namespace %d is %s, want %s", i, f.Name(), want)
		}
		f.Close()
	}
}

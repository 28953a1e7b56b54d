package virsh

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/xdr"
)

func TestScaleInteger(t *testing.T) {
	ok := map[string]uint64{
		"1": 1024, "1b": 1, "10bytes": 10, "1k": 1024, "1KiB": 1024, "1KB": 1000, "1kb": 1000,
		"2M": 2 << 20, "1MB": 1000000, "1G": 1 << 30, "1GiB": 1 << 30, "1T": 1 << 40, "1P": 1 << 50, "1E": 1 << 60,
		" 5": 5 * 1024, "0": 0,
	}
	for in, want := range ok {
		if got, err := ParseScaled(in, 1024, math.MaxUint64); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"12x": "invalid argument: unknown suffix 'x'", "1Kx": "invalid argument: unknown suffix 'Kx'",
		"16E": "numerical overflow: value too large: 16E", "abc": "", "-1": "", "": "",
	} {
		_, err := ParseScaled(in, 1024, math.MaxUint64)
		if err == nil {
			t.Errorf("%q accepted", in)
		} else if msg != "" && err.Error() != msg {
			t.Errorf("%q: %q, want %q", in, err, msg)
		}
	}
}

func TestMemtuneSize(t *testing.T) {
	for in, want := range map[string]uint64{"1024": 1024, "1M": 1024, "1500b": 2, "-1": MemoryParamUnlimited, "-5G": MemoryParamUnlimited, "0": 0} {
		if got, err := ParseMemtuneSize(in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"x", "1q", "9223372036854775807k"} {
		if _, err := ParseMemtuneSize(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestParseIntegers(t *testing.T) {
	if v, err := ParseInt(" -42"); err != nil || v != -42 {
		t.Errorf("ParseInt: %d %v", v, err)
	}
	for _, bad := range []string{"", "1x", "2147483648", "0x10"} {
		if _, err := ParseInt(bad); err == nil {
			t.Errorf("ParseInt(%q) accepted", bad)
		}
	}
	if _, err := ParseUint("-1"); err == nil {
		t.Error("ParseUint(-1) accepted")
	}
}

func TestTableRender(t *testing.T) {
	tb := NewTable("Id", "Name", "State")
	tb.Add("10323", "anchor-basic", "running")
	tb.Add("-", "b", "shut off")
	want := " Id      Name           State\n" +
		"----------------------------------\n" +
		" 10323   anchor-basic   running\n" +
		" -       b              shut off\n"
	if got := tb.Render(true); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := NewTable("Id", "Name", "State").Render(true); got != " Id   Name   State\n--------------------\n" {
		t.Errorf("empty table %q", got)
	}
	quiet := NewTable("Id", "Name", "State", "Title")
	quiet.Add("1", "a", "running", "")
	if got := quiet.Render(false); got != " 1   a   running   \n" {
		t.Errorf("quiet %q", got)
	}
	esc := NewTable("A")
	esc.Add("x\ty\\xz")
	if got := esc.Render(true); got != " A\n---------------\n x\\x09y\\x5cxz\n" {
		t.Errorf("escaped %q", got)
	}
}

func TestFormatNodeInfo(t *testing.T) {
	want := loadReference(t, "00-nodeinfo").want.stdout
	got := FormatNodeInfo(NodeInfo{Model: "x86_64", MemoryKiB: 5334812, CPUs: 2, MHz: 2596, Nodes: 1, Sockets: 1, Cores: 2, Thr: 1}) + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFormatParams(t *testing.T) {
	mem := []libvirt.TypedParam{ullongParam("hard_limit", 131072), ullongParam("soft_limit", MemoryParamUnlimited), ullongParam("swap_hard_limit", MemoryParamUnlimited)}
	if got, want := FormatParams(mem, true)+"\n", loadReference(t, "C1-memtune-running").want.stdout; got != want {
		t.Errorf("memtune:\n%s\nwant\n%s", got, want)
	}
	sched := []libvirt.TypedParam{ullongParam("cpu_shares", 1024), ullongParam("vcpu_period", 100000),
		{Field: "vcpu_quota", Value: libvirt.TypedParamValue{D: xdr.ParamLLong, I: int64(-1)}}}
	if got, want := "Scheduler      : posix\n"+FormatParams(sched, false)+"\n", loadReference(t, "C1-schedinfo-running").want.stdout; got != want {
		t.Errorf("schedinfo:\n%s\nwant\n%s", got, want)
	}
	other := []libvirt.TypedParam{
		{Field: "b", Value: libvirt.TypedParamValue{D: xdr.ParamBoolean, I: int32(1)}},
		{Field: "d", Value: libvirt.TypedParamValue{D: xdr.ParamDouble, I: 1.5}},
		{Field: "i", Value: libvirt.TypedParamValue{D: xdr.ParamInt, I: int32(-2)}},
	}
	if got := FormatParams(other, false); got != "b              : yes\nd              : 1.500000\ni              : -2\n" {
		t.Errorf("other types %q", got)
	}
}

func TestParamFromString(t *testing.T) {
	p, err := ParamFromString("cpu_shares", xdr.ParamULLong, "512")
	if err != nil || p.Value.I != uint64(512) {
		t.Errorf("%v %v", p, err)
	}
	for typ, want := range map[uint32]string{
		xdr.ParamInt: "expected int", xdr.ParamUint: "expected unsigned int", xdr.ParamLLong: "expected long long",
		xdr.ParamULLong: "expected unsigned long long", xdr.ParamDouble: "expected double",
	} {
		_, err := ParamFromString("f", typ, "abc")
		if err == nil || err.Error() != "invalid argument: Invalid value for field 'f': "+want {
			t.Errorf("type %d: %v", typ, err)
		}
	}
	if _, err := ParamFromString("f", xdr.ParamBoolean, "maybe"); err == nil || err.Error() != "invalid argument: Invalid boolean value for field 'f'" {
		t.Errorf("boolean: %v", err)
	}
}

func TestStateStrings(t *testing.T) {
	for _, c := range []struct {
		state, reason int
		want          string
	}{
		{stateRunning, 1, "running (booted)"}, {stateRunning, 5, "running (unpaused)"}, {statePaused, 1, "paused (user)"},
		{stateShutoff, 0, "shut off (unknown)"}, {stateShutoff, 1, "shut off (shutdown)"}, {stateShutoff, 2, "shut off (destroyed)"},
		{stateShutoff, 6, "shut off (failed)"}, {stateRunning, 99, "running (unknown)"}, {42, 0, "no state (unknown)"},
	} {
		if got := StateString(c.state) + " (" + ReasonString(c.state, c.reason) + ")"; got != c.want {
			t.Errorf("%d/%d: %q, want %q", c.state, c.reason, got, c.want)
		}
	}
}

// TestEventLines checks that every line of virsh's recorded event stream
// is one FormatLifecycle can produce, with virsh's timestamp format.
func TestEventLines(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(refDir, "10-events-lifecycle.log"))
	if err != nil {
		t.Fatal(err)
	}
	producible := map[string]bool{}
	for ev := range lifecycleEvents {
		for det := range lifecycleDetails[ev] {
			producible[FormatLifecycle("D", ev, det)] = true
		}
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: `)
	n := 0
	for _, l := range strings.Split(string(data), "\n") {
		if !stamp.MatchString(l) {
			continue
		}
		body := stamp.ReplaceAllString(l, "")
		if strings.HasPrefix(body, "event 'reboot'") {
			continue
		}
		i, j := strings.Index(body, "domain '")+8, strings.Index(body, "': ")
		if !producible[body[:i]+"D"+body[j:]+"\n"] {
			t.Errorf("cannot produce %q", body)
		}
		n++
	}
	if n < 40 {
		t.Errorf("only %d event lines checked", n)
	}
	if got := TimestampNow(time.Date(2026, 11, 28, 20, 40, 15, 220e6, time.UTC)); got != "2026-11-28 20:40:15.220+0000" {
		t.Errorf("timestamp %q", got)
	}
	if len(EventNames) != 27 {
		t.Errorf("%d event types, libvirt 9.0 has 27", len(EventNames))
	}
}

func TestXPath(t *testing.T) {
	doc := "<domain type='lxc' id='1'>\n  <name>a&amp;b</name>\n  <os>\n    <type arch='x86_64'>exe</type>\n    <initarg>it's</initarg>\n  </os>\n  <devices>\n    <console type='pty'/>\n  </devices>\n</domain>\n"
	for expr, want := range map[string]string{
		"//name":              "<name>a&amp;b</name>\n",
		"/domain/os":          "<os>\n  <type arch=\"x86_64\">exe</type>\n  <initarg>it's</initarg>\n</os>\n",
		"//console/@type":     " type=\"pty\"\n",
		"/domain/name/text()": "a&amp;b\n",
		"//devices/*[1]":      "<console type=\"pty\"/>\n",
		"//nosuch":            "",
	} {
		got, err := filterXPath(doc, expr, false)
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", expr, got, err, want)
		}
	}
	if got, _ := filterXPath(doc, "//os", true); got != "<nodes>\n  <os>\n    <type arch=\"x86_64\">exe</type>\n    <initarg>it's</initarg>\n  </os>\n</nodes>\n" {
		t.Errorf("wrap %q", got)
	}
	if _, err := filterXPath(doc, "count(//os)", false); err == nil {
		t.Error("unsupported expression accepted")
	}
}

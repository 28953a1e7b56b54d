package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"virtlxc/internal/testutil"
)

// reportEnv names the file prefix the report is written to (set by `make
// bench`: bench/results gives bench/results.json and bench/results.md).
// Unset (plain `go test`), nothing is written.
const reportEnv = "VIRTLXC_BENCH_REPORT"

// builtBinaries is the directory testutil.Binaries built into, if any.
var builtBinaries string

// helperEnv switches the test binary into a helper role (an init inside a
// container, a timer inside a private mount namespace); see helpers_test.go.
const helperEnv = "VIRTLXC_BENCH_HELPER"

func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		os.Exit(runHelper(role))
	}
	started := time.Now()
	load := loadavg()
	commit := treeVersion()
	code := m.Run()
	// testutil builds the binaries into a new temporary directory per
	// test process and leaves it; this package removes its own.
	if strings.HasPrefix(filepath.Base(builtBinaries), "virtlxc-bin-") {
		_ = os.RemoveAll(builtBinaries)
	}
	if prefix := os.Getenv(reportEnv); prefix != "" {
		if err := writeReport(prefix, started, load, commit); err != nil {
			fmt.Fprintln(os.Stderr, "bench report:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// run describes the machine and the moment of the run.
type run struct {
	Started   string   `json:"started"`
	Finished  string   `json:"finished"`
	Commit    string   `json:"commit"` // the tree measured (binaries are built from it)
	Kernel    string   `json:"kernel"`
	CPUs      int      `json:"cpus"`
	CPU       string   `json:"cpu"`
	MemTotal  string   `json:"mem_total"`
	LoadStart string   `json:"loadavg_start"`
	LoadEnd   string   `json:"loadavg_end"`
	Figures   []output `json:"figures"`
}

// output is a figure with its comparisons resolved.
type output struct {
	*figure
	Target   string    `json:"target,omitempty"`
	TargetOK *bool     `json:"target_met,omitempty"`
	Compared []compare `json:"compared,omitempty"`
}

// compare is one anchor figure and virtlxc's ratio to it.
type compare struct {
	Name   string  `json:"name"`
	Source string  `json:"source"` // "same run" or anchorsDate
	Median float64 `json:"median"`
	P25    float64 `json:"p25"`
	P75    float64 `json:"p75"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
	Ratio  float64 `json:"ratio"` // virtlxc median / anchor median
}

// maxSamples bounds the samples a figure keeps in results.json (the
// meminfo figure has tens of thousands).
const maxSamples = 2000

// writeReport writes prefix.json and prefix.md.
func writeReport(prefix string, started time.Time, load, commit string) error {
	figs := allFigures()
	if len(figs) == 0 {
		return nil
	}
	byKey := map[string]*figure{}
	for _, f := range figs {
		byKey[f.Key] = f
	}
	r := run{
		Started: started.UTC().Format(time.RFC3339), Finished: time.Now().UTC().Format(time.RFC3339), Commit: commit,
		Kernel: strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")), CPUs: runtime.NumCPU(),
		CPU: cpuModel(), MemTotal: memTotal(), LoadStart: load, LoadEnd: loadavg(),
	}
	for _, f := range figs {
		if len(f.Samples) > maxSamples {
			f.Omitted, f.Samples = len(f.Samples), nil // the summary stays
		}
		o := output{figure: f}
		if t, ok := targets[f.Key]; ok {
			met := f.Median <= t.Max
			o.Target, o.TargetOK = t.Text, &met
		}
		for _, c := range comparisons[f.Key] {
			if a, ok := byKey[c.SameRun]; ok && c.SameRun != "" {
				o.Compared = append(o.Compared, compare{Name: c.Name, Source: "same run",
					Median: a.Median, P25: a.P25, P75: a.P75, Min: a.Min, Max: a.Max, N: a.N, Ratio: f.Median / a.Median})
			} else if c.Ref != nil {
				x := c.Ref
				o.Compared = append(o.Compared, compare{Name: c.Name, Source: anchorsDate,
					Median: x.Median, P25: x.P25, P75: x.P75, Min: x.Min, Max: x.Max, N: x.N, Ratio: f.Median / x.Median})
			}
		}
		r.Figures = append(r.Figures, o)
	}
	js, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	if err := os.WriteFile(prefix+".json", append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := os.WriteFile(prefix+".md", []byte(markdown(r)), 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	abs, _ := filepath.Abs(prefix)
	fmt.Fprintf(os.Stderr, "bench report: %s.json, %s.md\n", abs, abs)
	return nil
}

// markdown renders the report as one table plus notes.
func markdown(r run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# virtlxc benchmark report\n\n")
	fmt.Fprintf(&b, "Run %s – %s of %s; %s, %d CPUs (%s), %s; load average at start %s, at end %s.\n\n",
		r.Started, r.Finished, r.Commit, "Linux "+r.Kernel, r.CPUs, r.CPU, r.MemTotal, r.LoadStart, r.LoadEnd)
	b.WriteString("Ratio = virtlxc median / anchor median (below 1: virtlxc faster or smaller). ")
	b.WriteString("Anchors marked † are from " + anchorsDate + ", not this run.\n\n")
	b.WriteString("| figure | tool | unit | n | median | p25–p75 | min–max | target | anchors (median, ratio) |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---|---|\n")
	var notes []string
	for _, o := range r.Figures {
		tgt := ""
		if o.TargetOK != nil {
			tgt = o.Target + map[bool]string{true: " met", false: " **missed**"}[*o.TargetOK]
		}
		var cs []string
		for _, c := range o.Compared {
			mark := ""
			if c.Source != "same run" {
				mark = "†"
			}
			cs = append(cs, fmt.Sprintf("%s%s %s (×%s)", c.Name, mark, num(c.Median), ratio(c.Ratio)))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s–%s | %s–%s | %s | %s |\n", o.Title, o.Tool, o.Unit, o.N,
			num(o.Median), num(o.P25), num(o.P75), num(o.Min), num(o.Max), tgt, strings.Join(cs, "; "))
		if o.Note != "" {
			notes = append(notes, "- "+o.Title+": "+o.Note)
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nNotes:\n\n" + strings.Join(notes, "\n") + "\n")
	}
	return b.String()
}

// num prints a figure with about three significant digits.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func ratio(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// treeVersion is the repository's commit, "+changes" when the working
// tree differs from it (the binaries measured are built from the tree).
func treeVersion() string {
	root := testutil.RepoRoot()
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	v := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		v += " +changes"
	}
	return v
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func loadavg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	for _, l := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func memTotal() string {
	return fmt.Sprintf("%.1f GiB RAM", float64(meminfoKiB("MemTotal"))/(1<<20))
}

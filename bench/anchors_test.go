package bench

// Each virtlxc figure's comparisons: the anchor measured in the same
// `make bench` run when there is one (SameRun, a figure key recorded by
// bench_libvirt_test.go or bench_sidebyside_test.go), else the figure from ../shared/anchors/RESULTS.md
// (run 2 of 2026-11-28, 20:33 UTC; medians, IQR and min–max as printed
// there), labelled as such in the report.

// anchorsDate is when the ../shared/anchors/RESULTS.md figures were taken.
const anchorsDate = "2026-11-28 20:33 UTC, ../shared/anchors/RESULTS.md run 2"

// ref is one anchor figure copied from ../shared/anchors/RESULTS.md.
type ref struct {
	Median, P25, P75, Min, Max float64
	N                          int
}

// comparison is one anchor a virtlxc figure is compared with.
type comparison struct {
	Name    string // e.g. "crun run -d"
	SameRun string // figure key measured in this run, if any
	Ref     *ref   // the anchors' figure (another day), if any
}

// target is issue 8's target for a figure: the median must be ≤ Max.
type target struct {
	Max  float64
	Text string
}

var targets = map[string]target{
	"api/start":             {5, "≤ 5 ms"},
	"api/run-to-exit":       {8, "≤ 8 ms"},
	"api/destroy":           {3, "≤ 3 ms"},
	"api/cycle":             {15, "≤ 15 ms"},
	"mem/controller-rss":    {4, "≤ 4 MiB"},
	"mem/controller-pss":    {1, "≤ 1 MiB"},
	"list/server/1000":      {2, "≤ 2 ms"},
	"density/start-total":   {10, "< 10 s"},
	"density/list-api-1000": {5, "≤ 5 ms"},
	"density/list-srv-1000": {5, "≤ 5 ms"},
}

var comparisons = map[string][]comparison{
	"meminfo/container": {{Name: "host /proc/meminfo (kernel)", SameRun: "meminfo/host"}},
	"virsh/uri":         {{Name: "virsh connect + uri (libvirt 9.0)", SameRun: "libvirt/virsh-uri", Ref: &ref{14.6, 13.9, 15.0, 11.8, 16.0, 40}}},
	"list/api/100":      {{Name: "libvirt 9.0", SameRun: "libvirt/list-api-100"}},
	"floor/true":        {{Name: "fork+exec /bin/true", Ref: &ref{0.5, 0.5, 0.6, 0.5, 0.7, 40}}},
	"floor/unshare": {{Name: "unshare --mount --uts --ipc --pid --fork",
		Ref: &ref{1.5, 1.5, 1.6, 1.4, 2.1, 40}}},
	"api/start": {
		{Name: "libvirt 9.0 API create", SameRun: "libvirt/start", Ref: &ref{46.3, 41.5, 49.6, 35.2, 66.4, 15}},
		{Name: "crun run -d", SameRun: "crun/start", Ref: &ref{7.0, 6.0, 13.9, 5.6, 25.8, 40}},
		{Name: "lxc-start (daemonized)", SameRun: "lxc/start", Ref: &ref{5.3, 5.0, 5.5, 4.7, 21.2, 40}},
	},
	"api/start-idle": {
		{Name: "crun run -d after 100 ms idle", SameRun: "crun/start-idle"},
		{Name: "lxc-start after 100 ms idle", SameRun: "lxc/start-idle"},
	},
	"virsh/start": {{Name: "virsh start (libvirt 9.0)", SameRun: "libvirt/virsh-start", Ref: &ref{54.5, 52.3, 56.9, 48.0, 65.2, 15}}},
	"api/run-to-exit": {
		{Name: "libvirt 9.0 API run-to-exit", SameRun: "libvirt/run-to-exit", Ref: &ref{241.9, 237.4, 244.6, 235.1, 255.3, 15}},
		{Name: "crun run", SameRun: "crun/run-to-exit", Ref: &ref{6.1, 6.0, 6.2, 5.8, 20.5, 40}},
		{Name: "lxc-start -F", SameRun: "lxc/run-to-exit", Ref: &ref{5.9, 5.8, 6.3, 5.6, 6.6, 40}},
	},
	"api/destroy": {
		{Name: "libvirt 9.0 API destroy", SameRun: "libvirt/destroy", Ref: &ref{203.0, 202.7, 203.1, 202.6, 203.4, 15}},
		{Name: "crun delete -f", SameRun: "crun/destroy", Ref: &ref{3.7, 3.5, 14.2, 3.3, 15.1, 40}},
		{Name: "lxc-stop -k", SameRun: "lxc/destroy", Ref: &ref{4.2, 3.9, 4.6, 3.6, 28.7, 40}},
	},
	"api/destroy-kept": {
		{Name: "the same, its controller serving it (destroy-idle)", SameRun: "api/destroy-idle"},
		{Name: "lxc-stop -k after as long idle", SameRun: "lxc/destroy-idle"},
		{Name: "lxc-stop -k (tight loop)", SameRun: "lxc/destroy"},
	},
	"api/destroy-idle": {
		{Name: "lxc-stop -k after as long idle", SameRun: "lxc/destroy-idle"},
	},
	"api/destroy-ignoring-term": {{Name: "libvirt 9.0 destroy, init ignores SIGTERM",
		SameRun: "libvirt/destroy-ignoring-term", Ref: &ref{1822.7, 1821.7, 1826.6, 1820.7, 1827.5, 15}}},
	"api/cycle": {{Name: "libvirt 9.0 API cycle (settle excluded)",
		SameRun: "libvirt/cycle", Ref: &ref{250.9, 245.5, 254.1, 239.8, 270.6, 15}}},
	"list/virsh/0":   {{Name: "virsh list --all, 0 defined (libvirt 9.0)", SameRun: "libvirt/virsh-list-0", Ref: &ref{15.7, 15.5, 16.0, 14.7, 21.0, 40}}},
	"list/virsh/100": {{Name: "virsh list --all, 100 defined (libvirt 9.0)", SameRun: "libvirt/virsh-list-100", Ref: &ref{27.8, 27.3, 28.5, 26.2, 36.5, 40}}},
	"mem/controller-rss": {
		{Name: "libvirt_lxc controller", SameRun: "libvirt/controller-rss", Ref: &ref{Median: 19.8, P25: 19.8, P75: 19.8, Min: 19.8, Max: 19.8, N: 10}},
		{Name: "lxc monitor", SameRun: "lxc/monitor-rss", Ref: &ref{Median: 2.83, P25: 2.83, P75: 2.83, Min: 2.83, Max: 2.83, N: 10}},
	},
	"density/start-total": {
		{Name: "lxc-start (daemonized), same count, 4 at a time (after virtlxc's rounds)", SameRun: "lxc/density-start"},
		{Name: "crun run -d, same count, 4 at a time (after virtlxc's rounds)", SameRun: "crun/density-start"},
	},
	"density/start-total-again": {
		{Name: "lxc-start, second round", SameRun: "lxc/density-start-again"},
		{Name: "crun run -d, second round", SameRun: "crun/density-start-again"},
	},
	"density/cpu-per-start": {
		{Name: "lxc-start", SameRun: "lxc/density-cpu-per-start"},
		{Name: "crun run -d", SameRun: "crun/density-cpu-per-start"},
	},
	"density/cpu-per-start-again": {
		{Name: "lxc-start, second round", SameRun: "lxc/density-cpu-per-start-again"},
		{Name: "crun run -d, second round", SameRun: "crun/density-cpu-per-start-again"},
	},
	"density/mem-used": {
		{Name: "lxc-start (a monitor per container)", SameRun: "lxc/density-mem-used"},
		{Name: "crun run -d (no process of its own)", SameRun: "crun/density-mem-used"},
	},
	"mem/controller-pss": {
		{Name: "libvirt_lxc controller", SameRun: "libvirt/controller-pss", Ref: &ref{Median: 3.70, P25: 3.70, P75: 3.70, Min: 3.70, Max: 3.70, N: 10}},
		{Name: "lxc monitor", SameRun: "lxc/monitor-pss", Ref: &ref{Median: 0.54, P25: 0.54, P75: 0.54, Min: 0.54, Max: 0.54, N: 10}},
	},
}

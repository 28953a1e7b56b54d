package nsenter

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cgroupMount is one mounted cgroup hierarchy.
type cgroupMount struct {
	point string   // where it is mounted
	root  string   // the hierarchy path mounted there
	v2    bool     // cgroup2
	keys  []string // v1 controllers and name=..., sorted
}

// v1Controllers are the controller names the kernel may list in a cgroup
// v1 mount's options.
var v1Controllers = []string{"cpuset", "cpu", "cpuacct", "blkio", "memory", "devices",
	"freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "debug"}

// parseCgroupMounts reads cgroup and cgroup2 mounts from mountinfo text.
func parseCgroupMounts(mountinfo []byte) []cgroupMount {
	var out []cgroupMount
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 || (g[0] != "cgroup" && g[0] != "cgroup2") {
			continue
		}
		m := cgroupMount{point: unescapeMount(f[4]), root: unescapeMount(f[3]), v2: g[0] == "cgroup2"}
		if !m.v2 {
			for _, o := range strings.Split(g[2], ",") {
				if slices.Contains(v1Controllers, o) || strings.HasPrefix(o, "name=") {
					m.keys = append(m.keys, o)
				}
			}
			slices.Sort(m.keys)
		}
		out = append(out, m)
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// resolveCgroupDirs maps the lines of /proc/PID/cgroup to directories of
// the mounted hierarchies, as libvirt's virCgroupNewDetect does; the
// name=systemd hierarchy is left out, as libvirt never moves tasks there.
func resolveCgroupDirs(procCgroup []byte, mounts []cgroupMount) []string {
	var dirs []string
	sc := bufio.NewScanner(bytes.NewReader(procCgroup))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		ctrl, path := parts[1], parts[2]
		if ctrl == "name=systemd" {
			continue
		}
		var keys []string
		if ctrl != "" {
			keys = strings.Split(ctrl, ",")
			slices.Sort(keys)
		}
		for _, m := range mounts {
			if m.v2 != (parts[0] == "0" && ctrl == "") || (!m.v2 && !slices.Equal(m.keys, keys)) {
				continue
			}
			rel := path
			if m.root != "/" {
				if path != m.root && !strings.HasPrefix(path, m.root+"/") {
					continue
				}
				rel = strings.TrimPrefix(path, m.root)
			}
			d := filepath.Join(m.point, rel)
			if !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
			break
		}
	}
	return dirs
}

// CgroupDirs returns the cgroup directories process pid ("self" or a
// number) belongs to, one per mounted hierarchy.
func CgroupDirs(pid string) ([]string, error) {
	pc, err := os.ReadFile(filepath.Join("/proc", pid, "cgroup"))
	if err != nil {
		return nil, &SetupError{Msg: "Unable to read the cgroups of process " + pid, Err: err}
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, &SetupError{Msg: "Unable to read mountinfo", Err: err}
	}
	return resolveCgroupDirs(pc, parseCgroupMounts(mi)), nil
}

// InitCapBnd returns the capability bounding set of the container init
// under the controller process ctrl: its child living in the pid
// namespace of pidNS (the link text, "pid:[N]").
func InitCapBnd(ctrl int, pidNS string) (uint64, error) {
	kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", ctrl, ctrl))
	if err != nil {
		return 0, err
	}
	for _, k := range strings.Fields(string(kids)) {
		ns, err := os.Readlink("/proc/" + k + "/ns/pid")
		if err != nil || ns != pidNS {
			continue
		}
		return capBnd("/proc/" + k + "/status")
	}
	return 0, fmt.Errorf("no child of %d in %s", ctrl, pidNS)
}

func capBnd(statusPath string) (uint64, error) {
	data, err := os.ReadFile(statusPath)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "CapBnd:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, fmt.Errorf("%s has no CapBnd", statusPath)
}

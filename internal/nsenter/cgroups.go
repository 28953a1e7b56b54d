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

// InitState is what lxc-enter-namespace copies from the container's init
// onto the command: every field can only be made stricter by the
// container, never looser (a bounding set only shrinks, no_new_privs and
// seccomp filters cannot be undone), so a hostile init cannot use it to
// loosen the command.
type InitState struct {
	// Pid is init's pid on the host.
	Pid int
	// CapBnd is init's capability bounding set.
	CapBnd uint64
	// Seccomp is true when init runs under seccomp filters (virtlxc's
	// default set is then installed on the command).
	Seccomp bool
	// NoNewPrivs is init's no_new_privs.
	NoNewPrivs bool
}

// ReadInitState finds the container's init, the child of controller ctrl
// (of any of its threads) in pid namespace pidNS ("pid:[…]"), and reads
// its state from the host's /proc.
func ReadInitState(ctrl int, pidNS string) (InitState, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", ctrl))
	if err != nil {
		return InitState{}, err
	}
	for _, t := range tasks {
		kids, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, k := range strings.Fields(string(kids)) {
			ns, err := os.Readlink("/proc/" + k + "/ns/pid")
			if err != nil || ns != pidNS {
				continue
			}
			st, err := readInitState("/proc/" + k + "/status")
			st.Pid, _ = strconv.Atoi(k)
			return st, err
		}
	}
	return InitState{}, fmt.Errorf("no child of %d in %s", ctrl, pidNS)
}

func readInitState(statusPath string) (InitState, error) {
	data, err := os.ReadFile(statusPath)
	if err != nil {
		return InitState{}, err
	}
	var st InitState
	var found int
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "CapBnd":
			if st.CapBnd, err = strconv.ParseUint(v, 16, 64); err != nil {
				return st, fmt.Errorf("%s: CapBnd: %w", statusPath, err)
			}
			found++
		case "Seccomp":
			st.Seccomp = v != "0"
		case "NoNewPrivs":
			st.NoNewPrivs = v == "1"
		}
	}
	if found == 0 {
		return st, fmt.Errorf("%s has no CapBnd", statusPath)
	}
	return st, nil
}

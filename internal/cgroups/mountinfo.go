package cgroups

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// selfCgroups is the parsed /proc/self/cgroup.
type selfCgroups struct {
	v1 map[string]string // controller list "cpu,cpuacct" -> path
	v2 string
}

func (s selfCgroups) isController(opt string) bool {
	for list := range s.v1 {
		if slices.Contains(strings.Split(list, ","), opt) {
			return true
		}
	}
	return false
}

func (s selfCgroups) pathFor(ctrls []string) string {
	for list, path := range s.v1 {
		if slices.Contains(strings.Split(list, ","), ctrls[0]) {
			return path
		}
	}
	return ""
}

func parseSelfCgroup(r io.Reader) (selfCgroups, error) {
	s := selfCgroups{v1: map[string]string{}}
	if r == nil {
		return s, nil
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		id, rest, ok1 := strings.Cut(sc.Text(), ":")
		ctrls, path, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 {
			continue
		}
		if id == "0" && ctrls == "" {
			s.v2 = path
		} else if ctrls != "" {
			s.v1[ctrls] = path
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("parse /proc/self/cgroup: %w", err)
	}
	return s, nil
}

// mountEntry holds the mountinfo fields this package needs.
type mountEntry struct {
	root, point, fstype, superOpts string
}

func parseMountinfo(r io.Reader) ([]mountEntry, error) {
	var out []mountEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			return nil, fmt.Errorf("parse mountinfo: malformed line %q", line)
		}
		e := mountEntry{root: unescapeOctal(f[3]), point: unescapeOctal(f[4]), fstype: g[0]}
		if len(g) >= 3 {
			e.superOpts = g[2]
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse mountinfo: %w", err)
	}
	return out, nil
}

// unescapeOctal undoes the kernel's \ooo escaping of mountinfo fields.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}

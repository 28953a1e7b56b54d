package cgroups

import (
	"fmt"
	"path"
	"strings"
)

// DefaultPartition is libvirt's default resource partition.
const DefaultPartition = "/machine"

// DriverSuffix is appended to a domain name to form its group name
// (libvirt: "<name>.libvirt-<driver>").
const DriverSuffix = ".libvirt-lxc"

// Naming says where container groups live in every hierarchy.
type Naming struct {
	// Partition is the resource partition (<resource><partition>); it must
	// be absolute. Empty means DefaultPartition.
	Partition string
	// Scope is an optional instance tag that keeps the groups of a private
	// daemon (--root) apart: when set, groups live in
	// <partition>/<scope>.partition/ instead of <partition>/.
	Scope string
}

// PartitionPath returns the partition's path relative to each hierarchy's
// root, after libvirt's rules: every component except a top-level
// "machine", "system" or "user" that has no '.' gets a ".partition"
// suffix, and components that could clash with cgroup files get a '_'
// prefix. The Scope, when set, is one more component.
func (n Naming) PartitionPath() (string, error) {
	p := n.Partition
	if p == "" {
		p = DefaultPartition
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("resource partition '%s' must start with '/'", p)
	}
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("resource partition %q contains a NUL byte", p)
	}
	if n.Scope != "" {
		if strings.ContainsAny(n.Scope, "/\x00") || n.Scope == "." || n.Scope == ".." {
			return "", fmt.Errorf("cgroup scope %q must be a single path component", n.Scope)
		}
		p = strings.TrimSuffix(p, "/") + "/" + n.Scope
	}
	tokens := strings.Split(p, "/")
	for i, t := range tokens {
		if i == 1 && (t == "machine" || t == "system" || t == "user") {
			continue
		}
		if t != "" && !strings.Contains(t, ".") {
			t += ".partition"
		}
		tokens[i] = escapeComponent(t)
	}
	return path.Clean(strings.Join(tokens, "/")), nil
}

// GroupPath returns the path of domain name's group relative to each
// hierarchy's root: <partition>/<name>.libvirt-lxc, escaped like libvirt.
func (n Naming) GroupPath(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") {
		return "", fmt.Errorf("invalid domain name %q for a cgroup", name)
	}
	part, err := n.PartitionPath()
	if err != nil {
		return "", err
	}
	return path.Join(part, escapeComponent(name+DriverSuffix)), nil
}

// escapeComponent prefixes '_' to a path component that starts with '_'
// or '.', with "cgroup.", or with "<controller>." (libvirt's
// virCgroupPartitionEscape), so it cannot clash with a control file.
func escapeComponent(s string) string {
	if s == "" {
		return s
	}
	if needsEscaping(s) {
		return "_" + s
	}
	return s
}

func needsEscaping(s string) bool {
	if strings.HasPrefix(s, "cgroup.") || s[0] == '_' || s[0] == '.' {
		return true
	}
	for _, c := range knownV1 {
		if strings.HasPrefix(s, c+".") {
			return true
		}
	}
	return false
}

// MachineName is libvirt's machine name for an LXC domain without
// systemd-machined (virDomainDriverGenerateMachineName): "lxc-<id>-<name>",
// id being the controller's pid, the name reduced to hostname characters
// (a '.' or '-' is kept only after another character), at most 64 bytes,
// no trailing '-' or '.'. The domain's group is <machine name>.libvirt-lxc.
func MachineName(id int, name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "lxc-%d-", id)
	skip := true
	for i := 0; i < len(name) && b.Len() < 64; i++ {
		c := name[i]
		if c == '.' || c == '-' {
			if !skip {
				b.WriteByte(c)
			}
			skip = true
			continue
		}
		skip = false
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return strings.TrimRight(b.String(), "-.")
}

// UnifiedRel is where group rel lives in hierarchy h of layout l. On a
// hybrid host the unified hierarchy, which carries no controller there,
// names a container's group after its controller's pid alone
// (lxc-<pid>.libvirt-lxc for lxc-<pid>-<name>.libvirt-lxc): a spare
// controller knows its pid before it knows its domain, and so can start
// the init stage inside that group (CLONE_INTO_CGROUP) instead of moving
// it there during the start. Every other hierarchy uses rel itself.
func (l *Layout) UnifiedRel(h *Hierarchy, rel string) string {
	if h == nil || h.Version != 2 || l.Mode != ModeHybrid {
		return rel
	}
	base := path.Base(rel)
	digits, rest, ok := strings.Cut(strings.TrimPrefix(base, "lxc-"), "-")
	if !strings.HasPrefix(base, "lxc-") || !ok || digits == "" || strings.Trim(digits, "0123456789") != "" ||
		!strings.HasSuffix(rest, DriverSuffix) {
		return rel
	}
	return path.Join(path.Dir(rel), "lxc-"+digits+DriverSuffix)
}

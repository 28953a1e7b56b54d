package containerinit

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"virtlxc/internal/virerr"
)

// identity is who init runs as: <inituser>/<initgroup> resolved through the
// container's own /etc/passwd and /etc/group.
type identity struct {
	set      bool // an inituser or initgroup was given
	uid, gid int
	groups   []int
}

// dbEntry is one line of /etc/passwd or /etc/group, split on ':'.
type dbEntry []string

func readDB(path string) ([]dbEntry, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	var out []dbEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out, sc.Err()
}

// lookupID resolves a name or number ("+N" forces a number) in a database
// whose third field is the id. It returns the id and the matching entry.
func lookupID(db []dbEntry, who string) (int, dbEntry, bool) {
	if strings.HasPrefix(who, "+") {
		n, err := strconv.Atoi(who[1:])
		return n, nil, err == nil && n >= 0
	}
	for _, e := range db {
		if len(e) > 2 && e[0] == who {
			n, err := strconv.Atoi(e[2])
			return n, e, err == nil
		}
	}
	if n, err := strconv.Atoi(who); err == nil && n >= 0 {
		for _, e := range db {
			if len(e) > 2 && e[2] == who {
				return n, e, true
			}
		}
		return n, nil, true
	}
	return 0, nil, false
}

func lookupIdentity(user, group string) (identity, error) {
	id := identity{}
	if user == "" && group == "" {
		return id, nil
	}
	id.set = true
	passwd, err := readDB("/etc/passwd")
	if err != nil {
		return id, err
	}
	groups, err := readDB("/etc/group")
	if err != nil {
		return id, err
	}
	name := ""
	if user != "" {
		uid, e, ok := lookupID(passwd, user)
		if !ok {
			return id, virerr.New(virerr.ErrInternalError, virerr.FromLXC, "User %s doesn't exist", user)
		}
		id.uid = uid
		if e != nil {
			name = e[0]
			if len(e) > 3 {
				id.gid, _ = strconv.Atoi(e[3])
			}
		}
	}
	if group != "" {
		gid, _, ok := lookupID(groups, group)
		if !ok {
			return id, virerr.New(virerr.ErrInternalError, virerr.FromLXC, "Group %s doesn't exist", group)
		}
		id.gid = gid
	}
	id.groups = []int{id.gid}
	if name != "" {
		for _, g := range groups {
			if len(g) < 4 {
				continue
			}
			for _, member := range strings.Split(g[3], ",") {
				if member == name {
					if n, err := strconv.Atoi(g[2]); err == nil && n != id.gid {
						id.groups = append(id.groups, n)
					}
				}
			}
		}
	}
	return id, nil
}

// apply switches this thread to the identity just before the capability
// drop and exec. The thread keeps its permitted capabilities across the
// switch (PR_SET_KEEPCAPS) and raises them again as effective, so that
// the drop that follows may still change the bounding set.
func (id identity) apply() error {
	if !id.set {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return virerr.Sys(err, "Unable to keep capabilities across the uid switch")
	}
	if err := unix.Setgroups(id.groups); err != nil {
		return virerr.Sys(err, "Unable to set supplementary groups")
	}
	if err := unix.Setresgid(id.gid, id.gid, id.gid); err != nil {
		return virerr.Sys(err, "Unable to set gid %d", id.gid)
	}
	if err := unix.Setresuid(id.uid, id.uid, id.uid); err != nil {
		return virerr.Sys(err, "Unable to set uid %d", id.uid)
	}
	if err := raiseEffective(); err != nil {
		return virerr.Sys(err, "Unable to restore capabilities after the uid switch")
	}
	return unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0)
}

// raiseEffective makes this thread's effective capabilities its permitted
// ones (a uid switch away from 0 clears the effective set).
func raiseEffective() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	for i := range data {
		data[i].Effective = data[i].Permitted
	}
	return unix.Capset(&hdr, &data[0])
}

package cgroups

import (
	"fmt"

	"github.com/opencontainers/cgroups/devices/config"
)

// DeviceRule is one device access rule. It is the rule type of
// github.com/opencontainers/cgroups/devices, which applies the rules on v2.
type DeviceRule = config.Rule

// Device numbers of the nodes libvirt's LXC driver prepares in /dev.
const (
	memMajor     = 1 // null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9
	ttyMajor     = 5 // tty 5:0, console 5:1 (never allowed), ptmx 5:2
	ptsMajor     = 136
	miscMajor    = 10
	fuseMinor    = 229
	wildcardPerm = "rwm"
)

// DevicePolicy is the input of DeviceRules.
type DevicePolicy struct {
	// Mknod is <capabilities><mknod state='on'/>: mknod of any block or
	// character device is allowed (access still needs a rule).
	Mknod bool
	// Extra are the rules for the domain's disks, block filesystems and
	// host devices, in XML order (see DiskRule, BlockFilesystemRule and
	// HostdevRule).
	Extra []*DeviceRule
	// Timers are the rules for <timer name='rtc'/'hpet'> whose host nodes
	// exist (see TimerRule).
	Timers []*DeviceRule
}

// IsDefault reports whether p asks for libvirt's default ACL only (what
// CreateSpare writes).
func (p DevicePolicy) IsDefault() bool {
	return !p.Mknod && len(p.Extra) == 0 && len(p.Timers) == 0
}

// DeviceRules returns the device ACL of spec §2.12.2 in libvirt's order:
// deny everything; with mknod allow "b *:* m" and "c *:* m"; allow null,
// zero, full, random, urandom, tty, ptmx and fuse (10:229) with rwm; the
// Extra rules; every pty slave (136:*); the Timers rules. /dev/console
// (5:1) is never allowed.
func DeviceRules(p DevicePolicy) []*DeviceRule {
	rules := []*DeviceRule{{Type: config.WildcardDevice, Major: config.Wildcard, Minor: config.Wildcard, Permissions: wildcardPerm, Allow: false}}
	if p.Mknod {
		rules = append(rules,
			charOrBlock(config.BlockDevice, config.Wildcard, config.Wildcard, "m"),
			charOrBlock(config.CharDevice, config.Wildcard, config.Wildcard, "m"))
	}
	for _, n := range [][2]int64{{memMajor, 3}, {memMajor, 5}, {memMajor, 7}, {memMajor, 8}, {memMajor, 9},
		{ttyMajor, 0}, {ttyMajor, 2}, {miscMajor, fuseMinor}} {
		rules = append(rules, charOrBlock(config.CharDevice, n[0], n[1], "rwm"))
	}
	rules = append(rules, p.Extra...)
	rules = append(rules, charOrBlock(config.CharDevice, ptsMajor, config.Wildcard, "rwm"))
	return append(rules, p.Timers...)
}

// DiskRule allows a <disk> backed by a local block device: "b MAJ:MIN rm"
// when read-only, else "b MAJ:MIN rwm".
func DiskRule(major, minor int64, readonly bool) *DeviceRule {
	if readonly {
		return charOrBlock(config.BlockDevice, major, minor, "rm")
	}
	return charOrBlock(config.BlockDevice, major, minor, "rwm")
}

// BlockFilesystemRule allows the device behind a <filesystem type='block'>
// (or a loop/nbd-backed one): "b MAJ:MIN r" when read-only, else "rw";
// libvirt grants no mknod here.
func BlockFilesystemRule(major, minor int64, readonly bool) *DeviceRule {
	if readonly {
		return charOrBlock(config.BlockDevice, major, minor, "r")
	}
	return charOrBlock(config.BlockDevice, major, minor, "rw")
}

// TimerRule allows reading a timer node (/dev/rtc0 or /dev/hpet):
// "c MAJ:MIN r".
func TimerRule(major, minor int64) *DeviceRule {
	return charOrBlock(config.CharDevice, major, minor, "r")
}

// HostdevRule allows a host device: typ is 'b' or 'c', major and minor are
// numbers or -1 for any, perms is a non-empty subset of "rwm" (libvirt uses
// "rwm" for USB, storage and misc hostdevs).
func HostdevRule(typ byte, major, minor int64, perms string) (*DeviceRule, error) {
	t := config.Type(typ)
	if t != config.BlockDevice && t != config.CharDevice {
		return nil, fmt.Errorf("device rule type %q must be 'b' or 'c'", typ)
	}
	if major < config.Wildcard || minor < config.Wildcard {
		return nil, fmt.Errorf("device rule %d:%d has a negative number", major, minor)
	}
	for _, c := range perms {
		if c != 'r' && c != 'w' && c != 'm' {
			perms = ""
			break
		}
	}
	p := config.Permissions("").Union(config.Permissions(perms)) // canonical "rwm" order
	if p.IsEmpty() {
		return nil, fmt.Errorf("device rule permissions must be a non-empty subset of \"rwm\"")
	}
	return charOrBlock(t, major, minor, string(p)), nil
}

func charOrBlock(t config.Type, major, minor int64, perms string) *DeviceRule {
	return &DeviceRule{Type: t, Major: major, Minor: minor, Permissions: config.Permissions(perms), Allow: true}
}

// V1Write returns the devices-controller file and the line cgroup v1
// receives for r, exactly as libvirt writes it: "devices.deny" with "a"
// for the deny-all rule, otherwise devices.allow or devices.deny with
// "TYPE MAJ:MIN PERMS".
func V1Write(r *DeviceRule) (file, line string) {
	file = "devices.deny"
	if r.Allow {
		file = "devices.allow"
	}
	if r.Type == config.WildcardDevice {
		return file, "a"
	}
	return file, r.CgroupString()
}

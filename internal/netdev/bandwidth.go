package netdev

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/spec"
)

// bandwidthOf is an interface's <bandwidth> as a spec, nil for none.
// floor (a guaranteed minimum, which libvirt's network driver shares out
// on a network's bridge) is refused.
func bandwidthOf(b *libvirtxml.DomainInterfaceBandwidth) (*spec.Bandwidth, error) {
	if b == nil {
		return nil, nil
	}
	rate := func(p *libvirtxml.DomainInterfaceBandwidthParams) *spec.Rate {
		if p == nil || p.Average == nil || *p.Average <= 0 {
			return nil
		}
		r := &spec.Rate{Average: uint64(*p.Average)}
		if p.Peak != nil && *p.Peak > 0 {
			r.Peak = uint64(*p.Peak)
		}
		if p.Burst != nil && *p.Burst > 0 {
			r.Burst = uint64(*p.Burst)
		}
		return r
	}
	if b.Inbound != nil && b.Inbound.Floor != nil && *b.Inbound.Floor > 0 {
		return nil, cfgErr("'floor' (a guaranteed minimum bandwidth) is not supported on container interfaces")
	}
	out := &spec.Bandwidth{In: rate(b.Inbound), Out: rate(b.Outbound)}
	if out.In == nil && out.Out == nil {
		return nil, nil
	}
	return out, nil
}

// BandwidthCommands are the tc(8) command lines (without "tc") that set bw
// on dev, as libvirt's virNetDevBandwidthSet runs them: the side dev
// transmits is shaped (htb class with an sfq leaf), the side it receives
// is policed (ingress u32 filter dropping over the rate). swapped puts
// the inbound side on dev's transmit side. hierarchical (a network's
// bridge) puts the shaping class under a parent class holding the whole
// rate, as libvirt does to make room for guaranteed minimums.
func BandwidthCommands(dev string, bw *spec.Bandwidth, swapped, hierarchical bool) [][]string {
	if bw == nil {
		return nil
	}
	rx, tx := bw.In, bw.Out
	if swapped {
		rx, tx = bw.Out, bw.In
	}
	var cmds [][]string
	if tx != nil && tx.Average > 0 {
		parent, leaf, dflt := "1:", "1:1", "1"
		cmds = append(cmds, []string{"qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "1"})
		if hierarchical {
			parent, leaf, dflt = "1:1", "1:2", "2"
			cmds[0][len(cmds[0])-1] = dflt
			ceil := tx.Average
			if tx.Peak > 0 {
				ceil = tx.Peak
			}
			cmds = append(cmds, []string{"class", "add", "dev", dev, "parent", "1:", "classid", "1:1", "htb",
				"rate", kbps(tx.Average), "ceil", kbps(ceil), "quantum", fmt.Sprint(quantum(tx.Average))})
		}
		class := []string{"class", "add", "dev", dev, "parent", parent, "classid", leaf, "htb", "rate", kbps(tx.Average)}
		if tx.Peak > 0 {
			class = append(class, "ceil", kbps(tx.Peak))
		}
		if tx.Burst > 0 {
			class = append(class, "burst", fmt.Sprintf("%dkb", tx.Burst))
		}
		cmds = append(cmds,
			append(class, "quantum", fmt.Sprint(quantum(tx.Average))),
			[]string{"qdisc", "add", "dev", dev, "parent", leaf, "handle", "2:", "sfq", "perturb", "10"},
			[]string{"filter", "add", "dev", dev, "parent", "1:0", "protocol", "all", "prio", "1", "handle", "1", "fw", "flowid", "1"})
	}
	if rx != nil {
		burst := rx.Burst
		if burst == 0 {
			// tc keeps the burst in bytes in 32 bits.
			burst = min(rx.Average, (1<<32-1)/1024)
		}
		cmds = append(cmds,
			[]string{"qdisc", "add", "dev", dev, "ingress"},
			[]string{"filter", "add", "dev", dev, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
				"police", "rate", kbps(rx.Average), "burst", fmt.Sprintf("%dkb", burst), "mtu", "64kb", "drop", "flowid", ":1"})
	}
	return cmds
}

// kbps is a rate in tc's kilobytes per second.
func kbps(v uint64) string { return fmt.Sprintf("%dkbps", v) }

// quantum is libvirt's htb quantum for a rate: the bytes per round that
// make the default r2q right for a 1500-byte MTU, at least 1.
func quantum(average uint64) uint64 {
	return max(average*1024/8/1500, 1)
}

// SetBandwidth applies bw to dev (BandwidthCommands), after removing the
// device's root and ingress queueing disciplines; a failure removes them
// again.
func SetBandwidth(dev string, bw *spec.Bandwidth, swapped, hierarchical bool) error {
	cmds := BandwidthCommands(dev, bw, swapped, hierarchical)
	if len(cmds) == 0 {
		return nil
	}
	tc, err := exec.LookPath("tc")
	if err != nil {
		return fmt.Errorf("setting bandwidth on %s: tc (iproute2) is needed: %w", dev, err)
	}
	ClearBandwidth(dev)
	for _, args := range cmds {
		out, err := exec.Command(tc, args...).CombinedOutput()
		if err == nil {
			continue
		}
		ClearBandwidth(dev)
		// libvirt's virCommandRun message, with tc's own explanation.
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("Child process (tc %s) unexpected exit status %d: %s", strings.Join(args, " "), ee.ExitCode(), strings.TrimSpace(string(out)))
		}
		return fmt.Errorf("running tc %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// ClearBandwidth removes what SetBandwidth set on dev (nothing to remove
// is no error).
func ClearBandwidth(dev string) {
	tc, err := exec.LookPath("tc")
	if err != nil {
		return
	}
	for _, which := range []string{"root", "ingress"} {
		var ee *exec.ExitError
		if err := exec.Command(tc, "qdisc", "del", "dev", dev, which).Run(); err != nil && !errors.As(err, &ee) {
			return
		}
	}
}

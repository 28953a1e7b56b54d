#!/usr/bin/env python3
"""timeline.py TRACE: medians (p25-p75) of where each operation of a
trace-timeline.sh recording spends its time, in ms from the operation's
start (OPB marker). The init stage is the process that calls pivot_root
in the operation; its exec of init, init's exit and the first and last
removal of a claimed container's cgroup (lxc-PID-NAME.libvirt-lxc) are
located from there."""
import re, statistics, sys

RX = re.compile(r'^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): ([a-z_]+)( ->|[:(])\s*(.*)$')


def events(path):
    for line in open(path):
        m = RX.match(line)
        if m:
            yield (float(m.group(3)) * 1000, int(m.group(2)), m.group(4),
                   m.group(5).strip() == '->', m.group(6))


def operations(evs):
    ops = []
    for e in evs:
        if e[2] == 'tracing_mark_write' and e[4].startswith('OPB'):
            ops.append([e])
        elif ops:
            ops[-1].append(e)
    return ops


def steps(op):
    t0, d, stage = op[0][0], {}, None
    for t, pid, name, ret, args in op:
        if name == 'sys_pivot_root' and not ret and stage is None:
            stage = pid
    for t, pid, name, ret, args in op:
        t -= t0
        if name == 'tracing_mark_write':
            if args.startswith('OPR'):
                d.setdefault('reply (OPR)', t)
            if args.startswith('OPE'):
                d.setdefault('end (OPE)', t)
                break
        if pid == stage:
            if name == 'sys_unshare' and not ret and 'ns' not in d:
                d['ns'] = t
            if name == 'sys_unshare' and '0x2000000' in args:
                d.setdefault('cgroup ns', t)
            if name == 'sys_pivot_root' and not ret:
                d.setdefault('pivot', t)
            if name == 'sys_umount' and 'pivot' in d:
                d.setdefault('umount ret' if ret else 'umount', t)
            if name == 'sys_seccomp' and 'pivot' in d:
                if ret:
                    d['seccomp ret'] = t
                else:
                    d.setdefault('seccomp', t)
            if name == 'sys_execve' and 'pivot' in d:
                d.setdefault('execve', t)
            if name == 'sched_process_exec' and 'execve' in d:
                d.setdefault('exec done', t)
            if name == 'sched_process_exit' and 'group_dead=true' in args and 'exec done' in d:
                d.setdefault('init exit', t)
        if name == 'cgroup_rmdir' and re.search(r'lxc-\d+-[^/]+\.libvirt-lxc', args):
            d.setdefault('first rmdir', t)
            d['last rmdir'] = t
    return d


def main():
    rows = [steps(op) for op in operations(events(sys.argv[1]))]
    keys = []
    for r in rows:
        for k in sorted(r, key=r.get):
            if k not in keys:
                keys.append(k)
    print(f'{len(rows)} operations')
    med = {}
    for k in keys:
        v = sorted(r[k] for r in rows if k in r)
        med[k] = statistics.median(v)
    for k in sorted(keys, key=med.get):
        v = sorted(r[k] for r in rows if k in r)
        print(f'{k:14s} n={len(v):3d} {med[k]:6.2f}  ({v[len(v) // 4]:.2f}-{v[3 * len(v) // 4]:.2f})')
    for a, b in [('umount', 'umount ret'), ('seccomp', 'seccomp ret'), ('execve', 'exec done'), ('pivot', 'execve')]:
        v = sorted(r[b] - r[a] for r in rows if a in r and b in r)
        if v:
            print(f'{a} -> {b}: {statistics.median(v):.3f} ({v[len(v) // 4]:.3f}-{v[3 * len(v) // 4]:.3f})')


main()

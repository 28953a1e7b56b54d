#!/bin/bash
# trace-timeline.sh OUT BENCH N: runs `go test -bench BENCH -benchtime Nx`
# of ./bench (run from the repository's root) with a tracefs recording of
# the kernel events a start and a run-to-exit go through (stage namespaces,
# pivot, old root's detach, seccomp, exec, exits, cgroup mkdir/rmdir), cut
# into operations by the benchmark's trace markers (VIRTLXC_BENCH_TRACE).
# The recording goes to OUT; timeline.py OUT summarises it. tracefs is put
# back as it was found (events off, buffer size, clock) at the end.
set -euo pipefail
out=$1 bench=$2 n=${3:-40}
T=/sys/kernel/tracing
events="sched/sched_process_exec sched/sched_process_exit sched/sched_process_fork
cgroup/cgroup_rmdir cgroup/cgroup_mkdir syscalls/sys_enter_execve
syscalls/sys_enter_exit_group syscalls/sys_enter_pivot_root syscalls/sys_exit_pivot_root
syscalls/sys_enter_unshare syscalls/sys_enter_umount syscalls/sys_exit_umount
syscalls/sys_enter_seccomp syscalls/sys_exit_seccomp"
size=$(cat $T/buffer_size_kb) clock=$(sed 's/.*\[\(.*\)\].*/\1/' $T/trace_clock) on=$(cat $T/tracing_on)
restore() {
    echo 0 > $T/tracing_on
    for e in $events; do echo 0 > $T/events/$e/enable; done
    echo > $T/trace
    echo "$size" > $T/buffer_size_kb
    echo "$clock" > $T/trace_clock
    echo "$on" > $T/tracing_on
}
trap restore EXIT
go test -c -o "$out.test" ./bench/
echo 0 > $T/tracing_on
echo > $T/trace
echo 16384 > $T/buffer_size_kb
echo mono > $T/trace_clock
for e in $events; do echo 1 > $T/events/$e/enable; done
echo 1 > $T/tracing_on
(cd bench && VIRTLXC_BENCH_TRACE=1 "$out.test" -test.run '^$' -test.bench "$bench" -test.benchtime "${n}x") | tee "$out.bench"
echo 0 > $T/tracing_on
cp $T/trace "$out"
rm -f "$out.test"

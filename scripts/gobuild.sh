#!/usr/bin/env bash
# gobuild.sh OUTDIR CGO PKG...: builds PKG… into OUTDIR/ the way virtlxc is
# shipped. The Makefile and the tests (internal/testutil.GoBuild) both use it,
# so that tests and benchmarks run what `make install` installs.
#
# CGO=0 builds are static. They are also built without Go 1.26's Green Tea
# garbage collector (GOEXPERIMENT=nogreenteagc): it keeps mark bits at the end
# of every small-object span, which touches one more page per span. An idle
# controller never collects (its heap stays under the runtime's 4 MiB first
# goal), so it pays for the bits and never uses them: 75 KiB of anonymous
# memory per container, 4.7 % (bench/README.md, "idle memory").
set -euo pipefail
umask 022 # 0755 binaries whatever the caller's umask (a test's mapped root execs them)
out=$1 cgo=$2
shift 2
flags=(-trimpath -ldflags '-s -w' -o "$out/")
if [ "$cgo" = 0 ]; then
    CGO_ENABLED=0 GOEXPERIMENT=nogreenteagc exec ${GO:-go} build "${flags[@]}" "$@"
fi
CGO_ENABLED=1 exec ${GO:-go} build "${flags[@]}" "$@"

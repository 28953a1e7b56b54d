package bench

import (
	"os/exec"
	"testing"

	"virtlxc/internal/testutil"
)

// The kernel floor, measured in the same run as virtlxc's figures so the
// ratios in README.md compare like with like (issue 8, figure 8).

// BenchmarkFloorTrue is fork+exec+wait of /bin/true: no container can
// start faster than this.
func BenchmarkFloorTrue(b *testing.B) {
	fig := record("floor/true", "floor", "ms", "floor: fork+exec+wait /bin/true")
	for i := 0; i < b.N; i++ {
		if err := fig.timeOp(exec.Command("/bin/true").Run); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorUnshare is `unshare --mount --uts --ipc --pid --fork
// /bin/true`: the namespaces a virtlxc container gets, without cgroups,
// /dev, mounts or the API.
func BenchmarkFloorUnshare(b *testing.B) {
	testutil.RequireRoot(b)
	fig := record("floor/unshare", "floor", "ms", "floor: unshare --mount --uts --ipc --pid --fork /bin/true")
	for i := 0; i < b.N; i++ {
		cmd := exec.Command("unshare", "--mount", "--uts", "--ipc", "--pid", "--fork", "/bin/true")
		if err := fig.timeOp(cmd.Run); err != nil {
			b.Fatalf("unshare: %v", err)
		}
	}
}

package containerinit

import (
	"reflect"
	"testing"
)

func TestOutermostMounts(t *testing.T) {
	const mi = `22 1 254:0 / / rw - ext4 /dev/vda rw
30 22 0:5 / /r/proc rw - proc proc rw
31 30 0:6 / /r/proc/sys/fs/binfmt_misc rw - binfmt_misc x rw
32 22 0:7 / /r/sys rw - sysfs sysfs rw
33 32 0:8 / /r/sys/fs/cgroup rw - tmpfs tmpfs rw
34 33 0:9 / /r/sys/fs/cgroup/cpu rw - cgroup cgroup rw
35 22 0:10 / /r/dev rw - devtmpfs udev rw
36 35 0:11 / /r/dev rw - tmpfs stacked rw
37 22 0:12 / /r/run\040x rw - tmpfs t rw
38 22 0:13 / /r/run/netns rw - tmpfs t rw
39 38 0:14 / /r/run/netns/a rw - nsfs t rw
40 22 0:15 / /r/runner rw - tmpfs t rw
41 22 0:16 / /r/mnt rw - tmpfs t rw
`
	got := outermostMounts(mi, []string{"/r/proc", "/r/sys", "/r/dev", "/r/run"})
	want := []string{"/r/dev", "/r/proc", "/r/run/netns", "/r/sys"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outermostMounts = %q, want %q", got, want)
	}
	if got := outermostMounts(mi, []string{"/nothing"}); len(got) != 0 {
		t.Errorf("outermostMounts(/nothing) = %q", got)
	}
}

func TestHostRootChildren(t *testing.T) {
	const mi = `22 1 254:0 / / rw - ext4 /dev/vda rw
23 22 254:1 / / rw - ext4 stacked rw
30 23 0:5 / /proc rw - proc proc rw
31 30 0:6 / /proc/sys/fs/binfmt_misc rw - binfmt_misc x rw
32 23 0:7 / /sys rw - sysfs sysfs rw
33 32 0:8 / /sys/fs/cgroup rw - tmpfs tmpfs rw
35 23 0:10 / /dev rw - devtmpfs udev rw
37 23 0:12 / /run rw - tmpfs t rw
38 23 0:13 / /run/netns rw - tmpfs t rw
40 23 0:15 / /runner rw - tmpfs t rw
41 22 0:16 / /mnt rw - tmpfs t rw
42 41 0:17 / /mnt/inner rw - tmpfs t rw
43 23 0:18 / /mnt rw - tmpfs stacked rw
44 23 0:19 / /home\040x rw - ext4 h rw
`
	got := hostRootChildren(mi)
	want := []string{"/home x", "/mnt", "/runner"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hostRootChildren = %q, want %q", got, want)
	}
}

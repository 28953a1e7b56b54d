package driver

import (
	"reflect"
	"testing"

	"virtlxc/internal/domainxml"
)

// TestHostRootFS: the implicit root filesystem is what libvirt's XML for it
// parses to.
func TestHostRootFS(t *testing.T) {
	var want domainxml.Filesystem
	if err := want.Unmarshal(`<filesystem type='mount'><source dir='/'/><target dir='/'/></filesystem>`); err != nil {
		t.Fatal(err)
	}
	if got := hostRootFS(); !reflect.DeepEqual(got, want) {
		t.Errorf("hostRootFS() = %+v, want %+v", got, want)
	}
}

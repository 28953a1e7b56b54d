package controller

import (
	"path/filepath"
	"testing"
)

// TestAttachLoopMissingImage: a missing image file fails as libvirt's
// virFileLoopDeviceAssociate words it (strerror's text, the path once).
func TestAttachLoopMissingImage(t *testing.T) {
	img := filepath.Join(t.TempDir(), "nope.img")
	_, err := attachLoop(img, false)
	if want := "Unable to open " + img + ": No such file or directory"; err == nil || err.Error() != want {
		t.Fatalf("attachLoop = %v, want %q", err, want)
	}
}

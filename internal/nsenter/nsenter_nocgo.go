//go:build !(linux && cgo)

package nsenter

// Available reports whether the re-exec helper is built in: not without
// cgo.
const Available = false

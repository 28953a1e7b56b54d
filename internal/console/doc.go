// Package console provides the container consoles of the per-container
// controller: pseudo-terminals allocated from a given devpts instance (each
// container has its own, mounted with newinstance,ptmxmode=0666, so the host's
// /dev/ptmx must not be assumed), terminal mode and size helpers, and Relay,
// which keeps a console's output flowing while no client is attached and
// hands it, with a bounded backlog, to the client that attaches.
//
// Unlike libvirt's controller, whose 1 KiB relay buffers make a container's
// console writes block while nobody is attached, a Relay never blocks the
// container: output that nobody reads is kept up to the backlog size, oldest
// bytes dropped first.
package console

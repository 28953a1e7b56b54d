// Package rpc is the root of virtlxc's implementation of libvirt's remote
// RPC protocol, split by concern:
//
//   - xdr: a reflection-based XDR codec for go-libvirt's exported protocol
//     structs, with bounded decoding;
//   - wire: packet framing, the header, remote_error and fd passing
//     (SCM_RIGHTS, one fd per sendmsg, as libvirt does);
//   - proto: program and procedure numbers with their names, features,
//     the few args structs go-libvirt lacks, and the read-only allow-list;
//   - server: the daemon side (listeners, per-connection reader and writer,
//     a data-driven dispatch table, keepalive, streams, events);
//   - client: a small client for virtlxc's own CLI and for tests.
//
// A handler author needs only server, proto and go-libvirt's structs; the
// wire and xdr details stay below the dispatcher.
package rpc

// Package virsh is virtlxc's client command line: the container subset of
// virsh's commands, with virsh's option parser (options given by name or
// position, "--" ending them, "--help"), its help texts, messages, output
// layout and exit statuses, over virtlxc's own libvirt RPC client
// (internal/rpc/client). It adds "top" (a virt-top style live view) and
// bash completion ("completion bash", backed by the hidden "__complete").
//
// Layout: opts.go parses a command's words against its option table
// (commands.go); session.go and cli.go run them (global options, the
// connection, errors and the blank line virsh prints after each command);
// shell.go is the interactive mode; cmd_*.go hold the commands by group;
// console.go and enter.go the two commands that take over the terminal or
// join a container (the latter through internal/nsenter).
//
// What differs from virsh on purpose: a daemon that is not listening is
// reported in one line that names the socket and how to start virtlxcd
// (the default socket's daemon is started automatically);
// lxc-enter-namespace exits with the command's own status (virsh exits 1)
// and runs it in the container's cgroups with its init's capability
// bounding set and, for user-namespaced containers, as the namespace's
// root; "dumpxml --xpath" understands simple location paths only.
package virsh

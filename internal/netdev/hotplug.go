package netdev

import (
	"fmt"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"virtlxc/internal/linkconf"
	"virtlxc/internal/spec"
)

// Hotplug adds interface it to the running container whose init is
// initPID: its veth pair as SetupHost makes it and, inside the
// container's network namespace, the container end renamed, addressed
// and brought up as the init stage does at start. It returns the host
// end; on failure nothing it made is left.
func Hotplug(it spec.Interface, initPID int, prefix string) (string, error) {
	if it.Type == "direct" {
		return "", fmt.Errorf("direct interfaces cannot be added to a running container yet")
	}
	ends, err := SetupHost([]spec.Interface{it}, initPID, prefix)
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		_ = RemoveHost(ends)
		return "", err
	}
	ns, err := netns.GetFromPid(initPID)
	if err != nil {
		return fail(fmt.Errorf("container network namespace: %w", err))
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fail(fmt.Errorf("container network namespace: %w", err))
	}
	defer h.Close()
	if err := linkconf.SetupGuest(h, []spec.Interface{it}); err != nil {
		return fail(err)
	}
	return ends[0], nil
}

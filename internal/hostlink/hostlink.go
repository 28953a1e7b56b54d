// Package hostlink deletes a container's host-side network devices by
// name. It is a leaf (netlink only), so that the keeper, which ends a
// container with interfaces as the controller does, links nothing else
// of the network code.
package hostlink

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Remove deletes the named devices (the host ends of a container's veth
// pairs, whose container ends go with them); empty names are skipped, and
// a device already gone (its namespace died) is no error.
func Remove(names []string) error {
	var errs []error
	for _, name := range names {
		if name == "" {
			continue
		}
		l, err := netlink.LinkByName(name)
		if err != nil {
			var nf netlink.LinkNotFoundError
			if !errors.As(err, &nf) {
				errs = append(errs, fmt.Errorf("looking up %s: %w", name, err))
			}
			continue
		}
		if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
			errs = append(errs, fmt.Errorf("deleting %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

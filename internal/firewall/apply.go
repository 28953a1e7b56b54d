package firewall

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// nft finds nft(8) in PATH or /usr/sbin.
func nft() (string, error) {
	if p, err := exec.LookPath("nft"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nft"); err == nil {
		return "/usr/sbin/nft", nil
	}
	return "", fmt.Errorf("cannot find nft (Debian package nftables) to install the network's firewall rules")
}

// run feeds script to nft -f - in the caller's network namespace.
func run(script string) error {
	bin, err := nft()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("nft: %v: %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}

// Apply installs n's table, replacing an older copy in one transaction.
func Apply(n Network) error {
	if err := run(Ruleset(n)); err != nil {
		return fmt.Errorf("installing firewall rules for %s: %w", n.Bridge, err)
	}
	return nil
}

// Remove deletes the table of bridge; a missing table is no error.
func Remove(bridge string) error {
	t := Table(bridge)
	if err := run(fmt.Sprintf("table inet %s\ndelete table inet %s\n", t, t)); err != nil {
		return fmt.Errorf("removing firewall rules of %s: %w", bridge, err)
	}
	return nil
}

// EnableForwarding turns on IPv4 and, when v6, IPv6 forwarding in the
// caller's network namespace, as libvirt does for nat and route networks.
func EnableForwarding(v6 bool) error {
	files := []string{"/proc/sys/net/ipv4/ip_forward"}
	if v6 {
		files = append(files, "/proc/sys/net/ipv6/conf/all/forwarding")
	}
	for _, f := range files {
		if err := os.WriteFile(f, []byte("1\n"), 0); err != nil {
			return fmt.Errorf("enabling forwarding: %w", err)
		}
	}
	return nil
}

package security

import (
	"os"
	"path/filepath"
	"testing"
)

// In a user-namespace container, root is host uid 200000: it cannot read
// a host root-owned 0600 file or write into a host root-owned directory
// shared into the container.
func TestUserNamespaceRootIsNotHostRoot(t *testing.T) {
	root := idmapRoot(t)
	shared := hostDir(t)
	secret := filepath.Join(shared, "secret")
	if err := os.WriteFile(secret, []byte("host secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `echo @@id=$(id -u); echo @@uidmap=$(cat /proc/self/uid_map | tr -s ' ');
if cat /mnt/host/secret 2>/dev/null | sed 's/^/@@leak=/'; [ -n "$(cat /mnt/host/secret 2>/dev/null)" ]; then echo @@read=ok; else echo @@read=denied; fi;
if echo x > /mnt/host/planted 2>/dev/null; then echo @@write=ok; else echo @@write=denied; fi;
if chmod 666 /mnt/host/secret 2>/dev/null; then echo @@chmod=ok; else echo @@chmod=denied; fi; echo @@done=1`
	fs := rootFS(root, false) + "    <filesystem type='mount'><source dir='" + shared + "'/><target dir='/mnt/host'/></filesystem>\n"
	v := run(t, "userns", domainXML("userns", script, fs, idmapXML))
	if v["id"] != "0" || v["uidmap"] != "0 200000 65536" {
		t.Fatalf("id %q, uid_map %q: not a user-namespace root", v["id"], v["uidmap"])
	}
	for _, k := range []string{"read", "write", "chmod"} {
		if v[k] != "denied" {
			t.Errorf("%s of the host's root-owned files: %s (leak %q)", k, v[k], v["leak"])
		}
	}
	if _, err := os.Lstat(filepath.Join(shared, "planted")); err == nil {
		t.Error("the container planted a file in the host directory")
	}
	if st, err := os.Stat(secret); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("host secret: %v, %v", st.Mode(), err)
	}
}

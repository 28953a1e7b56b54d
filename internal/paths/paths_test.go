package paths

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name, root, socket string
		want               Layout
	}{
		{
			name: "system",
			want: Layout{
				ConfigDir:           "/etc/libvirt/lxc",
				AutostartDir:        "/etc/libvirt/lxc/autostart",
				StateDir:            "/run/libvirt/lxc",
				LogDir:              "/var/log/libvirt/lxc",
				Socket:              "/run/libvirt/virtlxcd-sock",
				SocketRO:            "/run/libvirt/virtlxcd-sock-ro",
				DriverConf:          "/etc/libvirt/lxc.conf",
				HookScript:          "/etc/libvirt/hooks/lxc",
				NetworkConfigDir:    "/etc/libvirt/qemu/networks",
				NetworkAutostartDir: "/etc/libvirt/qemu/networks/autostart",
				NetworkStateDir:     "/run/libvirt/network",
				DnsmasqDir:          "/var/lib/libvirt/dnsmasq",
			},
		},
		{
			name: "root",
			root: "/tmp/r",
			want: Layout{
				Root:                "/tmp/r",
				ConfigDir:           "/tmp/r/etc/libvirt/lxc",
				AutostartDir:        "/tmp/r/etc/libvirt/lxc/autostart",
				StateDir:            "/tmp/r/run/libvirt/lxc",
				LogDir:              "/tmp/r/var/log/libvirt/lxc",
				Socket:              "/tmp/r/run/libvirt/virtlxcd-sock",
				SocketRO:            "/tmp/r/run/libvirt/virtlxcd-sock-ro",
				DriverConf:          "/tmp/r/etc/libvirt/lxc.conf",
				HookScript:          "/tmp/r/etc/libvirt/hooks/lxc",
				NetworkConfigDir:    "/tmp/r/etc/libvirt/qemu/networks",
				NetworkAutostartDir: "/tmp/r/etc/libvirt/qemu/networks/autostart",
				NetworkStateDir:     "/tmp/r/run/libvirt/network",
				DnsmasqDir:          "/tmp/r/var/lib/libvirt/dnsmasq",
			},
		},
		{
			name:   "system with socket",
			socket: "/tmp/s.sock",
			want: Layout{
				ConfigDir:           "/etc/libvirt/lxc",
				AutostartDir:        "/etc/libvirt/lxc/autostart",
				StateDir:            "/run/libvirt/lxc",
				LogDir:              "/var/log/libvirt/lxc",
				Socket:              "/tmp/s.sock",
				SocketRO:            "/tmp/s.sock-ro",
				DriverConf:          "/etc/libvirt/lxc.conf",
				HookScript:          "/etc/libvirt/hooks/lxc",
				NetworkConfigDir:    "/etc/libvirt/qemu/networks",
				NetworkAutostartDir: "/etc/libvirt/qemu/networks/autostart",
				NetworkStateDir:     "/run/libvirt/network",
				DnsmasqDir:          "/var/lib/libvirt/dnsmasq",
			},
		},
		{
			name:   "root with socket",
			root:   "/tmp/r/",
			socket: "/x/sock",
			want: Layout{
				Root:                "/tmp/r/",
				ConfigDir:           "/tmp/r/etc/libvirt/lxc",
				AutostartDir:        "/tmp/r/etc/libvirt/lxc/autostart",
				StateDir:            "/tmp/r/run/libvirt/lxc",
				LogDir:              "/tmp/r/var/log/libvirt/lxc",
				Socket:              "/x/sock",
				SocketRO:            "/x/sock-ro",
				DriverConf:          "/tmp/r/etc/libvirt/lxc.conf",
				HookScript:          "/tmp/r/etc/libvirt/hooks/lxc",
				NetworkConfigDir:    "/tmp/r/etc/libvirt/qemu/networks",
				NetworkAutostartDir: "/tmp/r/etc/libvirt/qemu/networks/autostart",
				NetworkStateDir:     "/tmp/r/run/libvirt/network",
				DnsmasqDir:          "/tmp/r/var/lib/libvirt/dnsmasq",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.root, tt.socket); got != tt.want {
				t.Errorf("New(%q, %q) =\n%+v\nwant\n%+v", tt.root, tt.socket, got, tt.want)
			}
		})
	}
}

func TestPerDomainPaths(t *testing.T) {
	sys := New("", "")
	rel := New("/r", "")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"ConfigFile", sys.ConfigFile("c1"), "/etc/libvirt/lxc/c1.xml"},
		{"AutostartLink", sys.AutostartLink("c1"), "/etc/libvirt/lxc/autostart/c1.xml"},
		{"StatusFile", sys.StatusFile("c1"), "/run/libvirt/lxc/c1.xml"},
		{"PidFile", sys.PidFile("c1"), "/run/libvirt/lxc/c1.pid"},
		{"MonitorSocket", sys.MonitorSocket("c1"), "/run/libvirt/lxc/c1.sock"},
		{"DevDir", sys.DevDir("c1"), "/run/libvirt/lxc/c1.dev"},
		{"DevptsDir", sys.DevptsDir("c1"), "/run/libvirt/lxc/c1.devpts"},
		{"FuseDir", sys.FuseDir("c1"), "/run/libvirt/lxc/c1.fuse"},
		{"RootMount", sys.RootMount("c1"), "/run/libvirt/lxc/c1.root"},
		{"LogFile", sys.LogFile("c1"), "/var/log/libvirt/lxc/c1.log"},
		{"DriverPidFile", sys.DriverPidFile(), "/run/libvirt/lxc/driver.pid"},
		{"AutostartedMarker", sys.AutostartedMarker(), "/run/libvirt/lxc/autostarted"},
		{"root ConfigFile", rel.ConfigFile("c1"), "/r/etc/libvirt/lxc/c1.xml"},
		{"root AutostartLink", rel.AutostartLink("c1"), "/r/etc/libvirt/lxc/autostart/c1.xml"},
		{"root PidFile", rel.PidFile("c1"), "/r/run/libvirt/lxc/c1.pid"},
		{"root LogFile", rel.LogFile("c1"), "/r/var/log/libvirt/lxc/c1.log"},
		{"root DriverPidFile", rel.DriverPidFile(), "/r/run/libvirt/lxc/driver.pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{"c1", ""},
		{"my-container_1.test", ""},
		{"...", ""},
		{".hidden", ""},
		{"", "missing name information"},
		{"a/b", "name a/b cannot contain '/'"},
		{"/", "name / cannot contain '/'"},
		{".", "name . is not a valid file name"},
		{"..", "name .. is not a valid file name"},
		{"a\x00b", `name "a\x00b" cannot contain a NUL byte`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidName(tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidName(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidName(%q) = nil, want %q", tt.name, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("ValidName(%q) = %q, want %q", tt.name, err.Error(), tt.wantErr)
			}
			var ne *NameError
			if !errors.As(err, &ne) || ne.Name != tt.name {
				t.Errorf("ValidName(%q) error is not a *NameError for the name: %#v", tt.name, err)
			}
		})
	}
}

func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	l := New(root, "")
	for i := 0; i < 2; i++ { // second call must be a no-op
		if err := l.MkdirAll(); err != nil {
			t.Fatalf("MkdirAll #%d: %v", i, err)
		}
	}
	tests := []struct {
		dir  string
		mode os.FileMode
	}{
		{l.ConfigDir, 0o700},
		{l.AutostartDir, 0o700},
		{l.StateDir, 0o700},
		{l.LogDir, 0o700},
		{filepath.Dir(l.Socket), 0o755},
		{filepath.Join(root, "etc"), 0o755},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			fi, err := os.Stat(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.IsDir() {
				t.Fatalf("%s is not a directory", tt.dir)
			}
			// The umask may only remove bits.
			if got := fi.Mode().Perm(); got&^tt.mode != 0 || got&0o700 != 0o700 {
				t.Errorf("%s mode %o, want %o", tt.dir, got, tt.mode)
			}
		})
	}
}

func TestMkdirAllFileInTheWay(t *testing.T) {
	root := t.TempDir()
	l := New(root, "")
	if err := os.MkdirAll(filepath.Dir(l.StateDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l.StateDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.MkdirAll(); err == nil {
		t.Fatal("MkdirAll succeeded with a file in place of the state dir")
	}
}

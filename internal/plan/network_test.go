package plan

import (
	"testing"

	"virtlxc/internal/spec"
)

func TestInterfacesMakeNetNamespace(t *testing.T) {
	d := parse(t, osInit+`<devices>
<interface type='bridge'><mac address='52:54:00:11:22:33'/><source bridge='br0'/><target dev='veth-host'/><guest dev='lan'/><ip address='10.0.0.2' prefix='24'/><route address='0.0.0.0' prefix='0' gateway='10.0.0.1'/></interface>
<interface type='ethernet'><source><ip address='10.1.0.1' prefix='24'/></source></interface>
<console type='pty'/></devices>`)
	c, err := Build(d, 0, Host{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.NewNet || len(c.Interfaces) != 2 {
		t.Fatalf("new_net %v interfaces %+v", c.NewNet, c.Interfaces)
	}
	br, eth := c.Interfaces[0], c.Interfaces[1]
	if br.Type != "bridge" || br.Bridge != "br0" || br.HostName != "veth-host" || br.GuestName != "lan" ||
		br.MAC != "52:54:00:11:22:33" || !br.Up || len(br.IPs) != 1 || len(br.Routes) != 1 {
		t.Errorf("bridge interface %+v", br)
	}
	// eth0: the named one does not consume a number.
	if eth.Type != "ethernet" || eth.GuestName != "eth0" || eth.HostName != "" || eth.Up ||
		len(eth.HostIPs) != 1 || eth.HostIPs[0] != (spec.Address{Address: "10.1.0.1", Prefix: 24}) {
		t.Errorf("ethernet interface %+v", eth)
	}
	if eth.MAC == "" {
		t.Errorf("no MAC generated for %+v", eth)
	}
}

func TestInterfaceRejections(t *testing.T) {
	cases := map[string]string{
		"<interface type='bridge'><source bridge='br0'/><script path='/x'/></interface>": "unsupported configuration: scripts are not supported on LXC network interfaces",
		"<interface type='user'/>": "internal error: Unsupported network type user",
		"<interface type='direct'><source dev='eth0'/><bandwidth><inbound average='10'/></bandwidth></interface>": "unsupported configuration: Unable to set network bandwidth on direct interfaces",
		"<interface type='network'><source network='default'/></interface>":                                       "internal error: network 'default' of the interface was not resolved to a bridge",
	}
	for dev, want := range cases {
		_, err := Build(parse(t, osInit+"<devices>"+dev+"<console type='pty'/></devices>"), 0, Host{})
		if err == nil || err.Error() != want {
			t.Errorf("%s\n got %v\nwant %s", dev, err, want)
		}
	}
}

func TestInterfaceWithShareNetRefused(t *testing.T) {
	d := parse(t, osInit+`<devices><interface type='bridge'><source bridge='br0'/></interface><console type='pty'/></devices>
<lxc:namespace><lxc:sharenet type='pid' value='1'/></lxc:namespace>`)
	_, err := Build(d, 0, Host{})
	want := "unsupported configuration: Config asks for inherit net namespace as well as private network interfaces"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestResolvedNetworkInterface(t *testing.T) {
	d := parse(t, osInit+`<devices>
<interface type='network'><source network='iso' bridge='virbr3'/><ip address='10.9.0.5' prefix='24'/></interface>
<console type='pty'/></devices>`)
	c, err := Build(d, 0, Host{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interfaces) != 1 || c.Interfaces[0].Type != "bridge" || c.Interfaces[0].Bridge != "virbr3" || c.Interfaces[0].GuestName != "eth0" {
		t.Fatalf("interfaces %+v", c.Interfaces)
	}
}

package virsh

import (
	"fmt"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/client"
	"virtlxc/internal/rpc/proto"
)

// netEventNames are libvirt 9.0's network event types, by event id.
var netEventNames = []string{"lifecycle"}

// netLifecycleEvents are virshNetworkEventToString's names.
var netLifecycleEvents = []string{"Defined", "Undefined", "Started", "Stopped"}

func cmdNetEvent() *CmdDef {
	return &CmdDef{
		Name: "net-event", Group: "network",
		Help: "Network Events",
		Desc: "List event types, or wait for network events to occur",
		Opts: []OptDef{
			{Name: "network", Type: OptString, Help: "filter by network name or uuid"},
			{Name: "event", Type: OptString, Help: "which event type to wait for"},
			optBool("loop", "loop until timeout or interrupt, rather than one-shot"),
			{Name: "timeout", Type: OptInt, Help: "timeout seconds"},
			optBool("list", "list valid event types"),
			optBool("timestamp", "show timestamp for each printed event"),
		},
		Run: runNetEvent,
	}
}

func runNetEvent(s *Session, pc *ParsedCmd) error {
	if pc.Bool("list") {
		for _, n := range netEventNames {
			s.printf("%s\n", n)
		}
		return nil
	}
	name, hasName, err := pc.String("event")
	if err != nil {
		return err
	}
	if !hasName {
		return cmdErrorf("either --list or --event <type> is required")
	}
	id := int32(-1)
	for i, n := range netEventNames {
		if n == name {
			id = int32(i)
		}
	}
	if id < 0 {
		return cmdErrorf("unknown event type %s", name)
	}
	timeout, hasTimeout, err := eventTimeout(pc)
	if err != nil {
		return err
	}
	var filter libvirt.OptNetwork
	if pc.Bool("network") {
		net, err := s.networkArg(pc)
		if err != nil {
			return err
		}
		filter = libvirt.OptNetwork{net}
	}
	w := &eventWaiter{s: s, loop: pc.Bool("loop"), timestamp: pc.Bool("timestamp"),
		names: map[int32]string{}, wake: make(chan struct{}, 1), render: formatNetEvent}
	c := s.conn
	c.setEventHandler(w.receive)
	defer c.setEventHandler(nil)
	var ret libvirt.ConnectNetworkEventRegisterAnyRet
	if err := c.call(proto.ProcConnectNetworkEventRegisterAny, &libvirt.ConnectNetworkEventRegisterAnyArgs{EventID: id, Net: filter}, &ret); err != nil {
		return err
	}
	defer c.call(proto.ProcConnectNetworkEventDeregisterAny, &libvirt.ConnectNetworkEventDeregisterAnyArgs{CallbackID: ret.CallbackID}, nil)
	return w.wait(c, timeout, hasTimeout)
}

// formatNetEvent renders a network lifecycle event as virsh net-event
// prints it.
func formatNetEvent(ev client.Event) string {
	if ev.Procedure != proto.ProcNetworkEventLifecycle {
		return ""
	}
	var msg libvirt.NetworkEventLifecycleMsg
	if err := ev.Decode(&msg); err != nil {
		return ""
	}
	name := "unknown"
	if msg.Event >= 0 && int(msg.Event) < len(netLifecycleEvents) {
		name = netLifecycleEvents[msg.Event]
	}
	return fmt.Sprintf("event 'lifecycle' for network %s: %s\n", msg.Net.Name, name)
}

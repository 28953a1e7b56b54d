package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/network"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// netEventIDLifecycle is VIR_NETWORK_EVENT_ID_LIFECYCLE, the only network
// event id libvirt 9.0 has.
const netEventIDLifecycle = 0

// connNetEvents is one connection's network event callbacks (each the
// uuid of its network, "" for every network) and registry subscription.
type connNetEvents struct {
	callbacks[string]
	sub *network.Subscription
}

type netEventsKey struct{}

// netEventProcs are virConnectNetworkEventRegisterAny/DeregisterAny.
func (h *Handlers) netEventProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcConnectNetworkEventRegisterAny: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectNetworkEventRegisterAnyArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.ConnectNetworkEventRegisterAnyArgs)
				if a.EventID != netEventIDLifecycle {
					return nil, virerr.New(virerr.ErrInvalidArg, virerr.FromRPC, "unsupported network event ID %d", a.EventID)
				}
				uuid := ""
				if len(a.Net) > 0 {
					uuid = wireUUID(a.Net[0].UUID)
				}
				id := h.netEvents(c.Conn).add(uuid)
				return &libvirt.ConnectNetworkEventRegisterAnyRet{CallbackID: id}, nil
			}},
		proto.ProcConnectNetworkEventDeregisterAny: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectNetworkEventDeregisterAnyArgs{} },
			Handler: func(c *server.Call) (any, error) {
				id := c.Args.(*libvirt.ConnectNetworkEventDeregisterAnyArgs).CallbackID
				return nil, h.netEvents(c.Conn).remove(id)
			}},
	}
}

// netEvents returns the connection's network event state, subscribing to
// the registry the first time and forwarding until the connection closes.
func (h *Handlers) netEvents(conn *server.Conn) *connNetEvents {
	fresh := &connNetEvents{}
	ce := conn.LoadOrStore(netEventsKey{}, fresh).(*connNetEvents)
	if ce != fresh {
		return ce
	}
	ce.sub = h.nets.Subscribe()
	conn.OnClose(func() { ce.sub.Close() })
	go func() {
		for ev := range ce.sub.C {
			net := toNet(network.Info{Name: ev.Name, UUID: ev.UUID})
			var msgs []*libvirt.NetworkEventLifecycleMsg
			ce.each(func(id int32, uuid string) {
				if uuid == "" || uuid == ev.UUID {
					msgs = append(msgs, &libvirt.NetworkEventLifecycleMsg{CallbackID: id, Net: net, Event: int32(ev.Type)})
				}
			})
			for _, m := range msgs {
				if err := conn.SendMessage(wire.ProgramRemote, proto.ProcNetworkEventLifecycle, m); err != nil {
					h.log.Debug("dropping a network event for a closed connection", "err", err)
				}
			}
		}
	}()
	return ce
}

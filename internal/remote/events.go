package remote

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/driver"
	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/server"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// Event ids (virDomainEventID) virtlxc emits; every other id up to
// eventIDLast is accepted and never fires, as virsh event --all expects.
const (
	eventIDLifecycle      = 0
	eventIDReboot         = 1
	eventIDMetadataChange = 23
	eventIDLast           = 26
)

// registration is one CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY.
type registration struct {
	eventID int32
	uuid    string // empty: every domain
}

// connEvents is one connection's event callbacks and driver subscription.
type connEvents struct {
	callbacks[registration]
	sub *driver.Subscription
}

type eventsKey struct{}

// eventProcs are the event callback registrations.
func (h *Handlers) eventProcs() map[uint32]server.Procedure {
	return map[uint32]server.Procedure{
		proto.ProcConnectDomainEventCallbackRegisterAny: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectDomainEventCallbackRegisterAnyArgs{} },
			Handler: func(c *server.Call) (any, error) {
				a := c.Args.(*libvirt.ConnectDomainEventCallbackRegisterAnyArgs)
				if a.EventID < 0 || a.EventID > eventIDLast {
					return nil, virerr.New(virerr.ErrInvalidArg, virerr.FromRPC, "unsupported event ID %d", a.EventID)
				}
				reg := registration{eventID: a.EventID}
				if len(a.Dom) > 0 {
					reg.uuid = toRef(a.Dom[0]).UUID
				}
				id := h.events(c.Conn).add(reg)
				return &libvirt.ConnectDomainEventCallbackRegisterAnyRet{CallbackID: id}, nil
			}},
		proto.ProcConnectDomainEventCallbackDeregisterAny: {ReadOnly: true,
			NewArgs: func() any { return &libvirt.ConnectDomainEventCallbackDeregisterAnyArgs{} },
			Handler: func(c *server.Call) (any, error) {
				id := c.Args.(*libvirt.ConnectDomainEventCallbackDeregisterAnyArgs).CallbackID
				return nil, h.events(c.Conn).remove(id)
			}},
	}
}

// events returns the connection's event state, subscribing to the driver
// the first time and forwarding until the connection closes.
func (h *Handlers) events(conn *server.Conn) *connEvents {
	fresh := &connEvents{}
	ce := conn.LoadOrStore(eventsKey{}, fresh).(*connEvents)
	if ce != fresh {
		return ce
	}
	ce.sub = h.drv.Subscribe()
	conn.OnClose(func() { ce.sub.Close() })
	go h.forward(conn, ce)
	return ce
}

// forward sends each driver event to the connection's matching callbacks.
func (h *Handlers) forward(conn *server.Conn, ce *connEvents) {
	for ev := range ce.sub.C {
		dom := fromRef(ev.Domain)
		type out struct {
			proc uint32
			msg  any
		}
		var msgs []out
		ce.each(func(id int32, r registration) {
			if r.uuid != "" && r.uuid != ev.Domain.UUID {
				return
			}
			switch {
			case ev.Kind == driver.EventLifecycle && r.eventID == eventIDLifecycle:
				msgs = append(msgs, out{proto.ProcDomainEventCallbackLifecycle, &libvirt.DomainEventCallbackLifecycleMsg{
					CallbackID: id, Msg: libvirt.DomainEventLifecycleMsg{Dom: dom, Event: int32(ev.Type), Detail: int32(ev.Detail)}}})
			case ev.Kind == driver.EventReboot && r.eventID == eventIDReboot:
				msgs = append(msgs, out{proto.ProcDomainEventCallbackReboot, &libvirt.DomainEventCallbackRebootMsg{
					CallbackID: id, Msg: libvirt.DomainEventRebootMsg{Dom: dom}}})
			case ev.Kind == driver.EventMetadataChange && r.eventID == eventIDMetadataChange:
				m := &libvirt.DomainEventCallbackMetadataChangeMsg{CallbackID: id, Dom: dom, Type: ev.MetadataType}
				if ev.HasNSURI {
					m.Nsuri = libvirt.OptString{ev.NSURI}
				}
				msgs = append(msgs, out{proto.ProcDomainEventCallbackMetadataChange, m})
			}
		})
		for _, m := range msgs {
			if err := conn.SendMessage(wire.ProgramRemote, m.proc, m.msg); err != nil {
				h.log.Debug("dropping event for a closed connection", "err", err)
			}
		}
	}
}

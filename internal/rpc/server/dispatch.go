package server

import (
	"fmt"

	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// The errors libvirtd's dispatcher itself reports, worded as libvirt words
// them (virnetserverprogram.c, remote_daemon_dispatch.c, libvirt-*.c).

// ErrUnknownProcedure is the reply to a procedure with no handler. libvirt
// clients turn exactly this message into VIR_ERR_NO_SUPPORT, and
// go-libvirt into ErrUnsupported.
func ErrUnknownProcedure(proc uint32) *virerr.Error {
	return virerr.New(virerr.ErrRPC, virerr.FromRPC, "unknown procedure: %d", int32(proc))
}

// ErrUnknownProgram is the reply to a call for a program (or version) the
// server does not serve.
func ErrUnknownProgram(prog, vers uint32) *virerr.Error {
	return virerr.New(virerr.ErrRPC, virerr.FromRPC, "Cannot find program %d version %d", int32(prog), int32(vers))
}

// ErrNotOpen is the reply to a procedure that needs CONNECT_OPEN first
// ("internal error: connection not open"). CONNECT_SUPPORTS_FEATURE
// handlers return it for every feature but PROGRAM_KEEPALIVE before open.
func ErrNotOpen() *virerr.Error {
	return virerr.New(virerr.ErrInternalError, virerr.FromRPC, "%s", "connection not open")
}

// ErrReadOnly is libvirt's refusal of a mutating API on a read-only
// connection: "operation forbidden: read only access prevents virDomainDestroy".
// The error domain is the one of the file that implements the API in
// libvirt (VIR_FROM_DOMAIN for libvirt-domain.c and libvirt-host.c,
// VIR_FROM_NONE for libvirt-lxc.c).
func ErrReadOnly(api string, domain virerr.Domain) *virerr.Error {
	return virerr.New(virerr.ErrOperationDenied, domain, "read only access prevents %s", api)
}

func errDecodePayload() *virerr.Error {
	return virerr.New(virerr.ErrRPC, virerr.FromRPC, "%s", "Unable to decode message payload")
}

func errEncodePayload(cause error) *virerr.Error {
	return virerr.Wrap(cause, virerr.ErrRPC, virerr.FromRPC, "%s", "Unable to encode message payload")
}

// readOnlyDomain is the error domain of ErrReadOnly for a program.
func readOnlyDomain(prog uint32) virerr.Domain {
	if prog == wire.ProgramLXC {
		return virerr.FromNone
	}
	return virerr.FromDomain
}

// dispatch runs one call and queues its reply.
func (c *Conn) dispatch(p *wire.Packet) {
	call := &Call{Conn: c, Header: p.Header, fds: p.FDs}
	ret, err := c.invoke(call, p)
	replyFDs, st := call.finish()
	h := p.Header
	h.Type, h.Status = wire.Reply, wire.OK
	var frame []byte
	if err == nil {
		if len(replyFDs) > 0 {
			h.Type = wire.ReplyWithFDs
		}
		var ferr error
		if frame, ferr = encodeFrame(h, len(replyFDs), ret); ferr != nil {
			c.log.Error("rpc: cannot encode reply", "proc", c.procName(p.Header), "err", ferr)
			err = errEncodePayload(ferr)
		}
	}
	if err != nil {
		closeFiles(replyFDs)
		if st != nil {
			st.discard()
		}
		c.replyError(p.Header, err)
		return
	}
	// The stream takes client data from before the reply is even written
	// (the client may answer it at once), but sends only after it.
	if st != nil && !c.routeTo(st) {
		st.discard()
		st = nil
	}
	if qerr := c.enqueue(outFrame{frame: frame, fds: replyFDs, what: c.procName(p.Header)}); qerr != nil {
		if st != nil {
			c.detachStream(st)
			st.discard()
		}
		return
	}
	if st != nil {
		st.markAttached()
	}
}

// invoke applies libvirt's checks in libvirt's order, then the handler.
func (c *Conn) invoke(call *Call, p *wire.Packet) (ret any, err error) {
	h := p.Header
	if !c.srv.knowsProgram(h.Program, h.Version) {
		return nil, ErrUnknownProgram(h.Program, h.Version)
	}
	if h.Status != wire.OK {
		return nil, virerr.New(virerr.ErrRPC, virerr.FromRPC, "Unexpected message status %d", uint32(h.Status))
	}
	proc := c.srv.lookup(h.Program, h.Procedure)
	if proc == nil {
		c.log.Debug("rpc call of an unknown procedure", "prog", h.Program, "proc", h.Procedure, "serial", h.Serial)
		return nil, ErrUnknownProcedure(h.Procedure)
	}
	c.log.Debug("rpc call", "proc", proc.Name, "serial", h.Serial, "fds", len(p.FDs))
	if proc.NewArgs != nil {
		args := proc.NewArgs()
		if err := xdr.Unmarshal(p.Payload, args); err != nil {
			c.log.Debug("rpc: cannot decode args", "proc", proc.Name, "err", err)
			return nil, errDecodePayload()
		}
		call.Args = args
	}
	if !proc.BeforeOpen && !c.IsOpen() {
		return nil, ErrNotOpen()
	}
	if !proc.ReadOnly && c.ReadOnly() {
		return nil, ErrReadOnly(proc.API, readOnlyDomain(h.Program))
	}
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("rpc: handler panicked", "proc", proc.Name, "panic", r)
			ret, err = nil, virerr.New(virerr.ErrInternalError, virerr.FromRPC, "%s", fmt.Sprintf("%s failed unexpectedly", proc.Name))
		}
	}()
	ret, err = proc.Handler(call)
	if err != nil {
		c.log.Debug("rpc: call failed", "proc", proc.Name, "err", err)
	}
	return ret, err
}

// replyError queues a REPLY with status ERROR and the remote_error for err
// (a reply to a CALL_WITH_FDS is a plain REPLY, as in libvirt).
func (c *Conn) replyError(req wire.Header, err error) {
	h := req
	h.Type, h.Status = wire.Reply, wire.Error
	c.enqueue(outFrame{frame: frameWithPayload(h, wire.EncodeError(err)), what: c.procName(req) + " error"})
}

func (c *Conn) procName(h wire.Header) string {
	if p := c.srv.lookup(h.Program, h.Procedure); p != nil {
		return p.Name
	}
	return fmt.Sprintf("proc %d", h.Procedure)
}

package client

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/wire"
)

// Features records what the server answered during Open.
type Features struct {
	KeepAlive     bool // VIR_DRV_FEATURE_PROGRAM_KEEPALIVE
	EventCallback bool // VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK
	CloseCallback bool // VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK
}

// Open connects to socketPath and performs virsh's handshake (spec §2.2):
// AUTH_LIST, SUPPORTS_FEATURE(PROGRAM_KEEPALIVE), CONNECT_OPEN(uri),
// SUPPORTS_FEATURE(REMOTE_EVENT_CALLBACK), SUPPORTS_FEATURE(
// REMOTE_CLOSE_CALLBACK) and, if supported, REGISTER_CLOSE_CALLBACK. The
// URI's client-side parameters (socket=, mode=) are removed before it is
// sent, as libvirt's remote driver does; "" asks the server to probe.
func Open(socketPath, uri string) (*Client, error) {
	return OpenWith(socketPath, uri, Options{})
}

// OpenWith is Open with options (read-only, events, logging).
func OpenWith(socketPath, uri string, opts Options) (*Client, error) {
	c, err := Dial(socketPath, opts)
	if err != nil {
		return nil, err
	}
	if err := c.handshake(uri, opts.ReadOnly); err != nil {
		c.fail(ErrClosed)
		return nil, fmt.Errorf("open %q on %s: %w", uri, socketPath, err)
	}
	return c, nil
}

func (c *Client) handshake(uri string, readOnly bool) error {
	var auth libvirt.AuthListRet
	switch err := c.Call(wire.ProgramRemote, proto.ProcAuthList, nil, &auth); {
	case IsUnknownProcedure(err):
		// No authentication step at all: libvirt's client proceeds.
	case err != nil:
		return fmt.Errorf("auth list: %w", err)
	case len(auth.Types) > 0 && !slices.Contains(auth.Types, proto.AuthNone):
		return fmt.Errorf("server requires authentication %v, which this client does not implement", auth.Types)
	}
	var f Features
	f.KeepAlive = c.supports(proto.FeatureProgramKeepalive)
	var flags uint32
	if readOnly {
		flags = proto.ConnectRO
	}
	args := proto.ConnectOpenArgs{Name: libvirt.OptString{remoteName(uri)}, Flags: flags}
	if err := c.Call(wire.ProgramRemote, proto.ProcConnectOpen, &args, nil); err != nil {
		return err
	}
	f.EventCallback = c.supports(proto.FeatureRemoteEventCallback)
	f.CloseCallback = c.supports(proto.FeatureRemoteCloseCallback)
	registered := false
	if f.CloseCallback {
		registered = c.Call(wire.ProgramRemote, proto.ProcConnectRegisterCloseCallback, nil, nil) == nil
	}
	c.mu.Lock()
	c.opened, c.closeCallback, c.features = true, registered, f
	c.mu.Unlock()
	return nil
}

// supports asks CONNECT_SUPPORTS_FEATURE; an error counts as "no", as virsh
// tolerates it during the handshake.
func (c *Client) supports(feature int32) bool {
	var ret libvirt.ConnectSupportsFeatureRet
	err := c.Call(wire.ProgramRemote, proto.ProcConnectSupportsFeature,
		&libvirt.ConnectSupportsFeatureArgs{Feature: feature}, &ret)
	return err == nil && ret.Supported != 0
}

// Features returns what the server answered during Open.
func (c *Client) Features() Features {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.features
}

// disconnect is virsh's teardown after Open.
func (c *Client) disconnect(closeCallback bool) error {
	if closeCallback {
		c.Call(wire.ProgramRemote, proto.ProcConnectUnregisterCloseCallback, nil, nil)
	}
	if err := c.Call(wire.ProgramRemote, proto.ProcConnectClose, nil, nil); err != nil {
		return fmt.Errorf("connect close: %w", err)
	}
	return nil
}

// remoteName removes the parameters that only tell the client how to reach
// the server, keeping the URI otherwise byte for byte.
func remoteName(uri string) string {
	base, query, ok := strings.Cut(uri, "?")
	if !ok {
		return uri
	}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return uri
	}
	for _, k := range []string{"socket", "mode", "netcat", "command", "no_tty", "no_verify", "pkipath", "keyfile", "known_hosts", "sshauth", "tls_priority", "proxy"} {
		vals.Del(k)
	}
	if len(vals) == 0 {
		return base
	}
	return base + "?" + vals.Encode()
}

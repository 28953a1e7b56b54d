// Package monitor is the protocol between virtlxcd and a container's
// controller over the controller's unix socket (STATE/NAME.sock, mode 0600).
// Each connection starts with one JSON request line; what follows depends on
// the request:
//
//	{"op":"watch"}                 → a JSON Event per line until the container stops
//	{"op":"console","index":0}     → an OK/error line, then raw console bytes both ways
//	{"op":"shutdown","mode":"…"}   → one Reply line
//	{"op":"reboot","mode":"…"}     → one Reply line
//	{"op":"destroy"}               → one Reply line once every process is gone
//	{"op":"suspend"} / {"op":"resume"}
//	{"op":"resize","index":0,"rows":R,"cols":C} → one Reply line
//	{"op":"device","device":{…}}  → one Reply line once the device policy has the change
//	{"op":"keep"}                  → one Reply line, from the keeper once it serves
//
// It is a leaf package: the daemon and the controller import it and nothing
// of each other.
package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"time"
)

// Operations a client can ask for.
const (
	OpWatch    = "watch"
	OpConsole  = "console"
	OpShutdown = "shutdown"
	OpReboot   = "reboot"
	OpDestroy  = "destroy"
	OpSuspend  = "suspend"
	OpResume   = "resume"
	OpResize   = "resize"
	OpDevice   = "device"
	// OpKeep asks the controller to hand its container to the keeper
	// (internal/keeper), which answers once it serves.
	OpKeep = "keep"
)

// Request is the first line of a connection.
type Request struct {
	Op    string `json:"op"`
	Index int    `json:"index,omitempty"` // console number
	Force bool   `json:"force,omitempty"` // console: take over an attached client
	Mode  string `json:"mode,omitempty"`  // shutdown/reboot: "", "initctl", "signal"
	Rows  uint16 `json:"rows,omitempty"`  // resize: the console's new size
	Cols  uint16 `json:"cols,omitempty"`
	// Reaper, on a watch: the watcher removes the container's cgroups
	// once the controller has exited (the daemon does), so the
	// controller leaves them in place.
	Reaper bool `json:"reaper,omitempty"`
	// Device, on a device request, is the rule to add to or remove from
	// the container's device policy.
	Device *DeviceChange `json:"device,omitempty"`
}

// DeviceChange is one device rule of a running container's device
// cgroup: a device attached to (Allow) or detached from it.
type DeviceChange struct {
	Allow bool   `json:"allow"`
	Type  string `json:"type"` // "b" or "c"
	Major uint32 `json:"major"`
	Minor uint32 `json:"minor"`
	Perms string `json:"perms"` // "rwm", "rm", …
}

// Reply answers a request; Error empty means success.
type Reply struct {
	Error string `json:"error,omitempty"`
	// Code is the libvirt error code of Error, when it has one.
	Code int32 `json:"code,omitempty"`
}

// Exit statuses, as libvirt's monitor reports them.
const (
	ExitError    = "error"
	ExitShutdown = "shutdown"
	ExitReboot   = "reboot"
)

// Event is one line of a watch stream.
type Event struct {
	Kind    string `json:"event"`              // "init" or "exit"
	InitPID int    `json:"init_pid,omitempty"` // init's pid on the host
	Status  string `json:"status,omitempty"`   // exit: shutdown, reboot or error
	Code    int    `json:"code,omitempty"`     // exit: init's exit code or 128+signal
	// HostIfaces are, for an init event, the host-side device names of the
	// domain's <interface>s in order ("" where there is none).
	HostIfaces []string `json:"host_ifaces,omitempty"`
	// Left, on an exit event, says that no task of the controller is in
	// the container's cgroup any more: the daemon may remove it without
	// waiting for the controller to exit.
	Left bool `json:"left,omitempty"`
}

// Event kinds.
const (
	EventInit = "init"
	EventExit = "exit"
)

// WriteLine writes v as one JSON line.
func WriteLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding monitor message: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// ReadLine reads one JSON line into v, without reading past its end (the
// console stream that may follow must stay unread).
func ReadLine(r io.Reader, v any) error {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
			if len(line) > 64*1024 {
				return fmt.Errorf("monitor line too long")
			}
		}
		if err != nil {
			if err == io.EOF && len(line) == 0 {
				return io.EOF
			}
			if err != io.EOF {
				return err
			}
			break
		}
	}
	if err := json.Unmarshal(line, v); err != nil {
		return fmt.Errorf("decoding monitor message: %w", err)
	}
	return nil
}

// ReadRequest reads a connection's request line, waiting at most timeout
// for it (a client that connects and says nothing does not hold a
// goroutine forever).
func ReadRequest(conn net.Conn, timeout time.Duration) (Request, error) {
	var req Request
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	if err := ReadLine(conn, &req); err != nil {
		return req, err
	}
	return req, conn.SetReadDeadline(time.Time{})
}

// Dial connects to a controller's monitor socket and sends req.
func Dial(socket string, req Request, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return nil, fmt.Errorf("connecting to controller %s: %w", socket, err)
	}
	if err := WriteLine(c, req); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Call sends a request that has a single Reply and waits for it.
func Call(socket string, req Request, timeout time.Duration) (Reply, error) {
	c, err := Dial(socket, req, timeout)
	if err != nil {
		return Reply{}, err
	}
	defer c.Close()
	var rep Reply
	if err := ReadLine(c, &rep); err != nil {
		return Reply{}, fmt.Errorf("reading controller reply: %w", err)
	}
	return rep, nil
}

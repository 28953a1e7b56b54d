// Package proto holds libvirt's protocol constants that go-libvirt does not
// export: procedure numbers and names per program, driver feature numbers,
// the args structs go-libvirt lacks or models after a newer libvirt, the
// encode-side array bounds handlers must respect, and the procedures that
// are safe on a read-only connection.
//
// Every other args/ret/msg struct comes from github.com/digitalocean/go-libvirt
// (libvirt.DomainGetInfoRet, …) and is encoded by package xdr.
package proto

import (
	"fmt"
	"slices"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/wire"
)

// Driver features asked with CONNECT_SUPPORTS_FEATURE (virDrvFeature).
const (
	FeatureFDPassing           int32 = 8  // VIR_DRV_FEATURE_FD_PASSING
	FeatureTypedParamString    int32 = 9  // VIR_DRV_FEATURE_TYPED_PARAM_STRING
	FeatureProgramKeepalive    int32 = 10 // VIR_DRV_FEATURE_PROGRAM_KEEPALIVE
	FeatureRemoteEventCallback int32 = 14 // VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK
	FeatureRemoteCloseCallback int32 = 15 // VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK
	// FeatureNetworkUpdateOrder says virNetworkUpdate's command and
	// section arrive in the protocol's order (libvirt's LXC driver says
	// so; older servers had them swapped).
	FeatureNetworkUpdateOrder int32 = 16 // VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER
)

// ConnectRO is VIR_CONNECT_RO, the read-only bit of CONNECT_OPEN's flags.
const ConnectRO uint32 = 1

// AuthNone is REMOTE_AUTH_NONE, the only AUTH_LIST answer virtlxc gives.
const AuthNone = libvirt.AuthType(0)

// Encode-side bounds from remote_protocol.x that libvirt's decoder enforces
// ("Unable to decode message payload" on the client when exceeded).
const (
	DomainListMax               = 16384  // REMOTE_DOMAIN_LIST_MAX
	DomainIDListMax             = 16384  // REMOTE_DOMAIN_ID_LIST_MAX
	DomainNameListMax           = 16384  // REMOTE_DOMAIN_NAME_LIST_MAX
	DomainMemoryParametersMax   = 16     // REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX
	DomainSchedulerParamsMax    = 16     // REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX
	DomainBlkioParametersMax    = 16     // REMOTE_DOMAIN_BLKIO_PARAMETERS_MAX
	DomainBlockStatsParamsMax   = 16     // REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX
	DomainMemoryStatsMax        = 1024   // REMOTE_DOMAIN_MEMORY_STATS_MAX
	DomainGetCPUStatsMax        = 2048   // REMOTE_DOMAIN_GET_CPU_STATS_MAX
	DomainMessagesMax           = 2048   // REMOTE_DOMAIN_MESSAGES_MAX
	AuthTypeListMax             = 20     // REMOTE_AUTH_TYPE_LIST_MAX
	ConnectGetAllDomainStatsMax = 262144 // REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX
	SecurityModelMax            = 257    // VIR_SECURITY_MODEL_BUFLEN
	SecurityLabelMax            = 4097   // VIR_SECURITY_LABEL_BUFLEN
	SecurityDOIMax              = 257    // VIR_SECURITY_DOI_BUFLEN
)

// ConnectOpenArgs is remote_connect_open_args as libvirt 9.0 sends it.
// go-libvirt's ConnectOpenArgs has an extra field from a newer libvirt, so
// it cannot decode virsh's 8-byte-shorter payload. The name flag is decoded
// leniently (any non-zero word means present), which go-libvirt's
// 0x01000000 needs.
type ConnectOpenArgs struct {
	Name  libvirt.OptString
	Flags uint32
}

// VirtlxcDomainConsoleResizeArgs are DOMAIN_CONSOLE_RESIZE's arguments
// (virtlxc's own program): the console as DOMAIN_OPEN_CONSOLE names it and
// the new window size.
type VirtlxcDomainConsoleResizeArgs struct {
	Dom     libvirt.Domain
	DevName libvirt.OptString
	Rows    uint32
	Cols    uint32
}

// LXCDomainOpenNamespaceArgs is lxc_domain_open_namespace_args (LXC program,
// procedure 1; the reply is void with the namespace fds, REPLY_WITH_FDS).
type LXCDomainOpenNamespaceArgs struct {
	Dom   libvirt.Domain
	Flags uint32
}

var tables = map[uint32]map[uint32]procInfo{
	wire.ProgramRemote:    index(slices.Concat(remoteProcs, networkProcs, otherRemoteProcs)),
	wire.ProgramLXC:       index(lxcProcs),
	wire.ProgramKeepalive: index(keepaliveProcs),
	wire.ProgramVirtlxc:   index(virtlxcProcs),
}

func index(ps []procInfo) map[uint32]procInfo {
	m := make(map[uint32]procInfo, len(ps))
	for _, p := range ps {
		m[p.num] = p
	}
	return m
}

// Name returns a procedure's libvirt name without its program prefix
// ("DOMAIN_DESTROY"), or "PROC_<n>" for a number not in the table.
func Name(prog, proc uint32) string {
	if p, ok := tables[prog][proc]; ok {
		return p.name
	}
	return fmt.Sprintf("PROC_%d", proc)
}

// Known reports whether the table has the procedure.
func Known(prog, proc uint32) bool {
	_, ok := tables[prog][proc]
	return ok
}

// API returns the public libvirt function a procedure implements
// ("virDomainDestroy"), which libvirt names when it refuses a read-only
// connection; "" when there is none.
func API(prog, proc uint32) string {
	return tables[prog][proc].api
}

// ProgramName returns a program's short name for logs.
func ProgramName(prog uint32) string {
	switch prog {
	case wire.ProgramRemote:
		return "REMOTE"
	case wire.ProgramLXC:
		return "LXC"
	case wire.ProgramQEMU:
		return "QEMU"
	case wire.ProgramKeepalive:
		return "KEEPALIVE"
	case wire.ProgramVirtlxc:
		return "VIRTLXC"
	}
	return fmt.Sprintf("%#x", prog)
}

// Procedures lists the procedure numbers known for program prog.
func Procedures(prog uint32) []uint32 {
	var out []uint32
	for num := range tables[prog] {
		out = append(out, num)
	}
	return out
}

package proto

import "virtlxc/internal/rpc/wire"

// readOnlySafe is the spec's §5.2 allow-list: procedures that only read
// state and may run on a read-only connection. Everything else, including
// DOMAIN_SET_SCHEDULER_PARAMETERS (annotated domain:read in the .x file but
// mutating) and the LXC namespace procedure, is refused there.
var readOnlySafe = map[uint32]bool{
	ProcConnectOpen: true, ProcConnectClose: true, ProcConnectGetType: true,
	ProcConnectGetVersion: true, ProcNodeGetInfo: true, ProcConnectGetCapabilities: true,
	ProcDomainGetXMLDesc: true, ProcDomainGetAutostart: true, ProcDomainGetInfo: true,
	ProcDomainGetMaxMemory: true, ProcDomainGetOSType: true, ProcConnectListDefinedDomains: true,
	ProcDomainLookupByID: true, ProcDomainLookupByName: true, ProcDomainLookupByUUID: true,
	ProcConnectNumOfDefinedDomains: true, ProcConnectListDomains: true, ProcConnectNumOfDomains: true,
	ProcDomainGetSchedulerType: true, ProcDomainGetSchedulerParameters: true,
	ProcConnectGetHostname: true, ProcConnectSupportsFeature: true, ProcDomainBlockStats: true,
	ProcDomainInterfaceStats: true, ProcAuthList: true, ProcConnectGetURI: true,
	ProcDomainGetSecurityLabel: true, ProcNodeGetSecurityModel: true, ProcConnectIsSecure: true,
	ProcDomainIsActive: true, ProcDomainIsPersistent: true, ProcConnectGetLibVersion: true,
	ProcDomainMemoryStats: true, ProcDomainHasManagedSaveImage: true, ProcDomainSnapshotNum: true,
	ProcDomainGetMemoryParameters: true, ProcDomainIsUpdated: true, ProcConnectGetSysinfo: true,
	ProcDomainGetBlkioParameters: true, ProcDomainGetState: true,
	ProcDomainGetSchedulerParametersFlags: true, ProcNodeGetCPUStats: true,
	ProcNodeGetMemoryStats: true, ProcDomainBlockStatsFlags: true, ProcDomainGetCPUStats: true,
	ProcDomainGetMetadata: true, ProcConnectListAllDomains: true,
	ProcConnectDomainEventCallbackRegisterAny: true, ProcConnectDomainEventCallbackDeregisterAny: true,
	ProcConnectRegisterCloseCallback: true, ProcConnectUnregisterCloseCallback: true,
	ProcDomainGetMessages: true,
}

// ReadOnlySafe reports whether a procedure may run on a read-only
// connection (the -ro socket, or CONNECT_OPEN with ConnectRO). Keepalive is
// always allowed. Handlers that are read-only only for some arguments
// (DOMAIN_GET_XML_DESC with VIR_DOMAIN_XML_SECURE) check those themselves.
func ReadOnlySafe(prog, proc uint32) bool {
	switch prog {
	case wire.ProgramRemote:
		return readOnlySafe[proc]
	case wire.ProgramKeepalive:
		return true
	}
	return false
}

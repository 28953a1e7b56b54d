package proto

import "virtlxc/internal/rpc/wire"

// REMOTE_PROGRAM procedure numbers (remote_procedure in remote_protocol.x)
// for the procedures virtlxc serves or must answer knowingly, including the
// ones the real LXC driver lacks (they get "unknown procedure").
const (
	ProcConnectOpen                             uint32 = 1
	ProcConnectClose                            uint32 = 2
	ProcConnectGetType                          uint32 = 3
	ProcConnectGetVersion                       uint32 = 4
	ProcNodeGetInfo                             uint32 = 6
	ProcConnectGetCapabilities                  uint32 = 7
	ProcDomainAttachDevice                      uint32 = 8
	ProcDomainCreate                            uint32 = 9
	ProcDomainCreateXML                         uint32 = 10
	ProcDomainDefineXML                         uint32 = 11
	ProcDomainDestroy                           uint32 = 12
	ProcDomainDetachDevice                      uint32 = 13
	ProcDomainGetXMLDesc                        uint32 = 14
	ProcDomainGetAutostart                      uint32 = 15
	ProcDomainGetInfo                           uint32 = 16
	ProcDomainGetMaxMemory                      uint32 = 17
	ProcDomainGetMaxVcpus                       uint32 = 18
	ProcDomainGetOSType                         uint32 = 19
	ProcConnectListDefinedDomains               uint32 = 21
	ProcDomainLookupByID                        uint32 = 22
	ProcDomainLookupByName                      uint32 = 23
	ProcDomainLookupByUUID                      uint32 = 24
	ProcConnectNumOfDefinedDomains              uint32 = 25
	ProcDomainReboot                            uint32 = 27
	ProcDomainResume                            uint32 = 28
	ProcDomainSetAutostart                      uint32 = 29
	ProcDomainSetMaxMemory                      uint32 = 30
	ProcDomainSetMemory                         uint32 = 31
	ProcDomainShutdown                          uint32 = 33
	ProcDomainSuspend                           uint32 = 34
	ProcDomainUndefine                          uint32 = 35
	ProcConnectListDomains                      uint32 = 37
	ProcConnectNumOfDomains                     uint32 = 51
	ProcDomainSave                              uint32 = 55
	ProcDomainGetSchedulerType                  uint32 = 56
	ProcDomainGetSchedulerParameters            uint32 = 57
	ProcDomainSetSchedulerParameters            uint32 = 58
	ProcConnectGetHostname                      uint32 = 59
	ProcConnectSupportsFeature                  uint32 = 60
	ProcDomainBlockStats                        uint32 = 64
	ProcDomainInterfaceStats                    uint32 = 65
	ProcAuthList                                uint32 = 66
	ProcAuthSaslInit                            uint32 = 67
	ProcAuthSaslStart                           uint32 = 68
	ProcAuthSaslStep                            uint32 = 69
	ProcAuthPolkit                              uint32 = 70
	ProcNodeGetCellsFreeMemory                  uint32 = 101
	ProcNodeGetFreeMemory                       uint32 = 102
	ProcConnectDomainEventRegister              uint32 = 105
	ProcConnectDomainEventDeregister            uint32 = 106
	ProcDomainEventLifecycle                    uint32 = 107
	ProcConnectGetURI                           uint32 = 110
	ProcDomainGetSecurityLabel                  uint32 = 121
	ProcNodeGetSecurityModel                    uint32 = 122
	ProcConnectDomainXMLFromNative              uint32 = 135
	ProcConnectDomainXMLToNative                uint32 = 136
	ProcConnectIsSecure                         uint32 = 149
	ProcDomainIsActive                          uint32 = 150
	ProcDomainIsPersistent                      uint32 = 151
	ProcConnectGetLibVersion                    uint32 = 157
	ProcDomainMemoryStats                       uint32 = 159
	ProcDomainAttachDeviceFlags                 uint32 = 160
	ProcDomainDetachDeviceFlags                 uint32 = 161
	ProcDomainGetJobInfo                        uint32 = 163
	ProcConnectDomainEventRegisterAny           uint32 = 167
	ProcConnectDomainEventDeregisterAny         uint32 = 168
	ProcDomainUpdateDeviceFlags                 uint32 = 174
	ProcDomainManagedSave                       uint32 = 182
	ProcDomainHasManagedSaveImage               uint32 = 183
	ProcDomainSnapshotNum                       uint32 = 187
	ProcDomainCreateWithFlags                   uint32 = 196
	ProcDomainSetMemoryParameters               uint32 = 197
	ProcDomainGetMemoryParameters               uint32 = 198
	ProcDomainSetVcpusFlags                     uint32 = 199
	ProcDomainGetVcpusFlags                     uint32 = 200
	ProcDomainOpenConsole                       uint32 = 201
	ProcDomainIsUpdated                         uint32 = 202
	ProcConnectGetSysinfo                       uint32 = 203
	ProcDomainSetMemoryFlags                    uint32 = 204
	ProcDomainSetBlkioParameters                uint32 = 205
	ProcDomainGetBlkioParameters                uint32 = 206
	ProcDomainGetState                          uint32 = 212
	ProcDomainSetSchedulerParametersFlags       uint32 = 219
	ProcDomainGetSchedulerParametersFlags       uint32 = 223
	ProcNodeGetCPUStats                         uint32 = 227
	ProcNodeGetMemoryStats                      uint32 = 228
	ProcDomainGetVcpuPinInfo                    uint32 = 230
	ProcDomainUndefineFlags                     uint32 = 231
	ProcDomainDestroyFlags                      uint32 = 234
	ProcDomainBlockStatsFlags                   uint32 = 243
	ProcNodeSuspendForDuration                  uint32 = 250
	ProcDomainShutdownFlags                     uint32 = 258
	ProcDomainGetCPUStats                       uint32 = 262
	ProcDomainSetMetadata                       uint32 = 264
	ProcDomainGetMetadata                       uint32 = 265
	ProcDomainSetMemoryStatsPeriod              uint32 = 308
	ProcDomainEventCallbackMetadataChange       uint32 = 379
	ProcConnectListAllDomains                   uint32 = 273
	ProcDomainGetHostname                       uint32 = 277
	ProcNodeSetMemoryParameters                 uint32 = 288
	ProcNodeGetMemoryParameters                 uint32 = 289
	ProcNodeGetCPUMap                           uint32 = 293
	ProcDomainSendProcessSignal                 uint32 = 295
	ProcDomainGetJobStats                       uint32 = 298
	ProcDomainCreateXMLWithFiles                uint32 = 309
	ProcDomainCreateWithFiles                   uint32 = 310
	ProcConnectDomainEventCallbackRegisterAny   uint32 = 316
	ProcConnectDomainEventCallbackDeregisterAny uint32 = 317
	ProcDomainEventCallbackLifecycle            uint32 = 318
	ProcDomainEventCallbackReboot               uint32 = 319
	ProcDomainGetTime                           uint32 = 337
	ProcNodeGetFreePages                        uint32 = 340
	ProcConnectGetDomainCapabilities            uint32 = 342
	ProcConnectGetAllDomainStats                uint32 = 344
	ProcNodeAllocPages                          uint32 = 347
	ProcDomainDefineXMLFlags                    uint32 = 350
	ProcDomainInterfaceAddresses                uint32 = 353
	ProcConnectRegisterCloseCallback            uint32 = 360
	ProcConnectUnregisterCloseCallback          uint32 = 361
	ProcConnectEventConnectionClosed            uint32 = 362
	ProcDomainGetMessages                       uint32 = 426
)

// LXC_PROGRAM procedure numbers (lxc_protocol.x).
const (
	LXCProcDomainOpenNamespace uint32 = 1

	// VirtlxcProcDomainConsoleResize (program wire.ProgramVirtlxc) sets a
	// console's window size; virtlxc's CLI calls it on attach and on
	// SIGWINCH.
	VirtlxcProcDomainConsoleResize uint32 = 1
)

// procInfo names one procedure: its libvirt name without the
// REMOTE_PROC_/LXC_PROC_ prefix, and the public API whose read-only check
// libvirt reports when it is refused ("" for procedures that are not an
// API call: auth steps and event messages).
type procInfo struct {
	num  uint32
	name string
	api  string
}

var remoteProcs = []procInfo{
	{ProcConnectOpen, "CONNECT_OPEN", "virConnectOpen"},
	{ProcConnectClose, "CONNECT_CLOSE", "virConnectClose"},
	{ProcConnectGetType, "CONNECT_GET_TYPE", "virConnectGetType"},
	{ProcConnectGetVersion, "CONNECT_GET_VERSION", "virConnectGetVersion"},
	{ProcNodeGetInfo, "NODE_GET_INFO", "virNodeGetInfo"},
	{ProcConnectGetCapabilities, "CONNECT_GET_CAPABILITIES", "virConnectGetCapabilities"},
	{ProcDomainAttachDevice, "DOMAIN_ATTACH_DEVICE", "virDomainAttachDevice"},
	{ProcDomainCreate, "DOMAIN_CREATE", "virDomainCreate"},
	{ProcDomainCreateXML, "DOMAIN_CREATE_XML", "virDomainCreateXML"},
	{ProcDomainDefineXML, "DOMAIN_DEFINE_XML", "virDomainDefineXML"},
	{ProcDomainDestroy, "DOMAIN_DESTROY", "virDomainDestroy"},
	{ProcDomainDetachDevice, "DOMAIN_DETACH_DEVICE", "virDomainDetachDevice"},
	{ProcDomainGetXMLDesc, "DOMAIN_GET_XML_DESC", "virDomainGetXMLDesc"},
	{ProcDomainGetAutostart, "DOMAIN_GET_AUTOSTART", "virDomainGetAutostart"},
	{ProcDomainGetInfo, "DOMAIN_GET_INFO", "virDomainGetInfo"},
	{ProcDomainGetMaxMemory, "DOMAIN_GET_MAX_MEMORY", "virDomainGetMaxMemory"},
	{ProcDomainGetMaxVcpus, "DOMAIN_GET_MAX_VCPUS", "virDomainGetMaxVcpus"},
	{ProcDomainGetOSType, "DOMAIN_GET_OS_TYPE", "virDomainGetOSType"},
	{ProcConnectListDefinedDomains, "CONNECT_LIST_DEFINED_DOMAINS", "virConnectListDefinedDomains"},
	{ProcDomainLookupByID, "DOMAIN_LOOKUP_BY_ID", "virDomainLookupByID"},
	{ProcDomainLookupByName, "DOMAIN_LOOKUP_BY_NAME", "virDomainLookupByName"},
	{ProcDomainLookupByUUID, "DOMAIN_LOOKUP_BY_UUID", "virDomainLookupByUUID"},
	{ProcConnectNumOfDefinedDomains, "CONNECT_NUM_OF_DEFINED_DOMAINS", "virConnectNumOfDefinedDomains"},
	{ProcDomainReboot, "DOMAIN_REBOOT", "virDomainReboot"},
	{ProcDomainResume, "DOMAIN_RESUME", "virDomainResume"},
	{ProcDomainSetAutostart, "DOMAIN_SET_AUTOSTART", "virDomainSetAutostart"},
	{ProcDomainSetMaxMemory, "DOMAIN_SET_MAX_MEMORY", "virDomainSetMaxMemory"},
	{ProcDomainSetMemory, "DOMAIN_SET_MEMORY", "virDomainSetMemory"},
	{ProcDomainShutdown, "DOMAIN_SHUTDOWN", "virDomainShutdown"},
	{ProcDomainSuspend, "DOMAIN_SUSPEND", "virDomainSuspend"},
	{ProcDomainUndefine, "DOMAIN_UNDEFINE", "virDomainUndefine"},
	{ProcConnectListDomains, "CONNECT_LIST_DOMAINS", "virConnectListDomains"},
	{ProcConnectNumOfDomains, "CONNECT_NUM_OF_DOMAINS", "virConnectNumOfDomains"},
	{ProcDomainSave, "DOMAIN_SAVE", "virDomainSave"},
	{ProcDomainGetSchedulerType, "DOMAIN_GET_SCHEDULER_TYPE", "virDomainGetSchedulerType"},
	{ProcDomainGetSchedulerParameters, "DOMAIN_GET_SCHEDULER_PARAMETERS", "virDomainGetSchedulerParameters"},
	{ProcDomainSetSchedulerParameters, "DOMAIN_SET_SCHEDULER_PARAMETERS", "virDomainSetSchedulerParameters"},
	{ProcConnectGetHostname, "CONNECT_GET_HOSTNAME", "virConnectGetHostname"},
	{ProcConnectSupportsFeature, "CONNECT_SUPPORTS_FEATURE", "virConnectSupportsFeature"},
	{ProcDomainBlockStats, "DOMAIN_BLOCK_STATS", "virDomainBlockStats"},
	{ProcDomainInterfaceStats, "DOMAIN_INTERFACE_STATS", "virDomainInterfaceStats"},
	{ProcAuthList, "AUTH_LIST", ""},
	{ProcAuthSaslInit, "AUTH_SASL_INIT", ""},
	{ProcAuthSaslStart, "AUTH_SASL_START", ""},
	{ProcAuthSaslStep, "AUTH_SASL_STEP", ""},
	{ProcAuthPolkit, "AUTH_POLKIT", ""},
	{ProcNodeGetCellsFreeMemory, "NODE_GET_CELLS_FREE_MEMORY", "virNodeGetCellsFreeMemory"},
	{ProcNodeGetFreeMemory, "NODE_GET_FREE_MEMORY", "virNodeGetFreeMemory"},
	{ProcConnectDomainEventRegister, "CONNECT_DOMAIN_EVENT_REGISTER", "virConnectDomainEventRegister"},
	{ProcConnectDomainEventDeregister, "CONNECT_DOMAIN_EVENT_DEREGISTER", "virConnectDomainEventDeregister"},
	{ProcDomainEventLifecycle, "DOMAIN_EVENT_LIFECYCLE", ""},
	{ProcConnectGetURI, "CONNECT_GET_URI", "virConnectGetURI"},
	{ProcDomainGetSecurityLabel, "DOMAIN_GET_SECURITY_LABEL", "virDomainGetSecurityLabel"},
	{ProcNodeGetSecurityModel, "NODE_GET_SECURITY_MODEL", "virNodeGetSecurityModel"},
	{ProcConnectDomainXMLFromNative, "CONNECT_DOMAIN_XML_FROM_NATIVE", "virConnectDomainXMLFromNative"},
	{ProcConnectDomainXMLToNative, "CONNECT_DOMAIN_XML_TO_NATIVE", "virConnectDomainXMLToNative"},
	{ProcConnectIsSecure, "CONNECT_IS_SECURE", "virConnectIsSecure"},
	{ProcDomainIsActive, "DOMAIN_IS_ACTIVE", "virDomainIsActive"},
	{ProcDomainIsPersistent, "DOMAIN_IS_PERSISTENT", "virDomainIsPersistent"},
	{ProcConnectGetLibVersion, "CONNECT_GET_LIB_VERSION", "virConnectGetLibVersion"},
	{ProcDomainMemoryStats, "DOMAIN_MEMORY_STATS", "virDomainMemoryStats"},
	{ProcDomainAttachDeviceFlags, "DOMAIN_ATTACH_DEVICE_FLAGS", "virDomainAttachDeviceFlags"},
	{ProcDomainDetachDeviceFlags, "DOMAIN_DETACH_DEVICE_FLAGS", "virDomainDetachDeviceFlags"},
	{ProcDomainGetJobInfo, "DOMAIN_GET_JOB_INFO", "virDomainGetJobInfo"},
	{ProcConnectDomainEventRegisterAny, "CONNECT_DOMAIN_EVENT_REGISTER_ANY", "virConnectDomainEventRegisterAny"},
	{ProcConnectDomainEventDeregisterAny, "CONNECT_DOMAIN_EVENT_DEREGISTER_ANY", "virConnectDomainEventDeregisterAny"},
	{ProcDomainUpdateDeviceFlags, "DOMAIN_UPDATE_DEVICE_FLAGS", "virDomainUpdateDeviceFlags"},
	{ProcDomainManagedSave, "DOMAIN_MANAGED_SAVE", "virDomainManagedSave"},
	{ProcDomainHasManagedSaveImage, "DOMAIN_HAS_MANAGED_SAVE_IMAGE", "virDomainHasManagedSaveImage"},
	{ProcDomainSnapshotNum, "DOMAIN_SNAPSHOT_NUM", "virDomainSnapshotNum"},
	{ProcDomainCreateWithFlags, "DOMAIN_CREATE_WITH_FLAGS", "virDomainCreateWithFlags"},
	{ProcDomainSetMemoryParameters, "DOMAIN_SET_MEMORY_PARAMETERS", "virDomainSetMemoryParameters"},
	{ProcDomainGetMemoryParameters, "DOMAIN_GET_MEMORY_PARAMETERS", "virDomainGetMemoryParameters"},
	{ProcDomainSetVcpusFlags, "DOMAIN_SET_VCPUS_FLAGS", "virDomainSetVcpusFlags"},
	{ProcDomainGetVcpusFlags, "DOMAIN_GET_VCPUS_FLAGS", "virDomainGetVcpusFlags"},
	{ProcDomainOpenConsole, "DOMAIN_OPEN_CONSOLE", "virDomainOpenConsole"},
	{ProcDomainIsUpdated, "DOMAIN_IS_UPDATED", "virDomainIsUpdated"},
	{ProcConnectGetSysinfo, "CONNECT_GET_SYSINFO", "virConnectGetSysinfo"},
	{ProcDomainSetMemoryFlags, "DOMAIN_SET_MEMORY_FLAGS", "virDomainSetMemoryFlags"},
	{ProcDomainSetBlkioParameters, "DOMAIN_SET_BLKIO_PARAMETERS", "virDomainSetBlkioParameters"},
	{ProcDomainGetBlkioParameters, "DOMAIN_GET_BLKIO_PARAMETERS", "virDomainGetBlkioParameters"},
	{ProcDomainGetState, "DOMAIN_GET_STATE", "virDomainGetState"},
	{ProcDomainSetSchedulerParametersFlags, "DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS", "virDomainSetSchedulerParametersFlags"},
	{ProcDomainGetSchedulerParametersFlags, "DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS", "virDomainGetSchedulerParametersFlags"},
	{ProcNodeGetCPUStats, "NODE_GET_CPU_STATS", "virNodeGetCPUStats"},
	{ProcNodeGetMemoryStats, "NODE_GET_MEMORY_STATS", "virNodeGetMemoryStats"},
	{ProcDomainGetVcpuPinInfo, "DOMAIN_GET_VCPU_PIN_INFO", "virDomainGetVcpuPinInfo"},
	{ProcDomainUndefineFlags, "DOMAIN_UNDEFINE_FLAGS", "virDomainUndefineFlags"},
	{ProcDomainDestroyFlags, "DOMAIN_DESTROY_FLAGS", "virDomainDestroyFlags"},
	{ProcDomainBlockStatsFlags, "DOMAIN_BLOCK_STATS_FLAGS", "virDomainBlockStatsFlags"},
	{ProcNodeSuspendForDuration, "NODE_SUSPEND_FOR_DURATION", "virNodeSuspendForDuration"},
	{ProcDomainShutdownFlags, "DOMAIN_SHUTDOWN_FLAGS", "virDomainShutdownFlags"},
	{ProcDomainGetCPUStats, "DOMAIN_GET_CPU_STATS", "virDomainGetCPUStats"},
	{ProcDomainSetMetadata, "DOMAIN_SET_METADATA", "virDomainSetMetadata"},
	{ProcDomainGetMetadata, "DOMAIN_GET_METADATA", "virDomainGetMetadata"},
	{ProcDomainSetMemoryStatsPeriod, "DOMAIN_SET_MEMORY_STATS_PERIOD", "virDomainSetMemoryStatsPeriod"},
	{ProcDomainEventCallbackMetadataChange, "DOMAIN_EVENT_CALLBACK_METADATA_CHANGE", ""},
	{ProcConnectListAllDomains, "CONNECT_LIST_ALL_DOMAINS", "virConnectListAllDomains"},
	{ProcDomainGetHostname, "DOMAIN_GET_HOSTNAME", "virDomainGetHostname"},
	{ProcNodeSetMemoryParameters, "NODE_SET_MEMORY_PARAMETERS", "virNodeSetMemoryParameters"},
	{ProcNodeGetMemoryParameters, "NODE_GET_MEMORY_PARAMETERS", "virNodeGetMemoryParameters"},
	{ProcNodeGetCPUMap, "NODE_GET_CPU_MAP", "virNodeGetCPUMap"},
	{ProcDomainSendProcessSignal, "DOMAIN_SEND_PROCESS_SIGNAL", "virDomainSendProcessSignal"},
	{ProcDomainGetJobStats, "DOMAIN_GET_JOB_STATS", "virDomainGetJobStats"},
	{ProcDomainCreateXMLWithFiles, "DOMAIN_CREATE_XML_WITH_FILES", "virDomainCreateXMLWithFiles"},
	{ProcDomainCreateWithFiles, "DOMAIN_CREATE_WITH_FILES", "virDomainCreateWithFiles"},
	{ProcConnectDomainEventCallbackRegisterAny, "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", "virConnectDomainEventRegisterAny"},
	{ProcConnectDomainEventCallbackDeregisterAny, "CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY", "virConnectDomainEventDeregisterAny"},
	{ProcDomainEventCallbackLifecycle, "DOMAIN_EVENT_CALLBACK_LIFECYCLE", ""},
	{ProcDomainEventCallbackReboot, "DOMAIN_EVENT_CALLBACK_REBOOT", ""},
	{ProcDomainGetTime, "DOMAIN_GET_TIME", "virDomainGetTime"},
	{ProcNodeGetFreePages, "NODE_GET_FREE_PAGES", "virNodeGetFreePages"},
	{ProcConnectGetDomainCapabilities, "CONNECT_GET_DOMAIN_CAPABILITIES", "virConnectGetDomainCapabilities"},
	{ProcConnectGetAllDomainStats, "CONNECT_GET_ALL_DOMAIN_STATS", "virConnectGetAllDomainStats"},
	{ProcNodeAllocPages, "NODE_ALLOC_PAGES", "virNodeAllocPages"},
	{ProcDomainDefineXMLFlags, "DOMAIN_DEFINE_XML_FLAGS", "virDomainDefineXMLFlags"},
	{ProcDomainInterfaceAddresses, "DOMAIN_INTERFACE_ADDRESSES", "virDomainInterfaceAddresses"},
	{ProcConnectRegisterCloseCallback, "CONNECT_REGISTER_CLOSE_CALLBACK", "virConnectRegisterCloseCallback"},
	{ProcConnectUnregisterCloseCallback, "CONNECT_UNREGISTER_CLOSE_CALLBACK", "virConnectUnregisterCloseCallback"},
	{ProcConnectEventConnectionClosed, "CONNECT_EVENT_CONNECTION_CLOSED", ""},
	{ProcDomainGetMessages, "DOMAIN_GET_MESSAGES", "virDomainGetMessages"},
}

var lxcProcs = []procInfo{
	{LXCProcDomainOpenNamespace, "DOMAIN_OPEN_NAMESPACE", "virDomainLxcOpenNamespace"},
}

var virtlxcProcs = []procInfo{
	{VirtlxcProcDomainConsoleResize, "DOMAIN_CONSOLE_RESIZE", "virtlxcDomainConsoleResize"},
}

var keepaliveProcs = []procInfo{
	{wire.KeepalivePing, "PING", ""},
	{wire.KeepalivePong, "PONG", ""},
}

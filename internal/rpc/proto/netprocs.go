package proto

// REMOTE_PROGRAM procedure numbers of libvirt's network API (virsh's
// net-* commands), served by the network registry.
const (
	ProcConnectListDefinedNetworks       uint32 = 36
	ProcConnectListNetworks              uint32 = 38
	ProcNetworkCreate                    uint32 = 39
	ProcNetworkCreateXML                 uint32 = 40
	ProcNetworkDefineXML                 uint32 = 41
	ProcNetworkDestroy                   uint32 = 42
	ProcNetworkGetXMLDesc                uint32 = 43
	ProcNetworkGetAutostart              uint32 = 44
	ProcNetworkGetBridgeName             uint32 = 45
	ProcNetworkLookupByName              uint32 = 46
	ProcNetworkLookupByUUID              uint32 = 47
	ProcNetworkSetAutostart              uint32 = 48
	ProcNetworkUndefine                  uint32 = 49
	ProcConnectNumOfDefinedNetworks      uint32 = 50
	ProcConnectNumOfNetworks             uint32 = 52
	ProcNetworkIsActive                  uint32 = 152
	ProcNetworkIsPersistent              uint32 = 153
	ProcConnectListAllNetworks           uint32 = 283
	ProcNetworkUpdate                    uint32 = 291
	ProcNetworkGetDhcpLeases             uint32 = 341
	ProcConnectNetworkEventRegisterAny   uint32 = 313
	ProcConnectNetworkEventDeregisterAny uint32 = 314
	ProcNetworkEventLifecycle            uint32 = 315
	ProcNetworkListAllPorts              uint32 = 404
	ProcNetworkPortLookupByUUID          uint32 = 405
	ProcNetworkPortCreateXML             uint32 = 406
	ProcNetworkPortGetXMLDesc            uint32 = 409
	ProcNetworkPortDelete                uint32 = 410
	ProcNetworkDefineXMLFlags            uint32 = 432
	ProcNetworkCreateXMLFlags            uint32 = 437
)

// networkProcs are the network procedures' table entries.
var networkProcs = []procInfo{
	{ProcConnectListDefinedNetworks, "CONNECT_LIST_DEFINED_NETWORKS", "virConnectListDefinedNetworks"},
	{ProcConnectListNetworks, "CONNECT_LIST_NETWORKS", "virConnectListNetworks"},
	{ProcNetworkCreate, "NETWORK_CREATE", "virNetworkCreate"},
	{ProcNetworkCreateXML, "NETWORK_CREATE_XML", "virNetworkCreateXML"},
	{ProcNetworkDefineXML, "NETWORK_DEFINE_XML", "virNetworkDefineXML"},
	{ProcNetworkDestroy, "NETWORK_DESTROY", "virNetworkDestroy"},
	{ProcNetworkGetXMLDesc, "NETWORK_GET_XML_DESC", "virNetworkGetXMLDesc"},
	{ProcNetworkGetAutostart, "NETWORK_GET_AUTOSTART", "virNetworkGetAutostart"},
	{ProcNetworkGetBridgeName, "NETWORK_GET_BRIDGE_NAME", "virNetworkGetBridgeName"},
	{ProcNetworkLookupByName, "NETWORK_LOOKUP_BY_NAME", "virNetworkLookupByName"},
	{ProcNetworkLookupByUUID, "NETWORK_LOOKUP_BY_UUID", "virNetworkLookupByUUID"},
	{ProcNetworkSetAutostart, "NETWORK_SET_AUTOSTART", "virNetworkSetAutostart"},
	{ProcNetworkUndefine, "NETWORK_UNDEFINE", "virNetworkUndefine"},
	{ProcConnectNumOfDefinedNetworks, "CONNECT_NUM_OF_DEFINED_NETWORKS", "virConnectNumOfDefinedNetworks"},
	{ProcConnectNumOfNetworks, "CONNECT_NUM_OF_NETWORKS", "virConnectNumOfNetworks"},
	{ProcNetworkIsActive, "NETWORK_IS_ACTIVE", "virNetworkIsActive"},
	{ProcNetworkIsPersistent, "NETWORK_IS_PERSISTENT", "virNetworkIsPersistent"},
	{ProcConnectListAllNetworks, "CONNECT_LIST_ALL_NETWORKS", "virConnectListAllNetworks"},
	{ProcNetworkUpdate, "NETWORK_UPDATE", "virNetworkUpdate"},
	{ProcNetworkGetDhcpLeases, "NETWORK_GET_DHCP_LEASES", "virNetworkGetDHCPLeases"},
	{ProcConnectNetworkEventRegisterAny, "CONNECT_NETWORK_EVENT_REGISTER_ANY", "virConnectNetworkEventRegisterAny"},
	{ProcConnectNetworkEventDeregisterAny, "CONNECT_NETWORK_EVENT_DEREGISTER_ANY", "virConnectNetworkEventDeregisterAny"},
	{ProcNetworkEventLifecycle, "NETWORK_EVENT_LIFECYCLE", ""},
	{ProcNetworkListAllPorts, "NETWORK_LIST_ALL_PORTS", "virNetworkListAllPorts"},
	{ProcNetworkPortLookupByUUID, "NETWORK_PORT_LOOKUP_BY_UUID", "virNetworkPortLookupByUUID"},
	{ProcNetworkPortCreateXML, "NETWORK_PORT_CREATE_XML", "virNetworkPortCreateXML"},
	{ProcNetworkPortGetXMLDesc, "NETWORK_PORT_GET_XML_DESC", "virNetworkPortGetXMLDesc"},
	{ProcNetworkPortDelete, "NETWORK_PORT_DELETE", "virNetworkPortDelete"},
	{ProcNetworkDefineXMLFlags, "NETWORK_DEFINE_XML_FLAGS", "virNetworkDefineXMLFlags"},
	{ProcNetworkCreateXMLFlags, "NETWORK_CREATE_XML_FLAGS", "virNetworkCreateXMLFlags"},
}

// networkReadOnly are the network procedures a read-only connection may
// call (libvirt's network:read ACL).
var networkReadOnly = []uint32{
	ProcConnectListDefinedNetworks, ProcConnectListNetworks, ProcNetworkGetXMLDesc,
	ProcNetworkGetAutostart, ProcNetworkGetBridgeName, ProcNetworkLookupByName,
	ProcNetworkLookupByUUID, ProcConnectNumOfDefinedNetworks, ProcConnectNumOfNetworks,
	ProcNetworkIsActive, ProcNetworkIsPersistent, ProcConnectListAllNetworks, ProcNetworkGetDhcpLeases,
	ProcConnectNetworkEventRegisterAny, ProcConnectNetworkEventDeregisterAny,
	ProcNetworkListAllPorts, ProcNetworkPortLookupByUUID, ProcNetworkPortGetXMLDesc,
}

func init() {
	for _, p := range networkReadOnly {
		readOnlySafe[p] = true
	}
}

# Network calls through python3-libvirt that start nothing, whose answers
# (value, or error code, error domain and message) are deterministic;
# prints one JSON line per call. libvirt.jsonl is what libvirt 9.0's daemon
# (LXC and network drivers, in private namespaces on this machine kind)
# printed, 2026-11-29.
import os
import sys

import libvirt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from pyrec import done, rec  # noqa: E402

c = libvirt.open(sys.argv[1])
N = ("<network><name>na</name><uuid>22222222-2222-3333-4444-555555555561</uuid><bridge name='vbna'/>"
     "<ip address='10.78.1.1' prefix='24'><dhcp><range start='10.78.1.10' end='10.78.1.50'/></dhcp></ip></network>")
U = libvirt
rec('lookup-missing', c.networkLookupByName, 'nope')
rec('define-badmode', c.networkDefineXML, N.replace("<bridge", "<forward mode='bogus'/><bridge"))
rec('define-v6-nofamily', c.networkDefineXML, N.replace("<ip address='10.78.1.1' prefix='24'>", "<ip address='fd00::1' prefix='64'>").replace("<dhcp><range start='10.78.1.10' end='10.78.1.50'/></dhcp>", ""))
rec('define-range-outside', c.networkDefineXML, N.replace("10.78.1.10", "10.78.2.10"))
rec('define-dns-host-noip', c.networkDefineXML, N.replace("<ip ", "<dns><host><hostname>a</hostname></host></dns><ip "))
rec('defineXMLFlags-badflag', c.networkDefineXMLFlags, N, 1 << 20)
rec('defineXMLFlags-validate', c.networkDefineXMLFlags, N.replace('<bridge', '<bogus/><bridge'), 1)
rec('createXMLFlags-badflag', c.networkCreateXMLFlags, N, 1 << 20)
rec('define', c.networkDefineXML, N)
n = c.networkLookupByName('na')
rec('define-dup-uuid-same-bridge', c.networkDefineXML, N.replace('<name>na', '<name>nb'))
rec('define-dup-uuid', c.networkDefineXML, N.replace('<name>na', '<name>nb').replace('vbna', 'vbnb'))
rec('xml-badflag', n.XMLDesc, 1 << 10)
rec('list-badflag', c.listAllNetworks, 1 << 20)
rec('destroy-inactive', n.destroy)
rec('update-badflag', n.update, U.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, U.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, "<host mac='52:54:00:00:00:01' ip='10.78.1.5'/>", 1 << 10)
rec('update-modify-missing', n.update, U.VIR_NETWORK_UPDATE_COMMAND_MODIFY, U.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, "<host mac='52:54:00:00:00:99' ip='10.78.1.99'/>", U.VIR_NETWORK_UPDATE_AFFECT_CONFIG)
rec('update-range-outside', n.update, U.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, U.VIR_NETWORK_SECTION_IP_DHCP_RANGE, -1, "<range start='10.79.1.100' end='10.79.1.120'/>", U.VIR_NETWORK_UPDATE_AFFECT_CONFIG)
rec('listAllPorts-badflag', n.listAllPorts, 1 << 10)
rec('dhcpLeases-badflag', n.DHCPLeases, None, 1 << 10)
rec('portCreateXML-badflag', n.portCreateXML, "<networkport><uuid>11111111-2222-3333-4444-555555555555</uuid>"
    "<owner><name>x</name><uuid>11111111-2222-3333-4444-555555555556</uuid></owner>"
    "<mac address='52:54:00:00:00:01'/></networkport>", 1 << 10)
rec('undefine', n.undefine)
done()

# Calls through python3-libvirt whose answers (value, or error code, error
# domain and message) are deterministic; prints one JSON line per call.
# libvirt.jsonl is what libvirt 9.0's daemon (LXC driver only, in a private
# namespace on this machine kind) printed, 2026-11-29.
import os
import sys

import libvirt
import libvirt_lxc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from pyrec import done, rec  # noqa: E402

c = libvirt.open(sys.argv[1])
X = ("<domain type='lxc'><name>pyapi</name><uuid>11111111-2222-3333-4444-777777777777</uuid>"
     "<memory>65536</memory><os><type>exe</type><init>/bin/sleep</init><initarg>infinity</initarg></os>"
     "<devices><console type='pty'/></devices></domain>")
NS = ("<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'><name>pyns</name><memory>65536</memory>"
      "<os><type>exe</type><init>/bin/sleep</init><initarg>1</initarg></os><devices><console type='pty'/></devices>"
      "<lxc:namespace>%s</lxc:namespace></domain>")
rec('create-sharenet-missing', c.createXML, NS % "<lxc:sharenet type='netns' value='nosuchns'/>", 0)
rec('create-shareuts-missing', c.createXML, NS % "<lxc:shareuts type='name' value='nosuchdom'/>", 0)
rec('create-shareipc-badpid', c.createXML, NS % "<lxc:shareipc type='pid' value='999999999'/>", 0)
rec('lookupByName', c.lookupByName, 'nope')
rec('lookupByID', c.lookupByID, 99999999)
rec('lookupByUUIDString', c.lookupByUUIDString, '11111111-2222-3333-4444-000000000000')
rec('getSysinfo', c.getSysinfo, 0)
rec('listAllStoragePools', c.listAllStoragePools, 0)
rec('listAllInterfaces', c.listAllInterfaces, 0)
rec('listAllDevices', c.listAllDevices, 0)
rec('listAllSecrets', c.listAllSecrets, 0)
rec('listAllNWFilters', c.listAllNWFilters, 0)
rec('listAllNWFilterBindings', c.listAllNWFilterBindings, 0)
rec('numOfDevices', c.numOfDevices, None, 0)
rec('storagePoolLookupByName', c.storagePoolLookupByName, 'nopool')
rec('getCPUModelNames', c.getCPUModelNames, 'x86_64', 0)
B = 1 << 20
rec('flags-getCPUMap', c.getCPUMap, B)
rec('flags-getMemoryParameters', c.getMemoryParameters, B)
rec('flags-getMemoryStats', c.getMemoryStats, -1, B)
rec('flags-suspendForDuration', c.suspendForDuration, 0, 60, B)
rec('flags-listAllDomains', c.listAllDomains, B)
rec('defineXML', c.defineXML, X)
d = c.lookupByName('pyapi')
rec('flags-metadata', d.metadata, 1, None, B)
rec('flags-getCPUStats-inactive', d.getCPUStats, True, B)
rec('hasCurrentSnapshot', d.hasCurrentSnapshot, 0)
rec('listAllSnapshots', d.listAllSnapshots, 0)
rec('listAllCheckpoints', d.listAllCheckpoints, 0)
rec('vcpus', d.vcpus)
rec('setBlkioParameters-weight', d.setBlkioParameters, {'weight': 5}, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
rec('blkioParameters-weight', lambda: d.blkioParameters(libvirt.VIR_DOMAIN_AFFECT_CONFIG)['weight'])
rec('setBlkioParameters-device-config', d.setBlkioParameters, {'device_write_iops_sec': '/dev/nope,9'}, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
rec('blkioParameters-device-config', lambda: d.blkioParameters(libvirt.VIR_DOMAIN_AFFECT_CONFIG)['device_write_iops_sec'])
rec('setBlkioParameters-device-parse', d.setBlkioParameters, {'device_read_bytes_sec': '/dev/nope,7x'}, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
rec('setBlkioParameters-device-clear', d.setBlkioParameters, {'device_write_iops_sec': '/dev/nope,0'}, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
rec('blkioParameters-device-cleared', lambda: d.blkioParameters(libvirt.VIR_DOMAIN_AFFECT_CONFIG)['device_write_iops_sec'])
rec('setMemoryParameters-order', d.setMemoryParameters, {'hard_limit': 1000, 'soft_limit': 2000, 'swap_hard_limit': 500}, 0)
rec('create', d.create)
rec('interfaceAddresses-agent', d.interfaceAddresses, 1)
rec('lxcOpenNamespace', lambda: len(libvirt_lxc.lxcOpenNamespace(d, 0)))
rec('setBlkioParameters-device-notblock', d.setBlkioParameters, {'device_read_iops_sec': '/dev/null,5'}, libvirt.VIR_DOMAIN_AFFECT_LIVE)
rec('setBlkioParameters-device-missing', d.setBlkioParameters, {'device_read_iops_sec': '/dev/nope,5'}, libvirt.VIR_DOMAIN_AFFECT_LIVE)
rec('updateDeviceFlags-live', d.updateDeviceFlags, "<console type='pty'/>", libvirt.VIR_DOMAIN_AFFECT_LIVE)
rec('destroy', d.destroy)
rec('undefine', d.undefine)
rec('stale-info', d.info)
rec('stale-XMLDesc', d.XMLDesc, 0)
rec('stale-undefine', d.undefine)
done()

// Package hostinfo computes the answers libvirt 9.0's LXC driver gives to
// virsh's host queries: capabilities XML (CONNECT_GET_CAPABILITIES), node
// info (NODE_GET_INFO), sysinfo (CONNECT_GET_SYSINFO), the hypervisor and
// library versions (CONNECT_GET_VERSION, CONNECT_GET_LIB_VERSION), the host
// name (CONNECT_GET_HOSTNAME) and free memory (NODE_GET_FREE_MEMORY,
// NODE_GET_CELLS_FREE_MEMORY).
//
// The package is split in two. Read takes a snapshot of the relevant /proc
// and /sys files into a Host; everything else is a pure function of that
// snapshot, so tests feed it a copy of those files (testdata/host) instead of
// the live machine. The formatters follow libvirt's own code (capabilities.c,
// virhostcpu.c, virhostmem.c, virnuma.c with libnuma, virsysinfo.c) so that
// the output matches libvirt byte for byte.
//
// Where libvirt takes a fact from somewhere this package cannot look, the
// difference is documented on the field or function concerned:
//   - the NUMA view is what libnuma reads from /sys/devices/system/node;
//   - power management targets (libvirt asks systemd-logind or
//     pm-is-supported) are never probed: Host.PowerTargets stays empty;
//   - sysinfo is built from /sys/class/dmi/id rather than dmidecode, so it
//     has no processor, memory_device or oemStrings sections;
//   - resctrl cache controls, memory bandwidth and HMAT interconnects are not
//     reported.
package hostinfo

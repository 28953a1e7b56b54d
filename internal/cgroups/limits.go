package cgroups

// UnlimitedKiB is libvirt's VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: as a memory
// value it means "no limit" and is written as -1 (v1) or "max" (v2).
const UnlimitedKiB uint64 = 9007199254740991

// Ranges libvirt enforces before writing CPU values.
const (
	// CPUSharesMinV1 and CPUSharesMaxV1 bound cpu.shares on cgroup v1.
	CPUSharesMinV1 = 2
	CPUSharesMaxV1 = 262144
	// CPUWeightMin and CPUWeightMax bound the shares value libvirt writes
	// unchanged to cpu.weight on cgroup v2.
	CPUWeightMin = 1
	CPUWeightMax = 10000
	// CPUPeriodMin and CPUPeriodMax bound the CFS period in µs.
	CPUPeriodMin = 1000
	CPUPeriodMax = 1000000
	// CPUQuotaMin and CPUQuotaMax bound a non-negative CFS quota in µs;
	// on v2 CPUQuotaMax is written as "max".
	CPUQuotaMin = 1000
	CPUQuotaMax = 17592186044415
)

// Limits are a domain's resource settings in libvirt's units. A zero field
// is "not set" and produces no write.
//
// To reproduce libvirt's start-up behaviour, pass 0 for memtune values that
// libvirt considers unset (absent, or >= UnlimitedKiB in the XML); an
// explicit UnlimitedKiB here is written as "no limit", which is what a live
// `virsh memtune --hard-limit -1` does.
type Limits struct {
	// MemoryKiB is <memory>, which libvirt applies as the hard limit.
	MemoryKiB uint64
	// HardLimitKiB is <memtune><hard_limit>; it overrides MemoryKiB.
	HardLimitKiB uint64
	// SoftLimitKiB is <memtune><soft_limit> (v2: memory.high).
	SoftLimitKiB uint64
	// SwapHardLimitKiB is <memtune><swap_hard_limit> (v1: memory+swap,
	// v2: memory.swap.max, written with the same value as libvirt does).
	SwapHardLimitKiB uint64

	// CPUShares is <cputune><shares>.
	CPUShares uint64
	// CPUPeriod is <cputune><period> in µs.
	CPUPeriod uint64
	// CPUQuota is <cputune><quota> in µs; negative means unlimited.
	CPUQuota int64

	// CpusetCpus is the <vcpu cpuset> list, e.g. "0-3,6".
	CpusetCpus string
	// CpusetMems is the <numatune><memory nodeset> list.
	CpusetMems string

	// BlkioWeight is <blkiotune><weight>.
	BlkioWeight uint
	// BlkioDevices are <blkiotune><device> entries, in XML order.
	BlkioDevices []BlkioDevice

	// PidsMax limits the number of tasks (not a libvirt setting);
	// negative means "max".
	PidsMax int64
}

// BlkioDevice is one <blkiotune><device>: throttles and weight for one
// block device, identified by number. Zero fields are not set.
type BlkioDevice struct {
	// Major and Minor identify the block device.
	Major, Minor uint32
	// Weight is the per-device weight.
	Weight uint
	// ReadIops and WriteIops limit I/O operations per second.
	ReadIops, WriteIops uint
	// ReadBps and WriteBps limit bytes per second.
	ReadBps, WriteBps uint64
	// Exact writes the zero throttles too, removing those limits (a live
	// change); otherwise zero fields are left alone.
	Exact bool
}

// IsZero reports whether no limit is set.
func (l *Limits) IsZero() bool {
	return l.MemoryKiB == 0 && l.HardLimitKiB == 0 && l.SoftLimitKiB == 0 &&
		l.SwapHardLimitKiB == 0 && l.CPUShares == 0 && l.CPUPeriod == 0 &&
		l.CPUQuota == 0 && l.CpusetCpus == "" && l.CpusetMems == "" &&
		l.BlkioWeight == 0 && len(l.BlkioDevices) == 0 && l.PidsMax == 0
}

package driver

import (
	"errors"
	"math"
	"strings"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/cgroups"
	"virtlxc/internal/cparse"
	"virtlxc/internal/domainxml"
	"virtlxc/internal/virerr"
)

// The typed parameters of virDomainSetBlkioParameters that name devices:
// "path,value[,path,value]..." strings.
const (
	blkioDeviceWeight    = "device_weight"
	blkioDeviceReadIops  = "device_read_iops_sec"
	blkioDeviceWriteIops = "device_write_iops_sec"
	blkioDeviceReadBps   = "device_read_bytes_sec"
	blkioDeviceWriteBps  = "device_write_bytes_sec"
)

// IsBlkioDeviceParam reports whether field is one of the per-device blkio
// parameters (SetBlkioDevices takes them).
func IsBlkioDeviceParam(field string) bool {
	switch field {
	case blkioDeviceWeight, blkioDeviceReadIops, blkioDeviceWriteIops, blkioDeviceReadBps, blkioDeviceWriteBps:
		return true
	}
	return false
}

// blkioDev is one device of such a string: its path and the value.
type blkioDev struct {
	path  string
	value uint64
}

// parseBlkioDevices reads s, a value of parameter field, as libvirt's
// virDomainDriverParseBlkioDeviceStr does: "" is no device; otherwise an
// even number of comma-separated fields, each value an unsigned decimal
// (64 bits for the byte rates, 32 for the others).
func parseBlkioDevices(field, s string) ([]blkioDev, error) {
	if s == "" {
		return nil, nil
	}
	parseErr := virerr.New(virerr.ErrInvalidArg, virerr.FromDomain, "unable to parse blkio device '%s' '%s'", field, s)
	if strings.Count(s, ",")%2 == 0 {
		return nil, parseErr
	}
	bits := 32
	if field == blkioDeviceReadBps || field == blkioDeviceWriteBps {
		bits = 64
	}
	var devs []blkioDev
	rest := s
	for {
		path, after, ok := strings.Cut(rest, ",")
		if !ok {
			return nil, parseErr
		}
		// virStrToLong_uip / _ullp with an end pointer: the number, then
		// a separator; libvirt names the whole rest of the string when the
		// number itself is bad.
		v, tail, ok := cparse.ULLPrefix(after)
		if !ok || strings.HasPrefix(strings.TrimLeft(after, " \t\n\v\f\r"), "-") || bits == 32 && v > math.MaxUint32 {
			return nil, virerr.New(virerr.ErrInvalidArg, virerr.FromDomain,
				"invalid value '%s' for parameter '%s' of device '%s'", after, field, path)
		}
		devs = append(devs, blkioDev{path: path, value: v})
		switch {
		case tail == "":
			return devs, nil
		case tail[0] != ',':
			return nil, parseErr
		}
		rest = tail[1:]
	}
}

// blkioField returns the field of dev parameter field names.
func blkioField(dev *libvirtxml.DomainBlockIOTuneDevice, field string) *uint {
	switch field {
	case blkioDeviceWeight:
		return &dev.Weight
	case blkioDeviceReadIops:
		return &dev.ReadIopsSec
	case blkioDeviceWriteIops:
		return &dev.WriteIopsSec
	case blkioDeviceReadBps:
		return &dev.ReadBytesSec
	default:
		return &dev.WriteBytesSec
	}
}

// mergeBlkioDevices sets field of devs into bt's devices, as libvirt's
// virDomainDriverMergeBlkioDevice does: a device already listed (by path)
// takes the value, a new one is added unless the value is 0. Devices left
// with no value at all are dropped (libvirt keeps them but never formats
// them).
func mergeBlkioDevices(bt *libvirtxml.DomainBlockIOTune, field string, devs []blkioDev) {
	for _, d := range devs {
		found := false
		for i := range bt.Device {
			if bt.Device[i].Path == d.path {
				*blkioField(&bt.Device[i], field) = uint(d.value)
				found = true
				break
			}
		}
		if !found && d.value != 0 {
			nd := libvirtxml.DomainBlockIOTuneDevice{Path: d.path}
			*blkioField(&nd, field) = uint(d.value)
			bt.Device = append(bt.Device, nd)
		}
	}
	kept := bt.Device[:0]
	for _, dev := range bt.Device {
		if dev.Weight != 0 || dev.ReadIopsSec != 0 || dev.WriteIopsSec != 0 || dev.ReadBytesSec != 0 || dev.WriteBytesSec != 0 {
			kept = append(kept, dev)
		}
	}
	bt.Device = kept
}

// SetBlkioDevices applies one per-device blkio parameter, field (say
// "device_read_iops_sec") with value "path,value,..."
// (virDomainSetBlkioParameters; flags AffectLive, AffectConfig). As
// libvirt 9.0 does: the live groups take each device by number (stat of
// its path on the host), then the live definition records the values;
// the config takes the paths as given.
func (d *Driver) SetBlkioDevices(ref Ref, field, value string, flags uint32) error {
	var devs []blkioDev
	return d.setBlkio(ref, flags, blkioChange{
		check: func() (err error) {
			devs, err = parseBlkioDevices(field, value)
			return err
		},
		limits: func(live *domainxml.Domain) (cgroups.Limits, error) {
			return liveBlkioDevices(live, field, devs)
		},
		edit: func(bt *libvirtxml.DomainBlockIOTune) { mergeBlkioDevices(bt, field, devs) },
	})
}

// liveBlkioDevices is what the live groups take for devs, values of field:
// each device's throttles whole, from the live definition with this
// change (a 0 removes that limit), its number from a stat of its path.
func liveBlkioDevices(live *domainxml.Domain, field string, devs []blkioDev) (cgroups.Limits, error) {
	merged := libvirtxml.DomainBlockIOTune{}
	if live.BlockIOTune != nil {
		merged.Device = append(merged.Device, live.BlockIOTune.Device...)
	}
	mergeBlkioDevices(&merged, field, devs)
	var lim cgroups.Limits
	for _, dv := range devs {
		major, minor, err := cgroups.BlockDevice(dv.path)
		if err != nil {
			return lim, virerr.Wrap(err, virerr.ErrSystemError, virerr.FromCgroup, "%s", err.Error())
		}
		bd := cgroups.BlkioDevice{Major: major, Minor: minor, Exact: true}
		for _, m := range merged.Device {
			if m.Path == dv.path {
				bd.ReadIops, bd.WriteIops = m.ReadIopsSec, m.WriteIopsSec
				bd.ReadBps, bd.WriteBps = uint64(m.ReadBytesSec), uint64(m.WriteBytesSec)
			}
		}
		if field == blkioDeviceWeight {
			bd.Weight = uint(dv.value)
		}
		lim.BlkioDevices = append(lim.BlkioDevices, bd)
	}
	return lim, nil
}

// blkioSetError words a failed blkio write of the live groups as libvirt
// does: a setting the I/O scheduler cannot take is
// VIR_ERR_OPERATION_INVALID, a write the kernel refused
// VIR_ERR_SYSTEM_ERROR with virCgroupSetValueRaw's words, anything else
// the write's failure.
func blkioSetError(err error) error {
	var inv *cgroups.InvalidError
	if errors.As(err, &inv) {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromCgroup, "%s", inv.Msg)
	}
	if se := (*virerr.SysError)(nil); errors.As(err, &se) {
		return virerr.Wrap(err, virerr.ErrSystemError, virerr.FromCgroup, "%s", se.Error())
	}
	return virerr.Wrap(err, virerr.ErrOperationFailed, virerr.FromCgroup, "%s", cgroupErrText(err))
}

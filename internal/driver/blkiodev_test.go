package driver

import (
	"reflect"
	"testing"

	"libvirt.org/go/libvirtxml"

	"virtlxc/internal/virerr"
)

// The answers of libvirt 9.0's daemon to virsh blkiotune on this machine
// kind (2026-11-29).
func TestParseBlkioDevices(t *testing.T) {
	for _, c := range []struct {
		field, in string
		want      []blkioDev
		err       string
	}{
		{blkioDeviceReadIops, "", nil, ""},
		{blkioDeviceReadIops, "/dev/vda,5", []blkioDev{{"/dev/vda", 5}}, ""},
		{blkioDeviceReadBps, "/dev/vda,4294967296,/dev/vdb, +7", []blkioDev{{"/dev/vda", 4294967296}, {"/dev/vdb", 7}}, ""},
		{blkioDeviceWriteIops, "/dev/vda,x7", nil, "invalid argument: invalid value 'x7' for parameter 'device_write_iops_sec' of device '/dev/vda'"},
		{blkioDeviceWriteIops, "/dev/vda,x7,/dev/vdb,1", nil, "invalid argument: invalid value 'x7,/dev/vdb,1' for parameter 'device_write_iops_sec' of device '/dev/vda'"},
		{blkioDeviceWriteIops, "/dev/vda,7x", nil, "invalid argument: unable to parse blkio device 'device_write_iops_sec' '/dev/vda,7x'"},
		{blkioDeviceWriteIops, "/dev/vda", nil, "invalid argument: unable to parse blkio device 'device_write_iops_sec' '/dev/vda'"},
		{blkioDeviceWriteIops, "/dev/vda,1,/dev/vdb", nil, "invalid argument: unable to parse blkio device 'device_write_iops_sec' '/dev/vda,1,/dev/vdb'"},
		{blkioDeviceWriteIops, "/dev/vda,-1", nil, "invalid argument: invalid value '-1' for parameter 'device_write_iops_sec' of device '/dev/vda'"},
		{blkioDeviceWriteIops, "/dev/vda,4294967296", nil, "invalid argument: invalid value '4294967296' for parameter 'device_write_iops_sec' of device '/dev/vda'"},
		{blkioDeviceWeight, "/dev/vda,", nil, "invalid argument: invalid value '' for parameter 'device_weight' of device '/dev/vda'"},
	} {
		got, err := parseBlkioDevices(c.field, c.in)
		if c.err != "" {
			wantErr(t, err, virerr.ErrInvalidArg, c.err)
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseBlkioDevices(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// Merging follows virDomainDriverMergeBlkioDevice: by path, new devices
// only with a value; a device left without any value is not kept.
func TestMergeBlkioDevices(t *testing.T) {
	bt := &libvirtxml.DomainBlockIOTune{Device: []libvirtxml.DomainBlockIOTuneDevice{{Path: "/dev/vda", ReadIopsSec: 5}}}
	mergeBlkioDevices(bt, blkioDeviceReadBps, []blkioDev{{"/dev/vda", 1000000}, {"/dev/vdb", 0}, {"/dev/vdc", 9}})
	want := []libvirtxml.DomainBlockIOTuneDevice{{Path: "/dev/vda", ReadIopsSec: 5, ReadBytesSec: 1000000}, {Path: "/dev/vdc", ReadBytesSec: 9}}
	if !reflect.DeepEqual(bt.Device, want) {
		t.Fatalf("merged %+v, want %+v", bt.Device, want)
	}
	mergeBlkioDevices(bt, blkioDeviceReadIops, []blkioDev{{"/dev/vda", 0}})
	mergeBlkioDevices(bt, blkioDeviceReadBps, []blkioDev{{"/dev/vda", 0}})
	want = []libvirtxml.DomainBlockIOTuneDevice{{Path: "/dev/vdc", ReadBytesSec: 9}}
	if !reflect.DeepEqual(bt.Device, want) {
		t.Fatalf("after clearing /dev/vda: %+v, want %+v", bt.Device, want)
	}
}

// The config takes device paths as given (no stat), and the size query
// answers before the definitions are looked at.
func TestBlkioDevicesConfig(t *testing.T) {
	e := newEnv(t)
	ref := e.define("web", uuid1)
	if err := e.d.SetBlkioDevices(ref, blkioDeviceWriteIops, "/dev/nope,9,/dev/vda,3", AffectConfig); err != nil {
		t.Fatal(err)
	}
	b, err := e.d.GetBlkioParameters(ref, AffectConfig)
	if err != nil || b.DeviceWriteIopsSec != "/dev/nope,9,/dev/vda,3" {
		t.Fatalf("%+v, %v", b, err)
	}
	err = e.d.SetBlkioDevices(ref, blkioDeviceWriteIops, "/dev/vda,1", AffectLive)
	wantErr(t, err, virerr.ErrOperationInvalid, "Requested operation is not valid: domain is not running")
	if n, err := e.d.BlkioParameterCount(ref, AffectConfig); n != 6 || err != nil {
		t.Fatalf("count %d, %v", n, err)
	}
	_, err = e.d.BlkioParameterCount(ref, 1<<20)
	wantErr(t, err, virerr.ErrInvalidArg, "unsupported flags (0x100000) in function lxcDomainGetBlkioParameters")
}

// Package xdr encodes and decodes Go values in XDR (RFC 4506) exactly as
// libvirt's rpcgen-generated C code does, so go-libvirt's exported protocol
// structs (libvirt.DomainGetInfoRet, libvirt.TypedParam, …) can be sent to and
// read from real libvirt clients.
//
// Mapping from Go types (discovered by reflection, cached per type):
//
//	bool                        4 bytes, 0 or 1 (decoding: any non-zero word is true, as C's xdr_bool)
//	int8, int16, int32          4 bytes, signed (char and short are widened, as xdr_char/xdr_short)
//	uint8, uint16, uint32       4 bytes, unsigned
//	int64, uint64               8 bytes (hyper, unsigned hyper)
//	float32, float64            4 / 8 bytes IEEE 754 (float, double)
//	string                      length, bytes, padding to 4 (at most MaxString bytes)
//	[N]byte, [N]uint8           fixed-length opaque: N bytes, padding (remote_uuid)
//	[N]T                        fixed-length array: N elements (char model[32]: 32 words)
//	[]byte                      variable-length opaque: length, bytes, padding
//	[]T                         variable-length array: count, elements (at most MaxArray)
//	named slice "Opt…" ([]T)    optional data (remote_string, remote_domain): a 0/1 flag, then
//	                            the element when the flag is set. go-libvirt models every
//	                            optional pointer as such a named 0- or 1-element slice.
//	*T                          optional data, nil = absent
//	field tag `xdr:"optional"`  marks a slice field as optional data
//	libvirt.TypedParamValue     the remote_typed_param_value union: discriminant 1..7
//	                            (int, uint, llong, ullong, double, boolean, string)
//	struct                      every field in order, exported or not
//
// Go int, uint, maps, channels, funcs and other interfaces are rejected.
//
// Decoding is bounded: every length is checked against the bytes still
// unread before anything is allocated (an array of n elements needs at least
// n times its element's minimum encoded size), and against libvirt's limits
// (MaxString, MaxArray), so a hostile packet can never make the decoder
// allocate more than the packet itself could hold. Trailing bytes after a
// decoded value are ignored, as libvirt's own decoder does.
package xdr

// Limits from libvirt 9.0's protocol files.
const (
	// MaxString is REMOTE_STRING_MAX and VIR_NET_MESSAGE_STRING_MAX: the
	// longest string libvirt's decoder accepts.
	MaxString = 4194304

	// MaxArray is the largest element-count bound in remote_protocol.x
	// (REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX). Per-field bounds are
	// smaller; they are the handler's business on encode (see package
	// proto for the ones virtlxc meets).
	MaxArray = 262144

	// MaxOpaque bounds variable-length opaque data: a whole packet payload
	// (VIR_NET_MESSAGE_PAYLOAD_MAX).
	MaxOpaque = 33554408
)

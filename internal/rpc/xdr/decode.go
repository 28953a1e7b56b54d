package xdr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
)

// ErrShort is returned when the input ends before the value does.
var ErrShort = errors.New("xdr: input too short")

// Decoder reads XDR data from a byte slice. It never allocates more than
// the unread input could encode.
type Decoder struct {
	buf []byte
	off int
}

// NewDecoder returns a decoder reading buf.
func NewDecoder(buf []byte) *Decoder { return &Decoder{buf: buf} }

// Unmarshal decodes data into v, which must be a non-nil pointer. Bytes left
// after the value are ignored, as libvirt's decoder ignores them.
func Unmarshal(data []byte, v any) error {
	return NewDecoder(data).Decode(v)
}

// Remaining returns the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Offset returns the number of bytes consumed so far.
func (d *Decoder) Offset() int { return d.off }

// Decode decodes the next value into v, which must be a non-nil pointer.
func (d *Decoder) Decode(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("xdr: decode needs a non-nil pointer, got %T", v)
	}
	rv = rv.Elem()
	c, err := codecFor(rv.Type())
	if err != nil {
		return err
	}
	if err := c.dec(d, rv); err != nil {
		return fmt.Errorf("xdr: decode %s: %w", rv.Type(), err)
	}
	return nil
}

func (d *Decoder) take(n int) ([]byte, error) {
	if n < 0 || n > d.Remaining() {
		return nil, ErrShort
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b, nil
}

// Uint32 reads an unsigned int.
func (d *Decoder) Uint32() (uint32, error) {
	b, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

// Int32 reads an int.
func (d *Decoder) Int32() (int32, error) {
	u, err := d.Uint32()
	return int32(u), err
}

// Uint64 reads an unsigned hyper.
func (d *Decoder) Uint64() (uint64, error) {
	b, err := d.take(8)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// Int64 reads a hyper.
func (d *Decoder) Int64() (int64, error) {
	u, err := d.Uint64()
	return int64(u), err
}

// Float32 reads a float.
func (d *Decoder) Float32() (float32, error) {
	u, err := d.Uint32()
	return math.Float32frombits(u), err
}

// Float64 reads a double.
func (d *Decoder) Float64() (float64, error) {
	u, err := d.Uint64()
	return math.Float64frombits(u), err
}

// Bool reads a bool; like C's xdr_bool, any non-zero word is true (go-libvirt
// sends its CONNECT_OPEN name flag as 0x01000000).
func (d *Decoder) Bool() (bool, error) {
	u, err := d.Uint32()
	return u != 0, err
}

// String reads a string of at most MaxString bytes.
func (d *Decoder) String() (string, error) {
	b, err := d.variable(MaxString, "string")
	return string(b), err
}

// Opaque reads variable-length opaque data into a new slice.
func (d *Decoder) Opaque() ([]byte, error) {
	b, err := d.variable(MaxOpaque, "opaque")
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// FixedOpaque reads n bytes of fixed-length opaque data and its padding. The
// result aliases the input.
func (d *Decoder) FixedOpaque(n int) ([]byte, error) {
	b, err := d.take(pad4(n))
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// variable reads a length-prefixed byte run, checking the length against max
// and against the unread input before touching it.
func (d *Decoder) variable(max int, what string) ([]byte, error) {
	u, err := d.Uint32()
	if err != nil {
		return nil, err
	}
	if uint64(u) > uint64(max) {
		return nil, fmt.Errorf("xdr: %s length %d exceeds %d", what, u, max)
	}
	n := int(u)
	if pad4(n) > d.Remaining() {
		return nil, fmt.Errorf("xdr: %s length %d with %d bytes left: %w", what, n, d.Remaining(), ErrShort)
	}
	b, _ := d.take(pad4(n))
	return b[:n], nil
}

// count reads an array length and checks it against MaxArray and against
// what the unread input can hold at elemMin bytes per element.
func (d *Decoder) count(elemMin int) (int, error) {
	u, err := d.Uint32()
	if err != nil {
		return 0, err
	}
	if u > MaxArray {
		return 0, fmt.Errorf("xdr: array length %d exceeds %d", u, MaxArray)
	}
	n := int(u)
	if elemMin > 0 && n > d.Remaining()/elemMin {
		return 0, fmt.Errorf("xdr: array length %d with %d bytes left: %w", n, d.Remaining(), ErrShort)
	}
	return n, nil
}

package xdr

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
)

// Encoder appends XDR data to a byte slice. The zero value is ready to use.
type Encoder struct {
	buf []byte
}

// NewEncoder returns an encoder that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns everything encoded so far (including the initial buffer).
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes in the buffer.
func (e *Encoder) Len() int { return len(e.buf) }

// Marshal returns the XDR encoding of v. A nil v encodes to nothing (a void
// payload); a pointer at the top level is followed, not treated as optional.
func Marshal(v any) ([]byte, error) {
	var e Encoder
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// Encode appends the XDR encoding of v. On error the buffer is left as it
// was before the call.
func (e *Encoder) Encode(v any) error {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return fmt.Errorf("xdr: cannot encode nil %s", rv.Type())
		}
		rv = rv.Elem()
	} else {
		// Codecs read arrays and unexported fields through addresses.
		cp := reflect.New(rv.Type()).Elem()
		cp.Set(rv)
		rv = cp
	}
	c, err := codecFor(rv.Type())
	if err != nil {
		return err
	}
	start := len(e.buf)
	if err := c.enc(e, rv); err != nil {
		e.buf = e.buf[:start]
		return fmt.Errorf("xdr: encode %s: %w", rv.Type(), err)
	}
	return nil
}

// PutUint32 appends an unsigned int.
func (e *Encoder) PutUint32(u uint32) { e.buf = binary.BigEndian.AppendUint32(e.buf, u) }

// PutInt32 appends an int.
func (e *Encoder) PutInt32(i int32) { e.PutUint32(uint32(i)) }

// PutUint64 appends an unsigned hyper.
func (e *Encoder) PutUint64(u uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, u) }

// PutInt64 appends a hyper.
func (e *Encoder) PutInt64(i int64) { e.PutUint64(uint64(i)) }

// PutFloat32 appends a float.
func (e *Encoder) PutFloat32(f float32) { e.PutUint32(math.Float32bits(f)) }

// PutFloat64 appends a double.
func (e *Encoder) PutFloat64(f float64) { e.PutUint64(math.Float64bits(f)) }

// PutBool appends a bool (1 or 0).
func (e *Encoder) PutBool(b bool) {
	if b {
		e.PutUint32(1)
	} else {
		e.PutUint32(0)
	}
}

// PutString appends a string: length, bytes, zero padding.
func (e *Encoder) PutString(s string) error {
	if len(s) > MaxString {
		return fmt.Errorf("xdr: string of %d bytes exceeds %d", len(s), MaxString)
	}
	e.PutUint32(uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.pad(len(s))
	return nil
}

// PutOpaque appends variable-length opaque data: length, bytes, padding.
func (e *Encoder) PutOpaque(b []byte) error {
	if len(b) > MaxOpaque {
		return fmt.Errorf("xdr: opaque of %d bytes exceeds %d", len(b), MaxOpaque)
	}
	e.PutUint32(uint32(len(b)))
	e.PutFixedOpaque(b)
	return nil
}

// PutFixedOpaque appends fixed-length opaque data: the bytes and padding.
func (e *Encoder) PutFixedOpaque(b []byte) {
	e.buf = append(e.buf, b...)
	e.pad(len(b))
}

// PutRaw appends b unchanged: data that is already XDR, or raw stream bytes.
func (e *Encoder) PutRaw(b []byte) { e.buf = append(e.buf, b...) }

func (e *Encoder) pad(n int) {
	for range pad4(n) - n {
		e.buf = append(e.buf, 0)
	}
}

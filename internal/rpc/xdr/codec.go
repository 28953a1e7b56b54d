package xdr

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	libvirt "github.com/digitalocean/go-libvirt"
)

// codec is the compiled encoder/decoder pair for one Go type.
type codec struct {
	enc func(e *Encoder, v reflect.Value) error
	dec func(d *Decoder, v reflect.Value) error
	// min is the smallest number of bytes any value of the type encodes to;
	// the decoder uses it to bound array counts before allocating.
	min int
}

// codecs caches compiled codecs by type (like encoding/json's cache).
var codecs sync.Map // reflect.Type -> *codec

var typedParamValueType = reflect.TypeFor[libvirt.TypedParamValue]()

// codecFor returns the compiled codec for t.
func codecFor(t reflect.Type) (*codec, error) {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec), nil
	}
	c, err := build(t, map[reflect.Type]bool{})
	if err != nil {
		return nil, err
	}
	actual, _ := codecs.LoadOrStore(t, c)
	return actual.(*codec), nil
}

// build compiles a codec for t; visiting guards against recursive types,
// which libvirt's protocol does not have.
func build(t reflect.Type, visiting map[reflect.Type]bool) (*codec, error) {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec), nil
	}
	if visiting[t] {
		return nil, fmt.Errorf("xdr: recursive type %s is not supported", t)
	}
	visiting[t] = true
	defer delete(visiting, t)

	if t == typedParamValueType {
		return typedParamValueCodec(), nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return boolCodec, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return int32Codec, nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return uint32Codec, nil
	case reflect.Int64:
		return int64Codec, nil
	case reflect.Uint64:
		return uint64Codec, nil
	case reflect.Float32:
		return float32Codec, nil
	case reflect.Float64:
		return float64Codec, nil
	case reflect.String:
		return stringCodec, nil
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return fixedOpaqueCodec(t.Len()), nil
		}
		return fixedArrayCodec(t, visiting)
	case reflect.Slice:
		if strings.HasPrefix(t.Name(), "Opt") {
			return optionalSliceCodec(t, visiting)
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return opaqueCodec, nil
		}
		return sliceCodec(t, visiting)
	case reflect.Pointer:
		return pointerCodec(t, visiting)
	case reflect.Struct:
		return structCodec(t, visiting)
	}
	return nil, fmt.Errorf("xdr: unsupported type %s", t)
}

var (
	boolCodec = &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error { e.PutBool(v.Bool()); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			b, err := d.Bool()
			v.SetBool(b)
			return err
		}}
	int32Codec = &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error { e.PutInt32(int32(v.Int())); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			n, err := d.Int32()
			v.SetInt(int64(n)) // narrower kinds truncate, as C's xdr_char does
			return err
		}}
	uint32Codec = &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error { e.PutUint32(uint32(v.Uint())); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			n, err := d.Uint32()
			v.SetUint(uint64(n))
			return err
		}}
	int64Codec = &codec{min: 8,
		enc: func(e *Encoder, v reflect.Value) error { e.PutInt64(v.Int()); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			n, err := d.Int64()
			v.SetInt(n)
			return err
		}}
	uint64Codec = &codec{min: 8,
		enc: func(e *Encoder, v reflect.Value) error { e.PutUint64(v.Uint()); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			n, err := d.Uint64()
			v.SetUint(n)
			return err
		}}
	float32Codec = &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error { e.PutFloat32(float32(v.Float())); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			f, err := d.Float32()
			v.SetFloat(float64(f))
			return err
		}}
	float64Codec = &codec{min: 8,
		enc: func(e *Encoder, v reflect.Value) error { e.PutFloat64(v.Float()); return nil },
		dec: func(d *Decoder, v reflect.Value) error {
			f, err := d.Float64()
			v.SetFloat(f)
			return err
		}}
	stringCodec = &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error { return e.PutString(v.String()) },
		dec: func(d *Decoder, v reflect.Value) error {
			s, err := d.String()
			v.SetString(s)
			return err
		}}
	opaqueCodec = &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error { return e.PutOpaque(v.Bytes()) },
		dec: func(d *Decoder, v reflect.Value) error {
			b, err := d.Opaque()
			if err != nil {
				return err
			}
			v.SetBytes(b)
			return nil
		}}
)

func fixedOpaqueCodec(n int) *codec {
	return &codec{min: pad4(n),
		enc: func(e *Encoder, v reflect.Value) error {
			e.PutFixedOpaque(v.Bytes())
			return nil
		},
		dec: func(d *Decoder, v reflect.Value) error {
			b, err := d.FixedOpaque(n)
			if err != nil {
				return err
			}
			reflect.Copy(v, reflect.ValueOf(b))
			return nil
		}}
}

func fixedArrayCodec(t reflect.Type, visiting map[reflect.Type]bool) (*codec, error) {
	ec, err := build(t.Elem(), visiting)
	if err != nil {
		return nil, err
	}
	n := t.Len()
	return &codec{min: n * ec.min,
		enc: func(e *Encoder, v reflect.Value) error {
			for i := range n {
				if err := ec.enc(e, v.Index(i)); err != nil {
					return err
				}
			}
			return nil
		},
		dec: func(d *Decoder, v reflect.Value) error {
			for i := range n {
				if err := ec.dec(d, v.Index(i)); err != nil {
					return err
				}
			}
			return nil
		}}, nil
}

func sliceCodec(t reflect.Type, visiting map[reflect.Type]bool) (*codec, error) {
	ec, err := build(t.Elem(), visiting)
	if err != nil {
		return nil, err
	}
	return &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error {
			n := v.Len()
			if n > MaxArray {
				return fmt.Errorf("xdr: array of %d elements exceeds %d", n, MaxArray)
			}
			e.PutUint32(uint32(n))
			for i := range n {
				if err := ec.enc(e, v.Index(i)); err != nil {
					return err
				}
			}
			return nil
		},
		dec: func(d *Decoder, v reflect.Value) error {
			n, err := d.count(ec.min)
			if err != nil {
				return err
			}
			s := reflect.MakeSlice(t, n, n)
			for i := range n {
				if err := ec.dec(d, s.Index(i)); err != nil {
					return err
				}
			}
			v.Set(s)
			return nil
		}}, nil
}

// optionalSliceCodec is XDR optional data held in a 0/1-element slice.
func optionalSliceCodec(t reflect.Type, visiting map[reflect.Type]bool) (*codec, error) {
	ec, err := build(t.Elem(), visiting)
	if err != nil {
		return nil, err
	}
	return &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error {
			switch v.Len() {
			case 0:
				e.PutBool(false)
				return nil
			case 1:
				e.PutBool(true)
				return ec.enc(e, v.Index(0))
			}
			return fmt.Errorf("xdr: optional %s holds %d elements", t, v.Len())
		},
		dec: func(d *Decoder, v reflect.Value) error {
			present, err := d.Bool()
			if err != nil || !present {
				v.Set(reflect.Zero(t))
				return err
			}
			s := reflect.MakeSlice(t, 1, 1)
			if err := ec.dec(d, s.Index(0)); err != nil {
				return err
			}
			v.Set(s)
			return nil
		}}, nil
}

func pointerCodec(t reflect.Type, visiting map[reflect.Type]bool) (*codec, error) {
	ec, err := build(t.Elem(), visiting)
	if err != nil {
		return nil, err
	}
	return &codec{min: 4,
		enc: func(e *Encoder, v reflect.Value) error {
			if v.IsNil() {
				e.PutBool(false)
				return nil
			}
			e.PutBool(true)
			return ec.enc(e, v.Elem())
		},
		dec: func(d *Decoder, v reflect.Value) error {
			present, err := d.Bool()
			if err != nil || !present {
				v.Set(reflect.Zero(t))
				return err
			}
			p := reflect.New(t.Elem())
			if err := ec.dec(d, p.Elem()); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}}, nil
}

func structCodec(t reflect.Type, visiting map[reflect.Type]bool) (*codec, error) {
	fields := make([]*codec, t.NumField())
	min := 0
	for i := range t.NumField() {
		f := t.Field(i)
		var fc *codec
		var err error
		if f.Tag.Get("xdr") == "optional" && f.Type.Kind() == reflect.Slice {
			fc, err = optionalSliceCodec(f.Type, visiting)
		} else {
			fc, err = build(f.Type, visiting)
		}
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		fields[i] = fc
		min += fc.min
	}
	return &codec{min: min,
		enc: func(e *Encoder, v reflect.Value) error {
			for i, fc := range fields {
				if err := fc.enc(e, field(v, i)); err != nil {
					return err
				}
			}
			return nil
		},
		dec: func(d *Decoder, v reflect.Value) error {
			for i, fc := range fields {
				if err := fc.dec(d, field(v, i)); err != nil {
					return err
				}
			}
			return nil
		}}, nil
}

// field returns struct field i of an addressable struct, usable for reading
// and writing even when the field is unexported (go-libvirt has one such
// field, DomainDiskError.remote_error, that is still on the wire).
func field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	if f.CanSet() || !f.CanAddr() {
		return f
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

package xdr

import (
	"fmt"
	"reflect"

	libvirt "github.com/digitalocean/go-libvirt"
)

// Typed parameter kinds: the discriminant of remote_typed_param_value
// (virTypedParameterType).
const (
	ParamInt     = 1 // int32
	ParamUint    = 2 // uint32
	ParamLLong   = 3 // int64
	ParamULLong  = 4 // uint64
	ParamDouble  = 5 // float64
	ParamBoolean = 6 // int32 0/1 (a Go bool is accepted when encoding)
	ParamString  = 7 // string
)

// typedParamValueCodec handles libvirt.TypedParamValue {D uint32; I any}:
// the discriminant, then the arm's value. Decoding stores the arm's Go type
// in I (int32, uint32, int64, uint64, float64, int32, string), exactly what
// go-libvirt's NewTypedParamValue* constructors store.
func typedParamValueCodec() *codec {
	return &codec{min: 8,
		enc: func(e *Encoder, v reflect.Value) error {
			tv := v.Interface().(libvirt.TypedParamValue)
			return encodeTypedParamValue(e, tv)
		},
		dec: func(d *Decoder, v reflect.Value) error {
			tv, err := decodeTypedParamValue(d)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(tv))
			return nil
		}}
}

func encodeTypedParamValue(e *Encoder, tv libvirt.TypedParamValue) error {
	bad := func() error {
		return fmt.Errorf("typed param of type %d holds %T", tv.D, tv.I)
	}
	e.PutUint32(tv.D)
	switch tv.D {
	case ParamInt:
		i, ok := tv.I.(int32)
		if !ok {
			return bad()
		}
		e.PutInt32(i)
	case ParamUint:
		u, ok := tv.I.(uint32)
		if !ok {
			return bad()
		}
		e.PutUint32(u)
	case ParamLLong:
		i, ok := tv.I.(int64)
		if !ok {
			return bad()
		}
		e.PutInt64(i)
	case ParamULLong:
		u, ok := tv.I.(uint64)
		if !ok {
			return bad()
		}
		e.PutUint64(u)
	case ParamDouble:
		f, ok := tv.I.(float64)
		if !ok {
			return bad()
		}
		e.PutFloat64(f)
	case ParamBoolean:
		switch b := tv.I.(type) {
		case int32:
			e.PutInt32(b)
		case bool:
			e.PutBool(b)
		default:
			return bad()
		}
	case ParamString:
		s, ok := tv.I.(string)
		if !ok {
			return bad()
		}
		return e.PutString(s)
	default:
		return fmt.Errorf("typed param type %d is not 1..7", tv.D)
	}
	return nil
}

func decodeTypedParamValue(d *Decoder) (libvirt.TypedParamValue, error) {
	disc, err := d.Uint32()
	if err != nil {
		return libvirt.TypedParamValue{}, err
	}
	var val any
	switch disc {
	case ParamInt, ParamBoolean:
		val, err = d.Int32()
	case ParamUint:
		val, err = d.Uint32()
	case ParamLLong:
		val, err = d.Int64()
	case ParamULLong:
		val, err = d.Uint64()
	case ParamDouble:
		val, err = d.Float64()
	case ParamString:
		val, err = d.String()
	default:
		return libvirt.TypedParamValue{}, fmt.Errorf("typed param type %d is not 1..7", disc)
	}
	if err != nil {
		return libvirt.TypedParamValue{}, err
	}
	return libvirt.TypedParamValue{D: disc, I: val}, nil
}

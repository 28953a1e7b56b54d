package virsh

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/xdr"
	"virtlxc/internal/virerr"
)

// lineBuilder collects formatted output.
type lineBuilder struct{ strings.Builder }

func (b *lineBuilder) f(format string, args ...any) { fmt.Fprintf(&b.Builder, format, args...) }

// ParamValue formats a typed parameter's value as virsh's
// vshGetTypedParamValue.
func ParamValue(p libvirt.TypedParam) string {
	switch v := p.Value.I.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', 6, 64)
	case string:
		return v
	case int32:
		if p.Value.D == xdr.ParamBoolean {
			return yesNo(v != 0)
		}
		return fmt.Sprint(v)
	case bool:
		return yesNo(v)
	default:
		return fmt.Sprint(v)
	}
}

// FormatParams renders parameters as memtune, schedinfo and blkiotune
// print them: "%-15s: %s"; memtune shows the unlimited value as such.
func FormatParams(params []libvirt.TypedParam, unlimited bool) string {
	var b lineBuilder
	for _, p := range params {
		val := ParamValue(p)
		if u, ok := p.Value.I.(uint64); ok && unlimited && p.Value.D == xdr.ParamULLong && u == MemoryParamUnlimited {
			val = "unlimited"
		}
		b.f("%-15s: %s\n", p.Field, val)
	}
	return b.String()
}

func ullongParam(field string, v uint64) libvirt.TypedParam {
	return libvirt.TypedParam{Field: field, Value: libvirt.TypedParamValue{D: xdr.ParamULLong, I: v}}
}

// ParamFromString builds a parameter of the given type from text, as
// libvirt's virTypedParameterAssignFromStr.
func ParamFromString(field string, typ uint32, value string) (libvirt.TypedParam, error) {
	p := libvirt.TypedParam{Field: field, Value: libvirt.TypedParamValue{D: typ}}
	bad := func(what string) error {
		return virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "Invalid value for field '%s': expected %s", field, what)
	}
	switch typ {
	case xdr.ParamInt:
		v, err := ParseInt(value)
		if err != nil {
			return p, bad("int")
		}
		p.Value.I = int32(v)
	case xdr.ParamUint:
		v, rest, err := parseInt64(value)
		if err != nil || rest != "" || v > math.MaxUint32 || v < -math.MaxUint32 {
			return p, bad("unsigned int")
		}
		p.Value.I = uint32(v)
	case xdr.ParamLLong:
		v, rest, err := parseInt64(value)
		if err != nil || rest != "" {
			return p, bad("long long")
		}
		p.Value.I = v
	case xdr.ParamULLong:
		v, rest, _, err := parseUint64(value)
		if err != nil || rest != "" {
			return p, bad("unsigned long long")
		}
		p.Value.I = v
	case xdr.ParamDouble:
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return p, bad("double")
		}
		p.Value.I = v
	case xdr.ParamBoolean:
		switch strings.ToLower(value) {
		case "1", "yes", "true":
			p.Value.I = int32(1)
		case "0", "no", "false":
			p.Value.I = int32(0)
		default:
			return p, virerr.New(virerr.ErrInvalidArg, virerr.FromNone, "Invalid boolean value for field '%s'", field)
		}
	case xdr.ParamString:
		p.Value.I = value
	default:
		return p, virerr.New(virerr.ErrInternalError, virerr.FromNone, "unexpected type %d for field %s", typ, field)
	}
	return p, nil
}

// affectFlags computes VIR_DOMAIN_AFFECT_* from --config, --live and
// --current, with virsh's exclusivity checks.
func affectFlags(pc *ParsedCmd) (flags uint32, current bool, err error) {
	if err := pc.Exclusive("current", "live"); err != nil {
		return 0, false, err
	}
	if err := pc.Exclusive("current", "config"); err != nil {
		return 0, false, err
	}
	if pc.Bool("config") {
		flags |= 2
	}
	if pc.Bool("live") {
		flags |= 1
	}
	return flags, pc.Bool("current"), nil
}

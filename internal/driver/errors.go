package driver

import (
	"fmt"
	"strings"

	"virtlxc/internal/virerr"
)

// CheckFlags is libvirt's virCheckFlags: any flag outside allowed is
// VIR_ERR_INVALID_ARG "unsupported flags (0x..) in function FN", with no
// "invalid argument: " before it (virReportInvalidArg formats its message
// as given, as libvirt 9.0's daemon sends it), from the error domain of
// the file FN is in (flagsFrom).
func CheckFlags(flags, allowed uint32, fn string) error {
	if extra := flags &^ allowed; extra != 0 {
		return virerr.Raw(virerr.ErrInvalidArg, flagsFrom(fn),
			fmt.Sprintf("unsupported flags (0x%x) in function %s", extra, fn))
	}
	return nil
}

// flagsFrom is the error domain of libvirt function fn's source file: the
// LXC driver's (lxc*), domain_conf.c's (virDomain*), or the host
// utilities' (virHost*, virNode*: VIR_FROM_NONE), as libvirt 9.0 reports
// them.
func flagsFrom(fn string) virerr.Domain {
	switch {
	case strings.HasPrefix(fn, "lxc"):
		return virerr.FromLXC
	case strings.HasPrefix(fn, "virDomain"):
		return virerr.FromDomain
	}
	return virerr.FromNone
}

// errNotRunning is virDomainObjCheckActive's error.
func errNotRunning() error {
	return virerr.New(virerr.ErrOperationInvalid, virerr.FromDomain, "domain is not running")
}

// errNoDomainName is virDomainLookupByName's miss.
func errNoDomainName(name string) error {
	return virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "No domain with matching name '%s'", name)
}

// errNoDomainUUID is virDomainLookupByUUID's miss.
func errNoDomainUUID(uuid string) error {
	return virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "No domain with matching uuid '%s'", uuid)
}

// errNoDomainRef is the miss of the lookup every domain API starts with
// (lxcDomObjFromDomain), which names both the UUID and the name.
func errNoDomainRef(ref Ref) error {
	return virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "no domain with matching uuid '%s' (%s)", ref.UUID, ref.Name)
}

// errNoDomainID is virDomainLookupByID's miss.
func errNoDomainID(id int) error {
	return virerr.New(virerr.ErrNoDomain, virerr.FromLXC, "No domain with matching id %d", id)
}

// errTransientConfig is virDomainObjUpdateModificationImpact's refusal of
// AFFECT_CONFIG on a transient domain.
func errTransientConfig() error {
	return virerr.New(virerr.ErrOperationInvalid, virerr.FromDomain, "transient domains do not have any persistent config")
}

// internalError wraps an unexpected failure as VIR_ERR_INTERNAL_ERROR.
func internalError(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return virerr.Wrap(err, virerr.ErrInternalError, virerr.FromLXC, "%s: %s", msg, err)
}

// asVirErr keeps a *virerr.Error as is and turns anything else into an
// internal error with the given context.
func asVirErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if ve, ok := err.(*virerr.Error); ok {
		return ve
	}
	return internalError(err, format, args...)
}

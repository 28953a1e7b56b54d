package virerr

import "strings"

// msgStrings mirrors libvirt's virErrorMsgStrings: for each code the text used
// without detail and the format used with one ("%s" marks the detail).
var msgStrings = map[Code][2]string{
	ErrInternalError:        {"internal error", "internal error: %s"},
	ErrNoMemory:             {"out of memory", "out of memory: %s"},
	ErrNoSupport:            {"this function is not supported by the connection driver", "this function is not supported by the connection driver: %s"},
	ErrNoConnect:            {"no connection driver available", "no connection driver available for %s"},
	ErrInvalidConn:          {"invalid connection pointer in", "invalid connection pointer in %s"},
	ErrInvalidDomain:        {"invalid domain pointer in", "invalid domain pointer in %s"},
	ErrInvalidArg:           {"invalid argument", "invalid argument: %s"},
	ErrOperationFailed:      {"operation failed", "operation failed: %s"},
	ErrOSType:               {"unknown OS type", "unknown OS type %s"},
	ErrNoName:               {"missing name information", "missing name information in %s"},
	ErrXMLError:             {"XML description is invalid or not well formed", "XML error: %s"},
	ErrDomExist:             {"this domain exists already", "domain %s exists already"},
	ErrOperationDenied:      {"operation forbidden for read only access", "operation forbidden: %s"},
	ErrOpenFailed:           {"failed to open configuration file", "failed to open configuration file %s"},
	ErrReadFailed:           {"failed to read configuration file", "failed to read configuration file %s"},
	ErrParseFailed:          {"failed to parse configuration file", "failed to parse configuration file %s"},
	ErrWriteFailed:          {"failed to write configuration file", "failed to write configuration file: %s"},
	ErrXMLDetail:            {"parser error", "%s"},
	ErrSystemError:          {"system call error", "%s"},
	ErrRPC:                  {"RPC error", "%s"},
	ErrNoDomain:             {"Domain not found", "Domain not found: %s"},
	ErrNoNetwork:            {"Network not found", "Network not found: %s"},
	ErrInvalidMAC:           {"invalid MAC address", "invalid MAC address: %s"},
	ErrOperationInvalid:     {"Requested operation is not valid", "Requested operation is not valid: %s"},
	ErrConfigUnsupported:    {"unsupported configuration", "unsupported configuration: %s"},
	ErrOperationTimeout:     {"Timed out during operation", "Timed out during operation: %s"},
	ErrArgumentUnsupported:  {"argument unsupported", "argument unsupported: %s"},
	ErrOperationAborted:     {"operation aborted", "operation aborted: %s"},
	ErrNoDomainMetadata:     {"metadata not found", "metadata not found: %s"},
	ErrOverflow:             {"numerical overflow", "numerical overflow: %s"},
	ErrOperationUnsupported: {"Operation not supported", "Operation not supported: %s"},
	ErrResourceBusy:         {"resource busy", "resource busy: %s"},
	ErrAccessDenied:         {"access denied", "access denied: %s"},
	ErrXMLInvalidSchema:     {"XML document failed to validate against schema", "XML document failed to validate against schema: %s"},
}

// Prefix returns the message libvirt shows for code with the given detail.
func Prefix(code Code, detail string) string {
	m, ok := msgStrings[code]
	if !ok {
		if detail == "" {
			return "unknown error"
		}
		return detail
	}
	if detail == "" {
		return m[0]
	}
	return strings.Replace(m[1], "%s", detail, 1)
}

package virerr

import "strings"

// noMessage is what libvirt stores when virErrorMsg has no text for a code
// (VIR_ERR_OK, or a code past the table).
const noMessage = "No error message provided"

// Prefix returns the message libvirt builds for code with the given detail,
// as virReportErrorHelper does: virErrorMsg picks the code's text without
// detail when detail is empty, else its format, and the detail replaces the
// format's "%s".
func Prefix(code Code, detail string) string {
	if code < 0 || int(code) >= len(msgStrings) || msgStrings[code][0] == "" {
		return noMessage
	}
	m := msgStrings[code]
	if detail == "" {
		return m[0]
	}
	return strings.Replace(m[1], "%s", detail, 1)
}

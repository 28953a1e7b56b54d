package driver

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"virtlxc/internal/atomicfile"
	"virtlxc/internal/domainxml"
)

// configHeader is the comment libvirt puts at the top of the files it
// writes (virXMLSaveFile with the "edit" hint).
func configHeader(name string) string {
	return "<!--\n" +
		"WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n" +
		"OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n" +
		"  virsh edit " + name + "\n" +
		"or other application using the libvirt API.\n" +
		"-->\n\n"
}

// status is the content of a status file STATE/NAME.xml.
type status struct {
	state   State
	reason  int
	pid     int
	initPID int
	domain  []byte // the <domain> element
}

// statusBody is the live definition as a status file holds it (indented
// inside <domstatus>).
func statusBody(def *domainxml.Domain) ([]byte, error) {
	inner, err := domainxml.Format(def)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, line := range strings.SplitAfter(string(inner), "\n") {
		if line != "" {
			b.WriteString("  " + line)
		}
	}
	return b.Bytes(), nil
}

// wrapStatus renders a status file as libvirt does: the <domstatus>
// wrapper with the controller pid, the <init pid> and the live definition
// (statusBody) indented inside.
func wrapStatus(name string, s State, reason, pid, initPID int, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(configHeader(name))
	fmt.Fprintf(&b, "<domstatus state='%s' reason='%s' pid='%d'>\n", s, ReasonString(s, reason), pid)
	fmt.Fprintf(&b, "  <init pid='%d'/>\n", initPID)
	b.Write(body)
	b.WriteString("</domstatus>\n")
	return b.Bytes()
}

// parseStatus reads a status file.
func parseStatus(data []byte) (*status, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	st := &status{}
	seenRoot := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed status file: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case !seenRoot:
			if se.Name.Local != "domstatus" {
				return nil, fmt.Errorf("unexpected root element <%s>, expecting <domstatus>", se.Name.Local)
			}
			seenRoot = true
			var stateName, reasonName string
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "state":
					stateName = a.Value
				case "reason":
					reasonName = a.Value
				case "pid":
					st.pid, _ = strconv.Atoi(a.Value)
				}
			}
			s, r, ok := parseState(stateName, reasonName)
			if !ok {
				return nil, fmt.Errorf("invalid domain state '%s' (reason '%s')", stateName, reasonName)
			}
			st.state, st.reason = s, r
		case se.Name.Local == "init":
			for _, a := range se.Attr {
				if a.Name.Local == "pid" {
					st.initPID, _ = strconv.Atoi(a.Value)
				}
			}
			if err := dec.Skip(); err != nil {
				return nil, fmt.Errorf("malformed status file: %w", err)
			}
		case se.Name.Local == "domain":
			start := bytes.LastIndex(data[:dec.InputOffset()], []byte("<domain"))
			if err := dec.Skip(); err != nil {
				return nil, fmt.Errorf("malformed status file: %w", err)
			}
			st.domain = data[start:dec.InputOffset()]
		default:
			if err := dec.Skip(); err != nil {
				return nil, fmt.Errorf("malformed status file: %w", err)
			}
		}
	}
	if !seenRoot || st.domain == nil {
		return nil, errors.New("status file has no <domain>")
	}
	return st, nil
}

// saveStatus writes dom's status file. Callers hold dom.mu; dom is active.
func (d *Driver) saveStatus(dom *domain) error {
	_, err := d.saveStatusBody(dom, nil)
	return err
}

// saveStatusBody is saveStatus with the live definition already rendered
// (statusBody; nil: render it now); it returns the body it wrote, for a
// later save of the same definition (the start saves twice: before and
// after init runs).
func (d *Driver) saveStatusBody(dom *domain, body []byte) ([]byte, error) {
	if body == nil {
		var err error
		if body, err = statusBody(dom.liveDef); err != nil {
			return nil, err
		}
	}
	data := wrapStatus(dom.name, dom.state, dom.reason, dom.id, dom.initPID, body)
	if err := atomicfile.Write(d.layout.StatusFile(dom.name), data, 0o600); err != nil {
		return nil, internalError(err, "cannot save status of domain '%s'", dom.name)
	}
	return body, nil
}

// saveStatusLogged is saveStatus for paths where a failure must not undo
// the operation; it is logged.
func (d *Driver) saveStatusLogged(dom *domain) {
	if err := d.saveStatus(dom); err != nil {
		d.log.Warn("cannot save domain status", "domain", dom.name, "err", err)
	}
}

// saveConfig writes the persistent config of name.
func (d *Driver) saveConfig(name string, def *domainxml.Domain) error {
	data, err := domainxml.Format(def)
	if err != nil {
		return err
	}
	data = append([]byte(configHeader(name)), data...)
	if err := d.store.Save(name, data); err != nil {
		return internalError(err, "cannot save config of domain '%s'", name)
	}
	return nil
}

// removeRunFiles deletes a stopped domain's live files: status, pid,
// monitor socket and the controller's copy of the definition.
func (d *Driver) removeRunFiles(name string) {
	// A killed controller leaves its meminfo mount point and the root's
	// staging directory (empty directories: what is mounted on them is
	// only ever mounted in the container's namespace).
	for _, p := range []string{d.layout.StatusFile(name), d.layout.PidFile(name),
		d.layout.MonitorSocket(name), d.controllerConfig(name), d.layout.FuseDir(name), d.layout.RootMount(name)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.log.Warn("cannot remove run file", "file", p, "err", err)
		}
	}
}

// controllerConfig is the file the controller reads the live definition
// from (its --config): STATE/NAME.config. It does not end in .xml, so the
// status loader never takes it for a status file.
func (d *Driver) controllerConfig(name string) string {
	return filepath.Join(d.layout.StateDir, name+".config")
}

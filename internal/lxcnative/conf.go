package lxcnative

import (
	"strings"

	"virtlxc/internal/virerr"
)

// entry is one "name = value" statement of a configuration.
type entry struct {
	name, value string
}

// config is a parsed LXC configuration: its statements in order.
type config []entry

// get returns the value of the first statement named name
// (virConfGetValue).
func (c config) get(name string) (string, bool) {
	for _, e := range c {
		if e.name == name {
			return e.value, true
		}
	}
	return "", false
}

// confParser reads an LXC configuration as libvirt's virConf parser in
// its LXC mode does: statements "name = value" separated by line ends or
// ';', names of letters, digits, '_' and '.', a value running to the end
// of its line (comments and trailing blanks included) unless it starts
// with a quote, '#' comment lines.
type confParser struct {
	s    string
	cur  int
	line int
}

// readConfig parses text (virConfReadString with VIR_CONF_FLAG_LXC_FORMAT).
func readConfig(text string) (config, error) {
	p := &confParser{s: text, line: 1}
	var out config
	for p.cur < len(p.s) {
		e, ok, err := p.statement()
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
		if err := p.separator(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// at is the current byte, NUL past the end (C's terminator).
func (p *confParser) at() byte {
	if p.cur < len(p.s) {
		return p.s[p.cur]
	}
	return 0
}

func (p *confParser) next() {
	if p.cur < len(p.s) {
		p.cur++
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }
func isEOL(c byte) bool   { return c == '\n' || c == '\r' }

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool { return isAlpha(c) || '0' <= c && c <= '9' }

func (p *confParser) skipBlanks() {
	for p.cur < len(p.s) && isBlank(p.s[p.cur]) {
		p.cur++
	}
}

func (p *confParser) skipBlanksAndEOL() {
	for p.cur < len(p.s) && (isBlank(p.s[p.cur]) || isEOL(p.s[p.cur])) {
		if p.s[p.cur] == '\n' {
			p.line++
		}
		p.cur++
	}
}

func (p *confParser) skipToEOL() {
	for p.cur < len(p.s) && !isEOL(p.s[p.cur]) {
		p.cur++
	}
}

// syntaxError is virConfError for a configuration read from memory.
func (p *confParser) syntaxError(msg string) error {
	return virerr.New(virerr.ErrConfSyntax, virerr.FromConf, "memory conf:%d: %s", p.line, msg)
}

// statement reads one statement; ok is false for a comment.
func (p *confParser) statement() (entry, bool, error) {
	p.skipBlanksAndEOL()
	if p.at() == '#' {
		p.skipToEOL()
		return entry{}, false, nil
	}
	p.skipBlanks()
	if !isAlpha(p.at()) {
		return entry{}, false, p.syntaxError("expecting a name")
	}
	base := p.cur
	for p.cur < len(p.s) && (isAlnum(p.s[p.cur]) || p.s[p.cur] == '_' || p.s[p.cur] == '.') {
		p.cur++
	}
	name := p.s[base:p.cur]
	p.skipBlanks()
	if p.at() != '=' {
		return entry{}, false, p.syntaxError("expecting an assignment")
	}
	p.next()
	p.skipBlanks()
	value, err := p.value()
	if err != nil {
		return entry{}, false, err
	}
	p.skipBlanks()
	if p.at() == '#' {
		p.skipToEOL()
	}
	return entry{name, value}, true, nil
}

// value reads a quoted string or, as LXC values are, the rest of the line.
func (p *confParser) value() (string, error) {
	if p.cur >= len(p.s) {
		return "", p.syntaxError("expecting a value")
	}
	c := p.at()
	if c == '"' && p.cur+6 < len(p.s) && strings.HasPrefix(p.s[p.cur:], `"""`) {
		p.cur += 3
		base := p.cur
		for p.cur+2 < len(p.s) && !strings.HasPrefix(p.s[p.cur:], `"""`) {
			if p.s[p.cur] == '\n' {
				p.line++
			}
			p.cur++
		}
		if !strings.HasPrefix(p.s[p.cur:], `"""`) {
			return "", p.syntaxError("unterminated string")
		}
		v := p.s[base:p.cur]
		p.cur += 3
		return v, nil
	}
	if c == '\'' || c == '"' {
		p.next()
		base := p.cur
		for p.cur < len(p.s) && p.s[p.cur] != c && !isEOL(p.s[p.cur]) {
			p.cur++
		}
		if p.at() != c {
			return "", p.syntaxError("unterminated string")
		}
		v := p.s[base:p.cur]
		p.next()
		return v, nil
	}
	base := p.cur
	p.skipToEOL()
	return p.s[base:p.cur], nil
}

// separator reads what ends a statement: the end, line ends or ';'.
func (p *confParser) separator() error {
	p.skipBlanks()
	switch {
	case p.cur >= len(p.s):
	case isEOL(p.at()):
		p.skipBlanksAndEOL()
	case p.at() == ';':
		p.next()
		p.skipBlanksAndEOL()
	default:
		return p.syntaxError("expecting a separator")
	}
	return nil
}

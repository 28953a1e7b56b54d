package virsh

// SplitLine splits a command line into commands and their words as virsh's
// string parser does: words are separated by blanks; ';' or a newline ends
// a command; a word starting with '#' comments out the rest of the line;
// single quotes keep everything literal (an unterminated one runs to the end); inside double quotes and outside
// quotes a backslash escapes the next character.
func SplitLine(line string) ([][]string, error) {
	var cmds [][]string
	var cur []string
	p := 0
	n := len(line)
	endCmd := func() {
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	for {
		for p < n && (line[p] == ' ' || line[p] == '\t' || (line[p] == '\\' && p+1 < n && line[p+1] == '\n')) {
			if line[p] == '\\' {
				p++
			}
			p++
		}
		if p >= n {
			endCmd()
			return cmds, nil
		}
		if line[p] == ';' || line[p] == '\n' {
			p++
			endCmd()
			continue
		}
		if line[p] == '#' {
			for p < n && line[p] != '\n' {
				p++
			}
			endCmd()
			continue
		}
		var word []byte
		single, double := false, false
		for p < n {
			c := line[p]
			if !single && !double && (c == ' ' || c == '\t' || c == ';' || c == '\n') {
				break
			}
			switch {
			case !double && c == '\'':
				single = !single
				p++
				continue
			case !single && c == '\\':
				p++
				if p >= n {
					return nil, cmdErrorf("dangling \\")
				}
			case !single && c == '"':
				double = !double
				p++
				continue
			}
			word = append(word, line[p])
			p++
		}
		if double {
			return nil, cmdErrorf("missing \"")
		}
		cur = append(cur, string(word))
	}
}

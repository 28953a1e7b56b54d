package virsh

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Table is virsh's vshTable: a header row and data rows printed as
// left-aligned columns, each cell preceded by a space and padded to the
// column's width plus two, under a line of dashes.
type Table struct {
	rows [][]string
}

// NewTable starts a table with the given column titles.
func NewTable(header ...string) *Table {
	return &Table{rows: [][]string{header}}
}

// Add appends a row; it must have as many cells as the header.
func (t *Table) Add(cells ...string) {
	if len(cells) != len(t.rows[0]) {
		panic(fmt.Sprintf("virsh: table row has %d cells, header %d", len(cells), len(t.rows[0])))
	}
	t.rows = append(t.rows, cells)
}

// Render returns the table; with header false (virsh -q) neither the
// header nor the dashes are printed, and the header does not count
// towards the column widths.
func (t *Table) Render(header bool) string {
	ncol := len(t.rows[0])
	cells := make([][]string, len(t.rows))
	widths := make([][]int, len(t.rows))
	maxw := make([]int, ncol)
	first := 1
	if header {
		first = 0
	}
	for i, row := range t.rows {
		cells[i] = make([]string, ncol)
		widths[i] = make([]int, ncol)
		for j, c := range row {
			cells[i][j], widths[i][j] = safeEncode(c)
			if i >= first && widths[i][j] > maxw[j] {
				maxw[j] = widths[i][j]
			}
		}
	}
	var b strings.Builder
	printRow := func(i int) {
		for j := range ncol {
			b.WriteByte(' ')
			b.WriteString(cells[i][j])
			if j < ncol-1 {
				b.WriteString(strings.Repeat(" ", maxw[j]-widths[i][j]+2))
			}
		}
		b.WriteByte('\n')
	}
	if header {
		printRow(0)
		for j := range ncol {
			b.WriteString(strings.Repeat("-", maxw[j]+3))
		}
		b.WriteByte('\n')
	}
	for i := 1; i < len(t.rows); i++ {
		printRow(i)
	}
	return b.String()
}

// safeEncode replaces control and non-printable characters (and a literal
// "\x") with \xNN escapes, as vshTableSafeEncode, and returns the display
// width.
func safeEncode(s string) (string, int) {
	var b strings.Builder
	width := 0
	for i := 0; i < len(s); {
		c := s[i]
		if (c == '\\' && i+1 < len(s) && s[i+1] == 'x') || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
			width += 4
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", c)
			width += 4
		case !unicode.IsPrint(r) && r != ' ':
			for k := range n {
				fmt.Fprintf(&b, "\\x%02x", s[i+k])
				width += 4
			}
		default:
			b.WriteString(s[i : i+n])
			width += runeWidth(r)
		}
		i += n
	}
	return b.String(), width
}

// runeWidth approximates wcwidth: East Asian wide characters take two
// columns, combining marks none.
func runeWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r):
		return 0
	case r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
		(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe6f) ||
		(r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6) ||
		(r >= 0x1f300 && r <= 0x1f64f) || (r >= 0x20000 && r <= 0x3fffd)):
		return 2
	}
	return 1
}

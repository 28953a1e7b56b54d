package domainxml

import (
	"sort"
	"strings"
)

// unknownItem is an element or attribute of the input that the domain model
// does not know, so parsing dropped it.
type unknownItem struct {
	Path string // "/domain/devices/bogus" or "/domain/devices/interface/@bogus"
	Attr bool
}

func (u unknownItem) String() string {
	if u.Attr {
		i := strings.LastIndex(u.Path, "/@")
		return "attribute '" + u.Path[i+2:] + "' of element '" + u.Path[strings.LastIndex(u.Path[:i], "/")+1:i] + "'"
	}
	return "element '" + u.Path[strings.LastIndex(u.Path, "/")+1:] + "'"
}

// collectPaths lists every element and attribute path of a tree. Children of
// <metadata> are free-form and not listed.
func collectPaths(n *node, prefix string, into map[string]bool) {
	p := prefix + "/" + qname(n.name)
	into[p] = true
	for _, a := range n.attrs {
		into[p+"/@"+qname(a.Name)] = true
	}
	if prefix == "/domain" && n.name.Local == "metadata" {
		return
	}
	for _, c := range n.children {
		collectPaths(c, p, into)
	}
}

// droppedItems compares the input with what the model formats back and
// returns what the model lost, outermost first, each path once. A lost
// element hides the paths below it.
func droppedItems(in, out *node) []unknownItem {
	inPaths := map[string]bool{}
	outPaths := map[string]bool{}
	collectPaths(in, "", inPaths)
	collectPaths(out, "", outPaths)
	var lost []string
	for p := range inPaths {
		if !outPaths[p] {
			lost = append(lost, p)
		}
	}
	sort.Strings(lost)
	var items []unknownItem
	for _, p := range lost {
		covered := false
		for _, it := range items {
			if !it.Attr && strings.HasPrefix(p, it.Path+"/") {
				covered = true
				break
			}
		}
		if !covered {
			items = append(items, unknownItem{Path: p, Attr: strings.Contains(p, "/@")})
		}
	}
	return items
}

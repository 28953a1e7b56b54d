package domainxml

import (
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"virtlxc/internal/virerr"
)

// schemaFile is where libvirt 9.0 finds the schema it validates against.
const schemaFile = "/usr/share/libvirt/schemas/domain.rng"

// initEnvName is the schema's pattern for <initenv name>; the parser itself
// accepts any name.
var initEnvName = regexp.MustCompile(`^[a-zA-Z_]+[a-zA-Z0-9_]*$`)

// validateSchema stands in for libvirt's RelaxNG validation
// (VIR_DOMAIN_DEF_PARSE_VALIDATE_SCHEMA), which runs before any other
// check: elements and attributes the model does not know, found by
// comparing the input with what the model prints back, and initenv names
// outside the schema's pattern. The message is worded like libvirt's, one
// line per fault.
func validateSchema(in *node) error {
	var lines []string
	if d, err := readModel(in); err == nil {
		if out, err := marshalTree(d); err == nil {
			for _, it := range droppedItems(in, out) {
				lines = append(lines, it.schemaLine())
			}
		}
	}
	for _, os := range in.all("os") {
		for _, e := range os.all("initenv") {
			if name, ok := e.attr("name"); ok && !initEnvName.MatchString(name) {
				lines = append(lines, "Error validating value ", "Extra element os in interleave",
					"Element domain failed to validate content")
			}
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return virerr.New(virerr.ErrXMLInvalidSchema, virerr.FromXML, "Unable to validate doc against %s\n%s\n",
		schemaFile, strings.Join(lines, "\n"))
}

// unknownItem is an element or attribute of the input that the domain model
// does not know, so parsing dropped it.
type unknownItem struct {
	Path string // "/domain/devices/bogus" or "/domain/devices/interface/@bogus"
	Attr bool
}

func (u unknownItem) String() string {
	if u.Attr {
		return "attribute '" + u.name() + "' of element '" + u.element() + "'"
	}
	return "element '" + u.name() + "'"
}

func (u unknownItem) name() string {
	i := strings.LastIndex(u.Path, "/")
	return strings.TrimPrefix(u.Path[i+1:], "@")
}

// element is the element an attribute belongs to.
func (u unknownItem) element() string {
	p := u.Path[:strings.LastIndex(u.Path, "/")]
	return p[strings.LastIndex(p, "/")+1:]
}

// schemaLine words the item like libxml2's RelaxNG messages.
func (u unknownItem) schemaLine() string {
	if u.Attr {
		return "Invalid attribute " + u.name() + " for element " + u.element()
	}
	return "Extra element " + u.name() + " in " + u.Path[:strings.LastIndex(u.Path, "/")]
}

// collectPaths lists every element and attribute path of a tree, true for
// the empty ones. Children of <metadata> are free-form and not listed.
func collectPaths(n *node, prefix string, into map[string]bool) {
	p := prefix + "/" + qname(n.name)
	into[p] = len(n.children) == 0 && len(n.attrs) == 0 && strings.TrimSpace(n.text) == ""
	for _, a := range n.attrs {
		into[p+"/@"+qname(a.Name)] = a.Value == ""
	}
	if prefix == "/domain" && n.name.Local == "metadata" && n.name.Space == "" {
		return
	}
	for _, c := range n.children {
		collectPaths(c, p, into)
	}
}

// modelKnows tells whether libvirtxml's model has a field for the element
// or attribute at path (which it drops when empty).
func modelKnows(path string) bool {
	t := reflect.TypeOf(Domain{})
	steps := strings.Split(strings.TrimPrefix(path, "/domain"), "/")[1:]
	for i, step := range steps {
		attr := strings.HasPrefix(step, "@")
		f, ok := xmlField(t, strings.TrimPrefix(strings.TrimPrefix(step, "@"), "lxc:"), attr)
		if !ok {
			return false
		}
		t = f.Type
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct && i < len(steps)-1 {
			return false
		}
	}
	return true
}

// xmlField finds the field of struct type t that encoding/xml fills from
// the element (or attribute) name.
func xmlField(t reflect.Type, name string, attr bool) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("xml"), ",")
		tagName := tag[0]
		if j := strings.LastIndexByte(tagName, ' '); j >= 0 {
			tagName = tagName[j+1:]
		}
		isAttr := slices.Contains(tag[1:], "attr")
		if tagName == "" && !isAttr && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			if x, ok := f.Type.Elem().FieldByName("XMLName"); ok {
				tagName = strings.Split(x.Tag.Get("xml"), ",")[0]
				if j := strings.LastIndexByte(tagName, ' '); j >= 0 {
					tagName = tagName[j+1:]
				}
			}
		}
		if tagName == name && isAttr == attr && tagName != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
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
	for p, empty := range inPaths {
		if _, ok := outPaths[p]; !ok && !(empty && modelKnows(p)) {
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

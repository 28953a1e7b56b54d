package domainxml

import (
	"bytes"
	"fmt"
)

// Restyle reprints an XML document (typically encoding/xml's output for one
// of libvirtxml's types) in libvirt's layout: two spaces per level,
// single-quoted attributes, childless elements as <x/>, text-only elements
// on one line, libvirt's escaping. Other libvirt object formatters (network
// XML) share it so every document the daemon prints looks like libvirt's.
func Restyle(raw []byte) ([]byte, error) {
	tree, err := buildTree(raw)
	if err != nil {
		return nil, fmt.Errorf("restyling XML: %w", err)
	}
	if tree == nil {
		return nil, fmt.Errorf("restyling XML: no root element")
	}
	var b bytes.Buffer
	writeNode(&b, tree, 0, "")
	return b.Bytes(), nil
}

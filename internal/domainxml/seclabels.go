package domainxml

import (
	"slices"

	"virtlxc/internal/virerr"
)

// parseSeclabels is virSecurityLabelDefsParseXML for the domain's
// <seclabel>s in an inactive definition, on a host whose only security
// model is "none" (virtlxc has no SELinux or AppArmor driver), as libvirt
// 9.0's LXC driver prints them: a label without a type is not kept; a
// dynamic one relabels (relabel='yes' printed), a static or none one does
// not unless it says so; a static one needs its <label>, a dynamic one
// keeps only its <baselabel>; the one label without a model gets the
// host's, "none", which makes it type none.
func (p *parsed) parseSeclabels(root *node, opts Options) error {
	labels := root.all("seclabel")
	for _, l := range labels {
		typ, hasType := l.attr("type")
		if hasType && !slices.Contains([]string{"none", "dynamic", "static"}, typ) {
			return propError(l, "type", typ)
		}
		rel, err := propBool(l, "relabel")
		if err != nil {
			return err
		}
		relabel := typ == "dynamic"
		if rel != "" && rel != "default" {
			relabel = rel == "yes"
		}
		switch {
		case typ == "dynamic" && !relabel:
			return domErr(virerr.ErrConfigUnsupported, "dynamic label type must use resource relabeling")
		case typ == "none" && relabel:
			return domErr(virerr.ErrConfigUnsupported, "resource relabeling is not compatible with 'none' label type")
		}
		if model, _ := l.attr("model"); model == "none" {
			if hasType {
				setAttr(l, "type", "none") // model none labels nothing
			}
			dropAttr(l, "relabel")
			continue
		}
		switch typ {
		case "static":
			if s, ok := l.child("label").xstr(); !ok || s == "" {
				return xmlError("security label is missing")
			}
			setAttr(l, "relabel", yesNo(relabel))
		case "dynamic":
			for _, c := range []string{"label", "imagelabel"} {
				for _, el := range l.all(c) {
					removeChild(l, el)
				}
			}
			setAttr(l, "relabel", "yes")
		default:
			dropAttr(l, "relabel")
		}
	}
	var noModel []*node
	for _, l := range labels {
		if m, ok := l.attr("model"); !ok || m == "" {
			noModel = append(noModel, l)
		}
	}
	switch {
	case len(noModel) > 0 && len(labels) > 1:
		return xmlError("missing security model when using multiple labels")
	case len(noModel) == 1 && !opts.NoSecModel:
		if _, ok := noModel[0].attr("type"); !ok {
			return xmlError("missing security model in domain seclabel")
		}
		setAttr(noModel[0], "type", "none")
		setAttr(noModel[0], "model", "none")
		dropAttr(noModel[0], "relabel")
		for _, c := range slices.Clone(noModel[0].children) {
			removeChild(noModel[0], c)
		}
	}
	for _, l := range labels {
		if _, ok := l.attr("type"); !ok {
			removeChild(root, l) // VIR_DOMAIN_SECLABEL_DEFAULT: not printed
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

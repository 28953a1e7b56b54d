package domainxml

import (
	"strings"
	"testing"
)

// metadataCases are libvirt 9.0's reading of <metadata> (xmlCopyNode,
// virXMLNodeSanitizeNamespaces, xmlNodeDump), captured with a harness doing
// the same over libxml2 2.9.14; "(no metadata)" when libvirt keeps none.
var metadataCases = []struct{ name, doc, want string }{
	{"md1",
		"<domain type='lxc' xmlns:my='http://example.com/my'>\n  <name>x</name>\n  <metadata>\n    <my:info a='1'><my:sub>text &amp; more</my:sub></my:info>\n    <plain>dropped</plain>\n    loose text\n    <!-- comment -->\n    <my:second/>\n    <other:x xmlns:other=\"urn:other\"/>\n  </metadata>\n  <metadata><z:y xmlns:z='urn:z'/></metadata>\n</domain>\n",
		"  <metadata xmlns:my=\"http://example.com/my\">\n    <my:info a=\"1\">\n      <my:sub>text &amp; more</my:sub>\n    </my:info>\n    <other:x xmlns:other=\"urn:other\"/>\n  </metadata>\n"},
	{"md10",
		"<domain><metadata xmlns:a=\"u\"/></domain>",
		"  <metadata xmlns:a=\"u\"/>\n"},
	{"md11",
		"<domain><x:metadata xmlns:x=\"u\"/><metadata><a:k xmlns:a=\"u\"><?pi  data ?><?pj?></a:k></metadata></domain>",
		"  <metadata>\n    <a:k xmlns:a=\"u\">\n      <?pi data ?>\n      <?pj?>\n    </a:k>\n  </metadata>\n"},
	{"md2",
		"<domain><metadata/></domain>",
		"  <metadata/>\n"},
	{"md3",
		"<domain><metadata><plain/></metadata></domain>",
		"  <metadata/>\n"},
	{"md4",
		"<domain xmlns:my=\"urn:my\" xmlns:q='urn:q'>\n  <metadata xmlns:own=\"urn:own\">\n    <my:a x=\"\xc3\xa9&lt;&#10;\" q:y='1'>\n      <!-- c -->\n      <my:b>  </my:b>\n      <my:c>t<my:d/>u</my:c>\n      <?pi x?>\n      <e xmlns=\"urn:e\"><f/></e>\n    </my:a>\n    <own:z/>\n    <q:dup/>\n    <x:undef/>\n    <nons xmlns:z=\"urn:z\" z:attr=\"1\"/>\n    <n2 xmlns=\"urn:n2\"> <k/> </n2>\n  </metadata>\n</domain>\n",
		"  <metadata xmlns:own=\"urn:own\" xmlns:my=\"urn:my\" xmlns:q=\"urn:q\">\n    <my:a x=\"&#xE9;&lt;&#10;\" q:y=\"1\">\n      <!-- c -->\n      <my:b>  </my:b>\n      <my:c>t<my:d/>u</my:c>\n      <?pi x?>\n      <e xmlns=\"urn:e\">\n        <f/>\n      </e>\n    </my:a>\n    <own:z/>\n    <q:dup/>\n    <n2 xmlns=\"urn:n2\">\n      <k/>\n    </n2>\n  </metadata>\n"},
	{"md5",
		"<domain type='lxc'>\n  <metadata>\n    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n    <app2:bar xmlns:app2=\"http://bar.com/\" maman=\"baz\">barish</app2:bar>\n  </metadata>\n</domain>\n",
		"  <metadata>\n    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n    <app2:bar xmlns:app2=\"http://bar.com/\" maman=\"baz\">barish</app2:bar>\n  </metadata>\n"},
	{"md6",
		"<domain type='lxc'>\n  <metadata>\n    <herp2erp xmlns:foobar=\"http://foo.bar3/\"/>\n    <herp2erp xmlns:foobar=\"http://foo.bar3/\"/>\n    <herp2erp xmlns:foobar=\"http://foo.bar3/\"/>\n    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n    <app3:foo xmlns:app3=\"http://foo.org/\">fooish</app3:foo>\n    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n    <app2:bar xmlns:app2=\"http://bar.com/\" maman=\"baz\">barish</app2:bar>\n    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n    <app2:bar xmlns:app2=\"http://bar.com/\" maman=\"baz\">barish</app2:bar>\n  </metadata>\n</domain>\n",
		"  <metadata>\n    <app1:foo xmlns:app1=\"http://foo.org/\">fooish</app1:foo>\n    <app2:bar xmlns:app2=\"http://bar.com/\" maman=\"baz\">barish</app2:bar>\n  </metadata>\n"},
	{"md7",
		"<domain type='lxc' xmlns:a=\"urn:a\" xmlns:b=\"urn:b\">\n  <metadata xmlns=\"\">\n    <a:x b:y=\"q&quot;'\" c=\"&#9;tab\">\n      text <a:y/>\n      <!--c-->\n    </a:x>\n    <b:z xmlns:b=\"urn:b2\"><![CDATA[cd<x>]]></b:z>\n    <a:dup/>\n    <c:q xmlns:c='u\"q'/>\n    <d:q xmlns:d=\"u'q\"/>\n  </metadata>\n  <metadata><a:second/></metadata>\n</domain>\n",
		"  <metadata xmlns=\"\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\">\n    <a:x b:y=\"q&quot;'\" c=\"&#9;tab\">\n      text <a:y/>\n      <!--c-->\n    </a:x>\n    <b:z xmlns:b=\"urn:b2\"><![CDATA[cd<x>]]></b:z>\n    <c:q xmlns:c='u\"q'/>\n    <d:q xmlns:d=\"u'q\"/>\n  </metadata>\n"},
	{"md8",
		"<domain xmlns=\"urn:d\"><metadata><a:x xmlns:a=\"u\"/></metadata></domain>",
		"(no metadata)\n"},
	{"md9",
		"<domain><metadata xmlns:a=\"u\"><a:x/>\n<a:y>  <a:z/></a:y><e xmlns=\"urn:e\">  </e></metadata></domain>",
		"  <metadata xmlns:a=\"u\">\n    <a:x/>\n    <e xmlns=\"urn:e\">  </e>\n  </metadata>\n"},
}

func TestMetadataHarness(t *testing.T) {
	for _, c := range metadataCases {
		t.Run(c.name, func(t *testing.T) {
			_, doc, err := checkSyntax([]byte(c.doc), "(domain_definition)")
			if err != nil {
				t.Fatal(err)
			}
			md, ok, err := extractMetadata(doc)
			if err != nil {
				t.Fatal(err)
			}
			got := "(no metadata)\n"
			if ok {
				got = "  " + md + "\n"
			}
			if got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestMetadataFormat runs the upstream canonical example
// (qemuxml2xmloutdata/metadata.xml and metadata-duplicate.xml) and the
// research harness example through Parse and Format, twice.
func TestMetadataFormat(t *testing.T) {
	cases := []struct{ name, root, in, want string }{
		{"upstream canonical", "", `<metadata>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">barish</app2:bar>
  </metadata>`, `  <metadata>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">barish</app2:bar>
  </metadata>
`},
		{"upstream duplicates", "", `<metadata>
    <herp2erp xmlns:foobar="http://foo.bar3/"/>
    <herp2erp xmlns:foobar="http://foo.bar3/"/>
    <herp2erp xmlns:foobar="http://foo.bar3/"/>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app3:foo xmlns:app3="http://foo.org/">fooish</app3:foo>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">barish</app2:bar>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">barish</app2:bar>
  </metadata>`, `  <metadata>
    <app1:foo xmlns:app1="http://foo.org/">fooish</app1:foo>
    <app2:bar xmlns:app2="http://bar.com/" maman="baz">barish</app2:bar>
  </metadata>
`},
		{"harness", ` xmlns:my="http://example.com/my"`, `<metadata>
    <my:info a='1'><my:sub>text &amp; more</my:sub></my:info>
    <my:dup/>
    <plain>dropped</plain>
    loose text
    <!-- comment -->
    <other:x xmlns:other="urn:other"/>
  </metadata>`, `  <metadata xmlns:my="http://example.com/my">
    <my:info a="1">
      <my:sub>text &amp; more</my:sub>
    </my:info>
    <other:x xmlns:other="urn:other"/>
  </metadata>
`},
		{"empty", "", "<metadata><plain/></metadata>", "  <metadata/>\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := edit("<domain type='lxc'>", "<domain type='lxc'"+c.root+">", "<memory>", c.in+"\n  <memory>")
			out := parseFormat(t, doc, Options{})
			if !strings.Contains(out, "<uuid>") || !strings.Contains(out, c.want+"  <memory unit='KiB'>") {
				t.Fatalf("metadata not printed as libvirt does:\n%s\nwant\n%s", out, c.want)
			}
			if again := parseFormat(t, out, Options{}); again != out {
				t.Fatalf("not a fixed point:\n%s\n---\n%s", out, again)
			}
		})
	}
}

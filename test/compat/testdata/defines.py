# Defines every testdata/DIR/*.xml (DIR, the first argument: domdefs or
# domfmt) through python3-libvirt and prints each answer: "ok" (for domfmt
# followed by what the daemon formats back, the inactive definition, then
# with VIR_DOMAIN_XML_SECURE, a generated UUID masked) or the error's
# code, domain and message; then undefines it. DIR.jsonl is what libvirt
# 9.0's daemon (LXC driver only, in a private namespace on this machine
# kind) printed, 2026-11-29.
import glob
import json
import os
import re
import sys

import libvirt

libvirt.registerErrorHandler(lambda c, e: None, None)
which = sys.argv[1]
c = libvirt.open(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
for f in sorted(glob.glob(os.path.join(here, which, '*.xml'))):
    with open(f) as x:
        doc = x.read()
    try:
        d = c.defineXML(doc)
        r = []
        if which == 'domfmt':
            r = [d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
                 d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)]
            if '<uuid>' not in doc:
                r = [re.sub(r'<uuid>[0-9a-f-]+</uuid>', '<uuid/>', x) for x in r]
        d.undefine()
        r = ['ok'] + r
    except libvirt.libvirtError as e:
        r = ['err', e.get_error_code(), e.get_error_domain(), e.get_error_message()]
    print(json.dumps([os.path.basename(f)[:-4]] + r))

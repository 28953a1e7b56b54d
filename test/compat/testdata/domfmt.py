# Defines every testdata/domfmt/*.xml through python3-libvirt and prints
# what the daemon formats back (the inactive definition, then with
# VIR_DOMAIN_XML_SECURE), a generated UUID masked; then undefines it.
# domfmt.jsonl is what libvirt 9.0's daemon (LXC driver only, in a private
# namespace on this machine kind) printed, 2026-11-29.
import glob
import json
import os
import re
import sys

import libvirt

libvirt.registerErrorHandler(lambda c, e: None, None)
c = libvirt.open(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
for f in sorted(glob.glob(os.path.join(here, 'domfmt', '*.xml'))):
    with open(f) as x:
        doc = x.read()
    try:
        d = c.defineXML(doc)
        r = [d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
             d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)]
        d.undefine()
        if '<uuid>' not in doc:
            r = [re.sub(r'<uuid>[0-9a-f-]+</uuid>', '<uuid/>', x) for x in r]
        r = ['ok'] + r
    except libvirt.libvirtError as e:
        r = ['err', e.get_error_code(), e.get_error_domain(), e.get_error_message()]
    print(json.dumps([os.path.basename(f)[:-4]] + r))

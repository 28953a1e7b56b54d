# Defines (then undefines) every testdata/domdefs/*.xml through
# python3-libvirt and prints each answer: "ok", or the error's code, domain
# and message. domdefs.jsonl is what libvirt 9.0's daemon (LXC driver only,
# in a private namespace on this machine kind) printed, 2026-11-29.
import glob
import json
import os
import sys

import libvirt

libvirt.registerErrorHandler(lambda c, e: None, None)
c = libvirt.open(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
for f in sorted(glob.glob(os.path.join(here, 'domdefs', '*.xml'))):
    with open(f) as x:
        doc = x.read()
    try:
        c.defineXML(doc).undefine()
        r = ['ok']
    except libvirt.libvirtError as e:
        r = ['err', e.get_error_code(), e.get_error_domain(), e.get_error_message()]
    print(json.dumps([os.path.basename(f)[:-4]] + r))

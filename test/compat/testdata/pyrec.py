# The recorder testdata/*/calls.py share: rec(name, f, *args) makes a call
# and keeps its answer (value, or error code, error domain and message);
# done() prints one JSON line per call.
import json

import libvirt

out = []


def rec(name, f, *a):
    try:
        r = f(*a)
        if isinstance(r, (libvirt.virDomain, libvirt.virNetwork)):
            r = ('domain ' if isinstance(r, libvirt.virDomain) else 'network ') + r.name()
        out.append([name, 'ok', r])
    except libvirt.libvirtError as e:
        out.append([name, 'err', e.get_error_code(), e.get_error_domain(), e.get_error_message()])


def done():
    for o in out:
        print(json.dumps(o))


libvirt.registerErrorHandler(lambda c, e: None, None)

#!/usr/bin/env python3
"""The layer rule of docs/ARCHITECTURE.md: a file in lib/LAYER/ includes headers only from
its own layer or the layers below it, only the control layer includes the public API
header, and a family's internal header (lib/LAYER/FAMILY/*-internal.h) is included only
from that family's folder. Exits 1 and names each violation."""
import glob
import os
import re
import sys

ORDER = ['base', 'rules', 'store', 'workspace', 'engines', 'agents', 'control', 'server']
root = sys.argv[1] if len(sys.argv) > 1 else '.'
problems = []
for path in sorted(glob.glob(os.path.join(root, 'lib', '*', '**', '*.[ch]'), recursive=True)):
    rel = os.path.relpath(path, root)
    layer = rel.split(os.sep)[1]
    if layer not in ORDER:
        problems.append(f'{rel}: lib/{layer} is not a layer of docs/ARCHITECTURE.md')
        continue
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if not m:
            continue
        inc = m.group(1)
        top = inc.split('/')[0]
        if top in ORDER and ORDER.index(top) > ORDER.index(layer):
            problems.append(f'{rel}:{n}: the {layer} layer may not include {inc} ({top} is above it)')
        if inc == 'dealwright.h' and layer not in ('control', 'server'):
            problems.append(f'{rel}:{n}: only the control layer implements the public API (the server uses it)')
        fam = re.match(r'(\w+)/(\w+)/[\w-]+-internal\.h$', inc)
        if fam and not rel.startswith(os.path.join('lib', fam.group(1), fam.group(2), '')):
            problems.append(f'{rel}:{n}: {inc} is internal to lib/{fam.group(1)}/{fam.group(2)}/')
for p in problems:
    print(p)
sys.exit(1 if problems else 0)

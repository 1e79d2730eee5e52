#!/usr/bin/env python3
"""The layer rule of docs/ARCHITECTURE.md: a file in lib/LAYER/ includes headers only from
its own layer or the layers below it, and only the control layer includes the public API
header. Exits 1 and names each violation."""
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
for p in problems:
    print(p)
sys.exit(1 if problems else 0)

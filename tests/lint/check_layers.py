#!/usr/bin/env python3
"""The layer rule of docs/ARCHITECTURE.md. A file in lib/LAYER/ includes headers only from
its own layer or the layers below it (and the public headers, <dealwright/...>); only the
control and server layers, which implement and serve the API, include the umbrella
<dealwright/dealwright.h>; a family's internal header (lib/LAYER/FAMILY/*-internal.h) is
included only from that family's folder. The surfaces, src/ and bench/, include only the public headers
and their own files. The public headers (include/dealwright/) include only each other and
system headers, and name nothing internal. Exits 1 and names each violation."""
import glob
import os
import re
import sys

ORDER = ['base', 'rules', 'store', 'workspace', 'engines', 'agents', 'models', 'channels',
         'control', 'server']
# Surface files that still reach into the library's internals, each with its reason. Keep
# this list short: a surface needing an internal needs a public call instead.
EXEMPT = {
    # micro-benchmarks that measure one internal engine on its own
    'bench/cel_bench.c': 'the CEL evaluator on compiled workspace rules',
    'bench/pricing_bench.c': 'the pricing engine on one large quote',
    'bench/configure_bench.c': 'the configurator and its independent verifier',
    'bench/bench-extract.c': 'the extractor with and without its prepared vocabulary',
    'bench/models_bench.c': 'the language models\' trust path without the network',
    # seeds a store with a synthetic history (past timestamps), which no public call writes
    'bench/bench-report.c': 'writes 100,000 deals straight into the store',
}
INTERNAL_WORDS = re.compile(r'\b(_cleanup_\w+|dw_buf\w*|DW_TAKE_PTR)\b')

root = sys.argv[1] if len(sys.argv) > 1 else '.'
problems = []


def includes(path):
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        m = re.match(r'\s*#\s*include\s+([<"])([^>"]+)[>"]', line)
        if m:
            yield n, m.group(1) == '"', m.group(2)


for path in sorted(glob.glob(os.path.join(root, 'lib', '*', '**', '*.[ch]'), recursive=True)):
    rel = os.path.relpath(path, root)
    layer = rel.split(os.sep)[1]
    if layer not in ORDER:
        problems.append(f'{rel}: lib/{layer} is not a layer of docs/ARCHITECTURE.md')
        continue
    for n, quoted, inc in includes(path):
        top = inc.split('/')[0]
        if quoted and top in ORDER and ORDER.index(top) > ORDER.index(layer):
            problems.append(f'{rel}:{n}: the {layer} layer may not include {inc} ({top} is above it)')
        if inc == 'dealwright.h':
            problems.append(f'{rel}:{n}: the public API is include/dealwright/: <dealwright/...>')
        elif inc == 'dealwright/dealwright.h' and layer not in ('control', 'server'):
            problems.append(f'{rel}:{n}: only the control and server layers include the whole '
                            'API; include the part needed (<dealwright/error.h>, ...)')
        fam = re.match(r'(\w+)/(\w+)/[\w-]+-internal\.h$', inc)
        if quoted and fam and not rel.startswith(os.path.join('lib', fam.group(1), fam.group(2), '')):
            problems.append(f'{rel}:{n}: {inc} is internal to lib/{fam.group(1)}/{fam.group(2)}/')

for surface in ('src', 'bench'):
    for path in sorted(glob.glob(os.path.join(root, surface, '**', '*.[ch]'), recursive=True)):
        rel = os.path.relpath(path, root).replace(os.sep, '/')
        if rel in EXEMPT:
            continue
        here = os.path.dirname(path)
        for n, quoted, inc in includes(path):
            top = inc.split('/')[0]
            if inc.startswith('dealwright/'):
                if quoted:
                    problems.append(f'{rel}:{n}: include the public API as <{inc}>')
                continue
            local = os.path.normpath(os.path.join(here, inc))
            if quoted and os.path.dirname(local) == os.path.normpath(here) and os.path.exists(local):
                continue
            if quoted or top in ORDER or inc == 'dealwright.h':
                problems.append(f'{rel}:{n}: {surface}/ uses the public API only '
                                f'(<dealwright/...>), not {inc}')

for path in sorted(glob.glob(os.path.join(root, 'include', '**', '*.h*'), recursive=True)):
    rel = os.path.relpath(path, root)
    for n, quoted, inc in includes(path):
        if quoted or inc.split('/')[0] in ORDER or inc == 'dealwright.h':
            problems.append(f'{rel}:{n}: a public header includes only <dealwright/...> and '
                            f'system headers, not {inc}')
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        m = INTERNAL_WORDS.search(line)
        if m:
            problems.append(f'{rel}:{n}: {m.group(1)} is internal; it has no place in the public API')

for p in problems:
    print(p)
sys.exit(1 if problems else 0)

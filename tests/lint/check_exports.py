#!/usr/bin/env python3
"""The shared library's exports are the public API and nothing else: every symbol it
defines dynamically starts with dw_, and every function the public headers declare with
DW_EXPORT is among them. Usage: check_exports.py LIBDEALWRIGHT.so INCLUDE_DIR. Exits 1 and
names each problem."""
import glob
import os
import re
import subprocess
import sys

lib, inc = sys.argv[1], sys.argv[2]
out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True, capture_output=True,
                     text=True).stdout
exported = set()
for line in out.splitlines():
    parts = line.split()
    if len(parts) >= 3:
        exported.add(parts[2].split('@')[0])
problems = [f'{lib}: exports {s}, which is not dw_*' for s in sorted(exported)
            if not s.startswith('dw_')]
declared = set()
for path in sorted(glob.glob(os.path.join(inc, 'dealwright', '*.h*'))):
    if os.path.basename(path) == 'export.h':  # defines DW_EXPORT itself
        continue
    text = open(path, encoding='utf-8').read()
    for m in re.finditer(r'DW_EXPORT\s+[^;(]*?\b(\w+)\s*\(', text):
        declared.add(m.group(1))
        if not m.group(1).startswith('dw_'):
            problems.append(f'{path}: {m.group(1)} is exported but not named dw_*')
for name in sorted(declared - exported):
    problems.append(f'{lib}: {name} is declared DW_EXPORT but not exported (not defined, or '
                    'its definition does not see the public declaration)')
if not declared:
    problems.append(f'{inc}: no DW_EXPORT declaration found')
for p in problems:
    print(p)
print(f'{len(exported)} symbols exported, {len(declared)} declared', file=sys.stderr)
sys.exit(1 if problems else 0)

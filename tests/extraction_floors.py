#!/usr/bin/python3
"""Write the floors `make test` holds the extractor to on a labelled set.

    tests/extraction_floors.py DEALWRIGHT SET FLOORS.json

For every language and scored field of `dealwright -w example eval extraction --set SET
--json`, the floor is the goal where the score meets it, else the score rounded down to two
decimals: a field may not fall, and one that reaches its goal stays there. Raise the floors
(run this again) after an improvement; when every goal is met, `make test` can drop
--floors and gate on the goal itself (docs/internals/extraction.md, "Evaluation").
"""
import json
import math
import os
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    exe, set_dir, out = sys.argv[1:]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.run([exe, '-w', os.path.join(root, 'example'), 'eval', 'extraction',
                        '--set', set_dir, '--json'], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(p.stderr)
    res = json.loads(p.stdout)
    floors = {}
    for lang, rep in res['by_language'].items():
        for field, f in rep['fields'].items():
            if f['goal'] is None:
                continue
            floor = min(f['goal'], math.floor(f['f1'] * 100 + 1e-9) / 100)
            floors.setdefault(lang, {})[field] = floor
    with open(out, 'w') as fh:
        json.dump(floors, fh, indent=2)
        fh.write('\n')


if __name__ == '__main__':
    main()

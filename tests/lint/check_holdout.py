#!/usr/bin/python3
"""The held-out labelled messages are frozen: their HOLDOUT file lists each one's SHA-256.

    tests/lint/check_holdout.py DIR           fails when a message was added, removed or
                                               changed without its line in DIR/HOLDOUT
    tests/lint/check_holdout.py DIR --write   writes the lines (after a deliberate change:
                                               a new held-out message, or one moved out)

A label on a held-out message is never changed to match the extractor, and a message that
was tuned on leaves the set (tests/data/extraction-holdout/README.md); the list makes either
visible in review instead of silent.
"""
import hashlib
import os
import sys

HEAD = ('This set is held out: never tune the extractor on it (README.md).\n'
        'SHA-256 of each message, checked by tests/lint/check_holdout.py:\n')


def digests(d):
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith('.json') and not name.startswith('.'):
            with open(os.path.join(d, name), 'rb') as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != '--write'):
        sys.exit(__doc__)
    d = sys.argv[1]
    path = os.path.join(d, 'HOLDOUT')
    now = digests(d)
    if len(sys.argv) == 3:
        with open(path, 'w') as f:
            f.write(HEAD + ''.join(f'{h}  {n}\n' for n, h in now.items()))
        return
    listed = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and len(parts[0]) == 64:
                listed[parts[1]] = parts[0]
    bad = []
    for n, h in now.items():
        if n not in listed:
            bad.append(f'{path}: {n} is not listed (a new held-out message? --write)')
        elif listed[n] != h:
            bad.append(f'{path}: {n} changed since it was frozen')
    for n in listed:
        if n not in now:
            bad.append(f'{path}: {n} is listed but gone (moved to the tuning set? --write)')
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()

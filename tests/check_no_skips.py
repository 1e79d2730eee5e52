#!/usr/bin/env python3
"""Fail when a test run skipped anything: read meson's test log (one JSON object per line,
meson-logs/testlog.json) and name every test whose result is SKIP (a script's exit 77).
A skip hides a test that did not run, so it counts as a failure, here and in CI."""
import json
import sys


def main(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f if line.strip()]
    except OSError as e:
        print(f"{path}: cannot read the test log: {e.strerror}", file=sys.stderr)
        return 1
    results = []
    for n, line in enumerate(lines, 1):
        try:
            results.append(json.loads(line))
        except json.JSONDecodeError as e:
            print(f"{path}:{n}:{e.colno}: not JSON: {e.msg}", file=sys.stderr)
            return 1
    if not results:
        print(f"{path}: no test ran", file=sys.stderr)
        return 1
    skipped = [r for r in results if r.get("result") == "SKIP"]
    failed = [r for r in results if r.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP")]
    passed = len(results) - len(skipped) - len(failed)
    for r in skipped:
        out = (r.get("stdout") or "").strip().splitlines()
        why = out[-1] if out else "no reason printed"
        print(f"SKIPPED: {r.get('name')}: {why}", file=sys.stderr)
    print(f"meson: {passed} passed, {len(failed)} failed, {len(skipped)} skipped")
    if skipped:
        print(f"{len(skipped)} of {len(results)} tests skipped; a skip is a failure",
              file=sys.stderr)
    return 1 if skipped or failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check_no_skips.py BUILD/meson-logs/testlog.json", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

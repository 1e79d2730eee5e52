#!/usr/bin/env python3
"""The scenario runner's self-test: a set whose expectations are wrong on purpose must
exit 1 and name exactly those misses. A runner that crashed, reported nothing, or let a
wrong expectation pass fails here (a bare non-zero exit is not enough)."""
import json
import subprocess
import sys

dealwright, set_dir = sys.argv[1], sys.argv[2]
run = subprocess.run([dealwright, "eval", "scenarios", "--set", set_dir, "--json"],
                     capture_output=True, text=True, timeout=300)
if run.returncode != 1:
    sys.exit(f"expected exit 1, got {run.returncode}: {run.stderr.strip()}")
report = json.loads(run.stdout)
whats = sorted(m["what"] for r in report["results"] for m in r["misses"])
want = sorted(["D-000001 stage", "D-000001 approvals pending", "D-000001 line NW-EDGE-50"])
if report["scenarios"] != 1 or report["passed"] != 0 or whats != want:
    sys.exit(f"expected the misses {want}, got {whats}")
print(f"the wrong expectations were all caught: {whats}")

#!/bin/sh
# tests/check_no_skips.py, which `make test`, `make asan` and CI run after meson: a log with
# a skipped test (exit 77) fails and names it; a log where everything passed does not; an
# empty or missing log fails.
set -u
CHECK="$1/tests/check_no_skips.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
bad() { echo "FAIL: $1"; exit 1; }
printf '%s\n' '{"name": "flow", "result": "OK", "stdout": "ok"}' \
    '{"name": "console", "result": "SKIP", "stdout": "SKIP: needs chromium"}' >"$T/skip.json"
printf '%s\n' '{"name": "flow", "result": "OK", "stdout": "ok"}' >"$T/ok.json"
: >"$T/empty.json"
python3 "$CHECK" "$T/skip.json" 2>"$T/err" && bad "a skipped test passed the check"
grep -q '^SKIPPED: console: SKIP: needs chromium' "$T/err" || bad "the skip is not named: $(cat "$T/err")"
ok "a log with a skipped test fails, naming the test and its reason"
[ "$(python3 "$CHECK" "$T/ok.json")" = "meson: 1 passed, 0 failed, 0 skipped" ] || bad "a clean log failed"
ok "a log where every test ran passes"
python3 "$CHECK" "$T/empty.json" 2>/dev/null && bad "an empty log passed"
python3 "$CHECK" "$T/missing.json" 2>/dev/null && bad "a missing log passed"
ok "an empty or missing log fails"

# Helpers for the end-to-end tests: each test drives the built binary from outside on a
# fresh copy of the example workspace in a temporary directory, and removes it after.
# Usage in a test: . "$(dirname "$0")/lib.sh"
set -eu

DW=${DW_BIN:?DW_BIN must point at the dealwright binary}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dw-e2e-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
WS="$TMP/ws"
export DW_NOW="${DW_NOW:-2026-11-24T12:00:00Z}"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# dw ARGS...: run dealwright on the test workspace.
dw() { "$DW" -w "$WS" "$@"; }

# expect_exit CODE CMD...: run, capture stdout/stderr into $OUT/$ERR, check the exit code.
expect_exit() {
    want=$1; shift
    set +e
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want
stdout: $OUT
stderr: $ERR"
}

# jq-free JSON field access via python3 (meson needs python3, so it is always here).
# json_get 'EXPR' < file: EXPR is Python over the parsed value `d`.
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

db() { sqlite3 "$WS/.dealwright/state.db" "$@"; }

new_ws() { "$DW" init "$WS" >/dev/null; }

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

# DW_TEST_BACKEND=postgres: the same tests on PostgreSQL. One throwaway cluster per test
# script (tests/pg.sh), stopped by a watchdog once the script's shell is gone (scripts set
# EXIT traps of their own, and a timeout kills the script); DW runs every command through
# tests/e2e/dw_pg.sh, which gives each workspace a database of its own through DW_DB.
DW_BACKEND=${DW_TEST_BACKEND:-sqlite}
case $DW_BACKEND in
sqlite) ;;
postgres)
    DW_PG_SH="${DW_SOURCE_ROOT:?DW_SOURCE_ROOT must point at the source tree}/tests/pg.sh"
    DW_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dw-pg.XXXXXX")
    "$DW_PG_SH" start "$DW_PG_DIR" >/dev/null || fail "PostgreSQL did not start"
    setsid sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 0.5; done; "$2" stop "$3"; rm -rf "$3"' \
        sh "$$" "$DW_PG_SH" "$DW_PG_DIR" </dev/null >/dev/null 2>&1 &
    DW_REAL=$DW
    DW="$DW_SOURCE_ROOT/tests/e2e/dw_pg.sh"
    export DW_REAL DW_PG_DIR DW_PG_SH
    ;;
*) fail "DW_TEST_BACKEND=$DW_BACKEND: sqlite or postgres" ;;
esac

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

# State is read through the CLI's --json, so that the tests run on any store backend.
# lead_deal EXTERNAL_ID: the deal a stored lead went to ("D-000001"; "" when none), from
# the event log's lead.received events.
lead_deal() {
    dw events list --type lead.received --json |
        json_get "next(('D-%06d' % e['deal_id'] for e in d if e['data'].get('external_id') == '$1'), '')"
}
# leads_n [EXTERNAL_ID]: stored leads (with that external id)
leads_n() {
    if [ $# = 0 ]; then dw stats --json | json_get 'd["leads"]'; return; fi
    dw events list --type lead.received --json |
        json_get "len(set(e['data']['lead'] for e in d if e['data'].get('external_id') == '$1'))"
}
# events_n [TYPE]: events in the log (of that type); audit_n [ACTION]: audit records (with
# that action); dw_stat KEY: one of `dealwright stats`' figures
events_n() { dw events list ${1:+--type "$1"} --json | json_get 'len(d)'; }
audit_n() { dw audit list ${1:+--action "$1"} --json | json_get 'len(d)'; }
dw_stat() { dw stats --json | json_get "d['$1']"; }
# json_stream: JSON documents one after another on stdin -> one JSON array on stdout
json_stream() {
    python3 -c '
import json, sys
s, dec, i, out = sys.stdin.read(), json.JSONDecoder(), 0, []
while True:
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s):
        break
    o, i = dec.raw_decode(s, i)
    out.append(o)
print(json.dumps(out))'
}
# deals_json [WS]: every deal shown whole, as one JSON array
deals_json() { "$DW" -w "${1:-$WS}" deal show --all --json; }
# state_json [WS]: a workspace's whole state through the CLI: {deals, events, audit}
state_json() {
    _ws=${1:-$WS}
    { "$DW" -w "$_ws" events list --json; "$DW" -w "$_ws" audit list --json; deals_json "$_ws"; } |
        json_stream | json_get 'json.dumps({"events": d[0], "audit": d[1], "deals": d[2]})'
}

# db SQL: the database itself. Backend-specific: only for the tests that tamper with the
# database on purpose (audit tamper, crash tests); everything else reads through the CLI.
# On PostgreSQL, psql on the workspace's database with sqlite3's output (rows of a|b).
db() {
    if [ "$DW_BACKEND" = postgres ] && [ "$*" = .dump ]; then
        "$DW_PG_SH" dump "$DW_PG_DIR" "$(ws_db)"
    elif [ "$DW_BACKEND" = postgres ]; then
        "$DW_PG_SH" psql "$DW_PG_DIR" "$(ws_db)" -At -F '|' -c "$*"
    else
        sqlite3 "$WS/.dealwright/state.db" "$@"
    fi
}
# ws_db [WS]: PostgreSQL: the name of the workspace's database (tests/e2e/dw_pg.sh)
ws_db() { printf 'ws_%s' "$(printf '%s' "$(cd "${1:-$WS}" && pwd -P)" | md5sum | cut -c1-20)"; }

new_ws() { "$DW" init "$WS" >/dev/null; }

# start_server [SERVE_ARGS...]: `dealwright serve` on a free port of 127.0.0.1 in the
# background; sets PID, PORT (exported) and U (the base URL). Waits until the server's
# "serving on http://127.0.0.1:PORT (...)" line is complete, up to SERVE_WAIT tenths of a
# second (30 s), and fails at once if the server exits first.
start_server() {
    # the previous server's output must be gone before the new one's is read: the shell
    # truncates the file in the child, which may run after the loop below has looked
    rm -f "$TMP/serve.out"
    "$DW" -w "$WS" serve --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
    PID=$!
    PORT=""
    _t=0
    while [ "$_t" -lt "${SERVE_WAIT:-300}" ]; do
        # only a whole line: up to the closing parenthesis after the port, never a port cut short
        PORT=$(sed -n 's/^dealwright serving on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\) (.*)$/\1/p' \
            "$TMP/serve.out" 2>/dev/null || true)
        [ -n "$PORT" ] && break
        kill -0 "$PID" 2>/dev/null ||
            fail "the server exited before it listened: $(cat "$TMP/serve.err" 2>/dev/null)"
        sleep 0.1
        _t=$((_t + 1))
    done
    [ -n "$PORT" ] || fail "the server did not listen within $((${SERVE_WAIT:-300} / 10)) s: $(cat "$TMP/serve.err" 2>/dev/null)"
    # shellcheck disable=SC2034 # U is for the tests that source this file
    U="http://127.0.0.1:$PORT"
    export PORT
}

#!/bin/sh
# The two store backends keep the same records. The samples go through the pipeline twice,
# with the clock pinned, once on SQLite and once on PostgreSQL (a throwaway cluster of
# tests/pg.sh): a manager approves, a customer accepts, leads come back as follow-ups and
# duplicates, a deal's personal data is purged. Every deal shown whole, the listing, the
# stats, the approvals, the exports, the event log and the audit trail must then be the same
# bytes on both (the audit records but for the steps' durations), as a deal desk moving from
# one machine to several expects: the same configurations, prices, stages and documents.
DW_TEST_BACKEND=sqlite # this test runs both backends itself
. "$(dirname "$0")/lib.sh"
PG_SH="${DW_SOURCE_ROOT:?DW_SOURCE_ROOT must point at the source tree}/tests/pg.sh"
PGD=$(mktemp -d /tmp/dw-pg.XXXXXX)
trap '"$PG_SH" stop "$PGD" >/dev/null 2>&1 || true; rm -rf "$PGD" "$TMP"' EXIT
"$PG_SH" start "$PGD" >/dev/null || fail "PostgreSQL did not start"
PGURL=$("$PG_SH" createdb "$PGD" agree) || fail "createdb failed"
new_ws
SQ="$TMP/state.db"

# on BACKEND (sq or pg) at TIME: dealwright ARGS...
on() {
    b=$1 t=$2
    shift 2
    if [ "$b" = sq ]; then db=$SQ; else db=$PGURL; fi
    DW_NOW=$t "$DW" -w "$WS" --db "$db" "$@"
}

# The same history on each backend.
for b in sq pg; do
    on $b 2026-11-24T09:00:00Z lead add "$WS/samples/leads.jsonl" >/dev/null
    on $b 2026-11-24T09:00:00Z run >/dev/null
    pending=$(on $b 2026-11-24T10:00:00Z approvals --json | json_get '" ".join(a["id"] for a in d)')
    [ -n "$pending" ] || fail "$b: no approval to decide"
    first=${pending%% *}
    on $b 2026-11-24T11:00:00Z approve "$first" --as petra --note "within plan" >/dev/null
    on $b 2026-11-24T11:00:00Z run >/dev/null
    ready=$(on $b 2026-11-24T12:00:00Z deals --json |
        json_get '" ".join(x["id"] for x in d if x["stage"] == "proposal_ready")')
    [ -n "$ready" ] || fail "$b: no proposal to accept"
    on $b 2026-11-25T09:00:00Z accept "${ready%% *}" >/dev/null
    # the samples again: every one a duplicate; then two of them as new messages
    on $b 2026-11-25T10:00:00Z lead add "$WS/samples/leads.jsonl" >/dev/null
    sed -n '2p;5p' "$WS/samples/leads.jsonl" |
        python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l); d["external_id"] += "-again"; d["message"] = "Following up: " + d.get("message", "")
    print(json.dumps(d))' >"$TMP/again.jsonl"
    before=$(on $b 2026-11-25T10:00:00Z deals --json | json_get 'len(d)')
    on $b 2026-11-25T10:00:00Z lead add "$TMP/again.jsonl" >/dev/null
    on $b 2026-11-25T10:00:00Z run >/dev/null
    # Great Lakes' open deal takes its follow-up; the student's was disqualified: a new one
    after=$(on $b 2026-11-25T10:00:00Z deals --json | json_get 'len(d)')
    [ "$after" = $((before + 1)) ] || fail "$b: the follow-ups made $before -> $after deals"
    purged=$(on $b 2029-01-01T00:00:00Z privacy purge --json | json_get 'len(d["deals"])')
    [ "$purged" -ge 1 ] || fail "$b: the purge redacted no deal"
done

n=$(on sq 2029-01-02T00:00:00Z deals --json | json_get 'len(d)')
[ "$n" -ge 20 ] || fail "only $n deals: the history did not run"
# The audit records carry how long each step took ("us", the wall clock's microseconds),
# which no two runs share, so the chain's hashes differ; everything else in them agrees.
no_times() {
    python3 -c 'import json,sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("us", "prev", "hash")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(sys.stdin)), indent=1))'
}
for what in "deal show --all" "deals" "stats" "approvals --status all" "deals export" \
    "quotes export" "events list" "audit list" "mail outbox"; do
    for b in sq pg; do
        # shellcheck disable=SC2086 # what is several words on purpose
        on $b 2029-01-02T00:00:00Z $what --json >"$TMP/$b.json" 2>"$TMP/err" ||
            fail "$b: $what: $(cat "$TMP/err")"
        if [ "$what" = "audit list" ]; then
            no_times <"$TMP/$b.json" >"$TMP/$b.tmp" && mv "$TMP/$b.tmp" "$TMP/$b.json"
        fi
    done
    cmp -s "$TMP/sq.json" "$TMP/pg.json" ||
        fail "$what differs between SQLite and PostgreSQL: $(diff "$TMP/sq.json" "$TMP/pg.json" | head -c 2000)"
done
on sq 2029-01-02T00:00:00Z audit verify >/dev/null || fail "the audit chain on SQLite"
on pg 2029-01-02T00:00:00Z audit verify >/dev/null || fail "the audit chain on PostgreSQL"
records=$(on pg 2029-01-02T00:00:00Z audit list --json | json_get 'len(d)')
pass "$n deals, their documents, quotes, approvals, orders, events and $records audit records: the same on SQLite and PostgreSQL, both chains intact"

#!/bin/sh
# A step that meets a lock on PostgreSQL is redone with its whole transaction, once done.
# One lead goes through the pipeline twice, on two databases of one throwaway cluster: on
# the first nothing is in the way; on the second another session holds the proposals table
# (EXCLUSIVE: reads go on, writes wait) for eight seconds, so the proposal step's insert
# waits past the lock timeout (5 s), fails with SQLSTATE 55P03 (-DW_EBUSY, as a deadlock's
# 40P01 does), and the control plane rolls the batch back and runs it again until the lock
# is gone. Afterwards the second database must hold what the first does, byte for byte:
# the same events with the same seqs (a rolled-back attempt leaves neither a record nor a
# gap), the same audit records (but for the steps' durations) in a chain that verifies, one
# quote revision, one proposal, one account; and a second run changes nothing.
DW_TEST_BACKEND=sqlite # this test starts its own cluster
. "$(dirname "$0")/lib.sh"
PG_SH="${DW_SOURCE_ROOT:?DW_SOURCE_ROOT must point at the source tree}/tests/pg.sh"
PGD=$(mktemp -d /tmp/dw-pg.XXXXXX)
LOCKER=
trap '[ -n "$LOCKER" ] && kill "$LOCKER" 2>/dev/null; "$PG_SH" stop "$PGD" >/dev/null 2>&1 || true; rm -rf "$PGD" "$TMP"' EXIT
"$PG_SH" start "$PGD" >/dev/null || fail "PostgreSQL did not start"
CLEAR=$("$PG_SH" createdb "$PGD" clear) || fail "createdb failed"
HELD=$("$PG_SH" createdb "$PGD" held) || fail "createdb failed"
new_ws
head -1 "$WS/samples/leads.jsonl" >"$TMP/one.jsonl"

# on URL: dealwright ARGS... with the clock pinned
on() {
    db=$1
    shift
    DW_NOW=2026-11-24T09:00:00Z "$DW" -w "$WS" --db "$db" "$@"
}
psql_held() { "$PG_SH" psql "$PGD" held -At "$@"; }

for db in "$CLEAR" "$HELD"; do
    on "$db" lead add "$TMP/one.jsonl" >/dev/null || fail "lead add"
done
on "$CLEAR" run >/dev/null || fail "the run on the clear database failed"

# another session takes the proposals table for 8 s
psql_held -c "BEGIN; LOCK TABLE proposals IN EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;" \
    >/dev/null 2>&1 &
LOCKER=$!
tries=0
until [ "$(psql_held -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
    WHERE c.relname = 'proposals' AND l.mode = 'ExclusiveLock' AND l.granted")" = 1 ]; do
    tries=$((tries + 1))
    [ $tries -lt 100 ] || fail "the other session did not get its lock"
    sleep 0.1
done
t0=$(date +%s)
on "$HELD" run >/dev/null 2>"$TMP/err" || fail "the run behind the lock failed: $(cat "$TMP/err")"
took=$(($(date +%s) - t0))
wait "$LOCKER"
LOCKER=
[ "$took" -ge 5 ] || fail "the run took ${took}s: it did not wait for the lock"
grep -q "canceling statement due to lock timeout" "$PGD/server.log" ||
    fail "no statement hit the lock timeout: the busy path was not taken"

# The steps' durations differ from run to run, and with them the chain's hashes. So do the
# ids PostgreSQL draws from a sequence for accounts, contacts and quotes: a rolled-back
# attempt has used one (sequences are not transactional), so the retried run's account is
# number 2. That there is one of each all the same is counted below.
no_times() {
    python3 -c 'import json,sys
IDS = ("account", "account_id", "contact_id", "quote_id")
ROWS = ("account", "contact", "quote", "quotes")
def strip(v, parent=""):
    if isinstance(v, dict):
        return {k: ("id" if (k in IDS or (k == "id" and parent in ROWS)) and isinstance(x, int)
                    else strip(x, k))
                for k, x in v.items() if k not in ("us", "prev", "hash")}
    if isinstance(v, list):
        return [strip(x, parent) for x in v]
    return v
print(json.dumps(strip(json.load(sys.stdin)), indent=1))'
}
for what in "events list" "audit list" "deal show --all" "stats"; do
    for db in clear held; do
        if [ $db = clear ]; then url=$CLEAR; else url=$HELD; fi
        # shellcheck disable=SC2086 # what is several words on purpose
        on "$url" $what --json | no_times >"$TMP/$db.json" || fail "$db: $what"
    done
    cmp -s "$TMP/clear.json" "$TMP/held.json" ||
        { diff "$TMP/clear.json" "$TMP/held.json" | head -40 >&2 || true; fail "$what differs after the retried run"; }
done
on "$HELD" audit verify >/dev/null || fail "the audit chain does not verify"
steps=$(on "$HELD" audit list --json | json_get 'len([r for r in d if r["action"] == "step"])')
agents=$(on "$HELD" audit list --json |
    json_get 'len(set(r["actor"] for r in d if r["action"] == "step"))')
[ "$steps" = "$agents" ] || fail "$steps step records for $agents agents: a step was recorded twice"
counts=$(psql_held -c "SELECT (SELECT count(*) FROM proposals) || ' ' || (SELECT count(*) FROM \
    quotes) || ' ' || (SELECT count(*) FROM accounts) || ' ' || (SELECT count(*) FROM contacts)")
[ "$counts" = "1 1 1 1" ] ||
    fail "proposals, quote revisions, accounts, contacts: $counts (1 each expected)"
events=$(on "$HELD" events list --json | json_get 'len(d)')
on "$HELD" run >/dev/null || fail "the second run failed"
again=$(on "$HELD" events list --json | json_get 'len(d)')
[ "$again" = "$events" ] || fail "a second run added $((again - events)) events"
pass "a step behind a lock: busy after ${took}s, its batch redone; $events events and $steps step records as on a clear run, the chain intact, a second run changes nothing"

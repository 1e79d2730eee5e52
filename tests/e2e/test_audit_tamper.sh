#!/bin/sh
# Changing a stored audit row by hand makes `audit verify` fail (exit 1) at that record.
# Backend-specific on purpose: the tampering (dropping triggers, editing and deleting rows)
# is done on the SQLite file with sqlite3, or on PostgreSQL with psql (the triggers switched
# off instead of dropped); what is read without tampering goes through the CLI.
. "$(dirname "$0")/lib.sh"
# untrigger: the audit table's append-only triggers out of the tamperer's way
untrigger() {
    if [ "$DW_BACKEND" = postgres ]; then
        db "ALTER TABLE audit DISABLE TRIGGER USER"
        return
    fi
    for t in $(db "select name from sqlite_master where type='trigger' and tbl_name='audit'"); do db "drop trigger $t"; done
}
new_ws
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
expect_exit 0 dw audit verify
pass "intact chain: $OUT"
n=$(audit_n)
[ "$n" -gt 50 ] || fail "expected a real audit trail, got $n records"

# The table refuses updates (append-only triggers) ...
if db "update audit set actor='mallory' where seq=5" 2>/dev/null; then fail "audit row was updatable"; fi
pass "append-only trigger refuses an UPDATE"
# ... so a tamperer drops the trigger first, then edits the data of one record.
untrigger
db "update audit set data=replace(data, 'pricing', 'pricinG') where seq=(select min(seq) from audit where data like '%pricing%')"
bad=$(db "select min(seq) from audit where data like '%pricinG%'")
expect_exit 1 dw audit verify
echo "$ERR" | grep -q "$bad" || fail "verify did not name record $bad: $ERR"
pass "tampered record $bad detected: $ERR"
expect_exit 1 dw audit checkpoint --key "$TMP/k0" --out "$TMP/cp0.json"
[ ! -e "$TMP/cp0.json" ] || fail "a checkpoint was signed over a broken chain"
pass "no checkpoint is signed over a broken chain"

# Deleting a record in the middle breaks the chain too.
new_ws_2() { rm -rf "$WS"; new_ws; dw lead add "$WS/samples/leads.jsonl" >/dev/null; dw run >/dev/null; }
new_ws_2
untrigger
db "delete from audit where seq=10"
expect_exit 1 dw audit verify
pass "deleted record detected: $ERR"

# Signed checkpoints catch what the chain alone cannot: a deleted tail and a tail rewritten
# consistently (every hash recomputed). The key lives outside the workspace.
new_ws_2
KEY="$TMP/keys/audit.key"
expect_exit 0 dw audit checkpoint --key "$KEY" --out "$TMP/cp1.json"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "the signing key is mode $(stat -c %a "$KEY"), not 600"
[ -s "$KEY.pub" ] || fail "no public key beside the signing key"
head=$(dw audit list --json | json_get 'd[-1]["seq"]')
[ "$(json_get 'd["seq"]' <"$TMP/cp1.json")" = "$head" ] || fail "the checkpoint does not sign the head $head"
[ "$(json_get 'd["hash"]' <"$TMP/cp1.json")" = "$(dw audit list --after $((head - 1)) --json | json_get 'd[0]["hash"]')" ] || fail "the checkpoint's hash is not the head's"
expect_exit 0 dw audit verify --checkpoint "$TMP/cp1.json" --public-key "$KEY.pub"
pass "checkpoint signed over record $head (key mode 600); it verifies: $OUT"

# more work after the checkpoint: the chain grows past it and still holds it
dw accept "$(dw deals --stage proposal_ready --json | json_get 'd[0]["id"]')" >/dev/null
[ "$(dw audit list --json | json_get 'd[-1]["seq"]')" -gt "$head" ] || fail "no records appended after the checkpoint"
expect_exit 0 dw audit verify --checkpoint "$TMP/cp1.json" --public-key "$KEY.pub"
pass "a chain grown after the checkpoint still holds it"

# the checkpoint file itself altered, or signed by another key: refused
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['seq']-=5; json.dump(d, open(sys.argv[2],'w'))" "$TMP/cp1.json" "$TMP/cp-edited.json"
expect_exit 1 dw audit verify --checkpoint "$TMP/cp-edited.json" --public-key "$KEY.pub"
echo "$ERR" | grep -q "signature does not verify" || fail "an edited checkpoint: $ERR"
expect_exit 0 dw audit checkpoint --key "$TMP/other.key" --out "$TMP/cp-other.json"
expect_exit 1 dw audit verify --checkpoint "$TMP/cp-other.json" --public-key "$KEY.pub"
echo "$ERR" | grep -q "not signed with the trusted key" || fail "another key's checkpoint: $ERR"
chmod 644 "$KEY"
expect_exit 2 dw audit checkpoint --key "$KEY"
echo "$ERR" | grep -q "readable by others" || fail "a readable key was used: $ERR"
chmod 600 "$KEY"
pass "an edited checkpoint, another signer and a readable key are refused"

# tamper 1: the last records deleted. The chain alone is consistent again ...
untrigger
if [ "$DW_BACKEND" = postgres ]; then
    db "CREATE TABLE audit_before AS SELECT * FROM audit WHERE seq > $head - 3"
else
    cp "$WS/.dealwright/state.db" "$TMP/before-tamper.db"
fi
db "delete from audit where seq > $head - 3"
expect_exit 0 dw audit verify
# ... the checkpoint is not
expect_exit 1 dw audit verify --checkpoint "$TMP/cp1.json" --public-key "$KEY.pub"
echo "$ERR" | grep -q "truncated" || fail "truncation not named: $ERR"
pass "a deleted tail passes the chain alone and fails against the checkpoint: $ERR"

# tamper 2: the tail rewritten from record head-10 on, every hash recomputed (audit.md's
# canonical JSON): the chain alone passes, the checkpoint catches it
if [ "$DW_BACKEND" = postgres ]; then
    db "INSERT INTO audit OVERRIDING SYSTEM VALUE SELECT * FROM audit_before"
    db "SELECT json_agg(json_build_object('seq', seq, 'at', at, 'deal_id', deal_id, 'actor', actor,
        'action', action, 'ws_hash', ws_hash, 'data', data::text, 'hash', hash) ORDER BY seq)
        FROM audit WHERE seq >= $((head - 10)) - 1" >"$TMP/tail.json"
    # the same rewrite as below, as SQL for psql
    python3 - "$TMP/tail.json" "$((head - 10))" >"$TMP/rewrite.sql" <<'PY'
import hashlib, json, sys
rows = json.load(open(sys.argv[1])); start = int(sys.argv[2])
q = lambda v: "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"
prev = rows[0]["hash"]
for r in rows[1:]:
    actor = "user:mallory" if r["seq"] == start else r["actor"]
    o = {"seq": r["seq"], "at": r["at"], "deal_id": r["deal_id"], "actor": actor,
         "action": r["action"], "ws_hash": r["ws_hash"], "data": json.loads(r["data"]), "prev": prev}
    h = hashlib.sha256(json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    print("UPDATE audit SET actor = %s, prev = %s, hash = %s WHERE seq = %d;" % (q(actor), q(prev), q(h), r["seq"]))
    prev = h
PY
    "$DW_PG_SH" psql "$DW_PG_DIR" "$(ws_db)" -f "$TMP/rewrite.sql" >/dev/null
else
cp "$TMP/before-tamper.db" "$WS/.dealwright/state.db"
python3 - "$WS/.dealwright/state.db" "$((head - 10))" <<'PY'
import hashlib, json, sqlite3, sys
con = sqlite3.connect(sys.argv[1]); start = int(sys.argv[2])
prev = con.execute("select hash from audit where seq = ?", (start - 1,)).fetchone()[0]
rows = con.execute("select seq, at, deal_id, actor, action, ws_hash, data from audit where seq >= ? order by seq", (start,)).fetchall()
for seq, at, deal_id, actor, action, ws_hash, data in rows:
    if seq == start:
        actor = "user:mallory"
    o = {"seq": seq, "at": at, "deal_id": deal_id, "actor": actor, "action": action,
         "ws_hash": ws_hash, "data": json.loads(data), "prev": prev}
    h = hashlib.sha256(json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    con.execute("update audit set actor = ?, prev = ?, hash = ? where seq = ?", (actor, prev, h, seq))
    prev = h
con.commit()
PY
fi
expect_exit 0 dw audit verify
expect_exit 1 dw audit verify --checkpoint "$TMP/cp1.json" --public-key "$KEY.pub"
echo "$ERR" | grep -q "rewritten" || fail "rewrite not named: $ERR"
echo "$ERR" | grep -q "record $head" || fail "the checkpoint's record not named: $ERR"
pass "a consistently rewritten tail passes the chain alone and fails against the checkpoint: $ERR"

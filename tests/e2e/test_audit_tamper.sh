#!/bin/sh
# Changing a stored audit row by hand makes `audit verify` fail (exit 1) at that record.
. "$(dirname "$0")/lib.sh"
new_ws
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
expect_exit 0 dw audit verify
pass "intact chain: $OUT"
n=$(db "select count(*) from audit")
[ "$n" -gt 50 ] || fail "expected a real audit trail, got $n records"

# The table refuses updates (append-only triggers) ...
if db "update audit set actor='mallory' where seq=5" 2>/dev/null; then fail "audit row was updatable"; fi
pass "append-only trigger refuses an UPDATE"
# ... so a tamperer drops the trigger first, then edits the data of one record.
triggers=$(db "select name from sqlite_master where type='trigger' and tbl_name='audit'")
for t in $triggers; do db "drop trigger $t"; done
db "update audit set data=replace(data, 'pricing', 'pricinG') where seq=(select min(seq) from audit where data like '%pricing%')"
bad=$(db "select min(seq) from audit where data like '%pricinG%'")
expect_exit 1 dw audit verify
echo "$ERR" | grep -q "$bad" || fail "verify did not name record $bad: $ERR"
pass "tampered record $bad detected: $ERR"

# Deleting a record in the middle breaks the chain too.
new_ws_2() { rm -rf "$WS"; new_ws; dw lead add "$WS/samples/leads.jsonl" >/dev/null; dw run >/dev/null; }
new_ws_2
for t in $(db "select name from sqlite_master where type='trigger' and tbl_name='audit'"); do db "drop trigger $t"; done
db "delete from audit where seq=10"
expect_exit 1 dw audit verify
pass "deleted record detected: $ERR"

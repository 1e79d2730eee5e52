#!/bin/sh
# Personal-data retention: past policies.yaml's retention period, closed deals lose their
# personal data — contacts, the customer's words, replies, proposals — while quotes,
# orders and the audit chain stay intact; open deals are untouched.
. "$(dirname "$0")/lib.sh"
export DW_NOW=2026-11-24T12:00:00Z
new_ws
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
first=D-000001
expect_exit 0 dw accept "$first"
expect_exit 0 dw privacy purge
echo "$OUT" | grep -q "^0 deals" || fail "something was purged inside the retention period: $OUT"

# three years later (retention is 730 days in the example)
export DW_NOW=2029-12-01T00:00:00Z
snap() { db "select count(*) from leads; select group_concat(total) from quotes; select count(*) from orders; select count(*) from audit;" | tr '\n' ' '; }
before=$(snap)
expect_exit 0 dw privacy purge --dry-run
echo "$OUT" | grep -q "$first" || fail "the ordered deal is not listed: $OUT"
echo "$OUT" | grep -q "dry run" || fail "dry run not said: $OUT"
[ "$(snap)" = "$before" ] || fail "a dry run changed the store"
n=$(echo "$OUT" | grep -c '^D-')
pass "dry run lists $n closed deals and changes nothing"

expect_exit 0 dw privacy purge --json
[ "$(echo "$OUT" | json_get 'len(d["deals"])')" = "$n" ] || fail "purged a different set than the dry run listed"
dw deal show "$first" --json > "$TMP/d.json"
[ "$(json_get 'd["lead"]["raw"]["message"]' < "$TMP/d.json")" = "[redacted]" ] || fail "message kept"
[ "$(json_get '"email" in d["lead"]["raw"]["contact"] or "name" in d["lead"]["raw"]["contact"]' < "$TMP/d.json")" = False ] || fail "contact kept"
[ "$(json_get 'd["contact"]["email"] is None and d["contact"]["name"] is None' < "$TMP/d.json")" = True ] || fail "contact row kept"
[ "$(json_get 'd["proposal"]["markdown"]' < "$TMP/d.json")" = "[redacted]" ] || fail "proposal kept"
[ "$(json_get 'd["order"] is not None and d["quote"]["total"] == d["order"]["total"]' < "$TMP/d.json")" = True ] || fail "order or quote lost"
[ "$(json_get 'd["privacy"]["retention_days"]' < "$TMP/d.json")" = 730 ] || fail "no privacy record"
[ "$(db "select count(*) from leads l join deals d on d.id = l.deal_id where d.id = 1 and (l.raw like '%@%' or l.message like '%@%' or l.intake like '%@%')")" = 0 ] || fail "an e-mail address survived in the leads of $first"
pass "personal data of the purged deals redacted; quote and order kept"

# open deals are untouched, the chain still verifies, a second purge finds nothing
open=$(db "select l.raw from leads l join deals d on d.id = l.deal_id where d.stage = 'proposal_ready' limit 1")
echo "$open" | grep -q '@' || fail "an open deal was redacted"
expect_exit 0 dw audit verify
expect_exit 0 dw privacy purge
echo "$OUT" | grep -q "^0 deals" || fail "a second purge found work: $OUT"
[ "$(db "select count(*) from audit where action = 'privacy.redact'")" = "$n" ] || fail "not one audit record per redacted deal"
pass "open deals kept, audit chain verifies, purge is idempotent"

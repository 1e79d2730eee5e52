#!/bin/sh
# Personal-data retention: past policies.yaml's retention period, closed deals lose their
# personal data — contacts, the customer's words, replies, proposals — while quotes,
# orders and the audit chain stay intact; open deals are untouched.
. "$(dirname "$0")/lib.sh"
export DW_NOW=2026-11-24T12:00:00Z
new_ws
# A private person who writes her mobile number, a private address and her husband's
# address into the message: the extracted contact details are personal data too.
cat >"$TMP/private.jsonl" <<'EOF'
{"source": "email", "external_id": "priv-1", "received_at": "2026-11-20T09:00:00Z", "contact": {"name": "Jorinde Quastenberg", "email": "jorinde.quastenberg@gmail.com", "phone": "+49 170 5550199", "title": "Inhaberin", "country": "DE"}, "subject": "Firewall for my home office", "message": "Hello, I need one firewall for my home office in Bremen. Please call me on my mobile +49 170 5550199 or write to my private address jq.home@posteo.example, and my husband Bertram Quastenberg can be reached at bertram.q@web.example. Budget is EUR 300."}
EOF
# a subscriber to every event, so that the webhook outbox holds what the events carried
dw webhook add --url http://127.0.0.1:1/hook --events '*' >/dev/null 2>&1
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw lead add "$TMP/private.jsonl" >/dev/null
dw run >/dev/null
first=D-000001
# the customer's signatory is named: personal data on the acceptance and the order
expect_exit 0 dw accept "$first" --customer "Jana Hartmann"
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

# The whole store, every table and text column (events, audit, webhook bodies included),
# holds none of the personal values the purged deals' leads carried.
dw webhook deliver >/dev/null 2>&1 || true
[ "$(db "select count(*) from webhook_deliveries")" -gt 100 ] || fail "the webhook outbox is empty"
ids=$(echo "$OUT" | json_get '",".join(str(int(x["deal"][2:])) for x in d["deals"])')
echo "$ids" | grep -q . || fail "nothing purged"
python3 "$(dirname "$0")/personal_scan.py" "$WS/.dealwright/state.db" "$ids" \
    "$WS/samples/leads.jsonl" "$TMP/private.jsonl" >"$TMP/scan" || fail "personal data left after the purge:
$(cat "$TMP/scan")"
[ "$(db "select count(*) from deals d join leads l on l.deal_id = d.id where l.external_id = 'priv-1' and d.id in ($ids)")" = 1 ] ||
    fail "the private person's deal was not purged"
[ "$(db "select accepted_by from orders where deal_id = 1")" = "[redacted]" ] || fail "the order still names the signatory"
pass "$(cat "$TMP/scan")"

# open deals are untouched, the chain still verifies, a second purge finds nothing
open=$(db "select l.raw from leads l join deals d on d.id = l.deal_id where d.stage = 'proposal_ready' limit 1")
echo "$open" | grep -q '@' || fail "an open deal was redacted"
expect_exit 0 dw audit verify
expect_exit 0 dw privacy purge
echo "$OUT" | grep -q "^0 deals" || fail "a second purge found work: $OUT"
[ "$(db "select count(*) from audit where action = 'privacy.redact'")" = "$n" ] || fail "not one audit record per redacted deal"
pass "open deals kept, audit chain verifies, purge is idempotent"

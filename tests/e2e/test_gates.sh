#!/bin/sh
# Human gates: an approval names why, which rule and which role; only that role (or a higher
# discount band) may decide; it is bound to the quote revision's hash, so a changed
# revision voids it and asks again; the order comes from exactly the accepted revision.
. "$(dirname "$0")/lib.sh"
new_ws
lead() { # external_id discount-sentence
    printf '{"source":"web_form","external_id":"%s","received_at":"2026-11-20T09:00:00Z","contact":{"name":"Jana Roth","email":"jana@%s.example","company":"%s GmbH","country":"DE","title":"Head of IT"},"message":"We need SD-WAN with firewall and cloud management for 10 sites in Germany. Budget around EUR 150k, go-live by end of Q1 2027. %s"}\n' "$1" "$1" "$1" "$2"
}
lead g1 "We expect a 15% discount." > "$TMP/l1.json"
deal=$(dw lead add "$TMP/l1.json")
dw run >/dev/null
dw deal show "$deal" --json > "$TMP/d.json"
[ "$(json_get 'd["stage"]' < "$TMP/d.json")" = awaiting_approval ] || fail "15 % did not stop for approval: $(json_get 'd["stage"], d["last_error"]' < "$TMP/d.json")"
json_get '[(a["kind"],a["required_role"],a["status"],a["quote_revision"]) for a in d["approvals"]]' < "$TMP/d.json" | grep -q "('discount', 'manager', 'pending', 1)" || fail "wrong approval: $(json_get 'd["approvals"]' < "$TMP/d.json")"
a1=$(json_get '[a["id"] for a in d["approvals"] if a["kind"]=="discount"][0]' < "$TMP/d.json")
json_get '[a for a in d["approvals"] if a["id"]=="'"$a1"'"][0]["reason"]' < "$TMP/d.json" | grep -q "15" || fail "the approval does not say why"
pass "15 % discount waits for a manager ($a1)"

expect_exit 0 dw approvals
echo "$OUT" | grep -q "$a1" || fail "approvals does not list $a1"
expect_exit 2 dw approve "$a1" --as lukas
echo "$ERR" | grep -q manager || fail "a rep could approve, or no reason: $ERR"
expect_exit 2 dw approve "$a1" --as nobody
pass "a rep and an unknown user may not approve"

expect_exit 0 dw approve "$a1" --as petra --note "strategic account"
dw deal show "$deal" --json > "$TMP/d.json"
[ "$(json_get 'd["stage"]' < "$TMP/d.json")" = proposal_ready ] || fail "not proposal_ready after approval: $(json_get 'd["stage"]' < "$TMP/d.json")"
[ "$(json_get 'len(d["schedule"]["slots"])' < "$TMP/d.json")" = 3 ] || fail "not three demo slots"
json_get 'd["proposal"]["markdown"]' < "$TMP/d.json" | grep -q "\[\^1\]" || fail "proposal without citations"
pass "approved by the manager: proposal ready with citations and 3 demo slots"

# A rep changes the discount beyond his own band: revision 2, the approval of revision 1 is
# void, asked again of the manager's band. (Within the setter's own band, setting it is the
# approval: the scenario discount-set-by-manager-within-band.)
expect_exit 0 dw quote discount "$deal" 18 --as lukas
dw deal show "$deal" --json > "$TMP/d.json"
[ "$(json_get 'd["quote"]["revision"]' < "$TMP/d.json")" = 2 ] || fail "no revision 2"
[ "$(json_get '[a["status"] for a in d["approvals"] if a["id"]=="'"$a1"'"][0]' < "$TMP/d.json")" = void ] || fail "revision 1's approval was not voided"
[ "$(json_get 'd["stage"]' < "$TMP/d.json")" = awaiting_approval ] || fail "revision 2 did not wait for approval"
a2=$(json_get '[a["id"] for a in d["approvals"] if a["status"]=="pending"][0]' < "$TMP/d.json")
[ "$(json_get '[a["quote_revision"] for a in d["approvals"] if a["id"]=="'"$a2"'"][0]' < "$TMP/d.json")" = 2 ] || fail "new approval not bound to revision 2"
pass "approval of revision 1 ($a1) void on revision 2; asked again ($a2)"

# the approvals by status: pending (the default), void ones only under all
st() { dw approvals --status "$1" --json | json_get '" ".join(sorted(a["id"] for a in d))'; }
[ "$(dw approvals --json | json_get '" ".join(sorted(a["id"] for a in d))')" = "$(st pending)" ] ||
    fail "approvals without --status are not the pending ones"
echo " $(st pending) " | grep -q " $a2 " || fail "pending lacks $a2: $(st pending)"
echo " $(st pending) $(st approved) $(st rejected) " | grep -q " $a1 " && fail "void $a1 listed as pending, approved or rejected"
echo " $(st all) " | grep -q " $a1 " || fail "--status all lacks the void $a1: $(st all)"
expect_exit 2 dw approvals --status maybe
echo "$ERR" | grep -q "status" || fail "a bad --status is not named: $ERR"
pass "approvals by --status: pending by default, the void one only under all, a bad one refused"

expect_exit 2 dw approve "$a1" --as petra
echo "$ERR" | grep -q void || fail "deciding a void approval: $ERR"
expect_exit 2 dw accept "$deal"
pass "a void approval cannot be decided; nothing to accept while waiting"

expect_exit 0 dw approve "$a2" --as maria
expect_exit 2 dw accept "$deal" --revision 1
echo "$ERR" | grep -q superseded || fail "accepting an old revision: $ERR"
expect_exit 0 dw accept "$deal" --json
echo "$OUT" > "$TMP/o.json"
dw deal show "$deal" --json > "$TMP/d.json"
[ "$(json_get 'd["stage"]' < "$TMP/d.json")" = ordered ] || fail "not ordered"
[ "$(json_get 'd["order"]["quote_revision"]' < "$TMP/d.json")" = 2 ] || fail "order not from revision 2"
[ "$(json_get 'd["order"]["total"] == d["quote"]["total"]' < "$TMP/d.json")" = True ] || fail "order total differs from the quote"
[ "$(json_get 'd["order"]["quote_hash"] == d["quote"]["hash"]' < "$TMP/d.json")" = True ] || fail "order hash differs"
pass "deal desk (a higher band) approved revision 2; the order is exactly revision 2"

# Money adds up to the cent in every revision.
json_get 'all(sum(int(l["net"].replace(".","")) for l in q["lines"]) == int(q["total"].replace(".","")) and sum(int(l["amount"].replace(".","")) for l in q["lines"]) == int(q["subtotal"].replace(".","")) for q in d["quotes"])' < "$TMP/d.json" | grep -q True || fail "lines do not add up to the totals"
pass "line amounts add up to subtotal and total in every revision"

# Reject path: 25 % needs the deal desk; rejected, the deal goes back to pricing at the
# rep's own authority and moves on without another approval.
lead g2 "Our procurement insists on a 25% discount." > "$TMP/l2.json"
deal2=$(dw lead add "$TMP/l2.json")
dw run >/dev/null
dw deal show "$deal2" --json > "$TMP/d2.json"
a3=$(json_get '[a["id"] for a in d["approvals"] if a["kind"]=="discount"][0]' < "$TMP/d2.json")
[ "$(json_get '[a["required_role"] for a in d["approvals"] if a["id"]=="'"$a3"'"][0]' < "$TMP/d2.json")" = deal_desk ] || fail "25 % should need the deal desk"
expect_exit 2 dw reject "$a3" --as maria
expect_exit 0 dw reject "$a3" --as maria --reason "volume too small for 25 %"
dw deal show "$deal2" --json > "$TMP/d2.json"
[ "$(json_get 'd["quote"]["revision"]' < "$TMP/d2.json")" = 2 ] || fail "no new revision after rejection"
[ "$(json_get 'd["quote"]["discount_pct"]' < "$TMP/d2.json")" = 10 ] || fail "not re-priced at the rep's 10 %"
[ "$(json_get 'd["stage"]' < "$TMP/d2.json")" = proposal_ready ] || fail "rejected deal did not move on: $(json_get 'd["stage"]' < "$TMP/d2.json")"
pass "rejected 25 %: re-priced at 10 % (revision 2) and proposal ready"

expect_exit 0 dw audit verify
dw audit show "$deal" | grep -q "approval.approve" || fail "approval not in the audit trail"
pass "audit trail holds the decisions: $OUT"

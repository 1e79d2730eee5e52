#!/bin/sh
# The walkthrough of the README on the example: init, validate, the sample leads, run, and
# what each scenario of example/samples/README.md must come to.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$DW" init "$WS"
expect_exit 2 "$DW" init "$WS" # refuses to overwrite a workspace
(cd "$WS" && "$DW" validate >/dev/null) || fail "validate in the workspace failed"
pass "init + validate"

dw lead add "$WS/samples/leads.jsonl" > "$TMP/ids"
[ "$(grep -c duplicate "$TMP/ids")" = 1 ] || fail "the exact duplicate was not recognised: $(cat "$TMP/ids")"
[ "$(grep -c follow_up "$TMP/ids")" = 2 ] || fail "expected two follow-ups (by e-mail): $(cat "$TMP/ids")"
pass "30 lines: 1 exact duplicate, 2 follow-ups by contact e-mail"
dw run > "$TMP/run.out"
grep -q "proposal_ready" "$TMP/run.out" || fail "no summary after run"

# deal_of EXTERNAL_ID: the deal a sample lead went to
deal_of() { lead_deal "$1"; }
show() { dw deal show "$(deal_of "$1")" --json > "$TMP/d.json"; }
get() { json_get "$1" < "$TMP/d.json"; }

# the contract: keys that must exist
show wf-2026-1101
for k in id stage lead account requirements qualification solution quote approvals proposal order timeline; do
    [ "$(get "'$k' in d")" = True ] || fail "deal show --json lacks '$k'"
done
[ "$(get 'set(["decision","reasons","score"]) <= set(d["qualification"])')" = True ] || fail "qualification keys"
[ "$(get 'all(set(["sku","quantity"]) <= set(l) for l in d["solution"]["lines"])')" = True ] || fail "solution line keys"
[ "$(get 'all(k in d["quote"] for k in ["revision","currency","total","lines"])')" = True ] || fail "quote keys"
[ "$(get 'isinstance(d["quote"]["total"], str) and "." in d["quote"]["total"]')" = True ] || fail "money must be a decimal string"
pass "deal show --json has every contract key; money as decimal strings"

[ "$(get 'd["stage"]')" = proposal_ready ] || fail "clear fit wf-2026-1101 is $(get 'd["stage"], d["last_error"], d["outcome"]')"
[ "$(get 'd["contract"]["dpa"]')" = True ] || fail "EEA customer without DPA"
[ "$(get 'd["quote"]["currency"]')" = EUR ] || fail "DE customer not in EUR"
get 'd["proposal"]["markdown"]' | grep -q '\[\^1\]' || fail "proposal without citations"
[ "$(get 'all(c["path"].startswith("knowledge/") for c in d["proposal"]["citations"])')" = True ] || fail "citation paths"
[ "$(get 'len(d["schedule"]["slots"])')" = 3 ] || fail "three demo slots"
[ "$(get 'all(s["start"] > d["lead"]["received_at"] for s in d["schedule"]["slots"])')" = True ] || fail "demo slots before the lead arrived"
expect_exit 0 dw deal proposal "$(deal_of wf-2026-1101)"
[ "$OUT" = "$(get 'd["proposal"]["markdown"]')" ] || fail "deal proposal does not print the proposal's Markdown"
expect_exit 2 dw deal proposal "$(deal_of wf-2026-1105)"
pass "clear fit: proposal ready, EUR, DPA, cited claims, 3 demo slots after received_at"

# every extracted requirement points at the words it came from
[ "$(get 'all(d["leads"][0]["raw"]["message"].encode()[q["span"][0]:q["span"][1]].decode() == q["text"] for q in d["requirements"]["quantities"])')" = True ] || fail "quantity spans do not match the message"
pass "requirement spans match the message text"

show em-2026-1102
[ "$(get 'd["quote"]["currency"]')" = USD ] || fail "US customer not quoted in USD"
[ "$(get 'len(d["leads"])')" = 2 ] || fail "the chat duplicate by e-mail did not join the deal"
pass "USD quote; the same person's chat joined the deal"

show em-2026-1106
[ "$(get 'd["stage"]')" != needs_info ] || fail "the follow-up did not continue the needs_info deal"
[ "$(get 'len(d["leads"])')" = 2 ] || fail "follow-up not on the same deal"
[ "$(get 'any(q["unit"]=="sites" or q["value"]==35 for q in d["requirements"]["quantities"])')" = True ] || fail "follow-up quantity not used"
pass "needs_info answered by the follow-up: $(get 'd["stage"]')"

show wf-2026-1105
[ "$(get 'd["stage"]')" = disqualified ] || fail "poor fit is $(get 'd["stage"]')"
[ "$(get 'len(d["qualification"]["reasons"]) >= 3')" = True ] || fail "disqualified without reasons"
show wf-2026-1111
[ "$(get 'd["stage"]')" = disqualified ] || fail "embargoed country is $(get 'd["stage"]')"
get 'd["outcome"]["reason"]' | grep -q IR || fail "embargo reason does not name the country"
pass "poor fit and embargoed country disqualified, with reasons"

show em-2026-1107
[ "$(get '[(a["kind"], a["required_role"]) for a in d["approvals"] if a["status"]=="pending"]')" = "[('discount', 'manager')]" ] || fail "15 %: $(get 'd["approvals"]')"
[ "$(get '[(q["value"], q["unit"]) for q in d["requirements"]["quantities"]]')" = "[(20, 'sites'), (60, 'access-points')]" ] || fail "quantities of '20 cold-storage warehouses ... 60 access points': $(get 'd["requirements"]["quantities"]')"
show wf-2026-1108
get '[(a["kind"], a["required_role"]) for a in d["approvals"] if a["status"]=="pending"]' | grep -q "('discount', 'deal_desk')" || fail "25 %: $(get 'd["approvals"]')"
show em-2026-1109
get '[(a["kind"], a["required_role"]) for a in d["approvals"]]' | grep -q "('deal_size', 'vp')" || fail "large deal: $(get 'd["approvals"], d["quote"]["total"]')"
show wf-2026-1110
get '[(a["kind"], a["required_role"]) for a in d["approvals"]]' | grep -q "('export_control', 'legal')" || fail "CN: $(get 'd["approvals"]')"
show em-2026-1113
get '[(a["kind"], a["required_role"]) for a in d["approvals"]]' | grep -q "('legal', 'legal')" || fail "legal triggers: $(get 'd["approvals"]')"
[ "$(get 'len(d["contract"]["legal_flags"]) >= 2')" = True ] || fail "legal flags"
pass "gates: discount by band, deal size, export control, legal"

show wf-2026-1116
[ "$(get 'len(d["requirements"]["instructions_detected"]) >= 1')" = True ] || fail "instructions not flagged"
[ "$(get 'd["requirements"]["discount"] is None')" = True ] || fail "the injected 60 % became a discount request"
[ "$(get 'all(a["kind"] != "discount" for a in d["approvals"])')" = True ] || fail "the injection asked for a discount approval"
[ "$(get 'd["quote"] is None or d["quote"]["discount_pct"] == "0"')" = True ] || fail "the injection discounted the quote"
pass "instructions in a message change nothing: $(get 'd["stage"]'), list price"

show em-2026-1118
get '[c["name"] for c in d["requirements"]["excluded_capabilities"]]' | grep -qi 'wi' || fail "negated Wi-Fi not excluded: $(get 'd["requirements"]["excluded_capabilities"]')"
pass "negations excluded: $(get '[c["name"] for c in d["requirements"]["excluded_capabilities"]]')"

# approve the 15 % deal as the manager, accept it: an order from that revision
show em-2026-1107
a=$(get '[a["id"] for a in d["approvals"] if a["status"]=="pending"][0]')
expect_exit 0 dw approve "$a" --as petra
expect_exit 0 dw accept "$(deal_of em-2026-1107)"
show em-2026-1107
[ "$(get 'd["stage"]')" = ordered ] || fail "not ordered"
[ "$(get 'd["order"]["total"] == d["quote"]["total"] and d["order"]["quote_revision"] == d["quote"]["revision"]')" = True ] || fail "order differs from the accepted quote"
pass "approved, accepted, ordered from the accepted revision"

expect_exit 0 dw deals --json
[ "$(echo "$OUT" | json_get 'len(d)')" = 27 ] || fail "expected 27 deals (30 lines - 1 duplicate - 2 follow-ups), got $(echo "$OUT" | json_get 'len(d)')"
expect_exit 0 dw audit verify
pass "27 deals; $OUT"

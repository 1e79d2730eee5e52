#!/bin/sh
# Contract readiness from the whole text: every country a deal touches goes through export
# control and the most restrictive wins (the customer's words never clear a stated
# country); a DPA wherever personal data of people in the EEA is processed; legal trigger
# concepts in six languages, each hit quoted with its span in the legal approval.
# Expectations from example/policies.yaml: CU IR KP SY embargoed (disqualified), RU BY CN
# VE MM AF need the legal role's export review; our standard is net 30 and our own paper.
. "$(dirname "$0")/lib.sh"
new_ws
echo 0 > "$TMP/n"
lead() { # country message -> deal id (runs in a subshell: the counter lives in a file)
    n=$(($(cat "$TMP/n") + 1))
    echo $n > "$TMP/n"
    python3 - "$1" "$2" "$n" > "$TMP/l$n.json" <<'PY'
import json, sys
cc, msg, n = sys.argv[1:4]
print(json.dumps({"source": "web_form", "external_id": "ct-%s" % n,
    "received_at": "2026-11-20T09:00:00Z",
    "contact": {"name": "Alex Berg", "email": "alex@buyer%s.example" % n,
                "company": "Buyer %s Ltd" % n, "country": cc, "title": "Head of IT"},
    "message": msg + " We need SD-WAN with firewall and cloud management for 10 sites."
               " Budget around EUR 150k, go-live by end of Q1 2027."}))
PY
    dw lead add "$TMP/l$n.json"
}
show() { dw deal show "$1" --json > "$TMP/d.json"; }
get() { json_get "$1" < "$TMP/d.json"; }

d_ir=$(lead IR "We run 10 branch offices in Germany.")
d_ru=$(lead RU "We are a Dutch company.")
d_ship=$(lead DE "We are a German buyer whose gateways ship to four plants in Russia.")
d_sup=$(lead DE "The housings of our machines come from our supplier in China.")
d_us=$(lead US "We are a US company; 300 of our employees work at our sites in Germany.")
d_usonly=$(lead US "We are a US company with offices in Ohio and Texas.")
# each phrase, then after '=' how the quote in the approval begins
phrases="liability shall not be limited in amount=liability shall not be limited|payable 90 days after receipt=payable 90 days|our general terms of purchase apply=our general terms of purchase|unbegrenzte Haftung=unbegrenzte Haftung|Zahlungsziel von 90 Tagen=Zahlungsziel von 90 Tagen|responsabilité illimitée=responsabilité illimitée|pago a 90 días=pago a 90 días|valgono le nostre condizioni generali di acquisto=nostre condizioni generali di acquisto|onbeperkte aansprakelijkheid=onbeperkte aansprakelijkheid|unlimited liability=unlimited liability|net 90=net 90|our own contract=our own contract"
legal_ids=""
IFS='|'
for p in $phrases; do
    unset IFS
    legal_ids="$legal_ids $(lead GB "Please note: ${p%%=*}.")"
    IFS='|'
done
unset IFS
d_neg=$(lead GB "Liability is limited to the contract value, net 30 is fine, we accept your standard terms and limitation of liability as per your terms.")
dw run >/dev/null

show "$d_ir"
[ "$(get 'd["stage"]')" = disqualified ] || fail "IR contact writing about Germany: $(get 'd["stage"]')"
[ "$(get 'd["contract"]["export_control"]["status"]')" = embargoed ] || fail "IR not embargoed: $(get 'd["contract"]["export_control"]')"
[ "$(get 'd["contract"]["export_control"]["country"]')" = IR ] || fail "IR: wrong country"
get '[t["detail"] for t in d["timeline"] if t.get("kind")=="outcome"]' > /dev/null 2>&1
pass "a contact in IR whose message names offices in Germany is embargoed, not cleared as DE"

show "$d_ru"
[ "$(get 'd["stage"]')" = awaiting_approval ] || fail "RU + Dutch company: $(get 'd["stage"]')"
[ "$(get 'd["contract"]["export_control"]["country"]+" "+d["contract"]["export_control"]["status"]')" = "RU review" ] || fail "RU + Dutch company: $(get 'd["contract"]["export_control"]')"
get '[a["reason"] for a in d["approvals"] if a["kind"]=="export_control"][0]' | grep -q "RU contact.country" || fail "the export approval does not name the contact's country: $(get 'd["approvals"]')"
pass "RU contact calling itself a Dutch company needs the export review (RU from contact.country)"

show "$d_ship"
[ "$(get 'd["contract"]["export_control"]["status"]')" = review ] || fail "DE buyer shipping to Russia: $(get 'd["contract"]["export_control"]')"
r=$(get '[a["reason"] for a in d["approvals"] if a["kind"]=="export_control"][0]')
echo "$r" | grep -q 'RU in the message of lead [0-9]*: "Russia" at \[[0-9]*, [0-9]*)' || fail "the export approval does not quote Russia with its span: $r"
s=$(get '[c["span"] for c in d["contract"]["export_control"]["countries"] if c["code"]=="RU"][0]')
txt=$(python3 -c "import json,sys; m=json.load(open('$TMP/l3.json'))['message']; s=$s; print(m.encode()[s[0]:s[1]].decode())")
[ "$txt" = Russia ] || fail "the RU span does not hold Russia: $txt"
[ "$(get 'd["stage"]')" = awaiting_approval ] || fail "DE buyer shipping to Russia: $(get 'd["stage"]')"
pass "a German buyer shipping to plants in Russia waits for the export review, quoting \"Russia\" $s"

show "$d_sup"
[ "$(get 'd["contract"]["export_control"]["status"]')" = clear ] || fail "our supplier in China: $(get 'd["contract"]["export_control"]')"
[ "$(get 'len([a for a in d["approvals"] if a["kind"]=="export_control"])')" = 0 ] || fail "supplier in China asked for an export review"
[ "$(get '[c["role"] for c in d["contract"]["export_control"]["countries"] if c["code"]=="CN"][0]')" = other ] || fail "CN not recorded as something else"
pass "a supplier in China is recorded, not an export review"

show "$d_us"
[ "$(get 'd["contract"]["dpa"]')" = True ] || fail "US company with staff in Germany has no DPA: $(get 'd["contract"]["dpa_reason"]')"
get 'd["contract"]["dpa_reason"]' | grep -q "DE in the message" || fail "DPA reason: $(get 'd["contract"]["dpa_reason"]')"
show "$d_usonly"
[ "$(get 'd["contract"]["dpa"]')" = False ] || fail "US-only company got a DPA: $(get 'd["contract"]["dpa_reason"]')"
pass "a US company with employees in Germany gets the DPA; one with US offices only does not"

i=0
IFS='|'
for p in $phrases; do
    unset IFS
    i=$((i + 1))
    id=$(echo $legal_ids | cut -d' ' -f$i)
    show "$id"
    r=$(get '[a["reason"] for a in d["approvals"] if a["kind"]=="legal"]')
    echo "$r" | grep -qF "\"${p#*=}\" (lead " || fail "'${p%%=*}': no legal approval quoting it: $r"
    [ "$(get 'd["contract"]["legal_flags"][0]["span"][1] > d["contract"]["legal_flags"][0]["span"][0]')" = True ] || fail "'$p': no span"
    IFS='|'
done
unset IFS
pass "$i legal phrases in six languages each ask legal, quoted with their span"

show "$d_neg"
[ "$(get 'len(d["contract"]["legal_flags"])')" = 0 ] || fail "standard terms flagged: $(get 'd["contract"]["legal_flags"]')"
[ "$(get 'len([a for a in d["approvals"] if a["kind"]=="legal"])')" = 0 ] || fail "standard terms asked legal"
pass "limited liability, net 30 and our standard terms do not ask legal"

# A pattern that does not compile is reported where it stands.
cp "$WS/policies.yaml" "$TMP/policies.yaml"
python3 - "$WS/policies.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("        - net >30\n", "        - net ~2\n", 1)
open(p, "w").write(s)
PY
line=$(grep -n '        - net ~2$' "$WS/policies.yaml" | cut -d: -f1)
expect_exit 1 dw validate
echo "$OUT$ERR" | grep -q "policies.yaml:$line:15: pattern: a pattern cannot end with a gap" || fail "bad pattern not reported at its place: $OUT$ERR"
cp "$TMP/policies.yaml" "$WS/policies.yaml"
pass "a pattern ending in a gap is reported at policies.yaml:$line:15"

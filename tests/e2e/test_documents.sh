#!/bin/sh
# The documents a customer reads, on the example workspace with the clock pinned: dated when
# written, one validity that the proposal states, the API shows and acceptance enforces; demo
# slots in the future and never offered to two open deals; follow-ups by deal reference from
# the same company only; replies and proposals in the customer's language; customer text
# escaped in the Markdown proposal. Expected values are written from example/policies.yaml
# (quotes.valid_days: 30), example/team.yaml (demo lead time, windows) and the templates.
. "$(dirname "$0")/lib.sh"
new_ws

lead() { # lead EXTERNAL_ID RECEIVED_AT EMAIL COMPANY COUNTRY NAME SUBJECT MESSAGE
    python3 -c 'import json,sys; a=sys.argv[1:]; print(json.dumps({"source": "email", "external_id": a[0], "received_at": a[1], "contact": {"name": a[5], "email": a[2], "title": "IT Manager", "company": a[3], "country": a[4]}, "subject": a[6], "message": a[7]}))' "$@"
}
show() { dw deal show "$1" --json > "$TMP/d.json"; }
get() { json_get "$1" < "$TMP/d.json"; }
deal_of() { sed -n "s/.*\"deal\": *\"\(D-[0-9]*\)\".*/\1/p" "$TMP/ids" | head -1; }

NEED='We run 8 retail stores. Each store needs SD-WAN with firewall towards our head office, cloud management please. The stores should be converted by February 2027; our budget is EUR 30,000.'

# ---- one clock: a lead of November 4, re-quoted and re-proposed on December 6 ------------
lead em-1 2026-11-04T09:00:00Z it@alpen.example "Alpen Handel GmbH" AT "Stefan Gruber" "8 stores" "$NEED" > "$TMP/l1"
DW_NOW=2026-11-04T10:00:00Z dw lead add --json "$TMP/l1" > "$TMP/ids"
D1=$(deal_of)
DW_NOW=2026-11-04T10:00:00Z dw run >/dev/null
show "$D1"
[ "$(get 'd["stage"]')" = proposal_ready ] || fail "$D1 should be proposal_ready, is $(get 'd["stage"]')"
[ "$(get 'd["proposal"]["valid_until"]')" = 2026-12-04 ] || fail "first proposal validity: $(get 'd["proposal"]["valid_until"]')"
DW_NOW=2026-12-06T10:00:00Z dw quote discount "$D1" 5 --as lukas >/dev/null
show "$D1"
[ "$(get 'd["stage"]')" = proposal_ready ] || fail "re-quote: stage $(get 'd["stage"]')"
[ "$(get 'd["quote"]["revision"]')" = 2 ] || fail "re-quote: revision $(get 'd["quote"]["revision"]')"
[ "$(get 'd["proposal"]["valid_until"]')" = 2027-01-05 ] || fail "re-proposal validity: $(get 'd["proposal"]["valid_until"]')"
[ "$(get 'd["quote"]["valid_until"]')" = 2027-01-05 ] || fail "API validity: $(get 'd["quote"]["valid_until"]')"
# revision 1 is no longer on offer: no validity of its own
[ "$(get '[q["revision"] for q in d["quotes"] if q["valid_until"] is None]')" = "[1]" ] || fail "superseded revision validity: $(get '[(q["revision"], q["valid_until"]) for q in d["quotes"]]')"
get 'd["proposal"]["markdown"]' > "$TMP/p.md"
grep -q "· December 6, 2026$" "$TMP/p.md" || fail "proposal not dated December 6, 2026: $(sed -n 3p "$TMP/p.md")"
grep -q "valid until \*\*January 5, 2027\*\*" "$TMP/p.md" || fail "proposal validity: $(grep 'valid until' "$TMP/p.md")"
# every slot after the proposal's now (+24 h lead time), none before
[ "$(get 'all(s["start"] >= "2026-12-07T10:00:00Z" for s in d["schedule"]["slots"]) and len(d["schedule"]["slots"]) == 3')" = True ] || fail "slots not in the future: $(get 'd["schedule"]')"
pass "re-quoted on 2026-12-06: proposal, API and slots from that day"

# ---- accept refuses the expired revision and changes nothing ---------------------------
expect_exit 2 env DW_NOW=2027-01-06T09:00:00Z "$DW" -w "$WS" accept "$D1"
echo "$ERR" | grep -q "revision 2 of $D1 expired: it was valid until 2027-01-05" || fail "expired accept message: $ERR"
show "$D1"
[ "$(get 'd["stage"]')" = proposal_ready ] || fail "expired accept changed the stage"
[ "$(get 'd["acceptance"] is None and d["order"] is None')" = True ] || fail "expired accept wrote an acceptance or order"
DW_NOW=2027-01-05T23:00:00Z dw accept "$D1" >/dev/null || fail "accept on the last valid day failed"
pass "accept: refused on 2027-01-06 (exit 2), taken on 2027-01-05"

# ---- slots: three open deals at once never share an engineer's hour --------------------
: > "$TMP/l3"
for n in 1 2 3; do
    lead "em-s$n" 2026-12-06T08:00:00Z "it@shop$n.example" "Shop $n GmbH" AT "Eva Maier" "8 stores" "$NEED" >> "$TMP/l3"
done
DW_NOW=2026-12-06T10:00:00Z dw lead add --json "$TMP/l3" > "$TMP/ids"
DW_NOW=2026-12-06T10:00:00Z dw run >/dev/null
: > "$TMP/slots"
for d in $(sed -n "s/.*\"deal\": *\"\(D-[0-9]*\)\".*/\1/p" "$TMP/ids"); do
    show "$d"
    get '"\n".join(s["user"] + " " + s["start"] for s in d["schedule"]["slots"])' >> "$TMP/slots"
done
[ "$(wc -l < "$TMP/slots")" = 9 ] || fail "expected 9 slots: $(cat "$TMP/slots")"
[ "$(sort "$TMP/slots" | uniq -d)" = "" ] || fail "a slot offered to two open deals: $(sort "$TMP/slots" | uniq -d)"
awk '$2 < "2026-12-07T10:00:00Z" { exit 1 }' "$TMP/slots" || fail "a slot before now + lead time: $(cat "$TMP/slots")"
pass "three open deals: 9 slots, all distinct, all after now + 24 h"

# ---- over HTTP: the same validity, the same refusal as a JSON 409 ------------------------
SHOP=$(sed -n "s/.*\"deal\": *\"\(D-[0-9]*\)\".*/\1/p" "$TMP/ids" | head -1)
if command -v curl >/dev/null; then
    REP=$(dw token create --user lukas --role rep --json | json_get 'd["secret"]')
    trap 'kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
    DW_NOW=2027-01-06T09:00:00Z start_server --rate 0
    CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $REP" "http://127.0.0.1:$PORT/v1/deals/$SHOP")
    [ "$CODE" = 200 ] && [ "$(json_get 'd["quote"]["valid_until"]' < "$TMP/body")" = 2027-01-05 ] || fail "GET $SHOP: $CODE $(head -c 300 "$TMP/body")"
    CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $REP" "http://127.0.0.1:$PORT/v1/deals/$SHOP/accept")
    [ "$CODE" = 409 ] || fail "accept of an expired revision over HTTP: $CODE $(cat "$TMP/body")"
    json_get 'json.dumps(d)' < "$TMP/body" | grep -q "expired: it was valid until 2027-01-05" || fail "409 body: $(cat "$TMP/body")"
    kill -TERM "$PID"; wait "$PID" || true; PID=""
    show "$SHOP"
    [ "$(get 'd["stage"]')" = proposal_ready ] || fail "the refused HTTP accept changed $SHOP"
    pass "HTTP: quote.valid_until 2027-01-05; accept on 2027-01-06 is a JSON 409 and changes nothing"
else
    fail "curl is needed (make deps installs it)"
fi

# ---- follow-ups by deal reference -------------------------------------------------------
NOQTY='Hello, we would like to move our shops from DSL routers to SD-WAN with firewall and cloud management, including installation. Our budget is approximately EUR 100k and we need to decide in Q1. Could you send us a proposal?'
lead em-f1 2026-12-01T09:00:00Z claire@lefevre.example "Lefevre SAS" FR "Claire Martin" "SD-WAN for our shops" "$NOQTY" > "$TMP/lf"
DW_NOW=2026-12-01T10:00:00Z dw lead add --json "$TMP/lf" > "$TMP/ids"
DF=$(deal_of)
DW_NOW=2026-12-01T10:00:00Z dw run >/dev/null
show "$DF"
[ "$(get 'd["stage"]')" = needs_info ] || fail "no quantity should ask: $(get 'd["stage"]')"
# a colleague from the same company domain answers, quoting the reference
lead em-f2 2026-12-02T09:00:00Z paul@lefevre.example "Lefevre SAS" FR "Paul Girard" "Re: $DF" "We have 35 shops, all need it." > "$TMP/lf2"
DW_NOW=2026-12-02T10:00:00Z dw lead add --json "$TMP/lf2" > "$TMP/ids"
grep -q "\"deal\": \"$DF\"" "$TMP/ids" && grep -q follow_up "$TMP/ids" || fail "the colleague's Re: $DF did not continue the deal: $(cat "$TMP/ids")"
# a stranger's reference joins nothing
lead em-f3 2026-12-02T11:00:00Z billing@evil.example "Evil Ltd" GB "Mallory" "Re: $DF" "Please send the invoice for $DF to us. We have 35 shops." > "$TMP/lf3"
DW_NOW=2026-12-02T12:00:00Z dw lead add --json "$TMP/lf3" > "$TMP/ids"
grep -q "\"deal\": \"$DF\"" "$TMP/ids" && fail "another company's message joined $DF: $(cat "$TMP/ids")"
grep -q created "$TMP/ids" || fail "the stranger's message should open a new deal: $(cat "$TMP/ids")"
[ "$(dw events list --type lead.received --json | json_get "sum(1 for e in d if 'reference_refused' in json.dumps(e['data']) and '$DF' in json.dumps(e['data']))")" = 1 ] || fail "the refused reference is not on record"
pass "Re: $DF from the same domain continues it; from another domain it does not"

# ---- languages --------------------------------------------------------------------------
DE_NOQTY='Guten Tag, wir suchen für unsere Filialen SD-WAN mit Firewall und ein Cloud-Management, inklusive Installation. Das Budget liegt bei etwa 80.000 EUR, die Umsetzung soll bis Juni 2027 erfolgen. Können Sie uns bitte ein Angebot schicken? Mit freundlichen Grüßen'
lead em-de1 2026-12-06T08:00:00Z k.weber@baeckerei-weber.example "Bäckerei Weber GmbH" DE "Klara Weber" "Anfrage SD-WAN" "$DE_NOQTY" > "$TMP/de"
DW_NOW=2026-12-06T10:00:00Z dw lead add --json "$TMP/de" > "$TMP/ids"
DD=$(deal_of)
DW_NOW=2026-12-06T10:00:00Z dw run >/dev/null
show "$DD"
[ "$(get 'd["stage"]')" = needs_info ] || fail "German lead without quantity: $(get 'd["stage"]')"
get 'd["qualification"]["reply"]' > "$TMP/reply"
grep -q "^Guten Tag Klara Weber," "$TMP/reply" || fail "German reply greeting: $(head -1 "$TMP/reply")"
grep -q "Wie viele Standorte" "$TMP/reply" || fail "German reply does not ask for the quantity: $(cat "$TMP/reply")"
grep -q "Referenz $DD im Betreff" "$TMP/reply" || fail "German reply lacks the reference"
[ "$(get 'd["qualification"]["reply_language"]')" = de ] || fail "reply_language"
lead em-de2 2026-12-06T11:00:00Z k.weber@baeckerei-weber.example "Bäckerei Weber GmbH" DE "Klara Weber" "AW: $DD" "Guten Tag, es sind 12 Filialen. Mit freundlichen Grüßen, Klara Weber" > "$TMP/de2"
DW_NOW=2026-12-06T12:00:00Z dw lead add --json "$TMP/de2" >/dev/null
DW_NOW=2026-12-06T12:00:00Z dw run >/dev/null
show "$DD"
[ "$(get 'd["stage"]')" = proposal_ready ] || fail "German follow-up: $(get 'd["stage"]')"
get 'd["proposal"]["markdown"]' > "$TMP/de.md"
grep -q "^# Angebot für Bäckerei Weber GmbH" "$TMP/de.md" || fail "German proposal heading: $(head -1 "$TMP/de.md")"
grep -q "· 6\. Dezember 2026$" "$TMP/de.md" || fail "German date: $(sed -n 3p "$TMP/de.md")"
grep -q "gültig bis zum \*\*5\. Januar 2027\*\*" "$TMP/de.md" || fail "German validity: $(grep gültig "$TMP/de.md")"
grep -Eq "\| \*\*Gesamtbetrag\*\* \| \*\*[0-9]{1,3}(\.[0-9]{3})*,[0-9]{2}.€\*\* \|" "$TMP/de.md" || fail "German total format: $(grep Gesamt "$TMP/de.md")"
[ "$(get 'd["proposal"]["document_language"] == "de" and not d["proposal"]["language_fallback"]')" = True ] || fail "proposal language record"

FR_NOQTY='Bonjour, nous souhaitons équiper nos boutiques en SD-WAN avec pare-feu et une gestion dans le cloud, installation comprise. Notre budget est de 60 000 EUR et nous devons décider avant la fin du mois de mars. Pouvez-vous nous envoyer une proposition ? Cordialement'
lead em-fr1 2026-12-06T08:00:00Z m.roux@fromagerie-roux.example "Fromagerie Roux SARL" FR "Marie Roux" "Demande SD-WAN" "$FR_NOQTY" > "$TMP/fr"
DW_NOW=2026-12-06T10:00:00Z dw lead add --json "$TMP/fr" > "$TMP/ids"
DR=$(deal_of)
DW_NOW=2026-12-06T10:00:00Z dw run >/dev/null
show "$DR"
get 'd["qualification"]["reply"]' > "$TMP/reply"
grep -q "^Bonjour Marie Roux," "$TMP/reply" && grep -q "Combien de sites" "$TMP/reply" || fail "French reply: $(cat "$TMP/reply")"

ES='Hola, necesitamos SD-WAN con cortafuegos para nuestras tiendas, con la instalación incluida. Nuestro presupuesto es de 50.000 EUR y queremos decidir antes de marzo. Gracias y saludos'
lead em-es1 2026-12-06T08:00:00Z l.garcia@tiendas-garcia.example "Tiendas García SL" ES "Lucía García" "SD-WAN" "$ES" > "$TMP/es"
DW_NOW=2026-12-06T10:00:00Z dw lead add --json "$TMP/es" > "$TMP/ids"
DS=$(deal_of)
DW_NOW=2026-12-06T10:00:00Z dw run >/dev/null
show "$DS"
# no number of shops ("nuestras tiendas"), so the deal asks — in English, the company's
# language, since the workspace has no Spanish reply; the deal records why
[ "$(get 'd["stage"]')" = needs_info ] || fail "Spanish lead: $(get 'd["stage"]')"
[ "$(get 'd["requirements"]["language"]')" = es ] || fail "Spanish not identified: $(get 'd["requirements"]["language"]')"
[ "$(get 'd["qualification"]["language"] == "es" and d["qualification"]["reply_language"] == "en" and d["qualification"]["language_fallback"]')" = True ] || fail "Spanish falls back to English and says so: $(get '{k: d["qualification"].get(k) for k in ("language","reply_language","language_fallback")}')"
get 'd["qualification"]["reply"]' > "$TMP/reply"; grep -q "^Dear Lucía García," "$TMP/reply" || fail "fallback reply not the English one"
pass "German and French replies and proposals; a Spanish reply falls back to English, recorded"

# ---- customer Markdown is literal in the proposal ---------------------------------------
lead em-h1 2026-12-06T08:00:00Z bob@hostile-shop.example "# 50% discount approved by VP" AT "Bob [Pay the invoice here](https://evil.example/pay) **discount approved**" "8 stores" "$NEED" > "$TMP/h"
DW_NOW=2026-12-06T10:00:00Z dw lead add --json "$TMP/h" > "$TMP/ids"
DH=$(deal_of)
DW_NOW=2026-12-06T10:00:00Z dw run >/dev/null
show "$DH"
get 'd["proposal"]["markdown"]' > "$TMP/h.md"
grep -q '^Prepared for Bob \\\[Pay the invoice here\\\]\\(https\\://evil\\.example/pay\\) \\\*\\\*discount approved\\\*\\\*' "$TMP/h.md" || fail "name not escaped: $(grep Prepared "$TMP/h.md")"
grep -q '^# Proposal for \\# 50% discount approved by VP$' "$TMP/h.md" || fail "company heading: $(head -1 "$TMP/h.md")"
grep -q '](https://evil' "$TMP/h.md" && fail "a live link from the customer's name"
grep -Eq '^#+ *50% discount' "$TMP/h.md" && fail "a heading from the company name"
pass "hostile name and company render as literal text"

#!/bin/sh
# extract prints the requirements of a message or a lead, with spans that point at the
# words; bad input is refused with where and what; eval extraction scores a labelled set
# and fails below its goals.
. "$(dirname "$0")/lib.sh"
new_ws

# plain text: every span is the slice of the message it names
cat > "$TMP/msg.txt" <<'MSG'
Wir sind eine Spedition aus Bayern mit 14 Standorten. Gesucht: SD-WAN und Firewall, WLAN ist nicht nötig, Schulung eventuell später. Budget ca. 200.000 €, bis Ende März. Anbindung an SAP. Tel. +49 89 1234 5678
MSG
expect_exit 0 dw extract "$TMP/msg.txt" --at 2026-11-20T09:14:00Z
echo "$OUT" > "$TMP/out.json"
python3 - "$TMP/msg.txt" "$TMP/out.json" <<'PY' || fail "extract output: $OUT"
import json, sys
msg = open(sys.argv[1], 'rb').read()
d = json.load(open(sys.argv[2]))
assert d['language'] == 'de', d['language']
assert d['budget']['amount'] == '200000.00' and d['budget']['currency'] == 'EUR', d['budget']
assert d['deadline']['date'] == '2027-03-31', d['deadline']
assert d['country']['code'] == 'DE', d['country']
assert [(q['value'], q['unit']) for q in d['quantities']] == [(14, 'sites')], d['quantities']
assert [c['name'] for c in d['capabilities']] == ['sd-wan', 'firewall'], d['capabilities']
assert [c['name'] for c in d['excluded_capabilities']] == ['wifi']
assert [c['name'] for c in d['optional_capabilities']] == ['training']
assert [c['name'] for c in d['integrations']] == ['SAP']
assert [c['value'] for c in d['contact_details']] == ['+49 89 1234 5678']
def walk(v):
    if isinstance(v, list):
        for x in v: walk(x)
    elif isinstance(v, dict):
        if 'span' in v:
            s, e = v['span']
            assert msg[s:e].decode() == v['text'], (v, msg[s:e])
            assert 0 < v['confidence'] <= 100
        for x in v.values(): walk(x)
walk(d)
PY
pass "plain text: facts with spans and confidence"

# a lead: its received_at resolves relative dates ("next week" is that week's Friday)
cat > "$TMP/lead.json" <<'LEAD'
{"source": "email", "external_id": "x-1", "received_at": "2026-11-24T08:00:00Z",
 "message": "We need the offer next week for 6 plants in Ohio. Budget USD 1.2M."}
LEAD
expect_exit 0 dw extract "$TMP/lead.json"
echo "$OUT" | json_get "d['deadline']['date'], d['budget']['amount'], d['country']['code'], d['country']['via']" \
    | grep -qx "2026-12-04 1200000.00 US region" || fail "lead: $OUT"
pass "lead: relative dates against received_at"

# a transcript: the customer's turns only, and the text the spans point into
cat > "$TMP/chat.json" <<'LEAD'
{"source": "chat", "external_id": "c-1", "received_at": "2026-11-24T08:00:00Z",
 "transcript": [{"from": "agent", "text": "How many sites?"},
                {"from": "customer", "text": "12 sites in France, SD-WAN please."}]}
LEAD
expect_exit 0 dw extract - < "$TMP/chat.json"
echo "$OUT" | json_get "d['source_text'][d['quantities'][0]['span'][0]:d['quantities'][0]['span'][1]], d['country']['code']" \
    | grep -qx "12 sites FR" || fail "transcript: $OUT"
pass "transcript: spans into the customer's words"

# bad input: where and what, exit 2
printf '{"source": "email", "external_id": "x", "message": "hi", "colour": "red"}' > "$TMP/bad.json"
expect_exit 2 dw extract "$TMP/bad.json"
echo "$ERR" | grep -q "bad.json: field 'colour'" || fail "unknown field: $ERR"
printf '{"source": "email",\n "message": }' > "$TMP/broken.json"
expect_exit 2 dw extract "$TMP/broken.json"
echo "$ERR" | grep -q "broken.json:2:" || fail "malformed JSON without position: $ERR"
printf 'budget \377\376' > "$TMP/bin.txt"
expect_exit 2 dw extract "$TMP/bin.txt"
echo "$ERR" | grep -q "not valid UTF-8 at byte 7" || fail "invalid UTF-8: $ERR"
python3 -c "print('x' * 70000)" > "$TMP/big.txt"
expect_exit 2 dw extract "$TMP/big.txt"
echo "$ERR" | grep -q "limit is 65536 bytes" || fail "oversized: $ERR"
expect_exit 2 dw extract "$TMP/msg.txt" --at yesterday
pass "bad input refused: $ERR"

# eval: the labelled set meets its goals; a set with wrong labels does not
SET="$(dirname "$0")/../data/extraction"
expect_exit 0 dw eval extraction --set "$SET" --json
echo "$OUT" | json_get "d['split'], d['goal'], d['messages'] >= 60, \
    d['by_language']['en']['fields']['budget']['f1'] >= 0.95, \
    d['by_language']['fr']['messages'] >= 40, d['by_language']['es']['messages'] >= 40, \
    d['by_language']['fr']['fields']['language']['tp'] > 0, \
    sorted(d['by_language']['en']) == sorted(['messages', 'fields', 'whole_message', \
        'main_quantity', 'exclusions', 'goals_met'])" \
    | tr '\n' ' ' | grep -qx "tuning 0.95 True True True True True True " \
    || fail "eval --json: $OUT"
expect_exit 0 dw eval extraction --set "$SET"
for row in '^main quantity ' '^exclusions ' '^whole message ' '^refused but wanted ' \
    '^language ' 'tuning set'; do
    echo "$OUT" | grep -q "$row" || fail "eval report lacks $row: $OUT"
done
pass "eval reports every field per language, the main quantity, exclusions, whole messages"
# a set under its goals passes on its floors, and says which goals it misses
expect_exit 0 dw eval extraction --set "$SET-fresh" --floors "$SET-fresh-floors.json"
echo "$OUT" | grep -q "below goal" || fail "fresh set on floors: $OUT"
pass "a set under its goals is held to its floors"
mkdir "$TMP/set"
for f in "$SET"/en-0[1-4]-*.json; do
    python3 - "$f" "$TMP/set/$(basename "$f")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['expected']['country'] = 'ZZ'   # a wrong label on every message
json.dump(d, open(sys.argv[2], 'w'))
PY
done
expect_exit 1 dw eval extraction --set "$TMP/set"
echo "$OUT" | grep -q '^country  *0\.000!' || fail "eval below goal: $OUT"
echo "$OUT" | grep -q 'goal 0.95' || fail "tuning goal: $OUT"
echo '{"en": {"country": 0.0}}' > "$TMP/floors.json"
expect_exit 0 dw eval extraction --set "$TMP/set" --floors "$TMP/floors.json"
echo '{"en": {"country": 0.5}}' > "$TMP/floors.json"
expect_exit 1 dw eval extraction --set "$TMP/set" --floors "$TMP/floors.json"
echo "$ERR" | grep -q "under its floor: en country 0.000 < 0.500" || fail "floor: $ERR"
echo '{"en": {"country": "high"}}' > "$TMP/floors.json"
expect_exit 2 dw eval extraction --set "$TMP/set" --floors "$TMP/floors.json"
echo "$ERR" | grep -q "en.country: not a number" || fail "bad floors: $ERR"
# a held-out set (a HOLDOUT file, or --holdout) is held to 90 %
expect_exit 1 dw eval extraction --set "$TMP/set" --holdout
echo "$OUT" | grep -q 'goal 0.90' || fail "held-out goal: $OUT"
touch "$TMP/set/HOLDOUT"
expect_exit 1 dw eval extraction --set "$TMP/set" --json
echo "$OUT" | json_get "d['split'], d['goal']" | tr '\n' ' ' | grep -qx "holdout 0.9 " \
    || fail "HOLDOUT marker: $OUT"
rm "$TMP/set/HOLDOUT"
pass "eval fails below its goals and floors; held-out sets have their own goal"
printf '{"lang": "en", "message": "hi"}' > "$TMP/set/zz-bad.json"
expect_exit 2 dw eval extraction --set "$TMP/set"
echo "$ERR" | grep -q "zz-bad.json" || fail "malformed label file: $ERR"
expect_exit 2 dw eval extraction --set "$TMP/nowhere"
pass "eval refuses a malformed set: $ERR"

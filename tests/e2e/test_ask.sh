#!/bin/sh
# ask: answers from the knowledge documents with citations; the index is re-built only for
# documents that changed; bad questions are refused with exit 2.
. "$(dirname "$0")/lib.sh"
new_ws

expect_exit 0 dw ask "What throughput does the Edge Gateway 100 forward?" --max 3
echo "$OUT" | grep -q "knowledge/edge-gateway-50-100.md#throughput" || fail "no throughput citation: $OUT"

expect_exit 0 dw ask --json "Are you ISO 27001 certified?"
cp "$TMP/out" "$TMP/a.json"
[ "$(json_get 'd["answers"][0]["passage"]' < "$TMP/a.json")" = \
  "knowledge/security-compliance-whitepaper.md#certifications" ] || fail "wrong first answer: $OUT"
[ "$(json_get 'd["entities"][0]["name"]' < "$TMP/a.json")" = "ISO 27001" ] || fail "entity: $OUT"
json_get 'all(k in a for a in d["answers"] for k in ("path","heading","passage","text"))' \
  < "$TMP/a.json" | grep -q True || fail "an answer lacks a citation field"
[ "$(json_get 'd["index"]["unchanged"]' < "$TMP/a.json")" = 15 ] || fail "not reused: $OUT"
[ -f "$WS/.dealwright/knowledge.db" ] || fail "no index file"
pass "answers carry citations"

# one document changes, one is added: only those are indexed
cat >> "$WS/knowledge/switches.md" <<'MD'

## Stacking
Up to eight Switch 48P form one stack with a single management address.
MD
cat > "$WS/knowledge/betrieb.md" <<'MD'
---
title: Betrieb
language: de
---
# Betrieb
## Netzwerke in Fabriken
Wir betreiben Netzwerke in Fabriken rund um die Uhr.
MD
expect_exit 0 dw ask --json "How many switches can be stacked?"
cp "$TMP/out" "$TMP/b.json"
[ "$(json_get 'd["index"]["updated"], d["index"]["added"], d["index"]["unchanged"]' \
  < "$TMP/b.json")" = "1 1 14" ] || fail "re-index counts: $(json_get 'd["index"]' < "$TMP/b.json")"
[ "$(json_get 'd["answers"][0]["anchor"]' < "$TMP/b.json")" = stacking ] || fail "stacking: $OUT"
expect_exit 0 dw ask --json "Netzwerken"
echo "$OUT" | grep -q '"language": "de"' || fail "German passage not found: $OUT"
pass "only changed documents are indexed again"

expect_exit 2 dw ask
expect_exit 2 dw ask "x" --max 0
expect_exit 2 dw ask "$(printf 'bad \377 byte')"
echo "$ERR" | grep -q "UTF-8" || fail "no UTF-8 message: $ERR"
expect_exit 2 dw ask "$(python3 -c 'print("a" * 2001)')"
pass "bad questions are refused"

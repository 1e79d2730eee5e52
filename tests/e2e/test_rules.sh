#!/bin/sh
# The workspace's conditions are CEL: `cel eval` tries one; validate points at the faulty
# character inside the YAML; an approval rule and a qualification criterion written by the
# company change what happens to a deal.
. "$(dirname "$0")/lib.sh"

# ---- cel eval ------------------------------------------------------------------------
expect_exit 0 "$DW" cel eval 'quote.discount_pct > 10.0 && quote.discount_pct <= 20.0' \
    --var 'quote={"discount_pct": 12.5}'
[ "$OUT" = true ] || fail "band condition: $OUT"
expect_exit 0 "$DW" cel eval '[1u, 2.5, b"\xff", duration("1m30s"), 0.0/0.0, 18446744073709551615u]'
[ "$OUT" = '[1, 2.5, {"bytes": "/w=="}, "90s", "NaN", 18446744073709551615]' ] || fail "JSON mapping: $OUT"
expect_exit 0 "$DW" cel eval --json 'timestamp("2026-11-24T10:00:00+01:00")'
[ "$OUT" = '{"value": "2026-11-24T09:00:00Z", "type": "timestamp"}' ] || fail "--json: $OUT"
expect_exit 0 "$DW" cel eval 'now.getFullYear()'
[ "$OUT" = 2026 ] || fail "now is not bound: $OUT"
pass "cel eval prints results as JSON"

expect_exit 1 "$DW" cel eval 'quote.total / 0 > 1.0' --var 'quote={"total": 5}'
echo "$ERR" | grep -q '^dealwright: 1:13: divide by zero' || fail "no column for a runtime error: $ERR"
echo "$ERR" | grep -q '^              \^' || fail "no caret under the column: $ERR"
expect_exit 2 "$DW" cel eval '(1 + '
echo "$ERR" | grep -q '1:6: the expression ends where a value is expected' || fail "syntax error: $ERR"
expect_exit 1 "$DW" cel eval 'x.total > "5"' --var 'x={"total": 1}'
expect_exit 2 "$DW" cel eval '1' --var 'x={bad'
echo "$ERR" | grep -q 'not JSON' || fail "bad --var JSON: $ERR"
pass "errors: column and caret, exit 1 for a failed condition, 2 for bad input"

# --rule: checked against the records that kind of workspace rule reads
expect_exit 1 "$DW" cel eval --rule quote 'quote.discont_pct > 10.0' --var 'quote={"discount_pct": 12.5}'
echo "$ERR" | grep -q "1:7: 'Quote' has no field 'discont_pct'" || fail "--rule quote did not check fields: $ERR"
expect_exit 0 "$DW" cel eval --rule quote 'quote.lines.exists(l, l.sku == "A") && quote.discount_pct > 10.0' \
    --var 'quote={"discount_pct": 12.5, "lines": [{"sku": "A"}]}'
[ "$OUT" = true ] || fail "--rule quote: $OUT"
expect_exit 2 "$DW" cel eval --rule qualify 'score > 1' --var 'quote={}'
echo "$ERR" | grep -q -- "--var quote: qualify rules read only their declared variables" || fail "undeclared --var: $ERR"
pass "--rule checks a condition as validate would"

# ---- validate: the faulty character inside the YAML ----------------------------------
new_ws
cp "$WS/policies.yaml" "$TMP/policies.good"
python3 - "$WS/policies.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("when: quote.term_months > 36", "when: quote.term_month > 36", 1)
s = s.replace('[quote.currency]', '[quote.currency] + "x"', 1)
open(p, "w").write(s)
PY
expect_exit 1 dw validate
line=$(grep -n 'quote.term_month > 36' "$WS/policies.yaml" | cut -d: -f1)
echo "$OUT" | grep -q "^policies.yaml:$line:17: when: 'Quote' has no field 'term_month'" \
    || fail "typo not at its character ($line:17): $OUT"
line=$(grep -n '\[quote.currency\] + "x"' "$WS/policies.yaml" | cut -d: -f1)
col=$(grep '\[quote.currency\] + "x"' "$WS/policies.yaml" | awk '{print index($0, "] + ") + 2}')
echo "$OUT" | grep -q "^policies.yaml:$line:$col: when: found no matching overload for '+'" \
    || fail "type error in a folded block not at $line:$col: $OUT"
pass "validate points into the YAML:
$OUT"
cp "$TMP/policies.good" "$WS/policies.yaml"

# ---- rules at work ---------------------------------------------------------------------
python3 - "$WS/policies.yaml" "$WS/qualification.yaml" <<'PY'
import sys
p, q = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("approvals:\n", """approvals:
  - name: dutch_logistics
    when: lead.contact.country == "NL" && "wifi" in requirements.capabilities
    role: legal
    reason: Dutch warehouse Wi-Fi needs a frequency-licence check
""", 1)
open(p, "w").write(s)
s = open(q).read()
s = s.replace("criteria:\n", """criteria:
  - name: blocked_company
    when: lead.contact.company.startsWith("Great Lakes")
    effect: disqualify
    reason: The company asked us not to contact them again
""", 1)
open(q, "w").write(s)
PY
expect_exit 0 dw validate
python3 - "$(dirname "$0")/../../example/samples/leads.jsonl" > "$TMP/leads.jsonl" <<'PY'
import sys
for line in open(sys.argv[1]).readlines()[:3]:
    print(line.rstrip())
PY
expect_exit 0 dw lead add "$TMP/leads.jsonl"
expect_exit 0 dw run
dw deal show D-000002 --json > "$TMP/d2.json"
[ "$(json_get 'd["stage"]' < "$TMP/d2.json")" = disqualified ] || fail "criterion did not disqualify: $(json_get 'd["stage"]' < "$TMP/d2.json")"
json_get 'd["qualification"]["reasons"][0]' < "$TMP/d2.json" | grep -q 'criterion blocked_company' \
    || fail "no criterion reason: $(json_get 'd["qualification"]["reasons"]' < "$TMP/d2.json")"
dw deal show D-000003 --json > "$TMP/d3.json"
json_get '[a["kind"]+"/"+a["required_role"] for a in d["approvals"]]' < "$TMP/d3.json" \
    | grep -q "dutch_logistics/legal" || fail "approval rule did not ask legal: $(json_get 'd["approvals"]' < "$TMP/d3.json")"
json_get '[a["reason"] for a in d["approvals"] if a["kind"]=="dutch_logistics"][0]' < "$TMP/d3.json" \
    | grep -q "frequency-licence" || fail "approval without the rule's reason"
pass "a company's approval rule and criterion change the deals (D-000002 disqualified, D-000003 asks legal)"

#!/bin/sh
# `dealwright demo` (what `make demo` runs): a scratch workspace from the example, the
# sample leads, the run, an order, and a summary that adds up.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$DW" demo "$TMP/demo"
echo "$OUT" | grep -q "30 sample leads submitted: 27 new deals, 2 follow-ups" || fail "submission summary: $OUT"
echo "$OUT" | grep -Eq "accepted quote revision [0-9]+: order O-000001" || fail "no order in the demo: $OUT"
echo "$OUT" | grep -q "orders 1" || fail "summary without the order: $OUT"
total=$(echo "$OUT" | awk '/^  [a-z_]+ +[0-9]+$/ {s += $2} END {print s}')
[ "$total" = 27 ] || fail "stage counts add up to $total, not 27 deals"
"$DW" -w "$TMP/demo" audit verify >/dev/null || fail "the demo's audit chain does not verify"
pass "demo: 27 deals across the stages, one order, audit chain intact"

# leads from standard input, one JSON object over several lines
new_ws
printf '{\n  "source": "api",\n  "external_id": "stdin-1",\n  "message": "We need SD-WAN for 4 sites."\n}\n' | dw lead add - > "$TMP/id"
grep -q '^D-000001$' "$TMP/id" || fail "lead add - did not print the deal id: $(cat "$TMP/id")"
pass "lead add - reads standard input"

# the registry, as people see it
expect_exit 0 "$DW" agents --json
[ "$(echo "$OUT" | json_get '[a["name"] for a in d]')" = "['intake', 'discovery', 'requirements', 'qualification', 'scoping', 'pricing', 'contract', 'proposal', 'scheduling', 'order']" ] || fail "agents: $OUT"
[ "$(echo "$OUT" | json_get '[a["tools"] for a in d if a["name"]=="order"][0]')" = "['read_deal', 'create_order']" ] || fail "order agent scope: $OUT"
pass "agents lists the registry in pipeline order with each scope"

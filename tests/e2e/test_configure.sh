#!/bin/sh
# configure: the configuration as JSON with why each line is there; the conflict, minimal and
# worded, with exit 1; guided selling; bad input with exit 2; catalog constraints validated.
. "$(dirname "$0")/lib.sh"
new_ws

cat > "$TMP/req.json" <<'J'
{"capabilities": ["sd-wan", "firewall", "high-availability", "support-24x7"],
 "quantities": [{"unit": "sites", "value": 12}, {"unit": "hubs", "value": 2}]}
J
expect_exit 0 dw configure --requirements "$TMP/req.json"
[ "$(echo "$OUT" | json_get 'd["feasible"]')" = True ] || fail "not feasible: $OUT"
[ "$(echo "$OUT" | json_get '[(l["sku"], l["quantity"]) for l in d["lines"] if l["covers"]]')" = "[('NW-EDGE-50', 12), ('NW-HA-500', 2), ('NW-SUP-247', 14)]" ] || fail "chosen lines: $OUT"
[ "$(echo "$OUT" | json_get '[l["reason"] for l in d["lines"] if l["sku"] == "NW-SUP-247"][0]')" = "12 sites x 1 per site + 2 required by 2 x NW-HA-500 (1 per 1)" ] || fail "support reason: $OUT"
[ "$(echo "$OUT" | json_get 'd["objective"]["currency"]')" = EUR ] || fail "objective: $OUT"
[ "$(echo "$OUT" | json_get '"NW-SUP-247" in d["guide"]["forced"]')" = True ] || fail "guide: $OUT"
pass "configure prints the cheapest configuration, the reasons and what is forced"

# the same request with its lists in another order: the same answer
cat > "$TMP/req2.json" <<'J'
{"quantities": [{"unit": "hubs", "value": 2}, {"unit": "sites", "value": 12}],
 "capabilities": ["support-24x7", "high-availability", "firewall", "sd-wan", "firewall"]}
J
a=$("$DW" -w "$WS" configure --requirements "$TMP/req.json")
b=$("$DW" -w "$WS" configure --requirements "$TMP/req2.json")
[ "$a" = "$b" ] || fail "input order changed the result"
pass "input order does not change the result"

# a selection: four outdoor access points need PoE++, so injectors join
cat > "$TMP/wifi.json" <<'J'
{"capabilities": ["wifi"], "quantities": [{"unit": "access-points", "value": 6}]}
J
expect_exit 0 dw configure --requirements "$TMP/wifi.json" --select NW-AP-650X=4
[ "$(echo "$OUT" | json_get '[l["quantity"] for l in d["lines"] if l["sku"] == "NW-POE-INJ"][0]')" = 3 ] || fail "injectors: $OUT"
echo "$OUT" | grep -q "outdoor-ap-power" || fail "the PoE rule is not named: $OUT"
pass "a selection brings what the catalog's constraints need"

# cloud and on-prem management: the conflict, minimal and in words, exit 1
cat > "$TMP/conflict.json" <<'J'
{"capabilities": ["cloud-management", "on-prem", "wifi"], "quantities": [{"unit": "users", "value": 50}]}
J
expect_exit 1 dw configure --requirements "$TMP/conflict.json"
[ "$(echo "$OUT" | json_get 'd["feasible"]')" = False ] || fail "feasible: $OUT"
[ "$(echo "$OUT" | json_get 'len(d["conflict"])')" = 4 ] || fail "conflict size: $OUT"
echo "$OUT" | grep -q "NW-MGMT-APPL and NW-MGMT-CLOUD cannot be in the same solution" || fail "conflict text: $OUT"
pass "no configuration: the conflicting requirements and rules, exit 1"

# the customer's limit against the count
cat > "$TMP/limit.json" <<'J'
{"capabilities": ["sd-wan"], "quantities": [{"unit": "sites", "value": 12}],
 "limits": [{"sku": "NW-EDGE-50", "max": 10}, {"sku": "NW-EDGE-100", "max": 10},
            {"sku": "NW-EDGE-500", "max": 10}, {"sku": "NW-EDGE-1000", "max": 0}]}
J
expect_exit 1 dw configure --requirements "$TMP/limit.json"
echo "$OUT" | grep -q "the customer has 12 sites" || fail "limit conflict: $OUT"
echo "$OUT" | grep -q "the customer allows at most 10 x NW-EDGE-50" || fail "limit conflict: $OUT"
expect_exit 0 dw configure --requirements "$TMP/limit.json" --best-effort
[ "$(echo "$OUT" | json_get 'd["not_covered"][0]["capability"]')" = sd-wan ] || fail "best effort: $OUT"
pass "best effort reports what cannot be covered, and why"

# bad input: exit 2, the field or the position
printf '{"capabilities": ["sd-wan"],\n "quantities": [{"unit": "sites", "value": -1}]}\n' > "$TMP/bad.json"
expect_exit 2 dw configure --requirements "$TMP/bad.json"
echo "$ERR" | grep -q "quantities\[0\].value" || fail "field not named: $ERR"
printf '{"capabilities": ["sd-wan"],,}\n' > "$TMP/bad2.json"
expect_exit 2 dw configure --requirements "$TMP/bad2.json"
echo "$ERR" | grep -Eq "bad2.json:1:[0-9]+" || fail "position not named: $ERR"
expect_exit 2 dw configure --requirements "$TMP/req.json" --select NOPE=3
echo "$ERR" | grep -q "select.NOPE" || fail "unknown sku: $ERR"
expect_exit 2 dw configure --requirements "$TMP/req.json" --select NW-EDGE-50=x
expect_exit 2 dw configure
pass "bad requirements, selections and usage exit 2 with the field"

# catalog constraints are validated like the rest of the workspace
python3 - "$WS" <<'PY'
import sys
p = sys.argv[1] + "/catalog.yaml"
s = open(p).read()
s = s.replace("supply: poe_budget_w", "supply: poe_budget_watts", 1)
s = s.replace("NW-HA-1000: [NW-EDGE-1000]", "NW-HA-1000: [NW-EDGE-100]", 1)
s = s.replace("objective: list_cost", "objective: cheapest", 1)
open(p, "w").write(s)
PY
expect_exit 1 dw validate
echo "$OUT" | grep -Eq "^catalog.yaml:[0-9]+:[0-9]+: supply: no item has the attribute 'poe_budget_watts'" || fail "attribute: $OUT"
echo "$OUT" | grep -Eq "^catalog.yaml:[0-9]+:[0-9]+: table: NW-EDGE-100 is not in among" || fail "table: $OUT"
echo "$OUT" | grep -Eq "^catalog.yaml:[0-9]+:[0-9]+: objective: 'cheapest'" || fail "objective: $OUT"
pass "constraints and objective checked at FILE:LINE:COL"

#!/bin/sh
# Pricing from the command line: `price` on solution files (the hand-checked quotes of
# tests/data/quotes, bad input refused with the field and exit 2), and `quote diff` between
# two revisions of a deal's quote.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../data/quotes" && pwd)"
new_ws

# ---- the hand-checked quotes ---------------------------------------------------------
n=0
for f in "$DATA"/*.json; do
    python3 - "$f" "$TMP/sol.json" "$TMP/args" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
json.dump(c["solution"], open(sys.argv[2], "w"))
args = ["--currency", c["currency"]]
for k, opt in (("country", "--country"), ("discount_pct", "--discount"), ("term_months", "--term")):
    if k in c:
        args += [opt, str(c[k])]
open(sys.argv[3], "w").write(" ".join(args))
PY
    # shellcheck disable=SC2046
    expect_exit 0 dw price --solution "$TMP/sol.json" $(cat "$TMP/args")
    echo "$OUT" > "$TMP/q.json"
    python3 - "$f" "$TMP/q.json" <<'PY' || fail "$(basename "$f") differs from the hand-checked figures"
import json, sys
from decimal import Decimal
c, q = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
e, digits = c["expect"], q["digits"]
def money(minor): return str(Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))
bad = []
for k in ("subtotal", "discount", "total"):
    if money(q[k]) != e[k]:
        bad.append(f"{k}: {money(q[k])}, expected {e[k]}")
if "margin_pct" in e and str(Decimal(q["margin_bp"]).scaleb(-2)) != e["margin_pct"]:
    bad.append(f"margin_pct: {q['margin_bp']} bp, expected {e['margin_pct']}")
if len(q["lines"]) != len(e["lines"]):
    bad.append(f"{len(q['lines'])} lines, expected {len(e['lines'])}")
for got, want in zip(q["lines"], e["lines"]):
    if got["sku"] != want["sku"]:
        bad.append(f"line {got['sku']}, expected {want['sku']}")
    for k in ("amount", "net"):
        if k in want and money(got[k]) != want[k]:
            bad.append(f"{want['sku']} {k}: {money(got[k])}, expected {want[k]}")
# the lines add up to the totals, whatever the file says
for k, lk in (("subtotal", "amount"), ("discount", "discount"), ("total", "net")):
    if sum(l[lk] for l in q["lines"]) != q[k]:
        bad.append(f"the lines' {lk} do not add up to {k}")
for b in bad:
    print(c["what"] + ": " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
    n=$((n + 1))
done
[ "$n" -ge 9 ] || fail "only $n hand-checked quotes"
pass "$n hand-checked quotes price to the figures worked out by hand"

# ---- bad input -----------------------------------------------------------------------
printf '{"lines": [{"sku": "NW-EDGE-100", "quantity": 2}, {"sku": "NW-NOPE", "quantity": 1}]}' > "$TMP/bad.json"
expect_exit 2 dw price --solution "$TMP/bad.json"
echo "$ERR" | grep -q "lines\[1\].sku" || fail "unknown sku: no field named: $ERR"
printf '{"lines": [{"sku": "NW-EDGE-100", "quantity": 0}]}' > "$TMP/bad.json"
expect_exit 2 dw price --solution "$TMP/bad.json"
echo "$ERR" | grep -q "lines\[0\].quantity" || fail "zero quantity: $ERR"
printf '{"lines": [\n  {"sku": "NW-EDGE-100", "quantity": 1},,\n]}' > "$TMP/bad.json"
expect_exit 2 dw price --solution "$TMP/bad.json"
echo "$ERR" | grep -q "bad.json:2:" || fail "malformed JSON without FILE:LINE: $ERR"
printf '{"end_date": "2027-01-01", "lines": [{"sku": "NW-LIC-SDWAN-100", "quantity": 1}]}' > "$TMP/bad.json"
expect_exit 2 dw price --solution "$TMP/bad.json"
echo "$ERR" | grep -q "start_date" || fail "co-term without a start: $ERR"
printf '{"lines": [{"sku": "NW-EDGE-100", "quantity": 1}]}' > "$TMP/ok.json"
expect_exit 2 dw price --solution "$TMP/ok.json" --currency GBP
echo "$ERR" | grep -q "GBP" || fail "unknown currency: $ERR"
expect_exit 2 dw price
expect_exit 2 dw price --solution "$TMP/missing.json"
pass "bad solutions are refused with the field and exit 2"

# the currency follows the country when none is given, as the pricing agent chooses it
expect_exit 0 dw price --solution "$TMP/ok.json" --country CH
[ "$(echo "$OUT" | json_get 'd["currency"]')" = CHF ] || fail "CH is not quoted in CHF"
expect_exit 0 dw price --solution "$TMP/ok.json"
[ "$(echo "$OUT" | json_get 'd["currency"]')" = EUR ] || fail "the home currency is not the default"
pass "the currency follows the country, else the home currency"

# ---- quote diff ----------------------------------------------------------------------
printf '{"source":"web_form","external_id":"p1","received_at":"2026-11-20T09:00:00Z","contact":{"name":"Jana Roth","email":"jana@p1.example","company":"P1 GmbH","country":"DE","title":"Head of IT"},"message":"We need SD-WAN with firewall and cloud management for 10 sites in Germany. Budget around EUR 150k, go-live by end of Q1 2027. We expect a 15%% discount."}\n' > "$TMP/l.json"
deal=$(dw lead add "$TMP/l.json")
dw run >/dev/null
expect_exit 0 dw quote discount "$deal" 18 --as petra
expect_exit 0 dw quote diff "$deal" 1 2
echo "$OUT" | grep -q "revision 1 -> 2" || fail "diff text: $OUT"
echo "$OUT" | grep -q "discount_bp: 1500 -> 1800" || fail "diff does not show the discount change: $OUT"
echo "$OUT" | grep -q "^total" || fail "diff without totals: $OUT"
expect_exit 0 dw quote diff "$deal" R1 R2 --json
echo "$OUT" > "$TMP/diff.json"
dw deal show "$deal" --json > "$TMP/d.json"
python3 - "$TMP/diff.json" "$TMP/d.json" <<'PY' || fail "quote diff --json is wrong"
import json, sys
from decimal import Decimal
d, deal = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
q1, q2 = deal["quotes"][0], deal["quotes"][1]
cents = lambda s: int(Decimal(s) * 100)
assert d["from"]["revision"] == 1 and d["to"]["revision"] == 2, d["from"]
assert d["from"]["hash"] == q1["hash"] and d["to"]["hash"] == q2["hash"]
assert d["added"] == [] and d["removed"] == [], (d["added"], d["removed"])
assert len(d["changed"]) == len(q2["lines"]) and d["unchanged"] == 0
for c in d["changed"]:
    fields = sorted(x["field"] for x in c["changes"])
    assert fields == ["discount", "net"], fields
t = d["totals"]["total"]
assert t["delta"] == cents(q2["total"]) - cents(q1["total"]) == t["to"] - t["from"], t
PY
expect_exit 2 dw quote diff "$deal" 1 3
echo "$ERR" | grep -q "revision 3" || fail "missing revision: $ERR"
expect_exit 2 dw quote diff "$deal" 1
expect_exit 2 dw quote diff D-999999 1 2
pass "quote diff: the discount's change on every line, the totals' delta, bad revisions refused"

# the pricing agent's audit note says what changed since the previous revision
dw audit show "$deal" --json | json_get '[e for e in d if e.get("action") == "agent.pricing" or "pricing" in json.dumps(e)]' | grep -q "lines_changed" || fail "no diff in the pricing agent's audit note"
pass "the pricing agent notes the line-level changes of a new revision"

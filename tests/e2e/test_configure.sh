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

# the customer's limits split the count across models: 10 + 2 serve 12 sites
cat > "$TMP/split.json" <<'J'
{"capabilities": ["sd-wan"], "quantities": [{"unit": "sites", "value": 12}],
 "limits": [{"sku": "NW-EDGE-50", "max": 10}, {"sku": "NW-EDGE-100", "max": 10},
            {"sku": "NW-EDGE-500", "max": 10}, {"sku": "NW-EDGE-1000", "max": 0}]}
J
expect_exit 0 dw configure --requirements "$TMP/split.json"
[ "$(echo "$OUT" | json_get '[(l["sku"], l["quantity"], l["reason"]) for l in d["lines"] if l["covers"]]')" = "[('NW-EDGE-50', 10, '10 of 12 sites x 1 per site'), ('NW-EDGE-500', 2, '2 of 12 sites x 1 per site')]" ] || fail "split: $OUT"
pass "a count above one model's limit is split across models"

# the customer's limits against the count: 5 + 5 cannot serve 12 sites
sed 's/"max": 10/"max": 5/g' "$TMP/split.json" > "$TMP/limit.json"
expect_exit 1 dw configure --requirements "$TMP/limit.json"
echo "$OUT" | grep -q "the customer has 12 sites" || fail "limit conflict: $OUT"
echo "$OUT" | grep -q "the customer allows at most 5 x NW-EDGE-50" || fail "limit conflict: $OUT"
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

WS="$TMP/ws2" # a fresh copy: the one above was broken on purpose
new_ws

# ---- what a sales engineer builds for the example's sample leads -------------------------
# Expectations written from catalog.yaml, the price books and policies.yaml before the
# engine was changed: a gateway at every site the customer counts (the Edge 50 up to its 50,
# the Edge 100 beyond, since the two exclude each other), hub gateways only where the
# customer counts hubs (HA pairs), one failover module per gateway that needs failover and
# never more modules than gateway slots, access points per site x sites, and licences per
# device or user. Totals are the quote's (12-month term), with room for tier prices.
"$DW" demo "$TMP/demo" >/dev/null
python3 - "$DW" "$TMP/demo" <<'PY'
import json, subprocess, sys
dw, ws = sys.argv[1], sys.argv[2]
def run(*a):
    return json.loads(subprocess.run([dw, "-w", ws, *a], check=True, capture_output=True).stdout)
deals = {}
r = run("deals", "--json")
for d in (r.get("deals", []) if isinstance(r, dict) else r):
    x = run("deal", "show", d["id"] if isinstance(d["id"], str) else "D-%06d" % d["id"], "--json")
    deals[(x.get("lead") or {}).get("external_id")] = x
MOD = ("NW-MOD-5G", "NW-MOD-LTE")
# external_id: ({SKU or (SKU, SKU) alternatives: exact quantity}, forbidden SKUs,
#               (total min, total max) in the quote's currency, approval kinds expected)
want = {
    "wf-2026-1101": ({"NW-EDGE-50": 12, "NW-LIC-SDWAN-100": 12, "NW-CLOUD-SEAT": 250,
                      "NW-MGMT-CLOUD": 1, "NW-SVC-INST": 12}, ["NW-EDGE-1000"], (38000, 52000), []),
    "em-2026-1102": ({"NW-EDGE-50": 40, "NW-LIC-SDWAN-100": 40, MOD: 40, "NW-SEC-TP": 40,
                      "NW-SUP-247": 40}, ["NW-EDGE-1000", "NW-LIC-SDWAN-1000"], (65000, 90000), []),
    "wf-2026-1104": ({"NW-EDGE-50": 8, "NW-AP-620": 16, "NW-LIC-AP": 16}, ["NW-EDGE-1000"],
                     (20000, 30000), []),
    "em-2026-1106": ({"NW-EDGE-50": 35, "NW-LIC-SDWAN-100": 35, "NW-SVC-INST": 35,
                      "NW-CLOUD-SEAT": 120}, ["NW-EDGE-1000"], (75000, 110000), []),
    "em-2026-1107": ({"NW-EDGE-50": 20, "NW-SEC-TP": 20}, ["NW-EDGE-1000"], (55000, 80000),
                     ["discount"]),
    "wf-2026-1108": ({"NW-EDGE-50": 30, "NW-LIC-SDWAN-100": 30, "NW-SEC-TP": 30,
                      "NW-MON-PRO": 400, "NW-CLOUD-SEAT": 600}, ["NW-EDGE-1000"], (50000, 80000),
                     ["discount"]),
    "em-2026-1109": ({"NW-EDGE-100": 220, "NW-LIC-SDWAN-100": 220, "NW-MOD-LTE": 220,
                      "NW-AP-620": 440, "NW-SVC-INST": 220}, ["NW-EDGE-1000", "NW-EDGE-50"],
                     (850000, 1100000), ["deal_size"]),
    "wf-2026-1110": ({"NW-EDGE-50": 15, "NW-SEC-OT": 15}, ["NW-EDGE-1000"], (30000, 45000),
                     ["export_control"]),
    "em-2026-1112": ({"NW-EDGE-50": 12, "NW-AP-620": 120, "NW-CLOUD-SEAT": 900},
                     ["NW-EDGE-1000"], (115000, 150000), []),
    "em-2026-1113": ({"NW-EDGE-50": 25, "NW-LIC-SDWAN-100": 25, "NW-SUP-247": 25},
                     ["NW-EDGE-1000"], (20000, 32000), ["legal"]),
    "wf-2026-1116": ({"NW-EDGE-50": 6, MOD: 6, "NW-SVC-INST": 6}, ["NW-EDGE-1000"],
                     (17000, 26000), []),
    "em-2026-1118": ({"NW-EDGE-50": 22, "NW-MOD-LTE": 22, "NW-SEC-TP": 22},
                     ["NW-EDGE-1000", "NW-MGMT-APPL"], (35000, 48000), []),
    "ch-2026-1119": ({"NW-EDGE-100": 60, "NW-LIC-SDWAN-100": 60, ("NW-HA-500", "NW-HA-1000"): 2,
                      "NW-SUP-247": 62}, [], (90000, 140000), []),
    "api-2026-1122": ({"NW-EDGE-50": 18, "NW-AP-620": 54, "NW-CLOUD-SEAT": 350},
                      ["NW-EDGE-1000"], (70000, 95000), []),
    "wf-2026-1124": ({"NW-EDGE-50": 3, "NW-ZTNA-SEAT": 500, "NW-MGMT-CLOUD": 1},
                     ["NW-CLOUD-SEAT"], (38000, 52000), []),
    "ch-2026-1128": ({"NW-EDGE-50": 9, "NW-AP-620": 27, "NW-LIC-AP": 27, "NW-SVC-INST": 9},
                     ["NW-EDGE-1000"], (50000, 75000), []),
    "em-2026-1129": ({"NW-EDGE-50": 6, MOD: 6, "NW-HA-500": 2, "NW-EDGE-500": 2,
                      "NW-EDGE-500-SB": 2, "NW-SUP-247": 8, "NW-SVC-PS": 4}, ["NW-EDGE-1000"],
                     (28000, 40000), []),
}
bad = []
for ext, (lines, forbidden, (lo, hi), kinds) in want.items():
    d = deals.get(ext)
    q = (d or {}).get("quote") or {}
    got = {}
    for l in q.get("lines", []):
        got[l["sku"]] = got.get(l["sku"], 0) + l["quantity"]
    for sku, n in lines.items():
        alts = sku if isinstance(sku, tuple) else (sku,)
        if sum(got.get(s, 0) for s in alts) != n:
            bad.append("%s: %s expected %d, got %s" % (ext, "/".join(alts), n, got))
    for sku in forbidden:
        if got.get(sku):
            bad.append("%s: %s must not be quoted, got %s" % (ext, sku, got))
    total = float(q.get("total") or 0)
    if not lo <= total <= hi:
        bad.append("%s: total %s %.2f outside %d..%d" % (ext, q.get("currency"), total, lo, hi))
    got_kinds = sorted({a.get("kind") for a in d.get("approvals") or []}) if d else []
    if sorted(kinds) != got_kinds:
        bad.append("%s: approvals %s expected %s" % (ext, got_kinds, kinds))
    mods = sum(got.get(s, 0) for s in MOD)
    hosts = sum(got.get(s, 0) for s in ("NW-EDGE-50", "NW-EDGE-100", "NW-EDGE-500"))
    if mods > hosts:
        bad.append("%s: %d failover modules for %d gateway slots" % (ext, mods, hosts))
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
pass "the sample leads: a gateway per site, modules within slots, hubs only when counted"

# SD-WAN by estate size: every site gets a gateway, the Edge 50 up to its limit, then the
# Edge 100; never a single hub gateway for a branch estate.
for n in 21 25 40 100 280; do
    printf '{"capabilities": ["sd-wan", "firewall"], "quantities": [{"unit": "sites", "value": %s}]}\n' "$n" > "$TMP/sd$n.json"
    expect_exit 0 dw configure --requirements "$TMP/sd$n.json"
    if [ "$n" -le 50 ]; then model=NW-EDGE-50; else model=NW-EDGE-100; fi
    [ "$(echo "$OUT" | json_get '[(l["sku"], l["quantity"]) for l in d["lines"] if l["covers"]]')" = "[('$model', $n)]" ] || fail "$n sites: $OUT"
    [ "$(echo "$OUT" | json_get '[l["quantity"] for l in d["lines"] if l["sku"] == "NW-LIC-SDWAN-100"]')" = "[$n]" ] || fail "$n sites, licences: $OUT"
done
pass "SD-WAN for 21, 25, 40, 100 and 280 sites: one gateway and licence per site"

# 280 stores through the whole pipeline: about USD 440k, so the VP reviews the deal size
cat > "$TMP/big.jsonl" <<'J'
{"source": "email", "external_id": "big-280", "received_at": "2026-11-20T09:00:00Z", "contact": {"name": "Dana Reyes", "email": "dana.reyes@prairiemart.example", "company": "Prairie Mart Stores Inc.", "title": "Director of IT"}, "subject": "SD-WAN for 280 stores", "message": "Hello, Prairie Mart runs 280 stores across Kansas, Nebraska and Oklahoma. We need SD-WAN with firewall and 24x7 support in every store. Budget about USD 450,000, rollout by June 2027."}
{"source": "email", "external_id": "aps-120", "received_at": "2026-11-20T10:00:00Z", "contact": {"name": "Lee Park", "email": "lee.park@cornerbooks.example", "company": "Corner Books LLC", "title": "IT Manager"}, "subject": "Wi-Fi for our stores", "message": "Hi, we run 120 stores in Texas and need Wi-Fi with 4 access points per store, cloud managed. Budget about USD 250,000, by May 2027."}
{"source": "email", "external_id": "aps-5", "received_at": "2026-11-20T11:00:00Z", "contact": {"name": "Ana Silva", "email": "ana.silva@lisbonlaw.example", "company": "Silva & Costa Advogados", "title": "Office Manager"}, "subject": "Wi-Fi for 5 offices", "message": "Hello, we have 5 offices in Portugal and need 10 access points in each office, plus 2 switches per site. Budget EUR 60,000, by April 2027."}
J
dw lead add "$TMP/big.jsonl" >/dev/null
dw run >/dev/null 2>&1 || true
python3 - "$DW" "$WS" <<'PY'
import json, subprocess, sys
dw, ws = sys.argv[1], sys.argv[2]
def run(*a):
    return json.loads(subprocess.run([dw, "-w", ws, *a], check=True, capture_output=True).stdout)
deals = {}
r = run("deals", "--json")
for d in (r.get("deals", []) if isinstance(r, dict) else r):
    x = run("deal", "show", d["id"] if isinstance(d["id"], str) else "D-%06d" % d["id"], "--json")
    deals[(x.get("lead") or {}).get("external_id")] = x
bad = []
def lines(ext):
    got = {}
    for l in ((deals.get(ext) or {}).get("quote") or {}).get("lines", []):
        got[l["sku"]] = got.get(l["sku"], 0) + l["quantity"]
    return got
big = deals.get("big-280") or {}
g = lines("big-280")
if g.get("NW-EDGE-100") != 280 or g.get("NW-EDGE-1000"):
    bad.append("280 stores: %s" % g)
t = float((big.get("quote") or {}).get("total") or 0)
if not 400000 <= t <= 480000:
    bad.append("280 stores: total %.2f, expected about USD 440k" % t)
if "deal_size" not in {a.get("kind") for a in big.get("approvals") or []}:
    bad.append("280 stores: no deal-size approval: %s" % big.get("approvals"))
g = lines("aps-120")
if g.get("NW-AP-620", 0) + g.get("NW-AP-720", 0) + g.get("NW-AP-650X", 0) != 480:
    bad.append("4 access points per store x 120 stores: %s" % g)
g = lines("aps-5")
if g.get("NW-AP-620", 0) + g.get("NW-AP-720", 0) + g.get("NW-AP-650X", 0) != 50:
    bad.append("10 access points in each of 5 offices: %s" % g)
if g.get("NW-SW-24P", 0) + g.get("NW-SW-48P", 0) + g.get("NW-SW-IND-8", 0) != 10:
    bad.append("2 switches per site x 5 offices: %s" % g)
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
pass "280 stores land near USD 440k with the VP's review; per-store counts multiply"

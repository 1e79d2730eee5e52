#!/bin/sh
# Two processes on one store: leads submitted while another process runs the agents are
# all kept, none twice, and everything ends processed with an intact audit chain.
. "$(dirname "$0")/lib.sh"
new_ws
python3 - "$WS/samples/leads.jsonl" "$TMP" <<'PY'
import json, sys
src = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for batch in range(6):
    with open("%s/batch%d.jsonl" % (sys.argv[2], batch), "w") as out:
        for i in range(8):
            for l in src:
                l = dict(l)
                l["external_id"] = "%s-b%d-%d" % (l["external_id"], batch, i)
                c = dict(l.get("contact") or {})
                if "email" in c:
                    user, _, dom = c["email"].partition("@")
                    c["email"] = "%s+b%d-%d@%s" % (user, batch, i, dom)
                l["contact"] = c
                out.write(json.dumps(l) + "\n")
PY
cp -r "$WS" "$TMP/ws-clean"
dw lead add "$TMP/batch0.jsonl" >/dev/null
dw run >/dev/null 2>&1 &
runner=$!
for b in 1 2 3 4 5; do
    dw lead add "$TMP/batch$b.jsonl" >/dev/null || fail "lead add failed while run was running"
done
wait "$runner" || fail "run failed while leads were being added"
dw run >/dev/null
expected=$(cat "$TMP"/batch*.jsonl | python3 -c "import sys, json; print(len(set((json.loads(l)['source'], json.loads(l)['external_id']) for l in sys.stdin)))")
[ "$(dw_stat leads)" = "$expected" ] || fail "expected $expected leads, stored $(dw_stat leads)"
[ "$(dw_stat runnable)" = 0 ] || fail "deals left unprocessed"
[ "$(deals_json | json_get 'sum(len(x["quotes"]) - len(set(q["hash"] for q in x["quotes"])) for x in d)')" = 0 ] || fail "a quote revision was stored twice"
# the same leads one after another give the same result
cp -r "$TMP/ws-clean" "$TMP/ref"
for b in 0 1 2 3 4 5; do "$DW" -w "$TMP/ref" lead add "$TMP/batch$b.jsonl" >/dev/null; done
"$DW" -w "$TMP/ref" run >/dev/null
# deals by stage; quotes and the sum of their totals; approvals by kind and status; events
# by type
summary() {
    state_json "$1" | python3 -c '
import collections, decimal, json, sys
d = json.load(sys.stdin)
for k, n in sorted(collections.Counter(x["stage"] for x in d["deals"]).items()):
    print(k, n)
quotes = [q for x in d["deals"] for q in x["quotes"]]
print(len(quotes), sum(decimal.Decimal(q["total"]) for q in quotes))
for k, n in sorted(collections.Counter((a["kind"], a["status"]) for x in d["deals"] for a in x["approvals"]).items()):
    print(k, n)
for k, n in sorted(collections.Counter(e["type"] for e in d["events"]).items()):
    print(k, n)'
}
summary "$TMP/ref" > "$TMP/ref.sum"
summary "$WS" > "$TMP/ws.sum"
cmp -s "$TMP/ref.sum" "$TMP/ws.sum" || { diff "$TMP/ref.sum" "$TMP/ws.sum" >&2; fail "concurrent result differs from sequential"; }
expect_exit 0 dw audit verify
pass "$expected leads from two processes: all stored once, all processed, same result as one after another; $OUT"

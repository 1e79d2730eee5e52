#!/bin/sh
# kill -9 during `run`, again and again, then `run` to the end: the result equals an
# uninterrupted run — nothing lost, nothing doubled — and the audit chain verifies.
. "$(dirname "$0")/lib.sh"
new_ws
# Enough leads that a run takes a while: the samples, copied with new ids and senders.
python3 - "$WS/samples/leads.jsonl" "$TMP/many.jsonl" <<'PY'
import json, sys
src = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
with open(sys.argv[2], "w") as out:
    for i in range(40):
        for l in src:
            l = dict(l)
            l["external_id"] = "%s-copy%d" % (l["external_id"], i)
            c = dict(l.get("contact") or {})
            if "email" in c:
                user, _, dom = c["email"].partition("@")
                c["email"] = "%s+%d@%s" % (user, i, dom)
            l["contact"] = c
            out.write(json.dumps(l) + "\n")
PY
cp -r "$WS" "$TMP/ref"
"$DW" -w "$TMP/ref" lead add "$TMP/many.jsonl" >/dev/null
"$DW" -w "$TMP/ref" run >/dev/null

dw lead add "$TMP/many.jsonl" >/dev/null
kills=0
for delay in 0.05 0.15 0.1 0.3 0.2 0.25 0.07 0.4; do
    "$DW" -w "$WS" run >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
done
[ "$kills" -ge 3 ] || fail "only $kills runs were still working when killed: the test proves little"
dw run >/dev/null
pass "killed run $kills times, then ran to the end"

# per deal: stage, facts, parked, quotes and their totals, approvals, order, leads; events by
# deal and type; audit records by deal, action and agent
state() {
    state_json "$1" | python3 -c '
import collections, json, sys
d = json.load(sys.stdin)
for x in d["deals"]:
    print(x["id"], x["stage"], x["facts"], x["parked"], len(x["quotes"]),
          ",".join(q["total"] for q in x["quotes"]), len(x["approvals"]),
          int(x["order"] is not None), len(x["leads"]))
key = lambda v: (v is None, v or 0)
for (deal, t), n in sorted(collections.Counter((e["deal_id"], e["type"]) for e in d["events"]).items(), key=lambda i: (key(i[0][0]), i[0][1])):
    print(deal, t, n)
for (deal, a, ag), n in sorted(collections.Counter((r["deal_id"], r["action"], (r["data"] or {}).get("agent")) for r in d["audit"]).items(), key=lambda i: (key(i[0][0]), i[0][1], str(i[0][2]))):
    print(deal, a, ag, n)'
}
state "$TMP/ref" > "$TMP/ref.state"
state "$WS" > "$TMP/ws.state"
if ! cmp -s "$TMP/ref.state" "$TMP/ws.state"; then
    diff "$TMP/ref.state" "$TMP/ws.state" | head -20 >&2
    fail "the interrupted run differs from the uninterrupted one"
fi
pass "same deals, stages, quotes, approvals, orders, events and audit steps as an uninterrupted run ($(wc -l < "$TMP/ws.state") rows compared)"
expect_exit 0 dw audit verify
pass "audit chain verifies after the kills: $OUT"

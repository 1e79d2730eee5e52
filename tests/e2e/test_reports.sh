#!/bin/sh
# GET /v1/reports/funnel on a history with known times. Two sample leads arrive at 09:00:
# lead 1 (within a rep's authority) reaches proposal_ready at once; lead 7 (a 15 % discount)
# waits for the manager, who approves at 11:00 (two hours in awaiting_approval). The first
# deal's customer accepts the next day at 09:00 (a day in proposal_ready). Expected, as a
# deal desk counts it: 2 deals, 2 qualified, 2 proposals, 1 order (50 % of proposals);
# awaiting_approval 1 stay of 7200 s; proposal_ready 1 finished stay of 86400 s; creation to
# proposal 0 s and 7200 s (mean 3600), to order 86400 s; one approval, approved, after
# 7200 s.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make test-deps installs it)"
new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
sed -n '1p;7p' "$WS/samples/leads.jsonl" >"$TMP/leads"
DW_NOW=2026-11-24T09:00:00Z dw lead add "$TMP/leads" >/dev/null
DW_NOW=2026-11-24T09:00:00Z dw run >/dev/null
stages() { dw deals --json | json_get '" ".join(x["stage"] for x in d) + " "'; }
[ "$(stages)" = "proposal_ready awaiting_approval " ] || fail "the setup: $(stages)"
DW_NOW=2026-11-24T11:00:00Z dw approve A-000001 --as petra --note "within plan" >/dev/null
DW_NOW=2026-11-24T11:00:00Z dw run >/dev/null
DW_NOW=2026-11-25T09:00:00Z dw accept D-000001 >/dev/null
[ "$(stages)" = "ordered proposal_ready " ] || fail "the history: $(stages)"

TOKEN=$(dw token create --user petra --role manager --json | json_get 'd["secret"]')
start_server --rate 0
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/reports/funnel")" = 401 ] || fail "the report without a token"
curl -s -H "Authorization: Bearer $TOKEN" "$U/v1/reports/funnel" >"$TMP/r"

got() { json_get "$1" <"$TMP/r"; }
[ "$(got '[(f["step"], f["n"], f["conversion_bp"]) for f in d["funnel"]]')" = \
  "[('deals', 2, 10000), ('qualified', 2, 10000), ('proposal', 2, 10000), ('order', 1, 5000)]" ] ||
    fail "the funnel: $(got 'd["funnel"]')"
pass "the funnel counts deals by the steps they reached, with conversion between steps"
[ "$(got '{t["stage"]: (t["n"], t["mean_s"], t["max_s"]) for t in d["stage_times"]}["awaiting_approval"]')" = "(1, 7200, 7200)" ] ||
    fail "time in awaiting_approval: $(got 'd["stage_times"]')"
[ "$(got '{t["stage"]: (t["n"], t["mean_s"], t["max_s"]) for t in d["stage_times"]}["proposal_ready"]')" = "(1, 86400, 86400)" ] ||
    fail "time in proposal_ready: $(got 'd["stage_times"]')"
[ "$(got '[t["stage"] for t in d["stage_times"]]')" = "['new', 'qualifying', 'scoping', 'pricing', 'awaiting_approval', 'proposal_ready']" ] ||
    fail "the stages left, in pipeline order: $(got 'd["stage_times"]')"
pass "time in each stage: two hours waiting for the manager, a day before the order"
[ "$(got '(d["time_to"]["proposal_ready"], d["time_to"]["ordered"])')" = \
  "({'n': 2, 'mean_s': 3600, 'max_s': 7200}, {'n': 1, 'mean_s': 86400, 'max_s': 86400})" ] ||
    fail "cycle times: $(got 'd["time_to"]')"
pass "from creation to proposal and to order"
[ "$(got '[d["approvals"][k] for k in ("pending", "approved", "rejected", "approval_rate_bp", "mean_wait_s")]')" = "[0, 1, 0, 10000, 7200]" ] ||
    fail "approvals: $(got 'd["approvals"]')"
[ "$(got '{k: v for k, v in d["stages"].items() if v}')" = "{'proposal_ready': 1, 'ordered': 1}" ] ||
    fail "stages now: $(got 'd["stages"]')"
pass "approvals and stages now"
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""

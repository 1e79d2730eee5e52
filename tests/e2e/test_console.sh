#!/bin/sh
# The browser console: its files from the binary with a strict Content-Security-Policy, then
# a real browser (playwright-core from npm driving Debian's chromium, tests/e2e/console.cjs)
# signs in, approves an escalated deal and sees it move on, rejects another with a note,
# reads a chat transcript turn by turn, checks the funnel's drawn values against
# GET /v1/reports/funnel, and sees no decision buttons as a rep on a VP's approval.
# Needs chromium, Node.js (18 or later: Debian 12's is 18) and npm: `make test-deps` installs
# them (`make test` does). playwright-core is pinned in tests/e2e/npm/package-lock.json and
# installed with `npm ci` into the build tree. Nothing here skips: a missing tool fails.
# DW_NODE=/path/to/node runs the driver and npm with that Node.js instead of PATH's, and
# DW_NPM=/path/to/npm-cli.js that npm (as on Debian 12: nodejs 18.19 or later, npm 9.2).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make test-deps installs it)"
. "$(dirname "$0")/npm.sh"
# The browser and the driver.
npm_tools "the browser test" chromium
PW="$NODE_MODULES/playwright-core"
echo "playwright-core $("$NODE" -p "require('$PW/package.json').version")"

new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
# maria holds deal_desk: she may decide the deal desk's discount band and the manager's below it.
DESK=$(dw token create --user maria --role deal_desk --json | json_get 'd["secret"]')
# lukas is a rep: he may decide none of the approvals below.
REP=$(dw token create --user lukas --role rep --json | json_get 'd["secret"]')
HOOK=$(dw token create --user webform --role integration --json | json_get 'd["secret"]')

start_server --rate 0

curl -s -D "$TMP/headers" -o "$TMP/index" "$U/"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$TMP/headers" ||
    fail "the console lacks its Content-Security-Policy: $(cat "$TMP/headers")"
grep -q '<script src="/console/console.js"' "$TMP/index" || fail "the console page: $(cat "$TMP/index")"
if grep -q '<script>' "$TMP/index" || grep -q ' on[a-z]*=' "$TMP/index"; then
    fail "the console page has inline script"
fi
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/console/console.js")" = 200 ] || fail "console.js"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/console/..%2fcli.h")" = 404 ] || fail "a path outside the console"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/console/nothing.js")" = 404 ] || fail "an unknown file"
pass "the console is served from the binary with a Content-Security-Policy and no inline script"

# A deal within the rep's authority, a chat transcript, then three escalated ones: a 15 %
# discount (manager band), a 25 % one (deal desk band) and a deal large enough for the VP's
# deal-size review (example/samples/README.md).
sed -n '1p;3p;7,9p' "$WS/samples/leads.jsonl" >"$TMP/leads"
sed -n '3p' "$WS/samples/leads.jsonl" >"$TMP/chat.json"
while read -r lead; do
    printf '%s' "$lead" | curl -s -o /dev/null -X POST -H "Authorization: Bearer $HOOK" \
        --data-binary @- "$U/v1/leads"
done <"$TMP/leads"
for _ in $(seq 150); do
    N=$(curl -s -H "Authorization: Bearer $DESK" "$U/v1/approvals" | json_get 'len(d)')
    [ "$N" = 3 ] && break
    sleep 0.1
done
[ "$N" = 3 ] || fail "expected three pending approvals, got $N"
curl -s -H "Authorization: Bearer $DESK" "$U/v1/approvals" >"$TMP/approvals"
by_role() { json_get "[a['deal'] for a in d if a['required_role'] == '$1'][0]" <"$TMP/approvals"; }
set -- "$(by_role manager)" "$(by_role deal_desk)"
VPDEAL=$(by_role vp)
CHAT=$(lead_deal ch-2026-1103)
# Who may decide, as the server tells it: maria (deal desk) the manager's and the deal desk's
# band, not the VP's; a rep none; and each approval names who may.
[ "$(json_get '" ".join(a["required_role"] + "=" + str(a["can_decide"]) for a in sorted(d, key=lambda a: a["required_role"]))' <"$TMP/approvals")" = "deal_desk=True manager=True vp=False" ] ||
    fail "can_decide for the deal desk: $(cat "$TMP/approvals")"
[ "$(json_get '[a["deciders"] for a in d if a["required_role"] == "vp"][0]' <"$TMP/approvals")" = "['david']" ] ||
    fail "the VP approval's deciders: $(cat "$TMP/approvals")"
[ "$(curl -s -H "Authorization: Bearer $REP" "$U/v1/approvals" | json_get 'any(a["can_decide"] for a in d)')" = False ] ||
    fail "a rep may decide an approval"
[ "$(curl -s -H "Authorization: Bearer $REP" "$U/v1/me" | json_get 'd["user"] + " " + d["role"]')" = "lukas rep" ] ||
    fail "GET /v1/me"
pass "GET /v1/approvals says whether the caller may decide each approval and who may"
# A second quote revision of the first deal (a discount within a rep's authority) to compare.
for _ in $(seq 100); do
    [ "$(dw deal show D-000001 --json | json_get 'd["stage"]')" = proposal_ready ] && break
    sleep 0.1
done
dw quote discount D-000001 5 --as lukas >/dev/null
A="Authorization: Bearer $DESK"
curl -s -H "$A" "$U/v1/deals/D-000001/quotes/1/diff/2" >"$TMP/diff"
[ "$(json_get 'd["totals"]["total"]["delta"] < 0 and d["to"]["revision"] == 2' <"$TMP/diff")" = True ] ||
    fail "the quote diff route: $(cat "$TMP/diff")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$U/v1/deals/D-000001/quotes/1/diff/3")" = 404 ] ||
    fail "a quote diff with a missing revision"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$U/v1/deals/D-000001/quotes/0/diff/x")" = 404 ] ||
    fail "a quote diff with bad revision numbers"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/deals/D-000001/quotes/1/diff/2")" = 401 ] ||
    fail "a quote diff without a token"
pass "GET /v1/deals/{id}/quotes/{r1}/diff/{r2} compares two revisions; 404 and 401 as they should"

DW_REP_TOKEN="$REP" DW_VP_DEAL="$VPDEAL" DW_CHAT_DEAL="$CHAT" DW_CHAT_LEAD="$TMP/chat.json" \
"$NODE" "$(dirname "$0")/console.cjs" "$PW" "$U" "$DESK" "$1" "$2" "$TMP/profile" D-000001 "$HOOK" ||
    fail "the browser test (server log: $(tail -5 "$TMP/serve.err"))"

# The browser's decisions are the store's.
dw deal show --all --json | json_get 'json.dumps([a for x in d for a in x["approvals"]])' >"$TMP/all-approvals"
[ "$(json_get '"".join(a["required_role"] + "=" + a["status"] + " " for a in sorted(d, key=lambda a: a["required_role"]))' <"$TMP/all-approvals")" = "deal_desk=rejected manager=approved vp=pending " ] ||
    fail "approvals in the store: $(json_get '[(a["status"], a["decided_by"]) for a in d]' <"$TMP/all-approvals")"
[ "$(json_get 'chr(10).join(a["decided_by"] for a in d if a["status"] == "rejected")' <"$TMP/all-approvals")" = maria ] || fail "decided_by"
pass "the decisions made in the browser are in the store, by the signed-in user"

# The funnel report against the store, counted independently: deals per stage now; the
# steps from each deal's history of stage changes; one approved, one rejected, the VP's
# waiting.
curl -s -H "Authorization: Bearer $DESK" "$U/v1/reports/funnel" >"$TMP/report"
STORE_STAGES=$(dw stats --json | json_get '"".join(k + "=" + str(v) + " " for k, v in sorted(d["stages"].items()) if v)')
[ "$(json_get '" ".join(k + "=" + str(v) for k, v in sorted(d["stages"].items()) if v) + " "' <"$TMP/report")" = "$STORE_STAGES" ] ||
    fail "stages in the report: $(cat "$TMP/report") vs $STORE_STAGES"
state_json >"$TMP/state.json"
# reached 'a','b',...: deals that are in one of the stages or ever entered one
reached() { json_get "len(set([x['id'] for x in d['deals'] if x['stage'] in ($1,)] + ['D-%06d' % e['deal_id'] for e in d['events'] if e['type'] == 'deal.stage_changed' and e['data']['to'] in ($1,)]))" <"$TMP/state.json"; }
WANT="$(json_get 'len(d["deals"])' <"$TMP/state.json") $(reached "'scoping','pricing','awaiting_approval','proposal_ready','ordered'") $(reached "'proposal_ready','ordered'") $(reached "'ordered'")"
[ "$(json_get '" ".join(str(f["n"]) for f in d["funnel"])' <"$TMP/report")" = "$WANT" ] ||
    fail "the funnel's steps: $(json_get 'd["funnel"]' <"$TMP/report") vs $WANT"
[ "$(json_get 'd["funnel"][0]["n"] >= 6 and d["funnel"][2]["n"] >= 3' <"$TMP/report")" = True ] ||
    fail "fewer deals or proposals than the leads posted give: $WANT"
[ "$(json_get '(d["approvals"]["approved"], d["approvals"]["rejected"], d["approvals"]["pending"], d["approvals"]["approval_rate_bp"])' <"$TMP/report")" = "(1, 1, 1, 5000)" ] ||
    fail "the approvals in the report: $(json_get 'd["approvals"]' <"$TMP/report")"
pass "GET /v1/reports/funnel counts what the store holds (steps: $WANT)"
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""

#!/bin/sh
# The server over real HTTP on loopback: tokens (401/403), idempotent lead posting, the
# agents running behind the API, a decision, an acceptance, the event stream resumed with
# Last-Event-ID, metrics that promtool accepts, the OpenAPI document, the limits, the rate
# limit, revocation, the CLI sharing the store, and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

token() { # token USER ROLE -> secret
    dw token create --user "$1" --role "$2" --json | json_get 'd["secret"]'
}
ADMIN=$(token nils admin)
HOOK=$(token webform integration)
REP=$(token lukas rep)
MANAGER=$(token petra manager)
expect_exit 2 dw token create --user nobody --role admin
echo "$ERR" | grep -q "not a user of the team" || fail "unknown user: $ERR"
expect_exit 2 dw token create --user lukas --role admin
echo "$ERR" | grep -q "does not hold the role" || fail "role not held: $ERR"
expect_exit 2 dw token create --user "Web Form" --role integration
dw token list >"$TMP/list"
grep -q "webform" "$TMP/list" || fail "token list lacks the integration"
# what is at rest is backend-specific: the SQLite file must not hold the secret
if grep -q "$ADMIN" "$TMP/list" || db "SELECT hash FROM api_tokens" | grep -q "$ADMIN"; then
    fail "a token's secret is stored or listed"
fi
pass "tokens: created for team users and integrations, stored hashed, bad ones refused"

# start SERVER_ARGS...: a server on a free port; sets PID and U.
start() {
    start_server "$@"
}
stop() {
    kill -TERM "$PID"
    wait "$PID" || fail "the server exited $? on SIGTERM"
}
# req METHOD PATH TOKEN [BODY-FILE]: status into $CODE, body into $TMP/body
req() {
    set -- "$1" "$2" "${3:-}" "${4:-}"
    auth=""
    [ -n "$3" ] && auth="Authorization: Bearer $3"
    if [ -n "$4" ]; then
        CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" -H "$auth" \
            -H 'Content-Type: application/json' --data-binary "@$4" "$U$2" || true)
    else
        CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" -H "$auth" "$U$2" || true)
    fi
}
expect() { # expect CODE: the last request's status
    [ "$CODE" = "$1" ] || fail "expected $1, got $CODE: $(cat "$TMP/body")"
}
body() { json_get "$1" <"$TMP/body"; }

start --rate 0
req GET /healthz ""
expect 200
req GET /readyz ""
expect 200
req GET /v1/deals ""
expect 401
[ "$(body 'd["error"]["code"]')" = unauthenticated ] || fail "401 body: $(cat "$TMP/body")"
req GET /v1/deals "dwt_0000000000000000000000000000000000000000000000000000000000000000"
expect 401
req GET /v1/nothing "$ADMIN"
expect 404
req POST /v1/deals "$ADMIN"
expect 405
pass "401 without or with an unknown token, with a JSON error body"

head -1 "$WS/samples/leads.jsonl" >"$TMP/lead1.json"
req POST /v1/leads "$REP" "$TMP/lead1.json"
expect 403
[ "$(body 'd["error"]["code"]')" = forbidden ] || fail "403 body: $(cat "$TMP/body")"
req POST /v1/leads "$HOOK" "$TMP/lead1.json"
expect 202
DEAL1=$(body 'd["deal"]')
[ "$(body 'd["status"]')" = created ] || fail "first post: $(cat "$TMP/body")"
req POST /v1/leads "$HOOK" "$TMP/lead1.json"
expect 202
[ "$(body 'd["status"]')" = duplicate ] && [ "$(body 'd["deal"]')" = "$DEAL1" ] ||
    fail "the same lead again is not the same deal: $(cat "$TMP/body")"
pass "POST /v1/leads: 403 for a rep, 202 with the deal, idempotent by source + external_id"

echo '{"source": "api", "external_id": "x", "contact": {"email": 5}, "message": "hello"}' >"$TMP/bad.json"
req POST /v1/leads "$HOOK" "$TMP/bad.json"
expect 400
body 'd["error"]["field"]' | grep -q contact || fail "no field named: $(cat "$TMP/body")"
echo '{"source": "web",' >"$TMP/broken.json"
req POST /v1/leads "$HOOK" "$TMP/broken.json"
expect 400
python3 -c "print('{\"a\":' * 40 + '1' + '}' * 40)" >"$TMP/deep.json"
req POST /v1/leads "$HOOK" "$TMP/deep.json"
expect 400
body 'd["error"]["message"]' | grep -q "nested deeper" || fail "depth: $(cat "$TMP/body")"
python3 -c "print('{\"source\": \"api\", \"message\": \"' + 'x' * 1100000 + '\"}')" >"$TMP/big.json"
req POST /v1/leads "$HOOK" "$TMP/big.json"
expect 413
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(python3 -c "print('y' * 70000)")" \
    "$U/healthz")
[ "$CODE" -ge 400 ] || fail "a 70 kB header was accepted ($CODE)"
[ "$(dw_stat leads)" = 1 ] || fail "a refused lead was stored"
pass "bad leads: 400 naming the field; broken JSON, deep nesting 400; big body 413; big header refused"

tail -n +2 "$WS/samples/leads.jsonl" | while read -r line; do
    printf '%s\n' "$line" >"$TMP/l.json"
    req POST /v1/leads "$HOOK" "$TMP/l.json"
    expect 202
done
# the agents run inside the server: wait until nothing is new or being worked on
for _ in $(seq 150); do
    left=$(dw_stat runnable)
    [ "$left" = 0 ] && break
    sleep 0.2
done
[ "$left" = 0 ] || fail "the server's control plane left $left deals runnable"
dw deals --json >"$TMP/cli-deals.json" # the CLI reads the store the server writes
req GET /v1/deals "$REP"
expect 200
[ "$(body 'len(d)')" = "$(json_get 'len(d)' <"$TMP/cli-deals.json")" ] || fail "CLI and API differ"
req GET "/v1/deals?stage=nonsense" "$REP"
expect 400
req GET "/v1/deals/$DEAL1" "$REP"
expect 200
[ "$(body 'd["id"]')" = "$DEAL1" ] || fail "deal: $(cat "$TMP/body")"
req GET "/v1/deals/D-999999" "$REP"
expect 404
req GET "/v1/deals/$DEAL1/timeline" "$REP"
expect 200
[ "$(body 'len(d["events"]) > 0 and len(d["audit"]) > 0')" = True ] || fail "timeline"
pass "the agents run behind the API; deals, one deal, its timeline; the CLI shares the store"

req GET /v1/approvals "$REP"
expect 200
APPROVAL=$(body '[a["id"] for a in d if a["required_role"] == "manager"][0]')
ADEAL=$(body '[a["deal"] for a in d if a["required_role"] == "manager"][0]')
echo '{"decision": "approve", "note": "fine"}' >"$TMP/approve.json"
req POST "/v1/approvals/$APPROVAL/decision" "$REP" "$TMP/approve.json"
expect 403
req POST "/v1/approvals/$APPROVAL/decision" "$HOOK" "$TMP/approve.json"
expect 403
echo '{"decision": "maybe"}' >"$TMP/maybe.json"
req POST "/v1/approvals/$APPROVAL/decision" "$MANAGER" "$TMP/maybe.json"
expect 400
req POST "/v1/approvals/$APPROVAL/decision" "$MANAGER" "$TMP/approve.json"
expect 200
req POST "/v1/approvals/$APPROVAL/decision" "$MANAGER" "$TMP/approve.json"
expect 409
dw audit show "$ADEAL" --json | grep -q '"user:petra"\|"petra"' || fail "the decision's user is not audited"
pass "decision: 403 for a rep and an integration, 200 for the manager, 409 the second time"

req GET /v1/deals?stage=proposal_ready "$REP"
READY=$(body 'd[0]["id"]')
req GET "/v1/deals/$READY/proposal" "$REP"
expect 200
body 'len(d["markdown"]) > 100' | grep -q True || fail "proposal: $(head -c 300 "$TMP/body")"
req POST "/v1/deals/$READY/accept" "$HOOK"
expect 403
echo '{"revision": 99}' >"$TMP/rev99.json"
req POST "/v1/deals/$READY/accept" "$REP" "$TMP/rev99.json"
expect 409
req POST "/v1/deals/$READY/accept" "$REP"
expect 200
req GET "/v1/deals/$READY" "$REP"
[ "$(body 'd["stage"]')" = ordered ] || fail "accepted deal is $(body 'd["stage"]')"
req GET "/v1/deals/$DEAL1/proposal" "$REP"
[ "$CODE" = 200 ] || [ "$CODE" = 404 ] || fail "proposal of $DEAL1: $CODE"
pass "proposal; accept: 403 for an integration, 409 for a superseded revision, 200 orders"

# the event stream: everything after Last-Event-ID, in order, with ids
MAXSEQ=$(dw_stat last_event)
curl -s -N --max-time 2 -H "Authorization: Bearer $REP" -H "Last-Event-ID: 5" "$U/v1/events" \
    >"$TMP/sse" || true
# ids 6, 7, 8, ... without a gap, up to at least what the log held before the request (the
# worker may have added more since)
sed -n 's/^id: //p' "$TMP/sse" | awk -v max="$MAXSEQ" '
    $1 != NR + 5 { print "event " NR " has id " $1; bad = 1; exit }
    END { if (!bad && NR + 5 < max) { print "only up to " NR + 5 " of " max; bad = 1 } exit bad }' ||
    fail "events after 5 are not 6.. $MAXSEQ in order"
grep -q '^event: deal.accepted' "$TMP/sse" || fail "no deal.accepted event in the stream"
curl -s -N --max-time 2 -H "Authorization: Bearer $REP" -H "Last-Event-ID: $(sed -n 's/^id: //p' "$TMP/sse" | tail -1)" \
    "$U/v1/events" >"$TMP/sse2" &
ssepid=$!
sleep 0.5
sed -n 2p "$WS/samples/leads.jsonl" | python3 -c "import json,sys; l=json.load(sys.stdin); l['external_id']='sse-1'; print(json.dumps(l))" >"$TMP/l2.json"
req POST /v1/leads "$HOOK" "$TMP/l2.json"
expect 202
wait "$ssepid" || true
MAXSEQ2=$(sed -n 's/^id: //p' "$TMP/sse" | tail -1)
[ "$(sed -n 's/^id: //p' "$TMP/sse2" | head -1)" = $((MAXSEQ2 + 1)) ] ||
    fail "a live event after resuming: $(head -c 300 "$TMP/sse2")"
grep -q '"external_id":"sse-1"' "$TMP/sse2" || fail "the lead posted during the stream is not in it"
curl -s -o "$TMP/body" -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $REP" \
    -H "Last-Event-ID: x" "$U/v1/events" | grep -q 400 || fail "bad Last-Event-ID accepted"
code=$(curl -s -N --max-time 1 -o "$TMP/sse3" -w '%{http_code}' -H "Authorization: Bearer $REP" \
    "$U/v1/events?after=latest" || true)
[ "$code" = 200 ] || fail "after=latest: HTTP $code"
if grep -q '^id: ' "$TMP/sse3"; then fail "after=latest replayed old events: $(head -c 200 "$TMP/sse3")"; fi
pass "events: resumed after Last-Event-ID, then live; after=latest sends only new ones"

curl -s "$U/metrics" >"$TMP/metrics"
grep -q '^dealwright_http_requests_total{route="leads_post",code="202"} ' "$TMP/metrics" ||
    fail "metrics lack the lead posts"
if command -v promtool >/dev/null; then
    promtool check metrics <"$TMP/metrics" || fail "promtool check metrics failed"
    pass "metrics: promtool check metrics passes"
else
    echo "promtool not installed (Debian: prometheus): metrics format not checked"
fi
curl -s "$U/v1/openapi.json" >"$TMP/openapi.json"
python3 - "$TMP/openapi.json" <<'PY' || fail "the OpenAPI document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["openapi"].startswith("3.1"), d["openapi"]
want = {"/v1/leads": "post", "/v1/deals": "get", "/v1/deals/{id}": "get",
        "/v1/deals/{id}/timeline": "get", "/v1/approvals": "get",
        "/v1/approvals/{id}/decision": "post", "/v1/deals/{id}/accept": "post",
        "/v1/deals/{id}/proposal": "get", "/v1/events": "get", "/healthz": "get",
        "/v1/deals/{id}/quotes/{r1}/diff/{r2}": "get",
        "/readyz": "get", "/metrics": "get", "/v1/openapi.json": "get",
        "/v1/webhooks": "post", "/v1/webhooks/{id}": "delete",
        "/v1/webhooks/deliveries": "get", "/v1/webhooks/deliveries/{id}/replay": "post"}
for p, m in want.items():
    assert m in d["paths"].get(p, {}), p
PY
pass "the OpenAPI 3.1 document describes every route"

grep -q "route=decision status=403 user=lukas" "$TMP/serve.err" || fail "request log lacks the user"
if grep -q "$REP\|@" "$TMP/serve.err"; then
    fail "the request log holds a token or an e-mail address"
fi
pass "every request logged with its user, without secrets or e-mail addresses"

REPID=$(dw token list --json | json_get '[t["id"] for t in d if t["user"] == "lukas"][0]')
dw token revoke "$REPID" >/dev/null
req GET /v1/deals "$REP"
expect 401
expect_exit 2 dw token revoke "$REPID"
pass "a revoked token is refused at once"
stop
grep -q "stopped" "$TMP/serve.err" || fail "no clean stop"
dw audit verify >/dev/null || fail "audit chain after the server"

start --rate 2
# 40 requests on one connection from one curl, so that a loaded machine's process start-up
# does not refill the bucket (burst 10, 2 per second) between them.
urls=""
for i in $(seq 39); do urls="$urls -o /dev/null $U/v1/approvals"; done
# shellcheck disable=SC2086
curl -s -H "Authorization: Bearer $ADMIN" -w '%{http_code}\n' $urls -o "$TMP/body" \
    "$U/v1/approvals" >"$TMP/codes"
grep -q '^200$' "$TMP/codes" || fail "no request within the burst was answered"
grep -q '^429$' "$TMP/codes" || fail "no 429 in 40 requests at --rate 2: $(sort "$TMP/codes" | uniq -c)"
CODE=$(tail -n 1 "$TMP/codes")
expect 429
[ "$(body 'd["error"]["code"]')" = rate_limited ] || fail "429 body"
pass "the per-token rate limit answers 429"

# SIGTERM while leads arrive: every 202 is stored, and the store is intact
python3 - "$WS/samples/leads.jsonl" "$TMP" <<'PY'
import json, sys
src = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for i in range(40):
    l = dict(src[i % len(src)]); l["external_id"] = "term-%d" % i
    c = dict(l.get("contact") or {})
    if "email" in c:
        c["email"] = "t%d.%s" % (i, c["email"])
    l["contact"] = c
    open("%s/term%d.json" % (sys.argv[2], i), "w").write(json.dumps(l))
PY
stop
start --rate 0
accepted=0
for i in $(seq 0 39); do
    req POST /v1/leads "$HOOK" "$TMP/term$i.json"
    [ "$CODE" = 202 ] && accepted=$((accepted + 1))
    [ "$i" = 20 ] && kill -TERM "$PID"
done
wait "$PID" || fail "the server exited $? on SIGTERM under load"
stored=$(dw events list --type lead.received --json | json_get "len(set(e['data']['lead'] for e in d if e['data'].get('external_id', '').startswith('term-')))")
[ "$stored" = "$accepted" ] || fail "$accepted leads accepted, $stored stored"
dw audit verify >/dev/null || fail "audit chain after SIGTERM under load"
dw run >/dev/null
pass "SIGTERM under load: $accepted accepted, all stored; the chain holds"

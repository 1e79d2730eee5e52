#!/bin/sh
# Webhooks against a receiver on loopback: signatures that verify, a subscription per event
# type, retries with backoff after failures, the dead letter after N attempts and its
# replay, and a restart that neither resends what was delivered nor loses what was not.
. "$(dirname "$0")/lib.sh"
new_ws
RPID=""
SPID=""
trap '[ -z "$RPID" ] || kill "$RPID" 2>/dev/null || true; [ -z "$SPID" ] || kill "$SPID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

# The receiver: POST /PATH; /failN answers 500 to its first N requests, /down always 500.
# Each request is one line of $TMP/got: path event delivery seq signature-ok.
cat >"$TMP/recv.py" <<'PY'
import hashlib, hmac, http.server, json, sys
secrets = json.load(open(sys.argv[1]))
seen = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ts = self.headers["X-Dealwright-Timestamp"]
        sig = self.headers["X-Dealwright-Signature"]
        secret = secrets.get(self.path, "").encode()
        want = "v1=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        seq = json.loads(body)["seq"]
        with open(sys.argv[2], "a") as f:
            f.write("%s %s %s %s %s\n" % (self.path, self.headers["X-Dealwright-Event"],
                    self.headers["X-Dealwright-Delivery"], seq, hmac.compare_digest(sig, want)))
        n = seen[self.path] = seen.get(self.path, 0) + 1
        fail = self.path == "/down" or (self.path.startswith("/fail") and n <= int(self.path[5:]))
        self.send_response(500 if fail else 200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[3])), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY

expect_exit 2 dw webhook add --url ftp://example.org/x --events lead.received
echo "$ERR" | grep -q "url" || fail "ftp URL: $ERR"
expect_exit 2 dw webhook add --url http://127.0.0.1:1/x --events "Lead Received"
echo "$ERR" | grep -q "events" || fail "bad event type: $ERR"
expect_exit 2 dw webhook add --url http://127.0.0.1:1/x --events lead.received --secret short
hooks_n() { dw webhook list --json | json_get 'len(d)'; }
# deliveries_n PY-CONDITION: deliveries (x) for which it holds
deliveries_n() { dw webhook deliveries --limit 1000 --json | json_get "sum(1 for x in d if $1)"; }
[ "$(hooks_n)" = 0 ] || fail "a refused webhook was stored"
pass "webhooks: bad URLs, event types and secrets refused, store unchanged"

PORT=0
add() { # add PATH EVENTS -> id; remembers the generated secret for the receiver
    dw webhook add --url "http://127.0.0.1:$PORT$1" --events "$2" --json >"$TMP/h.json"
    python3 -c "import json; s=json.load(open('$TMP/secrets.json'))
h=json.load(open('$TMP/h.json')); s['$1']=h['secret']; json.dump(s,open('$TMP/secrets.json','w'))"
    json_get 'd["id"]' <"$TMP/h.json"
}
echo '{}' >"$TMP/secrets.json"
# the port is needed before the subscriptions; take a free one and hand it to the receiver
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
OK=$(add /ok "lead.received,deal.stage_changed")
FAIL=$(add /fail2 "lead.received")
DOWN=$(add /down "lead.*")
dw webhook list >"$TMP/list"
grep -q "/fail2" "$TMP/list" || fail "webhook list lacks a subscription"
SECRET=$(python3 -c "import json; print(json.load(open('$TMP/secrets.json'))['/ok'])")
if grep -q "$SECRET" "$TMP/list" || dw webhook list --json | grep -q "$SECRET"; then
    fail "webhook list shows a secret"
fi

python3 "$TMP/recv.py" "$TMP/secrets.json" "$TMP/got" "$PORT" >"$TMP/recv.out" 2>"$TMP/recv.err" &
RPID=$!
for _ in $(seq 50); do [ -s "$TMP/recv.out" ] && break; sleep 0.1; done
[ -s "$TMP/recv.out" ] || fail "the receiver did not start: $(cat "$TMP/recv.err")"
touch "$TMP/got"

# the delivery rules are the workspace's (dealwright.yaml webhooks:), checked where written
cp "$WS/dealwright.yaml" "$TMP/dealwright.yaml.orig"
sed -i 's/^  attempts: 8 .*/  attempts: 0/' "$WS/dealwright.yaml"
expect_exit 1 dw validate
echo "$OUT" | grep -q "dealwright.yaml:[0-9]*:[0-9]*: attempts: 0 is out of range" || fail "attempts 0: $OUT"
sed 's/^  attempts: 8 .*/  attempts: 3/; s/^  backoff_ms: 1000 .*/  backoff_ms: 50/' \
    "$TMP/dealwright.yaml.orig" >"$WS/dealwright.yaml"
grep -q "^  attempts: 3" "$WS/dealwright.yaml" || fail "the example has no webhooks.attempts"

dw lead add "$WS/samples/leads.jsonl" >/dev/null
N=$(events_n lead.received)
[ "$N" -gt 0 ] || fail "no lead.received events"
L=$(dw events list --json | json_get "sum(1 for e in d if e['type'].startswith('lead.'))")
dw webhook deliver >"$TMP/d1"
grep -q "$((N * 2 + L)) queued" "$TMP/d1" || fail "expected $((N * 2 + L)) queued: $(cat "$TMP/d1")"
[ "$(grep -c '^/ok lead.received .* True$' "$TMP/got")" = "$N" ] || fail "ok receiver: $(cat "$TMP/got")"
if grep -q " False$" "$TMP/got"; then fail "a signature did not verify"; fi
pass "webhooks: $N events delivered, each signed so that the receiver verifies it"

for _ in 1 2 3 4 5 6; do sleep 0.5; dw webhook deliver >/dev/null; done
[ "$(deliveries_n "x['webhook_id'] == $FAIL and x['status'] == 'delivered'")" = "$N" ] ||
    fail "the receiver that failed first did not get every event: $(dw webhook deliveries)"
[ "$(deliveries_n "x['webhook_id'] == $DOWN and x['status'] == 'dead' and x['attempts'] == 3")" = "$L" ] ||
    fail "the receiver that is down did not dead-letter after 3: $(dw webhook deliveries)"
[ "$(grep -c '^/down ' "$TMP/got")" = "$((L * 3))" ] || fail "/down attempts: $(grep -c '^/down ' "$TMP/got")"
dw webhook deliveries --status dead | grep -q "HTTP 500" || fail "dead deliveries lack their error"
pass "webhooks: retries after failures with backoff; dead after the workspace's 3 attempts"

# replay: one delivery, then all of them
D=$(dw webhook deliveries --status dead --limit 1000 --json | json_get 'min(x["id"] for x in d)')
dw webhook replay "$D" | grep -q "^1 dead delivery" || fail "replay of one"
expect_exit 2 dw webhook replay "$D"
[ "$(dw webhook deliveries --limit 1000 --json | json_get "next(x['status'] for x in d if x['id'] == $D)")" = pending ] || fail "replayed not pending"
dw webhook replay --dead | grep -q "^$((L - 1)) dead" || fail "replay --dead"
before=$(grep -c '^/down ' "$TMP/got")
dw webhook deliver --attempts 3 --backoff-ms 50 >/dev/null
[ "$(grep -c '^/down ' "$TMP/got")" = "$((before + L))" ] || fail "replayed deliveries not sent again"
pass "webhooks: an admin replays dead deliveries"

# a restart: the server delivers only what was not delivered, and new events too
dw webhook remove "$DOWN" >/dev/null
expect_exit 2 dw webhook remove "$DOWN"
okbefore=$(grep -c '^/ok ' "$TMP/got")
dw run >/dev/null
M=$(events_n deal.stage_changed)
start_server --webhook-backoff-ms 50
SPID=$PID
SP=$PORT
for _ in $(seq 100); do
    [ "$(grep -c '^/ok deal.stage_changed' "$TMP/got")" -ge "$M" ] && break
    sleep 0.1
done
# The same through the API, with an admin token; other roles are refused.
ADMIN=$(dw token create --user nils --role admin --json | json_get 'd["secret"]')
REP=$(dw token create --user lukas --role rep --json | json_get 'd["secret"]')
api() { # api METHOD PATH TOKEN [BODY]: status into $CODE, body into $TMP/abody
    if [ -n "${4:-}" ]; then
        CODE=$(curl -s -o "$TMP/abody" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
            -H 'Content-Type: application/json' --data-binary "$4" "http://127.0.0.1:$SP$2")
    else
        CODE=$(curl -s -o "$TMP/abody" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
            "http://127.0.0.1:$SP$2")
    fi
}
want() { [ "$CODE" = "$1" ] || fail "$2: expected $1, got $CODE: $(cat "$TMP/abody")"; }
api GET /v1/webhooks "$REP"; want 403 "a rep lists webhooks"
api POST /v1/webhooks "$ADMIN" '{"url":"ftp://x.example/h","events":"lead.received"}'
want 400 "an ftp URL"
grep -q '"field":"url"' "$TMP/abody" || fail "the error names no field: $(cat "$TMP/abody")"
api POST /v1/webhooks "$ADMIN" '{"url":"http://127.0.0.1:9/h","events":"*","colour":"red"}'
want 400 "an unknown field"
n0=$(hooks_n)
api POST /v1/webhooks "$ADMIN" "{\"url\":\"http://127.0.0.1:$PORT/api\",\"events\":\"approval.*\"}"
want 201 "subscribe through the API"
HID=$(json_get 'd["id"]' <"$TMP/abody")
json_get 'd["secret"]' <"$TMP/abody" | grep -q '^whsec_' || fail "no made secret: $(cat "$TMP/abody")"
[ "$(hooks_n)" = "$((n0 + 1))" ] || fail "the API's webhook not stored"
api GET /v1/webhooks "$ADMIN"; want 200 "list"
grep -q '/api' "$TMP/abody" || fail "list lacks the new webhook"
if grep -q 'whsec_\|secret' "$TMP/abody"; then fail "the API lists a secret"; fi
api GET "/v1/webhooks/deliveries?status=dead" "$ADMIN"; want 200 "dead deliveries"
api GET "/v1/webhooks/deliveries?status=lost" "$ADMIN"; want 400 "an unknown status"
api POST /v1/webhooks/deliveries/999999/replay "$ADMIN"; want 404 "replay of no dead delivery"
api DELETE "/v1/webhooks/$HID" "$REP"; want 403 "a rep removes a webhook"
api DELETE "/v1/webhooks/$HID" "$ADMIN"; want 200 "remove"
api DELETE "/v1/webhooks/$HID" "$ADMIN"; want 404 "remove twice"
api GET /v1/webhooks/x/replay "$ADMIN"; want 404 "a bad path"
[ "$(dw audit list --action webhook.add --json | json_get "sum(1 for a in d if a['actor'] == 'nils')")" = 1 ] ||
    fail "the API's webhook.add not audited as nils"
curl -s "http://127.0.0.1:$SP/metrics" >"$TMP/metrics"
grep -q '^dealwright_webhook_deliveries{state="delivered"} [1-9]' "$TMP/metrics" ||
    fail "metrics lack delivered webhooks: $(grep webhook "$TMP/metrics")"
grep -q '^dealwright_webhook_attempts_total{result="delivered"} [1-9]' "$TMP/metrics" ||
    fail "metrics lack the server's delivery attempts"
if command -v promtool >/dev/null; then
    promtool check metrics <"$TMP/metrics" || fail "promtool check metrics"
fi
pass "webhooks through the API: admin only, validated, listed without secrets, audited, in /metrics"

kill -TERM "$SPID"
wait "$SPID" || fail "serve did not stop cleanly: $(cat "$TMP/serve.err")"
[ "$(grep -c '^/ok deal.stage_changed' "$TMP/got")" = "$M" ] || fail "serve delivered $(grep -c '^/ok deal.stage_changed' "$TMP/got") of $M"
[ "$(grep -c '^/ok lead.received' "$TMP/got")" = "$N" ] || fail "a delivered event was sent again"
[ "$(cut -d' ' -f1,4 "$TMP/got" | sort | uniq -d | grep -v '^/fail2\|^/down' | wc -l)" = 0 ] ||
    fail "an event was delivered twice to /ok"
pass "webhooks: serve sends the $M new events once and nothing delivered again"

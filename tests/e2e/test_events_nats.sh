#!/bin/sh
# Events across processes over NATS JetStream (docs/internals/events-nats.md): two `serve
# --events` instances on one workspace (B API-only) and a `worker --events` beside them, a
# real nats-server on loopback, a webhook receiver.
# Written down first: every committed event is in the stream DEALWRIGHT exactly once (one
# message per event seq, message id STORE:SEQ) after a kill -9 of nats-server while leads
# are posted, after a kill -9 of an instance, and after a cursor that lags the stream; each
# webhook delivery reaches the receiver once whichever instance sends it (a receiver that
# fails the first attempt gets exactly two); instance B's event stream carries the events of
# leads posted to A, in order, resumable by Last-Event-ID; every acknowledged lead is stored
# once and the audit chain verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nats.sh"
PA=""
PB=""
PW=""
RPID=""
cleanup() {
    for p in $PA $PB $PW $RPID; do kill -9 "$p" 2>/dev/null || true; done
    stop_nats
    rm -rf "$TMP"
}
trap cleanup EXIT
new_ws
start_nats

# the receiver: one line per request "PATH SEQ DELIVERY-ID"; /fail1 answers 500 to a
# delivery's first try, /down while the file $TMP/down exists
cat >"$TMP/recv.py" <<'PY'
import http.server, json, os, sys
seen = set()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = (self.path, body["seq"])
        with open(sys.argv[1], "a") as f:
            f.write("%s %s %s\n" % (key + (self.headers["X-Dealwright-Delivery"],)))
        fail = (self.path == "/fail1" and key not in seen) or \
            (self.path == "/down" and os.path.exists(sys.argv[3]))
        seen.add(key)
        self.send_response(500 if fail else 200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), H).serve_forever()
PY
RPORT=$(free_port)
touch "$TMP/got"
python3 "$TMP/recv.py" "$TMP/got" "$RPORT" "$TMP/down" 2>"$TMP/recv.err" &
RPID=$!
dw webhook add --url "http://127.0.0.1:$RPORT/ok" --events "lead.received,deal.stage_changed" >/dev/null
dw webhook add --url "http://127.0.0.1:$RPORT/fail1" --events "lead.received" >/dev/null
HOOK=$(dw token create --user webform --role integration --json | json_get 'd["secret"]')
REP=$(dw token create --user lukas --role rep --json | json_get 'd["secret"]')

# start_a / start_b: the two instances, each with --events
SARGS="--rate 0 --webhook-backoff-ms 50 --webhook-attempts 3"
start_a() { start_server $SARGS --events "$NATS"; PA=$PID; UA=$U; cp "$TMP/serve.err" "$TMP/a.err" 2>/dev/null || true; }
start_b() { start_server $SARGS --no-worker --events "$NATS"; PB=$PID; UB=$U; }
start_w() {
    "$DW" -w "$WS" worker --events "$NATS" --webhook-attempts 3 --webhook-backoff-ms 50 >"$TMP/worker.out" 2>"$TMP/worker.err" &
    PW=$!
}

# post FIRST LAST URL: leads nats-FIRST..nats-LAST, each one sample lead with its own id;
# counts the acknowledged ones (202) in $TMP/acked
NS=$(wc -l <"$WS/samples/leads.jsonl")
post() {
    i=$1
    while [ "$i" -le "$2" ]; do
        sed -n "$(((i % NS) + 1))p" "$WS/samples/leads.jsonl" |
            python3 -c "import json,sys; l=json.load(sys.stdin); l['external_id']='nats-$i'; print(json.dumps(l))" >"$TMP/lead-$i.json"
        code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $HOOK" \
            -H 'Content-Type: application/json' --data-binary "@$TMP/lead-$i.json" "$3/v1/leads" || true)
        [ "$code" = 202 ] && echo "nats-$i" >>"$TMP/acked"
        i=$((i + 1))
    done
}
touch "$TMP/acked"

# settled: the stream holds as many messages as the log has events, the webhook consumer
# has nothing pending or unacknowledged, and no delivery waits for a retry (twice, 1 s apart)
state() {
    printf '%s %s %s %s\n' "$(dw_stat last_event)" \
        "$(stream info | json_get 'd["state"]["messages"]')" \
        "$(stream consumer | json_get 'd["num_pending"] + d["num_ack_pending"]')" \
        "$(dw webhook deliveries --limit 1000 --json | json_get "sum(1 for x in d if x['status'] == 'pending')")"
}
settle() {
    prev=""
    for _ in $(seq 90); do
        s=$(state)
        set -- $s
        if [ "$1" = "$2" ] && [ "$3" = 0 ] && [ "$4" = 0 ] && [ "$s" = "$prev" ]; then return 0; fi
        prev=$s
        sleep 1
    done
    fail "not settled in 90 s (events, stream messages, consumer pending, deliveries pending): $s"
}

start_a
start_b
start_w
[ "$UA" != "$UB" ] || fail "the two instances share a port"

# 1. leads posted to A while B's event stream is open
curl -s -N --max-time 15 -H "Authorization: Bearer $REP" -H "Last-Event-ID: 0" "$UB/v1/events" \
    >"$TMP/sse-live" 2>/dev/null &
SSEPID=$!
sleep 0.5
post 1 8 "$UA"
[ "$(wc -l <"$TMP/acked")" = 8 ] || fail "lead posts to A were refused: $(cat "$TMP/serve.err")"
settle
wait "$SSEPID" || true
grep -q '"external_id":"nats-1"' "$TMP/sse-live" ||
    fail "B's event stream lacks the lead posted to A: $(head -c 300 "$TMP/sse-live")"
pass "events: instance B streams the events of leads posted to instance A"

# 2. kill -9 of nats-server while leads are posted; it comes back on the same port and store
post 9 30 "$UA" &
POSTER=$!
sleep 0.7
kill9_nats
sleep 1.5
start_nats
wait "$POSTER"
settle
pass "events: nats-server killed (kill -9) while leads were posted, and back"

# 3. kill -9 of instance A while leads are posted to B (A's publisher may be mid-pass)
post 31 45 "$UB" &
POSTER=$!
sleep 0.5
# A must still be running here: one that exited by itself (after nats-server's kill -9 in
# step 2) is a failure of its own, with its error output
if ! kill -0 "$PA" 2>/dev/null; then
    st=0
    wait "$PA" || st=$?
    # A and B share serve.err; a sanitizer's report is shown from its first line
    fail "instance A exited by itself (status $st): $(sed -n '/ERROR: AddressSanitizer\|runtime error\|LeakSanitizer/,+60p' "$TMP/serve.err" | head -n 80; tail -n 20 "$TMP/serve.err")"
fi
kill -9 "$PA"
wait "$PA" 2>/dev/null || true
wait "$POSTER"
start_a
post 46 50 "$UA"
settle
pass "events: instance A killed (kill -9) while leads were posted to B, and restarted"

# 4. a publisher whose cursor lags the stream (a crash after sending, before committing):
# what the stream holds is not sent again
kill -TERM "$PA" "$PB" "$PW"
wait "$PA" "$PB" "$PW" 2>/dev/null || true
CUR=$(db "SELECT seq FROM outbox_cursors")
[ "$CUR" = "$(dw_stat last_event)" ] || fail "the cursor $CUR is not at the log's end $(dw_stat last_event)"
db "UPDATE outbox_cursors SET seq = CASE WHEN seq > 60 THEN seq - 60 ELSE 0 END"
start_a
start_b
start_w
for _ in $(seq 50); do [ "$(db "SELECT seq FROM outbox_cursors")" = "$CUR" ] && break; sleep 0.1; done
[ "$(db "SELECT seq FROM outbox_cursors")" = "$CUR" ] ||
    fail "the lagging cursor did not catch up with the stream's end $CUR: $(db "SELECT seq FROM outbox_cursors")"
post 51 52 "$UB"
settle
pass "events: a cursor 60 events behind the stream sends nothing twice"

# the stream: one message per event of the log, ids STORE:SEQ, none missing, none doubled
LAST=$(dw_stat last_event)
stream dump >"$TMP/dump"
python3 - "$TMP/dump" "$LAST" <<'PY' || fail "the stream is not the event log once"
import sys
rows = [l.split() for l in open(sys.argv[1])]
last = int(sys.argv[2])
ids = [r[1] for r in rows]
seqs = [int(r[2]) for r in rows]
bad = []
if len(set(ids)) != len(ids):
    bad.append("%d message ids doubled" % (len(ids) - len(set(ids))))
if sorted(seqs) != list(range(1, last + 1)):
    missing = sorted(set(range(1, last + 1)) - set(seqs))
    bad.append("events missing %s, doubled %d" % (missing[:10], len(seqs) - len(set(seqs))))
if seqs != sorted(seqs):
    bad.append("out of event order")
if any(not i.endswith(":%d" % s) or i.split(":")[0] != ids[0].split(":")[0] for i, s in zip(ids, seqs)):
    bad.append("a message id is not STORE:SEQ of one store")
print("; ".join(bad) or "ok")
sys.exit(1 if bad else 0)
PY
pass "events: the stream holds each of the $LAST events exactly once, in order"

# acknowledged leads: each stored once; the audit chain verifies
ACKED=$(wc -l <"$TMP/acked")
[ "$ACKED" -ge 45 ] || fail "only $ACKED of 52 lead posts were acknowledged"
# a lead is stored as lead.received (a new deal) or lead.follow_up (the contact's open deal)
dw events list --json | json_get "'\\n'.join(e['data'].get('external_id', '') for e in d if e['type'] in ('lead.received', 'lead.follow_up') and e['data'].get('external_id', '').startswith('nats-'))" >"$TMP/stored"
[ "$(sort "$TMP/stored" | uniq -d | wc -l)" = 0 ] || fail "leads stored twice: $(sort "$TMP/stored" | uniq -d | head -3)"
for l in $(cat "$TMP/acked"); do
    grep -qx "$l" "$TMP/stored" || fail "acknowledged lead $l is not stored"
done
dw audit verify >/dev/null || fail "the audit chain does not verify"
pass "leads: $ACKED acknowledged, each stored once; the audit chain verifies"

# webhooks: each delivery once whichever instance sent it; the failing receiver twice. The
# one exception written down: a post in flight when its instance was killed (phase 3) is
# sent again, with the same X-Dealwright-Delivery id, by the instance that takes the event
# over after the acknowledgement wait — at most one, as an instance sends one at a time.
python3 - "$TMP/got" <<PY || fail "webhook deliveries are not once each"
import json, subprocess, sys, collections
evs = json.loads(subprocess.check_output(["$DW", "-w", "$WS", "events", "list", "--json"]))
want = {"/ok": ({e["seq"] for e in evs if e["type"] in ("lead.received", "deal.stage_changed")}, 1),
        "/fail1": ({e["seq"] for e in evs if e["type"] == "lead.received"}, 2)}
tries = collections.defaultdict(list)
for l in open(sys.argv[1]):
    path, seq, delivery = l.split()
    if path != "/down":
        tries[(path, int(seq))].append(delivery)
bad, extra = [], 0
for path, (seqs, n) in want.items():
    got = {s for (p, s) in tries if p == path}
    if got != seqs:
        bad.append("%s: %d of %d events, %d unexpected" % (path, len(got & seqs), len(seqs), len(got - seqs)))
    for s in got:
        d = tries[(path, s)]
        if len(set(d)) != 1:
            bad.append("%s seq %d: delivery ids %s" % (path, s, d))
        if len(d) < n:
            bad.append("%s seq %d: %d tries, not %d" % (path, s, len(d), n))
        extra += len(d) - n if len(d) > n else 0
if extra > 1:
    bad.append("%d posts sent again" % extra)
print("; ".join(bad) or "ok (%d sent again after the kill)" % extra)
sys.exit(1 if bad else 0)
PY
[ "$(dw webhook deliveries --limit 1000 --json | json_get "sum(1 for x in d if x['status'] != 'delivered')")" = 0 ] ||
    fail "deliveries not delivered: $(dw webhook deliveries --limit 1000 --json | head -c 400)"
pass "webhooks: each delivery reached the receiver once; a failed first try was retried once"

# B's event stream from an id: the events after it, in order, without a gap, up to the end
MID=$((LAST / 2))
curl -s -N --max-time 3 -H "Authorization: Bearer $REP" -H "Last-Event-ID: $MID" "$UB/v1/events" \
    >"$TMP/sse" || true
sed -n 's/^id: //p' "$TMP/sse" | awk -v from="$MID" -v last="$LAST" '
    $1 != from + NR { print "event " NR " has id " $1; bad = 1; exit }
    END { if (!bad && from + NR < last) { print "only up to " from + NR " of " last; bad = 1 } exit bad }' ||
    fail "B's stream after $MID is not $((MID + 1))..$LAST"
curl -s -N --max-time 2 -H "Authorization: Bearer $REP" "$UA/v1/events?after=latest" >"$TMP/sse-latest" &
SSEPID=$!
sleep 0.7
post 53 53 "$UB"
wait "$SSEPID" || true
grep -q '"external_id":"nats-53"' "$TMP/sse-latest" || fail "A's after=latest stream lacks the lead posted to B"
if sed -n 's/^id: //p' "$TMP/sse-latest" | awk -v last="$LAST" '$1 <= last { exit 0 } END { exit 1 }'; then
    fail "after=latest replayed old events"
fi
pass "events: resumed after Last-Event-ID on B; after=latest on A sends only new ones"

# a dead delivery replayed with --events: sent once more, by one instance (the sweep claims it)
touch "$TMP/down"
DOWN=$(dw webhook add --url "http://127.0.0.1:$RPORT/down" --events "lead.received" --json | json_get 'd["id"]')
post 54 54 "$UA"
for _ in $(seq 100); do
    [ "$(dw webhook deliveries --status dead --limit 1000 --json | json_get "sum(1 for x in d if x['webhook_id'] == $DOWN)")" = 1 ] && break
    sleep 0.2
done
[ "$(dw webhook deliveries --status dead --limit 1000 --json | json_get "sum(1 for x in d if x['webhook_id'] == $DOWN)")" = 1 ] ||
    fail "the delivery to /down is not dead after 3 attempts"
[ "$(grep -c '^/down ' "$TMP/got")" = 3 ] || fail "/down got $(grep -c '^/down ' "$TMP/got") tries, not 3"
rm "$TMP/down"
dw webhook replay --dead >/dev/null
for _ in $(seq 100); do
    [ "$(grep -c '^/down ' "$TMP/got")" -ge 4 ] && break
    sleep 0.1
done
sleep 3 # two sweeps more: nothing else may come
[ "$(grep -c '^/down ' "$TMP/got")" = 4 ] || fail "/down got $(grep -c '^/down ' "$TMP/got") tries after the replay, not 4"
[ "$(dw webhook deliveries --limit 1000 --json | json_get "[x['status'] for x in d if x['webhook_id'] == $DOWN]")" = "['delivered']" ] ||
    fail "the replayed delivery is not delivered"
pass "webhooks: dead after 3 attempts, replayed, then sent once by one of the instances"

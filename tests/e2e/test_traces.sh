#!/bin/sh
# Traces (docs/internals/tracing.md) received by an OTLP/HTTP collector on loopback
# (otlp_sink.py, which refuses anything not in the protocol's JSON shape): one trace per lead
# across processes — the CLI's `lead add` and a later `run`, the server's request and its
# worker, the webhook sender — with step spans carrying the deal id and agent, parents that
# form one tree rooted at the request (or at the caller's traceparent), traceparent in the
# events and the webhook's request, and no personal data anywhere in the export.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
new_ws
PID=""
SINK=""
RPID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; [ -z "$SINK" ] || kill "$SINK" 2>/dev/null || true; [ -z "$RPID" ] || kill "$RPID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

sink_start() { # sink_start LOG [--status CODE:N]: sets OTLP (the collector's URL) and SINK
    rm -f "$TMP/sink.port"
    python3 "$DW_SOURCE_ROOT/tests/e2e/otlp_sink.py" "$TMP/sink.port" "$@" 2>"$TMP/sink.err" &
    SINK=$!
    for _ in $(seq 100); do [ -s "$TMP/sink.port" ] && break; sleep 0.05; done
    [ -s "$TMP/sink.port" ] || fail "the collector did not start: $(cat "$TMP/sink.err")"
    OTLP="http://127.0.0.1:$(cat "$TMP/sink.port")"
}
sink_stop() { kill "$SINK"; wait "$SINK" 2>/dev/null || true; SINK=""; }
# spans LOG PY-EXPR: evaluated with S (the spans of LOG, a list of dicts) and A(span, key)
spans() {
    python3 -c "
import json, sys
S = [json.loads(l) for l in open('$1')]
def A(s, k):
    for a in s.get('attributes', []):
        if a['key'] == k:
            v = a['value']
            return v.get('stringValue', v.get('intValue'))
print($2)"
}

# ---- a bad URL is refused before anything is done -------------------------------------
expect_exit 2 dw run --otlp ftp://127.0.0.1/x
echo "$ERR" | grep -q "otlp" || fail "a bad --otlp names the option: $ERR"
DW_OTLP=notaurl expect_exit 2 dw lead add "$WS/samples/leads.jsonl"
[ "$(dw deals --json | json_get 'len(d)')" = 0 ] || fail "a refused --otlp stored leads"
pass "traces: a malformed --otlp or DW_OTLP is refused (exit 2, naming otlp), nothing stored"

# ---- without a tracer nothing of it is stored -----------------------------------------
head -n 3 "$WS/samples/leads.jsonl" >"$TMP/three.jsonl"
dw lead add "$TMP/three.jsonl" >/dev/null
dw run >/dev/null
[ "$(db "SELECT count(*) FROM deal_docs WHERE kind = 'trace'")" = 0 ] ||
    fail "a trace document without --otlp"
dw events list --json | grep -q traceparent && fail "events carry a traceparent without --otlp"
pass "traces: without --otlp no trace document and no traceparent in events"
state_reset # the store too (on PostgreSQL a database outlives its folder)
rm -rf "$WS"
new_ws

# ---- the CLI: lead add in one process, run in another ---------------------------------
sink_start "$TMP/cli.log"
dw lead add "$WS/samples/leads.jsonl" --otlp "$OTLP" >/dev/null
DW_OTLP="$OTLP" dw run >/dev/null
sink_stop
[ ! -e "$TMP/cli.log.bad" ] || fail "the collector refused an export: $(cat "$TMP/cli.log.bad")"
DEALS=$(dw deals --json | json_get 'len(d)')
[ "$DEALS" -ge 20 ] || fail "expected the sample's deals, got $DEALS"
# one lead.submit root per lead stored (a follow-up joining a deal too), each its own trace
LEADS=$(leads_n)
R=$(spans "$TMP/cli.log" "len({s['traceId'] for s in S if s['name'] == 'lead.submit' and 'parentSpanId' not in s})")
[ "$R" = "$LEADS" ] || fail "lead add: $R traces for $LEADS leads"
# every step span is the child of its deal's lead.submit span, in its trace
BAD=$(spans "$TMP/cli.log" "[s['name'] for s in S if s['name'].startswith('step ') and not any(
    p['name'] == 'lead.submit' and p['spanId'] == s.get('parentSpanId') and p['traceId'] == s['traceId']
    and A(p, 'dealwright.deal.id') == A(s, 'dealwright.deal.id') for p in S)][:3]")
[ "$BAD" = "[]" ] || fail "steps not under their lead's span: $BAD"
STEPS=$(spans "$TMP/cli.log" "sum(1 for s in S if s['name'].startswith('step '))")
WANT=$(dw audit list --action step --json | json_get 'len(d)')
[ "$STEPS" = "$WANT" ] || fail "$STEPS step spans for $WANT steps in the audit chain"
pass "traces: lead add and a later run (two processes) make one trace per lead ($LEADS leads, $DEALS deals), $STEPS step spans under their lead"

# ---- the server: a request's trace through the worker and the webhook sender ----------
dw token create --user webform --role integration --json | json_get 'd["secret"]' >"$TMP/tok"
TOKEN=$(cat "$TMP/tok")
# a webhook receiver recording the traceparent header of each delivery
cat >"$TMP/recv.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps({"traceparent": self.headers.get("traceparent"),
                                "type": body["type"], "deal": body.get("deal_id")}) + "\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$TMP/recv.py" "$TMP/hooks" >"$TMP/recv.out" 2>"$TMP/recv.err" &
RPID=$!
for _ in $(seq 50); do [ -s "$TMP/recv.out" ] && break; sleep 0.1; done
[ -s "$TMP/recv.out" ] || fail "the webhook receiver did not start: $(cat "$TMP/recv.err")"
dw webhook add --url "http://127.0.0.1:$(cat "$TMP/recv.out")/hook?key=s3cr3tq" \
    --events "lead.received,deal.stage_changed" >/dev/null

# two leads: one plain, one carrying its caller's traceparent; both full of personal data
cat >"$TMP/lead_a.json" <<'JSON'
{"source": "web_form", "external_id": "tr-1", "contact": {"name": "Wilhelmina Quastenberg",
 "email": "w.quastenberg@quastenberg-fracht.example", "phone": "+49 30 5550 1977",
 "company": "Quastenberg Fracht GmbH", "country": "DE"},
 "subject": "Firewall for our depots",
 "message": "We run 6 depots near Bielefeld and need SD-WAN with a firewall at every site, cloud managed, for about 80 users. Zebrafinkenweg is our head office."}
JSON
cat >"$TMP/lead_b.json" <<'JSON'
{"source": "web_form", "external_id": "tr-2", "contact": {"name": "Ottokar Brennwiesel",
 "email": "ottokar@brennwiesel.example", "company": "Brennwiesel Bau AG", "country": "AT"},
 "subject": "Network for 4 offices", "message": "Hello, 4 offices in Graz need SD-WAN and 120 users on the portal. Regards, Ottokar"}
JSON
IN_TRACE=4bf92f3577b34da6a3ce929d0e0e4736
IN_SPAN=00f067aa0ba902b7
sink_start "$TMP/srv.log"
start_server --otlp "$OTLP"
post() { # post FILE [traceparent]: prints the deal id
    curl -sS -o "$TMP/post.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' ${2:+-H "traceparent: $2"} \
        --data-binary @"$1" "$U/v1/leads" >"$TMP/code"
    [ "$(cat "$TMP/code")" = 202 ] || fail "POST /v1/leads: $(cat "$TMP/code") $(cat "$TMP/post.out")"
    json_get 'd["deal"]' <"$TMP/post.out"
}
DA=$(post "$TMP/lead_a.json")
DB=$(post "$TMP/lead_b.json" "00-$IN_TRACE-$IN_SPAN-01")
# wait for the worker to step both deals and the sender to deliver their events
for _ in $(seq 100); do
    SA=$(dw deal show "$DA" --json | json_get 'd["stage"]')
    SB=$(dw deal show "$DB" --json | json_get 'd["stage"]')
    H=$(grep -c . "$TMP/hooks" 2>/dev/null || true)
    [ "$SA" != new ] && [ "$SB" != new ] && [ "${H:-0}" -ge 4 ] && break
    sleep 0.1
done
[ "$SA" != new ] && [ "$SB" != new ] || fail "the worker did not step the deals ($SA, $SB)"
sleep 1 # the sender's pass after the last step
curl -sS "$U/metrics" >"$TMP/metrics"
grep -q '^dealwright_trace_spans_total{result="exported"} [1-9]' "$TMP/metrics" ||
    fail "/metrics lacks the exported spans: $(grep trace "$TMP/metrics")"
promtool check metrics <"$TMP/metrics" || fail "promtool check metrics failed"
grep -q '^dealwright_trace_spans_total{result="dropped"} 0$' "$TMP/metrics" ||
    fail "/metrics: spans dropped: $(grep trace "$TMP/metrics")"
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""
sink_stop
[ ! -e "$TMP/srv.log.bad" ] || fail "the collector refused an export: $(cat "$TMP/srv.log.bad")"
[ -s "$TMP/srv.log" ] || fail "no spans from the server: $(cat "$TMP/serve.err")"

# tree DEAL: the deal's trace as one tree rooted at the request that posted it; prints
# "TRACE ROOT-NAME ROOT-PARENT N-SPANS AGENTS" or fails
tree() {
    spans "$TMP/srv.log" "(lambda mine: (lambda T: (lambda ids, byid: (lambda roots: (
    'several traces: %s' % sorted(T) if len(T) != 1 else
    'roots: %s' % [r['name'] for r in roots] if len(roots) != 1 else
    ' '.join([list(T)[0], roots[0]['name'].replace(' ', '_'), roots[0].get('parentSpanId', '-'),
              str(len([s for s in S if s['traceId'] in T])),
              ','.join(sorted({A(s, 'dealwright.agent') for s in S if s['traceId'] in T and s['name'].startswith('step ')}))])
    ))([s for s in S if s['traceId'] in T and s.get('parentSpanId') not in ids]))(
        {s['spanId'] for s in S if s['traceId'] in T}, None))(
    {s['traceId'] for s in mine}))([s for s in S if A(s, 'dealwright.deal.id') == '$1'])"
}
TA=$(tree "$DA")
TB=$(tree "$DB")
echo "$TA" | grep -q '^[0-9a-f]\{32\} POST_/v1/leads - ' || fail "deal $DA: $TA"
echo "$TB" | grep -q "^$IN_TRACE POST_/v1/leads $IN_SPAN " ||
    fail "deal $DB did not continue the caller's traceparent: $TB"
for t in "$TA" "$TB"; do
    echo "$t" | grep -q 'intake' && echo "$t" | grep -q 'qualification' ||
        fail "the trace lacks the agents' steps: $t"
done
pass "traces: each lead posted is one trace rooted at its request (or the caller's traceparent), steps of the worker in it: $TA"

# the step spans: deal id, agent, stages, outcome; a parent in the trace
BAD=$(spans "$TMP/srv.log" "[s['name'] for s in S if s['name'].startswith('step ') and not (
    A(s, 'dealwright.deal.id') in ('$DA', '$DB') and A(s, 'dealwright.agent') == s['name'][5:]
    and A(s, 'dealwright.stage.before') and A(s, 'dealwright.stage.after')
    and A(s, 'dealwright.step.outcome') == 'done' and s['kind'] == 1)][:3]")
[ "$BAD" = "[]" ] || fail "step spans without their attributes: $BAD"
# the request span: SERVER kind, route, status
R=$(spans "$TMP/srv.log" "sorted({(s['kind'], A(s, 'http.route'), A(s, 'http.response.status_code')) for s in S if s['name'] == 'POST /v1/leads'})")
[ "$R" = "[(2, '/v1/leads', '202')]" ] || fail "request spans: $R"
pass "traces: step spans carry deal id, agent, stage before and after and outcome; request spans route and status"

# the events and the webhook: traceparent in the event's data, and in the request the
# receiver got, within the lead's trace; delivery spans are children in the same trace
TRA=$(echo "$TA" | cut -d' ' -f1)
dw events list --json >"$TMP/ev.json"
N=$(json_get "sum(1 for e in d if e['deal_id'] == int('$DA'[2:]) and (e.get('data') or {}).get('traceparent', '').split('-')[1:2] == ['$TRA'])" <"$TMP/ev.json")
[ "$N" -ge 2 ] || fail "events of $DA with its trace's traceparent: $N"
N=$(python3 -c "
import json
H = [json.loads(l) for l in open('$TMP/hooks')]
print(sum(1 for h in H if h['traceparent'] and h['traceparent'].split('-')[1] in ('$TRA', '$IN_TRACE')))")
[ "$N" -ge 4 ] || fail "webhook requests carrying the lead's traceparent: $N of $(cat "$TMP/hooks")"
D=$(spans "$TMP/srv.log" "sum(1 for s in S if s['name'] == 'webhook delivery' and s['kind'] == 3 and s['traceId'] in ('$TRA', '$IN_TRACE') and s.get('parentSpanId') in {p['spanId'] for p in S if p['traceId'] == s['traceId']} and A(s, 'server.address') == '127.0.0.1' and A(s, 'http.response.status_code') == '200')")
[ "$D" -ge 4 ] || fail "webhook delivery spans in the leads' traces: $D"
pass "traces: traceparent in the events' data and the webhooks' requests; $D delivery spans in the leads' traces"

# no personal data anywhere in the export (nor the webhook URL's query)
for s in Wilhelmina Quastenberg quastenberg-fracht "5550 1977" Bielefeld Zebrafinkenweg \
    Ottokar Brennwiesel brennwiesel.example Graz "Firewall for our depots" s3cr3tq "$TOKEN"; do
    grep -qF "$s" "$TMP/srv.log" && fail "the export holds '$s'"
done
grep -qF "Hartmann" "$TMP/cli.log" && fail "the CLI's export holds a contact's name"
grep -qF "rheinwerk-logistik" "$TMP/cli.log" && fail "the CLI's export holds an e-mail domain"
pass "traces: no name, e-mail, phone, message text, webhook query or token in the export"

# ---- mail: the SMTP message is a span in its deal's trace -------------------------------
state_reset # the store too (on PostgreSQL a database outlives its folder)
rm -rf "$WS"
new_ws
rm -f "$TMP/smtp.port"
python3 "$DW_SOURCE_ROOT/tests/e2e/smtp_sink.py" "$TMP/smtp.port" "$TMP/smtp.log" &
RPID=$!
for _ in $(seq 100); do [ -s "$TMP/smtp.port" ] && break; sleep 0.1; done
printf '  smtp:\n    url: smtp://127.0.0.1:%s\n' "$(cat "$TMP/smtp.port")" >>"$WS/dealwright.yaml"
sink_start "$TMP/mail.log"
head -n 1 "$WS/samples/leads.jsonl" | dw lead add - --otlp "$OTLP" >/dev/null
dw run --otlp "$OTLP" >/dev/null
dw deal mail D-000001 --queue >/dev/null
dw mail send --otlp "$OTLP" >/dev/null
sink_stop
kill "$RPID"
RPID=""
[ "$(grep -c . "$TMP/smtp.log")" = 1 ] || fail "the relay did not get the letter"
R=$(spans "$TMP/mail.log" "[(s['kind'], A(s, 'dealwright.deal.id'), A(s, 'dealwright.mail.status'), s['status']['code'],
    s['parentSpanId'] == next(p['spanId'] for p in S if p['name'] == 'lead.submit'), len({x['traceId'] for x in S}))
    for s in S if s['name'] == 'smtp send']")
[ "$R" = "[(3, 'D-000001', 'sent', 0, True, 1)]" ] || fail "the SMTP span: $R"
for s in Hartmann jana.hartmann rheinwerk-logistik; do
    grep -qF "$s" "$TMP/mail.log" && fail "the export holds '$s'"
done
pass "traces: mail send's SMTP message is a client span in its deal's trace, no address in it"

# ---- a model call: a client span under its step, its traceparent sent -------------------
state_reset # the store too (on PostgreSQL a database outlives its folder)
rm -rf "$WS"
new_ws
rm -f "$TMP/fake.port"
python3 "$DW_SOURCE_ROOT/tests/models/fake_provider.py" --port-file "$TMP/fake.port" \
    --log "$TMP/fake.log" 2>"$TMP/fake.err" &
RPID=$!
for _ in $(seq 100); do [ -s "$TMP/fake.port" ] && break; sleep 0.1; done
[ -s "$TMP/fake.port" ] || fail "the fake provider did not start: $(cat "$TMP/fake.err")"
printf 'providers:\n  - {id: local, api: openai, base_url: "http://127.0.0.1:%s/v1", model: qwen2.5-7b-instruct}\ntasks: {extraction: local, drafting: local, answers: local}\n' \
    "$(cat "$TMP/fake.port")" >"$WS/models.yaml"
sink_start "$TMP/model.log"
head -n 1 "$WS/samples/leads.jsonl" | dw lead add - --otlp "$OTLP" >/dev/null
dw run --otlp "$OTLP" >/dev/null
sink_stop
kill "$RPID"
RPID=""
[ -s "$TMP/fake.log" ] || fail "no model was asked"
R=$(spans "$TMP/model.log" "sorted({(s['kind'], A(s, 'dealwright.model.provider'), A(s, 'gen_ai.request.model'),
    next(p['name'][:5] for p in S if p['spanId'] == s['parentSpanId'] and p['traceId'] == s['traceId']))
    for s in S if s['name'] == 'model call'})")
[ "$R" = "[(3, 'local', 'qwen2.5-7b-instruct', 'step ')]" ] || fail "model call spans: $R"
BAD=$(python3 -c "
import json
S = [json.loads(l) for l in open('$TMP/model.log')]
ids = {(s['traceId'], s['spanId']) for s in S if s['name'] == 'model call'}
H = [json.loads(l) for l in open('$TMP/fake.log')]
print([h['traceparent'] for h in H if not h['traceparent'] or tuple(h['traceparent'].split('-')[1:3]) not in ids])")
[ "$BAD" = "[]" ] || fail "the provider's requests without their span's traceparent: $BAD"
grep -qF "Hartmann" "$TMP/model.log" && fail "the export holds a contact's name"
pass "traces: a model call is a client span under its step; the provider gets its traceparent"

# ---- a failed attempt is a span too: ERROR, its outcome and error name ------------------
state_reset # the store too (on PostgreSQL a database outlives its folder)
rm -rf "$WS"
new_ws
sink_start "$TMP/fail.log"
head -n 1 "$WS/samples/leads.jsonl" | dw lead add - --otlp "$OTLP" >/dev/null
DW_NOW= DW_FAILPOINTS=pricing=1 dw run --otlp "$OTLP" >/dev/null # backoff waits on the real clock
sink_stop
R=$(spans "$TMP/fail.log" "[(A(s, 'dealwright.step.outcome'), A(s, 'error.type'), s['status']['code'], A(s, 'dealwright.stage.after')) for s in S if s['name'] == 'step pricing']")
[ "$R" = "[('retry', 'EAGAIN', 2, None), ('done', None, 0, 'pricing')]" ] || fail "pricing's spans: $R"
N=$(spans "$TMP/fail.log" "len({s['traceId'] for s in S})")
[ "$N" = 1 ] || fail "the retried deal's spans are in $N traces"
pass "traces: a failed attempt is an ERROR span (outcome retry, EAGAIN) in the lead's trace, its retry a span beside it"

# ---- a collector that answers 503 once: the batch is posted again ---------------------
state_reset # the store too (on PostgreSQL a database outlives its folder)
rm -rf "$WS"
new_ws
sink_start "$TMP/retry.log" --status 503:1
head -n 2 "$WS/samples/leads.jsonl" | dw lead add - --otlp "$OTLP" >/dev/null
sink_stop
[ "$(cat "$TMP/retry.log.forced")" = 503 ] || fail "the collector's 503 was not met"
N=$(spans "$TMP/retry.log" "sum(1 for s in S if s['name'] == 'lead.submit')")
[ "$N" = 2 ] || fail "after a 503 the batch was not posted again: $N spans"
pass "traces: a retryable 503 from the collector is retried once and the spans arrive"

#!/bin/sh
# Mail out: `deal mail` writes the proposal letter and the clarifying reply as MIME that
# Python's email package reads without a defect, threaded to the customer's mail, the same
# bytes each time; the customer's answer to it continues the deal; a copy of it is not a
# lead. Sending through a loopback SMTP server (tests/e2e/smtp_sink.py): kill -9 while the
# relay holds a message, and every message is still delivered exactly once; a 4xx is retried,
# a 5xx is dead; the relay's password stays in its environment variable.
. "$(dirname "$0")/lib.sh"
M="$DW_SOURCE_ROOT/tests/data/mail"
PY=/usr/bin/python3
new_ws
SINK=""
SENDER=""
PID=""
trap '[ -z "$SINK" ] || kill "$SINK" 2>/dev/null || true; [ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

# a deal from the mail thread, and one that must ask before it can quote
dw lead add "$M/alternative-qp-euro.eml" >/dev/null
cat >"$TMP/rossi.eml" <<'EOF'
From: Giulia Rossi <giulia@officina-rossi.example>
To: sales@northwind-edge.example
Subject: VPN between our 2 workshops
Date: Wed, 18 Nov 2026 08:55:00 +0100
Message-ID: <rossi.1@officina-rossi.example>
Content-Type: text/plain; charset=utf-8

Buongiorno, we are a small machine shop with 2 sites near Brescia and want SD-WAN with
firewall between them. Our budget is €5,000 at most. We would like to install it next month.

Giulia Rossi
Owner, Officina Meccanica Rossi Srl
EOF
dw lead add "$TMP/rossi.eml" >/dev/null
dw run >/dev/null
[ "$(dw deal show D-000001 --json | json_get 'd["stage"]')" = proposal_ready ] || fail "D-000001 stage"
[ "$(dw deal show D-000002 --json | json_get 'd["stage"]')" = needs_info ] || fail "D-000002 stage"

# ---- the proposal letter ------------------------------------------------------------
expect_exit 0 dw deal mail D-000001 -o "$TMP/p.eml"
TOTAL=$(dw deal show D-000001 --json | json_get 'd["quote"]["total"]')
$PY - "$TMP/p.eml" "$TOTAL" <<'EOF' || fail "the proposal mail, read by Python's email package"
import email, email.policy, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
assert all(not p.defects for p in m.walk()), [p.defects for p in m.walk()]
assert b'\r\n' in raw and b'\n' not in raw.replace(b'\r\n', b''), 'lines are CRLF'
assert m['From'] == 'Northwind Edge Systems Sales <sales@northwind-edge.example>', m['From']
assert m['To'] == 'Olivia Grant <olivia.grant@harbourview-hotels.example>', m['To']
assert 'D-000001' in m['Subject'] and 'Northwind Edge Systems GmbH' in m['Subject'], m['Subject']
assert m['Message-ID'] == '<dealwright.D-000001.proposal.1@northwind-edge.example>', m['Message-ID']
cust = '<CAF7b2Qx9m3-hv.20261117.0941@mail.harbourview-hotels.example>'
assert m['In-Reply-To'] == cust, m['In-Reply-To']
assert cust in m['References'], m['References']
assert m.get_content_type() == 'multipart/mixed', m.get_content_type()
text = m.get_body(('plain',)).get_content()
html = m.get_body(('html',)).get_content()
assert 'Proposal' in text and 'D-000001' in text, text[:300]
total = sys.argv[2]
euros = '{:,.2f}'.format(float(total))
assert total in text or euros in text, (total, euros)
assert '**' not in text, 'Markdown emphasis left in the plain text'
assert '<table' in html and '<h1' in html, html[:300]
atts = [p for p in m.iter_attachments()]
assert [(a.get_content_type(), a.get_filename()) for a in atts] == \
    [('application/pdf', 'Proposal D-000001.pdf')], [(a.get_content_type(), a.get_filename()) for a in atts]
pdf = atts[0].get_payload(decode=True)
assert pdf.startswith(b'%PDF-'), pdf[:10]
open(sys.argv[1] + '.pdf', 'wb').write(pdf)
EOF
pdftotext "$TMP/p.eml.pdf" - | grep -q "D-000001" || fail "the attached PDF does not read as the proposal"
expect_exit 0 dw deal mail D-000001 -o "$TMP/p2.eml"
cmp -s "$TMP/p.eml" "$TMP/p2.eml" || fail "writing the proposal mail twice gave two messages"
pass "deal mail --kind proposal: MIME Python reads cleanly, threaded, the total in it, stable"

# a booked demo: the invitation attached (python3-icalendar reads it), and the letter that
# carries it is a message of its own
dw deal book D-000001 1 --as sven >/dev/null
expect_exit 0 dw deal mail D-000001 -o "$TMP/pi.eml"
$PY - "$TMP/pi.eml" <<'EOF' || fail "the proposal mail with the invitation"
import email, email.policy, icalendar, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
assert all(not p.defects for p in m.walk())
assert m['Message-ID'] == '<dealwright.D-000001.proposal.1.demo1-0@northwind-edge.example>', m['Message-ID']
atts = {a.get_content_type(): a for a in m.iter_attachments()}
assert set(atts) == {'application/pdf', 'text/calendar'}, set(atts)
ics = atts['text/calendar']
assert ics.get_filename() == 'invitation.ics' and ics.get_param('method') == 'REQUEST'
cal = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
assert str(cal['method']) == 'REQUEST'
ev = next(iter(cal.walk('VEVENT')))
att = ev.get('attendee')
att = [str(a) for a in (att if isinstance(att, list) else [att])]
assert any('olivia.grant@harbourview-hotels.example' in a for a in att), att
EOF
pass "a booked demo's invitation (.ics, METHOD=REQUEST) attached beside the PDF"

# ---- the clarifying reply ------------------------------------------------------------
expect_exit 0 dw deal mail D-000002 -o "$TMP/r.eml"
$PY - "$TMP/r.eml" <<'EOF' || fail "the reply mail"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
assert all(not p.defects for p in m.walk())
assert m['Subject'] == 'Re: VPN between our 2 workshops [D-000002]', m['Subject']
assert m['To'] == 'Giulia Rossi <giulia@officina-rossi.example>', m['To']
assert m['In-Reply-To'] == '<rossi.1@officina-rossi.example>', m['In-Reply-To']
assert m['Message-ID'] == '<dealwright.D-000002.reply.1@northwind-edge.example>', m['Message-ID']
text = m.get_body(('plain',)).get_content()
assert 'Dear Giulia Rossi' in text and '?' in text and 'D-000002' in text, text
EOF
expect_exit 2 dw deal mail D-000002 --kind proposal
echo "$ERR" | grep -q "D-000002 has no proposal yet (stage needs_info)" || fail "no proposal: $ERR"
expect_exit 2 dw deal mail D-000001 --kind reply
echo "$ERR" | grep -q "no clarifying reply" || fail "no reply: $ERR"
expect_exit 2 dw deal mail D-000009
pass "deal mail --kind reply: the questions, Re: with the reference, In-Reply-To; refusals"

# ---- round trip: the customer answers our mail; a copy of ours is not a lead ------------
expect_exit 0 dw lead add "$TMP/p.eml"
echo "$OUT" | grep -q "(outbound: " || fail "a copy of our own mail: $OUT"
cat >"$TMP/answer.eml" <<'EOF'
From: Olivia Grant <olivia.grant@harbourview-hotels.example>
To: Northwind Edge Systems Sales <sales@northwind-edge.example>
Subject: Re: your offer
Date: Thu, 26 Nov 2026 09:00:00 +0000
Message-ID: <answer.1@mail.harbourview-hotels.example>
In-Reply-To: <dealwright.D-000001.proposal.1@northwind-edge.example>
Content-Type: text/plain; charset=utf-8

Thank you. Could you add 2 more access points for the Galway conference room?
EOF
expect_exit 0 dw lead add "$TMP/answer.eml"
[ "$OUT" = "D-000001	(follow_up)" ] || fail "the answer to our mail: $OUT"
pass "an answer to our mail (In-Reply-To our Message-ID) continues the deal; our copy is not a lead"

# ---- the workspace's mail settings ---------------------------------------------------
cp -r "$WS" "$TMP/ws2"
sed -i '/^mail:/,$d' "$TMP/ws2/dealwright.yaml"
expect_exit 2 "$DW" -w "$TMP/ws2" deal mail D-000001
echo "$ERR" | grep -q "set mail.from in dealwright.yaml" || fail "no mail.from: $ERR"
cat >>"$TMP/ws2/dealwright.yaml" <<'EOF'
mail:
  from: sales@northwind-edge.example
  smtp:
    url: smtp://relayuser:hunter2@relay.example:587
    user_env: DW_SMTP_USER
EOF
expect_exit 1 "$DW" -w "$TMP/ws2" validate
L=$(grep -n "url: smtp://relayuser" "$TMP/ws2/dealwright.yaml" | cut -d: -f1)
echo "$ERR$OUT" | grep -q "dealwright.yaml:$L:10: url: credentials do not belong in the workspace" ||
    fail "credentials in the URL: $ERR$OUT"
echo "$ERR$OUT" | grep -q "user_env and password_env go together" || fail "env pair: $ERR$OUT"
pass "mail settings validated at FILE:LINE:COL; no credentials in the workspace"

# ---- sending through a relay ---------------------------------------------------------
start_sink() { # start_sink ARGS...: the loopback SMTP server; sets SINK and SPORT
    rm -f "$TMP/sink.port" "$TMP/sink.log" "$TMP/sink.log.stalled"
    $PY "$DW_SOURCE_ROOT/tests/e2e/smtp_sink.py" "$TMP/sink.port" "$TMP/sink.log" "$@" &
    SINK=$!
    for _ in $(seq 100); do [ -f "$TMP/sink.port" ] && break; sleep 0.1; done
    SPORT=$(cat "$TMP/sink.port")
}
stop_sink() { kill "$SINK"; wait "$SINK" 2>/dev/null || true; SINK=""; }
# delivered [MESSAGE-ID]: messages the relay accepted (with that Message-ID)
delivered() {
    [ -f "$TMP/sink.log" ] || { echo 0; return; }
    $PY -c "import json,sys; print(sum(1 for l in open('$TMP/sink.log') if '${1:-}' in json.loads(l)['message_id']))"
}
expect_exit 2 dw mail send
echo "$ERR" | grep -q "set mail.smtp.url" || fail "send without a relay: $ERR"

start_sink --stall 1
printf '  smtp:\n    url: smtp://127.0.0.1:%s\n    attempts: 3\n' "$SPORT" >>"$WS/dealwright.yaml"
# three proposal letters from three more deals of the sample leads
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
for d in D-000001 D-000003 D-000004; do dw deal mail "$d" --queue >/dev/null; done
expect_exit 0 dw deal mail D-000001 --queue
echo "$OUT" | grep -q "already queued" || fail "queueing twice: $OUT"
[ "$(dw mail outbox --json | json_get 'len(d)')" = 3 ] || fail "outbox: $(dw mail outbox)"

# kill -9 while the relay holds the first message (before its 250)
"$DW" -w "$WS" mail send >"$TMP/send1.out" 2>&1 &
SENDER=$!
for _ in $(seq 100); do [ -f "$TMP/sink.log.stalled" ] && break; sleep 0.1; done
[ -f "$TMP/sink.log.stalled" ] || fail "the relay never got a message"
kill -9 "$SENDER"
wait "$SENDER" 2>/dev/null || true
sleep 0.3
[ "$(dw mail outbox --status sending --json | json_get 'len(d)')" = 1 ] ||
    fail "the message being sent is not marked sending: $(dw mail outbox)"
expect_exit 0 dw mail send
[ "$(delivered)" = 2 ] || fail "after the crash: $(delivered) delivered"
# the interrupted one is due again after its backoff, with the same Message-ID
DW_NOW=2026-11-24T12:05:00Z expect_exit 0 dw mail send
echo "$OUT" | grep -q "1 sent" || fail "the interrupted message was not sent again: $OUT"
DW_NOW=2026-11-24T13:00:00Z expect_exit 0 dw mail send
echo "$OUT" | grep -q "0 sent" || fail "a sent message was sent again: $OUT"
for d in D-000001 D-000003 D-000004; do
    [ "$(delivered "dealwright.$d.proposal.1")" = 1 ] || fail "$d delivered $(delivered "dealwright.$d.proposal.1") times"
done
[ "$(dw mail outbox --status sent --json | json_get 'len(d)')" = 3 ] || fail "outbox after: $(dw mail outbox)"
$PY - "$TMP/sink.log" <<'EOF' || fail "what the relay received"
import email, email.policy, json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    m = email.message_from_string(r['data'], policy=email.policy.default)
    assert r['mail_from'] == 'sales@northwind-edge.example', r['mail_from']
    assert r['rcpt'] == [m['To'].addresses[0].addr_spec], (r['rcpt'], m['To'])
    assert all(not p.defects for p in m.walk())
EOF
pass "kill -9 while sending: every message delivered exactly once, same Message-ID, none twice"
stop_sink

# a 4xx is retried later; a 5xx is dead at once
# two more proposal letters: X's recipient is refused (550), Y's message is deferred (451)
set -- $(dw deal show --all --json | json_get '" ".join(x["id"] + "=" + x["contact"]["email"] for x in d if x["stage"] == "proposal_ready" and x["id"] not in ("D-000001", "D-000003", "D-000004"))')
X=${1%%=*} XTO=${1#*=} Y=${2%%=*}
start_sink --tempfail 1 --permfail-rcpt "$XTO"
sed -i "s|url: smtp://127.0.0.1:[0-9]*|url: smtp://127.0.0.1:$SPORT|" "$WS/dealwright.yaml"
dw deal mail "$X" --queue >/dev/null
dw deal mail "$Y" --queue >/dev/null
DW_NOW=2026-11-24T14:00:00Z expect_exit 0 dw mail send
echo "$OUT" | grep -q "0 sent, 1 to retry, 1 dead" || fail "550 dead, 451 retried: $OUT $(dw mail outbox) X=$X Y=$Y"
DW_NOW=2026-11-24T14:00:30Z expect_exit 0 dw mail send
echo "$OUT" | grep -q "0 sent" || fail "retried before its backoff: $OUT"
DW_NOW=2026-11-24T15:00:00Z expect_exit 0 dw mail send
echo "$OUT" | grep -q "1 sent, 0 to retry, 0 dead" || fail "the retried message: $OUT"
[ "$(delivered "dealwright.$Y.")" = 1 ] && [ "$(delivered "dealwright.$X.")" = 0 ] ||
    fail "X and Y delivered $(delivered "dealwright.$X.") and $(delivered "dealwright.$Y.")"
dw mail outbox --status dead --json | json_get 'd[0]["last_error"]' | grep -q "550" ||
    fail "the dead message's error: $(dw mail outbox --status dead)"
pass "a 451 is retried after its backoff, a 550 is dead with the relay's answer"
stop_sink

# a sender that outlived its claim (stalled past its backoff while another sent the message)
# cannot overwrite the other's result when it finally fails
start_sink --stall 1
sed -i "s|url: smtp://127.0.0.1:[0-9]*|url: smtp://127.0.0.1:$SPORT|" "$WS/dealwright.yaml"
Z=$(dw deals --stage proposal_ready --json | json_get 'd[-2]["id"]')
dw deal mail "$Z" --queue >/dev/null
DW_NOW=2026-11-24T16:00:00Z "$DW" -w "$WS" mail send >"$TMP/slow.out" 2>&1 &
SLOW=$!
for _ in $(seq 100); do [ -f "$TMP/sink.log.stalled" ] && break; sleep 0.1; done
DW_NOW=2026-11-24T16:30:00Z expect_exit 0 dw mail send
echo "$OUT" | grep -q "1 sent" || fail "the second sender: $OUT"
stop_sink
wait "$SLOW" || true
[ "$(dw mail outbox --json | json_get "[m['status'] for m in d if m['deal'] == '$Z'][0]")" = sent ] ||
    fail "a stale sender overwrote the result: $(dw mail outbox)"
pass "a sender whose claim lapsed cannot overwrite the result of the one that sent"

# serve sends the outbox in the background, as it sends webhooks
start_sink
sed -i "s|url: smtp://127.0.0.1:[0-9]*|url: smtp://127.0.0.1:$SPORT|" "$WS/dealwright.yaml"
W=$(dw deals --stage proposal_ready --json | json_get 'd[-3]["id"]')
dw deal mail "$W" --queue >/dev/null
PID=""
start_server --rate 0
for _ in $(seq 100); do [ "$(delivered "dealwright.$W.")" = 1 ] && break; sleep 0.1; done
kill -TERM "$PID"
wait "$PID" || fail "serve exited $? on SIGTERM"
PID=""
[ "$(delivered "dealwright.$W.")" = 1 ] || fail "serve did not send the outbox: $(dw mail outbox)"
pass "serve sends the outbox through the relay in the background"
stop_sink

# the relay's credentials come from the environment, are never stored or shown, and never
# cross in clear: this relay has no STARTTLS, so nothing is sent
start_sink
sed -i "s|url: smtp://127.0.0.1:[0-9]*|url: smtp://127.0.0.1:$SPORT\n    user_env: DW_TEST_SMTP_USER\n    password_env: DW_TEST_SMTP_PASSWORD|" "$WS/dealwright.yaml"
dw validate >/dev/null || fail "credentials by env: $(dw validate 2>&1)"
expect_exit 2 dw mail send
echo "$ERR" | grep -q "DW_TEST_SMTP_USER (mail.smtp.user_env) is not set" || fail "unset env: $ERR"
D6=$(dw deals --stage proposal_ready --json | json_get 'd[-1]["id"]')
dw deal mail "$D6" --queue >/dev/null
DW_TEST_SMTP_USER=relay DW_TEST_SMTP_PASSWORD=s3cret-Pa55 DW_NOW=2026-11-24T16:00:00Z \
    expect_exit 0 dw mail send
echo "$OUT" | grep -q "0 sent" || fail "a password was offered without TLS: $OUT"
[ "$(delivered "dealwright.$D6.")" = 0 ] || fail "sent in clear"
grep -rq "s3cret-Pa55" "$WS" "$TMP/sink.log" 2>/dev/null && fail "the password was stored"
echo "$OUT$ERR" | grep -q "s3cret-Pa55" && fail "the password was shown"
pass "relay credentials only from the environment, never stored, never sent without TLS"
stop_sink

# the privacy purge takes the deal's mail with its other personal data
WTO=$(dw mail outbox --json | json_get "[m['to'] for m in d if m['deal'] == '$W'][0]")
expect_exit 0 dw accept "$W"
DW_NOW=2031-01-01T00:00:00Z expect_exit 0 dw privacy purge
[ "$(dw mail outbox --json | json_get "[m['to'] for m in d if m['deal'] == '$W'][0]")" = "[redacted]" ] ||
    fail "the purge left the recipient: $(dw mail outbox)"
[ "$(db "SELECT COUNT(*) FROM mail_outbox WHERE message LIKE '%$WTO%' OR recipient = '$WTO'")" = 0 ] ||
    fail "the purge left $WTO in the outbox"
pass "the privacy purge redacts the deal's mail in the outbox"

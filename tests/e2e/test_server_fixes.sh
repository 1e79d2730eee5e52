#!/bin/sh
# The server's contract at its edges: a port already in use is an error (the first server
# keeps answering), a 405 names the allowed methods, an event stream's headers arrive at
# once, GET /v1/approvals?status= filters, and a webhook for an event type the engine never
# sends is refused from the API and the CLI with nothing stored; the server listens on IPv6
# and applies its per-address cap to IPv6 peers; a kept-alive connection's later request heads
# are refused as JSON, like its first.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

token() { dw token create --user "$1" --role "$2" --json | json_get 'd["secret"]'; }
ADMIN=$(token nils admin)
REP=$(token lukas rep)

# the example's sample leads, run to their approvals before the server starts
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
dw approvals --json >"$TMP/pending.json"
NPENDING=$(json_get 'len(d)' <"$TMP/pending.json")
[ "$NPENDING" -ge 3 ] || fail "the samples should leave at least 3 approvals pending, got $NPENDING"
A1=$(json_get 'd[0]["id"]' <"$TMP/pending.json")
R1=$(json_get 'd[0]["required_role"]' <"$TMP/pending.json")
A2=$(json_get 'd[1]["id"]' <"$TMP/pending.json")
R2=$(json_get 'd[1]["required_role"]' <"$TMP/pending.json")
# a user of the team holding each required role (team.yaml)
holder() { python3 - "$WS/team.yaml" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for user, roles in re.findall(r"\{id:\s*(\w+),.*?roles:\s*\[([^\]]*)\]", text, re.S):
    if sys.argv[2] in [r.strip() for r in roles.split(",")]:
        print(user)
        break
PY
}
U1=$(holder "$R1")
U2=$(holder "$R2")
[ -n "$U1" ] && [ -n "$U2" ] || fail "no holder of $R1 or $R2 in team.yaml"
dw approve "$A1" --as "$U1" >/dev/null
dw reject "$A2" --as "$U2" --reason "margin too thin" >/dev/null

start_server --rate 0
U1URL=$U

# 1. a second server on the same port: an error naming the address, the first still answers
set +e
timeout 10 "$DW" -w "$WS" serve --listen "127.0.0.1:$PORT" >"$TMP/second.out" 2>"$TMP/second.err"
rc=$?
set -e
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "a second server on port $PORT started (exit $rc)"
grep -q "cannot listen on 127.0.0.1:$PORT: Address already in use" "$TMP/second.err" ||
    fail "the busy port's message: $(cat "$TMP/second.err")"
for _ in 1 2 3 4 5 6; do
    CODE=$(curl -s -o /dev/null -w '%{http_code}' "$U1URL/readyz")
    [ "$CODE" = 200 ] || fail "the first server stopped answering ($CODE)"
done
kill -0 "$PID" || fail "the first server died"
pass "a busy port: the second server exits $rc naming the address; the first answers"

# 2. 405 with Allow from the route table
allow() { # allow METHOD PATH -> the Allow header of a 405
    curl -s -o "$TMP/body" -D "$TMP/head" -X "$1" -H "Authorization: Bearer $ADMIN" "$U$2" >/dev/null
    head -1 "$TMP/head" | grep -q ' 405' || fail "$1 $2: $(head -1 "$TMP/head")"
    sed -n 's/^Allow: \(.*\)\r$/\1/p' "$TMP/head"
}
[ "$(allow POST /v1/deals)" = "GET, HEAD" ] || fail "POST /v1/deals Allow: $(allow POST /v1/deals)"
[ "$(allow GET /v1/leads)" = "POST" ] || fail "GET /v1/leads Allow: $(allow GET /v1/leads)"
[ "$(allow DELETE /v1/webhooks)" = "GET, HEAD, POST" ] ||
    fail "DELETE /v1/webhooks Allow: $(allow DELETE /v1/webhooks)"
[ "$(allow DELETE /v1/webhooks/deliveries)" = "GET, HEAD" ] || fail "deliveries Allow"
[ "$(allow GET /v1/webhooks/3)" = "DELETE" ] || fail "one webhook's Allow"
[ "$(allow PUT "/v1/deals/D-000001/accept")" = "POST" ] || fail "accept's Allow"
json_get 'd["error"]["code"]' <"$TMP/body" | grep -qx method_not_allowed || fail "405 body"
pass "405 answers carry Allow with the route's methods"

# 3. an event stream with after=latest: the headers at once, not with the first keep-alive
start_s=$(date +%s%N)
set +e
curl -s -N -D "$TMP/sse.head" -o "$TMP/sse.body" --max-time 3 \
    -H "Authorization: Bearer $REP" "$U/v1/events?after=latest"
set -e
head -1 "$TMP/sse.head" | grep -q ' 200' || fail "no event-stream headers within 3 s"
grep -qi '^Content-Type: text/event-stream' "$TMP/sse.head" || fail "event-stream type"
pass "an event stream's headers arrive at once ($(( ($(date +%s%N) - start_s) / 1000000 )) ms for the whole 3 s stream)"

# 4. approvals by status
req() { curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $REP" "$U$1"; }
ids() { json_get '",".join(a["id"] for a in d)' <"$TMP/body"; }
[ "$(req "/v1/approvals?status=approved")" = 200 ] || fail "status=approved"
[ "$(ids)" = "$A1" ] || fail "approved: $(ids), expected $A1"
json_get 'd[0]["status"]' <"$TMP/body" | grep -qx approved || fail "approved item's status"
[ "$(req "/v1/approvals?status=rejected")" = 200 ] || fail "status=rejected"
[ "$(ids)" = "$A2" ] || fail "rejected: $(ids), expected $A2"
[ "$(req "/v1/approvals?status=pending")" = 200 ] || fail "status=pending"
[ "$(json_get 'len(d)' <"$TMP/body")" = $((NPENDING - 2)) ] || fail "pending: $(ids)"
echo ",$(ids)," | grep -q ",$A1,\|,$A2," && fail "a decided approval is listed as pending"
PENDING=$(ids)
[ "$(req "/v1/approvals")" = 200 ] && [ "$(ids)" = "$PENDING" ] || fail "no status: not pending"
[ "$(req "/v1/approvals?status=all")" = 200 ] || fail "status=all"
echo ",$(ids)," | grep -q ",$A1," && echo ",$(ids)," | grep -q ",$A2," || fail "all: $(ids)"
[ "$(json_get 'len(d)' <"$TMP/body")" -ge "$NPENDING" ] || fail "all has fewer than were pending"
[ "$(req "/v1/approvals?status=all&limit=1")" = 200 ] || fail "status=all&limit=1"
curl -s -D - -o /dev/null -H "Authorization: Bearer $REP" "$U/v1/approvals?status=approved&limit=1" |
    grep -q '^Link' && fail "one approved approval has no next page"
curl -s -D - -o /dev/null -H "Authorization: Bearer $REP" "$U/v1/approvals?status=all&limit=1" |
    grep -q '^Link: </v1/approvals?limit=1&after=[^&>]*&status=all>; rel="next"' ||
    fail "the next page keeps the status filter"
[ "$(req "/v1/approvals?status=bogus")" = 400 ] || fail "status=bogus accepted"
[ "$(json_get 'd["error"]["field"]' <"$TMP/body")" = status ] || fail "400 names status"
pass "GET /v1/approvals?status=pending|approved|rejected|all; a bad status is 400 naming it"

# 5. a webhook for an event type the engine never sends
before=$(dw webhook list --json)
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' \
    --data '{"url":"http://127.0.0.1:9/h","events":"lead.received,bogus.event"}' "$U/v1/webhooks")
[ "$CODE" = 400 ] || fail "bogus.event via the API: $CODE $(cat "$TMP/body")"
[ "$(json_get 'd["error"]["field"]' <"$TMP/body")" = events ] || fail "the 400 names events"
json_get 'd["error"]["message"]' <"$TMP/body" | grep -q "bogus.event" || fail "message"
expect_exit 2 dw webhook add --url http://127.0.0.1:9/h --events bogus.event
echo "$ERR" | grep -q "bogus.event" || fail "the CLI's message: $ERR"
expect_exit 2 dw webhook add --url http://127.0.0.1:9/h --events 'nothing.*'
[ "$(dw webhook list --json)" = "$before" ] || fail "a refused webhook was stored"
dw webhook add --url http://127.0.0.1:9/h --events 'deal.*,approval.decided' >/dev/null ||
    fail "known types and families refused"
pass "webhooks for unknown event types refused (API 400, CLI exit 2), nothing stored"

kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""

# 6. IPv6: --listen [::1]:0 listens on ::1 only, prints its URL in brackets, answers, and
# caps the connections from one IPv6 address (a JSON 503 for the one past the cap)
for bad in '[::1]' '::1:8080' '[::1:8080' '[zz::1]:8080' '[127.0.0.1]:8080' '[::1]:65536'; do
    expect_exit 2 dw serve --listen "$bad"
    case $ERR in
    *"--listen: expected HOST:PORT or [IPv6]:PORT"*"'$bad'"*) ;;
    *) fail "--listen '$bad': $ERR" ;;
    esac
done
rm -f "$TMP/serve6.out"
"$DW" -w "$WS" serve --listen '[::1]:0' --rate 0 --per-address 3 >"$TMP/serve6.out" 2>"$TMP/serve6.err" &
PID=$!
PORT=""
for _ in $(seq 300); do
    # the shell creates the output file in the child, which may run after this first look
    PORT=$(sed -n 's/^dealwright serving on http:\/\/\[::1\]:\([0-9][0-9]*\) (.*)$/\1/p' "$TMP/serve6.out" 2>/dev/null || true)
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || fail "the IPv6 server exited: $(cat "$TMP/serve6.err")"
    sleep 0.1
done
[ -n "$PORT" ] || fail "no http://[::1]:PORT line: $(cat "$TMP/serve6.out" "$TMP/serve6.err")"
U6="http://[::1]:$PORT"
[ "$(curl -g -s -o /dev/null -w '%{http_code}' "$U6/readyz")" = 200 ] || fail "$U6/readyz"
[ "$(curl -g -s -H "Authorization: Bearer $REP" "$U6/v1/me" | json_get 'd["user"] + " " + d["role"]')" = "lukas rep" ] ||
    fail "an authenticated GET over IPv6"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 000 ] ||
    fail "the server on [::1] also answers on 127.0.0.1"
export PORT
timeout 60 python3 - <<'PY' || fail "the per-address cap over IPv6"
import json, os, socket, sys, time
port = int(os.environ["PORT"])
def conn():
    return socket.create_connection(("::1", port), timeout=5)
held = [conn() for _ in range(3)]  # silent: each waits at the gate for its first head
time.sleep(0.5)
s = conn()
out = b""
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        out += b
except socket.timeout:
    pass
head, _, body = out.partition(b"\r\n\r\n")
if not head.startswith(b"HTTP/1.1 503"):
    sys.exit(f"the 4th connection from ::1: {out[:200]!r}")
if json.loads(body)["error"]["code"] != "unavailable":
    sys.exit(f"the 503's body: {body!r}")
for h in held:
    h.close()
for _ in range(50):  # the slots come back once the gate sees the closes
    time.sleep(0.1)
    s = conn()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if s.recv(4096).startswith(b"HTTP/1.1 200"):
        break
else:
    sys.exit("::1 could not connect again after closing its connections")
PY
kill -TERM "$PID"
wait "$PID" || fail "the IPv6 server exited $? on SIGTERM"
PID=""
pass "--listen [::1]:0: $U6 answers /readyz and a token's GET; the 4th connection from ::1 is a JSON 503 with --per-address 3"

# [::] is IPv6 only: 127.0.0.1 on its port is not answered
rm -f "$TMP/serve6.out"
"$DW" -w "$WS" serve --listen '[::]:0' --rate 0 >"$TMP/serve6.out" 2>"$TMP/serve6.err" &
PID=$!
PORT=""
for _ in $(seq 300); do
    PORT=$(sed -n 's/^dealwright serving on http:\/\/\[::\]:\([0-9][0-9]*\) (.*)$/\1/p' "$TMP/serve6.out" 2>/dev/null || true)
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || fail "the [::] server exited: $(cat "$TMP/serve6.err")"
    sleep 0.1
done
[ -n "$PORT" ] || fail "no http://[::]:PORT line: $(cat "$TMP/serve6.out" "$TMP/serve6.err")"
[ "$(curl -g -s -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/healthz")" = 200 ] || fail "[::] on ::1"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 000 ] ||
    fail "[::] answers IPv4 (IPV6_V6ONLY is off)"
kill -TERM "$PID"
wait "$PID" || fail "the [::] server exited $? on SIGTERM"
PID=""
pass "--listen [::]:0 answers on ::1 and not on 127.0.0.1 (IPv6 only)"

# 7. the second request on a kept-alive connection: a head too large or malformed is answered
# with the JSON error shape (not libmicrohttpd's HTML), and requests that are fine, pipelined
# ones included, are answered as before
start_server --rate 0
timeout 60 python3 - <<'PY' || fail "later heads on a kept-alive connection"
import json, os, socket, sys, time
port = int(os.environ["PORT"])
def answer(s):  # one answer: (status, headers, body)
    out = b""
    while b"\r\n\r\n" not in out:
        b = s.recv(65536)
        if not b:
            break
        out += b
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    hdr = {l.split(b":")[0].lower(): l.split(b":", 1)[1].strip() for l in lines[1:] if b":" in l}
    n = int(hdr.get(b"content-length", b"0"))
    while len(body) < n:
        b = s.recv(65536)
        if not b:
            break
        body += b
    return int(lines[0].split(b" ")[1]) if lines[0] else 0, hdr, body[:n], body[n:]
GET = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
def second(req, status, code):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(GET)
    st, _, _, _ = answer(s)
    if st != 200:
        sys.exit(f"the first request: {st}")
    try:
        s.sendall(req)
    except OSError:
        pass
    st, hdr, body, _ = answer(s)
    s.close()
    if st != status or b"application/json" not in hdr.get(b"content-type", b""):
        sys.exit(f"second request: {st} {hdr.get(b'content-type')} {body[:200]!r}, expected {status} JSON")
    got = json.loads(body)["error"]["code"]
    if got != code:
        sys.exit(f"second request: code {got}, expected {code}")
second(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (70 << 10) + b"\r\n\r\n", 431,
       "headers_too_large")
second(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (20 << 10) + b"\r\n\r\n", 431,
       "headers_too_large")
second(b"POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400, "bad_request")
second(b"GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported")
# after a request with a body (401: no token), the next head is still checked
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 12\r\n\r\n{\"email\": 1}")
if answer(s)[0] != 401:
    sys.exit("a POST without a token")
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (70 << 10) + b"\r\n\r\n")
st, hdr, body, _ = answer(s)
if st != 431 or b"application/json" not in hdr.get(b"content-type", b""):
    sys.exit(f"after a body: {st} {body[:200]!r}")
# an answer that closes the connection closes it at once
for req in (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /healthz HTTP/1.0\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    t0 = time.time()
    s.sendall(req)
    while s.recv(65536):
        pass
    if time.time() - t0 > 2:
        sys.exit(f"{req!r}: closed after {time.time() - t0:.1f} s")
# fine requests: three in turn, then two pipelined in one write
s = socket.create_connection(("127.0.0.1", port), timeout=5)
for _ in range(3):
    s.sendall(GET)
    if answer(s)[0] != 200:
        sys.exit("a kept-alive connection's next request")
t0 = time.time()
s.sendall(GET + GET)
out = b""
while out.count(b"HTTP/1.1 200 ") < 2 and time.time() - t0 < 5:
    b = s.recv(65536)
    if not b:
        break
    out += b
if out.count(b"HTTP/1.1 200 ") != 2 or time.time() - t0 > 2:
    sys.exit(f"two pipelined requests: {out[:300]!r} after {time.time() - t0:.1f} s")
PY
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""
pass "a kept-alive connection's second head: 70 KiB and 20 KiB headers are JSON 431, a bad Content-Length 400, HTTP/3.0 505; pipelined requests answered"

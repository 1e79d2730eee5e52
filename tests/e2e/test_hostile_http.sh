#!/bin/sh
# The server attacked over HTTP, as an outside test campaign did: malformed and hostile request
# heads answered with JSON errors; valid and refused leads posted together, every one answered
# and the server still stopping on SIGTERM; hundreds of silent and trickling connections while
# probes from another address are answered; tokens whose ids collide in a naive rate table;
# an event stream whose token is revoked; pagination over a few hundred deals.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
new_ws
PID=""
trap '[ -z "$PID" ] || kill -9 "$PID" 2>/dev/null || true; [ -z "${KEEP:-}" ] || cp "$TMP/serve.err" /tmp/hostile-serve.err; rm -rf "$TMP"' EXIT

token() { # token USER ROLE -> secret
    dw token create --user "$1" --role "$2" --json | json_get 'd["secret"]'
}
ADMIN=$(token nils admin)
HOOK=$(token webform integration)

start() {
    start_server "$@"
    export ADMIN HOOK WS
}
# stop: SIGTERM must end the server within 15 s (10 s for requests in flight, then it stops)
stop() {
    kill -TERM "$PID"
    STOP_TENTHS=0
    while [ "$STOP_TENTHS" -lt 150 ] && kill -0 "$PID" 2>/dev/null; do
        sleep 0.1
        STOP_TENTHS=$((STOP_TENTHS + 1))
    done
    if kill -0 "$PID" 2>/dev/null; then
        kill -9 "$PID"
        PID=""
        fail "the server did not stop within 15 s of SIGTERM"
    fi
    wait "$PID" || fail "the server exited $? on SIGTERM"
    PID=""
}
py() { timeout 120 python3 - "$@"; }

start --rate 0

# ---- 1. hostile request heads: every answer a JSON error with its status ---------------
py <<'EOF' || fail "hostile request heads"
import json, os, socket, sys
port = int(os.environ["PORT"]); admin = os.environ["ADMIN"]

def raw(data, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            head, sep, body = out.partition(b"\r\n\r\n")
            if sep:
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(body) >= int(line.split(b":")[1]):
                            s.close()
                            return out
    except socket.timeout:
        pass
    s.close()
    return out

def check(name, data, status, code=None):
    out = raw(data)
    if not out:
        sys.exit(f"{name}: no answer at all")
    head, _, body = out.partition(b"\r\n\r\n")
    got = int(head.split(b" ")[1])
    if got != status:
        sys.exit(f"{name}: status {got}, expected {status}: {out[:300]!r}")
    ctype = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-type:")]
    if not ctype or b"application/json" not in ctype[0]:
        sys.exit(f"{name}: not JSON: {out[:300]!r}")
    try:
        e = json.loads(body)["error"]
    except Exception as ex:
        sys.exit(f"{name}: body is not an error object ({ex}): {body[:200]!r}")
    if not isinstance(e.get("message"), str) or not e["message"]:
        sys.exit(f"{name}: error without a message: {e}")
    if code and e.get("code") != code:
        sys.exit(f"{name}: code {e.get('code')}, expected {code}")
    return e

auth = f"Authorization: Bearer {admin}\r\n".encode()
def get(target, extra=b"", version=b"HTTP/1.1", host=True):
    return (b"GET " + target + b" " + version + b"\r\n" + (b"Host: x\r\n" if host else b"")
            + auth + extra + b"Connection: close\r\n\r\n")

check("invalid UTF-8 in the path", get(b"/v1/deals/%ff"), 400, "bad_request")
check("raw invalid UTF-8 in the path", get(b"/v1/deals/\xff\xfe"), 400, "bad_request")
check("invalid UTF-8 in the query", get(b"/v1/deals?stage=%c3%28"), 400, "bad_request")
check("invalid UTF-8 in Last-Event-ID", get(b"/v1/events", b"Last-Event-ID: \xff\xfe\r\n"), 400)
check("NUL in a deal path", get(b"/v1/deals/D-000001%00/timeline"), 400)
check("NUL in a console path", get(b"/console/console.js%00.html"), 400)
check("NUL in the query", get(b"/v1/deals?stage=new%00x"), 400)
check("HTTP/1.1 without Host", get(b"/v1/deals", host=False), 400)
check("HTTP/1.1 without Host, public route", get(b"/healthz", host=False), 400)
check("10,000 query arguments", get(b"/v1/deals?" + b"a=1&" * 10000), 414)
check("10,000 empty query arguments", get(b"/v1/deals?" + b"&" * 5000), 400)
check("100 query arguments", get(b"/v1/deals?" + b"&".join(b"a%d=1" % i for i in range(100))), 400)
check("a 9 KiB target", get(b"/v1/deals?stage=" + b"a" * 9000), 414, "uri_too_long")
check("32 KiB of headers", get(b"/v1/deals", b"".join(b"X-Pad-%d: %s\r\n" % (i, b"b" * 1000) for i in range(32))), 431, "headers_too_large")
check("bad JSON body", b"POST /v1/leads HTTP/1.1\r\nHost: x\r\n" + auth.replace(admin.encode(), os.environ["HOOK"].encode())
      + b"Content-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{\"a\":", 400)
check("HTTP/2.0", get(b"/healthz", version=b"HTTP/2.0"), 505, "http_version_not_supported")
check("HTTP/1.2", get(b"/healthz", version=b"HTTP/1.2"), 505)
check("no version", b"GET /healthz\r\nHost: x\r\n\r\n", 400)
check("a garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\r\n\r\n", 400)
e = check("a negative Content-Length", b"POST /v1/leads HTTP/1.1\r\nHost: x\r\n" + auth
          + b"Content-Length: -1\r\nConnection: close\r\n\r\n", 400)
if e.get("field") != "Content-Length":
    sys.exit(f"negative Content-Length: field {e.get('field')}")
check("two Content-Lengths", b"POST /v1/leads HTTP/1.1\r\nHost: x\r\n" + auth
      + b"Content-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}", 400)
check("Content-Length and Transfer-Encoding", b"POST /v1/leads HTTP/1.1\r\nHost: x\r\n" + auth
      + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{}", 400)
check("a header line without a colon", get(b"/healthz", b"Nonsense\r\n"), 400)
check("a 70 KiB request line", get(b"/v1/deals?stage=" + b"a" * 70000), 414, "uri_too_long")
check("70 KiB of headers", get(b"/v1/deals", b"".join(b"X-Pad-%d: %s\r\n" % (i, b"b" * 1000) for i in range(70))), 431, "headers_too_large")
# HTTP/1.0 needs no Host
out = raw(get(b"/healthz", version=b"HTTP/1.0", host=False))
if b" 200 " not in out.split(b"\r\n")[0]:
    sys.exit(f"HTTP/1.0 without Host: {out[:200]!r}")
# a valid request still works on the same server
out = raw(get(b"/v1/deals"))
if b" 200 " not in out.split(b"\r\n")[0]:
    sys.exit(f"a valid request after the hostile ones: {out[:200]!r}")
EOF
pass "hostile heads (bad UTF-8, NUL, no Host, 10,000 arguments, long target, big headers) get JSON errors"

# ---- 2. valid and refused leads posted together ----------------------------------------
py <<'EOF' || fail "mixed valid and refused leads"
import http.client, json, os, sys, threading
port = int(os.environ["PORT"]); tok = os.environ["HOOK"]
base = json.loads(open(os.environ["WS"] + "/samples/leads.jsonl").readline())
results = {}
def post(key, lead):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        c.request("POST", "/v1/leads", json.dumps(lead),
                  {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
        r = c.getresponse()
        results[key] = (r.status, json.loads(r.read()))
    except Exception as ex:
        results[key] = (None, repr(ex))
ROUNDS = 40
for rnd in range(ROUNDS):
    ts = []
    for k in range(3):
        lead = dict(base, external_id=f"mix-{rnd}-{k}")
        if k == 1:
            lead["source"] = "fax"
        t = threading.Thread(target=post, args=((rnd, k), lead))
        ts.append(t)
    for t in ts:
        t.start()
    for t in ts:
        t.join(25)
bad = []
for rnd in range(ROUNDS):
    for k in range(3):
        st, body = results.get((rnd, k), (None, "not answered"))
        want = 400 if k == 1 else 202
        if st != want:
            bad.append(f"round {rnd} lead {k}: {st} {str(body)[:120]}")
        elif k == 1 and body["error"].get("field") != "source":
            bad.append(f"round {rnd}: the refused lead's error names {body['error'].get('field')}")
if bad:
    sys.exit("\n".join(bad[:10]) + f"\n({len(bad)} of {3 * ROUNDS} wrong)")
EOF
pass "40 rounds of valid + refused + valid leads posted at once: 80 accepted, 40 refused naming source"
stop
pass "the server stops on SIGTERM after mixed posts (in about $STOP_TENTHS tenths of a second)"

# ---- 3. slow and silent connections --------------------------------------------------------
# slowconn SECONDS ADDR...: 600 connections from ADDRs (round-robin) that never finish a head —
# half silent, half sending a header line every 2 s, each reopened when the server closes it —
# while a prober on 127.0.0.2 asks /healthz and /v1/deals every 0.3 s: every probe must be
# answered within 2 s. Prints "cut N refused N probes N slowest S".
cat >"$TMP/slowconn.py" <<'EOF'
import http.client, os, selectors, socket, sys, threading, time
port = int(os.environ["PORT"]); admin = os.environ["ADMIN"]
dur = float(sys.argv[1]); addrs = sys.argv[2:]
N = 600
sel = selectors.DefaultSelector()
slots = [None] * N          # [sock, kind, opened, last_line, got]
stats = {"cut": 0, "refused": 0, "opened": 0}
def open_slot(i, now):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.bind((addrs[i % len(addrs)], 0))
        s.connect_ex(("127.0.0.1", port))
    except OSError:
        s.close(); slots[i] = [None, i % 2, now, now, b""]; return
    sel.register(s, selectors.EVENT_READ, i)
    slots[i] = [s, i % 2, now, now, b""]
    stats["opened"] += 1
def close_slot(i, now):
    s = slots[i][0]
    sel.unregister(s); s.close()
    got = slots[i][4]
    if b"408" in got.split(b"\r\n")[0]:
        stats["cut"] += 1
    else:
        stats["refused"] += 1
    slots[i] = [None, i % 2, now + 0.5, now, b""]   # reopen half a second later
probes = []
def prober():
    end = time.time() + dur
    while time.time() < end:
        for path, auth in (("/healthz", None), ("/v1/deals?limit=5", admin)):
            t0 = time.time()
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5,
                                               source_address=("127.0.0.2", 0))
                c.request("GET", path, headers={"Authorization": "Bearer " + auth} if auth else {})
                st = c.getresponse().status
                c.close()
            except Exception as ex:
                st = repr(ex)
            probes.append((path, st, time.time() - t0))
        time.sleep(0.3)
start = time.time()
for i in range(N):
    open_slot(i, start)
p = threading.Thread(target=prober); p.start()
while time.time() - start < dur:
    now = time.time()
    for key, _ in sel.select(0.2):
        i = key.data
        try:
            b = key.fileobj.recv(4096)
        except OSError:
            b = b""
        if b:
            slots[i][4] += b
        else:
            close_slot(i, now)
    for i in range(N):
        s, kind, t, last, _ = slots[i]
        if s is None:
            if now >= t:
                open_slot(i, now)
        elif kind == 1 and now - last >= 2:
            try:
                s.send(b"GET / HTTP/1.1\r\n" if last == t else b"X-Slow: 1\r\n")
            except OSError:
                pass
            slots[i][3] = now
p.join()
for s in slots:
    if s[0] is not None:
        s[0].close()
bad = [x for x in probes if x[1] != 200 or x[2] > 2.0]
print("cut %d refused %d probes %d slowest %.2f" % (stats["cut"], stats["refused"], len(probes),
      max(x[2] for x in probes)))
if bad or len(probes) < 10:
    sys.exit("probes not answered in time: %r" % bad[:5])
EOF

# the defaults: every attacker on one address, probes from another
start --rate 0
timeout 60 python3 "$TMP/slowconn.py" 8 127.0.0.1 >"$TMP/slow.out" || fail "slow connections (defaults): $(cat "$TMP/slow.out")"
pass "600 silent and trickling connections from one address: $(cat "$TMP/slow.out")"
curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" | grep -q 200 ||
    fail "the attacking address cannot connect once the attack ended"
stop
# a small server attacked from four addresses: the per-address cap, the reserved slots and the
# header deadline (2 s) all at work
start --rate 0 --max-connections 320 --per-address 100 --header-timeout 2
timeout 60 python3 "$TMP/slowconn.py" 8 127.0.0.1 127.0.0.3 127.0.0.4 127.0.0.5 >"$TMP/slow.out" ||
    fail "slow connections (4 addresses): $(cat "$TMP/slow.out")"
CUT=$(sed -n 's/^cut \([0-9]*\).*/\1/p' "$TMP/slow.out")
[ "$CUT" -ge 300 ] || fail "the header deadline cut only $CUT connections: $(cat "$TMP/slow.out")"
pass "600 slow connections from four addresses on a 320-connection server: $(cat "$TMP/slow.out")"
curl -s -m 2 "http://127.0.0.1:$PORT/metrics" | grep -q '^dealwright_http_connections_cut_total [1-9]' ||
    fail "the metrics do not count the cut connections"
stop

# ---- 4. rate buckets: token ids 1024 apart do not share one -----------------------------
# backend-specific on purpose: a token row is planted in the database to make the id gap
# (PostgreSQL: and the id sequence moved past it, as SQLite's next rowid is)
A_ID=$(db "SELECT id FROM api_tokens WHERE prefix = '$(echo "$ADMIN" | cut -c5-12)'")
db "INSERT INTO api_tokens (id, \"user\", role, hash, prefix, created_at)
    VALUES ($A_ID + 1023, 'nils', 'admin', 'placeholder', 'x', '2026-11-24T12:00:00Z')"
[ "$DW_BACKEND" != postgres ] ||
    db "SELECT setval(pg_get_serial_sequence('api_tokens', 'id'), $A_ID + 1023)" >/dev/null
TOK_B=$(token nils admin)
B_ID=$(db "SELECT max(id) FROM api_tokens")
db "DELETE FROM api_tokens WHERE id = $A_ID + 1023"
[ "$B_ID" -eq $((A_ID + 1024)) ] || fail "token ids: $A_ID and $B_ID"
export TOK_B
start --rate 20
py <<'EOF' >"$TMP/rate.out" || fail "rate buckets: $(cat "$TMP/rate.out")"
import http.client, os, sys, time
port = int(os.environ["PORT"])
toks = [os.environ["ADMIN"], os.environ["TOK_B"]]
conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in toks]
ok = {0: 0, 1: 0}; n = 600
t0 = time.time()
for i in range(n):
    k = i % 2
    conns[k].request("GET", "/v1/approvals", headers={"Authorization": "Bearer " + toks[k]})
    r = conns[k].getresponse(); r.read()
    if r.status == 200:
        ok[k] += 1
    elif r.status != 429:
        sys.exit(f"status {r.status}")
el = time.time() - t0
# each token: a burst of 40, then 20 a second
limit = 40 + 20 * el + 2
print(f"{ok[0] + ok[1]} of {n} allowed in {el:.2f} s (at most {limit:.0f} per token)")
if ok[0] > limit or ok[1] > limit:
    sys.exit(f"a token got more than its bucket allows: {ok}")
EOF
pass "tokens $A_ID and $B_ID alternated: $(cat "$TMP/rate.out")"
stop

# ---- 5. an event stream ends within a second of its token's revocation ------------------
STREAM=$(dw token create --user nils --role admin --json)
STREAM_ID=$(echo "$STREAM" | json_get 'd["id"]')
STREAM_TOK=$(echo "$STREAM" | json_get 'd["secret"]')
export STREAM_ID STREAM_TOK DW
start --rate 0
py <<'EOF' >"$TMP/stream.out" || fail "stream revocation: $(cat "$TMP/stream.out")"
import http.client, json, os, subprocess, sys, threading, time
port = int(os.environ["PORT"])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("GET", "/v1/events?after=latest", headers={"Authorization": "Bearer " + os.environ["STREAM_TOK"]})
r = c.getresponse()
if r.status != 200:
    sys.exit(f"stream: {r.status}")
got = []; ended = []
def reader():
    try:
        while True:
            line = r.readline()
            if not line:
                break
            if line.startswith(b"id: "):
                got.append((time.time(), int(line[4:])))
    except Exception:
        pass
    ended.append(time.time())
threading.Thread(target=reader, daemon=True).start()
base = json.loads(open(os.environ["WS"] + "/samples/leads.jsonl").readline())
def post(i):
    p = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    p.request("POST", "/v1/leads", json.dumps(dict(base, external_id=f"stream-{i}")),
              {"Authorization": "Bearer " + os.environ["HOOK"], "Content-Type": "application/json"})
    p.getresponse().read()
post(0)
for _ in range(50):
    if got:
        break
    time.sleep(0.1)
if not got:
    sys.exit("no event on the stream before revocation")
subprocess.run([os.environ["DW"], "-w", os.environ["WS"], "token", "revoke", os.environ["STREAM_ID"]],
               check=True, stdout=subprocess.DEVNULL)
revoked = time.time()
for i in range(1, 6):  # events keep happening
    post(i)
    time.sleep(0.3)
if not ended:
    sys.exit("the stream is still open %.1f s after its token was revoked" % (time.time() - revoked))
late = [s for t, s in got if t > revoked + 1.0]
print("ended %.2f s after revocation, %d events before, %d after" % (ended[0] - revoked,
      len([1 for t, _ in got if t <= revoked]), len(late)))
if ended[0] - revoked > 1.0 or late:
    sys.exit("too late")
EOF
pass "an open event stream: $(cat "$TMP/stream.out")"
stop

# ---- 6. pages: every list a page at a time, over a few hundred deals --------------------
python3 - "$WS/samples/leads.jsonl" >"$TMP/many.jsonl" <<'EOF'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1])]
for i in range(330):
    d = dict(base[i % len(base)], external_id=f"page-{i}")
    d["contact"] = dict(d["contact"], email=f"buyer{i}@page-{i}.example")
    print(json.dumps(d))
EOF
dw lead add "$TMP/many.jsonl" >/dev/null
# backend-specific on purpose: the deals are listed, not worked on (the pages are what is tested)
db "UPDATE deals SET runnable = 0"
TOTAL=$(dw stats --json | json_get 'sum(d["stages"].values())')
[ "$TOTAL" -ge 330 ] || fail "only $TOTAL deals"
export TOTAL
start --rate 0
py <<'EOF' >"$TMP/pages.out" || fail "pages: $(cat "$TMP/pages.out")"
import http.client, json, os, re, sys
port = int(os.environ["PORT"]); tok = os.environ["ADMIN"]; total = int(os.environ["TOTAL"])
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Authorization": "Bearer " + tok})
    r = c.getresponse()
    return r.status, r.getheader("Link"), json.loads(r.read())
seen, pages, path = [], 0, "/v1/deals?limit=70"
while path:
    st, link, items = get(path)
    if st != 200 or not isinstance(items, list) or len(items) > 70:
        sys.exit(f"{path}: {st}, {len(items)} items")
    seen += [d["id"] for d in items]
    pages += 1
    m = re.match(r'<([^>]+)>; rel="next"', link or "")
    path = m.group(1) if m else None
if len(seen) != total or len(set(seen)) != total or seen != sorted(seen):
    sys.exit(f"{len(seen)} deals in {pages} pages ({len(set(seen))} distinct) of {total}")
st, link, items = get("/v1/deals")
if len(items) > 1000 or (total > 1000) != bool(link):
    sys.exit(f"default page: {len(items)} items, link {link}")
# a stage filter follows its pages too
st, link, items = get("/v1/deals?stage=new&limit=50")
if st != 200 or len(items) != 50 or "stage=new" not in (link or ""):
    sys.exit(f"stage page: {st} {len(items)} {link}")
for bad, field in (("/v1/deals?limit=0", "limit"), ("/v1/deals?limit=1001", "limit"),
                   ("/v1/deals?limit=ten", "limit"), ("/v1/deals?after=zz", "after"),
                   ("/v1/deals?after=a1", "after"), ("/v1/approvals?after=d5", "after"),
                   ("/v1/webhooks/deliveries?limit=-1", "limit")):
    st, link, body = get(bad)
    if st != 400 or body.get("error", {}).get("field") != field:
        sys.exit(f"{bad}: {st} {body}")
for path in ("/v1/approvals?limit=1", "/v1/webhooks/deliveries?limit=1"):
    st, link, items = get(path)
    if st != 200 or not isinstance(items, list) or len(items) > 1:
        sys.exit(f"{path}: {st} {items}")
print(f"{total} deals in {pages} pages of 70")
EOF
pass "GET /v1/deals: $(cat "$TMP/pages.out"), in order, none twice; bad limits and cursors refused"
stop
dw deals --limit 100 >"$TMP/p1" 2>"$TMP/p1.err"
[ "$(wc -l <"$TMP/p1")" -eq 101 ] || fail "deals --limit 100: $(wc -l <"$TMP/p1") lines"
NEXT=$(sed -n 's/^next page: dealwright deals --limit 100 --after \([a-z0-9]*\)$/\1/p' "$TMP/p1.err")
[ -n "$NEXT" ] || fail "deals --limit 100 names no next page: $(cat "$TMP/p1.err")"
dw deals --limit 100 --after "$NEXT" --json >"$TMP/p2" 2>/dev/null
FIRST=$(json_get 'd[0]["id"]' <"$TMP/p2")
[ "$FIRST" = "D-000101" ] || fail "the second page starts at $FIRST"
expect_exit 2 dw deals --limit 5000
expect_exit 2 dw approvals --after nonsense
pass "dealwright deals/approvals --limit N --after CURSOR page through the store"

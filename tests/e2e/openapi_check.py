#!/usr/bin/env python3
"""Every route of a running `dealwright serve`, called as a client would, and each JSON
answer validated against the schema the server's own OpenAPI document (/v1/openapi.json)
gives for that route, method and status (tests/e2e/test_openapi.sh starts the server).

Usage: openapi_check.py BASE_URL TOKENS.json SAMPLE_LEADS.jsonl DEALWRIGHT WORKSPACE

The validator covers the JSON Schema subset the document uses ($ref, type, enum, const,
required, properties, additionalProperties, propertyNames, items, allOf, oneOf, pattern,
minimum, maximum, minLength, maxLength, minItems, maxItems, format date and date-time); a keyword
outside it fails the run, so nothing in the document goes unchecked. Prints one line per
check and the number of answers validated; exits 1 at the first mismatch."""
import datetime
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

BASE = TOKENS = SAMPLES = DW = WS = U = TOK = None
DOC = None
validated = 0
ops_seen = set()


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


# ---- the validator ----------------------------------------------------------------------

ANNOTATIONS = {"description", "examples", "example", "default", "title", "deprecated", "summary"}
KNOWN = ANNOTATIONS | {"$ref", "type", "enum", "const", "required", "properties",
                       "additionalProperties", "propertyNames", "items", "allOf", "oneOf",
                       "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
                       "format"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def resolve(ref):
    if not ref.startswith("#/"):
        fail("only local $ref is supported: " + ref)
    node = DOC
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def type_ok(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def errors(v, s, path):
    """The ways v fails schema s (an empty list when it conforms)."""
    unknown = set(s) - KNOWN
    if unknown:
        fail("schema at %s uses keywords the validator does not know: %s" % (path, unknown))
    if "$ref" in s:
        errs = errors(v, resolve(s["$ref"]), path)
        if errs:
            return errs
    out = []
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(v, t) for t in ts):
            return ["%s: %r is not of type %s" % (path, v if len(repr(v)) < 80 else type(v).__name__, ts)]
    if "const" in s and v != s["const"]:
        out.append("%s: %r is not %r" % (path, v, s["const"]))
    if "enum" in s and v not in s["enum"]:
        out.append("%s: %r is not one of %s" % (path, v, s["enum"]))
    if isinstance(v, str):
        if "pattern" in s and not re.search(s["pattern"], v):
            out.append("%s: %r does not match %s" % (path, v, s["pattern"]))
        if "minLength" in s and len(v) < s["minLength"]:
            out.append("%s: shorter than %d" % (path, s["minLength"]))
        if "maxLength" in s and len(v) > s["maxLength"]:
            out.append("%s: longer than %d" % (path, s["maxLength"]))
        fmt = s.get("format")
        try:
            if fmt == "date-time":
                datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
            elif fmt == "date":
                datetime.date.fromisoformat(v)
        except ValueError:
            out.append("%s: %r is not a %s" % (path, v, fmt))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s and v < s["minimum"]:
            out.append("%s: %r below %r" % (path, v, s["minimum"]))
        if "maximum" in s and v > s["maximum"]:
            out.append("%s: %r above %r" % (path, v, s["maximum"]))
    if isinstance(v, list):
        if "minItems" in s and len(v) < s["minItems"]:
            out.append("%s: fewer than %d items" % (path, s["minItems"]))
        if "maxItems" in s and len(v) > s["maxItems"]:
            out.append("%s: more than %d items" % (path, s["maxItems"]))
        if "items" in s:
            for i, x in enumerate(v):
                out += errors(x, s["items"], "%s[%d]" % (path, i))
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                out.append("%s: required field %r is missing" % (path, k))
        for k, x in v.items():
            if "propertyNames" in s:
                out += errors(k, s["propertyNames"], "%s{%s}" % (path, k))
            if k in props:
                out += errors(x, props[k], "%s.%s" % (path, k))
            else:
                extra = s.get("additionalProperties", True)
                if extra is False:
                    out.append("%s: field %r is not in the document" % (path, k))
                elif isinstance(extra, dict):
                    out += errors(x, extra, "%s.%s" % (path, k))
    for sub in s.get("allOf", []):
        out += errors(v, sub, path)
    if "oneOf" in s:
        results = [errors(v, sub, path) for sub in s["oneOf"]]
        ok = sum(1 for r in results if not r)
        if ok != 1:
            out.append("%s: matches %d of oneOf's %d schemas%s" % (
                path, ok, len(results), "" if ok else ": " + "; ".join(r[0] for r in results)))
    return out


def validate(value, schema, what):
    global validated
    errs = errors(value, schema, "$")
    if errs:
        fail("%s: the answer does not match the document:\n  %s\nanswer: %s" % (
            what, "\n  ".join(errs[:10]), json.dumps(value)[:600]))
    validated += 1


# ---- requests ------------------------------------------------------------------------

def operation(method, path):
    """The document's operation for METHOD PATH: (template, operation) or (None, None)."""
    for tpl, item in DOC["paths"].items():
        rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tpl)) + "$"
        if re.match(rx, path) and method.lower() in item:
            return tpl, item[method.lower()]
    return None, None


def check_answer(method, target, status, headers, body):
    path = urllib.parse.urlsplit(target).path
    tpl, op = operation(method, path)
    what = "%s %s -> %d" % (method, target[:80], status)
    ctype = headers.get("content-type", "")
    if op is None:  # a method or path the document does not list: an error, as JSON
        if status < 400:
            fail(what + ": answered, but the document lists no such operation")
        schema = DOC["components"]["schemas"]["Error"]
    else:
        responses = op["responses"]
        resp = responses.get(str(status)) or responses.get("default")
        if resp is None:
            fail(what + ": status not in the document's responses " + str(list(responses)))
        if "$ref" in resp:
            resp = resolve(resp["$ref"])
        content = resp.get("content", {})
        media = ctype.split(";")[0].strip()
        if media not in content:
            fail("%s: content type %r not in the document's %s" % (what, ctype, list(content)))
        for h in resp.get("headers", {}):
            if h.lower() == "link" and h.lower() not in headers and status == 200:
                pass  # only when there is a next page; checked by the paging below
        if media != "application/json":
            ops_seen.add((tpl, method, status))
            return None
        schema = content[media]["schema"]
        ops_seen.add((tpl, method, status))
    if not ctype.startswith("application/json"):
        fail("%s: content type %r, not JSON" % (what, ctype))
    try:
        value = json.loads(body)
    except ValueError as e:
        fail("%s: not JSON (%s): %r" % (what, e, body[:200]))
    validate(value, schema, what)
    return value


def request(method, target, token=None, body=None, headers=None, want=None, retry_429=True):
    """One request; its answer validated; the parsed JSON (or text) and the headers."""
    while True:
        c = http.client.HTTPConnection(U.hostname, U.port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + TOK[token]
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c.request(method, target, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        hd = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        value = check_answer(method, target, r.status, hd, raw.decode("utf-8", "replace"))
        if r.status == 429 and retry_429:  # a client waits as told, then tries again
            if hd.get("retry-after") != "1":
                fail("429 without Retry-After: 1")
            time.sleep(1)
            continue
        if want is not None and r.status != want:
            fail("%s %s: status %d, expected %d: %s" % (method, target, r.status, want, raw[:300]))
        return r.status, value if value is not None else raw.decode("utf-8", "replace"), hd


def raw_exchange(data, wait=None):
    """Bytes sent on a socket of their own; the answer as (status, headers, body)."""
    s = socket.create_connection((U.hostname, U.port), timeout=15)
    if data:
        s.sendall(data)
    if wait:
        time.sleep(wait)
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        out += chunk
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        fail("no HTTP answer: %r" % out[:200])
    status = int(lines[0].split()[1])
    hd = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hd[k.strip().lower()] = v.strip()
    return status, hd, body.decode("utf-8", "replace")


# ---- a webhook receiver ----------------------------------------------------------------

received = []


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        received.append((dict(self.headers), self.rfile.read(n)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def until(seconds, what, ready):
    """Call ready() every 0.2 s until it returns a true value; fail after SECONDS (the
    agents are slower under a sanitizer build or a busy machine)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = ready()
        if v:
            return v
        time.sleep(0.2)
    fail("%s: not within %d s" % (what, seconds))


def main():
    global DOC, BASE, TOKENS, SAMPLES, DW, WS, U, TOK
    BASE, TOKENS, SAMPLES, DW, WS = sys.argv[1:6]
    TOK = json.load(open(TOKENS))
    U = urllib.parse.urlsplit(BASE)
    # the document the server answers is the one everything is checked against
    c = http.client.HTTPConnection(U.hostname, U.port)
    c.request("GET", "/v1/openapi.json")
    DOC = json.loads(c.getresponse().read())
    c.close()
    request("GET", "/v1/openapi.json", want=200)  # now validated against itself
    assert DOC["openapi"] == "3.1.0"
    request("GET", "/healthz", want=200)
    request("GET", "/readyz", want=200)
    st, text, hd = request("GET", "/metrics", want=200)
    if "dealwright_http_requests_total" not in text:
        fail("/metrics: " + text[:200])
    print("ok - the public routes")

    # the sample leads, as an integration posts them; one repeated line is a duplicate
    statuses = {}
    for line in open(SAMPLES, encoding="utf-8"):
        st, v, _ = request("POST", "/v1/leads", "hook", json.loads(line), want=202)
        statuses[v["status"]] = statuses.get(v["status"], 0) + 1
    if statuses.get("duplicate") != 1 or statuses.get("follow_up") != 2:
        fail("the sample leads' statuses: %s" % statuses)
    request("POST", "/v1/leads", "hook", {"source": "web_form", "external_id": "x", "colour": 1}, want=400)
    request("POST", "/v1/leads", "hook", b"{not json", want=400)
    request("POST", "/v1/leads", "desk", {"source": "web_form"}, want=403)
    request("POST", "/v1/leads", None, {"source": "web_form"}, want=401)
    request("POST", "/v1/leads", "bad", {"source": "web_form"}, want=401)
    request("POST", "/v1/leads", "hook", b"[" + b" " * (1 << 20) + b"]", want=413)
    print("ok - leads posted: %s" % statuses)

    # each deal read at once, wherever the agents are with it (the parts not reached are null)
    for i in range(1, 28):
        request("GET", "/v1/deals/D-%06d" % i, "desk", want=200)

    # the agents at work: until no deal is on its way
    busy = {"new", "qualifying", "scoping", "pricing"}

    def settled():
        _, deals, _ = request("GET", "/v1/deals", "desk", want=200)
        return None if any(d["stage"] in busy for d in deals) else deals
    deals = until(300, "every sample deal settled", settled)
    ids = [d["id"] for d in deals]
    if len(ids) != 27:
        fail("expected 27 deals (29 leads, two follow-ups), got %d" % len(ids))

    # pages: limit 5 through the Link headers, every deal once
    target, paged = "/v1/deals?limit=5", []
    while target:
        _, page, hd = request("GET", target, "desk", want=200)
        paged += [d["id"] for d in page]
        m = re.match(r'<([^>]+)>; rel="next"$', hd.get("link", ""))
        target = m.group(1) if m else None
    if paged != ids:
        fail("paging gave %s, the whole list %s" % (paged, ids))
    request("GET", "/v1/deals?stage=proposal_ready&limit=2", "desk", want=200)
    request("GET", "/v1/deals?limit=0", "desk", want=400)
    request("GET", "/v1/deals?stage=bogus", "desk", want=400)
    request("GET", "/v1/deals?after=zz", "desk", want=400)
    request("GET", "/v1/deals", None, want=401)
    print("ok - deals paged 5 at a time through Link headers")

    # every deal whole, its timeline and its proposal (404 until it has one)
    proposals = 0
    for i in ids:
        _, d, _ = request("GET", "/v1/deals/" + i, "desk", want=200)
        request("GET", "/v1/deals/%s/timeline" % i, "desk", want=200)
        st, _, _ = request("GET", "/v1/deals/%s/proposal" % i, "desk")
        if (st == 200) != (d["proposal"] is not None):
            fail("%s: proposal route %d but the deal's proposal is %r" % (i, st, d["proposal"]))
        proposals += st == 200
    request("GET", "/v1/deals/D-000999", "desk", want=404)
    request("GET", "/v1/deals/D-000999/timeline", "desk", want=404)
    request("GET", "/v1/deals/nonsense", "desk", want=404)
    print("ok - %d deals read whole, with timelines; %d proposals" % (len(ids), proposals))

    # the proposal as documents, and the buyer's page links of a deal whose proposal is ready
    ready = [i for i in ids if request("GET", "/v1/deals/" + i, "desk", want=200)[1]["stage"]
             == "proposal_ready" and i != ids[1]]
    other = [i for i in ids if i not in ready and i != ids[1]]
    st, pdf, hd = request("GET", "/v1/deals/%s/proposal?format=pdf" % ready[0], "desk", want=200)
    if not hd.get("content-type", "").startswith("application/pdf") or not pdf.startswith("%PDF-"):
        fail("proposal as pdf: %s" % hd.get("content-type"))
    _, html, hd = request("GET", "/v1/deals/%s/proposal?format=html" % ready[0], "desk", want=200)
    if "<table>" not in html or "<script" in html:
        fail("proposal as html: %r" % html[:200])
    request("GET", "/v1/deals/%s/proposal?format=md" % ready[0], "desk", want=200)
    _, _, hd = request("GET", "/v1/deals/%s/proposal" % ready[0], "desk",
                       headers={"Accept": "application/pdf"}, want=200)
    if not hd.get("content-type", "").startswith("application/pdf"):
        fail("proposal by Accept: %s" % hd.get("content-type"))
    request("GET", "/v1/deals/%s/proposal?format=docx" % ready[0], "desk", want=400)
    request("POST", "/v1/deals/%s/links" % ready[0], "hook", {}, want=403)
    request("POST", "/v1/deals/%s/links" % ready[0], "desk", {"days": 0}, want=400)
    request("POST", "/v1/deals/%s/links" % other[0], "desk", {}, want=409)
    _, link, _ = request("POST", "/v1/deals/%s/links" % ready[0], "desk", {"days": 7}, want=201)
    _, links, _ = request("GET", "/v1/deals/%s/links" % ready[0], "desk", want=200)
    if [l["state"] for l in links] != ["open"] or "token" in links[0]:
        fail("links: %s" % links)
    _, rv, _ = request("DELETE", "/v1/deals/%s/links" % ready[0], "desk", want=200)
    _, links, _ = request("GET", "/v1/deals/%s/links" % ready[0], "desk", want=200)
    if rv["revoked"] != 1 or links[0]["state"] != "revoked":
        fail("revoked links: %s %s" % (rv, links))
    print("ok - the proposal as pdf, html and md; a buyer's link made, listed and revoked")

    # approvals: the deal desk decides the 25 % discount (policies.yaml discount_bands)
    _, pending, _ = request("GET", "/v1/approvals", "desk", want=200)
    request("GET", "/v1/approvals?limit=2", "desk", want=200)
    desk = [a for a in pending if a["required_role"] == "deal_desk" and a["can_decide"]]
    vp = [a for a in pending if a["required_role"] == "vp"]
    if not desk or not vp or vp[0]["can_decide"]:
        fail("approvals: expected one the deal desk decides and a VP's it cannot: %s" % pending)
    request("POST", "/v1/approvals/%s/decision" % desk[0]["id"], "hook", {"decision": "approve"}, want=403)
    request("POST", "/v1/approvals/%s/decision" % desk[0]["id"], "desk", {"decision": "reject"}, want=400)
    request("POST", "/v1/approvals/%s/decision" % desk[0]["id"], "desk", {"decision": "maybe"}, want=400)
    request("POST", "/v1/approvals/%s/decision" % vp[0]["id"], "desk", {"decision": "approve"}, want=403)
    _, res, _ = request("POST", "/v1/approvals/%s/decision" % desk[0]["id"], "desk",
                        {"decision": "approve", "note": "framework agreement on file"}, want=200)
    if res["approval"]["status"] != "approved" or res["approval"]["decided_by"] != "maria":
        fail("decision: %s" % res)
    request("POST", "/v1/approvals/%s/decision" % desk[0]["id"], "desk", {"decision": "approve"}, want=409)
    request("POST", "/v1/approvals/A-000999/decision", "desk", {"decision": "approve"}, want=404)
    print("ok - approvals listed and decided; 400, 403, 404 and 409 as documented")

    # a new quote revision (a person's discount at the command line), then the diff
    deal = ids[1]
    subprocess.run([DW, "-w", WS, "quote", "discount", deal, "5", "--as", "lukas"], check=True,
                   stdout=subprocess.DEVNULL)
    def revised():
        _, d, _ = request("GET", "/v1/deals/" + deal, "desk", want=200)
        return d if d["stage"] == "proposal_ready" and d["quote"]["revision"] == 2 else None
    d = until(120, "%s: a proposal for quote revision 2" % deal, revised)
    _, diff, _ = request("GET", "/v1/deals/%s/quotes/1/diff/2" % deal, "desk", want=200)
    t = diff["totals"]["total"]
    if t["delta"] != t["to"] - t["from"] or t["delta"] >= 0 or diff["totals"]["discount"]["delta"] <= 0:
        fail("diff totals: %s" % diff["totals"])
    request("GET", "/v1/deals/%s/quotes/1/diff/9" % deal, "desk", want=404)
    print("ok - quote revisions compared: total %+d minor units" % t["delta"])

    # a demo booked, rebooked and cancelled by a rep; its invitation as text/calendar
    offered = None
    for i in ids:
        _, bd, _ = request("GET", "/v1/deals/" + i, "desk", want=200)
        if i != deal and bd["stage"] == "proposal_ready" and bd["schedule"] and len(bd["schedule"]["slots"]) > 1:
            offered = bd
            break
    if not offered:
        fail("no proposal_ready deal with demo slots to book")
    bid = offered["id"]
    request("GET", "/v1/deals/%s/invitation" % bid, "desk", want=404)
    request("DELETE", "/v1/deals/%s/booking" % bid, "rep", want=409)
    request("POST", "/v1/deals/%s/booking" % bid, "desk", {"slot": 1}, want=403)
    request("POST", "/v1/deals/%s/booking" % bid, "rep", {"slot": 0}, want=400)
    request("POST", "/v1/deals/%s/booking" % bid, "rep", {"slot": 99}, want=404)
    _, bk, _ = request("POST", "/v1/deals/%s/booking" % bid, "rep", {"slot": 1}, want=200)
    if bk["start"] != offered["schedule"]["slots"][0]["start"] or bk["sequence"] != 0:
        fail("booking %s for the offer %s" % (bk, offered["schedule"]["slots"]))
    _, bk2, _ = request("POST", "/v1/deals/%s/booking" % bid, "rep",
                        {"slot": offered["schedule"]["slots"][1]["start"]}, want=200)
    if bk2["uid"] != bk["uid"] or bk2["sequence"] != 1:
        fail("rebooking %s after %s" % (bk2, bk))
    _, ics, hd = request("GET", "/v1/deals/%s/invitation" % bid, "desk", want=200)
    if not hd.get("content-type", "").startswith("text/calendar") or "METHOD:REQUEST" not in ics:
        fail("invitation: %s %r" % (hd.get("content-type"), ics[:200]))
    _, bk3, _ = request("DELETE", "/v1/deals/%s/booking" % bid, "rep", want=200)
    _, ics, _ = request("GET", "/v1/deals/%s/invitation" % bid, "desk", want=200)
    if bk3["status"] != "cancelled" or "METHOD:CANCEL" not in ics:
        fail("cancellation: %s" % bk3)
    print("ok - a demo booked, rebooked (sequence 1) and cancelled; its invitation as text/calendar")

    # acceptance: the order; again is a conflict; an integration may not
    _, order, _ = request("POST", "/v1/deals/%s/accept" % deal, "hook", {}, want=403)
    _, order, _ = request("POST", "/v1/deals/%s/accept" % deal, "desk", {"revision": 1}, want=409)
    _, order, _ = request("POST", "/v1/deals/%s/accept" % deal, "desk",
                          {"revision": 2, "by": "Mike Delaney"}, want=200)
    if order["total"] != d["quote"]["total"] or order["accepted_by"] != "Mike Delaney":
        fail("order %s for quote total %s" % (order, d["quote"]["total"]))
    request("POST", "/v1/deals/%s/accept" % deal, "desk", {}, want=409)
    request("POST", "/v1/deals/%s/accept" % deal, "desk", {"revision": "two"}, want=400)
    request("GET", "/v1/deals/" + deal, "desk", want=200)  # with acceptance and order
    print("ok - accepted: order %s, total %s %s" % (order["id"], order["currency"], order["total"]))

    request("GET", "/v1/me", "desk", want=200)
    _, funnel, _ = request("GET", "/v1/reports/funnel", "desk", want=200)
    if funnel["stages"]["ordered"] != 1:
        fail("funnel: %s" % funnel["stages"])
    print("ok - /v1/me and the funnel report")

    # webhooks: a receiver that answers 200, and one nobody listens on (dead at once)
    srv = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    hook_url = "http://127.0.0.1:%d/hook" % srv.server_address[1]
    request("GET", "/v1/webhooks", "desk", want=403)
    request("POST", "/v1/webhooks", "admin", {"url": hook_url, "events": "*", "colour": "x"}, want=400)
    _, w1, _ = request("POST", "/v1/webhooks", "admin", {"url": hook_url, "events": "*"}, want=201)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_url = "http://127.0.0.1:%d/" % closed.getsockname()[1]
    closed.close()
    _, w2, _ = request("POST", "/v1/webhooks", "admin", {"url": dead_url, "events": "deal.*"}, want=201)
    request("GET", "/v1/webhooks", "admin", want=200)
    subprocess.run([DW, "-w", WS, "quote", "discount", ids[2], "5", "--as", "lukas"], check=True,
                   stdout=subprocess.DEVNULL)
    def delivered():
        _, dead, _ = request("GET", "/v1/webhooks/deliveries?status=dead", "admin", want=200)
        return dead if dead and received else None
    dead = until(120, "a delivery received and one dead", delivered)
    for hdrs, body in received:
        validate(json.loads(body), DOC["components"]["schemas"]["WebhookEvent"], "webhook body")
    request("GET", "/v1/webhooks/deliveries?limit=2", "admin", want=200)
    request("GET", "/v1/webhooks/deliveries?status=lost", "admin", want=400)
    request("POST", "/v1/webhooks/deliveries/%d/replay" % dead[0]["id"], "admin", want=200)
    request("POST", "/v1/webhooks/deliveries/999999/replay", "admin", want=404)
    request("DELETE", "/v1/webhooks/%d" % w2["id"], "admin", want=200)
    request("DELETE", "/v1/webhooks/%d" % w2["id"], "admin", want=404)
    request("DELETE", "/v1/webhooks/%d" % w1["id"], "admin", want=200)
    srv.shutdown()
    print("ok - webhooks: %d bodies received and validated, a dead delivery replayed" % len(received))

    # the event stream: each message's data is an Event, its id and event line agree
    s = socket.create_connection((U.hostname, U.port), timeout=15)
    s.sendall(("GET /v1/events?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
               % TOK["desk"]).encode())
    buf = b""
    while buf.count(b"\n\n") < 60:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    head, _, stream = buf.partition(b"\r\n\r\n")
    if b"200 OK" not in head.split(b"\r\n")[0] or b"text/event-stream" not in head:
        fail("events: %r" % head[:300])
    tpl, op = operation("GET", "/v1/events")
    if "text/event-stream" not in op["responses"]["200"]["content"]:
        fail("the document's events route has no text/event-stream answer")
    ops_seen.add((tpl, "GET", 200))
    stream = re.sub(rb"\r\n[0-9a-fA-F]+\r\n", b"", b"\r\n" + stream)  # chunked framing
    n = 0
    for msg in stream.decode().split("\n\n")[:50]:
        fields = dict(line.split(": ", 1) for line in msg.strip().split("\n") if ": " in line)
        if "data" not in fields:
            continue
        ev = json.loads(fields["data"])
        validate(ev, DOC["components"]["schemas"]["Event"], "event %s" % fields.get("id"))
        if str(ev["seq"]) != fields["id"] or ev["type"] != fields["event"]:
            fail("event message %r" % msg)
        n += 1
    if n < 40:
        fail("only %d events read from the stream" % n)
    request("GET", "/v1/events", "desk", headers={"Last-Event-ID": "x"}, want=400)
    print("ok - %d events from the stream validated" % n)

    # a privacy purge past the retention period (policies.yaml: 730 days) leaves deals with
    # personal values removed: null or redacted, as a client then reads them
    out = subprocess.run([DW, "-w", WS, "privacy", "purge"], check=True, capture_output=True,
                         text=True, env=dict(os.environ, DW_NOW="2031-01-01T00:00:00Z")).stdout
    redacted = 0
    for i in ids:
        _, d, _ = request("GET", "/v1/deals/" + i, "desk", want=200)
        redacted += d["privacy"] is not None
    if not redacted:
        fail("the privacy purge redacted no deal: %s" % out)
    print("ok - %d deals read again after a privacy purge" % redacted)

    # a lead as the mail it came in (message/rfc822): a lead, a bounce, a malformed one
    mail_dir = os.path.join(os.environ["DW_SOURCE_ROOT"], "tests", "data", "mail")
    rfc822 = {"Content-Type": "message/rfc822"}
    for name, want, status in (("alternative-qp-euro.eml", 202, "created"),
                               ("alternative-qp-euro.eml", 202, "duplicate"),
                               ("bounce.eml", 200, "bounce"), ("auto-reply-de.eml", 200, "auto_reply")):
        raw = open(os.path.join(mail_dir, name), "rb").read()
        _, v, _ = request("POST", "/v1/leads", "hook", raw, headers=rfc822, want=want)
        if v["status"] != status:
            fail("%s posted as message/rfc822: %s" % (name, v))
    raw = open(os.path.join(mail_dir, "malformed-no-boundary.eml"), "rb").read()
    _, v, _ = request("POST", "/v1/leads", "hook", raw, headers=rfc822, want=400)
    if "request body:7:1: malformed MIME" not in v["error"]["message"]:
        fail("a malformed mail: %s" % v)
    print("ok - leads posted as message/rfc822: a lead, a duplicate, a bounce, an auto-reply, a malformed one")

    # errors the server answers before or beside the routes
    request("GET", "/v1/leads", "hook", want=405)
    request("DELETE", "/v1/deals", "desk", want=405)
    request("GET", "/v1/nothing", "desk", want=404)
    request("GET", "/v1/deals?" + "a=" + "x" * 9000, "desk", want=414)
    for i in range(400):  # a fresh token past its burst (--rate 20: 40)
        st, _, hd = request("GET", "/v1/me", "burst", retry_429=False)
        if st == 429:
            break
    else:
        fail("no 429 after 400 requests at --rate 20")
    st, hd, body = raw_exchange(b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n")
    check_answer("GET", "/healthz", st, hd, body)
    if st != 505:
        fail("HTTP/2.0 request line: %d" % st)
    st, hd, body = raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", wait=2.5)
    check_answer("GET", "/healthz", st, hd, body)
    if st != 408:
        fail("a head not finished within --header-timeout: %d" % st)
    idle = [socket.create_connection((U.hostname, U.port)) for _ in range(16)]
    time.sleep(0.3)
    st, hd, body = raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    for s in idle:
        s.close()
    check_answer("GET", "/healthz", st, hd, body)
    if st != 503:
        fail("a connection over --per-address: %d" % st)
    print("ok - 404, 405, 408, 413, 414, 429, 503 and 505 answered as JSON errors")

    # every operation of the document was called and answered with a success
    for tpl, item in DOC["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            ok = [s for (t, m, s) in ops_seen if t == tpl and m == method.upper() and s < 300]
            if not ok:
                fail("%s %s (%s) was never answered with a success" % (method.upper(), tpl, op["operationId"]))
    print("ok - %d answers validated against the document; every operation called" % validated)


if __name__ == "__main__":
    main()

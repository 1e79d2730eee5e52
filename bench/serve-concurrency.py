#!/usr/bin/env python3
"""Concurrency soak for `dealwright serve`: kept-alive clients paging GET /v1/deals, event
stream clients connecting and going away (some mid-stream), valid and invalid lead posts,
connections closed mid-head and heads the gate refuses — all at once for --seconds. Then
the server's descriptors, threads and RSS are compared with what they were before the load.

Not part of `make test`. Usage (against a server you started, e.g. under ASan):

    python3 bench/serve-concurrency.py --port P --pid PID --admin TOKEN --hook TOKEN \
        [--seconds 30]

Exits 1 when a request hangs (no answer in 20 s), the server dies, or descriptors or
threads are not back to their count before the load.
"""
import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time


def proc(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    threads = len(os.listdir("/proc/%d/task" % pid))
    rss = 0
    for l in open("/proc/%d/status" % pid):
        if l.startswith("VmRSS:"):
            rss = int(l.split()[1])
    return fds, threads, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--admin", required=True)
    ap.add_argument("--hook", required=True)
    ap.add_argument("--seconds", type=float, default=30)
    a = ap.parse_args()
    stats = {}
    problems = []
    mu = threading.Lock()
    stop = time.time() + a.seconds

    def count(k, n=1):
        with mu:
            stats[k] = stats.get(k, 0) + n

    def conn():
        return http.client.HTTPConnection("127.0.0.1", a.port, timeout=20)

    def pager(rng):
        c = conn()
        while time.time() < stop:
            path = "/v1/deals?limit=%d" % rng.choice([1, 7, 50, 1000])
            pages = 0
            while path and time.time() < stop:
                c.request("GET", path, headers={"Authorization": "Bearer " + a.admin})
                r = c.getresponse()
                body = r.read()
                count("pages %d" % r.status)
                if r.status != 200:
                    problems.append("page %s: %d %s" % (path, r.status, body[:100]))
                    break
                json.loads(body)
                link = r.getheader("Link")
                path = link[1:link.index(">")] if link else None
                pages += 1

    def sse(rng):
        while time.time() < stop:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=20)
            s.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + a.admin.encode() + b"\r\nAccept: text/event-stream\r\n\r\n")
            got = s.recv(4096)
            count("sse " + (got[9:12].decode() if got else "none"))
            time.sleep(rng.uniform(0, 0.5))
            if rng.random() < 0.5:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            s.close()

    def poster(rng):
        c = conn()
        n = 0
        while time.time() < stop:
            n += 1
            kind = rng.choice(["ok", "badjson", "nofield", "big", "dup"])
            lead = {"source": "web_form", "external_id": "soak-%d-%d-%d" %
                    (threading.get_ident(), n, rng.randrange(1 << 30)),
                    "contact": {"name": "Ann Example", "email": "ann%d@example.org" % n},
                    "subject": "Wi-Fi", "message": "We need 10 access points for one office."}
            body = json.dumps(lead)
            if kind == "badjson":
                body = body[:-3]
            elif kind == "nofield":
                body = "{}"
            elif kind == "big":
                body = json.dumps(dict(lead, message="x" * (1 << 20)))
            elif kind == "dup":
                lead["external_id"] = "soak-dup"
                body = json.dumps(lead)
            try:
                c.request("POST", "/v1/leads", body=body,
                          headers={"Authorization": "Bearer " + a.hook,
                                   "Content-Type": "application/json"})
                r = c.getresponse()
                r.read()
                count("post %s %d" % (kind, r.status))
                if (kind in ("ok", "dup")) != (r.status == 202):
                    problems.append("post %s answered %d" % (kind, r.status))
                if r.getheader("Connection", "").lower() == "close":
                    c.close()
                    c = conn()
            except (ConnectionError, http.client.HTTPException, socket.timeout) as e:
                if kind != "big":
                    problems.append("post %s: %r" % (kind, e))
                c.close()
                c = conn()

    def hostile(rng):
        while time.time() < stop:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=20)
            k = rng.choice(["midhead", "v2", "badcl", "rst"])
            if k == "midhead":
                s.sendall(b"GET /v1/deals HTTP/1.1\r\nHost: x\r\nAuthor")
                s.close()
            elif k == "rst":
                s.sendall(b"POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                s.close()
            else:
                s.sendall(b"GET / HTTP/2.0\r\n\r\n" if k == "v2" else
                          b"POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
                d = s.recv(4096)
                count("hostile %s %s" % (k, d[9:12].decode() if d else "none"))
                s.close()
            count("hostile " + k)

    before = proc(a.pid)
    time.sleep(0.5)
    kinds = [pager] * 4 + [sse] * 3 + [poster] * 3 + [hostile] * 2
    ts = []
    for i, f in enumerate(kinds):
        rng = random.Random(i)

        def run(f=f, rng=rng):
            try:
                f(rng)
            except Exception as e:
                problems.append("%s: %r" % (f.__name__, e))
        t = threading.Thread(target=run, daemon=True)
        t.start()
        ts.append(t)
    peak = before
    while time.time() < stop:
        time.sleep(1)
        p = proc(a.pid)
        peak = tuple(max(x, y) for x, y in zip(peak, p))
    for t in ts:
        t.join(30)
        if t.is_alive():
            problems.append("a client hung")
    # connections closed by their clients go (an event stream notices at its next write;
    # a kept-alive connection at the 30 s idle timeout)
    for _ in range(40):
        time.sleep(1)
        after = proc(a.pid)
        if after[0] <= before[0] and after[1] <= before[1]:
            break
    print("requests: %s" % json.dumps(stats, sort_keys=True))
    print("fds/threads/RSS kB before %s, peak %s, after %s" % (before, peak, after))
    if after[0] > before[0] or after[1] > before[1]:
        problems.append("descriptors or threads not back: before %s after %s" % (before, after))
    for p in problems[:20]:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

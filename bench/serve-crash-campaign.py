#!/usr/bin/env python3
"""Durability campaign for `dealwright serve`: leads posted by concurrent clients in every way
HTTP allows (kept-alive, a connection per request, HTTP/1.0, Expect: 100-continue, chunked,
a head split across many segments, a slow body, pipelined requests, connections closed
mid-head), the server killed with SIGKILL at random moments and started again, round after
round; the last round ends with SIGTERM while posting. Then every lead answered 202 must be
stored exactly once, in the deal the answer named, and `dealwright audit verify` must pass.

Not part of `make test` (it runs for minutes). Usage:

    python3 bench/serve-crash-campaign.py --bin build/src/dealwright [--rounds 60]
        [--clients 6] [--seed N] [--keep DIR]

Prints the figures (rounds, leads acknowledged, lost, doubled, misplaced) and exits 1 when
any acknowledged lead is lost, doubled or misplaced, or the audit chain does not verify.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import hashlib
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"


def read_response(s, deadline):
    """One HTTP response from socket s: (status, body bytes); skips 1xx."""
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            s.settimeout(max(0.05, deadline - time.time()))
            d = s.recv(65536)
            if not d:
                raise ConnectionError("closed before a response")
            buf += d
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        hdr = {}
        for l in lines[1:]:
            k, _, v = l.partition(b":")
            hdr[k.strip().lower()] = v.strip()
        if 100 <= status < 200:
            buf = rest
            continue
        n = int(hdr.get(b"content-length", b"0"))
        while len(rest) < n:
            s.settimeout(max(0.05, deadline - time.time()))
            d = s.recv(65536)
            if not d:
                raise ConnectionError("closed mid-body")
            rest += d
        return status, rest[:n], rest[n:]


class Client(threading.Thread):
    def __init__(self, camp, idx, port, rng):
        super().__init__(daemon=True)
        self.camp, self.idx, self.port, self.rng = camp, idx, port, rng
        self.stop = False
        self.ka = None  # kept-alive socket and its leftover bytes

    def lead(self):
        c = self.camp
        with c.mu:
            c.seq += 1
            n = c.seq
            follow = c.acked_fresh and self.rng.random() < 0.15
            retry = c.unknown and self.rng.random() < 0.2
            if retry:
                ext = self.rng.choice(sorted(c.unknown))
                return c.sent[ext]
            if follow:
                base = self.rng.choice(c.acked_fresh)
        base_lead = dict(self.rng.choice(c.samples))
        base_lead["external_id"] = "camp-%06d" % n
        contact = dict(base_lead.get("contact") or {})
        if follow:
            contact["email"] = c.sent[base]["contact"]["email"]
            base_lead["subject"] = "Re: our request"
            base_lead["message"] = "A follow-up: can you add two more sites to the quote?"
            base_lead.pop("transcript", None)
            base_lead["follow_of"] = base
        else:
            user, _, dom = contact.get("email", "x@y.example").partition("@")
            contact["email"] = "%s+c%06d@%s" % (user, n, dom)
        base_lead["contact"] = contact
        with c.mu:
            c.sent[base_lead["external_id"]] = base_lead
        return base_lead

    def body(self, lead):
        l = dict(lead)
        l.pop("follow_of", None)
        return json.dumps(l).encode()

    def head(self, n, extra=b"", version=b"HTTP/1.1", te=False):
        h = (b"POST /v1/leads " + version + b"\r\nHost: x\r\nAuthorization: Bearer "
             + self.camp.token.encode() + b"\r\nContent-Type: application/json\r\n")
        h += b"Transfer-Encoding: chunked\r\n" if te else b"Content-Length: %d\r\n" % n
        return h + extra

    def record(self, lead, status, body):
        c = self.camp
        ext = lead["external_id"]
        with c.mu:
            c.answers[status] = c.answers.get(status, 0) + 1
            if status == 202:
                r = json.loads(body)
                prev = c.acked.get(ext)
                if prev and prev != r["deal"]:
                    c.problems.append("%s acknowledged twice with deals %s and %s" %
                                      (ext, prev, r["deal"]))
                if r["status"] == "follow_up" and "follow_of" in lead:
                    want = c.acked.get(lead["follow_of"])
                    if want and want != r["deal"]:
                        c.follow_other += 1
                c.acked[ext] = r["deal"]
                c.unknown.discard(ext)
                if r["status"] == "created" and ext not in c.acked_fresh_set:
                    c.acked_fresh.append(ext)
                    c.acked_fresh_set.add(ext)
            elif status in (400, 401, 403, 413, 422):
                c.problems.append("%s answered %d: %s" % (ext, status, body[:200]))

    def sock(self):
        s = socket.create_connection((HOST, self.port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def one(self):
        lead = self.lead()
        b = self.body(lead)
        mode = self.rng.choice(["ka", "ka", "ka", "new", "h10", "expect", "chunked", "split",
                                "slowbody", "pipe", "midhead"])
        self.camp.modes[mode] = self.camp.modes.get(mode, 0) + 1
        deadline = time.time() + 20
        with self.camp.mu:
            self.camp.unknown.add(lead["external_id"])
        if mode == "ka":
            if self.ka is None:
                self.ka = [self.sock(), b""]
            s = self.ka[0]
            try:
                s.sendall(self.head(len(b)) + b"\r\n" + b)
                st, body, _ = read_response(s, deadline)
            except Exception:
                self.ka[0].close()
                self.ka = None
                raise
            self.record(lead, st, body)
            return
        s = self.sock()
        try:
            if mode == "new":
                s.sendall(self.head(len(b), b"Connection: close\r\n") + b"\r\n" + b)
            elif mode == "h10":
                s.sendall(self.head(len(b), version=b"HTTP/1.0") + b"\r\n" + b)
            elif mode == "expect":
                s.sendall(self.head(len(b), b"Expect: 100-continue\r\n") + b"\r\n")
                buf = b""
                while b"\r\n\r\n" not in buf:
                    s.settimeout(max(0.05, deadline - time.time()))
                    d = s.recv(4096)
                    if not d:
                        raise ConnectionError("closed waiting for 100")
                    buf += d
                if not buf.startswith(b"HTTP/1.1 100"):
                    st = int(buf.split()[1])
                    self.record(lead, st, buf.partition(b"\r\n\r\n")[2])
                    return
                s.sendall(b)
            elif mode == "chunked":
                s.sendall(self.head(0, te=True) + b"\r\n")
                for i in range(0, len(b), 700):
                    part = b[i:i + 700]
                    s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
                s.sendall(b"0\r\n\r\n")
            elif mode == "split":
                h = self.head(len(b)) + b"\r\n"
                step = max(1, len(h) // 12)
                for i in range(0, len(h), step):
                    s.sendall(h[i:i + step])
                    time.sleep(0.01)
                s.sendall(b)
            elif mode == "slowbody":
                s.sendall(self.head(len(b)) + b"\r\n")
                for i in range(0, len(b), max(1, len(b) // 5)):
                    time.sleep(0.05)
                    s.sendall(b[i:i + max(1, len(b) // 5)])
            elif mode == "pipe":
                lead2 = self.lead()
                b2 = self.body(lead2)
                with self.camp.mu:
                    self.camp.unknown.add(lead2["external_id"])
                s.sendall(self.head(len(b)) + b"\r\n" + b + self.head(len(b2)) + b"\r\n" + b2)
                st, body, rest = read_response(s, deadline)
                self.record(lead, st, body)
                # the second answer may already be in rest
                s2 = _Prefixed(s, rest)
                st, body, _ = read_response(s2, deadline)
                self.record(lead2, st, body)
                return
            elif mode == "midhead":
                h = self.head(len(b))
                s.sendall(h[:self.rng.randrange(1, len(h))])
                s.close()
                return
            st, body, _ = read_response(s, deadline)
            self.record(lead, st, body)
        finally:
            s.close()

    def run(self):
        while not self.stop:
            try:
                self.one()
            except Exception:
                with self.camp.mu:
                    self.camp.errors += 1
                if self.stop:
                    return
                time.sleep(0.01)


class _Prefixed:
    def __init__(self, s, pre):
        self.s, self.pre = s, pre

    def settimeout(self, t):
        self.s.settimeout(t)

    def recv(self, n):
        if self.pre:
            d, self.pre = self.pre, b""
            return d
        return self.s.recv(n)


class Campaign:
    def __init__(self, args):
        self.args = args
        self.mu = threading.Lock()
        self.seq = 0
        self.sent, self.acked = {}, {}
        self.acked_fresh, self.acked_fresh_set = [], set()
        self.unknown = set()
        self.answers, self.modes = {}, {}
        self.problems = []
        self.errors = 0
        self.follow_other = 0


LEADS_SQL = ("SELECT external_id, count(*), min(deal_id) FROM leads "
             "WHERE source IS NOT NULL GROUP BY source, external_id")


def stored_leads(ws):
    """[(external_id, count, deal_id)] of the workspace's store: its SQLite file, or with
    DW_TEST_BACKEND=postgres the database tests/e2e/dw_pg.sh gave it."""
    if os.environ.get("DW_TEST_BACKEND") == "postgres":
        name = "ws_" + hashlib.md5(os.path.realpath(ws).encode()).hexdigest()[:20]
        out = subprocess.run([os.environ["DW_PG_SH"], "psql", os.environ["DW_PG_DIR"], name,
                              "-At", "-F", "\t", "-c", LEADS_SQL], check=True,
                             capture_output=True, text=True).stdout
        return [(e, int(n), int(d) if d else None)
                for e, n, d in (l.split("\t") for l in out.splitlines() if l)]
    db = sqlite3.connect(os.path.join(ws, ".dealwright", "state.db"))
    return db.execute(LEADS_SQL).fetchall()


def start(dw, ws, extra=()):
    out = tempfile.TemporaryFile()
    err = open(os.path.join(ws, "serve.err"), "ab")
    p = subprocess.Popen([dw, "-w", ws, "serve", "--listen", HOST + ":0", "--rate", "0", *extra],
                         stdout=subprocess.PIPE, stderr=err)
    line = p.stdout.readline().decode()
    m = re.search(r":(\d+) \(API", line)
    if not m:
        p.kill()
        sys.exit("the server did not start: %r" % line)
    return p, int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    dw = os.path.abspath(a.bin)
    tmp = a.keep or tempfile.mkdtemp(prefix="dw-campaign-")
    ws = os.path.join(tmp, "ws")
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([dw, "init", ws], check=True, stdout=subprocess.DEVNULL)
    tok = json.loads(subprocess.run([dw, "-w", ws, "token", "create", "--user", "webform",
                                     "--role", "integration", "--json"], check=True,
                                    capture_output=True).stdout)["secret"]
    src = os.path.join(ws, "samples", "leads.jsonl")
    if not os.path.exists(src):
        src = os.path.join(os.path.dirname(dw), "..", "..", "example", "samples", "leads.jsonl")
    c = Campaign(a)
    c.token = tok
    c.samples = [json.loads(l) for l in open(src) if l.strip()]
    t0 = time.time()
    kills = 0
    term_s = None
    for rnd in range(a.rounds + 1):
        p, port = start(dw, ws)
        clients = [Client(c, i, port, random.Random(rng.random())) for i in range(a.clients)]
        for cl in clients:
            cl.start()
        time.sleep(rng.uniform(0.2, 2.0))
        if rnd < a.rounds:
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
        else:  # the last round: SIGTERM while posting
            t = time.time()
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                c.problems.append("the server did not stop within 15 s of SIGTERM")
            term_s = time.time() - t
            if p.returncode != 0:
                c.problems.append("SIGTERM: the server exited %s" % p.returncode)
        for cl in clients:
            cl.stop = True
        for cl in clients:
            cl.join(25)
            if cl.is_alive():
                c.problems.append("a client hung after round %d" % rnd)
        sys.stderr.write("\rround %d/%d acked %d" % (rnd + 1, a.rounds + 1, len(c.acked)))
    sys.stderr.write("\n")
    rows = stored_leads(ws)
    stored = {}
    doubled = 0
    for ext, n, deal in rows:
        if n > 1:
            doubled += 1
        stored.setdefault(ext, []).append(deal)
    lost = misplaced = 0
    for ext, deal in c.acked.items():
        got = stored.get(ext)
        if not got:
            lost += 1
            c.problems.append("%s acknowledged (%s) but not stored" % (ext, deal))
        elif len(got) > 1:
            doubled += 1
            c.problems.append("%s stored %d times" % (ext, len(got)))
        elif "D-%06d" % got[0] != deal:
            misplaced += 1
            c.problems.append("%s acknowledged in %s, stored in D-%06d" % (ext, deal, got[0]))
    av = subprocess.run([dw, "-w", ws, "audit", "verify"], capture_output=True, text=True)
    if av.returncode != 0:
        c.problems.append("audit verify: %s%s" % (av.stdout, av.stderr))
    print("seed %d: %d rounds (%d kill -9, 1 SIGTERM stopped in %.1f s) in %.0f s"
          % (a.seed, a.rounds + 1, kills, term_s or -1, time.time() - t0))
    print("leads sent %d, acknowledged 202: %d, stored: %d; lost %d, doubled %d, misplaced %d; "
          "follow-ups joining a later deal of their contact (the first closed): %d" % (len(c.sent), len(c.acked), len(rows),
                                                       lost, doubled, misplaced, c.follow_other))
    print("answers %s; client-side errors (connection cut by the kill) %d" %
          (json.dumps(c.answers, sort_keys=True), c.errors))
    print("modes %s" % json.dumps(c.modes, sort_keys=True))
    print("audit verify: %s" % (av.stdout.strip() or av.stderr.strip()))
    for pr in c.problems[:30]:
        print("PROBLEM:", pr)
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())

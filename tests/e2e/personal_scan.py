#!/usr/bin/env python3
"""Search a whole dealwright store for the personal values of some deals.

usage: personal_scan.py STATE.DB DEALS LEADS.jsonl...
       personal_scan.py pg:DATABASE DEALS LEADS.jsonl...   (PostgreSQL: the database on the
       test cluster of DW_PG_DIR, read with tests/pg.sh psql as DW_PG_SH names it)

DEALS is a comma-separated list of deal ids (digits). The personal values are taken from
the leads as they were sent (the LEADS files), not from the store: each contact's name,
e-mail, phone (as written and as digits), title, the subject, and every sentence of the
message and of the transcript's turns. A value that also occurs in a lead of a deal not in
DEALS is left out (that deal still holds it lawfully). Then every text column of every
table is searched, case-insensitively, for each value as written and as it appears
escaped inside JSON. Prints one line per hit (value, table, column, rowid) and exits 1 when
there is any; prints the counts and exits 0 otherwise.
"""
import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys


class Store:
    """The rows of a SQLite file or of a PostgreSQL database, as tuples of text or None."""

    def __init__(self, where):
        self.pg = where[3:] if where.startswith("pg:") else None
        self.con = None if self.pg else sqlite3.connect(where)

    def psql(self, sql):
        return subprocess.run([os.environ["DW_PG_SH"], "psql", os.environ["DW_PG_DIR"], self.pg,
                               "-c", sql], check=True, capture_output=True).stdout.decode()

    def query(self, sql):
        if not self.pg:
            return self.con.execute(sql).fetchall()
        out = self.psql("COPY (%s) TO STDOUT WITH (FORMAT csv)" % sql)
        return [tuple(r) for r in csv.reader(io.StringIO(out))]

    def tables(self):
        if not self.pg:
            return [r[0] for r in self.con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                # the schema's own history holds no customer's data (a migration described as
                # "the buyer's page links" is not the title "Buyer" of a contact)
                " AND name <> 'schema_migrations'")]
        return [r[0] for r in self.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'schema_migrations'")]

    def table(self, t):
        """(columns, rows) of table t."""
        if not self.pg:
            cols = [r[1] for r in self.con.execute('PRAGMA table_info("%s")' % t)]
            return cols, self.con.execute('SELECT * FROM "%s"' % t)
        out = self.psql('COPY (SELECT * FROM "%s") TO STDOUT WITH (FORMAT csv, HEADER)' % t)
        rows = list(csv.reader(io.StringIO(out)))
        return rows[0], [[c if c != "" else None for c in r] for r in rows[1:]]


def sentences(text):
    out = []
    for part in re.split(r"[.!?\n]+", text or ""):
        part = part.strip()
        if len(part) >= 20:
            out.append(part)
    return out


def values_of(lead):
    c = lead.get("contact") or {}
    vals = []
    for key in ("name", "email", "phone", "title"):
        v = c.get(key)
        if isinstance(v, str) and len(v.strip()) >= 4:
            vals.append(v.strip())
    phone = c.get("phone")
    if isinstance(phone, str):
        digits = re.sub(r"[^0-9]", "", phone)
        if len(digits) >= 7:
            vals.append(digits)
            vals.append("+" + digits)
    if isinstance(lead.get("subject"), str) and len(lead["subject"]) >= 12:
        vals.append(lead["subject"].strip())
    vals += sentences(lead.get("message"))
    for turn in lead.get("transcript") or []:
        if isinstance(turn, dict):
            vals += sentences(turn.get("text"))
    # e-mail addresses and phone numbers written inside the words
    text = " ".join([lead.get("message") or ""] +
                    [t.get("text", "") for t in lead.get("transcript") or [] if isinstance(t, dict)])
    vals += re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    for m in re.findall(r"\+?\d[\d ()/.-]{6,}\d", text):
        digits = re.sub(r"[^0-9]", "", m)
        if len(digits) >= 8:
            vals += [m, digits]
    return vals


def main():
    db, deals = sys.argv[1], {int(x) for x in sys.argv[2].split(",") if x}
    leads = {}
    for path in sys.argv[3:]:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    lead = json.loads(line)
                    leads[(lead.get("source"), str(lead.get("external_id")))] = lead
    store = Store(db)
    owner = {(s, str(x)): int(d) if d not in (None, "") else None
             for s, x, d in store.query("SELECT source, external_id, deal_id FROM leads")}
    purged, kept = set(), set()
    for key, lead in leads.items():
        target = purged if owner.get(key) in deals else kept
        for v in values_of(lead):
            target.add(v.lower())
    missing = [d for d in deals if d not in owner.values()]
    if missing:
        print("no leads for deals %s" % missing)
        return 2
    # a value a deal that stays also holds is not the purged deals' alone
    kept_text = "\n".join(kept)
    wanted = sorted(v for v in purged if v not in kept and v not in kept_text)
    if not wanted:
        print("no personal values to look for")
        return 2
    forms = {}
    for v in wanted:
        forms[v] = {v, json.dumps(v, ensure_ascii=False)[1:-1].lower(),
                    json.dumps(v)[1:-1].lower()}
    hits = 0
    cells = 0
    tables = store.tables()
    for t in tables:
        cols, rows = store.table(t)
        for n, row in enumerate(rows, 1):
            for col, cell in zip(cols, row):
                if cell is None:
                    continue
                if isinstance(cell, bytes):
                    cell = cell.decode("utf-8", "replace")
                cell = str(cell).lower()
                cells += 1
                for v, fs in forms.items():
                    if any(f in cell for f in fs):
                        hits += 1
                        print("personal value %r left in %s.%s (row %d)" % (v, t, col, n))
    if hits:
        return 1
    print("%d personal values of %d deals absent from %d cells of %d tables" %
          (len(wanted), len(deals), cells, len(tables)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

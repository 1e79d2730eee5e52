#!/usr/bin/env python3
"""Search a whole dealwright store for the personal values of some deals.

usage: personal_scan.py STATE.DB DEALS LEADS.jsonl...

DEALS is a comma-separated list of deal ids (digits). The personal values are taken from
the leads as they were sent (the LEADS files), not from the store: each contact's name,
e-mail, phone (as written and as digits), title, the subject, and every sentence of the
message and of the transcript's turns. A value that also occurs in a lead of a deal not in
DEALS is left out (that deal still holds it lawfully). Then every text column of every
table is searched, case-insensitively, for each value as written and as it appears
escaped inside JSON. Prints one line per hit (value, table, column, rowid) and exits 1 when
there is any; prints the counts and exits 0 otherwise.
"""
import json
import re
import sqlite3
import sys


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
    con = sqlite3.connect(db)
    owner = {(s, str(x)): d for s, x, d in con.execute("SELECT source, external_id, deal_id FROM leads")}
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
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        # the schema's own history holds no customer's data (a migration described as "the
        # buyer's page links" is not the title "Buyer" of a contact)
        " AND name <> 'schema_migrations'")]
    for t in tables:
        cols = [r[1] for r in con.execute('PRAGMA table_info("%s")' % t)]
        for n, row in enumerate(con.execute('SELECT * FROM "%s"' % t), 1):
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

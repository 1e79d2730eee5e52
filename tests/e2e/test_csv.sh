#!/bin/sh
# CSV in and out: a CRM's export becomes leads (HubSpot, Salesforce, a semicolon export from
# European Excel, another CRM through --map), every broken file is refused at its cell with
# nothing stored, a re-import changes nothing, and deals and quotes go out as CSV a
# spreadsheet reads back with the store's totals to the cent.
. "$(dirname "$0")/lib.sh"
CSV="${DW_SOURCE_ROOT:?}/tests/data/csv"
new_ws

# ---- every broken file: its error where it is, exit 2, nothing stored -------------------
bad() { # FILE WANT-IN-STDERR [ARGS...]
    bf=$1; bwant=$2; shift 2
    expect_exit 2 dw lead add "$bf" "$@"
    echo "$ERR" | grep -qF -- "$bwant" || fail "$bf: expected '$bwant' in: $ERR"
    [ "$(leads_n)" = "$N0" ] || fail "$bf: a refused import stored leads ($(leads_n), before $N0)"
    [ "$(events_n)" = "$E0" ] || fail "$bf: a refused import wrote events"
}
check_broken() {
    N0=$(leads_n); E0=$(events_n)
    # the second row's e-mail (line 3, column 27: after "900002","Ola","Nordmann",)
    bad "$CSV/bad-email.csv" "bad-email.csv:3:27: Email: 'ola.nordmann(at)fjordhavn.example' is not an email address"
    bad "$CSV/missing-message.csv" "missing-message.csv:1:1: no column for the lead's message"
    bad "$CSV/missing-id.csv" "missing-id.csv:1:1: no column for the lead's record id"
    bad "$CSV/unterminated.csv" "unterminated.csv:3:34: unterminated quoted field"
    bad "$CSV/empty-message.csv" "empty-message.csv:3:69: the message (column 'Description') is empty"
    bad "$CSV/bad-country.csv" "bad-country.csv:3:34: Country/Region: unknown country 'Atlantis'"
    bad "$CSV/bad-date.csv" "bad-date.csv:3:34: 'yesterday' is not a date"
    bad "$CSV/other-crm.csv" "other-crm.csv:1:1: --map external_id=Nope: the header has no column 'Nope'" --map external_id=Nope
    bad "$CSV/other-crm.csv" "unknown field 'nope'" --map nope=Note
    # a field over the lead's limit (64 KiB), and more rows than one import takes
    python3 - "$TMP" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/big.csv", "w", newline="") as f:
    f.write('"Record ID","Email","Message"\r\n"1","a@b.example","ok"\r\n')
    f.write('"2","c@d.example","' + "x" * 70000 + '"\r\n')
with open(d + "/many.csv", "w", newline="") as f:
    f.write("Record ID,Email,Message\r\n")
    for i in range(50001):
        f.write("r%d,buyer%d@many.example,We need SD-WAN for 2 sites.\r\n" % (i, i))
PY
    bad "$TMP/big.csv" "big.csv:3:19: field longer than 65536 bytes"
    bad "$TMP/many.csv" "many.csv:50002:1: more than 50000 rows in one import"
}
check_broken
pass "broken files refused at their cell (FILE:LINE:COL), nothing stored"

# ---- the real-shaped exports ------------------------------------------------------------
expect_exit 0 dw lead add "$CSV/hubspot-contacts.csv"
[ "$(echo "$OUT" | wc -l)" = 3 ] || fail "HubSpot: 3 deals expected: $OUT"
echo "$ERR" | grep -q "3 rows of a HubSpot export: 3 new" || fail "HubSpot summary: $ERR"
expect_exit 0 dw lead add "$CSV/salesforce-leads.csv"
echo "$ERR" | grep -q "2 rows of a Salesforce export: 2 new" || fail "Salesforce summary: $ERR"
expect_exit 0 dw lead add "$CSV/excel-semicolon.csv"
expect_exit 0 dw lead add "$CSV/other-crm.csv" --map 'external_id=Person ID,name=Person - Name,email=Person - Email,company=Organization - Name,message=Note'
[ "$(leads_n)" = 8 ] || fail "8 leads expected, $(leads_n) stored"

# each lead as the file says it, field by field (written from the files before running)
deals_json >"$TMP/deals.json"
python3 - "$TMP/deals.json" <<'PY' || fail "imported leads differ from the files"
import json, sys
deals = {d["lead"]["external_id"]: d["lead"] for d in json.load(open(sys.argv[1]))}
want = {
    "51234001": ("Jürgen Weiß", "j.weiss@hafenkontor-bremen.example", "DE", "2026-11-20T09:14:00Z",
                 "Hafenkontor Bremen GmbH", "Guten Tag,\nwir betreiben 6 Standorte"),
    "51234003": ("Tom O'Neill", "tom.oneill@corkharbour-foods.example", "IE", "2026-11-21T08:30:00Z",
                 "Cork Harbour Foods, Ltd.", "Hi, we need secure networking for 3 sites"),
    # Salesforce ids in their 18-character form (the suffix encodes the capitals: "00Q5g" has
    # one at 2 -> E, "00000" none -> A, "AbCdE" at 0, 2, 4 -> 21 -> V)
    "00Q5g00000AbCdEEAV": ("Ana Núñez", "ana.nunez@distribuciones-levante.example", "ES", "2026-11-23T00:00:00Z",
                        "Distribuciones Levante S.L.", "Hola, tenemos 5 almacenes"),
    "00Q5g00000AbCdFEAV": ("Pieter de Vries", "p.devries@noordzee-koel.example", "NL", "2026-11-24T00:00:00Z",
                        "Noordzee Koeltransport B.V.", "We run 8 depots"),
    "7001": ("Björn Åkesson", "bjorn.akesson@vastkust-frakt.example", "SE", "2026-11-23T10:05:00Z",
             "Västkust Frakt AB", "Hej, we have 3 terminals, about 40 users, and want SD-WAN with firewall, cloud managed; budget"),
    "7002": ("Marta Kowalska", "m.kowalska@baltic-cargo.example", "PL", "2026-11-24T16:40:00Z",
             "Baltic Cargo, Sp. z o.o.", "We need SD-WAN for 5 sites"),
    "p-88": ("Greta Lindqvist", "greta@nordhavn-logistik.example", None, None,
             "Nordhavn Logistik ApS", "We are looking for SD-WAN for 4 warehouses"),
}
bad = []
for ext, (name, email, country, at, company, msg) in want.items():
    l = deals.get(ext)
    if not l:
        bad.append("no lead %s" % ext); continue
    c = l["contact"]
    got = (l["source"], c.get("name"), c.get("email"), c.get("country"), c.get("company"))
    if got != ("crm", name, email, country, company):
        bad.append("%s: %r" % (ext, got))
    if at and l["received_at"] != at:
        bad.append("%s: received_at %s, expected %s" % (ext, l["received_at"], at))
    if not l["message"].startswith(msg):
        bad.append("%s: message %r" % (ext, l["message"][:80]))
if "Presupuesto aproximado: 30.000 €." not in deals["00Q5g00000AbCdEEAV"]["message"].split("\n")[1]:
    bad.append("the quoted line break of the Salesforce description was lost")
if bad:
    print("\n".join(bad), file=sys.stderr); sys.exit(1)
PY
pass "HubSpot, Salesforce, semicolon and --map exports read field by field (BOM, CRLF, quoted newlines, accents)"

# ---- a re-import changes nothing; the broken files still change nothing ------------------
EV=$(events_n)
expect_exit 0 dw lead add "$CSV/hubspot-contacts.csv"
[ "$(echo "$OUT" | grep -c '(duplicate)')" = 3 ] || fail "re-import: $OUT"
expect_exit 0 dw lead add "$CSV/salesforce-leads.csv"
[ "$(leads_n)" = 8 ] && [ "$(events_n)" = "$EV" ] || fail "a re-import stored something"
# the same Salesforce leads with the API's 18-character ids (suffix in lower case, as some
# tools write it) are the same records
sed 's/"00Q5g00000AbCdE"/"00Q5g00000AbCdEeav"/; s/"00Q5g00000AbCdF"/"00Q5g00000AbCdFEAV"/' \
    "$CSV/salesforce-leads.csv" >"$TMP/salesforce-18.csv"
expect_exit 0 dw lead add "$TMP/salesforce-18.csv"
[ "$(echo "$OUT" | grep -c '(duplicate)')" = 2 ] || fail "18-character ids: $OUT"
[ "$(leads_n)" = 8 ] && [ "$(events_n)" = "$EV" ] || fail "18-character ids stored the leads again"
check_broken
pass "re-imports idempotent by the CRM's record id (Salesforce's 15- and 18-character forms alike)"

# ---- deals and quotes out, read back by Python's csv module ------------------------------
dw lead add "$WS/samples/leads.jsonl" >/dev/null
# a customer's name that a spreadsheet would run as a formula
printf '%s\r\n%s\r\n' '"Record ID","First Name","Last Name","Email","Company Name","Message"' \
    '"990001","=HYPERLINK(""http://x.example"")","@Sum","buyer@formula.example","+Plus -Minus Ltd","We need SD-WAN for 3 sites, about 30 users."' >"$TMP/formula.csv"
dw lead add "$TMP/formula.csv" >/dev/null 2>&1
dw run >/dev/null
dw deals export -o "$TMP/deals.csv"
dw quotes export --format csv >"$TMP/quotes.csv"
dw deals export --format json -o "$TMP/deals-export.json"
deals_json >"$TMP/all.json"
python3 - "$TMP" <<'PY' || fail "the exports disagree with the store"
import csv, decimal, json, sys
d = sys.argv[1]
raw = open(d + "/deals.csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n"), "rows must end in CRLF"
store = {x["id"]: x for x in json.load(open(d + "/all.json"))}
rows = list(csv.DictReader(open(d + "/deals.csv", encoding="utf-8-sig", newline="")))
assert [r["deal"] for r in rows] == sorted(store), "one row per deal, in order"
assert list(rows[0]) == ["deal", "stage", "account", "contact_name", "contact_email", "country", "source",
                         "external_id", "currency", "quote_revision", "subtotal", "discount", "total",
                         "valid_until", "demo_start", "created_at", "updated_at"], list(rows[0])
cents = lambda s: int(decimal.Decimal(s) * 100)
n = total = 0
for r in rows:
    s = store[r["deal"]]
    assert r["stage"] == s["stage"], r
    q = s["quote"]
    if q:
        n += 1
        for k in ("subtotal", "discount", "total"):
            assert cents(r[k]) == cents(q[k]), (r["deal"], k, r[k], q[k])
        assert r["currency"] == q["currency"] and r["quote_revision"] == str(q["revision"])
        total += cents(r["total"])
    else:
        assert r["total"] == "" and r["currency"] in ("", s.get("currency") or ""), r
assert n >= 20, "only %d quoted deals" % n
# the formula cells are text for a spreadsheet, the money is not touched
f = [r for r in rows if r["external_id"] == "990001"][0]
assert f["contact_name"] == "'=HYPERLINK(\"http://x.example\") @Sum", f["contact_name"]
assert f["account"] == "'+Plus -Minus Ltd", f["account"]
# quotes: every line of every current quote; lines add up to the quote's total, to the cent
qrows = list(csv.DictReader(open(d + "/quotes.csv", encoding="utf-8-sig", newline="")))
per = {}
for r in qrows:
    per.setdefault(r["deal"], []).append(r)
quoted = {k: v["quote"] for k, v in store.items() if v["quote"]}
assert set(per) == set(quoted), set(per) ^ set(quoted)
for deal, lines in per.items():
    q = quoted[deal]
    assert [l["sku"] for l in lines] == [l["sku"] for l in q["lines"]], deal
    assert sum(cents(l["net"]) for l in lines) == cents(q["total"]) == cents(lines[0]["quote_total"]), deal
    for l, s in zip(lines, q["lines"]):
        assert int(l["quantity"]) == s["quantity"] and cents(l["unit_price"]) == cents(s["unit_price"]), (deal, l)
# JSON: the same rows
j = json.load(open(d + "/deals-export.json"))
assert [x["deal"] for x in j] == [r["deal"] for r in rows] and all(
    (x["total"] or "") == r["total"] for x, r in zip(j, rows))
print("ok - %d deals, %d quote lines, totals %d.%02d re-read to the cent" % (len(rows), len(qrows), total // 100, total % 100))
PY
expect_exit 2 dw deals export --format xml
echo "$ERR" | grep -q "format" || fail "an unknown format: $ERR"
# --json, as on every command, gives JSON (not CSV with a byte-order mark)
dw quotes export --json | python3 -c "import json,sys; json.load(sys.stdin)" ||
    fail "quotes export --json is not JSON"
expect_exit 2 dw deals export --json --format csv
pass "deals and quotes exported as CSV and JSON, re-read with the store's totals"

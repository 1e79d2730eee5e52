#!/bin/sh
# Proposal documents read back by the real readers: `deal proposal --format pdf` through
# poppler's pdftotext (the letterhead, every quote line with its terms, the totals and the
# validity date, equal to the stored quote to the cent, in the customer's language and its
# formats; "Page N of M" on a proposal of several pages), the HTML page well-formed and
# escaped, and the same documents from the API.
. "$(dirname "$0")/lib.sh"
command -v pdftotext >/dev/null || fail "pdftotext (poppler-utils, a test package) is not installed"

new_ws
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
dw deal show --all --json >"$TMP/deals.json"

# The expected text is written here from the languages' conventions (not by the library):
# English "€44,296.00" / "$1,234.56" / "CHF 1,234.56", "January 5, 2027"; German
# "44.296,00 €", "5. Januar 2027"; a monthly line reads "per month" over "× 12 months".
cat >"$TMP/check.py" <<'PY'
import json, re, subprocess, sys, datetime

deals = {d["id"]: d for d in json.load(open(sys.argv[1]))}
deal, pdf, lang = sys.argv[2], sys.argv[3], sys.argv[4]
d = deals[deal]
q, p = d["quote"], d["proposal"]
MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"],
          "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                 "September", "Oktober", "November", "Dezember"]}

def cents(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2]) * (-1 if s.startswith("-") else 1)

def money(s):
    v = cents(s)
    whole, frac = divmod(abs(v), 100)
    if lang == "de":
        return "%s,%02d €" % ("{:,}".format(whole).replace(",", "."), frac)
    sign = {"EUR": "€", "USD": "$"}.get(q["currency"], q["currency"] + " ")
    return "%s%s.%02d" % (sign, "{:,}".format(whole), frac)

def day(iso):
    t = datetime.date.fromisoformat(iso)
    m = MONTHS[lang][t.month - 1]
    return "%d. %s %d" % (t.day, m, t.year) if lang == "de" else "%s %d, %d" % (m, t.day, t.year)

def text(*args):
    return subprocess.run(["pdftotext", "-layout", *args, pdf, "-"], check=True,
                          capture_output=True, text=True).stdout.replace("\u00a0", " ")

def fail(msg):
    print("FAIL: %s %s: %s" % (deal, lang, msg), file=sys.stderr)
    sys.exit(1)

info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
whole = text()
page_of = "Seite %d von %d" if lang == "de" else "Page %d of %d"
for n in range(1, pages + 1):
    if (page_of % (n, pages)) not in text("-f", str(n), "-l", str(n)):
        fail("page %d does not say %r" % (n, page_of % (n, pages)))
for want in ["Northwind Edge Systems GmbH", "Leopoldstraße 28", "80802 München",
             d["lead"]["contact"]["company"]]:
    if want not in whole:
        fail("%r is not in the PDF" % want)
# the totals: they add up in the store, and the PDF shows them to the cent
nets = sum(cents(l["net"]) for l in q["lines"])
if nets != cents(q["total"]) or sum(cents(l["amount"]) for l in q["lines"]) != cents(q["subtotal"]):
    fail("the stored quote does not add up")
lines = whole.split("\n")
# subtotal and discount when there is a discount; the total always
rows = [("total", {"en": "Total", "de": "Gesamt"}[lang])]
if cents(q["discount"]):
    rows.append(("subtotal", {"en": "Subtotal", "de": "Zwischensumme"}[lang]))
    want = "(%s %%)" % q["discount_pct"].replace(".", "," if lang == "de" else ".")
    if not any(want in l and ("−" + money(q["discount"])) in l for l in whole.split("\n")):
        fail("no discount line %s −%s" % (want, money(q["discount"])))
elif re.search(r"\b(Subtotal|Zwischensumme)\b", whole):
    fail("a subtotal line without a discount")
for key, label in rows:
    if not any(re.search(r"\b%s\b.*%s\s*$" % (label, re.escape(money(q[key]))), l) for l in lines):
        fail("no line with %s %s" % (label, money(q[key])))
# every quote line: SKU, quantity, unit price, amount, net on its row, the terms below
month_word, once = {"en": ("per month", "months", "one-time"), "de": ("pro Monat", "Monate", "einmalig")}[lang][0:2], \
    {"en": "one-time", "de": "einmalig"}[lang]
for l in q["lines"]:
    row = [i for i, t in enumerate(lines)
           if re.search(r"^\s*%s\s+.*\s%d\s+%s\s" % (re.escape(l["sku"]), l["quantity"],
                                                     re.escape(money(l["unit_price"]))), t)]
    if len(row) != 1:
        fail("the row of %s (%d × %s) is not one line of the quote table: %s"
             % (l["sku"], l["quantity"], money(l["unit_price"]), row))
    t = lines[row[0]]
    if not t.rstrip().endswith(money(l["net"])) or money(l["amount"]) not in t or \
            (cents(l["discount"]) and money(l["discount"]) not in t):
        fail("%s: amount %s and net %s not on its row: %r" % (l["sku"], money(l["amount"]),
                                                            money(l["net"]), t))
    if l["billing"] == "monthly":
        below = lines[row[0] + 1] if row[0] + 1 < len(lines) else ""
        want = "× %d %s" % (l["term_months"], month_word[1])
        if month_word[0] not in t or want not in below:
            fail("%s is billed monthly: %r over %r expected, got %r / %r"
                 % (l["sku"], month_word[0], want, t, below))
    elif once not in t:
        fail("%s: %r not on its row" % (l["sku"], once))
# the template's sentence (templates/de/proposal.mustache: "gültig bis zum **DATE**")
valid = {"en": "This quote is valid until %s.", "de": "Dieses Angebot ist gültig bis zum %s."}[lang]
if valid % day(p["valid_until"]) not in whole.replace("\n", " "):
    fail("no %r" % (valid % day(p["valid_until"])))
for c in p["citations"]:
    if "[%d] " % c["ref"] not in whole or c["path"].split("/")[-1][:20] not in whole:
        fail("citation %d (%s) is not a footnote" % (c["ref"], c["path"]))
print("%s %s %d %d" % (deal, q["total"], pages, len(q["lines"])))
PY

# The prose: every heading, paragraph, list item and table cell of the proposal's Markdown
# (as md4c reads it for the HTML page) is in the PDF, in its order of blocks; the two tables
# of the stored quote's figures are drawn from the quote (checked above), so their cells are
# not looked for in the template's words. Compared without whitespace (pdftotext breaks
# lines, pango breaks after a hyphen) and without footnote markers; a block may be split by
# a page's foot (the footer and the footnotes between its halves). Then the standard terms
# in the template's words, written out here from example/templates/*proposal.mustache, and
# no Markdown syntax.
cat >"$TMP/prose.py" <<'PY'
import re, subprocess, sys
from html.parser import HTMLParser
html, pdf, lang = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sys.argv[3]

class Blocks(HTMLParser):
    KEEP = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th"}
    def __init__(s):
        super().__init__(); s.stack = []; s.blocks = []; s.table = None
    def handle_starttag(s, t, a):
        if t == "table": s.table = []
        if t in s.KEEP: s.stack.append([t, ""])
    def handle_endtag(s, t):
        if t in s.KEEP and s.stack:
            tag, text = s.stack.pop()
            (s.table if tag in ("td", "th") and s.table is not None else s.blocks).append(text)
        if t == "table":
            # a table with an amount in it is one of the quote's (drawn from the stored quote)
            if not any(re.search(r"\d[.,]\d\d\b", c) for c in s.table):
                s.blocks += s.table
            s.table = None
    def handle_data(s, d):
        if s.stack: s.stack[-1][1] += d

b = Blocks(); b.feed(html); b.close()
# the footnote definitions (a paragraph of "[N]: ..." lines on the HTML page) are footnotes
blocks = []
for t in b.blocks:
    if re.match(r"\s*\[\d+\]:", t):
        blocks += [re.sub(r"^\s*\[\d+\]:\s*", "", l) for l in t.split("\n") if l.strip()]
    else:
        blocks.append(t)
b.blocks = blocks
def squash(t):
    return re.sub(r"\s+", "", re.sub(r"\[\d+\]", "", t.replace("\u00a0", " ")))
raw = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True, capture_output=True,
                     text=True).stdout
doc = squash(raw)
def found(want):
    w = squash(want)
    if not w or w in doc: return True
    for k in range(len(w) - 1, 8, -1):  # split by a page's foot: head, then tail soon after
        for m in re.finditer(re.escape(w[:k]), doc):
            if w[k:] in doc[m.end():m.end() + 2500]: return True
    return False
missing = [t for t in b.blocks if not found(t)]
if len(b.blocks) < 25 or missing:
    sys.exit("%d blocks, not in the PDF: %r" % (len(b.blocks), missing[:5]))
terms = {"en": ["Summary", "Thank you for the opportunity to support your network project.",
                "Northwind General Terms and Conditions for Products and Services apply.",
                "Payment 30 days net from invoice; hardware and one-time services are invoiced on delivery",
                "Hardware ships from Munich within 15 business days of order (Incoterms 2020 DAP).",
                "Liability is capped at 100 % of the fees paid in the twelve months before the claim.",
                "Next steps", "Confirm acceptance of quote revision"],
         "de": ["Zusammenfassung", "Vielen Dank für die Gelegenheit, Ihr Netzwerkprojekt zu begleiten.",
                "Es gelten die Allgemeinen Geschäftsbedingungen von Northwind für Produkte und Dienstleistungen.",
                "Zahlung 30 Tage netto ab Rechnungsdatum",
                "ab München geliefert (Incoterms 2020 DAP).",
                "Die Haftung ist auf 100 % der in den zwölf Monaten vor dem Schadensereignis gezahlten Entgelte begrenzt.",
                "Nächste Schritte", "Bestätigen Sie die Annahme der Angebotsversion"],
         "fr": ["Synthèse", "Paiement à 30 jours net date de facture",
                "Le matériel est expédié depuis Munich dans les 15 jours ouvrés suivant la commande (Incoterms 2020 DAP).",
                "La responsabilité est plafonnée à 100 % des sommes versées au cours des douze mois précédant la réclamation."]}[lang]
missing = [t for t in terms if not found(t)]
if missing:
    sys.exit("the terms are not in the PDF: %r" % missing)
for leak in ["**", "|---", "[^", "](", "`", "&amp;", "&lt;"]:
    if leak in raw:
        sys.exit("Markdown or markup shows in the PDF: %r" % leak)
print(len(b.blocks))
PY

# English: the first deal with an English proposal; German: the one in German (the sample
# from Stadtwerke Hohenfels writes German, so its proposal is German).
EN=$(json_get "next(x['id'] for x in d if x['proposal'] and x['proposal']['document_language'] == 'en' and x['stage'] == 'proposal_ready')" <"$TMP/deals.json")
DE=$(json_get "next(x['id'] for x in d if x['proposal'] and x['proposal']['document_language'] == 'de')" <"$TMP/deals.json")
[ -n "$EN" ] && [ -n "$DE" ] || fail "no English or German proposal among the samples"
# a discount within the rep's band: a second revision, its lines discounted, re-proposed
dw quote discount "$EN" 5 --as lukas >/dev/null
dw deal show --all --json >"$TMP/deals.json"
[ "$(json_get "next(x['quote']['revision'] for x in d if x['id'] == '$EN'), next(x['proposal']['quote_revision'] for x in d if x['id'] == '$EN')" <"$TMP/deals.json")" = "2 2" ] ||
    fail "$EN: the discounted revision was not proposed"

dw deal proposal "$EN" --format pdf -o "$TMP/en.pdf"
head -c 5 "$TMP/en.pdf" | grep -q '%PDF-' || fail "$EN: -o did not write a PDF"
r=$(python3 "$TMP/check.py" "$TMP/deals.json" "$EN" "$TMP/en.pdf" en) || fail "English PDF"
pass "English PDF of $r (deal, total, pages, lines): letterhead, lines, totals, validity, footnotes"
dw deal proposal "$EN" --format html -o "$TMP/en.html"
r=$(python3 "$TMP/prose.py" "$TMP/en.html" "$TMP/en.pdf" en) || fail "English PDF's prose"
pass "English PDF: all $r blocks of the template's Markdown, the terms, no Markdown syntax"

dw deal proposal "$DE" --format pdf >"$TMP/de.pdf"
r=$(python3 "$TMP/check.py" "$TMP/deals.json" "$DE" "$TMP/de.pdf" de) || fail "German PDF"
pages=$(echo "$r" | cut -d' ' -f3)
[ "$pages" -ge 2 ] || fail "the German proposal should run to several pages, got $pages"
pass "German PDF of $r: German words, 1.234,56 € and 5. Januar 2027, Seite N von $pages"
dw deal proposal "$DE" --format html -o "$TMP/de.html"
r=$(python3 "$TMP/prose.py" "$TMP/de.html" "$TMP/de.pdf" de) || fail "German PDF's prose"
pass "German PDF: all $r blocks of the template's Markdown, the terms, no Markdown syntax"

# French: a customer writing French gets templates/fr/, and its PDF all of it
cat >"$TMP/fr.json" <<'JSON'
{"source": "web_form", "external_id": "docs-fr-1", "received_at": "2026-11-24T09:00:00Z",
 "contact": {"name": "Claire Dubois", "email": "claire.dubois@transports-dubois.example",
             "company": "Transports Dubois SA", "country": "FR"},
 "subject": "SD-WAN pour nos sites",
 "message": "Bonjour, nous sommes Transports Dubois, une entreprise de logistique avec 10 sites en France. Nous avons besoin de SD-WAN avec un pare-feu sur chaque site et d'une gestion dans le cloud pendant 3 ans. Notre budget est de 80 000 EUR et nous souhaitons démarrer en février. Merci de nous envoyer un devis."}
JSON
FR=$(dw lead add "$TMP/fr.json")
dw run >/dev/null
dw deal proposal "$FR" --format pdf -o "$TMP/fr.pdf"
dw deal proposal "$FR" --format html -o "$TMP/fr.html"
grep -q '<html lang="fr">' "$TMP/fr.html" || fail "$FR: the proposal is not French"
r=$(python3 "$TMP/prose.py" "$TMP/fr.html" "$TMP/fr.pdf" fr) || fail "French PDF's prose"
pdftotext "$TMP/fr.pdf" - | grep -q "Page 1 sur" || fail "French PDF: no 'Page 1 sur'"
pass "French PDF: all $r blocks of the template's Markdown, the terms, Page N sur M"
dw deal show --all --json >"$TMP/deals.json"

# Every proposal renders; a deal without a proposal, or a bad format, is refused
for id in $(json_get "' '.join(x['id'] for x in d if x['proposal'])" <"$TMP/deals.json"); do
    dw deal proposal "$id" --format pdf -o "$TMP/all.pdf"
    pdftotext "$TMP/all.pdf" - | grep -q "Northwind Edge Systems GmbH" || fail "$id: no letterhead"
done
NOP=$(json_get "next(x['id'] for x in d if not x['proposal'])" <"$TMP/deals.json")
expect_exit 2 dw deal proposal "$NOP" --format pdf -o "$TMP/none.pdf"
echo "$ERR" | grep -q "has no proposal yet" || fail "no proposal: $ERR"
[ ! -e "$TMP/none.pdf" ] || fail "a file was written for a deal without a proposal"
expect_exit 2 dw deal proposal "$EN" --format docx
pass "every proposal renders; none yet and an unknown format refused, nothing written"

# HTML: one self-contained page, balanced, the customer's text escaped, no script
cat >"$TMP/lead.json" <<'JSON'
{"source": "web_form", "external_id": "docs-hostile-1", "received_at": "2026-11-24T09:00:00Z",
 "contact": {"name": "Eva <b>Kraus</b>", "email": "eva.kraus@kraus-logistik.example",
             "company": "Kraus <script>alert(1)</script> & Söhne GmbH", "country": "DE"},
 "subject": "SD-WAN for our sites",
 "message": "Hello, we are Kraus Logistik, a logistics company with 12 sites in Germany. We need SD-WAN with a firewall at every site and cloud management for 3 years. Our budget is EUR 90,000 and we would like to start in February. Please send us a quote."}
JSON
K=$(dw lead add "$TMP/lead.json")
dw run >/dev/null
dw deal proposal "$K" --format html -o "$TMP/k.html"
python3 - "$TMP/k.html" <<'PY' || fail "HTML page"
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr"}
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.tags = set(); s.text = []
    def handle_starttag(s, t, a):
        s.tags.add(t)
        if t not in VOID: s.stack.append(t)
    def handle_endtag(s, t):
        if not s.stack or s.stack[-1] != t:
            sys.exit("unbalanced </%s> with %s open" % (t, s.stack))
        s.stack.pop()
    def handle_data(s, d): s.text.append(d)
h = open(sys.argv[1], encoding="utf-8").read()
p = P(); p.feed(h); p.close()
if p.stack: sys.exit("unclosed: %s" % p.stack)
if "script" in p.tags or "link" in p.tags or "img" in p.tags: sys.exit("script, link or img in the page")
import re
m = re.search(r"(src|href)=\"(https?:)?//", h)
if m: sys.exit("an external resource: %s" % h[m.start() - 80:m.end() + 40])
if not h.startswith("<!DOCTYPE html>") or "<table>" not in h or "@media print" not in h:
    sys.exit("not a printable page with tables")
if "Kraus <script>alert(1)</script> & Söhne GmbH" not in "".join(p.text):
    sys.exit("the company is not shown as the customer wrote it (as text)")
PY
dw deal proposal "$K" --format pdf -o "$TMP/k.pdf"
# the title may wrap: the lines joined
pdftotext "$TMP/k.pdf" - | tr '\n' ' ' | grep -qF "Kraus <script>alert(1)</script> & Söhne GmbH" ||
    fail "the PDF does not show the company's name as text"
# neither pango markup nor Markdown in a company's name: the characters, as written
sed -e 's/docs-hostile-1/docs-hostile-2/' -e 's/Kraus <script>alert(1)<\/script> & Söhne GmbH/<b>ACME<\/b> \& \\"Co\\" *x*/' \
    -e 's/eva.kraus@kraus-logistik/eva@acme/' "$TMP/lead.json" >"$TMP/acme.json"
grep -qF '"company": "<b>ACME</b> & \"Co\" *x*"' "$TMP/acme.json" || fail "the ACME lead: $(cat "$TMP/acme.json")"
A=$(dw lead add "$TMP/acme.json")
dw run >/dev/null
dw deal proposal "$A" --format pdf -o "$TMP/a.pdf"
n=$(pdftotext "$TMP/a.pdf" - | tr '\n' ' ' | grep -oF '<b>ACME</b> & "Co" *x*' | wc -l)
[ "$n" -ge 2 ] || fail "the PDF does not show <b>ACME</b> & \"Co\" *x* as text in the title and prepared-for line ($n)"
dw deal proposal "$A" --format html -o "$TMP/a.html"
python3 "$TMP/prose.py" "$TMP/a.html" "$TMP/a.pdf" en >/dev/null || fail "the ACME PDF's prose"
pass "HTML page well-formed, self-contained and printable; customer text escaped in HTML and PDF"
pass "a company named <b>ACME</b> & \"Co\" *x*: those characters in the PDF, and all its prose"

# The letterhead's keys are validated where they stand (dealwright.yaml company)
cp -r "$WS" "$TMP/bad"
python3 - "$TMP/bad/dealwright.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace("  email: sales@northwind-edge.example", "  email: sales at northwind")
s = s.replace("    - Germany\n", "    - Germany\n    - \"Postfach\\t12\"\n")
open(p, "w", encoding="utf-8").write(s)
PY
EMAIL_LINE=$(grep -n '^  email:' "$TMP/bad/dealwright.yaml" | cut -d: -f1)
TAB_LINE=$(grep -n 'Postfach' "$TMP/bad/dealwright.yaml" | cut -d: -f1)
expect_exit 1 "$DW" -w "$TMP/bad" validate
echo "$OUT$ERR" | grep -q "dealwright.yaml:$EMAIL_LINE:10: email: 'sales at northwind' is not an e-mail address" ||
    fail "the bad e-mail: $OUT $ERR"
echo "$OUT$ERR" | grep -q "dealwright.yaml:$TAB_LINE:7: address: control characters are not allowed" ||
    fail "the bad address line: $OUT $ERR"
pass "the company's letterhead validated at FILE:LINE:COL"

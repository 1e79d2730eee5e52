#!/bin/sh
# Mail in: `lead add` of real-world mails (tests/data/mail: multipart/alternative with
# quoted-printable €, HTML-only in ISO-8859-1, base64 with an attachment and RFC 2047
# headers, a reply in the thread from a colleague, a bounce, automatic replies, malformed and
# oversized ones), a folder and a maildir all or nothing, stdin, `extract` on a raw mail, and
# POST /v1/leads with Content-Type: message/rfc822.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
M="$DW_SOURCE_ROOT/tests/data/mail"
new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

# show DEAL EXPR: Python over the deal's JSON (d)
show() { dw deal show "$1" --json | json_get "$2"; }
# lead_of DEAL N EXPR: Python over the N-th lead's raw input (l)
lead_of() { dw deal show "$1" --json | python3 -c "import json,sys; l=json.load(sys.stdin)['leads'][$2]['raw']; print($3)"; }

# ---- one mail: multipart/alternative, quoted-printable €, the plain part read -----------
expect_exit 0 dw lead add "$M/alternative-qp-euro.eml"
[ "$OUT" = "D-000001" ] || fail "alternative: $OUT"
[ "$(lead_of D-000001 0 'l["source"], l["external_id"]')" = \
  "email CAF7b2Qx9m3-hv.20261117.0941@mail.harbourview-hotels.example" ] ||
    fail "source/external_id: $(lead_of D-000001 0 'l')"
[ "$(lead_of D-000001 0 'l["contact"]["name"], l["contact"]["email"], l["received_at"]')" = \
  "Olivia Grant olivia.grant@harbourview-hotels.example 2026-11-17T09:41:07Z" ] ||
    fail "sender/date: $(lead_of D-000001 0 'l')"
[ "$(lead_of D-000001 0 'l["subject"]')" = "SD-WAN and guest Wi-Fi for our 6 hotels" ] ||
    fail "subject"
lead_of D-000001 0 'l["message"]' | grep -q "Budget is around €45k for the whole project" ||
    fail "the quoted-printable € was lost: $(lead_of D-000001 0 'l["message"]')"
lead_of D-000001 0 'l["message"]' | grep -q "+353 1 555 0148" || fail "the signature was dropped"
lead_of D-000001 0 'l["message"]' | grep -q "<div\|<p>\|=E2=82" && fail "HTML or QP left in the text"
[ "$(lead_of D-000001 0 'l["email"]["attachments"], l["email"]["html_only"]')" = "[] False" ] ||
    fail "alternative: no attachment, not HTML-only"
pass "multipart/alternative: sender, subject, Date, Message-ID and the plain text with €45k"

# the same mail delivered again is the same lead
expect_exit 0 dw lead add "$M/alternative-qp-euro.eml"
[ "$OUT" = "D-000001	(duplicate)" ] || fail "re-delivery: $OUT"
[ "$(leads_n CAF7b2Qx9m3-hv.20261117.0941@mail.harbourview-hotels.example)" = 1 ] ||
    fail "re-delivery stored a second lead"
pass "re-delivery is idempotent (external_id = Message-ID)"

# a colleague answering in the thread (In-Reply-To) continues the deal, though his address
# is new to it and the subject names no deal
expect_exit 0 dw lead add "$M/reply-to-deal.eml"
[ "$OUT" = "D-000001	(follow_up)" ] || fail "reply in the thread: $OUT"
dw events list --type lead.follow_up --json |
    json_get '[e["data"].get("reference") for e in d]' | grep -q "D-000001" ||
    fail "the follow-up was not matched by the thread"
lead_of D-000001 1 'l["message"]' | grep -q "also needs 4 outdoor access points for the terrace" ||
    fail "format=flowed soft breaks were not joined: $(lead_of D-000001 1 'l["message"]')"
pass "a reply (In-Reply-To) from a colleague of the same company continues its deal"

# ---- HTML-only, ISO-8859-1, RFC 2047 in Q encoding -------------------------------------
expect_exit 0 dw lead add "$M/html-only-fr.eml"
DF=$OUT
[ "$(lead_of "$DF" 0 'l["contact"]["name"]')" = "Renée Lefèvre" ] || fail "RFC 2047 From"
[ "$(lead_of "$DF" 0 'l["subject"]')" = "Demande de devis : réseau pour nos 9 fromageries" ] ||
    fail "RFC 2047 subject: $(lead_of "$DF" 0 'l["subject"]')"
lead_of "$DF" 0 'l["message"]' >"$TMP/fr.txt"
grep -q "^- 9 sites$" "$TMP/fr.txt" || fail "list items: $(cat "$TMP/fr.txt")"
grep -q "budget : 60 000 €" "$TMP/fr.txt" || fail "entities: $(cat "$TMP/fr.txt")"
grep -q "avant la fin de l'année" "$TMP/fr.txt" || fail "ISO-8859-1 to UTF-8"
grep -q "alert\|<p>\|margin" "$TMP/fr.txt" && fail "script, style or tags left: $(cat "$TMP/fr.txt")"
[ "$(lead_of "$DF" 0 'l["email"]["html_only"]')" = True ] || fail "html_only"
pass "HTML-only mail in ISO-8859-1 read as text; RFC 2047 subject and name decoded"

# ---- base64 body, RFC 2047 base64 subject, an attachment listed ---------------------------
expect_exit 0 dw lead add "$M/base64-de-attachment.eml"
DD=$OUT
[ "$(lead_of "$DD" 0 'l["subject"], l["contact"]["name"]')" = \
  "Anfrage: SD-WAN für 8 Standorte Jürgen Müller" ] || fail "German headers"
lead_of "$DD" 0 'l["message"]' | grep -q "Unser Budget liegt bei etwa 70.000 €" || fail "base64 body"
[ "$(lead_of "$DD" 0 'json.dumps(l["email"]["attachments"])')" = \
  '[{"name": "Lastenheft Netzwerk.pdf", "type": "application/pdf", "size": 93}]' ] ||
    fail "attachment: $(lead_of "$DD" 0 'l["email"]["attachments"]')"
lead_of "$DD" 0 'l["message"]' | grep -q "PDF-1.4\|JVBER" && fail "the attachment was read as text"
pass "base64 body and subject decoded; the PDF listed (name, type, 93 bytes), not read"

# ---- machines: a bounce and automatic replies store nothing --------------------------------
N=$(dw_stat leads)
expect_exit 0 dw lead add "$M/bounce.eml"
echo "$OUT" | grep -q "^-	(bounce: a delivery status report" || fail "bounce: $OUT"
expect_exit 0 dw lead add "$M/auto-reply-de.eml"
echo "$OUT" | grep -q "(auto_reply: Auto-Submitted: auto-replied)" || fail "auto-reply: $OUT"
expect_exit 0 dw lead add "$M/out-of-office-fr.eml"
echo "$OUT" | grep -q "(auto_reply: subject starts with 'réponse automatique')" ||
    fail "out of office by subject: $OUT"
[ "$(dw_stat leads)" = "$N" ] || fail "a bounce or an auto-reply was stored"
[ "$(events_n lead.follow_up)" = 1 ] || fail "an auto-reply naming D-000003 joined a deal"
pass "bounce (multipart/report) and auto-replies (header, out-of-office subject) are not leads"

# ---- malformed and oversized: FILE:LINE:COL, exit 2, nothing stored -------------------------
expect_exit 2 dw lead add "$M/malformed-no-boundary.eml"
echo "$ERR" | grep -q "malformed-no-boundary.eml:7:1: malformed MIME: a multipart without a boundary" ||
    fail "malformed: $ERR"
expect_exit 2 dw lead add "$M/too-many-headers.eml"
echo "$ERR" | grep -q "too-many-headers.eml:501:1: more than 500 header fields" || fail "headers: $ERR"
python3 - "$M/alternative-qp-euro.eml" "$TMP/big.eml" <<'EOF'
import sys
head = open(sys.argv[1], 'rb').read().split(b'\n\n', 1)[0].replace(b'multipart/alternative', b'text/plain')
head = head.replace(b'boundary="000000000000a1b2c3d4e5f6"', b'charset=utf-8')
open(sys.argv[2], 'wb').write(head + b'\n\n' + (b'x' * 76 + b'\n') * 140000)
EOF
expect_exit 2 dw lead add "$TMP/big.eml"
echo "$ERR" | grep -q "big.eml.*limit is 10485760" || fail "oversized: $ERR"
printf 'From: a@b.example\nSubject: x\nnot a header\n\nbody\n' >"$TMP/badhead.eml"
expect_exit 2 dw lead add "$TMP/badhead.eml"
echo "$ERR" | grep -q "badhead.eml:3:4: malformed header field" || fail "bad header line: $ERR"
printf 'Subject: no sender\nMessage-ID: <x@y.example>\n\nWe need SD-WAN.\n' >"$TMP/nofrom.eml"
expect_exit 2 dw lead add "$TMP/nofrom.eml"
echo "$ERR" | grep -q "nofrom.eml: no From header" || fail "no sender: $ERR"
[ "$(dw_stat leads)" = "$N" ] || fail "a refused mail stored something"
pass "malformed, oversized, bad header and sender-less mail refused with where and what"

# ---- a folder and a maildir: all or nothing --------------------------------------------
mkdir -p "$TMP/inbox"
cp "$M/bounce.eml" "$M/auto-reply-de.eml" "$TMP/inbox/"
cat >"$TMP/inbox/a-new.eml" <<'EOF'
From: Piet de Vries <p.devries@dijkstra-bouw.example>
To: sales@northwind-edge.example
Subject: Offerte SD-WAN voor 5 vestigingen
Date: Fri, 20 Nov 2026 10:00:00 +0100
Message-ID: <piet.1@dijkstra-bouw.example>
Content-Type: text/plain; charset=utf-8

Goedemorgen, wij zoeken SD-WAN met firewall voor 5 vestigingen, budget ongeveer 30.000 euro.
EOF
cp "$M/malformed-no-boundary.eml" "$TMP/inbox/b-broken.eml"
echo "not mail, ignored" >"$TMP/inbox/notes.txt"
expect_exit 2 dw lead add "$TMP/inbox"
echo "$ERR" | grep -q "b-broken.eml:7:1" || fail "folder error: $ERR"
[ "$(dw_stat leads)" = "$N" ] || fail "a folder with a broken mail stored some"
rm "$TMP/inbox/b-broken.eml"
expect_exit 0 dw lead add "$TMP/inbox"
echo "$OUT" | grep -q "^D-[0-9]*	.*a-new.eml$" || fail "folder lead: $OUT"
echo "$OUT" | grep -q "(bounce: .*bounce.eml$" || fail "folder bounce: $OUT"
[ "$(echo "$OUT" | wc -l)" = 3 ] || fail "folder: one line per mail: $OUT"
[ "$(dw_stat leads)" = $((N + 1)) ] || fail "folder: one lead stored"
pass "a folder is all or nothing; its bounce reported, its lead stored"

mkdir -p "$TMP/Maildir/cur" "$TMP/Maildir/new" "$TMP/Maildir/tmp"
cp "$M/alternative-qp-euro.eml" "$TMP/Maildir/cur/1763372467.M1P1.mx:2,S"
sed 's/piet.1@/piet.2@/; s/5 vestigingen/6 vestigingen/' "$TMP/inbox/a-new.eml" \
    >"$TMP/Maildir/new/1763636400.M2P2.mx"
echo "half written" >"$TMP/Maildir/tmp/1763636401.M3P3.mx"
expect_exit 0 dw lead add "$TMP/Maildir" --json
echo "$OUT" | json_get '[(m["kind"], m["status"]) for m in d]' |
    grep -q "\[('lead', 'duplicate'), ('lead', 'follow_up')\]" ||
    fail "maildir: $OUT"
pass "a maildir: cur/ and new/ read, tmp/ left alone, re-delivery a duplicate"

# stdin, as a mail system's pipe delivers it
sed 's/piet.1@/piet.3@/' "$TMP/inbox/a-new.eml" >"$TMP/stdin.eml"
expect_exit 0 dw lead add - <"$TMP/stdin.eml"
echo "$OUT" | grep -q "^D-" || fail "stdin: $OUT"
pass "a mail on stdin"

# ---- extract on a raw mail -------------------------------------------------------------
expect_exit 0 dw extract "$M/alternative-qp-euro.eml"
echo "$OUT" | json_get 'd["budget"]["amount"], d["budget"]["currency"]' | grep -qx "45000.00 EUR" ||
    fail "extract lost the quoted-printable €45k: $(echo "$OUT" | json_get 'd["budget"]')"
echo "$OUT" | json_get 'json.dumps(d["contact_details"])' | grep -q "harbourview-hotels.example" &&
    fail "extract took a header address for a contact: $OUT"
pass "extract on a raw mail: €45k read, the Message-ID not taken for a contact"

# ---- the API: message/rfc822 ---------------------------------------------------------
HOOK=$(dw token create --user mailgw --role integration --json | json_get 'd["secret"]')
start_server --rate 0
post_mail() { # post_mail FILE -> $CODE, $TMP/body
    CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $HOOK" \
        -H 'Content-Type: message/rfc822' --data-binary "@$1" "$U/v1/leads" || true)
}
sed 's/piet.1@/piet.4@/; s/5 vestigingen/9 vestigingen/' "$TMP/inbox/a-new.eml" >"$TMP/api.eml"
post_mail "$TMP/api.eml"
[ "$CODE" = 202 ] || fail "API mail: $CODE $(cat "$TMP/body")"
json_get 'd["status"]' <"$TMP/body" | grep -qx "created\|follow_up" || fail "API status"
post_mail "$TMP/api.eml"
[ "$CODE" = 202 ] && json_get 'd["status"]' <"$TMP/body" | grep -qx duplicate ||
    fail "API re-delivery: $CODE $(cat "$TMP/body")"
post_mail "$M/bounce.eml"
[ "$CODE" = 200 ] && [ "$(json_get 'd["status"], d["deal"]' <"$TMP/body")" = "bounce None" ] ||
    fail "API bounce: $CODE $(cat "$TMP/body")"
post_mail "$M/malformed-no-boundary.eml"
[ "$CODE" = 400 ] || fail "API malformed: $CODE"
json_get 'd["error"]["message"]' <"$TMP/body" | grep -q "request body:7:1: malformed MIME" ||
    fail "API malformed message: $(cat "$TMP/body")"
# a buyer's RFP with a 3 MiB PDF attached is a lead like any other (the mail limit, not
# the JSON body's 1 MiB); past the mail limit (10 MiB) a 413 that names it
python3 - "$TMP" <<'PY'
import base64, os, sys
def mail(path, mid, size):
    body = base64.encodebytes(os.urandom(size)).decode()
    with open(path, "w") as f:
        f.write("From: Lena Vogt <l.vogt@stahlbau-nord.example>\r\nTo: sales@northwind-edge.example\r\n"
                "Subject: RFP network refresh, 14 sites\r\nDate: Mon, 30 Nov 2026 09:12:00 +0100\r\n"
                "Message-ID: <%s@stahlbau-nord.example>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\nHello, attached is our RFP: SD-WAN "
                "with firewall for 14 sites in Germany, budget EUR 120k.\r\n\r\nLena Vogt\r\n--b1\r\n"
                "Content-Type: application/pdf; name=\"RFP.pdf\"\r\n"
                "Content-Disposition: attachment; filename=\"RFP.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s--b1--\r\n" % (mid, body))
mail(sys.argv[1] + "/rfp.eml", "rfp-3m", 3 << 20)
mail(sys.argv[1] + "/huge.eml", "rfp-11m", 8 << 20)
PY
post_mail "$TMP/rfp.eml"
[ "$CODE" = 202 ] || fail "a 4 MiB mail: $CODE $(head -c 300 "$TMP/body")"
RFP=$(json_get 'd["deal"]' <"$TMP/body")
[ "$(lead_of "$RFP" 0 'l["email"]["attachments"][0]["name"]')" = RFP.pdf ] ||
    fail "the RFP's attachment is not listed"
post_mail "$TMP/huge.eml"
[ "$CODE" = 413 ] || fail "an 11 MiB mail: $CODE"
json_get 'd["error"]["message"]' <"$TMP/body" | grep -q "larger than 10485760 bytes" ||
    fail "413 message: $(cat "$TMP/body")"
# mails held at once are limited together (64 MiB): eight slow 9.5 MiB posts at the same
# time, and the one that would pass the limit is told to come back (503, Retry-After)
python3 - "$TMP" <<'PY'
import sys
src = open(sys.argv[1] + "/huge.eml").read()
cut = src[: (9 << 20) + (1 << 19)].rsplit("\n", 1)[0] + "\n--b1--\r\n"
for i in range(8):
    open("%s/slow-%d.eml" % (sys.argv[1], i), "w").write(cut.replace("rfp-11m", "slow-%d" % i))
PY
SLOW=""
for i in 0 1 2 3 4 5 6 7; do
    curl -s -o "$TMP/slow-$i.out" -D "$TMP/slow-$i.head" -w '%{http_code}\n' --limit-rate 1M \
        -X POST -H "Authorization: Bearer $HOOK" -H 'Content-Type: message/rfc822' \
        --data-binary "@$TMP/slow-$i.eml" "$U/v1/leads" >"$TMP/slow-$i.code" &
    SLOW="$SLOW $!"
done
for p in $SLOW; do wait "$p"; done
codes=$(cat "$TMP"/slow-*.code | sort | uniq -c | tr -s ' ' | tr '\n' ';')
grep -l "^503" "$TMP"/slow-*.code >/dev/null || fail "no post was held back past 64 MiB: $codes"
grep -q "^202" "$TMP"/slow-0.code "$TMP"/slow-*.code || fail "no slow mail was taken: $codes"
for f in "$TMP"/slow-*.code; do
    case $(cat "$f") in
    202) ;;
    503) grep -qi "^retry-after: 1" "${f%.code}.head" || fail "503 without Retry-After" ;;
    *) fail "a slow mail got $(cat "$f"): $codes" ;;
    esac
done
head -c $((2 << 20)) /dev/zero | tr '\0' ' ' >"$TMP/big.json"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $HOOK" \
    -H 'Content-Type: application/json' --data-binary "@$TMP/big.json" "$U/v1/leads" || true)
[ "$CODE" = 413 ] || fail "a 2 MiB JSON body: $CODE"
kill -TERM "$PID"
wait "$PID" || true
PID=""
pass "POST /v1/leads with message/rfc822: created, duplicate, bounce (200), malformed (400), an RFP with a 3 MiB PDF (202), past 10 MiB 413, past 64 MiB held at once 503"

# the privacy purge takes the attachments' names (a sender names them) with the text
dw run >/dev/null
expect_exit 0 dw accept "$DD"
DW_NOW=2031-01-01T00:00:00Z dw privacy purge >/dev/null
[ "$(lead_of "$DD" 0 'l["email"]["attachments"][0]["name"], l["message"]')" = "[redacted] [redacted]" ] ||
    fail "purge: $(lead_of "$DD" 0 'l')"
pass "the privacy purge redacts a mail's text and its attachments' names"

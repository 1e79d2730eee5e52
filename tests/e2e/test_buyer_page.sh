#!/bin/sh
# The buyer's page: `deal link` makes signed links served by `serve` at /p/TOKEN without a
# staff token. A real browser (playwright-core on Debian's chromium, tests/e2e/buyer_page.cjs)
# accepts one deal's proposal, declines another with a reason, asks for changes on a third,
# and finds a superseded revision, an expired link, a revoked one and a tampered token
# refused; then the store is checked: the order from exactly that revision, the signature
# in the acceptance and not in the audit chain, the deal lost with the reason, the request a
# follow-up message, every view and decision audited. With curl: forms without the page's
# session or form token, or from another origin, are refused and change nothing; the page's
# rate limit answers 429 while staff tokens go on. Nothing here skips: a missing tool fails.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make test-deps installs it)"
. "$(dirname "$0")/npm.sh"
npm_tools "the buyer's page test" chromium
PW="$NODE_MODULES/playwright-core"

new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
DESK=$(dw token create --user maria --role deal_desk --json | json_get 'd["secret"]')
# six English proposals for the browser, and the German one (Stadtwerke Hohenfels) for curl
dw deal show --all --json >"$TMP/all.json"
set -- $(json_get '" ".join([x["id"] for x in d if x["stage"] == "proposal_ready" and x["proposal"]["document_language"] == "en"][:6])' <"$TMP/all.json")
[ $# = 6 ] || fail "expected six English proposals ready, got $#"
ACC=$1 DEC=$2 CHG=$3 SUP=$4 EXP=$5 REV=$6
CSRF=$(json_get 'next(x["id"] for x in d if x["stage"] == "proposal_ready" and x["proposal"]["document_language"] == "de")' <"$TMP/all.json")
show() { dw deal show "$1" --json; }
link() { dw deal link "$@" 2>/dev/null; }

A=$(link "$ACC" --as lukas)
AREV=$(show "$ACC" | json_get 'd["quote"]["revision"]')
AHASH=$(show "$ACC" | json_get 'd["quote"]["hash"]')
D=$(link "$DEC")
C=$(link "$CHG")
S=$(link "$SUP")
dw quote discount "$SUP" 5 --as lukas >/dev/null
[ "$(show "$SUP" | json_get 'd["stage"] + " " + str(d["quote"]["revision"])')" = "proposal_ready 2" ] ||
    fail "$SUP: a second revision with its proposal"
# made four days before the server's now, valid for one day
E=$(DW_NOW=2026-11-20T12:00:00Z link "$EXP" --days 1)
R=$(link "$REV")
dw deal link "$REV" --revoke >/dev/null
X=$(link "$CSRF")
# the tampered token: one character of the tag changed
T=$(python3 -c 'import sys; t = sys.argv[1]; print(t[:-5] + ("B" if t[-5] == "A" else "A") + t[-4:])' "$A")
[ "$T" != "$A" ] || fail "the tampered token is the same"
[ "$(dw deal link "$ACC" --list)" = "$ACC/1  revision $AREV  open        expires 2026-12-08T12:00:00Z" ] ||
    fail "link list: $(dw deal link "$ACC" --list)"
pass "links made: seven deals, one revoked, one superseded by a new revision, one expired"

start_server

# ---- forms the page did not send, by curl: refused, nothing changed -------------------------
curl -s -c "$TMP/jar" -o "$TMP/page" "$U$X"
TOKEN=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/page" | head -1)
[ ${#TOKEN} = 64 ] || fail "no form token on the page"
for w in '<html lang="de">' 'Angebot annehmen' 'Ich nehme Angebotsversion 1 und die Bedingungen' \
    'Annehmen und unterschreiben' 'Änderungen erbitten' 'Angebot ablehnen' 'Angebotsversion <strong>1</strong>' \
    "$(show "$CSRF" | json_get '"<strong id=\"total\">" + "{:,}".format(int(d["quote"]["total"].split(".")[0])).replace(",", ".") + "," + d["quote"]["total"].split(".")[1] + "\u00a0€</strong>"')" \
    "gültig bis <strong>24. Dezember 2026</strong>"; do
    grep -qF "$w" "$TMP/page" || fail "the German customer's page lacks '$w'"
done
grep -q 'dw_buyer' "$TMP/jar" || fail "no session cookie"
grep -qi 'httponly' "$TMP/jar" || grep -q '#HttpOnly_' "$TMP/jar" || fail "the session cookie is not HttpOnly"
post() { # post EXPECTED-STATUS [curl args...]: the accept form with the given changes
    _want=$1; shift
    _got=$(curl -s -o "$TMP/post" -w '%{http_code}' "$@" --data-urlencode action=accept \
        --data-urlencode "name=Mallory Forger" --data-urlencode title=CEO --data-urlencode agree=yes \
        "$U$X")
    [ "$_got" = "$_want" ] || fail "POST $*: $_got, expected $_want: $(head -c 600 "$TMP/post")"
}
post 403 --data-urlencode "csrf=$TOKEN"                       # no session cookie
post 403 -b "$TMP/jar" --data-urlencode "csrf=$(printf '%064d' 0)" # a wrong form token
post 403 -b "$TMP/jar" --data-urlencode "csrf=$TOKEN" -H "Origin: http://evil.example"
grep -q "not sent from this page" "$TMP/post" || fail "the cross-origin refusal: $(cat "$TMP/post")"
# the token of another session (another browser's cookie) does not do either
curl -s -c "$TMP/jar2" -o /dev/null "$U$X"
post 403 -b "$TMP/jar2" --data-urlencode "csrf=$TOKEN"
# the box not ticked: the form again with what is wrong
_got=$(curl -s -o "$TMP/post" -w '%{http_code}' -b "$TMP/jar" --data-urlencode action=accept \
    --data-urlencode "csrf=$TOKEN" --data-urlencode "name=Mallory Forger" --data-urlencode title=CEO "$U$X")
[ "$_got" = 400 ] && grep -q 'id="form-error"' "$TMP/post" && grep -q 'id="accept"' "$TMP/post" ||
    fail "accept without the box: $_got $(head -c 400 "$TMP/post")"
[ "$(show "$CSRF" | json_get 'd["stage"] + " " + str(d["order"])')" = "proposal_ready None" ] ||
    fail "$CSRF changed after refused forms"
[ "$(dw audit list --action buyer.accept --json | json_get 'len(d)')" = 0 ] || fail "a refused form was audited as an acceptance"
pass "forms without the page's session, with a wrong token or from another origin: 403, nothing stored"

# ---- the browser ---------------------------------------------------------------------------
OTHERS=$(dw deal show --all --json | json_get "json.dumps([x['lead']['contact']['company'] for x in d if x['id'] not in ('$ACC',) and x['lead']['contact'].get('company')][:6])")
COMPANY=$(show "$ACC" | json_get 'd["lead"]["contact"]["company"]')
cat >"$TMP/cases.json" <<JSON
{"accept": {"path": "$A", "hash": "$AHASH", "revision": $AREV, "company": "$COMPANY"},
 "decline": {"path": "$D"}, "changes": {"path": "$C"}, "superseded": {"path": "$S"},
 "expired": {"path": "$E"}, "revoked": {"path": "$R"}, "tampered": {"path": "$T"},
 "others": $OTHERS}
JSON
LEADS_BEFORE=$(show "$CHG" | json_get 'len(d["leads"])')
"$NODE" "$(dirname "$0")/buyer_page.cjs" "$PW" "$U" "$TMP/profile" "$TMP/cases.json" ||
    fail "the browser test (server log: $(tail -5 "$TMP/serve.err"))"

# ---- what the store says -------------------------------------------------------------------
show "$ACC" >"$TMP/acc.json"
[ "$(json_get '(d["stage"], d["order"]["quote_revision"], d["order"]["quote_hash"], d["acceptance"]["recorded_by"])' <"$TMP/acc.json")" = \
  "('ordered', $AREV, '$AHASH', 'buyer:$ACC/1')" ] || fail "the order: $(json_get 'd["order"], d["acceptance"]' <"$TMP/acc.json")"
[ "$(json_get '(d["acceptance"]["signature"]["name"], d["acceptance"]["signature"]["title"], d["acceptance"]["signature"]["agreed"], len(d["acceptance"]["signature"]["ip_hash"]), "dealwright-test" in d["acceptance"]["signature"]["user_agent"], d["order"]["accepted_by"])' <"$TMP/acc.json")" = \
  "('Jana Hartmann', 'Head of IT <Procurement>', True, 32, True, 'Jana Hartmann')" ] ||
    fail "the signature: $(json_get 'd["acceptance"]' <"$TMP/acc.json")"
dw audit show "$ACC" --json >"$TMP/acc-audit.json"
[ "$(json_get '" ".join(sorted(set(a["action"] for a in d if a["actor"] == "buyer:'"$ACC"'/1")))' <"$TMP/acc-audit.json")" = \
  "buyer.accept buyer.view deal.accept" ] || fail "the acceptance's audit: $(json_get '[(a["actor"], a["action"]) for a in d][-6:]' <"$TMP/acc-audit.json")"
[ "$(json_get 'sum(1 for a in d if a["action"] == "buyer.view")' <"$TMP/acc-audit.json")" -ge 2 ] || fail "views not audited"
! grep -q "Jana Hartmann" "$TMP/acc-audit.json" || fail "the signatory's name is in the audit chain"
dw events list --json | grep -q "Jana Hartmann" && fail "the signatory's name is in the event log"
pass "accepted in the browser: the order from revision $AREV ($AHASH), signed, audited without the name"

[ "$(show "$DEC" | json_get '(d["stage"], "budget was cut" in d["outcome"]["customer_reason"], d["order"])')" = "('lost', True, None)" ] ||
    fail "the declined deal: $(show "$DEC" | json_get 'd["stage"], d["outcome"]')"
[ "$(dw audit show "$DEC" --json | json_get 'any(a["action"] == "buyer.decline" for a in d)')" = True ] || fail "decline not audited"
pass "declined in the browser: the deal is lost with the customer's reason"

show "$CHG" >"$TMP/chg.json"
[ "$(json_get 'len(d["leads"])' <"$TMP/chg.json")" = $((LEADS_BEFORE + 1)) ] || fail "the request is not a message on $CHG"
[ "$(json_get '"24 months instead of 12" in d["leads"][-1]["message"] and "'"$CHG"'" in d["leads"][-1]["subject"]' <"$TMP/chg.json")" = True ] ||
    fail "the follow-up: $(json_get 'd["leads"][-1]' <"$TMP/chg.json")"
[ "$(dw audit show "$CHG" --json | json_get 'any(a["action"] == "buyer.changes" for a in d)')" = True ] || fail "changes not audited"
pass "changes asked in the browser: a follow-up message on $CHG, as a reply would be"

for id in "$SUP" "$EXP" "$REV"; do
    [ "$(show "$id" | json_get 'd["order"]')" = None ] || fail "$id has an order"
done
dw audit show "$SUP" --json | json_get '[a["data"]["state"] for a in d if a["action"] == "buyer.view"]' | grep -q superseded ||
    fail "the superseded view is not audited"
dw audit verify >/dev/null || fail "the audit chain does not verify"
pass "superseded, expired and revoked links accepted nothing; every view audited; the chain verifies"

# ---- the page's rate limit (the server's limiter, per client address) -------------------
# --rate 1: a bucket of 2 requests' worth, refilled by 1 a second; a page request costs 5
# capped at the bucket, so the first page is served and the next ones wait their turn
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
start_server --rate 1
n429=0 first=""
for i in $(seq 10); do
    s=$(curl -s -D "$TMP/h$i" -o /dev/null -w '%{http_code}' "$U$T")
    [ -n "$first" ] || first=$s
    if [ "$s" = 429 ]; then
        n429=$((n429 + 1))
        grep -qi '^retry-after: 1' "$TMP/h$i" || fail "429 without Retry-After: $(cat "$TMP/h$i")"
    fi
done
[ "$first" = 403 ] && [ "$n429" -ge 5 ] || fail "rate limit: first $first, $n429 of 10 answered 429"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $DESK" "$U/v1/deals/$ACC")" = 200 ] ||
    fail "a staff token was limited by the page's bucket"
pass "the page's rate limit: $n429 of 10 rapid requests answered 429 (Retry-After: 1); staff tokens unaffected"
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""

# ---- what the customer typed is personal data: the retention purge removes it all ----------
DW_NOW=2029-12-01T00:00:00Z dw privacy purge >/dev/null
show "$ACC" | json_get '(d["acceptance"]["by"], d["acceptance"]["signature"]["name"], d["acceptance"]["signature"]["title"], d["acceptance"]["signature"]["ip_hash"], d["order"]["accepted_by"])' >"$TMP/purged"
[ "$(cat "$TMP/purged")" = "('[redacted]', '[redacted]', '[redacted]', '[redacted]', '[redacted]')" ] ||
    fail "the signature after the purge: $(cat "$TMP/purged")"
[ "$(show "$DEC" | json_get 'd["outcome"]["customer_reason"]')" = "[redacted]" ] || fail "the reason for declining after the purge"
db .dump >"$TMP/dump.sql"
for v in "Jana Hartmann" "IT <Procurement>" "budget was cut"; do  # the closed deals; the change request's deal is open
    ! grep -qF "$v" "$TMP/dump.sql" || fail "'$v' is still in the store after the purge: $(grep -F "$v" "$TMP/dump.sql" | cut -c1-300 | head -3)"
done
dw audit verify >/dev/null || fail "the audit chain does not verify after the purge"
pass "the purge redacts the closed deals' signature and reason for declining; the chain still verifies"

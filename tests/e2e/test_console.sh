#!/bin/sh
# The browser console: its files from the binary with a strict Content-Security-Policy, then
# a real browser (playwright-core from npm driving Debian's chromium, tests/e2e/console.cjs)
# signs in, approves an escalated deal and sees it move on, and rejects another with a note.
# The setup installs what it needs: chromium with apt when run as root, playwright-core with
# npm into a cache in the build tree. Without them (not root, no network) it skips (77).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
SKIP=77
CACHE="${DW_BUILD_ROOT:-$TMP}/e2e-node"

# The browser and the driver.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } \
            >"$TMP/apt.log" 2>&1 || { echo "SKIP: apt-get could not install$missing"; exit $SKIP; }
    else
        echo "SKIP: needs$missing (sudo apt-get install -y$missing)"
        exit $SKIP
    fi
fi
PW="$CACHE/node_modules/playwright-core"
if [ ! -f "$PW/package.json" ]; then
    mkdir -p "$CACHE"
    npm install --prefix "$CACHE" --no-audit --no-fund --no-save playwright-core@1 >"$TMP/npm.log" 2>&1 ||
        { echo "SKIP: npm could not install playwright-core: $(tail -3 "$TMP/npm.log")"; exit $SKIP; }
fi

new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
# maria holds deal_desk: she may decide the deal desk's discount band and the manager's below it.
DESK=$(dw token create --user maria --role deal_desk --json | json_get 'd["secret"]')
HOOK=$(dw token create --user webform --role integration --json | json_get 'd["secret"]')

"$DW" -w "$WS" serve --listen 127.0.0.1:0 --rate 0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
PID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/serve.out")
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || fail "the server did not start: $(cat "$TMP/serve.err")"
U="http://127.0.0.1:$PORT"

curl -s -D "$TMP/headers" -o "$TMP/index" "$U/"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$TMP/headers" ||
    fail "the console lacks its Content-Security-Policy: $(cat "$TMP/headers")"
grep -q '<script src="/console/console.js"' "$TMP/index" || fail "the console page: $(cat "$TMP/index")"
if grep -q '<script>' "$TMP/index" || grep -q ' on[a-z]*=' "$TMP/index"; then
    fail "the console page has inline script"
fi
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/console/console.js")" = 200 ] || fail "console.js"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/console/..%2fcli.h")" = 404 ] || fail "a path outside the console"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/console/nothing.js")" = 404 ] || fail "an unknown file"
pass "the console is served from the binary with a Content-Security-Policy and no inline script"

# A deal within the rep's authority, then two escalated ones: a 15 % discount (manager band)
# and a 25 % one (deal desk band).
sed -n '1p;7,8p' "$WS/samples/leads.jsonl" >"$TMP/leads"
while read -r lead; do
    printf '%s' "$lead" | curl -s -o /dev/null -X POST -H "Authorization: Bearer $HOOK" \
        --data-binary @- "$U/v1/leads"
done <"$TMP/leads"
for _ in $(seq 100); do
    N=$(curl -s -H "Authorization: Bearer $DESK" "$U/v1/approvals" | json_get 'len(d)')
    [ "$N" = 2 ] && break
    sleep 0.1
done
[ "$N" = 2 ] || fail "expected two pending approvals, got $N"
DEALS=$(curl -s -H "Authorization: Bearer $DESK" "$U/v1/approvals" | json_get '" ".join(a["deal"] for a in d)')
set -- $DEALS
# A second quote revision of the first deal (a discount within a rep's authority) to compare.
for _ in $(seq 100); do
    [ "$(db "SELECT stage FROM deals WHERE id=1")" = proposal_ready ] && break
    sleep 0.1
done
dw quote discount D-000001 5 --as lukas >/dev/null
A="Authorization: Bearer $DESK"
curl -s -H "$A" "$U/v1/deals/D-000001/quotes/1/diff/2" >"$TMP/diff"
[ "$(json_get 'd["totals"]["total"]["delta"] < 0 and d["to"]["revision"] == 2' <"$TMP/diff")" = True ] ||
    fail "the quote diff route: $(cat "$TMP/diff")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$U/v1/deals/D-000001/quotes/1/diff/3")" = 404 ] ||
    fail "a quote diff with a missing revision"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$U/v1/deals/D-000001/quotes/0/diff/x")" = 404 ] ||
    fail "a quote diff with bad revision numbers"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/deals/D-000001/quotes/1/diff/2")" = 401 ] ||
    fail "a quote diff without a token"
pass "GET /v1/deals/{id}/quotes/{r1}/diff/{r2} compares two revisions; 404 and 401 as they should"

node "$(dirname "$0")/console.cjs" "$PW" "$U" "$DESK" "$1" "$2" "$TMP/profile" D-000001 "$HOOK" ||
    fail "the browser test (server log: $(tail -5 "$TMP/serve.err"))"

# The browser's decisions are the store's.
[ "$(db "SELECT status FROM approvals ORDER BY id" | tr '\n' ' ')" = "approved rejected " ] ||
    fail "approvals in the store: $(db "SELECT status, decided_by FROM approvals")"
[ "$(db "SELECT decided_by FROM approvals WHERE status='rejected'")" = maria ] || fail "decided_by"
pass "the decisions made in the browser are in the store, by the signed-in user"
kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""

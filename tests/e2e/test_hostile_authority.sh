#!/bin/sh
# The authority matrix of the HTTP API, run from outside: every route with every role's
# token (multi-role users included, each of their tokens carrying one role), then people
# removed from the team or stripped of a role, revoked tokens, and acceptances recorded
# under someone else's name.
#
# The expected status of each (route, role) is written down first, below, from
# team.yaml, policies.yaml and the permissions docs/internals/server.md documents; the
# server is then asked and every answer compared.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is needed (make deps installs it)"
new_ws
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

# Two users with two roles each: a rep who is also a VP, a sales engineer who is also on
# the deal desk.
python3 - "$WS/team.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
anchor = "roles: [admin]}\n"
assert anchor in s
s = s.replace(anchor, anchor +
    "  - {id: olga, name: Olga Brenner, email: olga.brenner@northwind-edge.example, roles: [rep, vp]}\n"
    "  - {id: ines, name: Ines Paulsen, email: ines.paulsen@northwind-edge.example,\n"
    "     roles: [sales_engineer, deal_desk]}\n", 1)
open(p, "w").write(s)
PY
expect_exit 0 dw validate
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null

# ---- what each role may do (written before asking the server) ---------------------------
# policies.yaml discount_bands, lowest first: a higher band may decide a lower band's
# approval; any other role (legal) must be held exactly.
band() { case $1 in rep) echo 0 ;; manager) echo 1 ;; deal_desk) echo 2 ;; vp) echo 3 ;; *) echo -1 ;; esac; }
# may_decide ROLE REQUIRED
may_decide() {
    [ "$1" = "$2" ] && return 0
    have=$(band "$1"); need=$(band "$2")
    [ "$have" -ge 0 ] && [ "$need" -ge 0 ] && [ "$have" -ge "$need" ]
}
# expected ROUTE ROLE [REQUIRED]: the status server.md promises
expected() {
    case $1 in
    healthz | readyz | metrics | openapi) echo 200 ;;
    deals | deal | timeline | proposal | diff | approvals | events | me | funnel | links_get)
        [ "$2" = none ] && echo 401 || echo 200 ;;
    links_post | links_delete) # a link lets the customer accept: a seller, as for accept
        if [ "$2" = none ]; then echo 401; elif [ "$(band "$2")" -ge 0 ]; then
            [ "$1" = links_post ] && echo 201 || echo 200
        else echo 403; fi ;;
    leads)
        case $2 in none) echo 401 ;; integration | admin) echo 202 ;; *) echo 403 ;; esac ;;
    webhooks_get | deliveries)
        case $2 in none) echo 401 ;; admin) echo 200 ;; *) echo 403 ;; esac ;;
    webhooks_post)
        case $2 in none) echo 401 ;; admin) echo 201 ;; *) echo 403 ;; esac ;;
    replay) # no delivery 999999 exists: the admin passes the check and finds nothing
        case $2 in none) echo 401 ;; admin) echo 404 ;; *) echo 403 ;; esac ;;
    accept) # a seller: a role of the discount bands
        if [ "$2" = none ]; then echo 401; elif [ "$(band "$2")" -ge 0 ]; then echo 200; else echo 403; fi ;;
    decision)
        if [ "$2" = none ]; then echo 401; elif may_decide "$2" "$3"; then echo 200; else echo 403; fi ;;
    book | book_cancel) # a person of team.yaml demo.book_roles (rep, sales_engineer)
        case $2 in none) echo 401 ;; rep | sales_engineer) echo 200 ;; *) echo 403 ;; esac ;;
    invitation) # any token, once the deal has a booking
        [ "$2" = none ] && echo 401 || echo 200 ;;
    *) fail "no expectation for route $1" ;;
    esac
}

# ---- tokens: every role, and each role of the multi-role users ---------------------------
token() { dw token create --user "$1" --role "$2" --json | json_get 'd["secret"]'; }
LABELS="lukas:rep sven:sales_engineer petra:manager maria:deal_desk david:vp clara:legal nils:admin webform:integration olga:rep olga:vp ines:sales_engineer ines:deal_desk"
for l in $LABELS; do
    u=${l%%:*}; r=${l#*:}
    echo "$l $(token "$u" "$r")" >>"$TMP/tokens"
done
secret() { awk -v l="$1" '$1 == l {print $2}' "$TMP/tokens"; }
# an integration may not borrow a person's name (it would act as them in logs and audit)
expect_exit 2 dw token create --user david --role integration
echo "$ERR" | grep -q "person of the team" || fail "an integration named like a person: $ERR"
EMMA=$(token emma rep)
LUKAS2=$(token lukas rep)
LUKAS2_ID=$(dw token list --json | json_get '[t["id"] for t in d if t["user"] == "lukas"][-1]')

start() {
    start_server --rate 0
}
stop() {
    kill -TERM "$PID"
    wait "$PID" || fail "the server exited $? on SIGTERM"
    PID=""
}
# req METHOD PATH TOKEN [BODY]: status into $CODE, body into $TMP/body
req() {
    auth="X-None: 1"
    [ -n "$3" ] && auth="Authorization: Bearer $3"
    if [ -n "${4:-}" ]; then
        CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" -H "$auth" \
            -H 'Content-Type: application/json' --data-binary "$4" "$U$2" || true)
    else
        CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" -H "$auth" "$U$2" || true)
    fi
}
body() { json_get "$1" <"$TMP/body"; }
MISMATCH=0
CHECKS=0
# check ROUTE LABEL WANT: compare the last answer; 4xx answers must be JSON errors
check() {
    CHECKS=$((CHECKS + 1))
    if [ "$CODE" != "$3" ]; then
        echo "MISMATCH: $1 as $2: got $CODE, expected $3: $(head -c 300 "$TMP/body")" >&2
        MISMATCH=$((MISMATCH + 1))
    elif [ "$CODE" -ge 400 ] && ! { grep -q '"error"' "$TMP/body" && grep -q '"code"' "$TMP/body"; }; then
        echo "MISMATCH: $1 as $2: $CODE without a JSON error: $(head -c 300 "$TMP/body")" >&2
        MISMATCH=$((MISMATCH + 1))
    fi
}

deal_of_stage() { # the Nth deal (1-based) in a stage
    dw deals --stage "$1" --json | json_get "d[$2 - 1]['id'] if len(d) >= $2 else ''"
}
READ_DEAL=$(deal_of_stage proposal_ready 1)
ACCEPT_FORBIDDEN=$(deal_of_stage proposal_ready 2)
state_save "$TMP/s0"

# ---- phase 1: every route with every token (and none) ----------------------------------
start
n=0
for l in none $LABELS; do
    role=${l#*:}
    [ "$l" = none ] && role=none
    s=""
    [ "$l" = none ] || s=$(secret "$l")
    req GET /healthz "$s"; check healthz "$l" "$(expected healthz "$role")"
    req GET /readyz "$s"; check readyz "$l" "$(expected readyz "$role")"
    req GET /metrics "$s"; check metrics "$l" "$(expected metrics "$role")"
    req GET /v1/openapi.json "$s"; check openapi "$l" "$(expected openapi "$role")"
    req GET /v1/deals "$s"; check deals "$l" "$(expected deals "$role")"
    req GET "/v1/deals/$READ_DEAL" "$s"; check deal "$l" "$(expected deal "$role")"
    req GET "/v1/deals/$READ_DEAL/timeline" "$s"; check timeline "$l" "$(expected timeline "$role")"
    req GET "/v1/deals/$READ_DEAL/proposal" "$s"; check proposal "$l" "$(expected proposal "$role")"
    req GET "/v1/deals/$READ_DEAL/quotes/1/diff/1" "$s"; check diff "$l" "$(expected diff "$role")"
    req GET /v1/approvals "$s"; check approvals "$l" "$(expected approvals "$role")"
    req GET /v1/me "$s"; check me "$l" "$(expected me "$role")"
    if [ "$CODE" = 200 ] && [ "$(body 'd["user"] + ":" + d["role"]')" != "$l" ]; then
        echo "MISMATCH: /v1/me as $l says $(cat "$TMP/body")" >&2
        MISMATCH=$((MISMATCH + 1))
    fi
    req GET /v1/reports/funnel "$s"; check funnel "$l" "$(expected funnel "$role")"
    CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 0.5 \
        -H "Authorization: Bearer ${s:-none}" "$U/v1/events" || true)
    [ "$CODE" = 200 ] && echo '{}' >"$TMP/body"
    check events "$l" "$(expected events "$role")"
    n=$((n + 1))
    req POST /v1/leads "$s" "{\"source\": \"web_form\", \"external_id\": \"authz-$n\", \"contact\": {\"name\": \"Test Buyer\", \"email\": \"buyer$n@acme-authz.example\", \"company\": \"Acme Authz GmbH\", \"country\": \"DE\"}, \"message\": \"We need SD-WAN for 3 sites.\"}"
    check leads "$l" "$(expected leads "$role")"
    req GET /v1/webhooks "$s"; check webhooks_get "$l" "$(expected webhooks_get "$role")"
    req GET /v1/webhooks/deliveries "$s"; check deliveries "$l" "$(expected deliveries "$role")"
    req POST /v1/webhooks "$s" '{"url": "http://127.0.0.1:1/hook", "events": "deal.accepted"}'
    check webhooks_post "$l" "$(expected webhooks_post "$role")"
    req POST /v1/webhooks/deliveries/999999/replay "$s"; check replay "$l" "$(expected replay "$role")"
    # the same slot booked again by each who may is no change (200); the others are refused
    req POST "/v1/deals/$READ_DEAL/booking" "$s" '{"slot": 1}'; check book "$l" "$(expected book "$role")"
    req GET "/v1/deals/$READ_DEAL/invitation" "$s"; check invitation "$l" "$(expected invitation "$role")"
    if [ "$(expected book_cancel "$role")" != 200 ]; then
        req DELETE "/v1/deals/$READ_DEAL/booking" "$s"; check book_cancel "$l" "$(expected book_cancel "$role")"
    fi
    req GET "/v1/deals/$READ_DEAL/links" "$s"; check links_get "$l" "$(expected links_get "$role")"
    req POST "/v1/deals/$READ_DEAL/links" "$s" '{"days": 3}'
    check links_post "$l" "$(expected links_post "$role")"
    req DELETE "/v1/deals/$READ_DEAL/links" "$s"; check links_delete "$l" "$(expected links_delete "$role")"
done
[ "$(dw deal show "$READ_DEAL" --json | json_get 'd["booking"]["status"] + " " + str(d["booking"]["sequence"]) + " " + d["booking"]["booked_by"]')" = "booked 0 lukas" ] ||
    fail "the booking of $READ_DEAL changed under repeated or refused calls: $(dw deal show "$READ_DEAL" --json | json_get 'd["booking"]')"
pass "routes x tokens: $CHECKS answers compared"

# DELETE of a webhook: everyone but the admin is refused, then the admin ends it
HOOK_ID=$(dw webhook list --json | json_get 'max(h["id"] for h in d)')
for l in $LABELS; do
    [ "${l#*:}" = admin ] && continue
    req DELETE "/v1/webhooks/$HOOK_ID" "$(secret "$l")"; check webhook_delete "$l" 403
done
req DELETE "/v1/webhooks/$HOOK_ID" "$(secret nils:admin)"; check webhook_delete nils:admin 200

# Acceptance: the roles that may not are refused (before the deal's state is looked at),
# each seller records one on a deal of its own.
for l in $LABELS; do
    role=${l#*:}
    want=$(expected accept "$role")
    if [ "$want" = 200 ]; then
        d=$(deal_of_stage proposal_ready 3)
        [ -n "$d" ] || fail "no proposal_ready deal left for $l"
    else
        d=$ACCEPT_FORBIDDEN
    fi
    req POST "/v1/deals/$d/accept" "$(secret "$l")" '{"by": "Jane Roe"}'
    check "accept $d" "$l" "$want"
    if [ "$want" = 200 ]; then
        id=$(echo "$d" | sed 's/^D-0*//')
        actor=$(dw audit show "$d" --json | json_get "chr(10).join(a['actor'] for a in d if a['action'] == 'deal.accept')")
        [ "$actor" = "user:${l%%:*}" ] || fail "acceptance of $d by $l audited as '$actor'"
    fi
done
[ "$(dw deal show "$ACCEPT_FORBIDDEN" --json | json_get 'd["stage"]')" = proposal_ready ] ||
    fail "a refused acceptance changed $ACCEPT_FORBIDDEN"

# Decisions: every token on every pending approval; the ones that may not come first
# (a decided approval answers 409 to anyone).
dw approvals --json | json_get 'chr(10).join(a["id"] + " " + a["required_role"] for a in d)' >"$TMP/approvals"
[ "$(wc -l <"$TMP/approvals")" -ge 4 ] || fail "expected pending approvals: $(cat "$TMP/approvals")"
while read -r a need; do
    for l in $LABELS; do
        want=$(expected decision "${l#*:}" "$need")
        [ "$want" = 200 ] && echo "$a $l" >>"$TMP/allowed" && continue
        req POST "/v1/approvals/$a/decision" "$(secret "$l")" '{"decision": "approve"}'
        check "decide $a ($need)" "$l" "$want"
    done
done <"$TMP/approvals"
pending_after=$(dw approvals --json | json_get 'len(d)')
[ "$pending_after" = "$(wc -l <"$TMP/approvals")" ] || fail "a refused decision changed an approval"
stop

# Each allowed (approval, token) on a fresh copy of the store: rounds in which every
# approval is decided by its next allowed token.
round=1
while :; do
    awk '{c[$1]++; if (c[$1] == r) print}' r="$round" "$TMP/allowed" >"$TMP/round"
    [ -s "$TMP/round" ] || break
    state_restore "$TMP/s0"
    start
    while read -r a l; do
        req POST "/v1/approvals/$a/decision" "$(secret "$l")" '{"decision": "approve"}'
        check "decide $a" "$l" 200
        if [ "$CODE" = 200 ]; then
            id=$(echo "$a" | sed 's/^A-0*//')
            by=$(dw deal show --all --json | json_get "next(a['decided_by'] for x in d for a in x['approvals'] if a['id'] == '$a')")
            [ "$by" = "${l%%:*}" ] || fail "$a decided by '$by', not ${l%%:*}"
        fi
    done <"$TMP/round"
    stop
    round=$((round + 1))
done
state_restore "$TMP/s0"
[ "$MISMATCH" = 0 ] || fail "$MISMATCH of $CHECKS answers differ from the permissions written down"
pass "authority matrix: $CHECKS answers as written down, $(wc -l <"$TMP/allowed") allowed decisions, $((round - 1)) rounds"

# ---- a multi-role user's token carries one role ------------------------------------------
start
vp_size=$(dw approvals --json | json_get "next((a['id'] for a in d if a['required_role'] == 'vp'), '')")
dd_disc=$(dw approvals --json | json_get "next((a['id'] for a in d if a['required_role'] == 'deal_desk' and a['kind'] == 'discount'), '')")
[ -n "$vp_size" ] && [ -n "$dd_disc" ] || fail "the example has no VP or deal-desk approval"
req POST "/v1/approvals/$vp_size/decision" "$(secret olga:rep)" '{"decision": "approve"}'
[ "$CODE" = 403 ] || fail "olga's rep token decided the VP approval $vp_size ($CODE)"
req POST "/v1/approvals/$dd_disc/decision" "$(secret olga:rep)" '{"decision": "approve"}'
[ "$CODE" = 403 ] || fail "olga's rep token decided the deal-desk discount $dd_disc ($CODE)"
req POST "/v1/approvals/$vp_size/decision" "$(secret olga:vp)" '{"decision": "approve"}'
[ "$CODE" = 200 ] || fail "olga's VP token could not decide $vp_size: $CODE $(cat "$TMP/body")"
pass "a [rep, vp] user's rep token cannot approve as VP; the VP token can"

# ---- forged acceptance actors -------------------------------------------------------------
d=$(deal_of_stage proposal_ready 1)
id=$(echo "$d" | sed 's/^D-0*//')
req POST "/v1/deals/$d/accept" "$(secret sven:sales_engineer)" '{"by": "petra"}'
[ "$CODE" = 403 ] || fail "a sales engineer recorded an acceptance in petra's name ($CODE)"
req POST "/v1/deals/$d/accept" "$(secret lukas:rep)" '{"by": "david"}'
[ "$CODE" = 200 ] || fail "the rep's acceptance failed: $CODE $(cat "$TMP/body")"
accept_actors() { dw audit show "$d" --json | json_get "','.join(a['actor'] for a in d if a['action'] == 'deal.accept')"; }
[ "$(accept_actors)" = user:lukas ] || fail "the acceptance is audited as $(accept_actors)"
[ "$(dw audit show "$d" --json | json_get "sum(1 for a in d if a['actor'] == 'user:david')")" = 0 ] || fail "an audit record of $d names david as its actor"
dw deal show "$d" --json >"$TMP/accepted.json"
[ "$(json_get "sum(1 for e in d['timeline'] if 'david' in json.dumps(e['data']))" <"$TMP/accepted.json")" = 0 ] || fail "an event of $d carries the forged name"
[ "$(json_get 'd["acceptance"]["by"] + " " + d["acceptance"]["recorded_by"]' <"$TMP/accepted.json")" = "david user:lukas" ] ||
    fail "the acceptance does not keep the signatory as data and the recorder as actor"
pass "acceptance: the actor is the token's user; 'by' is only the customer's signatory"
stop

# ---- revoked tokens, removed users, lost roles --------------------------------------------
start
req GET /v1/deals "$LUKAS2"
[ "$CODE" = 200 ] || fail "a fresh token was refused ($CODE)"
dw token revoke "$LUKAS2_ID" >/dev/null
req GET /v1/deals "$LUKAS2"; check revoked lukas:rep 401
req POST "/v1/deals/$(deal_of_stage proposal_ready 1)/accept" "$LUKAS2" '{}'; check revoked lukas:rep 401
stop

# nils (admin) leaves the team; emma is now a sales engineer, no longer a rep
python3 - "$WS/team.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s2 = re.sub(r"  - \{id: nils,[^}]*\}\n", "", s)
s2 = s2.replace("{id: emma, name: Emma Schulz, email: emma.schulz@northwind-edge.example, roles: [rep]}",
                "{id: emma, name: Emma Schulz, email: emma.schulz@northwind-edge.example, roles: [sales_engineer]}")
assert s2 != s and "id: nils" not in s2 and "roles: [sales_engineer]}" in s2
open(p, "w").write(s2)
PY
expect_exit 0 dw validate
dw token list >"$TMP/list"
grep -E "nils +admin .* lapsed" "$TMP/list" >/dev/null || fail "nils's token not listed as lapsed: $(cat "$TMP/list")"
grep -E "emma +rep .* lapsed" "$TMP/list" >/dev/null || fail "emma's rep token not listed as lapsed"
start
ADMIN=$(secret nils:admin)
req GET /v1/deals "$ADMIN"; check removed-user nils:admin 401
req POST /v1/webhooks "$ADMIN" '{"url": "http://127.0.0.1:1/hook", "events": "deal.accepted"}'; check removed-user nils:admin 401
req POST /v1/leads "$ADMIN" '{"source": "web_form", "external_id": "authz-removed", "contact": {"name": "X", "email": "x@acme-authz.example", "company": "Acme", "country": "DE"}, "message": "SD-WAN for 2 sites."}'
check removed-user nils:admin 401
req GET /v1/deals "$EMMA"; check lost-role emma:rep 401
req POST "/v1/deals/$(deal_of_stage proposal_ready 1)/accept" "$EMMA" '{}'; check lost-role emma:rep 401
req POST /v1/leads "$(secret webform:integration)" '{"source": "web_form", "external_id": "authz-after", "contact": {"name": "Y", "email": "y@acme-authz.example", "company": "Acme", "country": "DE"}, "message": "SD-WAN for 2 sites."}'
check integration webform:integration 202
req GET /v1/deals "$(secret lukas:rep)"; check member lukas:rep 200
stop
[ "$(leads_n authz-removed)" = 0 ] || fail "a removed user's token posted a lead"
[ "$MISMATCH" = 0 ] || fail "$MISMATCH answers differ from the permissions written down"
pass "revoked token, removed user and lost role: 401 on every route; integrations and members unaffected"

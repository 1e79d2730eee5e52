#!/bin/sh
# Transient failures retry with backoff and succeed; permanent ones park the deal with its
# error and leave the rest of the pipeline working.
. "$(dirname "$0")/lib.sh"
unset DW_NOW # backoff waits on the real clock
new_ws
echo '{"source":"web_form","external_id":"r-1","received_at":"2026-11-20T09:00:00Z","contact":{"email":"it@mill.example","company":"Mill AG","country":"DE","title":"CIO"},"message":"We need SD-WAN with firewall for 6 sites. Budget EUR 60k by end of Q1."}' > "$TMP/l.json"
dw lead add "$TMP/l.json" >/dev/null
DW_FAILPOINTS=pricing=2 dw run > "$TMP/run.out"
dw deal show D-000001 --json > "$TMP/d.json"
[ "$(json_get 'd["quote"] is not None' < "$TMP/d.json")" = True ] || fail "no quote after retries"
[ "$(json_get 'd["parked"]' < "$TMP/d.json")" = False ] || fail "parked after transient failures"
fails=$(audit_n step_failed)
[ "$fails" = 2 ] || fail "expected 2 recorded failures, got $fails"
pass "two transient failures retried with backoff, then priced"

rm -rf "$WS"; new_ws
dw lead add "$TMP/l.json" >/dev/null
DW_FAILPOINTS=proposal=fatal dw run >/dev/null
dw deal show D-000001 --json > "$TMP/d.json"
[ "$(json_get 'd["parked"]' < "$TMP/d.json")" = True ] || fail "a permanent failure did not park the deal"
json_get 'd["last_error"]' < "$TMP/d.json" | grep -q proposal || fail "parked without the error"
[ "$(audit_n step_parked)" = 1 ] || fail "no step_parked audit record"
pass "a permanent failure parks the deal with its error"
expect_exit 0 dw audit verify

# On a pinned clock (DW_NOW) time never reaches a retry's due time: a run does not wait for
# it (it waited forever) but ends with the deal due later, and a run at a later pinned time
# takes the retry.
rm -rf "$WS"; new_ws
export DW_NOW=2026-11-20T10:00:00Z
dw lead add "$TMP/l.json" >/dev/null
DW_FAILPOINTS=pricing=1 timeout 60 "$DW" -w "$WS" run >/dev/null ||
    fail "a run on a pinned clock did not end by itself (exit $?)"
dw deal show D-000001 --json > "$TMP/d.json"
[ "$(json_get 'd["quote"] is None and "transient" in d["last_error"] and not d["parked"]' < "$TMP/d.json")" = True ] ||
    fail "after one failure on a pinned clock: $(cat "$TMP/d.json")"
DW_NOW=2026-11-20T10:10:00Z timeout 60 "$DW" -w "$WS" run >/dev/null || fail "the later run failed"
dw deal show D-000001 --json > "$TMP/d.json"
[ "$(json_get 'd["quote"] is not None' < "$TMP/d.json")" = True ] ||
    fail "no quote once the pinned clock passed the retry"
unset DW_NOW
pass "a pinned clock: run ends instead of waiting for a retry, a later run takes it"

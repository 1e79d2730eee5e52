#!/bin/sh
# The same (source, external_id) twice gives the same deal; running again changes nothing.
. "$(dirname "$0")/lib.sh"
new_ws
echo '{"source":"web_form","external_id":"same-1","received_at":"2026-11-20T09:00:00Z","contact":{"email":"ops@fab.example","company":"Fab GmbH","country":"DE","title":"Head of IT"},"message":"We need SD-WAN and firewall for 8 sites, budget EUR 90k, by end of Q1."}' > "$TMP/l.json"
a=$(dw lead add "$TMP/l.json")
b=$(dw lead add "$TMP/l.json" | cut -f1)
[ "$a" = "$b" ] || fail "same lead gave $a then $b"
[ "$(dw_stat leads)" = 1 ] || fail "lead stored twice"
pass "same (source, external_id) -> same deal $a"

dw run >/dev/null
snap() {
    echo "$(audit_n) $(events_n) $(deals_json | json_get '"%d %d %s" % (sum(len(x["quotes"]) for x in d), sum(len(x["approvals"]) for x in d), ",".join(x["stage"] for x in d))')"
}
s1=$(snap)
dw run >/dev/null
dw run >/dev/null
s2=$(snap)
[ "$s1" = "$s2" ] || fail "re-running changed the store: '$s1' -> '$s2'"
pass "re-running run changes nothing: $s2"

# Submitting the same file of leads again after the run changes nothing either.
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
s3=$(snap)
dw lead add "$WS/samples/leads.jsonl" > "$TMP/again.out"
dw run >/dev/null
s4=$(snap)
[ "$s3" = "$s4" ] || fail "re-importing the samples changed the store: '$s3' -> '$s4'"
grep -qv duplicate "$TMP/again.out" && fail "re-import created something: $(grep -v duplicate "$TMP/again.out")"
pass "re-importing the samples: every lead a duplicate, nothing changed"

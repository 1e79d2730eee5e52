#!/bin/sh
# Demo booking: offered slots are held so no two open deals are offered the same engineer's
# hour, a booked slot is never offered again (even after the offer's hold lapsed), two deals
# booking the same hour at once end with one booking, and the deal's invitation — built with
# libical, read here by Debian's python3-icalendar — carries what a calendar needs, field by
# field, through a booking, a rebooking and a cancellation.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
$PY -c 'import icalendar' || fail "python3-icalendar is not installed (make build installs it)"
new_ws
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null

# ---- no two open deals are offered the same engineer's hour ----------------------------
deals_json >"$TMP/all.json"
$PY - "$TMP/all.json" <<'PY' || fail "two open deals were offered the same slot"
import json, sys
seen, n = {}, 0
for d in json.load(open(sys.argv[1])):
    if d["stage"] in ("ordered", "lost", "disqualified") or not d["schedule"]:
        continue
    for s in d["schedule"]["slots"]:
        k = (s["user"], s["start"])
        assert k not in seen, "%s offered to %s and %s" % (k, seen[k], d["id"])
        seen[k] = d["id"]; n += 1
assert n >= 30, n
PY
pass "the sample deals' offers never share an engineer's hour"

# ---- book, rebook, cancel; the invitation field by field --------------------------------
D=$(json_get '[d["id"] for d in d if d["proposal"] and d["proposal"]["document_language"] == "de" and d["schedule"]][0]' <"$TMP/all.json")
[ -n "$D" ] || fail "no German proposal with demo slots in the samples"
slot() { json_get "[d for d in d if d['id'] == '$D'][0]['schedule']['slots'][$1]['$2']" <"$TMP/all.json"; }
S1=$(slot 0 start); U1=$(slot 0 user); S2=$(slot 1 start); U2=$(slot 1 user)

expect_exit 2 dw deal ics "$D"                                   # nothing booked yet
expect_exit 2 dw deal book "$D" 1 --as maria                     # the deal desk does not book demos
echo "$ERR" | grep -q "demo.book_roles allows rep, sales_engineer" || fail "role refusal: $ERR"
expect_exit 2 dw deal book "$D" 9 --as lukas
echo "$ERR" | grep -q "offers 3 slots; there is no slot 9" || fail "slot 9: $ERR"
expect_exit 2 dw deal book "$D" 2026-11-25T07:00:00Z --as lukas
expect_exit 2 dw deal book "$D" --cancel --as lukas              # nothing to cancel
[ "$(audit_n deal.book)" = 0 ] || fail "a refused booking was audited"

# check_ics FILE METHOD SEQ START USER [UID]: the invitation as a calendar reads it
check_ics() {
    $PY - "$@" "$D" "$TMP/all.json" <<'PY' || fail "invitation $1 is wrong"
import datetime, json, sys
import icalendar
f, method, seq, start, user, uid, deal, allj = sys.argv[1:9]
raw = open(f, "rb").read()
assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n"), "lines must end in CRLF"
cal = icalendar.Calendar.from_ical(raw)
assert str(cal["METHOD"]) == method and str(cal["VERSION"]) == "2.0" and cal.get("PRODID")
tzs = cal.walk("VTIMEZONE")
assert [str(t["TZID"]) for t in tzs] == ["Europe/Berlin"], tzs
evs = cal.walk("VEVENT")
assert len(evs) == 1
e = evs[0]
d = [x for x in json.load(open(allj)) if x["id"] == deal][0]
team = {"sven": ("Sven Ek", "sven.ek@northwind-edge.example"),
        "aylin": ("Aylin Demir", "aylin.demir@northwind-edge.example")}
t0 = datetime.datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
st, en = e["DTSTART"], e["DTEND"]
assert st.params["TZID"] == "Europe/Berlin" and en.params["TZID"] == "Europe/Berlin"
assert st.dt == t0 and en.dt - st.dt == datetime.timedelta(minutes=60), (st.dt, t0)
assert st.dt.utcoffset() == datetime.timedelta(hours=1), st.dt.utcoffset()  # CET in winter
assert int(e["SEQUENCE"]) == int(seq), (e["SEQUENCE"], seq)
if uid != "-":
    assert str(e["UID"]) == uid, (e["UID"], uid)
assert str(e["UID"]).startswith(deal + "-") and str(e["UID"]).endswith("@northwind-edge.example")
assert e["DTSTAMP"].dt == datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.timezone.utc), e["DTSTAMP"].dt
name, mail = team[user]
assert str(e["ORGANIZER"]) == "mailto:" + mail and e["ORGANIZER"].params["CN"] == name
c = d["lead"]["contact"]
att = e["ATTENDEE"]
assert str(att) == "mailto:" + c["email"], att
assert att.params["CN"] == c["name"] and att.params["RSVP"] == "TRUE"
assert att.params["PARTSTAT"] == "NEEDS-ACTION" and att.params["ROLE"] == "REQ-PARTICIPANT"
# in the customer's language (the proposal's: German)
assert str(e["SUMMARY"]) == "Produktdemo: Northwind Edge Systems GmbH", e["SUMMARY"]
assert e["SUMMARY"].params["LANGUAGE"] == "de"
desc = str(e["DESCRIPTION"])
assert deal in desc and name in desc and "60 Minuten" in desc, desc
assert str(e["STATUS"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
# no personal data beyond the two people: not the phone, the title, the customer's words
text = raw.decode()
for k in ("phone", "title"):
    if c.get(k):
        assert c[k] not in text, k
assert d["lead"]["message"][:40] not in text
print(str(e["UID"]))
PY
}
expect_exit 0 dw deal book "$D" 1 --as lukas
dw deal ics "$D" -o "$TMP/1.ics"
UID=$(check_ics "$TMP/1.ics" REQUEST 0 "$S1" "$U1" -)
[ "$(dw deal show "$D" --json | json_get 'd["schedule"] and d["booking"]["status"]')" = booked ] || fail "deal show has no booking"
pass "booked: METHOD:REQUEST, SEQUENCE 0, UID $UID, TZID Europe/Berlin, organiser, attendee with RSVP"

expect_exit 0 dw deal book "$D" "$S2" --as sven                  # a rebooking, by its start
dw deal ics "$D" >"$TMP/2.ics"
check_ics "$TMP/2.ics" REQUEST 1 "$S2" "$U2" "$UID" >/dev/null
expect_exit 0 dw deal book "$D" 2 --as sven                      # the same slot again: no change
echo "$OUT" | grep -q "already booked" || fail "rebooking the booked slot: $OUT"
dw deal ics "$D" | cmp -s - "$TMP/2.ics" || fail "the same booking gave another invitation"
pass "rebooked: same UID, SEQUENCE 1; the same slot again changes nothing"

expect_exit 0 dw deal book "$D" --cancel --as lukas
dw deal ics "$D" >"$TMP/3.ics"
check_ics "$TMP/3.ics" CANCEL 2 "$S2" "$U2" "$UID" >/dev/null
expect_exit 0 dw deal book "$D" 1 --as lukas                     # a new booking: a new event
dw deal ics "$D" >"$TMP/4.ics"
UID2=$(check_ics "$TMP/4.ics" REQUEST 0 "$S1" "$U1" -)
[ "$UID2" != "$UID" ] || fail "a booking after a cancellation kept the cancelled event's UID"
[ "$(audit_n deal.book)" = 3 ] && [ "$(audit_n deal.book_cancel)" = 1 ] || fail "audit: $(audit_n deal.book) bookings, $(audit_n deal.book_cancel) cancellations"
[ "$(events_n demo.booked)" = 3 ] && [ "$(events_n demo.cancelled)" = 1 ] || fail "events of the bookings"
dw audit verify >/dev/null || fail "the audit chain does not verify"
pass "cancelled: METHOD:CANCEL, SEQUENCE 2; a new booking is a new UID; audited, events written"

# ---- a booked hour is never offered again; two bookings of one hour: one wins -----------
# One engineer, one hour a week (Mondays 09:00 Munich = 08:00Z), so offers run weeks ahead
# and lapse (DW_SLOT_HOLD_DAYS = 7) before their slots begin. Worked out by hand:
#   T0 Tue 2026-11-24 12:00: deal P is offered Mon 11-30, 12-07, 12-14 (held until 12-01 12:00)
#   T1 Wed 2026-12-02 12:00: P's holds lapsed; deal Q is offered 12-07, 12-14, 12-21
#   T2 Thu 2026-12-10 12:00: Q's holds lapsed too; P and Q both show 12-14, nobody holds it;
#      a new deal R is offered 12-14, 12-21, 12-28 -- unless 12-14 is booked: 12-21, 12-28, 01-04
WS2="$TMP/ws2"
"$DW" init "$WS2" >/dev/null
$PY - "$WS2/team.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = s[:s.index("availability:")] + """availability:
  - user: sven
    utc_offset: "+01:00"
    time_zone: Europe/Berlin
    windows:
      - {days: [mon], from: "09:00", to: "10:00"}
"""
open(p, "w").write(s)
PY
d2() { "$DW" -w "$WS2" "$@"; }
lead() { sed -n "${1}p" "$WS2/samples/leads.jsonl" | sed "s/\"external_id\": \"[^\"]*\"/\"external_id\": \"$2\"/"; }
offer() { d2 deal show "$1" --json | json_get "','.join(s['start'][5:10] for s in d['schedule']['slots'])"; }
P=$(lead 1 p-1 | DW_NOW=2026-11-24T12:00:00Z d2 lead add -)
DW_NOW=2026-11-24T12:00:00Z d2 run >/dev/null
[ "$(offer "$P")" = "11-30,12-07,12-14" ] || fail "P offered $(offer "$P")"
Q=$(lead 3 q-1 | DW_NOW=2026-12-02T12:00:00Z d2 lead add -)
DW_NOW=2026-12-02T12:00:00Z d2 run >/dev/null
[ "$(offer "$Q")" = "12-07,12-14,12-21" ] || fail "Q offered $(offer "$Q")"
# P's own offer of 12-07 lapsed and Q holds it now: refused
DW_NOW=2026-12-02T12:00:00Z expect_exit 2 d2 deal book "$P" 2026-12-07T08:00:00Z --as lukas
echo "$ERR" | grep -q "held or booked for another deal" || fail "P took Q's held hour: $ERR"
cp -a "$WS2" "$TMP/control"

# two bookings of 12-14 at the same moment, three rounds: exactly one wins each time
export DW_NOW=2026-12-10T12:00:00Z
for round in 1 2 3; do
    set +e
    d2 deal book "$P" 2026-12-14T08:00:00Z --as lukas >"$TMP/p.out" 2>"$TMP/p.err" & pp=$!
    d2 deal book "$Q" 2026-12-14T08:00:00Z --as sven >"$TMP/q.out" 2>"$TMP/q.err" & pq=$!
    wait $pp; rp=$?; wait $pq; rq=$?
    set -e
    [ "$rp$rq" = "02" ] || [ "$rp$rq" = "20" ] || fail "round $round: P exited $rp, Q $rq: $(cat "$TMP/p.err" "$TMP/q.err")"
    booked=$(for x in "$P" "$Q"; do d2 deal show "$x" --json | json_get 'd["booking"] and d["booking"]["status"] or ""'; done | grep -c booked || true)
    [ "$booked" = 1 ] || fail "round $round: $booked deals hold the booking"
    if [ "$round" -lt 3 ]; then
        winner=$P; [ "$rp" = 0 ] || winner=$Q
        d2 deal book "$winner" --cancel --as lukas >/dev/null
    fi
done
pass "two deals booking the same hour at once: exactly one wins (3 rounds)"

# the booked hour is not offered to a new deal; without the booking it would be
R=$(lead 4 r-1 | d2 lead add -); d2 run >/dev/null
RC=$(lead 4 r-1 | "$DW" -w "$TMP/control" lead add -); "$DW" -w "$TMP/control" run >/dev/null
CONTROL=$("$DW" -w "$TMP/control" deal show "$RC" --json | json_get "','.join(s['start'][5:10] for s in d['schedule']['slots'])")
[ "$CONTROL" = "12-14,12-21,12-28" ] || fail "without a booking R is offered $CONTROL"
[ "$(offer "$R")" = "12-21,12-28,01-04" ] || fail "the booked 12-14 was offered again: $(offer "$R")"
# and it stays taken when the deal that booked it is ordered (an ended deal's holds lapse,
# its booked demo does not)
winner=$P; [ "$rp" = 0 ] || winner=$Q
d2 accept "$winner" --as lukas >/dev/null
[ "$(d2 deal show "$winner" --json | json_get 'd["stage"]')" = ordered ] || fail "$winner was not ordered"
S=$(lead 4 s-1 | sed 's/s\.gruber@/s.gruber.2@/' | d2 lead add -); d2 run >/dev/null
SO=$(offer "$S")
# 12-14 booked, 12-21 to 01-04 held for R: the next free Mondays
[ "$SO" = "01-11,01-18,01-25" ] || fail "after the order, a new deal is offered $SO"
pass "a booked hour is never offered again, though every hold on it lapsed or its deal was ordered"

# ---- team.yaml's keys checked where they stand ------------------------------------------
WS3="$TMP/ws3"
"$DW" init "$WS3" >/dev/null
sed -i 's|time_zone: Europe/Berlin|time_zone: Europe/Atlantis|; s|book_roles: \[rep, sales_engineer\]|book_roles: [rep, chef]|' "$WS3/team.yaml"
expect_exit 1 "$DW" -w "$WS3" validate
echo "$OUT$ERR" | grep -q "team.yaml:[0-9]*:[0-9]*: .*time_zone: 'Europe/Atlantis' is not a time zone" || fail "time_zone: $OUT$ERR"
echo "$OUT$ERR" | grep -q "team.yaml:[0-9]*:[0-9]*: .*chef" || fail "book_roles: $OUT$ERR"
pass "team.yaml: an unknown time zone or role in book_roles is an error at its place"

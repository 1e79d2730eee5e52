#!/bin/sh
# score train / eval / show on the example's deal history: a model is versioned by the hash
# of its data and parameters, retraining the same data changes nothing, bad CSV is refused
# with FILE:LINE:COL and stores nothing, and the qualification agent uses the model and
# says so in its reasons (and without one qualifies exactly as before).
. "$(dirname "$0")/lib.sh"
new_ws
H="$WS/samples/deal-history.csv"

# without a model: show says so, and qualification gives its rules-only reasons
expect_exit 2 dw score show
echo "$ERR" | grep -q "no scoring model has been trained" || fail "show without a model: $ERR"
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
dw deal show D-000001 --json > "$TMP/before.json"
grep -q '"model"' "$TMP/before.json" && fail "a model was used before any was trained"
pass "no model: qualification by the rules alone"

# eval: cross-validated AUC, deterministic
expect_exit 0 dw score eval --csv "$H" --target outcome --positive won --folds 5 --json
echo "$OUT" > "$TMP/e1.json"
auc=$(json_get 'd["auc"]' < "$TMP/e1.json")
python3 -c "import sys; sys.exit(0 if $auc > 0.7 else 1)" || fail "example history AUC $auc <= 0.7"
dw score eval --csv "$H" --target outcome --positive won --folds 5 --json > "$TMP/e2.json"
[ "$(json_get 'd["fold_auc"]' < "$TMP/e1.json")" = "$(json_get 'd["fold_auc"]' < "$TMP/e2.json")" ] ||
    fail "eval is not deterministic"
pass "5-fold AUC on the example history: $auc, the same twice"

# train: version 1; the same data again changes nothing; other data is version 2
expect_exit 0 dw score train --csv "$H" --target outcome --positive won --json
echo "$OUT" > "$TMP/t1.json"
[ "$(json_get 'd["version"], d["created"]' < "$TMP/t1.json")" = "1 True" ] || fail "first train: $OUT"
hash1=$(json_get 'd["hash"]' < "$TMP/t1.json")
expect_exit 0 dw score train --csv "$H" --target outcome --positive won
echo "$OUT" | grep -q "model v1 unchanged" || fail "retraining the same data: $OUT"
[ "$(dw score show --json | json_get 'd["version"]')" = 1 ] || fail "a second row for the same model"
pass "model v1 $hash1; retraining the same data changes nothing"

# qualification uses the model and names its top features
state_reset
dw score train --csv "$H" --target outcome --positive won >/dev/null
dw lead add "$WS/samples/leads.jsonl" >/dev/null
dw run >/dev/null
dw deal show D-000001 --json > "$TMP/after.json"
json_get 'd["qualification"]["reasons"][1]' < "$TMP/after.json" > "$TMP/reason"
grep -q "^Scoring model v1 gives a win probability of [0-9]*% from [0-9]* of its 13 features" "$TMP/reason" ||
    fail "no model reason: $(cat "$TMP/reason")"
grep -q "top features: " "$TMP/reason" || fail "no top features: $(cat "$TMP/reason")"
[ "$(json_get 'd["qualification"]["model"]["hash"]' < "$TMP/after.json")" = "$hash1" ] || fail "model hash not recorded"
[ "$(json_get 'len(d["qualification"]["model"]["top"])' < "$TMP/after.json")" = 3 ] || fail "top contributions missing"
dw audit verify >/dev/null || fail "audit chain broken"
dw audit list --action score.train --json | grep -q "$hash1" || fail "training not audited"
pass "qualification: $(cat "$TMP/reason")"

# a model whose columns the deals do not have is recorded as not used
cat > "$TMP/other.csv" <<'CSV'
colour,size,result
red,1,yes
blue,2,no
red,3,yes
blue,4,no
CSV
expect_exit 0 dw score train --csv "$TMP/other.csv" --target result --positive yes
echo "$OUT" | grep -q "model v2 trained on 4 rows (2 won)" || fail "second model: $OUT"
expect_exit 0 dw score show --version 1
echo "$OUT" | grep -q "^model v1" || fail "show --version 1: $OUT"
echo '{"source":"api","external_id":"sc-1","received_at":"2026-11-24T09:00:00Z","contact":{"email":"ops@bcorp.example","company":"B Corp"},"message":"SD-WAN for 12 sites please."}' > "$TMP/lead.json"
deal=$(dw lead add "$TMP/lead.json")
dw run >/dev/null
dw deal show "$deal" --json > "$TMP/v2.json"
[ "$(json_get 'd["qualification"]["model"]["version"], d["qualification"]["model"]["used"]' < "$TMP/v2.json")" = "2 False" ] ||
    fail "model v2 should be recorded as not used: $(cat "$TMP/v2.json")"
json_get 'd["qualification"]["reasons"][1]' < "$TMP/v2.json" | grep -q "Scoring model v2 was not used: it knows none of this deal's features" ||
    fail "no reason for the unused model"
pass "a model that knows none of the deal's features is not used, and the reasons say so"

# bad input: FILE:LINE:COL, exit 2, nothing stored
printf 'a,b,outcome\n1,"open,won\n' > "$TMP/bad.csv"
expect_exit 2 dw score train --csv "$TMP/bad.csv" --target outcome --positive won
echo "$ERR" | grep -q "bad.csv:2:3: unterminated quoted field" || fail "unterminated quote: $ERR"
printf 'a,b,outcome\n1,2,won\n1,2\n' > "$TMP/bad.csv"
expect_exit 2 dw score eval --csv "$TMP/bad.csv" --target outcome --positive won
echo "$ERR" | grep -q "bad.csv:3:1: 2 fields where the header has 3" || fail "short row: $ERR"
expect_exit 2 dw score train --csv "$H" --target nope --positive won
echo "$ERR" | grep -q "no column 'nope' (the target)" || fail "unknown target: $ERR"
expect_exit 2 dw score train --csv "$H" --target outcome --positive won --exclude nope
echo "$ERR" | grep -q "no column 'nope' (to exclude)" || fail "unknown exclude: $ERR"
expect_exit 2 dw score train --csv "$H" --target outcome
expect_exit 2 dw score eval --csv "$H" --target outcome --positive won --folds 1
expect_exit 2 dw score train --csv "$H" --target outcome --positive won --eta 0
expect_exit 2 dw score train --csv "$TMP/missing.csv" --target outcome --positive won
[ "$(dw score show --json | json_get 'd["version"]')" = 2 ] || fail "bad input stored a model"
pass "bad CSV refused with positions, nothing stored"

# semicolons are detected; --delimiter forces one
sed 's/,/;/g' "$H" > "$TMP/semi.csv"
expect_exit 0 dw score eval --csv "$TMP/semi.csv" --target outcome --positive won --folds 5 --json
[ "$(json_get 'd["auc"]' <<EOF2
$OUT
EOF2
)" = "$auc" ] || fail "semicolon file scores differently"
expect_exit 2 dw score eval --csv "$TMP/semi.csv" --target outcome --positive won --delimiter ,
pass "delimiters"

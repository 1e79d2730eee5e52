#!/bin/sh
# validate reports every problem as FILE:LINE:COL and exits 1; the engine refuses the
# workspace; a valid one passes.
. "$(dirname "$0")/lib.sh"
new_ws
expect_exit 0 dw validate
pass "example is valid: $OUT"

# a float price (must be a quoted decimal), a dangling sku, an unknown key
python3 - "$WS" <<'PY'
import re, sys
ws = sys.argv[1]
p = ws + "/pricebooks/EUR.yaml"
s = open(p).read()
s = re.sub(r'list: "([0-9]+)\.([0-9]+)"', r'list: \1.\2', s, count=1)
open(p, "w").write(s)
p = ws + "/policies.yaml"
s = open(p).read()
s = s.replace("discount_bands:", "discount_bandz:", 1)
open(p, "w").write(s)
PY
expect_exit 1 dw validate
echo "$OUT" | grep -Eq '^pricebooks/EUR.yaml:[0-9]+:[0-9]+: ' || fail "float price not reported with FILE:LINE:COL: $OUT"
echo "$OUT" | grep -Eq '^policies.yaml:[0-9]+:[0-9]+: .*discount_bandz' || fail "unknown key not reported: $OUT"
pass "problems reported:
$OUT"

echo '{"source":"web_form","external_id":"v-1","message":"hi"}' > "$TMP/l.json"
expect_exit 2 dw lead add "$TMP/l.json"
# the store the invalid workspace would use, read through a valid one
"$DW" init "$TMP/valid" >/dev/null
[ "$("$DW" -w "$TMP/valid" --db "$WS/.dealwright/state.db" stats --json | json_get 'd["leads"]')" = 0 ] ||
    fail "a lead was stored under an invalid workspace"
pass "the engine refuses an invalid workspace"

# a YAML syntax error
rm -rf "$WS"; new_ws
printf 'company:\n  name: [unclosed\n' > "$WS/dealwright.yaml"
expect_exit 1 dw validate
echo "$OUT" | grep -Eq '^dealwright.yaml:[0-9]+:[0-9]+: ' || fail "syntax error without position: $OUT"
pass "YAML syntax error: $OUT"

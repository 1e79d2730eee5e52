#!/bin/sh
# The API document (api/openapi.yaml, answered at /v1/openapi.json) against the server:
# redocly lint with the recommended rules gives no error and no warning; the served JSON is
# the YAML file's content; openapi-typescript's types from it type-check the integrator
# script (tests/e2e/integrator/integrator.ts) with tsc --strict; then a server on the
# example workspace has every route called (tests/e2e/openapi_check.py) and each JSON answer
# validated against the document's schema for it, and the integrator script runs against
# it. Needs Node.js 18 or later and npm (`make test-deps`); @redocly/cli,
# openapi-typescript and typescript are pinned in tests/e2e/npm/package-lock.json and
# installed with `npm ci` into the build tree. Nothing here skips: a missing tool fails.
# DW_NODE=/path/to/node and DW_NPM=/path/to/npm-cli.js run it with another Node.js and npm.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/npm.sh"
npm_tools "the API document test"
SRC=${DW_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DOC="$SRC/api/openapi.yaml"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1

# The lint: recommended rules, every problem counted.
(cd "$TMP" && "$NODE" "$NODE_MODULES/@redocly/cli/bin/cli.js" lint --extends=recommended \
    --format=json "$DOC") >"$TMP/lint.json" 2>"$TMP/lint.err" || true
python3 - "$TMP/lint.json" >"$TMP/lint.counts" 2>&1 <<'PY' || fail "redocly lint: $(cat "$TMP/lint.counts")
$(cat "$TMP/lint.err")"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
for p in d["problems"]:
    loc = p["location"][0]
    print("%s %s at %s: %s" % (p["severity"], p["ruleId"], loc.get("pointer"), p["message"]), file=sys.stderr)
print("%d errors, %d warnings" % (t["errors"], t["warnings"]))
sys.exit(1 if t["errors"] or t["warnings"] or t.get("ignored") else 0)
PY
pass "redocly lint (recommended) of api/openapi.yaml: $(cat "$TMP/lint.counts")"

# The types, and the integrator script checked against them.
mkdir -p "$TMP/integrator"
cp "$(dirname "$0")/integrator/integrator.ts" "$TMP/integrator/"
"$NODE" "$NODE_MODULES/openapi-typescript/bin/cli.js" "$DOC" -o "$TMP/integrator/api.d.ts" \
    >"$TMP/ots.log" 2>&1 || fail "openapi-typescript: $(cat "$TMP/ots.log")"
cat >"$TMP/integrator/tsconfig.json" <<'JSON'
{"compilerOptions": {"strict": true, "target": "es2022", "module": "commonjs",
 "lib": ["es2022", "dom"], "types": [], "outDir": "out"}, "files": ["integrator.ts"]}
JSON
(cd "$TMP/integrator" && "$NODE" "$NODE_MODULES/typescript/bin/tsc" -p . --noEmit) >"$TMP/tsc.log" 2>&1 ||
    fail "tsc --strict: $(grep -c 'error TS' "$TMP/tsc.log") type errors in the integrator script:
$(head -30 "$TMP/tsc.log")"
(cd "$TMP/integrator" && "$NODE" "$NODE_MODULES/typescript/bin/tsc" -p .) >"$TMP/tsc.log" 2>&1 ||
    fail "tsc could not compile the integrator script: $(head -30 "$TMP/tsc.log")"
pass "the integrator script type-checks with tsc --strict against openapi-typescript's types (0 errors)"

# The server's document, then every route against it.
new_ws
tok() { dw token create --user "$1" --role "$2" --json | json_get 'd["secret"]'; }
cat >"$TMP/tokens.json" <<JSON
{"admin": "$(tok nils admin)", "desk": "$(tok maria deal_desk)", "hook": "$(tok webform integration)",
 "burst": "$(tok petra manager)", "rep": "$(tok lukas rep)", "bad": "dwt_$(printf '%064d' 0)"}
JSON
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
start_server --rate 20 --header-timeout 2 --per-address 16 --webhook-attempts 1 --webhook-backoff-ms 10

# the JSON the server answers is the YAML file's content (js-yaml reads it as redocly does)
curl -s "$U/v1/openapi.json" >"$TMP/served.json"
"$NODE" -e '
const fs = require("fs"), yaml = require(process.argv[1]), assert = require("assert");
assert.deepStrictEqual(JSON.parse(fs.readFileSync(process.argv[3], "utf8")),
                       yaml.load(fs.readFileSync(process.argv[2], "utf8")));
' "$NODE_MODULES/js-yaml" "$DOC" "$TMP/served.json" 2>"$TMP/cmp.err" ||
    fail "/v1/openapi.json differs from api/openapi.yaml: $(head -20 "$TMP/cmp.err")"
pass "/v1/openapi.json is api/openapi.yaml as JSON"

python3 "$(dirname "$0")/openapi_check.py" "$U" "$TMP/tokens.json" "$WS/samples/leads.jsonl" \
    "$DW" "$WS" || fail "the server's answers against its document (above)"

# The integrator script for real: a new lead asking 25 %, which the deal desk may approve.
DW_URL=$U DW_CRM_TOKEN=$(json_get 'd["hook"]' <"$TMP/tokens.json") \
    DW_DESK_TOKEN=$(json_get 'd["desk"]' <"$TMP/tokens.json") \
    "$NODE" "$TMP/integrator/out/integrator.js" >"$TMP/integrator.out" 2>&1 ||
    fail "the integrator script: $(cat "$TMP/integrator.out")"
cat "$TMP/integrator.out"
grep -q 'awaiting_approval: 10 sites; discount asked 25 %' "$TMP/integrator.out" &&
    grep -q '(discount, deal_desk) approved; deal proposal_ready' "$TMP/integrator.out" &&
    grep -q '^order O-[0-9]*: .* EUR' "$TMP/integrator.out" ||
    fail "the integrator script's run: $(cat "$TMP/integrator.out")"
pass "the integrator script ran against the server: lead, quote, approval, order, diff"

kill -TERM "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=""

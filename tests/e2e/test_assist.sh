#!/bin/sh
# Model-assisted understanding and drafting, end to end against the fake provider
# (tests/models/fake_provider.py) on loopback: `lead add` + `run` with scripted answers.
# A good answer is accepted and visible in the deal; each bad one is rejected, named in the
# audit, and the deal goes on exactly as it does without a model (docs/internals/assist.md).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
FAKE="$DW_SOURCE_ROOT/tests/models/fake_provider.py"
export DW_MODEL_KEY=sk-test-0123456789
FP=
PID=
trap '[ -n "$FP" ] && kill $FP 2>/dev/null; [ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT

# The clear-fit sample lead (example/samples/README.md: proposal_ready with an EUR quote of
# Edge Gateway 50s, seats, tenant, licences and installation, EUR 44,296.00 in total).
LEAD=$(grep -m1 '"wf-2026-1101"' "$DW_SOURCE_ROOT/example/samples/leads.jsonl")

# start_fake LINE...: a fresh provider answering request n with line n (the last repeats)
start_fake() {
    if [ -n "$FP" ]; then kill $FP 2>/dev/null || true; wait $FP 2>/dev/null || true; fi
    printf '%s\n' "$@" >"$TMP/script"
    rm -f "$TMP/port"
    : >"$TMP/log"
    printf '%s\n' "Jana Hartmann" "jana.hartmann@rheinwerk-logistik.example" "+49 221 555 0142" \
        >"$TMP/pii"
    $PY "$FAKE" --port-file "$TMP/port" --log "$TMP/log" --script "$TMP/script" \
        --pii "$TMP/pii" --key "$DW_MODEL_KEY" &
    FP=$!
    for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
    [ -s "$TMP/port" ] || fail "the fake provider did not start"
}

# deal WORKSPACE_NAME [LEAD_JSON]: a fresh workspace with models.yaml pointing at the fake
# provider (none when NAME is "plain"), the lead added and run; the deal in $TMP/NAME.json
deal() {
    WS="$TMP/$1"
    new_ws
    if [ "$1" != plain ]; then
        cat >"$WS/models.yaml" <<EOF
providers:
  - {id: local, api: openai, base_url: "http://127.0.0.1:$(cat "$TMP/port")/v1", model: "qwen2.5-7b-instruct", key_env: DW_MODEL_KEY}
tasks: {extraction: local, drafting: local, answers: local}
limits: {deadline_ms: 2500, retries: 1, backoff_ms: 50}
EOF
    fi
    printf '%s\n' "${2:-$LEAD}" >"$TMP/lead.jsonl"
    dw lead add "$TMP/lead.jsonl" >/dev/null
    dw run >/dev/null
    dw deal show D-000001 --json >"$TMP/$1.json"
}
get() { json_get "$2" <"$TMP/$1.json"; }
# the requirements without the model's part: what the rules alone read
rules_only() { get "$1" 'json.dumps({k: v for k, v in d["requirements"].items() if k not in ("model", "meddicc")}, sort_keys=True)'; }
# no personal data reached the provider
no_pii() {
    [ "$($PY -c 'import json,sys; print(sum(len(json.loads(l)["pii"]) for l in open(sys.argv[1])))' "$TMP/log")" = 0 ] ||
        fail "$1: personal data in a request: $(cat "$TMP/log")"
}

# ---- the deterministic baseline ----------------------------------------------------------
deal plain
[ "$(get plain 'd["stage"]')" = proposal_ready ] || fail "baseline: $(get plain 'd["stage"]')"
[ "$(get plain '"model" in d["requirements"]')" = False ] || fail "a model part without models.yaml"
get plain 'd["proposal"]["markdown"]' | grep -q "Thank you for the opportunity" || fail "baseline summary"
pass "without models.yaml the deal is the rules' alone"

# ---- good answers: facts accepted, the summary used --------------------------------------
GOOD_FACTS='answer {"facts": [{"field": "quantities", "value": "12", "unit": "sites", "currency": null, "quote": "12 sites"}, {"field": "identified_pain", "value": "ageing MPLS network", "unit": null, "currency": null, "quote": "replace our ageing MPLS network"}, {"field": "budget", "value": "60000", "unit": null, "currency": "EUR", "quote": "Budget around €60k"}]}'
GOOD_SUMMARY='answer {"text": "Dear Jana Hartmann, this proposal covers SD-WAN and a firewall for your 12 sites, EUR 44,296.00 in total. The Edge Gateway 50 is one of the desktop branch gateways of the Northwind edge family [3]."}'
start_fake "$GOOD_FACTS" "$GOOD_SUMMARY"
deal good
[ "$(get good 'd["stage"]')" = proposal_ready ] || fail "good: $(get good 'd["stage"], d.get("last_error")')"
[ "$(get good 'd["requirements"]["meddicc"]["identified_pain"]["value"]')" = "ageing MPLS network" ] ||
    fail "MEDDICC pain not filled: $(get good 'd["requirements"].get("model")')"
[ "$(get good 'len(d["requirements"]["model"]["confirmed"])')" = 2 ] || fail "12 sites and the budget not confirmed"
[ "$(get good 'd["requirements"]["model"]["rejected"]')" = "[]" ] || fail "good facts rejected"
[ "$(get good 'json.dumps({k: v for k, v in d["requirements"].items() if k not in ("model", "meddicc")}, sort_keys=True)')" = "$(rules_only plain)" ] ||
    fail "accepted facts changed the rules' reading"
[ "$(get good 'd["proposal"]["narrative"]["source"]')" = model ] ||
    fail "summary not used: $(get good 'd["proposal"].get("narrative")')"
get good 'd["proposal"]["markdown"]' | grep -q "desktop branch gateways of the Northwind edge family\\\\. \[^3\]" ||
    fail "summary not in the proposal: $(get good 'd["proposal"]["markdown"]' | head -30)"
# each step's audit record lists its tool calls, the model's answers and their verdicts
verdicts() { dw audit list --json | json_get '[c["verdict"] for a in d for c in a["data"].get("calls", []) if c.get("tool") == "model_verdict"]'; }
[ "$(verdicts)" = "['accepted', 'accepted']" ] || fail "verdicts not audited: $(verdicts)"
[ "$(get good 'd["quote"]["total"]')" = "$(get plain 'd["quote"]["total"]')" ] || fail "the model changed the quote"
no_pii good
pass "good answers: MEDDICC filled, facts confirmed, the checked summary shown with its citation, the quote unchanged"

# ---- each bad answer: rejected, named, the deal on the deterministic path ----------------
# bad_case NAME EXPECT_CHECK LINE...: the deal must end as the baseline, with the failure named
bad_case() {
    name=$1 check=$2
    shift 2
    start_fake "$@"
    deal "$name"
    [ "$(get "$name" 'd["stage"]')" = "$(get plain 'd["stage"]')" ] ||
        fail "$name: the deal is $(get "$name" 'd["stage"], d.get("last_error")')"
    [ "$(rules_only "$name")" = "$(rules_only plain)" ] || fail "$name: the requirements differ from the rules'"
    [ "$(get "$name" 'd["quote"]["total"]')" = "$(get plain 'd["quote"]["total"]')" ] || fail "$name: the quote differs"
    dw audit list --json >"$TMP/$name.audit"
    grep -q -- "$check" "$TMP/$name.audit" || fail "$name: '$check' not in the audit"
    echo "$name: $(get "$name" 'd["stage"]'), total $(get "$name" 'd["quote"]["total"]') $(get "$name" 'd["quote"]["currency"]')" >>"$TMP/outcomes"
    no_pii "$name"
}

bad_case invented "the quoted words are not in the message" \
    'answer {"facts": [{"field": "quantities", "value": "140", "unit": "sites", "currency": null, "quote": "140 sites"}]}' "$GOOD_SUMMARY"
[ "$(get invented 'd["requirements"]["model"]["rejected"][0]["value"]')" = 140 ] || fail "invented count not listed"
bad_case misread "the extractor reads 60000.00 EUR from these words" \
    'answer {"facts": [{"field": "budget", "value": "600000", "unit": null, "currency": "EUR", "quote": "Budget around €60k"}]}' "$GOOD_SUMMARY"
bad_case unknown_capability "not a capability of the catalog" \
    'answer {"facts": [{"field": "capabilities", "value": "quantum-routing", "unit": null, "currency": null, "quote": "SD-WAN"}]}' "$GOOD_SUMMARY"
pass "a fact from words not in the message, a value the extractor reads otherwise, an unknown capability: rejected and audited"

bad_case wrong_number "is not a number of the quote or the requirements" "$GOOD_FACTS" \
    'answer {"text": "Dear Jana Hartmann, your 12 sites cost EUR 41,296.00 in total."}'
bad_case other_product "NW-EDGE-500, which is not in the quote" "$GOOD_FACTS" \
    'answer {"text": "For your hub we add the Edge Gateway 500, one of the branch gateways of the Northwind edge family [3]."}'
bad_case uncited "without citing a passage" "$GOOD_FACTS" \
    'answer {"text": "The Edge Gateway 50 is the fastest gateway on the market."}'
bad_case personal "personal data of the deal" "$GOOD_FACTS" \
    'answer {"text": "Dear Jana Hartmann, we will call you on +49 221 555 0142 about your 12 sites."}'
for n in wrong_number other_product uncited personal; do
    [ "$(get $n 'd["proposal"]["narrative"]["source"]')" = template ] || fail "$n: the draft was used"
    [ "$(get $n '"Thank you for the opportunity" in d["proposal"]["markdown"]')" = True ] ||
        fail "$n: not the template's summary"
done
pass "a draft with a wrong number, another product, an uncited claim or echoed personal data: the template is used, the failure audited"

bad_case malformed "no answer\|malformed\|not JSON\|why" malformed
bad_case server_error "why" 500
[ "$(get server_error 'd["requirements"]["model"]["calls"][0]["answered"]')" = False ] || fail "a 500 counted as an answer"
pass "malformed JSON and a 500: the deterministic path, the reason recorded"

# ---- a disagreement asks a person --------------------------------------------------------
AT_LEAD='{"source": "web_form", "external_id": "at-1", "received_at": "2026-11-02T08:12:00Z", "contact": {"name": "Lena Gruber", "email": "lena.gruber@alpenmarkt.example", "title": "Head of IT", "company": "Alpenmarkt GmbH"}, "message": "Hello, we are based in Austria and run 12 stores in Germany. We need SD-WAN and a firewall at every store, cloud managed. Budget around EUR 60k, go-live by end of Q1 2027."}'
# the rules read the project's country (the stores in Germany, over the buyer's seat); the
# model reads the seat, Austria, from words that do say it: a disagreement a person settles
start_fake 'answer {"facts": [{"field": "country", "value": "AT", "unit": null, "currency": null, "quote": "based in Austria"}]}' "$GOOD_SUMMARY"
deal disagree "$AT_LEAD"
[ "$(get disagree 'd["requirements"]["country"]["code"]')" = DE ] || fail "the rules' country did not stay"
[ "$(get disagree 'd["requirements"]["model"]["disagreements"][0]["value"]')" = AT ] || fail "no disagreement recorded"
[ "$(get disagree 'd["stage"]')" = awaiting_approval ] || fail "disagreement: $(get disagree 'd["stage"]')"
[ "$(get disagree '[a["required_role"] for a in d["approvals"] if a["kind"] == "low_confidence"]')" = "['sales_engineer']" ] ||
    fail "no low_confidence approval for the sales engineer: $(get disagree 'd["approvals"]')"
a=$(get disagree '[a["id"] for a in d["approvals"] if a["kind"] == "low_confidence"][0]')
expect_exit 0 dw approve "$a" --as sven --note "Austrian company, German stores: DE is right"
dw deal show D-000001 --json >"$TMP/disagree.json"
[ "$(get disagree 'd["stage"]')" = proposal_ready ] || fail "after the approval: $(get disagree 'd["stage"]')"
echo "disagreement: awaiting_approval (low_confidence, sales_engineer), then proposal_ready" >>"$TMP/outcomes"
pass "rules and model disagree: the rules' value stays and a sales engineer confirms it"

# ---- the server: a lead posted over HTTP, the worker asking the model -------------------
start_fake "$GOOD_FACTS" 'answer {"facts": [{"field": "quantities", "value": "140", "unit": "sites", "currency": null, "quote": "140 sites"}]}'
WS="$TMP/server"
new_ws
printf 'providers:\n  - {id: local, api: openai, base_url: "http://127.0.0.1:%s/v1", model: "qwen2.5-7b-instruct", key_env: DW_MODEL_KEY}\ntasks: {extraction: local}\n' \
    "$(cat "$TMP/port")" >"$WS/models.yaml"
HOOK=$(dw token create --user webform --role integration --json | json_get 'd["secret"]')
ADMIN=$(dw token create --user nils --role admin --json | json_get 'd["secret"]')
start_server
post() { # FILE IDEMPOTENCY-KEY
    curl -s -o "$TMP/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $HOOK" \
        -H "Content-Type: application/json" -H "Idempotency-Key: $2" --data-binary "@$1" "$U/v1/leads"
}
wait_stage() { # DEAL STAGE
    for _ in $(seq 150); do
        curl -s -H "Authorization: Bearer $ADMIN" "$U/v1/deals/$1" >"$TMP/srv.json"
        [ "$(json_get 'd.get("stage")' <"$TMP/srv.json")" = "$2" ] && return 0
        sleep 0.2
    done
    fail "$1 never reached $2: $(json_get 'd.get("stage"), d.get("last_error")' <"$TMP/srv.json")"
}
printf '%s\n' "$LEAD" >"$TMP/s1.json"
printf '%s\n' "$LEAD" | $PY -c 'import json,sys; d=json.load(sys.stdin); d["external_id"]="wf-x"; d["contact"]["email"]="ops@other.example"; print(json.dumps(d))' >"$TMP/s2.json"
code=$(post "$TMP/s1.json" k1)
case "$code" in 20*) ;; *) fail "POST /v1/leads: $code $(cat "$TMP/body")" ;; esac
wait_stage D-000001 proposal_ready
[ "$(json_get 'd["requirements"]["meddicc"]["identified_pain"]["value"]' <"$TMP/srv.json")" = "ageing MPLS network" ] ||
    fail "server: the model's fact is not in the deal: $(json_get 'd["requirements"].get("model")' <"$TMP/srv.json")"
code=$(post "$TMP/s2.json" k2)
case "$code" in 20*) ;; *) fail "POST /v1/leads (2): $code $(cat "$TMP/body")" ;; esac
wait_stage D-000002 proposal_ready
[ "$(json_get 'd["requirements"]["model"]["rejected"][0]["reason"]' <"$TMP/srv.json")" = "the quoted words are not in the message" ] ||
    fail "server: the invented count was not rejected: $(json_get 'd["requirements"].get("model")' <"$TMP/srv.json")"
[ "$(json_get 'd["quote"]["total"]' <"$TMP/srv.json")" = "$(get plain 'd["quote"]["total"]')" ] || fail "server: the quote differs"
kill "$PID"
wait "$PID" || fail "the server exited $? on SIGTERM"
PID=
no_pii server
pass "server: leads posted over HTTP, the worker asks the model; a good fact is in the deal, an invented one rejected"

# ---- ask --answer: a composed answer under the same checks ----------------------------------
start_fake 'answer {"text": "The Edge Gateway 100 forwards up to 500 Mbit/s of encrypted SD-WAN traffic and up to 2 Gbit/s of firewall traffic [1]."}' \
    'answer {"text": "The Edge Gateway 100 forwards up to 900 Mbit/s of encrypted SD-WAN traffic [1]."}' \
    'answer {"text": "The Edge Gateway 100 forwards 500 Mbit/s."}'
sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$(cat "$TMP/port")/" "$TMP/good/models.yaml"
WS="$TMP/good"
expect_exit 0 dw ask --answer "What throughput does the Edge Gateway 100 forward?" --max 2 --json
[ "$(json_get 'd["answer"]["source"]' < "$TMP/out")" = model ] || fail "good answer not used: $OUT"
[ "$(json_get 'd["answer"]["sentences"][0]["refs"]' < "$TMP/out")" = "[1]" ] || fail "citation lost: $OUT"
[ "$(json_get 'd["answers"][0]["passage"]' < "$TMP/out")" = "knowledge/edge-gateway-50-100.md#throughput" ] || fail "passages: $OUT"
expect_exit 0 dw ask --answer "What throughput does the Edge Gateway 100 really forward?" --max 2 --json
[ "$(json_get 'd["answer"]["source"]' < "$TMP/out")" = passages ] || fail "900 Mbit/s (the Edge 50's figure) accepted: $OUT"
json_get 'd["answer"]["failures"][0]["detail"]' < "$TMP/out" | grep -q "not stated for the product" || fail "reason: $OUT"
expect_exit 0 dw ask --answer "Edge Gateway 100 throughput?" --max 2
echo "$OUT" | grep -q "without citing a passage" || fail "uncited answer: $OUT"
echo "$OUT" | grep -q "knowledge/edge-gateway-50-100.md#throughput" || fail "the passages are not shown: $OUT"
no_pii ask
pass "ask --answer: a cited answer is shown; a figure of another product or an uncited claim falls back to the passages"

# ---- eval extraction --model and eval scenarios --models: rules against rules + model ------
mkdir "$TMP/set"
cp "$DW_SOURCE_ROOT/tests/data/extraction/de-01-spedition-sdwan.json" \
    "$DW_SOURCE_ROOT/tests/data/extraction/de-02-mio-eur.json" "$TMP/set/"
start_fake 'answer {"facts": [{"field": "quantities", "value": "400", "unit": "sites", "currency": null, "quote": "400 Filialen"}]}'
sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$(cat "$TMP/port")/" "$TMP/good/models.yaml"
expect_exit 0 dw eval extraction --model --set "$TMP/set" --json
[ "$(json_get 'd["messages"], d["calls"]["asked"], d["calls"]["rejected"]' < "$TMP/out")" = "2 2 2" ] ||
    fail "eval --model counts: $OUT"
[ "$(json_get 'd["rules"] == d["model"]' < "$TMP/out")" = True ] || fail "a rejected fact changed the score: $OUT"
json_get 'list(d["reasons"])' < "$TMP/out" | grep -q "not in the message" || fail "reasons: $OUT"
expect_exit 0 dw eval extraction --model --set "$TMP/set"
echo "$OUT" | grep -q "F1 +model" || fail "no side-by-side table: $OUT"
WS="$TMP/plainws"
new_ws
expect_exit 2 dw eval extraction --model --set "$TMP/set"
echo "$ERR" | grep -q "no model serves the extraction task" || fail "without models.yaml: $ERR"
pass "eval extraction --model: rules and rules + model side by side, rejections counted"

# a model whose drafts say nothing ("good": made from the schema) must not change a scenario:
# its replies are in no language and ask nothing, so the templates stay
start_fake good
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$(cat "$TMP/port")/" "$TMP/good/models.yaml" >"$TMP/models.yaml"
expect_exit 0 "$DW" eval scenarios --set "$DW_SOURCE_ROOT/tests/data/scenarios" --only language-german-reply \
    --models "$TMP/models.yaml"
echo "$OUT" | grep -q "1 passed" || fail "scenarios with a model: $OUT"
[ "$(calls=$(wc -l <"$TMP/log"); echo "$calls")" -ge 2 ] || fail "the scenario did not use the model"
pass "eval scenarios --models: the same scenarios with the agents asking a model"

cat "$TMP/outcomes"

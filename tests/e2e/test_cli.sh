#!/bin/sh
# The command line behaves like git's: help and version, group help, "did you mean", the
# bad option named, a missing value reported as such, per-command help from the command
# table, the workspace found from a subfolder or $DW_WORKSPACE, one exit code per kind of
# failure, tables aligned by display width, and a bash completion made from the table.
. "$(dirname "$0")/lib.sh"
SRC=${DW_SOURCE_ROOT:?}
new_ws

# ---- help and version ------------------------------------------------------------------
want_version=$(sed -n "s/^  version : '\([^']*\)',$/\1/p" "$SRC/meson.build")
[ -n "$want_version" ] || fail "no project version in meson.build"
for v in version --version; do
    expect_exit 0 "$DW" $v
    [ "$OUT" = "dealwright $want_version" ] || fail "$v: '$OUT', want 'dealwright $want_version'"
done
expect_exit 0 "$DW" help
HELP=$OUT
expect_exit 0 "$DW" --help
[ "$OUT" = "$HELP" ] || fail "--help and help differ"
for c in init validate "lead add" run deals "deal show" "deal proposal" approvals approve \
    reject accept "quote discount" "quote diff" price "audit verify" "audit checkpoint" \
    "audit show" "privacy purge" "cel eval" extract "eval extraction" "eval scenarios" \
    "score train" "score eval" "score show" ask configure serve "token create" "token list" \
    "token revoke" "webhook add" "webhook list" "webhook remove" "webhook deliveries" \
    "webhook replay" "webhook deliver" agents demo; do
    echo "$HELP" | grep -q "^  $c\( \|$\)" || fail "help lacks '$c'"
    # shellcheck disable=SC2086
    expect_exit 0 "$DW" help $c
    echo "$OUT" | grep -q "^usage: dealwright $c" || fail "help $c: no usage line: $OUT"
    echo "$OUT" | grep -A1 '^Example:$' | grep -q "^  dealwright $c" ||
        fail "help $c: no example: $OUT"
    # shellcheck disable=SC2086
    expect_exit 0 "$DW" $c --help
    echo "$OUT" | grep -q "^usage: dealwright $c" || fail "$c --help: $OUT"
done
for t in help version completion exit-codes --help; do
    expect_exit 0 "$DW" help $t
    [ -n "$OUT" ] || fail "help $t: nothing"
done
expect_exit 0 "$DW" completion --help
echo "$OUT" | grep -q "source <(dealwright completion bash)" || fail "completion --help: $OUT"
expect_exit 2 "$DW" help shwo
echo "$ERR" | grep -q "no help on 'shwo'" || fail "help shwo: $ERR"
pass "help, --help, version; every command's help has a usage line and an example"

# every option a command reads is in its table, so in its help with a sentence
grep -o 'cli_\(opt\|flag\)(&\?argc, argv, "--[a-z-]*"' "$SRC"/src/cmd-*.c |
    sed 's/^\([^:]*\):.*"\(--[a-z-]*\)"$/\1 \2/' | sort -u >"$TMP/opts"
[ "$(wc -l <"$TMP/opts")" -ge 40 ] || fail "too few options found in src/: $(wc -l <"$TMP/opts")"
all_help=$(for c in $(echo "$HELP" | sed -n 's/^  \([a-z]\+\( [a-z]\+\)\?\)\( [A-Z[].*\| \{2,\}.*\)$/\1/p' |
    tr ' ' '_'); do "$DW" help $(echo "$c" | tr '_' ' '); done)
while read -r file opt; do
    echo "$all_help" | grep -q "^  $opt\( [A-Z]\| \{2,\}[a-z]\)" || fail "$file reads $opt; no help has it"
done <"$TMP/opts"
expect_exit 0 "$DW" help deals
for o in --stage --limit --after --json --help; do
    echo "$OUT" | grep -Eq "^  (-h, )?$o( [A-Z]+)? +[a-z]" || fail "help deals: $o without a sentence: $OUT"
done
pass "every option the commands read is in the help of its command, with a sentence"

# ---- group help -------------------------------------------------------------------------
for fam in lead deal quote audit privacy cel eval score token webhook; do
    expect_exit 2 "$DW" $fam
    [ -z "$OUT" ] || fail "$fam: the usage belongs on stderr: $OUT"
    echo "$ERR" | grep -q "^usage: dealwright $fam SUBCOMMAND" || fail "$fam: $ERR"
    expect_exit 0 "$DW" $fam --help
    expect_exit 0 "$DW" help $fam
done
expect_exit 2 "$DW" token
for s in create list revoke; do
    echo "$ERR" | grep -q "^  $s" || fail "token: no '$s' in $ERR"
done
pass "group help: a family alone is a usage error listing its subcommands; --help prints them"

# ---- did you mean, bad options, missing values -----------------------------------------
expect_exit 2 dw deal shwo D-000001
[ "$ERR" = "dealwright: unknown subcommand 'shwo' for 'deal'; did you mean 'show'? (see 'dealwright help deal')" ] ||
    fail "deal shwo: $ERR"
expect_exit 2 "$DW" tokne list
echo "$ERR" | grep -q "unknown command 'tokne'; did you mean 'token'?" || fail "tokne: $ERR"
expect_exit 2 "$DW" xyzzy
echo "$ERR" | grep -q "unknown command 'xyzzy' (see" || fail "no suggestion expected: $ERR"
expect_exit 2 dw deals --stag pricing
echo "$ERR" | grep -q "unknown option '--stag' for 'deals'; did you mean '--stage'?" || fail "$ERR"
expect_exit 2 dw webhook deliveries --stauts dead
echo "$ERR" | grep -q "unknown option '--stauts' for 'webhook deliveries'; did you mean '--status'?" ||
    fail "$ERR"
expect_exit 2 "$DW" --wrokspace "$WS" deals
echo "$ERR" | grep -q "unknown option '--wrokspace'; did you mean '--workspace'?" || fail "$ERR"
expect_exit 2 "$DW" -w
[ "$(echo "$ERR" | head -1)" = "dealwright: option '-w' needs a value (DIR)" ] || fail "-w: $ERR"
expect_exit 2 dw deals --stage
echo "$ERR" | grep -q "option '--stage' needs a value" || fail "$ERR"
expect_exit 2 dw deals --stage --limit 5
echo "$ERR" | grep -q "option '--stage' needs a value" || fail "$ERR"
expect_exit 2 dw approve A-000001 --note ok
echo "$ERR" | grep -q "'approve' needs --as USER" || fail "$ERR"
expect_exit 2 dw privacy purge --dry-run=yes
echo "$ERR" | grep -q "option '--dry-run' takes no value" || fail "$ERR"
expect_exit 2 dw deals --limit 5 --limit 6
echo "$ERR" | grep -q "option '--limit' given twice" || fail "$ERR"
expect_exit 0 dw deals --stage=new --json
expect_exit 2 "$DW" help deal shwo
echo "$ERR" | grep -q "unknown subcommand 'shwo' for 'deal'; did you mean 'show'?" || fail "$ERR"
expect_exit 2 "$DW" cel eval '-1 < 0'
echo "$ERR" | grep -q "goes after --" || fail "cel eval -1: $ERR"
expect_exit 0 "$DW" cel eval -- '-1 < 0'
[ "$OUT" = true ] || fail "cel eval -- -1 < 0: $OUT"
pass "did you mean for commands, subcommands and options; missing values named"

# ---- the workspace ---------------------------------------------------------------------
"$DW" -w "$WS" lead add "$WS/samples/leads.jsonl" >/dev/null
mkdir -p "$WS/knowledge/deeper"
(cd "$WS/knowledge/deeper" && "$DW" deals --json) >"$TMP/sub.json" ||
    fail "deals from a subfolder of the workspace"
n=$(json_get 'len(d)' <"$TMP/sub.json")
[ "$n" -ge 5 ] || fail "from a subfolder: $n deals"
(cd "$TMP" && DW_WORKSPACE="$WS" "$DW" validate >/dev/null) || fail "DW_WORKSPACE"
(cd "$TMP" && DW_WORKSPACE="$TMP/nowhere" "$DW" -w "$WS" validate >/dev/null) || fail "-w must win"
(cd "$WS" && DW_WORKSPACE="$TMP/nowhere" expect_exit 2 "$DW" validate)
mkdir -p "$TMP/plain/a"
(cd "$TMP/plain/a" && expect_exit 2 "$DW" deals &&
    echo "$ERR" | grep -q "no dealwright.yaml in $TMP/plain/a or any folder above it" &&
    echo "$ERR" | grep -q "DW_WORKSPACE") || fail "no workspace: not named where it looked"
(cd "$TMP/plain/a" && expect_exit 2 "$DW" -w "$TMP/plain" validate &&
    echo "$ERR" | grep -q "$TMP/plain has no dealwright.yaml (from -w)") || fail "-w no workspace"
pass "workspace: found from a subfolder, from DW_WORKSPACE, -w first; none found names where"

# ---- one exit code per kind of failure -------------------------------------------------
expect_exit 0 "$DW" help exit-codes
for k in 0 1 2 3; do echo "$OUT" | grep -q "^  $k  [a-z]" || fail "exit-codes lacks $k"; done
[ "$(echo "$OUT" | grep -c "^  [4-9]")" = 0 ] || fail "exit-codes beyond the contract's 0-3: $OUT"
cp -r "$WS" "$TMP/broken"
printf 'company: [unclosed\n' >"$TMP/broken/dealwright.yaml"
printf '{"source": "web_form", "external_id": 5}' >"$TMP/bad-lead.json"
printf '{"lines": [{"sku": "NW-EDGE-100", "quantity": 0}]}' >"$TMP/bad-sol.json"
while IFS='|' read -r code args; do
    # shellcheck disable=SC2086
    eval "expect_exit $code $args"
done <<EOF
1|"$DW" cel eval 'x.total > "5"' --var 'x={"total": 1}'
2|dw deals --bogus
2|dw quote diff D-000001 1
2|"$DW" token
1|"$DW" -w "$TMP/broken" validate
2|"$DW" -w "$TMP/broken" deals
2|"$DW" -w "$TMP/broken" price --solution "$TMP/bad-sol.json"
2|"$DW" -w "$TMP/broken" ask "Are you ISO 27001 certified?"
2|dw lead add "$TMP/bad-lead.json"
2|dw price --solution "$TMP/bad-sol.json"
2|"$DW" cel eval '(1 +'
2|dw deal show D-999999
2|dw quote diff D-999999 1 2
2|dw token revoke 999
2|dw price --solution "$TMP/missing.json"
2|"$DW" init "$WS"
2|dw accept D-000001
3|"$DW" -w "$WS" --db /dev/null/state.db deals
EOF
pass "exit codes: 1 check (validate too), 2 usage, workspace, input, not found or refused, 3 environment"

# ---- tables by display width -----------------------------------------------------------
python3 - "$TMP/wide.jsonl" <<'PY'
import json, sys
leads = [("Müller & Söhne Elektrotechnik GmbH Zürich Süd", "jürgen.müller@müller-söhne.example"),
         ("株式会社東京エッジネットワークス関西支社", "tanaka@tokyo-edge.example"),
         ("Ångström Café Noël", "noel@cafe.example"),
         # decomposed: e + U+0301, o + U+0308 (combining marks take no column)
         ("Socie\u0301te\u0301 Ge\u0301ne\u0301rale des Ro\u0308uteurs Alpins", "sg@routeurs.example")]
with open(sys.argv[1], "w") as f:
    for i, (company, email) in enumerate(leads):
        f.write(json.dumps({"source": "web_form", "external_id": "w-%d" % i,
                            "received_at": "2026-11-20T09:00:00Z",
                            "contact": {"name": "N", "email": email, "company": company},
                            "subject": "Routers", "message": "We need 10 edge routers."},
                           ensure_ascii=False) + "\n")
PY
dw lead add "$TMP/wide.jsonl" >/dev/null
dw run >/dev/null
dw deals >"$TMP/deals.txt"
python3 - "$TMP/deals.txt" <<'PY' || fail "deals table not aligned by display width: $(cat "$TMP/deals.txt")"
import sys, unicodedata
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")  # strict: never cut inside a character
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in s)
lines = text.splitlines()
head = lines[0]
contact_col = width(head[:head.index("CONTACT")])
total_end = width(head)
seen = {"Müller": False, "株式会社": False, "Ångström": False, "Socie\u0301te\u0301": False}
for l in lines[1:]:
    for k in seen:
        if k in l:
            seen[k] = True
import re
for l in lines[1:]:
    m = re.match(r"^(D-\d{6}) +(\S+) +(.*)$", l)
    assert m, l
    # the account cell: 28 display columns from display column 29
    rest = l[29:]
    w = 0
    i = 0
    while w < 28:
        w += width(rest[i]); i += 1
    assert w == 28, ("account cell overflows", l)
    assert rest[i] == " ", ("no space after the account", l)
    assert width(l[: 29 + i + 1]) == contact_col, ("contact column moved", l)
assert all(seen.values()), seen
assert "Müller & Söhne Elektrotechn…" in text, "long account not cut with …"
assert "株式会社東京エッジネットワ… " in text, "wide account not cut by width"
PY
pass "deals: accented and East Asian names aligned by display width, cut whole with …"

# ---- bash completion -------------------------------------------------------------------
expect_exit 0 "$DW" completion bash
printf '%s\n' "$OUT" >"$TMP/completion.bash"
cmp -s "$TMP/completion.bash" "$DW_BUILD_ROOT/src/completion/dealwright" ||
    fail "the built completion file differs from 'dealwright completion bash'"
meson introspect "$DW_BUILD_ROOT" --installed |
    python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if any(v.endswith("/share/bash-completion/completions/dealwright") for v in d.values()) else 1)' ||
    fail "meson does not install share/bash-completion/completions/dealwright"
complete_words() { # complete_words WORD...: COMPREPLY for the last word
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dealwright; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$TMP/completion.bash" "$@"
}
bash -c ". '$TMP/completion.bash'; complete -p dealwright" | grep -q "complete -F _dealwright dealwright" ||
    fail "complete -p dealwright"
complete_words dealwright to | grep -qx token || fail "dealwright to<TAB>"
[ "$(complete_words dealwright token c)" = "create" ] || fail "token c<TAB>: $(complete_words dealwright token c)"
complete_words dealwright deal "" | sort | tr '\n' ' ' | grep -q "^book ics link mail proposal show $" ||
    fail "deal <TAB>: $(complete_words dealwright deal '')"
complete_words dealwright deals --st | grep -qx -- --stage || fail "deals --st<TAB>"
complete_words dealwright -w "$WS" webhook deliveries --s | grep -qx -- --status ||
    fail "-w DIR webhook deliveries --s<TAB>"
complete_words dealwright score train --c | sort | tr '\n' ' ' | grep -q -- "^--colsample --csv $" ||
    fail "score train --c<TAB>: $(complete_words dealwright score train --c)"
(cd "$WS" && complete_words dealwright lead add samples/le) | grep -qx samples/leads.jsonl ||
    fail "lead add FILE<TAB>"
(cd "$WS" && complete_words dealwright -w samp) | grep -qx samples || fail "-w DIR<TAB>"
complete_words dealwright help web | grep -qx webhook || fail "help web<TAB>"
complete_words dealwright help deal "" | sort | tr '\n' ' ' | grep -q "^book ics link mail proposal show $" ||
    fail "help deal <TAB>: $(complete_words dealwright help deal '')"
pass "bash completion from the table: commands, subcommands, options, files"

#!/bin/sh
# The per-language knowledge files (lib/engines/extract/lang/LANG.yaml) are checked when
# they are compiled in: the six real ones pass, and a file with mistakes fails, each named
# as FILE:LINE:COL, nothing written.
set -eu
: "${DW_SOURCE_ROOT:?}" "${DW_BUILD_ROOT:?}"
EMBED="$DW_BUILD_ROOT/lib/engines/extract/embed-lang"
LANG_DIR="$DW_SOURCE_ROOT/lib/engines/extract/lang"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$EMBED" "$T/ok.c" "$LANG_DIR/en.yaml" "$LANG_DIR/de.yaml" "$LANG_DIR/fr.yaml" \
    "$LANG_DIR/es.yaml" "$LANG_DIR/it.yaml" "$LANG_DIR/nl.yaml"
grep -q 'dw__ex_lang_entries' "$T/ok.c"

BAD="$DW_SOURCE_ROOT/tests/data/lang-bad/de.yaml"
if "$EMBED" "$T/bad.c" "$BAD" 2>"$T/err"; then
    echo "FAIL: a bad language file was accepted"; exit 1
fi
[ ! -e "$T/bad.c" ] || { echo "FAIL: output written for a bad file"; exit 1; }
for want in \
    "$BAD:4:10: 'Januar' has a capital letter" \
    "$BAD:4:26: mai: '13' is not an integer from 1 to 12" \
    "$BAD:5:19: 'kein' is listed twice" \
    "$BAD:5:26: 'nicht mehr' is more than one word" \
    "$BAD:6:20: 'eastr' is not one of:" \
    "$BAD:7:1: unknown section 'foo'" \
    "$BAD:8:20: '{bereits |schon} vorhanden': a space inside {...}: each alternative is one word" \
    "$BAD:8:45: 'im {einsatz|betrieb': a '{' without its '}'" \
    "$BAD:8:66: '{|x}': an empty alternative"; do
    grep -qF "$want" "$T/err" || { echo "FAIL: missing: $want"; cat "$T/err"; exit 1; }
done
echo "ok: the language files are checked"

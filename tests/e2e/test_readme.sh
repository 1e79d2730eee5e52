#!/bin/sh
# README.md's examples run as written: every `dealwright ...` line of its code blocks, in
# order, the walkthrough (the block that starts with `dealwright init`) in a fresh folder,
# the others in the source tree. Only the server's port is changed, to a free one, so that
# the test runs beside others. Any failing line fails the test.
. "$(dirname "$0")/lib.sh"
SRC=${DW_SOURCE_ROOT:?}
PATH="$(dirname "$DW"):$PATH"
export PATH HOME="$TMP/home"
mkdir -p "$HOME" "$TMP/run"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

python3 - "$SRC/README.md" "$TMP" "$PORT" <<'PY'
import re, sys
readme, tmp, port = sys.argv[1], sys.argv[2], sys.argv[3]
blocks = re.findall(r"^```([a-z]*)\n(.*?)^```$", open(readme, encoding="utf-8").read(), re.M | re.S)
n = 0
runnable = []
for lang, body in blocks:
    cmds = [l for l in body.splitlines() if re.match(r"\s*dealwright ", l)]
    if not cmds:
        continue
    if lang != "sh":
        sys.exit(f"a ``` block with dealwright commands is not marked sh (runnable): {cmds[0]}")
    n += len(cmds)
    runnable.append(body.replace("127.0.0.1:8080", "127.0.0.1:" + port))
if n < 40 or not runnable[0].startswith("dealwright init "):
    sys.exit(f"README: {n} dealwright commands; the walkthrough must start with dealwright init")
for i, body in enumerate(runnable):
    open(f"{tmp}/block{i}.sh", "w", encoding="utf-8").write(body)
print(n, "commands in", len(runnable), "blocks", file=sys.stderr)
PY

i=0
while [ -f "$TMP/block$i.sh" ]; do
    dir="$TMP/run"
    [ "$i" -gt 0 ] && dir="$SRC"
    (cd "$dir" && timeout 300 sh -ex "$TMP/block$i.sh") >"$TMP/out$i" 2>&1 ||
        fail "README block $((i + 1)) stops at: $(grep '^+ ' "$TMP/out$i" | tail -1)
$(tail -15 "$TMP/out$i")"
    i=$((i + 1))
done
WS="$TMP/run/acme"
[ -s "$WS/proposal.md" ] || fail "deal proposal > proposal.md wrote nothing"
grep -q '"lines"' "$WS/solution.json" || fail "configure > solution.json: no lines"
dw deal show D-000001 --json | json_get 'd["order"]["id"]' | grep -q '^O-' || fail "no order"
dw deal show D-000003 --json | json_get 'd["quote"]["revision"]' | grep -qx 2 || fail "no revision 2"
grep -q "^+ dealwright token revoke 2" "$TMP/out0" || fail "the walkthrough did not run to its end: $(tail -5 "$TMP/out0")"
grep -q "+ kill " "$TMP/out0" || fail "the server part did not run: $(tail -5 "$TMP/out0")"
pass "README: every dealwright command of its code blocks runs as written, in order"

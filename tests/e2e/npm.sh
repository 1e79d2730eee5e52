# The end-to-end tests' npm tools (tests/e2e/npm: package.json and the committed
# package-lock.json), installed once into the build tree. Sourced after lib.sh:
#   . "$(dirname "$0")/npm.sh"; npm_tools "the API document test" [APT-PACKAGES...]
# sets NODE (DW_NODE or PATH's node), NPM_CLI (DW_NPM or PATH's npm) and NODE_MODULES, and
# fails, naming the apt-get line, when a tool is missing: nothing skips. Node.js must be 18
# or later (Debian 12's). `npm ci --engine-strict` (the lockfile exactly, refusing a package
# whose engines exclude this Node.js or npm) runs when the installed tree is not the
# committed lockfile's; tests running at once take turns (flock), and npm's own error is
# shown when it fails.
npm_tools() {
    _what=$1
    shift
    NODE="${DW_NODE:-node}"
    _missing=""
    for _p in "$@"; do
        [ -x "/usr/bin/$_p" ] || _missing="$_missing $_p"
    done
    command -v "$NODE" >/dev/null || _missing="$_missing nodejs"
    NPM_CLI=${DW_NPM:-$(command -v npm || true)}
    [ -n "$NPM_CLI" ] || _missing="$_missing npm"
    command -v flock >/dev/null || _missing="$_missing util-linux"
    [ -z "$_missing" ] || fail "$_what needs$_missing: run make test-deps (sudo apt-get install -y$_missing)"
    NPM_CLI=$(readlink -f "$NPM_CLI")
    _major=$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$_major" -ge 18 ] || fail "Node.js $("$NODE" --version 2>&1) is too old; $_what needs 18 or later"
    echo "node $("$NODE" --version) ($NODE), npm $("$NODE" "$NPM_CLI" --version)"
    _npmdir="$(cd "$(dirname "$0")/npm" && pwd)"
    _cache="${DW_BUILD_ROOT:-$TMP}/e2e-node"
    NODE_MODULES="$_cache/node_modules"
    mkdir -p "$(dirname "$_cache")"
    exec 9>"$_cache.lock"
    flock 9
    if ! cmp -s "$_npmdir/package-lock.json" "$_cache/package-lock.json" ||
        [ ! -f "$_cache/node_modules/.package-lock.json" ]; then
        rm -rf "$_cache"
        mkdir -p "$_cache"
        cp "$_npmdir/package.json" "$_npmdir/package-lock.json" "$_cache/"
        if ! (cd "$_cache" && "$NODE" "$NPM_CLI" ci --engine-strict --no-audit --no-fund \
                --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 \
                --fetch-timeout=30000 --loglevel=error) >"$TMP/npm.log" 2>&1; then
            rm -f "$_cache/package-lock.json"
            flock -u 9
            fail "npm ci of tests/e2e/npm/package-lock.json failed: $(grep -E 'npm (ERR!|error)' "$TMP/npm.log" | head -15 || true)
$(tail -5 "$TMP/npm.log")"
        fi
    fi
    flock -u 9
    exec 9>&-
}

#!/bin/sh
# Install the build into a scratch DESTDIR (as `make install DESTDIR=...` does) and build an
# embedder against what was installed, through the installed dealwright.pc alone: every
# public header compiles on its own, the embedder (tests/embed/embed.c) compiles with
# -Werror and runs against the installed shared library, and the installed binary runs.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d /tmp/dealwright-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "install test: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$tmp/root" --no-rebuild >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "meson install failed"; }
pc=$(find "$tmp/root" -name dealwright.pc | head -n 1)
[ -n "$pc" ] || fail "no dealwright.pc installed"
export PKG_CONFIG_PATH="$(dirname "$pc")"
prefix=$(pkg-config --variable=prefix dealwright)
root="$tmp/root$prefix"
pcv="--define-variable=prefix=$root"
[ "$(pkg-config --modversion dealwright)" = "$(sed -n 's/^#define DW_VERSION_STRING "\(.*\)"/\1/p' \
    "$root/include/dealwright/version.h")" ] || fail "dealwright.pc and version.h disagree"
for f in "$root/bin/dealwright" "$root/include/dealwright/dealwright.h"; do
    [ -f "$f" ] || fail "$f not installed"
done
libdir=$(pkg-config $pcv --variable=libdir dealwright)
ls "$libdir"/libdealwright.so.1 >/dev/null || fail "no libdealwright.so.1 in $libdir"
[ ! -e "$libdir/libdealwright.a" ] || fail "the static library (internals) was installed"

cflags=$(pkg-config $pcv --cflags dealwright)
libs=$(pkg-config $pcv --libs dealwright)
# shellcheck disable=SC2086
for h in "$root"/include/dealwright/*.h; do
    printf '#include <dealwright/%s>\n' "$(basename "$h")" |
        cc -std=c11 -Wall -Wextra -Werror $cflags -fsyntax-only -x c - ||
        fail "$(basename "$h") does not compile on its own"
done
# shellcheck disable=SC2086
cc -std=gnu11 -Wall -Wextra -Werror $cflags "$src/tests/embed/embed.c" -o "$tmp/embed" $libs \
    -Wl,-rpath,"$libdir" || fail "the embedder does not build against the installed API"
"$tmp/embed" || fail "the embedder failed"
"$root/bin/dealwright" agents --json >"$tmp/agents.json" || fail "the installed binary failed"
grep -q '"name": "intake"' "$tmp/agents.json" || fail "the installed binary lists no intake agent"
echo "installed into $root: binary, library, headers, dealwright.pc; the embedder ran"

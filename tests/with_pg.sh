#!/bin/sh
# with_pg.sh CMD [ARG...]: run CMD with a throwaway PostgreSQL cluster (tests/pg.sh), every
# "{pg}" in the arguments replaced by its base URL (postgres://USER@127.0.0.1:PORT), also in
# DW_PG_URL; the cluster is stopped and removed however CMD ends. CMD's exit status is kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || {
    echo "usage: with_pg.sh CMD [ARG...]" >&2
    exit 2
}
dir=$(mktemp -d /tmp/dw-pg.XXXXXX)
cleanup() {
    "$here/pg.sh" stop "$dir" || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
DW_PG_URL=$("$here/pg.sh" start "$dir")
export DW_PG_URL DW_PG_DIR="$dir"
cmd=$1
shift
n=$#
while [ $n -gt 0 ]; do
    a=$1
    shift
    while :; do
        case $a in
        *"{pg}"*) a="${a%%\{pg\}*}$DW_PG_URL${a#*\{pg\}}" ;;
        *) break ;;
        esac
    done
    set -- "$@" "$a"
    n=$((n - 1))
done
set +e
"$cmd" "$@"
rc=$?
set -e
exit $rc

#!/bin/sh
# dw_pg.sh ARGS...: dealwright with each workspace's state in its own PostgreSQL database
# (the end-to-end tests with DW_TEST_BACKEND=postgres; tests/e2e/lib.sh sets DW to this).
#
# The workspace is found as dealwright finds it (-w DIR / --workspace DIR, else
# $DW_WORKSPACE, else the first folder from here up holding dealwright.yaml; `init DIR`
# names a new one). Its database is ws_ + a hash of its absolute path, created on the
# cluster of DW_PG_DIR (tests/pg.sh) the first time, and handed over as DW_DB; `init` of a
# workspace that does not exist yet starts it empty again, as a new state.db would. A
# command given --db or DW_DB, or run outside any workspace, runs as it is.
# Environment: DW_REAL (the binary), DW_PG_DIR, DW_PG_SH (tests/pg.sh).
set -eu
: "${DW_REAL:?}" "${DW_PG_DIR:?}" "${DW_PG_SH:?}"

[ -z "${DW_DB:-}" ] || exec "$DW_REAL" "$@"

ws="" cmd="" init="" state=opts
for a in "$@"; do
    case $state in
    opts)
        case $a in
        --db | --db=*) exec "$DW_REAL" "$@" ;;
        -w | --workspace) state=wval ;;
        --workspace=*) ws=${a#--workspace=} ;;
        -*) ;;
        *)
            cmd=$a
            state=args
            ;;
        esac
        ;;
    wval)
        ws=$a
        state=opts
        ;;
    args)
        if [ "$cmd" = init ] && [ -z "$init" ]; then
            case $a in -*) ;; *) init=$a ;; esac
        fi
        ;;
    esac
done
[ -n "$init" ] && ws=$init
if [ -z "$ws" ]; then
    if [ -n "${DW_WORKSPACE:-}" ]; then
        ws=$DW_WORKSPACE
    else
        d=$(pwd -P)
        while [ "$d" != / ] && [ ! -f "$d/dealwright.yaml" ]; do d=$(dirname "$d"); done
        [ -f "$d/dealwright.yaml" ] || exec "$DW_REAL" "$@"
        ws=$d
    fi
fi
# the absolute path, for a folder that may not exist yet
case $ws in /*) ;; *) ws="$(pwd -P)/$ws" ;; esac
if [ -d "$ws" ]; then abs=$(cd "$ws" && pwd -P); else abs=$ws; fi
name=ws_$(printf '%s' "$abs" | md5sum | cut -c1-20)
mark="$DW_PG_DIR/dbs/$name"
mkdir -p "$DW_PG_DIR/dbs"
fresh=""
[ -n "$init" ] && [ ! -f "$abs/dealwright.yaml" ] && fresh=1
if [ -n "$fresh" ] || [ ! -e "$mark" ]; then
    # one process at a time creates (two commands may start on a new workspace together)
    while ! mkdir "$mark.lock" 2>/dev/null; do sleep 0.05; done
    if [ -n "$fresh" ] || [ ! -e "$mark" ]; then
        [ ! -e "$mark" ] || "$DW_PG_SH" psql "$DW_PG_DIR" postgres \
            -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
        "$DW_PG_SH" createdb "$DW_PG_DIR" "$name" >/dev/null
        echo "$abs" >"$mark"
    fi
    rmdir "$mark.lock"
fi
DW_DB="$("$DW_PG_SH" url "$DW_PG_DIR")/$name"
export DW_DB
exec "$DW_REAL" "$@"

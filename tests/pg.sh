#!/bin/sh
# A throwaway PostgreSQL cluster for the tests (docs/internals/store.md, "The test harness").
#
#   tests/pg.sh start DIR          initdb in DIR/data, start it on a free loopback port; prints
#                                  the base URL (postgres://dwtest@127.0.0.1:PORT)
#   tests/pg.sh createdb DIR NAME  a fresh database NAME; prints its URL
#   tests/pg.sh url DIR            the base URL again
#   tests/pg.sh psql DIR DB [ARG...]  psql on database DB (for checks the interface hides)
#   tests/pg.sh dump DIR DB        pg_dump of database DB (schema and data, as text)
#   tests/pg.sh stop DIR           stop the cluster (DIR stays; the caller removes it)
#
# The server listens on 127.0.0.1 only, with trust authentication for loopback and its unix
# socket in DIR (nothing else can reach it), on a port found free at start. PostgreSQL
# refuses to run as root: when uid is 0 the server runs as the system user dwtest (created
# when missing, no login shell, no home) and DIR is given to that user; otherwise as the
# caller. PG_BIN overrides the binaries' folder (default: Debian's PostgreSQL 15).
set -eu

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=dwtest

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

usage() {
    die "usage: pg.sh start|stop|url DIR, pg.sh createdb|dump DIR NAME, pg.sh psql DIR DB [ARG...]"
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
[ -x "$PG_BIN/initdb" ] || die "no PostgreSQL binaries in $PG_BIN (apt-get install postgresql)"

# as_server CMD...: run CMD as the user the server runs as.
as_server() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

server_user() {
    if [ "$(id -u)" = 0 ]; then echo "$PG_USER"; else id -un; fi
}

ensure_user() {
    [ "$(id -u)" = 0 ] || return 0
    getent passwd "$PG_USER" >/dev/null && return 0
    # two test scripts may race here: the loser's useradd fails, the user exists all the same
    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$PG_USER" 2>/dev/null || true
    getent passwd "$PG_USER" >/dev/null || die "cannot create the system user $PG_USER"
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

port_of() {
    [ -f "$dir/port" ] || die "$dir: no cluster started here (pg.sh start $dir)"
    cat "$dir/port"
}

base_url() {
    echo "postgres://$(cat "$dir/user")@127.0.0.1:$(port_of)"
}

case $cmd in
start)
    [ $# -eq 0 ] || usage
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/data" ] || die "$dir/data exists: stop and remove the old cluster first"
    # the unix socket's path must fit in sun_path (107 bytes with the file name)
    [ ${#dir} -le 80 ] || die "$dir: path too long for the server's unix socket"
    ensure_user
    if [ "$(id -u)" = 0 ]; then
        chown "$PG_USER" "$dir"
        chmod 0700 "$dir"
        as_server test -w "$dir" ||
            die "$dir: $PG_USER cannot write here (a parent folder is closed to it: use /tmp)"
    fi
    server_user >"$dir/user"
    as_server "$PG_BIN/initdb" -D "$dir/data" -U "$(server_user)" -A trust -E UTF8 \
        --no-locale --no-instructions >"$dir/initdb.log" 2>&1 ||
        die "initdb failed: $(tail -5 "$dir/initdb.log")"
    # loopback only: the unix socket in DIR and 127.0.0.1
    cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    tries=0
    while :; do
        port=$(free_port)
        if as_server "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" \
            start >/dev/null 2>&1; then
            break
        fi
        # another process took the port between the probe and the start: try another
        tries=$((tries + 1))
        [ $tries -lt 5 ] || die "the server did not start: $(tail -5 "$dir/server.log")"
    done
    echo "$port" >"$dir/port"
    base_url
    ;;
createdb)
    [ $# -eq 1 ] || usage
    name=$1
    case $name in
    *[!a-z0-9_]* | "") die "database name '$name': use a-z, 0-9 and _" ;;
    esac
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$(port_of)" -U "$(cat "$dir/user")" "$name" ||
        die "createdb $name failed"
    echo "$(base_url)/$name"
    ;;
url)
    [ $# -eq 0 ] || usage
    base_url
    ;;
psql)
    [ $# -ge 1 ] || usage
    db=$1
    shift
    exec "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(port_of)" \
        -U "$(cat "$dir/user")" -d "$db" "$@"
    ;;
dump)
    [ $# -eq 1 ] || usage
    exec "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$(port_of)" -U "$(cat "$dir/user")" "$1"
    ;;
stop)
    [ $# -eq 0 ] || usage
    [ -d "$dir/data" ] || exit 0
    as_server "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_server "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
*)
    usage
    ;;
esac

# NATS JetStream for the end-to-end tests: a throwaway nats-server on a free loopback port
# with its store in $TMP/nats, started and killed by the test. Source after lib.sh.
# start_nats (again after kill9_nats: the same port and store), kill9_nats, stop_nats;
# stream ARGS: tests/e2e/nats_stream.py against it.
NATS_BIN=${NATS_SERVER:-/usr/sbin/nats-server}
[ -x "$NATS_BIN" ] || fail "nats-server is not installed ($NATS_BIN; Debian: apt-get install nats-server)"
NATS_PID=""
NATS_PORT=""
free_port() {
    python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}
start_nats() {
    [ -n "$NATS_PORT" ] || NATS_PORT=$(free_port)
    "$NATS_BIN" -js -sd "$TMP/nats" -p "$NATS_PORT" -a 127.0.0.1 >>"$TMP/nats.log" 2>&1 &
    NATS_PID=$!
    _t=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1', $NATS_PORT), 1)" 2>/dev/null; do
        kill -0 "$NATS_PID" 2>/dev/null || fail "nats-server exited: $(tail -5 "$TMP/nats.log")"
        _t=$((_t + 1))
        [ "$_t" -lt 100 ] || fail "nats-server did not listen within 10 s"
        sleep 0.1
    done
    NATS="nats://127.0.0.1:$NATS_PORT"
}
kill9_nats() {
    kill -9 "$NATS_PID"
    wait "$NATS_PID" 2>/dev/null || true
    NATS_PID=""
}
stop_nats() {
    [ -z "$NATS_PID" ] || { kill "$NATS_PID" 2>/dev/null || true; wait "$NATS_PID" 2>/dev/null || true; }
    NATS_PID=""
}
stream() { python3 "$DW_SOURCE_ROOT/tests/e2e/nats_stream.py" "$NATS_PORT" "$@"; }

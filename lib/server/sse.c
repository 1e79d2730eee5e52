/* Server-Sent Events: GET /v1/events (docs/internals/server.md "Events").
 *
 * A stream waits on the event pump (pump.c) instead of polling the store: it reads the log
 * only when the pump has seen an event past its position. Its token is checked again every
 * SSE_RECHECK_MS, so a revoked token ends the stream within a second. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

struct sse {
    struct server *sv;
    int64_t last;      /* last event sent */
    struct dw_buf out; /* formatted, not yet sent */
    size_t off;
    char secret[160]; /* the stream's token, checked again every SSE_RECHECK_MS */
    int64_t checked_us;
    bool subscribed;
    struct dw_events_follower *follow; /* with --events: the stream of every instance */
};

/* The stream's token is still valid (not revoked, its user still holds its role). A store
 * that cannot be read ends the stream too: it cannot be told. */
static bool sse_token_ok(struct sse *s) {
    int64_t now = srv_mono_us();
    if (now - s->checked_us < (int64_t)SSE_RECHECK_MS * 1000)
        return true;
    s->checked_us = now;
    struct dw_error err = {0};
    json_t *tok = NULL;
    struct reader *rd = srv_reader_get(s->sv);
    int r = dw_token_check(rd->e, s->secret, &tok, &err);
    srv_reader_put(rd);
    json_decref(tok);
    return r >= 0;
}

/* One event formatted into s->out; -1 out of memory. */
static int sse_put(struct sse *s, const json_t *ev) {
    char *data = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int64_t seq = dw_json_int(ev, "seq", 0);
    if (!data || dw_buf_printf(&s->out, "id: %" PRId64 "\nevent: %s\ndata: %s\n\n", seq,
                               dw_json_str(ev, "type"), data) < 0) {
        free(data);
        return -1;
    }
    free(data);
    s->last = seq;
    atomic_fetch_add(&s->sv->events_sent, 1);
    return 0;
}

/* The events after s->last, formatted into s->out; -1 when the store failed. */
static int sse_fill(struct sse *s) {
    struct dw_error err = {0};
    json_t *evs = NULL;
    struct reader *rd = srv_reader_get(s->sv);
    int r = dw_events_since(rd->e, s->last, 100, &evs, &err);
    srv_reader_put(rd);
    if (r < 0) {
        json_decref(evs);
        return -1;
    }
    size_t i;
    json_t *ev;
    json_array_foreach(evs, i, ev) {
        if (sse_put(s, ev) < 0) {
            json_decref(evs);
            return -1;
        }
    }
    json_decref(evs);
    return 0;
}

/* With --events: what the stream has for us within wait_ms (then what is already there, up
 * to 100 events), formatted into s->out; -1 when NATS failed. */
static int sse_fill_nats(struct sse *s, int wait_ms) {
    struct dw_error err = {0};
    json_t *ev = NULL;
    for (int n = 0; n < 100; n++) {
        if (dw_events_next(s->follow, n ? 1 : wait_ms, &ev, &err) < 0)
            return -1;
        if (!ev)
            break;
        int r = sse_put(s, ev);
        json_decref(ev);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* Up to max bytes of what is written and not yet sent, into buf. */
static ssize_t sse_take(struct sse *s, char *buf, size_t max) {
    size_t n = s->out.len - s->off;
    if (n > max)
        n = max;
    memcpy(buf, s->out.data + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

/* With --events: the stream's events as they come (no pump, no store reads). */
static ssize_t sse_read_nats(struct sse *s, char *buf, size_t max) {
    int64_t idle_since = srv_mono_us();
    while (s->off >= s->out.len) {
        if (atomic_load(&s->sv->stopping) || !sse_token_ok(s))
            return MHD_CONTENT_READER_END_OF_STREAM;
        s->out.len = s->off = 0;
        int64_t idle = srv_mono_us() - idle_since;
        if (idle > (int64_t)SSE_KEEPALIVE_MS * 1000) {
            if (dw_buf_printf(&s->out, ": keepalive\n\n") < 0)
                return MHD_CONTENT_READER_END_WITH_ERROR;
            break;
        }
        if (sse_fill_nats(s, SSE_RECHECK_MS) < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return sse_take(s, buf, max);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    struct sse *s = cls;
    if (s->follow)
        return sse_read_nats(s, buf, max);
    struct dw_pump *pump = s->sv->pump;
    int64_t idle_since = srv_mono_us();
    if (!s->subscribed) {
        dw_pump_subscribe(pump);
        s->subscribed = true;
    }
    bool look = true; /* read the log once before waiting: what came before the stream */
    while (s->off >= s->out.len || look) {
        if (atomic_load(&s->sv->stopping) || !sse_token_ok(s)) {
            if (s->off < s->out.len) /* what is formatted goes out first */
                break;
            return MHD_CONTENT_READER_END_OF_STREAM; /* revoked: ends within a second */
        }
        if (s->off >= s->out.len)
            s->out.len = s->off = 0;
        if (look || dw_pump_last(pump) > s->last) {
            look = false;
            if (sse_fill(s) < 0)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        if (s->off < s->out.len)
            break;
        int64_t idle = srv_mono_us() - idle_since;
        if (idle > (int64_t)SSE_KEEPALIVE_MS * 1000) {
            if (dw_buf_printf(&s->out, ": keepalive\n\n") < 0)
                return MHD_CONTENT_READER_END_WITH_ERROR;
            break;
        }
        /* until the pump sees an event past ours, the token's next check, or the keepalive */
        int64_t left_ms = (int64_t)SSE_KEEPALIVE_MS - idle / 1000;
        int wait_ms = left_ms < SSE_RECHECK_MS ? (int)(left_ms > 0 ? left_ms : 1) : SSE_RECHECK_MS;
        dw_pump_wait(pump, s->last, wait_ms);
    }
    return sse_take(s, buf, max);
}

static void sse_free(void *cls) {
    struct sse *s = cls;
    if (s->subscribed)
        dw_pump_unsubscribe(s->sv->pump);
    dw_events_unfollow(s->follow);
    explicit_bzero(s->secret, sizeof s->secret);
    dw_buf_release(&s->out);
    free(s);
}

enum MHD_Result srv_route_events(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    const char *from = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    if (!from)
        from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    int64_t last = 0;
    if (from && strcmp(from, "latest") == 0 && sv->relay) {
        last = -1;                                    /* the stream from now on */
    } else if (from && strcmp(from, "latest") == 0) { /* only what happens from now on */
        struct dw_error err = {0};
        _cleanup_json_ json_t *st = NULL;
        struct reader *rd = srv_reader_get(sv);
        int r = dw_stats(rd->e, &st, &err);
        srv_reader_put(rd);
        if (r < 0)
            return srv_send_dw_error(c, rq, &err, r);
        last = dw_json_int(st, "last_event", 0);
    } else if (from && *from) {
        char *end;
        errno = 0;
        long long v = strtoll(from, &end, 10);
        if (errno || *end || v < 0)
            return srv_send_error(
                c, rq, 400, "Last-Event-ID",
                "Last-Event-ID must be an event number (or after=latest), got '%.40s'", from);
        last = v;
    }
    struct sse *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->sv = sv;
    s->last = last;
    s->checked_us = srv_mono_us(); /* checked by the request itself just now */
    snprintf(s->secret, sizeof s->secret, "%s", srv_bearer_secret(c));
    if (sv->relay) { /* every instance's events, from the stream */
        struct dw_error err = {0};
        int r = dw_events_follow(dw_relay_events(sv->relay), last, &s->follow, &err);
        if (r < 0) {
            sse_free(s);
            return srv_send_dw_error(c, rq, &err, r);
        }
    }
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, sse_read, s, sse_free);
    if (!resp) {
        sse_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

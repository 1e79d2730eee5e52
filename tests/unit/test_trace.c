/* Unit tests of traces (lib/base/trace.c, otlp.c): the W3C traceparent, the OTLP/JSON
 * encoding, the thread's current span, and the exporter's bounded queue — drop and count
 * when full without waiting, and every queued span posted to URL/v1/traces at close (an
 * HTTP receiver on loopback in a thread of this test reads what is posted).
 *
 * Expected values come from the specifications: the W3C Trace Context's own example header,
 * and the OTLP/JSON rules (lowercase hex ids, 64-bit integers as decimal strings, kind and
 * status code as numbers). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "base/trace.h"

#define W3C_EXAMPLE "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static void traceparent_parse_and_format(void **state) {
    (void)state;
    struct dw_trace_ctx c;
    assert_int_equal(dw_traceparent_parse(W3C_EXAMPLE, &c), 0);
    assert_int_equal(c.trace_id[0], 0x4b);
    assert_int_equal(c.trace_id[15], 0x36);
    assert_int_equal(c.span_id[0], 0x00);
    assert_int_equal(c.span_id[7], 0xb7);
    assert_int_equal(c.flags, 1);
    char out[DW_TRACEPARENT_SIZE];
    dw_traceparent_format(&c, out);
    assert_string_equal(out, W3C_EXAMPLE);
    /* not sampled */
    assert_int_equal(
        dw_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &c), 0);
    assert_int_equal(c.flags, 0);
    /* a later version may append fields after a dash; it is read as version 00 */
    assert_int_equal(
        dw_traceparent_parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what", &c),
        0);
}

static void traceparent_refuses_malformed(void **state) {
    (void)state;
    static const char *const bad[] = {
        NULL,
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      /* no flags */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   /* uppercase */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   /* zero trace id */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   /* zero span id */
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   /* version ff */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", /* 00 has no more */
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   /* separator */
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",   /* not hex */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct dw_trace_ctx c;
        assert_int_equal(dw_traceparent_parse(bad[i], &c), -DW_EINVAL);
        assert_false(dw_trace_ctx_valid(&c));
    }
}

static void no_tracer_no_span(void **state) {
    (void)state;
    struct dw_span *s = dw_span_start(NULL, "x", DW_SPAN_INTERNAL, NULL);
    assert_null(s);
    /* every call takes NULL */
    dw_span_str(s, "k", "v");
    dw_span_int(s, "k", 1);
    dw_span_error(s, "e");
    dw_span_link(s, NULL);
    dw_span_name(s, "y");
    assert_null(dw_span_ctx(s));
    assert_null(dw_span_tracer(s));
    dw_span_end(s);
    dw_span_discard(s);
    dw_tracer_close(NULL);
}

static struct dw_tracer *tracer_nowhere(unsigned queue) {
    struct dw_tracer *t = NULL;
    struct dw_error err = {0};
    /* port 1 on loopback: nothing listens; the thread waits an hour unless asked */
    assert_int_equal(dw_tracer_open("http://127.0.0.1:1",
                                    &(struct dw_tracer_opts){.queue = queue,
                                                             .batch = 100000,
                                                             .interval_ms = 3600 * 1000,
                                                             .timeout_ms = 500},
                                    &t, &err),
                     0);
    return t;
}

static const json_t *attr(const json_t *span, const char *key) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(span, "attributes"), i, a) {
        if (strcmp(json_string_value(json_object_get(a, "key")), key) == 0)
            return json_object_get(a, "value");
    }
    return NULL;
}

static void otlp_json_shape(void **state) {
    (void)state;
    struct dw_tracer *t = tracer_nowhere(16);
    struct dw_trace_ctx parent;
    assert_int_equal(dw_traceparent_parse(W3C_EXAMPLE, &parent), 0);
    struct dw_span *root = dw_span_start(t, "POST /v1/leads", DW_SPAN_SERVER, NULL);
    struct dw_span *child = dw_span_start(t, "step intake", DW_SPAN_INTERNAL, &parent);
    dw_span_str(child, "dealwright.deal.id", "D-000007");
    dw_span_int(child, "http.response.status_code", 202);
    dw_span_int(child, "big", -9007199254740993LL); /* beyond a double's exact integers */
    dw_span_str(child, "quoted", "a \"b\"\n\\c");
    dw_span_str(child, "dealwright.deal.id", "D-000008"); /* a key again replaces */
    char longv[300];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    dw_span_str(child, "long", longv);
    for (int i = 0; i < 20; i++)
        dw_span_int(child,
                    (const char *[]){"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9",
                                     "b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9"}[i],
                    i);
    dw_span_link(child, dw_span_ctx(root));
    dw_span_error(child, "parked");
    dw__span_finish(root);
    dw__span_finish(child);
    struct dw_span *both[] = {root, child};
    char *body = dw__otlp_encode("svc-x", both, 2);
    assert_non_null(body);
    json_error_t je;
    json_t *req = json_loads(body, 0, &je);
    assert_non_null(req);
    const json_t *rs = json_array_get(json_object_get(req, "resourceSpans"), 0);
    const json_t *res_attr =
        json_array_get(json_object_get(json_object_get(rs, "resource"), "attributes"), 0);
    assert_string_equal(json_string_value(json_object_get(res_attr, "key")), "service.name");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res_attr, "value"), "stringValue")),
        "svc-x");
    const json_t *ss = json_array_get(json_object_get(rs, "scopeSpans"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(ss, "scope"), "name")),
                        "dealwright");
    const json_t *spans = json_object_get(ss, "spans");
    assert_int_equal(json_array_size(spans), 2);
    const json_t *r = json_array_get(spans, 0), *c = json_array_get(spans, 1);
    /* the root: its own trace, no parent, SERVER, status unset */
    assert_int_equal(strlen(json_string_value(json_object_get(r, "traceId"))), 32);
    assert_null(json_object_get(r, "parentSpanId"));
    assert_int_equal(json_integer_value(json_object_get(r, "kind")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "status"), "code")), 0);
    /* the child: the parent's trace, its span as parentSpanId, hex lowercase */
    assert_string_equal(json_string_value(json_object_get(c, "traceId")),
                        "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_string_equal(json_string_value(json_object_get(c, "parentSpanId")), "00f067aa0ba902b7");
    const char *sid = json_string_value(json_object_get(c, "spanId"));
    assert_int_equal(strlen(sid), 16);
    assert_int_equal(strspn(sid, "0123456789abcdef"), 16);
    assert_string_equal(json_string_value(json_object_get(c, "name")), "step intake");
    assert_int_equal(json_integer_value(json_object_get(c, "kind")), 1);
    /* times: decimal strings, end not before start */
    const char *st = json_string_value(json_object_get(c, "startTimeUnixNano"));
    const char *en = json_string_value(json_object_get(c, "endTimeUnixNano"));
    assert_non_null(st);
    assert_non_null(en);
    assert_true(strlen(st) >= 19 && strspn(st, "0123456789") == strlen(st));
    assert_true(strtoll(en, NULL, 10) >= strtoll(st, NULL, 10));
    /* attributes */
    assert_string_equal(
        json_string_value(json_object_get(attr(c, "dealwright.deal.id"), "stringValue")),
        "D-000008");
    assert_string_equal(
        json_string_value(json_object_get(attr(c, "http.response.status_code"), "intValue")),
        "202");
    assert_string_equal(json_string_value(json_object_get(attr(c, "big"), "intValue")),
                        "-9007199254740993");
    assert_string_equal(json_string_value(json_object_get(attr(c, "quoted"), "stringValue")),
                        "a \"b\"\n\\c");
    assert_int_equal(strlen(json_string_value(json_object_get(attr(c, "long"), "stringValue"))),
                     127);
    assert_int_equal(json_array_size(json_object_get(c, "attributes")), 16); /* the cap */
    /* status ERROR with its message; the link to the root */
    const json_t *cs = json_object_get(c, "status");
    assert_int_equal(json_integer_value(json_object_get(cs, "code")), 2);
    assert_string_equal(json_string_value(json_object_get(cs, "message")), "parked");
    const json_t *l = json_array_get(json_object_get(c, "links"), 0);
    assert_string_equal(json_string_value(json_object_get(l, "spanId")),
                        json_string_value(json_object_get(r, "spanId")));
    json_decref(req);
    free(body);
    dw_span_discard(root);
    dw_span_discard(child);
    dw_tracer_close(t);
}

/* A value cut at its limit inside a UTF-8 character, or holding bytes that are not UTF-8,
 * still makes a request that is JSON: the broken bytes become '?'. */
static void encoding_is_always_json(void **state) {
    (void)state;
    struct dw_tracer *t = tracer_nowhere(16);
    struct dw_span *s = dw_span_start(t, "x", DW_SPAN_INTERNAL, NULL);
    char e[201] = "";
    for (int i = 0; i < 100; i++)
        strcat(e, "\xc3\xa9"); /* é, two bytes: the 127-byte cut falls inside the 64th */
    dw_span_str(s, "cut", e);
    dw_span_str(s, "bad", "a\xff\xfe b\x01");
    dw_span_error(s, "\xe2\x82"); /* a sequence cut short */
    dw__span_finish(s);
    char *body = dw__otlp_encode("svc", &s, 1);
    json_t *req = json_loads(body, 0, NULL);
    assert_non_null(req);
    const json_t *sp = json_array_get(
        json_object_get(
            json_array_get(json_object_get(json_array_get(json_object_get(req, "resourceSpans"), 0),
                                           "scopeSpans"),
                           0),
            "spans"),
        0);
    const char *cut = json_string_value(json_object_get(attr(sp, "cut"), "stringValue"));
    assert_int_equal(strlen(cut), 63 * 2 + 1);
    assert_int_equal(cut[126], '?');
    assert_string_equal(json_string_value(json_object_get(attr(sp, "bad"), "stringValue")),
                        "a?? b\x01");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(sp, "status"), "message")), "??");
    json_decref(req);
    free(body);
    dw_span_discard(s);
    dw_tracer_close(t);
}

static void current_span_per_thread(void **state) {
    (void)state;
    struct dw_tracer *t = tracer_nowhere(16);
    assert_null(dw_trace_current());
    struct dw_span *a = dw_span_start(t, "a", DW_SPAN_INTERNAL, NULL);
    struct dw_span *prev = dw_trace_swap(a);
    assert_null(prev);
    assert_ptr_equal(dw_trace_current(), a);
    struct dw_span *b = dw_span_start(t, "b", DW_SPAN_CLIENT, dw_span_ctx(dw_trace_current()));
    assert_memory_equal(dw_span_ctx(b)->trace_id, dw_span_ctx(a)->trace_id, 16);
    assert_memory_not_equal(dw_span_ctx(b)->span_id, dw_span_ctx(a)->span_id, 8);
    dw_span_end(b);
    dw_span_end(a); /* ending the current span clears it */
    assert_null(dw_trace_current());
    dw_tracer_close(t);
}

static void queue_drops_and_counts_when_full(void **state) {
    (void)state;
    struct dw_tracer *t = tracer_nowhere(4);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 1000; i++)
        dw_span_end(dw_span_start(t, "s", DW_SPAN_INTERNAL, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(ms < 500); /* a full queue never waits for the collector */
    struct dw_tracer_stats st;
    dw_tracer_stats(t, &st);
    assert_int_equal(st.ended, 1000);
    assert_int_equal(st.dropped, 996);
    assert_int_equal(st.exported, 0);
    dw_tracer_close(t); /* the 4 queued are posted, nothing listens: failed, not lost silently */
}

/* ---- a receiver on loopback ---------------------------------------------------------- */

struct receiver {
    int fd, port;
    int requests;
    char first[8192]; /* the first request, head and body */
    pthread_t th;
};

static void *receive(void *ud) {
    struct receiver *rc = ud;
    for (;;) {
        int c = accept(rc->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[1 << 16];
        size_t n = 0;
        for (;;) { /* the head, then Content-Length bytes */
            ssize_t k = read(c, buf + n, sizeof buf - 1 - n);
            if (k <= 0)
                break;
            n += (size_t)k;
            buf[n] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            const char *cl = strcasestr(buf, "Content-Length:");
            if (end && cl && n >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
                break;
        }
        if (rc->requests++ == 0) {
            size_t k = n < sizeof rc->first - 1 ? n : sizeof rc->first - 1;
            memcpy(rc->first, buf, k);
            rc->first[k] = '\0';
        }
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
        ssize_t w = write(c, ok, sizeof ok - 1);
        (void)w;
        close(c);
    }
}

static void receiver_start(struct receiver *rc) {
    memset(rc, 0, sizeof *rc);
    rc->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(rc->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(rc->fd, 8), 0);
    getsockname(rc->fd, (struct sockaddr *)&a, &len);
    rc->port = ntohs(a.sin_port);
    pthread_create(&rc->th, NULL, receive, rc);
}

static void receiver_stop(struct receiver *rc) {
    shutdown(rc->fd, SHUT_RDWR);
    close(rc->fd);
    pthread_join(rc->th, NULL);
}

static void close_posts_every_queued_span(void **state) {
    (void)state;
    struct receiver rc;
    receiver_start(&rc);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", rc.port); /* a base with a slash */
    struct dw_tracer *t = NULL;
    struct dw_error err = {0};
    assert_int_equal(
        dw_tracer_open(
            url, &(struct dw_tracer_opts){.queue = 100, .batch = 40, .interval_ms = 3600 * 1000},
            &t, &err),
        0);
    for (int i = 0; i < 90; i++) {
        struct dw_span *s = dw_span_start(t, "s", DW_SPAN_INTERNAL, NULL);
        dw_span_int(s, "n", i);
        dw_span_end(s);
    }
    dw_tracer_close(t); /* 90 spans in batches of 40: at least 3 requests */
    receiver_stop(&rc);
    assert_true(rc.requests >= 3);
    assert_non_null(strstr(rc.first, "POST /v1/traces HTTP/1.1\r\n"));
    assert_non_null(strcasestr(rc.first, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(rc.first, "\"resourceSpans\""));
}

static void stats_count_exports(void **state) {
    (void)state;
    struct receiver rc;
    receiver_start(&rc);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/traces", rc.port); /* the full path */
    struct dw_tracer *t = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_tracer_open(url, NULL, &t, &err), 0);
    for (int i = 0; i < 10; i++)
        dw_span_end(dw_span_start(t, "s", DW_SPAN_INTERNAL, NULL));
    dw_tracer_flush(t, 5000);
    struct dw_tracer_stats st;
    dw_tracer_stats(t, &st);
    assert_int_equal(st.ended, 10);
    assert_int_equal(st.exported, 10);
    assert_int_equal(st.dropped + st.failed, 0);
    dw_tracer_close(t);
    receiver_stop(&rc);
    assert_non_null(strstr(rc.first, "POST /v1/traces HTTP/1.1\r\n"));
}

static void open_refuses_bad_urls(void **state) {
    (void)state;
    static const char *const bad[] = {NULL,         "", "ftp://h/", "http://", "127.0.0.1:4318",
                                      "http://h /x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct dw_tracer *t = (struct dw_tracer *)1;
        struct dw_error err = {0};
        assert_int_equal(dw_tracer_open(bad[i], NULL, &t, &err), -DW_EINVAL);
        assert_null(t);
        assert_string_equal(err.field, "otlp");
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traceparent_parse_and_format),
        cmocka_unit_test(traceparent_refuses_malformed),
        cmocka_unit_test(no_tracer_no_span),
        cmocka_unit_test(otlp_json_shape),
        cmocka_unit_test(encoding_is_always_json),
        cmocka_unit_test(current_span_per_thread),
        cmocka_unit_test(queue_drops_and_counts_when_full),
        cmocka_unit_test(close_posts_every_queued_span),
        cmocka_unit_test(stats_count_exports),
        cmocka_unit_test(open_refuses_bad_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

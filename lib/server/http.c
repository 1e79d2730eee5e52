/* libmicrohttpd's glue: responses, request input, request heads, the request log
 * (docs/internals/server.md "Malformed requests", "Limits"). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/internal.h"

int64_t srv_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A reader engine, locked: a free one if there is one, else wait for one in turn. */
struct reader *srv_reader_get(struct server *sv) {
    for (int i = 0; i < READERS; i++)
        if (pthread_mutex_trylock(&sv->readers[i].mu) == 0)
            return &sv->readers[i];
    struct reader *r = &sv->readers[atomic_fetch_add(&sv->next_reader, 1) % READERS];
    pthread_mutex_lock(&r->mu);
    return r;
}

void srv_reader_put(struct reader *r) {
    pthread_mutex_unlock(&r->mu);
}

/* ---- responses ---------------------------------------------------------------------- */

enum MHD_Result srv_send_text(struct MHD_Connection *c, struct req *rq, unsigned status,
                              const char *type, char *text /* freed */, size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (status == 429 || (status == 503 && rq && rq->mail_busy))
        MHD_add_response_header(resp, "Retry-After", "1");
    if (status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"dealwright\"");
    if (rq && rq->allow[0] && status == 405) /* the methods the route table has for the path */
        MHD_add_response_header(resp, "Allow", rq->allow);
    if (rq && rq->link[0] && status == 200)
        MHD_add_response_header(resp, "Link", rq->link);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result srv_send_json(struct MHD_Connection *c, struct req *rq, unsigned status,
                              const json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(10));
    if (!text)
        return MHD_NO;
    size_t n = strlen(text);
    return srv_send_text(c, rq, status, "application/json", text, n);
}

const char *srv_status_code_name(unsigned status) {
    switch (status) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthenticated";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 409:
        return "conflict";
    case 408:
        return "timeout";
    case 413:
        return "too_large";
    case 414:
        return "uri_too_long";
    case 431:
        return "headers_too_large";
    case 429:
        return "rate_limited";
    case 503:
        return "unavailable";
    default:
        return "internal";
    }
}

/* Make s valid UTF-8 in place: each byte that is not becomes '?' (a message may quote what
 * a client sent, and JSON holds only UTF-8). */
static void utf8_scrub(char *s) {
    size_t n = strlen(s), bad;
    while (!dw_utf8_valid(s, n, &bad))
        s[bad] = '?';
}

enum MHD_Result srv_send_error(struct MHD_Connection *c, struct req *rq, unsigned status,
                               const char *field, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_scrub(msg);
    _cleanup_json_ json_t *e =
        json_pack("{s:{s:s,s:s}}", "error", "code", srv_status_code_name(status), "message", msg);
    if (!e)
        return MHD_NO;
    if (field && *field) {
        char f[128];
        snprintf(f, sizeof f, "%s", field);
        utf8_scrub(f);
        json_object_set_new(json_object_get(e, "error"), "field", json_string(f));
    }
    return srv_send_json(c, rq, status, e);
}

static unsigned http_status(int code) {
    switch (code < 0 ? -code : code) {
    case DW_EINVAL:
    case DW_EPARSE:
    case DW_EVALIDATE:
        return 400;
    case DW_ETOOBIG:
        return 413;
    case DW_ENOENT:
        return 404;
    case DW_EPERM:
        return 403;
    case DW_ESTATE:
    case DW_EEXIST:
        return 409;
    case DW_EBUSY:
    case DW_EAGAIN:
        return 503;
    default:
        return 500;
    }
}

enum MHD_Result srv_send_dw_error(struct MHD_Connection *c, struct req *rq,
                                  const struct dw_error *err, int r) {
    unsigned status = http_status(err->code ? err->code : r);
    if (status == 500) /* detail of an internal failure stays in the server's log */
        fprintf(stderr, "dealwright serve: %s: %s\n", rq->route ? rq->route->label : "unknown",
                err->code ? err->msg : dw_strerror(r));
    return srv_send_error(c, rq, status, err->field, "%s",
                          status == 500 ? "internal error"
                                        : (err->code ? err->msg : dw_strerror(r)));
}

/* ---- request input ------------------------------------------------------------------ */

/* A list route's ?limit=N&after=CURSOR (docs "Pages"); -1 with a 400 queued in *res. */
int srv_page_args(struct MHD_Connection *c, struct req *rq, int *limit, const char **after,
                  enum MHD_Result *res) {
    const char *l = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    *after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    *limit = 0;
    if (l) {
        char *end;
        errno = 0;
        long v = strtol(l, &end, 10);
        if (errno || *end || end == l || !isdigit((unsigned char)l[0]) || v < 1 ||
            v > DW_PAGE_MAX) {
            *res = srv_send_error(c, rq, 400, "limit", "limit: a number from 1 to %d, got '%.20s'",
                                  DW_PAGE_MAX, l);
            return -1;
        }
        *limit = (int)v;
    }
    return 0;
}

/* A page's items as the answer (an array, as the whole list was before pages), and the next
 * page, if any, in a Link header: </v1/deals?limit=N&after=CURSOR>; rel="next". filter is
 * the list's other argument ("&stage=new"), already checked to need no escaping. */
enum MHD_Result srv_send_page(struct MHD_Connection *c, struct req *rq, const char *path, int limit,
                              const char *filter, const json_t *page) {
    const char *next = dw_json_str(page, "next");
    if (next)
        snprintf(rq->link, sizeof rq->link, "<%s?limit=%d&after=%s%s>; rel=\"next\"", path,
                 limit ? limit : DW_PAGE_DEFAULT, next, filter);
    return srv_send_json(c, rq, 200, json_object_get(page, "items"));
}

static bool depth_ok(const json_t *j, int depth) {
    if (depth > JSON_DEPTH_MAX)
        return false;
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v) if (!depth_ok(v, depth + 1)) return false;
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) if (!depth_ok(v, depth + 1)) return false;
    }
    return true;
}

/* The body as a JSON object; on failure an error response has been queued (*ret NULL). */
enum MHD_Result srv_body_json(struct MHD_Connection *c, struct req *rq, bool required,
                              json_t **ret) {
    *ret = NULL;
    if (rq->body.len == 0 && !required) {
        *ret = json_object();
        return MHD_YES;
    }
    json_error_t je;
    json_t *j =
        json_loadb(rq->body.data ? rq->body.data : "", rq->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return srv_send_error(c, rq, 400, NULL, "request body: line %d, column %d: %s", je.line,
                              je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return srv_send_error(c, rq, 400, NULL, "request body: expected a JSON object");
    }
    if (!depth_ok(j, 1)) {
        json_decref(j);
        return srv_send_error(c, rq, 400, NULL, "request body: nested deeper than %d",
                              JSON_DEPTH_MAX);
    }
    *ret = j;
    return MHD_YES;
}

/* ---- request heads ------------------------------------------------------------------ */

static void reject(struct req *rq, unsigned status, const char *msg) {
    if (rq->reject)
        return;
    rq->reject = status;
    snprintf(rq->reject_msg, sizeof rq->reject_msg, "%s", msg);
}

/* Decode %XX escapes (and '+' in a query) of s[0..n) into out (n + 1 bytes); false when a
 * NUL comes out. */
static bool unescape_nonul(const char *s, size_t n, bool query, char *out, size_t *ret_len) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            ch = (char)strtol(hex, NULL, 16);
            i += 2;
        } else if (query && ch == '+')
            ch = ' ';
        if (!ch)
            return false;
        out[k++] = ch;
    }
    out[k] = '\0';
    *ret_len = k;
    return true;
}

/* The request line, before libmicrohttpd splits and decodes it: its target is checked here
 * (length, argument count, NUL and UTF-8 after decoding) and the request's state made. */
void *srv_on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)cls, (void)c;
    struct req *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->start_us = srv_mono_us();
    snprintf(rq->user, sizeof rq->user, "-");
    size_t len = strlen(uri);
    const char *q = strchr(uri, '?');
    size_t plen = q ? (size_t)(q - uri) : len;
    unsigned args = 0;
    for (const char *p = q; p && *p; p++)
        args += *p == '&' || *p == '?';
    if (args > ARGS_MAX)
        reject(rq, 400, "more than 64 query arguments");
    else if (len > URI_MAX) {
        reject(rq, 414, "the request target is longer than 8192 bytes");
    } else {
        char buf[URI_MAX + 1];
        size_t n;
        if (!unescape_nonul(uri, plen, false, buf, &n))
            reject(rq, 400, "the path holds a NUL byte");
        else if (!dw_utf8_valid(buf, n, NULL))
            reject(rq, 400, "the path is not valid UTF-8");
        if (q && !unescape_nonul(q + 1, len - plen - 1, true, buf, &n))
            reject(rq, 400, "the query holds a NUL byte");
        else if (q && !dw_utf8_valid(buf, n, NULL))
            reject(rq, 400, "the query is not valid UTF-8");
    }
    /* libmicrohttpd stores every argument in the connection's memory pool before the
     * request reaches us: refused arguments are cut off so that the refusal can be answered.
     * (0.9.75 passes its own writable copy of the request line.) */
    if (q && (args > ARGS_MAX || len > URI_MAX))
        ((char *)q)[1] = '\0';
    return rq;
}

static enum MHD_Result head_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* The head once whole: HTTP/1.1 needs Host; the headers' size. */
/* Release a request's body, and what it held of the mail bodies' budget. */
static void body_drop(struct server *sv, struct req *rq) {
    if (rq->mail_body)
        atomic_fetch_sub(&sv->mail_bytes, rq->body.len);
    dw_buf_release(&rq->body);
}

static void check_head(struct MHD_Connection *c, const char *version, struct req *rq) {
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
        reject(rq, 400, "an HTTP/1.1 request needs a Host header");
    size_t n = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, head_size, &n);
    if (n > HEAD_MAX)
        reject(rq, 431, "the request's headers are larger than 16384 bytes");
}

enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
    struct server *sv = cls;
    struct req *rq = *con_cls;
    if (!rq || !rq->counted) { /* the head is whole (rq was made with the request line) */
        if (!rq && !(rq = srv_on_uri(sv, "", c)))
            return MHD_NO;
        atomic_fetch_add(&sv->in_flight, 1);
        rq->counted = true;
        struct dw_tracer *tracer = dw_engine_tracer(sv->api);
        if (tracer) { /* continue the caller's trace when it sent a valid traceparent */
            struct dw_trace_ctx in;
            const char *tp = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "traceparent");
            bool given = tp && dw_traceparent_parse(tp, &in) == 0;
            rq->span = dw_span_start(tracer, method, DW_SPAN_SERVER, given ? &in : NULL);
            dw_span_str(rq->span, "http.request.method", method);
        }
        *con_cls = rq;
        srv_conn_set(sv, c, C_BODY);
        const char *conn = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Connection");
        rq->keep_alive = version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
                         !(conn && strcasestr(conn, "close"));
        check_head(c, version, rq);
        rq->body_max = BODY_MAX;
        const char *type =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (strcmp(method, "POST") == 0 && strcmp(url, "/v1/leads") == 0 && type &&
            strncasecmp(type, "message/rfc822", 14) == 0) {
            rq->body_max = DW_MAIL_MAX_BYTES;
            rq->mail_body = true;
        }
        if (rq->reject) /* answered now; a body is not read */
            return srv_send_error(c, rq, rq->reject, NULL, "%s", rq->reject_msg);
        return MHD_YES;
    }
    if (rq->reject) { /* answered already: what follows is not read */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (rq->too_big || rq->mail_busy)
            return MHD_YES;
        if (rq->body.len + n > rq->body_max) {
            rq->too_big = true;
            body_drop(sv, rq);
            return MHD_YES;
        }
        if (rq->mail_body && atomic_fetch_add(&sv->mail_bytes, n) + n > MAIL_BODIES_MAX) {
            atomic_fetch_sub(&sv->mail_bytes, n);
            rq->mail_busy = true;
            body_drop(sv, rq);
            return MHD_YES;
        }
        if (dw_buf_append(&rq->body, upload, n) < 0) {
            if (rq->mail_body)
                atomic_fetch_sub(&sv->mail_bytes, n);
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (!srv_conn_set(sv, c, C_HANDLING)) /* cut: its client was answered 408 or 503 */
        return MHD_NO;
    /* the request's span is the thread's while it is handled: what it runs joins it */
    struct dw_span *prev = dw_trace_swap(rq->span);
    enum MHD_Result res = srv_dispatch(sv, c, url, method, rq);
    dw_trace_swap(prev);
    return res;
}

void srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
    struct server *sv = cls;
    struct req *rq = *con_cls;
    srv_conn_set(sv, c, C_HEAD); /* a kept-alive connection's next head has its deadline */
    if (!rq)
        return;
    bool next = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && rq->keep_alive && !rq->reject;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = ci ? ci->http_status : 0;
    if (!status && !rq->counted) { /* a head never finished: not a request to count or log */
        dw_span_discard(rq->span);
        free(rq);
        *con_cls = NULL;
        return;
    }
    int64_t us = srv_mono_us() - rq->start_us;
    for (size_t k = 0; k < N_STATUS; k++)
        if (status_codes[k] == status)
            atomic_fetch_add(&sv->requests[srv_label_index(rq->route)][k], 1);
    size_t b = 0;
    while (b < N_BUCKETS && (double)us / 1e6 > latency_buckets[b])
        b++;
    atomic_fetch_add(&sv->latency[b], 1);
    atomic_fetch_add(&sv->latency_sum_us, (uint64_t)us);
    atomic_fetch_add(&sv->latency_count, 1);
    /* The request log: route, status, user, time; never bodies, ids of people or tokens. */
    const char *label = rq->route ? rq->route->label : "unknown";
    if (strcmp(label, "healthz") && strcmp(label, "readyz") && strcmp(label, "metrics")) {
        char at[32];
        fprintf(stderr, "%s request route=%s status=%u user=%s us=%lld\n",
                dw_time_format(dw_engine_now(sv->api), at, sizeof at), label, status, rq->user,
                (long long)us);
    }
    if (rq->span) { /* probes are not traced, as they are not logged */
        if (!strcmp(label, "healthz") || !strcmp(label, "readyz") || !strcmp(label, "metrics")) {
            dw_span_discard(rq->span);
        } else {
            char name[96];
            if (rq->route) {
                snprintf(name, sizeof name, "%s %s", rq->route->method, rq->route->path);
                dw_span_name(rq->span, name);
                dw_span_str(rq->span, "http.route", rq->route->path);
            }
            dw_span_int(rq->span, "http.response.status_code", status);
            if (status >= 500 || !status)
                dw_span_error(rq->span, status ? srv_status_code_name(status) : "no answer");
            dw_span_end(rq->span);
        }
        rq->span = NULL;
    }
    if (rq->counted)
        atomic_fetch_sub(&sv->in_flight, 1);
    body_drop(sv, rq);
    free(rq);
    *con_cls = NULL;
    if (next) /* the next head, checked before libmicrohttpd reads it */
        srv_gate_next(sv, c);
}

/* libmicrohttpd's own messages (a client gone mid-request, a head refused), at most 10 a
 * second: a flood of bad connections must not become a flood of log lines. */
void srv_mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static time_t second;
    static unsigned n, dropped;
    time_t now = time(NULL);
    pthread_mutex_lock(&mu);
    if (now != second) {
        if (dropped)
            fprintf(stderr, "dealwright serve: %u more messages of libmicrohttpd not shown\n",
                    dropped);
        second = now;
        n = dropped = 0;
    }
    if (++n <= 10) {
        fputs("dealwright serve: libmicrohttpd: ", stderr);
        vfprintf(stderr, fmt, ap);
    } else
        dropped++;
    pthread_mutex_unlock(&mu);
}

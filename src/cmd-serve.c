/* serve — the HTTP API (docs/internals/server.md) on libmicrohttpd, with the control plane
 * running behind it.
 *
 * Threads. A gate thread accepts connections and hands each to MHD once its first request
 * head is whole; MHD runs a thread per connection. An engine is used by one thread at a time, so
 * the requests that write share one engine (`api`) under a mutex — SQLite has one writer at
 * a time anyway — with lead posts group-committed; reads take one of READERS engines of
 * their own. The control plane runs in a worker thread on another engine (connections to
 * the same store, WAL), woken when a lead arrives and every second for deals whose retry
 * time has come, and yielding to waiting lead posts between its batches. `dealwright`
 * commands run from the shell share the store in the same way (the store serialises
 * writers with BEGIN IMMEDIATE).
 *
 * Shutdown. SIGTERM or SIGINT: stop accepting connections, wait (up to 10 s) for requests
 * in flight to finish, end event streams, let the worker finish its pass (every batch of
 * steps is its own transaction, so nothing committed is lost and nothing half-done is
 * kept), then close the store.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli.h"

#define BODY_MAX (1u << 20)     /* request body */
#define JSON_DEPTH_MAX 32       /* nesting of a request's JSON */
#define CONN_MEMORY (64u << 10) /* per connection: libmicrohttpd's own bound on a request head */
#define HEAD_MAX (16u << 10)    /* request line and headers, answered 431 (JSON) above */
#define URI_MAX (8u << 10)      /* the request target, answered 414 above */
#define ARGS_MAX 64             /* query arguments, answered 400 above */
#define CONN_MAX 1024           /* connections (each a thread); --max-connections */
#define CONN_PER_ADDR 64        /* connections from one address; --per-address */
#define CONN_FEW 8              /* an address holding fewer may use the reserved slots */
#define CONN_TIMEOUT 30         /* seconds a connection may be idle */
#define HEAD_TIMEOUT 10         /* seconds to receive a request's headers; --header-timeout */
#define FD_RESERVE 64           /* descriptors kept from connections (the store, webhooks) */
#define BODY_TIMEOUT 60         /* seconds to receive a request's body after its headers */
#define SSE_KEEPALIVE_MS 10000  /* comment line on an idle event stream */
#define SSE_RECHECK_MS 500      /* an event stream checks its token again this often */

extern const char dw_serve_openapi[];

/* Route names: the metrics' `route` label and the request log's. */
enum route {
    R_NONE,
    R_HEALTHZ,
    R_READYZ,
    R_METRICS,
    R_OPENAPI,
    R_LEADS_POST,
    R_DEALS,
    R_DEAL,
    R_TIMELINE,
    R_PROPOSAL,
    R_ACCEPT,
    R_APPROVALS,
    R_DECISION,
    R_EVENTS,
    R_CONSOLE,
    R_QUOTE_DIFF,
    R_WEBHOOKS,
    R_WEBHOOK,
    R_DELIVERIES,
    R_REPLAY,
    R_ME,
    R_REPORT_FUNNEL,
    R_MAX
};
static const char *const route_names[R_MAX] = {
    "unknown",    "healthz", "readyz",   "metrics",       "openapi",  "leads_post",
    "deals",      "deal",    "timeline", "proposal",      "accept",   "approvals",
    "decision",   "events",  "console",  "quote_diff",    "webhooks", "webhook",
    "deliveries", "replay",  "me",       "report_funnel",
};
static const unsigned status_codes[] = {200, 201, 202, 400, 401, 403, 404, 405,
                                        408, 409, 413, 414, 429, 431, 500, 503};
#define N_STATUS DW_ARRAY_SIZE(status_codes)
static const double latency_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                         0.025,  0.05,  0.1,    0.5,   1.0};
#define N_BUCKETS DW_ARRAY_SIZE(latency_buckets)

struct bucket {
    int64_t token; /* 0 = free */
    double level;
    int64_t last_us;
};

/* A connection as the connection policy sees it (docs "Connections"). */
enum conn_state { C_GATE, C_HEAD, C_BODY, C_HANDLING, C_CUT };
struct conn {
    int fd;
    uint32_t addr; /* IPv4, network order */
    enum conn_state state;
    int64_t since_us;       /* when the state began */
    unsigned prev_requests; /* answered on this connection */
    struct conn *prev, *next;
};

#define READERS 4 /* engines for reads */

struct reader {
    struct dw_engine *e;
    pthread_mutex_t mu;
};

struct server {
    struct dw_engine *api; /* writes */
    pthread_mutex_t api_mu;
    struct reader readers[READERS];
    atomic_uint next_reader;
    struct dw_engine *worker_engine;
    struct dw_engine *hook_engine; /* the webhook sender's own (docs "Webhooks") */
    pthread_t hook_worker;
    struct dw_webhook_opts hook_opts;
    volatile bool hook_stop; /* SIGTERM: webhook and agent passes end after what is in flight */
    pthread_t worker;
    pthread_mutex_t worker_mu;
    pthread_cond_t worker_cv;
    bool kick;
    atomic_bool stopping;
    atomic_int in_flight;
    /* metrics */
    atomic_uint_fast64_t requests[R_MAX][N_STATUS];
    atomic_uint_fast64_t latency[N_BUCKETS + 1]; /* cumulative at export, +Inf last */
    atomic_uint_fast64_t latency_sum_us, latency_count;
    atomic_uint_fast64_t worker_steps, worker_failures, worker_passes, worker_errors;
    atomic_uint_fast64_t events_sent;
    int64_t run_steps_counted; /* the worker's: steps of the pass in progress already counted */
    atomic_uint_fast64_t hook_delivered, hook_failed, hook_dead;
    /* group commit of lead posts */
    pthread_mutex_t group_mu;
    pthread_cond_t group_cv;
    struct lead_item *group_head, **group_tail;
    bool group_busy;
    /* rate limit: a token bucket per API token, in a table keyed by the token's id */
    double rate, burst;
    pthread_mutex_t rate_mu;
    struct bucket *buckets;
    size_t n_buckets, cap_buckets; /* cap a power of two, or 0 */
    /* connection policy */
    pthread_mutex_t conn_mu;
    struct conn *conns;
    unsigned n_conns, conn_max, per_addr, head_timeout;
    atomic_uint_fast64_t conns_refused, conns_cut;
    pthread_t watchdog, gate;
    int listen_fd;
    struct MHD_Daemon *mhd;
};

/* One request in progress. */
struct req {
    struct dw_buf body;
    bool too_big;
    char link[160];  /* a list's next page (Link header), when there is one */
    unsigned reject; /* a status the request's head earned (0 = none), with its message */
    char reject_msg[120];
    int64_t start_us;
    enum route route;
    char user[80];
    bool counted;
};

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A reader engine, locked: a free one if there is one, else wait for one in turn. */
static struct reader *reader_get(struct server *sv) {
    for (int i = 0; i < READERS; i++)
        if (pthread_mutex_trylock(&sv->readers[i].mu) == 0)
            return &sv->readers[i];
    struct reader *r = &sv->readers[atomic_fetch_add(&sv->next_reader, 1) % READERS];
    pthread_mutex_lock(&r->mu);
    return r;
}

static void reader_put(struct reader *r) {
    pthread_mutex_unlock(&r->mu);
}

/* ---- responses ---------------------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *c, struct req *rq, unsigned status,
                                 const char *type, char *text /* freed */, size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (status == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"dealwright\"");
    if (rq && rq->link[0] && status == 200)
        MHD_add_response_header(resp, "Link", rq->link);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, struct req *rq, unsigned status,
                                 const json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(10));
    if (!text)
        return MHD_NO;
    size_t n = strlen(text);
    return send_text(c, rq, status, "application/json", text, n);
}

static const char *status_code_name(unsigned status) {
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

/* {"error": {"code", "message", "field"?}} */
static enum MHD_Result send_error(struct MHD_Connection *c, struct req *rq, unsigned status,
                                  const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static enum MHD_Result send_error(struct MHD_Connection *c, struct req *rq, unsigned status,
                                  const char *field, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_scrub(msg);
    _cleanup_json_ json_t *e =
        json_pack("{s:{s:s,s:s}}", "error", "code", status_code_name(status), "message", msg);
    if (!e)
        return MHD_NO;
    if (field && *field) {
        char f[128];
        snprintf(f, sizeof f, "%s", field);
        utf8_scrub(f);
        json_object_set_new(json_object_get(e, "error"), "field", json_string(f));
    }
    return send_json(c, rq, status, e);
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

static enum MHD_Result send_dw_error(struct MHD_Connection *c, struct req *rq,
                                     const struct dw_error *err, int r) {
    unsigned status = http_status(err->code ? err->code : r);
    if (status == 500) /* detail of an internal failure stays in the server's log */
        fprintf(stderr, "dealwright serve: %s: %s\n", route_names[rq->route],
                err->code ? err->msg : dw_strerror(r));
    return send_error(c, rq, status, err->field, "%s",
                      status == 500 ? "internal error" : (err->code ? err->msg : dw_strerror(r)));
}

/* ---- request input ------------------------------------------------------------------ */

/* A list route's ?limit=N&after=CURSOR (docs "Pages"); -1 with a 400 queued in *res. */
static int page_args(struct MHD_Connection *c, struct req *rq, int *limit, const char **after,
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
            *res = send_error(c, rq, 400, "limit", "limit: a number from 1 to %d, got '%.20s'",
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
static enum MHD_Result send_page(struct MHD_Connection *c, struct req *rq, const char *path,
                                 int limit, const char *filter, const json_t *page) {
    const char *next = dw_json_str(page, "next");
    if (next)
        snprintf(rq->link, sizeof rq->link, "<%s?limit=%d&after=%s%s>; rel=\"next\"", path,
                 limit ? limit : DW_PAGE_DEFAULT, next, filter);
    return send_json(c, rq, 200, json_object_get(page, "items"));
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
static enum MHD_Result body_json(struct MHD_Connection *c, struct req *rq, bool required,
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
        return send_error(c, rq, 400, NULL, "request body: line %d, column %d: %s", je.line,
                          je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return send_error(c, rq, 400, NULL, "request body: expected a JSON object");
    }
    if (!depth_ok(j, 1)) {
        json_decref(j);
        return send_error(c, rq, 400, NULL, "request body: nested deeper than %d", JSON_DEPTH_MAX);
    }
    *ret = j;
    return MHD_YES;
}

/* ---- authentication and the rate limit ---------------------------------------------- */

/* The secret of "Authorization: Bearer SECRET", or NULL. */
static const char *bearer_secret(struct MHD_Connection *c) {
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

/* The bearer token's {id, user, role}, or NULL with a 401 queued in *ret_result. */
static json_t *authenticate(struct server *sv, struct MHD_Connection *c, struct req *rq,
                            enum MHD_Result *ret_result) {
    const char *secret = bearer_secret(c);
    if (!secret) {
        *ret_result = send_error(c, rq, 401, NULL,
                                 "an API token is needed: Authorization: "
                                 "Bearer TOKEN (dealwright token create)");
        return NULL;
    }
    struct dw_error err = {0};
    json_t *tok = NULL;
    struct reader *rd = reader_get(sv);
    int r = dw_token_check(rd->e, secret, &tok, &err);
    reader_put(rd);
    if (r < 0) {
        *ret_result = r == -DW_EPERM ? send_error(c, rq, 401, NULL, "%s", err.msg)
                                     : send_dw_error(c, rq, &err, r);
        return NULL;
    }
    snprintf(rq->user, sizeof rq->user, "%s", dw_json_str(tok, "user"));
    return tok;
}

/* The rate limiter's buckets: an open-addressing table keyed by the token's whole id
 * (linear probing). A bucket that has refilled to the burst is the same as none, so when
 * the table is half full those are dropped; it grows only while that many tokens are in
 * use at once. Called under rate_mu. */
static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static void bucket_refill(const struct server *sv, struct bucket *b, int64_t now) {
    b->level += (double)(now - b->last_us) * sv->rate / 1e6;
    if (b->level > sv->burst)
        b->level = sv->burst;
    b->last_us = now;
}

static int buckets_rehash(struct server *sv, size_t cap, int64_t now) {
    struct bucket *nb = calloc(cap, sizeof *nb);
    if (!nb)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < sv->cap_buckets; i++) {
        struct bucket *b = &sv->buckets[i];
        if (!b->token)
            continue;
        bucket_refill(sv, b, now);
        if (b->level >= sv->burst) /* full again: forget it */
            continue;
        size_t j = mix64((uint64_t)b->token) & (cap - 1);
        while (nb[j].token)
            j = (j + 1) & (cap - 1);
        nb[j] = *b;
        n++;
    }
    free(sv->buckets);
    sv->buckets = nb;
    sv->cap_buckets = cap;
    sv->n_buckets = n;
    return 0;
}

static struct bucket *bucket_find(struct server *sv, int64_t token, int64_t now) {
    if (sv->cap_buckets) {
        size_t j = mix64((uint64_t)token) & (sv->cap_buckets - 1);
        for (; sv->buckets[j].token; j = (j + 1) & (sv->cap_buckets - 1))
            if (sv->buckets[j].token == token)
                return &sv->buckets[j];
    }
    if ((sv->n_buckets + 1) * 2 > sv->cap_buckets) {
        size_t cap = sv->cap_buckets ? sv->cap_buckets : 64;
        if (buckets_rehash(sv, cap, now) < 0) /* first drop the full ones */
            return NULL;
        if ((sv->n_buckets + 1) * 2 > cap && buckets_rehash(sv, cap * 2, now) < 0)
            return NULL;
    }
    size_t j = mix64((uint64_t)token) & (sv->cap_buckets - 1);
    while (sv->buckets[j].token)
        j = (j + 1) & (sv->cap_buckets - 1);
    struct bucket *b = &sv->buckets[j];
    *b = (struct bucket){.token = token, .level = sv->burst, .last_us = now};
    sv->n_buckets++;
    return b;
}

/* Take one request from the token's bucket; false when it is empty (or memory ran out). */
static bool rate_take(struct server *sv, int64_t token) {
    if (sv->rate <= 0)
        return true;
    int64_t now = mono_us();
    bool ok = false;
    pthread_mutex_lock(&sv->rate_mu);
    struct bucket *b = bucket_find(sv, token, now);
    if (b) {
        bucket_refill(sv, b, now);
        ok = b->level >= 1.0;
        if (ok)
            b->level -= 1.0;
    }
    pthread_mutex_unlock(&sv->rate_mu);
    return ok;
}

/* ---- the connection policy (docs "Connections") --------------------------------------- */

/* Each connection is a thread, so connections that never finish a request must not be able
 * to hold them all: an address may hold at most per_addr; the last sixteenth of the slots
 * goes only to addresses holding fewer than CONN_FEW (a prober, a person, a new client);
 * and a watchdog cuts a connection that has not sent a whole request head head_timeout
 * seconds after it opened (or after its previous answer), or a body BODY_TIMEOUT seconds
 * after its head — a deadline for the whole head, where libmicrohttpd's own timeout only
 * counts idle time and a client trickling a byte at a time never reaches it. */

static uint32_t conn_addr(const struct sockaddr *sa) {
    return sa && sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_addr.s_addr : 0;
}

/* The table of watched connections: the accept gate lists a connection when it takes it,
 * libmicrohttpd's notification when it starts one itself; both unlist it when it ends. */
static void conn_list(struct server *sv, struct conn *cn) {
    pthread_mutex_lock(&sv->conn_mu);
    cn->prev = NULL;
    cn->next = sv->conns;
    if (sv->conns)
        sv->conns->prev = cn;
    sv->conns = cn;
    sv->n_conns++;
    pthread_mutex_unlock(&sv->conn_mu);
}

static void conn_unlist(struct server *sv, struct conn *cn) {
    pthread_mutex_lock(&sv->conn_mu);
    if (cn->prev)
        cn->prev->next = cn->next;
    else
        sv->conns = cn->next;
    if (cn->next)
        cn->next->prev = cn->prev;
    sv->n_conns--;
    pthread_mutex_unlock(&sv->conn_mu);
}

/* May a new connection from a come in? */
static bool admit(struct server *sv, uint32_t a) {
    pthread_mutex_lock(&sv->conn_mu);
    unsigned mine = 0;
    for (struct conn *cn = sv->conns; cn; cn = cn->next)
        mine += cn->addr == a;
    unsigned reserved = sv->conn_max / 16;
    bool ok = mine < sv->per_addr && sv->n_conns < sv->conn_max &&
              (sv->n_conns + reserved < sv->conn_max || mine < CONN_FEW);
    pthread_mutex_unlock(&sv->conn_mu);
    if (!ok)
        atomic_fetch_add(&sv->conns_refused, 1);
    return ok;
}

/* libmicrohttpd's accept policy: the gate admitted the connection already; this holds for
 * whatever else might hand it one. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len) {
    (void)len;
    return admit(cls, conn_addr(addr)) ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    struct server *sv = cls;
    struct conn *cn = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        if (!(cn = calloc(1, sizeof *cn)))
            return; /* not watched; the idle timeout still applies */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cn->fd = ci ? ci->connect_fd : -1;
        ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        cn->addr = conn_addr(ci ? ci->client_addr : NULL);
        cn->state = C_HEAD;
        cn->since_us = mono_us();
        conn_list(sv, cn);
        *socket_context = cn;
        return;
    }
    if (!cn) /* closed: libmicrohttpd closes the socket after this returns */
        return;
    conn_unlist(sv, cn);
    free(cn);
    *socket_context = NULL;
}

static unsigned conns_open(struct server *sv) {
    pthread_mutex_lock(&sv->conn_mu);
    unsigned n = sv->n_conns;
    pthread_mutex_unlock(&sv->conn_mu);
    return n;
}

/* false when the connection has been cut (its client was told 408 or 503): what it sent is
 * not acted on */
static bool conn_set(struct server *sv, struct MHD_Connection *c, enum conn_state st) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *cn = ci ? ci->socket_context : NULL;
    if (!cn)
        return true;
    pthread_mutex_lock(&sv->conn_mu);
    bool live = cn->state != C_CUT;
    if (live) {
        cn->prev_requests += st == C_HEAD;
        cn->state = st;
        cn->since_us = mono_us();
    }
    pthread_mutex_unlock(&sv->conn_mu);
    return live;
}

/* Answers sent on a connection the watchdog or SIGTERM cuts. Their Content-Length is
 * written out; the assertions keep it equal to the body's (the 408 once said 74 for 75 bytes,
 * and a client read JSON without its last brace). */
#define TIMEOUT_BODY                                                                               \
    "{\"error\":{\"code\":\"timeout\",\"message\":\"the request did not arrive in time\"}}"
#define TIMEOUT_408                                                                                \
    "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"      \
    "Content-Length: 75\r\n\r\n" TIMEOUT_BODY
_Static_assert(sizeof TIMEOUT_BODY - 1 == 75, "the 408's Content-Length");
#define STOPPING_BODY                                                                              \
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"the server is stopping; try again "        \
    "later\"}}"
#define STOPPING_503                                                                               \
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: "           \
    "close\r\nContent-Length: 84\r\n\r\n" STOPPING_BODY
_Static_assert(sizeof STOPPING_BODY - 1 == 84, "the 503's Content-Length");

/* SIGTERM: a request whose head or body is still arriving has not been acted on and will not
 * be; its client is told so and the connection cut, so that a slow client does not hold the
 * stop for the time given to requests being answered. A request cut this way is not acted
 * on even when its last byte was already in (conn_set). */
static void cut_arriving(struct server *sv) {
    pthread_mutex_lock(&sv->conn_mu);
    for (struct conn *cn = sv->conns; cn; cn = cn->next) {
        if (cn->fd < 0 || (cn->state != C_HEAD && cn->state != C_BODY))
            continue;
        if (cn->state == C_BODY || !cn->prev_requests) /* a kept-alive one at rest just closes */
            (void)!send(cn->fd, STOPPING_503, sizeof STOPPING_503 - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        shutdown(cn->fd, SHUT_RDWR);
        cn->state = C_CUT;
    }
    pthread_mutex_unlock(&sv->conn_mu);
}

/* Every 200 ms: cut the connections past their deadline. The entry is removed (under
 * conn_mu) before libmicrohttpd closes the socket, so the descriptor is still this
 * connection's; shutdown() wakes its thread, which then closes it. */
static void *watchdog_main(void *arg) {
    struct server *sv = arg;
    while (!atomic_load(&sv->stopping)) {
        usleep(200 * 1000);
        int64_t now = mono_us();
        pthread_mutex_lock(&sv->conn_mu);
        for (struct conn *cn = sv->conns; cn; cn = cn->next) {
            int64_t limit = cn->state == C_HEAD || cn->state == C_GATE
                                ? (int64_t)sv->head_timeout * 1000000
                            : cn->state == C_BODY ? (int64_t)BODY_TIMEOUT * 1000000
                                                  : 0;
            if (!limit || cn->fd < 0 || now - cn->since_us <= limit)
                continue;
            /* a request half sent is told why (a kept-alive connection at rest just closes) */
            if (cn->state == C_BODY || !cn->prev_requests)
                (void)!send(cn->fd, TIMEOUT_408, sizeof TIMEOUT_408 - 1,
                            MSG_DONTWAIT | MSG_NOSIGNAL);
            shutdown(cn->fd, SHUT_RDWR);
            cn->state = C_CUT;
            atomic_fetch_add(&sv->conns_cut, 1);
        }
        pthread_mutex_unlock(&sv->conn_mu);
    }
    return NULL;
}

/* ---- the gate: a connection's first request head, before libmicrohttpd ----------------- */

/* The server accepts connections itself and hands each to libmicrohttpd once its first
 * request head has arrived whole (read with MSG_PEEK, so that libmicrohttpd reads it
 * again). What libmicrohttpd would refuse with a page of HTML — an HTTP version other than
 * 1.0 and 1.1, a Content-Length that is not a number, a head beyond its memory pool — is
 * answered here as JSON; so is a connection the policy refuses (503). While it waits, a
 * connection is in the policy's record as C_GATE: counted for its address, and cut by the
 * watchdog at the header deadline. A later request on a kept-alive connection is read by
 * libmicrohttpd alone (docs "Malformed requests"). */

#define GATE_PEEK (64u << 10)

static const char *status_reason(unsigned status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

/* Answer a JSON error on a connection libmicrohttpd never saw, and close it. What the client
 * sent is read first, so that the close is not a reset that loses the answer. */
static void gate_refuse(int fd, unsigned status, const char *field, const char *msg) {
    char sink[4096];
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code",
                          status == 505 ? "http_version_not_supported" : status_code_name(status),
                          "message", msg);
    if (e && field)
        json_object_set_new(json_object_get(e, "error"), "field", json_string(field));
    char *body = e ? json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(e);
    char out[1024];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\nCache-Control: "
                     "no-store\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                     status, status_reason(status), body ? strlen(body) : 0, body ? body : "");
    free(body);
    if (n > 0 && (size_t)n < sizeof out)
        (void)!send(fd, out, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* A whole head h[0..n): 0 when libmicrohttpd may have it, else the status to answer with
 * *field and msg. */
static unsigned gate_check(const char *h, size_t n, const char **field, char *msg, size_t len) {
    *field = NULL;
    const char *eol = memchr(h, '\n', n);
    size_t ll = (size_t)(eol - h);
    if (ll && h[ll - 1] == '\r')
        ll--;
    const char *sp1 = memchr(h, ' ', ll), *sp2 = NULL;
    for (const char *p = h + ll; p > h; p--)
        if (p[-1] == ' ') {
            sp2 = p - 1;
            break;
        }
    if (!sp1 || sp2 == sp1) {
        snprintf(msg, len, "the request line is not METHOD TARGET HTTP/1.1");
        return 400;
    }
    const char *v = sp2 + 1;
    size_t vl = (size_t)(h + ll - v);
    if (!(vl == 8 && (memcmp(v, "HTTP/1.1", 8) == 0 || memcmp(v, "HTTP/1.0", 8) == 0))) {
        bool looks = vl == 8 && memcmp(v, "HTTP/", 5) == 0 && isdigit((unsigned char)v[5]) &&
                     v[6] == '.' && isdigit((unsigned char)v[7]);
        snprintf(msg, len, "%s",
                 looks ? "only HTTP/1.0 and HTTP/1.1 are spoken here"
                       : "the request line is not METHOD TARGET HTTP/1.1");
        return looks ? 505 : 400;
    }
    if ((size_t)(sp2 - sp1 - 1) > URI_MAX) {
        snprintf(msg, len, "the request target is longer than %u bytes", URI_MAX);
        return 414;
    }
    if (n - ll > HEAD_MAX) {
        snprintf(msg, len, "the request's headers are larger than %u bytes", HEAD_MAX);
        return 431;
    }
    const char *cl = NULL;
    size_t cll = 0;
    bool te = false;
    for (const char *p = eol + 1; p < h + n;) {
        const char *e = memchr(p, '\n', (size_t)(h + n - p));
        size_t l = (size_t)((e ? e : h + n) - p);
        if (l && p[l - 1] == '\r')
            l--;
        if (!l)
            break;
        const char *colon = memchr(p, ':', l);
        if (!colon || colon == p) {
            snprintf(msg, len, "a header line without a name and a colon");
            return 400;
        }
        size_t nl = (size_t)(colon - p);
        const char *val = colon + 1, *end = p + l;
        while (val < end && (*val == ' ' || *val == '\t'))
            val++;
        while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (nl == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            size_t vn = (size_t)(end - val);
            bool digits = vn >= 1 && vn <= 18;
            for (size_t i = 0; digits && i < vn; i++)
                digits = isdigit((unsigned char)val[i]);
            if (!digits || (cl && (cll != vn || memcmp(cl, val, vn) != 0))) {
                *field = "Content-Length";
                snprintf(msg, len, "Content-Length must be one number of bytes");
                return 400;
            }
            cl = val, cll = vn;
        } else if (nl == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0)
            te = true;
        p = e ? e + 1 : h + n;
    }
    if (cl && te) {
        *field = "Content-Length";
        snprintf(msg, len, "a request has Content-Length or Transfer-Encoding, not both");
        return 400;
    }
    return 0;
}

/* The end of the head in h[0..n) (after its blank line), or 0 while it is not whole. */
static size_t head_end(const char *h, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (h[i] != '\n')
            continue;
        if (h[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && h[i + 1] == '\r' && h[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static void *gate_main(void *arg) {
    struct server *sv = arg;
    size_t cap = sv->conn_max;
    struct pollfd *pfd = calloc(cap + 1, sizeof *pfd);
    struct conn **pend = calloc(cap, sizeof *pend);
    char *buf = malloc(GATE_PEEK);
    size_t np = 0;
    if (!pfd || !pend || !buf) {
        fprintf(stderr, "dealwright serve: out of memory\n");
        atomic_store(&sv->stopping, true);
        kill(getpid(), SIGTERM);
    }
    /* A descriptor kept in reserve: when accept() finds none left (EMFILE), it is given up for
     * the moment it takes to accept the waiting connection and tell it 503, so that the
     * client is answered and the gate does not spin on a listening socket it cannot empty. */
    int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int64_t listen_after = 0; /* accept nothing before (mono_us) after a failed accept */
    while (pfd && pend && buf && !atomic_load(&sv->stopping)) {
        /* while every slot of the gate is taken, or after accept() failed, the listening
         * socket is not watched: it would wake the gate at once, again and again */
        bool listening = np < cap && mono_us() >= listen_after;
        pfd[0] = (struct pollfd){.fd = listening ? sv->listen_fd : -1, .events = POLLIN};
        for (size_t i = 0; i < np; i++)
            pfd[i + 1] = (struct pollfd){.fd = pend[i]->fd, .events = POLLIN | POLLRDHUP};
        if (poll(pfd, np + 1, 200) <= 0)
            continue;
        for (size_t i = np; i-- > 0;) {
            short re = pfd[i + 1].revents;
            if (!re)
                continue;
            struct conn *cn = pend[i];
            ssize_t n = recv(cn->fd, buf, GATE_PEEK, MSG_PEEK | MSG_DONTWAIT);
            /* empty lines before the request line are ignored (RFC 9112, 2.2), as
             * libmicrohttpd does */
            size_t skip = 0;
            while (n > 0 && skip < (size_t)n && (buf[skip] == '\r' || buf[skip] == '\n'))
                skip++;
            size_t end = n > 0 ? head_end(buf + skip, (size_t)n - skip) : 0;
            if (!end && n > 0 && (size_t)n < GATE_PEEK && !(re & (POLLRDHUP | POLLHUP | POLLERR))) {
                int want = (int)n + 1; /* wake when more has come, not again for the same */
                setsockopt(cn->fd, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof want);
                continue;
            }
            pend[i] = pend[--np];
            conn_unlist(sv, cn);
            if (!end && (n <= 0 || (size_t)n < GATE_PEEK)) { /* gone, or cut by the watchdog */
                close(cn->fd);
            } else if (!end) {
                bool line = memchr(buf, '\n', (size_t)n) != NULL;
                gate_refuse(cn->fd, line ? 431 : 414, NULL,
                            line ? "the request head is larger than 64 KiB"
                                 : "the request line is longer than 64 KiB");
            } else {
                const char *field;
                char msg[120];
                unsigned st = gate_check(buf + skip, end, &field, msg, sizeof msg);
                if (st) {
                    gate_refuse(cn->fd, st, field, msg);
                } else {
                    int one = 1;
                    setsockopt(cn->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
                    struct sockaddr_in sa = {.sin_family = AF_INET};
                    sa.sin_addr.s_addr = cn->addr;
                    socklen_t sl = sizeof sa;
                    getpeername(cn->fd, (struct sockaddr *)&sa, &sl);
                    MHD_add_connection(sv->mhd, cn->fd, (struct sockaddr *)&sa, sl);
                }
            }
            free(cn);
        }
        while ((pfd[0].revents & POLLIN) && np < cap) {
            struct sockaddr_in sa;
            socklen_t sl = sizeof sa;
            int fd =
                accept4(sv->listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0 && (errno == EMFILE || errno == ENFILE) && spare >= 0) {
                close(spare);
                fd = accept4(sv->listen_fd, (struct sockaddr *)&sa, &sl,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0) {
                    atomic_fetch_add(&sv->conns_refused, 1);
                    gate_refuse(fd, 503, NULL,
                                "the server has no file descriptor left for "
                                "another connection; try again later");
                }
                spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
                listen_after = mono_us() + 100 * 1000;
                break;
            }
            if (fd < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                    errno != ECONNABORTED)
                    listen_after = mono_us() + 100 * 1000; /* ENOBUFS, ENOMEM, EMFILE */
                break;
            }
            struct conn *cn = NULL;
            if (!admit(sv, conn_addr((struct sockaddr *)&sa)) || !(cn = calloc(1, sizeof *cn))) {
                gate_refuse(fd, 503, NULL,
                            "too many connections (from this address); try again later");
                continue;
            }
            cn->fd = fd;
            cn->addr = conn_addr((struct sockaddr *)&sa);
            cn->state = C_GATE;
            cn->since_us = mono_us();
            conn_list(sv, cn);
            pend[np++] = cn;
        }
    }
    /* stopping: a connection whose head had not arrived whole is told so, not reset */
    for (size_t i = 0; i < np; i++) {
        conn_unlist(sv, pend[i]);
        gate_refuse(pend[i]->fd, 503, NULL, "the server is stopping; try again later");
        free(pend[i]);
    }
    if (spare >= 0)
        close(spare);
    close(sv->listen_fd);
    free(pfd);
    free(pend);
    free(buf);
    return NULL;
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
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)cls, (void)c;
    struct req *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->start_us = mono_us();
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
static void check_head(struct MHD_Connection *c, const char *version, struct req *rq) {
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
        reject(rq, 400, "an HTTP/1.1 request needs a Host header");
    size_t n = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, head_size, &n);
    if (n > HEAD_MAX)
        reject(rq, 431, "the request's headers are larger than 16384 bytes");
}

/* ---- routes ------------------------------------------------------------------------- */

static void kick_worker(struct server *sv) {
    pthread_mutex_lock(&sv->worker_mu);
    sv->kick = true;
    pthread_cond_signal(&sv->worker_cv);
    pthread_mutex_unlock(&sv->worker_mu);
}

/* Group commit of lead posts. A request queues its lead; whoever finds no commit running
 * takes every queued lead (up to GROUP_MAX) and submits them in one transaction — one
 * fsync for all — while later requests queue for the next one. dw_leads_submit checks
 * every lead before storing any and names the first bad one (err.line = its index + 1):
 * that request gets its error and the others are submitted again without it. Each request
 * is answered only after the transaction holding its lead committed. */
#define GROUP_MAX 256

struct lead_item {
    json_t *lead; /* borrowed */
    json_t *result;
    struct dw_error err;
    int r;
    bool done;
    struct lead_item *next;
};

/* Submit the group's leads; every item gets its result or its error. The caller's array is
 * left as it was (it marks every item done afterwards): refused leads are dropped from a
 * working copy, so that the one refused is still among those the caller answers. */
static void submit_group(struct server *sv, struct lead_item *const *group, size_t n) {
    struct lead_item *items[GROUP_MAX];
    if (n > GROUP_MAX)
        n = GROUP_MAX;
    memcpy(items, group, n * sizeof *items);
    while (n > 0) {
        _cleanup_json_ json_t *arr = json_array(), *res = NULL;
        for (size_t i = 0; i < n; i++)
            json_array_append(arr, items[i]->lead);
        struct dw_error err = {0};
        pthread_mutex_lock(&sv->api_mu);
        int r = dw_leads_submit(sv->api, arr, &res, &err);
        pthread_mutex_unlock(&sv->api_mu);
        if (r >= 0) {
            for (size_t i = 0; i < n; i++)
                items[i]->result = json_incref(json_array_get(res, i));
            return;
        }
        bool one_bad = err.line >= 1 && (size_t)err.line <= n &&
                       (r == -DW_EINVAL || r == -DW_EPARSE || r == -DW_ETOOBIG);
        if (!one_bad) { /* the store failed: every lead of the group gets the error */
            for (size_t i = 0; i < n; i++) {
                items[i]->err = err;
                items[i]->r = r;
            }
            return;
        }
        size_t k = (size_t)err.line - 1;
        err.line = 0;
        items[k]->err = err;
        items[k]->r = r;
        memmove(items + k, items + k + 1, (n - k - 1) * sizeof *items);
        n--;
    }
}

static void submit_lead(struct server *sv, struct lead_item *it) {
    pthread_mutex_lock(&sv->group_mu);
    it->next = NULL;
    *sv->group_tail = it;
    sv->group_tail = &it->next;
    while (!it->done) {
        if (sv->group_busy) {
            pthread_cond_wait(&sv->group_cv, &sv->group_mu);
            continue;
        }
        sv->group_busy = true;
        struct lead_item *batch[GROUP_MAX];
        size_t n = 0;
        while (sv->group_head && n < GROUP_MAX) {
            batch[n++] = sv->group_head;
            sv->group_head = sv->group_head->next;
        }
        if (!sv->group_head)
            sv->group_tail = &sv->group_head;
        pthread_mutex_unlock(&sv->group_mu);
        submit_group(sv, batch, n);
        pthread_mutex_lock(&sv->group_mu);
        for (size_t i = 0; i < n; i++)
            batch[i]->done = true;
        sv->group_busy = false;
        pthread_cond_broadcast(&sv->group_cv);
    }
    pthread_mutex_unlock(&sv->group_mu);
}

static enum MHD_Result route_leads_post(struct server *sv, struct MHD_Connection *c,
                                        struct req *rq) {
    _cleanup_json_ json_t *lead = NULL;
    enum MHD_Result m = body_json(c, rq, true, &lead);
    if (!lead)
        return m;
    struct lead_item it = {.lead = lead};
    submit_lead(sv, &it);
    _cleanup_json_ json_t *one = it.result;
    if (it.r < 0)
        return send_dw_error(c, rq, &it.err, it.r);
    if (strcmp(dw_json_str(one, "status") ? dw_json_str(one, "status") : "", "duplicate") != 0)
        kick_worker(sv);
    return send_json(c, rq, 202, one);
}

static enum MHD_Result route_deal_get(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                      int64_t id, const char *role) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *d = NULL, *audit = NULL;
    struct reader *rd = reader_get(sv);
    int r = dw_deal_show(rd->e, id, &d, &err);
    if (r >= 0 && rq->route == R_TIMELINE)
        r = dw_audit_show(rd->e, id, &audit, &err);
    if (r >= 0 && rq->route == R_DEAL &&
        dw_approvals_annotate(rd->e, rq->user, role, json_object_get(d, "approvals")) < 0)
        r = dw_error_set(&err, -DW_ENOMEM, "out of memory");
    reader_put(rd);
    if (r < 0)
        return send_dw_error(c, rq, &err, r);
    if (rq->route == R_TIMELINE) {
        _cleanup_json_ json_t *t =
            json_pack("{s:O,s:O,s:O}", "deal", json_object_get(d, "id"), "events",
                      json_object_get(d, "timeline"), "audit", audit);
        return send_json(c, rq, 200, t);
    }
    if (rq->route == R_PROPOSAL) {
        json_t *p = json_object_get(d, "proposal");
        if (!json_is_object(p))
            return send_error(c, rq, 404, NULL, "%s has no proposal yet (stage %s)",
                              dw_json_str(d, "id"), dw_json_str(d, "stage"));
        return send_json(c, rq, 200, p);
    }
    return send_json(c, rq, 200, d);
}

static enum MHD_Result route_decision(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                      int64_t id, const char *role) {
    _cleanup_json_ json_t *body = NULL;
    enum MHD_Result m = body_json(c, rq, true, &body);
    if (!body)
        return m;
    const char *decision = dw_json_str(body, "decision");
    json_t *note = json_object_get(body, "note");
    if (!decision || (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0))
        return send_error(c, rq, 400, "decision", "decision must be \"approve\" or \"reject\"");
    if (note && !json_is_string(note))
        return send_error(c, rq, 400, "note", "note must be a string");
    bool approve = strcmp(decision, "approve") == 0;
    const char *text = note ? json_string_value(note) : NULL;
    if (!approve && (!text || !*text))
        return send_error(c, rq, 400, "note", "a rejection needs a note saying why");
    if (text && strlen(text) > 2000)
        return send_error(c, rq, 400, "note", "note is longer than 2000 bytes");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_approval_decide_as(sv->api, id, approve, rq->user, role, text, &res, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return send_dw_error(c, rq, &err, r);
    kick_worker(sv);
    return send_json(c, rq, 200, res);
}

static enum MHD_Result route_accept(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                    int64_t id, const char *role) {
    _cleanup_json_ json_t *body = NULL;
    enum MHD_Result m = body_json(c, rq, false, &body);
    if (!body)
        return m;
    json_t *rev = json_object_get(body, "revision"), *by = json_object_get(body, "by");
    if (rev &&
        (!json_is_integer(rev) || json_integer_value(rev) < 0 || json_integer_value(rev) > 1000000))
        return send_error(c, rq, 400, "revision", "revision must be a positive integer");
    if (by &&
        (!json_is_string(by) || !*json_string_value(by) || strlen(json_string_value(by)) > 120))
        return send_error(c, rq, 400, "by", "by must be a name of 1-120 bytes");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    pthread_mutex_lock(&sv->api_mu);
    /* the token's user records it; "by" names the customer's signatory (data) */
    int r = dw_deal_accept_as(sv->api, id, rev ? (int)json_integer_value(rev) : 0, rq->user, role,
                              by ? json_string_value(by) : NULL, &res, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return send_dw_error(c, rq, &err, r);
    kick_worker(sv);
    return send_json(c, rq, 200, res);
}

/* ---- Server-Sent Events ------------------------------------------------------------- */

struct sse {
    struct server *sv;
    int64_t last;      /* last event sent */
    struct dw_buf out; /* formatted, not yet sent */
    size_t off;
    char secret[160]; /* the stream's token, checked again every SSE_RECHECK_MS */
    int64_t checked_us;
};

/* The stream's token is still valid (not revoked, its user still holds its role). A store
 * that cannot be read ends the stream too: it cannot be told. */
static bool sse_token_ok(struct sse *s) {
    int64_t now = mono_us();
    if (now - s->checked_us < (int64_t)SSE_RECHECK_MS * 1000)
        return true;
    s->checked_us = now;
    struct dw_error err = {0};
    json_t *tok = NULL;
    struct reader *rd = reader_get(s->sv);
    int r = dw_token_check(rd->e, s->secret, &tok, &err);
    reader_put(rd);
    json_decref(tok);
    return r >= 0;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    struct sse *s = cls;
    int64_t idle_since = mono_us();
    while (s->off >= s->out.len) {
        if (atomic_load(&s->sv->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (!sse_token_ok(s)) /* revoked: end the stream within a second */
            return MHD_CONTENT_READER_END_OF_STREAM;
        s->out.len = s->off = 0;
        struct dw_error err = {0};
        json_t *evs = NULL;
        struct reader *rd = reader_get(s->sv);
        int r = dw_events_since(rd->e, s->last, 100, &evs, &err);
        reader_put(rd);
        if (r < 0) {
            json_decref(evs);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        size_t i;
        json_t *ev;
        json_array_foreach(evs, i, ev) {
            char *data = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
            int64_t seq = dw_json_int(ev, "seq", 0);
            if (!data || dw_buf_printf(&s->out, "id: %" PRId64 "\nevent: %s\ndata: %s\n\n", seq,
                                       dw_json_str(ev, "type"), data) < 0) {
                free(data);
                json_decref(evs);
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
            free(data);
            s->last = seq;
            atomic_fetch_add(&s->sv->events_sent, 1);
        }
        json_decref(evs);
        if (s->out.len)
            break;
        if (mono_us() - idle_since > (int64_t)SSE_KEEPALIVE_MS * 1000) {
            if (dw_buf_printf(&s->out, ": keepalive\n\n") < 0)
                return MHD_CONTENT_READER_END_WITH_ERROR;
            break;
        }
        usleep(200 * 1000);
    }
    size_t n = s->out.len - s->off;
    if (n > max)
        n = max;
    memcpy(buf, s->out.data + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void sse_free(void *cls) {
    struct sse *s = cls;
    explicit_bzero(s->secret, sizeof s->secret);
    dw_buf_release(&s->out);
    free(s);
}

static enum MHD_Result route_events(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    const char *from = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    if (!from)
        from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    int64_t last = 0;
    if (from && strcmp(from, "latest") == 0) { /* only what happens from now on */
        struct dw_error err = {0};
        _cleanup_json_ json_t *st = NULL;
        struct reader *rd = reader_get(sv);
        int r = dw_stats(rd->e, &st, &err);
        reader_put(rd);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        last = dw_json_int(st, "last_event", 0);
    } else if (from && *from) {
        char *end;
        errno = 0;
        long long v = strtoll(from, &end, 10);
        if (errno || *end || v < 0)
            return send_error(
                c, rq, 400, "Last-Event-ID",
                "Last-Event-ID must be an event number (or after=latest), got '%.40s'", from);
        last = v;
    }
    struct sse *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->sv = sv;
    s->last = last;
    s->checked_us = mono_us(); /* checked by the request itself just now */
    snprintf(s->secret, sizeof s->secret, "%s", bearer_secret(c));
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

/* Webhook subscriptions and their deliveries (admin only; docs "Webhooks"). */
static enum MHD_Result route_webhooks(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                      int64_t id, bool post) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL, *body = NULL;
    int r = 0;
    if (rq->route == R_WEBHOOKS && post) {
        enum MHD_Result m = body_json(c, rq, true, &body);
        if (!body)
            return m;
        static const char *const fields[] = {"url", "events", "secret"};
        for (size_t i = 0; i < DW_ARRAY_SIZE(fields); i++) {
            json_t *v = json_object_get(body, fields[i]);
            if (v && !json_is_string(v))
                return send_error(c, rq, 400, fields[i], "%s must be a string", fields[i]);
        }
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v) {
            if (strcmp(k, "url") && strcmp(k, "events") && strcmp(k, "secret"))
                return send_error(c, rq, 400, k, "unknown field '%.40s'", k);
        }
        if (!dw_json_str(body, "url"))
            return send_error(c, rq, 400, "url", "url is required");
        if (!dw_json_str(body, "events"))
            return send_error(c, rq, 400, "events", "events is required");
        pthread_mutex_lock(&sv->api_mu);
        r = dw_webhook_add(sv->api, rq->user, dw_json_str(body, "url"), dw_json_str(body, "events"),
                           dw_json_str(body, "secret"), &out, &err);
        pthread_mutex_unlock(&sv->api_mu);
        return r < 0 ? send_dw_error(c, rq, &err, r) : send_json(c, rq, 201, out);
    }
    if (rq->route == R_WEBHOOK || rq->route == R_REPLAY) {
        int64_t n = 0;
        pthread_mutex_lock(&sv->api_mu);
        r = rq->route == R_WEBHOOK ? dw_webhook_remove(sv->api, rq->user, id, &err)
                                   : dw_webhook_replay(sv->api, rq->user, id, &n, &err);
        pthread_mutex_unlock(&sv->api_mu);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        out = rq->route == R_WEBHOOK
                  ? json_pack("{sI sb}", "id", (json_int_t)id, "removed", 1)
                  : json_pack("{sI ss}", "id", (json_int_t)id, "status", "pending");
        return send_json(c, rq, 200, out);
    }
    const char *status = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
    if (rq->route == R_DELIVERIES && status && strcmp(status, "pending") &&
        strcmp(status, "delivered") && strcmp(status, "dead"))
        return send_error(c, rq, 400, "status", "status: pending, delivered or dead");
    if (rq->route == R_DELIVERIES) {
        const char *after;
        int limit;
        enum MHD_Result res;
        if (page_args(c, rq, &limit, &after, &res) < 0)
            return res;
        struct reader *rd = reader_get(sv);
        r = dw_webhook_deliveries_page(rd->e, status, after, limit, &out, &err);
        reader_put(rd);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        char filter[32] = "";
        if (status)
            snprintf(filter, sizeof filter, "&status=%s", status);
        return send_page(c, rq, "/v1/webhooks/deliveries", limit, filter, out);
    }
    struct reader *rd = reader_get(sv);
    r = dw_webhooks_list(rd->e, &out, &err);
    reader_put(rd);
    return r < 0 ? send_dw_error(c, rq, &err, r) : send_json(c, rq, 200, out);
}

/* ---- metrics ------------------------------------------------------------------------ */

static enum MHD_Result route_metrics(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    struct dw_buf b = {0};
    int r = 0;
    r |= dw_buf_printf(&b, "# HELP dealwright_http_requests_total HTTP requests by route and "
                           "status.\n# TYPE dealwright_http_requests_total counter\n");
    for (int i = 1; i < R_MAX; i++)
        for (size_t k = 0; k < N_STATUS; k++) {
            uint64_t n = atomic_load(&sv->requests[i][k]);
            if (n)
                r |= dw_buf_printf(&b,
                                   "dealwright_http_requests_total{route=\"%s\",code=\"%u\"} "
                                   "%" PRIu64 "\n",
                                   route_names[i], status_codes[k], n);
        }
    r |= dw_buf_printf(&b, "# HELP dealwright_http_request_duration_seconds Time to answer a "
                           "request.\n# TYPE dealwright_http_request_duration_seconds "
                           "histogram\n");
    uint64_t cum = 0;
    for (size_t k = 0; k <= N_BUCKETS; k++) {
        cum += atomic_load(&sv->latency[k]);
        if (k < N_BUCKETS)
            r |= dw_buf_printf(&b,
                               "dealwright_http_request_duration_seconds_bucket{le=\"%g\"} "
                               "%" PRIu64 "\n",
                               latency_buckets[k], cum);
        else
            r |= dw_buf_printf(&b,
                               "dealwright_http_request_duration_seconds_bucket{le=\"+Inf\"} "
                               "%" PRIu64 "\n",
                               cum);
    }
    r |= dw_buf_printf(&b,
                       "dealwright_http_request_duration_seconds_sum %.6f\n"
                       "dealwright_http_request_duration_seconds_count %" PRIu64 "\n",
                       (double)atomic_load(&sv->latency_sum_us) / 1e6,
                       (uint64_t)atomic_load(&sv->latency_count));
    r |= dw_buf_printf(
        &b,
        "# HELP dealwright_agent_steps_total Agent steps run by the server's control plane.\n"
        "# TYPE dealwright_agent_steps_total counter\ndealwright_agent_steps_total %" PRIu64 "\n"
        "# HELP dealwright_agent_step_failures_total Agent steps that failed.\n"
        "# TYPE dealwright_agent_step_failures_total counter\n"
        "dealwright_agent_step_failures_total %" PRIu64 "\n"
        "# HELP dealwright_events_streamed_total Events sent on event streams.\n"
        "# TYPE dealwright_events_streamed_total counter\n"
        "dealwright_events_streamed_total %" PRIu64 "\n"
        "# HELP dealwright_http_connections Connections open.\n"
        "# TYPE dealwright_http_connections gauge\ndealwright_http_connections %u\n"
        "# HELP dealwright_http_connections_refused_total Connections refused by the "
        "connection policy.\n# TYPE dealwright_http_connections_refused_total counter\n"
        "dealwright_http_connections_refused_total %" PRIu64 "\n"
        "# HELP dealwright_http_connections_cut_total Connections closed for not sending a "
        "request in time.\n# TYPE dealwright_http_connections_cut_total counter\n"
        "dealwright_http_connections_cut_total %" PRIu64 "\n",
        (uint64_t)atomic_load(&sv->worker_steps), (uint64_t)atomic_load(&sv->worker_failures),
        (uint64_t)atomic_load(&sv->events_sent), conns_open(sv),
        (uint64_t)atomic_load(&sv->conns_refused), (uint64_t)atomic_load(&sv->conns_cut));
    r |= dw_buf_printf(&b,
                       "# HELP dealwright_webhook_attempts_total Webhook delivery attempts by "
                       "outcome.\n# TYPE dealwright_webhook_attempts_total counter\n"
                       "dealwright_webhook_attempts_total{result=\"delivered\"} %" PRIu64 "\n"
                       "dealwright_webhook_attempts_total{result=\"retry\"} %" PRIu64 "\n"
                       "dealwright_webhook_attempts_total{result=\"dead\"} %" PRIu64 "\n",
                       (uint64_t)atomic_load(&sv->hook_delivered),
                       (uint64_t)atomic_load(&sv->hook_failed),
                       (uint64_t)atomic_load(&sv->hook_dead));
    struct dw_error err = {0};
    _cleanup_json_ json_t *st = NULL, *hooks = NULL;
    struct reader *rd = reader_get(sv);
    int sr = dw_stats(rd->e, &st, &err);
    int hr = dw_webhook_counts(rd->e, &hooks, &err);
    reader_put(rd);
    if (hr >= 0) {
        r |= dw_buf_printf(&b, "# HELP dealwright_webhook_deliveries Webhook deliveries by "
                               "state.\n# TYPE dealwright_webhook_deliveries gauge\n");
        const char *k;
        json_t *v;
        json_object_foreach(hooks, k, v) r |=
            dw_buf_printf(&b, "dealwright_webhook_deliveries{state=\"%s\"} %lld\n", k,
                          (long long)json_integer_value(v));
    }
    if (sr >= 0) {
        r |= dw_buf_printf(&b, "# HELP dealwright_deals Deals by stage.\n"
                               "# TYPE dealwright_deals gauge\n");
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(st, "stages"), k, v) r |= dw_buf_printf(
            &b, "dealwright_deals{stage=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
        r |= dw_buf_printf(&b,
                           "# HELP dealwright_approvals_pending Approvals waiting for a "
                           "person.\n# TYPE dealwright_approvals_pending gauge\n"
                           "dealwright_approvals_pending %lld\n"
                           "# HELP dealwright_deals_parked Deals parked after repeated "
                           "failures.\n# TYPE dealwright_deals_parked gauge\n"
                           "dealwright_deals_parked %lld\n",
                           (long long)dw_json_int(st, "approvals_pending", 0),
                           (long long)dw_json_int(st, "parked", 0));
    }
    if (r < 0) {
        dw_buf_release(&b);
        return MHD_NO;
    }
    size_t len = b.len;
    return send_text(c, rq, 200, "text/plain; version=0.0.4; charset=utf-8", dw_buf_steal(&b), len);
}

/* ---- the console -------------------------------------------------------------------- */

/* The browser console's files (console/, compiled in): no inline script or style, so the
 * policy allows only this origin's files; the data the scripts show is set as text. */
#define CONSOLE_CSP                                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                    \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static enum MHD_Result route_console(struct MHD_Connection *c, struct req *rq, const char *name) {
    const struct example_file *f = NULL;
    for (size_t i = 0; i < console_n_files && !f; i++)
        if (strcmp(console_files[i].path, name) == 0)
            f = &console_files[i];
    if (!f)
        return send_error(c, rq, 404, NULL, "no such file of the console");
    const char *dot = strrchr(name, '.');
    const char *type = !dot                        ? "application/octet-stream"
                       : strcmp(dot, ".html") == 0 ? "text/html; charset=utf-8"
                       : strcmp(dot, ".css") == 0  ? "text/css; charset=utf-8"
                       : strcmp(dot, ".js") == 0   ? "text/javascript; charset=utf-8"
                       : strcmp(dot, ".svg") == 0  ? "image/svg+xml"
                                                   : "application/octet-stream";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Security-Policy", CONSOLE_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- dispatch ----------------------------------------------------------------------- */

/* Split "/v1/deals/D-000001/quotes/1/diff/2" into up to 7 segments (in place, in a copy). */
/* A plain id in a path (1 to 2^40); -1 when it is not one. */
static int parse_id_segment(const char *s, int64_t *ret) {
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 1 || v > (1LL << 40) || s[0] == '+' || s[0] == ' ')
        return -1;
    *ret = v;
    return 0;
}

/* strtok_r, not strtok: every connection has a thread of its own. */
static int split_path(char *p, char *seg[7]) {
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(p, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (n == 7)
            return -1;
        seg[n++] = s;
    }
    return n;
}

static enum MHD_Result dispatch(struct server *sv, struct MHD_Connection *c, const char *url,
                                const char *method, struct req *rq) {
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    if (strlen(url) > 200)
        return send_error(c, rq, 404, NULL, "no such route");
    char path[256];
    snprintf(path, sizeof path, "%s", url);
    char *seg[7] = {0};
    int rev_from = 0, rev_to = 0;
    int n = split_path(path, seg);
    int64_t id = 0;
    bool want_post = false, want_delete = false;
    bool del = strcmp(method, "DELETE") == 0;

    const char *console_file = NULL;
    if (n == 0)
        rq->route = R_CONSOLE, console_file = "index.html";
    else if (n == 2 && strcmp(seg[0], "console") == 0)
        rq->route = R_CONSOLE, console_file = seg[1];
    else if (n == 1 && strcmp(seg[0], "healthz") == 0)
        rq->route = R_HEALTHZ;
    else if (n == 1 && strcmp(seg[0], "readyz") == 0)
        rq->route = R_READYZ;
    else if (n == 1 && strcmp(seg[0], "metrics") == 0)
        rq->route = R_METRICS;
    else if (n >= 2 && strcmp(seg[0], "v1") == 0) {
        if (n == 2 && strcmp(seg[1], "openapi.json") == 0)
            rq->route = R_OPENAPI;
        else if (n == 2 && strcmp(seg[1], "leads") == 0)
            rq->route = R_LEADS_POST, want_post = true;
        else if (n == 2 && strcmp(seg[1], "deals") == 0)
            rq->route = R_DEALS;
        else if (n == 2 && strcmp(seg[1], "approvals") == 0)
            rq->route = R_APPROVALS;
        else if (n == 2 && strcmp(seg[1], "events") == 0)
            rq->route = R_EVENTS;
        else if (n == 2 && strcmp(seg[1], "me") == 0)
            rq->route = R_ME;
        else if (n == 3 && strcmp(seg[1], "reports") == 0 && strcmp(seg[2], "funnel") == 0)
            rq->route = R_REPORT_FUNNEL;
        else if (n == 2 && strcmp(seg[1], "webhooks") == 0)
            rq->route = R_WEBHOOKS, want_post = post; /* GET lists, POST subscribes */
        else if (n == 3 && strcmp(seg[1], "webhooks") == 0 && strcmp(seg[2], "deliveries") == 0)
            rq->route = R_DELIVERIES;
        else if (n == 3 && strcmp(seg[1], "webhooks") == 0) {
            if (parse_id_segment(seg[2], &id) < 0)
                return send_error(c, rq, 404, NULL, "'%.40s' is not a webhook id", seg[2]);
            rq->route = R_WEBHOOK, want_delete = true;
        } else if (n == 5 && strcmp(seg[1], "webhooks") == 0 && strcmp(seg[2], "deliveries") == 0 &&
                   strcmp(seg[4], "replay") == 0) {
            if (parse_id_segment(seg[3], &id) < 0)
                return send_error(c, rq, 404, NULL, "'%.40s' is not a delivery id", seg[3]);
            rq->route = R_REPLAY, want_post = true;
        } else if (strcmp(seg[1], "deals") == 0 && n >= 3 && n <= 4) {
            if (dw_id_parse('D', seg[2], &id) < 0)
                return send_error(c, rq, 404, NULL, "'%.40s' is not a deal id (D-000001)", seg[2]);
            if (n == 3)
                rq->route = R_DEAL;
            else if (strcmp(seg[3], "timeline") == 0)
                rq->route = R_TIMELINE;
            else if (strcmp(seg[3], "proposal") == 0)
                rq->route = R_PROPOSAL;
            else if (strcmp(seg[3], "accept") == 0)
                rq->route = R_ACCEPT, want_post = true;
        } else if (n == 7 && strcmp(seg[1], "deals") == 0 && strcmp(seg[3], "quotes") == 0 &&
                   strcmp(seg[5], "diff") == 0) {
            if (dw_id_parse('D', seg[2], &id) < 0)
                return send_error(c, rq, 404, NULL, "'%.40s' is not a deal id (D-000001)", seg[2]);
            char *end1 = NULL, *end2 = NULL;
            long a = strtol(seg[4], &end1, 10), b = strtol(seg[6], &end2, 10);
            if (*end1 || *end2 || end1 == seg[4] || end2 == seg[6] || a < 1 || b < 1 ||
                a > 1000000 || b > 1000000)
                return send_error(c, rq, 404, NULL, "quote revisions are numbers from 1");
            rq->route = R_QUOTE_DIFF, rev_from = (int)a, rev_to = (int)b;
        } else if (n == 4 && strcmp(seg[1], "approvals") == 0 && strcmp(seg[3], "decision") == 0) {
            if (dw_id_parse('A', seg[2], &id) < 0)
                return send_error(c, rq, 404, NULL, "'%.40s' is not an approval id (A-000001)",
                                  seg[2]);
            rq->route = R_DECISION, want_post = true;
        }
    }
    if (rq->route == R_NONE)
        return send_error(c, rq, 404, NULL, "no such route");
    if (want_delete ? !del : want_post ? !post : !get)
        return send_error(c, rq, 405, NULL, "%s needs %s", route_names[rq->route],
                          want_delete ? "DELETE"
                          : want_post ? "POST"
                                      : "GET");
    if (rq->too_big)
        return send_error(c, rq, 413, NULL, "the request body is larger than %u bytes", BODY_MAX);

    /* Public routes: liveness, readiness, metrics (no personal data), the API's
     * description. */
    switch (rq->route) {
    case R_HEALTHZ:
        return send_text(c, rq, 200, "application/json", strdup("{\"status\":\"ok\"}"), 15);
    case R_READYZ: {
        struct dw_error err = {0};
        _cleanup_json_ json_t *st = NULL;
        struct reader *rd = reader_get(sv);
        int r = dw_stats(rd->e, &st, &err);
        reader_put(rd);
        if (r < 0 || atomic_load(&sv->stopping))
            return send_error(c, rq, 503, NULL, "%s",
                              r < 0 ? "the store cannot be read" : "shutting down");
        return send_text(c, rq, 200, "application/json", strdup("{\"status\":\"ready\"}"), 18);
    }
    case R_METRICS:
        return route_metrics(sv, c, rq);
    case R_CONSOLE:
        return route_console(c, rq, console_file);
    case R_OPENAPI:
        return send_text(c, rq, 200, "application/json", strdup(dw_serve_openapi),
                         strlen(dw_serve_openapi));
    default:
        break;
    }

    enum MHD_Result res = MHD_NO;
    _cleanup_json_ json_t *tok = authenticate(sv, c, rq, &res);
    if (!tok)
        return res;
    if (!rate_take(sv, dw_json_int(tok, "id", 0)))
        return send_error(c, rq, 429, NULL, "too many requests for this token (%g per second)",
                          sv->rate);
    const char *role = dw_json_str(tok, "role");
    bool integration = strcmp(role, DW_ROLE_INTEGRATION) == 0;
    bool admin = strcmp(role, "admin") == 0;

    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    int r;
    switch (rq->route) {
    case R_LEADS_POST:
        if (!integration && !admin)
            return send_error(c, rq, 403, NULL,
                              "posting leads needs an integration or admin token, not %s", role);
        return route_leads_post(sv, c, rq);
    case R_DEALS: {
        const char *stage = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "stage");
        const char *after;
        int limit;
        if (page_args(c, rq, &limit, &after, &res) < 0)
            return res;
        struct reader *rd = reader_get(sv);
        r = dw_deals_page(rd->e, stage, after, limit, &out, &err);
        reader_put(rd);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        char filter[48] = "";
        if (stage && *stage)
            snprintf(filter, sizeof filter, "&stage=%s", stage);
        return send_page(c, rq, "/v1/deals", limit, filter, out);
    }
    case R_DEAL:
    case R_TIMELINE:
    case R_PROPOSAL:
        return route_deal_get(sv, c, rq, id, role);
    case R_ME: /* who the token acts as, and in which role (the console's buttons follow it) */
        out = json_pack("{s:s,s:s}", "user", rq->user, "role", role);
        return out ? send_json(c, rq, 200, out) : MHD_NO;
    case R_REPORT_FUNNEL: {
        struct reader *rd = reader_get(sv);
        r = dw_report_funnel(rd->e, &out, &err);
        reader_put(rd);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        return send_json(c, rq, 200, out);
    }
    case R_QUOTE_DIFF: {
        struct reader *rd = reader_get(sv);
        r = dw_quote_diff_revisions(rd->e, id, rev_from, rev_to, &out, &err);
        reader_put(rd);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        return send_json(c, rq, 200, out);
    }
    case R_APPROVALS: {
        const char *after;
        int limit;
        if (page_args(c, rq, &limit, &after, &res) < 0)
            return res;
        struct reader *rd = reader_get(sv);
        r = dw_approvals_page(rd->e, after, limit, &out, &err);
        if (r >= 0 &&
            dw_approvals_annotate(rd->e, rq->user, role, json_object_get(out, "items")) < 0)
            r = dw_error_set(&err, -DW_ENOMEM, "out of memory");
        reader_put(rd);
        if (r < 0)
            return send_dw_error(c, rq, &err, r);
        return send_page(c, rq, "/v1/approvals", limit, "", out);
    }
    case R_DECISION:
        if (integration)
            return send_error(c, rq, 403, NULL, "an integration token cannot decide approvals");
        return route_decision(sv, c, rq, id, role);
    case R_ACCEPT:
        if (integration)
            return send_error(c, rq, 403, NULL, "an integration token cannot record an acceptance");
        return route_accept(sv, c, rq, id, role);
    case R_EVENTS:
        return route_events(sv, c, rq);
    case R_WEBHOOKS:
    case R_WEBHOOK:
    case R_DELIVERIES:
    case R_REPLAY:
        if (!admin)
            return send_error(c, rq, 403, NULL, "webhooks are managed with an admin token, not %s",
                              role);
        return route_webhooks(sv, c, rq, id, post);
    default:
        return send_error(c, rq, 404, NULL, "no such route");
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    struct server *sv = cls;
    struct req *rq = *con_cls;
    if (!rq || !rq->counted) { /* the head is whole (rq was made with the request line) */
        if (!rq && !(rq = on_uri(sv, "", c)))
            return MHD_NO;
        atomic_fetch_add(&sv->in_flight, 1);
        rq->counted = true;
        *con_cls = rq;
        conn_set(sv, c, C_BODY);
        check_head(c, version, rq);
        if (rq->reject) /* answered now; a body is not read */
            return send_error(c, rq, rq->reject, NULL, "%s", rq->reject_msg);
        return MHD_YES;
    }
    if (rq->reject) { /* answered already: what follows is not read */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big && rq->body.len + *upload_size <= BODY_MAX) {
            if (dw_buf_append(&rq->body, upload, *upload_size) < 0)
                return MHD_NO;
        } else {
            rq->too_big = true;
            dw_buf_release(&rq->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (!conn_set(sv, c, C_HANDLING)) /* cut: its client was answered 408 or 503 */
        return MHD_NO;
    return dispatch(sv, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)toe;
    struct server *sv = cls;
    struct req *rq = *con_cls;
    conn_set(sv, c, C_HEAD); /* a kept-alive connection's next head has its deadline */
    if (!rq)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = ci ? ci->http_status : 0;
    if (!status && !rq->counted) { /* a head never finished: not a request to count or log */
        free(rq);
        *con_cls = NULL;
        return;
    }
    int64_t us = mono_us() - rq->start_us;
    for (size_t k = 0; k < N_STATUS; k++)
        if (status_codes[k] == status)
            atomic_fetch_add(&sv->requests[rq->route][k], 1);
    size_t b = 0;
    while (b < N_BUCKETS && (double)us / 1e6 > latency_buckets[b])
        b++;
    atomic_fetch_add(&sv->latency[b], 1);
    atomic_fetch_add(&sv->latency_sum_us, (uint64_t)us);
    atomic_fetch_add(&sv->latency_count, 1);
    /* The request log: route, status, user, time; never bodies, ids of people or tokens. */
    if (rq->route != R_HEALTHZ && rq->route != R_READYZ && rq->route != R_METRICS) {
        char at[32];
        fprintf(stderr, "%s request route=%s status=%u user=%s us=%lld\n",
                dw_time_format(sv->worker_engine ? dw_engine_now(sv->worker_engine)
                                                 : dw_clock_now(NULL),
                               at, sizeof at),
                route_names[rq->route], status, rq->user, (long long)us);
    }
    if (rq->counted)
        atomic_fetch_sub(&sv->in_flight, 1);
    dw_buf_release(&rq->body);
    free(rq);
    *con_cls = NULL;
}

/* ---- the control plane's worker ----------------------------------------------------- */

/* Between two committed batches of agent steps: while lead posts wait for the write lock,
 * let them have it first (up to 100 ms), so that a post waits for at most the batch in
 * progress, not for a whole run. */
static void worker_yield(void *ud, int64_t done, int64_t total, int64_t steps) {
    (void)done, (void)total;
    struct server *sv = ud;
    /* the metric counts steps as they happen, not when a long pass ends */
    if (steps > sv->run_steps_counted) {
        atomic_fetch_add(&sv->worker_steps, (uint64_t)(steps - sv->run_steps_counted));
        sv->run_steps_counted = steps;
    }
    pthread_mutex_lock(&sv->group_mu);
    for (int i = 0; i < 20 && (sv->group_head || sv->group_busy) && !atomic_load(&sv->stopping);
         i++) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 5 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&sv->group_cv, &sv->group_mu, &until);
    }
    pthread_mutex_unlock(&sv->group_mu);
}

static void *worker_main(void *arg) {
    struct server *sv = arg;
    while (!atomic_load(&sv->stopping)) {
        /* small batches: a request that writes waits for at most one */
        struct dw_run_opts opts = {.no_wait = true,
                                   .batch = 8,
                                   .progress = worker_yield,
                                   .progress_ud = sv,
                                   .stop = &sv->hook_stop};
        struct dw_run_stats st = {0};
        struct dw_error err = {0};
        sv->run_steps_counted = 0;
        int r = dw_run(sv->worker_engine, &opts, &st, &err);
        atomic_fetch_add(&sv->worker_passes, 1);
        if (r < 0) {
            atomic_fetch_add(&sv->worker_errors, 1);
            char buf[1024];
            fprintf(stderr, "dealwright serve: control plane: %s\n",
                    dw_error_format(&err, buf, sizeof buf));
        }
        if (st.steps > sv->run_steps_counted)
            atomic_fetch_add(&sv->worker_steps, (uint64_t)(st.steps - sv->run_steps_counted));
        atomic_fetch_add(&sv->worker_failures, (uint64_t)st.failures);
        dw_run_stats_release(&st);
        pthread_mutex_lock(&sv->worker_mu);
        if (!sv->kick && !atomic_load(&sv->stopping)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1; /* deals whose retry time came, and leads from the CLI */
            pthread_cond_timedwait(&sv->worker_cv, &sv->worker_mu, &until);
        }
        sv->kick = false;
        pthread_mutex_unlock(&sv->worker_mu);
    }
    return NULL;
}

/* Webhooks: a pass every half second on an engine of its own, so that a slow receiver
 * delays neither requests nor agent steps. A pass reads committed events only. */
static void *hook_main(void *arg) {
    struct server *sv = arg;
    while (!atomic_load(&sv->stopping)) {
        struct dw_webhook_stats st = {0};
        struct dw_error err = {0};
        int r = dw_webhook_deliver(sv->hook_engine, &sv->hook_opts, &st, &err);
        atomic_fetch_add(&sv->hook_delivered, (uint64_t)st.delivered);
        atomic_fetch_add(&sv->hook_failed, (uint64_t)st.failed);
        atomic_fetch_add(&sv->hook_dead, (uint64_t)st.dead);
        if (r < 0) {
            char buf[1024];
            fprintf(stderr, "dealwright serve: webhooks: %s\n",
                    dw_error_format(&err, buf, sizeof buf));
        }
        for (int i = 0; i < 5 && !atomic_load(&sv->stopping); i++)
            usleep(100 * 1000);
    }
    return NULL;
}

/* libmicrohttpd's own messages (a client gone mid-request, a head refused), at most 10 a
 * second: a flood of bad connections must not become a flood of log lines. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap);
static void mhd_log(void *cls, const char *fmt, va_list ap) {
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

static void close_engines(struct server *sv) {
    dw_engine_close(sv->worker_engine);
    sv->worker_engine = NULL;
    dw_engine_close(sv->hook_engine);
    sv->hook_engine = NULL;
    for (int i = 0; i < READERS; i++) {
        dw_engine_close(sv->readers[i].e);
        sv->readers[i].e = NULL;
    }
}

/* ---- the command -------------------------------------------------------------------- */

static int parse_listen(const char *s, struct sockaddr_in *sa) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    const char *colon = strrchr(s, ':');
    if (!colon)
        return -1;
    char host[64];
    size_t hl = (size_t)(colon - s);
    if (hl >= sizeof host)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (!*host)
        snprintf(host, sizeof host, "0.0.0.0");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

/* listen(2), here where cmd_serve's --listen option does not hide it */
static int start_listening(int fd) {
    return listen(fd, 1024);
}

int cmd_serve(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *listen = cli_opt(&argc, argv, "--listen", &bad);
    const char *rate = cli_opt(&argc, argv, "--rate", &bad);
    const char *attempts = cli_opt(&argc, argv, "--webhook-attempts", &bad);
    const char *backoff = cli_opt(&argc, argv, "--webhook-backoff-ms", &bad);
    const char *max_conns = cli_opt(&argc, argv, "--max-connections", &bad);
    const char *per_addr = cli_opt(&argc, argv, "--per-address", &bad);
    const char *head_timeout = cli_opt(&argc, argv, "--header-timeout", &bad);
    (void)argv;
    if (bad || argc != 0)
        return cli_usage("usage: dealwright serve [--listen HOST:PORT] [--rate N] "
                         "[--max-connections N] [--per-address N] [--header-timeout S] "
                         "[--webhook-attempts N] [--webhook-backoff-ms MS]");
    struct {
        const char *opt, *val;
        unsigned def, lo, hi;
        unsigned v;
    } lim[] = {{"--max-connections", max_conns, CONN_MAX, 16, 16384, 0},
               {"--per-address", per_addr, CONN_PER_ADDR, 1, 16384, 0},
               {"--header-timeout", head_timeout, HEAD_TIMEOUT, 1, 3600, 0}};
    for (size_t i = 0; i < DW_ARRAY_SIZE(lim); i++) {
        lim[i].v = lim[i].def;
        if (!lim[i].val)
            continue;
        char *end;
        errno = 0;
        long v = strtol(lim[i].val, &end, 10);
        if (errno || *end || end == lim[i].val || v < (long)lim[i].lo || v > (long)lim[i].hi)
            return cli_usage("%s: expected a number from %u to %u, got '%s'", lim[i].opt, lim[i].lo,
                             lim[i].hi, lim[i].val);
        lim[i].v = (unsigned)v;
    }
    struct dw_webhook_opts hook_opts = {0};
    int u = cli_webhook_opts("--webhook-", attempts, backoff, &hook_opts);
    if (u)
        return u;
    struct sockaddr_in sa;
    if (parse_listen(listen ? listen : "127.0.0.1:8080", &sa) < 0)
        return cli_usage("--listen: expected an IPv4 address and port (127.0.0.1:8080), got "
                         "'%s'",
                         listen);
    double per_sec = 50;
    if (rate) {
        char *end;
        per_sec = strtod(rate, &end);
        if (*end || end == rate || per_sec < 0 || per_sec > 1e7)
            return cli_usage("--rate: requests per second per token (0 = no limit), got '%s'",
                             rate);
    }
    struct server *sv = calloc(1, sizeof *sv);
    if (!sv)
        return EXIT_INTERNAL;
    sv->api = cli->engine;
    sv->hook_opts = hook_opts;
    sv->hook_opts.stop = &sv->hook_stop;
    sv->rate = per_sec;
    sv->burst = per_sec * 2 < 10 ? 10 : per_sec * 2;
    sv->conn_max = lim[0].v;
    sv->per_addr = lim[1].v;
    sv->head_timeout = lim[2].v;
    pthread_mutex_init(&sv->conn_mu, NULL);
    pthread_mutex_init(&sv->api_mu, NULL);
    pthread_mutex_init(&sv->worker_mu, NULL);
    pthread_mutex_init(&sv->rate_mu, NULL);
    pthread_cond_init(&sv->worker_cv, NULL);
    pthread_mutex_init(&sv->group_mu, NULL);
    pthread_cond_init(&sv->group_cv, NULL);
    sv->group_tail = &sv->group_head;

    /* a descriptor per connection, and some for the store: raise the soft limit as far as
     * the hard one allows (1,024 is a common soft limit) */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < (rlim_t)sv->conn_max + 256) {
        nofile.rlim_cur =
            nofile.rlim_max == RLIM_INFINITY || nofile.rlim_max > (rlim_t)sv->conn_max + 256
                ? (rlim_t)sv->conn_max + 256
                : nofile.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &nofile) != 0)
            getrlimit(RLIMIT_NOFILE, &nofile);
        /* Fewer descriptors than connections: the cap follows the descriptors, keeping
         * FD_RESERVE for the store, the webhooks and the gate's spare, so that a connection
         * past it is answered 503 instead of waiting unaccepted, and a request in progress
         * never finds the store without a descriptor. */
        if (nofile.rlim_cur < (rlim_t)sv->conn_max + FD_RESERVE) {
            if (nofile.rlim_cur < (rlim_t)FD_RESERVE + 16) {
                fprintf(stderr,
                        "dealwright serve: only %llu file descriptors (ulimit -n); at least %u "
                        "are needed\n",
                        (unsigned long long)nofile.rlim_cur, FD_RESERVE + 16);
                free(sv);
                return EXIT_INTERNAL;
            }
            fprintf(stderr,
                    "dealwright serve: only %llu file descriptors (ulimit -n): at most %llu "
                    "connections instead of %u\n",
                    (unsigned long long)nofile.rlim_cur,
                    (unsigned long long)(nofile.rlim_cur - FD_RESERVE), sv->conn_max);
            sv->conn_max = (unsigned)(nofile.rlim_cur - FD_RESERVE);
        }
    }

    struct dw_error err = {0};
    struct dw_diags diags = {0};
    int r = cli_engine_open(cli, cli->workspace, &sv->worker_engine, &diags, &err);
    dw_diags_release(&diags);
    if (r >= 0) {
        r = cli_engine_open(cli, cli->workspace, &sv->hook_engine, &diags, &err);
        dw_diags_release(&diags);
    }
    for (int i = 0; r >= 0 && i < READERS; i++) {
        pthread_mutex_init(&sv->readers[i].mu, NULL);
        r = cli_engine_open(cli, cli->workspace, &sv->readers[i].e, &diags, &err);
        dw_diags_release(&diags);
    }
    if (r < 0) {
        close_engines(sv);
        free(sv);
        return cli_fail(&err, r);
    }

    /* Signals go to the thread that waits for them, not to the server's threads. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A thread per connection: glibc would give the threads up to 8 malloc arenas per core,
     * each keeping its own high-water mark, and the heap creeps up for a long time under
     * steady load (make soak: +17 % in five minutes). Two per core keeps it flat at the
     * same throughput (docs/internals/server.md "Soak"). */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    mallopt(M_ARENA_MAX, (int)(cpus < 1 ? 2 : cpus > 4 ? 8 : 2 * cpus));

    /* The listening socket is the server's own: the gate accepts and hands connections to
     * libmicrohttpd once their first head is whole. */
    int one = 1;
    sv->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sv->listen_fd < 0 ||
        setsockopt(sv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(sv->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        start_listening(sv->listen_fd) < 0) {
        fprintf(stderr, "dealwright: cannot listen on %s: %s\n", listen ? listen : "127.0.0.1:8080",
                strerror(errno));
        if (sv->listen_fd >= 0)
            close(sv->listen_fd);
        close_engines(sv);
        free(sv);
        return EXIT_INTERNAL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
            MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC,
        0, on_accept, sv, on_request, sv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        sv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, sv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_CONNECTION_LIMIT, sv->conn_max,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT, MHD_OPTION_END);
    sv->mhd = d;
    if (!d) {
        close(sv->listen_fd);
        fprintf(stderr, "dealwright: cannot listen on %s: %s\n", listen ? listen : "127.0.0.1:8080",
                strerror(errno));
        close_engines(sv);
        free(sv);
        return EXIT_INTERNAL;
    }
    if (pthread_create(&sv->worker, NULL, worker_main, sv) != 0) {
        MHD_stop_daemon(d);
        close_engines(sv);
        free(sv);
        return EXIT_INTERNAL;
    }
    if (pthread_create(&sv->hook_worker, NULL, hook_main, sv) != 0) {
        atomic_store(&sv->stopping, true);
        kick_worker(sv);
        pthread_join(sv->worker, NULL);
        MHD_stop_daemon(d);
        close_engines(sv);
        free(sv);
        return EXIT_INTERNAL;
    }
    bool watching = pthread_create(&sv->watchdog, NULL, watchdog_main, sv) == 0;
    if (!watching || pthread_create(&sv->gate, NULL, gate_main, sv) != 0) {
        atomic_store(&sv->stopping, true);
        sv->hook_stop = true;
        if (watching)
            pthread_join(sv->watchdog, NULL);
        pthread_join(sv->hook_worker, NULL);
        kick_worker(sv);
        pthread_join(sv->worker, NULL);
        MHD_stop_daemon(d);
        close(sv->listen_fd);
        close_engines(sv);
        free(sv);
        return EXIT_INTERNAL;
    }
    struct sockaddr_in bound = sa;
    socklen_t bl = sizeof bound;
    getsockname(sv->listen_fd, (struct sockaddr *)&bound, &bl);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    printf("dealwright serving on http://%s:%u (API at /v1, description at "
           "/v1/openapi.json)\n",
           host, ntohs(bound.sin_port));
    fflush(stdout);

    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "dealwright serve: %s: finishing requests and agent steps in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    atomic_store(&sv->stopping, true);
    sv->hook_stop = true;         /* a pass ends after the delivery in flight */
    pthread_join(sv->gate, NULL); /* no new connections: it closes the listening socket */
    cut_arriving(sv);
    kick_worker(sv);
    for (int i = 0; i < 1000 && atomic_load(&sv->in_flight) > 0; i++)
        usleep(10 * 1000);
    pthread_join(sv->watchdog, NULL); /* before the connections it watches go */
    MHD_stop_daemon(d);
    pthread_join(sv->worker, NULL);
    pthread_join(sv->hook_worker, NULL);
    close_engines(sv);
    free(sv->buckets);
    pthread_mutex_destroy(&sv->conn_mu);
    pthread_mutex_destroy(&sv->api_mu);
    pthread_mutex_destroy(&sv->worker_mu);
    pthread_mutex_destroy(&sv->rate_mu);
    pthread_cond_destroy(&sv->worker_cv);
    pthread_mutex_destroy(&sv->group_mu);
    pthread_cond_destroy(&sv->group_cv);
    free(sv);
    fprintf(stderr, "dealwright serve: stopped\n");
    return EXIT_OK;
}

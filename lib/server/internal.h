/* The HTTP server's own state and the calls its files share (docs/internals/server.md).
 *
 * Threads. A gate thread (conn.c) accepts connections and hands each to libmicrohttpd once
 * its first request head is whole; libmicrohttpd runs a thread per connection. An engine
 * is used by one thread at a time, so the requests that write share one engine (`api`)
 * under a mutex — SQLite has one writer at a time anyway — with lead posts group-committed
 * (leadq.c); reads take one of READERS engines of their own. The control plane's worker,
 * the webhook sender and the event pump run on engines of their own (runtime.h). Every
 * engine shares the one workspace snapshot loaded at start. `dealwright` commands run from
 * the shell share the store in the same way (the store serialises writers with BEGIN
 * IMMEDIATE).
 *
 * Files: server.c starts and stops; http.c is libmicrohttpd's glue (responses, request
 * input, request heads, the request log); conn.c the connection policy and the gate;
 * auth.c tokens and the rate limit; routes.c the route table, dispatch and the handlers;
 * sse.c event streams; metrics.c /metrics. */
#ifndef DW_SERVER_INTERNAL_H
#define DW_SERVER_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "base/base.h"
#include "base/trace.h"
#include "workspace/workspace.h"
#include <dealwright/dealwright.h>
#include "server/runtime.h"

#define BODY_MAX (1u << 20) /* request body */
/* A mail posted to /v1/leads (message/rfc822) may be as large as a mail the intake reads
 * (DW_MAIL_MAX_BYTES: a buyer's RFP with its PDF attached); the bodies of such posts held
 * at once are limited together, past which a post is answered 503 with Retry-After. */
#define MAIL_BODIES_MAX (64u << 20)
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
#define PUMP_INTERVAL_MS 100    /* the event pump reads the log this often while streams wait */
#define READERS 4               /* engines for reads */

/* ---- the route table (routes.c) ------------------------------------------------------ */

struct server;
struct req;
typedef enum MHD_Result (*route_fn)(struct server *sv, struct MHD_Connection *c, struct req *rq);

/* Who may call a route. */
enum perm {
    P_PUBLIC, /* no token: holds no personal data */
    P_TOKEN,  /* any valid token */
    P_LEADS,  /* an integration or an admin */
    P_PERSON, /* a person's token (not an integration) */
    P_ADMIN,  /* an admin */
};

/* One route: every fact about it is here, and the dispatch, the permission check, the
 * 405's Allow, the metrics' `route` label, the request log and the OpenAPI coverage test
 * are derived from the table. A path segment {NAME} is a parameter: {id} an id of the
 * kind `id` says ('D' deal, 'A' approval, 'W' webhook, 'Y' delivery), {r1} and {r2} quote
 * revisions, {file} a file of the console. */
struct route {
    const char *method; /* "GET" (HEAD too), "POST" or "DELETE" */
    const char *path;   /* as the OpenAPI document names it */
    route_fn fn;
    enum perm perm;
    const char *label;  /* metrics' route label and the request log's */
    const char *action; /* what the permission is needed for, in the 403's message */
    char id;            /* the kind of {id} */
    bool undocumented;  /* not part of the API's description (the console's files) */
};
extern const struct route srv_routes[];
extern const size_t srv_n_routes;
/* The distinct labels, in table order ("unknown" first): the metrics' rows. */
extern const char *srv_labels[];
extern size_t srv_n_labels;
void srv_routes_init(void);

/* ---- state ----------------------------------------------------------------------------- */

static const unsigned status_codes[] = {200, 201, 202, 400, 401, 403, 404, 405,
                                        408, 409, 413, 414, 429, 431, 500, 503};
#define N_STATUS (sizeof status_codes / sizeof status_codes[0])
static const double latency_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                         0.025,  0.05,  0.1,    0.5,   1.0};
#define N_BUCKETS (sizeof latency_buckets / sizeof latency_buckets[0])
#define LABELS_MAX 32

struct bucket {
    int64_t token; /* 0 = free */
    double level;
    int64_t last_us;
};

/* A connection as the connection policy sees it (docs "Connections"). */
enum conn_state { C_GATE, C_HEAD, C_BODY, C_HANDLING, C_CUT };
struct conn {
    int fd;
    struct in6_addr addr; /* the peer; IPv4 as ::ffff:a.b.c.d */
    enum conn_state state;
    int64_t since_us;       /* when the state began */
    unsigned prev_requests; /* answered on this connection */
    uint64_t wire; /* bytes of the requests so far (srv_gate_next); UINT64_MAX: not known */
    struct conn *prev, *next;
};

struct reader {
    struct dw_engine *e;
    pthread_mutex_t mu;
};

struct server {
    struct dw_server_opts opts;
    char url[80];
    struct dw_engine *api; /* writes */
    bool api_owned;        /* opened here (else the caller's) */
    pthread_mutex_t api_mu;
    struct reader readers[READERS];
    atomic_uint next_reader;
    struct dw_engine *worker_engine, *hook_engine, *pump_engine;
    struct dw_engine *mail_engine; /* the mail sender's, when the workspace has a relay */
    struct dw_mailer *mailer;
    struct dw_leadq *leadq;
    struct dw_worker *worker;
    struct dw_hooks *hooks;
    struct dw_pump *pump;
    struct dw_relay *relay; /* with --events: the publisher and webhook consumer over NATS */
    atomic_bool stopping;
    atomic_int in_flight;
    atomic_size_t mail_bytes; /* the bodies of mails posted as leads, held now */
    /* metrics, by label */
    atomic_uint_fast64_t requests[LABELS_MAX][N_STATUS];
    atomic_uint_fast64_t latency[N_BUCKETS + 1]; /* cumulative at export, +Inf last */
    atomic_uint_fast64_t latency_sum_us, latency_count;
    atomic_uint_fast64_t events_sent;
    /* rate limit: a token bucket per API token, in a table keyed by the token's id */
    double rate, burst;
    pthread_mutex_t rate_mu;
    struct bucket *buckets;
    size_t n_buckets, cap_buckets; /* cap a power of two, or 0 */
    /* connection policy */
    pthread_mutex_t conn_mu;
    struct conn *conns;
    struct handoff { /* a connection the gate gave libmicrohttpd, until it starts */
        int fd;
        uint64_t wire;
        struct handoff *next;
    } * handoff;
    unsigned n_conns, conn_max, per_addr, head_timeout;
    atomic_uint_fast64_t conns_refused, conns_cut;
    pthread_t watchdog, gate;
    bool watching, gating;
    /* the gate's buffers, made before its thread starts (srv_gate_prepare) so that running
     * out of memory is an error of dw_server_start, not something the thread must handle */
    struct pollfd *gate_pfd;
    struct conn **gate_pend;
    char *gate_buf;
    int listen_fd;
    struct MHD_Daemon *mhd;
};

/* One request in progress. */
struct req {
    struct dw_buf body;
    bool too_big;
    size_t body_max; /* BODY_MAX, or DW_MAIL_MAX_BYTES for a mail posted as a lead */
    bool mail_body;  /* its bytes count against the server's mail_bytes */
    bool mail_busy;  /* refused: the mails held at once would pass MAIL_BODIES_MAX */
    char link[160];  /* a list's next page (Link header), when there is one */
    unsigned reject; /* a status the request's head earned (0 = none), with its message */
    char reject_msg[120];
    int64_t start_us;
    const struct route *route; /* NULL: none matched */
    char user[80];
    bool counted;
    bool keep_alive; /* HTTP/1.1 without Connection: close */
    char allow[64];  /* a 405's Allow */
    /* what the route matched and the token said */
    int64_t id;
    int rev_from, rev_to;
    const char *file;
    const char *token; /* a buyer's page link ({token}) */
    const char *role;
    bool integration, admin;
    char path[256];       /* the path, split in place */
    struct dw_span *span; /* the request's span (docs/internals/tracing.md), NULL: no tracer */
};

/* ---- http.c ---------------------------------------------------------------------------- */

int64_t srv_mono_us(void);
/* A reader engine, locked: a free one if there is one, else wait for one in turn. */
struct reader *srv_reader_get(struct server *sv);
void srv_reader_put(struct reader *r);
enum MHD_Result srv_send_text(struct MHD_Connection *c, struct req *rq, unsigned status,
                              const char *type, char *text /* freed */, size_t len);
enum MHD_Result srv_send_json(struct MHD_Connection *c, struct req *rq, unsigned status,
                              const json_t *j);
/* {"error": {"code", "message", "field"?}} */
enum MHD_Result srv_send_error(struct MHD_Connection *c, struct req *rq, unsigned status,
                               const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
enum MHD_Result srv_send_dw_error(struct MHD_Connection *c, struct req *rq,
                                  const struct dw_error *err, int r);
const char *srv_status_code_name(unsigned status);
/* A list route's ?limit=N&after=CURSOR (docs "Pages"); -1 with a 400 queued in *res. */
int srv_page_args(struct MHD_Connection *c, struct req *rq, int *limit, const char **after,
                  enum MHD_Result *res);
enum MHD_Result srv_send_page(struct MHD_Connection *c, struct req *rq, const char *path, int limit,
                              const char *filter, const json_t *page);
/* The body as a JSON object; on failure an error response has been queued (*ret NULL). */
enum MHD_Result srv_body_json(struct MHD_Connection *c, struct req *rq, bool required,
                              json_t **ret);
void *srv_on_uri(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls);
void srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe);
void srv_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* ---- conn.c ---------------------------------------------------------------------------- */

enum MHD_Result srv_on_accept(void *cls, const struct sockaddr *addr, socklen_t len);
void srv_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
unsigned srv_conns_open(struct server *sv);
/* false when the connection has been cut (its client was told 408 or 503) */
bool srv_conn_set(struct server *sv, struct MHD_Connection *c, enum conn_state st);
void srv_cut_arriving(struct server *sv);
void *srv_watchdog_main(void *arg);
/* The gate's buffers: made before its thread starts (-DW_ENOMEM), freed by the thread when
 * it ends or by srv_gate_release when it never started. */
int srv_gate_prepare(struct server *sv);
void srv_gate_release(struct server *sv);
void *srv_gate_main(void *arg);
void srv_gate_next(struct server *sv, struct MHD_Connection *c);

/* ---- auth.c ---------------------------------------------------------------------------- */

const char *srv_bearer_secret(struct MHD_Connection *c);
/* The bearer token's {id, user, role}, or NULL with a 401 queued in *ret_result. */
json_t *srv_authenticate(struct server *sv, struct MHD_Connection *c, struct req *rq,
                         enum MHD_Result *ret_result);
bool srv_rate_take(struct server *sv, int64_t token);
bool srv_rate_take_cost(struct server *sv, int64_t token, double cost);

/* ---- routes.c, sse.c, metrics.c ------------------------------------------------------- */

enum MHD_Result srv_dispatch(struct server *sv, struct MHD_Connection *c, const char *url,
                             const char *method, struct req *rq);
/* After a write: the worker and the event streams look at once. */
void srv_wrote(struct server *sv);
enum MHD_Result srv_route_events(struct server *sv, struct MHD_Connection *c, struct req *rq);
enum MHD_Result srv_route_metrics(struct server *sv, struct MHD_Connection *c, struct req *rq);
/* buyer.c: the buyer's page (/p/{token}) and the staff's routes for its links */
enum MHD_Result srv_route_buyer_page(struct server *sv, struct MHD_Connection *c, struct req *rq);
enum MHD_Result srv_route_buyer_post(struct server *sv, struct MHD_Connection *c, struct req *rq);
enum MHD_Result srv_route_links_create(struct server *sv, struct MHD_Connection *c, struct req *rq);
enum MHD_Result srv_route_links(struct server *sv, struct MHD_Connection *c, struct req *rq);
enum MHD_Result srv_route_links_revoke(struct server *sv, struct MHD_Connection *c, struct req *rq);
/* The index in srv_labels of a request's label (0: unknown). */
size_t srv_label_index(const struct route *r);

#endif

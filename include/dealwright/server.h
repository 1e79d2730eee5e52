/* dealwright — the HTTP server as a library module (docs/internals/server.md).
 *
 * A program that embeds the server fills a struct dw_server_opts and either calls
 * dw_server_run, which serves until SIGTERM or SIGINT (what `dealwright serve` does), or
 * dw_server_start and later dw_server_stop, to serve while it does other work. The server
 * answers the JSON API of docs/internals/server.md and runs the control plane behind it:
 * the agents' worker, the webhook sender, the group commit of lead posts and the event pump
 * that wakes event streams. Every route calls the public API; no business rule lives here.
 *
 * The server opens the workspace once: every engine it uses (writes, reads, the worker, the
 * webhook sender, the event pump) shares that one immutable snapshot, each with a
 * connection of its own to the store. */
#ifndef DEALWRIGHT_SERVER_H
#define DEALWRIGHT_SERVER_H

#include <jansson.h> /* size_t */
#include <stdbool.h>
#include <stdint.h>

#include <dealwright/export.h>

struct dw_smtp_auth; /* mail.h */

struct dw_engine;
struct dw_error;
struct dw_server;

/* A file served as it is (the browser console's). */
struct dw_server_file {
    const char *path; /* relative: "index.html", "app.js" */
    const unsigned char *data;
    size_t len;
};

struct dw_server_opts {
    const char *workspace; /* the workspace folder */
    const char *db;        /* the store; NULL: WORKSPACE/.dealwright/state.db */
    /* An engine the caller opened on workspace and db, or NULL. When given, the server
     * writes with it and opens its other engines on its snapshot (no second load); it stays
     * the caller's, who closes it after dw_server_stop. */
    struct dw_engine *engine;
    const char *listen;         /* "HOST:PORT", IPv4 ("localhost", "" = any), or "[IPv6]:PORT"
                                 * (IPv6 only: "[::]" is not also 0.0.0.0); port 0 picks a free
                                 * one; NULL: "127.0.0.1:8080" */
    double rate;                /* requests per second per token (burst twice that, at least 10);
                                 * 0: no limit */
    unsigned max_connections;   /* 16-16384; 0: 1024 */
    unsigned per_address;       /* connections from one address; 0: 64 */
    unsigned header_timeout;    /* seconds to send a request's head; 0: 10 */
    int webhook_attempts;       /* a delivery is dead after this many; 0: 8 */
    int64_t webhook_backoff_ms; /* the first retry's wait; 0: 1000 */
    /* The SMTP relay's credentials (mail.h) for the mail sender, which runs when the
     * workspace has mail.smtp; NULL: none. The strings stay the caller's until the server
     * stops. */
    const struct dw_smtp_auth *smtp_auth;
    /* The OpenAPI document served at /v1/openapi.json (NUL-terminated JSON; NULL: 404). */
    const char *openapi;
    /* The browser console served at / and /console/FILE (none when n_console is 0). */
    const struct dw_server_file *console;
    size_t n_console;
    /* Events across processes (docs/internals/events-nats.md): "nats://HOST:PORT" of a NATS
     * server with JetStream, or NULL for the single-machine path. With it, committed events
     * are published to the stream DEALWRIGHT, webhooks are delivered from the consumer every
     * instance shares, and event streams read the stream. */
    const char *events;
    /* An API-only server: no control plane in it; separate workers (dw_worker_run) run the
     * agents on the same store. */
    bool no_worker;
};

/* Check the options without starting anything: 0, or -DW_EINVAL with the option named in
 * err->field ("listen", "max_connections", ...). */
DW_EXPORT int dw_server_check(const struct dw_server_opts *o, struct dw_error *err);

/* Start serving: open the engines, bind the address and start the threads. A port already
 * in use is -DW_EBUSY ("cannot listen on 127.0.0.1:8080: Address already in use"): the
 * address is never shared with another process. Signals: the caller decides; SIGPIPE must
 * be ignored (the server writes to sockets a client may have closed). */
DW_EXPORT int dw_server_start(const struct dw_server_opts *o, struct dw_server **ret,
                              struct dw_error *err);
/* "http://HOST:PORT" as bound (the port picked when 0 was asked). */
DW_EXPORT const char *dw_server_url(const struct dw_server *s);
/* Stop and free: no new connections; requests in flight finish (up to 10 s); event streams
 * end; the worker finishes its batch in progress (each batch is its own transaction); then
 * the server's own engines close. NULL is allowed. */
DW_EXPORT void dw_server_stop(struct dw_server *s);

/* Start, call started(url, ud) (may be NULL), serve until SIGTERM or SIGINT, stop. Blocks
 * both signals in the calling thread (the server's threads inherit the mask, so that the
 * signal reaches the thread waiting for it) and ignores SIGPIPE. 0 after a clean stop. */
DW_EXPORT int dw_server_run(const struct dw_server_opts *o,
                            void (*started)(const char *url, void *ud), void *ud,
                            struct dw_error *err);

/* The events relay over NATS JetStream, for a process that runs the control plane without
 * the HTTP server (a worker) or beside it: the outbox publisher and the shared webhook
 * consumer (events.h), each a thread on an engine of its own opened on e's snapshot, until
 * dw_relay_stop. events_url: "nats://HOST:PORT"; o: the delivery rules (NULL: defaults).
 * Errors: -DW_EINVAL for a bad URL (err->field "events"), -DW_EAGAIN when NATS cannot be
 * reached. dw_relay_start is what the server does with dw_server_opts.events. */
struct dw_relay;
struct dw_webhook_opts;
DW_EXPORT int dw_relay_start(struct dw_engine *e, const char *events_url,
                             const struct dw_webhook_opts *o, struct dw_relay **ret,
                             struct dw_error *err);
/* Stop (a delivery in flight finishes) and free; NULL is allowed. */
DW_EXPORT void dw_relay_stop(struct dw_relay *r);
/* ---- workers (docs/internals/scale-out.md) -------------------------------------------
 * A process that only runs the control plane, beside servers and other workers on the
 * same store: concurrency threads, each with its own engine and store connection, claim
 * due deals under a lease (a deal is run by one of them at a time) and run their steps; a
 * heartbeat thread renews the leases every third of lease_ms. A worker killed at any
 * instant leaves its deals to the others when its leases expire; its uncommitted steps are
 * not done and are run again by whoever takes the deal, its committed ones never. */
struct dw_worker_opts {
    const char *workspace;    /* the workspace folder */
    const char *db;           /* the store; NULL: WORKSPACE/.dealwright/state.db */
    struct dw_engine *engine; /* or an engine the caller opened (stays the caller's) */
    unsigned concurrency;     /* threads, 1-64; 0: 1 */
    int lease_ms;             /* 1,000-3,600,000; 0: 30,000 */
    int poll_ms;              /* an idle thread looks for due deals this often; 0: 1,000 */
};
struct dw_worker_totals {
    uint64_t steps, failures, leases_lost, errors;
};
/* Check the options: 0, or -DW_EINVAL naming the field ("concurrency", "lease_ms",
 * "poll_ms"); -DW_EINVAL also for a store without leases. */
DW_EXPORT int dw_worker_check(const struct dw_worker_opts *o, struct dw_error *err);
/* Run until SIGTERM or SIGINT (blocked in the calling thread, as dw_server_run does), then
 * let each thread finish the step in progress, release the leases and return 0, with what
 * was done in *ret (may be NULL). started(ud) is called once the threads run (may be
 * NULL). */
DW_EXPORT int dw_worker_run(const struct dw_worker_opts *o, void (*started)(void *ud), void *ud,
                            struct dw_worker_totals *ret, struct dw_error *err);

#endif

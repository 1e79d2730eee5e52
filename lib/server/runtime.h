/* The parts of a server that are not HTTP: the group commit of lead posts, the control
 * plane's worker, the webhook sender and the event pump. The HTTP server (server.c) is one
 * user; an MCP front or a separate worker process builds on the same calls.
 *
 * Engines. Each part is given an engine of its own (dw_engine_open_shared opens one on an
 * open engine's workspace snapshot, with its own store connection) and uses it from its
 * own thread only; the caller closes the engines after the part is joined. The lead queue
 * writes with an engine the caller shares with other writers under the mutex it names.
 *
 * Stopping is two calls: *_stop asks (it does not block; what is in flight finishes: the
 * worker's batch, the webhook delivery), *_join waits for the thread and frees. Stop every
 * part first, then join them, so that they end together. */
#ifndef DW_SERVER_RUNTIME_H
#define DW_SERVER_RUNTIME_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "base/base.h"
#include "workspace/workspace.h"
#include <dealwright/dealwright.h>

/* ---- the group commit of lead posts --------------------------------------------------
 * Threads that post leads at the same time share one transaction (one fsync): a post queues
 * its lead; whoever finds no commit running takes every queued lead (up to 256) and submits
 * them at once while later posts queue for the next. A lead the library refuses gets its
 * own error and the others are submitted again without it. A post returns only after the
 * transaction holding its lead committed. */
struct dw_leadq;
/* e: the engine that writes, used under *mu (held only around each commit). */
struct dw_leadq *dw_leadq_new(struct dw_engine *e, pthread_mutex_t *mu);
/* One lead (not stolen); *ret as one item of dw_leads_submit's answer. traceparent (may be
 * NULL): the context the lead's trace continues from (dw_leads_submit_traced). */
int dw_leadq_submit(struct dw_leadq *q, json_t *lead, const char *traceparent, json_t **ret,
                    struct dw_error *err);
/* While lead posts wait, wait for them (up to max_ms, or until *stop): a long writer (the
 * worker) calls this between its transactions so that a post waits for one of them at most. */
void dw_leadq_yield(struct dw_leadq *q, int max_ms, const atomic_bool *stop);
void dw_leadq_free(struct dw_leadq *q);

/* ---- the event pump --------------------------------------------------------------------
 * One thread that watches the store's event log for new events and wakes whoever waits for
 * them (event streams, the webhook sender), instead of each polling the store. It reads the
 * log only while someone is subscribed: every interval_ms, or at once after dw_pump_kick (a
 * writer in this process committed events). Writers in other processes (the CLI) are seen
 * within interval_ms. */
struct dw_pump;
struct dw_pump *dw_pump_start(struct dw_engine *e, int interval_ms);
/* A subscriber counts while it may wait; the pump reads the log only while there is one. */
void dw_pump_subscribe(struct dw_pump *p);
void dw_pump_unsubscribe(struct dw_pump *p);
/* The newest event seq the pump has seen (0 before any). */
int64_t dw_pump_last(struct dw_pump *p);
/* Wait until an event newer than after is seen, timeout_ms passes or the pump stops;
 * returns dw_pump_last. */
int64_t dw_pump_wait(struct dw_pump *p, int64_t after, int timeout_ms);
void dw_pump_kick(struct dw_pump *p);
void dw_pump_stop(struct dw_pump *p); /* wakes every waiter */
void dw_pump_join(struct dw_pump *p);

/* ---- the control plane's worker --------------------------------------------------------
 * A thread running dw_run passes (batches of 8 deals, each its own transaction): at once
 * when kicked (a lead arrived, an approval was decided), else every second (deals whose
 * retry time came, leads from the CLI). Between batches it yields to waiting lead posts
 * (q may be NULL) and kicks the pump (may be NULL) so streams see the steps' events. */
struct dw_worker;
struct dw_worker_counts {
    uint64_t steps, failures, passes, errors;
};
struct dw_worker *dw_worker_start(struct dw_engine *e, struct dw_leadq *q, struct dw_pump *pump);
void dw_worker_kick(struct dw_worker *w);
void dw_worker_counts(struct dw_worker *w, struct dw_worker_counts *c);
void dw_worker_stop(struct dw_worker *w);
void dw_worker_join(struct dw_worker *w);

/* ---- the webhook sender ----------------------------------------------------------------
 * A thread running dw_webhook_deliver passes every half second on its own engine, so that a
 * slow receiver delays neither requests nor agent steps. A pass reads committed events
 * only. */
struct dw_hooks;
struct dw_hook_counts {
    uint64_t delivered, failed, dead;
};
struct dw_hooks *dw_hooks_start(struct dw_engine *e, const struct dw_webhook_opts *o);
void dw_hooks_counts(struct dw_hooks *h, struct dw_hook_counts *c);
void dw_hooks_stop(struct dw_hooks *h); /* a pass ends after the delivery in flight */
void dw_hooks_join(struct dw_hooks *h);

/* ---- the mail sender -------------------------------------------------------------------
 * A thread running dw_mail_send_due every second on its own engine (mailer.c), started only
 * when the workspace has an SMTP relay (dw_mail_relay). auth's strings stay the caller's. */
struct dw_mailer;
struct dw_mailer *dw_mailer_start(struct dw_engine *e, const struct dw_smtp_auth *auth);
void dw_mailer_stop(struct dw_mailer *m); /* a pass ends after the message in flight */
void dw_mailer_join(struct dw_mailer *m);

/* ---- the events relay (relay.c; public: dw_relay_start / dw_relay_stop in server.h) -------
 * The outbox publisher and the shared webhook consumer over NATS JetStream, in place of the
 * webhook sender when the server runs with --events. dw_relay_signal asks it to stop (does
 * not block); dw_relay_stop then joins and frees. */
struct dw_events *dw_relay_events(struct dw_relay *r);
void dw_relay_counts(struct dw_relay *r, struct dw_hook_counts *c);
void dw_relay_signal(struct dw_relay *r);

/* ---- stopping (server.c) ---------------------------------------------------------------
 * A process that runs until SIGTERM or SIGINT (serve, worker): dw__stop_signals_block, before
 * any thread starts, blocks both in the caller (so in every thread it starts: they go to the
 * thread that waits) and ignores SIGPIPE; dw__stop_signal_wait then waits for one and
 * returns its name. */
void dw__stop_signals_block(sigset_t *sigs);
const char *dw__stop_signal_wait(const sigset_t *sigs);

#endif

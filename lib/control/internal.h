/* Internal to the control layer: the engine, the gateway state of one step, and the
 * helpers the operations share. Not part of the public API. */
#ifndef DW_CONTROL_INTERNAL_H
#define DW_CONTROL_INTERNAL_H

#include "agents/agent.h"
#include "base/base.h"
#include "engines/extract.h"
#include "workspace/workspace.h"
#include <dealwright/dealwright.h>
#include "store/store.h"

struct dw_engine {
    struct dw_workspace *ws;
    struct dw_store *store;
    struct dw_clock clock;        /* the engine's now (dw__now); the store reads it too */
    char *failpoints;             /* dw_engine_opts.failpoints, NULL: none */
    char *db;                     /* the store it opened (a path or URL): for shared engines */
    struct dw_score_model *model; /* the latest scoring model, loaded on first use */
    int64_t model_version;        /* its version; 0 = none loaded */
    struct dw_models *models;     /* language models' runtime (lib/models/): breakers, keys */
    const char *(*model_key)(void *ud, const char *env_name); /* dw_engine_opts.model_key */
    void *model_key_ud;
    struct dw_tracer *tracer; /* dw_engine_opts.tracer (not owned), NULL: no spans */
};

/* The engine's now: every time the control plane writes or compares. */
static inline dw_time_t dw__now(const struct dw_engine *e) {
    return dw_clock_now(&e->clock);
}

/* The latest scoring model (lib/control/scoring.c): *ret is NULL when none was trained.
 * Reloaded when a newer version appears in the store; the engine owns it. */
struct dw_score_model;
int dw__engine_model(struct dw_engine *e, struct dw_score_model **ret, int64_t *ret_version,
                     struct dw_error *err);
void dw__engine_model_release(struct dw_engine *e);

/* One step's gateway state: the deal row as the step changes it, the calls made. */
struct dw__gateway {
    struct dw_engine *engine;
    struct dw_deal_rec *deal;
    json_t *calls;    /* [{tool, ...}] for the step's audit record */
    bool outcome_set; /* the agent stopped the pipeline */
    enum dw_stage outcome;
    /* Debug builds: [[document, hash]] of every shared document the step was handed, which
     * dw__gateway_check_shared compares after the step (an agent that changed one would
     * change the store's read cache under every later reader). NULL in release builds. */
    json_t *shared;
};

/* Debug builds: abort, naming the agent and document, when the step changed a shared
 * document it was handed (doc_get, quote_get). A no-op when gw->shared is NULL. */
void dw__gateway_check_shared(const struct dw__gateway *gw, const char *agent);

extern const struct dw_tools dw__tools;

/* Recompute a deal's stage and runnable flag from its facts and approvals (does not
 * write). */
int dw__deal_settle(struct dw_engine *e, struct dw_deal_rec *d, struct dw_error *err);
/* The agent the deal needs next, or NULL. */
const struct dw_agent *dw__plan(const struct dw_deal_rec *d, uint32_t effective_facts);
/* facts | CLEARED when every approval of the current quote is granted. */
int dw__effective_facts(struct dw_engine *e, const struct dw_deal_rec *d, uint32_t *ret,
                        bool *ret_pending, struct dw_error *err);

/* A write transaction for an operation (ops.c): begin retries a store busy past SQLite's own
 * wait a few times; end commits when r >= 0 and rolls back otherwise, returning r or the
 * commit's failure. */
int dw__txn_begin(struct dw_engine *e, struct dw_error *err);
int dw__txn_end(struct dw_engine *e, int r, struct dw_error *err);
/* body(e, ud, err) in a write transaction (dw__txn_begin .. dw__txn_end), the whole of it
 * redone, after a short pause, while it ends in -DW_EBUSY (PostgreSQL: a deadlock, a lock
 * waited for past the lock timeout, a lost connection; a conflict no longer waits at begin
 * there), up to DW__TXN_TRIES times. A redo starts from nothing: body must leave nothing
 * outside the transaction that a second call would double (an output it fills, it empties
 * first). */
#define DW__TXN_TRIES 5
int dw__txn_run(struct dw_engine *e,
                int (*body)(struct dw_engine *e, void *ud, struct dw_error *err), void *ud,
                struct dw_error *err);

/* The deal's row; -DW_ENOENT with "no deal D-000042" when there is none. */
int dw__deal_get(struct dw_engine *e, int64_t deal_id, struct dw_deal_rec *d, struct dw_error *err);

/* Append an audit record and an event for a deal in the current transaction. */
int dw__audit(struct dw_engine *e, int64_t deal_id, const char *actor, const char *action,
              json_t *data /* stolen */, struct dw_error *err);
int dw__event(struct dw_engine *e, int64_t deal_id, const char *type, json_t *data /* stolen */,
              struct dw_error *err);
/* Traces (tracing.c): the deal's trace context from its "trace" document (false when there
 * is none or the engine has no tracer), written with its lead; a span's deal id attribute. */
struct dw_trace_ctx;
struct dw_span;
bool dw__deal_trace(struct dw_engine *e, int64_t deal_id, struct dw_trace_ctx *ret);
int dw__deal_trace_put(struct dw_engine *e, int64_t deal_id, const struct dw_trace_ctx *c,
                       struct dw_error *err);
void dw__span_deal(struct dw_span *sp, int64_t deal_id);

/* Update the deal row, emitting deal.stage_changed when the stage moved from `before`. */
int dw__deal_write(struct dw_engine *e, struct dw_deal_rec *d, enum dw_stage before,
                   const char *actor, struct dw_error *err);

/* Paging (dw_deals_page and the others): a list's cursor is its letter and the last id of
 * a page in hex ("d1f4"). cursor_parse gives the id after which the next page starts (0 for
 * none); page_finish trims rows (read with limit + 1) to limit and sets {items, next}. */
int dw__cursor_parse(char list, const char *after, int64_t *ret_id, struct dw_error *err);
int dw__page_limit(int limit, struct dw_error *err);
json_t *dw__page_finish(char list, json_t *rows /* stolen */, int limit);

/* Record the customer's acceptance of `revision` (0: the latest) in the caller's
 * transaction (ops.c): the deal's proposal must be ready and the revision current and not
 * expired. The actor is as_actor when given (the buyer's page), else user:recorder, else
 * operator. signature (may be NULL) is kept in the acceptance document beside `by`. */
int dw__accept(struct dw_engine *e, int64_t deal_id, int revision, const char *recorder,
               const char *as_actor, const char *customer, const json_t *signature,
               struct dw_error *err);

/* May `user` (acting in `role`; NULL: any of their roles) do what a seller does — record an
 * acceptance, send the customer a link to accept: a role of the discount bands. 0 or
 * -DW_EPERM with `what` in the message. */
int dw__may_sell(struct dw_engine *e, const char *user, const char *role, const char *what,
                 struct dw_error *err);

/* The proposal's data for the PDF renderer (channels/document.h) and the proposal document
 * itself (api-documents.c); its HTML, whole page or body only. */
int dw__proposal_data(struct dw_engine *e, int64_t deal_id, json_t **ret_proposal, json_t **ret,
                      struct dw_error *err);
int dw__proposal_html(struct dw_engine *e, const json_t *proposal, const char *deal, bool page,
                      char **ret, size_t *ret_len, struct dw_error *err);

/* One event's webhook deliveries, for the consumer instances share (webhooks.c, events.c). */
int dw__webhook_deliver_event(struct dw_engine *e, const json_t *ev, const json_t *hooks,
                              const struct dw_webhook_opts *o, void (*progress)(void *ud), void *ud,
                              struct dw_webhook_stats *stats, int64_t *ret_retry_ms,
                              struct dw_error *err);

/* The due pending deliveries, each claimed before it is posted (webhooks.c). */
int dw__webhook_sweep(struct dw_engine *e, const struct dw_webhook_opts *o,
                      struct dw_webhook_stats *stats, struct dw_error *err);

#endif

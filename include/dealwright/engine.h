/* dealwright — the engine: an immutable workspace snapshot plus an open store, and the
 * control plane that runs the agents on its deals.
 *
 * Every operation that changes state runs in one transaction: it either happens whole,
 * with its events and audit records, or not at all. Errors: 0 on success, a negative DW_E*
 * code on failure, detail in the caller's struct dw_error. Returned json_t are new
 * references the caller owns. An engine is used by one thread at a time; open one per
 * thread. */
#ifndef DEALWRIGHT_ENGINE_H
#define DEALWRIGHT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/util.h>
#include <dealwright/workspace.h>

struct dw_engine;

/* How an engine is opened (all zero: the defaults). The library reads no environment
 * variable and changes no process-wide setting: a surface that wants DW_NOW, DW_FAILPOINTS
 * or DW_DB reads them itself and puts them here (the CLI does). */
struct dw_engine_opts {
    /* Where the state lives: a path or a URL (PATH, sqlite:PATH, sqlite:///abs/path;
     * postgres://... is reserved and refused in this version). NULL:
     * WS_ROOT/.dealwright/state.db. */
    const char *db;
    /* 0: the wall clock. Else every "now" of this engine is this instant (seconds since the
     * epoch): record times, validity, slots, rules' `now`, retry times. Tests and the demo
     * pin time; dw_engine_pin_clock() moves it. */
    dw_time_t now_pin;
    /* Testing: "agent=N,agent=fatal" makes the named agent's first N attempts of a step fail
     * transiently (or every one fail permanently), to exercise retries and parking end to
     * end. NULL: none. Copied. */
    const char *failpoints;
    /* The key of a language-model provider: the value of the environment variable that
     * models.yaml names in key_env, or NULL when it is unset. The library reads no
     * environment, so a surface that lets agents use models resolves keys here (the CLI
     * calls getenv). NULL: no provider gets a key. The engine keeps the pointers. */
    const char *(*model_key)(void *ud, const char *env_name);
    void *model_key_ud;
};

/* Load and validate the workspace at ws_root and open the store opts->db (opts may be
 * NULL). An invalid workspace fills diags and returns -DW_EVALIDATE: the engine refuses to
 * work on it. A db URL that names no backend of this build is -DW_EINVAL (field "db"). */
DW_EXPORT int dw_engine_open_opts(const char *ws_root, const struct dw_engine_opts *opts,
                                  struct dw_engine **ret, struct dw_diags *diags,
                                  struct dw_error *err);
/* dw_engine_open_opts() with only opts.db = db_path. */
DW_EXPORT int dw_engine_open(const char *ws_root, const char *db_path, struct dw_engine **ret,
                             struct dw_diags *diags, struct dw_error *err);
/* Pin the engine's clock at now (0: back to the wall clock), for a surface that steps time
 * (scenarios). The engine's store follows. */
DW_EXPORT void dw_engine_pin_clock(struct dw_engine *e, dw_time_t now);
/* The engine's "now". */
DW_EXPORT dw_time_t dw_engine_now(const struct dw_engine *e);
/* Another engine on e's workspace snapshot (not loaded again: the snapshot is immutable and
 * shared, refcounted), with e's clock and failpoints and a store connection of its own on db
 * (NULL: the store e opened): one per thread that works at the same time. Either may be
 * closed first. */
DW_EXPORT int dw_engine_open_shared(struct dw_engine *e, const char *db, struct dw_engine **ret,
                                    struct dw_error *err);
DW_EXPORT void dw_engine_close(struct dw_engine *e);
/* The engine's snapshot (owned by the engine; dw_workspace_ref to keep it longer). */
DW_EXPORT const struct dw_workspace *dw_engine_workspace(const struct dw_engine *e);

/* Run the control plane until nothing is runnable (deals waiting for a retry are waited
 * for, deals waiting for a human are not). only_deal > 0 restricts it to one deal. */
struct dw_run_opts {
    int64_t only_deal;
    int batch;    /* deals per transaction (group commit); 0 = 32 */
    bool no_wait; /* do not sleep for retry backoff: return when only waits remain */
    /* Called after each committed batch: deals finished so far of those runnable when the
     * run started (plus any that became runnable since), and steps run. May be NULL. */
    void (*progress)(void *ud, int64_t deals_done, int64_t deals_total, int64_t steps);
    void *progress_ud;
    /* When set (e.g. by a signal), the run ends after the batch in progress: every batch is
     * its own transaction, so nothing is half done and the next run picks up the rest. */
    const volatile bool *stop;
    /* Leases (docs/internals/scale-out.md): when lease_owner is set, the run claims the
     * deals it runs under a lease of that owner (one per thread of a worker: "host:pid:n"),
     * each step commits only while the lease is still the owner's, a stop ends the run after
     * the step in progress, and every lease is released when the run returns. On a store
     * that many machines share (PostgreSQL) every run leases, with an owner of its own when
     * none is given. lease_ms: the lease's length; 0 = 30 s. */
    const char *lease_owner;
    int lease_ms;
};
struct dw_agent_stats {
    const char *agent;
    int64_t count, failures;
    int64_t *us; /* per-step durations in microseconds (count of them) */
};
struct dw_run_stats {
    int64_t steps, failures, parked, commits;
    int64_t elapsed_us;
    struct dw_agent_stats *agents; /* one per registered agent, registry order */
    size_t n_agents;
    bool keep_samples; /* set before the call to collect per-step durations */
    int64_t leases_lost; /* deals claimed whose lease another worker took before they ran */
};
DW_EXPORT int dw_run(struct dw_engine *e, const struct dw_run_opts *opts,
                     struct dw_run_stats *stats, struct dw_error *err);
DW_EXPORT void dw_run_stats_release(struct dw_run_stats *s);

/* The heartbeat of a worker (docs/internals/scale-out.md): extend every unexpired lease
 * owner holds by lease_ms (0 = 30 s); *ret_held how many, *ret_lost how many of owner's
 * had expired before this (another worker may have taken them). -DW_EINVAL when the store
 * has no leases. */
DW_EXPORT int dw_leases_renew(struct dw_engine *e, const char *owner, int lease_ms,
                              int64_t *ret_held, int64_t *ret_lost, struct dw_error *err);
/* Whether the engine's store has worker leases (several workers may share it), and in
 * *ret_required (may be NULL) whether every control plane on it must lease (PostgreSQL). */
DW_EXPORT bool dw_engine_leases(const struct dw_engine *e, bool *ret_required);

/* The agents of the registry in pipeline order, as the control plane plans with them:
 * [{name, summary, needs, produces, tools: [...]}] (needs and produces are fact names
 * joined by "|"). Needs no workspace. */
DW_EXPORT int dw_agents_list(json_t **ret, struct dw_error *err);

/* Up to max (1..1000) events of the log after seq, oldest first: [{seq, deal_id, type, at,
 * data}]. */
DW_EXPORT int dw_events_since(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                              struct dw_error *err);

/* Lists a page at a time, oldest first: {items: [...], next: CURSOR | null}. after is the
 * `next` of the previous page (NULL or "" for the first); limit 1..DW_PAGE_MAX, 0 for
 * DW_PAGE_DEFAULT. A cursor is opaque (it names the list and where the page ends): another
 * list's or a malformed one is -DW_EINVAL with field "after". Items added while paging
 * appear on a later page; none is skipped or repeated. */
#define DW_PAGE_DEFAULT 1000
#define DW_PAGE_MAX 1000

#endif

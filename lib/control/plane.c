/* The control plane: decide which agent a deal needs next, run it as one atomic step, and
 * keep going until nothing is runnable.
 *
 * Planning is goal-driven and stateless: a deal's facts (what it has) and its approvals say
 * everything; the next agent is the first in the registry whose needs the deal meets and
 * whose products it lacks. Nothing else is remembered between steps, so re-running `run`
 * after a crash simply finds the same next step again.
 *
 * Durability: deals are taken in batches; each batch is one store transaction (one fsync,
 * "group commit"), each step inside it a savepoint. A step's state change, its events and
 * its audit record are in its savepoint together: a failing step rolls back alone and its
 * failure is recorded instead; a crash loses at most the uncommitted batch, which the next
 * run redoes. Transient failures (store busy, -DW_EAGAIN) retry with exponential backoff up
 * to policies.control.max_attempts, then the deal is parked for a person. Other failures
 * park at once: retrying a bug does not fix it.
 *
 * docs/internals/control-plane.md has the full semantics.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/trace.h"
#include "control/internal.h"

#define MAX_STEPS_PER_DEAL 32 /* per batch; a deal normally needs ~10 */
#define BACKOFF_CAP_S 60
#define WAIT_HORIZON_S 300 /* `run` waits for retries due within this, not longer */
#define LEASE_MS_DEFAULT 30000
#define LEASE_WAIT_MS 200 /* a run looks again this often while others hold due deals */

/* ---- audit and events --------------------------------------------------------------- */

int dw__audit(struct dw_engine *e, int64_t deal_id, const char *actor, const char *action,
              json_t *data, struct dw_error *err) {
    _cleanup_json_ json_t *rec =
        json_pack("{s:s,s:s,s:s,s:o}", "actor", actor, "action", action, "ws_hash", e->ws->hash,
                  "data", data ? data : json_object());
    if (!rec)
        return -DW_ENOMEM;
    json_object_set_new(rec, "deal_id", deal_id ? json_integer(deal_id) : json_null());
    /* no seq asked for: a backend may then write the record at commit (PostgreSQL does) */
    return e->store->ops->audit_append(e->store, rec, dw__now(e), NULL, err);
}

int dw__event(struct dw_engine *e, int64_t deal_id, const char *type, json_t *data,
              struct dw_error *err) {
    _cleanup_json_ json_t *d = data ? data : json_object();
    if (!d)
        return -DW_ENOMEM;
    /* the trace the event belongs to, for whoever acts on it (a webhook's receiver) */
    struct dw_span *sp = dw_trace_current();
    if (sp && json_is_object(d)) {
        char tp[DW_TRACEPARENT_SIZE];
        dw_traceparent_format(dw_span_ctx(sp), tp);
        json_object_set_new(d, "traceparent", json_string(tp));
    }
    return e->store->ops->event_append(e->store, deal_id, type, d, dw__now(e), NULL, err);
}

/* ---- planning ----------------------------------------------------------------------- */

static bool stage_held(enum dw_stage s) {
    return s == DW_STAGE_NEEDS_INFO || s == DW_STAGE_DISQUALIFIED || s == DW_STAGE_LOST ||
           s == DW_STAGE_ORDERED;
}

int dw__effective_facts(struct dw_engine *e, const struct dw_deal_rec *d, uint32_t *ret,
                        bool *ret_pending, struct dw_error *err) {
    uint32_t facts = d->facts & ~(uint32_t)DW_FACT_CLEARED;
    bool pending = false;
    if ((facts & (DW_FACT_QUOTE | DW_FACT_CONTRACT)) == (DW_FACT_QUOTE | DW_FACT_CONTRACT)) {
        _cleanup_json_ json_t *list = NULL;
        _cleanup_cjson_ const json_t *quote = NULL; /* only its hash is read */
        int r = e->store->ops->quote_peek(e->store, d->id, 0, &quote, err);
        if (r < 0)
            return r;
        r = e->store->ops->approvals_for_deal(e->store, d->id, &list, err);
        if (r < 0)
            return r;
        /* Only approvals bound to the current revision count: a rejection of an earlier
         * revision was answered by the revision that replaced it. */
        const char *current = dw_json_str(quote, "hash");
        bool blocked = false;
        size_t i;
        json_t *a;
        json_array_foreach(list, i, a) {
            const char *st = dw_json_str(a, "status"), *h = dw_json_str(a, "quote_hash");
            if (!h || !current || strcmp(h, current) != 0)
                continue;
            if (strcmp(st, "pending") == 0)
                pending = blocked = true;
            else if (strcmp(st, "rejected") == 0)
                blocked = true;
        }
        if (!blocked)
            facts |= DW_FACT_CLEARED;
    }
    *ret = facts;
    if (ret_pending)
        *ret_pending = pending;
    return 0;
}

const struct dw_agent *dw__plan(const struct dw_deal_rec *d, uint32_t eff) {
    if (stage_held(d->stage) || d->parked)
        return NULL;
    for (size_t i = 0; i < dw_n_agents; i++) {
        const struct dw_agent *a = dw_agents[i];
        if ((eff & a->needs) == a->needs && (eff & a->produces) != a->produces)
            return a;
    }
    return NULL;
}

static enum dw_stage derive_stage(uint32_t f, bool pending) {
    if (f & DW_FACT_ORDER)
        return DW_STAGE_ORDERED;
    if (pending)
        return DW_STAGE_AWAITING_APPROVAL;
    if ((f & (DW_FACT_PROPOSAL | DW_FACT_SCHEDULE)) == (DW_FACT_PROPOSAL | DW_FACT_SCHEDULE))
        return DW_STAGE_PROPOSAL_READY;
    if (f & DW_FACT_SOLUTION)
        return DW_STAGE_PRICING;
    if (f & DW_FACT_QUALIFIED)
        return DW_STAGE_SCOPING;
    if (f & DW_FACT_INTAKE)
        return DW_STAGE_QUALIFYING;
    return DW_STAGE_NEW;
}

int dw__deal_settle(struct dw_engine *e, struct dw_deal_rec *d, struct dw_error *err) {
    uint32_t eff;
    bool pending;
    d->facts &= ~(uint32_t)DW_FACT_CLEARED; /* derived, never stored */
    int r = dw__effective_facts(e, d, &eff, &pending, err);
    if (r < 0)
        return r;
    bool held = d->stage == DW_STAGE_NEEDS_INFO || d->stage == DW_STAGE_DISQUALIFIED ||
                d->stage == DW_STAGE_LOST;
    if (!held)
        d->stage = derive_stage(eff, pending);
    d->runnable = dw__plan(d, eff) != NULL;
    return 0;
}

/* What a change of the deal's row brings besides the row: its time, and the stage change's
 * event. The caller writes the row (dw__deal_write at once, run_deal once per deal). */
static int deal_changed(struct dw_engine *e, struct dw_deal_rec *d, enum dw_stage before,
                        const char *actor, struct dw_error *err) {
    d->updated_at = dw__now(e);
    if (d->stage == before)
        return 0;
    return dw__event(e, d->id, "deal.stage_changed",
                     json_pack("{s:s,s:s,s:s}", "from", dw_stage_name(before), "to",
                               dw_stage_name(d->stage), "by", actor),
                     err);
}

int dw__deal_write(struct dw_engine *e, struct dw_deal_rec *d, enum dw_stage before,
                   const char *actor, struct dw_error *err) {
    d->updated_at = dw__now(e);
    int r = e->store->ops->deal_update(e->store, d, err);
    return r < 0 ? r : deal_changed(e, d, before, actor, err);
}

/* ---- failpoints ----------------------------------------------------------------------- */

/* Failpoints (dw_engine_opts.failpoints, which the CLI takes from DW_FAILPOINTS):
 * "pricing=2,proposal=fatal" makes the named agent's first N attempts fail transiently (or
 * every attempt fail permanently). This is how the retry and parking paths are tested end to
 * end against the real binary. An engine option rather than a test-only build: the binary
 * tested is the binary shipped, and an engine opened without the option (every embedder,
 * the server) has none — the cost is one NULL check per step. */
static int failpoint(const char *spec, const char *agent, int attempts) {
    if (!spec)
        return 0;
    size_t n = strlen(agent);
    for (const char *p = spec; (p = strstr(p, agent)); p += n) {
        if ((p != spec && p[-1] != ',') || p[n] != '=')
            continue;
        const char *v = p + n + 1;
        if (strncmp(v, "fatal", 5) == 0)
            return -DW_EINTERNAL;
        if (attempts < atoi(v))
            return -DW_EAGAIN;
    }
    return 0;
}

/* ---- one step ----------------------------------------------------------------------- */

struct run_state {
    struct dw_engine *e;
    const struct dw_run_opts *opts;
    struct dw_run_stats *stats;
    const char *failpoints;
    const char *owner; /* the lease owner, NULL when the run does not lease */
    int lease_ms;
    /* Steps that take the store's one shared lock (DW_TOOL_WRITE_SCHEDULE: the slot holds)
     * wait for the batch's second pass (run_batch), so that the lock, held to commit, is
     * held for the end of the batch only, not from the first deal's scheduling on. */
    bool defer_shared;
};

static bool stopping(const struct run_state *rs) {
    return rs->opts->stop && *rs->opts->stop;
}

static void note_sample(struct run_state *rs, const struct dw_agent *a, int64_t us, bool failed) {
    struct dw_run_stats *st = rs->stats;
    if (!st || !st->agents)
        return;
    for (size_t i = 0; i < st->n_agents; i++) {
        struct dw_agent_stats *as = &st->agents[i];
        if (as->agent != a->name)
            continue;
        if (failed) {
            as->failures++;
            return;
        }
        if (st->keep_samples) {
            int64_t *p = realloc(as->us, (size_t)(as->count + 1) * sizeof *p);
            if (!p)
                return;
            as->us = p;
            as->us[as->count] = us;
        }
        as->count++;
        return;
    }
}

/* Run the next step of deal d (inside the caller's savepoint). Returns 1 if a step ran,
 * 0 if the deal has nothing to run, 2 if its next step waits for the batch's second pass
 * (rs->defer_shared), negative on failure (with *ret_agent set). The step changes d and
 * appends its events and audit record but does not write d: run_deal writes the row once,
 * after the deal's last step of the batch (the row was 1 of about 8 statements a step). */
static int step_one(struct run_state *rs, struct dw_deal_rec *d, const struct dw_agent **ret_agent,
                    struct dw_error *err) {
    struct dw_engine *e = rs->e;
    uint32_t eff;
    int r = dw__effective_facts(e, d, &eff, NULL, err);
    if (r < 0)
        return r;
    const struct dw_agent *a = dw__plan(d, eff);
    *ret_agent = a;
    if (a && rs->defer_shared && (a->scope & DW_TOOL_WRITE_SCHEDULE))
        return 2; /* in the batch's second pass */
    if (!a) {
        enum dw_stage before = d->stage;
        if ((r = dw__deal_settle(e, d, err)) < 0)
            return r;
        return deal_changed(e, d, before, "control", err);
    }
    r = failpoint(rs->failpoints, a->name, d->attempts);
    if (r < 0)
        return dw_error_set(err, r, "failpoint: %s", r == -DW_EAGAIN ? "transient" : "fatal");

    _cleanup_json_ json_t *note = json_object(), *calls = json_array(), *shared = NULL;
#ifndef NDEBUG
    shared = json_array(); /* the check that no agent changes a shared document */
#endif
    struct dw__gateway gw = {.engine = e, .deal = d, .calls = calls, .shared = shared};
    struct dw_agent_ctx ctx = {
        .agent = a,
        .tools = &dw__tools,
        .ws = e->ws,
        .deal_id = d->id,
        .now = dw__now(e),
        .facts = eff,
        .note = note,
        .err = err,
        .gateway = &gw,
    };
    enum dw_stage before = d->stage;
    uint32_t facts_before = d->facts;
    int64_t t0 = dw_monotonic_us();
    r = a->step(&ctx);
    int64_t t1 = dw_monotonic_us();
    dw__gateway_check_shared(&gw, a->name);
    if (r < 0)
        return r;
    note_sample(rs, a, t1 - t0, false);

    if (gw.outcome_set)
        d->stage = gw.outcome;
    else
        d->facts |= a->produces;
    d->attempts = 0;
    d->last_error[0] = '\0';
    if ((r = dw__deal_settle(e, d, err)) < 0)
        return r;
    if ((r = deal_changed(e, d, before, a->name, err)) < 0)
        return r;
    char fb[256], fa[256], actor[64];
    snprintf(actor, sizeof actor, "agent:%s", a->name);
    r = dw__audit(e, d->id, actor, "step",
                  json_pack("{s:s,s:s,s:s,s:O,s:O,s:I}", "agent", a->name, "facts_before",
                            dw_facts_format(facts_before, fb, sizeof fb), "facts_after",
                            dw_facts_format(d->facts, fa, sizeof fa), "result", note, "calls",
                            calls, "us", (json_int_t)(t1 - t0)),
                  err);
    /* the store's own code, so a busy store retries the batch instead of parking the deal */
    return r < 0 ? r : 1;
}

/* Record a failed step in its own savepoint: count the attempt, back off or park. d is the
 * deal's row as the steps before the failed one left it (not yet written: run_deal writes it
 * once a deal); this writes it. */
static int record_failure(struct run_state *rs, struct dw_deal_rec *dp, const struct dw_agent *a,
                          int code, const struct dw_error *step_err, bool *ret_parked,
                          struct dw_error *err) {
    struct dw_engine *e = rs->e;
    struct dw_deal_rec d = *dp;
    int64_t deal_id = d.id;
    int r;
    char msg[200];
    dw_error_format(step_err, msg, sizeof msg);
    bool transient = dw_error_is_transient(code);
    int max = e->ws->policies.max_attempts > 0 ? e->ws->policies.max_attempts : 5;
    enum dw_stage before = d.stage;
    d.attempts++;
    snprintf(d.last_error, sizeof d.last_error, "%s: %s", a ? a->name : "control", msg);
    if (transient && d.attempts < max) {
        int64_t backoff = 1;
        for (int i = 1; i < d.attempts && backoff < BACKOFF_CAP_S; i++)
            backoff *= 2;
        d.next_attempt_at = dw__now(e) + (backoff < BACKOFF_CAP_S ? backoff : BACKOFF_CAP_S);
    } else {
        d.parked = true;
        d.runnable = false;
    }
    *ret_parked = d.parked;
    if ((r = dw__deal_write(e, &d, before, "control", err)) < 0)
        return r;
    *dp = d;
    if (rs->stats) {
        rs->stats->failures++;
        rs->stats->parked += d.parked;
    }
    if (a)
        note_sample(rs, a, 0, true);
    r = dw__audit(e, deal_id, "control", d.parked ? "step_parked" : "step_failed",
                  json_pack("{s:s,s:s,s:i,s:b,s:b}", "agent", a ? a->name : "", "error", msg,
                            "attempt", d.attempts, "transient", transient, "parked", d.parked),
                  err);
    if (r < 0)
        return r;
    return dw__event(
        e, deal_id, d.parked ? "deal.parked" : "deal.step_failed",
        json_pack("{s:s,s:s,s:i}", "agent", a ? a->name : "", "error", msg, "attempt", d.attempts),
        err);
}

/* A step's span (docs/internals/tracing.md): a child of the deal's trace context, linked to
 * the span the thread works under when that is another trace (the request that decided an
 * approval). Current while the step runs, so that its events and outbound calls join it.
 * NULL without a tracer. */
static struct dw_span *step_span_start(struct dw_engine *e, int64_t deal_id,
                                       struct dw_span **ret_prev) {
    *ret_prev = NULL;
    if (!e->tracer)
        return NULL;
    struct dw_trace_ctx parent;
    bool have = dw__deal_trace(e, deal_id, &parent);
    struct dw_span *sp = dw_span_start(e->tracer, "step", DW_SPAN_INTERNAL, have ? &parent : NULL);
    const struct dw_trace_ctx *cur = dw_span_ctx(dw_trace_current());
    if (cur && (!have || memcmp(cur->trace_id, parent.trace_id, sizeof parent.trace_id) != 0))
        dw_span_link(sp, cur);
    dw__span_deal(sp, deal_id);
    *ret_prev = dw_trace_swap(sp);
    return sp;
}

static void step_span_end(struct dw_span *sp, struct dw_span *prev, const struct dw_agent *a,
                          enum dw_stage before, const enum dw_stage *after, const char *outcome,
                          int code) {
    if (!sp)
        return;
    dw_trace_swap(prev);
    if (!a && strcmp(outcome, "done") == 0) { /* nothing ran: the deal only settled */
        dw_span_discard(sp);
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "step %s", a ? a->name : "control");
    dw_span_name(sp, name);
    dw_span_str(sp, "dealwright.agent", a ? a->name : "control");
    dw_span_str(sp, "dealwright.stage.before", dw_stage_name(before));
    if (after) /* NULL: the step failed, the deal's stage is the failure record's */
        dw_span_str(sp, "dealwright.stage.after", dw_stage_name(*after));
    dw_span_str(sp, "dealwright.step.outcome", outcome);
    if (code < 0) {
        dw_span_str(sp, "error.type", dw_errname(code));
        dw_span_error(sp, outcome);
    }
    dw_span_end(sp);
}

/* Write the deal's row when its steps changed it (run_deal). */
static int deal_flush(struct dw_engine *e, const struct dw_deal_rec *d, bool dirty, int r,
                      struct dw_error *err) {
    if (r < 0 || !dirty)
        return r;
    int w = e->store->ops->deal_update(e->store, d, err);
    return w < 0 ? w : r;
}

/* Steps of one deal inside the open transaction, until it has nothing runnable. 2 when
 * the deal stopped at a step deferred to the second pass, else 0 or a failure.
 *
 * The deal's row is read once and written once: the steps change it in memory (step_one
 * writes every column of d and nothing else writes the deal in a step), and it is written
 * when the deal leaves the batch's pass, in the batch's transaction, before another deal
 * runs (a later deal's steps may read it: the slot holds of open deals). A failed step's
 * savepoint is rolled back to and its failure recorded on the row as the steps before it
 * left it (`good`), as when each step wrote the row. */
static int run_deal(struct run_state *rs, int64_t deal_id, struct dw_error *err) {
    struct dw_engine *e = rs->e;
    struct dw_store *s = e->store;
    struct dw_deal_rec d, good;
    bool have = false, dirty = false;
    for (int n = 0; n < MAX_STEPS_PER_DEAL; n++) {
        /* a worker asked to stop finishes the step in progress, not the deal's others */
        if (n > 0 && rs->owner && stopping(rs))
            return deal_flush(e, &d, dirty, 0, err);
        int r = have ? 0 : s->ops->deal_get(s, deal_id, &d, err);
        if (r < 0)
            return r;
        have = true;
        if (!d.runnable || d.parked || d.next_attempt_at > dw__now(e))
            return deal_flush(e, &d, dirty, 0, err);
        if ((r = s->ops->savepoint(s, err)) < 0)
            return r;
        struct dw_error step_err = {0};
        const struct dw_agent *a = NULL;
        struct dw_span *prev, *sp = step_span_start(e, deal_id, &prev);
        enum dw_stage before = d.stage;
        good = d;
        r = step_one(rs, &d, &a, &step_err);
        if (r >= 0) {
            int ran = r;
            if ((r = s->ops->release(s, err)) < 0) {
                step_span_end(sp, prev, a, before, NULL, "busy", r);
                return r;
            }
            step_span_end(sp, prev, ran == 1 ? a : NULL, before, &d.stage, "done", 0);
            if (ran == 2)
                return deal_flush(e, &d, dirty, 2, err);
            dirty = true;
            if (!ran)
                return deal_flush(e, &d, dirty, 0, err);
            if (rs->stats)
                rs->stats->steps++;
            continue;
        }
        s->ops->rollback_to(s);
        d = good;
        if (r == -DW_EBUSY) {
            step_span_end(sp, prev, a, before, NULL, "busy", r);
            return r; /* the whole batch retries */
        }
        int code = step_err.code ? step_err.code : r;
        bool parked = false;
        if ((r = s->ops->savepoint(s, err)) < 0) {
            step_span_end(sp, prev, a, before, NULL, "failed", code);
            return r;
        }
        if ((r = record_failure(rs, &d, a, code, &step_err, &parked, err)) < 0) {
            s->ops->rollback_to(s);
            step_span_end(sp, prev, a, before, NULL, "failed", code);
            return r;
        }
        step_span_end(sp, prev, a, before, NULL, parked ? "parked" : "retry", code);
        if ((r = s->ops->release(s, err)) < 0)
            return r;
        return 0; /* record_failure wrote the row */
    }
    return deal_flush(e, &d, dirty, 0, err);
}

static void sleep_ms(int64_t ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0)
        ;
}

/* The batch's deals, in the open transaction. Leasing, each deal runs only while its lease
 * is still this run's (lease_hold locks it until the commit, so that no other worker can
 * claim it meanwhile), and its lease ends in the same commit as its steps. */
static int run_batch(struct run_state *rs, const int64_t *ids, int n, struct dw_error *err) {
    struct dw_store *s = rs->e->store;
    int r = 0;
    /* Two passes for a worker (a run given its lease owner: `dealwright worker`, the
     * server's pool) on a store many workers share: the first runs every deal up to a step
     * that takes the shared slots lock, the second runs those deals on. Each deal's steps
     * keep their order; only deals of one batch interleave. A run on its own keeps batch
     * order, so that its log reads as on SQLite. */
    bool deferred[1024] = {false}, any = false;
    rs->defer_shared =
        s->ops->many_workers && rs->opts->lease_owner && n <= (int)DW_ARRAY_SIZE(deferred);
    for (int i = 0; i < n && r >= 0; i++) {
        if (rs->owner) {
            if (i > 0 && stopping(rs))
                break; /* the rest keep their lease until the run releases it */
            int held = s->ops->lease_hold(s, rs->owner, ids[i], rs->lease_ms, err);
            if (held < 0)
                return held;
            if (!held) { /* taken over after this run's lease expired: the other runs it */
                if (rs->stats)
                    rs->stats->leases_lost++;
                continue;
            }
        }
        r = run_deal(rs, ids[i], err);
        if (r == 2) {
            deferred[i] = any = true;
            continue; /* its lease stays held for the second pass */
        }
        if (r >= 0 && rs->owner)
            r = s->ops->lease_release(s, rs->owner, ids[i], err);
    }
    rs->defer_shared = false;
    for (int i = 0; any && i < n && r >= 0; i++) {
        if (!deferred[i])
            continue;
        if (rs->owner && stopping(rs))
            break; /* the rest keep their lease until the run releases it */
        r = run_deal(rs, ids[i], err);
        if (r >= 0 && rs->owner)
            r = s->ops->lease_release(s, rs->owner, ids[i], err);
    }
    return r;
}

/* An owner for a run that leases without being given one: this host, process and run. */
static void make_owner(char *buf, size_t size) {
    static atomic_uint_fast64_t runs;
    char host[64] = "";
    if (gethostname(host, sizeof host - 1) < 0 || !*host)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(buf, size, "%s:%ld:run-%llu", host, (long)getpid(),
             (unsigned long long)atomic_fetch_add(&runs, 1) + 1);
}

int dw_run(struct dw_engine *e, const struct dw_run_opts *opts, struct dw_run_stats *stats,
           struct dw_error *err) {
    static const struct dw_run_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    struct run_state rs = {.e = e, .opts = opts, .stats = stats, .failpoints = e->failpoints};
    struct dw_store *s = e->store;
    char owner[128];
    if (opts->lease_owner || s->ops->many_workers) {
        if (!s->ops->lease_claim)
            return dw_error_set(err, -DW_EINVAL,
                                "the %s store has no worker leases: run one control plane on it",
                                s->ops->name);
        if (opts->lease_owner)
            snprintf(owner, sizeof owner, "%s", opts->lease_owner);
        else
            make_owner(owner, sizeof owner);
        rs.owner = owner;
        rs.lease_ms = opts->lease_ms > 0 ? opts->lease_ms : LEASE_MS_DEFAULT;
    }
    int batch = opts->batch > 0 ? opts->batch : 32;
    if (batch > 1024)
        batch = 1024;
    if (stats && !stats->agents) {
        stats->agents = calloc(dw_n_agents, sizeof *stats->agents);
        if (!stats->agents)
            return -DW_ENOMEM;
        stats->n_agents = dw_n_agents;
        for (size_t i = 0; i < dw_n_agents; i++)
            stats->agents[i].agent = dw_agents[i]->name;
    }
    int64_t t0 = dw_monotonic_us(), busy_tries = 0, done = 0, total = 0;
    if (opts->progress) {
        _cleanup_json_ json_t *st = NULL;
        if (s->ops->stats(s, &st, err) == 0)
            total = dw_json_int(st, "runnable", 0);
    }
    _cleanup_free_ int64_t *ids = calloc((size_t)batch, sizeof *ids);
    if (!ids)
        return -DW_ENOMEM;
    int r = 0;
    for (;;) {
        int n;
        if (opts->stop && *opts->stop)
            break;
        if (opts->only_deal > 0) {
            struct dw_deal_rec d;
            if ((r = s->ops->deal_get(s, opts->only_deal, &d, err)) < 0)
                break;
            n = d.runnable && !d.parked && d.next_attempt_at <= dw__now(e);
            ids[0] = opts->only_deal;
            if (n && rs.owner) { /* 0 when another worker holds it: that one runs it */
                n = s->ops->lease_claim(s, dw__now(e), rs.owner, rs.lease_ms, opts->only_deal, ids,
                                        1, err);
                if (n < 0) {
                    r = n;
                    goto busy;
                }
            }
            if (!n && d.runnable && !d.parked && !opts->no_wait && !e->clock.pin &&
                d.next_attempt_at > dw__now(e) &&
                d.next_attempt_at - dw__now(e) <= WAIT_HORIZON_S) {
                sleep_ms((d.next_attempt_at - dw__now(e)) * 1000);
                continue;
            }
        } else {
            n = rs.owner
                    ? s->ops->lease_claim(s, dw__now(e), rs.owner, rs.lease_ms, 0, ids, batch, err)
                    : s->ops->deals_due(s, dw__now(e), ids, batch, err);
            if (n < 0) {
                r = n;
                goto busy;
            }
        }
        if (n == 0) {
            if (opts->only_deal > 0 || opts->no_wait)
                break;
            if (rs.owner) {
                /* due deals that another owner holds: it runs them, or its lease expires
                 * (a dead worker's) and the next claim takes them; wait for either */
                int64_t other;
                int due_now = s->ops->deals_due(s, dw__now(e), &other, 1, err);
                if (due_now < 0) {
                    r = due_now;
                    break;
                }
                if (due_now > 0) {
                    sleep_ms(LEASE_WAIT_MS);
                    continue;
                }
            }
            dw_time_t due = 0;
            if ((r = s->ops->next_due_at(s, &due, err)) < 0)
                break;
            /* a pinned clock never reaches a later retry: waiting for it would never end */
            if (due == 0 || due - dw__now(e) > WAIT_HORIZON_S ||
                (e->clock.pin && due > e->clock.pin))
                break;
            if (due > dw__now(e))
                sleep_ms((due - dw__now(e)) * 1000);
            continue;
        }
        if ((r = s->ops->begin(s, err)) < 0)
            goto busy;
        r = run_batch(&rs, ids, n, err);
        if (r < 0) {
            s->ops->rollback(s);
            goto busy;
        }
        if ((r = s->ops->commit(s, err)) < 0) {
            s->ops->rollback(s);
            goto busy;
        }
        busy_tries = 0;
        if (stats)
            stats->commits++;
        done += n;
        if (done > total)
            total = done;
        if (opts->progress)
            opts->progress(opts->progress_ud, done, total, stats ? stats->steps : 0);
        continue;
    busy:
        if (r != -DW_EBUSY || ++busy_tries > 50)
            break;
        sleep_ms(10); /* another writer holds the lock: yield and retry the batch */
        r = 0;
    }
    if (rs.owner) {
        /* the leases of deals not reached (a stop, a failed batch): the others may take them
         * at once instead of after they expire */
        struct dw_error ignored = {0};
        int rr = s->ops->lease_release(s, rs.owner, 0, r < 0 ? &ignored : err);
        if (r >= 0 && rr < 0)
            r = rr;
    }
    if (stats)
        stats->elapsed_us += dw_monotonic_us() - t0;
    return r < 0 ? r : 0;
}

int dw_leases_renew(struct dw_engine *e, const char *owner, int lease_ms, int64_t *ret_held,
                    int64_t *ret_lost, struct dw_error *err) {
    struct dw_store *s = e->store;
    if (!s->ops->lease_renew)
        return dw_error_set(err, -DW_EINVAL, "the %s store has no worker leases", s->ops->name);
    int64_t held = 0, lost = 0;
    int r = s->ops->lease_renew(s, owner, lease_ms > 0 ? lease_ms : LEASE_MS_DEFAULT, &held, &lost,
                                err);
    if (r == 0 && ret_held)
        *ret_held = held;
    if (r == 0 && ret_lost)
        *ret_lost = lost;
    return r;
}

bool dw_engine_leases(const struct dw_engine *e, bool *ret_required) {
    const struct dw_store_ops *o = e->store->ops;
    if (ret_required)
        *ret_required = o->many_workers;
    return o->lease_claim != NULL;
}

void dw_run_stats_release(struct dw_run_stats *s) {
    for (size_t i = 0; i < s->n_agents; i++)
        free(s->agents[i].us);
    free(s->agents);
    s->agents = NULL;
    s->n_agents = 0;
}

/* Workers (include/dealwright/server.h, docs/internals/scale-out.md): a process that only
 * runs the control plane, with threads that claim due deals under a lease and a heartbeat
 * that renews the leases.
 *
 * Each thread has an engine of its own (a connection of its own to the store) and a lease
 * owner of its own ("host:pid:n"): two threads of one process never share a lease, so the
 * store's lease check keeps them apart as it keeps two processes apart. A thread runs
 * dw_run passes (batches of 8 deals, each batch one transaction) with its owner; when a
 * pass found nothing to do it waits poll_ms, or until the process stops. The heartbeat
 * thread, on an engine of its own, renews every thread's leases every third of the lease,
 * so a batch slower than the lease (a language model that takes its time) keeps its deals;
 * a lease that expired anyway (the process was stopped, the store unreachable) is counted
 * as lost and reported.
 *
 * SIGTERM or SIGINT: every thread finishes the step in progress (dw_run_opts.stop), commits,
 * and releases its leases, so the other workers take its deals at once. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/runtime.h"
#include <dealwright/server.h>

#define POOL_MAX 64
#define LEASE_MS_DEFAULT 30000
#define POLL_MS_DEFAULT 1000

struct pool;

struct pool_thread {
    struct pool *p;
    struct dw_engine *e;
    pthread_t thread;
    bool started;
    char owner[128];
    atomic_uint_fast64_t steps, failures, lost, errors;
};

struct pool {
    struct dw_worker_opts o;
    unsigned n;
    struct pool_thread t[POOL_MAX];
    struct dw_engine *api, *beat_engine;
    bool api_owned;
    pthread_t beat;
    bool beating;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile bool stop; /* dw_run's: the pass ends after the step in progress */
    atomic_bool stopping;
    atomic_uint_fast64_t expired;
};

/* Wait up to ms, or until the pool stops. */
static void pool_wait(struct pool *p, int ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while (!atomic_load(&p->stopping))
        if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&p->mu);
}

static void *thread_main(void *arg) {
    struct pool_thread *t = arg;
    struct pool *p = t->p;
    while (!atomic_load(&p->stopping)) {
        struct dw_run_opts opts = {.no_wait = true,
                                   .batch = 8,
                                   .stop = &p->stop,
                                   .lease_owner = t->owner,
                                   .lease_ms = p->o.lease_ms};
        struct dw_run_stats st = {0};
        struct dw_error err = {0};
        int r = dw_run(t->e, &opts, &st, &err);
        atomic_fetch_add(&t->steps, (uint64_t)st.steps);
        atomic_fetch_add(&t->failures, (uint64_t)st.failures);
        atomic_fetch_add(&t->lost, (uint64_t)st.leases_lost);
        dw_run_stats_release(&st);
        if (r < 0) {
            atomic_fetch_add(&t->errors, 1);
            char buf[1024];
            fprintf(stderr, "dealwright worker: %s: %s\n", t->owner,
                    dw_error_format(&err, buf, sizeof buf));
        }
        if (st.steps == 0 || r < 0) /* nothing due (or the store is away): look again later */
            pool_wait(p, p->o.poll_ms);
    }
    return NULL;
}

static void *beat_main(void *arg) {
    struct pool *p = arg;
    while (!atomic_load(&p->stopping)) {
        pool_wait(p, p->o.lease_ms / 3);
        if (atomic_load(&p->stopping))
            break;
        for (unsigned i = 0; i < p->n; i++) {
            int64_t held = 0, lost = 0;
            struct dw_error err = {0};
            if (dw_leases_renew(p->beat_engine, p->t[i].owner, p->o.lease_ms, &held, &lost, &err) <
                0) {
                char buf[1024];
                fprintf(stderr, "dealwright worker: renewing the leases of %s: %s\n", p->t[i].owner,
                        dw_error_format(&err, buf, sizeof buf));
                continue;
            }
            if (lost > 0) {
                atomic_fetch_add(&p->expired, (uint64_t)lost);
                fprintf(stderr,
                        "dealwright worker: %s: %lld leases expired before they were renewed, "
                        "given up (another worker takes those deals)\n",
                        p->t[i].owner, (long long)lost);
            }
        }
    }
    return NULL;
}

int dw_worker_check(const struct dw_worker_opts *o, struct dw_error *err) {
    if (o->concurrency > POOL_MAX)
        return dw_error_field(err, -DW_EINVAL, "concurrency", "concurrency: 1 to %d threads",
                              POOL_MAX);
    if (o->lease_ms && (o->lease_ms < 1000 || o->lease_ms > 3600 * 1000))
        return dw_error_field(err, -DW_EINVAL, "lease_ms", "lease: 1 s to 1 hour");
    if (o->poll_ms && (o->poll_ms < 10 || o->poll_ms > 60 * 1000))
        return dw_error_field(err, -DW_EINVAL, "poll_ms", "poll: 10 ms to 60 s");
    if (!o->workspace && !o->engine)
        return dw_error_field(err, -DW_EINVAL, "workspace", "a workspace is needed");
    return 0;
}

static void pool_stop(struct pool *p) {
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stopping, true);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        if (p->t[i].started)
            pthread_join(p->t[i].thread, NULL);
    if (p->beating)
        pthread_join(p->beat, NULL);
}

static void pool_free(struct pool *p) {
    for (unsigned i = 0; i < p->n; i++)
        dw_engine_close(p->t[i].e);
    dw_engine_close(p->beat_engine);
    if (p->api_owned)
        dw_engine_close(p->api);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int dw_worker_run(const struct dw_worker_opts *o, void (*started)(void *ud), void *ud,
                  struct dw_worker_totals *ret, struct dw_error *err) {
    int r = dw_worker_check(o, err);
    if (r < 0)
        return r;
    sigset_t sigs;
    dw__stop_signals_block(&sigs);

    struct pool *p = calloc(1, sizeof *p);
    if (!p)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    p->o = *o;
    p->n = o->concurrency ? o->concurrency : 1;
    if (!p->o.lease_ms)
        p->o.lease_ms = LEASE_MS_DEFAULT;
    if (!p->o.poll_ms)
        p->o.poll_ms = POLL_MS_DEFAULT;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (o->engine) {
        p->api = o->engine;
    } else {
        struct dw_diags diags = {0};
        r = dw_engine_open(o->workspace, o->db, &p->api, &diags, err);
        dw_diags_release(&diags);
        if (r < 0) {
            pool_free(p);
            return r;
        }
        p->api_owned = true;
    }
    if (!dw_engine_leases(p->api, NULL)) {
        pool_free(p);
        return dw_error_set(err, -DW_EINVAL, "this store has no worker leases");
    }
    char host[64] = "";
    if (gethostname(host, sizeof host - 1) < 0 || !*host)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    r = dw_engine_open_shared(p->api, NULL, &p->beat_engine, err);
    for (unsigned i = 0; r >= 0 && i < p->n; i++) {
        struct pool_thread *t = &p->t[i];
        t->p = p;
        snprintf(t->owner, sizeof t->owner, "%s:%ld:%u", host, (long)getpid(), i + 1);
        r = dw_engine_open_shared(p->api, NULL, &t->e, err);
    }
    for (unsigned i = 0; r >= 0 && i < p->n; i++) {
        if (pthread_create(&p->t[i].thread, NULL, thread_main, &p->t[i]) != 0)
            r = dw_error_set(err, -DW_EINTERNAL, "cannot start the worker's threads");
        else
            p->t[i].started = true;
    }
    if (r >= 0) {
        if (pthread_create(&p->beat, NULL, beat_main, p) != 0)
            r = dw_error_set(err, -DW_EINTERNAL, "cannot start the worker's heartbeat");
        else
            p->beating = true;
    }
    if (r < 0) {
        pool_stop(p);
        pool_free(p);
        return r;
    }
    if (started)
        started(ud);
    fprintf(stderr, "dealwright worker: %s: finishing the steps in progress\n",
            dw__stop_signal_wait(&sigs));
    pool_stop(p);
    struct dw_worker_totals tot = {.leases_lost = atomic_load(&p->expired)};
    for (unsigned i = 0; i < p->n; i++) {
        tot.steps += atomic_load(&p->t[i].steps);
        tot.failures += atomic_load(&p->t[i].failures);
        tot.leases_lost += atomic_load(&p->t[i].lost);
        tot.errors += atomic_load(&p->t[i].errors);
    }
    if (ret)
        *ret = tot;
    pool_free(p);
    return 0;
}

/* The control plane's worker and the webhook sender (runtime.h). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "server/runtime.h"

struct dw_worker {
    struct dw_engine *e;
    struct dw_leadq *q;
    struct dw_pump *pump;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool kick;
    atomic_bool stopping;
    volatile bool stop;        /* dw_run's: the pass ends after the batch in progress */
    int64_t run_steps_counted; /* steps of the pass in progress already counted */
    atomic_uint_fast64_t steps, failures, passes, errors;
};

/* Between two committed batches of agent steps: while lead posts wait for the write lock,
 * let them have it first (up to 100 ms), so that a post waits for at most the batch in
 * progress, not for a whole run. */
static void worker_yield(void *ud, int64_t done, int64_t total, int64_t steps) {
    (void)done, (void)total;
    struct dw_worker *w = ud;
    /* the metric counts steps as they happen, not when a long pass ends */
    if (steps > w->run_steps_counted) {
        atomic_fetch_add(&w->steps, (uint64_t)(steps - w->run_steps_counted));
        w->run_steps_counted = steps;
        if (w->pump)
            dw_pump_kick(w->pump);
    }
    dw_leadq_yield(w->q, 100, &w->stopping);
}

static void *worker_main(void *arg) {
    struct dw_worker *w = arg;
    while (!atomic_load(&w->stopping)) {
        /* small batches: a request that writes waits for at most one */
        struct dw_run_opts opts = {.no_wait = true,
                                   .batch = 8,
                                   .progress = worker_yield,
                                   .progress_ud = w,
                                   .stop = &w->stop};
        struct dw_run_stats st = {0};
        struct dw_error err = {0};
        w->run_steps_counted = 0;
        int r = dw_run(w->e, &opts, &st, &err);
        atomic_fetch_add(&w->passes, 1);
        if (r < 0) {
            atomic_fetch_add(&w->errors, 1);
            char buf[1024];
            fprintf(stderr, "dealwright serve: control plane: %s\n",
                    dw_error_format(&err, buf, sizeof buf));
        }
        if (st.steps > w->run_steps_counted) {
            atomic_fetch_add(&w->steps, (uint64_t)(st.steps - w->run_steps_counted));
            if (w->pump)
                dw_pump_kick(w->pump);
        }
        atomic_fetch_add(&w->failures, (uint64_t)st.failures);
        dw_run_stats_release(&st);
        pthread_mutex_lock(&w->mu);
        if (!w->kick && !atomic_load(&w->stopping)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1; /* deals whose retry time came, and leads from the CLI */
            pthread_cond_timedwait(&w->cv, &w->mu, &until);
        }
        w->kick = false;
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

struct dw_worker *dw_worker_start(struct dw_engine *e, struct dw_leadq *q, struct dw_pump *pump) {
    struct dw_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->e = e;
    w->q = q;
    w->pump = pump;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return NULL;
    }
    return w;
}

void dw_worker_kick(struct dw_worker *w) {
    if (!w) /* an API-only server (serve --no-worker) */
        return;
    pthread_mutex_lock(&w->mu);
    w->kick = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void dw_worker_counts(struct dw_worker *w, struct dw_worker_counts *c) {
    if (!w) {
        *c = (struct dw_worker_counts){0};
        return;
    }
    c->steps = atomic_load(&w->steps);
    c->failures = atomic_load(&w->failures);
    c->passes = atomic_load(&w->passes);
    c->errors = atomic_load(&w->errors);
}

void dw_worker_stop(struct dw_worker *w) {
    if (!w)
        return;
    atomic_store(&w->stopping, true);
    w->stop = true;
    dw_worker_kick(w);
}

void dw_worker_join(struct dw_worker *w) {
    if (!w)
        return;
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

/* ---- the webhook sender ------------------------------------------------------------- */

struct dw_hooks {
    struct dw_engine *e;
    struct dw_webhook_opts opts;
    pthread_t thread;
    atomic_bool stopping;
    volatile bool stop; /* a pass ends after the delivery in flight */
    atomic_uint_fast64_t delivered, failed, dead;
};

static void *hooks_main(void *arg) {
    struct dw_hooks *h = arg;
    while (!atomic_load(&h->stopping)) {
        struct dw_webhook_stats st = {0};
        struct dw_error err = {0};
        int r = dw_webhook_deliver(h->e, &h->opts, &st, &err);
        atomic_fetch_add(&h->delivered, (uint64_t)st.delivered);
        atomic_fetch_add(&h->failed, (uint64_t)st.failed);
        atomic_fetch_add(&h->dead, (uint64_t)st.dead);
        if (r < 0) {
            char buf[1024];
            fprintf(stderr, "dealwright serve: webhooks: %s\n",
                    dw_error_format(&err, buf, sizeof buf));
        }
        for (int i = 0; i < 5 && !atomic_load(&h->stopping); i++)
            usleep(100 * 1000);
    }
    return NULL;
}

struct dw_hooks *dw_hooks_start(struct dw_engine *e, const struct dw_webhook_opts *o) {
    struct dw_hooks *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->e = e;
    if (o)
        h->opts = *o;
    h->opts.stop = &h->stop;
    if (pthread_create(&h->thread, NULL, hooks_main, h) != 0) {
        free(h);
        return NULL;
    }
    return h;
}

void dw_hooks_counts(struct dw_hooks *h, struct dw_hook_counts *c) {
    c->delivered = atomic_load(&h->delivered);
    c->failed = atomic_load(&h->failed);
    c->dead = atomic_load(&h->dead);
}

void dw_hooks_stop(struct dw_hooks *h) {
    if (!h)
        return;
    atomic_store(&h->stopping, true);
    h->stop = true;
}

void dw_hooks_join(struct dw_hooks *h) {
    if (!h)
        return;
    pthread_join(h->thread, NULL);
    free(h);
}

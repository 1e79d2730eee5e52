/* The events relay (server.h, runtime.h; docs/internals/events-nats.md): with
 * `--events nats://HOST:PORT`, two threads on engines of their own — the outbox publisher
 * (dw_events_publish: every 50 ms, or at once again while a pass found a full batch) and the
 * webhook consumer every instance shares (dw_events_deliver, and every 2 s dw_events_sweep
 * for replayed deliveries), which replaces the single-machine webhook sender. A failure (NATS away,
 * the store busy) is reported once on stderr when it starts and once when it ends; the passes go
 * on, so a server that comes back is used again. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/runtime.h"

struct dw_relay {
    struct dw_events *ev;
    struct dw_engine *pub_e, *hook_e;
    struct dw_webhook_opts opts;
    pthread_t pub, hook;
    bool pub_started, hook_started;
    atomic_bool stopping;
    volatile bool stop; /* a consumer pass ends after the delivery in flight */
    atomic_uint_fast64_t delivered, failed, dead, published;
};

static void nap(struct dw_relay *r, int ms) {
    for (int i = 0; i < ms / 10 && !atomic_load(&r->stopping); i++)
        usleep(10 * 1000);
}

/* Report a failure when it starts or changes, and its end, not every pass. */
static void report(const char *what, int rc, const struct dw_error *err, char *last, size_t n) {
    char buf[512] = "";
    if (rc < 0)
        dw_error_format(err, buf, sizeof buf);
    if (strcmp(buf, last) == 0)
        return;
    if (rc < 0)
        fprintf(stderr, "dealwright: events: %s: %s\n", what, buf);
    else
        fprintf(stderr, "dealwright: events: %s: working again\n", what);
    snprintf(last, n, "%s", buf);
}

static void *pub_main(void *arg) {
    struct dw_relay *r = arg;
    char last[512] = "";
    while (!atomic_load(&r->stopping)) {
        struct dw_error err = {0};
        int64_t n = 0;
        int rc = dw_events_publish(r->pub_e, r->ev, &n, &err);
        report("publishing", rc == -DW_EBUSY ? 0 : rc, &err, last, sizeof last);
        atomic_fetch_add(&r->published, (uint64_t)n);
        if (rc < 0)
            nap(r, 250);
        else if (n == 0)
            nap(r, 50);
    }
    return NULL;
}

static void *hook_main(void *arg) {
    struct dw_relay *r = arg;
    char last[512] = "";
    struct timespec swept = {0};
    while (!atomic_load(&r->stopping)) {
        struct dw_webhook_stats st = {0};
        struct dw_error err = {0};
        int rc = dw_events_deliver(r->hook_e, r->ev, &r->opts, 250, &st, &err);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (rc >= 0 && now.tv_sec - swept.tv_sec >= 2) { /* replayed deliveries, every 2 s */
            swept = now;
            rc = dw_events_sweep(r->hook_e, &r->opts, &st, &err);
        }
        atomic_fetch_add(&r->delivered, (uint64_t)st.delivered);
        atomic_fetch_add(&r->failed, (uint64_t)st.failed);
        atomic_fetch_add(&r->dead, (uint64_t)st.dead);
        report("webhook deliveries", rc, &err, last, sizeof last);
        if (rc < 0)
            nap(r, 250);
    }
    return NULL;
}

int dw_relay_start(struct dw_engine *e, const char *events_url, const struct dw_webhook_opts *o,
                   struct dw_relay **ret, struct dw_error *err) {
    *ret = NULL;
    struct dw_relay *r = calloc(1, sizeof *r);
    if (!r)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    if (o)
        r->opts = *o;
    r->opts.stop = &r->stop;
    int rc = dw_events_connect(events_url, &r->ev, err);
    if (rc >= 0)
        rc = dw_engine_open_shared(e, NULL, &r->pub_e, err);
    if (rc >= 0)
        rc = dw_engine_open_shared(e, NULL, &r->hook_e, err);
    if (rc >= 0) {
        /* the threads take no signals: the process's owner waits for them elsewhere */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r->pub_started = pthread_create(&r->pub, NULL, pub_main, r) == 0;
        r->hook_started = r->pub_started && pthread_create(&r->hook, NULL, hook_main, r) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!r->hook_started)
            rc = dw_error_set(err, -DW_EINTERNAL, "cannot start the events relay's threads");
    }
    if (rc < 0) {
        dw_relay_stop(r);
        return rc;
    }
    *ret = r;
    return 0;
}

struct dw_events *dw_relay_events(struct dw_relay *r) {
    return r ? r->ev : NULL;
}

void dw_relay_counts(struct dw_relay *r, struct dw_hook_counts *c) {
    c->delivered = atomic_load(&r->delivered);
    c->failed = atomic_load(&r->failed);
    c->dead = atomic_load(&r->dead);
}

void dw_relay_signal(struct dw_relay *r) {
    if (!r)
        return;
    atomic_store(&r->stopping, true);
    r->stop = true;
}

void dw_relay_stop(struct dw_relay *r) {
    if (!r)
        return;
    dw_relay_signal(r);
    if (r->pub_started)
        pthread_join(r->pub, NULL);
    if (r->hook_started)
        pthread_join(r->hook, NULL);
    dw_engine_close(r->pub_e);
    dw_engine_close(r->hook_e);
    dw_events_close(r->ev);
    free(r);
}

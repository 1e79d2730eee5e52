/* The event pump (runtime.h): one thread reads the event log for every subscriber.
 *
 * Approach: the pump keeps only the newest event seq it has seen; a subscriber waits on the
 * pump's condition variable until that passes its own position, then reads the events
 * itself (from its position, with a reader engine). So N idle streams cost no store reads
 * at all, and the pump one small read per interval while anyone is subscribed; a writer
 * in this process kicks the pump so that its events are seen at once. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "server/runtime.h"

struct dw_pump {
    struct dw_engine *e;
    int interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t news; /* the newest seq moved, or stopping */
    pthread_cond_t wake; /* the pump's: kicked, subscribed, or stopping */
    int subscribers;
    bool kicked, stopping;
    int64_t last;
};

static void deadline_in(struct timespec *t, int ms) {
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000;
    if (t->tv_nsec >= 1000000000) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000;
    }
}

/* The newest seq after `from`: one small read of what arrived since the last; when a whole
 * page came (the pump was idle while many events were written), the log's end is asked
 * for instead of paging through them. */
static int64_t newest(struct dw_engine *e, int64_t from) {
    struct dw_error err = {0};
    json_t *evs = NULL;
    if (dw_events_since(e, from, 100, &evs, &err) < 0) {
        json_decref(evs);
        return from; /* tried again next interval; streams end on their own reads */
    }
    size_t n = json_array_size(evs);
    if (n)
        from = dw_json_int(json_array_get(evs, n - 1), "seq", from);
    json_decref(evs);
    if (n == 100) {
        json_t *st = NULL;
        if (dw_stats(e, &st, &err) >= 0 && dw_json_int(st, "last_event", 0) > from)
            from = dw_json_int(st, "last_event", 0);
        json_decref(st);
    }
    return from;
}

static void *pump_main(void *arg) {
    struct dw_pump *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stopping) {
        if (!p->subscribers && !p->kicked) { /* nobody listens: no reads */
            pthread_cond_wait(&p->wake, &p->mu);
            continue;
        }
        p->kicked = false;
        int64_t from = p->last;
        pthread_mutex_unlock(&p->mu);
        int64_t seen = newest(p->e, from);
        pthread_mutex_lock(&p->mu);
        if (seen > p->last) {
            p->last = seen;
            pthread_cond_broadcast(&p->news);
        }
        if (!p->kicked && !p->stopping && p->subscribers) {
            struct timespec until;
            deadline_in(&until, p->interval_ms);
            pthread_cond_timedwait(&p->wake, &p->mu, &until);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct dw_pump *dw_pump_start(struct dw_engine *e, int interval_ms) {
    struct dw_pump *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->e = e;
    p->interval_ms = interval_ms > 0 ? interval_ms : 100;
    /* where the log ends now: the pump never reads it from the start */
    struct dw_error err = {0};
    json_t *st = NULL;
    if (dw_stats(e, &st, &err) >= 0)
        p->last = dw_json_int(st, "last_event", 0);
    json_decref(st);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->news, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, pump_main, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->news);
        pthread_cond_destroy(&p->wake);
        free(p);
        return NULL;
    }
    return p;
}

void dw_pump_subscribe(struct dw_pump *p) {
    pthread_mutex_lock(&p->mu);
    if (p->subscribers++ == 0)
        pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

void dw_pump_unsubscribe(struct dw_pump *p) {
    pthread_mutex_lock(&p->mu);
    p->subscribers--;
    pthread_mutex_unlock(&p->mu);
}

int64_t dw_pump_last(struct dw_pump *p) {
    pthread_mutex_lock(&p->mu);
    int64_t last = p->last;
    pthread_mutex_unlock(&p->mu);
    return last;
}

int64_t dw_pump_wait(struct dw_pump *p, int64_t after, int timeout_ms) {
    struct timespec until;
    deadline_in(&until, timeout_ms);
    pthread_mutex_lock(&p->mu);
    while (p->last <= after && !p->stopping)
        if (pthread_cond_timedwait(&p->news, &p->mu, &until) != 0)
            break;
    int64_t last = p->last;
    pthread_mutex_unlock(&p->mu);
    return last;
}

void dw_pump_kick(struct dw_pump *p) {
    pthread_mutex_lock(&p->mu);
    if (p->subscribers) { /* nobody listening: nothing to read for */
        p->kicked = true;
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->mu);
}

void dw_pump_stop(struct dw_pump *p) {
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_cond_broadcast(&p->news);
    pthread_mutex_unlock(&p->mu);
}

void dw_pump_join(struct dw_pump *p) {
    if (!p)
        return;
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->news);
    pthread_cond_destroy(&p->wake);
    free(p);
}

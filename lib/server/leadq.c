/* The group commit of lead posts (runtime.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/runtime.h"

#define GROUP_MAX 256

struct lead_item {
    json_t *lead;            /* borrowed */
    const char *traceparent; /* borrowed, may be NULL */
    json_t *result;
    struct dw_error err;
    int r;
    bool done;
    struct lead_item *next;
};

struct dw_leadq {
    struct dw_engine *e;
    pthread_mutex_t *e_mu;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct lead_item *head, **tail;
    bool busy;
};

struct dw_leadq *dw_leadq_new(struct dw_engine *e, pthread_mutex_t *mu) {
    struct dw_leadq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->e = e;
    q->e_mu = mu;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->tail = &q->head;
    return q;
}

void dw_leadq_free(struct dw_leadq *q) {
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q);
}

/* Submit the group's leads; every item gets its result or its error. The caller's array is
 * left as it was (it marks every item done afterwards): refused leads are dropped from a
 * working copy, so that the one refused is still among those the caller answers.
 * dw_leads_submit checks every lead before storing any and names the first bad one
 * (err.line = its index + 1). */
static void submit_group(struct dw_leadq *q, struct lead_item *const *group, size_t n) {
    struct lead_item *items[GROUP_MAX];
    if (n > GROUP_MAX)
        n = GROUP_MAX;
    memcpy(items, group, n * sizeof *items);
    while (n > 0) {
        _cleanup_json_ json_t *arr = json_array(), *res = NULL;
        const char *tps[GROUP_MAX];
        bool traced = false;
        for (size_t i = 0; i < n; i++) {
            json_array_append(arr, items[i]->lead);
            tps[i] = items[i]->traceparent;
            traced |= tps[i] != NULL;
        }
        struct dw_error err = {0};
        pthread_mutex_lock(q->e_mu);
        int r = dw_leads_submit_traced(q->e, arr, traced ? tps : NULL, &res, &err);
        pthread_mutex_unlock(q->e_mu);
        if (r >= 0) {
            for (size_t i = 0; i < n; i++)
                items[i]->result = json_incref(json_array_get(res, i));
            return;
        }
        bool one_bad = err.line >= 1 && (size_t)err.line <= n &&
                       (r == -DW_EINVAL || r == -DW_EPARSE || r == -DW_ETOOBIG);
        if (!one_bad) { /* the store failed: every lead of the group gets the error */
            for (size_t i = 0; i < n; i++) {
                items[i]->err = err;
                items[i]->r = r;
            }
            return;
        }
        size_t k = (size_t)err.line - 1;
        err.line = 0;
        items[k]->err = err;
        items[k]->r = r;
        memmove(items + k, items + k + 1, (n - k - 1) * sizeof *items);
        n--;
    }
}

int dw_leadq_submit(struct dw_leadq *q, json_t *lead, const char *traceparent, json_t **ret,
                    struct dw_error *err) {
    struct lead_item it = {.lead = lead, .traceparent = traceparent};
    pthread_mutex_lock(&q->mu);
    *q->tail = &it;
    q->tail = &it.next;
    while (!it.done) {
        if (q->busy) {
            pthread_cond_wait(&q->cv, &q->mu);
            continue;
        }
        q->busy = true;
        struct lead_item *batch[GROUP_MAX];
        size_t n = 0;
        while (q->head && n < GROUP_MAX) {
            batch[n++] = q->head;
            q->head = q->head->next;
        }
        if (!q->head)
            q->tail = &q->head;
        pthread_mutex_unlock(&q->mu);
        submit_group(q, batch, n);
        pthread_mutex_lock(&q->mu);
        for (size_t i = 0; i < n; i++)
            batch[i]->done = true;
        q->busy = false;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    if (it.r < 0) {
        *err = it.err;
        return it.r;
    }
    *ret = it.result;
    return 0;
}

void dw_leadq_yield(struct dw_leadq *q, int max_ms, const atomic_bool *stop) {
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    for (int i = 0; i < max_ms / 5 && (q->head || q->busy) && !atomic_load(stop); i++) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 5 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&q->cv, &q->mu, &until);
    }
    pthread_mutex_unlock(&q->mu);
}

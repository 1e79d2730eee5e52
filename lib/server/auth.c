/* Authentication and the rate limit (docs/internals/server.md "Authentication and roles"). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/internal.h"

/* ---- authentication and the rate limit ---------------------------------------------- */

/* The secret of "Authorization: Bearer SECRET", or NULL. */
const char *srv_bearer_secret(struct MHD_Connection *c) {
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

/* The bearer token's {id, user, role}, or NULL with a 401 queued in *ret_result. */
json_t *srv_authenticate(struct server *sv, struct MHD_Connection *c, struct req *rq,
                         enum MHD_Result *ret_result) {
    const char *secret = srv_bearer_secret(c);
    if (!secret) {
        *ret_result = srv_send_error(c, rq, 401, NULL,
                                     "an API token is needed: Authorization: "
                                     "Bearer TOKEN (dealwright token create)");
        return NULL;
    }
    struct dw_error err = {0};
    json_t *tok = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_token_check(rd->e, secret, &tok, &err);
    srv_reader_put(rd);
    if (r < 0) {
        *ret_result = r == -DW_EPERM ? srv_send_error(c, rq, 401, NULL, "%s", err.msg)
                                     : srv_send_dw_error(c, rq, &err, r);
        return NULL;
    }
    snprintf(rq->user, sizeof rq->user, "%s", dw_json_str(tok, "user"));
    return tok;
}

/* The rate limiter's buckets: an open-addressing table keyed by the token's whole id
 * (linear probing). A bucket that has refilled to the burst is the same as none, so when
 * the table is half full those are dropped; it grows only while that many tokens are in
 * use at once. Called under rate_mu. */
static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static void bucket_refill(const struct server *sv, struct bucket *b, int64_t now) {
    b->level += (double)(now - b->last_us) * sv->rate / 1e6;
    if (b->level > sv->burst)
        b->level = sv->burst;
    b->last_us = now;
}

static int buckets_rehash(struct server *sv, size_t cap, int64_t now) {
    struct bucket *nb = calloc(cap, sizeof *nb);
    if (!nb)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < sv->cap_buckets; i++) {
        struct bucket *b = &sv->buckets[i];
        if (!b->token)
            continue;
        bucket_refill(sv, b, now);
        if (b->level >= sv->burst) /* full again: forget it */
            continue;
        size_t j = mix64((uint64_t)b->token) & (cap - 1);
        while (nb[j].token)
            j = (j + 1) & (cap - 1);
        nb[j] = *b;
        n++;
    }
    free(sv->buckets);
    sv->buckets = nb;
    sv->cap_buckets = cap;
    sv->n_buckets = n;
    return 0;
}

static struct bucket *bucket_find(struct server *sv, int64_t token, int64_t now) {
    if (sv->cap_buckets) {
        size_t j = mix64((uint64_t)token) & (sv->cap_buckets - 1);
        for (; sv->buckets[j].token; j = (j + 1) & (sv->cap_buckets - 1))
            if (sv->buckets[j].token == token)
                return &sv->buckets[j];
    }
    if ((sv->n_buckets + 1) * 2 > sv->cap_buckets) {
        size_t cap = sv->cap_buckets ? sv->cap_buckets : 64;
        if (buckets_rehash(sv, cap, now) < 0) /* first drop the full ones */
            return NULL;
        if ((sv->n_buckets + 1) * 2 > cap && buckets_rehash(sv, cap * 2, now) < 0)
            return NULL;
    }
    size_t j = mix64((uint64_t)token) & (sv->cap_buckets - 1);
    while (sv->buckets[j].token)
        j = (j + 1) & (sv->cap_buckets - 1);
    struct bucket *b = &sv->buckets[j];
    *b = (struct bucket){.token = token, .level = sv->burst, .last_us = now};
    sv->n_buckets++;
    return b;
}

/* Take one request from the token's bucket; false when it is empty (or memory ran out). */
bool srv_rate_take(struct server *sv, int64_t token) {
    return srv_rate_take_cost(sv, token, 1.0);
}

/* Take `cost` requests' worth from a bucket: the buyer's page, keyed by a negative number
 * per client address (never an API token's id), costs more than an API request. */
bool srv_rate_take_cost(struct server *sv, int64_t token, double cost) {
    if (sv->rate <= 0)
        return true;
    int64_t now = srv_mono_us();
    bool ok = false;
    pthread_mutex_lock(&sv->rate_mu);
    struct bucket *b = bucket_find(sv, token, now);
    if (b) {
        bucket_refill(sv, b, now);
        ok = b->level >= cost;
        if (ok)
            b->level -= cost;
    }
    pthread_mutex_unlock(&sv->rate_mu);
    return ok;
}

/* Webhooks (include/dealwright/webhooks.h, docs/internals/server.md "Webhooks").
 *
 * The event log is the outbox. A pass of dw_webhook_deliver first takes in, for each
 * subscription, the committed events after its last_seq: one delivery row per event of a
 * subscribed type, and last_seq moved, in one transaction. Only committed events can be
 * read, so nothing is sent before its transaction commits; the rows survive a restart, so
 * nothing is lost. It then posts the deliveries that are due with libcurl: 2xx marks one
 * delivered; anything else schedules a retry after backoff * 2^(attempts-1) (at most an
 * hour) with up to half of it again as jitter, and after max_attempts the delivery is dead
 * until an admin replays it. Secrets are never logged nor listed. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/trace.h"
#include "internal.h"

#define SECRET_PREFIX "whsec_"
#define SECRET_HEX 64
#define URL_MAX 2048
#define EVENTS_MAX 1024
#define RESPONSE_MAX (64 * 1024)
#define ERROR_MAX 200
/* a claimed delivery is another sender's again this long after the post's timeout */
#define CLAIM_SLACK_MS 20000

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dw_webhook_sign(const char *secret, const char *timestamp, const char *body,
                    char out[DW_WEBHOOK_SIG_HEX]) {
    if (sodium_init() < 0)
        return -DW_EINTERNAL;
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, DW_WEBHOOK_SIG_HEX, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
    return 0;
}

static bool type_ok(const char *t, size_t n) {
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || t[i] == '.' || t[i] == '_' || t[i] == '*'))
            return false;
    return true;
}

/* The event types the engine writes (dw__event's callers): a subscription names these,
 * a family of them ("deal.*") or "*". deal.KIND is a document written (gateway.c). */
static const char *const event_types[] = {
    "lead.received",      "lead.follow_up",     "lead.taken_in",     "account.linked",
    "deal.stage_changed", "deal.step_failed",   "deal.parked",       "deal.accepted",
    "deal.redacted",      "deal.discovery",     "deal.requirements", "deal.qualification",
    "deal.solution",      "deal.contract",      "deal.proposal",     "deal.schedule",
    "quote.revised",      "approval.requested", "approval.voided",   "approval.decided",
    "order.created",      "demo.booked",        "demo.cancelled",
};

/* Does the pattern t[0..n) name at least one known event type? */
static bool type_known(const char *t, size_t n) {
    if (n == 1 && *t == '*')
        return true;
    bool family = n >= 3 && t[n - 1] == '*' && t[n - 2] == '.';
    for (size_t i = 0; i < DW_ARRAY_SIZE(event_types); i++) {
        const char *k = event_types[i];
        if (family ? strncmp(k, t, n - 1) == 0 : strlen(k) == n && strncmp(k, t, n) == 0)
            return true;
    }
    return false;
}

/* Does the comma-separated list subscribe to type? "*" takes all; "deal.*" a family. */
static bool subscribed(const char *list, const char *type) {
    size_t tl = strlen(type);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if ((n == 1 && *p == '*') || (n == tl && strncmp(p, type, n) == 0) ||
            (n >= 2 && p[n - 1] == '*' && p[n - 2] == '.' && tl > n - 1 &&
             strncmp(p, type, n - 1) == 0))
            return true;
        p += n + (c ? 1 : 0);
        if (!c)
            break;
    }
    return false;
}

int dw_webhook_add(struct dw_engine *e, const char *by, const char *url, const char *events,
                   const char *secret, json_t **ret, struct dw_error *err) {
    if (!url || strlen(url) > URL_MAX ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || strlen(url) < 9 ||
        strpbrk(url, " \t\r\n"))
        return dw_error_field(err, -DW_EINVAL, "url",
                              "a webhook needs an http:// or https:// URL (at most %d "
                              "characters, no spaces)",
                              URL_MAX);
    if (!events || !*events || strlen(events) > EVENTS_MAX)
        return dw_error_field(err, -DW_EINVAL, "events",
                              "a webhook needs event types, comma-separated (deal.stage_changed,"
                              "approval.*, or *)");
    for (const char *p = events;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (!type_ok(p, n))
            return dw_error_field(err, -DW_EINVAL, "events",
                                  "'%.*s' is not an event type ([a-z._], 1-64 characters)",
                                  (int)(n > 64 ? 64 : n), p);
        if (!type_known(p, n))
            return dw_error_field(err, -DW_EINVAL, "events",
                                  "'%.*s' is not an event type the engine sends (lead.received, "
                                  "deal.stage_changed, approval.*, ... or *: "
                                  "docs/internals/server.md \"Webhooks\")",
                                  (int)n, p);
        if (!c)
            break;
        p = c + 1;
    }
    char gen[sizeof SECRET_PREFIX + SECRET_HEX];
    if (secret) {
        if (strlen(secret) < 16 || strlen(secret) > 256)
            return dw_error_field(err, -DW_EINVAL, "secret",
                                  "a webhook secret has 16-256 characters");
    } else {
        if (sodium_init() < 0)
            return dw_error_set(err, -DW_EINTERNAL, "libsodium could not start");
        unsigned char raw[SECRET_HEX / 2];
        randombytes_buf(raw, sizeof raw);
        memcpy(gen, SECRET_PREFIX, strlen(SECRET_PREFIX));
        sodium_bin2hex(gen + strlen(SECRET_PREFIX), SECRET_HEX + 1, raw, sizeof raw);
        sodium_memzero(raw, sizeof raw);
        secret = gen;
    }
    struct dw_store *s = e->store;
    int64_t id = 0;
    int r = s->ops->begin(s, err);
    if (r >= 0) {
        if ((r = s->ops->webhook_insert(s, url, events, secret, dw__now(e), &id, err)) < 0 ||
            (r = dw__audit(
                 e, 0, by, "webhook.add",
                 json_pack("{sI ss ss}", "webhook", (json_int_t)id, "url", url, "events", events),
                 err)) < 0 ||
            (r = s->ops->commit(s, err)) < 0)
            s->ops->rollback(s);
    }
    if (r >= 0)
        *ret = json_pack("{sI ss ss ss}", "id", (json_int_t)id, "url", url, "events", events,
                         "secret", secret);
    sodium_memzero(gen, sizeof gen);
    return r < 0 ? r : *ret ? 0 : -DW_ENOMEM;
}

int dw_webhooks_list(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    int r = e->store->ops->webhooks_list(e->store, ret, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *h;
    json_array_foreach(*ret, i, h) json_object_del(h, "secret");
    return 0;
}

int dw_webhook_remove(struct dw_engine *e, const char *by, int64_t id, struct dw_error *err) {
    struct dw_store *s = e->store;
    int r = s->ops->begin(s, err);
    if (r >= 0) {
        if ((r = s->ops->webhook_remove(s, id, dw__now(e), err)) < 0 ||
            (r = dw__audit(e, 0, by, "webhook.remove", json_pack("{sI}", "webhook", (json_int_t)id),
                           err)) < 0 ||
            (r = s->ops->commit(s, err)) < 0)
            s->ops->rollback(s);
    }
    return r;
}

int dw_webhook_deliveries(struct dw_engine *e, const char *status, json_t **ret,
                          struct dw_error *err) {
    return e->store->ops->deliveries_list(e->store, status, 0, 1000, ret, err);
}

int dw_webhook_deliveries_page(struct dw_engine *e, const char *status, const char *after,
                               int limit, json_t **ret, struct dw_error *err) {
    int64_t after_id;
    int r;
    if ((limit = dw__page_limit(limit, err)) < 0)
        return limit;
    if ((r = dw__cursor_parse('w', after, &after_id, err)) < 0)
        return r;
    json_t *rows = NULL;
    r = e->store->ops->deliveries_list(e->store, status, after_id, limit + 1, &rows, err);
    if (r < 0)
        return r;
    *ret = dw__page_finish('w', rows, limit);
    return *ret ? 0 : -DW_ENOMEM;
}

int dw_webhook_counts(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    json_t *rows = NULL;
    int r = e->store->ops->delivery_counts(e->store, &rows, err);
    if (r < 0)
        return r;
    *ret = json_pack("{sI sI sI}", "pending", (json_int_t)0, "delivered", (json_int_t)0, "dead",
                     (json_int_t)0);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *st = dw_json_str(row, "status");
        if (st)
            json_object_set_new(*ret, st, json_integer(dw_json_int(row, "n", 0)));
    }
    json_decref(rows);
    return *ret ? 0 : -DW_ENOMEM;
}

int dw_webhook_replay(struct dw_engine *e, const char *by, int64_t id, int64_t *ret_n,
                      struct dw_error *err) {
    struct dw_store *s = e->store;
    int64_t n = 0;
    int r = s->ops->begin(s, err);
    if (r >= 0) {
        if ((r = s->ops->delivery_replay(s, id > 0 ? id : 0, now_ms(), &n, err)) < 0 ||
            (r = dw__audit(
                 e, 0, by, "webhook.replay",
                 json_pack("{sI sI}", "delivery", (json_int_t)id, "replayed", (json_int_t)n),
                 err)) < 0 ||
            (r = s->ops->commit(s, err)) < 0)
            s->ops->rollback(s);
    }
    *ret_n = r < 0 ? 0 : n;
    if (r >= 0 && id > 0 && *ret_n == 0)
        return dw_error_set(err, -DW_ENOENT, "no dead delivery %lld", (long long)id);
    return r;
}

/* What is posted for event ev to subscription id (the caller frees; NULL out of memory). */
static char *delivery_body(const json_t *ev, int64_t id) {
    json_t *payload =
        json_pack("{sI ss sI sO* sO*}", "seq", (json_int_t)dw_json_int(ev, "seq", 0), "type",
                  dw_json_str(ev, "type"), "webhook", (json_int_t)id, "deal_id",
                  json_object_get(ev, "deal_id"), "at", json_object_get(ev, "at"));
    if (!payload)
        return NULL;
    json_object_set(payload, "data", json_object_get(ev, "data"));
    char *body = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    return body;
}

/* Take in the committed events after each subscription's position (one transaction). */
static int enqueue(struct dw_engine *e, struct dw_webhook_stats *stats, struct dw_error *err) {
    struct dw_store *s = e->store;
    json_t *hooks = NULL;
    int r = s->ops->webhooks_list(s, &hooks, err);
    if (r < 0)
        return r;
    dw_time_t now = dw__now(e);
    size_t i;
    json_t *h;
    json_array_foreach(hooks, i, h) {
        int64_t id = dw_json_int(h, "id", 0), last = dw_json_int(h, "last_seq", 0);
        const char *types = dw_json_str(h, "events");
        json_t *evs = NULL;
        if ((r = dw_events_since(e, last, 500, &evs, err)) < 0)
            break;
        if (json_array_size(evs) == 0) {
            json_decref(evs);
            continue;
        }
        if ((r = s->ops->begin(s, err)) < 0) {
            json_decref(evs);
            break;
        }
        size_t j;
        json_t *ev;
        json_array_foreach(evs, j, ev) {
            int64_t seq = dw_json_int(ev, "seq", 0);
            const char *type = dw_json_str(ev, "type");
            last = seq;
            if (!type || !subscribed(types, type))
                continue;
            char *body = delivery_body(ev, id);
            r = s->ops->delivery_insert(s, id, seq, type, body ? body : "{}", now_ms(), now, err);
            free(body);
            if (r < 0)
                break;
            stats->enqueued++;
        }
        if (r >= 0)
            r = s->ops->webhook_advance(s, id, last, err);
        json_decref(evs);
        if (r >= 0)
            r = s->ops->commit(s, err);
        if (r < 0) {
            s->ops->rollback(s);
            break;
        }
    }
    json_decref(hooks);
    return r < 0 ? r : 0;
}

struct response {
    size_t n;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud) {
    (void)p;
    struct response *resp = ud;
    size_t n = size * nmemb;
    if (resp->n + n > RESPONSE_MAX)
        return 0; /* stop reading: a receiver's body is not ours to keep */
    resp->n += n;
    return n;
}

/* POST one delivery; *ret_status is the HTTP status, 0 when none came. */
static int post(const json_t *d, long timeout_ms, const struct dw_span *sp, long *ret_status,
                char *errbuf) {
    const char *url = dw_json_str(d, "url"), *secret = dw_json_str(d, "secret");
    const char *body = dw_json_str(d, "body"), *type = dw_json_str(d, "event_type");
    char ts[32], sig[DW_WEBHOOK_SIG_HEX], h[4][160];
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    if (!url || !secret || !body || !type || dw_webhook_sign(secret, ts, body, sig) < 0) {
        snprintf(errbuf, CURL_ERROR_SIZE, "incomplete delivery row");
        return -1;
    }
    snprintf(h[0], sizeof h[0], "X-Dealwright-Timestamp: %s", ts);
    snprintf(h[1], sizeof h[1], "X-Dealwright-Signature: v1=%s", sig);
    snprintf(h[2], sizeof h[2], "X-Dealwright-Event: %s", type);
    snprintf(h[3], sizeof h[3], "X-Dealwright-Delivery: %lld", (long long)dw_json_int(d, "id", 0));
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    for (int i = 0; i < 4; i++)
        hl = curl_slist_append(hl, h[i]);
    hl = curl_slist_append(hl, "Expect:");
    if (sp) { /* the receiver may continue the lead's trace (W3C Trace Context) */
        char tp[sizeof "traceparent: " + DW_TRACEPARENT_SIZE] = "traceparent: ";
        dw_traceparent_format(dw_span_ctx(sp), tp + strlen(tp));
        hl = curl_slist_append(hl, tp);
    }
    CURL *c = curl_easy_init();
    struct response resp = {0};
    CURLcode rc = CURLE_FAILED_INIT;
    if (c && hl) {
        errbuf[0] = '\0';
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(c, CURLOPT_USERAGENT, "dealwright-webhooks/1");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        rc = curl_easy_perform(c);
    }
    *ret_status = 0;
    if (c)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
    if (rc == CURLE_WRITE_ERROR && *ret_status > 0)
        rc = CURLE_OK; /* the response was too long to read; its status stands */
    if (rc != CURLE_OK && !errbuf[0])
        snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    sodium_memzero(sig, sizeof sig);
    return rc == CURLE_OK ? 0 : -1;
}

/* A delivery's span: a child of the context its event carries (data.traceparent, written by
 * the step or request that made the event), else of the deal's trace. Attributes are ids,
 * the event type and the receiver's host, never the URL's path or query (which may hold a
 * receiver's secret) nor the body. NULL without a tracer. */
static struct dw_span *delivery_span(struct dw_engine *e, const json_t *d) {
    if (!e->tracer)
        return NULL;
    struct dw_trace_ctx parent;
    bool have = false;
    _cleanup_json_ json_t *body =
        json_loads(dw_json_str(d, "body") ? dw_json_str(d, "body") : "", 0, NULL);
    int64_t deal_id = dw_json_int(body, "deal_id", 0);
    have = dw_traceparent_parse(dw_json_str(json_object_get(body, "data"), "traceparent"),
                                &parent) == 0;
    if (!have && deal_id > 0)
        have = dw__deal_trace(e, deal_id, &parent);
    struct dw_span *sp =
        dw_span_start(e->tracer, "webhook delivery", DW_SPAN_CLIENT, have ? &parent : NULL);
    dw__span_deal(sp, deal_id);
    dw_span_int(sp, "dealwright.delivery.id", dw_json_int(d, "id", 0));
    dw_span_int(sp, "dealwright.webhook.id", dw_json_int(d, "webhook_id", 0));
    dw_span_str(sp, "dealwright.event.type", dw_json_str(d, "event_type"));
    CURLU *u = curl_url();
    char *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, dw_json_str(d, "url"), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        dw_span_str(sp, "server.address", host);
    curl_free(host);
    curl_url_cleanup(u);
    dw_span_str(sp, "http.request.method", "POST");
    return sp;
}

static void delivery_span_end(struct dw_span *sp, int attempts, const char *state, long status,
                              bool no_answer) {
    if (!sp)
        return;
    dw_span_int(sp, "dealwright.delivery.attempt", attempts);
    dw_span_str(sp, "dealwright.delivery.status", state);
    if (status > 0)
        dw_span_int(sp, "http.response.status_code", status);
    if (strcmp(state, "delivered") != 0)
        dw_span_error(sp, no_answer ? "no answer" : "not 2xx");
    dw_span_end(sp);
}

/* libcurl's global state, set up once before the first request of any thread. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;
static void curl_init(void) {
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int64_t dw_webhook_backoff_ms(int attempts, int64_t base_ms) {
    int64_t d = base_ms;
    for (int i = 1; i < attempts && d < 3600 * 1000; i++)
        d *= 2;
    if (d > 3600 * 1000)
        d = 3600 * 1000;
    return d + (d > 1 ? (int64_t)randombytes_uniform((uint32_t)(d / 2 + 1)) : 0);
}

/* A pass's rules: the workspace's (dealwright.yaml webhooks:, the same for every instance
 * that reads it), each overridden by a non-zero option of this process (NULL: none). */
struct rules {
    int max_attempts;
    int64_t base; /* the first retry's delay, ms */
    long timeout; /* a post's, ms */
};
static struct rules rules_of(const struct dw_engine *e, const struct dw_webhook_opts *o) {
    const struct dw_webhook_config *w = &e->ws->webhooks;
    return (struct rules){
        .max_attempts = o && o->max_attempts > 0 ? o->max_attempts
                        : w->attempts > 0        ? w->attempts
                                                 : 8,
        .base = o && o->backoff_ms > 0 ? o->backoff_ms
                : w->backoff_ms > 0    ? w->backoff_ms
                                       : 1000,
        .timeout = o && o->timeout_ms > 0 ? o->timeout_ms
                   : w->timeout_ms > 0    ? (long)w->timeout_ms
                                          : 10000,
    };
}

/* Take delivery d for one post (delivery_claim): *ret_mine when no other sender has it; it
 * is another sender's again once the post's timeout and CLAIM_SLACK_MS have passed. */
static int claim(struct dw_store *s, const json_t *d, int64_t now, const struct rules *ru,
                 bool *ret_mine, struct dw_error *err) {
    return s->ops->delivery_claim(s, dw_json_int(d, "id", 0), dw_json_int(d, "attempts", 0), now,
                                  now + ru->timeout + CLAIM_SLACK_MS, ret_mine, err);
}

/* Post delivery d once and record the outcome: 2xx delivered; else pending again after the
 * backoff, or dead after max_attempts. *ret_next (may be NULL) is when it is due again (ms
 * since the epoch; 0 when delivered or dead). */
static int attempt(struct dw_engine *e, const json_t *d, const struct rules *ru,
                   struct dw_webhook_stats *stats, int64_t *ret_next, struct dw_error *err) {
    struct dw_store *s = e->store;
    long status = 0;
    char cerr[CURL_ERROR_SIZE] = "";
    struct dw_span *sp = delivery_span(e, d);
    int ok = post(d, ru->timeout, sp, &status, cerr);
    int attempts = (int)dw_json_int(d, "attempts", 0) + 1;
    const char *state = "delivered";
    char why[ERROR_MAX] = "";
    int64_t next = 0;
    if (ok < 0 || status < 200 || status > 299) {
        if (ok < 0)
            snprintf(why, sizeof why, "%.150s", cerr);
        else
            snprintf(why, sizeof why, "HTTP %ld", status);
        state = attempts >= ru->max_attempts ? "dead" : "pending";
        next = now_ms() + dw_webhook_backoff_ms(attempts, ru->base);
    }
    struct dw_delivery_update up = {
        .id = dw_json_int(d, "id", 0),
        .status = state,
        .attempts = attempts,
        .next_at_ms = next,
        .last_status = status > 0 ? (int)status : 0,
        .last_error = why,
    };
    delivery_span_end(sp, attempts, state, status, ok < 0);
    int r = s->ops->delivery_update(s, &up, err);
    if (r < 0)
        return r;
    if (strcmp(state, "delivered") == 0)
        stats->delivered++;
    else if (strcmp(state, "dead") == 0)
        stats->dead++;
    else
        stats->failed++;
    if (ret_next)
        *ret_next = strcmp(state, "pending") == 0 ? next : 0;
    return 0;
}

static int deliver_setup(struct dw_error *err) {
    if (sodium_init() < 0)
        return dw_error_set(err, -DW_EINTERNAL, "libsodium could not start");
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return dw_error_set(err, -DW_EINTERNAL, "libcurl could not start: %s",
                            curl_easy_strerror(curl_init_rc));
    return 0;
}

int dw_webhook_deliver(struct dw_engine *e, const struct dw_webhook_opts *o,
                       struct dw_webhook_stats *stats, struct dw_error *err) {
    const struct rules ru = rules_of(e, o);
    int r = deliver_setup(err);
    if (r < 0 || (r = enqueue(e, stats, err)) < 0)
        return r;
    struct dw_store *s = e->store;
    json_t *due = NULL;
    r = s->ops->deliveries_due(s, now_ms(), 100, &due, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *d;
    json_array_foreach(due, i, d) {
        if (o && o->stop && *o->stop)
            break;
        if ((r = attempt(e, d, &ru, stats, NULL, err)) < 0)
            break;
    }
    json_decref(due);
    return r < 0 ? r : 0;
}

/* ---- one event's deliveries, for the consumer shared by instances (events.c) ----------
 * The same rules as a pass of dw_webhook_deliver, for the subscriptions of one event: a
 * delivery row per subscription that takes the event (made before the event: its last_seq
 * at creation is below the seq), inserted once whoever inserts it, then posted when it is
 * pending and due. The subscriptions' last_seq are left alone (an event may come back after
 * later ones). *ret_retry_ms: 0 when every delivery of the event is delivered or dead, else
 * how long until the earliest pending one is due. progress(ud) (may be NULL) before each
 * post: the caller tells the stream the message is still being worked on. */
int dw__webhook_deliver_event(struct dw_engine *e, const json_t *ev, const json_t *hooks,
                              const struct dw_webhook_opts *o, void (*progress)(void *ud), void *ud,
                              struct dw_webhook_stats *stats, int64_t *ret_retry_ms,
                              struct dw_error *err) {
    const struct rules ru = rules_of(e, o);
    int64_t seq = dw_json_int(ev, "seq", 0), retry_at = 0;
    const char *type = dw_json_str(ev, "type");
    *ret_retry_ms = 0;
    int r = deliver_setup(err);
    if (r < 0)
        return r;
    if (!type || seq <= 0)
        return 0; /* not an event of the log: nothing to deliver */
    struct dw_store *s = e->store;
    size_t i;
    json_t *h;
    json_array_foreach(hooks, i, h) {
        int64_t id = dw_json_int(h, "id", 0);
        const char *types = dw_json_str(h, "events");
        if (dw_json_int(h, "last_seq", 0) >= seq || !types || !subscribed(types, type))
            continue;
        char *body = delivery_body(ev, id);
        if (!body)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        r = s->ops->delivery_insert(s, id, seq, type, body, now_ms(), dw__now(e), err);
        free(body);
        if (r < 0)
            return r;
        stats->enqueued++;
        json_t *d = NULL;
        if ((r = s->ops->delivery_for_event(s, id, seq, &d, err)) < 0)
            return r;
        int64_t next = 0;
        if (strcmp(dw_json_str(d, "status") ? dw_json_str(d, "status") : "", "pending") == 0) {
            next = dw_json_int(d, "next_at", 0);
            bool mine = false;
            int64_t now = now_ms();
            if (next <= now && !(o && o->stop && *o->stop)) {
                /* claimed first: the sweep of another instance may be at the same row */
                r = claim(s, d, now, &ru, &mine, err);
                next = now + ru.timeout + CLAIM_SLACK_MS; /* unless posted: look again then */
            }
            if (r >= 0 && mine) {
                if (progress)
                    progress(ud);
                r = attempt(e, d, &ru, stats, &next, err);
            }
        }
        json_decref(d);
        if (r < 0)
            return r;
        if (next > 0 && (retry_at == 0 || next < retry_at))
            retry_at = next;
    }
    if (retry_at > 0) {
        int64_t wait = retry_at - now_ms();
        *ret_retry_ms = wait > 0 ? wait : 1;
    }
    return 0;
}

/* The pending deliveries that are due, whoever made them, each claimed before it is posted
 * (delivery_claim), so that instances sweeping at once post each one once: with --events,
 * what no event message brings back any more (a replayed dead delivery, a message given
 * up). The rules of dw_webhook_deliver otherwise. */
int dw__webhook_sweep(struct dw_engine *e, const struct dw_webhook_opts *o,
                      struct dw_webhook_stats *stats, struct dw_error *err) {
    const struct rules ru = rules_of(e, o);
    int r = deliver_setup(err);
    if (r < 0)
        return r;
    struct dw_store *s = e->store;
    json_t *due = NULL;
    if ((r = s->ops->deliveries_due(s, now_ms(), 100, &due, err)) < 0)
        return r;
    size_t i;
    json_t *d;
    json_array_foreach(due, i, d) {
        if (o && o->stop && *o->stop)
            break;
        bool mine = false;
        int64_t now = now_ms();
        if ((r = claim(s, d, now, &ru, &mine, err)) < 0)
            break;
        if (mine && (r = attempt(e, d, &ru, stats, NULL, err)) < 0)
            break;
    }
    json_decref(due);
    return r < 0 ? r : 0;
}

/* The OTLP/HTTP exporter (include/dealwright/trace.h): a bounded queue of ended spans and one
 * thread posting them in batches with libcurl.
 *
 * Never block the work: dw_span_end takes the queue's mutex only to append a pointer; when
 * the queue holds opts.queue spans the new one is dropped and counted (dw_tracer_stats), so a
 * collector that is down or slow costs memory up to the bound and nothing else. The thread
 * wakes when a batch is full or opts.interval_ms has passed, and posts outside the mutex.
 *
 * The protocol (OpenTelemetry protocol specification, OTLP/HTTP): POST URL/v1/traces with
 * Content-Type: application/json and the ExportTraceServiceRequest (trace.c encodes it);
 * success is any 2xx (a partial_success in the answer is not read: those spans are the
 * collector's to count). 429, 502, 503 and 504 and failures to connect are retryable:
 * the batch is posted once more after a second (less when closing), then counted failed
 * and dropped — a trace is never worth unbounded memory. No redirects, no proxy from the
 * environment (the library reads none), http and https only.
 *
 * dw_tracer_close posts what is queued, a batch at a time within each request's deadline,
 * then joins the thread: the spans of a command that exits are not lost. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "base/base.h"
#include "base/trace.h"

#define URL_MAX 2048

struct dw_tracer {
    char *url;
    char *service;
    unsigned cap, batch;
    int interval_ms, timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t wake, idle;
    struct dw_span **q; /* ring of cap */
    unsigned head, n;
    bool stop, posting;
    uint64_t flush_gen, done_gen; /* dw_tracer_flush asks; the thread answers */
    struct dw_tracer_stats st;
    pthread_t thread;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_rc = CURLE_FAILED_INIT;
static void curl_start(void) {
    curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard(char *p, size_t size, size_t n, void *ud) {
    (void)p, (void)ud;
    return size * n;
}

/* One POST: 0 on 2xx, 1 when retryable, -1 otherwise. */
static int post(struct dw_tracer *t, const char *body) {
    CURL *c = curl_easy_init();
    if (!c)
        return 1;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *h2 = h ? curl_slist_append(h, "Expect:") : NULL;
    if (h2)
        h = h2;
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)t->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(t->timeout_ms < 2000 ? t->timeout_ms : 2000));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dealwright-otlp/1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    if (rc == CURLE_OK && status >= 200 && status < 300)
        return 0;
    if (rc != CURLE_OK)
        return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
                       rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING
                   ? 1
                   : -1;
    return status == 429 || status == 502 || status == 503 || status == 504 ? 1 : -1;
}

static void wait_ms(struct dw_tracer *t, int ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&t->wake, &t->mu, &until);
}

/* Post the spans taken (mutex not held), free them, count. */
static void export_batch(struct dw_tracer *t, struct dw_span **spans, unsigned n) {
    char *body = dw__otlp_encode(t->service, spans, n);
    int r = body ? post(t, body) : -1;
    uint64_t tries = body ? 1 : 0;
    if (r > 0) {
        pthread_mutex_lock(&t->mu);
        if (!t->stop)
            wait_ms(t, 1000);
        pthread_mutex_unlock(&t->mu);
        r = post(t, body);
        tries++;
    }
    free(body);
    for (unsigned i = 0; i < n; i++)
        free(spans[i]);
    pthread_mutex_lock(&t->mu);
    t->st.requests += tries;
    if (r == 0)
        t->st.exported += n;
    else
        t->st.failed += n;
    pthread_mutex_unlock(&t->mu);
}

static void *run(void *ud) {
    struct dw_tracer *t = ud;
    struct dw_span **spans = calloc(t->batch, sizeof *spans);
    pthread_mutex_lock(&t->mu);
    for (;;) {
        if (t->n < t->batch && !t->stop && t->flush_gen == t->done_gen)
            wait_ms(t, t->interval_ms);
        if (t->n == 0) {
            t->done_gen = t->flush_gen;
            pthread_cond_broadcast(&t->idle);
            if (t->stop)
                break;
            continue;
        }
        uint64_t gen = t->flush_gen;
        unsigned k = 0;
        while (t->n > 0 && k < t->batch && spans) {
            spans[k++] = t->q[t->head];
            t->head = (t->head + 1) % t->cap;
            t->n--;
        }
        t->posting = true;
        pthread_mutex_unlock(&t->mu);
        if (spans)
            export_batch(t, spans, k);
        pthread_mutex_lock(&t->mu);
        t->posting = false;
        if (t->n == 0) {
            t->done_gen = gen;
            pthread_cond_broadcast(&t->idle);
        }
        if (!spans) { /* no memory for a batch: drop what is queued rather than hold it */
            while (t->n > 0) {
                free(t->q[t->head]);
                t->head = (t->head + 1) % t->cap;
                t->n--;
                t->st.failed++;
            }
        }
    }
    pthread_mutex_unlock(&t->mu);
    free(spans);
    return NULL;
}

int dw__tracer_push(struct dw_tracer *t, struct dw_span *s) {
    if (!t)
        return -1;
    pthread_mutex_lock(&t->mu);
    t->st.ended++;
    if (t->n >= t->cap || t->stop) {
        t->st.dropped++;
        pthread_mutex_unlock(&t->mu);
        return -1;
    }
    t->q[(t->head + t->n) % t->cap] = s;
    t->n++;
    if (t->n >= t->batch)
        pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->mu);
    return 0;
}

static char *traces_url(const char *url) {
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    static const char path[] = "/v1/traces";
    bool has =
        n >= sizeof path - 1 && strncmp(url + n - (sizeof path - 1), path, sizeof path - 1) == 0;
    char *out = malloc(n + sizeof path);
    if (!out)
        return NULL;
    memcpy(out, url, n);
    if (has)
        out[n] = '\0';
    else
        memcpy(out + n, path, sizeof path);
    return out;
}

int dw_tracer_open(const char *url, const struct dw_tracer_opts *o, struct dw_tracer **ret,
                   struct dw_error *err) {
    static const struct dw_tracer_opts defaults = {0};
    if (!o)
        o = &defaults;
    *ret = NULL;
    if (!url || strlen(url) > URL_MAX ||
        !((strncmp(url, "http://", 7) == 0 && url[7]) ||
          (strncmp(url, "https://", 8) == 0 && url[8])) ||
        strpbrk(url, " \t\r\n"))
        return dw_error_field(err, -DW_EINVAL, "otlp",
                              "expected the collector's http:// or https:// URL "
                              "(http://127.0.0.1:4318), at most %d characters",
                              URL_MAX);
    pthread_once(&curl_once, curl_start);
    if (curl_rc != CURLE_OK)
        return dw_error_set(err, -DW_EINTERNAL, "libcurl could not start: %s",
                            curl_easy_strerror(curl_rc));
    struct dw_tracer *t = calloc(1, sizeof *t);
    if (!t)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    t->cap = o->queue ? o->queue : 4096;
    if (t->cap > 1000000)
        t->cap = 1000000;
    t->batch = o->batch ? o->batch : 512;
    if (t->batch > 10000)
        t->batch = 10000;
    t->interval_ms = o->interval_ms > 0 ? o->interval_ms : 1000;
    t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    t->url = traces_url(url);
    t->service = strdup(o->service ? o->service : "dealwright");
    t->q = calloc(t->cap, sizeof *t->q);
    if (!t->url || !t->service || !t->q) {
        free(t->url);
        free(t->service);
        free(t->q);
        free(t);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->wake, NULL);
    pthread_cond_init(&t->idle, NULL);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->wake);
        pthread_cond_destroy(&t->idle);
        free(t->url);
        free(t->service);
        free(t->q);
        free(t);
        return dw_error_set(err, -DW_EINTERNAL, "cannot start the trace exporter's thread");
    }
    *ret = t;
    return 0;
}

void dw_tracer_stats(struct dw_tracer *t, struct dw_tracer_stats *ret) {
    memset(ret, 0, sizeof *ret);
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    *ret = t->st;
    pthread_mutex_unlock(&t->mu);
}

void dw_tracer_flush(struct dw_tracer *t, int timeout_ms) {
    if (!t)
        return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&t->mu);
    uint64_t gen = ++t->flush_gen;
    pthread_cond_signal(&t->wake);
    while (t->done_gen < gen && !t->stop)
        if (pthread_cond_timedwait(&t->idle, &t->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&t->mu);
}

void dw_tracer_close(struct dw_tracer *t) {
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    for (unsigned i = 0; i < t->n; i++)
        free(t->q[(t->head + i) % t->cap]);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->wake);
    pthread_cond_destroy(&t->idle);
    free(t->q);
    free(t->url);
    free(t->service);
    free(t);
}

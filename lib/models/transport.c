/* models/transport — the one HTTP client of the providers (libcurl's easy interface).
 *
 * Limits, and why: one deadline for the whole exchange (CURLOPT_TIMEOUT_MS, the call's
 * deadline less what retries have used) and a shorter one for connecting, so that an
 * unreachable provider costs seconds, never a stalled deal; at most DW_MODEL_MAX_RESPONSE
 * bytes of answer (the write callback stops the transfer past it); http and https only,
 * no redirects (a provider that redirects is misconfigured, and a redirect could carry the
 * key elsewhere); no proxy from the environment (the library reads none: CURLOPT_PROXY "").
 * libcurl initialises itself on the first easy handle (thread-safe since 7.84).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/provider.h"

#define DW__CONNECT_MS 5000

struct sink {
    char *data;
    size_t len, cap;
    bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
    struct sink *s = ud;
    size_t k = size * n;
    if (s->len + k > DW_MODEL_MAX_RESPONSE) {
        s->too_big = true;
        return 0; /* stops the transfer */
    }
    if (s->len + k + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8192;
        while (cap < s->len + k + 1)
            cap *= 2;
        char *d = realloc(s->data, cap);
        if (!d)
            return 0;
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, p, k);
    s->len += k;
    s->data[s->len] = '\0';
    return k;
}

int64_t dw_retry_after_parse(const char *v, time_t now) {
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v >= '0' && *v <= '9') {
        char *end;
        double s = strtod(v, &end);
        if (s < 0 || s > 86400)
            return -1;
        return (int64_t)(s * 1000);
    }
    time_t t = curl_getdate(v, NULL); /* an HTTP date */
    if (t < 0)
        return -1;
    return t > now ? (int64_t)(t - now) * 1000 : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    struct dw_http_exchange *x = ud;
    size_t k = size * n;
    static const char name[] = "retry-after:";
    if (k > sizeof name && strncasecmp(p, name, sizeof name - 1) == 0) {
        char v[128];
        size_t l = k - (sizeof name - 1);
        if (l >= sizeof v)
            l = sizeof v - 1;
        memcpy(v, p + sizeof name - 1, l);
        v[l] = '\0';
        v[strcspn(v, "\r\n")] = '\0';
        x->retry_after_ms = dw_retry_after_parse(v, time(NULL));
    }
    return k;
}

int dw_http_post(struct dw_http_exchange *x) {
    x->status = 0;
    x->resp = NULL;
    x->resp_len = 0;
    x->retry_after_ms = -1;
    x->timed_out = false;
    x->error[0] = '\0';
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(x->error, sizeof x->error, "cannot start an HTTP client");
        return -DW_ENOMEM;
    }
    struct sink s = {0};
    long timeout = x->timeout_ms > 0 ? (long)x->timeout_ms : 1;
    curl_easy_setopt(h, CURLOPT_URL, x->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout < DW__CONNECT_MS ? timeout : DW__CONNECT_MS);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "dealwright");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        free(s.data);
        x->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        snprintf(x->error, sizeof x->error, "%s",
                 s.too_big      ? "the answer is larger than the limit"
                 : x->timed_out ? "no answer before the deadline"
                                : curl_easy_strerror(rc));
        return s.too_big ? -DW_ETOOBIG : -DW_EAGAIN;
    }
    x->status = (int)status;
    x->resp = s.data ? s.data : strdup("");
    x->resp_len = s.len;
    return x->resp ? 0 : -DW_ENOMEM;
}

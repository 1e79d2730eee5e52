/* models/provider — the registry of wire APIs and one exchange (provider.h). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/trace.h"
#include "models/provider.h"

const char *const dw_provider_outcome_names[] = {
    [DW_PROV_OK] = "ok",
    [DW_PROV_TRANSIENT] = "unavailable",
    [DW_PROV_FAILED] = "failed",
    [DW_PROV_FILTERED] = "filtered",
    [DW_PROV_TRUNCATED] = "truncated",
    [DW_PROV_MALFORMED] = "malformed",
    [DW_PROV_REFUSED] = "refused",
};

/* api: of models.yaml -> implementation; azure is Chat Completions with its own auth. */
static const struct dw_provider_ops *const registry[DW_MODEL_API__N] = {
    [DW_MODEL_API_OPENAI] = &dw_provider_openai,
    [DW_MODEL_API_AZURE] = &dw_provider_openai,
    [DW_MODEL_API_ANTHROPIC] = &dw_provider_anthropic,
};

const struct dw_provider_ops *dw_provider_for(enum dw_model_api api) {
    return (unsigned)api < DW_MODEL_API__N ? registry[api] : NULL;
}

void dw_provider_resp_release(struct dw_provider_resp *r) {
    json_decref(r->json);
    r->json = NULL;
}

void dw_provider_call(const struct dw_provider_req *req, struct dw_provider_resp *ret) {
    memset(ret, 0, sizeof *ret);
    ret->retry_after_ms = -1;
    const struct dw_provider_ops *ops = dw_provider_for(req->p->api);
    char *url = NULL, *body = NULL;
    struct curl_slist *headers = NULL;
    if (!ops || ops->build(req, &url, &headers, &body) < 0) {
        ret->outcome = DW_PROV_FAILED;
        snprintf(ret->why, sizeof ret->why, "cannot build the request");
        goto out;
    }
    /* A span of the step that asks (the thread's current one), and its traceparent sent */
    struct dw_span *cur = dw_trace_current();
    struct dw_span *sp =
        dw_span_start(dw_span_tracer(cur), "model call", DW_SPAN_CLIENT, dw_span_ctx(cur));
    if (sp) {
        char tp[sizeof "traceparent: " + DW_TRACEPARENT_SIZE] = "traceparent: ";
        dw_traceparent_format(dw_span_ctx(sp), tp + strlen(tp));
        struct curl_slist *h = curl_slist_append(headers, tp);
        if (h)
            headers = h;
        dw_span_str(sp, "dealwright.model.provider", req->p->id);
        dw_span_str(sp, "gen_ai.request.model", req->p->model);
    }
    struct dw_http_exchange x = {
        .url = url, .headers = headers, .body = body, .timeout_ms = req->timeout_ms};
    int r = dw_http_post(&x);
    ret->retry_after_ms = x.retry_after_ms;
    if (r < 0) {
        ret->outcome = r == -DW_ETOOBIG ? DW_PROV_MALFORMED : DW_PROV_TRANSIENT;
        snprintf(ret->why, sizeof ret->why, "%s", x.error);
        dw_span_error(sp, r == -DW_ETOOBIG ? "answer too large" : "no answer");
        dw_span_end(sp);
        goto out;
    }
    ret->http_status = x.status;
    ops->parse(req, x.status, x.resp, x.resp_len, ret);
    free(x.resp);
    if (sp) {
        dw_span_int(sp, "http.response.status_code", x.status);
        dw_span_str(sp, "dealwright.model.outcome", dw_provider_outcome_names[ret->outcome]);
        if (ret->outcome != DW_PROV_OK)
            dw_span_error(sp, dw_provider_outcome_names[ret->outcome]);
        dw_span_end(sp);
    }
out:
    free(url);
    free(body);
    curl_slist_free_all(headers);
}

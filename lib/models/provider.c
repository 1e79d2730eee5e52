/* models/provider — the registry of wire APIs and one exchange (provider.h). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    struct dw_http_exchange x = {
        .url = url, .headers = headers, .body = body, .timeout_ms = req->timeout_ms};
    int r = dw_http_post(&x);
    ret->retry_after_ms = x.retry_after_ms;
    if (r < 0) {
        ret->outcome = r == -DW_ETOOBIG ? DW_PROV_MALFORMED : DW_PROV_TRANSIENT;
        snprintf(ret->why, sizeof ret->why, "%s", x.error);
        goto out;
    }
    ret->http_status = x.status;
    ops->parse(req, x.status, x.resp, x.resp_len, ret);
    free(x.resp);
out:
    free(url);
    free(body);
    curl_slist_free_all(headers);
}

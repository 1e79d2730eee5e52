/* models/anthropic — the Messages API (POST BASE/messages, BASE like
 * "https://api.anthropic.com/v1"), as Anthropic documents it.
 *
 * Request: {model, max_tokens, system, messages: [{role: "user", content}], tools: [{name:
 * "answer", description, input_schema}], tool_choice: {type: "tool", name: "answer"},
 * temperature: 0}, headers x-api-key and anthropic-version: 2023-06-01. Structured output
 * comes through that single tool: the answer is the tool_use block's input. The API has no
 * per-request retention switch (zero retention is an agreement with Anthropic), so
 * zero_retention changes nothing here (docs/internals/models.md says so).
 *
 * Answer: content[] with a tool_use block named "answer"; stop_reason "max_tokens" (or
 * "model_context_window_exceeded") is a truncated answer, "refusal" a refused one; a tool_use block
 * of any other name is the model trying to call a tool, refused. Errors: {type: "error", error:
 * {type, message}} with 429 rate_limit_error (Retry-After), 500 api_error and 529 overloaded_error
 * retried.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/provider.h"

static int build(const struct dw_provider_req *req, char **url, struct curl_slist **headers,
                 char **body) {
    const struct dw_model_provider *p = req->p;
    size_t l = strlen(p->base_url);
    if (asprintf(url, "%s%smessages", p->base_url, l && p->base_url[l - 1] == '/' ? "" : "/") < 0)
        return -DW_ENOMEM;
    json_t *o = json_pack(
        "{s:s,s:I,s:s,s:[{s:s,s:s}],s:[{s:s,s:s,s:O}],s:{s:s,s:s},s:i}", "model", p->model,
        "max_tokens", (json_int_t)req->max_tokens, "system", req->system, "messages", "role",
        "user", "content", req->user, "tools", "name", DW_MODEL_ANSWER_TOOL, "description",
        "Give the answer: its input is the whole answer.", "input_schema", req->schema,
        "tool_choice", "type", "tool", "name", DW_MODEL_ANSWER_TOOL, "temperature", 0);
    if (!o)
        return -DW_ENOMEM;
    *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!*body)
        return -DW_ENOMEM;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "anthropic-version: 2023-06-01");
    if (req->key) {
        char *a = NULL;
        if (asprintf(&a, "x-api-key: %s", req->key) < 0)
            return -DW_ENOMEM;
        h = curl_slist_append(h, a);
        free(a);
    }
    *headers = h;
    return h ? 0 : -DW_ENOMEM;
}

static void parse(const struct dw_provider_req *req, int status, const char *body, size_t len,
                  struct dw_provider_resp *ret) {
    (void)req;
    _cleanup_json_ json_t *doc = json_loadb(body, len, 0, NULL);
    if (status != 200) {
        const char *type = dw_json_str(json_object_get(doc, "error"), "type");
        ret->outcome =
            status == 429 || status == 408 || status >= 500 ? DW_PROV_TRANSIENT : DW_PROV_FAILED;
        snprintf(ret->why, sizeof ret->why, "HTTP %d%s%s", status, type ? " " : "",
                 type ? type : "");
        return;
    }
    if (!json_is_object(doc)) {
        ret->outcome = DW_PROV_MALFORMED;
        snprintf(ret->why, sizeof ret->why, "the answer is not a JSON object");
        return;
    }
    const char *model = dw_json_str(doc, "model");
    snprintf(ret->model, sizeof ret->model, "%s", model ? model : "");
    const json_t *usage = json_object_get(doc, "usage");
    ret->tokens_in = dw_json_int(usage, "input_tokens", 0);
    ret->tokens_out = dw_json_int(usage, "output_tokens", 0);
    const char *stop = dw_json_str(doc, "stop_reason");
    snprintf(ret->finish, sizeof ret->finish, "%s", stop ? stop : "");
    if (stop &&
        (strcmp(stop, "max_tokens") == 0 || strcmp(stop, "model_context_window_exceeded") == 0)) {
        ret->outcome = DW_PROV_TRUNCATED;
        snprintf(ret->why, sizeof ret->why, "the answer was cut at max_tokens");
        return;
    }
    if (stop && strcmp(stop, "refusal") == 0) {
        ret->outcome = DW_PROV_FILTERED;
        snprintf(ret->why, sizeof ret->why, "the model refused to answer");
        return;
    }
    const json_t *input = NULL;
    size_t i;
    json_t *block;
    json_array_foreach(json_object_get(doc, "content"), i, block) {
        if (!dw_json_str(block, "type") || strcmp(dw_json_str(block, "type"), "tool_use") != 0)
            continue;
        const char *name = dw_json_str(block, "name");
        if (!name || strcmp(name, DW_MODEL_ANSWER_TOOL) != 0) {
            ret->outcome = DW_PROV_REFUSED;
            snprintf(ret->why, sizeof ret->why, "the model tried to call a tool");
            return;
        }
        input = json_object_get(block, "input");
    }
    if (!json_is_object(input)) {
        ret->outcome = DW_PROV_MALFORMED;
        snprintf(ret->why, sizeof ret->why, "no structured answer (tool_use input) came back");
        return;
    }
    ret->json = json_deep_copy(input);
    ret->outcome = ret->json ? DW_PROV_OK : DW_PROV_MALFORMED;
}

const struct dw_provider_ops dw_provider_anthropic = {
    .api = DW_MODEL_API_ANTHROPIC, .build = build, .parse = parse};

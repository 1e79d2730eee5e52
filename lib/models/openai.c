/* models/openai — the Chat Completions API (POST BASE/chat/completions), as OpenAI
 * documents it and llama.cpp's server, vLLM, Ollama and Azure OpenAI serve it.
 *
 * Request: {model, messages: [system, user], response_format: {type: "json_schema",
 * json_schema: {name, strict: true, schema}}, max_tokens, temperature: 0}, plus
 * "store": false when the provider is marked zero_retention (OpenAI keeps no completion
 * then; servers that do not know the field ignore it). max_tokens rather than
 * max_completion_tokens: every compatible server reads it. Auth: "Authorization: Bearer
 * KEY"; Azure (api: azure) takes "api-key: KEY" and the api-version query parameter on
 * the deployment's URL.
 *
 * Answer: choices[0].message.content is the JSON text; finish_reason "length" is a
 * truncated answer, "content_filter" (and a message.refusal) a filtered one; tool_calls
 * mean the model tried to call a tool, which is refused. Errors: {error: {type, code,
 * message}} with 429 (Retry-After) and 5xx retried; Azure's filter answers 400 with code
 * "content_filter".
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/provider.h"

static int build(const struct dw_provider_req *req, char **url, struct curl_slist **headers,
                 char **body) {
    const struct dw_model_provider *p = req->p;
    bool azure = p->api == DW_MODEL_API_AZURE;
    size_t l = strlen(p->base_url);
    const char *slash = l && p->base_url[l - 1] == '/' ? "" : "/";
    int n = azure ? asprintf(url, "%s%schat/completions?api-version=%s", p->base_url, slash,
                             p->api_version ? p->api_version : "")
                  : asprintf(url, "%s%schat/completions", p->base_url, slash);
    if (n < 0)
        return -DW_ENOMEM;
    json_t *o = json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}],s:{s:s,s:{s:s,s:b,s:O}},s:I,s:i}", "model",
                          p->model, "messages", "role", "system", "content", req->system, "role",
                          "user", "content", req->user, "response_format", "type", "json_schema",
                          "json_schema", "name", "answer", "strict", 1, "schema", req->schema,
                          "max_tokens", (json_int_t)req->max_tokens, "temperature", 0);
    if (!o)
        return -DW_ENOMEM;
    if (p->zero_retention)
        json_object_set_new(o, "store", json_false());
    *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!*body)
        return -DW_ENOMEM;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    if (req->key) {
        char *a = NULL;
        if (asprintf(&a, azure ? "api-key: %s" : "Authorization: Bearer %s", req->key) < 0)
            return -DW_ENOMEM;
        h = curl_slist_append(h, a);
        free(a);
    }
    *headers = h;
    return h ? 0 : -DW_ENOMEM;
}

/* The error object's type or code, which name the failure without the body's text. */
static void error_name(const json_t *doc, char *buf, size_t size) {
    const json_t *e = json_object_get(doc, "error");
    const char *code = dw_json_str(e, "code"), *type = dw_json_str(e, "type");
    snprintf(buf, size, "%s", code ? code : type ? type : "");
}

static void parse(const struct dw_provider_req *req, int status, const char *body, size_t len,
                  struct dw_provider_resp *ret) {
    (void)req;
    _cleanup_json_ json_t *doc = json_loadb(body, len, 0, NULL);
    if (status != 200) {
        char name[64];
        error_name(doc, name, sizeof name);
        if (status == 429 || status == 408 || status >= 500)
            ret->outcome = DW_PROV_TRANSIENT;
        else if (strcmp(name, "content_filter") == 0)
            ret->outcome = DW_PROV_FILTERED;
        else
            ret->outcome = DW_PROV_FAILED;
        snprintf(ret->why, sizeof ret->why, "HTTP %d%s%s", status, name[0] ? " " : "", name);
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
    ret->tokens_in = dw_json_int(usage, "prompt_tokens", 0);
    ret->tokens_out = dw_json_int(usage, "completion_tokens", 0);
    const json_t *choice = json_array_get(json_object_get(doc, "choices"), 0);
    const json_t *msg = json_object_get(choice, "message");
    const char *finish = dw_json_str(choice, "finish_reason");
    snprintf(ret->finish, sizeof ret->finish, "%s", finish ? finish : "");
    if (!msg) {
        ret->outcome = DW_PROV_MALFORMED;
        snprintf(ret->why, sizeof ret->why, "no choices[0].message in the answer");
        return;
    }
    if (json_array_size(json_object_get(msg, "tool_calls")) ||
        json_object_get(msg, "function_call")) {
        ret->outcome = DW_PROV_REFUSED;
        snprintf(ret->why, sizeof ret->why, "the model tried to call a tool");
        return;
    }
    if ((finish && strcmp(finish, "content_filter") == 0) ||
        json_is_string(json_object_get(msg, "refusal"))) {
        ret->outcome = DW_PROV_FILTERED;
        snprintf(ret->why, sizeof ret->why, "the provider filtered or refused the answer");
        return;
    }
    if (finish && strcmp(finish, "length") == 0) {
        ret->outcome = DW_PROV_TRUNCATED;
        snprintf(ret->why, sizeof ret->why, "the answer was cut at max_tokens");
        return;
    }
    const char *content = dw_json_str(msg, "content");
    json_t *ans = content ? json_loads(content, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(ans)) {
        json_decref(ans);
        ret->outcome = DW_PROV_MALFORMED;
        snprintf(ret->why, sizeof ret->why, "the answer's content is not a JSON object");
        return;
    }
    ret->json = ans;
    ret->outcome = DW_PROV_OK;
}

const struct dw_provider_ops dw_provider_openai = {
    .api = DW_MODEL_API_OPENAI, .build = build, .parse = parse};

/* models/provider — one interface in front of every wire API (docs/internals/models.md).
 *
 * A provider turns a request (instructions, the data block, the JSON Schema the answer must
 * meet, limits) into one HTTP exchange and the answer back into a response (the structured
 * JSON or the text, the finish reason, token counts), in its API's documented shapes. It
 * knows nothing of masking, screening, budgets, retries or the journal: models.c does those
 * for every provider alike. One file per wire API (openai.c: Chat Completions, which
 * llama.cpp, vLLM, Ollama and Azure OpenAI speak too; anthropic.c: the Messages API), all
 * over one libcurl transport (transport.c).
 */
#ifndef DW_MODELS_PROVIDER_H
#define DW_MODELS_PROVIDER_H

#include "base/base.h"
#include <time.h>

#include "workspace/workspace.h"

struct curl_slist;

#define DW_MODEL_MAX_RESPONSE (1u << 20) /* bytes of one HTTP answer */

struct dw_provider_req {
    const struct dw_model_provider *p;
    const char *key;      /* NULL: none sent */
    const char *system;   /* the instructions (the rendered prompt template) */
    const char *user;     /* the data block */
    const json_t *schema; /* the answer's JSON Schema (object) */
    int64_t max_tokens;   /* of the answer */
    int64_t timeout_ms;   /* the whole exchange */
};

/* What one exchange gave. */
enum dw_provider_outcome {
    DW_PROV_OK,        /* an answer: json set */
    DW_PROV_TRANSIENT, /* 429, 5xx, overloaded, timeout, connection: worth a retry */
    DW_PROV_FAILED,    /* a refusal of the request itself (4xx), not worth a retry */
    DW_PROV_FILTERED,  /* the provider's content filter or a refusal stopped the answer */
    DW_PROV_TRUNCATED, /* the answer hit max_tokens */
    DW_PROV_MALFORMED, /* the body or the answer is not what the API documents / not JSON */
    DW_PROV_REFUSED,   /* the model tried to call a tool other than the answer's */
};
extern const char *const dw_provider_outcome_names[];

struct dw_provider_resp {
    enum dw_provider_outcome outcome;
    json_t *json;    /* the structured answer (DW_PROV_OK) */
    char finish[32]; /* the API's own finish / stop reason, "" when none */
    int64_t tokens_in, tokens_out;
    int http_status;        /* 0: no HTTP answer */
    int64_t retry_after_ms; /* Retry-After, -1 when absent */
    char model[128];        /* the model that answered, as the API names it */
    char why[200];          /* for anything but OK: what, without the body's text */
};
void dw_provider_resp_release(struct dw_provider_resp *r);

/* One HTTP exchange (transport.c). */
struct dw_http_exchange {
    const char *url;
    struct curl_slist *headers;
    const char *body;
    int64_t timeout_ms;
    /* out */
    int status; /* 0: none (a connection failure or a timeout) */
    char *resp; /* the body, NUL-terminated; caller frees */
    size_t resp_len;
    int64_t retry_after_ms; /* -1 when absent */
    bool timed_out;
    char error[160];
};
int dw_http_post(struct dw_http_exchange *x);
/* "Retry-After: 3" or an HTTP date, into ms from now (-1 when unreadable). */
int64_t dw_retry_after_parse(const char *value, time_t now);

struct dw_provider_ops {
    enum dw_model_api api;
    /* The exchange: url (caller frees), headers (curl_slist_free_all), body (caller frees). */
    int (*build)(const struct dw_provider_req *req, char **url, struct curl_slist **headers,
                 char **body);
    /* Read the answer of an exchange with HTTP status `status` into ret. */
    void (*parse)(const struct dw_provider_req *req, int status, const char *body, size_t len,
                  struct dw_provider_resp *ret);
};

extern const struct dw_provider_ops dw_provider_openai, dw_provider_anthropic;
/* The implementation of an api: name of models.yaml (every entry of DW_MODEL_API_LIST has
 * one). */
const struct dw_provider_ops *dw_provider_for(enum dw_model_api api);

/* Build, send and read one request (no retry). */
void dw_provider_call(const struct dw_provider_req *req, struct dw_provider_resp *ret);

/* The name of the one tool through which Anthropic's structured output comes back. */
#define DW_MODEL_ANSWER_TOOL "answer"

#endif

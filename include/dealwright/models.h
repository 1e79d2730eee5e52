/* dealwright — language models under governance (docs/internals/models.md).
 *
 * A workspace with a models.yaml lets agents ask a model for a task (extraction, drafting,
 * answers); each call takes the trust path (masking, screening, budgets, retries, the
 * circuit breaker) and is journaled before its answer is used. The keys of the providers
 * come from the engine's option model_key (struct dw_engine_opts). */
#ifndef DEALWRIGHT_MODELS_H
#define DEALWRIGHT_MODELS_H

#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* Send each provider of models.yaml (or only `provider`, NULL: all) a tiny structured
 * request: [{id, api, base_url, model, ok, latency_ms, structured, answered_by, tokens,
 * error}]. ok: the provider answered; structured: the answer met the JSON Schema sent.
 * -DW_ENOENT when the workspace has no models.yaml or no such provider. */
DW_EXPORT int dw_model_check(struct dw_engine *e, const char *provider, json_t **ret,
                             struct dw_error *err);
/* One question through the governed path, as an agent asks it (prompt authors try their
 * prompts with it): task and prompt as models.yaml and prompts/ name them, vars the
 * template's data (customer text as data), schema the answer's JSON Schema. With deal_id
 * (0: none) the call is journaled under that deal (the deal's contact masked as in its
 * steps), and asking the same again replays the journaled answer. Result: {answer (null
 * when none), call, replayed, model, why}; the answer has its placeholders restored. */
struct dw_model_request {
    int64_t deal_id;
    const char *task, *prompt, *purpose;
    const json_t *vars, *schema;
};
DW_EXPORT int dw_model_ask(struct dw_engine *e, const struct dw_model_request *req, json_t **ret,
                           struct dw_error *err);
/* The model-call journal of a deal, oldest first: [{id, key, at, agent, task, prompt,
 * template_hash, provider, model, request, response, outcome, why, tokens_in, tokens_out,
 * latency_ms, attempts, flags, fallback, verdicts: [{at, verdict, detail}]}]; request and
 * response as sent and received, personal data masked. */
DW_EXPORT int dw_model_calls(struct dw_engine *e, int64_t deal_id, json_t **ret,
                             struct dw_error *err);
/* Aggregates of the whole journal for metrics: [{provider, model, task, outcome, calls,
 * tokens_in, tokens_out, latency_ms_sum, fallbacks, le_100, le_250, le_500, le_1000,
 * le_2500, le_5000, le_10000, le_30000}] (cumulative latency buckets, milliseconds). */
DW_EXPORT int dw_model_stats(struct dw_engine *e, json_t **ret, struct dw_error *err);

#endif

/* models — language models under governance (docs/internals/models.md).
 *
 * The layer between agents and control. Agents never include it: they ask through
 * struct dw_tools (ask_model, model_verdict), which the control plane's gateway fills from
 * here. Every call takes one path, whatever the provider (dw_models_ask):
 *
 *   route      the task's providers in models.yaml; none: no call (the deterministic path)
 *   prompt     prompts/NAME.mustache rendered; the data (customer text included) passed as
 *              quoted JSON in a delimited block, screened for instruction-like text
 *   mask       personal data replaced by stable placeholders (trust.c)
 *   replay     the journal key (deal, agent, task, purpose, hash of the masked request)
 *              looked up: a journaled answer is used again, the provider is not called
 *   budgets    tokens per call, per deal, per UTC day (from the journal); the deadline
 *   breaker    a provider that failed breaker_failures times in a row is skipped until
 *              its cooldown has passed
 *   call       the provider (provider.h), with retries and backoff honouring Retry-After
 *   check      the answer parsed, met against the schema, screened for attempts to call
 *              tools, change policy or grant authority
 *   journal    the masked request, the answer, model, template hash, tokens, latency and
 *              outcome written durably (its own commit) BEFORE the answer is returned
 *   unmask     placeholders restored in the answer handed to the agent
 *
 * Thread-safety: a struct dw_models belongs to one engine, used by one thread at a time.
 */
#ifndef DW_MODELS_H
#define DW_MODELS_H

#include "agents/agent.h"
#include "base/base.h"
#include "store/store.h"
#include "workspace/workspace.h"

/* A provider's key: the value of the environment variable models.yaml names in key_env,
 * resolved by the surface (the library reads no environment). NULL: not set. */
typedef const char *dw_model_key_fn(void *ud, const char *env_name);

struct dw_models;
int dw_models_new(dw_model_key_fn *key, void *key_ud, struct dw_models **ret);
void dw_models_free(struct dw_models *m);

struct dw_model_call {
    const struct dw_workspace *ws;
    struct dw_store *store;
    dw_time_t now;
    int64_t deal_id;   /* 0: no deal (model check, ask --answer) */
    const char *agent; /* the step's agent (part of the journal key); NULL: "" */
    const struct dw_model_ask *ask;
    /* Strings known to be personal data of the deal (the contact's name and its parts,
     * e-mail, phone, the company's people): masked wherever they occur, besides what
     * the patterns find. Array of strings; may be NULL. */
    const json_t *personal;
};

/* The governed call. 0 with ret->json set, or 0 with ret->json NULL and ret->why (the
 * deterministic path); a negative DW_E* only when the journal cannot be written (then
 * nothing may use the answer). */
int dw_models_ask(struct dw_models *m, const struct dw_model_call *call,
                  struct dw_model_answer *ret, struct dw_error *err);
/* Append the agent's verdict on a journaled answer. */
int dw_models_verdict(struct dw_store *s, int64_t call_id, const char *verdict,
                      const json_t *detail, dw_time_t now, struct dw_error *err);
/* `dealwright model check`: a tiny structured request to each provider (or the one named):
 * [{id, api, model, ok, latency_ms, structured, error}]. Not journaled (no deal, no data). */
int dw_models_check(struct dw_models *m, const struct dw_workspace *ws, const char *provider,
                    json_t **ret, struct dw_error *err);

#endif

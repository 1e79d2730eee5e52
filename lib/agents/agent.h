/* agents — the routine work of a sales team, one agent per file, each a descriptor in one
 * registry table (lib/agents/registry.c).
 *
 * An agent declares what facts it needs, what facts it produces and which tools it may
 * call. The control plane (lib/control/) runs the first agent whose needs are met and whose
 * products the deal lacks, inside a transaction; the agent acts only through the tools
 * below, each of which the gateway checks against the agent's scope, records in the audit
 * log and turns into events. An agent never touches the store, the clock or the network
 * itself, so a step is deterministic given the deal's state and the workspace snapshot.
 *
 * Layering: agents sit below control. The tools are a vtable the control plane fills in
 * (struct dw_tools); agents only see these declarations.
 */
#ifndef DW_AGENT_H
#define DW_AGENT_H

#include "base/base.h"
#include "store/store.h"
#include "workspace/workspace.h"
#include <dealwright/leads.h> /* DW_LEAD_MAX_BYTES */

/* Facts a deal has. Agents' needs and produces are sets of these. */
#define DW_FACT_LIST(X)                                                                            \
    X(LEAD, 0, "lead")                                                                             \
    X(INTAKE, 1, "intake")                                                                         \
    X(ACCOUNT, 2, "account")                                                                       \
    X(REQUIREMENTS, 3, "requirements")                                                             \
    X(QUALIFIED, 4, "qualified")                                                                   \
    X(SOLUTION, 5, "solution")                                                                     \
    X(QUOTE, 6, "quote")                                                                           \
    X(CONTRACT, 7, "contract")                                                                     \
    X(CLEARED, 8, "cleared") /* every approval for the current quote granted */                    \
    X(PROPOSAL, 9, "proposal")                                                                     \
    X(SCHEDULE, 10, "schedule")                                                                    \
    X(ACCEPTED, 11, "accepted")                                                                    \
    X(ORDER, 12, "order")

enum {
#define DW__FACT_ENUM(e, bit, s) DW_FACT_##e = 1u << bit,
    DW_FACT_LIST(DW__FACT_ENUM)
#undef DW__FACT_ENUM
};
/* "lead,intake,..." into buf. */
const char *dw_facts_format(uint32_t facts, char *buf, size_t size);

/* Tools. Scope bits; an agent's .scope is the set it may call. */
#define DW_TOOL_LIST(X)                                                                            \
    X(READ_LEADS, 0, "read_leads")                                                                 \
    X(WRITE_INTAKE, 1, "write_intake")                                                             \
    X(ACCOUNTS, 2, "accounts")                                                                     \
    X(READ_DEAL, 3, "read_deal")                                                                   \
    X(WRITE_REQUIREMENTS, 4, "write_requirements")                                                 \
    X(WRITE_QUALIFICATION, 5, "write_qualification")                                               \
    X(WRITE_SOLUTION, 6, "write_solution")                                                         \
    X(WRITE_QUOTE, 7, "write_quote")                                                               \
    X(REQUEST_APPROVAL, 8, "request_approval")                                                     \
    X(WRITE_CONTRACT, 9, "write_contract")                                                         \
    X(WRITE_PROPOSAL, 10, "write_proposal")                                                        \
    X(WRITE_SCHEDULE, 11, "write_schedule")                                                        \
    X(CREATE_ORDER, 12, "create_order")                                                            \
    X(SET_OUTCOME, 13, "set_outcome")                                                              \
    X(READ_MODEL, 14, "read_model")                                                                \
    X(ASK_MODEL, 15, "ask_model")

enum {
#define DW__TOOL_ENUM(e, bit, s) DW_TOOL_##e = 1u << bit,
    DW_TOOL_LIST(DW__TOOL_ENUM)
#undef DW__TOOL_ENUM
};
const char *dw_tool_name(uint32_t tool_bit);

struct dw_agent_ctx;
struct dw_score_model; /* lib/engines/score.h */

/* A question to a language model (lib/models/, docs/internals/models.md). A model only
 * proposes: the agent checks what comes back before anything uses it, and keeps its
 * deterministic path whenever no answer comes. */
struct dw_model_ask {
    const char *task;     /* "extraction", "drafting" or "answers": models.yaml's tasks */
    const char *prompt;   /* a template of the workspace: prompts/NAME.mustache */
    const json_t *vars;   /* the template's data; customer text goes here, as data */
    const json_t *schema; /* the JSON Schema (object) the answer must meet */
    const char *purpose;  /* optional: tells apart two calls of one step with the same task
                           * and prompt (part of the journal key), e.g. "reply" */
};

/* What came back. json NULL: no answer (why says which: no model for the task, a budget
 * spent, the breaker open, the provider failed, the answer refused or off-schema); the
 * agent takes its deterministic path and puts why among its reasons. */
struct dw_model_answer {
    json_t *json;    /* the answer, placeholders restored, meeting the schema; caller owns */
    int64_t call_id; /* its journal entry, for model_verdict (0: none was written) */
    bool replayed;   /* from the journal: the provider was not called again */
    char model[128]; /* "provider/model" that answered, "" when none */
    char why[256];   /* when json is NULL */
};

/* The gateway's hooks, filled in by the control plane. Every hook checks the calling
 * agent's scope first and returns -DW_EPERM (audited) outside it. Reads return new
 * references. */
struct dw_tools {
    /* The deal's leads, shared and read-only like doc_get's documents. */
    int (*leads)(struct dw_agent_ctx *c, const json_t **ret);
    int (*set_intake)(struct dw_agent_ctx *c, int64_t lead_id, const json_t *intake);
    /* Find the account by domain or name, or create it; link it and the contact to the
     * deal. ret: the account object with "created": bool. */
    int (*link_account)(struct dw_agent_ctx *c, const char *name, const char *domain,
                        const char *country, const json_t *contact, json_t **ret);
    int (*prior_deals)(struct dw_agent_ctx *c, json_t **ret);
    int (*account)(struct dw_agent_ctx *c, json_t **ret_account, json_t **ret_contact);
    /* Per-deal documents (kinds as in store.h). put needs the kind's write scope. What get
     * returns is shared with the store's read cache: read-only (hold it with
     * _cleanup_cjson_; json_deep_copy it to build on it). */
    int (*doc_get)(struct dw_agent_ctx *c, const char *kind, const json_t **ret);
    int (*doc_put)(struct dw_agent_ctx *c, const char *kind, const json_t *doc);
    /* The latest quote (revision 0) or a given one; read-only and shared like doc_get's. */
    int (*quote_get)(struct dw_agent_ctx *c, int revision, const json_t **ret);
    /* Store a new revision unless the content hash equals the latest's; voids approvals
     * bound to other hashes. *ret_revision is the current revision either way. Stamps the
     * content hash (`hash`) and the workspace's (`ws_hash`) on quote. */
    int (*quote_put)(struct dw_agent_ctx *c, json_t *quote, int *ret_revision, bool *ret_new);
    int (*approvals)(struct dw_agent_ctx *c, json_t **ret);
    /* Ask a human: kind, required_role, reason, rule; bound to the latest quote's hash. An
     * identical pending/approved request for the same hash is not repeated. */
    int (*request_approval)(struct dw_agent_ctx *c, const char *kind, const char *role,
                            const char *reason, const char *rule);
    int (*create_order)(struct dw_agent_ctx *c, const json_t *order, int64_t *ret_id);
    /* Stop the pipeline: needs_info, disqualified or lost, with a reason. */
    int (*set_outcome)(struct dw_agent_ctx *c, enum dw_stage stage, const char *reason);
    /* The workspace's latest scoring model (read-only, owned by the control plane), or
     * NULL when none has been trained. */
    int (*score_model)(struct dw_agent_ctx *c, const struct dw_score_model **ret);
    /* Demo slots other open deals hold at ctx->now: [{user, start}] (start in seconds since
     * the epoch). Needs read_deal. */
    int (*slots_held)(struct dw_agent_ctx *c, json_t **ret);
    /* Replace the deal's held slots with `slots` ([{user, start: "ISO time"}]), each held
     * until its start or `until`, whichever is first. Needs write_schedule. */
    int (*slots_hold)(struct dw_agent_ctx *c, const json_t *slots, dw_time_t until);
    /* Ask the model the workspace routes ask->task to (needs ask_model). Every call takes
     * the trust path: personal data masked with stable placeholders (restored in the
     * answer), customer text passed as quoted data and screened, budgets and the call's
     * deadline, retries and the circuit breaker; the masked request and the answer are
     * journaled durably before the answer is returned, and a re-run of the step gets the
     * journaled answer without calling the provider. Returns 0 with ret->json set, or 0
     * with ret->json NULL and ret->why set (the deterministic path); a negative DW_E* only
     * for the scope or the store. ret is filled in either case. */
    int (*ask_model)(struct dw_agent_ctx *c, const struct dw_model_ask *ask,
                     struct dw_model_answer *ret);
    /* Record what the agent made of answer call_id: verdict "accepted", "rejected" or
     * "partial", detail (may be NULL) why, e.g. [{field, why}]; appended to the call's
     * journal entry and to the step's audit record. Needs ask_model. */
    int (*model_verdict)(struct dw_agent_ctx *c, int64_t call_id, const char *verdict,
                         const json_t *detail);
};

struct dw_agent_ctx {
    const struct dw_agent *agent;
    const struct dw_tools *tools;
    const struct dw_workspace *ws;
    int64_t deal_id;
    dw_time_t now;
    uint32_t facts; /* the deal's facts before this step */
    json_t *note;   /* what the agent wants in its step's audit record (object) */
    struct dw_error *err;
    void *gateway; /* the control plane's state; agents do not touch it */
};

struct dw_agent {
    const char *name;
    const char *summary;
    uint32_t needs;    /* DW_FACT_* all required */
    uint32_t produces; /* DW_FACT_* set on success */
    uint32_t scope;    /* DW_TOOL_* the agent may call */
    /* Do the work through ctx->tools. 0 on success; a negative DW_E* on failure
     * (transient ones are retried with backoff), detail in ctx->err. */
    int (*step)(struct dw_agent_ctx *ctx);
};

/* The registry, in pipeline order (lib/agents/registry.c). */
extern const struct dw_agent *const dw_agents[];
extern const size_t dw_n_agents;
const struct dw_agent *dw_agent_find(const char *name);

/* Intake's admission half, run by `lead add` in the same transaction that stores the lead:
 * validates the lead JSON against the contract (unknown fields, types, sizes, UTF-8) and
 * normalises it into rec (caller owns). Errors name the field. */
#define DW_LEAD_MAX_MESSAGE (64 * 1024) /* message or whole transcript text */
int dw_lead_parse(const json_t *input, json_t **ret_rec, struct dw_error *err);
/* The customer's words of a lead that passed dw_lead_parse(): the message, then the
 * customer's turns of a transcript, separated by a blank line (caller frees). The text the
 * requirements are extracted from, and their spans point into. */
char *dw__lead_text(const json_t *lead);

/* Shared readings of a deal's leads (the array tools->leads returns), lib/agents/leads.c. */
/* intake flagged the lead as repeating an earlier message of the deal */
bool dw__lead_is_duplicate(const json_t *lead);
/* the first lead's contact, with fields later messages add or change (caller owns) */
json_t *dw__deal_contact(const json_t *leads);
/* when the customer's latest non-repeated message arrived; -DW_ENOENT if none */
int dw__latest_received(const json_t *leads, dw_time_t *ret);

/* The language a customer document is written in: the customer's, identified from the
 * subjects and texts of the deal's messages (engines/lang.h), when the workspace has the
 * template `name` ("proposal", "reply") in it; else the company's (dealwright.yaml
 * company.language), and `fallback` says so (also when the language could not be told). */
struct dw__doc_language {
    const char *detected; /* NULL when the messages say too little */
    const char *used;
    bool fallback;
    const struct dw_template *tmpl;
    const json_t *partials;
};
int dw__customer_language(const struct dw_workspace *ws, const json_t *leads, const char *name,
                          struct dw__doc_language *ret);

/* Render the workspace's template t (a dw__doc_language's tmpl) as dw_mustache_render does,
 * from its parsed form kept with the snapshot. */
struct dw_mustache_opts;
int dw__render_template(const struct dw_workspace *ws, const struct dw_template *t,
                        const json_t *view, const struct dw_mustache_opts *opts, char **ret,
                        struct dw_error *err);

/* The deal documents the workspace's CEL rules read (lib/engines/rulevars.h), fetched
 * through the agent's tools. Release with dw__rule_docs_release(). */
struct dw__rule_docs {
    json_t *contact;
    const json_t *leads, *discovery, *requirements; /* shared, read-only (doc_get) */
    char deal_id[32];
};
struct dw_rule_inputs;
int dw__rule_inputs(struct dw_agent_ctx *ctx, struct dw__rule_docs *d, struct dw_rule_inputs *in);
void dw__rule_docs_release(struct dw__rule_docs *d);

/* Shorthand for agents: call a tool hook. */
#define DW_TOOL(ctx, hook, ...) ((ctx)->tools->hook((ctx), __VA_ARGS__))

#endif

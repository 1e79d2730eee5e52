/* dealwright — the public API of the engine library.
 *
 * The CLI (src/), and later the server and the MCP front, are thin users of these calls.
 * An engine is an immutable workspace snapshot plus an open store. Every operation that
 * changes state runs in one transaction: it either happens whole, with its events and audit
 * records, or not at all.
 *
 * Errors: 0 on success, a negative DW_E* code on failure, detail for people in the caller's
 * struct dw_error (see lib/base/base.h). Returned json_t are new references the caller
 * owns. An engine is used by one thread at a time; open one per thread.
 */
#ifndef DEALWRIGHT_H
#define DEALWRIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/base.h"
#include "workspace/workspace.h"
#include "engines/extract.h"

struct dw_engine;

/* How an engine is opened (all zero: the defaults). The library reads no environment
 * variable and changes no process-wide setting: a surface that wants DW_NOW, DW_FAILPOINTS
 * or DW_DB reads them itself and puts them here (the CLI does). */
struct dw_engine_opts {
    /* Where the state lives: a path or a URL (PATH, sqlite:PATH, sqlite:///abs/path;
     * postgres://... is reserved and refused in this version). NULL:
     * WS_ROOT/.dealwright/state.db. */
    const char *db;
    /* 0: the wall clock. Else every "now" of this engine is this instant (seconds since the
     * epoch): record times, validity, slots, rules' `now`, retry times. Tests and the demo
     * pin time; dw_engine_pin_clock() moves it. */
    dw_time_t now_pin;
    /* Testing: "agent=N,agent=fatal" makes the named agent's first N attempts of a step fail
     * transiently (or every one fail permanently), to exercise retries and parking end to
     * end. NULL: none. Copied. */
    const char *failpoints;
};

/* Load and validate the workspace at ws_root and open the store opts->db (opts may be
 * NULL). An invalid workspace fills diags and returns -DW_EVALIDATE: the engine refuses to
 * work on it. A db URL that names no backend of this build is -DW_EINVAL (field "db"). */
int dw_engine_open_opts(const char *ws_root, const struct dw_engine_opts *opts,
                        struct dw_engine **ret, struct dw_diags *diags, struct dw_error *err);
/* dw_engine_open_opts() with only opts.db = db_path. */
int dw_engine_open(const char *ws_root, const char *db_path, struct dw_engine **ret,
                   struct dw_diags *diags, struct dw_error *err);
/* Pin the engine's clock at now (0: back to the wall clock), for a surface that steps time
 * (scenarios). The engine's store follows. */
void dw_engine_pin_clock(struct dw_engine *e, dw_time_t now);
/* The engine's "now". */
dw_time_t dw_engine_now(const struct dw_engine *e);
/* Another engine on e's workspace snapshot (not loaded again: the snapshot is immutable and
 * shared, refcounted), with e's clock and failpoints and a store connection of its own on db
 * (NULL: the store e opened): one per thread that works at the same time. Either may be
 * closed first. */
int dw_engine_open_shared(struct dw_engine *e, const char *db, struct dw_engine **ret,
                          struct dw_error *err);
void dw_engine_close(struct dw_engine *e);
const struct dw_workspace *dw_engine_workspace(const struct dw_engine *e);

/* Submit leads (an array of lead objects, BLUEPRINT.md "A lead"), all in one transaction:
 * either every lead is stored or none is. Each is checked first (the error names the index
 * and field). Result: one object per lead {lead, deal, status: "created" | "follow_up" |
 * "duplicate"} — the same (source, external_id) gives the same deal. */
int dw_leads_submit(struct dw_engine *e, const json_t *leads, json_t **ret, struct dw_error *err);

/* Run the control plane until nothing is runnable (deals waiting for a retry are waited
 * for, deals waiting for a human are not). only_deal > 0 restricts it to one deal. */
struct dw_run_opts {
    int64_t only_deal;
    int batch;    /* deals per transaction (group commit); 0 = 32 */
    bool no_wait; /* do not sleep for retry backoff: return when only waits remain */
    /* Called after each committed batch: deals finished so far of those runnable when the
     * run started (plus any that became runnable since), and steps run. May be NULL. */
    void (*progress)(void *ud, int64_t deals_done, int64_t deals_total, int64_t steps);
    void *progress_ud;
    /* When set (e.g. by a signal), the run ends after the batch in progress: every batch is
     * its own transaction, so nothing is half done and the next run picks up the rest. */
    const volatile bool *stop;
};
struct dw_agent_stats {
    const char *agent;
    int64_t count, failures;
    int64_t *us; /* per-step durations in microseconds (count of them) */
};
struct dw_run_stats {
    int64_t steps, failures, parked, commits;
    int64_t elapsed_us;
    struct dw_agent_stats *agents; /* one per registered agent, registry order */
    size_t n_agents;
    bool keep_samples; /* set before the call to collect per-step durations */
};
int dw_run(struct dw_engine *e, const struct dw_run_opts *opts, struct dw_run_stats *stats,
           struct dw_error *err);
void dw_run_stats_release(struct dw_run_stats *s);

/* Reads. */
int dw_deal_show(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw_deals_list(struct dw_engine *e, const char *stage, json_t **ret, struct dw_error *err);
int dw_approvals_list(struct dw_engine *e, json_t **ret, struct dw_error *err);
/* A list a page at a time, oldest first: {items: [...], next: CURSOR | null}. after is the
 * `next` of the previous page (NULL or "" for the first); limit 1..DW_PAGE_MAX, 0 for
 * DW_PAGE_DEFAULT. A cursor is opaque (it names the list and where the page ends): another
 * list's or a malformed one is -DW_EINVAL with field "after". Items added while paging
 * appear on a later page; none is skipped or repeated. */
#define DW_PAGE_DEFAULT 1000
#define DW_PAGE_MAX 1000
int dw_deals_page(struct dw_engine *e, const char *stage, const char *after, int limit,
                  json_t **ret, struct dw_error *err);
int dw_approvals_page(struct dw_engine *e, const char *after, int limit, json_t **ret,
                      struct dw_error *err);
/* Approvals of one status ("pending", "approved", "rejected", or "all" of them, void ones
 * too), a page at a time; dw_approvals_page is status "pending". Another status is
 * -DW_EINVAL with field "status". */
int dw_approvals_page_status(struct dw_engine *e, const char *status, const char *after, int limit,
                             json_t **ret, struct dw_error *err);
int dw_webhook_deliveries_page(struct dw_engine *e, const char *status, const char *after,
                               int limit, json_t **ret, struct dw_error *err);
int dw_stats(struct dw_engine *e, json_t **ret, struct dw_error *err);
/* The sales funnel (lib/control/reports.c), aggregated by the store in one snapshot:
 * {as_of, stages: {stage: deals there now}, funnel: [{step, stages, n, conversion_bp,
 * of_deals_bp}] for the steps deals, qualified, proposal, order (a deal counts for a step
 * when it was ever in one of its stages or a later step's; conversion_bp is n over the
 * previous step's n in basis points), stage_times: [{stage, n, mean_s, max_s}] (finished
 * stays in a stage, seconds), time_to: {proposal_ready, ordered: {n, mean_s, max_s}} (from
 * the deal's creation to first entering it), approvals: {pending, approved, rejected,
 * void, decided, approval_rate_bp, mean_wait_s, oldest_pending_at}}. */
int dw_report_funnel(struct dw_engine *e, json_t **ret, struct dw_error *err);

/* Decide an approval as a workspace user; the user's role must allow it (the required
 * role, or for discounts any role of a higher band). Runs the deal on afterwards.
 * dw_approval_decide weighs every role team.yaml gives the user (the CLI);
 * dw_approval_decide_as only `role`, which the user must hold (an API token's role: a
 * credential issued for one role carries that role's authority and no more). */
int dw_approval_decide(struct dw_engine *e, int64_t approval_id, bool approve, const char *user,
                       const char *note, json_t **ret, struct dw_error *err);
int dw_approval_decide_as(struct dw_engine *e, int64_t approval_id, bool approve, const char *user,
                          const char *role, const char *note, json_t **ret, struct dw_error *err);
/* May `user` decide an approval that requires `required_role`? With role (a token's role)
 * the authority is that one role, which the user must hold; role NULL: any of the user's
 * roles. The same ladder as dw_approval_decide: the required role itself, or for discount
 * bands any higher band. False for a user not in the team. */
bool dw_may_decide(struct dw_engine *e, const char *user, const char *role,
                   const char *required_role);
/* Adds to each approval of list (as dw_approvals_list and dw_deal_show give them)
 * can_decide: whether user, acting with role (as dw_may_decide), may decide it now (only a
 * pending one), and deciders: the ids of the team's users who may decide it. */
int dw_approvals_annotate(struct dw_engine *e, const char *user, const char *role, json_t *list);
/* Record the customer's acceptance of a quote revision (0 = latest) and create the order.
 * `customer` is the person at the buyer who accepted (up to 120 bytes; NULL: "customer"):
 * data kept in the acceptance and the order, never in the event log or the audit chain.
 * dw_deal_accept_as records it as `user` (the audit actor, user:ID): a team user holding a
 * role of the discount bands — only `role` is weighed when given (an API token), every
 * role of the user when NULL; user and role both NULL, and dw_deal_accept: the local
 * operator (actor "operator"). */
int dw_deal_accept(struct dw_engine *e, int64_t deal_id, int revision, const char *customer,
                   json_t **ret, struct dw_error *err);
int dw_deal_accept_as(struct dw_engine *e, int64_t deal_id, int revision, const char *user,
                      const char *role, const char *customer, json_t **ret, struct dw_error *err);
/* A person sets the discount of a deal's quote: a new revision, approvals asked again. */
int dw_quote_discount(struct dw_engine *e, int64_t deal_id, const char *pct, const char *user,
                      json_t **ret, struct dw_error *err);

/* Price a solution document ({lines: [{sku, quantity}]}, docs/internals/pricing.md) with
 * the workspace alone: no deal, no store. currency NULL: the country's currency (as the
 * pricing agent chooses it), else the home currency; country (ISO alpha-2, may be NULL)
 * selects the price book's region; discount_pct a decimal string or NULL; term_months 0:
 * policies' default. *ret is the priced quote (money as integer minor units). */
struct dw_price_request {
    const char *currency, *country, *discount_pct;
    int term_months;
    dw_time_t now; /* price rules' `now`; 0 = the wall clock */
};
int dw_price_solution(const struct dw_workspace *ws, const json_t *solution,
                      const struct dw_price_request *req, json_t **ret, struct dw_error *err);
/* Compare two quote revisions of a deal: lines added, removed and changed (field by
 * field), quote-level changes and the totals' deltas, as lib/engines/quotediff.h
 * documents, plus "deal". Revisions are numbered from 1. dw_quote_diff_format() gives the
 * text people read (caller frees). */
int dw_quote_diff_revisions(struct dw_engine *e, int64_t deal_id, int from, int to, json_t **ret,
                            struct dw_error *err);
int dw_quote_diff_format(const json_t *diff, char **ret_text);

/* Personal-data retention (policies.yaml personal_data.retention_days): the personal data
 * of deals ordered, lost, disqualified or left in needs_info longer than that is redacted —
 * contact details, the customer's words, drafted replies and proposals — in one
 * transaction, each deal with an audit record. Quotes, orders and the audit chain (which
 * holds only hashes, never personal data) stay. dry_run lists what would be redacted.
 * Result: {retention_days, dry_run, deals: [{deal, stage, updated_at}]}. */
int dw_privacy_purge(struct dw_engine *e, bool dry_run, json_t **ret, struct dw_error *err);

/* Predictive scoring (docs/internals/scoring.md): a model of won and lost deals trained
 * from a CSV deal history. */
struct dw_score_csv {
    const char *path;           /* the CSV file ("-" = stdin) */
    char delimiter;             /* ',', ';', TAB, or 0 to detect */
    const char *target;         /* the outcome column */
    const char *positive;       /* the outcome value that counts as won */
    const char *const *exclude; /* columns to leave out */
    size_t n_exclude;
    /* Training parameters; 0 = the default (docs/internals/scoring.md). min_child_weight's
     * default follows the data's size: rows / 2000, between 1 and 20; so does the thread
     * count (1 below a million cells, else 2). */
    int rounds, max_depth;
    double eta, min_child_weight, subsample, colsample_bytree;
    int threads;
};
/* Train on the whole file and store the model as the workspace's next version (one
 * transaction, with an audit record), unless the latest version has the same hash (the
 * same data and parameters): then nothing changes. Result: {version, created, hash, rows,
 * positives, features, columns, train_auc, seconds}. */
int dw_score_train_csv(struct dw_engine *e, const struct dw_score_csv *in, json_t **ret,
                       struct dw_error *err);
/* k-fold cross-validated AUC (stratified, fixed seed) of the same training; needs no
 * workspace. folds 0 = 10. Result as dw_score_cv() (lib/engines/score.h). */
int dw_score_eval_csv(const struct dw_score_csv *in, int folds, json_t **ret, struct dw_error *err);
/* The model version (0 = the latest): its meta {version, created_at, hash, data_hash,
 * schema, params, rows, positives, features, train_auc}; -DW_ENOENT when none. */
int dw_score_show(struct dw_engine *e, int64_t version, json_t **ret, struct dw_error *err);

/* API tokens of the server (docs/internals/server.md). A token acts as a user of the team
 * (team.yaml) in one of that user's roles, or as an integration (role "integration", user
 * a name of [a-z0-9_-]) that may only post leads and read. dw_token_create returns {id,
 * user, role, prefix, secret}: the secret is shown this once, only its SHA-256 is stored.
 * dw_tokens_list: [{id, user, role, prefix, created_at, revoked_at, status}], status
 * "active", "revoked" or "lapsed" (a person's token whose user left the team or lost the
 * role). dw_token_check: the unrevoked token {id, user, role} of a secret whose person is
 * still in the loaded team with that role (integrations: unrevoked is enough), else
 * -DW_EPERM. */
#define DW_ROLE_INTEGRATION "integration"
int dw_token_create(struct dw_engine *e, const char *user, const char *role, json_t **ret,
                    struct dw_error *err);
int dw_tokens_list(struct dw_engine *e, json_t **ret, struct dw_error *err);
int dw_token_revoke(struct dw_engine *e, int64_t id, const char *by, struct dw_error *err);
int dw_token_check(struct dw_engine *e, const char *secret, json_t **ret, struct dw_error *err);
/* Up to max (1..1000) events of the log after seq, oldest first: [{seq, deal_id, type, at,
 * data}]. */
int dw_events_since(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                    struct dw_error *err);

/* Webhooks (docs/internals/server.md "Webhooks"). dw_webhook_add subscribes an http(s) URL
 * to event types ("deal.stage_changed,approval.*" or "*"), from the next event on; with no
 * secret one is made; returns {id, url, events, secret} (the secret is shown once and never
 * listed). dw_webhook_deliver runs one pass: takes committed events into the outbox and
 * posts the deliveries that are due, signed. dw_webhook_replay sets a dead delivery (or
 * every dead one, id 0) pending again. dw_webhook_sign: hex HMAC-SHA256(secret,
 * timestamp "." body). `by` names who acts, for the audit trail. dw_webhook_backoff_ms: the wait
 * after a failed attempt (1-based), base * 2^(attempts-1) up to an hour, plus up to half of that as
 * jitter. */
#define DW_WEBHOOK_SIG_HEX 65
struct dw_webhook_opts {
    int max_attempts;          /* dead after this many; 0: 8 */
    int64_t backoff_ms;        /* the first retry's wait; 0: 1000 */
    long timeout_ms;           /* per request; 0: 10000 */
    const volatile bool *stop; /* when set, a pass stops between deliveries */
};
struct dw_webhook_stats {
    int64_t enqueued, delivered, failed, dead;
};
int dw_webhook_add(struct dw_engine *e, const char *by, const char *url, const char *events,
                   const char *secret, json_t **ret, struct dw_error *err);
int dw_webhooks_list(struct dw_engine *e, json_t **ret, struct dw_error *err);
int dw_webhook_remove(struct dw_engine *e, const char *by, int64_t id, struct dw_error *err);
int dw_webhook_deliveries(struct dw_engine *e, const char *status, json_t **ret,
                          struct dw_error *err);
int dw_webhook_replay(struct dw_engine *e, const char *by, int64_t id, int64_t *ret_n,
                      struct dw_error *err);
/* Deliveries by state: {pending, delivered, dead} counts. */
int dw_webhook_counts(struct dw_engine *e, json_t **ret, struct dw_error *err);
int dw_webhook_deliver(struct dw_engine *e, const struct dw_webhook_opts *o,
                       struct dw_webhook_stats *stats, struct dw_error *err);
int dw_webhook_sign(const char *secret, const char *timestamp, const char *body,
                    char out[DW_WEBHOOK_SIG_HEX]);
int64_t dw_webhook_backoff_ms(int attempts, int64_t base_ms);

/* The audit chain. */
int dw_audit_verify(struct dw_engine *e, int64_t *ret_count, int64_t *ret_bad_seq,
                    struct dw_error *err);
int dw_audit_show(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err);
/* The whole chain, a page at a time: up to max (1..1000) records after seq, oldest first,
 * the objects dw_audit_show gives (also the records of no deal). */
int dw_audit_since(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                   struct dw_error *err);

/* Signed checkpoints of the audit chain (docs/internals/audit.md "Checkpoints"): Ed25519
 * over the chain's head, so that a truncated or re-hashed tail is detected later.
 * dw_audit_key_load reads the signing key (a file of 64 hex digits, mode 0600; refused
 * when others can read it), or with `create` makes it when missing (its directory 0700,
 * FILE.pub beside it holding the public key). dw_audit_pubkey_load reads a public key.
 * dw_audit_checkpoint signs the head of an intact chain: {format, seq, hash, count, at,
 * public_key, signature}. dw_audit_checkpoint_verify checks the signature against the
 * trusted pk (never the checkpoint's own), walks the chain and checks that it still holds
 * record seq with that hash: -DW_EINTEGRITY (err says what; *ret_bad_seq the first record
 * concerned) when not, else {checked, checkpoint_seq, checkpoint_hash, checkpoint_at}. */
#define DW_AUDIT_PK_BYTES 32
struct dw_audit_key {
    unsigned char pk[DW_AUDIT_PK_BYTES];
    unsigned char sk[64];
};
int dw_audit_key_load(const char *path, bool create, struct dw_audit_key *ret, bool *ret_created,
                      struct dw_error *err);
/* Wipe a loaded key from memory. */
void dw_audit_key_clear(struct dw_audit_key *key);
int dw_audit_pubkey_load(const char *path, unsigned char ret_pk[DW_AUDIT_PK_BYTES],
                         struct dw_error *err);
int dw_audit_checkpoint(struct dw_engine *e, const struct dw_audit_key *key, json_t **ret,
                        struct dw_error *err);
int dw_audit_checkpoint_verify(struct dw_engine *e, const json_t *cp,
                               const unsigned char pk[DW_AUDIT_PK_BYTES], json_t **ret,
                               int64_t *ret_bad_seq, struct dw_error *err);

/* Try a CEL condition as a policy would run it: `expr` is compiled with each member of
 * `vars` (an object, may be NULL) declared as a dyn variable and `now` as the timestamp now
 * (0: the wall clock; unless vars gives it), type-checked and evaluated. On success *ret_value is
 * the result's JSON text (lib/rules/cel.h's mapping, exact for every int and uint) and
 * ret_type its CEL type name. A syntax or type error is -DW_EPARSE / -DW_EVALIDATE, an
 * evaluation error -DW_EVALIDATE; err->line/col point into the expression. */
int dw_cel_eval(const char *expr, const json_t *vars, dw_time_t now, char **ret_value,
                char *ret_type, size_t type_size, struct dw_error *err);
/* The same against the declarations a kind of workspace rule is checked with ("quote":
 * discount bands and approval rules; "qualify": qualification criteria), so a field that
 * the rule's records do not have is an error here as it is in `validate`. Every member of
 * vars must be one of the kind's variables. */
int dw_cel_eval_rule(const char *kind, const char *expr, const json_t *vars, dw_time_t now,
                     char **ret_value, char *ret_type, size_t type_size, struct dw_error *err);
/* Requirements extraction (lib/engines/extract.h, docs/internals/extraction.md) with the
 * workspace's vocabulary, prepared once per snapshot. dw_extract_text() reads plain text;
 * dw_extract_lead() checks a lead like `lead add` (errors name the field) and reads the
 * customer's words of it, resolving relative dates against its received_at (default_at when
 * it has none). When the lead is
 * a transcript, "source_text" holds the words the spans point into. No store is needed. */
int dw_extract_text(const struct dw_workspace *ws, const char *text, size_t len,
                    dw_time_t received_at, json_t **ret, struct dw_error *err);
int dw_extract_lead(const struct dw_workspace *ws, const json_t *lead, dw_time_t default_at,
                    json_t **ret, struct dw_error *err);
/* Knowledge: questions answered from the workspace's documents, every answer with its
 * citation. A knowledge base is the knowledge graph of a workspace snapshot and its
 * full-text index (docs/internals/knowledge.md); it needs no store.
 *
 * dw_kb_open builds the graph and brings the index at index_path (NULL:
 * WS_ROOT/.dealwright/knowledge.db, created; in memory when that cannot be written) in step
 * with ws, indexing again only the documents that changed. *ret_stats (may be NULL) is a
 * new object {index, documents, passages, added, updated, removed, unchanged, nodes,
 * edges}. A knowledge base is used by one thread at a time. */
struct dw_kb;
int dw_kb_open(struct dw_workspace *ws, const char *index_path, struct dw_kb **ret,
               json_t **ret_stats, struct dw_error *err);
/* The max (1..50) best passages for a question (at most 2000 bytes of UTF-8): BM25 and
 * graph expansion from the entities it names. *ret is a new object {question, entities,
 * expanded, answers: [{passage, path, heading, anchor, line, language, text, score, bm25,
 * why}]}; `text` is the passage verbatim. A bad question is -DW_EINVAL with err set. */
int dw_kb_ask(struct dw_kb *kb, const char *question, size_t max, json_t **ret,
              struct dw_error *err);
void dw_kb_close(struct dw_kb *kb);

#endif

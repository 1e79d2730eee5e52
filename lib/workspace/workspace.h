/* workspace — the company's knowledge and rules, loaded from a directory of YAML,
 * Markdown and Mustache files into an immutable, hashed snapshot.
 *
 * The schema is documented in docs/internals/workspace.md. dw_workspace_load() validates
 * everything and reports every problem as FILE:LINE:COL (file relative to the workspace
 * root); an invalid workspace is never returned.
 *
 * Ownership and threads: a snapshot is reference-counted (new/ref/unref) and never changes
 * after load, so any number of threads may read it at once. `hash` is the SHA-256 over the
 * relative path and bytes of every file that was read, in path order; every decision
 * records it.
 */
#ifndef DW_WORKSPACE_H
#define DW_WORKSPACE_H

#include "base/base.h"
#include <dealwright/workspace.h>

#define DW_WS_MAX_FILE (4u << 20) /* bytes per workspace file */
#define DW_WS_MAX_ITEMS 10000     /* catalog items, prices, users, documents */

/* A point in a workspace file, for errors raised after load (e.g. by an agent). */
struct dw_ws_pos {
    const char *file; /* relative to the root */
    int line, col;
};

struct dw_currency {
    char code[4];     /* ISO 4217 */
    int digits;       /* minor-unit digits: 2 for EUR/USD, 0 for JPY */
    char **countries; /* customer countries priced in this currency (ISO alpha-2) */
    size_t n_countries;
};

struct dw_term { /* a name and the phrases that mean it (capabilities, standards, units) */
    char *name;
    char *description;
    char **synonyms;
    size_t n_synonyms;
    struct dw_ws_pos pos;
};

enum dw_item_kind { DW_ITEM_HARDWARE, DW_ITEM_SUBSCRIPTION, DW_ITEM_SERVICE };
enum dw_billing { DW_BILL_ONE_TIME, DW_BILL_MONTHLY };

struct dw_item_req { /* "requires": every `per` units of this item need `count` units of sku */
    char *sku;
    int64_t per;   /* ceil(qty x count / per) units of sku are required; default 1 */
    int64_t count; /* units of sku per `per` units of this item ("2 per HA kit"); default 1 */
};

struct dw_attr {
    char *name;
    int64_t value;
};

struct dw_item {
    char *sku;
    char *name;
    char *description;
    enum dw_item_kind kind;
    enum dw_billing billing;
    char **capabilities; /* names from the capability list */
    size_t n_capabilities;
    struct dw_attr *attributes; /* numeric attributes (ports, throughput_mbps, ...) */
    size_t n_attributes;
    char *quantity_unit;      /* a unit name ("sites"): quantity follows that requirement */
    int64_t quantity_factor;  /* units of this item per requested unit (default 1) */
    int64_t min_qty, max_qty; /* max 0 = unbounded */
    int rank;                 /* preference among items covering the same capability, low first */
    struct dw_item_req *requires;
    size_t n_requires;
    char **excludes; /* skus that may not be in the same solution */
    size_t n_excludes;
    char **options; /* add-on skus offered with this item */
    size_t n_options;
    bool option_only;      /* only sold as an option of another item */
    char *slot;            /* a hosted part: takes one slot of this kind on a host, or NULL */
    struct dw_attr *slots; /* a host: slots it offers, by kind ({modem: 1}) */
    size_t n_slots;
    struct dw_ws_pos pos;
};

/* catalog.yaml constraints: rules across items that the configurator enforces. */
enum dw_cfg_rule_kind {
    DW_CFG_RULE_SUPPLY, /* sum(qty x supply attribute) >= sum(qty x demand attribute) */
    DW_CFG_RULE_COMPAT, /* a compatibility table: a row item goes only with the listed ones */
};
struct dw_compat_row {
    char *sku;   /* the row item */
    char **with; /* the items of `among` it is compatible with */
    size_t n_with;
};
struct dw_cfg_rule {
    char *name;
    char *description;
    enum dw_cfg_rule_kind kind;
    char *supply, *demand; /* SUPPLY: attribute names */
    char **among;          /* COMPAT: the column items the table speaks about */
    size_t n_among;
    struct dw_compat_row *rows; /* COMPAT */
    size_t n_rows;
    struct dw_ws_pos pos;
};

/* What the configurator minimises (catalog.yaml `objective`). */
enum dw_cfg_objective {
    DW_CFG_OBJ_LIST_COST, /* list price in the home currency (default) */
    DW_CFG_OBJ_RANK,      /* sum of the chosen items' rank, list cost second */
    DW_CFG_OBJ_ATTRIBUTE, /* total of one attribute (power_w, rack_units), list cost second */
};

struct dw_tier {
    int64_t min_qty;
    int64_t unit_price; /* minor units */
};

struct cel_program;

/* How a price entry turns a quantity into an amount (docs/internals/pricing.md). */
enum dw_price_model {
    DW_PRICE_ALL_UNITS, /* the highest tier reached prices every unit (the default) */
    DW_PRICE_GRADUATED, /* each tier prices only the units inside it ("volume") */
    DW_PRICE_BLOCK,     /* list and tiers are per block of block_size units, blocks rounded up */
};

struct dw_bundle_part {
    char *sku;
    int64_t quantity; /* per unit of the bundle */
};

struct dw_price {
    char *sku;
    int64_t list;          /* minor units, per unit (per month for monthly billing) */
    struct dw_tier *tiers; /* ascending min_qty */
    size_t n_tiers;
    enum dw_price_model model;
    int64_t block_size; /* DW_PRICE_BLOCK: units per block */
    bool has_cost;
    int64_t cost; /* minor units per unit (and month), when has_cost */
    /* A bundle: its components per bundle unit. Priced as a package (list and tiers of the
     * bundle, components included at 0) or, when components_pricing, as its components at
     * their own prices less bundle_discount_bp. */
    struct dw_bundle_part *bundle;
    size_t n_bundle;
    bool components_pricing;
    int32_t bundle_discount_bp;
    uint32_t *rules; /* price rules whose `skus` scope names this entry (indexes), ascending */
    size_t n_rules;
    struct dw_ws_pos pos;
};

/* A regional price list inside a book: customers in `countries` get these entries instead
 * of the book's for the same SKU. */
struct dw_region {
    char *name;
    char **countries;
    size_t n_countries;
    struct dw_price *prices; /* sorted by sku */
    size_t n_prices;
};

enum dw_schedule_by { DW_SCHED_QUANTITY, DW_SCHED_TERM };
struct dw_schedule_step {
    int64_t min; /* quantity or term months reached */
    int32_t bp;  /* discount in basis points */
};
struct dw_schedule { /* a discount schedule: the highest step reached applies */
    char *name;
    enum dw_schedule_by by;
    char **skus; /* lines it applies to; none = every line (by term: every monthly line) */
    size_t n_skus;
    struct dw_schedule_step *steps; /* ascending min, rising discount */
    size_t n_steps;
};

enum dw_price_action {
    DW_PA_DISCOUNT_PCT, /* the line's amount less bp */
    DW_PA_MARKUP_PCT,   /* the line's amount plus bp */
    DW_PA_DISCOUNT_AMT, /* less amount per unit (and month); never below zero */
    DW_PA_SET_PRICE,    /* amount per unit (and month) replaces the price */
    DW_PA_ADD_LINE,     /* add add_qty of add_sku once to the quote */
};
struct dw_rule {
    char *name; /* where it lives, for people: "policies.yaml approvals[1] (deal_size)" */
    char *when; /* the CEL source */
    const struct cel_program *prog;
    struct dw_ws_pos pos; /* of the expression's first character */
};
struct dw_price_rule { /* pricebooks/CUR.yaml rules: a CEL condition over `line` and an action */
    char *name;
    char **skus; /* scope: only lines of these SKUs are tested; none = every line */
    size_t n_skus;
    struct dw_rule rule;
    enum dw_price_action action;
    int32_t bp;
    int64_t amount;
    char *add_sku;
    int64_t add_qty;
};

struct dw_pricebook {
    char currency[4];
    int digits;
    struct dw_price *prices; /* sorted by sku */
    size_t n_prices;
    struct dw_region *regions;
    size_t n_regions;
    struct dw_schedule *schedules;
    size_t n_schedules;
    struct dw_price_rule *rules; /* in the order written; applied in that order */
    size_t n_rules;
    uint32_t *unscoped; /* indexes of the rules without `skus`, ascending */
    size_t n_unscoped;
    char *file;
};

/* A condition a workspace writes in CEL (docs/internals/cel.md), compiled at load. */
enum dw_rule_kind {
    DW_RULE_QUOTE,   /* discount bands, approvals: lead, account, requirements, quote, deal, now */
    DW_RULE_QUALIFY, /* qualification criteria: lead, account, requirements, score, deal, now */
    DW_RULE_PRICE, /* price rules: line, currency, region, lead, account, requirements, deal, now */
    DW_RULE__N
};

struct dw_band { /* discount authority: the ladder, lowest first */
    char *role;
    struct dw_rule within; /* true when the quote is within this role's authority */
    struct dw_ws_pos pos;
};

struct dw_approval_rule { /* policies.yaml approvals: when `when` holds, `role` approves */
    char *name;
    char *role;
    char *reason;
    struct dw_rule rule;
};

enum dw_criterion_effect { DW_CRIT_ADJUST, DW_CRIT_DISQUALIFY, DW_CRIT_QUALIFY };
struct dw_criterion { /* qualification.yaml criteria */
    char *name;
    enum dw_criterion_effect effect;
    int points; /* DW_CRIT_ADJUST: added to the score (may be negative) */
    char *reason;
    struct dw_rule rule;
};

struct dw_money_by_currency {
    char currency[4];
    int64_t amount;
};

struct dw_legal_trigger {
    char *phrase; /* a literal phrase, matched case-insensitively on word boundaries in the
                   * customer's text; NULL when the trigger is a concept with patterns */
    char *reason;
    struct dw_ws_pos pos;
    char *concept;   /* the concept's name (lower-case, digits, '_'); the phrase when NULL */
    char **patterns; /* phrase patterns (rules/phrase.h) naming the concept, any language */
    size_t n_patterns;
};

struct dw_policies {
    struct dw_band *bands; /* ascending max_bp; bands[0] is the rep's own authority */
    size_t n_bands;
    struct dw_approval_rule *approvals; /* asked for in order; each at most once per quote */
    size_t n_approvals;
    char **embargoed; /* countries we never sell to: disqualified */
    size_t n_embargoed;
    char **export_review; /* countries that need an export-control review */
    size_t n_export_review;
    char *export_role;
    bool eea_requires_dpa; /* EEA personal data => data-processing agreement */
    struct dw_legal_trigger *legal_triggers;
    size_t n_legal_triggers;
    char *legal_role;
    int retention_days; /* personal data kept this long after a deal closes */
    int quote_valid_days;
    int default_term_months;
    int max_attempts; /* step retries before a deal is parked with its error */
    /* model_facts: when a fact a language model proposed (and the checks accepted) differs
     * from the rules' reading of the same field (docs/internals/assist.md) */
    enum dw_disagreement {
        DW_DISAGREE_ASK,   /* keep the rules' value; the deal asks `role` (low_confidence) */
        DW_DISAGREE_RULES, /* keep the rules' value; recorded */
        DW_DISAGREE_MODEL, /* take the model's value; recorded */
    } on_disagreement;
    char *disagreement_role; /* NULL: the first discount band's role (the rep) */
};

struct dw_qualification {
    char **icp_countries; /* served markets */
    size_t n_icp_countries;
    char **icp_industries; /* industry keywords */
    size_t n_icp_industries;
    char **free_mail_domains; /* consumer mail: lower fit */
    size_t n_free_mail_domains;
    struct dw_money_by_currency *min_budget;
    size_t n_min_budget;
    char **authority_titles; /* decision-maker title keywords */
    size_t n_authority_titles;
    int timeline_max_days;
    int w_fit, w_budget, w_authority, w_need, w_timeline; /* weights, sum 100 */
    int qualified_min;                                    /* score >= this: qualified */
    int disqualified_max;                                 /* score < this: disqualified */
    char **required; /* facts without which the deal is needs_info: "quantity",
                        "capabilities", "country", "budget", "deadline" */
    size_t n_required;
    struct dw_criterion *criteria; /* CEL conditions adjusting the score or the decision */
    size_t n_criteria;
};

struct dw_user {
    char *id;
    char *name;
    char *email;
    char **roles;
    size_t n_roles;
    struct dw_ws_pos pos;
};

struct dw_window { /* weekly availability, minutes after local midnight */
    int weekday;   /* 0 = Monday */
    int start_min, end_min;
};

struct dw_availability {
    char *user;
    int utc_offset_min;
    char *time_zone; /* IANA name (Europe/Berlin) for calendar invitations, or NULL */
    struct dw_window *windows;
    size_t n_windows;
};

struct dw_team {
    struct dw_user *users;
    size_t n_users;
    struct dw_availability *availability;
    size_t n_availability;
    int demo_minutes;
    int demo_lead_hours; /* earliest slot this long after received_at */
    int demo_slots;      /* how many to offer (3) */
    char **book_roles;   /* roles that may book a demo for a customer (rep, sales_engineer) */
    size_t n_book_roles;
};

struct dw_passage {
    char *heading; /* the heading path "Edge Gateway 100 > Throughput" */
    char *anchor;  /* slug of the heading, for citations */
    char *text;    /* passage body (Markdown) */
    int line;      /* line of the heading in the file */
};

struct dw_document {
    char *path; /* relative: knowledge/edge-100.md */
    char *title;
    char *language; /* front matter `language`, else the workspace's; one of dw_ws_languages */
    char **about;   /* skus */
    size_t n_about;
    char **capabilities;
    size_t n_capabilities;
    struct dw_passage *passages;
    size_t n_passages;
};

struct dw_template {
    char *path;
    char *text; /* NULL when the workspace has no such template in a language set */
    size_t len;
    int escape; /* enum dw_mustache_escape: HTML for NAME.html.mustache, else Markdown */
};

/* The templates of one language: templates/LANG/proposal.mustache,
 * templates/LANG/reply.mustache and templates/LANG/partials/ (which override the company
 * language's partials of the same name). */
#define DW_WS_TEMPLATE_SETS 8
struct dw_template_set {
    const char *language; /* NULL: no templates/LANG/ */
    struct dw_template proposal, reply;
    json_t *partials; /* templates/partials merged with templates/LANG/partials */
};

/* dealwright.yaml mail: (lib/workspace/mail-config.c). from NULL: no mail configured. */
struct dw_mail_config {
    char *from, *from_name;
    char *smtp_url; /* NULL: mail is written, not sent */
    char *smtp_user_env, *smtp_password_env;
    int smtp_attempts;
};

/* dealwright.yaml webhooks: (lib/workspace/mail-config.c): the delivery rules every
 * instance applies, so that a delivery gets the same attempts and waits whichever instance
 * sends it. Defaults: 8 attempts, 1 s before the first retry (doubling, at most an hour),
 * 10 s per post. */
struct dw_webhook_config {
    int attempts;
    int64_t backoff_ms;
    int64_t timeout_ms;
};

/* models.yaml (docs/internals/models.md): the language-model providers, the task each one
 * serves, the limits of the trust path, and the prompts (prompts/NAME.mustache, hashed
 * with the snapshot like every file). A workspace without models.yaml has ws->models NULL:
 * every agent stays on its deterministic path. The names of `api:` are this registry;
 * lib/models/ has one implementation per entry (checked by its unit test). */
#define DW_MODEL_API_LIST(X)                                                                       \
    X(OPENAI, "openai")       /* Chat Completions: OpenAI, llama.cpp, vLLM, Ollama */              \
    X(AZURE, "azure")         /* Chat Completions on Azure OpenAI: api-key, api-version */         \
    X(ANTHROPIC, "anthropic") /* Messages API */
enum dw_model_api {
#define DW__API_ENUM(e, s) DW_MODEL_API_##e,
    DW_MODEL_API_LIST(DW__API_ENUM)
#undef DW__API_ENUM
        DW_MODEL_API__N
};
extern const char *const dw_model_api_names[DW_MODEL_API__N];

#define DW_MODEL_TASK_LIST(X)                                                                      \
    X(EXTRACTION, "extraction")                                                                    \
    X(DRAFTING, "drafting")                                                                        \
    X(ANSWERS, "answers")
enum dw_model_task {
#define DW__TASK_ENUM(e, s) DW_MODEL_TASK_##e,
    DW_MODEL_TASK_LIST(DW__TASK_ENUM)
#undef DW__TASK_ENUM
        DW_MODEL_TASK__N
};
extern const char *const dw_model_task_names[DW_MODEL_TASK__N];
/* The task's index, or -1. */
int dw_model_task_parse(const char *name);

struct dw_model_provider {
    char *id;
    enum dw_model_api api;
    char *base_url;      /* up to the API's paths: ".../v1", an Azure deployment's URL */
    char *model;         /* sent as "model" (informational for Azure) */
    char *key_env;       /* the environment variable holding the key; NULL: none sent */
    char *api_version;   /* azure: the api-version query parameter */
    bool zero_retention; /* ask the provider not to keep requests where it offers it */
    struct dw_ws_pos pos;
};

#define DW_MODEL_ROUTE_MAX 4
struct dw_model_route { /* the providers a task tries, in order; none: deterministic */
    const struct dw_model_provider *providers[DW_MODEL_ROUTE_MAX];
    size_t n;
};

struct dw_prompt { /* prompts/NAME.mustache */
    char *name;
    char *path;
    char *text;
    size_t len;
    char hash[DW_SHA256_HEX]; /* of the text: the journal names the template version */
};

struct dw_models_cfg {
    struct dw_model_provider *providers;
    size_t n_providers;
    struct dw_model_route tasks[DW_MODEL_TASK__N];
    int64_t tokens_per_call;    /* prompt estimate + answer budget, per call */
    int64_t answer_tokens;      /* max_tokens asked for an answer */
    int64_t tokens_per_deal;    /* over every call of one deal */
    int64_t tokens_per_day;     /* over every call of the store, per UTC day */
    int64_t deadline_ms;        /* per call, retries included */
    int64_t retries;            /* after the first attempt, on 429, 5xx, overload, timeout */
    int64_t backoff_ms;         /* first retry's wait, doubled each time (Retry-After wins) */
    int64_t breaker_failures;   /* consecutive failed calls that open a provider's breaker */
    int64_t breaker_cooldown_s; /* how long it stays open before one trial call */
    bool allow_http;            /* plain http:// to a host other than loopback */
};

struct dw_workspace {
    int refcount;
    bool loaded; /* by dw_workspace_load: a snapshot with memo slots (dw_ws_memo); a workspace
                    built by hand (tests, tools) has none */
    char *root;
    char hash[DW_SHA256_HEX];

    char *company_name;
    char *company_country;
    char **company_address; /* the letterhead's lines (dealwright.yaml company.address) */
    size_t n_company_address;
    char *company_email, *company_phone, *company_website, *company_vat_id; /* or NULL */
    char *language; /* of the knowledge documents unless one says otherwise: "en" default */
    char home_currency[4];
    struct dw_currency *currencies;
    size_t n_currencies;

    struct dw_term *capabilities;
    size_t n_capabilities;
    struct dw_term *standards;
    size_t n_standards;
    struct dw_term *units;
    size_t n_units;
    struct dw_item *items; /* sorted by sku */
    size_t n_items;
    struct dw_cfg_rule *cfg_rules; /* catalog.yaml constraints, in file order */
    size_t n_cfg_rules;
    enum dw_cfg_objective cfg_objective;
    char *cfg_objective_attribute; /* DW_CFG_OBJ_ATTRIBUTE */

    struct dw_pricebook *pricebooks;
    size_t n_pricebooks;

    struct dw_qualification qualification;
    struct dw_policies policies;
    struct dw_team team;
    struct dw_mail_config mail;
    struct dw_webhook_config webhooks;

    struct dw_template proposal_template;
    struct dw_template reply_template;
    json_t *partials; /* templates/partials/NAME.mustache -> {"NAME": text} */
    struct dw_template_set template_sets[DW_WS_TEMPLATE_SETS];

    struct dw_document *documents;
    size_t n_documents;

    struct dw_models_cfg *models; /* NULL: no models.yaml */
    struct dw_prompt *prompts;    /* sorted by name */
    size_t n_prompts;

    /* The CEL environments the rules were compiled against (declared variables and their
     * record types); evaluations bind activations made from these. */
    struct cel_env *rule_env[DW_RULE__N];
};

/* The template `name` ("proposal" or "reply") in language `lang`: templates/LANG/NAME.mustache
 * when the workspace has it, else the company language's templates/NAME.mustache. Sets
 * *ret_partials to the partials that go with it and *ret_lang to the language of the
 * template returned (the company's, ws->language, on a fallback). */
const struct dw_template *dw_ws_template(const struct dw_workspace *ws, const char *name,
                                         const char *lang, const json_t **ret_partials,
                                         const char **ret_lang);

/* Rules outside a loaded workspace (tests, tools): the rule environments of a workspace
 * built by hand, and one rule compiled against them. A loaded workspace has both. */
int dw_ws_rules_init(struct dw_workspace *ws);
void dw_ws_rules_release(struct dw_workspace *ws);
int dw_rule_compile(const struct dw_workspace *ws, enum dw_rule_kind kind, const char *name,
                    const char *src, struct dw_rule *out, struct dw_error *err);
void dw_rule_release(struct dw_rule *r);

/* dw_workspace_load, _ref and _unref are public (include/dealwright/workspace.h). */

/* Derived data a layer above builds once per snapshot and keeps with it (the extractor's
 * prepared vocabulary, the legal triggers' compiled patterns): the first call for a slot runs
 * build(ws, ud) under a lock and keeps its result, later calls return it; the last unref of the
 * snapshot calls destroy on it. Returns NULL when build returned NULL (it is tried again on the
 * next call), and for a workspace built by hand rather than loaded (`loaded` false: tests and
 * tools), which has no memo; callers then compute per call. Thread-safe; the derived data
 * must itself be read-only. */
enum dw_ws_memo_slot {
    DW_WS_MEMO_EXTRACTOR,
    DW_WS_MEMO_LEGAL,
    DW_WS_MEMO_CLAIMS,     /* the passage each document offers for each item's claim */
    DW_WS_MEMO_TEMPLATES,  /* parsed Mustache templates */
    DW_WS_MEMO_RELEVANT,   /* the knowledge documents relevant to a set of capabilities */
    DW_WS_MEMO_MENTIONS,   /* discovery: the capabilities' names as one automaton */
    DW_WS_MEMO_INDUSTRIES, /* requirements: the profile's industry keywords, one automaton */
    DW_WS_MEMO_N
};
void *dw_ws_memo(const struct dw_workspace *ws, enum dw_ws_memo_slot slot,
                 void *(*build)(const struct dw_workspace *ws, void *ud), void *ud,
                 void (*destroy)(void *));

/* Lookups (binary search where sorted); NULL when absent. */
const struct dw_item *dw_ws_item(const struct dw_workspace *ws, const char *sku);
const struct dw_pricebook *dw_ws_pricebook(const struct dw_workspace *ws, const char *currency);
const struct dw_price *dw_pricebook_price(const struct dw_pricebook *pb, const char *sku);
/* In an array of prices sorted by SKU (a book's, or a region's). */
const struct dw_price *dw_prices_find(const struct dw_price *v, size_t n, const char *sku);
const struct dw_currency *dw_ws_currency(const struct dw_workspace *ws, const char *code);
const struct dw_user *dw_ws_user(const struct dw_workspace *ws, const char *id);
bool dw_user_has_role(const struct dw_user *u, const char *role);
/* The languages knowledge documents may be written in (ISO 639-1 codes, NULL-terminated):
 * those a stemmer exists for in the knowledge engine. */
extern const char *const dw_ws_languages[];
bool dw_ws_language_known(const char *code);
/* The prompt template prompts/NAME.mustache, or NULL. */
const struct dw_prompt *dw_ws_prompt(const struct dw_workspace *ws, const char *name);
/* Index of the band whose role is `role`, or -1. */
int dw_policies_band_index(const struct dw_policies *p, const char *role);

#endif

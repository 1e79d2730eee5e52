/* Checks of what a language model proposes (engines layer): facts read from a customer's
 * message, and drafts a customer will read. Pure functions of the workspace snapshot and
 * their inputs, so they are tested without any model (docs/internals/assist.md).
 *
 * The rule behind both: engines decide numbers and facts; a model only proposes. A proposed
 * fact is used only when the words it names are in the message and the deterministic
 * extractor reads the same value from those words; a draft only when every number, product
 * and claim in it can be traced to the quote, the requirements or a cited passage, and it
 * carries no personal data beyond the contact's name. Everything else is rejected with a
 * reason an auditor can read.
 *
 * Thread-safety: reentrant; the workspace and the extractor are only read.
 */
#ifndef DW_ASSIST_H
#define DW_ASSIST_H

#include "base/base.h"
#include "workspace/workspace.h"

struct dw_extractor;

/* Limits on what a model may send back (larger answers are cut, the rest rejected). */
#define DW_ASSIST_MAX_FACTS 64    /* facts per answer */
#define DW_ASSIST_MAX_QUOTE 400   /* bytes of the words a fact was read from */
#define DW_ASSIST_MAX_VALUE 200   /* bytes of a fact's value */
#define DW_ASSIST_MAX_DRAFT 16384 /* bytes of a draft */

/* The fields a model may propose: the extractor's (extract.h) and MEDDICC's. */
#define DW_ASSIST_FACT_FIELDS(X)                                                                   \
    X(QUANTITIES, "quantities", true)                                                              \
    X(BUDGET, "budget", true)                                                                      \
    X(DEADLINE, "deadline", true)                                                                  \
    X(COUNTRY, "country", true)                                                                    \
    X(CAPABILITIES, "capabilities", true)                                                          \
    X(EXCLUDED, "excluded_capabilities", true)                                                     \
    X(OPTIONAL, "optional_capabilities", true)                                                     \
    X(STANDARDS, "standards", true)                                                                \
    X(INTEGRATIONS, "integrations", true)                                                          \
    X(DISCOUNT, "discount", true)                                                                  \
    X(TERM, "term_months", true)                                                                   \
    X(RESIDENCY, "data_residency", true)                                                           \
    X(METRICS, "metrics", false)                                                                   \
    X(ECONOMIC_BUYER, "economic_buyer", false)                                                     \
    X(DECISION_CRITERIA, "decision_criteria", false)                                               \
    X(DECISION_PROCESS, "decision_process", false)                                                 \
    X(IDENTIFIED_PAIN, "identified_pain", false)                                                   \
    X(CHAMPION, "champion", false)

enum dw_assist_field {
#define X(id, name, parsed) DW_AF_##id,
    DW_ASSIST_FACT_FIELDS(X)
#undef X
        DW_AF_N
};
extern const char *const dw_assist_field_names[DW_AF_N];
/* The field named `name`, or -1. */
int dw_assist_field(const char *name);
/* Fields that hold one value (budget, deadline, country, discount, term, residency and the
 * MEDDICC ones) rather than a list. */
bool dw_assist_field_scalar(enum dw_assist_field f);

/* The JSON Schema a model's answer for the extraction task must meet (new reference):
 *   {facts: [{field: enum, value: string, unit: string|null, currency: string|null,
 *             quote: string}]}
 * `value` is always a string: "120", "200000.00", "2027-03-31", "DE", "wifi", "15", "36",
 * "EU", or the words for a MEDDICC field; `unit` names the catalog unit of a quantity,
 * `currency` the ISO 4217 code of a budget; `quote` the customer's words, verbatim. */
json_t *dw_assist_facts_schema(void);

/* Check the facts a model proposed for one message: text[0..len), received at received_at,
 * whose rules' extraction (dw_extractor_run over the same text) is `rules`.
 *
 * A fact is accepted when
 *   1. its `quote` occurs in the text — compared with runs of white space as one space and
 *      letters case-folded (ASCII and Latin-1), nothing looser;
 *   2. for an extractor field, the extractor (x) run over exactly those words of the text
 *      reads the same value (the same unit and count, amount and currency, date, country
 *      code, capability name under the same polarity...); for a MEDDICC field, the value
 *      occurs within the quoted words (a model may select words, never paraphrase them);
 *   3. the value is valid: a capability, standard or unit of the catalog, an ISO 3166
 *      country, a currency the extractor knows;
 *   4. it does not come from a sentence addressed to the system (`rules`'
 *      instructions_detected of a command category): such a sentence is data.
 *
 * *ret_accepted: [{field, value, quote, span: [s, e], reading}] where `reading` is the
 * extractor's fact for the quoted words (span and text into the message, as the rules' facts
 * have), or for MEDDICC {value, text, span}; *ret_rejected: [{field, value, quote, reason}].
 * A malformed answer (not {facts: [...]}) is one rejection with field null. Both new.
 * Returns 0, or -DW_ENOMEM / the extractor's error. */
int dw_assist_check_facts(const struct dw_workspace *ws, const struct dw_extractor *x,
                          const char *text, size_t len, dw_time_t received_at, const json_t *rules,
                          const json_t *answer, json_t **ret_accepted, json_t **ret_rejected,
                          struct dw_error *err);

/* A fact's value as one comparable string, from the rules' fact or an accepted reading:
 * "120 sites", "20000000 EUR", "2027-03-31", "DE", "wifi", "1500" (discount in basis points),
 * "36", "EU", or a MEDDICC value. "" when the fact has none. Returns buf. */
const char *dw_assist_fact_key(enum dw_assist_field f, const json_t *fact, char *buf, size_t size);

/* The extraction prompt's data for one message (prompts/extraction.mustache): {message,
 * received_at (the date relative dates count from), language, capabilities [{name,
 * synonyms}], units, standards, fields} (new). */
json_t *dw_assist_extraction_vars(const struct dw_workspace *ws, const char *text, dw_time_t at,
                                  const char *lang);

/* Put accepted facts (dw_assist_check_facts' *ret_accepted, each with its "lead") into a
 * requirements document m (the rules' merged reading, or one extraction): a gap is filled
 * (a country taken from the contact's form field counts as one), the same value as the rules'
 * is confirmed, a different one is a disagreement policies.yaml model_facts decides (ask and
 * rules keep the rules' value, model takes the model's; ask marks it `ask` for the contract
 * step); MEDDICC goes to m.meddicc. mdl gets what happened in its arrays filled, confirmed
 * and disagreements ([{field, value, quote, lead, rules?, decided?, ask?}]). 0 or
 * -DW_ENOMEM. */
int dw_assist_apply_facts(const struct dw_workspace *ws, json_t *m, const json_t *acc, json_t *mdl);

/* Where the words of `quote` are in text: the byte span [*s, *e) of the text, compared as
 * check 1 above does. false when absent or the quote is empty. */
bool dw_assist_find_quote(const char *text, size_t len, const char *quote, size_t *ret_s,
                          size_t *ret_e);

/* What a draft may say. Every pointer but ws may be NULL. */
struct dw_draft_facts {
    const struct dw_workspace *ws; /* the catalog: items (products), capabilities, documents */
    const json_t *quote;           /* the quote revision the draft speaks of */
    const json_t *requirements;    /* the deal's requirements document */
    /* The passages the draft may cite: [{ref: int, path, anchor?, text}]. A citation is
     * written [n] or [^n] after the words it supports. */
    const json_t *passages;
    const char *contact_name; /* the one piece of personal data a draft may hold */
    /* Personal data of the deal (e-mail addresses, phone numbers, other people's names...)
     * that must not appear; the contact's name is taken out of it. */
    const json_t *personal;
    /* Further numbers the draft may state (strings or integers): dates shown in the document,
     * the deal's reference. */
    const json_t *numbers;
    /* An answer about the catalog rather than an offer (`ask --answer`): it may name any
     * product, and the citation check alone decides whether a passage backs it; it must cite
     * at least one passage, and a figure said of a product must be said of it there. */
    bool catalog;
    /* The language the draft must be written in (engines/lang.h identifies it; a draft too
     * short to tell fails too), or NULL. */
    const char *language;
    /* The draft asks the customer something: it must hold a question. */
    bool must_ask;
};

/* The numbers written with digits in text, appended to `into` as canonical strings
 * ("1,400" -> "1400", "2.5" -> "2.5"; an ambiguous "1.200" both ways): what an answer may
 * repeat from its passages. */
int dw_assist_text_numbers(const char *text, json_t *into);

/* Check a draft (Markdown text) against the facts:
 *   number:   every number written with digits equals one in the quote, the requirements or
 *             `numbers` (grouping and decimal separators of the six languages read; a number
 *             that is part of a product, capability or standard name, a citation marker and a
 *             list item's number are not statements);
 *   product:  every catalog item it names (by SKU or name) is in the quote;
 *   citation: every sentence that names a product or a capability cites [n] a passage of
 *             `passages`, and the cited passages support it: the passage or its document
 *             speaks of that product or capability, and at least two thirds of the sentence's
 *             other content words occur in the cited passages (compared on their first five
 *             letters);
 *   personal: no e-mail address, phone number or IBAN, and nothing of `personal`, beyond
 *             the contact's name;
 *   language: written in `language` when that is set;
 *   question: holds a question when `must_ask` is set.
 * *ret_report: {ok: bool, failures: [{check, text, detail}], sentences: [{text, refs: [n]}]}
 * (new). Returns 0, -DW_ETOOBIG for a draft over DW_ASSIST_MAX_DRAFT or not UTF-8 (also a
 * failure, reported), -DW_ENOMEM. */
int dw_assist_check_draft(const struct dw_draft_facts *f, const char *draft, json_t **ret_report,
                          struct dw_error *err);

#endif

/* Requirements extraction (engines layer): structured needs from a customer's free text,
 * deterministic and offline. Every extracted field carries the byte span of the words it
 * came from, so a person can see why the engine believes it.
 *
 * The text is data, never an instruction: phrases that address the system ("ignore your
 * rules", "approve this") are reported in `instructions_detected` and never obeyed. They
 * hide nothing either: "approve 60 % off" is still a 60 % discount request, for the policy
 * engine to judge.
 *
 * Thread-safety: dw_extract and dw_extractor_run are reentrant; a prepared extractor is
 * read-only and may be shared by any number of threads.
 */
#ifndef DW_EXTRACT_H
#define DW_EXTRACT_H

#include "base/base.h"

struct dw_workspace;

/* A canonical term and the phrases that name it (matched case-insensitively, on word
 * boundaries; the canonical name itself always matches). */
struct dw_vocab_term {
    const char *name;
    const char *const *synonyms;
    size_t n_synonyms;
};

/* What the extractor knows of the company: its catalog's capability names and synonyms,
 * the compliance standards it recognises, and the counted things (units) its catalog sells
 * by. Units: name is the canonical unit ("users"), synonyms the nouns ("seats", "employees",
 * "Nutzer"). */
struct dw_extract_vocab {
    const struct dw_vocab_term *capabilities;
    size_t n_capabilities;
    const struct dw_vocab_term *standards;
    size_t n_standards;
    const struct dw_vocab_term *units;
    size_t n_units;
    const char *default_currency; /* used when an amount has no currency ("50k budget") */
    /* Third-party systems the customer may name ("SAP", "Microsoft Entra ID"); when empty,
     * a built-in list of common ones (docs/internals/extraction.md). */
    const struct dw_vocab_term *integrations;
    size_t n_integrations;
};

/* Limits: texts above DW_EXTRACT_MAX_TEXT bytes are rejected (-DW_ETOOBIG); at most
 * DW_EXTRACT_MAX_ITEMS entries per list in the result. */
#define DW_EXTRACT_MAX_TEXT (64 * 1024)
#define DW_EXTRACT_MAX_ITEMS 64

/* Extract from text[0..len) (valid UTF-8), resolving relative dates against received_at.
 * On success *ret is a new JSON object (caller owns) with this schema — every key present,
 * absent facts as null or []; every "span" is [start, end) byte offsets into text and
 * "text" is exactly text[start..end); every fact has a "confidence" in [0, 1] (how sure the
 * engine is that it read the words right: docs/internals/extraction.md lists the grades):
 *
 *   language:    "en" | "de" | "fr" | "es" | "it" | "nl"  the message's language by its
 *                                                  function words (engines/lang.h); "en"
 *                                                  when the text says too little
 *   quantities:  [{value: int, unit: "users", counts: "Mitarbeiter", text, span}]
 *                                                  units from vocab.units; counts is the noun
 *                                                  as written; one entry per mention, in
 *                                                  text order
 *   budget:      {amount: "200000.00", currency: "EUR", qualifier: "max"|"about"|"exact"|
 *                 "range"|"min", min: "…"|null, minor: int, text, span} | null
 *                 "min" is a floor ("at least 40k"); min is set for "range" only; minor is
 *                 amount in integer minor units
 *   deadline:    {date: "YYYY-MM-DD", relative: bool, text, span} | null
 *                 relative: the date was resolved against received_at
 *   country:     {code: "DE" (ISO 3166-1 alpha-2), via: "location"|"named"|"adjective"|
 *                 "region", text, span} | null  via: after "based in"…, the first named, a
 *                                             country adjective ("a Dutch producer"), or the
 *                                             country of a named state or city ("Ohio")
 *   regions:     [{name: "Bavaria"|"Cologne"|"EU"…, kind: "state"|"city"|"group",
 *                  country: "DE"|null, text, span}]   states, large cities (with their
 *                                             country) and groups of countries
 *   capabilities:[{name, text, span}]                 named and wanted (first mention of
 *                                                       each name)
 *   excluded_capabilities: [{name, text, span}]        named under a negation ("no on-prem
 *                                                       needed", "SD-WAN nicht nötig")
 *   optional_capabilities: [{name, text, span}]        named with a hedge ("maybe later",
 *                                                       "eventuell später", "nice to have");
 *                                                       not in capabilities
 *   standards:   [{name, text, span}]                  from vocab.standards (GDPR, ISO 27001…)
 *   integrations:[{name, text, span}]                  systems named (vocab.integrations)
 *   discount:    {pct: "15" (decimal string), text, span} | null   a discount asked for
 *   term_months: {value: int, text, span} | null       "3-year term" -> 36
 *   data_residency: {region: "EU", text, span} | null  "data must stay in the EU"
 *   contact_details: [{kind: "email"|"phone"|"url", value, text, span}]
 *                                                  value normalised: e-mail lower-case,
 *                                                  phone "+49 221 5550142" digits and spaces
 *   instructions_detected: [{text, span}]              text addressed to the system
 *   main_quantity: {value, unit, counts, text, span} | null   the count that sizes the
 *                                                  offer: the first of something installed
 *                                                  (sites, access points, devices) before a
 *                                                  head count or days
 *   notes:       [{field, why, text, span}]           facts read and set aside: a decision
 *                                                  date, a date counted from the order, a
 *                                                  running cost, a part of a total, an
 *                                                  earlier message's count
 *   structure:   [{part, start, end}]                 the parts other than the current text
 *                                                  (dw_msg_structure()): quoted, forwarded,
 *                                                  signature, disclaimer and header lines
 *
 * Money amounts use two decimals (minor units of EUR/USD/GBP/CHF) except JPY (none).
 * dw_extract() prepares the vocabulary on every call; callers that extract more than once
 * prepare it once with dw_extractor_new() (or take the workspace's, dw_ws_extractor()). */
int dw_extract(const char *text, size_t len, dw_time_t received_at,
               const struct dw_extract_vocab *vocab, json_t **ret, struct dw_error *err);

/* A vocabulary prepared for extraction (its phrase indexes), read-only once made. It
 * borrows the vocabulary's strings: they must outlive it. */
struct dw_extractor;
int dw_extractor_new(const struct dw_extract_vocab *vocab, struct dw_extractor **ret,
                     struct dw_error *err);
void dw_extractor_free(struct dw_extractor *x);
/* As dw_extract(), with a prepared vocabulary. */
int dw_extractor_run(const struct dw_extractor *x, const char *text, size_t len,
                     dw_time_t received_at, json_t **ret, struct dw_error *err);
/* For tests: with on set, the extractor reads without the indexes that only skip work
 * (every language pattern tried at every token, every vocabulary probe made), so a test
 * can check that both readings agree. Not thread-safe; off by default. */
void dw__extract_plain(bool on);
/* The workspace's extractor (its capabilities, standards, units and home currency), prepared
 * on first use and kept with the snapshot until its last unref; NULL with err set when it
 * cannot be made. Thread-safe. */
const struct dw_extractor *dw_ws_extractor(const struct dw_workspace *ws, struct dw_error *err);

/* ---- the parts of a message (structure.c, docs/internals/extraction.md) ----------------- */

/* What a stretch of whole lines of a message is: the customer's current text, a quoted
 * earlier message ("> " lines, or all that follows "On … wrote:") and its attribution line,
 * a forwarded message and its header block, a signature, a legal disclaimer. */
enum dw_msg_part {
    DW_PART_CURRENT,
    DW_PART_QUOTED,
    DW_PART_QUOTE_HEADER,
    DW_PART_FORWARDED,
    DW_PART_FORWARD_HEADER,
    DW_PART_SIGNATURE,
    DW_PART_DISCLAIMER,
    DW_PART_SELLER, /* the seller's turns of a chat transcript pasted as text ("Agent: ...") */
};

struct dw_msg_span {
    uint32_t s, e; /* bytes [s, e) of the text */
    uint8_t part;  /* enum dw_msg_part */
};

#define DW_MSG_MAX_PARTS 64

/* The parts of text[0..len) in order, covering it, into out (cap entries; beyond that the
 * last part takes the rest); returns how many (at least 1 when cap > 0 and text is set). */
size_t dw_msg_structure(const char *text, size_t len, struct dw_msg_span *out, size_t cap);
/* "current", "quoted", "quote_header", "forwarded", "forward_header", "signature",
 * "disclaimer", "seller". */
const char *dw_msg_part_name(enum dw_msg_part p);

/* ---- evaluation against labelled messages (docs/internals/extraction.md) ---------------- */

/* The fields scored, in report order. */
#define DW_EXTRACT_EVAL_FIELDS(X)                                                                  \
    X(BUDGET, "budget")                                                                            \
    X(QUANTITY, "quantities")                                                                      \
    X(DEADLINE, "deadline")                                                                        \
    X(COUNTRY, "country")                                                                          \
    X(CAPABILITY, "capabilities")                                                                  \
    X(EXCLUDED, "excluded_capabilities")                                                           \
    X(OPTIONAL, "optional_capabilities")                                                           \
    X(STANDARD, "standards")                                                                       \
    X(INTEGRATION, "integrations")                                                                 \
    X(CONTACT, "contact_details")                                                                  \
    X(LANGUAGE, "language")
enum dw_extract_field {
#define X(id, name) DW_EF_##id,
    DW_EXTRACT_EVAL_FIELDS(X)
#undef X
        DW_EF_N
};
extern const char *const dw_extract_field_names[DW_EF_N];

struct dw_extract_tally {
    int64_t tp[DW_EF_N], fp[DW_EF_N], fn[DW_EF_N];
    int64_t messages;
    /* Whole messages: every labelled field right. */
    int64_t whole_right;
    /* The main quantity: messages whose label has a count, and those whose main count (the
     * label's first) the extractor got exactly (dw_extract_main_quantity). */
    int64_t main_q_of, main_q_right;
    /* Exclusions: messages that label one or more, those with all of them found and none
     * extra, and refused capabilities the extractor reported as wanted. */
    int64_t excl_of, excl_right, excl_wanted;
};

/* Compare one extraction (`got`, dw_extract's result) with the expected facts of a labelled
 * message and add to the tally. `expected` is an object whose keys are field names (see
 * docs/internals/extraction.md "Evaluation"); a key left out is not scored for that message.
 * On a malformed expectation returns -DW_EINVAL with the field in err. */
int dw_extract_score(const json_t *expected, const json_t *got, struct dw_extract_tally *t,
                     struct dw_error *err);
/* 1 when the extractor got the label's main quantity exactly: the values `got` reports in the
 * unit of the label's first quantity are the label's values in that unit; 0 when not; -1 when
 * the label has no quantity. */
int dw_extract_main_quantity(const json_t *expected, const json_t *got);
/* Precision, recall and F1 of a field (1.0 when there was nothing to find and nothing found). */
void dw_extract_prf(const struct dw_extract_tally *t, enum dw_extract_field f, double *ret_p,
                    double *ret_r, double *ret_f1);

/* ISO 3166-1 alpha-2 code for a country name or code in English or German
 * ("Germany", "Deutschland", "DE", "U.S."), or NULL. */
const char *dw_country_code(const char *name);
/* True for the EU/EEA member states (data-protection scope). */
bool dw_country_is_eea(const char *code);

#endif

/* Requirements extraction (engines layer): structured needs from a customer's free text,
 * deterministic and offline. Every extracted field carries the byte span of the words it
 * came from, so a person can see why the engine believes it.
 *
 * The text is data, never an instruction: phrases that address the system ("ignore your
 * rules", "approve this") are reported in `instructions_detected` and never obeyed. They
 * hide nothing either: "approve 60 % off" is still a 60 % discount request, for the policy
 * engine to judge.
 *
 * Thread-safety: dw_extract is reentrant; a vocabulary is read-only while in use.
 */
#ifndef DW_EXTRACT_H
#define DW_EXTRACT_H

#include "base/base.h"

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
};

/* Limits: texts above DW_EXTRACT_MAX_TEXT bytes are rejected (-DW_ETOOBIG); at most
 * DW_EXTRACT_MAX_ITEMS entries per list in the result. */
#define DW_EXTRACT_MAX_TEXT (64 * 1024)
#define DW_EXTRACT_MAX_ITEMS 64

/* Extract from text[0..len) (valid UTF-8), resolving relative dates against received_at.
 * On success *ret is a new JSON object (caller owns) with this schema — every key present,
 * absent facts as null or []; every "span" is [start, end) byte offsets into text and
 * "text" is exactly text[start..end):
 *
 *   quantities:  [{value: int, unit: "users", text, span}]      units from vocab.units;
 *                                                  one entry per mention, in text order
 *   budget:      {amount: "200000.00", currency: "EUR", qualifier: "max"|"about"|"exact"|
 *                 "range"|"min", min: "…"|null, text, span} | null
 *                 "min" is a floor ("at least 40k"); min is set for "range" only
 *   deadline:    {date: "YYYY-MM-DD", relative: bool, text, span} | null
 *                 relative: the date was resolved against received_at
 *   country:     {code: "DE" (ISO 3166-1 alpha-2), text, span} | null
 *   capabilities:[{name, text, span}]                 named and wanted (first mention of
 *                                                       each name)
 *   excluded_capabilities: [{name, text, span}]        named under a negation ("no on-prem
 *                                                       needed", "we don't need SD-WAN")
 *   standards:   [{name, text, span}]                  from vocab.standards (GDPR, ISO 27001…)
 *   discount:    {pct: "15" (decimal string), text, span} | null   a discount asked for
 *   term_months: {value: int, text, span} | null       "3-year term" -> 36
 *   data_residency: {region: "EU", text, span} | null  "data must stay in the EU"
 *   instructions_detected: [{text, span}]              text addressed to the system
 *
 * Money amounts use two decimals (minor units of EUR/USD/GBP/CHF) except JPY (none). */
int dw_extract(const char *text, size_t len, dw_time_t received_at,
               const struct dw_extract_vocab *vocab, json_t **ret, struct dw_error *err);

/* ISO 3166-1 alpha-2 code for a country name or code in English or German
 * ("Germany", "Deutschland", "DE", "U.S."), or NULL. */
const char *dw_country_code(const char *name);
/* True for the EU/EEA member states (data-protection scope). */
bool dw_country_is_eea(const char *code);

#endif

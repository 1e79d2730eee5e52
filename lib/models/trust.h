/* models/trust — the pure parts of the trust path (models.h): masking personal data with
 * stable placeholders and restoring it, screening what goes in and what comes back, the
 * JSON Schema check of an answer, and the arithmetic of budgets, backoff and the circuit
 * breaker. No I/O here: the unit tests and the benchmark run it as is.
 */
#ifndef DW_MODELS_TRUST_H
#define DW_MODELS_TRUST_H

#include "base/base.h"

/* ---- masking --------------------------------------------------------------------------
 * What is masked: e-mail addresses, phone numbers (an international "+" number, or digits
 * after a word like "phone", "tel", "mobile"), IBANs (mod-97 checked), postal addresses
 * (street lines in en/de/fr/es/it/nl/pt forms), people's names (the deal's contact and
 * the strings the caller knows to be personal, and names after "my name is", a greeting
 * or a sign-off). Each distinct value gets one placeholder, [EMAIL_1], [PHONE_2], [NAME_1],
 * [ADDRESS_1], [IBAN_1], numbered in order of first occurrence; the same input masks to
 * the same text, so a request's hash (the journal key) is stable. */
struct dw_mask_entry {
    char *value;
    char ph[24];
};
struct dw_mask {
    struct dw_mask_entry *v;
    size_t n, cap;
    int count[5];
};
void dw_mask_init(struct dw_mask *m);
void dw_mask_release(struct dw_mask *m);
/* Mask text (caller frees *ret). known: array of personal strings (may be NULL). */
int dw_mask_text(struct dw_mask *m, const char *text, size_t len, const json_t *known, char **ret);
/* A deep copy of v with every string value masked (object keys are kept). */
int dw_mask_json(struct dw_mask *m, const json_t *v, const json_t *known, json_t **ret);
/* The personal strings of v: known (may be NULL) and every value the patterns find in any
 * string of v, as a new array (the known list of a second, masking pass). */
int dw_mask_discover(const json_t *v, const json_t *known, json_t **ret);
/* Placeholders of m restored in every string value of a copy of v. */
json_t *dw_unmask_json(const struct dw_mask *m, const json_t *v);

/* ---- screening ------------------------------------------------------------------------ */
/* Instruction-like text in the string values of v (the request's data): findings as
 * ["instruction at vars.message", ...] appended to flags. */
int dw_screen_input(const json_t *v, json_t *flags, struct dw_error *err);
/* An answer that tries to call a tool, change policy or grant authority: 1 with why set,
 * 0 when clean. Strings the answer copies from `data` (text of the request, which the
 * input screen has flagged already) are not held against it. */
int dw_screen_output(const json_t *answer, const char *data, char *why, size_t why_size,
                     struct dw_error *err);

/* ---- the answer's schema -------------------------------------------------------------
 * The subset of JSON Schema checked: type (one or a list), properties, required,
 * additionalProperties (false or a schema), items, enum, const, minLength, maxLength,
 * minimum, maximum, minItems, maxItems. 0 when v meets it, else -DW_EVALIDATE with the
 * JSON path in why. */
int dw_schema_check(const json_t *schema, const json_t *v, char *why, size_t why_size);

/* ---- budgets, backoff, breaker -------------------------------------------------------- */
/* Tokens a text will take: a bound for budgets before the provider counts them (4 bytes a
 * token rounds up for the Latin languages; the provider's count is journaled after). */
int64_t dw_tokens_estimate(size_t bytes);
/* The wait before retry `attempt` (1-based): base doubled each time, at most 30 s; a
 * Retry-After (>= 0) wins when longer. */
int64_t dw_backoff_ms(int attempt, int64_t base_ms, int64_t retry_after_ms);

struct dw_breaker {
    int failures;          /* consecutive */
    int64_t open_until_ms; /* 0: closed */
    bool trial;            /* half-open: one call let through after the cooldown */
};
/* Whether a call may go now (monotonic ms). After the cooldown one trial call is let
 * through (half-open); its result closes or re-opens the breaker. */
bool dw_breaker_allows(struct dw_breaker *b, int64_t now_ms);
void dw_breaker_record(struct dw_breaker *b, bool ok, int64_t now_ms, int64_t threshold,
                       int64_t cooldown_s);

#endif

/* Screening of customer text (engines layer): finds words addressed to the system and claims
 * made to it in every field a customer controls, so an approver sees them. A pure function:
 * fields in, findings out; nothing is obeyed and nothing is changed.
 *
 * Each field is read the way a model or a person would read it, not only byte by byte: HTML
 * entities and percent-encoding are decoded, zero-width and other invisible characters are
 * dropped, look-alike letters (Cyrillic, Greek, full-width, mathematical) and accents are
 * folded to plain Latin letters, text spaced out letter by letter ("i g n o r e  a l l") is
 * joined, digits standing for letters ("1gn0re") are read as letters, and base64 blobs are
 * decoded and read too. The patterns, in English, German, French, Spanish, Italian and
 * Dutch, are compiled in (docs/internals/extraction.md, "Screening").
 *
 * Thread-safety: dw_screen is reentrant; the compiled patterns are shared read-only.
 */
#ifndef DW_SCREEN_H
#define DW_SCREEN_H

#include "base/base.h"

/* What a finding is. The first three address the system (an instruction to it): a discount
 * named in the same sentence is not the customer's request. The claims are data for the
 * approver and change no one's authority. */
#define DW_SCREEN_CATEGORIES(X)                                                                    \
    X(INSTRUCTION, "instruction", true)          /* "ignore your rules", "approve this" */         \
    X(ROLE_PLAY, "role_play", true)              /* "you are now in admin mode" */                 \
    X(FAKE_SYSTEM, "fake_system", false)         /* "SYSTEM:", "note to the AI assistant" */       \
    X(PRIOR_AGREEMENT, "prior_agreement", false) /* "a 30 % discount was pre-agreed" */            \
    X(AUTHORITY_CLAIM, "authority_claim", false) /* "I sign on behalf of your company" */          \
    X(MARKUP, "markup", false)                   /* HTML or Markdown links, hidden blocks */       \
    X(ENCODED, "encoded_text", false)            /* readable text hidden in base64 */

enum dw_screen_category {
#define X(id, name, cmd) DW_SCREEN_##id,
    DW_SCREEN_CATEGORIES(X)
#undef X
        DW_SCREEN_N
};

/* One field a customer controls: name as the lead's JSON path ("subject", "contact.name",
 * "transcript[2].text"), text[0..len) valid UTF-8 (invalid bytes are read as U+FFFD). */
struct dw_screen_field {
    const char *name;
    const char *text;
    size_t len;
};

/* Limits: at most DW_SCREEN_MAX_FINDINGS findings in all; a field is read up to
 * DW_SCREEN_MAX_FIELD bytes (the rest is not screened). */
#define DW_SCREEN_MAX_FINDINGS 64
#define DW_SCREEN_MAX_FIELD (256 * 1024)

/* Screen n fields. On success *ret is a new JSON array (caller owns), in field order then
 * text order, of
 *   {category: "instruction"|..., field: NAME, span: [start, end), text, read, language,
 *    via: ["percent"|"entity"|"invisible"|"lookalike"|"spaced"|"digits"|"base64"...]}
 * span is byte offsets into that field's text and text is exactly text[start..end); read is
 * the words as the screen read them (decoded and folded); language is "en", "de", "fr",
 * "es", "it", "nl" or "any"; via names the disguises the words were found under.
 * Returns 0, -DW_ENOMEM, or -DW_EINTERNAL when the built-in patterns cannot be compiled. */
int dw_screen(const struct dw_screen_field *fields, size_t n, json_t **ret, struct dw_error *err);

/* The same screening read the slow, plain way: every pattern run over the whole read text,
 * from every position, with no trigger words. dw_screen() must find exactly what this finds
 * on every input; it exists for the differential tests (tests/unit/test_screen.c,
 * fuzz/fuzz_extract.c). */
int dw__screen_reference(const struct dw_screen_field *fields, size_t n, json_t **ret,
                         struct dw_error *err);

/* The category's name, and whether it addresses the system (a command). */
const char *dw_screen_category_name(enum dw_screen_category c);
bool dw_screen_is_command(const char *category);

#endif

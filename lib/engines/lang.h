/* Languages (engines layer): which language a customer writes in, and how that language
 * writes money and dates in the documents the customer reads.
 *
 * Identification scores the text's function words (articles, pronouns, prepositions,
 * auxiliaries and the set phrases of business mail) for English, German, French, Spanish,
 * Italian and Dutch, with a few letters only one of them uses (ß, ñ, ç). It is meant for a
 * sales enquiry of a sentence or more, not for a single word.
 *
 * Thread-safety: reentrant; the word table is built once, on first use, and only read.
 */
#ifndef DW_LANG_H
#define DW_LANG_H

#include "base/base.h"

/* The languages dw_lang_detect() can answer, in its tie-breaking order. */
extern const char *const dw_lang_detectable[]; /* "en", "de", "fr", "es", "it", "nl", NULL */

/* The language of text[0..len): one of dw_lang_detectable, or NULL when the text gives too
 * little evidence (fewer than DW_LANG_MIN_SCORE points, or a tie between the best two).
 * *ret_score, when not NULL, gets the winner's points. */
#define DW_LANG_MIN_SCORE 3
const char *dw_lang_detect(const char *text, size_t len, int *ret_score);

/* An amount in minor units as `lang` writes it with the currency's sign: en "$1,234.56",
 * "€1,234.56", "CHF 1,234.56"; de "1.234,56 €"; fr "1 234,56 €" (narrow no-break space
 * between groups, no-break space before the sign); es/it/pt "1.234,56 €"; nl "€ 1.234,56".
 * Unknown languages write as en; currencies without a sign of their own use their code.
 * Returns buf (always NUL-terminated). */
const char *dw_lang_money(const char *lang, int64_t minor, int digits, const char *currency,
                          char *buf, size_t size);

/* The day of t (UTC) in words: en "December 6, 2026", de "6. Dezember 2026", fr "6 décembre
 * 2026" ("1er" on the first), es "6 de diciembre de 2026", it "6 dicembre 2026", nl
 * "6 december 2026", pt "6 de dezembro de 2026". Returns buf. */
const char *dw_lang_date(const char *lang, dw_time_t t, char *buf, size_t size);

#endif

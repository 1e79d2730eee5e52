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

/* libexttextcat (Debian's libexttextcat, n-gram fingerprints of Cavnar and Trenkle) over
 * at most DW_LANG_TC_MAX bytes (a few hundred decide, and the cost grows with the bytes); texts
 * under DW_LANG_TC_MIN bytes have no fingerprint, and under DW_LANG_TC_SURE its answer is checked
 * against the function words. */
#define DW_LANG_TC_MIN 25
#define DW_LANG_TC_SURE 80
#define DW_LANG_TC_MAX 400
#define DW_LANG_FW_DECISIVE 8 /* function-word points that decide without n-grams */
#define DW_LANG_PARA_MIN 40   /* a shorter paragraph reads as the message's language */

/* 0, or -DW_ENOENT naming the fingerprint that cannot be read (the folder is found when the
 * library is built: DW_TEXTCAT_DIR, meson's -Dtextcat_dir). Loaded once, and the function-word
 * table built. */
int dw_lang_ready(struct dw_error *err);

/* A stretch of a message in one language: bytes [start, end), lang an index into
 * dw_lang_detectable. */
struct dw_lang_part {
    uint32_t start, end;
    int8_t lang;
};

/* The language of a message (an index into dw_lang_detectable) and, when parts is not NULL,
 * its paragraphs in order with their own languages (at most cap; consecutive paragraphs of
 * one language merged; the last part runs to the end), count in *ret_n.
 *
 * The message's language is that of the customer's own words: the text before the first
 * quoted line, quote header ("On ... wrote:", "-----Original Message-----", "Von:") or
 * signature marker ("-- "). It is libexttextcat's answer when the text is long enough and
 * one language is clearly nearest; else the function words' (a short text has too few
 * n-grams, but "nous", "il" or "geen" settles it); else English. A paragraph (blank lines
 * apart) of 40 bytes or more is given another language only when its function words point
 * at it clearly and its own fingerprint agrees: an English signature under a German
 * message, an English message quoted under a French one. */
int dw_lang_identify(const char *text, size_t len, struct dw_lang_part *parts, size_t cap,
                     size_t *ret_n);

/* As dw_lang_identify(), with lo the same text lower-cased byte for byte (ASCII A-Z, and
 * the Latin-1 capitals À..Þ but × as the second byte after 0xC3: the extractor's
 * dw__ex_fold_lower()), or NULL: the words are then read where they stand, not copied and
 * lower-cased one by one. The answer is the same. */
int dw_lang_identify_lower(const char *text, const char *lo, size_t len, struct dw_lang_part *parts,
                           size_t cap, size_t *ret_n);

/* For tests: with on set, identification reads the plain way (each word copied and
 * lower-cased, lo ignored), so a test can check that both readings agree. Not thread-safe;
 * off by default. */
void dw__lang_plain(bool on);

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

/* Phrase patterns (rules layer): word sequences with inflections, alternatives, gaps and
 * number bounds, matched in customer text without regard to case or accents.
 *
 * Text is cut into words: runs of letters and digits (any non-ASCII letter counts as a
 * letter); everything else separates, including apostrophes and hyphens ("d'achat" is "d"
 * "achat", "Net-60" is "net" "60"). Words are folded to lower case with the accents of the
 * Latin-1 letters removed ("Responsabilité" reads "responsabilite", "ß" reads "ss"). A
 * sentence ends at ". " (unless the word before the full stop is a single letter, as in
 * "U.S. "), "!", "?", ";" or a line break; a match never spans two sentences.
 *
 * A pattern is elements separated by spaces:
 *   word          the word itself ("liability")
 *   stem*         any word starting with stem ("liabilit*": liability, liabilities)
 *   a|b*|c        any of the alternatives
 *   >N            a number above N ("net >30": net 45, not net 30; digits only, so "€60k"
 *                 and "1,000" are not numbers)
 *   ~N            up to N words of anything (1..8) — "liabilit* ~3 not ~1 limited"
 *   !a|b*         the next word is none of these (a check, nothing is consumed); only
 *                 after the first element ("our own contract !manufactur*")
 * The first and last consuming elements are words or numbers, never a gap.
 *
 * Thread-safety: a compiled pattern and a prepared text are read-only and may be shared.
 */
#ifndef DW_PHRASE_H
#define DW_PHRASE_H

#include "base/base.h"

#define DW_PHRASE_MAX_ELEMS 24 /* elements of one pattern */
#define DW_PHRASE_MAX_LEN 512  /* bytes of one pattern */

/* A text cut into folded words. */
struct dw_ptoken {
    size_t start, end; /* [start, end) bytes of the original text */
    size_t fold, flen; /* the folded word: folded[fold .. fold + flen) */
    uint32_t sent;     /* sentence number */
    int64_t num;       /* the value when the word is all digits (at most 9), else -1 */
};
struct dw_ptext {
    const char *text;
    size_t len;
    struct dw_ptoken *tok;
    size_t n;
    char *folded;
};

/* Cut text[0..len) into words. -DW_ENOMEM; release with dw_ptext_release. */
int dw_ptext_init(struct dw_ptext *t, const char *text, size_t len);
void dw_ptext_release(struct dw_ptext *t);
/* True when token i's folded word equals w (already folded) / starts with it. */
bool dw_ptoken_is(const struct dw_ptext *t, size_t i, const char *w);
bool dw_ptoken_prefix(const struct dw_ptext *t, size_t i, const char *w);

/* Fold s[0..len) as text is folded, appending to out (NUL-terminated) — for callers that
 * build their own word lists. -DW_ENOMEM / -DW_ETOOBIG per dw_buf. */
int dw_phrase_fold(const char *s, size_t len, struct dw_buf *out);

struct dw_phrase;
/* Compile a pattern. On a syntax error returns -DW_EINVAL, *ret_col the byte offset in
 * the pattern of the offending element and err the message (no position in it). */
int dw_phrase_compile(const char *pattern, struct dw_phrase **ret, size_t *ret_col,
                      struct dw_error *err);
void dw_phrase_free(struct dw_phrase *p);

/* The first match at or after token `from`: tokens [*ret_t0, *ret_t1). */
bool dw_phrase_match(const struct dw_phrase *p, const struct dw_ptext *t, size_t from,
                     size_t *ret_t0, size_t *ret_t1);

#endif

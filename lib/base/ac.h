/* Many strings looked for in one pass over a text (an Aho–Corasick automaton, base layer):
 * built once from a list of patterns, then each text is read once, byte by byte, and every
 * pattern occurring in it is reported, exactly as a strstr() per pattern would find them.
 *
 * Patterns are byte strings (UTF-8 is matched byte for byte; no case folding: fold the
 * patterns and the text the same way first). An empty pattern occurs in every text.
 *
 * Thread-safety: an automaton is read-only once built; any number of threads may scan
 * with it at once.
 */
#ifndef DW_AC_H
#define DW_AC_H

#include <stddef.h>
#include <stdint.h>

struct dw_ac;

/* An automaton for pats[0..n) (NUL-terminated); 0, -DW_ENOMEM, or -DW_ETOOBIG beyond 65,535
 * states. */
int dw_ac_new(const char *const *pats, size_t n, struct dw_ac **ret);
void dw_ac_free(struct dw_ac *ac);

/* The patterns occurring in s[0..len): bit k % 64 of found[k / 64] is set for pattern k
 * (found has (n + 63) / 64 words, cleared by the caller, and is only ever set). Returns how
 * many patterns the scan set that were not set before. */
size_t dw_ac_scan(const struct dw_ac *ac, const char *s, size_t len, uint64_t *found);

#endif

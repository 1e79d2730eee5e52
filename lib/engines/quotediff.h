/* Quote revisions compared (engines layer): which lines were added, removed or changed
 * between two quotes, field by field, and how the totals moved.
 *
 * Lines are matched by what they are, not where they stand: the key is the SKU, prefixed
 * by the bundle it belongs to ("NW-KIT-BRANCH/NW-EDGE-100"), with "#2", "#3" ... for a
 * later line of the same key. A quote's revisions are immutable, so the diff is computed
 * from the two stored revisions whenever it is asked for; nothing is stored twice.
 *
 * Thread-safety: reentrant.
 */
#ifndef DW_QUOTEDIFF_H
#define DW_QUOTEDIFF_H

#include "base/base.h"

/* Compare two quotes in dw_price()'s form (as stored: revision, hash and created_at may be
 * present). On success *ret is a new object:
 *
 *   {from: {revision, hash, currency, total}, to: {...}, currency, digits,
 *    totals: {subtotal|discount|total|cost|margin: {from, to, delta}},
 *    quote: [{field, from, to}],        -- changed quote-level fields (discount_bp, ...)
 *    added: [line], removed: [line],
 *    changed: [{key, sku, changes: [{field, from, to}]}],
 *    unchanged: N}
 *
 * Money is in minor units of `currency`; when the currencies differ the deltas are null.
 * Returns 0, -DW_EINVAL (a quote without lines) or -DW_ENOMEM. */
int dw_quote_diff(const json_t *from, const json_t *to, json_t **ret);

/* A short text for people: one line per added, removed and changed line and the totals. */
int dw_quote_diff_text(const json_t *diff, struct dw_buf *out);

#endif

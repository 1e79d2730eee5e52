/* The clock of the documents a customer reads (engines layer): how long a quote revision
 * holds and how long an offered demo slot is kept for a deal. One definition, read by the
 * proposal, by the API's view of a deal and by acceptance, so that what the proposal says
 * is what `accept` enforces.
 *
 * Thread-safety: reentrant.
 */
#ifndef DW_DOCCLOCK_H
#define DW_DOCCLOCK_H

#include "base/base.h"
#include "workspace/workspace.h"

/* The last day an offer written at `written` can be accepted: the UTC day of `written` plus
 * policies.yaml quotes.valid_days (midnight UTC starting that day). The proposal records it
 * as its valid_until when it offers a quote revision. */
dw_time_t dw_offer_valid_until(const struct dw_workspace *ws, dw_time_t written);

/* Whether an offer valid until the day `valid_until` ("YYYY-MM-DD" or a full time) can no
 * longer be accepted at `now`: that day is over (UTC). Unreadable counts as expired. */
bool dw_offer_expired(const char *valid_until, dw_time_t now);

/* For a revision no proposal has recorded a validity for (stores written before proposals
 * did): the last day a quote revision can be accepted: the UTC day of its created_at (when the
 * revision was written) plus policies.yaml quotes.valid_days. The revision is good through
 * the end of that day (UTC). *ret is midnight UTC starting that day. -DW_EINVAL when the
 * quote has no readable created_at. */
int dw_quote_valid_until(const struct dw_workspace *ws, const json_t *quote, dw_time_t *ret);

/* Whether the revision can no longer be accepted at `now` (its valid_until day is over).
 * A quote without created_at counts as expired. */
bool dw_quote_expired(const struct dw_workspace *ws, const json_t *quote, dw_time_t now);

/* How long a deal keeps the demo slots it was offered: until the deal ends (ordered, lost,
 * disqualified), until the slot starts, or DW_SLOT_HOLD_DAYS after the offer, whichever
 * comes first. A slot held for one open deal is not offered to another. */
#define DW_SLOT_HOLD_DAYS 7

#endif

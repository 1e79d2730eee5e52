/* dealwright — quotes: pricing, discounts and the differences between revisions. Money is
 * integer minor units, and decimal strings in JSON (util.h). */
#ifndef DEALWRIGHT_QUOTES_H
#define DEALWRIGHT_QUOTES_H

#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/util.h>
#include <dealwright/workspace.h>

/* A person sets the discount of a deal's quote: a new revision, approvals asked again. */
DW_EXPORT int dw_quote_discount(struct dw_engine *e, int64_t deal_id, const char *pct,
                                const char *user, json_t **ret, struct dw_error *err);

/* Price a solution document ({lines: [{sku, quantity}]}, docs/internals/pricing.md) with
 * the workspace alone: no deal, no store. currency NULL: the country's currency (as the
 * pricing agent chooses it), else the home currency; country (ISO alpha-2, may be NULL)
 * selects the price book's region; discount_pct a decimal string or NULL; term_months 0:
 * policies' default. *ret is the priced quote (money as integer minor units). */
struct dw_price_request {
    const char *currency, *country, *discount_pct;
    int term_months;
    dw_time_t now; /* price rules' `now`; 0 = the wall clock */
};
DW_EXPORT int dw_price_solution(const struct dw_workspace *ws, const json_t *solution,
                                const struct dw_price_request *req, json_t **ret,
                                struct dw_error *err);

/* Compare two quote revisions of a deal: lines added, removed and changed (field by
 * field), quote-level changes and the totals' deltas (docs/internals/pricing.md), plus
 * "deal". Revisions are numbered from 1. dw_quote_diff_format() gives the text people
 * read (caller frees). */
DW_EXPORT int dw_quote_diff_revisions(struct dw_engine *e, int64_t deal_id, int from, int to,
                                      json_t **ret, struct dw_error *err);
DW_EXPORT int dw_quote_diff_format(const json_t *diff, char **ret_text);

#endif

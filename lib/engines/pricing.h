/* Pricing (engines layer): a solution priced from a price book, the requested discount
 * applied per line, and the approvals the policies ask for.
 *
 * All money is int64 minor units of the quote's currency; every multiplication and sum is
 * checked, so an overflow is an error (-DW_ETOOBIG), never a wrapped total. Discounts are
 * rounded half to even per line and the totals are the sums of the lines, so a quote always
 * adds up exactly. docs/internals/pricing.md explains the rules.
 *
 * Thread-safety: reentrant; the workspace is only read.
 */
#ifndef DW_PRICING_H
#define DW_PRICING_H

#include "base/base.h"
#include "workspace/workspace.h"

#define DW_PRICE_MAX_TERM 600 /* months (50 years): a longer term is bad input */

/* The currency to quote in: the currency of the stated budget (requirements.budget.currency)
 * if the workspace has a price book for it, else the first declared currency that lists the
 * customer's country (requirements.country.code) and has a price book, else the home
 * currency. requirements may be NULL. Returns a string owned by ws, never NULL. */
const char *dw_pricing_currency(const struct dw_workspace *ws, const json_t *requirements);

/* The region of the book whose countries list `country`, or NULL (the book's own prices). */
const struct dw_region *dw_pricing_region(const struct dw_pricebook *pb, const char *country);

struct dw_rule_inputs;
struct dw_price_opts {
    const char *currency;            /* the book to price from */
    const char *country;             /* ISO alpha-2: selects the book's region; may be NULL */
    int32_t discount_bp;             /* the customer's discount, 0..10000, off every line */
    int term_months;                 /* 1..DW_PRICE_MAX_TERM, for monthly lines */
    const struct dw_rule_inputs *in; /* what price rules read besides `line`; may be NULL */
    dw_time_t now;                   /* the rules' `now` when in is NULL; 0 = the wall clock */
    bool unhashed; /* leave out `hash`: the caller stamps it (the pricing agent's quote_put
                    * hashes every quote it stores, the same way) */
};

/* Price a solution document: {lines: [{sku, quantity, end_date?}], start_date?, end_date?}
 * (dates YYYY-MM-DD; an end date co-terms a monthly line from start_date through it, the
 * partial month prorated). The quote has the keys dw_price() documents plus, per line,
 * list_price, cost (when known), blocks, bundle, included, added_by, term_days, end_date
 * and adjustments [{source: "bundle"|"schedule"|"rule", name, amount}]; and region,
 * start_date, cost, margin and margin_bp (when every line's cost is known) on the quote.
 * docs/internals/pricing.md has the order of the steps. Errors as dw_price(), plus
 * -DW_EVALIDATE for a price rule that cannot be evaluated (the error names the rule). */
int dw_price_quote(const struct dw_workspace *ws, const json_t *solution,
                   const struct dw_price_opts *opts, json_t **ret_quote, struct dw_error *err);

/* Price a solution document (its lines' sku and quantity; see
 * docs/internals/deal-documents.md) in currency, with discount_bp (0..10000) off every line
 * and term_months (1..DW_PRICE_MAX_TERM) for monthly billed items. On success *ret_quote is
 * a new object in the form store.h's quote_insert takes:
 *
 *   {currency, digits, subtotal, discount, total, discount_bp, term_months,
 *    lines: [{sku, name, quantity, unit_price, amount, discount, net,
 *             billing: "one_time"|"monthly", term_months: int|null}],
 *    hash}
 *
 * with money as JSON integers in minor units. hash is dw_json_hash() of the object without
 * "hash"; nothing in it depends on the time, so pricing the same solution twice gives the same
 * hash. Errors: -DW_EINVAL (bad arguments or solution; err->field names it), -DW_ENOENT (no
 * price book for the currency, an unknown SKU, no price for a SKU), -DW_ETOOBIG (overflow),
 * -DW_ENOMEM. */
int dw_price(const struct dw_workspace *ws, const json_t *solution, const char *currency,
             int32_t discount_bp, int term_months, json_t **ret_quote, struct dw_error *err);

/* The approvals a quote needs under the workspace's policies, as a new array (caller owns):
 *
 *   [{kind: "discount", required_role, reason, rule},
 *    {kind: "deal_size", required_role, reason, rule}]
 *
 * The rules are the workspace's CEL conditions (docs/internals/cel.md), read with `in`'s
 * deal documents (may be NULL) and this quote: the discount ladder (policies.yaml
 * discount_bands; the first band whose `when` holds approves, band 0 needs nobody) and
 * every policies.yaml `approvals` rule that holds, kind = the rule's name. A rule that
 * cannot be evaluated asks for its approval, with the error in the reason. The list is
 * empty when the quote needs nothing. Without `in` the rules' `now` is the wall clock.
 * Returns 0, -DW_EINVAL for a quote without the keys
 * dw_price() writes, or -DW_ENOMEM. */
int dw_approvals_needed(const struct dw_workspace *ws, const json_t *quote,
                        const struct dw_rule_inputs *in, json_t **ret_list);

/* The largest discount (a multiple of 0.5 %, at most upto_bp) within the first band's
 * authority for this quote at time now: where a rejected discount falls back to. */
int dw_discount_own_authority(const struct dw_workspace *ws, const json_t *quote, int32_t upto_bp,
                              dw_time_t now, int32_t *ret_bp);

#endif

/* Pricing: unit prices from all-units volume tiers, amounts, per-line discounts, totals and
 * the approvals the policies require.
 *
 * Why per line: the discount is rounded half to even on each line and the quote's discount
 * is the sum of those, so subtotal - discount == total holds to the minor unit and every line
 * shown to the customer is itself consistent. Rounding the total once and spreading it over
 * the lines would need a second, arbitrary rule for where the leftover cent goes.
 *
 * Lookups scan the price book and the catalog instead of relying on the snapshot being
 * sorted: quotes have few lines, and the engine then works the same on a snapshot built by
 * hand (the unit tests) as on one from the loader.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engines/pricing.h"

static const struct dw_pricebook *find_book(const struct dw_workspace *ws, const char *cur) {
    for (size_t i = 0; cur && i < ws->n_pricebooks; i++)
        if (strcmp(ws->pricebooks[i].currency, cur) == 0)
            return &ws->pricebooks[i];
    return NULL;
}

static const struct dw_price *find_price(const struct dw_pricebook *pb, const char *sku) {
    for (size_t i = 0; i < pb->n_prices; i++)
        if (strcmp(pb->prices[i].sku, sku) == 0)
            return &pb->prices[i];
    return NULL;
}

static const struct dw_item *find_item(const struct dw_workspace *ws, const char *sku) {
    for (size_t i = 0; i < ws->n_items; i++)
        if (strcmp(ws->items[i].sku, sku) == 0)
            return &ws->items[i];
    return NULL;
}

/* ---- currency ------------------------------------------------------------------------ */

const char *dw_pricing_currency(const struct dw_workspace *ws, const json_t *requirements) {
    const char *budget = dw_json_str(json_object_get(requirements, "budget"), "currency");
    const struct dw_pricebook *pb = find_book(ws, budget);
    if (pb)
        return pb->currency;
    const char *country = dw_json_str(json_object_get(requirements, "country"), "code");
    for (size_t i = 0; country && i < ws->n_currencies; i++) {
        const struct dw_currency *cur = &ws->currencies[i];
        for (size_t k = 0; k < cur->n_countries; k++) {
            if (strcmp(cur->countries[k], country) != 0)
                continue;
            pb = find_book(ws, cur->code);
            if (pb)
                return pb->currency;
        }
    }
    return ws->home_currency;
}

/* ---- lines --------------------------------------------------------------------------- */

/* All-units tiers: the tier with the highest minimum the quantity reaches prices every unit;
 * below the first tier the list price applies. */
static int64_t tier_price(const struct dw_price *p, int64_t qty) {
    int64_t price = p->list, reached = 0;
    for (size_t t = 0; t < p->n_tiers; t++)
        if (qty >= p->tiers[t].min_qty && p->tiers[t].min_qty >= reached) {
            reached = p->tiers[t].min_qty;
            price = p->tiers[t].unit_price;
        }
    return price;
}

struct totals {
    int64_t subtotal, discount, total;
};

static int price_line(const struct dw_workspace *ws, const struct dw_pricebook *pb,
                      const json_t *in, size_t idx, int32_t bp, int term, struct totals *sum,
                      json_t *lines, struct dw_error *err) {
    char field[64];
    const char *sku = dw_json_str(in, "sku");
    json_t *jq = json_object_get(in, "quantity");
    if (!sku) {
        snprintf(field, sizeof field, "lines[%zu].sku", idx);
        return dw_error_field(err, -DW_EINVAL, field, "must be a SKU");
    }
    if (!json_is_integer(jq) || json_integer_value(jq) < 1) {
        snprintf(field, sizeof field, "lines[%zu].quantity", idx);
        return dw_error_field(err, -DW_EINVAL, field, "must be a positive integer");
    }
    int64_t qty = json_integer_value(jq);
    const struct dw_item *it = find_item(ws, sku);
    snprintf(field, sizeof field, "lines[%zu].sku", idx);
    if (!it)
        return dw_error_field(err, -DW_ENOENT, field, "%s is not in the catalog", sku);
    const struct dw_price *p = find_price(pb, sku);
    if (!p)
        return dw_error_field(err, -DW_ENOENT, field, "%s has no price in the %s price book", sku,
                              pb->currency);

    bool monthly = it->billing == DW_BILL_MONTHLY;
    int64_t unit = tier_price(p, qty), amount, discount, net;
    if (dw_mul_checked(unit, qty, &amount) < 0 ||
        (monthly && dw_mul_checked(amount, term, &amount) < 0) ||
        dw_muldiv_half_even(amount, bp, 10000, &discount) < 0 ||
        __builtin_sub_overflow(amount, discount, &net) ||
        dw_add_checked(sum->subtotal, amount, &sum->subtotal) < 0 ||
        dw_add_checked(sum->discount, discount, &sum->discount) < 0 ||
        dw_add_checked(sum->total, net, &sum->total) < 0)
        return dw_error_field(err, -DW_ETOOBIG, field,
                              "%s: %" PRId64 " x %" PRId64 " overflows the quote's arithmetic", sku,
                              qty, unit);

    json_t *line =
        json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "sku", it->sku, "name",
                  it->name ? it->name : it->sku, "quantity", (json_int_t)qty, "unit_price",
                  (json_int_t)unit, "amount", (json_int_t)amount, "discount", (json_int_t)discount,
                  "net", (json_int_t)net, "billing", monthly ? "monthly" : "one_time",
                  "term_months", monthly ? json_integer(term) : json_null());
    if (!line || json_array_append_new(lines, line) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    return 0;
}

int dw_price(const struct dw_workspace *ws, const json_t *solution, const char *currency,
             int32_t discount_bp, int term_months, json_t **ret_quote, struct dw_error *err) {
    if (!ws || !ret_quote)
        return dw_error_set(err, -DW_EINVAL, "price: no workspace");
    if (discount_bp < 0 || discount_bp > 10000)
        return dw_error_field(err, -DW_EINVAL, "discount", "%d basis points is not 0..100 %%",
                              (int)discount_bp);
    if (term_months < 1 || term_months > DW_PRICE_MAX_TERM)
        return dw_error_field(err, -DW_EINVAL, "term_months", "%d is not 1..%d months", term_months,
                              DW_PRICE_MAX_TERM);
    json_t *in = json_object_get(solution, "lines");
    if (!json_is_array(in))
        return dw_error_field(err, -DW_EINVAL, "lines", "the solution has no list of lines");
    if (json_array_size(in) > DW_WS_MAX_ITEMS)
        return dw_error_field(err, -DW_ETOOBIG, "lines", "more than %d lines", DW_WS_MAX_ITEMS);
    const struct dw_pricebook *pb = find_book(ws, currency);
    if (!pb)
        return dw_error_set(err, -DW_ENOENT, "no price book for currency %s",
                            currency ? currency : "(none)");

    _cleanup_json_ json_t *lines = json_array();
    if (!lines)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    struct totals sum = {0};
    size_t i;
    json_t *e;
    json_array_foreach(in, i, e) {
        int r = price_line(ws, pb, e, i, discount_bp, term_months, &sum, lines, err);
        if (r < 0)
            return r;
    }

    _cleanup_json_ json_t *quote =
        json_pack("{s:s, s:i, s:I, s:I, s:I, s:i, s:i, s:O}", "currency", pb->currency, "digits",
                  pb->digits, "subtotal", (json_int_t)sum.subtotal, "discount",
                  (json_int_t)sum.discount, "total", (json_int_t)sum.total, "discount_bp",
                  (int)discount_bp, "term_months", term_months, "lines", lines);
    if (!quote)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    char hash[DW_SHA256_HEX];
    dw_json_hash(quote, hash);
    if (dw_json_set(quote, "hash", json_string(hash)) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret_quote = DW_TAKE_PTR(quote);
    return 0;
}

/* ---- approvals ----------------------------------------------------------------------- */

static const char *band_file(const struct dw_band *b) {
    return b->pos.file ? b->pos.file : "policies.yaml";
}

static int add_approval(json_t *list, const char *kind, const char *role, const char *reason,
                        const char *rule) {
    json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "required_role", role, "reason",
                          reason, "rule", rule);
    if (!a || json_array_append_new(list, a) < 0)
        return -DW_ENOMEM;
    return 0;
}

static int discount_approval(const struct dw_policies *p, int32_t bp, json_t *list) {
    if (p->n_bands == 0 || bp <= p->bands[0].max_bp)
        return 0;
    size_t k = 1;
    while (k < p->n_bands && bp > p->bands[k].max_bp)
        k++;
    bool beyond = k == p->n_bands;
    if (beyond)
        k = p->n_bands - 1;
    const struct dw_band *own = &p->bands[0], *band = &p->bands[k];
    char pct[16], own_pct[16], band_pct[16], reason[256], rule[256];
    dw_pct_format(bp, pct, sizeof pct);
    dw_pct_format(own->max_bp, own_pct, sizeof own_pct);
    dw_pct_format(band->max_bp, band_pct, sizeof band_pct);
    if (beyond)
        snprintf(reason, sizeof reason,
                 "Discount %s %% exceeds every discount band, the highest being the %s's %s %%",
                 pct, band->role, band_pct);
    else
        snprintf(reason, sizeof reason, "Discount %s %% exceeds the %s's %s %% authority", pct,
                 own->role, own_pct);
    snprintf(rule, sizeof rule, "%s discount_bands[%zu] (%s, up to %s %%)", band_file(band), k,
             band->role, band_pct);
    return add_approval(list, "discount", band->role, reason, rule);
}

static int deal_size_approval(const struct dw_policies *p, const char *currency, int digits,
                              int64_t total, json_t *list) {
    const char *role = p->deal_size_role;
    if (!role && p->n_bands > 0)
        role = p->bands[p->n_bands - 1].role;
    for (size_t i = 0; role && i < p->n_deal_size_threshold; i++) {
        const struct dw_money_by_currency *t = &p->deal_size_threshold[i];
        if (strcmp(t->currency, currency) != 0 || total < t->amount)
            continue;
        char tot[40], thr[40], reason[256], rule[256];
        dw_money_format(total, digits, tot, sizeof tot);
        dw_money_format(t->amount, digits, thr, sizeof thr);
        snprintf(reason, sizeof reason, "Total %s %s is at or above the %s %s deal-size threshold",
                 currency, tot, currency, thr);
        snprintf(rule, sizeof rule, "policies.yaml deal_size_review.threshold.%s (%s %s, %s)",
                 currency, currency, thr, role);
        return add_approval(list, "deal_size", role, reason, rule);
    }
    return 0;
}

int dw_approvals_needed(const struct dw_workspace *ws, const json_t *quote, json_t **ret_list) {
    const char *currency = dw_json_str(quote, "currency");
    json_t *jbp = json_object_get(quote, "discount_bp");
    json_t *jtotal = json_object_get(quote, "total");
    if (!ws || !currency || !json_is_integer(jbp) || !json_is_integer(jtotal) || !ret_list)
        return -DW_EINVAL;
    json_int_t bp = json_integer_value(jbp);
    if (bp < 0 || bp > 10000)
        return -DW_EINVAL;
    _cleanup_json_ json_t *list = json_array();
    if (!list)
        return -DW_ENOMEM;
    int r = discount_approval(&ws->policies, (int32_t)bp, list);
    if (r == 0)
        r = deal_size_approval(&ws->policies, currency, (int)dw_json_int(quote, "digits", 2),
                               json_integer_value(jtotal), list);
    if (r < 0)
        return r;
    *ret_list = DW_TAKE_PTR(list);
    return 0;
}

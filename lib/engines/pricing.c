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
#include "engines/rulevars.h"

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

static int add_approval(json_t *list, const char *kind, const char *role, const char *reason,
                        const char *rule) {
    json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "required_role", role, "reason",
                          reason, "rule", rule);
    if (!a || json_array_append_new(list, a) < 0)
        return -DW_ENOMEM;
    return 0;
}

/* "policies.yaml:12:11 discount_bands[1] (manager): quote.discount_pct <= 20.0" */
static void rule_text(const struct dw_rule *r, char *buf, size_t size) {
    snprintf(buf, size, "%s: %s", r->name, r->when ? r->when : "");
}

/* The discount ladder: the first band whose condition holds approves; band 0 is the rep's
 * own authority. A band whose condition cannot be evaluated counts as not holding, so the
 * request climbs to a higher authority, never to a lower one. */
static int discount_approval(const struct dw_policies *p, const struct cel_activation *act,
                             struct cel_arena *a, int32_t bp, json_t *list) {
    if (p->n_bands == 0)
        return 0;
    size_t k;
    char failed[400] = "";
    for (k = 0; k < p->n_bands; k++) {
        struct dw_error e = {0};
        int r = dw_rule_eval(&p->bands[k].within, act, a, &e);
        if (r == 1)
            break;
        if (r < 0 && !failed[0])
            snprintf(failed, sizeof failed, " (%.300s)", e.msg);
    }
    if (k == 0)
        return 0;
    bool beyond = k == p->n_bands;
    if (beyond)
        k = p->n_bands - 1;
    const struct dw_band *own = &p->bands[0], *band = &p->bands[k];
    char pct[16], reason[700], rule[600];
    dw_pct_format(bp, pct, sizeof pct);
    if (beyond)
        snprintf(reason, sizeof reason,
                 "Discount %s %% is beyond every discount band; the highest is the %s's%s", pct,
                 band->role, failed);
    else
        snprintf(reason, sizeof reason, "Discount %s %% is beyond the %s's authority (%s)%s", pct,
                 own->role, own->within.when ? own->within.when : "", failed);
    rule_text(&band->within, rule, sizeof rule);
    return add_approval(list, "discount", band->role, reason, rule);
}

/* policies.yaml approvals: each rule that holds asks its role. A rule that cannot be
 * evaluated asks too, with the error as its reason: a broken policy must not let a deal
 * through unreviewed. */
static int rule_approvals(const struct dw_policies *p, const struct cel_activation *act,
                          struct cel_arena *a, json_t *list) {
    for (size_t i = 0; i < p->n_approvals; i++) {
        const struct dw_approval_rule *ar = &p->approvals[i];
        struct dw_error e = {0};
        int r = dw_rule_eval(&ar->rule, act, a, &e);
        if (r == 0)
            continue;
        char reason[700], rule[600];
        if (r < 0)
            snprintf(reason, sizeof reason, "%s (the rule could not be evaluated: %s)", ar->reason,
                     e.msg);
        else
            snprintf(reason, sizeof reason, "%s", ar->reason);
        rule_text(&ar->rule, rule, sizeof rule);
        if ((r = add_approval(list, ar->name, ar->role, reason, rule)) < 0)
            return r;
    }
    return 0;
}

int dw_approvals_needed(const struct dw_workspace *ws, const json_t *quote,
                        const struct dw_rule_inputs *in, json_t **ret_list) {
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
    struct dw_rule_inputs vars = in ? *in : (struct dw_rule_inputs){.now = dw_now()};
    vars.quote = quote;
    struct cel_arena arena;
    struct cel_activation act;
    cel_arena_init(&arena, 0);
    int r = dw_rules_bind(ws, DW_RULE_QUOTE, &vars, &arena, &act);
    if (r == 0)
        r = discount_approval(&ws->policies, &act, &arena, (int32_t)bp, list);
    if (r == 0)
        r = rule_approvals(&ws->policies, &act, &arena, list);
    cel_activation_release(&act);
    cel_arena_release(&arena);
    if (r < 0)
        return r;
    *ret_list = DW_TAKE_PTR(list);
    return 0;
}

int dw_discount_own_authority(const struct dw_workspace *ws, const json_t *quote, int32_t upto_bp,
                              int32_t *ret_bp) {
    const struct dw_policies *p = &ws->policies;
    *ret_bp = 0;
    if (p->n_bands == 0)
        return 0;
    _cleanup_json_ json_t *q = json_deep_copy(quote);
    if (!q)
        return -DW_ENOMEM;
    struct cel_arena arena;
    cel_arena_init(&arena, 0);
    int r = 0;
    /* from the rejected discount down in steps of half a percent */
    for (int32_t bp = upto_bp - upto_bp % 50; bp > 0 && r == 0; bp -= 50) {
        if (json_object_set_new(q, "discount_bp", json_integer(bp)) < 0)
            return -DW_ENOMEM;
        struct dw_rule_inputs vars = {.quote = q, .now = dw_now()};
        struct cel_activation act;
        r = dw_rules_bind(ws, DW_RULE_QUOTE, &vars, &arena, &act);
        if (r == 0 && dw_rule_eval(&p->bands[0].within, &act, &arena, NULL) == 1) {
            *ret_bp = bp;
            cel_activation_release(&act);
            break;
        }
        cel_activation_release(&act);
        cel_arena_reset(&arena);
    }
    cel_arena_release(&arena);
    return r;
}

/* Pricing without a deal and quote revisions compared: the public calls behind
 * `dealwright price` and `dealwright quote diff` (include/dealwright.h). */
#include <string.h>

#include "control/internal.h"
#include "engines/pricing.h"
#include "engines/quotediff.h"

int dw_price_solution(const struct dw_workspace *ws, const json_t *solution,
                      const struct dw_price_request *req, json_t **ret, struct dw_error *err) {
    if (!ws || !req || !ret)
        return dw_error_set(err, -DW_EINVAL, "price: no workspace");
    int32_t bp = 0;
    if (req->discount_pct && dw_pct_parse(req->discount_pct, &bp) < 0)
        return dw_error_field(err, -DW_EINVAL, "discount", "'%s' is not a percentage 0 to 100",
                              req->discount_pct);
    const char *currency = req->currency;
    if (!currency && req->country) {
        /* the currency the pricing agent would choose for a customer in that country */
        json_t *r = json_pack("{s:{s:s}}", "country", "code", req->country);
        if (!r)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        currency = dw_pricing_currency(ws, r);
        json_decref(r);
    }
    if (!currency)
        currency = ws->home_currency;
    int term = req->term_months                       ? req->term_months
               : ws->policies.default_term_months > 0 ? ws->policies.default_term_months
                                                      : 12;
    struct dw_price_opts o = {.currency = currency,
                              .country = req->country,
                              .discount_bp = bp,
                              .term_months = term,
                              .now = req->now};
    return dw_price_quote(ws, solution, &o, ret, err);
}

int dw_quote_diff_revisions(struct dw_engine *e, int64_t deal_id, int from, int to, json_t **ret,
                            struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    if (from < 1 || to < 1)
        return dw_error_set(err, -DW_EINVAL, "revisions are numbered from 1");
    _cleanup_json_ json_t *a = NULL, *b = NULL;
    if ((r = s->ops->quote_get(s, deal_id, from, &a, err)) < 0 ||
        (r = s->ops->quote_get(s, deal_id, to, &b, err)) < 0)
        return r;
    r = dw_quote_diff(a, b, ret);
    if (r < 0)
        return dw_error_set(err, r, "quote diff: %s", dw_strerror(r));
    char id[32];
    json_object_set_new(*ret, "deal", json_string(dw_id_format('D', deal_id, id, sizeof id)));
    return 0;
}

int dw_quote_diff_format(const json_t *diff, char **ret_text) {
    struct dw_buf b;
    dw_buf_init(&b, 0);
    int r = dw_quote_diff_text(diff, &b);
    if (r < 0 || !b.data) {
        dw_buf_release(&b);
        return r < 0 ? r : -DW_ENOMEM;
    }
    *ret_text = b.data; /* the caller frees it */
    return 0;
}

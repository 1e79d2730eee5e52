/* Deals and quotes out for spreadsheets and CRM re-import (include/dealwright/csv.h): each
 * deal read whole with dw_deal_show() — the same view the API gives, so an export can never
 * disagree with it — and written by the channels' table writer (lib/channels/csv_out.c). */
#include <stdio.h>
#include <string.h>

#include "channels/csv_out.h"
#include "control/internal.h"
#include <dealwright/csv.h>

static const char *str_or_null(const json_t *o, const char *k) {
    const char *s = dw_json_str(o, k);
    return s && *s ? s : NULL;
}

/* Each deal in id order, whole. */
static int each_deal(struct dw_engine *e, int (*fn)(void *, const json_t *), void *ud,
                     struct dw_error *err) {
    _cleanup_json_ json_t *list = NULL;
    int r = dw_deals_list(e, NULL, &list, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        int64_t id;
        if (dw_id_parse('D', dw_json_str(d, "id"), &id) < 0)
            continue;
        _cleanup_json_ json_t *deal = NULL;
        if ((r = dw_deal_show(e, id, &deal, err)) < 0)
            return r;
        if ((r = fn(ud, deal)) < 0)
            return r;
    }
    return 0;
}

static const char *const deal_cols[] = {
    "deal",   "stage",       "account",    "contact_name",   "contact_email", "country",
    "source", "external_id", "currency",   "quote_revision", "subtotal",      "discount",
    "total",  "valid_until", "demo_start", "created_at",     "updated_at"};
static const bool deal_numeric[] = {false, false, false, false, false, false, false, false, false,
                                    true,  true,  true,  true,  false, false, false, false};

static int deal_row(void *ud, const json_t *d) {
    struct dw_csv_out *o = ud;
    const json_t *lead = json_object_get(d, "lead"), *lc = json_object_get(lead, "contact");
    const json_t *contact = json_object_get(d, "contact"), *account = json_object_get(d, "account");
    const json_t *q = json_object_get(d, "quote"), *b = json_object_get(d, "booking");
    char rev[24] = "";
    if (json_is_object(q))
        snprintf(rev, sizeof rev, "%lld", (long long)dw_json_int(q, "revision", 0));
    const char *name = str_or_null(contact, "name");
    const char *email = str_or_null(contact, "email");
    /* the lead's ISO code (the intake's check makes it one), else the account's */
    const char *country = str_or_null(lc, "country");
    if (!country)
        country = str_or_null(account, "country");
    if (!country) /* the intake's ISO code, else what the lead said */
        country =
            str_or_null(json_object_get(json_object_get(lead, "intake"), "contact"), "country");
    const char *cells[DW_ARRAY_SIZE(deal_cols)] = {
        dw_json_str(d, "id"),
        dw_json_str(d, "stage"),
        str_or_null(account, "name"),
        name ? name : str_or_null(lc, "name"),
        email ? email : str_or_null(lead, "contact_email"),
        country,
        str_or_null(lead, "source"),
        str_or_null(lead, "external_id"),
        str_or_null(q, "currency"),
        rev[0] ? rev : NULL,
        str_or_null(q, "subtotal"),
        str_or_null(q, "discount"),
        str_or_null(q, "total"),
        str_or_null(q, "valid_until"),
        b && strcmp(dw_json_str(b, "status") ? dw_json_str(b, "status") : "", "booked") == 0
            ? str_or_null(b, "start")
            : NULL,
        str_or_null(d, "created_at"),
        str_or_null(d, "updated_at"),
    };
    return dw_csv_out_row(o, cells, deal_numeric);
}

int dw_deals_export(struct dw_engine *e, const char *format, char **ret, size_t *ret_len,
                    struct dw_error *err) {
    struct dw_csv_out o;
    int r = dw_csv_out_begin(&o, format, deal_cols, DW_ARRAY_SIZE(deal_cols), err);
    if (r < 0)
        return r;
    if ((r = each_deal(e, deal_row, &o, err)) < 0) {
        dw_csv_out_release(&o);
        return r == -DW_ETOOBIG ? dw_error_set(err, r, "the export is larger than %u bytes",
                                               (unsigned)DW_CSV_OUT_MAX)
                                : r;
    }
    return dw_csv_out_finish(&o, ret, ret_len);
}

static const char *const quote_cols[] = {"deal",       "revision", "quote_hash",  "currency",
                                         "line",       "sku",      "name",        "quantity",
                                         "unit_price", "billing",  "term_months", "amount",
                                         "discount",   "net",      "quote_total", "valid_until"};
static const bool quote_numeric[] = {false, true,  false, false, true, false, false, true,
                                     true,  false, true,  true,  true, true,  true,  false};

static int quote_rows(void *ud, const json_t *d) {
    struct dw_csv_out *o = ud;
    const json_t *q = json_object_get(d, "quote");
    if (!json_is_object(q))
        return 0;
    char rev[24];
    snprintf(rev, sizeof rev, "%lld", (long long)dw_json_int(q, "revision", 0));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        char line[24], qty[32], term[24] = "";
        snprintf(line, sizeof line, "%zu", i + 1);
        snprintf(qty, sizeof qty, "%lld", (long long)dw_json_int(l, "quantity", 0));
        if (json_is_integer(json_object_get(l, "term_months")))
            snprintf(term, sizeof term, "%lld", (long long)dw_json_int(l, "term_months", 0));
        const char *cells[DW_ARRAY_SIZE(quote_cols)] = {
            dw_json_str(d, "id"),
            rev,
            str_or_null(q, "hash"),
            str_or_null(q, "currency"),
            line,
            str_or_null(l, "sku"),
            str_or_null(l, "name"),
            qty,
            str_or_null(l, "unit_price"),
            str_or_null(l, "billing"),
            term[0] ? term : NULL,
            str_or_null(l, "amount"),
            str_or_null(l, "discount"),
            str_or_null(l, "net"),
            str_or_null(q, "total"),
            str_or_null(q, "valid_until"),
        };
        int r = dw_csv_out_row(o, cells, quote_numeric);
        if (r < 0)
            return r;
    }
    return 0;
}

int dw_quotes_export(struct dw_engine *e, const char *format, char **ret, size_t *ret_len,
                     struct dw_error *err) {
    struct dw_csv_out o;
    int r = dw_csv_out_begin(&o, format, quote_cols, DW_ARRAY_SIZE(quote_cols), err);
    if (r < 0)
        return r;
    if ((r = each_deal(e, quote_rows, &o, err)) < 0) {
        dw_csv_out_release(&o);
        return r == -DW_ETOOBIG ? dw_error_set(err, r, "the export is larger than %u bytes",
                                               (unsigned)DW_CSV_OUT_MAX)
                                : r;
    }
    return dw_csv_out_finish(&o, ret, ret_len);
}

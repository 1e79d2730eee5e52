/* store/record — input checks on the records the store interface takes, one implementation
 * for every backend (record.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"

int dw__store_oom(struct dw_error *err) {
    return dw_error_set(err, -DW_ENOMEM, "out of memory");
}

/* ---- input ------------------------------------------------------------------------- */

int dw__store_req_int(const json_t *obj, const char *key, const char *field, int64_t *ret,
                      struct dw_error *err) {
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        return dw_error_field(err, -DW_EINVAL, field, "required (an integer)");
    *ret = (int64_t)json_integer_value(v);
    return 0;
}

/* Absent or null gives def; *present says which. */
int dw__store_opt_int(const json_t *obj, const char *key, const char *field, int64_t def,
                      int64_t *ret, bool *present, struct dw_error *err) {
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = v && !json_is_null(v);
    if (!v || json_is_null(v)) {
        *ret = def;
        return 0;
    }
    if (!json_is_integer(v))
        return dw_error_field(err, -DW_EINVAL, field, "must be an integer");
    *ret = (int64_t)json_integer_value(v);
    return 0;
}

int dw__store_req_str(const json_t *obj, const char *key, const char *field, const char **ret,
                      struct dw_error *err) {
    const char *v = dw_json_str(obj, key);
    if (!v || !*v)
        return dw_error_field(err, -DW_EINVAL, field, "required (a non-empty string)");
    *ret = v;
    return 0;
}

int dw__store_opt_str(const json_t *obj, const char *key, const char *field, const char **ret,
                      struct dw_error *err) {
    json_t *v = json_object_get(obj, key);
    if (v && !json_is_null(v) && !json_is_string(v))
        return dw_error_field(err, -DW_EINVAL, field, "must be a string");
    *ret = json_is_string(v) ? json_string_value(v) : NULL;
    return 0;
}

int dw__store_require_object(const json_t *j, const char *field, struct dw_error *err) {
    if (!j || !json_is_object(j))
        return dw_error_field(err, -DW_EINVAL, field, "must be a JSON object");
    return 0;
}

bool dw__store_in_list(const char *key, const char *const *list) {
    for (; *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

/* The caller's keys that have no column: an object, or NULL when there are none. */
int dw__store_extra_keys(const json_t *obj, const char *const *known, json_t **ret,
                         struct dw_error *err) {
    const char *key;
    json_t *v;
    _cleanup_json_ json_t *extra = NULL;
    json_object_foreach((json_t *)obj, key, v) {
        if (dw__store_in_list(key, known))
            continue;
        if (!extra && !(extra = json_object()))
            return dw__store_oom(err);
        if (json_object_set(extra, key, v) < 0)
            return dw__store_oom(err);
    }
    *ret = DW_TAKE_PTR(extra);
    return 0;
}

/* Lower-case copy of s, NULL for NULL or "". *nomem is set when the copy fails. */
char *dw__store_lower_or_null(const char *s, bool *nomem) {
    if (!s || !*s)
        return NULL;
    char *l = dw_strdup_lower(s);
    if (!l)
        *nomem = true;
    return l;
}

/* ---- leads ------------------------------------------------------------------------- */

int dw__store_lead_input(const json_t *rec, struct dw__store_lead *f, struct dw_error *err) {
    int r = dw__store_require_object(rec, "lead", err);
    if (r < 0)
        return r;
    memset(f, 0, sizeof *f);
    f->source = dw_json_str(rec, "source");
    f->external_id = dw_json_str(rec, "external_id");
    if (!f->source || !*f->source)
        return dw_error_field(err, -DW_EINVAL, "source", "required (a non-empty string)");
    if (!f->external_id || !*f->external_id)
        return dw_error_field(err, -DW_EINVAL, "external_id", "required (a non-empty string)");
    const char *received = NULL;
    if ((r = dw__store_opt_str(rec, "received_at", "received_at", &received, err)) < 0 ||
        (r = dw__store_opt_str(rec, "subject", "subject", &f->subject, err)) < 0 ||
        (r = dw__store_opt_str(rec, "message", "message", &f->message, err)) < 0)
        return r;
    if (received) {
        if (dw_time_parse(received, &f->received_at) < 0)
            return dw_error_field(err, -DW_EINVAL, "received_at", "not an RFC 3339 time: %s",
                                  received);
        f->has_received_at = true;
    }
    f->contact = json_object_get(rec, "contact");
    if (json_is_null(f->contact))
        f->contact = NULL;
    if (f->contact && !json_is_object(f->contact))
        return dw_error_field(err, -DW_EINVAL, "contact", "must be an object");
    f->transcript = json_object_get(rec, "transcript");
    if (json_is_null(f->transcript))
        f->transcript = NULL;
    if (f->transcript && !json_is_array(f->transcript))
        return dw_error_field(err, -DW_EINVAL, "transcript", "must be an array");
    f->raw = json_object_get(rec, "raw");
    if (!f->raw || json_is_null(f->raw))
        f->raw = rec;
    json_t *dup = json_object_get(rec, "duplicate_of");
    if (dup && !json_is_null(dup) && !json_is_integer(dup))
        return dw_error_field(err, -DW_EINVAL, "duplicate_of", "must be a lead id");
    f->duplicate_of = json_is_integer(dup) ? (int64_t)json_integer_value(dup) : 0;
    return 0;
}

/* ---- quotes ------------------------------------------------------------------------ */

int dw__store_quote_input(const json_t *quote, struct dw__store_quote *f, struct dw_error *err) {
    int r = dw__store_require_object(quote, "quote", err);
    if (r < 0)
        return r;
    if ((r = dw__store_req_str(quote, "currency", "currency", &f->currency, err)) < 0 ||
        (r = dw__store_req_str(quote, "hash", "hash", &f->hash, err)) < 0 ||
        (r = dw__store_opt_str(quote, "ws_hash", "ws_hash", &f->ws_hash, err)) < 0 ||
        (r = dw__store_opt_int(quote, "digits", "digits", 2, &f->digits, NULL, err)) < 0 ||
        (r = dw__store_req_int(quote, "subtotal", "subtotal", &f->subtotal, err)) < 0 ||
        (r = dw__store_opt_int(quote, "discount", "discount", 0, &f->discount, NULL, err)) < 0 ||
        (r = dw__store_req_int(quote, "total", "total", &f->total, err)) < 0 ||
        (r = dw__store_opt_int(quote, "discount_bp", "discount_bp", 0, &f->discount_bp, NULL,
                               err)) < 0 ||
        (r = dw__store_opt_int(quote, "term_months", "term_months", 0, &f->term_months, NULL,
                               err)) < 0)
        return r;
    if (f->digits < 0 || f->digits > 6)
        return dw_error_field(err, -DW_EINVAL, "digits", "must be 0 to 6");
    f->lines = json_object_get(quote, "lines");
    if (!json_is_array(f->lines))
        return dw_error_field(err, -DW_EINVAL, "lines", "required (an array)");
    if (json_array_size(f->lines) > DW__STORE_QUOTE_LINES_MAX)
        return dw_error_field(err, -DW_ETOOBIG, "lines", "more than %d lines",
                              DW__STORE_QUOTE_LINES_MAX);
    return 0;
}

static const char *const line_keys[] = {"sku",      "name", "quantity", "unit_price",  "amount",
                                        "discount", "net",  "billing",  "term_months", NULL};

int dw__store_quote_line_input(size_t i, const json_t *line, struct dw__store_quote_line *l,
                               json_t **extra, struct dw_error *err) {
    char f[9][48];
    int r;

    *l = (struct dw__store_quote_line){0};
    *extra = NULL;
    for (size_t k = 0; k < 9; k++)
        snprintf(f[k], sizeof f[k], "lines[%zu].%s", i, line_keys[k]);
    if (!json_is_object(line))
        return dw_error_field(err, -DW_EINVAL, f[0], "a quote line must be an object");
    if ((r = dw__store_req_str(line, "sku", f[0], &l->sku, err)) < 0 ||
        (r = dw__store_opt_str(line, "name", f[1], &l->name, err)) < 0 ||
        (r = dw__store_req_int(line, "quantity", f[2], &l->quantity, err)) < 0 ||
        (r = dw__store_req_int(line, "unit_price", f[3], &l->unit_price, err)) < 0 ||
        (r = dw__store_req_int(line, "amount", f[4], &l->amount, err)) < 0 ||
        (r = dw__store_opt_int(line, "discount", f[5], 0, &l->discount, NULL, err)) < 0 ||
        (r = dw__store_req_int(line, "net", f[6], &l->net, err)) < 0 ||
        (r = dw__store_opt_str(line, "billing", f[7], &l->billing, err)) < 0 ||
        (r = dw__store_opt_int(line, "term_months", f[8], 0, &l->term, &l->has_term, err)) < 0 ||
        (r = dw__store_extra_keys(line, line_keys, extra, err)) < 0)
        return r;
    return 0;
}

/* ---- approvals --------------------------------------------------------------------- */

int dw__store_approval_input(const json_t *a, struct dw__store_approval *f, struct dw_error *err) {
    *f = (struct dw__store_approval){0};
    int r = dw__store_require_object(a, "approval", err);
    if (r < 0)
        return r;
    if ((r = dw__store_req_str(a, "kind", "kind", &f->kind, err)) < 0 ||
        (r = dw__store_req_str(a, "required_role", "required_role", &f->role, err)) < 0 ||
        (r = dw__store_opt_str(a, "reason", "reason", &f->reason, err)) < 0 ||
        (r = dw__store_opt_str(a, "rule", "rule", &f->rule, err)) < 0 ||
        (r = dw__store_opt_int(a, "quote_revision", "quote_revision", 0, &f->revision,
                               &f->has_revision, err)) < 0 ||
        (r = dw__store_opt_str(a, "quote_hash", "quote_hash", &f->quote_hash, err)) < 0)
        return r;
    return 0;
}

/* ---- orders ------------------------------------------------------------------------ */

static const char *const order_keys[] = {"quote_revision", "quote_hash",  "currency", "digits",
                                         "total",          "accepted_by", "lines",    "id",
                                         "deal_id",        "created_at",  NULL};

int dw__store_order_input(const json_t *order, struct dw__store_order *f, json_t **extra,
                          struct dw_error *err) {
    *f = (struct dw__store_order){.digits = 2};
    *extra = NULL;
    int r = dw__store_require_object(order, "order", err);
    if (r < 0)
        return r;
    f->lines = json_object_get(order, "lines");
    if ((r = dw__store_req_int(order, "quote_revision", "quote_revision", &f->revision, err)) < 0 ||
        (r = dw__store_req_str(order, "quote_hash", "quote_hash", &f->quote_hash, err)) < 0 ||
        (r = dw__store_req_str(order, "currency", "currency", &f->currency, err)) < 0 ||
        (r = dw__store_opt_int(order, "digits", "digits", 2, &f->digits, NULL, err)) < 0 ||
        (r = dw__store_req_int(order, "total", "total", &f->total, err)) < 0 ||
        (r = dw__store_opt_str(order, "accepted_by", "accepted_by", &f->accepted_by, err)) < 0 ||
        (r = dw__store_extra_keys(order, order_keys, extra, err)) < 0)
        return r;
    if (!json_is_array(f->lines))
        return dw_error_field(err, -DW_EINVAL, "lines", "required (an array)");
    return 0;
}

/* ---- per-deal documents ------------------------------------------------------------ */

int dw__store_doc_kind_input(const char *kind, struct dw_error *err) {
    size_t n = kind ? strlen(kind) : 0;
    if (n == 0 || n > DW__STORE_DOC_KIND_MAX)
        return dw_error_field(err, -DW_EINVAL, "kind", "a document kind is 1 to %d characters",
                              DW__STORE_DOC_KIND_MAX);
    for (size_t i = 0; i < n; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') ||
              kind[i] == '_'))
            return dw_error_field(err, -DW_EINVAL, "kind",
                                  "document kind '%s' may use a-z, 0-9 and _ only", kind);
    return 0;
}

/* ---- contacts ---------------------------------------------------------------------- */

int dw__store_contact_input(const json_t *contact, struct dw__store_contact *c, char **email,
                            struct dw_error *err) {
    const char *email_in = NULL;
    bool nomem = false;
    *c = (struct dw__store_contact){0};
    *email = NULL;
    int r = dw__store_require_object(contact, "contact", err);
    if (r < 0)
        return r;
    if ((r = dw__store_opt_str(contact, "name", "contact.name", &c->name, err)) < 0 ||
        (r = dw__store_opt_str(contact, "email", "contact.email", &email_in, err)) < 0 ||
        (r = dw__store_opt_str(contact, "phone", "contact.phone", &c->phone, err)) < 0 ||
        (r = dw__store_opt_str(contact, "title", "contact.title", &c->title, err)) < 0)
        return r;
    *email = dw__store_lower_or_null(email_in, &nomem);
    if (nomem)
        return dw__store_oom(err);
    return 0;
}

/* ---- leases ------------------------------------------------------------------------ */

int dw__store_lease_input(const char *owner, int lease_ms, struct dw_error *err) {
    if (!owner || !*owner || strlen(owner) > 200)
        return dw_error_field(err, -DW_EINVAL, "owner", "a lease owner of 1-200 bytes is needed");
    if (lease_ms < 1 || lease_ms > 3600 * 1000)
        return dw_error_field(err, -DW_EINVAL, "lease_ms", "a lease of 1 ms to 1 hour");
    return 0;
}

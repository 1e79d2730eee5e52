/* store — input checks on the records the store interface takes, shared by every backend
 * (not a public header).
 *
 * Each backend checks a caller's JSON record with these functions before it writes, so
 * that the same record is accepted or refused, with the same error text naming the same
 * field, on SQLite and on PostgreSQL.
 */
#ifndef DW_STORE_RECORD_H
#define DW_STORE_RECORD_H

#include "base/base.h"

/* The most lines a quote may have. */
#define DW__STORE_QUOTE_LINES_MAX 10000

/* -DW_ENOMEM, "out of memory". */
int dw__store_oom(struct dw_error *err);

/* Required integer key. */
int dw__store_req_int(const json_t *obj, const char *key, const char *field, int64_t *ret,
                      struct dw_error *err);
/* Optional integer key: absent or null gives def; *present (when not NULL) says which. */
int dw__store_opt_int(const json_t *obj, const char *key, const char *field, int64_t def,
                      int64_t *ret, bool *present, struct dw_error *err);
/* Required non-empty string key. */
int dw__store_req_str(const json_t *obj, const char *key, const char *field, const char **ret,
                      struct dw_error *err);
/* Optional string key: absent or null is fine (*ret NULL), any other non-string is an error. */
int dw__store_opt_str(const json_t *obj, const char *key, const char *field, const char **ret,
                      struct dw_error *err);
/* j is a JSON object, else -DW_EINVAL naming field. */
int dw__store_require_object(const json_t *j, const char *field, struct dw_error *err);
/* key is one of the NULL-terminated list. */
bool dw__store_in_list(const char *key, const char *const *list);
/* The keys of obj not in known, as a new object in *ret (NULL when there are none). */
int dw__store_extra_keys(const json_t *obj, const char *const *known, json_t **ret,
                         struct dw_error *err);
/* Lower-case copy of s, NULL for NULL or "". *nomem is set when the copy fails. */
char *dw__store_lower_or_null(const char *s, bool *nomem);

/* lead_insert's rec checked (store.h). Strings and objects are borrowed from rec; raw is rec
 * itself when rec has no "raw". */
struct dw__store_lead {
    const char *source, *external_id, *subject, *message;
    dw_time_t received_at;
    bool has_received_at;
    const json_t *contact, *transcript, *raw;
    int64_t duplicate_of;
};
int dw__store_lead_input(const json_t *rec, struct dw__store_lead *f, struct dw_error *err);

/* quote_insert's quote checked (store.h), all but its lines' contents. Borrowed from quote. */
struct dw__store_quote {
    const char *currency, *hash, *ws_hash;
    int64_t digits, subtotal, discount, total, discount_bp, term_months;
    const json_t *lines;
};
int dw__store_quote_input(const json_t *quote, struct dw__store_quote *f, struct dw_error *err);

/* Line i of a quote checked; the error names the field as lines[i].KEY. Strings are
 * borrowed from line; *extra is a new object of its keys that have no column, or NULL. */
struct dw__store_quote_line {
    const char *sku, *name, *billing;
    int64_t quantity, unit_price, amount, discount, net, term;
    bool has_term;
};
int dw__store_quote_line_input(size_t i, const json_t *line, struct dw__store_quote_line *l,
                               json_t **extra, struct dw_error *err);

/* approval_insert's record checked (store.h). Strings are borrowed from a. */
struct dw__store_approval {
    const char *kind, *role, *reason, *rule, *quote_hash;
    int64_t revision;
    bool has_revision;
};
int dw__store_approval_input(const json_t *a, struct dw__store_approval *f, struct dw_error *err);

/* order_insert's record checked (store.h). Borrowed from order; *extra is a new object of
 * its keys that have no column, or NULL. */
struct dw__store_order {
    const char *quote_hash, *currency, *accepted_by;
    int64_t revision, digits, total;
    const json_t *lines;
};
int dw__store_order_input(const json_t *order, struct dw__store_order *f, json_t **extra,
                          struct dw_error *err);

/* The longest name of a per-deal document kind. */
#define DW__STORE_DOC_KIND_MAX 32

/* A per-deal document kind's name checked: 1 to DW__STORE_DOC_KIND_MAX of a-z, 0-9 and _. */
int dw__store_doc_kind_input(const char *kind, struct dw_error *err);

/* contact_upsert's contact checked (store.h): an object whose name, email, phone and title
 * are strings or absent. The strings are borrowed from contact; *email is a new lower-case
 * copy of the e-mail address (NULL when there is none), the caller free()s it. */
struct dw__store_contact {
    const char *name, *phone, *title;
};
int dw__store_contact_input(const json_t *contact, struct dw__store_contact *c, char **email,
                            struct dw_error *err);

/* A lease's owner (1-200 bytes) and length (1 ms to 1 hour) checked. */
int dw__store_lease_input(const char *owner, int lease_ms, struct dw_error *err);

#endif

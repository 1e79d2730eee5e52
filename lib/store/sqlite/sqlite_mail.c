/* store/sqlite — the mail outbox (mail_outbox): the typed hooks of store.h, each one cached
 * statement. The claim is a compare-and-set on the attempt count, so that two senders never
 * both take one message. */
#include <string.h>

#include "sqlite_internal.h"

int dw__sq_mail_insert(struct dw_store *s, const struct dw_mail_rec *m, dw_time_t now,
                       int64_t *ret_id, bool *ret_created, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL, *find = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_MAIL_INSERT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, m->deal_id, &rc);
    dw__sq_bind_text(st, 2, m->kind, &rc);
    dw__sq_bind_text(st, 3, m->message_id, &rc);
    dw__sq_bind_text(st, 4, m->sender, &rc);
    dw__sq_bind_text(st, 5, m->recipient, &rc);
    dw__sq_bind_text(st, 6, m->message, &rc);
    dw__sq_bind_int(st, 7, (int64_t)now, &rc);
    dw__sq_bind_time(st, 8, now, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    if ((r = dw__sq_exec(q, st, err, "mail outbox")) < 0)
        return r;
    *ret_created = sqlite3_changes(q->db) > 0;
    if ((r = dw__sq_stmt(q, DW__SQ_MAIL_FIND, &find, err)) < 0)
        return r;
    rc = SQLITE_OK;
    dw__sq_bind_text(find, 1, m->message_id, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    if ((r = dw__sq_step(q, find, err, "mail outbox")) < 0)
        return r;
    if (r == 0)
        return dw_error_set(err, -DW_ESTORE, "mail outbox: the message just stored is missing");
    *ret_id = sqlite3_column_int64(find, 0);
    return 0;
}

int dw__sq_mail_due(struct dw_store *s, dw_time_t now, int max, json_t **ret,
                    struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_MAIL_DUE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, (int64_t)now, &rc);
    dw__sq_bind_int(st, 2, max, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    return dw__sq_rows(q, st, ret, err, "mail outbox");
}

int dw__sq_mail_claim(struct dw_store *s, int64_t id, int64_t attempts, dw_time_t next_at,
                      bool *ret_claimed, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_MAIL_CLAIM, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_int(st, 2, attempts, &rc);
    dw__sq_bind_int(st, 3, (int64_t)next_at, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    if ((r = dw__sq_exec(q, st, err, "mail outbox")) < 0)
        return r;
    *ret_claimed = sqlite3_changes(q->db) > 0;
    return 0;
}

int dw__sq_mail_update(struct dw_store *s, int64_t id, int64_t attempts, const char *status,
                       dw_time_t next_at, const char *last_error, dw_time_t sent_at,
                       bool *ret_updated, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_MAIL_UPDATE, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, id, &rc);
    dw__sq_bind_text(st, 2, status, &rc);
    dw__sq_bind_int(st, 3, (int64_t)next_at, &rc);
    dw__sq_bind_text(st, 4, last_error, &rc);
    if (sent_at)
        dw__sq_bind_time(st, 5, sent_at, &rc);
    else
        dw__sq_bind_text(st, 5, NULL, &rc);
    dw__sq_bind_int(st, 6, attempts, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    if ((r = dw__sq_exec(q, st, err, "mail outbox")) < 0)
        return r;
    *ret_updated = sqlite3_changes(q->db) > 0;
    return 0;
}

int dw__sq_mail_list(struct dw_store *s, const char *status, json_t **ret, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_MAIL_LIST, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_text(st, 1, status, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    return dw__sq_rows(q, st, ret, err, "mail outbox");
}

int dw__sq_mail_redact(struct dw_store *s, int64_t deal_id, const char *with,
                       struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK, r = dw__sq_stmt(q, DW__SQ_MAIL_REDACT, &st, err);
    if (r < 0)
        return r;
    dw__sq_bind_int(st, 1, deal_id, &rc);
    dw__sq_bind_text(st, 2, with, &rc);
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "mail outbox");
    return dw__sq_exec(q, st, err, "mail outbox");
}

/* store/postgres — the mail outbox (mail_outbox), as sqlite_mail.c. The claim is a
 * compare-and-set on the attempt count, an UPDATE whose row lock orders two senders: the
 * second finds the count moved and claims nothing, whichever process it runs in. */
#include "store/postgres/pg_misc.h"

int dw__pgm_mail_insert(struct dw_store *s, const struct dw_mail_rec *m, dw_time_t now,
                        int64_t *ret_id, bool *ret_created, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, m->deal_id);
    dw__pg_p_text(&p, m->kind);
    dw__pg_p_text(&p, m->message_id);
    dw__pg_p_text(&p, m->sender);
    dw__pg_p_text(&p, m->recipient);
    dw__pg_p_text(&p, m->message);
    dw__pg_p_int(&p, (int64_t)now);
    dw__pg_p_time(&p, now);
    PGresult *res = NULL;
    int r = dw__pg_run(g, "mail outbox",
                       "INSERT INTO mail_outbox (deal_id, kind, message_id, sender, recipient, "
                       "message, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                       "ON CONFLICT (message_id) DO NOTHING RETURNING id",
                       &p, &res, err);
    if (r < 0)
        return r;
    *ret_created = PQntuples(res) > 0;
    if (*ret_created) {
        *ret_id = dw__pg_int(res, 0, 0);
        PQclear(res);
        return 0;
    }
    PQclear(res);
    /* the same Message-ID again: the row already there */
    p = (struct dw_pg_params){0};
    dw__pg_p_text(&p, m->message_id);
    if ((r = dw__pg_run(g, "mail outbox", "SELECT id FROM mail_outbox WHERE message_id = $1", &p,
                        &res, err)) < 0)
        return r;
    if (PQntuples(res) == 0)
        r = dw_error_set(err, -DW_ESTORE, "mail outbox: the message just stored is missing");
    else
        *ret_id = dw__pg_int(res, 0, 0);
    PQclear(res);
    return r;
}

int dw__pgm_mail_due(struct dw_store *s, dw_time_t now, int max, json_t **ret,
                     struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, (int64_t)now);
    dw__pgm_p_limit(&p, max);
    return dw__pg_rows_of(dw__pg(s), false, "mail outbox",
                          "SELECT id, deal_id, kind, message_id, sender, recipient, message, "
                          "attempts FROM mail_outbox WHERE status IN ('pending', 'sending') AND "
                          "next_at <= $1 ORDER BY id LIMIT $2",
                          &p, ret, err);
}

int dw__pgm_mail_claim(struct dw_store *s, int64_t id, int64_t attempts, dw_time_t next_at,
                       bool *ret_claimed, struct dw_error *err) {
    struct dw_pg_params p = {0};
    int64_t changes = 0;
    dw__pg_p_int(&p, id);
    dw__pg_p_int(&p, attempts);
    dw__pg_p_int(&p, (int64_t)next_at);
    int r = dw__pg_exec_count(dw__pg(s), false, "mail outbox",
                              "UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, "
                              "next_at = $3 WHERE id = $1 AND attempts = $2 AND "
                              "status IN ('pending', 'sending')",
                              &p, &changes, err);
    if (r == 0)
        *ret_claimed = changes > 0;
    return r;
}

int dw__pgm_mail_update(struct dw_store *s, int64_t id, int64_t attempts, const char *status,
                        dw_time_t next_at, const char *last_error, dw_time_t sent_at,
                        bool *ret_updated, struct dw_error *err) {
    struct dw_pg_params p = {0};
    int64_t changes = 0;
    dw__pg_p_int(&p, id);
    dw__pg_p_text(&p, status);
    dw__pg_p_int(&p, (int64_t)next_at);
    dw__pg_p_text(&p, last_error);
    if (sent_at)
        dw__pg_p_time(&p, sent_at);
    else
        dw__pg_p_text(&p, NULL);
    dw__pg_p_int(&p, attempts);
    int r = dw__pg_exec_count(dw__pg(s), false, "mail outbox",
                              "UPDATE mail_outbox SET status = $2, next_at = $3, last_error = $4, "
                              "sent_at = $5 WHERE id = $1 AND attempts = $6 AND status = 'sending'",
                              &p, &changes, err);
    if (r == 0)
        *ret_updated = changes > 0;
    return r;
}

int dw__pgm_mail_list(struct dw_store *s, const char *status, json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, status);
    return dw__pg_rows_of(dw__pg(s), false, "mail outbox",
                          "SELECT id, deal_id, kind, message_id, recipient AS \"to\", status, "
                          "attempts, next_at, created_at, sent_at, last_error FROM mail_outbox "
                          "WHERE ($1::text IS NULL OR status = $1) ORDER BY id",
                          &p, ret, err);
}

int dw__pgm_mail_redact(struct dw_store *s, int64_t deal_id, const char *with,
                        struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_text(&p, with);
    return dw__pg_exec_count(
        dw__pg(s), false, "mail outbox",
        "UPDATE mail_outbox SET message = $2, recipient = $2, last_error = CASE "
        "WHEN status IN ('sent', 'dead') THEN last_error ELSE 'redacted by the "
        "privacy purge before it was sent' END, status = CASE WHEN status = "
        "'sent' THEN 'sent' ELSE 'dead' END WHERE deal_id = $1",
        &p, NULL, err);
}

/* store/postgres — what the files of the smaller subjects share (not a public header):
 * pg_tokens.c (API tokens, the store's keys), pg_webhooks.c (subscriptions, deliveries),
 * pg_mail.c (the mail outbox), pg_slots.c (slot holds, bookings), pg_models.c (scoring
 * models) and pg_mcalls.c (the model-call journal). Their tables and the filler that sets
 * their hooks are in pg_misc.c; each hook is the PostgreSQL form of the SQLite backend's
 * (lib/store/sqlite/sqlite_<subject>.c), with the same tables, columns and records. */
#ifndef DW_STORE_PG_MISC_H
#define DW_STORE_PG_MISC_H

#include "store/postgres/pg_internal.h"

/* A bytea parameter: the bytes as PostgreSQL's hex text ("\x0a1b..."), len at most max. */
void dw__pgm_p_bytea(struct dw_pg_params *p, const void *bytes, size_t len, size_t max);
/* LIMIT n as SQLite reads it: a negative n is no limit (SQL NULL). */
void dw__pgm_p_limit(struct dw_pg_params *p, int64_t n);

/* pg_tokens.c */
int dw__pgm_token_insert(struct dw_store *s, const char *user, const char *role, const char *hash,
                         const char *prefix, dw_time_t now, int64_t *ret_id, struct dw_error *err);
int dw__pgm_token_find(struct dw_store *s, const char *hash, json_t **ret, struct dw_error *err);
int dw__pgm_tokens_list(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__pgm_token_revoke(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err);
int dw__pgm_key_get(struct dw_store *s, const char *name, const void *fresh, size_t len,
                    dw_time_t now, void *ret_key, struct dw_error *err);

/* pg_webhooks.c */
int dw__pgm_webhook_insert(struct dw_store *s, const char *url, const char *events,
                           const char *secret, dw_time_t now, int64_t *ret_id,
                           struct dw_error *err);
int dw__pgm_webhooks_list(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__pgm_webhook_remove(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err);
int dw__pgm_webhook_advance(struct dw_store *s, int64_t id, int64_t seq, struct dw_error *err);
int dw__pgm_delivery_insert(struct dw_store *s, int64_t webhook_id, int64_t seq, const char *type,
                            const char *body, int64_t next_at_ms, dw_time_t now,
                            struct dw_error *err);
int dw__pgm_deliveries_due(struct dw_store *s, int64_t now_ms, int max, json_t **ret,
                           struct dw_error *err);
int dw__pgm_delivery_update(struct dw_store *s, const struct dw_delivery_update *u,
                            struct dw_error *err);
int dw__pgm_deliveries_list(struct dw_store *s, const char *status, int64_t after_id, int max,
                            json_t **ret, struct dw_error *err);
int dw__pgm_delivery_replay(struct dw_store *s, int64_t id, int64_t now_ms, int64_t *ret_n,
                            struct dw_error *err);
int dw__pgm_delivery_counts(struct dw_store *s, json_t **ret, struct dw_error *err);

/* pg_mail.c */
int dw__pgm_mail_insert(struct dw_store *s, const struct dw_mail_rec *m, dw_time_t now,
                        int64_t *ret_id, bool *ret_created, struct dw_error *err);
int dw__pgm_mail_due(struct dw_store *s, dw_time_t now, int max, json_t **ret,
                     struct dw_error *err);
int dw__pgm_mail_claim(struct dw_store *s, int64_t id, int64_t attempts, dw_time_t next_at,
                       bool *ret_claimed, struct dw_error *err);
int dw__pgm_mail_update(struct dw_store *s, int64_t id, int64_t attempts, const char *status,
                        dw_time_t next_at, const char *last_error, dw_time_t sent_at,
                        bool *ret_updated, struct dw_error *err);
int dw__pgm_mail_list(struct dw_store *s, const char *status, json_t **ret, struct dw_error *err);
int dw__pgm_mail_redact(struct dw_store *s, int64_t deal_id, const char *with,
                        struct dw_error *err);

/* pg_slots.c */
int dw__pgm_slots_held(struct dw_store *s, int64_t deal_id, dw_time_t now, json_t **ret,
                       struct dw_error *err);
int dw__pgm_slots_free(struct dw_store *s, int64_t deal_id, struct dw_error *err);
int dw__pgm_slot_hold(struct dw_store *s, int64_t deal_id, const char *user, dw_time_t start,
                      dw_time_t expires, struct dw_error *err);
int dw__pgm_booking_get(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__pgm_booking_put(struct dw_store *s, int64_t deal_id, const json_t *b, struct dw_error *err);

/* pg_models.c */
int dw__pgm_model_insert(struct dw_store *s, const json_t *meta, const void *blob, size_t len,
                         dw_time_t now, int64_t *ret_version, bool *ret_created,
                         struct dw_error *err);
int dw__pgm_model_get(struct dw_store *s, int64_t version, json_t **ret_meta, char **ret_blob,
                      size_t *ret_len, struct dw_error *err);

/* pg_mcalls.c */
int dw__pgm_mcall_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_id,
                         struct dw_error *err);
int dw__pgm_mcall_find(struct dw_store *s, const char *key, json_t **ret, struct dw_error *err);
int dw__pgm_mcall_verdict(struct dw_store *s, int64_t id, const char *verdict, const json_t *detail,
                          dw_time_t now, struct dw_error *err);
int dw__pgm_mcalls_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                            struct dw_error *err);
int dw__pgm_mcall_tokens(struct dw_store *s, int64_t deal_id, dw_time_t since, int64_t *ret,
                         struct dw_error *err);
int dw__pgm_mcalls_purge(struct dw_store *s, int64_t deal_id, int64_t *ret_n, struct dw_error *err);
int dw__pgm_mcall_stats(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__pgm_mcall_recent(struct dw_store *s, const char *provider, int n, json_t **ret,
                         struct dw_error *err);

#endif

/* dealwright — webhooks (docs/internals/server.md "Webhooks").
 *
 * dw_webhook_add subscribes an http(s) URL to event types ("deal.stage_changed,approval.*"
 * or "*"), from the next event on; with no secret one is made; returns {id, url, events,
 * secret} (the secret is shown once and never listed). dw_webhook_deliver runs one pass:
 * takes committed events into the outbox and posts the deliveries that are due, signed.
 * dw_webhook_replay sets a dead delivery (or every dead one, id 0) pending again.
 * dw_webhook_sign: hex HMAC-SHA256(secret, timestamp "." body). `by` names who acts, for
 * the audit trail. dw_webhook_backoff_ms: the wait after a failed attempt (1-based), base *
 * 2^(attempts-1) up to an hour, plus up to half of that as jitter. */
#ifndef DEALWRIGHT_WEBHOOKS_H
#define DEALWRIGHT_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

#define DW_WEBHOOK_SIG_HEX 65
struct dw_webhook_opts {
    int max_attempts;          /* dead after this many; 0: 8 */
    int64_t backoff_ms;        /* the first retry's wait; 0: 1000 */
    long timeout_ms;           /* per request; 0: 10000 */
    const volatile bool *stop; /* when set, a pass stops between deliveries */
};
struct dw_webhook_stats {
    int64_t enqueued, delivered, failed, dead;
};
DW_EXPORT int dw_webhook_add(struct dw_engine *e, const char *by, const char *url,
                             const char *events, const char *secret, json_t **ret,
                             struct dw_error *err);
DW_EXPORT int dw_webhooks_list(struct dw_engine *e, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_webhook_remove(struct dw_engine *e, const char *by, int64_t id,
                                struct dw_error *err);
DW_EXPORT int dw_webhook_deliveries(struct dw_engine *e, const char *status, json_t **ret,
                                    struct dw_error *err);
/* The same a page at a time (engine.h). */
DW_EXPORT int dw_webhook_deliveries_page(struct dw_engine *e, const char *status, const char *after,
                                         int limit, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_webhook_replay(struct dw_engine *e, const char *by, int64_t id, int64_t *ret_n,
                                struct dw_error *err);
/* Deliveries by state: {pending, delivered, dead} counts. */
DW_EXPORT int dw_webhook_counts(struct dw_engine *e, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_webhook_deliver(struct dw_engine *e, const struct dw_webhook_opts *o,
                                 struct dw_webhook_stats *stats, struct dw_error *err);
DW_EXPORT int dw_webhook_sign(const char *secret, const char *timestamp, const char *body,
                              char out[DW_WEBHOOK_SIG_HEX]);
DW_EXPORT int64_t dw_webhook_backoff_ms(int attempts, int64_t base_ms);

#endif

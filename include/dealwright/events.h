/* dealwright — events across processes over NATS JetStream
 * (docs/internals/events-nats.md).
 *
 * dw_events_connect opens a connection to a NATS server ("nats://HOST:PORT") with
 * JetStream, and makes the stream DEALWRIGHT (subjects dealwright.events.TYPE) when it is
 * missing. One connection may be shared by threads.
 *
 * dw_events_publish runs one pass of the outbox publisher: under the store's publisher
 * lease (one publisher at a time per store), the committed events after the position
 * published last go to the stream, each with the message id STORE:SEQ (STORE the store's
 * identity) so that JetStream keeps one copy of a message sent twice; the position is read
 * from the stream's last message of this store (else the store's cursor) and the cursor
 * moved in the same transaction. *ret_n: events handed over (0 also when another
 * publisher holds the lease). Errors: -DW_EAGAIN when NATS did not take them (nothing
 * moved; the next pass sends them again), store errors.
 *
 * dw_events_deliver runs one pass of the webhook consumer every instance shares (the
 * durable pull consumer dealwright-webhooks): one event, waiting up to wait_ms for it;
 * the event's deliveries as dw_webhook_deliver makes and posts them, the
 * message acknowledged once they are recorded (delivered or dead), given back to be sent
 * again when a retry is due.
 *
 * dw_events_sweep posts the pending deliveries that are due and no message brings back (a
 * dead delivery replayed), each claimed in the store first so that of the instances
 * sweeping at once one posts it; run every few seconds beside dw_events_deliver.
 *
 * dw_events_follow reads the stream from the event after after_seq (-1: only events from
 * now on), in order: dw_events_next gives the next event as dw_events_since does
 * ({seq, deal_id, type, at, data}), or *ret NULL when none came within timeout_ms. */
#ifndef DEALWRIGHT_EVENTS_H
#define DEALWRIGHT_EVENTS_H

#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/webhooks.h>

struct dw_events;
struct dw_events_follower;

DW_EXPORT int dw_events_connect(const char *url, struct dw_events **ret, struct dw_error *err);
DW_EXPORT void dw_events_close(struct dw_events *ev);
DW_EXPORT int dw_events_publish(struct dw_engine *e, struct dw_events *ev, int64_t *ret_n,
                                struct dw_error *err);
DW_EXPORT int dw_events_deliver(struct dw_engine *e, struct dw_events *ev,
                                const struct dw_webhook_opts *o, int wait_ms,
                                struct dw_webhook_stats *stats, struct dw_error *err);
DW_EXPORT int dw_events_sweep(struct dw_engine *e, const struct dw_webhook_opts *o,
                              struct dw_webhook_stats *stats, struct dw_error *err);
DW_EXPORT int dw_events_follow(struct dw_events *ev, int64_t after_seq,
                               struct dw_events_follower **ret, struct dw_error *err);
DW_EXPORT int dw_events_next(struct dw_events_follower *f, int timeout_ms, json_t **ret,
                             struct dw_error *err);
DW_EXPORT void dw_events_unfollow(struct dw_events_follower *f);

#endif

/* Events across processes over NATS JetStream (include/dealwright/events.h,
 * docs/internals/events-nats.md).
 *
 * The publisher. The event log is the outbox: a pass takes the store's publisher lease
 * (outbox_lock: the write transaction on SQLite, an advisory lock on PostgreSQL), finds
 * where the stream stops — the Dw-Seq header of the stream's last message when it is this
 * store's, else the store's cursor — and sends the events after it, in order, each with
 * the message id STORE:SEQ, then moves the cursor and commits. Trusting the stream's last
 * message makes a publisher that crashed after sending and before committing resume after
 * what the stream holds (nothing doubled, whatever the de-duplication window), and one whose
 * acknowledged messages the server lost (killed before it wrote them) send them again
 * (nothing lost). The de-duplication window (DUP_WINDOW_NS) covers the rest: two passes
 * racing in flight on one connection.
 *
 * The webhook consumer. One durable pull consumer, CONSUMER, shared by every instance:
 * each message goes to one of them at a time; the instance makes and posts the event's
 * deliveries (webhooks.c, the same rules as the single-machine path) and acknowledges the
 * message when their outcome is recorded; a retry due later gives the message back with
 * that delay; an instance that dies holding a message loses it to another after ACK_WAIT.
 *
 * Followers (GET /v1/events). An ordered consumer of the stream, from the first message
 * whose event seq is past the one asked for, found by bisecting the stream (its messages
 * are in event order: one publisher at a time, in order). */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>
#include <sodium.h>

#include "internal.h"
#include <dealwright/events.h>

#define STREAM "DEALWRIGHT"
#define SUBJECTS "dealwright.events.>"
#define SUBJECT_PREFIX "dealwright.events."
#define CONSUMER "dealwright-webhooks"
#define CURSOR "nats:" STREAM
#define STORE_KEY "events.store-id"
#define NS_PER_MS INT64_C(1000000)
#define DUP_WINDOW_NS (INT64_C(10) * 60 * 1000 * NS_PER_MS)     /* 10 minutes */
#define MAX_AGE_NS (INT64_C(30) * 24 * 3600 * 1000 * NS_PER_MS) /* 30 days */
#define ACK_WAIT_NS (INT64_C(30) * 1000 * NS_PER_MS)
#define BATCH 256 /* events per publisher pass */
/* Messages per fetch of the consumer: one. libnats 3.4 (Debian 12's) fills a fetch's array
 * past its end when messages of an earlier fetch arrive late (a fetch that timed out, or a
 * pull request sent again on reconnection after the server came back): it counts them
 * against a batch it has already shrunk. A batch of one can never outgrow its array, and a
 * pass still takes every late message first, without a request. (Fixed upstream in 3.10.) */
#define FETCH 1
#define WAIT_MS 2000 /* a JetStream request, a publish's acknowledgement */
#define URL_MAX 255

struct dw_events {
    natsConnection *nc;
    jsCtx *js;
    pthread_mutex_t mu; /* the pull subscription, the failed flag */
    natsSubscription *pull;
    bool failed;         /* an asynchronous publish was refused since the pass began */
    atomic_bool recheck; /* compare the stream's end with the cursor (connected again) */
};

struct dw_events_follower {
    natsSubscription *sub;
    int64_t last; /* the last event seq given */
};

static int nats_error(struct dw_error *err, natsStatus st, const char *what) {
    return dw_error_set(err, -DW_EAGAIN, "NATS: %s: %s", what, natsStatus_GetText(st));
}

static void on_reconnected(natsConnection *nc, void *closure) {
    (void)nc;
    atomic_store(&((struct dw_events *)closure)->recheck, true);
}

static void on_publish_error(jsCtx *js, jsPubAckErr *pae, void *closure) {
    (void)js, (void)pae;
    struct dw_events *ev = closure;
    pthread_mutex_lock(&ev->mu);
    ev->failed = true;
    pthread_mutex_unlock(&ev->mu);
}

/* The stream as this version makes it; an existing one is used as it is. */
static int stream_ensure(struct dw_events *ev, struct dw_error *err) {
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetStreamInfo(&si, ev->js, STREAM, NULL, &jerr);
    if (st == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return 0;
    }
    if (jerr != JSStreamNotFoundErr && st != NATS_NOT_FOUND)
        return nats_error(err, st, "reading the stream " STREAM);
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char *subjects[] = {SUBJECTS};
    cfg.Name = STREAM;
    cfg.Description = "dealwright: the committed events of the event log";
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Retention = js_LimitsPolicy;
    cfg.MaxAge = MAX_AGE_NS;
    cfg.Duplicates = DUP_WINDOW_NS;
    cfg.DenyDelete = true;
    st = js_AddStream(&si, ev->js, &cfg, NULL, &jerr);
    jsStreamInfo_Destroy(si);
    if (st != NATS_OK && jerr != JSStreamNameExistErr) /* another instance made it first */
        return nats_error(err, st, "making the stream " STREAM);
    return 0;
}

int dw_events_connect(const char *url, struct dw_events **ret, struct dw_error *err) {
    *ret = NULL;
    if (!url || strncmp(url, "nats://", 7) != 0 || strlen(url) < 8 || strlen(url) > URL_MAX ||
        strpbrk(url, " \t\r\n,"))
        return dw_error_field(err, -DW_EINVAL, "events",
                              "expected nats://HOST:PORT (at most %d characters), got '%.80s'",
                              URL_MAX, url ? url : "");
    struct dw_events *ev = calloc(1, sizeof *ev);
    if (!ev)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    pthread_mutex_init(&ev->mu, NULL);
    natsOptions *no = NULL;
    natsStatus st = natsOptions_Create(&no);
    if (st == NATS_OK)
        st = natsOptions_SetURL(no, url);
    if (st == NATS_OK)
        st = natsOptions_SetTimeout(no, WAIT_MS);
    if (st == NATS_OK) /* a server that restarts is waited for, for ever */
        st = natsOptions_SetMaxReconnect(no, -1);
    if (st == NATS_OK)
        st = natsOptions_SetReconnectWait(no, 250);
    if (st == NATS_OK)
        st = natsOptions_SetName(no, "dealwright");
    if (st == NATS_OK)
        st = natsOptions_SetReconnectedCB(no, on_reconnected, ev);
    atomic_store(&ev->recheck, true);
    if (st == NATS_OK)
        st = natsConnection_Connect(&ev->nc, no);
    natsOptions_Destroy(no);
    if (st != NATS_OK) {
        int r = nats_error(err, st, url);
        dw_events_close(ev);
        return r;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = WAIT_MS;
    jo.PublishAsync.MaxPending = BATCH * 2;
    jo.PublishAsync.ErrHandler = on_publish_error;
    jo.PublishAsync.ErrHandlerClosure = ev;
    int r = 0;
    if ((st = natsConnection_JetStream(&ev->js, ev->nc, &jo)) != NATS_OK)
        r = nats_error(err, st, "JetStream");
    else
        r = stream_ensure(ev, err);
    if (r < 0) {
        dw_events_close(ev);
        return r;
    }
    *ret = ev;
    return 0;
}

void dw_events_close(struct dw_events *ev) {
    if (!ev)
        return;
    if (ev->pull)
        natsSubscription_Destroy(ev->pull);
    jsCtx_Destroy(ev->js);
    if (ev->nc) {
        natsConnection_Close(ev->nc);
        natsConnection_Destroy(ev->nc);
    }
    pthread_mutex_destroy(&ev->mu);
    free(ev);
}

/* ---- the publisher ------------------------------------------------------------------ */

/* The store's identity, 32 hex digits (a key the store keeps, made by the first asker). */
static int store_id(struct dw_engine *e, char out[33], struct dw_error *err) {
    unsigned char fresh[16], key[16];
    randombytes_buf(fresh, sizeof fresh);
    int r = e->store->ops->key_get(e->store, STORE_KEY, fresh, sizeof fresh, dw__now(e), key, err);
    if (r < 0)
        return r;
    sodium_bin2hex(out, 33, key, sizeof key);
    return 0;
}

static int64_t header_int(natsMsg *m, const char *name) {
    const char *v = NULL;
    if (natsMsgHeader_Get(m, name, &v) != NATS_OK || !v)
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end || end == v ? -1 : (int64_t)n;
}

static bool header_is(natsMsg *m, const char *name, const char *want) {
    const char *v = NULL;
    return natsMsgHeader_Get(m, name, &v) == NATS_OK && v && strcmp(v, want) == 0;
}

/* The event seq of the stream's last message when it is this store's (*ret -1 when the
 * stream is empty or ends with another store's message). */
static int stream_last(struct dw_events *ev, const char *id, int64_t *ret, struct dw_error *err) {
    *ret = -1;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetStreamInfo(&si, ev->js, STREAM, NULL, &jerr);
    if (st != NATS_OK)
        return nats_error(err, st, "reading the stream " STREAM);
    uint64_t last = si->State.Msgs ? si->State.LastSeq : 0;
    jsStreamInfo_Destroy(si);
    if (!last)
        return 0;
    natsMsg *m = NULL;
    st = js_GetMsg(&m, ev->js, STREAM, last, NULL, &jerr);
    if (st == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
        return 0;
    if (st != NATS_OK)
        return nats_error(err, st, "reading the stream's last message");
    if (header_is(m, "Dw-Store", id))
        *ret = header_int(m, "Dw-Seq");
    natsMsg_Destroy(m);
    return 0;
}

/* Send the events, in order, asynchronously, and wait for every acknowledgement. */
static int send_events(struct dw_events *ev, const char *id, const json_t *evs,
                       struct dw_error *err) {
    pthread_mutex_lock(&ev->mu);
    ev->failed = false;
    pthread_mutex_unlock(&ev->mu);
    size_t i;
    json_t *e;
    natsStatus st = NATS_OK;
    json_array_foreach(evs, i, e) {
        int64_t seq = dw_json_int(e, "seq", 0);
        const char *type = dw_json_str(e, "type");
        char subject[128], msgid[64], seqs[24];
        snprintf(subject, sizeof subject, SUBJECT_PREFIX "%.100s", type ? type : "unknown");
        snprintf(msgid, sizeof msgid, "%s:%" PRId64, id, seq);
        snprintf(seqs, sizeof seqs, "%" PRId64, seq);
        char *data = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!data)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        natsMsg *m = NULL;
        st = natsMsg_Create(&m, subject, NULL, data, (int)strlen(data));
        free(data);
        if (st == NATS_OK)
            st = natsMsgHeader_Set(m, "Dw-Store", id);
        if (st == NATS_OK)
            st = natsMsgHeader_Set(m, "Dw-Seq", seqs);
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MsgId = msgid;
        po.MaxWait = WAIT_MS;
        if (st == NATS_OK)
            st = js_PublishMsgAsync(ev->js, &m, &po);
        natsMsg_Destroy(m); /* NULL when the library took it */
        if (st != NATS_OK)
            break;
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = WAIT_MS;
    natsStatus done = js_PublishAsyncComplete(ev->js, &po);
    if (st == NATS_OK)
        st = done;
    pthread_mutex_lock(&ev->mu);
    bool failed = ev->failed;
    pthread_mutex_unlock(&ev->mu);
    if (st != NATS_OK)
        return nats_error(err, st, "publishing events");
    if (failed)
        return dw_error_set(err, -DW_EAGAIN,
                            "NATS: the stream refused an event; sent again "
                            "next pass");
    return 0;
}

int dw_events_publish(struct dw_engine *e, struct dw_events *ev, int64_t *ret_n,
                      struct dw_error *err) {
    struct dw_store *s = e->store;
    *ret_n = 0;
    if (!s->ops->outbox_lock || !s->ops->outbox_cursor_get || !s->ops->outbox_cursor_advance)
        return dw_error_set(err, -DW_EINVAL, "this store cannot publish events to NATS");
    if (natsConnection_Status(ev->nc) != NATS_CONN_STATUS_CONNECTED)
        return dw_error_set(err, -DW_EAGAIN, "NATS: not connected (reconnecting)");
    /* A read without the lease first: an idle pass takes no write lock. */
    int64_t cursor = 0;
    int r = s->ops->outbox_cursor_get(s, CURSOR, &cursor, err);
    if (r < 0)
        return r;
    json_t *evs = NULL;
    if ((r = s->ops->events_since(s, cursor, 1, &evs, err)) < 0)
        return r;
    size_t pending = json_array_size(evs);
    json_decref(evs);
    evs = NULL;
    char id[33];
    if (!pending) {
        /* The cursor is at the log's end. After a (re)connection the stream may have lost
         * what it acknowledged (a server killed before it wrote them): its end is compared
         * with the cursor once, and what it lacks is sent again below. */
        if (!atomic_exchange(&ev->recheck, false))
            return 0;
        int64_t last = -1;
        if ((r = store_id(e, id, err)) < 0 || (r = stream_last(ev, id, &last, err)) < 0) {
            atomic_store(&ev->recheck, true);
            return r;
        }
        if (last < 0 || last >= cursor)
            return 0;
    }
    if ((r = s->ops->begin(s, err)) < 0)
        return r;
    if ((r = s->ops->outbox_lock(s, CURSOR, err)) < 0) {
        s->ops->rollback(s);
        return r == -DW_EBUSY ? 0 : r; /* another publisher has the lease */
    }
    int64_t last = -1;
    if ((r = store_id(e, id, err)) >= 0 &&
        (r = s->ops->outbox_cursor_get(s, CURSOR, &cursor, err)) >= 0 &&
        (r = stream_last(ev, id, &last, err)) >= 0) {
        int64_t from = last >= 0 ? last : cursor;
        /* the stream is ahead of a lagging cursor: the cursor catches up, so that the
         * next idle pass finds nothing to do */
        if (from > cursor)
            r = s->ops->outbox_cursor_advance(s, CURSOR, from, dw__now(e), err);
        if (r >= 0 && (r = s->ops->events_since(s, from, BATCH, &evs, err)) >= 0 &&
            json_array_size(evs)) {
            int64_t upto = dw_json_int(json_array_get(evs, json_array_size(evs) - 1), "seq", 0);
            if ((r = send_events(ev, id, evs, err)) >= 0 &&
                (r = s->ops->outbox_cursor_advance(s, CURSOR, upto, dw__now(e), err)) >= 0)
                *ret_n = (int64_t)json_array_size(evs);
        }
    }
    json_decref(evs);
    if (r >= 0)
        r = s->ops->commit(s, err);
    else
        s->ops->rollback(s);
    if (r < 0)
        *ret_n = 0;
    return r < 0 ? r : 0;
}

/* ---- the webhook consumer ----------------------------------------------------------- */

static int pull_get(struct dw_events *ev, natsSubscription **ret, struct dw_error *err) {
    pthread_mutex_lock(&ev->mu);
    natsStatus st = NATS_OK;
    jsErrCode jerr = 0;
    if (!ev->pull) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = STREAM;
        so.Config.Durable = CONSUMER;
        so.Config.Description = "dealwright: webhook deliveries, shared by every instance";
        so.Config.DeliverPolicy = js_DeliverAll;
        so.Config.AckPolicy = js_AckExplicit;
        so.Config.AckWait = ACK_WAIT_NS;
        so.Config.MaxDeliver = -1; /* the deliveries' attempts decide when to give up */
        so.Config.MaxAckPending = 1000;
        so.Config.FilterSubject = SUBJECTS;
        st = js_PullSubscribe(&ev->pull, ev->js, SUBJECTS, CONSUMER, NULL, &so, &jerr);
    }
    *ret = ev->pull;
    pthread_mutex_unlock(&ev->mu);
    return st == NATS_OK ? 0 : nats_error(err, st, "the webhook consumer " CONSUMER);
}

static void in_progress(void *ud) {
    natsMsg_InProgress(ud, NULL);
}

int dw_events_deliver(struct dw_engine *e, struct dw_events *ev, const struct dw_webhook_opts *o,
                      int wait_ms, struct dw_webhook_stats *stats, struct dw_error *err) {
    natsSubscription *sub = NULL;
    int r = pull_get(ev, &sub, err);
    if (r < 0)
        return r;
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus st = natsSubscription_Fetch(&list, sub, FETCH, wait_ms > 0 ? wait_ms : 1, &jerr);
    if (st == NATS_TIMEOUT)
        return 0;
    if (st != NATS_OK)
        return nats_error(err, st, "fetching from " CONSUMER);
    json_t *hooks = NULL;
    r = e->store->ops->webhooks_list(e->store, &hooks, err);
    for (int i = 0; i < list.Count; i++) {
        natsMsg *m = list.Msgs[i];
        if (r < 0) {
            natsMsg_NakWithDelay(m, 1000, NULL); /* the store failed: again in a second */
            continue;
        }
        json_error_t jerror;
        json_t *event =
            json_loadb(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), 0, &jerror);
        if (!json_is_object(event)) {
            json_decref(event);
            natsMsg_Term(m, NULL); /* not an event of ours: never again */
            continue;
        }
        int64_t retry_ms = 0;
        r = dw__webhook_deliver_event(e, event, hooks, o, in_progress, m, stats, &retry_ms, err);
        json_decref(event);
        if (r < 0)
            natsMsg_NakWithDelay(m, 1000, NULL);
        else if (retry_ms > 0)
            natsMsg_NakWithDelay(m, retry_ms, NULL);
        else
            natsMsg_AckSync(m, NULL, NULL); /* the outcome is recorded: done */
    }
    json_decref(hooks);
    natsMsgList_Destroy(&list);
    return r < 0 ? r : 0;
}

int dw_events_sweep(struct dw_engine *e, const struct dw_webhook_opts *o,
                    struct dw_webhook_stats *stats, struct dw_error *err) {
    if (!e->store->ops->delivery_claim)
        return dw_error_set(err, -DW_EINVAL, "this store cannot share webhook deliveries");
    return dw__webhook_sweep(e, o, stats, err);
}

/* ---- followers ---------------------------------------------------------------------- */

/* The event seq of stream message sseq (-1 when it is gone, -2 on a failure). */
static int64_t seq_at(struct dw_events *ev, uint64_t sseq) {
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetMsg(&m, ev->js, STREAM, sseq, NULL, &jerr);
    if (st != NATS_OK)
        return st == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr ? -1 : -2;
    int64_t v = header_int(m, "Dw-Seq");
    natsMsg_Destroy(m);
    return v;
}

/* The first stream sequence whose event seq is above after (last + 1 when none). */
static int start_of(struct dw_events *ev, int64_t after, uint64_t *ret, struct dw_error *err) {
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetStreamInfo(&si, ev->js, STREAM, NULL, &jerr);
    if (st != NATS_OK)
        return nats_error(err, st, "reading the stream " STREAM);
    uint64_t lo = si->State.FirstSeq, hi = si->State.LastSeq + 1;
    bool empty = si->State.Msgs == 0;
    jsStreamInfo_Destroy(si);
    if (empty || after <= 0) {
        *ret = empty ? hi : lo;
        return 0;
    }
    while (lo < hi) { /* the first message past `after` in [lo, hi) */
        uint64_t mid = lo + (hi - lo) / 2, probe = mid;
        int64_t v = -1;
        while (probe < hi && (v = seq_at(ev, probe)) == -1) /* a gap: the next one */
            probe++;
        if (v == -2)
            return dw_error_set(err, -DW_EAGAIN, "NATS: reading the stream " STREAM " failed");
        if (probe >= hi || v > after)
            hi = mid;
        else
            lo = probe + 1;
    }
    *ret = lo;
    return 0;
}

int dw_events_follow(struct dw_events *ev, int64_t after_seq, struct dw_events_follower **ret,
                     struct dw_error *err) {
    *ret = NULL;
    uint64_t start = 0;
    int r = after_seq >= 0 ? start_of(ev, after_seq, &start, err) : 0;
    if (r < 0)
        return r;
    struct dw_events_follower *f = calloc(1, sizeof *f);
    if (!f)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    f->last = after_seq;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = STREAM;
    so.Ordered = true;
    if (after_seq < 0) {
        so.Config.DeliverPolicy = js_DeliverNew;
    } else {
        so.Config.DeliverPolicy = js_DeliverByStartSequence;
        so.Config.OptStartSeq = start;
    }
    jsErrCode jerr = 0;
    natsStatus st = js_SubscribeSync(&f->sub, ev->js, SUBJECTS, NULL, &so, &jerr);
    if (st != NATS_OK) {
        free(f);
        return nats_error(err, st, "following the stream " STREAM);
    }
    *ret = f;
    return 0;
}

int dw_events_next(struct dw_events_follower *f, int timeout_ms, json_t **ret,
                   struct dw_error *err) {
    *ret = NULL;
    for (;;) {
        natsMsg *m = NULL;
        natsStatus st = natsSubscription_NextMsg(&m, f->sub, timeout_ms > 0 ? timeout_ms : 1);
        if (st == NATS_TIMEOUT)
            return 0;
        if (st != NATS_OK)
            return nats_error(err, st, "following the stream " STREAM);
        int64_t seq = header_int(m, "Dw-Seq");
        json_t *event = NULL;
        if (seq > f->last) /* an older one (another store's, or a copy) is passed over */
            event = json_loadb(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), 0, NULL);
        natsMsg_Destroy(m);
        if (json_is_object(event)) {
            f->last = seq;
            *ret = event;
            return 0;
        }
        json_decref(event);
        timeout_ms = 1; /* what is already here, then back to the caller */
    }
}

void dw_events_unfollow(struct dw_events_follower *f) {
    if (!f)
        return;
    natsSubscription_Unsubscribe(f->sub);
    natsSubscription_Destroy(f->sub);
    free(f);
}

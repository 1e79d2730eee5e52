/* store — durable state behind one interface.
 *
 * Backends implement `struct dw_store_ops` (a vtable, one per family member in
 * lib/store/<backend>/). The embedded default is SQLite in WAL mode
 * (lib/store/sqlite/); PostgreSQL will implement the same table of hooks. Agents never
 * see the store: they act through the control plane's tools, which call these wrappers.
 *
 * Transactions: every write happens inside dw_store_begin() .. dw_store_commit(). Inside a
 * transaction, savepoints let the control plane commit many independent steps in one
 * durable commit (group commit) while each step stays atomic: a failing step rolls back to
 * its savepoint and the others commit.
 *
 * Parameters are C types; records cross the interface as JSON objects (jansson) with the keys
 * documented per hook,
 * and money as int64 minor units inside them. Returned json_t are new references the caller
 * owns. Errors: -DW_ENOENT for a missing row, -DW_EEXIST for a uniqueness conflict,
 * -DW_EBUSY when the database is locked (transient: the caller retries), -DW_ESTORE else,
 * with detail in err.
 *
 * Thread-safety: one struct dw_store per thread; several processes may open the same
 * database (SQLite serialises writers; PostgreSQL row locks).
 *
 * Outside begin..commit each hook is its own transaction; the hooks that write several rows
 * (quote_insert, audit_append) then open one themselves, so they are atomic either way.
 * Inside the caller's transaction a failing hook leaves no partial write behind.
 * Timestamps a hook has no `now` for (created_at of leads, accounts, contacts, quotes;
 * updated_at of documents) come from the store's clock (dw_store_now(): the engine's clock,
 * pinned in tests and the demo).
 */
#ifndef DW_STORE_H
#define DW_STORE_H

#include "base/base.h"

struct dw_store;

/* Deal stages (the names are a public contract). */
#define DW_STAGE_LIST(X)                                                                           \
    X(NEW, "new")                                                                                  \
    X(QUALIFYING, "qualifying")                                                                    \
    X(NEEDS_INFO, "needs_info")                                                                    \
    X(DISQUALIFIED, "disqualified")                                                                \
    X(SCOPING, "scoping")                                                                          \
    X(PRICING, "pricing")                                                                          \
    X(AWAITING_APPROVAL, "awaiting_approval")                                                      \
    X(PROPOSAL_READY, "proposal_ready")                                                            \
    X(ORDERED, "ordered")                                                                          \
    X(LOST, "lost")

enum dw_stage {
#define DW__STAGE_ENUM(e, s) DW_STAGE_##e,
    DW_STAGE_LIST(DW__STAGE_ENUM)
#undef DW__STAGE_ENUM
        DW__STAGE_MAX
};
/* "unknown" for a value out of range, never NULL. */
const char *dw_stage_name(enum dw_stage s);
/* -DW_EINVAL for a name not in DW_STAGE_LIST. */
int dw_stage_parse(const char *name, enum dw_stage *ret);

/* The control-plane view of a deal row. */
struct dw_deal_rec {
    int64_t id;
    enum dw_stage stage;
    uint32_t facts;                 /* DW_FACT_* bits: what the deal has (see agents/agent.h) */
    bool runnable;                  /* some agent can run now (set by the control plane) */
    int attempts;                   /* failed attempts of the current step */
    dw_time_t next_attempt_at;      /* not before (retry backoff) */
    char last_error[256];           /* last failure, "" if none */
    bool parked;                    /* gave up after max attempts; a person must look */
    int64_t account_id, contact_id; /* 0 = none */
    char currency[4];               /* "" until priced */
    dw_time_t created_at, updated_at;
};

/* The audit chain as audit_walk found it. */
struct dw_audit_walk {
    int64_t count;   /* records checked */
    int64_t bad_seq; /* the first bad record on -DW_EINTEGRITY, else 0 */
    int64_t head_seq;
    char head_hash[DW_SHA256_HEX];
    char mark_hash[DW_SHA256_HEX];
};

/* A message for the mail outbox (mail_insert). */
struct dw_mail_rec {
    int64_t deal_id;
    const char *kind, *message_id, *sender, *recipient;
    const char *message; /* RFC 5322, CRLF lines */
};

/* A delivery attempt's outcome (delivery_update). */
struct dw_delivery_update {
    int64_t id;
    const char *status;     /* "pending" (to be retried), "delivered" or "dead" */
    int attempts;           /* attempts made so far */
    int64_t next_at_ms;     /* when a pending one is due again, ms since the epoch */
    int last_status;        /* the receiver's HTTP status; 0 = none came (stored as null) */
    const char *last_error; /* NULL or "" = none (stored as null) */
};

/* Each hook MUST be set unless marked MAY. */
struct dw_store_ops {
    const char *name;
    /* The store is shared between machines, so every control plane, even a single `run`,
     * must claim the deals it runs under a lease ("worker leases" below; PostgreSQL);
     * false: dw_run leases only when asked to (dw_run_opts.lease_owner). */
    bool many_workers;
    /* Open/create at location (what dw_store_url_parse leaves of the URL: a path for
     * SQLite, the connection string for a server), run pending migrations. MUST. */
    int (*open)(const char *location, struct dw_store **ret, struct dw_error *err);
    void (*close)(struct dw_store *s);

    /* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE / SERIALIZABLE);
     * -DW_ESTATE when one is already open, -DW_EBUSY when another writer holds the lock
     * past the busy timeout. A commit that fails has rolled the transaction back (redo the
     * work); rollback with nothing open is a harmless 0. savepoint/release/rollback_to need
     * an open transaction (-DW_ESTATE otherwise) and nest up to 8 deep. */
    int (*begin)(struct dw_store *s, struct dw_error *err);
    /* A read-only snapshot: the hooks called until rollback() all see the store as it was
     * when the first of them ran, whatever other writers commit meanwhile (a deal shown whole
     * is never half a step old). -DW_ESTATE when a transaction is open. MAY: without it the
     * reads are not guaranteed consistent. */
    int (*snapshot)(struct dw_store *s, struct dw_error *err);
    int (*commit)(struct dw_store *s, struct dw_error *err);
    int (*rollback)(struct dw_store *s);
    int (*savepoint)(struct dw_store *s, struct dw_error *err);
    int (*release)(struct dw_store *s, struct dw_error *err); /* keep the savepoint's work */
    int (*rollback_to)(struct dw_store *s); /* undo to the savepoint and release it */

    /* Leads. rec keys: source, external_id, received_at (RFC 3339), contact (object),
     * subject, message, transcript, raw (the input object as received; rec itself when
     * absent), duplicate_of (lead id, optional). deal_id 0 = none yet.
     * lead_insert: -DW_EEXIST when (source, external_id) exists, *ret_lead_id then set to
     * the existing lead. */
    int (*lead_insert)(struct dw_store *s, const json_t *rec, int64_t deal_id, int64_t *ret_lead_id,
                       struct dw_error *err);
    /* (source, external_id) -> lead id and its deal id, or -DW_ENOENT. */
    int (*lead_find)(struct dw_store *s, const char *source, const char *external_id,
                     int64_t *ret_lead_id, int64_t *ret_deal_id, struct dw_error *err);
    /* Object: id, deal_id, source, external_id, received_at, raw, intake (object|null),
     * duplicate_of (int|null); also contact, contact_email (lower-case), subject, message,
     * transcript, created_at. */
    int (*lead_get)(struct dw_store *s, int64_t lead_id, json_t **ret, struct dw_error *err);
    /* Leads of a deal, oldest first, same objects as lead_get. */
    int (*leads_for_deal)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
    /* As leads_for_deal, shared and read-only in the way of doc_peek. */
    int (*leads_peek)(struct dw_store *s, int64_t deal_id, const json_t **ret,
                      struct dw_error *err);
    /* Record intake's result (normalised contact, personal-data classes, flags). When it has
     * contact.email, that address (lower-cased) becomes the one follow-ups match on.
     * -DW_ENOENT for an unknown lead. */
    int (*lead_set_intake)(struct dw_store *s, int64_t lead_id, const json_t *intake,
                           struct dw_error *err);
    /* The newest deal, not ordered/lost/disqualified, whose lead came from this contact email
     * (lower-case), other than exclude_deal; -DW_ENOENT if none. */
    int (*deal_find_open_by_email)(struct dw_store *s, const char *email, int64_t exclude_deal,
                                   int64_t *ret_deal_id, struct dw_error *err);
    /* Personal-data retention: replace a lead's input and intake with redacted copies (the
     * subject, message, transcript and contact columns follow raw; the matching e-mail is
     * cleared, so a redacted lead no longer joins deals). */
    int (*lead_redact)(struct dw_store *s, int64_t lead_id, const json_t *raw, const json_t *intake,
                       struct dw_error *err);
    /* Clear a contact's name, e-mail, phone and title. */
    int (*contact_redact)(struct dw_store *s, int64_t contact_id, dw_time_t now,
                          struct dw_error *err);
    /* Move a lead to another deal (a follow-up found by email). */
    int (*lead_move)(struct dw_store *s, int64_t lead_id, int64_t deal_id, struct dw_error *err);

    /* Accounts and contacts. account object: id, name, domain, country, created_at.
     * account_find matches the domain (case-insensitively) first, then the name
     * (case-insensitively); -DW_ENOENT if neither. account_insert stores the domain
     * lower-case; -DW_EEXIST when another account has it. */
    int (*account_find)(struct dw_store *s, const char *domain, const char *name, json_t **ret,
                        struct dw_error *err);
    int (*account_insert)(struct dw_store *s, const char *name, const char *domain,
                          const char *country, int64_t *ret_id, struct dw_error *err);
    /* Insert or update by email; contact object keys name, email, phone, title. On update,
     * absent keys (and account_id 0) keep the stored values. contact_get adds id,
     * account_id, created_at, updated_at. */
    int (*contact_upsert)(struct dw_store *s, int64_t account_id, const json_t *contact,
                          int64_t *ret_id, struct dw_error *err);
    int (*account_get)(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err);
    int (*contact_get)(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err);
    /* Other deals of the account: [{id, stage, created_at, total, currency}] */
    int (*deals_for_account)(struct dw_store *s, int64_t account_id, int64_t exclude_deal,
                             json_t **ret, struct dw_error *err);

    /* Deals. deal_insert: stage new, facts 0, runnable, next_attempt_at = created_at = now.
     * deal_get/deal_update: -DW_ENOENT for an unknown id. */
    int (*deal_insert)(struct dw_store *s, dw_time_t now, int64_t *ret_id, struct dw_error *err);
    int (*deal_get)(struct dw_store *s, int64_t id, struct dw_deal_rec *ret, struct dw_error *err);
    /* Writes stage, facts, runnable, attempts, next_attempt_at, last_error, parked,
     * account_id, contact_id, currency, updated_at. */
    int (*deal_update)(struct dw_store *s, const struct dw_deal_rec *rec, struct dw_error *err);
    /* Up to max ids of runnable, unparked deals due at `now`, lowest id first. A backend for
     * many workers MAY lock them (FOR UPDATE SKIP LOCKED). Returns the count. */
    int (*deals_due)(struct dw_store *s, dw_time_t now, int64_t *ids, int max,
                     struct dw_error *err);
    /* [{id, stage, account, contact_email, currency, total, updated_at, parked, last_error}]
     * filtered by stage ("" or NULL for all), by id, newest last: the deals with an id above
     * after_id, at most limit of them (0 = all). A page is read from the store as a page:
     * memory follows the limit, not the table. */
    int (*deals_list)(struct dw_store *s, const char *stage, int64_t after_id, int limit,
                      json_t **ret, struct dw_error *err);
    /* Earliest next_attempt_at among runnable, unparked deals, or 0 when there are none.
     * The store has no clock: when some deal is already due the time returned is <= now,
     * so a caller that found nothing due gets the earliest one not yet due. */
    int (*next_due_at)(struct dw_store *s, dw_time_t *ret, struct dw_error *err);

    /* Per-deal documents by kind: "requirements", "qualification", "solution",
     * "contract", "proposal", "schedule", "discovery". put replaces; get gives -DW_ENOENT
     * when absent. The workspace hash is stored beside each. Any other kind of 1-32
     * characters [a-z0-9_] is accepted too (stored generically). delete of an absent
     * document is 0. */
    int (*doc_put)(struct dw_store *s, int64_t deal_id, const char *kind, const json_t *doc,
                   const char *ws_hash, struct dw_error *err);
    int (*doc_get)(struct dw_store *s, int64_t deal_id, const char *kind, json_t **ret,
                   struct dw_error *err);
    int (*doc_delete)(struct dw_store *s, int64_t deal_id, const char *kind, struct dw_error *err);
    /* As doc_get, for a reader that only reads: the document may be the one the store
     * keeps in its read cache, shared. The caller owns a reference (json_decref it) and
     * must change nothing in it; a later put replaces the cached document and leaves the
     * one handed out as it was. A backend without a cache returns what doc_get does. */
    int (*doc_peek)(struct dw_store *s, int64_t deal_id, const char *kind, const json_t **ret,
                    struct dw_error *err);

    /* Quotes. quote keys: currency, digits, subtotal, discount, total (int minor units),
     * discount_bp, term_months, hash (the content hash, computed by the caller), ws_hash,
     * lines: [{sku, name, quantity, unit_price, amount, discount, net, billing,
     * term_months}]. insert assigns revision = previous + 1 and returns it. Required:
     * currency, hash, subtotal, total, lines (and per line sku, quantity, unit_price, amount,
     * net); digits defaults to 2, the other integers to 0. Keys beyond these are kept and
     * returned as given (on the quote and on each line). */
    int (*quote_insert)(struct dw_store *s, int64_t deal_id, const json_t *quote, int *ret_revision,
                        struct dw_error *err);
    /* The given revision, or the latest when revision is 0; adds id, revision, created_at. */
    int (*quote_get)(struct dw_store *s, int64_t deal_id, int revision, json_t **ret,
                     struct dw_error *err);
    /* As quote_get, shared and read-only in the way of doc_peek. */
    int (*quote_peek)(struct dw_store *s, int64_t deal_id, int revision, const json_t **ret,
                      struct dw_error *err);
    /* All revisions, oldest first, without lines. */
    int (*quotes_for_deal)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);

    /* Approvals. insert keys: kind, required_role, reason, rule, quote_revision,
     * quote_hash. Object keys add: id, deal_id, status ("pending" | "approved" | "rejected"
     * | "void"), decided_by, decided_at, note, created_at. */
    int (*approval_insert)(struct dw_store *s, int64_t deal_id, const json_t *a, dw_time_t now,
                           int64_t *ret_id, struct dw_error *err);
    int (*approval_get)(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err);
    int (*approvals_for_deal)(struct dw_store *s, int64_t deal_id, json_t **ret,
                              struct dw_error *err);
    /* Pending approvals with an id above after_id, oldest first, at most limit (0 = all). */
    int (*approvals_pending)(struct dw_store *s, int64_t after_id, int limit, json_t **ret,
                             struct dw_error *err);
    /* Approvals of status (NULL: every status) with an id above after_id, oldest first, at
     * most limit (0 = all). */
    int (*approvals_by_status)(struct dw_store *s, const char *status, int64_t after_id, int limit,
                               json_t **ret, struct dw_error *err);
    /* pending -> status ("approved", "rejected" or "void"; else -DW_EINVAL);
     * -DW_ESTATE if it is not pending, -DW_ENOENT if there is no such approval. */
    int (*approval_decide)(struct dw_store *s, int64_t id, const char *status, const char *user,
                           const char *note, dw_time_t now, struct dw_error *err);
    /* The privacy purge: replace the approval's reason and decision note with redacted copies
     * made by the caller (note NULL: none). Kind, role, rule, status, quote binding, decider
     * and times stay. -DW_ENOENT if there is no such approval. */
    int (*approval_redact)(struct dw_store *s, int64_t id, const char *reason, const char *note,
                           struct dw_error *err);
    /* Every pending or approved approval of the deal not bound to keep_hash becomes void
     * (compared as SQL IS NOT: keep_hash NULL keeps only approvals bound to no quote).
     * decided_by/decided_at/note stay as they were, the object gains voided_at. Returns the
     * number voided. */
    int (*approvals_void_stale)(struct dw_store *s, int64_t deal_id, const char *keep_hash,
                                dw_time_t now, struct dw_error *err);

    /* Orders: one per deal (-DW_EEXIST on a second). order keys: quote_revision,
     * quote_hash, currency, total, accepted_by, lines (copied from the quote), digits
     * (optional, 2). order_get returns them with id, deal_id, created_at and any other keys
     * given to insert. */
    int (*order_insert)(struct dw_store *s, int64_t deal_id, const json_t *order, dw_time_t now,
                        int64_t *ret_id, struct dw_error *err);
    int (*order_get)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
    /* Replace the order's accepted_by (the customer's signatory, personal data) with
     * `with`: the privacy purge. -DW_ENOENT when the deal has no order. */
    int (*order_redact)(struct dw_store *s, int64_t deal_id, const char *with,
                        struct dw_error *err);

    /* Event log (append-only; the future outbox). deal_id 0 = none; data NULL = {}. */
    int (*event_append)(struct dw_store *s, int64_t deal_id, const char *type, const json_t *data,
                        dw_time_t now, int64_t *ret_seq, struct dw_error *err);
    /* [{seq, type, at, data}] oldest first. */
    int (*events_for_deal)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);

    /* Audit chain. rec keys: deal_id (int|null), actor, action, ws_hash, data (object).
     * The backend adds seq, at, prev (hash of the previous record, 64 zeros for the first)
     * and hash = SHA-256 over the canonical JSON of {seq, at, deal_id, actor, action,
     * ws_hash, data, prev}. deal_id and ws_hash absent = null, data absent = {}.
     * docs/internals/audit.md describes the chain. */
    int (*audit_append)(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_seq,
                        struct dw_error *err);
    /* Recompute the chain. Returns 0 with *ret_count records checked, or -DW_EINTEGRITY with
     * *ret_bad_seq the first record whose hash or link does not match. */
    int (*audit_verify)(struct dw_store *s, int64_t *ret_count, int64_t *ret_bad_seq,
                        struct dw_error *err);
    /* audit_verify, and in the same snapshot the chain's head (the last record's seq and
     * hash; 0 and "" on an empty chain) and, when mark_seq > 0, the stored hash of record
     * mark_seq ("" when there is no such record): what a signed checkpoint is compared
     * with. On -DW_EINTEGRITY, bad_seq is the first bad record. */
    int (*audit_walk)(struct dw_store *s, int64_t mark_seq, struct dw_audit_walk *ret,
                      struct dw_error *err);
    /* [{seq, at, actor, action, ws_hash, data, hash}] of a deal, oldest first (also deal_id
     * and prev). */
    int (*audit_for_deal)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
    /* Up to max records after seq, every deal's and none's, oldest first, the same objects as
     * audit_for_deal (max < 1 reads 1). */
    int (*audit_since)(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                       struct dw_error *err);

    /* {stages: {stage: count}, approvals_pending, proposals, orders, leads, parked,
     * runnable} */
    int (*stats)(struct dw_store *s, json_t **ret, struct dw_error *err);

    /* Scoring models (lib/engines/score.h), versioned. model_insert stores meta (an object
     * with at least "hash") and the model bytes as version = latest + 1, unless the latest
     * has the same hash: then nothing is written and *ret_created is false. model_get:
     * version 0 = the latest; *ret_meta is meta with version and created_at added, *ret_blob
     * the bytes (caller frees; either may be NULL to skip); -DW_ENOENT when there is none. */
    int (*model_insert)(struct dw_store *s, const json_t *meta, const void *blob, size_t len,
                        dw_time_t now, int64_t *ret_version, bool *ret_created,
                        struct dw_error *err);
    int (*model_get)(struct dw_store *s, int64_t version, json_t **ret_meta, char **ret_blob,
                     size_t *ret_len, struct dw_error *err);

    /* API tokens (the server's). Only the secret's hash is stored. token_insert: -DW_EEXIST
     * for a hash already stored. token_find: the unrevoked token {id, user, role} with that
     * hash, or -DW_ENOENT. tokens_list: [{id, user, role, prefix, created_at, revoked_at}]
     * oldest first. token_revoke: -DW_ENOENT when there is no such unrevoked token. */
    int (*token_insert)(struct dw_store *s, const char *user, const char *role, const char *hash,
                        const char *prefix, dw_time_t now, int64_t *ret_id, struct dw_error *err);
    int (*token_find)(struct dw_store *s, const char *hash, json_t **ret, struct dw_error *err);
    int (*tokens_list)(struct dw_store *s, json_t **ret, struct dw_error *err);
    int (*token_revoke)(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err);
    /* A secret key of the store by name (len bytes): the one stored, else `fresh` (random
     * bytes the caller made) stored under name and returned — the first writer wins, so
     * concurrent callers all get the same key. The key never leaves the library. */
    int (*key_get)(struct dw_store *s, const char *name, const void *fresh, size_t len,
                   dw_time_t now, void *ret_key, struct dw_error *err);
    /* Up to max events after seq, oldest first: [{seq, deal_id, type, at, data}]. */
    int (*events_since)(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                        struct dw_error *err);

    /* Webhook subscriptions. webhook_insert: a subscription starts after the newest event
     * (its last_seq is the event log's head when it is made); *ret_id is its id.
     * webhooks_list: the subscriptions not removed, [{id, url, events, secret, last_seq,
     * created_at}] by id. webhook_remove: -DW_ENOENT when there is no such subscription or it
     * is already removed. webhook_advance: the subscription has taken in the events up to
     * seq; last_seq never moves back (a smaller seq is a harmless 0). */
    int (*webhook_insert)(struct dw_store *s, const char *url, const char *events,
                          const char *secret, dw_time_t now, int64_t *ret_id, struct dw_error *err);
    int (*webhooks_list)(struct dw_store *s, json_t **ret, struct dw_error *err);
    int (*webhook_remove)(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err);
    int (*webhook_advance)(struct dw_store *s, int64_t id, int64_t seq, struct dw_error *err);

    /* Deliveries: the outbox of webhook events. Due times in milliseconds since the epoch
     * (retries back off in less than a second). delivery_insert: a pending delivery of event
     * seq to the subscription, 0 attempts, due at next_at_ms; a second insert for the same
     * (webhook_id, seq) changes nothing and is 0 (enqueueing twice delivers once). */
    int (*delivery_insert)(struct dw_store *s, int64_t webhook_id, int64_t seq, const char *type,
                           const char *body, int64_t next_at_ms, dw_time_t now,
                           struct dw_error *err);
    /* Up to max pending deliveries due at now_ms, of subscriptions not removed, by id:
     * [{id, webhook_id, event_seq, event_type, body, attempts, url, secret}]. */
    int (*deliveries_due)(struct dw_store *s, int64_t now_ms, int max, json_t **ret,
                          struct dw_error *err);
    /* Record an attempt (see struct dw_delivery_update); an unknown id changes nothing. */
    int (*delivery_update)(struct dw_store *s, const struct dw_delivery_update *u,
                           struct dw_error *err);
    /* Deliveries with the status ("pending", "delivered", "dead"; NULL = any), an id above
     * after_id, at most max of them, by id: [{id, webhook_id, event_seq, event_type, status,
     * attempts, last_status, last_error, created_at}] (body and secret stay inside). */
    int (*deliveries_list)(struct dw_store *s, const char *status, int64_t after_id, int max,
                           json_t **ret, struct dw_error *err);
    /* Dead delivery id (0 = every dead one) back to pending, 0 attempts, due at now_ms;
     * *ret_n is how many. A delivery that is not dead is left alone (*ret_n 0). */
    int (*delivery_replay)(struct dw_store *s, int64_t id, int64_t now_ms, int64_t *ret_n,
                           struct dw_error *err);
    /* [{status, n}] for the statuses that have deliveries, by status. */
    int (*delivery_counts)(struct dw_store *s, json_t **ret, struct dw_error *err);

    /* The mail outbox (docs/internals/mail.md; times in seconds since the epoch). MAY be
     * NULL: mail is then only written, never queued. mail_insert: a pending message due at
     * now; the same message_id again changes nothing (*ret_created false, *ret_id the
     * row's). mail_due: up to max rows pending or sending whose next_at has come, by id:
     * [{id, deal_id, kind, message_id, sender, recipient, message, attempts}]. mail_claim:
     * mark one sending, attempts + 1, next_at moved, only if its attempts are still
     * `attempts` (two senders cannot both claim it). mail_update: the outcome of the claim
     * that made its attempts `attempts` — status, next_at, last_error (NULL: none), sent_at
     * (0: none) — only while that claim stands (status sending, attempts unchanged), so that
     * a sender that lost its claim cannot overwrite a later one's result (*ret_updated). mail_list:
     * the rows of a status (NULL all) by id, without the message. */
    int (*mail_insert)(struct dw_store *s, const struct dw_mail_rec *m, dw_time_t now,
                       int64_t *ret_id, bool *ret_created, struct dw_error *err);
    int (*mail_due)(struct dw_store *s, dw_time_t now, int max, json_t **ret, struct dw_error *err);
    int (*mail_claim)(struct dw_store *s, int64_t id, int64_t attempts, dw_time_t next_at,
                      bool *ret_claimed, struct dw_error *err);
    int (*mail_update)(struct dw_store *s, int64_t id, int64_t attempts, const char *status,
                       dw_time_t next_at, const char *last_error, dw_time_t sent_at,
                       bool *ret_updated, struct dw_error *err);
    int (*mail_list)(struct dw_store *s, const char *status, json_t **ret, struct dw_error *err);
    /* The privacy purge: every message of the deal replaced by `with` (message and
     * recipient); one not yet sent is dead, never to be sent. MAY be NULL with the rest. */
    int (*mail_redact)(struct dw_store *s, int64_t deal_id, const char *with, struct dw_error *err);

    /* Demo slots held for deals (times in seconds since the epoch). slots_held: [{user,
     * start}] by start, held by deals other than deal_id that are open (not ordered, lost or
     * disqualified), unexpired at now and not yet begun (inside a write transaction the
     * array may be shared with later answers: read it, never change it). slots_free: release
     * deal_id's holds.
     * slot_hold: hold (user, start) for deal_id until expires; holding the same (deal, user,
     * start) again replaces it. */
    int (*slots_held)(struct dw_store *s, int64_t deal_id, dw_time_t now, json_t **ret,
                      struct dw_error *err);
    int (*slots_free)(struct dw_store *s, int64_t deal_id, struct dw_error *err);
    int (*slot_hold)(struct dw_store *s, int64_t deal_id, const char *user, dw_time_t start,
                     dw_time_t expires, struct dw_error *err);
    /* A deal's demo booking (one at most; lib/control/booking.c): {user, start, minutes,
     * status: "booked" | "cancelled", number (the deal's booking count), sequence,
     * booked_by, updated_at} (times in seconds since the epoch). booking_get: -DW_ENOENT
     * when the deal never booked. booking_put: insert or replace the deal's booking;
     * -DW_EEXIST when another deal has booked the same (user, start). slots_held answers
     * every other deal's booked slot that has not begun, whatever that deal's stage. */
    int (*booking_get)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
    int (*booking_put)(struct dw_store *s, int64_t deal_id, const json_t *b, struct dw_error *err);

    /* Reports (read-only; lib/control/reports.c), durations in whole seconds, rounded.
     * report_reached: [{stages, n}] by stages: deals by the set of stages they have ever
     * entered since "new", written ",a,b," in the order entered (",": none), every deal
     * counted once. report_stays: [{stage, n, mean_s, max_s}] by stage: finished stays in
     * a stage (left it), of stages with one at least. report_time_to: [{n, mean_s, max_s}]
     * (one row, or none when no deal reached it): from a deal's creation to its first
     * entering stage. report_approvals: [{status, n, mean_wait_s, oldest}] by status; the
     * mean wait from request to decision (null when none decided), oldest the earliest
     * created_at. */
    int (*report_reached)(struct dw_store *s, json_t **ret, struct dw_error *err);
    int (*report_stays)(struct dw_store *s, json_t **ret, struct dw_error *err);
    int (*report_time_to)(struct dw_store *s, const char *stage, json_t **ret,
                          struct dw_error *err);
    int (*report_approvals)(struct dw_store *s, json_t **ret, struct dw_error *err);

    /* The model-call journal (lib/models/, docs/internals/models.md "Journal"). MAY: a
     * backend without it has no language models (the gateway then says so).
     * Durable on its own: mcall_append and mcall_verdict commit at once, whatever
     * transaction the caller has open, so that an entry outlives a step that fails or a
     * process that is killed after it, and the step's re-run finds the answer. Append-only
     * except for mcalls_purge (the privacy purge of a deal).
     * rec keys: key (the replay key, hex), deal_id (0 none), agent, task, prompt,
     * template_hash, provider, model, request (JSON, masked), response (JSON as received,
     * masked; null none), outcome (ok, refused, invalid, failed, budget, breaker), why,
     * tokens_in, tokens_out, latency_ms, attempts, flags (array of strings), fallback (bool: the
     * ask ended here without an answer, the agent took its deterministic path), wall_ms
     * (the wall clock, ms since the epoch: the breaker's cooldown is real time even when
     * the engine's clock is pinned).
     * mcall_find: the newest entry of key whose answer came back (ok, refused, invalid),
     * -DW_ENOENT else. mcall_verdict: a verdict equal to one the call has is kept once
     * (a re-run step); -DW_ENOENT for no such call. mcalls_for_deal: the deal's entries, oldest
     * first, each with its verdicts [{at, verdict, detail}]. mcall_tokens: tokens of the deal's
     * entries (deal_id 0: of all) at or after since. mcall_stats: [{provider, model, task, outcome,
     * calls, tokens_in, tokens_out, latency_ms_sum, fallbacks, le_100 .. le_30000}] (latency
     * buckets, ms).
     */
    int (*mcall_append)(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_id,
                        struct dw_error *err);
    int (*mcall_find)(struct dw_store *s, const char *key, json_t **ret, struct dw_error *err);
    int (*mcall_verdict)(struct dw_store *s, int64_t id, const char *verdict, const json_t *detail,
                         dw_time_t now, struct dw_error *err);
    int (*mcalls_for_deal)(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
    int (*mcall_tokens)(struct dw_store *s, int64_t deal_id, dw_time_t since, int64_t *ret,
                        struct dw_error *err);
    int (*mcalls_purge)(struct dw_store *s, int64_t deal_id, int64_t *ret_n, struct dw_error *err);
    int (*mcall_stats)(struct dw_store *s, json_t **ret, struct dw_error *err);
    /* The provider's n newest entries that reached it (not budget or breaker skips),
     * newest first: [{outcome, wall_ms}] (wall_ms: rec's wall-clock ms), for the circuit
     * breaker every process shares. */
    int (*mcall_recent)(struct dw_store *s, const char *provider, int n, json_t **ret,
                        struct dw_error *err);

    /* ---- the event outbox's publisher (lib/control/events.c,
     * docs/internals/events-nats.md). MAY: a backend without them cannot publish events to
     * NATS JetStream (`--events` is refused on it).
     * outbox_lock: inside the open write transaction, the publisher's lease named name, held
     * until the transaction ends, so that one publisher at a time reads and advances the
     * cursor; -DW_EBUSY when another transaction holds it (SQLite: the write transaction is
     * the lease already, 0; PostgreSQL: pg_try_advisory_xact_lock).
     * outbox_cursor_get: the cursor's event seq, 0 when never set.
     * outbox_cursor_advance: the cursor to seq when seq is greater (never back); now is
     * recorded as updated_at.
     * delivery_for_event: the delivery of event seq to webhook_id, {id, webhook_id,
     * event_seq, event_type, body, status, attempts, next_at, url, secret}, or -DW_ENOENT. */
    int (*outbox_lock)(struct dw_store *s, const char *name, struct dw_error *err);
    int (*outbox_cursor_get)(struct dw_store *s, const char *name, int64_t *ret,
                             struct dw_error *err);
    int (*outbox_cursor_advance)(struct dw_store *s, const char *name, int64_t seq, dw_time_t now,
                                 struct dw_error *err);
    int (*delivery_for_event)(struct dw_store *s, int64_t webhook_id, int64_t seq, json_t **ret,
                              struct dw_error *err);
    /* delivery_claim: delivery id, pending after `attempts` attempts and due at now_ms, is
     * the caller's to post until until_ms (its next_at moved there), *ret_claimed true; false
     * when another sender took it first or it is no longer pending and due (a
     * compare-and-set, so two instances never post one delivery at once). */
    int (*delivery_claim)(struct dw_store *s, int64_t id, int64_t attempts, int64_t now_ms,
                          int64_t until_ms, bool *ret_claimed, struct dw_error *err);

    /* ---- worker leases (docs/internals/scale-out.md) ---------------------------------
     * Many control planes on one store each claim the due deals they run under a lease, so
     * that two never run one deal at once, and a worker that dies leaves its deals to the
     * others once its leases expire. A lease is (deal, owner, until): owner names one
     * control plane (one thread of one process: "host:pid:n"), until is in milliseconds of
     * the backend's own real clock (the database server's on PostgreSQL, the same for every
     * machine; never the engine's clock, which tests pin), lease_ms later than a claim,
     * renewal or hold. MAY, the four hooks or none: a backend without them runs one control plane
     * at a time (dw_run then takes deals_due).
     *
     * lease_claim: in a transaction of its own (-DW_ESTATE when one is open), up to max ids
     * of the deals due at now (as deals_due; only that deal when only_deal > 0) whose lease
     * is absent, expired or owner's own, lowest id first, each then leased to owner; the
     * count. Two claims at once never return the same deal (PostgreSQL: FOR UPDATE SKIP
     * LOCKED).
     * lease_hold: inside the caller's write transaction, before a step runs: 1 when owner
     * still holds deal_id's lease (expired or not: nobody took it over), extended, and
     * locked until the transaction ends so that no claim can take it meanwhile; 0 when the
     * lease is another's or gone (the step must not run: someone else may run it).
     * lease_release: end owner's lease of deal_id (0: every lease owner holds); inside the
     * caller's transaction (the one that committed the deal's steps) or on its own.
     * lease_renew: the heartbeat: extend every unexpired lease owner holds (not one a step
     * of the owner holds in an open transaction: that step extends it itself); *ret_held how
     * many; the expired ones are given up (ended), *ret_lost how many (each counted once).
     * (many_workers, beside name, says whether every control plane must lease.) */
    int (*lease_claim)(struct dw_store *s, dw_time_t now, const char *owner, int lease_ms,
                       int64_t only_deal, int64_t *ids, int max, struct dw_error *err);
    int (*lease_hold)(struct dw_store *s, const char *owner, int64_t deal_id, int lease_ms,
                      struct dw_error *err);
    int (*lease_release)(struct dw_store *s, const char *owner, int64_t deal_id,
                         struct dw_error *err);
    int (*lease_renew)(struct dw_store *s, const char *owner, int lease_ms, int64_t *ret_held,
                       int64_t *ret_lost, struct dw_error *err);
};

/* The open store: backends embed this as their first member. */
struct dw_store {
    const struct dw_store_ops *ops;
    /* The clock of the timestamps a hook is given no `now` for; the engine's, set by
     * dw_store_open. NULL = the wall clock. */
    const struct dw_clock *clock;
};

static inline dw_time_t dw_store_now(const struct dw_store *s) {
    return dw_clock_now(s->clock);
}

/* Where the state lives, as a URL; one parser for every surface (--db, DW_DB, the API):
 *
 *   PATH, sqlite:PATH, sqlite:///abs/path   SQLite (PATH relative to the working directory;
 *                                           ":memory:" is a private in-memory database)
 *   postgres://USER@HOST:PORT/DB[?...]     PostgreSQL (postgresql:// too): the location is
 *                                           the whole URL, scheme included, as libpq takes
 *                                           it; the password comes from PGPASSWORD or
 *                                           ~/.pgpass, never from the URL
 *
 * Anything else that starts with a scheme ("[a-z][a-z0-9+.-]*:") is refused with
 * -DW_EINVAL naming it: a path whose first component has a colon is written "./a:b.db". On
 * success ret->ops is the backend and ret->location what its open() takes (a path for
 * SQLite, the URL for PostgreSQL), pointing into url. */
struct dw_store_url {
    const char *scheme; /* the registry's name: "sqlite" */
    const struct dw_store_ops *ops;
    const char *location;
};
int dw_store_url_parse(const char *url, struct dw_store_url *ret, struct dw_error *err);

/* Open the store at url (dw_store_url_parse) with the clock (may be NULL: the wall clock;
 * it must outlive the store). Errors name the URL. */
int dw_store_open(const char *url, const struct dw_clock *clock, struct dw_store **ret,
                  struct dw_error *err);
void dw_store_close(struct dw_store *s);

extern const struct dw_store_ops dw_store_sqlite_ops;
/* PostgreSQL (lib/store/postgres/): the way in; the store it opens carries the whole table. */
extern const struct dw_store_ops dw_store_postgres_ops;

#endif

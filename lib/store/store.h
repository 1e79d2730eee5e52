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
 * Records cross the interface as JSON objects (jansson) with the keys documented per hook,
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
 * updated_at of documents) come from dw_now().
 */
#ifndef DW_STORE_H
#define DW_STORE_H

#include "base/base.h"

struct dw_store;

enum dw_store_backend { DW_STORE_SQLITE, DW__STORE_BACKEND_MAX };

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

/* Each hook MUST be set unless marked MAY. */
/* Webhook statements and their parameters (args' members, in order). */
enum dw_store_hook {
    DW_HOOK_INSERT,          /* url, events, secret, now -> {id} */
    DW_HOOK_LIST,            /* -> [{id, url, events, secret, last_seq, created_at}] */
    DW_HOOK_REMOVE,          /* id, now */
    DW_HOOK_ADVANCE,         /* id, seq: the subscription has taken in the events up to seq */
    DW_HOOK_DELIVERY_INSERT, /* hook, seq, type, body, next_at, now */
    DW_HOOK_DUE,             /* now_ms, max -> pending deliveries due, with url and secret */
    DW_HOOK_DELIVERY_UPDATE, /* id, status, attempts, next_at, last_status, last_error */
    DW_HOOK_DELIVERIES, /* status (or NULL for all), max, after (id, optional) -> [{id, ..., status,
                           ...}] by id */
    DW_HOOK_REPLAY,     /* id (or NULL for every dead one), now_ms */
    DW_HOOK_DELIVERY_COUNTS, /* -> [{status, n}] */
    /* Demo slots held for deals (the same entry, another table: slot_holds). */
    DW_HOOK_SLOTS_HELD, /* deal, now -> [{user, start}] held by other deals that are open
                         * (not ordered, lost or disqualified), unexpired, not yet begun */
    DW_HOOK_SLOTS_FREE, /* deal: the deal's holds are released */
    DW_HOOK_SLOT_HOLD,  /* deal, user, start, expires (seconds since the epoch) */
    /* Reports (read-only; lib/control/reports.c). Times in whole seconds. */
    DW_HOOK_REPORT_REACHED,   /* -> [{stages, n}]: deals by the set of stages they have ever
                               * entered, ",a,b," (",": none since "new") */
    DW_HOOK_REPORT_STAYS,     /* -> [{stage, n, mean_s, max_s}]: finished stays in a stage */
    DW_HOOK_REPORT_TIME_TO,   /* stage -> [{n, mean_s, max_s}]: creation to first entering it */
    DW_HOOK_REPORT_APPROVALS, /* -> [{status, n, mean_wait_s, oldest}] */
};

struct dw_store_ops {
    const char *name;
    /* Open/create at path, run pending migrations. MUST. */
    int (*open)(const char *path, struct dw_store **ret, struct dw_error *err);
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
    /* Up to max events after seq, oldest first: [{seq, deal_id, type, at, data}]. */
    int (*events_since)(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                        struct dw_error *err);
    /* Webhooks and their deliveries (the outbox), one entry for all of them: op names the
     * statement, args holds its named parameters (a missing one is NULL), see enum
     * dw_store_hook. Statements that read return their rows as an array; those that write
     * return {"changes": N, "id": last inserted row}; -DW_ENOENT when a REMOVE changes
     * nothing. */
    int (*hook)(struct dw_store *s, enum dw_store_hook op, const json_t *args, json_t **ret,
                struct dw_error *err);
};

/* The open store: backends embed this as their first member. */
struct dw_store {
    const struct dw_store_ops *ops;
};

/* Open the backend for path ("sqlite" is the only one so far). */
int dw_store_open(enum dw_store_backend backend, const char *path, struct dw_store **ret,
                  struct dw_error *err);
void dw_store_close(struct dw_store *s);

extern const struct dw_store_ops dw_store_sqlite_ops;

#endif

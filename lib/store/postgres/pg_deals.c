/* store/postgres/deals — leads, accounts, contacts, deals, per-deal documents, listings,
 * stats and reports for the PostgreSQL backend: the SQL of sqlite_deals.c ported, the same
 * tables, columns and records.
 *
 * Uniqueness that answers -DW_EEXIST (a lead's (source, external_id), an account's domain)
 * is met with INSERT ... ON CONFLICT DO NOTHING, as on SQLite: a unique violation raised as
 * an error would abort the caller's whole transaction on PostgreSQL. E-mail addresses and
 * domains are stored lower-case (ASCII, as dw_strdup_lower folds) so that their lookups are
 * plain index probes; an account's name is matched as SQLite's COLLATE NOCASE does, through
 * lower() under the "C" collation (ASCII only) with an index on that expression. Every text
 * column of these tables has the "C" collation: times sort and compare as their text, and
 * ORDER BY gives SQLite's byte order.
 *
 * Concurrency (READ COMMITTED): every hook here is one statement, atomic on its own. The
 * read-then-write sequences of SQLite are single statements here too (ON CONFLICT, UPDATE
 * ... WHERE), and a conflicting insert waits for the other transaction and then sees its row.
 * deals_due locks the deals it returns (FOR UPDATE SKIP LOCKED) inside a write transaction,
 * so nothing outside the batch changes a deal it runs and another transaction holding some
 * passes over them; in autocommit or a read snapshot it only reads.
 *
 * The reports are computed from the event log (the deal.stage_changed events) and the
 * approvals, tables of pg_audit.c and pg_quotes.c with the SQLite schema's names and
 * columns, with the figures SQLite's running totals (its migration 6) keep: a stage change
 * counts when its deal exists; stays run from the previous change (or the deal's creation);
 * a deal's first entry into a stage is its first such event by seq. They are computed when
 * asked rather than kept as running totals: a trigger on the log would cost every stage
 * change of every worker (about ten times the insert itself, measured), while a report is
 * read now and then (the partial index events_stage_changes keeps it to the stage changes).
 */
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_internal.h"
#include "store/record.h"

/* One row by a single integer key, as an object; ENOENT names `what`. */
static int get_one(struct dw_pg *g, const char *sql, int64_t key, const char *what, json_t **ret,
                   struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, key);
    int r = dw__pg_run(g, what, sql, &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "no %s %lld", what, (long long)key);
    return dw__pg_row(res, 0, ret, err);
}

/* The documents and leads kept in a write transaction (the documents' section). */
struct doc_entry;
static struct doc_entry *docs_find(struct dw_pg *g, int64_t deal_id, const char *kind);
static void docs_keep(struct dw_pg *g, int64_t deal_id, const char *kind, json_t *doc);
static const json_t *docs_entry_doc(const struct doc_entry *e);
static void docs_leads_changed(struct dw_pg *g);
#define LEADS_KIND ":leads" /* not a document kind (those are letters, digits and _) */

/* The documents doc_peek handed out in the open write transaction, parsed, per deal (a
 * step reads its deal's documents again and again, and parsing the same JSON text for every
 * read was the largest part of a step's time on the client), and its leads (leads_peek,
 * until a lead changes), its latest quote and its approvals (pg_quotes.c): the DOCS_DEALS
 * deals last touched, so that a worker's second pass over its batch (the scheduling steps,
 * plane.c) finds them too. An absent document is kept as absent. doc_put keeps what it
 * wrote; doc_delete and every other writer of what is kept drop the entry they change; a
 * rollback to a savepoint and the transaction's end forget them all. Another transaction
 * may write a document of the deal meanwhile (the worker holds the deal's row, not its
 * documents): a step then sees the document as when first read in the transaction, as a
 * snapshot would show it. Not in a snapshot or outside a transaction, where each read
 * reads. */
#define DOCS_KEPT 24
#define DOCS_DEALS 8
struct doc_entry {
    char kind[64];
    json_t *doc; /* NULL: the deal has none */
};
struct deal_docs {
    int64_t deal_id; /* 0: a free slot */
    uint64_t used;   /* when last touched, for choosing the slot to reuse */
    int n;
    struct doc_entry e[DOCS_KEPT];
    /* The deal's row as this transaction locked and read it (deal_get, lease_hold) and then
     * wrote it (deal_update): the lock holds to the transaction's end, or until a rollback
     * to a savepoint, which forgets it, so no other writer can have changed it. */
    bool has_rec;
    struct dw_deal_rec rec;
};
struct dw_pg_docs {
    uint64_t clock;
    struct deal_docs d[DOCS_DEALS];
};

static void slot_clear(struct deal_docs *d) {
    for (int i = 0; i < d->n; i++)
        json_decref(d->e[i].doc);
    d->n = 0;
    d->deal_id = 0;
    d->has_rec = false;
}

void dw__pg_docs_forget(struct dw_pg *g) {
    if (!g->docs)
        return;
    for (int i = 0; i < DOCS_DEALS; i++)
        slot_clear(&g->docs->d[i]);
}

/* deal_id's slot; with `make`, a free or the least recently used one given to it. */
static struct deal_docs *docs_slot(struct dw_pg *g, int64_t deal_id, bool make) {
    struct dw_pg_docs *k = g->docs;
    if (!k)
        return NULL;
    struct deal_docs *pick = NULL;
    for (int i = 0; i < DOCS_DEALS; i++) {
        struct deal_docs *d = &k->d[i];
        if (d->deal_id == deal_id) {
            d->used = ++k->clock;
            return d;
        }
        if (!pick || (pick->deal_id && (!d->deal_id || d->used < pick->used)))
            pick = d;
    }
    if (!make)
        return NULL;
    slot_clear(pick);
    pick->deal_id = deal_id;
    pick->used = ++k->clock;
    return pick;
}

static struct doc_entry *docs_find(struct dw_pg *g, int64_t deal_id, const char *kind) {
    struct deal_docs *d = docs_slot(g, deal_id, false);
    if (!d)
        return NULL;
    for (int i = 0; i < d->n; i++)
        if (strcmp(d->e[i].kind, kind) == 0)
            return &d->e[i];
    return NULL;
}

static const json_t *docs_entry_doc(const struct doc_entry *e) {
    return e->doc;
}

static void docs_drop(struct dw_pg *g, int64_t deal_id, const char *kind) {
    struct deal_docs *d = docs_slot(g, deal_id, false);
    if (!d)
        return;
    for (int i = 0; i < d->n; i++)
        if (strcmp(d->e[i].kind, kind) == 0) {
            json_decref(d->e[i].doc);
            d->e[i] = d->e[--d->n];
            return;
        }
}

/* kind's entries of every deal kept go. */
static void docs_drop_all(struct dw_pg *g, const char *kind) {
    for (int i = 0; g->docs && i < DOCS_DEALS; i++)
        if (g->docs->d[i].deal_id)
            docs_drop(g, g->docs->d[i].deal_id, kind);
}

/* A lead changed (inserted, moved, its intake or redaction written): the leads kept, of
 * whichever deal, go. */
static void docs_leads_changed(struct dw_pg *g) {
    docs_drop_all(g, LEADS_KIND);
}

static void docs_keep(struct dw_pg *g, int64_t deal_id, const char *kind, json_t *doc) {
    if (!g->in_tx || g->read_only || deal_id <= 0 ||
        strlen(kind) >= sizeof(struct doc_entry){0}.kind)
        return;
    if (!g->docs && !(g->docs = calloc(1, sizeof *g->docs)))
        return; /* not kept: read again next time */
    struct deal_docs *d = docs_slot(g, deal_id, true);
    if (d->n == DOCS_KEPT)
        return;
    struct doc_entry *e = &d->e[d->n++];
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    e->doc = json_incref(doc);
}

/* All rows for a single integer key, as an array. */
static int get_all(struct dw_pg *g, const char *sql, int64_t key, const char *what, json_t **ret,
                   struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, key);
    return dw__pg_rows_of(g, false, what, sql, &p, ret, err);
}

/* Run an UPDATE/DELETE with p; ENOENT when it changed no row. */
static int exec_changed(struct dw_pg *g, const char *sql, struct dw_pg_params *p, const char *what,
                        int64_t key, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    int r = dw__pg_run(g, what, sql, p, &res, err);
    if (r < 0)
        return r;
    if (dw__pg_changes(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "%s: no row %lld", what, (long long)key);
    return 0;
}

/* ---- the tables ---------------------------------------------------------------------- */

/* The SQLite schema's tables of this subject (its migration 1), in PostgreSQL's types:
 * ids bigint identities, money and counters bigint, booleans integer 0/1 (as SQLite keeps
 * them, so that the records read back alike), times and JSON text. */
const char dw__pg_schema_deals[] =
    /* Accounts and contacts: the company and the person a lead came from. */
    "CREATE TABLE accounts ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  name text COLLATE \"C\" NOT NULL,"
    "  domain text COLLATE \"C\"," /* lower-case; unique when known */
    "  country text COLLATE \"C\","
    "  created_at text COLLATE \"C\" NOT NULL"
    ");"
    "CREATE UNIQUE INDEX accounts_domain ON accounts (domain) WHERE domain IS NOT NULL;"
    "CREATE INDEX accounts_name ON accounts (lower(name), id);"
    "CREATE TABLE contacts ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  account_id bigint REFERENCES accounts (id),"
    "  email text COLLATE \"C\" UNIQUE," /* lower-case */
    "  name text COLLATE \"C\","
    "  phone text COLLATE \"C\","
    "  title text COLLATE \"C\","
    "  created_at text COLLATE \"C\" NOT NULL,"
    "  updated_at text COLLATE \"C\" NOT NULL"
    ");"
    /* Deals: the control plane's row. */
    "CREATE TABLE deals ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  stage text COLLATE \"C\" NOT NULL,"
    "  facts bigint NOT NULL DEFAULT 0,"
    "  runnable integer NOT NULL DEFAULT 1,"
    "  attempts integer NOT NULL DEFAULT 0,"
    "  next_attempt_at text COLLATE \"C\" NOT NULL,"
    "  last_error text COLLATE \"C\" NOT NULL DEFAULT '',"
    "  parked integer NOT NULL DEFAULT 0,"
    "  account_id bigint REFERENCES accounts (id),"
    "  contact_id bigint REFERENCES contacts (id),"
    "  currency text COLLATE \"C\" NOT NULL DEFAULT '',"
    "  created_at text COLLATE \"C\" NOT NULL,"
    "  updated_at text COLLATE \"C\" NOT NULL"
    ");"
    /* the runnable, unparked deals only: what deals_due and next_due_at read */
    "CREATE INDEX deals_due ON deals (next_attempt_at, id) WHERE runnable = 1 AND parked = 0;"
    "CREATE INDEX deals_stage ON deals (stage, id);"
    "CREATE INDEX deals_account ON deals (account_id, id);"
    /* Leads: every message as received; (source, external_id) makes intake idempotent. */
    "CREATE TABLE leads ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  deal_id bigint REFERENCES deals (id),"
    "  source text COLLATE \"C\" NOT NULL,"
    "  external_id text COLLATE \"C\" NOT NULL,"
    "  received_at text COLLATE \"C\","
    "  contact_email text COLLATE \"C\"," /* lower-case */
    "  contact text COLLATE \"C\","       /* JSON */
    "  subject text COLLATE \"C\","
    "  message text COLLATE \"C\","
    "  transcript text COLLATE \"C\","   /* JSON */
    "  raw text COLLATE \"C\" NOT NULL," /* JSON, the input object as received */
    "  intake text COLLATE \"C\","       /* JSON, intake's result */
    "  duplicate_of bigint REFERENCES leads (id),"
    "  created_at text COLLATE \"C\" NOT NULL,"
    "  UNIQUE (source, external_id)"
    ");"
    "CREATE INDEX leads_deal ON leads (deal_id, id);"
    "CREATE INDEX leads_contact_email ON leads (contact_email, deal_id);"
    /* Per-deal documents: the frequent kinds get a table each, the rest share deal_docs. */
    "CREATE TABLE requirements ("
    "  deal_id bigint PRIMARY KEY REFERENCES deals (id),"
    "  doc text COLLATE \"C\" NOT NULL, ws_hash text COLLATE \"C\","
    "  updated_at text COLLATE \"C\" NOT NULL"
    ");"
    "CREATE TABLE qualifications ("
    "  deal_id bigint PRIMARY KEY REFERENCES deals (id),"
    "  doc text COLLATE \"C\" NOT NULL, ws_hash text COLLATE \"C\","
    "  updated_at text COLLATE \"C\" NOT NULL"
    ");"
    "CREATE TABLE solutions ("
    "  deal_id bigint PRIMARY KEY REFERENCES deals (id),"
    "  doc text COLLATE \"C\" NOT NULL, ws_hash text COLLATE \"C\","
    "  updated_at text COLLATE \"C\" NOT NULL"
    ");"
    "CREATE TABLE proposals ("
    "  deal_id bigint PRIMARY KEY REFERENCES deals (id),"
    "  doc text COLLATE \"C\" NOT NULL, ws_hash text COLLATE \"C\","
    "  updated_at text COLLATE \"C\" NOT NULL"
    ");"
    "CREATE TABLE deal_docs ("
    "  deal_id bigint NOT NULL REFERENCES deals (id),"
    "  kind text COLLATE \"C\" NOT NULL,"
    "  doc text COLLATE \"C\" NOT NULL, ws_hash text COLLATE \"C\","
    "  updated_at text COLLATE \"C\" NOT NULL,"
    "  PRIMARY KEY (deal_id, kind)"
    ");";

/* ---- leads ------------------------------------------------------------------------- */

#define LEAD_COLS                                                                                  \
    "id, deal_id, source, external_id, received_at, contact_email, "                               \
    "contact AS \"contact:json\", subject, message, transcript AS \"transcript:json\", "           \
    "raw AS \"raw:json\", intake AS \"intake:json\", duplicate_of, created_at"

static int pg_lead_find(struct dw_store *s, const char *source, const char *external_id,
                        int64_t *ret_lead_id, int64_t *ret_deal_id, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, source);
    dw__pg_p_text(&p, external_id);
    int r = dw__pg_run(dw__pg(s), "lead_find",
                       "SELECT id, deal_id FROM leads WHERE source = $1::text "
                       "AND external_id = $2::text",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "no lead %s/%s", source ? source : "",
                            external_id ? external_id : "");
    if (ret_lead_id)
        *ret_lead_id = dw__pg_int(res, 0, 0);
    if (ret_deal_id)
        *ret_deal_id = dw__pg_int(res, 0, 1);
    return 0;
}

/* A repeated (source, external_id) inserts nothing (ON CONFLICT DO NOTHING: a concurrent
 * insert of the same lead is waited for) and is answered with the first lead's id. */
static int pg_lead_insert(struct dw_store *s, const json_t *rec, int64_t deal_id,
                          int64_t *ret_lead_id, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    docs_leads_changed(dw__pg(s));
    struct dw__store_lead f;
    bool nomem = false;
    int r = dw__store_lead_input(rec, &f, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *email = dw__store_lower_or_null(dw_json_str(f.contact, "email"), &nomem);
    if (nomem)
        return dw__store_oom(err);
    dw__pg_p_id(&p, deal_id);
    dw__pg_p_text(&p, f.source);
    dw__pg_p_text(&p, f.external_id);
    if (f.has_received_at)
        dw__pg_p_time(&p, f.received_at);
    else
        dw__pg_p_text(&p, NULL);
    dw__pg_p_text(&p, email);
    dw__pg_p_json(&p, f.contact);
    dw__pg_p_text(&p, f.subject);
    dw__pg_p_text(&p, f.message);
    dw__pg_p_json(&p, f.transcript);
    dw__pg_p_json(&p, f.raw);
    dw__pg_p_id(&p, f.duplicate_of);
    dw__pg_p_time(&p, dw_store_now(s));
    r = dw__pg_run(dw__pg(s), "lead_insert",
                   "INSERT INTO leads (deal_id, source, external_id, received_at, "
                   "contact_email, contact, subject, message, transcript, raw, duplicate_of, "
                   "created_at) VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, "
                   "$6::text, $7::text, $8::text, $9::text, $10::text, $11::bigint, $12::text) "
                   "ON CONFLICT (source, external_id) DO NOTHING RETURNING id",
                   &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0) {
        int64_t existing = 0;
        r = pg_lead_find(s, f.source, f.external_id, &existing, NULL, err);
        if (r < 0)
            return r;
        if (ret_lead_id)
            *ret_lead_id = existing;
        return dw_error_set(err, -DW_EEXIST, "lead %s/%s already exists", f.source, f.external_id);
    }
    if (ret_lead_id)
        *ret_lead_id = dw__pg_int(res, 0, 0);
    return 0;
}

static int pg_lead_get(struct dw_store *s, int64_t lead_id, json_t **ret, struct dw_error *err) {
    return get_one(dw__pg(s), "SELECT " LEAD_COLS " FROM leads WHERE id = $1::bigint", lead_id,
                   "lead", ret, err);
}

static int leads_read(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err) {
    return get_all(dw__pg(s),
                   "SELECT " LEAD_COLS " FROM leads WHERE deal_id = $1::bigint ORDER BY id",
                   deal_id, "leads_for_deal", ret, err);
}

/* In a write transaction a copy of the leads kept (leads_peek), when they are. */
static int pg_leads_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                             struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct doc_entry *e = g->in_tx && !g->read_only ? docs_find(g, deal_id, LEADS_KIND) : NULL;
    if (e && docs_entry_doc(e))
        return (*ret = json_deep_copy(docs_entry_doc(e))) ? 0 : dw__store_oom(err);
    return leads_read(s, deal_id, ret, err);
}

/* In a write transaction: kept with the deal's documents, until a lead changes. */
static int pg_leads_peek(struct dw_store *s, int64_t deal_id, const json_t **ret,
                         struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct doc_entry *e = g->in_tx && !g->read_only ? docs_find(g, deal_id, LEADS_KIND) : NULL;
    if (e && docs_entry_doc(e)) {
        *ret = json_incref((json_t *)docs_entry_doc(e));
        return 0;
    }
    json_t *leads = NULL;
    int r = leads_read(s, deal_id, &leads, err);
    if (r == 0) {
        docs_keep(g, deal_id, LEADS_KIND, leads);
        *ret = leads;
    }
    return r;
}

static int pg_lead_set_intake(struct dw_store *s, int64_t lead_id, const json_t *intake,
                              struct dw_error *err) {
    struct dw_pg_params p = {0};
    docs_leads_changed(dw__pg(s));
    bool nomem = false;
    int r = dw__store_require_object(intake, "intake", err);
    if (r < 0)
        return r;
    /* Intake normalises the contact; its e-mail is the one follow-ups are matched on. */
    const json_t *contact = json_object_get(intake, "contact");
    _cleanup_free_ char *email = dw__store_lower_or_null(dw_json_str(contact, "email"), &nomem);
    if (nomem)
        return dw__store_oom(err);
    dw__pg_p_int(&p, lead_id);
    dw__pg_p_json(&p, intake);
    dw__pg_p_text(&p, email);
    return exec_changed(dw__pg(s),
                        "UPDATE leads SET intake = $2::text, "
                        "contact_email = COALESCE($3::text, contact_email) WHERE id = $1::bigint",
                        &p, "lead_set_intake", lead_id, err);
}

static int pg_deal_find_open_by_email(struct dw_store *s, const char *email, int64_t exclude_deal,
                                      int64_t *ret_deal_id, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    bool nomem = false;
    _cleanup_free_ char *lower = dw__store_lower_or_null(email, &nomem);
    if (nomem)
        return dw__store_oom(err);
    if (!lower)
        return dw_error_set(err, -DW_ENOENT, "no e-mail address to match");
    dw__pg_p_text(&p, lower);
    dw__pg_p_int(&p, exclude_deal);
    int r = dw__pg_run(dw__pg(s), "deal_find_open_by_email",
                       "SELECT d.id FROM leads l JOIN deals d ON d.id = l.deal_id "
                       "WHERE l.contact_email = $1::text AND d.id <> $2::bigint "
                       "AND d.stage NOT IN ('ordered', 'lost', 'disqualified') "
                       "ORDER BY d.id DESC LIMIT 1",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "no open deal for %s", lower);
    *ret_deal_id = dw__pg_int(res, 0, 0);
    return 0;
}

static int pg_lead_move(struct dw_store *s, int64_t lead_id, int64_t deal_id,
                        struct dw_error *err) {
    struct dw_pg_params p = {0};
    docs_leads_changed(dw__pg(s));
    dw__pg_p_int(&p, lead_id);
    dw__pg_p_id(&p, deal_id);
    return exec_changed(dw__pg(s), "UPDATE leads SET deal_id = $2::bigint WHERE id = $1::bigint",
                        &p, "lead_move", lead_id, err);
}

/* The subject, message, transcript and contact columns follow the redacted raw, as
 * SQLite's json_extract gives them: the contact and transcript as JSON text (the json
 * type keeps the text as written), the subject and message as the string values, a
 * JSON null or an absent key as NULL. */
static int pg_lead_redact(struct dw_store *s, int64_t lead_id, const json_t *raw,
                          const json_t *intake, struct dw_error *err) {
    struct dw_pg_params p = {0};
    docs_leads_changed(dw__pg(s));
    int r = dw__store_require_object(raw, "raw", err);
    if (r < 0)
        return r;
    dw__pg_p_int(&p, lead_id);
    dw__pg_p_json(&p, raw);
    dw__pg_p_json(&p, intake);
    return exec_changed(
        dw__pg(s),
        "UPDATE leads SET raw = $2::text, intake = $3::text, contact_email = NULL, "
        "contact = NULLIF(($2::json -> 'contact')::text, 'null'), "
        "subject = $2::json ->> 'subject', message = $2::json ->> 'message', "
        "transcript = NULLIF(($2::json -> 'transcript')::text, 'null') WHERE id = $1::bigint",
        &p, "lead_redact", lead_id, err);
}

static int pg_contact_redact(struct dw_store *s, int64_t contact_id, dw_time_t now,
                             struct dw_error *err) {
    struct dw_pg_params p = {0};
    docs_leads_changed(dw__pg(s));
    dw__pg_p_int(&p, contact_id);
    dw__pg_p_time(&p, now);
    return exec_changed(dw__pg(s),
                        "UPDATE contacts SET name = NULL, email = NULL, phone = NULL, "
                        "title = NULL, updated_at = $2::text WHERE id = $1::bigint",
                        &p, "contact_redact", contact_id, err);
}

/* ---- accounts and contacts --------------------------------------------------------- */

/* 1 with *ret set when found, 0 when not. */
static int account_by_text(struct dw_pg *g, const char *sql, const char *key, json_t **ret,
                           struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, key);
    int r = dw__pg_run(g, "account_find", sql, &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return 0;
    r = dw__pg_row(res, 0, ret, err);
    return r < 0 ? r : 1;
}

static int pg_account_find(struct dw_store *s, const char *domain, const char *name, json_t **ret,
                           struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    bool nomem = false;
    int r;
    _cleanup_free_ char *d = dw__store_lower_or_null(domain, &nomem);
    if (nomem)
        return dw__store_oom(err);
    if (d) {
        r = account_by_text(g,
                            "SELECT id, name, domain, country, created_at FROM accounts "
                            "WHERE domain = $1::text",
                            d, ret, err);
        if (r != 0)
            return r < 0 ? r : 0;
    }
    if (name && *name) {
        /* COLLATE NOCASE: lower() under "C" folds ASCII letters only, as SQLite does */
        r = account_by_text(g,
                            "SELECT id, name, domain, country, created_at FROM accounts "
                            "WHERE lower(name) = lower($1::text COLLATE \"C\") "
                            "ORDER BY id LIMIT 1",
                            name, ret, err);
        if (r != 0)
            return r < 0 ? r : 0;
    }
    return dw_error_set(err, -DW_ENOENT, "no account with domain '%s' or name '%s'", d ? d : "",
                        name ? name : "");
}

static int pg_account_insert(struct dw_store *s, const char *name, const char *domain,
                             const char *country, int64_t *ret_id, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    bool nomem = false;
    if (!name || !*name)
        return dw_error_field(err, -DW_EINVAL, "name", "an account needs a name");
    _cleanup_free_ char *d = dw__store_lower_or_null(domain, &nomem);
    if (nomem)
        return dw__store_oom(err);
    dw__pg_p_text(&p, name);
    dw__pg_p_text(&p, d);
    dw__pg_p_text(&p, country && *country ? country : NULL);
    dw__pg_p_time(&p, dw_store_now(s));
    int r = dw__pg_run(dw__pg(s), "account_insert",
                       "INSERT INTO accounts (name, domain, country, created_at) "
                       "VALUES ($1::text, $2::text, $3::text, $4::text) "
                       "ON CONFLICT DO NOTHING RETURNING id",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_EEXIST, "an account with domain %s exists", d ? d : "");
    *ret_id = dw__pg_int(res, 0, 0);
    return 0;
}

/* Insert or update by e-mail in one statement (ON CONFLICT ... DO UPDATE locks the row it
 * updates, so two upserts of one address serialise). */
static int pg_contact_upsert(struct dw_store *s, int64_t account_id, const json_t *contact,
                             int64_t *ret_id, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    struct dw__store_contact c;
    _cleanup_free_ char *email = NULL;
    int r = dw__store_contact_input(contact, &c, &email, err);
    if (r < 0)
        return r;
    dw__pg_p_id(&p, account_id);
    dw__pg_p_text(&p, email);
    dw__pg_p_text(&p, c.name);
    dw__pg_p_text(&p, c.phone);
    dw__pg_p_text(&p, c.title);
    dw__pg_p_time(&p, dw_store_now(s));
    r = dw__pg_run(dw__pg(s), "contact_upsert",
                   "INSERT INTO contacts (account_id, email, name, phone, title, created_at, "
                   "updated_at) VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, "
                   "$6::text, $6::text) ON CONFLICT (email) DO UPDATE SET "
                   "account_id = COALESCE(excluded.account_id, contacts.account_id), "
                   "name = COALESCE(excluded.name, contacts.name), "
                   "phone = COALESCE(excluded.phone, contacts.phone), "
                   "title = COALESCE(excluded.title, contacts.title), "
                   "updated_at = excluded.updated_at RETURNING id",
                   &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_EINTERNAL, "contact_upsert returned no id");
    *ret_id = dw__pg_int(res, 0, 0);
    return 0;
}

static int pg_account_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err) {
    return get_one(dw__pg(s),
                   "SELECT id, name, domain, country, created_at FROM accounts "
                   "WHERE id = $1::bigint",
                   id, "account", ret, err);
}

static int pg_contact_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err) {
    return get_one(dw__pg(s),
                   "SELECT id, account_id, name, email, phone, title, created_at, updated_at "
                   "FROM contacts WHERE id = $1::bigint",
                   id, "contact", ret, err);
}

/* The newest quote of deal d.id (for listings), quotes as the SQLite schema has them. */
#define LATEST_QUOTE                                                                               \
    "LEFT JOIN quotes q ON q.id = (SELECT id FROM quotes WHERE deal_id = d.id "                    \
    "ORDER BY revision DESC LIMIT 1) "

static int pg_deals_for_account(struct dw_store *s, int64_t account_id, int64_t exclude_deal,
                                json_t **ret, struct dw_error *err) {
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, account_id);
    dw__pg_p_int(&p, exclude_deal);
    return dw__pg_rows_of(dw__pg(s), false, "deals_for_account",
                          "SELECT d.id, d.stage, d.created_at, q.total AS \"total:money\", "
                          "q.digits AS \":digits\", "
                          "CASE WHEN d.currency <> '' THEN d.currency ELSE q.currency END "
                          "AS currency FROM deals d " LATEST_QUOTE
                          "WHERE d.account_id = $1::bigint AND d.id <> $2::bigint ORDER BY d.id",
                          &p, ret, err);
}

/* ---- deals ------------------------------------------------------------------------- */

static int pg_deal_insert(struct dw_store *s, dw_time_t now, int64_t *ret_id,
                          struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_time(&p, now);
    int r = dw__pg_run(dw__pg(s), "deal_insert",
                       "INSERT INTO deals (stage, next_attempt_at, created_at, updated_at) "
                       "VALUES ('new', $1::text, $1::text, $1::text) RETURNING id",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_EINTERNAL, "deal_insert returned no id");
    *ret_id = dw__pg_int(res, 0, 0);
    return 0;
}

int dw__pg_deal_row(const PGresult *res, int row, struct dw_deal_rec *ret, struct dw_error *err) {
    struct dw_deal_rec d = {0};
    const char *stage = dw__pg_text(res, row, 1);
    d.id = dw__pg_int(res, row, 0);
    if (!stage || dw_stage_parse(stage, &d.stage) < 0)
        return dw_error_set(err, -DW_ESTORE, "deal %lld has an unknown stage '%s'", (long long)d.id,
                            stage ? stage : "");
    d.facts = (uint32_t)dw__pg_int(res, row, 2);
    d.runnable = dw__pg_int(res, row, 3) != 0;
    d.attempts = (int)dw__pg_int(res, row, 4);
    d.next_attempt_at = dw__pg_time(res, row, 5);
    const char *t = dw__pg_text(res, row, 6);
    snprintf(d.last_error, sizeof d.last_error, "%s", t ? t : "");
    d.parked = dw__pg_int(res, row, 7) != 0;
    d.account_id = dw__pg_int(res, row, 8);
    d.contact_id = dw__pg_int(res, row, 9);
    t = dw__pg_text(res, row, 10);
    snprintf(d.currency, sizeof d.currency, "%s", t ? t : "");
    d.created_at = dw__pg_time(res, row, 11);
    d.updated_at = dw__pg_time(res, row, 12);
    *ret = d;
    return 0;
}

static int pg_deal_get(struct dw_store *s, int64_t id, struct dw_deal_rec *ret,
                       struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    struct dw_pg *g = dw__pg(s);
    bool locking = g->in_tx && !g->read_only;
    /* In a write transaction the row is the transaction's until it ends: whatever it reads of
     * the deal, it writes back in deal_update, and a writer running at once (a worker's
     * batch, a follow-up lead taken in) must not be overwritten with what it changed
     * meanwhile. Waits for the holder's commit, then reads what it committed. Once locked,
     * read from the transaction's memory (the row as it was read or last written). */
    struct deal_docs *kept = locking ? docs_slot(g, id, false) : NULL;
    if (kept && kept->has_rec) {
        *ret = kept->rec;
        return 0;
    }
    dw__pg_p_int(&p, id);
    int r = dw__pg_run(g, "deal_get",
                       locking ? "SELECT " DW__PG_DEAL_COLS
                                 " FROM deals WHERE id = $1::bigint FOR UPDATE"
                               : "SELECT " DW__PG_DEAL_COLS " FROM deals WHERE id = $1::bigint",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "no deal %lld", (long long)id);
    if ((r = dw__pg_deal_row(res, 0, ret, err)) < 0)
        return r;
    if (locking)
        dw__pg_deal_keep(g, ret);
    return 0;
}

static int pg_deal_update(struct dw_store *s, const struct dw_deal_rec *rec, struct dw_error *err) {
    struct dw_pg_params p = {0};
    char last_error[sizeof rec->last_error], currency[sizeof rec->currency];
    if ((unsigned)rec->stage >= DW__STAGE_MAX)
        return dw_error_field(err, -DW_EINVAL, "stage", "unknown stage %d", (int)rec->stage);
    /* The arrays may lack a terminator if a caller filled them by hand. */
    snprintf(last_error, sizeof last_error, "%.*s", (int)sizeof last_error - 1, rec->last_error);
    snprintf(currency, sizeof currency, "%.*s", (int)sizeof currency - 1, rec->currency);
    dw__pg_p_int(&p, rec->id);
    dw__pg_p_text(&p, dw_stage_name(rec->stage));
    dw__pg_p_int(&p, rec->facts);
    dw__pg_p_int(&p, rec->runnable);
    dw__pg_p_int(&p, rec->attempts);
    dw__pg_p_time(&p, rec->next_attempt_at);
    dw__pg_p_text(&p, last_error);
    dw__pg_p_int(&p, rec->parked);
    dw__pg_p_id(&p, rec->account_id);
    dw__pg_p_id(&p, rec->contact_id);
    dw__pg_p_text(&p, currency);
    dw__pg_p_time(&p, rec->updated_at);
    dw__pg_holds_deal_stage(dw__pg(s), rec->id,
                            rec->stage != DW_STAGE_ORDERED && rec->stage != DW_STAGE_LOST &&
                                rec->stage != DW_STAGE_DISQUALIFIED);
    struct dw_pg *g = dw__pg(s);
    struct deal_docs *kept = docs_slot(g, rec->id, false);
    bool had = kept && kept->has_rec;
    if (kept)
        kept->has_rec = false; /* kept again below once written */
    int r = exec_changed(g,
                         "UPDATE deals SET stage = $2::text, facts = $3::bigint, "
                         "runnable = $4::integer, attempts = $5::integer, "
                         "next_attempt_at = $6::text, last_error = $7::text, "
                         "parked = $8::integer, account_id = $9::bigint, "
                         "contact_id = $10::bigint, currency = $11::text, updated_at = $12::text "
                         "WHERE id = $1::bigint",
                         &p, "deal_update", rec->id, err);
    if (r < 0 || !had || kept->deal_id != rec->id || !g->in_tx || g->read_only)
        return r;
    /* the row as written (created_at is not: the one read) */
    kept->rec = (struct dw_deal_rec){.id = rec->id,
                                     .stage = rec->stage,
                                     .facts = rec->facts,
                                     .runnable = rec->runnable,
                                     .attempts = rec->attempts,
                                     .next_attempt_at = rec->next_attempt_at,
                                     .parked = rec->parked,
                                     .account_id = rec->account_id,
                                     .contact_id = rec->contact_id,
                                     .created_at = kept->rec.created_at,
                                     .updated_at = rec->updated_at};
    memcpy(kept->rec.last_error, last_error, sizeof last_error);
    memcpy(kept->rec.currency, currency, sizeof currency);
    kept->has_rec = true;
    return r;
}

/* Inside a write transaction the deals returned are locked to its end and the ones another
 * transaction holds are passed over (FOR UPDATE SKIP LOCKED): a writer outside the batch (a
 * statement in autocommit) waits for it instead of changing a deal under a running step, and
 * no two transactions ever run one deal. Outside one (or in a read-only snapshot) it only
 * reads. */
static int pg_deals_due(struct dw_store *s, dw_time_t now, int64_t *ids, int max,
                        struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    if (max <= 0)
        return 0;
    dw__pg_p_time(&p, now);
    dw__pg_p_int(&p, max);
    int r = g->in_tx && !g->read_only
                ? dw__pg_run(g, "deals_due",
                             "SELECT id FROM deals WHERE runnable = 1 AND parked = 0 "
                             "AND next_attempt_at <= $1::text ORDER BY id LIMIT $2::bigint "
                             "FOR UPDATE SKIP LOCKED",
                             &p, &res, err)
                : dw__pg_run(g, "deals_due",
                             "SELECT id FROM deals WHERE runnable = 1 AND parked = 0 "
                             "AND next_attempt_at <= $1::text ORDER BY id LIMIT $2::bigint",
                             &p, &res, err);
    if (r < 0)
        return r;
    int n = PQntuples(res);
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++)
        ids[i] = dw__pg_int(res, i, 0);
    return n;
}

#define DEAL_LIST_COLS                                                                             \
    "d.id, d.stage, a.name AS account, "                                                           \
    "COALESCE(c.email, (SELECT contact_email FROM leads WHERE deal_id = d.id "                     \
    "ORDER BY id LIMIT 1)) AS contact_email, "                                                     \
    "CASE WHEN d.currency <> '' THEN d.currency ELSE q.currency END AS currency, "                 \
    "q.total AS \"total:money\", q.digits AS \":digits\", d.updated_at, "                          \
    "d.parked AS \"parked:bool\", d.last_error "

/* A page: LIMIT NULL (limit 0) is every row. */
static int pg_deals_list(struct dw_store *s, const char *stage, int64_t after_id, int limit,
                         json_t **ret, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    bool all = !stage || !*stage;
    enum dw_stage parsed;
    int r;
    if (!all && dw_stage_parse(stage, &parsed) < 0)
        return dw_error_field(err, -DW_EINVAL, "stage", "unknown stage '%s'", stage);
    dw__pg_p_int(&p, after_id);
    if (limit > 0)
        dw__pg_p_int(&p, limit);
    else
        dw__pg_p_text(&p, NULL);
    if (all)
        r = dw__pg_run(g, "deals_list",
                       "SELECT " DEAL_LIST_COLS "FROM deals d "
                       "LEFT JOIN accounts a ON a.id = d.account_id "
                       "LEFT JOIN contacts c ON c.id = d.contact_id " LATEST_QUOTE
                       "WHERE d.id > $1::bigint ORDER BY d.id LIMIT $2::bigint",
                       &p, &res, err);
    else {
        dw__pg_p_text(&p, stage);
        r = dw__pg_run(g, "deals_list",
                       "SELECT " DEAL_LIST_COLS "FROM deals d "
                       "LEFT JOIN accounts a ON a.id = d.account_id "
                       "LEFT JOIN contacts c ON c.id = d.contact_id " LATEST_QUOTE
                       "WHERE d.stage = $3::text AND d.id > $1::bigint ORDER BY d.id "
                       "LIMIT $2::bigint",
                       &p, &res, err);
    }
    return r < 0 ? r : dw__pg_rows(res, ret, err);
}

static int pg_next_due_at(struct dw_store *s, dw_time_t *ret, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    int r = dw__pg_run(dw__pg(s), "next_due_at",
                       "SELECT MIN(next_attempt_at) FROM deals WHERE runnable = 1 AND parked = 0",
                       NULL, &res, err);
    if (r < 0)
        return r;
    *ret = PQntuples(res) > 0 && !dw__pg_isnull(res, 0, 0) ? dw__pg_time(res, 0, 0) : 0;
    return 0;
}

/* ---- documents --------------------------------------------------------------------- */

#define DOC_PUT(table)                                                                             \
    "INSERT INTO " table " (deal_id, doc, ws_hash, updated_at) "                                   \
    "VALUES ($1::bigint, $2::text, $3::text, $4::text) ON CONFLICT (deal_id) DO UPDATE SET "       \
    "doc = excluded.doc, ws_hash = excluded.ws_hash, updated_at = excluded.updated_at"
#define DOC_GET(table) "SELECT doc FROM " table " WHERE deal_id = $1::bigint"
#define DOC_DEL(table) "DELETE FROM " table " WHERE deal_id = $1::bigint"

struct doc_kind {
    const char *kind;
    const char *put, *get, *del;
};

/* The frequent kinds have a table each; any other well-formed kind goes to deal_docs (its
 * statements take the kind as one more parameter). */
static const struct doc_kind doc_kinds[] = {
    {"requirements", DOC_PUT("requirements"), DOC_GET("requirements"), DOC_DEL("requirements")},
    {"qualification", DOC_PUT("qualifications"), DOC_GET("qualifications"),
     DOC_DEL("qualifications")},
    {"solution", DOC_PUT("solutions"), DOC_GET("solutions"), DOC_DEL("solutions")},
    {"proposal", DOC_PUT("proposals"), DOC_GET("proposals"), DOC_DEL("proposals")},
};
static const struct doc_kind doc_other = {
    NULL,
    "INSERT INTO deal_docs (deal_id, kind, doc, ws_hash, updated_at) "
    "VALUES ($1::bigint, $5::text, $2::text, $3::text, $4::text) "
    "ON CONFLICT (deal_id, kind) DO UPDATE SET doc = excluded.doc, "
    "ws_hash = excluded.ws_hash, updated_at = excluded.updated_at",
    "SELECT doc FROM deal_docs WHERE deal_id = $1::bigint AND kind = $2::text",
    "DELETE FROM deal_docs WHERE deal_id = $1::bigint AND kind = $2::text",
};

static int doc_kind(const char *kind, const struct doc_kind **ret, struct dw_error *err) {
    int r = dw__store_doc_kind_input(kind, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < DW_ARRAY_SIZE(doc_kinds); i++)
        if (strcmp(doc_kinds[i].kind, kind) == 0) {
            *ret = &doc_kinds[i];
            return 0;
        }
    *ret = &doc_other;
    return 0;
}

static void docs_drop(struct dw_pg *g, int64_t deal_id, const char *kind);

void dw__pg_deal_keep(struct dw_pg *g, const struct dw_deal_rec *rec) {
    if (!g->in_tx || g->read_only || rec->id <= 0)
        return;
    if (!g->docs && !(g->docs = calloc(1, sizeof *g->docs)))
        return;
    struct deal_docs *d = docs_slot(g, rec->id, true);
    d->rec = *rec;
    d->has_rec = true;
}

bool dw__pg_kept(struct dw_pg *g, int64_t deal_id, const char *kind, const json_t **ret) {
    struct doc_entry *e = g->in_tx && !g->read_only ? docs_find(g, deal_id, kind) : NULL;
    if (!e)
        return false;
    *ret = e->doc;
    return true;
}

void dw__pg_keep(struct dw_pg *g, int64_t deal_id, const char *kind, json_t *value) {
    docs_drop(g, deal_id, kind);
    docs_keep(g, deal_id, kind, value);
}

void dw__pg_kept_drop(struct dw_pg *g, int64_t deal_id, const char *kind) {
    if (deal_id)
        docs_drop(g, deal_id, kind);
    else
        docs_drop_all(g, kind);
}

static int pg_doc_put(struct dw_store *s, int64_t deal_id, const char *kind, const json_t *doc,
                      const char *ws_hash, struct dw_error *err) {
    struct dw_pg_params p = {0};
    const struct doc_kind *k;
    int r = doc_kind(kind, &k, err);
    if (r < 0)
        return r;
    if (!doc)
        return dw_error_field(err, -DW_EINVAL, kind, "no document");
    dw__pg_p_int(&p, deal_id);
    dw__pg_p_json(&p, doc);
    dw__pg_p_text(&p, ws_hash);
    dw__pg_p_time(&p, dw_store_now(s));
    if (k == &doc_other)
        dw__pg_p_text(&p, kind);
    struct dw_pg *g = dw__pg(s);
    docs_drop(g, deal_id, kind);
    if ((r = dw__pg_run(g, "doc_put", k->put, &p, NULL, err)) < 0)
        return r;
    /* what the next step reads is what this one wrote, without reading it back (the copy:
     * the caller keeps its own) */
    json_t *copy = g->in_tx && !g->read_only ? json_deep_copy(doc) : NULL;
    if (copy) {
        docs_keep(g, deal_id, kind, copy);
        json_decref(copy);
    }
    return 0;
}

static int pg_doc_get(struct dw_store *s, int64_t deal_id, const char *kind, json_t **ret,
                      struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    const struct doc_kind *k;
    int r = doc_kind(kind, &k, err);
    if (r < 0)
        return r;
    struct dw_pg *g = dw__pg(s);
    struct doc_entry *e = g->in_tx && !g->read_only ? docs_find(g, deal_id, kind) : NULL;
    if (e) { /* kept in this transaction: the caller's own copy */
        if (!e->doc)
            return dw_error_set(err, -DW_ENOENT, "deal %lld has no %s", (long long)deal_id, kind);
        return (*ret = json_deep_copy(e->doc)) ? 0 : dw__store_oom(err);
    }
    dw__pg_p_int(&p, deal_id);
    if (k == &doc_other)
        dw__pg_p_text(&p, kind);
    r = dw__pg_run(g, "doc_get", k->get, &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "deal %lld has no %s", (long long)deal_id, kind);
    return dw__pg_json(res, 0, 0, ret, err);
}

/* In a write transaction: from the documents kept (see the top of the section). */
static int pg_doc_peek(struct dw_store *s, int64_t deal_id, const char *kind, const json_t **ret,
                       struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    struct doc_entry *e = g->in_tx && !g->read_only ? docs_find(g, deal_id, kind) : NULL;
    if (e) {
        if (!e->doc)
            return dw_error_set(err, -DW_ENOENT, "deal %lld has no %s", (long long)deal_id, kind);
        *ret = json_incref(e->doc);
        return 0;
    }
    json_t *doc = NULL;
    int r = pg_doc_get(s, deal_id, kind, &doc, err);
    if (r == 0 || r == -DW_ENOENT)
        docs_keep(g, deal_id, kind, r == 0 ? doc : NULL);
    if (r == 0)
        *ret = doc;
    return r;
}

static int pg_doc_delete(struct dw_store *s, int64_t deal_id, const char *kind,
                         struct dw_error *err) {
    struct dw_pg_params p = {0};
    const struct doc_kind *k;
    int r = doc_kind(kind, &k, err);
    if (r < 0)
        return r;
    dw__pg_p_int(&p, deal_id);
    if (k == &doc_other)
        dw__pg_p_text(&p, kind);
    docs_drop(dw__pg(s), deal_id, kind);
    return dw__pg_run(dw__pg(s), "doc_delete", k->del, &p, NULL, err);
}

/* ---- stats ------------------------------------------------------------------------- */

static int pg_stats(struct dw_store *s, json_t **ret, struct dw_error *err) {
    int fr = dw__pg_appends_flush(dw__pg(s), false, err); /* the log as this transaction has it */
    if (fr < 0)
        return fr;
    struct dw_pg *g = dw__pg(s);
    _cleanup_pgres_ PGresult *st = NULL, *counts = NULL;
    _cleanup_json_ json_t *out = NULL, *stages = json_object();
    if (!stages)
        return dw__store_oom(err);
    int r =
        dw__pg_run(g, "stats", "SELECT stage, COUNT(*) FROM deals GROUP BY stage", NULL, &st, err);
    if (r < 0)
        return r;
    for (int i = 0; i < DW__STAGE_MAX; i++)
        if (dw_json_set(stages, dw_stage_name((enum dw_stage)i), json_integer(0)) < 0)
            return dw__store_oom(err);
    for (int i = 0; i < PQntuples(st); i++) {
        const char *stage = dw__pg_text(st, i, 0);
        if (stage && dw_json_set(stages, stage, json_integer(dw__pg_int(st, i, 1))) < 0)
            return dw__store_oom(err);
    }
    r = dw__pg_run(g, "stats",
                   "SELECT (SELECT COUNT(*) FROM approvals WHERE status = 'pending') "
                   "AS approvals_pending, (SELECT COUNT(*) FROM proposals) AS proposals, "
                   "(SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM leads) "
                   "AS leads, (SELECT COUNT(*) FROM deals WHERE parked = 1) AS parked, "
                   "(SELECT COUNT(*) FROM deals WHERE runnable = 1 AND parked = 0) AS runnable, "
                   "(SELECT COALESCE(MAX(seq), 0)::bigint FROM events) AS last_event",
                   NULL, &counts, err);
    if (r < 0)
        return r;
    if (PQntuples(counts) == 0)
        return dw_error_set(err, -DW_EINTERNAL, "stats returned no row");
    r = dw__pg_row(counts, 0, &out, err);
    if (r < 0)
        return r;
    if (json_object_set_new(out, "stages", DW_TAKE_PTR(stages)) < 0)
        return dw__store_oom(err);
    *ret = DW_TAKE_PTR(out);
    return 0;
}

/* ---- reports ----------------------------------------------------------------------- */

/* The stage changes that count: those of deals that exist, with the stage left and the
 * stage entered (data {from, to, by}). */
#define STAGE_CHANGES                                                                              \
    "SELECT e.deal_id, e.seq, e.at, d.created_at, (e.data::json ->> 'from') COLLATE \"C\" AS s, "  \
    "(e.data::json ->> 'to') COLLATE \"C\" AS t FROM events e JOIN deals d ON d.id = e.deal_id "   \
    "WHERE e.type = 'deal.stage_changed'"
/* Seconds from text time b to text time a. */
#define SECONDS(a, b)                                                                              \
    "(EXTRACT(EPOCH FROM (" a ")::timestamptz) - EXTRACT(EPOCH FROM (" b ")::timestamptz))"

/* Durations are rounded as SQLite's ROUND does (half away from zero: numeric round()). */
static int pg_report_reached(struct dw_store *s, json_t **ret, struct dw_error *err) {
    int fr = dw__pg_appends_flush(dw__pg(s), false, err); /* the log as this transaction has it */
    if (fr < 0)
        return fr;
    return dw__pg_rows_of(
        dw__pg(s), false, "reports",
        "WITH firsts AS (SELECT deal_id, t, MIN(seq) AS first FROM (" STAGE_CHANGES
        ") c GROUP BY deal_id, t), sets AS (SELECT deal_id, ',' || "
        "string_agg(t, ',' ORDER BY first) || ',' AS stages FROM firsts "
        "GROUP BY deal_id) SELECT stages, n FROM (SELECT stages COLLATE \"C\" AS stages, "
        "COUNT(*) AS n FROM sets GROUP BY stages UNION ALL SELECT ',' COLLATE \"C\", "
        "(SELECT COUNT(*) FROM deals) - (SELECT COUNT(*) FROM sets)) x ORDER BY stages",
        NULL, ret, err);
}

static int pg_report_stays(struct dw_store *s, json_t **ret, struct dw_error *err) {
    int fr = dw__pg_appends_flush(dw__pg(s), false, err); /* the log as this transaction has it */
    if (fr < 0)
        return fr;
    return dw__pg_rows_of(dw__pg(s), false, "reports",
                          "SELECT s AS stage, COUNT(*) AS n, round(AVG(d))::bigint AS mean_s, "
                          "round(MAX(d))::bigint AS max_s FROM (SELECT s, " SECONDS(
                              "at", "COALESCE(LAG(at) OVER (PARTITION BY deal_id ORDER BY seq), "
                                    "created_at)") " AS d FROM (" STAGE_CHANGES ") c) x "
                                                   "GROUP BY s ORDER BY s",
                          NULL, ret, err);
}

static int pg_report_time_to(struct dw_store *s, const char *stage, json_t **ret,
                             struct dw_error *err) {
    int fr = dw__pg_appends_flush(dw__pg(s), false, err); /* the log as this transaction has it */
    if (fr < 0)
        return fr;
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, stage);
    return dw__pg_rows_of(
        dw__pg(s), false, "reports",
        "SELECT COUNT(*) AS n, round(AVG(d))::bigint AS mean_s, "
        "round(MAX(d))::bigint AS max_s FROM (SELECT DISTINCT ON (deal_id) " SECONDS(
            "at", "created_at") " AS d FROM (" STAGE_CHANGES
                                ") c WHERE t = $1::text ORDER BY deal_id, seq) x "
                                "HAVING COUNT(*) > 0",
        &p, ret, err);
}

static int pg_report_approvals(struct dw_store *s, json_t **ret, struct dw_error *err) {
    int fr = dw__pg_appends_flush(dw__pg(s), false, err); /* the log as this transaction has it */
    if (fr < 0)
        return fr;
    return dw__pg_rows_of(
        dw__pg(s), false, "reports",
        "SELECT status COLLATE \"C\" AS status, COUNT(*) AS n, round(AVG(" SECONDS(
            "decided_at",
            "created_at") "))::bigint AS mean_wait_s, MIN(created_at COLLATE \"C\") AS "
                          "oldest FROM approvals GROUP BY 1 ORDER BY 1",
        NULL, ret, err);
}

void dw__pg_ops_deals(struct dw_store_ops *o) {
    o->lead_insert = pg_lead_insert;
    o->lead_find = pg_lead_find;
    o->lead_get = pg_lead_get;
    o->leads_for_deal = pg_leads_for_deal;
    o->leads_peek = pg_leads_peek;
    o->lead_set_intake = pg_lead_set_intake;
    o->deal_find_open_by_email = pg_deal_find_open_by_email;
    o->lead_redact = pg_lead_redact;
    o->contact_redact = pg_contact_redact;
    o->lead_move = pg_lead_move;
    o->account_find = pg_account_find;
    o->account_insert = pg_account_insert;
    o->contact_upsert = pg_contact_upsert;
    o->account_get = pg_account_get;
    o->contact_get = pg_contact_get;
    o->deals_for_account = pg_deals_for_account;
    o->deal_insert = pg_deal_insert;
    o->deal_get = pg_deal_get;
    o->deal_update = pg_deal_update;
    o->deals_due = pg_deals_due;
    o->deals_list = pg_deals_list;
    o->next_due_at = pg_next_due_at;
    o->doc_put = pg_doc_put;
    o->doc_get = pg_doc_get;
    o->doc_delete = pg_doc_delete;
    o->doc_peek = pg_doc_peek;
    o->stats = pg_stats;
    o->report_reached = pg_report_reached;
    o->report_stays = pg_report_stays;
    o->report_time_to = pg_report_time_to;
    o->report_approvals = pg_report_approvals;
}

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
 * so two workers never take the same deal; in autocommit or a read snapshot it only reads.
 *
 * The reports are computed from the event log (the deal.stage_changed events) and the
 * approvals, tables of pg_audit.c and pg_quotes.c with the SQLite schema's names and
 * columns, with the figures SQLite's running totals (its migration 6) keep: a stage change
 * counts when its deal exists; stays run from the previous change (or the deal's creation);
 * a deal's first entry into a stage is its first such event by seq.
 */
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_internal.h"

static void pgres_clear(PGresult **r) {
    if (*r)
        PQclear(*r);
}
#define _cleanup_pgres_ __attribute__((cleanup(pgres_clear)))

static int oom(struct dw_error *err) {
    return dw_error_set(err, -DW_ENOMEM, "out of memory");
}

/* Lower-case copy of s, NULL for NULL or "". *nomem is set when the copy fails. */
static char *lower_or_null(const char *s, bool *nomem) {
    if (!s || !*s)
        return NULL;
    char *l = dw_strdup_lower(s);
    if (!l)
        *nomem = true;
    return l;
}

static int require_object(const json_t *j, const char *field, struct dw_error *err) {
    if (!j || !json_is_object(j))
        return dw_error_field(err, -DW_EINVAL, field, "must be a JSON object");
    return 0;
}

/* Optional string key: absent or null is fine, any other non-string is an error. */
static int opt_string(const json_t *obj, const char *key, const char *field, const char **ret,
                      struct dw_error *err) {
    json_t *v = json_object_get(obj, key);
    if (v && !json_is_null(v) && !json_is_string(v))
        return dw_error_field(err, -DW_EINVAL, field, "must be a string");
    *ret = json_is_string(v) ? json_string_value(v) : NULL;
    return 0;
}

static int64_t changed(const PGresult *r) {
    const char *n = PQcmdTuples((PGresult *)r);
    return n && *n ? strtoll(n, NULL, 10) : 0;
}

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

/* All rows for a single integer key, as an array. */
static int get_all(struct dw_pg *g, const char *sql, int64_t key, const char *what, json_t **ret,
                   struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, key);
    int r = dw__pg_run(g, what, sql, &p, &res, err);
    return r < 0 ? r : dw__pg_rows(res, ret, err);
}

/* Every row of a statement without parameters, as an array. */
static int rows(struct dw_pg *g, const char *sql, const char *what, json_t **ret,
                struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    int r = dw__pg_run(g, what, sql, NULL, &res, err);
    return r < 0 ? r : dw__pg_rows(res, ret, err);
}

/* Run an UPDATE/DELETE with p; ENOENT when it changed no row. */
static int exec_changed(struct dw_pg *g, const char *sql, struct dw_pg_params *p, const char *what,
                        int64_t key, struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    int r = dw__pg_run(g, what, sql, p, &res, err);
    if (r < 0)
        return r;
    if (changed(res) == 0)
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

struct lead_fields {
    const char *source, *external_id, *subject, *message;
    dw_time_t received_at;
    bool has_received_at;
    const json_t *contact, *transcript, *raw;
    int64_t duplicate_of;
};

static int lead_fields(const json_t *rec, struct lead_fields *f, struct dw_error *err) {
    int r = require_object(rec, "lead", err);
    if (r < 0)
        return r;
    memset(f, 0, sizeof *f);
    f->source = dw_json_str(rec, "source");
    f->external_id = dw_json_str(rec, "external_id");
    if (!f->source || !*f->source)
        return dw_error_field(err, -DW_EINVAL, "source", "required (a non-empty string)");
    if (!f->external_id || !*f->external_id)
        return dw_error_field(err, -DW_EINVAL, "external_id", "required (a non-empty string)");
    const char *received = NULL;
    if ((r = opt_string(rec, "received_at", "received_at", &received, err)) < 0 ||
        (r = opt_string(rec, "subject", "subject", &f->subject, err)) < 0 ||
        (r = opt_string(rec, "message", "message", &f->message, err)) < 0)
        return r;
    if (received) {
        if (dw_time_parse(received, &f->received_at) < 0)
            return dw_error_field(err, -DW_EINVAL, "received_at", "not an RFC 3339 time: %s",
                                  received);
        f->has_received_at = true;
    }
    f->contact = json_object_get(rec, "contact");
    if (json_is_null(f->contact))
        f->contact = NULL;
    if (f->contact && !json_is_object(f->contact))
        return dw_error_field(err, -DW_EINVAL, "contact", "must be an object");
    f->transcript = json_object_get(rec, "transcript");
    if (json_is_null(f->transcript))
        f->transcript = NULL;
    if (f->transcript && !json_is_array(f->transcript))
        return dw_error_field(err, -DW_EINVAL, "transcript", "must be an array");
    f->raw = json_object_get(rec, "raw");
    if (!f->raw || json_is_null(f->raw))
        f->raw = rec;
    json_t *dup = json_object_get(rec, "duplicate_of");
    if (dup && !json_is_null(dup) && !json_is_integer(dup))
        return dw_error_field(err, -DW_EINVAL, "duplicate_of", "must be a lead id");
    f->duplicate_of = json_is_integer(dup) ? (int64_t)json_integer_value(dup) : 0;
    return 0;
}

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
    struct lead_fields f;
    bool nomem = false;
    int r = lead_fields(rec, &f, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *email = lower_or_null(dw_json_str(f.contact, "email"), &nomem);
    if (nomem)
        return oom(err);
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

static int pg_leads_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                             struct dw_error *err) {
    return get_all(dw__pg(s),
                   "SELECT " LEAD_COLS " FROM leads WHERE deal_id = $1::bigint ORDER BY id",
                   deal_id, "leads_for_deal", ret, err);
}

/* No read cache: the caller gets a fresh copy, which it owns like a shared one. */
static int pg_leads_peek(struct dw_store *s, int64_t deal_id, const json_t **ret,
                         struct dw_error *err) {
    json_t *leads = NULL;
    int r = pg_leads_for_deal(s, deal_id, &leads, err);
    if (r == 0)
        *ret = leads;
    return r;
}

static int pg_lead_set_intake(struct dw_store *s, int64_t lead_id, const json_t *intake,
                              struct dw_error *err) {
    struct dw_pg_params p = {0};
    bool nomem = false;
    int r = require_object(intake, "intake", err);
    if (r < 0)
        return r;
    /* Intake normalises the contact; its e-mail is the one follow-ups are matched on. */
    const json_t *contact = json_object_get(intake, "contact");
    _cleanup_free_ char *email = lower_or_null(dw_json_str(contact, "email"), &nomem);
    if (nomem)
        return oom(err);
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
    _cleanup_free_ char *lower = lower_or_null(email, &nomem);
    if (nomem)
        return oom(err);
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
    int r = require_object(raw, "raw", err);
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
    _cleanup_free_ char *d = lower_or_null(domain, &nomem);
    if (nomem)
        return oom(err);
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
    _cleanup_free_ char *d = lower_or_null(domain, &nomem);
    if (nomem)
        return oom(err);
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
    const char *name = NULL, *phone = NULL, *title = NULL, *email_in = NULL;
    bool nomem = false;
    int r = require_object(contact, "contact", err);
    if (r < 0)
        return r;
    if ((r = opt_string(contact, "name", "contact.name", &name, err)) < 0 ||
        (r = opt_string(contact, "email", "contact.email", &email_in, err)) < 0 ||
        (r = opt_string(contact, "phone", "contact.phone", &phone, err)) < 0 ||
        (r = opt_string(contact, "title", "contact.title", &title, err)) < 0)
        return r;
    _cleanup_free_ char *email = lower_or_null(email_in, &nomem);
    if (nomem)
        return oom(err);
    dw__pg_p_id(&p, account_id);
    dw__pg_p_text(&p, email);
    dw__pg_p_text(&p, name);
    dw__pg_p_text(&p, phone);
    dw__pg_p_text(&p, title);
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
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_int(&p, account_id);
    dw__pg_p_int(&p, exclude_deal);
    int r = dw__pg_run(dw__pg(s), "deals_for_account",
                       "SELECT d.id, d.stage, d.created_at, q.total AS \"total:money\", "
                       "q.digits AS \":digits\", "
                       "CASE WHEN d.currency <> '' THEN d.currency ELSE q.currency END "
                       "AS currency FROM deals d " LATEST_QUOTE
                       "WHERE d.account_id = $1::bigint AND d.id <> $2::bigint ORDER BY d.id",
                       &p, &res, err);
    return r < 0 ? r : dw__pg_rows(res, ret, err);
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

static void copy_col(const PGresult *res, int col, char *buf, size_t size) {
    const char *t = dw__pg_text(res, 0, col);
    snprintf(buf, size, "%s", t ? t : "");
}

static int pg_deal_get(struct dw_store *s, int64_t id, struct dw_deal_rec *ret,
                       struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    struct dw_deal_rec d = {0};
    dw__pg_p_int(&p, id);
    int r = dw__pg_run(dw__pg(s), "deal_get",
                       "SELECT id, stage, facts, runnable, attempts, next_attempt_at, "
                       "last_error, parked, account_id, contact_id, currency, created_at, "
                       "updated_at FROM deals WHERE id = $1::bigint",
                       &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "no deal %lld", (long long)id);
    const char *stage = dw__pg_text(res, 0, 1);
    if (!stage || dw_stage_parse(stage, &d.stage) < 0)
        return dw_error_set(err, -DW_ESTORE, "deal %lld has an unknown stage '%s'", (long long)id,
                            stage ? stage : "");
    d.id = dw__pg_int(res, 0, 0);
    d.facts = (uint32_t)dw__pg_int(res, 0, 2);
    d.runnable = dw__pg_int(res, 0, 3) != 0;
    d.attempts = (int)dw__pg_int(res, 0, 4);
    d.next_attempt_at = dw__pg_time(res, 0, 5);
    copy_col(res, 6, d.last_error, sizeof d.last_error);
    d.parked = dw__pg_int(res, 0, 7) != 0;
    d.account_id = dw__pg_int(res, 0, 8);
    d.contact_id = dw__pg_int(res, 0, 9);
    copy_col(res, 10, d.currency, sizeof d.currency);
    d.created_at = dw__pg_time(res, 0, 11);
    d.updated_at = dw__pg_time(res, 0, 12);
    *ret = d;
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
    return exec_changed(dw__pg(s),
                        "UPDATE deals SET stage = $2::text, facts = $3::bigint, "
                        "runnable = $4::integer, attempts = $5::integer, "
                        "next_attempt_at = $6::text, last_error = $7::text, "
                        "parked = $8::integer, account_id = $9::bigint, "
                        "contact_id = $10::bigint, currency = $11::text, updated_at = $12::text "
                        "WHERE id = $1::bigint",
                        &p, "deal_update", rec->id, err);
}

/* Inside a write transaction the deals returned are locked to its end and the ones another
 * transaction holds are passed over (FOR UPDATE SKIP LOCKED): workers sharing the store
 * each get deals of their own. Outside one (or in a read-only snapshot) it only reads. */
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

#define DOC_KIND_MAX 32

static int doc_kind(const char *kind, const struct doc_kind **ret, struct dw_error *err) {
    size_t n = kind ? strlen(kind) : 0;
    if (n == 0 || n > DOC_KIND_MAX)
        return dw_error_field(err, -DW_EINVAL, "kind", "a document kind is 1 to %d characters",
                              DOC_KIND_MAX);
    for (size_t i = 0; i < n; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') ||
              kind[i] == '_'))
            return dw_error_field(err, -DW_EINVAL, "kind",
                                  "document kind '%s' may use a-z, 0-9 and _ only", kind);
    for (size_t i = 0; i < DW_ARRAY_SIZE(doc_kinds); i++)
        if (strcmp(doc_kinds[i].kind, kind) == 0) {
            *ret = &doc_kinds[i];
            return 0;
        }
    *ret = &doc_other;
    return 0;
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
    return dw__pg_run(dw__pg(s), "doc_put", k->put, &p, NULL, err);
}

static int pg_doc_get(struct dw_store *s, int64_t deal_id, const char *kind, json_t **ret,
                      struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    const struct doc_kind *k;
    int r = doc_kind(kind, &k, err);
    if (r < 0)
        return r;
    dw__pg_p_int(&p, deal_id);
    if (k == &doc_other)
        dw__pg_p_text(&p, kind);
    r = dw__pg_run(dw__pg(s), "doc_get", k->get, &p, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return dw_error_set(err, -DW_ENOENT, "deal %lld has no %s", (long long)deal_id, kind);
    return dw__pg_json(res, 0, 0, ret, err);
}

/* No read cache: the caller gets a fresh copy, which it owns like a shared one. */
static int pg_doc_peek(struct dw_store *s, int64_t deal_id, const char *kind, const json_t **ret,
                       struct dw_error *err) {
    json_t *doc = NULL;
    int r = pg_doc_get(s, deal_id, kind, &doc, err);
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
    return dw__pg_run(dw__pg(s), "doc_delete", k->del, &p, NULL, err);
}

/* ---- stats ------------------------------------------------------------------------- */

static int pg_stats(struct dw_store *s, json_t **ret, struct dw_error *err) {
    struct dw_pg *g = dw__pg(s);
    _cleanup_pgres_ PGresult *st = NULL, *counts = NULL;
    _cleanup_json_ json_t *out = NULL, *stages = json_object();
    if (!stages)
        return oom(err);
    int r =
        dw__pg_run(g, "stats", "SELECT stage, COUNT(*) FROM deals GROUP BY stage", NULL, &st, err);
    if (r < 0)
        return r;
    for (int i = 0; i < DW__STAGE_MAX; i++)
        if (dw_json_set(stages, dw_stage_name((enum dw_stage)i), json_integer(0)) < 0)
            return oom(err);
    for (int i = 0; i < PQntuples(st); i++) {
        const char *stage = dw__pg_text(st, i, 0);
        if (stage && dw_json_set(stages, stage, json_integer(dw__pg_int(st, i, 1))) < 0)
            return oom(err);
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
        return oom(err);
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
    return rows(dw__pg(s),
                "WITH firsts AS (SELECT deal_id, t, MIN(seq) AS first FROM (" STAGE_CHANGES
                ") c GROUP BY deal_id, t), sets AS (SELECT deal_id, ',' || "
                "string_agg(t, ',' ORDER BY first) || ',' AS stages FROM firsts "
                "GROUP BY deal_id) SELECT stages, n FROM (SELECT stages COLLATE \"C\" AS stages, "
                "COUNT(*) AS n FROM sets GROUP BY stages UNION ALL SELECT ',' COLLATE \"C\", "
                "(SELECT COUNT(*) FROM deals) - (SELECT COUNT(*) FROM sets)) x ORDER BY stages",
                "reports", ret, err);
}

static int pg_report_stays(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(dw__pg(s),
                "SELECT s AS stage, COUNT(*) AS n, round(AVG(d))::bigint AS mean_s, "
                "round(MAX(d))::bigint AS max_s FROM (SELECT s, " SECONDS(
                    "at", "COALESCE(LAG(at) OVER (PARTITION BY deal_id ORDER BY seq), "
                          "created_at)") " AS d FROM (" STAGE_CHANGES ") c) x "
                                         "GROUP BY s ORDER BY s",
                "reports", ret, err);
}

static int pg_report_time_to(struct dw_store *s, const char *stage, json_t **ret,
                             struct dw_error *err) {
    _cleanup_pgres_ PGresult *res = NULL;
    struct dw_pg_params p = {0};
    dw__pg_p_text(&p, stage);
    int r = dw__pg_run(dw__pg(s), "reports",
                       "SELECT COUNT(*) AS n, round(AVG(d))::bigint AS mean_s, "
                       "round(MAX(d))::bigint AS max_s FROM (SELECT DISTINCT ON (deal_id) " SECONDS(
                           "at", "created_at") " AS d FROM (" STAGE_CHANGES
                                               ") c WHERE t = $1::text ORDER BY deal_id, seq) x "
                                               "HAVING COUNT(*) > 0",
                       &p, &res, err);
    return r < 0 ? r : dw__pg_rows(res, ret, err);
}

static int pg_report_approvals(struct dw_store *s, json_t **ret, struct dw_error *err) {
    return rows(dw__pg(s),
                "SELECT status COLLATE \"C\" AS status, COUNT(*) AS n, round(AVG(" SECONDS(
                    "decided_at",
                    "created_at") "))::bigint AS mean_wait_s, MIN(created_at COLLATE \"C\") AS "
                                  "oldest FROM approvals GROUP BY 1 ORDER BY 1",
                "reports", ret, err);
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

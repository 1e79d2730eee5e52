/* store/sqlite/migrations — the schema, as an ordered list of versioned migrations.
 *
 * Each migration is {version, description, SQL}. On open, every migration newer than the
 * database's version is applied in order inside one BEGIN IMMEDIATE transaction and
 * recorded in schema_migrations, so a crash or a failing migration leaves the database at
 * its previous version, and two processes opening a fresh file at once apply them once.
 * A database whose version is newer than the code knows is refused: an older binary must
 * not write into a schema it does not understand.
 *
 * Rules for adding one: append (never edit an applied migration), bump the version by one,
 * keep it idempotent only in the sense that it runs once, and describe it in
 * docs/internals/store.md.
 *
 * Conventions: money is INTEGER minor units, times are TEXT RFC 3339 UTC
 * ("2026-11-20T09:14:00Z", which sorts as time), JSON is TEXT, booleans INTEGER 0/1.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_internal.h"

struct migration {
    int version;
    const char *description;
    const char *sql;
};

static const char schema_v1[] =
    /* Accounts and contacts: the company and the person a lead came from. */
    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  domain TEXT," /* lower-case; unique when known */
    "  country TEXT,"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE UNIQUE INDEX accounts_domain ON accounts (domain) WHERE domain IS NOT NULL;"
    "CREATE INDEX accounts_name ON accounts (name COLLATE NOCASE);"
    "CREATE TABLE contacts ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER REFERENCES accounts (id),"
    "  email TEXT UNIQUE," /* lower-case */
    "  name TEXT,"
    "  phone TEXT,"
    "  title TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    /* Deals: the control plane's row. */
    "CREATE TABLE deals ("
    "  id INTEGER PRIMARY KEY,"
    "  stage TEXT NOT NULL,"
    "  facts INTEGER NOT NULL DEFAULT 0,"
    "  runnable INTEGER NOT NULL DEFAULT 1,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at TEXT NOT NULL,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  parked INTEGER NOT NULL DEFAULT 0,"
    "  account_id INTEGER REFERENCES accounts (id),"
    "  contact_id INTEGER REFERENCES contacts (id),"
    "  currency TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ");"
    "CREATE INDEX deals_due ON deals (runnable, parked, next_attempt_at, id);"
    "CREATE INDEX deals_stage ON deals (stage, id);"
    "CREATE INDEX deals_account ON deals (account_id, id);"
    /* Leads: every message as received; (source, external_id) makes intake idempotent. */
    "CREATE TABLE leads ("
    "  id INTEGER PRIMARY KEY,"
    "  deal_id INTEGER REFERENCES deals (id),"
    "  source TEXT NOT NULL,"
    "  external_id TEXT NOT NULL,"
    "  received_at TEXT,"
    "  contact_email TEXT," /* lower-case */
    "  contact TEXT,"       /* JSON */
    "  subject TEXT,"
    "  message TEXT,"
    "  transcript TEXT,"   /* JSON */
    "  raw TEXT NOT NULL," /* JSON, the input object as received */
    "  intake TEXT,"       /* JSON, intake's result */
    "  duplicate_of INTEGER REFERENCES leads (id),"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (source, external_id)"
    ");"
    "CREATE INDEX leads_deal ON leads (deal_id, id);"
    "CREATE INDEX leads_contact_email ON leads (contact_email, deal_id);"
    /* Per-deal documents: the frequent kinds get a table each, the rest share deal_docs. */
    "CREATE TABLE requirements ("
    "  deal_id INTEGER PRIMARY KEY REFERENCES deals (id),"
    "  doc TEXT NOT NULL, ws_hash TEXT, updated_at TEXT NOT NULL"
    ");"
    "CREATE TABLE qualifications ("
    "  deal_id INTEGER PRIMARY KEY REFERENCES deals (id),"
    "  doc TEXT NOT NULL, ws_hash TEXT, updated_at TEXT NOT NULL"
    ");"
    "CREATE TABLE solutions ("
    "  deal_id INTEGER PRIMARY KEY REFERENCES deals (id),"
    "  doc TEXT NOT NULL, ws_hash TEXT, updated_at TEXT NOT NULL"
    ");"
    "CREATE TABLE proposals ("
    "  deal_id INTEGER PRIMARY KEY REFERENCES deals (id),"
    "  doc TEXT NOT NULL, ws_hash TEXT, updated_at TEXT NOT NULL"
    ");"
    "CREATE TABLE deal_docs ("
    "  deal_id INTEGER NOT NULL REFERENCES deals (id),"
    "  kind TEXT NOT NULL,"
    "  doc TEXT NOT NULL, ws_hash TEXT, updated_at TEXT NOT NULL,"
    "  PRIMARY KEY (deal_id, kind)"
    ") WITHOUT ROWID;"
    /* Quotes: immutable revisions; lines in their own table with exact integer money. */
    "CREATE TABLE quotes ("
    "  id INTEGER PRIMARY KEY,"
    "  deal_id INTEGER NOT NULL REFERENCES deals (id),"
    "  revision INTEGER NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  digits INTEGER NOT NULL,"
    "  subtotal INTEGER NOT NULL,"
    "  discount INTEGER NOT NULL,"
    "  total INTEGER NOT NULL,"
    "  discount_bp INTEGER NOT NULL,"
    "  term_months INTEGER NOT NULL,"
    "  ws_hash TEXT,"
    "  extra TEXT," /* JSON object: the caller's other keys */
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (deal_id, revision)"
    ");"
    "CREATE TABLE quote_lines ("
    "  quote_id INTEGER NOT NULL REFERENCES quotes (id),"
    "  line_no INTEGER NOT NULL,"
    "  sku TEXT NOT NULL,"
    "  name TEXT,"
    "  quantity INTEGER NOT NULL,"
    "  unit_price INTEGER NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  discount INTEGER NOT NULL,"
    "  net INTEGER NOT NULL,"
    "  billing TEXT,"
    "  term_months INTEGER,"
    "  extra TEXT,"
    "  PRIMARY KEY (quote_id, line_no)"
    ") WITHOUT ROWID;"
    /* Approvals: bound to the content hash of the quote revision they approve. */
    "CREATE TABLE approvals ("
    "  id INTEGER PRIMARY KEY,"
    "  deal_id INTEGER NOT NULL REFERENCES deals (id),"
    "  kind TEXT NOT NULL,"
    "  required_role TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  rule TEXT,"
    "  quote_revision INTEGER,"
    "  quote_hash TEXT,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('pending', 'approved', 'rejected', 'void')),"
    "  decided_by TEXT,"
    "  decided_at TEXT,"
    "  note TEXT,"
    "  voided_at TEXT,"
    "  created_at TEXT NOT NULL"
    ");"
    "CREATE INDEX approvals_deal ON approvals (deal_id, id);"
    "CREATE INDEX approvals_status ON approvals (status, id);"
    /* Orders: at most one per deal, from exactly one accepted quote revision. */
    "CREATE TABLE orders ("
    "  id INTEGER PRIMARY KEY,"
    "  deal_id INTEGER NOT NULL UNIQUE REFERENCES deals (id),"
    "  quote_revision INTEGER NOT NULL,"
    "  quote_hash TEXT NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  digits INTEGER NOT NULL,"
    "  total INTEGER NOT NULL,"
    "  accepted_by TEXT,"
    "  lines TEXT NOT NULL," /* JSON array copied from the quote */
    "  extra TEXT,"
    "  created_at TEXT NOT NULL"
    ");"
    /* Event log and audit chain: append-only, enforced here as well as in the code. No
     * foreign key on deal_id: a record about a refused action may name no real deal. */
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  deal_id INTEGER,"
    "  type TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  data TEXT NOT NULL"
    ");"
    "CREATE INDEX events_deal ON events (deal_id, seq);"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TABLE audit ("
    "  seq INTEGER PRIMARY KEY," /* assigned by the code (last + 1): it is hashed */
    "  at TEXT NOT NULL,"
    "  deal_id INTEGER,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  ws_hash TEXT,"
    "  data TEXT NOT NULL," /* canonical JSON */
    "  prev TEXT NOT NULL,"
    "  hash TEXT NOT NULL"
    ");"
    "CREATE INDEX audit_deal ON audit (deal_id, seq);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

static const char schema_v2[] =
    /* Scoring models: every trained version kept; the latest is the one in use. */
    "CREATE TABLE score_models ("
    "  version INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL,"  /* SHA-256 of the training data and parameters */
    "  meta TEXT NOT NULL,"  /* JSON: schema, params, rows, positives, train_auc, ... */
    "  model BLOB NOT NULL," /* XGBoost's JSON model */
    "  created_at TEXT NOT NULL"
    ");";

static const char schema_v3[] =
    /* API tokens of the server: only a hash of the secret is kept (the secret is shown
     * once, when the token is created). A revoked token stays, with revoked_at set. */
    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  user TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  hash TEXT NOT NULL UNIQUE," /* SHA-256 hex of the secret */
    "  prefix TEXT NOT NULL,"      /* the secret's first characters, to tell tokens apart */
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT"
    ");";

static const char schema_v4[] =
    /* Webhook subscriptions and their deliveries: the outbox. A subscription's last_seq is
     * the last event it has taken in; taking events in (a delivery row each) and moving
     * last_seq happen in one transaction, so no event is lost or queued twice. The secret is
     * kept as given: the server signs with it (HMAC-SHA256). */
    "CREATE TABLE webhooks ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  events TEXT NOT NULL," /* comma-separated event types, or "*" */
    "  secret TEXT NOT NULL,"
    "  last_seq INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  removed_at TEXT"
    ");"
    "CREATE TABLE webhook_deliveries ("
    "  id INTEGER PRIMARY KEY,"
    "  webhook_id INTEGER NOT NULL REFERENCES webhooks (id),"
    "  event_seq INTEGER NOT NULL,"
    "  event_type TEXT NOT NULL,"
    "  body TEXT NOT NULL,"   /* the JSON posted, exactly */
    "  status TEXT NOT NULL," /* pending, delivered, dead */
    "  attempts INTEGER NOT NULL,"
    "  next_at INTEGER NOT NULL," /* milliseconds since the epoch */
    "  last_status INTEGER,"      /* the receiver's last HTTP status */
    "  last_error TEXT,"
    "  created_at TEXT NOT NULL,"
    "  UNIQUE (webhook_id, event_seq)"
    ");"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);";

static const char schema_v5[] =
    /* Demo slots offered to a deal and held for it, so that no two open deals are offered
     * the same engineer's hour. A hold lapses at expires_at (the slot's start or the end of
     * the hold, whichever is first) or when the deal ends; the scheduling step replaces its
     * deal's holds in its own transaction. Times in seconds since the epoch. */
    "CREATE TABLE slot_holds ("
    "  deal_id INTEGER NOT NULL REFERENCES deals (id),"
    "  user TEXT NOT NULL,"
    "  start INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  PRIMARY KEY (deal_id, user, start)"
    ");"
    "CREATE INDEX slot_holds_start ON slot_holds (start);";

static const char schema_v6[] =
    /* The reports' running totals, derived from the event log by the database itself: a
     * trigger on each deal.stage_changed event (data {from, to, by}) updates them in the
     * event's own transaction, so they can never disagree with the log, which stays the one
     * source of truth; this migration builds them from the log already there. Times are
     * the events' and deals' ISO 8601 UTC texts; durations in seconds (julianday).
     *  - report_deal_stages: per deal, the set of stages it has entered (",a,b,", in the
     *    order first entered) and the time of its last stage change;
     *  - report_stays: per stage, the finished stays in it (a change out of it), the sum
     *    and the longest, a stay starting at the previous change or the deal's creation;
     *  - report_firsts: per stage, the deals that have entered it, with the sum and the
     *    longest time from the deal's creation to its first entering it. */
    "CREATE TABLE report_deal_stages ("
    "  deal_id INTEGER PRIMARY KEY,"
    "  stages TEXT NOT NULL,"
    "  last_at TEXT NOT NULL"
    ");"
    "CREATE INDEX report_deal_stages_set ON report_deal_stages (stages);"
    "CREATE TABLE report_stays ("
    "  stage TEXT PRIMARY KEY,"
    "  n INTEGER NOT NULL,"
    "  total_s REAL NOT NULL,"
    "  max_s REAL NOT NULL"
    ");"
    "CREATE TABLE report_firsts ("
    "  stage TEXT PRIMARY KEY,"
    "  n INTEGER NOT NULL,"
    "  total_s REAL NOT NULL,"
    "  max_s REAL NOT NULL"
    ");"
    "INSERT INTO report_stays (stage, n, total_s, max_s)"
    "  SELECT s, COUNT(*), SUM(d), MAX(d) FROM (SELECT json_extract(e.data, '$.from') AS s,"
    "  (julianday(e.at) - julianday(COALESCE(LAG(e.at) OVER (PARTITION BY e.deal_id ORDER BY"
    "  e.seq), d.created_at))) * 86400.0 AS d FROM events e JOIN deals d ON d.id = e.deal_id"
    "  WHERE e.type = 'deal.stage_changed') GROUP BY s;"
    "INSERT INTO report_firsts (stage, n, total_s, max_s)"
    "  SELECT t, COUNT(*), SUM(d), MAX(d) FROM (SELECT json_extract(e.data, '$.to') AS t,"
    "  (julianday(MIN(e.at)) - julianday(d.created_at)) * 86400.0 AS d FROM events e JOIN deals"
    "  d ON d.id = e.deal_id WHERE e.type = 'deal.stage_changed' GROUP BY e.deal_id, t)"
    "  GROUP BY t;"
    "INSERT INTO report_deal_stages (deal_id, stages, last_at)"
    "  SELECT deal_id, ',' || group_concat(t, ',') || ',', (SELECT x.at FROM events x WHERE"
    "  x.deal_id = f.deal_id AND x.type = 'deal.stage_changed' ORDER BY x.seq DESC LIMIT 1)"
    "  FROM (SELECT e.deal_id, json_extract(e.data, '$.to') AS t, MIN(e.seq) AS first FROM"
    "  events e JOIN deals d ON d.id = e.deal_id WHERE e.type = 'deal.stage_changed'"
    "  GROUP BY e.deal_id, t ORDER BY e.deal_id, first) f GROUP BY deal_id;"
    "CREATE TRIGGER events_report AFTER INSERT ON events"
    "  WHEN new.type = 'deal.stage_changed' AND EXISTS (SELECT 1 FROM deals WHERE id = new.deal_id)"
    "  BEGIN"
    "  INSERT INTO report_stays (stage, n, total_s, max_s)"
    "    SELECT json_extract(new.data, '$.from'), 1, d, d FROM (SELECT (julianday(new.at) -"
    "    julianday(COALESCE((SELECT last_at FROM report_deal_stages WHERE deal_id ="
    "    new.deal_id), (SELECT created_at FROM deals WHERE id = new.deal_id)))) * 86400.0 AS d)"
    "    WHERE 1 ON CONFLICT (stage) DO UPDATE SET n = n + 1, total_s = total_s +"
    "    excluded.total_s, max_s = MAX(max_s, excluded.max_s);"
    "  INSERT INTO report_firsts (stage, n, total_s, max_s)"
    "    SELECT json_extract(new.data, '$.to'), 1, d, d FROM (SELECT (julianday(new.at) -"
    "    julianday(created_at)) * 86400.0 AS d FROM deals WHERE id = new.deal_id)"
    "    WHERE instr(COALESCE((SELECT stages FROM report_deal_stages WHERE deal_id ="
    "    new.deal_id), ','), ',' || json_extract(new.data, '$.to') || ',') = 0"
    "    ON CONFLICT (stage) DO UPDATE SET n = n + 1, total_s = total_s + excluded.total_s,"
    "    max_s = MAX(max_s, excluded.max_s);"
    "  INSERT INTO report_deal_stages (deal_id, stages, last_at)"
    "    VALUES (new.deal_id, ',' || json_extract(new.data, '$.to') || ',', new.at)"
    "    ON CONFLICT (deal_id) DO UPDATE SET stages = CASE WHEN instr(stages, ',' ||"
    "    json_extract(new.data, '$.to') || ',') THEN stages ELSE stages ||"
    "    json_extract(new.data, '$.to') || ',' END, last_at = excluded.last_at;"
    "  END;";

static const char schema_v7[] =
    /* Demo bookings: the slot a deal's customer took, one row per deal (a rebooking or a
     * cancellation updates it; number counts the deal's bookings for the invitation's UID,
     * sequence its changes for the invitation's SEQUENCE). Two deals can never book the same
     * engineer's start: the partial unique index refuses the second. Times in seconds since
     * the epoch. */
    "CREATE TABLE bookings ("
    "  deal_id INTEGER PRIMARY KEY REFERENCES deals (id),"
    "  user TEXT NOT NULL,"
    "  start INTEGER NOT NULL,"
    "  minutes INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),"
    "  number INTEGER NOT NULL,"
    "  sequence INTEGER NOT NULL,"
    "  booked_by TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE UNIQUE INDEX bookings_slot ON bookings (user, start) WHERE status = 'booked';";
static const char schema_buyer_keys[] =
    /* Keys the store keeps for the library's own signatures (the buyer's page links, the
     * form tokens of its page, the hashes of a buyer's address): random bytes made on first
     * use, never shown, never in the event log or the audit chain. */
    "CREATE TABLE store_keys ("
    "  name TEXT PRIMARY KEY,"
    "  key BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");";

static const char schema_mail_outbox[] =
    /* The outbox of mail (docs/internals/mail.md): each message as it will be sent, composed
     * once, so that a send after a crash carries the same bytes and Message-ID. status
     * pending | sending | sent | dead; next_at (seconds since the epoch) is when it is due,
     * moved forward when a sender claims it, so a sender that dies leaves it due again. */
    "CREATE TABLE mail_outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  deal_id INTEGER NOT NULL REFERENCES deals (id),"
    "  kind TEXT NOT NULL,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  sender TEXT NOT NULL,"
    "  recipient TEXT NOT NULL,"
    "  message TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending',"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  sent_at TEXT,"
    "  last_error TEXT"
    ");"
    "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_at);";
/* The event outbox's publisher cursors (lib/control/events.c): the last event seq a
 * publisher has handed to NATS JetStream, by publisher name. Moved only forward, in the
 * transaction that holds the publisher's lease. */
static const char schema_outbox_cursors[] = "CREATE TABLE outbox_cursors ("
                                            "  name TEXT PRIMARY KEY,"
                                            "  seq INTEGER NOT NULL,"
                                            "  updated_at TEXT NOT NULL"
                                            ");";
static const char schema_leases[] =
    /* Worker leases (sqlite_leases.c, docs/internals/scale-out.md): the deal a control
     * plane (owner: "host:pid:n") has claimed, until when (wall clock, ms since the epoch).
     * No row: nobody holds the deal. */
    "CREATE TABLE deal_leases ("
    "  deal_id INTEGER PRIMARY KEY,"
    "  owner TEXT NOT NULL,"
    "  until_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX deal_leases_owner ON deal_leases (owner);";

static const struct migration migrations[] = {
    {1,
     "initial schema: leads, accounts, contacts, deals, documents, quotes, approvals, "
     "orders, events, audit",
     schema_v1},
    {2, "scoring models", schema_v2},
    {3, "API tokens", schema_v3},
    {4, "webhooks and their deliveries", schema_v4},
    {5, "demo slot holds", schema_v5},
    {6, "the reports' running totals, kept from the event log by a trigger", schema_v6},
    {7, "demo bookings", schema_v7},
    {8, "keys the library keeps for its own signatures", schema_buyer_keys},
    {9, "the outbox of mail", schema_mail_outbox},
    {10, "worker leases", schema_leases},
    {11, "the event outbox's publisher cursors", schema_outbox_cursors},
};

int dw__sqlite_schema_version(void) {
    return migrations[DW_ARRAY_SIZE(migrations) - 1].version;
}

static int exec(sqlite3 *db, const char *sql, struct dw_error *err, const char *what) {
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? -DW_EBUSY : -DW_ESTORE;
    dw_error_set(err, code, "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return code;
}

static int current_version(sqlite3 *db, int *ret, struct dw_error *err) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1,
                                &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *ret = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        dw_error_set(err, -DW_ESTORE, "reading the schema version: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -DW_ESTORE;
}

static int record(sqlite3 *db, const struct migration *m, struct dw_error *err) {
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO schema_migrations (version, description, "
                                "applied_at) VALUES (?1, ?2, ?3)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, m->version);
        sqlite3_bind_text(st, 2, m->description, -1, SQLITE_STATIC);
        /* when the schema changed on disk: the wall clock even when the engine's is pinned */
        sqlite3_bind_text(st, 3, dw_time_format(dw_clock_now(NULL), now, sizeof now), -1,
                          SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        dw_error_set(err, -DW_ESTORE, "recording migration %d: %s", m->version, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -DW_ESTORE;
}

static int apply_pending(sqlite3 *db, struct dw_error *err) {
    int version = 0, r;
    int newest = dw__sqlite_schema_version();

    r = exec(db,
             "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
             "description TEXT NOT NULL, applied_at TEXT NOT NULL)",
             err, "creating schema_migrations");
    if (r < 0)
        return r;
    r = current_version(db, &version, err);
    if (r < 0)
        return r;
    if (version > newest)
        return dw_error_set(err, -DW_ESTORE,
                            "the database has schema version %d but this dealwright knows "
                            "versions up to %d only; use a newer dealwright",
                            version, newest);
    for (size_t i = 0; i < DW_ARRAY_SIZE(migrations); i++) {
        const struct migration *m = &migrations[i];
        char what[64];
        if (m->version <= version)
            continue;
        snprintf(what, sizeof what, "migration %d", m->version);
        r = exec(db, m->sql, err, what);
        if (r < 0)
            return r;
        r = record(db, m, err);
        if (r < 0)
            return r;
    }
    return 0;
}

int dw__sqlite_migrate(sqlite3 *db, struct dw_error *err) {
    /* The usual open finds the schema current: a plain read says so without the write
     * lock, so a CLI command or a test opening the store beside a busy server does not
     * queue behind the server's writers. Anything else (a new file, an older schema, a
     * newer one to refuse) takes the locked path below, which reads the version again. */
    int version = -1;
    struct dw_error ignored = {0};
    if (current_version(db, &version, &ignored) == 0 && version == dw__sqlite_schema_version())
        return 0;
    int r = exec(db, "BEGIN IMMEDIATE", err, "starting the migration transaction");
    if (r < 0)
        return r;
    r = apply_pending(db, err);
    if (r < 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    r = exec(db, "COMMIT", err, "committing the migrations");
    if (r < 0 && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

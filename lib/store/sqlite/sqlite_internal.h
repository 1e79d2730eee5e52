/* store/sqlite — shared internals of the SQLite backend (not a public header).
 *
 * The backend is split by subject: sqlite.c (open, close, transactions, the statement
 * cache, row helpers and the ops table), sqlite_deals.c (leads, accounts, contacts, deals,
 * documents, listings, stats), sqlite_quotes.c (quotes, approvals, orders),
 * sqlite_audit.c (the event log and the audit chain) and migrations.c (the schema).
 *
 * Every SQL statement the backend runs is one entry of DW__SQ_LIST below. A statement is
 * prepared the first time it is used and then kept for the life of the store (reset and
 * re-bound on every use), so the hot path never parses SQL. Parameters are numbered
 * (?1, ?2, ...) and documented by the C code that binds them.
 *
 * Result columns are turned into JSON by dw__sq_row(): an INTEGER becomes a JSON integer,
 * TEXT a string, NULL null. A suffix on the column name changes that (and is dropped from
 * the key): "x:json" is JSON text parsed, "x:bool" becomes true/false, "x:money" becomes a
 * decimal string with the digits of the hidden column ":digits" (2 when absent). A name
 * starting with ':' is hidden; ":extra" is a JSON object whose keys are merged into the
 * row (the keys a caller gave that have no column of their own). So the SELECT lists below
 * are also the record shapes of store.h.
 */
#ifndef DW_STORE_SQLITE_INTERNAL_H
#define DW_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* Columns of a lead as lead_get returns it. */
#define DW__SQ_LEAD_COLS                                                                           \
    "id, deal_id, source, external_id, received_at, contact_email, "                               \
    "contact AS [contact:json], subject, message, transcript AS [transcript:json], "               \
    "raw AS [raw:json], intake AS [intake:json], duplicate_of, created_at"

#define DW__SQ_DEAL_COLS                                                                           \
    "id, stage, facts, runnable, attempts, next_attempt_at, last_error, parked, "                  \
    "account_id, contact_id, currency, created_at, updated_at"

#define DW__SQ_APPROVAL_COLS                                                                       \
    "id, deal_id, kind, required_role, reason, rule, quote_revision, quote_hash, status, "         \
    "decided_by, decided_at, note, voided_at, created_at"

#define DW__SQ_QUOTE_COLS                                                                          \
    "id, deal_id, revision, hash, currency, digits, subtotal, discount, total, "                   \
    "discount_bp, term_months, ws_hash, created_at, extra AS [:extra]"

#define DW__SQ_AUDIT_COLS "seq, at, deal_id, actor, action, ws_hash, data, prev, hash"

/* The newest quote of deal d.id (for listings). */
#define DW__SQ_LATEST_QUOTE                                                                        \
    "LEFT JOIN quotes q ON q.id = (SELECT id FROM quotes WHERE deal_id = d.id "                    \
    "ORDER BY revision DESC LIMIT 1) "

#define DW__SQ_DEAL_LIST_COLS                                                                      \
    "d.id, d.stage, a.name AS account, "                                                           \
    "COALESCE(c.email, (SELECT contact_email FROM leads WHERE deal_id = d.id "                     \
    "ORDER BY id LIMIT 1)) AS contact_email, "                                                     \
    "CASE WHEN d.currency <> '' THEN d.currency ELSE q.currency END AS currency, "                 \
    "q.total AS [total:money], q.digits AS [:digits], d.updated_at, d.parked AS [parked:bool], "   \
    "d.last_error "

#define DW__SQ_LIST(X)                                                                             \
    /* transactions */                                                                             \
    X(BEGIN, "BEGIN IMMEDIATE")                                                                    \
    X(BEGIN_READ, "BEGIN DEFERRED")                                                                \
    X(COMMIT, "COMMIT")                                                                            \
    X(ROLLBACK, "ROLLBACK")                                                                        \
    X(SAVEPOINT, "SAVEPOINT sp")                                                                   \
    X(RELEASE, "RELEASE sp")                                                                       \
    X(ROLLBACK_TO, "ROLLBACK TO sp")                                                               \
    /* leads */                                                                                    \
    X(LEAD_INSERT, "INSERT INTO leads (deal_id, source, external_id, received_at, contact_email, " \
                   "contact, subject, message, transcript, raw, duplicate_of, created_at) "        \
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "                   \
                   "ON CONFLICT (source, external_id) DO NOTHING")                                 \
    X(LEAD_FIND, "SELECT id, deal_id FROM leads WHERE source = ?1 AND external_id = ?2")           \
    X(LEAD_GET, "SELECT " DW__SQ_LEAD_COLS " FROM leads WHERE id = ?1")                            \
    X(LEADS_FOR_DEAL, "SELECT " DW__SQ_LEAD_COLS " FROM leads WHERE deal_id = ?1 ORDER BY id")     \
    X(LEAD_SET_INTAKE,                                                                             \
      "UPDATE leads SET intake = ?2, contact_email = COALESCE(?3, contact_email) "                 \
      "WHERE id = ?1")                                                                             \
    X(LEAD_MOVE, "UPDATE leads SET deal_id = ?2 WHERE id = ?1")                                    \
    X(LEAD_REDACT,                                                                                 \
      "UPDATE leads SET raw = ?2, intake = ?3, contact_email = NULL, "                             \
      "contact = json_extract(?2, '$.contact'), subject = json_extract(?2, '$.subject'), "         \
      "message = json_extract(?2, '$.message'), transcript = json_extract(?2, '$.transcript') "    \
      "WHERE id = ?1")                                                                             \
    X(CONTACT_REDACT,                                                                              \
      "UPDATE contacts SET name = NULL, email = NULL, phone = NULL, title = NULL, "                \
      "updated_at = ?2 WHERE id = ?1")                                                             \
    X(DEAL_FIND_OPEN_BY_EMAIL, "SELECT d.id FROM leads l JOIN deals d ON d.id = l.deal_id "        \
                               "WHERE l.contact_email = ?1 AND d.id <> ?2 "                        \
                               "AND d.stage NOT IN ('ordered', 'lost', 'disqualified') "           \
                               "ORDER BY d.id DESC LIMIT 1")                                       \
    /* accounts and contacts */                                                                    \
    X(ACCOUNT_FIND_DOMAIN,                                                                         \
      "SELECT id, name, domain, country, created_at FROM accounts WHERE domain = ?1")              \
    X(ACCOUNT_FIND_NAME, "SELECT id, name, domain, country, created_at FROM accounts "             \
                         "WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1")                     \
    X(ACCOUNT_INSERT,                                                                              \
      "INSERT INTO accounts (name, domain, country, created_at) VALUES (?1, ?2, ?3, ?4) "          \
      "ON CONFLICT DO NOTHING")                                                                    \
    X(ACCOUNT_GET, "SELECT id, name, domain, country, created_at FROM accounts WHERE id = ?1")     \
    X(CONTACT_UPSERT,                                                                              \
      "INSERT INTO contacts (account_id, email, name, phone, title, created_at, "                  \
      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "                                           \
      "ON CONFLICT (email) DO UPDATE SET "                                                         \
      "account_id = COALESCE(excluded.account_id, account_id), "                                   \
      "name = COALESCE(excluded.name, name), phone = COALESCE(excluded.phone, phone), "            \
      "title = COALESCE(excluded.title, title), updated_at = excluded.updated_at "                 \
      "RETURNING id")                                                                              \
    X(CONTACT_GET, "SELECT id, account_id, name, email, phone, title, created_at, updated_at "     \
                   "FROM contacts WHERE id = ?1")                                                  \
    X(DEALS_FOR_ACCOUNT,                                                                           \
      "SELECT d.id, d.stage, d.created_at, q.total AS [total:money], q.digits AS [:digits], "      \
      "CASE WHEN d.currency <> '' THEN d.currency ELSE q.currency END AS currency "                \
      "FROM deals d " DW__SQ_LATEST_QUOTE "WHERE d.account_id = ?1 AND d.id <> ?2 ORDER BY d.id")  \
    /* deals */                                                                                    \
    X(DEAL_INSERT, "INSERT INTO deals (stage, next_attempt_at, created_at, updated_at) "           \
                   "VALUES ('new', ?1, ?1, ?1)")                                                   \
    X(DEAL_GET, "SELECT " DW__SQ_DEAL_COLS " FROM deals WHERE id = ?1")                            \
    /* the columns no index holds, for an update that leaves the indexed ones as they are */       \
    X(DEAL_UPDATE_UNINDEXED, "UPDATE deals SET facts = ?2, attempts = ?3, last_error = ?4, "       \
                             "currency = ?5, updated_at = ?6 WHERE id = ?1")                       \
    X(DEAL_UPDATE, "UPDATE deals SET stage = ?2, facts = ?3, runnable = ?4, attempts = ?5, "       \
                   "next_attempt_at = ?6, last_error = ?7, parked = ?8, account_id = ?9, "         \
                   "contact_id = ?10, currency = ?11, updated_at = ?12 WHERE id = ?1")             \
    X(DEALS_DUE,                                                                                   \
      "SELECT id FROM deals WHERE runnable = 1 AND parked = 0 AND next_attempt_at <= ?1 "          \
      "ORDER BY id LIMIT ?2")                                                                      \
    X(DEALS_LIST_ALL, "SELECT " DW__SQ_DEAL_LIST_COLS "FROM deals d "                              \
                      "LEFT JOIN accounts a ON a.id = d.account_id "                               \
                      "LEFT JOIN contacts c ON c.id = d.contact_id " DW__SQ_LATEST_QUOTE           \
                      "WHERE d.id > ?1 ORDER BY d.id LIMIT ?2")                                    \
    X(DEALS_LIST_STAGE, "SELECT " DW__SQ_DEAL_LIST_COLS "FROM deals d "                            \
                        "LEFT JOIN accounts a ON a.id = d.account_id "                             \
                        "LEFT JOIN contacts c ON c.id = d.contact_id " DW__SQ_LATEST_QUOTE         \
                        "WHERE d.stage = ?1 AND d.id > ?2 ORDER BY d.id LIMIT ?3")                 \
    X(NEXT_DUE_AT, "SELECT MIN(next_attempt_at) FROM deals WHERE runnable = 1 AND parked = 0")     \
    /* documents: one table per frequent kind, the rest in deal_docs */                            \
    X(DOC_PUT_REQUIREMENTS, DW__SQ_DOC_PUT("requirements"))                                        \
    X(DOC_GET_REQUIREMENTS, DW__SQ_DOC_GET("requirements"))                                        \
    X(DOC_DEL_REQUIREMENTS, DW__SQ_DOC_DEL("requirements"))                                        \
    X(DOC_PUT_QUALIFICATION, DW__SQ_DOC_PUT("qualifications"))                                     \
    X(DOC_GET_QUALIFICATION, DW__SQ_DOC_GET("qualifications"))                                     \
    X(DOC_DEL_QUALIFICATION, DW__SQ_DOC_DEL("qualifications"))                                     \
    X(DOC_PUT_SOLUTION, DW__SQ_DOC_PUT("solutions"))                                               \
    X(DOC_GET_SOLUTION, DW__SQ_DOC_GET("solutions"))                                               \
    X(DOC_DEL_SOLUTION, DW__SQ_DOC_DEL("solutions"))                                               \
    X(DOC_PUT_PROPOSAL, DW__SQ_DOC_PUT("proposals"))                                               \
    X(DOC_GET_PROPOSAL, DW__SQ_DOC_GET("proposals"))                                               \
    X(DOC_DEL_PROPOSAL, DW__SQ_DOC_DEL("proposals"))                                               \
    X(DOC_PUT_OTHER,                                                                               \
      "INSERT INTO deal_docs (deal_id, kind, doc, ws_hash, updated_at) "                           \
      "VALUES (?1, ?5, ?2, ?3, ?4) ON CONFLICT (deal_id, kind) DO UPDATE SET "                     \
      "doc = excluded.doc, ws_hash = excluded.ws_hash, updated_at = excluded.updated_at")          \
    X(DOC_GET_OTHER, "SELECT doc FROM deal_docs WHERE deal_id = ?1 AND kind = ?2")                 \
    X(DOC_DEL_OTHER, "DELETE FROM deal_docs WHERE deal_id = ?1 AND kind = ?2")                     \
    /* quotes */                                                                                   \
    X(QUOTE_NEXT_REVISION, "SELECT COALESCE(MAX(revision), 0) + 1 FROM quotes WHERE deal_id = ?1") \
    X(QUOTE_INSERT,                                                                                \
      "INSERT INTO quotes (deal_id, revision, hash, currency, digits, subtotal, discount, "        \
      "total, discount_bp, term_months, ws_hash, extra, created_at) "                              \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")                           \
    X(QUOTE_LINE_INSERT,                                                                           \
      "INSERT INTO quote_lines (quote_id, line_no, sku, name, quantity, unit_price, "              \
      "amount, discount, net, billing, term_months, extra) "                                       \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")                                \
    X(QUOTE_GET_REVISION,                                                                          \
      "SELECT " DW__SQ_QUOTE_COLS " FROM quotes WHERE deal_id = ?1 AND revision = ?2")             \
    X(QUOTE_GET_LATEST, "SELECT " DW__SQ_QUOTE_COLS " FROM quotes WHERE deal_id = ?1 "             \
                        "ORDER BY revision DESC LIMIT 1")                                          \
    X(QUOTE_LINES, "SELECT sku, name, quantity, unit_price, amount, discount, net, billing, "      \
                   "term_months, extra AS [:extra] FROM quote_lines WHERE quote_id = ?1 "          \
                   "ORDER BY line_no")                                                             \
    X(QUOTES_FOR_DEAL,                                                                             \
      "SELECT " DW__SQ_QUOTE_COLS " FROM quotes WHERE deal_id = ?1 ORDER BY revision")             \
    /* approvals */                                                                                \
    X(APPROVAL_INSERT,                                                                             \
      "INSERT INTO approvals (deal_id, kind, required_role, reason, rule, quote_revision, "        \
      "quote_hash, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)")        \
    X(APPROVAL_GET, "SELECT " DW__SQ_APPROVAL_COLS " FROM approvals WHERE id = ?1")                \
    X(APPROVALS_FOR_DEAL,                                                                          \
      "SELECT " DW__SQ_APPROVAL_COLS " FROM approvals WHERE deal_id = ?1 ORDER BY id")             \
    X(APPROVALS_PENDING,                                                                           \
      "SELECT " DW__SQ_APPROVAL_COLS " FROM approvals WHERE status = 'pending' AND id > ?1 "       \
      "ORDER BY id LIMIT ?2")                                                                      \
    X(APPROVALS_BY_STATUS,                                                                         \
      "SELECT " DW__SQ_APPROVAL_COLS " FROM approvals WHERE (?3 IS NULL OR status = ?3) "          \
      "AND id > ?1 ORDER BY id LIMIT ?2")                                                          \
    X(APPROVAL_DECIDE,                                                                             \
      "UPDATE approvals SET status = ?2, decided_by = ?3, note = ?4, decided_at = ?5 "             \
      "WHERE id = ?1 AND status = 'pending'")                                                      \
    X(APPROVAL_EXISTS, "SELECT status FROM approvals WHERE id = ?1")                               \
    X(APPROVAL_REDACT, "UPDATE approvals SET reason = ?2, note = ?3 WHERE id = ?1")                \
    X(APPROVALS_VOID_STALE,                                                                        \
      "UPDATE approvals SET status = 'void', voided_at = ?3 WHERE deal_id = ?1 "                   \
      "AND status IN ('pending', 'approved') AND quote_hash IS NOT ?2")                            \
    /* orders */                                                                                   \
    X(ORDER_INSERT,                                                                                \
      "INSERT INTO orders (deal_id, quote_revision, quote_hash, currency, digits, total, "         \
      "accepted_by, lines, extra, created_at) "                                                    \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (deal_id) DO NOTHING")         \
    X(ORDER_GET, "SELECT id, deal_id, quote_revision, quote_hash, currency, digits, total, "       \
                 "accepted_by, lines AS [lines:json], extra AS [:extra], created_at "              \
                 "FROM orders WHERE deal_id = ?1")                                                 \
    X(ORDER_REDACT, "UPDATE orders SET accepted_by = ?2 WHERE deal_id = ?1")                       \
    /* event log */                                                                                \
    X(EVENT_APPEND, "INSERT INTO events (deal_id, type, at, data) VALUES (?1, ?2, ?3, ?4)")        \
    X(EVENTS_FOR_DEAL, "SELECT seq, type, at, data AS [data:json] FROM events WHERE deal_id = ?1 " \
                       "ORDER BY seq")                                                             \
    /* audit chain */                                                                              \
    X(AUDIT_TAIL, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")                         \
    X(AUDIT_APPEND, "INSERT INTO audit (" DW__SQ_AUDIT_COLS ") "                                   \
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                                 \
    X(AUDIT_ALL, "SELECT " DW__SQ_AUDIT_COLS " FROM audit ORDER BY seq")                           \
    X(AUDIT_FOR_DEAL,                                                                              \
      "SELECT seq, at, deal_id, actor, action, ws_hash, data AS [data:json], prev, hash "          \
      "FROM audit WHERE deal_id = ?1 ORDER BY seq")                                                \
    X(AUDIT_SINCE,                                                                                 \
      "SELECT seq, at, deal_id, actor, action, ws_hash, data AS [data:json], prev, hash "          \
      "FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2")                                           \
    /* API tokens */                                                                               \
    X(TOKEN_INSERT, "INSERT INTO api_tokens (user, role, hash, prefix, created_at) "               \
                    "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(TOKEN_FIND, "SELECT id, user, role FROM api_tokens WHERE hash = ?1 AND revoked_at IS NULL")  \
    X(TOKENS_LIST, "SELECT id, user, role, prefix, created_at, revoked_at FROM api_tokens "        \
                   "ORDER BY id")                                                                  \
    X(TOKEN_REVOKE, "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")  \
    X(KEY_ADD, "INSERT OR IGNORE INTO store_keys (name, key, created_at) VALUES (?1, ?2, ?3)")     \
    X(KEY_GET, "SELECT key FROM store_keys WHERE name = ?1")                                       \
    X(EVENTS_SINCE, "SELECT seq, deal_id, type, at, data AS [data:json] FROM events "              \
                    "WHERE seq > ?1 ORDER BY seq LIMIT ?2")                                        \
    X(HOOK_INSERT, "INSERT INTO webhooks (url, events, secret, last_seq, created_at) VALUES "      \
                   "(?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) FROM events), ?4)")                 \
    X(HOOKS_LIST, "SELECT id, url, events, secret, last_seq, created_at FROM webhooks "            \
                  "WHERE removed_at IS NULL ORDER BY id")                                          \
    X(HOOK_REMOVE, "UPDATE webhooks SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL")     \
    X(HOOK_ADVANCE, "UPDATE webhooks SET last_seq = ?2 WHERE id = ?1 AND last_seq < ?2")           \
    X(DELIVERY_INSERT, "INSERT OR IGNORE INTO webhook_deliveries (webhook_id, event_seq, "         \
                       "event_type, body, status, attempts, next_at, created_at) VALUES "          \
                       "(?1, ?2, ?3, ?4, 'pending', 0, ?5, ?6)")                                   \
    X(DELIVERIES_DUE, "SELECT d.id, d.webhook_id, d.event_seq, d.event_type, d.body, d.attempts, " \
                      "w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON "              \
                      "w.id = d.webhook_id WHERE d.status = 'pending' AND d.next_at <= ?1 AND "    \
                      "w.removed_at IS NULL ORDER BY d.id LIMIT ?2")                               \
    X(DELIVERY_UPDATE, "UPDATE webhook_deliveries SET status = ?2, attempts = ?3, next_at = ?4, "  \
                       "last_status = ?5, last_error = ?6 WHERE id = ?1")                          \
    X(DELIVERIES_LIST,                                                                             \
      "SELECT id, webhook_id, event_seq, event_type, status, attempts, "                           \
      "last_status, last_error, created_at FROM webhook_deliveries WHERE "                         \
      "(?1 IS NULL OR status = ?1) AND id > COALESCE(?3, 0) ORDER BY id LIMIT ?2")                 \
    X(DELIVERY_REPLAY, "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, "          \
                       "next_at = ?2 WHERE status = 'dead' AND (?1 IS NULL OR id = ?1)")           \
    X(DELIVERY_COUNTS, "SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status")     \
    X(SLOTS_HELD, "SELECT h.user, h.start FROM slot_holds h JOIN deals d ON d.id = h.deal_id "     \
                  "WHERE h.deal_id <> ?1 AND h.expires_at > ?2 AND h.start > ?2 AND "              \
                  "d.stage NOT IN ('ordered', 'lost', 'disqualified') UNION ALL "                  \
                  "SELECT b.user, b.start FROM bookings b WHERE b.deal_id <> ?1 AND "              \
                  "b.status = 'booked' AND b.start > ?2 ORDER BY 2")                               \
    X(SLOTS_ALL, "SELECT h.deal_id, h.user, h.start, h.expires_at, "                               \
                 "d.stage NOT IN ('ordered', 'lost', 'disqualified'), 0 FROM slot_holds h "        \
                 "JOIN deals d ON d.id = h.deal_id WHERE h.expires_at > ?1 AND h.start > ?1 "      \
                 "UNION ALL SELECT b.deal_id, b.user, b.start, b.start, 1, 1 FROM bookings b "     \
                 "WHERE b.status = 'booked' AND b.start > ?1 ORDER BY 3")                          \
    /* demo bookings (sqlite_bookings.c) */                                                        \
    X(BOOKING_GET, "SELECT deal_id, user, start, minutes, status, number, sequence, booked_by, "   \
                   "updated_at FROM bookings WHERE deal_id = ?1")                                  \
    X(BOOKING_PUT, "INSERT INTO bookings (deal_id, user, start, minutes, status, number, "         \
                   "sequence, booked_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) " \
                   "ON CONFLICT (deal_id) DO UPDATE SET user = excluded.user, start = "            \
                   "excluded.start, minutes = excluded.minutes, status = excluded.status, "        \
                   "number = excluded.number, sequence = excluded.sequence, booked_by = "          \
                   "excluded.booked_by, updated_at = excluded.updated_at")                         \
    X(SLOTS_FREE, "DELETE FROM slot_holds WHERE deal_id = ?1")                                     \
    X(MAIL_INSERT, "INSERT INTO mail_outbox (deal_id, kind, message_id, sender, recipient, "       \
                   "message, next_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "        \
                   "ON CONFLICT (message_id) DO NOTHING")                                          \
    X(MAIL_FIND, "SELECT id, status FROM mail_outbox WHERE message_id = ?1")                       \
    X(MAIL_DUE, "SELECT id, deal_id, kind, message_id, sender, recipient, message, attempts "      \
                "FROM mail_outbox WHERE status IN ('pending', 'sending') AND next_at <= ?1 "       \
                "ORDER BY id LIMIT ?2")                                                            \
    X(MAIL_CLAIM, "UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, "           \
                  "next_at = ?3 WHERE id = ?1 AND attempts = ?2 AND "                              \
                  "status IN ('pending', 'sending')")                                              \
    X(MAIL_UPDATE, "UPDATE mail_outbox SET status = ?2, next_at = ?3, last_error = ?4, "           \
                   "sent_at = ?5 WHERE id = ?1 AND attempts = ?6 AND status = 'sending'")          \
    X(MAIL_REDACT, "UPDATE mail_outbox SET message = ?2, recipient = ?2, last_error = CASE WHEN "  \
                   "status IN ('sent', 'dead') THEN last_error ELSE 'redacted by the privacy "     \
                   "purge before it was sent' END, status = CASE WHEN status = 'sent' THEN "       \
                   "'sent' ELSE 'dead' END WHERE deal_id = ?1")                                    \
    X(MAIL_LIST, "SELECT id, deal_id, kind, message_id, recipient AS [to], status, attempts, "     \
                 "next_at, created_at, sent_at, last_error FROM mail_outbox "                      \
                 "WHERE (?1 IS NULL OR status = ?1) ORDER BY id")                                  \
    X(SLOT_HOLD, "INSERT OR REPLACE INTO slot_holds (deal_id, user, start, expires_at) "           \
                 "VALUES (?1, ?2, ?3, ?4)")                                                        \
    /* reports: the running totals of migration 6 (migrations.c); ROUND as the figures are */      \
    X(REPORT_REACHED,                                                                              \
      "SELECT stages, COUNT(*) AS n FROM report_deal_stages GROUP BY stages UNION ALL SELECT "     \
      "',' AS stages, (SELECT COUNT(*) FROM deals) - (SELECT COUNT(*) FROM report_deal_stages) "   \
      "AS n ORDER BY stages")                                                                      \
    X(REPORT_STAYS,                                                                                \
      "SELECT stage, n, CAST(ROUND(total_s / n) AS INTEGER) AS mean_s, CAST(ROUND(max_s) AS "      \
      "INTEGER) AS max_s FROM report_stays WHERE n > 0 ORDER BY stage")                            \
    X(REPORT_TIME_TO,                                                                              \
      "SELECT n, CAST(ROUND(total_s / n) AS INTEGER) AS mean_s, CAST(ROUND(max_s) AS INTEGER) "    \
      "AS max_s FROM report_firsts WHERE stage = ?1 AND n > 0")                                    \
    X(REPORT_APPROVALS,                                                                            \
      "SELECT status, COUNT(*) AS n, CAST(ROUND(AVG((julianday(decided_at) - "                     \
      "julianday(created_at)) * 86400.0)) AS INTEGER) AS mean_wait_s, MIN(created_at) AS oldest "  \
      "FROM approvals GROUP BY status ORDER BY status")                                            \
    /* stats */                                                                                    \
    X(STATS_STAGES, "SELECT stage, COUNT(*) FROM deals GROUP BY stage")                            \
    X(STATS_COUNTS,                                                                                \
      "SELECT (SELECT COUNT(*) FROM approvals WHERE status = 'pending') "                          \
      "AS approvals_pending, (SELECT COUNT(*) FROM proposals) AS proposals, "                      \
      "(SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM leads) AS leads, "           \
      "(SELECT COUNT(*) FROM deals WHERE parked = 1) AS parked, "                                  \
      "(SELECT COUNT(*) FROM deals WHERE runnable = 1 AND parked = 0) AS runnable, "               \
      "(SELECT COALESCE(MAX(seq), 0) FROM events) AS last_event")                                  \
    /* the event outbox's publisher cursors (sqlite_outbox.c) */                                   \
    X(OUTBOX_CURSOR_GET, "SELECT seq FROM outbox_cursors WHERE name = ?1")                         \
    X(OUTBOX_CURSOR_ADVANCE,                                                                       \
      "INSERT INTO outbox_cursors (name, seq, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) " \
      "DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at "                        \
      "WHERE excluded.seq > outbox_cursors.seq")                                                   \
    X(DELIVERY_FOR_EVENT,                                                                          \
      "SELECT d.id, d.webhook_id, d.event_seq, d.event_type, d.body, d.status, d.attempts, "       \
      "d.next_at, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON "                   \
      "w.id = d.webhook_id WHERE d.webhook_id = ?1 AND d.event_seq = ?2")                          \
    X(DELIVERY_CLAIM, "UPDATE webhook_deliveries SET next_at = ?4 WHERE id = ?1 AND "              \
                      "status = 'pending' AND attempts = ?2 AND next_at <= ?3")

/* The four per-kind document tables share one shape (deal_id PRIMARY KEY). */
#define DW__SQ_DOC_PUT(table)                                                                      \
    "INSERT INTO " table " (deal_id, doc, ws_hash, updated_at) VALUES (?1, ?2, ?3, ?4) "           \
    "ON CONFLICT (deal_id) DO UPDATE SET doc = excluded.doc, ws_hash = excluded.ws_hash, "         \
    "updated_at = excluded.updated_at"
#define DW__SQ_DOC_GET(table) "SELECT doc FROM " table " WHERE deal_id = ?1"
#define DW__SQ_DOC_DEL(table) "DELETE FROM " table " WHERE deal_id = ?1"

enum dw__sq_id {
#define DW__SQ_ENUM(name, sql) DW__SQ_##name,
    DW__SQ_LIST(DW__SQ_ENUM)
#undef DW__SQ_ENUM
        DW__SQ_MAX
};

/* Savepoints may nest this deep (SQLite allows more; nobody needs more). */
#define DW__SQ_SAVEPOINT_MAX 8

/* The read cache of one write transaction (sqlite_cache.c): one deal's documents and
 * leads as parsed values. */
struct dw__sq_cached_doc {
    char kind[33];
    json_t *doc; /* NULL: the deal has no such document */
};
struct dw__sq_cache {
    bool on;         /* inside a transaction opened by begin */
    int64_t deal_id; /* the deal the entries belong to, 0 for none */
    struct dw__sq_cached_doc docs[16];
    size_t n_docs;
    json_t *leads;     /* the deal's leads, NULL when not cached */
    json_t *quote;     /* the deal's latest quote revision, NULL when not cached */
    json_t *approvals; /* the deal's approvals, NULL when not cached */
    bool has_rec;      /* rec is the deal's row as last read or written */
    struct dw_deal_rec rec;
    /* The audit chain's tail as this transaction last read or wrote it (any deal's: kept
     * when another deal is touched, forgotten with the rest at reset). */
    bool has_tail;
    int64_t tail_seq;
    char tail_hash[DW_SHA256_HEX];
};

/* The slot holds of one write transaction (sqlite_slots.c). */
struct dw__sq_hold {
    int64_t deal_id;
    char *user;
    dw_time_t start, expires;
    bool open;   /* the deal is not ordered, lost or disqualified */
    bool booked; /* a booking (bookings), which holds whatever the deal's stage */
};
struct dw__sq_holds {
    bool valid;          /* read in this transaction */
    dw_time_t loaded_at; /* the now it was read at */
    struct dw__sq_hold *v;
    size_t n, cap;
    json_t *shared;                    /* the answer for a deal holding nothing, or NULL */
    dw_time_t shared_at, shared_until; /* the now it was made at; when time changes it */
};

struct dw_sqlite {
    struct dw_store base; /* first: a struct dw_store * is a struct dw_sqlite * */
    sqlite3 *db;
    bool in_tx;          /* between begin and commit/rollback */
    int sp_depth;        /* open savepoints */
    int64_t truncate_at; /* when the last TRUNCATE checkpoint was tried, monotonic ms */
    sqlite3_stmt *stmts[DW__SQ_MAX];
    struct dw__sq_cache cache;
    struct dw__sq_holds holds;
    char *path;     /* where the state is (":memory:" too), for the model journal's file */
    sqlite3 *mc_db; /* the model journal's own connection (sqlite_mcalls.c), opened on use */
};

/* sqlite_mcalls.c: the model-call journal, in a database file of its own. */
void dw__sq_mc_close(struct dw_sqlite *q);
int dw__sq_mcall_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_id,
                        struct dw_error *err);
int dw__sq_mcall_find(struct dw_store *s, const char *key, json_t **ret, struct dw_error *err);
int dw__sq_mcall_verdict(struct dw_store *s, int64_t id, const char *verdict, const json_t *detail,
                         dw_time_t now, struct dw_error *err);
int dw__sq_mcalls_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__sq_mcall_tokens(struct dw_store *s, int64_t deal_id, dw_time_t since, int64_t *ret,
                        struct dw_error *err);
int dw__sq_mcalls_purge(struct dw_store *s, int64_t deal_id, int64_t *ret_n, struct dw_error *err);
int dw__sq_mcall_stats(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_mcall_recent(struct dw_store *s, const char *provider, int n, json_t **ret,
                        struct dw_error *err);

/* sqlite_cache.c. reset empties the cache and turns it on or off. The getters return
 * HIT with a deep copy in *ret (the caller owns it), ABSENT when the deal is known to
 * have no such document, MISS when the store must be read. set keeps a deep copy of what
 * was written or read (doc NULL: known absent); drop forgets an entry. */
enum { DW__SQ_CACHE_MISS, DW__SQ_CACHE_HIT, DW__SQ_CACHE_ABSENT };
void dw__sq_cache_reset(struct dw_sqlite *q, bool on);
int dw__sq_cache_doc_get(struct dw_sqlite *q, int64_t deal_id, const char *kind, json_t **ret);
void dw__sq_cache_doc_set(struct dw_sqlite *q, int64_t deal_id, const char *kind,
                          const json_t *doc);
void dw__sq_cache_doc_drop(struct dw_sqlite *q, int64_t deal_id, const char *kind);
/* The shared forms for doc_peek and quote_peek: peek hands out a new reference to the
 * cached value itself; adopt caches a value just read without copying it (its reader
 * shares it and changes nothing in it). */
int dw__sq_cache_doc_peek(struct dw_sqlite *q, int64_t deal_id, const char *kind,
                          const json_t **ret);
void dw__sq_cache_doc_adopt(struct dw_sqlite *q, int64_t deal_id, const char *kind, json_t *doc);
int dw__sq_cache_quote_peek(struct dw_sqlite *q, int64_t deal_id, const json_t **ret);
void dw__sq_cache_quote_adopt(struct dw_sqlite *q, int64_t deal_id, json_t *quote);
int dw__sq_cache_leads_get(struct dw_sqlite *q, int64_t deal_id, json_t **ret);
void dw__sq_cache_leads_set(struct dw_sqlite *q, int64_t deal_id, const json_t *leads);
void dw__sq_cache_leads_drop(struct dw_sqlite *q);
int dw__sq_cache_leads_peek(struct dw_sqlite *q, int64_t deal_id, const json_t **ret);
void dw__sq_cache_leads_adopt(struct dw_sqlite *q, int64_t deal_id, json_t *leads);
/* The deal's latest quote revision (revisions are only ever added: quote_insert drops it). */
int dw__sq_cache_quote_get(struct dw_sqlite *q, int64_t deal_id, json_t **ret);
void dw__sq_cache_quote_set(struct dw_sqlite *q, int64_t deal_id, const json_t *quote);
void dw__sq_cache_quote_drop(struct dw_sqlite *q);
/* The deal's row as last read or written in the transaction, or NULL; and keep it. */
/* The deal's approvals (approvals_for_deal): get copies, set keeps a copy, drop (every
 * writer of approvals) forgets them. */
int dw__sq_cache_approvals_get(struct dw_sqlite *q, int64_t deal_id, json_t **ret);
void dw__sq_cache_approvals_set(struct dw_sqlite *q, int64_t deal_id, const json_t *list);
void dw__sq_cache_approvals_drop(struct dw_sqlite *q);
const struct dw_deal_rec *dw__sq_cache_deal(struct dw_sqlite *q, int64_t deal_id);
void dw__sq_cache_deal_set(struct dw_sqlite *q, const struct dw_deal_rec *rec);
/* sqlite_slots.c: slots_held inside a write transaction, from the holds read once
 * in it; the array may be shared: read it, never change it. holds_reset forgets them (a
 * hold was written or released); holds_deal_stage notes a deal's stage after an update. */
int dw__sq_slots_held_cached(struct dw_sqlite *q, int64_t deal_id, dw_time_t now, json_t **ret,
                             struct dw_error *err);
void dw__sq_holds_reset(struct dw_sqlite *q);
void dw__sq_holds_deal_stage(struct dw_sqlite *q, int64_t deal_id, bool open);

static inline struct dw_sqlite *dw__sq(struct dw_store *s) {
    return (struct dw_sqlite *)s;
}

/* The cached statement id, reset and with its bindings cleared. Prepares it on first use. */
int dw__sq_stmt(struct dw_sqlite *q, enum dw__sq_id id, sqlite3_stmt **ret, struct dw_error *err);
/* Reset a statement at scope exit so that no read keeps a snapshot open. */
void dw__sq_resetp(sqlite3_stmt **st);
#define _cleanup_stmt_ __attribute__((cleanup(dw__sq_resetp)))

/* Turn an SQLite result code into -DW_E* with detail: BUSY/LOCKED -> EBUSY, a UNIQUE or
 * PRIMARY KEY conflict -> EEXIST, anything else ESTORE. Also notices a transaction SQLite
 * rolled back by itself (disk full, I/O error) and forgets it. */
int dw__sq_error(struct dw_sqlite *q, int rc, struct dw_error *err, const char *what);
/* sqlite3_step: 1 for a row, 0 when done, -DW_E* on failure. */
int dw__sq_step(struct dw_sqlite *q, sqlite3_stmt *st, struct dw_error *err, const char *what);
/* Step a statement that returns no rows; -DW_E* on failure. */
int dw__sq_exec(struct dw_sqlite *q, sqlite3_stmt *st, struct dw_error *err, const char *what);

/* Binding helpers. Each does nothing when *rc already holds a failure and stores its own
 * failure (an SQLite code) there, so a function binds everything and checks once with
 * dw__sq_bind_error(). NULL text binds SQL NULL; an id of 0 binds NULL (no row has id 0);
 * times bind as RFC 3339 text; JSON binds as compact text (key order preserved), NULL
 * json as SQL NULL, and text longer than DW__SQ_TEXT_MAX fails with SQLITE_TOOBIG. */
#define DW__SQ_TEXT_MAX (16u << 20)
void dw__sq_bind_text(sqlite3_stmt *st, int i, const char *v, int *rc);
void dw__sq_bind_int(sqlite3_stmt *st, int i, int64_t v, int *rc);
void dw__sq_bind_id(sqlite3_stmt *st, int i, int64_t id, int *rc);
void dw__sq_bind_time(sqlite3_stmt *st, int i, dw_time_t t, int *rc);
void dw__sq_bind_json(sqlite3_stmt *st, int i, const json_t *j, int *rc);
/* Canonical JSON text (sorted keys), for what is hashed. */
void dw__sq_bind_json_canonical(sqlite3_stmt *st, int i, const json_t *j, int *rc);
/* -DW_E* for a failed bind (too big, out of memory, or our bug). */
int dw__sq_bind_error(int rc, struct dw_error *err, const char *what);

/* The current row as a JSON object (see the column-name conventions above). */
int dw__sq_row(sqlite3_stmt *st, json_t **ret, struct dw_error *err);
/* All remaining rows as a JSON array of objects. */
int dw__sq_rows(struct dw_sqlite *q, sqlite3_stmt *st, json_t **ret, struct dw_error *err,
                const char *what);
/* A TEXT column parsed as JSON; NULL becomes json null. */
int dw__sq_col_json(sqlite3_stmt *st, int col, json_t **ret, struct dw_error *err);
/* A TEXT column holding RFC 3339 time; NULL or unparsable -> 0. */
dw_time_t dw__sq_col_time(sqlite3_stmt *st, int col);

/* Make a multi-statement hook atomic whether or not the caller opened a transaction. With
 * none open, tx_enter begins one (tx_leave commits it when r == 0, else rolls it back).
 * Inside the caller's transaction, with `nested`, it opens a savepoint (released or rolled
 * back to by tx_leave) so a failure half-way leaves nothing behind; without `nested` it
 * does nothing (for hooks whose only write is their last statement). */
enum dw__sq_tx { DW__SQ_TX_NONE, DW__SQ_TX_OWN, DW__SQ_TX_SAVEPOINT };
int dw__sq_tx_enter(struct dw_sqlite *q, bool nested, enum dw__sq_tx *mode, struct dw_error *err);
int dw__sq_tx_leave(struct dw_sqlite *q, enum dw__sq_tx mode, int r, struct dw_error *err);

/* migrations.c */
int dw__sqlite_migrate(sqlite3 *db, struct dw_error *err);
/* The newest schema version this code knows. */
int dw__sqlite_schema_version(void);

/* The hooks, by file. */
int dw__sq_lead_insert(struct dw_store *s, const json_t *rec, int64_t deal_id, int64_t *ret_lead_id,
                       struct dw_error *err);
int dw__sq_lead_find(struct dw_store *s, const char *source, const char *external_id,
                     int64_t *ret_lead_id, int64_t *ret_deal_id, struct dw_error *err);
int dw__sq_lead_get(struct dw_store *s, int64_t lead_id, json_t **ret, struct dw_error *err);
int dw__sq_leads_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__sq_lead_set_intake(struct dw_store *s, int64_t lead_id, const json_t *intake,
                           struct dw_error *err);
int dw__sq_deal_find_open_by_email(struct dw_store *s, const char *email, int64_t exclude_deal,
                                   int64_t *ret_deal_id, struct dw_error *err);
int dw__sq_lead_move(struct dw_store *s, int64_t lead_id, int64_t deal_id, struct dw_error *err);
int dw__sq_lead_redact(struct dw_store *s, int64_t lead_id, const json_t *raw, const json_t *intake,
                       struct dw_error *err);
int dw__sq_contact_redact(struct dw_store *s, int64_t contact_id, dw_time_t now,
                          struct dw_error *err);
int dw__sq_account_find(struct dw_store *s, const char *domain, const char *name, json_t **ret,
                        struct dw_error *err);
int dw__sq_account_insert(struct dw_store *s, const char *name, const char *domain,
                          const char *country, int64_t *ret_id, struct dw_error *err);
int dw__sq_contact_upsert(struct dw_store *s, int64_t account_id, const json_t *contact,
                          int64_t *ret_id, struct dw_error *err);
int dw__sq_account_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err);
int dw__sq_contact_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err);
int dw__sq_deals_for_account(struct dw_store *s, int64_t account_id, int64_t exclude_deal,
                             json_t **ret, struct dw_error *err);
int dw__sq_deal_insert(struct dw_store *s, dw_time_t now, int64_t *ret_id, struct dw_error *err);
int dw__sq_deal_get(struct dw_store *s, int64_t id, struct dw_deal_rec *ret, struct dw_error *err);
int dw__sq_deal_update(struct dw_store *s, const struct dw_deal_rec *rec, struct dw_error *err);
int dw__sq_deals_due(struct dw_store *s, dw_time_t now, int64_t *ids, int max,
                     struct dw_error *err);
int dw__sq_deals_list(struct dw_store *s, const char *stage, int64_t after_id, int limit,
                      json_t **ret, struct dw_error *err);
int dw__sq_next_due_at(struct dw_store *s, dw_time_t *ret, struct dw_error *err);
int dw__sq_doc_put(struct dw_store *s, int64_t deal_id, const char *kind, const json_t *doc,
                   const char *ws_hash, struct dw_error *err);
int dw__sq_leads_peek(struct dw_store *s, int64_t deal_id, const json_t **ret,
                      struct dw_error *err);
int dw__sq_doc_peek(struct dw_store *s, int64_t deal_id, const char *kind, const json_t **ret,
                    struct dw_error *err);
int dw__sq_quote_peek(struct dw_store *s, int64_t deal_id, int revision, const json_t **ret,
                      struct dw_error *err);
int dw__sq_doc_get(struct dw_store *s, int64_t deal_id, const char *kind, json_t **ret,
                   struct dw_error *err);
int dw__sq_doc_delete(struct dw_store *s, int64_t deal_id, const char *kind, struct dw_error *err);
int dw__sq_stats(struct dw_store *s, json_t **ret, struct dw_error *err);
/* sqlite_models.c */
int dw__sq_model_insert(struct dw_store *s, const json_t *meta, const void *blob, size_t len,
                        dw_time_t now, int64_t *ret_version, bool *ret_created,
                        struct dw_error *err);
int dw__sq_model_get(struct dw_store *s, int64_t version, json_t **ret_meta, char **ret_blob,
                     size_t *ret_len, struct dw_error *err);

/* sqlite_tokens.c */
int dw__sq_token_insert(struct dw_store *s, const char *user, const char *role, const char *hash,
                        const char *prefix, dw_time_t now, int64_t *ret_id, struct dw_error *err);
int dw__sq_token_find(struct dw_store *s, const char *hash, json_t **ret, struct dw_error *err);
int dw__sq_key_get(struct dw_store *s, const char *name, const void *fresh, size_t len,
                   dw_time_t now, void *ret_key, struct dw_error *err);
int dw__sq_tokens_list(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_token_revoke(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err);
int dw__sq_audit_since(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                       struct dw_error *err);
/* sqlite_mail.c: the mail outbox */
int dw__sq_mail_insert(struct dw_store *s, const struct dw_mail_rec *m, dw_time_t now,
                       int64_t *ret_id, bool *ret_created, struct dw_error *err);
int dw__sq_mail_due(struct dw_store *s, dw_time_t now, int max, json_t **ret, struct dw_error *err);
int dw__sq_mail_claim(struct dw_store *s, int64_t id, int64_t attempts, dw_time_t next_at,
                      bool *ret_claimed, struct dw_error *err);
int dw__sq_mail_update(struct dw_store *s, int64_t id, int64_t attempts, const char *status,
                       dw_time_t next_at, const char *last_error, dw_time_t sent_at,
                       bool *ret_updated, struct dw_error *err);
int dw__sq_mail_list(struct dw_store *s, const char *status, json_t **ret, struct dw_error *err);
int dw__sq_mail_redact(struct dw_store *s, int64_t deal_id, const char *with, struct dw_error *err);
/* sqlite_outbox.c: the event outbox's publisher cursors */
int dw__sq_outbox_lock(struct dw_store *s, const char *name, struct dw_error *err);
int dw__sq_outbox_cursor_get(struct dw_store *s, const char *name, int64_t *ret,
                             struct dw_error *err);
int dw__sq_outbox_cursor_advance(struct dw_store *s, const char *name, int64_t seq, dw_time_t now,
                                 struct dw_error *err);
int dw__sq_delivery_for_event(struct dw_store *s, int64_t webhook_id, int64_t seq, json_t **ret,
                              struct dw_error *err);
int dw__sq_delivery_claim(struct dw_store *s, int64_t id, int64_t attempts, int64_t now_ms,
                          int64_t until_ms, bool *ret_claimed, struct dw_error *err);
/* sqlite_webhooks.c: webhooks, deliveries, slot holds, reports */
int dw__sq_webhook_insert(struct dw_store *s, const char *url, const char *events,
                          const char *secret, dw_time_t now, int64_t *ret_id, struct dw_error *err);
int dw__sq_webhooks_list(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_webhook_remove(struct dw_store *s, int64_t id, dw_time_t now, struct dw_error *err);
int dw__sq_webhook_advance(struct dw_store *s, int64_t id, int64_t seq, struct dw_error *err);
int dw__sq_delivery_insert(struct dw_store *s, int64_t webhook_id, int64_t seq, const char *type,
                           const char *body, int64_t next_at_ms, dw_time_t now,
                           struct dw_error *err);
int dw__sq_deliveries_due(struct dw_store *s, int64_t now_ms, int max, json_t **ret,
                          struct dw_error *err);
int dw__sq_delivery_update(struct dw_store *s, const struct dw_delivery_update *u,
                           struct dw_error *err);
int dw__sq_deliveries_list(struct dw_store *s, const char *status, int64_t after_id, int max,
                           json_t **ret, struct dw_error *err);
int dw__sq_delivery_replay(struct dw_store *s, int64_t id, int64_t now_ms, int64_t *ret_n,
                           struct dw_error *err);
int dw__sq_delivery_counts(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_slots_held(struct dw_store *s, int64_t deal_id, dw_time_t now, json_t **ret,
                      struct dw_error *err);
int dw__sq_slots_free(struct dw_store *s, int64_t deal_id, struct dw_error *err);
int dw__sq_booking_get(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__sq_booking_put(struct dw_store *s, int64_t deal_id, const json_t *b, struct dw_error *err);
int dw__sq_slot_hold(struct dw_store *s, int64_t deal_id, const char *user, dw_time_t start,
                     dw_time_t expires, struct dw_error *err);
int dw__sq_report_reached(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_report_stays(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_report_time_to(struct dw_store *s, const char *stage, json_t **ret,
                          struct dw_error *err);
int dw__sq_report_approvals(struct dw_store *s, json_t **ret, struct dw_error *err);
int dw__sq_events_since(struct dw_store *s, int64_t after_seq, int max, json_t **ret,
                        struct dw_error *err);

int dw__sq_quote_insert(struct dw_store *s, int64_t deal_id, const json_t *quote, int *ret_revision,
                        struct dw_error *err);
int dw__sq_quote_get(struct dw_store *s, int64_t deal_id, int revision, json_t **ret,
                     struct dw_error *err);
int dw__sq_quotes_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__sq_approval_insert(struct dw_store *s, int64_t deal_id, const json_t *a, dw_time_t now,
                           int64_t *ret_id, struct dw_error *err);
int dw__sq_approval_get(struct dw_store *s, int64_t id, json_t **ret, struct dw_error *err);
int dw__sq_approvals_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret,
                              struct dw_error *err);
int dw__sq_approvals_pending(struct dw_store *s, int64_t after_id, int limit, json_t **ret,
                             struct dw_error *err);
int dw__sq_approvals_by_status(struct dw_store *s, const char *status, int64_t after_id, int limit,
                               json_t **ret, struct dw_error *err);
int dw__sq_approval_decide(struct dw_store *s, int64_t id, const char *status, const char *user,
                           const char *note, dw_time_t now, struct dw_error *err);
int dw__sq_approvals_void_stale(struct dw_store *s, int64_t deal_id, const char *keep_hash,
                                dw_time_t now, struct dw_error *err);
int dw__sq_order_insert(struct dw_store *s, int64_t deal_id, const json_t *order, dw_time_t now,
                        int64_t *ret_id, struct dw_error *err);
int dw__sq_order_get(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__sq_approval_redact(struct dw_store *s, int64_t id, const char *reason, const char *note,
                           struct dw_error *err);
int dw__sq_order_redact(struct dw_store *s, int64_t deal_id, const char *with,
                        struct dw_error *err);

int dw__sq_event_append(struct dw_store *s, int64_t deal_id, const char *type, const json_t *data,
                        dw_time_t now, int64_t *ret_seq, struct dw_error *err);
int dw__sq_events_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);
int dw__sq_audit_append(struct dw_store *s, const json_t *rec, dw_time_t now, int64_t *ret_seq,
                        struct dw_error *err);
int dw__sq_audit_verify(struct dw_store *s, int64_t *ret_count, int64_t *ret_bad_seq,
                        struct dw_error *err);
int dw__sq_audit_walk(struct dw_store *s, int64_t mark_seq, struct dw_audit_walk *ret,
                      struct dw_error *err);
int dw__sq_audit_for_deal(struct dw_store *s, int64_t deal_id, json_t **ret, struct dw_error *err);

/* sqlite_leases.c: worker leases (store.h); the wall clock they are counted in, ms. */
int64_t dw__sq_wall_ms(void);
int dw__sq_lease_claim(struct dw_store *s, dw_time_t now, const char *owner, int lease_ms,
                       int64_t only_deal, int64_t *ids, int max, struct dw_error *err);
int dw__sq_lease_hold(struct dw_store *s, const char *owner, int64_t deal_id, int lease_ms,
                      struct dw_error *err);
int dw__sq_lease_release(struct dw_store *s, const char *owner, int64_t deal_id,
                         struct dw_error *err);
int dw__sq_lease_renew(struct dw_store *s, const char *owner, int lease_ms, int64_t *ret_held,
                       int64_t *ret_lost, struct dw_error *err);

#endif

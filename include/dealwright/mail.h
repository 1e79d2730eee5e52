/* dealwright — e-mail: inbound mail read into leads, outbound mail for a deal (the clarifying
 * reply, the proposal letter) and its delivery through the workspace's SMTP relay by way of
 * a durable outbox (docs/internals/mail.md). */
#ifndef DEALWRIGHT_MAIL_H
#define DEALWRIGHT_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/workspace.h>

/* Limits on what one inbound mail may hold. */
#define DW_MAIL_MAX_BYTES (10u << 20)    /* the whole message, as received */
#define DW_MAIL_MAX_TEXT_PART (2u << 20) /* one text part, decoded */
#define DW_MAIL_MAX_PARTS 100            /* MIME parts, at every depth */
#define DW_MAIL_MAX_DEPTH 8              /* multiparts inside multiparts */
#define DW_MAIL_MAX_HEADERS 500          /* header fields of the message or of one part */
#define DW_MAIL_MAX_FILES 10000          /* mails in one folder or maildir */

/* Does data look like an RFC 5322 message (a header field, or an mbox "From " line, first)?
 * A cheap test for commands that take either a mail or something else. */
DW_EXPORT bool dw_mail_sniff(const char *data, size_t len);

/* Read one message (MIME: multipart, quoted-printable, base64, RFC 2047 headers, charsets to
 * UTF-8, HTML-only mail as text). name names it in errors (FILE:LINE:COL where a place in
 * the message is at fault). Result: {"kind": "lead" | "bounce" | "auto_reply" | "outbound" (a copy
 * of a message dw_deal_mail made), "reason": why it is not a lead (not for "lead"), "from",
 * "subject", "message_id", "lead": the lead (BLUEPRINT.md "A lead", source "email", external_id the
 * Message-ID, with an "email" object: message_id, in_reply_to, references, attachments [{name,
 * type, size}], html_only, truncated) or null}. Attachments are listed, never decoded beyond
 * counting their bytes. Errors: -DW_EPARSE (malformed), -DW_ETOOBIG (a limit above), -DW_EINVAL (no
 * sender). */
DW_EXPORT int dw_mail_parse(const char *data, size_t len, const char *name, json_t **ret,
                            struct dw_error *err);

/* Read a mail file, a folder of *.eml files, or a maildir (its cur/ and new/), in name
 * order: an array of dw_mail_parse results, each with "file". All or nothing: the first
 * malformed mail is the error and no result is returned. */
DW_EXPORT int dw_mail_read_path(const char *path, json_t **ret, struct dw_error *err);

/* The message a deal would send: kind "reply" (the clarifying questions of a deal in
 * needs_info) or "proposal" (the proposal letter; the proposal PDF and the demo invitation
 * attached when the deal has them); NULL picks by the deal's stage. From the workspace's
 * mail.from, to the deal's contact, the deal reference in the subject, a Message-ID stable
 * per deal, kind and revision (a second call gives the same message), In-Reply-To and
 * References naming the customer's last mail. *ret_data is the RFC 5322 message (CRLF
 * lines, owned by the caller, free()); *ret_meta {deal, kind, revision, message_id, from,
 * to, subject, attachments}. Errors: -DW_ENOENT (no such deal), -DW_ESTATE (nothing of that
 * kind to send yet), -DW_EINVAL (no mail.from in dealwright.yaml, no contact address). */
DW_EXPORT int dw_deal_mail(struct dw_engine *e, const char *deal, const char *kind, char **ret_data,
                           size_t *ret_len, json_t **ret_meta, struct dw_error *err);

/* Put the deal's message in the outbox (one transaction, audited as `by`): the same
 * Message-ID twice is one row. *ret {id, deal, kind, message_id, status, created: bool}. */
DW_EXPORT int dw_mail_queue(struct dw_engine *e, const char *deal, const char *kind, const char *by,
                            json_t **ret, struct dw_error *err);

/* The SMTP relay's credentials, read by the caller from the environment variables the
 * workspace names (dw_mail_smtp_env); NULL when there are none. Never stored or logged. */
struct dw_smtp_auth {
    const char *user;
    const char *password;
};

/* The workspace's SMTP relay (mail.smtp.url), NULL when it has none. */
DW_EXPORT const char *dw_mail_relay(const struct dw_workspace *ws);

/* The names of the environment variables holding the relay's user and password
 * (mail.smtp.user_env, password_env), NULL when not configured. */
DW_EXPORT void dw_mail_smtp_env(const struct dw_workspace *ws, const char **ret_user_env,
                                const char **ret_password_env);

/* Send what is due in the outbox through mail.smtp.url, up to max messages (0: 100). Each
 * is marked "sending" (and its next try scheduled) in a committed transaction before it is
 * sent and "sent" after the relay accepted it: a process killed in between sends it again,
 * with the same Message-ID, at its next try (at least once). A 4xx answer or a failed
 * connection retries with backoff, a 5xx answer or the last attempt makes it "dead".
 * *ret {sent, retry, dead, items: [{id, message_id, status, error?}]}. -DW_EINVAL when the
 * workspace has no mail.smtp. */
DW_EXPORT int dw_mail_send_due(struct dw_engine *e, const struct dw_smtp_auth *auth, int max,
                               json_t **ret, struct dw_error *err);

/* The outbox, oldest first: status "pending" | "sending" | "sent" | "dead" or NULL for all.
 * Items {id, deal, kind, message_id, to, status, attempts, next_at, created_at, sent_at,
 * last_error}; never the message itself. */
DW_EXPORT int dw_mail_outbox(struct dw_engine *e, const char *status, json_t **ret,
                             struct dw_error *err);

#endif

/* dealwright — documents the customer receives: the proposal as Markdown, HTML or PDF, and
 * the buyer's page (a signed, expiring, revocable link on which the customer accepts,
 * declines or asks for changes). docs/internals/documents.md. */
#ifndef DEALWRIGHT_DOCUMENTS_H
#define DEALWRIGHT_DOCUMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* The proposal of a deal as a document, in `format`:
 *   "md"   the proposal's Markdown as the proposal agent wrote it (text/markdown);
 *   "html" a self-contained HTML page (no external resource, printable CSS) made from that
 *          Markdown with md4c, raw HTML in it refused (text/html);
 *   "pdf"  a PDF (A4) laid out with pango + cairo from the deal's structured data: the
 *          company's name and address (dealwright.yaml company), the customer, the solution,
 *          the claims with their citations as footnotes, the quote revision the proposal
 *          offers line by line with its terms and totals, its validity, "Page N of M" — in
 *          the proposal's document language with that language's money and date formats.
 *   NULL is "md".
 * *ret_bytes (caller frees with free()) holds *ret_len bytes; for md and html they are
 * NUL-terminated as well. dw_doc_content_type() gives the media type of a format.
 * Errors: -DW_EINVAL with field "format" for another format; -DW_ENOENT for an unknown
 * deal or a deal without a proposal yet; -DW_EINTERNAL when the renderer fails.
 * Reads only (no audit record, no event). Thread-safety: as the engine. */
DW_EXPORT int dw_deal_proposal_render(struct dw_engine *e, int64_t deal_id, const char *format,
                                      char **ret_bytes, size_t *ret_len, struct dw_error *err);
/* "text/markdown; charset=utf-8", "text/html; charset=utf-8", "application/pdf"; NULL for a
 * format dw_deal_proposal_render does not know. */
DW_EXPORT const char *dw_doc_content_type(const char *format);
/* The style sheet of the proposal's HTML (screen, phone and print), for a page that shows
 * the proposal's body inside its own (the buyer's page). A static string. */
DW_EXPORT const char *dw_doc_stylesheet(void);

/* ---- the buyer's page --------------------------------------------------------------- */

/* A link for the customer to the deal's current quote revision, valid for `days` (1-90; 0:
 * 14), made by `user` acting in `role` (an API token's; NULL: any of the user's roles) — a
 * seller, a role of the discount bands, as for recording an acceptance, since the link lets
 * the customer accept — or, user and role NULL, by the local operator. The token is
 * base64url(deal, link number, revision, expiry) with a libsodium crypto_auth tag under
 * a key the store keeps: it names the exact revision, and cannot be altered or forged.
 * Needs a deal in proposal_ready. Audited (buyer.link, without the token). *ret:
 * {deal, link, revision, quote_hash, expires_at, token, path} — the token is shown only
 * here. Errors: -DW_ENOENT, -DW_ESTATE (no proposal ready), -DW_EINVAL field "days". */
DW_EXPORT int dw_buyer_link_create(struct dw_engine *e, int64_t deal_id, int days, const char *user,
                                   const char *role, json_t **ret, struct dw_error *err);
/* Revoke every link of the deal still open (a revoked link answers "withdrawn" and accepts
 * nothing); who may as for dw_buyer_link_create. *ret: {deal, revoked: N}. Audited
 * (buyer.revoke). */
DW_EXPORT int dw_buyer_link_revoke(struct dw_engine *e, int64_t deal_id, const char *user,
                                   const char *role, json_t **ret, struct dw_error *err);
/* The deal's links (never their tokens): [{link, revision, quote_hash, created_at,
 * created_by, expires_at, revoked_at, state}]. */
DW_EXPORT int dw_buyer_links(struct dw_engine *e, int64_t deal_id, json_t **ret,
                             struct dw_error *err);

/* Who is at the other end of a buyer's request, as the server saw it. The address is
 * hashed with a key of the store before it is kept (never stored as given). */
struct dw_buyer_client {
    const char *address;    /* the peer's address as text; may be NULL */
    const char *user_agent; /* may be NULL; kept up to 256 bytes */
    const char *session;    /* the page's session value (a cookie), for the form tokens */
};

/* What the link's holder may see: {state, deal, revision, quote_hash, expires_at, company,
 * customer_company, total, currency, valid_until, proposal_html, csrf, decision?, message}.
 * state: "open" (the customer may decide), "accepted", "declined" (decided through this
 * link or otherwise), "superseded" (a newer revision replaced the one the link names),
 * "expired" (the link's or the quote's validity is over), "revoked". A token that does
 * not verify is -DW_EPERM ("this link is not valid"), never a state: it names no deal.
 * proposal_html is the proposal's HTML body (dw_deal_proposal_render "html" without the
 * page around it), present only when state is open or accepted. csrf is the form token
 * for client->session (present when state is open). Every view is audited (buyer.view,
 * with the state, the link and the client's address hash; no personal data). */
DW_EXPORT int dw_buyer_view(struct dw_engine *e, const char *token,
                            const struct dw_buyer_client *client, json_t **ret,
                            struct dw_error *err);

/* A decision on the buyer's page. */
struct dw_buyer_decision {
    const char *action;  /* "accept", "decline" or "changes" */
    const char *csrf;    /* the form token dw_buyer_view gave for client->session */
    const char *name;    /* accept: the signatory's typed name (2-120 bytes) */
    const char *title;   /* accept: their title (1-120 bytes) */
    bool agree;          /* accept: the box confirming the terms was ticked */
    const char *reason;  /* decline: why (1-2,000 bytes) */
    const char *message; /* changes: what the customer asks for (1-4,000 bytes) */
};
/* Acts on the decision, all or nothing: accept records the acceptance of exactly the
 * link's revision through the same path as dw_deal_accept (the order is created), with
 * the signature {name, title, at, ip_hash, user_agent, link} kept in the acceptance
 * document (personal data: not in the audit chain or the event log); decline makes the
 * deal lost with the customer's reason; changes becomes a follow-up message on the deal
 * from its contact (a lead, as a reply would be). *ret: {state, deal, revision, order?}.
 * Errors: -DW_EPERM for a token or form token that does not verify, -DW_ESTATE (field
 * "link") when the link is not open (its state in the message), -DW_EINVAL naming the
 * field at fault. Audited (buyer.accept | buyer.decline | buyer.changes). */
DW_EXPORT int dw_buyer_decide(struct dw_engine *e, const char *token,
                              const struct dw_buyer_client *client,
                              const struct dw_buyer_decision *d, json_t **ret,
                              struct dw_error *err);

#endif

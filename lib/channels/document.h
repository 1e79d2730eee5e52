/* channels/document — the proposal as a document the customer reads: HTML from the
 * proposal's Markdown (md4c), PDF from the same Markdown with the quote's tables from the
 * stored quote (md4c's parser, pango + cairo).
 * docs/internals/documents.md.
 *
 * Pure functions of their inputs and the workspace snapshot: no store, no clock. The
 * control layer gathers the data (dw_deal_proposal_render, lib/control/api-documents.c).
 * Thread-safety: reentrant (pango's font map is per thread). */
#ifndef DW_CHANNELS_DOCUMENT_H
#define DW_CHANNELS_DOCUMENT_H

#include "base/base.h"
#include "workspace/workspace.h"

/* The Markdown of a proposal as HTML. md4c with tables and strikethrough; raw HTML in the
 * text is not passed through (MD_FLAG_NOHTML: it is shown as text), so nothing a customer
 * wrote, and nothing a template wrote, can add markup, script or style. Footnote markers
 * `[^N]` become superscripts. With `page`, a whole self-contained page (lang, viewport,
 * title, the printable style sheet inline; no external resource); without, only the body's
 * content (an <article class="proposal">), for pages that have their own head. *ret is
 * NUL-terminated (caller frees). Limits: 4 MiB of Markdown. */
int dw_doc_html(const char *markdown, size_t len, bool page, const char *lang, const char *title,
                char **ret, size_t *ret_len, struct dw_error *err);

/* The style sheet of the HTML page (also used by the buyer's page). */
extern const char dw_doc_css[];

/* The proposal as a PDF (A4), from `data` (built by the control layer):
 *   {"deal": "D-000001", "language": "de", "written_at": RFC 3339, "valid_until": "YYYY-MM-DD",
 *    "markdown": the proposal's Markdown (at most 4 MiB; -DW_ETOOBIG beyond),
 *    "customer": {"name", "company", "email", "country"},
 *    "solution": [{"sku", "name", "quantity", "description"}],
 *    "claims": [{"text", "ref"}], "citations": [{"ref", "path", "heading", "anchor"}],
 *    "quote": the stored quote revision (integer minor units: subtotal, discount, total,
 *             discount_bp, digits, currency, revision, hash, lines [{sku, name, quantity,
 *             unit_price, amount, discount, net, billing, term_months}]),
 *    "terms": {"dpa": bool, "export_review": bool}}
 * With "markdown", its blocks are laid out in order (headings, paragraphs, lists, quotes,
 * rules, code, tables; [^N] footnotes), the table of the quote's lines (recognised by each
 * row's SKU and net) and the one with its total drawn from "quote"; without, the title,
 * solution, claims, quote, validity and terms from the data. The letterhead comes from the
 * workspace (company name, address, e-mail, phone, website, VAT id). Text is escaped into
 * the pango markup pdf.c writes (or set as text), never taken as markup. A table row is never split
 * across pages; a table continued on the next page repeats its header. Citations are footnotes on
 * the page where they are first cited. Every page has "Page N of M" in the document's
 * language. *ret (caller frees) holds *ret_len bytes. */
int dw_doc_pdf(const struct dw_workspace *ws, const json_t *data, char **ret, size_t *ret_len,
               struct dw_error *err);

/* The words of the documents in a language (en, de, fr, es, it, nl; another: en). */
struct dw_doc_words {
    const char *lang;
    const char *proposal_for, *proposal, *revision, *prepared_for, *solution, *why, *quote, *sku,
        *item, *qty, *description, *unit_price, *terms_col, *amount, *discount, *net, *one_time,
        *per_month, *months, *subtotal, *total, *prices_in, *valid_until, *reference, *terms, *dpa,
        *export_review, *page_of, *vat_id, *continued, *sources, *acceptance, *sign_name,
        *sign_title, *sign_date, *sign_signature;
};
const struct dw_doc_words *dw_doc_words(const char *lang);
/* The words of the buyer's page in a language (en, de, fr, es, it, nl; another: en). The
 * phrases with blanks are filled with dw_doc_fill: agree and accepted_h take the revision,
 * accepted_p the order's id, the st_* the facts their names say. */
struct dw_page_words {
    const char *lang;
    const char *intro, *nothing, *revision, *total, *valid_until, *hash, *accept_h, *name, *title,
        *agree, *accept_b, *changes_h, *changes_l, *changes_b, *decline_h, *decline_l, *decline_b,
        *accepted_h, *accepted_p, *declined_h, *declined_p, *changes_done_h, *changes_done_p,
        *st_revoked /* company */, *st_accepted /* revision, date */, *st_declined,
        *st_expired /* date */, *st_superseded /* revision, latest */, *st_revising,
        *st_quote_expired /* revision, date */;
};
const struct dw_page_words *dw_page_words(const char *lang);

/* A phrase of dw_doc_words with its blanks filled: each "%s" or "%d" in tmpl takes the next
 * of args[0..n) (as text), "%%" is "%". Returns buf (always NUL-terminated). */
const char *dw_doc_fill(char *buf, size_t size, const char *tmpl, size_t n,
                        const char *const *args);

#endif

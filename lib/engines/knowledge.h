/* Knowledge (engines layer): which of the workspace's knowledge documents speak to a deal,
 * and the grounded claims a proposal may make from them.
 *
 * A claim is never written, only found: it is the first sentence of a passage, copied
 * byte for byte, and it carries the number of the citation (path, heading, anchor) it was
 * copied from, so anyone can check it against the document. Selection is deterministic —
 * solution line order, then document order in the snapshot (by path), then passage order.
 *
 * Thread-safety: reentrant; the workspace is only read.
 */
#ifndef DW_KNOWLEDGE_H
#define DW_KNOWLEDGE_H

#include "base/base.h"
#include "workspace/workspace.h"

#define DW_CLAIM_MAX 600 /* bytes of one claim; a longer first sentence is not cited */

/* Claims and citations for a solution's lines (the "lines" array of the solution document:
 * [{sku, covers: [capability], ...}]).
 *
 * For each line, in order: the documents whose `about` lists the line's sku, or when there
 * is none, the documents whose capabilities include one the line covers, or when there is
 * none either, the documents whose headings or text name the item (its SKU or name, whole
 * words, as the knowledge graph recognises names: engines/kgraph.h). From each
 * document the first passage with body text is cited, once per deal even when several lines
 * lead to it. Text before a document's first heading (a passage with an empty anchor) is
 * not cited: a citation must point at a heading.
 *
 * On success *ret_claims is a new array [{text, ref, sku}] — `text` is a substring of the
 * cited passage's text — and *ret_citations a new array [{ref, path, heading, anchor}] with
 * refs 1..n in order of first use. Both are empty when nothing applies. The caller owns
 * both. Returns 0 or -DW_ENOMEM. */
int dw_knowledge_claims(const struct dw_workspace *ws, const json_t *lines, json_t **ret_claims,
                        json_t **ret_citations);

/* The first sentence of a passage body: leading white space and a list, quote or heading
 * marker skipped; it ends after '.', '!' or '?' followed by white space or the end, at a
 * blank line, or before a line that starts another block (list item, heading, table,
 * quote, fence). Abbreviations such as "e.g." do not end it. On success sets the byte span
 * [*ret_start, *ret_end) in text and returns true; false when the body has no text or the
 * sentence is longer than DW_CLAIM_MAX. */
bool dw_first_sentence(const char *text, size_t *ret_start, size_t *ret_end);

/* Documents relevant to the capabilities a customer mentioned (a JSON array of capability
 * names): those tagged with one of them, and those about an item that covers one. At most
 * max, most matching capabilities first, then by path. *ret is a new array
 * [{path, title, why}] where why says what matched ("mentions sd-wan, firewall").
 * Returns 0 or -DW_ENOMEM. */
int dw_knowledge_relevant(const struct dw_workspace *ws, const json_t *capabilities, size_t max,
                          json_t **ret);

#endif

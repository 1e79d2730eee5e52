/* Knowledge index (engines layer): the passages of the workspace's knowledge documents in
 * SQLite FTS5, ranked by BM25, with Snowball stemming in each document's language, and the
 * hybrid retrieval that adds the knowledge graph (engines/kgraph.h) to it.
 *
 * The index is a derived cache of the workspace snapshot: it holds nothing that cannot be
 * rebuilt from the documents, so it lives in its own SQLite file (by default
 * WORKSPACE/.dealwright/knowledge.db, see docs/internals/knowledge.md), never in the
 * deal store. dw_kindex_sync() brings it in step with a snapshot and touches only the
 * documents whose content hash changed.
 *
 * Stemming is an FTS5 custom tokenizer, "dw_snowball LANGUAGE": unicode61 (case folded,
 * diacritics kept for the stemmer) splits the text into words and libstemmer's Snowball
 * algorithm for LANGUAGE stems each. Passages of one language share one FTS5 table
 * (fts_en, fts_de, ...); a question is searched in every language the index holds, each
 * table stemming it its own way.
 *
 * Ownership and threads: an index is one SQLite connection; use it from one thread at a
 * time. Several processes may sync the same file: the sync is one write transaction.
 */
#ifndef DW_KINDEX_H
#define DW_KINDEX_H

#include "base/base.h"
#include "engines/kgraph.h"
#include "workspace/workspace.h"

#define DW_QUESTION_MAX 2000 /* bytes of a question */
#define DW_ASK_MAX 50        /* answers per question */

struct dw_kindex;

struct dw_kindex_stats {
    size_t documents, passages;                /* in the index after the sync */
    size_t added, updated, removed, unchanged; /* documents */
};

/* Open (creating) the index at path; NULL keeps it in memory. Returns 0, or -DW_EIO /
 * -DW_ENOMEM with err set (a file that is not an index says so). */
int dw_kindex_open(const char *path, struct dw_kindex **ret, struct dw_error *err);
void dw_kindex_close(struct dw_kindex *ix);

/* Bring the index in step with ws: documents whose hash (language, title, and every
 * passage's heading, anchor and text) changed are indexed again, removed ones dropped, the
 * rest left alone — all in one transaction. An index written by another version of the
 * code is rebuilt whole. The index then answers for ws until the next sync. */
int dw_kindex_sync(struct dw_kindex *ix, struct dw_workspace *ws, struct dw_kindex_stats *ret,
                   struct dw_error *err);

/* The snapshot last synced, or NULL. */
const struct dw_workspace *dw_kindex_workspace(const struct dw_kindex *ix);

/* The content hash of a document as the index records it. */
void dw_kindex_doc_hash(const struct dw_document *d, char out[DW_SHA256_HEX]);

/* A BM25 hit: document d, passage k of the synced snapshot, and the score (higher is
 * better; FTS5's formula and parameters, a heading occurrence weighing twice one in the
 * text; see docs/internals/knowledge.md). */
struct dw_khit {
    size_t d, k;
    double score;
};

/* Passages holding any term of question (stop words aside; the commonest terms are dropped
 * while rarer ones hold more than 2,000 passages together), best first, at most limit.
 * Returns the count, 0 when nothing matches or the question has no words, or -DW_EIO /
 * -DW_ENOMEM. *ret is a new array (caller frees), NULL for 0. */
int dw_kindex_search(struct dw_kindex *ix, const char *question, size_t limit, struct dw_khit **ret,
                     struct dw_error *err);

/* The same ranking by FTS5 itself: MATCH of dw_kindex_query() ordered by FTS5's bm25()
 * (heading weight 2), without the frequency cutoff. Slower (FTS5 scores every matching
 * row); the tests check dw_kindex_search() against it. */
int dw_kindex_search_fts5(struct dw_kindex *ix, const char *question, size_t limit,
                          struct dw_khit **ret, struct dw_error *err);

/* The FTS5 query for a question: each word (letters and digits) as a quoted string, joined
 * by OR; stop words (English and German) and words of one letter are dropped; at most 32
 * words. NULL when nothing is left (or out of memory: see *ret_oom). Caller frees. */
char *dw_kindex_query(const char *question, bool *ret_oom);

/* The Snowball stem of one word (lower-cased first) in language code lang ("en", "de").
 * Writes a NUL-terminated stem to out; returns its length or -DW_EINVAL (unknown language)
 * / -DW_ETOOBIG (out too small). */
int dw_stem(const char *lang, const char *word, char *out, size_t size);

/* Hybrid retrieval (kretrieve.c): BM25 hits for the question plus graph expansion from the entities
 * named in it (seeds weigh 1, each hop along supports / requires halves it, two hops).
 *
 *   score = bm25 / best bm25 (0..1)
 *         + 0.5 x min(1, sum of the weights of the entities the passage mentions)
 *         + 0.25 x min(1, sum of the weights of the entities its document mentions)
 *
 * Candidates are the BM25 hits and the passages that mention a seed or an expanded entity.
 * Ties go to document order. *ret is a new object:
 *   {question, entities: [{kind, name, text}], expanded: [{kind, name, weight, via}],
 *    answers: [{passage, path, heading, anchor, line, language, text, score, bm25, why: []}]}
 * `passage` is "PATH#ANCHOR", `text` the passage verbatim from the snapshot (a passage with
 * no text is never an answer). ws must be the
 * snapshot last synced and g its graph. A question longer than DW_QUESTION_MAX or not valid
 * UTF-8 is -DW_EINVAL with err naming it. */
int dw_kindex_ask(struct dw_kindex *ix, const struct dw_kgraph *g, const char *question, size_t max,
                  json_t **ret, struct dw_error *err);

#endif

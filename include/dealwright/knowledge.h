/* dealwright — knowledge: questions answered from the workspace's documents, every answer
 * with its citation. A knowledge base is the knowledge graph of a workspace snapshot and
 * its full-text index (docs/internals/knowledge.md); it needs no store. A knowledge base is
 * used by one thread at a time. */
#ifndef DEALWRIGHT_KNOWLEDGE_H
#define DEALWRIGHT_KNOWLEDGE_H

#include <stddef.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/workspace.h>

struct dw_kb;
/* Build the graph and bring the index at index_path (NULL: WS_ROOT/.dealwright/knowledge.db,
 * created; in memory when that cannot be written) in step with ws, indexing again only the
 * documents that changed. *ret_stats (may be NULL) is a new object {index, documents,
 * passages, added, updated, removed, unchanged, nodes, edges}. */
DW_EXPORT int dw_kb_open(struct dw_workspace *ws, const char *index_path, struct dw_kb **ret,
                         json_t **ret_stats, struct dw_error *err);
/* The max (1..50) best passages for a question (at most 2000 bytes of UTF-8): BM25 and
 * graph expansion from the entities it names. *ret is a new object {question, entities,
 * expanded, answers: [{passage, path, heading, anchor, line, language, text, score, bm25,
 * why}]}; `text` is the passage verbatim. A bad question is -DW_EINVAL with err set. */
DW_EXPORT int dw_kb_ask(struct dw_kb *kb, const char *question, size_t max, json_t **ret,
                        struct dw_error *err);
DW_EXPORT void dw_kb_close(struct dw_kb *kb);

struct dw_engine;
/* dw_kb_ask(), and an answer composed from the passages found: when models.yaml routes the
 * `answers` task to a model, it writes the answer with inline citations [n] (n: the n-th
 * passage) through the governed path (journaled, no deal), and the answer is shown only
 * when the checks of drafts pass (docs/internals/assist.md): its numbers are the passages',
 * every sentence naming a product or standard cites a passage that speaks of it and carries
 * its words, no personal data. *ret is dw_kb_ask's object with `answer`: {source: "model",
 * text, sentences: [{text, refs}], model, call} or {source: "passages", why, failures?} —
 * then the passages are the answer. */
DW_EXPORT int dw_kb_answer(struct dw_engine *e, struct dw_kb *kb, const char *question, size_t max,
                           json_t **ret, struct dw_error *err);

#endif

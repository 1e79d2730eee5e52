/* Knowledge graph (engines layer): what the workspace knows about, and how it connects.
 *
 * Nodes are the catalog items, capabilities, compliance standards, the industries of the
 * qualification criteria and the knowledge documents. Edges:
 *   item      -supports->  capability  (the item's `capabilities`)
 *   item      -requires->  item        (the item's `requires`)
 *   document  -mentions->  item, capability, standard, industry
 *             (front matter `about` and `capabilities`, and every name or synonym found in
 *             the document's title, headings and text)
 * Passages keep their own mentions, so retrieval can tell which passage of a document
 * speaks of an entity.
 *
 * Names are recognised as whole words, case-insensitively (ASCII and Latin-1 letters such
 * as Ä/ä), as a sequence of words: "SD-WAN", "sd wan" and "SD WAN" are the same name, and
 * "NW-EDGE-100" is found in "nw edge 100". At each word the longest name wins.
 *
 * Ownership and threads: a graph holds a reference to its workspace snapshot and never
 * changes after dw_kgraph_build(), so any number of threads may read it.
 */
#ifndef DW_KGRAPH_H
#define DW_KGRAPH_H

#include "base/base.h"
#include "workspace/workspace.h"

enum dw_knode_kind {
    DW_KNODE_ITEM,
    DW_KNODE_CAPABILITY,
    DW_KNODE_STANDARD,
    DW_KNODE_INDUSTRY,
    DW_KNODE_DOCUMENT,
};

enum dw_kedge_kind { DW_KEDGE_SUPPORTS, DW_KEDGE_REQUIRES, DW_KEDGE_MENTIONS };

struct dw_knode {
    enum dw_knode_kind kind;
    const char *name; /* sku, capability, standard, industry keyword, document path */
    size_t index;     /* into the workspace array of its kind (industries: icp_industries) */
};

struct dw_kedge {
    uint32_t from, to;
    enum dw_kedge_kind kind;
};

struct dw_kgraph; /* opaque */

/* A name recognised in a text: the node and the byte span [start, end). */
struct dw_kmention {
    uint32_t node;
    size_t start, end;
};

/* Build the graph of ws (which it references until freed). Returns 0 or -DW_ENOMEM. */
int dw_kgraph_build(struct dw_workspace *ws, struct dw_kgraph **ret);
void dw_kgraph_free(struct dw_kgraph *g);

size_t dw_kgraph_n_nodes(const struct dw_kgraph *g);
const struct dw_knode *dw_kgraph_node(const struct dw_kgraph *g, uint32_t id);
/* The node of kind and name (exact), or UINT32_MAX. */
uint32_t dw_kgraph_find(const struct dw_kgraph *g, enum dw_knode_kind kind, const char *name);
/* The node of document d of the workspace. */
uint32_t dw_kgraph_document(const struct dw_kgraph *g, size_t d);
const char *dw_knode_kind_name(enum dw_knode_kind kind);
const char *dw_kedge_kind_name(enum dw_kedge_kind kind);

/* Edges leaving / entering a node: *ret_v points into the graph, *ret_n edges. */
void dw_kgraph_out(const struct dw_kgraph *g, uint32_t node, const struct dw_kedge **ret_v,
                   size_t *ret_n);
void dw_kgraph_in(const struct dw_kgraph *g, uint32_t node, const struct dw_kedge *const **ret_v,
                  size_t *ret_n);
size_t dw_kgraph_n_edges(const struct dw_kgraph *g);

/* Entities named in text (len bytes): a new array (caller frees) of at most max mentions in
 * text order, non-overlapping; a name that means two nodes gives two mentions of the same
 * span. Returns the count or -DW_ENOMEM. */
int dw_kgraph_recognise(const struct dw_kgraph *g, const char *text, size_t len, size_t max,
                        struct dw_kmention **ret);

/* Does text (len bytes) name `name`, by the rules of recognition above (whole words, case
 * folded, any punctuation between the words)? For one name, without a graph. */
bool dw_text_names(const char *text, size_t len, const char *name);

/* The entity nodes passage k of document d mentions (sorted, distinct). */
void dw_kgraph_passage_mentions(const struct dw_kgraph *g, size_t d, size_t k,
                                const uint32_t **ret_v, size_t *ret_n);
/* The passages that mention an entity node, as global passage numbers in document order
 * (see dw_kgraph_passage_at). */
void dw_kgraph_mentioned_in(const struct dw_kgraph *g, uint32_t node, const uint32_t **ret_v,
                            size_t *ret_n);
/* Global passage number p -> document d, passage k; and back. */
void dw_kgraph_passage_at(const struct dw_kgraph *g, uint32_t p, size_t *ret_d, size_t *ret_k);
uint32_t dw_kgraph_passage_number(const struct dw_kgraph *g, size_t d, size_t k);
size_t dw_kgraph_n_passages(const struct dw_kgraph *g);

/* Graph expansion: weights[n] for every node (array of dw_kgraph_n_nodes, zeroed by the
 * caller) after seeding the given nodes with 1.0 and following supports / requires edges
 * (both ways) up to `hops` times, each hop halving the weight; a node keeps its highest
 * weight. Documents are not expanded through (a document links everything it names).
 * via[n], when not NULL, receives the node a weight came from (UINT32_MAX for seeds and
 * nodes not reached). Returns 0 or -DW_ENOMEM. */
int dw_kgraph_expand(const struct dw_kgraph *g, const uint32_t *seeds, size_t n_seeds, int hops,
                     float *weights, uint32_t *via);

#endif

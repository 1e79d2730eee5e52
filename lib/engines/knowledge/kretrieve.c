/* Hybrid retrieval: BM25 hits from the knowledge index and the passages the knowledge
 * graph leads to from the entities a question names, ranked together (the formula is in
 * engines/kindex.h and docs/internals/knowledge.md).
 *
 * Candidates are bounded — 50 BM25 hits, at most 200 passages per entity and 4,000 from
 * the graph in all — so a question costs the same on a large collection whatever entities
 * it names; ties go to document order, so the answer to a question is deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "engines/kindex.h"

#define BM25_CANDIDATES 50    /* BM25 hits taken into the hybrid ranking */
#define NODE_PASSAGES_MAX 200 /* graph candidates per entity */
#define GRAPH_CANDIDATES_MAX 4000
#define SEED_DOCS_MAX 50 /* documents whose every passage is a candidate, per seed */
#define SEEDS_MAX 32
#define EXPANDED_SHOWN 20

/* qsort() that accepts an empty array given as NULL. */
static void sort_n(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(v, n, size, cmp);
}

struct cand {
    uint32_t p; /* global passage number */
    double bm25, score;
};

static int cand_by_p(const void *a, const void *b) {
    const struct cand *x = a, *y = b;
    return (x->p > y->p) - (x->p < y->p);
}

static int cand_by_score(const void *a, const void *b) {
    const struct cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

struct ask {
    struct dw_kindex *ix;
    const struct dw_kgraph *g;
    float *w;      /* weight per node */
    uint32_t *via; /* where each weight came from */
    uint32_t seeds[SEEDS_MAX];
    size_t n_seeds;
    struct cand *c;
    size_t n, cap;
};

static int push_cand(struct ask *a, uint32_t p, double bm25) {
    if (DW_GROW(a->c, a->cap, a->n + 1) < 0)
        return -DW_ENOMEM;
    a->c[a->n++] = (struct cand){.p = p, .bm25 = bm25};
    return 0;
}

/* Candidates from the graph: passages mentioning an entity with a weight, and every passage
 * of the documents that mention a seed. */
static int graph_candidates(struct ask *a) {
    const struct dw_kgraph *g = a->g;
    size_t added = 0;
    int r = 0;
    for (uint32_t node = 0; r == 0 && node < dw_kgraph_n_nodes(g); node++) {
        if (a->w[node] <= 0)
            continue;
        const uint32_t *ps;
        size_t n;
        dw_kgraph_mentioned_in(g, node, &ps, &n);
        for (size_t i = 0; r == 0 && i < n && i < NODE_PASSAGES_MAX; i++)
            if (added++ < GRAPH_CANDIDATES_MAX)
                r = push_cand(a, ps[i], 0);
    }
    for (size_t s = 0; r == 0 && s < a->n_seeds; s++) {
        const struct dw_kedge *const *in;
        size_t n, docs = 0;
        dw_kgraph_in(g, a->seeds[s], &in, &n);
        for (size_t i = 0; r == 0 && i < n && docs < SEED_DOCS_MAX; i++) {
            const struct dw_knode *from = dw_kgraph_node(g, in[i]->from);
            if (from->kind != DW_KNODE_DOCUMENT)
                continue;
            docs++;
            const struct dw_document *d = &dw_kindex_workspace(a->ix)->documents[from->index];
            for (size_t k = 0; r == 0 && k < d->n_passages; k++)
                if (added++ < GRAPH_CANDIDATES_MAX)
                    r = push_cand(a, dw_kgraph_passage_number(g, from->index, k), 0);
        }
    }
    return r;
}

/* Merge the duplicates (a passage found by BM25 and by the graph), keeping its BM25. */
static void merge_candidates(struct ask *a) {
    sort_n(a->c, a->n, sizeof *a->c, cand_by_p);
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (k && a->c[k - 1].p == a->c[i].p) {
            if (a->c[i].bm25 > a->c[k - 1].bm25)
                a->c[k - 1].bm25 = a->c[i].bm25;
            continue;
        }
        a->c[k++] = a->c[i];
    }
    a->n = k;
}

static double passage_weight(const struct ask *a, size_t d, size_t k) {
    const uint32_t *m;
    size_t n;
    dw_kgraph_passage_mentions(a->g, d, k, &m, &n);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += a->w[m[i]];
    return sum > 1 ? 1 : sum;
}

static double document_weight(const struct ask *a, size_t d) {
    const struct dw_kedge *out;
    size_t n;
    dw_kgraph_out(a->g, dw_kgraph_document(a->g, d), &out, &n);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += a->w[out[i].to];
    return sum > 1 ? 1 : sum;
}

static json_t *node_json(const struct dw_kgraph *g, uint32_t id) {
    const struct dw_knode *nd = dw_kgraph_node(g, id);
    return json_pack("{s:s,s:s}", "kind", dw_knode_kind_name(nd->kind), "name", nd->name);
}

/* Why a passage was chosen: BM25, and the entities it or its document mentions. */
static json_t *why_json(const struct ask *a, const struct cand *c, size_t d, size_t k) {
    json_t *why = json_array();
    if (!why)
        return NULL;
    if (c->bm25 > 0)
        json_array_append_new(
            why, json_sprintf("matches the words of the question (bm25 %.2f)", c->bm25));
    const uint32_t *m;
    size_t n;
    dw_kgraph_passage_mentions(a->g, d, k, &m, &n);
    for (size_t i = 0; i < n; i++) {
        if (a->w[m[i]] <= 0)
            continue;
        const struct dw_knode *nd = dw_kgraph_node(a->g, m[i]);
        if (a->via[m[i]] == UINT32_MAX) {
            json_array_append_new(
                why, json_sprintf("mentions %s %s", dw_knode_kind_name(nd->kind), nd->name));
        } else {
            const struct dw_knode *from = dw_kgraph_node(a->g, a->via[m[i]]);
            json_array_append_new(why, json_sprintf("mentions %s %s (linked to %s %s)",
                                                    dw_knode_kind_name(nd->kind), nd->name,
                                                    dw_knode_kind_name(from->kind), from->name));
        }
    }
    for (size_t s = 0; s < a->n_seeds; s++) {
        const struct dw_kedge *out;
        size_t no;
        dw_kgraph_out(a->g, dw_kgraph_document(a->g, d), &out, &no);
        for (size_t i = 0; i < no; i++)
            if (out[i].to == a->seeds[s]) {
                const struct dw_knode *nd = dw_kgraph_node(a->g, a->seeds[s]);
                json_array_append_new(why, json_sprintf("its document is about %s %s",
                                                        dw_knode_kind_name(nd->kind), nd->name));
            }
    }
    return why;
}

static int answers_json(struct ask *a, size_t max, json_t *answers) {
    const struct dw_workspace *ws = dw_kindex_workspace(a->ix);
    for (size_t i = 0, shown = 0; i < a->n && shown < max; i++) {
        const struct cand *c = &a->c[i];
        size_t d, k;
        dw_kgraph_passage_at(a->g, c->p, &d, &k);
        const struct dw_document *doc = &ws->documents[d];
        const struct dw_passage *p = &doc->passages[k];
        if (!p->text[0])
            continue; /* a heading with nothing under it answers nothing */
        shown++;
        json_t *why = why_json(a, c, d, k);
        json_t *o =
            json_pack("{s:s+++,s:s,s:s,s:s,s:i,s:s,s:s,s:f,s:f,s:o}", "passage", doc->path,
                      p->anchor[0] ? "#" : "", p->anchor, "", "path", doc->path, "heading",
                      p->heading, "anchor", p->anchor, "line", p->line, "language", doc->language,
                      "text", p->text, "score", (double)(int64_t)(c->score * 10000 + 0.5) / 10000,
                      "bm25", (double)(int64_t)(c->bm25 * 10000 + 0.5) / 10000, "why", why);
        if (!o || json_array_append_new(answers, o) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

static int entities_json(struct ask *a, const char *question, const struct dw_kmention *m, size_t n,
                         json_t *out) {
    for (size_t i = 0; i < n; i++) {
        json_t *o = node_json(a->g, m[i].node);
        if (!o ||
            json_object_set_new(o, "text",
                                json_stringn(question + m[i].start, m[i].end - m[i].start)) < 0 ||
            json_array_append_new(out, o) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

static int expanded_json(struct ask *a, json_t *out) {
    /* highest weight first, then node order; seeds are listed as entities */
    for (float level = 0.5f; level > 0.01f && json_array_size(out) < EXPANDED_SHOWN; level /= 2) {
        for (uint32_t node = 0; node < dw_kgraph_n_nodes(a->g); node++) {
            if (a->w[node] != level || json_array_size(out) >= EXPANDED_SHOWN)
                continue;
            const struct dw_knode *via = dw_kgraph_node(a->g, a->via[node]);
            json_t *o = node_json(a->g, node);
            if (!o || json_object_set_new(o, "weight", json_real(level)) < 0 ||
                json_object_set_new(o, "via", via ? json_string(via->name) : json_null()) < 0 ||
                json_array_append_new(out, o) < 0)
                return -DW_ENOMEM;
        }
    }
    return 0;
}

int dw_kindex_ask(struct dw_kindex *ix, const struct dw_kgraph *g, const char *question, size_t max,
                  json_t **ret, struct dw_error *err) {
    if (!dw_kindex_workspace(ix))
        return dw_error_set(err, -DW_ESTATE, "knowledge index: not synced");
    size_t qlen = strlen(question), bad;
    if (qlen > DW_QUESTION_MAX)
        return dw_error_set(err, -DW_EINVAL, "question: longer than %d bytes", DW_QUESTION_MAX);
    if (!dw_utf8_valid(question, qlen, &bad))
        return dw_error_set(err, -DW_EINVAL, "question: invalid UTF-8 at byte %zu", bad);
    if (max == 0 || max > DW_ASK_MAX)
        return dw_error_set(err, -DW_EINVAL, "answers: between 1 and %d", DW_ASK_MAX);

    struct ask a = {.ix = ix, .g = g};
    struct dw_khit *hits = NULL;
    struct dw_kmention *found = NULL;
    json_t *out = NULL;
    int r = -DW_ENOMEM;
    size_t n_nodes = dw_kgraph_n_nodes(g);
    a.w = calloc(n_nodes + 1, sizeof *a.w);
    a.via = malloc((n_nodes + 1) * sizeof *a.via);
    if (!a.w || !a.via)
        goto out;

    int n_found = dw_kgraph_recognise(g, question, qlen, SEEDS_MAX, &found);
    if (n_found < 0)
        goto out;
    for (int i = 0; i < n_found; i++) {
        bool dup = false;
        for (size_t k = 0; k < a.n_seeds && !dup; k++)
            dup = a.seeds[k] == found[i].node;
        if (!dup)
            a.seeds[a.n_seeds++] = found[i].node;
    }
    if ((r = dw_kgraph_expand(g, a.seeds, a.n_seeds, 2, a.w, a.via)) < 0)
        goto out;

    int n_hits = dw_kindex_search(ix, question, BM25_CANDIDATES, &hits, err);
    if (n_hits < 0) {
        r = n_hits;
        goto fail;
    }
    double best = n_hits > 0 ? hits[0].score : 0;
    for (int i = 0; i < n_hits; i++)
        if ((r = push_cand(&a, dw_kgraph_passage_number(g, hits[i].d, hits[i].k),
                           best > 0 ? hits[i].score : 0)) < 0)
            goto out;
    if ((r = graph_candidates(&a)) < 0)
        goto out;
    merge_candidates(&a);
    for (size_t i = 0; i < a.n; i++) {
        size_t d, k;
        dw_kgraph_passage_at(g, a.c[i].p, &d, &k);
        a.c[i].score = (best > 0 ? a.c[i].bm25 / best : 0) + 0.5 * passage_weight(&a, d, k) +
                       0.25 * document_weight(&a, d);
    }
    sort_n(a.c, a.n, sizeof *a.c, cand_by_score);

    r = -DW_ENOMEM;
    json_t *entities = json_array(), *expanded = json_array(), *answers = json_array();
    out = json_pack("{s:s,s:o,s:o,s:o}", "question", question, "entities", entities, "expanded",
                    expanded, "answers", answers);
    if (!out || entities_json(&a, question, found, (size_t)n_found, entities) < 0 ||
        expanded_json(&a, expanded) < 0 || answers_json(&a, max, answers) < 0)
        goto out;
    *ret = out;
    out = NULL;
    r = 0;
out:
    if (r < 0)
        dw_error_set(err, r, "%s", dw_strerror(r));
fail:
    json_decref(out);
    free(hits);
    free(found);
    free(a.w);
    free(a.via);
    free(a.c);
    return r;
}

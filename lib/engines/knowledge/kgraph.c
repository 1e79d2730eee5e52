/* The knowledge graph: nodes from the catalog, the qualification criteria and the knowledge
 * documents, edges from the catalog's rules and from the names found in the documents.
 *
 * Recognition works on words, not bytes: a name is stored as its lower-cased words joined
 * by one blank, and the names are sorted by their first word so that each word of a text
 * costs one binary search. That keeps building the graph linear in the size of the
 * documents (a hundred thousand passages take well under a second), where searching every
 * name in every passage would not be.
 *
 * Everything is stored in flat arrays (CSR adjacency: edges sorted by source with an offset
 * per node; the same for incoming edges and for passage mentions), built once, read-only
 * afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "engines/kgraph.h"

#define NAME_WORDS_MAX 8 /* longer names are not names */
#define WORD_MAX 64      /* bytes; a longer run of letters is not a word of a name */

struct term {
    char *words; /* lower-cased words joined by ' ' */
    size_t first_len;
    size_t n_words;
    uint32_t node;
};

struct dw_kgraph {
    struct dw_workspace *ws;
    struct dw_knode *nodes;
    size_t n_nodes;
    size_t first_capability, first_standard, first_industry, first_document;

    struct dw_kedge *edges; /* sorted by (from, to, kind) */
    size_t n_edges;
    size_t *out_off;               /* n_nodes + 1 */
    const struct dw_kedge **in_by; /* edges sorted by to */
    size_t *in_off;                /* n_nodes + 1 */

    struct term *terms; /* sorted by first word, then more words first */
    size_t n_terms;

    size_t *doc_first; /* n_documents + 1: global number of each document's first passage */
    size_t n_passages;
    uint32_t *pm;   /* passage mentions, CSR */
    size_t *pm_off; /* n_passages + 1 */
    uint32_t *np;   /* passages per node, CSR */
    size_t *np_off; /* n_nodes + 1 */
};

/* qsort() that accepts an empty array given as NULL. */
static void sort_n(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(v, n, size, cmp);
}

/* ---- words -------------------------------------------------------------------------------- */

static bool word_byte(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch >= 0x80;
}

/* A lower-cased copy of n bytes: ASCII, and the Latin-1 capitals U+00C0..U+00DE (two bytes
 * C3 80..9E, not U+00D7 '×'), whose small letters are the same length. Caller frees. */
static char *lower_copy(const char *s, size_t n) {
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch |= 0x20;
        else if (i > 0 && (unsigned char)s[i - 1] == 0xC3 && ch >= 0x80 && ch <= 0x9E && ch != 0x97)
            ch += 0x20;
        out[i] = (char)ch;
    }
    out[n] = '\0';
    return out;
}

/* The next word of s[0..n) at or after *pos: its span, and *pos after it. */
static bool next_word(const char *s, size_t n, size_t *pos, size_t *ret_s, size_t *ret_e) {
    size_t i = *pos;
    while (i < n && !word_byte((unsigned char)s[i]))
        i++;
    if (i >= n)
        return false;
    size_t st = i;
    while (i < n && word_byte((unsigned char)s[i]))
        i++;
    *ret_s = st;
    *ret_e = i;
    *pos = i;
    return true;
}

/* ---- building ---------------------------------------------------------------------------- */

struct vec { /* a growable array of elements of one size */
    void *v;
    size_t n, cap, size;
};

static void *vec_push(struct vec *a) {
    if (dw_grow(&a->v, &a->cap, a->n + 1, a->size) < 0)
        return NULL;
    return (char *)a->v + a->size * a->n++;
}

static int add_term(struct vec *terms, const char *name, uint32_t node) {
    if (!name)
        return 0;
    _cleanup_free_ char *low = lower_copy(name, strlen(name));
    if (!low)
        return -DW_ENOMEM;
    struct dw_buf b;
    dw_buf_init(&b, 0);
    size_t len = strlen(low), pos = 0, ws, we, n = 0, first = 0;
    while (next_word(low, len, &pos, &ws, &we)) {
        /* a name of too many or too long words is not kept at all: cut short, it would
         * match the wrong things */
        if (we - ws > WORD_MAX || ++n > NAME_WORDS_MAX) {
            dw_buf_release(&b);
            return 0;
        }
        if ((b.len && dw_buf_putc(&b, ' ') < 0) || dw_buf_append(&b, low + ws, we - ws) < 0) {
            dw_buf_release(&b);
            return -DW_ENOMEM;
        }
        if (n == 1)
            first = we - ws;
    }
    if (n == 0 || b.len < 2) { /* one letter is not a name */
        dw_buf_release(&b);
        return 0;
    }
    struct term *t = vec_push(terms);
    if (!t) {
        dw_buf_release(&b);
        return -DW_ENOMEM;
    }
    *t = (struct term){.words = dw_buf_steal(&b), .first_len = first, .n_words = n, .node = node};
    dw_buf_release(&b);
    return t->words ? 0 : -DW_ENOMEM;
}

static int term_cmp(const void *a, const void *b) {
    const struct term *x = a, *y = b;
    size_t n = x->first_len < y->first_len ? x->first_len : y->first_len;
    int c = memcmp(x->words, y->words, n);
    if (c)
        return c;
    if (x->first_len != y->first_len)
        return x->first_len < y->first_len ? -1 : 1;
    if (x->n_words != y->n_words)
        return x->n_words > y->n_words ? -1 : 1;
    c = strcmp(x->words, y->words);
    return c ? c : (x->node > y->node) - (x->node < y->node);
}

static int edge_cmp(const void *a, const void *b) {
    const struct dw_kedge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int add_edge(struct vec *edges, uint32_t from, uint32_t to, enum dw_kedge_kind kind) {
    if (from == UINT32_MAX || to == UINT32_MAX)
        return 0;
    struct dw_kedge *e = vec_push(edges);
    if (!e)
        return -DW_ENOMEM;
    *e = (struct dw_kedge){.from = from, .to = to, .kind = kind};
    return 0;
}

static int make_nodes(struct dw_kgraph *g) {
    const struct dw_workspace *ws = g->ws;
    const struct dw_qualification *q = &ws->qualification;
    g->first_capability = ws->n_items;
    g->first_standard = g->first_capability + ws->n_capabilities;
    g->first_industry = g->first_standard + ws->n_standards;
    g->first_document = g->first_industry + q->n_icp_industries;
    g->n_nodes = g->first_document + ws->n_documents;
    if (g->n_nodes >= UINT32_MAX)
        return -DW_ETOOBIG;
    g->nodes = calloc(g->n_nodes + 1, sizeof *g->nodes);
    if (!g->nodes)
        return -DW_ENOMEM;
    for (size_t i = 0; i < ws->n_items; i++)
        g->nodes[i] = (struct dw_knode){DW_KNODE_ITEM, ws->items[i].sku, i};
    for (size_t i = 0; i < ws->n_capabilities; i++)
        g->nodes[g->first_capability + i] =
            (struct dw_knode){DW_KNODE_CAPABILITY, ws->capabilities[i].name, i};
    for (size_t i = 0; i < ws->n_standards; i++)
        g->nodes[g->first_standard + i] =
            (struct dw_knode){DW_KNODE_STANDARD, ws->standards[i].name, i};
    for (size_t i = 0; i < q->n_icp_industries; i++)
        g->nodes[g->first_industry + i] =
            (struct dw_knode){DW_KNODE_INDUSTRY, q->icp_industries[i], i};
    for (size_t i = 0; i < ws->n_documents; i++)
        g->nodes[g->first_document + i] =
            (struct dw_knode){DW_KNODE_DOCUMENT, ws->documents[i].path, i};
    return 0;
}

static int make_terms(struct dw_kgraph *g) {
    const struct dw_workspace *ws = g->ws;
    struct vec terms = {.size = sizeof(struct term)};
    int r = 0;
    for (size_t i = 0; r == 0 && i < ws->n_items; i++) {
        r = add_term(&terms, ws->items[i].sku, (uint32_t)i);
        if (r == 0)
            r = add_term(&terms, ws->items[i].name, (uint32_t)i);
    }
    const struct dw_term *lists[] = {ws->capabilities, ws->standards};
    size_t counts[] = {ws->n_capabilities, ws->n_standards};
    size_t firsts[] = {g->first_capability, g->first_standard};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; r == 0 && i < counts[l]; i++) {
            const struct dw_term *t = &lists[l][i];
            uint32_t node = (uint32_t)(firsts[l] + i);
            r = add_term(&terms, t->name, node);
            for (size_t k = 0; r == 0 && k < t->n_synonyms; k++)
                r = add_term(&terms, t->synonyms[k], node);
        }
    for (size_t i = 0; r == 0 && i < ws->qualification.n_icp_industries; i++)
        r = add_term(&terms, ws->qualification.icp_industries[i],
                     (uint32_t)(g->first_industry + i));
    g->terms = terms.v;
    g->n_terms = terms.n;
    if (r < 0)
        return r;
    sort_n(g->terms, g->n_terms, sizeof *g->terms, term_cmp);
    /* the same words for the same node twice (a synonym equal to the name) */
    size_t k = 0;
    for (size_t i = 0; i < g->n_terms; i++) {
        if (k && g->terms[k - 1].node == g->terms[i].node &&
            strcmp(g->terms[k - 1].words, g->terms[i].words) == 0) {
            free(g->terms[i].words);
            continue;
        }
        g->terms[k++] = g->terms[i];
    }
    g->n_terms = k;
    return 0;
}

/* ---- recognition -------------------------------------------------------------------------- */

struct span {
    size_t s, e;
};

/* The first term whose first word is w[0..n), or g->n_terms. */
static size_t terms_lower_bound(const struct dw_kgraph *g, const char *w, size_t n) {
    size_t lo = 0, hi = g->n_terms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct term *t = &g->terms[mid];
        size_t m = t->first_len < n ? t->first_len : n;
        int c = memcmp(t->words, w, m);
        if (c < 0 || (c == 0 && t->first_len < n))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Does term t match the words of low starting at word i? */
static bool term_matches(const struct term *t, const char *low, const struct span *words,
                         size_t n_words, size_t i) {
    if (i + t->n_words > n_words)
        return false;
    const char *p = t->words;
    for (size_t k = 0; k < t->n_words; k++) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        const struct span *w = &words[i + k];
        if (w->e - w->s != len || memcmp(low + w->s, p, len) != 0)
            return false;
        p = sp ? sp + 1 : p + len;
    }
    return true;
}

static int recognise(const struct dw_kgraph *g, const char *text, size_t len, size_t max,
                     struct vec *out) {
    if (!g->n_terms || !len)
        return 0;
    _cleanup_free_ char *low = lower_copy(text, len);
    struct vec words = {.size = sizeof(struct span)};
    if (!low)
        return -DW_ENOMEM;
    size_t pos = 0, ws, we;
    int r = 0;
    while (next_word(low, len, &pos, &ws, &we)) {
        struct span *w = vec_push(&words);
        if (!w) {
            r = -DW_ENOMEM;
            goto out;
        }
        *w = (struct span){ws, we};
    }
    const struct span *wv = words.v;
    for (size_t i = 0; i < words.n && out->n < max;) {
        size_t first = terms_lower_bound(g, low + wv[i].s, wv[i].e - wv[i].s);
        size_t best = 0;
        for (size_t t = first; t < g->n_terms; t++) {
            const struct term *tm = &g->terms[t];
            if (tm->first_len != wv[i].e - wv[i].s ||
                memcmp(tm->words, low + wv[i].s, tm->first_len) != 0)
                break;
            if (tm->n_words < best)
                break; /* sorted longest first: nothing longer follows */
            if (!term_matches(tm, low, wv, words.n, i))
                continue;
            best = tm->n_words;
            struct dw_kmention *m = vec_push(out);
            if (!m) {
                r = -DW_ENOMEM;
                goto out;
            }
            *m = (struct dw_kmention){tm->node, wv[i].s, wv[i + best - 1].e};
            if (out->n >= max)
                break;
        }
        i += best ? best : 1;
    }
out:
    free(words.v);
    return r;
}

bool dw_text_names(const char *text, size_t len, const char *name) {
    struct vec terms = {.size = sizeof(struct term)};
    struct dw_kgraph g = {0};
    struct vec found = {.size = sizeof(struct dw_kmention)};
    bool hit = false;
    if (add_term(&terms, name, 0) == 0 && terms.n == 1) {
        g.terms = terms.v;
        g.n_terms = 1;
        hit = recognise(&g, text, len, 1, &found) == 0 && found.n > 0;
    }
    for (size_t i = 0; i < terms.n; i++)
        free(((struct term *)terms.v)[i].words);
    free(terms.v);
    free(found.v);
    return hit;
}

int dw_kgraph_recognise(const struct dw_kgraph *g, const char *text, size_t len, size_t max,
                        struct dw_kmention **ret) {
    struct vec out = {.size = sizeof(struct dw_kmention)};
    int r = recognise(g, text, len, max, &out);
    if (r < 0) {
        free(out.v);
        return r;
    }
    *ret = out.v;
    return (int)out.n;
}

/* ---- passages and edges ------------------------------------------------------------------- */

/* Mentions of every passage into pm (CSR) and the document -mentions-> edges. */
static int scan_documents(struct dw_kgraph *g, struct vec *edges) {
    const struct dw_workspace *ws = g->ws;
    g->doc_first = calloc(ws->n_documents + 1, sizeof *g->doc_first);
    if (!g->doc_first)
        return -DW_ENOMEM;
    size_t n = 0;
    for (size_t d = 0; d < ws->n_documents; d++) {
        g->doc_first[d] = n;
        n += ws->documents[d].n_passages;
    }
    g->doc_first[ws->n_documents] = n;
    g->n_passages = n;
    if (n >= UINT32_MAX)
        return -DW_ETOOBIG;
    g->pm_off = calloc(n + 1, sizeof *g->pm_off);
    if (!g->pm_off)
        return -DW_ENOMEM;
    struct vec pm = {.size = sizeof(uint32_t)}, found = {.size = sizeof(struct dw_kmention)};
    int r = 0;
    for (size_t d = 0; d < ws->n_documents && r == 0; d++) {
        const struct dw_document *doc = &ws->documents[d];
        uint32_t dn = (uint32_t)(g->first_document + d);
        found.n = 0;
        r = recognise(g, doc->title, strlen(doc->title), SIZE_MAX, &found);
        for (size_t i = 0; r == 0 && i < found.n; i++)
            r = add_edge(edges, dn, ((struct dw_kmention *)found.v)[i].node, DW_KEDGE_MENTIONS);
        for (size_t k = 0; r == 0 && k < doc->n_passages; k++) {
            const struct dw_passage *p = &doc->passages[k];
            size_t gp = g->doc_first[d] + k, start = pm.n;
            g->pm_off[gp] = start;
            found.n = 0;
            /* the heading path opens with the title: the passage's own heading is enough */
            const char *own = strrchr(p->heading, '>');
            own = own ? own + 1 : p->heading;
            r = recognise(g, own, strlen(own), SIZE_MAX, &found);
            if (r == 0)
                r = recognise(g, p->text, strlen(p->text), SIZE_MAX, &found);
            for (size_t i = 0; r == 0 && i < found.n; i++) {
                uint32_t *slot = vec_push(&pm);
                if (!slot)
                    r = -DW_ENOMEM;
                else
                    *slot = ((struct dw_kmention *)found.v)[i].node;
            }
            if (r < 0)
                break;
            uint32_t *v = pm.v ? (uint32_t *)pm.v + start : NULL;
            size_t m = pm.n - start, u = 0;
            sort_n(v, m, sizeof *v, u32_cmp);
            for (size_t i = 0; i < m; i++)
                if (u == 0 || v[u - 1] != v[i])
                    v[u++] = v[i];
            pm.n = start + u;
            for (size_t i = 0; r == 0 && i < u; i++)
                r = add_edge(edges, dn, v[i], DW_KEDGE_MENTIONS);
        }
        for (size_t i = 0; r == 0 && i < doc->n_about; i++)
            r = add_edge(edges, dn, dw_kgraph_find(g, DW_KNODE_ITEM, doc->about[i]),
                         DW_KEDGE_MENTIONS);
        for (size_t i = 0; r == 0 && i < doc->n_capabilities; i++)
            r = add_edge(edges, dn, dw_kgraph_find(g, DW_KNODE_CAPABILITY, doc->capabilities[i]),
                         DW_KEDGE_MENTIONS);
    }
    g->pm_off[n] = pm.n;
    g->pm = pm.v ? pm.v : calloc(1, sizeof *g->pm); /* never NULL: readers index it */
    if (!g->pm && r == 0)
        r = -DW_ENOMEM;
    free(found.v);
    if (r < 0)
        return r;

    /* the inverse: passages per node, in passage order */
    g->np_off = calloc(g->n_nodes + 1, sizeof *g->np_off);
    g->np = malloc((pm.n + 1) * sizeof *g->np);
    if (!g->np_off || !g->np)
        return -DW_ENOMEM;
    for (size_t i = 0; i < pm.n; i++)
        g->np_off[g->pm[i] + 1]++;
    for (size_t i = 0; i < g->n_nodes; i++)
        g->np_off[i + 1] += g->np_off[i];
    _cleanup_free_ size_t *fill = malloc((g->n_nodes + 1) * sizeof *fill);
    if (!fill)
        return -DW_ENOMEM;
    memcpy(fill, g->np_off, (g->n_nodes + 1) * sizeof *fill);
    for (size_t p = 0; p < n; p++)
        for (size_t i = g->pm_off[p]; i < g->pm_off[p + 1]; i++)
            g->np[fill[g->pm[i]]++] = (uint32_t)p;
    return 0;
}

static int catalog_edges(struct dw_kgraph *g, struct vec *edges) {
    const struct dw_workspace *ws = g->ws;
    int r = 0;
    for (size_t i = 0; r == 0 && i < ws->n_items; i++) {
        const struct dw_item *it = &ws->items[i];
        for (size_t k = 0; r == 0 && k < it->n_capabilities; k++)
            r = add_edge(edges, (uint32_t)i,
                         dw_kgraph_find(g, DW_KNODE_CAPABILITY, it->capabilities[k]),
                         DW_KEDGE_SUPPORTS);
        for (size_t k = 0; r == 0 && k < it->n_requires; k++)
            r = add_edge(edges, (uint32_t)i, dw_kgraph_find(g, DW_KNODE_ITEM, it->requires[k].sku),
                         DW_KEDGE_REQUIRES);
    }
    return r;
}

static int index_edges(struct dw_kgraph *g, struct vec *edges) {
    sort_n(edges->v, edges->n, sizeof(struct dw_kedge), edge_cmp);
    struct dw_kedge *e = edges->v;
    size_t k = 0;
    for (size_t i = 0; i < edges->n; i++)
        if (k == 0 || edge_cmp(&e[k - 1], &e[i]) != 0)
            e[k++] = e[i];
    g->edges = e ? e : calloc(1, sizeof *g->edges); /* never NULL: readers index it */
    g->n_edges = k;
    edges->v = NULL;
    if (!g->edges)
        return -DW_ENOMEM;
    g->out_off = calloc(g->n_nodes + 1, sizeof *g->out_off);
    g->in_off = calloc(g->n_nodes + 1, sizeof *g->in_off);
    g->in_by = malloc((k + 1) * sizeof *g->in_by);
    if (!g->out_off || !g->in_off || !g->in_by)
        return -DW_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        g->out_off[e[i].from + 1]++;
        g->in_off[e[i].to + 1]++;
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        g->out_off[i + 1] += g->out_off[i];
        g->in_off[i + 1] += g->in_off[i];
    }
    _cleanup_free_ size_t *fill = malloc((g->n_nodes + 1) * sizeof *fill);
    if (!fill)
        return -DW_ENOMEM;
    memcpy(fill, g->in_off, (g->n_nodes + 1) * sizeof *fill);
    for (size_t i = 0; i < k; i++)
        g->in_by[fill[e[i].to]++] = &e[i];
    return 0;
}

int dw_kgraph_build(struct dw_workspace *ws, struct dw_kgraph **ret) {
    struct dw_kgraph *g = calloc(1, sizeof *g);
    if (!g)
        return -DW_ENOMEM;
    g->ws = dw_workspace_ref(ws);
    struct vec edges = {.size = sizeof(struct dw_kedge)};
    int r = make_nodes(g);
    if (r == 0)
        r = make_terms(g);
    if (r == 0)
        r = catalog_edges(g, &edges);
    if (r == 0)
        r = scan_documents(g, &edges);
    if (r == 0)
        r = index_edges(g, &edges);
    free(edges.v);
    if (r < 0) {
        dw_kgraph_free(g);
        return r;
    }
    *ret = g;
    return 0;
}

void dw_kgraph_free(struct dw_kgraph *g) {
    if (!g)
        return;
    for (size_t i = 0; i < g->n_terms; i++)
        free(g->terms[i].words);
    free(g->terms);
    free(g->nodes);
    free(g->edges);
    free(g->out_off);
    free(g->in_off);
    free(g->in_by);
    free(g->doc_first);
    free(g->pm);
    free(g->pm_off);
    free(g->np);
    free(g->np_off);
    dw_workspace_unref(g->ws);
    free(g);
}

/* ---- reading ------------------------------------------------------------------------------ */

size_t dw_kgraph_n_nodes(const struct dw_kgraph *g) {
    return g->n_nodes;
}

size_t dw_kgraph_n_edges(const struct dw_kgraph *g) {
    return g->n_edges;
}

size_t dw_kgraph_n_passages(const struct dw_kgraph *g) {
    return g->n_passages;
}

const struct dw_knode *dw_kgraph_node(const struct dw_kgraph *g, uint32_t id) {
    return id < g->n_nodes ? &g->nodes[id] : NULL;
}

uint32_t dw_kgraph_find(const struct dw_kgraph *g, enum dw_knode_kind kind, const char *name) {
    if (!name)
        return UINT32_MAX;
    if (kind == DW_KNODE_ITEM) {
        const struct dw_item *it = dw_ws_item(g->ws, name);
        return it ? (uint32_t)(it - g->ws->items) : UINT32_MAX;
    }
    for (size_t i = g->first_capability; i < g->n_nodes; i++)
        if (g->nodes[i].kind == kind && strcmp(g->nodes[i].name, name) == 0)
            return (uint32_t)i;
    return UINT32_MAX;
}

uint32_t dw_kgraph_document(const struct dw_kgraph *g, size_t d) {
    return (uint32_t)(g->first_document + d);
}

const char *dw_knode_kind_name(enum dw_knode_kind kind) {
    static const char *const names[] = {"item", "capability", "standard", "industry", "document"};
    return (size_t)kind < DW_ARRAY_SIZE(names) ? names[kind] : "?";
}

const char *dw_kedge_kind_name(enum dw_kedge_kind kind) {
    static const char *const names[] = {"supports", "requires", "mentions"};
    return (size_t)kind < DW_ARRAY_SIZE(names) ? names[kind] : "?";
}

void dw_kgraph_out(const struct dw_kgraph *g, uint32_t node, const struct dw_kedge **ret_v,
                   size_t *ret_n) {
    *ret_v = node < g->n_nodes ? &g->edges[g->out_off[node]] : NULL;
    *ret_n = node < g->n_nodes ? g->out_off[node + 1] - g->out_off[node] : 0;
}

void dw_kgraph_in(const struct dw_kgraph *g, uint32_t node, const struct dw_kedge *const **ret_v,
                  size_t *ret_n) {
    *ret_v = node < g->n_nodes ? &g->in_by[g->in_off[node]] : NULL;
    *ret_n = node < g->n_nodes ? g->in_off[node + 1] - g->in_off[node] : 0;
}

void dw_kgraph_passage_mentions(const struct dw_kgraph *g, size_t d, size_t k,
                                const uint32_t **ret_v, size_t *ret_n) {
    size_t p = g->doc_first[d] + k;
    *ret_v = &g->pm[g->pm_off[p]];
    *ret_n = g->pm_off[p + 1] - g->pm_off[p];
}

void dw_kgraph_mentioned_in(const struct dw_kgraph *g, uint32_t node, const uint32_t **ret_v,
                            size_t *ret_n) {
    *ret_v = node < g->n_nodes ? &g->np[g->np_off[node]] : NULL;
    *ret_n = node < g->n_nodes ? g->np_off[node + 1] - g->np_off[node] : 0;
}

void dw_kgraph_passage_at(const struct dw_kgraph *g, uint32_t p, size_t *ret_d, size_t *ret_k) {
    size_t lo = 0, hi = g->ws->n_documents; /* the last document whose first passage <= p */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->doc_first[mid] <= p)
            lo = mid;
        else
            hi = mid;
    }
    while (lo + 1 < g->ws->n_documents && g->doc_first[lo + 1] <= p)
        lo++; /* documents without passages share a first number */
    *ret_d = lo;
    *ret_k = p - g->doc_first[lo];
}

uint32_t dw_kgraph_passage_number(const struct dw_kgraph *g, size_t d, size_t k) {
    return (uint32_t)(g->doc_first[d] + k);
}

/* ---- expansion ---------------------------------------------------------------------------- */

static void relax(const struct dw_kgraph *g, const float *before, float *weights, uint32_t *via,
                  uint32_t from, uint32_t to) {
    if (g->nodes[to].kind == DW_KNODE_DOCUMENT)
        return;
    float w = before[from] / 2;
    if (w > weights[to]) {
        weights[to] = w;
        if (via)
            via[to] = from;
    }
}

int dw_kgraph_expand(const struct dw_kgraph *g, const uint32_t *seeds, size_t n_seeds, int hops,
                     float *weights, uint32_t *via) {
    if (via)
        for (size_t i = 0; i < g->n_nodes; i++)
            via[i] = UINT32_MAX;
    for (size_t i = 0; i < n_seeds; i++)
        if (seeds[i] < g->n_nodes)
            weights[seeds[i]] = 1.0f;
    if (hops <= 0)
        return 0;
    _cleanup_free_ float *before = malloc((g->n_nodes + 1) * sizeof *before);
    if (!before)
        return -DW_ENOMEM;
    for (int h = 0; h < hops; h++) {
        memcpy(before, weights, g->n_nodes * sizeof *before);
        for (size_t i = 0; i < g->n_edges; i++) {
            const struct dw_kedge *e = &g->edges[i];
            if (e->kind == DW_KEDGE_MENTIONS)
                continue;
            if (before[e->from] > 0)
                relax(g, before, weights, via, e->from, e->to);
            if (before[e->to] > 0)
                relax(g, before, weights, via, e->to, e->from);
        }
    }
    return 0;
}

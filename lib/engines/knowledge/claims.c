/* Knowledge documents: grounded claims for proposals and reading lists for discovery.
 *
 * The proposal must not say anything the company has not written down, so a claim is the
 * first sentence of a passage copied byte for byte — never paraphrased, never joined from
 * two places. Markdown makes "the first sentence" a little less obvious than it sounds: a
 * passage may open with a list, a table or a code fence, and a sentence may run over a
 * soft line break; dw_first_sentence() documents what it takes.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engines/kgraph.h"
#include "engines/knowledge.h"

#define CITATIONS_MAX 32 /* per proposal; a proposal is read by people */
#define WHY_MAX 1024

/* ---- first sentence ------------------------------------------------------------------- */

static const char *skip_blanks(const char *p) {
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static const char *next_line(const char *p) {
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

static bool is_fence(const char *p) {
    return strncmp(p, "```", 3) == 0 || strncmp(p, "~~~", 3) == 0;
}

/* A list item marker at p ("- ", "* ", "+ ", "12. ", "3) "): its length, else 0. */
static size_t list_marker(const char *p) {
    if ((*p == '-' || *p == '*' || *p == '+') && (p[1] == ' ' || p[1] == '\t'))
        return 2;
    size_t n = 0;
    while (isdigit((unsigned char)p[n]) && n < 9)
        n++;
    if (n > 0 && (p[n] == '.' || p[n] == ')') && (p[n + 1] == ' ' || p[n + 1] == '\t'))
        return n + 2;
    return 0;
}

/* Does the line at p end the paragraph (blank) or start another block? */
static bool block_start(const char *p) {
    p = skip_blanks(p);
    return *p == '\n' || *p == '\r' || *p == '\0' || *p == '#' || *p == '|' || *p == '>' ||
           is_fence(p) || list_marker(p) > 0;
}

/* Abbreviations whose dot does not end a sentence (lower-case, with the dot). */
static const char *const abbreviations[] = {"e.g.", "i.e.", "z.b.", "ca.",  "approx.", "incl.",
                                            "vs.",  "no.",  "nr.",  "bzw.", "cf.",     "resp."};

static bool is_abbreviation(const char *start, const char *dot) {
    const char *w = dot;
    while (w > start && !isspace((unsigned char)w[-1]) && w[-1] != '(')
        w--;
    size_t n = (size_t)(dot - w) + 1;
    if (n == 2 && isupper((unsigned char)w[0]))
        return true; /* an initial: "J. Smith" */
    for (size_t i = 0; i < DW_ARRAY_SIZE(abbreviations); i++)
        if (strlen(abbreviations[i]) == n && strncasecmp(w, abbreviations[i], n) == 0)
            return true;
    return false;
}

bool dw_first_sentence(const char *text, size_t *ret_start, size_t *ret_end) {
    if (!text)
        return false;
    const char *p = text;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return false;
        if (is_fence(p)) { /* code is not prose: skip the block */
            p = next_line(p);
            while (*p && !is_fence(skip_blanks(p)))
                p = next_line(p);
            p = next_line(p);
            continue;
        }
        if (*p == '|' || *p == '<' || (*p == '!' && p[1] == '[')) { /* table, HTML, image */
            p = next_line(p);
            continue;
        }
        break;
    }
    /* a marker opening the block is not part of the sentence */
    if (*p == '>')
        p++;
    else if (*p == '#')
        while (*p == '#')
            p++;
    else
        p += list_marker(p);
    p = skip_blanks(p);
    if (!*p || *p == '\n' || *p == '\r')
        return false;

    const char *s = p, *e = NULL;
    for (const char *q = s; !e; q++) {
        if (!*q) {
            e = q;
        } else if (*q == '\n') {
            if (block_start(q + 1))
                e = q;
        } else if (*q == '.' || *q == '!' || *q == '?') {
            const char *r = q + 1;
            while (*r == '"' || *r == '\'' || *r == ')' || *r == '*' || *r == '_')
                r++;
            if ((!*r || isspace((unsigned char)*r)) && !(*q == '.' && is_abbreviation(s, q)))
                e = r;
        }
    }
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    if (e == s || (size_t)(e - s) > DW_CLAIM_MAX)
        return false;
    *ret_start = (size_t)(s - text);
    *ret_end = (size_t)(e - text);
    return true;
}

/* ---- claims ------------------------------------------------------------------------------ */

static bool list_has(char *const *list, size_t n, const char *s) {
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool doc_about(const struct dw_document *d, const char *sku) {
    return list_has(d->about, d->n_about, sku);
}

static bool doc_shares_capability(const struct dw_document *d, const json_t *covers) {
    size_t i;
    json_t *c;
    json_array_foreach(covers, i, c) {
        if (list_has(d->capabilities, d->n_capabilities, json_string_value(c)))
            return true;
    }
    return false;
}

/* Does a passage of d name the item (its SKU or its name, as the knowledge graph
 * recognises names)? For documents whose front matter forgot the item. */
static bool doc_names_item(const struct dw_document *d, const struct dw_item *it) {
    for (size_t k = 0; k < d->n_passages; k++) {
        const struct dw_passage *p = &d->passages[k];
        const char *names[] = {it->sku, it->name};
        for (size_t i = 0; i < DW_ARRAY_SIZE(names); i++)
            if (names[i] && (dw_text_names(p->text, strlen(p->text), names[i]) ||
                             dw_text_names(p->heading, strlen(p->heading), names[i])))
                return true;
    }
    return false;
}

struct cite_state {
    const struct dw_workspace *ws;
    bool *cited; /* per document */
    json_t *claims, *citations;
};

/* How well a passage's first sentence [s, e) backs a line: a passage that names the item
 * beats one that does not, a sentence with a figure in it (throughput, ports, hours) beats
 * one without, and a sentence about the document itself ("This guide explains ...") says
 * nothing about the product. */
static int passage_score(const struct dw_passage *p, const struct dw_item *it, size_t s, size_t e) {
    int score = 0;
    if (it && (strstr(p->text, it->sku) || strcasestr(p->text, it->name) ||
               strcasestr(p->heading, it->name)))
        score += 4;
    for (size_t k = s; k < e; k++)
        if (isdigit((unsigned char)p->text[k])) {
            score += 2;
            break;
        }
    if (strncmp(p->text + s, "This ", 5) == 0)
        score -= 3;
    return score;
}

/* The passage of d that best backs a line for it (see passage_score), d->n_passages when
 * none qualifies: only passages with a heading of their own and a first sentence do. */
static size_t best_passage(const struct dw_document *d, const struct dw_item *it) {
    int best = -1000;
    size_t best_k = d->n_passages;
    for (size_t k = 0; k < d->n_passages; k++) {
        const struct dw_passage *p = &d->passages[k];
        size_t s, e;
        /* text before the first heading has an empty anchor: nothing to point a reader at */
        if (!p->heading || !p->anchor || !p->anchor[0] || !dw_first_sentence(p->text, &s, &e))
            continue;
        int score = passage_score(p, it, s, e);
        if (score > best) {
            best = score;
            best_k = k;
        }
    }
    return best_k;
}

/* best_passage() per document and catalog item, kept with the workspace snapshot
 * (dw_ws_memo) and filled in as proposals ask: the choice depends on the snapshot's
 * documents and items alone. An entry is written whole by whichever thread works it out
 * first (every thread works out the same value), so readers need no lock. */
struct claims_memo {
    size_t n_items;
    int32_t best[]; /* [document][item]: the passage's index + 1, 0 not yet worked out */
};

static void *claims_memo_build(const struct dw_workspace *ws, void *ud) {
    (void)ud;
    size_t n = ws->n_documents * ws->n_items;
    struct claims_memo *m = calloc(1, sizeof *m + (n ? n : 1) * sizeof m->best[0]);
    if (m)
        m->n_items = ws->n_items;
    return m;
}

static size_t best_passage_memo(const struct dw_workspace *ws, size_t di,
                                const struct dw_item *it) {
    const struct dw_document *d = &ws->documents[di];
    struct claims_memo *m = it && d->n_passages < INT32_MAX
                                ? dw_ws_memo(ws, DW_WS_MEMO_CLAIMS, claims_memo_build, NULL, free)
                                : NULL;
    if (!m)
        return best_passage(d, it);
    int32_t *slot = &m->best[di * m->n_items + (size_t)(it - ws->items)];
    int32_t v = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (v > 0)
        return (size_t)v - 1;
    size_t k = best_passage(d, it);
    __atomic_store_n(slot, (int32_t)k + 1, __ATOMIC_RELAXED);
    return k;
}

/* Cite the passage of document di that best backs the line for sku. */
static int cite(struct cite_state *st, size_t di, const char *sku) {
    const struct dw_document *d = &st->ws->documents[di];
    if (st->cited[di] || json_array_size(st->citations) >= CITATIONS_MAX)
        return 0;
    size_t best_k = best_passage_memo(st->ws, di, dw_ws_item(st->ws, sku));
    for (size_t k = best_k; k < d->n_passages; k++) {
        const struct dw_passage *p = &d->passages[k];
        size_t s, e;
        dw_first_sentence(p->text, &s, &e);
        json_int_t ref = (json_int_t)json_array_size(st->citations) + 1;
        /* what json_pack("{s:I,s:s,s:s,s:s}") and ("{s:s%,s:I,s:s}") make, without parsing a
         * format per claim */
        json_t *cit = json_object(), *claim = json_object();
        if (cit && claim &&
            (json_object_set_new_nocheck(cit, "ref", json_integer(ref)) < 0 ||
             json_object_set_new_nocheck(cit, "path", json_string(d->path)) < 0 ||
             json_object_set_new_nocheck(cit, "heading", json_string(p->heading)) < 0 ||
             json_object_set_new_nocheck(cit, "anchor", json_string(p->anchor ? p->anchor : "")) <
                 0 ||
             json_object_set_new_nocheck(claim, "text", json_stringn(p->text + s, e - s)) < 0 ||
             json_object_set_new_nocheck(claim, "ref", json_integer(ref)) < 0 ||
             json_object_set_new_nocheck(claim, "sku", json_string(sku)) < 0)) {
            json_decref(cit);
            json_decref(claim);
            cit = claim = NULL;
        }
        if (!cit || !claim) {
            json_decref(cit);
            json_decref(claim);
            return -DW_ENOMEM;
        }
        if (json_array_append_new(st->citations, cit) < 0) {
            json_decref(claim);
            return -DW_ENOMEM;
        }
        if (json_array_append_new(st->claims, claim) < 0)
            return -DW_ENOMEM;
        st->cited[di] = true;
        return 0;
    }
    return 0;
}

int dw_knowledge_claims(const struct dw_workspace *ws, const json_t *lines, json_t **ret_claims,
                        json_t **ret_citations) {
    _cleanup_json_ json_t *claims = json_array(), *citations = json_array();
    _cleanup_free_ bool *cited = calloc(ws->n_documents + 1, sizeof *cited);
    if (!claims || !citations || !cited)
        return -DW_ENOMEM;
    struct cite_state st = {.ws = ws, .cited = cited, .claims = claims, .citations = citations};
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line) {
        const char *sku = dw_json_str(line, "sku");
        if (!sku)
            continue;
        bool about = false;
        for (size_t d = 0; d < ws->n_documents; d++) {
            if (!doc_about(&ws->documents[d], sku))
                continue;
            about = true;
            int r = cite(&st, d, sku);
            if (r < 0)
                return r;
        }
        if (about)
            continue;
        const json_t *covers = json_object_get(line, "covers");
        bool shared = false;
        for (size_t d = 0; d < ws->n_documents; d++) {
            if (!doc_shares_capability(&ws->documents[d], covers))
                continue;
            shared = true;
            int r = cite(&st, d, sku);
            if (r < 0)
                return r;
        }
        if (shared)
            continue;
        const struct dw_item *it = dw_ws_item(ws, sku);
        for (size_t d = 0; it && d < ws->n_documents; d++) {
            if (!doc_names_item(&ws->documents[d], it))
                continue;
            int r = cite(&st, d, sku);
            if (r < 0)
                return r;
        }
    }
    *ret_claims = DW_TAKE_PTR(claims);
    *ret_citations = DW_TAKE_PTR(citations);
    return 0;
}

/* ---- relevant documents ------------------------------------------------------------------ */

struct hit {
    const struct dw_document *doc;
    size_t matched;
    char *why;
};

static int hit_cmp(const void *a, const void *b) {
    const struct hit *x = a, *y = b;
    if (x->matched != y->matched)
        return x->matched > y->matched ? -1 : 1;
    return strcmp(x->doc->path, y->doc->path);
}

static bool item_covers(const struct dw_item *it, const char *cap) {
    return list_has(it->capabilities, it->n_capabilities, cap);
}

/* How well document d matches the wanted capability names; sets *ret_why (caller frees)
 * when it matches at all. */
static int match_document(const struct dw_workspace *ws, const struct dw_document *d,
                          const json_t *caps, size_t *ret_matched, char **ret_why) {
    struct dw_buf tagged, about;
    dw_buf_init(&tagged, WHY_MAX);
    dw_buf_init(&about, WHY_MAX);
    size_t matched = 0;
    const char *about_sku = NULL;
    int r = 0;
    size_t i;
    json_t *c;
    json_array_foreach(caps, i, c) {
        const char *cap = json_string_value(c);
        if (!cap)
            continue;
        if (list_has(d->capabilities, d->n_capabilities, cap)) {
            matched++;
            if (dw_buf_printf(&tagged, "%s%s", tagged.len ? ", " : "", cap) < 0)
                r = -DW_ETOOBIG;
            continue;
        }
        for (size_t k = 0; k < d->n_about; k++) {
            const struct dw_item *it = dw_ws_item(ws, d->about[k]);
            if (!it || !item_covers(it, cap))
                continue;
            matched++;
            if (!about_sku)
                about_sku = d->about[k];
            if (dw_buf_printf(&about, "%s%s", about.len ? ", " : "", cap) < 0)
                r = -DW_ETOOBIG;
            break;
        }
    }
    *ret_matched = matched;
    *ret_why = NULL;
    if (matched > 0 && r == 0) {
        struct dw_buf why;
        dw_buf_init(&why, 2 * WHY_MAX);
        if (tagged.len)
            r = dw_buf_printf(&why, "mentions %s", tagged.data);
        else
            r = dw_buf_printf(&why, "about %s, which covers %s", about_sku, about.data);
        *ret_why = r < 0 ? NULL : dw_buf_steal(&why);
        dw_buf_release(&why);
    }
    dw_buf_release(&tagged);
    dw_buf_release(&about);
    /* a reason cut short by the size limit is still a reason: keep the document */
    if (matched > 0 && !*ret_why)
        *ret_why = strdup("mentions what the customer asked for");
    return matched > 0 && !*ret_why ? -DW_ENOMEM : 0;
}

static int relevant_compute(const struct dw_workspace *ws, const json_t *capabilities, size_t max,
                            json_t **ret) {
    _cleanup_json_ json_t *out = json_array();
    _cleanup_free_ struct hit *hits = calloc(ws->n_documents + 1, sizeof *hits);
    if (!out || !hits)
        return -DW_ENOMEM;
    size_t n = 0;
    int r = 0;
    for (size_t d = 0; d < ws->n_documents; d++) {
        size_t matched;
        char *why;
        r = match_document(ws, &ws->documents[d], capabilities, &matched, &why);
        if (r < 0)
            goto out;
        if (matched)
            hits[n++] = (struct hit){.doc = &ws->documents[d], .matched = matched, .why = why};
    }
    qsort(hits, n, sizeof *hits, hit_cmp);
    for (size_t i = 0; i < n && i < max; i++) {
        const struct dw_document *d = hits[i].doc;
        json_t *e = json_pack("{s:s,s:s,s:s}", "path", d->path, "title",
                              d->title ? d->title : d->path, "why", hits[i].why);
        if (!e || json_array_append_new(out, e) < 0) {
            r = -DW_ENOMEM;
            goto out;
        }
    }
    *ret = DW_TAKE_PTR(out);
out:
    for (size_t i = 0; i < n; i++)
        free(hits[i].why);
    return r;
}

/* The answers for the capability lists asked so far, kept with the workspace snapshot
 * (dw_ws_memo): the answer depends on the snapshot's documents and items and on the list
 * alone, and deals mention the same few combinations. Bounded; past the bound an answer is
 * worked out on every call. The table changes as deals ask, under its own lock. */
#define RELEVANT_MEMO_MAX 512

struct relevant_memo {
    pthread_mutex_t lock;
    size_t n;
    struct {
        char *key; /* max, then each name, NUL-separated */
        size_t len;
        json_t *docs;
    } v[RELEVANT_MEMO_MAX];
};

static void *relevant_memo_build(const struct dw_workspace *ws, void *ud) {
    (void)ws;
    (void)ud;
    struct relevant_memo *m = calloc(1, sizeof *m);
    if (m && pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

static void relevant_memo_free(void *p) {
    struct relevant_memo *m = p;
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].key);
        json_decref(m->v[i].docs);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int dw_knowledge_relevant(const struct dw_workspace *ws, const json_t *capabilities, size_t max,
                          json_t **ret) {
    struct relevant_memo *m =
        dw_ws_memo(ws, DW_WS_MEMO_RELEVANT, relevant_memo_build, NULL, relevant_memo_free);
    struct dw_buf key;
    dw_buf_init(&key, 4096);
    bool keyed = m && dw_buf_printf(&key, "%zu", max) == 0 && dw_buf_putc(&key, '\0') == 0;
    size_t i;
    json_t *c;
    json_array_foreach(capabilities, i, c) {
        const char *name = json_string_value(c);
        /* a name with a NUL in it, or not a string: worked out, not kept */
        keyed = keyed && name && strlen(name) == json_string_length(c) &&
                dw_buf_puts(&key, name) == 0 && dw_buf_putc(&key, '\0') == 0;
    }
    if (keyed) {
        pthread_mutex_lock(&m->lock);
        for (size_t k = 0; k < m->n; k++)
            if (m->v[k].len == key.len && memcmp(m->v[k].key, key.data, key.len) == 0) {
                *ret = json_deep_copy(m->v[k].docs);
                pthread_mutex_unlock(&m->lock);
                dw_buf_release(&key);
                return *ret ? 0 : -DW_ENOMEM;
            }
        pthread_mutex_unlock(&m->lock);
    }
    int r = relevant_compute(ws, capabilities, max, ret);
    if (r == 0 && keyed) {
        json_t *copy = json_deep_copy(*ret);
        pthread_mutex_lock(&m->lock);
        if (copy && m->n < RELEVANT_MEMO_MAX) {
            m->v[m->n].len = key.len;
            m->v[m->n].key = dw_buf_steal(&key);
            m->v[m->n].docs = copy;
            if (m->v[m->n].key)
                m->n++;
            else
                json_decref(copy);
            copy = NULL;
        }
        pthread_mutex_unlock(&m->lock);
        json_decref(copy);
    }
    dw_buf_release(&key);
    return r;
}

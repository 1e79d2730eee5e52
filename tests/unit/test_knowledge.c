/* Unit tests of the knowledge layer: passages and their language, Snowball stemming in
 * English and German, BM25 ranking, the knowledge graph and its expansion, hybrid
 * retrieval, and incremental re-indexing.
 *
 * Each test works on a copy of the example workspace in a temporary directory, with
 * documents added or changed where the test needs them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "engines/kgraph.h"
#include "engines/kindex.h"
#include "engines/knowledge.h"

static char root[] = "/tmp/dw-test-kb-XXXXXX";

static void put(const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void drop(const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    assert_int_equal(unlink(path), 0);
}

static struct dw_workspace *load(void) {
    struct dw_workspace *ws = NULL;
    struct dw_diags diags = {0};
    int r = dw_workspace_load(root, &ws, &diags);
    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                diags.v[i].msg);
    dw_diags_release(&diags);
    assert_int_equal(r, 0);
    return ws;
}

static const char german_md[] = "---\n"
                                "title: Betrieb\n"
                                "language: de\n"
                                "---\n"
                                "# Betrieb\n"
                                "## Netzwerke in der Fabrik\n"
                                "Wir betreiben Netzwerke in Fabriken mit DSGVO-konformer "
                                "Protokollierung.\n"
                                "## Schulungen\n"
                                "Schulungen finden vor Ort statt.\n";

static int setup(void **state) {
    (void)state;
    const char *src = getenv("DW_SOURCE_ROOT");
    assert_non_null(mkdtemp(root));
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -R '%s/example/.' '%s/'", src ? src : ".", root);
    assert_int_equal(system(cmd), 0);
    put("knowledge/betrieb.md", german_md);
    assert_int_equal(dw_base_init(), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd);
}

static const struct dw_document *doc(const struct dw_workspace *ws, const char *path) {
    for (size_t i = 0; i < ws->n_documents; i++)
        if (strcmp(ws->documents[i].path, path) == 0)
            return &ws->documents[i];
    fail_msg("no document %s", path);
    return NULL;
}

/* ---- passages ---------------------------------------------------------------------------- */

static void passages_under_headings(void **state) {
    (void)state;
    put("knowledge/split.md", "---\ntitle: Split\n---\nBefore any heading.\n"
                              "# Split\n## One\nfirst\n```\n# not a heading\n```\n"
                              "## One\nsecond\n### Deep\nthird\n");
    struct dw_workspace *ws = load();
    const struct dw_document *d = doc(ws, "knowledge/split.md");
    assert_string_equal(d->language, "en");
    assert_int_equal(d->n_passages, 5);
    assert_string_equal(d->passages[0].anchor, ""); /* text before the first heading */
    assert_string_equal(d->passages[0].text, "Before any heading.");
    assert_string_equal(d->passages[2].heading, "Split > One");
    assert_string_equal(d->passages[2].text, "first\n```\n# not a heading\n```");
    assert_string_equal(d->passages[3].anchor, "one-1");
    assert_string_equal(d->passages[4].heading, "Split > One > Deep");
    assert_string_equal(doc(ws, "knowledge/betrieb.md")->language, "de");
    dw_workspace_unref(ws);
    drop("knowledge/split.md");

    /* a language no stemmer exists for is a workspace error at its place */
    put("knowledge/bad.md", "---\ntitle: Bad\nlanguage: xx\n---\n# Bad\ntext\n");
    struct dw_workspace *bad = NULL;
    struct dw_diags diags = {0};
    assert_int_equal(dw_workspace_load(root, &bad, &diags), -DW_EVALIDATE);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.v[0].file, "knowledge/bad.md");
    assert_int_equal(diags.v[0].line, 3);
    assert_non_null(strstr(diags.v[0].msg, "'xx' is not a supported language"));
    dw_diags_release(&diags);
    drop("knowledge/bad.md");
}

/* company.language is the default of every document without its own */
static void workspace_language(void **state) {
    (void)state;
    char path[600], *orig = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/dealwright.yaml", root);
    assert_int_equal(dw_read_file(path, 1 << 20, &orig, &len, NULL), 0);
    char *marker = strstr(orig, "  home_currency: EUR\n");
    assert_non_null(marker);
    size_t head = (size_t)(marker - orig) + strlen("  home_currency: EUR\n");
    char *de = NULL, *bad = NULL;
    assert_true(asprintf(&de, "%.*s  language: de\n%s", (int)head, orig, orig + head) > 0);
    assert_true(asprintf(&bad, "%.*s  language: klingon\n%s", (int)head, orig, orig + head) > 0);

    put("dealwright.yaml", de);
    struct dw_workspace *ws = load();
    assert_string_equal(ws->language, "de");
    assert_string_equal(doc(ws, "knowledge/switches.md")->language, "de");
    dw_workspace_unref(ws);

    put("dealwright.yaml", bad);
    struct dw_diags diags = {0};
    assert_int_equal(dw_workspace_load(root, &ws, &diags), -DW_EVALIDATE);
    assert_int_equal(diags.n, 1);
    assert_string_equal(diags.v[0].file, "dealwright.yaml");
    assert_non_null(strstr(diags.v[0].msg, "'klingon' is not a supported language"));
    dw_diags_release(&diags);

    put("dealwright.yaml", orig);
    ws = load();
    assert_string_equal(doc(ws, "knowledge/switches.md")->language, "en");
    dw_workspace_unref(ws);
    free(orig);
    free(de);
    free(bad);
}

/* ---- stemming ---------------------------------------------------------------------------- */

static void stem_is(const char *lang, const char *word, const char *want) {
    char out[64];
    assert_true(dw_stem(lang, word, out, sizeof out) > 0);
    assert_string_equal(out, want);
}

static void stemming_english_and_german(void **state) {
    (void)state;
    stem_is("en", "connections", "connect");
    stem_is("en", "Connected", "connect");
    stem_is("en", "running", "run");
    stem_is("de", "Netzwerke", "netzwerk");
    stem_is("de", "Netzwerken", "netzwerk");
    stem_is("de", "Fabriken", "fabrik");
    /* the English algorithm does not know German plurals */
    char a[64], b[64];
    assert_true(dw_stem("en", "Netzwerken", a, sizeof a) > 0);
    assert_true(dw_stem("en", "Netzwerke", b, sizeof b) > 0);
    assert_string_not_equal(a, b);
    assert_int_equal(dw_stem("xx", "word", a, sizeof a), -DW_EINVAL);
    assert_int_equal(dw_stem("en", "connections", a, 3), -DW_ETOOBIG);
}

/* ---- ranking ----------------------------------------------------------------------------- */

struct kb {
    struct dw_workspace *ws;
    struct dw_kgraph *g;
    struct dw_kindex *ix;
    struct dw_kindex_stats stats;
};

static void kb_open(struct kb *kb, const char *path) {
    struct dw_error err = {0};
    kb->ws = load();
    assert_int_equal(dw_kgraph_build(kb->ws, &kb->g), 0);
    assert_int_equal(dw_kindex_open(path, &kb->ix, &err), 0);
    assert_int_equal(dw_kindex_sync(kb->ix, kb->ws, &kb->stats, &err), 0);
}

static void kb_close(struct kb *kb) {
    dw_kindex_close(kb->ix);
    dw_kgraph_free(kb->g);
    dw_workspace_unref(kb->ws);
}

static json_t *ask(struct kb *kb, const char *q) {
    json_t *res = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_kindex_ask(kb->ix, kb->g, q, 5, &res, &err), 0);
    return res;
}

static const json_t *answer(const json_t *res, size_t i) {
    const json_t *a = json_array_get(json_object_get(res, "answers"), i);
    assert_non_null(a);
    return a;
}

static void bm25_ranking(void **state) {
    (void)state;
    struct kb kb;
    kb_open(&kb, NULL);
    assert_int_equal(kb.stats.added, kb.ws->n_documents);

    /* stemmed: "forwarded" finds "forwards"; the passage naming throughput wins */
    struct dw_khit *hits = NULL;
    struct dw_error err = {0};
    int n = dw_kindex_search(kb.ix, "How much throughput is forwarded?", 10, &hits, &err);
    assert_true(n >= 2);
    const struct dw_document *d = &kb.ws->documents[hits[0].d];
    assert_non_null(strstr(d->passages[hits[0].k].heading, "Throughput"));
    for (int i = 1; i < n; i++)
        assert_true(hits[i - 1].score >= hits[i].score);
    free(hits);

    /* the scores are FTS5's own bm25(), computed from the postings */
    const char *questions[] = {"How much throughput is forwarded?", "firewall signatures updated",
                               "certified ISO SOC report", "Netzwerke Fabriken", "support hours"};
    for (size_t q = 0; q < DW_ARRAY_SIZE(questions); q++) {
        struct dw_khit *fast = NULL, *ref = NULL;
        int nf = dw_kindex_search(kb.ix, questions[q], 50, &fast, &err);
        int nr = dw_kindex_search_fts5(kb.ix, questions[q], 50, &ref, &err);
        assert_true(nf > 0);
        assert_int_equal(nf, nr);
        for (int i = 0; i < nf; i++) {
            assert_int_equal(fast[i].d, ref[i].d);
            assert_int_equal(fast[i].k, ref[i].k);
            assert_true(fabs(fast[i].score - ref[i].score) < 1e-9);
        }
        free(fast);
        free(ref);
    }
    assert_int_equal(dw_kindex_search(kb.ix, "the of and", 10, &hits, &err), 0);
    assert_null(hits);

    /* German, stemmed with the German algorithm: "Netzwerken" finds "Netzwerke" */
    json_t *res = ask(&kb, "Netzwerken Fabrik");
    assert_string_equal(dw_json_str(answer(res, 0), "passage"),
                        "knowledge/betrieb.md#netzwerke-in-der-fabrik");
    assert_string_equal(dw_json_str(answer(res, 0), "language"), "de");
    json_decref(res);

    /* every answer is a citation: path, heading, passage id and the text verbatim */
    res = ask(&kb, "Are you ISO 27001 certified?");
    const json_t *a = answer(res, 0);
    assert_string_equal(dw_json_str(a, "path"), "knowledge/security-compliance-whitepaper.md");
    assert_string_equal(dw_json_str(a, "anchor"), "certifications");
    assert_string_equal(dw_json_str(a, "passage"),
                        "knowledge/security-compliance-whitepaper.md#certifications");
    const struct dw_document *wp = doc(kb.ws, "knowledge/security-compliance-whitepaper.md");
    bool verbatim = false;
    for (size_t k = 0; k < wp->n_passages; k++)
        verbatim |= strcmp(wp->passages[k].text, dw_json_str(a, "text")) == 0;
    assert_true(verbatim);
    json_decref(res);

    /* bad questions */
    assert_int_equal(dw_kindex_ask(kb.ix, kb.g, "bad \xff byte", 5, &res, &err), -DW_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
    char *long_q = malloc(DW_QUESTION_MAX + 2);
    memset(long_q, 'a', DW_QUESTION_MAX + 1);
    long_q[DW_QUESTION_MAX + 1] = '\0';
    assert_int_equal(dw_kindex_ask(kb.ix, kb.g, long_q, 5, &res, &err), -DW_EINVAL);
    free(long_q);
    kb_close(&kb);
}

/* ---- the graph --------------------------------------------------------------------------- */

static bool has_edge(const struct dw_kgraph *g, uint32_t from, uint32_t to,
                     enum dw_kedge_kind kind) {
    const struct dw_kedge *e;
    size_t n;
    dw_kgraph_out(g, from, &e, &n);
    for (size_t i = 0; i < n; i++)
        if (e[i].to == to && e[i].kind == kind)
            return true;
    return false;
}

static void graph_and_expansion(void **state) {
    (void)state;
    struct dw_workspace *ws = load();
    struct dw_kgraph *g = NULL;
    assert_int_equal(dw_kgraph_build(ws, &g), 0);
    uint32_t sdwan = dw_kgraph_find(g, DW_KNODE_CAPABILITY, "sd-wan");
    uint32_t edge100 = dw_kgraph_find(g, DW_KNODE_ITEM, "NW-EDGE-100");
    uint32_t gdpr = dw_kgraph_find(g, DW_KNODE_STANDARD, "GDPR");
    uint32_t manufacturing = dw_kgraph_find(g, DW_KNODE_INDUSTRY, "manufacturing");
    uint32_t dpa = dw_kgraph_find(g, DW_KNODE_DOCUMENT, "knowledge/data-processing-gdpr.md");
    assert_true(sdwan != UINT32_MAX && edge100 != UINT32_MAX && gdpr != UINT32_MAX &&
                manufacturing != UINT32_MAX && dpa != UINT32_MAX);
    assert_true(has_edge(g, edge100, sdwan, DW_KEDGE_SUPPORTS));
    assert_true(has_edge(g, dpa, gdpr, DW_KEDGE_MENTIONS));
    bool requires = false; /* some item requires another (a licence) */
    for (uint32_t i = 0; i < ws->n_items; i++)
        for (size_t k = 0; k < ws->items[i].n_requires; k++)
    requires |= has_edge(g, i, dw_kgraph_find(g, DW_KNODE_ITEM, ws->items[i].requires[k].sku),
                         DW_KEDGE_REQUIRES);
    assert_true(requires);

    /* recognition: synonyms, any case, SKUs as words, the longest name */
    const char *q = "Our manufacturing plant wants an mpls replacement, GDPR and the nw-edge-100";
    struct dw_kmention *m = NULL;
    int n = dw_kgraph_recognise(g, q, strlen(q), 32, &m);
    assert_true(n >= 4);
    bool seen_sdwan = false, seen_gdpr = false, seen_item = false, seen_ind = false;
    for (int i = 0; i < n; i++) {
        seen_sdwan |= m[i].node == sdwan &&
                      strncmp(q + m[i].start, "mpls replacement", m[i].end - m[i].start) == 0;
        seen_gdpr |= m[i].node == gdpr;
        seen_item |= m[i].node == edge100;
        seen_ind |= m[i].node == manufacturing;
    }
    assert_true(seen_sdwan && seen_gdpr && seen_item && seen_ind);
    free(m);

    /* expansion: sd-wan -> the items that support it (1/2) -> what they need (1/4) */
    size_t nn = dw_kgraph_n_nodes(g);
    float *w = calloc(nn, sizeof *w);
    uint32_t *via = malloc(nn * sizeof *via);
    assert_int_equal(dw_kgraph_expand(g, &sdwan, 1, 2, w, via), 0);
    assert_true(w[sdwan] == 1.0f);
    assert_true(w[edge100] == 0.5f);
    assert_int_equal(via[edge100], sdwan);
    assert_true(w[dpa] == 0.0f); /* documents are not expanded through */
    bool quarter = false;
    for (size_t i = 0; i < nn; i++)
        quarter |= w[i] == 0.25f && via[i] != UINT32_MAX && w[via[i]] == 0.5f;
    assert_true(quarter);
    memset(w, 0, nn * sizeof *w);
    assert_int_equal(dw_kgraph_expand(g, &sdwan, 1, 0, w, via), 0);
    assert_true(w[edge100] == 0.0f);
    free(w);
    free(via);
    dw_kgraph_free(g);
    dw_workspace_unref(ws);
}

static void hybrid_uses_the_graph(void **state) {
    (void)state;
    struct kb kb;
    kb_open(&kb, NULL);
    /* "software-defined WAN" is a synonym: passages that say SD-WAN are found through the
     * graph, and the entity is reported */
    json_t *res = ask(&kb, "Is a software-defined WAN part of it?");
    const json_t *ent = json_array_get(json_object_get(res, "entities"), 0);
    assert_string_equal(dw_json_str(ent, "name"), "sd-wan");
    assert_true(json_array_size(json_object_get(res, "expanded")) > 0);
    const json_t *a = answer(res, 0);
    assert_non_null(strstr(dw_json_str(a, "text"), "SD-WAN"));
    char *why = json_dumps(json_object_get(a, "why"), 0);
    assert_non_null(strstr(why, "mentions capability sd-wan"));
    free(why);
    json_decref(res);

    kb_close(&kb);
}

/* ---- proposals ------------------------------------------------------------------------- */

static void claims_from_documents_naming_the_item(void **state) {
    (void)state;
    assert_true(dw_text_names("Use the NW-EDGE-100 here", 24, "nw edge 100"));
    assert_true(dw_text_names("The quokka  ROUTER.", 19, "Quokka Router"));
    assert_false(dw_text_names("The quokka routers", 18, "Quokka Router"));
    assert_false(dw_text_names("quokkarouter", 12, "Quokka Router"));

    /* a document without front matter tags still backs the item it names */
    struct dw_item item = {.sku = "NW-Q-1", .name = "Quokka Router"};
    struct dw_passage other_p = {
        .heading = "Other > Intro", .anchor = "intro", .text = "Nothing to see here."};
    struct dw_passage named_p[] = {
        {.heading = "Sheet > Overview", .anchor = "overview", .text = "This sheet is short."},
        {.heading = "Sheet > Speed",
         .anchor = "speed",
         .text = "The Quokka Router forwards 5 Gbit/s. More follows."},
    };
    struct dw_document docs[] = {
        {.path = "knowledge/a-other.md", .title = "Other", .passages = &other_p, .n_passages = 1},
        {.path = "knowledge/b-sheet.md", .title = "Sheet", .passages = named_p, .n_passages = 2},
    };
    struct dw_workspace ws = {.items = &item, .n_items = 1, .documents = docs, .n_documents = 2};
    json_t *lines = json_pack("[{s:s,s:[]}]", "sku", "NW-Q-1", "covers");
    json_t *claims = NULL, *cites = NULL;
    assert_int_equal(dw_knowledge_claims(&ws, lines, &claims, &cites), 0);
    assert_int_equal(json_array_size(claims), 1);
    assert_string_equal(dw_json_str(json_array_get(cites, 0), "path"), "knowledge/b-sheet.md");
    assert_string_equal(dw_json_str(json_array_get(cites, 0), "anchor"), "speed");
    /* verbatim: the claim is a substring of the cited passage */
    assert_non_null(strstr(named_p[1].text, dw_json_str(json_array_get(claims, 0), "text")));
    assert_string_equal(dw_json_str(json_array_get(claims, 0), "text"),
                        "The Quokka Router forwards 5 Gbit/s.");
    json_decref(claims);
    json_decref(cites);
    json_decref(lines);
}

/* The passage a document offers for an item's claim is kept with the workspace snapshot:
 * asked again it is the same, and a reloaded workspace (an edited document) gives the new
 * one, not the one kept with the old snapshot. */
static void claims_kept_per_snapshot(void **state) {
    (void)state;
    put("knowledge/zz-memo.md",
        "---\ntitle: Memo\nabout: [NW-EDGE-50]\n---\n# Memo\n"
        "## Old\nThe Edge Gateway 50 forwards 1 Gbit/s as first written.\n");
    json_t *lines = json_pack("[{s:s,s:[]}]", "sku", "NW-EDGE-50", "covers");
    const char *want[] = {"The Edge Gateway 50 forwards 1 Gbit/s as first written.",
                          "The Edge Gateway 50 forwards 2 Gbit/s since the update."};
    for (int round = 0; round < 2; round++) {
        struct dw_workspace *ws = load();
        for (int again = 0; again < 2; again++) { /* worked out, then from the memo */
            json_t *claims = NULL, *cites = NULL;
            assert_int_equal(dw_knowledge_claims(ws, lines, &claims, &cites), 0);
            bool found = false;
            size_t i;
            json_t *c;
            json_array_foreach(cites, i, c) {
                if (strcmp(dw_json_str(c, "path"), "knowledge/zz-memo.md") != 0)
                    continue;
                found = true;
                json_int_t ref = json_integer_value(json_object_get(c, "ref"));
                assert_string_equal(dw_json_str(c, "anchor"), round ? "new" : "old");
                assert_string_equal(dw_json_str(json_array_get(claims, (size_t)ref - 1), "text"),
                                    want[round]);
            }
            assert_true(found);
            json_decref(claims);
            json_decref(cites);
        }
        dw_workspace_unref(ws);
        put("knowledge/zz-memo.md", "---\ntitle: Memo\nabout: [NW-EDGE-50]\n---\n# Memo\n"
                                    "## New\nThe Edge Gateway 50 forwards 2 Gbit/s since the "
                                    "update.\n");
    }
    drop("knowledge/zz-memo.md");
    json_decref(lines);
}

/* The documents relevant to a list of capabilities are kept with the snapshot: asked again
 * the answer is the same (a copy the caller may change), and a document added to the
 * workspace shows in the reloaded snapshot's answer, not in the kept one. */
static void relevant_kept_per_snapshot(void **state) {
    (void)state;
    json_t *caps = json_pack("[s,s]", "sd-wan", "firewall");
    for (int round = 0; round < 2; round++) {
        struct dw_workspace *ws = load();
        json_t *first = NULL;
        for (int again = 0; again < 2; again++) {
            json_t *docs = NULL;
            assert_int_equal(dw_knowledge_relevant(ws, caps, 50, &docs), 0);
            bool added = false;
            size_t i;
            json_t *d;
            json_array_foreach(docs, i, d) {
                added |= strcmp(dw_json_str(d, "path"), "knowledge/aa-memo.md") == 0;
            }
            assert_true(added == (round == 1));
            if (!first) {
                first = docs;
                json_array_clear(first); /* the caller's copy: the kept answer is untouched */
                continue;
            }
            assert_true(json_array_size(docs) > 0);
            json_decref(docs);
        }
        json_decref(first);
        dw_workspace_unref(ws);
        put("knowledge/aa-memo.md", "---\ntitle: Memo\ncapabilities: [sd-wan, firewall]\n---\n"
                                    "# Memo\n## Part\nSD-WAN and firewall at every site.\n");
    }
    drop("knowledge/aa-memo.md");
    json_decref(caps);
}

/* ---- incremental re-index ---------------------------------------------------------------- */

static void reindex_only_what_changed(void **state) {
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/.dealwright-test-knowledge.db", root);
    struct kb kb;
    kb_open(&kb, path);
    size_t docs = kb.ws->n_documents;
    assert_int_equal(kb.stats.added, docs);
    kb_close(&kb);

    kb_open(&kb, path); /* nothing changed */
    assert_int_equal(kb.stats.unchanged, docs);
    assert_int_equal(kb.stats.added + kb.stats.updated + kb.stats.removed, 0);
    kb_close(&kb);

    put("knowledge/betrieb.md", "---\ntitle: Betrieb\nlanguage: de\n---\n# Betrieb\n"
                                "## Wartung\nDie Wartungsfenster liegen sonntags.\n");
    put("knowledge/zz-new.md", "---\ntitle: New\n---\n# New\n## Quokka\nA quokka lives here.\n");
    drop("knowledge/switches.md");
    kb_open(&kb, path);
    assert_int_equal(kb.stats.updated, 1);
    assert_int_equal(kb.stats.added, 1);
    assert_int_equal(kb.stats.removed, 1);
    assert_int_equal(kb.stats.unchanged, docs - 2);
    json_t *res = ask(&kb, "Wartungsfenster");
    assert_string_equal(dw_json_str(answer(res, 0), "passage"), "knowledge/betrieb.md#wartung");
    json_decref(res);
    res = ask(&kb, "quokka");
    assert_string_equal(dw_json_str(answer(res, 0), "path"), "knowledge/zz-new.md");
    json_decref(res);
    res = ask(&kb, "Netzwerken Fabrik"); /* the old German text is gone */
    assert_int_equal(json_array_size(json_object_get(res, "answers")), 0);
    json_decref(res);
    res = ask(&kb, "PoE budget of the Switch 48P");
    for (size_t i = 0; i < json_array_size(json_object_get(res, "answers")); i++)
        assert_string_not_equal(dw_json_str(answer(res, i), "path"), "knowledge/switches.md");
    json_decref(res);
    kb_close(&kb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passages_under_headings),
        cmocka_unit_test(workspace_language),
        cmocka_unit_test(stemming_english_and_german),
        cmocka_unit_test(bm25_ranking),
        cmocka_unit_test(graph_and_expansion),
        cmocka_unit_test(hybrid_uses_the_graph),
        cmocka_unit_test(claims_from_documents_naming_the_item),
        cmocka_unit_test(claims_kept_per_snapshot),
        cmocka_unit_test(relevant_kept_per_snapshot),
        cmocka_unit_test(reindex_only_what_changed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

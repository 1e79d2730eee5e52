/* The knowledge index: FTS5 + BM25 + Snowball, kept in step with the workspace one document
 * at a time. The hybrid retrieval on top of it is kretrieve.c.
 *
 * Why a tokenizer and not stemmed copies of the text: the same tokenizer turns documents
 * and questions into terms, so "routers" in a question finds "router" in a passage without
 * the query code knowing any language, and offsets stay those of the original text.
 *
 * The rows of the FTS tables carry no path: the passages table maps a rowid to (path,
 * passage number, length), and after a sync that map is held in memory as a sorted array,
 * so a hit costs a binary search.
 */
#include <libstemmer.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "engines/kindex.h"

#define SCHEMA "dealwright-knowledge-4" /* change to rebuild every index */
#define QUERY_WORDS_MAX 32
#define POSTINGS_BUDGET 2000 /* passages the BM25 words of a question may hold together */
#define BUSY_MS 5000

/* qsort() that accepts an empty array given as NULL. */
static void sort_n(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(v, n, size, cmp);
}

static const struct {
    const char *code, *algorithm;
} stemmers[] = {
    {"en", "english"}, {"de", "german"}, {"fr", "french"},     {"es", "spanish"},
    {"it", "italian"}, {"nl", "dutch"},  {"pt", "portuguese"},
};

static const char *algorithm_of(const char *code) {
    for (size_t i = 0; code && i < DW_ARRAY_SIZE(stemmers); i++)
        if (strcmp(stemmers[i].code, code) == 0)
            return stemmers[i].algorithm;
    return NULL;
}

struct rowmap {
    sqlite3_int64 id;
    size_t d, k;
    uint32_t len; /* tokens in heading and text: BM25's document length */
};

#define LANGS DW_ARRAY_SIZE(stemmers)

struct dw_kindex {
    sqlite3 *db;
    fts5_api *api;
    struct dw_workspace *ws; /* the snapshot last synced */
    struct dfmap *pending;   /* term count changes of the sync under way */
    struct rowmap *rows;     /* sorted by id */
    size_t n_rows;
    /* per language present in the index, else NULL / 0 */
    sqlite3_stmt *df[LANGS];   /* passages holding a term */
    sqlite3_stmt *inst[LANGS]; /* every occurrence of a term: (passage, column) */
    Fts5Tokenizer *tok[LANGS]; /* the index's own tokenizer, for questions and lengths */
    fts5_tokenizer tok_api;
    size_t n_passages[LANGS];
    double avg_len[LANGS];
};

/* ---- the tokenizer ------------------------------------------------------------------------ */

struct snowball {
    fts5_tokenizer inner_api;
    Fts5Tokenizer *inner;
    struct sb_stemmer *stemmer;
};

struct snowball_call {
    struct sb_stemmer *stemmer;
    void *ctx;
    int (*token)(void *, int, const char *, int, int, int);
};

static int snowball_create(void *ud, const char **argv, int argc, Fts5Tokenizer **ret) {
    fts5_api *api = ud;
    struct snowball *t = calloc(1, sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    void *inner_ud = NULL;
    /* diacritics stay: the German stemmer wants "ü", not "u" */
    const char *inner_args[] = {"remove_diacritics", "0"};
    int rc = api->xFindTokenizer(api, "unicode61", &inner_ud, &t->inner_api);
    if (rc == SQLITE_OK)
        rc = t->inner_api.xCreate(inner_ud, inner_args, 2, &t->inner);
    if (rc == SQLITE_OK) {
        t->stemmer = sb_stemmer_new(argc > 0 ? argv[0] : "english", NULL);
        if (!t->stemmer)
            rc = SQLITE_ERROR; /* an unknown algorithm */
    }
    if (rc != SQLITE_OK) {
        if (t->inner)
            t->inner_api.xDelete(t->inner);
        free(t);
        return rc;
    }
    *ret = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void snowball_delete(Fts5Tokenizer *tok) {
    struct snowball *t = (struct snowball *)tok;
    t->inner_api.xDelete(t->inner);
    sb_stemmer_delete(t->stemmer);
    free(t);
}

static int snowball_token(void *ud, int flags, const char *tok, int n, int start, int end) {
    struct snowball_call *c = ud;
    const sb_symbol *s = sb_stemmer_stem(c->stemmer, (const sb_symbol *)tok, n);
    if (!s)
        return SQLITE_NOMEM;
    return c->token(c->ctx, flags, (const char *)s, sb_stemmer_length(c->stemmer), start, end);
}

static int snowball_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n,
                             int (*token)(void *, int, const char *, int, int, int)) {
    struct snowball *t = (struct snowball *)tok;
    struct snowball_call c = {.stemmer = t->stemmer, .ctx = ctx, .token = token};
    return t->inner_api.xTokenize(t->inner, &c, flags, text, n, snowball_token);
}

static int register_tokenizer(sqlite3 *db, fts5_api **ret) {
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return -DW_EIO;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return -DW_EIO;
    fts5_tokenizer t = {snowball_create, snowball_delete, snowball_tokenize};
    if (api->xCreateTokenizer(api, "dw_snowball", api, &t, NULL) != SQLITE_OK)
        return -DW_EIO;
    *ret = api;
    return 0;
}

int dw_stem(const char *lang, const char *word, char *out, size_t size) {
    const char *alg = algorithm_of(lang);
    if (!alg)
        return -DW_EINVAL;
    struct sb_stemmer *st = sb_stemmer_new(alg, NULL);
    if (!st)
        return -DW_ENOMEM;
    _cleanup_free_ char *low = dw_strdup_lower(word);
    const sb_symbol *s = low ? sb_stemmer_stem(st, (const sb_symbol *)low, (int)strlen(low)) : NULL;
    int r = -DW_ENOMEM;
    if (s) {
        size_t n = (size_t)sb_stemmer_length(st);
        r = n < size ? (int)n : -DW_ETOOBIG;
        if (r >= 0) {
            memcpy(out, s, n);
            out[n] = '\0';
        }
    }
    sb_stemmer_delete(st);
    return r;
}

/* ---- opening ------------------------------------------------------------------------------ */

static int db_error(struct dw_kindex *ix, struct dw_error *err, int code, const char *what) {
    return dw_error_set(err, code, "knowledge index: %s: %s", what,
                        ix->db ? sqlite3_errmsg(ix->db) : "cannot open");
}

static int exec(struct dw_kindex *ix, const char *sql, struct dw_error *err) {
    int rc = sqlite3_exec(ix->db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    return db_error(ix, err, rc == SQLITE_BUSY ? -DW_EBUSY : -DW_EIO, "write");
}

int dw_kindex_open(const char *path, struct dw_kindex **ret, struct dw_error *err) {
    struct dw_kindex *ix = calloc(1, sizeof *ix);
    if (!ix)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    int rc =
        sqlite3_open_v2(path ? path : ":memory:", &ix->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    int r = 0;
    if (rc != SQLITE_OK) {
        r = dw_error_set(err, -DW_EIO, "knowledge index %s: %s",
                         path ? path : ":memory:", ix->db ? sqlite3_errmsg(ix->db) : "cannot open");
    } else {
        sqlite3_busy_timeout(ix->db, BUSY_MS);
        /* a cache: losing the last transaction in a power cut costs one rebuild */
        if (sqlite3_exec(ix->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                         NULL) != SQLITE_OK)
            r = dw_error_set(err, -DW_EIO, "knowledge index %s: %s (not an index?)",
                             path ? path : ":memory:", sqlite3_errmsg(ix->db));
        else if (register_tokenizer(ix->db, &ix->api) < 0)
            r = dw_error_set(err, -DW_EIO, "knowledge index: SQLite lacks FTS5");
    }
    if (r < 0) {
        dw_kindex_close(ix);
        return r;
    }
    *ret = ix;
    return 0;
}

static void drop_statements(struct dw_kindex *ix) {
    for (size_t i = 0; i < LANGS; i++) {
        sqlite3_finalize(ix->df[i]);
        sqlite3_finalize(ix->inst[i]);
        ix->df[i] = ix->inst[i] = NULL;
    }
}

static void drop_tokenizers(struct dw_kindex *ix) {
    for (size_t i = 0; i < LANGS; i++) {
        if (ix->tok[i])
            ix->tok_api.xDelete(ix->tok[i]);
        ix->tok[i] = NULL;
    }
}

/* The index's tokenizer for language i (created once). */
static Fts5Tokenizer *tokenizer(struct dw_kindex *ix, size_t i) {
    if (i >= LANGS)
        return NULL;
    if (ix->tok[i])
        return ix->tok[i];
    void *ud = NULL;
    const char *args[] = {stemmers[i].algorithm};
    if (ix->api->xFindTokenizer(ix->api, "dw_snowball", &ud, &ix->tok_api) != SQLITE_OK ||
        ix->tok_api.xCreate(ud, args, 1, &ix->tok[i]) != SQLITE_OK)
        ix->tok[i] = NULL;
    return ix->tok[i];
}

static size_t lang_index(const char *code) {
    for (size_t i = 0; code && i < LANGS; i++)
        if (strcmp(stemmers[i].code, code) == 0)
            return i;
    return LANGS;
}

const struct dw_workspace *dw_kindex_workspace(const struct dw_kindex *ix) {
    return ix->ws;
}

void dw_kindex_close(struct dw_kindex *ix) {
    if (!ix)
        return;
    drop_statements(ix);
    drop_tokenizers(ix);
    sqlite3_close(ix->db);
    free(ix->rows);
    dw_workspace_unref(ix->ws);
    free(ix);
}

/* ---- sync --------------------------------------------------------------------------------- */

void dw_kindex_doc_hash(const struct dw_document *d, char out[DW_SHA256_HEX]) {
    struct dw_sha256 h;
    dw_sha256_init(&h);
    const char *head[] = {SCHEMA, d->language ? d->language : "", d->title ? d->title : ""};
    for (size_t i = 0; i < DW_ARRAY_SIZE(head); i++)
        dw_sha256_update(&h, head[i], strlen(head[i]) + 1);
    for (size_t k = 0; k < d->n_passages; k++) {
        const struct dw_passage *p = &d->passages[k];
        dw_sha256_update(&h, p->heading, strlen(p->heading) + 1);
        dw_sha256_update(&h, p->anchor, strlen(p->anchor) + 1);
        dw_sha256_update(&h, p->text, strlen(p->text) + 1);
    }
    dw_sha256_final_hex(&h, out);
}

static int create_schema(struct dw_kindex *ix, struct dw_error *err) {
    sqlite3_stmt *st = NULL;
    const char *have = NULL;
    bool current = false;
    if (sqlite3_prepare_v2(ix->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && (have = (const char *)sqlite3_column_text(st, 0)))
        current = strcmp(have, SCHEMA) == 0;
    sqlite3_finalize(st);
    if (current)
        return 0;
    struct dw_buf sql;
    dw_buf_init(&sql, 0);
    int r = dw_buf_puts(&sql, "DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS docs;"
                              "DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS terms;");
    for (size_t i = 0; r == 0 && i < DW_ARRAY_SIZE(stemmers); i++)
        r = dw_buf_printf(&sql,
                          "DROP TABLE IF EXISTS fts_%s_v; DROP TABLE IF EXISTS fts_%s_vi;"
                          "DROP TABLE IF EXISTS fts_%s;",
                          stemmers[i].code, stemmers[i].code, stemmers[i].code);
    if (r == 0)
        r = dw_buf_puts(
            &sql,
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES('schema', '" SCHEMA "');"
            "CREATE TABLE docs(path TEXT PRIMARY KEY, hash TEXT NOT NULL, language TEXT NOT "
            "NULL);"
            "CREATE TABLE passages(id INTEGER PRIMARY KEY, path TEXT NOT NULL, ord INTEGER NOT "
            "NULL, language TEXT NOT NULL, len INTEGER NOT NULL);"
            "CREATE INDEX passages_path ON passages(path);"
            "CREATE TABLE terms(language TEXT NOT NULL, stem TEXT NOT NULL, df INTEGER NOT NULL,"
            " PRIMARY KEY(language, stem)) WITHOUT ROWID;");
    if (r < 0) {
        dw_buf_release(&sql);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    r = exec(ix, sql.data, err);
    dw_buf_release(&sql);
    return r;
}

static int ensure_fts(struct dw_kindex *ix, const char *lang, struct dw_error *err) {
    const char *alg = algorithm_of(lang);
    if (!alg)
        return dw_error_set(err, -DW_EINVAL, "knowledge index: no stemmer for language '%s'", lang);
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE VIRTUAL TABLE IF NOT EXISTS fts_%s USING fts5(heading, text, "
             "tokenize = 'dw_snowball %s');"
             "INSERT INTO fts_%s(fts_%s, rank) VALUES('rank', 'bm25(2.0, 1.0)');" /* for SQL */
             "CREATE VIRTUAL TABLE IF NOT EXISTS fts_%s_vi USING fts5vocab(fts_%s, 'instance');",
             lang, alg, lang, lang, lang, lang);
    return exec(ix, sql, err);
}

static int step_done(struct dw_kindex *ix, sqlite3_stmt *st, struct dw_error *err) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return db_error(ix, err, rc == SQLITE_BUSY ? -DW_EBUSY : -DW_EIO, "write");
}

/* ---- document frequencies ----------------------------------------------------------------
 *
 * BM25 needs, for each term of a question, the number of passages holding it. fts5vocab
 * can tell, but it counts by reading the term's whole posting list: for a common term as
 * costly as the search itself. So the index keeps the counts in a table of its own,
 * `terms`, changed with the passages: a sync collects the changes in memory (one entry per
 * term) and writes each term once. */

struct dfmap { /* open addressing: "LANG:STEM" -> change of its passage count */
    char **key;
    int64_t *delta;
    size_t n, cap;
};

static int dfmap_grow(struct dfmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 1024;
    char **key = calloc(cap, sizeof *key);
    int64_t *delta = calloc(cap, sizeof *delta);
    if (!key || !delta) {
        free(key);
        free(delta);
        return -DW_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->key[i])
            continue;
        size_t j = dw_fnv1a64(m->key[i], strlen(m->key[i])) & (cap - 1);
        while (key[j])
            j = (j + 1) & (cap - 1);
        key[j] = m->key[i];
        delta[j] = m->delta[i];
    }
    free(m->key);
    free(m->delta);
    m->key = key;
    m->delta = delta;
    m->cap = cap;
    return 0;
}

static int dfmap_add(struct dfmap *m, const char *key, int64_t d) {
    if (2 * (m->n + 1) > m->cap && dfmap_grow(m) < 0)
        return -DW_ENOMEM;
    size_t j = dw_fnv1a64(key, strlen(key)) & (m->cap - 1);
    while (m->key[j] && strcmp(m->key[j], key) != 0)
        j = (j + 1) & (m->cap - 1);
    if (!m->key[j]) {
        if (!(m->key[j] = strdup(key)))
            return -DW_ENOMEM;
        m->n++;
    }
    m->delta[j] += d;
    return 0;
}

static void dfmap_release(struct dfmap *m) {
    for (size_t i = 0; i < m->cap; i++)
        free(m->key[i]);
    free(m->key);
    free(m->delta);
    *m = (struct dfmap){0};
}

struct stems { /* the terms of one passage: "LANG:STEM\0" one after another */
    struct dw_buf buf;
    size_t *off;
    size_t n, cap;
    const char *lang;
    bool oom;
};

static int collect_stem(void *ud, int flags, const char *tok, int n, int start, int end) {
    (void)flags, (void)start, (void)end;
    struct stems *s = ud;
    if (DW_GROW(s->off, s->cap, s->n + 1) < 0) {
        s->oom = true;
        return SQLITE_NOMEM;
    }
    s->off[s->n++] = s->buf.len;
    if (dw_buf_printf(&s->buf, "%s:%.*s", s->lang, n, tok) < 0 || dw_buf_putc(&s->buf, 0) < 0) {
        s->oom = true;
        return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

static int off_cmp(const void *a, const void *b, void *base) {
    return strcmp((const char *)base + *(const size_t *)a, (const char *)base + *(const size_t *)b);
}

/* Tokenize one passage (its own heading and text) in language lang: *ret_tokens is its
 * length, and each distinct term's count in m changes by sign. */
static int passage_terms(struct dw_kindex *ix, size_t lang, const char *heading, const char *text,
                         struct dfmap *m, int sign, int64_t *ret_tokens) {
    Fts5Tokenizer *t = tokenizer(ix, lang);
    if (!t)
        return -DW_EIO;
    struct stems s = {.lang = stemmers[lang].code};
    dw_buf_init(&s.buf, 0);
    const char *parts[] = {heading, text};
    int r = 0;
    for (size_t i = 0; r == 0 && i < 2; i++)
        if (ix->tok_api.xTokenize(t, &s, FTS5_TOKENIZE_DOCUMENT, parts[i], (int)strlen(parts[i]),
                                  collect_stem) != SQLITE_OK)
            r = s.oom ? -DW_ENOMEM : -DW_EIO;
    if (r == 0 && s.n) {
        qsort_r(s.off, s.n, sizeof *s.off, off_cmp, s.buf.data);
        for (size_t i = 0; r == 0 && i < s.n; i++)
            if (i == 0 || strcmp(s.buf.data + s.off[i - 1], s.buf.data + s.off[i]) != 0)
                r = dfmap_add(m, s.buf.data + s.off[i], sign);
    }
    *ret_tokens = (int64_t)s.n;
    dw_buf_release(&s.buf);
    free(s.off);
    return r;
}

/* Write the collected changes of the term counts. */
static int apply_terms(struct dw_kindex *ix, struct dfmap *m, struct dw_error *err) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ix->db,
                           "INSERT INTO terms(language, stem, df) VALUES(?1, ?2, ?3) "
                           "ON CONFLICT(language, stem) DO UPDATE SET df = df + excluded.df",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(ix, err, -DW_EIO, "terms");
    int r = 0;
    for (size_t i = 0; r == 0 && i < m->cap; i++) {
        if (!m->key[i] || m->delta[i] == 0)
            continue;
        const char *colon = strchr(m->key[i], ':');
        sqlite3_bind_text(st, 1, m->key[i], (int)(colon - m->key[i]), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, colon + 1, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, m->delta[i]);
        r = step_done(ix, st, err);
    }
    sqlite3_finalize(st);
    return r < 0 ? r : exec(ix, "DELETE FROM terms WHERE df <= 0", err);
}

static int remove_doc(struct dw_kindex *ix, const char *path, const char *lang,
                      struct dw_error *err) {
    char sql[256];
    size_t li = lang_index(lang);
    if (li >= LANGS)
        return 0; /* a table that never existed */
    snprintf(sql, sizeof sql,
             "SELECT heading, text FROM fts_%s WHERE rowid IN (SELECT id FROM passages WHERE "
             "path = ?1)",
             lang);
    sqlite3_stmt *old = NULL;
    if (sqlite3_prepare_v2(ix->db, sql, -1, &old, NULL) != SQLITE_OK)
        return db_error(ix, err, -DW_EIO, "read");
    sqlite3_bind_text(old, 1, path, -1, SQLITE_STATIC);
    int r = 0;
    while (r == 0 && sqlite3_step(old) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(old, 0);
        const char *t = (const char *)sqlite3_column_text(old, 1);
        int64_t tokens;
        r = passage_terms(ix, li, h ? h : "", t ? t : "", ix->pending, -1, &tokens);
    }
    sqlite3_finalize(old);
    if (r < 0)
        return dw_error_set(err, r, "knowledge index: cannot tokenize %s", path);
    snprintf(sql, sizeof sql,
             "DELETE FROM fts_%s WHERE rowid IN (SELECT id FROM passages WHERE path = ?1)", lang);
    const char *sqls[] = {sql, "DELETE FROM passages WHERE path = ?1",
                          "DELETE FROM docs WHERE path = ?1"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(sqls); i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ix->db, sqls[i], -1, &st, NULL) != SQLITE_OK)
            return db_error(ix, err, -DW_EIO, "delete");
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
        r = step_done(ix, st, err);
        sqlite3_finalize(st);
        if (r < 0)
            return r;
    }
    return 0;
}

static int add_doc(struct dw_kindex *ix, const struct dw_document *d, const char *hash,
                   struct dw_error *err) {
    int r = ensure_fts(ix, d->language, err);
    if (r < 0)
        return r;
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO fts_%s(rowid, heading, text) VALUES(?1, ?2, ?3)",
             d->language);
    sqlite3_stmt *ins_p = NULL, *ins_f = NULL, *ins_d = NULL;
    if (sqlite3_prepare_v2(ix->db,
                           "INSERT INTO passages(path, ord, language, len) VALUES(?1, ?2, ?3, ?4)",
                           -1, &ins_p, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ix->db, sql, -1, &ins_f, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ix->db, "INSERT INTO docs(path, hash, language) VALUES(?1, ?2, ?3)", -1,
                           &ins_d, NULL) != SQLITE_OK) {
        r = db_error(ix, err, -DW_EIO, "insert");
        goto out;
    }
    for (size_t k = 0; r == 0 && k < d->n_passages; k++) {
        const struct dw_passage *p = &d->passages[k];
        /* the passage's own heading: the title is the first part of every path */
        const char *own = strrchr(p->heading, '>');
        own = own ? own + 1 : p->heading;
        int64_t tokens = 0;
        r = passage_terms(ix, lang_index(d->language), own, p->text, ix->pending, +1, &tokens);
        if (r < 0) {
            dw_error_set(err, r, "knowledge index: cannot tokenize %s", d->path);
            break;
        }
        sqlite3_bind_text(ins_p, 1, d->path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_p, 2, (sqlite3_int64)k);
        sqlite3_bind_text(ins_p, 3, d->language, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_p, 4, tokens);
        r = step_done(ix, ins_p, err);
        if (r < 0)
            break;
        sqlite3_bind_int64(ins_f, 1, sqlite3_last_insert_rowid(ix->db));
        sqlite3_bind_text(ins_f, 2, own, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_f, 3, p->text, -1, SQLITE_STATIC);
        r = step_done(ix, ins_f, err);
    }
    if (r == 0) {
        sqlite3_bind_text(ins_d, 1, d->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_d, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_d, 3, d->language, -1, SQLITE_STATIC);
        r = step_done(ix, ins_d, err);
    }
out:
    sqlite3_finalize(ins_p);
    sqlite3_finalize(ins_f);
    sqlite3_finalize(ins_d);
    return r;
}

static const struct dw_document *find_doc(const struct dw_workspace *ws, const char *path,
                                          size_t *ret_i) {
    size_t lo = 0, hi = ws->n_documents;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ws->documents[mid].path, path);
        if (c == 0) {
            *ret_i = mid;
            return &ws->documents[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Documents of the index that are not in ws, or whose hash differs: dropped. Fills
 * have[i] for the documents of ws the index holds unchanged. */
static int drop_stale(struct dw_kindex *ix, const struct dw_workspace *ws, bool *have,
                      struct dw_kindex_stats *s, struct dw_error *err) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ix->db, "SELECT path, hash, language FROM docs ORDER BY path", -1, &st,
                           NULL) != SQLITE_OK)
        return db_error(ix, err, -DW_EIO, "read");
    struct stale {
        char *path, *lang;
    } *drop = NULL;
    size_t n_drop = 0, cap = 0;
    int r = 0, rc;
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(st, 0);
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        const char *lang = (const char *)sqlite3_column_text(st, 2);
        size_t i;
        const struct dw_document *d = path ? find_doc(ws, path, &i) : NULL;
        char now[DW_SHA256_HEX];
        if (d) {
            dw_kindex_doc_hash(d, now);
            if (hash && strcmp(hash, now) == 0) {
                have[i] = true;
                s->unchanged++;
                continue;
            }
            s->updated++;
        } else {
            s->removed++;
        }
        if (DW_GROW(drop, cap, n_drop + 1) < 0) {
            r = -DW_ENOMEM;
            break;
        }
        drop[n_drop].path = strdup(path ? path : "");
        drop[n_drop].lang = strdup(lang ? lang : "");
        if (!drop[n_drop].path || !drop[n_drop].lang)
            r = -DW_ENOMEM;
        n_drop++;
    }
    sqlite3_finalize(st);
    if (r < 0)
        dw_error_set(err, r, "out of memory");
    for (size_t i = 0; r == 0 && i < n_drop; i++)
        r = remove_doc(ix, drop[i].path, drop[i].lang, err);
    for (size_t i = 0; i < n_drop; i++) {
        free(drop[i].path);
        free(drop[i].lang);
    }
    free(drop);
    return r;
}

static int rowmap_cmp(const void *a, const void *b) {
    const struct rowmap *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* The in-memory map rowid -> (document, passage), and a search statement per language. */
static int load_map(struct dw_kindex *ix, struct dw_workspace *ws, struct dw_kindex_stats *s,
                    struct dw_error *err) {
    drop_statements(ix);
    free(ix->rows);
    ix->rows = NULL;
    ix->n_rows = 0;
    size_t total = 0;
    for (size_t i = 0; i < ws->n_documents; i++)
        total += ws->documents[i].n_passages;
    ix->rows = malloc((total + 1) * sizeof *ix->rows);
    if (!ix->rows)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ix->db, "SELECT id, path, ord, len, language FROM passages", -1, &st,
                           NULL) != SQLITE_OK)
        return db_error(ix, err, -DW_EIO, "read");
    int rc, r = 0;
    double sum_len[LANGS] = {0};
    memset(ix->n_passages, 0, sizeof ix->n_passages);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t lang = lang_index((const char *)sqlite3_column_text(st, 4));
        sqlite3_int64 len = sqlite3_column_int64(st, 3);
        if (lang < LANGS && len >= 0 && len < UINT32_MAX) {
            ix->n_passages[lang]++;
            sum_len[lang] += (double)len;
        }
        const char *path = (const char *)sqlite3_column_text(st, 1);
        sqlite3_int64 ord = sqlite3_column_int64(st, 2);
        size_t d;
        const struct dw_document *doc = path ? find_doc(ws, path, &d) : NULL;
        if (!doc || ord < 0 || (size_t)ord >= doc->n_passages || ix->n_rows >= total) {
            r = dw_error_set(err, -DW_EIO, "knowledge index: out of step with the workspace");
            break;
        }
        ix->rows[ix->n_rows++] = (struct rowmap){sqlite3_column_int64(st, 0), d, (size_t)ord,
                                                 len < 0 || len >= UINT32_MAX ? 0 : (uint32_t)len};
    }
    sqlite3_finalize(st);
    if (r < 0)
        return r;
    if (rc != SQLITE_DONE)
        return db_error(ix, err, -DW_EIO, "read");
    sort_n(ix->rows, ix->n_rows, sizeof *ix->rows, rowmap_cmp);
    s->passages = ix->n_rows;
    for (size_t i = 0; i < LANGS; i++)
        ix->avg_len[i] = ix->n_passages[i] ? sum_len[i] / (double)ix->n_passages[i] : 1;

    if (sqlite3_prepare_v2(ix->db, "SELECT DISTINCT language FROM docs", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(ix, err, -DW_EIO, "read");
    while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *lang = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; lang && i < DW_ARRAY_SIZE(stemmers); i++) {
            if (strcmp(stemmers[i].code, lang) != 0)
                continue;
            char inst[128], df[128];
            snprintf(inst, sizeof inst, "SELECT doc, col FROM fts_%s_vi WHERE term = ?1", lang);
            snprintf(df, sizeof df, "SELECT df FROM terms WHERE language = '%s' AND stem = ?1",
                     lang);
            if (sqlite3_prepare_v3(ix->db, inst, -1, SQLITE_PREPARE_PERSISTENT, &ix->inst[i],
                                   NULL) != SQLITE_OK ||
                sqlite3_prepare_v3(ix->db, df, -1, SQLITE_PREPARE_PERSISTENT, &ix->df[i], NULL) !=
                    SQLITE_OK)
                r = db_error(ix, err, -DW_EIO, "search");
            else if (!tokenizer(ix, i))
                r = dw_error_set(err, -DW_EIO, "knowledge index: no tokenizer for %s", lang);
        }
    }
    sqlite3_finalize(st);
    return r;
}

int dw_kindex_sync(struct dw_kindex *ix, struct dw_workspace *ws, struct dw_kindex_stats *ret,
                   struct dw_error *err) {
    struct dw_kindex_stats s = {0};
    _cleanup_free_ bool *have = calloc(ws->n_documents + 1, sizeof *have);
    if (!have)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    drop_statements(ix); /* none may be open while tables are dropped */
    int r = exec(ix, "BEGIN IMMEDIATE", err);
    if (r < 0)
        return r;
    struct dfmap pending = {0};
    ix->pending = &pending;
    r = create_schema(ix, err);
    if (r == 0)
        r = drop_stale(ix, ws, have, &s, err);
    for (size_t i = 0; r == 0 && i < ws->n_documents; i++) {
        if (have[i])
            continue;
        char hash[DW_SHA256_HEX];
        dw_kindex_doc_hash(&ws->documents[i], hash);
        r = add_doc(ix, &ws->documents[i], hash, err);
    }
    if (r == 0)
        r = apply_terms(ix, &pending, err);
    ix->pending = NULL;
    dfmap_release(&pending);
    if (r == 0)
        r = exec(ix, "COMMIT", err);
    if (r < 0) {
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    /* added: documents indexed that the index did not hold before */
    s.added = ws->n_documents - s.unchanged - s.updated;
    s.documents = ws->n_documents;
    r = load_map(ix, ws, &s, err);
    if (r < 0)
        return r;
    dw_workspace_unref(ix->ws);
    ix->ws = dw_workspace_ref(ws);
    if (ret)
        *ret = s;
    return 0;
}

/* ---- searching ---------------------------------------------------------------------------- */

static const char *const stop_words[] = {
    /* English */
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
    "has", "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our",
    "so", "that", "the", "their", "there", "this", "to", "us", "was", "we", "what", "when", "where",
    "which", "who", "why", "will", "with", "you", "your",
    /* German */
    "auf", "aus", "bei", "das", "dem", "den", "der", "die", "ein", "eine", "einen", "einer", "es",
    "für", "gibt", "ich", "ihr", "im", "ist", "mit", "oder", "sie", "sind", "und", "von", "was",
    "welche", "welcher", "wie", "wir", "zu", "zum", "zur"};

static bool stop_word(const char *w, size_t n) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(stop_words); i++)
        if (strlen(stop_words[i]) == n && strncasecmp(stop_words[i], w, n) == 0)
            return true;
    return false;
}

static const struct rowmap *row_of(const struct dw_kindex *ix, sqlite3_int64 id) {
    struct rowmap key = {.id = id};
    return bsearch(&key, ix->rows, ix->n_rows, sizeof *ix->rows, rowmap_cmp);
}

static bool query_byte(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch >= 0x80;
}

char *dw_kindex_query(const char *question, bool *ret_oom) {
    struct dw_buf b;
    dw_buf_init(&b, 0);
    *ret_oom = false;
    const char *seen[QUERY_WORDS_MAX];
    size_t seen_n[QUERY_WORDS_MAX], n = 0;
    for (const char *p = question; *p && n < QUERY_WORDS_MAX;) {
        if (!query_byte((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *s = p;
        while (query_byte((unsigned char)*p))
            p++;
        size_t len = (size_t)(p - s);
        if (len < 2 || stop_word(s, len))
            continue;
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = seen_n[i] == len && strncasecmp(seen[i], s, len) == 0;
        if (dup)
            continue;
        seen[n] = s;
        seen_n[n++] = len;
        if (dw_buf_printf(&b, "%s\"%.*s\"", b.len ? " OR " : "", (int)len, s) < 0) {
            *ret_oom = true;
            break;
        }
    }
    char *out = *ret_oom || !b.len ? NULL : dw_buf_steal(&b);
    if (!*ret_oom && b.len && !out)
        *ret_oom = true;
    dw_buf_release(&b);
    return out;
}

/* ---- BM25 --------------------------------------------------------------------------------
 *
 * FTS5's bm25() is evaluated once for every row a query matches, and each call walks the
 * row's position lists and looks up its size: about 3 µs a row. The index already holds
 * what BM25 needs in cheaper form — the occurrences of a term (fts5vocab 'instance', which
 * reads the term's posting list and nothing else), the passages holding it (the terms
 * table), and each passage's length (counted by the same tokenizer at indexing, kept in
 * memory) — so the score is computed here, with FTS5's formula and parameters: k1 = 1.2,
 * b = 0.75, idf = ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6, a heading occurrence
 * weighing 2 and a text occurrence 1. */

#define K1 1.2
#define B 0.75
#define HEADING_WEIGHT 2.0

struct term {
    char stem[64];
    size_t len;
    int64_t df;
};

struct term_call {
    struct term *t;
    size_t n;
    const char *text;
};

static int collect_term(void *ud, int flags, const char *tok, int n, int start, int end) {
    struct term_call *c = ud;
    (void)flags;
    if (c->n >= QUERY_WORDS_MAX || n <= 0 || (size_t)n >= sizeof c->t[0].stem)
        return SQLITE_OK;
    /* the words as written decide what is a stop word or too short */
    if (end - start < 2 || stop_word(c->text + start, (size_t)(end - start)))
        return SQLITE_OK;
    for (size_t i = 0; i < c->n; i++)
        if (c->t[i].len == (size_t)n && memcmp(c->t[i].stem, tok, (size_t)n) == 0)
            return SQLITE_OK;
    memcpy(c->t[c->n].stem, tok, (size_t)n);
    c->t[c->n].stem[n] = '\0';
    c->t[c->n].len = (size_t)n;
    c->t[c->n].df = 0;
    c->n++;
    return SQLITE_OK;
}

static int term_by_df(const void *a, const void *b) {
    const struct term *x = a, *y = b;
    if (x->df != y->df)
        return x->df < y->df ? -1 : 1;
    return strcmp(x->stem, y->stem);
}

/* The terms of the question in language l, as the index holds them, with the passages
 * holding each: rarest first, and only while together they hold at most POSTINGS_BUDGET
 * passages (always the rarest). A term most passages hold has almost no weight in BM25
 * and would cost a score for each of them; search engines call dropping the common terms
 * when rarer ones are present a frequency cutoff. Returns the count kept, or -1. */
static int question_terms(struct dw_kindex *ix, size_t l, const char *question, struct term *t) {
    struct term_call c = {.t = t, .text = question};
    if (ix->tok_api.xTokenize(ix->tok[l], &c, FTS5_TOKENIZE_QUERY, question, (int)strlen(question),
                              collect_term) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < c.n; i++) {
        sqlite3_bind_text(ix->df[l], 1, t[i].stem, (int)t[i].len, SQLITE_STATIC);
        t[i].df = sqlite3_step(ix->df[l]) == SQLITE_ROW ? sqlite3_column_int64(ix->df[l], 0) : 0;
        sqlite3_reset(ix->df[l]);
    }
    sort_n(t, c.n, sizeof *t, term_by_df);
    size_t keep = 0;
    int64_t total = 0;
    while (keep < c.n && t[keep].df == 0)
        keep++; /* in no passage: costs nothing, matches nothing */
    size_t first = keep;
    while (keep < c.n && (keep == first || total + t[keep].df <= POSTINGS_BUDGET))
        total += t[keep++].df;
    return (int)keep;
}

/* Scores per passage: open addressing on the rowid. */
struct acc {
    sqlite3_int64 *id;
    double *score, *tf; /* tf: the weighted frequency of the term being read */
    size_t *touched;    /* slots the current term reached */
    size_t n_touched, filled, cap;
};

static int acc_init(struct acc *a, size_t expect) {
    size_t cap = 64;
    while (cap < 2 * expect + 16)
        cap *= 2;
    a->cap = cap;
    a->id = malloc(cap * sizeof *a->id);
    a->score = calloc(cap, sizeof *a->score);
    a->tf = calloc(cap, sizeof *a->tf);
    a->touched = malloc(cap * sizeof *a->touched);
    if (!a->id || !a->score || !a->tf || !a->touched)
        return -DW_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        a->id[i] = -1;
    return 0;
}

static void acc_release(struct acc *a) {
    free(a->id);
    free(a->score);
    free(a->tf);
    free(a->touched);
}

/* The slot of rowid id, or SIZE_MAX when the table is full (more passages than expected:
 * the rest of them is not scored, which only happens past the budget). */
static size_t acc_slot(struct acc *a, sqlite3_int64 id) {
    size_t mask = a->cap - 1, i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 20) & mask;
    for (size_t probes = 0; probes < a->cap; probes++, i = (i + 1) & mask) {
        if (a->id[i] == id)
            return i;
        if (a->id[i] < 0) {
            if (a->filled + 1 >= a->cap / 2)
                return SIZE_MAX;
            a->id[i] = id;
            a->filled++;
            return i;
        }
    }
    return SIZE_MAX;
}

/* Add one term's BM25 contributions (idf from df of n passages in language l). */
static int score_term(struct dw_kindex *ix, size_t l, const struct term *t, struct acc *a) {
    double n = (double)ix->n_passages[l];
    double idf = log((n - (double)t->df + 0.5) / ((double)t->df + 0.5));
    if (idf <= 0)
        idf = 1e-6;
    a->n_touched = 0;
    sqlite3_stmt *st = ix->inst[l];
    sqlite3_bind_text(st, 1, t->stem, (int)t->len, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t slot = acc_slot(a, sqlite3_column_int64(st, 0));
        if (slot == SIZE_MAX)
            continue;
        if (a->tf[slot] == 0)
            a->touched[a->n_touched++] = slot;
        const char *col = (const char *)sqlite3_column_text(st, 1);
        a->tf[slot] += col && col[0] == 'h' ? HEADING_WEIGHT : 1.0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -DW_EIO;
    for (size_t i = 0; i < a->n_touched; i++) {
        size_t slot = a->touched[i];
        const struct rowmap *m = row_of(ix, a->id[slot]);
        double len = m ? (double)m->len : ix->avg_len[l];
        double tf = a->tf[slot];
        a->score[slot] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len / ix->avg_len[l]));
        a->tf[slot] = 0;
    }
    return 0;
}

static int hit_cmp(const void *a, const void *b) {
    const struct dw_khit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* BM25 over the passages of language l, appended to *hits. */
static int search_language(struct dw_kindex *ix, size_t l, const char *question,
                           struct dw_khit **hits, size_t *n, size_t *cap) {
    struct term t[QUERY_WORDS_MAX];
    int nt = question_terms(ix, l, question, t);
    if (nt <= 0)
        return nt < 0 ? -DW_EIO : 0;
    int64_t expect = 0;
    for (int i = 0; i < nt; i++)
        expect += t[i].df;
    struct acc a = {0};
    int r = acc_init(&a, (size_t)expect);
    for (int i = 0; r == 0 && i < nt; i++)
        r = score_term(ix, l, &t[i], &a);
    for (size_t s = 0; r == 0 && s < a.cap; s++) {
        if (a.id[s] < 0 || a.score[s] <= 0)
            continue;
        const struct rowmap *m = row_of(ix, a.id[s]);
        if (!m)
            continue;
        if (DW_GROW(*hits, *cap, *n + 1) < 0) {
            r = -DW_ENOMEM;
            break;
        }
        (*hits)[(*n)++] = (struct dw_khit){m->d, m->k, a.score[s]};
    }
    acc_release(&a);
    return r;
}

int dw_kindex_search(struct dw_kindex *ix, const char *question, size_t limit, struct dw_khit **ret,
                     struct dw_error *err) {
    *ret = NULL;
    if (!ix->ws)
        return dw_error_set(err, -DW_ESTATE, "knowledge index: not synced");
    if (limit == 0)
        return 0;
    struct dw_khit *hits = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    for (size_t l = 0; r == 0 && l < LANGS; l++)
        if (ix->inst[l])
            r = search_language(ix, l, question, &hits, &n, &cap);
    if (r < 0) {
        free(hits);
        return r == -DW_ENOMEM ? dw_error_set(err, r, "out of memory")
                               : db_error(ix, err, r, "search");
    }
    sort_n(hits, n, sizeof *hits, hit_cmp);
    if (n > limit)
        n = limit;
    if (n == 0) {
        free(hits);
        hits = NULL;
    }
    *ret = hits;
    return (int)n;
}

int dw_kindex_search_fts5(struct dw_kindex *ix, const char *question, size_t limit,
                          struct dw_khit **ret, struct dw_error *err) {
    *ret = NULL;
    if (!ix->ws)
        return dw_error_set(err, -DW_ESTATE, "knowledge index: not synced");
    bool oom = false;
    _cleanup_free_ char *q = dw_kindex_query(question, &oom);
    if (oom)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    if (!q || !limit)
        return 0;
    struct dw_khit *hits = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    for (size_t l = 0; r == 0 && l < LANGS; l++) {
        if (!ix->inst[l])
            continue;
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT rowid, rank FROM fts_%s WHERE fts_%s MATCH ?1 ORDER BY rank LIMIT ?2",
                 stemmers[l].code, stemmers[l].code);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK) {
            r = db_error(ix, err, -DW_EIO, "search");
            break;
        }
        sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
        while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
            const struct rowmap *m = row_of(ix, sqlite3_column_int64(st, 0));
            if (!m)
                continue;
            if (DW_GROW(hits, cap, n + 1) < 0) {
                r = dw_error_set(err, -DW_ENOMEM, "out of memory");
                break;
            }
            hits[n++] = (struct dw_khit){m->d, m->k, -sqlite3_column_double(st, 1)};
        }
        sqlite3_finalize(st);
    }
    if (r < 0) {
        free(hits);
        return r;
    }
    sort_n(hits, n, sizeof *hits, hit_cmp);
    if (n > limit)
        n = limit;
    *ret = hits;
    return (int)n;
}

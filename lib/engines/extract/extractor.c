/* The extractor's entry points: preparing the vocabulary (the workspace's terms and
 * the built-in unit nouns), running every extractor in its order, and the workspace's
 * prepared extractor. */
#include "engines/extract/extract-internal.h"

/* ---- entry points --------------------------------------------------------------------- */

static void release_index(struct tindex *ix) {
    free(ix->ph);
}

static int run(struct ctx *c, json_t *out) {
    json_t *quantities = json_array(), *caps = json_array(), *excl = json_array(),
           *opt = json_array(), *stds = json_array(), *instr = json_array(), *integ = json_array(),
           *regions = json_array(), *contacts = json_array();
    dw__ex_put(c, out, "language", json_string(dw__ex_language(c)));
    dw__ex_put(c, out, "quantities", quantities);
    if (contacts)
        dw__ex_extract_contacts(c, contacts);
    json_t *deadline = dw__ex_extract_deadline(c);
    dw__ex_extract_standards(c, stds);
    json_t *discount = dw__ex_extract_discount(c);
    json_t *term = dw__ex_extract_term(c);
    if (quantities)
        dw__ex_extract_quantities(c, quantities);
    json_t *budget = dw__ex_extract_budget(c);
    json_t *residency = dw__ex_extract_residency(c);
    json_t *country = dw__ex_extract_country(c);
    if (regions)
        dw__ex_extract_regions(c, regions);
    if (json_is_null(country) && regions)
        country = dw__ex_country_from_regions(c, regions);
    if (caps && excl && opt)
        dw__ex_extract_capabilities(c, caps, excl, opt);
    if (integ)
        dw__ex_extract_integrations(c, integ);
    if (instr)
        dw__ex_extract_instructions(c, instr);
    dw__ex_put(c, out, "budget", budget);
    dw__ex_put(c, out, "deadline", deadline);
    dw__ex_put(c, out, "country", country);
    dw__ex_put(c, out, "regions", regions);
    dw__ex_put(c, out, "capabilities", caps);
    dw__ex_put(c, out, "excluded_capabilities", excl);
    dw__ex_put(c, out, "optional_capabilities", opt);
    dw__ex_put(c, out, "standards", stds);
    dw__ex_put(c, out, "integrations", integ);
    dw__ex_put(c, out, "discount", discount);
    dw__ex_put(c, out, "term_months", term);
    dw__ex_put(c, out, "data_residency", residency);
    dw__ex_put(c, out, "contact_details", contacts);
    dw__ex_put(c, out, "instructions_detected", instr);
    return c->oom ? -DW_ENOMEM : 0;
}

/* A vocabulary prepared once: its phrase indexes. The terms' strings are borrowed, except
 * the built-in unit nouns (lexicon.c), copied into umem with the terms that name them. */
struct dw_extractor {
    struct tindex caps, stds, units, integ;
    const char *defcur;
    struct dw_vocab_term *uterms; /* the workspace's units, then the built-in nouns */
    uint8_t *ulang;               /* per term: LANG_* of a built-in noun, 0 for the workspace's */
    const char *site_unit;        /* the unit the premises nouns extend, or NULL */
    size_t n_uterms;
    char *umem;
};

/* The workspace unit a built-in concept extends: the unit whose name or synonyms include
 * one of the concept's English words; NULL when the catalog counts no such thing. */
static const char *lexicon_target(const struct dw_extract_vocab *v, const char *concept,
                                  size_t clen) {
    static const char *const site[] = {"site", "sites"}, *const users[] = {"user", "users",
                                                                           "employees"};
    bool is_site = clen == 4 && memcmp(concept, "site", 4) == 0;
    const char *const *words = is_site ? site : users;
    size_t nw = is_site ? DW_ARRAY_SIZE(site) : DW_ARRAY_SIZE(users);
    for (size_t u = 0; u < v->n_units; u++) {
        const struct dw_vocab_term *t = &v->units[u];
        for (size_t k = 0; t->name && k <= t->n_synonyms; k++) {
            const char *s = k == 0 ? t->name : t->synonyms ? t->synonyms[k - 1] : NULL;
            for (size_t w = 0; s && w < nw; w++)
                if (strcasecmp(s, words[w]) == 0)
                    return t->name;
        }
    }
    return NULL;
}

/* The workspace's units followed by the built-in nouns of lexicon.c for the units it has. */
static int lexicon_units(struct dw_extractor *x, const struct dw_extract_vocab *v) {
    static const struct {
        const char *code;
        uint8_t bit;
    } langs[] = {{"en", LANG_EN}, {"de", LANG_DE}, {"fr", LANG_FR},
                 {"es", LANG_ES}, {"it", LANG_IT}, {"nl", LANG_NL}};
    size_t bytes = 0, forms = 0;
    for (size_t l = 0; l < dw__n_unit_lexicon; l++) {
        bytes += strlen(dw__unit_lexicon[l]) + 1;
        for (const char *p = dw__unit_lexicon[l]; *p; p++)
            forms += *p == '|';
    }
    size_t nt = v->n_units + dw__n_unit_lexicon;
    x->umem = malloc(nt * (sizeof(struct dw_vocab_term) + 1) + forms * sizeof(char *) + bytes);
    if (!x->umem)
        return -DW_ENOMEM;
    x->uterms = (struct dw_vocab_term *)(void *)x->umem;
    const char **syn = (const char **)(void *)(x->uterms + nt);
    char *pool = (char *)(syn + forms);
    x->ulang = (uint8_t *)(pool + bytes);
    size_t n = 0;
    for (size_t u = 0; u < v->n_units; u++) {
        x->uterms[n] = v->units[u];
        x->ulang[n++] = 0;
    }
    for (size_t l = 0; l < dw__n_unit_lexicon; l++) {
        const char *line = dw__unit_lexicon[l], *b1 = strchr(line, '|');
        const char *b2 = b1 ? strchr(b1 + 1, '|') : NULL;
        const char *name = b1 ? lexicon_target(v, line, (size_t)(b1 - line)) : NULL;
        if (!name || !b2)
            continue;
        if (memcmp(line, "site|", 5) == 0)
            x->site_unit = name;
        uint8_t bit = 0;
        for (size_t k = 0; k < DW_ARRAY_SIZE(langs); k++)
            if ((size_t)(b2 - b1 - 1) == strlen(langs[k].code) &&
                memcmp(b1 + 1, langs[k].code, 2) == 0)
                bit = langs[k].bit;
        size_t len = strlen(b2 + 1);
        memcpy(pool, b2 + 1, len + 1);
        struct dw_vocab_term *t = &x->uterms[n];
        *t = (struct dw_vocab_term){.name = name, .synonyms = syn};
        for (char *p = pool; p;) {
            char *bar = strchr(p, '|');
            if (bar)
                *bar = '\0';
            syn[t->n_synonyms++] = p;
            p = bar ? bar + 1 : NULL;
        }
        syn += t->n_synonyms;
        pool += len + 1;
        x->ulang[n++] = bit;
    }
    x->n_uterms = n;
    return 0;
}

void dw_extractor_free(struct dw_extractor *x) {
    if (!x)
        return;
    free(x->umem);
    release_index(&x->caps);
    release_index(&x->stds);
    release_index(&x->units);
    release_index(&x->integ);
    free(x);
}

int dw_extractor_new(const struct dw_extract_vocab *vocab, struct dw_extractor **ret,
                     struct dw_error *err) {
    static const struct dw_extract_vocab no_vocab = {0};
    if (!ret)
        return dw_error_set(err, -DW_EINVAL, "extract: no result pointer");
    if (!vocab)
        vocab = &no_vocab;
    pthread_once(&dw__ex_once, dw__ex_init_tables);
    if (dw__ex_g.error)
        return dw_error_set(err, -DW_EINVAL, "extract: language files: %s", dw__ex_g.error);
    int r = dw_lang_ready(err);
    if (r < 0)
        return r;
    struct dw_extractor *x = calloc(1, sizeof *x);
    if (!x)
        return dw_error_set(err, -DW_ENOMEM, "extract: %s", dw_strerror(-DW_ENOMEM));
    x->defcur =
        vocab->default_currency && vocab->default_currency[0] ? vocab->default_currency : "EUR";
    const struct dw_vocab_term *integ =
        vocab->n_integrations ? vocab->integrations : dw__ex_default_integrations;
    size_t n_integ = vocab->n_integrations ? vocab->n_integrations : dw__ex_n_default_integrations;
    if ((r = dw__ex_tindex_build(&x->caps, vocab->capabilities, vocab->n_capabilities, PH_PLURAL,
                                 false, NULL)) < 0 ||
        (r = dw__ex_tindex_build(&x->stds, vocab->standards, vocab->n_standards, 0, true, NULL)) <
            0 ||
        (r = lexicon_units(x, vocab)) < 0 ||
        (r = dw__ex_tindex_build(&x->units, x->uterms, x->n_uterms, PH_PLURAL, false, x->ulang)) <
            0 ||
        (r = dw__ex_tindex_build(&x->integ, integ, n_integ, PH_CAP, true, NULL)) < 0) {
        dw_extractor_free(x);
        return dw_error_set(err, r, "extract: vocabulary: %s", dw_strerror(r));
    }
    *ret = x;
    return 0;
}

int dw_extractor_run(const struct dw_extractor *x, const char *text, size_t len,
                     dw_time_t received_at, json_t **ret, struct dw_error *err) {
    if (!x || !ret || (!text && len))
        return dw_error_set(err, -DW_EINVAL, "extract: no text or no result pointer");
    if (len > DW_EXTRACT_MAX_TEXT)
        return dw_error_set(err, -DW_ETOOBIG, "message is %zu bytes; the limit is %d bytes", len,
                            DW_EXTRACT_MAX_TEXT);
    size_t bad;
    if (len && !dw_utf8_valid(text, len, &bad))
        return dw_error_set(err, -DW_EINVAL, "message is not valid UTF-8 at byte %zu", bad);

    size_t tok_off = (len + 1 + 7) & ~(size_t)7;
    char *mem = malloc(tok_off + (len + 1) * sizeof(struct tok) + len + 1);
    json_t *out = json_object();
    int r = -DW_ENOMEM;
    if (!mem || !out)
        goto out;
    int64_t days = received_at >= 0 ? received_at / 86400 : (received_at - 86399) / 86400;
    struct ctx c = {.text = text ? text : "",
                    .lo = mem,
                    .len = len,
                    .today = days,
                    .wd = dw_weekday(received_at),
                    .caps = &x->caps,
                    .stds = &x->stds,
                    .units = &x->units,
                    .site_unit = x->site_unit,
                    .integ = &x->integ,
                    .defcur = x->defcur};
    dw_civil_from_days(days, &c.ty, &c.tm, &c.td);
    dw__ex_fold_lower(c.text, len, mem);
    c.t = (struct tok *)(void *)(mem + tok_off);
    c.nt = dw__ex_tokenize(c.text, len, c.t, true);
    c.claim = (uint8_t *)(c.t + len + 1);
    memset(c.claim, 0, len + 1);
    dw__ex_languages(&c);
    dw__ex_classify(&c);
    dw__ex_mark_negation(&c);
    r = run(&c, out);
out:
    free(mem);
    if (r < 0) {
        json_decref(out);
        return dw_error_set(err, r, "extract: %s", dw_strerror(r));
    }
    *ret = out;
    return 0;
}

int dw_extract(const char *text, size_t len, dw_time_t received_at,
               const struct dw_extract_vocab *vocab, json_t **ret, struct dw_error *err) {
    if (!ret || (!text && len))
        return dw_error_set(err, -DW_EINVAL, "extract: no text or no result pointer");
    struct dw_extractor *x = NULL;
    int r = dw_extractor_new(vocab, &x, err);
    if (r < 0)
        return r;
    r = dw_extractor_run(x, text, len, received_at, ret, err);
    dw_extractor_free(x);
    return r;
}

/* ---- the workspace's extractor -------------------------------------------------------- */

/* The vocabulary terms of a workspace, laid out for struct dw_extract_vocab; they borrow the
 * snapshot's strings, which live as long as the extractor kept with it. */
struct ws_extractor {
    struct dw_extractor *x;
    struct dw_vocab_term terms[];
};

static void ws_extractor_free(void *p) {
    struct ws_extractor *w = p;
    dw_extractor_free(w->x);
    free(w);
}

static void vocab_terms(const struct dw_term *t, size_t n, struct dw_vocab_term *out) {
    for (size_t i = 0; i < n; i++)
        out[i] = (struct dw_vocab_term){.name = t[i].name,
                                        .synonyms = (const char *const *)t[i].synonyms,
                                        .n_synonyms = t[i].n_synonyms};
}

static void *ws_extractor_build(const struct dw_workspace *ws, void *ud) {
    struct dw_error *err = ud;
    size_t n = ws->n_capabilities + ws->n_standards + ws->n_units;
    struct ws_extractor *w = calloc(1, sizeof *w + (n + 1) * sizeof(struct dw_vocab_term));
    if (!w) {
        dw_error_set(err, -DW_ENOMEM, "extract: %s", dw_strerror(-DW_ENOMEM));
        return NULL;
    }
    struct dw_vocab_term *caps = w->terms, *stds = caps + ws->n_capabilities,
                         *units = stds + ws->n_standards;
    vocab_terms(ws->capabilities, ws->n_capabilities, caps);
    vocab_terms(ws->standards, ws->n_standards, stds);
    vocab_terms(ws->units, ws->n_units, units);
    struct dw_extract_vocab vocab = {
        .capabilities = caps,
        .n_capabilities = ws->n_capabilities,
        .standards = stds,
        .n_standards = ws->n_standards,
        .units = units,
        .n_units = ws->n_units,
        .default_currency = ws->home_currency,
    };
    if (dw_extractor_new(&vocab, &w->x, err) < 0) {
        free(w);
        return NULL;
    }
    return w;
}

const struct dw_extractor *dw_ws_extractor(const struct dw_workspace *ws, struct dw_error *err) {
    if (!ws) {
        dw_error_set(err, -DW_EINVAL, "extract: no workspace");
        return NULL;
    }
    if (!ws->loaded) {
        dw_error_set(err, -DW_EINVAL,
                     "extract: a workspace built by hand has no prepared "
                     "vocabulary; load one (dw_workspace_load)");
        return NULL;
    }
    struct ws_extractor *w =
        dw_ws_memo(ws, DW_WS_MEMO_EXTRACTOR, ws_extractor_build, err, ws_extractor_free);
    return w ? w->x : NULL;
}

const char *dw_country_code(const char *name) {
    if (!name)
        return NULL;
    pthread_once(&dw__ex_once, dw__ex_init_tables);
    while (*name == ' ' || *name == '\t')
        name++;
    size_t n = strlen(name);
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 128)
        return NULL;
    if (n == 2) {
        char a = name[0] & ~0x20, b = name[1] & ~0x20;
        for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(dw__ex_g.codes); k++)
            if (dw__ex_g.codes[k][0] == a && dw__ex_g.codes[k][1] == b)
                return dw__ex_g.codes[k];
    }
    char lo[129];
    struct tok t[129];
    dw__ex_fold_lower(name, n, lo);
    struct ctx c = {.text = name, .lo = lo, .len = n, .t = t, .loose = true};
    c.nt = dw__ex_tokenize(name, n, t, false);
    size_t e;
    for (size_t i = 0; i < 2 && i < c.nt; i++) {
        const struct phrase *p = dw__ex_vocab_at(&c, &dw__ex_g.countries, i, &e);
        if (p && e == c.nt)
            return p->name;
        if (!is(&c, i, "the"))
            break;
    }
    return NULL;
}

/* YAML helpers for the workspace loader: parse one document with libfyaml while keeping its
 * diagnostics away from stderr, place nodes at FILE:LINE:COL, and read typed values with
 * the rules of docs/internals/workspace.md (money quoted, integers plain, no aliases).
 *
 * The traps, in order of appearance:
 * - libfyaml prints to stderr unless a struct fy_diag with an output callback is given; we
 *   give one that swallows the text and collect the errors instead. Collected errors carry
 *   1-based line and column already, node marks are 0-based.
 * - fy_document_build_from_string() silently drops a second document in the stream, so the
 *   parser is driven by hand to notice one.
 * - A value left empty (`name:`) is a node without a token and therefore without a
 *   position; it is placed at its key.
 * - Whether `1290.0` is a number or a string is decided by the scalar's style and tag, not
 *   by its text: money must be quoted (or tagged !!str).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workspace/ws-internal.h"

#define YAML_MAX_DEPTH 64 /* how deep node_mark() looks for a scalar */

/* ---- parsing ------------------------------------------------------------------------- */

static void diag_swallow(struct fy_diag *diag, void *user, const char *buf, size_t len) {
    /* Errors are collected (fy_diag_set_collect_errors); everything else is noise here. */
}

void dw__ydoc_release(struct dw__ydoc *d) {
    if (d->doc)
        fy_parse_document_destroy(d->parser, d->doc);
    if (d->parser)
        fy_parser_destroy(d->parser);
    if (d->diag)
        fy_diag_destroy(d->diag);
    *d = (struct dw__ydoc){0};
}

/* Report what libfyaml collected; returns the number of errors. */
static int report_fy_errors(struct dw__ws_ctx *c, struct fy_diag *diag) {
    int n = 0;
    void *iter = NULL;
    struct fy_diag_error *e;
    while ((e = fy_diag_errors_iterate(diag, &iter)) != NULL) {
        if (e->type < FYET_ERROR)
            continue;
        int line = e->line > 0 ? e->line : 1, col = e->column > 0 ? e->column : 1;
        dw__ws_diag(c, line + c->line_offset, col, "YAML syntax error: %s",
                    e->msg ? e->msg : "invalid YAML");
        n++;
    }
    return n;
}

/* Aliases would let one node stand in many places (and blow up on purpose); the workspace
 * has no use for them, so they are refused wherever they appear. */
static int reject_aliases(struct dw__ws_ctx *c, struct fy_node *n, const struct dw__yref *at,
                          int depth) {
    if (!n || depth > 256)
        return 0;
    struct dw__yref r = dw__y_ref(c, n, at);
    if (fy_node_is_alias(n)) {
        dw__y_err(c, &r, "YAML aliases (*name) are not supported in a workspace");
        return 1;
    }
    int bad = 0;
    void *iter = NULL;
    if (fy_node_is_mapping(n)) {
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(n, &iter)) != NULL) {
            bad += reject_aliases(c, fy_node_pair_key(p), &r, depth + 1);
            bad += reject_aliases(c, fy_node_pair_value(p), &r, depth + 1);
        }
    } else if (fy_node_is_sequence(n)) {
        struct fy_node *item;
        while ((item = fy_node_sequence_iterate(n, &iter)) != NULL)
            bad += reject_aliases(c, item, &r, depth + 1);
    }
    return bad;
}

int dw__y_parse(struct dw__ws_ctx *c, const char *text, size_t len, struct dw__ydoc *d,
                struct dw__yref *ret_root) {
    *d = (struct dw__ydoc){0};
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_swallow;
    dcfg.colorize = false;
    d->diag = fy_diag_create(&dcfg);
    if (!d->diag)
        return -DW_ENOMEM;
    fy_diag_set_collect_errors(d->diag, true);

    struct fy_parse_cfg pcfg = {
        .flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
        .diag = d->diag,
    };
    d->parser = fy_parser_create(&pcfg);
    if (!d->parser || fy_parser_set_string(d->parser, text, len) != 0)
        return -DW_ENOMEM;
    d->doc = fy_parse_load_document(d->parser);

    struct dw__yref start = {.line = 1 + c->line_offset, .col = 1};
    if (d->doc) {
        struct fy_document *extra = fy_parse_load_document(d->parser);
        if (extra) {
            struct dw__yref r = dw__y_ref(c, fy_document_root(extra), &start);
            dw__y_err(c, &r, "only one YAML document is allowed per file");
            fy_parse_document_destroy(d->parser, extra);
            report_fy_errors(c, d->diag);
            return -DW_EPARSE;
        }
    }
    if (report_fy_errors(c, d->diag) > 0)
        return -DW_EPARSE;
    if (!d->doc && fy_diag_got_error(d->diag)) {
        dw__y_err(c, &start, "YAML syntax error");
        return -DW_EPARSE;
    }
    struct fy_node *root = d->doc ? fy_document_root(d->doc) : NULL;
    if (reject_aliases(c, root, &start, 0) > 0)
        return -DW_EPARSE;
    *ret_root = dw__y_ref(c, root, &start);
    return 0;
}

/* ---- positions ------------------------------------------------------------------------- */

static bool node_mark(struct fy_node *n, int depth, int *line, int *col) {
    if (!n || depth > YAML_MAX_DEPTH)
        return false;
    void *iter = NULL;
    if (fy_node_is_mapping(n)) {
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(n, &iter)) != NULL)
            if (node_mark(fy_node_pair_key(p), depth + 1, line, col) ||
                node_mark(fy_node_pair_value(p), depth + 1, line, col))
                return true;
        return false;
    }
    if (fy_node_is_sequence(n)) {
        struct fy_node *item;
        while ((item = fy_node_sequence_iterate(n, &iter)) != NULL)
            if (node_mark(item, depth + 1, line, col))
                return true;
        return false;
    }
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    if (!m || m->line < 0 || m->column < 0)
        return false;
    *line = m->line + 1;
    *col = m->column + 1;
    /* The token of a quoted scalar starts after its opening quote, an alias's after its
     * '*'; people look for the quote and the star. Both sit on the same line. */
    enum fy_node_style style = fy_node_get_style(n);
    if (*col > 1 &&
        (style == FYNS_SINGLE_QUOTED || style == FYNS_DOUBLE_QUOTED || style == FYNS_ALIAS))
        (*col)--;
    return true;
}

struct dw__yref dw__y_ref(struct dw__ws_ctx *c, struct fy_node *n,
                          const struct dw__yref *fallback) {
    struct dw__yref r = {.n = n, .line = fallback->line, .col = fallback->col};
    int line, col;
    if (node_mark(n, 0, &line, &col)) {
        r.line = line + c->line_offset;
        r.col = col;
    }
    return r;
}

void dw__y_err(struct dw__ws_ctx *c, const struct dw__yref *r, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dw__ws_diag(c, r->line, r->col, "%s", msg);
}

/* ---- scalars ------------------------------------------------------------------------- */

const char *dw__y_text(const struct dw__yref *r) {
    if (!r->n || !fy_node_is_scalar(r->n))
        return NULL;
    const char *s = fy_node_get_scalar0(r->n);
    return s ? s : "";
}

static bool has_str_tag(struct fy_node *n) {
    size_t len = 0;
    const char *tag = fy_node_get_tag(n, &len);
    if (!tag)
        return false;
    static const char str_tag[] = "tag:yaml.org,2002:str";
    return (len == sizeof str_tag - 1 && memcmp(tag, str_tag, len) == 0) ||
           (len == 5 && memcmp(tag, "!!str", 5) == 0);
}

/* A plain, untagged scalar: YAML resolves it (null, bool, number or string by its text). */
static bool is_plain(struct fy_node *n) {
    return fy_node_get_style(n) == FYNS_PLAIN && !has_str_tag(n);
}

bool dw__y_is_null(const struct dw__yref *r) {
    if (!r->n)
        return true;
    if (!fy_node_is_scalar(r->n) || !is_plain(r->n))
        return false;
    const char *s = dw__y_text(r);
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

bool dw__y_is_map(const struct dw__yref *r) {
    return r->n && fy_node_is_mapping(r->n);
}

static bool is_int_text(const char *s) {
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* A decimal number: [-+]digits[.digits] (what YAML would read as an int or a float). */
static bool is_decimal_text(const char *s) {
    if (*s == '-' || *s == '+')
        s++;
    bool digits = false, dot = false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits = true;
        else if (*s == '.' && !dot)
            dot = true;
        else
            return false;
    }
    return digits;
}

static const char *kind_of(const struct dw__yref *r) {
    if (!r->n)
        return "nothing";
    if (fy_node_is_mapping(r->n))
        return "a mapping";
    if (fy_node_is_sequence(r->n))
        return "a list";
    return "a scalar";
}

/* The scalar text, or NULL after reporting why there is none. */
static const char *need_scalar(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                               const char *expected) {
    if (dw__y_is_null(r)) {
        dw__y_err(c, r, "%s: expected %s, got an empty value", what, expected);
        return NULL;
    }
    if (!fy_node_is_scalar(r->n)) {
        dw__y_err(c, r, "%s: expected %s, got %s", what, expected, kind_of(r));
        return NULL;
    }
    return dw__y_text(r);
}

const char *dw__y_scalar(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what) {
    return need_scalar(c, r, what, "a string");
}

bool dw__y_str(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, char **ret) {
    const char *s = need_scalar(c, r, what, "a string");
    if (!s)
        return false;
    *ret = dw__ws_strdup(c->w, s);
    return true;
}

bool dw__y_int(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, int64_t min,
               int64_t max, int64_t *ret) {
    const char *s = need_scalar(c, r, what, "an integer");
    if (!s)
        return false;
    if (!is_int_text(s)) {
        dw__y_err(c, r, "%s: expected an integer, got '%s'", what, s);
        return false;
    }
    if (!is_plain(r->n)) {
        dw__y_err(c, r, "%s: expected an integer, got a quoted string (write %s without quotes)",
                  what, s);
        return false;
    }
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        dw__y_err(c, r, "%s: %s is out of range (%lld to %lld)", what, s, (long long)min,
                  (long long)max);
        return false;
    }
    *ret = v;
    return true;
}

bool dw__y_bool(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, bool *ret) {
    const char *s = need_scalar(c, r, what, "true or false");
    if (!s)
        return false;
    if (is_plain(r->n)) {
        if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
            *ret = true;
            return true;
        }
        if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
            *ret = false;
            return true;
        }
    }
    dw__y_err(c, r, "%s: expected true or false, got '%s'", what, s);
    return false;
}

static int frac_digits(const char *s) {
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

bool dw__y_money(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                 const char *currency, int digits, int64_t *ret) {
    const char *s = need_scalar(c, r, what, "an amount");
    if (!s)
        return false;
    if (is_plain(r->n)) {
        /* A YAML number (binary float or int) — suggest the quoted form in the currency's
         * precision so the fix is a copy and paste. */
        char suggestion[64];
        int64_t v;
        if (is_decimal_text(s) && dw_money_parse(s[0] == '+' ? s + 1 : s, digits, &v) == 0)
            dw_money_format(v, digits, suggestion, sizeof suggestion);
        else
            snprintf(suggestion, sizeof suggestion, "%.40s", s);
        dw__y_err(c, r, "%s: money must be a quoted decimal string, not a YAML %s; write \"%s\"",
                  what, is_decimal_text(s) ? "number" : "plain scalar", suggestion);
        return false;
    }
    if (!is_decimal_text(s) || s[0] == '+') {
        dw__y_err(c, r, "%s: '%s' is not a decimal amount (like \"1290.00\")", what, s);
        return false;
    }
    if (s[0] == '-') {
        dw__y_err(c, r, "%s: amount must not be negative", what);
        return false;
    }
    if (frac_digits(s) > digits) {
        dw__y_err(c, r, "%s: \"%s\" has %d decimals but %s has %d", what, s, frac_digits(s),
                  currency, digits);
        return false;
    }
    int64_t v;
    int rc = dw_money_parse(s, digits, &v);
    if (rc < 0) {
        dw__y_err(c, r, "%s: \"%s\" is %s", what, s,
                  rc == -DW_ETOOBIG ? "too large" : "not a valid amount");
        return false;
    }
    *ret = v;
    return true;
}

bool dw__y_pct(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what, int32_t *ret_bp) {
    const char *s = need_scalar(c, r, what, "a percentage");
    if (!s)
        return false;
    if (is_plain(r->n) && !is_int_text(s) && is_decimal_text(s)) {
        /* 12.5 unquoted is a binary float to YAML; "12.5" is the decimal we mean. */
        dw__y_err(c, r, "%s: a percentage with decimals must be quoted; write \"%s\"", what, s);
        return false;
    }
    int32_t bp;
    int rc = dw_pct_parse(s, &bp);
    if (rc == -DW_EINVAL || (rc == 0 && (bp < 0 || bp > 10000))) {
        dw__y_err(c, r, "%s: %s is outside 0-100", what, s);
        return false;
    }
    if (rc < 0) {
        dw__y_err(c, r, "%s: '%s' is not a percentage (at most two decimals, like \"12.5\")", what,
                  s);
        return false;
    }
    *ret_bp = bp;
    return true;
}

/* ---- collections ------------------------------------------------------------------------ */

bool dw__y_seq(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
               struct dw__yref **ret_items, size_t *ret_n) {
    *ret_items = NULL;
    *ret_n = 0;
    if (dw__y_is_null(r))
        return true;
    if (!fy_node_is_sequence(r->n)) {
        dw__y_err(c, r, "%s: expected a list, got %s", what, kind_of(r));
        return false;
    }
    int count = fy_node_sequence_item_count(r->n);
    if (count <= 0)
        return true;
    if (count > DW_WS_MAX_ITEMS) {
        dw__y_err(c, r, "%s: %d entries, more than the limit of %d", what, count, DW_WS_MAX_ITEMS);
        return false;
    }
    struct dw__yref *items = calloc((size_t)count, sizeof *items);
    if (!items) {
        c->w->oom = true;
        return false;
    }
    size_t n = 0;
    void *iter = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(r->n, &iter)) != NULL && n < (size_t)count)
        items[n++] = dw__y_ref(c, item, r);
    *ret_items = items;
    *ret_n = n;
    return true;
}

bool dw__y_pairs(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                 struct dw__yref **ret_keys, struct dw__yref **ret_values, size_t *ret_n) {
    *ret_keys = *ret_values = NULL;
    *ret_n = 0;
    if (dw__y_is_null(r))
        return true;
    if (!fy_node_is_mapping(r->n)) {
        dw__y_err(c, r, "%s: expected a mapping, got %s", what, kind_of(r));
        return false;
    }
    int count = fy_node_mapping_item_count(r->n);
    if (count <= 0)
        return true;
    if (count > DW_WS_MAX_ITEMS) {
        dw__y_err(c, r, "%s: %d entries, more than the limit of %d", what, count, DW_WS_MAX_ITEMS);
        return false;
    }
    struct dw__yref *keys = calloc((size_t)count, sizeof *keys);
    struct dw__yref *values = calloc((size_t)count, sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        c->w->oom = true;
        return false;
    }
    size_t n = 0;
    bool ok = true;
    void *iter = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(r->n, &iter)) != NULL && n < (size_t)count) {
        struct dw__yref k = dw__y_ref(c, fy_node_pair_key(p), r);
        if (!dw__y_text(&k) || dw__y_is_null(&k)) {
            dw__y_err(c, &k, "%s: keys must be plain names", what);
            ok = false;
            continue;
        }
        keys[n] = k;
        values[n] = dw__y_ref(c, fy_node_pair_value(p), &k);
        n++;
    }
    *ret_keys = keys;
    *ret_values = values;
    *ret_n = n;
    return ok;
}

const struct dw__yref *dw__y_get(const struct dw__yfield *f, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key, key) == 0)
            return f[i].present ? &f[i].v : NULL;
    return NULL;
}

const struct dw__yref *dw__y_key(const struct dw__yfield *f, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key, key) == 0)
            return f[i].present ? &f[i].k : NULL;
    return NULL;
}

bool dw__y_fields(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                  struct dw__yfield *f, size_t n) {
    for (size_t i = 0; i < n; i++)
        f[i].present = false;
    if (!r->n || !fy_node_is_mapping(r->n)) {
        dw__y_err(c, r, "%s: expected a mapping, got %s", what,
                  dw__y_is_null(r) ? "an empty value" : kind_of(r));
        return false;
    }
    const char *names[64];
    size_t n_names = n < DW_ARRAY_SIZE(names) ? n : DW_ARRAY_SIZE(names);
    for (size_t i = 0; i < n_names; i++)
        names[i] = f[i].key;

    void *iter = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(r->n, &iter)) != NULL) {
        struct dw__yref k = dw__y_ref(c, fy_node_pair_key(p), r);
        const char *key = dw__y_text(&k);
        if (!key || dw__y_is_null(&k)) {
            dw__y_err(c, &k, "%s: keys must be plain names", what);
            continue;
        }
        size_t i;
        for (i = 0; i < n && strcmp(f[i].key, key) != 0; i++)
            ;
        if (i == n) {
            const char *hint = dw__closest(key, names, n_names);
            if (hint)
                dw__y_err(c, &k, "unknown key '%s' in %s (did you mean '%s'?)", key, what, hint);
            else
                dw__y_err(c, &k, "unknown key '%s' in %s", key, what);
            continue;
        }
        f[i].present = true;
        f[i].k = k;
        f[i].v = dw__y_ref(c, fy_node_pair_value(p), &k);
    }
    for (size_t i = 0; i < n; i++)
        if (f[i].required && !f[i].present)
            dw__y_err(c, r, "missing required key '%s' in %s", f[i].key, what);
    return true;
}

bool dw__y_strlist(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                   dw__y_check_fn *check, void *arg, char ***ret, size_t *ret_n) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    *ret = NULL;
    *ret_n = 0;
    if (!dw__y_seq(c, r, what, &items, &n))
        return false;
    char **v = dw__ws_array(c->w, n, sizeof *v);
    if (n && !v)
        return false;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (!dw__y_str(c, &items[i], what, &v[i])) {
            v[i] = "";
            ok = false;
            continue;
        }
        if (check && !check(c, &items[i], v[i], arg))
            ok = false;
    }
    *ret = v;
    *ret_n = n;
    return ok;
}

/* ---- value shapes ------------------------------------------------------------------------ */

static bool upper_letters(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return s[n] == '\0';
}

bool dw__is_country(const char *s) {
    return strlen(s) == 2 && upper_letters(s, 2);
}
bool dw__is_currency(const char *s) {
    return strlen(s) == 3 && upper_letters(s, 3);
}

bool dw__check_country(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                       void *arg) {
    if (dw__is_country(value))
        return true;
    dw__y_err(c, r, "'%s' is not a country code (ISO 3166-1 alpha-2, upper case, like DE)", value);
    return false;
}

/* ---- name sets and typo hints --------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int dw__names_build(struct dw__names *s, const char *const *v, size_t n) {
    dw__names_release(s);
    if (n == 0)
        return 0;
    s->v = malloc(n * sizeof *s->v);
    if (!s->v)
        return -DW_ENOMEM;
    memcpy(s->v, v, n * sizeof *s->v);
    s->n = n;
    qsort(s->v, n, sizeof *s->v, cmp_str);
    return 0;
}

bool dw__names_has(const struct dw__names *s, const char *name) {
    return s->n && bsearch(&name, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

void dw__names_release(struct dw__names *s) {
    free(s->v);
    *s = (struct dw__names){0};
}

#define HINT_MAX_LEN 64     /* longer words get no hint */
#define HINT_MAX_CANDS 2000 /* bounded work per unknown name */

/* Edit distance counting a swap of two neighbours as one edit ("rnak" is one from "rank"),
 * case-insensitive, for strings up to HINT_MAX_LEN. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    size_t rows[3][HINT_MAX_LEN + 1];
    size_t *pprev = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == (b[j - 2] | 0x20) && (a[i - 2] | 0x20) == cb &&
                pprev[j - 2] + 1 < best)
                best = pprev[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = pprev;
        pprev = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *dw__closest(const char *s, const char *const *cands, size_t n) {
    size_t ls = strlen(s);
    if (ls == 0 || ls > HINT_MAX_LEN || n > HINT_MAX_CANDS)
        return NULL;
    /* A plausible typo: at most one edit for short words, two for longer ones, and always
     * fewer edits than half the word. */
    size_t limit = ls <= 4 ? 1 : 2;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || strlen(cands[i]) > HINT_MAX_LEN)
            continue;
        size_t d = edit_distance(s, cands[i]);
        if (d < best_d && d * 2 < ls + 1) {
            best = cands[i];
            best_d = d;
        }
    }
    return best;
}

/* ---- shared checks --------------------------------------------------------------------- */

int dw__ws_load_yaml(struct dw__ws_ctx *c, const char *rel, bool required,
                     void (*fn)(struct dw__ws_ctx *c, const struct dw__yref *root)) {
    const char *data;
    size_t len;
    int r = dw__ws_read(c, rel, required, &data, &len);
    if (r < 0)
        return r;
    struct dw__ydoc doc;
    struct dw__yref root;
    r = dw__y_parse(c, data, len, &doc, &root);
    if (r == 0)
        fn(c, &root);
    dw__ydoc_release(&doc);
    return r;
}

static int cmp_named(const void *pa, const void *pb) {
    const struct dw__named *a = pa, *b = pb;
    int d = strcmp(a->name, b->name);
    if (d)
        return d;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

void dw__report_dups(struct dw__ws_ctx *c, struct dw__named *v, size_t n, const char *what) {
    if (n < 2)
        return;
    qsort(v, n, sizeof *v, cmp_named);
    size_t first = 0;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i].name, v[first].name) != 0) {
            first = i;
            continue;
        }
        struct dw__yref r = {.line = v[i].line, .col = v[i].col};
        dw__y_err(c, &r, "duplicate %s '%s' (first at line %d)", what, v[i].name, v[first].line);
    }
}

bool dw__y_enum(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                const char *const *names, size_t n, int *ret) {
    const char *s = dw__y_scalar(c, r, what);
    if (!s)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *ret = (int)i;
            return true;
        }
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    const char *hint = dw__closest(s, names, n);
    if (hint)
        dw__y_err(c, r, "%s: unknown value '%s' (did you mean '%s'?)", what, s, hint);
    else
        dw__y_err(c, r, "%s: unknown value '%s' (expected one of: %s)", what, s, list);
    return false;
}

const char *const dw__roles[] = {"rep", "sales_engineer", "manager", "deal_desk",
                                 "vp",  "legal",          "admin"};
const size_t dw__n_roles = DW_ARRAY_SIZE(dw__roles);

/* Quote revisions compared line by line (see quotediff.h). Both quotes' lines get a key,
 * both key lists are sorted, and one merge pass pairs them: O(n log n) for 10,000 lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/quotediff.h"

/* Keys of a stored line that say where it is stored, not what it is. */
static const char *const ignored[] = {"id",       "quote_id", "line_no", "deal_id", "created_at",
                                      "revision", "hash",     "ws_hash", NULL};

static bool is_ignored(const char *k) {
    for (const char *const *p = ignored; *p; p++)
        if (strcmp(*p, k) == 0)
            return true;
    return false;
}

struct keyed {
    char *key;
    const json_t *line;
    size_t pos;
};

static int cmp_keyed(const void *a, const void *b) {
    const struct keyed *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : (x->pos > y->pos) - (x->pos < y->pos);
}

static void free_keys(struct keyed *v, size_t n) {
    for (size_t i = 0; v && i < n; i++)
        free(v[i].key);
    free(v);
}

/* The key of every line, "#k" added to the k-th repeat of the same key. */
static int keys_of(const json_t *lines, struct keyed **ret) {
    size_t n = json_array_size(lines);
    struct keyed *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return -DW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *l = json_array_get(lines, i);
        const char *sku = dw_json_str(l, "sku"), *bundle = dw_json_str(l, "bundle");
        char buf[256];
        snprintf(buf, sizeof buf, "%s%s%s", bundle ? bundle : "", bundle ? "/" : "",
                 sku ? sku : "?");
        v[i] = (struct keyed){strdup(buf), l, i};
        if (!v[i].key) {
            free_keys(v, i);
            return -DW_ENOMEM;
        }
    }
    qsort(v, n, sizeof *v, cmp_keyed);
    /* repeats: the first keeps the key, later ones get #2, #3 ... (in line order) */
    for (size_t i = 1, rep = 1; i < n; i++) {
        const char *base = v[i - 1].key;
        size_t blen = strcspn(base, "#");
        if (strncmp(v[i].key, base, blen) == 0 && v[i].key[blen] == '\0') {
            char buf[300];
            snprintf(buf, sizeof buf, "%s#%zu", v[i].key, ++rep);
            char *k = strdup(buf);
            if (!k) {
                free_keys(v, n);
                return -DW_ENOMEM;
            }
            free(v[i].key);
            v[i].key = k;
        } else {
            rep = 1;
        }
    }
    /* the repeat suffixes may break the order; sort again */
    qsort(v, n, sizeof *v, cmp_keyed);
    *ret = v;
    return 0;
}

static int add_change(json_t *list, const char *field, json_t *from, json_t *to) {
    json_t *c = json_pack("{s:s, s:O, s:O}", "field", field, "from", from ? from : json_null(),
                          "to", to ? to : json_null());
    return c && json_array_append_new(list, c) == 0 ? 0 : -DW_ENOMEM;
}

/* Field-level changes between two objects (keys of either). */
static int fields_changed(const json_t *a, const json_t *b, const char *const *skip, json_t *out) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
        bool skipped = is_ignored(k);
        for (const char *const *s = skip; s && *s && !skipped; s++)
            skipped = strcmp(*s, k) == 0;
        if (skipped)
            continue;
        json_t *w = json_object_get(b, k);
        if (!w || !json_equal(v, w))
            if (add_change(out, k, v, w) < 0)
                return -DW_ENOMEM;
    }
    json_object_foreach((json_t *)b, k, v) {
        bool skipped = is_ignored(k);
        for (const char *const *s = skip; s && *s && !skipped; s++)
            skipped = strcmp(*s, k) == 0;
        if (!skipped && !json_object_get(a, k) && add_change(out, k, NULL, v) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

static json_t *side(const json_t *q) {
    return json_pack(
        "{s:O, s:O, s:O, s:O}", "revision",
        json_object_get(q, "revision") ? json_object_get(q, "revision") : json_null(), "hash",
        json_object_get(q, "hash") ? json_object_get(q, "hash") : json_null(), "currency",
        json_object_get(q, "currency") ? json_object_get(q, "currency") : json_null(), "total",
        json_object_get(q, "total") ? json_object_get(q, "total") : json_null());
}

static int totals(const json_t *a, const json_t *b, bool same_currency, json_t *out) {
    static const char *const keys[] = {"subtotal", "discount", "total", "cost", "margin"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(keys); i++) {
        json_t *x = json_object_get(a, keys[i]), *y = json_object_get(b, keys[i]);
        if (!json_is_integer(x) && !json_is_integer(y))
            continue;
        json_t *delta = json_null();
        int64_t d;
        if (same_currency && json_is_integer(x) && json_is_integer(y) &&
            !__builtin_sub_overflow((int64_t)json_integer_value(y), (int64_t)json_integer_value(x),
                                    &d))
            delta = json_integer(d);
        json_t *t = json_pack("{s:O, s:O, s:o}", "from", x ? x : json_null(), "to",
                              y ? y : json_null(), "delta", delta);
        if (!t || json_object_set_new(out, keys[i], t) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

int dw_quote_diff(const json_t *from, const json_t *to, json_t **ret) {
    const json_t *la = json_object_get(from, "lines"), *lb = json_object_get(to, "lines");
    if (!json_is_array(la) || !json_is_array(lb))
        return -DW_EINVAL;
    struct keyed *ka = NULL, *kb = NULL;
    size_t na = json_array_size(la), nb = json_array_size(lb);
    int r = keys_of(la, &ka);
    if (r == 0)
        r = keys_of(lb, &kb);
    _cleanup_json_ json_t *out = json_object();
    json_t *added = json_array(), *removed = json_array(), *changed = json_array();
    json_t *tot = json_object(), *qchanges = json_array();
    if (!out || !added || !removed || !changed || !tot || !qchanges)
        r = -DW_ENOMEM;
    const char *ca = dw_json_str(from, "currency"), *cb = dw_json_str(to, "currency");
    bool same = ca && cb && strcmp(ca, cb) == 0;
    static const char *const quote_skip[] = {"lines", "subtotal", "discount", "total",
                                             "cost",  "margin",   "id",       NULL};
    size_t i = 0, j = 0, unchanged = 0;
    while (r == 0 && (i < na || j < nb)) {
        int d = i >= na ? 1 : j >= nb ? -1 : strcmp(ka[i].key, kb[j].key);
        if (d < 0) {
            r = json_array_append(removed, (json_t *)ka[i++].line);
        } else if (d > 0) {
            r = json_array_append(added, (json_t *)kb[j++].line);
        } else {
            json_t *ch = json_array();
            r = ch ? fields_changed(ka[i].line, kb[j].line, NULL, ch) : -DW_ENOMEM;
            if (r == 0 && json_array_size(ch)) {
                json_t *c = json_pack("{s:s, s:O, s:O}", "key", kb[j].key, "sku",
                                      json_object_get(kb[j].line, "sku"), "changes", ch);
                r = c ? json_array_append_new(changed, c) : -DW_ENOMEM;
            } else if (r == 0) {
                unchanged++;
            }
            json_decref(ch);
            i++;
            j++;
        }
        r = r < 0 ? -DW_ENOMEM : 0;
    }
    free_keys(ka, na);
    free_keys(kb, nb);
    if (r == 0)
        r = totals(from, to, same, tot);
    if (r == 0)
        r = fields_changed(from, to, quote_skip, qchanges);
    if (r == 0) {
        json_t *digits = json_object_get(to, "digits");
        if (json_object_set_new(out, "from", side(from)) < 0 ||
            json_object_set_new(out, "to", side(to)) < 0 ||
            json_object_set_new(out, "currency", json_string(cb ? cb : "")) < 0 ||
            json_object_set_new(out, "digits", digits ? json_incref(digits) : json_integer(2)) <
                0 ||
            json_object_set_new(out, "totals", tot) < 0 ||
            json_object_set_new(out, "quote", qchanges) < 0 ||
            json_object_set_new(out, "added", added) < 0 ||
            json_object_set_new(out, "removed", removed) < 0 ||
            json_object_set_new(out, "changed", changed) < 0 ||
            json_object_set_new(out, "unchanged", json_integer((json_int_t)unchanged)) < 0)
            return -DW_ENOMEM; /* set_new consumed the references */
        *ret = DW_TAKE_PTR(out);
        return 0;
    }
    json_decref(added);
    json_decref(removed);
    json_decref(changed);
    json_decref(tot);
    json_decref(qchanges);
    return r;
}

/* ---- text ---------------------------------------------------------------------------- */

static const char *money(const json_t *v, int digits, char *buf, size_t size) {
    if (!json_is_integer(v))
        return "-";
    return dw_money_format(json_integer_value(v), digits, buf, size);
}

static bool is_money(const char *field) {
    static const char *const m[] = {"list_price", "unit_price", "amount", "discount",
                                    "net",        "cost",       NULL};
    for (const char *const *p = m; *p; p++)
        if (strcmp(*p, field) == 0)
            return true;
    return false;
}

static void value_text(const json_t *v, const char *field, int digits, char *buf, size_t size) {
    if (json_is_integer(v) && is_money(field)) {
        dw_money_format(json_integer_value(v), digits, buf, size);
        return;
    }
    char *s = json_dumps(v ? v : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, size, "%.60s%s", s ? s : "?", s && strlen(s) > 60 ? "..." : "");
    free(s);
}

static int line_text(struct dw_buf *b, char mark, const json_t *l, int digits) {
    char m[32];
    return dw_buf_printf(b, "%c %-24s %8lld x  net %s\n", mark, dw_json_str(l, "sku"),
                         (long long)dw_json_int(l, "quantity", 0),
                         money(json_object_get(l, "net"), digits, m, sizeof m));
}

int dw_quote_diff_text(const json_t *d, struct dw_buf *b) {
    int r = 0;
#define OUT(...) (r |= dw_buf_printf(b, __VA_ARGS__))
    int digits = (int)dw_json_int(d, "digits", 2);
    const json_t *from = json_object_get(d, "from"), *to = json_object_get(d, "to");
    char x[64], y[64], z[64];
    OUT("revision %lld -> %lld (%s)\n", (long long)dw_json_int(from, "revision", 0),
        (long long)dw_json_int(to, "revision", 0), dw_json_str(d, "currency"));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(d, "quote"), i, e) {
        value_text(json_object_get(e, "from"), "", digits, x, sizeof x);
        value_text(json_object_get(e, "to"), "", digits, y, sizeof y);
        OUT("  %s: %s -> %s\n", dw_json_str(e, "field"), x, y);
    }
    json_array_foreach(json_object_get(d, "removed"), i, e) r |= line_text(b, '-', e, digits);
    json_array_foreach(json_object_get(d, "added"), i, e) r |= line_text(b, '+', e, digits);
    json_array_foreach(json_object_get(d, "changed"), i, e) {
        OUT("~ %s\n", dw_json_str(e, "key"));
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(e, "changes"), k, c) {
            const char *f = dw_json_str(c, "field");
            value_text(json_object_get(c, "from"), f, digits, x, sizeof x);
            value_text(json_object_get(c, "to"), f, digits, y, sizeof y);
            OUT("    %s: %s -> %s\n", f, x, y);
        }
    }
    OUT("  %lld lines unchanged\n", (long long)dw_json_int(d, "unchanged", 0));
    const char *const keys[] = {"subtotal", "discount", "total", "cost", "margin"};
    const json_t *tot = json_object_get(d, "totals");
    for (size_t k = 0; k < DW_ARRAY_SIZE(keys); k++) {
        const json_t *t = json_object_get(tot, keys[k]);
        if (!t)
            continue;
        const json_t *delta = json_object_get(t, "delta");
        char sign[2] = "";
        if (json_is_integer(delta) && json_integer_value(delta) > 0)
            sign[0] = '+';
        OUT("%-9s %14s -> %14s  (%s%s)\n", keys[k],
            money(json_object_get(t, "from"), digits, x, sizeof x),
            money(json_object_get(t, "to"), digits, y, sizeof y), sign,
            money(delta, digits, z, sizeof z));
    }
#undef OUT
    return r < 0 ? -DW_ENOMEM : 0;
}

/* Scoring extraction against labelled messages: precision, recall and F1 per field.
 *
 * A labelled message says, per field, what a careful reader finds in it (see
 * docs/internals/extraction.md "Evaluation"). Single-valued fields (budget, deadline,
 * country) count one true positive when the engine found the same value, one false
 * positive when it found another or one where there is none, and one false negative when it
 * missed it or found another. Lists are compared as sets of their values (a quantity is its
 * value and unit), so mentioning "12 sites" twice is one fact. A field the label leaves out
 * is not scored for that message: labels may grow field by field.
 *
 * Besides the fields, three figures a deal desk reads: whole messages (every labelled field
 * right), the main quantity (the count the quote is sized by, the label's first, got
 * exactly), and exclusions (all refused capabilities found, and how many refused ones were
 * reported as wanted: those would be quoted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/extract.h"

const char *const dw_extract_field_names[DW_EF_N] = {
#define X(id, name) name,
    DW_EXTRACT_EVAL_FIELDS(X)
#undef X
};

/* The comparable key of one fact into buf: the budget's "amount currency", a quantity's
 * "value unit", a name, a code, a date, a contact's value. */
static bool fact_key(enum dw_extract_field f, const json_t *v, char *buf, size_t cap) {
    const char *a, *b;
    switch (f) {
    case DW_EF_BUDGET:
        a = dw_json_str(v, "amount");
        b = dw_json_str(v, "currency");
        return a && b && (size_t)snprintf(buf, cap, "%s %s", a, b) < cap;
    case DW_EF_QUANTITY: {
        json_t *n = json_object_get(v, "value");
        b = dw_json_str(v, "unit");
        return json_is_integer(n) && b &&
               (size_t)snprintf(buf, cap, "%lld %s", (long long)json_integer_value(n), b) < cap;
    }
    case DW_EF_DEADLINE:
        a = json_is_string(v) ? json_string_value(v) : dw_json_str(v, "date");
        break;
    case DW_EF_COUNTRY:
        a = json_is_string(v) ? json_string_value(v) : dw_json_str(v, "code");
        break;
    case DW_EF_CONTACT:
        a = json_is_string(v) ? json_string_value(v) : dw_json_str(v, "value");
        if (a && !strchr(a, '@') && !strchr(a, '/') && !strchr(a, 'w')) {
            /* a phone number is its digits: "(503) 555-0134" is "503 5550134" */
            size_t n = 0;
            for (const char *q = a; *q && n + 1 < cap; q++)
                if ((*q >= '0' && *q <= '9') || (*q == '+' && n == 0))
                    buf[n++] = *q;
            buf[n] = '\0';
            return n > 0;
        }
        break;
    default:
        a = json_is_string(v) ? json_string_value(v) : dw_json_str(v, "name");
        break;
    }
    return a && (size_t)snprintf(buf, cap, "%s", a) < cap;
}

static bool is_list(enum dw_extract_field f) {
    return f != DW_EF_BUDGET && f != DW_EF_DEADLINE && f != DW_EF_COUNTRY && f != DW_EF_LANGUAGE;
}

#define KEYS_MAX DW_EXTRACT_MAX_ITEMS
#define KEY_LEN 160

struct keyset {
    char k[KEYS_MAX][KEY_LEN];
    size_t n;
};

static bool keyset_has(const struct keyset *s, const char *k) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->k[i], k) == 0)
            return true;
    return false;
}

/* The distinct keys of a list (or of one object / string); -DW_EINVAL naming the field
 * when an element has no key. */
static int keys_of(enum dw_extract_field f, const json_t *v, struct keyset *s, struct dw_error *err,
                   const char *who) {
    s->n = 0;
    if (json_is_null(v) || !v)
        return 0;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        char buf[KEY_LEN];
        if (!fact_key(f, e, buf, sizeof buf))
            return dw_error_field(err, -DW_EINVAL, dw_extract_field_names[f],
                                  "%s: an entry of %s has no value to compare", who,
                                  dw_extract_field_names[f]);
        if (!keyset_has(s, buf) && s->n < KEYS_MAX)
            memcpy(s->k[s->n++], buf, sizeof buf);
    }
    return 0;
}

/* Whether a list of {name} facts (or names) holds name. */
static bool names_have(const json_t *list, const char *name) {
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e) {
        const char *n = json_is_string(e) ? json_string_value(e) : dw_json_str(e, "name");
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

int dw_extract_main_quantity(const json_t *expected, const json_t *got) {
    const json_t *eq = json_object_get(expected, "quantities");
    const json_t *first = json_array_get(eq, 0);
    const char *unit = dw_json_str(first, "unit");
    if (!unit)
        return -1;
    const json_t *gq = json_object_get(got, "quantities");
    /* Every value of that unit on one side is on the other. */
    for (int side = 0; side < 2; side++) {
        const json_t *a = side ? gq : eq, *b = side ? eq : gq;
        size_t i, k;
        const json_t *x, *y;
        json_array_foreach(a, i, x) {
            const char *u = dw_json_str(x, "unit");
            if (!u || strcmp(u, unit) != 0)
                continue;
            bool found = false;
            json_array_foreach(b, k, y) {
                const char *v = dw_json_str(y, "unit");
                if (v && strcmp(v, unit) == 0 &&
                    json_integer_value(json_object_get(y, "value")) ==
                        json_integer_value(json_object_get(x, "value")))
                    found = true;
            }
            if (!found)
                return 0;
        }
    }
    return 1;
}

int dw_extract_score(const json_t *expected, const json_t *got, struct dw_extract_tally *t,
                     struct dw_error *err) {
    if (!json_is_object(expected) || !json_is_object(got) || !t)
        return dw_error_set(err, -DW_EINVAL, "expected: not an object");
    struct keyset *es = malloc(2 * sizeof *es);
    if (!es)
        return dw_error_set(err, -DW_ENOMEM, "eval: %s", dw_strerror(-DW_ENOMEM));
    struct keyset *gs = es + 1;
    int r = 0;
    bool whole = true;
    for (int f = 0; f < DW_EF_N; f++) {
        const char *name = dw_extract_field_names[f];
        json_t *ev = json_object_get(expected, name);
        if (!ev)
            continue;
        if (is_list((enum dw_extract_field)f) ? !json_is_array(ev) : json_is_array(ev)) {
            r = dw_error_field(err, -DW_EINVAL, name, "expected.%s: must be %s", name,
                               is_list((enum dw_extract_field)f) ? "a list" : "one value or null");
            goto out;
        }
        if ((r = keys_of((enum dw_extract_field)f, ev, es, err, "expected")) < 0 ||
            (r = keys_of((enum dw_extract_field)f, json_object_get(got, name), gs, err, "got")) < 0)
            goto out;
        for (size_t i = 0; i < gs->n; i++) {
            if (keyset_has(es, gs->k[i]))
                t->tp[f]++;
            else {
                t->fp[f]++;
                whole = false;
            }
        }
        for (size_t i = 0; i < es->n; i++)
            if (!keyset_has(gs, es->k[i])) {
                t->fn[f]++;
                whole = false;
            }
        if (f == DW_EF_EXCLUDED && es->n > 0) {
            t->excl_of++;
            bool right = es->n == gs->n;
            for (size_t i = 0; i < es->n; i++) {
                if (!keyset_has(gs, es->k[i]))
                    right = false;
                if (names_have(json_object_get(got, "capabilities"), es->k[i]))
                    t->excl_wanted++;
            }
            t->excl_right += right;
        }
    }
    int mq = dw_extract_main_quantity(expected, got);
    if (mq >= 0) {
        t->main_q_of++;
        t->main_q_right += mq;
    }
    t->whole_right += whole;
    t->messages++;
out:
    free(es);
    return r;
}

void dw_extract_prf(const struct dw_extract_tally *t, enum dw_extract_field f, double *ret_p,
                    double *ret_r, double *ret_f1) {
    double tp = (double)t->tp[f], fp = (double)t->fp[f], fn = (double)t->fn[f];
    double p = tp + fp > 0 ? tp / (tp + fp) : 1.0;
    double r = tp + fn > 0 ? tp / (tp + fn) : 1.0;
    *ret_p = p;
    *ret_r = r;
    *ret_f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* Checks of what a language model proposes: facts and drafts (engines/assist.h,
 * docs/internals/assist.md).
 *
 * Why checks rather than trust: a model reads free text well but states numbers and
 * products it was never given. The checks here are what lets an engine that decides numbers
 * and facts use a model at all: a fact is kept only when the extractor, run over the exact
 * words the model points at, reads the same value; a draft only when each number, product
 * and claim in it traces back to the quote, the requirements or a passage it cites.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "engines/assist.h"
#include "engines/extract.h"
#include "engines/lang.h"
#include "engines/screen.h"

const char *const dw_assist_field_names[DW_AF_N] = {
#define X(id, name, parsed) name,
    DW_ASSIST_FACT_FIELDS(X)
#undef X
};
static const bool field_parsed[DW_AF_N] = {
#define X(id, name, parsed) parsed,
    DW_ASSIST_FACT_FIELDS(X)
#undef X
};

int dw_assist_field(const char *name) {
    for (int i = 0; name && i < DW_AF_N; i++)
        if (strcmp(name, dw_assist_field_names[i]) == 0)
            return i;
    return -1;
}

bool dw_assist_field_scalar(enum dw_assist_field f) {
    switch (f) {
    case DW_AF_QUANTITIES:
    case DW_AF_CAPABILITIES:
    case DW_AF_EXCLUDED:
    case DW_AF_OPTIONAL:
    case DW_AF_STANDARDS:
    case DW_AF_INTEGRATIONS:
        return false;
    default:
        return true;
    }
}

json_t *dw_assist_facts_schema(void) {
    json_t *names = json_array();
    for (int i = 0; names && i < DW_AF_N; i++)
        json_array_append_new(names, json_string(dw_assist_field_names[i]));
    return json_pack(
        "{s:s,s:{s:{s:s,s:i,s:{s:s,s:{s:{s:s,s:o},s:{s:s,s:i},s:{s:[s,s]},s:{s:[s,s]},"
        "s:{s:s,s:i,s:i}},s:[s,s,s,s,s],s:b}}},s:[s],s:b}",
        "type", "object", "properties", "facts", "type", "array", "maxItems", DW_ASSIST_MAX_FACTS,
        "items", "type", "object", "properties", "field", "type", "string", "enum", names, "value",
        "type", "string", "maxLength", DW_ASSIST_MAX_VALUE, "unit", "type", "string", "null",
        "currency", "type", "string", "null", "quote", "type", "string", "minLength", 1,
        "maxLength", DW_ASSIST_MAX_QUOTE, "required", "field", "value", "unit", "currency", "quote",
        "additionalProperties", false, "required", "facts", "additionalProperties", false);
}

/* ---- text folded for comparison, with a map back to the original bytes ----------------- */

struct folded {
    char *s;
    size_t n;
    size_t *from, *to; /* the original bytes [from[i], to[i]) folded byte i came from */
};

static void folded_release(struct folded *f) {
    free(f->s);
    free(f->from);
    free(f->to);
}

/* Length of a white-space character at p (ASCII white space, no-break, narrow no-break and
 * thin spaces), or 0. */
static size_t space_len(const unsigned char *p, size_t n) {
    if (n >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\n' || p[0] == '\r' || p[0] == '\f' ||
                   p[0] == '\v'))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xAF || p[2] == 0x89))
        return 3;
    return 0;
}

/* Runs of white space become one space, ASCII and Latin-1 letters lower case. trim drops
 * white space at both ends (a quote), the text keeps it (one space). */
static int fold(const char *t, size_t len, bool trim, struct folded *f) {
    *f = (struct folded){0};
    f->s = malloc(len + 1);
    f->from = malloc((len + 1) * sizeof *f->from);
    f->to = malloc((len + 1) * sizeof *f->to);
    if (!f->s || !f->from || !f->to) {
        folded_release(f);
        return -DW_ENOMEM;
    }
    const unsigned char *p = (const unsigned char *)t;
    size_t i = 0;
    while (i < len) {
        size_t sl = space_len(p + i, len - i);
        if (sl) {
            size_t s = i;
            while (i < len && (sl = space_len(p + i, len - i)))
                i += sl;
            if (trim && (f->n == 0 || i == len))
                continue;
            f->s[f->n] = ' ';
            f->from[f->n] = s;
            f->to[f->n++] = i;
            continue;
        }
        unsigned char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c == 0xC3 && i + 1 < len) {
            unsigned char nx = p[i + 1];
            if (nx >= 0x80 && nx <= 0x9E && nx != 0x97)
                nx += 0x20;
            f->s[f->n] = (char)c;
            f->from[f->n] = i;
            f->to[f->n++] = i + 2;
            f->s[f->n] = (char)nx;
            f->from[f->n] = i;
            f->to[f->n++] = i + 2;
            i += 2;
            continue;
        }
        f->s[f->n] = (char)c;
        f->from[f->n] = i;
        f->to[f->n++] = i + 1;
        i++;
    }
    f->s[f->n] = '\0';
    return 0;
}

static bool is_alnum_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80;
}

/* First occurrence of needle in hay (both folded) that starts and ends on a word boundary of
 * the folded text: "20 sites" is not in "120 sites". */
static const char *find_word_seq(const char *hay, size_t hn, const char *needle, size_t nn) {
    if (nn == 0 || nn > hn)
        return NULL;
    for (const char *p = hay; p && (size_t)(p - hay) + nn <= hn;
         p = memmem(p + 1, hn - (size_t)(p + 1 - hay), needle, nn)) {
        if (p == NULL)
            break;
        if (memcmp(p, needle, nn) != 0)
            continue;
        size_t s = (size_t)(p - hay), e = s + nn;
        bool left = s == 0 || !is_alnum_byte((unsigned char)hay[s - 1]) ||
                    !is_alnum_byte((unsigned char)needle[0]);
        bool right = e == hn || !is_alnum_byte((unsigned char)hay[e]) ||
                     !is_alnum_byte((unsigned char)needle[nn - 1]);
        /* a UTF-8 continuation byte is inside a letter: never a boundary */
        if (left && right)
            return p;
    }
    return NULL;
}

bool dw_assist_find_quote(const char *text, size_t len, const char *quote, size_t *ret_s,
                          size_t *ret_e) {
    if (!text || !quote)
        return false;
    struct folded ft, fq;
    if (fold(text, len, false, &ft) < 0)
        return false;
    if (fold(quote, strlen(quote), true, &fq) < 0) {
        folded_release(&ft);
        return false;
    }
    bool found = false;
    const char *p = fq.n ? find_word_seq(ft.s, ft.n, fq.s, fq.n) : NULL;
    if (p) {
        size_t k = (size_t)(p - ft.s);
        *ret_s = ft.from[k];
        *ret_e = ft.to[k + fq.n - 1];
        found = true;
    }
    folded_release(&ft);
    folded_release(&fq);
    return found;
}

/* needle (folded) within hay (folded), on word boundaries. */
static bool folded_contains(const char *hay, const char *needle) {
    struct folded fh, fn;
    if (fold(hay, strlen(hay), true, &fh) < 0)
        return false;
    if (fold(needle, strlen(needle), true, &fn) < 0) {
        folded_release(&fh);
        return false;
    }
    bool r = fn.n && find_word_seq(fh.s, fh.n, fn.s, fn.n) != NULL;
    folded_release(&fh);
    folded_release(&fn);
    return r;
}

/* ---- facts ------------------------------------------------------------------------------- */

/* Move every "span" in v (an object or a list of them) by `by` and point "text" at the
 * message's bytes. */
static void shift_spans(json_t *v, size_t by, const char *text) {
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) shift_spans(e, by, text);
        return;
    }
    json_t *span = json_object_get(v, "span");
    if (!json_is_array(span) || json_array_size(span) != 2)
        return;
    json_int_t s = json_integer_value(json_array_get(span, 0)) + (json_int_t)by;
    json_int_t e = json_integer_value(json_array_get(span, 1)) + (json_int_t)by;
    json_object_set_new(v, "span", json_pack("[I,I]", s, e));
    json_object_set_new(v, "text", json_stringn(text + s, (size_t)(e - s)));
}

static bool term_known(const struct dw_term *t, size_t n, const char *name) {
    for (size_t i = 0; name && i < n; i++)
        if (dw_streq_ci(t[i].name, name))
            return true;
    return false;
}

/* The sentence of text around byte at: up to . ! ? or a line break. */
static void sentence_around(const char *text, size_t len, size_t at, size_t *s, size_t *e) {
    size_t a = at < len ? at : len, b = a;
    while (a > 0 && !strchr(".!?\n", text[a - 1]))
        a--;
    while (b < len && !strchr(".!?\n", text[b]))
        b++;
    *s = a;
    *e = b;
}

/* Does [s, e) share a sentence with words the rules found addressed to the system? */
static bool addressed_to_system(const json_t *rules, const char *text, size_t len, size_t s,
                                size_t e) {
    size_t i;
    json_t *ins;
    json_array_foreach(json_object_get(rules, "instructions_detected"), i, ins) {
        const char *cat = dw_json_str(ins, "category");
        if (!dw_screen_is_command(cat) && !(cat && strcmp(cat, "fake_system") == 0))
            continue;
        json_t *sp = json_object_get(ins, "span");
        size_t is = (size_t)json_integer_value(json_array_get(sp, 0));
        size_t ie = (size_t)json_integer_value(json_array_get(sp, 1));
        size_t ss, se;
        sentence_around(text, len, is, &ss, &se);
        if (ie > se)
            se = ie;
        if (s < se && e > ss)
            return true;
    }
    return false;
}

/* Digits after the decimal point of an amount string ("200000.00" -> 2). */
static int amount_digits(const char *amount) {
    const char *dot = amount ? strchr(amount, '.') : NULL;
    return dot ? (int)strlen(dot + 1) : 0;
}

static bool parse_int(const char *s, int64_t *ret) {
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return false;
    *ret = v;
    return true;
}

/* What the extractor read for field f, for the reason of a rejection ("120 sites"). */
static void describe_reading(enum dw_assist_field f, const json_t *rd, struct dw_buf *b) {
    const char *name = dw_assist_field_names[f];
    json_t *v = json_object_get(rd, name);
    if (json_is_array(v) && json_array_size(v) > 0) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (i)
                dw_buf_puts(b, ", ");
            if (f == DW_AF_QUANTITIES)
                dw_buf_printf(b, "%lld %s", (long long)dw_json_int(e, "value", 0),
                              dw_json_str(e, "unit") ? dw_json_str(e, "unit") : "");
            else
                dw_buf_puts(b, dw_json_str(e, "name") ? dw_json_str(e, "name") : "?");
        }
        return;
    }
    if (!json_is_object(v)) {
        dw_buf_printf(b, "no %s", name);
        return;
    }
    switch (f) {
    case DW_AF_BUDGET:
        dw_buf_printf(b, "%s %s", dw_json_str(v, "amount") ? dw_json_str(v, "amount") : "?",
                      dw_json_str(v, "currency") ? dw_json_str(v, "currency") : "");
        break;
    case DW_AF_DEADLINE:
        dw_buf_puts(b, dw_json_str(v, "date") ? dw_json_str(v, "date") : "?");
        break;
    case DW_AF_COUNTRY:
        dw_buf_puts(b, dw_json_str(v, "code") ? dw_json_str(v, "code") : "?");
        break;
    case DW_AF_DISCOUNT:
        dw_buf_printf(b, "%s %%", dw_json_str(v, "pct") ? dw_json_str(v, "pct") : "?");
        break;
    case DW_AF_TERM:
        dw_buf_printf(b, "%lld months", (long long)dw_json_int(v, "value", 0));
        break;
    case DW_AF_RESIDENCY:
        dw_buf_puts(b, dw_json_str(v, "region") ? dw_json_str(v, "region") : "?");
        break;
    default:
        dw_buf_puts(b, "something else");
    }
}

/* The entry of the reading that has the proposed value, or NULL; *invalid set when the value
 * itself is not one the workspace knows (then NULL too). */
static const json_t *match_reading(const struct dw_workspace *ws, enum dw_assist_field f,
                                   const json_t *rd, const char *value, const char *unit,
                                   const char *currency, const char **invalid) {
    const json_t *v = json_object_get(rd, dw_assist_field_names[f]);
    size_t i;
    json_t *e;
    switch (f) {
    case DW_AF_QUANTITIES: {
        int64_t n;
        if (!parse_int(value, &n)) {
            *invalid = "the quantity is not a whole number";
            return NULL;
        }
        if (!unit || !term_known(ws->units, ws->n_units, unit)) {
            *invalid = "the unit is not one of the catalog's units";
            return NULL;
        }
        json_array_foreach(v, i, e) {
            if (dw_json_int(e, "value", -1) == n && dw_streq_ci(dw_json_str(e, "unit"), unit))
                return e;
        }
        return NULL;
    }
    case DW_AF_BUDGET: {
        if (!currency || strlen(currency) != 3) {
            *invalid = "the budget has no ISO 4217 currency";
            return NULL;
        }
        if (!json_is_object(v))
            return NULL;
        int64_t minor;
        const char *rc = dw_json_str(v, "currency");
        if (!rc || !dw_streq_ci(rc, currency))
            return NULL;
        if (dw_money_parse(value, amount_digits(dw_json_str(v, "amount")), &minor) < 0)
            return NULL;
        return minor == dw_json_int(v, "minor", -1) ? v : NULL;
    }
    case DW_AF_DEADLINE: {
        dw_time_t t;
        char iso[40];
        snprintf(iso, sizeof iso, "%sT00:00:00Z", value ? value : "");
        if (!value || strlen(value) != 10 || dw_time_parse(iso, &t) < 0) {
            *invalid = "the deadline is not a date (YYYY-MM-DD)";
            return NULL;
        }
        return json_is_object(v) &&
                       strcmp(dw_json_str(v, "date") ? dw_json_str(v, "date") : "", value) == 0
                   ? v
                   : NULL;
    }
    case DW_AF_COUNTRY: {
        const char *code = value ? dw_country_code(value) : NULL;
        if (!value || strlen(value) != 2 || !code || !dw_streq_ci(code, value) ||
            !isalpha((unsigned char)value[0]) || !isalpha((unsigned char)value[1])) {
            *invalid = "not an ISO 3166-1 alpha-2 country code";
            return NULL;
        }
        return json_is_object(v) && dw_streq_ci(dw_json_str(v, "code"), value) ? v : NULL;
    }
    case DW_AF_CAPABILITIES:
    case DW_AF_EXCLUDED:
    case DW_AF_OPTIONAL:
    case DW_AF_STANDARDS:
    case DW_AF_INTEGRATIONS:
        if (f == DW_AF_STANDARDS ? !term_known(ws->standards, ws->n_standards, value)
                                 : f != DW_AF_INTEGRATIONS &&
                                       !term_known(ws->capabilities, ws->n_capabilities, value)) {
            *invalid = f == DW_AF_STANDARDS ? "not a standard of the catalog"
                                            : "not a capability of the catalog";
            return NULL;
        }
        json_array_foreach(v, i, e) {
            if (dw_streq_ci(dw_json_str(e, "name"), value))
                return e;
        }
        return NULL;
    case DW_AF_DISCOUNT: {
        int32_t a, b;
        if (!value || dw_pct_parse(value, &a) < 0) {
            *invalid = "the discount is not a percentage";
            return NULL;
        }
        return json_is_object(v) && dw_pct_parse(dw_json_str(v, "pct"), &b) == 0 && a == b ? v
                                                                                           : NULL;
    }
    case DW_AF_TERM: {
        int64_t n;
        if (!parse_int(value, &n)) {
            *invalid = "the term is not a whole number of months";
            return NULL;
        }
        return json_is_object(v) && dw_json_int(v, "value", -1) == n ? v : NULL;
    }
    case DW_AF_RESIDENCY:
        return json_is_object(v) && dw_streq_ci(dw_json_str(v, "region"), value) ? v : NULL;
    default:
        return NULL;
    }
}

const char *dw_assist_fact_key(enum dw_assist_field f, const json_t *fact, char *buf, size_t size) {
    const char *v = NULL;
    int32_t bp;
    buf[0] = '\0';
    switch (f) {
    case DW_AF_QUANTITIES:
        snprintf(buf, size, "%lld %s", (long long)dw_json_int(fact, "value", 0),
                 dw_json_str(fact, "unit") ? dw_json_str(fact, "unit") : "");
        return buf;
    case DW_AF_BUDGET:
        snprintf(buf, size, "%lld %s", (long long)dw_json_int(fact, "minor", 0),
                 dw_json_str(fact, "currency") ? dw_json_str(fact, "currency") : "");
        return buf;
    case DW_AF_DEADLINE:
        v = dw_json_str(fact, "date");
        break;
    case DW_AF_COUNTRY:
        v = dw_json_str(fact, "code");
        break;
    case DW_AF_DISCOUNT:
        if (dw_json_str(fact, "pct") && dw_pct_parse(dw_json_str(fact, "pct"), &bp) == 0)
            snprintf(buf, size, "%d", (int)bp);
        return buf;
    case DW_AF_TERM:
        snprintf(buf, size, "%lld", (long long)dw_json_int(fact, "value", 0));
        return buf;
    case DW_AF_RESIDENCY:
        v = dw_json_str(fact, "region");
        break;
    case DW_AF_CAPABILITIES:
    case DW_AF_EXCLUDED:
    case DW_AF_OPTIONAL:
    case DW_AF_STANDARDS:
    case DW_AF_INTEGRATIONS:
        v = dw_json_str(fact, "name");
        break;
    default:
        v = dw_json_str(fact, "value");
    }
    snprintf(buf, size, "%s", v ? v : "");
    return buf;
}

static int reject(json_t *rejected, const json_t *fact, const char *reason) {
    json_t *o = json_pack("{s:O?,s:O?,s:O?,s:s}", "field", json_object_get(fact, "field"), "value",
                          json_object_get(fact, "value"), "quote", json_object_get(fact, "quote"),
                          "reason", reason);
    if (!o)
        return -DW_ENOMEM;
    if (json_object_get(fact, "unit") && !json_is_null(json_object_get(fact, "unit")))
        json_object_set(o, "unit", json_object_get(fact, "unit"));
    if (json_object_get(fact, "currency") && !json_is_null(json_object_get(fact, "currency")))
        json_object_set(o, "currency", json_object_get(fact, "currency"));
    return json_array_append_new(rejected, o) < 0 ? -DW_ENOMEM : 0;
}

/* One proposed fact: accepted into acc or rejected into rej. */
static int check_fact(const struct dw_workspace *ws, const struct dw_extractor *x, const char *text,
                      size_t len, dw_time_t received_at, const json_t *rules, const json_t *fact,
                      json_t *acc, json_t *rej, struct dw_error *err) {
    const char *field = dw_json_str(fact, "field"), *value = dw_json_str(fact, "value");
    const char *quote = dw_json_str(fact, "quote");
    const char *unit = dw_json_str(fact, "unit"), *currency = dw_json_str(fact, "currency");
    int f = dw_assist_field(field);
    if (!json_is_object(fact) || f < 0)
        return reject(rej, fact, "not a field the engine knows");
    if (!value || !*value || strlen(value) > DW_ASSIST_MAX_VALUE ||
        !dw_utf8_valid(value, strlen(value), NULL))
        return reject(rej, fact, "the value is empty, too long or not UTF-8");
    if (!quote || strlen(quote) > DW_ASSIST_MAX_QUOTE || !dw_utf8_valid(quote, strlen(quote), NULL))
        return reject(rej, fact, "the quoted words are missing, too long or not UTF-8");
    size_t s, e;
    if (!dw_assist_find_quote(text, len, quote, &s, &e))
        return reject(rej, fact, "the quoted words are not in the message");
    if (addressed_to_system(rules, text, len, s, e))
        return reject(rej, fact, "the quoted words are in a sentence addressed to the system");

    json_t *reading = NULL;
    if (!field_parsed[f]) {
        /* MEDDICC: words selected from the quote, never written by the model */
        size_t vs, ve;
        if (!dw_assist_find_quote(text + s, e - s, value, &vs, &ve))
            return reject(rej, fact, "the value is not words of the quote");
        reading = json_pack("{s:s%,s:s%,s:[I,I]}", "value", text + s + vs, ve - vs, "text",
                            text + s, e - s, "span", (json_int_t)(s + vs), (json_int_t)(s + ve));
    } else {
        _cleanup_json_ json_t *rd = NULL;
        int r = dw_extractor_run(x, text + s, e - s, received_at, &rd, err);
        if (r < 0)
            return r;
        const char *invalid = NULL;
        const json_t *m =
            match_reading(ws, (enum dw_assist_field)f, rd, value, unit, currency, &invalid);
        if (!m) {
            if (invalid)
                return reject(rej, fact, invalid);
            struct dw_buf b;
            dw_buf_init(&b, 1024);
            dw_buf_puts(&b, "the extractor reads ");
            describe_reading((enum dw_assist_field)f, rd, &b);
            dw_buf_puts(&b, " from these words");
            r = reject(rej, fact, b.data ? b.data : "the extractor reads another value");
            dw_buf_release(&b);
            return r;
        }
        reading = json_deep_copy(m);
        if (reading)
            shift_spans(reading, s, text);
    }
    if (!reading)
        return -DW_ENOMEM;
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:[I,I],s:o}", "field", dw_assist_field_names[f], "value", value,
                  "quote", quote, "span", (json_int_t)s, (json_int_t)e, "reading", reading);
    if (!o || json_array_append_new(acc, o) < 0)
        return -DW_ENOMEM;
    return 0;
}

int dw_assist_check_facts(const struct dw_workspace *ws, const struct dw_extractor *x,
                          const char *text, size_t len, dw_time_t received_at, const json_t *rules,
                          const json_t *answer, json_t **ret_accepted, json_t **ret_rejected,
                          struct dw_error *err) {
    _cleanup_json_ json_t *acc = json_array(), *rej = json_array();
    if (!acc || !rej)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    const json_t *facts = json_object_get(answer, "facts");
    int r = 0;
    if (!json_is_array(facts)) {
        r = reject(rej, NULL, "the answer is not {facts: [...]}");
    } else {
        size_t i;
        json_t *fact;
        json_array_foreach(facts, i, fact) {
            r = i < DW_ASSIST_MAX_FACTS
                    ? check_fact(ws, x, text, len, received_at, rules, fact, acc, rej, err)
                    : reject(rej, fact, "more facts than an answer may hold");
            if (r < 0)
                break;
        }
    }
    if (r < 0)
        return r == -DW_ENOMEM ? dw_error_set(err, r, "out of memory") : r;
    *ret_accepted = json_incref(acc);
    *ret_rejected = json_incref(rej);
    return 0;
}

/* ---- facts into requirements ------------------------------------------------------------ */

/* The prompt's data for one message: the text (data, never an instruction) and what the
 * workspace can name, so the model answers in the catalog's words. */
json_t *dw_assist_extraction_vars(const struct dw_workspace *ws, const char *text, dw_time_t at,
                                  const char *lang) {
    json_t *caps = json_array(), *units = json_array(), *stds = json_array(),
           *fields = json_array();
    char date[16];
    dw_date_format(at, date, sizeof date);
    for (size_t i = 0; caps && i < ws->n_capabilities; i++) {
        json_t *syn = json_array();
        for (size_t k = 0; syn && k < ws->capabilities[i].n_synonyms; k++)
            json_array_append_new(syn, json_string(ws->capabilities[i].synonyms[k]));
        json_array_append_new(
            caps, json_pack("{s:s,s:o*}", "name", ws->capabilities[i].name, "synonyms", syn));
    }
    for (size_t i = 0; units && i < ws->n_units; i++)
        json_array_append_new(units, json_string(ws->units[i].name));
    for (size_t i = 0; stds && i < ws->n_standards; i++)
        json_array_append_new(stds, json_string(ws->standards[i].name));
    for (int i = 0; fields && i < DW_AF_N; i++)
        json_array_append_new(fields, json_string(dw_assist_field_names[i]));
    return json_pack("{s:s,s:s,s:s?,s:o*,s:o*,s:o*,s:o*}", "message", text, "received_at", date,
                     "language", lang, "capabilities", caps, "units", units, "standards", stds,
                     "fields", fields);
}

/* Index of the entry of arr whose `key` equals value, or -1. */
static long find_by(const json_t *arr, const char *key, const char *value) {
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *v = dw_json_str(e, key);
        if (v && strcmp(v, value) == 0)
            return (long)i;
    }
    return -1;
}

/* The list a named fact may also sit in with the opposite meaning (wanted / excluded). */
static const char *opposite_list(enum dw_assist_field f) {
    return f == DW_AF_CAPABILITIES ? "excluded_capabilities"
           : f == DW_AF_EXCLUDED   ? "capabilities"
                                   : NULL;
}

/* Put the accepted model facts into the requirements m: a gap is filled; the same value as
 * the rules' confirms it; a different one is a disagreement that policies.yaml model_facts
 * decides. */
int dw_assist_apply_facts(const struct dw_workspace *ws, json_t *m, const json_t *acc,
                          json_t *mdl) {
    enum dw_disagreement how = ws->policies.on_disagreement;
    json_t *filled = json_object_get(mdl, "filled"), *conf = json_object_get(mdl, "confirmed"),
           *dis = json_object_get(mdl, "disagreements");
    size_t i;
    json_t *a;
    json_array_foreach(acc, i, a) {
        int f = dw_assist_field(dw_json_str(a, "field"));
        const char *name = dw_json_str(a, "field");
        json_t *rd = json_deep_copy(json_object_get(a, "reading"));
        if (f < 0 || !rd)
            return -DW_ENOMEM;
        json_object_set_new(rd, "source", json_string("model"));
        char km[256], kr[256];
        dw_assist_fact_key((enum dw_assist_field)f, rd, km, sizeof km);
        json_t *note = json_pack("{s:s,s:s,s:O,s:O?}", "field", name, "value", km, "quote",
                                 json_object_get(a, "quote"), "lead", json_object_get(a, "lead"));
        if (!note) {
            json_decref(rd);
            return -DW_ENOMEM;
        }
        json_t *cur = NULL, *list = NULL;
        long at = -1;
        if (f >= DW_AF_METRICS) { /* MEDDICC: only the model reads it */
            json_t *md = json_object_get(m, "meddicc");
            if (!md) {
                md = json_object();
                json_object_set_new(m, "meddicc", md);
            }
            cur = json_object_get(md, name);
            if (!cur) {
                json_object_set(md, name, rd);
                json_array_append(filled, note);
            }
        } else if (dw_assist_field_scalar((enum dw_assist_field)f)) {
            cur = json_object_get(m, name);
            const char *src = dw_json_str(cur, "source");
            if (!json_is_object(cur) ||
                (f == DW_AF_COUNTRY && src && strcmp(src, "contact") == 0)) {
                /* a country from the contact's form field is a default, not a reading */
                json_object_set(m, name, rd);
                json_array_append(filled, note);
                cur = NULL;
            }
        } else {
            list = json_object_get(m, name);
            const char *key = f == DW_AF_QUANTITIES ? "unit" : "name";
            const char *kv = dw_json_str(rd, key);
            at = kv ? find_by(list, key, kv) : -1;
            const char *opp = opposite_list((enum dw_assist_field)f);
            long ko = opp && kv ? find_by(json_object_get(m, opp), "name", kv) : -1;
            if (ko >= 0) { /* the rules read it with the opposite meaning */
                list = json_object_get(m, opp);
                at = ko;
            }
            cur = at >= 0 ? json_array_get(list, (size_t)at) : NULL;
            if (!cur && json_array_size(list) < DW_EXTRACT_MAX_ITEMS) {
                json_array_append(list, rd);
                json_array_append(filled, note);
            }
        }
        if (cur) {
            dw_assist_fact_key((enum dw_assist_field)f, cur, kr, sizeof kr);
            bool same = strcmp(km, kr) == 0 && (!list || list == json_object_get(m, name));
            if (same) {
                json_array_append(conf, note);
            } else if (f < DW_AF_METRICS) {
                bool opposite = list && list != json_object_get(m, name);
                char rules[300];
                snprintf(rules, sizeof rules, "%s%s", opposite ? "listed in " : "",
                         opposite ? opposite_list((enum dw_assist_field)f) : kr);
                json_object_set_new(note, "rules", json_string(rules));
                json_object_set_new(note, "decided",
                                    json_string(how == DW_DISAGREE_MODEL ? "model" : "rules"));
                if (how == DW_DISAGREE_ASK) /* the contract step asks a person */
                    json_object_set_new(note, "ask", json_true());
                json_array_append(dis, note);
                if (how == DW_DISAGREE_MODEL) {
                    if (list && at >= 0) {
                        json_array_remove(list, (size_t)at);
                        json_array_append(json_object_get(m, name), rd);
                    } else {
                        json_object_set(m, name, rd);
                    }
                }
            }
        }
        json_decref(note);
        json_decref(rd);
    }
    return 0;
}

/* ---- drafts ------------------------------------------------------------------------------ */

/* A name found in a draft: a catalog item, a capability or a standard. */
enum name_kind { NAME_ITEM, NAME_CAPABILITY, NAME_STANDARD };
struct mention {
    size_t s, e;
    enum name_kind kind;
    const char *key; /* sku, capability or standard name */
};

struct mentions {
    struct mention *v;
    size_t n, cap;
};

static int add_mention(struct mentions *m, size_t s, size_t e, enum name_kind k, const char *key) {
    if (DW_GROW(m->v, m->cap, m->n + 1) < 0)
        return -DW_ENOMEM;
    m->v[m->n++] = (struct mention){s, e, k, key};
    return 0;
}

/* Every whole-word occurrence of name in text: case-insensitive, except names of three
 * bytes or fewer ("HA", "5G"), which must be written as the catalog writes them. */
static int find_all(const char *text, size_t len, const char *name, enum name_kind k,
                    const char *key, struct mentions *m) {
    size_t nl = name ? strlen(name) : 0;
    if (nl == 0 || nl > len)
        return 0;
    bool exact = nl <= 3;
    int first = tolower((unsigned char)name[0]);
    for (size_t i = 0; i + nl <= len; i++) {
        /* cheap tests first: a name starts a word, with its first letter */
        if (tolower((unsigned char)text[i]) != first ||
            (i > 0 && is_alnum_byte((unsigned char)text[i - 1]) &&
             is_alnum_byte((unsigned char)name[0])))
            continue;
        if (exact ? memcmp(text + i, name, nl) != 0 : strncasecmp(text + i, name, nl) != 0)
            continue;
        if (i > 0 && is_alnum_byte((unsigned char)text[i - 1]) &&
            is_alnum_byte((unsigned char)name[0]))
            continue;
        if (i + nl < len && is_alnum_byte((unsigned char)text[i + nl]) &&
            is_alnum_byte((unsigned char)name[nl - 1]))
            continue;
        if (add_mention(m, i, i + nl, k, key) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

static int cmp_mention(const void *a, const void *b) {
    const struct mention *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return x->e > y->e ? -1 : x->e < y->e ? 1 : 0; /* the longer first */
}

/* Items, capabilities and standards the text names; where names overlap the longest wins. */
static int find_names(const struct dw_workspace *ws, const char *text, size_t len,
                      struct mentions *out) {
    struct mentions all = {0};
    int r = 0;
    for (size_t i = 0; r == 0 && i < ws->n_items; i++) {
        r = find_all(text, len, ws->items[i].sku, NAME_ITEM, ws->items[i].sku, &all);
        if (r == 0)
            r = find_all(text, len, ws->items[i].name, NAME_ITEM, ws->items[i].sku, &all);
    }
    for (int pass = 0; pass < 2; pass++) {
        const struct dw_term *t = pass ? ws->standards : ws->capabilities;
        size_t n = pass ? ws->n_standards : ws->n_capabilities;
        enum name_kind k = pass ? NAME_STANDARD : NAME_CAPABILITY;
        for (size_t i = 0; r == 0 && i < n; i++) {
            r = find_all(text, len, t[i].name, k, t[i].name, &all);
            for (size_t j = 0; r == 0 && j < t[i].n_synonyms; j++)
                r = find_all(text, len, t[i].synonyms[j], k, t[i].name, &all);
        }
    }
    if (r == 0 && all.n)
        qsort(all.v, all.n, sizeof *all.v, cmp_mention);
    size_t end = 0;
    for (size_t i = 0; r == 0 && i < all.n; i++) {
        if (out->n && all.v[i].s < end)
            continue;
        r = add_mention(out, all.v[i].s, all.v[i].e, all.v[i].kind, all.v[i].key);
        end = all.v[i].e;
    }
    free(all.v);
    return r;
}

/* Numbers as canonical decimal strings: no grouping, '.' for the decimal point, no leading
 * zeros, no trailing zeros after it ("1.234,50" -> "1234.5"). */
static void canon_number(const char *digits, const char *frac, char *out, size_t size) {
    while (*digits == '0' && digits[1])
        digits++;
    size_t fl = frac ? strlen(frac) : 0;
    while (fl && frac[fl - 1] == '0')
        fl--;
    if (fl)
        snprintf(out, size, "%s.%.*s", *digits ? digits : "0", (int)fl, frac);
    else
        snprintf(out, size, "%s", *digits ? digits : "0");
}

static void allow_str(json_t *set, const char *s) {
    if (!s || !*s)
        return;
    char ip[64] = "", fp[32] = "", c[100];
    const char *dot = strchr(s, '.');
    size_t il = dot ? (size_t)(dot - s) : strlen(s);
    if (*s == '-') {
        s++;
        il--;
    }
    if (il >= sizeof ip)
        return;
    memcpy(ip, s, il);
    ip[il] = '\0';
    for (size_t i = 0; i < il; i++)
        if (!isdigit((unsigned char)ip[i]))
            return;
    if (dot)
        snprintf(fp, sizeof fp, "%s", dot + 1);
    canon_number(ip, dot ? fp : NULL, c, sizeof c);
    json_object_set_new(set, c, json_true());
}

static void allow_int(json_t *set, int64_t v) {
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)(v < 0 ? -v : v));
    allow_str(set, s);
}

static void allow_money(json_t *set, int64_t minor, int digits) {
    char s[40];
    dw_money_format(minor < 0 ? -minor : minor, digits, s, sizeof s);
    allow_str(set, s);
}

/* "2027-03-31" -> 2027, 3, 31 */
static void allow_date(json_t *set, const char *iso) {
    int y;
    unsigned m, d;
    if (iso && sscanf(iso, "%4d-%2u-%2u", &y, &m, &d) == 3) {
        allow_int(set, y);
        allow_int(set, m);
        allow_int(set, d);
    }
}

/* The numbers the quote and the requirements state. */
static json_t *allowed_numbers(const struct dw_draft_facts *f) {
    json_t *set = json_object();
    if (!set)
        return NULL;
    const json_t *q = f->quote;
    if (q) {
        int digits = (int)dw_json_int(q, "digits", 2);
        static const char *const money_keys[] = {"subtotal", "discount", "total"};
        for (size_t i = 0; i < DW_ARRAY_SIZE(money_keys); i++)
            if (json_is_integer(json_object_get(q, money_keys[i])))
                allow_money(set, dw_json_int(q, money_keys[i], 0), digits);
        allow_money(set, dw_json_int(q, "discount_bp", 0), 2); /* the discount in % */
        static const char *const int_keys[] = {"term_months", "revision"};
        for (size_t i = 0; i < DW_ARRAY_SIZE(int_keys); i++)
            if (json_is_integer(json_object_get(q, int_keys[i])))
                allow_int(set, dw_json_int(q, int_keys[i], 0));
        allow_date(set, dw_json_str(q, "valid_until"));
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(q, "lines"), i, l) {
            static const char *const line_money[] = {"unit_price", "amount", "discount", "net"};
            for (size_t k = 0; k < DW_ARRAY_SIZE(line_money); k++)
                if (json_is_integer(json_object_get(l, line_money[k])))
                    allow_money(set, dw_json_int(l, line_money[k], 0), digits);
            if (json_is_integer(json_object_get(l, "quantity")))
                allow_int(set, dw_json_int(l, "quantity", 0));
            if (json_is_integer(json_object_get(l, "term_months")))
                allow_int(set, dw_json_int(l, "term_months", 0));
        }
    }
    const json_t *rq = f->requirements;
    if (rq) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(rq, "quantities"), i, e) {
            allow_int(set, dw_json_int(e, "value", 0));
            if (json_is_object(json_object_get(e, "per")))
                allow_int(set, dw_json_int(json_object_get(e, "per"), "value", 0));
        }
        const json_t *b = json_object_get(rq, "budget");
        allow_str(set, dw_json_str(b, "amount"));
        allow_str(set, dw_json_str(b, "min"));
        allow_date(set, dw_json_str(json_object_get(rq, "deadline"), "date"));
        allow_str(set, dw_json_str(json_object_get(rq, "discount"), "pct"));
        if (json_is_object(json_object_get(rq, "term_months")))
            allow_int(set, dw_json_int(json_object_get(rq, "term_months"), "value", 0));
    }
    size_t i;
    json_t *e;
    json_array_foreach(f->numbers, i, e) {
        if (json_is_integer(e))
            allow_int(set, json_integer_value(e));
        else if (json_is_string(e) && strlen(json_string_value(e)) == 10 &&
                 json_string_value(e)[4] == '-')
            allow_date(set, json_string_value(e));
        else if (json_is_string(e))
            allow_str(set, json_string_value(e));
    }
    return set;
}

static int add_failure(json_t *fails, const char *check, const char *text, size_t tl,
                       const char *detail) {
    json_t *o = json_pack("{s:s,s:s%,s:s}", "check", check, "text", text ? text : "", text ? tl : 0,
                          "detail", detail);
    return !o || json_array_append_new(fails, o) < 0 ? -DW_ENOMEM : 0;
}

/* Separator inside a number at p: ',', '.', '\'', or a no-break/narrow/thin space; its length
 * and whether it can only group thousands. */
static size_t num_sep(const unsigned char *p, size_t n, bool *group_only) {
    if (n >= 1 && (p[0] == ',' || p[0] == '.')) {
        *group_only = false;
        return 1;
    }
    if (n >= 1 && p[0] == '\'') {
        *group_only = true;
        return 1;
    }
    size_t l = space_len(p, n);
    if (l > 1) {
        *group_only = true;
        return l;
    }
    return 0;
}

/* Read the number starting at text[i] (a digit): its canonical value(s) — two when the
 * reading is ambiguous ("1.200" may be 1200 or 1.2) — and its end. */
static size_t read_number(const char *text, size_t len, size_t i, char out[2][100], int *n_out) {
    char digits[64] = "", groups[8][64];
    size_t ng = 0;
    char seps[8];
    size_t k = i;
    const unsigned char *p = (const unsigned char *)text;
    size_t gl = 0;
    groups[0][0] = '\0';
    while (k < len) {
        if (isdigit(p[k])) {
            if (gl + 1 < sizeof groups[0])
                groups[ng][gl++] = (char)p[k];
            groups[ng][gl] = '\0';
            k++;
            continue;
        }
        bool go;
        size_t sl = num_sep(p + k, len - k, &go);
        if (sl && k + sl < len && isdigit(p[k + sl]) && ng + 1 < DW_ARRAY_SIZE(groups)) {
            seps[ng] = go ? ' ' : (char)p[k];
            ng++;
            gl = 0;
            groups[ng][0] = '\0';
            k += sl;
            continue;
        }
        break;
    }
    ng++;
    /* the decimal separator: the last ',' or '.' when both kinds occur, or when the one kind
     * occurs once and is not followed by exactly three digits */
    int dec = -1; /* index of the group after the decimal separator */
    bool ambiguous = false;
    int n_comma = 0, n_dot = 0;
    for (size_t g = 0; g + 1 < ng; g++) {
        n_comma += seps[g] == ',';
        n_dot += seps[g] == '.';
    }
    if (n_comma && n_dot) {
        dec = (int)ng - 1;
        if (seps[ng - 2] == ' ')
            dec = -1;
    } else if (n_comma + n_dot == 1 && seps[ng - 2] != ' ') {
        dec = (int)ng - 1;
        ambiguous = strlen(groups[ng - 1]) == 3;
    }
    size_t dl = 0;
    for (size_t g = 0; g < ng; g++) {
        if ((int)g == dec)
            break;
        size_t gl2 = strlen(groups[g]);
        if (dl + gl2 < sizeof digits) {
            memcpy(digits + dl, groups[g], gl2);
            dl += gl2;
            digits[dl] = '\0';
        }
    }
    canon_number(digits, dec >= 0 ? groups[dec] : NULL, out[0], sizeof out[0]);
    *n_out = 1;
    if (ambiguous) { /* read as thousands too */
        char all[64];
        if (snprintf(all, sizeof all, "%s%s", digits, groups[ng - 1]) >= (int)sizeof all)
            all[0] = '\0'; /* longer than any amount: no second reading */
        canon_number(all, NULL, out[1], sizeof out[1]);
        *n_out = 2;
    }
    return k;
}

/* Multiply a canonical number by 1000^power ("200k"). */
static void scale_number(const char *in, int zeros, char *out, size_t size) {
    char ip[80], fp[40] = "";
    const char *dot = strchr(in, '.');
    snprintf(ip, sizeof ip, "%.*s", dot ? (int)(dot - in) : (int)strlen(in), in);
    if (dot)
        snprintf(fp, sizeof fp, "%s", dot + 1);
    size_t fl = strlen(fp), il = strlen(ip);
    for (int z = 0; z < zeros && il + 1 < sizeof ip; z++) {
        ip[il++] = (size_t)z < fl ? fp[z] : '0';
        ip[il] = '\0';
    }
    canon_number(ip, (size_t)zeros < fl ? fp + zeros : NULL, out, size);
}

/* A citation marker at text[i] ("[3]", "[^3]"): its number and length, or 0. */
static size_t citation_at(const char *text, size_t len, size_t i, int *ret_ref) {
    if (text[i] != '[')
        return 0;
    size_t k = i + 1;
    if (k < len && text[k] == '^')
        k++;
    size_t ds = k;
    while (k < len && isdigit((unsigned char)text[k]) && k - ds < 4)
        k++;
    if (k == ds || k >= len || text[k] != ']')
        return 0;
    *ret_ref = atoi(text + ds);
    return k + 1 - i;
}

/* Does s contain the n bytes at w, ignoring ASCII case? */
static bool strncasestr_n(const char *s, const char *w, size_t n) {
    for (size_t l = strlen(s), i = 0; n && i + n <= l; i++)
        if (strncasecmp(s + i, w, n) == 0)
            return true;
    return false;
}

static bool stop_word(const char *w, size_t n) {
    static const char *const stop[] = {
        "this",    "that",    "with",    "your",  "will",  "from",   "have",  "which", "these",
        "their",   "they",    "them",    "also",  "into",  "more",   "than",  "been",  "were",
        "what",    "when",    "where",   "there", "here",  "each",   "such",  "only",  "other",
        "over",    "under",   "about",   "both",  "very",  "well",   "just",  "would", "could",
        "should",  "shall",   "must",    "does",  "most",  "many",   "some",  "every", "while",
        "within",  "without", "through", "eine",  "einer", "eines",  "einem", "einen", "sind",
        "wird",    "werden",  "nicht",   "auch",  "oder",  "dass",   "sich",  "ihre",  "ihren",
        "unsere",  "unser",   "durch",   "nach",  "dans",  "pour",   "avec",  "vous",  "votre",
        "sont",    "nous",    "notre",   "cette", "para",  "como",   "sobre", "este",  "esta",
        "nuestro", "nuestra", "della",   "delle", "sono",  "questo", "voor",  "deze",  "zijn",
        "onze",    "worden",  "naar",    "the",   "and",
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(stop); i++)
        if (strlen(stop[i]) == n && strncasecmp(stop[i], w, n) == 0)
            return true;
    return false;
}

/* The first five bytes of a word, ASCII lower-cased: the key content words compare on. */
static void word_key(const char *w, size_t n, char key[8]) {
    size_t k = n < 5 ? n : 5;
    for (size_t i = 0; i < k; i++)
        key[i] = (char)tolower((unsigned char)w[i]);
    key[k] = '\0';
}

static bool is_word_byte(unsigned char c) {
    return ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80;
}

/* Content words of passage texts, as keys in a set. */
static void passage_words(const char *t, json_t *set) {
    size_t n = strlen(t);
    for (size_t i = 0; i < n;) {
        if (!is_word_byte((unsigned char)t[i])) {
            i++;
            continue;
        }
        size_t s = i;
        while (i < n && is_word_byte((unsigned char)t[i]))
            i++;
        char key[8];
        word_key(t + s, i - s, key);
        json_object_set_new(set, key, json_true());
    }
}

static const struct dw_document *doc_by_path(const struct dw_workspace *ws, const char *path) {
    for (size_t i = 0; path && i < ws->n_documents; i++)
        if (strcmp(ws->documents[i].path, path) == 0)
            return &ws->documents[i];
    return NULL;
}

static const json_t *passage_by_ref(const json_t *passages, int ref) {
    size_t i;
    json_t *p;
    json_array_foreach(passages, i, p) {
        if (dw_json_int(p, "ref", -1) == ref)
            return p;
    }
    return NULL;
}

/* Does the passage (or its document) speak of what mention m names? */
static bool passage_speaks_of(const struct dw_workspace *ws, const json_t *p,
                              const struct mention *m) {
    const struct dw_document *d = doc_by_path(ws, dw_json_str(p, "path"));
    const char *text = dw_json_str(p, "text");
    if (m->kind == NAME_ITEM) {
        for (size_t i = 0; d && i < d->n_about; i++)
            if (strcmp(d->about[i], m->key) == 0)
                return true;
        const struct dw_item *it = dw_ws_item(ws, m->key);
        return text && (folded_contains(text, m->key) || (it && folded_contains(text, it->name)));
    }
    for (size_t i = 0; d && i < d->n_capabilities; i++)
        if (strcmp(d->capabilities[i], m->key) == 0)
            return true;
    const struct dw_term *t = m->kind == NAME_STANDARD ? ws->standards : ws->capabilities;
    size_t n = m->kind == NAME_STANDARD ? ws->n_standards : ws->n_capabilities;
    for (size_t i = 0; text && i < n; i++) {
        if (strcmp(t[i].name, m->key) != 0)
            continue;
        if (folded_contains(text, t[i].name))
            return true;
        for (size_t j = 0; j < t[i].n_synonyms; j++)
            if (folded_contains(text, t[i].synonyms[j]))
                return true;
    }
    return false;
}

/* A date written d.m.yyyy or d/m/yyyy at text[i]: its three parts and its end, or 0. */
static size_t date_at(const char *t, size_t n, size_t i, int parts[3]) {
    size_t k = i, len[3] = {0};
    for (int p = 0; p < 3; p++) {
        size_t ds = k;
        while (k < n && isdigit((unsigned char)t[k]) && k - ds < 5)
            k++;
        len[p] = k - ds;
        if (len[p] == 0)
            return 0;
        parts[p] = atoi(t + ds);
        if (p < 2) {
            if (k >= n || (t[k] != '.' && t[k] != '/'))
                return 0;
            k++;
        }
    }
    if (len[0] > 2 || len[1] > 2 || len[2] != 4 || (k < n && isdigit((unsigned char)t[k])))
        return 0;
    return k;
}

/* Does [s, e) state a number of the quote: a line's quantity or an amount? */
static bool states_quote_number(const struct dw_draft_facts *f, const char *d, size_t s, size_t e,
                                const bool *masked) {
    if (!f->quote)
        return false;
    _cleanup_json_ json_t *qn = json_object();
    if (!qn)
        return false;
    struct dw_draft_facts only_quote = {.ws = f->ws, .quote = f->quote};
    _cleanup_json_ json_t *set = allowed_numbers(&only_quote);
    for (size_t i = s; set && i < e; i++) {
        if (masked[i] || !isdigit((unsigned char)d[i]) ||
            (i > s && is_alnum_byte((unsigned char)d[i - 1])))
            continue;
        char vals[2][100];
        int nv;
        size_t end = read_number(d, e, i, vals, &nv);
        for (int v = 0; v < nv; v++)
            if (json_object_get(set, vals[v]))
                return true;
        i = end;
    }
    return false;
}

/* A capability or standard the customer named themselves (the requirements list it): a
 * sentence that repeats what they asked for ("how many sites need SD-WAN?") claims nothing
 * about a product. A catalog item is always a product. */
static bool customers_words(const struct dw_draft_facts *f, const struct mention *m) {
    static const char *const lists[] = {"capabilities", "excluded_capabilities",
                                        "optional_capabilities", "standards"};
    if (m->kind == NAME_ITEM || !f->requirements)
        return false;
    for (size_t l = 0; l < DW_ARRAY_SIZE(lists); l++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(f->requirements, lists[l]), i, e) {
            if (dw_streq_ci(dw_json_str(e, "name"), m->key))
                return true;
        }
    }
    return false;
}

/* Does some sentence of the passage text state the number (canonical) and name the item? */
static bool passage_binds(const struct dw_workspace *ws, const char *text, const char *num,
                          const char *sku) {
    const struct dw_item *it = dw_ws_item(ws, sku);
    size_t n = strlen(text);
    for (size_t s = 0, i = 0; i <= n; i++) {
        bool end = i == n || ((text[i] == '.' || text[i] == '!' || text[i] == '?') &&
                              (i + 1 == n || isspace((unsigned char)text[i + 1])));
        if (!end)
            continue;
        _cleanup_free_ char *sent = strndup(text + s, i - s);
        _cleanup_json_ json_t *nums = json_array();
        s = i + 1;
        if (!sent || !nums || dw_assist_text_numbers(sent, nums) < 0)
            return false;
        bool has = false;
        size_t k;
        json_t *v;
        json_array_foreach(nums, k, v) has |= strcmp(json_string_value(v), num) == 0;
        if (has && (folded_contains(sent, sku) || (it && folded_contains(sent, it->name))))
            return true;
    }
    return false;
}

/* An answer about the catalog: a number said of a product must be said of that product in
 * a cited passage — the same sentence of the passage names both — not merely appear there
 * ("the Edge Gateway 100 forwards 900 Mbit/s" when the passage gives 900 for the Edge 50).
 * 1 after recording a failure, 0 when all are bound. */
static int check_bound_numbers(const struct dw_draft_facts *f, const char *d, size_t s, size_t e,
                               const struct mentions *names, const bool *masked, json_t *fails) {
    for (size_t i = s; i < e; i++) {
        if (masked[i] || !isdigit((unsigned char)d[i]) ||
            (i > s && is_alnum_byte((unsigned char)d[i - 1])))
            continue;
        char vals[2][100];
        int nv;
        size_t end = read_number(d, e, i, vals, &nv);
        bool bound = false, any_item = false;
        for (size_t k = 0; k < names->n && !bound; k++) {
            const struct mention *m = &names->v[k];
            if (m->kind != NAME_ITEM || m->s < s || m->s >= e)
                continue;
            any_item = true;
            for (size_t c = s; c < e && !bound; c++) {
                int ref;
                size_t cl = citation_at(d, e, c, &ref);
                if (!cl)
                    continue;
                const char *pt = dw_json_str(passage_by_ref(f->passages, ref), "text");
                for (int v = 0; pt && v < nv && !bound; v++)
                    bound = passage_binds(f->ws, pt, vals[v], m->key);
            }
        }
        if (any_item && !bound) {
            char why[200];
            snprintf(why, sizeof why,
                     "%.*s is not stated for the product it is said of in the cited passages",
                     (int)(end - i), d + i);
            return add_failure(fails, "number", d + i, end - i, why) < 0 ? -DW_ENOMEM : 1;
        }
        i = end;
    }
    return 0;
}

/* One sentence [s, e) of the draft: its citations and, when it names a product or a
 * capability, whether they support it. */
static int check_sentence(const struct dw_draft_facts *f, const char *d, size_t s, size_t e,
                          const struct mentions *names, const bool *masked, json_t *sentences,
                          json_t *fails) {
    json_t *refs = json_array();
    if (!refs)
        return -DW_ENOMEM;
    for (size_t i = s; i < e; i++) {
        int ref;
        size_t cl = citation_at(d, e, i, &ref);
        if (cl) {
            json_array_append_new(refs, json_integer(ref));
            i += cl - 1;
        }
    }
    /* trim the sentence for the report */
    size_t ts = s, te = e;
    while (ts < te && isspace((unsigned char)d[ts]))
        ts++;
    while (te > ts && isspace((unsigned char)d[te - 1]))
        te--;
    if (ts == te) {
        json_decref(refs);
        return 0;
    }
    json_t *o = json_pack("{s:s%,s:o}", "text", d + ts, te - ts, "refs", refs);
    if (!o || json_array_append_new(sentences, o) < 0)
        return -DW_ENOMEM;

    size_t n_named = 0;
    for (size_t k = 0; k < names->n; k++)
        n_named += names->v[k].s >= s && names->v[k].s < e && !customers_words(f, &names->v[k]);
    size_t ri;
    json_t *rv;
    json_array_foreach(refs, ri, rv) {
        if (!passage_by_ref(f->passages, (int)json_integer_value(rv))) {
            char why[96];
            snprintf(why, sizeof why, "cites [%lld], which is no passage given to the draft",
                     (long long)json_integer_value(rv));
            return add_failure(fails, "citation", d + ts, te - ts, why);
        }
    }
    if (n_named == 0)
        return 0;
    /* a sentence that states a number of the quote about the products it names ("we propose
     * 120 Edge Gateway 100 for EUR 107,882.00") speaks of the offer, which the number and
     * product checks cover; any other sentence naming one makes a claim and needs a source */
    if (json_array_size(refs) == 0 && states_quote_number(f, d, s, e, masked))
        return 0;
    if (json_array_size(refs) == 0)
        return add_failure(fails, "citation", d + ts, te - ts,
                           "names a product or capability without citing a passage");
    if (f->catalog) {
        int r = check_bound_numbers(f, d, s, e, names, masked, fails);
        if (r != 0)
            return r < 0 ? r : 0;
    }
    /* each named thing must be spoken of by a cited passage */
    for (size_t k = 0; k < names->n; k++) {
        const struct mention *m = &names->v[k];
        if (m->s < s || m->s >= e || customers_words(f, m))
            continue;
        bool ok = false;
        json_array_foreach(refs, ri, rv) {
            ok |= passage_speaks_of(f->ws, passage_by_ref(f->passages, (int)json_integer_value(rv)),
                                    m);
        }
        if (!ok) {
            char why[200];
            snprintf(why, sizeof why, "no cited passage speaks of %s", m->key);
            return add_failure(fails, "citation", d + ts, te - ts, why);
        }
    }
    /* and carry most of its other content words */
    _cleanup_json_ json_t *pw = json_object();
    if (!pw)
        return -DW_ENOMEM;
    json_array_foreach(refs, ri, rv) {
        const json_t *p = passage_by_ref(f->passages, (int)json_integer_value(rv));
        passage_words(dw_json_str(p, "text") ? dw_json_str(p, "text") : "", pw);
    }
    size_t total = 0, covered = 0;
    for (size_t i = s; i < e;) {
        if (masked[i] || !is_word_byte((unsigned char)d[i])) {
            i++;
            continue;
        }
        size_t ws_ = i;
        while (i < e && !masked[i] && is_word_byte((unsigned char)d[i]))
            i++;
        if (i - ws_ < 4 || stop_word(d + ws_, i - ws_))
            continue;
        if (f->contact_name && strncasestr_n(f->contact_name, d + ws_, i - ws_))
            continue; /* the customer's name is no claim */
        char key[8];
        word_key(d + ws_, i - ws_, key);
        total++;
        covered += json_object_get(pw, key) != NULL;
    }
    if (covered * 3 < total * 2) {
        char why[160];
        snprintf(why, sizeof why,
                 "the cited passages carry %zu of its %zu content words; two thirds are needed",
                 covered, total);
        return add_failure(fails, "citation", d + ts, te - ts, why);
    }
    return 0;
}

/* E-mail addresses, phone numbers and IBANs anywhere in the draft. */
static int check_personal_patterns(const char *d, size_t n, json_t *fails) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '@' && i > 0 && is_alnum_byte((unsigned char)d[i - 1])) {
            size_t k = i + 1;
            bool dot = false;
            while (k < n && (is_alnum_byte((unsigned char)d[k]) || d[k] == '.' || d[k] == '-')) {
                dot |= d[k] == '.' && k + 1 < n && is_alnum_byte((unsigned char)d[k + 1]);
                k++;
            }
            if (dot) {
                size_t s = i;
                while (s > 0 &&
                       (is_alnum_byte((unsigned char)d[s - 1]) || strchr("._%+-", d[s - 1])))
                    s--;
                return add_failure(fails, "personal", d + s, k - s, "an e-mail address");
            }
        }
        if ((c == '+' && i + 1 < n && isdigit((unsigned char)d[i + 1])) ||
            (isdigit(c) && (i == 0 || !is_alnum_byte((unsigned char)d[i - 1])))) {
            size_t k = i + (c == '+'), digits = 0;
            while (k < n && (isdigit((unsigned char)d[k]) || strchr(" -/()", d[k]))) {
                digits += isdigit((unsigned char)d[k]) != 0;
                k++;
            }
            /* seven digits in one run of digits, spaces, dashes and brackets, starting with '+'
             * or '0': a phone number; grouped amounts ("1,234,567") use , and . */
            if (digits >= 7 && (c == '+' || c == '0'))
                return add_failure(fails, "personal", d + i, k - i, "a phone number");
        }
        if (isupper(c) && i + 4 < n && isupper((unsigned char)d[i + 1]) &&
            isdigit((unsigned char)d[i + 2]) && isdigit((unsigned char)d[i + 3]) &&
            (i == 0 || !is_alnum_byte((unsigned char)d[i - 1]))) {
            size_t k = i + 4, an = 0;
            while (k < n && (isupper((unsigned char)d[k]) || isdigit((unsigned char)d[k]) ||
                             (d[k] == ' ' && k + 1 < n && isalnum((unsigned char)d[k + 1])))) {
                an += d[k] != ' ';
                k++;
            }
            if (an >= 11)
                return add_failure(fails, "personal", d + i, k - i, "an IBAN");
        }
    }
    return 0;
}

int dw_assist_text_numbers(const char *text, json_t *into) {
    size_t n = text ? strlen(text) : 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)text[i]) || (i > 0 && isdigit((unsigned char)text[i - 1])))
            continue;
        char vals[2][100];
        int nv;
        size_t end = read_number(text, n, i, vals, &nv);
        for (int v = 0; v < nv; v++)
            if (json_array_append_new(into, json_string(vals[v])) < 0)
                return -DW_ENOMEM;
        i = end > i ? end - 1 : i;
    }
    return 0;
}

int dw_assist_check_draft(const struct dw_draft_facts *f, const char *draft, json_t **ret_report,
                          struct dw_error *err) {
    _cleanup_json_ json_t *fails = json_array(), *sentences = json_array(), *allowed = NULL;
    _cleanup_free_ bool *masked = NULL;
    if (!fails || !sentences)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    size_t n = draft ? strlen(draft) : 0;
    int r = 0;
    if (!draft || n == 0 || n > DW_ASSIST_MAX_DRAFT || !dw_utf8_valid(draft, n, NULL)) {
        r = add_failure(fails, "size", NULL, 0, "the draft is empty, too long or not UTF-8");
        goto done;
    }
    allowed = allowed_numbers(f);
    masked = calloc(n + 1, sizeof *masked);
    struct mentions names = {0};
    if (!allowed || !masked || find_names(f->ws, draft, n, &names) < 0) {
        free(names.v);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < names.n; k++)
        for (size_t i = names.v[k].s; i < names.v[k].e; i++)
            masked[i] = true;
    /* citation markers and list numbers are not statements */
    for (size_t i = 0; i < n; i++) {
        int ref;
        size_t cl = citation_at(draft, n, i, &ref);
        for (size_t k = 0; k < cl; k++)
            masked[i + k] = true;
        if (cl)
            i += cl - 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && draft[i - 1] != '\n')
            continue;
        size_t k = i;
        while (k < n && (draft[k] == ' ' || draft[k] == '\t'))
            k++;
        size_t ds = k;
        while (k < n && isdigit((unsigned char)draft[k]))
            k++;
        if (k > ds && k + 1 < n && (draft[k] == '.' || draft[k] == ')') && draft[k + 1] == ' ')
            for (size_t j = ds; j <= k; j++)
                masked[j] = true;
    }
    /* products: every item named is a line of the quote */
    for (size_t k = 0; r == 0 && !f->catalog && k < names.n; k++) {
        if (names.v[k].kind != NAME_ITEM)
            continue;
        bool in_quote = false;
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(f->quote, "lines"), i, l) {
            in_quote |= dw_json_str(l, "sku") && strcmp(dw_json_str(l, "sku"), names.v[k].key) == 0;
        }
        if (!in_quote) {
            char why[200];
            snprintf(why, sizeof why, "names %s, which is not in the quote", names.v[k].key);
            r = add_failure(fails, "product", draft + names.v[k].s, names.v[k].e - names.v[k].s,
                            why);
        }
    }
    /* numbers */
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (masked[i] || !isdigit((unsigned char)draft[i]))
            continue;
        if (i > 0 && (is_alnum_byte((unsigned char)draft[i - 1]) ||
                      ((draft[i - 1] == '-' || draft[i - 1] == '/') && i > 1 &&
                       is_word_byte((unsigned char)draft[i - 2])))) {
            while (i < n && is_alnum_byte((unsigned char)draft[i]))
                i++;
            continue; /* part of a word: "NW-X1", "x86" */
        }
        int dp[3];
        size_t dend = date_at(draft, n, i, dp);
        if (dend) { /* 31.03.2027: each part a number of the facts */
            for (int p = 0; p < 3 && r == 0; p++) {
                char c[16];
                snprintf(c, sizeof c, "%d", dp[p]);
                if (!json_object_get(allowed, c))
                    r = add_failure(fails, "number", draft + i, dend - i,
                                    "the date is not one of the quote or the requirements");
            }
            i = dend;
            continue;
        }
        char vals[2][100];
        int nv;
        size_t end = read_number(draft, n, i, vals, &nv);
        int zeros = 0;
        size_t wend = end;
        if (end < n && (draft[end] == 'k' || draft[end] == 'K') &&
            (end + 1 >= n || !is_word_byte((unsigned char)draft[end + 1]))) {
            zeros = 3;
            wend = end + 1;
        } else if (end < n && draft[end] == 'M' &&
                   (end + 1 >= n || !is_word_byte((unsigned char)draft[end + 1]))) {
            zeros = 6;
            wend = end + 1;
        } else if (end < n && is_word_byte((unsigned char)draft[end])) {
            /* a number glued to letters is part of a word ("5G", "24x7", "3rd") */
            while (end < n && is_alnum_byte((unsigned char)draft[end]))
                end++;
            i = end;
            continue;
        }
        bool ok = false;
        for (int v = 0; v < nv; v++) {
            char scaled[100];
            if (zeros)
                scale_number(vals[v], zeros, scaled, sizeof scaled);
            ok |= json_object_get(allowed, zeros ? scaled : vals[v]) != NULL;
        }
        if (!ok) {
            char why[200];
            snprintf(why, sizeof why, "%.*s is not a number of the quote or the requirements",
                     (int)(wend - i), draft + i);
            r = add_failure(fails, "number", draft + i, wend - i, why);
        }
        i = wend;
    }
    /* sentences and their citations */
    size_t s = 0;
    for (size_t i = 0; r == 0 && i <= n; i++) {
        bool end_here = i == n || draft[i] == '\n';
        size_t e = i;
        if (!end_here && strchr(".!?", draft[i]) &&
            (i + 1 == n || isspace((unsigned char)draft[i + 1]) || draft[i + 1] == '[')) {
            bool decimal = draft[i] == '.' && i > 0 && isdigit((unsigned char)draft[i - 1]) &&
                           i + 1 < n && isdigit((unsigned char)draft[i + 1]);
            if (!decimal) {
                end_here = true;
                e = i + 1;
                /* markers right after the full stop belong to the sentence */
                size_t k = e;
                int ref;
                for (;;) {
                    size_t k2 = k;
                    while (k2 < n && draft[k2] == ' ')
                        k2++;
                    size_t cl = k2 < n ? citation_at(draft, n, k2, &ref) : 0;
                    if (!cl)
                        break;
                    k = k2 + cl;
                }
                e = k;
                i = k > 0 ? k - 1 : k;
            }
        }
        if (!end_here)
            continue;
        r = check_sentence(f, draft, s, e, &names, masked, sentences, fails);
        s = e;
    }
    free(names.v);
    /* personal data */
    if (r == 0)
        r = check_personal_patterns(draft, n, fails);
    size_t i;
    json_t *pv;
    json_array_foreach(f->personal, i, pv) {
        const char *v = json_string_value(pv);
        if (r < 0 || !v || strlen(v) < 3)
            continue;
        if (f->contact_name &&
            (dw_streq_ci(v, f->contact_name) || folded_contains(f->contact_name, v)))
            continue;
        size_t ps, pe;
        if (dw_assist_find_quote(draft, n, v, &ps, &pe))
            r = add_failure(fails, "personal", draft + ps, pe - ps,
                            "personal data of the deal other than the contact's name");
    }
    /* the customer's language, and a question where one must be asked */
    if (r == 0 && f->language) {
        const char *got = dw_lang_detect(draft, n, NULL);
        if (!got || strcmp(got, f->language) != 0) {
            char why[120];
            snprintf(why, sizeof why, "written in %s, not in %s",
                     got ? got : "a language that cannot be told", f->language);
            r = add_failure(fails, "language", NULL, 0, why);
        }
    }
    if (r == 0 && f->catalog) { /* an answer stands on its passages: it cites at least one */
        bool cites = false;
        size_t k;
        json_t *sv;
        json_array_foreach(sentences, k, sv) cites |=
            json_array_size(json_object_get(sv, "refs")) > 0;
        if (!cites)
            r = add_failure(fails, "citation", NULL, 0, "the answer cites no passage");
    }
    if (r == 0 && f->must_ask && !strchr(draft, '?'))
        r = add_failure(fails, "question", NULL, 0, "asks the customer nothing");
done:
    if (r < 0)
        return dw_error_set(err, r, "out of memory");
    *ret_report = json_pack("{s:b,s:O,s:O}", "ok", json_array_size(fails) == 0, "failures", fails,
                            "sentences", sentences);
    return *ret_report ? 0 : dw_error_set(err, -DW_ENOMEM, "out of memory");
}

/* Small token patterns the extractors share (numbers with their separators,
 * multipliers, counts, word patterns) and the helpers that build the JSON facts. */
#include "engines/extract/extract-internal.h"

/* ---- small token patterns ------------------------------------------------------------- */

int64_t dw__ex_digits_val(const struct ctx *c, size_t i) {
    int64_t v = 0;
    for (uint32_t k = c->t[i].s; k < c->t[i].e; k++)
        v = v * 10 + (c->lo[k] - '0');
    return v;
}

/* A digit separator: ',' and '.' group thousands or mark decimals; the Swiss apostrophe
 * ("320'000", "320’000") only groups. */
bool dw__ex_sep_at(const struct ctx *c, size_t i, char *ret) {
    char ch = sym1(c, i);
    if (is(c, i, "’"))
        ch = '\'';
    if (ch != ',' && ch != '.' && ch != '\'')
        return false;
    *ret = ch;
    return true;
}

/* Three digits after one space, no-break space or narrow no-break space: a thousands group
 * in "1 200". */
static bool space_group(const struct ctx *c, size_t j) {
    if (j == 0 || !kind(c, j, TK_NUM) || tlen(c, j) != 3 || !kind(c, j - 1, TK_NUM))
        return false;
    const char *sp = c->text + c->t[j - 1].e;
    size_t gl = c->t[j].s - c->t[j - 1].e;
    return (gl == 1 && sp[0] == ' ') || (gl == 2 && memcmp(sp, "\xC2\xA0", 2) == 0) ||
           (gl == 3 && memcmp(sp, "\xE2\x80\xAF", 3) == 0);
}

/* A number in digits at i: "12", "1,200", "1.200", "1,200.50", "12,5", "1.2". */
static bool parse_digits(const struct ctx *c, size_t i, struct num *n) {
    char ch;
    if (!kind(c, i, TK_NUM))
        return false;
    if (i > 0 && glued(c, i)) {
        if (wordish(c, i - 1))
            return false; /* "Q3", "v2", "SOC2" */
        if (dw__ex_sep_at(c, i - 1, &ch) && i >= 2 && kind(c, i - 2, TK_NUM) && glued(c, i - 1))
            return false; /* the middle of a number */
    }
    size_t nd = tlen(c, i);
    if (nd > 15)
        return false;
    int64_t v = dw__ex_digits_val(c, i);
    size_t j = i + 1;
    char grp = 0;
    int groups = 0;
    if (nd <= 3) {
        while (dw__ex_sep_at(c, j, &ch) && (!grp || ch == grp) && glued(c, j) &&
               kind(c, j + 1, TK_NUM) && glued(c, j + 1) && tlen(c, j + 1) == 3 && nd + 3 <= 15) {
            grp = ch;
            v = v * 1000 + dw__ex_digits_val(c, j + 1);
            nd += 3;
            groups++;
            j += 2;
        }
    }
    /* French and Swiss typography group with a space: "1 200 employés", "20 000 €" */
    if (nd <= 3 && !groups && (i == 0 || !kind(c, i - 1, TK_NUM))) {
        size_t k = j;
        int64_t w = v;
        size_t wd = nd;
        int sg = 0;
        while (space_group(c, k) && wd + 3 <= 15) {
            w = w * 1000 + dw__ex_digits_val(c, k);
            wd += 3;
            sg++;
            k++;
        }
        if (sg && !(kind(c, k, TK_NUM) && c->t[k].gap)) {
            v = w;
            nd = wd;
            groups = sg;
            j = k;
        }
    }
    int scale = 0;
    /* at most 18 digits in all, so the mantissa fits an int64 */
    if (dw__ex_sep_at(c, j, &ch) && ch != grp && ch != '\'' && glued(c, j) &&
        kind(c, j + 1, TK_NUM) && glued(c, j + 1) && tlen(c, j + 1) <= 6 &&
        nd + tlen(c, j + 1) <= 18) {
        size_t fd = tlen(c, j + 1);
        for (size_t k = 0; k < fd; k++)
            v *= 10;
        v += dw__ex_digits_val(c, j + 1);
        scale = (int)fd;
        j += 2;
    }
    if (dw__ex_sep_at(c, j, &ch) && glued(c, j) && kind(c, j + 1, TK_NUM) && glued(c, j + 1))
        return false; /* "1.2.3", an address or a version */
    *n = (struct num){.t0 = i, .t1 = j, .mant = v, .scale = scale, .groups = groups};
    return true;
}

/* Does the number word at j add to the value so far ("twenty five", "treinta y cinco",
 * "doscientos cincuenta", "soixante-dix", "vingt et un")? */
static bool adds_to(int64_t cur, int64_t v) {
    if (v < 10 && cur >= 20 && cur % 10 == 0)
        return true; /* tens, then a unit */
    if (v >= 10 && v < 20 && (cur % 100 == 60 || cur % 100 == 80))
        return true; /* French: soixante-dix, quatre-vingt-douze */
    return v < 100 && cur >= 100 && cur % 100 == 0;
}

/* A number in words, in any of the six languages: "twelve", "two hundred and fifty",
 * "a dozen", "une douzaine", "zwölf", "treinta y cinco", "vingt-cinq", "zweihundert". */
static bool parse_words(const struct ctx *c, size_t i, struct num *n) {
    int64_t total = 0, cur = 0;
    size_t j = i;
    int last = 0; /* 1 a number word, 3 scale */
    bool any = false;
    if (role(c, i, R_ARTICLE)) {
        if (!role(c, i + 1, R_SCALE | R_DOZEN))
            return false;
        cur = 1;
        j++;
    }
    while (j < c->nt && total + cur < 1000000000000LL) {
        if (role(c, j, R_NUMW)) {
            int64_t v = c->t[j].nval;
            if (last == 1 && v == 20 && cur % 100 == 4 && is(c, j - 1, "-")) {
                cur += 76; /* French "quatre-vingt(s)": four twenties */
                j++;
            } else {
                if (last == 1 && !adds_to(cur, v))
                    break;
                cur += v;
                j++;
            }
            last = 1;
            any = true;
            /* "twenty-five", "vingt-cinq"; "treinta y cinco", "vingt et un" */
            size_t k = j;
            if (is(c, k, "-") && glued(c, k) && glued(c, k + 1))
                k++;
            else if (is(c, k, "y") || is(c, k, "et"))
                k++;
            if (k > j && role(c, k, R_NUMW) &&
                (adds_to(cur, c->t[k].nval) || (c->t[k].nval == 20 && cur % 100 == 4))) {
                j = k;
            } else if (k > j && !is(c, j, "-") && cur >= 20 && cur % 10 == 0 &&
                       (is(c, k, "un") || is(c, k, "une") || is(c, k, "uno") || is(c, k, "una"))) {
                cur += 1; /* "trente et une", "treinta y una": the article is one here */
                j = k + 1;
            }
            continue;
        }
        /* a hundred or a thousand by itself: "cent cinquante mille", "mil euros" */
        if (role(c, j, R_SCALE) && (any || cur ||
                                    (j == i && kval(c, j) <= 1000 && !is(c, j, "hundred") &&
                                     !is(c, j, "thousand") && kind(c, j + 1, TK_WORD)))) {
            int64_t s = kval(c, j);
            if (s == 100) {
                cur = (cur ? cur : 1) * 100;
            } else {
                total += (cur ? cur : 1) * s;
                cur = 0;
            }
            any = true;
            last = 3;
            j++;
            if (is(c, j, "and") && role(c, j + 1, R_NUMW))
                j++;
            continue;
        }
        if (role(c, j, R_DOZEN) && (any || cur)) {
            cur = (cur ? cur : 1) * kval(c, j);
            any = true;
            last = 3;
            j++;
            continue;
        }
        break;
    }
    if (!any)
        return false;
    *n = (struct num){.t0 = i, .t1 = j, .mant = total + cur, .words = true};
    return true;
}

bool dw__ex_parse_number(const struct ctx *c, size_t i, struct num *n) {
    return parse_digits(c, i, n) || parse_words(c, i, n);
}

/* A multiplier after a number: "200k", "1.2M", "1.2 million", "5 Mio.". */
int64_t dw__ex_parse_mult(const struct ctx *c, size_t j, size_t *ret_end) {
    if (is(c, j, "t") && is(c, j + 1, "€") && glued(c, j + 1) && c->text[c->t[j].s] == 'T') {
        *ret_end = j + 1; /* "130 T€": thousand euros; the € is read as the currency */
        return 1000;
    }
    if (!role(c, j, R_MULT))
        return 0;
    /* "k", "M", "bn" touch the number, or a currency sign after them: "60 k€", "300 kEUR" */
    if (tlen(c, j) <= 2 && !glued(c, j) &&
        !(glued(c, j + 1) && (dw__ex_currency_sign(c, j + 1) || role(c, j + 1, R_CUR))))
        return 0;
    size_t e = j + 1;
    if ((is(c, j, "mio") || is(c, j, "tsd") || is(c, j, "mrd")) && is(c, e, ".") && glued(c, e))
        e++;
    *ret_end = e;
    return kval(c, j);
}

/* A whole count: "12", "1,200", "1.200", "two hundred", "10k". */
bool dw__ex_parse_count(const struct ctx *c, size_t i, int64_t *ret, size_t *ret_end) {
    struct num n;
    if (!dw__ex_parse_number(c, i, &n))
        return false;
    size_t e = n.t1;
    int64_t m = dw__ex_parse_mult(c, e, &e);
    if (m) {
        if (n.groups == 1 && n.scale == 0)
            n.scale = 3; /* "1.5k" yes, but "1.500k" is 1.5 thousand too */
    } else {
        m = 1;
    }
    __int128 v = (__int128)n.mant * m, div = 1;
    for (int s = 0; s < n.scale; s++)
        div *= 10;
    if (v % div != 0)
        return false;
    v /= div;
    if (v <= 0 || v > 1000000000000LL)
        return false;
    *ret = (int64_t)v;
    *ret_end = e;
    return true;
}

/* Match a token pattern at i: elements separated by spaces, each a literal word or
 * symbol, "{a|b}" for one of several, or "#" for a number; a trailing "?" makes an element
 * optional, "*" lets it repeat up to three times. Returns the end token or 0. */
static bool pat_elem(const struct ctx *c, size_t j, const char *el, size_t n, size_t *ret_end) {
    if (j >= c->nt || c->t[j].kind == TK_BREAK)
        return false;
    if (n == 1 && el[0] == '#') {
        struct num x;
        if (!parse_digits(c, j, &x))
            return false;
        *ret_end = x.t1;
        return true;
    }
    if (el[0] == '{') {
        const char *p = el + 1, *end = el + n - 1;
        while (p < end) {
            const char *q = p;
            while (q < end && *q != '|')
                q++;
            if (is_n(c, j, p, (size_t)(q - p))) {
                *ret_end = j + 1;
                return true;
            }
            p = q + 1;
        }
        return false;
    }
    if (!is_n(c, j, el, n))
        return false;
    *ret_end = j + 1;
    return true;
}

size_t dw__ex_pat_match(const struct ctx *c, size_t i, const char *pat) {
    size_t j = i;
    const char *p = pat;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            return j > i ? j : 0;
        size_t n = 0;
        if (*p == '{')
            while (p[n++] != '}')
                ;
        else
            while (p[n] && p[n] != ' ' && p[n] != '?' && p[n] != '*')
                n++;
        char mod = (p[n] == '?' || p[n] == '*') ? p[n] : 0;
        int reps = 0, max = mod == '*' ? 3 : 1;
        size_t e;
        while (reps < max && pat_elem(c, j, p, n, &e)) {
            j = e;
            reps++;
        }
        if (reps == 0 && !mod)
            return 0;
        p += n + (mod ? 1 : 0);
    }
}

/* Reads pat's elements as dw__ex_pat_match() does into out (at most cap entries); false when
 * they do not fit or a word is longer than 255 bytes (the pattern is then matched as text). */
bool dw__ex_pat_compile(const char *pat, struct dw__ex_pel *out, size_t cap, size_t *ret_n) {
    size_t m = 0;
    const char *p = pat;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = 0;
        if (*p == '{') {
            while (p[n] && p[n] != '}')
                n++;
            if (!p[n])
                return false; /* (dw__ex_pat_match() would read past its end) */
            n++;
        } else {
            while (p[n] && p[n] != ' ' && p[n] != '?' && p[n] != '*')
                n++;
        }
        char mod = (p[n] == '?' || p[n] == '*') ? p[n] : 0;
        if (m >= cap)
            return false;
        struct dw__ex_pel *el = &out[m++];
        *el = (struct dw__ex_pel){.w = p, .mod = (uint8_t)mod};
        if (n == 1 && p[0] == '#') {
            el->kind = DW_EX_PEL_NUM;
        } else if (p[0] == '{') { /* its alternatives as pat_elem() splits them */
            el->kind = DW_EX_PEL_ALT;
            const char *q = p + 1, *end = p + n - 1;
            while (q < end) {
                const char *bar = q;
                while (bar < end && *bar != '|')
                    bar++;
                if (m >= cap || bar - q > 255 || el->nalt == 255)
                    return false;
                out[m++] = (struct dw__ex_pel){.w = q, .n = (uint8_t)(bar - q)};
                el->nalt++;
                q = bar + 1;
            }
        } else {
            if (n > 255)
                return false;
            el->kind = DW_EX_PEL_WORD;
            el->n = (uint8_t)n;
        }
        p += n + (mod ? 1 : 0);
    }
    *ret_n = m;
    return true;
}

/* One element at token j, as pat_elem() reads it. */
static inline bool pel_at(const struct ctx *c, size_t j, const struct dw__ex_pel *el,
                          size_t *ret_end) {
    if (j >= c->nt || c->t[j].kind == TK_BREAK)
        return false;
    switch (el->kind) {
    case DW_EX_PEL_NUM: {
        struct num x;
        if (!parse_digits(c, j, &x))
            return false;
        *ret_end = x.t1;
        return true;
    }
    case DW_EX_PEL_ALT:
        for (size_t a = 1; a <= el->nalt; a++)
            if (is_n(c, j, el[a].w, el[a].n)) {
                *ret_end = j + 1;
                return true;
            }
        return false;
    default:
        if (!is_n(c, j, el->w, el->n))
            return false;
        *ret_end = j + 1;
        return true;
    }
}

size_t dw__ex_pel_match(const struct ctx *c, size_t i, const struct dw__ex_pel *el, size_t nel) {
    size_t j = i, e;
    for (const struct dw__ex_pel *x = el, *end = el + nel; x < end; x += 1 + x->nalt) {
        if (!x->mod) { /* most elements: one, which must match */
            if (!pel_at(c, j, x, &e))
                return 0;
            j = e;
            continue;
        }
        for (int reps = 0, max = x->mod == '*' ? 3 : 1; reps < max && pel_at(c, j, x, &e); reps++)
            j = e;
    }
    return j > i ? j : 0;
}

static pthread_mutex_t cpat_mu = PTHREAD_MUTEX_INITIALIZER;

size_t dw__ex_cpat_match(const struct ctx *c, size_t i, struct dw__ex_cpat *p) {
    int ready = __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE);
    if (!ready) {
        pthread_mutex_lock(&cpat_mu);
        if (!(ready = __atomic_load_n(&p->ready, __ATOMIC_RELAXED))) {
            size_t n = 0;
            bool ok = dw__ex_pat_compile(p->text, p->el, DW_ARRAY_SIZE(p->el), &n) && n > 0;
            p->n = (uint8_t)n;
            ready = ok ? 1 : 2;
            __atomic_store_n(&p->ready, ready, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&cpat_mu);
    }
    if (dw__ex_plain || ready != 1)
        return dw__ex_pat_match(c, i, p->text);
    return dw__ex_pel_match(c, i, p->el, p->n);
}

/* A pattern that ends exactly at token `end`, starting up to 5 tokens before it; returns
 * its start or SIZE_MAX. */
size_t dw__ex_pat_before(const struct ctx *c, size_t end, const char *pat) {
    /* a last element of one token (a word, a symbol or "{a|b}", without a modifier) must
     * match the token before end: when it does not, no start can */
    size_t n = strlen(pat), e;
    const char *last = memrchr(pat, ' ', n);
    last = last ? last + 1 : pat;
    size_t ln = (size_t)(pat + n - last);
    bool one =
        ln > 0 && !memchr(last, '?', ln) && !memchr(last, '*', ln) && !(ln == 1 && *last == '#') &&
        (last[0] == '{' ? !memchr(last + 1, '{', ln - 1) && memchr(last, '}', ln) == last + ln - 1
                        : !memchr(last, '{', ln) && !memchr(last, '}', ln));
    if (end > 0 && one && !dw__ex_plain && !pat_elem(c, end - 1, last, ln, &e))
        return SIZE_MAX;
    for (size_t k = end < 5 ? end : 5; k >= 1; k--)
        if (dw__ex_pat_match(c, end - k, pat) == end)
            return end - k;
    return SIZE_MAX;
}

/* Is token i one of the words (lower case)? */
bool dw__ex_word_in(const struct ctx *c, size_t i, const char *const *words, size_t n) {
    if (!kind(c, i, TK_WORD))
        return false;
    /* A word whose first byte differs cannot be the token (is_n() equates only apostrophes,
     * ' and U+2019, whose first bytes are ' and 0xE2), so only those are measured. */
    unsigned char first = (unsigned char)c->lo[c->t[i].s];
    bool apos = first == '\'' || first == 0xE2;
    for (size_t k = 0; k < n; k++)
        if ((apos || (unsigned char)words[k][0] == first || words[k][0] == '\'' ||
             (unsigned char)words[k][0] == 0xE2) &&
            is_n(c, i, words[k], strlen(words[k])))
            return true;
    return false;
}

/* The lists' filters are made once, by the first message that asks (the plain reading
 * compares every word, as dw__ex_word_in() does). */
static pthread_mutex_t word_list_mu = PTHREAD_MUTEX_INITIALIZER;

static void word_list_build(struct dw__ex_word_list *l) {
    pthread_mutex_lock(&word_list_mu);
    if (!__atomic_load_n(&l->ready, __ATOMIC_RELAXED)) {
        for (size_t k = 0; k < l->n; k++) {
            size_t n = strlen(l->words[k]);
            unsigned char first = (unsigned char)l->words[k][0];
            if (n > 0) /* (an empty word equals no token without an apostrophe) */
                l->len_bits[first] |= dw__ex_len_bit(n);
            if (k < 64)
                l->by_first[first] |= 1ull << k;
        }
        __atomic_store_n(&l->ready, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&word_list_mu);
}

bool dw__ex_word_list_has(const struct ctx *c, size_t i, struct dw__ex_word_list *l) {
    if (!kind(c, i, TK_WORD))
        return false;
    if (dw__ex_plain || (c->t[i].flags & TF_APOS) || l->n > 64)
        return dw__ex_word_in(c, i, l->words, l->n);
    if (!__atomic_load_n(&l->ready, __ATOMIC_ACQUIRE))
        word_list_build(l);
    /* without an apostrophe the token equals a word only byte for byte (is_n()) */
    const char *s = c->lo + c->t[i].s;
    size_t n = tlen(c, i);
    for (uint64_t m = l->by_first[(unsigned char)s[0]]; m; m &= m - 1) {
        const char *w = l->words[__builtin_ctzll(m)];
        if (strlen(w) == n && memcmp(w, s, n) == 0)
            return true;
    }
    return false;
}

/* ---- JSON helpers --------------------------------------------------------------------- */

/* The message's bytes [s, e) as a JSON string. The message was checked to be UTF-8 before it
 * was read (dw_extractor_run()), so a piece of it that starts and ends on a character
 * boundary is UTF-8 too, and jansson need not check it again byte by byte; a piece cut
 * inside a character goes the checking way (and fails there, as before). */
json_t *dw__ex_text_json(const struct ctx *c, size_t s, size_t e) {
    const unsigned char *t = (const unsigned char *)c->text;
    bool whole = s <= e && e <= c->len && (s == c->len || (t[s] & 0xC0) != 0x80) &&
                 (e == c->len || (t[e] & 0xC0) != 0x80);
    return whole ? json_stringn_nocheck(c->text + s, e - s) : json_stringn(c->text + s, e - s);
}

/* A name of the vocabulary (a capability, standard, integration or unit) as a JSON string:
 * dw_extractor_new() checked every name once, so jansson need not check it again on every
 * fact; a vocabulary with a name that is not UTF-8 goes the checking way. */
json_t *dw__ex_name_json(const struct ctx *c, const char *name) {
    return c->names_utf8 ? json_string_nocheck(name) : json_string(name);
}

/* Adds "text" and "span" for tokens [t0, t1). */
void dw__ex_put_span(struct ctx *c, json_t *o, size_t t0, size_t t1) {
    dw__ex_put_bytes(c, o, c->t[t0].s, c->t[t1 - 1].e);
}

/* Adds "text" and "span" for bytes [s, e). */
void dw__ex_put_bytes(struct ctx *c, json_t *o, size_t s, size_t e) {
    dw__ex_put(c, o, "text", dw__ex_text_json(c, s, e));
    json_t *span = json_array(); /* [s, e], as json_pack("[I,I]") would, without the parse */
    if (span && (json_array_append_new(span, json_integer((json_int_t)s)) != 0 ||
                 json_array_append_new(span, json_integer((json_int_t)e)) != 0)) {
        json_decref(span);
        span = NULL;
    }
    dw__ex_put(c, o, "span", span);
}

json_t *dw__ex_new_item(struct ctx *c) {
    json_t *o = json_object();
    if (!o)
        c->oom = true;
    return o;
}

/* How sure the engine is of a fact, in percent (docs/internals/extraction.md lists the
 * grades); an integer, as everything the engine writes that is compared later. */
void dw__ex_put_conf(struct ctx *c, json_t *o, int pct) {
    if (o)
        dw__ex_put(c, o, "confidence", json_integer(pct));
}

/* A fact of one value: {key: value, text, span} for tokens [t0, t1); value is stolen. */
json_t *dw__ex_fact(struct ctx *c, const char *key, json_t *value, size_t t0, size_t t1) {
    json_t *o = dw__ex_new_item(c);
    if (!o) {
        json_decref(value);
        return NULL;
    }
    dw__ex_put(c, o, key, value);
    dw__ex_put_span(c, o, t0, t1);
    dw__ex_put_conf(c, o, 85);
    return o;
}

void dw__ex_append(struct ctx *c, json_t *arr, json_t *o) {
    if (!o || json_array_append_new(arr, o) != 0)
        c->oom = true;
}

/* An item's string `key`, or NULL. The readers put their keys in a fixed order (a count's
 * "unit" second, after "value"; a capability's "name" first), so the key is read at its place
 * `nth` by walking the object's keys in order, without hashing it; an item whose key there is
 * another is looked up as before (an object's keys are unique: the same answer either way). */
const char *dw__ex_str_at(const json_t *item, const char *key, size_t nth) {
    void *it = json_object_iter((json_t *)item);
    for (size_t k = 0; it && k < nth; k++)
        it = json_object_iter_next((json_t *)item, it);
    if (!it || strcmp(json_object_iter_key(it), key) != 0)
        return dw_json_str(item, key);
    const json_t *v = json_object_iter_value(it);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An item's "name", or NULL. The items that have one get it first (capabilities, standards,
 * integrations, regions). */
const char *dw__ex_name_of(const json_t *item) {
    return dw__ex_str_at(item, "name", 0);
}

bool dw__ex_has_name(json_t *arr, const char *name) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *n = dw__ex_name_of(v);
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

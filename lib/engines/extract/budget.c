/* The budget: amounts with their currency, range and qualifier, and which amount is
 * the budget. */
#include "engines/extract/extract-internal.h"

/* ---- budget --------------------------------------------------------------------------- */

static const struct {
    const char *code;
    int digits;
} currencies[] = {{"EUR", 2}, {"USD", 2}, {"GBP", 2}, {"CHF", 2}, {"JPY", 0}, {"CAD", 2},
                  {"AUD", 2}, {"SEK", 2}, {"NOK", 2}, {"DKK", 2}, {"PLN", 2}, {"CZK", 2},
                  {"INR", 2}, {"CNY", 2}, {"MXN", 2}, {"COP", 2}, {"CLP", 0}, {"ARS", 2},
                  {"BRL", 2}, {"XOF", 0}, {"MAD", 2}, {"TND", 3}, {"PEN", 2}, {"SGD", 2},
                  {"HKD", 2}, {"NZD", 2}, {"ZAR", 2}, {"HUF", 2}, {"RON", 2}, {"AED", 2},
                  {"UYU", 2}}; /* DW_LANG_CURRENCIES order */

static int currency_digits(const char *code) {
    for (size_t k = 0; k < DW_ARRAY_SIZE(currencies); k++)
        if (dw_streq_ci(currencies[k].code, code))
            return currencies[k].digits;
    return 2;
}

struct amount {
    size_t t0, t1;
    int64_t mant, mult;
    int scale;
    int cur; /* index in currencies[], -1 if none was written */
    bool has_mult, plain_year;
};

/* A currency sign, code or word at j: its index and end, or -1. */
static int currency_at(const struct ctx *c, size_t j, size_t *ret_end) {
    int cur = -1;
    size_t e = j + 1, pe;
    /* "$ CA", "dollars canadiens", "pesos colombianos", "francs CFA" (lang/LANG.yaml) */
    int64_t pv = ((kind(c, j, TK_WORD) && role(c, j, R_PATSTART) &&
                   (dw__ex_kwdefs[c->t[j].kw - 1].psect >> LS_currency_phrases & 1)) ||
                  (kind(c, j, TK_SYM) && dw__ex_currency_sign(c, j)))
                     ? dw__ex_lang_match_val(c, LS_currency_phrases, j, &pe)
                     : 0;
    if (pv > 0 && (size_t)pv <= DW_ARRAY_SIZE(currencies)) {
        *ret_end = pe;
        return (int)pv - 1;
    }
    if (is(c, j, "€"))
        cur = 0;
    else if (is(c, j, "$"))
        cur = 1;
    else if (is(c, j, "£"))
        cur = 2;
    else if (is(c, j, "¥"))
        cur = 4;
    else if (is(c, j, "us") && is(c, j + 1, "$") && glued(c, j + 1))
        cur = 1, e = j + 2;
    else if (role(c, j, R_CUR))
        cur = kcur(c, j);
    if (cur >= 0)
        *ret_end = e;
    return cur;
}

/* "€200k", "EUR 200,000", "$1.2M", "80,000 euros", "50k", "two hundred thousand euros". */
/* "half a million", "a half million", "eine halbe Million": half the scale word after it. */
/* May a pattern of one of the sections (bits LS_*) start at token i? */
static bool starts_section(const struct ctx *c, size_t i, uint64_t sects) {
    return kind(c, i, TK_WORD) && role(c, i, R_PATSTART) &&
           (dw__ex_kwdefs[c->t[i].kw - 1].psect & sects);
}

static bool half_at(const struct ctx *c, size_t j, struct amount *a) {
    size_t k = j, e;
    const uint64_t halves = 1ull << LS_halves | 1ull << LS_one_and_a_half;
    if (!starts_section(c, j, halves) && !starts_section(c, j + 1, halves))
        return false; /* no half here: one bit test for most amounts */
    if (!dw__ex_lang_match(c, LS_one_and_a_half, k) &&
        (role(c, k, R_ARTICLE) || is(c, k, "eine") || is(c, k, "einer")))
        k++;
    /* "half a million", "eine halbe Million", "anderhalve ton", "eineinhalb Millionen",
     * "un million et demi" (halves and one_and_a_half of lang/LANG.yaml) */
    int tenths = 5;
    if ((e = dw__ex_lang_match(c, LS_one_and_a_half, k)))
        tenths = 15;
    else if (!(e = dw__ex_lang_match(c, LS_halves, k)))
        return false;
    size_t sc = SIZE_MAX, end = e; /* the scale: in the phrase, or after it */
    for (size_t m = k; m < e && sc == SIZE_MAX; m++)
        if ((role(c, m, R_SCALE) || role(c, m, R_MULT)) && kval(c, m) >= 1000)
            sc = m;
    if (sc == SIZE_MAX) {
        sc = role(c, e, R_ARTICLE) ? e + 1 : e;
        end = sc + 1;
    }
    if (!(role(c, sc, R_SCALE) || role(c, sc, R_MULT)) || kval(c, sc) < 1000)
        return false;
    a->mant = tenths;
    a->scale = 1;
    a->mult = kval(c, sc);
    a->has_mult = true;
    a->t1 = end;
    return true;
}

static bool parse_amount(const struct ctx *c, size_t i, struct amount *a) {
    *a = (struct amount){.t0 = i, .cur = -1, .mult = 1};
    size_t j = i, e;
    int cur = currency_at(c, j, &e);
    if (cur >= 0) {
        a->cur = cur;
        j = e;
    }
    struct num n;
    if (half_at(c, j, a)) {
        j = a->t1;
        if (a->cur < 0 && (cur = currency_at(c, j, &e)) >= 0) {
            a->cur = cur;
            j = e;
        }
        a->t1 = j;
        return !claimed(c, a->t0, j);
    }
    if (!dw__ex_parse_number(c, j, &n) || claimed(c, j, n.t1))
        return false;
    a->plain_year = !n.words && n.groups == 0 && n.scale == 0 && tlen(c, j) == 4 &&
                    n.mant >= 1900 && n.mant <= 2100;
    j = n.t1;
    int64_t m = dw__ex_parse_mult(c, j, &e);
    if (m) {
        a->mult = m;
        a->has_mult = true;
        a->plain_year = false;
        if (a->cur < 0 && role(c, j, R_CUR))
            a->cur = kcur(c, j); /* "1,5 MEUR": magnitude and currency in one */
        j = e;
        if (n.groups == 1 && n.scale == 0)
            n.scale = 3;
    }
    /* "un million et demi", "2 millones y medio", "tre milioni e mezzo" (and_a_half of
     * lang/LANG.yaml): half the multiplier, or half the largest thousand of a number in
     * words, more */
    if ((m || n.words) && n.scale == 0 && (e = dw__ex_lang_match(c, LS_and_a_half, j))) {
        int64_t unit = m ? 1 : 1000;
        if (!m)
            while (unit <= n.mant / 1000)
                unit *= 1000;
        if (m || n.mant >= 1000) {
            n.mant = n.mant * 10 + 5 * unit;
            n.scale = 1;
            j = e;
        }
    }
    if (a->cur < 0 && (cur = currency_at(c, j, &e)) >= 0) {
        a->cur = cur;
        j = e;
    } else if (a->cur < 0 && (m || (n.words && n.mant >= 1000)) &&
               (is(c, j, "de") || is(c, j, "d") || is(c, j, "di") || is(c, j, "of")) &&
               (cur = currency_at(c, j + 1, &e)) >= 0) {
        a->cur = cur; /* "400 millones de pesos colombianos", "250 millions de FCFA" */
        j = e;
    } else if (a->cur < 0 && !m && is(c, j, "teur")) { /* "90 TEUR" */
        a->cur = 0;
        a->mult = 1000;
        a->has_mult = true;
        j++;
    }
    a->mant = n.mant;
    a->scale = n.scale;
    a->t1 = j;
    return true;
}

/* Minor units of a currency with `digits` decimals, rounded half to even; false on
 * overflow. */
static bool amount_minor(int64_t mant, int scale, int64_t mult, int digits, int64_t *ret) {
    __int128 v = (__int128)mant * mult, div = 1;
    for (int d = 0; d < digits; d++)
        v *= 10;
    for (int s = 0; s < scale; s++)
        div *= 10;
    __int128 q = v / div, r = v % div;
    if (2 * r > div || (2 * r == div && (q & 1)))
        q++;
    if (q > INT64_MAX || q <= 0)
        return false;
    *ret = (int64_t)q;
    return true;
}

/* The qualifier just before token t0 (and its start), or NULL: the qualifiers_* patterns of
 * lang/LANG.yaml ("up to", "bis zu", "jusqu'à", "hasta", "fino a", "tot"). */
static const char *qualifier_before(const struct ctx *c, size_t t0, size_t *ret_start) {
    static const struct {
        int section;
        const char *q;
    } kinds[] = {
        {LS_qualifiers_max, "max"}, {LS_qualifiers_about, "about"}, {LS_qualifiers_min, "min"}};
    for (size_t k = 0; k < DW_ARRAY_SIZE(kinds); k++) {
        size_t s = dw__ex_lang_before(c, kinds[k].section, t0);
        if (s != SIZE_MAX) {
            *ret_start = s;
            return kinds[k].q;
        }
    }
    return NULL;
}

/* The qualifiers after an amount, read once (struct dw__ex_cpat). */
static struct dw__ex_cpat q_max = DW_EX_PAT("{max|maximum|tops|höchstens|maximal}"),
                          q_at_most = DW_EX_PAT("{at|or} {most|less}"),
                          q_at_the_most = DW_EX_PAT("at the most"), q_or_so = DW_EX_PAT("or so"),
                          q_ish = DW_EX_PAT("-? ish"), q_or_more = DW_EX_PAT("or more"),
                          q_minimum = DW_EX_PAT("{minimum|mindestens}");

static const char *qualifier_after(const struct ctx *c, size_t t1, size_t *ret_end) {
    size_t e;
    if (t1 >= c->nt || c->t[t1].kind == TK_BREAK)
        return NULL; /* no pattern's element matches a break (pat_elem()) */
    if ((e = dw__ex_cpat_match(c, t1, &q_max))) {
        if (sym1(c, e) == '.' && glued(c, e) && !sent_end(c, e))
            e++; /* "max." as an abbreviation, not the full stop */
        *ret_end = e;
        return "max";
    }
    if ((e = dw__ex_cpat_match(c, t1, &q_at_most)) ||
        (e = dw__ex_cpat_match(c, t1, &q_at_the_most))) {
        *ret_end = e;
        return "max";
    }
    if ((e = dw__ex_cpat_match(c, t1, &q_or_so)) || (e = dw__ex_cpat_match(c, t1, &q_ish)) ||
        ((e = dw__ex_lang_match(c, LS_qualifiers_about, t1)) && e >= t1 + 3)) {
        /* the language files' phrases of three words: "90k più o meno", "more or less" */
        *ret_end = e;
        return "about";
    }
    if ((e = dw__ex_cpat_match(c, t1, &q_or_more)) || (e = dw__ex_cpat_match(c, t1, &q_minimum))) {
        *ret_end = e;
        return "min";
    }
    return NULL;
}

/* An answer to a question about the budget ("Agent: Budget und Zeitraum?" / "Besucher:
 * 150k, bis Ende KW 40", "Budget e tempi? — 90k più o meno"): the amount opens its sentence,
 * perhaps after a speaker's name and a colon, and the sentence before is a question with a
 * budget word. 2, or 0. */
/* Is the line before the one holding byte `at` a question with a budget word? A chat
 * transcript's seller lines ("Agent: Budget und Zeitraum?") are left out of the tokens read
 * (structure.c), so the question is read from the text. */
static bool budget_question_line(const struct ctx *c, size_t at) {
    const unsigned char *lo = (const unsigned char *)c->lo;
    size_t e = at;
    while (e > 0 && lo[e - 1] != '\n')
        e--;
    if (e == 0 || at - e > 40)
        return false; /* the amount opens its line, after a speaker's name at most */
    for (size_t k = e; k < at; k++)
        if (lo[k] == '.' || lo[k] == '?' || lo[k] == '!' || lo[k] == ';')
            return false;
    size_t q = e - 1;
    while (q > 0 && (lo[q - 1] == ' ' || lo[q - 1] == '\t' || lo[q - 1] == '\r'))
        q--;
    if (q == 0 || lo[q - 1] != '?')
        return false;
    size_t b = q - 1;
    while (b > 0 && lo[b - 1] != '\n' && q - b < 200)
        b--;
    for (size_t i = b; i < q;) {
        size_t j = i;
        while (j < q && ((lo[j] >= 'a' && lo[j] <= 'z') || lo[j] >= 0x80))
            j++;
        if (j == i) {
            i++;
            continue;
        }
        int kw = dw__ex_kw_find((const char *)lo + i, j - i);
        if (kw && (dw__ex_kwdefs[kw - 1].roles & R_BUDGET) && dw__ex_kwdefs[kw - 1].val == 2)
            return true;
        i = j;
    }
    return false;
}

static int budget_question(const struct ctx *c, size_t t0) {
    size_t k = t0, q, n = 0;
    while (n < 4 && k - n > 0 && kind(c, k - n - 1, TK_WORD))
        n++;
    if (n == 4 || k - n == 0 ||
        !(sym1(c, k - n - 1) == ':' || sym1(c, k - n - 1) == '?' || kind(c, k - n - 1, TK_BREAK)))
        return 0; /* not at the start of a line or an answer */
    if (n && qualifier_before(c, k, &q))
        k = q; /* "zo'n 2 ton" */
    if (k >= 2 && sym1(c, k - 1) == ':' && kind(c, k - 2, TK_WORD))
        k -= 2; /* "Besucher:", "Visitante:" */
    if (budget_question_line(c, c->t[t0].s))
        return 2;
    while (k > 0 && kind(c, k - 1, TK_BREAK))
        k--;
    if (k == 0 || sym1(c, k - 1) != '?')
        return 0;
    for (size_t p = k - 1; p-- > 0 && k - p <= 12 && !sent_end(c, p);)
        if (role(c, p, R_BUDGET) && kval(c, p) == 2)
            return 2;
    return 0;
}

/* How strongly a budget word points at this amount: 2 "budget" words, 1 "pay", "spend",
 * "price", 0 none. Before it in the same sentence, or right after it ("50k budget"). */
static int budget_word(const struct ctx *c, const struct amount *a) {
    int best = 0;
    for (size_t k = a->t0; k-- > 0 && a->t0 - k <= 8;) {
        if (sent_end(c, k))
            break;
        if (role(c, k, R_BUDGET)) {
            best = kval(c, k) == 2 ? 2 : 1; /* budget_words: 2 a budget, 1 a spending word */
            break;
        }
    }
    for (size_t k = a->t1; !best && k < a->t1 + 2 && k < c->nt && !sent_end(c, k); k++)
        if (role(c, k, R_BUDGET))
            best = 2;
    if (best)
        return best;
    /* an answer is money by its multiplier or currency, or by standing alone ("150k,",
     * "zo'n 2 ton"; not "1500 users") */
    if (!(a->has_mult || a->cur >= 0 || a->t1 >= c->nt || clause_end(c, a->t1)))
        return 0;
    return budget_question(c, a->t0);
}

/* "€5 per user", "$10/seat", "€1,290 per gateway", "€3 each": a unit price, not a budget.
 * "per month" and "per year" are budgets over time and stay. */
static bool per_unit(const struct ctx *c, size_t t1) {
    if (is(c, t1, "each") || is(c, t1, "apiece"))
        return true;
    if (!(role(c, t1, R_PER) || is(c, t1, "/")))
        return false;
    size_t j = role(c, t1 + 1, R_ARTICLE) ? t1 + 2 : t1 + 1;
    return kind(c, j, TK_WORD) && !role(c, j, R_TUNIT) && !is(c, j, "annum") && !is(c, j, "anno");
}

static bool range_link(const struct ctx *c, size_t j, bool between) {
    return dw__ex_lang_word(c, LS_range_links, j) ||
           (between && dw__ex_lang_word(c, LS_range_and, j));
}

struct budget {
    struct amount a, lo; /* lo: the lower end of a range */
    bool range;
    const char *qual;
    size_t t0, t1;
    int score;
};

static bool below_1000(const struct amount *a) {
    int64_t v = a->mant;
    for (int k = 0; k < a->scale; k++)
        v /= 10;
    return v < 1000;
}

/* The amount at i with its range, qualifier and span; false if it is not money-like. */
static bool budget_at(struct ctx *c, size_t i, struct budget *b) {
    *b = (struct budget){.qual = "exact"};
    if (!parse_amount(c, i, &b->a) || claimed(c, i, b->a.t1))
        return false;
    size_t j = b->a.t1, q;
    if (is(c, j, "%") || role(c, j, R_PCT))
        return false;
    b->t0 = b->a.t0;
    b->t1 = b->a.t1;
    bool between = i > 0 && dw__ex_lang_word(c, LS_range_between, i - 1);
    size_t bw = i - 1; /* "tussen de 100k en 150k": an article after the word */
    if (!between && i > 1 && (role(c, i - 1, R_ARTICLE) || is(c, i - 1, "de")) &&
        dw__ex_lang_word(c, LS_range_between, i - 2)) {
        between = true;
        bw = i - 2;
    }
    struct amount hi;
    if (range_link(c, j, between) && parse_amount(c, j + 1, &hi) && !claimed(c, j + 1, hi.t1) &&
        !(is(c, hi.t1, "%") || role(c, hi.t1, R_PCT))) {
        b->lo = b->a;
        b->a = hi;
        b->range = true;
        b->qual = "range";
        b->t1 = hi.t1;
        if (b->lo.cur < 0)
            b->lo.cur = hi.cur;
        if (b->a.cur < 0)
            b->a.cur = b->lo.cur;
        if (!b->lo.has_mult && hi.has_mult) {
            /* "100-150k": the lower end takes the multiplier when it is the smaller number */
            __int128 l = b->lo.mant, h = hi.mant;
            for (int s = 0; s < hi.scale; s++)
                l *= 10;
            for (int s = 0; s < b->lo.scale; s++)
                h *= 10;
            if (l < h)
                b->lo.mult = hi.mult;
        }
        if (between)
            b->t0 = bw;
    }
    if (b->a.cur < 0 && (b->a.plain_year || (b->range && b->lo.plain_year)))
        return false;
    if (b->a.cur < 0 && !b->a.has_mult && below_1000(&b->a))
        return false; /* "Ein Budget steht noch nicht fest", "budget for 3 sites" */
    if (per_unit(c, b->a.t1))
        return false;
    int w = budget_word(c, &b->a);
    if (b->range && !w)
        w = budget_word(c, &b->lo);
    if (w == 2)
        b->score = 3;
    else if (b->a.cur >= 0)
        b->score = w ? 2 : 1;
    else
        b->score = w ? 1 : 0; /* "we can spend 50k": money in the default currency */
    size_t qa;
    if (!b->score && b->a.cur < 0 && b->a.has_mult &&
        (b->t1 >= c->nt || !kind(c, b->t1, TK_WORD) || qualifier_after(c, b->t1, &qa)))
        b->score = 1; /* an answer in a chat: "150k, bis Ende KW 40", "90k più o meno" */
    if (!b->score)
        return false;
    if (b->range)
        return true;
    if ((b->qual = qualifier_before(c, b->t0, &q)))
        b->t0 = q;
    else if ((b->qual = qualifier_after(c, b->t1, &q)))
        b->t1 = q;
    else
        b->qual = "exact";
    return true;
}

/* A word that may start an amount's phrase of lang/LANG.yaml: a currency before it ("S/ 650
 * 000"), a half or one and a half ("half a million", "anderhalve ton"). One bit test. */
static bool amount_phrase_start(const struct ctx *c, size_t i) {
    return starts_section(
        c, i, 1ull << LS_currency_phrases | 1ull << LS_halves | 1ull << LS_one_and_a_half);
}

/* The budget: the first amount named by a "budget" word, else the first amount with a
 * currency or a spending word. Per-unit prices and years are never budgets. */
json_t *dw__ex_extract_budget(struct ctx *c) {
    struct budget best = {0}, b;
    for (size_t i = 0; i < c->nt; i++) {
        if (c->claim[i] ||
            !(kind(c, i, TK_NUM) || role(c, i, R_NUMW | R_ARTICLE | R_CUR | R_SCALE) ||
              (kind(c, i, TK_SYM) && dw__ex_currency_sign(c, i)) || is(c, i, "us") ||
              (is(c, i, "u") && is(c, i + 1, "$")) || /* "u$s" */
              amount_phrase_start(c, i)))
            continue;
        if (!budget_at(c, i, &b))
            continue;
        if (b.score > best.score)
            best = b;
        if (best.score == 3)
            break;
        i = b.t1 - 1;
    }
    if (!best.score)
        return json_null();
    const char *code = best.a.cur >= 0 ? currencies[best.a.cur].code : c->defcur;
    int digits = currency_digits(code);
    int64_t amount, lo = 0;
    if (!amount_minor(best.a.mant, best.a.scale, best.a.mult, digits, &amount) ||
        (best.range && !amount_minor(best.lo.mant, best.lo.scale, best.lo.mult, digits, &lo)))
        return json_null();
    claim(c, best.t0, best.t1);
    json_t *o = dw__ex_new_item(c);
    if (!o)
        return NULL;
    dw__ex_put(c, o, "amount", dw_json_money(amount, digits));
    /* the table's codes and the qualifiers are ASCII literals: nothing for jansson to check;
     * the default currency is the vocabulary's, checked */
    dw__ex_put(c, o, "currency", best.a.cur >= 0 ? json_string_nocheck(code) : json_string(code));
    dw__ex_put(c, o, "qualifier", json_string_nocheck(best.qual));
    dw__ex_put(c, o, "min", best.range ? dw_json_money(lo, digits) : json_null());
    dw__ex_put(c, o, "minor", json_integer(amount));
    dw__ex_put_span(c, o, best.t0, best.t1);
    dw__ex_put_conf(c, o, best.score == 3 ? 95 : best.score == 2 ? 85 : 70);
    return o;
}

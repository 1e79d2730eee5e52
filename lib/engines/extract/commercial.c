/* The discount asked for and the contract term. */
#include "engines/extract/extract-internal.h"

/* ---- discount ------------------------------------------------------------------------- */

/* "15%", "12.5 %", "20 percent", "zwanzig Prozent": basis points and the end. */
static bool pct_at(const struct ctx *c, size_t i, int32_t *ret_bp, size_t *ret_end) {
    struct num n;
    if (!dw__ex_parse_number(c, i, &n) || n.mant > 1000000 || n.scale > 2)
        return false;
    size_t j = n.t1;
    if (is(c, j, "%") || role(c, j, R_PCT))
        j++;
    else if (is(c, j, "per") && is(c, j + 1, "cent"))
        j += 2;
    else
        return false;
    int64_t bp = n.mant;
    for (int s = n.scale; s < 2; s++)
        bp *= 10;
    if (bp <= 0 || bp > 10000)
        return false;
    *ret_bp = (int32_t)bp;
    *ret_end = j;
    return true;
}

json_t *dw__ex_extract_discount(struct ctx *c) {
    /* a discount needs a discount word next to its percentage; most texts have none */
    if (!dw__ex_any_role(c, R_DISC))
        return json_null();
    for (size_t i = 0; i < c->nt; i++) {
        int32_t bp;
        size_t e, t0 = i, t1 = 0;
        if (c->claim[i] || !(kind(c, i, TK_NUM) || role(c, i, R_NUMW)) || !pct_at(c, i, &bp, &e))
            continue;
        /* "15% discount", "20 percent off", "15% price reduction" */
        for (size_t k = e; k < e + 3 && k < c->nt && !clause_end(c, k); k++)
            if (role(c, k, R_DISC)) {
                t1 = k + 1;
                break;
            }
        /* "discount of 20 %", "a discount of around 15%", "Rabatt von 15 %", "discount: 10%" */
        for (size_t k = i; !t1 && k-- > 0 && i - k <= 5;) {
            if (sent_end(c, k) || sym1(c, k) == ',')
                break;
            if (role(c, k, R_DISC) && kval(c, k) == 1) {
                t0 = k;
                t1 = e;
            }
        }
        if (!t1 || claimed(c, t0, t1))
            continue;
        claim(c, t0, t1);
        char buf[32];
        return dw__ex_fact(c, "pct", json_string(dw_pct_format(bp, buf, sizeof buf)), t0, t1);
    }
    return json_null();
}

/* ---- contract term -------------------------------------------------------------------- */

static bool term_words_after_annual(const struct ctx *c, size_t j) {
    static const char *const not_term[] = {
        "budget", "budgets",  "revenue", "revenues", "turnover", "report",     "reports",
        "spend",  "spending", "sales",   "meeting",  "review",   "growth",     "income",
        "volume", "umsatz",   "leave",   "audit",    "audits",   "conference", "event"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(not_term); k++)
        if (is(c, j, not_term[k]))
            return false;
    return true;
}

/* "3-year term", "36 months", "two-year subscription", "term of 3 years", "Laufzeit: 36
 * Monate"; else "annual" (12). Years need a term word; bare months count unless they are a
 * period of the past or a deadline ("3 months ago", "in 3 months" is a date already). */
json_t *dw__ex_extract_term(struct ctx *c) {
    size_t a0 = 0, a1 = 0;
    /* a count is a term only before a time unit: none after the last one is read (the plain
     * reading reads them all) */
    size_t last_unit = 0;
    for (size_t k = c->nt; k-- > 0 && !dw__ex_plain;)
        if (c->t[k].roles & R_TUNIT) {
            last_unit = k;
            break;
        }
    if (dw__ex_plain)
        last_unit = c->nt;
    for (size_t i = 0; i < c->nt; i++) {
        if (c->claim[i])
            continue;
        if (role(c, i, R_ANNUAL)) {
            if (!a1 && term_words_after_annual(c, i + 1)) {
                a0 = i;
                a1 = role(c, i + 1, R_TERMW) && !claimed(c, i + 1, i + 2) ? i + 2 : i + 1;
            }
            continue;
        }
        int64_t n;
        size_t e;
        if (i >= last_unit)
            continue;
        if (role(c, i, R_ARTICLE) && role(c, i + 1, R_TUNIT)) {
            n = 1;
            e = i + 1;
        } else if (!(kind(c, i, TK_NUM) || role(c, i, R_NUMW)) ||
                   !dw__ex_parse_count(c, i, &n, &e)) {
            continue;
        }
        size_t j = is(c, e, "-") ? e + 1 : e;
        int64_t u = role(c, j, R_TUNIT) ? kval(c, j) : 0;
        if (u != TU_MONTH && u != TU_YEAR)
            continue;
        j++;
        size_t t0 = i, t1 = j, k = is(c, j, "-") ? j + 1 : j;
        bool tw = false;
        if (role(c, k, R_TERMW)) {
            tw = true;
            t1 = k + 1;
        } else {
            for (size_t b = i; b-- > 0 && i - b <= 4;) {
                if (sent_end(c, b))
                    break;
                if (role(c, b, R_TERMW)) {
                    tw = true;
                    t0 = b;
                    break;
                }
            }
        }
        if (!tw &&
            (u == TU_YEAR || is(c, j, "ago") || is(c, j, "old") ||
             (i > 0 && (role(c, i - 1, R_IN) || is(c, i - 1, "last") || is(c, i - 1, "past") ||
                        is(c, i - 1, "first") || is(c, i - 1, "next") || is(c, i - 1, "every")))))
            continue;
        int64_t months = u == TU_YEAR ? n * 12 : n;
        if (months < 1 || months > 1200 || claimed(c, t0, t1))
            continue;
        a0 = t0;
        a1 = t1;
        n = months;
        claim(c, t0, t1);
        return dw__ex_fact(c, "value", json_integer(n), a0, a1);
    }
    if (!a1)
        return json_null();
    claim(c, a0, a1);
    return dw__ex_fact(c, "value", json_integer(12), a0, a1);
}

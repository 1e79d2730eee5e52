/* Dates and the deadline: numeric and written dates, quarters, "end of", "next",
 * "within", "ASAP", and which of them is the customer's deadline. */
#include "engines/extract/extract-internal.h"

/* ---- dates ---------------------------------------------------------------------------- */

struct dhit {
    size_t t0, t1;
    int64_t days;
    bool rel;    /* depends on received_at */
    bool strong; /* a deadline by its words alone ("ASAP", "next week", "end of Q3") */
    bool asap;   /* "ASAP": gives way to a date the text gives as a deadline */
};

static unsigned mdays(int y, unsigned m) {
    static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static bool valid_ymd(int64_t y, int64_t m, int64_t d) {
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= mdays((int)y, (unsigned)m);
}

static int64_t month_end(int y, unsigned m) {
    return dw_days_from_civil(y, m, mdays(y, m));
}

/* The last day of the month `n` months after today's month. */
static int64_t month_end_after(const struct ctx *c, int64_t n) {
    int64_t mm = (int64_t)c->tm - 1 + n;
    return month_end(c->ty + (int)(mm / 12), (unsigned)(mm % 12) + 1);
}

static int64_t add_months(const struct ctx *c, int64_t n) {
    int64_t mm = (int64_t)c->tm - 1 + n;
    int y = c->ty + (int)(mm / 12);
    unsigned m = (unsigned)(mm % 12) + 1, d = c->td;
    if (d > mdays(y, m))
        d = mdays(y, m);
    return dw_days_from_civil(y, m, d);
}

static bool year_at(const struct ctx *c, size_t j, int *ret);

/* A deadline word within three words before token t0 in its sentence. */
static bool trigger_before(const struct ctx *c, size_t t0) {
    for (size_t k = t0; k-- > 0 && t0 - k <= 3;) {
        if (sent_end(c, k))
            return false;
        if (role(c, k, R_DTRIG))
            return true;
    }
    return false;
}

/* The date word kind of token i (enum lk_dateword), 0 if none. */
static int64_t dword(const struct ctx *c, size_t i) {
    if (!role(c, i, R_DATEW))
        return 0;
    int64_t v = kval(c, i);
    return v < HOL_BASE ? v : 0;
}

/* Articles, possessives and prepositions that sit between the words of a date: "end of
 * our", "fin du", "finales de", "fine dell'", "Ende unseres", "eind van het". */
static bool date_filler(const struct ctx *c, size_t j) {
    static const char *const w[] = {
        "of",     "the",     "our",     "des",     "der",   "den",  "unseres", "unserer",
        "unsres", "de",      "du",      "la",      "le",    "l",    "d",       "notre",
        "del",    "el",      "nuestro", "nuestra", "della", "dell", "di",      "il",
        "lo",     "del",     "nostro",  "nostra",  "van",   "het",  "ons",     "onze",
        "this",   "current", "a",       "en",      "al",    "à",    "dello"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(w); k++)
        if (is(c, j, w[k]))
            return true;
    return false;
}

static size_t skip_fillers(const struct ctx *c, size_t j, size_t max) {
    for (size_t n = 0; n < max && (date_filler(c, j) || (is(c, j, "-") && glued(c, j))); n++)
        j++;
    return j;
}

/* "del próximo año", "of next year", "nächsten Jahres", "van volgend jaar", "de l'année
 * prochaine", "dell'anno prossimo" after a week, quarter or month at j: the end of those
 * words, or 0. */
static size_t next_year_after(const struct ctx *c, size_t j) {
    for (int n = 0; n < 3 && (date_filler(c, j) || (kind(c, j, TK_WORD) && elided(c, j))); n++)
        j++; /* "de l'année", "dell'anno" */
    if (dword(c, j) == DWK_NEXT && role(c, j + 1, R_TUNIT) && kval(c, j + 1) == TU_YEAR)
        return j + 2;
    if (role(c, j, R_TUNIT) && kval(c, j) == TU_YEAR && dword(c, j + 1) == DWK_NEXT)
        return j + 2;
    return 0;
}

/* Days since 1970-01-01 of Easter Sunday in year y (the Gregorian computus). */
static int64_t easter(int y) {
    int a = y % 19, b = y / 100, cc = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25,
        g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = cc / 4, k = cc % 4,
        l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    unsigned month = (unsigned)((h + l - 7 * m + 114) / 31),
             day = (unsigned)((h + l - 7 * m + 114) % 31 + 1);
    return dw_days_from_civil(y, month, day);
}

/* A holiday's day in year y: Christmas the 25th, Epiphany ("Reyes") the 6th of January,
 * Easter by the computus and the feasts counted from it. */
static int64_t holiday(int h, int y) {
    switch (h) {
    case HOL_CHRISTMAS:
        return dw_days_from_civil(y, 12, 25);
    case HOL_EPIPHANY:
        return dw_days_from_civil(y, 1, 6);
    case HOL_NEW_YEAR_EVE:
        return dw_days_from_civil(y, 12, 31);
    case HOL_EASTER:
        return easter(y);
    case HOL_ASCENSION:
        return easter(y) + 39;
    case HOL_PENTECOST:
        return easter(y) + 49;
    case HOL_HOLY_WEEK: /* its first day, Palm Sunday */
        return easter(y) - 7;
    case HOL_ALL_SAINTS:
        return dw_days_from_civil(y, 11, 1);
    case HOL_FERRAGOSTO:
        return dw_days_from_civil(y, 8, 15);
    case HOL_KINGS_DAY:
        return dw_days_from_civil(y, 4, 27);
    case HOL_THANKSGIVING: { /* the fourth Thursday of November */
        int64_t first = dw_days_from_civil(y, 11, 1);
        int64_t wd = ((first + 3) % 7 + 7) % 7; /* 0 = Monday */
        return first + (3 - wd + 7) % 7 + 21;
    }
    default:
        return -1;
    }
}

/* "Weihnachten", "Pâques 2027", "Natale", "Pasen": that day (the next one not before
 * today without a year). */
static bool holiday_from(const struct ctx *c, size_t i, size_t n, int hol, struct dhit *h) {
    int y;
    if (year_at(c, n, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = n + 1, .days = holiday(hol, y)};
        return h->days >= 0;
    }
    int64_t d = holiday(hol, c->ty);
    int add = d >= 0 && d < c->today;
    size_t t1 = n;
    /* "Natale del prossimo anno", "Weihnachten nächsten Jahres", "Christmas next year" */
    size_t j = skip_fillers(c, n, 2);
    if ((dword(c, j) == DWK_NEXT && role(c, j + 1, R_TUNIT) && kval(c, j + 1) == TU_YEAR) ||
        (role(c, j, R_TUNIT) && kval(c, j) == TU_YEAR && dword(c, j + 1) == DWK_NEXT)) {
        add = 1 + (d >= 0 && d < c->today);
        t1 = j + 2;
    }
    d = holiday(hol, c->ty + add);
    *h = (struct dhit){.t0 = i, .t1 = t1, .days = d, .rel = true};
    return d >= 0;
}

static bool date_holiday(const struct ctx *c, size_t i, struct dhit *h) {
    if (!role(c, i, R_DATEW) || kval(c, i) <= HOL_BASE || kval(c, i) >= ORD_BASE)
        return false;
    return holiday_from(c, i, i + 1, (int)(kval(c, i) - HOL_BASE), h);
}

/* Holy Week in two words: "Semaine sainte", "Semana Santa", "Settimana Santa", "Holy Week"
 * ("Karwoche" is one word, in de.yaml; "Goede Week", "Stille Week"): its first day, Palm
 * Sunday. */
static bool date_holy_week(const struct ctx *c, size_t i, struct dhit *h) {
    if (kval(c, i) != TU_WEEK)
        return false;
    if ((is(c, i, "semaine") && is(c, i + 1, "sainte")) ||
        ((is(c, i, "semana") || is(c, i, "settimana")) && is(c, i + 1, "santa")))
        return holiday_from(c, i, i + 2, HOL_HOLY_WEEK, h);
    if (i > 0 && is(c, i, "week") &&
        (is(c, i - 1, "holy") || is(c, i - 1, "goede") || is(c, i - 1, "stille")))
        return holiday_from(c, i - 1, i + 1, HOL_HOLY_WEEK, h);
    return false;
}

/* The Friday of ISO week w of year y. */
static int64_t iso_week_friday(int y, int w) {
    int64_t jan4 = dw_days_from_civil(y, 1, 4);
    int64_t wd = ((jan4 + 3) % 7 + 7) % 7; /* 0 = Monday */
    return jan4 - wd + 7 * (w - 1) + 4;
}

/* "KW 12", "KW12/2027", "CW 40", "week 12", "semaine 12", "semana 12", "settimana 12":
 * the Friday of that ISO week (the next one not before today without a year). */
static bool date_cw(const struct ctx *c, size_t i, struct dhit *h) {
    if (!(dword(c, i) == DWK_CW || (role(c, i, R_TUNIT) && kval(c, i) == TU_WEEK)))
        return false;
    size_t j = i + 1;
    if (is(c, j, "nr") || is(c, j, "no") || is(c, j, "n"))
        j += is(c, j + 1, ".") ? 2 : 1;
    if (!kind(c, j, TK_NUM) || tlen(c, j) > 2 || role(c, j + 1, R_TUNIT))
        return false;
    int64_t w = dw__ex_digits_val(c, j);
    if (w < 1 || w > 53)
        return false;
    size_t k = j + 1;
    int y;
    if ((is(c, k, "/") || is(c, k, "-")) && glued(c, k))
        k++;
    else if (sym1(c, k) == ',')
        k++;
    if (year_at(c, k, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = k + 1, .days = iso_week_friday(y, (int)w)};
        return true;
    }
    if (k != j + 1 && !(sym1(c, k - 1) == ',')) /* "KW 12/" without a year */
        return false;
    size_t ny = next_year_after(c, j + 1);
    if (ny) { /* "semana 10 del próximo año" */
        *h = (struct dhit){
            .t0 = i, .t1 = ny, .days = iso_week_friday(c->ty + 1, (int)w), .rel = true};
        return true;
    }
    y = c->ty;
    if (iso_week_friday(y, (int)w) < c->today)
        y++;
    *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = iso_week_friday(y, (int)w), .rel = true};
    return true;
}

static bool year_at(const struct ctx *c, size_t j, int *ret) {
    if (!kind(c, j, TK_NUM) || tlen(c, j) != 4 || !free_at(c, j + 1))
        return false;
    int64_t y = dw__ex_digits_val(c, j);
    if (y < 1900 || y > 2200)
        return false;
    *ret = (int)y;
    return true;
}

static size_t skip_ordinal(const struct ctx *c, size_t j) {
    if (glued(c, j) && (is(c, j, "st") || is(c, j, "nd") || is(c, j, "rd") || is(c, j, "th") ||
                        is(c, j, "er") || is(c, j, "°") || is(c, j, "º") || is(c, j, "o")))
        return j + 1; /* "1st", "1er mars", "1° marzo", "1º de marzo" */
    return j;
}

/* "2027-03-31", "31.03.2027", "31/03/2027", "03/31/2027". */
static bool date_numeric(const struct ctx *c, size_t i, struct dhit *h) {
    if (!kind(c, i, TK_NUM) || !kind(c, i + 2, TK_NUM) || !kind(c, i + 4, TK_NUM))
        return false;
    for (size_t k = i + 1; k <= i + 4; k++)
        if (!glued(c, k))
            return false;
    if (i > 0 && glued(c, i) && c->t[i - 1].kind != TK_SYM)
        return false;
    char s1 = sym1(c, i + 1), s2 = sym1(c, i + 3), ch;
    if (s1 != s2 || (s1 != '-' && s1 != '/' && s1 != '.'))
        return false;
    if (!free_at(c, i + 5) && !is(c, i + 5, "t"))
        return false;
    if (dw__ex_sep_at(c, i + 5, &ch) && glued(c, i + 5) && kind(c, i + 6, TK_NUM) &&
        glued(c, i + 6))
        return false; /* "10.1.2.3" */
    size_t la = tlen(c, i), lb = tlen(c, i + 2), lc = tlen(c, i + 4);
    if (la > 4 || lb > 2 || lc > 4)
        return false;
    int64_t a = dw__ex_digits_val(c, i), b = dw__ex_digits_val(c, i + 2),
            e = dw__ex_digits_val(c, i + 4), y, m, d;
    if (la == 4 && lc <= 2 && s1 != '.') {
        y = a, m = b, d = e;
    } else if (la <= 2 && (lc == 4 || lc == 2)) {
        y = lc == 2 ? 2000 + e : e;
        if (s1 == '/' && a <= 12 && b > 12)
            m = a, d = b; /* only unambiguous US order; otherwise day first */
        else
            d = a, m = b;
    } else {
        return false;
    }
    if (!valid_ymd(y, m, d))
        return false;
    *h = (struct dhit){
        .t0 = i, .t1 = i + 5, .days = dw_days_from_civil((int)y, (unsigned)m, (unsigned)d)};
    return true;
}

static bool finish_day_month(const struct ctx *c, size_t t0, size_t j, int64_t d, int64_t m,
                             struct dhit *h);

/* "bis zum 31.03.", "avant le 31/03", "entro il 31/03": day and month without a year, the
 * next such day. The dotted form ends with its dot; the slashed one needs a deadline word
 * before it ("24/7" is no date). */
static bool date_numeric_short(const struct ctx *c, size_t i, struct dhit *h) {
    if (!kind(c, i, TK_NUM) || !kind(c, i + 2, TK_NUM) || !glued(c, i + 1) || !glued(c, i + 2) ||
        tlen(c, i) > 2 || tlen(c, i + 2) > 2 ||
        (i > 0 && glued(c, i) && c->t[i - 1].kind != TK_SYM))
        return false;
    char s1 = sym1(c, i + 1);
    size_t e;
    if (s1 == '.' && sym1(c, i + 3) == '.' && glued(c, i + 3) && !kind(c, i + 4, TK_NUM) &&
        !role(c, i + 4, R_MULT) &&
        (tlen(c, i + 2) == 2 || trigger_before(c, i) ||
         (i > 0 && (is(c, i - 1, "am") || is(c, i - 1, "zum") || is(c, i - 1, "vom") ||
                    is(c, i - 1, "ab") || is(c, i - 1, "den") || is(c, i - 1, "dem")))))
        e = i + 4; /* "31.03.", "am 3.5." */
    else if (s1 == '/' && !(glued(c, i + 3) && (sym1(c, i + 3) == '/' || kind(c, i + 3, TK_NUM))) &&
             trigger_before(c, i))
        e = i + 3;
    else
        return false;
    int64_t d = dw__ex_digits_val(c, i), m = dw__ex_digits_val(c, i + 2);
    if (d < 1 || d > 31 || m < 1 || m > 12)
        return false;
    if (!finish_day_month(c, i, e, d, m, h))
        return false;
    h->t1 = e; /* no year follows */
    return true;
}

/* Day and month known, then an optional ", 2027" at j; without a year, the next such day
 * not before today. */
static bool finish_day_month(const struct ctx *c, size_t t0, size_t j, int64_t d, int64_t m,
                             struct dhit *h) {
    size_t k = sym1(c, j) == ',' ? j + 1 : j;
    int y;
    bool rel = false;
    if (year_at(c, k, &y)) {
        j = k + 1;
    } else {
        y = c->ty;
        rel = true;
        if (valid_ymd(y, m, d) && dw_days_from_civil(y, (unsigned)m, (unsigned)d) < c->today)
            y++;
    }
    if (!valid_ymd(y, m, d))
        return false;
    *h = (struct dhit){
        .t0 = t0, .t1 = j, .rel = rel, .days = dw_days_from_civil(y, (unsigned)m, (unsigned)d)};
    return true;
}

static bool month_ok(const struct ctx *c, size_t i) {
    /* "may", "jan", "mar" are months only when written with a capital */
    return role(c, i, R_MONTH) &&
           (!role(c, i, R_MAMBIG) ||
            is_upper_start((const unsigned char *)c->text, c->len, c->t[i].s));
}

/* "15 January 2027", "15th of March", "15. Januar 2027". */
static bool date_day_month(const struct ctx *c, size_t i, struct dhit *h) {
    if (!kind(c, i, TK_NUM) || tlen(c, i) > 2 || (i > 0 && glued(c, i) && wordish(c, i - 1)))
        return false;
    int64_t d = dw__ex_digits_val(c, i);
    size_t j = skip_ordinal(c, i + 1);
    if (sym1(c, j) == '.' && glued(c, j))
        j++;
    if (is(c, j, "of") || is(c, j, "de"))
        j++;
    if (!month_ok(c, j))
        return false;
    int64_t m = kval(c, j);
    j++;
    if (is(c, j, "de") && kind(c, j + 1, TK_NUM))
        j++; /* "15 de marzo de 2027" */
    if (tlen(c, j - 1) <= 4 && sym1(c, j) == '.' && glued(c, j) && !sent_end(c, j))
        j++; /* "15 Jan. 2027", but not the full stop of "by 15 May." */
    return finish_day_month(c, i, j, d, m, h);
}

/* "March 31, 2027", "March 2027" (its last day), and "by March" (the next end of March). */
static bool date_month(const struct ctx *c, size_t i, struct dhit *h) {
    if (!month_ok(c, i))
        return false;
    int64_t m = kval(c, i);
    size_t j = i + 1;
    if (tlen(c, i) <= 4 && sym1(c, j) == '.' && glued(c, j) && !sent_end(c, j))
        j++;
    if (kind(c, j, TK_NUM) && tlen(c, j) <= 2) {
        size_t k = skip_ordinal(c, j + 1);
        if (free_at(c, k) && finish_day_month(c, i, k, dw__ex_digits_val(c, j), m, h))
            return true;
    }
    size_t k = sym1(c, j) == ',' ? j + 1 : j;
    int y;
    if (year_at(c, k, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = k + 1, .days = month_end(y, (unsigned)m)};
        return true;
    }
    if (i > 0 && (role(c, i - 1, R_DTRIG) || is(c, i - 1, "in") || is(c, i - 1, "of") ||
                  dword(c, i - 1) == DWK_END || is(c, i - 1, "im") || is(c, i - 1, "zum") ||
                  is(c, i - 1, "de") || is(c, i - 1, "di") || is(c, i - 1, "en") ||
                  is(c, i - 1, "a") || is(c, i - 1, "ad") || /* "operativi a settembre" */
                  is(c, i - 1, "courant") ||                 /* "courant mars" */
                  (is(c, i - 1, "-") && i > 1 && dword(c, i - 2) == DWK_MID))) {
        /* "im November übernommen" written in December: the month just past, not next
         * year's, unless a deadline word or "end of" stands before it ("operativi a
         * settembre" written in November is next September) */
        bool ahead = role(c, i - 1, R_DTRIG) || dword(c, i - 1) == DWK_END ||
                     (i > 1 && dword(c, i - 2) == DWK_END);
        int64_t ago = ((int64_t)c->tm - m + 12) % 12;
        y = c->ty;
        if (!ahead && ago == 1)
            y = m < (int64_t)c->tm ? c->ty : c->ty - 1;
        else if (month_end(y, (unsigned)m) < c->today)
            y++;
        *h = (struct dhit){.t0 = i, .t1 = j, .days = month_end(y, (unsigned)m), .rel = true};
        return true;
    }
    return false;
}

/* "Q3", "Q3 2027", "Q3/2027", "H1 2027", "S1 2027": the last day of that quarter or half
 * (the next one without a year). */
static bool date_quarter(const struct ctx *c, size_t i, struct dhit *h) {
    int64_t dk = dword(c, i);
    if ((dk != DWK_QLETTER && dk != DWK_HLETTER) || !kind(c, i + 1, TK_NUM) || !glued(c, i + 1) ||
        tlen(c, i + 1) != 1 || !free_at(c, i) || !free_at(c, i + 2))
        return false;
    int q = c->lo[c->t[i + 1].s] - '0', y;
    if (dk == DWK_HLETTER) { /* a half is two quarters */
        if (q < 1 || q > 2)
            return false;
        q *= 2;
    }
    if (q < 1 || q > 4)
        return false;
    size_t k = i + 2;
    if ((is(c, k, "/") || is(c, k, "-")) && glued(c, k))
        k++;
    if (year_at(c, k, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = k + 1, .days = month_end(y, (unsigned)q * 3)};
        return true;
    }
    size_t ny = next_year_after(c, i + 2); /* "Q1 of next year" */
    y = c->ty + (ny ? 1 : 0);
    if (!ny && month_end(y, (unsigned)q * 3) < c->today)
        y++;
    *h = (struct dhit){
        .t0 = i, .t1 = ny ? ny : i + 2, .days = month_end(y, (unsigned)q * 3), .rel = true};
    return true;
}

/* "kwartaal 2 van 2027", "Quartal 3/2027", "quarter 4 of 2027", "trimestre 2 de 2027": the
 * quarter's number after its word. */
static bool date_quarter_number(const struct ctx *c, size_t i, struct dhit *h) {
    if (!role(c, i, R_TUNIT) || kval(c, i) != TU_QUARTER || !kind(c, i + 1, TK_NUM) ||
        tlen(c, i + 1) != 1 || c->lo[c->t[i + 1].s] < '1' || c->lo[c->t[i + 1].s] > '4' ||
        !free_at(c, i + 2))
        return false;
    int q = c->lo[c->t[i + 1].s] - '0', y;
    size_t j = i + 2;
    if (is(c, j, "of") || is(c, j, "des") || is(c, j, "de") || is(c, j, "del") || is(c, j, "van") ||
        is(c, j, "di") || is(c, j, "/"))
        j++;
    if (year_at(c, j, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = month_end(y, (unsigned)q * 3)};
        return true;
    }
    y = c->ty;
    if (month_end(y, (unsigned)q * 3) < c->today)
        y++;
    *h = (struct dhit){.t0 = i, .t1 = i + 2, .days = month_end(y, (unsigned)q * 3), .rel = true};
    return true;
}

/* A quarter or half without its year, ending at month `last` and read up to token `end`:
 * next year's when "of next year" follows there, else this year's, or next year's once this
 * year's has passed. */
static bool quarter_without_year(const struct ctx *c, size_t i, size_t end, int last,
                                 struct dhit *h) {
    size_t ny = next_year_after(c, end);
    int y = c->ty + (ny ? 1 : 0);
    if (!ny && month_end(y, (unsigned)last) < c->today)
        y++;
    *h = (struct dhit){
        .t0 = i, .t1 = ny ? ny : end, .days = month_end(y, (unsigned)last), .rel = true};
    return true;
}

/* "first quarter 2027", "im ersten Quartal", "Ende des dritten Quartals 2027": the last
 * day of that quarter (the next one without a year). */
static bool date_quarter_words(const struct ctx *c, size_t i, struct dhit *h) {
    int q = 0;
    size_t u = i + 1;
    if (date_quarter_number(c, i, h))
        return true;
    if (role(c, i, R_DATEW) && kval(c, i) > ORD_BASE && kval(c, i) <= ORD_BASE + 4) {
        q = (int)(kval(c, i) - ORD_BASE); /* "third", "dritten", "troisième", "tercer" */
    } else if (kind(c, i, TK_NUM) && tlen(c, i) == 1 && c->lo[c->t[i].s] >= '1' &&
               c->lo[c->t[i].s] <= '4') {
        q = c->lo[c->t[i].s] - '0'; /* "3. Quartal", "3e trimestre", "3er trimestre" */
        if ((sym1(c, u) == '.' || is(c, u, "e") || is(c, u, "er") || is(c, u, "ème") ||
             is(c, u, "eme") || is(c, u, "°") || is(c, u, "º") || is(c, u, "o") || is(c, u, "de") ||
             is(c, u, "rd")) &&
            glued(c, u))
            u++;
        else
            return false;
    }
    int months = role(c, u, R_TUNIT) && kval(c, u) == TU_HALF ? 6 : 3; /* "premier semestre" */
    if (!q || !role(c, u, R_TUNIT) || (kval(c, u) != TU_QUARTER && kval(c, u) != TU_HALF) ||
        (months == 6 && q > 2))
        return false;
    int y;
    size_t j = u + 1;
    if (is(c, j, "of") || is(c, j, "des") || is(c, j, "de") || is(c, j, "del") || is(c, j, "van"))
        j++;
    if (year_at(c, j, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = month_end(y, (unsigned)(q * months))};
        return true;
    }
    return quarter_without_year(c, i, u + 1, q * months, h); /* "… del año que viene" */
}

/* "kwartaal 2 van 2027", "Quartal 3/2027", "quarter 2", "trimestre 3 de 2027", "semestre 1":
 * the unit before its number; the last day of that quarter or half (the next one without a
 * year). */
static bool date_quarter_unit(const struct ctx *c, size_t i, struct dhit *h) {
    if (!role(c, i, R_TUNIT) || (kval(c, i) != TU_QUARTER && kval(c, i) != TU_HALF))
        return false;
    size_t j = i + 1;
    if (!kind(c, j, TK_NUM) || tlen(c, j) != 1 || glued(c, j))
        return false;
    int q = c->lo[c->t[j].s] - '0', months = kval(c, i) == TU_HALF ? 6 : 3, y;
    if (q < 1 || q * months > 12 || role(c, j + 1, R_TUNIT) || !free_at(c, j + 1))
        return false;
    size_t k = j + 1;
    if ((is(c, k, "/") || is(c, k, "-")) && glued(c, k))
        k++;
    else if (is(c, k, "of") || is(c, k, "des") || is(c, k, "de") || is(c, k, "del") ||
             is(c, k, "van") || is(c, k, "di") || is(c, k, "del") || sym1(c, k) == ',')
        k++;
    if (year_at(c, k, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = k + 1, .days = month_end(y, (unsigned)(q * months))};
        return true;
    }
    return quarter_without_year(c, i, j + 1, q * months, h);
}

/* "mid-February", "Mitte März 2027": the 15th of that month (the next one without a year). */
static bool date_mid(const struct ctx *c, size_t i, struct dhit *h) {
    if (dword(c, i) != DWK_MID)
        return false;
    size_t j = i + 1, ny;
    if (is(c, j, "-") || is(c, j, "of") || is(c, j, "de") || is(c, j, "di"))
        j++;
    int y0;
    /* "mid-2027", "Mitte 2027", "metà 2027", "mediados de 2027", "medio 2027", "Mitte
     * nächsten Jahres": the middle of a year is the end of its first half, 30 June */
    if (year_at(c, j, &y0)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = month_end(y0, 6)};
        return true;
    }
    if ((ny = next_year_after(c, i + 1))) {
        *h = (struct dhit){.t0 = i, .t1 = ny, .days = month_end(c->ty + 1, 6), .rel = true};
        return true;
    }
    /* "Mitte des Jahres (2027)", "mid-year", "metà anno", "mediados de año" */
    size_t u = skip_fillers(c, i + 1, 3);
    if (role(c, u, R_TUNIT) && kval(c, u) == TU_YEAR) {
        if (year_at(c, u + 1, &y0)) {
            *h = (struct dhit){.t0 = i, .t1 = u + 2, .days = month_end(y0, 6)};
            return true;
        }
        y0 = c->ty + (month_end(c->ty, 6) < c->today ? 1 : 0);
        *h = (struct dhit){.t0 = i, .t1 = u + 1, .days = month_end(y0, 6), .rel = true};
        return true;
    }
    if (!month_ok(c, j))
        return false;
    int64_t m = kval(c, j);
    int y;
    if (year_at(c, j + 1, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 2, .days = dw_days_from_civil(y, (unsigned)m, 15)};
        return true;
    }
    y = c->ty;
    if (dw_days_from_civil(y, (unsigned)m, 15) < c->today)
        y++;
    *h = (struct dhit){
        .t0 = i, .t1 = j + 1, .days = dw_days_from_civil(y, (unsigned)m, 15), .rel = true};
    return true;
}

static bool is_next_word(const struct ctx *c, size_t j) {
    return dword(c, j) == DWK_NEXT;
}

/* "[this|the|next] week|month|quarter|year", "des Jahres": the end of that period (the
 * Friday of a week). *ret_next says "next". */
static bool period_ref(const struct ctx *c, size_t j, size_t *ret_end, int64_t *ret_days,
                       bool *ret_next) {
    int next = 0;
    if (is_next_word(c, j)) {
        next = 1;
        j++;
    } else if (dword(c, j) == DWK_THIS || date_filler(c, j)) {
        j++;
        if (date_filler(c, j) && !role(c, j, R_TUNIT))
            j++; /* "de l'année", "dell'anno" */
    }
    if (!role(c, j, R_TUNIT))
        return false;
    if (!next && is_next_word(c, j + 1))
        next = 1; /* "la semaine prochaine", "el mes próximo", "il mese prossimo" */
    int64_t days;
    switch (kval(c, j)) {
    case TU_WEEK:
        days = c->today - c->wd + 4 + 7 * next;
        if (days < c->today)
            days = c->today;
        break;
    case TU_MONTH:
        days = month_end_after(c, next);
        break;
    case TU_QUARTER:
        days = month_end_after(c, (int64_t)(2 - (c->tm - 1) % 3) + 3 * next);
        break;
    case TU_YEAR:
        days = month_end(c->ty + next, 12);
        break;
    default:
        return false;
    }
    *ret_end = is_next_word(c, j + 1) ? j + 2 : j + 1;
    *ret_days = days;
    *ret_next = next;
    return true;
}

/* "financial year (31 March)", "Geschäftsjahres (30. Juni)", "exercice fiscal (30 juin)": the
 * day the customer gives for the end of their financial year, in the same sentence; false
 * when they give none (a financial year is not the calendar year). */
static bool date_fiscal(const struct ctx *c, size_t j, struct dhit *h) {
    size_t k = j;
    for (int n = 0;
         n < 3 && (dword(c, k) == DWK_FISCAL || (role(c, k, R_TUNIT) && kval(c, k) == TU_YEAR));
         n++)
        k++;
    if (k == j || dword(c, j) != DWK_FISCAL)
        if (!(role(c, j, R_TUNIT) && dword(c, j + 1) == DWK_FISCAL))
            return false;
    for (size_t m = k; m < k + 8 && m < c->nt && !sent_end(c, m); m++) {
        struct dhit sub;
        if ((kind(c, m, TK_NUM) && date_day_month(c, m, &sub)) ||
            (role(c, m, R_MONTH) && date_month(c, m, &sub) &&
             (!sub.rel || sub.t1 > m + 1))) { /* "closes on June 30": the next one */
            *h = sub;
            h->t0 = j;
            if (sym1(c, h->t1) == ')')
                h->t1++;
            return true;
        }
    }
    return false;
}

/* "end of Q3", "end of March 2027", "by the end of the year", "year-end", "Ende Q3",
 * "Jahresende", "end of 2027", "fin du mois", "finales de marzo", "fine anno", "eind maart",
 * "Ende KW 40/2027", "end of our financial year (31 March)". */
static bool date_end(const struct ctx *c, size_t i, struct dhit *h) {
    int64_t dk = dword(c, i);
    if (dk == DWK_YEAR_END) {
        int y;
        if (year_at(c, i + 1, &y)) { /* "Jahresende 2027" */
            *h = (struct dhit){.t0 = i, .t1 = i + 2, .days = month_end(y, 12), .strong = true};
            return true;
        }
        *h = (struct dhit){
            .t0 = i, .t1 = i + 1, .days = month_end(c->ty, 12), .rel = true, .strong = true};
        return true;
    }
    if (dk == DWK_MONTH_END || dk == DWK_QUARTER_END) {
        int64_t add = dk == DWK_MONTH_END ? 0 : (int64_t)(2 - (c->tm - 1) % 3);
        *h = (struct dhit){
            .t0 = i, .t1 = i + 1, .days = month_end_after(c, add), .rel = true, .strong = true};
        return true;
    }
    if (is(c, i, "year")) {
        size_t k = is(c, i + 1, "-") ? i + 2 : i + 1;
        if (!is(c, k, "end"))
            return false;
        *h = (struct dhit){
            .t0 = i, .t1 = k + 1, .days = month_end(c->ty, 12), .rel = true, .strong = true};
        return true;
    }
    if (dk != DWK_END)
        return false;
    size_t j = i + 1;
    if (is(c, i, "end")) {
        j = is(c, i + 1, "-") ? i + 2 : i + 1;
        if (!is(c, j, "of"))
            return false;
    }
    j = skip_fillers(c, j, 3);
    size_t e;
    int64_t days;
    bool next;
    int y;
    struct dhit sub;
    if (date_quarter_words(c, j, &sub) || date_quarter(c, j, &sub) || date_cw(c, j, &sub) ||
        date_fiscal(c, j, &sub) || date_month(c, j, &sub)) {
        *h = sub;
        h->t0 = i;
    } else if (period_ref(c, j, &e, &days, &next)) {
        *h = (struct dhit){.t0 = i, .t1 = e, .days = days, .rel = true};
    } else if (year_at(c, j, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = month_end(y, 12)};
    } else {
        return false;
    }
    h->strong = true;
    return true;
}

/* "next week" (its Friday), "next month", "this quarter". */
static bool date_next(const struct ctx *c, size_t i, struct dhit *h) {
    size_t e;
    int64_t days;
    bool next;
    if (!(is_next_word(c, i) || dword(c, i) == DWK_THIS ||
          (role(c, i, R_TUNIT) && is_next_word(c, i + 1))) ||
        !period_ref(c, i, &e, &days, &next))
        return false;
    *h = (struct dhit){.t0 = i, .t1 = e, .days = days, .rel = true, .strong = next};
    return true;
}

/* "in 3 weeks", "within two months", "within a month", "in the next 30 days",
 * "innerhalb von zwei Wochen", "innerhalb eines Monats". */
static bool date_in(const struct ctx *c, size_t i, struct dhit *h) {
    if (!role(c, i, R_IN))
        return false;
    size_t j = i + 1, e;
    if (is(c, j, "of") || is(c, j, "von") || is(c, j, "de") || is(c, j, "di"))
        j++;
    if ((is(c, j, "un") || is(c, j, "una")) && (is(c, j + 1, "plazo") || is(c, j + 1, "periodo")))
        j += is(c, j + 2, "de") ? 3 : 2; /* "en un plazo de seis semanas" */
    if ((is(c, j, "the") || is(c, j, "den")) && is_next_word(c, j + 1))
        j += 2;
    else if (is_next_word(c, j))
        j++;
    int64_t n;
    if (role(c, j, R_ARTICLE) && role(c, j + 1, R_TUNIT)) {
        n = 1;
        e = j + 1;
    } else if (!dw__ex_parse_count(c, j, &n, &e)) {
        return false;
    }
    if (!role(c, e, R_TUNIT))
        return false;
    int64_t days;
    switch (kval(c, e)) {
    case TU_DAY:
        days = n <= 3650 ? c->today + n : -1;
        break;
    case TU_WEEK:
        days = n <= 520 ? c->today + 7 * n : -1;
        break;
    case TU_MONTH:
        days = n <= 120 ? add_months(c, n) : -1;
        break;
    case TU_QUARTER:
        days = n <= 40 ? add_months(c, 3 * n) : -1;
        break;
    default: /* years */
        days = n <= 10 ? add_months(c, 12 * n) : -1;
        break;
    }
    if (days < 0)
        return false;
    *h = (struct dhit){.t0 = i, .t1 = e + 1, .days = days, .rel = true, .strong = true};
    return true;
}

/* "ASAP", "as soon as possible", "immediately", "urgent": received_at + 14 days. */
static bool date_asap(const struct ctx *c, size_t i, struct dhit *h) {
    size_t e = 0;
    if (dword(c, i) == DWK_ASAP)
        e = i + 1;
    else
        e = dw__ex_lang_match(c, LS_asap, i); /* "as soon as possible", "lo antes posible" */
    if (!e)
        return false;
    *h = (struct dhit){
        .t0 = i, .t1 = e, .days = c->today + 14, .rel = true, .strong = true, .asap = true};
    return true;
}

static bool date_at(const struct ctx *c, size_t i, struct dhit *h) {
    const struct tok *k = &c->t[i];
    /* every reading below starts at a number or a word with one of these roles: most
     * tokens are none */
    if (k->kind != TK_NUM && !(k->roles & (R_TUNIT | R_DATEW | R_MONTH | R_DWORD | R_IN)))
        return false;
    /* date_quarter_words() starts only at a time unit, an ordinal or a number */
    if (((k->roles & (R_TUNIT | R_DATEW)) || k->kind == TK_NUM) && date_quarter_words(c, i, h))
        return true;
    if (dword(c, i) == DWK_MID && date_mid(c, i, h))
        return true;
    if (k->kind == TK_NUM)
        return date_numeric(c, i, h) || date_day_month(c, i, h) || date_numeric_short(c, i, h);
    if (k->roles & R_MONTH)
        return date_month(c, i, h);
    if ((k->roles & R_TUNIT) && (date_holy_week(c, i, h) || date_cw(c, i, h) ||
                                 date_quarter_unit(c, i, h) || date_next(c, i, h)))
        return true;
    if (k->roles & (R_DWORD | R_IN | R_DATEW))
        return date_end(c, i, h) || date_quarter(c, i, h) || date_cw(c, i, h) ||
               date_holiday(c, i, h) || date_next(c, i, h) || date_in(c, i, h) ||
               date_asap(c, i, h) || date_fiscal(c, i, h);
    return false;
}

/* A word of a language file's listed section at k (offer_words, start_words, could_words),
 * tried only where such a word may be. */
static bool listed_word(const struct ctx *c, int section, size_t k) {
    return kind(c, k, TK_WORD) && role(c, k, R_PATSTART) &&
           (dw__ex_kwdefs[c->t[k].kw - 1].psect >> section & 1) && dw__ex_lang_word(c, section, k);
}

/* "could start next month", "wir könnten im März starten", "podríamos empezar en marzo": a
 * start the customer merely could make, in the date's clause without a deadline word
 * before the date: no deadline. */
static bool could_start(const struct ctx *c, size_t t0, size_t t1) {
    bool could = false, start = false;
    for (size_t k = t0; k-- > 0 && t0 - k <= 8 && !clause_end(c, k);) {
        could = could || listed_word(c, LS_could_words, k);
        start = start || listed_word(c, LS_start_words, k);
    }
    for (size_t k = t1; could && !start && k < t1 + 3 && k < c->nt && !clause_end(c, k); k++)
        start = listed_word(c, LS_start_words, k);
    return could && start;
}

/* "on 2026-11-25", "since March", "Sent: Friday, November 20": the date of an event or of
 * a quoted e-mail, not a deadline; but "Start am 1. Februar", "start on 1 March" is the
 * start the customer wants. */
static bool event_date(const struct ctx *c, size_t t0) {
    static const char *const words[] = {
        "on",       "since",    "from",   "starting", "start",     "started",    "signed",
        "dated",    "sent",     "date",   "am",       "seit",      "ab",         "vom",
        "datum",    "gesendet", "monday", "tuesday",  "wednesday", "thursday",   "friday",
        "saturday", "sunday",   "mon",    "tue",      "wed",       "thu",        "fri",
        "sat",      "sun",      "montag", "dienstag", "mittwoch",  "donnerstag", "freitag",
        "samstag",  "sonntag"};
    size_t k = t0;
    if (k > 0 && (sym1(c, k - 1) == ',' || sym1(c, k - 1) == ':'))
        k--;
    if (k > 1 && listed_word(c, LS_start_words, k - 2))
        return false; /* "Start am 1. Februar 2027" */
    if (k > 0 && role(c, k - 1, R_DATEW) && kval(c, k - 1) > WDAY_BASE)
        return true; /* a weekday in any of the six languages */
    for (size_t w = 0; k > 0 && w < DW_ARRAY_SIZE(words); w++)
        if (is(c, k - 1, words[w]))
            return true;
    return false;
}

/* A deadline word earlier in the sentence of a date at t0, with no other date between: "vor
 * den Sommerferien, die … am 29. Juli beginnen", "ready for the spring term on 4 January".
 * `after`: the end of the last date read. */
static bool trigger_in_sentence(const struct ctx *c, size_t t0, size_t after) {
    for (size_t k = t0; k-- > 0 && t0 - k <= 12 && k >= after;) {
        if (sent_end(c, k))
            return false;
        if (role(c, k, R_DTRIG))
            return true;
        /* the project's milestone: "Installation in January", "Inbetriebnahme im März",
         * "mise en service en mars" (project_events of lang/LANG.yaml) */
        if (kind(c, k, TK_WORD) && role(c, k, R_PATSTART) &&
            (dw__ex_kwdefs[c->t[k].kw - 1].psect >> LS_project_events & 1) &&
            dw__ex_lang_match(c, LS_project_events, k))
            return true;
    }
    return false;
}

/* A date the customer rules out: "SD-WAN maybe later, not this year", "nicht dieses Jahr". */
static bool negated_date(const struct ctx *c, size_t t0) {
    return t0 > 0 && role(c, t0 - 1, R_NEG) && !role(c, t0 - 1, R_DTRIG);
}

/* Every date claims its tokens; the deadline is the first one said to be a deadline (by
 * its words or a "by"/"before"/"until" in front), else the first one with a deadline word
 * earlier in its sentence, else the first one not in the past. A date said not to be one
 * ("not this year") is none. */
json_t *dw__ex_extract_deadline(struct ctx *c) {
    struct dhit best = {0}, future = {0}, last = {0}, sbest = {0}, h;
    bool have_best = false, have_future = false, have_last = false, have_sbest = false,
         asap_best = false;
    for (size_t i = 0; i < c->nt;) {
        if (!date_at(c, i, &h)) {
            /* "the board meets on 14 January; we need the offer before then" */
            if (have_last && !have_best &&
                (((is(c, i, "by") || is(c, i, "before") || is(c, i, "until")) &&
                  is(c, i + 1, "then")) ||
                 (is(c, i, "bis") && is(c, i + 1, "dahin")))) {
                best = last;
                have_best = true;
            }
            i++;
            continue;
        }
        size_t after = have_last ? last.t1 : 0;
        claim(c, h.t0, h.t1);
        /* "SD-WAN maybe later, not this year" */
        bool trig = trigger_before(c, h.t0); /* "entro e non oltre il 30 aprile" */
        bool negated = negated_date(c, h.t0) || ((c->t[h.t0].flags & TF_NEG) && !trig);
        if (negated || (!trig && could_start(c, h.t0, h.t1))) {
            i = h.t1;
            continue;
        }
        last = h;
        have_last = true;
        if (!have_best && (h.strong || trig)) {
            best = h;
            have_best = true;
            asap_best = h.asap;
        } else if (have_best && asap_best && !h.asap && (h.strong || trig) && h.days > c->today) {
            best = h; /* "ASAP, at the latest end of January": the date given */
            asap_best = false;
        } else if (!have_best && !have_sbest && h.days > c->today &&
                   trigger_in_sentence(c, h.t0, after)) {
            sbest = h;
            have_sbest = true;
        }
        if (!have_future && !negated && h.days > c->today && !event_date(c, h.t0)) {
            future = h;
            have_future = true;
        }
        i = h.t1;
    }
    if (!have_best && have_sbest) {
        best = sbest;
        have_best = true;
    }
    if (!have_best && !have_future)
        return json_null();
    int conf = !have_best ? 65 : best.rel ? 85 : 95;
    if (!have_best)
        best = future;
    int y;
    unsigned m, d;
    char buf[16];
    dw_civil_from_days(best.days, &y, &m, &d);
    if (y >= 0 && y <= 9999 && m <= 99 && d <= 99) { /* what snprintf() below writes */
        const unsigned v[3] = {(unsigned)y, m, d};
        char *o = buf;
        for (int f = 0; f < 3; f++) {
            for (unsigned div = f ? 10 : 1000; div; div /= 10)
                *o++ = (char)('0' + v[f] / div % 10);
            *o++ = f < 2 ? '-' : '\0';
        }
    } else {
        snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    }
    json_t *o = dw__ex_new_item(c);
    if (!o)
        return NULL;
    dw__ex_put(c, o, "date", json_string_nocheck(buf)); /* digits and '-': ASCII */
    dw__ex_put(c, o, "relative", json_boolean(best.rel));
    dw__ex_put_span(c, o, best.t0, best.t1);
    dw__ex_put_conf(c, o, conf);
    return o;
}

/* Quantities: a count and its unit ("14 Standorte", "a dozen sites", "5 users per
 * site"), with rates, partitives and parts of a total told apart. */
#include "engines/extract/extract-internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- quantities ----------------------------------------------------------------------- */

struct qty {
    size_t t0, t1;
    int64_t value;
    const char *unit;
    size_t u0, u1; /* the unit's words */
    int conf;
    int64_t per_value;    /* a rate times a count: "4 access points per store" x 120 stores */
    const char *per_unit; /* the unit of the count it was multiplied by, or NULL */
};

static const char *const per_list[] = {"per", "pro", "je", "each", "par", "por"};

/* "every" in the six languages: "every store", "chaque magasin", "cada tienda", "ogni
 * negozio", "elke winkel", "jede Filiale". */
static const char *const every_list[] = {"every", "jede", "jedes", "jeder",  "chaque", "cada",
                                         "ogni",  "elke", "elk",   "iedere", "ieder"};

/* The prepositions of a place: "in France", "en Bavière", "nel Lazio" (place_prep()). */
static const char *const prep_list[] = {"in",    "en", "à",  "a",   "im",   "nel",
                                        "nella", "op", "au", "aux", "dans", "em"};

/* Compared with a count's neighbours only for a token whose length and first byte fit one
 * of them (struct dw__ex_word_list). */
static struct dw__ex_word_list per_words = DW_EX_WORD_LIST(per_list),
                               every_words = DW_EX_WORD_LIST(every_list),
                               prep_words = DW_EX_WORD_LIST(prep_list);

static bool per_word(const struct ctx *c, size_t j) {
    return dw__ex_word_in_list(c, j, &per_words);
}

static bool every_word(const struct ctx *c, size_t j) {
    return dw__ex_word_in_list(c, j, &every_words);
}

/* The unit a rate is counted per: "per store", "in each office", "at every site", "for
 * each branch" right after the counted unit; NULL when there is none. */
static const struct phrase *rate_unit(const struct ctx *c, size_t ue) {
    size_t j = ue, e;
    if (is(c, j, "in") || is(c, j, "at") || is(c, j, "for") || is(c, j, "across") ||
        is(c, j, "dans") || is(c, j, "pour") || is(c, j, "für") || is(c, j, "op"))
        j++;
    if (!(per_word(c, j) || every_word(c, j)))
        return NULL;
    return dw__ex_vocab_at(c, c->units, j + 1, &e);
}

bool dw__ex_currency_sign(const struct ctx *c, size_t i) {
    return is(c, i, "€") || is(c, i, "$") || is(c, i, "£") || is(c, i, "¥");
}

/* ---- compound heads ------------------------------------------------------------------- */

/* A noun a German or Dutch compound may end in: a built-in one-word noun of those languages,
 * at least four bytes long. */
static bool head_noun(const struct phrase *p) {
    return (p->lang & (LANG_DE | LANG_NL)) && p->nt == 1 && p->t[0].e - p->t[0].s >= 4;
}

/* The head nouns bucketed by their last four bytes (every head has them), each bucket
 * longest first and then in the index's order: the first head a word ends in is the one
 * the scan of every unit (compound_scan()) chooses. */
#define HEAD_BUCKETS 256

struct head {
    const char *w;
    uint32_t len, ph; /* its length; the phrase's index in the units index */
    uint32_t bucket;
};

struct dw__ex_heads {
    uint32_t start[HEAD_BUCKETS + 1]; /* bucket b is h[start[b]..start[b + 1]) */
    struct head h[];
};

static uint32_t head_bucket(const char *end) {
    uint32_t x;
    memcpy(&x, end - 4, 4);
    return (x * 2654435761u) >> 24;
}

static int cmp_head(const void *a, const void *b) {
    const struct head *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->ph < y->ph ? -1 : x->ph > y->ph;
}

int dw__ex_unit_heads_build(struct tindex *ix) {
    size_t n = 0;
    for (size_t k = 0; k < ix->n; k++)
        n += head_noun(&ix->ph[k]);
    struct dw__ex_heads *hx = calloc(1, sizeof *hx + n * sizeof hx->h[0]);
    if (!hx)
        return -DW_ENOMEM;
    size_t m = 0;
    for (size_t k = 0; k < ix->n; k++) {
        const struct phrase *p = &ix->ph[k];
        if (!head_noun(p))
            continue;
        uint32_t len = p->t[0].e - p->t[0].s;
        const char *w = p->lo + p->t[0].s;
        hx->h[m++] = (struct head){w, len, (uint32_t)k, head_bucket(w + len)};
    }
    qsort(hx->h, n, sizeof hx->h[0], cmp_head);
    for (size_t k = 0, b = 0; b <= HEAD_BUCKETS; b++) {
        while (k < n && hx->h[k].bucket < b)
            k++;
        hx->start[b] = (uint32_t)k;
    }
    ix->heads = hx;
    return 0;
}

/* The longest head noun w[0..n) ends in with at least three bytes before it, the first of
 * the index's order among equals; NULL if none. The plain reading of compound_head(). */
static const struct phrase *compound_scan(const struct tindex *units, const char *w, size_t n) {
    const struct phrase *best = NULL;
    for (size_t k = 0; k < units->n; k++) {
        const struct phrase *p = &units->ph[k];
        if (!(p->lang & (LANG_DE | LANG_NL)) || p->nt != 1)
            continue;
        size_t pl = p->t[0].e - p->t[0].s;
        if (pl < 4 || pl + 3 > n || memcmp(w + n - pl, p->lo + p->t[0].s, pl) != 0)
            continue;
        if (!best || pl > best->t[0].e - best->t[0].s)
            best = p;
    }
    return best;
}

/* The same from the heads of w's last four bytes (n >= 7). */
static const struct phrase *compound_head(const struct tindex *units, const char *w, size_t n) {
    const struct dw__ex_heads *hx = units->heads;
    uint32_t b = head_bucket(w + n);
    for (uint32_t k = hx->start[b]; k < hx->start[b + 1]; k++) {
        const struct head *h = &hx->h[k];
        if (h->len + 3 <= n && memcmp(w + n - h->len, h->w, h->len) == 0)
            return &units->ph[h->ph];
    }
    return NULL;
}

/* A German or Dutch compound whose last part is a built-in unit noun: "Supermarktfilialen"
 * is "Filialen", "Logistikstandorte" "Standorte", "kledingwinkels" "winkels"; at least three
 * letters before the head, and not a word of dw__compound_stop ("Netzwerke"). */
static const struct phrase *compound_unit(const struct ctx *c, size_t j) {
    if (!c->units || c->t[j].kind != TK_WORD || (c->t[j].flags & TF_APOS))
        return NULL;
    const char *w = c->lo + c->t[j].s;
    size_t n = tlen(c, j);
    if (n < 7 || n > 48)
        return NULL;
    const struct phrase *best = c->units->heads && !dw__ex_plain ? compound_head(c->units, w, n)
                                                                 : compound_scan(c->units, w, n);
    /* most words end in no head: the stop words are only looked at for those that do */
    for (size_t k = 0; best && k < dw__n_compound_stop; k++)
        if (strlen(dw__compound_stop[k]) == n && memcmp(dw__compound_stop[k], w, n) == 0)
            return NULL;
    return best;
}

/* A unit noun at j: the vocabulary's, or a compound ending in a built-in one. */
const struct phrase *dw__ex_unit_at(const struct ctx *c, size_t j, size_t *ret_end) {
    const struct phrase *u = dw__ex_vocab_at(c, c->units, j, ret_end);
    if (!u && free_at(c, j) && (u = compound_unit(c, j)))
        *ret_end = j + 1;
    return u;
}

/* A unit within two words after j ("200 named users"); returns it and its end. */
static const struct phrase *unit_after(const struct ctx *c, size_t j, size_t *ret_end,
                                       size_t *ret_start) {
    for (int f = 0; f <= 2 && j < c->nt; f++, j++) {
        if (c->claim[j])
            return NULL;
        /* "20 cold-storage warehouses": a hyphen inside a modifier is not a word of its own */
        if (f > 0 && is(c, j, "-") && glued(c, j)) {
            f--;
            continue;
        }
        const struct phrase *u = dw__ex_unit_at(c, j, ret_end), *head;
        size_t e;
        /* "40 branch offices": the last noun of a compound is the unit */
        size_t u0 = j;
        while (u && (head = dw__ex_vocab_at(c, c->units, *ret_end, &e))) {
            u = head;
            *ret_end = e;
        }
        if (u && !claimed(c, j, *ret_end))
            *ret_start = u0;
        if (u)
            return claimed(c, j, *ret_end) ? NULL : u;
        if (c->t[j].kind != TK_WORD ||
            (c->t[j].roles & (R_STOP | R_NEG | R_CLAUSE | R_NUMW | R_SCALE | R_TUNIT | R_CUR |
                              R_MULT | R_PCT | R_PER | R_MONTH)))
            return NULL;
    }
    return NULL;
}

/* Is the number at i the end of a capability's name ("Wi-Fi 6", "Wi-Fi 7")? */
static bool in_capability(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 4;) {
        size_t e;
        if (dw__ex_vocab_at(c, c->caps, k, &e) && e > i)
            return true;
    }
    return false;
}

/* A definite article or possessive after "per", "par", "por": "60 access point per i
 * piazzali", "por las tiendas" say what the count is for; a rate has none ("per negozio"). */
static bool determiner(const struct ctx *c, size_t j) {
    static const char *const w[] = {
        "the", "our",    "i",      "il",     "la",       "le",       "lo",  "gli", "l",
        "les", "nos",    "los",    "las",    "el",       "die",      "den", "das", "de",
        "het", "nostri", "nostre", "unsere", "nuestros", "nuestras", "onze"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(w); k++)
        if (is(c, j, w[k]))
            return true;
    return false;
}

/* A count per something is a rate, not a quantity: "3 access points per store", "je Filiale
 * ca. 10 Access Points", "two switches each". */
static bool rate_of(const struct ctx *c, size_t i, size_t ue) {
    size_t ce;
    if (per_word(c, ue) &&
        (is(c, ue, "each") || (kind(c, ue + 1, TK_WORD) && !determiner(c, ue + 1))) &&
        !dw__ex_vocab_at(c, c->caps, ue + 1, &ce)) /* "Umspannwerke per SD-WAN" is a means */
        return true;
    /* "je Autohaus ca. 10": per, one word, then only approximations up to the number */
    for (size_t k = i; k-- > 0 && i - k <= 5;) {
        if (clause_end(c, k) && sym1(c, k) != '.')
            break;
        size_t ne;
        /* per and a unit noun: "je Autohaus", "pro Filiale"; not the Italian "per le 7
         * sedi" (for the seven sites) */
        if (per_word(c, k) && !is(c, k, "each") && kind(c, k + 1, TK_WORD) &&
            dw__ex_unit_at(c, k + 1, &ne)) {
            for (size_t m = k + 2; m < i; m++)
                if (!(is(c, m, "ca") || is(c, m, ".") || is(c, m, "about") || is(c, m, "around") ||
                      is(c, m, "rund") || is(c, m, "etwa") || is(c, m, "approx") ||
                      is(c, m, "roughly") || is(c, m, "circa")))
                    return false;
            return true;
        }
    }
    return false;
}

/* The unit a rate is counted per when it comes first: "Each of our hotels needs 12 access
 * points", "each school needs 20", "pro Filiale 3 Access Points", "je Autohaus ca. 4",
 * "chaque magasin a besoin de 4": per, each or every, the unit, then at most three words
 * before the number; NULL otherwise. */
static const struct phrase *rate_unit_before(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 8;) {
        if (clause_end(c, k) && sym1(c, k) != '.')
            return NULL;
        if (sym1(c, k) == '.' && !is(c, k + 1, "ca") && !(k > 0 && is(c, k - 1, "ca")))
            return NULL; /* a sentence ends (but "ca." does not) */
        if (!(per_word(c, k) || every_word(c, k)))
            continue;
        size_t j = k + 1, e;
        if (is(c, j, "of"))
            j++;
        if (is(c, j, "our") || is(c, j, "the") || is(c, j, "these") || is(c, j, "your"))
            j++;
        if (kind(c, j, TK_NUM)) /* "each of our 30 hotels needs 12" */
            j++;
        const struct phrase *u = dw__ex_vocab_at(c, c->units, j, &e);
        if (!u || e > i || i - e > 3)
            return NULL;
        for (size_t m = e; m < i; m++) {
            if (c->t[m].kind != TK_WORD && !is(c, m, ".") && !is(c, m, ":"))
                return NULL;
            /* "firewall at each practice and monitoring for 8 devices": the per phrase
             * ended with what it qualified; the count after "and" is a count of its own */
            if (is(c, m, "and") || is(c, m, "und") || is(c, m, "et") || is(c, m, "y") ||
                is(c, m, "e") || is(c, m, "en") || is(c, m, "plus") || is(c, m, "sowie"))
                return NULL;
        }
        return u;
    }
    return NULL;
}

/* The approximations before a count in six languages: "about", "ca.", "environ", "unos",
 * "circa", "ongeveer". */
static bool approx_word(const struct ctx *c, size_t j) {
    return is(c, j, "about") || is(c, j, "approx") || is(c, j, "around") || is(c, j, "ca") ||
           is(c, j, "circa") || is(c, j, "etwa") || is(c, j, "rund") || is(c, j, "roughly") ||
           is(c, j, "ongeveer") || is(c, j, "environ") || is(c, j, "aproximadamente") ||
           is(c, j, "unos") || is(c, j, "unas") || is(c, j, "cerca") || is(c, j, "di") ||
           is(c, j, "ungefähr") || is(c, j, "zirka") || is(c, j, "~") || is(c, j, ".");
}

/* "(about 600)", "(ca. 80 Stück)", "(600 units)", "(une quarantaine)" right after a unit:
 * the count and the end after ")". */
static size_t paren_count(const struct ctx *c, size_t j, int64_t *ret) {
    if (!is(c, j, "("))
        return 0;
    j++;
    while (approx_word(c, j))
        j++;
    size_t e;
    bool words = role(c, j, R_NUMW) || (role(c, j, R_ARTICLE) && role(c, j + 1, R_DOZEN));
    if (!(kind(c, j, TK_NUM) || words) || !dw__ex_parse_count(c, j, ret, &e) || claimed(c, j, e))
        return 0;
    /* the piece word in the six languages: "Stück", "pcs", "pezzi", "stuks", "pièces" */
    if (is(c, e, "stück") || is(c, e, "units") || is(c, e, "pcs") || is(c, e, "stk") ||
        is(c, e, "pieces") || is(c, e, "pezzi") || is(c, e, "pz") || is(c, e, "unità") ||
        is(c, e, "stuks") || is(c, e, "st") || is(c, e, "pièces") || is(c, e, "unités") ||
        is(c, e, "piezas") || is(c, e, "unidades") || is(c, e, "in") || is(c, e, "total") ||
        is(c, e, "insgesamt"))
        e++;
    if (is(c, e, "total"))
        e++;
    return is(c, e, ")") ? e + 1 : 0;
}

/* "puntos de acceso para las tiendas (unos 90)", "access points for the stores (about 90)":
 * a unit, a word of purpose, perhaps an article, another unit, then the count in brackets,
 * which counts the first. The count's end, or 0. */
static size_t purpose_paren(const struct ctx *c, size_t ue, int64_t *ret) {
    if (!(is(c, ue, "for") || is(c, ue, "para") || is(c, ue, "pour") || is(c, ue, "per") ||
          is(c, ue, "für") || is(c, ue, "voor")))
        return 0;
    size_t j = ue + 1, e;
    while (j < ue + 3 && kind(c, j, TK_WORD) && !dw__ex_vocab_at(c, c->units, j, &e))
        j++; /* "las", "our", "i nostri" */
    if (!dw__ex_vocab_at(c, c->units, j, &e) || claimed(c, j, e))
        return 0;
    return paren_count(c, e, ret);
}

static bool place_prep(const struct ctx *c, size_t j) {
    return dw__ex_word_in_list(c, j, &prep_words);
}

/* After a count's unit at ue, "in France and 6 in Belgium", "en Bavière et 4 en Tyrol",
 * "in Italia e 6 in Svizzera": a number with no unit of its own, placed like the count
 * before it, counts the same unit. Its end (and start in *ret_s0), or 0. */
static size_t elided_count(const struct ctx *c, size_t ue, int64_t *ret, size_t *ret_s0) {
    if (!place_prep(c, ue))
        return 0;
    size_t j = ue + 1, e;
    for (int w = 0; w < 4 && j < c->nt && !clause_end(c, j) && !kind(c, j, TK_NUM); w++, j++)
        if (is(c, j, "and") || is(c, j, "und") || is(c, j, "et") || is(c, j, "y") ||
            is(c, j, "e") || is(c, j, "en"))
            break;
    if (!(is(c, j, "and") || is(c, j, "und") || is(c, j, "et") || is(c, j, "y") || is(c, j, "e") ||
          is(c, j, "en")) ||
        j == ue + 1)
        return 0;
    j++;
    if (!kind(c, j, TK_NUM) || c->claim[j] || !dw__ex_parse_count(c, j, ret, &e) ||
        claimed(c, j, e) || !place_prep(c, e) || e + 1 >= c->nt ||
        !is_upper_start((const unsigned char *)c->text, c->len, c->t[e + 1].s))
        return 0;
    *ret_s0 = j;
    return e;
}

/* ", circa 45", ", about 60" right after a unit (and at most two more words, "IP67" one),
 * ending the clause: the count's end, or 0. */
static size_t comma_count(const struct ctx *c, size_t ue, int64_t *ret) {
    size_t j = ue;
    for (int w = 0; w < 2 && kind(c, j, TK_WORD) && !c->claim[j]; w++)
        j += kind(c, j + 1, TK_NUM) && glued(c, j + 1) ? 2 : 1;
    if (sym1(c, j) != ',' || !approx_word(c, j + 1) || is(c, j + 1, "di") || is(c, j + 1, "."))
        return 0;
    j += 2;
    while (approx_word(c, j))
        j++;
    size_t e;
    if (!kind(c, j, TK_NUM) || !dw__ex_parse_count(c, j, ret, &e) || claimed(c, j, e))
        return 0;
    return e >= c->nt || sent_end(c, e) || sym1(c, e) == ';' ? e : 0;
}

/* Words that introduce a part of a count just given: "12 sites, of which 9 clinics",
 * "zwölf Standorte, davon neun Praxen", "dont 9 cliniques", "de los cuales 9", "di cui 9",
 * "waarvan 9", "including 3 warehouses". */
static bool partitive_before(const struct ctx *c, size_t i) {
    static const char *const pats[] = {"of {them|those|which|these}",
                                       "among {them|those|which}",
                                       "{including|incl|inkl|inklusive}",
                                       "{davon|darunter|hiervon}",
                                       "{dont|parmi}",
                                       "de {los|las} cuales",
                                       "entre {ellos|ellas}",
                                       "{incluidas|incluidos|incluyendo}",
                                       "{di|tra} cui",
                                       "{waarvan|waaronder|inclusief}",
                                       "{y|et|e|en|und|and} {davon|dont|waarvan}"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(pats); k++)
        if (dw__ex_pat_before(c, i, pats[k]) != SIZE_MAX)
            return true;
    if (i > 0 && is(c, i - 1, "."))
        return i > 1 && (is(c, i - 2, "incl") || is(c, i - 2, "inkl")) &&
               dw__ex_pat_before(c, i - 1, "{incl|inkl}") != SIZE_MAX;
    return false;
}

/* Is the count at token i (value n, unit u) a part of a larger count of the same unit given
 * just before it? "12 locations; nine of those...", "zwölf Standorte (davon neun Praxen)",
 * "12 sites: 9 clinics and 3 labs". The site count is then the total, so the part is not
 * reported. *open marks a list of parts ("(", ":") still running after the first part. */
static bool part_of_total(const struct ctx *c, const struct qty *q, size_t nq, size_t i, int64_t n,
                          const char *unit, size_t *open) {
    const struct qty *tot = NULL;
    for (size_t k = nq; k-- > 0;)
        if (strcmp(q[k].unit, unit) == 0 && q[k].t1 <= i) {
            tot = &q[k];
            break;
        }
    if (!tot || tot->value <= n)
        return false;
    for (size_t k = tot->t1; k < i; k++)
        if (sent_end(c, k) && !is(c, k, ";") && sym1(c, k) != ',')
            return false; /* the total is in an earlier sentence */
    if (partitive_before(c, i)) {
        *open = i; /* "14 sedi, di cui 9 negozi e 5 magazzini": the list of parts goes on */
        return true;
    }
    if (*open && *open <= i && i - *open <= 12)
        return true;
    /* a list of parts right after the total: "12 sites (9 clinics, 3 labs)", "12 sites: 9..." */
    size_t j = tot->t1;
    if (j < i && (is(c, j, "(") || is(c, j, ":") || is(c, j, "–") || is(c, j, "—")) && i - j <= 3) {
        *open = i;
        return true;
    }
    /* or in brackets a few words on: "5 strutture in provincia di Padova (un ospedale e 4
     * poliambulatori)", "12 sites in Bavaria (9 clinics, 3 labs)" */
    for (size_t k = j; k < i && k <= j + 8; k++)
        if (is(c, k, "(")) {
            for (size_t m = k + 1; m < i; m++)
                if (is(c, m, ")"))
                    return false;
            *open = i;
            return true;
        }
    return false;
}

/* The last words of total_before()'s patterns. */
static bool total_word(const struct ctx *c, size_t j) {
    return is(c, j, "total") || is(c, j, "totale") || is(c, j, "totaal") || is(c, j, "insgesamt") ||
           is(c, j, "gesamt") || is(c, j, "overall") || is(c, j, "complessivamente") ||
           is(c, j, "all") || is(c, j, "summe") || is(c, j, "tutto") || is(c, j, "samen") ||
           is(c, j, "bij elkaar") || is(c, j, "ganzen") || is(c, j, "zusammen") ||
           is(c, j, "together");
}

/* Words that give a total after its parts: "10 negozi a Roma, 6 a Milano … In totale 17
 * sedi", "in total", "insgesamt", "au total", "en total", "in totaal", "alles samen". */
static bool total_before(const struct ctx *c, size_t i) {
    /* every pattern below ends in a word of total_word(): they are tried only after one
     * (the plain reading tries them everywhere) */
    if (!dw__ex_plain && !(i > 0 && total_word(c, i - 1)))
        return false;
    static const char *const pats[] = {
        "{in|en|au} {total|totale|totaal}",
        "{insgesamt|totaal|totale|total|gesamt|overall|complessivamente}",
        "in {all|summe|tutto}",
        "alles {samen|bij elkaar}",
        "{im|in} ganzen",
        "{zusammen|samen|together}"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(pats); k++) {
        size_t b = dw__ex_pat_before(c, i, pats[k]);
        if (b != SIZE_MAX)
            return true;
    }
    return false;
}

/* A total given after its parts ("10 negozi a Roma, 6 negozi a Milano. In totale 17
 * sedi"): the earlier counts of its unit, no more than it together and within the last
 * eight lines or sentences, are its parts. Marks them in part[]. */
static void parts_before_total(const struct ctx *c, const struct qty *q, size_t nq, bool *part) {
    for (size_t k = 0; k < nq; k++) {
        /* a count with no earlier one of its unit has no parts before it: its words are
         * not looked at (the plain reading looks) */
        bool earlier = dw__ex_plain;
        for (size_t m = 0; m < k && !earlier; m++)
            earlier = !part[m] && strcmp(q[m].unit, q[k].unit) == 0;
        if (!earlier || !total_before(c, q[k].t0))
            continue;
        int64_t sum = 0;
        size_t first = k, breaks = 0;
        for (size_t m = k; m-- > 0;) {
            if (strcmp(q[m].unit, q[k].unit) != 0 || part[m])
                continue;
            for (size_t t = q[m].t1; t < q[first].t0; t++)
                breaks += sent_end(c, t);
            if (breaks > 8 || sum + q[m].value > q[k].value)
                break;
            sum += q[m].value;
            first = m;
        }
        if (first < k && sum > 0)
            for (size_t m = first; m < k; m++)
                part[m] = part[m] || strcmp(q[m].unit, q[k].unit) == 0;
    }
}

/* A weak number word ("once", "due", "sei") counts only right before a unit noun of its own
 * language: "once tiendas", "due negozi", not "once stores open". */
static bool weak_count_ok(const struct ctx *c, const struct qty *q) {
    if (!(c->t[q->t0].flags & TF_WEAKNUM))
        return true;
    uint8_t wl = 0;
    for (size_t w = 0; w < dw__ex_n_weak_numbers; w++)
        if (is_n(c, q->t0, dw__ex_weak_numbers[w].w, strlen(dw__ex_weak_numbers[w].w)))
            wl = dw__ex_weak_numbers[w].lang;
    size_t e;
    const struct phrase *u = q->u0 == q->t0 + 1 ? dw__ex_unit_at(c, q->u0, &e) : NULL;
    return u && (u->lang & wl);
}

static json_t *qty_json(struct ctx *c, const struct qty *q) {
    json_t *o = dw__ex_new_item(c);
    if (o) {
        dw__ex_put(c, o, "value", json_integer(q->value));
        dw__ex_put(c, o, "unit", dw__ex_name_json(c, q->unit));
        size_t cs = c->t[q->u0].s, ce = c->t[q->u1 - 1].e;
        dw__ex_put(c, o, "counts", dw__ex_text_json(c, cs, ce));
        if (q->per_unit)
            dw__ex_put(
                c, o, "per",
                json_pack("{s:I, s:s}", "value", (json_int_t)q->per_value, "unit", q->per_unit));
        dw__ex_put_span(c, o, q->t0, q->t1);
        dw__ex_put_conf(c, o, q->conf);
    }
    return o;
}

/* The counts in text order without the parts of a total (kept in notes: a fact, not the
 * count) and the weak number words that do not count; returns how many are kept. */
static size_t keep_counts(struct ctx *c, struct qty *q, size_t nq, json_t *notes) {
    size_t kept = 0, open = 0;
    bool later[DW_EXTRACT_MAX_ITEMS] = {0};
    parts_before_total(c, q, nq, later);
    for (size_t k = 0; k < nq; k++) {
        if (!weak_count_ok(c, &q[k]))
            continue;
        if (!later[k] && !part_of_total(c, q, kept, q[k].t0, q[k].value, q[k].unit, &open)) {
            q[kept++] = q[k];
            continue;
        }
        json_t *o =
            notes && json_array_size(notes) < DW_EXTRACT_MAX_ITEMS ? qty_json(c, &q[k]) : NULL;
        if (o) {
            dw__ex_put(c, o, "field", json_string("quantities"));
            dw__ex_put(c, o, "why", json_string("a part of a count given before it"));
            dw__ex_append(c, notes, o);
        }
    }
    return kept;
}

/* ---- text tables ---------------------------------------------------------------------- */

/* A table written as text: a header row naming what each column counts, rows, perhaps a
 * total row, the cells split by pipes, tabs or runs of two or more spaces:
 *
 *     Sede    | Utenti | AP          Locatie\tMedewerkers\tAccess points
 *     Milano  |   40   |  6          Amsterdam\t120\t14
 *     Totale  |  100   | 15          Totaal\t245\t28
 *
 * A column whose header is a unit counts that unit: the total row's cell when there is one
 * ("Total", "Gesamt", "Totale", "Totaal", "Total général"...), else the sum of the rows. A
 * first column headed by a unit ("Sede", "Standort", "Locatie") counts its rows. */

#define TABLE_COLS 12
#define TABLE_ROWS 64

struct cell {
    size_t s, e;
};

struct trow {
    size_t s, e; /* the line */
    struct cell cell[TABLE_COLS];
    size_t n;
    char sep;
    bool rule; /* "---|---", "=====" */
};

/* Cut the line [s, e) into cells; false when it is not a row of two or more cells. */
static bool split_row(const char *text, size_t s, size_t e, struct trow *r) {
    while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '>'))
        s++;
    while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
        e--;
    *r = (struct trow){.s = s, .e = e};
    if (s == e)
        return false;
    r->sep = memchr(text + s, '|', e - s) ? '|' : memchr(text + s, '\t', e - s) ? '\t' : ' ';
    size_t a = s;
    for (size_t i = s; i <= e; i++) {
        bool cut = i == e;
        size_t skip = 1;
        if (!cut && r->sep == '|')
            cut = text[i] == '|';
        else if (!cut && r->sep == '\t')
            cut = text[i] == '\t';
        else if (!cut && text[i] == ' ' && i + 1 < e && text[i + 1] == ' ')
            cut = true;
        if (!cut)
            continue;
        size_t cs = a, ce = i;
        while (cs < ce && (text[cs] == ' ' || text[cs] == '\t'))
            cs++;
        while (ce > cs && (text[ce - 1] == ' ' || text[ce - 1] == '\t'))
            ce--;
        /* "| a | b |": no empty cell before the first pipe or after the last */
        bool edge = r->sep == '|' && cs == ce && (a == s || i == e);
        if (!edge) {
            if (r->n == TABLE_COLS)
                return false;
            r->cell[r->n++] = (struct cell){cs, ce};
        }
        if (r->sep != '|' && r->sep != '\t' && !(i == e))
            while (i + skip < e && text[i + skip] == ' ')
                skip++;
        i += skip - 1;
        a = i + 1;
    }
    bool rule = true;
    for (size_t k = s; k < e && rule; k++)
        rule = strchr("-=+:| \t", text[k]) != NULL;
    r->rule = rule;
    return r->n >= 2 || rule;
}

/* A whole number in a cell: "40", "1.200", "1,200", "1'200", "ca. 80", "~12"; -1 otherwise
 * (also for an empty cell or "-", which count as 0 with *blank set). */
static int64_t cell_number(const char *text, const struct cell *cl, bool *blank) {
    size_t s = cl->s, e = cl->e;
    *blank = s == e || (e - s == 1 && (text[s] == '-' || text[s] == '/'));
    if (*blank)
        return 0;
    if (e - s > 4 && (memcmp(text + s, "ca. ", 4) == 0 || memcmp(text + s, "ca.", 3) == 0))
        s += text[s + 3] == ' ' ? 4 : 3;
    if (s < e && text[s] == '~')
        s++;
    while (s < e && text[s] == ' ')
        s++;
    int64_t v = 0;
    size_t digits = 0, group = 0;
    bool grouped = false;
    for (size_t i = s; i < e; i++) {
        char ch = text[i];
        if (ch >= '0' && ch <= '9') {
            if (v > 100000000)
                return -1;
            v = v * 10 + (ch - '0');
            digits++;
            group++;
        } else if ((ch == '.' || ch == ',' || ch == '\'') && digits && i + 1 < e) {
            if (grouped && group != 3)
                return -1;
            grouped = true;
            group = 0;
        } else {
            return -1;
        }
    }
    if (!digits || (grouped && group != 3))
        return -1;
    return v;
}

/* "Total", "Totale", "Totaal", "Gesamt", "Summe", "Total général", "Totales", "In totaal". */
static bool total_cell(const struct ctx *c, const struct cell *cl) {
    static const char *const words[] = {"total",   "totale",    "totaal",      "gesamt",    "summe",
                                        "totales", "totali",    "totals",      "insgesamt", "sum",
                                        "tot",     "in totaal", "gesamtsumme", "somma"};
    size_t n = cl->e - cl->s;
    const char *w = c->lo + cl->s;
    for (size_t k = 0; k < DW_ARRAY_SIZE(words); k++) {
        size_t l = strlen(words[k]);
        if (n >= l && memcmp(w, words[k], l) == 0 &&
            (n == l || w[l] == ' ' || w[l] == '.' || w[l] == ':'))
            return true;
    }
    return false;
}

/* The first token at or after byte b. */
static size_t first_tok(const struct ctx *c, size_t b) {
    size_t lo = 0, hi = c->nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->t[mid].s < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The unit a header cell names ("AP", "Utenti", "Access points", "Anzahl Standorte"), with
 * the tokens of its words; NULL when none, or when the cell's words are not in this view. */
static const struct phrase *header_unit(const struct ctx *c, const struct cell *cl, size_t *u0,
                                        size_t *u1) {
    size_t k = first_tok(c, cl->s);
    if (k >= c->nt || c->t[k].s != cl->s)
        return NULL;
    for (; k < c->nt && c->t[k].e <= cl->e; k++) {
        size_t e;
        const struct phrase *u = dw__ex_unit_at(c, k, &e);
        if (!u && (c->t[k].flags & TF_APOS) && is(c, k, "aps")) /* "AP's" */
            for (size_t p = 0; p < c->units->n && !u; p++)
                if (c->units->ph[p].nt == 1 && c->units->ph[p].len == 3 &&
                    memcmp(c->units->ph[p].lo, "aps", 3) == 0)
                    u = &c->units->ph[p], e = k + 1;
        if (u && e > k && c->t[e - 1].e <= cl->e) {
            /* "AP's": the apostrophe and its s belong to the word */
            *u0 = k;
            *u1 = e;
            return u;
        }
        if (kind(c, k, TK_NUM))
            return NULL;
    }
    return NULL;
}

/* The tokens [*t0, *t1) of the bytes [s, e); false when the view has none of them. */
static bool bytes_tokens(const struct ctx *c, size_t s, size_t e, size_t *t0, size_t *t1) {
    *t0 = first_tok(c, s);
    *t1 = first_tok(c, e);
    return *t0 < *t1 && c->t[*t0].s == s;
}

/* Read one table starting at header row h (rows[0]) with data rows rows[1..nr). */
static size_t read_table(struct ctx *c, const struct trow *rows, size_t nr, struct qty *q,
                         size_t nq, size_t cap) {
    const struct trow *h = &rows[0];
    size_t t0, t1;
    if (!bytes_tokens(c, h->s, rows[nr - 1].e, &t0, &t1) || claimed(c, t0, t1))
        return nq;
    const struct trow *total = NULL;
    size_t n_data = 0;
    for (size_t r = 1; r < nr; r++) {
        if (rows[r].rule)
            continue;
        if (total_cell(c, &rows[r].cell[0]))
            total = &rows[r];
        else if (!total)
            n_data++;
    }
    if (n_data == 0)
        return nq;
    size_t found = nq;
    const char *seen[TABLE_COLS];
    size_t n_seen = 0;
    for (size_t col = 1; col < h->n && nq < cap; col++) {
        size_t u0, u1;
        const struct phrase *u = header_unit(c, &h->cell[col], &u0, &u1);
        if (!u)
            continue;
        bool blank, ok = true;
        int64_t sum = 0, v = -1;
        for (size_t r = 1; r < nr && ok; r++) {
            if (rows[r].rule || &rows[r] == total)
                continue;
            int64_t x = cell_number(c->text, &rows[r].cell[col], &blank);
            ok = x >= 0;
            sum += x > 0 ? x : 0;
        }
        if (!ok)
            continue;
        size_t v0 = t0, v1 = t1;
        if (total && (v = cell_number(c->text, &total->cell[col], &blank)) > 0) {
            if (!bytes_tokens(c, total->cell[col].s, total->cell[col].e, &v0, &v1))
                continue;
        } else {
            v = sum;
        }
        if (v <= 0)
            continue;
        q[nq++] = (struct qty){v0, v1, v, u->name, u0, u1, 90, 0, NULL};
        seen[n_seen++] = u->name;
    }
    if (nq == found)
        return nq; /* no column counts anything: not a table of counts */
    size_t u0, u1;
    const struct phrase *u = header_unit(c, &h->cell[0], &u0, &u1);
    bool dup = false;
    for (size_t k = 0; u && k < n_seen; k++)
        dup = dup || strcmp(seen[k], u->name) == 0;
    if (u && !dup && nq < cap)
        q[nq++] = (struct qty){t0, t1, (int64_t)n_data, u->name, u0, u1, 85, 0, NULL};
    /* the header and the figures are read; the names in the first column stay for the
     * places ("Milano", "Den Haag") */
    size_t h0, h1;
    if (bytes_tokens(c, h->s, h->e, &h0, &h1))
        claim(c, h0, h1);
    for (size_t r = 1; r < nr; r++)
        for (size_t col = 1; col < rows[r].n; col++) {
            size_t a, b;
            if (bytes_tokens(c, rows[r].cell[col].s, rows[r].cell[col].e, &a, &b))
                claim(c, a, b);
        }
    if (total && bytes_tokens(c, total->cell[0].s, total->cell[0].e, &h0, &h1))
        claim(c, h0, h1);
    return nq;
}

/* Does t[s, e) hold two spaces in a row? Eight bytes at a time, overlapping by one so that a
 * pair across two of them is seen: a space becomes a zero byte, the zero bytes (exactly:
 * no carry crosses a byte) a set high bit, and a set bit with one a byte on is a pair. Every
 * line of every message is searched; the plain reading is memmem(). */
static bool two_spaces(const char *t, size_t s, size_t e) {
    if (dw__ex_plain)
        return memmem(t + s, e - s, "  ", 2) != NULL;
    size_t k = s;
#ifdef __SSE2__
    /* sixteen bytes at a time where the machine has them: a mask of the spaces, and a
     * space with one a byte on is a pair; overlapping by one as below */
    const __m128i sp = _mm_set1_epi8(' ');
    for (; k + 16 <= e; k += 15) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(t + k)), sp));
        if (m & (m >> 1))
            return true;
    }
#endif
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full;
    for (; k + 8 <= e; k += 7) {
        uint64_t x;
        memcpy(&x, t + k, 8);
        x ^= 0x2020202020202020ull;
        uint64_t zero = ~(((x & lo7) + lo7) | x | lo7);
        if (zero & (zero >> 8))
            return true;
    }
    for (; k + 1 < e; k++)
        if (t[k] == ' ' && t[k + 1] == ' ')
            return true;
    return false;
}

/* Every text table of the view's lines. */
static size_t read_tables(struct ctx *c, struct qty *q, size_t nq, size_t cap) {
    struct trow rows[TABLE_ROWS];
    size_t nr = 0, ncols = 0;
    char sep = 0;
    /* most texts have no pipe or no tab at all: their lines are not searched for one */
    bool bars = dw__ex_plain || memchr(c->text, '|', c->len);
    bool tabs = dw__ex_plain || memchr(c->text, '\t', c->len);
    /* a row needs a pipe, a tab or two spaces in a row: a text with none has no table, and
     * its lines need not be walked ("  " never spans a line's end) */
    if (!bars && !tabs && !two_spaces(c->text, 0, c->len))
        return nq;
    for (size_t s = 0; s <= c->len && nq < cap;) {
        const char *nl = memchr(c->text + s, '\n', c->len - s);
        size_t e = nl ? (size_t)(nl - c->text) : c->len;
        struct trow r;
        bool row = (bars && memchr(c->text + s, '|', e - s)) ||
                   (tabs && memchr(c->text + s, '\t', e - s)) ||
                   (e - s >= 8 && two_spaces(c->text, s, e));
        row = row && split_row(c->text, s, e, &r);
        bool fits = row && nr > 0 && (r.rule || (r.sep == sep && r.n == ncols));
        if (!fits && nr >= 3)
            nq = read_table(c, rows, nr, q, nq, cap);
        if (!fits) {
            nr = 0;
            if (row && !r.rule) {
                rows[nr++] = r;
                sep = r.sep;
                ncols = r.n;
            }
        } else if (nr < TABLE_ROWS) {
            rows[nr++] = r;
        }
        if (e >= c->len) {
            if (nr >= 3)
                nq = read_table(c, rows, nr, q, nq, cap);
            break;
        }
        s = e + 1;
    }
    return nq;
}

/* "200 users", "12 sites", "two hundred seats", "5 x gateways", "1,200 endpoints", "a dozen
 * APs", and form style "Users: 200". One entry per mention, in text order. */
void dw__ex_extract_quantities(struct ctx *c, json_t *arr, json_t *notes) {
    struct qty q[DW_EXTRACT_MAX_ITEMS], rates[DW_EXTRACT_MAX_ITEMS];
    size_t nq = read_tables(c, q, 0, DW_EXTRACT_MAX_ITEMS), nr = 0;
    for (size_t i = 0; i < c->nt && nq < DW_EXTRACT_MAX_ITEMS; i++) {
        const struct tok *t = &c->t[i];
        bool weak = t->flags & TF_WEAKNUM;
        /* (the token's own fields: most tokens are no count, and this test is made at each) */
        if ((t->kind != TK_NUM && !(t->roles & (R_NUMW | R_ARTICLE)) && !weak) || c->claim[i])
            continue;
        if (i > 0 && (dw__ex_currency_sign(c, i - 1) || role(c, i - 1, R_CUR)))
            continue;
        int64_t n;
        size_t e, ue;
        if (weak) {
            n = c->t[i].nval;
            e = i + 1;
        } else if (!dw__ex_parse_count(c, i, &n, &e) || claimed(c, i, e)) {
            continue;
        }
        size_t j = e;
        if (is(c, j, "+") && glued(c, j))
            j++;
        if (is(c, j, "x") || is(c, j, "×") || is(c, j, "*") || (is(c, j, "-") && glued(c, j)))
            j++;
        size_t u0 = j;
        const struct phrase *u = unit_after(c, j, &ue, &u0);
        if (!u || in_capability(c, i) || (n == 1 && !kind(c, i, TK_NUM) && u0 != j))
            continue; /* "Wi-Fi 6 access points", "ein eigenes Rechenzentrum" */
        const struct phrase *pu = rate_unit(c, ue);
        if (!pu)
            pu = rate_unit_before(c, i);
        if (pu || rate_of(c, i, ue)) { /* "3 APs per store": a rate, multiplied below */
            if (pu && nr < DW_EXTRACT_MAX_ITEMS && strcmp(pu->name, u->name) != 0)
                rates[nr++] = (struct qty){i, ue, n, u->name, u0, ue, 85, n, pu->name};
            continue;
        }
        int conf = kind(c, i, TK_NUM) ? (u0 == j ? 95 : 90) : 85;
        q[nq++] = (struct qty){i, ue, n, u->name, u0, ue, conf, 0, NULL};
        claim(c, i, ue);
        /* "80 magasins en France et 6 en Belgique": the second count is of the same unit */
        size_t from = ue, s0, s1;
        while (nq < DW_EXTRACT_MAX_ITEMS && (s1 = elided_count(c, from, &n, &s0))) {
            q[nq++] = (struct qty){s0, s1, n, u->name, u0, ue, 85, 0, NULL};
            claim(c, s0, s1);
            from = s1;
        }
        i = ue - 1;
    }
    const bool plain = dw__ex_plain; /* (read once: claim() may write anywhere, to the compiler) */
    for (size_t i = 0; i < c->nt && nq < DW_EXTRACT_MAX_ITEMS; i++) {
        size_t ue, e;
        int64_t n;
        if (c->claim[i] && !plain)
            continue; /* as claimed() below would say of any unit from here */
        const struct phrase *u = dw__ex_vocab_at(c, c->units, i, &ue);
        if (!u && sym1(c, i + 1) == ':' && (u = compound_unit(c, i))) /* "Logistikstandorte: 6" */
            ue = i + 1;
        if (!u || claimed(c, i, ue))
            continue;
        /* "access points (about 600)", "switch PoE (circa 60 pezzi)"; "puntos de acceso
         * para las tiendas (unos 90)": the count of the noun the phrase is about */
        if ((e = paren_count(c, ue, &n)) ||
            (kind(c, ue, TK_WORD) && !c->claim[ue] && (e = paren_count(c, ue + 1, &n))) ||
            (e = purpose_paren(c, ue, &n))) {
            q[nq++] = (struct qty){i, e, n, u->name, i, ue, 85, 0, NULL};
            claim(c, i, e);
            i = e - 1;
            continue;
        }
        /* "access point da esterno IP67, circa 45": an approximate count after a comma that
         * ends the clause */
        if ((e = comma_count(c, ue, &n))) {
            q[nq++] = (struct qty){i, e, n, u->name, i, ue, 85, 0, NULL};
            claim(c, i, e);
            i = e - 1;
            continue;
        }
        char ch = sym1(c, ue);
        if ((ch != ':' && ch != '=') || !dw__ex_parse_count(c, ue + 1, &n, &e) ||
            claimed(c, ue + 1, e) || is(c, e, "%") || role(c, e, R_PCT | R_MULT | R_CUR) ||
            dw__ex_currency_sign(c, e)) {
            i = ue - 1;
            continue;
        }
        q[nq++] = (struct qty){i, e, n, u->name, i, ue, 90, 0, NULL};
        claim(c, i, e);
        i = e - 1;
    }
    /* "4 access points per store" and "120 stores": 480 access points, unless the customer
     * also gave the total ("27 access points, three per store") */
    size_t n_counts = nq;
    for (size_t k = 0; k < nr && nq < DW_EXTRACT_MAX_ITEMS; k++) {
        bool total = false;
        int64_t per = 0;
        for (size_t m = 0; m < n_counts; m++) {
            total = total || strcmp(q[m].unit, rates[k].unit) == 0;
            if (strcmp(q[m].unit, rates[k].per_unit) == 0 && q[m].value > per)
                per = q[m].value;
        }
        int64_t v;
        if (total || per == 0 || dw_mul_checked(rates[k].value, per, &v) < 0 || v > 100000000)
            continue;
        q[nq] = rates[k];
        q[nq++].value = v;
    }
    for (size_t a = 1; a < nq; a++) /* text order */
        for (size_t b = a; b > 0 && q[b - 1].t0 > q[b].t0; b--) {
            struct qty tmp = q[b];
            q[b] = q[b - 1];
            q[b - 1] = tmp;
        }

    /* parts of a total already given, and weak number words before a foreign noun */
    nq = keep_counts(c, q, nq, notes);
    for (size_t k = 0; k < nq; k++)
        dw__ex_append(c, arr, qty_json(c, &q[k]));
}

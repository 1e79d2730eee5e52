/* The extractor's entry points: preparing the vocabulary (the workspace's terms and
 * the built-in unit nouns), running every extractor in its order, and the workspace's
 * prepared extractor. */
#include "engines/extract/extract-internal.h"

#include <pthread.h>

/* ---- choosing among several mentions ------------------------------------------------- */

/* The first token that starts at or after byte b (binary search). */
static size_t tok_at(const struct ctx *c, size_t b) {
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

/* The tokens [*t0, *t1) of a fact's span; false when it has none. */
static bool fact_tokens(const struct ctx *c, const json_t *fact, size_t *t0, size_t *t1) {
    const json_t *span = json_object_get(fact, "span");
    if (!json_is_array(span))
        return false;
    size_t s = (size_t)json_integer_value(json_array_get(span, 0)),
           e = (size_t)json_integer_value(json_array_get(span, 1));
    *t0 = tok_at(c, s);
    *t1 = tok_at(c, e);
    return *t0 < *t1;
}

/* A note on a choice: {field, why, text, span, confidence} for tokens [t0, t1). */
static void add_note(struct ctx *c, json_t *notes, const char *field, const char *why, size_t t0,
                     size_t t1) {
    if (!notes || json_array_size(notes) >= DW_EXTRACT_MAX_ITEMS || t0 >= t1 || t1 > c->nt)
        return;
    json_t *o = dw__ex_new_item(c);
    if (!o)
        return;
    /* field and why are literals of this file: nothing for jansson to check */
    dw__ex_put(c, o, "field", json_string_nocheck(field));
    dw__ex_put(c, o, "why", json_string_nocheck(why));
    dw__ex_put_span(c, o, t0, t1);
    dw__ex_put_conf(c, o, 80);
    dw__ex_append(c, notes, o);
}

/* Words that make a date the day of a decision rather than the go-live: "the board decides
 * on 20 December", "Entscheidung Ende Januar", "la decisione entro il 15 gennaio",
 * "beslissing in Q1", "gunning op 1 maart". */
static const char *const decision_words[] = {
    "decide",       "decides",     "decided",     "deciding",       "decision",     "award",
    "awarded",      "entscheiden", "entscheidet", "entscheidung",   "entschieden",  "beschluss",
    "zuschlag",     "vergabe",     "décision",    "décider",        "décide",       "décidera",
    "attribution",  "decisión",    "decidir",     "decide",         "decidirá",     "decidimos",
    "adjudicación", "decisione",   "decidiamo",   "decideremo",     "deciderà",     "delibera",
    "cda",          "scegliamo",   "sceglieremo", "aggiudicazione", "beslissing",   "beslist",
    "beslissen",    "besluit",     "besluiten",   "gunning",        "beslissingen", "decidiremos",
    "decidirán",    "elegiremos",  "décidons",    "déciderons",     "choisirons",   "entscheiden",
    "vergeben",     "beschließen", "sceglierà",   "kiezen"};
static struct dw__ex_word_list decision_words_list = DW_EX_WORD_LIST(decision_words);

/* Words that make a date the one for the offer, not the go-live: "binnen zes weken een
 * offerte ... de uitrol moet vóór 1 juni klaar zijn", "the quote by Friday". */
static const char *const offer_words[] = {
    "quote",      "quotation", "proposal",   "offer",       "angebot",  "angebots",
    "offerte",    "offre",     "devis",      "proposition", "oferta",   "cotización",
    "cotizacion", "propuesta", "preventivo", "offerta",     "proposta", "voorstel"};
static struct dw__ex_word_list offer_words_list = DW_EX_WORD_LIST(offer_words);

/* Words that tie a date to an order not yet placed: "12 months after order", "binnen 8 weken
 * na bestelling", "entro 6 mesi dalla firma del contratto", "6 Wochen nach Auftragserteilung". */
static const char *const order_words[] = {"order",
                                          "ordering",
                                          "po",
                                          "signing",
                                          "signature",
                                          "contract",
                                          "auftrag",
                                          "auftragserteilung",
                                          "bestellung",
                                          "auftragseingang",
                                          "vertragsunterzeichnung",
                                          "vertragsabschluss",
                                          "commande",
                                          "pedido",
                                          "firma",
                                          "adjudicación",
                                          "ordine",
                                          "aggiudicazione",
                                          "bestelling",
                                          "opdracht",
                                          "ondertekening",
                                          "opdrachtverlening",
                                          "contractondertekening",
                                          "ordine."};
static struct dw__ex_word_list order_words_list = DW_EX_WORD_LIST(order_words);

/* The start of the clause around token i (the token after the previous clause end). */
static size_t clause_start(const struct ctx *c, size_t i) {
    while (i > 0 && !clause_end(c, i - 1))
        i--;
    return i;
}

/* A decision word in the deadline's clause before it, or within three words after it:
 * returns its token, or SIZE_MAX. */
static size_t decision_cue(const struct ctx *c, size_t t0, size_t t1, bool *offer) {
    for (size_t k = clause_start(c, t0); k < t0; k++)
        if (dw__ex_word_in_list(c, k, &decision_words_list) ||
            (*offer = dw__ex_word_in_list(c, k, &offer_words_list)))
            return k;
    for (size_t k = t1; k < t1 + 3 && k < c->nt && !clause_end(c, k); k++)
        if (dw__ex_word_in_list(c, k, &decision_words_list) ||
            (*offer = dw__ex_word_in_list(c, k, &offer_words_list)))
            return k;
    return SIZE_MAX;
}

/* An offer word in the deadline's clause ("binnen zes weken een offerte", "the quote by
 * Friday", offer_words of lang/LANG.yaml): a date for the offer, which gives way to a go-live
 * the text names as a deadline. Its token, or SIZE_MAX. */
static bool offer_word(const struct ctx *c, size_t k) {
    return kind(c, k, TK_WORD) && role(c, k, R_PATSTART) &&
           (dw__ex_kwdefs[c->t[k].kw - 1].psect >> LS_offer_words & 1) &&
           dw__ex_lang_word(c, LS_offer_words, k);
}

static size_t offer_cue(const struct ctx *c, size_t t0, size_t t1) {
    for (size_t k = clause_start(c, t0); k < t0; k++)
        if (offer_word(c, k))
            return k;
    for (size_t k = t1; k < t1 + 3 && k < c->nt && !clause_end(c, k); k++)
        if (offer_word(c, k))
            return k;
    return SIZE_MAX;
}

/* The words that count a date from an event: "after", "nach", "après", "dalla", "na"... */
static const char *const from_words[] = {
    "after", "from", "of",    "upon", "following", "nach",  "ab",         "seit", "après",  "dès",
    "de",    "du",   "desde", "tras", "después",   "del",   "dalla",      "dal",  "dall",   "dopo",
    "da",    "na",   "vanaf", "van",  "bij",       "dall'", "dall\u2019", "d'",   "d\u2019"};
static struct dw__ex_word_list from_words_list = DW_EX_WORD_LIST(from_words);

/* An order word within four tokens after the date, counted from it ("… after order", "…
 * dall'ordine", "nach Auftragserteilung"; not "by August because our carrier contract ends
 * then"): the token after it, or 0. */
static size_t order_cue(const struct ctx *c, size_t t1) {
    bool from = false;
    for (size_t k = t1; k < t1 + 4 && k < c->nt && !clause_end(c, k); k++) {
        if (from && dw__ex_word_in_list(c, k, &order_words_list))
            return k + 1;
        from = from || dw__ex_word_in_list(c, k, &from_words_list);
    }
    return 0;
}

/* The deadline read again with tokens [a, b) left out: a view of the other tokens, whose
 * spans still point into the caller's text. */
static json_t *deadline_without(struct ctx *c, size_t a, size_t b) {
    struct tok *t = malloc((c->nt + 1) * sizeof *t);
    uint8_t *cl = malloc(c->nt + 1);
    if (!t || !cl) {
        free(t);
        free(cl);
        c->oom = true;
        return json_null();
    }
    size_t n = 0;
    for (size_t k = 0; k < c->nt; k++) {
        if (k >= a && k < b) {
            if (k == a && n > 0 && t[n - 1].kind != TK_BREAK) /* the gap ends the clause */
                t[n] = (struct tok){.s = c->t[k].s, .e = c->t[k].s + 1, .kind = TK_BREAK, .gap = 1},
                cl[n++] = 0;
            continue;
        }
        t[n] = c->t[k];
        cl[n++] = c->claim[k];
    }
    struct ctx v = *c;
    v.t = t;
    v.nt = n;
    v.claim = cl;
    json_t *d = dw__ex_extract_deadline(&v);
    c->oom = c->oom || v.oom;
    free(t);
    free(cl);
    return d;
}

/* The deadline among several dates: the go-live over a decision date (when the text gives
 * another), and a date counted from an order not yet placed left open with a note. */
static json_t *choose_deadline(struct ctx *c, json_t *d, json_t *notes) {
    size_t cut_a = SIZE_MAX, cut_b = 0;
    for (int round = 0; round < 3 && json_is_object(d); round++) {
        size_t t0, t1, cue, oe;
        if (!fact_tokens(c, d, &t0, &t1))
            break;
        if ((oe = order_cue(c, t1))) {
            add_note(c, notes, "deadline",
                     "counted from the order, which is not placed yet: "
                     "left open",
                     t0, oe);
            cut_a = cut_a < t0 ? cut_a : t0;
            cut_b = cut_b > oe ? cut_b : oe;
            json_decref(d);
            d = deadline_without(c, cut_a, cut_b);
            continue;
        }
        /* A date for the offer or a decision date gives way to another date. The offer's
         * cue words of the language files yield only to a firm one (confidence 85 or more);
         * the decision cues to any. */
        bool offer = false, firm = false;
        const char *why;
        if ((cue = offer_cue(c, t0, t1)) != SIZE_MAX) {
            firm = true;
            why = "a date for the offer, not the go-live";
        } else if ((cue = decision_cue(c, t0, t1, &offer)) != SIZE_MAX) {
            why = offer ? "the date for the offer, not the go-live"
                        : "a decision date, not the go-live";
        } else {
            break;
        }
        size_t a = cue < t0 ? cue : t0, b = cue < t0 ? t1 : cue + 1;
        a = cut_a < a ? cut_a : a;
        b = cut_b > b ? cut_b : b;
        json_t *other = deadline_without(c, a, b);
        if (!json_is_object(other) || (firm && dw_json_int(other, "confidence", 0) < 85)) {
            json_decref(other);
            break; /* the only date given, or what they ask for by then: keep it */
        }
        add_note(c, notes, "deadline", why, cue < t0 ? cue : t0, cue < t0 ? t1 : cue + 1);
        cut_a = a;
        cut_b = b;
        json_decref(d);
        d = other;
    }
    return d;
}

/* Words that make an amount a running cost: "€8k a month", "6.000 € al mese", "€ 1.200 per
 * maand", "4 500 € par mois", "monatlich". */
static bool running_cost(const struct ctx *c, size_t t0, size_t t1) {
    static const char *const monthly[] = {"monthly",   "monatlich",   "mensuel",   "mensuels",
                                          "mensuelle", "mensual",     "mensuales", "mensili",
                                          "mensile",   "maandelijks", "mtl",       "monatlichen"};
    static const char *const month[] = {"month", "months", "mo",    "monat", "mois",
                                        "mes",   "mese",   "maand", "mth"};
    static struct dw__ex_word_list monthly_list = DW_EX_WORD_LIST(monthly),
                                   month_list = DW_EX_WORD_LIST(month);
    for (size_t k = t1; k < t1 + 4 && k < c->nt && !sent_end(c, k); k++) {
        if (dw__ex_word_in_list(c, k, &monthly_list))
            return true;
        if (dw__ex_word_in_list(c, k, &month_list) && k > t1 &&
            (role(c, k - 1, R_PER | R_ARTICLE) || is(c, k - 1, "/") || is(c, k - 1, "al") ||
             is(c, k - 1, "im") || is(c, k - 1, "par") || is(c, k - 1, "per") ||
             is(c, k - 1, "pro") || is(c, k - 1, "a") || is(c, k - 1, "in") ||
             is(c, k - 1, "por") || is(c, k - 1, "cada") || is(c, k - 1, "chaque") ||
             is(c, k - 1, "ogni") || is(c, k - 1, "elke") || is(c, k - 1, "jeden") ||
             is(c, k - 1, "every") || is(c, k - 1, "each")))
            return true;
    }
    (void)t0;
    return false;
}

static int currency_digits_of(const char *cur) {
    return strcmp(cur, "CLP") == 0 ? 0 : 2; /* of the currencies remapped below */
}

/* A bare "$" is the dollar or peso of the buyer's country: "$ 2.500.000" from Mexico is
 * MXN, from Canada CAD. "US$", "USD", "u$s" and "dólares" stay USD. A bare "pesos" (read as
 * MXN, es.yaml) is the peso of the project's country: "85 millones de pesos" in Chile is
 * CLP; "pesos colombianos" keeps its own. The amount keeps its value; CLP has no minor
 * digits. */
static void dollar_by_country(json_t *budget, json_t *country) {
    static const struct {
        const char cc[3], cur[4];
        int digits;
        bool peso;
    } local[] = {{"MX", "MXN", 2, true},  {"AR", "ARS", 2, true},  {"CO", "COP", 2, true},
                 {"CL", "CLP", 0, true},  {"UY", "UYU", 2, true},  {"CA", "CAD", 2, false},
                 {"AU", "AUD", 2, false}, {"SG", "SGD", 2, false}, {"NZ", "NZD", 2, false},
                 {"HK", "HKD", 2, false}};
    /* the keys at their places: a budget's "currency" after "amount", its "text" after
     * "minor"; a country's "code" first (dw__ex_str_at()) */
    const char *cur = dw__ex_str_at(budget, "currency", 1),
               *cc = cur ? dw__ex_str_at(country, "code", 0) : NULL;
    const char *text = cc ? dw__ex_str_at(budget, "text", 5) : NULL;
    if (!cur || !text || !cc)
        return;
    /* "85 millones de pesos" from Santiago is CLP (lang/es.yaml reads a bare "pesos" as
     * Mexico's) */
    bool peso = strcmp(cur, "MXN") == 0 && strcasestr(text, "peso") && !strcasestr(text, "mexican");
    if (!peso) {
        if (strcmp(cur, "USD") != 0)
            return;
        const char *d = strchr(text, '$');
        if (!d || strchr(d + 1, '$'))
            return;
        if ((d > text && (d[-1] == 's' || d[-1] == 'S' || d[-1] == 'u' || d[-1] == 'U')) ||
            strcasestr(text, "usd") || strcasestr(text, "dólar") || strcasestr(text, "dollar"))
            return;
    }
    for (size_t k = 0; k < DW_ARRAY_SIZE(local); k++) {
        if (strcmp(cc, local[k].cc) != 0 || (peso && !local[k].peso))
            continue;
        if (strcmp(cur, local[k].cur) == 0)
            return;
        json_int_t div = local[k].digits == currency_digits_of(cur) ? 1 : 100;
        json_t *minor = json_object_get(budget, "minor");
        json_t *min = json_object_get(budget, "min");
        json_int_t m = json_integer_value(minor) / div;
        json_object_set_new(budget, "minor", json_integer(m));
        json_object_set_new(budget, "amount", dw_json_money(m, local[k].digits));
        json_object_set_new(budget, "currency", json_string(local[k].cur));
        if (min && json_is_string(min)) {
            int64_t lo = 0;
            const char *s = json_string_value(min);
            for (; *s; s++)
                if (*s >= '0' && *s <= '9')
                    lo = lo * 10 + (*s - '0');
            json_object_set_new(budget, "min", dw_json_money(lo / div, local[k].digits));
        }
        return;
    }
}

/* The budget among several amounts: a running cost ("today we pay €8k a month") is not the
 * budget; the amount is kept as a note and the next one is read. */
static json_t *choose_budget(struct ctx *c, json_t *b, json_t *notes) {
    for (int round = 0; round < 4 && json_is_object(b); round++) {
        size_t t0, t1;
        if (!fact_tokens(c, b, &t0, &t1) || !running_cost(c, t0, t1))
            break;
        add_note(c, notes, "budget", "a running cost, not the budget", t0, t1);
        claim(c, t0, t1);
        json_decref(b);
        b = dw__ex_extract_budget(c);
    }
    return b;
}

/* The count that sizes the offer: the first count of something installed (sites, access
 * points, switches, devices) before a head count (users) or a number of days; parts of a
 * total never reach the list. That quantity (shared with the list, a second reference: the
 * result is read and dumped, and what callers add to a fact, the lead it came from, is the
 * same on both), or null. */
static json_t *main_quantity(const json_t *qs, const char *user_unit) {
    json_t *best = NULL;
    int best_rank = 3;
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q) {
        const char *u = dw__ex_str_at(q, "unit", 1);
        int rank = !u                                                  ? 3
                   : (user_unit && strcmp(u, user_unit) == 0)          ? 1
                   : (strcmp(u, "days") == 0 || strcmp(u, "day") == 0) ? 2
                                                                       : 0;
        if (rank < best_rank) {
            best = q;
            best_rank = rank;
        }
    }
    return best ? json_incref(best) : json_null();
}

/* ---- entry points --------------------------------------------------------------------- */

static void release_index(struct tindex *ix) {
    free(ix->ph);
    free(ix->heads);
    free(ix->all);
}

/* The facts of one pass, kept here until the result is put together (result_put()) so
 * that the choices between the passes (fill_gaps()) read them without looking each one up
 * by its key; the fields in the order of the result's keys. */
struct facts {
    json_t *language, *quantities, *budget, *deadline, *country, *regions, *caps, *excl, *opt,
        *stds, *integ, *discount, *term, *residency, *contacts, *instr, *notes;
};

static void facts_release(struct facts *f) {
    json_t **v = &f->language;
    for (size_t k = 0; k < sizeof *f / sizeof *v; k++)
        json_decref(v[k]);
}

/* The facts into out, under the result's keys and in their order (language only when the
 * pass read it); the references are handed over. */
static void result_put(struct ctx *c, json_t *out, struct facts *f) {
    if (f->language)
        dw__ex_put(c, out, "language", f->language);
    dw__ex_put(c, out, "quantities", f->quantities);
    dw__ex_put(c, out, "budget", f->budget);
    dw__ex_put(c, out, "deadline", f->deadline);
    dw__ex_put(c, out, "country", f->country);
    dw__ex_put(c, out, "regions", f->regions);
    dw__ex_put(c, out, "capabilities", f->caps);
    dw__ex_put(c, out, "excluded_capabilities", f->excl);
    dw__ex_put(c, out, "optional_capabilities", f->opt);
    dw__ex_put(c, out, "standards", f->stds);
    dw__ex_put(c, out, "integrations", f->integ);
    dw__ex_put(c, out, "discount", f->discount);
    dw__ex_put(c, out, "term_months", f->term);
    dw__ex_put(c, out, "data_residency", f->residency);
    dw__ex_put(c, out, "contact_details", f->contacts);
    dw__ex_put(c, out, "instructions_detected", f->instr);
    dw__ex_put(c, out, "notes", f->notes);
    *f = (struct facts){0};
}

/* One pass of every extractor over the context's tokens into f. `whole`: also what is read
 * from the whole text rather than the tokens, the language and the instructions to the
 * system (the pass over a message's other parts leaves them to the first, cur). */
static int run(struct ctx *c, struct facts *f, const struct facts *cur) {
    bool whole = !cur;
    json_t *quantities = json_array(), *caps = json_array(), *excl = json_array(),
           *opt = json_array(), *stds = json_array(), *instr = json_array(), *integ = json_array(),
           *regions = json_array(), *contacts = json_array(), *notes = json_array();
    if (whole && !(f->language = json_string_nocheck(dw__ex_language(c)))) /* an ASCII code */
        c->oom = true;
    f->quantities = quantities;
    if (contacts) /* the other parts' contact details are read with the current text's */
        dw__ex_extract_contacts(c, whole ? contacts : NULL);
    json_t *deadline = choose_deadline(c, dw__ex_extract_deadline(c), notes);
    dw__ex_extract_standards(c, stds);
    json_t *discount = dw__ex_extract_discount(c);
    json_t *term = dw__ex_extract_term(c);
    if (quantities)
        dw__ex_extract_quantities(c, quantities, notes);
    json_t *budget = choose_budget(c, dw__ex_extract_budget(c), notes);
    json_t *residency = dw__ex_extract_residency(c);
    /* The other parts' country and regions reach the result only where the current text
     * has none (fill_gaps()), and their country otherwise only settles which dollar their
     * budget is (dollar_by_country()); neither reader claims a token or leaves anything for
     * the readers after it, so a pass whose result would be dropped is not made. */
    bool want_country = whole || json_is_null(cur->country) ||
                        (json_is_null(cur->budget) && json_is_object(budget));
    bool want_regions = want_country || json_array_size(cur->regions) == 0;
    json_t *country = want_country || dw__ex_plain ? dw__ex_extract_country(c) : json_null();
    if (regions && (want_regions || dw__ex_plain))
        dw__ex_extract_regions(c, regions);
    if (json_is_null(country) && regions)
        country = dw__ex_country_from_regions(c, regions);
    if (caps && excl && opt)
        dw__ex_extract_capabilities(c, caps, excl, opt);
    if (integ)
        dw__ex_extract_integrations(c, integ);
    if (instr && whole)
        dw__ex_extract_instructions(c, instr);
    dollar_by_country(budget, country);
    f->budget = budget;
    f->deadline = deadline;
    f->country = country;
    f->regions = regions;
    f->caps = caps;
    f->excl = excl;
    f->opt = opt;
    f->stds = stds;
    f->integ = integ;
    f->discount = discount;
    f->term = term;
    f->residency = residency;
    f->contacts = contacts;
    f->instr = instr;
    f->notes = notes;
    json_t **v = &f->quantities; /* a reader that ran out of memory gave NULL */
    for (size_t k = 0; k < sizeof *f / sizeof *v - 1; k++)
        c->oom = c->oom || !v[k];
    return c->oom ? -DW_ENOMEM : 0;
}

/* ---- message structure ---------------------------------------------------------------- */

/* The parts a pass reads, as bits of enum dw_msg_part. */
#define PART_BIT(p) (1u << (p))
#define CURRENT_PARTS PART_BIT(DW_PART_CURRENT)
#define OTHER_PARTS                                                                                \
    (PART_BIT(DW_PART_QUOTED) | PART_BIT(DW_PART_FORWARDED) | PART_BIT(DW_PART_SIGNATURE))

/* The tokens of the parts in `keep` into out, a break where a left-out part was, without
 * the '>' that marks a quoted line; returns how many. */
static size_t view_tokens(const struct ctx *c, const struct dw_msg_span *p, size_t np,
                          unsigned keep, struct tok *out) {
    size_t k = 0, o = 0;
    bool gap = false;
    for (size_t i = 0; i < c->nt; i++) {
        while (k + 1 < np && c->t[i].s >= p[k].e)
            k++;
        if (!(keep & PART_BIT(p[k].part))) {
            gap = true;
            continue;
        }
        if (p[k].part == DW_PART_QUOTED && sym1(c, i) == '>') {
            size_t b = c->t[i].s;
            while (b > 0 && (c->text[b - 1] == ' ' || c->text[b - 1] == '>'))
                b--;
            if (b == 0 || c->text[b - 1] == '\n')
                continue;
        }
        if (gap && o > 0 && out[o - 1].kind != TK_BREAK)
            out[o++] = (struct tok){.s = c->t[i].s, .e = c->t[i].s + 1, .kind = TK_BREAK, .gap = 1};
        gap = false;
        out[o] = c->t[i];
        out[o++].flags &= (uint8_t) ~(TF_NEG | TF_HEDGE);
    }
    return o;
}

static bool has_name(const json_t *arr, const char *name) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *n = dw__ex_name_of(v);
        if (n && name && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

/* Facts of the other parts fill what the current text left open, never override it: a
 * single fact only when the current text has none, a count only of a unit it does not count,
 * a capability only when the current text does not name it (wanted, excluded or optional). */
static bool same_str(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static bool in_current(const json_t *fact, const struct dw_msg_span *p, size_t np) {
    json_int_t s = json_integer_value(json_array_get(json_object_get(fact, "span"), 0));
    for (size_t k = 0; k < np; k++)
        if (s >= (json_int_t)p[k].s && s < (json_int_t)p[k].e)
            return p[k].part == DW_PART_CURRENT;
    return false;
}

/* *into takes the other parts' value v (a second reference). */
static void take(json_t **into, json_t *v) {
    if (!v)
        return;
    json_decref(*into);
    *into = json_incref(v);
}

static void fill_gaps(struct facts *cur, const struct facts *all, const struct dw_msg_span *p,
                      size_t np) {
    json_t **single[] = {&cur->budget,   &cur->deadline, &cur->country,
                         &cur->discount, &cur->term,     &cur->residency};
    json_t *const from[] = {all->budget,   all->deadline, all->country,
                            all->discount, all->term,     all->residency};
    for (size_t k = 0; k < DW_ARRAY_SIZE(single); k++)
        if (json_is_null(*single[k]))
            take(single[k], from[k]);
    /* a date the current text merely mentions ("im November … übernommen") gives way to one
     * an earlier message gives as the deadline ("Bitte bis Ende Februar umsetzen") */
    json_t *dc = cur->deadline, *da = all->deadline;
    if (json_is_object(dc) && json_is_object(da) && !in_current(da, p, np) &&
        json_integer_value(json_object_get(dc, "confidence")) < 85 &&
        json_integer_value(json_object_get(da, "confidence")) >= 85)
        take(&cur->deadline, da);
    json_t *q = cur->quantities, *notes = cur->notes;
    size_t nq = json_array_size(q), i;
    json_t *e;
    json_array_foreach(all->quantities, i, e) {
        bool have = false;
        if (in_current(e, p, np))
            continue; /* read already */
        for (size_t k = 0; k < nq && !have; k++)
            have = same_str(dw__ex_str_at(json_array_get(q, k), "unit", 1),
                            dw__ex_str_at(e, "unit", 1));
        json_t *into = have ? notes : q;
        if (have && json_object_set_new_nocheck(e, "why",
                                                json_string_nocheck("an earlier message's count, "
                                                                    "given again in this one")) < 0)
            continue;
        if (have && json_object_set_new_nocheck(e, "field", json_string_nocheck("quantities")) < 0)
            continue;
        if (json_array_size(into) < DW_EXTRACT_MAX_ITEMS)
            json_array_append(into, e);
    }
    json_t *wanted = cur->caps, *excl = cur->excl, *opt = cur->opt;
    json_t *const cur_named[] = {cur->caps, cur->excl, cur->opt, cur->stds, cur->integ};
    json_t *const all_named[] = {all->caps, all->excl, all->opt, all->stds, all->integ};
    for (size_t k = 0; k < DW_ARRAY_SIZE(cur_named); k++) {
        json_t *into = cur_named[k];
        json_array_foreach(all_named[k], i, e) {
            const char *n = dw__ex_name_of(e);
            bool cap = k < 3;
            if (has_name(into, n) ||
                (cap && (has_name(wanted, n) || has_name(excl, n) || has_name(opt, n))))
                continue;
            if (json_array_size(into) < DW_EXTRACT_MAX_ITEMS)
                json_array_append(into, e);
        }
    }
    if (json_array_size(cur->regions) == 0)
        take(&cur->regions, all->regions);
    json_array_foreach(all->notes, i, e) {
        if (!in_current(e, p, np) && json_array_size(notes) < DW_EXTRACT_MAX_ITEMS)
            json_array_append(notes, e);
    }
}

/* The parts other than the current text, as {part, start, end}. */
static json_t *structure_json(const struct dw_msg_span *p, size_t np) {
    json_t *a = json_array();
    for (size_t k = 0; a && k < np; k++) {
        if (p[k].part == DW_PART_CURRENT)
            continue;
        json_t *o = json_object(); /* in the array first: freed with it on failure */
        if (json_array_append_new(a, o) < 0 ||
            json_object_set_new_nocheck(
                o, "part", json_string_nocheck(dw_msg_part_name((enum dw_msg_part)p[k].part))) <
                0 ||
            json_object_set_new_nocheck(o, "start", json_integer((json_int_t)p[k].s)) < 0 ||
            json_object_set_new_nocheck(o, "end", json_integer((json_int_t)p[k].e)) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Reads a message: the current text first, then (when the message has other parts) the
 * quoted and forwarded messages and the signature, whose facts fill the gaps; attribution
 * and header lines and disclaimers are not read. Contact details, the language and the
 * screening come from the whole text. */
static int read_message(struct ctx *c, json_t *out) {
    struct dw_msg_span parts[DW_MSG_MAX_PARTS];
    size_t np = dw_msg_structure(c->text, c->len, parts, DW_MSG_MAX_PARTS);
    bool plain = np <= 1 && (np == 0 || parts[0].part == DW_PART_CURRENT);
    struct facts f = {0};
    int r;
    if (plain) {
        dw__ex_mark_negation(c);
        r = run(c, &f, NULL);
    } else {
        struct tok *all = c->t, *vt = c->views; /* room for 2 * (nt + 1) tokens */
        uint8_t *claims = c->claim;
        struct facts other = {0};
        size_t nt = c->nt;
        struct ctx cur = *c;
        cur.t = vt;
        cur.nt = view_tokens(c, parts, np, CURRENT_PARTS, vt);
        struct ctx rest = *c;
        rest.t = vt + c->nt + 1;
        rest.nt = view_tokens(c, parts, np, OTHER_PARTS, rest.t);
        struct dw__ex_contact_spans contact_spans = {0}; /* found by cur's pass, for rest's */
        cur.contact_spans = rest.contact_spans = &contact_spans;
        memset(claims, 0, nt + 1);
        dw__ex_mark_negation(&cur);
        r = run(&cur, &f, NULL);
        if (r == 0 && rest.nt > 0) {
            rest.claim = claims;
            memset(claims, 0, nt + 1);
            dw__ex_mark_negation(&rest);
            r = run(&rest, &other, &f);
            if (r == 0)
                fill_gaps(&f, &other, parts, np);
        }
        facts_release(&other);
        c->t = all;
    }
    if (r == 0) {
        json_t *mq = main_quantity(f.quantities, c->user_unit);
        result_put(c, out, &f);
        dw__ex_put(c, out, "main_quantity", mq);
        dw__ex_put(c, out, "structure", structure_json(parts, np ? np : 1));
    }
    facts_release(&f);
    return r < 0 ? r : c->oom ? -DW_ENOMEM : 0;
}

/* A vocabulary prepared once: its phrase indexes. The terms' strings are borrowed, except
 * the built-in unit nouns (lexicon.c), copied into umem with the terms that name them. */
struct dw_extractor {
    struct tindex caps, stds, units, integ;
    const char *defcur;
    struct dw_vocab_term *uterms; /* the workspace's units, then the built-in nouns */
    uint8_t *ulang;               /* per term: LANG_* of a built-in noun, 0 for the workspace's */
    const char *site_unit;        /* the unit the premises nouns extend, or NULL */
    const char *user_unit;        /* the unit the people nouns extend, or NULL */
    size_t n_uterms;
    bool names_utf8; /* every term's name is UTF-8 (names_utf8()) */
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
        else if (memcmp(line, "users|", 6) == 0)
            x->user_unit = name;
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

/* Whether every name of the terms is UTF-8: the names the extractor writes into its
 * results, checked here once rather than by jansson on every fact. */
static bool names_utf8(const struct dw_vocab_term *t, size_t n) {
    for (size_t k = 0; k < n; k++)
        if (t[k].name && !dw_utf8_valid(t[k].name, strlen(t[k].name), NULL))
            return false;
    return true;
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
        (r = dw__ex_unit_heads_build(&x->units)) < 0 ||
        (r = dw__ex_tindex_build(&x->integ, integ, n_integ, PH_CAP, true, NULL)) < 0 ||
        (r = dw__ex_vtab_build(&x->caps, &x->units, &x->stds, &x->integ)) < 0) {
        dw_extractor_free(x);
        return dw_error_set(err, r, "extract: vocabulary: %s", dw_strerror(r));
    }
    x->names_utf8 = names_utf8(vocab->capabilities, vocab->n_capabilities) &&
                    names_utf8(vocab->standards, vocab->n_standards) &&
                    names_utf8(x->uterms, x->n_uterms) && names_utf8(integ, n_integ);
    *ret = x;
    return 0;
}

/* ---- per-thread working memory ------------------------------------------------------ */

/* The working arrays of a typical message take some 50 KB. Allocating and freeing a block
 * that size on every call made malloc sort its bins of small freed chunks (the JSON of the
 * last result) each time, a few thousand instructions a message; so each thread keeps one
 * block for its next message. A block for a message above SCRATCH_KEEP bytes is freed after
 * the call, so a thread holds at most that much. The block goes with the thread
 * (scratch_drop(), a key destructor). */
#define SCRATCH_KEEP (512u * 1024)

static _Thread_local struct {
    char *p;
    size_t cap;
    bool busy; /* handed out: a nested call (none today) allocates its own */
} scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_drop(void *p) {
    free(p);
}

static void scratch_key_make(void) {
    if (pthread_key_create(&scratch_key, scratch_drop) != 0)
        scratch_key = (pthread_key_t)-1;
}

static char *scratch_get(size_t n) {
    if (n > SCRATCH_KEEP || scratch.busy)
        return malloc(n);
    if (n > scratch.cap) {
        size_t cap = n < 64 * 1024 ? 64 * 1024 : n;
        char *p = realloc(scratch.p, cap);
        if (!p)
            return NULL;
        pthread_once(&scratch_once, scratch_key_make);
        if (scratch_key != (pthread_key_t)-1)
            pthread_setspecific(scratch_key, p);
        scratch.p = p;
        scratch.cap = cap;
    }
    scratch.busy = true;
    return scratch.p;
}

static void scratch_put(char *p) {
    if (p && p == scratch.p)
        scratch.busy = false;
    else
        free(p);
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

    /* One block for the message's working arrays, each sized by the text (a message has at
     * most len + 1 tokens): the lower-cased copy, the tokens, the views of the tokens
     * (read_message()), the vocabulary slots and the claims. */
    size_t n1 = len + 1, lo_sz = (n1 + 7) & ~(size_t)7;
    size_t tok_off = lo_sz, views_off = tok_off + n1 * sizeof(struct tok);
    size_t slot_off = views_off + 2 * n1 * sizeof(struct tok);
    size_t claim_off = slot_off + n1 * sizeof(uint32_t);
    char *mem = scratch_get(claim_off + n1);
    json_t *out = json_object();
    int r = -DW_ENOMEM;
    if (!mem || !out)
        goto out;
    int64_t days = received_at >= 0 ? received_at / 86400 : (received_at - 86399) / 86400;
    struct dw__ex_vcache vc = {0};
    struct ctx c = {.text = text ? text : "",
                    .lo = mem,
                    .len = len,
                    .today = days,
                    .wd = dw_weekday(received_at),
                    .caps = &x->caps,
                    .stds = &x->stds,
                    .units = &x->units,
                    .site_unit = x->site_unit,
                    .user_unit = x->user_unit,
                    .integ = &x->integ,
                    .defcur = x->defcur,
                    .names_utf8 = x->names_utf8,
                    .vc = &vc};
    dw_civil_from_days(days, &c.ty, &c.tm, &c.td);
    dw__ex_fold_lower(c.text, len, mem);
    c.t = (struct tok *)(void *)(mem + tok_off);
    c.views = (struct tok *)(void *)(mem + views_off);
    c.nt = dw__ex_tokenize(c.text, len, c.t, true);
    c.claim = (uint8_t *)(mem + claim_off);
    memset(c.claim, 0, n1);
    vc.slot = (uint32_t *)(void *)(mem + slot_off); /* the vocabulary keys by token start */
    memset(vc.slot, 0, n1 * sizeof *vc.slot);
    dw__ex_languages(&c);
    dw__ex_classify(&c);
    r = read_message(&c, out);
    free(vc.k);
out:
    scratch_put(mem);
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

/* Standards, integrations and capabilities named in the text: wanted, excluded
 * (negated) and optional (hedged). */
#include "engines/extract/extract-internal.h"

/* ---- standards, capabilities ---------------------------------------------------------- */

/* The names a list holds, kept in C during one pass so that a candidate is checked
 * without walking the JSON items (dw__ex_has_name() reads every item's "name"). Seeded
 * from the list when the pass starts (an earlier view may have filled it); off (n > cap)
 * for a long list or when reading plainly. */
struct names {
    json_t *arr;
    size_t n;
    const char *v[32];
};

static void names_init(struct names *s, json_t *arr) {
    s->arr = arr;
    s->n = json_array_size(arr);
    if (s->n > DW_ARRAY_SIZE(s->v) || dw__ex_plain) {
        s->n = SIZE_MAX;
        return;
    }
    for (size_t k = 0; k < s->n; k++)
        s->v[k] = dw__ex_name_of(json_array_get(arr, k));
}

static bool names_has(const struct names *s, const char *name) {
    if (s->n > DW_ARRAY_SIZE(s->v))
        return dw__ex_has_name(s->arr, name);
    for (size_t k = 0; k < s->n; k++)
        if (s->v[k] && strcmp(s->v[k], name) == 0)
            return true;
    return false;
}

/* Add {name, text, span} for tokens [i, e) to s's list unless it already names it. */
static void append_named(struct ctx *c, struct names *s, const char *name, size_t i, size_t e,
                         int conf) {
    json_t *arr = s->arr;
    size_t before = json_array_size(arr);
    if (names_has(s, name) || before >= DW_EXTRACT_MAX_ITEMS)
        return;
    json_t *o = dw__ex_new_item(c);
    if (o) {
        dw__ex_put(c, o, "name", dw__ex_name_json(c, name));
        dw__ex_put_span(c, o, i, e);
        dw__ex_put_conf(c, o, conf);
    }
    dw__ex_append(c, arr, o);
    if (s->n > DW_ARRAY_SIZE(s->v) || json_array_size(arr) == before)
        return;
    if (s->n == DW_ARRAY_SIZE(s->v))
        s->n = SIZE_MAX; /* full: dw__ex_has_name() from now on */
    else
        s->v[s->n++] = name;
}

/* A phrase of one short word ("HA", "LTE", "5G") is more often something else than a
 * longer one. */
int dw__ex_phrase_conf(const struct ctx *c, size_t i, size_t e, int hi) {
    return e - i == 1 && tlen(c, i) <= 3 ? hi - 15 : hi;
}

void dw__ex_extract_standards(struct ctx *c, json_t *arr) {
    struct names names;
    names_init(&names, arr);
    unsigned bit = dw__ex_index_bit(c, c->stds);
    for (size_t i = 0; i < c->nt;) {
        size_t e;
        const struct phrase *p = dw__ex_vocab_at_bit(c, c->stds, bit, i, &e);
        if (!p || claimed(c, i, e)) {
            i++;
            continue;
        }
        claim(c, i, e);
        if (!(c->t[i].flags & TF_NEG) && !dw__ex_trailing_neg(c, e))
            append_named(c, &names, p->name, i, e, dw__ex_phrase_conf(c, i, e, 95));
        i = e;
    }
}

/* Systems named: not claimed, a product name may also be a capability's word. */
void dw__ex_extract_integrations(struct ctx *c, json_t *arr) {
    struct names names;
    names_init(&names, arr);
    unsigned bit = dw__ex_index_bit(c, c->integ);
    for (size_t i = 0; i < c->nt;) {
        size_t e;
        const struct phrase *p = dw__ex_vocab_at_bit(c, c->integ, bit, i, &e);
        if (!p) {
            i++;
            continue;
        }
        append_named(c, &names, p->name, i, e, dw__ex_phrase_conf(c, i, e, 90));
        i = e;
    }
}

/* Is the hedge word at k one on its own ("maybe", "eventuell"), or with its partners
 * ("nice to have", "at a later stage", "may")? */
/* Not a hedge, known without a call: a word that starts no hedge phrase (dw__ex_lang_match()
 * would answer 0 at its first test) and is no hedge word. */
static inline bool no_hedge(const struct ctx *c, size_t k) {
    if (!kind(c, k, TK_WORD) || (c->t[k].roles & R_HEDGE))
        return false;
    if ((c->t[k].roles & R_PATSTART) &&
        (dw__ex_plain || (dw__ex_kwdefs[c->t[k].kw - 1].psect >> LS_hedge_phrases & 1)))
        return false;
    return !is(c, k, "later") && !is(c, k, "may");
}

bool dw__ex_hedge_at(const struct ctx *c, size_t k) {
    if (no_hedge(c, k))
        return false;
    size_t e = dw__ex_lang_match(c, LS_hedge_phrases, k);
    if (e) /* "serait un plus", "más adelante", "se possibile" — not "si possible avant Noël",
              which hedges the date, nor the French "au plus tard" (at the latest) */
        return !role(c, e, R_DTRIG) && !role(c, e, R_MONTH) && !role(c, e, R_DATEW) &&
               !(k > 0 && is(c, k - 1, "au"));
    if (role(c, k, R_HEDGE))
        return kval(c, k) == 1 || (is(c, k + 1, "to") && is(c, k + 2, "have")) ||
               is(c, k + 1, "wäre") || (k > 0 && is(c, k - 1, "wäre"));
    if (is(c, k, "later"))
        return is(c, k + 1, "stage") || is(c, k + 1, "phase") || is(c, k + 1, "on") ||
               (k > 0 && (role(c, k - 1, R_HEDGE) || is(c, k - 1, "a")));
    /* "we may add Wi-Fi" — but "May" with a capital is the month */
    return is(c, k, "may") && c->text[c->t[k].s] == 'm' && !kind(c, k + 1, TK_NUM);
}

static bool coordinator(const struct ctx *c, size_t k) {
    /* each is a word of one to four letters: a longer token is none (one test for most) */
    if (!dw__ex_plain && (k >= c->nt || (tlen(c, k) > 4 && !(c->t[k].flags & TF_APOS))))
        return false;
    if (is(c, k, "and") || is(c, k, "or") || is(c, k, "und") || is(c, k, "oder") ||
        is(c, k, "et") || is(c, k, "ou") || is(c, k, "y") || is(c, k, "o") || is(c, k, "e"))
        return true;
    /* Dutch "en", "of": the French "en" (in) and the English "of" are no coordinators
     * ("Supervision en option") */
    return k < c->nt && c->t[k].lang == 5 /* nl, dw_lang_detectable */ &&
           (is(c, k, "en") || is(c, k, "of"));
}

/* Does a hedge phrase end right before token end ("si le budget le permet,")? Tried only
 * from the words that may start one (one bit test each). */
static bool hedge_phrase_ends(const struct ctx *c, size_t end) {
    for (size_t m = end > 6 ? end - 6 : 0; m < end; m++)
        if (kind(c, m, TK_WORD) && role(c, m, R_PATSTART) &&
            (dw__ex_kwdefs[c->t[m].kw - 1].psect >> LS_hedge_phrases & 1) &&
            dw__ex_lang_match(c, LS_hedge_phrases, m) == end)
            return true;
    return false;
}

/* dw__ex_hedge_at() of the first tokens, remembered for one capabilities pass: the windows
 * of neighbouring capabilities in a list overlap. 0 not known yet, 1 no, 2 yes. */
struct hedge_memo {
    uint8_t v[256];
};

static inline bool hedge_at(const struct ctx *c, struct hedge_memo *m, size_t k) {
    if (!dw__ex_plain && no_hedge(c, k))
        return false;
    if (k >= DW_ARRAY_SIZE(m->v) || dw__ex_plain)
        return dw__ex_hedge_at(c, k);
    if (!m->v[k])
        m->v[k] = dw__ex_hedge_at(c, k) ? 2 : 1;
    return m->v[k] == 2;
}

/* A capability at [i, e) with a hedge in its clause: before it (up to eight words) or
 * after it (up to five). A list continues the clause: "maybe Wi-Fi and switches later". */
static bool hedged(const struct ctx *c, struct hedge_memo *m, size_t i, size_t e) {
    for (size_t k = i; k-- > 0 && i - k <= 8;) {
        if (sym1(c, k) == '.' && glued(c, k) && k > 0 && role(c, k - 1, R_HEDGE))
            continue; /* "ggf. WLAN", "evtl. Schulung" */
        if (sym1(c, k) == ',' && k > 0 && (hedge_phrase_ends(c, k) || hedge_at(c, m, k - 1)))
            return true; /* "et, si le budget le permet, du Wi-Fi", "allenfalls, WLAN" */
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        if (hedge_at(c, m, k))
            return true;
    }
    for (size_t k = e; k < e + 5 && k < c->nt; k++) {
        if (k == e && (sym1(c, k) == ':' || sym1(c, k) == '-') && k + 1 < c->nt &&
            hedge_at(c, m, k + 1))
            return true; /* "Le Wi-Fi : à voir plus tard", "WLAN - optional" */
        if (k == e && sym1(c, k) == ',' && k + 2 < c->nt && hedge_at(c, m, k + 1)) {
            /* a hedge alone between commas: "Le Wi-Fi, éventuellement, dans un second temps" */
            size_t h = dw__ex_lang_match(c, LS_hedge_phrases, k + 1);
            if (clause_end(c, h ? h : k + 2))
                return true;
        }
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        if (role(c, k, R_MONTH) || role(c, k, R_DATEW))
            break; /* "the design workshop next week if possible": the date is hedged (a
                      date word, not a trigger: "voor", "pour", "para" are also "for") */
        if (coordinator(c, k) && hedge_at(c, m, k + 1))
            break; /* "SD-WAN et peut-être plus tard du Wi-Fi": the hedge is the Wi-Fi's */
        if (hedge_at(c, m, k))
            return true;
    }
    return false;
}

/* "bereits" means "already have" only next to a word of having: "WLAN haben wir bereits",
 * "Firewalls sind bereits im Einsatz" — not "SD-WAN soll bereits im Mai laufen". */
static bool have_word_near(const struct ctx *c, size_t k) {
    size_t a = k > 3 ? k - 3 : 0;
    for (size_t m = a; m <= k + 3 && m < c->nt; m++)
        if (is(c, m, "haben") || is(c, m, "hat") || is(c, m, "habe") || is(c, m, "vorhanden") ||
            is(c, m, "einsatz") || is(c, m, "installiert") || is(c, m, "abgedeckt") ||
            is(c, m, "nutzen") || is(c, m, "nutzt") || is(c, m, "betreiben") || is(c, m, "gelöst"))
            return true;
    return false;
}

/* Not wanted because the customer has it or leaves it out: "Wi-Fi and switching are
 * already covered", "we already have SD-WAN", "WLAN haben wir bereits", "Wi-Fi is out of
 * scope". Within the capability's clause, at most six words away. */
static bool already_had(const struct ctx *c, size_t i, size_t e) {
    for (size_t k = e; k < e + 6 && k < c->nt; k++) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        if (!dw__ex_plain && !(c->t[k].flags & TF_APOS) && tlen(c, k) != 3 && tlen(c, k) != 7 &&
            tlen(c, k) != 9)
            continue; /* none of "out", "already", "bereits", "vorhanden" */
        if ((is(c, k, "already") &&
             (is(c, k + 1, "covered") || is(c, k + 1, "have") || is(c, k + 1, "in") ||
              is(c, k + 1, "installed") || is(c, k + 1, "deployed") || is(c, k + 1, "exists") ||
              is(c, k + 1, "done"))) ||
            (is(c, k, "bereits") && have_word_near(c, k)) || is(c, k, "vorhanden") ||
            (is(c, k, "out") && is(c, k + 1, "of") && is(c, k + 2, "scope")))
            return true;
    }
    /* "already" before it: not looked for when no word of seven bytes (or with an apostrophe)
     * is there, known without the clause tests */
    bool seven = dw__ex_plain;
    for (size_t k = i; !seven && k-- > 0 && i - k <= 4;)
        seven = tlen(c, k) == 7 || (c->t[k].flags & TF_APOS);
    for (size_t k = i; seven && k-- > 0 && i - k <= 4;) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        if (is(c, k, "already") && (is(c, k + 1, "have") || is(c, k + 1, "use") ||
                                    is(c, k + 1, "run") || is(c, k + 1, "own")))
            return true;
    }
    return false;
}

/* A one-word "-ing" phrase after a form of "to be" is a verb, not a request: "our
 * carriers are switching LTE off", "we're monitoring it ourselves". */
static bool progressive_verb(const struct ctx *c, size_t i, size_t e) {
    size_t n = tlen(c, i);
    if (e != i + 1 || i == 0 || n < 5 || memcmp(c->lo + c->t[i].s + n - 3, "ing", 3) != 0)
        return false;
    return is(c, i - 1, "are") || is(c, i - 1, "is") || is(c, i - 1, "am") ||
           is(c, i - 1, "were") || is(c, i - 1, "was") || is(c, i - 1, "been") ||
           is(c, i - 1, "be") || is(c, i - 1, "re");
}

/* A service that is also the project's milestone, named as the subject of a deadline
 * ("l'installation doit être achevée au plus tard le 30 juin", "Inbetriebnahme bis Ende
 * Juni", "installazione completata entro settembre"): it dates the project and asks for
 * nothing, unless a need word comes before it in its clause ("we'd need ... installation
 * completed by Q2"). The nouns are the `project_events` of lang/LANG.yaml. */
static bool milestone(const struct ctx *c, size_t i, size_t e) {
    if (!dw__ex_lang_match(c, LS_project_events, i))
        return false;
    for (size_t k = i; k-- > 0 && !clause_end(c, k);)
        if (role(c, k, R_NEED))
            return false;
    /* a date in the clause: a month, a date word or a number after a trigger ("bis Ende
     * Juni", "entro settembre", "au plus tard le 30 juin") — not "installation by your team" */
    bool trig = false;
    for (size_t k = e; k < e + 10 && k < c->nt && !clause_end(c, k); k++) {
        if (role(c, k, R_NEED))
            return false;
        if (role(c, k, R_MONTH) || (trig && (role(c, k, R_DATEW) || kind(c, k, TK_NUM))))
            return true;
        trig = trig || role(c, k, R_DTRIG);
    }
    return false;
}

/* A two-letter name written in lower case in a message that uses capitals is a word of
 * the language, not the abbreviation: Italian "ha" (has) is not "HA", Spanish "ap" no AP.
 * A message all in lower case (a chat line) keeps it. */
static bool lower_short_word(const struct ctx *c, size_t i, size_t e) {
    if (e != i + 1 || tlen(c, i) != 2)
        return false;
    const char *s = c->text + c->t[i].s;
    if (!(s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'))
        return false;
    for (size_t b = 0; b < c->len; b++)
        if (c->text[b] >= 'A' && c->text[b] <= 'Z')
            return true;
    return false;
}

void dw__ex_extract_capabilities(struct ctx *c, json_t *wanted, json_t *excluded,
                                 json_t *optional) {
    struct hedge_memo memo = {{0}};
    struct names in_wanted, in_excluded, in_optional;
    names_init(&in_wanted, wanted);
    names_init(&in_excluded, excluded);
    names_init(&in_optional, optional);
    unsigned bit = dw__ex_index_bit(c, c->caps);
    for (size_t i = 0; i < c->nt;) {
        size_t e;
        const struct phrase *p = dw__ex_vocab_at_bit(c, c->caps, bit, i, &e);
        if (!p || progressive_verb(c, i, e) || lower_short_word(c, i, e) ||
            (!(c->t[i].flags & TF_NEG) && milestone(c, i, e))) {
            i = p ? e : i + 1;
            continue;
        }
        bool negated =
            (c->t[i].flags & TF_NEG) || dw__ex_trailing_neg(c, e) || dw__ex_refused(c, i, e);
        bool had = !negated && (already_had(c, i, e) || dw__ex_intent_had(c, i, e));
        bool neg = negated || had;
        if (had && c->n_had < DW_ARRAY_SIZE(c->had_tok))
            c->had_tok[c->n_had++] = (uint32_t)i;
        bool hedge = !neg && ((c->t[i].flags & TF_HEDGE) || hedged(c, &memo, i, e));
        struct names *into = neg ? &in_excluded : hedge ? &in_optional : &in_wanted;
        append_named(c, into, p->name, i, e, dw__ex_phrase_conf(c, i, e, neg || hedge ? 85 : 90));
        i = e;
    }
    /* a capability the customer has and asks for again elsewhere is wanted: "we already run
     * your SD-WAN gateways ... need the same setup there (SD-WAN with firewall)" */
    dw__ex_intent_wanted(c, wanted, excluded);
    /* a capability both wanted and hedged elsewhere is wanted */
    size_t k;
    json_t *v;
    json_array_foreach(wanted, k, v) {
        if (json_array_size(optional) == 0 && !dw__ex_plain)
            break; /* (most messages): none to remove, the names are not read */
        const char *n = dw__ex_name_of(v);
        for (size_t m = 0; n && m < json_array_size(optional); m++)
            if (strcmp(n, dw__ex_name_of(json_array_get(optional, m))) == 0) {
                json_array_remove(optional, m);
                break;
            }
    }
}

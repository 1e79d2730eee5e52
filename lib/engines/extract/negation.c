/* Keyword roles for every word of the text, and negation as a scope: which tokens a
 * "not", "kein" or "sans" covers. */
#include "engines/extract/extract-internal.h"

/* ---- languages, keywords and negation -------------------------------------------------- */

/* The message's language and each token's (that of its paragraph, lang.h). */
void dw__ex_languages(struct ctx *c) {
    struct dw_lang_part parts[64];
    size_t n = 0;
    c->lang =
        (uint8_t)dw_lang_identify_lower(c->text, c->lo, c->len, parts, DW_ARRAY_SIZE(parts), &n);
    /* each token takes the language of the part it starts in, the last part the rest; part
     * by part, so a message of one part (most) costs one store a token */
    size_t i = 0;
    for (size_t p = 0; p + 1 < n; p++)
        for (uint8_t lang = (uint8_t)parts[p].lang; i < c->nt && c->t[i].s < parts[p].end; i++)
            c->t[i].lang = lang;
    for (uint8_t lang = n ? (uint8_t)parts[n - 1].lang : c->lang; i < c->nt; i++)
        c->t[i].lang = lang;
}

/* The keywords' filter: most words of a message that are no keyword fit none by first byte,
 * last byte and length, and are not hashed. */
static struct dw__ex_word_filter kw_filter;
static pthread_once_t kw_filter_once = PTHREAD_ONCE_INIT;

static void kw_filter_init(void) {
    for (size_t k = 0; k < dw__ex_g.n_kw; k++)
        dw__ex_filter_add(&kw_filter, dw__ex_kwdefs[k].w, strlen(dw__ex_kwdefs[k].w));
}

void dw__ex_classify(struct ctx *c) {
    char buf[40];
    bool filter = !dw__ex_plain;
    uint32_t roles = 0; /* of all the keywords: kept in a register, stored once */
    pthread_once(&kw_filter_once, kw_filter_init);
    for (size_t i = 0; i < c->nt; i++) {
        struct tok *k = &c->t[i];
        if (k->kind != TK_WORD)
            continue;
        const char *s = c->lo + k->s;
        size_t l = k->e - k->s;
        bool el = l >= 2 && elided(c, i);
        if (el) /* "n'", "d'", "l'": the word without its apostrophe */
            l -= c->lo[k->s + l - 1] == '\'' ? 1 : 3;
        if (k->flags & TF_APOS) {
            /* "don't", "isn’t": any n't is a negation */
            if (l >= 3 && s[l - 1] == 't' &&
                ((s[l - 2] == '\'' && s[l - 3] == 'n') ||
                 (l >= 5 && memcmp(s + l - 4, "\xE2\x80\x99", 3) == 0 && s[l - 5] == 'n')))
                k->roles |= R_NEG;
            l = strip_apos(s, l, buf, sizeof buf);
            s = buf;
        }
        if (l == 0 || l >= sizeof buf)
            continue;
        int kw = !filter || dw__ex_filter_may(&kw_filter, s, l) ? dw__ex_kw_find(s, l) : 0;
        if (kw) {
            const struct kwdef *d = &dw__ex_kwdefs[kw - 1];
            bool here = d->lmask >> k->lang & 1; /* its only_here roles hold in this paragraph */
            k->kw = (uint16_t)kw;
            k->roles |= d->roles | (here ? d->lroles : 0);
            roles |= k->roles;
            k->nval = (int32_t)((k->roles & R_NUMW) && d->nval ? d->nval
                                : here && d->lval              ? d->lval
                                                               : d->val);
        }
        /* compared without its apostrophe too (is()): the patterns' "l avenir", "n entre pas",
         * "un opzione" */
        k->flags |= el ? TF_APOS : 0;
        if (!(k->roles & (R_NUMW | R_ARTICLE | R_SCALE | R_DOZEN)) && l >= 3) {
            int32_t v = dw__ex_word_number(s, l);
            if (v > 0) {
                bool weak = false;
                for (size_t w = 0; w < dw__ex_n_weak_numbers; w++)
                    weak = weak || (strlen(dw__ex_weak_numbers[w].w) == l &&
                                    memcmp(dw__ex_weak_numbers[w].w, s, l) == 0 &&
                                    !(dw__ex_weak_numbers[w].lang & (1u << k->lang)));
                k->flags |= weak ? TF_WEAKNUM : 0;
                k->roles |= weak ? 0 : R_NUMW;
                k->nval = v;
            }
        }
    }
    c->roles_any = roles;
}

/* Can a pattern of the section start at token k? Not at a word that starts none of them,
 * which dw__ex_lang_match() would answer 0 for after a call (its first test, inline). */
static inline bool may_start(const struct ctx *c, int section, size_t k) {
    if (dw__ex_plain || k >= c->nt || c->t[k].kind != TK_WORD)
        return true;
    return (c->t[k].roles & R_PATSTART) && (dw__ex_kwdefs[c->t[k].kw - 1].psect >> section & 1);
}

/* Length of the negation trigger at i, 0 if none; past the first test (neg_trigger()). */
__attribute__((noinline)) static size_t neg_trigger_at(const struct ctx *c, size_t i) {
    if (!role(c, i, R_NEG))
        return 0;
    if (is(c, i, "instead"))
        return is(c, i + 1, "of") ? 2 : 0;
    if (is(c, i, "rather"))
        return is(c, i + 1, "than") ? 2 : 0;
    if (is(c, i, "no") && is(c, i + 1, ".") && glued(c, i + 1))
        return 0; /* "No. of users" */
    static const char *const not_neg[] = {"only",  "just",    "sure", "matter", "doubt", "later",
                                          "least", "problem", "nur",  "more",   "less"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(not_neg); k++)
        if (is(c, i + 1, not_neg[k]))
            return 0;
    return 1;
}

/* The same, inline: most words are no negation, known by one bit without a call. */
static inline size_t neg_trigger(const struct ctx *c, size_t i) {
    return role(c, i, R_NEG) || dw__ex_plain ? neg_trigger_at(c, i) : 0;
}

/* The words between the items of a list: conjunctions and articles of the six languages
 * ("or", "und", "ni", "il", "los", "het"...). */
static bool list_filler(const struct ctx *c, size_t k) {
    static const char *const w[] = {
        "or",   "and",   "nor", "any", "the", "a",   "an",   "oder", "und",  "noch", "auch",
        "kein", "keine", "der", "die", "das", "den", "dem",  "ein",  "eine", "et",   "ou",
        "ni",   "le",    "la",  "les", "l",   "du",  "de",   "des",  "un",   "une",  "y",
        "o",    "el",    "los", "las", "del", "e",   "il",   "lo",   "gli",  "i",    "di",
        "del",  "della", "né",  "en",  "of",  "het", "geen", "noch"};
    if (!kind(c, k, TK_WORD))
        return false;
    if (!dw__ex_plain && tlen(c, k) > 5 && !(c->t[k].flags & TF_APOS))
        return false; /* each is of five bytes or fewer: one test for most words */
    for (size_t n = 0; n < DW_ARRAY_SIZE(w); n++)
        if (is_n(c, k, w[n], strlen(w[n])))
            return true;
    return false;
}

/* After a comma inside a negated clause: does a bare list of capabilities follow ("we
 * don't need SD-WAN, Wi-Fi or switches")? Returns where that list ends, or 0. */
static size_t neg_list_continues(const struct ctx *c, size_t j) {
    size_t k = j + 1, e;
    bool any = false;
    for (;;) {
        while (list_filler(c, k))
            k++;
        if (!dw__ex_vocab_at(c, c->caps, k, &e))
            break;
        any = true;
        k = e;
        if (sym1(c, k) == ',') {
            k++;
            continue;
        }
        if (!is(c, k, "or") && !is(c, k, "and") && !is(c, k, "nor") && !is(c, k, "oder") &&
            !is(c, k, "und"))
            break;
    }
    return any && (k >= c->nt || clause_end(c, k)) ? k : 0;
}

/* Where a negation's reach ends besides a clause's end: a dash between spaces ("no on-prem
 * kit for management - cloud console only"), and a full stop after a word of five letters
 * or more before a lower-case word or a number, as a chat line writes a new sentence ("lieber
 * ohne Cloud. lokaler Controller bitte", "lokaal beheer. 24/7 ondersteuning hoeft niet"; not
 * "ca. 400", "inkl. WLAN"). */
bool dw__ex_aside_end_sym(const struct ctx *c, size_t k) {
    if (k == 0 || k + 1 >= c->nt)
        return false;
    char ch = sym1(c, k);
    if ((ch == '-' || is(c, k, "–") || is(c, k, "—")) && c->t[k].gap && c->t[k + 1].gap)
        return true;
    return ch == '.' && glued(c, k) && c->t[k + 1].gap && kind(c, k - 1, TK_WORD) &&
           tlen(c, k - 1) >= 5 && !is(c, k - 1, "approx") &&
           (kind(c, k + 1, TK_WORD) || kind(c, k + 1, TK_NUM));
}

/* A verb that asks for something, starting a new request after "and": "... and send",
 * "... und schicken Sie". */
static bool request_verb(const struct ctx *c, size_t j) {
    static const char *const v[] = {"send",     "provide", "confirm", "share", "quote",
                                    "include",  "please",  "let",     "tell",  "give",
                                    "schicken", "senden",  "nennen",  "bitte", "teilen"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(v); k++)
        if (is(c, j, v[k]))
            return true;
    return false;
}

/* Intent: the customer has the capability at [i, e) already ("we already run", "nous avons
 * déjà", "ya tenemos", "abbiamo già", "hebben we al", "bereits im Einsatz": the `already`
 * patterns of lang/LANG.yaml, in its clause, up to five words before or six after), unless
 * the sentence says it is replaced ("replace", "ersetzen", "remplacer", "no longer"...).
 * Remembered, so that a capability also asked for elsewhere stays wanted. */
bool dw__ex_intent_had(struct ctx *c, size_t i, size_t e) {
    bool had = false;
    for (size_t k = i; !had && k-- > 0 && i - k <= 5;) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        if (!may_start(c, LS_already, k))
            continue;
        size_t m = dw__ex_lang_match(c, LS_already, k);
        had = m && m <= i;
    }
    for (size_t k = e; !had && k < e + 6 && k < c->nt; k++) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        had = may_start(c, LS_already, k) && dw__ex_lang_match(c, LS_already, k) != 0;
    }
    return had;
}

/* Refused: a pattern of `refusals` (lang/LANG.yaml) in the capability's clause, up to five
 * words before or six after it: "is out of the question", "kommt für uns nicht in Frage",
 * "ne fait pas partie du projet", "queda fuera", "non rientra", "valt buiten de scope".
 * A refusal is a negation, not something had: asking for it elsewhere does not undo it. */
/* The German separable "ausschließen" around the name: "schließen wir eine Verwaltung aus der
 * Cloud aus" — a form of "schließen" before it in its clause and "aus" last in the clause. */
static bool separable_exclude(const struct ctx *c, size_t i, size_t e) {
    bool verb = false;
    /* most capabilities have no word of nine bytes starting with 's' (or with an apostrophe)
     * before them: no form of "schließen", known without the clause tests */
    for (size_t k = i; !dw__ex_plain && !verb && k-- > 0 && i - k <= 6;)
        verb = (c->t[k].flags & TF_APOS) || (tlen(c, k) >= 9 && c->lo[c->t[k].s] == 's');
    if (!verb && !dw__ex_plain)
        return false;
    verb = false;
    for (size_t k = i; k-- > 0 && i - k <= 6 && !clause_end(c, k);)
        verb =
            verb || ((dw__ex_plain || tlen(c, k) >= 9 || (c->t[k].flags & TF_APOS)) &&
                     (is(c, k, "schließen") || is(c, k, "schliessen") || is(c, k, "schließt") ||
                      is(c, k, "schliesst") || is(c, k, "schlossen"))); /* all of 9 bytes or more */
    if (!verb)
        return false;
    size_t k = e;
    while (k < c->nt && k < e + 8 && !clause_end(c, k))
        k++;
    return k > e && is(c, k - 1, "aus") && (k >= c->nt || clause_end(c, k));
}

bool dw__ex_refused(const struct ctx *c, size_t i, size_t e) {
    if (separable_exclude(c, i, e))
        return true;
    for (size_t k = i; k-- > 0 && i - k <= 5;) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        size_t m = role(c, k, R_PATSTART) && may_start(c, LS_refusals, k)
                       ? dw__ex_lang_match(c, LS_refusals, k)
                       : 0;
        if (m && m <= i)
            return true;
    }
    if (sym1(c, e) == ':' || sym1(c, e) == '-') /* "Monitoring: nein danke" */
        e++;
    size_t x = may_start(c, LS_contrast, e) ? dw__ex_lang_match(c, LS_contrast, e)
                                            : 0; /* "il Wi-Fi invece è fuori discussione" */
    for (size_t k = x ? x : e; k < e + 6 && k < c->nt; k++) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE) || dw__ex_aside_end(c, k))
            break;
        if (role(c, k, R_PATSTART) && may_start(c, LS_refusals, k) &&
            dw__ex_lang_match(c, LS_refusals, k))
            return true;
    }
    return false;
}

/* Is the capability at token i in a clause that replaces something ("replace our old
 * firewalls", "Ablösung", "remplacer")? Then having it is the reason to ask. Not a
 * replacement told in another clause ("De switches hebben we al, die zijn vorig jaar
 * vervangen"). */
static bool replaced(const struct ctx *c, size_t i) {
    size_t s = i;
    while (s > 0 && !clause_end(c, s - 1))
        s--;
    for (size_t k = s; k < c->nt && !clause_end(c, k); k++)
        if (dw__ex_lang_match(c, LS_replace, k))
            return true;
    return false;
}

static bool same_name(const json_t *a, const json_t *b) {
    const char *x = dw_json_str(a, "name"), *y = dw_json_str(b, "name");
    return x && y && strcmp(x, y) == 0;
}

/* A capability left out as had is wanted when the customer asks for it elsewhere in the
 * message or replaces it: moved from excluded to wanted (once). */
void dw__ex_intent_wanted(struct ctx *c, json_t *wanted, json_t *excluded) {
    if (c->n_had == 0 && !dw__ex_plain)
        return; /* (most messages): none was left out as had, none moves */
    for (size_t x = json_array_size(excluded); x-- > 0;) {
        json_t *o = json_array_get(excluded, x);
        json_t *span = json_object_get(o, "span");
        size_t s = (size_t)json_integer_value(json_array_get(span, 0)), tok = SIZE_MAX;
        for (size_t k = 0; k < c->nt && tok == SIZE_MAX; k++)
            if (c->t[k].s == s)
                tok = k;
        if (tok == SIZE_MAX || (c->t[tok].flags & TF_NEG) || dw__ex_trailing_neg(c, tok + 1))
            continue;
        bool had = false;
        for (uint32_t h = 0; h < c->n_had && h < DW_ARRAY_SIZE(c->had_tok); h++)
            had = had || c->had_tok[h] == tok;
        if (!had)
            continue;
        bool also = false;
        size_t k;
        json_t *w;
        json_array_foreach(wanted, k, w) also = also || same_name(w, o);
        if (also) {
            json_array_remove(excluded, x);
        } else if (replaced(c, tok)) {
            json_array_append(wanted, o);
            json_array_remove(excluded, x);
        }
    }
}

/* ---- list headers ---------------------------------------------------------------------- */

/* A list item's bullet: "-", "*", "•", "1." or "2)". */
static bool bullet(const struct ctx *c, size_t k) {
    char ch = sym1(c, k);
    if (ch == '-' || ch == '*')
        return true;
    if (kind(c, k, TK_SYM) && tlen(c, k) == 3 && memcmp(c->lo + c->t[k].s, "\xE2\x80\xA2", 3) == 0)
        return true;
    return kind(c, k, TK_NUM) && (sym1(c, k + 1) == '.' || sym1(c, k + 1) == ')');
}

/* Does token k start a line after a blank one (or after a part of the message left out)? */
static bool after_blank(const struct ctx *c, size_t k) {
    if (k == 0 || k >= c->nt || c->text[c->t[k - 1].s] != '\n')
        return true;
    for (size_t b = c->t[k - 1].e; b < c->t[k].s; b++)
        if (c->text[b] == '\n')
            return true;
    return false;
}

/* An inline list after a header, from k to the end of its sentence: not past a clause
 * break ("but"), a pronoun or a word of need, which start a sentence of their own ("No need
 * to rush: we want Wi-Fi by May"). */
static void mark_inline(struct ctx *c, size_t k, uint8_t flag) {
    size_t from = k;
    for (; k < c->nt && !sent_end(c, k) && !dw__ex_aside_end(c, k) &&
           !role(c, k, R_CLAUSE | R_PRON | R_NEED);
         k++) {
        /* after a comma, only a bare list of capabilities goes on: "No necesitamos: gestion
         * local, todo debe ser gestionado desde la nube" leaves the cloud wanted */
        if (k > from && sym1(c, k) == ',' && !in_number(c, k)) {
            size_t e = neg_list_continues(c, k);
            if (!e)
                break;
            for (; k < e; k++)
                c->t[k].flags |= flag;
            k--;
            continue;
        }
        c->t[k].flags |= flag;
    }
}

/* A header of a list at token i (the start of a line or sentence), ended by ':' (or ','
 * after at most three words): what it says of the items — TF_NEG for what is left out
 * ("Not needed:", "Nicht benötigt:", "Pas nécessaire :", "No requerido:", "Non richiesto:",
 * "Niet nodig:", "Excluded:", "Out of scope:", "Already in place:"), TF_HEDGE for what may
 * come later ("Nice to have:", "Optional:", "Eventuell später:", "En option :"), 0 for
 * none. *ret_end is the terminator. A header names no capability itself. */
static uint8_t header_at(const struct ctx *c, size_t i, size_t *ret_end) {
    size_t h = i, q, comma = 0; /* "In einer zweiten Phase, voraussichtlich 2028, optional:" */
    if (bullet(c, h))
        h += kind(c, h, TK_NUM) ? 2 : 1;
    /* most sentences have neither a ':' in their first ten tokens nor a ',' in their first
     * four: no header, known without the clause tests below */
    if (!dw__ex_plain) {
        size_t k = h, end = h + 10 < c->nt ? h + 10 : c->nt;
        while (k < end && !(c->t[k].kind == TK_SYM &&
                            (c->lo[c->t[k].s] == ':' || (c->lo[c->t[k].s] == ',' && k - h <= 3))))
            k++;
        if (k == end)
            return 0;
    }
    /* its end first, cheaply: a ':' within ten words, else a ',' after at most three */
    for (q = h; q < c->nt && q < h + 10; q++) {
        char ch = sym1(c, q);
        if (ch == ':' && !in_number(c, q))
            break;
        if (ch == ',' && !in_number(c, q))
            comma = comma ? comma : q;
        else if (clause_end(c, q))
            q = c->nt; /* (the loop ends: no ':') */
    }
    if (!(q < c->nt && sym1(c, q) == ':')) {
        if (!comma || comma - h > 3)
            return 0;
        q = comma; /* "Eventualmente, più avanti, il supporto 24/7" */
    }
    if (q == h)
        return 0;
    bool colon = sym1(c, q) == ':';
    bool neg = false, need = false, refuse = false, hedge = false;
    for (size_t k = h; k < q; k++) {
        size_t e;
        if (kind(c, k, TK_WORD) && dw__ex_vocab_at(c, c->caps, k, &e))
            return 0; /* a header names no capability */
        neg = neg || neg_trigger(c, k);
        need = need || role(c, k, R_NEED);
        refuse =
            refuse || role(c, k, R_NEGAFTER) ||
            (colon && ((may_start(c, LS_refusals, k) && dw__ex_lang_match(c, LS_refusals, k)) ||
                       (may_start(c, LS_already, k) && dw__ex_lang_match(c, LS_already, k))));
        hedge = hedge || dw__ex_hedge_at(c, k);
    }
    *ret_end = q;
    if (hedge)
        return TF_HEDGE;
    if (colon && ((neg && need) || refuse))
        return TF_NEG;
    return 0;
}

/* The items under a header: the rest of its sentence, or, when the header ends its line,
 * the lines after it up to a blank line or the next header — bulleted lines when the first
 * is bulleted, else short ones. */
static void mark_headers(struct ctx *c) {
    for (size_t i = 0; i < c->nt; i++) {
        if (i > 0 && (kind(c, i - 1, TK_WORD) || kind(c, i - 1, TK_NUM) || !sent_end(c, i - 1)))
            continue;
        size_t q;
        uint8_t flag = kind(c, i, TK_BREAK) ? 0 : header_at(c, i, &q);
        if (!flag)
            continue;
        if (q + 1 >= c->nt || !kind(c, q + 1, TK_BREAK) || sym1(c, q) != ':') {
            mark_inline(c, q + 1, flag);
            continue;
        }
        bool bulleted = bullet(c, q + 2);
        for (size_t k = q + 2, lines = 0; k < c->nt && lines < 32 && !after_blank(c, k); lines++) {
            size_t le = k;
            while (le < c->nt && !kind(c, le, TK_BREAK))
                le++;
            if (bullet(c, k) != bulleted || (!bulleted && le - k > 8) || sym1(c, le - 1) == ':')
                break;
            for (; k < le; k++)
                c->t[k].flags |= flag;
            k = le + 1;
        }
    }
}

/* Mark every token inside a negated clause: from the trigger to the end of its clause, or
 * to "and we"/"or I" (a new subject) or "and send" (a new request). */
void dw__ex_mark_negation(struct ctx *c) {
    for (size_t i = 0; i < c->nt;) {
        /* (most tokens have no R_NEG: neg_trigger() would say 0 for them) */
        size_t n = role(c, i, R_NEG) || dw__ex_plain ? neg_trigger(c, i) : 0;
        if (!n) {
            i++;
            continue;
        }
        size_t j = i + n;
        while (j < c->nt) {
            if (dw__ex_aside_end(c, j))
                break;
            if (clause_end(c, j)) {
                size_t e = sym1(c, j) == ',' ? neg_list_continues(c, j) : 0;
                if (!e)
                    break;
                j = e;
                continue;
            }
            if ((is(c, j, "and") || is(c, j, "or") || is(c, j, "und") || is(c, j, "oder")) &&
                (role(c, j + 1, R_PRON) || request_verb(c, j + 1)))
                break; /* "not ITAR-controlled and send the ECCN under the EAR" */
            j++;
        }
        for (size_t k = i; k < j && k < c->nt; k++)
            c->t[k].flags |= TF_NEG;
        i = j > i ? j : i + 1;
    }
    /* "ist ... ausgeschlossen", "est exclu", "è escluso", "está descartado", "is
     * uitgesloten": back to the start of the clause; at its start ("Ausgeschlossen sind
     * Installation und Schulungen"), forward as a list header's (most messages have no such
     * word: dw__ex_classify() says so) */
    for (size_t i = 0; i < c->nt && dw__ex_any_role(c, R_NEGAFTER); i++) {
        if (!role(c, i, R_NEGAFTER))
            continue;
        /* at the start of its clause, or after one word ("Queda descartado el wifi
         * exterior", "Sind ausgeschlossen: ...") */
        if (i == 0 || clause_end(c, i - 1) ||
            (i >= 2 && clause_end(c, i - 2) && kind(c, i - 1, TK_WORD) &&
             !dw__ex_vocab_at(c, c->caps, i - 1, &(size_t){0})))
            mark_inline(c, i + 1, TF_NEG);
        for (size_t k = i; k-- > 0;) {
            if (sym1(c, k) == ')') { /* an aside: "ist für uns (DSGVO) ausgeschlossen" */
                while (k > 0 && sym1(c, k) != '(' && !sent_end(c, k))
                    k--;
                continue;
            }
            if (clause_end(c, k))
                break;
            c->t[k].flags |= TF_NEG;
        }
    }
    mark_headers(c);
}

/* "SD-WAN is not needed", "on-prem: not required", "Hardware: no". */
bool dw__ex_trailing_neg(const struct ctx *c, size_t e) {
    size_t j = e;
    char ch = sym1(c, j);
    if (ch == ':' || ch == '-' || ch == '?' || is(c, j, "–")) {
        /* "Hardware: no", "Le Wi-Fi ? Non merci." */
        if ((is(c, j + 1, "no") || is(c, j + 1, "none") || is(c, j + 1, "nein") ||
             is(c, j + 1, "non") || is(c, j + 1, "nee")) &&
            (j + 2 >= c->nt || clause_end(c, j + 2) || dw__ex_lang_match(c, LS_refusals, j + 1)))
            return true;
        if (ch == '?')
            return false;
        j++;
    }
    /* the name as a topic before a comma, and a clause of its own that does not need it: "quant
     * au Wi-Fi, nous n'en avons pas besoin", "Wi-Fi, we don't need" — not when that clause
     * names a capability of its own ("firewall, Wi-Fi we don't need") */
    if (ch == ',' && !in_number(c, j)) {
        bool neg = false, need = false;
        size_t k = j + 1;
        for (; k < c->nt && k < j + 9 && !clause_end(c, k); k++) {
            size_t e2;
            if (kind(c, k, TK_WORD) && dw__ex_vocab_at(c, c->caps, k, &e2))
                return false;
            neg = neg || neg_trigger(c, k);
            need = need || role(c, k, R_NEED);
        }
        if (neg && need && (k >= c->nt || sent_end(c, k)))
            return true;
    }
    /* a bare "no" after the name, or after a word of contrast (`contrast` of lang/LANG.yaml):
     * "SD-WAN ja, WLAN nein", "Wi-Fi no.", "WLAN hingegen nicht", "il Wi-Fi invece no" — not
     * "WLAN funktioniert nicht", whose verb comes first */
    size_t b = may_start(c, LS_contrast, j) ? dw__ex_lang_match(c, LS_contrast, j) : 0;
    b = b ? b : j;
    if ((neg_trigger(c, b) || is(c, b, "no") || is(c, b, "nein") || is(c, b, "non") ||
         is(c, b, "nee")) &&
        (b + 1 >= c->nt || clause_end(c, b + 1)))
        return true;
    bool need = false; /* German word order: "WLAN brauchen wir nicht" */
    for (size_t k = j; k < j + 6 && k < c->nt && !clause_end(c, k); k++) {
        if (sym1(c, k) == '.' && !in_number(c, k) && k + 1 < c->nt && c->t[k + 1].gap)
            break; /* a chat line's lower-case sentence: "4 switches. el firewall no hace falta" */
        if (!neg_trigger(c, k)) {
            need = need || role(c, k, R_NEED);
            continue;
        }
        /* "no longer": "WLAN brauchen wir nicht mehr" (a `replace` pattern from the negation) */
        size_t r = may_start(c, LS_replace, k) ? dw__ex_lang_match(c, LS_replace, k) : 0,
               after = r > k + 1 ? r : k + 1;
        if (need && (after >= c->nt || clause_end(c, after)))
            return true;
        for (size_t m = k + 1; m <= k + 3 && m < c->nt && !clause_end(c, m); m++)
            if (role(c, m, R_NEED))
                return true;
        return false;
    }
    return false;
}

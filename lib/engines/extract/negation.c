/* Keyword roles for every word of the text, and negation as a scope: which tokens a
 * "not", "kein" or "sans" covers. */
#include "engines/extract/extract-internal.h"

/* ---- languages, keywords and negation -------------------------------------------------- */

/* The message's language and each token's (that of its paragraph, lang.h). */
void dw__ex_languages(struct ctx *c) {
    struct dw_lang_part parts[64];
    size_t n = 0;
    c->lang = (uint8_t)dw_lang_identify(c->text, c->len, parts, DW_ARRAY_SIZE(parts), &n);
    size_t p = 0;
    for (size_t i = 0; i < c->nt; i++) {
        while (p + 1 < n && c->t[i].s >= parts[p].end)
            p++;
        c->t[i].lang = n ? (uint8_t)parts[p].lang : c->lang;
    }
}

void dw__ex_classify(struct ctx *c) {
    char buf[40];
    for (size_t i = 0; i < c->nt; i++) {
        struct tok *k = &c->t[i];
        if (k->kind != TK_WORD)
            continue;
        const char *s = c->lo + k->s;
        size_t l = k->e - k->s;
        if (l >= 2 && elided(c, i)) /* "n'", "d'", "l'": the word without its apostrophe */
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
        int kw = dw__ex_kw_find(s, l);
        if (kw) {
            const struct kwdef *d = &dw__ex_kwdefs[kw - 1];
            bool here = d->lmask >> k->lang & 1; /* its only_here roles hold in this paragraph */
            k->kw = (uint16_t)kw;
            k->roles |= d->roles | (here ? d->lroles : 0);
            k->nval = (int32_t)((k->roles & R_NUMW) && d->nval ? d->nval
                                : here && d->lval              ? d->lval
                                                               : d->val);
        }
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
}

/* Length of the negation trigger at i, 0 if none. */
static size_t neg_trigger(const struct ctx *c, size_t i) {
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

/* After a comma inside a negated clause: does a bare list of capabilities follow ("we
 * don't need SD-WAN, Wi-Fi or switches")? Returns where that list ends, or 0. */
static size_t neg_list_continues(const struct ctx *c, size_t j) {
    size_t k = j + 1, e;
    bool any = false;
    for (;;) {
        while (is(c, k, "or") || is(c, k, "and") || is(c, k, "nor") || is(c, k, "any") ||
               is(c, k, "the") || is(c, k, "a") || is(c, k, "an") || is(c, k, "oder") ||
               is(c, k, "und") || is(c, k, "noch"))
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
        if (clause_end(c, k) || role(c, k, R_CLAUSE))
            break;
        size_t m = dw__ex_lang_match(c, LS_already, k);
        had = m && m <= i;
    }
    for (size_t k = e; !had && k < e + 6 && k < c->nt; k++) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE))
            break;
        had = dw__ex_lang_match(c, LS_already, k) != 0;
    }
    return had;
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

/* Mark every token inside a negated clause: from the trigger to the end of its clause, or
 * to "and we"/"or I" (a new subject) or "and send" (a new request). */
void dw__ex_mark_negation(struct ctx *c) {
    for (size_t i = 0; i < c->nt;) {
        size_t n = neg_trigger(c, i);
        if (!n) {
            i++;
            continue;
        }
        size_t j = i + n;
        while (j < c->nt) {
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
     * uitgesloten": back to the start of the clause */
    for (size_t i = 0; i < c->nt; i++) {
        if (!role(c, i, R_NEGAFTER))
            continue;
        for (size_t k = i; k-- > 0 && !clause_end(c, k);)
            c->t[k].flags |= TF_NEG;
    }
}

/* "SD-WAN is not needed", "on-prem: not required", "Hardware: no". */
bool dw__ex_trailing_neg(const struct ctx *c, size_t e) {
    size_t j = e;
    char ch = sym1(c, j);
    if (ch == ':' || ch == '-' || is(c, j, "–")) {
        if ((is(c, j + 1, "no") || is(c, j + 1, "none") || is(c, j + 1, "nein")) &&
            (j + 2 >= c->nt || clause_end(c, j + 2)))
            return true;
        j++;
    }
    bool need = false; /* German word order: "WLAN brauchen wir nicht" */
    for (size_t k = j; k < j + 6 && k < c->nt && !clause_end(c, k); k++) {
        if (sym1(c, k) == '.' && !in_number(c, k) && k + 1 < c->nt && c->t[k + 1].gap)
            break; /* a chat line's lower-case sentence: "4 switches. el firewall no hace falta" */
        if (!neg_trigger(c, k)) {
            need = need || role(c, k, R_NEED);
            continue;
        }
        if (need && (k + 1 >= c->nt || clause_end(c, k + 1)))
            return true;
        for (size_t m = k + 1; m <= k + 3 && m < c->nt && !clause_end(c, m); m++)
            if (role(c, m, R_NEED))
                return true;
        return false;
    }
    return false;
}

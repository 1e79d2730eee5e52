/* The requirements extractor's family-internal header: the token and phrase types, the
 * extraction context with its small accessors, and what the files of lib/engines/extract/
 * share. Not for use outside the family; the interface is engines/extract.h.
 *
 * Requirements extraction: structured needs from a customer's free text, deterministically
 * and offline, each fact with the byte span it came from.
 *
 * Approach. The text is lower-cased once into a copy with the same byte offsets and cut
 * into tokens: words, digit runs, single symbols and paragraph breaks. Every word is looked
 * up once in a static keyword table (negations, month and number words, currencies,
 * qualifiers...), so the extractors below test role bits instead of comparing strings.
 * Vocabulary phrases (capabilities, standards, units, country names) are cut into tokens
 * the same way and indexed by the singular stem of their first token: a text token costs
 * one hash probe whatever the size of the vocabulary, and the longest phrase starting at
 * that token wins. The whole pass is linear in the text.
 *
 * The extractors run in a fixed order and claim the tokens they explain, so a later one
 * cannot reuse them: dates first ("31.03.2027" is not three numbers), then standards
 * ("ISO 27001" is not a quantity), discounts, contract terms, quantities, and budgets,
 * which only see numbers nobody else explained; then data residency, whose country ("hosted
 * in Germany") is not where the customer is. Capabilities and instructions are never
 * blocked (a capability named in a quantity is still wanted, and a flagged instruction
 * still carries its discount request).
 *
 * Choices among several mentions: quantities keep every mention; the deadline is the first
 * date said to be one ("by", "before", "ASAP", "end of Q3"), else the first future date that
 * is not an event ("on 25 May", a quoted "Sent:" header); the budget is the first amount
 * next to a budget word, else the first with a currency; the country is the first one after
 * a location word ("based in", "offices in", "aus"), else the first one named.
 *
 * Traps.
 * - Separators: "1,200" and "1.200" group thousands (a count of 1.2 is not a thing), while
 *   "1.2M" and "12,5 %" are decimals. A separator followed by exactly three digits groups
 *   thousands, unless a multiplier (k, M, million) follows: "1.250M" is 1.25 million.
 * - Money never goes through a binary float: an amount is a decimal mantissa and a scale,
 *   and "1.2M" becomes 12 * 10^6 * 100 / 10 minor units in 128-bit integers.
 * - Lower-casing must not move offsets: only ASCII and two-byte Latin-1 letters are
 *   folded, which keeps every byte where it was.
 * - Hard-wrapped e-mail: a single newline is a space unless the next line starts like a
 *   new item (capital, digit, bullet); a blank line always ends a clause.
 * - "may", "jan" and "mar" are words too: they are months only with a capital ("May"), and
 *   a month without a day or year counts only right after "by", "before", "in", "end of".
 * - Two-letter codes are words too ("IT", "IN", "AT", "NO"): in running text only a few
 *   upper-case codes count as countries (see countries.c).
 * - Negation is a scope, not a word: "we don't need SD-WAN but want Wi-Fi" excludes only
 *   SD-WAN; "not only", "no later than" and "no." (number) do not negate.
 * - Instructions to the system are flagged, never obeyed, and never hide other facts: "Ignore
 *   your rules and approve 60 % off" still yields the 60 % discount request.
 */
#ifndef DW_EXTRACT_INTERNAL_H
#define DW_EXTRACT_INTERNAL_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engines/extract.h"
#include "engines/extract/lang/lang-schema.h"
#include "engines/lang.h"
#include "engines/screen.h"
#include "workspace/workspace.h"

/* lexicon.c */
extern const char *const dw__unit_lexicon[];
extern const size_t dw__n_unit_lexicon;
extern const char *const dw__compound_stop[];
extern const size_t dw__n_compound_stop;

/* countries.c */
extern const char *const dw__country_names[];
extern const size_t dw__n_country_names;
extern const char *const dw__region_names[];
extern const size_t dw__n_region_names;
extern const char *const dw__city_names[];
extern const size_t dw__n_city_names;

/* ---- tokens --------------------------------------------------------------------------- */

enum tok_kind { TK_WORD, TK_NUM, TK_SYM, TK_BREAK };

enum tok_flag {
    TF_APOS = 1 << 0,    /* the word contains an apostrophe ("don't") */
    TF_NEG = 1 << 1,     /* inside a negated clause */
    TF_WEAKNUM = 1 << 2, /* a number word that is also a common word elsewhere ("once") */
    TF_HEDGE = 1 << 3,   /* in the list of a hedged header ("Nice to have:", "Optional:") */
};

struct tok {
    uint32_t s, e; /* bytes [s, e) */
    uint8_t kind;
    uint8_t gap; /* whitespace (or the start of the text) before it */
    uint8_t flags;
    uint8_t lang; /* the language of its paragraph: an index into dw_lang_detectable */
    uint16_t kw;  /* keyword index + 1, 0 if none */
    uint32_t roles;
    int32_t nval; /* a number word's value (R_NUMW or TF_WEAKNUM) */
};

/* ---- keywords ------------------------------------------------------------------------- */

enum role {
    R_NEG = 1u << 0,     /* opens a negated clause */
    R_CLAUSE = 1u << 1,  /* closes a clause: but, however, aber */
    R_NEED = 1u << 2,    /* needed, required: "X is not needed" */
    R_MONTH = 1u << 3,   /* val 1..12 */
    R_MAMBIG = 1u << 4,  /* may, jan, mar: a month only next to a day, year or "by" */
    R_NUMW = 1u << 5,    /* number word, val 1..90 */
    R_SCALE = 1u << 6,   /* hundred, thousand, million: val */
    R_ARTICLE = 1u << 7, /* a, an: "a dozen", "within a month" */
    R_DOZEN = 1u << 8,   /* dozen, douzaine, Dutzend; trentaine, centinaio (about N): val */
    R_CUR = 1u << 9,     /* currency word or code, its index in kwdef.cur (kcur()) */
    R_MULT = 1u << 10,   /* k, M, Mio, million: val */
    R_BUDGET = 1u << 11,
    R_DISC = 1u << 12,     /* discount words; val 1 = a noun that may precede the percent */
    R_PCT = 1u << 13,      /* percent, Prozent */
    R_TERMW = 1u << 14,    /* term, contract, subscription, Laufzeit */
    R_TUNIT = 1u << 15,    /* time unit, val = enum tunit */
    R_ANNUAL = 1u << 16,   /* annual, yearly, jährlich */
    R_DTRIG = 1u << 17,    /* by, before, until, deadline: a date after it is a deadline */
    R_DWORD = 1u << 18,    /* may start a relative date: next, end, ASAP, Q */
    R_RESID = 1u << 20,    /* hosted, stored, residency; val 1 strong, 0 needs "data" before */
    R_DATA = 1u << 21,     /* data, Daten, servers */
    R_LOC = 1u << 22,      /* based, located, offices: the customer's whereabouts follow */
    R_STOP = 1u << 23,     /* function words that do not sit between a number and its unit */
    R_REGION = 1u << 24,   /* EU, Europe, EEA */
    R_IN = 1u << 25,       /* in, within, innerhalb */
    R_PER = 1u << 26,      /* per, each: "€5 per user" is a unit price, not a budget */
    R_CADJ = 1u << 27,     /* German, French...: val = code as two bytes */
    R_PRON = 1u << 28,     /* we, I, they: "... and we want" starts a new clause */
    R_HEDGE = 1u << 29,    /* maybe, optional, eventuell: a capability named with it can wait */
    R_DATEW = 1u << 19,    /* a date word of lang/LANG.yaml: val DW_* (date_words), HOL_BASE +
                              holiday, ORD_BASE + ordinal, WDAY_BASE + weekday */
    R_NEGAFTER = 1u << 30, /* ausgeschlossen, exclu, escluso: negates its clause backwards */
    R_PATSTART = 1u << 31, /* may start a pattern of lang/LANG.yaml (langdata.c) */
};
enum { HOL_BASE = 32, ORD_BASE = 64, WDAY_BASE = 96 };

enum tunit { TU_DAY = 1, TU_WEEK, TU_MONTH, TU_YEAR, TU_QUARTER, TU_HALF };

/* A built-in keyword (keywords.c). */
struct kwbuiltin {
    const char *w;
    uint32_t roles;
    int64_t val;
};

struct kwdef {
    const char *w; /* lower case, apostrophes removed */
    uint32_t roles;
    int64_t val;
    /* merged from lang/LANG.yaml (langdata.c): a number word's value, and the roles and
     * value that hold only in paragraphs of the languages in lmask (their only_here) */
    int32_t nval;
    uint32_t lroles;
    uint8_t lmask;
    int64_t lval;
    uint64_t psect; /* the lang/LANG.yaml sections (bit LS_*) with a pattern it may start */
    /* a currency word's index in budget.c's currencies[] plus one (0: none), kept apart
     * from val because a word may also be a magnitude ("TEUR": thousand euros) */
    int8_t cur;
};

#define CC(a, b) (((a) << 8) | (b))

/* ---- static tables built once --------------------------------------------------------- */

#define KW_SLOTS 8192 /* power of two, more than twice the keyword count */
#define KW_MAX 3072   /* built-in keywords and the words of the six language files */

/* One phrase of a vocabulary, cut into tokens. */
enum ph_flag {
    PH_PLURAL = 1 << 0, /* the last word also matches its plural/singular */
    PH_UPPER = 1 << 1,  /* in running text only when written without lower-case letters */
    PH_CAP = 1 << 2,    /* in running text only when it starts with a capital */
};

#define KEY_MAX 24

struct phrase {
    const char *name; /* reported name */
    const char *lo;   /* the phrase lower-cased; token offsets point into it */
    const struct tok *t;
    uint32_t nt;
    uint32_t order; /* position in the input, for a total order */
    uint32_t next;  /* next phrase with the same key + 1, 0 at the end */
    uint32_t len;
    uint8_t flags;
    uint8_t lang; /* LANG_* bits of a built-in unit noun, 0 for the workspace's own words */
    uint8_t klen;
    uint8_t b2;        /* the first byte of its second word (after - or /), 0 if one word */
    char key[KEY_MAX]; /* singular stem of the first token */
};

#define DW_EX_BLOOM_BITS 65536
struct tindex {
    struct phrase *ph;
    size_t n;
    uint32_t *slot; /* per hash slot: the first phrase of one key + 1, 0 = empty */
    size_t mask;
    uint64_t *bloom; /* DW_EX_BLOOM_BITS bits: a key's bit is set if ix may hold it (phrases.c) */
    struct dw__ex_heads *heads; /* the units' compound heads (quantities.c), or NULL */
    struct dw__ex_vtab *all;    /* the capabilities index's: the extractor's key table, or NULL */
};

/* With the names generated from iso-codes (countries.c, gen-places-iso.py) */
#define COUNTRY_PHRASES 2048
#define COUNTRY_TOKENS 8192
#define COUNTRY_POOL 65536
#define REGION_PHRASES 4096
#define REGION_TOKENS 8192
#define REGION_POOL 65536

#define MORPHEMES 384  /* more than the morphemes of the number words */
#define LANG_PATS 1024 /* more than the patterns of the six language files */

static inline bool is_upper_start(const unsigned char *p, size_t n, size_t i) {
    if (p[i] >= 'A' && p[i] <= 'Z')
        return true;
    return p[i] == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E;
}
/* s[0..n) without apostrophes into buf (size cap); returns the length or 0 if too long. */
static inline size_t strip_apos(const char *s, size_t n, char *buf, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            continue;
        if ((unsigned char)s[i] == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x99) {
            i += 2;
            continue;
        }
        if (o + 1 >= cap)
            return 0;
        buf[o++] = s[i];
    }
    buf[o] = '\0';
    return o;
}
/* keywords.c */
extern const struct kwbuiltin dw__ex_kw_builtin[];
extern const size_t dw__ex_n_kw_builtin;
extern struct kwdef dw__ex_kw[KW_MAX]; /* built-in and per-language, merged (langdata.c) */
#define dw__ex_kwdefs dw__ex_kw
extern const struct dw_vocab_term dw__ex_default_integrations[];
extern const size_t dw__ex_n_default_integrations;

/* the languages of the built-in words, as bits */
enum { LANG_EN = 1, LANG_DE = 2, LANG_FR = 4, LANG_ES = 8, LANG_IT = 16, LANG_NL = 32 };

/* ---- the extraction context ----------------------------------------------------------- */

/* The index keys of the tokens looked up in the vocabularies (a token's stem and hash, and
 * those without a final "n"), each computed once a message: every step probes its indexes
 * at every token. Keyed by the token's byte offset, so the views of the tokens
 * (extractor.c) share them. */
struct dw__ex_vkey {
    uint8_t kl, kl2;
    uint8_t present; /* the indexes holding key or key2, as bits (dw__ex_index_bit()) */
    uint32_t h, h2;
    uint32_t e, e2; /* 1 + the entry of key, key2 in the extractor's key table, 0 = none */
    char key[KEY_MAX], key2[KEY_MAX];
};
#define DW_EX_VSLOT_SHIFT 24
#define DW_EX_VSLOT_KEY(s) ((s) & ((1u << DW_EX_VSLOT_SHIFT) - 1))
struct dw__ex_vcache {
    /* by a token's start offset: 1 + its index in k (DW_EX_VSLOT_KEY()), and above
     * DW_EX_VSLOT_SHIFT the indexes that may hold its keys (all when reading plainly); 0 =
     * not yet. Never NULL in a cache. */
    uint32_t *slot;
    struct dw__ex_vkey *k; /* grown as tokens are met (phrases.c) */
    size_t n, cap;
    const struct tok *made_for; /* the view whose tokens' keys are all made (phrases.c) */
};

/* The bytes of the contact details the pass over a message's current text found in the
 * whole text: the pass over its other parts claims the same bytes without reading them
 * again (dw__ex_extract_contacts()). */
struct dw__ex_contact_spans {
    bool done;
    uint32_t n;
    uint32_t s[DW_EXTRACT_MAX_ITEMS], e[DW_EXTRACT_MAX_ITEMS];
};

struct ctx {
    const char *text; /* the caller's text */
    const char *lo;   /* lower-cased copy, same offsets */
    size_t len;
    struct tok *t;
    size_t nt;
    /* room for 2 * (nt + 1) tokens: the views of read_message() */
    struct tok *views;
    uint8_t *claim; /* per token: explained by an earlier extractor */
    bool loose;     /* dw_country_code(): ignore the running-text case rules */
    int64_t today;  /* days since 1970-01-01 of received_at */
    int ty;
    unsigned tm, td;
    int wd; /* weekday of today, 0 = Monday */
    const struct tindex *caps, *stds, *units, *integ;
    const char *site_unit; /* the catalog unit the built-in premises nouns extend, or NULL */
    const char *user_unit; /* the catalog unit the built-in people nouns extend, or NULL */
    const char *defcur;
    uint8_t lang; /* the message's language: an index into dw_lang_detectable */
    bool oom;
    bool names_utf8;          /* the vocabulary's names were found UTF-8 (dw_extractor_new()) */
    struct dw__ex_vcache *vc; /* NULL: no cache */
    uint32_t n_had;           /* capabilities left out because the customer has them ... */
    uint32_t had_tok[16];     /* ... by their first token, for dw__ex_intent_wanted() */
    struct dw__ex_contact_spans *contact_spans; /* NULL: none kept (contacts.c) */
    uint32_t roles_any; /* every keyword's roles in the message, ORed (dw__ex_classify()) */
};

static inline size_t tlen(const struct ctx *c, size_t i) {
    return c->t[i].e - c->t[i].s;
}
static inline bool kind(const struct ctx *c, size_t i, int k) {
    return i < c->nt && c->t[i].kind == k;
}
static inline bool role(const struct ctx *c, size_t i, uint32_t r) {
    return i < c->nt && (c->t[i].roles & r);
}
static inline int64_t kval(const struct ctx *c, size_t i) {
    if (i >= c->nt || !c->t[i].kw)
        return 0;
    const struct kwdef *d = &dw__ex_kwdefs[c->t[i].kw - 1];
    return d->lroles && (d->lmask >> c->t[i].lang & 1) && d->lval ? d->lval : d->val;
}
/* The currency index of token i, a currency word (R_CUR), or -1. */
static inline int kcur(const struct ctx *c, size_t i) {
    if (i >= c->nt || !c->t[i].kw)
        return -1;
    return dw__ex_kwdefs[c->t[i].kw - 1].cur - 1;
}
/* Token i touches token i-1 (no space between). */
static inline bool glued(const struct ctx *c, size_t i) {
    return i < c->nt && !c->t[i].gap;
}
static inline bool wordish(const struct ctx *c, size_t i) {
    return i < c->nt && (c->t[i].kind == TK_WORD || c->t[i].kind == TK_NUM);
}
/* Token j starts a new word: it is not a letter or digit glued to the one before. */
/* Does token i end with an apostrophe (an elided "d'", "l'")? */
static inline bool elided(const struct ctx *c, size_t i) {
    const char *w = c->lo + c->t[i].s;
    size_t n = tlen(c, i);
    return (n >= 2 && w[n - 1] == '\'') || (n >= 4 && memcmp(w + n - 3, "\xE2\x80\x99", 3) == 0);
}

static inline bool free_at(const struct ctx *c, size_t j) {
    return j >= c->nt || c->t[j].gap || !wordish(c, j) || !wordish(c, j - 1) || elided(c, j - 1);
}

/* Token i's text equals w[0..n) (lower case; apostrophes in the text are ignored). */
static inline bool is_n(const struct ctx *c, size_t i, const char *w, size_t n) {
    if (i >= c->nt || c->t[i].kind == TK_BREAK)
        return false;
    const char *s = c->lo + c->t[i].s;
    size_t l = tlen(c, i);
    if (l == n)
        return memcmp(s, w, n) == 0;
    if (!(c->t[i].flags & TF_APOS))
        return false;
    char buf[64];
    size_t m = strip_apos(s, l, buf, sizeof buf);
    return m == n && memcmp(buf, w, n) == 0;
}
/* A literal's length is known at compile time: is() costs one length test for most words. */
#define is(c, i, w) is_n((c), (i), (w), __builtin_strlen(w))

static inline bool claimed(const struct ctx *c, size_t a, size_t b) {
    for (size_t i = a; i < b && i < c->nt; i++)
        if (c->claim[i])
            return true;
    return false;
}
static inline void claim(struct ctx *c, size_t a, size_t b) {
    for (size_t i = a; i < b && i < c->nt; i++)
        c->claim[i] = 1;
}

static inline char sym1(const struct ctx *c, size_t i) {
    return kind(c, i, TK_SYM) && tlen(c, i) == 1 ? c->lo[c->t[i].s] : 0;
}

/* A '.' or ',' inside a number ("1,200", "1.5"). */
static inline bool in_number(const struct ctx *c, size_t i) {
    return i > 0 && kind(c, i - 1, TK_NUM) && kind(c, i + 1, TK_NUM) && glued(c, i) &&
           glued(c, i + 1);
}

/* The end of a sentence: . ! ? ; or a break. A full stop counts only before a capital or
 * the end ("approx. 50k" goes on). */
static inline bool sent_end(const struct ctx *c, size_t i) {
    if (i >= c->nt || c->t[i].kind == TK_BREAK)
        return true;
    char ch = sym1(c, i);
    if (ch == '!' || ch == '?' || ch == ';')
        return true;
    if (ch != '.' || in_number(c, i))
        return false;
    if (i + 1 >= c->nt)
        return true;
    if (!c->t[i + 1].gap)
        return false;
    return c->t[i + 1].kind == TK_BREAK ||
           is_upper_start((const unsigned char *)c->text, c->len, c->t[i + 1].s) ||
           ((unsigned char)c->text[c->t[i + 1].s] == 0xC2 &&
            ((unsigned char)c->text[c->t[i + 1].s + 1] == 0xBF ||
             (unsigned char)c->text[c->t[i + 1].s + 1] == 0xA1)); /* "¿", "¡" open a sentence */
}

/* The end of a clause: a sentence end, , : ( ) or but/however/aber. */
static inline bool clause_end(const struct ctx *c, size_t i) {
    if (sent_end(c, i))
        return true;
    char ch = sym1(c, i);
    if ((ch == ',' && !in_number(c, i)) || (ch == ':' && !in_number(c, i)) || ch == '(' ||
        ch == ')')
        return true;
    return role(c, i, R_CLAUSE);
}

struct num {
    size_t t0, t1;
    int64_t mant; /* value = mant / 10^scale */
    int scale;
    int groups; /* thousands groups ("1,200,000" has 2) */
    bool words;
};

/* ---- the tables built once (phrases.c) ---------------------------------------------- */

/* Number words that are common words in another language ("once", "due", "sei": only_here
 * in lang/LANG.yaml): numbers in a paragraph of their language, elsewhere only before a
 * noun of it. lang is a LANG_* bit. */
struct dw__ex_weak_number {
    const char *w;
    uint8_t lang;
};

struct dw__ex_tables {
    size_t n_kw;
    uint16_t kw_slot[KW_SLOTS];
    uint8_t kw_len[KW_SLOTS]; /* the length of that slot's keyword */
    /* the number words' morphemes (lang/LANG.yaml number_*): text, value, kind ('u' a
     * value, 'e' one needing more after it, 'h' hundred, 'k' thousand, 'M' million, 'j' a
     * joiner) */
    const char *morph_w[MORPHEMES];
    int32_t morph_v[MORPHEMES];
    char morph_kind[MORPHEMES];
    size_t n_morph;
    struct dw__ex_weak_number weak[32];
    size_t n_weak;
    /* the patterns of lang/LANG.yaml by section: pat[pat_start[s]..pat_start[s + 1]) */
    const char *pat[LANG_PATS];
    int16_t pat_val[LANG_PATS]; /* an LK_PATNAME pattern's value */
    uint8_t pat_len[LANG_PATS]; /* its length (a one-word pattern is compared whole) */
    /* its first element without braces ("no|not" of "{no|not} more than"): a token that
     * matches none of its alternatives is not tried further; first_n 0 tries always */
    uint8_t first_n[LANG_PATS];
    uint8_t pat_lang[LANG_PATS];
    uint16_t pat_start[64];
    const char *error; /* what is wrong with the language files, or NULL */
    /* the number words' morphemes by first byte: morph[morph_start[b]..morph_start[b + 1])
     * are the indexes of those starting with b, by second byte, in table order among equals */
    uint16_t morph[MORPHEMES];
    uint8_t morph_len[MORPHEMES];
    uint16_t morph_start[257];
    struct tindex countries;
    struct phrase country_ph[COUNTRY_PHRASES];
    struct tok country_tok[COUNTRY_TOKENS];
    char country_pool[COUNTRY_POOL];
    uint32_t country_slot[2 * COUNTRY_PHRASES];
    char codes[640][3];
    struct tindex regions; /* names point into region_pool; region_cc[phrase] its country */
    struct phrase region_ph[REGION_PHRASES];
    struct tok region_tok[REGION_TOKENS];
    char region_pool[REGION_POOL];
    uint32_t region_slot[2 * REGION_PHRASES];
    char region_cc[REGION_PHRASES][3];
    bool region_city[REGION_PHRASES];
};
extern struct dw__ex_tables dw__ex_g;
extern pthread_once_t dw__ex_once;

/* tokenize.c */
void dw__ex_fold_lower(const char *in, size_t n, char *out);
size_t dw__ex_tokenize(const char *s, size_t n, struct tok *t, bool breaks);
int dw__ex_kw_find(const char *w, size_t n);
extern bool dw__ex_plain; /* dw__extract_plain(): no index that only skips work */
/* May the message hold a word of role r? Not when no keyword of it has r, so a reader that
 * needs such a word (a discount word, a residency word, a backward negation) is not run;
 * always in the plain reading, which runs every reader. */
static inline bool dw__ex_any_role(const struct ctx *c, uint32_t r) {
    return dw__ex_plain || (c->roles_any & r);
}
/* The bit of a word's length in the length filters of word lists (dw__ex_word_filter,
 * dw__ex_word_list, places.c's adjectives): bit l for a word of l bytes, bit 31 for 31 or more. */
static inline uint32_t dw__ex_len_bit(size_t n) {
    return 1u << (n < 31 ? n : 31);
}
/* A word list's lengths by first byte and last byte (its low five bits), as bits (31 bytes
 * or more set bit 31): a word whose three fit no word of the list is none of them, at the
 * cost of one test whatever the list's size. Filled from the list itself, once. */
struct dw__ex_word_filter {
    uint32_t len_bits[256][32];
};
static inline void dw__ex_filter_add(struct dw__ex_word_filter *f, const char *w, size_t n) {
    if (n > 0)
        f->len_bits[(unsigned char)w[0]][(unsigned char)w[n - 1] & 31] |= dw__ex_len_bit(n);
}
/* May w[0..n) (n > 0) be a word of f's list? (The plain reading does not ask.) */
static inline bool dw__ex_filter_may(const struct dw__ex_word_filter *f, const char *w, size_t n) {
    return (f->len_bits[(unsigned char)w[0]][(unsigned char)w[n - 1] & 31] & dw__ex_len_bit(n)) !=
           0;
}
/* The part of s[0..n) its singular stem keeps, and whether a "y" follows it (dw__ex_stem();
 * inline for the index keys of a message's words, phrases.c). */
static inline size_t dw__ex_stem_cut(const char *s, size_t n, bool *y) {
    *y = false;
    if (n > 4 && s[n - 3] == 'i' && s[n - 2] == 'e' && s[n - 1] == 's') {
        *y = true;
        return n - 3;
    }
    if (n > 4 && s[n - 1] == 's' && s[n - 2] == 'e' &&
        (s[n - 3] == 'x' || s[n - 3] == 'z' || (s[n - 3] == 's' && s[n - 4] == 's') ||
         (s[n - 3] == 'h' && (s[n - 4] == 'c' || s[n - 4] == 's'))))
        return n - 2;
    if (n > 3 && s[n - 1] == 's' && s[n - 2] != 's' && s[n - 2] != 'u' && s[n - 2] != 'i')
        return n - 1;
    return n;
}
size_t dw__ex_stem(const char *s, size_t n, char *out, size_t cap);
bool dw__ex_plural_eq(const char *a, size_t an, const char *b, size_t bn);

/* phrases.c */
void dw__ex_init_tables(void);
int dw__ex_tindex_build(struct tindex *ix, const struct dw_vocab_term *terms, size_t n,
                        uint8_t flags, bool standards, const uint8_t *term_lang);
const struct phrase *dw__ex_vocab_find(const struct ctx *c, const struct tindex *ix, size_t i,
                                       size_t *ret_end);
int dw__ex_vtab_build(struct tindex *caps, const struct tindex *units, const struct tindex *stds,
                      const struct tindex *integ);
/* The bit of ix among the indexes a message is read with (struct dw__ex_vkey's present),
 * 0 for another one. */
static inline unsigned dw__ex_index_bit(const struct ctx *c, const struct tindex *ix) {
    return ix == &dw__ex_g.regions     ? 1u
           : ix == &dw__ex_g.countries ? 2u
           : ix == c->caps             ? 4u
           : ix == c->units            ? 8u
           : ix == c->stds             ? 16u
           : ix == c->integ            ? 32u
                                       : 0u;
}
/* The longest phrase of ix starting at token i, or NULL (phrases.c). Inline, the common
 * answer: the token's keys, already computed, are in no phrase of ix. */
static inline const struct phrase *dw__ex_vocab_at(const struct ctx *c, const struct tindex *ix,
                                                   size_t i, size_t *ret_end) {
    if (!wordish(c, i))
        return NULL; /* as dw__ex_vocab_find() answers */
    if (c->vc) {
        uint32_t s = c->vc->slot[c->t[i].s];
        unsigned bit = s ? dw__ex_index_bit(c, ix) : 0; /* found only once the keys are made */
        if (bit && !(s >> DW_EX_VSLOT_SHIFT & bit))
            return NULL;
    }
    return dw__ex_vocab_find(c, ix, i, ret_end);
}
/* The same for a pass over the tokens with one index: bit is dw__ex_index_bit(c, ix), found
 * once for the pass instead of at every token. */
static inline const struct phrase *dw__ex_vocab_at_bit(const struct ctx *c, const struct tindex *ix,
                                                       unsigned bit, size_t i, size_t *ret_end) {
    if (!wordish(c, i))
        return NULL;
    if (c->vc) {
        uint32_t s = c->vc->slot[c->t[i].s];
        if (s && bit && !(s >> DW_EX_VSLOT_SHIFT & bit))
            return NULL;
    }
    return dw__ex_vocab_find(c, ix, i, ret_end);
}

/* patterns.c */
int64_t dw__ex_digits_val(const struct ctx *c, size_t i);
bool dw__ex_sep_at(const struct ctx *c, size_t i, char *ret);
bool dw__ex_parse_number(const struct ctx *c, size_t i, struct num *n);
int64_t dw__ex_parse_mult(const struct ctx *c, size_t j, size_t *ret_end);
bool dw__ex_parse_count(const struct ctx *c, size_t i, int64_t *ret, size_t *ret_end);
size_t dw__ex_pat_match(const struct ctx *c, size_t i, const char *pat);
size_t dw__ex_pat_before(const struct ctx *c, size_t end, const char *pat);
/* A pattern read once into its elements, so that matching it does not read its text again:
 * a word or symbol (w, n), "#" (a number), or "{a|b}" (DW_EX_PEL_ALT, followed by its nalt
 * alternatives, each a word); mod is '?', '*' or 0. */
enum { DW_EX_PEL_WORD, DW_EX_PEL_NUM, DW_EX_PEL_ALT };
struct dw__ex_pel {
    const char *w;
    uint8_t n, kind, nalt, mod;
};
bool dw__ex_pat_compile(const char *pat, struct dw__ex_pel *out, size_t cap, size_t *ret_n);
size_t dw__ex_pel_match(const struct ctx *c, size_t i, const struct dw__ex_pel *el, size_t nel);
/* A literal pattern of the code, read into its elements on first use (DW_EX_PAT("or so")). */
struct dw__ex_cpat {
    const char *text;
    int ready; /* 1: el[0..n) read, 2: matched as text (too long) */
    uint8_t n;
    struct dw__ex_pel el[8];
};
#define DW_EX_PAT(lit)                                                                             \
    { .text = (lit) }
size_t dw__ex_cpat_match(const struct ctx *c, size_t i, struct dw__ex_cpat *p);
bool dw__ex_word_in(const struct ctx *c, size_t i, const char *const *words, size_t n);
/* A word list with its words' lengths by first byte, as struct dw__ex_word_filter keeps them
 * (bit l: a word of l bytes, bit 31: 31 or more), and its first 64 words by first byte, made
 * from the list itself on first use: a token without an apostrophe whose length and first
 * byte fit no word is none of them (is_n()), at the cost of one test whatever the list's
 * size, and one that fits is compared only with the words of its first byte. */
struct dw__ex_word_list {
    const char *const *words;
    size_t n;
    int ready;
    uint32_t len_bits[256];
    uint64_t by_first[256];
};
#define DW_EX_WORD_LIST(a)                                                                         \
    { .words = (a), .n = DW_ARRAY_SIZE(a) }
bool dw__ex_word_list_has(const struct ctx *c, size_t i, struct dw__ex_word_list *l);
/* Is token i one of l's words? (Inline, the common answer: its length or first byte fits
 * none.) */
static inline bool dw__ex_word_in_list(const struct ctx *c, size_t i, struct dw__ex_word_list *l) {
    if (i >= c->nt || c->t[i].kind != TK_WORD)
        return false; /* as dw__ex_word_in() answers */
    if (!dw__ex_plain && !(c->t[i].flags & TF_APOS) &&
        __atomic_load_n(&l->ready, __ATOMIC_ACQUIRE)) {
        size_t n = tlen(c, i);
        if (!(l->len_bits[(unsigned char)c->lo[c->t[i].s]] & dw__ex_len_bit(n)))
            return false;
    }
    return dw__ex_word_list_has(c, i, l);
}
/* Adds key: v to o (v stolen; NULL or a failure marks c->oom). key is always a literal of
 * the engine's (ASCII), so jansson need not check it, and inlined here its length is known
 * when the program is compiled rather than counted on every call. */
static inline void dw__ex_put(struct ctx *c, json_t *o, const char *key, json_t *v) {
    if (!v || json_object_setn_new_nocheck(o, key, strlen(key), v) != 0)
        c->oom = true;
}
json_t *dw__ex_text_json(const struct ctx *c, size_t s, size_t e);
json_t *dw__ex_name_json(const struct ctx *c, const char *name);
void dw__ex_put_span(struct ctx *c, json_t *o, size_t t0, size_t t1);
void dw__ex_put_bytes(struct ctx *c, json_t *o, size_t s, size_t e);
json_t *dw__ex_new_item(struct ctx *c);
void dw__ex_put_conf(struct ctx *c, json_t *o, int pct);
json_t *dw__ex_fact(struct ctx *c, const char *key, json_t *value, size_t t0, size_t t1);
void dw__ex_append(struct ctx *c, json_t *arr, json_t *o);
const char *dw__ex_name_of(const json_t *item);
const char *dw__ex_str_at(const json_t *item, const char *key, size_t nth);
bool dw__ex_has_name(json_t *arr, const char *name);

/* numbers.c */
#define dw__ex_weak_numbers (dw__ex_g.weak)
#define dw__ex_n_weak_numbers (dw__ex_g.n_weak)
void dw__ex_morphemes_init(void);
int32_t dw__ex_word_number(const char *w, size_t n);

/* langdata.c: the per-language knowledge of lang/LANG.yaml */
void dw__ex_langdata_init(void);
/* dw__ex_lang_match() past its first tests; the sections with a pattern that may start
 * with something other than a word. */
size_t dw__ex_lang_match_at(const struct ctx *c, int section, size_t i);
extern uint64_t dw__ex_nonword_start;
/* The end of a pattern of `section` (enum lk_section of lang/lang-schema.h) matching at i,
 * of token i's language or English; 0 if none. Its first tests are inline: most words
 * start no pattern of the section, answered without a call. */
static inline size_t dw__ex_lang_match(const struct ctx *c, int section, size_t i) {
    if (kind(c, i, TK_WORD)
            ? !role(c, i, R_PATSTART) || !(dw__ex_kwdefs[c->t[i].kw - 1].psect >> section & 1)
            : !(dw__ex_nonword_start >> section & 1))
        return 0;
    return dw__ex_lang_match_at(c, section, i);
}
/* The start of a pattern of `section` ending right before token end; SIZE_MAX if none. */
size_t dw__ex_lang_before(const struct ctx *c, int section, size_t end);
/* The value of the first pattern of an LK_PATNAME section matching at i (any language),
 * its end in *ret_end; 0 if none. */
int64_t dw__ex_lang_match_val(const struct ctx *c, int section, size_t i, size_t *ret_end);
/* Does the word at i belong to a section's list (a one-word pattern)? */
bool dw__ex_lang_word(const struct ctx *c, int section, size_t i);

/* negation.c */
void dw__ex_languages(struct ctx *c);
void dw__ex_classify(struct ctx *c);
void dw__ex_mark_negation(struct ctx *c);
bool dw__ex_trailing_neg(const struct ctx *c, size_t e);
bool dw__ex_intent_had(struct ctx *c, size_t i, size_t e);
bool dw__ex_refused(const struct ctx *c, size_t i, size_t e);
bool dw__ex_aside_end_sym(const struct ctx *c, size_t k);
/* A stop within a clause for negations and the windows around a capability (negation.c):
 * only a symbol can be one. */
static inline bool dw__ex_aside_end(const struct ctx *c, size_t k) {
    return k < c->nt && c->t[k].kind == TK_SYM && dw__ex_aside_end_sym(c, k);
}
void dw__ex_intent_wanted(struct ctx *c, json_t *wanted, json_t *excluded);

/* dates.c */
json_t *dw__ex_extract_deadline(struct ctx *c);

/* capabilities.c */
int dw__ex_phrase_conf(const struct ctx *c, size_t i, size_t e, int hi);
void dw__ex_extract_standards(struct ctx *c, json_t *arr);
void dw__ex_extract_integrations(struct ctx *c, json_t *arr);
void dw__ex_extract_capabilities(struct ctx *c, json_t *wanted, json_t *excluded, json_t *optional);
bool dw__ex_hedge_at(const struct ctx *c, size_t k);

/* commercial.c */
json_t *dw__ex_extract_discount(struct ctx *c);
json_t *dw__ex_extract_term(struct ctx *c);

/* quantities.c */
bool dw__ex_currency_sign(const struct ctx *c, size_t i);
const struct phrase *dw__ex_unit_at(const struct ctx *c, size_t j, size_t *ret_end);
/* Indexes the German and Dutch nouns of the units index ix by their last bytes into
 * ix->heads, for the compounds that end in one ("Supermarktfilialen"); one allocation, freed
 * with free(ix->heads). Without it (NULL) the nouns are scanned. 0 or -DW_ENOMEM. */
int dw__ex_unit_heads_build(struct tindex *ix);
void dw__ex_extract_quantities(struct ctx *c, json_t *arr, json_t *notes);

/* budget.c */
json_t *dw__ex_extract_budget(struct ctx *c);

/* places.c */
json_t *dw__ex_extract_residency(struct ctx *c);
json_t *dw__ex_extract_country(struct ctx *c);
void dw__ex_extract_regions(struct ctx *c, json_t *arr);
json_t *dw__ex_country_from_regions(struct ctx *c, json_t *regions);

/* contacts.c */
void dw__ex_extract_contacts(struct ctx *c, json_t *arr);
const char *dw__ex_language(const struct ctx *c);
void dw__ex_extract_instructions(struct ctx *c, json_t *arr);

#endif

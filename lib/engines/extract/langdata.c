/* The per-language knowledge (lib/engines/extract/lang/LANG.yaml, checked and compiled in by
 * the build step embed-lang) merged with the built-in keywords into the extractor's tables,
 * once: the keyword table with each word's roles, the number words' morphemes, the weak
 * number words, and the patterns by section. docs/internals/extraction.md ("Per-language
 * knowledge") describes the files. */
#include "engines/extract/extract-internal.h"

extern const struct dw_lang_entry dw__ex_lang_entries[];
extern const size_t dw__ex_n_lang_entries;
extern const struct dw_lang_format dw__ex_lang_formats[6];

struct kwdef dw__ex_kw[KW_MAX];

/* The sections with a pattern that may start with something other than a word (a number,
 * a symbol, an optional element): only those are tried at a token that is not a word. */
uint64_t dw__ex_nonword_start;

/* The patterns read once into their elements (dw__ex_pat_compile()): pattern k's are
 * pel[pel_from[k]..pel_from[k] + pel_n[k]); pel_n[k] 0 matches its text as it is (one that
 * did not fit, and the plain reading). */
#define PEL_MAX 16384
static struct dw__ex_pel pel[PEL_MAX];
static uint16_t pel_from[LANG_PATS], pel_n[LANG_PATS];

static void compile_patterns(void) {
    size_t used = 0;
    for (size_t k = 0; k < dw__ex_g.pat_start[LS_COUNT]; k++) {
        size_t n = 0;
        pel_n[k] = 0;
        if (dw__ex_pat_compile(dw__ex_g.pat[k], pel + used, PEL_MAX - used, &n) && n > 0) {
            pel_from[k] = (uint16_t)used;
            pel_n[k] = (uint16_t)n;
            used += n;
        }
    }
}

static inline size_t pat_match(const struct ctx *c, size_t i, size_t k) {
    if (dw__ex_plain || !pel_n[k])
        return dw__ex_pat_match(c, i, dw__ex_g.pat[k]);
    return dw__ex_pel_match(c, i, pel + pel_from[k], pel_n[k]);
}

/* The length of a pattern's first element as first_matches() reads it: a word or symbol, or
 * "{...}" (its braces counted); 0 for a number ("#") or one with a modifier ("?", "*"),
 * which are always tried. */
static uint8_t first_element(const char *p) {
    size_t n = p[0] == '{' ? strcspn(p, "}") + 1 : strcspn(p, " ");
    if (p[0] == '#' || n > 200 || (p[n] && p[n] != ' ') ||
        (n > 0 && (p[n - 1] == '?' || p[n - 1] == '*')))
        return 0;
    return (uint8_t)n;
}

/* Does every alternative of a pattern's first element (n bytes, 0: always tried) start with
 * a letter? */
static bool first_all_words(const char *p, size_t n) {
    if (!n)
        return false;
    bool alt = p[0] == '{';
    for (size_t k = alt ? 1 : 0; k < n; k++) {
        unsigned char ch = (unsigned char)p[k];
        bool start = k == (alt ? 1u : 0u) || p[k - 1] == '|';
        if (start && !((ch >= 'a' && ch <= 'z') || ch >= 0xC3))
            return false;
    }
    return true;
}

/* Does token i match the first element of pattern k (one of its alternatives)? */
static bool first_matches(const struct ctx *c, size_t i, size_t k) {
    size_t n = dw__ex_g.first_n[k];
    const char *p = dw__ex_g.pat[k];
    if (!n)
        return true;
    if (p[0] != '{')
        return is_n(c, i, p, n);
    const char *q = p + 1, *end = p + n - 1;
    while (q < end) {
        const char *bar = q;
        while (bar < end && *bar != '|')
            bar++;
        if (is_n(c, i, q, (size_t)(bar - q)))
            return true;
        q = bar + 1;
    }
    return false;
}

static const uint8_t lang_bits[6] = {LANG_EN, LANG_DE, LANG_FR, LANG_ES, LANG_IT, LANG_NL};

/* The roles a word of a section takes, and its value. */
static uint32_t section_roles(const struct dw_lang_entry *e, int64_t *val) {
    *val = e->val;
    switch (e->section) {
    case LS_numbers:
        return R_NUMW;
    case LS_dozens:
        return R_DOZEN;
    case LS_scales:
        return R_SCALE;
    case LS_magnitudes:
        return R_MULT;
    case LS_currencies:
        *val = e->val - 1; /* index into budget.c's currencies[], the same order */
        return R_CUR;
    case LS_months:
        return R_MONTH;
    case LS_months_capitalised:
        return R_MONTH | R_MAMBIG;
    case LS_weekdays:
        *val = WDAY_BASE + e->val;
        return R_DATEW;
    case LS_time_units:
        return R_TUNIT;
    case LS_ordinals:
        *val = ORD_BASE + e->val;
        return R_DATEW;
    case LS_date_words:
        return R_DATEW | R_DWORD;
    case LS_holidays:
        *val = HOL_BASE + e->val;
        return R_DATEW | R_DWORD;
    case LS_date_triggers:
        return R_DTRIG;
    case LS_negations:
        return R_NEG;
    case LS_negations_after:
        return R_NEGAFTER;
    case LS_clause_breaks:
        return R_CLAUSE;
    case LS_need:
        return R_NEED;
    case LS_hedges:
        *val = 1;
        return R_HEDGE;
    case LS_hedges_paired:
        *val = 0;
        return R_HEDGE;
    case LS_budget_words:
        return R_BUDGET;
    case LS_within:
        return R_IN;
    default:
        return 0;
    }
}

/* The keyword w's entry, added when new; NULL when the table is full. */
static struct kwdef *kw_entry(const char *w) {
    size_t n = strlen(w);
    uint32_t h = dw_fnv1a32(w, n) & (KW_SLOTS - 1);
    while (dw__ex_g.kw_slot[h]) {
        struct kwdef *d = &dw__ex_kw[dw__ex_g.kw_slot[h] - 1];
        if (strcmp(d->w, w) == 0)
            return d;
        h = (h + 1) & (KW_SLOTS - 1);
    }
    if (dw__ex_g.n_kw >= KW_MAX || n > 255)
        return NULL;
    struct kwdef *d = &dw__ex_kw[dw__ex_g.n_kw++];
    *d = (struct kwdef){.w = w};
    dw__ex_g.kw_slot[h] = (uint16_t)dw__ex_g.n_kw;
    dw__ex_g.kw_len[h] = (uint8_t)n;
    return d;
}

static bool add_morpheme(const struct dw_lang_entry *e) {
    static const struct {
        int section;
        char kind;
        int32_t v;
    } kinds[] = {{LS_number_units, 'u', 0},          {LS_number_prefixes, 'e', 0},
                 {LS_number_hundreds, 'h', 100},     {LS_number_thousands, 'k', 1000},
                 {LS_number_millions, 'M', 1000000}, {LS_number_joiners, 'j', 0}};
    for (size_t k = 0; k < DW_ARRAY_SIZE(kinds); k++) {
        if (kinds[k].section != e->section)
            continue;
        if (dw__ex_g.n_morph >= MORPHEMES || strlen(e->w) > 255)
            return false;
        size_t m = dw__ex_g.n_morph++;
        dw__ex_g.morph_w[m] = e->w;
        dw__ex_g.morph_v[m] = kinds[k].v ? kinds[k].v : (int32_t)e->val;
        dw__ex_g.morph_kind[m] = kinds[k].kind;
        if (e->only && kinds[k].kind == 'u' && dw__ex_g.n_weak < DW_ARRAY_SIZE(dw__ex_g.weak))
            dw__ex_g.weak[dw__ex_g.n_weak++] =
                (struct dw__ex_weak_number){.w = e->w, .lang = lang_bits[e->lang]};
        return true;
    }
    return true;
}

/* The words a pattern may start with ("already", "{avons|utilisons}", "lo"), as keywords
 * with R_PATSTART (and R_DWORD for an asap phrase: "lo antes posible" may start a date),
 * so that dw__ex_lang_match() tries patterns only at such a word. Their text lives in
 * first_pool. */
_Static_assert(LS_COUNT <= 64, "kwdef.psect has a bit per section");

/* The patterns each keyword may start, in pattern order: kp_list[kp_start[kw]..kp_start[kw +
 * 1]), so a word is tried only against the patterns that start with it. */
#define KP_MAX 4096
static uint16_t kp_kw[KP_MAX], kp_pat[KP_MAX], kp_list[KP_MAX], kp_start[KW_MAX + 1];
static size_t n_kp;
static bool kp_ready;
/* Beside kp_list[m]: the first bytes (& 31) the pattern's second word may begin with, when
 * its first element is one word and its second one word or "{a|b}" (neither optional), so
 * that a common first word ("en", "de", "in") skips at once the phrases whose second word
 * the next token cannot be; 0: tried at every next token. Filled by second_words(). */
static uint32_t kp_second[KP_MAX];

static void index_first_words(void) {
    if (n_kp >= KP_MAX)
        return; /* (every pattern is tried, as without the index) */
    for (size_t m = 0; m < n_kp; m++)
        kp_start[kp_kw[m] + 1]++;
    for (size_t w = 0; w < KW_MAX; w++)
        kp_start[w + 1] += kp_start[w];
    uint16_t fill[KW_MAX];
    memcpy(fill, kp_start, sizeof fill);
    for (size_t m = 0; m < n_kp; m++) /* stable: the pairs come in pattern order */
        kp_list[fill[kp_kw[m]]++] = kp_pat[m];
    kp_ready = true;
}

static bool pattern_first_words(void) {
    static char first_pool[8192];
    size_t used = 0;
    for (int s = 0; s < LS_COUNT; s++)
        for (size_t k = dw__ex_g.pat_start[s]; k < dw__ex_g.pat_start[s + 1]; k++) {
            const char *p = dw__ex_g.pat[k];
            size_t n = strcspn(p, " ?*");
            bool alt = p[0] == '{';
            const char *q = alt ? p + 1 : p, *end = alt ? strchr(p, '}') : p + n;
            if (!end)
                continue;
            while (q < end) {
                size_t l = strcspn(q, "|}");
                if (alt && q + l > end)
                    l = (size_t)(end - q);
                if (!alt)
                    l = (size_t)(end - q);
                if (l == 0 || used + l + 1 > sizeof first_pool)
                    return l == 0;
                char *w = first_pool + used;
                memcpy(w, q, l);
                w[l] = '\0';
                used += l + 1;
                struct kwdef *d = kw_entry(w);
                if (d) {
                    d->roles |= R_PATSTART | (s == LS_asap ? R_DWORD : 0);
                    d->psect |= 1ull << s;
                    if (n_kp < KP_MAX) {
                        kp_kw[n_kp] = (uint16_t)(d - dw__ex_kw);
                        kp_pat[n_kp++] = (uint16_t)k;
                    } else {
                        n_kp = KP_MAX + 1;
                    }
                }
                q += l + 1;
            }
        }
    return true;
}

/* Which patterns first_matches() may accept at a token, so that a match tries only those:
 * by the keyword of a word token, the patterns whose first element names that word (in
 * pattern order), and the patterns that are tried at any token of a section (a number or a
 * modifier first, or a first word spelled with an apostrophe or a capital, which the
 * keyword of a token need not equal). A token that is not a word is tried with the
 * patterns whose first element is not all letters a-z, which no number or symbol equals.
 * first_matches() still decides; these lists only leave out patterns it would refuse.
 * Without the index (too many first words) every pattern is tried, as the lists' absence
 * says. */
#define KWPAT_MAX 8192
static struct {
    bool ok;
    uint16_t start[KW_MAX + 2]; /* by keyword: kwpat[start[kw]..start[kw + 1]) */
    uint16_t kwpat[KWPAT_MAX];
    uint16_t any[LANG_PATS], any_at[LS_COUNT + 1];         /* tried at any word */
    uint16_t nonword[LANG_PATS], nonword_at[LS_COUNT + 1]; /* tried at other tokens */
    uint16_t digit[LANG_PATS], digit_at[LS_COUNT + 1]; /* of those, at a number (first_bytes[]) */
} first_ix;

/* Calls f(kw, k, ud) for each alternative of pattern k's first element; false when one
 * is not a plain keyword (then the pattern is tried at every word). *letters: all of them
 * are letters a-z only. */
static bool first_words(size_t k, void (*f)(int, size_t, void *), void *ud, bool *letters) {
    size_t n = dw__ex_g.first_n[k];
    const char *p = dw__ex_g.pat[k];
    bool plain = n > 0;
    *letters = n > 0;
    const char *q = p[0] == '{' ? p + 1 : p, *end = p[0] == '{' ? p + n - 1 : p + n;
    while (n && q < end) {
        const char *bar = q;
        while (bar < end && *bar != '|')
            bar++;
        for (const char *x = q; x < bar; x++) {
            *letters = *letters && *x >= 'a' && *x <= 'z';
            plain = plain && *x != '\'' && !(*x >= 'A' && *x <= 'Z') &&
                    !((unsigned char)*x == 0xE2 && x + 2 < bar && (unsigned char)x[1] == 0x80 &&
                      (unsigned char)x[2] == 0x99);
        }
        int kw = bar > q ? dw__ex_kw_find(q, (size_t)(bar - q)) : 0;
        plain = plain && kw > 0;
        if (plain && f)
            f(kw, k, ud);
        q = bar + 1;
    }
    return plain;
}

static void count_kw(int kw, size_t k, void *ud) {
    (void)k;
    ((uint16_t *)ud)[kw + 1]++;
}
static void fill_kw(int kw, size_t k, void *ud) { /* a word named twice: tried twice */
    first_ix.kwpat[((uint16_t *)ud)[kw]++] = (uint16_t)k;
}

static void first_index(void) {
    size_t np = dw__ex_g.pat_start[LS_COUNT], na = 0, nn = 0, total = 0;
    bool letters;
    memset(&first_ix, 0, sizeof first_ix);
    for (size_t k = 0; k < np; k++)
        if (first_words(k, NULL, NULL, &letters))
            first_words(k, count_kw, first_ix.start, &letters);
    for (size_t kw = 1; kw <= KW_MAX + 1; kw++) {
        total += first_ix.start[kw];
        if (total > KWPAT_MAX)
            return;
        first_ix.start[kw] = (uint16_t)total;
    }
    static uint16_t fill[KW_MAX + 2];
    memcpy(fill, first_ix.start, sizeof fill);
    for (int s = 0; s < LS_COUNT; s++) {
        first_ix.any_at[s] = (uint16_t)na;
        first_ix.nonword_at[s] = (uint16_t)nn;
        for (size_t k = dw__ex_g.pat_start[s]; k < dw__ex_g.pat_start[s + 1]; k++) {
            if (first_words(k, NULL, NULL, &letters))
                first_words(k, fill_kw, fill, &letters);
            else
                first_ix.any[na++] = (uint16_t)k;
            if (!letters)
                first_ix.nonword[nn++] = (uint16_t)k;
        }
    }
    first_ix.any_at[LS_COUNT] = (uint16_t)na;
    first_ix.nonword_at[LS_COUNT] = (uint16_t)nn;
    first_ix.ok = true;
}

/* The patterns of a section that may match at token i, ascending: two sorted lists merged
 * (or every pattern of the section without the index). */
struct cand {
    const uint16_t *a, *ae, *b, *be;
    size_t k, kend;
};

static void cand_init(struct cand *it, const struct ctx *c, int section, size_t i) {
    *it = (struct cand){.k = dw__ex_g.pat_start[section], .kend = dw__ex_g.pat_start[section + 1]};
    if (!first_ix.ok || dw__ex_plain)
        return;
    it->kend = 0; /* the lists instead */
    if (i < c->nt && c->t[i].kind == TK_WORD) {
        it->a = first_ix.any + first_ix.any_at[section];
        it->ae = first_ix.any + first_ix.any_at[section + 1];
        unsigned kw = c->t[i].kw;
        if (kw) {
            it->b = first_ix.kwpat + first_ix.start[kw];
            it->be = first_ix.kwpat + first_ix.start[kw + 1];
            while (it->b < it->be && *it->b < dw__ex_g.pat_start[section])
                it->b++;
            while (it->be > it->b && it->be[-1] >= dw__ex_g.pat_start[section + 1])
                it->be--;
        }
    } else if (i < c->nt && c->t[i].kind != TK_BREAK && !(c->t[i].flags & TF_APOS) &&
               c->lo[c->t[i].s] >= '0' && c->lo[c->t[i].s] <= '9') {
        it->a = first_ix.digit + first_ix.digit_at[section];
        it->ae = first_ix.digit + first_ix.digit_at[section + 1];
    } else {
        it->a = first_ix.nonword + first_ix.nonword_at[section];
        it->ae = first_ix.nonword + first_ix.nonword_at[section + 1];
    }
}

/* The next candidate pattern, or SIZE_MAX. */
static size_t cand_next(struct cand *it) {
    if (it->kend)
        return it->k < it->kend ? it->k++ : SIZE_MAX;
    bool ha = it->a < it->ae, hb = it->b < it->be;
    if (!ha && !hb)
        return SIZE_MAX;
    if (ha && (!hb || *it->a < *it->b))
        return *it->a++;
    return *it->b++;
}

/* What may end a pattern of a section, so that dw__ex_lang_before() tries its starts only
 * when the token before `end` can be a pattern's last element: by keyword, the sections
 * with a last element naming that word (a word of letters, which only a word token with
 * that keyword equals), and per section the other last words and symbols ("≤", ".",
 * "zo'n"), compared as they are. A section with a last element that is a number or optional
 * may end anywhere (last_open). */
#define LAST_OTHER_MAX 2048
static struct {
    bool ok;
    uint64_t open;         /* sections tried at every end */
    uint64_t sect[KW_MAX]; /* by keyword - 1: the sections with a last element naming it */
    const char *other[LAST_OTHER_MAX];
    uint8_t other_n[LAST_OTHER_MAX];
    uint16_t other_at[LS_COUNT + 1];   /* section s: other[other_at[s]..other_at[s + 1]) */
    uint64_t other_bytes[LS_COUNT][4]; /* their first bytes, a bit each */
    /* by pattern: how many tokens it matches when every element is one word or symbol
     * without a modifier ("up to": 2), else 0: it is tried only at the start that many
     * tokens before the end */
    uint8_t ntok[LANG_PATS];
} last_ix;

/* Is w[0..n) a word of letters a-z and Latin-1 letters (two bytes, 0xC3 first; not the
 * signs × and ÷) only? */
static bool letters_word(const char *w, size_t n) {
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)w[k];
        if (ch >= 'a' && ch <= 'z')
            continue;
        unsigned char next = k + 1 < n ? (unsigned char)w[k + 1] : 0;
        if (ch == 0xC3 && next >= 0x80 && next <= 0xBF && next != 0x97 && next != 0xB7) {
            k++;
            continue;
        }
        return false;
    }
    return n > 0;
}

/* Reads pattern k's elements (dw__ex_pat_compile(), as dw__ex_pat_match() reads them) and records
 * its last one and its length in tokens; false when the pattern may end at any token (its last
 * element a number or optional). */
static bool last_element(int s, size_t k) {
    struct dw__ex_pel el[64];
    size_t nel = 0, last = 0, ntok = 0;
    if (!dw__ex_pat_compile(dw__ex_g.pat[k], el, DW_ARRAY_SIZE(el), &nel) || nel == 0)
        return false;
    bool fixed = true;
    for (size_t m = 0; m < nel; m += 1 + (el[m].kind == DW_EX_PEL_ALT ? el[m].nalt : 0)) {
        last = m; /* the elements at the top, an alternative's words after it */
        fixed = fixed && !el[m].mod && el[m].kind != DW_EX_PEL_NUM;
        ntok++;
    }
    last_ix.ntok[k] = fixed && ntok <= 5 ? (uint8_t)ntok : 0;
    if (el[last].mod || el[last].kind == DW_EX_PEL_NUM)
        return false;
    /* its words: the alternatives of "{a|b}", or the word itself */
    bool alt = el[last].kind == DW_EX_PEL_ALT;
    size_t from = alt ? last + 1 : last, to = alt ? last + 1 + el[last].nalt : last + 1;
    if (from == to)
        return false;
    for (size_t a = from; a < to; a++) {
        const char *q = el[a].w;
        size_t l = el[a].n;
        /* (dw__ex_classify() looks up words shorter than 40 bytes) */
        int kw = l < 40 && letters_word(q, l) ? dw__ex_kw_find(q, l) : 0;
        if (kw) {
            last_ix.sect[kw - 1] |= 1ull << s;
        } else {
            bool dup = false; /* "-" in five languages: compared once */
            for (size_t m = last_ix.other_at[s]; m < last_ix.other_at[s + 1] && !dup; m++)
                dup = last_ix.other_n[m] == l && memcmp(last_ix.other[m], q, l) == 0;
            size_t m = last_ix.other_at[s + 1];
            if (!dup && (m >= LAST_OTHER_MAX || l > 255))
                return false;
            if (!dup) {
                last_ix.other[m] = q;
                last_ix.other_n[m] = (uint8_t)l;
                last_ix.other_at[s + 1]++;
            }
        }
    }
    return true;
}

static void last_index(void) {
    memset(&last_ix, 0, sizeof last_ix);
    for (int s = 0; s < LS_COUNT; s++) {
        last_ix.other_at[s + 1] = last_ix.other_at[s];
        for (size_t k = dw__ex_g.pat_start[s]; k < dw__ex_g.pat_start[s + 1]; k++)
            if (!last_element(s, k)) {
                if (last_ix.other_at[s + 1] >= LAST_OTHER_MAX)
                    return; /* (every section is tried at every end, as without the index) */
                last_ix.open |= 1ull << s;
            }
    }
    for (int s = 0; s < LS_COUNT; s++)
        for (size_t m = last_ix.other_at[s]; m < last_ix.other_at[s + 1]; m++) {
            unsigned char b = (unsigned char)last_ix.other[m][0];
            if (!last_ix.other_n[m])
                memset(last_ix.other_bytes[s], 0xFF, sizeof last_ix.other_bytes[s]);
            else
                last_ix.other_bytes[s][b >> 6] |= 1ull << (b & 63);
        }
    last_ix.ok = true;
}

/* May a pattern of the section end with token i? */
static bool may_end_at(const struct ctx *c, int section, size_t i) {
    if (!last_ix.ok || dw__ex_plain || (last_ix.open >> section & 1))
        return true;
    if (i >= c->nt)
        return false;
    if (c->t[i].kind == TK_WORD && c->t[i].kw && (last_ix.sect[c->t[i].kw - 1] >> section & 1))
        return true;
    unsigned char b = (unsigned char)c->lo[c->t[i].s];
    if (!(c->t[i].flags & TF_APOS) && !(last_ix.other_bytes[section][b >> 6] >> (b & 63) & 1))
        return false; /* no other last word begins with its first byte */
    for (size_t m = last_ix.other_at[section]; m < last_ix.other_at[section + 1]; m++)
        if (is_n(c, i, last_ix.other[m], last_ix.other_n[m]))
            return true;
    return false;
}

/* kp_second[]'s mask for pattern k, from its compiled elements (0 when they do not say). */
static uint32_t second_mask(size_t k) {
    if (!pel_n[k])
        return 0;
    const struct dw__ex_pel *el = pel + pel_from[k], *end = el + pel_n[k];
    if (el->mod || el->kind == DW_EX_PEL_NUM)
        return 0;
    const struct dw__ex_pel *x = el + 1 + el->nalt;
    if (x >= end || x->mod || x->kind == DW_EX_PEL_NUM)
        return 0;
    uint32_t mask = 0;
    for (const struct dw__ex_pel *a = x->kind == DW_EX_PEL_ALT ? x + 1 : x,
                                 *ae = x->kind == DW_EX_PEL_ALT ? x + 1 + x->nalt : x + 1;
         a < ae; a++) {
        if (!a->n)
            return 0;
        mask |= 1u << ((unsigned char)a->w[0] & 31);
    }
    return mask;
}

/* second_mask() by pattern, for the lists of cand_init() */
static uint32_t pat_second[LANG_PATS];

static void second_words(void) {
    for (size_t m = 0; kp_ready && m < kp_start[KW_MAX]; m++)
        kp_second[m] = second_mask(kp_list[m]);
    for (size_t k = 0; k < dw__ex_g.pat_start[LS_COUNT]; k++)
        pat_second[k] = second_mask(k);
}

/* The first byte of token i as kp_second[] reads it: none when there is no such token, any
 * when an apostrophe may be left out of it, or in the plain reading. */
static inline uint32_t second_byte(const struct ctx *c, size_t i) {
    if (dw__ex_plain)
        return ~0u;
    if (i >= c->nt || c->t[i].kind == TK_BREAK)
        return 0;
    return c->t[i].flags & TF_APOS ? ~0u : 1u << ((unsigned char)c->lo[c->t[i].s] & 31);
}

/* By pattern: the bytes its first element may begin with, a bit each, when that element is
 * one word or "{a|b}" (not optional), all bits else; so that a number or a sign skips at
 * once the patterns first_matches() would refuse after reading every alternative
 * ("{ca.|~|±|...}"). */
static uint64_t first_bytes[LANG_PATS][4];

static void first_bytes_index(void) {
    for (size_t k = 0; k < dw__ex_g.pat_start[LS_COUNT]; k++) {
        const struct dw__ex_pel *el = pel + pel_from[k];
        bool any = !pel_n[k] || el->mod || el->kind == DW_EX_PEL_NUM;
        const struct dw__ex_pel *a = el->kind == DW_EX_PEL_ALT ? el + 1 : el,
                                *ae = el->kind == DW_EX_PEL_ALT ? el + 1 + el->nalt : el + 1;
        for (; !any && a < ae; a++) {
            if (!a->n)
                any = true;
            else
                first_bytes[k][(unsigned char)a->w[0] >> 6] |= 1ull
                                                               << ((unsigned char)a->w[0] & 63);
        }
        if (any)
            memset(first_bytes[k], 0xFF, sizeof first_bytes[k]);
    }
    size_t nd = 0;
    for (int s = 0; s < LS_COUNT; s++) {
        first_ix.digit_at[s] = (uint16_t)nd;
        for (size_t m = first_ix.nonword_at[s]; m < first_ix.nonword_at[s + 1]; m++) {
            size_t k = first_ix.nonword[m];
            if (first_bytes[k]['0' >> 6] >> ('0' & 63) & 0x3FFull) /* '0'..'9' */
                first_ix.digit[nd++] = (uint16_t)k;
        }
    }
    first_ix.digit_at[LS_COUNT] = (uint16_t)nd;
}

/* Token i's first byte as first_bytes[] reads it, or -1 when any may do (the plain reading,
 * no token, one whose apostrophes may be left out). */
static inline int first_byte(const struct ctx *c, size_t i) {
    if (dw__ex_plain || i >= c->nt || c->t[i].kind == TK_BREAK || (c->t[i].flags & TF_APOS))
        return -1;
    return (unsigned char)c->lo[c->t[i].s];
}

/* May pattern k match at a token of first byte b (first_byte()) followed by one of
 * second_byte() next? */
static inline bool may_start(int b, uint32_t next, size_t k) {
    return (b < 0 || (first_bytes[k][b >> 6] >> (b & 63) & 1)) &&
           (!pat_second[k] || (pat_second[k] & next));
}

void dw__ex_langdata_init(void) {
    for (size_t k = 0; k < dw__ex_n_kw_builtin; k++) {
        struct kwdef *d = kw_entry(dw__ex_kw_builtin[k].w);
        if (!d) {
            dw__ex_g.error = "the keyword table is full (KW_MAX)";
            return;
        }
        d->roles |= dw__ex_kw_builtin[k].roles;
        if (!d->val)
            d->val = dw__ex_kw_builtin[k].val;
    }
    /* patterns by section, in file order */
    size_t np = 0;
    static const bool listed[LS_COUNT] = {
        [LS_already] = true,          [LS_replace] = true,
        [LS_refusals] = true,         [LS_contrast] = true,
        [LS_halves] = true,           [LS_one_and_a_half] = true,
        [LS_qualifiers_max] = true,   [LS_qualifiers_about] = true,
        [LS_qualifiers_min] = true,   [LS_range_links] = true,
        [LS_range_between] = true,    [LS_range_and] = true,
        [LS_currency_phrases] = true, [LS_asap] = true,
        [LS_within] = true,           [LS_before_tax] = true,
        [LS_hedge_phrases] = true,    [LS_project_events] = true,
        [LS_and_a_half] = true,       [LS_offer_words] = true,
        [LS_start_words] = true,      [LS_could_words] = true};
    for (int s = 0; s < LS_COUNT; s++) {
        dw__ex_g.pat_start[s] = (uint16_t)np;
        for (size_t k = 0; listed[s] && k < dw__ex_n_lang_entries; k++) {
            const struct dw_lang_entry *e = &dw__ex_lang_entries[k];
            if (e->section != s)
                continue;
            if (np >= LANG_PATS) {
                dw__ex_g.error = "too many patterns in the language files (LANG_PATS)";
                return;
            }
            dw__ex_g.pat[np] = e->w;
            dw__ex_g.pat_val[np] = (int16_t)e->val;
            dw__ex_g.pat_len[np] = (uint8_t)(strlen(e->w) < 255 ? strlen(e->w) : 255);
            dw__ex_g.first_n[np] = first_element(e->w);
            dw__ex_g.pat_lang[np++] = e->lang;
        }
    }
    dw__ex_g.pat_start[LS_COUNT] = (uint16_t)np;
    for (int sct = 0; sct < LS_COUNT; sct++)
        for (size_t k = dw__ex_g.pat_start[sct]; k < dw__ex_g.pat_start[sct + 1]; k++)
            if (!first_all_words(dw__ex_g.pat[k], dw__ex_g.first_n[k]))
                dw__ex_nonword_start |= 1ull << sct;
    for (size_t k = 0; k < dw__ex_n_lang_entries; k++) {
        const struct dw_lang_entry *e = &dw__ex_lang_entries[k];
        if (!add_morpheme(e)) {
            dw__ex_g.error = "too many number morphemes in the language files (MORPHEMES)";
            return;
        }
        int64_t val;
        uint32_t roles = section_roles(e, &val);
        if (!roles)
            continue;
        struct kwdef *d = kw_entry(e->w);
        if (!d) {
            dw__ex_g.error = "the keyword table is full (KW_MAX)";
            return;
        }
        if (roles & R_CUR) { /* its own slot: the word may have a value of another role */
            if (!d->cur)
                d->cur = (int8_t)(val + 1);
            val = 0;
        }
        if (e->only) {
            d->lroles |= roles;
            d->lmask |= (uint8_t)(1u << e->lang);
            if (val && !d->lval)
                d->lval = val;
            if (roles & R_NUMW)
                d->nval = (int32_t)val;
            continue;
        }
        d->roles |= roles;
        if (roles & R_NUMW)
            d->nval = (int32_t)val;
        else if (val && !d->val)
            d->val = val; /* the first file's value (en, de, fr, es, it, nl) */
    }
    if (!pattern_first_words())
        dw__ex_g.error = "the first words of the language files' patterns do not fit";
    first_index();
    index_first_words();
    last_index();
    compile_patterns();
    second_words();
    first_bytes_index();
}

int64_t dw__ex_lang_match_val(const struct ctx *c, int section, size_t i, size_t *ret_end) {
    struct cand it;
    cand_init(&it, c, section, i);
    int b = first_byte(c, i);
    uint32_t next = second_byte(c, i + 1);
    for (size_t k; (k = cand_next(&it)) != SIZE_MAX;) {
        size_t e = may_start(b, next, k) && first_matches(c, i, k) ? pat_match(c, i, k) : 0;
        if (e) {
            *ret_end = e;
            return dw__ex_g.pat_val[k];
        }
    }
    return 0;
}

/* The range words are single common words ("a", "de", "e", "en", "tot") and count in their
 * own language's paragraphs (and English ones everywhere); the other lists are phrases or
 * words no other language uses that way, and count in every paragraph, so a short message
 * whose language is uncertain still reads them. */
static bool pat_lang_ok(const struct ctx *c, int section, size_t i, uint8_t lang) {
    if (section != LS_range_links && section != LS_range_between && section != LS_range_and)
        return true;
    return lang == 0 || (i < c->nt && c->t[i].lang == lang);
}

/* dw__ex_lang_match() past its first tests (inline in extract-internal.h), so that the most
 * frequent answer (this word starts no pattern of the section) costs no call. */
size_t dw__ex_lang_match_at(const struct ctx *c, int section, size_t i) {
    if (kind(c, i, TK_WORD) && kp_ready) { /* only the patterns that start with this word */
        size_t kw = c->t[i].kw - 1, lo = dw__ex_g.pat_start[section],
               hi = dw__ex_g.pat_start[section + 1], m = kp_start[kw];
        while (m < kp_start[kw + 1] && kp_list[m] < lo)
            m++; /* the word's patterns are in pattern order: this section's are together */
        /* the first byte of the next token as kp_second[] reads it: none when there is no
         * next word, any when an apostrophe may be left out of it */
        uint32_t next = ~0u;
        if (!dw__ex_plain) {
            next = 0;
            if (i + 1 < c->nt && c->t[i + 1].kind != TK_BREAK)
                next = c->t[i + 1].flags & TF_APOS
                           ? ~0u
                           : 1u << ((unsigned char)c->lo[c->t[i + 1].s] & 31);
        }
        for (; m < kp_start[kw + 1] && kp_list[m] < hi; m++) {
            size_t k = kp_list[m];
            if ((kp_second[m] && !(kp_second[m] & next)) ||
                (m > kp_start[kw] && kp_list[m - 1] == k) ||
                !pat_lang_ok(c, section, i, dw__ex_g.pat_lang[k]))
                continue;
            size_t e = pat_match(c, i, k);
            if (e)
                return e;
        }
        return 0;
    }
    /* a number or a symbol: the patterns that may start with one (cand_init()), and of
     * those the ones that may start with its first byte (first_bytes[]) */
    struct cand it;
    cand_init(&it, c, section, i);
    bool by_byte =
        !dw__ex_plain && i < c->nt && c->t[i].kind != TK_BREAK && !(c->t[i].flags & TF_APOS);
    unsigned char b = by_byte ? (unsigned char)c->lo[c->t[i].s] : 0;
    for (size_t k; (k = cand_next(&it)) != SIZE_MAX;) {
        if ((by_byte && !(first_bytes[k][b >> 6] >> (b & 63) & 1)) ||
            !pat_lang_ok(c, section, i, dw__ex_g.pat_lang[k]) || !first_matches(c, i, k))
            continue;
        size_t e = pat_match(c, i, k);
        if (e)
            return e;
    }
    return 0;
}

size_t dw__ex_lang_before(const struct ctx *c, int section, size_t end) {
    if (end == 0 || !may_end_at(c, section, end - 1))
        return SIZE_MAX; /* no pattern of this section ends with that token */
    /* the longest first: a start five tokens back, then four... */
    for (size_t k = end < 5 ? end : 5; k >= 1; k--) {
        size_t st = end - k;
        if (kind(c, st, TK_WORD) &&
            (!role(c, st, R_PATSTART) || !(dw__ex_kwdefs[c->t[st].kw - 1].psect >> section & 1)))
            continue; /* no pattern of this section starts with this word */
        struct cand it;
        cand_init(&it, c, section, st);
        bool by_len = last_ix.ok && !dw__ex_plain;
        int b = first_byte(c, st);
        uint32_t next = second_byte(c, st + 1);
        for (size_t p; (p = cand_next(&it)) != SIZE_MAX;)
            if (!(by_len && last_ix.ntok[p] && last_ix.ntok[p] != k) && may_start(b, next, p) &&
                pat_lang_ok(c, section, end - 1, dw__ex_g.pat_lang[p]) && first_matches(c, st, p) &&
                pat_match(c, st, p) == end)
                return st;
    }
    return SIZE_MAX;
}

bool dw__ex_lang_word(const struct ctx *c, int section, size_t i) {
    if (i >= c->nt || c->t[i].kind == TK_BREAK)
        return false;
    /* a word of the list is a pattern of one element, which must end at i */
    if (!may_end_at(c, section, i))
        return false;
    for (size_t k = dw__ex_g.pat_start[section]; k < dw__ex_g.pat_start[section + 1]; k++)
        if (pat_lang_ok(c, section, i, dw__ex_g.pat_lang[k]) &&
            is_n(c, i, dw__ex_g.pat[k], dw__ex_g.pat_len[k]))
            return true;
    return false;
}

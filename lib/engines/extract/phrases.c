/* Vocabulary phrases: cutting a vocabulary (capabilities, standards, units, country
 * and region names) into tokens, indexing it by the stem of its first word, the tables built
 * once, and the longest phrase at a token. */
#include "engines/extract/extract-internal.h"

struct dw__ex_tables dw__ex_g;
pthread_once_t dw__ex_once = PTHREAD_ONCE_INIT;
bool dw__ex_plain;

void dw__extract_plain(bool on) {
    dw__ex_plain = on;
}

/* ---- phrase index --------------------------------------------------------------------- */

static bool joiner(const char *lo, const struct tok *t) {
    return t->kind == TK_SYM && t->e - t->s == 1 && (lo[t->s] == '-' || lo[t->s] == '/');
}

/* Order within one key: more tokens first, then longer, then earlier in the input. */
static int phrase_cmp(const struct phrase *x, const struct phrase *y) {
    if (x->nt != y->nt)
        return x->nt > y->nt ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Fill ph (its lo, t and name set) from the phrase text; false if it cannot be matched
 * (empty, or starting with a symbol). */
static bool phrase_init(struct phrase *ph, const char *orig, size_t len, char *lo, struct tok *toks,
                        uint8_t flags) {
    dw__ex_fold_lower(orig, len, lo);
    size_t nt = dw__ex_tokenize(orig, len, toks, false);
    if (nt == 0 || (toks[0].kind != TK_WORD && toks[0].kind != TK_NUM))
        return false;
    ph->lo = lo;
    ph->t = toks;
    ph->nt = (uint32_t)nt;
    ph->len = (uint32_t)len;
    ph->flags = flags;
    memset(ph->key, 0, sizeof ph->key); /* key_hash() reads whole 8-byte words */
    ph->klen = (uint8_t)dw__ex_stem(lo + toks[0].s, toks[0].e - toks[0].s, ph->key, KEY_MAX);
    ph->b2 = 0;
    for (size_t k = 1; k < nt && !ph->b2; k++)
        if (!joiner(lo, &toks[k]))
            ph->b2 = (uint8_t)lo[toks[k].s];
    return true;
}

/* The hash of a key: the key, zero-padded to KEY_MAX bytes, read 8 bytes at a time (the
 * byte-at-a-time FNV cost four instructions a byte, and every token of a message is hashed
 * once or twice). Only the slot and Bloom bit depend on it, never a result. */
_Static_assert(KEY_MAX % 8 == 0, "key_hash() reads whole 8-byte words");
static uint32_t key_hash(const char *key, size_t kl) {
    uint64_t h = kl;
    for (size_t o = 0; o < kl; o += 8) {
        uint64_t w;
        memcpy(&w, key + o, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(h ^ h >> 32);
}

/* Both keys are zero-padded to KEY_MAX (as key_hash() reads them): equal keys of one
 * length have equal 8-byte words, compared without calling memcmp(). */
static bool keys_eq(const char *pk, size_t pl, const char *key, size_t klen) {
    if (pl != klen)
        return false;
    for (size_t o = 0; o < klen; o += 8) {
        uint64_t a, b;
        memcpy(&a, pk + o, 8);
        memcpy(&b, key + o, 8);
        if (a != b)
            return false;
    }
    return true;
}

static bool key_eq(const struct phrase *p, const char *key, size_t klen) {
    return keys_eq(p->key, p->klen, key, klen);
}

/* A key's bit in the Bloom filter of an index (one hash), the same bit in every index: a
 * token's keys are tested against the six indexes a message is read with at once. With
 * 65536 bits, at most one key in 16 that the largest index (the regions) does not hold
 * passes it. Most tokens are in no vocabulary; a bit test is cheaper than a probe. */
static uint32_t bloom_bit(uint32_t full) {
    return (full * 0x9E3779B1u) >> (32 - 16);
}
_Static_assert(DW_EX_BLOOM_BITS == 1 << 16, "bloom_bit() gives 16 bits");

/* Hash the phrases by key; the phrases of one key form a chain, longest first. bloom has
 * DW_EX_BLOOM_BITS bits. */
static void tindex_finish(struct tindex *ix, uint32_t *slot, size_t nslot, uint64_t *bloom) {
    ix->slot = slot;
    ix->mask = nslot - 1;
    ix->bloom = bloom;
    memset(slot, 0, nslot * sizeof *slot);
    memset(bloom, 0, DW_EX_BLOOM_BITS / 8);
    for (size_t i = 0; i < ix->n; i++) {
        struct phrase *p = &ix->ph[i];
        uint32_t full = key_hash(p->key, p->klen);
        uint32_t b = bloom_bit(full);
        bloom[b / 64] |= 1ull << (b % 64);
        uint32_t h = full & (uint32_t)ix->mask;
        while (slot[h] && !key_eq(&ix->ph[slot[h] - 1], p->key, p->klen))
            h = (h + 1) & (uint32_t)ix->mask;
        uint32_t *link = &slot[h];
        while (*link && phrase_cmp(&ix->ph[*link - 1], p) < 0)
            link = &ix->ph[*link - 1].next;
        p->next = *link;
        *link = (uint32_t)i + 1;
    }
}

/* Short all-capital standards ("EAR", "PCI") are words in lower case ("ear"). */
static uint8_t standard_flags(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return PH_UPPER;
}

/* Index a vocabulary list: names and synonyms, in one allocation owned by ix->ph. */
int dw__ex_tindex_build(struct tindex *ix, const struct dw_vocab_term *terms, size_t n,
                        uint8_t flags, bool standards, const uint8_t *term_lang) {
    *ix = (struct tindex){0};
    size_t nph = 0, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!terms[i].name)
            continue;
        nph++;
        bytes += strlen(terms[i].name) + 1;
        for (size_t k = 0; k < terms[i].n_synonyms; k++)
            if (terms[i].synonyms && terms[i].synonyms[k]) {
                nph++;
                bytes += strlen(terms[i].synonyms[k]) + 1;
            }
    }
    if (nph == 0)
        return 0;
    if (nph > (1u << 20) || bytes > (16u << 20))
        return -DW_ETOOBIG;
    size_t nslot = 16;
    while (nslot < 2 * nph)
        nslot <<= 1;
    char *mem = malloc(nph * sizeof(struct phrase) + bytes * sizeof(struct tok) +
                       DW_EX_BLOOM_BITS / 8 + nslot * sizeof(uint32_t) + bytes);
    if (!mem)
        return -DW_ENOMEM;
    struct phrase *ph = (struct phrase *)(void *)mem;
    struct tok *toks = (struct tok *)(void *)(ph + nph);
    uint64_t *bloom = (uint64_t *)(void *)(toks + bytes);
    uint32_t *slot = (uint32_t *)(void *)(bloom + DW_EX_BLOOM_BITS / 64);
    char *pool = (char *)(slot + nslot);
    size_t np = 0, tp = 0, pp = 0;
    for (size_t i = 0; i < n; i++) {
        if (!terms[i].name)
            continue;
        for (size_t k = 0; k <= terms[i].n_synonyms; k++) {
            const char *s = k == 0              ? terms[i].name
                            : terms[i].synonyms ? terms[i].synonyms[k - 1]
                                                : NULL;
            if (!s)
                continue;
            size_t len = strlen(s);
            struct phrase *p = &ph[np];
            *p = (struct phrase){
                .name = terms[i].name, .order = (uint32_t)np, .lang = term_lang ? term_lang[i] : 0};
            uint8_t fl = flags | (standards ? standard_flags(s) : 0);
            if (phrase_init(p, s, len, pool + pp, toks + tp, fl)) {
                tp += p->nt;
                np++;
            }
            pp += len + 1;
        }
    }
    ix->ph = ph;
    ix->n = np;
    tindex_finish(ix, slot, nslot, bloom);
    return 0;
}

void dw__ex_init_tables(void) {
    dw__ex_langdata_init();
    dw__ex_morphemes_init();
    size_t np = 0, tp = 0, pp = 0;
    for (size_t c = 0; c < dw__n_country_names && c < DW_ARRAY_SIZE(dw__ex_g.codes); c++) {
        const char *s = dw__country_names[c];
        memcpy(dw__ex_g.codes[c], s, 2);
        dw__ex_g.codes[c][2] = '\0';
        for (const char *p = s + 3; *p;) {
            size_t len = strcspn(p, "|");
            const char *a = p;
            uint8_t fl = 0;
            if (*a == '^' || *a == '*') {
                fl = *a == '^' ? PH_UPPER : PH_CAP;
                a++;
            }
            size_t alen = len - (size_t)(a - p);
            if (np < COUNTRY_PHRASES && tp + alen <= COUNTRY_TOKENS &&
                pp + alen + 1 <= COUNTRY_POOL) {
                struct phrase *ph = &dw__ex_g.country_ph[np];
                *ph = (struct phrase){.name = dw__ex_g.codes[c], .order = (uint32_t)np};
                if (phrase_init(ph, a, alen, dw__ex_g.country_pool + pp, dw__ex_g.country_tok + tp,
                                fl)) {
                    tp += ph->nt;
                    np++;
                }
                pp += alen + 1;
            }
            p += len;
            if (*p == '|')
                p++;
        }
    }
    dw__ex_g.countries.ph = dw__ex_g.country_ph;
    dw__ex_g.countries.n = np;
    static uint64_t country_bloom[DW_EX_BLOOM_BITS / 64];
    tindex_finish(&dw__ex_g.countries, dw__ex_g.country_slot, DW_ARRAY_SIZE(dw__ex_g.country_slot),
                  country_bloom);

    /* regions: the reported name is the first one, copied NUL-terminated into the pool */
    np = tp = pp = 0;
    for (size_t r = 0; r < dw__n_region_names + dw__n_city_names; r++) {
        bool city = r >= dw__n_region_names;
        const char *s = city ? dw__city_names[r - dw__n_region_names] : dw__region_names[r];
        size_t nlen = strcspn(s + 3, "|");
        if (pp + nlen + 1 > REGION_POOL)
            break;
        char *name = dw__ex_g.region_pool + pp;
        memcpy(name, s + 3, nlen);
        name[nlen] = '\0';
        pp += nlen + 1;
        for (const char *p = s + 3; *p;) {
            size_t len = strcspn(p, "|");
            if (np < REGION_PHRASES && tp + len <= REGION_TOKENS && pp + len + 1 <= REGION_POOL) {
                struct phrase *ph = &dw__ex_g.region_ph[np];
                *ph = (struct phrase){.name = name, .order = (uint32_t)np};
                if (phrase_init(ph, p, len, dw__ex_g.region_pool + pp, dw__ex_g.region_tok + tp,
                                PH_CAP)) {
                    memcpy(dw__ex_g.region_cc[np], s, 2);
                    dw__ex_g.region_city[np] = city;
                    tp += ph->nt;
                    np++;
                }
                pp += len + 1;
            }
            p += len;
            if (*p == '|')
                p++;
        }
    }
    dw__ex_g.regions.ph = dw__ex_g.region_ph;
    dw__ex_g.regions.n = np;
    static uint64_t region_bloom[DW_EX_BLOOM_BITS / 64];
    tindex_finish(&dw__ex_g.regions, dw__ex_g.region_slot, DW_ARRAY_SIZE(dw__ex_g.region_slot),
                  region_bloom);
}

/* ---- vocabulary lookup ---------------------------------------------------------------- */

/* Does phrase p match the text at token i? Returns the end token or 0. Hyphens and
 * slashes are optional between words ("on-prem" = "on prem"), the last word of a plural
 * phrase matches singular and plural. */
static size_t phrase_match(const struct ctx *c, const struct phrase *p, size_t i) {
    size_t j = i;
    for (uint32_t k = 0; k < p->nt; k++) {
        const struct tok *pt = &p->t[k];
        if (joiner(p->lo, pt))
            continue;
        if (j > i)
            while (j < c->nt && joiner(c->lo, &c->t[j]))
                j++;
        if (j >= c->nt)
            return 0;
        const struct tok *tt = &c->t[j];
        if (tt->kind != pt->kind)
            return 0;
        size_t tl = tt->e - tt->s, pl = pt->e - pt->s;
        const char *ts = c->lo + tt->s, *ps = p->lo + pt->s;
        if (tl != pl || memcmp(ts, ps, pl) != 0) {
            if (k + 1 != p->nt || !(p->flags & PH_PLURAL) || tt->kind != TK_WORD ||
                !dw__ex_plural_eq(ts, tl, ps, pl))
                return 0;
        }
        j++;
    }
    if (!free_at(c, j))
        return 0;
    if (!c->loose && (p->flags & PH_UPPER)) {
        for (uint32_t b = c->t[i].s; b < c->t[j - 1].e; b++)
            if (c->text[b] >= 'a' && c->text[b] <= 'z')
                return 0;
    }
    if (!c->loose && (p->flags & PH_CAP) &&
        !is_upper_start((const unsigned char *)c->text, c->len, c->t[i].s))
        return 0;
    return j;
}

/* The first byte of the word phrase_match() compares with a phrase's second word (the next
 * token after any - or /), 0 if there is none. A phrase of two words or more whose second
 * word starts with another byte does not match (equal words and singular/plural forms
 * share their first byte): most phrases of a long chain are passed over with one test. */
static uint8_t second_word_byte(const struct ctx *c, size_t i) {
    size_t j = i + 1;
    while (j < c->nt && joiner(c->lo, &c->t[j]))
        j++;
    return j < c->nt ? (uint8_t)c->lo[c->t[j].s] : 0;
}

/* The longest phrase of the chain of ix from phrase s - 1 (the phrases of one key)
 * matching at token i, or NULL. */
static const struct phrase *chain_match(const struct ctx *c, const struct tindex *ix, size_t i,
                                        uint32_t s, size_t *ret_end) {
    uint8_t b2 = second_word_byte(c, i);
    for (uint32_t q = s; q; q = ix->ph[q - 1].next) {
        const struct phrase *p = &ix->ph[q - 1];
        if (p->b2 && p->b2 != b2 && !dw__ex_plain)
            continue; /* phrase_match() would fail at the second word */
        size_t e = phrase_match(c, p, i);
        if (e) {
            *ret_end = e;
            return &ix->ph[q - 1];
        }
    }
    return NULL;
}

/* The longest phrase of ix starting at token i whose key is key[0..kl), or NULL. */
static const struct phrase *vocab_probe(const struct ctx *c, const struct tindex *ix, size_t i,
                                        const char *key, size_t kl, uint32_t full,
                                        size_t *ret_end) {
    uint32_t h = full & (uint32_t)ix->mask;
    for (;;) {
        uint32_t s = ix->slot[h];
        if (!s)
            return NULL;
        if (key_eq(&ix->ph[s - 1], key, kl))
            return chain_match(c, ix, i, s, ret_end);
        h = (h + 1) & (uint32_t)ix->mask;
    }
}

/* ---- the extractor's key table -------------------------------------------------------- */

/* One key of the six indexes a message is read with (the order of dw__ex_index_bit()):
 * which of them hold it, and in each the first phrase of its chain + 1. A token's key then
 * costs one probe of this table, where it cost a Bloom test in each index and a probe of
 * those that may hold it, and the lookups after it start at the chain. Built once per
 * extractor (the country and region indexes are shared, the others its own). */
struct dw__ex_ventry {
    char key[KEY_MAX]; /* zero-padded, as in struct phrase */
    uint8_t klen;
    uint8_t bits;
    uint32_t head[6];
};
struct dw__ex_vtab {
    uint32_t *slot; /* by hash: 1 + the entry, 0 = empty */
    size_t mask;
    struct dw__ex_ventry *e;
};

/* 1 + the entry of key[0..kl) in t, 0 if no index holds it. */
static uint32_t vtab_find(const struct dw__ex_vtab *t, const char *key, size_t kl, uint32_t full) {
    for (uint32_t h = full & (uint32_t)t->mask;; h = (h + 1) & (uint32_t)t->mask) {
        uint32_t s = t->slot[h];
        if (!s || keys_eq(t->e[s - 1].key, t->e[s - 1].klen, key, kl))
            return s;
    }
}

/* The key table of an extractor's indexes, hung on caps (freed with it): after all four
 * are built. */
int dw__ex_vtab_build(struct tindex *caps, const struct tindex *units, const struct tindex *stds,
                      const struct tindex *integ) {
    const struct tindex *ixs[6] = {
        &dw__ex_g.regions, &dw__ex_g.countries, caps, units, stds, integ};
    size_t nkey = 0;
    for (size_t k = 0; k < 6; k++)
        if (ixs[k]->n)
            for (size_t h = 0; h <= ixs[k]->mask; h++)
                nkey += ixs[k]->slot[h] != 0;
    size_t nslot = 16;
    while (nslot < 2 * nkey)
        nslot <<= 1;
    struct dw__ex_vtab *t =
        malloc(sizeof *t + nkey * sizeof(struct dw__ex_ventry) + nslot * sizeof(uint32_t));
    if (!t)
        return -DW_ENOMEM;
    t->e = (struct dw__ex_ventry *)(void *)(t + 1);
    t->slot = (uint32_t *)(void *)(t->e + nkey);
    t->mask = nslot - 1;
    memset(t->slot, 0, nslot * sizeof *t->slot);
    size_t n = 0;
    for (unsigned k = 0; k < 6; k++) {
        const struct tindex *ix = ixs[k];
        if (!ix->n)
            continue;
        for (size_t h = 0; h <= ix->mask; h++) {
            uint32_t s = ix->slot[h];
            if (!s)
                continue;
            const struct phrase *p = &ix->ph[s - 1];
            uint32_t full = key_hash(p->key, p->klen);
            uint32_t q = full & (uint32_t)t->mask;
            while (t->slot[q] &&
                   !keys_eq(t->e[t->slot[q] - 1].key, t->e[t->slot[q] - 1].klen, p->key, p->klen))
                q = (q + 1) & (uint32_t)t->mask;
            if (!t->slot[q]) {
                struct dw__ex_ventry *e = &t->e[n++];
                *e = (struct dw__ex_ventry){.klen = p->klen};
                memcpy(e->key, p->key, KEY_MAX);
                t->slot[q] = (uint32_t)n;
            }
            struct dw__ex_ventry *e = &t->e[t->slot[q] - 1];
            e->bits |= (uint8_t)(1u << k);
            e->head[k] = s;
        }
    }
    caps->all = t;
    return 0;
}

/* Does ix hold a phrase whose key is key[0..kl)? */
static bool key_present(const struct tindex *ix, const char *key, size_t kl, uint32_t full) {
    for (uint32_t h = full & (uint32_t)ix->mask;; h = (h + 1) & (uint32_t)ix->mask) {
        uint32_t s = ix->slot[h];
        if (!s)
            return false;
        if (key_eq(&ix->ph[s - 1], key, kl))
            return true;
    }
}

/* The filter of an index that holds nothing. */
static const uint64_t bloom_none[DW_EX_BLOOM_BITS / 64];

/* The six indexes a message is read with, in the order of dw__ex_index_bit(), and their
 * Bloom filters: gathered once for all the tokens whose keys are made together. */
struct vix {
    const struct tindex *ix[6];
    const uint64_t *bl[6];
    const struct dw__ex_vtab *tab; /* the extractor's key table; NULL when reading plainly */
};

/* The extractor's key table, used unless reading plainly. */
static const struct dw__ex_vtab *vtab_of(const struct ctx *c) {
    return c->caps && !dw__ex_plain ? c->caps->all : NULL;
}

static void vix_init(const struct ctx *c, struct vix *v) {
    const struct tindex *ixs[] = {
        &dw__ex_g.regions, &dw__ex_g.countries, c->caps, c->units, c->stds, c->integ};
    for (size_t k = 0; k < 6; k++) {
        v->ix[k] = ixs[k];
        v->bl[k] = ixs[k] && ixs[k]->n ? ixs[k]->bloom : bloom_none;
    }
    v->tab = vtab_of(c);
}

/* The indexes of v holding the key, as bits: only those whose Bloom filter has the key's
 * bit are probed (all when reading plainly). */
static inline unsigned key_present_bits(const struct vix *v, const char *key, size_t kl,
                                        uint32_t full) {
    uint32_t b = bloom_bit(full), w = b / 64, sh = b % 64;
    unsigned maybe = 0;
    for (unsigned k = 0; k < 6; k++)
        maybe |= (unsigned)(v->bl[k][w] >> sh & 1) << k;
    if (dw__ex_plain)
        for (unsigned k = 0; k < 6; k++)
            maybe |= (unsigned)(v->ix[k] && v->ix[k]->n) << k;
    unsigned bits = 0;
    for (; maybe; maybe &= maybe - 1) { /* the indexes left, lowest first */
        unsigned k = (unsigned)__builtin_ctz(maybe);
        if (key_present(v->ix[k], key, kl, full))
            bits |= 1u << k;
    }
    return bits;
}

/* dw__ex_stem(w, n, key, KEY_MAX) into a key already zeroed, copied in 8-, 4-, 2- and
 * 1-byte moves instead of a call to memcpy(): every new word of a message is stemmed. */
static inline size_t stem_key(const char *w, size_t n, char *key) {
    bool y;
    size_t m = dw__ex_stem_cut(w, n, &y);
    size_t o = m < KEY_MAX - 1 ? m : KEY_MAX - 1, k = 0;
    for (; k + 8 <= o; k += 8)
        memcpy(key + k, w + k, 8);
    if (o - k >= 4) {
        memcpy(key + k, w + k, 4);
        k += 4;
    }
    if (o - k >= 2) {
        memcpy(key + k, w + k, 2);
        k += 2;
    }
    if (o > k)
        key[k] = w[k];
    if (y && o < KEY_MAX - 1)
        key[o++] = 'y';
    return o;
}

/* A token's index keys: its stem and hash, the same without a final "n", and which of the
 * message's indexes hold either key. Inlined in vkeys_make_view(), which makes the keys of
 * every new word of a message. */
static inline __attribute__((always_inline)) void
vkey_make(const struct ctx *c, size_t i, const struct vix *v, struct dw__ex_vkey *vc) {
    const char *w = c->lo + c->t[i].s;
    size_t n = tlen(c, i);
    bool less_n = n > 4 && w[n - 1] == 'n' && c->t[i].kind == TK_WORD;
    memset(vc->key, 0, sizeof vc->key); /* key_hash() reads whole 8-byte words */
    vc->kl = (uint8_t)stem_key(w, n, vc->key);
    vc->h = key_hash(vc->key, vc->kl);
    if (less_n)
        memset(vc->key2, 0, sizeof vc->key2);
    vc->kl2 = less_n ? (uint8_t)stem_key(w, n - 1, vc->key2) : 0;
    vc->h2 = less_n ? key_hash(vc->key2, vc->kl2) : 0;
    const struct dw__ex_vtab *t = v->tab;
    if (t) {
        vc->e = vtab_find(t, vc->key, vc->kl, vc->h);
        vc->e2 = less_n ? vtab_find(t, vc->key2, vc->kl2, vc->h2) : 0;
        vc->present =
            (uint8_t)((vc->e ? t->e[vc->e - 1].bits : 0) | (vc->e2 ? t->e[vc->e2 - 1].bits : 0));
        return;
    }
    vc->e = vc->e2 = 0;
    unsigned bits = key_present_bits(v, vc->key, vc->kl, vc->h);
    if (less_n)
        bits |= key_present_bits(v, vc->key2, vc->kl2, vc->h2);
    vc->present = (uint8_t)bits;
}

/* The same, not inlined: for a token met outside vkeys_make_view() (the plain reading). */
static void vkey_make_one(const struct ctx *c, size_t i, const struct vix *v,
                          struct dw__ex_vkey *vc) {
    vkey_make(c, i, v, vc);
}

/* bit is dw__ex_index_bit(c, ix): with the key table, the keys' chains in ix are known. */
static const struct phrase *vocab_lookup(const struct ctx *c, const struct tindex *ix, size_t i,
                                         const struct dw__ex_vkey *vc, unsigned bit,
                                         size_t *ret_end) {
    const struct dw__ex_vtab *t = bit ? vtab_of(c) : NULL;
    if (t) {
        unsigned k = (unsigned)__builtin_ctz(bit);
        uint32_t s = vc->e ? t->e[vc->e - 1].head[k] : 0;
        const struct phrase *p = s ? chain_match(c, ix, i, s, ret_end) : NULL;
        s = vc->e2 ? t->e[vc->e2 - 1].head[k] : 0;
        if (!p && s)
            p = chain_match(c, ix, i, s, ret_end);
        return p;
    }
    const struct phrase *p = vocab_probe(c, ix, i, vc->key, vc->kl, vc->h, ret_end);
    if (!p && vc->kl2)
        p = vocab_probe(c, ix, i, vc->key2, vc->kl2, vc->h2, ret_end);
    return p;
}

/* A token's slot for the keys k[key - 1]: with the indexes that may hold them, all of them
 * when reading plainly (the inline dw__ex_vocab_at() then never answers alone). */
static uint32_t vslot(const struct dw__ex_vcache *cache, uint32_t key) {
    unsigned may = dw__ex_plain ? 0x3Fu : cache->k[key - 1].present;
    return key | (uint32_t)may << DW_EX_VSLOT_SHIFT;
}

/* Room in the cache for need more keys; false if there is none. Sized for a whole view
 * of the message at once, grown for the next view. */
static bool cache_room(struct dw__ex_vcache *cache, size_t need) {
    if (cache->cap - cache->n >= need)
        return true;
    size_t cap = cache->n + need > 64 ? cache->n + need : 64;
    if (cap < 2 * cache->cap)
        cap = 2 * cache->cap;
    struct dw__ex_vkey *k = realloc(cache->k, cap * sizeof *k);
    if (!k)
        return false;
    cache->k = k;
    cache->cap = cap;
    return true;
}

/* The keys of every token of the view that dw__ex_vocab_find() may look up, made in one
 * loop when the view's first token is looked up: each is made for the first pass
 * (dw__ex_extract_standards() looks up every token), and the passes after it then find a
 * token in no vocabulary without a call. A word met again ("the", "and") is keyed again:
 * a memo of the keys by text cost about as much as it saved. */
static void vkeys_make_view(const struct ctx *c) {
    struct dw__ex_vcache *cache = c->vc;
    cache->made_for = c->t;
    if (!cache_room(cache, c->nt))
        return;
    struct vix v;
    vix_init(c, &v);
    for (size_t i = 0; i < c->nt; i++) {
        if (!wordish(c, i) || !free_at(c, i))
            continue;
        uint32_t *slot = &cache->slot[c->t[i].s];
        if (*slot)
            continue;
        struct dw__ex_vkey *k = &cache->k[cache->n++];
        vkey_make(c, i, &v, k);
        *slot = (uint32_t)cache->n | (uint32_t)k->present << DW_EX_VSLOT_SHIFT; /* not plainly */
    }
}

/* The keys of token i, made once a message (c->vc) or into *local without a cache. The
 * plain reading makes them one token at a time, as they are looked up. */
static const struct dw__ex_vkey *vkey_get(const struct ctx *c, size_t i,
                                          struct dw__ex_vkey *local) {
    uint32_t *slot = c->vc && c->vc->slot ? &c->vc->slot[c->t[i].s] : NULL;
    if (slot && *slot)
        return &c->vc->k[DW_EX_VSLOT_KEY(*slot) - 1];
    struct dw__ex_vcache *cache = c->vc;
    if (slot && !dw__ex_plain && cache->made_for != c->t) {
        vkeys_make_view(c);
        if (*slot)
            return &cache->k[DW_EX_VSLOT_KEY(*slot) - 1];
    }
    struct vix v;
    vix_init(c, &v);
    if (slot && cache_room(cache, 1)) {
        vkey_make_one(c, i, &v, &cache->k[cache->n++]);
        *slot = vslot(cache, (uint32_t)cache->n);
        return &cache->k[cache->n - 1];
    }
    vkey_make_one(c, i, &v, local);
    return local;
}

/* The longest phrase of ix starting at token i, or NULL. A word ending in "n" is tried
 * again without it, for German plurals ("Standorten"). A token's keys are computed once a
 * message (c->vc), with the indexes that hold them: an index that holds neither key is
 * not probed. */
const struct phrase *dw__ex_vocab_find(const struct ctx *c, const struct tindex *ix, size_t i,
                                       size_t *ret_end) {
    if (!ix || !ix->n || !wordish(c, i) || !free_at(c, i))
        return NULL;
    struct dw__ex_vkey local;
    const struct dw__ex_vkey *vc = vkey_get(c, i, &local);
    unsigned bit = dw__ex_index_bit(c, ix);
    if (bit && !(vc->present & bit) && !dw__ex_plain)
        return NULL;
    return vocab_lookup(c, ix, i, vc, bit, ret_end);
}

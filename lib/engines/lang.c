/* Language identification (libexttextcat's n-gram fingerprints, with function words for
 * short texts), per message and per paragraph, and the money and date formats of the
 * languages the customer documents are written in. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libexttextcat/fingerprint.h>
#include <libexttextcat/textcat_properties.h>

#include "engines/lang.h"
#include "engines/textcat-dir.h"

const char *const dw_lang_detectable[] = {"en", "de", "fr", "es", "it", "nl", NULL};
#define N_LANGS 6

/* The commonest short words of each language in business mail. A word in several lists
 * scores a point for each; a word in one list only scores two, so "de", "en", "la" and "is"
 * count for less than "und", "nous" or "het". */
static const char *const en_words[] = {
    "the",   "and",     "of",    "to",     "is",   "are",  "we",    "our",    "you",     "your",
    "for",   "with",    "that",  "this",   "have", "need", "would", "please", "will",    "be",
    "it",    "on",      "from",  "an",     "at",   "by",   "can",   "not",    "also",    "about",
    "us",    "they",    "which", "there",  "what", "how",  "all",   "thanks", "looking", "hi",
    "hello", "regards", "could", "should", "each", NULL};
static const char *const de_words[] = {"der",
                                       "die",
                                       "das",
                                       "und",
                                       "ist",
                                       "sind",
                                       "wir",
                                       "unser",
                                       "unsere",
                                       "unseren",
                                       "unserer",
                                       "ihr",
                                       "ihre",
                                       "ihnen",
                                       "für",
                                       "mit",
                                       "nicht",
                                       "ein",
                                       "eine",
                                       "einen",
                                       "einem",
                                       "auch",
                                       "auf",
                                       "bitte",
                                       "brauchen",
                                       "benötigen",
                                       "haben",
                                       "ich",
                                       "zu",
                                       "von",
                                       "dem",
                                       "den",
                                       "des",
                                       "im",
                                       "wie",
                                       "oder",
                                       "noch",
                                       "uns",
                                       "sie",
                                       "werden",
                                       "würden",
                                       "möchten",
                                       "gerne",
                                       "gern",
                                       "vielen",
                                       "dank",
                                       "bei",
                                       "nach",
                                       "über",
                                       "können",
                                       "hallo",
                                       "grüße",
                                       "freundlichen",
                                       "sehr",
                                       "geehrte",
                                       "geehrter",
                                       "jeweils",
                                       "pro",
                                       "bis",
                                       "zum",
                                       "zur",
                                       "brauche",
                                       "angebot",
                                       "standorte",
                                       "nutzer",
                                       "bräuchten",
                                       "wäre",
                                       "ausgeschlossen",
                                       NULL};
static const char *const fr_words[] = {
    "le",    "la",      "les",        "et",     "est",          "sont",     "nous",     "notre",
    "nos",   "vous",    "votre",      "vos",    "pour",         "avec",     "une",      "un",
    "des",   "du",      "dans",       "pas",    "sur",          "au",       "aux",      "qui",
    "que",   "ce",      "cette",      "ces",    "il",           "elle",     "avons",    "besoin",
    "merci", "bonjour", "souhaitons", "pouvez", "aussi",        "mais",     "ou",       "très",
    "de",    "en",      "chaque",     "sites",  "cordialement", "madame",   "monsieur", "nos",
    "d",     "j",       "qu",         "devis",  "magasins",     "salariés", "aurions",  NULL};
static const char *const es_words[] = {"el",          "la",
                                       "los",         "las",
                                       "y",           "es",
                                       "son",         "nosotros",
                                       "nuestro",     "nuestra",
                                       "nuestros",    "nuestras",
                                       "para",        "con",
                                       "una",         "un",
                                       "del",         "en",
                                       "por",         "que",
                                       "no",          "necesitamos",
                                       "gracias",     "hola",
                                       "también",     "pero",
                                       "muy",         "esta",
                                       "este",        "estos",
                                       "sus",         "su",
                                       "como",        "más",
                                       "sobre",       "queremos",
                                       "de",          "cada",
                                       "saludos",     "estimados",
                                       "tenemos",     "al",
                                       "presupuesto", "tiendas",
                                       "sedes",       "necesitaríamos",
                                       NULL};
static const char *const it_words[] = {
    "il",         "lo",         "la",         "gli",    "le",     "e",     "è",       "sono",
    "noi",        "nostro",     "nostra",     "nostri", "nostre", "per",   "con",     "una",
    "un",         "del",        "della",      "dei",    "delle",  "nel",   "nella",   "che",
    "non",        "abbiamo",    "bisogno",    "grazie", "anche",  "ma",    "molto",   "vorremmo",
    "questo",     "questa",     "siamo",      "ci",     "sul",    "di",    "ogni",    "saluti",
    "buongiorno", "cordiali",   "al",         "alla",   "ciao",   "serve", "servono", "siti",
    "sede",       "dipendenti", "preventivo", "entro",  NULL};
static const char *const nl_words[] = {
    "de",           "het",       "een",    "en",      "is",       "zijn",   "wij",
    "we",           "ons",       "onze",   "voor",    "met",      "niet",   "van",
    "op",           "dat",       "die",    "dit",     "ook",      "hebben", "nodig",
    "graag",        "bedankt",   "alvast", "u",       "uw",       "kunnen", "willen",
    "naar",         "bij",       "aan",    "maar",    "zou",      "wordt",  "er",
    "per",          "vestiging", "groet",  "groeten", "geachte",  "hallo",  "elke",
    "vriendelijke", "aantal",    "vraag",  "wens",    "locaties", "geen",   "offerte",
    "medewerkers",  NULL};
static const char *const *const lists[N_LANGS] = {en_words, de_words, fr_words,
                                                  es_words, it_words, nl_words};

/* The six lists as one table built once: each word with the set of languages listing it,
 * so a word of the text costs one hash probe instead of a pass over every list. */
#define WORD_SLOTS 1024 /* power of two, more than twice the words of all lists */
static struct {
    const char *w[WORD_SLOTS];
    uint8_t len[WORD_SLOTS];   /* strlen(w[h]) */
    uint8_t langs[WORD_SLOTS]; /* bit k: lists[k] has the word */
    size_t max_len;            /* the longest word's bytes: a longer one is in no list */
    /* a quick no before the hash: bit n of head_lens[b] / tail_lens[b] when a listed word of
     * n bytes starts / ends with byte b; bit b1 of pair[b0] when one starts with b0 b1 */
    uint32_t head_lens[256], tail_lens[256];
    uint64_t pair[256][4];
    /* points[langs | only << N_LANGS]: fw_add()'s points of a word with that evidence,
     * packed (struct fw_points); max_points the most of them for one language */
    struct fw_points {
        uint64_t a, b; /* 16 bits a language: languages 0-3 in a, 4 and 5 in b */
    } points[1 << (N_LANGS + 3)];
    int max_points;
    /* the fast reading's table of the same words (word_key()): by_key[h] for a key hashed
     * to h, or the next free one; n 0 when free; keyed false when a word is too long */
    struct {
        uint64_t k1, k2;
        uint8_t n, langs;
    } by_key[WORD_SLOTS];
    bool keyed;
} words;
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static size_t word_slot(const char *w, size_t n) {
    size_t h = dw_fnv1a32(w, n) & (WORD_SLOTS - 1);
    while (words.w[h] && !(words.len[h] == n && memcmp(words.w[h], w, n) == 0))
        h = (h + 1) & (WORD_SLOTS - 1);
    return h;
}

/* The word w[0..n) (1 <= n <= 16) as two numbers that tell it from any other word of n
 * bytes: its first and last eight bytes (four for a shorter word, overlapping; its first,
 * middle and last for one of three bytes or fewer), so the fast reading compares a word
 * with two compares instead of a call of memcmp(). */
static inline void word_key(const char *w, size_t n, uint64_t *k1, uint64_t *k2) {
    if (n >= 8) {
        memcpy(k1, w, 8);
        memcpy(k2, w + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, w, 4);
        memcpy(&b, w + n - 4, 4);
        *k1 = a;
        *k2 = b;
    } else {
        const unsigned char *u = (const unsigned char *)w;
        *k1 = u[0] | (uint64_t)u[n / 2] << 8 | (uint64_t)u[n - 1] << 16;
        *k2 = 0;
    }
}

static inline size_t key_hash(uint64_t k1, uint64_t k2, size_t n) {
    return (size_t)((k1 * 0x9E3779B97F4A7C15ull + k2 * 0xC2B2AE3D27D4EB4Full + n) >> 54) &
           (WORD_SLOTS - 1);
}

/* words.langs of the word w[0..n) (1 <= n <= 16), found by its key. */
static inline uint8_t key_langs(const char *w, size_t n) {
    uint64_t k1, k2;
    word_key(w, n, &k1, &k2);
    for (size_t h = key_hash(k1, k2, n);; h = (h + 1) & (WORD_SLOTS - 1)) {
        if (!words.by_key[h].n)
            return 0;
        if (words.by_key[h].k1 == k1 && words.by_key[h].k2 == k2 && words.by_key[h].n == n)
            return words.by_key[h].langs;
    }
}

static void points_init(void);

static void starts_init(void);

static void words_init(void) {
    points_init();
    starts_init();
    for (int k = 0; k < N_LANGS; k++)
        for (size_t i = 0; lists[k][i]; i++) {
            size_t n = strlen(lists[k][i]), h = word_slot(lists[k][i], n);
            words.w[h] = lists[k][i];
            words.len[h] = (uint8_t)n;
            if (n > words.max_len)
                words.max_len = n;
            words.langs[h] |= (uint8_t)(1u << k);
            const unsigned char *u = (const unsigned char *)lists[k][i];
            unsigned b1 = n >= 2 ? u[1] : 0;
            uint32_t len_bit = n < 32 ? 1u << n : 0; /* fw_word() reads no longer word */
            words.head_lens[u[0]] |= len_bit;
            words.tail_lens[u[n - 1]] |= len_bit;
            words.pair[u[0]][b1 >> 6] |= 1ull << (b1 & 63);
        }
    words.keyed = words.max_len <= 16;
    for (size_t i = 0; words.keyed && i < WORD_SLOTS; i++) {
        if (!words.w[i])
            continue;
        uint64_t k1, k2;
        word_key(words.w[i], words.len[i], &k1, &k2);
        size_t h = key_hash(k1, k2, words.len[i]);
        while (words.by_key[h].n)
            h = (h + 1) & (WORD_SLOTS - 1);
        words.by_key[h].k1 = k1;
        words.by_key[h].k2 = k2;
        words.by_key[h].n = words.len[i];
        words.by_key[h].langs = words.langs[i];
    }
}

/* False when the word w[0..n) (1 <= n <= max_len) is surely in no list: no listed word of
 * its length starts or ends with its bytes, or starts with its first two. */
static bool maybe_listed(const unsigned char *w, size_t n) {
    unsigned b1 = n >= 2 ? w[1] : 0;
    return (words.head_lens[w[0]] >> n & 1) && (words.tail_lens[w[n - 1]] >> n & 1) &&
           (words.pair[w[0]][b1 >> 6] >> (b1 & 63) & 1);
}

/* dw__lang_plain(): every text read the plain way, for the tests that compare both. */
static bool lang_plain;

void dw__lang_plain(bool on) {
    lang_plain = on;
}

/* Part of a word: ASCII letters and any multi-byte UTF-8 sequence (accented letters). */
static const bool word_bytes[256] = {
    ['a' ... 'z'] = true, ['A' ... 'Z'] = true, [0x80 ... 0xFF] = true};

static bool word_byte(unsigned char c) {
    return word_bytes[c];
}

/* One word's evidence: the lists that have it (bit k: lists[k]) and its letters of one
 * language only (ONLY_*). */
enum { ONLY_SZ = 1, ONLY_NTILDE = 2, ONLY_FR = 4 };
struct fw_word {
    uint32_t s, e; /* its bytes */
    uint8_t langs, only;
};

/* The evidence of the word text[s..e); false when it has none. lo, when not NULL, is the
 * text lower-cased as fw_word() would lower-case the word (dw_lang_identify_lower()): the
 * word is then read where it stands instead of from a lower-cased copy, and high (a byte of
 * 0x80 or more in the word, as FOR_WORDS found) is taken as it is. */
static inline bool fw_word(const char *text, const char *lo, size_t s, size_t e, bool high_seen,
                           struct fw_word *out) {
    char buf[32];
    size_t n = e - s;
    if (n >= sizeof buf)
        return false;
    bool fast = lo && !lang_plain, high = fast && high_seen;
    if (fast && n > words.max_len && !high)
        return false; /* in no list, and no letter of one language only */
    if (!fast && n > words.max_len) {
        for (size_t b = s; b < e && !high; b++)
            high = (unsigned char)text[b] >= 0x80;
        if (!high)
            return false; /* in no list, and no letter of one language only */
    }
    const char *w = buf;
    if (fast) {
        w = lo + s;
    } else {
        /* copied and lower-cased: ASCII and the Latin-1 capitals (À..Þ but ×) */
        for (size_t b = 0; b < n; b++) {
            unsigned char ch = (unsigned char)text[s + b];
            if (ch < 0x80) {
                buf[b] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
                continue;
            }
            high = true;
            buf[b] = (char)ch;
            if (ch == 0xC3 && b + 1 < n) {
                unsigned char nx = (unsigned char)text[s + b + 1];
                buf[++b] = (char)(nx >= 0x80 && nx <= 0x9E && nx != 0x97 ? nx + 0x20 : nx);
            }
        }
        buf[n] = '\0';
    }
    *out = (struct fw_word){.s = (uint32_t)s, .e = (uint32_t)e};
    out->langs = n > words.max_len || (fast && !maybe_listed((const unsigned char *)w, n)) ? 0
                 : fast && words.keyed ? key_langs(w, n)
                                       : words.langs[word_slot(w, n)];
    /* letters only one of the six writes: ß, ñ, ç and œ (C3 9F, C3 B1, C3 A7, C5 93) */
    for (size_t b = 0; high && b + 1 < n; b++) {
        unsigned char c0 = (unsigned char)w[b], c1 = (unsigned char)w[b + 1];
        if (c0 == 0xC3)
            out->only |= c1 == 0x9F ? ONLY_SZ : c1 == 0xB1 ? ONLY_NTILDE : c1 == 0xA7 ? ONLY_FR : 0;
        else if (c0 == 0xC5 && c1 == 0x93)
            out->only |= ONLY_FR;
    }
    return out->langs || out->only;
}

/* A word's points: two for a word of one list, one for a word of several. */
static void fw_add(const struct fw_word *w, int score[N_LANGS]) {
    unsigned langs = w->langs;
    if (langs) {
        int hits = (langs & 1) + (langs >> 1 & 1) + (langs >> 2 & 1) + (langs >> 3 & 1) +
                   (langs >> 4 & 1) + (langs >> 5 & 1);
        for (int k = 0; k < N_LANGS; k++)
            if (langs & (1u << k))
                score[k] += hits == 1 ? 2 : 1;
    }
    if (w->only & ONLY_SZ)
        score[1] += 2;
    if (w->only & ONLY_NTILDE)
        score[3] += 2;
    if (w->only & ONLY_FR)
        score[2] += 2;
}

/* words.points: fw_add() of every evidence a word can have, so that the fast reading adds a
 * word's points with one look-up and gives the same sums. */
static void points_init(void) {
    for (unsigned ev = 0; ev < DW_ARRAY_SIZE(words.points); ev++) {
        int score[N_LANGS] = {0};
        struct fw_word w = {.langs = (uint8_t)(ev & ((1u << N_LANGS) - 1)),
                            .only = (uint8_t)(ev >> N_LANGS)};
        fw_add(&w, score);
        for (int k = 0; k < N_LANGS; k++) {
            uint64_t lane = (uint64_t)score[k] << (16 * (k % 4));
            if (k < 4)
                words.points[ev].a |= lane;
            else
                words.points[ev].b |= lane;
            if (score[k] > words.max_points)
                words.max_points = score[k];
        }
    }
}

/* Runs body for each word text[s..e) of text[0..len) (runs of word bytes), hi the word's
 * bytes or-ed (0x80 set: a byte of 0x80 or more). */
#define FOR_WORDS(text, len, s, e, hi, body)                                                       \
    for (size_t e = 0, s; (text) && e < (len);) {                                                  \
        if (!word_byte((unsigned char)(text)[e])) {                                                \
            e++;                                                                                   \
            continue;                                                                              \
        }                                                                                          \
        s = e;                                                                                     \
        unsigned hi = 0;                                                                           \
        for (; e < (len) && word_byte((unsigned char)(text)[e]); e++)                              \
            hi |= (unsigned char)(text)[e];                                                        \
        body                                                                                       \
    }

/* The function-word points of text[0..len) for each language. */
static void fw_scores(const char *text, const char *lo, size_t len, int score[N_LANGS]) {
    pthread_once(&words_once, words_init);
    memset(score, 0, N_LANGS * sizeof *score);
    struct fw_word w;
    FOR_WORDS(text, len, s, e, hi, {
        if (fw_word(text, lo, s, e, hi >= 0x80, &w))
            fw_add(&w, score);
    })
}

/* A message's words with evidence, read once (dw_lang_identify() scores the whole text, its
 * own part and each paragraph): w[0..n) in text order, or w NULL to read each range again.
 * Up to FW_INLINE words with evidence stay in the struct itself (a business e-mail has a
 * hundred or two), so most messages allocate nothing. */
#define FW_INLINE 256
struct fw_text {
    const char *text, *lo; /* lo: text lower-cased, or NULL */
    size_t len;
    struct fw_word *w;
    size_t n;
    /* the points of w[0..k) for each k <= n (packed as words.points, no language's sum can
     * pass 16 bits), so a range's points are one subtraction instead of a pass over its
     * words; NULL in the plain reading, which sums the words */
    struct fw_points *cum;
    void *heap; /* the block w and cum live in when the inline arrays are too small */
    struct fw_word w_inline[FW_INLINE];
    struct fw_points cum_inline[FW_INLINE + 1];
};

/* Bit i of *ret_word: p[i] is a word byte (word_byte(): a-z, A-Z, 0x80..0xFF); of *ret_high:
 * p[i] is 0x80 or more; for i < 64, eight bytes at a time, so that finding a message's words
 * costs a few instructions a word instead of several a byte. */
static inline void fw_block_swar(const unsigned char *p, uint64_t *ret_word, uint64_t *ret_high) {
    const uint64_t ones = 0x0101010101010101ull, top = 0x80 * ones;
    const uint64_t gather = 0x0102040810204080ull; /* times it, bit 8i lands on bit 56 + i */
    uint64_t wm = 0, hm = 0;
    for (unsigned c = 0; c < 8; c++) {
        uint64_t x;
        memcpy(&x, p + 8 * c, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x); /* p[8c] in the low byte */
#endif
        uint64_t high = x & top;
        uint64_t y = (x | 0x20 * ones) & ~top; /* ASCII letters lower-cased, below 0x80 */
        /* 'a' <= y <= 'z': y + 0x1F reaches 0x80 and y + 0x05 does not (no byte carries) */
        uint64_t letter = (y + 0x1F * ones) & ~(y + 0x05 * ones) & top;
        wm |= ((letter | high) >> 7) * gather >> 56 << (8 * c);
        hm |= (high >> 7) * gather >> 56 << (8 * c);
    }
    *ret_word = wm;
    *ret_high = hm;
}

/* fw_block_swar()'s masks, sixteen bytes at a time where the processor has SSE2 (every
 * x86-64): the top bit of each byte is gathered by one instruction there. A build with
 * assertions (the tests') checks both ways agree on every block it reads. */
static inline void fw_block(const unsigned char *p, uint64_t *ret_word, uint64_t *ret_high) {
#ifdef __SSE2__
    const __m128i lower = _mm_set1_epi8(0x20), before_a = _mm_set1_epi8(0x60),
                  after_z = _mm_set1_epi8(0x7B);
    uint64_t wm = 0, hm = 0;
    for (unsigned c = 0; c < 4; c++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * c));
        /* as signed bytes: 0x61 <= (x | 0x20) <= 0x7A, which no byte of 0x80 or more is */
        __m128i y = _mm_or_si128(x, lower);
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(y, before_a), _mm_cmplt_epi8(y, after_z));
        wm |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(letter, x)) << (16 * c);
        hm |= (uint64_t)(uint16_t)_mm_movemask_epi8(x) << (16 * c);
    }
#ifndef NDEBUG
    uint64_t wm_swar, hm_swar;
    fw_block_swar(p, &wm_swar, &hm_swar);
    assert(wm == wm_swar && hm == hm_swar);
#endif
    *ret_word = wm;
    *ret_high = hm;
#else
    fw_block_swar(p, ret_word, ret_high);
#endif
}

/* Moves the words to one block sized for the most words the text can hold (a word and the
 * byte after it); false, with w NULL, when there is no memory for it. */
static bool fw_text_grow(struct fw_text *ft, size_t *cap) {
    size_t most = ft->len / 2 + 1;
    ft->heap = malloc(most * (sizeof *ft->w + sizeof *ft->cum) + sizeof *ft->cum);
    if (!ft->heap) {
        ft->w = NULL;
        ft->cum = NULL;
        return false;
    }
    struct fw_points *cum = ft->heap;
    struct fw_word *w = (struct fw_word *)(cum + most + 1);
    memcpy(w, ft->w, ft->n * sizeof *w);
    ft->w = w;
    ft->cum = ft->cum ? cum : NULL;
    *cap = most;
    return true;
}

static void fw_text_init(struct fw_text *ft, const char *text, const char *lo, size_t len) {
    pthread_once(&words_once, words_init);
    ft->text = text;
    ft->lo = lo;
    ft->len = len;
    ft->n = 0;
    ft->heap = NULL;
    ft->w = ft->w_inline;
    bool fast = lo && !lang_plain;
    ft->cum = fast ? ft->cum_inline : NULL;
    size_t cap = FW_INLINE;
    struct fw_word w;
    if (fast) {
        /* the words found 64 bytes at a time (fw_block()), the same as FOR_WORDS finds them */
        size_t ws = 0;
        bool in_word = false, high = false;
        for (size_t base = 0; base < len; base += 64) {
            const unsigned char *p = (const unsigned char *)text + base;
            unsigned char tail[64];
            if (len - base < 64) { /* the last bytes, then no word bytes */
                memset(tail, 0, sizeof tail);
                memcpy(tail, p, len - base);
                p = tail;
            }
            uint64_t wm, hm;
            fw_block(p, &wm, &hm);
            unsigned pos = 0; /* bits below pos are read */
            for (;;) {
                if (!in_word) {
                    uint64_t starts = wm & (~0ull << pos);
                    if (!starts)
                        break;
                    pos = (unsigned)__builtin_ctzll(starts);
                    ws = base + pos;
                    in_word = true;
                    high = false;
                }
                uint64_t ends = ~wm & (~0ull << pos);
                if (!ends) { /* the word goes on into the next block */
                    high = high || (hm >> pos) != 0;
                    break;
                }
                unsigned end = (unsigned)__builtin_ctzll(ends);
                high = high || (hm & ((1ull << end) - 1) & (~0ull << pos)) != 0;
                in_word = false;
                pos = end;
                if (!fw_word(text, lo, ws, base + end, high, &w))
                    continue;
                if (ft->n == cap && !fw_text_grow(ft, &cap))
                    return;
                ft->w[ft->n++] = w;
            }
        }
        if (in_word && fw_word(text, lo, ws, len, high, &w)) {
            if (ft->n == cap && !fw_text_grow(ft, &cap))
                return;
            ft->w[ft->n++] = w;
        }
    } else {
        FOR_WORDS(text, len, s, e, hi, {
            if (!fw_word(text, lo, s, e, hi >= 0x80, &w))
                continue;
            if (ft->n == cap && !fw_text_grow(ft, &cap))
                return;
            ft->w[ft->n++] = w;
        })
    }
    if (ft->cum && ft->n * (size_t)words.max_points > 0xFFFF)
        ft->cum = NULL; /* a sum could pass 16 bits: the words are summed instead */
    if (ft->cum) {
        ft->cum[0] = (struct fw_points){0};
        for (size_t k = 0; k < ft->n; k++) {
            const struct fw_points *p = &words.points[ft->w[k].langs | ft->w[k].only << N_LANGS];
            ft->cum[k + 1] = (struct fw_points){ft->cum[k].a + p->a, ft->cum[k].b + p->b};
        }
    }
}

/* Whether a word of the text runs across byte k (a range ending or starting there would cut
 * it, and read it otherwise than the whole text does). */
static bool fw_cuts(const struct fw_text *ft, size_t k) {
    return k > 0 && k < ft->len && word_byte((unsigned char)ft->text[k - 1]) &&
           word_byte((unsigned char)ft->text[k]);
}

/* The first of w[lo..hi) whose start (end, with ends) is at least / more than at. */
static size_t fw_find(const struct fw_word *w, size_t lo, size_t hi, size_t at, bool ends) {
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ends ? w[mid].e <= at : w[mid].s < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The points of text[a..b): the sum of the words' read once, or a new reading when the range
 * cuts a word or the words could not be kept. */
static void fw_range(const struct fw_text *ft, size_t a, size_t b, int score[N_LANGS]) {
    if (!ft->w || fw_cuts(ft, a) || fw_cuts(ft, b)) {
        fw_scores(ft->text + a, ft->lo ? ft->lo + a : NULL, b - a, score);
        return;
    }
    size_t first = fw_find(ft->w, 0, ft->n, a, false);
    if (ft->cum) {
        /* the words are in order and apart, so their ends rise too */
        size_t end = fw_find(ft->w, first, ft->n, b, true);
        /* the sums only grow, so no lane borrows from the next */
        uint64_t lo4 = ft->cum[end].a - ft->cum[first].a, hi2 = ft->cum[end].b - ft->cum[first].b;
        for (int k = 0; k < N_LANGS; k++)
            score[k] = (int)((k < 4 ? lo4 : hi2) >> (16 * (k % 4)) & 0xFFFF);
        return;
    }
    memset(score, 0, N_LANGS * sizeof *score);
    for (size_t k = first; k < ft->n && ft->w[k].e <= b; k++)
        fw_add(&ft->w[k], score);
}

/* The best of six scores (higher is better) and whether it stands alone. */
static int fw_best(const int score[N_LANGS], int *ret_second) {
    int best = 0, second = -1;
    for (int k = 1; k < N_LANGS; k++) {
        if (score[k] > score[best]) {
            second = best;
            best = k;
        } else if (second < 0 || score[k] > score[second]) {
            second = k;
        }
    }
    *ret_second = second;
    return best;
}

const char *dw_lang_detect(const char *text, size_t len, int *ret_score) {
    int score[N_LANGS], second;
    fw_scores(text, NULL, len, score);
    int best = fw_best(score, &second);
    if (ret_score)
        *ret_score = score[best];
    if (score[best] < DW_LANG_MIN_SCORE || (second >= 0 && score[second] == score[best]))
        return NULL;
    return dw_lang_detectable[best];
}

/* ---- n-gram fingerprints (libexttextcat) ------------------------------------------- */

/* The fingerprints of the six languages, read once from the folder the build found them in
 * (DW_TEXTCAT_DIR, Debian's libexttextcat-data; its fpdb.conf names them en.lm, de.lm...). */
#define TC_NGRAMS 400 /* libexttextcat's own size of a fingerprint */
static struct {
    void *fp[N_LANGS];
    char error[600];
} tc;
static pthread_once_t tc_once = PTHREAD_ONCE_INIT;

static void tc_init(void) {
    for (int k = 0; k < N_LANGS; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.lm", DW_TEXTCAT_DIR, dw_lang_detectable[k]);
        tc.fp[k] = fp_Init(dw_lang_detectable[k]);
        if (tc.fp[k])
            fp_SetProperty(tc.fp[k], TCPROP_UTF8AWARE, TC_TRUE);
        if (!tc.fp[k] || fp_Read(tc.fp[k], path, TC_NGRAMS) == 0) {
            snprintf(tc.error, sizeof tc.error,
                     "language fingerprint %s cannot be read (install libexttextcat-data)", path);
            for (int j = 0; j <= k; j++)
                if (tc.fp[j])
                    fp_Done(tc.fp[j]);
            memset(tc.fp, 0, sizeof tc.fp);
            return;
        }
    }
}

int dw_lang_ready(struct dw_error *err) {
    pthread_once(&words_once, words_init); /* built here, not with an extractor's first message */
    pthread_once(&tc_once, tc_init);
    if (tc.error[0])
        return dw_error_set(err, -DW_ENOENT, "%s", tc.error);
    return 0;
}

/* The n-gram distance of text to each language (lower is nearer); false when the text is
 * too short for a fingerprint or the fingerprints are missing. */
static bool tc_scores(const char *text, size_t len, int32_t dist[N_LANGS]) {
    pthread_once(&tc_once, tc_init);
    if (tc.error[0] || len < DW_LANG_TC_MIN)
        return false;
    if (len > DW_LANG_TC_MAX) {
        len = DW_LANG_TC_MAX; /* a few hundred bytes decide; cut at a character */
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    /* fp_Create reads on past its buffer (it expects a C string whatever length it
     * is given), so it gets a terminated copy: read past the caller's text, that byte made
     * the same message come out English or French from one call to the next. */
    char buf[DW_LANG_TC_MAX + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    void *u = fp_Init(NULL);
    if (!u)
        return false;
    fp_SetProperty(u, TCPROP_UTF8AWARE, TC_TRUE);
    fp_SetProperty(u, TCPROP_MINIMUM_DOCUMENT_SIZE, DW_LANG_TC_MIN);
    bool ok = fp_Create(u, buf, (uint4)len, TC_NGRAMS) != 0;
    for (int k = 0; ok && k < N_LANGS; k++)
        dist[k] = fp_Compare(tc.fp[k], u, INT32_MAX);
    fp_Done(u);
    return ok;
}

/* One guess from both readers.
 *
 * When the function words are overwhelming (DW_LANG_FW_DECISIVE points or more and at
 * least three times the next language's), they decide alone: a business e-mail of a few
 * sentences has dozens of them, and libexttextcat, which costs about 20 us plus 0.17 us a
 * byte (more than the rest of the extraction for a 600-byte message), would only agree.
 * Otherwise libexttextcat's n-grams decide when the text is long enough (DW_LANG_TC_SURE
 * bytes) and its nearest language is clearly nearer than the next (by libexttextcat's own
 * margin, 3 %). A shorter text has too few n-grams for a reliable fingerprint ("Non ci
 * serve il firewall." is nearer Spanish than Italian by n-grams) while one function word
 * ("il", "nous", "geen", "brauche") settles it: there the function words decide when they
 * point clearly at one language (twice the points of the next), then libexttextcat when it
 * is sure, then the function words when they point at one language at all, then
 * libexttextcat's nearest; -1 when neither has anything to say. */
static int guess(const struct fw_text *ft, size_t a, size_t b, bool *ret_sure) {
    const char *text = ft->text + a;
    size_t len = b - a;
    int32_t dist[N_LANGS];
    int score[N_LANGS], second;
    *ret_sure = false;
    fw_range(ft, a, b, score);
    int fw = fw_best(score, &second);
    if (score[fw] >= DW_LANG_FW_DECISIVE && score[fw] >= 3 * score[second]) {
        *ret_sure = true;
        return fw;
    }
    bool fw_one = (score[fw] >= DW_LANG_MIN_SCORE && score[second] < score[fw]) ||
                  (score[fw] >= 2 && score[second] == 0); /* one word of one language */
    if (fw_one && len < DW_LANG_TC_SURE)
        return fw; /* too short for a fingerprint to overrule the function words */
    bool tc_ok = tc_scores(text, len, dist);
    int tc_best = -1, tc_second = -1;
    bool tc_sure = false;
    if (tc_ok) {
        for (int k = 0; k < N_LANGS; k++) {
            if (tc_best < 0 || dist[k] < dist[tc_best]) {
                tc_second = tc_best;
                tc_best = k;
            } else if (tc_second < 0 || dist[k] < dist[tc_second]) {
                tc_second = k;
            }
        }
        tc_sure = (int64_t)dist[tc_second] * 100 >= (int64_t)dist[tc_best] * 103;
    }
    if (tc_sure && len >= DW_LANG_TC_SURE) {
        *ret_sure = true;
        return tc_best;
    }
    bool fw_strong = fw_one && score[fw] >= 2 * score[second];
    if (fw_strong || (fw_one && !tc_sure)) {
        *ret_sure = fw_strong && score[fw] >= 2 * DW_LANG_MIN_SCORE;
        return fw;
    }
    *ret_sure = tc_sure;
    return tc_best;
}

/* The lines that end the customer's own words, by their start (a quote "> ", a signature
 * "-- ", a quoted message's header "-----Original Message-----", "From:", "Von:", "De :") and
 * by their end ("On ... wrote:", "Am ... schrieb:", "Le ... a écrit :"). Every start is
 * lower-case ASCII at its first byte; start_of[b], built with the word table, has bit k when
 * starts[k] begins with b, so that a line is compared only with the starts it can have. */
static const char *const starts[] = {
    ">",   "-- \n", "--\n",  "-----",     "________", "from:",    "von:",     "de :",      "de:",
    "da:", "van:",  "sent:", "gesendet:", "envoyé :", "enviado:", "inviato:", "verzonden:"};
static uint32_t start_of[256];

static void starts_init(void) {
    for (uint32_t k = 0; k < DW_ARRAY_SIZE(starts); k++)
        start_of[(unsigned char)starts[k][0]] |= 1u << k;
}

/* Where the customer's own words end: the first line that quotes, introduces a quoted or
 * forwarded message or opens a signature (starts[], wrote[]). fast: the starts of a line
 * picked by start_of[] rather than all compared at their first byte. */
static size_t current_end(const char *t, size_t len, bool fast) {
    static const char *const wrote[] = {
        "wrote:", "schrieb:", "a écrit :", "a écrit:", "escribió:", "ha scritto:", "schreef:"};
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - t) : len;
        size_t s = i;
        while (s < e && (t[s] == ' ' || t[s] == '\t'))
            s++;
        if (s > 0 && s < e + 1) {
            int first = s < len && t[s] >= 'A' && t[s] <= 'Z' ? t[s] + 32 : s < len ? t[s] : 0;
            uint32_t maybe =
                fast ? start_of[(unsigned char)first] : (1u << DW_ARRAY_SIZE(starts)) - 1;
            for (; maybe; maybe &= maybe - 1) {
                size_t k = (size_t)__builtin_ctz(maybe);
                if (starts[k][0] != first)
                    continue;
                size_t n = strlen(starts[k]);
                if (s + n <= len && strncasecmp(t + s, starts[k], n) == 0)
                    return i;
            }
        }
        size_t le = e;
        while (le > s && (t[le - 1] == ' ' || t[le - 1] == '\r'))
            le--;
        /* every verb ends with a colon */
        for (size_t k = 0; i > 0 && le > s && t[le - 1] == ':' && k < sizeof wrote / sizeof *wrote;
             k++) {
            size_t n = strlen(wrote[k]);
            if (le - s >= n && strncasecmp(t + le - n, wrote[k], n) == 0)
                return i;
        }
        i = e + 1;
    }
    return len;
}

int dw_lang_identify(const char *text, size_t len, struct dw_lang_part *parts, size_t cap,
                     size_t *ret_n) {
    return dw_lang_identify_lower(text, NULL, len, parts, cap, ret_n);
}

int dw_lang_identify_lower(const char *text, const char *lo, size_t len, struct dw_lang_part *parts,
                           size_t cap, size_t *ret_n) {
    size_t n = 0;
    if (ret_n)
        *ret_n = 0;
    if (!text)
        len = 0;
    struct fw_text ft;
    fw_text_init(&ft, text, text ? lo : NULL, len);
    size_t cur = current_end(text, len, lo && !lang_plain);
    if (cur < 16)
        cur = len; /* nothing of its own before the quote: read it all */
    bool sure;
    int main_lang = guess(&ft, 0, cur, &sure);
    if (main_lang < 0)
        main_lang = guess(&ft, 0, len, &sure);
    if (main_lang < 0)
        main_lang = 0;
    /* paragraphs: blank lines apart, the quoted part starting one of its own; each part
     * runs from its first character to the start of the next part */
    for (size_t i = 0; parts && i < len && n < cap;) {
        while (i < len && (text[i] == '\n' || text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
            i++;
        if (i >= len)
            break;
        size_t e = i;
        for (;;) {
            const char *nl = e < len ? memchr(text + e, '\n', len - e) : NULL;
            e = nl ? (size_t)(nl - text) : len > e ? len : e;
            if (e >= len || e + 1 == cur)
                break;
            size_t k = e + 1;
            while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r'))
                k++;
            if (k >= len || text[k] == '\n')
                break;
            e = k;
        }
        if (i < cur && e > cur)
            e = cur;
        int lang = main_lang;
        /* a paragraph of its own language: the function words point elsewhere, and so do
         * the n-grams when there are enough of them */
        if (e - i >= DW_LANG_PARA_MIN) {
            int score[N_LANGS], second;
            fw_range(&ft, i, e, score);
            int fw = fw_best(score, &second);
            if (fw != main_lang && score[fw] >= 2 * DW_LANG_MIN_SCORE &&
                score[fw] > score[main_lang] + 2) {
                bool psure;
                if (guess(&ft, i, e, &psure) == fw)
                    lang = fw;
            }
        }
        if (n > 0 && parts[n - 1].lang == lang) {
            parts[n - 1].end = (uint32_t)e;
        } else {
            size_t start = n == 0 ? 0 : i;
            if (n > 0)
                parts[n - 1].end = (uint32_t)i;
            parts[n] = (struct dw_lang_part){
                .start = (uint32_t)start, .end = (uint32_t)e, .lang = (int8_t)lang};
            n++;
        }
        i = e;
    }
    if (parts && n > 0)
        parts[n - 1].end = (uint32_t)len; /* what is left belongs to the last */
    if (ret_n)
        *ret_n = n;
    free(ft.heap);
    return main_lang;
}

/* ---- formats ------------------------------------------------------------------------ */

#define NBSP "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"

struct numfmt {
    const char *lang, *group, *decimal;
    bool sign_first; /* the currency sign before the number */
    bool sign_space; /* a (no-break) space between sign and number */
};

static const struct numfmt numfmts[] = {
    {"en", ",", ".", true, false}, {"de", ".", ",", false, true}, {"fr", NNBSP, ",", false, true},
    {"es", ".", ",", false, true}, {"it", ".", ",", false, true}, {"nl", ".", ",", true, true},
    {"pt", ".", ",", false, true},
};

static const char *sign_of(const char *currency) {
    static const char *const signs[][2] = {{"EUR", "€"}, {"USD", "$"}, {"GBP", "£"}, {"JPY", "¥"}};
    for (size_t i = 0; currency && i < DW_ARRAY_SIZE(signs); i++)
        if (strcmp(currency, signs[i][0]) == 0)
            return signs[i][1];
    return NULL;
}

const char *dw_lang_money(const char *lang, int64_t minor, int digits, const char *currency,
                          char *buf, size_t size) {
    const struct numfmt *f = &numfmts[0];
    for (size_t i = 0; lang && i < DW_ARRAY_SIZE(numfmts); i++)
        if (strcmp(lang, numfmts[i].lang) == 0)
            f = &numfmts[i];
    if (digits < 0)
        digits = 0;
    if (digits > 6)
        digits = 6;
    bool neg = minor < 0;
    uint64_t v = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor, scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    uint64_t whole = v / scale, frac = v % scale;

    char digits_s[32], grouped[96];
    snprintf(digits_s, sizeof digits_s, "%llu", (unsigned long long)whole);
    size_t nd = strlen(digits_s), o = 0;
    for (size_t i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            o += (size_t)snprintf(grouped + o, sizeof grouped - o, "%s", f->group);
        grouped[o++] = digits_s[i];
        grouped[o] = '\0';
    }
    char number[128];
    if (digits > 0)
        snprintf(number, sizeof number, "%s%s%0*llu", grouped, f->decimal, digits,
                 (unsigned long long)frac);
    else
        snprintf(number, sizeof number, "%s", grouped);

    const char *sign = sign_of(currency);
    bool symbol = sign != NULL;
    if (!sign)
        sign = currency && *currency ? currency : "";
    /* a code (CHF) always stands apart from the number; en writes it first */
    bool space = f->sign_space || !symbol;
    const char *sp = *sign ? (space ? NBSP : "") : "";
    if (f->sign_first)
        snprintf(buf, size, "%s%s%s%s", neg ? "-" : "", sign, sp, number);
    else
        snprintf(buf, size, "%s%s%s%s", neg ? "-" : "", number, sp, sign);
    return buf;
}

const char *dw_lang_date(const char *lang, dw_time_t t, char *buf, size_t size) {
    static const char *const months[][12] = {
        {"January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"},
        {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
         "Oktober", "November", "Dezember"},
        {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre"},
        {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
         "octubre", "noviembre", "diciembre"},
        {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
         "settembre", "ottobre", "novembre", "dicembre"},
        {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
         "oktober", "november", "december"},
        {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
         "outubro", "novembro", "dezembro"},
    };
    static const char *const codes[] = {"en", "de", "fr", "es", "it", "nl", "pt"};
    size_t k = 0;
    for (size_t i = 0; lang && i < DW_ARRAY_SIZE(codes); i++)
        if (strcmp(lang, codes[i]) == 0)
            k = i;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int y;
    unsigned m, d;
    dw_civil_from_days(days, &y, &m, &d);
    const char *mon = months[k][m - 1];
    switch (k) {
    case 0:
        snprintf(buf, size, "%s %u, %d", mon, d, y);
        break;
    case 1:
        snprintf(buf, size, "%u. %s %d", d, mon, y);
        break;
    case 2:
        if (d == 1)
            snprintf(buf, size, "1er %s %d", mon, y);
        else
            snprintf(buf, size, "%u %s %d", d, mon, y);
        break;
    case 3:
    case 6:
        snprintf(buf, size, "%u de %s de %d", d, mon, y);
        break;
    default:
        snprintf(buf, size, "%u %s %d", d, mon, y);
        break;
    }
    return buf;
}

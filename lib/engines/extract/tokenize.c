/* Text helpers of the extractor: lower-casing in place of the offsets, UTF-8 code points,
 * the tokenizer, keyword lookup, and the singular stems that plural matching compares. */
#include "engines/extract/extract-internal.h"

/* ---- text helpers --------------------------------------------------------------------- */

/* ASCII and Latin-1 (two-byte) letters to lower case; every byte stays where it was.
 * Eight bytes of ASCII at a time where they are (most of a message): each of 'A'..'Z' gets
 * its 0x20 bit, the bytes compared all at once in one 64-bit word; a byte of 0x80 or more
 * in the eight goes the byte-at-a-time way. */
void dw__ex_fold_lower(const char *in, size_t n, char *out) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    for (size_t i = 0; i < n; i++) {
        uint64_t x;
        while (!dw__ex_plain && i + 8 <= n && (memcpy(&x, in + i, 8), !(x & high))) {
            /* per byte b < 0x80: b + (0x80 - 'A') has bit 7 set when b >= 'A', and
             * b + (0x7F - 'Z') when b > 'Z'; neither sum carries into the next byte */
            uint64_t upper = (x + ones * (0x80 - 'A')) & ~(x + ones * (0x7F - 'Z')) & high;
            x |= upper >> 2;
            memcpy(out + i, &x, 8);
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char ch = (unsigned char)in[i];
        if (ch >= 'A' && ch <= 'Z') {
            ch += 32;
        } else if (ch == 0xC3 && i + 1 < n) {
            unsigned char nx = (unsigned char)in[i + 1];
            if (nx >= 0x80 && nx <= 0x9E && nx != 0x97)
                nx += 0x20;
            out[i++] = (char)ch;
            out[i] = (char)nx;
            continue;
        }
        out[i] = (char)ch;
    }
    out[n] = '\0';
}

static uint32_t u8_next(const unsigned char *p, size_t n, size_t i, size_t *ret_len) {
    unsigned char b = p[i];
    if (b < 0x80) {
        *ret_len = 1;
        return b;
    }
    size_t l = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (b < 0xC0 || i + l > n) {
        *ret_len = 1;
        return 0xFFFD;
    }
    uint32_t cp = b & (0x3Fu >> (l - 1));
    for (size_t k = 1; k < l; k++)
        cp = (cp << 6) | (p[i + k] & 0x3Fu);
    *ret_len = l;
    return cp;
}

static bool cp_space(uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* Letters closely enough: ASCII letters, and above U+00C0 everything but the punctuation,
 * currency and symbol blocks. */
static bool cp_letter(uint32_t cp) {
    if (cp < 0x80)
        return ((cp | 32) >= 'a' && (cp | 32) <= 'z');
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7 || cp == 0xFFFD)
        return false;
    if (cp < 0x2000)
        return true;
    if (cp < 0x2C00 || (cp >= 0x3000 && cp < 0x3040) || (cp >= 0xFE00 && cp < 0xFE70) ||
        (cp >= 0xFF00 && cp < 0xFF21))
        return false;
    return true;
}

/* After a newline at i-1: does the next line start a new item? */
static bool newline_breaks(const unsigned char *p, size_t n, size_t i) {
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
        i++;
    if (i >= n || p[i] == '\n')
        return true;
    if (is_upper_start(p, n, i) || (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '*' ||
        p[i] == '>' || p[i] == '#')
        return true;
    return n - i >= 3 && p[i] == 0xE2 && p[i + 1] == 0x80 && p[i + 2] == 0xA2; /* • */
}

/* French and Italian elision: "d'agences", "l'entrepôt", "nell'area", "un'unica" are two
 * words, the article or preposition with its apostrophe and the noun. */
static bool elision_prefix(const unsigned char *p, size_t n) {
    static const char *const pre[] = {"d",    "l",     "c",    "j",      "m",     "n",     "s",
                                      "t",    "qu",    "dell", "nell",   "all",   "dall",  "sull",
                                      "dell", "quell", "un",   "lorsqu", "jusqu", "puisqu"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(pre); k++) {
        size_t l = strlen(pre[k]);
        if (l != n)
            continue;
        size_t m = 0;
        while (m < l && (p[m] | 32) == (unsigned char)pre[k][m])
            m++;
        if (m == l)
            return true;
    }
    return false;
}

/* Cut s[0..n) into tokens; t has room for n tokens. Offsets are relative to s. */
/* The ASCII letters, a..z and A..Z: one load a byte in the word loop below. */
static const bool ascii_letter[256] = {['a' ... 'z'] = true, ['A' ... 'Z'] = true};

size_t dw__ex_tokenize(const char *s, size_t n, struct tok *t, bool breaks) {
    const unsigned char *p = (const unsigned char *)s;
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    const bool fast = !dw__ex_plain; /* read once: the stores to t[] may alias it */
    size_t nt = 0, i = 0, l;
    bool gap = true;
    while (i < n) {
        if (p[i] == ' ') { /* the commonest byte, a space as cp_space() finds it */
            gap = true;
            i++;
            continue;
        }
        uint32_t cp = p[i] < 0x80 ? (l = 1, p[i]) : u8_next(p, n, i, &l);
        if (cp == '\n') {
            if (breaks && newline_breaks(p, n, i + 1) && nt > 0 && t[nt - 1].kind != TK_BREAK)
                t[nt++] = (struct tok){
                    .s = (uint32_t)i, .e = (uint32_t)i + 1, .kind = TK_BREAK, .gap = 1};
            gap = true;
            i++;
            continue;
        }
        if (cp_space(cp)) {
            gap = true;
            i += l;
            continue;
        }
        struct tok *k = &t[nt++];
        *k = (struct tok){.s = (uint32_t)i, .gap = gap};
        if (cp >= '0' && cp <= '9') {
            while (i < n && p[i] >= '0' && p[i] <= '9')
                i++;
            k->kind = TK_NUM;
        } else if (cp < 0x80 ? ascii_letter[cp] : cp_letter(cp)) { /* the same for ASCII */
            i += l;
            while (i < n) {
                size_t l2;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* eight bytes at a time: per byte b below 0x80, b | 0x20 is a..z for an ASCII
                 * letter; the first other byte (no letter, or one of 0x80 or more), the lowest
                 * in memory, is the lowest bit set, and goes the byte-at-a-time way */
                uint64_t x;
                if (fast && i + 8 <= n) {
                    memcpy(&x, p + i, 8);
                    uint64_t y = (x & ~high) | ones * 0x20;
                    uint64_t other =
                        ~((y + ones * (0x80 - 'a')) & ~(y + ones * (0x7F - 'z')) & ~x) & high;
                    if (!other) {
                        i += 8;
                        continue;
                    }
                    i += (size_t)__builtin_ctzll(other) / 8;
                }
#endif
                unsigned char b = p[i];
                if (ascii_letter[b]) {
                    i++; /* the common case, without decoding */
                    continue;
                }
                if (b < 0x80 && b != '\'' && !dw__ex_plain)
                    break; /* no other ASCII byte is a letter (cp_letter()) or an apostrophe */
                uint32_t c2 = u8_next(p, n, i, &l);
                if (cp_letter(c2)) {
                    i += l;
                } else if ((c2 == '\'' || c2 == 0x2019) && i + l < n &&
                           cp_letter(u8_next(p, n, i + l, &l2))) {
                    if (elision_prefix(p + k->s, i - k->s)) {
                        i += l; /* "d'" ends here; the noun is the next word */
                        break;
                    }
                    k->flags |= TF_APOS;
                    i += l;
                } else {
                    break;
                }
            }
            k->kind = TK_WORD;
        } else {
            i += l;
            k->kind = TK_SYM;
        }
        k->e = (uint32_t)i;
        gap = false;
    }
    return nt;
}

int dw__ex_kw_find(const char *w, size_t n) {
    uint32_t h = dw_fnv1a32(w, n) & (KW_SLOTS - 1);
    for (;;) {
        int k = dw__ex_g.kw_slot[h];
        if (!k)
            return 0;
        if (dw__ex_g.kw_len[h] == n && memcmp(dw__ex_kwdefs[k - 1].w, w, n) == 0)
            return k;
        h = (h + 1) & (KW_SLOTS - 1);
    }
}

/* Singular stem for plural matching, written to out (cap bytes): "switches" -> "switch",
 * "companies" -> "company", "users" -> "user". Longer words are cut: the index key only
 * groups candidates, the match itself compares whole words. */
size_t dw__ex_stem(const char *s, size_t n, char *out, size_t cap) {
    bool y;
    size_t m = dw__ex_stem_cut(s, n, &y);
    size_t o = m < cap - 1 ? m : cap - 1;
    memcpy(out, s, o);
    if (y && o < cap - 1)
        out[o++] = 'y';
    return o;
}

/* Singular/plural equality of two words ("switch" = "switches"), and the German dative
 * plural "-n" ("Standorten" = "Standorte", "Nutzern" = "Nutzer"). */
bool dw__ex_plural_eq(const char *a, size_t an, const char *b, size_t bn) {
    char x[64], y[64];
    if (an >= sizeof x || bn >= sizeof y)
        return false;
    if ((an == bn + 1 && a[bn] == 'n' && memcmp(a, b, bn) == 0) ||
        (bn == an + 1 && b[an] == 'n' && memcmp(a, b, an) == 0))
        return an > 3 && bn > 3;
    size_t xn = dw__ex_stem(a, an, x, sizeof x), yn = dw__ex_stem(b, bn, y, sizeof y);
    return xn == yn && memcmp(x, y, xn) == 0;
}

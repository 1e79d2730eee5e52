/* Number words written as one word in six languages ("zwölf", "vijfentwintig",
 * "trentadue", "veintidós", "zweihundertfünfzigtausend"), from the parts lang/LANG.yaml lists. */
#include "engines/extract/extract-internal.h"

/* ---- number words in six languages ---------------------------------------------------- */

/* The parts number words are written with (lang/LANG.yaml number_*): German, Dutch, Italian
 * and Spanish run them together ("fünfundzwanzig", "vijfentwintig", "trentadue",
 * "veintidós", "zweihundertfünfzigtausend"). Indexed here by first byte:
 * morph[morph_start[b]..morph_start[b + 1]) are those starting with byte b. */
/* The parts' first two bytes and last two bytes: head_pair[b0] has bit b1 set when some part
 * starts with b0 b1, tail_pair[z] bit y when one ends with y z (a one-byte part: any byte). */
static uint64_t head_pair[256][4], tail_pair[256][4];

void dw__ex_morphemes_init(void) {
    size_t o = 0;
    for (unsigned b = 0; b < 256; b++) {
        dw__ex_g.morph_start[b] = (uint16_t)o;
        for (size_t k = 0; k < dw__ex_g.n_morph; k++)
            if ((unsigned char)dw__ex_g.morph_w[k][0] == b)
                dw__ex_g.morph[o++] = (uint16_t)k;
    }
    dw__ex_g.morph_start[256] = (uint16_t)o;
    memset(head_pair, 0, sizeof head_pair);
    memset(tail_pair, 0, sizeof tail_pair);
    for (size_t k = 0; k < dw__ex_g.n_morph; k++) {
        size_t l = strlen(dw__ex_g.morph_w[k]);
        const unsigned char *w = (const unsigned char *)dw__ex_g.morph_w[k];
        dw__ex_g.morph_len[k] = (uint8_t)l;
        for (unsigned b = 0; b < 256; b++) { /* a one-byte part pairs with any byte */
            unsigned h = l >= 2 ? w[1] : b, t = l >= 2 ? w[l - 2] : b;
            head_pair[w[0]][h >> 6] |= 1ull << (h & 63);
            tail_pair[w[l - 1]][t >> 6] |= 1ull << (t & 63);
        }
    }
}

/* Whether the word w[0..n) (n >= 2) starts with the first two bytes of some part and ends
 * with the last two of some part: a word made of parts does both, and most words fail one,
 * so they are not looked up part by part. */
static bool may_be_parts(const unsigned char *w, size_t n) {
    return (head_pair[w[0]][w[1] >> 6] >> (w[1] & 63) & 1) &&
           (tail_pair[w[n - 1]][w[n - 2] >> 6] >> (w[n - 2] & 63) & 1);
}

struct wn {
    int64_t total, cur;
    char last;
    int parts;
};

/* Reads w[i..n) on from state st; the value or -1. The longest part first, then a shorter
 * one when the rest does not read: "centottantamila" is "cent" + "ottanta" + "mila", not
 * "cento" + "ttanta...". */
static int64_t word_number_from(const char *w, size_t n, size_t i, struct wn st) {
    if (i == n) {
        if (st.last == 'j' || (st.parts == 1 && (st.last == 'e' || st.total + st.cur <= 1)))
            return -1;
        return st.total + st.cur;
    }
    unsigned b = (unsigned char)w[i];
    size_t tried = SIZE_MAX; /* lengths are tried from the longest down */
    for (;;) {
        size_t best = 0, bl = 0;
        for (size_t m = dw__ex_g.morph_start[b]; m < dw__ex_g.morph_start[b + 1]; m++) {
            size_t k = dw__ex_g.morph[m], l = dw__ex_g.morph_len[k];
            /* the second byte first: most words share the first with some part */
            if (l > bl && l < tried && l <= n - i &&
                (l < 2 || dw__ex_g.morph_w[k][1] == w[i + 1]) &&
                memcmp(w + i, dw__ex_g.morph_w[k], l) == 0) {
                best = k;
                bl = l;
            }
        }
        if (!bl)
            return -1;
        tried = bl;
        struct wn s2 = st;
        char kd = dw__ex_g.morph_kind[best];
        int32_t v = dw__ex_g.morph_v[best];
        bool ok = true;
        if (kd == 'j') {
            ok = st.last == 'u' || st.last == 'e';
        } else if (kd == 'h') {
            s2.cur = (st.cur ? st.cur : 1) * v;
        } else if (kd == 'k') {
            s2.total += (st.cur ? st.cur : 1) * v;
            s2.cur = 0;
        } else if (kd == 'M') {
            s2.total = (st.total + (st.cur ? st.cur : 1)) * v;
            s2.cur = 0;
        } else {
            s2.cur += v;
        }
        s2.last = kd;
        s2.parts++;
        if (ok && s2.total + s2.cur <= 999999999) {
            int64_t r = word_number_from(w, n, i + bl, s2);
            if (r >= 0)
                return r;
        }
    }
}

/* The value of a number written as one word in any of the six languages ("zwölf",
 * "vijfentwintig", "trentadue", "veintidós", "zweihundertfünfzig"), or -1. A lone 1
 * ("een", "uno") is an article, not a number. */
int32_t dw__ex_word_number(const char *w, size_t n) {
    /* most words start with no part at all: only those that do are read */
    if (n >= 2 && !dw__ex_plain && !may_be_parts((const unsigned char *)w, n))
        return -1;
    unsigned b = (unsigned char)w[0];
    bool any = false;
    for (size_t m = dw__ex_g.morph_start[b]; m < dw__ex_g.morph_start[b + 1] && !any; m++) {
        size_t k = dw__ex_g.morph[m], l = dw__ex_g.morph_len[k];
        any = l <= n && (l < 2 || dw__ex_g.morph_w[k][1] == w[1]) &&
              memcmp(w, dw__ex_g.morph_w[k], l) == 0;
    }
    if (!any)
        return -1;
    int64_t r = word_number_from(w, n, 0, (struct wn){0});
    return r < 0 ? -1 : (int32_t)r;
}

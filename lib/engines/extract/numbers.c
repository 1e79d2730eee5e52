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
/* By position m in morph[]: the part's length and second byte (0 for a one-byte part). */
static uint8_t at_len[MORPHEMES], at_b1[MORPHEMES];

void dw__ex_morphemes_init(void) {
    size_t o = 0;
    for (unsigned b = 0; b < 256; b++) {
        dw__ex_g.morph_start[b] = (uint16_t)o;
        for (size_t k = 0; k < dw__ex_g.n_morph; k++)
            if ((unsigned char)dw__ex_g.morph_w[k][0] == b)
                dw__ex_g.morph[o++] = (uint16_t)k;
    }
    dw__ex_g.morph_start[256] = (uint16_t)o;
    for (size_t m = 0; m < o; m++) {
        const char *w = dw__ex_g.morph_w[dw__ex_g.morph[m]];
        at_len[m] = (uint8_t)strlen(w);
        at_b1[m] = at_len[m] >= 2 ? (uint8_t)w[1] : 0;
    }
    /* the parts of one first byte in order of their second byte, the one-byte parts first,
     * in table order among equals (an insertion sort: a stable one) */
    for (unsigned b = 0; b < 256; b++)
        for (size_t m = dw__ex_g.morph_start[b] + 1u; m < dw__ex_g.morph_start[b + 1]; m++)
            for (size_t j = m; j > dw__ex_g.morph_start[b] && at_b1[j - 1] > at_b1[j]; j--) {
                uint16_t k = dw__ex_g.morph[j];
                uint8_t l = at_len[j], b1 = at_b1[j];
                dw__ex_g.morph[j] = dw__ex_g.morph[j - 1];
                at_len[j] = at_len[j - 1];
                at_b1[j] = at_b1[j - 1];
                dw__ex_g.morph[j - 1] = k;
                at_len[j - 1] = l;
                at_b1[j - 1] = b1;
            }
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
    /* the parts that can start here: the one-byte parts (first of their byte's) and the run
     * with the word's second byte; the plain reading tries all of the first byte's */
    size_t from = dw__ex_g.morph_start[b], to = dw__ex_g.morph_start[b + 1];
    if (!dw__ex_plain && from < to) {
        uint8_t b1 = i + 1 < n ? (uint8_t)w[i + 1] : 0;
        size_t lo = from, hi = to;
        while (lo < hi) { /* the first part whose second byte is b1 or after it */
            size_t mid = lo + (hi - lo) / 2;
            if (at_b1[mid] < b1)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < to && at_b1[end] == b1)
            end++;
        if (at_b1[from] != 0) /* no one-byte part */
            from = lo;
        to = end;
    }
    for (;;) {
        size_t best = 0, bl = 0;
        for (size_t m = from; m < to; m++) {
            size_t l = at_len[m];
            if (!(l > bl && l < tried && l <= n - i && (l < 2 || at_b1[m] == (uint8_t)w[i + 1])))
                continue;
            /* the rest byte by byte: a part is short and most differ at their third byte */
            const char *part = dw__ex_g.morph_w[dw__ex_g.morph[m]];
            size_t q = 2;
            while (q < l && part[q] == w[i + q])
                q++;
            if (q >= l) {
                best = dw__ex_g.morph[m];
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
 * ("een", "uno") is an article, not a number. The reading is out of line, so the filter's
 * answer for most words costs no saving of registers. */
static __attribute__((noinline)) int32_t word_number_read(const char *w, size_t n) {
    /* a word that starts with no part ends at the first look for one */
    int64_t r = word_number_from(w, n, 0, (struct wn){0});
    return r < 0 ? -1 : (int32_t)r;
}

int32_t dw__ex_word_number(const char *w, size_t n) {
    /* most words start with no part at all: only those that do are read */
    if (n >= 2 && !dw__ex_plain && !may_be_parts((const unsigned char *)w, n))
        return -1;
    return word_number_read(w, n);
}

/* Number words written as one word in six languages ("zwölf", "vijfentwintig",
 * "trentadue", "veintidós", "zweihundertfünfzigtausend"), from the parts lang/LANG.yaml lists. */
#include "engines/extract/extract-internal.h"

/* ---- number words in six languages ---------------------------------------------------- */

/* The parts number words are written with (lang/LANG.yaml number_*): German, Dutch, Italian
 * and Spanish run them together ("fünfundzwanzig", "vijfentwintig", "trentadue",
 * "veintidós", "zweihundertfünfzigtausend"). Indexed here by first byte:
 * morph[morph_start[b]..morph_start[b + 1]) are those starting with byte b. */
void dw__ex_morphemes_init(void) {
    size_t o = 0;
    for (unsigned b = 0; b < 256; b++) {
        dw__ex_g.morph_start[b] = (uint16_t)o;
        for (size_t k = 0; k < dw__ex_g.n_morph; k++)
            if ((unsigned char)dw__ex_g.morph_w[k][0] == b)
                dw__ex_g.morph[o++] = (uint16_t)k;
    }
    dw__ex_g.morph_start[256] = (uint16_t)o;
    for (size_t k = 0; k < dw__ex_g.n_morph; k++)
        dw__ex_g.morph_len[k] = (uint8_t)strlen(dw__ex_g.morph_w[k]);
}

/* The longest part of w[i..n) shorter than `below` bytes: its index and length (0 if
 * none). */
static inline __attribute__((always_inline)) size_t
morpheme_at(const char *w, size_t n, size_t i, size_t below, size_t *ret_len) {
    size_t best = 0, bl = 0;
    unsigned b = (unsigned char)w[i];
    for (size_t m = dw__ex_g.morph_start[b]; m < dw__ex_g.morph_start[b + 1]; m++) {
        size_t k = dw__ex_g.morph[m], l = dw__ex_g.morph_len[k];
        if (l > bl && l < below && l <= n - i && memcmp(w + i, dw__ex_g.morph_w[k], l) == 0) {
            best = k;
            bl = l;
        }
    }
    *ret_len = bl;
    return best;
}

/* The value of a number written as one word in any of the six languages ("zwölf",
 * "vijfentwintig", "trentadue", "veintidós", "zweihundertfünfzig"), or -1. A lone 1
 * ("een", "uno") is an article, not a number. The longest part is tried first; when the
 * rest cannot be read, the word is read again with the last part shorter: the Italian
 * "cento" loses its "o" before "ottanta" ("centottantamila" is "cent" "ottanta" "mila"). */
int32_t dw__ex_word_number(const char *w, size_t n) {
    size_t at = SIZE_MAX, below = SIZE_MAX; /* the part at `at` is shorter than `below` */
    for (int pass = 0; pass < 2; pass++) {
        int64_t total = 0, cur = 0;
        size_t i = 0, last_i = 0, last_l = 0;
        char last = 0;
        int parts = 0;
        while (i < n) {
            size_t bl, best = i == at ? morpheme_at(w, n, i, below, &bl)
                                      : morpheme_at(w, n, i, SIZE_MAX, &bl);
            if (!bl)
                break;
            char kd = dw__ex_g.morph_kind[best];
            int32_t v = dw__ex_g.morph_v[best];
            if (kd == 'j') {
                if (last != 'u' && last != 'e')
                    return -1;
            } else if (kd == 'h') {
                cur = (cur ? cur : 1) * v;
            } else if (kd == 'k') {
                total += (cur ? cur : 1) * v;
                cur = 0;
            } else if (kd == 'M') {
                total = (total + (cur ? cur : 1)) * v;
                cur = 0;
            } else {
                cur += v;
            }
            last = kd;
            parts++;
            last_i = i;
            last_l = bl;
            i += bl;
            if (total + cur > 999999999)
                return -1;
        }
        if (i < n) {
            if (pass || last_l < 2)
                return -1;
            at = last_i; /* once more, the last part read shorter */
            below = last_l;
            continue;
        }
        if (last == 'j' || (parts == 1 && (last == 'e' || total + cur <= 1)))
            return -1;
        return (int32_t)(total + cur);
    }
    return -1;
}

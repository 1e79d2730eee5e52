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

/* The value of a number written as one word in any of the six languages ("zwölf",
 * "vijfentwintig", "trentadue", "veintidós", "zweihundertfünfzig"), or -1. A lone 1
 * ("een", "uno") is an article, not a number. */
int32_t dw__ex_word_number(const char *w, size_t n) {
    int64_t total = 0, cur = 0;
    size_t i = 0;
    char last = 0;
    int parts = 0;
    while (i < n) {
        size_t best = 0, bl = 0;
        unsigned b = (unsigned char)w[i];
        for (size_t m = dw__ex_g.morph_start[b]; m < dw__ex_g.morph_start[b + 1]; m++) {
            size_t k = dw__ex_g.morph[m], l = dw__ex_g.morph_len[k];
            /* the second byte first: most words share the first with some part */
            if (l > bl && l <= n - i && (l < 2 || dw__ex_g.morph_w[k][1] == w[i + 1]) &&
                memcmp(w + i, dw__ex_g.morph_w[k], l) == 0) {
                best = k;
                bl = l;
            }
        }
        if (!bl)
            return -1;
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
        i += bl;
        if (total + cur > 999999999)
            return -1;
    }
    if (last == 'j' || (parts == 1 && (last == 'e' || total + cur <= 1)))
        return -1;
    return (int32_t)(total + cur);
}

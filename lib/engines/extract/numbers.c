/* Number words written as one word in six languages ("zwölf", "vijfentwintig",
 * "trentadue", "veintidós"). */
#include "engines/extract/extract-internal.h"

/* ---- number words in six languages ---------------------------------------------------- */

/* The parts number words are written with, German, Dutch, Italian and Spanish run them
 * together ("fünfundzwanzig", "vijfentwintig", "trentadue", "veintidós", "zweihundert").
 * kind: 'u' a value that may stand alone, 'e' one that needs more after it ("vent" of
 * "ventotto", "veinti"), 'h' hundred, 'k' thousand, 'j' a joiner inside the word ("und",
 * "en"). English and the simple German words are keywords (dw__ex_kwdefs). */
static const struct {
    const char *m;
    int32_t v;
    char kind;
} morphemes[] = {
    /* German */
    {"zwei", 2, 'u'},
    {"drei", 3, 'u'},
    {"vier", 4, 'u'},
    {"fünf", 5, 'u'},
    {"sechs", 6, 'u'},
    {"sieben", 7, 'u'},
    {"acht", 8, 'u'},
    {"neun", 9, 'u'},
    {"zehn", 10, 'u'},
    {"elf", 11, 'u'},
    {"zwölf", 12, 'u'},
    {"dreizehn", 13, 'u'},
    {"vierzehn", 14, 'u'},
    {"fünfzehn", 15, 'u'},
    {"sechzehn", 16, 'u'},
    {"siebzehn", 17, 'u'},
    {"achtzehn", 18, 'u'},
    {"neunzehn", 19, 'u'},
    {"zwanzig", 20, 'u'},
    {"dreißig", 30, 'u'},
    {"dreissig", 30, 'u'},
    {"vierzig", 40, 'u'},
    {"fünfzig", 50, 'u'},
    {"sechzig", 60, 'u'},
    {"siebzig", 70, 'u'},
    {"achtzig", 80, 'u'},
    {"neunzig", 90, 'u'},
    {"ein", 1, 'e'},
    {"hundert", 100, 'h'},
    {"tausend", 1000, 'k'},
    {"und", 0, 'j'},
    /* Dutch */
    {"twee", 2, 'u'},
    {"drie", 3, 'u'},
    {"vijf", 5, 'u'},
    {"zes", 6, 'u'},
    {"zeven", 7, 'u'},
    {"negen", 9, 'u'},
    {"tien", 10, 'u'},
    {"twaalf", 12, 'u'},
    {"dertien", 13, 'u'},
    {"veertien", 14, 'u'},
    {"vijftien", 15, 'u'},
    {"zestien", 16, 'u'},
    {"zeventien", 17, 'u'},
    {"achttien", 18, 'u'},
    {"negentien", 19, 'u'},
    {"twintig", 20, 'u'},
    {"dertig", 30, 'u'},
    {"veertig", 40, 'u'},
    {"vijftig", 50, 'u'},
    {"zestig", 60, 'u'},
    {"zeventig", 70, 'u'},
    {"tachtig", 80, 'u'},
    {"negentig", 90, 'u'},
    {"een", 1, 'e'},
    {"één", 1, 'e'},
    {"honderd", 100, 'h'},
    {"duizend", 1000, 'k'},
    {"en", 0, 'j'},
    {"ën", 0, 'j'},
    /* French (compounds take hyphens: "vingt-cinq", read token by token) */
    {"deux", 2, 'u'},
    {"trois", 3, 'u'},
    {"quatre", 4, 'u'},
    {"cinq", 5, 'u'},
    {"six", 6, 'u'},
    {"sept", 7, 'u'},
    {"huit", 8, 'u'},
    {"neuf", 9, 'u'},
    {"dix", 10, 'u'},
    {"onze", 11, 'u'},
    {"douze", 12, 'u'},
    {"treize", 13, 'u'},
    {"quatorze", 14, 'u'},
    {"quinze", 15, 'u'},
    {"seize", 16, 'u'},
    {"vingt", 20, 'u'},
    {"vingts", 20, 'u'},
    {"trente", 30, 'u'},
    {"quarante", 40, 'u'},
    {"cinquante", 50, 'u'},
    {"soixante", 60, 'u'},
    /* Spanish */
    {"dos", 2, 'u'},
    {"tres", 3, 'u'},
    {"cuatro", 4, 'u'},
    {"cinco", 5, 'u'},
    {"seis", 6, 'u'},
    {"siete", 7, 'u'},
    {"ocho", 8, 'u'},
    {"nueve", 9, 'u'},
    {"diez", 10, 'u'},
    {"once", 11, 'u'},
    {"doce", 12, 'u'},
    {"trece", 13, 'u'},
    {"catorce", 14, 'u'},
    {"quince", 15, 'u'},
    {"dieci", 10, 'e'},
    {"veinte", 20, 'u'},
    {"veinti", 20, 'e'},
    {"treinta", 30, 'u'},
    {"cuarenta", 40, 'u'},
    {"cincuenta", 50, 'u'},
    {"sesenta", 60, 'u'},
    {"setenta", 70, 'u'},
    {"ochenta", 80, 'u'},
    {"noventa", 90, 'u'},
    {"dós", 2, 'u'},
    {"trés", 3, 'u'},
    {"séis", 6, 'u'},
    {"cien", 100, 'u'},
    {"ciento", 100, 'u'},
    {"doscientos", 200, 'u'},
    {"doscientas", 200, 'u'},
    {"trescientos", 300, 'u'},
    {"trescientas", 300, 'u'},
    {"cuatrocientos", 400, 'u'},
    {"quinientos", 500, 'u'},
    {"seiscientos", 600, 'u'},
    {"setecientos", 700, 'u'},
    {"ochocientos", 800, 'u'},
    {"novecientos", 900, 'u'},
    /* Italian */
    {"due", 2, 'u'},
    {"tre", 3, 'u'},
    {"tré", 3, 'u'},
    {"quattro", 4, 'u'},
    {"cinque", 5, 'u'},
    {"sei", 6, 'u'},
    {"sette", 7, 'u'},
    {"otto", 8, 'u'},
    {"nove", 9, 'u'},
    {"dieci", 10, 'u'},
    {"undici", 11, 'u'},
    {"dodici", 12, 'u'},
    {"tredici", 13, 'u'},
    {"quattordici", 14, 'u'},
    {"quindici", 15, 'u'},
    {"sedici", 16, 'u'},
    {"diciassette", 17, 'u'},
    {"diciotto", 18, 'u'},
    {"diciannove", 19, 'u'},
    {"venti", 20, 'u'},
    {"vent", 20, 'e'},
    {"trenta", 30, 'u'},
    {"trent", 30, 'e'},
    {"quaranta", 40, 'u'},
    {"quarant", 40, 'e'},
    {"cinquanta", 50, 'u'},
    {"cinquant", 50, 'e'},
    {"sessanta", 60, 'u'},
    {"sessant", 60, 'e'},
    {"settanta", 70, 'u'},
    {"settant", 70, 'e'},
    {"ottanta", 80, 'u'},
    {"ottant", 80, 'e'},
    {"novanta", 90, 'u'},
    {"novant", 90, 'e'},
    {"uno", 1, 'e'},
    {"cento", 100, 'h'},
    {"mila", 1000, 'k'},
};

void dw__ex_morphemes_init(void) {
    _Static_assert(DW_ARRAY_SIZE(morphemes) <= MORPHEMES, "MORPHEMES too small");
    size_t o = 0;
    for (unsigned b = 0; b < 256; b++) {
        dw__ex_g.morph_start[b] = (uint16_t)o;
        for (size_t k = 0; k < DW_ARRAY_SIZE(morphemes); k++)
            if ((unsigned char)morphemes[k].m[0] == b)
                dw__ex_g.morph[o++] = (uint8_t)k;
    }
    dw__ex_g.morph_start[256] = (uint16_t)o;
    for (size_t k = 0; k < DW_ARRAY_SIZE(morphemes); k++)
        dw__ex_g.morph_len[k] = (uint8_t)strlen(morphemes[k].m);
}

/* Number words that are common words in another language count only before a unit noun
 * of their own: Spanish "once" (English "once"), Italian "due" and "sei" (English "due",
 * German "sei"). */
const struct dw__ex_weak_number dw__ex_weak_numbers[] = {
    {"once", LANG_ES}, {"due", LANG_IT}, {"sei", LANG_IT}};
const size_t dw__ex_n_weak_numbers = DW_ARRAY_SIZE(dw__ex_weak_numbers);

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
            if (l > bl && l <= n - i && memcmp(w + i, morphemes[k].m, l) == 0) {
                best = k;
                bl = l;
            }
        }
        if (!bl)
            return -1;
        char kd = morphemes[best].kind;
        int32_t v = morphemes[best].v;
        if (kd == 'j') {
            if (last != 'u' && last != 'e')
                return -1;
        } else if (kd == 'h') {
            cur = (cur ? cur : 1) * v;
        } else if (kd == 'k') {
            total += (cur ? cur : 1) * v;
            cur = 0;
        } else {
            cur += v;
        }
        last = kd;
        parts++;
        i += bl;
        if (total + cur > 1000000)
            return -1;
    }
    if (last == 'j' || (parts == 1 && (last == 'e' || total + cur <= 1)))
        return -1;
    return (int32_t)(total + cur);
}

/* Language identification by function words, and the money and date formats of the
 * languages the customer documents are written in. */
#include <pthread.h>
#include <string.h>

#include "engines/lang.h"

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
static const char *const de_words[] = {
    "der",      "die",       "das",     "und",   "ist",          "sind",  "wir",     "unser",
    "unsere",   "unseren",   "unserer", "ihr",   "ihre",         "ihnen", "für",     "mit",
    "nicht",    "ein",       "eine",    "einen", "einem",        "auch",  "auf",     "bitte",
    "brauchen", "benötigen", "haben",   "ich",   "zu",           "von",   "dem",     "den",
    "des",      "im",        "wie",     "oder",  "noch",         "uns",   "sie",     "werden",
    "würden",   "möchten",   "gerne",   "gern",  "vielen",       "dank",  "bei",     "nach",
    "über",     "können",    "hallo",   "grüße", "freundlichen", "sehr",  "geehrte", "geehrter",
    "jeweils",  "pro",       "bis",     "zum",   "zur",          NULL};
static const char *const fr_words[] = {
    "le",    "la",      "les",        "et",     "est",          "sont",   "nous",     "notre",
    "nos",   "vous",    "votre",      "vos",    "pour",         "avec",   "une",      "un",
    "des",   "du",      "dans",       "pas",    "sur",          "au",     "aux",      "qui",
    "que",   "ce",      "cette",      "ces",    "il",           "elle",   "avons",    "besoin",
    "merci", "bonjour", "souhaitons", "pouvez", "aussi",        "mais",   "ou",       "très",
    "de",    "en",      "chaque",     "sites",  "cordialement", "madame", "monsieur", "nos",
    "d",     "j",       "qu",         NULL};
static const char *const es_words[] = {
    "el",      "la",      "los",      "las",      "y",    "es",          "son",     "nosotros",
    "nuestro", "nuestra", "nuestros", "nuestras", "para", "con",         "una",     "un",
    "del",     "en",      "por",      "que",      "no",   "necesitamos", "gracias", "hola",
    "también", "pero",    "muy",      "esta",     "este", "estos",       "sus",     "su",
    "como",    "más",     "sobre",    "queremos", "de",   "cada",        "saludos", "estimados",
    "tenemos", "al",      NULL};
static const char *const it_words[] = {
    "il",         "lo",       "la",      "gli",    "le",     "e",   "è",     "sono",
    "noi",        "nostro",   "nostra",  "nostri", "nostre", "per", "con",   "una",
    "un",         "del",      "della",   "dei",    "delle",  "nel", "nella", "che",
    "non",        "abbiamo",  "bisogno", "grazie", "anche",  "ma",  "molto", "vorremmo",
    "questo",     "questa",   "siamo",   "ci",     "sul",    "di",  "ogni",  "saluti",
    "buongiorno", "cordiali", "al",      "alla",   NULL};
static const char *const nl_words[] = {
    "de",    "het",   "een",          "en",     "is",        "zijn",  "wij",     "we",
    "ons",   "onze",  "voor",         "met",    "niet",      "van",   "op",      "dat",
    "die",   "dit",   "ook",          "hebben", "nodig",     "graag", "bedankt", "alvast",
    "u",     "uw",    "kunnen",       "willen", "naar",      "bij",   "aan",     "maar",
    "zou",   "wordt", "er",           "per",    "vestiging", "groet", "groeten", "geachte",
    "hallo", "elke",  "vriendelijke", NULL};
static const char *const *const lists[N_LANGS] = {en_words, de_words, fr_words,
                                                  es_words, it_words, nl_words};

/* The six lists as one table built once: each word with the set of languages listing it,
 * so a word of the text costs one hash probe instead of a pass over every list. */
#define WORD_SLOTS 1024 /* power of two, more than twice the words of all lists */
static struct {
    const char *w[WORD_SLOTS];
    uint8_t langs[WORD_SLOTS]; /* bit k: lists[k] has the word */
} words;
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static size_t word_slot(const char *w, size_t n) {
    size_t h = dw_fnv1a32(w, n) & (WORD_SLOTS - 1);
    while (words.w[h] && !(strlen(words.w[h]) == n && memcmp(words.w[h], w, n) == 0))
        h = (h + 1) & (WORD_SLOTS - 1);
    return h;
}

static void words_init(void) {
    for (int k = 0; k < N_LANGS; k++)
        for (size_t i = 0; lists[k][i]; i++) {
            size_t h = word_slot(lists[k][i], strlen(lists[k][i]));
            words.w[h] = lists[k][i];
            words.langs[h] |= (uint8_t)(1u << k);
        }
}

/* Lower-case a UTF-8 word in place: ASCII and the Latin-1 capitals (À..Þ but ×). */
static void lower(char *w) {
    for (unsigned char *p = (unsigned char *)w; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (unsigned char)(*p + 32);
        else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97) {
            p[1] = (unsigned char)(p[1] + 0x20);
            p++;
        } else if (*p == 0xC3 && p[1]) {
            p++;
        }
    }
}

/* Part of a word: ASCII letters and any multi-byte UTF-8 sequence (accented letters). */
static bool word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

const char *dw_lang_detect(const char *text, size_t len, int *ret_score) {
    pthread_once(&words_once, words_init);
    int score[N_LANGS] = {0};
    size_t i = 0;
    while (text && i < len) {
        if (!word_byte((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t s = i;
        while (i < len && word_byte((unsigned char)text[i]))
            i++;
        char w[32];
        size_t n = i - s;
        if (n >= sizeof w)
            continue;
        memcpy(w, text + s, n);
        w[n] = '\0';
        bool high = false;
        for (size_t b = 0; b < n; b++)
            high |= (unsigned char)w[b] >= 0x80;
        lower(w);
        unsigned langs = words.langs[word_slot(w, n)];
        int hits = __builtin_popcount(langs);
        for (int k = 0; k < N_LANGS; k++)
            if (langs & (1u << k))
                score[k] += hits == 1 ? 2 : 1;
        /* letters only one of the six writes */
        if (!high)
            continue;
        if (strstr(w, "ß"))
            score[1] += 2;
        if (strstr(w, "ñ"))
            score[3] += 2;
        if (strstr(w, "ç") || strstr(w, "œ"))
            score[2] += 2;
    }
    int best = 0, second = -1;
    for (int k = 1; k < N_LANGS; k++) {
        if (score[k] > score[best]) {
            second = best;
            best = k;
        } else if (second < 0 || score[k] > score[second]) {
            second = k;
        }
    }
    if (ret_score)
        *ret_score = score[best];
    if (score[best] < DW_LANG_MIN_SCORE || (second >= 0 && score[second] == score[best]))
        return NULL;
    return dw_lang_detectable[best];
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

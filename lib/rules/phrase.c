/* Phrase patterns: see phrase.h for the language. A pattern is compiled into at most
 * DW_PHRASE_MAX_ELEMS elements whose alternatives are folded words in one pool; matching
 * tries every start token and backtracks only over gaps (at most 9 choices each). */
#include <stdlib.h>
#include <string.h>

#include "rules/phrase.h"

#define MAX_ALTS 48
#define MAX_GAP 8

/* Bytes of a character that separates words, or 0 when s[0] starts a letter or digit. */
static size_t separator_len(const unsigned char *s, size_t n) {
    if (s[0] < 0x80)
        return ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') || (s[0] >= '0' && s[0] <= '9') ? 0
                                                                                              : 1;
    if (s[0] == 0xC2 && n >= 2) /* U+0080..U+00BF: no-break space, «, », ¿, ¡, ° */
        return 2;
    if (s[0] == 0xC3 && n >= 2 && (s[1] == 0x97 || s[1] == 0xB7)) /* × ÷ */
        return 2;
    if (s[0] == 0xE2 && n >= 3 && (s[1] == 0x80 || s[1] == 0x81 || s[1] == 0x82))
        return 3; /* general punctuation (dashes, quotes, …) and currency signs (€) */
    return 0;
}

/* Length of the UTF-8 character at s (1 on a stray byte). */
static size_t char_len(const unsigned char *s, size_t n) {
    size_t k = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    return k <= n ? k : n;
}

/* Latin-1 letters U+00C0..U+00FF folded: lower case, no accents. */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Append the folded form of the word s[0..len) (letters and digits only) to out. */
static int fold_word(const unsigned char *s, size_t len, struct dw_buf *out) {
    for (size_t i = 0; i < len;) {
        size_t k = char_len(s + i, len - i);
        int r;
        if (k == 1) {
            char ch = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]);
            r = dw_buf_append(out, &ch, 1);
        } else if (k == 2 && s[i] == 0xC3 && s[i + 1] >= 0x80 && s[i + 1] <= 0xBF) {
            const char *f = latin1_fold[s[i + 1] - 0x80];
            r = dw_buf_append(out, f, strlen(f));
        } else {
            r = dw_buf_append(out, s + i, k);
        }
        if (r < 0)
            return r;
        i += k;
    }
    return 0;
}

int dw_phrase_fold(const char *s, size_t len, struct dw_buf *out) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t sep = separator_len(u + i, len - i);
        if (sep) {
            if (out->len && out->data[out->len - 1] != ' ' && dw_buf_append(out, " ", 1) < 0)
                return -DW_ENOMEM;
            i += sep;
            continue;
        }
        size_t j = i;
        while (j < len && !separator_len(u + j, len - j))
            j += char_len(u + j, len - j);
        int r = fold_word(u + i, j - i, out);
        if (r < 0)
            return r;
        i = j;
    }
    return dw_buf_append(out, "", 0);
}

/* Does the character at i end a sentence? */
static bool sentence_end(const unsigned char *s, size_t len, size_t i, size_t word_len) {
    switch (s[i]) {
    case '!':
    case '?':
    case ';':
        return true;
    case '.':
        /* "U.S. company", "z. B.", "1.000" go on */
        return word_len != 1 && (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n' ||
                                 s[i + 1] == '\r' || s[i + 1] == '\t');
    case '\n': /* a blank line */
        for (size_t k = i + 1; k < len; k++) {
            if (s[k] == '\n')
                return true;
            if (s[k] != ' ' && s[k] != '\r' && s[k] != '\t')
                return false;
        }
        return true;
    default:
        return false;
    }
}

int dw_ptext_init(struct dw_ptext *t, const char *text, size_t len) {
    memset(t, 0, sizeof *t);
    t->text = text;
    t->len = len;
    const unsigned char *u = (const unsigned char *)text;
    size_t cap = 0;
    struct dw_buf f;
    dw_buf_init(&f, 4 * len + 16);
    uint32_t sent = 0;
    size_t last_word = 0;
    for (size_t i = 0; i < len;) {
        size_t sep = separator_len(u + i, len - i);
        if (sep) {
            if (sentence_end(u, len, i, last_word))
                sent++;
            i += sep;
            continue;
        }
        size_t j = i;
        while (j < len && !separator_len(u + j, len - j))
            j += char_len(u + j, len - j);
        if (DW_GROW(t->tok, cap, t->n + 1) < 0)
            goto oom;
        struct dw_ptoken *k = &t->tok[t->n++];
        k->start = i;
        k->end = j;
        k->fold = f.len;
        if (fold_word(u + i, j - i, &f) < 0 || dw_buf_append(&f, "", 1) < 0)
            goto oom;
        k->flen = f.len - 1 - k->fold;
        k->sent = sent;
        k->num = -1;
        if (j - i <= 9) {
            int64_t v = 0;
            size_t d = i;
            while (d < j && u[d] >= '0' && u[d] <= '9')
                v = v * 10 + (u[d++] - '0');
            if (d == j)
                k->num = v;
        }
        last_word = j - i;
        i = j;
    }
    if (dw_buf_append(&f, "", 0) < 0)
        goto oom;
    t->folded = dw_buf_steal(&f);
    return 0;
oom:
    dw_buf_release(&f);
    free(t->tok);
    t->tok = NULL;
    t->n = 0;
    return -DW_ENOMEM;
}

void dw_ptext_release(struct dw_ptext *t) {
    free(t->tok);
    free(t->folded);
    memset(t, 0, sizeof *t);
}

bool dw_ptoken_is(const struct dw_ptext *t, size_t i, const char *w) {
    return i < t->n && strlen(w) == t->tok[i].flen &&
           memcmp(t->folded + t->tok[i].fold, w, t->tok[i].flen) == 0;
}

bool dw_ptoken_prefix(const struct dw_ptext *t, size_t i, const char *w) {
    size_t n = strlen(w);
    return i < t->n && n <= t->tok[i].flen && memcmp(t->folded + t->tok[i].fold, w, n) == 0;
}

/* ---- patterns ----------------------------------------------------------------------- */

enum ekind { E_WORD, E_NUM, E_GAP, E_NOT };
struct alt {
    uint32_t off; /* into pool */
    bool prefix;
};
struct elem {
    enum ekind kind;
    int64_t gt;    /* E_NUM: the number must be above this */
    int gap;       /* E_GAP */
    size_t a0, na; /* alternatives alts[a0 .. a0 + na) */
};
struct dw_phrase {
    struct elem e[DW_PHRASE_MAX_ELEMS];
    size_t n;
    struct alt alts[MAX_ALTS];
    size_t nalts;
    char *pool;
};

static bool word_bytes(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += char_len(u + i, n - i))
        if (separator_len(u + i, n - i))
            return false;
    return n > 0;
}

/* Alternatives "a|b*|c" of s[0..n) into p; -DW_EINVAL with the message in err. */
static int parse_alts(struct dw_phrase *p, struct elem *el, const char *s, size_t n,
                      struct dw_buf *pool, struct dw_error *err) {
    el->a0 = p->nalts;
    el->na = 0;
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        size_t wl = j - i;
        bool prefix = wl > 0 && s[i + wl - 1] == '*';
        if (prefix)
            wl--;
        if (!word_bytes(s + i, wl))
            return dw_error_set(err, -DW_EINVAL,
                                "'%.*s': an alternative must be one word of letters and digits "
                                "(write separate words apart), optionally ending in '*'",
                                (int)(j - i), s + i);
        if (p->nalts == MAX_ALTS)
            return dw_error_set(err, -DW_EINVAL, "more than %d alternatives in one pattern",
                                MAX_ALTS);
        p->alts[p->nalts] = (struct alt){(uint32_t)pool->len, prefix};
        if (fold_word((const unsigned char *)s + i, wl, pool) < 0 || dw_buf_append(pool, "", 1) < 0)
            return -DW_ENOMEM;
        p->nalts++;
        el->na++;
        i = j + 1;
    }
    return 0;
}

int dw_phrase_compile(const char *pattern, struct dw_phrase **ret, size_t *ret_col,
                      struct dw_error *err) {
    *ret = NULL;
    *ret_col = 0;
    size_t len = strlen(pattern);
    if (len > DW_PHRASE_MAX_LEN)
        return dw_error_set(err, -DW_EINVAL, "a pattern may be at most %d bytes",
                            DW_PHRASE_MAX_LEN);
    struct dw_phrase *p = calloc(1, sizeof *p);
    if (!p)
        return -DW_ENOMEM;
    struct dw_buf pool;
    dw_buf_init(&pool, 4 * DW_PHRASE_MAX_LEN);
    int r = 0;
    size_t i = 0, last_consuming = SIZE_MAX;
    while (r == 0) {
        while (i < len && (pattern[i] == ' ' || pattern[i] == '\t'))
            i++;
        if (i == len)
            break;
        size_t j = i;
        while (j < len && pattern[j] != ' ' && pattern[j] != '\t')
            j++;
        *ret_col = i;
        const char *s = pattern + i;
        size_t n = j - i;
        if (p->n == DW_PHRASE_MAX_ELEMS) {
            r = dw_error_set(err, -DW_EINVAL, "more than %d elements in one pattern",
                             DW_PHRASE_MAX_ELEMS);
            break;
        }
        struct elem *el = &p->e[p->n];
        if (s[0] == '~') {
            el->kind = E_GAP;
            if (n != 2 || s[1] < '1' || s[1] > '0' + MAX_GAP)
                r = dw_error_set(err, -DW_EINVAL, "'%.*s': a gap is ~1 .. ~%d", (int)n, s, MAX_GAP);
            else if (p->n == 0)
                r = dw_error_set(err, -DW_EINVAL, "a pattern cannot start with a gap");
            el->gap = s[1] - '0';
        } else if (s[0] == '>') {
            el->kind = E_NUM;
            int64_t v = 0;
            size_t d = 1;
            while (d < n && d < 10 && s[d] >= '0' && s[d] <= '9')
                v = v * 10 + (s[d++] - '0');
            if (d == 1 || d != n)
                r = dw_error_set(err, -DW_EINVAL, "'%.*s': a number is >N (above N, digits)",
                                 (int)n, s);
            el->gt = v;
            last_consuming = p->n;
        } else if (s[0] == '!') {
            el->kind = E_NOT;
            if (p->n == 0)
                r = dw_error_set(err, -DW_EINVAL, "a pattern cannot start with '!'");
            else
                r = parse_alts(p, el, s + 1, n - 1, &pool, err);
        } else {
            el->kind = E_WORD;
            r = parse_alts(p, el, s, n, &pool, err);
            last_consuming = p->n;
        }
        p->n++;
        i = j;
    }
    if (r == 0 && last_consuming == SIZE_MAX)
        r = dw_error_set(err, -DW_EINVAL, "a pattern needs at least one word");
    if (r == 0)
        for (size_t k = last_consuming + 1; k < p->n; k++)
            if (p->e[k].kind == E_GAP) {
                r = dw_error_set(err, -DW_EINVAL, "a pattern cannot end with a gap");
                break;
            }
    if (r == 0 && (r = dw_buf_append(&pool, "", 0)) == 0)
        p->pool = dw_buf_steal(&pool);
    if (r < 0) {
        dw_buf_release(&pool);
        free(p);
        return r;
    }
    *ret = p;
    return 0;
}

void dw_phrase_free(struct dw_phrase *p) {
    if (p)
        free(p->pool);
    free(p);
}

static bool alt_match(const struct dw_phrase *p, const struct elem *el, const struct dw_ptext *t,
                      size_t i) {
    for (size_t a = el->a0; a < el->a0 + el->na; a++) {
        const char *w = p->pool + p->alts[a].off;
        if (p->alts[a].prefix ? dw_ptoken_prefix(t, i, w) : dw_ptoken_is(t, i, w))
            return true;
    }
    return false;
}

/* Elements e.. from token i within sentence s; *ret_end one past the last consumed. */
static bool match_from(const struct dw_phrase *p, size_t e, const struct dw_ptext *t, size_t i,
                       uint32_t s, size_t *ret_end) {
    if (e == p->n) {
        *ret_end = i;
        return true;
    }
    const struct elem *el = &p->e[e];
    bool here = i < t->n && t->tok[i].sent == s;
    switch (el->kind) {
    case E_WORD:
        return here && alt_match(p, el, t, i) && match_from(p, e + 1, t, i + 1, s, ret_end);
    case E_NUM:
        return here && t->tok[i].num >= 0 && t->tok[i].num > el->gt &&
               match_from(p, e + 1, t, i + 1, s, ret_end);
    case E_NOT:
        if (here && alt_match(p, el, t, i))
            return false;
        if (!match_from(p, e + 1, t, i, s, ret_end))
            return false;
        return true;
    case E_GAP:
        for (int k = 0; k <= el->gap; k++) {
            if (k > 0 && !(i + k - 1 < t->n && t->tok[i + k - 1].sent == s))
                break;
            if (match_from(p, e + 1, t, i + k, s, ret_end))
                return true;
        }
        return false;
    }
    return false;
}

bool dw_phrase_match(const struct dw_phrase *p, const struct dw_ptext *t, size_t from,
                     size_t *ret_t0, size_t *ret_t1) {
    for (size_t i = from; p && i < t->n; i++) {
        size_t end;
        if (match_from(p, 0, t, i, t->tok[i].sent, &end)) {
            /* trailing '!' checks consume nothing: the match ends at the last word */
            *ret_t0 = i;
            *ret_t1 = end;
            return true;
        }
    }
    return false;
}

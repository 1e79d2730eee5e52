/* Time, money, ids, hashing and JSON helpers. Money never touches a binary float: parsing
 * and rounding are integer arithmetic with 128-bit intermediates. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <time.h>

#include <sodium.h>

#include "base.h"

/* ---- time --------------------------------------------------------------------------- */

int64_t dw_days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void dw_civil_from_days(int64_t z, int *ret_y, unsigned *ret_m, unsigned *ret_d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *ret_y = (int)(y + (m <= 2));
    *ret_m = m;
    *ret_d = d;
}

static bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
static unsigned mdays(int y, unsigned m) {
    static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

static int digits(const char **p, int n, int *ret) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -DW_EPARSE;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *ret = v;
    return 0;
}

int dw_time_parse(const char *s, dw_time_t *ret) {
    int y, mo, d, h = 0, mi = 0, se = 0;
    const char *p = s;
    if (!s || digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
        digits(&p, 2, &d) < 0)
        return -DW_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays(y, (unsigned)mo))
        return -DW_EPARSE;
    int64_t off = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
            return -DW_EPARSE;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &se) < 0)
                return -DW_EPARSE;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return -DW_EPARSE;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -DW_EPARSE;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 || oh > 23 ||
                om > 59)
                return -DW_EPARSE;
            off = sign * (oh * 3600 + om * 60);
        } else {
            return -DW_EPARSE; /* a time without a zone is ambiguous */
        }
    }
    if (*p)
        return -DW_EPARSE;
    if (se == 60)
        se = 59; /* leap second: clamp */
    *ret = dw_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
    return 0;
}

const char *dw_time_format(dw_time_t t, char *buf, size_t size) {
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t sec = t - days * 86400;
    int y;
    unsigned m, d;
    dw_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999 && size >= 21) { /* the usual case, without printf's cost */
        char *p = buf;
        int v[6] = {y, (int)m, (int)d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60)};
        static const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
        *p++ = (char)('0' + y / 1000);
        *p++ = (char)('0' + y / 100 % 10);
        for (int i = 0; i < 6; i++) {
            int x = i ? v[i] : y % 100;
            *p++ = (char)('0' + x / 10);
            *p++ = (char)('0' + x % 10);
            *p++ = sep[i];
        }
        *p = '\0';
        return buf;
    }
    snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
    return buf;
}

const char *dw_date_format(dw_time_t t, char *buf, size_t size) {
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int y;
    unsigned m, d;
    dw_civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04d-%02u-%02u", y, m, d);
    return buf;
}

int dw_weekday(dw_time_t t) {
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

dw_time_t dw_clock_now(const struct dw_clock *c) {
    return c && c->pin ? c->pin : (dw_time_t)time(NULL);
}

int64_t dw_monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- money -------------------------------------------------------------------------- */

int dw_money_parse(const char *s, int ndigits, int64_t *ret) {
    if (!s || ndigits < 0 || ndigits > 6)
        return -DW_EINVAL;
    const char *p = s;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (!isdigit((unsigned char)*p))
        return -DW_EPARSE;
    __int128 v = 0;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > INT64_MAX)
            return -DW_ETOOBIG;
    }
    int frac = 0;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -DW_EPARSE;
        while (isdigit((unsigned char)*p)) {
            if (++frac > ndigits)
                return -DW_EPARSE; /* more precision than the currency has */
            v = v * 10 + (*p++ - '0');
        }
    }
    if (*p)
        return -DW_EPARSE;
    for (; frac < ndigits; frac++)
        v *= 10;
    if (v > INT64_MAX)
        return -DW_ETOOBIG;
    *ret = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* Written out by hand, as snprintf("%s%" PRIu64 ".%s") wrote it (cut to size the same way):
 * the extractor formats every budget it reads, and snprintf() cost more than the rest of the
 * budget's JSON. */
const char *dw_money_format(int64_t minor, int ndigits, char *buf, size_t size) {
    uint64_t u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < ndigits; i++)
        scale *= 10;
    char tmp[64], *end = tmp + sizeof tmp, *p = end; /* written backwards from the end */
    uint64_t whole = u;
    if (ndigits > 0) {
        uint64_t f = u % scale;
        for (int i = 0; i < ndigits && i < 32; i++, f /= 10)
            *--p = (char)('0' + f % 10);
        *--p = '.';
        whole = u / scale;
    }
    do {
        *--p = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    if (minor < 0)
        *--p = '-';
    if (size) {
        size_t n = (size_t)(end - p) < size - 1 ? (size_t)(end - p) : size - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
    }
    return buf;
}

int dw_muldiv_half_even(int64_t a, int64_t b, int64_t c, int64_t *ret) {
    if (c <= 0)
        return -DW_EINVAL;
    __int128 n = (__int128)a * b;
    bool neg = n < 0;
    if (neg)
        n = -n;
    __int128 q = n / c, r = n % c;
    if (2 * r > c || (2 * r == c && (q & 1)))
        q++;
    if (neg)
        q = -q;
    if (q > INT64_MAX || q < INT64_MIN)
        return -DW_ETOOBIG;
    *ret = (int64_t)q;
    return 0;
}

int dw_add_checked(int64_t a, int64_t b, int64_t *ret) {
    return __builtin_add_overflow(a, b, ret) ? -DW_ETOOBIG : 0;
}
int dw_mul_checked(int64_t a, int64_t b, int64_t *ret) {
    return __builtin_mul_overflow(a, b, ret) ? -DW_ETOOBIG : 0;
}

int dw_pct_parse(const char *s, int32_t *ret_bp) {
    char tmp[32];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof tmp)
        return -DW_EPARSE;
    memcpy(tmp, s, n + 1);
    if (tmp[n - 1] == '%')
        tmp[--n] = '\0';
    dw_strtrim(tmp);
    int64_t v;
    int r = dw_money_parse(tmp, 2, &v);
    if (r < 0)
        return r;
    if (v < 0 || v > 10000)
        return -DW_EINVAL;
    *ret_bp = (int32_t)v;
    return 0;
}

const char *dw_pct_format(int32_t bp, char *buf, size_t size) {
    if (bp % 100 == 0)
        snprintf(buf, size, "%d", bp / 100);
    else if (bp % 10 == 0)
        snprintf(buf, size, "%d.%d", bp / 100, (bp % 100) / 10);
    else
        snprintf(buf, size, "%d.%02d", bp / 100, bp % 100);
    return buf;
}

/* ---- growing arrays ----------------------------------------------------------------- */

int dw_grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    if (elem == 0 || n > PTRDIFF_MAX / elem)
        return -DW_ENOMEM;
    void *v = realloc(*p, n * elem);
    if (!v)
        return -DW_ENOMEM;
    *p = v;
    *cap = n;
    return 0;
}

/* ---- ids ---------------------------------------------------------------------------- */

const char *dw_id_format(char prefix, int64_t n, char *buf, size_t size) {
    snprintf(buf, size, "%c-%06" PRId64, prefix, n);
    return buf;
}

int dw_id_parse(char prefix, const char *s, int64_t *ret) {
    if (!s)
        return -DW_EINVAL;
    if (toupper((unsigned char)s[0]) == toupper((unsigned char)prefix) && s[1] == '-')
        s += 2;
    if (!isdigit((unsigned char)*s))
        return -DW_EINVAL;
    int64_t v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s) || v > (INT64_MAX - 9) / 10)
            return -DW_EINVAL;
        v = v * 10 + (*s - '0');
    }
    if (v <= 0)
        return -DW_EINVAL;
    *ret = v;
    return 0;
}

/* ---- hashing ------------------------------------------------------------------------ */

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct dw_sha256 *)0)->state),
               "sha256 state too small");

int dw_base_init(void) {
    return sodium_init() < 0 ? -DW_EINTERNAL : 0;
}

static void to_hex(const unsigned char *h, char out[DW_SHA256_HEX]) {
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[h[i] >> 4];
        out[2 * i + 1] = hx[h[i] & 15];
    }
    out[64] = '\0';
}

/* OpenSSL's one-shot digest uses the CPU's SHA instructions where it has them (several
 * times libsodium's portable code on an audit record or a quote). */
void dw_sha256_hex(const void *data, size_t len, char out[DW_SHA256_HEX]) {
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data, len, h, &n, EVP_sha256(), NULL) != 1 || n != crypto_hash_sha256_BYTES)
        crypto_hash_sha256(h, data, len);
    to_hex(h, out);
}

void dw_sha256_init(struct dw_sha256 *h) {
    crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)h->state);
}
void dw_sha256_update(struct dw_sha256 *h, const void *data, size_t len) {
    crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)h->state, data, len);
}
void dw_sha256_final_hex(struct dw_sha256 *h, char out[DW_SHA256_HEX]) {
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)h->state, d);
    to_hex(d, out);
}

/* ---- JSON --------------------------------------------------------------------------- */

/* The canonical text streamed into SHA-256 without building it: the same bytes as
 * dw_json_canonical() (jansson's compact dump with sorted keys: keys in byte order, '"',
 * '\\' and control characters escaped as jansson does, \u00XX in upper case), for a
 * large quote in a fraction of the time and memory. A real number (whose text jansson
 * owns) makes it give up, and the caller falls back to the dump. */
struct hstream {
    EVP_MD_CTX *h; /* the digest the text goes into, or NULL: into text below */
    bool in_order; /* members in their order, as jansson's unsorted dump */
    char *text;    /* the text written out (dw_json_canonical), NUL-terminated */
    size_t len, cap;
    bool oom;
    size_t n;
    char buf[8192];
};

static void hs_flush(struct hstream *s, const char *p, size_t n) {
    if (s->h) {
        EVP_DigestUpdate(s->h, p, n);
        return;
    }
    if (s->oom)
        return;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *t = realloc(s->text, cap);
        if (!t) {
            s->oom = true;
            return;
        }
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text + s->len, p, n);
    s->len += n;
    s->text[s->len] = '\0';
}

static void hs_put(struct hstream *s, const char *p, size_t n) {
    if (s->n + n > sizeof s->buf) {
        hs_flush(s, s->buf, s->n);
        s->n = 0;
        if (n > sizeof s->buf) {
            hs_flush(s, p, n);
            return;
        }
    }
    memcpy(s->buf + s->n, p, n);
    s->n += n;
}

/* Does the word hold a byte that needs escaping ('"', '\\' or a control character)? Eight
 * bytes at a time: (x - 0x01..) & ~x & 0x80.. is non-zero exactly when a byte of x is 0. */
static inline bool hs_word_escapes(uint64_t w) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
}

static void hs_string(struct hstream *s, const char *str, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    /* the usual string (a key, a name, a sentence) has nothing to escape: the quotes and
     * the bytes in one copy */
    size_t i = 0;
    bool plain = true;
    if (len >= 8) {
        uint64_t w;
        for (; i + 8 <= len && plain; i += 8) {
            memcpy(&w, str + i, sizeof w);
            plain = !hs_word_escapes(w);
        }
        if (plain && i < len) { /* the last bytes: the word that ends the string */
            memcpy(&w, str + len - 8, sizeof w);
            plain = !hs_word_escapes(w);
        }
    } else {
        for (; i < len && plain; i++)
            plain = str[i] != '"' && str[i] != '\\' && (unsigned char)str[i] >= 0x20;
    }
    if (plain && len + 2 <= sizeof s->buf) {
        if (s->n + len + 2 > sizeof s->buf) {
            hs_flush(s, s->buf, s->n);
            s->n = 0;
        }
        char *o = s->buf + s->n;
        o[0] = '"';
        memcpy(o + 1, str, len);
        o[len + 1] = '"';
        s->n += len + 2;
        return;
    }
    hs_put(s, "\"", 1);
    size_t from = 0;
    for (i = 0; i < len; i++) {
        /* plain text (nearly all of it) is skipped a word at a time */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, str + i, sizeof w);
            if (hs_word_escapes(w))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = (unsigned char)str[i];
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        hs_put(s, str + from, i - from);
        from = i + 1;
        char esc[6] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        hs_put(s, esc, n);
    }
    hs_put(s, str + from, len - from);
    hs_put(s, "\"", 1);
}

struct member {
    const char *key;
    const json_t *value;
};

static int cmp_member(const void *a, const void *b) {
    return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

static int hs_value(struct hstream *s, const json_t *j, int depth) {
    if (depth > 1000)
        return -1;
    switch (json_typeof(j)) {
    case JSON_NULL:
        hs_put(s, "null", 4);
        return 0;
    case JSON_TRUE:
        hs_put(s, "true", 4);
        return 0;
    case JSON_FALSE:
        hs_put(s, "false", 5);
        return 0;
    case JSON_INTEGER: { /* what "%lld" prints, without printf's cost */
        char b[24];
        size_t i = sizeof b;
        json_int_t v = json_integer_value(j);
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        do {
            b[--i] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            b[--i] = '-';
        hs_put(s, b + i, sizeof b - i);
        return 0;
    }
    case JSON_STRING:
        hs_string(s, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_ARRAY: {
        hs_put(s, "[", 1);
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                hs_put(s, ",", 1);
            if (hs_value(s, json_array_get(j, i), depth + 1) < 0)
                return -1;
        }
        hs_put(s, "]", 1);
        return 0;
    }
    case JSON_OBJECT: {
        /* the members with their values (no lookup per key afterwards), sorted by key */
        size_t n = json_object_size(j), k = 0;
        struct member small[32], *m = n <= 32 ? small : malloc(n * sizeof *m);
        if (!m)
            return -1;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v) {
            if (k < n)
                m[k++] = (struct member){key, v};
        }
        if (s->in_order) {
            /* as they are */
        } else if (k > 32) {
            qsort(m, k, sizeof *m, cmp_member);
        } else { /* insertion sort: quicker than qsort for an object's handful of keys */
            for (size_t x = 1; x < k; x++) {
                struct member t = m[x];
                size_t y = x;
                for (; y > 0 && strcmp(m[y - 1].key, t.key) > 0; y--)
                    m[y] = m[y - 1];
                m[y] = t;
            }
        }
        hs_put(s, "{", 1);
        int r = 0;
        for (size_t i = 0; i < k && r == 0; i++) {
            if (i)
                hs_put(s, ",", 1);
            hs_string(s, m[i].key, strlen(m[i].key));
            hs_put(s, ":", 1);
            r = hs_value(s, m[i].value, depth + 1);
        }
        hs_put(s, "}", 1);
        if (m != small)
            free(m);
        return r;
    }
    default: /* reals: jansson's own number text */
        return -1;
    }
}

/* The canonical text: written by the stream above (a third of jansson's sorted dump's time
 * on a step's audit record), jansson's dump when a real number makes it give up. */
static char *write_json(const json_t *j, bool in_order) {
    struct hstream st; /* not zeroed: buf is written before it is read */
    st.h = NULL;
    st.in_order = in_order;
    st.text = NULL;
    st.len = st.cap = st.n = 0;
    st.oom = false;
    if (j && hs_value(&st, j, 0) == 0) {
        hs_flush(&st, st.buf, st.n);
        if (!st.oom && st.text)
            return st.text;
    }
    free(st.text);
    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | (in_order ? 0 : JSON_SORT_KEYS));
}

char *dw_json_canonical(const json_t *j) {
    return write_json(j, false);
}

char *dw_json_compact(const json_t *j) {
    return write_json(j, true);
}

void dw_json_hash(const json_t *j, char out[DW_SHA256_HEX]) {
    struct hstream st;
    st.n = 0;
    st.text = NULL;
    st.in_order = false;
    st.h = EVP_MD_CTX_new();
    if (j && st.h && EVP_DigestInit_ex(st.h, EVP_sha256(), NULL) == 1 && hs_value(&st, j, 0) == 0) {
        unsigned char d[32];
        unsigned int dn = 0;
        EVP_DigestUpdate(st.h, st.buf, st.n);
        EVP_DigestFinal_ex(st.h, d, &dn);
        EVP_MD_CTX_free(st.h);
        to_hex(d, out);
        return;
    }
    EVP_MD_CTX_free(st.h);
    char *s = dw_json_canonical(j);
    dw_sha256_hex(s ? s : "", s ? strlen(s) : 0, out);
    free(s);
}

const char *dw_json_str(const json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t dw_json_int(const json_t *obj, const char *key, int64_t def) {
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

bool dw_json_bool(const json_t *obj, const char *key, bool def) {
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

json_t *dw_json_money(int64_t minor, int ndigits) {
    char buf[40];
    /* digits, a point and perhaps a minus: ASCII, nothing for jansson to check */
    return json_string_nocheck(dw_money_format(minor, ndigits, buf, sizeof buf));
}

int dw_json_set(json_t *obj, const char *key, json_t *value) {
    if (!value)
        return -DW_ENOMEM;
    return json_object_set_new(obj, key, value) == 0 ? 0 : -DW_ENOMEM;
}

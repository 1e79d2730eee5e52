/* CEL timestamps, durations and time zones.
 *
 * A timestamp is seconds since the epoch plus nanoseconds, between 0001-01-01 and
 * 9999-12-31T23:59:59.999999999Z. A duration is a signed count of nanoseconds (about
 * ±292 years); arithmetic past either range is a "range" error, as the conformance tests
 * expect. Time zones are IANA names read from the system's TZif files
 * (/usr/share/zoneinfo, Debian's tzdata) — including the POSIX rule at the end of the file
 * for instants past the last transition — or fixed offsets "+02:00", "-09:30", "02:00". */
#include "rules/cel_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>

#include <pthread.h>

/* ---- timestamps -------------------------------------------------------------------------- */

static int digits(const char *s, size_t n, size_t at, int count, int *out) {
    int v = 0;
    for (int k = 0; k < count; k++) {
        if (at + (size_t)k >= n || s[at + k] < '0' || s[at + k] > '9')
            return -1;
        v = v * 10 + (s[at + k] - '0');
    }
    *out = v;
    return 0;
}

int cel_ts_parse(const char *s, size_t n, int64_t *sec, int32_t *nsec) {
    int Y, M, D, h, m, sc;
    if (n < 20 || digits(s, n, 0, 4, &Y) || s[4] != '-' || digits(s, n, 5, 2, &M) || s[7] != '-' ||
        digits(s, n, 8, 2, &D) || (s[10] != 'T' && s[10] != 't') || digits(s, n, 11, 2, &h) ||
        s[13] != ':' || digits(s, n, 14, 2, &m) || s[16] != ':' || digits(s, n, 17, 2, &sc))
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sc > 60)
        return -1;
    bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M == 2 && D == 29 && !leap)
        return -1;
    if (sc == 60)
        sc = 59; /* a leap second reads as the second before it, as protobuf does */
    size_t i = 19;
    int32_t ns = 0;
    if (i < n && s[i] == '.') {
        i++;
        int nd = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nd < 9)
                ns = ns * 10 + (s[i] - '0');
            nd++;
            i++;
        }
        if (nd == 0)
            return -1;
        for (int k = nd; k < 9; k++)
            ns *= 10;
    }
    int off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
            digits(s, n, i + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return -1;
    }
    if (i != n)
        return -1;
    int64_t t =
        dw_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sc - off;
    if (t < CEL_TS_MIN || t > CEL_TS_MAX)
        return -2;
    *sec = t;
    *nsec = ns;
    return 0;
}

size_t cel_ts_format(int64_t sec, int32_t nsec, char *buf, size_t size) {
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    int64_t rem = sec - days * 86400;
    int y;
    unsigned mo, d;
    dw_civil_from_days(days, &y, &mo, &d);
    int n = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d", y, mo, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60));
    if (nsec) {
        char frac[16];
        snprintf(frac, sizeof(frac), "%09d", nsec);
        for (int k = 8; k > 0 && frac[k] == '0'; k--)
            frac[k] = 0;
        n += snprintf(buf + n, size - (size_t)n, ".%s", frac);
    }
    n += snprintf(buf + n, size - (size_t)n, "Z");
    return (size_t)n;
}

/* ---- durations --------------------------------------------------------------------------- */

/* "1h30m", "-1.5s", "300ms", "2us", "1µs", "10ns": Go's duration syntax. */
int cel_dur_parse(const char *s, size_t n, int64_t *ns) {
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == n)
        return -1;
    if (n - i == 1 && s[i] == '0') {
        *ns = 0;
        return 0;
    }
    /* accumulate in 128 bits so 320000000000s reads as out of range, not as garbage */
    __int128 total = 0;
    const __int128 limit = (__int128)INT64_MAX + 1;
    while (i < n) {
        __int128 whole = 0, frac = 0, scale = 1;
        size_t d0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            whole = whole * 10 + (s[i++] - '0');
            if (whole > limit)
                return -2;
        }
        bool any = i > d0;
        if (i < n && s[i] == '.') {
            i++;
            size_t f0 = i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (scale < (__int128)1000000000000000000LL) {
                    frac = frac * 10 + (s[i] - '0');
                    scale *= 10;
                }
                i++;
            }
            any = any || i > f0;
        }
        if (!any)
            return -1;
        size_t u0 = i;
        while (i < n && !(s[i] >= '0' && s[i] <= '9') && s[i] != '.')
            i++;
        size_t ul = i - u0;
        int64_t unit;
#define U(t) (ul == strlen(t) && memcmp(s + u0, t, ul) == 0)
        if (U("ns"))
            unit = 1;
        else if (U("us") || U("\xc2\xb5s") || U("\xce\xbcs"))
            unit = 1000;
        else if (U("ms"))
            unit = 1000000;
        else if (U("s"))
            unit = 1000000000;
        else if (U("m"))
            unit = 60LL * 1000000000;
        else if (U("h"))
            unit = 3600LL * 1000000000;
        else
            return -1;
#undef U
        total += whole * unit + frac * unit / scale;
        if (total > limit)
            return -2;
    }
    if (neg)
        total = -total;
    if (total > INT64_MAX || total < INT64_MIN)
        return -2;
    *ns = (int64_t)total;
    return 0;
}

size_t cel_dur_format(int64_t ns, char *buf, size_t size) {
    uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    uint64_t sec = a / 1000000000u, frac = a % 1000000000u;
    int n = snprintf(buf, size, "%s%" PRIu64, ns < 0 ? "-" : "", sec);
    if (frac) {
        char f[16];
        snprintf(f, sizeof(f), "%09" PRIu64, frac);
        for (int k = 8; k > 0 && f[k] == '0'; k--)
            f[k] = 0;
        n += snprintf(buf + n, size - (size_t)n, ".%s", f);
    }
    n += snprintf(buf + n, size - (size_t)n, "s");
    return (size_t)n;
}

/* ---- time zones -------------------------------------------------------------------------- */

struct tz_rule {              /* POSIX TZ "CET-1CEST,M3.5.0,M10.5.0/3" */
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    int sm, sw, sd, st; /* start: month, week, weekday, seconds after local midnight */
    int em, ew, ed, et;
};

struct tz {
    char name[64];
    int64_t *trans;   /* transition instants */
    uint8_t *idx;     /* type index per transition */
    int32_t *offsets; /* per type */
    size_t n_trans, n_types;
    bool has_rule;
    struct tz_rule rule;
};

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static int64_t be64(const unsigned char *p) {
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static const char *rule_name(const char *p) {
    if (*p == '<') {
        while (*p && *p != '>')
            p++;
        return *p ? p + 1 : p;
    }
    while (*p && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
        p++;
    return p;
}

/* "[+-]hh[:mm[:ss]]" west of UTC, returned as seconds east. */
static const char *rule_offset(const char *p, int32_t *off) {
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int h = 0, m = 0, s = 0;
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        h = h * 10 + (*p++ - '0');
    if (*p == ':') {
        p++;
        while (*p >= '0' && *p <= '9')
            m = m * 10 + (*p++ - '0');
        if (*p == ':') {
            p++;
            while (*p >= '0' && *p <= '9')
                s = s * 10 + (*p++ - '0');
        }
    }
    *off = -sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *rule_date(const char *p, int *mo, int *wk, int *wd, int *secs) {
    if (*p != 'M')
        return NULL; /* Jn and n forms are not used by current tzdata */
    p++;
    *mo = (int)strtol(p, (char **)&p, 10);
    if (*p++ != '.')
        return NULL;
    *wk = (int)strtol(p, (char **)&p, 10);
    if (*p++ != '.')
        return NULL;
    *wd = (int)strtol(p, (char **)&p, 10);
    *secs = 7200;
    if (*p == '/') {
        int32_t off;
        p = rule_offset(p + 1, &off);
        if (!p)
            return NULL;
        *secs = -off;
    }
    if (*mo < 1 || *mo > 12 || *wk < 1 || *wk > 5 || *wd < 0 || *wd > 6)
        return NULL;
    return p;
}

static bool parse_rule(const char *s, struct tz_rule *r) {
    memset(r, 0, sizeof(*r));
    const char *p = rule_name(s);
    if (p == s)
        return false;
    p = rule_offset(p, &r->std_off);
    if (!p)
        return false;
    if (!*p)
        return true;
    const char *q = rule_name(p);
    if (q == p)
        return false;
    p = q;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        p = rule_offset(p, &r->dst_off);
        if (!p)
            return false;
    }
    if (*p++ != ',')
        return false;
    p = rule_date(p, &r->sm, &r->sw, &r->sd, &r->st);
    if (!p || *p++ != ',')
        return false;
    p = rule_date(p, &r->em, &r->ew, &r->ed, &r->et);
    if (!p)
        return false;
    r->has_dst = true;
    return true;
}

/* Local-midnight day number of the w-th weekday d of month m in year y (w = 5: last). */
static int64_t rule_day(int y, int m, int w, int d) {
    int64_t first = dw_days_from_civil(y, (unsigned)m, 1);
    int wd_first = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    int64_t day = first + (d - wd_first + 7) % 7 + (int64_t)(w - 1) * 7;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int len = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    while (day >= first + len)
        day -= 7;
    return day;
}

static int32_t rule_offset_at(const struct tz_rule *r, int64_t t) {
    if (!r->has_dst)
        return r->std_off;
    int64_t days =
        (t + r->std_off) >= 0 ? (t + r->std_off) / 86400 : -((-(t + r->std_off) + 86399) / 86400);
    int y;
    unsigned mo, d;
    dw_civil_from_days(days, &y, &mo, &d);
    /* start is given in standard local time, end in daylight local time */
    int64_t start = rule_day(y, r->sm, r->sw, r->sd) * 86400 + r->st - r->std_off;
    int64_t end = rule_day(y, r->em, r->ew, r->ed) * 86400 + r->et - r->dst_off;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

static void tz_free(struct tz *z) {
    if (!z)
        return;
    free(z->trans);
    free(z->idx);
    free(z->offsets);
    free(z);
}

static struct tz *tz_load(const char *name) {
    char path[256];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    char *data = NULL;
    size_t len = 0;
    if (dw_read_file(path, 1 << 20, &data, &len, NULL) < 0)
        return NULL;
    const unsigned char *d = (const unsigned char *)data;
    struct tz *z = NULL;
    if (len < 44 || memcmp(d, "TZif", 4) != 0)
        goto out;
    /* skip the 32-bit block, read the 64-bit one (version 2+) */
    size_t v1 = 44 + be32(d + 32) * 5 + be32(d + 36) * 6 + be32(d + 40) + be32(d + 28) * 8 +
                be32(d + 24) + be32(d + 20);
    if (d[4] < '2' || v1 + 44 > len)
        goto out;
    const unsigned char *h = d + v1;
    if (memcmp(h, "TZif", 4) != 0)
        goto out;
    uint32_t isutc = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28),
             timecnt = be32(h + 32), typecnt = be32(h + 36), charcnt = be32(h + 40);
    size_t body =
        (size_t)timecnt * 9 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 12 + isstd + isutc;
    if (typecnt == 0 || typecnt > 256 || v1 + 44 + body > len)
        goto out;
    z = calloc(1, sizeof(*z));
    if (!z)
        goto out;
    snprintf(z->name, sizeof(z->name), "%s", name);
    z->trans = malloc((timecnt ? timecnt : 1) * sizeof(*z->trans));
    z->idx = malloc(timecnt ? timecnt : 1);
    z->offsets = malloc(typecnt * sizeof(*z->offsets));
    if (!z->trans || !z->idx || !z->offsets) {
        tz_free(z);
        z = NULL;
        goto out;
    }
    const unsigned char *p = h + 44;
    for (uint32_t i = 0; i < timecnt; i++)
        z->trans[i] = be64(p + i * 8);
    p += timecnt * 8;
    for (uint32_t i = 0; i < timecnt; i++)
        z->idx[i] = p[i] < typecnt ? p[i] : 0;
    p += timecnt;
    for (uint32_t i = 0; i < typecnt; i++)
        z->offsets[i] = (int32_t)be32(p + i * 6);
    z->n_trans = timecnt;
    z->n_types = typecnt;
    const unsigned char *foot = h + 44 + body;
    if (foot < d + len && *foot == '\n') {
        const unsigned char *e = memchr(foot + 1, '\n', (size_t)(d + len - foot - 1));
        if (e && e - foot - 1 < 64) {
            char rule[64];
            memcpy(rule, foot + 1, (size_t)(e - foot - 1));
            rule[e - foot - 1] = 0;
            z->has_rule = parse_rule(rule, &z->rule);
        }
    }
out:
    free(data);
    return z;
}

static int32_t tz_offset_at(const struct tz *z, int64_t t) {
    if (z->n_trans == 0 || t < z->trans[0]) {
        if (z->n_trans == 0 && z->has_rule)
            return rule_offset_at(&z->rule, t);
        return z->offsets[0];
    }
    if (t >= z->trans[z->n_trans - 1] && z->has_rule)
        return rule_offset_at(&z->rule, t);
    size_t lo = 0, hi = z->n_trans; /* last transition <= t */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->offsets[z->idx[lo]];
}

/* Loaded zones are shared by every thread and kept for the life of the process: each a few
 * kilobytes, and no more of them than zone files installed (a name must load as one; names
 * that do not are not kept), so the cache needs no fixed count. Entries never move: a zone
 * handed out stays valid while the table grows. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz **tz_cache;
static size_t tz_cached, tz_cap;

static void tz_cache_free(void) {
    for (size_t i = 0; i < tz_cached; i++)
        tz_free(tz_cache[i]);
    free(tz_cache);
    tz_cache = NULL;
    tz_cached = tz_cap = 0;
}

static const struct tz *tz_get(const char *name) {
    pthread_mutex_lock(&tz_lock);
    const struct tz *found = NULL;
    for (size_t i = 0; i < tz_cached && !found; i++)
        if (strcmp(tz_cache[i]->name, name) == 0)
            found = tz_cache[i];
    if (!found) {
        struct tz *z = tz_load(name);
        if (z && tz_cached == tz_cap) {
            size_t cap = tz_cap ? tz_cap * 2 : 32;
            struct tz **grown = realloc(tz_cache, cap * sizeof *grown);
            if (grown) {
                tz_cache = grown;
                tz_cap = cap;
            }
        }
        if (z && tz_cached < tz_cap) {
            if (tz_cached == 0)
                atexit(tz_cache_free);
            tz_cache[tz_cached++] = z;
            found = z;
        } else
            tz_free(z);
    }
    pthread_mutex_unlock(&tz_lock);
    return found;
}

int cel_tz_offset(const char *tz, size_t n, int64_t sec, int32_t *ret_offset) {
    if (n == 0 || n >= 64)
        return -1;
    char name[64];
    memcpy(name, tz, n);
    name[n] = 0;
    /* fixed offsets: "+02:00", "-09:30", "02:00" */
    const char *p = name;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (strlen(p) == 5 && p[2] == ':' && isdigit((unsigned char)p[0]) &&
        isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[3]) &&
        isdigit((unsigned char)p[4])) {
        int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
        if (h > 23 || m > 59)
            return -1;
        *ret_offset = sign * (h * 3600 + m * 60);
        return 0;
    }
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0) {
        *ret_offset = 0;
        return 0;
    }
    /* an IANA name: letters, digits, '_', '-', '+', '/', no "..", no leading '/' */
    if (name[0] == '/' || strstr(name, ".."))
        return -1;
    for (const char *q = name; *q; q++)
        if (!isalnum((unsigned char)*q) && !strchr("_-+/", *q))
            return -1;
    const struct tz *z = tz_get(name);
    if (!z)
        return -1;
    *ret_offset = tz_offset_at(z, sec);
    return 0;
}

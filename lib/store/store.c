/* store — the backend-independent part of the store: choosing a backend from a URL and the
 * names of deal stages.
 *
 * Backends are a registry table by URL scheme (git's refs_backends[] pattern): adding
 * PostgreSQL is one folder and one row here (docs/internals/store.md, "Adding a store
 * backend"). Everything else goes straight through s->ops.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "store.h"

/* The registry. ops NULL: the scheme is reserved for a backend this version does not have,
 * so that a URL meant for it is refused as such rather than taken for a file name. whole:
 * the backend's location is the URL itself, scheme included (libpq parses its own URIs). */
static const struct {
    const char *scheme;
    const struct dw_store_ops *ops;
    bool whole;
} backends[] = {
    {"sqlite", &dw_store_sqlite_ops, false},
    {"postgres", &dw_store_postgres_ops, true},
    {"postgresql", &dw_store_postgres_ops, true},
};

static const char *const stage_names[DW__STAGE_MAX] = {
#define DW__STAGE_NAME(e, s) [DW_STAGE_##e] = s,
    DW_STAGE_LIST(DW__STAGE_NAME)
#undef DW__STAGE_NAME
};

const char *dw_stage_name(enum dw_stage s) {
    return (unsigned)s < DW__STAGE_MAX ? stage_names[s] : "unknown";
}

int dw_stage_parse(const char *name, enum dw_stage *ret) {
    if (!name)
        return -DW_EINVAL;
    for (int i = 0; i < DW__STAGE_MAX; i++)
        if (strcmp(stage_names[i], name) == 0) {
            *ret = (enum dw_stage)i;
            return 0;
        }
    return -DW_EINVAL;
}

/* The length of the scheme url starts with ("sqlite" of "sqlite:x"), or 0 when it is a
 * path: RFC 3986's scheme letters, at least two (so that "C:" or ":memory:" is a path). */
static size_t scheme_len(const char *url) {
    size_t n = 0;
    if (!isalpha((unsigned char)url[0]))
        return 0;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    return url[n] == ':' && n >= 2 ? n : 0;
}

int dw_store_url_parse(const char *url, struct dw_store_url *ret, struct dw_error *err) {
    *ret = (struct dw_store_url){0};
    if (!url || !*url)
        return dw_error_field(err, -DW_EINVAL, "db", "no database given");
    size_t n = scheme_len(url);
    if (n == 0) {
        *ret = (struct dw_store_url){"sqlite", &dw_store_sqlite_ops, url};
        return 0;
    }
    for (size_t i = 0; i < DW_ARRAY_SIZE(backends); i++) {
        if (strlen(backends[i].scheme) != n || strncasecmp(url, backends[i].scheme, n) != 0)
            continue;
        if (!backends[i].ops)
            return dw_error_field(err, -DW_EINVAL, "db",
                                  "the %s store backend is not built in this version of "
                                  "dealwright (SQLite is: --db PATH or sqlite:PATH)",
                                  backends[i].scheme);
        const char *loc = url + n + 1;
        if (backends[i].whole) {
            /* postgres://[USER@]HOST[:PORT][/DB][?PARAMS], for libpq as written */
            if (strncmp(loc, "//", 2) != 0 || !loc[2])
                return dw_error_field(err, -DW_EINVAL, "db",
                                      "a %s URL is %s://USER@HOST:PORT/DATABASE",
                                      backends[i].scheme, backends[i].scheme);
            *ret = (struct dw_store_url){backends[i].scheme, backends[i].ops, url};
            return 0;
        }
        /* sqlite:///abs/path is /abs/path; a host (sqlite://host/x) means nothing here */
        if (strncmp(loc, "//", 2) == 0) {
            if (loc[2] != '/')
                return dw_error_field(err, -DW_EINVAL, "db",
                                      "'%s': a %s URL has no host (%s:///abs/path or "
                                      "%s:relative/path)",
                                      url, backends[i].scheme, backends[i].scheme,
                                      backends[i].scheme);
            loc += 2;
        }
        if (!*loc)
            return dw_error_field(err, -DW_EINVAL, "db", "'%s' names no database", url);
        *ret = (struct dw_store_url){backends[i].scheme, backends[i].ops, loc};
        return 0;
    }
    return dw_error_field(err, -DW_EINVAL, "db",
                          "'%.*s' is not a store backend (sqlite, postgres, or a path; ./%s "
                          "for a file whose name has a colon)",
                          (int)n, url, url);
}

int dw_store_open(const char *url, const struct dw_clock *clock, struct dw_store **ret,
                  struct dw_error *err) {
    struct dw_store_url u;
    int r = dw_store_url_parse(url, &u, err);
    if (r < 0)
        return r;
    struct dw_store *s = NULL;
    if ((r = u.ops->open(u.location, &s, err)) < 0)
        return r;
    s->clock = clock;
    *ret = s;
    return 0;
}

void dw_store_close(struct dw_store *s) {
    if (s)
        s->ops->close(s);
}

/* Helpers shared by the unit tests. Header-only: each test module is a binary of its own. */
#ifndef DW_TESTUTIL_H
#define DW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay);                                                                    \
        if (!h_ || !strstr(h_, (needle)))                                                          \
            fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", (needle));                  \
    } while (0)

/* A fresh copy of the example workspace in a new folder /tmp/PREFIX-XXXXXX (its path in dir,
 * of size n); 0, or -1 when it cannot be made. */
static inline int example_copy(char *dir, size_t n, const char *prefix) {
    char cmd[1024];
    const char *root = getenv("DW_SOURCE_ROOT");
    snprintf(dir, n, "/tmp/%s-XXXXXX", prefix);
    if (!mkdtemp(dir))
        return -1;
    snprintf(cmd, sizeof cmd, "cp -r '%s/example/.' '%s/'", root ? root : ".", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Remove a folder that example_copy made; 0, or -1. */
static inline int dir_remove(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* JSON written with ' for " so that it reads well in C; a test fails on bad JSON. */
static inline json_t *js(const char *text) {
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s: %s", e.text, s);
    free(s);
    return j;
}

/* xorshift64: the property tests' fixed-seed random numbers (each keeps its own state). */
static inline uint64_t xorshift64(uint64_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#endif

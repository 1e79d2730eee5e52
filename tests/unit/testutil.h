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
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>

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

/* The messages of the tuning set (tests/data/extraction, under $DW_SOURCE_ROOT), in
 * file-name order, each a copy; their count in *ret_n. The caller frees each and the array
 * (tuning_messages_free()). The shortcut tests read them both ways; the held-out and fresh
 * sets are never read here. */
static inline char **tuning_messages(size_t *ret_n) {
    const char *root = getenv("DW_SOURCE_ROOT");
    char dir[1024], path[1536];
    snprintf(dir, sizeof dir, "%s/tests/data/extraction", root ? root : ".");
    struct dirent **names = NULL;
    int nn = scandir(dir, &names, NULL, alphasort);
    assert_true(nn > 0);
    char **msgs = calloc((size_t)nn + 1, sizeof *msgs);
    assert_non_null(msgs);
    size_t n = 0;
    for (int k = 0; k < nn; k++) {
        size_t l = strlen(names[k]->d_name);
        if (l > 5 && strcmp(names[k]->d_name + l - 5, ".json") == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, names[k]->d_name);
            json_t *j = json_load_file(path, 0, NULL);
            const char *m = json_string_value(json_object_get(j, "message"));
            if (m)
                msgs[n++] = strdup(m);
            json_decref(j);
        }
        free(names[k]);
    }
    free(names);
    *ret_n = n;
    return msgs;
}

static inline void tuning_messages_free(char **msgs, size_t n) {
    for (size_t k = 0; k < n; k++)
        free(msgs[k]);
    free(msgs);
}

#endif

/* mustache-conformance DIR: runs the core Mustache spec files in DIR (comments,
 * delimiters, interpolation, inverted, partials, sections; the optional "~" modules are
 * not supported and not run) through dw_mustache_render and compares with `expected`.
 *
 * Prints "FILE: N passed, M failed" per file, each failure with its expected and actual
 * output (as JSON strings, so whitespace is visible), and a total line. Exits 0 only when
 * every test of every file passed; a missing or malformed file counts as a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/mustache.h"

static const char *const spec_files[] = {
    "comments.json", "delimiters.json", "interpolation.json",
    "inverted.json", "partials.json",   "sections.json",
};

/* A string as a JSON literal for display; "(null)" if even that fails. */
static void print_quoted(const char *label, const char *s) {
    json_t *j = json_string(s ? s : "");
    char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    printf("    %s %s\n", label, q ? q : "(null)");
    free(q);
    json_decref(j);
}

/* Runs one test; returns true when it passed, printing the details when it did not. */
static bool run_test(const char *file, const json_t *test) {
    const char *name = dw_json_str(test, "name");
    const char *tmpl = dw_json_str(test, "template");
    const char *expected = dw_json_str(test, "expected");
    const json_t *data = json_object_get(test, "data");
    const json_t *partials = json_object_get(test, "partials");
    if (!name)
        name = "(unnamed)";
    if (!tmpl || !expected) {
        printf("  FAIL %s: %s: test has no template or expected string\n", file, name);
        return false;
    }
    struct dw_mustache_opts opts = {.partials = partials};
    struct dw_error err = {0};
    char *got = NULL;
    int r = dw_mustache_render(tmpl, json_string_length(json_object_get(test, "template")), data,
                               &opts, &got, &err);
    bool ok = r == 0 && strcmp(got, expected) == 0;
    if (!ok) {
        printf("  FAIL %s: %s\n", file, name);
        print_quoted("template:", tmpl);
        print_quoted("expected:", expected);
        if (r == 0) {
            print_quoted("got:     ", got);
        } else {
            char buf[1024];
            printf("    error:    %s (%s)\n", dw_error_format(&err, buf, sizeof buf),
                   dw_errname(r));
        }
    }
    free(got);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SPEC-DIR\n", argv[0]);
        return 2;
    }
    size_t total_pass = 0, total_fail = 0;
    for (size_t f = 0; f < DW_ARRAY_SIZE(spec_files); f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], spec_files[f]);
        json_error_t jerr;
        json_t *spec = json_load_file(path, 0, &jerr);
        const json_t *tests = json_object_get(spec, "tests");
        if (!json_is_array(tests)) {
            printf("%s: cannot load: %s\n", spec_files[f], spec ? "no \"tests\" array" : jerr.text);
            json_decref(spec);
            total_fail++;
            continue;
        }
        size_t pass = 0, fail = 0;
        for (size_t i = 0; i < json_array_size(tests); i++) {
            if (run_test(spec_files[f], json_array_get(tests, i)))
                pass++;
            else
                fail++;
        }
        printf("%s: %zu passed, %zu failed\n", spec_files[f], pass, fail);
        total_pass += pass;
        total_fail += fail;
        json_decref(spec);
    }
    printf("total: %zu passed, %zu failed\n", total_pass, total_fail);
    return total_fail == 0 && total_pass > 0 ? 0 : 1;
}

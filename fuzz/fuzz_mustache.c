/* fuzz-mustache — the Mustache parser and renderer (lib/rules/mustache.c).
 *
 * Input layout: TEMPLATE [NUL DATA-JSON [NUL PARTIALS-JSON]]. Without a NUL the whole input
 * is the template, rendered against a fixed view; a DATA or PARTIALS part that is not valid
 * JSON (or, for partials, not an object) falls back to the fixed one, so the mutator cannot
 * lose the template by breaking the JSON. The seeds (make-corpus.sh) are the spec's tests in
 * this layout.
 *
 * Checked beyond "no crash, no leak, no UB": a template dw_mustache_check() rejects must be
 * rejected by dw_mustache_render() with the same code (they share the parser), and the
 * output obeys max_output.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/mustache.h"

#define MAX_OUTPUT (1u << 20)
#define MAX_DEPTH 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *fixed_data, *fixed_partials;

static const char fixed_data_json[] =
    "{\"name\":\"Ada <&>\\\"'\",\"n\":42,\"neg\":-7,\"pi\":3.14,\"big\":1e300,\"t\":true,"
    "\"f\":false,\"nil\":null,\"empty\":[],\"emptystr\":\"\","
    "\"list\":[1,\"two\",{\"name\":\"three\"},[4],null,false],"
    "\"items\":[{\"name\":\"a\",\"items\":[{\"name\":\"b\",\"items\":[]}]}],"
    "\"obj\":{\"a\":{\"b\":{\"c\":\"deep\"}}},\"html\":\"<b>&amp;</b>\"}";

/* Includes self- and mutually recursive partials so max_depth is exercised. */
static const char fixed_partials_json[] =
    "{\"p\":\"{{name}}\",\"row\":\"- {{name}}\\n{{#items}}{{>row}}{{/items}}\","
    "\"self\":\"{{>self}}\",\"a\":\"[{{>b}}]\",\"b\":\"{{#t}}{{>a}}{{/t}}\","
    "\"bad\":\"{{#open}}\",\"indent\":\"  line\\n  {{n}}\\n\"}";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    fixed_data = json_loads(fixed_data_json, 0, NULL);
    fixed_partials = json_loads(fixed_partials_json, 0, NULL);
    if (!fixed_data || !fixed_partials)
        abort();
    return 0;
}

/* The JSON in data[0..size), or NULL. */
static json_t *load(const uint8_t *data, size_t size) {
    return json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = memchr(data, 0, size);
    size_t tmpl_len = nul ? (size_t)(nul - data) : size;
    json_t *view = NULL, *partials = NULL;
    if (nul) {
        const uint8_t *rest = nul + 1;
        size_t rest_len = size - tmpl_len - 1;
        const uint8_t *nul2 = memchr(rest, 0, rest_len);
        size_t view_len = nul2 ? (size_t)(nul2 - rest) : rest_len;
        view = load(rest, view_len);
        if (nul2) {
            partials = load(nul2 + 1, rest_len - view_len - 1);
            if (!json_is_object(partials)) {
                json_decref(partials);
                partials = NULL;
            }
        }
    }
    /* The template is a copy of exactly tmpl_len bytes, so ASan sees any read past it. */
    char *tmpl = malloc(tmpl_len ? tmpl_len : 1);
    if (!tmpl)
        abort();
    memcpy(tmpl, data, tmpl_len);

    struct dw_error err = {0};
    int checked = dw_mustache_check(tmpl, tmpl_len, &err);

    struct dw_mustache_opts opts = {
        .partials = partials ? partials : fixed_partials,
        .max_output = MAX_OUTPUT,
        .max_depth = MAX_DEPTH,
    };
    char *out = NULL;
    struct dw_error rerr = {0};
    int rendered = dw_mustache_render(tmpl, tmpl_len, view ? view : fixed_data, &opts, &out, &rerr);
    if (checked < 0 && rendered != checked)
        __builtin_trap(); /* check and render disagree about the template */
    if (rendered == 0 && (!out || strlen(out) > MAX_OUTPUT))
        __builtin_trap();
    if (rendered < 0 && out)
        __builtin_trap(); /* ret_out is set only on success */

    free(out);
    free(tmpl);
    json_decref(partials);
    json_decref(view);
    return 0;
}

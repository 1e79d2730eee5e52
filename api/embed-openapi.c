/* embed-openapi — the build step that turns api/openapi.yaml into C: the document as JSON in
 * `const char dw_serve_openapi[]` (NUL-terminated), which the server answers at
 * /v1/openapi.json. Usage: embed-openapi IN.yaml OUT.c
 *
 * The document is written in YAML so it can carry comments and stay readable at its size;
 * clients get JSON. libfyaml (which the workspace loader already uses) parses it, refusing
 * duplicate keys and anchors; each scalar becomes JSON by the YAML 1.2 core schema: a plain
 * scalar reading as null, true/false, an integer or a decimal becomes that, anything else
 * (and every quoted or block scalar) a string. A parse error is printed as FILE:LINE:COL. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libfyaml.h>

static const char *in_path;

/* A scalar's position; a mapping or list is named by its path instead. */
static void node_die(struct fy_node *n, const char *what) {
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    if (m)
        fprintf(stderr, "%s:%d:%d: %s\n", in_path, m->line + 1, m->column + 1, what);
    else {
        char *path = fy_node_get_path(n);
        fprintf(stderr, "%s: %s: %s\n", in_path, path ? path : "?", what);
        free(path);
    }
    exit(1);
}

static bool is_int(const char *s) {
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* [-+]? ( .digits | digits [. digits*] ) ( [eE] [-+]? digits )? */
static bool is_real(const char *s) {
    if (*s == '-' || *s == '+')
        s++;
    bool digits = false;
    while (*s >= '0' && *s <= '9')
        s++, digits = true;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9')
            s++, digits = true;
    }
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return !*s;
}

static json_t *scalar(struct fy_node *n) {
    const char *s = fy_node_get_scalar0(n);
    if (!s)
        node_die(n, "out of memory");
    if (fy_node_get_style(n) != FYNS_PLAIN || fy_node_get_tag(n, NULL))
        return json_string(s);
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null"))
        return json_null();
    if (!strcmp(s, "true") || !strcmp(s, "false"))
        return json_boolean(s[0] == 't');
    if (is_int(s)) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno)
            node_die(n, "integer out of range");
        return json_integer(v);
    }
    if (is_real(s))
        return json_real(strtod(s, NULL));
    return json_string(s);
}

static json_t *convert(struct fy_node *n, int depth) {
    if (depth > 64)
        node_die(n, "nested deeper than 64 levels");
    if (fy_node_get_style(n) == FYNS_ALIAS || fy_node_get_anchor(n))
        node_die(n, "anchors and aliases are not used in the API document");
    void *iter = NULL;
    json_t *out;
    if (fy_node_is_mapping(n)) {
        out = json_object();
        struct fy_node_pair *p;
        while (out && (p = fy_node_mapping_iterate(n, &iter)) != NULL) {
            struct fy_node *k = fy_node_pair_key(p);
            if (!k || !fy_node_is_scalar(k))
                node_die(n, "a mapping key must be a scalar");
            if (json_object_set_new(out, fy_node_get_scalar0(k),
                                    convert(fy_node_pair_value(p), depth + 1)) < 0)
                node_die(k, "cannot store this key");
        }
    } else if (fy_node_is_sequence(n)) {
        out = json_array();
        struct fy_node *item;
        while (out && (item = fy_node_sequence_iterate(n, &iter)) != NULL)
            if (json_array_append_new(out, convert(item, depth + 1)) < 0)
                node_die(item, "cannot store this item");
    } else {
        out = scalar(n);
    }
    if (!out)
        node_die(n, "cannot convert this value");
    return out;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: embed-openapi IN.yaml OUT.c\n");
        return 2;
    }
    in_path = argv[1];
    struct fy_parse_cfg cfg = {.flags = FYPCF_DEFAULT_VERSION_1_2};
    struct fy_document *doc = fy_document_build_from_file(&cfg, in_path);
    if (!doc || !fy_document_root(doc)) {
        fprintf(stderr, "%s: not a YAML document\n", in_path);
        return 1;
    }
    json_t *j = convert(fy_document_root(doc), 0);
    char *text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!text) {
        fprintf(stderr, "%s: cannot write JSON\n", in_path);
        return 1;
    }
    FILE *f = fopen(argv[2], "w");
    if (!f) {
        fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    fprintf(f, "/* Generated by api/embed-openapi from api/openapi.yaml; do not edit. */\n"
               "extern const char dw_serve_openapi[];\n"
               "const char dw_serve_openapi[] = {");
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%s%d", !i ? "\n" : i % 24 ? "," : ",\n", (unsigned char)text[i]);
    fprintf(f, ",'\\n',0};\n");
    free(text);
    json_decref(j);
    fy_document_destroy(doc);
    if (fclose(f) != 0) {
        fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    return 0;
}

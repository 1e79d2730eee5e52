/* embed-lang — the build step that checks the per-language knowledge files
 * (lib/engines/extract/lang/{en,de,fr,es,it,nl}.yaml) and compiles them into C, so the
 * library needs no file at run time. Usage: embed-lang OUT.c FILE.yaml...
 *
 * Every file is read with libfyaml (duplicate keys refused) and checked against the
 * sections of lang-schema.h: known section names, the kind of each (a list of words, words
 * to integers in range, words to a section's names, token patterns, the number format), a
 * word being one lower-case token without spaces, no word twice in a section, `language`
 * naming the file. Every problem is printed as FILE:LINE:COL: what, and the step fails
 * (exit 1) without writing OUT.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "lang-schema.h"

static const char *const langs[] = {"en", "de", "fr", "es", "it", "nl"};
#define N_LANGS 6

struct section {
    const char *name;
    enum lk_kind kind;
    long long lo, hi;
};
#define DW_LANG_SECTION_DEF(s, k, l, h) {#s, k, l, h},
static const struct section sections[] = {DW_LANG_SECTIONS(DW_LANG_SECTION_DEF)};

static const char *const currencies[] = {DW_LANG_CURRENCIES, NULL};
static const char *const time_units[] = {DW_LANG_TIME_UNITS, NULL};
static const char *const date_words[] = {DW_LANG_DATE_WORDS, NULL};
static const char *const holidays[] = {DW_LANG_HOLIDAYS, NULL};

static int errors;
static const char *cur_file;
static struct fy_node *cur_key; /* the key of the section being read */

/* FILE:LINE:COL: what, at the node's start plus `col` characters of its text. */
__attribute__((format(printf, 3, 0))) static void vcomplain(struct fy_node *n, int col,
                                                            const char *fmt, va_list ap) {
    if (n && !fy_node_is_scalar(n))
        n = cur_key; /* a list or mapping is named by its section's key */
    struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    if (m)
        fprintf(stderr, "%s:%d:%d: ", cur_file, m->line + 1, m->column + 1 + col);
    else
        fprintf(stderr, "%s: ", cur_file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    errors++;
}

__attribute__((format(printf, 2, 3))) static void complain(struct fy_node *n, const char *fmt,
                                                           ...) {
    va_list ap;
    va_start(ap, fmt);
    vcomplain(n, 0, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void complain_at(struct fy_node *n, int col,
                                                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vcomplain(n, col, fmt, ap);
    va_end(ap);
}

struct entry {
    char *w;
    int lang, section, only;
    long long val;
};
static struct entry *entries;
static size_t n_entries, cap_entries;
static char *formats[N_LANGS][5]; /* decimal, then up to 4 group separators */

static void add(char *w, int lang, int section, long long val) {
    if (n_entries == cap_entries) {
        cap_entries = cap_entries ? 2 * cap_entries : 1024;
        entries = realloc(entries, cap_entries * sizeof *entries);
        if (!entries) {
            fprintf(stderr, "embed-lang: out of memory\n");
            exit(1);
        }
    }
    entries[n_entries++] = (struct entry){.w = w, .lang = lang, .section = section, .val = val};
}

/* A scalar's text, or NULL with a complaint. */
static const char *scalar(struct fy_node *n, const char *what) {
    if (!n || !fy_node_is_scalar(n)) {
        complain(n, "%s must be a plain value, not a list or mapping", what);
        return NULL;
    }
    return fy_node_get_scalar0(n);
}

/* A pattern's alternatives: "{a|b}" holds one word or symbol per alternative, none empty,
 * braces not nested and closed. A space inside the braces would cut the group into two
 * tokens the matcher never joins, so the pattern could not match at all. */
static bool pattern_ok(struct fy_node *n, const char *s) {
    const char *open = NULL, *why = NULL, *p;
    for (p = s; *p && !why; p++) {
        if (*p == '{')
            why = open ? "a '{' inside {...}" : NULL;
        else if (*p == '}')
            why = !open                           ? "a '}' without its '{'"
                  : p == open + 1 || p[-1] == '|' ? "an empty alternative"
                                                  : NULL;
        else if (open && (*p == ' ' || *p == '\t'))
            why = "a space inside {...}: each alternative is one word";
        else if (open && *p == '|' && (p[-1] == '|' || p[-1] == '{'))
            why = "an empty alternative";
        open = *p == '{' ? p : *p == '}' ? NULL : open;
    }
    if (!why && open) {
        why = "a '{' without its '}'";
        p = open + 1;
    }
    if (why)
        complain_at(n, (int)(p - s) - 1, "'%s': %s", s, why);
    return !why;
}

/* A word as the extractor looks it up: lower case, one token, apostrophes dropped. */
static char *word(struct fy_node *n, bool pattern) {
    const char *s = scalar(n, pattern ? "a pattern" : "a word");
    if (!s)
        return NULL;
    if (!*s) {
        complain(n, "empty %s", pattern ? "pattern" : "word");
        return NULL;
    }
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out)
        exit(1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            complain(n, "'%s' has a capital letter: words are written in lower case", s);
            free(out);
            return NULL;
        }
        if (!pattern && (*p == ' ' || *p == '\t')) {
            complain(n, "'%s' is more than one word: a multi-word phrase is a pattern", s);
            free(out);
            return NULL;
        }
        if (!pattern && (*p == '\'' || (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99))) {
            p += *p == '\'' ? 0 : 2;
            continue;
        }
        *o++ = (char)*p;
    }
    *o = '\0';
    if (pattern && !pattern_ok(n, out)) {
        free(out);
        return NULL;
    }
    return out;
}

static int name_index(const char *const *names, const char *s) {
    for (int k = 0; names[k]; k++)
        if (strcmp(names[k], s) == 0)
            return k + 1;
    return 0;
}

static void section_value(int lang, int si, struct fy_node *v) {
    const struct section *sec = &sections[si];
    size_t first = n_entries;
    if (sec->kind == LK_CODE) {
        const char *s = scalar(v, "language");
        if (s && strcmp(s, langs[lang]) != 0)
            complain(v, "language '%s' does not match the file's name", s);
        return;
    }
    if (sec->kind == LK_FORMAT) {
        if (!fy_node_is_mapping(v)) {
            complain(v, "number_format is a mapping {decimal: \",\", group: [\".\", \" \"]}");
            return;
        }
        void *it = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(v, &it))) {
            const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
            struct fy_node *pv = fy_node_pair_value(p);
            if (k && strcmp(k, "decimal") == 0) {
                const char *s = scalar(pv, "decimal");
                if (s)
                    formats[lang][0] = strdup(s);
            } else if (k && strcmp(k, "group") == 0 && fy_node_is_sequence(pv)) {
                void *it2 = NULL;
                struct fy_node *g;
                int ng = 0;
                while ((g = fy_node_sequence_iterate(pv, &it2))) {
                    const char *s = scalar(g, "a separator");
                    if (s && ng < 4)
                        formats[lang][1 + ng++] = strdup(s);
                    else if (s)
                        complain(g, "at most four group separators");
                }
            } else {
                complain(fy_node_pair_key(p), "number_format has decimal and group, not '%s'", k);
            }
        }
        if (!formats[lang][0])
            complain(v, "number_format names no decimal separator");
        return;
    }
    bool mapping = sec->kind == LK_INT || sec->kind == LK_NAME || sec->kind == LK_PATNAME;
    if (mapping && !fy_node_is_mapping(v)) {
        complain(v, "%s is a mapping of words to values", sec->name);
        return;
    }
    if (!mapping && !fy_node_is_sequence(v)) {
        complain(v, "%s is a list", sec->name);
        return;
    }
    void *it = NULL;
    if (!mapping) {
        struct fy_node *item;
        while ((item = fy_node_sequence_iterate(v, &it))) {
            char *w = word(item, sec->kind == LK_PATTERN);
            if (!w)
                continue;
            for (size_t k = first; k < n_entries; k++)
                if (strcmp(entries[k].w, w) == 0) {
                    complain(item, "'%s' is listed twice", w);
                    break;
                }
            add(w, lang, si, 0);
        }
        return;
    }
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it))) {
        struct fy_node *k = fy_node_pair_key(p), *val = fy_node_pair_value(p);
        char *w = word(k, sec->kind == LK_PATNAME);
        const char *s = scalar(val, "a value");
        if (!w || !s)
            continue;
        long long x = 0;
        if (sec->kind == LK_INT) {
            char *end;
            errno = 0;
            x = strtoll(s, &end, 10);
            if (errno || *end || end == s || x < sec->lo || x > sec->hi) {
                complain(val, "%s: '%s' is not an integer from %lld to %lld", w, s, sec->lo,
                         sec->hi);
                continue;
            }
        } else {
            const char *const *names = si == LS_currencies || si == LS_currency_phrases ? currencies
                                       : si == LS_time_units                            ? time_units
                                       : si == LS_date_words                            ? date_words
                                                                                        : holidays;
            x = name_index(names, s);
            if (!x) {
                char msg[600] = "";
                for (int n = 0; names[n]; n++) {
                    strncat(msg, " ", sizeof msg - strlen(msg) - 1);
                    strncat(msg, names[n], sizeof msg - strlen(msg) - 1);
                }
                complain(val, "'%s' is not one of:%s", s, msg);
                continue;
            }
        }
        add(w, lang, si, x);
    }
}

static void read_file(const char *path) {
    cur_file = path;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int lang = -1;
    for (int k = 0; k < N_LANGS; k++)
        if (strncmp(base, langs[k], 2) == 0 && strcmp(base + 2, ".yaml") == 0)
            lang = k;
    if (lang < 0) {
        complain(NULL, "the file is not named after one of en de fr es it nl (.yaml)");
        return;
    }
    struct fy_parse_cfg cfg = {.flags = FYPCF_DEFAULT_VERSION_1_2 | FYPCF_QUIET};
    struct fy_document *doc = fy_document_build_from_file(&cfg, path);
    if (!doc) {
        /* libfyaml's own message names the line and column */
        cfg.flags &= ~(unsigned)FYPCF_QUIET;
        fy_document_build_from_file(&cfg, path);
        complain(NULL, "not a YAML document");
        return;
    }
    struct fy_node *root = fy_document_root(doc);
    if (!root || !fy_node_is_mapping(root)) {
        complain(root, "the file is a mapping of sections");
        return;
    }
    bool seen[LS_COUNT] = {false};
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(root, &it))) {
        struct fy_node *k = fy_node_pair_key(p);
        const char *name = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
        int si = -1;
        for (int s = 0; name && s < LS_COUNT; s++)
            if (strcmp(sections[s].name, name) == 0)
                si = s;
        if (si < 0) {
            cur_key = NULL;
            complain(k, "unknown section '%s' (docs/internals/extraction.md lists them)", name);
            continue;
        }
        seen[si] = true;
        cur_key = k;
        section_value(lang, si, fy_node_pair_value(p));
    }
    if (!seen[LS_language])
        complain(root, "no 'language:'");
    if (!seen[LS_number_format])
        complain(root, "no 'number_format:'");
    /* only_here names words the file lists elsewhere */
    for (size_t e = 0; e < n_entries; e++) {
        if (entries[e].lang != lang || entries[e].section != LS_only_here)
            continue;
        bool found = false;
        for (size_t k = 0; k < n_entries; k++)
            if (k != e && entries[k].lang == lang && strcmp(entries[k].w, entries[e].w) == 0 &&
                sections[entries[k].section].kind != LK_PATTERN) {
                entries[k].only = 1;
                found = true;
            }
        if (!found) {
            errors++;
            fprintf(stderr, "%s: only_here: '%s' is in no list of this file\n", path, entries[e].w);
        }
    }
    fy_document_destroy(doc);
}

static void c_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F)
            fprintf(f, "\\%03o", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: embed-lang OUT.c FILE.yaml...\n");
        return 2;
    }
    for (int a = 2; a < argc; a++)
        read_file(argv[a]);
    if (errors) {
        fprintf(stderr, "embed-lang: %d problem%s in the language files\n", errors,
                errors == 1 ? "" : "s");
        return 1;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    fprintf(f,
            "/* Generated by embed-lang from lib/engines/extract/lang/LANG.yaml; do not edit. */\n"
            "#include <stddef.h>\n#include \"engines/extract/lang/lang-schema.h\"\n"
            "extern const struct dw_lang_entry dw__ex_lang_entries[];\n"
            "extern const size_t dw__ex_n_lang_entries;\n"
            "extern const struct dw_lang_format dw__ex_lang_formats[6];\n"
            "const struct dw_lang_entry dw__ex_lang_entries[] = {\n");
    for (size_t e = 0; e < n_entries; e++) {
        if (entries[e].section == LS_only_here)
            continue;
        fputs("    {", f);
        c_string(f, entries[e].w);
        fprintf(f, ", %d, %d, %d, %lldLL},\n", entries[e].lang, entries[e].section, entries[e].only,
                entries[e].val);
    }
    fprintf(f, "};\nconst size_t dw__ex_n_lang_entries = sizeof dw__ex_lang_entries / sizeof "
               "dw__ex_lang_entries[0];\nconst struct dw_lang_format dw__ex_lang_formats[6] = {\n");
    for (int l = 0; l < N_LANGS; l++) {
        fputs("    {", f);
        c_string(f, formats[l][0] ? formats[l][0] : ".");
        fputs(", {", f);
        for (int g = 1; g < 5; g++) {
            if (formats[l][g])
                c_string(f, formats[l][g]);
            else
                fputs("NULL", f);
            fputs(g < 4 ? ", " : "", f);
        }
        fputs("}},\n", f);
    }
    fputs("};\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    return 0;
}

/* extract, eval extraction — the requirements of one message; the extractor's precision,
 * recall and F1 on a labelled set.
 *
 * Both need only the workspace (its catalog is the vocabulary), not the store. Input to
 * `extract` is a lead (JSON, when the first non-blank byte is '{') or a message as plain
 * text; plain text has no received_at, so relative dates resolve against --at (default:
 * now). The labelled set is a directory of JSON files, one message each
 * (docs/internals/extraction.md "Evaluation"); `eval extraction` exits 1 when a field scores
 * below its goal, so `make test` fails on a regression.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define EVAL_MAX_FILES 10000

static int load_ws(struct cli *cli, struct dw_workspace **ret) {
    struct dw_diags diags = {0};
    if (dw_base_init() < 0)
        return EXIT_INTERNAL;
    int r = dw_workspace_load(cli->workspace, ret, &diags);
    if (r < 0) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                    diags.v[i].msg);
        fprintf(stderr, "dealwright: the workspace %s is not valid (dealwright validate)\n",
                cli->workspace);
        dw_diags_release(&diags);
        return cli_workspace_exit(r);
    }
    dw_diags_release(&diags);
    return EXIT_OK;
}

int cmd_extract(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *at_s = cli_opt(&argc, argv, "--at", &bad);
    if (bad || argc != 1)
        return cli_usage("usage: dealwright extract FILE|- [--at TIME]");
    const char *path = argv[0], *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct dw_error err = {0};
    dw_time_t at;
    int r = cli_now(&at, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (at == 0)
        at = dw_clock_now(NULL);
    if (at_s && dw_time_parse(at_s, &at) < 0)
        return cli_usage("dealwright: --at %s: not an RFC 3339 time (2026-11-20T09:14:00Z)", at_s);
    char *data = NULL;
    size_t len;
    r = dw_read_file(path, 256 * 1024, &data, &len, &err);
    if (r < 0)
        return cli_fail(&err, r);
    size_t k = 0;
    while (k < len && strchr(" \t\r\n", data[k]))
        k++;
    struct dw_workspace *ws = NULL;
    int code = load_ws(cli, &ws);
    json_t *out = NULL;
    if (code != EXIT_OK)
        goto out;
    if (k < len && data[k] == '{') {
        json_error_t je;
        json_t *lead = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!lead) {
            fprintf(stderr, "dealwright: %s:%d:%d: %s\n", name, je.line, je.column, je.text);
            code = EXIT_INPUT;
            goto out;
        }
        r = dw_extract_lead(ws, lead, at, &out, &err);
        json_decref(lead);
        if (r < 0 && err.field[0]) {
            fprintf(stderr, "dealwright: %s: field '%s': %s\n", name, err.field, err.msg);
            code = cli_error_exit(&err, r);
            goto out;
        }
    } else {
        r = dw_extract_text(ws, data, len, at, &out, &err);
    }
    if (r < 0) {
        fprintf(stderr, "dealwright: %s: ", name);
        code = cli_fail(&err, r);
        goto out;
    }
    cli_print_json(out);
out:
    json_decref(out);
    dw_workspace_unref(ws);
    free(data);
    return code;
}

/* ---- eval extraction ------------------------------------------------------------------ */

/* The goals: F1 per field below which the command fails. Fields not listed are reported. */
static const struct {
    enum dw_extract_field f;
    double goal;
} goals[] = {
    {DW_EF_BUDGET, 0.90},  {DW_EF_QUANTITY, 0.90},   {DW_EF_DEADLINE, 0.90},
    {DW_EF_COUNTRY, 0.90}, {DW_EF_CAPABILITY, 0.80},
};

static double goal_of(enum dw_extract_field f) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(goals); i++)
        if (goals[i].f == f)
            return goals[i].goal;
    return -1;
}

/* The languages a labelled message may be written in, in report order. */
static const char *const eval_langs[] = {"en", "de", "fr", "es", "it", "nl"};
#define N_LANGS DW_ARRAY_SIZE(eval_langs)

static int lang_index(const char *lang) {
    for (size_t i = 0; lang && i < N_LANGS; i++)
        if (strcmp(lang, eval_langs[i]) == 0)
            return (int)i;
    return -1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One labelled message: {"message": text, "received_at": time, "lang": "en"|"de"|"fr"|...,
 * "expected": {field: value}}. Adds its score to t; errors name FILE and the field. */
static int eval_one(const struct dw_workspace *ws, const char *path, struct dw_extract_tally *t,
                    struct dw_extract_tally *by_lang, json_t *misses, struct dw_error *err) {
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return dw_error_at(err, -DW_EPARSE, path, je.line, je.column, "%s", je.text);
    int r = 0;
    json_t *got = NULL;
    const char *msg = dw_json_str(j, "message"), *ra = dw_json_str(j, "received_at"),
               *lang = dw_json_str(j, "lang");
    json_t *exp = json_object_get(j, "expected");
    dw_time_t at;
    if (!msg || !ra || !json_is_object(exp) || lang_index(lang) < 0) {
        r = dw_error_at(err, -DW_EINVAL, path, 1, 1,
                        "needs \"message\", \"received_at\", \"lang\" (en|de|fr|es|it|nl) and "
                        "\"expected\"");
        goto out;
    }
    if (dw_time_parse(ra, &at) < 0) {
        r = dw_error_at(err, -DW_EINVAL, path, 1, 1, "received_at: not an RFC 3339 time");
        goto out;
    }
    if ((r = dw_extract_text(ws, msg, strlen(msg), at, &got, err)) < 0)
        goto out;
    struct dw_extract_tally one = {0};
    if ((r = dw_extract_score(exp, got, &one, err)) < 0) {
        char field[sizeof err->field];
        snprintf(field, sizeof field, "%s", err->field);
        r = dw_error_at(err, r, path, 1, 1, "expected.%s: %s", field, err->msg);
        goto out;
    }
    struct dw_extract_tally *lt = &by_lang[lang_index(lang)];
    for (int f = 0; f < DW_EF_N; f++) {
        t->tp[f] += one.tp[f];
        t->fp[f] += one.fp[f];
        t->fn[f] += one.fn[f];
        lt->tp[f] += one.tp[f];
        lt->fp[f] += one.fp[f];
        lt->fn[f] += one.fn[f];
        if (one.fp[f] || one.fn[f]) {
            const char *base = strrchr(path, '/');
            json_array_append_new(misses,
                                  json_pack("{s:s,s:s,s:O*,s:O*}", "file", base ? base + 1 : path,
                                            "field", dw_extract_field_names[f], "expected",
                                            json_object_get(exp, dw_extract_field_names[f]), "got",
                                            json_object_get(got, dw_extract_field_names[f])));
        }
    }
    t->messages++;
    lt->messages++;
out:
    json_decref(got);
    json_decref(j);
    return r;
}

static json_t *report_fields(const struct dw_extract_tally *t) {
    json_t *fields = json_object();
    for (int f = 0; f < DW_EF_N; f++) {
        double p, rc, f1;
        dw_extract_prf(t, (enum dw_extract_field)f, &p, &rc, &f1);
        double g = goal_of((enum dw_extract_field)f);
        json_object_set_new(fields, dw_extract_field_names[f],
                            json_pack("{s:f,s:f,s:f,s:I,s:I,s:I,s:o}", "precision", p, "recall", rc,
                                      "f1", f1, "tp", (json_int_t)t->tp[f], "fp",
                                      (json_int_t)t->fp[f], "fn", (json_int_t)t->fn[f], "goal",
                                      g >= 0 ? json_real(g) : json_null()));
    }
    return fields;
}

int cmd_eval_extraction(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *dir = cli_opt(&argc, argv, "--set", &bad);
    bool verbose = cli_flag(&argc, argv, "--misses");
    if (bad || argc != 0)
        return cli_usage("usage: dealwright eval extraction [--set DIR] [--misses] [--json]");
    if (!dir)
        dir = "tests/data/extraction";
    struct dw_workspace *ws = NULL;
    int code = load_ws(cli, &ws);
    if (code != EXIT_OK)
        return code;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "dealwright: --set %s: cannot open the directory\n", dir);
        dw_workspace_unref(ws);
        return EXIT_NOTFOUND;
    }
    char **files = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < EVAL_MAX_FILES) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0 || de->d_name[0] == '.')
            continue;
        char **nf = realloc(files, (n + 1) * sizeof *files);
        if (!nf)
            break;
        files = nf;
        if (asprintf(&files[n], "%s/%s", dir, de->d_name) < 0)
            break;
        n++;
    }
    closedir(d);
    qsort(files, n, sizeof *files, cmp_str);
    struct dw_extract_tally t = {0}, by_lang[N_LANGS];
    memset(by_lang, 0, sizeof by_lang);
    json_t *misses = json_array();
    struct dw_error err = {0};
    int r = 0;
    for (size_t i = 0; i < n && r >= 0; i++)
        r = eval_one(ws, files[i], &t, by_lang, misses, &err);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    dw_workspace_unref(ws);
    if (r < 0) {
        json_decref(misses);
        return cli_fail(&err, r);
    }
    if (n == 0) {
        json_decref(misses);
        fprintf(stderr, "dealwright: --set %s: no labelled messages (*.json)\n", dir);
        return EXIT_INPUT;
    }
    bool below = false;
    for (int f = 0; f < DW_EF_N; f++) {
        double p, rc, f1, g = goal_of((enum dw_extract_field)f);
        dw_extract_prf(&t, (enum dw_extract_field)f, &p, &rc, &f1);
        if (g >= 0 && f1 + 1e-9 < g)
            below = true;
    }
    if (cli->json) {
        json_t *o = json_pack("{s:s,s:I,s:o,s:b}", "set", dir, "messages", (json_int_t)t.messages,
                              "fields", report_fields(&t), "goals_met", !below);
        json_t *bl = json_object();
        for (size_t l = 0; l < N_LANGS; l++) {
            json_object_set_new(o, eval_langs[l], json_integer((json_int_t)by_lang[l].messages));
            if (by_lang[l].messages)
                json_object_set_new(bl, eval_langs[l], report_fields(&by_lang[l]));
        }
        json_object_set_new(o, "by_language", bl);
        if (verbose)
            json_object_set(o, "misses", misses);
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%s: %lld messages (", dir, (long long)t.messages);
        for (size_t l = 0, k = 0; l < N_LANGS; l++)
            if (by_lang[l].messages)
                printf("%s%lld %s", k++ ? ", " : "", (long long)by_lang[l].messages, eval_langs[l]);
        printf(")\n\n%-22s %9s %7s %7s %5s %5s %5s", "field", "precision", "recall", "F1", "tp",
               "fp", "fn");
        for (size_t l = 0; l < N_LANGS; l++)
            if (by_lang[l].messages)
                printf("  F1 (%s)", eval_langs[l]);
        printf(" %6s\n", "goal");
        for (int f = 0; f < DW_EF_N; f++) {
            double p, rc, f1, g = goal_of((enum dw_extract_field)f);
            dw_extract_prf(&t, (enum dw_extract_field)f, &p, &rc, &f1);
            char gs[16] = "";
            if (g >= 0)
                snprintf(gs, sizeof gs, "%.2f%s", g, f1 + 1e-9 < g ? " !" : "");
            printf("%-22s %9.3f %7.3f %7.3f %5lld %5lld %5lld", dw_extract_field_names[f], p, rc,
                   f1, (long long)t.tp[f], (long long)t.fp[f], (long long)t.fn[f]);
            for (size_t l = 0; l < N_LANGS; l++)
                if (by_lang[l].messages) {
                    double pl, rl, fl;
                    dw_extract_prf(&by_lang[l], (enum dw_extract_field)f, &pl, &rl, &fl);
                    printf(" %8.3f", fl);
                }
            printf(" %6s\n", gs);
        }
        if (verbose) {
            size_t i;
            json_t *m;
            printf("\nmisses:\n");
            json_array_foreach(misses, i, m) {
                char *e =
                    json_dumps(json_object_get(m, "expected"), JSON_COMPACT | JSON_ENCODE_ANY);
                char *g = json_dumps(json_object_get(m, "got"), JSON_COMPACT | JSON_ENCODE_ANY);
                printf("  %s %s: expected %s, got %s\n", dw_json_str(m, "file"),
                       dw_json_str(m, "field"), e ? e : "-", g ? g : "-");
                free(e);
                free(g);
            }
        }
        printf("\n%s\n",
               below ? "below goal: a field marked ! scores under its goal" : "all goals met");
    }
    json_decref(misses);
    return below ? EXIT_CHECK : EXIT_OK;
}

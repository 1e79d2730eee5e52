/* extract, eval extraction — the requirements of one message; the extractor's precision,
 * recall and F1 on a labelled set.
 *
 * Both need only the workspace (its catalog is the vocabulary), not the store. Input to
 * `extract` is a lead (JSON, when the first non-blank byte is '{') or a message as plain
 * text, or a raw mail (read as `lead add` reads it); plain text has no received_at, so relative
 * dates resolve against --at (default: now). The labelled set is a directory of JSON files, one
 * message each (docs/internals/extraction.md "Evaluation"); `eval extraction` exits 1 when a field
 * scores below its goal, so `make test` fails on a regression.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define EVAL_MAX_FILES 10000

static int load_ws(struct cli *cli, struct dw_workspace **ret) {
    struct dw_diags diags = {0};
    if (dw_init() < 0)
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
        at = (dw_time_t)time(NULL);
    if (at_s && dw_time_parse(at_s, &at) < 0)
        return cli_usage("dealwright: --at %s: not an RFC 3339 time (2026-11-20T09:14:00Z)", at_s);
    char *data = NULL;
    size_t len;
    r = dw_read_file(path, DW_MAIL_MAX_BYTES, &data, &len, &err);
    if (r < 0)
        return cli_fail(&err, r);
    /* a raw mail is read as one (its body decoded, its headers not taken for the customer's
     * words) and extracted as the lead it makes */
    json_t *mail = NULL;
    if (dw_mail_sniff(data, len)) {
        r = dw_mail_parse(data, len, name, &mail, &err);
        free(data);
        if (r < 0)
            return cli_fail(&err, r);
        json_t *lead = json_object_get(mail, "lead");
        if (!json_is_object(lead)) {
            fprintf(stderr, "dealwright: %s: not a lead: %s (%s)\n", name,
                    dw_json_str(mail, "kind"), dw_json_str(mail, "reason"));
            json_decref(mail);
            return EXIT_INPUT;
        }
        data = json_dumps(lead, JSON_COMPACT);
        json_decref(mail);
        if (!data)
            return cli_fail(NULL, -DW_ENOMEM);
        len = strlen(data);
    } else if (len > 256 * 1024) {
        free(data);
        return cli_bad_input("%s: more than 256 KiB of text", name);
    }
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

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_eval_extraction(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *dir = cli_opt(&argc, argv, "--set", &bad);
    bool verbose = cli_flag(&argc, argv, "--misses");
    bool with_model = cli_flag(&argc, argv, "--model");
    if (bad || argc != 0)
        return cli_usage(
            "usage: dealwright eval extraction [--set DIR] [--misses] [--model] [--json]");
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
    if (with_model) { /* rules against rules plus the model: src/cmd-eval-model.c */
        dw_workspace_unref(ws);
        code = cli_eval_extraction_model(cli, dir, (const char *const *)files, n, verbose);
        for (size_t i = 0; i < n; i++)
            free(files[i]);
        free(files);
        return code;
    }
    struct dw_error err = {0};
    json_t *res = NULL;
    int r = n ? dw_extract_eval(ws, (const char *const *)files, n, &res, &err) : 0;
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    dw_workspace_unref(ws);
    if (r < 0)
        return cli_fail(&err, r);
    if (n == 0) {
        fprintf(stderr, "dealwright: --set %s: no labelled messages (*.json)\n", dir);
        return EXIT_INPUT;
    }
    bool below = !dw_json_bool(res, "goals_met", false);
    json_t *fields = json_object_get(res, "fields"), *bl = json_object_get(res, "by_language");
    json_t *misses = json_incref(json_object_get(res, "misses"));
    const char *lang, *name;
    json_t *v, *fv;
    if (cli->json) {
        json_t *o = json_pack("{s:s}", "set", dir);
        json_object_update(o, res);
        if (!verbose)
            json_object_del(o, "misses");
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%s: %lld messages (", dir, (long long)dw_json_int(res, "messages", 0));
        size_t k = 0;
        json_object_foreach(bl, lang, v)
            printf("%s%lld %s", k++ ? ", " : "", (long long)dw_json_int(res, lang, 0), lang);
        printf(")\n\n%-22s %9s %7s %7s %5s %5s %5s", "field", "precision", "recall", "F1", "tp",
               "fp", "fn");
        json_object_foreach(bl, lang, v) printf("  F1 (%s)", lang);
        printf(" %6s\n", "goal");
        json_object_foreach(fields, name, fv) {
            double f1 = json_real_value(json_object_get(fv, "f1"));
            json_t *g = json_object_get(fv, "goal");
            char gs[16] = "";
            if (json_is_real(g))
                snprintf(gs, sizeof gs, "%.2f%s", json_real_value(g),
                         f1 + 1e-9 < json_real_value(g) ? " !" : "");
            printf("%-22s %9.3f %7.3f %7.3f %5lld %5lld %5lld", name,
                   json_real_value(json_object_get(fv, "precision")),
                   json_real_value(json_object_get(fv, "recall")), f1,
                   (long long)dw_json_int(fv, "tp", 0), (long long)dw_json_int(fv, "fp", 0),
                   (long long)dw_json_int(fv, "fn", 0));
            json_object_foreach(bl, lang, v)
                printf(" %8.3f", json_real_value(json_object_get(json_object_get(v, name), "f1")));
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
    json_decref(res);
    return below ? EXIT_CHECK : EXIT_OK;
}

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

/* The minimum F1 per language and field of FILE ({"en": {"budget": 0.95, ...}, ...})
 * that the scores in by_language fall under, printed; -1 on a bad file (said). */
static int below_floors(const char *file, const json_t *bl) {
    json_error_t je;
    json_t *fl = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!fl || !json_is_object(fl)) {
        fprintf(stderr, "%s:%d:%d: %s\n", file, fl ? 1 : je.line, fl ? 1 : je.column,
                fl ? "floors: not an object of languages" : je.text);
        json_decref(fl);
        return -1;
    }
    int n = 0;
    const char *lang, *name;
    json_t *lv, *v;
    json_object_foreach(fl, lang, lv) {
        if (!json_is_object(lv)) {
            fprintf(stderr, "%s: %s: not an object of fields\n", file, lang);
            json_decref(fl);
            return -1;
        }
        json_object_foreach(lv, name, v) {
            if (!json_is_number(v)) {
                fprintf(stderr, "%s: %s.%s: not a number\n", file, lang, name);
                json_decref(fl);
                return -1;
            }
            json_t *fv = json_object_get(
                json_object_get(json_object_get(json_object_get(bl, lang), "fields"), name), "f1");
            if (fv && json_real_value(fv) + 1e-9 < json_number_value(v)) {
                fprintf(stderr, "under its floor: %s %s %.3f < %.3f\n", lang, name,
                        json_real_value(fv), json_number_value(v));
                n++;
            }
        }
    }
    json_decref(fl);
    return n;
}

static void print_ratio(const json_t *r) {
    char buf[24];
    if (!r || !dw_json_int(r, "of", 0))
        snprintf(buf, sizeof buf, "-");
    else
        snprintf(buf, sizeof buf, "%lld/%lld", (long long)dw_json_int(r, "right", 0),
                 (long long)dw_json_int(r, "of", 0));
    printf(" %12s", buf);
}

/* The per-language tables: F1 per field (! under the goal, - nothing labelled), the facts
 * found right out of those labelled with the wrong ones found in brackets, then the main
 * quantity, exclusions and whole messages. */
static void print_eval(const json_t *res) {
    json_t *fields = json_object_get(res, "fields"), *bl = json_object_get(res, "by_language");
    const char *lang, *name;
    json_t *v, *fv;
    printf("\nF1 per field and language (goal %.2f; ! under it, - nothing labelled)\n",
           json_real_value(json_object_get(res, "goal")));
    printf("%-22s", "field");
    json_object_foreach(bl, lang, v) printf(" %12s", lang);
    printf(" %12s\n", "all");
    json_object_foreach(fields, name, fv) {
        printf("%-22s", name);
        json_object_foreach(bl, lang, v) {
            json_t *lf = json_object_get(json_object_get(v, "fields"), name);
            char buf[24];
            if (json_is_null(json_object_get(lf, "goal")))
                snprintf(buf, sizeof buf, "-");
            else {
                double f1 = json_real_value(json_object_get(lf, "f1"));
                snprintf(buf, sizeof buf, "%.3f%s", f1,
                         f1 + 1e-9 < json_real_value(json_object_get(lf, "goal")) ? "!" : " ");
            }
            printf(" %12s", buf);
        }
        printf(" %11.3f\n", json_real_value(json_object_get(fv, "f1")));
    }
    printf("\nfacts right / labelled (wrong ones found)\n%-22s", "field");
    json_object_foreach(bl, lang, v) printf(" %12s", lang);
    printf(" %12s\n", "all");
    json_object_foreach(fields, name, fv) {
        printf("%-22s", name);
        for (int all = 0; all < 2; all++) {
            json_t *lv = NULL;
            void *it = all ? NULL : json_object_iter((json_t *)bl);
            do {
                if (!all)
                    lv = json_object_get(json_object_get(json_object_iter_value(it), "fields"),
                                         name);
                const json_t *c = all ? fv : lv;
                long long tp = dw_json_int(c, "tp", 0), fn = dw_json_int(c, "fn", 0),
                          fp = dw_json_int(c, "fp", 0);
                char buf[32];
                snprintf(buf, sizeof buf, "%lld/%lld (%lld)", tp, tp + fn, fp);
                printf(" %12s", buf);
                if (!all)
                    it = json_object_iter_next((json_t *)bl, it);
            } while (!all && it);
        }
        printf("\n");
    }
    static const struct {
        const char *key, *label;
    } figs[] = {{"main_quantity", "main quantity"},
                {"exclusions", "exclusions"},
                {"whole_message", "whole message"}};
    printf("\n%-22s", "messages right");
    json_object_foreach(bl, lang, v) printf(" %12s", lang);
    printf(" %12s\n", "all");
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        printf("%-22s", figs[i].label);
        json_object_foreach(bl, lang, v) print_ratio(json_object_get(v, figs[i].key));
        print_ratio(json_object_get(res, figs[i].key));
        printf("\n");
    }
    printf("%-22s", "refused but wanted");
    json_object_foreach(bl, lang, v)
        printf(" %12lld",
               (long long)dw_json_int(json_object_get(v, "exclusions"), "refused_but_wanted", 0));
    printf(" %12lld\n",
           (long long)dw_json_int(json_object_get(res, "exclusions"), "refused_but_wanted", 0));
}

int cmd_eval_extraction(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *dir = cli_opt(&argc, argv, "--set", &bad);
    const char *floors = cli_opt(&argc, argv, "--floors", &bad);
    bool verbose = cli_flag(&argc, argv, "--misses");
    bool holdout = cli_flag(&argc, argv, "--holdout");
    if (bad || argc != 0)
        return cli_usage("usage: dealwright eval extraction [--set DIR] [--holdout] "
                         "[--floors FILE] [--misses] [--json]");
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
        if (strcmp(de->d_name, "HOLDOUT") == 0)
            holdout = true;
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
    struct dw_error err = {0};
    json_t *res = NULL;
    int r = n ? dw_extract_eval_goal(ws, (const char *const *)files, n,
                                     holdout ? DW_EXTRACT_GOAL_HOLDOUT : DW_EXTRACT_GOAL_TUNING,
                                     &res, &err)
              : 0;
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
    json_t *misses = json_incref(json_object_get(res, "misses"));
    if (cli->json) {
        json_t *o = json_pack("{s:s,s:s}", "set", dir, "split", holdout ? "holdout" : "tuning");
        json_object_update(o, res);
        if (!verbose)
            json_object_del(o, "misses");
        cli_print_json(o);
        json_decref(o);
    } else {
        const char *lang;
        json_t *v;
        printf("%s: %lld messages (", dir, (long long)dw_json_int(res, "messages", 0));
        size_t k = 0;
        json_object_foreach(json_object_get(res, "by_language"), lang, v)
            printf("%s%lld %s", k++ ? ", " : "", (long long)dw_json_int(res, lang, 0), lang);
        printf("), %s set\n", holdout ? "held-out" : "tuning");
        print_eval(res);
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
        printf("\n%s\n", below ? "below goal: a score marked ! is under it"
                               : "all goals met in every language");
    }
    int code2 = below ? EXIT_CHECK : EXIT_OK;
    if (floors) {
        int nb = below_floors(floors, json_object_get(res, "by_language"));
        code2 = nb < 0 ? EXIT_INPUT : nb > 0 ? EXIT_CHECK : EXIT_OK;
        if (nb == 0 && !cli->json)
            printf("every score at or above its floor (%s)\n", floors);
    }
    json_decref(misses);
    json_decref(res);
    return code2;
}

/* eval extraction --model — the labelled messages read by the rules and by the rules plus the
 * model models.yaml routes the extraction task to, side by side (docs/internals/assist.md):
 * what a company's model adds, measured on the same set, before its agents use it. */
#include <string.h>

#include "cli.h"

int cli_eval_extraction_model(struct cli *cli, const char *dir, const char *const *files, size_t n,
                              bool verbose) {
    struct dw_error err = {0};
    struct dw_diags diags = {0};
    struct dw_engine *e = NULL;
    _cleanup_json_ json_t *res = NULL;
    int r = cli_engine_open(cli, cli->workspace, &e, &diags, &err);
    dw_diags_release(&diags);
    if (r == 0 && n == 0) {
        dw_engine_close(e);
        fprintf(stderr, "dealwright: --set %s: no labelled messages (*.json)\n", dir);
        return EXIT_INPUT;
    }
    if (r == 0)
        r = dw_extract_eval_model(e, files, n, &res, &err);
    dw_engine_close(e);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        json_t *o = json_pack("{s:s}", "set", dir);
        json_object_update(o, res);
        if (!verbose)
            json_object_del(o, "misses");
        cli_print_json(o);
        json_decref(o);
        return EXIT_OK;
    }
    printf("%s: %lld messages, rules against rules + model\n\n%-22s %9s %9s %7s\n", dir,
           (long long)dw_json_int(res, "messages", 0), "field", "F1 rules", "F1 +model", "change");
    const char *name;
    json_t *fv;
    json_object_foreach(json_object_get(res, "rules"), name, fv) {
        double a = json_real_value(json_object_get(fv, "f1"));
        double b = json_real_value(
            json_object_get(json_object_get(json_object_get(res, "model"), name), "f1"));
        printf("%-22s %9.3f %9.3f %+7.3f\n", name, a, b, b - a);
    }
    const json_t *c = json_object_get(res, "calls");
    printf("\nmodel: %lld asked, %lld answered; facts %lld accepted (%lld filled a gap, %lld "
           "confirmed the rules, %lld disagreed), %lld rejected\n",
           (long long)dw_json_int(c, "asked", 0), (long long)dw_json_int(c, "answered", 0),
           (long long)dw_json_int(c, "accepted", 0), (long long)dw_json_int(c, "filled", 0),
           (long long)dw_json_int(c, "confirmed", 0), (long long)dw_json_int(c, "disagreements", 0),
           (long long)dw_json_int(c, "rejected", 0));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(res, "reasons"), k, v)
        printf("  rejected %lldx: %s\n", (long long)json_integer_value(v), k);
    json_object_foreach(json_object_get(res, "why"), k, v)
        printf("  no answer %lldx: %s\n", (long long)json_integer_value(v), k);
    if (verbose) {
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(res, "misses"), i, m) {
            char *ex = json_dumps(json_object_get(m, "expected"), JSON_COMPACT | JSON_ENCODE_ANY);
            char *ru = json_dumps(json_object_get(m, "rules"), JSON_COMPACT | JSON_ENCODE_ANY);
            char *mo = json_dumps(json_object_get(m, "model"), JSON_COMPACT | JSON_ENCODE_ANY);
            printf("%s %s: expected %s; rules %s; +model %s\n", dw_json_str(m, "file"),
                   dw_json_str(m, "field"), ex ? ex : "-", ru ? ru : "-", mo ? mo : "-");
            free(ex);
            free(ru);
            free(mo);
        }
    }
    return EXIT_OK;
}

/* score train / eval / show — the predictive scoring model of won and lost deals
 * (docs/internals/scoring.md). train stores a new model version in the workspace's state
 * (the qualification agent uses the latest); eval cross-validates the same training on a
 * file and needs no workspace; show prints the model in use. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define EXCLUDE_MAX 512

#define SCORE_USAGE                                                                                \
    "--csv FILE --target COLUMN --positive VALUE [--exclude COL,...] [--delimiter ,|;|tab] "       \
    "[--rounds N] [--max-depth N] [--eta X] [--min-child-weight X] [--subsample X] "               \
    "[--colsample X] [--threads N]"

struct score_args {
    struct dw_score_csv in;
    const char *exclude[EXCLUDE_MAX];
    char *exclude_buf;
};

/* A number option: -1 for a bad value, 0 when absent (the default), 1 when set. */
static int num_opt(int *argc, char **argv, const char *name, double *ret) {
    bool bad = false;
    const char *v = cli_opt(argc, argv, name, &bad);
    if (bad)
        return -1;
    if (!v)
        return 0;
    char *end;
    double d = strtod(v, &end);
    if (*end || !(d > 0) || d > 1e6) {
        cli_usage("%s must be a positive number, not '%s'", name, v);
        return -1;
    }
    *ret = d;
    return 1;
}

static int parse_params(int *argc, char **argv, struct dw_score_csv *in) {
    double rounds = 0, depth = 0, threads = 0;
    if (num_opt(argc, argv, "--rounds", &rounds) < 0 ||
        num_opt(argc, argv, "--threads", &threads) < 0 ||
        num_opt(argc, argv, "--max-depth", &depth) < 0 ||
        num_opt(argc, argv, "--eta", &in->eta) < 0 ||
        num_opt(argc, argv, "--min-child-weight", &in->min_child_weight) < 0 ||
        num_opt(argc, argv, "--subsample", &in->subsample) < 0 ||
        num_opt(argc, argv, "--colsample", &in->colsample_bytree) < 0)
        return EXIT_USAGE;
    if (rounds != (int)rounds || depth != (int)depth || threads != (int)threads)
        return cli_usage("--rounds, --max-depth and --threads are whole numbers");
    in->threads = (int)threads;
    in->rounds = (int)rounds;
    in->max_depth = (int)depth;
    return EXIT_OK;
}

static int parse_args(int *argc, char **argv, struct score_args *a, const char *usage) {
    bool bad = false;
    a->in.path = cli_opt(argc, argv, "--csv", &bad);
    a->in.target = cli_opt(argc, argv, "--target", &bad);
    a->in.positive = cli_opt(argc, argv, "--positive", &bad);
    const char *ex = cli_opt(argc, argv, "--exclude", &bad);
    const char *delim = cli_opt(argc, argv, "--delimiter", &bad);
    if (parse_params(argc, argv, &a->in) != EXIT_OK)
        return EXIT_USAGE;
    if (bad || !a->in.path || !a->in.target || !a->in.positive)
        return cli_usage("usage: %s", usage);
    if (delim) {
        if (strcmp(delim, ",") == 0 || strcmp(delim, ";") == 0)
            a->in.delimiter = delim[0];
        else if (strcmp(delim, "tab") == 0 || strcmp(delim, "\t") == 0)
            a->in.delimiter = '\t';
        else
            return cli_usage("--delimiter must be ',', ';' or 'tab', not '%s'", delim);
    }
    if (ex) {
        a->exclude_buf = strdup(ex);
        if (!a->exclude_buf)
            return EXIT_INTERNAL;
        for (char *save = NULL, *t = strtok_r(a->exclude_buf, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            if (a->in.n_exclude == EXCLUDE_MAX)
                return cli_usage("--exclude names more than %d columns", EXCLUDE_MAX);
            a->exclude[a->in.n_exclude++] = t;
        }
        a->in.exclude = a->exclude;
    }
    return EXIT_OK;
}

static void print_json(const json_t *j) {
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    fputc('\n', stdout);
}

static double num(const json_t *o, const char *key) {
    return json_number_value(json_object_get(o, key));
}

int cmd_score_train(struct cli *cli, int argc, char **argv) {
    struct score_args a = {0};
    int code = parse_args(&argc, argv, &a, "dealwright score train " SCORE_USAGE);
    if (code == EXIT_OK && argc != 0)
        code = cli_usage("usage: dealwright score train " SCORE_USAGE);
    if (code != EXIT_OK) {
        free(a.exclude_buf);
        return code;
    }
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    int r = dw_score_train_csv(cli->engine, &a.in, &res, &err);
    free(a.exclude_buf);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        print_json(res);
        return EXIT_OK;
    }
    long long version = (long long)dw_json_int(res, "version", 0);
    if (!dw_json_bool(res, "created", false))
        printf("model v%lld unchanged: the same data and parameters (hash %.12s)\n", version,
               dw_json_str(res, "hash"));
    else
        printf("model v%lld trained on %lld rows (%lld won), %lld columns (%lld features); "
               "training AUC %.4f; %.2f s\nhash %s\n",
               version, (long long)dw_json_int(res, "rows", 0),
               (long long)dw_json_int(res, "positives", 0),
               (long long)dw_json_int(res, "columns", 0),
               (long long)dw_json_int(res, "features", 0), num(res, "train_auc"),
               num(res, "seconds"), dw_json_str(res, "hash"));
    return EXIT_OK;
}

int cmd_score_eval(struct cli *cli, int argc, char **argv) {
    struct score_args a = {0};
    bool bad = false;
    const char *folds_s = cli_opt(&argc, argv, "--folds", &bad);
    int code = parse_args(&argc, argv, &a, "dealwright score eval " SCORE_USAGE " [--folds K]");
    if (code == EXIT_OK && (argc != 0 || bad))
        code = cli_usage("usage: dealwright score eval " SCORE_USAGE " [--folds K]");
    char *end = NULL;
    long folds = folds_s ? strtol(folds_s, &end, 10) : 10;
    if (code == EXIT_OK && folds_s && (*end || folds < 2 || folds > 20))
        code = cli_usage("--folds must be a number from 2 to 20, not '%s'", folds_s);
    if (code != EXIT_OK) {
        free(a.exclude_buf);
        return code;
    }
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    int r = dw_score_eval_csv(&a.in, (int)folds, &res, &err);
    free(a.exclude_buf);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        print_json(res);
        return EXIT_OK;
    }
    printf("%lld-fold cross-validated AUC %.4f (sd %.4f; pooled %.4f) on %lld rows (%lld "
           "positive), %lld features; %.2f s\n",
           (long long)dw_json_int(res, "folds", 0), num(res, "auc"), num(res, "auc_sd"),
           num(res, "pooled_auc"), (long long)dw_json_int(res, "rows", 0),
           (long long)dw_json_int(res, "positives", 0), (long long)dw_json_int(res, "features", 0),
           num(res, "seconds"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(res, "fold_auc"), i, v)
        printf("  fold %2zu  %.4f\n", i + 1, json_number_value(v));
    return EXIT_OK;
}

int cmd_score_show(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *vs = cli_opt(&argc, argv, "--version", &bad);
    char *end = NULL;
    long long version = vs ? strtoll(vs, &end, 10) : 0;
    if (bad || argc != 0 || (vs && (*end || version < 1)))
        return cli_usage("usage: dealwright score show [--version N] [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *m = NULL;
    int r = dw_score_show(cli->engine, version, &m, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        print_json(m);
        return EXIT_OK;
    }
    const json_t *schema = json_object_get(m, "schema"), *p = json_object_get(m, "params");
    printf("model v%lld, trained %s\nhash %s\n", (long long)dw_json_int(m, "version", 0),
           dw_json_str(m, "created_at"), dw_json_str(m, "hash"));
    printf("target %s = '%s'; %lld rows (%lld won); training AUC %.4f\n",
           dw_json_str(schema, "target"), dw_json_str(schema, "positive"),
           (long long)dw_json_int(m, "rows", 0), (long long)dw_json_int(m, "positives", 0),
           num(m, "train_auc"));
    printf("parameters: rounds %lld, max_depth %lld, eta %g, min_child_weight %g, subsample %g, "
           "colsample_bytree %g, lambda %g, seed %lld\n",
           (long long)dw_json_int(p, "rounds", 0), (long long)dw_json_int(p, "max_depth", 0),
           num(p, "eta"), num(p, "min_child_weight"), num(p, "subsample"),
           num(p, "colsample_bytree"), num(p, "lambda"), (long long)dw_json_int(p, "seed", 0));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(schema, "columns"), i, c) {
        const json_t *cats = json_object_get(c, "categories");
        if (cats)
            printf("  %-24s categorical (%zu values)\n", dw_json_str(c, "name"),
                   json_array_size(cats));
        else
            printf("  %-24s numeric\n", dw_json_str(c, "name"));
    }
    return EXIT_OK;
}

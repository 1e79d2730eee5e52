/* price, quote diff — price a solution file with the workspace's price books (no deal, no
 * store: what the pricing agent would quote); compare two quote revisions of a deal. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define SOLUTION_MAX (16u << 20) /* bytes of a solution file */

static int load_solution(const char *path, json_t **ret) {
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "dealwright: %s: cannot read the solution file\n", path);
        return EXIT_NOTFOUND;
    }
    if (st.st_size > (off_t)SOLUTION_MAX)
        return cli_bad_input("%s: larger than %u MiB", path, SOLUTION_MAX >> 20);
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return cli_bad_input("%s:%d:%d: %s", path, je.line, je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return cli_bad_input(
            "%s: a solution is a JSON object {\"lines\": [{\"sku\", \"quantity\"}]}", path);
    }
    *ret = j;
    return EXIT_OK;
}

int cmd_price(struct cli *cli, int argc, char **argv) {
    static const char usage[] = "usage: dealwright price --solution FILE [--currency CUR] "
                                "[--country CC] [--discount PCT] [--term MONTHS]";
    bool bad = false;
    const char *file = cli_opt(&argc, argv, "--solution", &bad);
    struct dw_price_request req = {
        .currency = cli_opt(&argc, argv, "--currency", &bad),
        .country = cli_opt(&argc, argv, "--country", &bad),
        .discount_pct = cli_opt(&argc, argv, "--discount", &bad),
    };
    const char *term = cli_opt(&argc, argv, "--term", &bad);
    char *end = NULL;
    long months = term ? strtol(term, &end, 10) : 0;
    if (bad || argc != 0 || !file || (term && (*end || months < 1 || months > 600)))
        return cli_usage("%s", usage);
    req.term_months = (int)months;
    _cleanup_json_ json_t *sol = NULL;
    int rc = load_solution(file, &sol);
    if (rc != EXIT_OK)
        return rc;
    if (dw_base_init() < 0)
        return EXIT_INTERNAL;
    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    int r = dw_workspace_load(cli->workspace, &ws, &diags);
    if (r < 0) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                    diags.v[i].msg);
        dw_diags_release(&diags);
        fprintf(stderr, "dealwright: the workspace %s is not valid (dealwright validate)\n",
                cli->workspace);
        return cli_workspace_exit(r);
    }
    dw_diags_release(&diags);
    struct dw_error err = {0};
    json_t *quote = NULL;
    if ((r = cli_now(&req.now, &err)) == 0)
        r = dw_price_solution(ws, sol, &req, &quote, &err);
    dw_workspace_unref(ws);
    if (r < 0) {
        char buf[1024];
        fprintf(stderr, "dealwright: %s: %s\n", file, dw_error_format(&err, buf, sizeof buf));
        return cli_error_exit(&err, r);
    }
    cli_print_json(quote);
    json_decref(quote);
    return EXIT_OK;
}

static int revision_arg(const char *s, int *ret) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 'R' || *s == 'r')
        v = strtol(s + 1, &end, 10);
    if (*end || v < 1 || v > 1000000)
        return -1;
    *ret = (int)v;
    return 0;
}

int cmd_quote_diff(struct cli *cli, int argc, char **argv) {
    int64_t id;
    int from, to;
    if (argc != 3 || dw_id_parse('D', argv[0], &id) < 0 || revision_arg(argv[1], &from) < 0 ||
        revision_arg(argv[2], &to) < 0)
        return cli_usage("usage: dealwright quote diff DEAL R1 R2 [--json] (revisions like 1 "
                         "or R1)");
    struct dw_error err = {0};
    _cleanup_json_ json_t *diff = NULL;
    int r = dw_quote_diff_revisions(cli->engine, id, from, to, &diff, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(diff);
        return EXIT_OK;
    }
    char *text = NULL;
    if ((r = dw_quote_diff_format(diff, &text)) < 0)
        return cli_fail(NULL, r);
    printf("%s: %s", argv[0], text);
    free(text);
    return EXIT_OK;
}

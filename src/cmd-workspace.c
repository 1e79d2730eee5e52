/* init, validate — create a workspace from the built-in example; check one.
 *
 * The example is compiled into the binary (src/embed.py makes src/example.c from
 * example/), so `init` works wherever the binary is, without the source tree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cmd_init(struct cli *cli, int argc, char **argv) {
    (void)cli;
    if (argc != 1)
        return cli_usage("usage: dealwright init DIR");
    struct dw_error err = {0};
    int r = cli_write_example(argv[0], &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("Created the workspace %s from the example (%zu files).\n"
           "Next: cd %s && dealwright validate && dealwright lead add samples/leads.jsonl && "
           "dealwright run\n",
           argv[0], example_n_files, argv[0]);
    return EXIT_OK;
}

int cmd_validate(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright validate");
    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    if (dw_base_init() < 0)
        return EXIT_INTERNAL;
    int r = dw_workspace_load(cli->workspace, &ws, &diags);
    if (r < 0) {
        for (size_t i = 0; i < diags.n; i++)
            printf("%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                   diags.v[i].msg);
        fprintf(stderr, "dealwright: %zu problem%s in %s\n", diags.n, diags.n == 1 ? "" : "s",
                cli->workspace);
        dw_diags_release(&diags);
        /* validate is a check: problems found are "a check answered no" (1) */
        return r == -DW_EVALIDATE ? EXIT_CHECK : cli_workspace_exit(r);
    }
    if (cli->json) {
        json_t *o =
            json_pack("{s:b,s:s,s:I,s:I,s:I,s:I}", "valid", 1, "hash", ws->hash, "items",
                      (json_int_t)ws->n_items, "pricebooks", (json_int_t)ws->n_pricebooks, "users",
                      (json_int_t)ws->team.n_users, "documents", (json_int_t)ws->n_documents);
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%s: valid — %zu catalog items, %zu price books, %zu users, %zu knowledge "
               "documents\nworkspace hash %s\n",
               cli->workspace, ws->n_items, ws->n_pricebooks, ws->team.n_users, ws->n_documents,
               ws->hash);
    }
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
    return EXIT_OK;
}

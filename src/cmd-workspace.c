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
    int r = dw_workspace_write_example(argv[0], &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("Created the workspace %s from the example (%d files).\n"
           "Next: cd %s && dealwright validate && dealwright lead add samples/leads.jsonl && "
           "dealwright run\n",
           argv[0], r, argv[0]);
    return EXIT_OK;
}

int cmd_validate(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright validate");
    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    if (dw_init() < 0)
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
    struct dw_error err = {0};
    json_t *sum = NULL;
    if ((r = dw_workspace_summary(ws, &sum, &err)) < 0) {
        dw_workspace_unref(ws);
        dw_diags_release(&diags);
        return cli_fail(&err, r);
    }
    if (cli->json) {
        json_t *o = json_pack("{s:b}", "valid", 1);
        json_object_update(o, sum);
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%s: valid — %lld catalog items, %lld price books, %lld users, %lld knowledge "
               "documents\nworkspace hash %s\n",
               cli->workspace, (long long)dw_json_int(sum, "items", 0),
               (long long)dw_json_int(sum, "pricebooks", 0),
               (long long)dw_json_int(sum, "users", 0), (long long)dw_json_int(sum, "documents", 0),
               dw_json_str(sum, "hash"));
    }
    json_decref(sum);
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
    return EXIT_OK;
}

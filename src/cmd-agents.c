/* agents — the registry: each agent's needs, products and the tools it may use, in
 * pipeline order. What the control plane plans with, shown to people. */
#include "cli.h"

int cmd_agents(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright agents [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_agents_list(&list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    size_t i;
    json_t *a;
    json_array_foreach(cli->json ? NULL : list, i, a) {
        printf("%-14s needs %-28s produces %-13s  %s\n", dw_json_str(a, "name"),
               dw_json_str(a, "needs"), dw_json_str(a, "produces"), dw_json_str(a, "summary"));
        printf("%-14s tools:", "");
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(a, "tools"), k, t) printf(" %s", json_string_value(t));
        printf("\n");
    }
    if (cli->json)
        cli_print_json(list);
    return EXIT_OK;
}

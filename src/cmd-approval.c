/* approvals, approve, reject — the human gates. The deciding user must hold the role the
 * policy names (or, for discounts, a higher band's role); the deal runs on afterwards. */
#include <string.h>

#include "cli.h"

int cmd_approvals(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *limit_s = cli_opt(&argc, argv, "--limit", &bad);
    const char *after = cli_opt(&argc, argv, "--after", &bad);
    const char *status = cli_opt(&argc, argv, "--status", &bad);
    long limit = 0;
    if (bad || argc != 0 || (limit_s && cli_parse_long(limit_s, 1, DW_PAGE_MAX, &limit) < 0))
        return cli_usage("usage: dealwright approvals [--status pending|approved|rejected|all] "
                         "[--limit N (1-%d)] [--after CURSOR] [--json]",
                         DW_PAGE_MAX);
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL, *page = NULL;
    int r = limit_s || after || status
                ? dw_approvals_page_status(cli->engine, status ? status : "pending", after,
                                           (int)limit, &page, &err)
                : dw_approvals_list(cli->engine, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (page)
        list = json_incref(json_object_get(page, "items"));
    if (cli->json) {
        cli_print_json(list);
        cli_page_next(page, "approvals", (int)limit, "--status", status);
        return EXIT_OK;
    }
    if (!json_array_size(list)) {
        if (status && strcmp(status, "pending") != 0)
            printf("No approvals %s.\n", strcmp(status, "all") == 0 ? "at all" : status);
        else
            printf("No approvals pending.\n");
        return EXIT_OK;
    }
    printf("%-9s %-9s %-15s %-10s %-4s %s\n", "APPROVAL", "DEAL", "KIND", "ROLE", "REV", "WHY");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        printf("%-9s %-9s %-15s %-10s %-4lld ", dw_json_str(a, "id"), dw_json_str(a, "deal"),
               dw_json_str(a, "kind"), dw_json_str(a, "required_role"),
               (long long)dw_json_int(a, "quote_revision", 0));
        cli_put_text(stdout, dw_json_str(a, "reason"), false); /* may quote the customer */
        printf(" [%s]\n", dw_json_str(a, "rule"));
    }
    cli_page_next(page, "approvals", (int)limit, "--status", status);
    return EXIT_OK;
}

static int decide(struct cli *cli, int argc, char **argv, bool approve) {
    bool bad = false;
    const char *user = cli_opt(&argc, argv, "--as", &bad);
    const char *note = cli_opt(&argc, argv, approve ? "--note" : "--reason", &bad);
    int64_t id;
    if (bad || argc != 1 || !user || dw_id_parse('A', argv[0], &id) < 0 || (!approve && !note))
        return cli_usage(approve ? "usage: dealwright approve ID --as USER [--note T]"
                                 : "usage: dealwright reject ID --as USER --reason T");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    int r = dw_approval_decide(cli->engine, id, approve, user, note, &res, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json)
        cli_print_json(res);
    else
        printf("%s %s by %s; %s is now %s\n", dw_json_str(json_object_get(res, "approval"), "id"),
               approve ? "approved" : "rejected", user, dw_json_str(res, "deal"),
               dw_json_str(res, "stage"));
    return EXIT_OK;
}

int cmd_approve(struct cli *cli, int argc, char **argv) {
    return decide(cli, argc, argv, true);
}
int cmd_reject(struct cli *cli, int argc, char **argv) {
    return decide(cli, argc, argv, false);
}

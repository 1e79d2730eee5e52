/* token create, token list, token revoke — the server's API tokens. The secret is printed
 * once, at creation; the store keeps only its hash. */
#include <string.h>

#include "cli.h"

int cmd_token_create(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *user = cli_opt(&argc, argv, "--user", &bad);
    const char *role = cli_opt(&argc, argv, "--role", &bad);
    (void)argv;
    if (bad || argc != 0 || !user || !role)
        return cli_usage("usage: dealwright token create --user U --role R");
    struct dw_error err = {0};
    _cleanup_json_ json_t *t = NULL;
    int r = dw_token_create(cli->engine, user, role, &t, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(t);
        return EXIT_OK;
    }
    printf("token %lld for %s as %s:\n%s\n", (long long)dw_json_int(t, "id", 0), user, role,
           dw_json_str(t, "secret"));
    fprintf(stderr, "Keep it now: it is not shown again (only its hash is stored).\n");
    return EXIT_OK;
}

int cmd_token_list(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright token list [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_tokens_list(cli->engine, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(list);
        return EXIT_OK;
    }
    printf("%-6s %-16s %-16s %-12s %-21s %-8s %s\n", "ID", "USER", "ROLE", "PREFIX", "CREATED",
           "STATUS", "REVOKED");
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        const char *rev = dw_json_str(t, "revoked_at");
        printf("%-6lld ", (long long)dw_json_int(t, "id", 0));
        cli_cell(stdout, dw_json_str(t, "user"), 16, false);
        printf(" %-16s dwt_%-8s %-21s %-8s %s\n", dw_json_str(t, "role"), dw_json_str(t, "prefix"),
               dw_json_str(t, "created_at"), dw_json_str(t, "status"), rev ? rev : "-");
    }
    return EXIT_OK;
}

int cmd_token_revoke(struct cli *cli, int argc, char **argv) {
    int64_t id;
    if (argc != 1 || dw_id_parse('T', argv[0], &id) < 0)
        return cli_usage("usage: dealwright token revoke ID");
    struct dw_error err = {0};
    int r = dw_token_revoke(cli->engine, id, "cli", &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("token %lld revoked\n", (long long)id);
    return EXIT_OK;
}

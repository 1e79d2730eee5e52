/* deal link — the buyer's page: a signed, expiring link to the deal's current quote revision
 * that the customer opens without an account (served by `serve` at /p/TOKEN), or --revoke
 * to withdraw every open link of the deal, or --list to see them (never their tokens). */
#include <string.h>

#include "cli.h"

int cmd_deal_link(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *days = cli_opt(&argc, argv, "--days", &bad);
    const char *user = cli_opt(&argc, argv, "--as", &bad);
    const char *base = cli_opt(&argc, argv, "--base", &bad);
    bool revoke = cli_flag(&argc, argv, "--revoke");
    bool list = cli_flag(&argc, argv, "--list");
    int64_t id;
    if (bad || argc != 1 || dw_id_parse('D', argv[0], &id) < 0 || (revoke && list))
        return cli_usage("usage: dealwright deal link ID [--days N] [--as USER] [--base URL] | "
                         "--revoke | --list");
    int n = 0;
    if (days) {
        char *end = NULL;
        long v = strtol(days, &end, 10);
        if (!*days || *end || v < 1 || v > 90)
            return cli_usage("--days: 1 to 90, got '%s'", days);
        n = (int)v;
    }
    if (base && strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
        return cli_usage("--base: an http:// or https:// URL, got '%s'", base);
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    int r = revoke ? dw_buyer_link_revoke(cli->engine, id, user, NULL, &out, &err)
            : list ? dw_buyer_links(cli->engine, id, &out, &err)
                   : dw_buyer_link_create(cli->engine, id, n, user, NULL, &out, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(out);
        return EXIT_OK;
    }
    if (revoke) {
        printf("%s: %lld link(s) revoked\n", argv[0], (long long)dw_json_int(out, "revoked", 0));
        return EXIT_OK;
    }
    if (list) {
        size_t i;
        json_t *l;
        json_array_foreach(out, i, l) {
            printf("%s/%lld  revision %lld  %-10s  expires %s\n", argv[0],
                   (long long)dw_json_int(l, "link", 0), (long long)dw_json_int(l, "revision", 0),
                   dw_json_str(l, "state"), dw_json_str(l, "expires_at"));
        }
        return EXIT_OK;
    }
    size_t bl = base ? strlen(base) : 0;
    printf("%.*s%s\n", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl), base ? base : "",
           dw_json_str(out, "path"));
    fprintf(stderr, "link %lld to quote revision %lld of %s, valid until %s\n",
            (long long)dw_json_int(out, "link", 0), (long long)dw_json_int(out, "revision", 0),
            dw_json_str(out, "deal"), dw_json_str(out, "expires_at"));
    return EXIT_OK;
}

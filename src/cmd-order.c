/* accept, quote discount — the customer accepts a quote revision (the order follows from
 * exactly that revision); a person changes a deal's discount (a new revision). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_accept(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *rev = cli_opt(&argc, argv, "--revision", &bad);
    const char *user = cli_opt(&argc, argv, "--as", &bad);
    const char *customer = cli_opt(&argc, argv, "--customer", &bad);
    int64_t id;
    char *end = NULL;
    long revision = rev ? strtol(rev, &end, 10) : 0;
    if (bad || argc != 1 || dw_id_parse('D', argv[0], &id) < 0 ||
        (rev && (*end || revision < 1 || revision > 1000000)))
        return cli_usage(
            "usage: dealwright accept DEAL [--revision N] [--as USER] [--customer NAME]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *order = NULL;
    int r = dw_deal_accept_as(cli->engine, id, (int)revision, user, NULL, customer, &order, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json)
        cli_print_json(order);
    else
        printf("%s: order %s for %s %s from quote revision %lld\n", argv[0],
               dw_json_str(order, "id"), dw_json_str(order, "currency"),
               dw_json_str(order, "total"), (long long)dw_json_int(order, "quote_revision", 0));
    return EXIT_OK;
}

int cmd_quote_discount(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *user = cli_opt(&argc, argv, "--as", &bad);
    int64_t id;
    if (bad || argc != 2 || !user || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright quote discount DEAL PCT --as USER");
    struct dw_error err = {0};
    _cleanup_json_ json_t *deal = NULL;
    int r = dw_quote_discount(cli->engine, id, argv[1], user, &deal, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(deal);
        return EXIT_OK;
    }
    const json_t *q = json_object_get(deal, "quote");
    printf("%s: quote revision %lld, discount %s %%, total %s %s; stage %s\n", argv[0],
           (long long)dw_json_int(q, "revision", 0), dw_json_str(q, "discount_pct"),
           dw_json_str(q, "currency"), dw_json_str(q, "total"), dw_json_str(deal, "stage"));
    return EXIT_OK;
}

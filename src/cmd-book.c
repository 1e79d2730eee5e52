/* deal book, deal ics — book one of a deal's offered demo slots for the customer (or cancel
 * the booking), and write the deal's calendar invitation. */
#include <string.h>

#include "cli.h"

int cmd_deal_book(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *user = cli_opt(&argc, argv, "--as", &bad);
    bool cancel = cli_flag(&argc, argv, "--cancel");
    int64_t id;
    if (bad || !user || argc < 1 || argc > 2 || (cancel ? argc != 1 : argc != 2) ||
        dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright deal book DEAL SLOT --as USER\n"
                         "       dealwright deal book DEAL --cancel --as USER\n"
                         "SLOT is the offered slot's number (1, 2, ...) or its start time");
    struct dw_error err = {0};
    _cleanup_json_ json_t *b = NULL;
    int r = cancel ? dw_deal_book_cancel(cli->engine, id, user, NULL, &b, &err)
                   : dw_deal_book(cli->engine, id, argv[1], user, NULL, &b, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(b);
        return EXIT_OK;
    }
    if (cancel)
        printf("%s: demo of %s with %s cancelled (invitation sequence %lld)\n", argv[0],
               dw_json_str(b, "start"), dw_json_str(b, "name"),
               (long long)dw_json_int(b, "sequence", 0));
    else
        printf("%s: demo booked %s to %s with %s (%s, sequence %lld)%s\n", argv[0],
               dw_json_str(b, "start"), dw_json_str(b, "end"), dw_json_str(b, "name"),
               dw_json_str(b, "uid"), (long long)dw_json_int(b, "sequence", 0),
               dw_json_bool(b, "changed", true) ? "" : " — already booked, nothing changed");
    return EXIT_OK;
}

int cmd_deal_ics(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *out = cli_opt(&argc, argv, "-o", &bad);
    int64_t id;
    if (bad || argc != 1 || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright deal ics DEAL [-o FILE.ics]");
    struct dw_error err = {0};
    _cleanup_free_ char *ics = NULL;
    int r = dw_deal_invitation(cli->engine, id, &ics, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (!out || strcmp(out, "-") == 0) {
        fputs(ics, stdout);
        return EXIT_OK;
    }
    if ((r = dw_write_file_atomic(out, ics, strlen(ics), &err)) < 0)
        return cli_fail(&err, r);
    return EXIT_OK;
}

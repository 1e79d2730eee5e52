/* privacy purge — apply the workspace's personal-data retention period: redact the personal
 * data of deals closed (or waiting on the customer) for longer than it. --dry-run lists
 * them and changes nothing. */
#include "cli.h"

int cmd_privacy_purge(struct cli *cli, int argc, char **argv) {
    bool dry = cli_flag(&argc, argv, "--dry-run");
    if (argc != 0)
        return cli_usage("usage: dealwright privacy purge [--dry-run] [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    int r = dw_privacy_purge(cli->engine, dry, &res, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(res);
        return EXIT_OK;
    }
    const json_t *deals = json_object_get(res, "deals");
    size_t i;
    json_t *d;
    json_array_foreach(deals, i, d) printf("%s  %-14s last change %s\n", dw_json_str(d, "deal"),
                                           dw_json_str(d, "stage"), dw_json_str(d, "updated_at"));
    printf("%zu deal%s past the retention period of %lld days%s\n", json_array_size(deals),
           json_array_size(deals) == 1 ? "" : "s", (long long)dw_json_int(res, "retention_days", 0),
           dry                      ? " (dry run: nothing changed)"
           : json_array_size(deals) ? ": personal data redacted"
                                    : "");
    return EXIT_OK;
}

/* lead add FILE.csv, deals export, quotes export — CSV in from a CRM's export, and deals and
 * quotes out for spreadsheets and CRM re-import (include/dealwright/csv.h). */
#include <string.h>

#include "cli.h"

int cli_lead_add_csv(struct cli *cli, const char *path, const char *map) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *leads = NULL, *res = NULL;
    const char *kind = NULL;
    int r = dw_leads_read_csv(path, map, &leads, &kind, &err);
    if (r < 0)
        return cli_fail(&err, r);
    /* every row was checked where it stands; one transaction stores all or none */
    if ((r = dw_leads_submit(cli->engine, leads, &res, &err)) < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(res);
        return EXIT_OK;
    }
    size_t i, created = 0, dup = 0;
    json_t *o;
    json_array_foreach(res, i, o) {
        const char *st = dw_json_str(o, "status");
        if (strcmp(st, "created") == 0) {
            printf("%s\n", dw_json_str(o, "deal"));
            created++;
        } else {
            printf("%s\t(%s)\n", dw_json_str(o, "deal"), st);
            dup += strcmp(st, "duplicate") == 0;
        }
    }
    fprintf(stderr, "%zu row%s of a %s export: %zu new, %zu already imported\n",
            json_array_size(res), json_array_size(res) == 1 ? "" : "s",
            strcmp(kind, "hubspot") == 0      ? "HubSpot"
            : strcmp(kind, "salesforce") == 0 ? "Salesforce"
                                              : "CSV",
            created, dup);
    return EXIT_OK;
}

static int export(struct cli *cli, int argc, char **argv, bool quotes) {
    bool bad = false;
    const char *format = cli_opt(&argc, argv, "--format", &bad);
    const char *out = cli_opt(&argc, argv, "-o", &bad);
    if (bad || argc != 0)
        return cli_usage("usage: dealwright %s export [--format csv|json] [-o FILE]",
                         quotes ? "quotes" : "deals");
    /* --json asks for JSON, as it does of every command; with --format csv it is a contradiction */
    if (cli->json && format && strcmp(format, "json") != 0)
        return cli_usage("%s export: --json and --format %s contradict each other",
                         quotes ? "quotes" : "deals", format);
    if (cli->json)
        format = "json";
    struct dw_error err = {0};
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = quotes ? dw_quotes_export(cli->engine, format, &text, &len, &err)
                   : dw_deals_export(cli->engine, format, &text, &len, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (!out || strcmp(out, "-") == 0) {
        fwrite(text, 1, len, stdout);
        return EXIT_OK;
    }
    if ((r = dw_write_file_atomic(out, text, len, &err)) < 0)
        return cli_fail(&err, r);
    return EXIT_OK;
}

int cmd_deals_export(struct cli *cli, int argc, char **argv) {
    return export(cli, argc, argv, false);
}

int cmd_quotes_export(struct cli *cli, int argc, char **argv) {
    return export(cli, argc, argv, true);
}

/* audit verify, audit show — check the tamper-evident chain; a deal's trail. */
#include "cli.h"

int cmd_audit_verify(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright audit verify");
    struct dw_error err = {0};
    int64_t count = 0, bad = 0;
    int r = dw_audit_verify(cli->engine, &count, &bad, &err);
    if (r == -DW_EINTEGRITY) {
        char buf[1024];
        if (cli->json) {
            json_t *j =
                json_pack("{s:b,s:I,s:I,s:s}", "ok", 0, "checked", (json_int_t)count, "bad_seq",
                          (json_int_t)bad, "error", dw_error_format(&err, buf, sizeof buf));
            cli_print_json(j);
            json_decref(j);
        }
        fprintf(stderr, "dealwright: audit chain BROKEN at record %lld: %s\n", (long long)bad,
                dw_error_format(&err, buf, sizeof buf));
        return EXIT_CHECK;
    }
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        json_t *j = json_pack("{s:b,s:I}", "ok", 1, "checked", (json_int_t)count);
        cli_print_json(j);
        json_decref(j);
    } else {
        printf("audit chain intact: %lld records verified\n", (long long)count);
    }
    return EXIT_OK;
}

int cmd_audit_show(struct cli *cli, int argc, char **argv) {
    int64_t id;
    if (argc != 1 || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright audit show DEAL [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_audit_show(cli->engine, id, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(list);
        return EXIT_OK;
    }
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        const char *h = dw_json_str(a, "hash");
        printf("%6lld %s %-22s %-18s %.12s\n", (long long)dw_json_int(a, "seq", 0),
               dw_json_str(a, "at"), dw_json_str(a, "actor"), dw_json_str(a, "action"), h ? h : "");
    }
    return EXIT_OK;
}

/* webhook add, list, remove, deliveries, replay, deliver — signed webhooks from the event
 * log (docs/internals/server.md "Webhooks"). A generated secret is printed once. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* --attempts and --backoff-ms (flag names after `prefix`, "--" or "--webhook-"), as
 * `webhook deliver` and `serve` take them; 0, or the usage exit code. */
int cli_webhook_opts(const char *prefix, const char *attempts, const char *backoff,
                     struct dw_webhook_opts *o) {
    long v;
    if (attempts) {
        if (cli_parse_long(attempts, 1, 100, &v) < 0)
            return cli_usage("%sattempts: 1-100, got '%s'", prefix, attempts);
        o->max_attempts = (int)v;
    }
    if (backoff) {
        if (cli_parse_long(backoff, 1, 86400000, &v) < 0)
            return cli_usage("%sbackoff-ms: 1-86400000, got '%s'", prefix, backoff);
        o->backoff_ms = v;
    }
    return 0;
}

int cmd_webhook_add(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *url = cli_opt(&argc, argv, "--url", &bad);
    const char *events = cli_opt(&argc, argv, "--events", &bad);
    const char *secret = cli_opt(&argc, argv, "--secret", &bad);
    if (bad || argc != 0 || !url || !events)
        return cli_usage("usage: dealwright webhook add --url URL --events TYPE,... [--secret S]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *h = NULL;
    int r = dw_webhook_add(cli->engine, "cli", url, events, secret, &h, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(h);
        return EXIT_OK;
    }
    printf("webhook %lld: %s for %s\n", (long long)dw_json_int(h, "id", 0), url, events);
    if (!secret) {
        printf("secret: %s\n", dw_json_str(h, "secret"));
        fprintf(stderr, "Keep it now: it is not shown again.\n");
    }
    return EXIT_OK;
}

int cmd_webhook_list(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright webhook list [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_webhooks_list(cli->engine, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(list);
        return EXIT_OK;
    }
    printf("%-6s %-10s %-30s %s\n", "ID", "AT EVENT", "EVENTS", "URL");
    size_t i;
    json_t *h;
    json_array_foreach(list, i, h) {
        printf("%-6lld %-10lld %-30s %s\n", (long long)dw_json_int(h, "id", 0),
               (long long)dw_json_int(h, "last_seq", 0), dw_json_str(h, "events"),
               dw_json_str(h, "url"));
    }
    return EXIT_OK;
}

int cmd_webhook_remove(struct cli *cli, int argc, char **argv) {
    long id;
    if (argc != 1 || cli_parse_long(argv[0], 1, 1L << 40, &id) < 0)
        return cli_usage("usage: dealwright webhook remove ID");
    struct dw_error err = {0};
    int r = dw_webhook_remove(cli->engine, "cli", id, &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("webhook %ld removed\n", id);
    return EXIT_OK;
}

int cmd_webhook_deliveries(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *status = cli_opt(&argc, argv, "--status", &bad);
    const char *limit_s = cli_opt(&argc, argv, "--limit", &bad);
    const char *after = cli_opt(&argc, argv, "--after", &bad);
    long limit = 0;
    if (bad || argc != 0 || (limit_s && cli_parse_long(limit_s, 1, DW_PAGE_MAX, &limit) < 0))
        return cli_usage("usage: dealwright webhook deliveries [--status pending|delivered|dead] "
                         "[--limit N (1-%d)] [--after CURSOR]",
                         DW_PAGE_MAX);
    if (status && strcmp(status, "pending") && strcmp(status, "delivered") &&
        strcmp(status, "dead"))
        return cli_usage("--status: pending, delivered or dead, got '%s'", status);
    struct dw_error err = {0};
    _cleanup_json_ json_t *page = NULL;
    int r = dw_webhook_deliveries_page(cli->engine, status, after, (int)limit, &page, &err);
    if (r < 0)
        return cli_fail(&err, r);
    json_t *list = json_object_get(page, "items");
    if (cli->json) {
        cli_print_json(list);
        cli_page_next(page, "webhook deliveries", (int)limit, "--status", status);
        return EXIT_OK;
    }
    printf("%-8s %-8s %-8s %-24s %-10s %-8s %s\n", "ID", "WEBHOOK", "EVENT", "TYPE", "STATUS",
           "ATTEMPTS", "LAST ERROR");
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        const char *e = dw_json_str(d, "last_error");
        printf("%-8lld %-8lld %-8lld %-24s %-10s %-8lld %s\n", (long long)dw_json_int(d, "id", 0),
               (long long)dw_json_int(d, "webhook_id", 0),
               (long long)dw_json_int(d, "event_seq", 0), dw_json_str(d, "event_type"),
               dw_json_str(d, "status"), (long long)dw_json_int(d, "attempts", 0), e ? e : "-");
    }
    cli_page_next(page, "webhook deliveries", (int)limit, "--status", status);
    return EXIT_OK;
}

int cmd_webhook_replay(struct cli *cli, int argc, char **argv) {
    bool all = cli_flag(&argc, argv, "--dead");
    long id = 0;
    if ((all && argc != 0) ||
        (!all && (argc != 1 || cli_parse_long(argv[0], 1, 1L << 40, &id) < 0)))
        return cli_usage("usage: dealwright webhook replay DELIVERY|--dead");
    struct dw_error err = {0};
    int64_t n = 0;
    int r = dw_webhook_replay(cli->engine, "cli", id, &n, &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("%lld dead deliver%s pending again\n", (long long)n, n == 1 ? "y" : "ies");
    return EXIT_OK;
}

int cmd_webhook_deliver(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *attempts = cli_opt(&argc, argv, "--attempts", &bad);
    const char *backoff = cli_opt(&argc, argv, "--backoff-ms", &bad);
    (void)argv;
    struct dw_webhook_opts o = {0};
    if (bad || argc != 0)
        return cli_usage("usage: dealwright webhook deliver [--attempts N] [--backoff-ms MS]");
    int u = cli_webhook_opts("--", attempts, backoff, &o);
    if (u)
        return u;
    struct dw_error err = {0};
    struct dw_webhook_stats st = {0};
    int r = dw_webhook_deliver(cli->engine, &o, &st, &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("webhooks: %lld queued, %lld delivered, %lld to retry, %lld dead\n",
           (long long)st.enqueued, (long long)st.delivered, (long long)st.failed,
           (long long)st.dead);
    return EXIT_OK;
}

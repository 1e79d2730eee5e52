/* Read commands over the whole store: the event log, the audit chain and the counts, for
 * people and scripts (--json) that would otherwise read the database itself — which only
 * works for one backend. */
#include <string.h>

#include "cli.h"

typedef int (*page_fn)(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                       struct dw_error *err);

/* Every record after `after` whose `key` equals `want` (NULL: any), at most limit (0: all),
 * read a page at a time. */
static int read_log(struct dw_engine *e, page_fn fn, int64_t after, long limit, const char *key,
                    const char *want, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *out = json_array();
    if (!out)
        return -DW_ENOMEM;
    for (;;) {
        _cleanup_json_ json_t *page = NULL;
        int r = fn(e, after, 1000, &page, err);
        if (r < 0)
            return r;
        size_t i;
        json_t *rec;
        json_array_foreach(page, i, rec) {
            after = dw_json_int(rec, "seq", after);
            const char *v = dw_json_str(rec, key);
            if (want && (!v || strcmp(v, want) != 0))
                continue;
            if (limit > 0 && (long)json_array_size(out) >= limit)
                break;
            json_array_append(out, rec);
        }
        if (json_array_size(page) < 1000 || (limit > 0 && (long)json_array_size(out) >= limit))
            break;
    }
    *ret = DW_TAKE_PTR(out);
    return 0;
}

static int log_cmd(struct cli *cli, int argc, char **argv, page_fn fn, const char *key,
                   const char *opt, const char *usage) {
    bool bad = false;
    const char *want = cli_opt(&argc, argv, opt, &bad);
    const char *after_s = cli_opt(&argc, argv, "--after", &bad);
    const char *limit_s = cli_opt(&argc, argv, "--limit", &bad);
    long after = 0, limit = 0;
    if (bad || argc != 0 || (after_s && cli_parse_long(after_s, 0, 1L << 62, &after) < 0) ||
        (limit_s && cli_parse_long(limit_s, 1, 1L << 30, &limit) < 0))
        return cli_usage("%s", usage);
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = read_log(cli->engine, fn, after, limit, key, want, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(list);
        return EXIT_OK;
    }
    size_t i;
    json_t *rec;
    json_array_foreach(list, i, rec) {
        char id[32] = "-";
        if (dw_json_int(rec, "deal_id", 0) > 0)
            dw_id_format('D', dw_json_int(rec, "deal_id", 0), id, sizeof id);
        printf("%6lld %s %-9s %s%s%s\n", (long long)dw_json_int(rec, "seq", 0),
               dw_json_str(rec, "at"), id, dw_json_str(rec, key),
               dw_json_str(rec, "actor") ? " " : "",
               dw_json_str(rec, "actor") ? dw_json_str(rec, "actor") : "");
    }
    return EXIT_OK;
}

int cmd_events_list(struct cli *cli, int argc, char **argv) {
    return log_cmd(cli, argc, argv, dw_events_since, "type", "--type",
                   "usage: dealwright events list [--type T] [--after SEQ] [--limit N] [--json]");
}

int cmd_audit_list(struct cli *cli, int argc, char **argv) {
    return log_cmd(cli, argc, argv, dw_audit_since, "action", "--action",
                   "usage: dealwright audit list [--action A] [--after SEQ] [--limit N] [--json]");
}

int cmd_stats(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright stats [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *st = NULL;
    int r = dw_stats(cli->engine, &st, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(st);
        return EXIT_OK;
    }
    const char *k;
    json_t *v;
    json_object_foreach(st, k, v) {
        if (json_is_integer(v))
            printf("%-18s %lld\n", k, (long long)json_integer_value(v));
    }
    json_t *stages = json_object_get(st, "stages");
    json_object_foreach(stages, k, v)
        printf("stage %-12s %lld\n", k, (long long)json_integer_value(v));
    return EXIT_OK;
}

int cli_deals_show_all(struct cli *cli, int argc) {
    if (argc != 0)
        return cli_usage("usage: dealwright deal show --all [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = json_array();
    _cleanup_free_ char *after = NULL;
    if (!out)
        return cli_fail(NULL, -DW_ENOMEM);
    for (;;) {
        _cleanup_json_ json_t *page = NULL;
        int r = dw_deals_page(cli->engine, NULL, after, DW_PAGE_MAX, &page, &err);
        if (r < 0)
            return cli_fail(&err, r);
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(page, "items"), i, row) {
            int64_t id;
            json_t *d = NULL;
            if (dw_id_parse('D', dw_json_str(row, "id"), &id) < 0)
                continue;
            if ((r = dw_deal_show(cli->engine, id, &d, &err)) < 0)
                return cli_fail(&err, r);
            json_array_append_new(out, d);
        }
        const char *next = dw_json_str(page, "next");
        if (!next)
            break;
        free(after);
        after = strdup(next);
        if (!after)
            return cli_fail(NULL, -DW_ENOMEM);
    }
    cli_print_json(out);
    return EXIT_OK;
}

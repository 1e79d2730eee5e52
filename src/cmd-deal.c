/* deals, deal show — list deals; show one whole (the contract's JSON with --json). */
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_print_summary(struct dw_engine *e, struct dw_error *err) {
    _cleanup_json_ json_t *s = NULL;
    int r = dw_stats(e, &s, err);
    if (r < 0)
        return r;
    json_t *stages = json_object_get(s, "stages");
    printf("\n  %-20s %8s\n", "stage", "deals");
    printf("  %-20s %8s\n", "--------------------", "--------");
    static const char *const order[] = {
        "new",     "qualifying",        "needs_info",     "disqualified", "scoping",
        "pricing", "awaiting_approval", "proposal_ready", "ordered",      "lost"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(order); i++)
        printf("  %-20s %8lld\n", order[i], (long long)dw_json_int(stages, order[i], 0));
    printf("\n  leads %lld · approvals pending %lld · proposals written %lld · orders %lld",
           (long long)dw_json_int(s, "leads", 0), (long long)dw_json_int(s, "approvals_pending", 0),
           (long long)dw_json_int(s, "proposals", 0), (long long)dw_json_int(s, "orders", 0));
    if (dw_json_int(s, "parked", 0))
        printf(" · parked %lld (see `dealwright deals --stage ...`)",
               (long long)dw_json_int(s, "parked", 0));
    printf("\n");
    return 0;
}

int cmd_deals(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *stage = cli_opt(&argc, argv, "--stage", &bad);
    const char *limit_s = cli_opt(&argc, argv, "--limit", &bad);
    const char *after = cli_opt(&argc, argv, "--after", &bad);
    long limit = 0;
    if (bad || argc != 0 || (limit_s && cli_parse_long(limit_s, 1, DW_PAGE_MAX, &limit) < 0))
        return cli_usage("usage: dealwright deals [--stage S] [--limit N (1-%d)] [--after CURSOR] "
                         "[--json]",
                         DW_PAGE_MAX);
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL, *page = NULL;
    int r = limit_s || after ? dw_deals_page(cli->engine, stage, after, (int)limit, &page, &err)
                             : dw_deals_list(cli->engine, stage, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (page)
        list = json_incref(json_object_get(page, "items"));
    if (cli->json) {
        cli_print_json(list);
        cli_page_next(page, "deals", (int)limit, stage ? "--stage" : NULL, stage);
        return EXIT_OK;
    }
    printf("%-9s %-18s %-28s %-30s %14s\n", "DEAL", "STAGE", "ACCOUNT", "CONTACT", "TOTAL");
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        const char *total = dw_json_str(d, "total"), *cur = dw_json_str(d, "currency");
        char money[48] = "";
        if (total)
            snprintf(money, sizeof money, "%s %s", cur ? cur : "", total);
        /* the customer's names by display width, cut whole with '…' */
        printf("%-9s %-18s ", dw_json_str(d, "id"), dw_json_str(d, "stage"));
        cli_cell(stdout, dw_json_str(d, "account"), 28, false);
        putchar(' ');
        cli_cell(stdout, dw_json_str(d, "contact_email"), 30, false);
        printf(" %14s%s\n", money, dw_json_bool(d, "parked", false) ? "  PARKED" : "");
    }
    cli_page_next(page, "deals", (int)limit, stage ? "--stage" : NULL, stage);
    return EXIT_OK;
}

static void print_named(const char *title, const json_t *list) {
    if (!json_array_size(list))
        return;
    printf("%s:", title);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) printf("%s %s", i ? "," : "", dw_json_str(e, "name"));
    printf("\n");
}

static void put_line(const char *s) {
    cli_put_text(stdout, s, false);
}

/* What screening found in the customer's fields: category, where, and the words (one line
 * each, line breaks shown as spaces). */
static void print_flagged(const json_t *list) {
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f) {
        const json_t *span = json_object_get(f, "span");
        const char *text = dw_json_str(f, "text"), *read = dw_json_str(f, "read");
        printf("%s  %-16s lead %lld %s [%lld, %lld] \"",
               i ? "" : "Flagged (customer text, not obeyed):\n", dw_json_str(f, "category"),
               (long long)dw_json_int(f, "lead", 0), dw_json_str(f, "field"),
               (long long)json_integer_value(json_array_get(span, 0)),
               (long long)json_integer_value(json_array_get(span, 1)));
        put_line(text);
        printf("\"");
        if (read && text && strcmp(read, text) != 0) {
            printf(" read as \"");
            put_line(read);
            printf("\"");
        }
        printf("\n");
    }
}

static void print_deal(const json_t *d) {
    const json_t *acc = json_object_get(d, "account"), *q = json_object_get(d, "quote");
    const json_t *qual = json_object_get(d, "qualification");
    printf("%s  %s", dw_json_str(d, "id"), dw_json_str(d, "stage"));
    if (json_is_object(acc)) {
        printf("  ");
        put_line(dw_json_str(acc, "name"));
    }
    printf("\n");
    if (dw_json_bool(d, "parked", false)) {
        printf("PARKED: ");
        put_line(dw_json_str(d, "last_error"));
        printf("\n");
    }
    const json_t *out = json_object_get(d, "outcome");
    if (json_is_object(out)) {
        printf("Outcome: %s — ", dw_json_str(out, "stage"));
        put_line(dw_json_str(out, "reason"));
        printf("\n");
    }
    const json_t *req = json_object_get(d, "requirements");
    if (json_is_object(req)) {
        size_t i;
        json_t *e;
        printf("Requirements:");
        json_array_foreach(json_object_get(req, "quantities"), i, e)
            printf(" %lld %s;", (long long)dw_json_int(e, "value", 0), dw_json_str(e, "unit"));
        const json_t *b = json_object_get(req, "budget");
        if (json_is_object(b))
            printf(" budget %s %s;", dw_json_str(b, "currency"), dw_json_str(b, "amount"));
        const json_t *dl = json_object_get(req, "deadline");
        if (json_is_object(dl))
            printf(" by %s;", dw_json_str(dl, "date"));
        const json_t *c = json_object_get(req, "country");
        if (json_is_object(c))
            printf(" country %s", dw_json_str(c, "code"));
        printf("\n");
        print_named("Capabilities", json_object_get(req, "capabilities"));
        print_named("Not wanted", json_object_get(req, "excluded_capabilities"));
        print_named("Standards", json_object_get(req, "standards"));
        print_flagged(json_object_get(req, "screening"));
    }
    if (json_is_object(qual)) {
        printf("Qualification: %s, score %lld\n", dw_json_str(qual, "decision"),
               (long long)dw_json_int(qual, "score", 0));
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(qual, "reasons"), i, e) {
            printf("  - ");
            put_line(json_string_value(e)); /* may name the customer's company */
            printf("\n");
        }
    }
    if (json_is_object(q)) {
        printf("Quote revision %lld: total %s %s, discount %s %% (hash %.12s)\n",
               (long long)dw_json_int(q, "revision", 0), dw_json_str(q, "currency"),
               dw_json_str(q, "total"), dw_json_str(q, "discount_pct"),
               dw_json_str(q, "hash") ? dw_json_str(q, "hash") : "");
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(q, "lines"), i, l)
            printf("  %-20s %6lld x %12s = %14s  net %14s\n", dw_json_str(l, "sku"),
                   (long long)dw_json_int(l, "quantity", 0), dw_json_str(l, "unit_price"),
                   dw_json_str(l, "amount"), dw_json_str(l, "net"));
    }
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d, "approvals"), i, a) {
        printf("Approval %s %-14s %-8s role %-10s ", dw_json_str(a, "id"), dw_json_str(a, "kind"),
               dw_json_str(a, "status"), dw_json_str(a, "required_role"));
        put_line(dw_json_str(a, "reason"));
        printf("\n");
    }
    const json_t *o = json_object_get(d, "order");
    if (json_is_object(o))
        printf("Order %s: %s %s from quote revision %lld\n", dw_json_str(o, "id"),
               dw_json_str(o, "currency"), dw_json_str(o, "total"),
               (long long)dw_json_int(o, "quote_revision", 0));
    const json_t *qr = json_object_get(d, "qualification");
    if (json_is_object(qr) && dw_json_str(qr, "reply")) {
        printf("\nDrafted reply:\n");
        cli_put_text(stdout, dw_json_str(qr, "reply"), true);
        printf("\n");
    }
    const json_t *p = json_object_get(d, "proposal");
    if (json_is_object(p))
        printf("\nProposal: %zu bytes of Markdown, %zu citations (dealwright deal proposal %s)\n",
               strlen(dw_json_str(p, "markdown") ? dw_json_str(p, "markdown") : ""),
               json_array_size(json_object_get(p, "citations")), dw_json_str(d, "id"));
    printf("Timeline: %zu events (dealwright audit show %s)\n",
           json_array_size(json_object_get(d, "timeline")), dw_json_str(d, "id"));
}

int cmd_deal_show(struct cli *cli, int argc, char **argv) {
    if (cli_flag(&argc, argv, "--all"))
        return cli_deals_show_all(cli, argc);
    int64_t id;
    if (argc != 1 || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright deal show ID [--json] (ID like D-000001)");
    struct dw_error err = {0};
    _cleanup_json_ json_t *d = NULL;
    int r = dw_deal_show(cli->engine, id, &d, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json)
        cli_print_json(d);
    else
        print_deal(d);
    return EXIT_OK;
}

/* deal proposal — the proposal as the customer will read it: its Markdown, a self-contained
 * HTML page or a PDF (dw_deal_proposal_render), on stdout or into a file (-o, written
 * atomically). A PDF is not written to a terminal. */
int cmd_deal_proposal(struct cli *cli, int argc, char **argv) {
    int64_t id;
    bool bad = false;
    const char *format = cli_opt(&argc, argv, "--format", &bad);
    const char *out = cli_opt(&argc, argv, "-o", &bad);
    if (bad || argc != 1 || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright deal proposal ID [--format md|html|pdf] [-o FILE]");
    if (format && !dw_doc_content_type(format))
        return cli_usage("--format: md, html or pdf, got '%s'", format);
    if (format && strcmp(format, "pdf") == 0 && !out && isatty(STDOUT_FILENO))
        return cli_usage("a PDF is not written to a terminal: give -o FILE or redirect stdout");
    struct dw_error err = {0};
    _cleanup_free_ char *bytes = NULL;
    size_t len = 0;
    int r = dw_deal_proposal_render(cli->engine, id, format, &bytes, &len, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (out) {
        if ((r = dw_write_file_atomic(out, bytes, len, &err)) < 0)
            return cli_fail(&err, r);
        return EXIT_OK;
    }
    if (fwrite(bytes, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "dealwright: cannot write the proposal to stdout\n");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

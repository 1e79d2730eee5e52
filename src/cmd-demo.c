/* demo — the main job on the example, start to finish.
 *
 * A scratch workspace from the built-in example, its sample leads submitted, the control
 * plane run (progress bar on a terminal), then the first deal whose proposal is ready is
 * accepted on the customer's behalf so the path to an order is shown too, and a summary
 * with where to look next. Approvals are left to people: the demo never decides them. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_demo(struct cli *cli, int argc, char **argv) {
    if (argc > 1)
        return cli_usage("usage: dealwright demo [DIR]");
    char tmp[] = "/tmp/dealwright-demo-XXXXXX";
    const char *dir = argc == 1 ? argv[0] : mkdtemp(tmp);
    if (!dir)
        return cli_usage("cannot create a scratch directory in /tmp");
    struct dw_error err = {0};
    int r = cli_write_example(dir, &err);
    if (r < 0)
        return cli_fail(&err, r);
    printf("dealwright demo — workspace %s (the built-in example: Northwind Edge Systems)\n", dir);

    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    struct dw_engine_opts eo;
    if ((r = cli_engine_opts(cli, &eo, &err)) < 0)
        return cli_fail(&err, r);
    eo.db = NULL; /* the demo's own workspace keeps its state */
    r = dw_engine_open_opts(dir, &eo, &e, &diags, &err);
    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                diags.v[i].msg);
    dw_diags_release(&diags);
    if (r < 0)
        return cli_fail(&err, r);

    char path[4096];
    snprintf(path, sizeof path, "%s/samples/leads.jsonl", dir);
    _cleanup_json_ json_t *leads = NULL, *res = NULL, *proposals = NULL;
    if ((r = cli_read_leads(path, &leads, &err)) < 0 ||
        (r = dw_leads_submit(e, leads, &res, &err)) < 0)
        goto fail;
    int created = 0, follow = 0, dup = 0;
    size_t i;
    json_t *o;
    json_array_foreach(res, i, o) {
        const char *st = dw_json_str(o, "status");
        created += strcmp(st, "created") == 0;
        follow += strcmp(st, "follow_up") == 0;
        dup += strcmp(st, "duplicate") == 0;
    }
    printf("\n%zu sample leads submitted: %d new deals, %d follow-up%s to an open deal, %d exact "
           "duplicate%s ignored\n",
           json_array_size(leads), created, follow, follow == 1 ? "" : "s", dup,
           dup == 1 ? "" : "s");

    struct dw_run_stats st = {0};
    struct dw_run_opts ro = {.progress = cli_progress, .no_wait = true};
    r = dw_run(e, &ro, &st, &err);
    cli_progress_done();
    if (r < 0) {
        dw_run_stats_release(&st);
        goto fail;
    }
    printf("Agents ran %lld steps in %.2f s (%lld committed transactions).\n", (long long)st.steps,
           (double)st.elapsed_us / 1e6, (long long)st.commits);
    dw_run_stats_release(&st);

    if ((r = dw_deals_list(e, "proposal_ready", &proposals, &err)) < 0)
        goto fail;
    const char *first =
        json_array_size(proposals) ? dw_json_str(json_array_get(proposals, 0), "id") : NULL;
    if (first) {
        int64_t id;
        json_t *order = NULL;
        dw_id_parse('D', first, &id);
        if ((r = dw_deal_accept(e, id, 0, "customer", &order, &err)) < 0)
            goto fail;
        printf("The customer of %s accepted quote revision %lld: order %s, %s %s.\n", first,
               (long long)dw_json_int(order, "quote_revision", 0), dw_json_str(order, "id"),
               dw_json_str(order, "currency"), dw_json_str(order, "total"));
        json_decref(order);
    }
    if ((r = cli_print_summary(e, &err)) < 0)
        goto fail;
    printf("\nWhere to look next:\n"
           "  cd %s\n"
           "  dealwright deals                        every deal and its stage\n"
           "  dealwright approvals                    what waits for a person, and why\n"
           "  dealwright approve A-000001 --as maria  decide one (roles in team.yaml)\n"
           "  dealwright deal show D-000001 --json    a deal whole: requirements with their "
           "spans, quote, proposal, timeline\n"
           "  dealwright audit verify                 check the tamper-evident audit chain\n",
           dir);
    dw_engine_close(e);
    return EXIT_OK;
fail:
    dw_engine_close(e);
    return cli_fail(&err, r);
}

/* An embedder of libdealwright, built with the public headers alone (-I include, or
 * `pkg-config --cflags --libs dealwright`): writes the example workspace into a scratch
 * directory, submits one lead, runs the control plane and reads the deal back.
 *
 * The lead is an Austrian retailer writing as a qualified buyer does: 8 stores, SD-WAN with
 * a firewall at each, 16 access points, PCI DSS, a budget of EUR 30,000 that fits the need,
 * a date. The example's policies (example/policies.yaml, samples/README.md wf-2026-1104)
 * make that a qualified deal with a proposal ready, quoted in euros from the EUR price book
 * with no discount asked, so no approval. Exit 0 when the deal says so; else 1 and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dealwright/dealwright.h>

static int fail(const char *what, const struct dw_error *err) {
    char buf[1024];
    fprintf(stderr, "embed: %s: %s\n", what, err ? dw_error_format(err, buf, sizeof buf) : "");
    return 1;
}

int main(void) {
    printf("dealwright %s (headers %s)\n", dw_version(), DW_VERSION_STRING);
    if (strcmp(dw_version(), DW_VERSION_STRING) != 0 || DW_VERSION_NUMBER < DW_VERSION_AT(0, 1, 0))
        return fail("the library's version is not the headers'", NULL);
    char dir[] = "/tmp/dealwright-embed-XXXXXX";
    if (!mkdtemp(dir))
        return fail("mkdtemp", NULL);
    struct dw_error err = {0};
    struct dw_diags diags = {0};
    struct dw_engine *e = NULL;
    json_t *leads = NULL, *res = NULL, *deal = NULL;
    int rc = 1;
    int n = dw_workspace_write_example(dir, &err);
    if (n <= 0) {
        rc = fail("dw_workspace_write_example", &err);
        goto out;
    }
    /* the clock pinned a few days after the lead came in, so the run is the same every time */
    struct dw_engine_opts eo = {0};
    if (dw_time_parse("2026-11-24T12:00:00Z", &eo.now_pin) < 0) {
        rc = fail("dw_time_parse", NULL);
        goto out;
    }
    if (dw_engine_open_opts(dir, &eo, &e, &diags, &err) < 0) {
        rc = fail("dw_engine_open", &err);
        goto out;
    }
    leads = json_pack(
        "[{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:s,s:s}]", "source", "web_form", "external_id",
        "embed-0001", "received_at", "2026-11-20T09:14:00Z", "contact", "name", "Eva Gruber",
        "email", "eva.gruber@bergmarkt-handel.example", "title", "IT Manager", "company",
        "Bergmarkt Handel GmbH", "country", "AT", "subject", "SD-WAN for our 8 stores", "message",
        "Hello, we run 8 stores in Austria and want SD-WAN with a firewall at every store, and "
        "16 access points for the shop floors. PCI DSS compliance is a must for us. Our budget "
        "is EUR 30,000 and we would like to go live by February 2027.");
    if (dw_leads_submit(e, leads, &res, &err) < 0) {
        rc = fail("dw_leads_submit", &err);
        goto out;
    }
    const char *deal_id = dw_json_str(json_array_get(res, 0), "deal");
    int64_t id = 0;
    if (!deal_id || dw_id_parse('D', deal_id, &id) < 0 || id <= 0) {
        rc = fail("dw_leads_submit gave no deal id", NULL);
        goto out;
    }
    struct dw_run_opts ro = {.no_wait = true};
    struct dw_run_stats st = {0};
    if (dw_run(e, &ro, &st, &err) < 0) {
        rc = fail("dw_run", &err);
        goto out;
    }
    dw_run_stats_release(&st);
    if (dw_deal_show(e, id, &deal, &err) < 0) {
        rc = fail("dw_deal_show", &err);
        goto out;
    }
    const char *stage = dw_json_str(deal, "stage");
    json_t *q = json_object_get(deal, "quote");
    const char *cur = dw_json_str(q, "currency"), *total = dw_json_str(q, "total");
    int64_t minor = 0;
    printf("%s: stage %s, quote %s %s, %zu lines\n", deal_id, stage ? stage : "-", cur ? cur : "-",
           total ? total : "-", json_array_size(json_object_get(q, "lines")));
    if (!stage || strcmp(stage, "proposal_ready") != 0)
        fprintf(stderr, "embed: expected stage proposal_ready\n");
    else if (!cur || strcmp(cur, "EUR") != 0)
        fprintf(stderr, "embed: expected a quote in EUR\n");
    else if (!total || dw_money_parse(total, 2, &minor) < 0 || minor <= 0)
        fprintf(stderr, "embed: expected a positive total as a decimal string\n");
    else if (json_array_size(json_object_get(q, "lines")) == 0)
        fprintf(stderr, "embed: expected quote lines\n");
    else
        rc = 0;
out:
    json_decref(deal);
    json_decref(res);
    json_decref(leads);
    dw_engine_close(e);
    dw_diags_release(&diags);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}

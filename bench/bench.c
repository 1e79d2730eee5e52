/* dealwright-bench — N synthetic leads through the whole pipeline with durable commits.
 *
 * Makes a scratch workspace from the example, generates N leads from a few templates
 * (different companies, quantities, budgets, discounts, countries — so every agent does
 * real work and some deals stop at human gates), submits them in one import, runs the
 * control plane until nothing is runnable, and prints leads/s end to end and p50/p99 per
 * agent step in microseconds. synchronous=FULL: every commit is on disk.
 *
 * Usage: dealwright-bench [N] (default 2000). Figures go in the closing note of the issue
 * that changes them; compare with the previous run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dealwright.h"
#include "../src/cli.h"

int bench_retrieval(void); /* bench-retrieval.c */

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

#define TEMPLATE_0                                                                                 \
    "We run %d sites and need SD-WAN with firewall and cloud management. Budget around "           \
    "EUR %d000, go-live by end of Q1 2027. We would like a %d%% discount."
#define TEMPLATE_1                                                                                 \
    "Hello, we are looking for Wi-Fi for %d access points across our warehouses in "               \
    "Germany, with 24x7 support. Budget under %d000 euros. Discount of %d %% expected."
#define TEMPLATE_2                                                                                 \
    "Please quote %d edge gateways with LTE failover and monitoring for our retail "               \
    "branches. We have a budget of USD %d,000 and need it next month. %d%% off would help."
static const char *const countries[] = {"DE", "FR", "US", "NL", "AT", "CN", "GB"};

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n <= 0 || n > 1000000) {
        fprintf(stderr, "usage: dealwright-bench [N]\n");
        return 2;
    }
    char dir[] = "/tmp/dealwright-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 3;
    struct dw_error err = {0};
    char buf[1024];
    if (cli_write_example(dir, &err) < 0) {
        fprintf(stderr, "%s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    if (dw_engine_open(dir, NULL, &e, &diags, &err) < 0) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                    diags.v[i].msg);
        fprintf(stderr, "%s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    json_t *leads = json_array();
    srand(42);
    for (int i = 0; i < n; i++) {
        char msg[512], email[128], company[64], ext[32];
        int q = 2 + rand() % 60, b = 20 + rand() % 400, d = rand() % 30;
        switch (i % 3) {
        case 0:
            snprintf(msg, sizeof msg, TEMPLATE_0, q, b, d);
            break;
        case 1:
            snprintf(msg, sizeof msg, TEMPLATE_1, q, b, d);
            break;
        default:
            snprintf(msg, sizeof msg, TEMPLATE_2, q, b, d);
        }
        snprintf(company, sizeof company, "Bench Company %d", i);
        snprintf(email, sizeof email, "buyer%d@bench%d.example", i, i);
        snprintf(ext, sizeof ext, "bench-%d", i);
        json_array_append_new(
            leads, json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:s}", "source", "web_form",
                             "external_id", ext, "received_at", "2026-11-20T09:00:00Z", "contact",
                             "name", "Alex Buyer", "email", email, "title", "Head of IT", "company",
                             company, "country", countries[i % 7], "message", msg));
    }
    json_t *res = NULL;
    int64_t t0 = dw_monotonic_us();
    if (dw_leads_submit(e, leads, &res, &err) < 0) {
        fprintf(stderr, "submit: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    int64_t t1 = dw_monotonic_us();
    struct dw_run_stats st = {.keep_samples = true};
    struct dw_run_opts o = {.no_wait = true, .batch = 64};
    if (dw_run(e, &o, &st, &err) < 0) {
        fprintf(stderr, "run: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    int64_t t2 = dw_monotonic_us();
    double secs = (double)(t2 - t0) / 1e6;
    printf("pipeline: %d leads, %lld steps, %lld commits, %lld failures in %.3f s "
           "(submit %.3f s, run %.3f s)\n",
           n, (long long)st.steps, (long long)st.commits, (long long)st.failures, secs,
           (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
    printf("pipeline: %.0f leads/s end to end (goal >= 500)\n", n / secs);
    printf("%-14s %8s %10s %10s\n", "agent", "steps", "p50 us", "p99 us");
    for (size_t i = 0; i < st.n_agents; i++) {
        struct dw_agent_stats *a = &st.agents[i];
        if (!a->count) {
            printf("%-14s %8d %10s %10s\n", a->agent, 0, "-", "-");
            continue;
        }
        qsort(a->us, (size_t)a->count, sizeof *a->us, cmp64);
        printf("%-14s %8lld %10lld %10lld\n", a->agent, (long long)a->count,
               (long long)a->us[a->count / 2], (long long)a->us[(a->count * 99) / 100]);
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        printf("memory: peak RSS %ld KiB\n", ru.ru_maxrss);
    json_t *stats = NULL;
    if (dw_stats(e, &stats, &err) == 0) {
        char *s = json_dumps(json_object_get(stats, "stages"), JSON_COMPACT | JSON_SORT_KEYS);
        printf("stages: %s\n", s);
        free(s);
        json_decref(stats);
    }
    dw_run_stats_release(&st);
    json_decref(res);
    json_decref(leads);
    dw_engine_close(e);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 3;
    return bench_retrieval();
}

/* documents_bench — how long a proposal takes to render, per format, through the public
 * API (dw_deal_proposal_render): the example workspace's sample leads run to their
 * proposals in a scratch store, then every proposal rendered as Markdown, HTML and PDF,
 * ROUNDS times each. Prints the median and 95th percentile per proposal and the PDF's size
 * and pages. Usage: dealwright-bench-documents [ROUNDS] (default 20). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dealwright/dealwright.h>

/* This thread's CPU time in µs: on a machine other work shares, wall time says more about
 * the others than about this code. */
static int64_t cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t pct(int64_t *v, size_t n, int p) {
    qsort(v, n, sizeof *v, cmp_i64);
    size_t i = n * (size_t)p / 100;
    return v[i < n ? i : n - 1];
}

/* PDF pages: the count of "/Type /Page" objects (not "/Pages"). */
static int pages_of(const char *pdf, size_t len) {
    int n = 0;
    for (size_t i = 0; i + 10 < len; i++)
        if (memcmp(pdf + i, "/Type /Page", 11) == 0 && (i + 11 >= len || pdf[i + 11] != 's'))
            n++;
    return n;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    if (rounds <= 0 || rounds > 10000) {
        fprintf(stderr, "usage: dealwright-bench-documents [ROUNDS]\n");
        return 2;
    }
    char dir[] = "/tmp/dealwright-bench-docs-XXXXXX", path[4096], buf[1024];
    if (!mkdtemp(dir) || dw_init() < 0)
        return 3;
    struct dw_error err = {0};
    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    json_t *leads = NULL, *res = NULL, *deals = NULL;
    snprintf(path, sizeof path, "%s/samples/leads.jsonl", dir);
    if (dw_workspace_write_example(dir, &err) < 0 ||
        dw_engine_open(dir, NULL, &e, &diags, &err) < 0 ||
        dw_leads_read_file(path, &leads, &err) < 0 || dw_leads_submit(e, leads, &res, &err) < 0 ||
        dw_run(e, &(struct dw_run_opts){0}, NULL, &err) < 0 ||
        dw_deals_list(e, "proposal_ready", &deals, &err) < 0) {
        fprintf(stderr, "setup: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    static const char *const formats[] = {"md", "html", "pdf"};
    size_t n = json_array_size(deals) * (size_t)rounds;
    int64_t *t = calloc(n ? n : 1, sizeof *t), *c = calloc(n ? n : 1, sizeof *c);
    if (!t || !c)
        return 3;
    printf("documents: %zu proposals of the example, %d rounds each\n", json_array_size(deals),
           rounds);
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        size_t k = 0, bytes = 0, pages = 0;
        for (int r = 0; r < rounds; r++) {
            size_t i;
            json_t *d;
            json_array_foreach(deals, i, d) {
                int64_t id = 0;
                dw_id_parse('D', json_string_value(json_object_get(d, "id")), &id);
                char *out = NULL;
                size_t len = 0;
                int64_t t0 = dw_monotonic_us(), c0 = cpu_us();
                if (dw_deal_proposal_render(e, id, formats[f], &out, &len, &err) < 0) {
                    fprintf(stderr, "render: %s\n", dw_error_format(&err, buf, sizeof buf));
                    return 3;
                }
                c[k] = cpu_us() - c0;
                t[k++] = dw_monotonic_us() - t0;
                if (r == 0) {
                    bytes += len;
                    if (f == 2)
                        pages += (size_t)pages_of(out, len);
                }
                free(out);
            }
        }
        size_t per = json_array_size(deals);
        printf("  %-4s wall p50 %7.2f ms  p95 %7.2f ms, CPU p50 %7.2f ms per proposal; %zu bytes",
               formats[f], pct(t, k, 50) / 1000.0, pct(t, k, 95) / 1000.0, pct(c, k, 50) / 1000.0,
               per ? bytes / per : 0);
        if (f == 2)
            printf(", %.1f pages", per ? (double)pages / (double)per : 0.0);
        printf("\n");
    }
    free(t);
    free(c);
    json_decref(leads);
    json_decref(res);
    json_decref(deals);
    dw_engine_close(e);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    return system(path) == 0 ? 0 : 3;
}

/* dealwright-bench's extraction figures (bench.c runs them): the extraction engine
 * measured on its own, with the snapshot's prepared extractor and with the vocabulary
 * prepared on every call, so this file uses the library's internals (tests/lint/
 * check_layers.py names it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agents/agent.h"
#include "engines/extract.h"
#include "workspace/workspace.h"

int bench_extract(const char *dir, const struct dw_workspace *ws);

/* CPU time of this thread: the machine may be shared, and the goal is per core. */
static int64_t thread_cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Extraction on one core: the example's sample messages, each extracted again and again for
 * about two seconds of this thread's CPU time with the workspace's prepared extractor, then a
 * while with dw_extract() preparing the vocabulary on every call (as the extractor did before
 * it was kept with the snapshot), for comparison. */
int bench_extract(const char *dir, const struct dw_workspace *ws) {
    char path[512], buf[1024];
    struct dw_error err = {0};
    snprintf(path, sizeof path, "%s/samples/leads.jsonl", dir);
    char *data = NULL;
    size_t len;
    if (dw_read_file(path, 4u << 20, &data, &len, &err) < 0) {
        fprintf(stderr, "extract: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    json_t *leads = json_array();
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *lead = json_loads(line, 0, NULL);
        if (lead)
            json_array_append_new(leads, lead);
    }
    free(data);
    const char *msgs[256];
    size_t n = 0, bytes = 0, i;
    json_t *l;
    json_array_foreach(leads, i, l) {
        const char *m = dw_json_str(l, "message");
        if (m && n < 256) {
            msgs[n++] = m;
            bytes += strlen(m);
        }
    }
    const struct dw_extractor *x = dw_ws_extractor(ws, &err);
    if (!x || n == 0) {
        json_decref(leads);
        return 3;
    }
    dw_time_t at = 1795000000;
    int64_t done = 0, t0 = thread_cpu_us(), t1 = t0;
    while (t1 - t0 < 2000000) {
        for (size_t k = 0; k < n; k++) {
            json_t *r = NULL;
            if (dw_extractor_run(x, msgs[k], strlen(msgs[k]), at, &r, &err) < 0) {
                fprintf(stderr, "extract: %s\n", dw_error_format(&err, buf, sizeof buf));
                json_decref(leads);
                return 3;
            }
            json_decref(r);
        }
        done += (int64_t)n;
        t1 = thread_cpu_us();
    }
    double rate = (double)done / ((double)(t1 - t0) / 1e6);
    printf("extraction: %.0f messages/s on one core (goal >= 5000), %zu sample messages of "
           "%zu bytes on average, prepared vocabulary\n",
           rate, n, bytes / n);

    /* typical e-mails of about 600 bytes: two sample messages as two paragraphs of one */
    char *pairs[256];
    size_t np = 0, pbytes = 0;
    for (size_t k = 0; k < n && np < 256; k++) {
        const char *b2 = msgs[(k + 1) % n];
        size_t la = strlen(msgs[k]), lb = strlen(b2);
        pairs[np] = malloc(la + lb + 3);
        if (!pairs[np])
            break;
        memcpy(pairs[np], msgs[k], la);
        memcpy(pairs[np] + la, "\n\n", 2);
        memcpy(pairs[np] + la + 2, b2, lb + 1);
        pbytes += la + lb + 2;
        np++;
    }
    done = 0;
    t0 = t1 = thread_cpu_us();
    while (np && t1 - t0 < 2000000) {
        for (size_t k = 0; k < np; k++) {
            json_t *r = NULL;
            if (dw_extractor_run(x, pairs[k], strlen(pairs[k]), at, &r, &err) == 0)
                json_decref(r);
        }
        done += (int64_t)np;
        t1 = thread_cpu_us();
    }
    if (np)
        printf("extraction: %.0f messages/s on one core (goal >= 10000), %zu messages of %zu "
               "bytes on average (two samples each), prepared vocabulary\n",
               (double)done / ((double)(t1 - t0) / 1e6), np, pbytes / np);
    for (size_t k = 0; k < np; k++)
        free(pairs[k]);

    /* the vocabulary prepared on every call */
    struct dw_vocab_term *terms =
        calloc(ws->n_capabilities + ws->n_standards + ws->n_units + 1, sizeof *terms);
    if (!terms) {
        json_decref(leads);
        return 3;
    }
    size_t k = 0;
    const struct dw_term *lists[] = {ws->capabilities, ws->standards, ws->units};
    size_t counts[] = {ws->n_capabilities, ws->n_standards, ws->n_units};
    for (size_t li = 0; li < 3; li++)
        for (size_t t = 0; t < counts[li]; t++)
            terms[k++] =
                (struct dw_vocab_term){.name = lists[li][t].name,
                                       .synonyms = (const char *const *)lists[li][t].synonyms,
                                       .n_synonyms = lists[li][t].n_synonyms};
    struct dw_extract_vocab vocab = {.capabilities = terms,
                                     .n_capabilities = ws->n_capabilities,
                                     .standards = terms + ws->n_capabilities,
                                     .n_standards = ws->n_standards,
                                     .units = terms + ws->n_capabilities + ws->n_standards,
                                     .n_units = ws->n_units,
                                     .default_currency = ws->home_currency};
    done = 0;
    t0 = t1 = thread_cpu_us();
    while (t1 - t0 < 1000000) {
        for (size_t m = 0; m < n; m++) {
            json_t *r = NULL;
            if (dw_extract(msgs[m], strlen(msgs[m]), at, &vocab, &r, &err) == 0)
                json_decref(r);
        }
        done += (int64_t)n;
        t1 = thread_cpu_us();
    }
    printf("extraction: %.0f messages/s with the vocabulary prepared on every call\n",
           (double)done / ((double)(t1 - t0) / 1e6));
    free(terms);
    json_decref(leads);
    return 0;
}

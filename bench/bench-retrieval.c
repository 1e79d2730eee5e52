/* Retrieval benchmark: dw_kb_ask() over 100,000 synthetic passages.
 *
 * Writes the example workspace plus 1,000 synthetic knowledge documents of 100 passages
 * each (about 60 words a passage, drawn Zipf-like from a vocabulary of 20,000 made-up
 * words, with catalog names — capabilities, standards, products — sprinkled in so the
 * graph has work), loads it, builds the index once (timed), and asks 1,000 questions of
 * 3-6 vocabulary words and now and then an entity name, printing p50/p95/p99 per question
 * in microseconds. Then one document changes and the re-sync time is printed: only that
 * document is indexed again. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <dealwright/dealwright.h>

#define DOCS 1000
#define PASSAGES 100
#define VOCAB 20000
#define QUESTIONS 1000
#define CONTENT 100 /* the 100 most frequent words play the synthetic language's "the", "of" */

int bench_retrieval(void);

static const char *const entities[] = {
    "SD-WAN",       "firewall",     "Wi-Fi",    "cloud management", "GDPR",
    "ISO 27001",    "SOC 2",        "HIPAA",    "Edge Gateway 100", "NW-EDGE-500",
    "monitoring",   "LTE failover", "NIS2",     "switches",         "intrusion prevention",
    "24x7 support", "on-premises",  "IEC 62443"};

static char vocab[VOCAB][16];
static double cdf[VOCAB];

static void make_vocab(void) {
    static const char *const syl[] = {"ka",  "lo", "mi",  "ner", "vo",  "ta",  "sen", "ri",
                                      "dul", "pe", "gra", "to",  "vin", "su",  "mar", "el",
                                      "qui", "bo", "zan", "fe",  "hu",  "dro", "li",  "cas"};
    double sum = 0;
    for (int i = 0; i < VOCAB; i++) {
        int n = 2 + i % 3, x = i;
        vocab[i][0] = '\0';
        for (int k = 0; k < n; k++) {
            strcat(vocab[i], syl[x % 24]);
            x = x / 24 + k * 7 + 1;
        }
        snprintf(vocab[i] + strlen(vocab[i]), 16 - strlen(vocab[i]), "%d", i % 97);
        sum += 1.0 / (i + 1);
        cdf[i] = sum;
    }
    for (int i = 0; i < VOCAB; i++)
        cdf[i] /= sum;
}

/* A word drawn Zipf-like from ranks [from, VOCAB). */
static const char *word_from(int from) {
    double u = cdf[from ? from - 1 : 0] * (from > 0) +
               (1 - (from ? cdf[from - 1] : 0)) * ((double)rand() / RAND_MAX);
    int lo = from, hi = VOCAB - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return vocab[lo];
}

static const char *word(void) {
    return word_from(0);
}

static int write_doc(const char *dir, int d, const char *extra) {
    char path[512];
    snprintf(path, sizeof path, "%s/knowledge/synthetic-%04d.md", dir, d);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "---\ntitle: Synthetic document %d\n---\n# Synthetic document %d\n", d, d);
    for (int p = 0; p < PASSAGES; p++) {
        fprintf(f, "\n## Section %d %s %s\n", p, word(), word());
        for (int w = 0; w < 60; w++)
            fprintf(f, "%s%s", w ? " " : "",
                    rand() % 40 == 0 ? entities[rand() % (sizeof entities / sizeof *entities)]
                                     : word());
        fprintf(f, ".%s\n", extra);
    }
    return fclose(f);
}

/* CPU time of this process: what a question costs, whatever else the machine runs. */
static int64_t cpu_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int fail(const char *what, const struct dw_error *err) {
    char buf[1024];
    fprintf(stderr, "retrieval: %s: %s\n", what, dw_error_format(err, buf, sizeof buf));
    return 3;
}

static int load(const char *dir, struct dw_workspace **ws) {
    struct dw_diags diags = {0};
    int r = dw_workspace_load(dir, ws, &diags);
    for (size_t i = 0; r < 0 && i < diags.n && i < 5; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                diags.v[i].msg);
    dw_diags_release(&diags);
    return r;
}

int bench_retrieval(void) {
    char dir[] = "/tmp/dealwright-bench-kb-XXXXXX";
    struct dw_error err = {0};
    if (!mkdtemp(dir) || dw_init() < 0)
        return 3;
    if (dw_workspace_write_example(dir, &err) < 0)
        return fail("example", &err);
    srand(7);
    make_vocab();
    for (int d = 0; d < DOCS; d++)
        if (write_doc(dir, d, "") < 0)
            return 3;
    struct dw_workspace *ws = NULL;
    int64_t t0 = dw_monotonic_us();
    if (load(dir, &ws) < 0)
        return 3;
    int64_t t1 = dw_monotonic_us();
    struct dw_kb *kb = NULL;
    json_t *stats = NULL;
    if (dw_kb_open(ws, NULL, &kb, &stats, &err) < 0)
        return fail("open", &err);
    int64_t t2 = dw_monotonic_us();
    printf("retrieval: %lld passages in %lld documents; load %.2f s, graph + index %.2f s\n",
           (long long)json_integer_value(json_object_get(stats, "passages")),
           (long long)json_integer_value(json_object_get(stats, "documents")),
           (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
    json_decref(stats);

    static int64_t us[QUESTIONS], cpu[QUESTIONS];
    size_t answers = 0;
    char q[512];
    for (int i = -50; i < QUESTIONS; i++) { /* 50 to warm the caches */
        int n = 3 + rand() % 4, len = 0;
        len += snprintf(q + len, sizeof q - (size_t)len, "What about");
        for (int k = 0; k < n; k++)
            len += snprintf(q + len, sizeof q - (size_t)len, " %s", word_from(CONTENT));
        if (i % 3 == 0)
            snprintf(q + len, sizeof q - (size_t)len, " with %s?",
                     entities[rand() % (sizeof entities / sizeof *entities)]);
        json_t *res = NULL;
        int64_t s = dw_monotonic_us(), cs = cpu_us();
        if (dw_kb_ask(kb, q, 5, &res, &err) < 0)
            return fail("ask", &err);
        int64_t e = dw_monotonic_us(), ce = cpu_us();
        if (i >= 0) {
            us[i] = e - s;
            cpu[i] = ce - cs;
            answers += json_array_size(json_object_get(res, "answers"));
        }
        json_decref(res);
    }
    qsort(us, QUESTIONS, sizeof *us, cmp64);
    qsort(cpu, QUESTIONS, sizeof *cpu, cmp64);
    printf("retrieval: %d questions, %.1f answers each; p50 %lld us, p95 %lld us, p99 %lld us "
           "(goal p95 <= 5000 us)\n",
           QUESTIONS, (double)answers / QUESTIONS, (long long)us[QUESTIONS / 2],
           (long long)us[QUESTIONS * 95 / 100], (long long)us[QUESTIONS * 99 / 100]);
    printf("retrieval: CPU time per question p50 %lld us, p95 %lld us, p99 %lld us (wall time "
           "above includes waiting for a busy machine)\n",
           (long long)cpu[QUESTIONS / 2], (long long)cpu[QUESTIONS * 95 / 100],
           (long long)cpu[QUESTIONS * 99 / 100]);
    dw_kb_close(kb);
    dw_workspace_unref(ws);

    /* one document changes: only it is indexed again */
    if (write_doc(dir, 500, " Changed.") < 0 || load(dir, &ws) < 0)
        return 3;
    int64_t t3 = dw_monotonic_us();
    if (dw_kb_open(ws, NULL, &kb, &stats, &err) < 0)
        return fail("reopen", &err);
    int64_t t4 = dw_monotonic_us();
    printf("retrieval: re-sync after one document changed: %lld updated, %lld unchanged in "
           "%.2f s\n",
           (long long)json_integer_value(json_object_get(stats, "updated")),
           (long long)json_integer_value(json_object_get(stats, "unchanged")),
           (double)(t4 - t3) / 1e6);
    json_decref(stats);
    dw_kb_close(kb);
    dw_workspace_unref(ws);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 3;
}

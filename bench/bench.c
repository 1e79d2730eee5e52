/* dealwright-bench — N synthetic leads through the whole pipeline with durable commits.
 *
 * Makes a scratch workspace from the example, generates N leads from a few templates written
 * the way qualified buyers write (counts, a budget that fits the need, a deadline, a job
 * title; different companies, countries and needs), so most reach a proposal as real
 * qualified leads do, and a realistic few stop at a human gate (a discount above the rep's
 * authority, an export review) or are asked for a missing count. Submits them in one
 * import, runs the control plane until nothing is runnable, and prints leads/s through the
 * full pipeline, the stage mix, and p50/p99 per agent step in microseconds.
 * synchronous=FULL: every commit is on disk.
 *
 * Usage: dealwright-bench [N] (default 2000); dealwright-bench report [DEALS] times the
 * funnel report at DEALS deals (default 100,000; bench-report.c). Figures go in the closing note of
 * the issue that changes them; compare with the previous run. */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <dealwright/dealwright.h>

int bench_retrieval(void);                     /* bench-retrieval.c */
int bench_report(int n, const char *existing); /* bench-report.c */
/* bench-extract.c: extraction's speed, measured on the engine itself */
int bench_extract(const char *dir, const struct dw_workspace *ws);

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Each template takes a count, a second count and a budget in thousands (in that order). */
#define N_TEMPLATES 5
#define TEMPLATE_0                                                                                 \
    "We run %d sites and want to replace MPLS with SD-WAN and a firewall at every site, "          \
    "cloud managed, with self-service portal access for %d users. Budget around EUR %d,000, "      \
    "go-live by end of Q1 2027."
#define TEMPLATE_1                                                                                 \
    "Hello, we need new Wi-Fi for our %d warehouses, %d access points per warehouse, and 24x7 "    \
    "support. Budget about EUR %d,000, to be live by March 2027."
#define TEMPLATE_2                                                                                 \
    "Please quote SD-WAN with LTE failover and threat protection for our %d retail branches "      \
    "(%d staff per branch use the network). Budget USD %d,000, rollout by April 2027."
#define TEMPLATE_3                                                                                 \
    "We operate %d plants and need a firewall per plant, OT security per IEC 62443 and "           \
    "monitoring for %d devices. Budget EUR %d,000, completion by June 2027."
#define TEMPLATE_4                                                                                 \
    "We want ZTNA for our %d remote workers and SD-WAN with firewall for our %d offices, "         \
    "cloud managed. Budget around EUR %d,000, by end of Q2 2027."

/* The list price a sales engineer would expect for the template's counts, in thousands, so
 * the budget fits the need the way a qualified buyer's does. */
static int template_price_k(int t, int a, int b) {
    switch (t) {
    case 0:
        return a * 2 + b * 50 / 1000 + 3;
    case 1:
        return a * b * 1 + a / 2 + 3;
    case 2:
        return a * 2 + 3;
    case 3:
        return a * 2 + b * 60 / 1000 + 10;
    default:
        return a * 90 / 1000 + b * 2 + 4;
    }
}
/* Predictive scoring on the UCI bank-marketing data without `duration` (DW_UCI_CSV, default
 * ../shared/datasets/...; skipped when absent): the 10-fold AUC and the time of a full
 * training into the scratch workspace. */
static void bench_scoring(struct dw_engine *e) {
    const char *path = getenv("DW_UCI_CSV");
    if (!path)
        path = "../shared/datasets/uci-bank-marketing/bank-additional-full.csv";
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("scoring: %s not found, skipped\n", path);
        return;
    }
    fclose(f);
    const char *exclude[] = {"duration"};
    struct dw_score_csv in = {
        .path = path, .target = "y", .positive = "yes", .exclude = exclude, .n_exclude = 1};
    struct dw_error err = {0};
    char buf[1024];
    json_t *cv = NULL, *tr = NULL;
    if (dw_score_eval_csv(&in, 10, &cv, &err) < 0 || dw_score_train_csv(e, &in, &tr, &err) < 0) {
        fprintf(stderr, "scoring: %s\n", dw_error_format(&err, buf, sizeof buf));
        json_decref(cv);
        return;
    }
    printf("scoring: UCI bank marketing without duration, %lld rows: 10-fold AUC %.4f (sd %.4f; "
           "goal >= 0.80) in %.2f s; training on all rows %.2f s\n",
           (long long)json_integer_value(json_object_get(cv, "rows")),
           json_number_value(json_object_get(cv, "auc")),
           json_number_value(json_object_get(cv, "auc_sd")),
           json_number_value(json_object_get(cv, "seconds")),
           json_number_value(json_object_get(tr, "seconds")));
    json_decref(cv);
    json_decref(tr);
}

static const char *const countries[] = {"DE", "FR", "US", "NL", "AT", "GB", "SE", "ES", "IT", "IE"};

/* ---- `pipeline N --workers K`: the control plane as K workers (threads, each with its own
 * engine and store connection, claiming deals under leases as `dealwright worker` does) */
struct bench_worker {
    struct dw_engine *e;
    char owner[32];
    struct dw_run_stats st;
    int rc;
    struct dw_error err;
};

static void *bench_worker_main(void *arg) {
    struct bench_worker *w = arg;
    w->st.keep_samples = true;
    for (;;) {
        struct dw_run_opts o = {.no_wait = true, .batch = 8, .lease_owner = w->owner};
        int64_t before = w->st.steps;
        if ((w->rc = dw_run(w->e, &o, &w->st, &w->err)) < 0)
            return NULL;
        if (w->st.steps > before)
            continue;
        /* nothing this worker could claim: done when nothing is runnable at all */
        json_t *stats = NULL;
        if ((w->rc = dw_stats(w->e, &stats, &w->err)) < 0)
            return NULL;
        json_int_t runnable = json_integer_value(json_object_get(stats, "runnable"));
        json_decref(stats);
        if (runnable == 0)
            return NULL;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Run the control plane on e's store with k workers; their stats summed into *st. */
static int bench_workers(struct dw_engine *e, int k, struct dw_run_stats *st,
                         struct dw_error *err) {
    struct bench_worker *w = calloc((size_t)k, sizeof *w);
    pthread_t *th = calloc((size_t)k, sizeof *th);
    int r = 0, started = 0;
    if (!w || !th)
        r = -DW_ENOMEM;
    for (int i = 0; r == 0 && i < k; i++) {
        snprintf(w[i].owner, sizeof w[i].owner, "bench:%d", i + 1);
        r = dw_engine_open_shared(e, NULL, &w[i].e, err);
    }
    for (int i = 0; r == 0 && i < k; i++, started++)
        if (pthread_create(&th[i], NULL, bench_worker_main, &w[i]) != 0)
            r = -DW_EINTERNAL;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (w && started && !st->agents && w[0].st.n_agents) { /* the agents' names: the registry's */
        st->agents = calloc(w[0].st.n_agents, sizeof *st->agents);
        st->n_agents = st->agents ? w[0].st.n_agents : 0;
        for (size_t a = 0; a < st->n_agents; a++)
            st->agents[a].agent = w[0].st.agents[a].agent;
    }
    for (int i = 0; w && i < k; i++) {
        if (r == 0 && w[i].rc < 0) {
            *err = w[i].err;
            r = w[i].rc;
        }
        st->steps += w[i].st.steps;
        st->commits += w[i].st.commits;
        st->failures += w[i].st.failures;
        st->leases_lost += w[i].st.leases_lost;
        for (size_t a = 0; a < w[i].st.n_agents && a < st->n_agents; a++) {
            struct dw_agent_stats *to = &st->agents[a], *from = &w[i].st.agents[a];
            int64_t *us = realloc(to->us, (size_t)(to->count + from->count + 1) * sizeof *us);
            if (!us)
                continue;
            memcpy(us + to->count, from->us, (size_t)from->count * sizeof *us);
            to->us = us;
            to->count += from->count;
            to->failures += from->failures;
        }
        dw_run_stats_release(&w[i].st);
        dw_engine_close(w[i].e);
    }
    free(w);
    free(th);
    return r;
}

int main(int argc, char **argv) {
    /* the allocator tuning the dealwright binary makes (src/main.c): the library leaves it
     * to the program, so the figures here are the binary's */
    mallopt(M_MXFAST, 0);
    if (argc > 1 && strcmp(argv[1], "report") == 0) {
        if (argc > 2 && strchr(argv[2], '/'))
            return bench_report(0, argv[2]);
        int deals = argc > 2 ? atoi(argv[2]) : 100000;
        if (deals <= 0 || deals > 10000000) {
            fprintf(stderr, "usage: dealwright-bench report [DEALS | PATH/STATE.DB]\n");
            return 2;
        }
        return bench_report(deals, NULL);
    }
    /* `extract`: only the extraction figures (bench-extract.c) */
    bool only_extract = argc > 1 && strcmp(argv[1], "extract") == 0;
    if (only_extract) {
        argv++;
        argc--;
    }
    /* `pipeline [N]`: only the pipeline, for profiling it (no extraction, scoring or
     * retrieval figures around it) */
    bool only_pipeline = argc > 1 && strcmp(argv[1], "pipeline") == 0;
    if (only_pipeline) {
        argv++;
        argc--;
    }
    /* pipeline [N] [--workers K] [--db URL]: K workers leasing deals (0: one run, no
     * leases), on the store URL (a fresh, empty database; default: SQLite in the scratch
     * workspace) */
    int workers = 0;
    const char *db = NULL;
    while (only_pipeline && argc > 2 && strncmp(argv[argc - 2], "--", 2) == 0) {
        if (strcmp(argv[argc - 2], "--workers") == 0)
            workers = atoi(argv[argc - 1]);
        else if (strcmp(argv[argc - 2], "--db") == 0)
            db = argv[argc - 1];
        else
            break;
        argc -= 2;
    }
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n <= 0 || n > 1000000 || workers < 0 || workers > 64 || (argc > 1 && argv[1][0] == '-')) {
        fprintf(stderr,
                "usage: dealwright-bench [pipeline [N] [--workers K] [--db URL]] [N] | extract | "
                "report [DEALS | STATE.DB]\n");
        return 2;
    }
    char dir[] = "/tmp/dealwright-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 3;
    struct dw_error err = {0};
    char buf[1024];
    if (dw_workspace_write_example(dir, &err) < 0) {
        fprintf(stderr, "%s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    if (dw_engine_open(dir, db, &e, &diags, &err) < 0) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                    diags.v[i].msg);
        fprintf(stderr, "%s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    if (!only_pipeline && bench_extract(dir, dw_engine_workspace(e)) != 0)
        return 3;
    if (only_extract) {
        dw_engine_close(e);
        snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
        return system(buf) == 0 ? 0 : 3;
    }
    /* DW_BENCH_MODEL=1: train the example's scoring model first, so qualification blends it */
    const char *with_model = getenv("DW_BENCH_MODEL");
    if (with_model && *with_model && strcmp(with_model, "0") != 0) {
        char history[4096];
        snprintf(history, sizeof history, "%s/samples/deal-history.csv", dir);
        struct dw_score_csv in = {.path = history, .target = "outcome", .positive = "won"};
        json_t *trained = NULL;
        if (dw_score_train_csv(e, &in, &trained, &err) < 0) {
            fprintf(stderr, "score train: %s\n", dw_error_format(&err, buf, sizeof buf));
            return 3;
        }
        printf("pipeline: with scoring model v%lld (the example's deal history)\n",
               (long long)json_integer_value(json_object_get(trained, "version")));
        json_decref(trained);
    }
    json_t *leads = json_array();
    srand(42);
    for (int i = 0; i < n; i++) {
        char msg[768], email[128], company[64], ext[32];
        int t = i % N_TEMPLATES;
        int a = 3 + rand() % 45, b = t == 1 ? 2 + rand() % 5 : 20 + rand() % 400;
        if (t == 4) { /* remote workers first, offices second */
            b = 2 + rand() % 10;
            a = 50 + rand() % 500;
        }
        /* the budget a buyer states: the expected price, give or take a quarter */
        int budget = template_price_k(t, a, b) * (90 + rand() % 40) / 100;
        budget = budget < 20 ? 20 : budget;
        switch (t) {
        case 0:
            snprintf(msg, sizeof msg, TEMPLATE_0, a, b, budget);
            break;
        case 1:
            snprintf(msg, sizeof msg, TEMPLATE_1, a, b, budget);
            break;
        case 2:
            snprintf(msg, sizeof msg, TEMPLATE_2, a, b, budget);
            break;
        case 3:
            snprintf(msg, sizeof msg, TEMPLATE_3, a, b, budget);
            break;
        default:
            snprintf(msg, sizeof msg, TEMPLATE_4, a, b, budget);
        }
        if (i % 10 == 7) /* some ask for more than the rep may give */
            strncat(msg, " We would need a 15% discount to move forward.",
                    sizeof msg - strlen(msg) - 1);
        else if (i % 25 == 11) /* and a few forget the count */
            snprintf(msg, sizeof msg,
                     "We need SD-WAN with firewall and cloud management for our branches. Budget "
                     "around EUR %d,000, by March 2027.",
                     60 + rand() % 100);
        snprintf(company, sizeof company, "Bench Company %d", i);
        snprintf(email, sizeof email, "buyer%d@bench%d.example", i, i);
        snprintf(ext, sizeof ext, "bench-%d", i);
        json_array_append_new(
            leads,
            json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s},s:s}", "source", "web_form",
                      "external_id", ext, "received_at", "2026-11-20T09:00:00Z", "contact", "name",
                      "Alex Buyer", "email", email, "title", "Head of IT", "company", company,
                      "country", i % 50 == 17 ? "CN" : countries[i % 10], "message", msg));
    }
    json_t *res = NULL;
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    int64_t t0 = dw_monotonic_us();
    if (dw_leads_submit(e, leads, &res, &err) < 0) {
        fprintf(stderr, "submit: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    int64_t t1 = dw_monotonic_us();
    struct dw_run_stats st = {.keep_samples = true};
    struct dw_run_opts o = {.no_wait = true, .batch = 64};
    int rr = workers > 0 ? bench_workers(e, workers, &st, &err) : dw_run(e, &o, &st, &err);
    if (rr < 0) {
        fprintf(stderr, "run: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    int64_t t2 = dw_monotonic_us();
    getrusage(RUSAGE_SELF, &ru1);
    double secs = (double)(t2 - t0) / 1e6;
    printf("pipeline: %d leads, %lld steps, %lld commits, %lld failures in %.3f s "
           "(submit %.3f s, run %.3f s)\n",
           n, (long long)st.steps, (long long)st.commits, (long long)st.failures, secs,
           (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
    if (workers > 0)
        printf("pipeline: %d worker%s leasing deals on %s: %.0f leads/s, %.0f steps/s (run "
               "alone: %.0f steps/s), %lld leases lost\n",
               workers, workers == 1 ? "" : "s", db ? "the given store" : "SQLite", n / secs,
               (double)st.steps / secs, (double)st.steps * 1e6 / (double)(t2 - t1),
               (long long)st.leases_lost);
    printf("pipeline: %.0f leads/s through the full pipeline, intake to proposal (goal >= 500)\n",
           n / secs);
    /* CPU time is what other work on a shared machine does not change */
    double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec -
                          ru0.ru_stime.tv_sec) +
                 (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec -
                          ru0.ru_stime.tv_usec) /
                     1e6;
    printf("pipeline: %.3f s CPU (user + system), %.0f leads per CPU second\n", cpu,
           cpu > 0 ? n / cpu : 0.0);
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
    if (dw_stats(e, &stats, &err) == 0) { /* the stage mix, largest first */
        struct {
            const char *name;
            json_int_t n;
        } mix[32];
        size_t nm = 0;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(stats, "stages"), k, v) {
            if (nm < 32 && json_integer_value(v) > 0)
                mix[nm++] = (typeof(mix[0])){k, json_integer_value(v)};
        }
        for (size_t x = 1; x < nm; x++)
            for (size_t y = x; y > 0 && mix[y - 1].n < mix[y].n; y--) {
                typeof(mix[0]) tmp = mix[y];
                mix[y] = mix[y - 1];
                mix[y - 1] = tmp;
            }
        printf("stages:");
        for (size_t x = 0; x < nm; x++)
            printf("%s %s %lld (%.0f %%)", x ? "," : "", mix[x].name, (long long)mix[x].n,
                   100.0 * (double)mix[x].n / n);
        printf("\n");
        json_decref(stats);
    }
    if (!only_pipeline)
        bench_scoring(e);
    dw_run_stats_release(&st);
    json_decref(res);
    json_decref(leads);
    dw_engine_close(e);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 3;
    return only_pipeline ? 0 : bench_retrieval();
}

/* dealwright-bench report [N] — GET /v1/reports/funnel's work at N deals (default 100,000).
 *
 * Writes N deals with a realistic history straight through the store (no HTTP, no agents):
 * per deal a lead and creation event, the stage changes of its path through the pipeline
 * (most reach a proposal, some wait for approval, some are ordered, lost or disqualified)
 * and a few step events in between, as a real run leaves them; then opens the engine on
 * that store and times dw_report_funnel (best and median of several runs, in ms).
 * `dealwright-bench report STATE.DB` opens an existing store instead (applying its pending
 * migrations, timed) and prints the whole report, to compare the figures across versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dealwright.h"
#include "store/store.h"
#include "../src/cli.h"

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The paths deals take, as stage lists from "new". */
static const enum dw_stage paths[][8] = {
    {DW_STAGE_QUALIFYING, DW_STAGE_SCOPING, DW_STAGE_PRICING, DW_STAGE_PROPOSAL_READY, 0},
    {DW_STAGE_QUALIFYING, DW_STAGE_SCOPING, DW_STAGE_PRICING, DW_STAGE_PROPOSAL_READY,
     DW_STAGE_ORDERED, 0},
    {DW_STAGE_QUALIFYING, DW_STAGE_SCOPING, DW_STAGE_PRICING, DW_STAGE_AWAITING_APPROVAL, 0},
    {DW_STAGE_QUALIFYING, DW_STAGE_SCOPING, DW_STAGE_PRICING, DW_STAGE_AWAITING_APPROVAL,
     DW_STAGE_PROPOSAL_READY, DW_STAGE_LOST, 0},
    {DW_STAGE_QUALIFYING, DW_STAGE_NEEDS_INFO, 0},
    {DW_STAGE_QUALIFYING, DW_STAGE_DISQUALIFIED, 0},
};

static int fill(struct dw_store *s, int n, struct dw_error *err) {
    const struct dw_store_ops *o = s->ops;
    dw_time_t t0 = dw_clock_now(NULL) - (dw_time_t)n * 60;
    int r = 0;
    for (int i = 0; i < n && r == 0; i++) {
        if (i % 5000 == 0 && (r = o->begin(s, err)) < 0)
            break;
        dw_time_t at = t0 + (dw_time_t)i * 60;
        struct dw_deal_rec d = {0};
        json_t *lead = json_pack("{s:I}", "lead", (json_int_t)i + 1);
        if ((r = o->deal_insert(s, at, &d.id, err)) < 0 ||
            (r = o->deal_get(s, d.id, &d, err)) < 0 ||
            (r = o->event_append(s, d.id, "lead.received", lead, at, NULL, err)) < 0 ||
            (r = o->event_append(s, d.id, "deal.created", NULL, at, NULL, err)) < 0) {
            json_decref(lead);
            break;
        }
        json_decref(lead);
        const enum dw_stage *p = paths[(unsigned)i * 2654435761u % DW_ARRAY_SIZE(paths)];
        enum dw_stage before = DW_STAGE_NEW;
        for (int k = 0; p[k] && r == 0; k++) {
            at += (dw_time_t)(30 + k * 600 + i % 97);
            json_t *step = json_pack("{s:s,s:i}", "agent", "step", "ms", 3);
            json_t *ch = json_pack("{s:s,s:s,s:s}", "from", dw_stage_name(before), "to",
                                   dw_stage_name(p[k]), "by", "bench");
            d.stage = p[k];
            d.updated_at = at;
            if ((r = o->event_append(s, d.id, "agent.step", step, at, NULL, err)) == 0 &&
                (r = o->deal_update(s, &d, err)) == 0)
                r = o->event_append(s, d.id, "deal.stage_changed", ch, at, NULL, err);
            json_decref(step);
            json_decref(ch);
            before = p[k];
        }
        if (r == 0 && (i % 5000 == 4999 || i == n - 1))
            r = o->commit(s, err);
    }
    if (r < 0)
        o->rollback(s);
    return r;
}

int bench_report(int n, const char *existing); /* bench.c runs it */

/* existing: a store to open instead (its migrations timed), the report printed whole. */
int bench_report(int n, const char *existing) {
    char dir[] = "/tmp/dealwright-bench-report-XXXXXX", db[4096], buf[1024];
    if (!mkdtemp(dir))
        return 3;
    snprintf(db, sizeof db, "%s/state.db", dir);
    struct dw_error err = {0};
    struct dw_store *s = NULL;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (existing) {
        snprintf(db, sizeof db, "%s", existing);
        if (dw_store_open(db, NULL, &s, &err) < 0) {
            fprintf(stderr, "report bench: %s\n", dw_error_format(&err, buf, sizeof buf));
            return 3;
        }
        printf("report: %s opened (migrated) in %.0f ms\n", db, ms_since(&t));
    } else {
        if (dw_store_open(db, NULL, &s, &err) < 0 || fill(s, n, &err) < 0) {
            fprintf(stderr, "report bench: %s\n", dw_error_format(&err, buf, sizeof buf));
            return 3;
        }
        printf("report: %d deals written in %.0f ms\n", n, ms_since(&t));
    }
    dw_store_close(s);
    if (cli_write_example(dir, &err) < 0) {
        fprintf(stderr, "%s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    if (dw_engine_open(dir, db, &e, &diags, &err) < 0) {
        fprintf(stderr, "report bench: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    enum { RUNS = 7 };
    double ms[RUNS];
    json_t *rep = NULL;
    for (int k = 0; k < RUNS; k++) {
        json_decref(rep);
        rep = NULL;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (dw_report_funnel(e, &rep, &err) < 0) {
            fprintf(stderr, "report bench: %s\n", dw_error_format(&err, buf, sizeof buf));
            return 3;
        }
        ms[k] = ms_since(&t);
    }
    qsort(ms, RUNS, sizeof ms[0], cmpd);
    json_int_t deals =
        json_integer_value(json_object_get(json_array_get(json_object_get(rep, "funnel"), 0), "n"));
    json_object_del(rep, "as_of");
    char *text =
        json_dumps(existing ? rep : json_object_get(rep, "funnel"), JSON_COMPACT | JSON_SORT_KEYS);
    printf("report: funnel at %lld deals: best %.1f ms, median %.1f ms (%d runs)\n%s\n",
           (long long)deals, ms[0], ms[RUNS / 2], RUNS, text ? text : "");
    free(text);
    json_decref(rep);
    dw_engine_close(e);
    /* the scratch workspace (and the generated store) */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 3;
}

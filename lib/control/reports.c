/* control — reports over the whole store: the sales funnel, conversion between its steps,
 * time in each stage and the approvals' figures (GET /v1/reports/funnel, `dealwright
 * report funnel`). Aggregated by the store in one read-only snapshot, so the figures agree
 * with each other, and never by reading deals one by one. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The funnel's steps: a deal counts for a step when it was ever in one of the step's
 * stages or a later step's (its history of stage changes, not only where it is now: a deal
 * lost after its proposal still reached the proposal). */
static const struct {
    const char *step;
    const char *stages[4];
} steps[] = {
    {"deals", {NULL}},
    {"qualified", {"scoping", "pricing", "awaiting_approval", NULL}},
    {"proposal", {"proposal_ready", NULL}},
    {"order", {"ordered", NULL}},
};

static json_int_t bp(json_int_t part, json_int_t whole) {
    return whole > 0 ? (part * 10000 + whole / 2) / whole : 0;
}

/* The highest step of any stage in the set ",a,b," (0 when none is in a step). */
static json_int_t set_rank(const char *set) {
    json_int_t rank = 0;
    for (size_t i = 1; set && i < DW_ARRAY_SIZE(steps); i++)
        for (size_t k = 0; steps[i].stages[k]; k++) {
            char key[40];
            snprintf(key, sizeof key, ",%s,", steps[i].stages[k]);
            if (strstr(set, key))
                rank = (json_int_t)i;
        }
    return rank;
}

static int funnel(struct dw_engine *e, json_t *out, struct dw_error *err) {
    _cleanup_json_ json_t *rows = NULL;
    int r = e->store->ops->report_reached(e->store, &rows, err);
    if (r < 0)
        return r;
    json_int_t at_least[DW_ARRAY_SIZE(steps)] = {0};
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_int_t rank = set_rank(dw_json_str(row, "stages")), n = dw_json_int(row, "n", 0);
        for (json_int_t k = 0; k <= rank; k++)
            at_least[k] += n;
    }
    json_t *list = json_array();
    if (!list || json_object_set_new(out, "funnel", list) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    for (size_t k = 0; k < DW_ARRAY_SIZE(steps); k++) {
        json_t *stages = json_array();
        for (size_t j = 0; stages && steps[k].stages[j]; j++)
            json_array_append_new(stages, json_string(steps[k].stages[j]));
        json_t *step = json_pack("{s:s,s:o*,s:I,s:I,s:I}", "step", steps[k].step, "stages", stages,
                                 "n", at_least[k], "conversion_bp",
                                 k ? bp(at_least[k], at_least[k - 1]) : (json_int_t)10000,
                                 "of_deals_bp", bp(at_least[k], at_least[0]));
        if (!step || json_array_append_new(list, step) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    return 0;
}

static int cycle(struct dw_engine *e, json_t *out, struct dw_error *err) {
    _cleanup_json_ json_t *stays = NULL;
    int r = e->store->ops->report_stays(e->store, &stays, err);
    if (r < 0)
        return r;
    json_t *ordered = json_array(); /* in the pipeline's order of stages */
    if (!ordered || json_object_set_new(out, "stage_times", ordered) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    for (int k = 0; k < DW__STAGE_MAX; k++) {
        size_t i;
        json_t *row;
        json_array_foreach(stays, i, row) {
            const char *st = dw_json_str(row, "stage");
            if (st && strcmp(st, dw_stage_name((enum dw_stage)k)) == 0 &&
                json_array_append(ordered, row) < 0)
                return dw_error_set(err, -DW_ENOMEM, "out of memory");
        }
    }
    json_t *to = json_object();
    if (!to || json_object_set_new(out, "time_to", to) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    static const char *const targets[] = {"proposal_ready", "ordered"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(targets); k++) {
        _cleanup_json_ json_t *rows = NULL;
        if ((r = e->store->ops->report_time_to(e->store, targets[k], &rows, err)) < 0)
            return r;
        json_t *one = json_array_get(rows, 0);
        if (!one || dw_json_int(one, "n", 0) == 0)
            one = NULL;
        if (json_object_set_new(to, targets[k],
                                one ? json_incref(one)
                                    : json_pack("{s:i,s:n,s:n}", "n", 0, "mean_s", "max_s")) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    return 0;
}

static int approvals(struct dw_engine *e, json_t *out, struct dw_error *err) {
    _cleanup_json_ json_t *rows = NULL;
    int r = e->store->ops->report_approvals(e->store, &rows, err);
    if (r < 0)
        return r;
    json_int_t n[4] = {0}, wait_sum = 0, decided_n = 0;
    static const char *const status[] = {"pending", "approved", "rejected", "void"};
    const char *oldest = NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *s = dw_json_str(row, "status");
        for (size_t k = 0; s && k < DW_ARRAY_SIZE(status); k++)
            if (strcmp(s, status[k]) == 0)
                n[k] = dw_json_int(row, "n", 0);
        if (s && strcmp(s, "pending") == 0)
            oldest = dw_json_str(row, "oldest");
        if (s && (strcmp(s, "approved") == 0 || strcmp(s, "rejected") == 0)) {
            wait_sum += dw_json_int(row, "mean_wait_s", 0) * dw_json_int(row, "n", 0);
            decided_n += dw_json_int(row, "n", 0);
        }
    }
    json_t *a =
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o*}", "pending", n[0], "approved", n[1],
                  "rejected", n[2], "void", n[3], "decided", n[1] + n[2], "approval_rate_bp",
                  n[1] + n[2] ? json_integer(bp(n[1], n[1] + n[2])) : json_null(), "mean_wait_s",
                  decided_n ? json_integer((wait_sum + decided_n / 2) / decided_n) : json_null(),
                  "oldest_pending_at", oldest ? json_string(oldest) : json_null());
    if (!a || json_object_set_new(out, "approvals", a) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    return 0;
}

static int report(struct dw_engine *e, json_t *out, struct dw_error *err) {
    _cleanup_json_ json_t *st = NULL;
    int r = e->store->ops->stats(e->store, &st, err);
    if (r < 0)
        return r;
    if (json_object_set(out, "stages", json_object_get(st, "stages")) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    if ((r = funnel(e, out, err)) < 0 || (r = cycle(e, out, err)) < 0 ||
        (r = approvals(e, out, err)) < 0)
        return r;
    return 0;
}

int dw_report_funnel(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    struct dw_store *s = e->store;
    char at[40];
    _cleanup_json_ json_t *out =
        json_pack("{s:s}", "as_of", dw_time_format(dw__now(e), at, sizeof at));
    if (!out)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    bool snap = s->ops->snapshot && s->ops->snapshot(s, NULL) == 0;
    int r = report(e, out, err);
    if (snap)
        s->ops->rollback(s);
    if (r < 0)
        return r;
    *ret = DW_TAKE_PTR(out);
    return 0;
}

/* Extraction by the rules against the rules plus a language model, on the same labelled
 * messages (include/dealwright/extract.h dw_extract_eval_model, docs/internals/assist.md).
 *
 * Why a second evaluation rather than a flag on the first: the rules' evaluation needs no
 * store and no network and gates the build; this one needs an engine (the model's governed
 * path journals every call) and a model a user points it at, and it reports the two side by
 * side so a company sees what its model adds before it lets the agents use it. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "control/internal.h"
#include "engines/assist.h"
#include "engines/extract.h"
#include "models/models.h"
#include <dealwright/extract.h>
#include <dealwright/models.h>

static json_t *fields_report(const struct dw_extract_tally *t) {
    json_t *o = json_object();
    for (int f = 0; o && f < DW_EF_N; f++) {
        double p, rc, f1;
        dw_extract_prf(t, (enum dw_extract_field)f, &p, &rc, &f1);
        json_object_set_new(o, dw_extract_field_names[f],
                            json_pack("{s:f,s:f,s:f,s:I,s:I,s:I}", "precision", p, "recall", rc,
                                      "f1", f1, "tp", (json_int_t)t->tp[f], "fp",
                                      (json_int_t)t->fp[f], "fn", (json_int_t)t->fn[f]));
    }
    return o;
}

static void count(json_t *counts, const char *key) {
    if (!key)
        return;
    json_object_set_new(counts, key, json_integer(dw_json_int(counts, key, 0) + 1));
}

struct tallies {
    struct dw_extract_tally rules, model;
    json_t *calls, *reasons, *why, *misses;
};

static int eval_one(struct dw_engine *e, const char *path, struct tallies *t,
                    struct dw_error *err) {
    const struct dw_workspace *ws = e->ws;
    json_error_t je;
    _cleanup_json_ json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return dw_error_at(err, -DW_EPARSE, path, je.line, je.column, "%s", je.text);
    const char *msg = dw_json_str(j, "message"), *ra = dw_json_str(j, "received_at");
    json_t *exp = json_object_get(j, "expected");
    dw_time_t at;
    if (!msg || !ra || !json_is_object(exp) || dw_time_parse(ra, &at) < 0)
        return dw_error_at(err, -DW_EINVAL, path, 1, 1,
                           "needs \"message\", \"received_at\" (RFC 3339) and \"expected\"");
    const struct dw_extractor *x = dw_ws_extractor(ws, err);
    if (!x)
        return err->code ? err->code : -DW_ENOMEM;
    _cleanup_json_ json_t *rules = NULL, *merged = NULL, *vars = NULL, *schema = NULL, *got = NULL,
                          *acc = NULL, *rej = NULL;
    int r = dw_extractor_run(x, msg, strlen(msg), at, &rules, err);
    if (r < 0)
        return r;
    merged = json_deep_copy(rules);
    vars = dw_assist_extraction_vars(ws, msg, at, dw_json_str(rules, "language"));
    schema = dw_assist_facts_schema();
    if (!merged || !vars || !schema)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    struct dw_model_request req = {.task = "extraction",
                                   .prompt = "extraction",
                                   .purpose = base,
                                   .vars = vars,
                                   .schema = schema};
    if ((r = dw_model_ask(e, &req, &got, err)) < 0)
        return r;
    count(t->calls, "asked");
    const json_t *answer = json_object_get(got, "answer");
    _cleanup_json_ json_t *mdl =
        json_pack("{s:[],s:[],s:[]}", "filled", "confirmed", "disagreements");
    if (!mdl)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    if (json_is_object(answer)) {
        count(t->calls, "answered");
        r = dw_assist_check_facts(ws, x, msg, strlen(msg), at, rules, answer, &acc, &rej, err);
        if (r < 0)
            return r;
        size_t i;
        json_t *v;
        json_array_foreach(rej, i, v) {
            count(t->calls, "rejected");
            count(t->reasons, dw_json_str(v, "reason"));
        }
        json_array_foreach(acc, i, v) count(t->calls, "accepted");
        if ((r = dw_assist_apply_facts(ws, merged, acc, mdl)) < 0)
            return dw_error_set(err, r, "out of memory");
        static const char *const keys[] = {"filled", "confirmed", "disagreements"};
        for (size_t k = 0; k < DW_ARRAY_SIZE(keys); k++)
            json_object_set_new(
                t->calls, keys[k],
                json_integer(dw_json_int(t->calls, keys[k], 0) +
                             (json_int_t)json_array_size(json_object_get(mdl, keys[k]))));
        int64_t call = dw_json_int(got, "call", 0);
        if (call) {
            _cleanup_json_ json_t *detail = json_pack(
                "{s:I,s:O}", "accepted", (json_int_t)json_array_size(acc), "rejected", rej);
            r = dw_models_verdict(e->store, call,
                                  json_array_size(rej) == 0   ? "accepted"
                                  : json_array_size(acc) == 0 ? "rejected"
                                                              : "partial",
                                  detail, dw__now(e), err);
            if (r < 0)
                return r;
        }
    } else {
        count(t->why, dw_json_str(got, "why"));
    }
    struct dw_extract_tally one = {0}, two = {0};
    if ((r = dw_extract_score(exp, rules, &one, err)) < 0 ||
        (r = dw_extract_score(exp, merged, &two, err)) < 0)
        return dw_error_at(err, r, path, 1, 1, "expected: %s", err->msg);
    for (int f = 0; f < DW_EF_N; f++) {
        t->rules.tp[f] += one.tp[f];
        t->rules.fp[f] += one.fp[f];
        t->rules.fn[f] += one.fn[f];
        t->model.tp[f] += two.tp[f];
        t->model.fp[f] += two.fp[f];
        t->model.fn[f] += two.fn[f];
        if (one.tp[f] != two.tp[f] || one.fp[f] != two.fp[f] || one.fn[f] != two.fn[f])
            json_array_append_new(
                t->misses, json_pack("{s:s,s:s,s:O*,s:O*,s:O*}", "file", base, "field",
                                     dw_extract_field_names[f], "expected",
                                     json_object_get(exp, dw_extract_field_names[f]), "rules",
                                     json_object_get(rules, dw_extract_field_names[f]), "model",
                                     json_object_get(merged, dw_extract_field_names[f])));
    }
    t->rules.messages++;
    t->model.messages++;
    return 0;
}

int dw_extract_eval_model(struct dw_engine *e, const char *const *paths, size_t n, json_t **ret,
                          struct dw_error *err) {
    const struct dw_workspace *ws = e->ws;
    if (!ws->models || !ws->models->tasks[DW_MODEL_TASK_EXTRACTION].n)
        return dw_error_set(err, -DW_ENOENT,
                            "no model serves the extraction task: models.yaml tasks.extraction");
    struct tallies t = {.calls = json_object(),
                        .reasons = json_object(),
                        .why = json_object(),
                        .misses = json_array()};
    int r = t.calls && t.reasons && t.why && t.misses ? 0 : -DW_ENOMEM;
    for (size_t i = 0; r >= 0 && i < n; i++)
        r = eval_one(e, paths[i], &t, err);
    if (r >= 0)
        *ret = json_pack("{s:I,s:o,s:o,s:O,s:O,s:O,s:O}", "messages", (json_int_t)t.rules.messages,
                         "rules", fields_report(&t.rules), "model", fields_report(&t.model),
                         "calls", t.calls, "reasons", t.reasons, "why", t.why, "misses", t.misses);
    json_decref(t.calls);
    json_decref(t.reasons);
    json_decref(t.why);
    json_decref(t.misses);
    if (r >= 0 && !*ret)
        r = -DW_ENOMEM;
    return r == -DW_ENOMEM ? dw_error_set(err, r, "out of memory") : r;
}

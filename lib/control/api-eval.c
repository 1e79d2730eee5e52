/* Scoring extraction against labelled messages (include/dealwright/extract.h,
 * docs/internals/extraction.md "Evaluation"): precision, recall and F1 per field, overall
 * and per language, and whether every field meets its goal. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "engines/extract.h"
#include <dealwright/extract.h>

/* The goals: F1 per field below which the evaluation fails. Fields not listed are reported. */
static const struct {
    enum dw_extract_field f;
    double goal;
} goals[] = {
    {DW_EF_BUDGET, 0.90},  {DW_EF_QUANTITY, 0.90},   {DW_EF_DEADLINE, 0.90},
    {DW_EF_COUNTRY, 0.90}, {DW_EF_CAPABILITY, 0.80},
};

static double goal_of(enum dw_extract_field f) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(goals); i++)
        if (goals[i].f == f)
            return goals[i].goal;
    return -1;
}

/* The languages a labelled message may be written in, in report order. */
static const char *const eval_langs[] = {"en", "de", "fr", "es", "it", "nl"};
#define N_LANGS DW_ARRAY_SIZE(eval_langs)

static int lang_index(const char *lang) {
    for (size_t i = 0; lang && i < N_LANGS; i++)
        if (strcmp(lang, eval_langs[i]) == 0)
            return (int)i;
    return -1;
}

/* One labelled message: {"message": text, "received_at": time, "lang": "en"|"de"|"fr"|...,
 * "expected": {field: value}}. Adds its score to t; errors name FILE and the field. */
static int eval_one(const struct dw_workspace *ws, const char *path, struct dw_extract_tally *t,
                    struct dw_extract_tally *by_lang, json_t *misses, struct dw_error *err) {
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return dw_error_at(err, -DW_EPARSE, path, je.line, je.column, "%s", je.text);
    int r = 0;
    json_t *got = NULL;
    const char *msg = dw_json_str(j, "message"), *ra = dw_json_str(j, "received_at"),
               *lang = dw_json_str(j, "lang");
    json_t *exp = json_object_get(j, "expected");
    dw_time_t at;
    if (!msg || !ra || !json_is_object(exp) || lang_index(lang) < 0) {
        r = dw_error_at(err, -DW_EINVAL, path, 1, 1,
                        "needs \"message\", \"received_at\", \"lang\" (en|de|fr|es|it|nl) and "
                        "\"expected\"");
        goto out;
    }
    if (dw_time_parse(ra, &at) < 0) {
        r = dw_error_at(err, -DW_EINVAL, path, 1, 1, "received_at: not an RFC 3339 time");
        goto out;
    }
    if ((r = dw_extract_text(ws, msg, strlen(msg), at, &got, err)) < 0)
        goto out;
    struct dw_extract_tally one = {0};
    if ((r = dw_extract_score(exp, got, &one, err)) < 0) {
        char field[sizeof err->field];
        snprintf(field, sizeof field, "%s", err->field);
        r = dw_error_at(err, r, path, 1, 1, "expected.%s: %s", field, err->msg);
        goto out;
    }
    struct dw_extract_tally *lt = &by_lang[lang_index(lang)];
    for (int f = 0; f < DW_EF_N; f++) {
        t->tp[f] += one.tp[f];
        t->fp[f] += one.fp[f];
        t->fn[f] += one.fn[f];
        lt->tp[f] += one.tp[f];
        lt->fp[f] += one.fp[f];
        lt->fn[f] += one.fn[f];
        if (one.fp[f] || one.fn[f]) {
            const char *base = strrchr(path, '/');
            json_array_append_new(misses,
                                  json_pack("{s:s,s:s,s:O*,s:O*}", "file", base ? base + 1 : path,
                                            "field", dw_extract_field_names[f], "expected",
                                            json_object_get(exp, dw_extract_field_names[f]), "got",
                                            json_object_get(got, dw_extract_field_names[f])));
        }
    }
    t->messages++;
    lt->messages++;
out:
    json_decref(got);
    json_decref(j);
    return r;
}

static json_t *report_fields(const struct dw_extract_tally *t) {
    json_t *fields = json_object();
    for (int f = 0; f < DW_EF_N; f++) {
        double p, rc, f1;
        dw_extract_prf(t, (enum dw_extract_field)f, &p, &rc, &f1);
        double g = goal_of((enum dw_extract_field)f);
        json_object_set_new(fields, dw_extract_field_names[f],
                            json_pack("{s:f,s:f,s:f,s:I,s:I,s:I,s:o}", "precision", p, "recall", rc,
                                      "f1", f1, "tp", (json_int_t)t->tp[f], "fp",
                                      (json_int_t)t->fp[f], "fn", (json_int_t)t->fn[f], "goal",
                                      g >= 0 ? json_real(g) : json_null()));
    }
    return fields;
}

int dw_extract_eval(const struct dw_workspace *ws, const char *const *paths, size_t n, json_t **ret,
                    struct dw_error *err) {
    struct dw_extract_tally t = {0}, by_lang[N_LANGS];
    memset(by_lang, 0, sizeof by_lang);
    json_t *misses = json_array();
    if (!misses)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    int r = 0;
    for (size_t i = 0; i < n && r >= 0; i++)
        r = eval_one(ws, paths[i], &t, by_lang, misses, err);
    if (r < 0) {
        json_decref(misses);
        return r;
    }
    bool below = false;
    for (int f = 0; f < DW_EF_N; f++) {
        double p, rc, f1, g = goal_of((enum dw_extract_field)f);
        dw_extract_prf(&t, (enum dw_extract_field)f, &p, &rc, &f1);
        if (g >= 0 && f1 + 1e-9 < g)
            below = true;
    }
    json_t *o = json_pack("{s:I,s:o,s:b}", "messages", (json_int_t)t.messages, "fields",
                          report_fields(&t), "goals_met", !below);
    json_t *bl = json_object();
    if (!o || !bl) {
        json_decref(o);
        json_decref(bl);
        json_decref(misses);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    for (size_t l = 0; l < N_LANGS; l++) {
        json_object_set_new(o, eval_langs[l], json_integer((json_int_t)by_lang[l].messages));
        if (by_lang[l].messages)
            json_object_set_new(bl, eval_langs[l], report_fields(&by_lang[l]));
    }
    json_object_set_new(o, "by_language", bl);
    json_object_set_new(o, "misses", misses);
    *ret = o;
    return 0;
}

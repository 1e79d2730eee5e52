/* Scoring extraction against labelled messages (include/dealwright/extract.h,
 * docs/internals/extraction.md "Evaluation"): precision, recall and F1 per field, overall
 * and per language, the main quantity, exclusions and whole messages, and whether every
 * labelled field meets the goal in every language. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "engines/extract.h"
#include <dealwright/extract.h>

/* The languages a labelled message may be written in, in report order. */
static const char *const eval_langs[] = {"en", "de", "fr", "es", "it", "nl"};
#define N_LANGS DW_ARRAY_SIZE(eval_langs)

static int lang_index(const char *lang) {
    for (size_t i = 0; lang && i < N_LANGS; i++)
        if (strcmp(lang, eval_langs[i]) == 0)
            return (int)i;
    return -1;
}

static void tally_add(struct dw_extract_tally *to, const struct dw_extract_tally *one) {
    for (int f = 0; f < DW_EF_N; f++) {
        to->tp[f] += one->tp[f];
        to->fp[f] += one->fp[f];
        to->fn[f] += one->fn[f];
    }
    to->messages += one->messages;
    to->whole_right += one->whole_right;
    to->main_q_of += one->main_q_of;
    to->main_q_right += one->main_q_right;
    to->excl_of += one->excl_of;
    to->excl_right += one->excl_right;
    to->excl_wanted += one->excl_wanted;
}

/* One labelled message: {"message": text, "received_at": time, "lang": "en"|"de"|"fr"|...,
 * "expected": {field: value}}. Adds its score to t; errors name FILE and the field. The
 * language is scored on every message: from expected.language, else from "lang". */
static int eval_one(const struct dw_workspace *ws, const char *path, struct dw_extract_tally *t,
                    struct dw_extract_tally *by_lang, json_t *misses, struct dw_error *err) {
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return dw_error_at(err, -DW_EPARSE, path, je.line, je.column, "%s", je.text);
    int r = 0;
    json_t *got = NULL, *exp = NULL;
    const char *msg = dw_json_str(j, "message"), *ra = dw_json_str(j, "received_at"),
               *lang = dw_json_str(j, "lang");
    json_t *label = json_object_get(j, "expected");
    dw_time_t at;
    if (!msg || !ra || !json_is_object(label) || lang_index(lang) < 0) {
        r = dw_error_at(err, -DW_EINVAL, path, 1, 1,
                        "needs \"message\", \"received_at\", \"lang\" (en|de|fr|es|it|nl) and "
                        "\"expected\"");
        goto out;
    }
    if (dw_time_parse(ra, &at) < 0) {
        r = dw_error_at(err, -DW_EINVAL, path, 1, 1, "received_at: not an RFC 3339 time");
        goto out;
    }
    exp = json_copy(label);
    if (!exp) {
        r = dw_error_set(err, -DW_ENOMEM, "out of memory");
        goto out;
    }
    if (!json_object_get(exp, "language"))
        json_object_set_new(exp, "language", json_string(lang));
    if ((r = dw_extract_text(ws, msg, strlen(msg), at, &got, err)) < 0)
        goto out;
    struct dw_extract_tally one = {0};
    if ((r = dw_extract_score(exp, got, &one, err)) < 0) {
        char field[sizeof err->field];
        snprintf(field, sizeof field, "%s", err->field);
        r = dw_error_at(err, r, path, 1, 1, "expected.%s: %s", field, err->msg);
        goto out;
    }
    tally_add(t, &one);
    tally_add(&by_lang[lang_index(lang)], &one);
    for (int f = 0; f < DW_EF_N; f++) {
        if (one.fp[f] || one.fn[f]) {
            const char *base = strrchr(path, '/');
            json_array_append_new(
                misses, json_pack("{s:s,s:s,s:s,s:O*,s:O*}", "file", base ? base + 1 : path, "lang",
                                  lang, "field", dw_extract_field_names[f], "expected",
                                  json_object_get(exp, dw_extract_field_names[f]), "got",
                                  json_object_get(got, dw_extract_field_names[f])));
        }
    }
out:
    json_decref(exp);
    json_decref(got);
    json_decref(j);
    return r;
}

/* Whether a field was scored at all: something labelled or something found where the label
 * said none. A field no message labels has no score and no goal. */
static bool scored(const struct dw_extract_tally *t, int f) {
    return t->tp[f] + t->fp[f] + t->fn[f] > 0;
}

static json_t *ratio(int64_t right, int64_t of) {
    return json_pack("{s:I,s:I,s:f}", "right", (json_int_t)right, "of", (json_int_t)of, "ratio",
                     of ? (double)right / (double)of : 1.0);
}

/* The report of one tally; *below set when a scored field is under the goal. */
static json_t *report(const struct dw_extract_tally *t, double goal, bool *below) {
    json_t *fields = json_object();
    for (int f = 0; f < DW_EF_N; f++) {
        double p, rc, f1;
        dw_extract_prf(t, (enum dw_extract_field)f, &p, &rc, &f1);
        bool s = scored(t, f);
        if (s && f1 + 1e-9 < goal)
            *below = true;
        json_object_set_new(fields, dw_extract_field_names[f],
                            json_pack("{s:f,s:f,s:f,s:I,s:I,s:I,s:o}", "precision", p, "recall", rc,
                                      "f1", f1, "tp", (json_int_t)t->tp[f], "fp",
                                      (json_int_t)t->fp[f], "fn", (json_int_t)t->fn[f], "goal",
                                      s ? json_real(goal) : json_null()));
    }
    json_t *ex = ratio(t->excl_right, t->excl_of);
    json_object_set_new(ex, "refused_but_wanted", json_integer((json_int_t)t->excl_wanted));
    return json_pack("{s:I,s:o,s:o,s:o,s:o}", "messages", (json_int_t)t->messages, "fields", fields,
                     "whole_message", ratio(t->whole_right, t->messages), "main_quantity",
                     ratio(t->main_q_right, t->main_q_of), "exclusions", ex);
}

int dw_extract_eval_goal(const struct dw_workspace *ws, const char *const *paths, size_t n,
                         double goal, json_t **ret, struct dw_error *err) {
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
    /* The goal holds per language: the overall figures are reported, not gated. */
    bool below = false, ignored = false;
    json_t *o = report(&t, goal, &ignored);
    json_t *bl = json_object();
    if (!o || !bl) {
        json_decref(o);
        json_decref(bl);
        json_decref(misses);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    for (size_t l = 0; l < N_LANGS; l++) {
        json_object_set_new(o, eval_langs[l], json_integer((json_int_t)by_lang[l].messages));
        if (by_lang[l].messages) {
            bool lb = false;
            json_t *lr = report(&by_lang[l], goal, &lb);
            json_object_set_new(lr, "goals_met", json_boolean(!lb));
            json_object_set_new(bl, eval_langs[l], lr);
            below |= lb;
        }
    }
    json_object_set_new(o, "goal", json_real(goal));
    json_object_set_new(o, "goals_met", json_boolean(!below));
    json_object_set_new(o, "by_language", bl);
    json_object_set_new(o, "misses", misses);
    *ret = o;
    return 0;
}

int dw_extract_eval(const struct dw_workspace *ws, const char *const *paths, size_t n, json_t **ret,
                    struct dw_error *err) {
    return dw_extract_eval_goal(ws, paths, n, DW_EXTRACT_GOAL_TUNING, ret, err);
}

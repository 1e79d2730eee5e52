/* dealwright — requirements extraction (docs/internals/extraction.md) with the workspace's
 * vocabulary, prepared once per snapshot. No store is needed. */
#ifndef DEALWRIGHT_EXTRACT_H
#define DEALWRIGHT_EXTRACT_H

#include <stddef.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/util.h>
#include <dealwright/workspace.h>

/* dw_extract_text() reads plain text; dw_extract_lead() checks a lead like dw_leads_submit
 * (errors name the field) and reads the customer's words of it, resolving relative dates
 * against its received_at (default_at when it has none). When the lead is a transcript,
 * "source_text" holds the words the spans point into. */
DW_EXPORT int dw_extract_text(const struct dw_workspace *ws, const char *text, size_t len,
                              dw_time_t received_at, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_extract_lead(const struct dw_workspace *ws, const json_t *lead,
                              dw_time_t default_at, json_t **ret, struct dw_error *err);

/* The F1 every scored field must reach in every language: on a tuning set (the messages the
 * rules are developed against) and on a held-out set (never tuned on). */
#define DW_EXTRACT_GOAL_TUNING 0.95
#define DW_EXTRACT_GOAL_HOLDOUT 0.90

/* Score extraction against labelled messages (docs/internals/extraction.md "Evaluation"):
 * each file of paths is {"message", "received_at", "lang" (en|de|fr|es|it|nl), "expected":
 * {field: value}}; the language is scored on every message (expected.language, else lang).
 * Result: {messages, LANG: count for each language, goal, fields: {FIELD: {precision,
 * recall, f1, tp, fp, fn, goal}}, whole_message, main_quantity, exclusions: {right, of,
 * ratio[, refused_but_wanted]}, by_language: {LANG: {messages, fields, whole_message,
 * main_quantity, exclusions, goals_met}}, goals_met, misses: [{file, lang, field, expected,
 * got}]}; a field's goal is null where nothing was labelled. goals_met: every scored field
 * of every language reaches `goal`. A bad file is an error naming it. dw_extract_eval() uses
 * DW_EXTRACT_GOAL_TUNING. */
DW_EXPORT int dw_extract_eval_goal(const struct dw_workspace *ws, const char *const *paths,
                                   size_t n, double goal, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_extract_eval(const struct dw_workspace *ws, const char *const *paths, size_t n,
                              json_t **ret, struct dw_error *err);

struct dw_engine;
/* The same labelled messages read twice: by the rules alone, and by the rules with the model
 * models.yaml routes the extraction task to (docs/internals/assist.md), its proposed facts
 * checked and applied as the requirements agent applies them (policies.yaml model_facts).
 * Each call takes the governed path (journaled without a deal: a second run replays it).
 * Result: {messages, rules: {FIELD: {precision, recall, f1, tp, fp, fn}}, model: {same},
 * calls: {asked, answered, accepted, rejected, filled, confirmed, disagreements},
 * reasons: {REASON: count}, why: {WHY: count} (no answer), misses: [{file, field, expected,
 * rules, model}] where the two differ}. -DW_ENOENT when no model serves extraction. */
DW_EXPORT int dw_extract_eval_model(struct dw_engine *e, const char *const *paths, size_t n,
                                    json_t **ret, struct dw_error *err);

#endif

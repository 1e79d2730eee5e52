/* dealwright — predictive scoring (docs/internals/scoring.md): a model of won and lost
 * deals trained from a CSV deal history. */
#ifndef DEALWRIGHT_SCORING_H
#define DEALWRIGHT_SCORING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

struct dw_score_csv {
    const char *path;           /* the CSV file ("-" = stdin) */
    char delimiter;             /* ',', ';', TAB, or 0 to detect */
    const char *target;         /* the outcome column */
    const char *positive;       /* the outcome value that counts as won */
    const char *const *exclude; /* columns to leave out */
    size_t n_exclude;
    /* Training parameters; 0 = the default (docs/internals/scoring.md). min_child_weight's
     * default follows the data's size: rows / 2000, between 1 and 20; so does the thread
     * count (1 below a million cells, else 2). */
    int rounds, max_depth;
    double eta, min_child_weight, subsample, colsample_bytree;
    int threads;
};
/* Train on the whole file and store the model as the workspace's next version (one
 * transaction, with an audit record), unless the latest version has the same hash (the
 * same data and parameters): then nothing changes. Result: {version, created, hash, rows,
 * positives, features, columns, train_auc, seconds}. */
DW_EXPORT int dw_score_train_csv(struct dw_engine *e, const struct dw_score_csv *in, json_t **ret,
                                 struct dw_error *err);
/* k-fold cross-validated AUC (stratified, fixed seed) of the same training; needs no
 * workspace. folds 0 = 10. Result: {folds, auc, auc_sd, pooled_auc, rows, positives,
 * features, ...} (docs/internals/scoring.md). */
DW_EXPORT int dw_score_eval_csv(const struct dw_score_csv *in, int folds, json_t **ret,
                                struct dw_error *err);
/* The model version (0 = the latest): its meta {version, created_at, hash, data_hash,
 * schema, params, rows, positives, features, train_auc}; -DW_ENOENT when none. */
DW_EXPORT int dw_score_show(struct dw_engine *e, int64_t version, json_t **ret,
                            struct dw_error *err);

#endif

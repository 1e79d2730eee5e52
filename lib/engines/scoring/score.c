/* Predictive scoring with XGBoost's C API.
 *
 * Why one-hot rather than XGBoost's native categorical support: native categories need a
 * DMatrix built from an Arrow or column interface with feature types, are marked
 * experimental in 1.7, and give contributions per column anyway — one-hot works with the
 * plain dense-matrix API, and summing a column's one-hot contributions gives the same
 * per-column explanation. The cost is width: DW_SCORE_MAX_CATEGORIES caps a column.
 *
 * Determinism: XGBoost's hist method with a fixed seed and a fixed thread count builds the
 * same trees every time; the thread count is part of the parameters (and of the hash).
 *
 * XGBoost reports errors through XGBGetLastError() (a thread-local string); each call is
 * checked and its message copied into the caller's error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "engines/score.h"

/* ---- parameters ------------------------------------------------------------------------ */

void dw_score_params_default(struct dw_score_params *p) {
    *p = (struct dw_score_params){
        .rounds = 200,
        .max_depth = 5,
        .eta = 0.05,
        .min_child_weight = 20,
        .subsample = 0.8,
        .colsample_bytree = 0.6,
        .lambda = 1,
        .nthread = 2,
        .seed = 1,
    };
}

int dw_score_params_check(const struct dw_score_params *p, struct dw_error *err) {
    if (p->rounds < 1 || p->rounds > DW_SCORE_MAX_ROUNDS)
        return dw_error_set(err, -DW_EINVAL, "rounds must be 1..%d", DW_SCORE_MAX_ROUNDS);
    if (p->max_depth < 1 || p->max_depth > DW_SCORE_MAX_DEPTH)
        return dw_error_set(err, -DW_EINVAL, "max_depth must be 1..%d", DW_SCORE_MAX_DEPTH);
    if (!(p->eta > 0 && p->eta <= 1))
        return dw_error_set(err, -DW_EINVAL, "eta must be in (0, 1]");
    if (!(p->min_child_weight >= 0 && p->min_child_weight <= 1e6))
        return dw_error_set(err, -DW_EINVAL, "min_child_weight must be 0..1000000");
    if (!(p->subsample > 0 && p->subsample <= 1))
        return dw_error_set(err, -DW_EINVAL, "subsample must be in (0, 1]");
    if (!(p->colsample_bytree > 0 && p->colsample_bytree <= 1))
        return dw_error_set(err, -DW_EINVAL, "colsample_bytree must be in (0, 1]");
    if (!(p->lambda >= 0 && p->lambda <= 1e6))
        return dw_error_set(err, -DW_EINVAL, "lambda must be 0..1000000");
    if (p->nthread < 0 || p->nthread > 256)
        return dw_error_set(err, -DW_EINVAL, "nthread must be 0..256");
    return 0;
}

static int nthread(const struct dw_score_params *p) {
    return p->nthread > 0 ? p->nthread : 2;
}

static json_t *params_json(const struct dw_score_params *p) {
    return json_pack("{s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:i,s:I}", "rounds", p->rounds, "max_depth",
                     p->max_depth, "eta", p->eta, "min_child_weight", p->min_child_weight,
                     "subsample", p->subsample, "colsample_bytree", p->colsample_bytree, "lambda",
                     p->lambda, "nthread", nthread(p), "seed", (json_int_t)p->seed);
}

static int params_from_json(const json_t *j, struct dw_score_params *p, struct dw_error *err) {
    dw_score_params_default(p);
    json_t *v;
#define REAL(k)                                                                                    \
    if ((v = json_object_get(j, #k)) && json_is_number(v))                                         \
        p->k = json_number_value(v);
    REAL(eta)
    REAL(min_child_weight)
    REAL(subsample)
    REAL(colsample_bytree)
    REAL(lambda)
#undef REAL
    p->rounds = (int)dw_json_int(j, "rounds", p->rounds);
    p->max_depth = (int)dw_json_int(j, "max_depth", p->max_depth);
    p->nthread = (int)dw_json_int(j, "nthread", p->nthread);
    p->seed = (uint64_t)dw_json_int(j, "seed", (int64_t)p->seed);
    return dw_score_params_check(p, err);
}

/* ---- XGBoost calls ---------------------------------------------------------------------- */

static int xgb_fail(struct dw_error *err, const char *what) {
    const char *m = XGBGetLastError();
    /* XGBoost's messages start with a source location and may span lines: keep the first */
    char buf[400];
    snprintf(buf, sizeof buf, "%s", m ? m : "");
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return dw_error_set(err, -DW_EINTERNAL, "XGBoost %s: %s", what, buf);
}

static void quiet(void) {
    /* XGBoost logs warnings to stderr by default; the library does not print. */
    XGBSetGlobalConfig("{\"verbosity\": 0}");
}

static int matrix(const float *x, size_t rows, size_t cols, DMatrixHandle *ret,
                  struct dw_error *err) {
    if (XGDMatrixCreateFromMat(x, (bst_ulong)rows, (bst_ulong)cols, NAN, ret) != 0)
        return xgb_fail(err, "matrix");
    return 0;
}

static int set_params(BoosterHandle b, const struct dw_score_params *p, struct dw_error *err) {
    char v[8][64];
    snprintf(v[0], sizeof v[0], "%d", p->max_depth);
    snprintf(v[1], sizeof v[1], "%.17g", p->eta);
    snprintf(v[2], sizeof v[2], "%.17g", p->min_child_weight);
    snprintf(v[3], sizeof v[3], "%.17g", p->subsample);
    snprintf(v[4], sizeof v[4], "%.17g", p->colsample_bytree);
    snprintf(v[5], sizeof v[5], "%.17g", p->lambda);
    snprintf(v[6], sizeof v[6], "%d", nthread(p));
    snprintf(v[7], sizeof v[7], "%llu", (unsigned long long)(p->seed & 0x7fffffff));
    const char *kv[][2] = {
        {"objective", "binary:logistic"},
        {"tree_method", "hist"},
        {"verbosity", "0"},
        {"max_depth", v[0]},
        {"eta", v[1]},
        {"min_child_weight", v[2]},
        {"subsample", v[3]},
        {"colsample_bytree", v[4]},
        {"lambda", v[5]},
        {"nthread", v[6]},
        {"seed", v[7]},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(kv); i++)
        if (XGBoosterSetParam(b, kv[i][0], kv[i][1]) != 0)
            return xgb_fail(err, "parameter");
    return 0;
}

static int boost(const float *x, const float *y, size_t rows, size_t cols,
                 const struct dw_score_params *p, BoosterHandle *ret, struct dw_error *err) {
    DMatrixHandle dm = NULL;
    BoosterHandle b = NULL;
    int r = matrix(x, rows, cols, &dm, err);
    if (r < 0)
        return r;
    if (XGDMatrixSetFloatInfo(dm, "label", y, (bst_ulong)rows) != 0) {
        r = xgb_fail(err, "labels");
        goto out;
    }
    if (XGBoosterCreate(&dm, 1, &b) != 0) {
        r = xgb_fail(err, "booster");
        goto out;
    }
    if ((r = set_params(b, p, err)) < 0)
        goto out;
    for (int i = 0; i < p->rounds; i++)
        if (XGBoosterUpdateOneIter(b, i, dm) != 0) {
            r = xgb_fail(err, "training");
            goto out;
        }
    *ret = DW_TAKE_PTR(b);
out:
    if (b)
        XGBoosterFree(b);
    XGDMatrixFree(dm);
    return r;
}

/* Predict rows of x: probabilities (out[rows]) or, with contribs, (cols + 1) log-odds
 * contributions per row, the last the bias. */
static int predict(BoosterHandle b, const float *x, size_t rows, size_t cols, bool contribs,
                   float *out, struct dw_error *err) {
    DMatrixHandle dm = NULL;
    int r = matrix(x, rows, cols, &dm, err);
    if (r < 0)
        return r;
    bst_ulong n = 0;
    const float *res = NULL;
    if (XGBoosterPredict(b, dm, contribs ? 4 : 0, 0, 0, &n, &res) != 0)
        r = xgb_fail(err, "prediction");
    else if (n != (bst_ulong)(rows * (contribs ? cols + 1 : 1)))
        r = dw_error_set(err, -DW_EINTERNAL, "XGBoost returned %llu values for %zu rows",
                         (unsigned long long)n, rows);
    else
        memcpy(out, res, n * sizeof *out);
    XGDMatrixFree(dm);
    return r;
}

/* ---- AUC ---------------------------------------------------------------------------------- */

struct scored {
    float s, y;
};

static int by_score(const void *a, const void *b) {
    float x = ((const struct scored *)a)->s, y = ((const struct scored *)b)->s;
    return (x > y) - (x < y);
}

int dw_auc(const float *score, const float *label, size_t n, double *ret) {
    struct scored *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -DW_ENOMEM;
    double pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = (struct scored){score[i], label[i]};
        if (label[i] > 0.5f)
            pos++;
        else
            neg++;
    }
    if (pos == 0 || neg == 0) {
        free(v);
        return -DW_EINVAL;
    }
    qsort(v, n, sizeof *v, by_score);
    /* sum of the positives' ranks, tied scores sharing their average rank */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].s == v[i].s)
            j++;
        double avg = (double)(i + 1 + j) / 2.0; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            if (v[k].y > 0.5f)
                rank_sum += avg;
        i = j;
    }
    free(v);
    *ret = (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
    return 0;
}

/* ---- encoding ------------------------------------------------------------------------------ */

static bool number(const char *s, double *ret) {
    if (!s || !*s)
        return false;
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end || !isfinite(v) || *s == ' ')
        return false;
    *ret = v;
    return true;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool excluded(const struct dw_score_spec *spec, const char *name) {
    for (size_t i = 0; i < spec->n_exclude; i++)
        if (strcmp(spec->exclude[i], name) == 0)
            return true;
    return false;
}

/* One kept column while encoding. */
struct column {
    size_t src; /* index in the table */
    bool categorical;
    const char **cats; /* sorted distinct values (borrowed from the table) */
    size_t n_cats, first;
};

static int category_index(const struct column *c, const char *v) {
    const char **hit = bsearch(&v, c->cats, c->n_cats, sizeof *c->cats, cmp_str);
    return hit ? (int)(hit - c->cats) : -1;
}

/* The distinct non-empty values of column c (sorted); -DW_ETOOBIG past the limit. */
static int collect_categories(const struct dw_csv *t, const char *file, struct column *c,
                              struct dw_error *err) {
    const char **all = malloc((t->n_rows ? t->n_rows : 1) * sizeof *all);
    if (!all)
        return -DW_ENOMEM;
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (*dw_csv_cell(t, r, c->src))
            all[n++] = dw_csv_cell(t, r, c->src);
    qsort(all, n, sizeof *all, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(all[k - 1], all[i]) != 0)
            all[k++] = all[i];
    if (k > DW_SCORE_MAX_CATEGORIES) {
        free(all);
        return dw_error_at(err, -DW_ETOOBIG, file, 1, 1,
                           "column '%s' has %zu distinct values, more than %d: exclude it "
                           "(--exclude) if it identifies rows",
                           t->header[c->src], k, DW_SCORE_MAX_CATEGORIES);
    }
    c->cats = all;
    c->n_cats = k;
    return 0;
}

void dw_score_data_free(struct dw_score_data *d) {
    if (!d)
        return;
    free(d->x);
    free(d->y);
    json_decref(d->schema);
    free(d);
}

static void hash_str(struct dw_sha256 *h, const char *s, char sep) {
    dw_sha256_update(h, s, strlen(s));
    dw_sha256_update(h, &sep, 1);
}

static int encode(const struct dw_csv *t, const char *file, const struct dw_score_spec *spec,
                  int tcol, struct column *cols, size_t n_cols, struct dw_score_data *d,
                  struct dw_error *err) {
    size_t nf = 0;
    for (size_t i = 0; i < n_cols; i++) {
        cols[i].first = nf;
        nf += cols[i].categorical ? cols[i].n_cats : 1;
    }
    if (nf == 0)
        return dw_error_set(err, -DW_EINVAL, "no feature columns left besides the target");
    if (nf > DW_SCORE_MAX_FEATURES)
        return dw_error_set(err, -DW_ETOOBIG,
                            "%zu encoded features (one per numeric column and per category), "
                            "more than %d",
                            nf, DW_SCORE_MAX_FEATURES);
    if (t->n_rows > DW_SCORE_MAX_CELLS / nf)
        return dw_error_set(err, -DW_ETOOBIG,
                            "%zu rows x %zu encoded features is more than %d values: exclude "
                            "columns or use fewer rows",
                            t->n_rows, nf, DW_SCORE_MAX_CELLS);
    d->n_features = nf;
    d->x = malloc(t->n_rows * nf * sizeof *d->x + 1);
    d->y = malloc(t->n_rows * sizeof *d->y + 1);
    if (!d->x || !d->y)
        return -DW_ENOMEM;
    struct dw_sha256 h;
    dw_sha256_init(&h);
    hash_str(&h, spec->target, '\x1f');
    hash_str(&h, spec->positive, '\x1e');
    for (size_t i = 0; i < n_cols; i++) {
        hash_str(&h, t->header[cols[i].src], '\x1f');
        hash_str(&h, cols[i].categorical ? "c" : "n", '\x1f');
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *target = dw_csv_cell(t, r, (size_t)tcol);
        if (!*target)
            return dw_error_at(err, -DW_EINVAL, file, t->row_line[r], 1,
                               "the row has no value in the target column '%s'", spec->target);
        bool pos = strcmp(target, spec->positive) == 0;
        d->y[r] = pos ? 1.0f : 0.0f;
        d->n_positive += pos;
        hash_str(&h,
                 pos ? "\x1e"
                       "1"
                     : "\x1e"
                       "0",
                 '\x1f');
        float *row = d->x + r * nf;
        for (size_t i = 0; i < n_cols; i++) {
            const struct column *c = &cols[i];
            const char *v = dw_csv_cell(t, r, c->src);
            hash_str(&h, v, '\x1f');
            if (!c->categorical) {
                double num;
                row[c->first] = number(v, &num) ? (float)num : NAN;
                continue;
            }
            int k = *v ? category_index(c, v) : -1;
            for (size_t j = 0; j < c->n_cats; j++)
                row[c->first + j] = !*v ? NAN : (int)j == k ? 1.0f : 0.0f;
        }
    }
    dw_sha256_final_hex(&h, d->data_hash);
    d->n_rows = t->n_rows;
    if (d->n_positive == 0 || d->n_positive == d->n_rows)
        return dw_error_set(err, -DW_EINVAL,
                            "the target column '%s' needs both outcomes: %zu of %zu rows are "
                            "'%s'",
                            spec->target, d->n_positive, d->n_rows, spec->positive);
    return 0;
}

static json_t *schema_json(const struct dw_csv *t, const struct dw_score_spec *spec,
                           const struct column *cols, size_t n_cols) {
    _cleanup_json_ json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < n_cols; i++) {
        json_t *c = json_pack("{s:s,s:s}", "name", t->header[cols[i].src], "type",
                              cols[i].categorical ? "categorical" : "numeric");
        if (!c || json_array_append_new(arr, c) < 0)
            return NULL;
        if (!cols[i].categorical)
            continue;
        json_t *cats = json_array();
        if (!cats || json_object_set_new(c, "categories", cats) < 0)
            return NULL;
        for (size_t j = 0; j < cols[i].n_cats; j++)
            if (json_array_append_new(cats, json_string(cols[i].cats[j])) < 0)
                return NULL;
    }
    return json_pack("{s:s,s:s,s:O}", "target", spec->target, "positive", spec->positive, "columns",
                     arr);
}

int dw_score_data_from_csv(const struct dw_csv *t, const char *file,
                           const struct dw_score_spec *spec, struct dw_score_data **ret,
                           struct dw_error *err) {
    if (!t || !spec || !spec->target || !spec->positive)
        return dw_error_set(err, -DW_EINVAL,
                            "scoring data needs a table, a target and a "
                            "positive value");
    int tcol = dw_csv_column(t, spec->target);
    if (tcol < 0)
        return dw_error_at(err, -DW_EINVAL, file, 1, 1, "no column '%s' (the target) in the header",
                           spec->target);
    for (size_t i = 0; i < spec->n_exclude; i++)
        if (dw_csv_column(t, spec->exclude[i]) < 0)
            return dw_error_at(err, -DW_EINVAL, file, 1, 1,
                               "no column '%s' (to exclude) in the header", spec->exclude[i]);
    if (t->n_rows == 0)
        return dw_error_at(err, -DW_EINVAL, file, 2, 1, "no data rows");

    struct column *cols = calloc(t->n_cols, sizeof *cols);
    struct dw_score_data *d = calloc(1, sizeof *d);
    size_t n_cols = 0;
    int r = 0;
    if (!cols || !d) {
        r = -DW_ENOMEM;
        goto out;
    }
    for (size_t c = 0; c < t->n_cols; c++) {
        if ((int)c == tcol || excluded(spec, t->header[c]))
            continue;
        struct column *col = &cols[n_cols++];
        col->src = c;
        double v;
        for (size_t row = 0; row < t->n_rows && !col->categorical; row++) {
            const char *cell = dw_csv_cell(t, row, c);
            col->categorical = *cell && !number(cell, &v);
        }
        if (col->categorical && (r = collect_categories(t, file, col, err)) < 0)
            goto out;
    }
    if ((r = encode(t, file, spec, tcol, cols, n_cols, d, err)) < 0)
        goto out;
    if (!(d->schema = schema_json(t, spec, cols, n_cols))) {
        r = -DW_ENOMEM;
        goto out;
    }
    *ret = DW_TAKE_PTR(d);
out:
    for (size_t i = 0; cols && i < n_cols; i++)
        free(cols[i].cats);
    free(cols);
    dw_score_data_free(d);
    return r;
}

/* ---- models -------------------------------------------------------------------------------- */

/* A model column, from the schema. */
struct mcol {
    const char *name; /* borrowed from meta */
    bool categorical;
    const char **cats; /* in schema order (sorted) */
    size_t n_cats, first;
};

struct dw_score_model {
    BoosterHandle booster;
    json_t *meta;
    struct mcol *cols;
    size_t n_cols, n_features;
};

void dw_score_model_free(struct dw_score_model *m) {
    if (!m)
        return;
    if (m->booster)
        XGBoosterFree(m->booster);
    for (size_t i = 0; i < m->n_cols; i++)
        free(m->cols[i].cats);
    free(m->cols);
    json_decref(m->meta);
    free(m);
}

const json_t *dw_score_model_meta(const struct dw_score_model *m) {
    return m ? m->meta : NULL;
}

/* Read the schema of meta into m's columns. */
static int model_columns(struct dw_score_model *m, struct dw_error *err) {
    const json_t *cols = json_object_get(json_object_get(m->meta, "schema"), "columns");
    size_t n = json_array_size(cols);
    if (n == 0)
        return dw_error_set(err, -DW_EINVAL, "the model's schema has no columns");
    m->cols = calloc(n, sizeof *m->cols);
    if (!m->cols)
        return -DW_ENOMEM;
    m->n_cols = n;
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(cols, i);
        struct mcol *mc = &m->cols[i];
        const char *type = dw_json_str(c, "type");
        mc->name = dw_json_str(c, "name");
        if (!mc->name || !type)
            return dw_error_set(err, -DW_EINVAL, "the model's schema column %zu is malformed",
                                i + 1);
        mc->categorical = strcmp(type, "categorical") == 0;
        mc->first = nf;
        if (!mc->categorical) {
            nf++;
            continue;
        }
        const json_t *cats = json_object_get(c, "categories");
        mc->n_cats = json_array_size(cats);
        mc->cats = calloc(mc->n_cats + 1, sizeof *mc->cats);
        if (!mc->cats)
            return -DW_ENOMEM;
        for (size_t j = 0; j < mc->n_cats; j++)
            if (!(mc->cats[j] = json_string_value(json_array_get(cats, j))))
                return dw_error_set(err, -DW_EINVAL, "the model's schema column '%s' is malformed",
                                    mc->name);
        nf += mc->n_cats;
    }
    if (nf == 0 || nf > DW_SCORE_MAX_FEATURES)
        return dw_error_set(err, -DW_EINVAL, "the model's schema has %zu features", nf);
    m->n_features = nf;
    return 0;
}

int dw_score_train(const struct dw_score_data *d, const struct dw_score_params *p,
                   struct dw_score_model **ret, struct dw_error *err) {
    int r = dw_score_params_check(p, err);
    if (r < 0)
        return r;
    quiet();
    struct dw_score_model *m = calloc(1, sizeof *m);
    float *pred = malloc(d->n_rows * sizeof *pred + 1);
    _cleanup_json_ json_t *params = params_json(p);
    _cleanup_free_ char *canon = params ? dw_json_canonical(params) : NULL;
    if (!m || !pred || !params || !canon) {
        r = -DW_ENOMEM;
        goto out;
    }
    if ((r = boost(d->x, d->y, d->n_rows, d->n_features, p, &m->booster, err)) < 0)
        goto out;
    double auc = 0;
    if ((r = predict(m->booster, d->x, d->n_rows, d->n_features, false, pred, err)) < 0 ||
        (r = dw_auc(pred, d->y, d->n_rows, &auc)) < 0)
        goto out;
    /* the version hash: the data as used, then the parameters */
    struct dw_sha256 h;
    char hash[DW_SHA256_HEX];
    dw_sha256_init(&h);
    dw_sha256_update(&h, d->data_hash, strlen(d->data_hash));
    dw_sha256_update(&h, canon, strlen(canon));
    dw_sha256_final_hex(&h, hash);
    m->meta = json_pack("{s:s,s:s,s:O,s:O,s:I,s:I,s:I,s:f}", "hash", hash, "data_hash",
                        d->data_hash, "schema", d->schema, "params", params, "rows",
                        (json_int_t)d->n_rows, "positives", (json_int_t)d->n_positive, "features",
                        (json_int_t)d->n_features, "train_auc", round(auc * 10000) / 10000);
    if (!m->meta) {
        r = -DW_ENOMEM;
        goto out;
    }
    if ((r = model_columns(m, err)) < 0)
        goto out;
    *ret = DW_TAKE_PTR(m);
out:
    free(pred);
    dw_score_model_free(m);
    return r;
}

int dw_score_model_save(const struct dw_score_model *m, char **ret_blob, size_t *ret_len,
                        struct dw_error *err) {
    bst_ulong n = 0;
    const char *p = NULL;
    if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\": \"json\"}", &n, &p) != 0)
        return xgb_fail(err, "saving the model");
    char *blob = malloc(n + 1);
    if (!blob)
        return -DW_ENOMEM;
    memcpy(blob, p, n);
    blob[n] = '\0';
    *ret_blob = blob;
    *ret_len = n;
    return 0;
}

int dw_score_model_load(const json_t *meta, const void *blob, size_t len,
                        struct dw_score_model **ret, struct dw_error *err) {
    if (!json_is_object(meta) || !blob || len == 0 || len > DW_SCORE_MAX_MODEL)
        return dw_error_set(err, -DW_EINVAL, "no model to load");
    quiet();
    struct dw_score_params p;
    int r = params_from_json(json_object_get(meta, "params"), &p, err);
    if (r < 0)
        return r;
    struct dw_score_model *m = calloc(1, sizeof *m);
    if (!m)
        return -DW_ENOMEM;
    m->meta = json_deep_copy(meta);
    if (!m->meta) {
        r = -DW_ENOMEM;
        goto out;
    }
    if ((r = model_columns(m, err)) < 0)
        goto out;
    if (XGBoosterCreate(NULL, 0, &m->booster) != 0) {
        r = xgb_fail(err, "booster");
        goto out;
    }
    if (XGBoosterLoadModelFromBuffer(m->booster, blob, (bst_ulong)len) != 0) {
        r = xgb_fail(err, "loading the model");
        goto out;
    }
    char nt[16];
    snprintf(nt, sizeof nt, "%d", nthread(&p));
    if (XGBoosterSetParam(m->booster, "nthread", nt) != 0) {
        r = xgb_fail(err, "parameter");
        goto out;
    }
    bst_ulong nf = 0;
    if (XGBoosterGetNumFeature(m->booster, &nf) != 0) {
        r = xgb_fail(err, "reading the model");
        goto out;
    }
    if ((size_t)nf != m->n_features) {
        r = dw_error_set(err, -DW_EINVAL,
                         "the model has %llu features but its schema describes %zu",
                         (unsigned long long)nf, m->n_features);
        goto out;
    }
    *ret = DW_TAKE_PTR(m);
out:
    dw_score_model_free(m);
    return r;
}

/* ---- prediction ------------------------------------------------------------------------------ */

/* The text of a categorical value (numbers and booleans as written); NULL = missing. */
static const char *category_text(const json_t *v, char *buf, size_t size) {
    if (json_is_string(v))
        return *json_string_value(v) ? json_string_value(v) : NULL;
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, size, "%.17g", json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}

static bool numeric_value(const json_t *v, double *ret) {
    if (json_is_number(v)) {
        *ret = json_number_value(v);
        return isfinite(*ret);
    }
    if (json_is_boolean(v)) {
        *ret = json_is_true(v) ? 1 : 0;
        return true;
    }
    return json_is_string(v) && number(json_string_value(v), ret);
}

/* Encode features into row; returns how many columns had a value. */
static size_t encode_features(const struct dw_score_model *m, const json_t *features, float *row) {
    size_t matched = 0;
    for (size_t i = 0; i < m->n_cols; i++) {
        const struct mcol *c = &m->cols[i];
        const json_t *v = json_object_get(features, c->name);
        if (!c->categorical) {
            double num;
            bool ok = numeric_value(v, &num);
            row[c->first] = ok ? (float)num : NAN;
            matched += ok;
            continue;
        }
        char buf[64];
        const char *s = category_text(v, buf, sizeof buf);
        matched += s != NULL;
        for (size_t j = 0; j < c->n_cats; j++)
            row[c->first + j] = !s ? NAN : strcmp(s, c->cats[j]) == 0 ? 1.0f : 0.0f;
    }
    return matched;
}

struct contrib {
    size_t col;
    double v;
};

static int by_size(const void *a, const void *b) {
    const struct contrib *x = a, *y = b;
    double ax = fabs(x->v), ay = fabs(y->v);
    if (ax != ay)
        return ax < ay ? 1 : -1;
    return (x->col > y->col) - (x->col < y->col); /* stable: schema order */
}

static double round4(double v) {
    return round(v * 10000) / 10000;
}

int dw_score_predict(const struct dw_score_model *m, const json_t *features, size_t top,
                     json_t **ret, struct dw_error *err) {
    if (!m || !json_is_object(features))
        return dw_error_set(err, -DW_EINVAL, "scoring needs a model and an object of features");
    size_t nf = m->n_features;
    float *row = malloc(nf * sizeof *row), *contribs = malloc((nf + 1) * sizeof *contribs);
    struct contrib *cs = calloc(m->n_cols, sizeof *cs);
    _cleanup_json_ json_t *res = NULL, *list = json_array();
    int r = 0;
    if (!row || !contribs || !cs || !list) {
        r = -DW_ENOMEM;
        goto out;
    }
    size_t matched = encode_features(m, features, row);
    if ((r = predict(m->booster, row, 1, nf, true, contribs, err)) < 0)
        goto out;
    /* the contributions and the bias add up to the margin (log-odds): one prediction gives
     * both the explanation and the probability */
    double margin = 0;
    for (size_t i = 0; i <= nf; i++)
        margin += contribs[i];
    double prob = 1 / (1 + exp(-margin));
    for (size_t i = 0; i < m->n_cols; i++) {
        const struct mcol *c = &m->cols[i];
        double sum = 0;
        for (size_t j = 0; j < (c->categorical ? c->n_cats : 1); j++)
            sum += contribs[c->first + j];
        cs[i] = (struct contrib){i, sum};
    }
    qsort(cs, m->n_cols, sizeof *cs, by_size);
    for (size_t i = 0; i < m->n_cols && i < top; i++) {
        const char *name = m->cols[cs[i].col].name;
        json_t *v = json_object_get(features, name);
        json_t *e = json_pack("{s:s,s:O,s:f}", "feature", name, "value", v ? v : json_null(),
                              "contribution", round4(cs[i].v));
        if (!e || json_array_append_new(list, e) < 0) {
            r = -DW_ENOMEM;
            goto out;
        }
    }
    res = json_pack("{s:f,s:I,s:I,s:f,s:O}", "probability", round4(prob), "matched",
                    (json_int_t)matched, "columns", (json_int_t)m->n_cols, "bias",
                    round4(contribs[nf]), "top", list);
    if (!res) {
        r = -DW_ENOMEM;
        goto out;
    }
    *ret = DW_TAKE_PTR(res);
out:
    free(row);
    free(contribs);
    free(cs);
    return r;
}

/* ---- cross-validation ------------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* fold[i] for every row: each class shuffled with the seed, then dealt round-robin. */
static void assign_folds(const struct dw_score_data *d, int k, uint64_t seed, int *fold,
                         size_t *idx) {
    uint64_t s = seed;
    for (int cls = 0; cls < 2; cls++) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_rows; i++)
            if ((d->y[i] > 0.5f) == (cls == 1))
                idx[n++] = i;
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(splitmix64(&s) % i);
            size_t t = idx[i - 1];
            idx[i - 1] = idx[j];
            idx[j] = t;
        }
        for (size_t i = 0; i < n; i++)
            fold[idx[i]] = (int)(i % (size_t)k);
    }
}

int dw_score_cv(const struct dw_score_data *d, const struct dw_score_params *p, int folds,
                uint64_t seed, json_t **ret, struct dw_error *err) {
    int r = dw_score_params_check(p, err);
    if (r < 0)
        return r;
    if (folds < 2 || folds > DW_SCORE_MAX_FOLDS)
        return dw_error_set(err, -DW_EINVAL, "folds must be 2..%d", DW_SCORE_MAX_FOLDS);
    size_t neg = d->n_rows - d->n_positive;
    if (d->n_positive < (size_t)folds || neg < (size_t)folds)
        return dw_error_set(err, -DW_EINVAL,
                            "%d folds need at least %d rows of each outcome (%zu positive, %zu "
                            "negative)",
                            folds, folds, d->n_positive, neg);
    quiet();
    int64_t t0 = dw_monotonic_us();
    size_t nf = d->n_features, n = d->n_rows;
    int *fold = malloc(n * sizeof *fold);
    size_t *idx = malloc(n * sizeof *idx);
    float *tx = malloc(n * nf * sizeof *tx), *ty = malloc(n * sizeof *ty),
          *vx = malloc(n * nf * sizeof *vx), *vy = malloc(n * sizeof *vy),
          *vp = malloc(n * sizeof *vp), *all_p = malloc(n * sizeof *all_p),
          *all_y = malloc(n * sizeof *all_y);
    _cleanup_json_ json_t *aucs = json_array(), *res = NULL;
    if (!fold || !idx || !tx || !ty || !vx || !vy || !vp || !all_p || !all_y || !aucs) {
        r = -DW_ENOMEM;
        goto out;
    }
    assign_folds(d, folds, seed, fold, idx);
    double sum = 0, sum2 = 0;
    size_t pooled = 0;
    for (int f = 0; f < folds; f++) {
        size_t nt = 0, nv = 0;
        for (size_t i = 0; i < n; i++) {
            const float *src = d->x + i * nf;
            if (fold[i] == f) {
                memcpy(vx + nv * nf, src, nf * sizeof *vx);
                vy[nv++] = d->y[i];
            } else {
                memcpy(tx + nt * nf, src, nf * sizeof *tx);
                ty[nt++] = d->y[i];
            }
        }
        BoosterHandle b = NULL;
        if ((r = boost(tx, ty, nt, nf, p, &b, err)) < 0)
            goto out;
        r = predict(b, vx, nv, nf, false, vp, err);
        XGBoosterFree(b);
        if (r < 0)
            goto out;
        double auc;
        if ((r = dw_auc(vp, vy, nv, &auc)) < 0) {
            r = dw_error_set(err, r, "fold %d has a single outcome", f + 1);
            goto out;
        }
        sum += auc;
        sum2 += auc * auc;
        if (json_array_append_new(aucs, json_real(round4(auc))) < 0) {
            r = -DW_ENOMEM;
            goto out;
        }
        memcpy(all_p + pooled, vp, nv * sizeof *vp);
        memcpy(all_y + pooled, vy, nv * sizeof *vy);
        pooled += nv;
    }
    double mean = sum / folds, var = sum2 / folds - mean * mean, pooled_auc = 0;
    if ((r = dw_auc(all_p, all_y, pooled, &pooled_auc)) < 0)
        goto out;
    double secs = (double)(dw_monotonic_us() - t0) / 1e6;
    res =
        json_pack("{s:i,s:f,s:f,s:O,s:f,s:I,s:I,s:I,s:f}", "folds", folds, "auc", round4(mean),
                  "auc_sd", round4(sqrt(var > 0 ? var : 0)), "fold_auc", aucs, "pooled_auc",
                  round4(pooled_auc), "rows", (json_int_t)n, "positives", (json_int_t)d->n_positive,
                  "features", (json_int_t)nf, "seconds", round(secs * 100) / 100);
    if (!res) {
        r = -DW_ENOMEM;
        goto out;
    }
    *ret = DW_TAKE_PTR(res);
out:
    free(fold);
    free(idx);
    free(tx);
    free(ty);
    free(vx);
    free(vy);
    free(vp);
    free(all_p);
    free(all_y);
    return r;
}

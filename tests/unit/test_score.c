/* Unit tests of the scoring engine: the CSV parser (quoting, delimiters, errors with their
 * positions), the AUC, the encoding of a table, and the model — deterministic training,
 * versioning by hash, save and load, contributions, cross-validation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engines/csv.h"
#include "engines/score.h"

static struct dw_csv *parse(const char *text, char delim) {
    struct dw_error err = {0};
    struct dw_csv *t = NULL;
    int r = dw_csv_parse("t.csv", text, strlen(text), delim, &t, &err);
    if (r < 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return t;
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void csv_quoting(void **state) {
    (void)state;
    struct dw_csv *t = parse("\xEF\xBB\xBF"
                             "name,note,n\r\n"
                             "\"Smith, J.\",\"said \"\"hi\"\"\",1\r\n"
                             "\r\n"
                             "plain,\"two\nlines\",\r\n"
                             "\"\",x,3",
                             0);
    assert_int_equal(t->delimiter, ',');
    assert_int_equal(t->n_cols, 3);
    assert_int_equal(t->n_rows, 3);
    assert_string_equal(t->header[0], "name"); /* the byte-order mark is skipped */
    assert_string_equal(dw_csv_cell(t, 0, 0), "Smith, J.");
    assert_string_equal(dw_csv_cell(t, 0, 1), "said \"hi\"");
    assert_string_equal(dw_csv_cell(t, 1, 1), "two\nlines");
    assert_string_equal(dw_csv_cell(t, 1, 2), "");
    assert_string_equal(dw_csv_cell(t, 2, 0), "");
    assert_string_equal(dw_csv_cell(t, 2, 2), "3"); /* no line end after the last row */
    assert_int_equal(t->row_line[0], 2);
    assert_int_equal(t->row_line[1], 4); /* the empty line 3 is skipped */
    assert_int_equal(t->row_line[2], 6); /* the quoted line break counts */
    assert_int_equal(dw_csv_column(t, "n"), 2);
    assert_int_equal(dw_csv_column(t, "N"), -1);
    dw_csv_free(t);
}

static void csv_delimiters(void **state) {
    (void)state;
    struct dw_csv *t = parse("\"a;b\";\"c\";d\n1,5;2;3\n", 0);
    assert_int_equal(t->delimiter, ';'); /* the ';' inside quotes does not count */
    assert_int_equal(t->n_cols, 3);
    assert_string_equal(t->header[0], "a;b");
    assert_string_equal(dw_csv_cell(t, 0, 0), "1,5");
    dw_csv_free(t);
    t = parse("a\tb\n1\t2\n", 0);
    assert_int_equal(t->delimiter, '\t');
    assert_string_equal(dw_csv_cell(t, 0, 1), "2");
    dw_csv_free(t);
    t = parse("a;b,c\n1;2,3\n", ','); /* given, not detected */
    assert_int_equal(t->n_cols, 2);
    assert_string_equal(dw_csv_cell(t, 0, 0), "1;2");
    dw_csv_free(t);
}

static void csv_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        size_t len; /* 0 = strlen */
        int code, line, col;
        const char *msg;
    } cases[] = {
        {"a,b\n1,\"open\n2,3\n", 0, -DW_EPARSE, 2, 3, "unterminated quoted field"},
        {"a,b\n1,\"x\"y\n", 0, -DW_EPARSE, 2, 6, "text after the closing quote"},
        {"a,b\n1,x\"y\n", 0, -DW_EPARSE, 2, 4, "quote inside an unquoted field"},
        {"a,b\n1,2\n1,2,3\n", 0, -DW_EPARSE, 3, 5, "more fields than the header's 2"},
        {"a,b\n1,2\n\n4\n", 0, -DW_EPARSE, 4, 1, "1 fields where the header has 2"},
        {"a,a\n1,2\n", 0, -DW_EPARSE, 1, 1, "header names column 'a' twice"},
        {"a,,c\n1,2,3\n", 0, -DW_EPARSE, 1, 1, "header column 2 has no name"},
        {"a,b\n1,\xff\n", 0, -DW_EPARSE, 2, 3, "invalid UTF-8"},
        {"a,b\n1,2\0\n", 9, -DW_EPARSE, 2, 4, "NUL byte"},
        {"a,b\r1,2\n", 0, -DW_EPARSE, 1, 5, "carriage return without a line feed"},
        {"\n\n", 0, -DW_EPARSE, 3, 1, "no header row"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dw_error err = {0};
        struct dw_csv *t = NULL;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        int r = dw_csv_parse("in.csv", cases[i].text, len, 0, &t, &err);
        if (r != cases[i].code || err.line != cases[i].line || err.col != cases[i].col ||
            !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: got %d at %d:%d '%s', want %d at %d:%d '%s'", i, r, err.line,
                     err.col, err.msg, cases[i].code, cases[i].line, cases[i].col, cases[i].msg);
        assert_string_equal(err.file, "in.csv");
        assert_null(t);
    }
}

static void csv_limits(void **state) {
    (void)state;
    size_t n = DW_CSV_MAX_FIELD + 10;
    char *text = malloc(n + 16);
    assert_non_null(text);
    strcpy(text, "a\n\"");
    memset(text + 3, 'x', n);
    strcpy(text + 3 + n, "\"\n");
    struct dw_error err = {0};
    struct dw_csv *t = NULL;
    assert_int_equal(dw_csv_parse("big.csv", text, strlen(text), 0, &t, &err), -DW_ETOOBIG);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    free(text);
    /* too many columns in the header */
    struct dw_buf b;
    dw_buf_init(&b, 0);
    for (int i = 0; i <= DW_CSV_MAX_COLUMNS; i++)
        dw_buf_printf(&b, "%sc%d", i ? "," : "", i);
    assert_int_equal(dw_csv_parse("wide.csv", b.data, b.len, 0, &t, &err), -DW_ETOOBIG);
    dw_buf_release(&b);
    assert_int_equal(dw_csv_parse("x.csv", "a\n", 2, '|', &t, &err), -DW_EINVAL);
}

/* ---- AUC ------------------------------------------------------------------------------ */

static void auc_cases(void **state) {
    (void)state;
    double auc;
    const float y[] = {0, 0, 1, 1};
    const float perfect[] = {0.1f, 0.2f, 0.3f, 0.4f}, reversed[] = {0.4f, 0.3f, 0.2f, 0.1f};
    assert_int_equal(dw_auc(perfect, y, 4, &auc), 0);
    assert_true(auc == 1.0);
    assert_int_equal(dw_auc(reversed, y, 4, &auc), 0);
    assert_true(auc == 0.0);
    /* by hand: positive 0.35 beats 0.1 but not 0.4; 0.8 beats both -> 3 of 4 pairs */
    const float s1[] = {0.1f, 0.4f, 0.35f, 0.8f};
    assert_int_equal(dw_auc(s1, y, 4, &auc), 0);
    assert_true(fabs(auc - 0.75) < 1e-12);
    /* ties count half: positive 0.5 ties negative 0.5 (1/2) and beats 0.2 (1); 0.9 beats
     * both (2) -> 3.5 of 4 */
    const float s2[] = {0.5f, 0.5f, 0.2f, 0.9f}, y2[] = {1, 0, 0, 1};
    assert_int_equal(dw_auc(s2, y2, 4, &auc), 0);
    assert_true(fabs(auc - 0.875) < 1e-12);
    const float same[] = {0.3f, 0.3f, 0.3f, 0.3f};
    assert_int_equal(dw_auc(same, y, 4, &auc), 0);
    assert_true(fabs(auc - 0.5) < 1e-12);
    const float ones[] = {1, 1};
    assert_int_equal(dw_auc(perfect, ones, 2, &auc), -DW_EINVAL);
}

/* ---- encoding ------------------------------------------------------------------------- */

static struct dw_score_data *encode(const char *text, const char *target, const char *positive,
                                    const char *const *exclude, size_t n_exclude,
                                    struct dw_error *err, int *ret) {
    struct dw_csv *t = parse(text, 0);
    struct dw_score_spec spec = {target, positive, exclude, n_exclude};
    struct dw_score_data *d = NULL;
    *ret = dw_score_data_from_csv(t, "d.csv", &spec, &d, err);
    dw_csv_free(t);
    return d;
}

static void encoding(void **state) {
    (void)state;
    struct dw_error err = {0};
    int r;
    const char *ex[] = {"id"};
    struct dw_score_data *d = encode("id,size,kind,out\n"
                                     "1,10,b,won\n"
                                     "2,,a,lost\n"
                                     "3,2.5,,won\n",
                                     "out", "won", ex, 1, &err, &r);
    assert_int_equal(r, 0);
    assert_int_equal(d->n_rows, 3);
    assert_int_equal(d->n_positive, 2);
    assert_int_equal(d->n_features, 3); /* size, kind=a, kind=b */
    const json_t *cols = json_object_get(d->schema, "columns");
    assert_int_equal(json_array_size(cols), 2);
    assert_string_equal(dw_json_str(json_array_get(cols, 0), "type"), "numeric");
    assert_string_equal(dw_json_str(json_array_get(cols, 1), "type"), "categorical");
    const json_t *cats = json_object_get(json_array_get(cols, 1), "categories");
    assert_string_equal(json_string_value(json_array_get(cats, 0)), "a"); /* sorted */
    assert_string_equal(json_string_value(json_array_get(cats, 1)), "b");
    const float *x = d->x;
    assert_true(x[0] == 10 && x[1] == 0 && x[2] == 1);         /* row 1: 10, b */
    assert_true(isnan(x[3]) && x[4] == 1 && x[5] == 0);        /* row 2: missing, a */
    assert_true(x[6] == 2.5f && isnan(x[7]) && isnan(x[8]));   /* row 3: 2.5, missing */
    assert_true(d->y[0] == 1 && d->y[1] == 0 && d->y[2] == 1); /* won = 1 */
    char hash[DW_SHA256_HEX];
    memcpy(hash, d->data_hash, sizeof hash);
    dw_score_data_free(d);
    /* a changed cell changes the data hash */
    d = encode("id,size,kind,out\n1,10,b,won\n2,,a,lost\n3,2.6,,won\n", "out", "won", ex, 1, &err,
               &r);
    assert_int_equal(r, 0);
    assert_string_not_equal(hash, d->data_hash);
    dw_score_data_free(d);

    static const struct {
        const char *text, *target;
        int line;
        const char *msg;
    } bad[] = {
        {"a,b\n1,x\n", "out", 1, "no column 'out' (the target)"},
        {"a,out\n1,won\n2,\n", "out", 3, "no value in the target column"},
        {"a,out\n1,won\n2,won\n", "out", 0, "needs both outcomes"},
        {"out\nwon\nlost\n", "out", 0, "no feature columns left"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        d = encode(bad[i].text, bad[i].target, "won", NULL, 0, &err, &r);
        if (r >= 0 || err.line != bad[i].line || !strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: %d at line %d: %s", i, r, err.line, err.msg);
        assert_null(d);
    }
    const char *nope[] = {"nope"};
    d = encode("a,out\n1,won\n2,lost\n", "out", "won", nope, 1, &err, &r);
    assert_int_equal(r, -DW_EINVAL);
    assert_non_null(strstr(err.msg, "no column 'nope' (to exclude)"));
}

static void too_many_categories(void **state) {
    (void)state;
    struct dw_buf b;
    dw_buf_init(&b, 0);
    dw_buf_puts(&b, "id,out\n");
    for (int i = 0; i <= DW_SCORE_MAX_CATEGORIES; i++)
        dw_buf_printf(&b, "x%d,%s\n", i, i % 2 ? "won" : "lost");
    struct dw_error err = {0};
    int r;
    struct dw_score_data *d = encode(b.data, "out", "won", NULL, 0, &err, &r);
    assert_int_equal(r, -DW_ETOOBIG);
    assert_non_null(strstr(err.msg, "column 'id' has 257 distinct values"));
    assert_null(d);
    const char *ex[] = {"id"};
    d = encode(b.data, "out", "won", ex, 1, &err, &r); /* excluded, nothing is left */
    assert_int_equal(r, -DW_EINVAL);
    dw_buf_release(&b);
}

/* ---- models --------------------------------------------------------------------------- */

/* A table where 'tier' gold and a high 'spend' win, 'noise' means nothing. */
static char *synthetic(int rows) {
    struct dw_buf b;
    dw_buf_init(&b, 0);
    dw_buf_puts(&b, "tier,spend,noise,outcome\n");
    uint64_t s = 42;
    for (int i = 0; i < rows; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned v = (unsigned)(s >> 33);
        const char *tier = (v % 3 == 0) ? "gold" : (v % 3 == 1) ? "silver" : "bronze";
        int spend = (int)(v >> 4) % 1000;
        int noise = (int)(v >> 14) % 50;
        bool won = (strcmp(tier, "gold") == 0) + (spend > 600) + ((v >> 24) % 4 == 0) >= 2;
        dw_buf_printf(&b, "%s,%d,%d,%s\n", tier, spend, noise, won ? "won" : "lost");
    }
    return dw_buf_steal(&b);
}

static struct dw_score_data *synthetic_data(int rows) {
    _cleanup_free_ char *text = synthetic(rows);
    struct dw_error err = {0};
    int r;
    struct dw_score_data *d = encode(text, "outcome", "won", NULL, 0, &err, &r);
    assert_int_equal(r, 0);
    return d;
}

static void small_params(struct dw_score_params *p) {
    dw_score_params_default(p);
    p->rounds = 40;
    p->min_child_weight = 1;
    p->nthread = 1;
}

static void determinism(void **state) {
    (void)state;
    struct dw_score_data *d = synthetic_data(400);
    struct dw_score_params p;
    small_params(&p);
    struct dw_error err = {0};
    struct dw_score_model *a = NULL, *b = NULL;
    assert_int_equal(dw_score_train(d, &p, &a, &err), 0);
    assert_int_equal(dw_score_train(d, &p, &b, &err), 0);
    const json_t *ma = dw_score_model_meta(a), *mb = dw_score_model_meta(b);
    assert_string_equal(dw_json_str(ma, "hash"), dw_json_str(mb, "hash"));
    assert_int_equal(strlen(dw_json_str(ma, "hash")), 64);
    char *ba, *bb;
    size_t la, lb;
    assert_int_equal(dw_score_model_save(a, &ba, &la, &err), 0);
    assert_int_equal(dw_score_model_save(b, &bb, &lb, &err), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la); /* the same trees, byte for byte */

    json_t *f = json_pack("{s:s,s:i,s:i}", "tier", "gold", "spend", 900, "noise", 3);
    json_t *pa, *pb;
    assert_int_equal(dw_score_predict(a, f, 3, &pa, &err), 0);
    assert_int_equal(dw_score_predict(b, f, 3, &pb, &err), 0);
    assert_true(json_equal(pa, pb));

    /* a saved model loads and scores the same */
    struct dw_score_model *c = NULL;
    json_t *pc;
    assert_int_equal(dw_score_model_load(ma, ba, la, &c, &err), 0);
    assert_int_equal(dw_score_predict(c, f, 3, &pc, &err), 0);
    assert_true(json_equal(pa, pc));

    /* other parameters, another version */
    struct dw_score_model *e = NULL;
    p.rounds = 41;
    assert_int_equal(dw_score_train(d, &p, &e, &err), 0);
    assert_string_not_equal(dw_json_str(ma, "hash"), dw_json_str(dw_score_model_meta(e), "hash"));

    /* bytes that are not a model are refused */
    struct dw_score_model *g = NULL;
    assert_int_equal(dw_score_model_load(ma, "{\"nope\": 1}", 11, &g, &err), -DW_EINTERNAL);
    assert_null(g);

    json_decref(f);
    json_decref(pa);
    json_decref(pb);
    json_decref(pc);
    free(ba);
    free(bb);
    dw_score_model_free(a);
    dw_score_model_free(b);
    dw_score_model_free(c);
    dw_score_model_free(e);
    dw_score_data_free(d);
}

static void contributions(void **state) {
    (void)state;
    struct dw_score_data *d = synthetic_data(600);
    struct dw_score_params p;
    small_params(&p);
    struct dw_error err = {0};
    struct dw_score_model *m = NULL;
    assert_int_equal(dw_score_train(d, &p, &m, &err), 0);
    assert_true(json_number_value(json_object_get(dw_score_model_meta(m), "train_auc")) > 0.9);

    json_t *win = json_pack("{s:s,s:i,s:i}", "tier", "gold", "spend", 950, "noise", 7);
    json_t *lose = json_pack("{s:s,s:s,s:i}", "tier", "bronze", "spend", "50", "noise", 7);
    json_t *pw, *pl;
    assert_int_equal(dw_score_predict(m, win, 3, &pw, &err), 0);
    assert_int_equal(dw_score_predict(m, lose, 3, &pl, &err), 0);
    double prob_w = json_number_value(json_object_get(pw, "probability"));
    double prob_l = json_number_value(json_object_get(pl, "probability"));
    assert_true(prob_w > 0.7);
    assert_true(prob_l < 0.3);
    assert_int_equal(dw_json_int(pw, "matched", 0), 3);
    assert_int_equal(dw_json_int(pw, "columns", 0), 3);

    /* the contributions of all three columns and the bias add up to the log-odds */
    json_t *all;
    assert_int_equal(dw_score_predict(m, win, 10, &all, &err), 0);
    const json_t *top = json_object_get(all, "top");
    assert_int_equal(json_array_size(top), 3);
    double sum = json_number_value(json_object_get(all, "bias"));
    size_t i;
    json_t *t;
    json_array_foreach(top, i, t) sum += json_number_value(json_object_get(t, "contribution"));
    assert_true(fabs(sum - log(prob_w / (1 - prob_w))) < 0.01);
    /* largest first; noise explains least */
    double c0 = fabs(json_number_value(json_object_get(json_array_get(top, 0), "contribution")));
    double c1 = fabs(json_number_value(json_object_get(json_array_get(top, 1), "contribution")));
    assert_true(c0 >= c1);
    assert_string_equal(dw_json_str(json_array_get(top, 2), "feature"), "noise");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(top, 0), "value")) ||
                         json_is_string(json_object_get(json_array_get(top, 0), "value")),
                     1);

    /* unknown features and categories are missing, not errors */
    json_t *odd = json_pack("{s:s,s:s}", "tier", "platinum", "colour", "red"), *po;
    assert_int_equal(dw_score_predict(m, odd, 3, &po, &err), 0);
    assert_int_equal(dw_json_int(po, "matched", 0), 1);

    json_decref(win);
    json_decref(lose);
    json_decref(odd);
    json_decref(pw);
    json_decref(pl);
    json_decref(po);
    json_decref(all);
    dw_score_model_free(m);
    dw_score_data_free(d);
}

static void cross_validation(void **state) {
    (void)state;
    struct dw_score_data *d = synthetic_data(500);
    struct dw_score_params p;
    small_params(&p);
    struct dw_error err = {0};
    json_t *a, *b;
    assert_int_equal(dw_score_cv(d, &p, 5, 7, &a, &err), 0);
    assert_int_equal(dw_score_cv(d, &p, 5, 7, &b, &err), 0);
    json_object_del(a, "seconds");
    json_object_del(b, "seconds");
    assert_true(json_equal(a, b)); /* the same folds, the same figures */
    json_decref(b);
    assert_int_equal(json_array_size(json_object_get(a, "fold_auc")), 5);
    assert_true(json_number_value(json_object_get(a, "auc")) > 0.85);
    assert_int_equal(dw_json_int(a, "rows", 0), 500);
    assert_int_equal(dw_score_cv(d, &p, 1, 7, &b, &err), -DW_EINVAL);
    assert_int_equal(dw_score_cv(d, &p, DW_SCORE_MAX_FOLDS + 1, 7, &b, &err), -DW_EINVAL);
    p.eta = 0;
    assert_int_equal(dw_score_cv(d, &p, 5, 7, &b, &err), -DW_EINVAL);
    assert_non_null(strstr(err.msg, "eta"));
    json_decref(a);
    dw_score_data_free(d);

    /* more folds than rows of an outcome */
    int r;
    d = encode("x,out\n1,won\n2,won\n3,lost\n4,lost\n5,lost\n", "out", "won", NULL, 0, &err, &r);
    assert_int_equal(r, 0);
    small_params(&p);
    assert_int_equal(dw_score_cv(d, &p, 3, 1, &b, &err), -DW_EINVAL);
    assert_non_null(strstr(err.msg, "at least 3 rows of each outcome"));
    dw_score_data_free(d);
}

int main(void) {
    if (dw_base_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quoting),         cmocka_unit_test(csv_delimiters),
        cmocka_unit_test(csv_errors),          cmocka_unit_test(csv_limits),
        cmocka_unit_test(auc_cases),           cmocka_unit_test(encoding),
        cmocka_unit_test(too_many_categories), cmocka_unit_test(determinism),
        cmocka_unit_test(contributions),       cmocka_unit_test(cross_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

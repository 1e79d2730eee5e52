/* fuzz-csv — the deal-history CSV (lib/engines/csv.c) and its encoding for the scoring
 * model (lib/engines/scoring/score.c): any bytes are parsed with the delimiter detected and, when
 * that succeeds, encoded with the last column as the target and the first row's value in it
 * as the win. Training is left out: it is XGBoost's code and slow; what we wrote is the
 * parser and the encoder. Nothing may crash, leak or trip UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engines/csv.h"
#include "engines/score.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    return dw_base_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20)
        return 0;
    struct dw_csv *t = NULL;
    struct dw_error err = {0};
    if (dw_csv_parse("fuzz.csv", (const char *)data, size, 0, &t, &err) < 0) {
        if (t || err.line < 1 || err.col < 1)
            __builtin_trap(); /* a failure has a position and no table */
        return 0;
    }
    if (t->n_cols < 1 || !t->header)
        __builtin_trap();
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++)
            if (!dw_csv_cell(t, r, c) || strlen(dw_csv_cell(t, r, c)) > DW_CSV_MAX_FIELD)
                __builtin_trap();
    if (t->n_rows > 0) {
        struct dw_score_spec spec = {.target = t->header[t->n_cols - 1],
                                     .positive = dw_csv_cell(t, 0, t->n_cols - 1)};
        struct dw_score_data *d = NULL;
        if (dw_score_data_from_csv(t, "fuzz.csv", &spec, &d, &err) == 0) {
            if (d->n_rows != t->n_rows || d->n_features < 1 || !d->schema)
                __builtin_trap();
            dw_score_data_free(d);
        }
    }
    dw_csv_free(t);
    return 0;
}

/* The governed path of a model call (models.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/models.h"

struct dw_models {
    dw_model_key_fn *key;
    void *key_ud;
};

int dw_models_new(dw_model_key_fn *key, void *key_ud, struct dw_models **ret) {
    struct dw_models *m = calloc(1, sizeof *m);
    if (!m)
        return -DW_ENOMEM;
    m->key = key;
    m->key_ud = key_ud;
    *ret = m;
    return 0;
}

void dw_models_free(struct dw_models *m) {
    free(m);
}

__attribute__((format(printf, 2, 3))) static int no_answer(struct dw_model_answer *ret,
                                                           const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ret->why, sizeof ret->why, fmt, ap);
    va_end(ap);
    return 0;
}

int dw_models_ask(struct dw_models *m, const struct dw_model_call *call,
                  struct dw_model_answer *ret, struct dw_error *err) {
    (void)m;
    (void)err;
    memset(ret, 0, sizeof *ret);
    const char *task = call->ask && call->ask->task ? call->ask->task : "";
    int t = dw_model_task_parse(task);
    if (t < 0)
        return no_answer(ret, "no such model task '%s'", task);
    if (!call->ws->models || !call->ws->models->tasks[t].n)
        return no_answer(ret, "no model is configured for the task '%s'", task);
    return no_answer(ret, "the model path for '%s' is not available in this build", task);
}

int dw_models_verdict(struct dw_store *s, int64_t call_id, const char *verdict,
                      const json_t *detail, dw_time_t now, struct dw_error *err) {
    (void)s, (void)call_id, (void)verdict, (void)detail, (void)now, (void)err;
    return 0;
}

int dw_models_check(struct dw_models *m, const struct dw_workspace *ws, const char *provider,
                    json_t **ret, struct dw_error *err) {
    (void)m, (void)ws, (void)provider;
    *ret = NULL;
    return dw_error_set(err, -DW_ESTATE, "model check is not available yet");
}

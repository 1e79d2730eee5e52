/* The public calls of language models (include/dealwright/models.h) on lib/models/. */
#include "control/internal.h"
#include "models/models.h"

static int runtime(struct dw_engine *e, struct dw_error *err) {
    int r = e->models ? 0 : dw_models_new(e->model_key, e->model_key_ud, &e->models);
    return r < 0 ? dw_error_set(err, r, "out of memory") : 0;
}

int dw_model_check(struct dw_engine *e, const char *provider, json_t **ret,
                   struct dw_error *err) {
    int r = runtime(e, err);
    return r < 0 ? r : dw_models_check(e->models, e->ws, provider, ret, err);
}

int dw_model_calls(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    if (!e->store->ops->mcalls_for_deal) {
        *ret = json_array();
        return *ret ? 0 : -DW_ENOMEM;
    }
    return e->store->ops->mcalls_for_deal(e->store, deal_id, ret, err);
}

int dw_model_stats(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    if (!e->store->ops->mcall_stats) {
        *ret = json_array();
        return *ret ? 0 : -DW_ENOMEM;
    }
    return e->store->ops->mcall_stats(e->store, ret, err);
}

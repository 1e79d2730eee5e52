/* The public calls of language models (include/dealwright/models.h) on lib/models/. */
#include "control/internal.h"
#include "models/models.h"

static int runtime(struct dw_engine *e, struct dw_error *err) {
    int r = e->models ? 0 : dw_models_new(e->model_key, e->model_key_ud, &e->models);
    return r < 0 ? dw_error_set(err, r, "out of memory") : 0;
}

int dw_model_check(struct dw_engine *e, const char *provider, json_t **ret, struct dw_error *err) {
    int r = runtime(e, err);
    return r < 0 ? r : dw_models_check(e->models, e->ws, provider, ret, err);
}

int dw_model_ask(struct dw_engine *e, const struct dw_model_request *req, json_t **ret,
                 struct dw_error *err) {
    int r = runtime(e, err);
    if (r < 0)
        return r;
    if (!req->task || dw_model_task_parse(req->task) < 0)
        return dw_error_field(err, -DW_EINVAL, "task",
                              "'%s' is not a task (extraction, "
                              "drafting, answers)",
                              req->task ? req->task : "");
    if (!json_is_object(req->schema))
        return dw_error_field(err, -DW_EINVAL, "schema",
                              "the answer's schema is not a JSON object");
    if (req->vars && !json_is_object(req->vars))
        return dw_error_field(err, -DW_EINVAL, "vars", "the template's data is not a JSON object");
    _cleanup_json_ json_t *personal = json_array();
    for (size_t i = 0; personal && i < e->ws->team.n_users; i++) { /* as the gateway does */
        const struct dw_user *u = &e->ws->team.users[i];
        if (u->name && *u->name)
            json_array_append_new(personal, json_string(u->name));
        if (u->email && *u->email)
            json_array_append_new(personal, json_string(u->email));
    }
    if (req->deal_id) {
        struct dw_deal_rec d;
        _cleanup_json_ json_t *leads = NULL;
        if ((r = dw__deal_get(e, req->deal_id, &d, err)) < 0 ||
            (r = e->store->ops->leads_for_deal(e->store, req->deal_id, &leads, err)) < 0)
            return r;
        size_t i;
        json_t *lead;
        json_array_foreach(leads, i, lead) {
            static const char *const keys[] = {"name", "email", "phone"};
            for (size_t k = 0; k < 3; k++) {
                const char *v = dw_json_str(json_object_get(lead, "contact"), keys[k]);
                if (v && *v)
                    json_array_append_new(personal, json_string(v));
            }
        }
    }
    struct dw_model_ask ask = {.task = req->task,
                               .prompt = req->prompt,
                               .vars = req->vars,
                               .schema = req->schema,
                               .purpose = req->purpose};
    struct dw_model_call call = {.ws = e->ws,
                                 .store = e->store,
                                 .now = dw__now(e),
                                 .deal_id = req->deal_id,
                                 .agent = "model ask",
                                 .ask = &ask,
                                 .personal = personal};
    struct dw_model_answer a;
    if ((r = dw_models_ask(e->models, &call, &a, err)) < 0)
        return r;
    *ret = json_pack("{s:o,s:I,s:b,s:s,s:s?}", "answer", a.json ? a.json : json_null(), "call",
                     (json_int_t)a.call_id, "replayed", a.replayed, "model", a.model, "why",
                     a.json ? NULL : a.why);
    return *ret ? 0 : -DW_ENOMEM;
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

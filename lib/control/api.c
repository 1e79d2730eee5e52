/* The small calls of the public API (include/dealwright/): the library's version and
 * initialisation, a snapshot's hash, the agent registry, and the configurator on its own. */
#include <string.h>

#include "agents/agent.h"
#include "base/base.h"
#include "engines/configure.h"
#include "workspace/workspace.h"
#include <dealwright/configure.h>
#include <dealwright/engine.h>
#include <dealwright/version.h>

const char *dw_version(void) {
    return DW_VERSION_STRING;
}

int dw_init(void) {
    return dw_base_init();
}

const char *dw_workspace_hash(const struct dw_workspace *ws) {
    return ws->hash;
}

int dw_workspace_summary(const struct dw_workspace *ws, json_t **ret, struct dw_error *err) {
    json_t *o =
        json_pack("{s:s,s:I,s:I,s:I,s:I}", "hash", ws->hash, "items", (json_int_t)ws->n_items,
                  "pricebooks", (json_int_t)ws->n_pricebooks, "users", (json_int_t)ws->team.n_users,
                  "documents", (json_int_t)ws->n_documents);
    if (!o)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = o;
    return 0;
}

static json_t *tools_json(uint32_t scope) {
    json_t *a = json_array();
    for (uint32_t bit = 1; a && bit; bit <<= 1)
        if (scope & bit)
            json_array_append_new(a, json_string(dw_tool_name(bit)));
    return a;
}

int dw_agents_list(json_t **ret, struct dw_error *err) {
    char needs[256], produces[256];
    json_t *list = json_array();
    for (size_t i = 0; list && i < dw_n_agents; i++) {
        const struct dw_agent *a = dw_agents[i];
        dw_facts_format(a->needs, needs, sizeof needs);
        dw_facts_format(a->produces, produces, sizeof produces);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "name", a->name, "summary",
                              a->summary ? a->summary : "", "needs", needs, "produces", produces,
                              "tools", tools_json(a->scope));
        if (!o || json_array_append_new(list, o) < 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (!list)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = list;
    return 0;
}

int dw_configure_request(const struct dw_workspace *ws, const json_t *requirements,
                         const struct dw_configure_options *opts, json_t **ret,
                         struct dw_error *err) {
    if (!json_is_object(requirements))
        return dw_error_set(err, -DW_EINVAL, "the requirements must be a JSON object");
    struct dw_cfg_opts o = {.strict = !(opts && opts->best_effort), .guide = opts && opts->guide};
    return dw_configure_opts(ws, requirements, &o, ret, err);
}
_Static_assert(DW_CONFIGURE_MAX_QUANTITY == DW_CFG_MAX_QUANTITY, "one limit");

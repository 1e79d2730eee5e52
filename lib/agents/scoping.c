/* scoping agent — turns the deal's requirements into a configuration of catalog items.
 *
 * Reads the "requirements" document and writes the "solution" document
 * (docs/internals/deal-documents.md). The configurator engine (lib/engines/configure.h)
 * decides everything: which items cover which capability, their quantities, what they
 * require, what cannot be covered and why. This agent only moves documents through the
 * gateway and leaves a summary for the audit record.
 */
#include "agents/agent.h"
#include "engines/configure.h"

/* The audit note: line and gap counts and the SKUs chosen. The control plane owns ctx->note;
 * the agent creates it when the control plane left it empty. */
static int note_solution(struct dw_agent_ctx *ctx, const json_t *sol) {
    if (!ctx->note)
        ctx->note = json_object();
    if (!json_is_object(ctx->note))
        return -DW_ENOMEM;
    json_t *skus = json_array();
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(sol, "lines"), i, line) {
        json_t *s = json_pack("{s:O, s:O}", "sku", json_object_get(line, "sku"), "quantity",
                              json_object_get(line, "quantity"));
        if (!s || json_array_append_new(skus, s) < 0) {
            json_decref(skus);
            return -DW_ENOMEM;
        }
    }
    int r = dw_json_set(ctx->note, "lines", skus);
    if (r == 0)
        r = dw_json_set(
            ctx->note, "not_covered",
            json_integer((json_int_t)json_array_size(json_object_get(sol, "not_covered"))));
    if (r == 0)
        r = dw_json_set(ctx->note, "search", json_deep_copy(json_object_get(sol, "search")));
    return r;
}

static int step(struct dw_agent_ctx *ctx) {
    _cleanup_json_ json_t *sol = NULL;
    _cleanup_cjson_ const json_t *req = NULL;
    int r = DW_TOOL(ctx, doc_get, "requirements", &req);
    if (r < 0)
        return r == -DW_ENOENT
                   ? dw_error_set(ctx->err, r, "scoping: the deal has no requirements document")
                   : r;
    r = dw_configure(ctx->ws, req, &sol, ctx->err);
    if (r < 0)
        return r;
    r = DW_TOOL(ctx, doc_put, "solution", sol);
    if (r < 0)
        return r;
    r = note_solution(ctx, sol);
    if (r < 0)
        return dw_error_set(ctx->err, r, "scoping: out of memory");
    return 0;
}

const struct dw_agent dw_agent_scoping = {
    .name = "scoping",
    .summary = "choose catalog items, quantities and required companions for the needs",
    .needs = DW_FACT_REQUIREMENTS | DW_FACT_QUALIFIED,
    .produces = DW_FACT_SOLUTION,
    .scope = DW_TOOL_READ_DEAL | DW_TOOL_WRITE_SOLUTION,
    .step = step,
};

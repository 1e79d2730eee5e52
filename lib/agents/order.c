/* order — the customer said yes.
 *
 * Runs once `accept` has recorded which quote revision the customer accepted. It re-reads
 * exactly that revision, checks its content hash against the one accepted and that every
 * approval bound to it was granted, and creates the order from its lines, so an order can
 * never come from a quote nobody approved or from a revision the customer did not see.
 */
#include <string.h>

#include "agents/agent.h"

static int step(struct dw_agent_ctx *ctx) {
    _cleanup_json_ json_t *approvals = NULL, *order = NULL;
    _cleanup_cjson_ const json_t *acc = NULL, *quote = NULL;
    int r = DW_TOOL(ctx, doc_get, "acceptance", &acc);
    if (r < 0)
        return r;
    int revision = (int)dw_json_int(acc, "revision", 0);
    const char *hash = dw_json_str(acc, "quote_hash");
    r = DW_TOOL(ctx, quote_get, revision, &quote);
    if (r < 0)
        return r;
    const char *qhash = dw_json_str(quote, "hash");
    if (!hash || !qhash || strcmp(hash, qhash) != 0)
        return dw_error_set(ctx->err, -DW_EINTEGRITY,
                            "quote revision %d does not match the accepted content", revision);
    r = DW_TOOL(ctx, approvals, &approvals);
    if (r < 0)
        return r;
    size_t i;
    json_t *a;
    json_array_foreach(approvals, i, a) {
        const char *st = dw_json_str(a, "status"), *h = dw_json_str(a, "quote_hash");
        if (h && strcmp(h, qhash) == 0 && st && strcmp(st, "approved") != 0 &&
            strcmp(st, "void") != 0)
            return dw_error_set(ctx->err, -DW_ESTATE, "approval %s is %s",
                                DW_ID('A', dw_json_int(a, "id", 0)), st);
    }
    order = json_pack("{s:i,s:s,s:O,s:O,s:O,s:O,s:O}", "quote_revision", revision, "quote_hash",
                      qhash, "currency", json_object_get(quote, "currency"), "digits",
                      json_object_get(quote, "digits"), "total", json_object_get(quote, "total"),
                      "accepted_by", json_object_get(acc, "by"), "lines",
                      json_object_get(quote, "lines"));
    if (!order)
        return -DW_ENOMEM;
    int64_t id;
    r = DW_TOOL(ctx, create_order, order, &id);
    if (r < 0)
        return r;
    dw_json_set(ctx->note, "order", json_integer(id));
    dw_json_set(ctx->note, "quote_revision", json_integer(revision));
    return 0;
}

const struct dw_agent dw_agent_order = {
    .name = "order",
    .summary = "create the order from exactly the accepted quote revision",
    .needs = DW_FACT_ACCEPTED,
    .produces = DW_FACT_ORDER,
    .scope = DW_TOOL_READ_DEAL | DW_TOOL_CREATE_ORDER,
    .step = step,
};

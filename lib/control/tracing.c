/* Traces of the control plane (docs/internals/tracing.md): the deal's trace context, kept as
 * its "trace" document, so that whichever process steps the deal later makes its spans part
 * of the trace its lead started.
 *
 * The document is {"traceparent": "00-TRACE-SPAN-01"}: the span that took the lead in
 * (lead.submit, a child of the request that posted it or of the traceparent it carried).
 * It is written with the lead, in its transaction, so a worker that sees the deal sees the
 * context too; without a tracer it is never written nor read. It holds no personal data. */
#include <string.h>

#include "base/trace.h"
#include "internal.h"

#define TRACE_DOC "trace"

bool dw__deal_trace(struct dw_engine *e, int64_t deal_id, struct dw_trace_ctx *ret) {
    memset(ret, 0, sizeof *ret);
    if (!e->tracer)
        return false;
    _cleanup_cjson_ const json_t *doc = NULL;
    struct dw_error ignore = {0};
    if (e->store->ops->doc_peek(e->store, deal_id, TRACE_DOC, &doc, &ignore) < 0)
        return false;
    return dw_traceparent_parse(dw_json_str(doc, "traceparent"), ret) == 0;
}

int dw__deal_trace_put(struct dw_engine *e, int64_t deal_id, const struct dw_trace_ctx *c,
                       struct dw_error *err) {
    if (!e->tracer || !dw_trace_ctx_valid(c))
        return 0;
    char tp[DW_TRACEPARENT_SIZE];
    dw_traceparent_format(c, tp);
    _cleanup_json_ json_t *doc = json_pack("{s:s}", "traceparent", tp);
    if (!doc)
        return -DW_ENOMEM;
    return e->store->ops->doc_put(e->store, deal_id, TRACE_DOC, doc, e->ws->hash, err);
}

void dw__span_deal(struct dw_span *sp, int64_t deal_id) {
    if (sp && deal_id > 0)
        dw_span_str(sp, "dealwright.deal.id", DW_ID('D', deal_id));
}

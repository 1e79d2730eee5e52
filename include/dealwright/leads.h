/* dealwright — leads: what a buyer sent (BLUEPRINT.md "A lead"), submitted to an engine. */
#ifndef DEALWRIGHT_LEADS_H
#define DEALWRIGHT_LEADS_H

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* The most bytes one lead may take (as JSON), and a file of leads. */
#define DW_LEAD_MAX_BYTES (256 * 1024)
#define DW_LEADS_MAX_FILE (256u << 20)

/* Submit leads (an array of lead objects), all in one transaction: either every lead is
 * stored or none is. Each is checked first (the error names the index and field). Result:
 * one object per lead {lead, deal, status: "created" | "follow_up" | "duplicate"} — the
 * same (source, external_id) gives the same deal. */
DW_EXPORT int dw_leads_submit(struct dw_engine *e, const json_t *leads, json_t **ret,
                              struct dw_error *err);
/* dw_leads_submit with each lead's trace context (docs/internals/tracing.md): traceparents
 * is NULL or has one W3C traceparent per lead (NULL, or a malformed one: the lead starts a
 * trace of its own). Each new lead's span (lead.submit) is a child of it, and the deal keeps
 * that span's context for its steps. Without traceparents a lead is a child of the span the
 * calling thread works under, if any. Only an engine with a tracer reads them. */
DW_EXPORT int dw_leads_submit_traced(struct dw_engine *e, const json_t *leads,
                                     const char *const *traceparents, json_t **ret,
                                     struct dw_error *err);

/* Read a file of leads — one JSON object, or JSON Lines (one object a line; blank lines
 * skipped) — into a new array. path "-" reads stdin. Errors as FILE:LINE:COL; a file, or a
 * lead, over its size limit or not valid UTF-8 is refused. The leads are only parsed here:
 * dw_leads_submit checks them. */
DW_EXPORT int dw_leads_read_file(const char *path, json_t **ret, struct dw_error *err);
/* The same for leads already in memory; name names the input in errors. */
DW_EXPORT int dw_leads_read_data(const char *name, const char *data, size_t len, json_t **ret,
                                 struct dw_error *err);

#endif

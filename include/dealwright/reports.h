/* dealwright — reports over the store. */
#ifndef DEALWRIGHT_REPORTS_H
#define DEALWRIGHT_REPORTS_H

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* Counts of deals by stage, approvals, orders and events. */
DW_EXPORT int dw_stats(struct dw_engine *e, json_t **ret, struct dw_error *err);
/* The sales funnel, aggregated by the store in one snapshot: {as_of, stages: {stage: deals
 * there now}, funnel: [{step, stages, n, conversion_bp, of_deals_bp}] for the steps deals,
 * qualified, proposal, order (a deal counts for a step when it was ever in one of its
 * stages or a later step's; conversion_bp is n over the previous step's n in basis
 * points), stage_times: [{stage, n, mean_s, max_s}] (finished stays in a stage, seconds),
 * time_to: {proposal_ready, ordered: {n, mean_s, max_s}} (from the deal's creation to first
 * entering it), approvals: {pending, approved, rejected, void, decided, approval_rate_bp,
 * mean_wait_s, oldest_pending_at}}. */
DW_EXPORT int dw_report_funnel(struct dw_engine *e, json_t **ret, struct dw_error *err);

#endif

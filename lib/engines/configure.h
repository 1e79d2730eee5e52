/* Configurator (engines layer): turn a deal's requirements into a valid configuration of
 * catalog items, as a mixed-integer linear program solved with GLPK.
 *
 * The input is the "requirements" document (docs/internals/deal-documents.md; the schema of
 * lib/engines/extract.h plus the configurator's own keys: attributes, limits, select). The
 * output is the "solution" document of the same page. The model, the objective, the
 * conflict explanation and the limits are described in docs/internals/configurator.md.
 *
 * The result depends only on the workspace snapshot and the requirements, not on the order
 * of the catalog, the price books or any list in the requirements: the model is built from
 * sorted, de-duplicated inputs and every output list is sorted.
 *
 * Thread-safety: reentrant; the workspace is only read. GLPK keeps its environment per
 * thread.
 */
#ifndef DW_CONFIGURE_H
#define DW_CONFIGURE_H

#include "base/base.h"
#include "workspace/workspace.h"

/* Hard limits on what a requirements document may ask; above them is bad input
 * (-DW_ETOOBIG). A requires chain deeper than DW_CFG_MAX_DEPTH, or a cycle, is an error in
 * the workspace (-DW_EVALIDATE; the loader rejects cycles, hand-built snapshots may not). */
#define DW_CFG_MAX_WANTS 64             /* distinct wanted capabilities */
#define DW_CFG_MAX_ENTRIES 256          /* entries of attributes, limits, select */
#define DW_CFG_MAX_DEPTH 32             /* requires chain */
#define DW_CFG_MAX_QUANTITY 100000000LL /* a requested quantity or total above this */
#define DW_CFG_MAX_GROUPS 4096          /* constraint groups considered by the conflict search */

struct dw_cfg_opts {
    /* Every wanted capability must be covered. When none can be, the solution is
     * {feasible: false, conflict: [...]} instead of a partial configuration. */
    bool strict;
    /* Guided selling: probe which relevant items are forced, still possible, impossible. */
    bool guide;
};

/* Configure. On success *ret_solution is a new object (caller owns):
 *
 *   feasible:    bool      (false only with opts.strict)
 *   lines:       [{sku, name, quantity, covers: [capability], reason, required_by}]
 *   not_covered: [{capability, reason}]           by capability name
 *   options:     [{sku, for: sku, name}]          add-ons offered but not chosen
 *   objective:   {kind, value, currency?}
 *   conflict:    [{kind, text}]                   strict and infeasible: a minimal set
 *   explanation: "..."                            the conflict in one paragraph
 *   guide:       {forced: [sku], possible: [sku], impossible: [sku]}   with opts.guide
 *   search:      {solver: "glpk", solves: int, exhaustive: bool}
 *
 * dw_configure is dw_configure_opts with neither option (what the scoping agent uses).
 * Errors: -DW_EINVAL / -DW_ETOOBIG for malformed requirements (err->field names the
 * field), -DW_EVALIDATE for an inconsistent catalog, -DW_EINTERNAL when the solver fails,
 * -DW_ENOMEM. */
int dw_configure(const struct dw_workspace *ws, const json_t *requirements, json_t **ret_solution,
                 struct dw_error *err);
int dw_configure_opts(const struct dw_workspace *ws, const json_t *requirements,
                      const struct dw_cfg_opts *opts, json_t **ret_solution, struct dw_error *err);

/* Check a solution document against the requirements and every catalog rule, exactly, in
 * integer arithmetic and independently of the solver: quantities within min/max and the
 * customer's limits and selections, requires (shared, rounded up), excludes, compatibility
 * tables, supply/demand totals, attribute totals, option hosts, excluded capabilities, and
 * that each line's covers are provided by a chosen line. With strict, every wanted
 * capability must be covered. 0 when it holds; -DW_EVALIDATE with the first violation in
 * err otherwise. */
int dw_configure_verify(const struct dw_workspace *ws, const json_t *requirements,
                        const json_t *solution, bool strict, struct dw_error *err);

/* Internal (tests): is the model with exactly the groups named in `conflict` (a solution's
 * conflict list), less entry `drop` (SIZE_MAX: none), feasible? 1 yes, 0 no, < 0 error. */
int dw__configure_probe(const struct dw_workspace *ws, const json_t *requirements,
                        const json_t *conflict, size_t drop, struct dw_error *err);

#endif

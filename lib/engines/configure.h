/* Configurator (engines layer): turn a deal's requirements into a valid configuration of
 * catalog items that covers what the customer asked for.
 *
 * The input is the "requirements" document (docs/internals/deal-documents.md; the schema of
 * lib/engines/extract.h plus the merge keys). The output is the "solution" document of the
 * same page. The search, its preferences and limits are described in
 * docs/internals/configurator.md.
 *
 * The result depends only on the workspace snapshot and the requirements: not on the order
 * of the catalog, the price books or the quantities list. Lines follow the order in which
 * capabilities were requested, then the items those lines require.
 *
 * Thread-safety: reentrant; the workspace is only read.
 */
#ifndef DW_CONFIGURE_H
#define DW_CONFIGURE_H

#include "base/base.h"
#include "workspace/workspace.h"

/* Hard limits. More wanted capabilities than DW_CFG_MAX_WANTS is bad input (-DW_ETOOBIG).
 * The search visits at most DW_CFG_MAX_NODES nodes; when it stops early the best
 * configuration found so far is returned and "search.exhaustive" is false. A requires
 * chain deeper than DW_CFG_MAX_DEPTH, or a cycle, is an error in the workspace
 * (-DW_EVALIDATE; the loader rejects cycles, hand-built snapshots may not). */
#define DW_CFG_MAX_WANTS 64
#define DW_CFG_MAX_NODES 10000
#define DW_CFG_MAX_DEPTH 32
#define DW_CFG_MAX_QUANTITY 1000000000LL /* a requested quantity above this is bad input */

/* Configure. On success *ret_solution is a new object (caller owns):
 *
 *   lines:       [{sku, name, quantity, covers: [capability], reason,
 *                  required_by: sku | null}]
 *   not_covered: [{capability, reason}]         in the order requested
 *   options:     [{sku, for: sku, name}]        add-ons offered but not chosen
 *   search:      {nodes: int, exhaustive: bool}
 *
 * Errors: -DW_EINVAL / -DW_ETOOBIG for malformed requirements (err->field names the
 * field), -DW_EVALIDATE for an inconsistent catalog (requires cycle), -DW_ENOMEM. */
int dw_configure(const struct dw_workspace *ws, const json_t *requirements, json_t **ret_solution,
                 struct dw_error *err);

/* Internal (tests): dw_configure with another node limit. */
int dw__configure_limited(const struct dw_workspace *ws, const json_t *requirements, long max_nodes,
                          json_t **ret_solution, struct dw_error *err);

#endif

/* dealwright — the configurator on its own (docs/internals/configurator.md): from a
 * requirements document to a configuration of catalog items, with why each line is there,
 * or the smallest set of requirements and catalog rules that conflict. */
#ifndef DEALWRIGHT_CONFIGURE_H
#define DEALWRIGHT_CONFIGURE_H

#include <stdbool.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/workspace.h>

/* The largest quantity a requirement or a selection may ask for. */
#define DW_CONFIGURE_MAX_QUANTITY 100000000LL

struct dw_configure_options {
    /* Cover what can be covered and report the rest as not covered, as the scoping agent
     * does; false: every wanted capability must be covered, else the result is {feasible:
     * false, conflict: [...]}. */
    bool best_effort;
    /* Guided selling: which relevant items are forced, still possible or impossible given
     * the selections. */
    bool guide;
};
/* Configure the requirements (a JSON object; its "select" {SKU: quantity} fixes
 * quantities) with the workspace's catalog. *ret is the solution {feasible, lines, ...}.
 * Bad input is -DW_EINVAL with err->field naming the member. opts NULL: strict, no
 * guidance. No store is needed. */
DW_EXPORT int dw_configure_request(const struct dw_workspace *ws, const json_t *requirements,
                                   const struct dw_configure_options *opts, json_t **ret,
                                   struct dw_error *err);

#endif

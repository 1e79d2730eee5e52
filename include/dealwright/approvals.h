/* dealwright — approvals: the decisions the workspace's policies leave to people. */
#ifndef DEALWRIGHT_APPROVALS_H
#define DEALWRIGHT_APPROVALS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

DW_EXPORT int dw_approvals_list(struct dw_engine *e, json_t **ret, struct dw_error *err);
/* The same a page at a time (engine.h). */
DW_EXPORT int dw_approvals_page(struct dw_engine *e, const char *after, int limit, json_t **ret,
                                struct dw_error *err);
/* Approvals of one status ("pending", "approved", "rejected", or "all" of them, void ones
 * too), a page at a time; dw_approvals_page is status "pending". Another status is
 * -DW_EINVAL with field "status". */
DW_EXPORT int dw_approvals_page_status(struct dw_engine *e, const char *status, const char *after,
                                       int limit, json_t **ret, struct dw_error *err);

/* Decide an approval as a workspace user; the user's role must allow it (the required
 * role, or for discounts any role of a higher band). Runs the deal on afterwards.
 * dw_approval_decide weighs every role team.yaml gives the user (the CLI);
 * dw_approval_decide_as only `role`, which the user must hold (an API token's role: a
 * credential issued for one role carries that role's authority and no more). */
DW_EXPORT int dw_approval_decide(struct dw_engine *e, int64_t approval_id, bool approve,
                                 const char *user, const char *note, json_t **ret,
                                 struct dw_error *err);
DW_EXPORT int dw_approval_decide_as(struct dw_engine *e, int64_t approval_id, bool approve,
                                    const char *user, const char *role, const char *note,
                                    json_t **ret, struct dw_error *err);
/* May `user` decide an approval that requires `required_role`? With role (a token's role)
 * the authority is that one role, which the user must hold; role NULL: any of the user's
 * roles. The same ladder as dw_approval_decide: the required role itself, or for discount
 * bands any higher band. False for a user not in the team. */
DW_EXPORT bool dw_may_decide(struct dw_engine *e, const char *user, const char *role,
                             const char *required_role);
/* Adds to each approval of list (as dw_approvals_list and dw_deal_show give them)
 * can_decide: whether user, acting with role (as dw_may_decide), may decide it now (only a
 * pending one), and deciders: the ids of the team's users who may decide it. */
DW_EXPORT int dw_approvals_annotate(struct dw_engine *e, const char *user, const char *role,
                                    json_t *list);

#endif

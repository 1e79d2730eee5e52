/* dealwright — orders: the customer's acceptance of a quote. */
#ifndef DEALWRIGHT_ORDERS_H
#define DEALWRIGHT_ORDERS_H

#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* Record the customer's acceptance of a quote revision (0 = latest) and create the order.
 * `customer` is the person at the buyer who accepted (up to 120 bytes; NULL: "customer"):
 * data kept in the acceptance and the order, never in the event log or the audit chain.
 * dw_deal_accept_as records it as `user` (the audit actor, user:ID): a team user holding a
 * role of the discount bands — only `role` is weighed when given (an API token), every
 * role of the user when NULL; user and role both NULL, and dw_deal_accept: the local
 * operator (actor "operator"). */
DW_EXPORT int dw_deal_accept(struct dw_engine *e, int64_t deal_id, int revision,
                             const char *customer, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_deal_accept_as(struct dw_engine *e, int64_t deal_id, int revision,
                                const char *user, const char *role, const char *customer,
                                json_t **ret, struct dw_error *err);

#endif

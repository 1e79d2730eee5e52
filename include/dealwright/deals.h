/* dealwright — deals: reading them, and the people's actions on their quotes and orders. */
#ifndef DEALWRIGHT_DEALS_H
#define DEALWRIGHT_DEALS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* A deal with its lead, requirements, quote, approvals, documents and order. */
DW_EXPORT int dw_deal_show(struct dw_engine *e, int64_t deal_id, json_t **ret,
                           struct dw_error *err);
/* Every deal (in `stage` when not NULL), and the same a page at a time (engine.h). */
DW_EXPORT int dw_deals_list(struct dw_engine *e, const char *stage, json_t **ret,
                            struct dw_error *err);
DW_EXPORT int dw_deals_page(struct dw_engine *e, const char *stage, const char *after, int limit,
                            json_t **ret, struct dw_error *err);

#endif

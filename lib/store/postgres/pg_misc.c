/* store/postgres: tokens, keys, webhooks, deliveries, mail, slots, bookings, scoring models, the
 * model-call journal. (Being written: the hooks and tables of this subject.) */
#include "store/postgres/pg_internal.h"

const char dw__pg_schema_misc[] = "";

void dw__pg_ops_misc(struct dw_store_ops *o) {
    (void)o;
}

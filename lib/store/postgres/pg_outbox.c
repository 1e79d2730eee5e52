/* store/postgres: the event outbox's cursors. (Being written: the hooks and tables of this
 * subject.) */
#include "store/postgres/pg_internal.h"

const char dw__pg_schema_outbox[] = "";

void dw__pg_ops_outbox(struct dw_store_ops *o) {
    (void)o;
}

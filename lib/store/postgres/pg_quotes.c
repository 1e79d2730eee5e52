/* store/postgres: quotes, approvals and orders. (Being written: the hooks and tables of this
 * subject.) */
#include "store/postgres/pg_internal.h"

const char dw__pg_schema_quotes[] = "";

void dw__pg_ops_quotes(struct dw_store_ops *o) {
    (void)o;
}

/* store/postgres: the event log and the audit chain. (Being written: the hooks and tables of this
 * subject.) */
#include "store/postgres/pg_internal.h"

const char dw__pg_schema_audit[] = "";

void dw__pg_ops_audit(struct dw_store_ops *o) {
    (void)o;
}

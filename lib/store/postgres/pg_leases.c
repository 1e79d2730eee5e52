/* store/postgres: worker leases. (Being written: the hooks and tables of this subject.) */
#include "store/postgres/pg_internal.h"

const char dw__pg_schema_leases[] = "";

void dw__pg_ops_leases(struct dw_store_ops *o) {
    (void)o;
}

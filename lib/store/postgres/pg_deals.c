/* store/postgres: leads, accounts, contacts, deals, documents, listings, stats and reports. (Being
 * written: the hooks and tables of this subject.) */
#include "store/postgres/pg_internal.h"

const char dw__pg_schema_deals[] = "";

void dw__pg_ops_deals(struct dw_store_ops *o) {
    (void)o;
}

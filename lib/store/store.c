/* store — the backend-independent part of the store: choosing a backend and the names of
 * deal stages.
 *
 * Backends are a table of vtables indexed by enum dw_store_backend (git's refs_backends[]
 * pattern): adding PostgreSQL is one enum value, one folder and one line here. Everything
 * else goes straight through s->ops.
 */
#include <string.h>

#include "store.h"

static const struct dw_store_ops *const backends[DW__STORE_BACKEND_MAX] = {
    [DW_STORE_SQLITE] = &dw_store_sqlite_ops,
};

static const char *const stage_names[DW__STAGE_MAX] = {
#define DW__STAGE_NAME(e, s) [DW_STAGE_##e] = s,
    DW_STAGE_LIST(DW__STAGE_NAME)
#undef DW__STAGE_NAME
};

const char *dw_stage_name(enum dw_stage s) {
    return (unsigned)s < DW__STAGE_MAX ? stage_names[s] : "unknown";
}

int dw_stage_parse(const char *name, enum dw_stage *ret) {
    if (!name)
        return -DW_EINVAL;
    for (int i = 0; i < DW__STAGE_MAX; i++)
        if (strcmp(stage_names[i], name) == 0) {
            *ret = (enum dw_stage)i;
            return 0;
        }
    return -DW_EINVAL;
}

int dw_store_open(enum dw_store_backend backend, const char *path, struct dw_store **ret,
                  struct dw_error *err) {
    const struct dw_store_ops *ops =
        (unsigned)backend < DW__STORE_BACKEND_MAX ? backends[backend] : NULL;
    struct dw_store *s = NULL;
    if (!ops)
        return dw_error_set(err, -DW_EINVAL, "unknown store backend %d", (int)backend);
    int r = ops->open(path, &s, err);
    if (r < 0)
        return r;
    *ret = s;
    return 0;
}

void dw_store_close(struct dw_store *s) {
    if (s)
        s->ops->close(s);
}

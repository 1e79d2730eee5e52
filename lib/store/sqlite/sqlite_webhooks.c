/* store/sqlite — webhook subscriptions and their deliveries (webhooks, webhook_deliveries),
 * and the reports' aggregate reads.
 * One entry point binds a statement's named parameters from a JSON object, in the order
 * given below; a missing member binds NULL. */
#include <string.h>

#include "sqlite_internal.h"

static const struct {
    enum dw__sq_id stmt;
    bool reads;
    const char *params[7];
} hook_stmts[] = {
    [DW_HOOK_INSERT] = {DW__SQ_HOOK_INSERT, false, {"url", "events", "secret", "now"}},
    [DW_HOOK_LIST] = {DW__SQ_HOOKS_LIST, true, {NULL}},
    [DW_HOOK_REMOVE] = {DW__SQ_HOOK_REMOVE, false, {"id", "now"}},
    [DW_HOOK_ADVANCE] = {DW__SQ_HOOK_ADVANCE, false, {"id", "seq"}},
    [DW_HOOK_DELIVERY_INSERT] = {DW__SQ_DELIVERY_INSERT,
                                 false,
                                 {"hook", "seq", "type", "body", "next_at", "now"}},
    [DW_HOOK_DUE] = {DW__SQ_DELIVERIES_DUE, true, {"now_ms", "max"}},
    [DW_HOOK_DELIVERY_UPDATE] = {DW__SQ_DELIVERY_UPDATE,
                                 false,
                                 {"id", "status", "attempts", "next_at", "last_status",
                                  "last_error"}},
    [DW_HOOK_DELIVERIES] = {DW__SQ_DELIVERIES_LIST, true, {"status", "max", "after"}},
    [DW_HOOK_REPLAY] = {DW__SQ_DELIVERY_REPLAY, false, {"id", "now_ms"}},
    [DW_HOOK_DELIVERY_COUNTS] = {DW__SQ_DELIVERY_COUNTS, true, {NULL}},
    [DW_HOOK_SLOTS_HELD] = {DW__SQ_SLOTS_HELD, true, {"deal", "now"}},
    [DW_HOOK_SLOTS_FREE] = {DW__SQ_SLOTS_FREE, false, {"deal"}},
    [DW_HOOK_SLOT_HOLD] = {DW__SQ_SLOT_HOLD, false, {"deal", "user", "start", "expires"}},
    [DW_HOOK_REPORT_REACHED] = {DW__SQ_REPORT_REACHED, true, {NULL}},
    [DW_HOOK_REPORT_STAYS] = {DW__SQ_REPORT_STAYS, true, {NULL}},
    [DW_HOOK_REPORT_TIME_TO] = {DW__SQ_REPORT_TIME_TO, true, {"stage"}},
    [DW_HOOK_REPORT_APPROVALS] = {DW__SQ_REPORT_APPROVALS, true, {NULL}},
};

int dw__sq_hook_exec(struct dw_store *s, enum dw_store_hook op, const json_t *args, json_t **ret,
                     struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if ((size_t)op >= DW_ARRAY_SIZE(hook_stmts))
        return dw_error_set(err, -DW_EINVAL, "no such webhook statement %d", (int)op);
    if (op == DW_HOOK_SLOTS_HELD && q->cache.on) /* inside a write transaction */
        return dw__sq_slots_held_cached(q, json_integer_value(json_object_get(args, "deal")),
                                        json_integer_value(json_object_get(args, "now")), ret, err);
    int r = dw__sq_stmt(q, hook_stmts[op].stmt, &st, err);
    if (r < 0)
        return r;
    int rc = SQLITE_OK;
    for (int i = 0; i < 7 && hook_stmts[op].params[i] && rc == SQLITE_OK; i++) {
        const json_t *v = json_object_get(args, hook_stmts[op].params[i]);
        if (json_is_integer(v))
            dw__sq_bind_int(st, i + 1, json_integer_value(v), &rc);
        else if (json_is_string(v))
            dw__sq_bind_text(st, i + 1, json_string_value(v), &rc);
        else
            rc = sqlite3_bind_null(st, i + 1);
    }
    if (rc != SQLITE_OK)
        return dw__sq_bind_error(rc, err, "webhooks");
    if (hook_stmts[op].reads)
        return dw__sq_rows(q, st, ret, err, "webhooks");
    if ((r = dw__sq_exec(q, st, err, "webhooks")) < 0)
        return r;
    int changes = sqlite3_changes(q->db);
    if ((op == DW_HOOK_SLOTS_FREE || op == DW_HOOK_SLOT_HOLD) && changes > 0)
        dw__sq_holds_reset(q); /* read again at the next question */
    if (op == DW_HOOK_REMOVE && changes == 0)
        return dw_error_set(err, -DW_ENOENT, "no webhook %lld",
                            (long long)json_integer_value(json_object_get(args, "id")));
    if (ret)
        *ret = json_pack("{sI sI}", "changes", (json_int_t)changes, "id",
                         (json_int_t)sqlite3_last_insert_rowid(q->db));
    return ret && !*ret ? -DW_ENOMEM : 0;
}

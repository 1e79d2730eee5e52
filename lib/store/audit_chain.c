/* store/audit_chain — the audit chain's record hash, one implementation for every backend
 * (docs/internals/audit.md). */
#include <stdlib.h>
#include <string.h>

#include "store/audit_chain.h"

const char dw__audit_genesis[DW_SHA256_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* hash = SHA-256 hex of the canonical JSON (sorted keys, compact) of
 * {seq, at, deal_id, actor, action, ws_hash, data, prev}. */
int dw__audit_hash(const struct dw__audit_rec *a, char out[DW_SHA256_HEX], struct dw_error *err) {
    _cleanup_json_ json_t *o = json_object();
    if (!o || dw_json_set(o, "seq", json_integer(a->seq)) < 0 ||
        dw_json_set(o, "at", json_string(a->at)) < 0 ||
        json_object_set(o, "deal_id", a->deal_id) < 0 ||
        dw_json_set(o, "actor", json_string(a->actor)) < 0 ||
        dw_json_set(o, "action", json_string(a->action)) < 0 ||
        json_object_set(o, "ws_hash", a->ws_hash) < 0 || json_object_set(o, "data", a->data) < 0 ||
        dw_json_set(o, "prev", json_string(a->prev)) < 0)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "audit record %lld: a field is not valid UTF-8 text or memory "
                            "ran out",
                            (long long)a->seq);
    dw_json_hash(o, out); /* the canonical text's SHA-256, streamed without building it */
    return 0;
}

/* The same hash from the data's canonical text, printed once for both the row and the
 * hash (printing it twice cost about 3 % of a pipeline step). The record's canonical text
 * is its sorted keys in order: action, actor, at, then data, then deal_id, prev, seq,
 * ws_hash; so it is the canonical text of {action, actor, at} without its closing brace,
 * ',"data":', the data's text, ',' and that of {deal_id, prev, seq, ws_hash} without its
 * opening one. dw__audit_hash, which the verifiers use, builds the whole and must agree:
 * the chain's tests verify every record appended here with it. */
int dw__audit_hash_text(const struct dw__audit_rec *a, const char *data_text,
                        char out[DW_SHA256_HEX], struct dw_error *err) {
    _cleanup_json_ json_t *head = json_pack("{s:s,s:s,s:s}", "action", a->action, "actor", a->actor,
                                            "at", a->at),
                          *tail =
                              json_pack("{s:O,s:s,s:I,s:O}", "deal_id", a->deal_id, "prev", a->prev,
                                        "seq", (json_int_t)a->seq, "ws_hash", a->ws_hash);
    _cleanup_free_ char *h = head ? dw_json_canonical(head) : NULL;
    _cleanup_free_ char *t = tail ? dw_json_canonical(tail) : NULL;
    if (!h || !t)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "audit record %lld: a field is not valid UTF-8 text or memory "
                            "ran out",
                            (long long)a->seq);
    size_t hn = strlen(h), dn = strlen(data_text), tn = strlen(t);
    _cleanup_free_ char *all = malloc(hn + dn + tn + 8);
    if (!all)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    /* {"action":…,"at":"…" + ,"data": + DATA + , + "deal_id":…} */
    memcpy(all, h, hn - 1);
    memcpy(all + hn - 1, ",\"data\":", 8);
    memcpy(all + hn + 7, data_text, dn);
    all[hn + 7 + dn] = ',';
    memcpy(all + hn + 8 + dn, t + 1, tn - 1);
    dw_sha256_hex(all, hn + dn + tn + 7, out);
    return 0;
}

int dw__audit_input(const json_t *rec, struct dw__audit_rec *a, json_t **owned_data,
                    struct dw_error *err) {
    *owned_data = NULL;
    if (!rec || !json_is_object(rec))
        return dw_error_field(err, -DW_EINVAL, "audit", "must be a JSON object");
    a->actor = dw_json_str(rec, "actor");
    a->action = dw_json_str(rec, "action");
    if (!a->actor || !*a->actor)
        return dw_error_field(err, -DW_EINVAL, "actor", "required (a non-empty string)");
    if (!a->action || !*a->action)
        return dw_error_field(err, -DW_EINVAL, "action", "required (a non-empty string)");
    a->deal_id = json_object_get(rec, "deal_id");
    if (!a->deal_id)
        a->deal_id = json_null();
    if (!json_is_integer(a->deal_id) && !json_is_null(a->deal_id))
        return dw_error_field(err, -DW_EINVAL, "deal_id", "must be an integer or null");
    a->ws_hash = json_object_get(rec, "ws_hash");
    if (!a->ws_hash)
        a->ws_hash = json_null();
    if (!json_is_string(a->ws_hash) && !json_is_null(a->ws_hash))
        return dw_error_field(err, -DW_EINVAL, "ws_hash", "must be a string or null");
    a->data = json_object_get(rec, "data");
    if (!a->data || json_is_null(a->data)) {
        if (!(*owned_data = a->data = json_object()))
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    } else if (!json_is_object(a->data))
        return dw_error_field(err, -DW_EINVAL, "data", "must be an object");
    return 0;
}

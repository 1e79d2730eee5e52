/* store — the audit chain's record hash and input rules, shared by every backend (not a
 * public header).
 *
 * docs/internals/audit.md defines the chain: a record's hash is the SHA-256 of the
 * canonical JSON of {seq, at, deal_id, actor, action, ws_hash, data, prev}. Every backend
 * hashes with these functions, so that a chain written on one verifies identically on
 * another.
 */
#ifndef DW_STORE_AUDIT_CHAIN_H
#define DW_STORE_AUDIT_CHAIN_H

#include "base/base.h"

/* The link of record 1: 64 zeros. */
extern const char dw__audit_genesis[DW_SHA256_HEX];

/* One record's fields as hashed. deal_id and ws_hash may be JSON null. */
struct dw__audit_rec {
    int64_t seq;
    const char *at, *actor, *action, *prev;
    json_t *deal_id, *ws_hash, *data; /* borrowed */
};

/* The hash of a, building the whole canonical object (what verifiers use). -DW_EINTEGRITY
 * when a field is not valid UTF-8 text (or memory ran out). */
int dw__audit_hash(const struct dw__audit_rec *a, char out[DW_SHA256_HEX], struct dw_error *err);
/* The same hash from data_text, a->data's canonical text already printed for the row. */
int dw__audit_hash_text(const struct dw__audit_rec *a, const char *data_text,
                        char out[DW_SHA256_HEX], struct dw_error *err);

/* audit_append's rec checked (store.h): actor and action non-empty strings, deal_id an
 * integer or null/absent, ws_hash a string or null/absent, data an object or null/absent
 * ({}). Fills a's actor, action, deal_id, ws_hash and data (borrowed from rec, or *owned_data,
 * a new {} the caller json_decref()s). -DW_EINVAL naming the field. */
int dw__audit_input(const json_t *rec, struct dw__audit_rec *a, json_t **owned_data,
                    struct dw_error *err);

#endif

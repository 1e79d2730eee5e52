/* dealwright — the tamper-evident audit chain and its signed checkpoints
 * (docs/internals/audit.md), and the retention of personal data (docs/internals/privacy.md). */
#ifndef DEALWRIGHT_AUDIT_H
#define DEALWRIGHT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* Walk the chain: *ret_count records checked; -DW_EINTEGRITY with *ret_bad_seq the first
 * record that does not hold. */
DW_EXPORT int dw_audit_verify(struct dw_engine *e, int64_t *ret_count, int64_t *ret_bad_seq,
                              struct dw_error *err);
/* The audit records of a deal (0: every record). */
DW_EXPORT int dw_audit_show(struct dw_engine *e, int64_t deal_id, json_t **ret,
                            struct dw_error *err);
/* The whole chain, a page at a time: up to max (1..1000) records after seq, oldest first,
 * the objects dw_audit_show gives (also the records of no deal). */
DW_EXPORT int dw_audit_since(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                             struct dw_error *err);

/* Signed checkpoints: Ed25519 over the chain's head, so that a truncated or re-hashed
 * tail is detected later. dw_audit_key_load reads the signing key (a file of 64 hex
 * digits, mode 0600; refused when others can read it), or with `create` makes it when
 * missing (its directory 0700, FILE.pub beside it holding the public key).
 * dw_audit_pubkey_load reads a public key. dw_audit_checkpoint signs the head of an intact
 * chain: {format, seq, hash, count, at, public_key, signature}. dw_audit_checkpoint_verify
 * checks the signature against the trusted pk (never the checkpoint's own), walks the chain
 * and checks that it still holds record seq with that hash: -DW_EINTEGRITY (err says what;
 * *ret_bad_seq the first record concerned) when not, else {checked, checkpoint_seq,
 * checkpoint_hash, checkpoint_at}. */
#define DW_AUDIT_PK_BYTES 32
struct dw_audit_key {
    unsigned char pk[DW_AUDIT_PK_BYTES];
    unsigned char sk[64];
};
DW_EXPORT int dw_audit_key_load(const char *path, bool create, struct dw_audit_key *ret,
                                bool *ret_created, struct dw_error *err);
/* Wipe a loaded key from memory. */
DW_EXPORT void dw_audit_key_clear(struct dw_audit_key *key);
DW_EXPORT int dw_audit_pubkey_load(const char *path, unsigned char ret_pk[DW_AUDIT_PK_BYTES],
                                   struct dw_error *err);
DW_EXPORT int dw_audit_checkpoint(struct dw_engine *e, const struct dw_audit_key *key, json_t **ret,
                                  struct dw_error *err);
DW_EXPORT int dw_audit_checkpoint_verify(struct dw_engine *e, const json_t *cp,
                                         const unsigned char pk[DW_AUDIT_PK_BYTES], json_t **ret,
                                         int64_t *ret_bad_seq, struct dw_error *err);

/* Personal-data retention (policies.yaml personal_data.retention_days): the personal data
 * of deals ordered, lost, disqualified or left in needs_info longer than that is redacted —
 * contact details, the customer's words, drafted replies and proposals — in one
 * transaction, each deal with an audit record. Quotes, orders and the audit chain (which
 * holds only hashes, never personal data) stay; the deal's model-call journal is deleted
 * (model_calls: how many entries, when any). dry_run lists what would be redacted.
 * Result: {retention_days, dry_run, deals: [{deal, stage, updated_at, model_calls}]}. */
DW_EXPORT int dw_privacy_purge(struct dw_engine *e, bool dry_run, json_t **ret,
                               struct dw_error *err);

#endif

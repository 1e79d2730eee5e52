/* Signed audit checkpoints (docs/internals/audit.md "Checkpoints").
 *
 * The hash chain proves that nothing changed before its last record; it cannot tell that
 * the last records were deleted, or that someone recomputed every hash from some record
 * on. A checkpoint anchors the head outside the store: the last record's seq and hash and
 * the count of records, signed with Ed25519 (libsodium) by a key kept in a file outside the
 * store. Verifying it later walks the chain and checks that the chain still passes through
 * the signed (seq, hash): a shorter chain was truncated, a different hash at that seq was
 * rewritten.
 *
 * The key file holds the 32-byte seed in hex on one line; it is created on first use with
 * mode 0600 (and refused when group or others can read it). The public key is derived
 * from it, written beside it as FILE.pub, and put into each checkpoint, but a verifier
 * trusts only a public key it was given — a checkpoint's own key proves nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"

#define CHECKPOINT_FORMAT "dealwright-audit-checkpoint/1"
#define SEED_HEX (crypto_sign_SEEDBYTES * 2)
#define PK_HEX (crypto_sign_PUBLICKEYBYTES * 2)
#define SIG_HEX (crypto_sign_BYTES * 2)

/* Exactly `n` bytes of hex (surrounding white space allowed) into out. */
static int parse_hex(const char *text, unsigned char *out, size_t n) {
    while (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '\r' ||
                   text[len - 1] == '\t'))
        len--;
    size_t got = 0;
    if (len != n * 2 || sodium_hex2bin(out, n, text, len, NULL, &got, NULL) != 0 || got != n)
        return -1;
    return 0;
}

static int write_new(const char *path, const char *text, mode_t mode, struct dw_error *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return dw_error_set(err, -DW_EIO, "%s: cannot create: %s", path, strerror(errno));
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return dw_error_set(err, -DW_EIO, "%s: cannot write: %s", path, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        unlink(path);
        return dw_error_set(err, -DW_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    return 0;
}

/* A new key at path (mode 0600, its directory made 0700 when missing) and path.pub. */
static int key_create(const char *path, unsigned char seed[crypto_sign_SEEDBYTES],
                      struct dw_error *err) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        /* and the folders above it (a new user has no ~/.config yet) */
        for (char *p = dir + 1;; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return dw_error_set(err, -DW_EIO, "%s: cannot create the directory: %s", dir,
                                    strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    randombytes_buf(seed, crypto_sign_SEEDBYTES);
    char hex[SEED_HEX + 2];
    sodium_bin2hex(hex, SEED_HEX + 1, seed, crypto_sign_SEEDBYTES);
    strcat(hex, "\n");
    int r = write_new(path, hex, 0600, err);
    sodium_memzero(hex, sizeof hex);
    if (r < 0)
        return r;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
    char pub[PK_HEX + 2], pubpath[4200];
    sodium_bin2hex(pub, PK_HEX + 1, pk, sizeof pk);
    strcat(pub, "\n");
    snprintf(pubpath, sizeof pubpath, "%s.pub", path);
    unlink(pubpath); /* a stale one from an earlier key would mislead */
    return write_new(pubpath, pub, 0644, err);
}

int dw_audit_key_load(const char *path, bool create, struct dw_audit_key *ret, bool *ret_created,
                      struct dw_error *err) {
    if (!path || !*path)
        return dw_error_field(err, -DW_EINVAL, "key", "no key file given");
    if (sodium_init() < 0)
        return dw_error_set(err, -DW_EINTERNAL, "libsodium could not start");
    unsigned char seed[crypto_sign_SEEDBYTES];
    bool created = false;
    struct stat stb;
    int r;
    if (stat(path, &stb) < 0) {
        if (errno != ENOENT || !create)
            return dw_error_set(err, -DW_EIO, "%s: %s", path, strerror(errno));
        if ((r = key_create(path, seed, err)) < 0)
            return r;
        created = true;
    } else {
        if (!S_ISREG(stb.st_mode))
            return dw_error_set(err, -DW_EINVAL, "%s: not a regular file", path);
        if (stb.st_mode & 077)
            return dw_error_set(err, -DW_EPERM,
                                "%s: the signing key is readable by others (mode %04o); "
                                "chmod 600 it",
                                path, (unsigned)(stb.st_mode & 07777));
        char *text = NULL;
        size_t len = 0;
        if ((r = dw_read_file(path, 1024, &text, &len, err)) < 0)
            return r;
        r = parse_hex(text, seed, sizeof seed);
        sodium_memzero(text, strlen(text));
        free(text);
        if (r < 0)
            return dw_error_set(err, -DW_EINVAL,
                                "%s: not a dealwright audit key (%d hex digits on one line)", path,
                                (int)SEED_HEX);
    }
    crypto_sign_seed_keypair(ret->pk, ret->sk, seed);
    sodium_memzero(seed, sizeof seed);
    if (ret_created)
        *ret_created = created;
    return 0;
}

void dw_audit_key_clear(struct dw_audit_key *key) {
    sodium_memzero(key, sizeof *key);
}

int dw_audit_pubkey_load(const char *path, unsigned char ret_pk[DW_AUDIT_PK_BYTES],
                         struct dw_error *err) {
    char *text = NULL;
    size_t len = 0;
    int r = dw_read_file(path, 1024, &text, &len, err);
    if (r < 0)
        return r;
    r = parse_hex(text, ret_pk, DW_AUDIT_PK_BYTES);
    free(text);
    if (r < 0)
        return dw_error_set(err, -DW_EINVAL, "%s: not a public key (%d hex digits on one line)",
                            path, (int)PK_HEX);
    return 0;
}

/* The bytes signed: the canonical JSON of the checkpoint without its signature. */
static char *signed_text(const json_t *cp) {
    _cleanup_json_ json_t *body = json_deep_copy(cp);
    if (!body)
        return NULL;
    json_object_del(body, "signature");
    return dw_json_canonical(body);
}

int dw_audit_checkpoint(struct dw_engine *e, const struct dw_audit_key *key, json_t **ret,
                        struct dw_error *err) {
    struct dw_audit_walk w;
    int r = e->store->ops->audit_walk(e->store, 0, &w, err);
    if (r == -DW_EINTEGRITY) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return dw_error_set(err, r,
                            "the audit chain is broken at record %lld (%s): no checkpoint is "
                            "signed over it",
                            (long long)w.bad_seq, why);
    }
    if (r < 0)
        return r;
    if (w.head_seq == 0)
        return dw_error_set(err, -DW_ESTATE, "the audit chain is empty: nothing to sign");
    char at[32], pk[PK_HEX + 1], sig[SIG_HEX + 1];
    sodium_bin2hex(pk, sizeof pk, key->pk, sizeof key->pk);
    _cleanup_json_ json_t *cp =
        json_pack("{s:s,s:I,s:s,s:I,s:s,s:s}", "format", CHECKPOINT_FORMAT, "seq",
                  (json_int_t)w.head_seq, "hash", w.head_hash, "count", (json_int_t)w.count, "at",
                  dw_time_format(dw__now(e), at, sizeof at), "public_key", pk);
    _cleanup_free_ char *text = cp ? signed_text(cp) : NULL;
    if (!text)
        return -DW_ENOMEM;
    unsigned char raw[crypto_sign_BYTES];
    crypto_sign_detached(raw, NULL, (const unsigned char *)text, strlen(text), key->sk);
    sodium_bin2hex(sig, sizeof sig, raw, sizeof raw);
    if (dw_json_set(cp, "signature", json_string(sig)) < 0)
        return -DW_ENOMEM;
    *ret = json_incref(cp);
    return 0;
}

int dw_audit_checkpoint_verify(struct dw_engine *e, const json_t *cp,
                               const unsigned char pk[DW_AUDIT_PK_BYTES], json_t **ret,
                               int64_t *ret_bad_seq, struct dw_error *err) {
    const char *format = dw_json_str(cp, "format"), *hash = dw_json_str(cp, "hash");
    const char *their_pk = dw_json_str(cp, "public_key"), *sig = dw_json_str(cp, "signature");
    const json_t *seqj = json_object_get(cp, "seq"), *countj = json_object_get(cp, "count");
    if (!json_is_object(cp) || !format || strcmp(format, CHECKPOINT_FORMAT) != 0)
        return dw_error_field(err, -DW_EINVAL, "format", "not a dealwright audit checkpoint (%s)",
                              CHECKPOINT_FORMAT);
    if (!json_is_integer(seqj) || json_integer_value(seqj) < 1 || !json_is_integer(countj) ||
        !hash || strlen(hash) != DW_SHA256_HEX - 1 || !their_pk || !sig)
        return dw_error_field(err, -DW_EINVAL, "seq",
                              "a checkpoint needs seq, count, hash, public_key and signature");
    if (sodium_init() < 0)
        return dw_error_set(err, -DW_EINTERNAL, "libsodium could not start");
    unsigned char cpk[crypto_sign_PUBLICKEYBYTES], raw[crypto_sign_BYTES];
    if (parse_hex(their_pk, cpk, sizeof cpk) < 0 || sodium_memcmp(cpk, pk, sizeof cpk) != 0)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "the checkpoint was not signed with the trusted key (its public key "
                            "is %.16s...)",
                            their_pk);
    _cleanup_free_ char *text = signed_text(cp);
    if (!text)
        return -DW_ENOMEM;
    if (parse_hex(sig, raw, sizeof raw) < 0 ||
        crypto_sign_verify_detached(raw, (const unsigned char *)text, strlen(text), pk) != 0)
        return dw_error_set(err, -DW_EINTEGRITY,
                            "the checkpoint's signature does not verify: the file was altered");

    int64_t seq = json_integer_value(seqj);
    struct dw_audit_walk w;
    int r = e->store->ops->audit_walk(e->store, seq, &w, err);
    if (r == -DW_EINTEGRITY) {
        if (ret_bad_seq)
            *ret_bad_seq = w.bad_seq;
        return r;
    }
    if (r < 0)
        return r;
    if (w.head_seq < seq) {
        if (ret_bad_seq)
            *ret_bad_seq = w.head_seq + 1;
        return dw_error_set(err, -DW_EINTEGRITY,
                            "the chain ends at record %lld but the checkpoint signed %lld "
                            "records: the tail after record %lld was deleted (truncated)",
                            (long long)w.head_seq, (long long)seq, (long long)w.head_seq);
    }
    if (strcmp(w.mark_hash, hash) != 0) {
        if (ret_bad_seq)
            *ret_bad_seq = seq;
        return dw_error_set(err, -DW_EINTEGRITY,
                            "record %lld no longer has the hash the checkpoint signed: the chain "
                            "was rewritten at or before it (and re-hashed to the end)",
                            (long long)seq);
    }
    *ret = json_pack("{s:I,s:I,s:s,s:O}", "checked", (json_int_t)w.count, "checkpoint_seq",
                     (json_int_t)seq, "checkpoint_hash", hash, "checkpoint_at",
                     json_object_get(cp, "at") ? json_object_get(cp, "at") : json_null());
    return *ret ? 0 : -DW_ENOMEM;
}

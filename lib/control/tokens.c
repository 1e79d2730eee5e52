/* API tokens and the event log for the server (include/dealwright.h).
 *
 * A token's secret is "dwt_" and 64 hex digits of libsodium randomness (256 bits). Only its
 * SHA-256 is stored, with the first 8 characters after "dwt_" so that a person can tell
 * tokens apart in `token list`; the secret itself is returned once, by dw_token_create.
 * Creating and revoking a token are audited (actor: the token's user; the data holds the
 * token id and role, never the secret).
 *
 * A person's token is only as good as the team says it is now: every check looks the
 * token's user up in the loaded team.yaml and refuses the token when the user is gone or no
 * longer holds the token's role, so editing team.yaml (and restarting the server) takes
 * authority away without revoking anything. An integration is not a person of the team;
 * revocation alone governs its token. */
#include <string.h>

#include <sodium.h>

#include "internal.h"

#define TOKEN_PREFIX "dwt_"
#define TOKEN_HEX 64

static bool role_known(const struct dw_workspace *ws, const char *role) {
    for (size_t i = 0; i < ws->team.n_users; i++)
        if (dw_user_has_role(&ws->team.users[i], role))
            return true;
    return false;
}

int dw_token_create(struct dw_engine *e, const char *user, const char *role, json_t **ret,
                    struct dw_error *err) {
    if (!user || !*user || strlen(user) > 64)
        return dw_error_field(err, -DW_EINVAL, "user", "a token needs a user (1-64 characters)");
    if (!role || !*role || strlen(role) > 64)
        return dw_error_field(err, -DW_EINVAL, "role", "a token needs a role (1-64 characters)");
    if (strcmp(role, DW_ROLE_INTEGRATION) != 0) {
        const struct dw_user *u = dw_ws_user(e->ws, user);
        if (!u)
            return dw_error_field(err, -DW_EINVAL, "user",
                                  "'%s' is not a user of the team (team.yaml)", user);
        if (!dw_user_has_role(u, role))
            return dw_error_field(err, -DW_EINVAL, "role",
                                  "'%s' does not hold the role '%s' (team.yaml)%s", user, role,
                                  role_known(e->ws, role) ? "" : "; no one does");
    } else {
        /* an integration named like a person would be mistaken for them in the logs and
         * the audit chain */
        if (dw_ws_user(e->ws, user))
            return dw_error_field(err, -DW_EINVAL, "user",
                                  "'%s' is a person of the team (team.yaml); an integration "
                                  "needs a name of its own",
                                  user);
        for (const char *p = user; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                return dw_error_field(err, -DW_EINVAL, "user",
                                      "an integration's name is [a-z0-9_-], got '%s'", user);
    }
    if (sodium_init() < 0)
        return dw_error_set(err, -DW_EINTERNAL, "libsodium could not start");
    unsigned char raw[TOKEN_HEX / 2];
    randombytes_buf(raw, sizeof raw);
    char secret[sizeof TOKEN_PREFIX + TOKEN_HEX];
    memcpy(secret, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
    sodium_bin2hex(secret + strlen(TOKEN_PREFIX), TOKEN_HEX + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char hash[DW_SHA256_HEX], prefix[9];
    dw_sha256_hex(secret, strlen(secret), hash);
    memcpy(prefix, secret + strlen(TOKEN_PREFIX), 8);
    prefix[8] = '\0';

    struct dw_store *s = e->store;
    int64_t id = 0;
    int r = s->ops->begin(s, err);
    if (r < 0)
        return r;
    if ((r = s->ops->token_insert(s, user, role, hash, prefix, dw__now(e), &id, err)) < 0 ||
        (r = dw__audit(e, 0, user, "token.create",
                       json_pack("{sI ss}", "token", (json_int_t)id, "role", role), err)) < 0 ||
        (r = s->ops->commit(s, err)) < 0) {
        s->ops->rollback(s);
        sodium_memzero(secret, sizeof secret);
        return r;
    }
    *ret = json_pack("{sI ss ss ss ss}", "id", (json_int_t)id, "user", user, "role", role, "prefix",
                     prefix, "secret", secret);
    sodium_memzero(secret, sizeof secret);
    return *ret ? 0 : -DW_ENOMEM;
}

/* Why a person's token no longer stands for its user, or NULL while it does (and always for
 * an integration's token). */
static const char *token_lapsed(const struct dw_workspace *ws, const char *user, const char *role) {
    if (!user || !role)
        return "it has no user or role";
    if (strcmp(role, DW_ROLE_INTEGRATION) == 0)
        return NULL;
    const struct dw_user *u = dw_ws_user(ws, user);
    if (!u)
        return "its user is no longer in the team (team.yaml)";
    if (!dw_user_has_role(u, role))
        return "its user no longer holds its role (team.yaml)";
    return NULL;
}

int dw_tokens_list(struct dw_engine *e, json_t **ret, struct dw_error *err) {
    json_t *list = NULL;
    int r = e->store->ops->tokens_list(e->store, &list, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        const char *why = token_lapsed(e->ws, dw_json_str(t, "user"), dw_json_str(t, "role"));
        const char *status = dw_json_str(t, "revoked_at") ? "revoked" : why ? "lapsed" : "active";
        json_object_set_new(t, "status", json_string(status));
    }
    *ret = list;
    return 0;
}

int dw_token_revoke(struct dw_engine *e, int64_t id, const char *by, struct dw_error *err) {
    struct dw_store *s = e->store;
    int r = s->ops->begin(s, err);
    if (r < 0)
        return r;
    if ((r = s->ops->token_revoke(s, id, dw__now(e), err)) < 0 ||
        (r = dw__audit(e, 0, by && *by ? by : "cli", "token.revoke",
                       json_pack("{sI}", "token", (json_int_t)id), err)) < 0) {
        s->ops->rollback(s);
        return r;
    }
    return s->ops->commit(s, err);
}

int dw_token_check(struct dw_engine *e, const char *secret, json_t **ret, struct dw_error *err) {
    size_t n = secret ? strlen(secret) : 0;
    if (n != strlen(TOKEN_PREFIX) + TOKEN_HEX || strncmp(secret, TOKEN_PREFIX, 4) != 0)
        return dw_error_set(err, -DW_EPERM, "not a dealwright token");
    char hash[DW_SHA256_HEX];
    dw_sha256_hex(secret, n, hash);
    int r = e->store->ops->token_find(e->store, hash, ret, err);
    if (r == -DW_ENOENT)
        return dw_error_set(err, -DW_EPERM, "unknown or revoked token");
    if (r < 0)
        return r;
    const char *why = token_lapsed(e->ws, dw_json_str(*ret, "user"), dw_json_str(*ret, "role"));
    if (why) {
        json_decref(*ret);
        *ret = NULL;
        return dw_error_set(err, -DW_EPERM, "token no longer valid: %s", why);
    }
    return 0;
}

int dw_events_since(struct dw_engine *e, int64_t after_seq, int max, json_t **ret,
                    struct dw_error *err) {
    if (max < 1 || max > 1000)
        max = 1000;
    return e->store->ops->events_since(e->store, after_seq, max, ret, err);
}

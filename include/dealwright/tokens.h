/* dealwright — API tokens of the server (docs/internals/server.md).
 *
 * A token acts as a user of the team (team.yaml) in one of that user's roles, or as an
 * integration (role "integration", user a name of [a-z0-9_-]) that may only post leads and
 * read. dw_token_create returns {id, user, role, prefix, secret}: the secret is shown this
 * once, only its SHA-256 is stored. dw_tokens_list: [{id, user, role, prefix, created_at,
 * revoked_at, status}], status "active", "revoked" or "lapsed" (a person's token whose user
 * left the team or lost the role). dw_token_check: the unrevoked token {id, user, role} of a
 * secret whose person is still in the loaded team with that role (integrations: unrevoked
 * is enough), else -DW_EPERM. */
#ifndef DEALWRIGHT_TOKENS_H
#define DEALWRIGHT_TOKENS_H

#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

#define DW_ROLE_INTEGRATION "integration"
DW_EXPORT int dw_token_create(struct dw_engine *e, const char *user, const char *role, json_t **ret,
                              struct dw_error *err);
DW_EXPORT int dw_tokens_list(struct dw_engine *e, json_t **ret, struct dw_error *err);
DW_EXPORT int dw_token_revoke(struct dw_engine *e, int64_t id, const char *by,
                              struct dw_error *err);
DW_EXPORT int dw_token_check(struct dw_engine *e, const char *secret, json_t **ret,
                             struct dw_error *err);

#endif

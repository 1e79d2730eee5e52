/* `dealwright cel eval`: a CEL expression evaluated exactly as a workspace rule would be,
 * for people trying a condition before they put it in a policy. */
#include <stdio.h>
#include <string.h>

#include "control/internal.h"
#include "rules/cel.h"

/* Compile expr against env, bind vars (and `now` unless given) and evaluate. */
static int eval_in(const struct cel_env *env, const char *expr, const json_t *vars,
                   const struct dw_clock *clock, char **ret_value, char *ret_type, size_t type_size,
                   struct dw_error *err) {
    *ret_value = NULL;
    struct cel_arena arena;
    struct cel_activation act = {0};
    struct cel_program *prog = NULL;
    cel_arena_init(&arena, 0);
    const char *name;
    json_t *value;
    int r = 0;
    if (r == 0)
        r = cel_compile(env, expr, strlen(expr), 0, &prog, err);
    if (r == 0)
        r = cel_activation_init(&act, env);
    if (r == 0 && !json_object_get(vars, "now")) {
        dw_time_t now = dw_clock_now(clock);
        r = cel_activation_bind(&act, "now", (cel_value){.kind = CEL_TIMESTAMP, .i = now});
    }
    if (vars)
        json_object_foreach((json_t *)vars, name, value) {
            if (r < 0)
                break;
            cel_value v = cel_from_json(&arena, value);
            if (v.kind == CEL_ERROR)
                r = dw_error_field(err, -DW_EINVAL, name, "%s", v.e->msg);
            else
                r = cel_activation_bind(&act, name, v);
        }
    if (r == 0) {
        cel_value v = cel_eval(prog, &act, &arena);
        if (v.kind == CEL_ERROR || v.kind == CEL_UNKNOWN) {
            r = cel_eval_bool(prog, &act, &arena, err); /* fills err with the position */
        } else {
            struct dw_buf b;
            dw_buf_init(&b, 0);
            r = cel_to_json_text(v, &b);
            if (r >= 0) {
                *ret_value = dw_buf_steal(&b);
                snprintf(ret_type, type_size, "%s",
                         v.kind == CEL_TIMESTAMP  ? "timestamp"
                         : v.kind == CEL_DURATION ? "duration"
                                                  : cel_type_name_of(v));
                r = 0;
            } else {
                dw_error_set(err, r, "the result cannot be shown as JSON");
            }
            dw_buf_release(&b);
        }
    }
    cel_program_free(prog);
    cel_activation_release(&act);
    cel_arena_release(&arena);
    return r;
}

int dw_cel_eval(const char *expr, const json_t *vars, dw_time_t now, char **ret_value,
                char *ret_type, size_t type_size, struct dw_error *err) {
    struct dw_clock clock = {.pin = now};
    *ret_value = NULL;
    struct cel_env *env = cel_env_new();
    int r = env ? 0 : -DW_ENOMEM;
    const char *name;
    json_t *value;
    if (r == 0 && !json_object_get(vars, "now"))
        r = cel_env_declare(env, "now", "timestamp", err);
    if (vars)
        json_object_foreach((json_t *)vars, name, value) {
            if (r == 0)
                r = cel_env_declare(env, name, "dyn", err);
        }
    if (r == 0)
        r = eval_in(env, expr, vars, &clock, ret_value, ret_type, type_size, err);
    cel_env_free(env);
    return r;
}

int dw_cel_eval_rule(const char *kind, const char *expr, const json_t *vars, dw_time_t now,
                     char **ret_value, char *ret_type, size_t type_size, struct dw_error *err) {
    struct dw_clock clock = {.pin = now};
    *ret_value = NULL;
    static const char *const kinds[DW_RULE__N] = {
        [DW_RULE_QUOTE] = "quote", [DW_RULE_QUALIFY] = "qualify"};
    int k;
    for (k = 0; k < DW_RULE__N; k++)
        if (kind && kinds[k] && strcmp(kind, kinds[k]) == 0)
            break;
    if (k == DW_RULE__N)
        return dw_error_set(err, -DW_EINVAL, "unknown kind of rule '%s' (quote, qualify)",
                            kind ? kind : "");
    struct dw_workspace ws = {0};
    int r = dw_ws_rules_init(&ws);
    const char *name;
    json_t *value;
    if (r == 0 && vars)
        json_object_foreach((json_t *)vars, name, value) {
            struct cel_activation probe;
            if (cel_activation_init(&probe, ws.rule_env[k]) < 0) {
                r = -DW_ENOMEM;
                break;
            }
            bool declared =
                cel_activation_bind(&probe, name, cel_null()) == 0 && probe.n_extra == 0;
            cel_activation_release(&probe);
            if (!declared) {
                r = dw_error_field(err, -DW_EINVAL, name,
                                   "%s rules read only their declared variables "
                                   "(docs/internals/cel.md)",
                                   kinds[k]);
                break;
            }
        }
    if (r == 0)
        r = eval_in(ws.rule_env[k], expr, vars, &clock, ret_value, ret_type, type_size, err);
    dw_ws_rules_release(&ws);
    return r;
}

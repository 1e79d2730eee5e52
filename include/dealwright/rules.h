/* dealwright — CEL conditions as the workspace's policies run them. */
#ifndef DEALWRIGHT_RULES_H
#define DEALWRIGHT_RULES_H

#include <stddef.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>
#include <dealwright/util.h>

/* Try a CEL condition as a policy would run it: `expr` is compiled with each member of
 * `vars` (an object, may be NULL) declared as a dyn variable and `now` as the timestamp now
 * (0: the wall clock; unless vars gives it), type-checked and evaluated. On success *ret_value is
 * the result's JSON text (exact for every int and uint; caller frees) and ret_type its CEL
 * type name. A syntax or type error is -DW_EPARSE / -DW_EVALIDATE, an evaluation error
 * -DW_EVALIDATE; err->line/col point into the expression. */
DW_EXPORT int dw_cel_eval(const char *expr, const json_t *vars, dw_time_t now, char **ret_value,
                          char *ret_type, size_t type_size, struct dw_error *err);
/* The same against the declarations a kind of workspace rule is checked with ("quote":
 * discount bands and approval rules; "qualify": qualification criteria), so a field that
 * the rule's records do not have is an error here as it is in `validate`. Every member of
 * vars must be one of the kind's variables. */
DW_EXPORT int dw_cel_eval_rule(const char *kind, const char *expr, const json_t *vars,
                               dw_time_t now, char **ret_value, char *ret_type, size_t type_size,
                               struct dw_error *err);

#endif

/* The values a workspace rule reads (engines layer): the deal's documents turned into the
 * CEL variables declared in lib/workspace/rules.c — lead, account, requirements, quote,
 * deal, score, now — with the declared types (money as double major units plus
 * quote.total_minor, dates as timestamps). A fact the deal does not have is left out, so
 * `has(requirements.budget)` tells whether it is known. docs/internals/cel.md lists them.
 *
 * Thread-safety: reentrant; the arena and activation belong to the caller.
 */
#ifndef DW_RULEVARS_H
#define DW_RULEVARS_H

#include "base/base.h"
#include "rules/cel.h"
#include "workspace/workspace.h"

struct dw_rule_inputs {
    const json_t *lead;         /* {source, received_at, subject}; may be NULL */
    const json_t *contact;      /* intake.contact; may be NULL */
    const json_t *flags;        /* intake.flags; may be NULL */
    int messages;               /* how many messages the deal has */
    const json_t *discovery;    /* {account, prior_deals}; may be NULL */
    const json_t *requirements; /* may be NULL */
    const json_t *quote;        /* dw_price()'s quote (minor units, digits); may be NULL */
    const char *deal_id;        /* "D-000001"; may be NULL */
    const char *stage;          /* may be NULL */
    int score;                  /* qualification rules: the score so far */
    dw_time_t now;
};

/* Bind the variables of `kind` into act (initialised by this call against the
 * workspace's environment for kind); values live in the arena. */
int dw_rules_bind(const struct dw_workspace *ws, enum dw_rule_kind kind,
                  const struct dw_rule_inputs *in, struct cel_arena *a, struct cel_activation *act);

/* Evaluate one rule: 1 when it holds, 0 when not, a negative DW_E* with err saying which
 * rule (its file, line and column) failed and why. */
int dw_rule_eval(const struct dw_rule *rule, const struct cel_activation *act, struct cel_arena *a,
                 struct dw_error *err);

#endif

/* Qualification (engines layer): is this deal worth pursuing, and if we cannot tell, what
 * must we ask? Deterministic and offline; docs/internals/qualification.md explains the
 * scoring, the reasons and the questions.
 *
 * Thread-safety: every function here is reentrant and only reads the workspace.
 */
#ifndef DW_QUALIFY_H
#define DW_QUALIFY_H

#include "base/base.h"
#include "workspace/workspace.h"

/* Score a deal against ws->qualification.
 *
 *   requirements    the deal's "requirements" document (docs/internals/deal-documents.md)
 *   intake_contact  the normalised contact of the deal's lead (intake.contact); may be NULL
 *   prior_deals     discovery's prior_deals array [{id, stage}]; may be NULL
 *   received_at     when the lead arrived; the deadline is measured from here
 *
 * On success *ret is a new object (caller owns) — the qualification document without
 * `reply`, plus the questions a reply should ask:
 *
 *   {decision: "qualified" | "needs_info" | "disqualified", score: 0..100,
 *    subscores: {fit, budget, authority, need, timeline},     each 0..100
 *    reasons: ["..."],          one sentence for the decision, then one per sub-score
 *    missing: ["quantity", ...], the facts a needs_info decision lacks ([] otherwise)
 *    questions: ["How many sites (or users) should the solution cover?", ...]}
 *
 * The decision, first match wins: a private person (free-mail address and no company, job
 * title, target industry or budget at the minimum) is disqualified; a missing required fact
 * (qualification.required) gives needs_info whatever the score; a score below the
 * disqualification threshold disqualifies; at or above the qualification threshold
 * qualifies unless a stated budget is below the minimum; everything else is the grey zone,
 * needs_info with the unknown facts to ask for. Export control is not decided here
 * (contract). docs/internals/qualification.md has the detail.
 * Returns 0, -DW_EINVAL for a NULL workspace or requirements that are not an object, or
 * -DW_ENOMEM. */
int dw_qualify(const struct dw_workspace *ws, const json_t *requirements,
               const json_t *intake_contact, const json_t *prior_deals, dw_time_t received_at,
               json_t **ret, struct dw_error *err);

/* The same, with the deal documents the workspace's qualification criteria read (lead,
 * account, requirements, deal, now; lib/engines/rulevars.h); in may be NULL. Criteria
 * (qualification.yaml, CEL) apply after the BANT score: `adjust` ones add points before
 * the thresholds decide, then the first `disqualify` or `qualify` one that holds decides
 * (a missing required fact still asks first). Each that applies is named in the reasons. */
struct dw_rule_inputs;
int dw_qualify_ex(const struct dw_workspace *ws, const json_t *requirements,
                  const json_t *intake_contact, const json_t *prior_deals, dw_time_t received_at,
                  const struct dw_rule_inputs *in, json_t **ret, struct dw_error *err);

/* dw_qualify_ex with the workspace's scoring model (lib/engines/score.h; NULL = none,
 * exactly dw_qualify_ex). With a model, the deal's features (named as in
 * docs/internals/scoring.md; source is the lead's source) are scored; when the model knows at
 * least one of them, the BANT score becomes half itself and half the model's win probability
 * (in percent, rounded half-even) before the criteria adjust it, the decision is taken on the
 * result, the reason after the decision's says so with the top contributing features, and
 * the document gains
 *   model: {version, hash, used, probability, rules_score, matched, columns,
 *           top: [{feature, value, contribution}]},  features: {name: value}
 * A model that knows none of the features is recorded with used: false and a reason. */
struct dw_score_model;
int dw_qualify_scored(const struct dw_workspace *ws, const json_t *requirements,
                      const json_t *intake_contact, const json_t *prior_deals,
                      dw_time_t received_at, const struct dw_rule_inputs *in,
                      const struct dw_score_model *model, const char *source, json_t **ret,
                      struct dw_error *err);

/* Find phrase in text[from..len) case-insensitively (ASCII) on word boundaries; a space in
 * the phrase matches any run of white space in the text ("net 90" finds "Net  90"). Bytes
 * of multi-byte UTF-8 characters count as word characters. On a hit returns true with the
 * byte span [*ret_start, *ret_end) of the text matched. An empty phrase never matches. */
bool dw_phrase_find(const char *text, size_t len, const char *phrase, size_t from,
                    size_t *ret_start, size_t *ret_end);

#endif

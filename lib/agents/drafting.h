/* Drafts a language model writes for agents (lib/agents/drafting.c): the clarifying reply
 * and the proposal's summary. The agent asks through its tools, the draft is checked by
 * engines/assist.h, and the agent uses it only when every check passes; otherwise its
 * template stands and the failure is recorded (docs/internals/assist.md).
 */
#ifndef DW_AGENTS_DRAFTING_H
#define DW_AGENTS_DRAFTING_H

#include "agents/agent.h"
#include "engines/assist.h"

/* Does models.yaml route the task (enum dw_model_task) to a model? */
bool dw__model_task(const struct dw_workspace *ws, int task);

/* Personal data of the deal a draft must not repeat (a new array of strings): the contact's
 * e-mail and phone, the contact details the customer wrote, the people MEDDICC names. The
 * contact's name is left to the check, which allows it. */
json_t *dw__deal_personal(const json_t *contact, const json_t *req);

/* Ask the drafting task for {text} with prompts/PROMPT.mustache and vars, then check the text
 * against facts. On return *ret_record (new) says what happened, for the agent's document:
 * {source: "model" | "template", model?, replayed?, why?, failures?}; *ret_report is the
 * check's report (new) when the draft passed, else NULL. The verdict is journaled. 0, or a
 * negative DW_E* of the tools. */
int dw__draft(struct dw_agent_ctx *ctx, const char *prompt, const char *purpose, const json_t *vars,
              const struct dw_draft_facts *facts, json_t **ret_report, json_t **ret_record);

/* The sentences of a passed draft as a template shows them: [{text, refs: [n]}] with the
 * citation markers taken out of the text (new). */
json_t *dw__draft_sentences(const json_t *report);

#endif

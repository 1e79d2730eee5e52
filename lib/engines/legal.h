/* Contract readiness (engines layer): every country a deal touches, the export-control
 * verdict over all of them, and legal trigger concepts found in the customer's words.
 * docs/internals/contract.md describes the rules. All functions are reentrant.
 */
#ifndef DW_LEGAL_H
#define DW_LEGAL_H

#include "base/base.h"

struct dw_policies;

/* Every country text[0..len) names — country names in English and German and the other
 * languages' common forms, country adjectives ("a Dutch company", "ein russischer Kunde"),
 * states and large cities — as a new JSON array, in text order:
 *   [{code: "RU", via: "name"|"adjective"|"region"|"city", role, text, span: [s, e)}]
 * or, for a group of EEA countries ("across the EU", "in Europe"), code "EU".
 * role says what the country is to the deal, read from the words before it in its
 * sentence and, for an adjective, the noun after it:
 *   established  where the buyer is: "based in", "headquartered in", "a Dutch company"
 *   site         where the buyer has sites or people: "branch offices in", "plants in",
 *                "employees in", "Standorte in"
 *   delivery     where goods go: "ship to", "deliver to", "installed in", "nach Russland"
 *   end_use      where they are used: "end user in", "for use in", "for Russia"
 *   other        something else that is there: "our supplier in China", "Chinese
 *                manufacturer", "Russian-speaking"
 *   negated      under a negation or exception ("no offices in", "except Iran")
 *   mention      named without any of these cues
 * -DW_ENOMEM; texts above DW_LEGAL_MAX_TEXT bytes -DW_ETOOBIG. */
#define DW_LEGAL_MAX_TEXT (64 * 1024)
int dw_country_mentions(const char *text, size_t len, json_t **ret);
/* True for roles that put the deal in the country (established, site, delivery, end_use). */
bool dw_country_role_touches(const char *role);

/* Export control over country signals. signals: [{code, source: "contact.country" |
 * "account.country" | "message", role (messages), lead, text, span}]. Each signal's status:
 * a stated field, or a message role that touches the country, takes the country's list
 * (embargoed, review, or clear); any other message mention of an embargoed country, and an
 * unclassified or negated mention of a review country, is a review (when in doubt, ask);
 * an "other" mention of a review country is recorded and clear. The most restrictive
 * status wins (embargoed > review > clear; no signal at all is a review of an unknown
 * country). *ret: {country, status, list, countries: [signal + {status, list}]}, country
 * the first signal with the winning status. */
int dw_export_decide(const struct dw_policies *p, const json_t *signals, json_t **ret);

/* Legal triggers in text[0..len): for each trigger of p (in policy order), its first
 * occurrence as {concept, phrase: the customer's words, pattern, reason, span}. Appended
 * to hits. -DW_ENOMEM, or -DW_EINVAL for a pattern that does not compile (the workspace
 * loader rejects those first). */
int dw_legal_scan(const struct dw_policies *p, const char *text, size_t len, json_t *hits,
                  struct dw_error *err);
/* The same with the workspace's triggers, their patterns compiled once per snapshot and
 * kept with it (dw_ws_memo) instead of on every call. */
struct dw_workspace;
int dw_legal_scan_ws(const struct dw_workspace *ws, const char *text, size_t len, json_t *hits,
                     struct dw_error *err);

#endif

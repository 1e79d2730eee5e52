/* Demo scheduling (engines layer): slots for a product demo from the team's weekly
 * availability, deterministic and offline.
 *
 * Thread-safety: reentrant; the team is only read.
 */
#ifndef DW_SCHEDULE_H
#define DW_SCHEDULE_H

#include "base/base.h"
#include "workspace/workspace.h"

#define DW_SCHEDULE_DAYS 60 /* how far ahead slots are searched */

/* The first n demo slots of team->demo_minutes starting at or after
 * after + team->demo_lead_hours.
 *
 * Slots start on the full hour of the presenting user's local time, lie entirely inside
 * one of that user's weekly windows (local times, converted with utc_offset_min), and at
 * most one slot is offered per UTC calendar day, so the customer gets a real choice: the
 * earliest start that day, ties broken by user id. Availability entries whose user is not
 * in team->users are skipped. The search stops after DW_SCHEDULE_DAYS days, so fewer than
 * n slots (even none) may come back. A start that overlaps a slot in `held` ([{user,
 * start}], start in seconds since the epoch; may be NULL) for the same user is skipped: it
 * is offered to another deal.
 *
 * On success *ret is a new array (caller owns) in time order:
 *   [{start: "2026-11-23T09:00:00Z", end: "2026-11-23T10:00:00Z", user: "sven",
 *     name: "Sven Ek"}]
 * Returns 0, or -DW_EINVAL when demo_minutes is not positive, or -DW_ENOMEM. */
int dw_demo_slots(const struct dw_team *team, dw_time_t after, int n, const json_t *held,
                  json_t **ret);

#endif

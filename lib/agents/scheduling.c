/* scheduling — offer the customer a demo.
 *
 * Proposes demo slots from the team's weekly availability (lib/engines/schedule.c): the
 * first team.demo_slots slots at least demo.lead_hours after the step runs (ctx->now, the
 * moment the offer is written), one per day so they are a real choice, inside the
 * presenting engineer's working hours in their own time zone. A slot another open deal
 * holds is not offered again; the slots offered here are held for this deal until it ends,
 * until the slot starts, or DW_SLOT_HOLD_DAYS after the offer (engines/docclock.h),
 * whichever comes first. Holds live in the store and change in the step's transaction, so
 * two deals scheduled at once cannot take the same hour.
 */
#include <string.h>

#include "agents/agent.h"
#include "engines/docclock.h"
#include "engines/schedule.h"

static int step(struct dw_agent_ctx *ctx) {
    const struct dw_team *team = &ctx->ws->team;
    _cleanup_json_ json_t *slots = NULL, *doc = NULL, *held = NULL;
    int r = DW_TOOL(ctx, slots_held, &held);
    if (r < 0)
        return r;
    int n = team->demo_slots > 0 ? team->demo_slots : 3;
    r = dw_demo_slots(team, ctx->now, n, held, &slots);
    if (r < 0)
        return dw_error_set(ctx->err, r, "demo slots: %s (team.yaml demo.minutes is %d)",
                            dw_strerror(r), team->demo_minutes);
    dw_time_t until = ctx->now + (dw_time_t)DW_SLOT_HOLD_DAYS * 86400;
    if ((r = DW_TOOL(ctx, slots_hold, slots, until)) < 0)
        return r;
    char at[32], hold[32];
    doc = json_pack("{s:O,s:s,s:s}", "slots", slots, "offered_at",
                    dw_time_format(ctx->now, at, sizeof at), "held_until",
                    dw_time_format(until, hold, sizeof hold));
    if (!doc)
        return -DW_ENOMEM;
    if ((r = DW_TOOL(ctx, doc_put, "schedule", doc)) < 0)
        return r;
    dw_json_set(ctx->note, "slots", json_integer((json_int_t)json_array_size(slots)));
    dw_json_set(ctx->note, "held", json_integer((json_int_t)json_array_size(held)));
    return 0;
}

const struct dw_agent dw_agent_scheduling = {
    .name = "scheduling",
    .summary = "demo slots in the future, one per day, none another open deal holds",
    .needs = DW_FACT_PROPOSAL,
    .produces = DW_FACT_SCHEDULE,
    .scope = DW_TOOL_READ_DEAL | DW_TOOL_WRITE_SCHEDULE,
    .step = step,
};

/* scheduling — offer the customer a demo.
 *
 * Proposes demo slots from the team's weekly availability (lib/engines/schedule.c): the
 * first team.demo_slots slots at least demo.lead_hours after the customer's latest message,
 * one per day so they are a real choice. The slots depend only on that time and the
 * workspace, never on when the step runs, so a re-run offers the same slots.
 */
#include <string.h>

#include "agents/agent.h"
#include "engines/schedule.h"

static int step(struct dw_agent_ctx *ctx) {
    const struct dw_team *team = &ctx->ws->team;
    _cleanup_json_ json_t *leads = NULL, *slots = NULL, *doc = NULL;
    int r = DW_TOOL(ctx, leads, &leads);
    if (r < 0)
        return r;
    /* a message that only repeats an earlier one does not move the demo */
    dw_time_t at = 0;
    if (dw__latest_received(leads, &at) < 0)
        return dw_error_set(ctx->err, -DW_ESTATE, "the deal has no lead with a received_at");
    int n = team->demo_slots > 0 ? team->demo_slots : 3;
    r = dw_demo_slots(team, at, n, &slots);
    if (r < 0)
        return dw_error_set(ctx->err, r, "demo slots: %s (team.yaml demo.minutes is %d)",
                            dw_strerror(r), team->demo_minutes);
    doc = json_pack("{s:O}", "slots", slots);
    if (!doc)
        return -DW_ENOMEM;
    if ((r = DW_TOOL(ctx, doc_put, "schedule", doc)) < 0)
        return r;
    dw_json_set(ctx->note, "slots", json_integer((json_int_t)json_array_size(slots)));
    return 0;
}

const struct dw_agent dw_agent_scheduling = {
    .name = "scheduling",
    .summary = "demo slots from the team's availability, one per day",
    .needs = DW_FACT_PROPOSAL,
    .produces = DW_FACT_SCHEDULE,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_READ_DEAL | DW_TOOL_WRITE_SCHEDULE,
    .step = step,
};

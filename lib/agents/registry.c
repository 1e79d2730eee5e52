/* The agent registry: every agent's descriptor, in pipeline order. The control plane walks
 * this table to find the next agent whose needs a deal meets; adding an agent is adding a
 * file and a line here (docs/ARCHITECTURE.md has the checklist). */
#include <stdio.h>
#include <string.h>

#include "agents/agent.h"

extern const struct dw_agent dw_agent_intake, dw_agent_discovery, dw_agent_requirements,
    dw_agent_qualification, dw_agent_scoping, dw_agent_pricing, dw_agent_contract,
    dw_agent_proposal, dw_agent_scheduling, dw_agent_order;

const struct dw_agent *const dw_agents[] = {
    &dw_agent_intake,     &dw_agent_discovery, &dw_agent_requirements, &dw_agent_qualification,
    &dw_agent_scoping,    &dw_agent_pricing,   &dw_agent_contract,     &dw_agent_proposal,
    &dw_agent_scheduling, &dw_agent_order,
};
const size_t dw_n_agents = DW_ARRAY_SIZE(dw_agents);

const struct dw_agent *dw_agent_find(const char *name) {
    for (size_t i = 0; i < dw_n_agents; i++)
        if (strcmp(dw_agents[i]->name, name) == 0)
            return dw_agents[i];
    return NULL;
}

static const struct {
    uint32_t bit;
    const char *name;
} fact_names[] = {
#define DW__FACT_NAME(e, bit, s) {DW_FACT_##e, s},
    DW_FACT_LIST(DW__FACT_NAME)
#undef DW__FACT_NAME
};

static const struct {
    uint32_t bit;
    const char *name;
} tool_names[] = {
#define DW__TOOL_NAME(e, bit, s) {DW_TOOL_##e, s},
    DW_TOOL_LIST(DW__TOOL_NAME)
#undef DW__TOOL_NAME
};

const char *dw_facts_format(uint32_t facts, char *buf, size_t size) {
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < DW_ARRAY_SIZE(fact_names) && off < size; i++) {
        if (!(facts & fact_names[i].bit))
            continue;
        /* what snprintf(buf + off, size - off, "%s%s", off ? "," : "", name) writes (cut to
         * the room left, always terminated) and returns, without its cost: this runs twice
         * per step for the audit record */
        const char *name = fact_names[i].name;
        size_t sep = off ? 1 : 0, len = strlen(name), n = sep + len, room = size - off - 1;
        size_t w = n < room ? n : room;
        if (sep && w)
            buf[off] = ',';
        if (w > sep)
            memcpy(buf + off + sep, name, w - sep);
        buf[off + w] = '\0';
        off += n;
    }
    return buf;
}

const char *dw_tool_name(uint32_t tool_bit) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(tool_names); i++)
        if (tool_names[i].bit == tool_bit)
            return tool_names[i].name;
    return "unknown";
}

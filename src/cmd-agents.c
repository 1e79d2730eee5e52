/* agents — the registry: each agent's needs, products and the tools it may use, in
 * pipeline order. What the control plane plans with, shown to people. */
#include "agents/agent.h"
#include "cli.h"

static json_t *tools_json(uint32_t scope) {
    json_t *a = json_array();
    for (uint32_t bit = 1; bit; bit <<= 1)
        if (scope & bit)
            json_array_append_new(a, json_string(dw_tool_name(bit)));
    return a;
}

int cmd_agents(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright agents [--json]");
    char needs[256], produces[256];
    _cleanup_json_ json_t *list = json_array();
    for (size_t i = 0; i < dw_n_agents; i++) {
        const struct dw_agent *a = dw_agents[i];
        dw_facts_format(a->needs, needs, sizeof needs);
        dw_facts_format(a->produces, produces, sizeof produces);
        if (cli->json) {
            json_array_append_new(list,
                                  json_pack("{s:s,s:s,s:s,s:s,s:o}", "name", a->name, "summary",
                                            a->summary ? a->summary : "", "needs", needs,
                                            "produces", produces, "tools", tools_json(a->scope)));
            continue;
        }
        printf("%-14s needs %-28s produces %-13s  %s\n", a->name, needs, produces,
               a->summary ? a->summary : "");
        printf("%-14s tools:", "");
        for (uint32_t bit = 1; bit; bit <<= 1)
            if (a->scope & bit)
                printf(" %s", dw_tool_name(bit));
        printf("\n");
    }
    if (cli->json)
        cli_print_json(list);
    return EXIT_OK;
}

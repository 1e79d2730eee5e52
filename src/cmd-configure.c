/* configure — the configurator on its own, for sales engineers and tests:
 *
 *   dealwright configure --requirements FILE [--select SKU=N ...] [--best-effort]
 *
 * FILE is a requirements document (JSON; docs/internals/configurator.md). Every wanted
 * capability must be covered: the output is the configuration with why each line is there,
 * the list cost, and guided selling (which relevant items are forced, still possible or
 * impossible given the selections) — or, when no configuration exists, the smallest set of
 * requirements and catalog rules that conflict, in words. --best-effort covers what it can
 * and reports the rest as not covered, as the scoping agent does. Exit 0 with a
 * configuration, 1 with a conflict, 2 for bad input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "engines/configure.h"

#define REQ_MAX_BYTES (1u << 20)

static int read_requirements(const char *path, json_t **ret) {
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "dealwright: %s: %s\n", path, strerror(errno));
        return errno == ENOENT ? EXIT_NOTFOUND : EXIT_INPUT;
    }
    if (st.st_size > REQ_MAX_BYTES) {
        fprintf(stderr, "dealwright: %s: larger than %u bytes\n", path, REQ_MAX_BYTES);
        return EXIT_INPUT;
    }
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        fprintf(stderr, "dealwright: %s:%d:%d: %s\n", path, je.line, je.column, je.text);
        return EXIT_INPUT;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        fprintf(stderr, "dealwright: %s:1:1: the requirements must be a JSON object\n", path);
        return EXIT_INPUT;
    }
    *ret = j;
    return EXIT_OK;
}

int cmd_configure(struct cli *cli, int argc, char **argv) {
    static const char usage[] =
        "usage: dealwright configure --requirements FILE [--select SKU=N ...] [--best-effort]";
    bool bad = false;
    const char *path = cli_opt(&argc, argv, "--requirements", &bad);
    bool best_effort = cli_flag(&argc, argv, "--best-effort");
    _cleanup_json_ json_t *sel = json_object();
    const char *v;
    while (!bad && (v = cli_opt(&argc, argv, "--select", &bad))) {
        const char *eq = strchr(v, '=');
        char *end = NULL;
        long long n = eq ? strtoll(eq + 1, &end, 10) : -1;
        if (!eq || eq == v || eq - v > 64 || !end || *end || end == eq + 1 || n < 0 ||
            n > DW_CFG_MAX_QUANTITY)
            return cli_usage("--select needs SKU=N with N a count from 0 to %lld, not '%s'",
                             DW_CFG_MAX_QUANTITY, v);
        char sku[65];
        memcpy(sku, v, (size_t)(eq - v));
        sku[eq - v] = 0;
        json_object_set_new(sel, sku, json_integer(n));
    }
    if (bad || !path || argc != 0)
        return cli_usage("%s", usage);
    if (dw_base_init() < 0)
        return EXIT_INTERNAL;
    _cleanup_json_ json_t *req = NULL;
    int rc = read_requirements(path, &req);
    if (rc != EXIT_OK)
        return rc;
    if (json_object_size(sel)) {
        json_t *have = json_object_get(req, "select");
        if (have && !json_is_object(have)) {
            fprintf(stderr, "dealwright: %s: select: must be an object {SKU: quantity}\n", path);
            return EXIT_INPUT;
        }
        if (!have)
            json_object_set(req, "select", sel);
        else
            json_object_update(have, sel);
    }
    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    int r = dw_workspace_load(cli->workspace, &ws, &diags);
    if (r < 0) {
        fprintf(stderr, "dealwright: the workspace %s is not valid; run dealwright validate\n",
                cli->workspace);
        dw_diags_release(&diags);
        return cli_workspace_exit(r);
    }
    dw_diags_release(&diags);
    struct dw_error err = {0};
    struct dw_cfg_opts opts = {.strict = !best_effort, .guide = true};
    _cleanup_json_ json_t *sol = NULL;
    r = dw_configure_opts(ws, req, &opts, &sol, &err);
    dw_workspace_unref(ws);
    if (r < 0) {
        if (err.field[0])
            fprintf(stderr, "dealwright: %s: %s: %s\n", path, err.field, err.msg);
        else
            fprintf(stderr, "dealwright: %s\n", err.msg);
        return cli_error_exit(&err, r);
    }
    cli_print_json(sol);
    return dw_json_bool(sol, "feasible", true) ? EXIT_OK : EXIT_CHECK;
}

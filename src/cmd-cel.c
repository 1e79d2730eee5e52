/* cel eval — try a CEL condition before putting it in a policy:
 *
 *   dealwright cel eval 'quote.discount_pct > 10.0' --var 'quote={"discount_pct": 12.5}'
 *
 * prints the result as JSON (with --json: {"value": ..., "type": ...}); an error is shown
 * with the expression and a caret under the column it points at. With --rule quote (discount
 * bands, approval rules) or --rule qualify (criteria) the expression is checked against the
 * records that kind of rule reads, as `validate` checks it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CEL_MAX_VARS 64

static void show_caret(const char *expr, int line, int col) {
    const char *p = expr;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || col < 1)
        return;
    size_t n = strcspn(p, "\n");
    fprintf(stderr, "  %.*s\n  ", (int)n, p);
    /* columns count code points; print one space per code point before the caret */
    int c = 1;
    for (size_t i = 0; i < n && c < col; i++) {
        if (((unsigned char)p[i] & 0xC0) != 0x80) {
            fputc(p[i] == '\t' ? '\t' : ' ', stderr);
            c++;
        }
    }
    fputs("^\n", stderr);
}

int cmd_cel_eval(struct cli *cli, int argc, char **argv) {
    static const char usage[] =
        "usage: dealwright cel eval 'EXPR' [--rule quote|qualify] [--var NAME=JSON ...] [--json]";
    _cleanup_json_ json_t *vars = json_object();
    bool bad = false;
    const char *rule = cli_opt(&argc, argv, "--rule", &bad);
    const char *v;
    while ((v = cli_opt(&argc, argv, "--var", &bad))) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v)
            return cli_usage("--var needs NAME=JSON, not '%s'", v);
        char name[128];
        if ((size_t)(eq - v) >= sizeof name)
            return cli_usage("--var: the name is too long");
        memcpy(name, v, (size_t)(eq - v));
        name[eq - v] = 0;
        json_error_t je;
        json_t *value = json_loads(eq + 1, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
        if (!value)
            return cli_usage("--var %s: not JSON at column %d: %s", name, je.column, je.text);
        if (json_object_size(vars) >= CEL_MAX_VARS) {
            json_decref(value);
            return cli_usage("at most %d --var options", CEL_MAX_VARS);
        }
        json_object_set_new(vars, name, value);
    }
    if (bad || argc != 1)
        return cli_usage("%s", usage);
    struct dw_error err = {0};
    char *value = NULL, type[64];
    dw_time_t now;
    int r = cli_now(&now, &err);
    if (r == 0)
        r = rule ? dw_cel_eval_rule(rule, argv[0], vars, now, &value, type, sizeof type, &err)
                 : dw_cel_eval(argv[0], vars, now, &value, type, sizeof type, &err);
    if (r < 0 && err.field[0]) {
        fprintf(stderr, "dealwright: --var %s: %s\n", err.field, err.msg);
        return cli_exit_code(r);
    }
    if (r < 0 && err.line == 0) {
        fprintf(stderr, "dealwright: %s\n", err.msg);
        return cli_exit_code(r);
    }
    if (r < 0) {
        fprintf(stderr, "dealwright: %d:%d: %s\n", err.line, err.col, err.msg);
        show_caret(argv[0], err.line, err.col);
        return cli_exit_code(r);
    }
    if (cli->json)
        printf("{\"value\": %s, \"type\": \"%s\"}\n", value, type);
    else
        printf("%s\n", value);
    free(value);
    return EXIT_OK;
}

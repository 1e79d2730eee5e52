/* model check, model calls — the language models of models.yaml: whether each provider
 * answers (and with structured output), and a deal's model-call journal. */
#include <string.h>

#include "cli.h"

int cmd_model_check(struct cli *cli, int argc, char **argv) {
    if (argc > 1)
        return cli_usage("usage: dealwright model check [PROVIDER] [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_model_check(cli->engine, argc ? argv[0] : NULL, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    bool all_ok = true;
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p) all_ok &=
        json_is_true(json_object_get(p, "ok")) && json_is_true(json_object_get(p, "structured"));
    if (cli->json) {
        cli_print_json(list);
        return all_ok ? EXIT_OK : EXIT_CHECK;
    }
    printf("%-14s %-10s %-28s %-4s %9s %-10s %s\n", "PROVIDER", "API", "MODEL", "OK", "LATENCY",
           "STRUCTURED", "NOTE");
    json_array_foreach(list, i, p) {
        const json_t *lat = json_object_get(p, "latency_ms");
        char ms[32] = "-";
        if (lat)
            snprintf(ms, sizeof ms, "%lld ms", (long long)json_integer_value(lat));
        const char *by = dw_json_str(p, "answered_by"), *e = dw_json_str(p, "error");
        printf("%-14s %-10s %-28s %-4s %9s %-10s %s%s%s\n", dw_json_str(p, "id"),
               dw_json_str(p, "api"), dw_json_str(p, "model"),
               json_is_true(json_object_get(p, "ok")) ? "yes" : "no", ms,
               json_is_true(json_object_get(p, "structured")) ? "yes" : "no", e ? e : "",
               by && !e ? "answered by " : "", by && !e ? by : "");
    }
    return all_ok ? EXIT_OK : EXIT_CHECK;
}

/* One journal entry as a line: what was asked, of whom, and what came of it. */
void cli_print_model_call(const json_t *c) {
    const char *why = dw_json_str(c, "why");
    printf("  call %lld %s %s/%s %s (prompt %s@%.8s) %s: %lld+%lld tokens, %lld ms",
           (long long)dw_json_int(c, "id", 0), dw_json_str(c, "at"), dw_json_str(c, "agent"),
           dw_json_str(c, "task"), dw_json_str(c, "provider") ? dw_json_str(c, "provider") : "-",
           dw_json_str(c, "prompt") ? dw_json_str(c, "prompt") : "-",
           dw_json_str(c, "template_hash") ? dw_json_str(c, "template_hash") : "",
           dw_json_str(c, "outcome"), (long long)dw_json_int(c, "tokens_in", 0),
           (long long)dw_json_int(c, "tokens_out", 0), (long long)dw_json_int(c, "latency_ms", 0));
    if (why)
        printf(" — %s", why);
    if (json_is_true(json_object_get(c, "fallback")))
        printf(" [deterministic path]");
    printf("\n");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(c, "flags"), i, f)
        printf("    flagged: %s\n", json_string_value(f));
    json_array_foreach(json_object_get(c, "verdicts"), i, f) {
        _cleanup_free_ char *d =
            json_object_get(f, "detail") && !json_is_null(json_object_get(f, "detail"))
                ? json_dumps(json_object_get(f, "detail"), JSON_COMPACT)
                : NULL;
        printf("    verdict: %s%s%s\n", dw_json_str(f, "verdict"), d ? " " : "", d ? d : "");
    }
}

int cmd_model_calls(struct cli *cli, int argc, char **argv) {
    int64_t id;
    if (argc != 1 || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright model calls DEAL [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_model_calls(cli->engine, id, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(list);
        return EXIT_OK;
    }
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) cli_print_model_call(c);
    return EXIT_OK;
}

/* A JSON object from a file (at most 1 MiB); NULL after printing what is wrong. */
static json_t *read_object(const char *path, const char *what) {
    char *data = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    if (dw_read_file(path, 1u << 20, &data, &len, &err) < 0) {
        cli_bad_input("%s: %s", path, err.msg);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    if (!json_is_object(j)) {
        if (j)
            cli_bad_input("%s: %s is not a JSON object", path, what);
        else
            cli_bad_input("%s:%d:%d: %s", path, je.line, je.column, je.text);
        json_decref(j);
        return NULL;
    }
    return j;
}

int cmd_model_ask(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *task = cli_opt(&argc, argv, "--task", &bad);
    const char *vars_path = cli_opt(&argc, argv, "--vars", &bad);
    const char *schema_path = cli_opt(&argc, argv, "--schema", &bad);
    const char *deal = cli_opt(&argc, argv, "--deal", &bad);
    int64_t deal_id = 0;
    if (bad || argc != 1 || !task || !schema_path || (deal && dw_id_parse('D', deal, &deal_id) < 0))
        return cli_usage("usage: dealwright model ask PROMPT --task TASK --schema FILE "
                         "[--vars FILE] [--deal DEAL] [--json]");
    _cleanup_json_ json_t *schema = read_object(schema_path, "the schema"), *vars = NULL;
    if (!schema || (vars_path && !(vars = read_object(vars_path, "the template's data"))))
        return EXIT_INPUT;
    struct dw_model_request req = {
        .deal_id = deal_id, .task = task, .prompt = argv[0], .vars = vars, .schema = schema};
    struct dw_error err = {0};
    _cleanup_json_ json_t *a = NULL;
    int r = dw_model_ask(cli->engine, &req, &a, &err);
    if (r < 0)
        return cli_fail(&err, r);
    const json_t *answer = json_object_get(a, "answer");
    if (cli->json) {
        cli_print_json(a);
    } else if (!json_is_null(answer)) {
        cli_print_json(answer);
        fprintf(stderr, "call %lld by %s%s\n", (long long)dw_json_int(a, "call", 0),
                dw_json_str(a, "model"),
                json_is_true(json_object_get(a, "replayed"))
                    ? " (from the journal: the provider was not asked "
                      "again)"
                    : "");
    } else {
        fprintf(stderr, "dealwright: no answer: %s\n", dw_json_str(a, "why"));
    }
    return json_is_null(answer) ? EXIT_CHECK : EXIT_OK;
}

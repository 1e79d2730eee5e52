/* ask — answer a question from the workspace's knowledge documents, with citations.
 *
 * Needs the workspace only, not the store: the knowledge index is a cache beside it
 * (WORKSPACE/.dealwright/knowledge.db) that is brought in step with the documents first,
 * indexing again only those that changed. With --answer, a language model (models.yaml's
 * `answers` task) composes an answer with inline citations from those passages, shown only
 * when it passes the checks of drafts (docs/internals/assist.md); that needs the store too,
 * for the journal of model calls. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define ASK_DEFAULT 5

static void print_indented(const char *text) {
    fputs("    ", stdout);
    for (const char *p = text; *p; p++) {
        fputc(*p, stdout);
        if (*p == '\n' && p[1])
            fputs("    ", stdout);
    }
    fputc('\n', stdout);
}

static void print_answers(const json_t *res) {
    const json_t *ents = json_object_get(res, "entities");
    size_t i;
    json_t *v;
    if (json_array_size(ents)) {
        fputs("entities:", stdout);
        json_array_foreach(ents, i, v) {
            printf("%s %s %s", i ? "," : "", dw_json_str(v, "kind"), dw_json_str(v, "name"));
        }
        fputc('\n', stdout);
    }
    const json_t *answers = json_object_get(res, "answers");
    if (!json_array_size(answers)) {
        printf("no passage of the knowledge documents answers that\n");
        return;
    }
    json_array_foreach(answers, i, v) {
        printf("\n[%zu] %s  (%s, line %lld, score %.3f)\n", i + 1, dw_json_str(v, "passage"),
               dw_json_str(v, "heading"), (long long)dw_json_int(v, "line", 0),
               json_real_value(json_object_get(v, "score")));
        print_indented(dw_json_str(v, "text"));
    }
}

/* The composed answer, then the passages it cites. */
static void print_composed(const json_t *res) {
    const json_t *a = json_object_get(res, "answer");
    if (strcmp(dw_json_str(a, "source") ? dw_json_str(a, "source") : "", "model") == 0) {
        printf("%s\n\n(composed by %s from the passages below; every check passed)\n",
               dw_json_str(a, "text"), dw_json_str(a, "model") ? dw_json_str(a, "model") : "");
    } else {
        printf("(no composed answer: %s)\n", dw_json_str(a, "why") ? dw_json_str(a, "why") : "");
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(a, "failures"), i, f)
            printf("  %s: %s\n", dw_json_str(f, "check"), dw_json_str(f, "detail"));
    }
    print_answers(res);
}

int cmd_ask(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *max_s = cli_opt(&argc, argv, "--max", &bad);
    bool compose = cli_flag(&argc, argv, "--answer");
    if (bad || argc < 1)
        return cli_usage("usage: dealwright ask \"QUESTION\" [--max N] [--answer] [--json]");
    long max = ASK_DEFAULT;
    if (max_s) {
        char *end;
        max = strtol(max_s, &end, 10);
        if (*end || max < 1 || max > 50)
            return cli_usage("--max: a number from 1 to 50, not '%s'", max_s);
    }
    char q[4097] = "";
    for (int i = 0, n = 0; i < argc; i++) {
        int k = snprintf(q + n, sizeof q - (size_t)n, "%s%s", i ? " " : "", argv[i]);
        if (k < 0 || (size_t)k >= sizeof q - (size_t)n)
            return cli_usage("question: longer than 2000 bytes");
        n += k;
    }

    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    struct dw_kb *kb = NULL;
    struct dw_engine *engine = NULL;
    struct dw_error err = {0};
    json_t *stats = NULL, *res = NULL;
    int rc = EXIT_OK;
    int r = dw_init();
    if (r == 0)
        r = dw_workspace_load(cli->workspace, &ws, &diags);
    if (r < 0) {
        for (size_t k = 0; k < diags.n; k++)
            fprintf(stderr, "%s:%d:%d: %s\n", diags.v[k].file, diags.v[k].line, diags.v[k].col,
                    diags.v[k].msg);
        fprintf(stderr, "dealwright: the workspace at %s is not valid\n", cli->workspace);
        rc = cli_workspace_exit(r);
        goto out;
    }
    r = dw_kb_open(ws, NULL, &kb, &stats, &err);
    if (r == 0 && compose) {
        struct dw_diags ed = {0};
        r = cli_engine_open(cli, cli->workspace, &engine, &ed, &err);
        dw_diags_release(&ed);
        if (r == 0)
            r = dw_kb_answer(engine, kb, q, (size_t)max, &res, &err);
    } else if (r == 0) {
        r = dw_kb_ask(kb, q, (size_t)max, &res, &err);
    }
    if (r < 0) {
        rc = cli_fail(&err, r);
        goto out;
    }
    if (cli->json) {
        json_object_set(res, "index", stats);
        cli_print_json(res);
    } else if (compose) {
        print_composed(res);
    } else {
        print_answers(res);
    }
out:
    json_decref(res);
    json_decref(stats);
    dw_kb_close(kb);
    dw_engine_close(engine);
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
    return rc;
}

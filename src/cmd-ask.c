/* ask — answer a question from the workspace's knowledge documents, with citations.
 *
 * Needs the workspace only, not the store: the knowledge index is a cache beside it
 * (WORKSPACE/.dealwright/knowledge.db) that is brought in step with the documents first,
 * indexing again only those that changed. */
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

int cmd_ask(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *max_s = cli_opt(&argc, argv, "--max", &bad);
    if (bad || argc < 1)
        return cli_usage("usage: dealwright ask \"QUESTION\" [--max N] [--json]");
    long max = ASK_DEFAULT;
    if (max_s) {
        char *end;
        max = strtol(max_s, &end, 10);
        if (*end || max < 1 || max > 50)
            return cli_usage("--max: a number from 1 to 50, not '%s'", max_s);
    }
    struct dw_buf q;
    dw_buf_init(&q, 4096);
    for (int i = 0; i < argc; i++)
        if ((i && dw_buf_putc(&q, ' ') < 0) || dw_buf_puts(&q, argv[i]) < 0) {
            dw_buf_release(&q);
            return cli_usage("question: longer than 2000 bytes");
        }

    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    struct dw_kb *kb = NULL;
    struct dw_error err = {0};
    json_t *stats = NULL, *res = NULL;
    int rc = EXIT_OK;
    int r = dw_base_init();
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
    if (r == 0)
        r = dw_kb_ask(kb, q.data ? q.data : "", (size_t)max, &res, &err);
    if (r < 0) {
        rc = cli_fail(&err, r);
        goto out;
    }
    if (cli->json) {
        json_object_set(res, "index", stats);
        cli_print_json(res);
    } else {
        print_answers(res);
    }
out:
    json_decref(res);
    json_decref(stats);
    dw_kb_close(kb);
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
    dw_buf_release(&q);
    return rc;
}

/* fuzz-ask — knowledge retrieval (lib/engines/knowledge/) on arbitrary
 * questions, against the example workspace's documents indexed in memory once.
 *
 * Each input is recognised for entities as raw bytes (any bytes, NULs included) and asked
 * as a question (up to its first NUL).
 *
 * Checked beyond "no crash, no leak, no UB": every mention's span lies inside the input and
 * is not empty; a question is either refused with -DW_EINVAL and a message (too long, not
 * UTF-8) or answered, and then every answer's text is exactly the text of the passage its
 * path and anchor name in the snapshot, and every entity's text occurs in the question.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/kindex.h"

#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dw_workspace *ws;
static struct dw_kgraph *graph;
static struct dw_kindex *ix;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    char root[4096];
    fuzz_example_root(root, sizeof root);
    struct dw_diags diags = {0};
    struct dw_error err = {0};
    if (dw_base_init() < 0 || dw_workspace_load(root, &ws, &diags) < 0 ||
        dw_kgraph_build(ws, &graph) < 0 || dw_kindex_open(NULL, &ix, &err) < 0 ||
        dw_kindex_sync(ix, ws, NULL, &err) < 0) {
        fprintf(stderr, "fuzz-ask: cannot set up the example at %s: %s\n", root, err.msg);
        abort();
    }
    dw_diags_release(&diags);
    return 0;
}

static const struct dw_passage *passage(const char *path, const char *anchor) {
    for (size_t d = 0; d < ws->n_documents; d++) {
        if (strcmp(ws->documents[d].path, path) != 0)
            continue;
        for (size_t k = 0; k < ws->documents[d].n_passages; k++)
            if (strcmp(ws->documents[d].passages[k].anchor, anchor) == 0)
                return &ws->documents[d].passages[k];
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct dw_kmention *m = NULL;
    int n = dw_kgraph_recognise(graph, (const char *)data, size, 64, &m);
    if (n < 0)
        abort();
    for (int i = 0; i < n; i++)
        if (m[i].start >= m[i].end || m[i].end > size)
            abort();
    free(m);

    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    json_t *res = NULL;
    struct dw_error err = {0};
    int r = dw_kindex_ask(ix, graph, q, 5, &res, &err);
    if (r < 0) {
        if (r != -DW_EINVAL || !err.msg[0])
            abort();
        free(q);
        return 0;
    }
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(res, "answers"), i, a) {
        const struct dw_passage *p = passage(dw_json_str(a, "path"), dw_json_str(a, "anchor"));
        if (!p || strcmp(p->text, dw_json_str(a, "text")) != 0)
            abort();
    }
    json_array_foreach(json_object_get(res, "entities"), i, a) {
        const char *t = dw_json_str(a, "text");
        if (!t || !strstr(q, t))
            abort();
    }
    json_decref(res);
    free(q);
    return 0;
}

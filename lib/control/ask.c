/* Questions answered from the workspace's knowledge documents: the knowledge base of a
 * workspace snapshot is its graph (built in memory) and its full-text index (a SQLite file
 * beside the store, brought in step with the snapshot on open).
 *
 * The index is a cache, not state: it is rebuilt from the documents whenever it is missing
 * or stale, so it lives in its own file rather than in the store, whose backups, audit chain
 * and migrations are about deals. When that file cannot be created — a read-only checkout,
 * say — the index is built in memory and the answer is the same, only slower to start.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engines/kindex.h"
#include "base/base.h"
#include "workspace/workspace.h"
#include <dealwright/dealwright.h>

struct dw_kb {
    struct dw_workspace *ws;
    struct dw_kgraph *graph;
    struct dw_kindex *index;
};

void dw_kb_close(struct dw_kb *kb) {
    if (!kb)
        return;
    dw_kindex_close(kb->index);
    dw_kgraph_free(kb->graph);
    dw_workspace_unref(kb->ws);
    free(kb);
}

/* WS_ROOT/.dealwright/knowledge.db, its directory created (0700, like the store's). */
static char *default_index_path(const struct dw_workspace *ws) {
    char *dir = NULL, *path = NULL;
    if (asprintf(&dir, "%s/.dealwright", ws->root) < 0)
        return NULL;
    if ((mkdir(dir, 0700) == 0 || errno == EEXIST) && asprintf(&path, "%s/knowledge.db", dir) < 0)
        path = NULL;
    free(dir);
    return path;
}

int dw_kb_open(struct dw_workspace *ws, const char *index_path, struct dw_kb **ret,
               json_t **ret_stats, struct dw_error *err) {
    struct dw_kb *kb = calloc(1, sizeof *kb);
    if (!kb)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    kb->ws = dw_workspace_ref(ws);
    _cleanup_free_ char *path = index_path ? strdup(index_path) : default_index_path(ws);
    int r = dw_kgraph_build(ws, &kb->graph);
    if (r < 0) {
        dw_error_set(err, r, "knowledge graph: %s", dw_strerror(r));
        goto fail;
    }
    r = path ? dw_kindex_open(path, &kb->index, err) : -DW_EIO;
    if (r < 0 && !index_path) { /* the default place is not writable: keep it in memory */
        free(path);
        path = NULL;
        r = dw_kindex_open(NULL, &kb->index, err);
    }
    if (r < 0)
        goto fail;
    struct dw_kindex_stats s;
    r = dw_kindex_sync(kb->index, ws, &s, err);
    if (r < 0 && path && !index_path) { /* e.g. a read-only file */
        dw_kindex_close(kb->index);
        kb->index = NULL;
        free(path);
        path = NULL;
        r = dw_kindex_open(NULL, &kb->index, err);
        if (r == 0)
            r = dw_kindex_sync(kb->index, ws, &s, err);
    }
    if (r < 0)
        goto fail;
    if (ret_stats) {
        *ret_stats = json_pack(
            "{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "index", path ? path : ":memory:", "documents",
            (json_int_t)s.documents, "passages", (json_int_t)s.passages, "added",
            (json_int_t)s.added, "updated", (json_int_t)s.updated, "removed", (json_int_t)s.removed,
            "unchanged", (json_int_t)s.unchanged, "nodes", (json_int_t)dw_kgraph_n_nodes(kb->graph),
            "edges", (json_int_t)dw_kgraph_n_edges(kb->graph));
        if (!*ret_stats) {
            r = dw_error_set(err, -DW_ENOMEM, "out of memory");
            goto fail;
        }
    }
    *ret = kb;
    return 0;
fail:
    dw_kb_close(kb);
    return r;
}

int dw_kb_ask(struct dw_kb *kb, const char *question, size_t max, json_t **ret,
              struct dw_error *err) {
    return dw_kindex_ask(kb->index, kb->graph, question, max, ret, err);
}

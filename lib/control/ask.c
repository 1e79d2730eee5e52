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
#include "control/internal.h"
#include "engines/assist.h"
#include "models/models.h"
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

/* ---- an answer composed by a model, checked (docs/internals/assist.md) ------------------ */

static json_t *answer_schema(void) {
    return json_pack("{s:s,s:{s:{s:s,s:i,s:i}},s:[s],s:b}", "type", "object", "properties", "text",
                     "type", "string", "minLength", 1, "maxLength", 4000, "required", "text",
                     "additionalProperties", false);
}

int dw_kb_answer(struct dw_engine *e, struct dw_kb *kb, const char *question, size_t max,
                 json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *res = NULL;
    int r = dw_kb_ask(kb, question, max, &res, err);
    if (r < 0)
        return r;
    /* the passages as the model and the check see them: [n] is the n-th answer */
    _cleanup_json_ json_t *passages = json_array(), *numbers = json_array();
    if (!passages || !numbers)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(res, "answers"), i, a) {
        if (json_array_append_new(passages,
                                  json_pack("{s:I,s:O?,s:O?,s:O?,s:O?}", "ref", (json_int_t)i + 1,
                                            "path", json_object_get(a, "path"), "anchor",
                                            json_object_get(a, "anchor"), "heading",
                                            json_object_get(a, "heading"), "text",
                                            json_object_get(a, "text"))) < 0 ||
            dw_assist_text_numbers(dw_json_str(a, "text"), numbers) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    const struct dw_workspace *ws = e->ws;
    json_t *ans = NULL;
    if (!ws->models || !ws->models->tasks[DW_MODEL_TASK_ANSWERS].n) {
        ans = json_pack("{s:s,s:s}", "source", "passages", "why",
                        "no model is configured for the task 'answers'");
    } else if (json_array_size(passages) == 0) {
        ans = json_pack("{s:s,s:s}", "source", "passages", "why",
                        "no passage answers the question: nothing to compose from");
    } else {
        _cleanup_json_ json_t *vars =
            json_pack("{s:s,s:O}", "question", question, "passages", passages);
        _cleanup_json_ json_t *schema = answer_schema(), *got = NULL, *report = NULL;
        if (!vars || !schema)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        struct dw_model_request req = {.task = "answers",
                                       .prompt = "answer",
                                       .purpose = "ask",
                                       .vars = vars,
                                       .schema = schema};
        if ((r = dw_model_ask(e, &req, &got, err)) < 0)
            return r;
        const char *text = dw_json_str(json_object_get(got, "answer"), "text");
        int64_t call = dw_json_int(got, "call", 0);
        if (!text) {
            ans = json_pack("{s:s,s:s?,s:I}", "source", "passages", "why", dw_json_str(got, "why"),
                            "call", (json_int_t)call);
        } else {
            struct dw_draft_facts f = {
                .ws = ws, .passages = passages, .numbers = numbers, .catalog = true};
            if ((r = dw_assist_check_draft(&f, text, &report, err)) < 0)
                return r;
            bool ok = dw_json_bool(report, "ok", false);
            _cleanup_json_ json_t *detail =
                json_pack("{s:O}", "failures", json_object_get(report, "failures"));
            if (call && (r = dw_models_verdict(e->store, call, ok ? "accepted" : "rejected", detail,
                                               dw__now(e), err)) < 0)
                return r;
            ans = ok ? json_pack("{s:s,s:s,s:O,s:O,s:I}", "source", "model", "text", text,
                                 "sentences", json_object_get(report, "sentences"), "model",
                                 json_object_get(got, "model"), "call", (json_int_t)call)
                     : json_pack("{s:s,s:s,s:O,s:O,s:I}", "source", "passages", "why",
                                 "the model's answer failed the checks", "failures",
                                 json_object_get(report, "failures"), "model",
                                 json_object_get(got, "model"), "call", (json_int_t)call);
        }
    }
    if (!ans || json_object_set_new(res, "answer", ans) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = json_incref(res);
    return 0;
}

/* models.yaml and prompts/: which language model serves which task, the limits of the
 * trust path, and the prompt templates (docs/internals/models.md).
 *
 * The file is optional: without it ws->models stays NULL and nothing changes. A provider's
 * key never appears here (a field named like one is refused with a pointer to key_env):
 * the workspace is versioned and shared, the key is a secret of the machine that runs the
 * engine, so models.yaml only names the environment variable that holds it.
 *
 * Plain http:// is accepted for loopback hosts (a local llama.cpp, Ollama or vLLM) and
 * refused elsewhere unless `allow_http: true` says the network is trusted: the request
 * carries the customer's (masked) words.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/mustache.h"
#include "workspace/ws-internal.h"

const char *const dw_model_api_names[DW_MODEL_API__N] = {
#define DW__API_NAME(e, s) [DW_MODEL_API_##e] = s,
    DW_MODEL_API_LIST(DW__API_NAME)
#undef DW__API_NAME
};

const char *const dw_model_task_names[DW_MODEL_TASK__N] = {
#define DW__TASK_NAME(e, s) [DW_MODEL_TASK_##e] = s,
    DW_MODEL_TASK_LIST(DW__TASK_NAME)
#undef DW__TASK_NAME
};

int dw_model_task_parse(const char *name) {
    for (int i = 0; name && i < DW_MODEL_TASK__N; i++)
        if (strcmp(name, dw_model_task_names[i]) == 0)
            return i;
    return -1;
}

static bool is_id(const char *s) {
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-' && *s != '_')
            return false;
    return true;
}

static bool is_env_name(const char *s) {
    if (!*s || strlen(s) > 128 || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* http:// to these needs no allow_http */
static bool loopback_url(const char *url) {
    const char *h = url + strlen("http://");
    static const char *const hosts[] = {"127.", "localhost:", "localhost/", "[::1]"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(hosts); i++)
        if (strncmp(h, hosts[i], strlen(hosts[i])) == 0)
            return true;
    return strcmp(h, "localhost") == 0;
}

static void check_url(struct dw__ws_ctx *c, const struct dw__yref *r, const char *url,
                      bool allow_http) {
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
        dw__y_err(c, r, "base_url: '%s' is not an http:// or https:// URL", url);
        return;
    }
    if (strlen(url) > 1024 || strpbrk(url, " \t\r\n?#")) {
        dw__y_err(c, r, "base_url: a URL without spaces, query or fragment, at most 1024 bytes");
        return;
    }
    if (strncmp(url, "http://", 7) == 0 && !loopback_url(url) && !allow_http)
        dw__y_err(c, r,
                  "base_url: plain http:// to a host other than this machine sends the "
                  "customer's words unencrypted; use https:// or set allow_http: true");
}

static void parse_provider(struct dw__ws_ctx *c, const struct dw__yref *r,
                           struct dw_model_provider *p, bool allow_http) {
    /* the secret-looking keys are reported below, once, with where keys go instead */
    struct dw__yfield f[] = {
        DW__REQ("id"),      DW__REQ("api"),         DW__REQ("base_url"),       DW__REQ("model"),
        DW__OPT("key_env"), DW__OPT("api_version"), DW__OPT("zero_retention"), DW__OPT("api_key"),
        DW__OPT("key"),     DW__OPT("apikey"),      DW__OPT("token"),          DW__OPT("secret")};
    p->pos = (struct dw_ws_pos){c->file, r->line, r->col};
    p->id = (char *)"";
    /* a key written into the workspace: say where keys go instead of "unknown key" */
    if (dw__y_is_map(r)) {
        static const char *const secret[] = {"api_key", "key", "apikey", "token", "secret"};
        void *iter = NULL;
        struct fy_node_pair *pair;
        while ((pair = fy_node_mapping_iterate(r->n, &iter)) != NULL) {
            struct dw__yref k = dw__y_ref(c, fy_node_pair_key(pair), r);
            const char *name = dw__y_text(&k);
            for (size_t i = 0; name && i < DW_ARRAY_SIZE(secret); i++)
                if (strcmp(name, secret[i]) == 0) {
                    dw__y_err(c, &k,
                              "%s: a provider's key never goes in the workspace; name the "
                              "environment variable that holds it with key_env",
                              name);
                }
        }
    }
    if (!dw__y_fields(c, r, "provider", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "id")) && dw__y_str(c, v, "id", &p->id) && !is_id(p->id))
        dw__y_err(c, v, "id: '%s' is not an id (lower-case letters, digits, '-', '_')", p->id);
    int api = 0;
    if ((v = DW__YGET(f, "api")) &&
        dw__y_enum(c, v, "api", dw_model_api_names, DW_MODEL_API__N, &api))
        p->api = (enum dw_model_api)api;
    if ((v = DW__YGET(f, "base_url")) && dw__y_str(c, v, "base_url", &p->base_url))
        check_url(c, v, p->base_url, allow_http);
    if ((v = DW__YGET(f, "model")) && dw__y_str(c, v, "model", &p->model) &&
        (!p->model[0] || strlen(p->model) > 120))
        dw__y_err(c, v, "model: a model name of 1 to 120 bytes");
    if ((v = DW__YGET(f, "key_env")) && dw__y_str(c, v, "key_env", &p->key_env) &&
        !is_env_name(p->key_env))
        dw__y_err(c, v, "key_env: '%s' is not an environment variable name (like DW_MODEL_KEY)",
                  p->key_env);
    if ((v = DW__YGET(f, "api_version")))
        dw__y_str(c, v, "api_version", &p->api_version);
    if (p->api == DW_MODEL_API_AZURE && !p->api_version)
        dw__y_err(c, r, "provider '%s': api: azure needs api_version (like \"2024-10-21\")", p->id);
    if ((v = DW__YGET(f, "zero_retention")))
        dw__y_bool(c, v, "zero_retention", &p->zero_retention);
}

static const struct dw_model_provider *find_provider(const struct dw_models_cfg *m,
                                                     const char *id) {
    for (size_t i = 0; i < m->n_providers; i++)
        if (strcmp(m->providers[i].id, id) == 0)
            return &m->providers[i];
    return NULL;
}

static bool route_add(struct dw__ws_ctx *c, struct dw_models_cfg *m, const struct dw__yref *r,
                      const char *task, struct dw_model_route *route) {
    const char *id = dw__y_scalar(c, r, task);
    if (!id)
        return false;
    const struct dw_model_provider *p = find_provider(m, id);
    if (!p) {
        const char *ids[64];
        size_t n = 0;
        for (size_t i = 0; i < m->n_providers && n < 64; i++)
            ids[n++] = m->providers[i].id;
        const char *hint = dw__closest(id, ids, n);
        if (hint)
            dw__y_err(c, r, "%s: unknown provider '%s' (did you mean '%s'?)", task, id, hint);
        else
            dw__y_err(c, r, "%s: unknown provider '%s' (not in providers)", task, id);
        return false;
    }
    if (route->n == DW_MODEL_ROUTE_MAX) {
        dw__y_err(c, r, "%s: at most %d providers per task", task, DW_MODEL_ROUTE_MAX);
        return false;
    }
    route->providers[route->n++] = p;
    return true;
}

static void parse_tasks(struct dw__ws_ctx *c, struct dw_models_cfg *m, const struct dw__yref *r) {
    _cleanup_free_ struct dw__yref *keys = NULL, *values = NULL;
    size_t n;
    if (!dw__y_pairs(c, r, "tasks", &keys, &values, &n))
        return;
    for (size_t i = 0; i < n; i++) {
        const char *name = dw__y_text(&keys[i]);
        int t = dw_model_task_parse(name);
        if (t < 0) {
            dw__y_err(c, &keys[i], "tasks: unknown task '%s' (extraction, drafting, answers)",
                      name ? name : "");
            continue;
        }
        struct dw_model_route *route = &m->tasks[t];
        if (route->n) {
            dw__y_err(c, &keys[i], "tasks: '%s' is given twice", name);
            continue;
        }
        if (values[i].n && fy_node_is_sequence(values[i].n)) {
            _cleanup_free_ struct dw__yref *items = NULL;
            size_t k;
            if (dw__y_seq(c, &values[i], name, &items, &k))
                for (size_t j = 0; j < k; j++)
                    route_add(c, m, &items[j], name, route);
        } else {
            route_add(c, m, &values[i], name, route);
        }
    }
}

static void parse_limits(struct dw__ws_ctx *c, struct dw_models_cfg *m, const struct dw__yref *r) {
    struct dw__yfield f[] = {
        DW__OPT("tokens_per_call"), DW__OPT("answer_tokens"),    DW__OPT("tokens_per_deal"),
        DW__OPT("tokens_per_day"),  DW__OPT("deadline_ms"),      DW__OPT("retries"),
        DW__OPT("backoff_ms"),      DW__OPT("breaker_failures"), DW__OPT("breaker_cooldown_s")};
    if (!dw__y_fields(c, r, "limits", f, DW_ARRAY_SIZE(f)))
        return;
    static const struct {
        const char *key;
        size_t off;
        int64_t min, max;
    } lim[] = {
        {"tokens_per_call", offsetof(struct dw_models_cfg, tokens_per_call), 64, 1000000},
        {"answer_tokens", offsetof(struct dw_models_cfg, answer_tokens), 16, 100000},
        {"tokens_per_deal", offsetof(struct dw_models_cfg, tokens_per_deal), 64, INT64_C(1) << 40},
        {"tokens_per_day", offsetof(struct dw_models_cfg, tokens_per_day), 64, INT64_C(1) << 40},
        {"deadline_ms", offsetof(struct dw_models_cfg, deadline_ms), 100, 600000},
        {"retries", offsetof(struct dw_models_cfg, retries), 0, 10},
        {"backoff_ms", offsetof(struct dw_models_cfg, backoff_ms), 0, 60000},
        {"breaker_failures", offsetof(struct dw_models_cfg, breaker_failures), 1, 1000},
        {"breaker_cooldown_s", offsetof(struct dw_models_cfg, breaker_cooldown_s), 1, 86400},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(lim); i++) {
        const struct dw__yref *v = DW__YGET(f, lim[i].key);
        if (v)
            dw__y_int(c, v, lim[i].key, lim[i].min, lim[i].max,
                      (int64_t *)((char *)m + lim[i].off));
    }
    if (m->answer_tokens >= m->tokens_per_call)
        dw__y_err(c, r, "limits: answer_tokens (%lld) must be below tokens_per_call (%lld)",
                  (long long)m->answer_tokens, (long long)m->tokens_per_call);
}

static void parse_models(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw__yfield f[] = {DW__REQ("providers"), DW__OPT("tasks"), DW__OPT("limits"),
                             DW__OPT("allow_http")};
    struct dw_models_cfg *m = dw__ws_alloc(c->w, sizeof *m);
    if (!m)
        return;
    /* the defaults: small enough that one deal cannot run up a bill */
    m->tokens_per_call = 8000;
    m->answer_tokens = 1500;
    m->tokens_per_deal = 50000;
    m->tokens_per_day = 2000000;
    m->deadline_ms = 30000;
    m->retries = 2;
    m->backoff_ms = 500;
    m->breaker_failures = 3;
    m->breaker_cooldown_s = 60;
    if (!dw__y_fields(c, root, "models.yaml", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "allow_http")))
        dw__y_bool(c, v, "allow_http", &m->allow_http);
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n = 0;
    if ((v = DW__YGET(f, "providers")) && dw__y_seq(c, v, "providers", &items, &n)) {
        if (n == 0)
            dw__y_err(c, v, "providers: at least one provider is required");
        if (n > 64) {
            dw__y_err(c, v, "providers: at most 64");
            n = 0;
        }
        m->providers = dw__ws_array(c->w, n, sizeof *m->providers);
        _cleanup_free_ struct dw__named *names = n ? calloc(n, sizeof *names) : NULL;
        if (n && (!m->providers || !names)) {
            c->w->oom = true;
            return;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            parse_provider(c, &items[i], &m->providers[i], m->allow_http);
            if (m->providers[i].id[0])
                names[k++] = (struct dw__named){m->providers[i].id, m->providers[i].pos.line,
                                                m->providers[i].pos.col};
        }
        m->n_providers = n;
        dw__report_dups(c, names, k, "provider id");
    }
    if ((v = DW__YGET(f, "tasks")))
        parse_tasks(c, m, v);
    if ((v = DW__YGET(f, "limits")))
        parse_limits(c, m, v);
    c->ws->models = m;
}

static int cmp_prompt(const void *a, const void *b) {
    return strcmp(((const struct dw_prompt *)a)->name, ((const struct dw_prompt *)b)->name);
}

static void load_prompts(struct dw__ws_ctx *c) {
    char **files = NULL;
    size_t n = 0;
    if (dw__ws_list(c, "prompts", ".mustache", &files, &n) < 0 || n == 0) {
        free(files);
        return;
    }
    struct dw_prompt *v = dw__ws_array(c->w, n, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < n; i++) {
        const char *data;
        size_t len;
        if (dw__ws_read(c, files[i], false, &data, &len) < 0)
            continue;
        struct dw_error err = {0};
        if (dw_mustache_check(data, len, &err) < 0) {
            dw__ws_diag(c, err.line > 0 ? err.line : 1, err.col > 0 ? err.col : 1, "%s", err.msg);
            continue;
        }
        const char *base = files[i] + strlen("prompts/");
        struct dw_prompt *p = &v[k++];
        p->name = dw__ws_strndup(c->w, base, strlen(base) - strlen(".mustache"));
        p->path = dw__ws_strdup(c->w, files[i]);
        p->text = dw__ws_strndup(c->w, data, len);
        p->len = len;
        dw_sha256_hex(data, len, p->hash);
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (k > 1)
        qsort(v, k, sizeof *v, cmp_prompt);
    c->ws->prompts = v;
    c->ws->n_prompts = k;
}

void dw__load_models(struct dw__ws_ctx *c) {
    load_prompts(c);
    dw__ws_load_yaml(c, "models.yaml", false, parse_models);
}

const struct dw_prompt *dw_ws_prompt(const struct dw_workspace *ws, const char *name) {
    for (size_t i = 0; ws && name && i < ws->n_prompts; i++)
        if (strcmp(ws->prompts[i].name, name) == 0)
            return &ws->prompts[i];
    return NULL;
}

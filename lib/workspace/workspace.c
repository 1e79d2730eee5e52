/* workspace — load a workspace directory into a validated, hashed, reference-counted
 * snapshot (the contract is in workspace.h, the schema in docs/internals/workspace.md).
 *
 * This file holds the parts that are not about any one file: snapshot memory, reading and
 * listing files under the root, the order the loaders run in, the hash, and the lookups.
 * The loaders run in dependency order (currencies before price books, the catalog before
 * anything naming a SKU, the team before policies naming roles); each records what loaded
 * well enough to check references against, so one broken file does not bury its
 * dependants under follow-on errors.
 */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/cel.h"
#include "workspace/ws-internal.h"

/* ---- snapshot memory ------------------------------------------------------------------ */

/* Every allocation of a snapshot is its own malloc block chained here, so the sanitizers
 * see each one and the last unref frees them in one walk. */
struct dw__ws_chunk {
    struct dw__ws_chunk *next;
    max_align_t data[];
};

void *dw__ws_alloc(struct dw__ws *w, size_t size) {
    if (size > SIZE_MAX - sizeof(struct dw__ws_chunk)) {
        w->oom = true;
        return NULL;
    }
    struct dw__ws_chunk *ch = calloc(1, sizeof *ch + size);
    if (!ch) {
        w->oom = true;
        return NULL;
    }
    ch->next = w->mem;
    w->mem = ch;
    return ch->data;
}

void *dw__ws_array(struct dw__ws *w, size_t n, size_t size) {
    if (n == 0)
        return NULL;
    if (size && n > SIZE_MAX / size) {
        w->oom = true;
        return NULL;
    }
    return dw__ws_alloc(w, n * size);
}

char *dw__ws_strndup(struct dw__ws *w, const char *s, size_t n) {
    char *p = dw__ws_alloc(w, n + 1);
    if (!p)
        return (char *)""; /* never written to; the load fails with -DW_ENOMEM */
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dw__ws_strdup(struct dw__ws *w, const char *s) {
    return dw__ws_strndup(w, s ? s : "", s ? strlen(s) : 0);
}

int dw__ws_keep_program(struct dw__ws *w, struct cel_program *p) {
    if (DW_GROW(w->progs, w->cap_progs, w->n_progs + 1) < 0) {
        w->oom = true;
        return -DW_ENOMEM;
    }
    w->progs[w->n_progs++] = p;
    return 0;
}

static void ws_free(struct dw__ws *w) {
    for (size_t i = 0; i < DW_WS_MEMO_N; i++)
        if (w->memo[i] && w->memo_free[i])
            w->memo_free[i](w->memo[i]);
    if (w->pub.partials)
        json_decref(w->pub.partials);
    for (size_t i = 0; i < DW_WS_TEMPLATE_SETS; i++)
        json_decref(w->pub.template_sets[i].partials);
    for (size_t i = 0; i < w->n_progs; i++)
        cel_program_free(w->progs[i]);
    free(w->progs);
    dw_ws_rules_release(&w->pub);
    struct dw__ws_chunk *ch = w->mem;
    while (ch) {
        struct dw__ws_chunk *next = ch->next;
        free(ch);
        ch = next;
    }
    free(w);
}

/* ---- context: diagnostics and files --------------------------------------------------- */

void dw__ws_diag(struct dw__ws_ctx *c, int line, int col, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dw_diags_add(c->diags, c->file, line, col, "%s", msg);
}

const char *dw__ws_set_file(struct dw__ws_ctx *c, const char *rel) {
    c->file = dw__ws_strdup(c->w, rel);
    c->line_offset = 0;
    return c->file;
}

static char *path_join(const char *root, const char *rel) {
    char *p = NULL;
    if (asprintf(&p, "%s/%s", root, rel) < 0)
        return NULL;
    return p;
}

/* 1-based line and column of byte offset off in data. */
static void offset_pos(const char *data, size_t off, int *line, int *col) {
    int l = 1, k = 1;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n') {
            l++;
            k = 1;
        } else if (((unsigned char)data[i] & 0xC0) != 0x80) {
            k++;
        }
    }
    *line = l;
    *col = k;
}

static int remember_file(struct dw__ws_ctx *c, const char *rel, char *data, size_t len) {
    if (DW_GROW(c->files, c->cap_files, c->n_files + 1) < 0)
        return -DW_ENOMEM;
    char *r = strdup(rel);
    if (!r)
        return -DW_ENOMEM;
    c->files[c->n_files++] = (struct dw__ws_file){.rel = r, .data = data, .len = len};
    return 0;
}

int dw__ws_read(struct dw__ws_ctx *c, const char *rel, bool required, const char **ret_data,
                size_t *ret_len) {
    dw__ws_set_file(c, rel);
    _cleanup_free_ char *path = path_join(c->root, rel);
    if (!path)
        return -DW_ENOMEM;
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno != ENOENT) {
            dw__ws_diag(c, 1, 1, "cannot read: %s", strerror(errno));
            return -DW_EIO;
        }
        if (required)
            dw__ws_diag(c, 1, 1, "required file is missing");
        return -DW_ENOENT;
    }
    if (!S_ISREG(st.st_mode)) {
        dw__ws_diag(c, 1, 1, "not a regular file");
        return -DW_EIO;
    }
    if ((uint64_t)st.st_size > DW_WS_MAX_FILE) {
        dw__ws_diag(c, 1, 1, "file is larger than the limit of %u bytes", DW_WS_MAX_FILE);
        return -DW_ETOOBIG;
    }
    char *data = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    int r = dw_read_file(path, DW_WS_MAX_FILE, &data, &len, &err);
    if (r == -DW_ETOOBIG) {
        dw__ws_diag(c, 1, 1, "file is larger than the limit of %u bytes", DW_WS_MAX_FILE);
        return r;
    }
    if (r < 0) {
        dw__ws_diag(c, 1, 1, "cannot read: %s", err.msg[0] ? err.msg : dw_strerror(r));
        return r;
    }
    r = remember_file(c, rel, data, len);
    if (r < 0) {
        free(data);
        return r;
    }
    size_t bad;
    const char *nul = memchr(data, '\0', len);
    if (!dw_utf8_valid(data, len, &bad)) {
        int line, col;
        offset_pos(data, bad, &line, &col);
        dw__ws_diag(c, line, col, "invalid UTF-8");
        return -DW_EPARSE;
    }
    if (nul) {
        int line, col;
        offset_pos(data, (size_t)(nul - data), &line, &col);
        dw__ws_diag(c, line, col, "NUL byte in a text file");
        return -DW_EPARSE;
    }
    *ret_data = data;
    *ret_len = len;
    return 0;
}

static int cmp_strp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int dw__ws_list(struct dw__ws_ctx *c, const char *sub, const char *ext, char ***ret,
                size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    _cleanup_free_ char *dir = path_join(c->root, sub);
    if (!dir)
        return -DW_ENOMEM;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        dw__ws_set_file(c, sub);
        dw__ws_diag(c, 1, 1, "cannot read the directory: %s", strerror(errno));
        return -DW_EIO;
    }
    char **v = NULL;
    size_t n = 0, cap = 0, lext = strlen(ext);
    int r = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l <= lext || strcmp(de->d_name + l - lext, ext) != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == DW_WS_MAX_ITEMS) {
            dw__ws_set_file(c, sub);
            dw__ws_diag(c, 1, 1, "more than %d %s files", DW_WS_MAX_ITEMS, ext);
            r = -DW_ETOOBIG;
            break;
        }
        if (DW_GROW(v, cap, n + 1) < 0) {
            r = -DW_ENOMEM;
            break;
        }
        if (asprintf(&v[n], "%s/%s", sub, de->d_name) < 0) {
            r = -DW_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (r < 0) {
        if (r == -DW_ENOMEM)
            c->w->oom = true;
        free_list(v, n);
        return r;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_strp);
    *ret = v;
    *ret_n = n;
    return 0;
}

static void ctx_release(struct dw__ws_ctx *c) {
    for (size_t i = 0; i < c->n_files; i++) {
        free(c->files[i].rel);
        free(c->files[i].data);
    }
    free(c->files);
    free(c->currency_pos);
    dw__names_release(&c->skus);
    dw__names_release(&c->capabilities);
    dw__names_release(&c->units);
}

/* ---- the hash ------------------------------------------------------------------------ */

static int cmp_file(const void *a, const void *b) {
    return strcmp(((const struct dw__ws_file *)a)->rel, ((const struct dw__ws_file *)b)->rel);
}

/* In byte order of relative path: path, NUL, length in decimal, NUL, bytes. */
static void hash_files(struct dw__ws_ctx *c, char out[DW_SHA256_HEX]) {
    if (c->n_files > 1)
        qsort(c->files, c->n_files, sizeof *c->files, cmp_file);
    struct dw_sha256 h;
    dw_sha256_init(&h);
    for (size_t i = 0; i < c->n_files; i++) {
        char len[32];
        int n = snprintf(len, sizeof len, "%zu", c->files[i].len);
        dw_sha256_update(&h, c->files[i].rel, strlen(c->files[i].rel) + 1);
        dw_sha256_update(&h, len, (size_t)n + 1);
        dw_sha256_update(&h, c->files[i].data, c->files[i].len);
    }
    dw_sha256_final_hex(&h, out);
}

/* ---- load ------------------------------------------------------------------------------ */

int dw_workspace_load(const char *root, struct dw_workspace **ret, struct dw_diags *diags) {
    if (!root || !ret || !diags)
        return -DW_EINVAL;
    struct stat st;
    if (stat(root, &st) < 0) {
        int e = errno;
        dw_diags_add(diags, root, 0, 0, "cannot open the workspace: %s", strerror(e));
        return e == ENOENT || e == ENOTDIR ? -DW_ENOENT : -DW_EIO;
    }
    if (!S_ISDIR(st.st_mode)) {
        dw_diags_add(diags, root, 0, 0, "the workspace is not a directory");
        return -DW_ENOENT;
    }
    _cleanup_free_ char *marker = path_join(root, "dealwright.yaml");
    if (!marker)
        return -DW_ENOMEM;
    if (access(marker, F_OK) < 0) {
        dw_diags_add(diags, "dealwright.yaml", 0, 0,
                     "not a dealwright workspace: %s has no dealwright.yaml", root);
        return -DW_ENOENT;
    }

    struct dw__ws *w = calloc(1, sizeof *w);
    if (!w)
        return -DW_ENOMEM;
    w->pub.refcount = 1;
    w->pub.loaded = true;
    w->pub.root = dw__ws_strdup(w, root);

    size_t before = diags->n;
    struct dw__ws_ctx c = {.w = w, .ws = &w->pub, .diags = diags, .root = root};

    if (dw_ws_rules_init(&w->pub) < 0)
        w->oom = true;
    dw__load_company(&c);
    dw__load_catalog(&c);
    dw__load_pricebooks(&c);
    dw__load_team(&c);
    dw__load_policies(&c);
    dw__load_qualification(&c);
    dw__load_knowledge(&c);
    dw__load_templates(&c);
    dw__load_models(&c);
    hash_files(&c, w->pub.hash);
    ctx_release(&c);

    int r = 0;
    if (w->oom)
        r = -DW_ENOMEM;
    else if (diags->n > before)
        r = -DW_EVALIDATE;
    dw_diags_sort(diags);
    if (r < 0) {
        ws_free(w);
        return r;
    }
    *ret = &w->pub;
    return 0;
}

struct dw_workspace *dw_workspace_ref(struct dw_workspace *ws) {
    if (ws)
        __atomic_add_fetch(&ws->refcount, 1, __ATOMIC_RELAXED);
    return ws;
}

struct dw_workspace *dw_workspace_unref(struct dw_workspace *ws) {
    if (ws && __atomic_sub_fetch(&ws->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        ws_free(dw__ws_of(ws));
    return NULL;
}

/* One lock for every snapshot's memo: a build happens once per snapshot and slot, so the
 * lock is held briefly and rarely contended. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

void *dw_ws_memo(const struct dw_workspace *ws, enum dw_ws_memo_slot slot,
                 void *(*build)(const struct dw_workspace *ws, void *ud), void *ud,
                 void (*destroy)(void *)) {
    /* only a loaded snapshot (a dw__ws) has the memo slots */
    if (!ws || (unsigned)slot >= DW_WS_MEMO_N || !ws->loaded)
        return NULL;
    struct dw__ws *w = dw__ws_of(ws);
    pthread_mutex_lock(&memo_lock);
    if (!w->memo[slot] && build) {
        w->memo[slot] = build(ws, ud);
        w->memo_free[slot] = destroy;
    }
    void *v = w->memo[slot];
    pthread_mutex_unlock(&memo_lock);
    return v;
}

/* ---- lookups -------------------------------------------------------------------------- */

static int cmp_item_key(const void *key, const void *elem) {
    return strcmp(key, ((const struct dw_item *)elem)->sku);
}

static int cmp_price_key(const void *key, const void *elem) {
    return strcmp(key, ((const struct dw_price *)elem)->sku);
}

const struct dw_item *dw_ws_item(const struct dw_workspace *ws, const char *sku) {
    if (!ws || !sku || !ws->n_items)
        return NULL;
    return bsearch(sku, ws->items, ws->n_items, sizeof *ws->items, cmp_item_key);
}

const struct dw_pricebook *dw_ws_pricebook(const struct dw_workspace *ws, const char *currency) {
    if (!ws || !currency)
        return NULL;
    for (size_t i = 0; i < ws->n_pricebooks; i++)
        if (strcmp(ws->pricebooks[i].currency, currency) == 0)
            return &ws->pricebooks[i];
    return NULL;
}

const struct dw_price *dw_prices_find(const struct dw_price *v, size_t n, const char *sku) {
    if (!v || !sku || !n)
        return NULL;
    return bsearch(sku, v, n, sizeof *v, cmp_price_key);
}

const struct dw_price *dw_pricebook_price(const struct dw_pricebook *pb, const char *sku) {
    return pb ? dw_prices_find(pb->prices, pb->n_prices, sku) : NULL;
}

const struct dw_currency *dw_ws_currency(const struct dw_workspace *ws, const char *code) {
    if (!ws || !code)
        return NULL;
    for (size_t i = 0; i < ws->n_currencies; i++)
        if (strcmp(ws->currencies[i].code, code) == 0)
            return &ws->currencies[i];
    return NULL;
}

const struct dw_user *dw_ws_user(const struct dw_workspace *ws, const char *id) {
    if (!ws || !id)
        return NULL;
    for (size_t i = 0; i < ws->team.n_users; i++)
        if (strcmp(ws->team.users[i].id, id) == 0)
            return &ws->team.users[i];
    return NULL;
}

bool dw_user_has_role(const struct dw_user *u, const char *role) {
    if (!u || !role)
        return false;
    for (size_t i = 0; i < u->n_roles; i++)
        if (strcmp(u->roles[i], role) == 0)
            return true;
    return false;
}

int dw_policies_band_index(const struct dw_policies *p, const char *role) {
    if (!p || !role)
        return -1;
    for (size_t i = 0; i < p->n_bands; i++)
        if (strcmp(p->bands[i].role, role) == 0)
            return (int)i;
    return -1;
}

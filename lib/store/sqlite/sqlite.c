/* store/sqlite — the embedded backend: opening, transactions, the statement cache, the
 * helpers the other files share, and the ops table.
 *
 * Durability settings, and why:
 *  - journal_mode=WAL: readers never block the one writer, and a commit is one append to
 *    the WAL plus one fsync;
 *  - synchronous=FULL: that fsync happens at every commit, so a commit the caller saw
 *    survives a power cut (NORMAL could lose the last ones, which would break "nothing is
 *    lost" in principle 3);
 *  - foreign_keys=ON: SQLite leaves them off by default;
 *  - busy_timeout: another process holding the write lock makes us wait up to
 *    DW__SQ_BUSY_MS, then the hook fails with -DW_EBUSY, which callers retry;
 *  - checkpoints (docs/internals/store.md "Checkpoints"): after a commit that leaves
 *    DW__SQ_CKPT_PAGES or more pages in the WAL, a PASSIVE checkpoint (SQLite's own
 *    automatic one, which never waits); once the WAL holds DW__SQ_WAL_PAGES, at most once
 *    every DW__SQ_TRUNCATE_EVERY_MS a TRUNCATE checkpoint that waits at most
 *    DW__SQ_TRUNCATE_WAIT_MS for readers (a writer waits no longer than that) and empties
 *    the file; journal_size_limit cuts a WAL SQLite resets by itself back to
 *    DW__SQ_WAL_LIMIT bytes. Without the TRUNCATE, readers that never all stop at once
 *    keep SQLite from ever restarting the WAL, and it grows for as long as the server runs.
 *
 * Group commit: the control plane runs many steps in one transaction, each inside its own
 * savepoint. The cost of a step is then a few statements; the fsync is paid once per
 * commit. Savepoints all use the same name: SQLite resolves a name to the innermost
 * savepoint that has it, so nesting works without numbering.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_internal.h"

#define DW__SQ_BUSY_MS 5000
#define DW__SQ_CKPT_PAGES 1000             /* SQLite's default automatic checkpoint */
#define DW__SQ_WAL_PAGES 2048              /* 8 MiB of 4 KiB pages */
#define DW__SQ_WAL_LIMIT (8 * 1024 * 1024) /* journal_size_limit, bytes */
#define DW__SQ_TRUNCATE_WAIT_MS 20
#define DW__SQ_TRUNCATE_EVERY_MS 1000
#define DW__SQ_PATH_MAX 4096

static const char *const sq_sql[DW__SQ_MAX] = {
#define DW__SQ_TEXT(name, sql) [DW__SQ_##name] = sql,
    DW__SQ_LIST(DW__SQ_TEXT)
#undef DW__SQ_TEXT
};

static const char *const sq_names[DW__SQ_MAX] = {
#define DW__SQ_NAME(name, sql) [DW__SQ_##name] = #name,
    DW__SQ_LIST(DW__SQ_NAME)
#undef DW__SQ_NAME
};

/* ---- statements and errors --------------------------------------------------------- */

int dw__sq_stmt(struct dw_sqlite *q, enum dw__sq_id id, sqlite3_stmt **ret, struct dw_error *err) {
    sqlite3_stmt *st = q->stmts[id];
    if (!st) {
        int rc = sqlite3_prepare_v3(q->db, sq_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK)
            return dw__sq_error(q, rc, err, sq_names[id]);
        q->stmts[id] = st;
    }
    *ret = st;
    return 0;
}

void dw__sq_resetp(sqlite3_stmt **st) {
    if (*st) {
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
    }
}

int dw__sq_error(struct dw_sqlite *q, int rc, struct dw_error *err, const char *what) {
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = -DW_EBUSY;
        break;
    case SQLITE_NOMEM:
        code = -DW_ENOMEM;
        break;
    case SQLITE_TOOBIG:
        code = -DW_ETOOBIG;
        break;
    default:
        code = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? -DW_EEXIST
                                                                                    : -DW_ESTORE;
    }
    dw_error_set(err, code, "%s: %s", what, sqlite3_errmsg(q->db));
    /* Some failures (I/O, disk full, out of memory) make SQLite roll the whole transaction
     * back by itself; forget it so that the next begin works. */
    if (q->in_tx && sqlite3_get_autocommit(q->db)) {
        q->in_tx = false;
        q->sp_depth = 0;
    }
    dw__sq_cache_reset(q, q->in_tx && q->cache.on); /* in doubt, read again */
    return code;
}

int dw__sq_step(struct dw_sqlite *q, sqlite3_stmt *st, struct dw_error *err, const char *what) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return dw__sq_error(q, rc, err, what);
}

int dw__sq_exec(struct dw_sqlite *q, sqlite3_stmt *st, struct dw_error *err, const char *what) {
    int r = dw__sq_step(q, st, err, what);
    return r < 0 ? r : 0;
}

/* ---- binding ----------------------------------------------------------------------- */

void dw__sq_bind_text(sqlite3_stmt *st, int i, const char *v, int *rc) {
    if (*rc != SQLITE_OK)
        return;
    *rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

void dw__sq_bind_int(sqlite3_stmt *st, int i, int64_t v, int *rc) {
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_int64(st, i, v);
}

void dw__sq_bind_id(sqlite3_stmt *st, int i, int64_t id, int *rc) {
    if (*rc == SQLITE_OK)
        *rc = id ? sqlite3_bind_int64(st, i, id) : sqlite3_bind_null(st, i);
}

void dw__sq_bind_time(sqlite3_stmt *st, int i, dw_time_t t, int *rc) {
    char buf[32];
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_text(st, i, dw_time_format(t, buf, sizeof buf), -1, SQLITE_TRANSIENT);
}

static void bind_dumped(sqlite3_stmt *st, int i, const json_t *j, size_t flags, int *rc) {
    if (*rc != SQLITE_OK)
        return;
    if (!j) {
        *rc = sqlite3_bind_null(st, i);
        return;
    }
    /* our writer: the same text as jansson's compact dump, in about half its time */
    char *text = flags & JSON_SORT_KEYS ? dw_json_canonical(j) : dw_json_compact(j);
    if (!text) {
        *rc = SQLITE_NOMEM;
        return;
    }
    size_t len = strlen(text);
    if (len > DW__SQ_TEXT_MAX) {
        free(text);
        *rc = SQLITE_TOOBIG;
        return;
    }
    /* SQLite takes the text and frees it, also when the bind fails. */
    *rc = sqlite3_bind_text(st, i, text, (int)len, free);
}

void dw__sq_bind_json(sqlite3_stmt *st, int i, const json_t *j, int *rc) {
    bind_dumped(st, i, j, 0, rc);
}

void dw__sq_bind_json_canonical(sqlite3_stmt *st, int i, const json_t *j, int *rc) {
    bind_dumped(st, i, j, JSON_SORT_KEYS, rc);
}

int dw__sq_bind_error(int rc, struct dw_error *err, const char *what) {
    switch (rc & 0xff) {
    case SQLITE_TOOBIG:
        return dw_error_set(err, -DW_ETOOBIG, "%s: a value is larger than %u bytes", what,
                            DW__SQ_TEXT_MAX);
    case SQLITE_NOMEM:
        return dw_error_set(err, -DW_ENOMEM, "%s: out of memory", what);
    default:
        return dw_error_set(err, -DW_EINTERNAL, "%s: binding a parameter: %s", what,
                            sqlite3_errstr(rc));
    }
}

/* ---- rows -------------------------------------------------------------------------- */

dw_time_t dw__sq_col_time(sqlite3_stmt *st, int col) {
    const char *t = (const char *)sqlite3_column_text(st, col);
    dw_time_t v;
    return t && dw_time_parse(t, &v) == 0 ? v : 0;
}

int dw__sq_col_json(sqlite3_stmt *st, int col, json_t **ret, struct dw_error *err) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        *ret = json_null();
        return 0;
    }
    const char *text = (const char *)sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);
    json_error_t jerr;
    json_t *j = text ? json_loadb(text, (size_t)n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr) : NULL;
    if (!j)
        return dw_error_set(err, -DW_ESTORE, "column %s holds invalid JSON: %s",
                            sqlite3_column_name(st, col), text ? jerr.text : "no text");
    *ret = j;
    return 0;
}

static bool has_suffix(const char *colon, const char *suffix) {
    return colon && strcmp(colon + 1, suffix) == 0;
}

static int row_value(sqlite3_stmt *st, int i, const char *colon, int digits, json_t **ret,
                     struct dw_error *err) {
    int type = sqlite3_column_type(st, i);
    json_t *v = NULL;
    if (type == SQLITE_NULL)
        v = json_null();
    else if (has_suffix(colon, "json"))
        return dw__sq_col_json(st, i, ret, err);
    else if (has_suffix(colon, "bool"))
        v = json_boolean(sqlite3_column_int64(st, i) != 0);
    else if (has_suffix(colon, "money"))
        v = dw_json_money(sqlite3_column_int64(st, i), digits);
    else if (type == SQLITE_INTEGER)
        v = json_integer(sqlite3_column_int64(st, i));
    else if (type == SQLITE_FLOAT)
        v = json_real(sqlite3_column_double(st, i));
    else {
        const char *text = (const char *)sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        if (!text)
            return dw_error_set(err, -DW_ENOMEM, "reading a column: out of memory");
        v = json_stringn(text, (size_t)n);
        if (!v)
            return dw_error_set(err, -DW_ESTORE, "column %s is not valid UTF-8",
                                sqlite3_column_name(st, i));
    }
    if (!v)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = v;
    return 0;
}

int dw__sq_row(sqlite3_stmt *st, json_t **ret, struct dw_error *err) {
    _cleanup_json_ json_t *obj = json_object(), *extra = NULL;
    int n = sqlite3_column_count(st), digits = 2, r;

    if (!obj)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        if (name && strcmp(name, ":digits") == 0 && sqlite3_column_type(st, i) != SQLITE_NULL)
            digits = sqlite3_column_int(st, i);
    }
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        if (!name)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
        const char *colon = strchr(name, ':');
        char key[64];
        json_t *v;
        if (colon == name) {
            if (strcmp(name, ":extra") != 0)
                continue;
            r = dw__sq_col_json(st, i, &extra, err);
            if (r < 0)
                return r;
            continue;
        }
        size_t klen = colon ? (size_t)(colon - name) : strlen(name);
        if (klen >= sizeof key)
            return dw_error_set(err, -DW_EINTERNAL, "column name %s too long", name);
        memcpy(key, name, klen);
        key[klen] = '\0';
        r = row_value(st, i, colon, digits, &v, err);
        if (r < 0)
            return r;
        if (json_object_set_new(obj, key, v) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    /* The caller's own keys never override a column. */
    if (json_is_object(extra) && json_object_update_missing(obj, extra) < 0)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = DW_TAKE_PTR(obj);
    return 0;
}

int dw__sq_rows(struct dw_sqlite *q, sqlite3_stmt *st, json_t **ret, struct dw_error *err,
                const char *what) {
    _cleanup_json_ json_t *arr = json_array();
    int r;
    if (!arr)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    while ((r = dw__sq_step(q, st, err, what)) > 0) {
        json_t *row;
        r = dw__sq_row(st, &row, err);
        if (r < 0)
            return r;
        if (json_array_append_new(arr, row) < 0)
            return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    if (r < 0)
        return r;
    *ret = DW_TAKE_PTR(arr);
    return 0;
}

/* ---- transactions ------------------------------------------------------------------ */

static int run(struct dw_sqlite *q, enum dw__sq_id id, struct dw_error *err) {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = dw__sq_stmt(q, id, &st, err);
    return r < 0 ? r : dw__sq_exec(q, st, err, sq_names[id]);
}

static int open_tx(struct dw_store *s, enum dw__sq_id stmt, const char *what,
                   struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (q->in_tx)
        return dw_error_set(err, -DW_ESTATE, "%s: a transaction is already open", what);
    int r = run(q, stmt, err);
    if (r < 0)
        return r;
    q->in_tx = true;
    q->sp_depth = 0;
    return 0;
}

static int sq_begin(struct dw_store *s, struct dw_error *err) {
    int r = open_tx(s, DW__SQ_BEGIN, "begin", err);
    if (r == 0) /* no other connection writes until commit: reads may be cached */
        dw__sq_cache_reset(dw__sq(s), true);
    return r;
}

/* BEGIN DEFERRED takes no lock until the first read, which fixes the snapshot (WAL). */
static int sq_snapshot(struct dw_store *s, struct dw_error *err) {
    return open_tx(s, DW__SQ_BEGIN_READ, "snapshot", err);
}

static int sq_rollback(struct dw_store *s) {
    struct dw_sqlite *q = dw__sq(s);
    int r = 0;
    if (!sqlite3_get_autocommit(q->db))
        r = run(q, DW__SQ_ROLLBACK, NULL);
    q->in_tx = false;
    q->sp_depth = 0;
    dw__sq_cache_reset(q, false);
    return r;
}

static int sq_commit(struct dw_store *s, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (!q->in_tx)
        return dw_error_set(err, -DW_ESTATE, "commit: no transaction is open");
    int r = run(q, DW__SQ_COMMIT, err);
    if (r < 0) {
        /* A failed COMMIT may leave the transaction open; end it so the caller's retry
         * starts clean. The work is lost either way: the caller redoes it. */
        sq_rollback(s);
        return r;
    }
    q->in_tx = false;
    q->sp_depth = 0;
    dw__sq_cache_reset(q, false);
    return 0;
}

static int sq_savepoint(struct dw_store *s, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (!q->in_tx)
        return dw_error_set(err, -DW_ESTATE, "savepoint: no transaction is open");
    if (q->sp_depth >= DW__SQ_SAVEPOINT_MAX)
        return dw_error_set(err, -DW_ESTATE, "savepoint: nested deeper than %d",
                            DW__SQ_SAVEPOINT_MAX);
    int r = run(q, DW__SQ_SAVEPOINT, err);
    if (r < 0)
        return r;
    q->sp_depth++;
    return 0;
}

static int sq_release(struct dw_store *s, struct dw_error *err) {
    struct dw_sqlite *q = dw__sq(s);
    if (q->sp_depth == 0)
        return dw_error_set(err, -DW_ESTATE, "release: no savepoint is open");
    int r = run(q, DW__SQ_RELEASE, err);
    if (r < 0)
        return r;
    q->sp_depth--;
    return 0;
}

static int sq_rollback_to(struct dw_store *s) {
    struct dw_sqlite *q = dw__sq(s);
    if (q->sp_depth == 0)
        return -DW_ESTATE;
    /* ROLLBACK TO undoes the work but leaves the savepoint open; RELEASE then removes it
     * (committing nothing, as nothing is left in it). */
    dw__sq_cache_reset(q, q->cache.on); /* what it read or wrote may be undone */
    int r = run(q, DW__SQ_ROLLBACK_TO, NULL);
    if (r == 0)
        r = run(q, DW__SQ_RELEASE, NULL);
    if (r == 0)
        q->sp_depth--;
    return r;
}

int dw__sq_tx_enter(struct dw_sqlite *q, bool nested, enum dw__sq_tx *mode, struct dw_error *err) {
    int r = 0;
    *mode = DW__SQ_TX_NONE;
    if (!q->in_tx) {
        r = sq_begin(&q->base, err);
        if (r == 0)
            *mode = DW__SQ_TX_OWN;
    } else if (nested) {
        r = sq_savepoint(&q->base, err);
        if (r == 0)
            *mode = DW__SQ_TX_SAVEPOINT;
    }
    return r;
}

int dw__sq_tx_leave(struct dw_sqlite *q, enum dw__sq_tx mode, int r, struct dw_error *err) {
    switch (mode) {
    case DW__SQ_TX_OWN:
        if (r < 0) {
            sq_rollback(&q->base);
            return r;
        }
        return sq_commit(&q->base, err);
    case DW__SQ_TX_SAVEPOINT:
        if (r < 0) {
            sq_rollback_to(&q->base);
            return r;
        }
        return sq_release(&q->base, err);
    case DW__SQ_TX_NONE:
        break;
    }
    return r;
}

/* ---- open and close ---------------------------------------------------------------- */

/* mkdir -p of the directory holding path, mode 0700 (the database holds personal data). */
static int make_parent(const char *path, struct dw_error *err) {
    char dir[DW__SQ_PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return dw_error_set(err, -DW_EINVAL, "database path longer than %d bytes",
                            DW__SQ_PATH_MAX - 1);
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
            return dw_error_set(err, -DW_EIO, "creating directory %s: %s", dir, strerror(errno));
        *p = c;
        if (c == '\0')
            break;
    }
    return 0;
}

/* Create the file ourselves so that it is 0600 from the first byte; SQLite gives the -wal
 * and -shm files the database file's mode. An existing file keeps its mode, and is not
 * opened here at all: closing a descriptor of it would drop the POSIX locks that another
 * connection of this process holds on it (a server opens one store per thread), and
 * another process could then delete the WAL under that connection. */
static int create_file(const char *path, struct dw_error *err) {
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0 && errno == EEXIST)
        return 0;
    if (fd < 0)
        return dw_error_set(err, -DW_EIO, "opening %s: %s", path, strerror(errno));
    close(fd);
    return 0;
}

static int pragma(struct dw_sqlite *q, const char *sql, const char *want, struct dw_error *err) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
    int r = 0;
    if (rc != SQLITE_OK)
        return dw__sq_error(q, rc, err, sql);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = dw__sq_error(q, rc, err, sql);
    else if (want) {
        const char *got = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!got || strcmp(got, want) != 0)
            r = dw_error_set(err, -DW_ESTORE, "%s: the database reports '%s', need '%s'", sql,
                             got ? got : "", want);
    }
    sqlite3_finalize(st);
    return r;
}

static void sq_close(struct dw_store *s) {
    struct dw_sqlite *q = dw__sq(s);
    if (!q)
        return;
    if (q->db) {
        /* An open transaction at close is abandoned work: roll it back explicitly. */
        if (!sqlite3_get_autocommit(q->db))
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
        for (int i = 0; i < DW__SQ_MAX; i++)
            sqlite3_finalize(q->stmts[i]);
        sqlite3_close_v2(q->db);
    }
    dw__sq_cache_reset(q, false);
    dw__sq_mc_close(q);
    free(q);
}

static int64_t mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* After each commit in WAL mode, with the pages now in the WAL (see the top of the file).
 * A checkpoint that cannot finish is no error of the commit, which has happened. */
static int wal_hook(void *ud, sqlite3 *db, const char *name, int pages) {
    struct dw_sqlite *q = ud;
    if (pages >= DW__SQ_WAL_PAGES) {
        int64_t now = mono_ms();
        if (now - q->truncate_at >= DW__SQ_TRUNCATE_EVERY_MS) {
            q->truncate_at = now;
            sqlite3_busy_timeout(db, DW__SQ_TRUNCATE_WAIT_MS);
            int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
            sqlite3_busy_timeout(db, DW__SQ_BUSY_MS);
            if (rc == SQLITE_OK)
                return SQLITE_OK;
        }
    }
    if (pages >= DW__SQ_CKPT_PAGES)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

static int configure(struct dw_sqlite *q, bool memory, struct dw_error *err) {
    int r;
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, DW__SQ_BUSY_MS);
    r = pragma(q, "PRAGMA journal_mode = WAL", memory ? "memory" : "wal", err);
    if (r == 0)
        r = pragma(q, "PRAGMA synchronous = FULL", NULL, err);
    if (r == 0)
        r = pragma(q, "PRAGMA foreign_keys = ON", NULL, err);
    if (r == 0)
        r = pragma(q, "PRAGMA foreign_keys", "1", err);
    if (r == 0 && !memory) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %d", DW__SQ_WAL_LIMIT);
        r = pragma(q, sql, NULL, err);
        /* replaces SQLite's automatic checkpoint, which is a wal hook too */
        sqlite3_wal_hook(q->db, wal_hook, q);
    }
    return r;
}

static int sq_open(const char *path, struct dw_store **ret, struct dw_error *err) {
    struct dw_sqlite *q = NULL;
    bool memory;
    int r, rc;

    if (!path || !*path)
        return dw_error_set(err, -DW_EINVAL, "no database path");
    if (dw_base_init() < 0)
        return dw_error_set(err, -DW_EINTERNAL, "initialising the crypto library failed");
    memory = strcmp(path, ":memory:") == 0;
    if (!memory) {
        r = make_parent(path, err);
        if (r < 0)
            return r;
        r = create_file(path, err);
        if (r < 0)
            return r;
    }
    q = calloc(1, sizeof *q);
    if (!q)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    q->base.ops = &dw_store_sqlite_ops;
    if (!(q->path = strdup(path))) {
        free(q);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    rc = sqlite3_open_v2(path, &q->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        r = dw_error_set(err, rc == SQLITE_NOMEM ? -DW_ENOMEM : -DW_ESTORE, "opening %s: %s", path,
                         q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
        goto fail;
    }
    r = configure(q, memory, err);
    if (r < 0)
        goto fail;
    r = dw__sqlite_migrate(q->db, err);
    if (r < 0)
        goto fail;
    *ret = &q->base;
    return 0;
fail:
    sq_close(&q->base);
    return r;
}

const struct dw_store_ops dw_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .snapshot = sq_snapshot,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .lead_insert = dw__sq_lead_insert,
    .lead_find = dw__sq_lead_find,
    .lead_get = dw__sq_lead_get,
    .leads_for_deal = dw__sq_leads_for_deal,
    .leads_peek = dw__sq_leads_peek,
    .lead_set_intake = dw__sq_lead_set_intake,
    .deal_find_open_by_email = dw__sq_deal_find_open_by_email,
    .lead_move = dw__sq_lead_move,
    .lead_redact = dw__sq_lead_redact,
    .contact_redact = dw__sq_contact_redact,
    .account_find = dw__sq_account_find,
    .account_insert = dw__sq_account_insert,
    .contact_upsert = dw__sq_contact_upsert,
    .account_get = dw__sq_account_get,
    .contact_get = dw__sq_contact_get,
    .deals_for_account = dw__sq_deals_for_account,
    .deal_insert = dw__sq_deal_insert,
    .deal_get = dw__sq_deal_get,
    .deal_update = dw__sq_deal_update,
    .deals_due = dw__sq_deals_due,
    .deals_list = dw__sq_deals_list,
    .next_due_at = dw__sq_next_due_at,
    .doc_put = dw__sq_doc_put,
    .doc_get = dw__sq_doc_get,
    .doc_peek = dw__sq_doc_peek,
    .doc_delete = dw__sq_doc_delete,
    .quote_insert = dw__sq_quote_insert,
    .quote_get = dw__sq_quote_get,
    .quote_peek = dw__sq_quote_peek,
    .quotes_for_deal = dw__sq_quotes_for_deal,
    .approval_insert = dw__sq_approval_insert,
    .approval_get = dw__sq_approval_get,
    .approvals_for_deal = dw__sq_approvals_for_deal,
    .approvals_pending = dw__sq_approvals_pending,
    .approvals_by_status = dw__sq_approvals_by_status,
    .approval_decide = dw__sq_approval_decide,
    .approval_redact = dw__sq_approval_redact,
    .approvals_void_stale = dw__sq_approvals_void_stale,
    .order_insert = dw__sq_order_insert,
    .order_get = dw__sq_order_get,
    .order_redact = dw__sq_order_redact,
    .event_append = dw__sq_event_append,
    .events_for_deal = dw__sq_events_for_deal,
    .audit_append = dw__sq_audit_append,
    .audit_verify = dw__sq_audit_verify,
    .audit_walk = dw__sq_audit_walk,
    .audit_for_deal = dw__sq_audit_for_deal,
    .audit_since = dw__sq_audit_since,
    .stats = dw__sq_stats,
    .model_insert = dw__sq_model_insert,
    .model_get = dw__sq_model_get,
    .token_insert = dw__sq_token_insert,
    .token_find = dw__sq_token_find,
    .tokens_list = dw__sq_tokens_list,
    .token_revoke = dw__sq_token_revoke,
    .key_get = dw__sq_key_get,
    .events_since = dw__sq_events_since,
    .webhook_insert = dw__sq_webhook_insert,
    .webhooks_list = dw__sq_webhooks_list,
    .webhook_remove = dw__sq_webhook_remove,
    .webhook_advance = dw__sq_webhook_advance,
    .delivery_insert = dw__sq_delivery_insert,
    .deliveries_due = dw__sq_deliveries_due,
    .delivery_update = dw__sq_delivery_update,
    .deliveries_list = dw__sq_deliveries_list,
    .delivery_replay = dw__sq_delivery_replay,
    .delivery_counts = dw__sq_delivery_counts,
    .mail_insert = dw__sq_mail_insert,
    .mail_due = dw__sq_mail_due,
    .mail_claim = dw__sq_mail_claim,
    .mail_update = dw__sq_mail_update,
    .mail_list = dw__sq_mail_list,
    .mail_redact = dw__sq_mail_redact,
    .slots_held = dw__sq_slots_held,
    .slots_free = dw__sq_slots_free,
    .slot_hold = dw__sq_slot_hold,
    .booking_get = dw__sq_booking_get,
    .booking_put = dw__sq_booking_put,
    .report_reached = dw__sq_report_reached,
    .report_stays = dw__sq_report_stays,
    .report_time_to = dw__sq_report_time_to,
    .report_approvals = dw__sq_report_approvals,
    .mcall_append = dw__sq_mcall_append,
    .mcall_find = dw__sq_mcall_find,
    .mcall_verdict = dw__sq_mcall_verdict,
    .mcalls_for_deal = dw__sq_mcalls_for_deal,
    .mcall_tokens = dw__sq_mcall_tokens,
    .mcalls_purge = dw__sq_mcalls_purge,
    .mcall_stats = dw__sq_mcall_stats,
    .mcall_recent = dw__sq_mcall_recent,
    .outbox_lock = dw__sq_outbox_lock,
    .outbox_cursor_get = dw__sq_outbox_cursor_get,
    .outbox_cursor_advance = dw__sq_outbox_cursor_advance,
    .delivery_for_event = dw__sq_delivery_for_event,
    .delivery_claim = dw__sq_delivery_claim,
    .lease_claim = dw__sq_lease_claim,
    .lease_hold = dw__sq_lease_hold,
    .lease_release = dw__sq_lease_release,
    .lease_renew = dw__sq_lease_renew,
};

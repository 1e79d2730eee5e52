/* eval scenarios — whole deals checked against what a deal desk expects.
 *
 * A scenario (docs/internals/scenarios.md) names a workspace (default: the built-in
 * example), a sequence of steps — leads arriving, the agents running, people approving,
 * rejecting, setting a discount, the customer accepting, time passing — and expectations
 * about the deals at any point: stage, approvals, quote lines and totals, the language of
 * the documents the customer reads, the contract flags, citations and dates. Each scenario
 * runs on its own scratch copy of the workspace with a fresh store and a clock pinned per
 * step (the engine's clock), in-process through the public API (include/dealwright/). Every miss
 * is named with what was expected and what came; any miss makes the command exit 1.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SCN_MAX_FILES 2000
#define SCN_MAX_FILE_BYTES (1024 * 1024)
#define SCN_MAX_DEPTH 32
#define SCN_MAX_STEPS 200
#define SCN_DEFAULT_NOW "2026-12-01T09:00:00Z"

/* ---- YAML to JSON, with positions ---------------------------------------------------- */

/* Where each object or array of a loaded file starts: a map from the json_t's address to
 * "LINE:COL", so a bad step or expectation is reported at FILE:LINE:COL. */
struct ypos {
    json_t *map;
    const char *file;
};

static void pos_put(struct ypos *P, const json_t *j, int line, int col) {
    char key[32], val[32];
    snprintf(key, sizeof key, "%p", (const void *)j);
    snprintf(val, sizeof val, "%d:%d", line, col);
    json_object_set_new(P->map, key, json_string(val));
}

static const char *pos_get(const struct ypos *P, const json_t *j) {
    char key[32];
    snprintf(key, sizeof key, "%p", (const void *)j);
    const char *v = dw_json_str(P->map, key);
    return v ? v : "1:1";
}

static bool first_mark(struct fy_node *n, int depth, int *line, int *col) {
    if (!n || depth > SCN_MAX_DEPTH)
        return false;
    void *iter = NULL;
    if (fy_node_is_mapping(n)) {
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(n, &iter)) != NULL)
            if (first_mark(fy_node_pair_key(p), depth + 1, line, col))
                return true;
        return false;
    }
    if (fy_node_is_sequence(n)) {
        struct fy_node *it;
        while ((it = fy_node_sequence_iterate(n, &iter)) != NULL)
            if (first_mark(it, depth + 1, line, col))
                return true;
        return false;
    }
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    if (!m)
        return false;
    *line = m->line + 1;
    *col = m->column + 1;
    return true;
}

static bool plain_is(struct fy_node *n, const char *const *words) {
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    for (; *words; words++)
        if (strlen(*words) == len && strncmp(s, *words, len) == 0)
            return true;
    return false;
}

static json_t *y2j(struct ypos *P, struct fy_node *n, int depth) {
    if (!n)
        return json_null();
    if (depth > SCN_MAX_DEPTH)
        return NULL;
    int line = 1, col = 1;
    first_mark(n, 0, &line, &col);
    void *iter = NULL;
    if (fy_node_is_mapping(n)) {
        json_t *o = json_object();
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(n, &iter)) != NULL) {
            const char *k = fy_node_get_scalar0(fy_node_pair_key(p));
            json_t *v = y2j(P, fy_node_pair_value(p), depth + 1);
            if (!k || !v) {
                json_decref(v);
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, k, v);
        }
        pos_put(P, o, line, col);
        return o;
    }
    if (fy_node_is_sequence(n)) {
        json_t *a = json_array();
        struct fy_node *it;
        while ((it = fy_node_sequence_iterate(n, &iter)) != NULL) {
            json_t *v = y2j(P, it, depth + 1);
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        pos_put(P, a, line, col);
        return a;
    }
    if (fy_node_is_alias(n))
        return NULL;
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    enum fy_node_style st = fy_node_get_style(n);
    if (st == FYNS_PLAIN) {
        static const char *const nulls[] = {"~", "null", "Null", "NULL", "", NULL};
        static const char *const trues[] = {"true", "True", "TRUE", NULL};
        static const char *const falses[] = {"false", "False", "FALSE", NULL};
        if (plain_is(n, nulls))
            return json_null();
        if (plain_is(n, trues))
            return json_true();
        if (plain_is(n, falses))
            return json_false();
        char buf[64];
        if (len > 0 && len < sizeof buf) {
            memcpy(buf, s, len);
            buf[len] = '\0';
            char *end;
            errno = 0;
            long long v = strtoll(buf, &end, 10);
            if (!*end && !errno && (isdigit((unsigned char)buf[0]) || buf[0] == '-'))
                return json_integer(v);
            double d = strtod(buf, &end);
            if (!*end && (isdigit((unsigned char)buf[0]) || buf[0] == '-' || buf[0] == '.'))
                return json_real(d);
        }
    }
    return json_stringn(s, len);
}

static void diag_swallow(struct fy_diag *d, void *u, const char *buf, size_t len) {
    /* errors are collected (fy_diag_set_collect_errors) and reported at FILE:LINE:COL */
}

/* Parse a YAML file into JSON; errors as FILE:LINE:COL. */
static int yaml_load(const char *path, struct ypos *P, json_t **ret, struct dw_error *err) {
    char *data = NULL;
    size_t len = 0;
    int r = dw_read_file(path, SCN_MAX_FILE_BYTES, &data, &len, err);
    if (r < 0)
        return r;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_swallow;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag) {
        free(data);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
                                .diag = diag};
    struct fy_document *doc = fy_document_build_from_string(&pcfg, data, len);
    if (!doc || !fy_document_root(doc)) {
        void *iter = NULL;
        struct fy_diag_error *e;
        int line = 1, col = 1;
        const char *msg = "not valid YAML";
        while ((e = fy_diag_errors_iterate(diag, &iter)) != NULL) {
            if (e->type < FYET_ERROR)
                continue;
            line = e->line > 0 ? e->line : 1;
            col = e->column > 0 ? e->column : 1;
            msg = e->msg ? e->msg : msg;
            break;
        }
        r = dw_error_set(err, -DW_EPARSE, "%s:%d:%d: YAML syntax error: %s", path, line, col, msg);
    } else {
        json_t *j = y2j(P, fy_document_root(doc), 0);
        if (!j)
            r = dw_error_set(err, -DW_EPARSE,
                             "%s: YAML aliases and nesting deeper than %d are not accepted", path,
                             SCN_MAX_DEPTH);
        else
            *ret = j;
    }
    fy_document_destroy(doc);
    fy_diag_destroy(diag);
    free(data);
    return r;
}

/* ---- the report ---------------------------------------------------------------------- */

struct scn {
    const char *file;
    struct ypos *P;
    const char *name;
    json_t *misses;     /* [{step, what, expected, got}] */
    json_t *error;      /* a step that could not be carried out: string */
    char workdir[4096]; /* the scratch workspace */
    const char *models; /* --models: a models.yaml copied into it (docs/internals/assist.md) */
    struct dw_engine *e;
    dw_time_t now;
    json_t *deal_of; /* external_id -> "D-000001" */
    const char *last_deal;
    json_t *last_status; /* the submission status of the last lead */
    json_t *written;     /* "D-..": {proposal_md, proposal_at, reply, reply_at, schedule_at} */
    json_t *samples;     /* the workspace's samples/leads.jsonl by external_id */
    int step;
};

static void miss(struct scn *s, const char *what, const char *fmt_exp, const char *got, ...)
    __attribute__((format(printf, 3, 5)));

/* A miss: what, the expected value (printf format and arguments) and what came. */
static void miss(struct scn *s, const char *what, const char *fmt_exp, const char *got, ...) {
    char exp[1024];
    va_list ap;
    va_start(ap, got);
    vsnprintf(exp, sizeof exp, fmt_exp, ap);
    va_end(ap);
    json_array_append_new(s->misses, json_pack("{s:i,s:s,s:s,s:s}", "step", s->step, "what", what,
                                               "expected", exp, "got", got ? got : "(none)"));
}

/* Each name of `want` must be in `got`, a list of names or of {name, ...} objects (the
 * requirements' excluded capabilities, standards); a miss shows the whole list. */
static void expect_named(struct scn *s, const json_t *want, const json_t *got, const char *deal,
                         const char *label) {
    char what[256];
    char *gots = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t i, k;
    json_t *f, *e;
    snprintf(what, sizeof what, "%s %s", deal, label);
    json_array_foreach(want, i, f) {
        bool found = false;
        json_array_foreach(got, k, e) {
            const char *n = json_is_string(e) ? json_string_value(e) : dw_json_str(e, "name");
            found |= n && strcmp(n, json_string_value(f)) == 0;
        }
        if (!found)
            miss(s, what, "%s", gots, json_string_value(f));
    }
    free(gots);
}

static int step_fail(struct scn *s, const json_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int step_fail(struct scn *s, const json_t *at, const char *fmt, ...) {
    char msg[1024], full[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%s: step %d: %s", s->file, pos_get(s->P, at), s->step, msg);
    if (!s->error)
        s->error = json_string(full);
    return -1;
}

/* ---- clock --------------------------------------------------------------------------- */

/* The scenario's clock is its engine's (opened pinned at s->now). */
static void clock_set(struct scn *s) {
    if (s->e)
        dw_engine_pin_clock(s->e, s->now);
}

/* "10d", "36h", "90m", "2w" */
static int duration_parse(const char *t, int64_t *ret) {
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (errno || end == t || v < 0 || v > 100000)
        return -1;
    int64_t unit = strcmp(end, "d") == 0   ? 86400
                   : strcmp(end, "h") == 0 ? 3600
                   : strcmp(end, "m") == 0 ? 60
                   : strcmp(end, "w") == 0 ? 7 * 86400
                                           : 0;
    if (!unit)
        return -1;
    *ret = v * unit;
    return 0;
}

static int64_t day_of(dw_time_t t) {
    return (int64_t)t >= 0 ? (int64_t)t / 86400 : ((int64_t)t - 86399) / 86400;
}

/* ---- scratch workspace ----------------------------------------------------------------- */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void rm_rf(const char *dir) {
    if (dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int copy_tree(const char *from, const char *to, int depth) {
    if (depth > 8)
        return -1;
    DIR *d = opendir(from);
    if (!d)
        return -1;
    if (mkdir(to, 0700) < 0 && errno != EEXIST) {
        closedir(d);
        return -1;
    }
    struct dirent *de;
    int r = 0;
    while (r == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char a[4096], b[4096];
        int na = snprintf(a, sizeof a, "%s/%s", from, de->d_name);
        int nb = snprintf(b, sizeof b, "%s/%s", to, de->d_name);
        struct stat st;
        if (na < 0 || (size_t)na >= sizeof a || nb < 0 || (size_t)nb >= sizeof b)
            r = -1; /* a path too long to copy is an error, never a silently shorter path */
        else if (stat(a, &st) < 0)
            r = -1;
        else if (S_ISDIR(st.st_mode))
            r = copy_tree(a, b, depth + 1);
        else if (S_ISREG(st.st_mode)) {
            char *data = NULL;
            size_t len;
            struct dw_error e = {0};
            r = dw_read_file(a, 16 * 1024 * 1024, &data, &len, &e) < 0 ||
                        dw_write_file_atomic(b, data, len, &e) < 0
                    ? -1
                    : 0;
            free(data);
        }
    }
    closedir(d);
    return r;
}

static int load_samples(struct scn *s) {
    char path[4200];
    snprintf(path, sizeof path, "%s/samples/leads.jsonl", s->workdir);
    s->samples = json_object();
    if (access(path, R_OK) != 0)
        return 0;
    json_t *arr = NULL;
    struct dw_error err = {0};
    if (dw_leads_read_file(path, &arr, &err) < 0)
        return -1;
    size_t i;
    json_t *l;
    json_array_foreach(arr, i, l) {
        const char *x = dw_json_str(l, "external_id");
        if (x && !json_object_get(s->samples, x))
            json_object_set(s->samples, x, l);
    }
    json_decref(arr);
    return 0;
}

/* ---- reading a deal ---------------------------------------------------------------------- */

static json_t *deal_get(struct scn *s, const char *id) {
    int64_t n;
    if (!id || dw_id_parse('D', id, &n) < 0)
        return NULL;
    json_t *d = NULL;
    struct dw_error err = {0};
    if (dw_deal_show(s->e, n, &d, &err) < 0)
        return NULL;
    return d;
}

/* After every step: note when each deal's documents were (re)written, by the clock. */
static void note_written(struct scn *s) {
    struct dw_error err = {0};
    json_t *list = NULL;
    if (dw_deals_list(s->e, NULL, &list, &err) < 0)
        return;
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row) {
        const char *id = dw_json_str(row, "id");
        json_t *d = deal_get(s, id);
        if (!d)
            continue;
        json_t *w = json_object_get(s->written, id);
        if (!w) {
            w = json_object();
            json_object_set_new(s->written, id, w);
        }
        const char *md = dw_json_str(json_object_get(d, "proposal"), "markdown");
        const char *reply = dw_json_str(json_object_get(d, "qualification"), "reply");
        json_t *slots = json_object_get(json_object_get(d, "schedule"), "slots");
        char *sl = slots ? json_dumps(slots, JSON_COMPACT) : NULL;
        struct {
            const char *key, *val;
        } docs[] = {{"proposal", md}, {"reply", reply}, {"schedule", sl}};
        for (size_t k = 0; k < DW_ARRAY_SIZE(docs); k++) {
            char at[64];
            snprintf(at, sizeof at, "%s_at", docs[k].key);
            const char *old = dw_json_str(w, docs[k].key);
            if (docs[k].val && (!old || strcmp(old, docs[k].val) != 0)) {
                json_object_set_new(w, docs[k].key, json_string(docs[k].val));
                json_object_set_new(w, at, json_integer((json_int_t)s->now));
            }
        }
        free(sl);
        json_decref(d);
    }
    json_decref(list);
}

/* ---- steps --------------------------------------------------------------------------- */

static const char *deal_ref(struct scn *s, const json_t *step, const json_t *at) {
    const char *ref = dw_json_str(step, "deal");
    if (!ref) {
        if (!s->last_deal)
            step_fail(s, at, "no deal yet: submit a lead first");
        return s->last_deal;
    }
    if (strncmp(ref, "D-", 2) == 0)
        return ref;
    const char *id = dw_json_str(s->deal_of, ref);
    if (!id)
        step_fail(s, at, "deal '%s': no lead with that external_id was submitted", ref);
    return id;
}

static int do_run(struct scn *s) {
    struct dw_run_stats st = {0};
    struct dw_run_opts ro = {.no_wait = true};
    struct dw_error err = {0};
    int r = dw_run(s->e, &ro, &st, &err);
    dw_run_stats_release(&st);
    if (r < 0) {
        char buf[1024];
        return step_fail(s, NULL, "run: %s", dw_error_format(&err, buf, sizeof buf));
    }
    return 0;
}

static json_t *lead_of(struct scn *s, const json_t *v, const json_t *at) {
    json_t *lead = NULL;
    if (json_is_string(v)) {
        lead = json_object_get(s->samples, json_string_value(v));
        if (!lead) {
            step_fail(s, at, "sample '%s': not a line of samples/leads.jsonl",
                      json_string_value(v));
            return NULL;
        }
        return json_deep_copy(lead);
    }
    if (!json_is_object(v)) {
        step_fail(s, at, "a lead is an object (the lead format) or a sample's external_id");
        return NULL;
    }
    const char *sample = dw_json_str(v, "sample");
    if (sample) { /* a sample with some fields replaced */
        json_t *base = json_object_get(s->samples, sample);
        if (!base) {
            step_fail(s, at, "sample '%s': not a line of samples/leads.jsonl", sample);
            return NULL;
        }
        lead = json_deep_copy(base);
        json_object_update(lead, (json_t *)v);
        json_object_del(lead, "sample");
    } else {
        lead = json_deep_copy(v);
    }
    if (!json_object_get(lead, "received_at")) {
        char buf[64];
        json_object_set_new(lead, "received_at",
                            json_string(dw_time_format(s->now, buf, sizeof buf)));
    }
    if (!json_object_get(lead, "source"))
        json_object_set_new(lead, "source", json_string("email"));
    return lead;
}

static int do_leads(struct scn *s, const json_t *v, const json_t *at, bool run) {
    json_t *arr = json_array();
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            json_t *l = lead_of(s, x, at);
            if (!l) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, l);
        }
    } else {
        json_t *l = lead_of(s, v, at);
        if (!l) {
            json_decref(arr);
            return -1;
        }
        json_array_append_new(arr, l);
    }
    json_t *res = NULL;
    struct dw_error err = {0};
    int r = dw_leads_submit(s->e, arr, &res, &err);
    if (r < 0) {
        char buf[1024];
        json_decref(arr);
        return step_fail(s, at, "lead: %s", dw_error_format(&err, buf, sizeof buf));
    }
    size_t i;
    json_t *o;
    json_array_foreach(res, i, o) {
        const char *deal = dw_json_str(o, "deal");
        const char *x = dw_json_str(json_array_get(arr, i), "external_id");
        if (x && deal)
            json_object_set_new(s->deal_of, x, json_string(deal));
        json_object_set_new(s->deal_of, "_last", json_string(deal ? deal : ""));
        s->last_deal = dw_json_str(s->deal_of, "_last");
        json_decref(s->last_status);
        s->last_status = json_incref(json_object_get(o, "status"));
    }
    json_decref(res);
    json_decref(arr);
    return run ? do_run(s) : 0;
}

/* The approval of a deal of the given kind that waits (or, with any, the latest). */
static int64_t find_approval(struct scn *s, const char *deal, const char *kind) {
    json_t *d = deal_get(s, deal);
    int64_t id = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d, "approvals"), i, a) {
        const char *k = dw_json_str(a, "kind"), *st = dw_json_str(a, "status");
        if (k && strcmp(k, kind) == 0 && st && strcmp(st, "pending") == 0)
            dw_id_parse('A', dw_json_str(a, "id"), &id);
    }
    json_decref(d);
    return id;
}

/* A step that may be refused on purpose: `refused: TEXT` expects an error containing
 * TEXT (case-insensitive). */
static int expect_outcome(struct scn *s, const json_t *step, const json_t *at, const char *what,
                          int r, const struct dw_error *err) {
    const char *refused = dw_json_str(step, "refused");
    char buf[1024] = "";
    if (r < 0)
        dw_error_format(err, buf, sizeof buf);
    if (refused) {
        if (r >= 0)
            miss(s, what, "refused (%s)", "carried out", refused);
        else if (!strcasestr(buf, refused))
            miss(s, what, "refused with a message containing \"%s\"", buf, refused);
        return 0;
    }
    if (r < 0)
        return step_fail(s, at, "%s: %s", what, buf);
    return 0;
}

static int do_decide(struct scn *s, const json_t *step, const json_t *at, bool approve) {
    const char *deal = deal_ref(s, step, at);
    const char *kind = dw_json_str(step, "kind"), *user = dw_json_str(step, "as");
    if (!deal)
        return -1;
    if (!kind || !user)
        return step_fail(s, at, "%s needs kind and as (a user of team.yaml)",
                         approve ? "approve" : "reject");
    int64_t id = find_approval(s, deal, kind);
    char what[128];
    snprintf(what, sizeof what, "%s %s as %s", approve ? "approve" : "reject", kind, user);
    if (!id) {
        if (dw_json_str(step, "refused"))
            return 0; /* nothing to decide is a refusal too */
        miss(s, what, "a pending %s approval of %s", "none pending", kind, deal);
        return 0;
    }
    const char *note = dw_json_str(step, approve ? "note" : "reason");
    json_t *res = NULL;
    struct dw_error err = {0};
    int r =
        dw_approval_decide(s->e, id, approve, user,
                           note ? note : (approve ? NULL : "rejected in a scenario"), &res, &err);
    json_decref(res);
    return expect_outcome(s, step, at, what, r, &err);
}

static int do_accept(struct scn *s, const json_t *step, const json_t *at) {
    const char *deal = deal_ref(s, step, at);
    if (!deal)
        return -1;
    int64_t id;
    dw_id_parse('D', deal, &id);
    const char *by = dw_json_str(step, "as");
    json_t *res = NULL;
    struct dw_error err = {0};
    int r = dw_deal_accept(s->e, id, (int)dw_json_int(step, "revision", 0), by ? by : "customer",
                           &res, &err);
    json_decref(res);
    return expect_outcome(s, step, at, "accept", r, &err);
}

static int do_discount(struct scn *s, const json_t *step, const json_t *at) {
    const char *deal = deal_ref(s, step, at);
    if (!deal)
        return -1;
    json_t *pv = json_object_get(step, "pct");
    char pct[32];
    if (json_is_string(pv))
        snprintf(pct, sizeof pct, "%s", json_string_value(pv));
    else if (json_is_integer(pv))
        snprintf(pct, sizeof pct, "%lld", (long long)json_integer_value(pv));
    else if (json_is_real(pv))
        snprintf(pct, sizeof pct, "%.2f", json_real_value(pv));
    else
        return step_fail(s, at, "discount needs pct");
    const char *user = dw_json_str(step, "as");
    if (!user)
        return step_fail(s, at, "discount needs as (a user of team.yaml)");
    int64_t id;
    dw_id_parse('D', deal, &id);
    json_t *res = NULL;
    struct dw_error err = {0};
    int r = dw_quote_discount(s->e, id, pct, user, &res, &err);
    json_decref(res);
    r = expect_outcome(s, step, at, "quote discount", r, &err);
    return r < 0 ? r : do_run(s);
}

/* ---- expectations ---------------------------------------------------------------------- */

static bool sku_match(const char *pat, const char *sku) {
    size_t n = strlen(pat);
    if (n && pat[n - 1] == '*')
        return strncmp(pat, sku, n - 1) == 0;
    return strcmp(pat, sku) == 0;
}

static int64_t qty_of(const json_t *lines, const char *pat, bool *found) {
    int64_t q = 0;
    size_t i;
    json_t *l;
    *found = false;
    json_array_foreach(lines, i, l) {
        const char *sku = dw_json_str(l, "sku");
        if (sku && sku_match(pat, sku)) {
            *found = true;
            q += dw_json_int(l, "quantity", 0);
        }
    }
    return q;
}

static char *lines_text(const json_t *lines) {
    char *t = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&t, &len);
    size_t i;
    json_t *l;
    json_array_foreach(f ? lines : NULL, i, l)
        fprintf(f, "%s%s x%lld", i ? ", " : "", dw_json_str(l, "sku"),
                (long long)dw_json_int(l, "quantity", 0));
    if (f)
        fclose(f);
    if (t && len)
        return t;
    free(t);
    return strdup("(no lines)");
}

static bool str_in(const json_t *v, const char *s) {
    if (json_is_string(v))
        return strcmp(json_string_value(v), s) == 0;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (json_is_string(x) &&
                                    strcmp(json_string_value(x), s) == 0) return true;
    return false;
}

static char *join(const json_t *v) {
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static double num(const json_t *v, bool *ok) {
    *ok = true;
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_string(v)) {
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (!*end && end != json_string_value(v))
            return d;
    }
    *ok = false;
    return 0;
}

/* Language of a text by its commonest function words. */
static const char *language_of(const char *text) {
    static const struct {
        const char *lang;
        const char *words[16];
    } L[] = {
        {"en", {"the", "and", "of", "to", "your", "with", "for", "is", "we", "this", "are", NULL}},
        {"de",
         {"der", "die", "und", "das", "ihr", "ihre", "mit", "für", "wir", "ist", "sie", "den",
          "nicht", NULL}},
        {"fr",
         {"le", "la", "les", "et", "des", "vous", "votre", "pour", "nous", "est", "une", "avec",
          NULL}},
        {"es",
         {"el", "los", "las", "y", "para", "con", "su", "usted", "es", "una", "del", "nosotros",
          NULL}},
        {"it",
         {"il", "gli", "e", "per", "con", "della", "sono", "una", "che", "vostro", "nostro", NULL}},
        {"nl", {"de", "het", "een", "en", "van", "voor", "met", "uw", "wij", "is", "niet", NULL}},
    };
    int best = -1, best_n = 0;
    for (size_t k = 0; k < DW_ARRAY_SIZE(L); k++) {
        int n = 0;
        for (const char *p = text; *p;) {
            while (*p && !isalpha((unsigned char)*p) && !((unsigned char)*p & 0x80))
                p++;
            const char *w = p;
            while (*p && (isalpha((unsigned char)*p) || ((unsigned char)*p & 0x80)))
                p++;
            size_t len = (size_t)(p - w);
            for (size_t j = 0; L[k].words[j]; j++)
                if (strlen(L[k].words[j]) == len && strncasecmp(w, L[k].words[j], len) == 0)
                    n++;
        }
        if (n > best_n) {
            best_n = n;
            best = (int)k;
        }
    }
    return best < 0 ? "unknown" : L[best].lang;
}

/* The prose of a Markdown document: without table rows and footnotes, which carry the
 * catalog's item names and descriptions and the knowledge headings, whatever the
 * language of the document. */
static char *prose_of(const char *md) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (const char *p = md; f && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (p[0] != '|' && strncmp(p, "[^", 2) != 0)
            fwrite(p, 1, n, f);
        p += n;
    }
    if (f)
        fclose(f);
    return out ? out : strdup("");
}

/* Every date written in a document: ISO 2026-12-06, 06.12.2026, 06/12/2026 (day first),
 * "6 December 2026" / "6. Dezember 2026" / "6 décembre 2026" / "December 6, 2026", in the
 * six languages. Each as a day number; the text of the first one found before `floor`. */
static const char *const months[][12] = {
    {"january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"},
    {"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
     "november", "dezember"},
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"},
    {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"},
    {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
     "ottobre", "novembre", "dicembre"},
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
     "oktober", "november", "december"},
};

static int month_at(const char *p, size_t *len) {
    for (size_t l = 0; l < DW_ARRAY_SIZE(months); l++)
        for (int m = 0; m < 12; m++) {
            size_t n = strlen(months[l][m]);
            if (strncasecmp(p, months[l][m], n) == 0 && !isalpha((unsigned char)p[n])) {
                *len = n;
                return m + 1;
            }
        }
    return 0;
}

static int64_t civil_day(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200)
        return INT64_MIN;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *p, int n, int *v) {
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return false;
        *v = *v * 10 + (p[i] - '0');
    }
    return true;
}

/* 1 or 2 digits at p: their value, and how many. */
static int small_num(const char *p, int *v) {
    if (!isdigit((unsigned char)p[0]))
        return 0;
    *v = p[0] - '0';
    if (!isdigit((unsigned char)p[1]))
        return 1;
    *v = *v * 10 + (p[1] - '0');
    return 2;
}

/* A date starting at p: its day number and length, else false. */
static bool date_at(const char *text, const char *p, int64_t *ret_day, size_t *ret_len) {
    if (p > text && isalnum((unsigned char)p[-1]))
        return false;
    int y, m, d, n, k;
    size_t ml;
    int64_t day = INT64_MIN;
    size_t len = 0;
    if (digits(p, 4, &y) && p[4] == '-' && digits(p + 5, 2, &m) && p[7] == '-' &&
        digits(p + 8, 2, &d)) {
        day = civil_day(y, m, d);
        len = 10;
    } else if ((n = small_num(p, &d)) && (p[n] == '.' || p[n] == '/') &&
               (k = small_num(p + n + 1, &m)) && p[n + 1 + k] == p[n] &&
               digits(p + n + 2 + k, 4, &y)) {
        day = civil_day(y, m, d);
        len = (size_t)(n + 2 + k + 4);
    } else if ((n = small_num(p, &d))) {
        const char *q = p + n;
        if (*q == '.')
            q++;
        if (*q == ' ' && (m = month_at(q + 1, &ml)) && q[1 + ml] == ' ' &&
            digits(q + 2 + ml, 4, &y)) {
            day = civil_day(y, m, d);
            len = (size_t)(q + 6 + ml - p);
        }
    } else if ((m = month_at(p, &ml)) && p[ml] == ' ' && (n = small_num(p + ml + 1, &d))) {
        const char *q = p + ml + 1 + n;
        if (*q == ',' && q[1] == ' ' && digits(q + 2, 4, &y)) {
            day = civil_day(y, m, d);
            len = (size_t)(q + 6 - p);
        }
    }
    if (day == INT64_MIN)
        return false;
    *ret_day = day;
    *ret_len = len;
    return true;
}

/* The earliest date in text; its text in ret_text. INT64_MAX when none. */
static int64_t earliest_date(const char *text, char *ret_text, size_t size) {
    int64_t best = INT64_MAX;
    for (const char *p = text; *p; p++) {
        int64_t day;
        size_t len;
        if (date_at(text, p, &day, &len) && day < best) {
            best = day;
            snprintf(ret_text, size, "%.*s", (int)len, p);
        }
    }
    return best;
}

/* Does text name the day of t, in any of the formats above? */
static bool has_date(const char *text, dw_time_t t) {
    for (const char *p = text; p && *p; p++) {
        int64_t day;
        size_t len;
        if (date_at(text, p, &day, &len) && day == day_of(t))
            return true;
    }
    return false;
}

/* The SKUs a knowledge document is `about:` (its front matter), "" when it names none. */
static char *about_of(struct scn *s, const char *rel) {
    char path[4200];
    snprintf(path, sizeof path, "%s/knowledge/%s", s->workdir,
             strncmp(rel, "knowledge/", 10) == 0 ? rel + 10 : rel);
    char *data = NULL;
    size_t len;
    struct dw_error err = {0};
    if (dw_read_file(path, 1024 * 1024, &data, &len, &err) < 0)
        return NULL;
    char *a = strstr(data, "\nabout:");
    char *out = NULL;
    if (a) {
        char *lb = strchr(a, '['), *rb = lb ? strchr(lb, ']') : NULL;
        if (lb && rb)
            out = strndup(lb + 1, (size_t)(rb - lb - 1));
    }
    free(data);
    return out ? out : strdup("");
}

static void check_lines(struct scn *s, const char *deal, const json_t *lines, const json_t *want,
                        bool must) {
    size_t i;
    json_t *w;
    char what[256];
    json_array_foreach(want, i, w) {
        const char *pat = json_is_string(w) ? json_string_value(w) : dw_json_str(w, "sku");
        if (!pat)
            continue;
        bool found;
        int64_t q = qty_of(lines, pat, &found);
        char *all = lines_text(lines);
        char got[64];
        snprintf(got, sizeof got, "%lld", (long long)q);
        if (!must) {
            snprintf(what, sizeof what, "%s line %s", deal, pat);
            if (found)
                miss(s, what, "no such line", all);
            free(all);
            continue;
        }
        snprintf(what, sizeof what, "%s line %s", deal, pat);
        if (!found) {
            miss(s, what, "present%s", all, "");
            free(all);
            continue;
        }
        json_t *qv = json_object_get(w, "qty");
        if (qv && json_is_integer(qv) && q != json_integer_value(qv))
            miss(s, what, "quantity %lld", got, (long long)json_integer_value(qv));
        json_t *mn = json_object_get(w, "min"), *mx = json_object_get(w, "max");
        if (json_is_integer(mn) && q < json_integer_value(mn))
            miss(s, what, "quantity >= %lld", got, (long long)json_integer_value(mn));
        if (json_is_integer(mx) && q > json_integer_value(mx))
            miss(s, what, "quantity <= %lld", got, (long long)json_integer_value(mx));
        const char *le = dw_json_str(w, "at_most"), *ge = dw_json_str(w, "at_least");
        bool f2;
        if (le && q > qty_of(lines, le, &f2))
            miss(s, what, "quantity <= the quantity of %s (%lld)", got, le,
                 (long long)qty_of(lines, le, &f2));
        if (ge && q < qty_of(lines, ge, &f2))
            miss(s, what, "quantity >= the quantity of %s (%lld)", got, ge,
                 (long long)qty_of(lines, ge, &f2));
        free(all);
    }
}

static const char *role_of(const json_t *a) {
    const char *r = dw_json_str(a, "required_role");
    if (!r)
        r = dw_json_str(a, "role");
    return r ? r : "";
}

static void check_approvals(struct scn *s, const char *deal, const json_t *d, const json_t *want,
                            const char *status, bool exact) {
    json_t *apps = json_object_get(d, "approvals");
    char what[256], got[2048] = "";
    size_t i, k;
    json_t *a, *w;
    json_array_foreach(apps, k, a) {
        const char *st = dw_json_str(a, "status");
        if (!st || strcmp(st, status) != 0)
            continue;
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s/%s", n ? ", " : "", dw_json_str(a, "kind"),
                 role_of(a));
    }
    if (!got[0])
        snprintf(got, sizeof got, "none");
    snprintf(what, sizeof what, "%s approvals %s", deal, status);
    json_array_foreach(want, i, w) {
        const char *kind = json_is_string(w) ? json_string_value(w) : dw_json_str(w, "kind");
        const char *role = dw_json_str(w, "role");
        char kbuf[128];
        const char *slash = kind ? strchr(kind, '/') : NULL;
        if (slash) {
            snprintf(kbuf, sizeof kbuf, "%.*s", (int)(slash - kind), kind);
            role = slash + 1;
            kind = kbuf;
        }
        if (!kind)
            continue;
        const json_t *hit = NULL;
        json_array_foreach(apps, k, a) {
            const char *st = dw_json_str(a, "status"), *ak = dw_json_str(a, "kind");
            if (st && ak && strcmp(st, status) == 0 && strcmp(ak, kind) == 0)
                hit = a;
        }
        if (!hit) {
            miss(s, what, "%s%s%s", got, kind, role ? "/" : "", role ? role : "");
            continue;
        }
        if (role && strcmp(role, role_of(hit)) != 0)
            miss(s, what, "%s with role %s", role_of(hit), kind, role);
        json_t *rc = json_object_get(w, "reason_contains");
        size_t j;
        json_t *t;
        const char *reason = dw_json_str(hit, "reason");
        json_array_foreach(rc, j, t) {
            if (!reason || !strcasestr(reason, json_string_value(t)))
                miss(s, what, "%s reason mentioning \"%s\"", reason, kind, json_string_value(t));
        }
        if (json_is_string(rc) && (!reason || !strcasestr(reason, json_string_value(rc))))
            miss(s, what, "%s reason mentioning \"%s\"", reason, kind, json_string_value(rc));
    }
    if (exact) {
        json_array_foreach(apps, k, a) {
            const char *st = dw_json_str(a, "status"), *ak = dw_json_str(a, "kind");
            if (!st || strcmp(st, status) != 0)
                continue;
            bool wanted = false;
            json_array_foreach(want, i, w) {
                const char *kind =
                    json_is_string(w) ? json_string_value(w) : dw_json_str(w, "kind");
                size_t kl = kind ? strcspn(kind, "/") : 0;
                wanted |= kind && strlen(ak) == kl && strncmp(kind, ak, kl) == 0;
            }
            if (!wanted) {
                char *exp = join(want);
                miss(s, what, "only %s", got, exp);
                free(exp);
                break;
            }
        }
    }
}

static bool is_open_stage(const char *st) {
    static const char *const closed[] = {"ordered", "lost", "disqualified", "won", "closed", NULL};
    for (size_t i = 0; closed[i]; i++)
        if (st && strcmp(st, closed[i]) == 0)
            return false;
    return true;
}

static void check_slots(struct scn *s, const char *deal, const json_t *d) {
    json_t *slots = json_object_get(json_object_get(d, "schedule"), "slots");
    json_t *w = json_object_get(s->written, deal);
    dw_time_t at = (dw_time_t)dw_json_int(w, "schedule_at", (int64_t)s->now);
    char what[128];
    snprintf(what, sizeof what, "%s demo slots", deal);
    if (!json_array_size(slots)) {
        miss(s, what, "slots offered", "none");
        return;
    }
    size_t i;
    json_t *sl;
    json_array_foreach(slots, i, sl) {
        const char *start = dw_json_str(sl, "start");
        dw_time_t t;
        if (!start || dw_time_parse(start, &t) < 0)
            continue;
        char wbuf[64];
        if (t <= at)
            miss(s, what, "every slot after %s (when offered)", start,
                 dw_time_format(at, wbuf, sizeof wbuf));
        /* the same engineer and start offered to another open deal */
        const char *user = dw_json_str(sl, "user");
        json_t *list = NULL;
        struct dw_error err = {0};
        if (dw_deals_list(s->e, NULL, &list, &err) < 0)
            continue;
        size_t k;
        json_t *row;
        json_array_foreach(list, k, row) {
            const char *other = dw_json_str(row, "id");
            if (!other || strcmp(other, deal) == 0 || !is_open_stage(dw_json_str(row, "stage")))
                continue;
            json_t *od = deal_get(s, other);
            size_t j;
            json_t *os;
            json_array_foreach(json_object_get(json_object_get(od, "schedule"), "slots"), j, os) {
                const char *ou = dw_json_str(os, "user"), *ost = dw_json_str(os, "start");
                if (ost && strcmp(ost, start) == 0 && (!user || !ou || strcmp(user, ou) == 0)) {
                    char got[256];
                    snprintf(got, sizeof got, "%s %s also offered to %s", user ? user : "", start,
                             other);
                    miss(s, what, "not offered to another open deal", got);
                }
            }
            json_decref(od);
        }
        json_decref(list);
    }
}

static void check_dates(struct scn *s, const char *deal, const char *kind) {
    json_t *w = json_object_get(s->written, deal);
    const char *text = dw_json_str(w, kind);
    char at_key[64];
    snprintf(at_key, sizeof at_key, "%s_at", kind);
    if (!text)
        return;
    dw_time_t at = (dw_time_t)dw_json_int(w, at_key, 0);
    char dtext[64] = "", what[128], wbuf[32];
    int64_t day = earliest_date(text, dtext, sizeof dtext);
    if (day != INT64_MAX && day < day_of(at)) {
        snprintf(what, sizeof what, "%s %s dates", deal, kind);
        miss(s, what, "no date before %s (when it was written)", dtext,
             dw_date_format(at, wbuf, sizeof wbuf));
    }
}

static int do_expect(struct scn *s, const json_t *x, const json_t *at) {
    static const char *const known[] = {"deal",
                                        "stage",
                                        "submitted",
                                        "deals",
                                        "pending",
                                        "pending_include",
                                        "decided",
                                        "currency",
                                        "total",
                                        "discount_pct",
                                        "lines",
                                        "no_lines",
                                        "language",
                                        "contract",
                                        "flags",
                                        "no_flags",
                                        "citations_quoted_only",
                                        "dates",
                                        "valid_days",
                                        "slots",
                                        "order",
                                        "excluded",
                                        "proposal_contains",
                                        "proposal_not_contains",
                                        "reply_contains",
                                        "standards",
                                        "not_covered",
                                        "quote",
                                        "note",
                                        "revisions",
                                        "language_fallback",
                                        "proposal_dates",
                                        "proposal_no_dates",
                                        NULL};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)x, key, v) {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok |= strcmp(known[i], key) == 0;
        if (!ok)
            return step_fail(s, at, "expect: unknown key '%s' (docs/internals/scenarios.md)", key);
    }
    const char *deal = deal_ref(s, x, at);
    if (!deal)
        return -1;
    json_t *d = deal_get(s, deal);
    if (!d)
        return step_fail(s, at, "deal %s cannot be read", deal);
    char what[256], got[1024];
    const char *stage = dw_json_str(d, "stage");
    json_t *quote = json_object_get(d, "quote");
    json_t *lines = json_object_get(quote, "lines");

    if ((v = json_object_get(x, "stage")) && !str_in(v, stage)) {
        char *e = join(v);
        const char *err = dw_json_str(d, "last_error");
        snprintf(got, sizeof got, "%s%s%s", stage, err ? "; last error: " : "", err ? err : "");
        snprintf(what, sizeof what, "%s stage", deal);
        miss(s, what, "%s", got, e);
        free(e);
    }
    if ((v = json_object_get(x, "submitted")) &&
        !str_in(v, json_string_value(s->last_status) ? json_string_value(s->last_status) : "")) {
        char *e = join(v);
        miss(s, "submission of the last lead", "%s", json_string_value(s->last_status), e);
        free(e);
    }
    if ((v = json_object_get(x, "deals"))) {
        json_t *list = NULL;
        struct dw_error err = {0};
        dw_deals_list(s->e, NULL, &list, &err);
        snprintf(got, sizeof got, "%zu", json_array_size(list));
        if ((json_int_t)json_array_size(list) != json_integer_value(v))
            miss(s, "number of deals", "%lld", got, (long long)json_integer_value(v));
        json_decref(list);
    }
    if ((v = json_object_get(x, "pending")))
        check_approvals(s, deal, d, v, "pending", true);
    if ((v = json_object_get(x, "pending_include")))
        check_approvals(s, deal, d, v, "pending", false);
    if ((v = json_object_get(x, "decided"))) {
        size_t i;
        json_t *w;
        json_array_foreach(v, i, w) {
            json_t *one = json_pack("[O]", w);
            check_approvals(s, deal, d, one,
                            dw_json_str(w, "status") ? dw_json_str(w, "status") : "approved",
                            false);
            json_decref(one);
        }
    }
    if ((v = json_object_get(x, "quote")) && json_is_boolean(v)) {
        snprintf(what, sizeof what, "%s quote", deal);
        if (json_is_true(v) && !json_is_object(quote))
            miss(s, what, "a quote", "none");
        if (json_is_false(v) && json_is_object(quote))
            miss(s, what, "no quote", dw_json_str(quote, "total"));
    }
    if ((v = json_object_get(x, "revisions"))) {
        size_t nrev = json_array_size(json_object_get(d, "quotes"));
        snprintf(what, sizeof what, "%s quote revisions", deal);
        snprintf(got, sizeof got, "%zu", nrev);
        if ((json_int_t)nrev != json_integer_value(v))
            miss(s, what, "%lld", got, (long long)json_integer_value(v));
    }
    if ((v = json_object_get(x, "currency"))) {
        snprintf(what, sizeof what, "%s currency", deal);
        if (!str_in(v, dw_json_str(quote, "currency") ? dw_json_str(quote, "currency") : ""))
            miss(s, what, "%s", dw_json_str(quote, "currency"), json_string_value(v));
    }
    if ((v = json_object_get(x, "total"))) {
        snprintf(what, sizeof what, "%s total", deal);
        const char *cur = dw_json_str(quote, "currency");
        bool okn;
        double t = num(json_object_get(quote, "total"), &okn);
        snprintf(got, sizeof got, "%s %s", cur ? cur : "-", dw_json_str(quote, "total"));
        const char *wc = dw_json_str(v, "currency");
        bool o1, o2;
        double mn = num(json_object_get(v, "min"), &o1), mx = num(json_object_get(v, "max"), &o2);
        if (!okn)
            miss(s, what, "a quote total", "no quote");
        else {
            if (wc && (!cur || strcmp(wc, cur) != 0))
                miss(s, what, "in %s", got, wc);
            if ((o1 && t < mn) || (o2 && t > mx))
                miss(s, what, "between %.2f and %.2f", got, o1 ? mn : 0.0, o2 ? mx : 1e15);
        }
    }
    if ((v = json_object_get(x, "discount_pct"))) {
        snprintf(what, sizeof what, "%s discount", deal);
        bool okn, o1, o2;
        double p = num(json_object_get(quote, "discount_pct"), &okn);
        double mn = json_is_object(v) ? num(json_object_get(v, "min"), &o1) : num(v, &o1);
        double mx = json_is_object(v) ? num(json_object_get(v, "max"), &o2) : num(v, &o2);
        if (!okn || (o1 && p < mn - 1e-9) || (o2 && p > mx + 1e-9))
            miss(s, what, "%g%% .. %g%%", dw_json_str(quote, "discount_pct"), o1 ? mn : 0.0,
                 o2 ? mx : 100.0);
    }
    if ((v = json_object_get(x, "lines")))
        check_lines(s, deal, lines, v, true);
    if ((v = json_object_get(x, "no_lines")))
        check_lines(s, deal, lines, v, false);
    if ((v = json_object_get(x, "language"))) {
        json_t *w = json_object_get(s->written, deal);
        const char *docs[] = {"reply", "proposal"};
        for (size_t k = 0; k < 2; k++) {
            const char *want = json_is_string(v) ? json_string_value(v) : dw_json_str(v, docs[k]);
            const char *text = dw_json_str(w, docs[k]);
            if (!want || (json_is_string(v) && !text))
                continue;
            snprintf(what, sizeof what, "%s %s language", deal, docs[k]);
            if (!text)
                miss(s, what, "a %s in %s", "no such document", docs[k], want);
            else {
                char *prose = prose_of(text);
                const char *lang = language_of(prose);
                if (strcmp(lang, want) != 0)
                    miss(s, what, "%s", lang, want);
                free(prose);
            }
        }
    }
    if ((v = json_object_get(x, "language_fallback")) && json_is_boolean(v)) {
        /* the deal says when the customer's language had no template */
        json_t *p = json_object_get(d, "proposal");
        json_t *fb = json_object_get(p, "language_fallback");
        snprintf(what, sizeof what, "%s proposal language fallback", deal);
        if (!json_is_object(p))
            miss(s, what, "%s", "no proposal", json_is_true(v) ? "stated" : "none");
        else if (!json_is_boolean(fb))
            miss(s, what, "%s", "not stated", json_is_true(v) ? "stated" : "none");
        else if (json_is_true(fb) != json_is_true(v))
            miss(s, what, "%s", json_is_true(fb) ? "a fallback" : "no fallback",
                 json_is_true(v) ? "a fallback" : "no fallback");
    }
    if ((v = json_object_get(x, "contract"))) {
        json_t *c = json_object_get(d, "contract");
        snprintf(what, sizeof what, "%s contract", deal);
        if (!json_is_object(c))
            miss(s, what, "contract review done", "none");
        else {
            const char *ec = dw_json_str(json_object_get(c, "export_control"), "status");
            json_t *w = json_object_get(v, "export_control");
            if (w && !str_in(w, ec ? ec : "")) {
                char *e = join(w);
                snprintf(what, sizeof what, "%s export control", deal);
                miss(s, what, "%s", ec, e);
                free(e);
            }
            json_t *dpa = json_object_get(v, "dpa");
            if (dpa && json_is_boolean(dpa) && dw_json_bool(c, "dpa", false) != json_is_true(dpa)) {
                snprintf(what, sizeof what, "%s DPA", deal);
                miss(s, what, "%s", dw_json_bool(c, "dpa", false) ? "true" : "false",
                     json_is_true(dpa) ? "true" : "false");
            }
            json_t *flags = json_object_get(c, "legal_flags");
            json_t *lf = json_object_get(v, "legal_flags");
            char *fl = json_dumps(flags, JSON_COMPACT);
            snprintf(what, sizeof what, "%s legal flags", deal);
            if (json_is_integer(lf) && (json_int_t)json_array_size(flags) != json_integer_value(lf))
                miss(s, what, "%lld flags", fl, (long long)json_integer_value(lf));
            json_t *lfmin = json_object_get(v, "legal_flags_min");
            if (json_is_integer(lfmin) &&
                (json_int_t)json_array_size(flags) < json_integer_value(lfmin))
                miss(s, what, "at least %lld flags", fl, (long long)json_integer_value(lfmin));
            free(fl);
        }
    }
    json_t *req = json_object_get(d, "requirements");
    if (json_object_get(x, "flags") || json_object_get(x, "no_flags")) {
        /* a deal's flags: its leads' intake flags, and the requirements' lists of that name
         * (instructions_detected) when they are not empty */
        json_t *all = json_array();
        size_t i, k;
        json_t *f, *l;
        json_array_foreach(json_object_get(d, "leads"), i, l) {
            json_array_foreach(json_object_get(json_object_get(l, "intake"), "flags"), k, f)
                json_array_append(all, f);
        }
        const char *rk;
        json_object_foreach(req, rk, v) {
            if ((json_is_array(v) && json_array_size(v)) || json_is_true(v))
                json_array_append_new(all, json_string(rk));
        }
        char *alls = json_dumps(all, JSON_COMPACT);
        json_array_foreach(json_object_get(x, "flags"), i, f) {
            snprintf(what, sizeof what, "%s flag %s", deal, json_string_value(f));
            if (!str_in(all, json_string_value(f)))
                miss(s, what, "flagged", alls);
        }
        json_array_foreach(json_object_get(x, "no_flags"), i, f) {
            snprintf(what, sizeof what, "%s flag %s", deal, json_string_value(f));
            if (str_in(all, json_string_value(f)))
                miss(s, what, "not flagged", alls);
        }
        free(alls);
        json_decref(all);
    }
    if ((v = json_object_get(x, "excluded")))
        expect_named(s, v, json_object_get(req, "excluded_capabilities"), deal,
                     "excluded capability");
    if ((v = json_object_get(x, "standards")))
        expect_named(s, v, json_object_get(req, "standards"), deal, "standard");
    if ((v = json_object_get(x, "not_covered"))) {
        json_t *nc = json_object_get(json_object_get(d, "solution"), "not_covered");
        char *ncs = json_dumps(nc, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t i;
        json_t *f;
        json_array_foreach(v, i, f) {
            snprintf(what, sizeof what, "%s not covered", deal);
            if (!ncs || !strcasestr(ncs, json_string_value(f)))
                miss(s, what, "names %s", ncs, json_string_value(f));
        }
        free(ncs);
    }
    json_t *w = json_object_get(s->written, deal);
    const char *md = dw_json_str(w, "proposal");
    const char *reply = dw_json_str(w, "reply");
    if ((v = json_object_get(x, "proposal_contains"))) {
        size_t i;
        json_t *f;
        json_array_foreach(v, i, f) {
            snprintf(what, sizeof what, "%s proposal text", deal);
            if (!md || !strcasestr(md, json_string_value(f)))
                miss(s, what, "contains \"%s\"", md ? "not found" : "no proposal",
                     json_string_value(f));
        }
    }
    static const char *const date_keys[] = {"proposal_dates", "proposal_no_dates"};
    for (size_t k = 0; k < 2; k++) {
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(x, date_keys[k]), i, f) {
            dw_time_t t;
            if (!json_is_string(f) || dw_time_parse(json_string_value(f), &t) < 0) {
                char full[64];
                snprintf(full, sizeof full, "%sT12:00:00Z",
                         json_is_string(f) ? json_string_value(f) : "");
                if (dw_time_parse(full, &t) < 0) {
                    json_decref(d);
                    return step_fail(s, at, "%s: dates as YYYY-MM-DD", date_keys[k]);
                }
            }
            snprintf(what, sizeof what, "%s proposal date %s", deal, json_string_value(f));
            bool has = md && has_date(md, t);
            if (k == 0 && !has)
                miss(s, what, "named (in any date format)", md ? "not found" : "no proposal");
            if (k == 1 && has)
                miss(s, what, "not named", "found");
        }
    }
    if ((v = json_object_get(x, "proposal_not_contains"))) {
        size_t i;
        json_t *f;
        json_array_foreach(v, i, f) {
            snprintf(what, sizeof what, "%s proposal text", deal);
            if (md && strcasestr(md, json_string_value(f)))
                miss(s, what, "does not contain \"%s\"", "found", json_string_value(f));
        }
    }
    if ((v = json_object_get(x, "reply_contains"))) {
        size_t i;
        json_t *f;
        json_array_foreach(v, i, f) {
            snprintf(what, sizeof what, "%s reply text", deal);
            if (!reply || !strcasestr(reply, json_string_value(f)))
                miss(s, what, "contains \"%s\"", reply ? "not found" : "no reply",
                     json_string_value(f));
        }
    }
    if ((v = json_object_get(x, "order")) && json_is_boolean(v)) {
        bool has = json_is_object(json_object_get(d, "order"));
        snprintf(what, sizeof what, "%s order", deal);
        if (has != json_is_true(v))
            miss(s, what, "%s", has ? "an order" : "no order",
                 json_is_true(v) ? "an order" : "no order");
    }
    if ((v = json_object_get(x, "valid_days"))) {
        /* the proposal's "valid until" and the quote's are the same day: written + N */
        snprintf(what, sizeof what, "%s quote validity", deal);
        const char *qv = dw_json_str(quote, "valid_until");
        dw_time_t pat = (dw_time_t)dw_json_int(w, "proposal_at", 0);
        char exp[32];
        dw_date_format(pat + (dw_time_t)json_integer_value(v) * 86400, exp, sizeof exp);
        if (!md)
            miss(s, what, "a proposal valid until %s", "no proposal", exp);
        else {
            if (!qv || strcmp(qv, exp) != 0)
                miss(s, what, "quote valid until %s", qv, exp);
            /* the proposal names that day, in its language's format */
            if (!has_date(md, pat + (dw_time_t)json_integer_value(v) * 86400)) {
                char pgot[256] = "";
                for (const char *p = md; p && *p && !pgot[0]; p++) {
                    int64_t day;
                    size_t len;
                    if (date_at(md, p, &day, &len) && day > day_of(pat))
                        snprintf(pgot, sizeof pgot, "%.*s", (int)len, p);
                }
                miss(s, what, "proposal valid until %s", pgot[0] ? pgot : "no such date", exp);
            }
        }
    }
    if ((v = json_object_get(x, "slots")) && json_is_true(v))
        check_slots(s, deal, d);
    json_t *dt = json_object_get(x, "dates");
    if (!dt || json_is_true(dt)) {
        check_dates(s, deal, "proposal");
        check_dates(s, deal, "reply");
    }
    if ((v = json_object_get(x, "citations_quoted_only")) && json_is_true(v)) {
        json_t *cites = json_object_get(json_object_get(d, "proposal"), "citations");
        size_t i;
        json_t *c;
        json_array_foreach(cites, i, c) {
            const char *path = dw_json_str(c, "path");
            char *about = path ? about_of(s, path) : NULL;
            if (!about || !about[0]) {
                free(about);
                continue;
            }
            bool any = false;
            size_t k;
            json_t *l;
            json_array_foreach(lines, k, l) {
                const char *sku = dw_json_str(l, "sku");
                char *p = about;
                size_t n = sku ? strlen(sku) : 0;
                while (n && (p = strstr(p, sku))) {
                    if ((p == about || !isalnum((unsigned char)p[-1])) &&
                        !isalnum((unsigned char)p[n]) && p[n] != '-')
                        any = true;
                    p += n;
                }
            }
            snprintf(what, sizeof what, "%s citation %s", deal, path);
            if (!any)
                miss(s, what, "about a quoted item (one of [%s])", "none of them is quoted", about);
            free(about);
        }
    }
    json_decref(d);
    return 0;
}

/* ---- one scenario ---------------------------------------------------------------------- */

static const char *step_kind(const json_t *step, json_t **val) {
    static const char *const kinds[] = {"lead",    "leads",   "sample", "followup", "run",
                                        "advance", "approve", "reject", "accept",   "discount",
                                        "expect",  "at",      NULL};
    if (json_is_string(step)) {
        *val = NULL;
        return json_string_value(step);
    }
    for (size_t i = 0; kinds[i]; i++)
        if ((*val = json_object_get(step, kinds[i])))
            return kinds[i];
    return NULL;
}

static int run_step(struct scn *s, json_t *step) {
    json_t *v;
    const char *k = step_kind(step, &v);
    if (!k)
        return step_fail(s, step,
                         "a step is one of lead, leads, sample, followup, run, advance, approve, "
                         "reject, accept, discount, expect, at");
    bool hold = dw_json_bool(step, "hold", false);
    if (strcmp(k, "lead") == 0 || strcmp(k, "followup") == 0 || strcmp(k, "sample") == 0 ||
        strcmp(k, "leads") == 0)
        return do_leads(s, v, step, !hold);
    if (strcmp(k, "run") == 0)
        return do_run(s);
    if (strcmp(k, "advance") == 0) {
        int64_t d;
        if (!json_is_string(v) || duration_parse(json_string_value(v), &d) < 0)
            return step_fail(s, step, "advance: a duration such as 10d, 36h, 90m, 2w");
        s->now += (dw_time_t)d;
        clock_set(s);
        return dw_json_bool(step, "run", true) ? do_run(s) : 0;
    }
    if (strcmp(k, "at") == 0) {
        dw_time_t t;
        if (!json_is_string(v) || dw_time_parse(json_string_value(v), &t) < 0)
            return step_fail(s, step, "at: an RFC 3339 time (2026-12-06T09:00:00Z)");
        if (t < s->now)
            return step_fail(s, step, "at: the clock only moves forward");
        s->now = t;
        clock_set(s);
        return 0;
    }
    if (!json_is_object(v))
        return step_fail(s, step, "%s: a mapping", k);
    if (strcmp(k, "approve") == 0)
        return do_decide(s, v, step, true);
    if (strcmp(k, "reject") == 0)
        return do_decide(s, v, step, false);
    if (strcmp(k, "accept") == 0)
        return do_accept(s, v, step);
    if (strcmp(k, "discount") == 0)
        return do_discount(s, v, step);
    return do_expect(s, v, step);
}

static int scenario_run(struct scn *s, const json_t *sc, const char *set_dir) {
    const char *ws = dw_json_str(sc, "workspace");
    snprintf(s->workdir, sizeof s->workdir, "/tmp/dealwright-scenario-XXXXXX");
    if (!mkdtemp(s->workdir)) {
        s->workdir[0] = '\0';
        return step_fail(s, sc, "cannot create a scratch directory in /tmp");
    }
    struct dw_error err = {0};
    char buf[1024];
    if (!ws || strcmp(ws, "example") == 0) {
        if (dw_workspace_write_example(s->workdir, &err) < 0)
            return step_fail(s, sc, "%s", dw_error_format(&err, buf, sizeof buf));
    } else {
        char src[4096];
        snprintf(src, sizeof src, "%s%s%s", ws[0] == '/' ? "" : set_dir, ws[0] == '/' ? "" : "/",
                 ws);
        if (copy_tree(src, s->workdir, 0) < 0)
            return step_fail(s, sc, "workspace %s: cannot copy it", src);
    }
    if (s->models) { /* the same scenarios with the agents using a model */
        char dst[4200];
        snprintf(dst, sizeof dst, "%s/models.yaml", s->workdir);
        FILE *in = fopen(s->models, "rb"), *out = in ? fopen(dst, "wb") : NULL;
        char chunk[4096];
        size_t k;
        bool ok = in && out;
        while (ok && (k = fread(chunk, 1, sizeof chunk, in)) > 0)
            ok = fwrite(chunk, 1, k, out) == k;
        if (in)
            fclose(in);
        if (out && fclose(out) != 0)
            ok = false;
        if (!ok)
            return step_fail(s, sc, "--models %s: cannot copy it into the workspace", s->models);
    }
    if (load_samples(s) < 0)
        return step_fail(s, sc, "samples/leads.jsonl of the workspace cannot be read");
    const char *now = dw_json_str(sc, "now");
    if (!now) {
        /* the first lead's arrival, when it says; else a fixed day */
        json_t *first = json_array_get(json_object_get(sc, "steps"), 0), *v = NULL;
        const char *k = first ? step_kind(first, &v) : NULL;
        now = SCN_DEFAULT_NOW;
        if (k && json_is_array(v))
            v = json_array_get(v, 0);
        if (k && json_is_string(v) && json_object_get(s->samples, json_string_value(v)))
            v = json_object_get(s->samples, json_string_value(v));
        if (k && json_is_object(v) && dw_json_str(v, "sample"))
            v = json_object_get(s->samples, dw_json_str(v, "sample"));
        if (k && json_is_object(v) && dw_json_str(v, "received_at"))
            now = dw_json_str(v, "received_at");
    }
    if (dw_time_parse(now, &s->now) < 0)
        return step_fail(s, sc, "now: an RFC 3339 time (2026-12-01T09:00:00Z)");
    clock_set(s);
    struct dw_diags diags = {0};
    struct dw_engine_opts o = {.now_pin = s->now, .model_key = cli_model_key};
    int r = dw_engine_open_opts(s->workdir, &o, &s->e, &diags, &err);
    dw_diags_release(&diags);
    if (r < 0)
        return step_fail(s, sc, "the workspace: %s", dw_error_format(&err, buf, sizeof buf));
    json_t *steps = json_object_get(sc, "steps");
    if (!json_is_array(steps) || json_array_size(steps) == 0 ||
        json_array_size(steps) > SCN_MAX_STEPS)
        return step_fail(s, sc, "steps: a list of 1 to %d steps", SCN_MAX_STEPS);
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step) {
        s->step = (int)i + 1;
        if (run_step(s, step) < 0)
            return -1;
        note_written(s);
    }
    json_t *final = json_object_get(sc, "expect");
    if (final) {
        s->step = (int)json_array_size(steps) + 1;
        json_t *list = json_is_array(final) ? json_incref(final) : json_pack("[O]", final);
        json_array_foreach(list, i, step) {
            if (do_expect(s, step, step) < 0) {
                json_decref(list);
                return -1;
            }
        }
        json_decref(list);
    }
    return 0;
}

/* ---- the command ------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_yaml(const char *n) {
    size_t l = strlen(n);
    return n[0] != '.' && ((l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
                           (l > 4 && strcmp(n + l - 4, ".yml") == 0));
}

int cmd_eval_scenarios(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *dir = cli_opt(&argc, argv, "--set", &bad);
    const char *only = cli_opt(&argc, argv, "--only", &bad);
    bool keep = cli_flag(&argc, argv, "--keep");
    const char *models = cli_opt(&argc, argv, "--models", &bad);
    if (bad || argc != 0)
        return cli_usage("usage: dealwright eval scenarios [--set DIR] [--only NAME] [--keep] "
                         "[--models FILE] [--json]");
    if (!dir)
        dir = "tests/data/scenarios";
    if (dw_init() < 0)
        return EXIT_INTERNAL;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "dealwright: --set %s: cannot open the directory\n", dir);
        return EXIT_NOTFOUND;
    }
    char **files = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < SCN_MAX_FILES) {
        if (!is_yaml(de->d_name))
            continue;
        char **nf = realloc(files, (n + 1) * sizeof *files);
        if (!nf)
            break;
        files = nf;
        if (asprintf(&files[n], "%s/%s", dir, de->d_name) < 0)
            break;
        n++;
    }
    closedir(d);
    qsort(files, n, sizeof *files, cmp_str);
    json_t *report = json_array(), *names = json_object();
    int code = EXIT_OK, total = 0, passed = 0, nmiss = 0;
    for (size_t f = 0; f < n; f++) {
        struct ypos P = {.map = json_object(), .file = files[f]};
        json_t *doc = NULL;
        struct dw_error err = {0};
        char buf[1024];
        if (yaml_load(files[f], &P, &doc, &err) < 0) {
            fprintf(stderr, "dealwright: %s\n", dw_error_format(&err, buf, sizeof buf));
            json_decref(P.map);
            code = EXIT_INPUT;
            break;
        }
        json_t *list = json_object_get(doc, "scenarios");
        list = list ? json_incref(list) : json_pack("[O]", doc);
        if (!json_is_array(list)) {
            fprintf(stderr, "dealwright: %s:%s: scenarios: a list of scenarios\n", files[f],
                    pos_get(&P, doc));
            code = EXIT_INPUT;
        }
        size_t i;
        json_t *sc;
        json_array_foreach(list, i, sc) {
            const char *name = dw_json_str(sc, "name");
            if (!json_is_object(sc) || !name) {
                fprintf(stderr, "dealwright: %s:%s: a scenario is a mapping with a name\n",
                        files[f], pos_get(&P, sc));
                code = EXIT_INPUT;
                continue;
            }
            if (json_object_get(names, name)) {
                fprintf(stderr, "dealwright: %s:%s: scenario '%s' is also in %s\n", files[f],
                        pos_get(&P, sc), name, dw_json_str(names, name));
                code = EXIT_INPUT;
                continue;
            }
            json_object_set_new(names, name, json_string(files[f]));
            if (only && !strstr(name, only))
                continue;
            struct scn s = {.file = files[f],
                            .models = models,
                            .P = &P,
                            .name = name,
                            .misses = json_array(),
                            .deal_of = json_object(),
                            .written = json_object()};
            int64_t t0 = dw_monotonic_us();
            scenario_run(&s, sc, dir);
            double secs = (double)(dw_monotonic_us() - t0) / 1e6;
            dw_engine_close(s.e);
            total++;
            size_t nm = json_array_size(s.misses);
            bool ok = nm == 0 && !s.error;
            passed += ok;
            nmiss += (int)nm + (s.error != NULL);
            json_t *rec =
                json_pack("{s:s,s:s,s:s,s:b,s:O,s:f}", "name", name, "file", files[f], "at",
                          pos_get(&P, sc), "passed", ok, "misses", s.misses, "seconds", secs);
            if (s.error)
                json_object_set(rec, "error", s.error);
            json_array_append_new(report, rec);
            if (!cli->json) {
                printf("%s %s (%s:%s)\n", ok ? "pass" : "MISS", name, files[f], pos_get(&P, sc));
                if (s.error)
                    printf("    error: %s\n", json_string_value(s.error));
                size_t k;
                json_t *m;
                json_array_foreach(s.misses, k, m)
                    printf("    step %lld: %s: expected %s; got %s\n",
                           (long long)dw_json_int(m, "step", 0), dw_json_str(m, "what"),
                           dw_json_str(m, "expected"), dw_json_str(m, "got"));
                fflush(stdout);
            }
            if (keep)
                fprintf(stderr, "dealwright: %s kept in %s\n", name, s.workdir);
            else
                rm_rf(s.workdir);
            json_decref(s.misses);
            json_decref(s.error);
            json_decref(s.deal_of);
            json_decref(s.written);
            json_decref(s.samples);
            json_decref(s.last_status);
        }
        json_decref(list);
        json_decref(doc);
        json_decref(P.map);
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (code == EXIT_OK && total == 0) {
        fprintf(stderr, "dealwright: --set %s: no scenario%s\n", dir, only ? " by that name" : "");
        code = EXIT_NOTFOUND;
    }
    if (cli->json) {
        json_t *out = json_pack("{s:i,s:i,s:i,s:o}", "scenarios", total, "passed", passed, "misses",
                                nmiss, "results", report);
        cli_print_json(out);
        json_decref(out);
    } else {
        printf("\n%d scenario%s, %d passed, %d failed (%d miss%s)\n", total, total == 1 ? "" : "s",
               passed, total - passed, nmiss, nmiss == 1 ? "" : "es");
        json_decref(report);
    }
    json_decref(names);
    if (code == EXIT_OK && passed < total)
        code = EXIT_CHECK;
    return code;
}

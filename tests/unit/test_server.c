/* The server's parts that are not HTTP: the route table against the OpenAPI document the
 * server serves (every row described, every description a row), and the event pump. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "server/internal.h"

/* The document served at /v1/openapi.json (api/openapi.yaml, embedded and linked in). */
extern const char dw_serve_openapi[];

static char dir[64];

/* "get /v1/deals/{id}" for a method and a path */
static void key(char *out, size_t len, const char *method, const char *path) {
    snprintf(out, len, "%s %s", method, path);
    for (char *p = out; *p && *p != ' '; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
}

static void routes_match_the_document(void **state) {
    (void)state;
    json_error_t je;
    json_t *doc = json_loads(dw_serve_openapi, 0, &je);
    if (!doc)
        fail_msg("the OpenAPI document: line %d: %s", je.line, je.text);
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_object_size(paths) > 0);
    char k[160];
    /* every row of the table is described, with its method */
    size_t described = 0;
    for (size_t i = 0; i < srv_n_routes; i++) {
        const struct route *rt = &srv_routes[i];
        assert_non_null(rt->fn);
        assert_non_null(rt->label);
        assert_true(rt->perm == P_PUBLIC || rt->perm == P_TOKEN || rt->action);
        if (rt->undocumented)
            continue;
        key(k, sizeof k, rt->method, rt->path);
        json_t *p = json_object_get(paths, rt->path);
        char m[8];
        key(m, sizeof m, rt->method, "");
        m[strlen(m) - 1] = '\0';
        if (!p || !json_object_get(p, m))
            fail_msg("the route %s is not in the OpenAPI document", k);
        described++;
    }
    /* every described operation is a row */
    const char *path;
    json_t *ops;
    size_t n_ops = 0;
    json_object_foreach(paths, path, ops) {
        const char *method;
        json_t *op;
        json_object_foreach(ops, method, op) {
            if (strcmp(method, "get") && strcmp(method, "post") && strcmp(method, "delete") &&
                strcmp(method, "put") && strcmp(method, "patch"))
                continue; /* parameters, summary */
            n_ops++;
            bool found = false;
            for (size_t i = 0; i < srv_n_routes && !found; i++) {
                char have[160];
                key(have, sizeof have, srv_routes[i].method, srv_routes[i].path);
                key(k, sizeof k, method, path);
                found = !srv_routes[i].undocumented && strcmp(have, k) == 0;
            }
            if (!found)
                fail_msg("the document describes %s %s, which no route serves", method, path);
        }
    }
    assert_int_equal(n_ops, described);
    json_decref(doc);
}

static void labels_are_the_tables(void **state) {
    (void)state;
    srv_routes_init();
    assert_string_equal(srv_labels[0], "unknown");
    for (size_t i = 0; i < srv_n_routes; i++) {
        size_t k = srv_label_index(&srv_routes[i]);
        assert_true(k > 0 && k < srv_n_labels);
        assert_string_equal(srv_labels[k], srv_routes[i].label);
    }
    assert_int_equal(srv_label_index(NULL), 0);
}

/* ---- the event pump ------------------------------------------------------------------- */

static int setup(void **state) {
    (void)state;
    return example_copy(dir, sizeof dir, "dw-server");
}

static int teardown(void **state) {
    (void)state;
    return dir_remove(dir);
}

struct waiter {
    struct dw_pump *pump;
    int64_t after, seen;
};

static void *wait_main(void *arg) {
    struct waiter *w = arg;
    w->seen = dw_pump_wait(w->pump, w->after, 5000);
    return NULL;
}

static int64_t ms_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pump_wakes_subscribers(void **state) {
    (void)state;
    struct dw_engine *e = NULL, *pe = NULL;
    struct dw_diags diags = {0};
    struct dw_error err = {0};
    assert_int_equal(dw_engine_open(dir, NULL, &e, &diags, &err), 0);
    dw_diags_release(&diags);
    /* the pump's engine shares the snapshot: no second load */
    assert_int_equal(dw_engine_open_shared(e, NULL, &pe, &err), 0);
    assert_ptr_equal(dw_engine_workspace(pe), dw_engine_workspace(e));
    /* a long interval: only the kick can wake the waiter in time */
    struct dw_pump *p = dw_pump_start(pe, 60000);
    assert_non_null(p);
    int64_t start = dw_pump_last(p);
    /* nobody subscribed: a wait times out, the pump reads nothing */
    assert_int_equal(dw_pump_wait(p, start, 50), start);

    dw_pump_subscribe(p);
    struct waiter w = {.pump = p, .after = start};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_main, &w), 0);
    usleep(100 * 1000);
    json_t *leads = json_loads(
        "[{\"source\":\"web_form\",\"external_id\":\"pump-1\",\"contact\":{\"email\":"
        "\"it@mill.example\",\"company\":\"Mill AG\",\"country\":\"DE\"},\"message\":\"SD-WAN "
        "for 3 sites\"}]",
        0, NULL);
    json_t *res = NULL;
    assert_int_equal(dw_leads_submit(e, leads, &res, &err), 0);
    int64_t t0 = ms_now();
    dw_pump_kick(p);
    pthread_join(t, NULL);
    assert_true(ms_now() - t0 < 2000);
    assert_true(w.seen > start); /* the lead's event */
    assert_int_equal(dw_pump_last(p), w.seen);

    /* stopping wakes a waiter at once */
    w.after = dw_pump_last(p);
    assert_int_equal(pthread_create(&t, NULL, wait_main, &w), 0);
    usleep(50 * 1000);
    t0 = ms_now();
    dw_pump_stop(p);
    pthread_join(t, NULL);
    assert_true(ms_now() - t0 < 1000);
    dw_pump_unsubscribe(p);
    dw_pump_join(p);
    json_decref(leads);
    json_decref(res);
    dw_engine_close(pe);
    dw_engine_close(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_match_the_document),
        cmocka_unit_test(labels_are_the_tables),
        cmocka_unit_test_setup_teardown(pump_wakes_subscribers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

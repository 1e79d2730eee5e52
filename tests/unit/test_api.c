/* Unit tests of the calls the public API gained for its surfaces (include/dealwright/):
 * the version, writing the example workspace and its summary, reading lead files, the
 * agent registry, the configurator's input check and extraction evaluation. Built like an
 * embedder: the public headers only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <dealwright/dealwright.h>

static char dir[64];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dw-api-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_tmp(const char *name, const char *text, size_t len) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void version(void **state) {
    (void)state;
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", DW_VERSION_MAJOR, DW_VERSION_MINOR, DW_VERSION_PATCH);
    assert_string_equal(v, DW_VERSION_STRING);
    assert_string_equal(dw_version(), DW_VERSION_STRING);
}

static void example_workspace(void **state) {
    (void)state;
    struct dw_error err = {0};
    char ws_dir[128], probe[160];
    snprintf(ws_dir, sizeof ws_dir, "%s/a/b/ws", dir);
    int n = dw_workspace_write_example(ws_dir, &err);
    assert_true(n > 10); /* catalog, policies, team, price books, templates, knowledge */
    snprintf(probe, sizeof probe, "%s/dealwright.yaml", ws_dir);
    assert_int_equal(access(probe, R_OK), 0);
    /* never over a workspace, nor onto a file */
    assert_int_equal(dw_workspace_write_example(ws_dir, &err), -DW_EEXIST);
    assert_int_equal(dw_workspace_write_example(probe, &err), -DW_EEXIST);

    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    assert_int_equal(dw_workspace_load(ws_dir, &ws, &diags), 0);
    assert_int_equal(diags.n, 0);
    json_t *sum = NULL;
    assert_int_equal(dw_workspace_summary(ws, &sum, &err), 0);
    const char *hash = dw_json_str(sum, "hash");
    assert_non_null(hash);
    assert_int_equal(strlen(hash), 64);
    assert_string_equal(hash, dw_workspace_hash(ws));
    assert_true(dw_json_int(sum, "items", 0) > 0);
    assert_true(dw_json_int(sum, "pricebooks", 0) >= 3); /* EUR, USD, CHF */
    assert_true(dw_json_int(sum, "users", 0) > 0);
    json_decref(sum);
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
}

static void read_leads(void **state) {
    (void)state;
    struct dw_error err = {0};
    json_t *leads = NULL;
    static const char jsonl[] = "{\"source\":\"email\",\"external_id\":\"a\"}\n"
                                "   \n"
                                "{\"source\":\"email\",\"external_id\":\"b\"}\n";
    assert_int_equal(
        dw_leads_read_file(write_tmp("ok.jsonl", jsonl, sizeof jsonl - 1), &leads, &err), 0);
    assert_int_equal(json_array_size(leads), 2);
    assert_string_equal(dw_json_str(json_array_get(leads, 1), "external_id"), "b");
    json_decref(leads);

    static const char pretty[] = "{\n  \"source\": \"web_form\",\n  \"external_id\": \"p\"\n}\n";
    assert_int_equal(
        dw_leads_read_file(write_tmp("one.json", pretty, sizeof pretty - 1), &leads, &err), 0);
    assert_int_equal(json_array_size(leads), 1);
    json_decref(leads);

    /* errors say FILE:LINE:COL and nothing is returned */
    static const char broken[] = "{\"external_id\":\"a\"}\n{\"external_id\":\"b\"}\n{\"source\":\n";
    const char *p = write_tmp("broken.jsonl", broken, sizeof broken - 1);
    leads = NULL;
    assert_int_equal(dw_leads_read_file(p, &leads, &err), -DW_EPARSE);
    assert_null(leads);
    assert_string_equal(err.file, p);
    assert_int_equal(err.line, 3);

    static const char bad_utf8[] = "{\"external_id\":\"a\"}\n{\"x\":\"\xc3\x28\"}\n";
    p = write_tmp("utf8.jsonl", bad_utf8, sizeof bad_utf8 - 1);
    assert_int_equal(dw_leads_read_file(p, &leads, &err), -DW_EINVAL);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 7); /* the byte 0xc3 */

    assert_int_equal(dw_leads_read_file(write_tmp("empty.jsonl", "\n\n", 2), &leads, &err),
                     -DW_EINVAL);

    size_t big = DW_LEAD_MAX_BYTES + 100;
    char *huge = malloc(big + 2);
    assert_non_null(huge);
    memcpy(huge, "{\"m\":\"", 6);
    memset(huge + 6, 'x', big - 8);
    memcpy(huge + big - 2, "\"}", 2);
    static const char first[] = "{\"external_id\":\"a\"}\n";
    char *two = malloc(sizeof first - 1 + big + 1);
    assert_non_null(two);
    memcpy(two, first, sizeof first - 1);
    memcpy(two + sizeof first - 1, huge, big);
    two[sizeof first - 1 + big] = '\n';
    p = write_tmp("big.jsonl", two, sizeof first - 1 + big + 1);
    assert_int_equal(dw_leads_read_file(p, &leads, &err), -DW_ETOOBIG);
    assert_int_equal(err.line, 2);
    free(two);
    free(huge);
    assert_int_equal(dw_leads_read_file("/nonexistent/leads.jsonl", &leads, &err), -DW_ENOENT);
}

static void agents(void **state) {
    (void)state;
    struct dw_error err = {0};
    json_t *list = NULL;
    assert_int_equal(dw_agents_list(&list, &err), 0);
    /* the pipeline (BLUEPRINT.md): intake first, order last, ten agents */
    assert_int_equal(json_array_size(list), 10);
    assert_string_equal(dw_json_str(json_array_get(list, 0), "name"), "intake");
    assert_string_equal(dw_json_str(json_array_get(list, 9), "name"), "order");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        assert_true(json_is_array(json_object_get(a, "tools")));
        assert_non_null(dw_json_str(a, "needs"));
        assert_non_null(dw_json_str(a, "produces"));
    }
    json_decref(list);
}

static void configure_input(void **state) {
    (void)state;
    struct dw_error err = {0};
    char ws_dir[128];
    snprintf(ws_dir, sizeof ws_dir, "%s/cfg", dir);
    assert_true(dw_workspace_write_example(ws_dir, &err) > 0);
    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    assert_int_equal(dw_workspace_load(ws_dir, &ws, &diags), 0);
    json_t *arr = json_array(), *sol = NULL;
    assert_int_equal(dw_configure_request(ws, arr, NULL, &sol, &err), -DW_EINVAL);
    assert_null(sol);
    json_decref(arr);
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
}

static void extract_eval(void **state) {
    (void)state;
    struct dw_error err = {0};
    char ws_dir[128];
    snprintf(ws_dir, sizeof ws_dir, "%s/ex", dir);
    assert_true(dw_workspace_write_example(ws_dir, &err) > 0);
    struct dw_diags diags = {0};
    struct dw_workspace *ws = NULL;
    assert_int_equal(dw_workspace_load(ws_dir, &ws, &diags), 0);
    /* labelled by hand: a German company with 12 sites */
    static const char msg[] =
        "{\"lang\":\"en\",\"received_at\":\"2026-11-02T08:12:00Z\",\"message\":\"Hello, we are "
        "a logistics company based in Germany with 12 sites and want SD-WAN at each of "
        "them.\",\"expected\":{\"country\":\"DE\",\"quantities\":[{\"value\":12,\"unit\":"
        "\"sites\"}]}}";
    char path[128];
    snprintf(path, sizeof path, "%s", write_tmp("m1.json", msg, sizeof msg - 1));
    const char *paths[] = {path};
    json_t *res = NULL;
    assert_int_equal(dw_extract_eval(ws, paths, 1, &res, &err), 0);
    assert_int_equal(dw_json_int(res, "messages", 0), 1);
    assert_int_equal(dw_json_int(res, "en", 0), 1);
    assert_int_equal(dw_json_int(res, "de", -1), 0);
    json_t *fields = json_object_get(res, "fields");
    assert_int_equal(dw_json_int(json_object_get(fields, "country"), "tp", 0), 1);
    assert_int_equal(dw_json_int(json_object_get(fields, "quantities"), "tp", 0), 1);
    assert_int_equal(json_array_size(json_object_get(res, "misses")), 0);
    assert_true(dw_json_bool(res, "goals_met", false));
    assert_non_null(json_object_get(json_object_get(res, "by_language"), "en"));
    json_decref(res);

    /* a file without its language is refused, naming the file */
    static const char nolang[] = "{\"received_at\":\"2026-11-02T08:12:00Z\",\"message\":\"x\","
                                 "\"expected\":{}}";
    snprintf(path, sizeof path, "%s", write_tmp("m2.json", nolang, sizeof nolang - 1));
    res = NULL;
    assert_int_equal(dw_extract_eval(ws, paths, 1, &res, &err), -DW_EINVAL);
    assert_null(res);
    assert_string_equal(err.file, path);
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
}

int main(void) {
    if (dw_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version),
        cmocka_unit_test_setup_teardown(example_workspace, setup, teardown),
        cmocka_unit_test_setup_teardown(read_leads, setup, teardown),
        cmocka_unit_test(agents),
        cmocka_unit_test_setup_teardown(configure_input, setup, teardown),
        cmocka_unit_test_setup_teardown(extract_eval, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

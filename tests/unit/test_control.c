/* Unit tests of the control layer through its public API (include/dealwright/): lead
 * checking, submission idempotency, the planner's order and gates, group-committed runs,
 * on a scratch copy of the example workspace and a real SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agents/agent.h"
#include "control/internal.h"
#include "testutil.h"
#include <dealwright/dealwright.h>

static char dir[64];

static int setup(void **state) {
    (void)state;
    return example_copy(dir, sizeof dir, "dw-control");
}

static int teardown(void **state) {
    (void)state;
    return dir_remove(dir);
}

static json_t *parse(const char *text, struct dw_error *err) {
    json_t *in = json_loads(text, 0, NULL);
    assert_non_null(in);
    json_t *rec = NULL;
    int r = dw_lead_parse(in, &rec, err);
    json_decref(in);
    return r < 0 ? NULL : rec;
}

static void lead_parse(void **state) {
    (void)state;
    struct dw_error err = {0};
    json_t *rec = parse("{\"source\":\"chat\",\"external_id\":\"c1\",\"contact\":{\"email\":"
                        "\" Ops@Fab.Example \",\"country\":\"Germany\"},\"transcript\":[{\"from\":"
                        "\"customer\",\"text\":\"hi\"}]}",
                        &err);
    assert_non_null(rec);
    assert_string_equal(dw_json_str(json_object_get(rec, "contact"), "email"), "ops@fab.example");
    assert_string_equal(dw_json_str(json_object_get(rec, "contact"), "country"), "DE");
    json_decref(rec);

    assert_null(
        parse("{\"source\":\"chat\",\"external_id\":\"c1\",\"message\":\"x\",\"x\":1}", &err));
    assert_string_equal(err.field, "x");
    assert_null(parse("{\"source\":\"fax\",\"external_id\":\"c1\",\"message\":\"x\"}", &err));
    assert_string_equal(err.field, "source");
    assert_null(parse("{\"source\":\"chat\",\"external_id\":\"\",\"message\":\"x\"}", &err));
    assert_string_equal(err.field, "external_id");
    assert_null(parse("{\"source\":\"chat\",\"external_id\":\"c\",\"transcript\":[{\"from\":"
                      "\"bot\",\"text\":\"x\"}]}",
                      &err));
    assert_string_equal(err.field, "transcript[0].from");
    assert_null(parse("{\"source\":\"chat\",\"external_id\":\"c\",\"message\":\"x\",\"contact\":"
                      "{\"email\":\"not-an-address\"}}",
                      &err));
    assert_string_equal(err.field, "contact.email");
    assert_null(
        parse("{\"source\":\"chat\",\"external_id\":\"c\",\"message\":\"a\\u0001b\"}", &err));
    assert_string_equal(err.field, "message");
}

static struct dw_engine *open_engine(void) {
    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    struct dw_error err = {0};
    int r = dw_engine_open(dir, NULL, &e, &diags, &err);
    for (size_t i = 0; i < diags.n; i++)
        print_error("%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                    diags.v[i].msg);
    dw_diags_release(&diags);
    assert_int_equal(r, 0);
    return e;
}

static const char *lead_a =
    "[{\"source\":\"web_form\",\"external_id\":\"a1\",\"received_at\":\"2026-11-20T09:00:00Z\","
    "\"contact\":{\"email\":\"it@mill.example\",\"company\":\"Mill AG\",\"country\":\"DE\","
    "\"title\":\"CIO\"},\"message\":\"We need SD-WAN with firewall for 6 sites. Budget EUR 60k "
    "by end of Q1. We ask for a 15% discount.\"}]";

static void submit_run_gate(void **state) {
    (void)state;
    struct dw_engine *e = open_engine();
    struct dw_error err = {0};
    json_t *leads = json_loads(lead_a, 0, NULL), *res = NULL, *res2 = NULL, *deal = NULL;
    assert_int_equal(dw_leads_submit(e, leads, &res, &err), 0);
    assert_string_equal(dw_json_str(json_array_get(res, 0), "status"), "created");
    assert_int_equal(dw_leads_submit(e, leads, &res2, &err), 0);
    assert_string_equal(dw_json_str(json_array_get(res2, 0), "status"), "duplicate");
    assert_string_equal(dw_json_str(json_array_get(res2, 0), "deal"),
                        dw_json_str(json_array_get(res, 0), "deal"));

    struct dw_run_stats st = {.keep_samples = true};
    assert_int_equal(dw_run(e, NULL, &st, &err), 0);
    /* intake, discovery, requirements, qualification, scoping, pricing, contract: then the
     * discount gate stops it before the proposal */
    assert_int_equal(st.steps, 7);
    assert_int_equal(st.failures, 0);
    for (size_t i = 0; i < st.n_agents; i++)
        assert_int_equal(st.agents[i].count,
                         strcmp(st.agents[i].agent, "proposal") == 0 ||
                                 strcmp(st.agents[i].agent, "scheduling") == 0 ||
                                 strcmp(st.agents[i].agent, "order") == 0
                             ? 0
                             : 1);
    dw_run_stats_release(&st);

    assert_int_equal(dw_deal_show(e, 1, &deal, &err), 0);
    assert_string_equal(dw_json_str(deal, "stage"), "awaiting_approval");
    json_t *a = json_array_get(json_object_get(deal, "approvals"), 0);
    assert_string_equal(dw_json_str(a, "kind"), "discount");
    assert_string_equal(dw_json_str(a, "required_role"), "manager");
    json_decref(deal);

    /* a second run has nothing to do */
    struct dw_run_stats st2 = {0};
    assert_int_equal(dw_run(e, NULL, &st2, &err), 0);
    assert_int_equal(st2.steps, 0);
    dw_run_stats_release(&st2);

    /* the wrong role is refused and changes nothing; the right one moves the deal on */
    json_t *out = NULL;
    assert_int_equal(dw_approval_decide(e, 1, true, "lukas", NULL, &out, &err), -DW_EPERM);
    /* with a credential's role: a role the user does not hold, or one below the band */
    assert_int_equal(dw_approval_decide_as(e, 1, true, "david", "manager", NULL, &out, &err),
                     -DW_EPERM);
    assert_int_equal(dw_approval_decide_as(e, 1, true, "lukas", "rep", NULL, &out, &err),
                     -DW_EPERM);
    /* only the sellers record acceptances: legal may not, whatever the deal's state */
    assert_int_equal(dw_deal_accept_as(e, 1, 0, "clara", NULL, "Jane Roe", &out, &err), -DW_EPERM);
    assert_int_equal(dw_approval_decide(e, 1, true, "petra", "ok", &out, &err), 0);
    assert_string_equal(dw_json_str(out, "stage"), "proposal_ready");
    json_decref(out);

    int64_t n = 0, bad = 0;
    assert_int_equal(dw_audit_verify(e, &n, &bad, &err), 0);
    assert_true(n > 10);
    json_decref(leads);
    json_decref(res);
    json_decref(res2);
    dw_engine_close(e);
}

static void bad_lead_stores_nothing(void **state) {
    (void)state;
    struct dw_engine *e = open_engine();
    struct dw_error err = {0};
    json_t *stats0 = NULL, *stats1 = NULL, *res = NULL;
    assert_int_equal(dw_stats(e, &stats0, &err), 0);
    /* the second lead is bad: the first must not be stored either */
    json_t *leads = json_loads("[{\"source\":\"email\",\"external_id\":\"b1\",\"message\":\"x\"},"
                               "{\"source\":\"email\",\"external_id\":\"b2\",\"mesage\":\"x\"}]",
                               0, NULL);
    assert_int_equal(dw_leads_submit(e, leads, &res, &err), -DW_EINVAL);
    assert_string_equal(err.field, "mesage");
    assert_int_equal(err.line, 2);
    assert_int_equal(dw_stats(e, &stats1, &err), 0);
    assert_int_equal(dw_json_int(stats0, "leads", -1), dw_json_int(stats1, "leads", -2));
    json_decref(leads);
    json_decref(stats0);
    json_decref(stats1);
    dw_engine_close(e);
}

/* An agent can only do what its scope allows: the gateway refuses everything else, and
 * documents that only people write (acceptance, overrides) no agent can write at all. */
static int scoped_step(struct dw_agent_ctx *ctx) {
    (void)ctx;
    return 0;
}

static void gateway_enforces_scope(void **state) {
    (void)state;
    struct dw_engine *e = open_engine();
    struct dw_error err = {0};
    struct dw_deal_rec d;
    assert_int_equal(e->store->ops->deal_get(e->store, 1, &d, &err), 0);
    const struct dw_agent reader = {.name = "reader",
                                    .needs = 0,
                                    .produces = 0,
                                    .scope = DW_TOOL_READ_DEAL,
                                    .step = scoped_step};
    json_t *calls = json_array(), *note = json_object(), *doc = json_object();
    struct dw__gateway gw = {.engine = e, .deal = &d, .calls = calls};
    struct dw_agent_ctx ctx = {.agent = &reader,
                               .tools = &dw__tools,
                               .ws = dw_engine_workspace(e),
                               .deal_id = 1,
                               .now = dw_engine_now(e),
                               .note = note,
                               .err = &err,
                               .gateway = &gw};
    assert_int_equal(e->store->ops->begin(e->store, &err), 0);
    const json_t *shared = NULL;
    assert_int_equal(ctx.tools->doc_get(&ctx, "requirements", &shared), 0); /* in scope */
    json_decref((json_t *)shared);
    assert_int_equal(ctx.tools->doc_put(&ctx, "requirements", doc), -DW_EPERM);
    assert_non_null(strstr(err.msg, "reader"));
    assert_int_equal(ctx.tools->set_outcome(&ctx, DW_STAGE_LOST, "no"), -DW_EPERM);
    assert_int_equal(ctx.tools->request_approval(&ctx, "discount", "vp", "r", "x"), -DW_EPERM);
    assert_int_equal(ctx.tools->leads(&ctx, &shared), -DW_EPERM);
    const struct dw_agent all = {.name = "all", .scope = ~0u, .step = scoped_step};
    ctx.agent = &all;
    assert_int_equal(ctx.tools->doc_put(&ctx, "acceptance", doc), -DW_EPERM);
    assert_int_equal(ctx.tools->doc_put(&ctx, "pricing_overrides", doc), -DW_EPERM);
    assert_int_equal(ctx.tools->set_outcome(&ctx, DW_STAGE_ORDERED, "no"), -DW_EINVAL);
    e->store->ops->rollback(e->store);
    json_decref(calls);
    json_decref(note);
    json_decref(doc);
    dw_engine_close(e);
}

/* The clock, the failpoints and the store are engine options: two engines in one process keep
 * their own, and the library reads none of them from the environment. */
static struct dw_engine *open_with(const char *db_name, dw_time_t pin, const char *failpoints) {
    char db[160];
    snprintf(db, sizeof db, "sqlite:%s/%s", dir, db_name);
    struct dw_engine_opts o = {.db = db, .now_pin = pin, .failpoints = failpoints};
    struct dw_engine *e = NULL;
    struct dw_diags diags = {0};
    struct dw_error err = {0};
    int r = dw_engine_open_opts(dir, &o, &e, &diags, &err);
    dw_diags_release(&diags);
    if (r < 0)
        fail_msg("open %s: %s", db, err.msg);
    return e;
}

static json_t *submit_and_show(struct dw_engine *e) {
    struct dw_error err = {0};
    json_t *leads = json_loads(lead_a, 0, NULL), *res = NULL, *deal = NULL;
    assert_int_equal(dw_leads_submit(e, leads, &res, &err), 0);
    assert_int_equal(dw_run(e, NULL, NULL, &err), 0);
    int64_t id;
    assert_int_equal(dw_id_parse('D', dw_json_str(json_array_get(res, 0), "deal"), &id), 0);
    assert_int_equal(dw_deal_show(e, id, &deal, &err), 0);
    json_decref(leads);
    json_decref(res);
    return deal;
}

static void engine_options(void **state) {
    (void)state;
    /* what the library must not read */
    setenv("DW_NOW", "2031-01-01T00:00:00Z", 1);
    setenv("DW_FAILPOINTS", "intake=fatal,qualification=fatal", 1);
    dw_time_t pin;
    assert_int_equal(dw_time_parse("2026-11-20T10:00:00Z", &pin), 0);
    struct dw_engine *a = open_with("a.db", pin, NULL), *b = open_with("b.db", 0, NULL);
    assert_int_equal(dw_engine_now(a), pin);
    json_t *da = submit_and_show(a), *db = submit_and_show(b);
    assert_string_equal(dw_json_str(da, "created_at"), "2026-11-20T10:00:00Z");
    assert_false(dw_json_bool(da, "parked", true));
    dw_time_t t;
    assert_int_equal(dw_time_parse(dw_json_str(db, "created_at"), &t), 0);
    assert_true(t >= (dw_time_t)time(NULL) - 300 && t <= (dw_time_t)time(NULL));
    assert_false(dw_json_bool(db, "parked", true));
    dw_engine_pin_clock(a, pin + 86400);
    assert_int_equal(dw_engine_now(a), pin + 86400);
    assert_true(dw_engine_now(b) >= (dw_time_t)time(NULL) - 5);
    json_decref(da);
    json_decref(db);
    dw_engine_close(a);
    dw_engine_close(b);

    /* failpoints given as the option park the deal at that agent */
    struct dw_engine *c = open_with("c.db", pin, "intake=fatal");
    json_t *dc = submit_and_show(c);
    assert_true(dw_json_bool(dc, "parked", false));
    assert_non_null(strstr(dw_json_str(dc, "last_error"), "failpoint"));
    json_decref(dc);
    dw_engine_close(c);
    unsetenv("DW_NOW");
    unsetenv("DW_FAILPOINTS");

    /* the store by URL: a PostgreSQL URL holding a password and an unknown scheme are
     * refused, naming db */
    static const char *const bad[] = {"postgres://dw:pw@localhost/dw", "mysql://localhost/dw"};
    for (size_t i = 0; i < 2; i++) {
        struct dw_engine_opts o = {.db = bad[i]};
        struct dw_engine *e = NULL;
        struct dw_error err = {0};
        struct dw_diags diags = {0};
        assert_int_equal(dw_engine_open_opts(dir, &o, &e, &diags, &err), -DW_EINVAL);
        dw_diags_release(&diags);
        assert_null(e);
        assert_string_equal(err.field, "db");
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine_options),         cmocka_unit_test(lead_parse),
        cmocka_unit_test(submit_run_gate),        cmocka_unit_test(bad_lead_stores_nothing),
        cmocka_unit_test(gateway_enforces_scope),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

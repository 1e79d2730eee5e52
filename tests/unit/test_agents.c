/* Unit tests of the qualification, knowledge and scheduling engines and of the
 * qualification, contract, proposal and scheduling agents.
 *
 * The workspace is built by hand in C so the tests do not depend on the YAML loader. The
 * agents run against fake_tools below: a test double of struct dw_tools over in-memory JSON
 * documents that checks each call against the agent's declared scope like the real gateway
 * does, and records what the agent asked for (approvals, the outcome).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/agent.h"
#include "engines/knowledge.h"
#include "engines/qualify.h"
#include "engines/lang.h"
#include "engines/schedule.h"
#include "rules/mustache.h"
#include "testutil.h"

#define LIST(...) ((char *[]){__VA_ARGS__})
#define NLIST(...) (sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))
#define CAPS(...) .capabilities = LIST(__VA_ARGS__), .n_capabilities = NLIST(__VA_ARGS__)

/* ---- a hand-built workspace ------------------------------------------------------------ */

static const struct dw_item catalog[] = {
    /* sorted by sku, as the loader leaves them */
    {.sku = "NW-AP-620",
     .name = "Access Point 620",
     .description = "Indoor Wi-Fi 6 access point",
     CAPS("wifi"),
     .quantity_unit = "access-points",
     .quantity_factor = 1},
    {.sku = "NW-EDGE-100",
     .name = "Edge Gateway 100",
     .description = "Branch SD-WAN gateway",
     CAPS("sd-wan", "firewall"),
     .quantity_unit = "sites",
     .quantity_factor = 1},
    {.sku = "NW-EDGE-1000",
     .name = "Edge Gateway 1000",
     .description = "Hub gateway",
     CAPS("sd-wan", "firewall"),
     .quantity_unit = "data-centres",
     .quantity_factor = 1},
    {.sku = "NW-LIC-SDWAN-100",
     .name = "SD-WAN Licence",
     .description = "Per gateway-month",
     .billing = DW_BILL_MONTHLY},
    {.sku = "NW-MGMT-APPL",
     .name = "Orchestrator",
     .description = "On-prem appliance",
     CAPS("on-prem")},
    {.sku = "NW-SUP-247",
     .name = "Premium 24x7 Support",
     .description = "24x7 hotline",
     CAPS("support-24x7"),
     .quantity_unit = "sites",
     .quantity_factor = 1},
};

static const struct dw_term capabilities[] = {
    {.name = "sd-wan"},  {.name = "firewall"},     {.name = "wifi"},
    {.name = "on-prem"}, {.name = "support-24x7"}, {.name = "mainframe"}, /* nothing covers it */
};
static const struct dw_term units[] = {
    {.name = "sites"},
    {.name = "data-centres"},
    {.name = "users"},
    {.name = "access-points"},
};
static const struct dw_currency currencies[] = {{.code = "EUR", .digits = 2},
                                                {.code = "USD", .digits = 2}};
static const struct dw_money_by_currency min_budget[] = {{"EUR", 1500000}, {"USD", 1600000}};
static const struct dw_legal_trigger triggers[] = {
    {.phrase = "unlimited liability", .reason = "Customer asks for unlimited liability"},
    {.phrase = "net 90", .reason = "Payment terms beyond net 30"},
};

/* passages of the knowledge documents */
static const struct dw_passage edge_passages[] = {
    /* text before the first heading: the loader gives it the title and an empty anchor */
    {.heading = "Edge Gateway 100 datasheet", .anchor = "", .text = "Internal draft.", .line = 5},
    {.heading = "Edge Gateway 100", .anchor = "edge-gateway-100", .text = "\n", .line = 5},
    {.heading = "Edge Gateway 100 > Throughput",
     .anchor = "throughput",
     .text = "The Edge Gateway 100 forwards up to 500 Mbit/s of encrypted SD-WAN\ntraffic. "
             "It has 8 ports.\n",
     .line = 6},
    {.heading = "Edge Gateway 100 > Ports", .anchor = "ports", .text = "Eight GbE ports.\n"},
};
static const struct dw_passage support_passages[] = {
    {.heading = "Premium support > Hours",
     .anchor = "hours",
     .text = "| tier | response |\n|---|---|\n| P1 | 1 h |\n\n- Our hotline answers P1 calls, "
             "e.g. outages, within one hour. Other calls follow.\n"},
};
static const struct dw_passage wifi_passages[] = {
    {.heading = "Wi-Fi > Overview",
     .anchor = "overview",
     .text = "```\nconfig sample\n```\nThe Access Point 620 serves up to 512 clients!\n"},
};
static const struct dw_passage hub_passages[] = {
    {.heading = "Hub > Sizing", .anchor = "sizing", .text = "One hub per data centre.\n"},
};
static const struct dw_document documents[] = {
    /* sorted by path */
    {.path = "knowledge/edge-100.md",
     .title = "Edge Gateway 100 datasheet",
     .about = LIST("NW-EDGE-100"),
     .n_about = 1,
     CAPS("sd-wan", "firewall"),
     .passages = (struct dw_passage *)edge_passages,
     .n_passages = DW_ARRAY_SIZE(edge_passages)},
    {.path = "knowledge/hub.md",
     .title = "Hub sizing",
     .about = LIST("NW-EDGE-1000"),
     .n_about = 1,
     .passages = (struct dw_passage *)hub_passages,
     .n_passages = 1},
    {.path = "knowledge/support.md",
     .title = "Support handbook",
     CAPS("support-24x7"),
     .passages = (struct dw_passage *)support_passages,
     .n_passages = 1},
    {.path = "knowledge/wifi.md",
     .title = "Wi-Fi guide",
     CAPS("wifi"),
     .passages = (struct dw_passage *)wifi_passages,
     .n_passages = 1},
};

/* sven is in Stockholm (+01:00), anna in London (UTC), omar in New York (-05:00) */
static const struct dw_window sven_windows[] = {
    {0, 9 * 60, 12 * 60}, {1, 9 * 60, 12 * 60},  {2, 9 * 60, 12 * 60},  {3, 9 * 60, 12 * 60},
    {4, 9 * 60, 12 * 60}, {1, 14 * 60, 17 * 60}, {3, 14 * 60, 17 * 60},
};
static const struct dw_window anna_windows[] = {{0, 8 * 60, 10 * 60}, {2, 8 * 60, 10 * 60}};
static const struct dw_window omar_windows[] = {{0, 9 * 60, 17 * 60}};
static const struct dw_user users[] = {
    {.id = "anna", .name = "Anna Berg"},
    {.id = "omar", .name = "Omar Haddad"},
    {.id = "sven", .name = "Sven Ek"},
};
static const struct dw_availability availability[] = {
    {.user = "sven",
     .utc_offset_min = 60,
     .windows = (struct dw_window *)sven_windows,
     .n_windows = DW_ARRAY_SIZE(sven_windows)},
};

static struct dw_workspace test_ws(void) {
    struct dw_workspace ws = {
        .refcount = 1,
        .company_name = "Northwind Edge Systems GmbH",
        .company_country = "DE",
        .home_currency = "EUR",
        .currencies = (struct dw_currency *)currencies,
        .n_currencies = DW_ARRAY_SIZE(currencies),
        .capabilities = (struct dw_term *)capabilities,
        .n_capabilities = DW_ARRAY_SIZE(capabilities),
        .units = (struct dw_term *)units,
        .n_units = DW_ARRAY_SIZE(units),
        .items = (struct dw_item *)catalog,
        .n_items = DW_ARRAY_SIZE(catalog),
        .documents = (struct dw_document *)documents,
        .n_documents = DW_ARRAY_SIZE(documents),
    };
    /* lists with static storage: a compound literal here would die with the call */
    static char *icp_countries[] = {"DE", "AT", "CH", "FR", "NL", "US"};
    static char *icp_industries[] = {"manufacturing", "logistics", "retail"};
    static char *free_mail[] = {"gmail.com", "gmx.de"};
    static char *authority[] = {"cto", "cio", "head of", "director", "vp", "chief"};
    static char *required[] = {"capabilities", "quantity"};
    static char *embargoed[] = {"CU", "IR", "KP", "SY"};
    static char *review[] = {"RU", "BY", "CN"};
    struct dw_qualification *q = &ws.qualification;
    q->icp_countries = icp_countries;
    q->n_icp_countries = DW_ARRAY_SIZE(icp_countries);
    q->icp_industries = icp_industries;
    q->n_icp_industries = DW_ARRAY_SIZE(icp_industries);
    q->free_mail_domains = free_mail;
    q->n_free_mail_domains = DW_ARRAY_SIZE(free_mail);
    q->min_budget = (struct dw_money_by_currency *)min_budget;
    q->n_min_budget = DW_ARRAY_SIZE(min_budget);
    q->authority_titles = authority;
    q->n_authority_titles = DW_ARRAY_SIZE(authority);
    q->timeline_max_days = 365;
    q->w_fit = 20, q->w_budget = 20, q->w_authority = 20, q->w_need = 25, q->w_timeline = 15;
    q->qualified_min = 55;
    q->disqualified_max = 30;
    q->required = required;
    q->n_required = DW_ARRAY_SIZE(required);

    struct dw_policies *p = &ws.policies;
    p->embargoed = embargoed;
    p->n_embargoed = DW_ARRAY_SIZE(embargoed);
    p->export_review = review;
    p->n_export_review = DW_ARRAY_SIZE(review);
    p->export_role = "legal";
    p->eea_requires_dpa = true;
    p->legal_triggers = (struct dw_legal_trigger *)triggers;
    p->n_legal_triggers = DW_ARRAY_SIZE(triggers);
    p->legal_role = "legal";
    p->quote_valid_days = 30;

    ws.team = (struct dw_team){
        .users = (struct dw_user *)users,
        .n_users = DW_ARRAY_SIZE(users),
        .availability = (struct dw_availability *)availability,
        .n_availability = DW_ARRAY_SIZE(availability),
        .demo_minutes = 60,
        .demo_lead_hours = 24,
        .demo_slots = 3,
    };
    static char reply[] = "Dear {{customer.name}},\n\nthank you for your enquiry ({{{deal.id}}}). "
                          "To prepare an offer we need to know:\n{{#questions}}\n- {{{text}}}\n"
                          "{{/questions}}\n\n{{company.name}}\n";
    static char proposal[] =
        "# Proposal {{{deal.id}}} for {{customer.company}}\nDate: {{{date}}}\n"
        "{{#quote.lines}}| {{{sku}}} | {{{quantity}}} | {{{unit_price}}} | {{{net}}} |\n"
        "{{/quote.lines}}"
        "Total: {{{quote.total}}} (discount {{{quote.discount_pct}}}%), valid "
        "until {{{quote.valid_until}}}\n"
        "{{customer.company}}\nPrepared for {{customer.name}}\n"
        "{{#claims}}- {{{text}}} [{{{ref}}}]\n{{/claims}}"
        "{{#citations}}[{{{ref}}}]: {{{path}}}#{{{anchor}}}\n{{/citations}}"
        "{{#terms.reviewed}}* The terms you asked for ({{.}}) have been reviewed by our legal "
        "team.\n{{/terms.reviewed}}";
    ws.reply_template = (struct dw_template){"templates/reply.mustache", reply, strlen(reply), 1};
    ws.proposal_template =
        (struct dw_template){"templates/proposal.mustache", proposal, strlen(proposal), 1};
    return ws;
}

static json_t *J(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad test JSON at %d:%d: %s", e.line, e.column, e.text);
    return j;
}

static dw_time_t T(const char *s) {
    dw_time_t t = 0;
    assert_int_equal(dw_time_parse(s, &t), 0);
    return t;
}

/* Reason i of a qualification document, or "". */
static const char *reason(const json_t *doc, size_t i) {
    const char *s = json_string_value(json_array_get(json_object_get(doc, "reasons"), i));
    return s ? s : "";
}

static bool has_reason(const json_t *doc, const char *needle) {
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "reasons"), i, r) {
        if (strstr(json_string_value(r), needle))
            return true;
    }
    return false;
}

static int subscore(const json_t *doc, const char *name) {
    return (int)dw_json_int(json_object_get(doc, "subscores"), name, -1);
}

#define GOOD_REQ                                                                                   \
    "{\"quantities\": [{\"value\": 12, \"unit\": \"sites\"}],"                                     \
    " \"budget\": {\"amount\": \"120000.00\", \"currency\": \"EUR\"},"                             \
    " \"deadline\": {\"date\": \"2027-02-01\"}, \"country\": {\"code\": \"DE\"},"                  \
    " \"capabilities\": [{\"name\": \"sd-wan\"}, {\"name\": \"firewall\"}],"                       \
    " \"industry\": {\"name\": \"manufacturing\"}, \"standards\": [],"                             \
    " \"instructions_detected\": []}"
#define GOOD_CONTACT                                                                               \
    "{\"name\": \"Jana Roth\", \"email\": \"jana.roth@acme-werke.de\", \"title\": \"Head of "      \
    "IT\", \"company\": \"Acme Werke GmbH\", \"country\": \"DE\"}"
#define RECEIVED "2026-11-20T09:14:00Z"

/* ---- qualification engine ----------------------------------------------------------------- */

static void qualify_qualified_with_reasons(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *req = J(GOOD_REQ), *contact = J(GOOD_CONTACT), *doc = NULL;
    json_t *prior = J("[{\"id\": \"D-000003\", \"stage\": \"ordered\"}]");
    struct dw_error err = {0};
    assert_int_equal(dw_qualify(&ws, req, contact, prior, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "qualified");
    assert_int_equal(dw_json_int(doc, "score", -1), 100);
    const char *subs[] = {"fit", "budget", "authority", "need", "timeline"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(subs); i++)
        assert_int_equal(subscore(doc, subs[i]), 100);
    assert_string_equal(reason(doc, 0), "Score 100 reaches the qualification threshold of 55");
    assert_string_equal(reason(doc, 1),
                        "Country DE is a served market; industry 'manufacturing' is in the "
                        "profile; mail comes from the company domain acme-werke.de; company "
                        "'Acme Werke GmbH' is named");
    assert_string_equal(reason(doc, 2), "Budget EUR 120000.00 meets the minimum of EUR 15000.00");
    assert_string_equal(reason(doc, 3), "Contact title 'Head of IT' is a decision maker");
    assert_string_equal(reason(doc, 4),
                        "The catalog covers all 2 wanted capabilities (sd-wan and firewall)");
    assert_string_equal(reason(doc, 5), "Deadline 2027-02-01 is 73 days away, within 365 days");
    assert_string_equal(reason(doc, 6), "Returning customer: 1 earlier deal, 1 ordered");
    assert_int_equal(json_array_size(json_object_get(doc, "missing")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "questions")), 0);
    json_decref(req), json_decref(contact), json_decref(prior), json_decref(doc);
}

static void qualify_needs_info_missing_quantity(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *req = J(GOOD_REQ), *contact = J(GOOD_CONTACT), *doc = NULL;
    struct dw_error err = {0};

    /* no quantity at all */
    json_object_set_new(req, "quantities", json_array());
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    json_t *missing = json_object_get(doc, "missing");
    assert_int_equal(json_array_size(missing), 1);
    assert_string_equal(json_string_value(json_array_get(missing, 0)), "quantity");
    assert_string_equal(reason(doc, 0), "Missing required information: quantity");
    /* sd-wan is sold per site (Edge 100) and per data centre (Edge 1000) */
    json_t *qs = json_object_get(doc, "questions");
    assert_int_equal(json_array_size(qs), 1);
    assert_string_equal(json_string_value(json_array_get(qs, 0)),
                        "How many sites (or data centres) should the solution cover?");
    /* the score is still computed for the person reading the deal */
    assert_int_equal(dw_json_int(doc, "score", -1), 100);
    json_decref(doc);

    /* a quantity of users does not say how many gateways */
    json_object_set_new(req, "quantities", J("[{\"value\": 250, \"unit\": \"users\"}]"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "missing"), 0)),
                        "quantity");
    json_decref(doc);

    /* a data-centre count does */
    json_object_set_new(req, "quantities", J("[{\"value\": 2, \"unit\": \"data-centres\"}]"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "qualified");
    json_decref(doc);

    /* nothing to count for an on-prem appliance alone */
    json_object_set_new(req, "quantities", json_array());
    json_object_set_new(req, "capabilities", J("[{\"name\": \"on-prem\"}]"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "qualified");
    json_decref(doc);

    /* every required fact missing, asked in the order the workspace lists them */
    ws.qualification.required = LIST("capabilities", "quantity", "country", "budget", "deadline");
    ws.qualification.n_required = 5;
    json_decref(req);
    req = J("{\"quantities\": [], \"capabilities\": [], \"budget\": null, \"deadline\": null,"
            " \"country\": null}");
    json_object_del(contact, "country");
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    missing = json_object_get(doc, "missing");
    qs = json_object_get(doc, "questions");
    assert_int_equal(json_array_size(missing), 5);
    assert_int_equal(json_array_size(qs), 5);
    assert_string_equal(json_string_value(json_array_get(missing, 2)), "country");
    assert_string_equal(json_string_value(json_array_get(qs, 0)),
                        "What should the solution do for you (for example sd-wan, firewall or "
                        "wifi)?");
    assert_string_equal(json_string_value(json_array_get(qs, 1)),
                        "How many sites, data centres or users should the solution cover?");
    assert_string_equal(json_string_value(json_array_get(qs, 2)),
                        "In which country will the solution be used?");
    assert_string_equal(json_string_value(json_array_get(qs, 3)),
                        "What budget have you planned for this project, and in which currency?");
    assert_string_equal(json_string_value(json_array_get(qs, 4)),
                        "By when should the solution be in place?");
    json_decref(req), json_decref(contact), json_decref(doc);
}

static void qualify_disqualified_poor_fit(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *req = J("{\"quantities\": [{\"value\": 1, \"unit\": \"sites\"}],"
                    " \"budget\": {\"amount\": \"1000.00\", \"currency\": \"EUR\"},"
                    " \"deadline\": {\"date\": \"2028-06-01\"}, \"country\": {\"code\": \"BR\"},"
                    " \"capabilities\": [{\"name\": \"mainframe\"}], \"industry\": null}");
    json_t *contact = J("{\"name\": \"Kim\", \"email\": \"kim@GMAIL.com\", \"title\": "
                        "\"Student\"}");
    json_t *doc = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "disqualified");
    assert_int_equal(subscore(doc, "fit"), 0);
    assert_int_equal(subscore(doc, "budget"), 7); /* 1000 / 15000, rounded */
    assert_int_equal(subscore(doc, "authority"), 25);
    assert_int_equal(subscore(doc, "need"), 0);
    assert_int_equal(subscore(doc, "timeline"), 40);
    /* 0*20 + 7*20 + 25*20 + 0*25 + 40*15 = 1240 -> 12 */
    assert_int_equal(dw_json_int(doc, "score", -1), 12);
    assert_string_equal(reason(doc, 0), "Score 12 is below the disqualification threshold of 30");
    assert_true(has_reason(doc, "free-mail address gmail.com lowers fit"));
    assert_true(has_reason(doc, "Country BR is outside the served markets"));
    assert_true(has_reason(doc, "Budget EUR 1000.00 is below the minimum of EUR 15000.00"));
    assert_true(has_reason(doc, "Contact title 'Student' is not a decision-maker title"));
    assert_true(has_reason(doc, "The catalog covers 0 of 1 wanted capabilities (mainframe not "
                                "covered)"));
    assert_true(has_reason(doc, "Deadline 2028-06-01 is 559 days away, beyond 365 days"));
    assert_int_equal(json_array_size(json_object_get(doc, "missing")), 0);
    json_decref(req), json_decref(contact), json_decref(doc);
}

static void qualify_private_person_and_budget_floor(void **state) {
    struct dw_workspace ws = test_ws();
    /* a student with a free-mail address asking for one device: no quantity we can size,
     * but nobody asks him how many sites he has */
    json_t *req = J("{\"quantities\": [{\"value\": 1, \"unit\": \"devices\"}], \"budget\": null,"
                    " \"deadline\": null, \"country\": {\"code\": \"DE\"},"
                    " \"capabilities\": [{\"name\": \"sd-wan\"}], \"industry\": null}");
    json_t *contact = J("{\"name\": \"Tim\", \"email\": \"tim@gmail.com\", \"country\": \"DE\"}");
    json_t *doc = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "disqualified");
    assert_string_equal(reason(doc, 0), "A private person rather than a company: free-mail "
                                        "address gmail.com, and no company, job title, target "
                                        "industry or budget at the minimum");
    assert_int_equal(json_array_size(json_object_get(doc, "missing")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "questions")), 0);
    assert_true(json_array_size(json_object_get(doc, "reasons")) >= 6);
    json_decref(doc);

    /* any sign of a business lifts the rule: a job title, ... */
    json_object_set_new(contact, "title", json_string("Owner"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info"); /* sites, please */
    json_decref(doc);
    /* ... or a budget at the minimum */
    json_object_del(contact, "title");
    json_object_set_new(req, "budget", J("{\"amount\": \"20000.00\", \"currency\": \"EUR\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    json_decref(doc);
    /* without a free-mail address nothing says private person */
    json_object_set_new(req, "budget", json_null());
    json_object_del(contact, "email");
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    json_decref(doc);
    json_decref(req), json_decref(contact);

    /* a good score with a stated budget under the minimum is left to a person */
    req = J(GOOD_REQ);
    contact = J(GOOD_CONTACT);
    json_object_set_new(req, "budget", J("{\"amount\": \"5000.00\", \"currency\": \"EUR\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(dw_json_int(doc, "score", -1), 87); /* 20 + 6.67 + 20 + 25 + 15 */
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    assert_string_equal(reason(doc, 0), "Score 87 reaches the qualification threshold of 55, but "
                                        "the budget EUR 5000.00 is below the minimum of EUR "
                                        "15000.00: a person decides");
    assert_int_equal(json_array_size(json_object_get(doc, "missing")), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "questions"), 0)),
                        "Could you tell us more about the project: what it should achieve, by "
                        "when, and who will decide on it?");
    json_decref(doc);
    json_decref(req), json_decref(contact);
}

/* Unknown budget, title and deadline score 50 each: 20*100 + 20*50 + 20*50 + 25*100 +
 * 15*50 = 7250, 72.5 rounds half to even: 72. */
static void qualify_threshold_boundaries(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *req = J(GOOD_REQ), *contact = J(GOOD_CONTACT), *doc = NULL;
    struct dw_error err = {0};
    json_object_set_new(req, "budget", json_null());
    json_object_set_new(req, "deadline", json_null());
    json_object_del(contact, "title");

    struct {
        int qualified, disqualified;
        const char *decision;
    } cases[] = {
        {72, 30, "qualified"},    /* score == qualified_min: qualified */
        {73, 30, "needs_info"},   /* one below: the grey zone */
        {80, 72, "needs_info"},   /* score == disqualified_max is not below it */
        {80, 73, "disqualified"}, /* one below */
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        ws.qualification.qualified_min = cases[i].qualified;
        ws.qualification.disqualified_max = cases[i].disqualified;
        assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
        assert_int_equal(dw_json_int(doc, "score", -1), 72);
        assert_string_equal(dw_json_str(doc, "decision"), cases[i].decision);
        if (i == 1) {
            /* the grey zone asks what is still unknown */
            json_t *m = json_object_get(doc, "missing");
            assert_int_equal(json_array_size(m), 3);
            assert_string_equal(json_string_value(json_array_get(m, 0)), "budget");
            assert_string_equal(json_string_value(json_array_get(m, 1)), "deadline");
            assert_string_equal(json_string_value(json_array_get(m, 2)), "authority");
            assert_string_equal(reason(doc, 0), "Score 72 is between the thresholds (30 and 73): a "
                                                "person decides, and the reply asks what is still "
                                                "unknown");
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(doc, "questions"), 2)),
                "Who will decide on the purchase, and what is your role?");
        }
        json_decref(doc);
    }
    json_decref(req), json_decref(contact);
}

static void qualify_subscore_details(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *req = J(GOOD_REQ), *contact = J(GOOD_CONTACT), *doc = NULL;
    struct dw_error err = {0};

    /* "cto" must not match inside "Director"-less words such as "Doctor" */
    ws.qualification.authority_titles = LIST("cto");
    ws.qualification.n_authority_titles = 1;
    json_object_set_new(contact, "title", json_string("Doctor of Networks"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "authority"), 25);
    json_decref(doc);
    json_object_set_new(contact, "title", json_string("Acting CTO"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "authority"), 100);
    json_decref(doc);

    /* half the minimum scores half; a currency without a minimum meets it */
    json_object_set_new(req, "budget", J("{\"amount\": \"7500.00\", \"currency\": \"EUR\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "budget"), 50);
    json_decref(doc);
    json_object_set_new(req, "budget", J("{\"amount\": \"15999.99\", \"currency\": \"USD\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "budget"), 99); /* below is never 100 */
    json_decref(doc);
    json_object_set_new(req, "budget", J("{\"amount\": \"5000\", \"currency\": \"CHF\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "budget"), 100);
    assert_true(has_reason(doc, "Budget CHF 5000.00 is stated and no minimum is set for CHF"));
    json_decref(doc);

    /* deadline at the limit, past it, and before the request */
    json_object_set_new(req, "deadline", J("{\"date\": \"2027-11-20\"}")); /* 365 days */
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "timeline"), 100);
    json_decref(doc);
    json_object_set_new(req, "deadline", J("{\"date\": \"2027-11-21\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "timeline"), 40);
    json_decref(doc);
    json_object_set_new(req, "deadline", J("{\"date\": \"2026-01-01\"}"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "timeline"), 50);
    json_decref(doc);

    /* one of two capabilities covered; the industry from the company name */
    json_object_set_new(req, "capabilities",
                        J("[{\"name\": \"wifi\"}, {\"name\": \"mainframe\"}]"));
    json_object_set_new(req, "industry", json_null());
    json_object_set_new(contact, "company", json_string("Rhein Logistics AG"));
    json_object_set_new(req, "quantities", J("[{\"value\": 20, \"unit\": \"access-points\"}]"));
    assert_int_equal(dw_qualify(&ws, req, contact, NULL, T(RECEIVED), &doc, &err), 0);
    assert_int_equal(subscore(doc, "need"), 50);
    assert_int_equal(subscore(doc, "fit"), 100);
    assert_true(has_reason(doc, "The catalog covers 1 of 2 wanted capabilities (wifi; not "
                                "covered: mainframe)"));
    assert_true(has_reason(doc, "company name 'Rhein Logistics AG' points to industry "
                                "'logistics'"));
    json_decref(doc);

    assert_int_equal(dw_qualify(&ws, NULL, contact, NULL, 0, &doc, &err), -DW_EINVAL);
    json_decref(req), json_decref(contact);
}

static void phrase_find_boundaries(void **state) {
    const char *t = "We need Net  90 payment terms and UNLIMITED liability.";
    size_t s, e;
    assert_true(dw_phrase_find(t, strlen(t), "net 90", 0, &s, &e));
    assert_int_equal(s, 8);
    assert_int_equal(e, 15);
    assert_true(dw_phrase_find(t, strlen(t), "unlimited liability", 0, &s, &e));
    assert_memory_equal(t + s, "UNLIMITED liability", e - s);
    const char *u = "cabinet 900 and net 90x";
    assert_false(dw_phrase_find(u, strlen(u), "net 90", 0, &s, &e));
    assert_false(dw_phrase_find(u, strlen(u), "", 0, &s, &e));
    assert_true(dw_phrase_find(u, strlen(u), "net", 16, &s, &e));
    assert_false(dw_phrase_find(u, strlen(u), "net", 17, &s, &e));
}

/* ---- knowledge engine ---------------------------------------------------------------------- */

static const struct dw_passage *cited_passage(const struct dw_workspace *ws, const json_t *cit) {
    for (size_t d = 0; d < ws->n_documents; d++) {
        if (strcmp(ws->documents[d].path, dw_json_str(cit, "path")) != 0)
            continue;
        for (size_t p = 0; p < ws->documents[d].n_passages; p++)
            if (strcmp(ws->documents[d].passages[p].heading, dw_json_str(cit, "heading")) == 0)
                return &ws->documents[d].passages[p];
    }
    return NULL;
}

static void knowledge_claims_grounded(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *lines = J("[{\"sku\": \"NW-EDGE-100\", \"covers\": [\"sd-wan\", \"firewall\"]},"
                      " {\"sku\": \"NW-LIC-SDWAN-100\", \"covers\": []},"
                      " {\"sku\": \"NW-SUP-247\", \"covers\": [\"support-24x7\"]},"
                      " {\"sku\": \"NW-AP-620\", \"covers\": [\"wifi\"]},"
                      " {\"sku\": \"NW-EDGE-100\", \"covers\": [\"sd-wan\"]}]");
    json_t *claims = NULL, *cites = NULL, *claims2 = NULL, *cites2 = NULL;
    assert_int_equal(dw_knowledge_claims(&ws, lines, &claims, &cites), 0);
    assert_int_equal(json_array_size(claims), 3);
    assert_int_equal(json_array_size(cites), 3);

    const char *want[] = {
        "The Edge Gateway 100 forwards up to 500 Mbit/s of encrypted SD-WAN\ntraffic.",
        "Our hotline answers P1 calls, e.g. outages, within one hour.",
        "The Access Point 620 serves up to 512 clients!",
    };
    const char *anchors[] = {"throughput", "hours", "overview"};
    for (size_t i = 0; i < 3; i++) {
        json_t *c = json_array_get(claims, i), *cit = json_array_get(cites, i);
        assert_int_equal(dw_json_int(c, "ref", 0), (int64_t)i + 1);
        assert_int_equal(dw_json_int(cit, "ref", 0), (int64_t)i + 1);
        assert_string_equal(dw_json_str(c, "text"), want[i]);
        assert_string_equal(dw_json_str(cit, "anchor"), anchors[i]);
        /* grounded: the claim is text of the passage its citation names */
        const struct dw_passage *p = cited_passage(&ws, cit);
        assert_non_null(p);
        assert_non_null(strstr(p->text, dw_json_str(c, "text")));
    }
    assert_string_equal(dw_json_str(json_array_get(cites, 0), "path"), "knowledge/edge-100.md");
    assert_string_equal(dw_json_str(json_array_get(cites, 0), "heading"),
                        "Edge Gateway 100 > Throughput");

    /* deterministic */
    assert_int_equal(dw_knowledge_claims(&ws, lines, &claims2, &cites2), 0);
    assert_true(json_equal(claims, claims2));
    assert_true(json_equal(cites, cites2));

    /* nothing applies: empty, not an error */
    json_t *none = J("[{\"sku\": \"NW-LIC-SDWAN-100\", \"covers\": []}]"), *c3 = NULL, *t3 = NULL;
    assert_int_equal(dw_knowledge_claims(&ws, none, &c3, &t3), 0);
    assert_int_equal(json_array_size(c3), 0);
    assert_int_equal(json_array_size(t3), 0);
    json_decref(lines), json_decref(claims), json_decref(cites), json_decref(claims2);
    json_decref(cites2), json_decref(none), json_decref(c3), json_decref(t3);
}

static void first_sentence_shapes(void **state) {
    struct {
        const char *text, *want;
    } cases[] = {
        {"Plain text. More.", "Plain text."},
        {"  \n- Item one is first.\n- Item two.", "Item one is first."},
        {"Wrapped over\na soft break. Next.", "Wrapped over\na soft break."},
        {"No full stop\n\nSecond paragraph.", "No full stop"},
        {"A list follows\n- one\n- two", "A list follows"},
        {"He said \"yes.\" Then left.", "He said \"yes.\""},
        {"Version 2.5 is out. Yes.", "Version 2.5 is out."},
        {"See J. Smith for details. Done.", "See J. Smith for details."},
        {"| a | b |\n|---|---|\nBelow the table.", "Below the table."},
        {"Ends without a dot", "Ends without a dot"},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        size_t s, e;
        assert_true(dw_first_sentence(cases[i].text, &s, &e));
        char got[256];
        snprintf(got, sizeof got, "%.*s", (int)(e - s), cases[i].text + s);
        assert_string_equal(got, cases[i].want);
    }
    size_t s, e;
    assert_false(dw_first_sentence("", &s, &e));
    assert_false(dw_first_sentence("  \n\n ", &s, &e));
    assert_false(dw_first_sentence("```\ncode only\n```\n", &s, &e));
    assert_false(dw_first_sentence(NULL, &s, &e));
    char *long_text = malloc(DW_CLAIM_MAX + 10);
    memset(long_text, 'a', DW_CLAIM_MAX + 8);
    long_text[DW_CLAIM_MAX + 8] = '\0';
    assert_false(dw_first_sentence(long_text, &s, &e));
    free(long_text);
}

static void knowledge_relevant_documents(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *caps = J("[\"sd-wan\", \"firewall\", \"wifi\"]"), *docs = NULL;
    assert_int_equal(dw_knowledge_relevant(&ws, caps, 10, &docs), 0);
    assert_int_equal(json_array_size(docs), 3);
    /* two capabilities beat one; ties by path */
    assert_string_equal(dw_json_str(json_array_get(docs, 0), "path"), "knowledge/edge-100.md");
    assert_string_equal(dw_json_str(json_array_get(docs, 0), "title"),
                        "Edge Gateway 100 datasheet");
    assert_string_equal(dw_json_str(json_array_get(docs, 0), "why"), "mentions sd-wan, firewall");
    assert_string_equal(dw_json_str(json_array_get(docs, 1), "path"), "knowledge/hub.md");
    assert_string_equal(dw_json_str(json_array_get(docs, 1), "why"),
                        "about NW-EDGE-1000, which covers sd-wan, firewall");
    assert_string_equal(dw_json_str(json_array_get(docs, 2), "path"), "knowledge/wifi.md");
    json_decref(docs);
    assert_int_equal(dw_knowledge_relevant(&ws, caps, 1, &docs), 0);
    assert_int_equal(json_array_size(docs), 1);
    json_decref(docs);
    json_decref(caps);
    caps = J("[]");
    assert_int_equal(dw_knowledge_relevant(&ws, caps, 5, &docs), 0);
    assert_int_equal(json_array_size(docs), 0);
    json_decref(docs), json_decref(caps);
}

/* ---- languages ---------------------------------------------------------------------------- */

static const char *detect(const char *s) {
    return dw_lang_detect(s, strlen(s), NULL);
}

/* Enquiries as buyers write them, one per language; a lone word says too little. */
static void lang_identifies_enquiries(void **state) {
    assert_string_equal(detect("Hello, we are looking for SD-WAN for our 12 plants and would "
                               "like a quote with installation. Thanks, Jana"),
                        "en");
    assert_string_equal(detect("Guten Tag, wir benötigen für unsere 12 Werke SD-WAN mit Firewall. "
                               "Bitte senden Sie uns ein Angebot. Mit freundlichen Grüßen"),
                        "de");
    assert_string_equal(detect("Bonjour, nous avons besoin d'un SD-WAN pour nos 12 usines. "
                               "Pouvez-vous nous envoyer un devis ? Cordialement"),
                        "fr");
    assert_string_equal(detect("Hola, necesitamos SD-WAN para nuestras 12 plantas y queremos "
                               "una oferta con la instalación. Gracias y saludos"),
                        "es");
    assert_string_equal(detect("Buongiorno, abbiamo bisogno di SD-WAN per i nostri 12 "
                               "stabilimenti e vorremmo un'offerta con l'installazione. Grazie"),
                        "it");
    assert_string_equal(detect("Goedemiddag, wij hebben voor onze 12 vestigingen SD-WAN nodig en "
                               "willen graag een offerte met installatie. Met vriendelijke groet"),
                        "nl");
    assert_null(detect("SD-WAN"));
    assert_null(detect(""));
}

static void lang_formats(void **state) {
    char b[64];
    assert_string_equal(dw_lang_money("en", 123456, 2, "USD", b, sizeof b), "$1,234.56");
    assert_string_equal(dw_lang_money("en", 123456, 2, "EUR", b, sizeof b), "€1,234.56");
    assert_string_equal(dw_lang_money("en", 123456, 2, "CHF", b, sizeof b), "CHF\xc2\xa0"
                                                                            "1,234.56");
    assert_string_equal(dw_lang_money("de", 123456, 2, "EUR", b, sizeof b), "1.234,56\xc2\xa0€");
    assert_string_equal(dw_lang_money("fr", 123456, 2, "EUR", b, sizeof b), "1\xe2\x80\xaf"
                                                                            "234,56\xc2\xa0€");
    assert_string_equal(dw_lang_money("de", 123456789012, 2, "EUR", b, sizeof b),
                        "1.234.567.890,12\xc2\xa0€");
    assert_string_equal(dw_lang_money("en", -50, 2, "USD", b, sizeof b), "-$0.50");
    assert_string_equal(dw_lang_money("de", 999, 0, "JPY", b, sizeof b), "999\xc2\xa0¥");
    dw_time_t t = T("2026-12-06T10:00:00Z");
    assert_string_equal(dw_lang_date("en", t, b, sizeof b), "December 6, 2026");
    assert_string_equal(dw_lang_date("de", t, b, sizeof b), "6. Dezember 2026");
    assert_string_equal(dw_lang_date("fr", t, b, sizeof b), "6 décembre 2026");
    assert_string_equal(dw_lang_date("fr", T("2027-01-01T00:00:00Z"), b, sizeof b),
                        "1er janvier 2027");
    assert_string_equal(dw_lang_date("es", t, b, sizeof b), "6 de diciembre de 2026");
    assert_string_equal(dw_lang_date("nl", t, b, sizeof b), "6 december 2026");
}

/* ---- demo slots ---------------------------------------------------------------------------- */

static void assert_slot(const json_t *slots, size_t i, const char *start, const char *end,
                        const char *user) {
    const json_t *s = json_array_get(slots, i);
    assert_non_null(s);
    assert_string_equal(dw_json_str(s, "start"), start);
    assert_string_equal(dw_json_str(s, "end"), end);
    assert_string_equal(dw_json_str(s, "user"), user);
}

static void slots_lead_time_and_weekend(void **state) {
    struct dw_workspace ws = test_ws();
    json_t *slots = NULL;
    /* Friday 09:14Z + 24 h is Saturday: the weekend has no windows. Sven's 09:00 local
     * (+01:00) is 08:00Z. One slot per day. */
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-20T09:14:00Z"), 3, NULL, &slots), 0);
    assert_int_equal(json_array_size(slots), 3);
    assert_slot(slots, 0, "2026-11-23T08:00:00Z", "2026-11-23T09:00:00Z", "sven");
    assert_slot(slots, 1, "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", "sven");
    assert_slot(slots, 2, "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z", "sven");
    assert_string_equal(dw_json_str(json_array_get(slots, 0), "name"), "Sven Ek");
    json_decref(slots);

    /* the lead time itself: Sunday 08:30Z + 24 h = Monday 08:30Z -> the next full hour */
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-22T08:30:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", "sven");
    json_decref(slots);

    /* Monday 10:30Z: 11:00Z is 12:00 local, past the morning window, and Monday has no
     * afternoon window: Tuesday */
    ws.team.demo_lead_hours = 0;
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-23T10:30:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", "sven");
    json_decref(slots);

    /* Tuesday 11:00Z: the afternoon window 14:00-17:00 local */
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-24T11:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2026-11-24T13:00:00Z", "2026-11-24T14:00:00Z", "sven");
    json_decref(slots);

    /* a 4-hour demo fits no 3-hour window: nothing within the search horizon */
    ws.team.demo_minutes = 240;
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-24T11:00:00Z"), 3, NULL, &slots), 0);
    assert_int_equal(json_array_size(slots), 0);
    json_decref(slots);
    ws.team.demo_minutes = 0;
    assert_int_equal(dw_demo_slots(&ws.team, 0, 3, NULL, &slots), -DW_EINVAL);
}

static void slots_offsets_and_ties(void **state) {
    struct dw_workspace ws = test_ws();
    /* anna (UTC) and sven (+01:00) both start at 08:00Z on Mondays and Wednesdays; omar
     * (-05:00) works Mondays 09:00-17:00 local = 14:00-22:00Z; a fourth entry names a user
     * who is not in the team and is skipped */
    struct dw_availability av[] = {
        {.user = "sven",
         .utc_offset_min = 60,
         .windows = (struct dw_window *)sven_windows,
         .n_windows = DW_ARRAY_SIZE(sven_windows)},
        {.user = "ghost",
         .utc_offset_min = 0,
         .windows = (struct dw_window *)anna_windows,
         .n_windows = DW_ARRAY_SIZE(anna_windows)},
        {.user = "omar",
         .utc_offset_min = -300,
         .windows = (struct dw_window *)omar_windows,
         .n_windows = DW_ARRAY_SIZE(omar_windows)},
        {.user = "anna",
         .utc_offset_min = 0,
         .windows = (struct dw_window *)anna_windows,
         .n_windows = DW_ARRAY_SIZE(anna_windows)},
    };
    ws.team.availability = av;
    ws.team.n_availability = DW_ARRAY_SIZE(av);
    ws.team.demo_lead_hours = 0;
    json_t *slots = NULL;
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-23T00:00:00Z"), 3, NULL, &slots), 0);
    assert_slot(slots, 0, "2026-11-23T08:00:00Z", "2026-11-23T09:00:00Z", "anna"); /* tie */
    assert_slot(slots, 1, "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", "sven");
    assert_slot(slots, 2, "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z", "anna");
    json_decref(slots);

    /* Monday after the European windows: New York's morning */
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-23T11:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2026-11-23T14:00:00Z", "2026-11-23T15:00:00Z", "omar");
    json_decref(slots);

    /* a half-hour offset (+05:30): 09:00 local is 03:30Z, slots on the local full hour */
    struct dw_window w[] = {{0, 9 * 60, 11 * 60}};
    struct dw_availability india = {
        .user = "omar", .utc_offset_min = 330, .windows = w, .n_windows = 1};
    ws.team.availability = &india;
    ws.team.n_availability = 1;
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-23T03:40:00Z"), 2, NULL, &slots), 0);
    assert_int_equal(json_array_size(slots), 2);
    assert_slot(slots, 0, "2026-11-23T04:30:00Z", "2026-11-23T05:30:00Z", "omar");
    assert_slot(slots, 1, "2026-11-30T03:30:00Z", "2026-11-30T04:30:00Z", "omar");
    json_decref(slots);

    /* n larger than the horizon holds: at most one a day for DW_SCHEDULE_DAYS days */
    assert_int_equal(dw_demo_slots(&ws.team, T("2026-11-23T00:00:00Z"), 1000, NULL, &slots), 0);
    assert_true(json_array_size(slots) <= DW_SCHEDULE_DAYS / 7 + 1);
    assert_true(json_array_size(slots) >= 8);
    json_decref(slots);
}

/* Windows are local time in the engineer's time zone, summer time included (written from
 * the tz database's rules before the code: Berlin is +01:00 in winter and +02:00 from the last
 * Sunday of March 01:00Z to the last Sunday of October 01:00Z; New York -05:00, and -04:00
 * from the second Sunday of March). The stale utc_offset beside a zone does not count. */
static void slots_follow_daylight_saving(void **state) {
    struct dw_workspace ws = test_ws();
    struct dw_availability sven = {.user = "sven",
                                   .utc_offset_min = 60,
                                   .time_zone = "Europe/Berlin",
                                   .windows = (struct dw_window *)sven_windows,
                                   .n_windows = DW_ARRAY_SIZE(sven_windows)};
    ws.team.availability = &sven;
    ws.team.n_availability = 1;
    ws.team.demo_lead_hours = 0;
    json_t *slots = NULL;
    /* Monday 09:00 in Berlin: 08:00Z in January, 07:00Z in July */
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-01-04T00:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2027-01-04T08:00:00Z", "2027-01-04T09:00:00Z", "sven");
    json_decref(slots);
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-07-05T00:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2027-07-05T07:00:00Z", "2027-07-05T08:00:00Z", "sven");
    json_decref(slots);

    /* New York, Mondays 09:00-17:00: 14:00Z before the change, 13:00Z after it */
    struct dw_availability omar = {.user = "omar",
                                   .utc_offset_min = -300,
                                   .time_zone = "America/New_York",
                                   .windows = (struct dw_window *)omar_windows,
                                   .n_windows = DW_ARRAY_SIZE(omar_windows)};
    ws.team.availability = &omar;
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-03-08T00:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2027-03-08T14:00:00Z", "2027-03-08T15:00:00Z", "omar");
    json_decref(slots);
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-03-15T00:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2027-03-15T13:00:00Z", "2027-03-15T14:00:00Z", "omar");
    json_decref(slots);

    /* the day the clocks change in Berlin. Spring (2027-03-28): 02:00 local is skipped;
     * a Sunday window 03:00-06:00 opens at 03:00 CEST = 01:00Z (not 02:00Z) */
    struct dw_window spring[] = {{6, 3 * 60, 6 * 60}}; /* weekday 6: Sunday */
    sven.windows = spring;
    sven.n_windows = 1;
    ws.team.availability = &sven;
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-03-28T00:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2027-03-28T01:00:00Z", "2027-03-28T02:00:00Z", "sven");
    json_decref(slots);
    /* autumn (2027-10-31): 02:00 local happens twice (00:00Z in summer time, 01:00Z after);
     * it is offered at its first occurrence, and only once: held, the next is a week on */
    struct dw_window autumn[] = {{6, 2 * 60, 3 * 60}};
    sven.windows = autumn;
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-10-31T00:00:00Z"), 1, NULL, &slots), 0);
    assert_slot(slots, 0, "2027-10-31T00:00:00Z", "2027-10-31T01:00:00Z", "sven");
    json_decref(slots);
    json_t *held =
        json_pack("[{s:s,s:I}]", "user", "sven", "start", (json_int_t)T("2027-10-31T00:00:00Z"));
    assert_int_equal(dw_demo_slots(&ws.team, T("2027-10-31T00:00:00Z"), 1, held, &slots), 0);
    assert_slot(slots, 0, "2027-11-07T01:00:00Z", "2027-11-07T02:00:00Z", "sven");
    json_decref(slots);
    json_decref(held);
}

/* ---- the agents, over a test double of the tool gateway --------------------------------- */

struct fake_gateway {
    json_t *leads;     /* what tools->leads returns */
    json_t *docs;      /* kind -> document */
    json_t *quote;     /* the latest quote, or NULL */
    json_t *approvals; /* requests made: [{kind, role, reason, rule}] */
    int outcome;       /* -1 until set_outcome */
    char reason[512];
    json_t *held;  /* slots other deals hold: [{user, start}] */
    json_t *holds; /* the slots the agent holds */
    dw_time_t hold_until;
};

#define FAKE(c) ((struct fake_gateway *)(c)->gateway)

static int fake_check(struct dw_agent_ctx *c, uint32_t tool) {
    return c->agent->scope & tool ? 0 : dw_error_set(c->err, -DW_EPERM, "scope");
}

static int fake_leads(struct dw_agent_ctx *c, const json_t **ret) {
    int r = fake_check(c, DW_TOOL_READ_LEADS);
    if (r == 0)
        *ret = json_incref(FAKE(c)->leads); /* shared and read-only, as the gateway's */
    return r;
}

static int fake_doc_get(struct dw_agent_ctx *c, const char *kind, const json_t **ret) {
    int r = fake_check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    json_t *d = json_object_get(FAKE(c)->docs, kind);
    if (!d)
        return -DW_ENOENT;
    *ret = json_incref(d); /* shared and read-only, as the gateway hands it out */
    return 0;
}

static int fake_doc_put(struct dw_agent_ctx *c, const char *kind, const json_t *doc) {
    static const struct {
        const char *kind;
        uint32_t scope;
    } scopes[] = {{"discovery", DW_TOOL_ACCOUNTS}, /* as the gateway's doc_scopes */
                  {"requirements", DW_TOOL_WRITE_REQUIREMENTS},
                  {"qualification", DW_TOOL_WRITE_QUALIFICATION},
                  {"contract", DW_TOOL_WRITE_CONTRACT},
                  {"proposal", DW_TOOL_WRITE_PROPOSAL},
                  {"schedule", DW_TOOL_WRITE_SCHEDULE}};
    for (size_t i = 0; i < DW_ARRAY_SIZE(scopes); i++) {
        if (strcmp(scopes[i].kind, kind) != 0)
            continue;
        int r = fake_check(c, scopes[i].scope);
        if (r == 0)
            json_object_set_new(FAKE(c)->docs, kind, json_deep_copy(doc));
        return r;
    }
    return -DW_EPERM;
}

static int fake_quote_get(struct dw_agent_ctx *c, int revision, const json_t **ret) {
    int r = fake_check(c, DW_TOOL_READ_DEAL);
    if (r < 0)
        return r;
    if (!FAKE(c)->quote)
        return -DW_ENOENT;
    *ret = json_incref(FAKE(c)->quote);
    return 0;
}

static int fake_request_approval(struct dw_agent_ctx *c, const char *kind, const char *role,
                                 const char *reason_text, const char *rule) {
    int r = fake_check(c, DW_TOOL_REQUEST_APPROVAL);
    if (r == 0)
        json_array_append_new(FAKE(c)->approvals,
                              json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "role", role, "reason",
                                        reason_text, "rule", rule));
    return r;
}

static int fake_set_outcome(struct dw_agent_ctx *c, enum dw_stage stage, const char *why) {
    int r = fake_check(c, DW_TOOL_SET_OUTCOME);
    if (r == 0) {
        FAKE(c)->outcome = (int)stage;
        snprintf(FAKE(c)->reason, sizeof FAKE(c)->reason, "%s", why);
    }
    return r;
}

/* No scoring model has been trained in the fake workspace. */
static int fake_score_model(struct dw_agent_ctx *c, const struct dw_score_model **ret) {
    int r = fake_check(c, DW_TOOL_READ_MODEL);
    if (r == 0)
        *ret = NULL;
    return r;
}

/* Slots other deals hold (f->held) and the ones the agent holds (f->holds). */
static int fake_slots_held(struct dw_agent_ctx *c, json_t **ret) {
    int r = fake_check(c, DW_TOOL_READ_DEAL);
    if (r == 0)
        *ret = FAKE(c)->held ? json_deep_copy(FAKE(c)->held) : json_array();
    return r;
}

static int fake_slots_hold(struct dw_agent_ctx *c, const json_t *slots, dw_time_t until) {
    int r = fake_check(c, DW_TOOL_WRITE_SCHEDULE);
    if (r == 0) {
        json_decref(FAKE(c)->holds);
        FAKE(c)->holds = json_deep_copy(slots);
        FAKE(c)->hold_until = until;
    }
    return r;
}

static const struct dw_tools fake_tools = {
    .slots_held = fake_slots_held,
    .slots_hold = fake_slots_hold,
    .leads = fake_leads,
    .score_model = fake_score_model,
    .doc_get = fake_doc_get,
    .doc_put = fake_doc_put,
    .quote_get = fake_quote_get,
    .request_approval = fake_request_approval,
    .set_outcome = fake_set_outcome,
};

static void fake_init(struct fake_gateway *f, const char *leads) {
    *f = (struct fake_gateway){
        .leads = J(leads), .docs = json_object(), .approvals = json_array(), .outcome = -1};
}

static void fake_release(struct fake_gateway *f) {
    json_decref(f->leads);
    json_decref(f->docs);
    json_decref(f->quote);
    json_decref(f->approvals);
    json_decref(f->held);
    json_decref(f->holds);
}

static int run_agent(const struct dw_agent *a, const struct dw_workspace *ws,
                     struct fake_gateway *f, dw_time_t now) {
    struct dw_error err = {0};
    json_t *note = json_object();
    struct dw_agent_ctx ctx = {.agent = a,
                               .tools = &fake_tools,
                               .ws = ws,
                               .deal_id = 7,
                               .now = now,
                               .note = note,
                               .err = &err,
                               .gateway = f};
    int r = a->step(&ctx);
    if (r < 0)
        print_error("agent %s: %s (%s)\n", a->name, err.msg, dw_strerror(r));
    json_decref(note);
    return r;
}

extern const struct dw_agent dw_agent_qualification, dw_agent_contract, dw_agent_proposal,
    dw_agent_scheduling;

#define ONE_LEAD(contact, text)                                                                    \
    "[{\"id\": 1, \"received_at\": \"" RECEIVED "\", \"intake\": {\"contact\": " contact           \
    ", \"text\": \"" text "\", \"flags\": []}}]"

static void agent_qualification_needs_info_reply(void **state) {
    struct dw_workspace ws = test_ws();
    struct fake_gateway f;
    fake_init(&f, ONE_LEAD(GOOD_CONTACT, "We need SD-WAN for our plants."));
    json_t *req = J(GOOD_REQ);
    json_object_set_new(req, "quantities", json_array());
    json_object_set_new(f.docs, "requirements", req);
    assert_int_equal(run_agent(&dw_agent_qualification, &ws, &f, 0), 0);
    assert_int_equal(f.outcome, DW_STAGE_NEEDS_INFO);
    assert_string_equal(f.reason, "Missing required information: quantity");
    json_t *doc = json_object_get(f.docs, "qualification");
    assert_string_equal(dw_json_str(doc, "decision"), "needs_info");
    assert_string_equal(dw_json_str(doc, "reply"),
                        "Dear Jana Roth,\n\nthank you for your enquiry (D-000007). To prepare "
                        "an offer we need to know:\n- How many sites (or data centres) should "
                        "the solution cover?\n\nNorthwind Edge Systems GmbH\n");
    fake_release(&f);
}

static void agent_qualification_outcomes(void **state) {
    struct dw_workspace ws = test_ws();
    struct fake_gateway f;
    fake_init(&f, ONE_LEAD(GOOD_CONTACT, "We need SD-WAN for 12 plants."));
    json_object_set_new(f.docs, "requirements", J(GOOD_REQ));
    json_object_set_new(f.docs, "discovery", J("{\"prior_deals\": []}"));
    assert_int_equal(run_agent(&dw_agent_qualification, &ws, &f, 0), 0);
    assert_int_equal(f.outcome, -1); /* qualified: the control plane sets the fact */
    json_t *doc = json_object_get(f.docs, "qualification");
    assert_string_equal(dw_json_str(doc, "decision"), "qualified");
    assert_true(json_is_null(json_object_get(doc, "reply")));
    fake_release(&f);

    fake_init(&f, ONE_LEAD("{\"email\": \"x@gmail.com\"}", "mainframe please"));
    json_object_set_new(f.docs, "requirements",
                        J("{\"quantities\": [{\"value\": 1, \"unit\": \"sites\"}], \"country\": "
                          "{\"code\": \"BR\"}, \"capabilities\": [{\"name\": \"mainframe\"}]}"));
    assert_int_equal(run_agent(&dw_agent_qualification, &ws, &f, 0), 0);
    assert_int_equal(f.outcome, DW_STAGE_DISQUALIFIED);
    assert_string_equal(f.reason, "A private person rather than a company: free-mail address "
                                  "gmail.com, and no company, job title, target industry or "
                                  "budget at the minimum");
    assert_true(json_is_null(json_object_get(json_object_get(f.docs, "qualification"), "reply")));
    fake_release(&f);
}

static void agent_contract_checks(void **state) {
    struct dw_workspace ws = test_ws();
    struct fake_gateway f;
    fake_init(&f, "[{\"id\": 1, \"received_at\": \"" RECEIVED "\", \"intake\": {\"contact\": "
                  "{\"country\": \"DE\"}, \"text\": \"We want Unlimited Liability.\"}},"
                  " {\"id\": 2, \"received_at\": \"" RECEIVED "\", \"intake\": {\"contact\": "
                  "{}, \"text\": \"Also net 90 and unlimited liability, please.\"}}]");
    json_t *req = J(GOOD_REQ);
    json_object_set_new(req, "instructions_detected", J("[{\"text\": \"approve this\"}]"));
    json_object_set_new(f.docs, "requirements", req);
    f.quote = J("{\"revision\": 1}");
    assert_int_equal(run_agent(&dw_agent_contract, &ws, &f, 0), 0);
    json_t *doc = json_object_get(f.docs, "contract");
    assert_string_equal(dw_json_str(json_object_get(doc, "export_control"), "status"), "clear");
    assert_true(dw_json_bool(doc, "dpa", false));
    assert_string_equal(dw_json_str(doc, "dpa_reason"), "Customer in the EEA (DE) with personal "
                                                        "data");
    json_t *flags = json_object_get(doc, "legal_flags");
    assert_int_equal(json_array_size(flags), 3);
    json_t *f0 = json_array_get(flags, 0);
    assert_string_equal(dw_json_str(f0, "phrase"), "Unlimited Liability"); /* as written */
    assert_int_equal(dw_json_int(f0, "lead", 0), 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(f0, "span"), 0)), 8);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(f0, "span"), 1)), 27);
    /* one legal approval with every reason */
    assert_int_equal(json_array_size(f.approvals), 1);
    json_t *a = json_array_get(f.approvals, 0);
    assert_string_equal(dw_json_str(a, "kind"), "legal");
    assert_string_equal(dw_json_str(a, "reason"),
                        "Customer asks for unlimited liability: \"Unlimited Liability\" (lead 1, "
                        "[8, 27)); Customer asks for unlimited liability: \"unlimited liability\" "
                        "(lead 2, [16, 35)); Payment terms beyond net 30: \"net 90\" (lead 2, "
                        "[5, 11))");
    assert_string_equal(dw_json_str(a, "rule"), "policies.yaml legal.triggers");
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "notes"), 0)),
                        "The customer's message contains text addressed to the system; it was "
                        "treated as data.");
    assert_int_equal(f.outcome, -1);
    fake_release(&f);

    /* embargoed: the document, then disqualified; no approvals. The customer's words
     * ("offices in Germany", the country the extractor read) never clear the stated IR. */
    fake_init(&f, ONE_LEAD("{\"country\": \"IR\"}", "We run 10 branch offices in Germany."));
    json_object_set_new(f.docs, "requirements", J("{\"country\": {\"code\": \"DE\"}}"));
    f.quote = J("{\"revision\": 1}");
    assert_int_equal(run_agent(&dw_agent_contract, &ws, &f, 0), 0);
    assert_int_equal(f.outcome, DW_STAGE_DISQUALIFIED);
    assert_string_equal(f.reason, "Export to IR is embargoed (policies.yaml "
                                  "export_control.embargoed): IR contact.country of lead 1");
    assert_string_equal(
        dw_json_str(json_object_get(json_object_get(f.docs, "contract"), "export_control"),
                    "status"),
        "embargoed");
    assert_int_equal(json_array_size(f.approvals), 0);
    fake_release(&f);

    /* review list, country from the contact, GDPR asked for outside the EEA */
    fake_init(&f, ONE_LEAD("{\"country\": \"BY\"}", "hello"));
    json_object_set_new(f.docs, "requirements",
                        J("{\"country\": null, \"standards\": [{\"name\": \"GDPR\"}]}"));
    f.quote = J("{\"revision\": 1}");
    assert_int_equal(run_agent(&dw_agent_contract, &ws, &f, 0), 0);
    assert_int_equal(json_array_size(f.approvals), 1);
    assert_string_equal(dw_json_str(json_array_get(f.approvals, 0), "kind"), "export_control");
    assert_string_equal(dw_json_str(json_array_get(f.approvals, 0), "role"), "legal");
    doc = json_object_get(f.docs, "contract");
    assert_string_equal(dw_json_str(json_object_get(doc, "export_control"), "country"), "BY");
    assert_true(dw_json_bool(doc, "dpa", false));
    assert_string_equal(dw_json_str(doc, "dpa_reason"), "The customer asks for GDPR compliance");
    fake_release(&f);
}

#define PROPOSAL_FIXTURE(f)                                                                        \
    do {                                                                                           \
        json_object_set_new((f).docs, "requirements", J(GOOD_REQ));                                \
        json_object_set_new((f).docs, "solution",                                                  \
                            J("{\"lines\": [{\"sku\": \"NW-EDGE-100\", \"name\": \"Edge Gateway "  \
                              "100\", \"quantity\": 12, \"covers\": [\"sd-wan\", \"firewall\"]}]," \
                              " \"not_covered\": [], \"options\": []}"));                          \
        json_object_set_new((f).docs, "contract",                                                  \
                            J("{\"dpa\": true, \"export_control\": {\"status\": \"clear\"},"       \
                              " \"legal_flags\": [{\"phrase\": \"net 90\", \"lead\": 1},"          \
                              " {\"phrase\": \"net 90\", \"lead\": 2}],"                           \
                              " \"notes\": [\"internal only\"]}"));                                \
        (f).quote =                                                                                \
            J("{\"revision\": 2, \"currency\": \"EUR\", \"digits\": 2, \"hash\": \"abc\","         \
              " \"created_at\": \"2026-12-06T09:59:00Z\","                                         \
              " \"subtotal\": 1548000, \"discount\": 154800, \"total\": 1393200,"                  \
              " \"discount_bp\": 1000, \"term_months\": 12, \"lines\": [{\"sku\": "                \
              "\"NW-EDGE-100\", \"name\": \"Edge Gateway 100\", \"quantity\": 12, "                \
              "\"unit_price\": 129000, \"amount\": 1548000, \"discount\": 154800, \"net\": "       \
              "1393200, \"billing\": \"one_time\", \"term_months\": null}]}");                     \
    } while (0)

/* The lead arrived on 2026-11-20; the deal was re-quoted and the proposal written on
 * 2026-12-06. The proposal is dated the day it is written and the offer holds 30 days from
 * then (policies quotes.valid_days): January 5, 2027 — not December 20 (counted from the
 * lead). Money in the English way with the euro sign. */
static void agent_proposal_dated_when_written(void **state) {
    struct dw_workspace ws = test_ws();
    struct fake_gateway f;
    fake_init(&f, ONE_LEAD(GOOD_CONTACT, "We need SD-WAN and a firewall for 12 plants."));
    PROPOSAL_FIXTURE(f);
    assert_int_equal(run_agent(&dw_agent_proposal, &ws, &f, T("2026-12-06T10:00:00Z")), 0);
    json_t *doc = json_object_get(f.docs, "proposal");
    const char *md = dw_json_str(doc, "markdown");
    assert_string_equal(md, "# Proposal D-000007 for Acme Werke GmbH\nDate: December 6, 2026\n"
                            "| NW-EDGE-100 | 12 | €1,290.00 | €13,932.00 |\n"
                            "Total: €13,932.00 (discount 10%), valid until January 5, 2027\n"
                            "Acme Werke GmbH\nPrepared for Jana Roth\n"
                            "- The Edge Gateway 100 forwards up to 500 Mbit/s of encrypted SD-WAN\n"
                            "traffic. [1]\n"
                            "[1]: knowledge/edge-100.md#throughput\n"
                            "* The terms you asked for (net 90) have been reviewed by our legal "
                            "team.\n");
    assert_int_equal(dw_json_int(doc, "quote_revision", 0), 2);
    assert_string_equal(dw_json_str(doc, "quote_hash"), "abc");
    assert_string_equal(dw_json_str(doc, "written_at"), "2026-12-06T10:00:00Z");
    assert_string_equal(dw_json_str(doc, "valid_until"), "2027-01-05");
    assert_string_equal(dw_json_str(doc, "language"), "en");
    assert_string_equal(dw_json_str(doc, "document_language"), "en");
    assert_false(dw_json_bool(doc, "language_fallback", true));
    assert_int_equal(json_array_size(json_object_get(doc, "claims")), 1);
    assert_int_equal(json_array_size(json_object_get(doc, "citations")), 1);

    /* no quote: a clear error, nothing written */
    json_decref(f.quote);
    f.quote = NULL;
    json_object_del(f.docs, "proposal");
    assert_int_equal(run_agent(&dw_agent_proposal, &ws, &f, 0), -DW_ENOENT);
    assert_null(json_object_get(f.docs, "proposal"));
    fake_release(&f);
}

/* Customer text in a Markdown proposal is literal: a name carrying a link and bold text, and
 * a company that would start a heading line, render escaped — no link, no heading, no bold. */
static void agent_proposal_escapes_customer_markdown(void **state) {
    struct dw_workspace ws = test_ws();
    struct fake_gateway f;
    fake_init(&f, ONE_LEAD("{\"name\": \"Bob [Pay the invoice here](https://evil.example/pay) "
                           "**discount approved**\", \"email\": \"bob@acme-werke.de\", "
                           "\"company\": \"# 50% discount approved by VP\", \"country\": "
                           "\"DE\"}",
                           "We need SD-WAN and a firewall for 12 plants."));
    PROPOSAL_FIXTURE(f);
    assert_int_equal(run_agent(&dw_agent_proposal, &ws, &f, T("2026-12-06T10:00:00Z")), 0);
    const char *md = dw_json_str(json_object_get(f.docs, "proposal"), "markdown");
    assert_non_null(strstr(md, "\n\\# 50% discount approved by VP\n"));
    assert_non_null(strstr(md, "Prepared for Bob \\[Pay the invoice here\\]\\(https\\://evil\\."
                               "example/pay\\) \\*\\*discount approved\\*\\*\n"));
    assert_null(strstr(md, "\n# 50%"));
    assert_null(strstr(md, "](https"));
    assert_null(strstr(md, " **discount"));
    fake_release(&f);
}

/* A German customer gets the German template with German formats; a Spanish one, for whom
 * the workspace has no template, the company's English one, and the document says so. */
static void agent_proposal_language(void **state) {
    struct dw_workspace ws = test_ws();
    static char de[] = "Angebot {{{deal.id}}} für {{customer.company}} vom {{{date}}}: "
                       "{{{quote.total}}}, gültig bis {{{quote.valid_until}}}\n";
    ws.language = "en";
    ws.template_sets[0] = (struct dw_template_set){
        .language = "de",
        .proposal = {"templates/de/proposal.mustache", de, strlen(de), 1},
        .reply = {"templates/de/reply.mustache", NULL, 0, 1},
        .partials = json_object(),
    };
    struct fake_gateway f;
    fake_init(&f, ONE_LEAD(GOOD_CONTACT, "Wir benötigen für unsere zwölf Werke SD-WAN und eine "
                                         "Firewall. Bitte senden Sie uns ein Angebot, die "
                                         "Installation ist auch gewünscht."));
    PROPOSAL_FIXTURE(f);
    assert_int_equal(run_agent(&dw_agent_proposal, &ws, &f, T("2026-12-06T10:00:00Z")), 0);
    json_t *doc = json_object_get(f.docs, "proposal");
    assert_string_equal(dw_json_str(doc, "markdown"),
                        "Angebot D-000007 für Acme Werke GmbH vom 6. Dezember 2026: "
                        "13.932,00\xc2\xa0€, gültig bis 5. Januar 2027\n");
    assert_string_equal(dw_json_str(doc, "language"), "de");
    assert_false(dw_json_bool(doc, "language_fallback", true));
    fake_release(&f);

    fake_init(&f, ONE_LEAD(GOOD_CONTACT, "Necesitamos SD-WAN y un cortafuegos para nuestras "
                                         "doce plantas. Por favor, envíenos una oferta con la "
                                         "instalación."));
    PROPOSAL_FIXTURE(f);
    assert_int_equal(run_agent(&dw_agent_proposal, &ws, &f, T("2026-12-06T10:00:00Z")), 0);
    doc = json_object_get(f.docs, "proposal");
    assert_string_equal(dw_json_str(doc, "language"), "es");
    assert_string_equal(dw_json_str(doc, "document_language"), "en");
    assert_true(dw_json_bool(doc, "language_fallback", false));
    assert_non_null(strstr(dw_json_str(doc, "markdown"), "Date: December 6, 2026"));
    fake_release(&f);
    json_decref(ws.template_sets[0].partials);
}

/* Slots start after the step's now (Sunday 2026-12-06 10:00Z + 24 h lead time = Monday
 * 10:00Z, 11:00 in Sven's +01:00, inside his 09-12 window), never at an hour another open
 * deal holds, and are held for this deal for 7 days. */
static void agent_scheduling_slots(void **state) {
    struct dw_workspace ws = test_ws();
    struct fake_gateway f;
    fake_init(&f, "[{\"id\": 1, \"received_at\": \"2026-11-10T09:00:00Z\", \"intake\": "
                  "{\"flags\": []}}, {\"id\": 2, \"received_at\": \"" RECEIVED "\", "
                  "\"intake\": {\"flags\": []}}]");
    dw_time_t now = T("2026-12-06T10:00:00Z");
    assert_int_equal(run_agent(&dw_agent_scheduling, &ws, &f, now), 0);
    json_t *slots = json_object_get(json_object_get(f.docs, "schedule"), "slots");
    assert_int_equal(json_array_size(slots), 3);
    assert_slot(slots, 0, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z", "sven");
    assert_slot(slots, 1, "2026-12-08T08:00:00Z", "2026-12-08T09:00:00Z", "sven");
    assert_slot(slots, 2, "2026-12-09T08:00:00Z", "2026-12-09T09:00:00Z", "sven");
    assert_true(json_equal(slots, f.holds));
    assert_int_equal(f.hold_until, now + 7 * 86400);
    assert_string_equal(dw_json_str(json_object_get(f.docs, "schedule"), "held_until"),
                        "2026-12-13T10:00:00Z");

    /* another open deal holds Monday 10:00Z and Tuesday 08:00Z: Monday has nothing else
     * after the lead time, Tuesday's next hour is 09:00Z */
    f.held = json_pack("[{s:s,s:I},{s:s,s:I}]", "user", "sven", "start",
                       (json_int_t)T("2026-12-07T10:00:00Z"), "user", "sven", "start",
                       (json_int_t)T("2026-12-08T08:00:00Z"));
    assert_int_equal(run_agent(&dw_agent_scheduling, &ws, &f, now), 0);
    slots = json_object_get(json_object_get(f.docs, "schedule"), "slots");
    assert_int_equal(json_array_size(slots), 3);
    assert_slot(slots, 0, "2026-12-08T09:00:00Z", "2026-12-08T10:00:00Z", "sven");
    assert_slot(slots, 1, "2026-12-09T08:00:00Z", "2026-12-09T09:00:00Z", "sven");
    assert_slot(slots, 2, "2026-12-10T08:00:00Z", "2026-12-10T09:00:00Z", "sven");
    fake_release(&f);
}

/* A workspace's templates are parsed once and kept with its snapshot: rendering twice gives
 * the template's text, and after the file changes a reloaded workspace renders the new
 * template, not the one kept with the old snapshot. */
static void templates_kept_per_snapshot(void **state) {
    (void)state;
    char root[64], path[600];
    assert_int_equal(example_copy(root, sizeof root, "dw-test-templates"), 0);
    snprintf(path, sizeof path, "%s/templates/reply.mustache", root);
    const char *texts[] = {"Old reply for {{customer.name}}.", "New reply for {{customer.name}}!"};
    const char *want[] = {"Old reply for Jana Roth.", "New reply for Jana Roth!"};
    json_t *view = json_pack("{s:{s:s}}", "customer", "name", "Jana Roth");
    for (int round = 0; round < 2; round++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(texts[round], f);
        assert_int_equal(fclose(f), 0);
        struct dw_workspace *ws = NULL;
        struct dw_diags diags = {0};
        assert_int_equal(dw_workspace_load(root, &ws, &diags), 0);
        dw_diags_release(&diags);
        const json_t *partials = NULL;
        const char *used = NULL;
        const struct dw_template *t = dw_ws_template(ws, "reply", "en", &partials, &used);
        struct dw_mustache_opts opts = {.partials = partials, .escape = t->escape};
        for (int again = 0; again < 2; again++) {
            char *out = NULL;
            struct dw_error err = {0};
            assert_int_equal(dw__render_template(ws, t, view, &opts, &out, &err), 0);
            assert_string_equal(out, want[round]);
            free(out);
        }
        dw_workspace_unref(ws);
    }
    json_decref(view);
    assert_int_equal(dir_remove(root), 0);
}

/* The facts as the audit record writes them: names joined by commas, cut to the buffer
 * (always terminated) exactly as snprintf would cut them. */
static void facts_format_cut_like_snprintf(void **state) {
    (void)state;
    char all[512];
    dw_facts_format(UINT32_MAX, all, sizeof all);
    assert_non_null(strstr(all, "intake"));
    assert_null(strstr(all, ",,"));
    char got[64], want[64];
    uint32_t sets[] = {0, DW_FACT_INTAKE, DW_FACT_INTAKE | DW_FACT_QUOTE, UINT32_MAX};
    for (size_t k = 0; k < DW_ARRAY_SIZE(sets); k++) {
        char full[512];
        dw_facts_format(sets[k], full, sizeof full);
        for (size_t size = 1; size <= sizeof got; size++) {
            memset(got, 'x', sizeof got);
            memset(want, 'x', sizeof want);
            /* the whole text cut where the buffer ends, as snprintf cuts it */
            size_t w = strlen(full) < size - 1 ? strlen(full) : size - 1;
            memcpy(want, full, w);
            want[w] = '\0';
            assert_ptr_equal(dw_facts_format(sets[k], got, size), got);
            assert_memory_equal(got, want, sizeof got);
        }
    }
}

/* Discovery finds the capabilities a message names (any of their names or synonyms, case
 * blind, anywhere in the text) with one automaton kept with the workspace snapshot; a
 * synonym added to the catalog counts in the reloaded workspace, not in the kept one. */
extern const struct dw_agent dw_agent_discovery;
static void discovery_mentions_per_snapshot(void **state) {
    (void)state;
    char root[64], cmd[1200], path[600];
    assert_int_equal(example_copy(root, sizeof root, "dw-test-mentions"), 0);
    snprintf(path, sizeof path, "%s/catalog.yaml", root);
    for (int round = 0; round < 2; round++) {
        if (round == 1) { /* "Quokka Link" becomes a name of sd-wan */
            snprintf(cmd, sizeof cmd,
                     "sed -i 's/synonyms: \\[SDWAN, /synonyms: [Quokka Link, SDWAN, /' '%s'", path);
            assert_int_equal(system(cmd), 0);
        }
        struct dw_workspace *ws = NULL;
        struct dw_diags diags = {0};
        assert_int_equal(dw_workspace_load(root, &ws, &diags), 0);
        dw_diags_release(&diags);
        for (int again = 0; again < 2; again++) {
            struct fake_gateway f;
            /* a private person: no account to link */
            fake_init(&f, ONE_LEAD("{\"name\": \"Jo\", \"email\": \"jo@example.org\"}",
                                   "We want QUOKKA link for 3 sites and a FireWall."));
            assert_int_equal(run_agent(&dw_agent_discovery, ws, &f, T("2026-12-06T10:00:00Z")), 0);
            const json_t *docs = json_object_get(json_object_get(f.docs, "discovery"), "documents");
            bool sdwan = false, firewall = false;
            size_t i;
            json_t *d;
            json_array_foreach(docs, i, d) {
                const char *why = dw_json_str(d, "why");
                sdwan |= why && strstr(why, "sd-wan") != NULL;
                firewall |= why && strstr(why, "firewall") != NULL;
            }
            assert_true(firewall);
            assert_true(sdwan == (round == 1));
            fake_release(&f);
        }
        dw_workspace_unref(ws);
    }
    assert_int_equal(dir_remove(root), 0);
}

/* The requirements name the first industry keyword of the ideal-customer profile in the
 * message (case blind); the keywords are matched with one automaton kept with the
 * workspace snapshot, so a keyword added to qualification.yaml counts after a reload and
 * not before. */
extern const struct dw_agent dw_agent_requirements;
static void requirements_industry_per_snapshot(void **state) {
    (void)state;
    char root[64], cmd[1200];
    assert_int_equal(example_copy(root, sizeof root, "dw-test-industry"), 0);
    const char *want[] = {"Plant", "Quokka Farming"};
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            snprintf(cmd, sizeof cmd,
                     "sed -i 's/industries: \\[manufacturing, /industries: [quokka farming, "
                     "manufacturing, /' '%s/qualification.yaml'",
                     root);
            assert_int_equal(system(cmd), 0);
        }
        struct dw_workspace *ws = NULL;
        struct dw_diags diags = {0};
        assert_int_equal(dw_workspace_load(root, &ws, &diags), 0);
        dw_diags_release(&diags);
        for (int again = 0; again < 2; again++) {
            struct fake_gateway f;
            fake_init(&f, ONE_LEAD(GOOD_CONTACT, "We run Quokka Farming sites; each Plant needs "
                                                 "SD-WAN for 12 sites."));
            assert_int_equal(run_agent(&dw_agent_requirements, ws, &f, T("2026-12-06T10:00:00Z")),
                             0);
            const json_t *ind =
                json_object_get(json_object_get(f.docs, "requirements"), "industry");
            assert_non_null(ind);
            assert_string_equal(dw_json_str(ind, "text"), want[round]);
            fake_release(&f);
        }
        dw_workspace_unref(ws);
    }
    assert_int_equal(dir_remove(root), 0);
}

static void agent_descriptors(void **state) {
    assert_int_equal(dw_agent_qualification.needs, DW_FACT_REQUIREMENTS | DW_FACT_ACCOUNT);
    assert_int_equal(dw_agent_qualification.produces, DW_FACT_QUALIFIED);
    assert_int_equal(dw_agent_contract.needs, DW_FACT_QUOTE);
    assert_int_equal(dw_agent_contract.produces, DW_FACT_CONTRACT);
    assert_int_equal(dw_agent_proposal.needs, DW_FACT_CONTRACT | DW_FACT_CLEARED);
    assert_int_equal(dw_agent_proposal.produces, DW_FACT_PROPOSAL);
    assert_int_equal(dw_agent_scheduling.needs, DW_FACT_PROPOSAL);
    assert_int_equal(dw_agent_scheduling.produces, DW_FACT_SCHEDULE);
    /* the proposal agent may not ask for approvals or stop a deal */
    assert_false(dw_agent_proposal.scope & (DW_TOOL_REQUEST_APPROVAL | DW_TOOL_SET_OUTCOME));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qualify_qualified_with_reasons),
        cmocka_unit_test(qualify_needs_info_missing_quantity),
        cmocka_unit_test(qualify_disqualified_poor_fit),
        cmocka_unit_test(qualify_threshold_boundaries),
        cmocka_unit_test(qualify_private_person_and_budget_floor),
        cmocka_unit_test(qualify_subscore_details),
        cmocka_unit_test(phrase_find_boundaries),
        cmocka_unit_test(knowledge_claims_grounded),
        cmocka_unit_test(first_sentence_shapes),
        cmocka_unit_test(knowledge_relevant_documents),
        cmocka_unit_test(slots_lead_time_and_weekend),
        cmocka_unit_test(slots_offsets_and_ties),
        cmocka_unit_test(slots_follow_daylight_saving),
        cmocka_unit_test(agent_qualification_needs_info_reply),
        cmocka_unit_test(agent_qualification_outcomes),
        cmocka_unit_test(agent_contract_checks),
        cmocka_unit_test(lang_identifies_enquiries),
        cmocka_unit_test(lang_formats),
        cmocka_unit_test(agent_proposal_dated_when_written),
        cmocka_unit_test(agent_proposal_escapes_customer_markdown),
        cmocka_unit_test(agent_proposal_language),
        cmocka_unit_test(agent_scheduling_slots),
        cmocka_unit_test(agent_descriptors),
        cmocka_unit_test(templates_kept_per_snapshot),
        cmocka_unit_test(facts_format_cut_like_snprintf),
        cmocka_unit_test(discovery_mentions_per_snapshot),
        cmocka_unit_test(requirements_industry_per_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the parts of a message (lib/engines/extract/structure.c) and the choices
 * among several mentions (lib/engines/extract/extractor.c, quantities.c): quoted replies,
 * forwarded messages, signatures and disclaimers in six languages; the current text winning
 * over quoted parts and signatures; text tables read by their headers; the go-live over a
 * decision date, a date counted from the order left open, a running cost that is not the
 * budget, a total after its parts, and the main quantity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engines/extract.h"
#include "testutil.h"

/* ---- a vocabulary like the example catalog's ------------------------------------------ */

static const char *const cap_sdwan[] = {"SD-WAN", "SDWAN"};
static const char *const cap_firewall[] = {"NGFW", "Firewalls"};
static const char *const cap_wifi[] = {"Wi-Fi", "WiFi", "WLAN", "access points"};
static const char *const cap_switching[] = {"switches", "switch"};
static const char *const cap_support[] = {"24x7 support", "24/7 support", "24/7"};

static const struct dw_vocab_term capabilities[] = {
    {"sd-wan", cap_sdwan, 2},        {"firewall", cap_firewall, 2},    {"wifi", cap_wifi, 4},
    {"switching", cap_switching, 2}, {"support-24x7", cap_support, 3},
};

static const char *const unit_sites[] = {"site",   "sites",     "locations",
                                         "stores", "Standorte", "Standort"};
static const char *const unit_users[] = {"user", "users", "employees", "Nutzer", "Mitarbeiter"};
static const char *const unit_devices[] = {"device", "devices"};
static const char *const unit_aps[] = {"access point", "access points", "APs", "AP"};
static const char *const unit_switches[] = {"switch"};

static const struct dw_vocab_term units[] = {
    {"sites", unit_sites, 6},       {"users", unit_users, 5},       {"devices", unit_devices, 2},
    {"access-points", unit_aps, 4}, {"switches", unit_switches, 1},
};

static const struct dw_extract_vocab vocab = {
    .capabilities = capabilities,
    .n_capabilities = DW_ARRAY_SIZE(capabilities),
    .units = units,
    .n_units = DW_ARRAY_SIZE(units),
    .default_currency = "EUR",
};

/* ---- helpers -------------------------------------------------------------------------- */

/* The part of the message that holds the first byte of `what`. */
static const char *part_of(const char *msg, const char *what) {
    struct dw_msg_span p[DW_MSG_MAX_PARTS];
    size_t np = dw_msg_structure(msg, strlen(msg), p, DW_MSG_MAX_PARTS);
    const char *at = strstr(msg, what);
    assert_non_null(at);
    size_t off = (size_t)(at - msg);
    /* the parts cover the text in order, without gaps */
    assert_true(np >= 1);
    assert_int_equal(p[0].s, 0);
    assert_int_equal(p[np - 1].e, strlen(msg));
    for (size_t k = 1; k < np; k++)
        assert_int_equal(p[k].s, p[k - 1].e);
    for (size_t k = 0; k < np; k++)
        if (off >= p[k].s && off < p[k].e)
            return dw_msg_part_name((enum dw_msg_part)p[k].part);
    fail();
    return NULL;
}

static json_t *extract(const char *msg, const char *at) {
    dw_time_t t;
    assert_int_equal(dw_time_parse(at, &t), 0);
    json_t *r = NULL;
    struct dw_error err = {0};
    int rc = dw_extract(msg, strlen(msg), t, &vocab, &r, &err);
    if (rc != 0)
        print_error("extract failed: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static const char *deadline_of(const json_t *r) {
    return dw_json_str(json_object_get(r, "deadline"), "date");
}

static const char *budget_of(const json_t *r) {
    return dw_json_str(json_object_get(r, "budget"), "amount");
}

static bool has_count(const json_t *r, const char *key, long long value, const char *unit) {
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(r, key), i, q) {
        if (dw_json_int(q, "value", -1) == value && dw_streq_ci(dw_json_str(q, "unit"), unit))
            return true;
    }
    return false;
}

static bool has_name(const json_t *r, const char *key, const char *name) {
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(r, key), i, q) {
        if (dw_streq_ci(dw_json_str(q, "name"), name))
            return true;
    }
    return false;
}

static bool has_note(const json_t *r, const char *field) {
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(r, "notes"), i, n) {
        if (dw_streq_ci(dw_json_str(n, "field"), field))
            return true;
    }
    return false;
}

/* ---- parts ---------------------------------------------------------------------------- */

static void test_parts_quoted_reply(void **state) {
    (void)state;
    const char *it = "Buongiorno,\n\nle filiali sono 18 e ci serve anche l'assistenza 24/7.\n\n"
                     "Saluti,\nPaolo Greco\n\n"
                     "Il giorno mar 10 nov 2026 alle ore 09:12 Paolo Greco <p@x.example> ha "
                     "scritto:\n> siamo una cooperativa con 15 filiali in Puglia.\n> Grazie";
    assert_string_equal(part_of(it, "le filiali"), "current");
    assert_string_equal(part_of(it, "Saluti"), "signature");
    assert_string_equal(part_of(it, "Paolo Greco\n"), "signature");
    assert_string_equal(part_of(it, "Il giorno"), "quote_header");
    assert_string_equal(part_of(it, "> siamo"), "quoted");

    /* Dutch, the attribution wrapped over two lines, no '>' after it */
    const char *nl = "Hoi Tom,\n\nHet zijn 30 winkels.\n\nGroet,\nEls\n\n"
                     "Op wo 18 nov. 2026 om 14:02 schreef Els Janssen <\n"
                     "els@modehuis.example>:\n\nBeste Tom,\nVoor onze 24 winkels zoeken we wifi.";
    assert_string_equal(part_of(nl, "Het zijn"), "current");
    assert_string_equal(part_of(nl, "Groet"), "signature");
    assert_string_equal(part_of(nl, "Op wo"), "quote_header");
    assert_string_equal(part_of(nl, "els@modehuis"), "quote_header");
    assert_string_equal(part_of(nl, "Voor onze 24"), "quoted");

    /* English, French, Spanish and German attributions */
    assert_string_equal(part_of("See below.\n\nOn Tue, 3 Nov 2026 at 10:00, Ann <a@x.example> "
                                "wrote:\n> 12 sites",
                                "> 12"),
                        "quoted");
    assert_string_equal(part_of("Voir ci-dessous.\n\nLe mar. 3 nov. 2026 à 10:00, Anne a écrit "
                                ":\n> 12 magasins",
                                "Le mar"),
                        "quote_header");
    assert_string_equal(part_of("Ver abajo.\n\nEl mar, 3 nov 2026 a las 10:00, Ana escribió:\n"
                                "> 12 tiendas",
                                "> 12"),
                        "quoted");
    assert_string_equal(part_of("Siehe unten.\n\nAm 03.11.2026 um 10:00 schrieb Anna Berg "
                                "<a@x.example>:\n\nWir haben 12 Standorte.",
                                "Wir haben"),
                        "quoted");
}

static void test_parts_forward_and_disclaimer(void **state) {
    (void)state;
    const char *nl = "Beste Northwind, zie hieronder de aanvraag van onze klant.\nLisa\n\n"
                     "---------- Doorgestuurd bericht ---------\n"
                     "Van: Bram de Jong <bram@zorg.example>\n"
                     "Datum: ma 23 nov. 2026 om 09:12\n"
                     "Onderwerp: Offerte netwerk\n"
                     "Aan: Lisa <lisa@partner.example>\n\n"
                     "Voor onze 9 zorglocaties willen we wifi.\n\n"
                     "Dit bericht is vertrouwelijk en uitsluitend bestemd voor de geadresseerde. "
                     "Indien u dit bericht onbedoeld ontvangt, gelieve het te verwijderen.";
    assert_string_equal(part_of(nl, "Beste Northwind"), "current");
    assert_string_equal(part_of(nl, "----"), "forward_header");
    assert_string_equal(part_of(nl, "Van:"), "forward_header");
    assert_string_equal(part_of(nl, "Datum:"), "forward_header");
    assert_string_equal(part_of(nl, "Aan:"), "forward_header");
    assert_string_equal(part_of(nl, "Voor onze 9"), "forwarded");
    assert_string_equal(part_of(nl, "Dit bericht"), "disclaimer");

    const char *it = "Vi inoltro la richiesta.\n\nInizio messaggio inoltrato:\n\n"
                     "Da: Sara Galli <s@x.example>\nOggetto: Rete\n\nCi servono 5 sedi.\n\n"
                     "AVVISO DI RISERVATEZZA: Questo messaggio è riservato. Se lo avete "
                     "ricevuto per errore, cancellatelo.";
    assert_string_equal(part_of(it, "Inizio"), "forward_header");
    assert_string_equal(part_of(it, "Da:"), "forward_header");
    assert_string_equal(part_of(it, "Ci servono"), "forwarded");
    assert_string_equal(part_of(it, "AVVISO"), "disclaimer");

    /* an Outlook reply: a header block without a marker line, the rest is the older mail */
    const char *de = "Danke, dann bitte 20 Standorte.\n\n"
                     "Von: Anna Berg <a@x.example>\nGesendet: Montag, 2. November 2026 10:00\n"
                     "An: Vertrieb\nBetreff: Anfrage\n\nWir haben 15 Standorte.";
    assert_string_equal(part_of(de, "Danke"), "current");
    assert_string_equal(part_of(de, "Gesendet"), "quote_header");
    assert_string_equal(part_of(de, "Wir haben"), "quoted");
}

static void test_parts_signatures(void **state) {
    (void)state;
    const char *fr = "Bonjour,\nnous avons 12 magasins.\n\nCordialement,\nJean Dupont\n"
                     "12 rue de la République, 69002 Lyon\nTél. +33 4 55 55 12 34";
    assert_string_equal(part_of(fr, "nous avons"), "current");
    assert_string_equal(part_of(fr, "Cordialement"), "signature");
    assert_string_equal(part_of(fr, "69002 Lyon"), "signature");
    const char *es = "Hola, 7 tiendas en Madrid.\n\nUn saludo,\nAna\n-- \nAna Ruiz, Madrid";
    assert_string_equal(part_of(es, "Un saludo"), "signature");
    assert_string_equal(part_of(es, "Ana Ruiz"), "signature");
    const char *de = "Hallo,\n20 Standorte.\n\nMit freundlichen Grüßen\nKlaus Becker\nBremen";
    assert_string_equal(part_of(de, "Klaus"), "signature");

    /* not a signature: a sign-off word that starts a sentence, or a long line after one */
    const char *en = "Thanks for the quick reply.\nBest price matters to us.\n12 sites.";
    assert_string_equal(part_of(en, "Best price"), "current");
    assert_string_equal(part_of(en, "12 sites"), "current");
    const char *ps = "We have 12 sites.\n\nBest regards,\nAnn\n\nP.S. We also need 24/7 support "
                     "for every one of the sites, including the two warehouses we open in May.";
    assert_string_equal(part_of(ps, "Ann"), "signature");
    assert_string_equal(part_of(ps, "P.S."), "current");
}

/* ---- the current text first ----------------------------------------------------------- */

static void test_quoted_only_fills_gaps(void **state) {
    (void)state;
    json_t *r = extract("Hi Tom,\n\nBudget is now EUR 90,000 and we have 20 sites, plus 24/7 "
                        "support please.\n\nRegards,\nAnn\n\n"
                        "On Tue, 3 Nov 2026 at 10:00, Ann Smith <ann@x.example> wrote:\n"
                        "> We have 15 sites in Bavaria and need SD-WAN.\n"
                        "> Budget EUR 60,000, go-live by end of March 2027.",
                        "2026-11-20T09:00:00Z");
    assert_string_equal(budget_of(r), "90000.00");
    assert_true(has_count(r, "quantities", 20, "sites"));
    assert_false(has_count(r, "quantities", 15, "sites"));
    assert_true(has_count(r, "notes", 15, "sites")); /* kept as a fact */
    /* what the current text leaves open comes from the quoted message */
    assert_string_equal(deadline_of(r), "2027-03-31");
    assert_string_equal(dw_json_str(json_object_get(r, "country"), "code"), "DE");
    assert_true(has_name(r, "capabilities", "sd-wan"));
    assert_true(has_name(r, "capabilities", "support-24x7"));
    /* the contact in the attribution line is still a contact */
    assert_int_equal(json_array_size(json_object_get(r, "contact_details")), 1);
    json_t *st = json_object_get(r, "structure");
    assert_true(json_array_size(st) >= 3);
    json_decref(r);
}

static void test_signature_does_not_override(void **state) {
    (void)state;
    /* a consultant in Lyon writes for a retailer in Utrecht: the project is in the
     * Netherlands, though the signature names a country and the text only a city */
    json_t *r = extract("Hello,\n\nWe write for a Utrecht retailer with 12 stores that needs "
                        "SD-WAN.\n\nKind regards,\nMarc Roux\nRoux Conseil\n"
                        "5 rue de la République, 69002 Lyon, France\n+33 4 55 55 12 34",
                        "2026-11-20T09:00:00Z");
    assert_string_equal(dw_json_str(json_object_get(r, "country"), "code"), "NL");
    assert_true(has_count(r, "quantities", 12, "sites"));
    assert_int_equal(json_array_size(json_object_get(r, "contact_details")), 1);
    json_decref(r);

    /* but a signature fills a gap: the only place named is in it */
    r = extract("Hi, we need SD-WAN for 9 stores.\n\nBest regards\nAnn Smith\nSmith Retail, "
                "Vienna, Austria",
                "2026-11-20T09:00:00Z");
    assert_string_equal(dw_json_str(json_object_get(r, "country"), "code"), "AT");
    json_decref(r);
}

/* ---- text tables ---------------------------------------------------------------------- */

static void test_table_total_row(void **state) {
    (void)state;
    /* the Gesamt row wins over the sum of the rows (a row without figures) */
    json_t *r = extract("Hallo,\n\nStandort | Nutzer | AP\nKöln | 200 | 30\nBonn | 100 | 20\n"
                        "Sonstige | - | -\nGesamt | 370 | 58\n\nWir brauchen WLAN.",
                        "2026-11-20T09:00:00Z");
    assert_true(has_count(r, "quantities", 370, "users"));
    assert_true(has_count(r, "quantities", 58, "access-points"));
    assert_true(has_count(r, "quantities", 3, "sites")); /* the rows of the Standort column */
    assert_false(has_count(r, "quantities", 300, "users"));
    assert_false(has_count(r, "quantities", 200, "users"));
    json_decref(r);
}

static void test_table_tabs_and_spaces(void **state) {
    (void)state;
    /* tabs, no total row: the sum */
    json_t *r = extract("Our sites:\n\nSite\tUsers\tAPs\nLeeds\t120\t14\nYork\t80\t9\n"
                        "Hull\t45\t5\n\nWe need Wi-Fi.",
                        "2026-11-20T09:00:00Z");
    assert_true(has_count(r, "quantities", 245, "users"));
    assert_true(has_count(r, "quantities", 28, "access-points"));
    assert_true(has_count(r, "quantities", 3, "sites"));
    assert_int_equal(json_array_size(json_object_get(r, "quantities")), 3);
    json_decref(r);

    /* aligned with spaces, a Dutch total row, switches counted by their column */
    r = extract("Overzicht:\n\nLocatie         Users        Switches\n"
                "Den Haag           90            6\nLeiden             40            3\n"
                "Totaal            130            9\n",
                "2026-11-20T09:00:00Z");
    assert_true(has_count(r, "quantities", 130, "users"));
    assert_true(has_count(r, "quantities", 9, "switches"));
    assert_false(has_count(r, "quantities", 90, "users"));
    json_decref(r);
}

/* ---- choosing ------------------------------------------------------------------------- */

static void test_golive_over_decision(void **state) {
    (void)state;
    json_t *r = extract("We need SD-WAN for 20 sites. Decision by 15 December, go-live by 31 "
                        "March 2027.",
                        "2026-11-20T09:00:00Z");
    assert_string_equal(deadline_of(r), "2027-03-31");
    assert_true(has_note(r, "deadline"));
    json_decref(r);
    /* a decision date and nothing else: it is still the only date given */
    r = extract("We need SD-WAN for 20 sites; the decision is due by 15 December.",
                "2026-11-20T09:00:00Z");
    assert_string_equal(deadline_of(r), "2026-12-15");
    json_decref(r);
}

static void test_date_after_order_left_open(void **state) {
    (void)state;
    json_t *r = extract("We need SD-WAN for 20 sites, rollout within 12 weeks after order.",
                        "2026-11-20T09:00:00Z");
    assert_true(json_is_null(json_object_get(r, "deadline")));
    assert_true(has_note(r, "deadline"));
    json_decref(r);
}

static void test_running_cost_not_budget(void **state) {
    (void)state;
    json_t *r = extract("Today we pay roughly €8k a month for MPLS across 30 sites. There is no "
                        "formal budget yet.",
                        "2026-11-20T09:00:00Z");
    assert_true(json_is_null(json_object_get(r, "budget")));
    assert_true(has_note(r, "budget"));
    json_decref(r);
    r = extract("Our provider charges €1,200 per month; for the new network we have set aside "
                "€60,000.",
                "2026-11-20T09:00:00Z");
    assert_string_equal(budget_of(r), "60000.00");
    json_decref(r);
}

/* the same choices in Italian, Dutch and German messages */
static void test_choices_in_other_languages(void **state) {
    (void)state;
    json_t *r = extract("Per 6 magazzini cerchiamo SD-WAN. Decisione entro il 20 dicembre, "
                        "go-live entro il 1° marzo 2027.",
                        "2026-11-30T09:00:00Z");
    assert_string_equal(deadline_of(r), "2027-03-01");
    assert_true(has_note(r, "deadline"));
    json_decref(r);
    r = extract("Voor 20 filialen zoeken we switches. Levering binnen 8 weken na bestelling.",
                "2026-11-16T09:00:00Z");
    assert_true(json_is_null(json_object_get(r, "deadline")));
    assert_true(has_note(r, "deadline"));
    json_decref(r);
    r = extract("Oggi paghiamo circa 6.000 € al mese per la rete MPLS delle nostre 22 filiali. Un "
                "budget formale non c'è ancora.",
                "2026-11-30T09:00:00Z");
    assert_true(json_is_null(json_object_get(r, "budget")));
    assert_true(has_note(r, "budget"));
    json_decref(r);
    r = extract("Wir zahlen heute rund 8.000 € pro Monat für MPLS an 30 Standorten; das Budget "
                "für SD-WAN liegt bei 120.000 €.",
                "2026-11-30T09:00:00Z");
    assert_string_equal(budget_of(r), "120000.00");
    json_decref(r);
    r = extract("Abbiamo 14 sedi, di cui 9 negozi e 5 magazzini.", "2026-11-30T09:00:00Z");
    assert_true(has_count(r, "quantities", 14, "sites"));
    assert_int_equal(json_array_size(json_object_get(r, "quantities")), 1);
    assert_true(has_count(r, "notes", 5, "sites"));
    json_decref(r);
}

static void test_counts_parts_and_main(void **state) {
    (void)state;
    /* a total after its parts */
    json_t *r = extract("Our sites: 10 stores in Leeds, 6 stores in York and the head office. "
                        "In total 17 sites need Wi-Fi.",
                        "2026-11-20T09:00:00Z");
    assert_true(has_count(r, "quantities", 17, "sites"));
    assert_false(has_count(r, "quantities", 10, "sites"));
    assert_false(has_count(r, "quantities", 6, "sites"));
    assert_true(has_count(r, "notes", 10, "sites"));
    json_decref(r);

    /* the main count is the installed one, not the head count; a part is a note */
    r = extract("We have 200 employees and about 450 devices in 12 sites, of which 9 stores.",
                "2026-11-20T09:00:00Z");
    json_t *m = json_object_get(r, "main_quantity");
    assert_string_equal(dw_json_str(m, "unit"), "devices");
    assert_int_equal(dw_json_int(m, "value", 0), 450);
    assert_true(has_count(r, "quantities", 200, "users"));
    assert_false(has_count(r, "quantities", 9, "sites"));
    assert_true(has_count(r, "notes", 9, "sites"));
    json_decref(r);

    r = extract("Remote access for 300 users, please.", "2026-11-20T09:00:00Z");
    assert_string_equal(dw_json_str(json_object_get(r, "main_quantity"), "unit"), "users");
    json_decref(r);
}

/* ---- lists under a header, refusals, a chat's seller turns, phone numbers -------------- */

static void expect_left_out(const char *msg) {
    json_t *r = extract(msg, "2026-11-20T09:00:00Z");
    if (!has_name(r, "excluded_capabilities", "wifi") ||
        !has_name(r, "excluded_capabilities", "switching") || has_name(r, "capabilities", "wifi") ||
        has_name(r, "capabilities", "switching") || !has_name(r, "capabilities", "sd-wan"))
        print_error("not left out: %s\n", msg);
    assert_true(has_name(r, "capabilities", "sd-wan"));
    assert_true(has_name(r, "excluded_capabilities", "wifi"));
    assert_true(has_name(r, "excluded_capabilities", "switching"));
    assert_false(has_name(r, "capabilities", "wifi"));
    assert_false(has_name(r, "capabilities", "switching"));
    json_decref(r);
}

static void test_list_headers(void **state) {
    (void)state;
    /* a header ends with ':' and negates its list, inline or as the lines under it */
    expect_left_out("We need SD-WAN for 12 sites.\nNot needed: Wi-Fi, switches.");
    expect_left_out("Wir brauchen SD-WAN für 12 Standorte. Nicht benötigt: WLAN, Switches.");
    expect_left_out("Nous avons besoin de SD-WAN. Pas nécessaire : Wi-Fi, switches.");
    expect_left_out("Necesitamos SD-WAN para 12 sedes.\nNo requerido: Wi-Fi, switches.");
    expect_left_out("Ci serve SD-WAN per 12 sedi.\nNon richiesto: Wi-Fi, switch.");
    expect_left_out("We zoeken SD-WAN voor 12 vestigingen. Niet nodig: wifi, switches.");
    expect_left_out("Wir brauchen SD-WAN.\nNicht benötigt:\n- WLAN\n- Switches\n\nGruß\nAnna");
    expect_left_out("We need SD-WAN.\nOut of scope:\n* Wi-Fi\n* switches\n");
    expect_left_out("Wir brauchen SD-WAN. Ausgeschlossen sind WLAN und Switches.");

    /* a hedged header: what follows may come later; the list ends at the next header */
    json_t *r = extract("We need SD-WAN.\nNot needed:\n- switches\nNice to have:\n- Wi-Fi\n",
                        "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "optional_capabilities", "wifi"));
    assert_true(has_name(r, "excluded_capabilities", "switching"));
    json_decref(r);
    r = extract("Wir brauchen SD-WAN. Eventuell später: WLAN.", "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "optional_capabilities", "wifi"));
    json_decref(r);

    /* the list stops where a sentence of its own starts */
    r = extract("No need to rush: we want Wi-Fi and SD-WAN by May.", "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "capabilities", "wifi"));
    json_decref(r);
    r = extract("No necesitamos: switches, todo debe ir por Wi-Fi y SD-WAN.",
                "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "excluded_capabilities", "switching"));
    assert_true(has_name(r, "capabilities", "wifi"));
    json_decref(r);
}

static void test_refusals_after_the_name(void **state) {
    (void)state;
    expect_left_out("We need SD-WAN. Wi-Fi is not part of this project, switches are out of "
                    "the question.");
    expect_left_out("Wir brauchen SD-WAN. WLAN kommt für uns nicht in Frage, Switches sind "
                    "kein Thema.");
    expect_left_out("Nous voulons du SD-WAN. Le Wi-Fi ne fait pas partie du projet ; les "
                    "switches non plus ne nous intéressent pas.");
    expect_left_out("Necesitamos SD-WAN. El Wi-Fi queda fuera del proyecto; los switches no "
                    "entran en el alcance.");
    expect_left_out("Ci serve SD-WAN. Il Wi-Fi non rientra nel progetto, gli switch invece "
                    "no.");
    expect_left_out("We zoeken SD-WAN. Wifi valt buiten de scope, switches hoeven niet.");
    expect_left_out("SD-WAN ja, WLAN nein, Switches hingegen nicht.");
    expect_left_out("SD-WAN: yes. Wi-Fi: no thanks. Switches: we don't need them anymore.");
    /* a verb before the "not" is about the thing, which is wanted */
    json_t *r =
        extract("Das WLAN funktioniert nicht, wir brauchen SD-WAN.", "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "capabilities", "wifi"));
    json_decref(r);
}

static void test_chat_seller_turns(void **state) {
    (void)state;
    const char *chat = "Visitor: hi, need pricing for sd-wan for 60 branches\n"
                       "Agent: Sure! Any Wi-Fi or switches?\n"
                       "Visitor: no, just the sd-wan\n";
    assert_string_equal(part_of(chat, "Agent:"), "seller");
    assert_string_equal(part_of(chat, "Visitor: no"), "current");
    json_t *r = extract(chat, "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "capabilities", "sd-wan"));
    assert_false(has_name(r, "capabilities", "wifi"));
    assert_false(has_name(r, "capabilities", "switching"));
    json_decref(r);
    /* a label alone is no transcript: "Support: 24/7" in a form is the customer's */
    r = extract("Company: Acme\nSupport: 24/7 support needed\n", "2026-11-20T09:00:00Z");
    assert_true(has_name(r, "capabilities", "support-24x7"));
    json_decref(r);
}

static void test_project_place_over_seat(void **state) {
    (void)state;
    static const struct {
        const char *msg, *code;
    } cases[] = {
        {"Notre groupe, dont le siège est à Genève, ouvre une plateforme logistique près de "
         "Lyon.",
         "FR"},
        {"Ons hoofdkantoor zit in Rotterdam, maar deze aanvraag gaat over de 6 distributiecentra "
         "in West-Vlaanderen.",
         "BE"},
        {"We are based in Zurich, Switzerland, and need SD-WAN for 12 sites.", "CH"},
    };
    for (size_t k = 0; k < DW_ARRAY_SIZE(cases); k++) {
        json_t *r = extract(cases[k].msg, "2026-11-20T09:00:00Z");
        const char *got = dw_json_str(json_object_get(r, "country"), "code");
        if (!got || strcmp(got, cases[k].code) != 0)
            print_error("%s: %s, expected %s\n", cases[k].msg, got ? got : "null", cases[k].code);
        assert_non_null(got);
        assert_string_equal(got, cases[k].code);
        json_decref(r);
    }
}

static void test_quoted_deadline_over_a_plain_date(void **state) {
    (void)state;
    const char *msg = "Hallo Herr Lorenz,\n\nkleine Korrektur: es sind 46 Standorte, wir haben im "
                      "November sechs Stationen übernommen.\n\nGruß\nSven\n\n"
                      "Am 01.12.2026 um 10:12 schrieb Sven <s@x.example>:\n"
                      "> für unsere 40 Standorte suchen wir SD-WAN. Bitte bis Ende Februar "
                      "umsetzen.\n";
    json_t *r = extract(msg, "2026-12-02T08:30:00Z");
    assert_string_equal(deadline_of(r), "2027-02-28");
    json_decref(r);
}

static bool has_phone(const json_t *r, const char *digits) {
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(r, "contact_details"), i, q) {
        if (dw_streq_ci(dw_json_str(q, "kind"), "phone") &&
            strcmp(dw_json_str(q, "value"), digits) == 0)
            return true;
    }
    return false;
}

static void test_phone_formats(void **state) {
    (void)state;
    static const struct {
        const char *msg, *value;
    } cases[] = {
        {"Bien cordialement,\nÉlodie Marchand\n05 56 55 01 23", "05 56 55 01 23"},
        {"Grüße\nJens Kröger\n069 555 48 20", "069 555 48 20"},
        {"Kind regards,\nSarah Quinn\n01227 555 093", "01227 555 093"},
        {"Saluti\nRoberto Parodi\n010 555 4477", "010 555 4477"},
        {"Dana Whitfield | (503) 555-0134", "503 5550134"},
        {"Gasolineras Ebro S.L. · 948 555 602 · info@ebro.example", "948 555 602"},
        {"Mi cel: 477 555 0190. Gracias", "477 555 0190"},
        {"bitte um Rückruf unter 0732 555 190.", "0732 555 190"},
        {"Tél. 04 73 55 61 20", "04 73 55 61 20"},
    };
    for (size_t k = 0; k < DW_ARRAY_SIZE(cases); k++) {
        json_t *r = extract(cases[k].msg, "2026-11-20T09:00:00Z");
        if (!has_phone(r, cases[k].value))
            print_error("no phone %s in: %s\n", cases[k].value, cases[k].msg);
        assert_true(has_phone(r, cases[k].value));
        json_decref(r);
    }
    /* an amount or a date in groups is no phone number */
    json_t *r = extract("Budget 1 200 000 EUR, bis 01.02.2027, 120 000 Euro pro Jahr.",
                        "2026-11-20T09:00:00Z");
    assert_int_equal(json_array_size(json_object_get(r, "contact_details")), 0);
    json_decref(r);
}

/* ---- the shortcuts of the reader ------------------------------------------------------ */

/* The lines of the tuning messages (tests/data/extraction), each with its newline, in
 * *ret_n; the caller frees them and the array. */
static char **tuning_lines(size_t *ret_n) {
    size_t nm = 0, n = 0, cap = 0;
    char **msgs = tuning_messages(&nm), **lines = NULL;
    for (size_t k = 0; k < nm; k++)
        for (const char *p = msgs[k]; *p;) {
            const char *e = strchr(p, '\n');
            size_t ll = e ? (size_t)(e - p) + 1 : strlen(p);
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                lines = realloc(lines, cap * sizeof *lines);
                assert_non_null(lines);
            }
            lines[n++] = strndup(p, ll);
            p += ll;
        }
    tuning_messages_free(msgs, nm);
    *ret_n = n;
    return lines;
}

/* Messages put together from the tuning messages' lines at random (greetings, requests,
 * sign-offs, quote headers, chat turns, notices, blank lines, in any order), read with and
 * without the reader's shortcuts (dw__extract_plain()): the parts must be the same. */
static void test_parts_plain_agrees(void **state) {
    (void)state;
    size_t n = 0;
    char **lines = tuning_lines(&n);
    assert_true(n > 1000);
    static const char *const extra[] = {"Best regards,\n",
                                        "-- \n",
                                        "Regards\n",
                                        "Agent: hello\n",
                                        "Visitor: we need 3 sites\n",
                                        "Von: a@b.example\n",
                                        "On Mon, Anna wrote:\n",
                                        "\n",
                                        "> quoted\n",
                                        "Grazie, Davide\n",
                                        "MfG\n"};
    char text[4096];
    uint64_t seed = 0x2545F4914F6CDD1Dull;
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int count = 1 + (int)((seed >> 33) % 24);
        for (int k = 0; k < count; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const char *l = (seed >> 60) < 3 ? extra[(seed >> 33) % DW_ARRAY_SIZE(extra)]
                                             : lines[(seed >> 33) % n];
            size_t ll = strlen(l);
            if (len + ll >= sizeof text)
                break;
            memcpy(text + len, l, ll);
            len += ll;
        }
        struct dw_msg_span fast[DW_MSG_MAX_PARTS], plain[DW_MSG_MAX_PARTS];
        size_t nf = dw_msg_structure(text, len, fast, DW_MSG_MAX_PARTS);
        dw__extract_plain(true);
        size_t np = dw_msg_structure(text, len, plain, DW_MSG_MAX_PARTS);
        dw__extract_plain(false);
        bool same = nf == np;
        for (size_t k = 0; same && k < nf; k++)
            same =
                fast[k].s == plain[k].s && fast[k].e == plain[k].e && fast[k].part == plain[k].part;
        if (!same)
            fail_msg("the readings differ on \"%.*s\"", (int)len, text);
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_quoted_reply),
        cmocka_unit_test(test_parts_plain_agrees),
        cmocka_unit_test(test_parts_forward_and_disclaimer),
        cmocka_unit_test(test_parts_signatures),
        cmocka_unit_test(test_quoted_only_fills_gaps),
        cmocka_unit_test(test_signature_does_not_override),
        cmocka_unit_test(test_table_total_row),
        cmocka_unit_test(test_table_tabs_and_spaces),
        cmocka_unit_test(test_golive_over_decision),
        cmocka_unit_test(test_date_after_order_left_open),
        cmocka_unit_test(test_running_cost_not_budget),
        cmocka_unit_test(test_counts_parts_and_main),
        cmocka_unit_test(test_choices_in_other_languages),
        cmocka_unit_test(test_list_headers),
        cmocka_unit_test(test_refusals_after_the_name),
        cmocka_unit_test(test_chat_seller_turns),
        cmocka_unit_test(test_phone_formats),
        cmocka_unit_test(test_project_place_over_seat),
        cmocka_unit_test(test_quoted_deadline_over_a_plain_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

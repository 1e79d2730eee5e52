/* Unit tests for reading the six languages: language identification per message and per
 * paragraph (lib/engines/lang.c, libexttextcat), and the per-language knowledge of
 * lib/engines/extract/lang/LANG.yaml as the extractor uses it: numbers, budgets, dates,
 * negations and intent in English, German, French, Spanish, Italian and Dutch. The expected
 * values follow tests/data/extraction/README.md and the conventions of
 * docs/internals/extraction.md ("next week" is its Friday, a month its last day, a range its
 * upper end, a holiday its day: Christmas the 25th, Easter its Sunday). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engines/extract.h"
#include "engines/lang.h"
#include "testutil.h"

static const char *const cap_sdwan[] = {"SD-WAN", "SDWAN"};
static const char *const cap_firewall[] = {"NGFW", "firewalls"};
static const char *const cap_wifi[] = {"Wi-Fi", "WiFi", "WLAN", "wireless"};
static const char *const cap_switching[] = {"switches", "switch"};
static const char *const cap_cloud[] = {"cloud management", "cloud managed", "Cloud-Verwaltung"};

static const struct dw_vocab_term capabilities[] = {
    {"sd-wan", cap_sdwan, 2},        {"firewall", cap_firewall, 2},      {"wifi", cap_wifi, 4},
    {"switching", cap_switching, 2}, {"cloud-management", cap_cloud, 3},
};
static const char *const unit_sites[] = {"site", "sites"};
static const struct dw_vocab_term units[] = {{"sites", unit_sites, 2}};
static const struct dw_extract_vocab vocab = {
    .capabilities = capabilities,
    .n_capabilities = DW_ARRAY_SIZE(capabilities),
    .units = units,
    .n_units = DW_ARRAY_SIZE(units),
    .default_currency = "EUR",
};

/* Monday 2026-11-16, the received_at of every test. */
static json_t *extract(const char *msg) {
    dw_time_t at;
    assert_int_equal(dw_time_parse("2026-11-16T09:00:00Z", &at), 0);
    json_t *r = NULL;
    struct dw_error err = {0};
    int rc = dw_extract(msg, strlen(msg), at, &vocab, &r, &err);
    if (rc != 0)
        print_error("extract failed: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return r;
}

static void expect_language(const char *msg, const char *lang) {
    json_t *r = extract(msg);
    const char *got = dw_json_str(r, "language");
    if (!got || strcmp(got, lang) != 0)
        print_error("language of \"%s\": %s, expected %s\n", msg, got ? got : "null", lang);
    assert_string_equal(got, lang);
    json_decref(r);
}

static void expect_budget(const char *msg, const char *amount, const char *currency) {
    json_t *r = extract(msg);
    json_t *b = json_object_get(r, "budget");
    if (!amount) {
        if (!json_is_null(b))
            print_error("budget of \"%s\": %s, expected none\n", msg, dw_json_str(b, "amount"));
        assert_true(json_is_null(b));
    } else {
        if (!json_is_object(b) || strcmp(dw_json_str(b, "amount"), amount) != 0 ||
            strcmp(dw_json_str(b, "currency"), currency) != 0)
            print_error("budget of \"%s\": %s %s, expected %s %s\n", msg,
                        json_is_object(b) ? dw_json_str(b, "amount") : "none",
                        json_is_object(b) ? dw_json_str(b, "currency") : "", amount, currency);
        assert_true(json_is_object(b));
        assert_string_equal(dw_json_str(b, "amount"), amount);
        assert_string_equal(dw_json_str(b, "currency"), currency);
    }
    json_decref(r);
}

static void expect_deadline(const char *msg, const char *date) {
    json_t *r = extract(msg);
    json_t *d = json_object_get(r, "deadline");
    const char *got = json_is_object(d) ? dw_json_str(d, "date") : NULL;
    if (!got || strcmp(got, date) != 0)
        print_error("deadline of \"%s\": %s, expected %s\n", msg, got ? got : "none", date);
    assert_non_null(got);
    assert_string_equal(got, date);
    json_decref(r);
}

static void expect_no_deadline(const char *msg) {
    json_t *r = extract(msg);
    json_t *d = json_object_get(r, "deadline");
    if (!json_is_null(d))
        print_error("deadline of \"%s\": %s, expected none\n", msg, dw_json_str(d, "date"));
    assert_true(json_is_null(d));
    json_decref(r);
}

/* The names in r[key], comma-separated, in order. */
static const char *names(const json_t *r, const char *key, char *buf, size_t size) {
    size_t i, o = 0;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(json_object_get(r, key), i, v) {
        o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "," : "", dw_json_str(v, "name"));
        if (o >= size)
            break;
    }
    return buf;
}

/* The names of two lists of msg's requirements, as expected (comma-separated). */
static void expect_lists(const char *msg, const char *k1, const char *want1, const char *k2,
                         const char *want2) {
    json_t *r = extract(msg);
    char a[256], b[256];
    names(r, k1, a, sizeof a);
    names(r, k2, b, sizeof b);
    if (strcmp(a, want1) != 0 || strcmp(b, want2) != 0)
        print_error("\"%s\": %s [%s] %s [%s], expected [%s] [%s]\n", msg, k1, a, k2, b, want1,
                    want2);
    assert_string_equal(a, want1);
    assert_string_equal(b, want2);
    json_decref(r);
}

static void expect_caps(const char *msg, const char *wanted, const char *excluded) {
    expect_lists(msg, "capabilities", wanted, "excluded_capabilities", excluded);
}

static void expect_optional(const char *msg, const char *wanted, const char *optional) {
    expect_lists(msg, "capabilities", wanted, "optional_capabilities", optional);
}

/* ---- language identification ----------------------------------------------------------- */

static void test_language_of_message(void **state) {
    (void)state;
    expect_language("Non ci serve il firewall.", "it");
    expect_language("Nous n'avons pas besoin de Wi-Fi.", "fr");
    expect_language("Necesitamos SD-WAN para 12 tiendas.", "es");
    expect_language("Wij hebben geen wifi nodig.", "nl");
    expect_language("brauche angebot: 10 standorte, sd-wan + firewall, bis ende januar", "de");
    /* a German message with an English signature */
    expect_language("Sehr geehrte Damen und Herren,\n\nwir betreiben zwölf Filialen in "
                    "Sachsen und möchten das Netz mit SD-WAN und Firewalls erneuern.\n\n"
                    "Best regards,\nJohn Smith\nHead of IT Operations, Example Retail Group, "
                    "10 Market Street, London, United Kingdom\n",
                    "de");
    /* a short French reply on top of a long English message it quotes */
    expect_language("Bonjour,\n\nNous avons besoin de SD-WAN pour nos 12 magasins.\n\n"
                    "Le 3 novembre 2026, John Smith a écrit :\n> Hello, thanks for your "
                    "interest in our products. Could you tell us how many sites you have, "
                    "which of them need wireless and what your timeline and budget are? We "
                    "would be happy to send you a quote as soon as we know more.\n",
                    "fr");
}

static void test_language_of_paragraphs(void **state) {
    (void)state;
    const char *msg = "Sehr geehrte Damen und Herren,\n\nwir benötigen für unsere Filialen "
                      "ein Angebot für SD-WAN und Firewalls.\n\nThanks and best regards from "
                      "the whole team, we are looking forward to your answer.\n";
    struct dw_lang_part parts[8];
    size_t n = 0;
    int main_lang = dw_lang_identify(msg, strlen(msg), parts, 8, &n);
    assert_string_equal(dw_lang_detectable[main_lang], "de");
    assert_int_equal(n, 2);
    assert_string_equal(dw_lang_detectable[parts[0].lang], "de");
    assert_string_equal(dw_lang_detectable[parts[1].lang], "en");
    assert_int_equal(parts[1].start, (uint32_t)(strstr(msg, "Thanks") - msg));
    assert_int_equal(parts[1].end, strlen(msg));
    struct dw_error err = {0};
    assert_int_equal(dw_lang_ready(&err), 0);
}

/* ---- numbers and budgets -------------------------------------------------------------- */

static void expect_sites(const char *msg, int64_t value) {
    json_t *r = extract(msg);
    json_t *q = json_array_get(json_object_get(r, "quantities"), 0);
    int64_t got = q ? dw_json_int(q, "value", -1) : -1;
    if (got != value || !q || strcmp(dw_json_str(q, "unit"), "sites") != 0)
        print_error("sites of \"%s\": %lld, expected %lld\n", msg, (long long)got,
                    (long long)value);
    assert_int_equal(got, value);
    assert_string_equal(dw_json_str(q, "unit"), "sites");
    json_decref(r);
}

/* Only the given bytes decide: the text is not NUL-terminated, and whatever follows it in
 * memory must not change the answer (libexttextcat reads on past the length it is given;
 * the fuzzer found a message that came out English or French by that byte). */
static void test_language_reads_only_the_text(void **state) {
    (void)state;
    static const char msg[] = "9999999later0001864712049423024126V,99901864712049423024126.8";
    const size_t len = sizeof msg - 1;
    char buf[sizeof msg + 128];
    memcpy(buf, msg, len);
    buf[sizeof buf - 1] = '\0';
    int first = -2;
    for (int c = 1; c < 256; c++) {
        memset(buf + len, c, sizeof buf - 1 - len);
        int lang = dw_lang_identify(buf, len, NULL, 0, NULL);
        if (first == -2)
            first = lang;
        assert_int_equal(lang, first);
    }
}

/* The contract of dw_lang_identify_lower()'s lo: ASCII capitals, and the Latin-1 capitals
 * after 0xC3 (but ×), lower-cased byte for byte. */
static void fold(const char *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch == 0xC3 && i + 1 < n) {
            unsigned char nx = (unsigned char)in[i + 1];
            out[i++] = (char)ch;
            out[i] = (char)(nx >= 0x80 && nx <= 0x9E && nx != 0x97 ? nx + 0x20 : nx);
            continue;
        }
        out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
}

/* Identification from the lower-cased text (the extractor's) and the plain reading agree
 * on every tuning message, on pairs of them one after the other (a paragraph in another
 * language, a quoted message) and on pieces cut anywhere, in a word or a character. */
static void test_language_readings_agree(void **state) {
    (void)state;
    size_t n = 0;
    char **msgs = tuning_messages(&n);
    assert_true(n > 100);
    char text[8192], lo[8192];
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (size_t round = 0; round < 3 * n; round++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        const char *a = msgs[round % n], *b = msgs[(seed >> 33) % n];
        size_t len = (size_t)snprintf(text, sizeof text, "%s%s%s", a, round >= n ? "\n\n> " : "",
                                      round >= n ? b : "");
        if (len >= sizeof text)
            len = sizeof text - 1;
        if (round >= 2 * n) /* a piece, cut anywhere */
            len = (size_t)(seed >> 40) % (len + 1);
        fold(text, len, lo);
        struct dw_lang_part fast[64], plain[64];
        size_t nf = 0, np = 0;
        int lf = dw_lang_identify_lower(text, lo, len, fast, 64, &nf);
        dw__lang_plain(true);
        int lp = dw_lang_identify(text, len, plain, 64, &np);
        dw__lang_plain(false);
        if (lf != lp || nf != np)
            fail_msg("the readings differ on \"%.*s\": %d/%zu parts, %d/%zu", (int)len, text, lf,
                     nf, lp, np);
        for (size_t k = 0; k < nf; k++) {
            assert_int_equal(fast[k].start, plain[k].start);
            assert_int_equal(fast[k].end, plain[k].end);
            assert_int_equal(fast[k].lang, plain[k].lang);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(msgs[i]);
    free(msgs);
}

static void test_number_words_six_languages(void **state) {
    (void)state;
    expect_sites("Nous avons quatre-vingt-dix magasins en France.", 90);
    expect_sites("Nous exploitons quatre-vingts agences.", 80);
    expect_sites("Wir haben zweihundertfünfzig Filialen.", 250);
    expect_sites("Wir betreiben zwölf Standorte.", 12);
    expect_sites("Wij hebben tweehonderd winkels.", 200);
    expect_sites("Abbiamo duecento negozi in Italia.", 200);
    expect_sites("Tenemos doscientas tiendas.", 200);
    /* Belgian and Swiss tens; "et une", "y una" add one; the premises buyers name */
    expect_sites("Nous exploitons septante points de vente en Wallonie.", 70);
    expect_sites("Nous avons nonante supérettes.", 90);
    expect_sites("Nous gérons trente et une médiathèques.", 31);
    expect_sites("Tenemos treinta y una ópticas en Castilla.", 31);
    expect_sites("Gestionamos veintiuna residencias de mayores.", 21);
    expect_sites("Abbiamo una quarantina di palestre.", 40);
    expect_sites("Wij hebben 4 campussen in Antwerpen.", 4);
    /* "per" and an article says what the count is for; a rate has none ("per negozio") */
    expect_sites("Abbiamo aperto 6 negozi per i clienti di Milano.", 6);
    /* a count in words in brackets after its unit */
    expect_sites("Nous équipons nos sites (une quarantaine) en Auvergne.", 40);
}

/* The counts of a message, "value unit" joined by commas, in order. */
static void expect_counts(const char *msg, const char *want) {
    json_t *r = extract(msg);
    char got[256];
    size_t i, o = 0;
    json_t *v;
    got[0] = '\0';
    json_array_foreach(json_object_get(r, "quantities"), i, v) {
        o += (size_t)snprintf(got + o, sizeof got - o, "%s%lld %s", o ? "," : "",
                              (long long)json_integer_value(json_object_get(v, "value")),
                              dw_json_str(v, "unit"));
        if (o >= sizeof got)
            break;
    }
    if (strcmp(got, want) != 0)
        print_error("counts of \"%s\": [%s], expected [%s]\n", msg, got, want);
    assert_string_equal(got, want);
    json_decref(r);
}

static void test_counts_after_the_unit(void **state) {
    (void)state;
    /* a second count placed like the first counts the same unit */
    expect_counts("Nous avons quatre-vingts magasins en France et 6 en Belgique.",
                  "80 sites,6 sites");
    expect_counts("We have 40 sites in Germany and 12 in Austria.", "40 sites,12 sites");
    /* an approximate count after a comma that ends the clause */
    expect_counts("Servono nuove sedi in Liguria, circa 15.", "15 sites");
}

static void test_budgets_six_languages(void **state) {
    (void)state;
    expect_budget("Presupuesto: USD 120 mil.", "120000.00", "USD");
    /* "TEUR" is a magnitude and a currency at once: the currency read must be EUR, not
     * whatever lies past the table at the magnitude's value */
    expect_budget("Budget TEUR 30k fuer 5 Standorte", "30000.00", "EUR");
    expect_budget("Unser Budget liegt bei 90 TEUR.", "90000.00", "EUR");
    expect_budget("Tenemos un presupuesto de doscientos mil euros para el proyecto.", "200000.00",
                  "EUR");
    expect_budget("Budget : 180 000 € HT pour l'ensemble des sites.", "180000.00", "EUR");
    expect_budget("Notre budget se situe entre 300-350 k€.", "350000.00", "EUR");
    expect_budget("Budget prévu : 60 k€.", "60000.00", "EUR");
    expect_budget("Unser Budget liegt bei zweihundertfünfzigtausend Euro.", "250000.00", "EUR");
    expect_budget("Budget: 1.234,56 EUR für die Einrichtung.", "1234.56", "EUR");
    expect_budget("Das Budget beträgt CHF 1'200'000.", "1200000.00", "CHF");
    expect_budget("Il budget è di duecentomila euro.", "200000.00", "EUR");
    expect_budget("Ons budget is ongeveer € 75.000 voor alle vestigingen.", "75000.00", "EUR");
    /* a running cost is not a budget */
    expect_budget("Today we pay roughly €8k a month for MPLS across the sites. There is no "
                  "formal budget yet.",
                  NULL, NULL);
    expect_budget("Aujourd'hui nous payons environ 5 000 € par mois pour le MPLS.", NULL, NULL);
    /* "u$s" is the dollar; a bare "$" the dollar or peso of the buyer's country */
    expect_budget("Somos de Argentina. Presupuesto: u$s 200.000.", "200000.00", "USD");
    expect_budget("Tenemos 12 tiendas en México. Presupuesto: $ 2.500.000.", "2500000.00", "MXN");
    expect_budget("Tenemos 12 tiendas en Chile. Presupuesto: $ 90.000.000.", "90000000", "CLP");
    expect_budget("We have 12 stores in Texas, budget $200k.", "200000.00", "USD");
    /* a bare "pesos" is the peso of the buyer's country; the sol; halves; "cent cinquante" */
    expect_budget("33 sucursales en Santiago de Chile. Presupuesto: unos 85 millones de pesos.",
                  "85000000", "CLP");
    expect_budget("Empresa en Lima, Perú. Presupuesto: S/ 650 000", "650000.00", "PEN");
    expect_budget("Budget: anderhalve ton voor de acht kantoren in Zuid-Holland.", "150000.00",
                  "EUR");
    expect_budget("Unser Budget: eineinhalb Millionen Euro.", "1500000.00", "EUR");
    expect_budget("Nous prévoyons un investissement d'un million et demi d'euros.", "1500000.00",
                  "EUR");
    expect_budget("Budget alloué : cent cinquante mille euros.", "150000.00", "EUR");
    expect_budget("Budget: centottantamila euro più IVA.", "180000.00", "EUR");
    expect_budget("Hoy pagamos ARS 6,8 millones por mes al proveedor de MPLS.", NULL, NULL);
}

/* Amounts as buyers write them in words, halves, chats and local currencies. */
static void test_budgets_words_chats_currencies(void **state) {
    (void)state;
    /* Italian "cento" loses its "o" before "ottanta" */
    expect_budget("Budget: centottantamila euro + IVA.", "180000.00", "EUR");
    expect_budget("Il budget è di duecentottantamila euro.", "280000.00", "EUR");
    /* the French hundred needs no "un" before it */
    expect_budget("Nous avons une enveloppe de cent cinquante mille euros.", "150000.00", "EUR");
    /* one and a half; a Dutch "ton" is 100,000 */
    expect_budget("Budget: anderhalve ton. Graag live in het tweede kwartaal.", "150000.00", "EUR");
    expect_budget("Unser Budget: anderthalb Millionen Euro.", "1500000.00", "EUR");
    expect_budget("Budget : un million et demi d'euros.", "1500000.00", "EUR");
    expect_budget("Presupuesto: 2 millones y medio de euros.", "2500000.00", "EUR");
    expect_budget("Budget: 1,5 MEUR für alle Standorte.", "1500000.00", "EUR");
    /* an amount answering a question about the budget in a chat */
    expect_budget("Agent: Budget und Zeitraum?\nBesucher: 150k, bis Ende KW 40/2027", "150000.00",
                  "EUR");
    expect_budget("Medewerker: Budget en planning?\nBezoeker: zo'n 2 ton, af voor Pasen",
                  "200000.00", "EUR");
    /* a head count answering it is no budget */
    expect_budget("Agent: What's your budget?\nVisitor: 1500 users in 12 stores", NULL, NULL);
    /* the currency the text names, or the peso of the project's country */
    expect_budget("We're a fintech in Singapore. Budget SGD 90k.", "90000.00", "SGD");
    expect_budget("Pais: Peru\nPresupuesto: S/ 650 000", "650000.00", "PEN");
    expect_budget("Somos 33 sucursales en Chile. Presupuesto: unos 85 millones de pesos.",
                  "85000000", "CLP");
    expect_budget("Tenemos 9 bodegas en México. Presupuesto: 2,5 millones de pesos.", "2500000.00",
                  "MXN");
    expect_budget("Budget alloué : 75 000 $ CAD.", "75000.00", "CAD");
    expect_budget("Budget : 2,5 millions de dirhams pour nos agences au Maroc.", "2500000.00",
                  "MAD");
    /* a range with an article after its first word */
    expect_budget("Budget: tussen de 100k en 150k.", "150000.00", "EUR");
    /* a cost per month is not a budget */
    expect_budget("Hoy pagamos ARS 6,8 millones por mes al proveedor de MPLS.", NULL, NULL);
}

/* ---- dates ---------------------------------------------------------------------------- */

static void test_calendar_weeks_and_quarters(void **state) {
    (void)state;
    /* ISO week 12 of 2027 runs from Monday 22 March; a week is its Friday */
    expect_deadline("Go-live bis KW 12.", "2027-03-26");
    expect_deadline("Die Inbetriebnahme muss bis Ende KW 40/2027 abgeschlossen sein.",
                    "2027-10-08");
    expect_deadline("Mise en service avant la semaine 12.", "2027-03-26");
    expect_deadline("We need it live by week 12.", "2027-03-26");
    expect_deadline("Livraison au T3 2027.", "2027-09-30");
    expect_deadline("Die Umstellung soll im 3. Quartal 2027 erfolgen.", "2027-09-30");
    expect_deadline("Queremos tenerlo antes del tercer trimestre.", "2027-09-30");
    expect_deadline("Deve essere operativo entro il terzo trimestre.", "2027-09-30");
    expect_deadline("Het moet klaar zijn in het derde kwartaal.", "2027-09-30");
    expect_deadline("Graag live in kwartaal 2 van 2027.", "2027-06-30");
    expect_deadline("Lo queremos para la semana 10 del próximo año.", "2027-03-12");
    expect_deadline("Bis KW 10 nächsten Jahres.", "2027-03-12");
    /* a negated date is no deadline; the offer's date gives way to the go-live */
    expect_deadline("SD-WAN maybe later, not this year. Must be done before our FY ends on 31 "
                    "March.",
                    "2027-03-31");
    expect_deadline("Graag binnen zes weken een offerte; de uitrol moet vóór 1 juni klaar zijn.",
                    "2027-06-01");
    /* the Italian "mai" (never) negates nothing in German */
    expect_deadline("Eröffnung der ersten Filialen im Mai 2027.", "2027-05-31");
}

static void test_holidays(void **state) {
    (void)state;
    expect_deadline("Alles soll bis Weihnachten laufen.", "2026-12-25");
    expect_deadline("Entro Natale deve funzionare.", "2026-12-25");
    /* Easter 2027 is on 28 March; Pentecost seven weeks later */
    expect_deadline("Die Filialen sollen bis Ostern umgestellt sein.", "2027-03-28");
    expect_deadline("Nous voulons finir avant Pâques.", "2027-03-28");
    expect_deadline("Het moet voor Pasen klaar zijn.", "2027-03-28");
    expect_deadline("Bis Pfingsten sollte alles stehen.", "2027-05-16");
    expect_deadline("Lo necesitamos antes de Navidad.", "2026-12-25");
    /* Holy Week is its first day, Palm Sunday: 21 March 2027 */
    expect_deadline("Les travaux doivent être finis avant la Semaine sainte 2027.", "2027-03-21");
    expect_deadline("Lo queremos funcionando antes de Semana Santa.", "2027-03-21");
    expect_deadline("Bis zur Karwoche soll alles laufen.", "2027-03-21");
}

static void test_relative_dates_six_languages(void **state) {
    (void)state;
    expect_deadline("Nous souhaitons une offre d'ici la fin du mois.", "2026-11-30");
    expect_deadline("Il progetto va chiuso entro fine anno.", "2026-12-31");
    expect_deadline("Pouvez-vous nous envoyer le devis la semaine prochaine ?", "2026-11-27");
    expect_deadline("Wir brauchen das Angebot bis nächsten Monat.", "2026-12-31");
    expect_deadline("Necesitamos la oferta el próximo mes.", "2026-12-31");
    expect_deadline("Il sistema deve essere attivo entro marzo.", "2027-03-31");
    expect_deadline("Mise en service avant fin mars.", "2027-03-31");
    expect_deadline("Queremos empezar antes de finales de marzo.", "2027-03-31");
    expect_deadline("Het moet werken voor eind maart.", "2027-03-31");
    expect_deadline("We zouden graag volgende week een offerte ontvangen.", "2026-11-27");
}

/* Received Monday 2026-11-16. */
static void test_deadlines_as_buyers_write_them(void **state) {
    (void)state;
    /* a quarter or week by its number after the unit; a week of next year */
    expect_deadline("Graag live in kwartaal 2 van 2027.", "2027-06-30");
    expect_deadline("Die Umstellung muss im Quartal 3/2027 erfolgen.", "2027-09-30");
    expect_deadline("Lo queremos listo en la semana 10 del próximo año.", "2027-03-12");
    expect_deadline("Mise en service au premier trimestre de l'année prochaine.", "2027-03-31");
    expect_deadline("We need it live by Q1 of next year.", "2027-03-31");
    /* a fiscal year's day without a year: the next one */
    expect_deadline("Go-live has to happen before our fiscal year closes on June 30.",
                    "2027-06-30");
    expect_deadline("SD-WAN maybe later, not this year. Must be done before our FY ends on 31 "
                    "March.",
                    "2027-03-31");
    expect_no_deadline("SD-WAN maybe later, not this year.");
    /* the date given in the deadline's sentence wins over the event it names */
    expect_deadline("Fertig sein muss alles vor den Sommerferien, die in Baden-Württemberg am 29. "
                    "Juli beginnen.",
                    "2027-07-29");
    expect_deadline("The work must be done over the Christmas break, ready for the spring term "
                    "on 4 January 2027.",
                    "2027-01-04");
    /* a date for the offer gives way to the go-live */
    expect_deadline("Graag binnen zes weken een offerte en een planning; de uitrol moet vóór 1 "
                    "juni klaar zijn.",
                    "2027-06-01");
    /* the middle of a year is the end of its first half; H1, S1 */
    expect_deadline("Fertig bis Mitte 2027.", "2027-06-30");
    expect_deadline("Bitte bis Mitte nächsten Jahres umsetzen.", "2027-06-30");
    expect_deadline("Mise en service souhaitée pour mi-2027.", "2027-06-30");
    expect_deadline("Necesitamos estar operativos a mediados de 2027.", "2027-06-30");
    expect_deadline("Het moet medio 2027 live staan.", "2027-06-30");
    expect_deadline("By the end of H1 2027.", "2027-06-30");
    expect_deadline("Nous visons le S1 2027 pour la mise en service.", "2027-06-30");
    expect_deadline("Bis Mitte des Jahres 2027 muss alles laufen.", "2027-06-30");
    expect_deadline("We need it by mid-year.", "2027-06-30");
    /* day and month without a year: the next such day */
    expect_deadline("Go-Live bis zum 31.03.", "2027-03-31");
    expect_deadline("Livraison impérative avant le 31/03.", "2027-03-31");
    expect_no_deadline("Supporto 24/7 per le 7 sedi.");
    /* "per settembre": by September */
    expect_deadline("Per settembre dobbiamo essere operativi in tutte le sedi.", "2027-09-30");
    /* a start the customer wants counts; one they merely could make does not */
    expect_deadline("Wir brauchen Fernzugriff für 120 Leute. Start am 1. Februar 2027.",
                    "2027-02-01");
    expect_no_deadline("Budget is about EUR 30k a year. Could start next month.");
    expect_no_deadline("Wir könnten im März starten.");
    expect_no_deadline("Nous pourrions démarrer en mars.");
    expect_no_deadline("Podríamos empezar en marzo.");
    expect_no_deadline("We zouden in maart kunnen starten.");
    expect_deadline("Can we start by March?", "2027-03-31");
    /* a negation before a deadline word does not negate the date */
    expect_deadline("Il go-live entro e non oltre il 30 aprile 2027.", "2027-04-30");
    expect_deadline("Alles soll noch vor Weihnachten laufen.", "2026-12-25");
    expect_deadline("Bis zum Jahreswechsel muss alles laufen.", "2026-12-31");
    expect_deadline("Vorremmo essere operativi a settembre.", "2027-09-30");
    expect_deadline("Nous aimerions une mise en production courant mars.", "2027-03-31");
    /* ASAP gives way to the date given as the deadline; the project's milestone dates it */
    expect_deadline("Go-live: ASAP, at the latest end of January.", "2027-01-31");
    expect_deadline("Please send your quote by 1 December. Installation in January.", "2027-01-31");
    /* a date merely mentioned above a quoted message gives way to the quoted deadline */
    expect_deadline("kleine Korrektur: es sind 46 Tankstellen, wir haben im September sechs "
                    "Stationen übernommen.\n\nGruß\nSven\n\nAm 10.11.2026 um 10:12 schrieb "
                    "Sven Albrecht <s.albrecht@mitteltank.example>:\n> Guten Tag,\n> für "
                    "unsere 40 Tankstellen suchen wir SD-WAN. Bitte bis Ende Februar "
                    "umsetzen.\n> Gruß, Sven",
                    "2027-02-28");
    /* a month just past, in passing, is not next year's */
    expect_no_deadline("Wir haben im Oktober sechs Stationen in Thüringen übernommen.");
}

static void test_date_counted_from_the_order(void **state) {
    (void)state;
    /* a contract named after the date without "after"/"dalla"/"nach" does not count it */
    expect_deadline("We must be live by the end of August 2027 because our carrier contract "
                    "ends then.",
                    "2027-08-31");
}

static void test_fiscal_year(void **state) {
    (void)state;
    /* the end of a financial year the customer dates is that date, not 31 December */
    expect_deadline("We must sign before the end of our financial year (31 March). Don't let it "
                    "drag into next year's budget.",
                    "2027-03-31");
    expect_deadline("Die Beschaffung muss vor Ende unseres Geschäftsjahres (30. Juni) "
                    "abgeschlossen sein.",
                    "2027-06-30");
}

/* ---- negation and intent --------------------------------------------------------------- */

static void test_negation_six_languages(void **state) {
    (void)state;
    expect_caps("Nous n'avons pas besoin de Wi-Fi, seulement du SD-WAN.", "sd-wan", "wifi");
    expect_caps("Non ci serve il firewall, solo SD-WAN.", "sd-wan", "firewall");
    expect_caps("No necesitamos firewall, solo SD-WAN.", "sd-wan", "firewall");
    expect_caps("Wij hebben geen wifi nodig, wel SD-WAN.", "sd-wan", "wifi");
    expect_caps("Eine Cloud-Verwaltung ist für uns als KRITIS-Betreiber ausgeschlossen. Wir "
                "brauchen SD-WAN.",
                "sd-wan", "cloud-management");
    expect_caps("Management must be air-gapped - no cloud management, period. SD-WAN is a must.",
                "sd-wan", "cloud-management");
    expect_caps("Wir brauchen keine Switches mehr, aber SD-WAN.", "sd-wan", "switching");
    expect_caps("necesitamos firewall y sd-wan, nada de wifi por ahora.", "firewall,sd-wan",
                "wifi");
    expect_caps("Ci serve SD-WAN, niente Wi-Fi per ora.", "sd-wan", "wifi");
    /* doing without and needless, in six languages */
    expect_caps("Wir brauchen SD-WAN. Auf WLAN verzichten wir.", "sd-wan", "wifi");
    expect_caps("Wir verzichten auf WLAN, brauchen aber SD-WAN.", "sd-wan", "wifi");
    expect_caps("Wir brauchen SD-WAN; WLAN entfällt.", "sd-wan", "wifi");
    expect_caps("Nous voulons du SD-WAN ; le Wi-Fi est inutile.", "sd-wan", "wifi");
    expect_caps("Queremos SD-WAN; el wifi es innecesario.", "sd-wan", "wifi");
    expect_caps("Vogliamo SD-WAN; rinunciamo al Wi-Fi.", "sd-wan", "wifi");
    expect_caps("We willen SD-WAN; wifi is overbodig.", "sd-wan", "wifi");
}

static void test_refusals_six_languages(void **state) {
    (void)state;
    expect_caps("We need SD-WAN. Cloud management is a no-go.", "sd-wan", "cloud-management");
    expect_caps("Wir brauchen SD-WAN. Eine Cloud-Verwaltung kommt für uns nicht in Frage.",
                "sd-wan", "cloud-management");
    expect_caps("Nous avons besoin de SD-WAN. Le Wi-Fi ne fait pas partie du projet.", "sd-wan",
                "wifi");
    expect_caps("Necesitamos SD-WAN. El Wi-Fi queda fuera del proyecto.", "sd-wan", "wifi");
    expect_caps("Ci serve SD-WAN. Il Wi-Fi invece è fuori discussione.", "sd-wan", "wifi");
    expect_caps("We zoeken SD-WAN. Wifi valt buiten de scope.", "sd-wan", "wifi");
    expect_caps("Ci serve SD-WAN. Il Wi-Fi non è un'opzione.", "sd-wan", "wifi");
    /* the separable "ausschließen"; "anschließen" connects */
    expect_caps("Als Betreiber schließen wir eine Cloud-Verwaltung aus. Wir brauchen SD-WAN.",
                "sd-wan", "cloud-management");
    expect_caps("Wir schließen die Filialen per SD-WAN an.", "sd-wan", "");
    /* refusing verbs, a topic before a comma, a question answered "no" */
    expect_caps("Nous voulons du SD-WAN. Nous renonçons au Wi-Fi.", "sd-wan", "wifi");
    expect_caps("Nous voulons du SD-WAN ; quant au Wi-Fi, nous n'en avons pas besoin.", "sd-wan",
                "wifi");
    expect_caps("Nous voulons du SD-WAN. Le Wi-Fi ? Non merci.", "sd-wan", "wifi");
    expect_caps("We need SD-WAN. Wi-Fi, we do not need.", "sd-wan", "wifi");
    /* a header's list, and a hedged one */
    expect_caps("Necesitamos SD-WAN.\nNo requerido: Wi-Fi, switches.", "sd-wan", "wifi,switching");
    expect_optional("Wir brauchen SD-WAN. Eventuell später: WLAN.", "sd-wan", "wifi");
    expect_optional("Il nous faut du SD-WAN. Wi-Fi en option.", "sd-wan", "wifi");
    expect_optional("Nous voulons du SD-WAN. Le Wi-Fi : à voir plus tard.", "sd-wan", "wifi");
    expect_optional("Wir brauchen SD-WAN, WLAN ist nice-to-have.", "sd-wan", "wifi");
    expect_optional("We need SD-WAN and, budget permitting, Wi-Fi.", "sd-wan", "wifi");
    expect_optional("Ci serve SD-WAN. Il Wi-Fi non è prioritario.", "sd-wan", "wifi");
}

static void test_intent(void **state) {
    (void)state;
    /* what the customer runs already and asks for again is wanted, not excluded */
    expect_caps("We already run your SD-WAN gateways at our head office. For the new "
                "warehouse we need the same setup there (SD-WAN with firewall).",
                "sd-wan,firewall", "");
    /* what the customer has and does not ask for is left out */
    expect_caps("We already have Wi-Fi everywhere; we need SD-WAN.", "sd-wan", "wifi");
    expect_caps("Nous avons déjà du Wi-Fi partout, il nous faut du SD-WAN.", "sd-wan", "wifi");
    /* a replacement told in another clause is history, not a request */
    expect_caps("De switches hebben we al, die zijn vorig jaar vervangen. We zoeken alleen nog "
                "wifi.",
                "wifi", "switching");
    /* ruled out */
    expect_caps("Ci serve il firewall; il Wi-Fi invece è fuori discussione.", "firewall", "wifi");
    expect_caps("Een cloud management oplossing is voor ons geen optie.", "", "cloud-management");
    /* what replaces what the customer has is wanted */
    expect_caps("We already have old firewalls and want to replace them with new firewalls.",
                "firewall", "");
}

/* ---- hedges ------------------------------------------------------------------------------ */

static void test_hedges_six_languages(void **state) {
    (void)state;
    expect_optional("Nous voulons du SD-WAN. Le Wi-Fi serait un plus.", "sd-wan", "wifi");
    expect_optional("Nous voulons du SD-WAN et peut-être plus tard du Wi-Fi.", "sd-wan", "wifi");
    expect_optional("Queremos SD-WAN; el wifi nos interesaría más adelante.", "sd-wan", "wifi");
    expect_optional("Necesitamos SD-WAN; también firewall a ser posible.", "sd-wan", "firewall");
    expect_optional("Ci serve SD-WAN, il Wi-Fi in un secondo momento.", "sd-wan", "wifi");
    expect_optional("We willen SD-WAN. Leuk zou zijn als er ook wifi bij zit.", "sd-wan", "wifi");
    expect_optional("SD-WAN ist Pflicht, WLAN wäre ein Plus.", "sd-wan", "wifi");
    /* a hedge after a date hedges the date; "au plus tard" is a deadline */
    expect_optional("We need SD-WAN next week if possible.", "sd-wan", "");
    expect_optional("Le SD-WAN doit être en place au plus tard le 30 juin.", "sd-wan", "");
    /* a preposition that also triggers a date ("voor", "pour") does not stop the hedge */
    expect_optional("We willen SD-WAN. Wifi voor de kantoren is optioneel.", "sd-wan", "wifi");
    expect_optional("Nous voulons du SD-WAN. Le Wi-Fi pour les clients est optionnel.", "sd-wan",
                    "wifi");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_language_of_message),
        cmocka_unit_test(test_language_of_paragraphs),
        cmocka_unit_test(test_number_words_six_languages),
        cmocka_unit_test(test_budgets_six_languages),
        cmocka_unit_test(test_budgets_words_chats_currencies),
        cmocka_unit_test(test_deadlines_as_buyers_write_them),
        cmocka_unit_test(test_calendar_weeks_and_quarters),
        cmocka_unit_test(test_holidays),
        cmocka_unit_test(test_relative_dates_six_languages),
        cmocka_unit_test(test_fiscal_year),
        cmocka_unit_test(test_date_counted_from_the_order),
        cmocka_unit_test(test_negation_six_languages),
        cmocka_unit_test(test_intent),
        cmocka_unit_test(test_refusals_six_languages),
        cmocka_unit_test(test_hedges_six_languages),
        cmocka_unit_test(test_counts_after_the_unit),
        cmocka_unit_test(test_language_reads_only_the_text),
        cmocka_unit_test(test_language_readings_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

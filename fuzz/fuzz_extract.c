/* fuzz-extract — the requirements extractor (lib/engines/extract/) on arbitrary customer
 * text. Inputs that are not valid UTF-8 are skipped: dw_extract() requires UTF-8 and its
 * callers check it first (intake rejects such leads).
 *
 * Checked beyond "no crash, no leak, no UB": the result has every key of the schema in
 * extract.h, and every object carrying a "span" has 0 <= start < end <= len and a "text"
 * that is exactly text[start..end); and the screening engine (lib/engines/screen.c), whose
 * trigger trie and anchored patterns must find exactly what its reference reading finds
 * (every pattern over the whole text, dw__screen_reference()), in a long and a short field.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/extract.h"
#include "engines/screen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small vocabulary in the example catalog's spirit: multi-word, hyphenated, digit-led and
 * non-ASCII phrases, overlapping synonyms ("switch" is both a capability and a unit). */
static const char *const cap_sdwan[] = {"SD-WAN", "software-defined WAN"};
static const char *const cap_firewall[] = {"NGFW", "next-generation firewall"};
static const char *const cap_wifi[] = {"Wi-Fi", "WLAN", "Wi-Fi 6"};
static const char *const cap_switching[] = {"switches", "switch"};
static const char *const cap_onprem[] = {"on-premises", "on prem"};
static const char *const cap_ha[] = {"HA", "Hochverfügbarkeit"};
static const char *const cap_5g[] = {"5G failover", "LTE", "5G"};
static const char *const cap_support[] = {"24/7 support", "24/7"};

static const struct dw_vocab_term capabilities[] = {
    {"sd-wan", cap_sdwan, DW_ARRAY_SIZE(cap_sdwan)},
    {"firewall", cap_firewall, DW_ARRAY_SIZE(cap_firewall)},
    {"wifi", cap_wifi, DW_ARRAY_SIZE(cap_wifi)},
    {"switching", cap_switching, DW_ARRAY_SIZE(cap_switching)},
    {"on-prem", cap_onprem, DW_ARRAY_SIZE(cap_onprem)},
    {"high-availability", cap_ha, DW_ARRAY_SIZE(cap_ha)},
    {"5g-failover", cap_5g, DW_ARRAY_SIZE(cap_5g)},
    {"support-24x7", cap_support, DW_ARRAY_SIZE(cap_support)},
};

static const char *const std_gdpr[] = {"DSGVO"};
static const char *const std_iso[] = {"ISO/IEC 27001", "ISO27001"};

static const struct dw_vocab_term standards[] = {
    {"GDPR", std_gdpr, DW_ARRAY_SIZE(std_gdpr)},
    {"ISO 27001", std_iso, DW_ARRAY_SIZE(std_iso)},
    {"HIPAA", NULL, 0},
};

static const char *const unit_sites[] = {"site", "locations", "warehouses", "Standorte"};
static const char *const unit_users[] = {"user", "seats", "employees", "Nutzer"};
static const char *const unit_switches[] = {"switch"};
static const char *const unit_aps[] = {"access point", "APs"};

static const struct dw_vocab_term units[] = {
    {"sites", unit_sites, DW_ARRAY_SIZE(unit_sites)},
    {"users", unit_users, DW_ARRAY_SIZE(unit_users)},
    {"switches", unit_switches, DW_ARRAY_SIZE(unit_switches)},
    {"access-points", unit_aps, DW_ARRAY_SIZE(unit_aps)},
};

static const struct dw_extract_vocab vocab = {
    .capabilities = capabilities,
    .n_capabilities = DW_ARRAY_SIZE(capabilities),
    .standards = standards,
    .n_standards = DW_ARRAY_SIZE(standards),
    .units = units,
    .n_units = DW_ARRAY_SIZE(units),
    .default_currency = "EUR",
};

static const char *const all_keys[] = {
    "quantities",
    "budget",
    "deadline",
    "country",
    "capabilities",
    "excluded_capabilities",
    "standards",
    "discount",
    "term_months",
    "data_residency",
    "instructions_detected",
    "language",
    "regions",
    "optional_capabilities",
    "integrations",
    "contact_details",
    "notes",
    "main_quantity",
    "structure",
};

static dw_time_t received_at;
static struct dw_extractor *prepared; /* every input also through the prepared path */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    /* A Friday near a month and year end, so relative dates roll over. */
    if (dw_time_parse("2026-12-31T23:30:00Z", &received_at) < 0)
        abort();
    if (dw_extractor_new(&vocab, &prepared, NULL) < 0)
        abort();
    return 0;
}

static void check_spans(const json_t *v, const char *text, size_t len) {
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) check_spans(x, text, len);
        return;
    }
    if (!json_is_object(v))
        return;
    const json_t *span = json_object_get(v, "span");
    if (span) {
        const json_t *js = json_array_get(span, 0), *je = json_array_get(span, 1);
        if (!json_is_array(span) || json_array_size(span) != 2 || !json_is_integer(js) ||
            !json_is_integer(je))
            __builtin_trap(); /* malformed span */
        json_int_t s = json_integer_value(js), e = json_integer_value(je);
        if (s < 0 || s >= e || (size_t)e > len)
            __builtin_trap(); /* span outside the text or empty */
        const json_t *t = json_object_get(v, "text");
        if (!json_is_string(t) || json_string_length(t) != (size_t)(e - s) ||
            memcmp(json_string_value(t), text + s, (size_t)(e - s)) != 0)
            __builtin_trap(); /* "text" is not the slice the span names */
        const json_t *conf = json_object_get(v, "confidence");
        if (!json_is_integer(conf) || json_integer_value(conf) < 1 ||
            json_integer_value(conf) > 100)
            __builtin_trap(); /* every fact says how sure the engine is, in percent */
    }
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) check_spans(x, text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dw_utf8_valid((const char *)data, size, NULL))
        return 0;
    /* An exact-size copy, so ASan sees a read past the end of the text. */
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    memcpy(text, data, size);

    json_t *r = NULL;
    struct dw_error err = {0};
    int rc = dw_extract(text, size, received_at, &vocab, &r, &err);
    if ((rc == -DW_ETOOBIG) != (size > DW_EXTRACT_MAX_TEXT))
        __builtin_trap(); /* the size limit misapplied */
    if (rc == 0) {
        if (!json_is_object(r) || json_object_size(r) != DW_ARRAY_SIZE(all_keys))
            __builtin_trap();
        for (size_t k = 0; k < DW_ARRAY_SIZE(all_keys); k++)
            if (!json_object_get(r, all_keys[k]))
                __builtin_trap(); /* schema key missing */
        check_spans(r, text, size);
        json_t *p = NULL;
        if (dw_extractor_run(prepared, text, size, received_at, &p, &err) != 0 || !json_equal(p, r))
            __builtin_trap(); /* the prepared vocabulary reads differently */
        json_decref(p);
    } else if (r) {
        __builtin_trap(); /* ret is set only on success */
    }
    json_decref(r);

    struct dw_screen_field f[2] = {{"message", text, size}, {"subject", text, size}};
    json_t *fast = NULL, *ref = NULL;
    if (dw_screen(f, 2, &fast, NULL) != 0 || dw__screen_reference(f, 2, &ref, NULL) != 0 ||
        !json_equal(fast, ref))
        __builtin_trap(); /* the trigger trie misses or adds a finding */
    json_decref(fast);
    json_decref(ref);
    free(text);
    return 0;
}

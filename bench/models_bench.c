/* dealwright-bench-models — what the trust path adds to one language-model call, without
 * the network and the journal's write: finding and masking the personal data of a typical
 * request (a buyer's message with a signature, the contact known), screening it for
 * instructions, rendering the prompt, fencing and hashing the data block (the journal
 * key), then checking a typical answer against its schema, screening it and restoring its
 * placeholders. One core; p50/p99 per call in microseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/trust.h"
#include "rules/mustache.h"

#define CALLS 2000

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const char message[] =
    "Hello,\n\nwe are a logistics company with 12 sites (warehouses and depots) across Germany "
    "and want to replace our ageing MPLS network with SD-WAN and a proper firewall at every "
    "site. Everything should be cloud managed; about 250 users need access to the self-service "
    "portal. We would also like installation at all sites, as our own team is small. Budget "
    "around EUR 60k, and we want to go live by end of Q1 2027. ISO 27001 certification of the "
    "vendor is important to us. Our head office is at Hafenstrasse 41, 50667 Koeln; invoices to "
    "IBAN DE89 3704 0044 0532 0130 00. My colleague Lukas Brandt (l.brandt@rheinwerk.example) "
    "runs the network today; call him on +49 221 555 0199.\n\nBest regards,\nJana Hartmann\n"
    "Head of IT, Rheinwerk Logistik GmbH\nTel. +49 221 555 0142";

static const char prompt[] =
    "You read a buyer's message to {{company}}, a vendor of network equipment, and list the "
    "facts it states: quantities, capabilities, budget, deadline, country, and for each the "
    "exact words it comes from. Answer in {{language}}.";

int main(void) {
    json_t *vars = json_pack("{s:s,s:s,s:s,s:s,s:s}", "message", message, "subject",
                             "SD-WAN for 12 logistics sites", "contact", "Jana Hartmann", "company",
                             "Northwind Networks", "language", "en");
    json_t *known = json_pack("[s,s,s]", "Jana Hartmann", "jana.hartmann@rheinwerk.example",
                              "+49 221 555 0142");
    json_t *schema = json_loads(
        "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"facts\"],"
        "\"properties\":{\"facts\":{\"type\":\"array\",\"maxItems\":40,\"items\":{\"type\":"
        "\"object\",\"additionalProperties\":false,\"required\":[\"field\",\"value\",\"words\"],"
        "\"properties\":{\"field\":{\"enum\":[\"quantity\",\"capabilities\",\"budget\","
        "\"deadline\",\"country\",\"champion\"]},\"value\":{\"type\":[\"string\",\"number\"]},"
        "\"words\":{\"type\":\"string\",\"maxLength\":300}}}}}}",
        0, NULL);
    json_t *answer = json_loads(
        "{\"facts\":[{\"field\":\"quantity\",\"value\":12,\"words\":\"12 sites\"},"
        "{\"field\":\"capabilities\",\"value\":\"sdwan\",\"words\":\"replace our ageing MPLS "
        "network with SD-WAN\"},{\"field\":\"budget\",\"value\":\"EUR 60000\",\"words\":"
        "\"Budget around EUR 60k\"},{\"field\":\"deadline\",\"value\":\"2027-03-31\",\"words\":"
        "\"go live by end of Q1 2027\"},{\"field\":\"country\",\"value\":\"DE\",\"words\":"
        "\"across Germany\"},{\"field\":\"champion\",\"value\":\"[NAME_2]\",\"words\":\"My "
        "colleague [NAME_2] runs the network today\"}]}",
        0, NULL);
    if (!vars || !known || !schema || !answer)
        return 3;
    static int64_t t[CALLS];
    size_t masked_items = 0;
    for (int i = 0; i < CALLS; i++) {
        struct timespec s0, s1;
        clock_gettime(CLOCK_MONOTONIC, &s0);
        struct dw_mask m;
        dw_mask_init(&m);
        json_t *found = NULL, *masked = NULL, *flags = json_array();
        struct dw_error err = {0};
        char why[256], h[DW_SHA256_HEX];
        if (dw_mask_discover(vars, known, &found) < 0 ||
            dw_mask_json(&m, vars, found, &masked) < 0 || dw_screen_input(masked, flags, &err) < 0)
            return 3;
        char *data = json_dumps(masked, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENSURE_ASCII);
        dw_sha256_hex(data, strlen(data), h);
        char *system = NULL;
        struct dw_mustache_opts mo = {.escape = DW_MUSTACHE_MARKDOWN};
        if (dw_mustache_render(prompt, sizeof prompt - 1, masked, &mo, &system, &err) < 0)
            return 3;
        json_t *req = json_pack("{s:s,s:s,s:O}", "system", system, "user", data, "schema", schema);
        dw_json_hash(req, h);
        if (dw_schema_check(schema, answer, why, sizeof why) < 0 ||
            dw_screen_output(answer, data, why, sizeof why, &err) != 0) {
            fprintf(stderr, "the answer was refused: %s\n", why);
            return 3;
        }
        json_t *restored = dw_unmask_json(&m, answer);
        clock_gettime(CLOCK_MONOTONIC, &s1);
        t[i] = (int64_t)(s1.tv_sec - s0.tv_sec) * 1000000000 + (s1.tv_nsec - s0.tv_nsec);
        masked_items = m.n;
        json_decref(restored);
        json_decref(req);
        free(system);
        free(data);
        json_decref(flags);
        json_decref(masked);
        json_decref(found);
        dw_mask_release(&m);
    }
    qsort(t, CALLS, sizeof *t, cmp64);
    printf("models: trust path per call without network or journal write (%zu-byte message, %zu "
           "personal items masked), %d calls, one core\n",
           sizeof message - 1, masked_items, CALLS);
    printf("  p50 %.0f us   p99 %.0f us\n", t[CALLS / 2] / 1e3, t[CALLS * 99 / 100] / 1e3);
    json_decref(vars);
    json_decref(known);
    json_decref(schema);
    json_decref(answer);
    return 0;
}

/* dealwright-bench-cel — evaluations per second of compiled, typical policy conditions:
 * five clauses over a quote and a lead, evaluated through the workspace's own rule
 * environment and variable builder (the path the pricing agent takes), on one core.
 *
 * Prints p50/p99 per evaluation (from batches of 100, so the clock's own cost does not
 * count) and evaluations per second. Goal: p50 <= 1 us. */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "engines/rulevars.h"
#include "rules/cel.h"
#include "workspace/workspace.h"

#define BATCH 100
#define BATCHES 20000

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const char *const conditions[] = {
    /* a discount band with a deal-size and market clause */
    "quote.discount_pct > 10.0 && quote.discount_pct <= 20.0 && quote.total < 250000.0 && "
    "lead.contact.country in ['DE', 'AT', 'CH'] && quote.currency == 'EUR'",
    /* an escalation over lines and the lead */
    "quote.term_months > 12 && quote.lines.exists(l, l.sku.startsWith('NW-EDGE')) && "
    "!lead.free_mail && lead.contact.title.contains('Head') && quote.total >= 10000.0",
};

int main(void) {
    struct dw_workspace ws = {0};
    if (dw_ws_rules_init(&ws) < 0)
        return 3;
    json_t *quote = json_pack(
        "{s:s, s:i, s:I, s:I, s:I, s:i, s:i, s:[{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:s, s:i},"
        "{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:s, s:i}]}",
        "currency", "EUR", "digits", 2, "subtotal", (json_int_t)4800000, "discount",
        (json_int_t)720000, "total", (json_int_t)4080000, "discount_bp", 1500, "term_months", 36,
        "lines", "sku", "NW-EDGE-100", "name", "Edge Gateway 100", "quantity", 12, "unit_price",
        (json_int_t)250000, "amount", (json_int_t)3000000, "discount", (json_int_t)450000, "net",
        (json_int_t)2550000, "billing", "one_time", "term_months", 0, "sku", "NW-CLOUD-MGMT",
        "name", "Cloud management", "quantity", 12, "unit_price", (json_int_t)5000, "amount",
        (json_int_t)1800000, "discount", (json_int_t)270000, "net", (json_int_t)1530000, "billing",
        "monthly", "term_months", 36);
    json_t *lead =
        json_pack("{s:s, s:s}", "source", "web_form", "received_at", "2026-11-20T09:14:00Z");
    json_t *contact = json_pack("{s:s, s:s, s:s, s:s}", "name", "Jana Hartmann", "title",
                                "Head of IT", "country", "DE", "email", "jana@example.com");
    struct dw_rule_inputs in = {
        .lead = lead, .contact = contact, .quote = quote, .now = 1795521600};
    struct cel_arena arena;
    cel_arena_init(&arena, 0);
    struct cel_activation act;
    if (!quote || !lead || !contact || dw_rules_bind(&ws, DW_RULE_QUOTE, &in, &arena, &act) < 0)
        return 3;
    static int64_t t[BATCHES];
    printf("cel: %d evaluations per condition, batches of %d, one core\n", BATCH * BATCHES, BATCH);
    printf("%-10s %8s %8s %14s %s\n", "condition", "p50 ns", "p99 ns", "evals/s", "result");
    struct cel_arena scratch;
    cel_arena_init(&scratch, 0);
    for (size_t c = 0; c < sizeof conditions / sizeof *conditions; c++) {
        struct dw_rule rule;
        struct dw_error err = {0};
        if (dw_rule_compile(&ws, DW_RULE_QUOTE, "bench", conditions[c], &rule, &err) < 0) {
            fprintf(stderr, "compile: %s\n", err.msg);
            return 3;
        }
        int result = -1;
        int64_t total = 0;
        for (int b = 0; b < BATCHES; b++) {
            struct timespec s0, s1;
            clock_gettime(CLOCK_MONOTONIC, &s0);
            for (int i = 0; i < BATCH; i++) {
                result = cel_eval_bool(rule.prog, &act, &scratch, NULL);
                cel_arena_reset(&scratch);
            }
            clock_gettime(CLOCK_MONOTONIC, &s1);
            t[b] = ((int64_t)(s1.tv_sec - s0.tv_sec) * 1000000000 + (s1.tv_nsec - s0.tv_nsec));
            total += t[b];
        }
        qsort(t, BATCHES, sizeof *t, cmp64);
        printf("%-10zu %8.0f %8.0f %14.0f %s\n", c + 1, t[BATCHES / 2] / (double)BATCH,
               t[BATCHES * 99 / 100] / (double)BATCH, BATCH * (double)BATCHES / (total / 1e9),
               result == 1   ? "true"
               : result == 0 ? "false"
                             : "error");
        dw_rule_release(&rule);
    }
    printf("cel: goal p50 <= 1000 ns per evaluation\n");
    cel_activation_release(&act);
    cel_arena_release(&scratch);
    cel_arena_release(&arena);
    dw_ws_rules_release(&ws);
    json_decref(quote);
    json_decref(lead);
    json_decref(contact);
    return 0;
}

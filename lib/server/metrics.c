/* GET /metrics: Prometheus text format (docs/internals/server.md "Metrics"). The `route`
 * label is the route table's (routes.c). */
#include <inttypes.h>
#include <stdlib.h>

#include "server/internal.h"

/* A label value as Prometheus' text format writes it: \\, \" and \\n escaped. */
static int label(struct dw_buf *b, const char *s) {
    int r = 0;
    for (; s && *s; s++)
        r |= *s == '"' || *s == '\\' ? dw_buf_printf(b, "\\%c", *s)
             : *s == '\n'            ? dw_buf_puts(b, "\\n")
                                     : dw_buf_putc(b, *s);
    return r;
}

static int model_labels(struct dw_buf *b, const json_t *row, bool outcome) {
    int r = dw_buf_puts(b, "{provider=\"");
    r |= label(b, dw_json_str(row, "provider"));
    r |= dw_buf_puts(b, "\",model=\"");
    r |= label(b, dw_json_str(row, "model"));
    r |= dw_buf_puts(b, "\",task=\"");
    r |= label(b, dw_json_str(row, "task"));
    if (outcome) {
        r |= dw_buf_puts(b, "\",outcome=\"");
        r |= label(b, dw_json_str(row, "outcome"));
    }
    return r;
}

/* The language models' figures, from the model-call journal (so they count every process
 * that used the store, the CLI's runs too): calls by provider, model, task and outcome;
 * tokens; a latency histogram; fallbacks to the deterministic path. Nothing when the
 * journal is empty. */
static int model_metrics(struct dw_buf *b, const json_t *rows) {
    static const char *const le[] = {"le_100",  "le_250",  "le_500",   "le_1000",
                                     "le_2500", "le_5000", "le_10000", "le_30000"};
    static const char *const le_s[] = {"0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"};
    if (!json_array_size(rows))
        return 0;
    int r = dw_buf_puts(b, "# HELP dealwright_model_calls_total Language-model calls by provider, "
                           "model, task and outcome.\n# TYPE dealwright_model_calls_total "
                           "counter\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        r |= dw_buf_puts(b, "dealwright_model_calls_total");
        r |= model_labels(b, row, true);
        r |= dw_buf_printf(b, "\"} %lld\n", (long long)dw_json_int(row, "calls", 0));
    }
    r |= dw_buf_puts(b, "# HELP dealwright_model_tokens_total Tokens the providers counted, by "
                        "direction.\n# TYPE dealwright_model_tokens_total counter\n");
    json_array_foreach(rows, i, row) {
        for (int in = 1; in >= 0; in--) {
            r |= dw_buf_puts(b, "dealwright_model_tokens_total");
            r |= model_labels(b, row, true);
            r |= dw_buf_printf(b, "\",direction=\"%s\"} %lld\n", in ? "in" : "out",
                               (long long)dw_json_int(row, in ? "tokens_in" : "tokens_out", 0));
        }
    }
    r |= dw_buf_puts(b, "# HELP dealwright_model_call_duration_seconds Time a call took, retries "
                        "included.\n# TYPE dealwright_model_call_duration_seconds histogram\n");
    json_array_foreach(rows, i, row) {
        for (size_t k = 0; k <= DW_ARRAY_SIZE(le); k++) {
            r |= dw_buf_puts(b, "dealwright_model_call_duration_seconds_bucket");
            r |= model_labels(b, row, true);
            r |= dw_buf_printf(
                b, "\",le=\"%s\"} %lld\n", k < DW_ARRAY_SIZE(le) ? le_s[k] : "+Inf",
                (long long)dw_json_int(row, k < DW_ARRAY_SIZE(le) ? le[k] : "calls", 0));
        }
        r |= dw_buf_puts(b, "dealwright_model_call_duration_seconds_sum");
        r |= model_labels(b, row, true);
        r |= dw_buf_printf(b, "\"} %.3f\n", (double)dw_json_int(row, "latency_ms_sum", 0) / 1e3);
        r |= dw_buf_puts(b, "dealwright_model_call_duration_seconds_count");
        r |= model_labels(b, row, true);
        r |= dw_buf_printf(b, "\"} %lld\n", (long long)dw_json_int(row, "calls", 0));
    }
    r |= dw_buf_puts(b, "# HELP dealwright_model_fallbacks_total Asks that ended without an "
                        "answer: the agent took its deterministic path.\n# TYPE "
                        "dealwright_model_fallbacks_total counter\n");
    json_array_foreach(rows, i, row) {
        if (!dw_json_int(row, "fallbacks", 0))
            continue;
        r |= dw_buf_puts(b, "dealwright_model_fallbacks_total");
        r |= model_labels(b, row, true);
        r |= dw_buf_printf(b, "\"} %lld\n", (long long)dw_json_int(row, "fallbacks", 0));
    }
    return r;
}

enum MHD_Result srv_route_metrics(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    struct dw_buf b = {0};
    int r = 0;
    r |= dw_buf_printf(&b, "# HELP dealwright_http_requests_total HTTP requests by route and "
                           "status.\n# TYPE dealwright_http_requests_total counter\n");
    for (size_t i = 1; i < srv_n_labels; i++)
        for (size_t k = 0; k < N_STATUS; k++) {
            uint64_t n = atomic_load(&sv->requests[i][k]);
            if (n)
                r |= dw_buf_printf(&b,
                                   "dealwright_http_requests_total{route=\"%s\",code=\"%u\"} "
                                   "%" PRIu64 "\n",
                                   srv_labels[i], status_codes[k], n);
        }
    r |= dw_buf_printf(&b, "# HELP dealwright_http_request_duration_seconds Time to answer a "
                           "request.\n# TYPE dealwright_http_request_duration_seconds "
                           "histogram\n");
    uint64_t cum = 0;
    for (size_t k = 0; k <= N_BUCKETS; k++) {
        cum += atomic_load(&sv->latency[k]);
        if (k < N_BUCKETS)
            r |= dw_buf_printf(&b,
                               "dealwright_http_request_duration_seconds_bucket{le=\"%g\"} "
                               "%" PRIu64 "\n",
                               latency_buckets[k], cum);
        else
            r |= dw_buf_printf(&b,
                               "dealwright_http_request_duration_seconds_bucket{le=\"+Inf\"} "
                               "%" PRIu64 "\n",
                               cum);
    }
    r |= dw_buf_printf(&b,
                       "dealwright_http_request_duration_seconds_sum %.6f\n"
                       "dealwright_http_request_duration_seconds_count %" PRIu64 "\n",
                       (double)atomic_load(&sv->latency_sum_us) / 1e6,
                       (uint64_t)atomic_load(&sv->latency_count));
    struct dw_worker_counts wc;
    dw_worker_counts(sv->worker, &wc);
    struct dw_hook_counts hc;
    if (sv->relay)
        dw_relay_counts(sv->relay, &hc);
    else
        dw_hooks_counts(sv->hooks, &hc);
    r |= dw_buf_printf(
        &b,
        "# HELP dealwright_agent_steps_total Agent steps run by the server's control plane.\n"
        "# TYPE dealwright_agent_steps_total counter\ndealwright_agent_steps_total %" PRIu64 "\n"
        "# HELP dealwright_agent_step_failures_total Agent steps that failed.\n"
        "# TYPE dealwright_agent_step_failures_total counter\n"
        "dealwright_agent_step_failures_total %" PRIu64 "\n"
        "# HELP dealwright_events_streamed_total Events sent on event streams.\n"
        "# TYPE dealwright_events_streamed_total counter\n"
        "dealwright_events_streamed_total %" PRIu64 "\n"
        "# HELP dealwright_http_connections Connections open.\n"
        "# TYPE dealwright_http_connections gauge\ndealwright_http_connections %u\n"
        "# HELP dealwright_http_connections_refused_total Connections refused by the "
        "connection policy.\n# TYPE dealwright_http_connections_refused_total counter\n"
        "dealwright_http_connections_refused_total %" PRIu64 "\n"
        "# HELP dealwright_http_connections_cut_total Connections closed for not sending a "
        "request in time.\n# TYPE dealwright_http_connections_cut_total counter\n"
        "dealwright_http_connections_cut_total %" PRIu64 "\n",
        wc.steps, wc.failures, (uint64_t)atomic_load(&sv->events_sent), srv_conns_open(sv),
        (uint64_t)atomic_load(&sv->conns_refused), (uint64_t)atomic_load(&sv->conns_cut));
    r |= dw_buf_printf(&b,
                       "# HELP dealwright_webhook_attempts_total Webhook delivery attempts by "
                       "outcome.\n# TYPE dealwright_webhook_attempts_total counter\n"
                       "dealwright_webhook_attempts_total{result=\"delivered\"} %" PRIu64 "\n"
                       "dealwright_webhook_attempts_total{result=\"retry\"} %" PRIu64 "\n"
                       "dealwright_webhook_attempts_total{result=\"dead\"} %" PRIu64 "\n",
                       hc.delivered, hc.failed, hc.dead);
    struct dw_tracer *tracer = dw_engine_tracer(sv->api);
    if (tracer) { /* traces (docs/internals/tracing.md): what reached the collector */
        struct dw_tracer_stats ts;
        dw_tracer_stats(tracer, &ts);
        r |= dw_buf_printf(&b,
                           "# HELP dealwright_trace_spans_total Spans ended, by what became of "
                           "them.\n# TYPE dealwright_trace_spans_total counter\n"
                           "dealwright_trace_spans_total{result=\"exported\"} %" PRIu64 "\n"
                           "dealwright_trace_spans_total{result=\"dropped\"} %" PRIu64 "\n"
                           "dealwright_trace_spans_total{result=\"failed\"} %" PRIu64 "\n",
                           ts.exported, ts.dropped, ts.failed);
    }
    struct dw_error err = {0};
    _cleanup_json_ json_t *st = NULL, *hooks = NULL, *models = NULL;
    struct reader *rd = srv_reader_get(sv);
    int sr = dw_stats(rd->e, &st, &err);
    int hr = dw_webhook_counts(rd->e, &hooks, &err);
    int mr = dw_model_stats(rd->e, &models, &err);
    srv_reader_put(rd);
    if (mr >= 0)
        r |= model_metrics(&b, models);
    if (hr >= 0) {
        r |= dw_buf_printf(&b, "# HELP dealwright_webhook_deliveries Webhook deliveries by "
                               "state.\n# TYPE dealwright_webhook_deliveries gauge\n");
        const char *k;
        json_t *v;
        json_object_foreach(hooks, k, v) r |=
            dw_buf_printf(&b, "dealwright_webhook_deliveries{state=\"%s\"} %lld\n", k,
                          (long long)json_integer_value(v));
    }
    if (sr >= 0) {
        r |= dw_buf_printf(&b, "# HELP dealwright_deals Deals by stage.\n"
                               "# TYPE dealwright_deals gauge\n");
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(st, "stages"), k, v) r |= dw_buf_printf(
            &b, "dealwright_deals{stage=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
        r |= dw_buf_printf(&b,
                           "# HELP dealwright_approvals_pending Approvals waiting for a "
                           "person.\n# TYPE dealwright_approvals_pending gauge\n"
                           "dealwright_approvals_pending %lld\n"
                           "# HELP dealwright_deals_parked Deals parked after repeated "
                           "failures.\n# TYPE dealwright_deals_parked gauge\n"
                           "dealwright_deals_parked %lld\n",
                           (long long)dw_json_int(st, "approvals_pending", 0),
                           (long long)dw_json_int(st, "parked", 0));
    }
    if (r < 0) {
        dw_buf_release(&b);
        return MHD_NO;
    }
    size_t len = b.len;
    return srv_send_text(c, rq, 200, "text/plain; version=0.0.4; charset=utf-8", dw_buf_steal(&b),
                         len);
}

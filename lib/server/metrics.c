/* GET /metrics: Prometheus text format (docs/internals/server.md "Metrics"). The `route`
 * label is the route table's (routes.c). */
#include <inttypes.h>
#include <stdlib.h>

#include "server/internal.h"

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
    struct dw_error err = {0};
    _cleanup_json_ json_t *st = NULL, *hooks = NULL;
    struct reader *rd = srv_reader_get(sv);
    int sr = dw_stats(rd->e, &st, &err);
    int hr = dw_webhook_counts(rd->e, &hooks, &err);
    srv_reader_put(rd);
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

/* dealwright — traces: OpenTelemetry spans exported over OTLP/HTTP (docs/internals/tracing.md).
 *
 * A tracer is a process's exporter: spans ended anywhere in the library are queued (a bounded
 * queue: when it is full a span is dropped and counted, a step never waits) and a thread of
 * the tracer posts them in batches to URL/v1/traces as OTLP/JSON. An engine opened with
 * dw_engine_opts.tracer makes its spans there: one per control-plane step, per outbound
 * call (model, webhook, SMTP), and the server's one per HTTP request. Without a tracer
 * nothing is made. Spans carry ids, names of agents and stages, status codes: never
 * personal data. */
#ifndef DEALWRIGHT_TRACE_H
#define DEALWRIGHT_TRACE_H

#include <stdint.h>

#include <dealwright/error.h>
#include <dealwright/export.h>

struct dw_tracer;

/* Zero means the default of each. */
struct dw_tracer_opts {
    const char *service; /* the resource's service.name; NULL: "dealwright" */
    unsigned queue;      /* spans waiting for export at most (default 4096); more are dropped */
    unsigned batch;      /* spans per export request at most (default 512) */
    int interval_ms;     /* the longest a span waits before its batch is posted (default 1000) */
    int timeout_ms;      /* one export request's deadline (default 5000) */
};

/* A tracer exporting to url: the collector's OTLP/HTTP base (http://HOST:4318), to which
 * /v1/traces is added unless the path already ends so. Only http:// and https://; anything
 * else is -DW_EINVAL (field "otlp"). Starts the export thread. */
DW_EXPORT int dw_tracer_open(const char *url, const struct dw_tracer_opts *opts,
                             struct dw_tracer **ret, struct dw_error *err);

struct dw_tracer_stats {
    uint64_t ended;    /* spans ended */
    uint64_t exported; /* accepted by the collector (a 2xx answer) */
    uint64_t dropped;  /* not queued: the queue was full */
    uint64_t failed;   /* queued, but their export failed (after one retry when retryable) */
    uint64_t requests; /* export requests made */
};
DW_EXPORT void dw_tracer_stats(struct dw_tracer *t, struct dw_tracer_stats *ret);

/* Post what is queued now (waits up to timeout_ms for the thread to have done it). */
DW_EXPORT void dw_tracer_flush(struct dw_tracer *t, int timeout_ms);

/* Flush what is queued (each request within its deadline), stop the thread and free. Close
 * every engine using t first. NULL is nothing. */
DW_EXPORT void dw_tracer_close(struct dw_tracer *t);

#endif

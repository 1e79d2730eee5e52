/* base/trace — spans, the W3C trace context and the OTLP/HTTP exporter (trace.c, otlp.c).
 *
 * Every call takes NULL (no tracer, no span) and does nothing with it: code that traces
 * writes `struct dw_span *sp = dw_span_start(e->tracer, ...)` and the attribute calls
 * unconditionally; without a tracer the cost is the branch in dw_span_start.
 *
 * The thread's current span (dw_trace_swap) is what an outbound call made deep below the
 * caller (a model's HTTP request inside an agent's step) takes as its parent; it is set by
 * whoever opens a span that work happens under (a step, a request) and put back after.
 *
 * Attributes are ids, names of agents, stages, routes and status codes: never personal data
 * (docs/internals/privacy.md); a caller passes nothing a customer wrote. */
#ifndef DW_BASE_TRACE_H
#define DW_BASE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dealwright/trace.h>

/* A span's context: what a traceparent carries. Valid when trace_id is not all zero. */
struct dw_trace_ctx {
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint8_t flags; /* 1: sampled */
};

#define DW_TRACEPARENT_SIZE 56 /* "00-" 32 hex "-" 16 hex "-" 2 hex, and the NUL */

/* A W3C traceparent header (version 00, or a later one read as 00 per the specification):
 * 0, or -DW_EINVAL for anything malformed (uppercase hex, all-zero ids, version ff). */
int dw_traceparent_parse(const char *s, struct dw_trace_ctx *ret);
void dw_traceparent_format(const struct dw_trace_ctx *c, char out[DW_TRACEPARENT_SIZE]);
bool dw_trace_ctx_valid(const struct dw_trace_ctx *c);

/* OTLP's SpanKind values. */
enum dw_span_kind {
    DW_SPAN_INTERNAL = 1,
    DW_SPAN_SERVER = 2,
    DW_SPAN_CLIENT = 3,
    DW_SPAN_PRODUCER = 4,
    DW_SPAN_CONSUMER = 5,
};

struct dw_span;

/* A span begun now: a child of parent, or the root of a new trace (parent NULL or invalid).
 * NULL when t is NULL (or memory ran out: a trace is never worth failing the work). name is
 * copied (at most 63 bytes). */
struct dw_span *dw_span_start(struct dw_tracer *t, const char *name, enum dw_span_kind kind,
                              const struct dw_trace_ctx *parent);
/* Attributes (at most 16 a span; more are ignored). key must be a string literal; a string
 * value is copied (at most 127 bytes). */
void dw_span_str(struct dw_span *s, const char *key, const char *value);
void dw_span_int(struct dw_span *s, const char *key, int64_t value);
/* The span's status: ERROR with a short message (no customer text), or OK. */
void dw_span_error(struct dw_span *s, const char *msg);
void dw_span_ok(struct dw_span *s);
/* A link to another span (at most 2), e.g. the request that made a step run. */
void dw_span_link(struct dw_span *s, const struct dw_trace_ctx *c);
/* The span's context (for children and traceparent headers); NULL for NULL. */
const struct dw_trace_ctx *dw_span_ctx(const struct dw_span *s);
struct dw_tracer *dw_span_tracer(const struct dw_span *s);
/* Rename it (a step's name is known once its agent is planned). */
void dw_span_name(struct dw_span *s, const char *name);
/* Forget it: nothing is exported (a step that found nothing to run). Frees s. */
void dw_span_discard(struct dw_span *s);
/* End it now and hand it to its tracer's queue (dropped and counted if full). Frees s. */
void dw_span_end(struct dw_span *s);

/* The calling thread's current span: set it to s, returning the one before, which the
 * caller puts back when s ends. */
struct dw_span *dw_trace_swap(struct dw_span *s);
struct dw_span *dw_trace_current(void);

/* ---- internals shared by trace.c and otlp.c, and the unit tests ---- */

/* The ExportTraceServiceRequest of n ended spans, as OTLP/JSON (a new string). */
char *dw__otlp_encode(const char *service, struct dw_span *const *spans, size_t n);
/* Set the span's end time now without queueing it (dw_span_end does this, then queues). */
void dw__span_finish(struct dw_span *s);
/* The tracer's queue: take an ended span (0), or drop it (-1) when full. */
int dw__tracer_push(struct dw_tracer *t, struct dw_span *s);

#endif

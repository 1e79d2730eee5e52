/* Spans and the W3C trace context (base/trace.h), and their OTLP/JSON encoding.
 *
 * A span is one allocation of fixed size, filled while it is open and handed whole to the
 * tracer's queue when it ends (otlp.c); nothing is shared between threads until then. Ids
 * are random (libsodium's generator: 128-bit trace ids, 64-bit span ids, never all zero).
 *
 * The encoding is the OTLP/JSON of the OpenTelemetry protocol specification: the
 * ExportTraceServiceRequest's resourceSpans → scopeSpans → spans, field names in
 * lowerCamelCase, trace and span ids as lowercase hex (not base64), 64-bit integers
 * (times in nanoseconds since the epoch, integer attributes) as decimal strings, enums
 * (kind, status code) as their numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include <dealwright/version.h>

#include "base/base.h"
#include "base/trace.h"

#define SPAN_ATTRS 16
#define SPAN_LINKS 2
#define NAME_MAX_LEN 64
#define VALUE_MAX 128

struct span_attr {
    const char *key;
    bool is_int;
    int64_t i;
    char s[VALUE_MAX];
};

struct dw_span {
    struct dw_tracer *t;
    struct dw_trace_ctx ctx;
    uint8_t parent[8];
    bool has_parent;
    uint8_t kind;
    uint8_t status; /* 0 unset, 1 ok, 2 error */
    uint8_t n_attrs, n_links;
    int64_t start_ns, end_ns;
    char name[NAME_MAX_LEN];
    char status_msg[VALUE_MAX];
    struct dw_trace_ctx links[SPAN_LINKS];
    struct span_attr attrs[SPAN_ATTRS];
};

static _Thread_local struct dw_span *current;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void random_id(uint8_t *p, size_t n) {
    do
        randombytes_buf(p, n);
    while (all_zero(p, n));
}

bool dw_trace_ctx_valid(const struct dw_trace_ctx *c) {
    return c && !all_zero(c->trace_id, sizeof c->trace_id) &&
           !all_zero(c->span_id, sizeof c->span_id);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* uppercase is invalid in a traceparent */
}

static bool hex_read(const char *s, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void hex_write(const uint8_t *p, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int dw_traceparent_parse(const char *s, struct dw_trace_ctx *ret) {
    memset(ret, 0, sizeof *ret);
    if (!s)
        return -DW_EINVAL;
    while (*s == ' ' || *s == '\t')
        s++;
    uint8_t version, flags;
    if (strlen(s) < 55 || !hex_read(s, &version, 1) || version == 0xff || s[2] != '-' ||
        !hex_read(s + 3, ret->trace_id, 16) || s[35] != '-' || !hex_read(s + 36, ret->span_id, 8) ||
        s[52] != '-' || !hex_read(s + 53, &flags, 1))
        goto bad;
    /* version 00 is exactly 55 characters; a later version may add fields after a '-' */
    const char *rest = s + 55;
    while (version == 0 && (*rest == ' ' || *rest == '\t'))
        rest++;
    if ((version == 0 && *rest) || (version != 0 && *rest && *rest != '-'))
        goto bad;
    if (!dw_trace_ctx_valid(ret))
        goto bad;
    ret->flags = flags & 1;
    return 0;
bad:
    memset(ret, 0, sizeof *ret);
    return -DW_EINVAL;
}

void dw_traceparent_format(const struct dw_trace_ctx *c, char out[DW_TRACEPARENT_SIZE]) {
    memcpy(out, "00-", 3);
    hex_write(c->trace_id, 16, out + 3);
    out[35] = '-';
    hex_write(c->span_id, 8, out + 36);
    out[52] = '-';
    uint8_t f = c->flags & 1;
    hex_write(&f, 1, out + 53);
}

struct dw_span *dw_span_start(struct dw_tracer *t, const char *name, enum dw_span_kind kind,
                              const struct dw_trace_ctx *parent) {
    if (!t)
        return NULL;
    struct dw_span *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->t = t;
    s->kind = (uint8_t)kind;
    s->status = 0;
    s->n_attrs = s->n_links = 0;
    s->status_msg[0] = '\0';
    snprintf(s->name, sizeof s->name, "%s", name ? name : "span");
    if (dw_trace_ctx_valid(parent)) {
        memcpy(s->ctx.trace_id, parent->trace_id, 16);
        memcpy(s->parent, parent->span_id, 8);
        s->ctx.flags = parent->flags;
        s->has_parent = true;
    } else {
        random_id(s->ctx.trace_id, 16);
        s->ctx.flags = 1;
        s->has_parent = false;
    }
    random_id(s->ctx.span_id, 8);
    s->end_ns = 0;
    s->start_ns = now_ns();
    return s;
}

static struct span_attr *attr_slot(struct dw_span *s, const char *key) {
    if (!s || !key)
        return NULL;
    for (uint8_t i = 0; i < s->n_attrs; i++)
        if (strcmp(s->attrs[i].key, key) == 0)
            return &s->attrs[i];
    if (s->n_attrs >= SPAN_ATTRS)
        return NULL;
    struct span_attr *a = &s->attrs[s->n_attrs++];
    a->key = key;
    return a;
}

void dw_span_str(struct dw_span *s, const char *key, const char *value) {
    struct span_attr *a = value ? attr_slot(s, key) : NULL;
    if (!a)
        return;
    a->is_int = false;
    snprintf(a->s, sizeof a->s, "%s", value);
}

void dw_span_int(struct dw_span *s, const char *key, int64_t value) {
    struct span_attr *a = attr_slot(s, key);
    if (!a)
        return;
    a->is_int = true;
    a->i = value;
}

void dw_span_error(struct dw_span *s, const char *msg) {
    if (!s)
        return;
    s->status = 2;
    snprintf(s->status_msg, sizeof s->status_msg, "%s", msg ? msg : "");
}

void dw_span_ok(struct dw_span *s) {
    if (s && s->status != 2)
        s->status = 1;
}

void dw_span_link(struct dw_span *s, const struct dw_trace_ctx *c) {
    if (s && s->n_links < SPAN_LINKS && dw_trace_ctx_valid(c))
        s->links[s->n_links++] = *c;
}

const struct dw_trace_ctx *dw_span_ctx(const struct dw_span *s) {
    return s ? &s->ctx : NULL;
}

struct dw_tracer *dw_span_tracer(const struct dw_span *s) {
    return s ? s->t : NULL;
}

void dw_span_name(struct dw_span *s, const char *name) {
    if (s && name)
        snprintf(s->name, sizeof s->name, "%s", name);
}

void dw_span_discard(struct dw_span *s) {
    if (s && current == s)
        current = NULL;
    free(s);
}

void dw__span_finish(struct dw_span *s) {
    s->end_ns = now_ns();
    if (s->end_ns < s->start_ns)
        s->end_ns = s->start_ns;
}

void dw_span_end(struct dw_span *s) {
    if (!s)
        return;
    if (current == s) /* a caller that forgot to put its parent back: never leave it dangling */
        current = NULL;
    dw__span_finish(s);
    if (dw__tracer_push(s->t, s) < 0)
        free(s);
}

struct dw_span *dw_trace_swap(struct dw_span *s) {
    struct dw_span *prev = current;
    current = s;
    return prev;
}

struct dw_span *dw_trace_current(void) {
    return current;
}

/* ---- OTLP/JSON ------------------------------------------------------------------------ */

/* Written straight into a buffer (a span costs a few microseconds here, where building it
 * as jansson objects cost several times that on the exporter's thread). Strings are
 * escaped as JSON requires; a byte that is not part of valid UTF-8 becomes '?' so that the
 * request is always JSON (a collector refuses a batch that is not). */
static void put_str(struct dw_buf *b, const char *s) {
    dw_buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p; /* printable ASCII other than " and \\ goes as it is */
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            dw_buf_append(b, run, (size_t)(p - run));
        unsigned char c = *p;
        if (!c)
            break;
        if (c == '"' || c == '\\') {
            dw_buf_putc(b, '\\');
            dw_buf_putc(b, (char)c);
            p++;
        } else if (c < 0x20) {
            dw_buf_printf(b, "\\u%04x", c);
            p++;
        } else {
            size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            size_t k = 0;
            while (k < n && p[k])
                k++;
            if (n > 1 && k == n && dw_utf8_valid((const char *)p, n, NULL)) {
                dw_buf_append(b, p, n);
                p += n;
            } else {
                dw_buf_putc(b, '?');
                p++;
            }
        }
    }
    dw_buf_putc(b, '"');
}

static void put_hex(struct dw_buf *b, const uint8_t *id, size_t n) {
    char h[33];
    hex_write(id, n, h);
    dw_buf_putc(b, '"');
    dw_buf_append(b, h, 2 * n);
    dw_buf_putc(b, '"');
}

static void put_kv_str(struct dw_buf *b, const char *key, const char *value) {
    dw_buf_puts(b, "{\"key\":");
    put_str(b, key);
    dw_buf_puts(b, ",\"value\":{\"stringValue\":");
    put_str(b, value);
    dw_buf_puts(b, "}}");
}

static void put_span(struct dw_buf *b, const struct dw_span *s) {
    dw_buf_puts(b, "{\"traceId\":");
    put_hex(b, s->ctx.trace_id, 16);
    dw_buf_puts(b, ",\"spanId\":");
    put_hex(b, s->ctx.span_id, 8);
    if (s->has_parent) {
        dw_buf_puts(b, ",\"parentSpanId\":");
        put_hex(b, s->parent, 8);
    }
    dw_buf_puts(b, ",\"name\":");
    put_str(b, s->name);
    dw_buf_printf(b, ",\"kind\":%d,\"startTimeUnixNano\":\"%lld\",\"endTimeUnixNano\":\"%lld\"",
                  (int)s->kind, (long long)s->start_ns, (long long)s->end_ns);
    dw_buf_puts(b, ",\"attributes\":[");
    for (uint8_t i = 0; i < s->n_attrs; i++) {
        const struct span_attr *a = &s->attrs[i];
        if (i)
            dw_buf_putc(b, ',');
        if (a->is_int) {
            dw_buf_puts(b, "{\"key\":");
            put_str(b, a->key);
            dw_buf_printf(b, ",\"value\":{\"intValue\":\"%lld\"}}", (long long)a->i);
        } else {
            put_kv_str(b, a->key, a->s);
        }
    }
    dw_buf_putc(b, ']');
    if (s->n_links) {
        dw_buf_puts(b, ",\"links\":[");
        for (uint8_t i = 0; i < s->n_links; i++) {
            dw_buf_puts(b, i ? ",{\"traceId\":" : "{\"traceId\":");
            put_hex(b, s->links[i].trace_id, 16);
            dw_buf_puts(b, ",\"spanId\":");
            put_hex(b, s->links[i].span_id, 8);
            dw_buf_putc(b, '}');
        }
        dw_buf_putc(b, ']');
    }
    dw_buf_printf(b, ",\"status\":{\"code\":%d", (int)s->status);
    if (s->status == 2 && s->status_msg[0]) {
        dw_buf_puts(b, ",\"message\":");
        put_str(b, s->status_msg);
    }
    dw_buf_puts(b, "}}");
}

char *dw__otlp_encode(const char *service, struct dw_span *const *spans, size_t n) {
    struct dw_buf b;
    dw_buf_init(&b, (size_t)256 << 20); /* 512 spans of at most ~3 kB each */
    dw_buf_puts(&b, "{\"resourceSpans\":[{\"resource\":{\"attributes\":[");
    put_kv_str(&b, "service.name", service ? service : "dealwright");
    dw_buf_putc(&b, ',');
    put_kv_str(&b, "service.version", DW_VERSION_STRING);
    dw_buf_puts(&b, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"dealwright\",\"version\":");
    put_str(&b, DW_VERSION_STRING);
    dw_buf_puts(&b, "},\"spans\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            dw_buf_putc(&b, ',');
        put_span(&b, spans[i]);
    }
    int r = dw_buf_puts(&b, "]}]}]}");
    if (r < 0 || !b.data) {
        dw_buf_release(&b);
        return NULL;
    }
    return dw_buf_steal(&b);
}

/* Mustache templates: a parser that turns template text into a flat list of nodes, and a
 * renderer that walks that list against a stack of JSON contexts.
 *
 * The node list is flat on purpose: a section is one node whose children are the nodes
 * after it up to its `end` index. Parsing therefore needs no recursion (open sections are
 * chained through that same `end` field while they are open) and a template is freed
 * with one free(). Only rendering recurses, and it is bounded by max_depth.
 *
 * Two parts of the spec need care:
 *
 * - Standalone lines. A section, inverted, close, comment, partial or set-delimiter tag
 *   that is alone on its line (spaces and tabs aside) takes the whole line with it,
 *   line ending included. The parser decides this and simply leaves those bytes out of
 *   the text nodes.
 *
 * - Partial indentation. A standalone partial tag's leading whitespace is prepended to
 *   each line of the partial "before rendering", so text that comes from the data is
 *   never indented (spec "Standalone Indentation"). Rather than rewriting the partial's
 *   source, the renderer writes the indentation wherever a line of the partial's source
 *   begins: inside text nodes after each newline, and at NODE_INDENT markers the parser
 *   leaves where a line begins with a tag. A partial included from an indented partial
 *   inherits the outer indentation only when its own tag is standalone, exactly as if the
 *   outer partial had been indented textually.
 *
 * Truthiness follows the spec's `!!data` rule: missing, null, false, "", 0 and the empty
 * list are falsey; everything else, the empty object included, is truthy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/mustache.h"

#define MUSTACHE_DEFAULT_OUTPUT ((size_t)16 << 20)
#define MUSTACHE_DEFAULT_DEPTH 64
/* Nested sections over lists multiply: eleven sections over a six-item list visit 6^11
 * nodes while writing almost nothing, so output size alone does not bound the work. A
 * step is a node visited or a pass over a section's body; a 10,000-line quote table of
 * twenty tags a line is about 200,000. */
#define MUSTACHE_DEFAULT_STEPS ((uint64_t)2000000)
/* Templates and partials alike; positions are reported as int line:col, so this also
 * keeps those from overflowing. */
#define MUSTACHE_MAX_TEMPLATE ((size_t)16 << 20)
/* Names quoted in error messages are cut to this many bytes. */
#define MUSTACHE_NAME_SHOWN 64

enum node_kind {
    NODE_TEXT,     /* literal source bytes [off, off + len) */
    NODE_INDENT,   /* a source line begins with a tag here: write the indentation */
    NODE_ESCAPED,  /* {{name}} */
    NODE_RAW,      /* {{{name}}} and {{&name}} */
    NODE_SECTION,  /* {{#name}}, children are the nodes up to `end` */
    NODE_INVERTED, /* {{^name}}, likewise */
    NODE_PARTIAL,  /* {{>name}} */
};

/* Offsets and indexes are 32-bit (templates are far below 4 GiB) to keep a tag-dense
 * template's node list small. */
_Static_assert(MUSTACHE_MAX_TEMPLATE < UINT32_MAX / 4, "node offsets are 32-bit");

struct node {
    uint8_t kind;    /* enum node_kind */
    bool standalone; /* partials: the tag was alone on its line */
    uint32_t off;    /* TEXT: the text; otherwise the (trimmed) name */
    uint32_t len;
    uint32_t tag;    /* offset of the opening delimiter, for error positions */
    uint32_t end;    /* sections: index one past the last child */
    uint32_t ws_len; /* standalone partials: length of the whitespace before `tag` */
};

struct tmpl {
    const char *src; /* not owned */
    size_t len;
    struct node *nodes;
    size_t n, cap;
};

static void tmpl_release(struct tmpl *t) {
    free(t->nodes);
    *t = (struct tmpl){0};
}

static int tmpl_push(struct tmpl *t, struct node nd) {
    if (DW_GROW(t->nodes, t->cap, t->n + 1) < 0)
        return -DW_ENOMEM;
    t->nodes[t->n++] = nd;
    return 0;
}

/* ---- parsing ------------------------------------------------------------------------ */

struct parser {
    struct tmpl *t;
    const char *src;
    size_t len;
    const char *otag, *ctag; /* current delimiters; point into src after a change */
    size_t olen, clen;
    size_t pos;      /* first byte not yet consumed into a node */
    size_t prev_end; /* end of the previous tag: a standalone line cannot reach before it */
    size_t open;     /* index + 1 of the innermost open section, 0 when none */
    struct dw_error *err;
};

static bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* 1-based line and column (in characters, not bytes) of byte offset off. */
static void src_position(const char *src, size_t off, int *ret_line, int *ret_col) {
    int line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (src[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)src[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    *ret_line = line;
    *ret_col = col;
}

static int parse_error(const struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int parse_error(const struct parser *p, size_t off, const char *fmt, ...) {
    char msg[sizeof p->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    src_position(p->src, off, &line, &col);
    return dw_error_at(p->err, -DW_EPARSE, NULL, line, col, "%s", msg);
}

static int shown(size_t len) {
    return len > MUSTACHE_NAME_SHOWN ? MUSTACHE_NAME_SHOWN : (int)len;
}

static int add_text(struct parser *p, size_t from, size_t to) {
    if (to <= from)
        return 0;
    return tmpl_push(p->t, (struct node){.kind = NODE_TEXT, .off = from, .len = to - from});
}

/* Offset of the closing delimiter of a tag whose content starts at `from`, or SIZE_MAX.
 * With `lead` set ('}' for {{{x}}}, '=' for {{=a b=}}) the delimiter must directly follow
 * that character and the returned offset is the lead character's. */
static size_t find_close(const struct parser *p, size_t from, char lead) {
    size_t at = from;
    while (at < p->len) {
        const char *hit = memmem(p->src + at, p->len - at, p->ctag, p->clen);
        if (!hit)
            return SIZE_MAX;
        size_t h = (size_t)(hit - p->src);
        if (!lead)
            return h;
        if (h > from && p->src[h - 1] == lead)
            return h - 1;
        at = h + 1;
    }
    return SIZE_MAX;
}

/* Whether the tag [start, end) is alone on its line. If so, *ret_line is where the line
 * (its leading blanks) begins and *ret_next the first byte after its line ending. */
static bool is_standalone(const struct parser *p, size_t start, size_t end, size_t *ret_line,
                          size_t *ret_next) {
    size_t ls = start;
    while (ls > p->prev_end && is_blank(p->src[ls - 1]))
        ls--;
    /* When ls stops at prev_end, src[ls - 1] ends the previous tag's delimiter, which
     * cannot be a newline: another tag is on this line. */
    if (ls > 0 && p->src[ls - 1] != '\n')
        return false;
    size_t q = end;
    while (q < p->len && is_blank(p->src[q]))
        q++;
    if (q == p->len)
        *ret_next = q;
    else if (p->src[q] == '\n')
        *ret_next = q + 1;
    else if (p->src[q] == '\r' && q + 1 < p->len && p->src[q + 1] == '\n')
        *ret_next = q + 2;
    else
        return false;
    *ret_line = ls;
    return true;
}

/* A name is non-empty, has no whitespace, and is "." or dot-separated non-empty keys. */
static int check_name(const struct parser *p, size_t tag, size_t off, size_t len, bool dotted) {
    const char *s = p->src + off;
    if (len == 0)
        return parse_error(p, tag, "empty tag");
    for (size_t i = 0; i < len; i++)
        if (is_space(s[i]))
            return parse_error(p, tag, "tag name '%.*s' contains whitespace", shown(len), s);
    if (!dotted || (len == 1 && s[0] == '.'))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.' && (i == 0 || i + 1 == len || s[i + 1] == '.'))
            return parse_error(p, tag, "invalid dotted name '%.*s'", shown(len), s);
    return 0;
}

/* {{=<% %>=}}: exactly two whitespace-separated delimiters, neither containing '='. */
static int set_delimiters(struct parser *p, size_t tag, size_t off, size_t len) {
    const char *s = p->src + off;
    size_t i = 0, a, alen, b, blen;
    a = i;
    while (i < len && !is_space(s[i]))
        i++;
    alen = i - a;
    while (i < len && is_space(s[i]))
        i++;
    b = i;
    while (i < len && !is_space(s[i]))
        i++;
    blen = i - b;
    if (alen == 0 || blen == 0 || i != len || memchr(s + a, '=', alen) || memchr(s + b, '=', blen))
        return parse_error(p, tag, "invalid delimiters '%.*s': expected two, like {{=<%% %%>=}}",
                           shown(len), s);
    p->otag = s + a;
    p->olen = alen;
    p->ctag = s + b;
    p->clen = blen;
    return 0;
}

static int close_section(struct parser *p, size_t tag, size_t off, size_t len) {
    const char *name = p->src + off;
    if (!p->open)
        return parse_error(p, tag, "closing tag '%.*s' without an open section", shown(len), name);
    struct node *sec = &p->t->nodes[p->open - 1];
    if (sec->len != len || memcmp(p->src + sec->off, name, len) != 0) {
        int line, col;
        src_position(p->src, sec->tag, &line, &col);
        return parse_error(p, tag,
                           "closing tag '%.*s' does not match section '%.*s' opened at %d:%d",
                           shown(len), name, shown(sec->len), p->src + sec->off, line, col);
    }
    p->open = sec->end;
    sec->end = p->t->n;
    return 0;
}

/* One tag whose opening delimiter starts at `start`. */
static int parse_tag(struct parser *p, size_t start) {
    size_t q = start + p->olen;
    while (q < p->len && is_space(p->src[q]))
        q++;
    char sigil = 0;
    if (q < p->len && p->src[q] != '\0' && strchr("#^/!>&{=<$", p->src[q]))
        sigil = p->src[q++];
    char lead = sigil == '{' ? '}' : sigil == '=' ? '=' : 0;
    size_t close = find_close(p, q, lead);
    if (close == SIZE_MAX)
        return parse_error(p, start, "unclosed tag: no '%s%.*s' follows",
                           lead == '}'   ? "}"
                           : lead == '=' ? "="
                                         : "",
                           (int)p->clen, p->ctag);
    size_t end = close + (lead ? 1 : 0) + p->clen;

    size_t off = q, len = close - q;
    while (len && is_space(p->src[off])) {
        off++;
        len--;
    }
    while (len && is_space(p->src[off + len - 1]))
        len--;

    int r = 0;
    switch (sigil) {
    case '<':
    case '$':
        return parse_error(p, start, "template inheritance ('%c' tags) is not supported", sigil);
    case '!':
    case '=':
        break;
    case '>':
        r = check_name(p, start, off, len, false);
        break;
    default:
        r = check_name(p, start, off, len, true);
        break;
    }
    if (r < 0)
        return r;

    bool can_stand = sigil && strchr("#^/!>=", sigil);
    size_t line_start = 0, next = end;
    bool standalone = can_stand && is_standalone(p, start, end, &line_start, &next);
    if (standalone) {
        r = add_text(p, p->pos, line_start);
    } else {
        r = add_text(p, p->pos, start);
        if (r == 0 && (start == 0 || p->src[start - 1] == '\n'))
            r = tmpl_push(p->t, (struct node){.kind = NODE_INDENT, .tag = start});
    }
    if (r < 0)
        return r;

    struct node nd = {.off = off, .len = len, .tag = start};
    switch (sigil) {
    case '!':
        break;
    case '=':
        r = set_delimiters(p, start, off, len);
        break;
    case '/':
        r = close_section(p, start, off, len);
        break;
    case '#':
    case '^':
        nd.kind = sigil == '#' ? NODE_SECTION : NODE_INVERTED;
        nd.end = p->open; /* chain of open sections until the close sets it */
        r = tmpl_push(p->t, nd);
        if (r == 0)
            p->open = p->t->n;
        break;
    case '>':
        nd.kind = NODE_PARTIAL;
        nd.standalone = standalone;
        nd.ws_len = standalone ? start - line_start : 0;
        r = tmpl_push(p->t, nd);
        break;
    case '{':
    case '&':
        nd.kind = NODE_RAW;
        r = tmpl_push(p->t, nd);
        break;
    default:
        nd.kind = NODE_ESCAPED;
        r = tmpl_push(p->t, nd);
        break;
    }
    if (r < 0)
        return r;
    p->prev_end = end;
    p->pos = standalone ? next : end;
    return 0;
}

/* Parse src[0..len) into t (which must be zeroed). t->src points at src afterwards. */
static int tmpl_parse(struct tmpl *t, const char *src, size_t len, struct dw_error *err) {
    struct parser p = {
        .t = t,
        .src = src,
        .len = len,
        .otag = "{{",
        .olen = 2,
        .ctag = "}}",
        .clen = 2,
        .err = err,
    };
    t->src = src;
    t->len = len;
    int r = 0;
    while (r == 0) {
        const char *hit = p.pos < len ? memmem(src + p.pos, len - p.pos, p.otag, p.olen) : NULL;
        if (!hit) {
            r = add_text(&p, p.pos, len);
            break;
        }
        r = parse_tag(&p, (size_t)(hit - src));
    }
    if (r == 0 && p.open) {
        const struct node *sec = &t->nodes[p.open - 1];
        r = parse_error(&p, sec->tag, "unclosed section '%.*s'", shown(sec->len), src + sec->off);
    }
    if (r == -DW_ENOMEM)
        dw_error_set(err, r, "out of memory parsing a template");
    if (r < 0)
        tmpl_release(t);
    return r;
}

/* ---- rendering ---------------------------------------------------------------------- */

/* The context stack and the indentation live in the C stack frames of the renderer. */
struct ctx {
    const json_t *v;
    const struct ctx *up;
};

struct indent {
    const char *s;
    size_t n;
    const struct indent *up; /* written first */
};

/* Parsed partials, keyed by their JSON string (which outlives the render). The list
 * holds pointers so a template stays put while frames above it use it. */
struct partial {
    struct partial *next;
    const json_t *key;
    struct tmpl t;
};

struct render {
    struct dw_buf out;
    size_t max_output;
    int max_depth;
    uint64_t steps, max_steps;
    const json_t *partials;
    enum dw_mustache_escape escape;
    struct partial *cache;
    struct dw_error *err;
};

static int emit(struct render *r, const char *s, size_t n) {
    int rc = dw_buf_append(&r->out, s, n);
    if (rc == -DW_ETOOBIG)
        return dw_error_set(r->err, rc, "rendered output exceeds the limit of %zu bytes",
                            r->max_output);
    if (rc < 0)
        return dw_error_set(r->err, rc, "out of memory rendering a template");
    return 0;
}

static int emit_indent(struct render *r, const struct indent *ind) {
    if (!ind)
        return 0;
    int rc = emit_indent(r, ind->up);
    return rc < 0 ? rc : emit(r, ind->s, ind->n);
}

/* Literal text, with the indentation written at each line start of the source. */
static int emit_text(struct render *r, const struct tmpl *t, const struct node *nd,
                     const struct indent *ind) {
    const char *s = t->src;
    size_t a = nd->off, b = nd->off + nd->len;
    if (!ind)
        return emit(r, s + a, b - a);
    while (a < b) {
        int rc = 0;
        if (a == 0 || s[a - 1] == '\n')
            rc = emit_indent(r, ind);
        const char *nl = memchr(s + a, '\n', b - a);
        size_t e = nl ? (size_t)(nl - s) + 1 : b;
        if (rc == 0)
            rc = emit(r, s + a, e - a);
        if (rc < 0)
            return rc;
        a = e;
    }
    return 0;
}

/* The replacement for one byte in `mode`, or NULL to copy it. Markdown: every character
 * CommonMark lets a backslash escape that could start markup — emphasis, code, links and
 * images, headings, lists (also "1." and "1)"), block quotes, tables, setext underlines,
 * strikethrough, entity references, raw HTML and autolinks (the ':' of a scheme, the '.' of
 * "www.") — is escaped wherever it stands, and a line break becomes a space, so a value can
 * never begin a line of its own (a heading or list item) or leave a table cell. */
static const char *escape_of(enum dw_mustache_escape mode, unsigned char c, char tmp[3]) {
    if (mode == DW_MUSTACHE_MARKDOWN) {
        if (c == '\n' || c == '\r')
            return " ";
        if (c && strchr("\\`*_{}[]()#+-.!|<>~=&:", c)) {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            tmp[2] = '\0';
            return tmp;
        }
        return NULL;
    }
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

int dw_mustache_escape(struct dw_buf *b, enum dw_mustache_escape mode, const char *s, size_t n) {
    size_t run = 0;
    char tmp[3];
    for (size_t i = 0; i < n; i++) {
        const char *ent = escape_of(mode, (unsigned char)s[i], tmp);
        if (!ent)
            continue;
        int rc = dw_buf_append(b, s + run, i - run);
        if (rc == 0)
            rc = dw_buf_append(b, ent, strlen(ent));
        if (rc < 0)
            return rc;
        run = i + 1;
    }
    return dw_buf_append(b, s + run, n - run);
}

static int emit_escaped(struct render *r, const char *s, size_t n) {
    int rc = dw_mustache_escape(&r->out, r->escape, s, n);
    if (rc == -DW_ETOOBIG)
        return dw_error_set(r->err, rc, "rendered output exceeds the limit of %zu bytes",
                            r->max_output);
    if (rc < 0)
        return dw_error_set(r->err, rc, "out of memory rendering a template");
    return 0;
}

/* The shortest "%g" form that reads back as the same double: 1.21, not 1.2099999999. */
static void format_real(double d, char *buf, size_t size) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* A locale with a decimal comma must not leak into the output. */
    for (char *c = buf; *c; c++)
        if (*c == ',')
            *c = '.';
}

/* Strings as they are, numbers as JSON writes them, true/false, null as nothing, and
 * objects and arrays as compact JSON. */
static int emit_value(struct render *r, const json_t *v, bool escape) {
    char num[64];
    const char *s = NULL;
    size_t n = 0;
    _cleanup_free_ char *dumped = NULL;
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return 0;
    case JSON_STRING:
        s = json_string_value(v);
        n = json_string_length(v);
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
        n = strlen(num);
        break;
    case JSON_REAL:
        format_real(json_real_value(v), num, sizeof num);
        s = num;
        n = strlen(num);
        break;
    case JSON_TRUE:
        s = "true";
        n = 4;
        break;
    case JSON_FALSE:
        s = "false";
        n = 5;
        break;
    case JSON_OBJECT:
    case JSON_ARRAY:
        dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!dumped)
            return dw_error_set(r->err, -DW_ENOMEM, "out of memory rendering a template");
        s = dumped;
        n = strlen(dumped);
        break;
    }
    return escape ? emit_escaped(r, s, n) : emit(r, s, n);
}

static bool truthy(const json_t *v) {
    if (!v)
        return false;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return false;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    default:
        return true;
    }
}

/* Resolve a name: "." is the top of the stack; otherwise the first key is looked up from
 * the top down, and the remaining keys only inside what it found (a broken chain does
 * not fall back to outer contexts). NULL when missing. */
static const json_t *lookup(const struct ctx *c, const char *name, size_t len) {
    if (len == 1 && name[0] == '.')
        return c->v;
    const char *dot = memchr(name, '.', len);
    size_t first = dot ? (size_t)(dot - name) : len;
    const json_t *v = NULL;
    for (; c && !v; c = c->up)
        if (json_is_object(c->v))
            v = json_object_getn(c->v, name, first);
    while (v && dot) {
        const char *seg = dot + 1;
        size_t left = len - (size_t)(seg - name);
        dot = memchr(seg, '.', left);
        size_t seglen = dot ? (size_t)(dot - seg) : left;
        v = json_is_object(v) ? json_object_getn(v, seg, seglen) : NULL;
    }
    return v;
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to,
                        const struct ctx *c, const struct indent *ind, int depth);

static int enter(struct render *r, int depth) {
    if (depth >= r->max_depth)
        return dw_error_set(r->err, -DW_ETOOBIG,
                            "sections and partials nest deeper than the limit of %d", r->max_depth);
    return 0;
}

static int count_step(struct render *r) {
    if (++r->steps <= r->max_steps)
        return 0;
    return dw_error_set(r->err, -DW_ETOOBIG,
                        "the template takes more than %llu rendering steps (sections nested "
                        "over lists multiply)",
                        (unsigned long long)r->max_steps);
}

static int render_section(struct render *r, const struct tmpl *t, size_t i, const struct ctx *c,
                          const struct indent *ind, int depth) {
    const struct node *nd = &t->nodes[i];
    const json_t *v = lookup(c, t->src + nd->off, nd->len);
    bool on = truthy(v);
    if (nd->kind == NODE_INVERTED) {
        if (on)
            return 0;
        int rc = enter(r, depth);
        return rc < 0 ? rc : render_nodes(r, t, i + 1, nd->end, c, ind, depth + 1);
    }
    if (!on)
        return 0;
    int rc = enter(r, depth);
    if (rc < 0)
        return rc;
    if (!json_is_array(v)) {
        struct ctx sub = {v, c};
        return render_nodes(r, t, i + 1, nd->end, &sub, ind, depth + 1);
    }
    for (size_t k = 0; k < json_array_size(v) && rc == 0; k++) {
        struct ctx sub = {json_array_get(v, k), c};
        rc = render_nodes(r, t, i + 1, nd->end, &sub, ind, depth + 1);
    }
    return rc;
}

/* The parsed form of a partial, parsing it on first use. */
static int partial_get(struct render *r, const json_t *key, const char *name, size_t nlen,
                       const struct tmpl **ret) {
    for (struct partial *e = r->cache; e; e = e->next)
        if (e->key == key) {
            *ret = &e->t;
            return 0;
        }
    size_t len = json_string_length(key);
    if (len > MUSTACHE_MAX_TEMPLATE)
        return dw_error_set(r->err, -DW_ETOOBIG, "partial '%.*s' is larger than %zu bytes",
                            shown(nlen), name, MUSTACHE_MAX_TEMPLATE);
    struct partial *e = calloc(1, sizeof *e);
    if (!e)
        return dw_error_set(r->err, -DW_ENOMEM, "out of memory rendering a template");
    struct dw_error perr = {0};
    int rc = tmpl_parse(&e->t, json_string_value(key), len, &perr);
    if (rc < 0) {
        free(e);
        return dw_error_at(r->err, rc, NULL, perr.line, perr.col, "in partial '%.*s': %s",
                           shown(nlen), name, perr.msg);
    }
    e->key = key;
    e->next = r->cache;
    r->cache = e;
    *ret = &e->t;
    return 0;
}

static int render_partial(struct render *r, const struct tmpl *t, const struct node *nd,
                          const struct ctx *c, const struct indent *ind, int depth) {
    const char *name = t->src + nd->off;
    const json_t *src = r->partials ? json_object_getn(r->partials, name, nd->len) : NULL;
    if (!src)
        return 0; /* the spec: a missing partial renders as nothing */
    if (!json_is_string(src))
        return dw_error_set(r->err, -DW_EINVAL, "partial '%.*s' is not a string", shown(nd->len),
                            name);
    int rc = enter(r, depth);
    const struct tmpl *pt = NULL;
    if (rc == 0)
        rc = partial_get(r, src, name, nd->len, &pt);
    if (rc < 0)
        return rc;
    /* Only a standalone tag indents; an inline one starts from no indentation at all. */
    struct indent sub = {t->src + nd->tag - nd->ws_len, nd->ws_len, ind};
    return render_nodes(r, pt, 0, pt->n, c, nd->standalone ? &sub : NULL, depth + 1);
}

static int render_nodes(struct render *r, const struct tmpl *t, size_t from, size_t to,
                        const struct ctx *c, const struct indent *ind, int depth) {
    int rc = 0;
    size_t i = from;
    if ((rc = count_step(r)) < 0) /* each pass over a section's body counts, even an empty one */
        return rc;
    while (i < to && rc == 0) {
        const struct node *nd = &t->nodes[i];
        if ((rc = count_step(r)) < 0)
            return rc;
        switch (nd->kind) {
        case NODE_TEXT:
            rc = emit_text(r, t, nd, ind);
            break;
        case NODE_INDENT:
            rc = emit_indent(r, ind);
            break;
        case NODE_ESCAPED:
        case NODE_RAW:
            rc = emit_value(r, lookup(c, t->src + nd->off, nd->len), nd->kind == NODE_ESCAPED);
            break;
        case NODE_SECTION:
        case NODE_INVERTED:
            rc = render_section(r, t, i, c, ind, depth);
            i = nd->end;
            continue;
        case NODE_PARTIAL:
            rc = render_partial(r, t, nd, c, ind, depth);
            break;
        }
        i++;
    }
    return rc;
}

/* ---- public ------------------------------------------------------------------------- */

/* The options' limits and checks into r (what every render checks before the template). */
static int render_setup(struct render *r, const struct dw_mustache_opts *opts,
                        struct dw_error *err) {
    *r = (struct render){
        .max_output = opts && opts->max_output ? opts->max_output : MUSTACHE_DEFAULT_OUTPUT,
        .max_depth = opts && opts->max_depth ? opts->max_depth : MUSTACHE_DEFAULT_DEPTH,
        .max_steps = opts && opts->max_steps ? opts->max_steps : MUSTACHE_DEFAULT_STEPS,
        .partials = opts ? opts->partials : NULL,
        .escape = opts ? opts->escape : DW_MUSTACHE_HTML,
        .err = err,
    };
    if (r->max_depth < 0)
        return dw_error_set(err, -DW_EINVAL, "negative max_depth");
    if (r->escape != DW_MUSTACHE_HTML && r->escape != DW_MUSTACHE_MARKDOWN)
        return dw_error_set(err, -DW_EINVAL, "unknown escape mode %d", (int)r->escape);
    if (r->partials && !json_is_object(r->partials))
        return dw_error_set(err, -DW_EINVAL, "partials must be a JSON object");
    return 0;
}

/* Render the parsed t with r (from render_setup). */
static int render_parsed(struct render *r, const struct tmpl *t, const json_t *data,
                         char **ret_out) {
    dw_buf_init(&r->out, r->max_output);
    struct ctx root = {data, NULL};
    int rc = render_nodes(r, t, 0, t->n, &root, NULL, 0);

    while (r->cache) {
        struct partial *e = r->cache;
        r->cache = e->next;
        tmpl_release(&e->t);
        free(e);
    }
    if (rc < 0) {
        dw_buf_release(&r->out);
        return rc;
    }
    char *out = dw_buf_steal(&r->out);
    if (!out)
        return dw_error_set(r->err, -DW_ENOMEM, "out of memory rendering a template");
    *ret_out = out;
    return 0;
}

int dw_mustache_render(const char *tmpl, size_t len, const json_t *data,
                       const struct dw_mustache_opts *opts, char **ret_out, struct dw_error *err) {
    if ((!tmpl && len) || !ret_out)
        return dw_error_set(err, -DW_EINVAL, "no template or no place for the output");
    if (len > MUSTACHE_MAX_TEMPLATE)
        return dw_error_set(err, -DW_ETOOBIG, "template is larger than %zu bytes",
                            MUSTACHE_MAX_TEMPLATE);
    struct render r;
    int rc = render_setup(&r, opts, err);
    if (rc < 0)
        return rc;
    struct tmpl t = {0};
    rc = tmpl_parse(&t, tmpl, len, err);
    if (rc < 0)
        return rc;
    rc = render_parsed(&r, &t, data, ret_out);
    tmpl_release(&t);
    return rc;
}

struct dw_mustache_tmpl {
    struct tmpl t;
};

int dw_mustache_compile(const char *tmpl, size_t len, struct dw_mustache_tmpl **ret,
                        struct dw_error *err) {
    if ((!tmpl && len) || !ret)
        return dw_error_set(err, -DW_EINVAL, "no template or no place for the result");
    if (len > MUSTACHE_MAX_TEMPLATE)
        return dw_error_set(err, -DW_ETOOBIG, "template is larger than %zu bytes",
                            MUSTACHE_MAX_TEMPLATE);
    struct dw_mustache_tmpl *c = calloc(1, sizeof *c);
    if (!c)
        return dw_error_set(err, -DW_ENOMEM, "out of memory parsing a template");
    int rc = tmpl_parse(&c->t, tmpl, len, err);
    if (rc < 0) {
        tmpl_release(&c->t);
        free(c);
        return rc;
    }
    *ret = c;
    return 0;
}

void dw_mustache_tmpl_free(struct dw_mustache_tmpl *t) {
    if (!t)
        return;
    tmpl_release(&t->t);
    free(t);
}

int dw_mustache_render_tmpl(const struct dw_mustache_tmpl *t, const json_t *data,
                            const struct dw_mustache_opts *opts, char **ret_out,
                            struct dw_error *err) {
    if (!t || !ret_out)
        return dw_error_set(err, -DW_EINVAL, "no template or no place for the output");
    struct render r;
    int rc = render_setup(&r, opts, err);
    return rc < 0 ? rc : render_parsed(&r, &t->t, data, ret_out);
}

int dw_mustache_check(const char *tmpl, size_t len, struct dw_error *err) {
    if (!tmpl && len)
        return dw_error_set(err, -DW_EINVAL, "no template");
    if (len > MUSTACHE_MAX_TEMPLATE)
        return dw_error_set(err, -DW_ETOOBIG, "template is larger than %zu bytes",
                            MUSTACHE_MAX_TEMPLATE);
    struct tmpl t = {0};
    int rc = tmpl_parse(&t, tmpl, len, err);
    tmpl_release(&t);
    return rc;
}

/* CEL lexer and recursive-descent parser. The grammar is cel-spec's (langdef.md):
 *
 *   Expr    = Or ["?" Or ":" Expr]           Or  = And {"||" And}
 *   And     = Rel {"&&" Rel}                 Rel = Add {("<"|"<="|">="|">"|"=="|"!="|"in") Add}
 *   Add     = Mul {("+"|"-") Mul}            Mul = Unary {("*"|"/"|"%") Unary}
 *   Unary   = Member | "!" {"!"} Member | "-" {"-"} Member
 *   Member  = Primary {"." SELECTOR ["(" [Args] ")"] | "[" Expr "]"}
 *   Primary = ["."] IDENT ["(" [Args] ")"] | "(" Expr ")" | "[" [Args] [","] "]"
 *           | "{" [MapInits] [","] "}" | LITERAL
 *
 * `&&` and `||` chains become one n-ary node (no deep trees for long chains). Macros
 * (has, all, exists, exists_one, map, filter and the two-variable forms) are expanded here
 * into N_HAS / N_COMP nodes. Every node keeps the byte offset of its token; every error
 * says which character is wrong. Nesting is bounded (struct cel_limits.max_depth). */
#include "rules/cel_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>

#include <errno.h>
#include <math.h>

enum tok_kind {
    T_EOF,
    T_IDENT,
    T_QIDENT, /* `quoted identifier` */
    T_INT,
    T_UINT,
    T_DOUBLE,
    T_STRING,
    T_BYTES,
    T_PUNCT, /* text in tok.p[0..1] */
};

struct tok {
    enum tok_kind kind;
    int32_t pos;
    const char *p; /* token text */
    size_t n;
    char op[3]; /* T_PUNCT: "&&", "<=", "(", ... */
};

struct parser {
    const char *src;
    size_t len, i;
    struct tok t;         /* current token */
    struct cel_arena *a;  /* the program's arena */
    struct dw_error *err; /* first error only */
    bool failed;
    int depth, max_depth;
    unsigned flags;
};

static bool fail(struct parser *ps, int32_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* line:col of a byte offset (1-based, columns count code points). */
void cel_pos_to_line_col(const char *src, size_t len, int32_t pos, int *line, int *col) {
    int l = 1, c = 1;
    for (size_t i = 0; i < len && (int32_t)i < pos; i++) {
        if (src[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)src[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void cel_error_vat(struct dw_error *err, int code, const char *src, size_t len, int32_t pos,
                   const char *fmt, va_list ap) {
    if (!err)
        return;
    char msg[400];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    dw_error_set(err, code, "%s", msg);
    cel_pos_to_line_col(src, len, pos, &err->line, &err->col);
}

static bool fail(struct parser *ps, int32_t pos, const char *fmt, ...) {
    if (ps->failed)
        return false;
    ps->failed = true;
    va_list ap;
    va_start(ap, fmt);
    cel_error_vat(ps->err, -DW_EPARSE, ps->src, ps->len, pos, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- lexer ------------------------------------------------------------------------------ */

static bool is_ident_start(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
static bool is_ident_char(char c) {
    return is_ident_start(c) || is_digit(c);
}

static void skip_space(struct parser *ps) {
    for (;;) {
        while (ps->i < ps->len && strchr(" \t\r\n\f", ps->src[ps->i]) && ps->src[ps->i])
            ps->i++;
        if (ps->i + 1 < ps->len && ps->src[ps->i] == '/' && ps->src[ps->i + 1] == '/') {
            while (ps->i < ps->len && ps->src[ps->i] != '\n')
                ps->i++;
            continue;
        }
        return;
    }
}

/* Scan a string or bytes literal starting at the quote (after any r/b prefix). */
static bool scan_quoted(struct parser *ps, bool raw) {
    const char *s = ps->src;
    char q = s[ps->i];
    bool triple = ps->i + 2 < ps->len && s[ps->i + 1] == q && s[ps->i + 2] == q;
    size_t i = ps->i + (triple ? 3 : 1);
    for (;;) {
        if (i >= ps->len)
            return fail(ps, ps->t.pos, "unterminated string literal");
        char c = s[i];
        if (c == '\\' && !raw) {
            i += 2;
            continue;
        }
        if (!triple && (c == '\n' || c == '\r'))
            return fail(ps, (int32_t)i,
                        "newline in a string literal (use ''' or \"\"\" for "
                        "text over several lines)");
        if (c == q) {
            if (!triple) {
                i++;
                break;
            }
            if (i + 2 < ps->len && s[i + 1] == q && s[i + 2] == q) {
                i += 3;
                break;
            }
        }
        i++;
    }
    ps->i = i;
    return true;
}

static bool next(struct parser *ps) {
    skip_space(ps);
    struct tok *t = &ps->t;
    memset(t, 0, sizeof(*t));
    t->pos = (int32_t)ps->i;
    t->p = ps->src + ps->i;
    if (ps->i >= ps->len) {
        t->kind = T_EOF;
        return true;
    }
    const char *s = ps->src;
    size_t start = ps->i;
    char c = s[ps->i];

    /* string and bytes literals with their r/b prefixes */
    if (is_ident_start(c)) {
        size_t j = ps->i;
        bool raw = false, bytes = false;
        for (int k = 0; k < 2 && j < ps->len; k++, j++) {
            if ((s[j] == 'r' || s[j] == 'R') && !raw)
                raw = true;
            else if ((s[j] == 'b' || s[j] == 'B') && !bytes)
                bytes = true;
            else
                break;
        }
        if ((raw || bytes) && j < ps->len && (s[j] == '"' || s[j] == '\'')) {
            ps->i = j;
            if (!scan_quoted(ps, raw))
                return false;
            t->kind = bytes ? T_BYTES : T_STRING;
            t->n = ps->i - start;
            return true;
        }
        while (ps->i < ps->len && is_ident_char(s[ps->i]))
            ps->i++;
        t->kind = T_IDENT;
        t->n = ps->i - start;
        return true;
    }
    if (c == '"' || c == '\'') {
        if (!scan_quoted(ps, false))
            return false;
        t->kind = T_STRING;
        t->n = ps->i - start;
        return true;
    }
    if (c == '`') {
        size_t j = ps->i + 1;
        while (j < ps->len && s[j] != '`' && s[j] != '\n')
            j++;
        if (j >= ps->len || s[j] != '`')
            return fail(ps, t->pos, "unterminated quoted identifier");
        for (size_t k = ps->i + 1; k < j; k++)
            if (!is_ident_char(s[k]) && !strchr("./-~", s[k]))
                return fail(ps, (int32_t)k, "character '%c' is not allowed in a quoted identifier",
                            s[k]);
        if (j == ps->i + 1)
            return fail(ps, t->pos, "empty quoted identifier");
        t->kind = T_QIDENT;
        t->p = s + ps->i + 1;
        t->n = j - ps->i - 1;
        ps->i = j + 1;
        return true;
    }
    if (is_digit(c) || (c == '.' && ps->i + 1 < ps->len && is_digit(s[ps->i + 1]))) {
        size_t j = ps->i;
        if (c == '0' && j + 1 < ps->len && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
            j += 2;
            size_t d0 = j;
            while (j < ps->len && isxdigit((unsigned char)s[j]))
                j++;
            if (j == d0)
                return fail(ps, t->pos, "hexadecimal literal without digits");
            t->kind = T_INT;
        } else {
            bool dbl = false;
            while (j < ps->len && is_digit(s[j]))
                j++;
            if (j + 1 < ps->len && s[j] == '.' && is_digit(s[j + 1])) {
                dbl = true;
                j++;
                while (j < ps->len && is_digit(s[j]))
                    j++;
            }
            if (j < ps->len && (s[j] == 'e' || s[j] == 'E')) {
                size_t k = j + 1;
                if (k < ps->len && (s[k] == '+' || s[k] == '-'))
                    k++;
                if (k < ps->len && is_digit(s[k])) {
                    dbl = true;
                    j = k;
                    while (j < ps->len && is_digit(s[j]))
                        j++;
                }
            }
            t->kind = dbl ? T_DOUBLE : T_INT;
        }
        if (t->kind == T_INT && j < ps->len && (s[j] == 'u' || s[j] == 'U')) {
            t->kind = T_UINT;
            j++;
        }
        if (j < ps->len && is_ident_char(s[j]))
            return fail(ps, (int32_t)j, "unexpected character '%c' after a number", s[j]);
        ps->i = j;
        t->n = j - start;
        return true;
    }
    static const char *const two[] = {"&&", "||", "==", "!=", "<=", ">=", NULL};
    for (int k = 0; two[k]; k++) {
        if (ps->i + 1 < ps->len && s[ps->i] == two[k][0] && s[ps->i + 1] == two[k][1]) {
            t->kind = T_PUNCT;
            memcpy(t->op, two[k], 2);
            ps->i += 2;
            t->n = 2;
            return true;
        }
    }
    if (strchr("+-*/%!<>?:.,()[]{}", c) && c) {
        t->kind = T_PUNCT;
        t->op[0] = c;
        ps->i++;
        t->n = 1;
        return true;
    }
    if ((unsigned char)c >= 0x80)
        return fail(ps, t->pos, "unexpected character outside a string literal");
    return fail(ps, t->pos, "unexpected character '%c'", c);
}

static bool is_op(const struct parser *ps, const char *op) {
    return ps->t.kind == T_PUNCT && strcmp(ps->t.op, op) == 0;
}
static bool is_word(const struct parser *ps, const char *w) {
    return ps->t.kind == T_IDENT && ps->t.n == strlen(w) && memcmp(ps->t.p, w, ps->t.n) == 0;
}
static bool expect(struct parser *ps, const char *op) {
    if (!is_op(ps, op)) {
        if (ps->t.kind == T_EOF)
            return fail(ps, ps->t.pos, "expected '%s' but the expression ended", op);
        return fail(ps, ps->t.pos, "expected '%s' but found '%.*s'", op, (int)ps->t.n, ps->t.p);
    }
    return next(ps);
}

static const char *const reserved[] = {
    "as",  "break", "const",   "continue",  "else",   "for", "function", "if",    "import",
    "let", "loop",  "package", "namespace", "return", "var", "void",     "while", NULL};
static bool is_reserved(const char *p, size_t n) {
    for (int k = 0; reserved[k]; k++)
        if (strlen(reserved[k]) == n && memcmp(reserved[k], p, n) == 0)
            return true;
    return false;
}

/* ---- literal decoding ------------------------------------------------------------------- */

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t utf8_put(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode the literal token into a string or bytes value. */
static bool decode_quoted(struct parser *ps, cel_value *out) {
    const struct tok *t = &ps->t;
    const char *p = t->p, *end = t->p + t->n;
    bool raw = false, bytes = t->kind == T_BYTES;
    while (*p != '"' && *p != '\'') {
        if (*p == 'r' || *p == 'R')
            raw = true;
        p++;
    }
    char q = *p;
    size_t qn = (p + 2 < end && p[1] == q && p[2] == q && end - p >= 6) ? 3 : 1;
    p += qn;
    end -= qn;
    char *buf = cel_arena_alloc(ps->a, (size_t)(end - p) + 1);
    if (!buf)
        return fail(ps, t->pos, "expression too large");
    size_t o = 0;
    while (p < end) {
        if (*p != '\\' || raw) {
            buf[o++] = *p++;
            continue;
        }
        int32_t epos = (int32_t)(p - ps->src);
        p++;
        char e = *p++;
        switch (e) {
        case 'a':
            buf[o++] = '\a';
            break;
        case 'b':
            buf[o++] = '\b';
            break;
        case 'f':
            buf[o++] = '\f';
            break;
        case 'n':
            buf[o++] = '\n';
            break;
        case 'r':
            buf[o++] = '\r';
            break;
        case 't':
            buf[o++] = '\t';
            break;
        case 'v':
            buf[o++] = '\v';
            break;
        case '\\':
        case '\'':
        case '"':
        case '`':
        case '?':
            buf[o++] = e;
            break;
        case 'x':
        case 'X': {
            int h1 = p < end ? hexval(p[0]) : -1, h2 = p + 1 < end ? hexval(p[1]) : -1;
            if (h1 < 0 || h2 < 0)
                return fail(ps, epos, "\\x needs two hexadecimal digits");
            p += 2;
            if (bytes)
                buf[o++] = (char)(h1 * 16 + h2);
            else
                o += utf8_put(buf + o, (uint32_t)(h1 * 16 + h2));
            break;
        }
        case 'u':
        case 'U': {
            int nd = e == 'u' ? 4 : 8;
            uint32_t cp = 0;
            for (int k = 0; k < nd; k++) {
                int h = p + k < end ? hexval(p[k]) : -1;
                if (h < 0)
                    return fail(ps, epos, "\\%c needs %d hexadecimal digits", e, nd);
                cp = cp * 16 + (uint32_t)h;
            }
            p += nd;
            if (bytes)
                return fail(ps, epos, "\\%c is not allowed in a bytes literal", e);
            if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                return fail(ps, epos, "\\%c escape is not a valid code point", e);
            o += utf8_put(buf + o, cp);
            break;
        }
        case '0':
        case '1':
        case '2':
        case '3': {
            int v = e - '0';
            for (int k = 0; k < 2; k++) {
                if (p >= end || *p < '0' || *p > '7')
                    return fail(ps, epos, "octal escape needs three digits");
                v = v * 8 + (*p++ - '0');
            }
            if (bytes)
                buf[o++] = (char)v;
            else
                o += utf8_put(buf + o, (uint32_t)v);
            break;
        }
        default:
            return fail(ps, epos, "invalid escape sequence '\\%c'", e);
        }
    }
    if (!bytes && !dw_utf8_valid(buf, o, NULL))
        return fail(ps, t->pos, "string literal is not valid UTF-8");
    *out = bytes ? cel_bytes(ps->a, buf, o) : cel_string(ps->a, buf, o);
    if (out->kind == CEL_ERROR)
        return fail(ps, t->pos, "expression too large");
    return true;
}

/* ---- nodes ------------------------------------------------------------------------------- */

static struct cel_node *node(struct parser *ps, enum cel_op op, int32_t pos) {
    struct cel_node *n = cel_arena_alloc(ps->a, sizeof(*n));
    if (!n) {
        fail(ps, pos, "expression too large");
        return NULL;
    }
    n->op = op;
    n->pos = pos;
    n->slot = -1;
    return n;
}

static char *dup_name(struct parser *ps, const char *p, size_t n) {
    char *s = cel_arena_alloc(ps->a, n + 1);
    if (s)
        memcpy(s, p, n);
    return s;
}

static struct cel_node *call(struct parser *ps, int32_t pos, const char *fn, struct cel_node **args,
                             int nargs, bool receiver) {
    struct cel_node *n = node(ps, N_CALL, pos);
    if (!n)
        return NULL;
    n->name = dup_name(ps, fn, strlen(fn));
    n->name_len = strlen(fn);
    n->receiver = receiver;
    n->args = cel_arena_alloc(ps->a, sizeof(*n->args) * (size_t)(nargs ? nargs : 1));
    if (!n->name || !n->args) {
        fail(ps, pos, "expression too large");
        return NULL;
    }
    for (int k = 0; k < nargs; k++)
        n->args[k] = args[k];
    n->nargs = nargs;
    return n;
}

/* A growable list of nodes in the arena. */
struct nodes {
    struct cel_node **v;
    int n, cap;
};
static bool push(struct parser *ps, struct nodes *l, struct cel_node *x) {
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        struct cel_node **v = cel_arena_alloc(ps->a, sizeof(*v) * (size_t)cap);
        if (!v)
            return fail(ps, x ? x->pos : 0, "expression too large");
        if (l->n)
            memcpy(v, l->v, sizeof(*v) * (size_t)l->n);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return true;
}

static struct cel_node *parse_expr(struct parser *ps);

static bool enter(struct parser *ps) {
    if (++ps->depth > ps->max_depth)
        return fail(ps, ps->t.pos, "expression nested more than %d levels deep", ps->max_depth);
    return true;
}

/* "(" already consumed; parses up to and including ")" or "]". */
static bool parse_args(struct parser *ps, struct nodes *out, const char *close, bool trailing) {
    if (is_op(ps, close))
        return next(ps);
    for (;;) {
        struct cel_node *e = parse_expr(ps);
        if (!e || !push(ps, out, e))
            return false;
        if (is_op(ps, ",")) {
            if (!next(ps))
                return false;
            if (trailing && is_op(ps, close))
                return next(ps);
            continue;
        }
        return expect(ps, close);
    }
}

/* ---- macros ------------------------------------------------------------------------------ */

static const char *simple_name(struct parser *ps, struct cel_node *e) {
    if (e->op != N_IDENT || !e->name) {
        fail(ps, e->pos, "the iteration variable must be a simple name");
        return NULL;
    }
    return e->name;
}

/* Expands a macro call or returns the plain call. */
static struct cel_node *macro_or_call(struct parser *ps, int32_t pos, const char *fn, size_t fnlen,
                                      struct cel_node *target, struct nodes *args) {
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(fnlen < 63 ? fnlen : 63), fn);
    if (!(ps->flags & CEL_NO_MACROS)) {
        if (!target && strcmp(name, "has") == 0 && args->n == 1) {
            struct cel_node *s = args->v[0];
            if (s->op != N_SELECT)
                return fail(ps, s->pos, "has() needs a field selection such as has(m.f)"), NULL;
            s->op = N_HAS;
            return s;
        }
        if (target) {
            static const struct {
                const char *name;
                int nvars, nargs1, nargs2; /* variables, allowed argument counts */
                enum cel_comp comp;
            } macros[] = {
                {"all", 1, 2, 2, COMP_ALL},
                {"exists", 1, 2, 2, COMP_EXISTS},
                {"exists_one", 1, 2, 2, COMP_EXISTS_ONE},
                {"existsOne", 1, 2, 2, COMP_EXISTS_ONE},
                {"map", 1, 2, 3, COMP_MAP},
                {"filter", 1, 2, 2, COMP_FILTER},
                {"all", 2, 3, 3, COMP_ALL},
                {"exists", 2, 3, 3, COMP_EXISTS},
                {"exists_one", 2, 3, 3, COMP_EXISTS_ONE},
                {"existsOne", 2, 3, 3, COMP_EXISTS_ONE},
                {"transformList", 2, 3, 4, COMP_TLIST},
                {"transformMap", 2, 3, 4, COMP_TMAP},
                {"transformMapEntry", 2, 3, 4, COMP_TMAP_ENTRY},
            };
            for (size_t k = 0; k < DW_ARRAY_SIZE(macros); k++) {
                if (strcmp(macros[k].name, name) != 0 ||
                    (args->n != macros[k].nargs1 && args->n != macros[k].nargs2))
                    continue;
                int nv = macros[k].nvars;
                struct cel_node *n = node(ps, N_COMP, pos);
                if (!n)
                    return NULL;
                n->comp = (uint8_t)macros[k].comp;
                n->v1 = simple_name(ps, args->v[0]);
                if (!n->v1)
                    return NULL;
                if (nv == 2) {
                    n->v2 = simple_name(ps, args->v[1]);
                    if (!n->v2)
                        return NULL;
                    if (strcmp(n->v1, n->v2) == 0)
                        return fail(ps, args->v[1]->pos,
                                    "the two iteration variables must "
                                    "have different names"),
                               NULL;
                }
                int rest = args->n - nv;
                n->args = cel_arena_alloc(ps->a, sizeof(*n->args) * 3);
                if (!n->args)
                    return fail(ps, pos, "expression too large"), NULL;
                n->args[0] = target;
                for (int r = 0; r < rest; r++)
                    n->args[1 + r] = args->v[nv + r];
                n->nargs = 1 + rest;
                n->name = dup_name(ps, name, strlen(name));
                return n;
            }
        }
    }
    struct nodes all = {0};
    if (target && !push(ps, &all, target))
        return NULL;
    for (int k = 0; k < args->n; k++)
        if (!push(ps, &all, args->v[k]))
            return NULL;
    return call(ps, pos, name, all.v, all.n, target != NULL);
}

/* ---- grammar ------------------------------------------------------------------------------ */

static struct cel_node *parse_primary(struct parser *ps) {
    struct tok t = ps->t;
    struct cel_node *n;
    switch (t.kind) {
    case T_INT:
    case T_UINT: {
        n = node(ps, N_CONST, t.pos);
        if (!n)
            return NULL;
        char buf[64];
        size_t len = t.n - (t.kind == T_UINT);
        if (len >= sizeof(buf))
            return fail(ps, t.pos, "integer literal out of range"), NULL;
        memcpy(buf, t.p, len);
        buf[len] = 0;
        errno = 0;
        bool hex = len > 2 && (buf[1] == 'x' || buf[1] == 'X');
        unsigned long long v = strtoull(hex ? buf + 2 : buf, NULL, hex ? 16 : 10);
        if (errno == ERANGE)
            return fail(ps, t.pos, "integer literal out of range"), NULL;
        if (t.kind == T_UINT) {
            n->c = cel_uint(v);
        } else {
            if (v > (unsigned long long)INT64_MAX) {
                /* only valid as the operand of unary minus: -9223372036854775808 */
                n->c = cel_uint(v);
                n->c.nsec = 1; /* marks "int literal too large unless negated" */
            } else {
                n->c = cel_int((int64_t)v);
            }
        }
        return next(ps) ? n : NULL;
    }
    case T_DOUBLE: {
        n = node(ps, N_CONST, t.pos);
        if (!n)
            return NULL;
        char buf[400];
        if (t.n >= sizeof(buf))
            return fail(ps, t.pos, "number literal too long"), NULL;
        memcpy(buf, t.p, t.n);
        buf[t.n] = 0;
        n->c = cel_double(strtod(buf, NULL));
        return next(ps) ? n : NULL;
    }
    case T_STRING:
    case T_BYTES:
        n = node(ps, N_CONST, t.pos);
        if (!n || !decode_quoted(ps, &n->c))
            return NULL;
        return next(ps) ? n : NULL;
    case T_IDENT:
    case T_PUNCT:
        break;
    case T_EOF:
        fail(ps, t.pos, "the expression ends where a value is expected");
        return NULL;
    default:
        fail(ps, t.pos, "unexpected '%.*s'", (int)t.n, t.p);
        return NULL;
    }
    if (t.kind == T_IDENT) {
        if (is_word(ps, "true") || is_word(ps, "false") || is_word(ps, "null")) {
            n = node(ps, N_CONST, t.pos);
            if (!n)
                return NULL;
            n->c = t.p[0] == 'n' ? cel_null() : cel_bool(t.p[0] == 't');
            return next(ps) ? n : NULL;
        }
        if (is_word(ps, "in"))
            return fail(ps, t.pos, "'in' is an operator, not a name"), NULL;
        if (is_reserved(t.p, t.n))
            return fail(ps, t.pos, "'%.*s' is a reserved word", (int)t.n, t.p), NULL;
        if (!next(ps))
            return NULL;
        if (is_op(ps, "(")) {
            if (!next(ps))
                return NULL;
            struct nodes args = {0};
            if (!parse_args(ps, &args, ")", false))
                return NULL;
            return macro_or_call(ps, t.pos, t.p, t.n, NULL, &args);
        }
        if (is_op(ps, "{"))
            return fail(ps, ps->t.pos,
                        "message construction '%.*s{...}' needs protobuf "
                        "message types, which are not supported",
                        (int)t.n, t.p),
                   NULL;
        n = node(ps, N_IDENT, t.pos);
        if (!n)
            return NULL;
        n->name = dup_name(ps, t.p, t.n);
        n->name_len = t.n;
        return n->name ? n : (fail(ps, t.pos, "expression too large"), NULL);
    }
    if (is_op(ps, ".")) { /* a name from the root namespace: .a.b */
        if (!next(ps))
            return NULL;
        if (ps->t.kind != T_IDENT)
            return fail(ps, ps->t.pos, "expected a name after '.'"), NULL;
        struct cel_node *id = parse_primary(ps);
        if (!id)
            return NULL;
        if (id->op == N_IDENT) {
            char *nm = cel_arena_alloc(ps->a, id->name_len + 2);
            if (!nm)
                return fail(ps, t.pos, "expression too large"), NULL;
            nm[0] = '.';
            memcpy(nm + 1, id->name, id->name_len);
            id->name = nm;
            id->name_len++;
        } else if (id->op == N_CALL && !id->receiver) {
            /* .f(x) is f(x) from the root namespace */
        } else {
            return fail(ps, t.pos, "expected a name after '.'"), NULL;
        }
        id->pos = t.pos;
        return id;
    }
    if (is_op(ps, "(")) {
        if (!next(ps))
            return NULL;
        n = parse_expr(ps);
        if (!n || !expect(ps, ")"))
            return NULL;
        return n;
    }
    if (is_op(ps, "[")) {
        if (!next(ps))
            return NULL;
        n = node(ps, N_LIST, t.pos);
        struct nodes items = {0};
        if (!n || !parse_args(ps, &items, "]", true))
            return NULL;
        n->args = items.v;
        n->nargs = items.n;
        return n;
    }
    if (is_op(ps, "{")) {
        if (!next(ps))
            return NULL;
        n = node(ps, N_MAP, t.pos);
        struct nodes kv = {0};
        if (!n)
            return NULL;
        while (!is_op(ps, "}")) {
            struct cel_node *k = parse_expr(ps);
            if (!k || !expect(ps, ":"))
                return NULL;
            struct cel_node *v = parse_expr(ps);
            if (!v || !push(ps, &kv, k) || !push(ps, &kv, v))
                return NULL;
            if (is_op(ps, ",")) {
                if (!next(ps))
                    return NULL;
                continue;
            }
            if (!is_op(ps, "}"))
                return fail(ps, ps->t.pos, "expected ',' or '}' in a map literal"), NULL;
        }
        if (!next(ps))
            return NULL;
        n->args = kv.v;
        n->nargs = kv.n;
        return n;
    }
    if (t.kind == T_PUNCT)
        fail(ps, t.pos, "unexpected '%s'", t.op);
    return NULL;
}

static struct cel_node *parse_member(struct parser *ps) {
    struct cel_node *n = parse_primary(ps);
    int levels = 0;
    while (n) {
        if (is_op(ps, ".")) {
            int32_t dot = ps->t.pos;
            if (!next(ps))
                return NULL;
            struct tok f = ps->t;
            if (f.kind != T_IDENT && f.kind != T_QIDENT)
                return fail(ps, f.pos, "expected a field or method name after '.'"), NULL;
            if (!next(ps))
                return NULL;
            if (++levels > ps->max_depth * 4)
                return fail(ps, f.pos, "selection chain too long"), NULL;
            if (is_op(ps, "(") && f.kind == T_IDENT) {
                if (!next(ps))
                    return NULL;
                struct nodes args = {0};
                if (!parse_args(ps, &args, ")", false))
                    return NULL;
                n = macro_or_call(ps, f.pos, f.p, f.n, n, &args);
                continue;
            }
            struct cel_node *s = node(ps, N_SELECT, dot);
            if (!s)
                return NULL;
            s->args = cel_arena_alloc(ps->a, sizeof(*s->args));
            s->name = dup_name(ps, f.p, f.n);
            if (!s->args || !s->name)
                return fail(ps, f.pos, "expression too large"), NULL;
            s->name_len = f.n;
            s->args[0] = n;
            s->nargs = 1;
            s->pos = f.pos;
            cel_value k = cel_string(ps->a, f.p, f.n);
            if (k.kind == CEL_ERROR)
                return fail(ps, f.pos, "expression too large"), NULL;
            s->key = (struct cel_str *)k.s;
            n = s;
        } else if (is_op(ps, "[")) {
            int32_t pos = ps->t.pos;
            if (!next(ps))
                return NULL;
            struct cel_node *idx = parse_expr(ps);
            if (!idx || !expect(ps, "]"))
                return NULL;
            struct cel_node *args[2] = {n, idx};
            n = call(ps, pos, "_[_]", args, 2, false);
        } else {
            break;
        }
    }
    return n;
}

static struct cel_node *parse_unary(struct parser *ps, bool negated) {
    if (is_op(ps, "!") || is_op(ps, "-")) {
        struct tok t = ps->t;
        if (!next(ps) || !enter(ps))
            return NULL;
        struct cel_node *e = parse_unary(ps, t.op[0] == '-');
        if (!e)
            return NULL;
        ps->depth--;
        if (t.op[0] == '-' && e->op == N_CONST && !(e->c.kind == CEL_UINT && !e->c.nsec)) {
            /* fold negative number literals, so -9223372036854775808 is an int */
            if (e->c.kind == CEL_UINT && e->c.nsec && e->c.u == (uint64_t)INT64_MAX + 1) {
                e->c = cel_int(INT64_MIN);
                e->pos = t.pos;
                return e;
            }
            if (e->c.kind == CEL_INT && e->c.i != INT64_MIN && e->pos == t.pos + 1) {
                e->c.i = -e->c.i;
                e->pos = t.pos;
                return e;
            }
            if (e->c.kind == CEL_DOUBLE && e->pos == t.pos + 1) {
                e->c.d = -e->c.d;
                e->pos = t.pos;
                return e;
            }
        }
        if (e->op == N_CONST && e->c.kind == CEL_UINT && e->c.nsec)
            return fail(ps, e->pos, "integer literal out of range"), NULL;
        struct cel_node *args[1] = {e};
        return call(ps, t.pos, t.op[0] == '!' ? "!_" : "-_", args, 1, false);
    }
    struct cel_node *n = parse_member(ps);
    if (n && !negated && n->op == N_CONST && n->c.kind == CEL_UINT && n->c.nsec)
        return fail(ps, n->pos, "integer literal out of range"), NULL;
    return n;
}

static struct cel_node *parse_binary(struct parser *ps, int level) {
    static const char *const ops[][7] = {
        {"<", "<=", ">=", ">", "==", "!=", "in"},
        {"+", "-", NULL},
        {"*", "/", "%", NULL},
    };
    static const char *const fns[][7] = {
        {"_<_", "_<=_", "_>=_", "_>_", "_==_", "_!=_", "@in"},
        {"_+_", "_-_", NULL},
        {"_*_", "_/_", "_%_", NULL},
    };
    if (level == 3)
        return parse_unary(ps, false);
    struct cel_node *l = parse_binary(ps, level + 1);
    int chain = 0;
    while (l) {
        int k;
        for (k = 0; k < 7 && ops[level][k]; k++) {
            if (strcmp(ops[level][k], "in") == 0 ? is_word(ps, "in") : is_op(ps, ops[level][k]))
                break;
        }
        if (k == 7 || !ops[level][k])
            break;
        int32_t pos = ps->t.pos;
        if (!next(ps))
            return NULL;
        if (++chain > ps->max_depth * 4)
            return fail(ps, pos, "too many operators in a row"), NULL;
        struct cel_node *r = parse_binary(ps, level + 1);
        if (!r)
            return NULL;
        struct cel_node *args[2] = {l, r};
        l = call(ps, pos, fns[level][k], args, 2, false);
    }
    return l;
}

static struct cel_node *parse_logic(struct parser *ps, bool is_and) {
    struct cel_node *first = is_and ? parse_binary(ps, 0) : parse_logic(ps, true);
    if (!first || !is_op(ps, is_and ? "&&" : "||"))
        return first;
    struct cel_node *n = node(ps, is_and ? N_AND : N_OR, ps->t.pos);
    struct nodes l = {0};
    if (!n || !push(ps, &l, first))
        return NULL;
    while (is_op(ps, is_and ? "&&" : "||")) {
        if (!next(ps))
            return NULL;
        struct cel_node *e = is_and ? parse_binary(ps, 0) : parse_logic(ps, true);
        if (!e || !push(ps, &l, e))
            return NULL;
        if (l.n > ps->max_depth * 64)
            return fail(ps, e->pos, "too many clauses in a row"), NULL;
    }
    n->args = l.v;
    n->nargs = l.n;
    return n;
}

static struct cel_node *parse_expr(struct parser *ps) {
    if (!enter(ps))
        return NULL;
    struct cel_node *c = parse_logic(ps, false);
    if (c && is_op(ps, "?")) {
        int32_t pos = ps->t.pos;
        if (!next(ps))
            return NULL;
        struct cel_node *a = parse_logic(ps, false);
        if (!a || !expect(ps, ":"))
            return NULL;
        struct cel_node *b = parse_expr(ps);
        if (!b)
            return NULL;
        struct cel_node *n = node(ps, N_COND, pos);
        if (!n)
            return NULL;
        n->args = cel_arena_alloc(ps->a, sizeof(*n->args) * 3);
        if (!n->args)
            return fail(ps, pos, "expression too large"), NULL;
        n->args[0] = c;
        n->args[1] = a;
        n->args[2] = b;
        n->nargs = 3;
        c = n;
    }
    ps->depth--;
    return c;
}

struct cel_node *cel_parse(const char *src, size_t len, unsigned flags, int max_depth,
                           struct cel_arena *a, struct dw_error *err);
struct cel_node *cel_parse(const char *src, size_t len, unsigned flags, int max_depth,
                           struct cel_arena *a, struct dw_error *err) {
    struct parser ps = {
        .src = src, .len = len, .a = a, .err = err, .max_depth = max_depth, .flags = flags};
    size_t bad;
    if (!dw_utf8_valid(src, len, &bad)) {
        fail(&ps, (int32_t)bad, "the expression is not valid UTF-8");
        return NULL;
    }
    if (!next(&ps))
        return NULL;
    if (ps.t.kind == T_EOF) {
        fail(&ps, 0, "empty expression");
        return NULL;
    }
    struct cel_node *root = parse_expr(&ps);
    if (root && ps.t.kind != T_EOF) {
        fail(&ps, ps.t.pos, "unexpected '%.*s' after the end of the expression", (int)ps.t.n,
             ps.t.p);
        return NULL;
    }
    return ps.failed ? NULL : root;
}

/* Mustache templates (the rules layer): the proposal and customer-reply templates of a
 * workspace are Mustache, rendered against a JSON view built by the agents.
 *
 * Conforms to the core Mustache spec (comments, delimiters, interpolation, inverted,
 * partials, sections; see tests/conformance/mustache). Lambdas, inheritance and dynamic
 * names (the optional "~" modules) are not supported.
 *
 * Thread-safety: reentrant, no shared state. Limits: output size, section/partial
 * nesting depth and rendering steps are set in struct dw_mustache_opts; a template or partial is at
 * most 16 MiB. Passing a limit is an error (-DW_ETOOBIG), never a crash.
 */
#ifndef DW_MUSTACHE_H
#define DW_MUSTACHE_H

#include "base/base.h"

/* What {{name}} escapes for: the output format of the template. {{{name}}} and {{&name}}
 * never escape (trusted text the engine produced). */
enum dw_mustache_escape {
    DW_MUSTACHE_HTML = 0, /* & < > " ' as entities (the spec's escaping; the default) */
    DW_MUSTACHE_MARKDOWN, /* Markdown and HTML punctuation backslash-escaped, line breaks as
                           * spaces: a value renders as literal text (no link, emphasis,
                           * heading, list, table cell break or autolink) */
};

struct dw_mustache_opts {
    const json_t *partials;         /* object: partial name -> template string; may be NULL */
    enum dw_mustache_escape escape; /* for {{name}}, in the template and its partials */
    size_t max_output;              /* bytes; 0 = 16 MiB */
    int max_depth;                  /* section + partial nesting; 0 = 64 */
    uint64_t max_steps; /* nodes visited + section passes while rendering; 0 = 2,000,000 */
};

/* Render tmpl[0..len) with `data` as the root context. On success *ret_out is a
 * NUL-terminated string the caller frees. On a syntax error err carries line and column
 * (1-based) of the offending tag, err->file is left empty for the caller to fill. */
int dw_mustache_render(const char *tmpl, size_t len, const json_t *data,
                       const struct dw_mustache_opts *opts, char **ret_out, struct dw_error *err);

/* A template parsed once and rendered many times (the workspace's templates, kept with its
 * snapshot): dw_mustache_render_tmpl(t, ...) gives what dw_mustache_render(text, ...) gives.
 * The text is not copied and must outlive t. A compiled template is read-only: one may be
 * rendered by many threads at once. */
struct dw_mustache_tmpl;
int dw_mustache_compile(const char *tmpl, size_t len, struct dw_mustache_tmpl **ret,
                        struct dw_error *err);
void dw_mustache_tmpl_free(struct dw_mustache_tmpl *t);
int dw_mustache_render_tmpl(const struct dw_mustache_tmpl *t, const json_t *data,
                            const struct dw_mustache_opts *opts, char **ret_out,
                            struct dw_error *err);

/* Parse only, to report syntax errors at validate time (unclosed or mismatched sections,
 * bad delimiters, empty tags) with their line:col. */
int dw_mustache_check(const char *tmpl, size_t len, struct dw_error *err);

/* Append s[0..n) to b escaped as {{name}} escapes it in mode `mode`. 0 or a negative DW_E*
 * (the buffer's limit). */
int dw_mustache_escape(struct dw_buf *b, enum dw_mustache_escape mode, const char *s, size_t n);

#endif

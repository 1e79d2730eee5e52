/* The e-mail channel's internals (include/dealwright/mail.h is the public half): GMime set
 * up once, HTML made readable text, Markdown made plain text and HTML, and a message
 * composed from its parts. Pure functions: no store, no clock, no network. */
#ifndef DW_CHANNELS_MAIL_H
#define DW_CHANNELS_MAIL_H

#include <stddef.h>

#include "base/base.h"
#include <dealwright/mail.h>

/* g_mime_init(), once per process; safe from any thread. */
void dw__mail_init(void);

/* Readable text from HTML (libxml2's forgiving parser): scripts, styles and the head
 * dropped, blocks and line breaks kept as lines, list items as "- ", entities decoded,
 * whitespace collapsed. At most `limit` bytes (cut at a line). A new string, NULL when out of
 * memory. */
char *dw__html_to_text(const char *html, size_t len, size_t limit);

/* Markdown (a proposal, a reply) as HTML, raw HTML in the source escaped rather than
 * passed on (md4c, GitHub dialect). A new string. */
char *dw__markdown_html(const char *md, size_t len);
/* Markdown as a plain-text mail body: emphasis marks, backslash escapes and hard-break
 * backslashes removed; tables and lists kept as written. A new string. */
char *dw__markdown_text(const char *md);

struct dw__mail_attachment {
    const char *name;   /* file name */
    const char *type;   /* "application/pdf" */
    const char *method; /* text/calendar's method parameter (REQUEST, CANCEL); NULL: none */
    const void *data;
    size_t len;
};

struct dw__mail_out {
    const char *from_name, *from_addr;
    const char *to_name, *to_addr;
    const char *subject;
    const char *message_id;  /* without the angle brackets */
    const char *in_reply_to; /* NULL: none */
    const char *const *references;
    size_t n_references;
    const char *text; /* text/plain body, UTF-8 */
    const char *html; /* NULL: text only */
    dw_time_t date;
    const struct dw__mail_attachment *att;
    size_t n_att;
};

/* The RFC 5322 message (MIME, CRLF lines) in *ret (malloc'd, NUL-terminated), its length
 * in *ret_len. */
int dw__mail_compose(const struct dw__mail_out *m, char **ret, size_t *ret_len,
                     struct dw_error *err);

#endif

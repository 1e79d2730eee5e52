/* Text in and out of mail bodies: HTML-only mail read as text (libxml2's HTML parser, which
 * copes with the broken markup mail programs write), and a deal's Markdown as the plain-text
 * and HTML alternatives of an outgoing message (md4c). */
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <md4c-html.h>

#include "channels/mail.h"

#define HTML_DEPTH_MAX 200

struct html_out {
    struct dw_buf b;
    bool space;   /* a blank is pending before the next word */
    int newlines; /* newlines at the end of the output (0-2) */
    bool pre;
};

static bool is_elem(const xmlNode *n, const char *name) {
    return n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

static void out_newlines(struct html_out *o, int want) {
    if (o->b.len == 0)
        return;
    while (o->newlines < want && dw_buf_putc(&o->b, '\n') == 0)
        o->newlines++;
    o->space = false;
}

static void out_text(struct html_out *o, const char *s) {
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
        /* U+00A0 no-break space as a blank */
        if (c == 0xC2 && (unsigned char)p[1] == 0xA0) {
            blank = true;
            p++;
        }
        if (o->pre) {
            if (c == '\r')
                continue;
            dw_buf_putc(&o->b, blank && c != '\n' ? ' ' : (char)c);
            o->newlines = c == '\n' ? o->newlines + 1 : 0;
            continue;
        }
        if (blank) {
            o->space = o->b.len > 0 && o->newlines == 0;
            continue;
        }
        if (o->space)
            dw_buf_putc(&o->b, ' ');
        o->space = false;
        dw_buf_putc(&o->b, (char)c);
        o->newlines = 0;
    }
}

static const char *const blocks[] = {
    "p",  "div",   "h1", "h2",         "h3",      "h4",      "h5",     "h6",     "ul",
    "ol", "table", "tr", "blockquote", "section", "article", "header", "footer", "address",
    "hr", "dl",    "dt", "dd",         "form",    "center",  "main"};
static const char *const dropped[] = {"script",   "style",  "head",   "title", "noscript",
                                      "template", "object", "iframe", "svg"};

static void walk_html(struct html_out *o, const xmlNode *n, int depth) {
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                out_text(o, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || depth > HTML_DEPTH_MAX)
            continue;
        bool drop = false, block = false;
        for (size_t i = 0; i < DW_ARRAY_SIZE(dropped); i++)
            drop |= is_elem(n, dropped[i]);
        if (drop)
            continue;
        for (size_t i = 0; i < DW_ARRAY_SIZE(blocks); i++)
            block |= is_elem(n, blocks[i]);
        bool para = is_elem(n, "p") ||
                    (n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' && !n->name[2]);
        if (is_elem(n, "br")) {
            out_newlines(o, o->newlines + 1);
            continue;
        }
        if (is_elem(n, "pre")) {
            out_newlines(o, 2);
            o->pre = true;
            walk_html(o, n->children, depth + 1);
            o->pre = false;
            out_newlines(o, 2);
            continue;
        }
        if (is_elem(n, "li")) {
            out_newlines(o, 1);
            dw_buf_puts(&o->b, "- ");
            o->newlines = 0;
            o->space = false;
        } else if (is_elem(n, "td") || is_elem(n, "th")) {
            if (o->newlines == 0 && o->b.len > 0)
                dw_buf_puts(&o->b, " | ");
            o->space = false;
        } else if (block) {
            out_newlines(o, para ? 2 : 1);
        }
        walk_html(o, n->children, depth + 1);
        if (block)
            out_newlines(
                o, para || is_elem(n, "table") || is_elem(n, "ul") || is_elem(n, "ol") ? 2 : 1);
    }
}

char *dw__html_to_text(const char *html, size_t len, size_t limit) {
    struct html_out o = {.newlines = 2};
    dw_buf_init(&o.b, limit);
    htmlDocPtr doc = htmlReadMemory(
        html, (int)(len > (size_t)INT32_MAX ? INT32_MAX : len), NULL, "UTF-8",
        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (doc) {
        walk_html(&o, xmlDocGetRootElement(doc), 0);
        xmlFreeDoc(doc);
    }
    /* trailing blank lines */
    while (o.b.len > 0 && (o.b.data[o.b.len - 1] == '\n' || o.b.data[o.b.len - 1] == ' '))
        o.b.len--;
    if (o.b.data)
        o.b.data[o.b.len] = '\0';
    char *s = dw_buf_steal(&o.b);
    return s ? s : strdup("");
}

/* ---- Markdown out ------------------------------------------------------------------- */

static void md_out(const MD_CHAR *text, MD_SIZE size, void *user) {
    dw_buf_append(user, text, size);
}

char *dw__markdown_html(const char *md, size_t len) {
    struct dw_buf b;
    dw_buf_init(&b, 16u << 20);
    dw_buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
    md_html(md, (MD_SIZE)len, md_out, &b, MD_DIALECT_GITHUB | MD_FLAG_NOHTML, 0);
    dw_buf_puts(&b, "</body></html>\n");
    return dw_buf_steal(&b);
}

char *dw__markdown_text(const char *md) {
    struct dw_buf b;
    dw_buf_init(&b, 16u << 20);
    for (const char *p = md; *p; p++) {
        if (p[0] == '\\' && p[1] == '\n')
            continue; /* a hard line break: the newline stays */
        if (p[0] == '\\' && p[1] && strchr("\\`*_{}[]()#+-.!|<>~", p[1])) {
            dw_buf_putc(&b, *++p);
            continue;
        }
        if (p[0] == '*' && p[1] == '*') {
            p++;
            continue;
        }
        dw_buf_putc(&b, *p);
    }
    char *s = dw_buf_steal(&b);
    return s ? s : strdup("");
}

/* channels/pdf — the proposal as a PDF a customer can file, print and sign.
 *
 * Laid out with pango (text shaping, line breaking, any script the fonts cover) onto cairo's
 * PDF surface, from the proposal's Markdown — every section and sentence the company's
 * template wrote, in its order and language — with the letterhead from the workspace and
 * the quote's lines and totals from the stored quote (document.h describes the data): a
 * table row is a unit that moves whole to the next page, a table continued there repeats
 * its header, a citation becomes a footnote at the foot of the page where it is first cited,
 * and every page says "Page N of M" in the document's language.
 *
 * The layout runs twice over the same data: once to count the pages (nothing drawn), then
 * to draw with the count known. Both runs take the same decisions, since they measure with
 * the same pango context. Every text is set with pango_layout_set_text, or escaped into the
 * markup this file writes (md_put) — so a customer's name or company is text whatever
 * characters it holds. Money is written by
 * dw_lang_money from integer minor units, so what the PDF shows is the stored quote to the
 * cent.
 */
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <md4c.h>
#include <pango/pangocairo.h>

#include "channels/document.h"
#include "engines/lang.h"

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN_X 56.0
#define MARGIN_TOP 54.0
#define MARGIN_BOTTOM 70.0 /* the footer sits below the content */
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)
#define FONT "DejaVu Sans"
#define FONT_TABLE "DejaVu Sans Condensed" /* a catalog SKU fits its column whole */
#define CELL_PAD 3.5
#define PDF_MAX (32u << 20)
#define FOOTNOTES_MAX 256

struct footnote {
    int ref;
    PangoLayout *layout;
};

struct pdf {
    cairo_t *cr;
    PangoContext *ctx; /* one for every layout: making one per layout costs more than shaping */
    const struct dw_workspace *ws;
    const struct dw_doc_words *w;
    const char *lang;
    const json_t *data;
    bool draw;
    int page, pages;
    double y, bottom;
    struct footnote fns[FOOTNOTES_MAX]; /* on this page */
    int n_fns;
    unsigned char cited[FOOTNOTES_MAX]; /* a ref already has its footnote */
    char footer[256];
    /* the proposal's Markdown, when the data carries it: its body without the footnote
     * definitions, and each definition as pango markup */
    const char *md;
    size_t md_len;
    char *fn_def[FOOTNOTES_MAX];
};

/* ---- text ----------------------------------------------------------------------------- */

static PangoLayout *text_layout(struct pdf *p, const char *text, double size, bool bold,
                                double width, PangoAlignment align, const char *family) {
    PangoLayout *l = pango_layout_new(p->ctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family ? family : FONT);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

/* A layout from pango markup this file made (md_* below): every character of the document's
 * text in it was escaped, so only the tags written here are markup. */
static PangoLayout *markup_layout(struct pdf *p, const char *markup, double size, bool bold,
                                  double width, PangoAlignment align, const char *family) {
    PangoLayout *l = text_layout(p, "", size, bold, width, align, family);
    PangoAttrList *attrs = NULL;
    char *text = NULL;
    if (pango_parse_markup(markup, -1, 0, &attrs, &text, NULL, NULL)) {
        pango_layout_set_text(l, text, -1);
        pango_layout_set_attributes(l, attrs);
        pango_attr_list_unref(attrs);
        g_free(text);
    }
    return l;
}

static double layout_h(PangoLayout *l) {
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void show(struct pdf *p, PangoLayout *l, double x, double y, double gray) {
    if (!p->draw)
        return;
    cairo_set_source_rgb(p->cr, gray, gray, gray);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

static void rule(struct pdf *p, double x0, double x1, double y, double width, double gray) {
    if (!p->draw)
        return;
    cairo_set_source_rgb(p->cr, gray, gray, gray);
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, x0, y);
    cairo_line_to(p->cr, x1, y);
    cairo_stroke(p->cr);
}

/* The bar beside a block quote. */
static void rule_v(struct pdf *p, double x, double y0, double y1) {
    if (!p->draw)
        return;
    cairo_set_source_rgb(p->cr, 0.79, 0.64, 0.15);
    cairo_set_line_width(p->cr, 2.5);
    cairo_move_to(p->cr, x, y0);
    cairo_line_to(p->cr, x, y1);
    cairo_stroke(p->cr);
}

/* ---- pages and footnotes ------------------------------------------------------------- */

static double footnotes_h(const struct pdf *p) {
    double h = 0;
    for (int i = 0; i < p->n_fns; i++)
        h += layout_h(p->fns[i].layout) + 1.5;
    return h ? h + 10 : 0;
}

static void page_end(struct pdf *p) {
    /* footnotes at the foot of the content area, above the footer */
    double fh = footnotes_h(p);
    if (fh) {
        double y = PAGE_H - MARGIN_BOTTOM - fh;
        rule(p, MARGIN_X, MARGIN_X + 120, y + 3, 0.5, 0.5);
        y += 8;
        for (int i = 0; i < p->n_fns; i++) {
            show(p, p->fns[i].layout, MARGIN_X, y, 0.25);
            y += layout_h(p->fns[i].layout) + 1.5;
        }
    }
    for (int i = 0; i < p->n_fns; i++)
        g_object_unref(p->fns[i].layout);
    p->n_fns = 0;
    /* the footer: who sent it, and where in the document this page is */
    char num[96];
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", p->page);
    snprintf(b, sizeof b, "%d", p->pages ? p->pages : p->page);
    dw_doc_fill(num, sizeof num, p->w->page_of, 2, (const char *const[]){a, b});
    double fy = PAGE_H - MARGIN_BOTTOM + 26;
    rule(p, MARGIN_X, PAGE_W - MARGIN_X, fy - 6, 0.5, 0.7);
    PangoLayout *left =
        text_layout(p, p->footer, 7.5, false, CONTENT_W * 0.7, PANGO_ALIGN_LEFT, NULL);
    PangoLayout *right = text_layout(p, num, 7.5, false, CONTENT_W, PANGO_ALIGN_RIGHT, NULL);
    show(p, left, MARGIN_X, fy, 0.35);
    show(p, right, MARGIN_X, fy, 0.35);
    g_object_unref(left);
    g_object_unref(right);
    if (p->draw)
        cairo_show_page(p->cr);
}

static void page_begin(struct pdf *p) {
    p->page++;
    p->y = MARGIN_TOP;
    p->bottom = PAGE_H - MARGIN_BOTTOM;
}

static void page_break(struct pdf *p) {
    page_end(p);
    page_begin(p);
}

/* Room for h points of content (and `extra` of new footnotes) on this page, or a new page. */
static void need(struct pdf *p, double h, double extra) {
    if (p->y + h > p->bottom - extra && p->y > MARGIN_TOP)
        page_break(p);
}

/* The footnotes `refs` (citation numbers) would add to this page: their layouts. */
static const json_t *citation(const struct pdf *p, int ref) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(p->data, "citations"), i, c) {
        if (dw_json_int(c, "ref", -1) == ref)
            return c;
    }
    return NULL;
}

static PangoLayout *footnote_layout(struct pdf *p, int ref) {
    if (p->md) {
        char *m = g_strdup_printf("[%d] %s", ref, p->fn_def[ref] ? p->fn_def[ref] : "");
        PangoLayout *l = markup_layout(p, m, 7.5, false, CONTENT_W, PANGO_ALIGN_LEFT, NULL);
        g_free(m);
        return l;
    }
    const json_t *c = citation(p, ref);
    char text[1024];
    const char *anchor = dw_json_str(c, "anchor");
    snprintf(text, sizeof text, "[%d] %s — %s%s%s", ref,
             dw_json_str(c, "heading") ? dw_json_str(c, "heading") : "",
             dw_json_str(c, "path") ? dw_json_str(c, "path") : "", anchor && *anchor ? "#" : "",
             anchor ? anchor : "");
    return text_layout(p, text, 7.5, false, CONTENT_W, PANGO_ALIGN_LEFT, NULL);
}

static bool ref_new(const struct pdf *p, int ref) {
    return ref > 0 && ref < FOOTNOTES_MAX && !p->cited[ref] &&
           (p->md ? p->fn_def[ref] != NULL : citation(p, ref) != NULL);
}

static void add_footnote(struct pdf *p, int ref) {
    if (!ref_new(p, ref) || p->n_fns >= FOOTNOTES_MAX)
        return;
    p->cited[ref] = 1;
    p->fns[p->n_fns++] = (struct footnote){ref, footnote_layout(p, ref)};
    p->bottom = PAGE_H - MARGIN_BOTTOM - footnotes_h(p);
}

/* ---- blocks -------------------------------------------------------------------------- */

static void paragraph(struct pdf *p, const char *text, double size, bool bold, double gap_after,
                      double gray) {
    PangoLayout *l = text_layout(p, text, size, bold, CONTENT_W, PANGO_ALIGN_LEFT, NULL);
    double h = layout_h(l);
    need(p, h, 0);
    show(p, l, MARGIN_X, p->y, gray);
    p->y += h + gap_after;
    g_object_unref(l);
}

/* A heading stays with what follows it: `keep` more points must fit below it. */
static void heading(struct pdf *p, const char *text, double keep) {
    PangoLayout *l = text_layout(p, text, 12.5, true, CONTENT_W, PANGO_ALIGN_LEFT, NULL);
    double h = layout_h(l);
    p->y += 10;
    need(p, h + 6 + keep, 0);
    show(p, l, MARGIN_X, p->y, 0.1);
    p->y += h + 2;
    rule(p, MARGIN_X, PAGE_W - MARGIN_X, p->y, 0.6, 0.75);
    p->y += 6;
    g_object_unref(l);
}

/* A claim with its citation marker raised, and its footnote on the same page. */
static void claim(struct pdf *p, const char *text, int ref) {
    char buf[2048];
    snprintf(buf, sizeof buf, "•  %s", text ? text : "");
    /* a passage quoted from a knowledge document keeps its source's line breaks: one line
     * of prose here, wrapped by pango */
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    size_t start = strlen(buf);
    char marker[24] = "";
    if (ref > 0)
        snprintf(marker, sizeof marker, " [%d]", ref);
    snprintf(buf + start, sizeof buf - start, "%s", marker);
    PangoLayout *l = text_layout(p, buf, 10, false, CONTENT_W, PANGO_ALIGN_LEFT, NULL);
    if (ref > 0) {
        PangoAttrList *al = pango_attr_list_new();
        PangoAttribute *rise = pango_attr_rise_new(4 * PANGO_SCALE);
        PangoAttribute *scale = pango_attr_scale_new(0.7);
        rise->start_index = scale->start_index = (guint)start;
        rise->end_index = scale->end_index = (guint)strlen(buf);
        pango_attr_list_insert(al, rise);
        pango_attr_list_insert(al, scale);
        pango_layout_set_attributes(l, al);
        pango_attr_list_unref(al);
    }
    double h = layout_h(l), extra = 0;
    if (ref_new(p, ref)) {
        PangoLayout *f = footnote_layout(p, ref);
        extra = layout_h(f) + 1.5 + (p->n_fns ? 0 : 10);
        g_object_unref(f);
    }
    need(p, h, extra);
    show(p, l, MARGIN_X, p->y, 0.1);
    p->y += h + 4;
    g_object_unref(l);
    add_footnote(p, ref);
}

/* ---- tables -------------------------------------------------------------------------- */

struct col {
    const char *head;
    double w; /* a share of the content width */
    bool right;
};

/* A SKU is a code people copy and search for: never broken across lines (pango would break
 * it at a hyphen), but set smaller when it is wider than its column. */
static void fit_one_line(PangoLayout *l, double avail) {
    pango_layout_set_width(l, -1);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    double width = (double)w / PANGO_SCALE;
    if (width <= avail)
        return;
    PangoFontDescription *fd = pango_font_description_copy(pango_layout_get_font_description(l));
    double size = (double)pango_font_description_get_size(fd) / PANGO_SCALE * avail / width;
    pango_font_description_set_absolute_size(fd, (size < 5 ? 5 : size) * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
}

static double row_layouts(struct pdf *p, const struct col *cols, size_t n, const char *const *cells,
                          bool head, PangoLayout **out) {
    double h = 0;
    for (size_t i = 0; i < n; i++) {
        double avail = cols[i].w * CONTENT_W - 2 * CELL_PAD;
        out[i] = text_layout(p, cells[i], head ? 7.5 : 8, head, avail,
                             cols[i].right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, FONT_TABLE);
        if (!head && i == 0)
            fit_one_line(out[i], avail);
        double ch = layout_h(out[i]);
        if (ch > h)
            h = ch;
    }
    return h + 2 * CELL_PAD;
}

static void row_draw(struct pdf *p, const struct col *cols, size_t n, PangoLayout **ls, double h,
                     bool head) {
    if (p->draw && head) {
        cairo_set_source_rgb(p->cr, 0.92, 0.93, 0.95);
        cairo_rectangle(p->cr, MARGIN_X, p->y, CONTENT_W, h);
        cairo_fill(p->cr);
    }
    double x = MARGIN_X;
    for (size_t i = 0; i < n; i++) {
        show(p, ls[i], x + CELL_PAD, p->y + CELL_PAD, 0.1);
        x += cols[i].w * CONTENT_W;
    }
    rule(p, MARGIN_X, PAGE_W - MARGIN_X, p->y + h, head ? 0.8 : 0.4, head ? 0.45 : 0.8);
    p->y += h;
}

static void row_free(PangoLayout **ls, size_t n) {
    for (size_t i = 0; i < n; i++)
        g_object_unref(ls[i]);
}

#define COLS_MAX 8

static void table_head(struct pdf *p, const struct col *cols, size_t n) {
    const char *heads[COLS_MAX];
    PangoLayout *ls[COLS_MAX];
    for (size_t i = 0; i < n; i++)
        heads[i] = cols[i].head;
    double h = row_layouts(p, cols, n, heads, true, ls);
    row_draw(p, cols, n, ls, h, true);
    row_free(ls, n);
}

static double table_head_h(struct pdf *p, const struct col *cols, size_t n) {
    const char *heads[COLS_MAX];
    PangoLayout *ls[COLS_MAX];
    for (size_t i = 0; i < n; i++)
        heads[i] = cols[i].head;
    double h = row_layouts(p, cols, n, heads, true, ls);
    row_free(ls, n);
    return h;
}

/* One row, whole: on this page, or on the next under the header again. `first` keeps the
 * header with the first row. */
static void table_row(struct pdf *p, const struct col *cols, size_t n, const char *const *cells,
                      bool first) {
    PangoLayout *ls[COLS_MAX];
    double h = row_layouts(p, cols, n, cells, false, ls);
    if (first) {
        need(p, table_head_h(p, cols, n) + h, 0);
        table_head(p, cols, n);
    } else if (p->y + h > p->bottom) {
        page_break(p);
        table_head(p, cols, n);
    }
    row_draw(p, cols, n, ls, h, false);
    row_free(ls, n);
}

/* ---- the document --------------------------------------------------------------------- */

static const char *money(const struct pdf *p, const json_t *obj, const char *key, char *buf,
                         size_t size) {
    const json_t *q = json_object_get(p->data, "quote");
    return dw_lang_money(p->lang, dw_json_int(obj, key, 0), (int)dw_json_int(q, "digits", 2),
                         dw_json_str(q, "currency"), buf, size);
}

static void letterhead(struct pdf *p) {
    const struct dw_workspace *ws = p->ws;
    PangoLayout *name = text_layout(p, ws->company_name ? ws->company_name : "", 15, true,
                                    CONTENT_W * 0.64, PANGO_ALIGN_LEFT, NULL);
    struct dw_buf b;
    dw_buf_init(&b, 4096);
    for (size_t i = 0; i < ws->n_company_address; i++)
        dw_buf_printf(&b, "%s%s", i ? "\n" : "", ws->company_address[i]);
    const char *extra[] = {ws->company_phone, ws->company_email, ws->company_website};
    for (size_t i = 0; i < DW_ARRAY_SIZE(extra); i++)
        if (extra[i])
            dw_buf_printf(&b, "%s%s", b.len ? "\n" : "", extra[i]);
    if (ws->company_vat_id)
        dw_buf_printf(&b, "%s%s %s", b.len ? "\n" : "", p->w->vat_id, ws->company_vat_id);
    PangoLayout *addr =
        text_layout(p, b.data ? b.data : "", 8, false, CONTENT_W * 0.34, PANGO_ALIGN_RIGHT, NULL);
    dw_buf_release(&b);
    show(p, name, MARGIN_X, p->y, 0.05);
    show(p, addr, MARGIN_X + CONTENT_W * 0.66, p->y, 0.3);
    double h = layout_h(name) > layout_h(addr) ? layout_h(name) : layout_h(addr);
    p->y += h + 8;
    rule(p, MARGIN_X, PAGE_W - MARGIN_X, p->y, 1.2, 0.2);
    p->y += 18;
    g_object_unref(name);
    g_object_unref(addr);
}

static void title_block(struct pdf *p) {
    const json_t *cust = json_object_get(p->data, "customer");
    const json_t *q = json_object_get(p->data, "quote");
    const char *company = dw_json_str(cust, "company");
    const char *name = dw_json_str(cust, "name");
    char buf[1024], date[64];
    dw_doc_fill(buf, sizeof buf, p->w->proposal_for, 1,
                (const char *const[]){company && *company ? company : (name ? name : "")});
    paragraph(p, buf, 19, true, 6, 0.05);
    dw_time_t t = 0;
    const char *at = dw_json_str(p->data, "written_at");
    if (at)
        dw_time_parse(at, &t);
    dw_lang_date(p->lang, t, date, sizeof date);
    snprintf(buf, sizeof buf, "%s %s  ·  %s %d  ·  %s", p->w->proposal,
             dw_json_str(p->data, "deal") ? dw_json_str(p->data, "deal") : "", p->w->revision,
             (int)dw_json_int(q, "revision", 0), date);
    paragraph(p, buf, 9.5, false, 12, 0.3);
    struct dw_buf b;
    dw_buf_init(&b, 4096);
    dw_buf_printf(&b, "%s:", p->w->prepared_for);
    static const char *const keys[] = {"name", "company", "email", "country"};
    for (size_t i = 0; i < DW_ARRAY_SIZE(keys); i++) {
        const char *v = dw_json_str(cust, keys[i]);
        if (v && *v)
            dw_buf_printf(&b, "\n%s", v);
    }
    paragraph(p, b.data ? b.data : "", 10, false, 4, 0.1);
    dw_buf_release(&b);
}

static void solution(struct pdf *p) {
    const json_t *lines = json_object_get(p->data, "solution");
    if (!json_array_size(lines))
        return;
    const struct col cols[] = {{p->w->sku, 0.19, false},
                               {p->w->item, 0.25, false},
                               {p->w->qty, 0.08, true},
                               {p->w->description, 0.48, false}};
    heading(p, p->w->solution, 40);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) {
        char qty[32];
        snprintf(qty, sizeof qty, "%lld", (long long)dw_json_int(l, "quantity", 0));
        const char *cells[] = {dw_json_str(l, "sku"), dw_json_str(l, "name"), qty,
                               dw_json_str(l, "description")};
        table_row(p, cols, DW_ARRAY_SIZE(cols), cells, i == 0);
    }
}

static void claims(struct pdf *p) {
    const json_t *cl = json_object_get(p->data, "claims");
    if (!json_array_size(cl))
        return;
    heading(p, p->w->why, 30);
    size_t i;
    json_t *c;
    json_array_foreach(cl, i, c) claim(p, dw_json_str(c, "text"), (int)dw_json_int(c, "ref", 0));
}

/* A discount column only when some line has a discount: a column of zeros says nothing. */
static bool any_discount(const json_t *q) {
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        if (dw_json_int(l, "discount", 0) != 0)
            return true;
    }
    return false;
}

/* The rows of the stored quote under their header. */
static void quote_rows(struct pdf *p) {
    const json_t *q = json_object_get(p->data, "quote");
    bool disc = any_discount(q);
    const struct col with[] = {
        {p->w->sku, 0.175, false},      {p->w->item, 0.145, false},     {p->w->qty, 0.07, true},
        {p->w->unit_price, 0.12, true}, {p->w->terms_col, 0.12, false}, {p->w->amount, 0.125, true},
        {p->w->discount, 0.11, true},   {p->w->net, 0.135, true},
    };
    const struct col without[] = {
        {p->w->sku, 0.17, false},        {p->w->item, 0.185, false},     {p->w->qty, 0.075, true},
        {p->w->unit_price, 0.135, true}, {p->w->terms_col, 0.14, false}, {p->w->amount, 0.14, true},
        {p->w->net, 0.155, true},
    };
    const struct col *cols = disc ? with : without;
    size_t n_cols = disc ? DW_ARRAY_SIZE(with) : DW_ARRAY_SIZE(without);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        char qty[32], unit[96], terms[128], amount[96], dsc[96], net[96];
        snprintf(qty, sizeof qty, "%lld", (long long)dw_json_int(l, "quantity", 0));
        const char *billing = dw_json_str(l, "billing");
        int months = (int)dw_json_int(l, "term_months", 0);
        if (!months)
            months = (int)dw_json_int(q, "term_months", 0);
        if (billing && strcmp(billing, "monthly") == 0)
            snprintf(terms, sizeof terms, "%s ×\u00a0%d\u00a0%s", p->w->per_month, months,
                     p->w->months);
        else
            snprintf(terms, sizeof terms, "%s", p->w->one_time);
        const char *cells[COLS_MAX] = {dw_json_str(l, "sku"),
                                       dw_json_str(l, "name"),
                                       qty,
                                       money(p, l, "unit_price", unit, sizeof unit),
                                       terms,
                                       money(p, l, "amount", amount, sizeof amount),
                                       money(p, l, "discount", dsc, sizeof dsc),
                                       money(p, l, "net", net, sizeof net)};
        if (!disc)
            cells[6] = cells[7];
        table_row(p, cols, n_cols, cells, i == 0);
    }
}

static void quote_table(struct pdf *p) {
    const json_t *q = json_object_get(p->data, "quote");
    char buf[1024];
    heading(p, p->w->quote, 60);
    dw_doc_fill(buf, sizeof buf, p->w->prices_in, 1,
                (const char *const[]){dw_json_str(q, "currency")});
    paragraph(p, buf, 8.5, false, 6, 0.3);
    quote_rows(p);
}

/* Subtotal, discount and total, right-aligned under the table, kept together. */
static void totals(struct pdf *p) {
    const json_t *q = json_object_get(p->data, "quote");
    char sub[96], disc[96], tot[96], label[128], pct[16], neg[104];
    dw_pct_format((int32_t)dw_json_int(q, "discount_bp", 0), pct, sizeof pct);
    if (strcmp(p->lang, "en") != 0) {
        char *dot = strchr(pct, '.');
        if (dot)
            *dot = ',';
    }
    snprintf(label, sizeof label, "%s (%s %%)", p->w->discount, pct);
    snprintf(neg, sizeof neg, "−%s", money(p, q, "discount", disc, sizeof disc));
    /* without a discount the total is the subtotal: one line says it */
    bool any = dw_json_int(q, "discount", 0) != 0;
    const char *rows[3][2] = {{p->w->subtotal, money(p, q, "subtotal", sub, sizeof sub)},
                              {label, neg},
                              {p->w->total, money(p, q, "total", tot, sizeof tot)}};
    size_t first = any ? 0 : 2;
    double x = MARGIN_X + CONTENT_W * 0.5, w1 = CONTENT_W * 0.28, w2 = CONTENT_W * 0.22;
    PangoLayout *ls[3][2];
    double hs[3], all = 10;
    for (size_t i = first; i < 3; i++) {
        bool bold = i == 2;
        ls[i][0] = text_layout(p, rows[i][0], bold ? 10.5 : 9, bold, w1, PANGO_ALIGN_LEFT, NULL);
        ls[i][1] = text_layout(p, rows[i][1], bold ? 10.5 : 9, bold, w2, PANGO_ALIGN_RIGHT, NULL);
        hs[i] = layout_h(ls[i][0]) + 4;
        all += hs[i];
    }
    need(p, all, 0);
    p->y += 8;
    for (size_t i = first; i < 3; i++) {
        if (i == 2)
            rule(p, x, PAGE_W - MARGIN_X, p->y, 0.8, 0.3);
        show(p, ls[i][0], x, p->y + 2, 0.1);
        show(p, ls[i][1], x + w1, p->y + 2, 0.1);
        p->y += hs[i];
        g_object_unref(ls[i][0]);
        g_object_unref(ls[i][1]);
    }
    p->y += 6;
}

static void validity(struct pdf *p) {
    const json_t *q = json_object_get(p->data, "quote");
    char date[64] = "", buf[1024];
    const char *vu = dw_json_str(p->data, "valid_until");
    dw_time_t t;
    char noon[32];
    snprintf(noon, sizeof noon, "%.10sT12:00:00Z", vu ? vu : "");
    if (vu && dw_time_parse(noon, &t) == 0)
        dw_lang_date(p->lang, t, date, sizeof date);
    dw_doc_fill(buf, sizeof buf, p->w->valid_until, 1, (const char *const[]){date});
    paragraph(p, buf, 10.5, true, 4, 0.05);
    char rev[16];
    snprintf(rev, sizeof rev, "%d", (int)dw_json_int(q, "revision", 0));
    dw_doc_fill(buf, sizeof buf, p->w->reference, 2,
                (const char *const[]){rev, dw_json_str(q, "hash")});
    paragraph(p, buf, 7.5, false, 4, 0.35);
}

static void terms(struct pdf *p) {
    const json_t *t = json_object_get(p->data, "terms");
    bool dpa = dw_json_bool(t, "dpa", false), exp = dw_json_bool(t, "export_review", false);
    if (!dpa && !exp)
        return;
    heading(p, p->w->terms, 20);
    if (dpa)
        paragraph(p, p->w->dpa, 9.5, false, 4, 0.1);
    if (exp)
        paragraph(p, p->w->export_review, 9.5, false, 4, 0.1);
}

/* Lines to sign on, for a customer who prints it. */
static void signature(struct pdf *p) {
    heading(p, p->w->acceptance, 70);
    const char *labels[] = {p->w->sign_name, p->w->sign_title, p->w->sign_date,
                            p->w->sign_signature};
    double colw = CONTENT_W / 2 - 10;
    for (size_t i = 0; i < 4; i += 2) {
        p->y += 22;
        for (size_t k = 0; k < 2; k++) {
            double x = MARGIN_X + k * (colw + 20);
            rule(p, x, x + colw, p->y, 0.6, 0.4);
            PangoLayout *l =
                text_layout(p, labels[i + k], 7.5, false, colw, PANGO_ALIGN_LEFT, NULL);
            show(p, l, x, p->y + 2, 0.4);
            g_object_unref(l);
        }
        p->y += 12;
    }
}

/* ---- the proposal's Markdown ---------------------------------------------------------- */

/* The Markdown the proposal agent wrote from the company's template is laid out block by
 * block from md4c's parse (the parser the HTML uses): headings, paragraphs, lists, block
 * quotes, rules, code and tables. Inline emphasis becomes pango markup that this file
 * writes; every character of text is escaped on the way, so a customer's `<b>` or `&` is
 * text. The two tables whose figures are the stored quote's — its lines (each row's SKU and
 * net) and its totals (the total) — are drawn from the stored quote instead. */

#define MD_NEST_MAX 16 /* lists and quotes nested deeper are indented as this deep */
#define TCOLS_MAX 16
#define ROW_REFS 16
#define MD_BUF_MAX (48u << 20)
#define MD_MAX (4u << 20) /* as the HTML */

struct md_cell {
    char *markup, *plain;
};

struct md_row {
    struct md_cell c[TCOLS_MAX];
    int refs[ROW_REFS], n_refs;
};

struct md {
    struct pdf *p;
    struct dw_buf in, plain; /* the block being built: pango markup, and its text */
    struct dw_buf *collect;  /* a footnote's definition: blocks are gathered here, not drawn */
    int refs[ROW_REFS], n_refs;
    int n_lists;
    struct {
        bool ordered;
        unsigned next;
        char delim;
    } lists[MD_NEST_MAX];
    int depth, quotes; /* lists and quotes open */
    char bullet[24];
    bool bullet_pending, code, in_table, in_head;
    int col, ncols;
    PangoAlignment align[TCOLS_MAX];
    struct md_row *rows;
    size_t n_rows, cap_rows, head_rows;
    bool quote_done, totals_done;
    int err;
};

static void md_raw(struct md *m, const char *s) {
    if (m->err >= 0)
        m->err = dw_buf_puts(&m->in, s);
}

/* Text as escaped markup (and as itself in `plain`): invalid UTF-8 becomes U+FFFD, control
 * characters a space. */
static void md_put(struct md *m, const char *s, size_t n) {
    while (n && m->err >= 0) {
        const char *end;
        bool ok = g_utf8_validate(s, (gssize)n, &end);
        for (const char *c = s; c < end && m->err >= 0; c++) {
            const char *e = NULL;
            switch (*c) {
            case '&':
                e = "&amp;";
                break;
            case '<':
                e = "&lt;";
                break;
            case '>':
                e = "&gt;";
                break;
            case '"':
                e = "&quot;";
                break;
            case '\'':
                e = "&#39;";
                break;
            default:
                if ((unsigned char)*c < 0x20 && *c != '\n')
                    e = " ";
            }
            m->err = e ? dw_buf_puts(&m->in, e) : dw_buf_append(&m->in, c, 1);
            if (m->err >= 0)
                m->err = dw_buf_append(&m->plain, e && *e == ' ' ? " " : c, 1);
        }
        n -= (size_t)(end - s);
        s = end;
        if (!ok && n) {
            if (m->err >= 0)
                m->err = dw_buf_puts(&m->in, "\xef\xbf\xbd");
            if (m->err >= 0)
                m->err = dw_buf_puts(&m->plain, "\xef\xbf\xbd");
            s++;
            n--;
        }
    }
}

static void md_entity(struct md *m, const char *s, size_t n) {
    static const char *const named[][2] = {
        {"&amp;", "&"},    {"&lt;", "<"},        {"&gt;", ">"},       {"&quot;", "\""},
        {"&apos;", "'"},   {"&nbsp;", "\u00a0"}, {"&ndash;", "–"},    {"&mdash;", "—"},
        {"&euro;", "€"},   {"&copy;", "©"},      {"&reg;", "®"},      {"&hellip;", "…"},
        {"&middot;", "·"}, {"&times;", "×"},     {"&shy;", "\u00ad"}, {"&sect;", "§"},
    };
    if (n > 3 && s[1] == '#') {
        bool hex = s[2] == 'x' || s[2] == 'X';
        unsigned long cp = strtoul(s + (hex ? 3 : 2), NULL, hex ? 16 : 10);
        char u[8];
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            cp = 0xfffd;
        int k = g_unichar_to_utf8((gunichar)cp, u);
        md_put(m, u, (size_t)k);
        return;
    }
    for (size_t i = 0; i < DW_ARRAY_SIZE(named); i++)
        if (strlen(named[i][0]) == n && memcmp(named[i][0], s, n) == 0) {
            md_put(m, named[i][1], strlen(named[i][1]));
            return;
        }
    md_put(m, s, n);
}

/* `[^12]` (a footnote reference md4c leaves as text) raised, its number remembered; the
 * markup of the block in *out. */
static char *md_markers(struct md *m, const char *s) {
    struct dw_buf b;
    dw_buf_init(&b, MD_BUF_MAX);
    int r = dw_buf_puts(&b, "");
    for (size_t i = 0; s[i] && r >= 0;) {
        if (s[i] == '[' && s[i + 1] == '^' && s[i + 2] >= '0' && s[i + 2] <= '9') {
            size_t k = i + 2;
            while (s[k] >= '0' && s[k] <= '9' && k - i < 8)
                k++;
            if (s[k] == ']') {
                int ref = atoi(s + i + 2);
                if (m->n_refs < ROW_REFS)
                    m->refs[m->n_refs++] = ref;
                r = dw_buf_printf(&b, "<span rise=\"4000\" size=\"smaller\">[%d]</span>", ref);
                i = k + 1;
                continue;
            }
        }
        r = dw_buf_append(&b, s + i, 1);
        i++;
    }
    if (r < 0 && m->err >= 0)
        m->err = r;
    return dw_buf_steal(&b);
}

static void md_reset(struct md *m) {
    m->in.len = m->plain.len = 0;
    if (m->in.data)
        m->in.data[0] = '\0';
    if (m->plain.data)
        m->plain.data[0] = '\0';
}

static bool blank(const char *s) {
    for (; s && *s; s++)
        if (!g_ascii_isspace(*s))
            return false;
    return true;
}

static double md_indent(const struct md *m) {
    double x = 20.0 * (m->depth < MD_NEST_MAX ? m->depth : MD_NEST_MAX);
    return x < CONTENT_W / 2 ? x : CONTENT_W / 2;
}

/* A block of `h` points and the new footnotes of m->refs below it: on this page when it
 * fits, else on the next; one taller than a page flows line by line. */
static void md_place(struct md *m, PangoLayout *l, double x, double gray, double bar_x,
                     PangoLayout *bullet) {
    struct pdf *p = m->p;
    double h = layout_h(l), extra = 0;
    for (int i = 0; i < m->n_refs; i++)
        if (ref_new(p, m->refs[i])) {
            PangoLayout *f = footnote_layout(p, m->refs[i]);
            extra += layout_h(f) + 1.5 + (p->n_fns || extra ? 0 : 10);
            g_object_unref(f);
        }
    double room = PAGE_H - MARGIN_BOTTOM - MARGIN_TOP - extra;
    if (h <= room) {
        need(p, h, extra);
        if (bar_x >= 0)
            rule_v(p, bar_x, p->y, p->y + h);
        if (bullet)
            show(p, bullet, x - 20, p->y, gray);
        show(p, l, x, p->y, gray);
        p->y += h;
    } else {
        PangoLayoutIter *it = pango_layout_get_iter(l);
        do {
            PangoRectangle log;
            pango_layout_iter_get_line_extents(it, NULL, &log);
            double lh = (double)log.height / PANGO_SCALE;
            double base = (double)(pango_layout_iter_get_baseline(it) - log.y) / PANGO_SCALE;
            if (p->y + lh > p->bottom && p->y > MARGIN_TOP)
                page_break(p);
            if (bullet && pango_layout_iter_get_index(it) == 0)
                show(p, bullet, x - 20, p->y, gray);
            if (bar_x >= 0)
                rule_v(p, bar_x, p->y, p->y + lh);
            if (p->draw) {
                cairo_set_source_rgb(p->cr, gray, gray, gray);
                cairo_move_to(p->cr, x + (double)log.x / PANGO_SCALE, p->y + base);
                pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
            }
            p->y += lh;
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
    }
    for (int i = 0; i < m->n_refs; i++)
        add_footnote(p, m->refs[i]);
}

/* The block built so far, laid out: `level` 1-6 a heading, 0 a paragraph or list item. */
static void md_flush(struct md *m, int level) {
    struct pdf *p = m->p;
    if (m->in_table || m->err < 0)
        return;
    if (blank(m->in.data)) {
        md_reset(m);
        return;
    }
    m->n_refs = 0;
    char *markup = md_markers(m, m->in.data ? m->in.data : "");
    md_reset(m);
    if (m->collect) {
        if (m->err >= 0)
            m->err = dw_buf_printf(m->collect, "%s%s", m->collect->len ? " " : "", markup);
        free(markup);
        return;
    }
    double x = MARGIN_X + md_indent(m), w = CONTENT_W - md_indent(m);
    double bar = m->quotes ? MARGIN_X + md_indent(m) - 8 : -1;
    if (level == 1 || level == 2) {
        PangoLayout *l =
            markup_layout(p, markup, level == 1 ? 19 : 12.5, true, w, PANGO_ALIGN_LEFT, NULL);
        double h = layout_h(l);
        p->y += level == 1 ? 0 : 10;
        need(p, h + 8 + 40, 0); /* a heading stays with what follows */
        md_place(m, l, x, 0.05, bar, NULL);
        if (level == 2) {
            p->y += 2;
            rule(p, x, PAGE_W - MARGIN_X, p->y, 0.6, 0.75);
        }
        p->y += 6;
        g_object_unref(l);
    } else if (level > 2) {
        PangoLayout *l = markup_layout(p, markup, 11, true, w, PANGO_ALIGN_LEFT, NULL);
        p->y += 6;
        need(p, layout_h(l) + 30, 0);
        md_place(m, l, x, 0.1, bar, NULL);
        p->y += 4;
        g_object_unref(l);
    } else {
        bool code = level == -2;
        PangoLayout *l = markup_layout(p, markup, code ? 8.5 : 10, false, w, PANGO_ALIGN_LEFT,
                                       code ? "DejaVu Sans Mono" : NULL);
        /* the bullet or number beside the item's first line */
        PangoLayout *b = m->bullet_pending
                             ? text_layout(p, m->bullet, 10, false, 16, PANGO_ALIGN_RIGHT, NULL)
                             : NULL;
        m->bullet_pending = false;
        md_place(m, l, x, 0.1, bar, b);
        if (b)
            g_object_unref(b);
        p->y += m->depth > m->quotes && !m->quotes ? 3 : 6;
        g_object_unref(l);
    }
    free(markup);
}

static void md_cell_end(struct md *m) {
    if (m->n_rows == 0 || m->err < 0)
        return;
    struct md_row *row = &m->rows[m->n_rows - 1];
    m->n_refs = 0;
    char *markup = md_markers(m, m->in.data ? m->in.data : "");
    for (int i = 0; i < m->n_refs && row->n_refs < ROW_REFS; i++)
        row->refs[row->n_refs++] = m->refs[i];
    m->n_refs = 0;
    if (m->col < TCOLS_MAX) {
        row->c[m->col].markup = markup;
        row->c[m->col].plain = g_strstrip(dw_buf_steal(&m->plain));
        if (m->col + 1 > m->ncols)
            m->ncols = m->col + 1;
    } else {
        free(markup);
    }
    m->col++;
    md_reset(m);
}

static const char *cell_plain(const struct md_row *r, int c) {
    return c < TCOLS_MAX && r->c[c].plain ? r->c[c].plain : "";
}

static bool row_has(const struct md_row *r, int ncols, const char *text) {
    for (int c = 0; c < ncols; c++)
        if (strcmp(cell_plain(r, c), text) == 0)
            return true;
    return false;
}

/* The stored quote's lines, one row each in order: the SKU first and the net in the row. */
static bool is_quote_table(struct md *m) {
    struct pdf *p = m->p;
    const json_t *lines = json_object_get(json_object_get(p->data, "quote"), "lines");
    size_t n = json_array_size(lines), body = m->n_rows - m->head_rows;
    if (!n || body != n || m->ncols < 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        const json_t *l = json_array_get(lines, i);
        const struct md_row *r = &m->rows[m->head_rows + i];
        char net[96];
        const char *sku = dw_json_str(l, "sku");
        if (!sku || strcmp(cell_plain(r, 0), sku) != 0 ||
            !row_has(r, m->ncols, money(p, l, "net", net, sizeof net)))
            return false;
    }
    return true;
}

static bool is_totals_table(struct md *m) {
    char tot[96];
    money(m->p, json_object_get(m->p->data, "quote"), "total", tot, sizeof tot);
    for (size_t i = m->head_rows; i < m->n_rows; i++)
        if (row_has(&m->rows[i], m->ncols, tot))
            return true;
    return false;
}

static double md_row_layouts(struct pdf *p, const double *w, const PangoAlignment *al, int n,
                             const struct md_row *r, bool head, PangoLayout **out) {
    double h = 0;
    for (int i = 0; i < n; i++) {
        double avail = w[i] - 2 * CELL_PAD; /* a column too narrow still wraps */
        out[i] = markup_layout(p, r->c[i].markup ? r->c[i].markup : "", head ? 7.5 : 8, head,
                               avail < 4 ? 4 : avail, al[i], FONT_TABLE);
        if (layout_h(out[i]) > h)
            h = layout_h(out[i]);
    }
    return h + 2 * CELL_PAD;
}

static void md_row_draw(struct pdf *p, const double *w, int n, PangoLayout **ls, double h,
                        bool head) {
    struct col cols[TCOLS_MAX] = {{0}};
    for (int i = 0; i < n; i++)
        cols[i] = (struct col){NULL, w[i] / CONTENT_W, false};
    row_draw(p, cols, (size_t)n, ls, h, head);
    row_free(ls, (size_t)n);
}

static void md_table_head(struct md *m, const double *w) {
    PangoLayout *ls[TCOLS_MAX];
    for (size_t i = 0; i < m->head_rows; i++) {
        double h = md_row_layouts(m->p, w, m->align, m->ncols, &m->rows[i], true, ls);
        md_row_draw(m->p, w, m->ncols, ls, h, true);
    }
}

/* Column widths as a browser's automatic table layout gives them: each column its text's
 * natural width when all fit; else its longest word, and the rest shared by how much more
 * each would take. */
static void md_widths(struct md *m, double *w) {
    struct pdf *p = m->p;
    double nat[TCOLS_MAX] = {0}, min[TCOLS_MAX] = {0}, sn = 0, sm = 0;
    for (size_t r = 0; r < m->n_rows; r++)
        for (int c = 0; c < m->ncols; c++) {
            const char *mk = m->rows[r].c[c].markup;
            if (!mk || !*mk)
                continue;
            PangoLayout *l = markup_layout(p, mk, r < m->head_rows ? 7.5 : 8, r < m->head_rows,
                                           CONTENT_W, PANGO_ALIGN_LEFT, FONT_TABLE);
            int lw, lh;
            pango_layout_set_width(l, -1);
            pango_layout_get_size(l, &lw, &lh);
            if (lw / PANGO_SCALE > nat[c])
                nat[c] = (double)lw / PANGO_SCALE;
            /* a text without a space (a SKU, an amount) is not broken at its hyphens */
            if (strchr(m->rows[r].c[c].plain ? m->rows[r].c[c].plain : "", ' ')) {
                pango_layout_set_wrap(l, PANGO_WRAP_WORD);
                pango_layout_set_width(l, 1);
                pango_layout_get_size(l, &lw, &lh);
            }
            if (lw / PANGO_SCALE > min[c])
                min[c] = (double)lw / PANGO_SCALE;
            g_object_unref(l);
        }
    for (int c = 0; c < m->ncols; c++) {
        nat[c] += 2 * CELL_PAD + 1;
        min[c] += 2 * CELL_PAD + 1;
        if (min[c] > nat[c])
            min[c] = nat[c];
        sn += nat[c];
        sm += min[c];
    }
    for (int c = 0; c < m->ncols; c++) {
        if (sn <= CONTENT_W)
            w[c] = nat[c] + (CONTENT_W - sn) * nat[c] / sn;
        else if (sm <= CONTENT_W)
            w[c] = min[c] + (sn > sm ? (CONTENT_W - sm) * (nat[c] - min[c]) / (sn - sm) : 0);
        else
            w[c] = CONTENT_W * min[c] / sm;
    }
}

/* A table of the template's: its rows whole, its header again on every page it runs to. */
static void md_table(struct md *m) {
    struct pdf *p = m->p;
    double w[TCOLS_MAX];
    md_widths(m, w);
    PangoLayout *hs[TCOLS_MAX], *ls[TCOLS_MAX];
    double head_h = 0;
    for (size_t i = 0; i < m->head_rows; i++) {
        head_h += md_row_layouts(p, w, m->align, m->ncols, &m->rows[i], true, hs);
        row_free(hs, (size_t)m->ncols);
    }
    p->y += 4;
    if (m->n_rows == m->head_rows) {
        need(p, head_h, 0);
        md_table_head(m, w);
    }
    for (size_t r = m->head_rows; r < m->n_rows; r++) {
        const struct md_row *row = &m->rows[r];
        double h = md_row_layouts(p, w, m->align, m->ncols, row, false, ls), extra = 0;
        for (int i = 0; i < row->n_refs; i++)
            if (ref_new(p, row->refs[i])) {
                PangoLayout *f = footnote_layout(p, row->refs[i]);
                extra += layout_h(f) + 1.5 + (p->n_fns || extra ? 0 : 10);
                g_object_unref(f);
            }
        if (r == m->head_rows) {
            need(p, head_h + h, extra);
            md_table_head(m, w);
        } else if (p->y + h > p->bottom - extra) {
            page_break(p);
            md_table_head(m, w);
        }
        md_row_draw(p, w, m->ncols, ls, h, false);
        for (int i = 0; i < row->n_refs; i++)
            add_footnote(p, row->refs[i]);
    }
    p->y += 8;
}

static void md_table_end(struct md *m) {
    struct pdf *p = m->p;
    if (m->ncols > 0 && m->err >= 0) {
        if (!m->quote_done && is_quote_table(m)) {
            p->y += 4;
            quote_rows(p);
            m->quote_done = true;
        } else if (m->quote_done && !m->totals_done && is_totals_table(m)) {
            totals(p);
            m->totals_done = true;
        } else {
            md_table(m);
        }
    }
    for (size_t r = 0; r < m->n_rows; r++)
        for (int c = 0; c < TCOLS_MAX; c++) {
            free(m->rows[r].c[c].markup);
            free(m->rows[r].c[c].plain);
        }
    free(m->rows);
    m->rows = NULL;
    m->n_rows = m->cap_rows = m->head_rows = 0;
    m->ncols = 0;
}

static int md_enter(MD_BLOCKTYPE type, void *detail, void *arg) {
    struct md *m = arg;
    struct pdf *p = m->p;
    switch (type) {
    case MD_BLOCK_QUOTE:
        md_flush(m, 0);
        m->quotes++;
        m->depth++;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        md_flush(m, 0);
        if (m->n_lists < MD_NEST_MAX) {
            bool ol = type == MD_BLOCK_OL;
            const MD_BLOCK_OL_DETAIL *d = detail;
            m->lists[m->n_lists].ordered = ol;
            m->lists[m->n_lists].next = ol ? d->start : 0;
            m->lists[m->n_lists].delim = ol ? d->mark_delimiter : 0;
        }
        m->n_lists++;
        m->depth++;
        break;
    case MD_BLOCK_LI:
        md_flush(m, 0);
        if (m->n_lists > 0 && m->n_lists <= MD_NEST_MAX && m->lists[m->n_lists - 1].ordered)
            snprintf(m->bullet, sizeof m->bullet, "%u%c", m->lists[m->n_lists - 1].next++,
                     m->lists[m->n_lists - 1].delim);
        else
            snprintf(m->bullet, sizeof m->bullet, "•");
        m->bullet_pending = true;
        break;
    case MD_BLOCK_HR:
        md_flush(m, 0);
        if (!m->collect && !m->in_table) {
            p->y += 4;
            need(p, 10, 0);
            rule(p, MARGIN_X, PAGE_W - MARGIN_X, p->y, 0.6, 0.7);
            p->y += 10;
        }
        break;
    case MD_BLOCK_H:
    case MD_BLOCK_P:
        md_flush(m, 0);
        break;
    case MD_BLOCK_CODE:
        md_flush(m, 0);
        m->code = true;
        break;
    case MD_BLOCK_TABLE:
        md_flush(m, 0);
        if (!m->collect && !m->in_table) {
            m->in_table = true;
            m->n_rows = m->head_rows = 0;
            m->ncols = 0;
        }
        break;
    case MD_BLOCK_THEAD:
        m->in_head = true;
        break;
    case MD_BLOCK_TBODY:
        m->in_head = false;
        break;
    case MD_BLOCK_TR:
        if (m->in_table) {
            if (m->n_rows == m->cap_rows) {
                size_t cap = m->cap_rows ? 2 * m->cap_rows : 16;
                struct md_row *rows = realloc(m->rows, cap * sizeof *rows);
                if (!rows) {
                    m->err = -DW_ENOMEM;
                    return 1;
                }
                m->rows = rows;
                m->cap_rows = cap;
            }
            memset(&m->rows[m->n_rows++], 0, sizeof *m->rows);
            m->col = 0;
        }
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        md_reset(m);
        if (m->in_table && m->col < TCOLS_MAX) {
            MD_ALIGN a = ((const MD_BLOCK_TD_DETAIL *)detail)->align;
            m->align[m->col] = a == MD_ALIGN_RIGHT    ? PANGO_ALIGN_RIGHT
                               : a == MD_ALIGN_CENTER ? PANGO_ALIGN_CENTER
                                                      : PANGO_ALIGN_LEFT;
        }
        break;
    default:
        break;
    }
    return m->err < 0;
}

static int md_leave(MD_BLOCKTYPE type, void *detail, void *arg) {
    struct md *m = arg;
    switch (type) {
    case MD_BLOCK_QUOTE:
        md_flush(m, 0);
        m->quotes--;
        m->depth--;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        md_flush(m, 0);
        m->n_lists--;
        m->depth--;
        if (!m->collect && !m->n_lists)
            m->p->y += 4;
        break;
    case MD_BLOCK_LI:
        md_flush(m, 0);
        m->bullet_pending = false;
        break;
    case MD_BLOCK_H:
        md_flush(m, (int)((const MD_BLOCK_H_DETAIL *)detail)->level);
        break;
    case MD_BLOCK_CODE:
        md_flush(m, -2);
        m->code = false;
        break;
    case MD_BLOCK_P:
        md_flush(m, 0);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (m->in_table)
            md_cell_end(m);
        break;
    case MD_BLOCK_TR:
        if (m->in_table && m->in_head)
            m->head_rows++;
        break;
    case MD_BLOCK_TABLE:
        if (m->in_table) {
            m->in_table = false;
            md_table_end(m);
        }
        break;
    default:
        break;
    }
    return m->err < 0;
}

static int md_span(MD_SPANTYPE type, void *detail, void *arg, bool enter) {
    struct md *m = arg;
    (void)detail;
    switch (type) {
    case MD_SPAN_EM:
        md_raw(m, enter ? "<i>" : "</i>");
        break;
    case MD_SPAN_STRONG:
        md_raw(m, enter ? "<b>" : "</b>");
        break;
    case MD_SPAN_CODE:
        md_raw(m, enter ? "<span font_family=\"" FONT_TABLE "\">" : "</span>");
        break;
    case MD_SPAN_DEL:
        md_raw(m, enter ? "<s>" : "</s>");
        break;
    case MD_SPAN_U:
        md_raw(m, enter ? "<u>" : "</u>");
        break;
    default: /* a link or an image: its text */
        break;
    }
    return m->err < 0;
}

static int md_enter_span(MD_SPANTYPE type, void *detail, void *arg) {
    return md_span(type, detail, arg, true);
}

static int md_leave_span(MD_SPANTYPE type, void *detail, void *arg) {
    return md_span(type, detail, arg, false);
}

static int md_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *arg) {
    struct md *m = arg;
    switch (type) {
    case MD_TEXT_NULLCHAR:
        md_put(m, "\xef\xbf\xbd", 3);
        break;
    case MD_TEXT_BR:
        md_put(m, "\n", 1);
        break;
    case MD_TEXT_SOFTBR:
        md_put(m, " ", 1);
        break;
    case MD_TEXT_ENTITY:
        md_entity(m, text, size);
        break;
    default:
        md_put(m, text, size);
    }
    return m->err < 0;
}

/* Markdown laid out (collect NULL), or gathered as markup into *collect. */
static int md_run(struct pdf *p, const char *md, size_t len, struct dw_buf *collect,
                  bool *quote_done, bool *totals_done) {
    struct md m = {.p = p, .collect = collect};
    dw_buf_init(&m.in, MD_BUF_MAX);
    dw_buf_init(&m.plain, MD_BUF_MAX);
    MD_PARSER parser = {
        .abi_version = 0,
        .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML,
        .enter_block = md_enter,
        .leave_block = md_leave,
        .enter_span = md_enter_span,
        .leave_span = md_leave_span,
        .text = md_text,
    };
    int r = md_parse(md, (MD_SIZE)len, &parser, &m);
    if (m.in_table) { /* stopped inside a table: free what it gathered */
        m.in_table = false;
        m.ncols = 0;
        md_table_end(&m);
    }
    if (quote_done)
        *quote_done = m.quote_done;
    if (totals_done)
        *totals_done = m.totals_done;
    dw_buf_release(&m.in);
    dw_buf_release(&m.plain);
    if (m.err < 0)
        return m.err;
    return r != 0 ? -DW_EINTERNAL : 0;
}

/* The footnote definitions `[^N]: text` leave the body (blanked, so the lines of the rest
 * keep their places) and become p->fn_def[N]; a number out of range stays in the text. */
static char *md_split_footnotes(struct pdf *p, const char *md, size_t len) {
    char *body = malloc(len + 1);
    if (!body)
        return NULL;
    memcpy(body, md, len);
    body[len] = '\0';
    for (size_t i = 0; i < len;) {
        size_t eol = i;
        while (eol < len && body[eol] != '\n')
            eol++;
        size_t k = i;
        while (k < eol && k - i < 3 && body[k] == ' ')
            k++;
        if (k + 3 < eol && body[k] == '[' && body[k + 1] == '^' && g_ascii_isdigit(body[k + 2])) {
            size_t d = k + 2;
            while (d < eol && g_ascii_isdigit(body[d]) && d - k < 8)
                d++;
            int ref = atoi(body + k + 2);
            if (d + 1 < eol && body[d] == ']' && body[d + 1] == ':' && ref > 0 &&
                ref < FOOTNOTES_MAX && !p->fn_def[ref]) {
                struct dw_buf b;
                dw_buf_init(&b, MD_BUF_MAX);
                if (md_run(p, body + d + 2, eol - d - 2, &b, NULL, NULL) == 0)
                    p->fn_def[ref] = dw_buf_steal(&b);
                else
                    p->fn_def[ref] = strdup("");
                dw_buf_release(&b);
                memset(body + i, ' ', eol - i);
            }
        }
        i = eol + 1;
    }
    return body;
}

/* The proposal as the template wrote it, between the letterhead and the lines to sign on. */
static int md_document(struct pdf *p) {
    bool quote_done = false, totals_done = false;
    int r = md_run(p, p->md, p->md_len, NULL, &quote_done, &totals_done);
    if (r < 0)
        return r;
    /* a template that does not state the binding price gets the stored quote's */
    char tot[96];
    money(p, json_object_get(p->data, "quote"), "total", tot, sizeof tot);
    if (!totals_done &&
        json_array_size(json_object_get(json_object_get(p->data, "quote"), "lines")) &&
        !memmem(p->md, p->md_len, tot, strlen(tot))) {
        if (!quote_done)
            quote_table(p);
        totals(p);
        validity(p);
    }
    /* definitions nothing cited: at the end, as the template wrote them */
    for (int i = 1; i < FOOTNOTES_MAX; i++)
        if (p->fn_def[i] && !p->cited[i]) {
            char *mk = g_strdup_printf("[%d] %s", i, p->fn_def[i]);
            PangoLayout *l = markup_layout(p, mk, 7.5, false, CONTENT_W, PANGO_ALIGN_LEFT, NULL);
            struct md m = {.p = p};
            md_place(&m, l, MARGIN_X, 0.25, -1, NULL);
            p->y += 1.5;
            g_object_unref(l);
            g_free(mk);
        }
    return 0;
}

/* From the Markdown when the data has it; from the structured data alone otherwise. */
static int document(struct pdf *p) {
    memset(p->cited, 0, sizeof p->cited);
    p->page = 0;
    p->n_fns = 0;
    page_begin(p);
    letterhead(p);
    int r = 0;
    if (p->md) {
        r = md_document(p);
    } else {
        title_block(p);
        solution(p);
        claims(p);
        quote_table(p);
        totals(p);
        validity(p);
        terms(p);
    }
    signature(p);
    page_end(p);
    return r;
}

static cairo_status_t collect(void *arg, const unsigned char *data, unsigned int len) {
    return dw_buf_append(arg, data, len) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

int dw_doc_pdf(const struct dw_workspace *ws, const json_t *data, char **ret, size_t *ret_len,
               struct dw_error *err) {
    struct dw_buf out;
    dw_buf_init(&out, PDF_MAX);
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(collect, &out, PAGE_W, PAGE_H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return dw_error_set(err, -DW_EINTERNAL, "cannot make a PDF surface");
    }
    struct pdf p = {.ws = ws, .data = data};
    p.lang = dw_json_str(data, "language") ? dw_json_str(data, "language") : "en";
    p.w = dw_doc_words(p.lang);
    p.lang = p.w->lang;
    char title[512];
    const json_t *cust = json_object_get(data, "customer");
    const char *company = dw_json_str(cust, "company");
    if (!company || !*company) /* addressed to the person when no company is named */
        company = dw_json_str(cust, "name") ? dw_json_str(cust, "name") : "";
    dw_doc_fill(title, sizeof title, p.w->proposal_for, 1, (const char *const[]){company});
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR,
                                   ws->company_name ? ws->company_name : "");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "dealwright");
    /* the proposal's own date, so the same proposal gives the same file */
    const char *at = dw_json_str(data, "written_at");
    if (at)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, at);
    snprintf(p.footer, sizeof p.footer, "%s  ·  %s %s", ws->company_name ? ws->company_name : "",
             p.w->proposal, dw_json_str(data, "deal") ? dw_json_str(data, "deal") : "");
    char *body = NULL;
    const char *md = dw_json_str(data, "markdown");
    if (md && strlen(md) > MD_MAX) {
        cairo_surface_destroy(s);
        return dw_error_set(err, -DW_ETOOBIG, "the proposal's Markdown is over %u bytes", MD_MAX);
    }
    p.cr = cairo_create(s);
    p.ctx = pango_cairo_create_context(p.cr);
    if (md) {
        p.md_len = strlen(md);
        p.md = body = md_split_footnotes(&p, md, p.md_len);
    }
    /* count the pages, then draw them */
    p.draw = false;
    int r = md && !body ? -DW_ENOMEM : document(&p);
    p.pages = p.page;
    p.draw = true;
    if (r >= 0)
        r = document(&p);
    for (int i = 0; i < FOOTNOTES_MAX; i++)
        free(p.fn_def[i]);
    free(body);
    g_object_unref(p.ctx);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (r < 0) {
        dw_buf_release(&out);
        return dw_error_set(err, r, "the proposal's Markdown could not be laid out");
    }
    if (st != CAIRO_STATUS_SUCCESS) {
        dw_buf_release(&out);
        return dw_error_set(err, -DW_EINTERNAL, "the PDF could not be written: %s",
                            cairo_status_to_string(st));
    }
    *ret_len = out.len;
    *ret = dw_buf_steal(&out);
    return 0;
}

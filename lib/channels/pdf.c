/* channels/pdf — the proposal as a PDF a customer can file, print and sign.
 *
 * Laid out with pango (text shaping, line breaking, any script the fonts cover) onto cairo's
 * PDF surface, from the deal's structured data (document.h describes it), never from the
 * Markdown: a table row is a unit that moves whole to the next page, a table continued there
 * repeats its header, a citation becomes a footnote at the foot of the page where it is
 * first cited, and every page says "Page N of M" in the document's language.
 *
 * The layout runs twice over the same data: once to count the pages (nothing drawn), then
 * to draw with the count known. Both runs take the same decisions, since they measure with
 * the same pango context. Every text is set with pango_layout_set_text — never markup — so
 * a customer's name or company is text whatever characters it holds. Money is written by
 * dw_lang_money from integer minor units, so what the PDF shows is the stored quote to the
 * cent.
 */
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
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
    return ref > 0 && ref < FOOTNOTES_MAX && !p->cited[ref] && citation(p, ref);
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

static void quote_table(struct pdf *p) {
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
    char buf[1024];
    heading(p, p->w->quote, 60);
    dw_doc_fill(buf, sizeof buf, p->w->prices_in, 1,
                (const char *const[]){dw_json_str(q, "currency")});
    paragraph(p, buf, 8.5, false, 6, 0.3);
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

static void document(struct pdf *p) {
    memset(p->cited, 0, sizeof p->cited);
    p->page = 0;
    p->n_fns = 0;
    page_begin(p);
    letterhead(p);
    title_block(p);
    solution(p);
    claims(p);
    quote_table(p);
    totals(p);
    validity(p);
    terms(p);
    signature(p);
    page_end(p);
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
    const char *company = dw_json_str(json_object_get(data, "customer"), "company");
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
    p.cr = cairo_create(s);
    p.ctx = pango_cairo_create_context(p.cr);
    /* count the pages, then draw them */
    p.draw = false;
    document(&p);
    p.pages = p.page;
    p.draw = true;
    document(&p);
    g_object_unref(p.ctx);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        dw_buf_release(&out);
        return dw_error_set(err, -DW_EINTERNAL, "the PDF could not be written: %s",
                            cairo_status_to_string(st));
    }
    *ret_len = out.len;
    *ret = dw_buf_steal(&out);
    return 0;
}

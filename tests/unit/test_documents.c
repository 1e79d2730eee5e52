/* The proposal documents (lib/channels/): the PDF read back with poppler's pdftotext — a
 * long quote across pages keeps every row whole and repeats the table header, every page
 * says "Page N of M", each citation is a footnote on the page that cites it, money to the
 * cent in the language's format — and the HTML escaped and balanced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "channels/document.h"
#include "engines/lang.h"
#include "testutil.h"

static struct dw_workspace *load(void) {
    const char *src = getenv("DW_SOURCE_ROOT");
    char root[512];
    snprintf(root, sizeof root, "%s/example", src ? src : ".");
    struct dw_workspace *ws = NULL;
    struct dw_diags diags = {0};
    int r = dw_workspace_load(root, &ws, &diags);
    dw_diags_release(&diags);
    assert_int_equal(r, 0);
    return ws;
}

/* A quote of n lines (every third monthly for 24 months, every fifth discounted 10 %),
 * its totals summed here, and a claim with a citation for every fourth line. */
static json_t *long_quote(int n, const char *lang, int64_t *ret_total) {
    json_t *lines = json_array(), *claims = json_array(), *cites = json_array();
    int64_t sub = 0, disc = 0;
    for (int i = 0; i < n; i++) {
        char sku[32], name[64];
        snprintf(sku, sizeof sku, "NW-LIC-SDWAN-%04d", i + 1); /* the catalog's longest form */
        snprintf(name, sizeof name, "Test item number %d with a longer name", i + 1);
        bool monthly = i % 3 == 0;
        int64_t unit = 1000 + 37 * i, qty = 1 + i % 7;
        int64_t amount = unit * qty * (monthly ? 24 : 1);
        int64_t d = i % 5 == 0 ? amount / 10 : 0;
        sub += amount;
        disc += d;
        json_array_append_new(
            lines, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:o}", "sku", sku, "name", name,
                             "quantity", (json_int_t)qty, "unit_price", (json_int_t)unit, "amount",
                             (json_int_t)amount, "discount", (json_int_t)d, "net",
                             (json_int_t)(amount - d), "billing", monthly ? "monthly" : "one_time",
                             "term_months", monthly ? json_integer(24) : json_null()));
        if (i % 4 == 0) {
            int ref = i / 4 + 1;
            char text[160], path[64];
            snprintf(text, sizeof text, "Claim %d about item %d, from the knowledge base.", ref,
                     i + 1);
            snprintf(path, sizeof path, "knowledge/doc-%d.md", ref);
            json_array_append_new(claims, json_pack("{s:s,s:i}", "text", text, "ref", ref));
            json_array_append_new(cites, json_pack("{s:i,s:s,s:s,s:s}", "ref", ref, "path", path,
                                                   "heading", "Heading", "anchor", "a"));
        }
    }
    *ret_total = sub - disc;
    return json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:[],s:o,s:o,s:{s:s,s:s,s:i,s:i,"
                     "s:I,s:I,s:I,s:I,s:i,s:o},s:{s:b,s:b}}",
                     "deal", "D-000042", "language", lang, "written_at", "2026-12-06T10:00:00Z",
                     "valid_until", "2027-01-05", "customer", "name", "Jana <b>Hartmann</b>",
                     "company", "Rheinwerk & Söhne <script>", "email", "jana@example.com",
                     "country", "DE", "solution", "claims", claims, "citations", cites, "quote",
                     "currency", "EUR", "hash",
                     "a49e63f329c11470943c6955c6e83c35432c8ceb1c429c84f2762f3a1efbc56a", "revision",
                     3, "digits", 2, "subtotal", (json_int_t)sub, "discount", (json_int_t)disc,
                     "total", (json_int_t)(sub - disc), "discount_bp", (json_int_t)0, "term_months",
                     24, "lines", lines, "terms", "dpa", 1, "export_review", 0);
}

/* pdftotext of page `page` (0: all) of the PDF bytes. */
static char *pdf_text(const char *pdf, size_t len, int page) {
    char path[] = "/tmp/dw-doc-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf, len), (ssize_t)len);
    close(fd);
    char cmd[256];
    if (page)
        snprintf(cmd, sizeof cmd, "pdftotext -layout -f %d -l %d '%s' - 2>/dev/null", page, page,
                 path);
    else
        snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' - 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    struct dw_buf b;
    dw_buf_init(&b, 1u << 24);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        dw_buf_append(&b, chunk, n);
    int rc = pclose(f);
    unlink(path);
    assert_int_equal(rc, 0); /* poppler-utils is a test package: it must be there */
    return dw_buf_steal(&b);
}

static int pdf_pages(const char *pdf, size_t len) {
    /* each page's "Page N of M" tells M; read it from the first page */
    char *t = pdf_text(pdf, len, 1);
    const char *p = strstr(t, " of ");
    int m = 0;
    while (p && sscanf(p, " of %d", &m) != 1)
        p = strstr(p + 1, " of ");
    free(t);
    return m;
}

static void test_long_quote_pages(void **state) {
    (void)state;
    struct dw_workspace *ws = load();
    int64_t total;
    json_t *data = long_quote(60, "en", &total);
    char *pdf = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    assert_int_equal(dw_doc_pdf(ws, data, &pdf, &len, &err), 0);
    assert_true(len > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
    int pages = pdf_pages(pdf, len);
    assert_true(pages >= 3);
    int rows_seen = 0, pages_with_rows = 0;
    for (int pg = 1; pg <= pages; pg++) {
        char *t = pdf_text(pdf, len, pg), want[64];
        snprintf(want, sizeof want, "Page %d of %d", pg, pages);
        assert_contains(t, want);
        int rows = 0;
        for (int i = 0; i < 60; i++) {
            char sku[32];
            snprintf(sku, sizeof sku, "NW-LIC-SDWAN-%04d", i + 1);
            /* the solution table is empty here, so a SKU is a quote row: whole on one page,
             * its unit price on the same line */
            const char *at = strstr(t, sku);
            if (!at)
                continue;
            rows++;
            const char *eol = strchr(at, '\n');
            char unit[32];
            int64_t u = 1000 + 37 * i;
            snprintf(unit, sizeof unit, "€%lld.%02lld", (long long)(u / 100), (long long)(u % 100));
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(eol ? eol - at : (long)strlen(at)), at);
            assert_contains(line, unit);
            if (i % 3 == 0) {
                assert_contains(line, "per month");
                assert_contains(eol, "× 24 months");
            }
        }
        if (rows) {
            pages_with_rows++;
            assert_contains(t, "Unit price"); /* the header, again on every page */
        }
        rows_seen += rows;
        free(t);
    }
    assert_int_equal(rows_seen, 60);
    assert_true(pages_with_rows >= 2);
    /* the totals and every footnote, once */
    char *all = pdf_text(pdf, len, 0), want[64];
    snprintf(want, sizeof want, "€%lld,%03lld.%02lld", (long long)(total / 100000),
             (long long)(total / 100 % 1000), (long long)(total % 100));
    assert_contains(all, want);
    assert_contains(all, "Rheinwerk & Söhne <script>");
    assert_contains(all, "Leopoldstraße 28");
    assert_contains(all, "[15] Heading — knowledge/doc-15.md#a");
    free(all);
    free(pdf);
    json_decref(data);
    dw_workspace_unref(ws);
}

static void test_german(void **state) {
    (void)state;
    struct dw_workspace *ws = load();
    int64_t total;
    json_t *data = long_quote(5, "de", &total);
    char *pdf = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    assert_int_equal(dw_doc_pdf(ws, data, &pdf, &len, &err), 0);
    char *t = pdf_text(pdf, len, 0), want[64];
    assert_contains(t, "Angebot für Rheinwerk & Söhne <script>");
    assert_contains(t, "Seite 1 von 2");
    assert_contains(t, "Seite 2 von 2");
    assert_contains(t, "gültig bis 5. Januar 2027");
    assert_contains(t, "pro Monat"); /* the terms cell: "per month" over "× 24 months" */
    assert_contains(t, "× 24 Monate");
    snprintf(want, sizeof want, "%lld.%03lld,%02lld €", (long long)(total / 100000),
             (long long)(total / 100 % 1000), (long long)(total % 100));
    assert_contains(t, want);
    free(t);
    free(pdf);
    json_decref(data);
    dw_workspace_unref(ws);
}

/* The PDF from the proposal's Markdown, as a company's template writes it: every block in
 * the template's words and order; customer text (a company named <b>ACME</b> & "Co" *x*) as
 * those characters, never markup; a paragraph longer than a page flows on; a long table of
 * the template's repeats its header on every page; the quote's lines and totals, recognised
 * by the stored quote's SKUs, nets and total, drawn from the stored quote (its per-line
 * terms), and no Markdown syntax left. */
static void test_markdown_pdf(void **state) {
    (void)state;
    struct dw_workspace *ws = load();
    int64_t total;
    json_t *data = long_quote(12, "en", &total);
    struct dw_buf md;
    dw_buf_init(&md, 1u << 22);
    dw_buf_puts(&md, "# Proposal for \\<b\\>ACME\\</b\\> & \"Co\" \\*x\\*\n\n"
                     "**Northwind** · *Proposal* D-000042 · `rev 3` &euro; &#x263A; bad\xff"
                     "byte [^1]\n\n## 1. Summary\n\nLong");
    for (int i = 1; i <= 2500; i++)
        dw_buf_printf(&md, " w%04d", i);
    dw_buf_puts(&md, ".\n\n## 2. Parts\n\n| Ref | Thing | N |\n|---|---|--:|\n");
    for (int i = 1; i <= 90; i++)
        dw_buf_printf(&md, "| P-%03d | part number %d | %d |\n", i, i, i);
    dw_buf_puts(&md, "\n## 4. Quote\n\n| SKU | Item | Qty | Unit price | Billing | Amount | "
                     "Discount | Net |\n|---|---|--:|--:|---|--:|--:|--:|\n");
    size_t i;
    json_t *l;
    const json_t *q = json_object_get(data, "quote");
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        char net[64], tmp[64];
        dw_lang_money("en", dw_json_int(l, "net", 0), 2, "EUR", net, sizeof net);
        dw_lang_money("en", dw_json_int(l, "unit_price", 0), 2, "EUR", tmp, sizeof tmp);
        dw_buf_printf(&md, "| %s | %s | %lld | %s | monthly, 24 months | x | y | %s |\n",
                      dw_json_str(l, "sku"), dw_json_str(l, "name"),
                      (long long)dw_json_int(l, "quantity", 0), tmp, net);
    }
    char tot[64];
    dw_lang_money("en", total, 2, "EUR", tot, sizeof tot);
    dw_buf_printf(&md, "\n| | EUR |\n|---|--:|\n| **Total** | **%s** |\n\n", tot);
    dw_buf_puts(&md,
                "## 5. Terms\n\n- Payment 30 days net from invoice.\n- Liability is capped "
                "at 100 % of the fees.\n  1. nested one\n  2. nested two\n\n> **Not "
                "covered:** Wi-Fi survey\n\n---\n\n    code <i>line</i>\n\n## 6. Next steps\n\n"
                "1. Sign this proposal.\n\n[^1]: Source one, `knowledge/a.md#x`\n"
                "[^2]: Never cited.\n");
    json_object_set_new(data, "markdown", json_string_nocheck(md.data)); /* \xff: not UTF-8 */
    dw_buf_release(&md);
    char *pdf = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    assert_int_equal(dw_doc_pdf(ws, data, &pdf, &len, &err), 0);
    int pages = pdf_pages(pdf, len);
    assert_true(pages >= 4);
    char *all = pdf_text(pdf, len, 0);
    /* the title may wrap: look at the text with its lines joined */
    for (char *c = all; *c; c++)
        if (*c == '\n')
            *c = ' ';
    assert_contains(all, "Proposal for <b>ACME</b> & \"Co\" *x*");
    assert_contains(all, "Northwind · Proposal D-000042 · rev 3 € ☺ bad\xef\xbf\xbd"
                         "byte");
    assert_contains(all, "w0001");
    assert_contains(all, "w2500.");
    assert_contains(all, "Payment 30 days net from invoice.");
    assert_contains(all, "Liability is capped at 100 % of the fees.");
    assert_contains(all, "nested two");
    assert_contains(all, "Not covered: Wi-Fi survey");
    assert_contains(all, "code <i>line</i>");
    assert_contains(all, "6. Next steps");
    assert_contains(all, "Sign this proposal.");
    assert_contains(all, "[1] Source one, knowledge/a.md#x");
    assert_contains(all, "[2] Never cited.");
    assert_contains(all, "per month"); /* the stored quote's terms, not the template's */
    assert_null(strstr(all, "monthly, 24 months"));
    assert_contains(all, "Acceptance");
    const char *leaks[] = {"**", "[^", "`", "|---", "&euro;", "&amp;", "&lt;"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(leaks); k++)
        assert_null(strstr(all, leaks[k]));
    free(all);
    /* the words of the long paragraph in order, every part row whole with its header above
     * it on each page, and "Page N of M" */
    int last = 0, parts = 0;
    for (int pg = 1; pg <= pages; pg++) {
        char *t = pdf_text(pdf, len, pg), want[64];
        snprintf(want, sizeof want, "Page %d of %d", pg, pages);
        assert_contains(t, want);
        for (const char *w = strchr(t, 'w'); w; w = strchr(w + 1, 'w')) {
            int n;
            if ((w == t || w[-1] == ' ' || w[-1] == '\n') && sscanf(w, "w%4d", &n) == 1 &&
                n == last + 1)
                last = n;
        }
        int here = 0;
        for (int k = 1; k <= 90; k++) {
            char ref[16];
            snprintf(ref, sizeof ref, "P-%03d", k);
            const char *at = strstr(t, ref);
            if (!at)
                continue;
            char line[160];
            const char *eol = strchr(at, '\n');
            snprintf(line, sizeof line, "%.*s", (int)(eol ? eol - at : 40), at);
            snprintf(want, sizeof want, "part number %d", k);
            assert_contains(line, want);
            here++;
        }
        if (here)
            assert_contains(t, "Thing");
        parts += here;
        free(t);
    }
    assert_int_equal(last, 2500);
    assert_int_equal(parts, 90);
    free(pdf);
    json_decref(data);
    dw_workspace_unref(ws);
}

static void test_html_escaped(void **state) {
    (void)state;
    const char md[] = "# Proposal for Acme \\<script>\n\n<script>alert(1)</script>\n\n"
                      "| a | b |\n|---|--:|\n| x | 1 |\n\nClaim [^3]\n";
    char *html = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    assert_int_equal(dw_doc_html(md, strlen(md), true, "de", "T <x>", &html, &len, &err), 0);
    assert_null(strstr(html, "<script"));
    assert_contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_contains(html, "<html lang=\"de\">");
    assert_contains(html, "<title>T &lt;x&gt;</title>");
    assert_contains(html, "<table>");
    assert_contains(html, "<sup class=\"fn\">[3]</sup>");
    free(html);
    char buf[64];
    assert_string_equal(dw_doc_fill(buf, sizeof buf, "Seite %d von %d (100 %%)", 2,
                                    (const char *const[]){"2", "3"}),
                        "Seite 2 von 3 (100 %)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_quote_pages),
        cmocka_unit_test(test_german),
        cmocka_unit_test(test_markdown_pdf),
        cmocka_unit_test(test_html_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

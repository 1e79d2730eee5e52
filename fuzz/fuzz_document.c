/* fuzz-document — the proposal's Markdown to HTML (lib/channels/document.c, md4c).
 *
 * Input: the Markdown of a proposal. Checked beyond "no crash, no leak, no UB": the page
 * never holds an element the Markdown did not make — raw HTML in the input (a <script>, an
 * <img onerror>, a <style>) is shown as text, so no "<script", "<style" or "<iframe" reaches
 * the output but the page's own <style>, once; an "<img" is only the one a Markdown image
 * makes (`![alt](src)`: md4c writes `<img src="` with the attributes escaped), never one
 * from raw HTML — and the output is NUL-terminated with the length it says.
 *
 * The same Markdown then as the PDF's (lib/channels/pdf.c: md4c's blocks laid out with
 * pango, text escaped into pango markup, a quote of two lines whose rows and total the
 * Markdown may or may not hold): it must render, and be a PDF.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/document.h"

#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dw_workspace *ws;
static json_t *quote;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    char root[4096];
    fuzz_example_root(root, sizeof root);
    struct dw_diags diags = {0};
    if (dw_base_init() < 0 || dw_workspace_load(root, &ws, &diags) < 0) {
        fprintf(stderr, "fuzz-document: cannot load the example at %s\n", root);
        abort();
    }
    dw_diags_release(&diags);
    quote =
        json_pack("{s:s,s:i,s:i,s:s,s:I,s:I,s:I,s:i,s:[{s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:s},"
                  "{s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:s,s:i}]}",
                  "currency", "EUR", "digits", 2, "revision", 1, "hash", "ab12", "subtotal",
                  (json_int_t)1015000, "discount", (json_int_t)0, "total", (json_int_t)1015000,
                  "discount_bp", 0, "lines", "sku", "NW-EDGE-50", "name", "Edge Gateway 50",
                  "quantity", 12, "unit_price", (json_int_t)65000, "amount", (json_int_t)780000,
                  "discount", (json_int_t)0, "net", (json_int_t)780000, "billing", "one_time",
                  "sku", "NW-LIC-SDWAN-100", "name", "SD-WAN Licence", "quantity", 12, "unit_price",
                  (json_int_t)2400, "amount", (json_int_t)235000, "discount", (json_int_t)0, "net",
                  (json_int_t)235000, "billing", "monthly", "term_months", 12);
    if (!quote)
        abort();
    return 0;
}

static void pdf(const uint8_t *data, size_t size) {
    json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:O,s:[],s:o}", "deal", "D-000001", "language",
                          size && data[0] & 1 ? "de" : "en", "written_at", "2026-12-06T10:00:00Z",
                          "valid_until", "2027-01-05", "customer", "company",
                          "<b>ACME</b> & \"Co\" *x*", "quote", quote, "citations", "markdown",
                          json_stringn_nocheck((const char *)data, size));
    char *out = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    if (!d)
        abort();
    if (dw_doc_pdf(ws, d, &out, &len, &err) < 0 || len < 5 || memcmp(out, "%PDF-", 5) != 0)
        abort();
    free(out);
    json_decref(d);
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *html = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    if (dw_doc_html((const char *)data, size, true, "en", "T", &html, &len, &err) < 0)
        return 0;
    if (strlen(html) != len || strstr(html, "<script") || strstr(html, "<iframe") ||
        count(html, "<style") != 1)
        abort();
    for (const char *p = strstr(html, "<img"); p; p = strstr(p + 1, "<img"))
        if (strncmp(p, "<img src=\"", 10) != 0)
            abort();
    free(html);
    if (size <= 65536) /* a PDF takes milliseconds: larger inputs only through the HTML */
        pdf(data, size);
    return 0;
}

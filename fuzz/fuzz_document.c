/* fuzz-document — the proposal's Markdown to HTML (lib/channels/document.c, md4c).
 *
 * Input: the Markdown of a proposal. Checked beyond "no crash, no leak, no UB": the page
 * never holds an element the Markdown did not make — raw HTML in the input (a <script>, an
 * <img onerror>, a <style>) is shown as text, so no "<script", "<style" or "<iframe" reaches
 * the output but the page's own <style>, once; an "<img" is only the one a Markdown image
 * makes (`![alt](src)`: md4c writes `<img src="` with the attributes escaped), never one
 * from raw HTML — and the output is NUL-terminated with the length it says.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    return 0;
}

/* The proposal as a document (include/dealwright/documents.h): the deal's data gathered in
 * one snapshot of the store and handed to the channels layer's renderers (HTML from the
 * proposal's Markdown, PDF from the structured data). docs/internals/documents.md. */
#include <stdlib.h>
#include <string.h>

#include "channels/document.h"
#include "internal.h"
#include <dealwright/documents.h>

enum fmt { F_MD, F_HTML, F_PDF };

static int parse_format(const char *format, enum fmt *ret, struct dw_error *err) {
    if (!format || strcmp(format, "md") == 0 || strcmp(format, "markdown") == 0)
        *ret = F_MD;
    else if (strcmp(format, "html") == 0)
        *ret = F_HTML;
    else if (strcmp(format, "pdf") == 0)
        *ret = F_PDF;
    else
        return dw_error_field(err, -DW_EINVAL, "format", "format: md, html or pdf, got '%.40s'",
                              format);
    return 0;
}

const char *dw_doc_content_type(const char *format) {
    enum fmt f = F_MD;
    if (parse_format(format, &f, NULL) < 0)
        return NULL;
    return f == F_MD     ? "text/markdown; charset=utf-8"
           : f == F_HTML ? "text/html; charset=utf-8"
                         : "application/pdf";
}

const char *dw_doc_stylesheet(void) {
    return dw_doc_css;
}

/* The solution's lines with the catalog's description of each item. */
static json_t *solution_lines(const struct dw_workspace *ws, const json_t *sol) {
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(sol, "lines"), i, l) {
        const char *sku = dw_json_str(l, "sku");
        const struct dw_item *it = sku ? dw_ws_item(ws, sku) : NULL;
        json_array_append_new(out, json_pack("{s:s?,s:O?,s:O?,s:s}", "sku", sku, "name",
                                             json_object_get(l, "name"), "quantity",
                                             json_object_get(l, "quantity"), "description",
                                             it && it->description ? it->description : ""));
    }
    return out;
}

/* Who the proposal is for: the deal's contact, the country the requirements settled on. */
static json_t *customer(const json_t *leads, const json_t *req) {
    _cleanup_json_ json_t *contact = dw__deal_contact(leads);
    json_t *c = json_object();
    static const char *const keys[] = {"name", "company", "email", "country"};
    for (size_t i = 0; c && i < DW_ARRAY_SIZE(keys); i++) {
        const char *v = dw_json_str(contact, keys[i]);
        if (strcmp(keys[i], "country") == 0 && dw_json_str(json_object_get(req, "country"), "code"))
            v = dw_json_str(json_object_get(req, "country"), "code");
        if (v)
            json_object_set_new(c, keys[i], json_string(v));
    }
    return c;
}

/* Everything dw_doc_pdf reads (channels/document.h), from the store as it is now. */
int dw__proposal_data(struct dw_engine *e, int64_t deal_id, json_t **ret_proposal, json_t **ret,
                      struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *proposal = NULL, *quote = NULL, *sol = NULL, *contract = NULL,
                          *req = NULL, *leads = NULL;
    r = s->ops->doc_get(s, deal_id, "proposal", &proposal, err);
    if (r == -DW_ENOENT)
        return dw_error_set(err, r, "%s has no proposal yet (stage %s)", DW_ID('D', deal_id),
                            dw_stage_name(d.stage));
    if (r < 0)
        return r;
    int rev = (int)dw_json_int(proposal, "quote_revision", 0);
    if ((r = s->ops->quote_get(s, deal_id, rev, &quote, err)) < 0)
        return r;
    static const char *const kinds[] = {"solution", "contract", "requirements"};
    json_t **docs[] = {&sol, &contract, &req};
    for (size_t i = 0; i < DW_ARRAY_SIZE(kinds); i++) {
        r = s->ops->doc_get(s, deal_id, kinds[i], docs[i], err);
        if (r == -DW_ENOENT)
            *docs[i] = json_object();
        else if (r < 0)
            return r;
    }
    if ((r = s->ops->leads_for_deal(s, deal_id, &leads, err)) < 0)
        return r;
    const char *lang = dw_json_str(proposal, "document_language");
    const char *st = dw_json_str(json_object_get(contract, "export_control"), "status");
    json_t *data = json_pack(
        "{s:s,s:s,s:O?,s:O?,s:o,s:o,s:O?,s:O?,s:O,s:{s:b,s:b},s:O?}", "deal", DW_ID('D', deal_id),
        "language", lang ? lang : "en", "written_at", json_object_get(proposal, "written_at"),
        "valid_until", json_object_get(proposal, "valid_until"), "customer", customer(leads, req),
        "solution", solution_lines(e->ws, sol), "claims", json_object_get(proposal, "claims"),
        "citations", json_object_get(proposal, "citations"), "quote", quote, "terms", "dpa",
        dw_json_bool(contract, "dpa", false), "export_review", st && strcmp(st, "review") == 0,
        "markdown", json_object_get(proposal, "markdown"));
    if (!data)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = data;
    if (ret_proposal)
        *ret_proposal = json_incref(proposal);
    return 0;
}

int dw__proposal_html(struct dw_engine *e, const json_t *proposal, const char *deal, bool page,
                      char **ret, size_t *ret_len, struct dw_error *err) {
    const char *md = dw_json_str(proposal, "markdown");
    const char *lang = dw_json_str(proposal, "document_language");
    char title[96];
    snprintf(title, sizeof title, "%s %s", dw_doc_words(lang)->proposal, deal);
    (void)e;
    return dw_doc_html(md ? md : "", md ? strlen(md) : 0, page, lang, title, ret, ret_len, err);
}

static int render(struct dw_engine *e, int64_t deal_id, enum fmt f, char **ret, size_t *ret_len,
                  struct dw_error *err) {
    _cleanup_json_ json_t *data = NULL, *proposal = NULL;
    int r = dw__proposal_data(e, deal_id, &proposal, &data, err);
    if (r < 0)
        return r;
    if (f == F_PDF)
        return dw_doc_pdf(e->ws, data, ret, ret_len, err);
    if (f == F_HTML)
        return dw__proposal_html(e, proposal, DW_ID('D', deal_id), true, ret, ret_len, err);
    const char *md = dw_json_str(proposal, "markdown");
    if (!(*ret = strdup(md ? md : "")))
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret_len = strlen(*ret);
    return 0;
}

int dw_deal_proposal_render(struct dw_engine *e, int64_t deal_id, const char *format,
                            char **ret_bytes, size_t *ret_len, struct dw_error *err) {
    enum fmt f = F_MD;
    int r = parse_format(format, &f, err);
    if (r < 0)
        return r;
    struct dw_store *s = e->store;
    bool snap = s->ops->snapshot && s->ops->snapshot(s, NULL) == 0;
    char *bytes = NULL;
    size_t len = 0;
    r = render(e, deal_id, f, &bytes, &len, err);
    if (snap)
        s->ops->rollback(s);
    if (r < 0)
        return r;
    *ret_bytes = bytes;
    *ret_len = len;
    return 0;
}

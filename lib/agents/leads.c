/* Reading a deal's leads: helpers several agents share, so that "the deal's contact",
 * "a repeated message" and "when the customer last wrote" mean the same everywhere. */
#include <string.h>

#include "agents/agent.h"
#include "engines/lang.h"
#include "engines/rulevars.h"
#include "rules/mustache.h"

bool dw__lead_is_duplicate(const json_t *lead) {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(json_object_get(lead, "intake"), "flags"), i, f) {
        if (json_is_string(f) && strcmp(json_string_value(f), "duplicate_content") == 0)
            return true;
    }
    return false;
}

json_t *dw__deal_contact(const json_t *leads) {
    json_t *contact = json_object();
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(json_object_get(lead, "intake"), "contact"), key, v) {
            if (json_is_string(v) && json_string_length(v) > 0 &&
                json_object_set(contact, key, v) < 0) {
                json_decref(contact);
                return NULL;
            }
        }
    }
    return contact;
}

int dw__latest_received(const json_t *leads, dw_time_t *ret) {
    int r = -DW_ENOENT;
    size_t i;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        dw_time_t t;
        if (!dw__lead_is_duplicate(lead) &&
            dw_time_parse(dw_json_str(lead, "received_at"), &t) == 0) {
            *ret = t;
            r = 0;
        }
    }
    return r;
}

/* ---- what the workspace's rules read ------------------------------------------------- */

void dw__rule_docs_release(struct dw__rule_docs *d) {
    json_decref((json_t *)d->leads);
    json_decref(d->contact);
    json_decref((json_t *)d->discovery);
    json_decref((json_t *)d->requirements);
    memset(d, 0, sizeof *d);
}

int dw__rule_inputs(struct dw_agent_ctx *ctx, struct dw__rule_docs *d, struct dw_rule_inputs *in) {
    memset(d, 0, sizeof *d);
    memset(in, 0, sizeof *in);
    int r = DW_TOOL(ctx, leads, &d->leads);
    if (r < 0)
        return r;
    if ((r = DW_TOOL(ctx, doc_get, "discovery", &d->discovery)) < 0 && r != -DW_ENOENT)
        return r;
    if ((r = DW_TOOL(ctx, doc_get, "requirements", &d->requirements)) < 0 && r != -DW_ENOENT)
        return r;
    d->contact = dw__deal_contact(d->leads);
    if (!d->contact)
        return -DW_ENOMEM;
    const json_t *first = json_array_get(d->leads, 0);
    in->lead = first;
    in->contact = d->contact;
    in->flags = json_object_get(json_object_get(first, "intake"), "flags");
    in->messages = (int)json_array_size(d->leads);
    in->discovery = d->discovery;
    in->requirements = d->requirements;
    dw_id_format('D', ctx->deal_id, d->deal_id, sizeof d->deal_id);
    in->deal_id = d->deal_id;
    in->now = ctx->now;
    return 0;
}

/* ---- the customer's language ------------------------------------------------------- */

int dw__customer_language(const struct dw_workspace *ws, const json_t *leads, const char *name,
                          struct dw__doc_language *ret) {
    struct dw_buf b;
    dw_buf_init(&b, 8 * DW_LEAD_MAX_MESSAGE);
    size_t i;
    json_t *lead;
    int r = 0;
    json_array_foreach(leads, i, lead) {
        if (dw__lead_is_duplicate(lead))
            continue;
        const char *subject = dw_json_str(json_object_get(lead, "raw"), "subject");
        const char *text = dw_json_str(json_object_get(lead, "intake"), "text");
        if (subject && r == 0)
            r = dw_buf_printf(&b, "%s\n\n", subject);
        if (text && r == 0)
            r = dw_buf_printf(&b, "%s\n\n", text);
    }
    if (r < 0 && r != -DW_ETOOBIG) {
        dw_buf_release(&b);
        return r;
    }
    ret->detected = dw_lang_detect(b.data ? b.data : "", b.len, NULL);
    dw_buf_release(&b);
    ret->tmpl = dw_ws_template(ws, name, ret->detected ? ret->detected : ws->language,
                               &ret->partials, &ret->used);
    ret->fallback = !ret->detected || strcmp(ret->detected, ret->used) != 0;
    return 0;
}

/* ---- templates ------------------------------------------------------------------------ */

/* The workspace's proposal and reply templates parsed once per snapshot (dw_ws_memo):
 * each template of the snapshot with its parsed form, NULL where it does not parse (it is
 * then rendered from its text, which reports the error as before). */
struct parsed_templates {
    size_t n;
    struct {
        const struct dw_template *t;
        struct dw_mustache_tmpl *parsed;
    } v[2 * DW_WS_TEMPLATE_SETS + 2];
};

static void parsed_templates_free(void *p) {
    struct parsed_templates *pt = p;
    for (size_t i = 0; pt && i < pt->n; i++)
        dw_mustache_tmpl_free(pt->v[i].parsed);
    free(pt);
}

static void *parsed_templates_build(const struct dw_workspace *ws, void *ud) {
    (void)ud;
    struct parsed_templates *pt = calloc(1, sizeof *pt);
    if (!pt)
        return NULL;
    const struct dw_template *all[2 * DW_WS_TEMPLATE_SETS + 2] = {&ws->proposal_template,
                                                                  &ws->reply_template};
    size_t n = 2;
    for (size_t i = 0; i < DW_WS_TEMPLATE_SETS; i++) {
        all[n++] = &ws->template_sets[i].proposal;
        all[n++] = &ws->template_sets[i].reply;
    }
    for (size_t i = 0; i < n; i++) {
        struct dw_error err = {0};
        pt->v[pt->n].t = all[i];
        if (all[i]->text &&
            dw_mustache_compile(all[i]->text, all[i]->len, &pt->v[pt->n].parsed, &err) < 0)
            pt->v[pt->n].parsed = NULL;
        pt->n++;
    }
    return pt;
}

int dw__render_template(const struct dw_workspace *ws, const struct dw_template *t,
                        const json_t *view, const struct dw_mustache_opts *opts, char **ret,
                        struct dw_error *err) {
    const struct parsed_templates *pt =
        dw_ws_memo(ws, DW_WS_MEMO_TEMPLATES, parsed_templates_build, NULL, parsed_templates_free);
    for (size_t i = 0; pt && i < pt->n; i++)
        if (pt->v[i].t == t && pt->v[i].parsed)
            return dw_mustache_render_tmpl(pt->v[i].parsed, view, opts, ret, err);
    return dw_mustache_render(t->text ? t->text : "", t->len, view, opts, ret, err);
}

/* Drafts a language model writes for agents (drafting.h): asked through the agent's tools,
 * checked by the engine, used only when every check passes.
 *
 * Why the template stays the fallback rather than a second attempt: a model that wrote a
 * wrong number once may write another; the company's template is correct by construction,
 * and the customer is better served by it than by a retry that may cost the deal a delay.
 */
#include <ctype.h>
#include <string.h>

#include "agents/drafting.h"

bool dw__model_task(const struct dw_workspace *ws, int task) {
    return ws->models && task >= 0 && task < DW_MODEL_TASK__N && ws->models->tasks[task].n > 0;
}

static void add_str(json_t *a, const char *s) {
    if (s && *s)
        json_array_append_new(a, json_string(s));
}

json_t *dw__deal_personal(const json_t *contact, const json_t *req) {
    json_t *out = json_array();
    if (!out)
        return NULL;
    add_str(out, dw_json_str(contact, "email"));
    add_str(out, dw_json_str(contact, "phone"));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(req, "contact_details"), i, e) {
        add_str(out, dw_json_str(e, "value"));
        add_str(out, dw_json_str(e, "text"));
    }
    const json_t *md = json_object_get(req, "meddicc");
    add_str(out, dw_json_str(json_object_get(md, "economic_buyer"), "value"));
    add_str(out, dw_json_str(json_object_get(md, "champion"), "value"));
    return out;
}

static json_t *text_schema(void) {
    return json_pack("{s:s,s:{s:{s:s,s:i,s:i}},s:[s],s:b}", "type", "object", "properties", "text",
                     "type", "string", "minLength", 1, "maxLength", DW_ASSIST_MAX_DRAFT, "required",
                     "text", "additionalProperties", false);
}

int dw__draft(struct dw_agent_ctx *ctx, const char *prompt, const char *purpose, const json_t *vars,
              const struct dw_draft_facts *facts, json_t **ret_report, json_t **ret_record) {
    *ret_report = NULL;
    *ret_record = NULL;
    _cleanup_json_ json_t *schema = text_schema();
    _cleanup_json_ json_t *rec = json_pack("{s:s}", "source", "template");
    if (!schema || !rec)
        return -DW_ENOMEM;
    struct dw_model_ask ask = {
        .task = "drafting", .prompt = prompt, .vars = vars, .schema = schema, .purpose = purpose};
    struct dw_model_answer ans;
    int r = DW_TOOL(ctx, ask_model, &ask, &ans);
    if (r < 0)
        return r;
    if (ans.model[0])
        json_object_set_new(rec, "model", json_string(ans.model));
    if (ans.replayed)
        json_object_set_new(rec, "replayed", json_true());
    if (!ans.json) {
        json_object_set_new(rec, "why", json_string(ans.why));
        *ret_record = json_incref(rec);
        return 0;
    }
    _cleanup_json_ json_t *answer = ans.json, *report = NULL;
    const char *text = dw_json_str(answer, "text");
    r = dw_assist_check_draft(facts, text ? text : "", &report, ctx->err);
    if (r < 0)
        return r;
    bool ok = dw_json_bool(report, "ok", false);
    if (ok) {
        json_object_set_new(rec, "source", json_string("model"));
    } else {
        json_object_set_new(rec, "why", json_string("the draft failed the checks"));
        json_object_set(rec, "failures", json_object_get(report, "failures"));
    }
    if (ans.call_id) {
        _cleanup_json_ json_t *detail =
            json_pack("{s:O}", "failures", json_object_get(report, "failures"));
        r = DW_TOOL(ctx, model_verdict, ans.call_id, ok ? "accepted" : "rejected", detail);
        if (r < 0)
            return r;
    }
    if (ok) {
        json_object_set(report, "text", answer ? json_object_get(answer, "text") : NULL);
        *ret_report = json_incref(report);
    }
    *ret_record = json_incref(rec);
    return 0;
}

json_t *dw__draft_sentences(const json_t *report) {
    json_t *out = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(report, "sentences"), i, s) {
        const char *t = dw_json_str(s, "text");
        if (!out || !t)
            continue;
        struct dw_buf b;
        dw_buf_init(&b, DW_ASSIST_MAX_DRAFT);
        for (size_t k = 0; t[k]; k++) {
            /* drop "[n]" / "[^n]" markers: the template writes the footnotes */
            if (t[k] == '[') {
                size_t e = k + 1 + (t[k + 1] == '^');
                size_t d = e;
                while (isdigit((unsigned char)t[e]))
                    e++;
                if (e > d && t[e] == ']') {
                    while (b.len && b.data[b.len - 1] == ' ')
                        b.data[--b.len] = '\0';
                    k = e;
                    continue;
                }
            }
            dw_buf_putc(&b, t[k]);
        }
        json_t *o = json_pack("{s:s,s:O}", "text", b.data ? b.data : "", "refs",
                              json_object_get(s, "refs"));
        dw_buf_release(&b);
        if (!o || json_array_append_new(out, o) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

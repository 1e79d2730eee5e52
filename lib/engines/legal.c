/* Contract readiness: the export-control verdict over every country signal of a deal, and
 * the legal trigger concepts in the customer's words (legal.h, docs/internals/contract.md).
 * Country mentions themselves are found in countries.c, next to the name tables. */
#include <stdlib.h>
#include <string.h>

#include "engines/legal.h"
#include "engines/qualify.h"
#include "rules/phrase.h"
#include "workspace/workspace.h"

static bool in_list(const char *s, char *const *list, size_t n) {
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

enum { ST_CLEAR, ST_REVIEW, ST_EMBARGOED };
static const char *const status_name[] = {"clear", "review", "embargoed"};

/* The status of one signal and the list that gave it (NULL when clear). */
static int signal_status(const struct dw_policies *p, const json_t *sig, const char **ret_list) {
    const char *cc = dw_json_str(sig, "code");
    const char *src = dw_json_str(sig, "source");
    const char *role = dw_json_str(sig, "role");
    bool stated = !src || strcmp(src, "message") != 0;
    bool touches = stated || dw_country_role_touches(role);
    *ret_list = NULL;
    if (in_list(cc, p->embargoed, p->n_embargoed)) {
        *ret_list = "embargoed";
        return touches ? ST_EMBARGOED : ST_REVIEW; /* in doubt: a person looks */
    }
    if (in_list(cc, p->export_review, p->n_export_review)) {
        if (role && strcmp(role, "other") == 0 && !stated)
            return ST_CLEAR; /* "our supplier in China": not where the deal goes */
        *ret_list = "review";
        return ST_REVIEW;
    }
    return ST_CLEAR;
}

int dw_export_decide(const struct dw_policies *p, const json_t *signals, json_t **ret) {
    *ret = NULL;
    json_t *countries = json_array();
    if (!countries)
        return -DW_ENOMEM;
    int worst = -1;
    const json_t *winner = NULL;
    const char *winner_list = NULL;
    size_t i;
    json_t *sig;
    json_array_foreach(signals, i, sig) {
        const char *cc = dw_json_str(sig, "code");
        if (!cc || strlen(cc) != 2 || strcmp(cc, "EU") == 0)
            continue; /* a group of countries names none for export control */
        const char *list;
        int st = signal_status(p, sig, &list);
        json_t *c = json_deep_copy(sig);
        if (!c || dw_json_set(c, "status", json_string(status_name[st])) < 0 ||
            dw_json_set(c, "list", list ? json_string(list) : json_null()) < 0 ||
            json_array_append_new(countries, c) < 0) {
            json_decref(countries);
            return -DW_ENOMEM;
        }
        if (st > worst) {
            worst = st;
            winner = sig;
            winner_list = list;
        }
    }
    json_t *o;
    if (!winner)
        o = json_pack("{s:n,s:s,s:s,s:o}", "country", "status", "review", "list", "unknown_country",
                      "countries", countries);
    else
        o = json_pack("{s:s,s:s,s:s?,s:o}", "country", dw_json_str(winner, "code"), "status",
                      status_name[worst], "list", worst == ST_CLEAR ? NULL : winner_list,
                      "countries", countries);
    if (!o)
        return -DW_ENOMEM;
    *ret = o;
    return 0;
}

/* Each trigger's patterns, compiled: once per workspace snapshot (dw_legal_scan_ws), or
 * once per call (dw_legal_scan). */
struct legal_compiled {
    size_t n;               /* triggers */
    struct dw_phrase ***ph; /* ph[k][j]: trigger k's pattern j */
};

static void compiled_free(void *v) {
    struct legal_compiled *c = v;
    if (!c)
        return;
    for (size_t k = 0; c->ph && k < c->n; k++) {
        for (size_t j = 0; c->ph[k] && c->ph[k][j]; j++)
            dw_phrase_free(c->ph[k][j]);
        free(c->ph[k]);
    }
    free(c->ph);
    free(c);
}

static int compile_all(const struct dw_policies *p, struct legal_compiled **ret,
                       struct dw_error *err) {
    struct legal_compiled *c = calloc(1, sizeof *c);
    if (!c || !(c->ph = calloc(p->n_legal_triggers + 1, sizeof *c->ph))) {
        free(c);
        return -DW_ENOMEM;
    }
    c->n = p->n_legal_triggers;
    for (size_t k = 0; k < c->n; k++) {
        const struct dw_legal_trigger *tr = &p->legal_triggers[k];
        if (!(c->ph[k] = calloc(tr->n_patterns + 1, sizeof *c->ph[k]))) {
            compiled_free(c);
            return -DW_ENOMEM;
        }
        for (size_t j = 0; j < tr->n_patterns; j++) {
            size_t col;
            int r = dw_phrase_compile(tr->patterns[j], &c->ph[k][j], &col, err);
            if (r < 0) {
                compiled_free(c);
                return r;
            }
        }
    }
    *ret = c;
    return 0;
}

static int scan(const struct dw_policies *p, const struct legal_compiled *c, const char *text,
                size_t len, json_t *hits) {
    struct dw_ptext t;
    bool prepared = false;
    int r = 0;
    for (size_t k = 0; r == 0 && k < p->n_legal_triggers; k++) {
        const struct dw_legal_trigger *tr = &p->legal_triggers[k];
        size_t s = 0, e = 0, best_s = SIZE_MAX, best_e = 0;
        const char *best_pat = NULL;
        if (tr->phrase && tr->phrase[0] && dw_phrase_find(text, len, tr->phrase, 0, &s, &e)) {
            best_s = s;
            best_e = e;
            best_pat = tr->phrase;
        }
        for (size_t j = 0; j < tr->n_patterns; j++) {
            if (!prepared) {
                if (dw_ptext_init(&t, text, len) < 0)
                    return -DW_ENOMEM;
                prepared = true;
            }
            size_t t0, t1;
            if (dw_phrase_match(c->ph[k][j], &t, 0, &t0, &t1) && t.tok[t0].start < best_s) {
                best_s = t.tok[t0].start;
                best_e = t.tok[t1 - 1].end;
                best_pat = tr->patterns[j];
            }
        }
        if (!best_pat)
            continue;
        const char *concept = tr->concept ? tr->concept : tr->phrase;
        json_t *h = json_pack("{s:s,s:s%,s:s,s:s,s:[I,I]}", "concept", concept, "phrase",
                              text + best_s, best_e - best_s, "pattern", best_pat, "reason",
                              tr->reason && tr->reason[0] ? tr->reason : concept, "span",
                              (json_int_t)best_s, (json_int_t)best_e);
        if (!h || json_array_append_new(hits, h) < 0)
            r = -DW_ENOMEM;
    }
    if (prepared)
        dw_ptext_release(&t);
    return r;
}

int dw_legal_scan(const struct dw_policies *p, const char *text, size_t len, json_t *hits,
                  struct dw_error *err) {
    struct legal_compiled *c = NULL;
    int r = compile_all(p, &c, err);
    if (r < 0)
        return r;
    r = scan(p, c, text, len, hits);
    compiled_free(c);
    return r;
}

static void *compiled_build(const struct dw_workspace *ws, void *ud) {
    struct legal_compiled *c = NULL;
    return compile_all(&ws->policies, &c, ud) < 0 ? NULL : c;
}

int dw_legal_scan_ws(const struct dw_workspace *ws, const char *text, size_t len, json_t *hits,
                     struct dw_error *err) {
    if (!ws->loaded) /* built by hand, not loaded: no memo, compiled for this call */
        return dw_legal_scan(&ws->policies, text, len, hits, err);
    const struct legal_compiled *c =
        ws->policies.n_legal_triggers
            ? dw_ws_memo(ws, DW_WS_MEMO_LEGAL, compiled_build, err, compiled_free)
            : NULL;
    if (ws->policies.n_legal_triggers && !c)
        return err && err->code ? err->code : -DW_ENOMEM;
    static const struct legal_compiled none = {0};
    return scan(&ws->policies, c ? c : &none, text, len, hits);
}

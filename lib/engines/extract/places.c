/* Data residency ("hosted in Germany", "EU only"), the customer's country and the
 * regions and cities named. */
#include "engines/extract/extract-internal.h"

/* ---- data residency and country ------------------------------------------------------- */

/* A region at j: "EU", "Europe", "the EU", "European Union", a country. code is "EU" for
 * the EU/EEA, else the country code. */
static bool region_at(const struct ctx *c, size_t j, bool article, const char **ret_code,
                      size_t *ret_end) {
    if (article && (is(c, j, "the") || is(c, j, "der") || is(c, j, "den") || is(c, j, "dem") ||
                    is(c, j, "die")))
        j++;
    size_t e;
    if (role(c, j, R_REGION)) {
        e = j + 1;
        if (is(c, e, "union"))
            e++;
        else if (is(c, e, "economic") && is(c, e + 1, "area"))
            e += 2;
        *ret_code = "EU";
        *ret_end = e;
        return true;
    }
    const struct phrase *p = dw__ex_vocab_at(c, &dw__ex_g.countries, j, &e);
    if (!p)
        return false;
    *ret_code = dw_country_is_eea(p->name) ? "EU" : p->name;
    *ret_end = e;
    return true;
}

static bool is_in_word(const struct ctx *c, size_t i) {
    return role(c, i, R_IN) || is(c, i, "inside") || is(c, i, "im") || is(c, i, "on");
}

/* "data must stay in the EU", "hosted in Germany", "Daten müssen in Deutschland bleiben". */
static bool residency_in(const struct ctx *c, size_t i, size_t *ret_t0, size_t *ret_t1,
                         const char **ret_code) {
    size_t re;
    if (!is_in_word(c, i) || !region_at(c, i + 1, true, ret_code, &re))
        return false;
    for (size_t k = i; k-- > 0 && i - k <= 6;) {
        if (clause_end(c, k))
            break;
        if (!role(c, k, R_RESID))
            continue;
        size_t t0 = k;
        bool ok = kval(c, k) == 1;
        for (size_t d = k; d-- > 0 && k - d <= 6;) { /* "data ... stay" */
            if (clause_end(c, d))
                break;
            if (role(c, d, R_DATA)) {
                t0 = d;
                ok = true;
                break;
            }
        }
        if (ok) {
            *ret_t0 = t0;
            *ret_t1 = re;
            return true;
        }
    }
    for (size_t d = i; d-- > 0 && i - d <= 6;) { /* German: the verb comes last */
        if (clause_end(c, d))
            break;
        if (!role(c, d, R_DATA))
            continue;
        for (size_t k = re; k < re + 3 && k < c->nt && !clause_end(c, k); k++)
            if (role(c, k, R_RESID)) {
                *ret_t0 = d;
                *ret_t1 = k + 1;
                return true;
            }
        break;
    }
    return false;
}

/* "EU data residency", "EU-hosted", "German data centres", "EU-only hosting". */
static bool residency_first(const struct ctx *c, size_t i, size_t *ret_t1, const char **ret_code) {
    size_t j;
    if (role(c, i, R_CADJ)) {
        int64_t v = kval(c, i);
        const char *name = NULL;
        for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(dw__ex_g.codes); k++)
            if (((dw__ex_g.codes[k][0] << 8) | dw__ex_g.codes[k][1]) == v) {
                name = dw__ex_g.codes[k];
                break;
            }
        if (!name)
            return false;
        *ret_code = dw_country_is_eea(name) ? "EU" : name;
        j = i + 1;
    } else if (!region_at(c, i, false, ret_code, &j)) {
        return false;
    }
    if (is(c, j, "-"))
        j++;
    if (is(c, j, "only"))
        j++;
    bool data = role(c, j, R_DATA);
    if (data)
        j++;
    if (!role(c, j, R_RESID) || (kval(c, j) != 1 && !data))
        return false;
    *ret_t1 = j + 1;
    return true;
}

json_t *dw__ex_extract_residency(struct ctx *c) {
    for (size_t i = 0; i < c->nt; i++) {
        size_t t0 = i, t1;
        const char *code;
        if (!residency_in(c, i, &t0, &t1, &code) && !residency_first(c, i, &t1, &code))
            continue;
        claim(c, t0, t1);
        return dw__ex_fact(c, "region", json_string(code), t0, t1);
    }
    return json_null();
}

/* A location word within four words before i: "based in", "offices in", "aus", or any
 * noun for premises in the six languages ("three Werke in", "magasins en"). */
static bool cue_before(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 4 && !sent_end(c, k);) {
        size_t e;
        const struct phrase *u;
        if (role(c, k, R_LOC) || (c->site_unit && wordish(c, k) && (u = dw__ex_unit_at(c, k, &e)) &&
                                  e <= i && strcmp(u->name, c->site_unit) == 0))
            return true;
    }
    return false;
}

/* A country adjective describing the customer: "a Dutch food producer", "our Italian
 * offices", "ein deutscher Händler" — followed by a noun, not by data words (that is
 * residency: "German data centres"). The code, or NULL. */
static const char *country_adjective(const struct ctx *c, size_t i) {
    size_t e;
    if (!role(c, i, R_CADJ) || c->claim[i] || !kind(c, i + 1, TK_WORD) ||
        role(c, i + 1, R_DATA | R_RESID | R_STOP | R_CADJ) ||
        dw__ex_vocab_at(c, &dw__ex_g.regions, i, &e))
        return NULL; /* "British Columbia" is a province, not an adjective */
    int64_t v = kval(c, i);
    for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(dw__ex_g.codes); k++)
        if (((dw__ex_g.codes[k][0] << 8) | dw__ex_g.codes[k][1]) == v)
            return dw__ex_g.codes[k];
    return NULL;
}

/* Is the country phrase p at i also a state of another country named in the text with its
 * neighbours? "Georgia" is the US state when the message names a US state or city ("stores
 * in Georgia and the Carolinas"), else the country. */
static bool state_not_country(const struct ctx *c, const struct phrase *p, size_t i) {
    if (strcmp(p->name, "GE") != 0 || !is(c, i, "georgia"))
        return false;
    for (size_t k = 0; k < c->nt; k++) {
        size_t e;
        const struct phrase *r = dw__ex_vocab_at(c, &dw__ex_g.regions, k, &e);
        if (r && strcmp(dw__ex_g.region_cc[r - dw__ex_g.region_ph], "US") == 0)
            return true;
        if (r)
            k = e - 1;
    }
    return false;
}

/* The first country named after a location word ("based in", "our sites in", "aus"), else
 * the first country named at all; mentions inside a residency phrase do not count. */
json_t *dw__ex_extract_country(struct ctx *c) {
    size_t f0 = 0, f1 = 0, e;
    bool cue_found = false;
    const struct phrase *first = NULL, *r;
    const char *adj_code = NULL, *region_code = NULL;
    for (size_t i = 0; i < c->nt; i++) {
        const struct phrase *p = dw__ex_vocab_at(c, &dw__ex_g.countries, i, &e);
        if (!p && (r = dw__ex_vocab_at(c, &dw__ex_g.regions, i, &e)) &&
            dw__ex_g.region_cc[r - dw__ex_g.region_ph][0] != '-' && !claimed(c, i, e) &&
            !(i > 0 && is(c, i - 1, "new")) && cue_before(c, i)) {
            /* "drei Werke in Sachsen und zwei Niederlassungen in Polen": the first place
             * after a location word, a state or city as much as a country */
            region_code = dw__ex_g.region_cc[r - dw__ex_g.region_ph];
            f0 = i;
            f1 = e;
            break;
        }
        if (!p && !first && !adj_code && (adj_code = country_adjective(c, i))) {
            /* "a Dutch food producer", "ein deutscher Händler": a country when none is
             * named before it */
            f0 = i;
            f1 = i + 1;
            continue;
        }
        if (!p || claimed(c, i, e) || (i > 0 && is(c, i - 1, "new")) || state_not_country(c, p, i))
            continue;
        if (adj_code && !cue_before(c, i))
            continue; /* the adjective came first: "a Swedish firm with plants in Poland" */
        bool cue = cue_before(c, i);
        if (cue || !first) {
            adj_code = NULL;
            first = p;
            f0 = i;
            f1 = e;
        }
        if (cue) {
            cue_found = true;
            break;
        }
        i = e - 1;
    }
    if (region_code) {
        json_t *o = dw__ex_fact(c, "code", json_string(region_code), f0, f1);
        dw__ex_put(c, o, "via", json_string("region"));
        dw__ex_put_conf(c, o, 85);
        return o;
    }
    if (!first && adj_code) {
        json_t *o = dw__ex_fact(c, "code", json_string(adj_code), f0, f1);
        dw__ex_put(c, o, "via", json_string("adjective"));
        dw__ex_put_conf(c, o, 75);
        return o;
    }
    if (!first)
        return json_null();
    json_t *o = dw__ex_fact(c, "code", json_string(first->name), f0, f1);
    dw__ex_put(c, o, "via", json_string(cue_found ? "location" : "named"));
    dw__ex_put_conf(c, o, cue_found ? 95 : 80);
    return o;
}

/* States, provinces and groups of countries, in text order, once each; a region inside a
 * residency phrase ("data stays in the EU") is where the data goes, not the customer. */
void dw__ex_extract_regions(struct ctx *c, json_t *arr) {
    for (size_t i = 0; i < c->nt && json_array_size(arr) < DW_EXTRACT_MAX_ITEMS;) {
        size_t e;
        const struct phrase *p = dw__ex_vocab_at(c, &dw__ex_g.regions, i, &e);
        if (!p || claimed(c, i, e) || (i > 0 && is(c, i - 1, "new"))) {
            i++;
            continue;
        }
        const char *cc = dw__ex_g.region_cc[p - dw__ex_g.region_ph];
        if (!dw__ex_has_name(arr, p->name)) {
            json_t *o = dw__ex_new_item(c);
            if (o) {
                dw__ex_put(c, o, "name", json_string(p->name));
                dw__ex_put(c, o, "kind",
                           json_string(dw__ex_g.region_city[p - dw__ex_g.region_ph] ? "city"
                                       : cc[0] == '-'                               ? "group"
                                                                                    : "state"));
                dw__ex_put(c, o, "country", cc[0] != '-' ? json_string(cc) : json_null());
                dw__ex_put_span(c, o, i, e);
                dw__ex_put_conf(c, o, dw__ex_phrase_conf(c, i, e, 90));
            }
            dw__ex_append(c, arr, o);
        }
        i = e;
    }
}

/* No country named: the country of the first state or province named ("40 plants across
 * Ohio, Michigan and Indiana"). */
json_t *dw__ex_country_from_regions(struct ctx *c, json_t *regions) {
    size_t i;
    json_t *r;
    json_array_foreach(regions, i, r) {
        const char *cc = dw_json_str(r, "country");
        if (!cc)
            continue;
        json_t *o = json_pack("{s:s,s:s,s:O,s:O,s:i}", "code", cc, "via", "region", "text",
                              json_object_get(r, "text"), "span", json_object_get(r, "span"),
                              "confidence", 70);
        if (!o)
            c->oom = true;
        return o;
    }
    return json_null();
}

/* Qualification scoring: five sub-scores from the deal's requirements and contact, a
 * weighted sum, a decision by the workspace's thresholds, and one sentence of evidence per
 * sub-score so a sales rep can see why without reading code.
 *
 * Unknown is not the same as bad: a budget, deadline or contact title nobody stated scores
 * 50, so a short first message is not thrown away for what it did not say; the required
 * facts and the grey zone between the thresholds turn into questions instead.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engines/qualify.h"
#include "engines/rulevars.h"
#include "engines/score.h"

#define SENTENCE_MAX 4096 /* bytes of one reason or question */
#define LIST_MAX 8        /* names listed in one sentence before "..." */
#define UNKNOWN 50        /* sub-score of a fact nobody stated */

/* ---- phrase matching ----------------------------------------------------------------- */

static bool word_byte(unsigned char c) {
    return isalnum(c) || c >= 0x80;
}

/* Does phrase match text at i? Sets *ret_end past the text matched. */
static bool match_at(const char *t, size_t len, size_t i, const char *p, size_t *ret_end) {
    size_t j = i;
    while (*p) {
        if (*p == ' ') {
            if (j >= len || !isspace((unsigned char)t[j]))
                return false;
            while (j < len && isspace((unsigned char)t[j]))
                j++;
            while (*p == ' ')
                p++;
            continue;
        }
        if (j >= len || tolower((unsigned char)t[j]) != tolower((unsigned char)*p))
            return false;
        j++;
        p++;
    }
    *ret_end = j;
    return true;
}

bool dw_phrase_find(const char *text, size_t len, const char *phrase, size_t from,
                    size_t *ret_start, size_t *ret_end) {
    if (!text || !phrase)
        return false;
    while (*phrase == ' ')
        phrase++;
    size_t plen = strlen(phrase);
    if (plen == 0)
        return false;
    bool word_start = word_byte((unsigned char)phrase[0]);
    bool word_end = word_byte((unsigned char)phrase[plen - 1]);
    for (size_t i = from; i < len; i++) {
        size_t end;
        if (word_start && i > 0 && word_byte((unsigned char)text[i - 1]))
            continue;
        if (!match_at(text, len, i, phrase, &end))
            continue;
        if (word_end && end < len && word_byte((unsigned char)text[end]))
            continue;
        *ret_start = i;
        *ret_end = end;
        return true;
    }
    return false;
}

static bool phrase_in(const char *text, const char *phrase) {
    size_t s, e;
    return text && dw_phrase_find(text, strlen(text), phrase, 0, &s, &e);
}

/* ---- small helpers --------------------------------------------------------------------- */

static bool in_list(const char *s, char *const *list, size_t n) {
    for (size_t i = 0; s && i < n; i++)
        if (dw_streq_ci(s, list[i]))
            return true;
    return false;
}

static const char *nonempty(const char *s) {
    return s && *s ? s : NULL;
}

/* Append a formatted sentence to arr, its first letter upper-cased. */
static int __attribute__((format(printf, 2, 3))) add_sentence(json_t *arr, const char *fmt, ...) {
    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);
    va_list ap;
    va_start(ap, fmt);
    int r = dw_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (r < 0) {
        dw_buf_release(&b);
        return r;
    }
    if (b.data && b.data[0] >= 'a' && b.data[0] <= 'z')
        b.data[0] = (char)(b.data[0] - 'a' + 'A');
    json_t *s = json_string(b.data ? b.data : "");
    dw_buf_release(&b);
    if (!s || json_array_append_new(arr, s) < 0)
        return -DW_ENOMEM;
    return 0;
}

/* "a, b and c" of a JSON array of strings, at most LIST_MAX names. */
static int join_names(struct dw_buf *b, const json_t *names) {
    size_t n = json_array_size(names);
    for (size_t i = 0; i < n && i < LIST_MAX; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == n ? " and " : ", ");
        int r = dw_buf_printf(b, "%s%s", sep, json_string_value(json_array_get(names, i)));
        if (r < 0)
            return r;
    }
    return n > LIST_MAX ? dw_buf_puts(b, ", ...") : 0;
}

static int currency_digits(const struct dw_workspace *ws, const char *code) {
    const struct dw_currency *c = dw_ws_currency(ws, code);
    if (c)
        return c->digits;
    return strcmp(code, "JPY") == 0 ? 0 : 2;
}

static const char *country_of(const json_t *req, const json_t *contact) {
    const char *cc = nonempty(dw_json_str(json_object_get(req, "country"), "code"));
    return cc ? cc : nonempty(dw_json_str(contact, "country"));
}

static bool item_covers(const struct dw_item *it, const char *cap) {
    for (size_t k = 0; k < it->n_capabilities; k++)
        if (strcmp(it->capabilities[k], cap) == 0)
            return true;
    return false;
}

static bool catalog_covers(const struct dw_workspace *ws, const char *cap) {
    for (size_t i = 0; i < ws->n_items; i++)
        if (item_covers(&ws->items[i], cap))
            return true;
    return false;
}

/* ---- required facts -------------------------------------------------------------------- */

/* Units (ws->units order) the items covering the wanted capabilities are sold by. */
static json_t *wanted_units(const struct dw_workspace *ws, const json_t *caps) {
    json_t *units = json_array();
    for (size_t u = 0; units && u < ws->n_units; u++) {
        const char *unit = ws->units[u].name;
        bool used = false;
        for (size_t i = 0; !used && i < ws->n_items; i++) {
            const struct dw_item *it = &ws->items[i];
            if (!it->quantity_unit || strcmp(it->quantity_unit, unit) != 0)
                continue;
            size_t k;
            json_t *c;
            json_array_foreach(caps, k, c) {
                const char *name = dw_json_str(c, "name");
                if (name && item_covers(it, name)) {
                    used = true;
                    break;
                }
            }
        }
        if (used && json_array_append_new(units, json_string(unit)) < 0) {
            json_decref(units);
            return NULL;
        }
    }
    return units;
}

/* A quantity counts when its unit is one the wanted items are sold by; with no capability
 * named (or none sold by a unit) any quantity does, and with wanted items none of which is
 * counted there is nothing to count and the fact is not needed. */
static bool quantity_known(const json_t *req, const json_t *units) {
    const json_t *caps = json_object_get(req, "capabilities");
    const json_t *qs = json_object_get(req, "quantities");
    if (json_array_size(caps) > 0 && json_array_size(units) == 0)
        return true;
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q) {
        const char *unit = dw_json_str(q, "unit");
        if (json_array_size(units) == 0)
            return true;
        size_t k;
        json_t *u;
        json_array_foreach(units, k, u) {
            if (unit && strcmp(unit, json_string_value(u)) == 0)
                return true;
        }
    }
    return false;
}

static bool fact_known(const char *fact, const json_t *req, const json_t *contact,
                       const json_t *units) {
    if (strcmp(fact, "quantity") == 0)
        return quantity_known(req, units);
    if (strcmp(fact, "capabilities") == 0)
        return json_array_size(json_object_get(req, "capabilities")) > 0;
    if (strcmp(fact, "country") == 0)
        return country_of(req, contact) != NULL;
    if (strcmp(fact, "budget") == 0)
        return json_is_object(json_object_get(req, "budget"));
    if (strcmp(fact, "deadline") == 0)
        return json_is_object(json_object_get(req, "deadline"));
    return true; /* the loader rejects other names; nothing to ask for one it let through */
}

/* Unit names in plain words ("data-centres" -> "data centres"). */
static int put_unit(struct dw_buf *b, const char *unit) {
    for (const char *p = unit; *p; p++) {
        int r = dw_buf_putc(b, *p == '-' ? ' ' : *p);
        if (r < 0)
            return r;
    }
    return 0;
}

static int quantity_question(const struct dw_workspace *ws, const json_t *units, json_t *out) {
    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);
    size_t n = json_array_size(units);
    int r = dw_buf_puts(&b, "How many ");
    if (n > 0) {
        for (size_t i = 0; r >= 0 && i < n && i < 3; i++) {
            if (i == 1)
                r = dw_buf_puts(&b, " (or ");
            else if (i == 2)
                r = dw_buf_puts(&b, " or ");
            if (r >= 0)
                r = put_unit(&b, json_string_value(json_array_get(units, i)));
        }
        if (r >= 0 && n > 1)
            r = dw_buf_putc(&b, ')');
    } else if (ws->n_units > 0) {
        size_t m = ws->n_units < 3 ? ws->n_units : 3;
        for (size_t i = 0; r >= 0 && i < m; i++) {
            const char *sep = i == 0 ? "" : (i + 1 == m ? " or " : ", ");
            r = dw_buf_puts(&b, sep);
            if (r >= 0)
                r = put_unit(&b, ws->units[i].name);
        }
    } else {
        r = dw_buf_puts(&b, "units");
    }
    if (r >= 0)
        r = dw_buf_puts(&b, " should the solution cover?");
    if (r >= 0)
        r = add_sentence(out, "%s", b.data);
    dw_buf_release(&b);
    return r;
}

static int capabilities_question(const struct dw_workspace *ws, json_t *out) {
    if (ws->n_capabilities == 0)
        return add_sentence(out, "What should the solution do for you?");
    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);
    size_t m = ws->n_capabilities < 3 ? ws->n_capabilities : 3;
    int r = 0;
    for (size_t i = 0; r >= 0 && i < m; i++)
        r = dw_buf_printf(&b, "%s%s", i == 0 ? "" : (i + 1 == m ? " or " : ", "),
                          ws->capabilities[i].name);
    if (r >= 0)
        r = add_sentence(out, "What should the solution do for you (for example %s)?", b.data);
    dw_buf_release(&b);
    return r;
}

static int question_for(const struct dw_workspace *ws, const char *fact, const json_t *units,
                        json_t *out) {
    if (strcmp(fact, "quantity") == 0)
        return quantity_question(ws, units, out);
    if (strcmp(fact, "capabilities") == 0)
        return capabilities_question(ws, out);
    if (strcmp(fact, "country") == 0)
        return add_sentence(out, "In which country will the solution be used?");
    if (strcmp(fact, "budget") == 0)
        return add_sentence(out, "What budget have you planned for this project, and in which "
                                 "currency?");
    if (strcmp(fact, "deadline") == 0)
        return add_sentence(out, "By when should the solution be in place?");
    if (strcmp(fact, "authority") == 0)
        return add_sentence(out, "Who will decide on the purchase, and what is your role?");
    return add_sentence(out, "Could you tell us more about the project: what it should "
                             "achieve, by when, and who will decide on it?");
}

/* ---- sub-scores ------------------------------------------------------------------------- */

/* What the sub-scores saw that the decision needs besides the score. */
struct evidence {
    char free_mail[256]; /* the sender's free-mail domain, "" if none */
    bool business;       /* a company, job title or target industry was named */
    bool budget_meets;   /* a stated budget at or above the minimum (or none is set) */
    bool budget_below;   /* a stated budget below the minimum */
    char budget[96];     /* "EUR 5000.00 is below the minimum of EUR 15000.00" */
};

/* Each scorer returns 0..100 or a negative DW_E*, and appends its one sentence. */

/* Append "; " and a formatted clause (no separator before the first). */
static int __attribute__((format(printf, 2, 3))) clause(struct dw_buf *b, const char *fmt, ...) {
    if (b->len && dw_buf_puts(b, "; ") < 0)
        return -DW_ETOOBIG;
    va_list ap;
    va_start(ap, fmt);
    int r = dw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

/* Four checks of 25 points: served country, target industry, company mail domain, company
 * named. */
static int score_fit(const struct dw_workspace *ws, const json_t *req, const json_t *contact,
                     struct evidence *ev, json_t *reasons) {
    const struct dw_qualification *q = &ws->qualification;
    int score = 0, r;
    _cleanup_free_ char *domain = NULL; /* before any goto: cleanup runs at out */
    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);

    const char *cc = country_of(req, contact);
    if (cc && (q->n_icp_countries == 0 || in_list(cc, q->icp_countries, q->n_icp_countries))) {
        score += 25;
        r = clause(&b, "country %s is a served market", cc);
    } else if (cc) {
        r = clause(&b, "country %s is outside the served markets", cc);
    } else {
        r = clause(&b, "the country is unknown");
    }
    if (r < 0)
        goto out;

    const char *industry = nonempty(dw_json_str(json_object_get(req, "industry"), "name"));
    const char *company = nonempty(dw_json_str(contact, "company"));
    const char *company_kw = NULL;
    for (size_t i = 0; !industry && company && !company_kw && i < q->n_icp_industries; i++)
        if (phrase_in(company, q->icp_industries[i]))
            company_kw = q->icp_industries[i];
    ev->business = industry || company || nonempty(dw_json_str(contact, "title"));
    if (industry) {
        score += 25;
        r = clause(&b, "industry '%s' is in the profile", industry);
    } else if (company_kw) {
        score += 25;
        r = clause(&b, "company name '%s' points to industry '%s'", company, company_kw);
    } else if (q->n_icp_industries == 0) {
        score += 25;
        r = clause(&b, "the profile names no industries");
    } else {
        r = clause(&b, "no target industry was mentioned");
    }
    if (r < 0)
        goto out;

    const char *email = nonempty(dw_json_str(contact, "email"));
    const char *at = email ? strrchr(email, '@') : NULL;
    domain = at && at[1] ? dw_strdup_lower(at + 1) : NULL;
    if (domain && in_list(domain, q->free_mail_domains, q->n_free_mail_domains)) {
        snprintf(ev->free_mail, sizeof ev->free_mail, "%s", domain);
        r = clause(&b, "free-mail address %s lowers fit", domain);
    } else if (domain) {
        score += 25;
        r = clause(&b, "mail comes from the company domain %s", domain);
    } else {
        r = clause(&b, "no mail domain to check");
    }
    if (r < 0)
        goto out;

    if (company) {
        score += 25;
        r = clause(&b, "company '%s' is named", company);
    } else {
        r = clause(&b, "no company was named");
    }
    if (r < 0)
        goto out;
    r = add_sentence(reasons, "%s", b.data);
out:
    dw_buf_release(&b);
    return r < 0 ? r : score;
}

static int score_budget(const struct dw_workspace *ws, const json_t *req, struct evidence *ev,
                        json_t *reasons) {
    const struct dw_qualification *q = &ws->qualification;
    const json_t *budget = json_object_get(req, "budget");
    if (!json_is_object(budget)) {
        int r = add_sentence(reasons, "No budget was stated, so budget counts as unknown");
        return r < 0 ? r : UNKNOWN;
    }
    const char *amount = dw_json_str(budget, "amount");
    const char *cur = dw_json_str(budget, "currency");
    int64_t v;
    if (!amount || !cur || dw_money_parse(amount, currency_digits(ws, cur), &v) < 0 || v < 0) {
        int r = add_sentence(reasons, "The budget '%s' could not be read, so it counts as unknown",
                             dw_json_str(budget, "text") ? dw_json_str(budget, "text") : "");
        return r < 0 ? r : UNKNOWN;
    }
    int digits = currency_digits(ws, cur);
    char have[32], need[32];
    dw_money_format(v, digits, have, sizeof have);
    const struct dw_money_by_currency *min = NULL;
    for (size_t i = 0; i < q->n_min_budget; i++)
        if (strcmp(q->min_budget[i].currency, cur) == 0)
            min = &q->min_budget[i];
    if (!min || min->amount <= 0) {
        ev->budget_meets = true;
        int r = add_sentence(reasons, "Budget %s %s is stated and no minimum is set for %s", cur,
                             have, cur);
        return r < 0 ? r : 100;
    }
    dw_money_format(min->amount, digits, need, sizeof need);
    if (v >= min->amount) {
        ev->budget_meets = true;
        int r =
            add_sentence(reasons, "Budget %s %s meets the minimum of %s %s", cur, have, cur, need);
        return r < 0 ? r : 100;
    }
    int64_t pct;
    if (dw_muldiv_half_even(v, 100, min->amount, &pct) < 0)
        pct = 0;
    if (pct > 99)
        pct = 99; /* below the minimum never scores as if it met it */
    ev->budget_below = true;
    snprintf(ev->budget, sizeof ev->budget, "%s %s is below the minimum of %s %s", cur, have, cur,
             need);
    int r =
        add_sentence(reasons, "Budget %s %s is below the minimum of %s %s", cur, have, cur, need);
    return r < 0 ? r : (int)pct;
}

static int score_authority(const struct dw_workspace *ws, const json_t *contact, json_t *reasons) {
    const struct dw_qualification *q = &ws->qualification;
    const char *title = nonempty(dw_json_str(contact, "title"));
    int r;
    if (!title) {
        r = add_sentence(reasons, "No contact title was given, so authority counts as unknown");
        return r < 0 ? r : UNKNOWN;
    }
    for (size_t i = 0; i < q->n_authority_titles; i++) {
        if (phrase_in(title, q->authority_titles[i])) {
            r = add_sentence(reasons, "Contact title '%s' is a decision maker", title);
            return r < 0 ? r : 100;
        }
    }
    r = add_sentence(reasons, "Contact title '%s' is not a decision-maker title", title);
    return r < 0 ? r : 25;
}

static int score_need(const struct dw_workspace *ws, const json_t *req, json_t *reasons) {
    const json_t *caps = json_object_get(req, "capabilities");
    size_t n = json_array_size(caps);
    if (n == 0) {
        int r = add_sentence(reasons, "No capability we offer was asked for");
        return r < 0 ? r : 0;
    }
    _cleanup_json_ json_t *covered = json_array(), *lacking = json_array();
    if (!covered || !lacking)
        return -DW_ENOMEM;
    size_t i;
    json_t *c;
    json_array_foreach(caps, i, c) {
        const char *name = dw_json_str(c, "name");
        if (!name)
            continue;
        if (json_array_append_new(catalog_covers(ws, name) ? covered : lacking, json_string(name)) <
            0)
            return -DW_ENOMEM;
    }
    size_t k = json_array_size(covered);
    int64_t score;
    if (dw_muldiv_half_even((int64_t)k, 100, (int64_t)n, &score) < 0)
        score = 0;
    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);
    int r;
    if (k == n)
        r = dw_buf_printf(&b, "the catalog covers %s %zu wanted %s (", n == 1 ? "the" : "all", n,
                          n == 1 ? "capability" : "capabilities");
    else
        r = dw_buf_printf(&b, "the catalog covers %zu of %zu wanted capabilities (", k, n);
    if (r >= 0)
        r = join_names(&b, k ? covered : lacking);
    if (r >= 0 && k && k < n) {
        r = dw_buf_puts(&b, "; not covered: ");
        if (r >= 0)
            r = join_names(&b, lacking);
    } else if (r >= 0 && !k) {
        r = dw_buf_puts(&b, " not covered");
    }
    if (r >= 0)
        r = dw_buf_putc(&b, ')');
    if (r >= 0)
        r = add_sentence(reasons, "%s", b.data);
    dw_buf_release(&b);
    return r < 0 ? r : (int)score;
}

static int score_timeline(const struct dw_workspace *ws, const json_t *req, dw_time_t received_at,
                          json_t *reasons) {
    int max = ws->qualification.timeline_max_days;
    const char *date = dw_json_str(json_object_get(req, "deadline"), "date");
    int y;
    unsigned m, d;
    char tail;
    int r;
    if (!date) {
        r = add_sentence(reasons, "No deadline was stated, so timing counts as unknown");
        return r < 0 ? r : UNKNOWN;
    }
    if (sscanf(date, "%d-%u-%u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
        r = add_sentence(reasons,
                         "The deadline '%s' could not be read, so timing counts as "
                         "unknown",
                         date);
        return r < 0 ? r : UNKNOWN;
    }
    int64_t today = received_at >= 0 ? received_at / 86400 : (received_at - 86399) / 86400;
    long long days = (long long)(dw_days_from_civil(y, m, d) - today);
    if (days < 0) {
        r = add_sentence(reasons,
                         "Deadline %s is before the request, so timing counts as "
                         "unknown",
                         date);
        return r < 0 ? r : UNKNOWN;
    }
    if (days <= max) {
        r = add_sentence(reasons, "Deadline %s is %lld days away, within %d days", date, days, max);
        return r < 0 ? r : 100;
    }
    r = add_sentence(reasons, "Deadline %s is %lld days away, beyond %d days", date, days, max);
    return r < 0 ? r : 40;
}

static int prior_sentence(const json_t *prior, json_t *reasons) {
    size_t n = json_array_size(prior), ordered = 0;
    if (n == 0)
        return 0;
    size_t i;
    json_t *p;
    json_array_foreach(prior, i, p) {
        const char *st = dw_json_str(p, "stage");
        ordered += st && strcmp(st, "ordered") == 0;
    }
    return add_sentence(reasons, "Returning customer: %zu earlier %s, %zu ordered", n,
                        n == 1 ? "deal" : "deals", ordered);
}

/* ---- the decision -------------------------------------------------------------------------- */

/* Append what the grey zone asks: the BANT facts nobody stated. */
static int add_unknowns(const json_t *req, const json_t *contact, json_t *missing) {
    const char *unknown[] = {
        !json_is_object(json_object_get(req, "budget")) ? "budget" : NULL,
        !json_is_object(json_object_get(req, "deadline")) ? "deadline" : NULL,
        !nonempty(dw_json_str(contact, "title")) ? "authority" : NULL,
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(unknown); i++)
        if (unknown[i] && json_array_append_new(missing, json_string(unknown[i])) < 0)
            return -DW_ENOMEM;
    return 0;
}

/* The decision and its sentence (into b), in this order:
 *
 *  1. A private person — a free-mail sender who names no company, job title or target
 *     industry and no budget at the minimum — is outside a profile of companies:
 *     disqualified, before anything is asked (a student is not asked how many sites he has).
 *  2. A required fact is missing: needs_info, missing lists them.
 *  3. Below the disqualification threshold: disqualified.
 *  4. At or above the qualification threshold: qualified, unless a stated budget is below
 *     the minimum — a deal under the company's floor is never qualified by arithmetic.
 *  5. Otherwise the grey zone: a person decides; needs_info with the unknown facts. */
static int decide(const struct dw_workspace *ws, const json_t *req, const json_t *contact,
                  const json_t *units, int score, const struct evidence *ev, json_t *missing,
                  struct dw_buf *b, const char **ret_decision) {
    const struct dw_qualification *q = &ws->qualification;
    if (ev->free_mail[0] && !ev->business && !ev->budget_meets) {
        *ret_decision = "disqualified";
        return dw_buf_printf(b,
                             "A private person rather than a company: free-mail address %s, "
                             "and no company, job title, target industry or budget at the "
                             "minimum",
                             ev->free_mail);
    }
    for (size_t i = 0; i < q->n_required; i++)
        if (!fact_known(q->required[i], req, contact, units) &&
            json_array_append_new(missing, json_string(q->required[i])) < 0)
            return -DW_ENOMEM;
    if (json_array_size(missing) > 0) {
        *ret_decision = "needs_info";
        int r = dw_buf_puts(b, "Missing required information: ");
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m) {
            if (r >= 0)
                r = dw_buf_printf(b, "%s%s", i ? ", " : "", json_string_value(m));
        }
        return r;
    }
    if (score < q->disqualified_max) {
        *ret_decision = "disqualified";
        return dw_buf_printf(b, "Score %d is below the disqualification threshold of %d", score,
                             q->disqualified_max);
    }
    if (score >= q->qualified_min && !ev->budget_below) {
        *ret_decision = "qualified";
        return dw_buf_printf(b, "Score %d reaches the qualification threshold of %d", score,
                             q->qualified_min);
    }
    *ret_decision = "needs_info";
    int r;
    if (score >= q->qualified_min)
        r = dw_buf_printf(b,
                          "Score %d reaches the qualification threshold of %d, but the budget "
                          "%s: a person decides",
                          score, q->qualified_min, ev->budget);
    else
        r = dw_buf_printf(b,
                          "Score %d is between the thresholds (%d and %d): a person decides, "
                          "and the reply asks what is still unknown",
                          score, q->disqualified_max, q->qualified_min);
    return r < 0 ? r : add_unknowns(req, contact, missing);
}

/* ---- the scoring model --------------------------------------------------------------------- */

#define MODEL_WEIGHT 50 /* percent of the score the model's probability gives */
#define MODEL_TOP 3     /* contributions named in the reason */

static int set_num(json_t *o, const char *key, double v) {
    return dw_json_set(o, key,
                       v == (double)(int64_t)v ? json_integer((json_int_t)v) : json_real(v));
}

static int set_text(json_t *o, const char *key, const char *v) {
    return v ? dw_json_set(o, key, json_string(v)) : 0;
}

/* The deal's features, by the names a deal-history CSV uses (docs/internals/scoring.md). */
static json_t *deal_features(const struct dw_workspace *ws, const json_t *req,
                             const json_t *contact, const json_t *prior, const char *source,
                             dw_time_t received_at, const struct evidence *ev,
                             const json_t *subscores, int rules_score) {
    _cleanup_json_ json_t *f = json_object();
    if (!f)
        return NULL;
    int r = 0;
    r |= set_text(f, "source", nonempty(source));
    r |= set_text(f, "country", country_of(req, contact));
    r |= set_text(f, "industry", nonempty(dw_json_str(json_object_get(req, "industry"), "name")));
    r |= set_num(f, "free_mail", ev->free_mail[0] ? 1 : 0);
    r |= set_num(f, "has_company", nonempty(dw_json_str(contact, "company")) ? 1 : 0);
    r |= set_num(f, "has_title", nonempty(dw_json_str(contact, "title")) ? 1 : 0);
    const json_t *budget = json_object_get(req, "budget");
    const char *amount = dw_json_str(budget, "amount");
    char *end;
    double v = amount ? strtod(amount, &end) : 0;
    if (amount && !*end && isfinite(v)) {
        r |= set_num(f, "budget", v);
        r |= set_text(f, "budget_currency", nonempty(dw_json_str(budget, "currency")));
    }
    double qmax = -1;
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(req, "quantities"), i, q) {
        json_t *qv = json_object_get(q, "value");
        if (json_is_number(qv) && json_number_value(qv) > qmax)
            qmax = json_number_value(qv);
    }
    if (qmax >= 0)
        r |= set_num(f, "quantity", qmax);
    r |= set_num(f, "capabilities", (double)json_array_size(json_object_get(req, "capabilities")));
    const char *date = dw_json_str(json_object_get(req, "deadline"), "date");
    int y;
    unsigned m, d;
    char tail;
    if (date && sscanf(date, "%d-%u-%u%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 && d >= 1 &&
        d <= 31) {
        int64_t today = received_at >= 0 ? received_at / 86400 : (received_at - 86399) / 86400;
        r |= set_num(f, "deadline_days", (double)(dw_days_from_civil(y, m, d) - today));
    }
    size_t ordered = 0;
    json_t *p;
    json_array_foreach(prior, i, p) {
        const char *st = dw_json_str(p, "stage");
        ordered += st && strcmp(st, "ordered") == 0;
    }
    r |= set_num(f, "prior_deals", (double)json_array_size(prior));
    r |= set_num(f, "prior_orders", (double)ordered);
    const char *k;
    json_t *s;
    json_object_foreach((json_t *)subscores, k, s) {
        char name[32];
        snprintf(name, sizeof name, "bant_%s", k);
        r |= dw_json_set(f, name, json_incref(s));
    }
    r |= set_num(f, "rules_score", rules_score);
    (void)ws;
    return r < 0 ? NULL : DW_TAKE_PTR(f);
}

/* Apply the model: *score becomes the blend of the rules' score and the model's
 * probability, a reason sentence says so and names the top contributions, and *ret_model is
 * the record for the document. A model that knows none of the deal's features is not used
 * (the reason says why), and the score stays the rules'. */
static int apply_model(const struct dw_score_model *model, const json_t *features, int *score,
                       json_t *reasons, json_t **ret_model, struct dw_error *err) {
    const json_t *meta = dw_score_model_meta(model);
    long long version = (long long)dw_json_int(meta, "version", 0);
    const char *hash = dw_json_str(meta, "hash");
    _cleanup_json_ json_t *pred = NULL;
    int r = dw_score_predict(model, features, MODEL_TOP, &pred, err);
    if (r < 0)
        return r;
    int64_t matched = dw_json_int(pred, "matched", 0), cols = dw_json_int(pred, "columns", 0);
    if (matched == 0) {
        *ret_model = json_pack("{s:I,s:s,s:b}", "version", (json_int_t)version, "hash",
                               hash ? hash : "", "used", 0);
        return add_sentence(reasons,
                            "Scoring model v%lld was not used: it knows none of this deal's "
                            "features (see docs/internals/scoring.md for the names)",
                            version);
    }
    double prob = json_number_value(json_object_get(pred, "probability"));
    int rules = *score;
    int64_t blended = 0;
    if (dw_muldiv_half_even((int64_t)rules * (100 - MODEL_WEIGHT) +
                                (int64_t)llround(prob * 100) * MODEL_WEIGHT,
                            1, 100, &blended) < 0)
        blended = rules;
    *score = (int)blended;

    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);
    r = dw_buf_printf(&b,
                      "Scoring model v%lld gives a win probability of %.0f%% from %lld of its "
                      "%lld features; the score %d blends it with the rules' %d",
                      version, prob * 100, (long long)matched, (long long)cols, *score, rules);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(pred, "top"), i, t) {
        if (r < 0)
            break;
        const json_t *v = json_object_get(t, "value");
        char val[96];
        if (json_is_string(v))
            snprintf(val, sizeof val, "%s", json_string_value(v));
        else if (json_is_number(v))
            snprintf(val, sizeof val, "%g", json_number_value(v));
        else
            snprintf(val, sizeof val, "unknown");
        r = dw_buf_printf(&b, "%s%s %s (%+.2f)",
                          i ? ", " : "; top features: ", dw_json_str(t, "feature"), val,
                          json_number_value(json_object_get(t, "contribution")));
    }
    if (r >= 0)
        r = add_sentence(reasons, "%s", b.data);
    dw_buf_release(&b);
    if (r < 0)
        return r;
    *ret_model =
        json_pack("{s:I,s:s,s:b,s:O,s:i,s:I,s:I,s:O}", "version", (json_int_t)version, "hash",
                  hash ? hash : "", "used", 1, "probability", json_object_get(pred, "probability"),
                  "rules_score", rules, "matched", (json_int_t)matched, "columns", (json_int_t)cols,
                  "top", json_object_get(pred, "top"));
    return *ret_model ? 0 : -DW_ENOMEM;
}

/* ---- the whole ---------------------------------------------------------------------------- */

enum { S_FIT, S_BUDGET, S_AUTHORITY, S_NEED, S_TIMELINE, S_N };
static const char *const sub_names[S_N] = {"fit", "budget", "authority", "need", "timeline"};

/* ---- criteria (qualification.yaml, CEL) ------------------------------------------------ */

struct criteria_eval {
    struct cel_arena arena;
    struct cel_activation act;
    struct dw_rule_inputs in;
    bool bound, whole; /* whole: every variable bound; only the score changes after */
};

static int criteria_bind(const struct dw_workspace *ws, struct criteria_eval *ce, int score) {
    /* the lead, account, requirements and deal do not change between criteria: the values
     * made from them stay bound (evaluating never changes a bound value) and only the
     * score is bound again */
    if (ce->whole) {
        ce->in.score = score;
        return cel_activation_bind(&ce->act, "score", cel_int(score));
    }
    if (ce->bound) {
        cel_activation_release(&ce->act);
        cel_arena_reset(&ce->arena);
    }
    ce->in.score = score;
    int r = dw_rules_bind(ws, DW_RULE_QUALIFY, &ce->in, &ce->arena, &ce->act);
    ce->bound = true;
    ce->whole = r == 0;
    return r;
}

/* `adjust` criteria, in order: each that holds adds its points. A criterion that cannot be
 * evaluated is named in the reasons and not applied. */
static int criteria_adjust(const struct dw_workspace *ws, struct criteria_eval *ce, int *score,
                           json_t *reasons) {
    const struct dw_qualification *q = &ws->qualification;
    for (size_t i = 0; i < q->n_criteria; i++) {
        const struct dw_criterion *k = &q->criteria[i];
        if (k->effect != DW_CRIT_ADJUST)
            continue;
        int r = criteria_bind(ws, ce, *score);
        if (r < 0)
            return r;
        struct dw_error e = {0};
        r = dw_rule_eval(&k->rule, &ce->act, &ce->arena, &e);
        if (r < 0) {
            if (add_sentence(reasons, "Criterion %s could not be evaluated (%s); not applied",
                             k->name, e.msg) < 0)
                return -DW_ENOMEM;
            continue;
        }
        if (r == 0)
            continue;
        int before = *score;
        *score += k->points;
        *score = *score < 0 ? 0 : *score > 100 ? 100 : *score;
        if (add_sentence(reasons, "Criterion %s: %+d points, score %d to %d (%s)", k->name,
                         k->points, before, *score, k->reason) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

/* The first `disqualify` or `qualify` criterion that holds decides; NULL when none does. A
 * missing required fact still asks the customer first: `qualify` does not skip that. */
static int criteria_decide(const struct dw_workspace *ws, struct criteria_eval *ce, int score,
                           const json_t *missing, const struct dw_criterion **ret,
                           json_t *reasons) {
    const struct dw_qualification *q = &ws->qualification;
    *ret = NULL;
    for (size_t i = 0; i < q->n_criteria && !*ret; i++) {
        const struct dw_criterion *k = &q->criteria[i];
        if (k->effect == DW_CRIT_ADJUST)
            continue;
        if (k->effect == DW_CRIT_QUALIFY && json_array_size(missing) > 0)
            continue;
        int r = criteria_bind(ws, ce, score);
        if (r < 0)
            return r;
        struct dw_error e = {0};
        r = dw_rule_eval(&k->rule, &ce->act, &ce->arena, &e);
        if (r < 0 && add_sentence(reasons, "Criterion %s could not be evaluated (%s); not applied",
                                  k->name, e.msg) < 0)
            return -DW_ENOMEM;
        if (r == 1)
            *ret = k;
    }
    return 0;
}

int dw_qualify(const struct dw_workspace *ws, const json_t *requirements,
               const json_t *intake_contact, const json_t *prior_deals, dw_time_t received_at,
               json_t **ret, struct dw_error *err) {
    return dw_qualify_scored(ws, requirements, intake_contact, prior_deals, received_at, NULL, NULL,
                             NULL, ret, err);
}

int dw_qualify_ex(const struct dw_workspace *ws, const json_t *requirements,
                  const json_t *intake_contact, const json_t *prior_deals, dw_time_t received_at,
                  const struct dw_rule_inputs *in, json_t **ret, struct dw_error *err) {
    return dw_qualify_scored(ws, requirements, intake_contact, prior_deals, received_at, in, NULL,
                             NULL, ret, err);
}

int dw_qualify_scored(const struct dw_workspace *ws, const json_t *requirements,
                      const json_t *intake_contact, const json_t *prior_deals,
                      dw_time_t received_at, const struct dw_rule_inputs *in,
                      const struct dw_score_model *model, const char *source, json_t **ret,
                      struct dw_error *err) {
    if (!ws || !json_is_object(requirements))
        return dw_error_set(err, -DW_EINVAL, "qualification needs the deal's requirements");
    const struct dw_qualification *q = &ws->qualification;
    const json_t *req = requirements, *contact = intake_contact;
    _cleanup_json_ json_t *subs = json_array(), *missing = json_array(), *questions = json_array(),
                          *units = NULL, *doc = NULL, *subscores = json_object(),
                          *reasons = json_array();
    if (!subs || !missing || !questions || !subscores || !reasons)
        return -DW_ENOMEM;
    units = wanted_units(ws, json_object_get(req, "capabilities"));
    if (!units)
        return -DW_ENOMEM;

    struct evidence ev = {0};
    int s[S_N];
    s[S_FIT] = score_fit(ws, req, contact, &ev, subs);
    s[S_BUDGET] = score_budget(ws, req, &ev, subs);
    s[S_AUTHORITY] = score_authority(ws, contact, subs);
    s[S_NEED] = score_need(ws, req, subs);
    s[S_TIMELINE] = score_timeline(ws, req, received_at, subs);
    const int w[S_N] = {q->w_fit, q->w_budget, q->w_authority, q->w_need, q->w_timeline};
    int64_t sum = 0, wsum = 0;
    for (int i = 0; i < S_N; i++) {
        if (s[i] < 0)
            return dw_error_set(err, s[i], "scoring %s: %s", sub_names[i], dw_strerror(s[i]));
        if (dw_json_set(subscores, sub_names[i], json_integer(s[i])) < 0)
            return -DW_ENOMEM;
        sum += (int64_t)(w[i] > 0 ? w[i] : 0) * s[i];
        wsum += w[i] > 0 ? w[i] : 0;
    }
    /* weights sum to 100 in a valid workspace; dividing by their sum keeps 0..100 anyway */
    int64_t score64 = 0;
    if (wsum > 0 && dw_muldiv_half_even(sum, 1, wsum, &score64) < 0)
        score64 = 0;
    int score = (int)score64;

    /* the scoring model blends into the BANT score before the criteria adjust it */
    _cleanup_json_ json_t *model_doc = NULL, *model_reason = json_array(), *features = NULL;
    if (!model_reason)
        return -DW_ENOMEM;
    if (model) {
        features = deal_features(ws, req, contact, prior_deals, source, received_at, &ev, subscores,
                                 score);
        if (!features)
            return -DW_ENOMEM;
        int rm = apply_model(model, features, &score, model_reason, &model_doc, err);
        if (rm < 0)
            return rm;
    }

    struct criteria_eval ce = {0};
    _cleanup_json_ json_t *crit_reasons = json_array(), *prior_json = NULL;
    if (!crit_reasons)
        return -DW_ENOMEM;
    if (in) {
        ce.in = *in;
    } else { /* only what the arguments give: the contact, the requirements, prior deals */
        prior_json = json_pack("{s:O?}", "prior_deals", prior_deals);
        ce.in = (struct dw_rule_inputs){
            .contact = contact, .requirements = req, .discovery = prior_json, .now = received_at};
    }
    if (!ce.in.requirements)
        ce.in.requirements = req;
    cel_arena_init(&ce.arena, 0);
    int r = criteria_adjust(ws, &ce, &score, crit_reasons);

    const char *decision = NULL;
    struct dw_buf b;
    dw_buf_init(&b, SENTENCE_MAX);
    if (r >= 0)
        r = decide(ws, req, contact, units, score, &ev, missing, &b, &decision);
    const struct dw_criterion *decider = NULL;
    if (r >= 0)
        r = criteria_decide(ws, &ce, score, missing, &decider, crit_reasons);
    if (ce.bound)
        cel_activation_release(&ce.act);
    cel_arena_release(&ce.arena);
    if (r >= 0 && decider) {
        decision = decider->effect == DW_CRIT_DISQUALIFY ? "disqualified" : "qualified";
        r = add_sentence(reasons, "%s by criterion %s: %s",
                         decider->effect == DW_CRIT_DISQUALIFY ? "Disqualified" : "Qualified",
                         decider->name, decider->reason);
        json_array_clear(missing);
    } else if (r >= 0) {
        r = add_sentence(reasons, "%s", b.data);
    }
    dw_buf_release(&b);
    /* the model's sentence comes right after the decision's */
    if (r >= 0 && (json_array_extend(reasons, model_reason) < 0 ||
                   json_array_extend(reasons, crit_reasons) < 0))
        r = -DW_ENOMEM;
    if (r < 0)
        return dw_error_set(err, r, "qualification reasons: %s", dw_strerror(r));

    if (strcmp(decision, "needs_info") == 0) {
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m) {
            if ((r = question_for(ws, json_string_value(m), units, questions)) < 0)
                return r;
        }
        if (json_array_size(questions) == 0 && (r = question_for(ws, "", units, questions)) < 0)
            return r;
    }
    if (json_array_extend(reasons, subs) < 0 || prior_sentence(prior_deals, reasons) < 0)
        return -DW_ENOMEM;

    doc = json_pack("{s:s,s:i,s:O,s:O,s:O,s:O}", "decision", decision, "score", score, "subscores",
                    subscores, "reasons", reasons, "missing", missing, "questions", questions);
    if (!doc || (model_doc && (dw_json_set(doc, "model", DW_TAKE_PTR(model_doc)) < 0 ||
                               dw_json_set(doc, "features", DW_TAKE_PTR(features)) < 0)))
        return -DW_ENOMEM;
    *ret = DW_TAKE_PTR(doc);
    return 0;
}

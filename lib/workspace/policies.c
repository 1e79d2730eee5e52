/* Who may decide what, and how leads are judged: team.yaml (users, roles, demo
 * availability), policies.yaml (discount bands, reviews, legal, data, quotes, retries) and
 * qualification.yaml (ideal-customer profile, BANT, weights, thresholds).
 *
 * The team is read before the policies because every role a policy names must be held by
 * somebody: a rule routing approvals to a role nobody has would park deals forever. When
 * team.yaml itself is broken that check is skipped rather than reported once per role.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/phrase.h"
#include "workspace/ws-internal.h"

/* ---- roles ---------------------------------------------------------------------------- */

static bool check_known_role(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                             void *arg) {
    for (size_t i = 0; i < dw__n_roles; i++)
        if (strcmp(value, dw__roles[i]) == 0)
            return true;
    const char *hint = dw__closest(value, dw__roles, dw__n_roles);
    if (hint)
        dw__y_err(c, r, "unknown role '%s' (did you mean '%s'?)", value, hint);
    else
        dw__y_err(c, r,
                  "unknown role '%s' (known: rep, sales_engineer, manager, deal_desk, "
                  "vp, legal, admin)",
                  value);
    return false;
}

static bool role_held(const struct dw_workspace *ws, const char *role) {
    for (size_t i = 0; i < ws->team.n_users; i++)
        if (dw_user_has_role(&ws->team.users[i], role))
            return true;
    return false;
}

/* A role named by a policy: known, and held by at least one user. */
static bool policy_role(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                        char **ret) {
    if (!dw__y_str(c, r, what, ret) || !check_known_role(c, r, *ret, NULL))
        return false;
    if (c->have_team && !role_held(c->ws, *ret)) {
        dw__y_err(c, r, "%s: no user in team.yaml has the role '%s'", what, *ret);
        return false;
    }
    return true;
}

/* ---- team.yaml ---------------------------------------------------------------------- */

static bool is_user_id(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-' || s[i] == '.'))
            return false;
    return true;
}

static bool is_email(const char *s) {
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ')
            return false;
    return true;
}

static void parse_user(struct dw__ws_ctx *c, const struct dw__yref *r, struct dw_user *u) {
    u->id = u->name = u->email = "";
    u->pos = (struct dw_ws_pos){c->file, r->line, r->col};
    struct dw__yfield f[] = {DW__REQ("id"), DW__REQ("name"), DW__REQ("email"), DW__REQ("roles")};
    if (!dw__y_fields(c, r, "user", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "id")) && dw__y_str(c, v, "id", &u->id) && !is_user_id(u->id))
        dw__y_err(c, v, "id: '%s' must be 1-64 lower-case letters, digits, '.', '_' or '-'", u->id);
    if ((v = DW__YGET(f, "name")))
        dw__y_str(c, v, "name", &u->name);
    if ((v = DW__YGET(f, "email")) && dw__y_str(c, v, "email", &u->email) && !is_email(u->email))
        dw__y_err(c, v, "email: '%s' is not an e-mail address", u->email);
    if ((v = DW__YGET(f, "roles")) &&
        dw__y_strlist(c, v, "roles", check_known_role, NULL, &u->roles, &u->n_roles) &&
        u->n_roles == 0)
        dw__y_err(c, v, "roles: a user needs at least one role");
}

static const char *const weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* "HH:MM" into minutes; 24:00 is allowed as the end of a day. */
static bool parse_clock(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                        int *ret) {
    const char *s = dw__y_scalar(c, r, what);
    if (!s)
        return false;
    int h = -1, m = -1, used = 0;
    if (strlen(s) == 5 && sscanf(s, "%2d:%2d%n", &h, &m, &used) == 2 && used == 5 && h >= 0 &&
        m >= 0 && m < 60 && (h < 24 || (h == 24 && m == 0))) {
        *ret = h * 60 + m;
        return true;
    }
    dw__y_err(c, r, "%s: '%s' is not a time of day (\"HH:MM\", 00:00 to 24:00)", what, s);
    return false;
}

static bool parse_offset(struct dw__ws_ctx *c, const struct dw__yref *r, int *ret) {
    const char *s = dw__y_scalar(c, r, "utc_offset");
    if (!s)
        return false;
    int h = -1, m = -1, used = 0;
    if (strlen(s) == 6 && (s[0] == '+' || s[0] == '-') &&
        sscanf(s + 1, "%2d:%2d%n", &h, &m, &used) == 2 && used == 5 && h >= 0 && h <= 14 &&
        m >= 0 && m < 60) {
        *ret = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
        return true;
    }
    dw__y_err(c, r, "utc_offset: '%s' is not an offset like \"+01:00\"", s);
    return false;
}

/* Windows expand to one struct dw_window per day named. */
static void parse_windows(struct dw__ws_ctx *c, const struct dw__yref *list,
                          struct dw_availability *a) {
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "windows", &items, &n))
        return;
    if (n == 0) {
        dw__y_err(c, list, "windows: at least one window is required");
        return;
    }
    a->windows = dw__ws_array(c->w, n * 7, sizeof *a->windows);
    if (!a->windows)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw__yfield f[] = {DW__REQ("days"), DW__REQ("from"), DW__REQ("to")};
        if (!dw__y_fields(c, &items[i], "window", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v, *vto;
        int from = 0, to = 0;
        bool ok = (v = DW__YGET(f, "from")) && parse_clock(c, v, "from", &from);
        ok = (vto = DW__YGET(f, "to")) && parse_clock(c, vto, "to", &to) && ok;
        if (ok && to <= from) {
            dw__y_err(c, vto, "to: the window ends before it starts");
            ok = false;
        }
        _cleanup_free_ struct dw__yref *days = NULL;
        size_t n_days;
        bool seen[7] = {false};
        if (!(v = DW__YGET(f, "days")) || !dw__y_seq(c, v, "days", &days, &n_days))
            continue;
        if (n_days == 0)
            dw__y_err(c, v, "days: at least one day is required");
        for (size_t d = 0; d < n_days; d++) {
            int wd;
            if (!dw__y_enum(c, &days[d], "days", weekdays, DW_ARRAY_SIZE(weekdays), &wd))
                continue;
            if (seen[wd]) {
                dw__y_err(c, &days[d], "days: %s is listed twice", weekdays[wd]);
                continue;
            }
            seen[wd] = true;
            if (ok)
                a->windows[a->n_windows++] =
                    (struct dw_window){.weekday = wd, .start_min = from, .end_min = to};
        }
    }
}

/* An IANA time zone name: Area/Location letters, digits, '_', '-', '+', no "..", and a file
 * of the system's tz database when it has one (/usr/share/zoneinfo, which the calendar
 * library reads too). */
static bool known_time_zone(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '/' || strstr(s, ".."))
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_-+/", *p))
            return false;
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", s);
    struct stat st;
    if (stat("/usr/share/zoneinfo", &st) < 0)
        return true; /* no database here to ask */
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void parse_availability(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_team *team = &c->ws->team;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "availability", &items, &n) || n == 0)
        return;
    team->availability = dw__ws_array(c->w, n, sizeof *team->availability);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!team->availability || !names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_availability *a = &team->availability[i];
        a->user = "";
        struct dw__yfield f[] = {DW__REQ("user"), DW__OPT("utc_offset"), DW__OPT("time_zone"),
                                 DW__REQ("windows")};
        if (!dw__y_fields(c, &items[i], "availability entry", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "user")) && dw__y_str(c, v, "user", &a->user)) {
            names[n_names++] = (struct dw__named){a->user, v->line, v->col};
            if (!dw_ws_user(c->ws, a->user))
                dw__y_err(c, v, "user: unknown user '%s' (not in users)", a->user);
        }
        if ((v = DW__YGET(f, "utc_offset")))
            parse_offset(c, v, &a->utc_offset_min);
        if ((v = DW__YGET(f, "time_zone")) && dw__y_str(c, v, "time_zone", &a->time_zone) &&
            !known_time_zone(a->time_zone))
            dw__y_err(c, v,
                      "time_zone: '%s' is not a time zone of the tz database (like "
                      "Europe/Berlin)",
                      a->time_zone);
        if ((v = DW__YGET(f, "windows")))
            parse_windows(c, v, a);
    }
    team->n_availability = n;
    dw__report_dups(c, names, n_names, "availability for user");
}

static void parse_team(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw_team *team = &c->ws->team;
    struct dw__yfield f[] = {DW__REQ("users"), DW__OPT("demo"), DW__OPT("availability")};
    if (!dw__y_fields(c, root, "team.yaml", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n = 0;
    if ((v = DW__YGET(f, "users")) && dw__y_seq(c, v, "users", &items, &n)) {
        if (n == 0)
            dw__y_err(c, v, "users: at least one user is required");
        team->users = dw__ws_array(c->w, n, sizeof *team->users);
        _cleanup_free_ struct dw__named *names = n ? calloc(n, sizeof *names) : NULL;
        if (n && (!team->users || !names)) {
            c->w->oom = true;
            return;
        }
        size_t n_names = 0;
        for (size_t i = 0; i < n; i++) {
            parse_user(c, &items[i], &team->users[i]);
            if (team->users[i].id[0])
                names[n_names++] = (struct dw__named){team->users[i].id, team->users[i].pos.line,
                                                      team->users[i].pos.col};
        }
        team->n_users = n;
        dw__report_dups(c, names, n_names, "user id");
        c->have_team = true;
    }
    struct dw__yfield df[] = {DW__OPT("minutes"), DW__OPT("lead_hours"), DW__OPT("slots"),
                              DW__OPT("book_roles")};
    int64_t x;
    if ((v = DW__YGET(f, "demo")) && dw__y_fields(c, v, "demo", df, DW_ARRAY_SIZE(df))) {
        if ((v = DW__YGET(df, "minutes")) && dw__y_int(c, v, "minutes", 5, 480, &x))
            team->demo_minutes = (int)x;
        if ((v = DW__YGET(df, "lead_hours")) && dw__y_int(c, v, "lead_hours", 0, 24 * 60, &x))
            team->demo_lead_hours = (int)x;
        if ((v = DW__YGET(df, "slots")) && dw__y_int(c, v, "slots", 1, 20, &x))
            team->demo_slots = (int)x;
        if ((v = DW__YGET(df, "book_roles")) &&
            dw__y_strlist(c, v, "book_roles", check_known_role, NULL, &team->book_roles,
                          &team->n_book_roles) &&
            team->n_book_roles == 0)
            dw__y_err(c, v, "book_roles: at least one role is required");
    }
    if ((v = DW__YGET(f, "availability")))
        parse_availability(c, v);
}

void dw__load_team(struct dw__ws_ctx *c) {
    struct dw_team *team = &c->ws->team;
    team->demo_minutes = 60;
    team->demo_lead_hours = 24;
    team->demo_slots = 3;
    dw__ws_load_yaml(c, "team.yaml", true, parse_team);
    if (!team->book_roles) { /* the default: the sellers and the engineers who present */
        static char *const book_roles[] = {"rep", "sales_engineer"};
        team->book_roles = (char **)book_roles;
        team->n_book_roles = DW_ARRAY_SIZE(book_roles);
    }
}

/* ---- money per currency (budget_min, deal-size threshold) ------------------------------- */

static void parse_money_map(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                            bool every_currency, struct dw_money_by_currency **ret, size_t *ret_n) {
    _cleanup_free_ struct dw__yref *keys = NULL, *values = NULL;
    size_t n;
    if (!dw__y_pairs(c, r, what, &keys, &values, &n))
        return;
    struct dw_money_by_currency *m = dw__ws_array(c->w, n, sizeof *m);
    if (n && !m)
        return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code = dw__y_text(&keys[i]);
        const struct dw_currency *cur = dw_ws_currency(c->ws, code);
        if (!cur) {
            if (!dw__is_currency(code))
                dw__y_err(c, &keys[i], "%s: '%s' is not a currency code (like EUR)", what, code);
            else if (c->have_currencies)
                dw__y_err(c, &keys[i], "%s: %s is not declared in dealwright.yaml", what, code);
            continue;
        }
        char w[64];
        snprintf(w, sizeof w, "%s.%s", what, code);
        if (dw__y_money(c, &values[i], w, cur->code, cur->digits, &m[k].amount)) {
            memcpy(m[k].currency, cur->code, 4);
            k++;
        }
    }
    if (every_currency && c->have_currencies)
        for (size_t i = 0; i < c->ws->n_currencies; i++) {
            const char *code = c->ws->currencies[i].code;
            bool found = false;
            for (size_t j = 0; j < n && !found; j++)
                found = strcmp(dw__y_text(&keys[j]), code) == 0;
            if (code[0] && !found)
                dw__y_err(c, r, "%s: no amount for %s (every currency needs one)", what, code);
        }
    *ret = m;
    *ret_n = k;
}

/* ---- policies.yaml ------------------------------------------------------------------ */

/* discount_bands: the ladder of discount authority, lowest first. Each band's `when` holds
 * when a quote is within that role's authority; the first band whose condition holds
 * approves (band 0 is the rep's own authority: no approval). */
static void parse_bands(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_policies *p = &c->ws->policies;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "discount_bands", &items, &n))
        return;
    if (n == 0) {
        dw__y_err(c, list, "discount_bands: at least one band is required");
        return;
    }
    p->bands = dw__ws_array(c->w, n, sizeof *p->bands);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!p->bands || !names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_band *b = &p->bands[i];
        b->role = "";
        b->pos = (struct dw_ws_pos){c->file, items[i].line, items[i].col};
        struct dw__yfield f[] = {DW__REQ("role"), DW__REQ("when")};
        if (!dw__y_fields(c, &items[i], "discount band", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "role")) && policy_role(c, v, "role", &b->role))
            names[n_names++] = (struct dw__named){b->role, v->line, v->col};
        char name[128];
        snprintf(name, sizeof name, "%s discount_bands[%zu] (%s)", c->file, i, b->role);
        if ((v = DW__YGET(f, "when")))
            dw__y_rule(c, v, DW_RULE_QUOTE, name, &b->within);
    }
    p->n_bands = n;
    dw__report_dups(c, names, n_names, "band role");
}

static bool is_rule_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* approvals: [{name, when, role, reason}] — escalation triggers over the priced quote. */
static void parse_approvals(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_policies *p = &c->ws->policies;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "approvals", &items, &n) || n == 0)
        return;
    p->approvals = dw__ws_array(c->w, n, sizeof *p->approvals);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!p->approvals || !names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_approval_rule *a = &p->approvals[i];
        a->name = a->role = a->reason = "";
        struct dw__yfield f[] = {DW__REQ("name"), DW__REQ("when"), DW__REQ("role"),
                                 DW__REQ("reason")};
        if (!dw__y_fields(c, &items[i], "approval rule", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "name")) && dw__y_str(c, v, "name", &a->name)) {
            if (!is_rule_name(a->name) || strcmp(a->name, "discount") == 0)
                dw__y_err(c, v,
                          "name: '%s' must be 1-64 lower-case letters, digits or '_', and "
                          "not 'discount' (the discount bands' own)",
                          a->name);
            else
                names[n_names++] = (struct dw__named){a->name, v->line, v->col};
        }
        if ((v = DW__YGET(f, "role")))
            policy_role(c, v, "role", &a->role);
        if ((v = DW__YGET(f, "reason")))
            dw__y_str(c, v, "reason", &a->reason);
        char name[160];
        snprintf(name, sizeof name, "%s approvals[%zu] (%s)", c->file, i, a->name);
        if ((v = DW__YGET(f, "when")))
            dw__y_rule(c, v, DW_RULE_QUOTE, name, &a->rule);
    }
    p->n_approvals = n;
    dw__report_dups(c, names, n_names, "approval rule name");
}

struct country_lists { /* embargoed entries, to catch a country in both lists */
    char **v;
    size_t n;
};

static bool check_review_country(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                                 void *arg) {
    const struct country_lists *emb = arg;
    if (!dw__check_country(c, r, value, NULL))
        return false;
    for (size_t i = 0; i < emb->n; i++)
        if (strcmp(emb->v[i], value) == 0) {
            dw__y_err(c, r, "review: %s is also embargoed", value);
            return false;
        }
    return true;
}

static void parse_export(struct dw__ws_ctx *c, const struct dw__yref *r) {
    struct dw_policies *p = &c->ws->policies;
    struct dw__yfield f[] = {DW__OPT("embargoed"), DW__OPT("review"), DW__OPT("role")};
    if (!dw__y_fields(c, r, "export_control", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "embargoed")))
        dw__y_strlist(c, v, "embargoed", dw__check_country, NULL, &p->embargoed, &p->n_embargoed);
    struct country_lists emb = {p->embargoed, p->n_embargoed};
    if ((v = DW__YGET(f, "review")))
        dw__y_strlist(c, v, "review", check_review_country, &emb, &p->export_review,
                      &p->n_export_review);
    if ((v = DW__YGET(f, "role")))
        policy_role(c, v, "role", &p->export_role);
    else if (p->n_export_review)
        dw__y_err(c, r,
                  "missing required key 'role' in export_control (who reviews the "
                  "review countries)");
}

/* One pattern of a legal concept: compiled once to report a syntax error at its character. */
static void check_pattern(struct dw__ws_ctx *c, const struct dw__yref *r, const char *pattern) {
    struct dw_phrase *ph = NULL;
    size_t col = 0;
    struct dw_error e = {0};
    int rc = dw_phrase_compile(pattern, &ph, &col, &e);
    dw_phrase_free(ph);
    if (rc >= 0)
        return;
    if (rc == -DW_ENOMEM) {
        c->w->oom = true;
        return;
    }
    enum fy_node_style st = r->n ? fy_node_get_style(r->n) : FYNS_PLAIN;
    bool quoted = st == FYNS_SINGLE_QUOTED || st == FYNS_DOUBLE_QUOTED;
    dw__ws_diag(c, r->line, r->col + (quoted ? 1 : 0) + (int)col, "pattern: %s", e.msg);
}

static bool check_pattern_entry(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                                void *arg) {
    (void)arg;
    check_pattern(c, r, value);
    return true;
}

/* legal: {role, triggers: [{phrase, reason} | {concept, patterns: [...], reason}]} */
static void parse_legal(struct dw__ws_ctx *c, const struct dw__yref *r) {
    struct dw_policies *p = &c->ws->policies;
    struct dw__yfield f[] = {DW__OPT("role"), DW__OPT("triggers")};
    if (!dw__y_fields(c, r, "legal", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    _cleanup_free_ struct dw__yref *items = NULL;
    _cleanup_free_ struct dw__named *names = NULL;
    size_t n = 0, n_names = 0;
    if ((v = DW__YGET(f, "triggers")) && dw__y_seq(c, v, "triggers", &items, &n) && n) {
        p->legal_triggers = dw__ws_array(c->w, n, sizeof *p->legal_triggers);
        names = calloc(n, sizeof *names);
        if (!p->legal_triggers || !names) {
            c->w->oom = true;
            return;
        }
        for (size_t i = 0; i < n; i++) {
            struct dw_legal_trigger *t = &p->legal_triggers[i];
            t->reason = "";
            t->pos = (struct dw_ws_pos){c->file, items[i].line, items[i].col};
            struct dw__yfield tf[] = {DW__OPT("phrase"), DW__OPT("concept"), DW__OPT("patterns"),
                                      DW__REQ("reason")};
            if (!dw__y_fields(c, &items[i], "legal trigger", tf, DW_ARRAY_SIZE(tf)))
                continue;
            const struct dw__yref *ph = DW__YGET(tf, "phrase"), *pa = DW__YGET(tf, "patterns"),
                                  *co = DW__YGET(tf, "concept");
            if (ph && (pa || co))
                dw__y_err(c, ph,
                          "phrase: a trigger has either a phrase or a concept with patterns");
            else if (!ph && !pa)
                dw__y_err(c, &items[i],
                          "missing required key 'phrase' or 'patterns' in legal trigger");
            else if (pa && !co)
                dw__y_err(c, pa, "patterns: the trigger needs a 'concept' name");
            if (ph && dw__y_str(c, ph, "phrase", &t->phrase) && !dw_strtrim(t->phrase)[0])
                dw__y_err(c, ph, "phrase: must not be empty");
            if (co && dw__y_str(c, co, "concept", &t->concept)) {
                if (!is_rule_name(t->concept))
                    dw__y_err(c, co, "concept: '%s' must be 1-64 lower-case letters, digits or '_'",
                              t->concept);
                else
                    names[n_names++] = (struct dw__named){t->concept, co->line, co->col};
            }
            if (pa &&
                dw__y_strlist(c, pa, "patterns", check_pattern_entry, NULL, &t->patterns,
                              &t->n_patterns) &&
                !t->n_patterns)
                dw__y_err(c, pa, "patterns: give at least one pattern");
            if ((v = DW__YGET(tf, "reason")))
                dw__y_str(c, v, "reason", &t->reason);
        }
        p->n_legal_triggers = n;
        dw__report_dups(c, names, n_names, "legal concept");
    }
    if ((v = DW__YGET(f, "role")))
        policy_role(c, v, "role", &p->legal_role);
    else if (p->n_legal_triggers)
        dw__y_err(c, r, "missing required key 'role' in legal (who reviews the triggers)");
}

/* A mapping of integer settings: {key, min, max, destination}. */
struct int_setting {
    const char *key;
    int64_t min, max;
    int *dst;
};

#define MAX_SETTINGS 8

static bool parse_settings(struct dw__ws_ctx *c, const struct dw__yref *r, const char *what,
                           const struct int_setting *s, size_t n, bool required) {
    struct dw__yfield f[MAX_SETTINGS];
    if (n > MAX_SETTINGS)
        n = MAX_SETTINGS;
    for (size_t i = 0; i < n; i++)
        f[i] = (struct dw__yfield){.key = s[i].key, .required = required};
    if (!dw__y_fields(c, r, what, f, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        const struct dw__yref *v = dw__y_get(f, n, s[i].key);
        int64_t x;
        if (v && dw__y_int(c, v, s[i].key, s[i].min, s[i].max, &x))
            *s[i].dst = (int)x;
    }
    return true;
}

static void parse_policies(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw_policies *p = &c->ws->policies;
    struct dw__yfield f[] = {
        DW__REQ("discount_bands"),  DW__OPT("approvals"), DW__OPT("export_control"),
        DW__OPT("data_protection"), DW__OPT("legal"),     DW__OPT("personal_data"),
        DW__OPT("quotes"),          DW__OPT("control"),
    };
    if (!dw__y_fields(c, root, "policies.yaml", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "discount_bands")))
        parse_bands(c, v);
    if ((v = DW__YGET(f, "approvals")))
        parse_approvals(c, v);
    if ((v = DW__YGET(f, "export_control")))
        parse_export(c, v);
    struct dw__yfield pf[] = {DW__OPT("eea_requires_dpa")};
    if ((v = DW__YGET(f, "data_protection")) &&
        dw__y_fields(c, v, "data_protection", pf, DW_ARRAY_SIZE(pf)) &&
        (v = DW__YGET(pf, "eea_requires_dpa")))
        dw__y_bool(c, v, "eea_requires_dpa", &p->eea_requires_dpa);
    if ((v = DW__YGET(f, "legal")))
        parse_legal(c, v);
    const struct int_setting personal[] = {{"retention_days", 1, 36500, &p->retention_days}};
    if ((v = DW__YGET(f, "personal_data")))
        parse_settings(c, v, "personal_data", personal, DW_ARRAY_SIZE(personal), false);
    const struct int_setting quotes[] = {
        {"valid_days", 1, 365, &p->quote_valid_days},
        {"default_term_months", 1, 120, &p->default_term_months},
    };
    if ((v = DW__YGET(f, "quotes")))
        parse_settings(c, v, "quotes", quotes, DW_ARRAY_SIZE(quotes), false);
    const struct int_setting control[] = {{"max_attempts", 1, 100, &p->max_attempts}};
    if ((v = DW__YGET(f, "control")))
        parse_settings(c, v, "control", control, DW_ARRAY_SIZE(control), false);
}

void dw__load_policies(struct dw__ws_ctx *c) {
    struct dw_policies *p = &c->ws->policies;
    p->eea_requires_dpa = true;
    p->retention_days = 730;
    p->quote_valid_days = 30;
    p->default_term_months = 12;
    p->max_attempts = 5;
    dw__ws_load_yaml(c, "policies.yaml", true, parse_policies);
}

/* ---- qualification.yaml ------------------------------------------------------------- */

static const char *const facts[] = {"quantity", "capabilities", "country", "budget", "deadline"};

static bool check_fact(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                       void *arg) {
    bool *seen = arg;
    int k;
    if (!dw__y_enum(c, r, "required", facts, DW_ARRAY_SIZE(facts), &k))
        return false;
    if (seen[k]) {
        dw__y_err(c, r, "required: '%s' is listed twice", value);
        return false;
    }
    seen[k] = true;
    return true;
}

static bool check_domain(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                         void *arg) {
    bool ok = strchr(value, '.') && value[0] != '.' && !strchr(value, '@');
    for (const char *p = value; ok && *p; p++)
        ok = (unsigned char)*p > ' ' && !(*p >= 'A' && *p <= 'Z');
    if (!ok)
        dw__y_err(c, r, "free_mail_domains: '%s' is not a lower-case domain name", value);
    return ok;
}

static void parse_weights(struct dw__ws_ctx *c, const struct dw__yref *r) {
    struct dw_qualification *q = &c->ws->qualification;
    const struct int_setting w[] = {
        {"fit", 0, 100, &q->w_fit},
        {"budget", 0, 100, &q->w_budget},
        {"authority", 0, 100, &q->w_authority},
        {"need", 0, 100, &q->w_need},
        {"timeline", 0, 100, &q->w_timeline},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(w); i++)
        *w[i].dst = -1;
    bool ok = parse_settings(c, r, "weights", w, DW_ARRAY_SIZE(w), true);
    int sum = 0;
    for (size_t i = 0; i < DW_ARRAY_SIZE(w); i++) {
        if (*w[i].dst < 0) {
            *w[i].dst = 0; /* missing or invalid: already reported */
            ok = false;
        }
        sum += *w[i].dst;
    }
    if (ok && sum != 100)
        dw__y_err(c, r, "weights: they sum to %d, not 100", sum);
}

static const char *const effects[] = {"adjust", "disqualify", "qualify"};

/* criteria: [{name, when, effect, points?, reason}] — see qualification.yaml. */
static void parse_criteria(struct dw__ws_ctx *c, const struct dw__yref *list) {
    struct dw_qualification *q = &c->ws->qualification;
    _cleanup_free_ struct dw__yref *items = NULL;
    size_t n;
    if (!dw__y_seq(c, list, "criteria", &items, &n) || n == 0)
        return;
    q->criteria = dw__ws_array(c->w, n, sizeof *q->criteria);
    _cleanup_free_ struct dw__named *names = calloc(n, sizeof *names);
    if (!q->criteria || !names) {
        c->w->oom = true;
        return;
    }
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        struct dw_criterion *k = &q->criteria[i];
        k->name = k->reason = "";
        struct dw__yfield f[] = {DW__REQ("name"), DW__REQ("when"), DW__REQ("effect"),
                                 DW__OPT("points"), DW__REQ("reason")};
        if (!dw__y_fields(c, &items[i], "criterion", f, DW_ARRAY_SIZE(f)))
            continue;
        const struct dw__yref *v;
        if ((v = DW__YGET(f, "name")) && dw__y_str(c, v, "name", &k->name)) {
            if (!is_rule_name(k->name))
                dw__y_err(c, v, "name: '%s' must be 1-64 lower-case letters, digits or '_'",
                          k->name);
            else
                names[n_names++] = (struct dw__named){k->name, v->line, v->col};
        }
        int e = 0;
        if ((v = DW__YGET(f, "effect")) &&
            dw__y_enum(c, v, "effect", effects, DW_ARRAY_SIZE(effects), &e))
            k->effect = (enum dw_criterion_effect)e;
        int64_t pts = 0;
        const struct dw__yref *vp = DW__YGET(f, "points");
        if (vp && dw__y_int(c, vp, "points", -100, 100, &pts))
            k->points = (int)pts;
        if (k->effect == DW_CRIT_ADJUST && !vp && DW__YGET(f, "effect"))
            dw__y_err(c, &items[i], "criterion '%s': effect 'adjust' needs 'points'", k->name);
        if (k->effect != DW_CRIT_ADJUST && vp)
            dw__y_err(c, vp, "points: only an 'adjust' criterion has points");
        if ((v = DW__YGET(f, "reason")))
            dw__y_str(c, v, "reason", &k->reason);
        char name[160];
        snprintf(name, sizeof name, "%s criteria[%zu] (%s)", c->file, i, k->name);
        if ((v = DW__YGET(f, "when")))
            dw__y_rule(c, v, DW_RULE_QUALIFY, name, &k->rule);
    }
    q->n_criteria = n;
    dw__report_dups(c, names, n_names, "criterion name");
}

static void parse_qualification(struct dw__ws_ctx *c, const struct dw__yref *root) {
    struct dw_qualification *q = &c->ws->qualification;
    struct dw__yfield f[] = {DW__OPT("icp"),        DW__OPT("bant"),     DW__REQ("weights"),
                             DW__REQ("thresholds"), DW__OPT("required"), DW__OPT("criteria")};
    if (!dw__y_fields(c, root, "qualification.yaml", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    struct dw__yfield icp[] = {DW__OPT("countries"), DW__OPT("industries"),
                               DW__OPT("free_mail_domains")};
    if ((v = DW__YGET(f, "icp")) && dw__y_fields(c, v, "icp", icp, DW_ARRAY_SIZE(icp))) {
        if ((v = DW__YGET(icp, "countries")))
            dw__y_strlist(c, v, "countries", dw__check_country, NULL, &q->icp_countries,
                          &q->n_icp_countries);
        if ((v = DW__YGET(icp, "industries")))
            dw__y_strlist(c, v, "industries", NULL, NULL, &q->icp_industries, &q->n_icp_industries);
        if ((v = DW__YGET(icp, "free_mail_domains")))
            dw__y_strlist(c, v, "free_mail_domains", check_domain, NULL, &q->free_mail_domains,
                          &q->n_free_mail_domains);
    }
    struct dw__yfield bant[] = {DW__OPT("budget_min"), DW__OPT("authority_titles"),
                                DW__OPT("timeline_max_days")};
    if ((v = DW__YGET(f, "bant")) && dw__y_fields(c, v, "bant", bant, DW_ARRAY_SIZE(bant))) {
        if ((v = DW__YGET(bant, "budget_min")))
            parse_money_map(c, v, "budget_min", false, &q->min_budget, &q->n_min_budget);
        if ((v = DW__YGET(bant, "authority_titles")))
            dw__y_strlist(c, v, "authority_titles", NULL, NULL, &q->authority_titles,
                          &q->n_authority_titles);
        int64_t x;
        if ((v = DW__YGET(bant, "timeline_max_days")) &&
            dw__y_int(c, v, "timeline_max_days", 1, 3650, &x))
            q->timeline_max_days = (int)x;
    }
    if ((v = DW__YGET(f, "weights")))
        parse_weights(c, v);
    struct dw__yfield tf[] = {DW__REQ("qualified"), DW__REQ("disqualified")};
    if ((v = DW__YGET(f, "thresholds")) &&
        dw__y_fields(c, v, "thresholds", tf, DW_ARRAY_SIZE(tf))) {
        int64_t qmin = -1, dmax = -1;
        if ((v = DW__YGET(tf, "qualified")) && dw__y_int(c, v, "qualified", 1, 100, &qmin))
            q->qualified_min = (int)qmin;
        if ((v = DW__YGET(tf, "disqualified")) && dw__y_int(c, v, "disqualified", 0, 100, &dmax)) {
            q->disqualified_max = (int)dmax;
            if (qmin >= 0 && dmax > qmin)
                dw__y_err(c, v,
                          "disqualified: %lld is above qualified %lld; a score cannot be "
                          "both",
                          (long long)dmax, (long long)qmin);
        }
    }
    bool seen[DW_ARRAY_SIZE(facts)] = {false};
    if ((v = DW__YGET(f, "required")))
        dw__y_strlist(c, v, "required", check_fact, seen, &q->required, &q->n_required);
    if ((v = DW__YGET(f, "criteria")))
        parse_criteria(c, v);
}

void dw__load_qualification(struct dw__ws_ctx *c) {
    c->ws->qualification.timeline_max_days = 365;
    dw__ws_load_yaml(c, "qualification.yaml", true, parse_qualification);
}

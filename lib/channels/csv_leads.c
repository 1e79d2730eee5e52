/* Leads from a CRM's CSV export (include/dealwright/csv.h).
 *
 * The file is read by the project's CSV reader (lib/engines/csv.c), then each header is
 * matched to a lead field by its name folded to lower-case letters and digits, so that
 * HubSpot's "First Name", Salesforce's "FirstName" and a hand-made "first_name" all
 * match. The aliases, in the order they are tried, are HubSpot's contact export labels,
 * Salesforce's report labels and API names, then plain words; --map overrides any of them.
 *
 * Every row becomes a lead of the contract (BLUEPRINT.md "A lead") and is checked by the
 * intake's own check, dw_lead_parse(), here, so that a bad e-mail address or an unknown
 * country is reported at its cell (FILE:LINE:COL) and not as "lead 412, contact.email"
 * after the whole file was read. Nothing is stored here: the caller submits the array in
 * one transaction, so an import is all or nothing.
 *
 * Dates: an RFC 3339 time; "YYYY-MM-DD[ HH:MM[:SS]]" (HubSpot's export, read as UTC);
 * "DD.MM.YYYY[ HH:MM]" (European spreadsheets); and slash dates, whose order (M/D or D/M)
 * is settled once for the whole column from a day above 12, and refused when no row
 * settles it.
 *
 * Record ids: a Salesforce export may give a lead's id in its 15-character form (case
 * sensitive, as reports show it) or its 18-character one (the API's, case-safe: three
 * characters more that encode the case of the first fifteen). Both name one record, so
 * ids of that shape in a Salesforce export are stored in the 18-character form, and a
 * re-import of the same leads in the other form finds them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/agent.h"
#include "engines/csv.h"
#include <dealwright/csv.h>

enum field {
    F_EXTERNAL_ID,
    F_NAME,
    F_FIRST_NAME,
    F_LAST_NAME,
    F_EMAIL,
    F_PHONE,
    F_COMPANY,
    F_COUNTRY,
    F_TITLE,
    F_SUBJECT,
    F_MESSAGE,
    F_RECEIVED_AT,
    F__N
};

static const struct {
    const char *name;
    const char *aliases[8]; /* folded header names, first match wins */
} fields[F__N] = {
    [F_EXTERNAL_ID] = {"external_id", {"recordid", "leadid", "contactid", "id", "externalid"}},
    [F_NAME] = {"name", {"fullname", "name", "contactname", "leadname"}},
    [F_FIRST_NAME] = {"first_name", {"firstname", "givenname"}},
    [F_LAST_NAME] = {"last_name", {"lastname", "surname", "familyname"}},
    [F_EMAIL] = {"email", {"email", "emailaddress", "email1"}},
    [F_PHONE] = {"phone", {"phonenumber", "phone", "mobilephonenumber", "mobilephone", "mobile"}},
    [F_COMPANY] = {"company", {"companyname", "company", "accountname", "organization"}},
    [F_COUNTRY] = {"country", {"countryregion", "country", "countrycode"}},
    [F_TITLE] = {"title", {"jobtitle", "title"}},
    [F_SUBJECT] = {"subject", {"subject"}},
    [F_MESSAGE] = {"message",
                   {"message", "description", "notes", "leadnotes", "comments", "comment"}},
    [F_RECEIVED_AT] = {"received_at",
                       {"createdate", "createddate", "createdon", "receivedat", "created"}},
};

/* lower-case ASCII letters and digits of s, the rest dropped */
static void fold(const char *s, char *out, size_t size) {
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

static int header_col(const struct dw_csv *t, const char *alias) {
    char f[128];
    for (size_t c = 0; c < t->n_cols; c++) {
        fold(t->header[c], f, sizeof f);
        if (strcmp(f, alias) == 0)
            return (int)c;
    }
    return -1;
}

static int field_of(const char *name) {
    for (int f = 0; f < F__N; f++)
        if (strcmp(fields[f].name, name) == 0)
            return f;
    return -1;
}

/* --map field=Column,...: overrides of the recognised columns; col -2 leaves a field out. */
static int apply_map(const char *file, const struct dw_csv *t, const char *map, int col[F__N],
                     struct dw_error *err) {
    if (!map || !*map)
        return 0;
    if (strlen(map) > 4096)
        return dw_error_field(err, -DW_ETOOBIG, "--map", "is longer than 4096 bytes");
    _cleanup_free_ char *copy = strdup(map);
    if (!copy)
        return -DW_ENOMEM;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            return dw_error_field(err, -DW_EINVAL, "--map",
                                  "'%s' is not field=Column (fields: external_id, name, "
                                  "first_name, last_name, email, phone, company, country, "
                                  "title, subject, message, received_at)",
                                  item);
        *eq = '\0';
        dw_strtrim(item);
        int f = field_of(item);
        if (f < 0)
            return dw_error_field(err, -DW_EINVAL, "--map",
                                  "unknown field '%s' (fields: external_id, name, first_name, "
                                  "last_name, email, phone, company, country, title, subject, "
                                  "message, received_at)",
                                  item);
        char *column = eq + 1;
        dw_strtrim(column);
        if (!*column) {
            col[f] = -2;
            continue;
        }
        int c = -1;
        for (size_t k = 0; k < t->n_cols && c < 0; k++)
            if (strcmp(t->header[k], column) == 0)
                c = (int)k;
        for (size_t k = 0; k < t->n_cols && c < 0; k++) /* then ignoring case */
            if (strcasecmp(t->header[k], column) == 0)
                c = (int)k;
        if (c < 0)
            return dw_error_at(err, -DW_EINVAL, file, 1, 1,
                               "--map %s=%s: the header has no column '%s'", fields[f].name, column,
                               column);
        col[f] = c;
    }
    return 0;
}

/* ---- dates ---------------------------------------------------------------------------- */

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", "DD.MM.YYYY[ HH:MM[:SS]]", "A/B/YYYY[ HH:MM[:SS]]"
 * with order 1 = M/D, 2 = D/M. 0 and *ret, or -1 unreadable, -2 an undecided slash date. */
static int parse_date(const char *s, int order, dw_time_t *ret) {
    if (dw_time_parse(s, ret) == 0)
        return 0;
    int a = 0, b = 0, y = 0, hh = 0, mm = 0, ss = 0, n = 0, m = 0, d = 0;
    const char *rest;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
        rest = s + n;
    } else if (sscanf(s, "%2d.%2d.%4d%n", &d, &m, &y, &n) == 3 && s[n - 5] == '.') {
        rest = s + n;
    } else if (sscanf(s, "%2d/%2d/%4d%n", &a, &b, &y, &n) == 3 && s[n - 5] == '/') {
        rest = s + n;
        int o = order ? order : a > 12 ? 2 : b > 12 ? 1 : 0;
        if (!o)
            return -2;
        if (o == 1)
            m = a, d = b;
        else
            d = a, m = b;
    } else {
        return -1;
    }
    if (*rest) {
        int k = 0;
        if (!(*rest == ' ' || *rest == 'T'))
            return -1;
        rest++;
        if (sscanf(rest, "%2d:%2d%n", &hh, &mm, &k) != 2)
            return -1;
        rest += k;
        if (*rest == ':' && sscanf(rest, ":%2d%n", &ss, &k) == 1)
            rest += k;
        if (*rest)
            return -1;
    }
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 || y % 400 == 0))))
        return -1;
    *ret = dw_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

/* The order of the column's slash dates: 1 M/D, 2 D/M, 0 none settles it, -1 both occur
 * (*ret_row the row that contradicts). */
static int slash_order(const struct dw_csv *t, int c, size_t *ret_row) {
    int order = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        int a, b, y;
        if (sscanf(dw_csv_cell(t, r, (size_t)c), "%2d/%2d/%4d", &a, &b, &y) != 3)
            continue;
        int o = a > 12 ? 2 : b > 12 ? 1 : 0;
        if (!o)
            continue;
        if (order && o != order) {
            *ret_row = r;
            return -1;
        }
        order = o;
    }
    return order;
}

/* ---- rows ----------------------------------------------------------------------------- */

static const char *cell(const struct dw_csv *t, const int col[F__N], size_t r, int f) {
    if (col[f] < 0)
        return NULL;
    const char *s = dw_csv_cell(t, r, (size_t)col[f]);
    while (*s == ' ' || *s == '\t')
        s++;
    return *s ? s : NULL;
}

static int put(json_t *o, const char *key, const char *v) {
    if (!v)
        return 0;
    _cleanup_free_ char *s = strdup(v);
    if (!s)
        return -DW_ENOMEM;
    dw_strtrim(s);
    return *s ? dw_json_set(o, key, json_string(s)) : 0;
}

/* Which field of our lead an intake error names, so the error can point at its cell. */
static int field_of_error(const char *field) {
    static const struct {
        const char *name;
        int f;
    } m[] = {{"external_id", F_EXTERNAL_ID}, {"contact.name", F_NAME},
             {"contact.email", F_EMAIL},     {"contact.phone", F_PHONE},
             {"contact.title", F_TITLE},     {"contact.company", F_COMPANY},
             {"contact.country", F_COUNTRY}, {"subject", F_SUBJECT},
             {"message", F_MESSAGE},         {"received_at", F_RECEIVED_AT}};
    for (size_t i = 0; field && i < DW_ARRAY_SIZE(m); i++)
        if (strcmp(m[i].name, field) == 0)
            return m[i].f;
    return -1;
}

struct ctx {
    const char *file, *data;
    size_t len;
    const struct dw_csv *t;
    int col[F__N];
    int date_order;
    bool salesforce; /* record ids are Salesforce's */
    struct dw_error *err;
};

/* A Salesforce record id in its 18-character form: a 15-character id (letters and digits)
 * gets the three characters that encode which of its letters are capitals, five at a
 * time; an 18-character one whose suffix is right keeps its first fifteen as they are and
 * the suffix in capitals. Any other id is copied as it is. out holds 19 bytes or more. */
static void salesforce_id(const char *id, char *out, size_t n) {
    static const char code[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    size_t len = strlen(id);
    bool alnum = len == 15 || len == 18;
    for (size_t i = 0; alnum && i < len; i++)
        alnum = isalnum((unsigned char)id[i]) != 0;
    char sfx[4] = "";
    for (int chunk = 0; alnum && chunk < 3; chunk++) {
        int bits = 0;
        for (int i = 0; i < 5; i++)
            if (isupper((unsigned char)id[chunk * 5 + i]))
                bits |= 1 << i;
        sfx[chunk] = code[bits];
    }
    if (alnum && len == 18)
        for (int i = 0; i < 3 && alnum; i++)
            alnum = toupper((unsigned char)id[15 + i]) == sfx[i];
    if (!alnum) {
        snprintf(out, n, "%s", id);
        return;
    }
    snprintf(out, n, "%.15s%s", id, sfx);
}

static int at_cell(struct ctx *x, int code, size_t r, int f, const char *fmt, const char *a,
                   const char *b) {
    int line = x->t->row_line[r], colno = 1;
    int c = f >= 0 ? x->col[f] : -1;
    if (c >= 0)
        dw_csv_cell_pos(x->t, x->data, x->len, r, (size_t)c, &line, &colno);
    char msg[400];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "") >= (int)sizeof msg)
        memcpy(msg + sizeof msg - 4, "...", 4); /* a long header or message, cut visibly */
#pragma GCC diagnostic pop
    return dw_error_at(x->err, code, x->file, line, colno, "%s", msg);
}

static int row_lead(struct ctx *x, size_t r, json_t **ret) {
    const struct dw_csv *t = x->t;
    const int *col = x->col;
    _cleanup_json_ json_t *lead = json_object(), *contact = json_object();
    if (!lead || !contact)
        return -DW_ENOMEM;
    const char *id = cell(t, col, r, F_EXTERNAL_ID);
    if (!id)
        return at_cell(x, -DW_EINVAL, r, F_EXTERNAL_ID,
                       "the record id (column '%s') is empty; every row needs one%s",
                       t->header[col[F_EXTERNAL_ID]], NULL);
    const char *msg = cell(t, col, r, F_MESSAGE);
    if (!msg)
        return at_cell(x, -DW_EINVAL, r, F_MESSAGE,
                       "the message (column '%s') is empty: a lead needs the customer's "
                       "words%s",
                       t->header[col[F_MESSAGE]], NULL);
    char sfid[32];
    if (x->salesforce && strlen(id) < sizeof sfid) {
        salesforce_id(id, sfid, sizeof sfid);
        id = sfid;
    }
    int rr = 0;
    rr = rr ? rr : dw_json_set(lead, "source", json_string("crm"));
    rr = rr ? rr : put(lead, "external_id", id);
    const char *name = cell(t, col, r, F_NAME);
    char full[520] = "";
    if (!name) {
        const char *fn = cell(t, col, r, F_FIRST_NAME), *ln = cell(t, col, r, F_LAST_NAME);
        snprintf(full, sizeof full, "%s%s%s", fn ? fn : "", fn && ln ? " " : "", ln ? ln : "");
        name = full[0] ? full : NULL;
    }
    rr = rr ? rr : put(contact, "name", name);
    rr = rr ? rr : put(contact, "email", cell(t, col, r, F_EMAIL));
    rr = rr ? rr : put(contact, "phone", cell(t, col, r, F_PHONE));
    rr = rr ? rr : put(contact, "title", cell(t, col, r, F_TITLE));
    rr = rr ? rr : put(contact, "company", cell(t, col, r, F_COMPANY));
    rr = rr ? rr : put(contact, "country", cell(t, col, r, F_COUNTRY));
    rr = rr ? rr : put(lead, "subject", cell(t, col, r, F_SUBJECT));
    rr = rr ? rr : dw_json_set(lead, "message", json_string(msg));
    if (rr < 0)
        return rr;
    if (json_object_size(contact) && (rr = dw_json_set(lead, "contact", json_incref(contact))) < 0)
        return rr;
    const char *when = cell(t, col, r, F_RECEIVED_AT);
    if (when) {
        dw_time_t at;
        int pr = parse_date(when, x->date_order, &at);
        if (pr == -2)
            return at_cell(x, -DW_EINVAL, r, F_RECEIVED_AT,
                           "'%s': no row of the column shows whether its dates are month/day "
                           "or day/month; write them as YYYY-MM-DD or leave the column out "
                           "with --map received_at=%s",
                           when, NULL);
        if (pr < 0)
            return at_cell(x, -DW_EINVAL, r, F_RECEIVED_AT,
                           "'%s' is not a date (YYYY-MM-DD[ HH:MM], DD.MM.YYYY, an RFC 3339 "
                           "time)%s",
                           when, NULL);
        char buf[32];
        if ((rr = dw_json_set(lead, "received_at",
                              json_string(dw_time_format(at, buf, sizeof buf)))) < 0)
            return rr;
    }
    /* the intake's own check, reported at the cell it is about */
    struct dw_error e = {0};
    json_t *rec = NULL;
    int pr = dw_lead_parse(lead, &rec, &e);
    json_decref(rec);
    if (pr < 0) {
        int f = field_of_error(e.field);
        if (f == F_NAME && col[F_NAME] < 0)
            f = col[F_FIRST_NAME] >= 0 ? F_FIRST_NAME : F_LAST_NAME;
        return at_cell(x, pr, r, f, "%s: %s", f >= 0 ? t->header[col[f]] : e.field, e.msg);
    }
    *ret = DW_TAKE_PTR(lead);
    return 0;
}

int dw_leads_parse_csv(const char *name, const char *data, size_t len, const char *map,
                       json_t **ret, const char **ret_kind, struct dw_error *err) {
    const char *file = name ? name : "-";
    struct dw_csv *t = NULL;
    /* a cell may hold a whole message; the intake's limit is the lead's */
    int r = dw_csv_parse_max(file, data, len, 0, DW_LEAD_MAX_MESSAGE, &t, err);
    if (r < 0)
        return r;
    struct ctx x = {.file = file, .data = data, .len = len, .t = t, .err = err};
    _cleanup_json_ json_t *out = json_array();
    if (!out) {
        dw_csv_free(t);
        return -DW_ENOMEM;
    }
    for (int f = 0; f < F__N; f++) {
        x.col[f] = -1;
        for (size_t a = 0; a < DW_ARRAY_SIZE(fields[f].aliases) && fields[f].aliases[a]; a++)
            if ((x.col[f] = header_col(t, fields[f].aliases[a])) >= 0)
                break;
    }
    const char *kind = header_col(t, "recordid") >= 0 ? "hubspot"
                       : header_col(t, "leadid") >= 0 || header_col(t, "leadsource") >= 0
                           ? "salesforce"
                           : "csv";
    x.salesforce = strcmp(kind, "salesforce") == 0;
    if ((r = apply_map(file, t, map, x.col, err)) < 0)
        goto done;
    for (int f = 0; f < F__N; f++)
        if (x.col[f] == -2)
            x.col[f] = -1;
    if (x.col[F_EXTERNAL_ID] < 0 || x.col[F_MESSAGE] < 0) {
        bool id = x.col[F_EXTERNAL_ID] < 0;
        r = dw_error_at(err, -DW_EINVAL, file, 1, 1,
                        "no column for the lead's %s (%s); name it with --map %s=COLUMN",
                        id ? "record id" : "message",
                        id ? "HubSpot 'Record ID', Salesforce 'Lead ID' or 'Id'"
                           : "HubSpot 'Message' or 'Notes', Salesforce 'Description'",
                        id ? "external_id" : "message");
        goto done;
    }
    if (t->n_rows > DW_LEADS_CSV_MAX_ROWS) {
        r = dw_error_at(err, -DW_ETOOBIG, file, t->row_line[DW_LEADS_CSV_MAX_ROWS], 1,
                        "more than %d rows in one import; split the file", DW_LEADS_CSV_MAX_ROWS);
        goto done;
    }
    if (x.col[F_RECEIVED_AT] >= 0) {
        size_t bad = 0;
        x.date_order = slash_order(t, x.col[F_RECEIVED_AT], &bad);
        if (x.date_order < 0) {
            r = at_cell(&x, -DW_EINVAL, bad, F_RECEIVED_AT,
                        "'%s': the column mixes month/day and day/month dates%s",
                        dw_csv_cell(t, bad, (size_t)x.col[F_RECEIVED_AT]), NULL);
            goto done;
        }
    }
    for (size_t i = 0; i < t->n_rows; i++) {
        json_t *lead = NULL;
        if ((r = row_lead(&x, i, &lead)) < 0)
            goto done;
        if (json_array_append_new(out, lead) < 0) {
            r = -DW_ENOMEM;
            goto done;
        }
    }
    *ret = DW_TAKE_PTR(out);
    if (ret_kind)
        *ret_kind = kind;
    r = 0;
done:
    dw_csv_free(t);
    return r;
}

int dw_leads_read_csv(const char *path, const char *map, json_t **ret, const char **ret_kind,
                      struct dw_error *err) {
    char *data = NULL;
    size_t len = 0;
    int r = dw_read_file(path, DW_LEADS_MAX_FILE, &data, &len, err);
    if (r < 0)
        return r;
    r = dw_leads_parse_csv(strcmp(path, "-") == 0 ? "<stdin>" : path, data, len, map, ret, ret_kind,
                           err);
    free(data);
    return r;
}

/* intake — the first agent a lead meets.
 *
 * Two halves. dw_lead_parse() checks a submitted lead against the contract (BLUEPRINT.md
 * "A lead"): known fields only, right types, sizes within limits, valid UTF-8; it runs
 * before anything is stored so bad input changes nothing. The step then normalises each
 * new lead of the deal (contact email lower-case, country as ISO code, the customer's text
 * out of a chat transcript), classifies the personal data it carries so retention and
 * redaction know what they hold, and flags content duplicates and free-mail senders.
 *
 * De-duplication by (source, external_id) and routing a follow-up to the contact's open
 * deal happen at submission (lib/control/ops.c) so the caller learns the deal id at once.
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "agents/agent.h"
#include "engines/extract.h"

#define FIELD_MAX 256
#define SUBJECT_MAX 1000
#define EXTERNAL_ID_MAX 200
#define TRANSCRIPT_MAX_TURNS 500

static const char *const sources[] = {"web_form", "email", "chat", "api", "crm"};
static const char *const lead_keys[] = {"source",  "external_id", "received_at", "contact",
                                        "subject", "message",     "transcript",  "email"};
static const char *const contact_keys[] = {"name", "email", "phone", "title", "company", "country"};

static bool in_list(const char *s, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* A string field: type, UTF-8 (jansson guarantees it on parse, but a caller may build JSON
 * by hand), no control characters except in free text, length limit. */
static int check_string(const json_t *v, const char *field, size_t max, bool free_text,
                        struct dw_error *err) {
    if (!json_is_string(v))
        return dw_error_field(err, -DW_EINVAL, field, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > max)
        return dw_error_field(err, -DW_ETOOBIG, field, "is %zu bytes, the limit is %zu", n, max);
    size_t bad;
    if (!dw_utf8_valid(s, n, &bad))
        return dw_error_field(err, -DW_EINVAL, field, "invalid UTF-8 at byte %zu", bad);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (c < 0x20 && !(free_text && (c == '\n' || c == '\r' || c == '\t'))))
            return dw_error_field(err, -DW_EINVAL, field, "control character at byte %zu", i);
    }
    return 0;
}

static int parse_contact(const json_t *c, json_t *out, struct dw_error *err) {
    const char *key;
    json_t *v;
    char field[64];
    if (!json_is_object(c))
        return dw_error_field(err, -DW_EINVAL, "contact", "must be an object");
    json_object_foreach((json_t *)c, key, v) {
        snprintf(field, sizeof field, "contact.%s", key);
        if (!in_list(key, contact_keys, DW_ARRAY_SIZE(contact_keys)))
            return dw_error_field(err, -DW_EINVAL, field, "unknown field");
        if (json_is_null(v))
            continue;
        int r = check_string(v, field, FIELD_MAX, false, err);
        if (r < 0)
            return r;
        _cleanup_free_ char *s = strdup(json_string_value(v));
        if (!s)
            return -DW_ENOMEM;
        dw_strtrim(s);
        if (strcmp(key, "email") == 0) {
            for (char *p = s; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            const char *at = strchr(s, '@');
            if (s[0] && (!at || at == s || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
                         strpbrk(s, " <>,;\"")))
                return dw_error_field(err, -DW_EINVAL, field, "'%s' is not an email address", s);
        } else if (strcmp(key, "country") == 0 && s[0]) {
            const char *code = dw_country_code(s);
            if (!code)
                return dw_error_field(err, -DW_EINVAL, field, "unknown country '%s'", s);
            free(s);
            s = strdup(code);
            if (!s)
                return -DW_ENOMEM;
        }
        if (s[0]) {
            int rr = dw_json_set(out, key, json_string(s));
            if (rr < 0)
                return rr;
        }
    }
    return 0;
}

static int parse_transcript(const json_t *t, json_t *out, size_t *total, struct dw_error *err) {
    char field[64];
    if (!json_is_array(t))
        return dw_error_field(err, -DW_EINVAL, "transcript", "must be an array");
    if (json_array_size(t) > TRANSCRIPT_MAX_TURNS)
        return dw_error_field(err, -DW_ETOOBIG, "transcript", "has %zu turns, the limit is %d",
                              json_array_size(t), TRANSCRIPT_MAX_TURNS);
    size_t i;
    json_t *turn;
    json_array_foreach(t, i, turn) {
        snprintf(field, sizeof field, "transcript[%zu]", i);
        if (!json_is_object(turn))
            return dw_error_field(err, -DW_EINVAL, field, "must be an object");
        const char *key;
        json_t *v;
        json_object_foreach(turn, key, v) {
            if (strcmp(key, "from") != 0 && strcmp(key, "text") != 0) {
                snprintf(field, sizeof field, "transcript[%zu].%s", i, key);
                return dw_error_field(err, -DW_EINVAL, field, "unknown field");
            }
        }
        json_t *from = json_object_get(turn, "from"), *text = json_object_get(turn, "text");
        snprintf(field, sizeof field, "transcript[%zu].from", i);
        if (!json_is_string(from) || (strcmp(json_string_value(from), "customer") != 0 &&
                                      strcmp(json_string_value(from), "agent") != 0))
            return dw_error_field(err, -DW_EINVAL, field, "must be \"customer\" or \"agent\"");
        snprintf(field, sizeof field, "transcript[%zu].text", i);
        int r = check_string(text, field, DW_LEAD_MAX_MESSAGE, true, err);
        if (r < 0)
            return r;
        *total += json_string_length(text);
        if (*total > DW_LEAD_MAX_MESSAGE)
            return dw_error_field(err, -DW_ETOOBIG, "transcript",
                                  "text totals more than the limit of %d bytes",
                                  DW_LEAD_MAX_MESSAGE);
        json_t *o = json_pack("{s:O,s:O}", "from", from, "text", text);
        if (!o || json_array_append_new(out, o) < 0)
            return -DW_ENOMEM;
    }
    return 0;
}

/* The mail a lead came from (lib/channels/mail-in.c writes it): its Message-ID, the
 * messages it answers, and the attachments it listed. Ids and names are data; nothing here
 * is opened or followed. */
#define MAIL_ID_MAX 998
#define MAIL_REFS_MAX 50
#define MAIL_ATTACHMENTS_MAX 100
static int parse_email(const json_t *m, json_t **ret, struct dw_error *err) {
    static const char *const keys[] = {"message_id",  "in_reply_to", "references",
                                       "attachments", "html_only",   "truncated"};
    char field[64];
    if (!json_is_object(m))
        return dw_error_field(err, -DW_EINVAL, "email", "must be an object");
    const char *key;
    json_t *v;
    int r;
    json_object_foreach((json_t *)m, key, v) {
        snprintf(field, sizeof field, "email.%s", key);
        if (!in_list(key, keys, DW_ARRAY_SIZE(keys)))
            return dw_error_field(err, -DW_EINVAL, field, "unknown field");
        if (json_is_null(v))
            continue;
        if (strcmp(key, "html_only") == 0 || strcmp(key, "truncated") == 0) {
            if (!json_is_boolean(v))
                return dw_error_field(err, -DW_EINVAL, field, "must be true or false");
        } else if (strcmp(key, "references") == 0) {
            if (!json_is_array(v) || json_array_size(v) > MAIL_REFS_MAX)
                return dw_error_field(err, -DW_EINVAL, field,
                                      "must be an array of at most %d message ids", MAIL_REFS_MAX);
            size_t i;
            json_t *id;
            json_array_foreach(v, i, id) {
                snprintf(field, sizeof field, "email.references[%zu]", i);
                if ((r = check_string(id, field, MAIL_ID_MAX, false, err)) < 0)
                    return r;
            }
        } else if (strcmp(key, "attachments") == 0) {
            if (!json_is_array(v) || json_array_size(v) > MAIL_ATTACHMENTS_MAX)
                return dw_error_field(err, -DW_EINVAL, field,
                                      "must be an array of at most %d attachments",
                                      MAIL_ATTACHMENTS_MAX);
            size_t i;
            json_t *a;
            json_array_foreach(v, i, a) {
                snprintf(field, sizeof field, "email.attachments[%zu]", i);
                if (!json_is_object(a))
                    return dw_error_field(err, -DW_EINVAL, field, "must be an object");
                const char *k;
                json_t *x;
                json_object_foreach(a, k, x) {
                    snprintf(field, sizeof field, "email.attachments[%zu].%s", i, k);
                    if (strcmp(k, "size") == 0) {
                        if (!json_is_integer(x) || json_integer_value(x) < 0)
                            return dw_error_field(err, -DW_EINVAL, field, "must be a byte count");
                    } else if (strcmp(k, "name") == 0 || strcmp(k, "type") == 0) {
                        if (!json_is_null(x) &&
                            (r = check_string(x, field, FIELD_MAX, false, err)) < 0)
                            return r;
                    } else {
                        return dw_error_field(err, -DW_EINVAL, field, "unknown field");
                    }
                }
            }
        } else if ((r = check_string(v, field, MAIL_ID_MAX, false, err)) < 0) {
            return r;
        }
    }
    *ret = json_deep_copy(m);
    return *ret ? 0 : -DW_ENOMEM;
}

int dw_lead_parse(const json_t *input, json_t **ret_rec, struct dw_error *err) {
    if (!json_is_object(input))
        return dw_error_set(err, -DW_EINVAL, "a lead must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)input, key, v) {
        if (!in_list(key, lead_keys, DW_ARRAY_SIZE(lead_keys)))
            return dw_error_field(err, -DW_EINVAL, key, "unknown field");
    }
    _cleanup_json_ json_t *rec = json_object();
    if (!rec)
        return -DW_ENOMEM;
    int r;

    json_t *source = json_object_get(input, "source");
    if (!source)
        return dw_error_field(err, -DW_EINVAL, "source", "is required");
    if ((r = check_string(source, "source", 32, false, err)) < 0)
        return r;
    if (!in_list(json_string_value(source), sources, DW_ARRAY_SIZE(sources)))
        return dw_error_field(err, -DW_EINVAL, "source",
                              "must be one of web_form, email, chat, api, crm (got \"%s\")",
                              json_string_value(source));

    json_t *ext = json_object_get(input, "external_id");
    if (!ext)
        return dw_error_field(err, -DW_EINVAL, "external_id", "is required");
    if ((r = check_string(ext, "external_id", EXTERNAL_ID_MAX, false, err)) < 0)
        return r;
    if (json_string_length(ext) == 0)
        return dw_error_field(err, -DW_EINVAL, "external_id", "must not be empty");

    json_t *at = json_object_get(input, "received_at");
    if (at && !json_is_null(at)) {
        dw_time_t t;
        char buf[32];
        if ((r = check_string(at, "received_at", 64, false, err)) < 0)
            return r;
        if (dw_time_parse(json_string_value(at), &t) < 0)
            return dw_error_field(err, -DW_EINVAL, "received_at",
                                  "'%s' is not an RFC 3339 timestamp", json_string_value(at));
        if ((r = dw_json_set(rec, "received_at", json_string(dw_time_format(t, buf, sizeof buf)))) <
            0)
            return r;
    }

    json_t *contact = json_object();
    if ((r = dw_json_set(rec, "contact", contact)) < 0)
        return r;
    json_t *c = json_object_get(input, "contact");
    if (c && !json_is_null(c) && (r = parse_contact(c, contact, err)) < 0)
        return r;

    json_t *subject = json_object_get(input, "subject");
    if (subject && !json_is_null(subject)) {
        if ((r = check_string(subject, "subject", SUBJECT_MAX, false, err)) < 0)
            return r;
        if ((r = dw_json_set(rec, "subject", json_incref(subject))) < 0)
            return r;
    }

    json_t *message = json_object_get(input, "message");
    json_t *transcript = json_object_get(input, "transcript");
    if (message && json_is_null(message))
        message = NULL;
    if (transcript && json_is_null(transcript))
        transcript = NULL;
    if (!message && !transcript)
        return dw_error_field(err, -DW_EINVAL, "message",
                              "one of \"message\" or \"transcript\" is required");
    if (message) {
        if ((r = check_string(message, "message", DW_LEAD_MAX_MESSAGE, true, err)) < 0)
            return r;
        if ((r = dw_json_set(rec, "message", json_incref(message))) < 0)
            return r;
    }
    if (transcript) {
        json_t *turns = json_array();
        size_t total = message ? json_string_length(message) : 0;
        if ((r = dw_json_set(rec, "transcript", turns)) < 0)
            return r;
        if ((r = parse_transcript(transcript, turns, &total, err)) < 0)
            return r;
    }
    json_t *mail = json_object_get(input, "email");
    if (mail && !json_is_null(mail)) {
        json_t *copy = NULL;
        if ((r = parse_email(mail, &copy, err)) < 0 || (r = dw_json_set(rec, "email", copy)) < 0)
            return r;
    }
    if ((r = dw_json_set(rec, "source", json_incref(source))) < 0 ||
        (r = dw_json_set(rec, "external_id", json_incref(ext))) < 0 ||
        (r = dw_json_set(rec, "raw", json_deep_copy(input))) < 0)
        return r;
    *ret_rec = DW_TAKE_PTR(rec);
    return 0;
}

/* ---- personal data ------------------------------------------------------------------- */

/* Patterns for personal data inside free text. Compiled once; a compiled PCRE2 pattern is
 * safe to share between threads as long as each match has its own match data. */
static const struct {
    const char *cls;
    const char *re;
} pii_patterns[] = {
    {"email", "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"},
    {"iban", "\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\\b"},
    {"payment_card", "\\b(?:[0-9][ -]?){13,19}\\b"},
    {"phone", "(?<![\\w+])\\+?[0-9][0-9 ()/.-]{6,18}[0-9](?!\\w)"},
    {"health", "(?i)\\b(?:diagnos(?:is|ed)|patient record|medical record|HIV|pregnan(?:t|cy))\\b"},
};
static pcre2_code *pii_code[DW_ARRAY_SIZE(pii_patterns)];
static pthread_once_t pii_once = PTHREAD_ONCE_INIT;

static void pii_compile(void) {
    for (size_t i = 0; i < DW_ARRAY_SIZE(pii_patterns); i++) {
        int ec;
        PCRE2_SIZE eo;
        pii_code[i] = pcre2_compile((PCRE2_SPTR)pii_patterns[i].re, PCRE2_ZERO_TERMINATED,
                                    PCRE2_UTF, &ec, &eo, NULL);
        if (pii_code[i])
            pcre2_jit_compile(pii_code[i], PCRE2_JIT_COMPLETE);
    }
}

static bool luhn_ok(const char *s, size_t n) {
    int sum = 0, digits = 0;
    bool dbl = false;
    for (size_t i = n; i-- > 0;) {
        if (!isdigit((unsigned char)s[i]))
            continue;
        int d = s[i] - '0';
        if (dbl && (d *= 2) > 9)
            d -= 9;
        sum += d;
        dbl = !dbl;
        digits++;
    }
    return digits >= 13 && sum % 10 == 0;
}

/* Find personal data in text; appends {class, field, span} to out. Card numbers must pass
 * the Luhn check, so an order quantity is not mistaken for one; a span already classified
 * is not classified again (a card number is not also a phone number). */
static int classify_text(const char *text, size_t len, json_t *out) {
    pthread_once(&pii_once, pii_compile);
    size_t taken_n = 0;
    size_t taken[64][2];
    for (size_t p = 0; p < DW_ARRAY_SIZE(pii_patterns); p++) {
        if (!pii_code[p])
            continue;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(pii_code[p], NULL);
        if (!md)
            return -DW_ENOMEM;
        PCRE2_SIZE off = 0;
        while (off < len && json_array_size(out) < 64) {
            int rc = pcre2_match(pii_code[p], (PCRE2_SPTR)text, len, off, 0, md, NULL);
            if (rc < 0)
                break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t s = ov[0], e = ov[1];
            off = e > s ? e : s + 1;
            bool overlap = false;
            for (size_t k = 0; k < taken_n; k++)
                if (s < taken[k][1] && e > taken[k][0])
                    overlap = true;
            if (overlap)
                continue;
            if (strcmp(pii_patterns[p].cls, "payment_card") == 0 && !luhn_ok(text + s, e - s))
                continue;
            if (strcmp(pii_patterns[p].cls, "phone") == 0) {
                int digits = 0;
                for (size_t k = s; k < e; k++)
                    digits += isdigit((unsigned char)text[k]) != 0;
                if (digits < 8 || (text[s] != '+' && text[s] != '0' && text[s] != '('))
                    continue; /* "2026 12 500" is not a phone number */
            }
            if (taken_n < DW_ARRAY_SIZE(taken)) {
                taken[taken_n][0] = s;
                taken[taken_n][1] = e;
                taken_n++;
            }
            json_array_append_new(out, json_pack("{s:s,s:s,s:[I,I]}", "class", pii_patterns[p].cls,
                                                 "field", "message", "span", (json_int_t)s,
                                                 (json_int_t)e));
        }
        pcre2_match_data_free(md);
    }
    return 0;
}

/* The customer's words: the message, then the customer's turns of a transcript. */
char *dw__lead_text(const json_t *raw) {
    struct dw_buf b;
    dw_buf_init(&b, 4 * DW_LEAD_MAX_MESSAGE);
    const char *msg = dw_json_str(raw, "message");
    if (msg)
        dw_buf_puts(&b, msg);
    size_t i;
    json_t *turn;
    json_array_foreach(json_object_get(raw, "transcript"), i, turn) {
        const char *from = dw_json_str(turn, "from"), *text = dw_json_str(turn, "text");
        if (!from || !text || strcmp(from, "customer") != 0)
            continue;
        if (b.len)
            dw_buf_puts(&b, "\n\n");
        dw_buf_puts(&b, text);
    }
    return dw_buf_steal(&b);
}

static bool is_free_mail(const struct dw_workspace *ws, const char *domain) {
    for (size_t i = 0; i < ws->qualification.n_free_mail_domains; i++)
        if (dw_streq_ci(domain, ws->qualification.free_mail_domains[i]))
            return true;
    return false;
}

static int intake_one(struct dw_agent_ctx *ctx, const json_t *lead, const json_t *leads,
                      size_t index) {
    const json_t *raw = json_object_get(lead, "raw");
    _cleanup_json_ json_t *intake = json_object();
    /* the contact as the lead was checked (e-mail in lower case, the country as its ISO
     * code, so "Germany" and "Deutschland" are DE), not as the customer typed it */
    const json_t *checked = json_object_get(lead, "contact");
    json_t *contact = json_deep_copy(json_is_object(checked) ? checked
                                                              : json_object_get(raw, "contact"));
    json_t *pd = json_array(), *flags = json_array();
    if (!intake || dw_json_set(intake, "contact", contact ? contact : json_object()) < 0 ||
        dw_json_set(intake, "personal_data", pd) < 0 || dw_json_set(intake, "flags", flags) < 0)
        return -DW_ENOMEM;
    contact = json_object_get(intake, "contact");

    const char *email = dw_json_str(contact, "email");
    if (email) {
        const char *at = strchr(email, '@');
        json_array_append_new(pd,
                              json_pack("{s:s,s:s}", "class", "email", "field", "contact.email"));
        if (at) {
            _cleanup_free_ char *domain = dw_strdup_lower(at + 1);
            if (is_free_mail(ctx->ws, domain))
                json_array_append_new(flags, json_string("free_mail"));
            else
                dw_json_set(contact, "domain", json_string(domain));
        }
    }
    if (dw_json_str(contact, "name"))
        json_array_append_new(pd, json_pack("{s:s,s:s}", "class", "name", "field", "contact.name"));
    if (dw_json_str(contact, "phone"))
        json_array_append_new(pd,
                              json_pack("{s:s,s:s}", "class", "phone", "field", "contact.phone"));

    _cleanup_free_ char *text = dw__lead_text(raw);
    int r = classify_text(text, strlen(text), pd);
    if (r < 0)
        return r;
    if (dw_json_set(intake, "text", json_string(text)) < 0)
        return -DW_ENOMEM;

    if (index > 0) {
        json_array_append_new(flags, json_string("follow_up"));
        /* The same words from the same person again (a form submitted twice): keep the
         * lead for the record but say so, so requirements does not count it twice. */
        for (size_t k = 0; k < index; k++) {
            const json_t *prev = json_object_get(json_array_get(leads, k), "intake");
            const char *pt = dw_json_str(prev, "text");
            if (pt && strcmp(pt, text) == 0) {
                json_array_append_new(flags, json_string("duplicate_content"));
                break;
            }
        }
    }
    json_t *id = json_object_get(lead, "id");
    r = DW_TOOL(ctx, set_intake, (int64_t)json_integer_value(id), intake);
    if (r < 0)
        return r;
    /* later leads of this step compare against this one */
    json_object_set((json_t *)lead, "intake", intake);
    return 0;
}

static int step(struct dw_agent_ctx *ctx) {
    _cleanup_cjson_ const json_t *shared = NULL;
    int r = DW_TOOL(ctx, leads, &shared);
    if (r < 0)
        return r;
    /* a copy of its own: each lead taken in is marked for the later ones to compare with */
    _cleanup_json_ json_t *leads = json_deep_copy(shared);
    if (!leads)
        return -DW_ENOMEM;
    size_t i, done = 0;
    json_t *lead;
    json_array_foreach(leads, i, lead) {
        if (json_is_object(json_object_get(lead, "intake")))
            continue; /* already taken in by an earlier step */
        if ((r = intake_one(ctx, lead, leads, i)) < 0)
            return r;
        done++;
    }
    dw_json_set(ctx->note, "leads_taken_in", json_integer((json_int_t)done));
    return 0;
}

const struct dw_agent dw_agent_intake = {
    .name = "intake",
    .summary = "validate, normalise, classify personal data, flag duplicates",
    .needs = DW_FACT_LEAD,
    .produces = DW_FACT_INTAKE,
    .scope = DW_TOOL_READ_LEADS | DW_TOOL_WRITE_INTAKE,
    .step = step,
};

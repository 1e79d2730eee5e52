/* Inbound mail (include/dealwright/mail.h): one RFC 5322 message read with GMime into a lead,
 * or recognised as a bounce or an automatic reply, which are not leads.
 *
 * GMime does the MIME work: multipart structure, transfer encodings (quoted-printable,
 * base64), RFC 2047 encoded words in headers, and charsets converted to UTF-8. What is ours:
 * the limits (the whole message, each text part, the parts, the header fields), which of
 * GMime's parser warnings make a message malformed (those after which it may have skipped
 * content), the choice of body (text/plain over text/html in an alternative, HTML read as
 * text when it is all there is), and the signals that a message was written by a machine.
 *
 * The customer's words are data. An attachment is listed by name, type and decoded size and
 * never interpreted; a message/rfc822 inside is an attachment too, not read as mail. */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gmime/gmime.h>

#include "agents/agent.h"
#include "channels/mail.h"

#define EXTERNAL_ID_MAX 200 /* the lead contract's external_id limit */
#define SUBJECT_MAX 1000
#define NAME_MAX_BYTES 256
#define TYPE_MAX_BYTES 128
#define REFERENCES_MAX 50
#define ATTACHMENTS_MAX DW_MAIL_MAX_PARTS

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void) {
    g_mime_init();
}

void dw__mail_init(void) {
    pthread_once(&init_once, init);
}

/* ---- places in the input -------------------------------------------------------------- */

static void line_col(const char *data, size_t len, size_t off, int *line, int *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static bool field_name_char(unsigned char c) {
    return c > 32 && c < 127 && c != ':';
}

/* The length of a header field name at s (0: none), the colon following. */
static size_t field_name(const char *s, size_t n) {
    size_t k = 0;
    while (k < n && field_name_char((unsigned char)s[k]))
        k++;
    return k > 0 && k < n && s[k] == ':' ? k : 0;
}

/* A header field name as mail programs write them (letters, digits, '-'), and its colon:
 * stricter than RFC 5322 allows, so that JSON ('{"source": ...') is never taken for mail. */
static size_t plain_field_name(const char *s, size_t n) {
    size_t k = 0;
    while (k < n && ((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
                     (s[k] >= '0' && s[k] <= '9') || s[k] == '-'))
        k++;
    return k > 0 && k < n && s[k] == ':' ? k : 0;
}

bool dw_mail_sniff(const char *data, size_t len) {
    if (len >= 5 && memcmp(data, "From ", 5) == 0)
        return true;
    size_t k = plain_field_name(data, len < 200 ? len : 200);
    if (k == 0)
        return false;
    /* a JSON or YAML-ish first line ("message: ...") is not mail: ask for a second header
     * or the blank line ending the head before saying yes */
    const char *nl = memchr(data, '\n', len);
    if (!nl)
        return false;
    size_t rest = len - (size_t)(nl + 1 - data);
    const char *p = nl + 1;
    return rest == 0 || *p == '\n' || *p == '\r' || *p == ' ' || *p == '\t' ||
           plain_field_name(p, rest < 200 ? rest : 200) > 0;
}

/* The head of the message checked before GMime sees it: it starts with a header field (or an
 * mbox "From " line), every line of it is a field or a continuation, and there are at most
 * DW_MAIL_MAX_HEADERS fields. *ret_skip: bytes of a leading mbox line. */
static int check_head(const char *data, size_t len, const char *name, size_t *ret_skip,
                      struct dw_error *err) {
    size_t off = 0;
    int line = 1, fields = 0;
    *ret_skip = 0;
    if (len >= 5 && memcmp(data, "From ", 5) == 0) {
        const char *nl = memchr(data, '\n', len);
        off = nl ? (size_t)(nl - data) + 1 : len;
        *ret_skip = off;
        line++;
    }
    while (off < len) {
        const char *s = data + off;
        const char *nl = memchr(s, '\n', len - off);
        size_t n = nl ? (size_t)(nl - s) : len - off;
        size_t m = n > 0 && s[n - 1] == '\r' ? n - 1 : n;
        if (m == 0)
            break; /* the blank line ending the head */
        if (s[0] == ' ' || s[0] == '\t') {
            if (fields == 0)
                return dw_error_at(err, -DW_EPARSE, name, line, 1,
                                   "not a mail message: a continuation line before any header "
                                   "field");
        } else {
            size_t k = field_name(s, m);
            if (k == 0) {
                size_t bad = 0;
                while (bad < m && field_name_char((unsigned char)s[bad]))
                    bad++;
                return dw_error_at(err, -DW_EPARSE, name, line, (int)bad + 1,
                                   fields == 0 ? "not a mail message: expected a header field "
                                                 "'Name: value'"
                                               : "malformed header field: expected 'Name: value'");
            }
            if (++fields > DW_MAIL_MAX_HEADERS)
                return dw_error_at(err, -DW_ETOOBIG, name, line, 1, "more than %d header fields",
                                   DW_MAIL_MAX_HEADERS);
        }
        off += n + 1;
        line++;
    }
    if (fields == 0)
        return dw_error_at(err, -DW_EPARSE, name, 1, 1,
                           "not a mail message: expected a header field 'Name: value'");
    return 0;
}

/* ---- GMime's warnings ---------------------------------------------------------------- */

struct warn {
    bool fatal;
    gint64 offset;
    GMimeParserWarning code;
    char item[80];
};

/* Fatal: the issues after which GMime may have skipped part of the message, so what we read
 * would not be what the customer sent. Duplicated headers, bad encoded words and the like
 * are only noted by GMime and read as well as they can be. */
static bool warning_fatal(GMimeParserWarning code) {
    switch (code) {
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_WARN_TRUNCATED_MESSAGE:
        return true;
    default:
        return false;
    }
}

static const char *warning_text(GMimeParserWarning code) {
    switch (code) {
    case GMIME_CRIT_INVALID_HEADER_NAME:
        return "invalid header field name";
    case GMIME_CRIT_CONFLICTING_HEADER:
        return "conflicting header fields";
    case GMIME_CRIT_CONFLICTING_PARAMETER:
        return "conflicting header parameters";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        return "a multipart without a boundary parameter";
    case GMIME_CRIT_NESTING_OVERFLOW:
        return "MIME parts nested too deeply";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        return "a MIME part without headers or content";
    case GMIME_WARN_MALFORMED_MULTIPART:
        return "a multipart without parts (is the boundary right?)";
    case GMIME_WARN_TRUNCATED_MESSAGE:
        return "the message is truncated (a multipart's closing boundary is missing)";
    default:
        return "malformed message";
    }
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data) {
    struct warn *w = data;
    if (w->fatal || !warning_fatal(code))
        return;
    w->fatal = true;
    w->offset = offset;
    w->code = code;
    snprintf(w->item, sizeof w->item, "%s", item ? item : "");
}

/* ---- reading --------------------------------------------------------------------------- */

struct reader {
    const char *name;
    const char *data;
    size_t len, skip;
    struct dw_buf text;
    json_t *attachments;
    int parts;
    bool html_only_seen, plain_seen, truncated;
    bool report; /* multipart/report or message/delivery-status seen */
    struct dw_error *err;
};

/* Text with CRLF made LF, NULs and control characters other than tab and newline dropped,
 * trailing blanks of each line removed; format=flowed soft breaks joined (RFC 3676). */
static int append_text(struct reader *rd, const char *s, bool flowed, bool delsp) {
    if (rd->text.len > 0 && dw_buf_puts(&rd->text, "\n\n") < 0)
        goto toobig;
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t m = n;
        while (m > 0 && p[m - 1] == '\r')
            m--;
        bool soft = flowed && m > 0 && p[m - 1] == ' ' && !(m == 3 && memcmp(p, "-- ", 3) == 0);
        const char *q = p;
        if (flowed && m > 0 && q[0] == ' ') { /* space-stuffing */
            q++;
            m--;
        }
        size_t keep = m;
        if (soft && delsp && keep > 0)
            keep--;
        /* trailing blanks go, except in "-- ", the signature's separator (RFC 3676) that
         * the extractor's structure reading looks for */
        if (!soft && !(keep == 3 && memcmp(q, "-- ", 3) == 0))
            while (keep > 0 && (q[keep - 1] == ' ' || q[keep - 1] == '\t'))
                keep--;
        for (size_t i = 0; i < keep; i++) {
            unsigned char c = (unsigned char)q[i];
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                continue;
            if (dw_buf_putc(&rd->text, (char)c) < 0)
                goto toobig;
        }
        if (nl && !soft && dw_buf_putc(&rd->text, '\n') < 0)
            goto toobig;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
toobig:
    rd->truncated = true;
    return 0;
}

/* Bytes of a part's content once decoded, counted without keeping them. */
static gint64 decoded_size(GMimeObject *obj) {
    GMimeStream *null = g_mime_stream_null_new();
    gint64 n = -1;
    if (GMIME_IS_PART(obj)) {
        GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
        if (w)
            n = g_mime_data_wrapper_write_to_stream(w, null);
        else
            n = 0;
    } else {
        n = g_mime_object_write_to_stream(obj, NULL, null);
    }
    g_object_unref(null);
    return n;
}

static char *clean_utf8(const char *s) {
    if (!s)
        return NULL;
    char *v = g_utf8_make_valid(s, -1);
    for (char *p = v; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return v;
}

static int add_attachment(struct reader *rd, GMimeObject *obj, const char *fallback) {
    if (json_array_size(rd->attachments) >= ATTACHMENTS_MAX)
        return 0;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("application/octet-stream");
    const char *fname = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
    if (!fname)
        fname = fallback;
    char *nm = clean_utf8(fname);
    if (nm && strlen(nm) > NAME_MAX_BYTES)
        nm[NAME_MAX_BYTES] = '\0';
    if (nm)
        g_strchomp(nm);
    if (type && strlen(type) > TYPE_MAX_BYTES)
        type[TYPE_MAX_BYTES] = '\0';
    for (char *p = type; p && *p; p++)
        if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127)
            *p = '_';
    gint64 size = decoded_size(obj);
    json_t *a = json_pack("{s:s?,s:s,s:I}", "name", nm && *nm ? nm : NULL, "type",
                          type ? type : "application/octet-stream", "size",
                          (json_int_t)(size < 0 ? 0 : size));
    g_free(type);
    g_free(nm);
    if (!a || json_array_append_new(rd->attachments, a) < 0)
        return dw_error_set(rd->err, -DW_ENOMEM, "out of memory");
    return 0;
}

static int read_text_part(struct reader *rd, GMimePart *part, bool html) {
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    gint64 size = decoded_size(GMIME_OBJECT(part));
    if (size > (gint64)DW_MAIL_MAX_TEXT_PART) {
        gint64 off = g_mime_object_get_header_list(GMIME_OBJECT(part))
                         ? g_mime_header_get_offset(g_mime_header_list_get_header_at(
                               g_mime_object_get_header_list(GMIME_OBJECT(part)), 0))
                         : -1;
        int line = 1, col = 1;
        if (off >= 0)
            line_col(rd->data, rd->len, (size_t)off + rd->skip, &line, &col);
        return dw_error_at(rd->err, -DW_ETOOBIG, rd->name, line, col,
                           "a text part of %lld bytes decoded, the limit is %u", (long long)size,
                           DW_MAIL_MAX_TEXT_PART);
    }
    if (!w)
        return 0;
    char *raw = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
    if (!raw)
        return 0;
    char *s = g_utf8_make_valid(raw, -1);
    g_free(raw);
    int r = 0;
    if (html) {
        char *t = dw__html_to_text(s, strlen(s), DW_MAIL_MAX_TEXT_PART);
        if (!t)
            r = dw_error_set(rd->err, -DW_ENOMEM, "out of memory");
        else
            r = append_text(rd, t, false, false);
        free(t);
    } else {
        GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
        const char *fmt = g_mime_content_type_get_parameter(ct, "format");
        const char *delsp = g_mime_content_type_get_parameter(ct, "delsp");
        r = append_text(rd, s, fmt && g_ascii_strcasecmp(fmt, "flowed") == 0,
                        delsp && g_ascii_strcasecmp(delsp, "yes") == 0);
    }
    g_free(s);
    return r;
}

static bool is_attachment(GMimeObject *obj) {
    GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);
    return d && g_mime_content_disposition_is_attachment(d);
}

static int walk(struct reader *rd, GMimeObject *obj, int depth);

/* An alternative: the plain text when there is some, else the HTML, else the richest part
 * that holds either (multipart/related around the HTML). */
static int walk_alternative(struct reader *rd, GMimeMultipart *mp, int depth) {
    int n = g_mime_multipart_get_count(mp), plain = -1, html = -1, nested = -1;
    for (int i = 0; i < n; i++) {
        GMimeObject *p = g_mime_multipart_get_part(mp, i);
        GMimeContentType *ct = g_mime_object_get_content_type(p);
        if (GMIME_IS_MULTIPART(p))
            nested = i;
        else if (g_mime_content_type_is_type(ct, "text", "plain") && !is_attachment(p))
            plain = i;
        else if (g_mime_content_type_is_type(ct, "text", "html") && !is_attachment(p))
            html = i;
    }
    int pick = plain >= 0 ? plain : html >= 0 ? html : nested;
    if (pick < 0)
        return 0;
    if (++rd->parts > DW_MAIL_MAX_PARTS)
        return dw_error_set(rd->err, -DW_ETOOBIG, "%s: more than %d MIME parts", rd->name,
                            DW_MAIL_MAX_PARTS);
    return walk(rd, g_mime_multipart_get_part(mp, pick), depth + 1);
}

static int walk(struct reader *rd, GMimeObject *obj, int depth) {
    if (depth > DW_MAIL_MAX_DEPTH)
        return dw_error_set(rd->err, -DW_ETOOBIG, "%s: MIME parts nested more than %d deep",
                            rd->name, DW_MAIL_MAX_DEPTH);
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    if (hl && g_mime_header_list_get_count(hl) > DW_MAIL_MAX_HEADERS)
        return dw_error_set(rd->err, -DW_ETOOBIG, "%s: a MIME part has more than %d header fields",
                            rd->name, DW_MAIL_MAX_HEADERS);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    if (GMIME_IS_MESSAGE_PART(obj))
        return add_attachment(rd, obj, "message.eml");
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        if (g_mime_content_type_is_type(ct, "multipart", "report"))
            rd->report = true;
        if (g_mime_content_type_is_type(ct, "multipart", "alternative"))
            return walk_alternative(rd, mp, depth);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++) {
            if (++rd->parts > DW_MAIL_MAX_PARTS)
                return dw_error_set(rd->err, -DW_ETOOBIG, "%s: more than %d MIME parts", rd->name,
                                    DW_MAIL_MAX_PARTS);
            int r = walk(rd, g_mime_multipart_get_part(mp, i), depth + 1);
            if (r < 0)
                return r;
        }
        return 0;
    }
    if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
        g_mime_content_type_is_type(ct, "message", "global-delivery-status"))
        rd->report = true;
    if (!GMIME_IS_PART(obj))
        return 0;
    bool attachment = is_attachment(obj);
    if (!attachment && GMIME_IS_TEXT_PART(obj) &&
        g_mime_content_type_is_type(ct, "text", "plain")) {
        rd->plain_seen = true;
        return read_text_part(rd, GMIME_PART(obj), false);
    }
    if (!attachment && GMIME_IS_TEXT_PART(obj) && g_mime_content_type_is_type(ct, "text", "html")) {
        rd->html_only_seen = true;
        return read_text_part(rd, GMIME_PART(obj), true);
    }
    return add_attachment(rd, obj, NULL);
}

/* ---- machines writing -------------------------------------------------------------------- */

/* Subjects of out-of-office notices, lower-case, as they start (after "Re:"/"AW:" removed)
 * in the six languages customers write in. */
static const char *const ooo_subjects[] = {
    /* en */ "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "away from the office",
    "on vacation",
    "on holiday",
    /* de */ "abwesenheitsnotiz",
    "automatische antwort",
    "abwesend",
    "nicht im büro",
    "außer haus",
    "urlaubsabwesenheit",
    /* fr */ "réponse automatique",
    "absence du bureau",
    "absent du bureau",
    "message d'absence",
    "je suis absent",
    "absente du bureau",
    /* es */ "respuesta automática",
    "fuera de la oficina",
    "fuera de oficina",
    "ausente",
    "respuesta automatica",
    /* it */ "risposta automatica",
    "fuori ufficio",
    "fuori sede",
    "assente dall'ufficio",
    /* nl */ "automatisch antwoord",
    "afwezig",
    "niet aanwezig",
    "buiten kantoor",
    "afwezigheidsbericht",
};

static const char *header(GMimeObject *o, const char *name) {
    return g_mime_object_get_header(o, name);
}

/* Why the message is an automatic one, or NULL. Auto-Submitted (RFC 3834) other than "no";
 * X-Autoreply, X-Autorespond (any value); Precedence auto_reply, bulk or junk; a subject
 * that starts like an out-of-office notice. */
static const char *auto_reply_reason(GMimeObject *o, const char *subject, char *buf, size_t n) {
    const char *v = header(o, "Auto-Submitted");
    if (v) {
        char *t = g_ascii_strdown(v, -1);
        g_strstrip(t);
        char *semi = strchr(t, ';');
        if (semi)
            *semi = '\0';
        g_strchomp(t);
        bool no = strcmp(t, "no") == 0;
        if (!no)
            snprintf(buf, n, "Auto-Submitted: %.40s", t);
        g_free(t);
        if (!no)
            return buf;
    }
    if (header(o, "X-Autoreply"))
        return "X-Autoreply header";
    if (header(o, "X-Autorespond"))
        return "X-Autorespond header";
    if ((v = header(o, "Precedence"))) {
        char *t = g_ascii_strdown(v, -1);
        g_strstrip(t);
        bool hit = strcmp(t, "auto_reply") == 0 || strcmp(t, "bulk") == 0 || strcmp(t, "junk") == 0;
        if (hit)
            snprintf(buf, n, "Precedence: %s", t);
        g_free(t);
        if (hit)
            return buf;
    }
    if (subject) {
        char *low = g_utf8_strdown(subject, -1);
        const char *s = low;
        /* reply prefixes: Re:, AW:, SV:, RE :, Antw:, R: ... any short word and a colon */
        for (int k = 0; k < 3; k++) {
            while (*s == ' ' || *s == '\t')
                s++;
            const char *c = strchr(s, ':');
            if (c && c - s <= 5 && c > s && !memchr(s, ' ', (size_t)(c - s - (c[-1] == ' '))))
                s = c + 1;
            else
                break;
        }
        while (*s == ' ' || *s == '\t' || *s == '[')
            s++;
        const char *hit = NULL;
        for (size_t i = 0; i < DW_ARRAY_SIZE(ooo_subjects) && !hit; i++)
            if (strncmp(s, ooo_subjects[i], strlen(ooo_subjects[i])) == 0)
                hit = ooo_subjects[i];
        if (hit)
            snprintf(buf, n, "subject starts with '%s'", hit);
        g_free(low);
        if (hit)
            return buf;
    }
    return NULL;
}

static bool local_is(const char *addr, const char *local) {
    size_t n = strlen(local);
    return addr && g_ascii_strncasecmp(addr, local, n) == 0 && addr[n] == '@';
}

/* ---- the lead ------------------------------------------------------------------------ */

static InternetAddressMailbox *first_mailbox(InternetAddressList *l) {
    for (int i = 0; l && i < internet_address_list_length(l); i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(a))
            return INTERNET_ADDRESS_MAILBOX(a);
        if (INTERNET_ADDRESS_IS_GROUP(a)) {
            InternetAddressMailbox *m =
                first_mailbox(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)));
            if (m)
                return m;
        }
    }
    return NULL;
}

static bool plausible_address(const char *a) {
    const char *at = a ? strrchr(a, '@') : NULL;
    if (!at || at == a || !at[1] || !strchr(at + 1, '.') || strlen(a) > NAME_MAX_BYTES)
        return false;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= 32 || strchr("<>,;\"()[]\\", *p))
            return false;
    return true;
}

/* Where the header `name` is in the input, for an error. */
static void header_place(GMimeObject *o, const struct reader *rd, const char *name, int *line,
                         int *col) {
    *line = 1;
    *col = 1;
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;
    gint64 off = h ? g_mime_header_get_offset(h) : -1;
    if (off >= 0)
        line_col(rd->data, rd->len, (size_t)off + rd->skip, line, col);
}

static json_t *id_list(const char *value, size_t max) {
    json_t *a = json_array();
    if (!value || !a)
        return a;
    GMimeReferences *refs = g_mime_references_parse(NULL, value);
    int n = refs ? g_mime_references_length(refs) : 0;
    for (int i = n > (int)max ? n - (int)max : 0; i < n; i++) {
        const char *id = g_mime_references_get_message_id(refs, i);
        bool ok = id && *id && strlen(id) <= 998 && g_utf8_validate(id, -1, NULL);
        for (const char *p = id; ok && *p; p++)
            ok = (unsigned char)*p > 32 && *p != 0x7f;
        if (ok)
            json_array_append_new(a, json_string(id));
    }
    if (refs)
        g_mime_references_free(refs);
    return a;
}

static char *cut_utf8(char *s, size_t max) {
    if (s && strlen(s) > max) {
        size_t k = max;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        s[k] = '\0';
    }
    return s;
}

static int build(GMimeMessage *msg, struct reader *rd, json_t **ret) {
    GMimeObject *o = GMIME_OBJECT(msg);
    struct dw_error *err = rd->err;
    int line, col;
    InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(msg));
    if (!from) {
        if (header(o, "From")) {
            header_place(o, rd, "From", &line, &col);
            return dw_error_at(err, -DW_EINVAL, rd->name, line, col,
                               "From: no sender address in '%.80s'", header(o, "From"));
        }
        return dw_error_set(err, -DW_EINVAL, "%s: no From header: a lead needs its sender",
                            rd->name);
    }
    _cleanup_free_ char *addr = NULL;
    {
        const char *a = internet_address_mailbox_get_idn_addr(from);
        addr = a ? dw_strdup_lower(a) : NULL;
    }
    if (!addr || !plausible_address(addr)) {
        header_place(o, rd, "From", &line, &col);
        return dw_error_at(err, -DW_EINVAL, rd->name, line, col,
                           "From: '%.80s' is not an e-mail address", addr ? addr : "");
    }
    char *fromname = clean_utf8(internet_address_get_name(INTERNET_ADDRESS(from)));
    if (fromname) {
        g_strstrip(fromname);
        cut_utf8(fromname, NAME_MAX_BYTES);
    }
    char *subject = clean_utf8(g_mime_message_get_subject(msg));
    if (subject) {
        g_strstrip(subject);
        cut_utf8(subject, SUBJECT_MAX);
    }
    const char *mid = g_mime_message_get_message_id(msg);
    char ext[EXTERNAL_ID_MAX + 1];
    bool mid_ok = mid && *mid && strlen(mid) <= EXTERNAL_ID_MAX && g_utf8_validate(mid, -1, NULL);
    for (const char *p = mid; mid_ok && *p; p++)
        mid_ok = (unsigned char)*p > 32 && *p != 0x7f;
    if (mid_ok) {
        snprintf(ext, sizeof ext, "%s", mid);
    } else {
        /* no usable Message-ID: the message's own bytes name it, so that the same file
         * delivered again is still the same lead */
        char hex[DW_SHA256_HEX];
        dw_sha256_hex(rd->data + rd->skip, rd->len - rd->skip, hex);
        snprintf(ext, sizeof ext, "sha256:%s", hex);
    }
    char at[32] = "";
    GDateTime *date = g_mime_message_get_date(msg);
    if (date) {
        gint64 t = g_date_time_to_unix(date);
        if (t > 0 && t < 253402300800LL)
            dw_time_format((dw_time_t)t, at, sizeof at);
    }

    struct reader *r = rd;
    int rc = walk(r, g_mime_message_get_mime_part(msg), 0);
    if (rc < 0) {
        g_free(fromname);
        g_free(subject);
        return rc;
    }
    /* the text as the lead's message, cut at a line within the lead's limit (the newest
     * writing is at the top; what goes is quoted history) */
    const char *text = rd->text.data ? rd->text.data : "";
    size_t tlen = rd->text.len;
    if (tlen > DW_LEAD_MAX_MESSAGE) {
        size_t k = DW_LEAD_MAX_MESSAGE;
        while (k > 0 && text[k] != '\n')
            k--;
        if (k == 0)
            for (k = DW_LEAD_MAX_MESSAGE; k > 0 && ((unsigned char)text[k] & 0xC0) == 0x80;)
                k--;
        tlen = k;
        rd->truncated = true;
    }
    while (tlen > 0 && (text[tlen - 1] == '\n' || text[tlen - 1] == ' '))
        tlen--;
    size_t lead_start = 0;
    while (lead_start < tlen && (text[lead_start] == '\n' || text[lead_start] == ' '))
        lead_start++;

    json_t *contact = json_pack("{s:s}", "email", addr);
    if (contact && fromname && *fromname)
        json_object_set_new(contact, "name", json_string(fromname));
    _cleanup_json_ json_t *irt = id_list(header(o, "In-Reply-To"), 1);
    json_t *email =
        json_pack("{s:s?,s:O?,s:o,s:O,s:b,s:b}", "message_id", mid_ok ? mid : NULL, "in_reply_to",
                  json_array_get(irt, 0), "references",
                  id_list(header(o, "References"), REFERENCES_MAX), "attachments", rd->attachments,
                  "html_only", rd->html_only_seen && !rd->plain_seen, "truncated", rd->truncated);
    json_t *lead =
        json_pack("{s:s,s:s,s:o,s:s%,s:o}", "source", "email", "external_id", ext, "contact",
                  contact, "message", text + lead_start, tlen - lead_start, "email", email);
    if (lead && subject && *subject)
        json_object_set_new(lead, "subject", json_string(subject));
    if (lead && at[0])
        json_object_set_new(lead, "received_at", json_string(at));
    json_t *out = json_pack("{s:s,s:s,s:s?,s:s?,s:o}", "kind", "lead", "from", addr, "subject",
                            subject, "message_id", mid_ok ? mid : NULL, "lead", lead);
    g_free(fromname);
    g_free(subject);
    if (!out)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = out;
    return 0;
}

int dw_mail_parse(const char *data, size_t len, const char *name, json_t **ret,
                  struct dw_error *err) {
    if (!name)
        name = "<mail>";
    if (len == 0)
        return dw_error_set(err, -DW_EPARSE, "%s: empty message", name);
    if (len > DW_MAIL_MAX_BYTES)
        return dw_error_set(err, -DW_ETOOBIG, "%s: the message is %zu bytes, the limit is %u", name,
                            len, DW_MAIL_MAX_BYTES);
    if (memchr(data, '\0', len)) {
        size_t off = (size_t)((const char *)memchr(data, '\0', len) - data);
        int line, col;
        line_col(data, len, off, &line, &col);
        return dw_error_at(err, -DW_EPARSE, name, line, col, "a NUL byte in the message");
    }
    size_t skip;
    int r = check_head(data, len, name, &skip, err);
    if (r < 0)
        return r;
    dw__mail_init();

    struct warn w = {0};
    GMimeParserOptions *po = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(po, on_warning, &w);
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(data + skip, len - skip);
    GMimeParser *parser = g_mime_parser_new_with_stream(st);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, po);
    g_object_unref(parser);
    g_object_unref(st);

    struct reader rd = {.name = name, .data = data, .len = len, .skip = skip, .err = err};
    dw_buf_init(&rd.text, 4 * DW_LEAD_MAX_MESSAGE);
    rd.attachments = json_array();
    json_t *out = NULL;
    if (!msg) {
        r = dw_error_at(err, -DW_EPARSE, name, 1, 1, "not a mail message");
        goto out;
    }
    if (w.fatal) {
        int line = 1, col = 1;
        if (w.offset >= 0)
            line_col(data, len, (size_t)w.offset + skip, &line, &col);
        r = dw_error_at(err, -DW_EPARSE, name, line, col, "malformed MIME: %s%s%.60s%s",
                        warning_text(w.code), w.item[0] ? " ('" : "", w.item,
                        w.item[0] ? "')" : "");
        goto out;
    }
    if ((r = build(msg, &rd, &out)) < 0)
        goto out;

    /* machines: a bounce (a delivery report, or the mail system's own address) or an
     * automatic reply is read, reported, and never becomes a lead */
    char buf[120];
    const char *from = dw_json_str(out, "from");
    const char *why = NULL, *kind = NULL;
    const char *mid = dw_json_str(out, "message_id");
    if (mid && strncmp(mid, "dealwright.D-", 13) == 0) {
        /* a copy of a message a deal sent (Bcc to the sales mailbox): ours, not a lead */
        kind = "outbound";
        why = "a message dealwright sent (its Message-ID is dealwright.D-...)";
    } else if (rd.report) {
        kind = "bounce";
        why = "a delivery status report (multipart/report)";
    } else if (local_is(from, "mailer-daemon") || local_is(from, "postmaster")) {
        kind = "bounce";
        snprintf(buf, sizeof buf, "sent by the mail system (%.80s)", from);
        why = buf;
    } else if ((why = auto_reply_reason(GMIME_OBJECT(msg), dw_json_str(out, "subject"), buf,
                                        sizeof buf))) {
        kind = "auto_reply";
    }
    if (kind) {
        json_object_set_new(out, "kind", json_string(kind));
        json_object_set_new(out, "reason", json_string(why));
        json_object_set_new(out, "lead", json_null());
    }
    *ret = DW_TAKE_PTR(out);
    r = 0;
out:
    if (msg)
        g_object_unref(msg);
    g_mime_parser_options_free(po);
    dw_buf_release(&rd.text);
    json_decref(rd.attachments);
    json_decref(out);
    return r;
}

/* ---- files, folders, maildirs -------------------------------------------------------- */

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir (only *.eml when eml_only), sorted, appended to *v. */
static int list_dir(const char *dir, bool eml_only, char ***v, size_t *n, size_t *cap,
                    struct dw_error *err) {
    DIR *d = opendir(dir);
    if (!d)
        return dw_error_set(err, -DW_EIO, "%s: cannot open the folder", dir);
    size_t first = *n;
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t nl = strlen(de->d_name);
        if (eml_only && (nl < 4 || g_ascii_strcasecmp(de->d_name + nl - 4, ".eml") != 0))
            continue;
        char *p = g_strdup_printf("%s/%s", dir, de->d_name);
        struct stat sb;
        if (stat(p, &sb) < 0 || !S_ISREG(sb.st_mode)) {
            g_free(p);
            continue;
        }
        if (*n >= DW_MAIL_MAX_FILES) {
            g_free(p);
            r = dw_error_set(err, -DW_ETOOBIG, "%s: more than %d mails in one import", dir,
                             DW_MAIL_MAX_FILES);
            break;
        }
        if (DW_GROW(*v, *cap, *n + 1) < 0) {
            g_free(p);
            r = -DW_ENOMEM;
            break;
        }
        (*v)[(*n)++] = p;
    }
    closedir(d);
    if (r == 0)
        qsort(*v + first, *n - first, sizeof **v, by_name);
    return r;
}

static int read_one(const char *path, json_t *out, struct dw_error *err) {
    char *data;
    size_t len;
    int r = dw_read_file(path, DW_MAIL_MAX_BYTES + 1, &data, &len, err);
    if (r < 0)
        return r;
    json_t *res = NULL;
    r = dw_mail_parse(data, len, path, &res, err);
    free(data);
    if (r < 0)
        return r;
    json_object_set_new(res, "file", json_string(path));
    return json_array_append_new(out, res) < 0 ? -DW_ENOMEM : 0;
}

int dw_mail_read_path(const char *path, json_t **ret, struct dw_error *err) {
    struct stat sb;
    if (stat(path, &sb) < 0)
        return dw_error_set(err, -DW_ENOENT, "%s: no such file or folder", path);
    _cleanup_json_ json_t *out = json_array();
    if (!out)
        return -DW_ENOMEM;
    if (!S_ISDIR(sb.st_mode)) {
        int r = read_one(path, out, err);
        if (r < 0)
            return r;
        *ret = DW_TAKE_PTR(out);
        return 0;
    }
    char **files = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    char *cur = g_strdup_printf("%s/cur", path), *new = g_strdup_printf("%s/new", path);
    struct stat a, b;
    if (stat(cur, &a) == 0 && S_ISDIR(a.st_mode) && stat(new, &b) == 0 && S_ISDIR(b.st_mode)) {
        /* a maildir: every file of cur/ and new/ is a message (tmp/ is being written) */
        r = list_dir(cur, false, &files, &n, &cap, err);
        if (r == 0)
            r = list_dir(new, false, &files, &n, &cap, err);
    } else {
        r = list_dir(path, true, &files, &n, &cap, err);
    }
    g_free(cur);
    g_free(new);
    if (r == 0 && n == 0)
        r = dw_error_set(err, -DW_EINVAL,
                         "%s: no mail in the folder (*.eml, or a maildir's "
                         "cur/ and new/)",
                         path);
    for (size_t i = 0; i < n && r == 0; i++)
        r = read_one(files[i], out, err);
    for (size_t i = 0; i < n; i++)
        g_free(files[i]);
    free(files);
    if (r < 0)
        return r;
    *ret = DW_TAKE_PTR(out);
    return 0;
}

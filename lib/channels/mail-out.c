/* Outgoing mail composed with GMime (channels/mail.h): text/plain (and text/html as its
 * alternative), attachments as base64 parts, headers encoded per RFC 2047 where they are
 * not ASCII, lines CRLF as on the wire. The same input gives the same bytes: GMime's
 * boundaries are random, so each is named from the Message-ID and the part's place. */
#include <string.h>

#include <gmime/gmime.h>

#include "channels/mail.h"

static void set_boundary(GMimeMultipart *mp, const char *message_id, const char *what) {
    char hex[DW_SHA256_HEX];
    char *seed = g_strdup_printf("%s/%s", message_id, what);
    dw_sha256_hex(seed, strlen(seed), hex);
    g_free(seed);
    char b[48];
    snprintf(b, sizeof b, "=_dw_%.32s", hex);
    g_mime_multipart_set_boundary(mp, b);
}

static GMimeObject *text_part(const char *subtype, const char *text) {
    GMimeTextPart *tp = g_mime_text_part_new_with_subtype(subtype);
    g_mime_text_part_set_text(tp, text);
    g_mime_text_part_set_charset(tp, "utf-8");
    /* quoted-printable keeps ASCII readable and survives any relay's line limits */
    g_mime_part_set_content_encoding(GMIME_PART(tp), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return GMIME_OBJECT(tp);
}

static GMimeObject *attachment_part(const struct dw__mail_attachment *a) {
    const char *slash = strchr(a->type, '/');
    char *type = slash ? g_strndup(a->type, (gsize)(slash - a->type)) : g_strdup("application");
    GMimePart *p = g_mime_part_new_with_type(type, slash ? slash + 1 : "octet-stream");
    g_free(type);
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(a->data, a->len);
    GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(st, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(p, w);
    g_object_unref(w);
    g_object_unref(st);
    if (a->method)
        g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "method", a->method);
    if (strncmp(a->type, "text/", 5) == 0)
        g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "charset", "utf-8");
    g_mime_object_set_disposition(GMIME_OBJECT(p), GMIME_DISPOSITION_ATTACHMENT);
    g_mime_part_set_filename(p, a->name);
    g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
    return GMIME_OBJECT(p);
}

int dw__mail_compose(const struct dw__mail_out *m, char **ret, size_t *ret_len,
                     struct dw_error *err) {
    dw__mail_init();
    GMimeMessage *msg = g_mime_message_new(TRUE);
    GMimeObject *mo = GMIME_OBJECT(msg);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, m->from_name, m->from_addr);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, m->to_name, m->to_addr);
    g_mime_message_set_subject(msg, m->subject, "utf-8");
    GDateTime *date = g_date_time_new_from_unix_utc((gint64)m->date);
    g_mime_message_set_date(msg, date);
    g_date_time_unref(date);
    g_mime_message_set_message_id(msg, m->message_id);
    if (m->in_reply_to) {
        char *v = g_strdup_printf("<%s>", m->in_reply_to);
        g_mime_object_set_header(mo, "In-Reply-To", v, NULL);
        g_free(v);
    }
    if (m->n_references > 0) {
        GString *refs = g_string_new(NULL);
        for (size_t i = 0; i < m->n_references; i++)
            g_string_append_printf(refs, "%s<%s>", i ? " " : "", m->references[i]);
        g_mime_object_set_header(mo, "References", refs->str, NULL);
        g_string_free(refs, TRUE);
    }
    g_mime_object_set_header(mo, "Auto-Submitted", "no", NULL);

    GMimeObject *body = text_part("plain", m->text);
    if (m->html) {
        GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
        set_boundary(alt, m->message_id, "alternative");
        g_mime_multipart_add(alt, body);
        g_object_unref(body);
        GMimeObject *h = text_part("html", m->html);
        g_mime_multipart_add(alt, h);
        g_object_unref(h);
        body = GMIME_OBJECT(alt);
    }
    if (m->n_att > 0) {
        GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
        set_boundary(mixed, m->message_id, "mixed");
        g_mime_multipart_add(mixed, body);
        g_object_unref(body);
        for (size_t i = 0; i < m->n_att; i++) {
            GMimeObject *a = attachment_part(&m->att[i]);
            g_mime_multipart_add(mixed, a);
            g_object_unref(a);
        }
        body = GMIME_OBJECT(mixed);
    }
    g_mime_message_set_mime_part(msg, body);
    g_object_unref(body);

    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    char *s = g_mime_object_to_string(mo, fo);
    g_mime_format_options_free(fo);
    g_object_unref(msg);
    if (!s)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret_len = strlen(s);
    *ret = strdup(s);
    g_free(s);
    if (!*ret)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    return 0;
}

/* Unit tests of the mail channel (lib/channels/mail-*.c): what a mail becomes, which mails are
 * not leads, the limits, HTML as text, and a composed message read back by GMime with every
 * header and the body as they were given. Expectations are what the sender wrote. */
#include "testutil.h"

#include "agents/agent.h"
#include "base/base.h"
#include "channels/mail.h"
#include "store/store.h"
#include <dealwright/dealwright.h>

static json_t *parse_ok(const char *mail) {
    json_t *out = NULL;
    struct dw_error err = {0};
    int r = dw_mail_parse(mail, strlen(mail), "t.eml", &out, &err);
    if (r < 0)
        fail_msg("parse failed: %s", err.msg);
    return out;
}

static int parse_err(const char *mail, size_t len, struct dw_error *err) {
    json_t *out = NULL;
    int r = dw_mail_parse(mail, len, "t.eml", &out, err);
    json_decref(out);
    return r;
}

static const char *lead_str(const json_t *res, const char *key) {
    return dw_json_str(json_object_get(res, "lead"), key);
}

static void sniff(void **state) {
    (void)state;
    assert_true(dw_mail_sniff("From: a@b.example\nTo: c@d.example\n\nhi\n", 36));
    assert_true(dw_mail_sniff("From someone Tue Nov 17 2026\nFrom: a@b\n", 39));
    assert_true(dw_mail_sniff("Received: from x\n\tby y\n", 23));
    const char *json = "{\"source\": \"email\",\n\"message\": \"x\"}";
    assert_false(dw_mail_sniff(json, strlen(json)));
    const char *text = "message: we need SD-WAN\nfor 12 sites\n";
    assert_false(dw_mail_sniff(text, strlen(text)));
    assert_false(dw_mail_sniff("We need 3 firewalls.\n", 21));
}

static void quoted_printable_and_rfc2047(void **state) {
    (void)state;
    json_t *r =
        parse_ok("From: =?UTF-8?Q?Fran=C3=A7ois?= =?UTF-8?Q?_B=C3=A9nard?= <F.Benard@Example.FR>\n"
                 "Subject: =?ISO-8859-1?Q?Devis_r=E9seau?= =?ISO-8859-1?Q?_=E0_Lyon?=\n"
                 "Message-ID: <abc.1@example.fr>\n"
                 "Date: Mon, 16 Nov 2026 08:00:00 -0500\n"
                 "Content-Type: text/plain; charset=utf-8\n"
                 "Content-Transfer-Encoding: quoted-printable\n\n"
                 "Budget =E2=82=AC45k, soft=\n"
                 "break.\r\n");
    assert_string_equal(dw_json_str(r, "kind"), "lead");
    json_t *c = json_object_get(json_object_get(r, "lead"), "contact");
    assert_string_equal(dw_json_str(c, "name"), "François Bénard");
    assert_string_equal(dw_json_str(c, "email"), "f.benard@example.fr");
    assert_string_equal(lead_str(r, "subject"), "Devis réseau à Lyon");
    assert_string_equal(lead_str(r, "message"), "Budget €45k, softbreak.");
    assert_string_equal(lead_str(r, "external_id"), "abc.1@example.fr");
    assert_string_equal(lead_str(r, "received_at"), "2026-11-16T13:00:00Z");
    assert_string_equal(lead_str(r, "source"), "email");
    json_decref(r);
}

static void no_message_id_hashes_the_message(void **state) {
    (void)state;
    const char *m = "From: a@b.example\nSubject: x\n\nWe need SD-WAN.\n";
    json_t *a = parse_ok(m), *b = parse_ok(m);
    const char *ea = lead_str(a, "external_id");
    assert_true(strncmp(ea, "sha256:", 7) == 0 && strlen(ea) == 7 + 64);
    assert_string_equal(ea, lead_str(b, "external_id"));
    json_decref(a);
    json_decref(b);
}

static void html_as_text(void **state) {
    (void)state;
    const char *h = "<html><head><style>p{x:y}</style><title>T</title></head><body>"
                    "<script>steal()</script><h1>Request</h1><p>Hello&nbsp;team,<br>we need "
                    "<b>SD-WAN</b> for   12 sites.</p><ul><li>budget &euro;60k</li><li>go-live "
                    "Q1</li></ul><table><tr><th>Site</th><th>Users</th></tr><tr><td>Köln</td>"
                    "<td>40</td></tr></table><p>Thanks</p></body></html>";
    char *t = dw__html_to_text(h, strlen(h), 1 << 20);
    assert_string_equal(t, "Request\n\nHello team,\nwe need SD-WAN for 12 sites.\n\n"
                           "- budget €60k\n- go-live Q1\n\nSite | Users\nKöln | 40\n\nThanks");
    free(t);
}

static void machines_are_not_leads(void **state) {
    (void)state;
    static const struct {
        const char *headers;
        const char *kind;
    } cases[] = {
        {"Auto-Submitted: auto-replied\nSubject: Hi\n", "auto_reply"},
        {"Auto-Submitted: auto-generated; x=1\nSubject: Hi\n", "auto_reply"},
        {"Auto-Submitted: no\nSubject: Hi\n", "lead"},
        {"X-Autoreply: yes\nSubject: Hi\n", "auto_reply"},
        {"X-Autorespond: 1\nSubject: Hi\n", "auto_reply"},
        {"Precedence: bulk\nSubject: Hi\n", "auto_reply"},
        {"Precedence: junk\nSubject: Hi\n", "auto_reply"},
        {"Precedence: auto_reply\nSubject: Hi\n", "auto_reply"},
        {"Precedence: list\nSubject: Hi\n", "lead"},
        {"Subject: Out of Office: SD-WAN\n", "auto_reply"},
        {"Subject: RE: Automatic reply: Angebot\n", "auto_reply"},
        {"Subject: AW: Abwesenheitsnotiz: Ihr Angebot\n", "auto_reply"},
        {"Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_devis?=\n", "auto_reply"},
        {"Subject: =?UTF-8?Q?Respuesta_autom=C3=A1tica:_oferta?=\n", "auto_reply"},
        {"Subject: Risposta automatica: offerta\n", "auto_reply"},
        {"Subject: Automatisch antwoord: offerte\n", "auto_reply"},
        {"Subject: Re: our office move needs 3 firewalls\n", "lead"},
        {"Subject: Out-of-band management for 40 sites\n", "lead"},
    };
    for (size_t i = 0; i < DW_ARRAY_SIZE(cases); i++) {
        char m[512];
        snprintf(m, sizeof m, "From: Jana <jana@rheinwerk.example>\n%s\nWe need SD-WAN.\n",
                 cases[i].headers);
        json_t *r = parse_ok(m);
        if (strcmp(dw_json_str(r, "kind"), cases[i].kind) != 0)
            fail_msg("case %zu (%s): %s", i, cases[i].headers, dw_json_str(r, "kind"));
        assert_true(strcmp(cases[i].kind, "lead") == 0 ? json_is_object(json_object_get(r, "lead"))
                                                       : json_is_null(json_object_get(r, "lead")));
        json_decref(r);
    }
    json_t *r = parse_ok("From: postmaster@mx.example\nSubject: Delivery failure\n\nx\n");
    assert_string_equal(dw_json_str(r, "kind"), "bounce");
    json_decref(r);
    r = parse_ok("From: MAILER-DAEMON@mx.example\nSubject: x\n\nx\n");
    assert_string_equal(dw_json_str(r, "kind"), "bounce");
    json_decref(r);
}

static void limits(void **state) {
    (void)state;
    struct dw_error err = {0};
    /* 101 parts */
    struct dw_buf b;
    dw_buf_init(&b, 1 << 24);
    dw_buf_puts(&b, "From: a@b.example\nContent-Type: multipart/mixed; boundary=XX\n\n");
    for (int i = 0; i <= DW_MAIL_MAX_PARTS; i++)
        dw_buf_puts(&b, "--XX\nContent-Type: text/plain\n\npart\n");
    dw_buf_puts(&b, "--XX--\n");
    assert_int_equal(parse_err(b.data, b.len, &err), -DW_ETOOBIG);
    assert_contains(err.msg, "more than 100 MIME parts");
    dw_buf_release(&b);
    /* nested ten deep */
    dw_buf_init(&b, 1 << 24);
    dw_buf_puts(&b, "From: a@b.example\nContent-Type: multipart/mixed; boundary=B0\n\n");
    for (int i = 0; i < 10; i++)
        dw_buf_printf(&b, "--B%d\nContent-Type: multipart/mixed; boundary=B%d\n\n", i, i + 1);
    dw_buf_puts(&b, "--B10\nContent-Type: text/plain\n\ndeep\n");
    for (int i = 10; i >= 0; i--)
        dw_buf_printf(&b, "--B%d--\n", i);
    memset(&err, 0, sizeof err);
    assert_int_equal(parse_err(b.data, b.len, &err), -DW_ETOOBIG);
    assert_contains(err.msg, "nested more than 8 deep");
    dw_buf_release(&b);
    /* a text part over its limit, named at its place */
    dw_buf_init(&b, 1 << 24);
    dw_buf_puts(&b, "From: a@b.example\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
                    "Content-Type: text/plain\n\n");
    for (size_t i = 0; i < DW_MAIL_MAX_TEXT_PART / 64 + 1; i++)
        dw_buf_puts(&b, "0123456789012345678901234567890123456789012345678901234567890123");
    dw_buf_puts(&b, "\n--XX--\n");
    memset(&err, 0, sizeof err);
    assert_int_equal(parse_err(b.data, b.len, &err), -DW_ETOOBIG);
    assert_int_equal(err.line, 5);
    assert_contains(err.msg, "text part of");
    dw_buf_release(&b);
    /* a long text is cut at a line within the lead's limit, and says so */
    dw_buf_init(&b, 1 << 24);
    dw_buf_puts(&b, "From: a@b.example\n\nWe need 12 firewalls.\n");
    for (int i = 0; i < 3000; i++)
        dw_buf_puts(&b, "> quoted history of an old thread, line after line after line\n");
    json_t *r = parse_ok(b.data);
    const char *msg = lead_str(r, "message");
    assert_true(strlen(msg) <= DW_LEAD_MAX_MESSAGE);
    assert_true(strncmp(msg, "We need 12 firewalls.\n", 22) == 0);
    assert_true(msg[strlen(msg) - 1] == 'e');
    assert_true(json_is_true(
        json_object_get(json_object_get(json_object_get(r, "lead"), "email"), "truncated")));
    json_decref(r);
    dw_buf_release(&b);
    /* a NUL byte */
    memset(&err, 0, sizeof err);
    assert_int_equal(parse_err("From: a@b.example\n\nx\0y", 22, &err), -DW_EPARSE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 2);
}

static void compose_round_trip(void **state) {
    (void)state;
    const char *refs[] = {"first@customer.example", "second@customer.example"};
    const char *text = "Sehr geehrter Herr Müller,\n\nanbei unser Angebot über € 45.000,00 für "
                       "8 Standorte — eine Zeile, die deutlich länger ist als achtzig Zeichen, "
                       "damit quoted-printable sie umbrechen muss.\n.\nA line with a lone dot "
                       "above.\n\n-- \nNorthwind Sales";
    static const char pdf[] = "%PDF-1.4\nbinary \x01\x02\xff bytes\n%%EOF\n";
    struct dw__mail_attachment att = {.name = "Angebot D-000001.pdf",
                                      .type = "application/pdf",
                                      .data = pdf,
                                      .len = sizeof pdf - 1};
    struct dw__mail_out m = {
        .from_name = "Northwind Vertrieb",
        .from_addr = "sales@northwind-edge.example",
        .to_name = "Jürgen Müller",
        .to_addr = "j.mueller@mueller-praezision.example",
        .subject = "Angebot D-000001 – Müller Präzisionstechnik",
        .message_id = "roundtrip.1@northwind-edge.example",
        .in_reply_to = "second@customer.example",
        .references = refs,
        .n_references = 2,
        .text = text,
        .html = "<p>Sehr geehrter Herr Müller</p>",
        .date = 1795000000,
        .att = &att,
        .n_att = 1,
    };
    char *data = NULL;
    size_t len = 0;
    struct dw_error err = {0};
    assert_int_equal(dw__mail_compose(&m, &data, &len, &err), 0);
    for (size_t i = 0; i < len; i++) /* 7-bit on the wire, CRLF lines */
        assert_true((unsigned char)data[i] < 128 &&
                    (data[i] != '\n' || (i > 0 && data[i - 1] == '\r')));
    char *again = NULL;
    size_t len2 = 0;
    assert_int_equal(dw__mail_compose(&m, &again, &len2, &err), 0);
    assert_int_equal(len, len2);
    assert_memory_equal(data, again, len);
    free(again);

    json_t *r = NULL;
    assert_int_equal(dw_mail_parse(data, len, "out.eml", &r, &err), 0);
    assert_string_equal(dw_json_str(r, "kind"), "lead");
    json_t *lead = json_object_get(r, "lead");
    assert_string_equal(dw_json_str(lead, "subject"), m.subject);
    assert_string_equal(dw_json_str(json_object_get(lead, "contact"), "name"), m.from_name);
    assert_string_equal(dw_json_str(json_object_get(lead, "contact"), "email"), m.from_addr);
    assert_string_equal(dw_json_str(lead, "external_id"), m.message_id);
    assert_string_equal(dw_json_str(lead, "received_at"), "2026-11-18T11:06:40Z");
    assert_string_equal(dw_json_str(lead, "message"), text);
    json_t *em = json_object_get(lead, "email");
    assert_string_equal(dw_json_str(em, "in_reply_to"), "second@customer.example");
    assert_int_equal(json_array_size(json_object_get(em, "references")), 2);
    json_t *a = json_array_get(json_object_get(em, "attachments"), 0);
    assert_string_equal(dw_json_str(a, "name"), att.name);
    assert_string_equal(dw_json_str(a, "type"), "application/pdf");
    assert_int_equal(dw_json_int(a, "size", 0), (int64_t)att.len);
    json_decref(r);
    free(data);
}

static void samples(void **state) {
    (void)state;
    const char *root = getenv("DW_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/mail", root ? root : ".");
    json_t *all = NULL;
    struct dw_error err = {0};
    /* the folder holds malformed mails too: all or nothing */
    assert_true(dw_mail_read_path(path, &all, &err) < 0);
    assert_contains(err.file, "malformed-no-boundary.eml");
    snprintf(path, sizeof path, "%s/tests/data/mail/bounce.eml", root ? root : ".");
    assert_int_equal(dw_mail_read_path(path, &all, &err), 0);
    assert_string_equal(dw_json_str(json_array_get(all, 0), "kind"), "bounce");
    json_decref(all);
}

/* The outbox's hooks: one row per Message-ID, a claim only one sender wins, and an outcome
 * written only while the claim that produced it stands. */
static void outbox_claims(void **state) {
    (void)state;
    char dir[] = "/tmp/dw-mail-XXXXXX", url[256];
    assert_non_null(mkdtemp(dir));
    snprintf(url, sizeof url, "%s/state.db", dir);
    struct dw_store *s = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_store_open(url, NULL, &s, &err), 0);
    int64_t deal = 0, id = 0, id2 = 0;
    bool created = false, ok = false;
    assert_int_equal(s->ops->deal_insert(s, 1000, &deal, &err), 0);
    struct dw_mail_rec m = {.deal_id = deal,
                            .kind = "proposal",
                            .message_id = "dealwright.D-000001.proposal.1@x.example",
                            .sender = "sales@x.example",
                            .recipient = "a@b.example",
                            .message = "Subject: x\r\n\r\nbody\r\n"};
    assert_int_equal(s->ops->mail_insert(s, &m, 1000, &id, &created, &err), 0);
    assert_true(created);
    assert_int_equal(s->ops->mail_insert(s, &m, 1001, &id2, &created, &err), 0);
    assert_false(created);
    assert_int_equal(id, id2);
    json_t *due = NULL;
    assert_int_equal(s->ops->mail_due(s, 999, 10, &due, &err), 0);
    assert_int_equal(json_array_size(due), 0); /* not due before it was queued */
    json_decref(due);
    assert_int_equal(s->ops->mail_due(s, 1000, 10, &due, &err), 0);
    assert_int_equal(json_array_size(due), 1);
    assert_string_equal(dw_json_str(json_array_get(due, 0), "message"), m.message);
    json_decref(due);
    /* two senders read attempts 0: the first claim wins, the second changes nothing */
    assert_int_equal(s->ops->mail_claim(s, id, 0, 1060, &ok, &err), 0);
    assert_true(ok);
    assert_int_equal(s->ops->mail_claim(s, id, 0, 1060, &ok, &err), 0);
    assert_false(ok);
    /* claimed, it is not due until its next try... */
    assert_int_equal(s->ops->mail_due(s, 1059, 10, &due, &err), 0);
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);
    /* ...then a second sender takes it over (attempts 1 -> 2) */
    assert_int_equal(s->ops->mail_claim(s, id, 1, 1180, &ok, &err), 0);
    assert_true(ok);
    /* the first sender's late outcome (its claim made attempts 1) changes nothing */
    assert_int_equal(s->ops->mail_update(s, id, 1, "pending", 1120, "timeout", 0, &ok, &err), 0);
    assert_false(ok);
    assert_int_equal(s->ops->mail_update(s, id, 2, "sent", 1100, NULL, 1100, &ok, &err), 0);
    assert_true(ok);
    json_t *rows = NULL;
    assert_int_equal(s->ops->mail_list(s, NULL, &rows, &err), 0);
    assert_string_equal(dw_json_str(json_array_get(rows, 0), "status"), "sent");
    assert_int_equal(dw_json_int(json_array_get(rows, 0), "attempts", 0), 2);
    assert_null(json_object_get(json_array_get(rows, 0), "message"));
    json_decref(rows);
    assert_int_equal(s->ops->mail_due(s, 5000, 10, &due, &err), 0);
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);
    dw_store_close(s);
    dir_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sniff),
        cmocka_unit_test(quoted_printable_and_rfc2047),
        cmocka_unit_test(no_message_id_hashes_the_message),
        cmocka_unit_test(html_as_text),
        cmocka_unit_test(machines_are_not_leads),
        cmocka_unit_test(limits),
        cmocka_unit_test(compose_round_trip),
        cmocka_unit_test(samples),
        cmocka_unit_test(outbox_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

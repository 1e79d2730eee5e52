/* Outbound mail (include/dealwright/mail.h, docs/internals/mail.md): the message a deal sends
 * — its clarifying reply or its proposal letter — composed from the deal's documents, kept in
 * the outbox and sent through the workspace's SMTP relay with libcurl.
 *
 * A message is named by its deal, kind and revision (the quote revision the proposal offers;
 * for a reply, the number of the customer's messages it answers): the Message-ID is
 * "dealwright.D-000006.proposal.2@DOMAIN", so writing it twice gives the same mail, the
 * outbox holds it once, and a customer's answer that cites it in In-Reply-To or References
 * finds its deal again (ops.c, thread_reference).
 *
 * Delivery is at least once. A message is claimed — marked "sending", its attempt counted
 * and its next try scheduled — in a committed transaction before the SMTP conversation
 * starts, and marked "sent" after the relay's 250. A process killed in between leaves it
 * claimed; at its next try it is sent again with the same Message-ID and bytes. The only
 * window for a duplicate is between the relay accepting the message and our commit, and a
 * duplicate carries the Message-ID mail programs collapse duplicates by; the other choice,
 * at most once, would silently lose a proposal whenever the process died before the relay
 * had it, which costs a deal. A relay's 4xx or a failed connection retries with backoff; a
 * 5xx answer, or the last of mail.smtp.attempts, makes the message dead. */
#include <pthread.h>
#include <string.h>

#include <curl/curl.h>

#include "channels/mail.h"
#include "base/trace.h"
#include "control/internal.h"

#define SUBJECT_MAX 300
#define REFS_MAX 20
#define BACKOFF_BASE 60    /* seconds before the second try; doubles, at most an hour */
#define SEND_TIMEOUT 120L  /* seconds for one SMTP conversation */
#define ERROR_TEXT_MAX 200 /* of a relay's answer kept in the outbox */

static const char *word(const char *lang, const char *const words[6]) {
    static const char *const langs[] = {"en", "de", "fr", "es", "it", "nl"};
    for (int i = 0; i < 6; i++)
        if (lang && strcmp(lang, langs[i]) == 0)
            return words[i];
    return words[0];
}

static const char *const proposal_words[6] = {"Proposal",  "Angebot",  "Proposition",
                                              "Propuesta", "Proposta", "Offerte"};
static const char *const enquiry_words[6] = {"Your enquiry", "Ihre Anfrage",     "Votre demande",
                                             "Su consulta",  "La sua richiesta", "Uw aanvraag"};

/* The customer's last mail on the deal (a lead from source email with a Message-ID), NULL
 * when the deal came by another way. */
static const json_t *last_mail(const json_t *leads) {
    const json_t *found = NULL;
    size_t i;
    json_t *l;
    json_array_foreach(leads, i, l) {
        const json_t *m = json_object_get(json_object_get(l, "raw"), "email");
        if (dw_json_str(l, "source") && strcmp(dw_json_str(l, "source"), "email") == 0 &&
            dw_json_str(m, "message_id"))
            found = l;
    }
    return found;
}

/* The customer's last subject, NULL when none of the deal's messages had one. */
static const char *last_subject(const json_t *leads) {
    const char *s = NULL;
    size_t i;
    json_t *l;
    json_array_foreach(leads, i, l) {
        const char *v = dw_json_str(json_object_get(l, "raw"), "subject");
        if (v && *v)
            s = v;
    }
    return s;
}

static bool has_reference(const char *s, const char *ref) {
    const char *p = s ? strstr(s, ref) : NULL;
    return p && !(p[strlen(ref)] >= '0' && p[strlen(ref)] <= '9');
}

static int attachment_list(const struct dw__mail_attachment *a, size_t n, json_t **ret) {
    json_t *out = json_array();
    for (size_t i = 0; out && i < n; i++)
        json_array_append_new(out, json_pack("{s:s,s:s,s:I}", "name", a[i].name, "type", a[i].type,
                                             "size", (json_int_t)a[i].len));
    *ret = out;
    return out ? 0 : -DW_ENOMEM;
}

int dw_deal_mail(struct dw_engine *e, const char *deal, const char *kind, char **ret_data,
                 size_t *ret_len, json_t **ret_meta, struct dw_error *err) {
    const struct dw_workspace *ws = e->ws;
    int64_t id;
    if (!deal || dw_id_parse('D', deal, &id) < 0)
        return dw_error_field(err, -DW_EINVAL, "deal", "'%s' is not a deal id (D-000001)",
                              deal ? deal : "");
    if (kind && strcmp(kind, "reply") != 0 && strcmp(kind, "proposal") != 0)
        return dw_error_field(err, -DW_EINVAL, "kind", "'%s': the kinds are reply and proposal",
                              kind);
    if (!ws->mail.from)
        return dw_error_set(err, -DW_EINVAL,
                            "the workspace has no sales address: set mail.from in "
                            "dealwright.yaml");
    _cleanup_json_ json_t *d = NULL;
    int r = dw_deal_show(e, id, &d, err);
    if (r < 0)
        return r;
    char ref[DW_ID_MAX];
    dw_id_format('D', id, ref, sizeof ref);
    const char *stage = dw_json_str(d, "stage");
    const json_t *qual = json_object_get(d, "qualification");
    const json_t *prop = json_object_get(d, "proposal");
    if (!kind)
        kind = json_is_object(prop) && dw_json_str(prop, "markdown") ? "proposal" : "reply";
    const char *md = NULL, *lang = NULL;
    int64_t revision = 0;
    const json_t *leads = json_object_get(d, "leads");
    if (strcmp(kind, "proposal") == 0) {
        md = json_is_object(prop) ? dw_json_str(prop, "markdown") : NULL;
        if (!md)
            return dw_error_set(err, -DW_ESTATE, "%s has no proposal yet (stage %s)", ref, stage);
        revision = dw_json_int(prop, "quote_revision", 0);
        lang = dw_json_str(prop, "document_language");
    } else {
        md = json_is_object(qual) ? dw_json_str(qual, "reply") : NULL;
        if (!md || !stage || strcmp(stage, "needs_info") != 0)
            return dw_error_set(err, -DW_ESTATE,
                                "%s has no clarifying reply to send (stage %s; a reply asks "
                                "the questions of a deal in needs_info)",
                                ref, stage ? stage : "?");
        size_t i;
        json_t *l;
        json_array_foreach(leads, i, l) revision++;
        lang = dw_json_str(qual, "reply_language");
    }
    const json_t *contact = json_object_get(d, "contact");
    const char *to = dw_json_str(contact, "email");
    if (!to || !*to)
        return dw_error_set(err, -DW_EINVAL, "%s has no contact address to write to", ref);

    char message_id[300], subject[SUBJECT_MAX + 64];
    const char *domain = strrchr(ws->mail.from, '@') + 1;
    snprintf(message_id, sizeof message_id, "dealwright.%s.%s.%lld@%s", ref, kind,
             (long long)revision, domain);
    if (strcmp(kind, "proposal") == 0) {
        snprintf(subject, sizeof subject, "%s %s – %s", word(lang, proposal_words), ref,
                 ws->company_name ? ws->company_name : "");
    } else {
        const char *s = last_subject(leads);
        bool re = s && (strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "aw:", 3) == 0);
        if (!s)
            snprintf(subject, sizeof subject, "%s [%s]", word(lang, enquiry_words), ref);
        else if (has_reference(s, ref))
            snprintf(subject, sizeof subject, "%s%.*s", re ? "" : "Re: ", SUBJECT_MAX, s);
        else
            snprintf(subject, sizeof subject, "%s%.*s [%s]", re ? "" : "Re: ", SUBJECT_MAX, s, ref);
    }

    /* threading: In-Reply-To the customer's last mail, References its references and it */
    const json_t *mail = last_mail(leads);
    const json_t *mm = json_object_get(json_object_get(mail, "raw"), "email");
    const char *irt = dw_json_str(mm, "message_id");
    const char *refs[REFS_MAX + 1];
    size_t n_refs = 0;
    const json_t *theirs = json_object_get(mm, "references");
    size_t nt = json_array_size(theirs);
    for (size_t i = nt > REFS_MAX ? nt - REFS_MAX : 0; i < nt; i++)
        if (json_string_value(json_array_get(theirs, i)))
            refs[n_refs++] = json_string_value(json_array_get(theirs, i));
    if (irt)
        refs[n_refs++] = irt;

    _cleanup_free_ char *text = dw__markdown_text(md);
    _cleanup_free_ char *html = NULL, *pdf = NULL, *ics = NULL;
    size_t html_len = 0, pdf_len = 0;
    struct dw__mail_attachment att[2];
    size_t n_att = 0;
    char pdf_name[64];
    if (strcmp(kind, "proposal") == 0) {
        /* the proposal as the customer's documents show it: the HTML page as the message's
         * rich alternative, the PDF attached (lib/channels/document.c, pdf.c) */
        if ((r = dw_deal_proposal_render(e, id, "html", &html, &html_len, err)) < 0 ||
            (r = dw_deal_proposal_render(e, id, "pdf", &pdf, &pdf_len, err)) < 0)
            return r;
        snprintf(pdf_name, sizeof pdf_name, "%s %s.pdf", word(lang, proposal_words), ref);
        att[n_att++] = (struct dw__mail_attachment){
            .name = pdf_name, .type = "application/pdf", .data = pdf, .len = pdf_len};
        /* the demo's invitation, when one is booked (lib/channels/ics.c) */
        size_t ics_len = 0;
        struct dw_error ignore = {0};
        r = dw_deal_invitation(e, id, &ics, &ignore);
        if (r < 0 && r != -DW_ENOENT)
            return dw_error_set(err, r, "%s: the demo invitation: %s", ref, ignore.msg);
        if (r >= 0 && ics) {
            /* a booking (or its change) is news: the letter that carries it is a message of
             * its own, named by the booking's number and sequence */
            _cleanup_json_ json_t *bk = NULL;
            if (dw_deal_booking(e, id, &bk, &ignore) == 0) {
                size_t l = strlen(message_id);
                char *at = strrchr(message_id, '@');
                char tail[160];
                snprintf(tail, sizeof tail, ".demo%lld-%lld%s",
                         (long long)dw_json_int(bk, "number", 0),
                         (long long)dw_json_int(bk, "sequence", 0), at);
                if (l + strlen(tail) < sizeof message_id)
                    snprintf(at, sizeof message_id - (size_t)(at - message_id), "%s", tail);
            }
            ics_len = strlen(ics);
            att[n_att++] = (struct dw__mail_attachment){
                .name = "invitation.ics",
                .type = "text/calendar",
                .method = strstr(ics, "METHOD:CANCEL") ? "CANCEL" : "REQUEST",
                .data = ics,
                .len = ics_len};
        }
        r = 0;
    } else {
        html = dw__markdown_html(md, strlen(md));
    }
    if (!text || !html)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    struct dw__mail_out m = {
        .from_name = ws->mail.from_name ? ws->mail.from_name : ws->company_name,
        .from_addr = ws->mail.from,
        .to_name = dw_json_str(contact, "name"),
        .to_addr = to,
        .subject = subject,
        .message_id = message_id,
        .in_reply_to = irt,
        .references = refs,
        .n_references = n_refs,
        .text = text,
        .html = html,
        .date = dw__now(e),
        .att = att,
        .n_att = n_att,
    };
    char *data = NULL;
    size_t len = 0;
    if ((r = dw__mail_compose(&m, &data, &len, err)) < 0)
        return r;
    json_t *atts = NULL;
    if (attachment_list(att, n_att, &atts) < 0) {
        free(data);
        return -DW_ENOMEM;
    }
    json_t *meta =
        json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s?,s:o}", "deal", ref, "kind", kind, "revision",
                  (json_int_t)revision, "message_id", message_id, "from", ws->mail.from, "to", to,
                  "subject", subject, "in_reply_to", irt, "attachments", atts);
    if (!meta) {
        free(data);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }
    *ret_data = data;
    *ret_len = len;
    *ret_meta = meta;
    return 0;
}

/* ---- the outbox ----------------------------------------------------------------------- */

static int txn(struct dw_engine *e, struct dw_error *err) {
    int r;
    for (int i = 0; i < 3; i++)
        if ((r = e->store->ops->begin(e->store, err)) != -DW_EBUSY)
            return r;
    return r;
}

static int txn_done(struct dw_engine *e, int r, struct dw_error *err) {
    if (r < 0) {
        e->store->ops->rollback(e->store);
        return r;
    }
    if ((r = e->store->ops->commit(e->store, err)) < 0)
        e->store->ops->rollback(e->store);
    return r;
}

static int need_outbox(struct dw_engine *e, struct dw_error *err) {
    const struct dw_store_ops *o = e->store->ops;
    if (!o->mail_insert || !o->mail_due || !o->mail_claim || !o->mail_update || !o->mail_list)
        return dw_error_set(err, -DW_EINVAL, "this store has no mail outbox");
    return 0;
}

int dw_mail_queue(struct dw_engine *e, const char *deal, const char *kind, const char *by,
                  json_t **ret, struct dw_error *err) {
    int r = need_outbox(e, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *data = NULL;
    size_t len;
    _cleanup_json_ json_t *meta = NULL;
    if ((r = dw_deal_mail(e, deal, kind, &data, &len, &meta, err)) < 0)
        return r;
    int64_t deal_id = 0;
    dw_id_parse('D', dw_json_str(meta, "deal"), &deal_id);
    struct dw_mail_rec rec = {.deal_id = deal_id,
                              .kind = dw_json_str(meta, "kind"),
                              .message_id = dw_json_str(meta, "message_id"),
                              .sender = dw_json_str(meta, "from"),
                              .recipient = dw_json_str(meta, "to"),
                              .message = data};
    int64_t id = 0;
    bool created = false;
    if ((r = txn(e, err)) < 0)
        return r;
    r = e->store->ops->mail_insert(e->store, &rec, dw__now(e), &id, &created, err);
    /* the audit keeps what was queued, not the text (the deal has its documents) */
    if (r == 0 && created)
        r = dw__audit(e, deal_id, by && *by ? by : "mail", "mail.queue",
                      json_pack("{s:I,s:s,s:s,s:I}", "outbox", (json_int_t)id, "kind", rec.kind,
                                "message_id", rec.message_id, "revision",
                                (json_int_t)dw_json_int(meta, "revision", 0)),
                      err);
    if ((r = txn_done(e, r, err)) < 0)
        return r;
    json_t *out = json_pack("{s:I,s:O,s:O,s:O,s:s,s:b}", "id", (json_int_t)id, "deal",
                            json_object_get(meta, "deal"), "kind", json_object_get(meta, "kind"),
                            "message_id", json_object_get(meta, "message_id"), "status",
                            created ? "pending" : "queued before", "created", created);
    if (!out)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = out;
    return 0;
}

int dw_mail_outbox(struct dw_engine *e, const char *status, json_t **ret, struct dw_error *err) {
    int r = need_outbox(e, err);
    if (r < 0)
        return r;
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "sending") != 0 &&
        strcmp(status, "sent") != 0 && strcmp(status, "dead") != 0)
        return dw_error_field(err, -DW_EINVAL, "status",
                              "'%s': the statuses are pending, sending, sent and dead", status);
    json_t *rows = NULL;
    if ((r = e->store->ops->mail_list(e->store, status, &rows, err)) < 0)
        return r;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char buf[DW_ID_MAX];
        json_object_set_new(
            row, "deal",
            json_string(dw_id_format('D', dw_json_int(row, "deal_id", 0), buf, sizeof buf)));
        json_object_del(row, "deal_id");
    }
    *ret = rows;
    return 0;
}

const char *dw_mail_relay(const struct dw_workspace *ws) {
    return ws->mail.smtp_url;
}

void dw_mail_smtp_env(const struct dw_workspace *ws, const char **ret_user_env,
                      const char **ret_password_env) {
    *ret_user_env = ws->mail.smtp_user_env;
    *ret_password_env = ws->mail.smtp_password_env;
}

/* ---- sending --------------------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_rc = CURLE_FAILED_INIT;
static void curl_start(void) {
    curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *user) {
    struct upload *u = user;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

/* One SMTP conversation: 0 when the relay accepted the message; otherwise -1 with *permanent
 * set for a 5xx answer, and what went wrong in errbuf (never a credential). */
static int smtp_send(const char *url, const struct dw_smtp_auth *auth, const char *from,
                     const char *to, const char *msg, bool *permanent, char *errbuf) {
    CURL *c = curl_easy_init();
    *permanent = false;
    if (!c) {
        snprintf(errbuf, CURL_ERROR_SIZE, "libcurl could not start a transfer");
        return -1;
    }
    char env_from[300], env_to[300];
    snprintf(env_from, sizeof env_from, "<%s>", from);
    snprintf(env_to, sizeof env_to, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, env_to);
    struct upload u = {.p = msg, .left = strlen(msg)};
    errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, env_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.left);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, SEND_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (auth && auth->user && auth->password) {
        curl_easy_setopt(c, CURLOPT_USERNAME, auth->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, auth->password);
        /* a password never crosses the network in clear: smtp:// must upgrade (STARTTLS) */
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    }
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        if (!errbuf[0])
            snprintf(errbuf, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
        *permanent = code >= 500 && code < 600;
        size_t l = strlen(errbuf);
        if (code && l + 16 < CURL_ERROR_SIZE)
            snprintf(errbuf + l, CURL_ERROR_SIZE - l, " (SMTP %ld)", code);
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

static dw_time_t backoff(int64_t attempts) {
    dw_time_t d = BACKOFF_BASE;
    for (int64_t i = 1; i < attempts && d < 3600; i++)
        d *= 2;
    return d > 3600 ? 3600 : d;
}

/* Claim one due message in its own committed transaction; false when another sender has it. */
static int claim(struct dw_engine *e, const json_t *row, bool *ret, struct dw_error *err) {
    int64_t attempts = dw_json_int(row, "attempts", 0);
    int r = txn(e, err);
    if (r < 0)
        return r;
    r = e->store->ops->mail_claim(e->store, dw_json_int(row, "id", 0), attempts,
                                  dw__now(e) + backoff(attempts + 1), ret, err);
    return txn_done(e, r, err);
}

static int record(struct dw_engine *e, const json_t *row, const char *status, dw_time_t next_at,
                  const char *error, struct dw_error *err) {
    dw_time_t now = dw__now(e);
    int64_t id = dw_json_int(row, "id", 0), deal_id = dw_json_int(row, "deal_id", 0);
    int r = txn(e, err);
    if (r < 0)
        return r;
    bool updated = false;
    r = e->store->ops->mail_update(e->store, id, dw_json_int(row, "attempts", 0) + 1, status,
                                   next_at, error, strcmp(status, "sent") == 0 ? now : 0, &updated,
                                   err);
    if (r == 0 && updated && strcmp(status, "pending") != 0)
        r = dw__audit(e, deal_id, "mail", strcmp(status, "sent") == 0 ? "mail.sent" : "mail.dead",
                      json_pack("{s:I,s:s,s:I,s:s?}", "outbox", (json_int_t)id, "message_id",
                                dw_json_str(row, "message_id"), "attempts",
                                (json_int_t)(dw_json_int(row, "attempts", 0) + 1), "error", error),
                      err);
    return txn_done(e, r, err);
}

int dw_mail_send_due(struct dw_engine *e, const struct dw_smtp_auth *auth, int max, json_t **ret,
                     struct dw_error *err) {
    const struct dw_mail_config *mc = &e->ws->mail;
    int r = need_outbox(e, err);
    if (r < 0)
        return r;
    if (!mc->smtp_url)
        return dw_error_set(err, -DW_EINVAL,
                            "the workspace has no SMTP relay: set mail.smtp.url in "
                            "dealwright.yaml");
    pthread_once(&curl_once, curl_start);
    if (curl_rc != CURLE_OK)
        return dw_error_set(err, -DW_EINTERNAL, "libcurl could not start: %s",
                            curl_easy_strerror(curl_rc));
    _cleanup_json_ json_t *due = NULL, *items = json_array();
    if ((r = e->store->ops->mail_due(e->store, dw__now(e), max > 0 ? max : 100, &due, err)) < 0)
        return r;
    int sent = 0, retry = 0, dead = 0;
    size_t i;
    json_t *row;
    json_array_foreach(due, i, row) {
        bool mine = false;
        if ((r = claim(e, row, &mine, err)) < 0)
            return r;
        if (!mine)
            continue;
        char errbuf[CURL_ERROR_SIZE];
        bool permanent = false;
        int64_t attempts = dw_json_int(row, "attempts", 0) + 1;
        const char *status;
        /* the message's span, in its deal's trace: ids and the outcome, never an address */
        struct dw_span *sp = NULL;
        if (e->tracer) {
            struct dw_trace_ctx parent;
            int64_t deal_id = dw_json_int(row, "deal_id", 0);
            bool have = deal_id > 0 && dw__deal_trace(e, deal_id, &parent);
            sp = dw_span_start(e->tracer, "smtp send", DW_SPAN_CLIENT, have ? &parent : NULL);
            dw__span_deal(sp, deal_id);
            dw_span_int(sp, "dealwright.outbox.id", dw_json_int(row, "id", 0));
            dw_span_int(sp, "dealwright.mail.attempt", attempts);
        }
        if (smtp_send(mc->smtp_url, auth, dw_json_str(row, "sender"), dw_json_str(row, "recipient"),
                      dw_json_str(row, "message"), &permanent, errbuf) == 0) {
            status = "sent";
            errbuf[0] = '\0';
            sent++;
        } else if (permanent || attempts >= mc->smtp_attempts) {
            status = "dead";
            dead++;
        } else {
            status = "pending";
            retry++;
        }
        errbuf[ERROR_TEXT_MAX] = '\0';
        if (sp) {
            dw_span_str(sp, "dealwright.mail.status", status);
            if (strcmp(status, "sent") != 0)
                dw_span_error(sp, permanent ? "refused by the relay" : "not sent");
            dw_span_end(sp);
        }
        if ((r = record(e, row, status, dw__now(e) + backoff(attempts), errbuf[0] ? errbuf : NULL,
                        err)) < 0)
            return r;
        json_array_append_new(items, json_pack("{s:I,s:O,s:s,s:s?}", "id",
                                               (json_int_t)dw_json_int(row, "id", 0), "message_id",
                                               json_object_get(row, "message_id"), "status", status,
                                               "error", errbuf[0] ? errbuf : NULL));
    }
    json_t *out =
        json_pack("{s:i,s:i,s:i,s:O}", "sent", sent, "retry", retry, "dead", dead, "items", items);
    if (!out)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = out;
    return 0;
}

/* dealwright.yaml `mail:` — the sales address outgoing mail is sent from, and the SMTP relay
 * that sends it (docs/internals/mail.md, docs/internals/workspace.md):
 *
 *   mail:
 *     from: sales@northwind-edge.example
 *     from_name: Northwind Sales          # optional; the company's name otherwise
 *     smtp:                               # optional; without it mail is only written
 *       url: smtp://relay.example:587     # smtp:// (STARTTLS when it has credentials) or smtps://
 *       user_env: DW_SMTP_USER            # names of environment variables, never the secrets
 *       password_env: DW_SMTP_PASSWORD
 *       attempts: 8                       # tries before a message is dead (1-100)
 *
 * A secret never lives in the workspace, which is versioned like code: credentials in the
 * URL are refused, and only the names of the variables holding them are kept. */
#include <string.h>

#include "workspace/ws-internal.h"

static bool address_ok(const char *s) {
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || !at[1] || strlen(s) > 254)
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127 || strchr("<>,;\"()[]\\:", *p))
            return false;
    return true;
}

static bool env_name_ok(const char *s) {
    if (!s[0] || strlen(s) > 64 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

static void parse_smtp(struct dw__ws_ctx *c, const struct dw__yref *r, struct dw_mail_config *m) {
    struct dw__yfield f[] = {DW__REQ("url"), DW__OPT("user_env"), DW__OPT("password_env"),
                             DW__OPT("attempts")};
    if (!dw__y_fields(c, r, "mail.smtp", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "url")) && dw__y_str(c, v, "url", &m->smtp_url)) {
        const char *u = m->smtp_url;
        const char *host = strncmp(u, "smtp://", 7) == 0    ? u + 7
                           : strncmp(u, "smtps://", 8) == 0 ? u + 8
                                                            : NULL;
        if (!host)
            dw__y_err(c, v, "url: '%s' is not an smtp:// or smtps:// URL", u);
        else if (!host[0] || host[0] == '/' || host[0] == ':' || strpbrk(u, " \t\r\n"))
            dw__y_err(c, v, "url: '%s' names no host (smtp://HOST:PORT)", u);
        else if (strchr(host, '@'))
            dw__y_err(c, v,
                      "url: credentials do not belong in the workspace; name the environment "
                      "variables that hold them in user_env and password_env");
    }
    if ((v = DW__YGET(f, "user_env")) && dw__y_str(c, v, "user_env", &m->smtp_user_env) &&
        !env_name_ok(m->smtp_user_env))
        dw__y_err(c, v, "user_env: '%s' is not an environment variable name ([A-Z_][A-Z0-9_]*)",
                  m->smtp_user_env);
    if ((v = DW__YGET(f, "password_env")) &&
        dw__y_str(c, v, "password_env", &m->smtp_password_env) &&
        !env_name_ok(m->smtp_password_env))
        dw__y_err(c, v, "password_env: '%s' is not an environment variable name ([A-Z_][A-Z0-9_]*)",
                  m->smtp_password_env);
    if (!m->smtp_user_env != !m->smtp_password_env)
        dw__y_err(c, r, "mail.smtp: user_env and password_env go together (both or neither)");
    m->smtp_attempts = 8;
    int64_t n;
    if ((v = DW__YGET(f, "attempts")) && dw__y_int(c, v, "attempts", 1, 100, &n))
        m->smtp_attempts = (int)n;
}

void dw__parse_mail(struct dw__ws_ctx *c, const struct dw__yref *r) {
    struct dw_mail_config *m = &c->ws->mail;
    struct dw__yfield f[] = {DW__REQ("from"), DW__OPT("from_name"), DW__OPT("smtp")};
    if (!dw__y_fields(c, r, "mail", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "from")) && dw__y_str(c, v, "from", &m->from) && !address_ok(m->from))
        dw__y_err(c, v, "from: '%s' is not an e-mail address (sales@example.com)", m->from);
    if ((v = DW__YGET(f, "from_name")))
        dw__y_str(c, v, "from_name", &m->from_name);
    if ((v = DW__YGET(f, "smtp")) && !dw__y_is_null(v))
        parse_smtp(c, v, m);
}

void dw__parse_webhooks(struct dw__ws_ctx *c, const struct dw__yref *r) {
    struct dw_webhook_config *h = &c->ws->webhooks;
    struct dw__yfield f[] = {DW__OPT("attempts"), DW__OPT("backoff_ms"), DW__OPT("timeout_ms")};
    if (!r || dw__y_is_null(r) || !dw__y_fields(c, r, "webhooks", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    int64_t n;
    if ((v = DW__YGET(f, "attempts")) && dw__y_int(c, v, "attempts", 1, 100, &n))
        h->attempts = (int)n;
    if ((v = DW__YGET(f, "backoff_ms")) && dw__y_int(c, v, "backoff_ms", 10, 3600 * 1000, &n))
        h->backoff_ms = n;
    if ((v = DW__YGET(f, "timeout_ms")) && dw__y_int(c, v, "timeout_ms", 100, 120 * 1000, &n))
        h->timeout_ms = n;
}

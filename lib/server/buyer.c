/* The buyer's page (docs/internals/documents.md "The buyer's page"): /p/TOKEN, served
 * without a staff token, and the staff's routes that make and revoke its links.
 *
 * The page is plain HTML and forms — no script at all — so it works on any phone and its
 * policy can forbid every script: `default-src 'none'`, the one style element allowed by a
 * nonce made for this answer, forms posted only to this origin, never framed. Everything a
 * customer or the workspace wrote is escaped here, and the proposal's own HTML comes from
 * md4c with raw HTML refused (channels/document.c). The token in the path is the only
 * credential, so the answer is never cached and sends no Referer to another site.
 *
 * Forms carry a form token the library computes from the link and the page's session
 * cookie (HttpOnly, SameSite=Strict): another site can neither read the cookie nor compute
 * the token, and an Origin header, when the browser sends one, must be this host. Every
 * request is charged to the client address's bucket of the server's rate limit, at several
 * times the cost of an API request.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/internal.h"

#define PAGE_BODY_MAX (16u << 10) /* a form's body */
#define PAGE_COST 5.0             /* a page request against the per-second rate */
#define COOKIE "dw_buyer"

/* A page request's charge: five API requests, but never more than a bucket holds, so a
 * server started with a low --rate still serves the page (at its pace). */
static double page_cost(const struct server *sv) {
    return PAGE_COST < sv->burst ? PAGE_COST : sv->burst;
}

/* ---- HTML ---------------------------------------------------------------------------- */

static void esc(struct dw_buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            dw_buf_puts(b, "&amp;");
            break;
        case '<':
            dw_buf_puts(b, "&lt;");
            break;
        case '>':
            dw_buf_puts(b, "&gt;");
            break;
        case '"':
            dw_buf_puts(b, "&quot;");
            break;
        case '\'':
            dw_buf_puts(b, "&#39;");
            break;
        default:
            dw_buf_putc(b, *s);
        }
    }
}

static const char page_css[] =
    ".bar{background:#1f3b57;color:#fff;padding:.8rem 1.25rem;font-size:.95rem}"
    ".bar strong{font-size:1.05rem}"
    ".wrap{max-width:52rem;margin:0 auto;padding:0 0 2rem}"
    ".card{background:#fff;margin:1rem 0;padding:1rem 1.25rem;border-radius:6px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.08)}"
    ".status{border-left:6px solid #1f6f43}.status.bad{border-left-color:#b3261e}"
    ".ref code{word-break:break-all;font-size:.85rem}"
    ".decide h2{font-size:1.15rem;margin:.2rem 0 .6rem}"
    ".decide form{margin:0 0 1.2rem;padding:0 0 1rem;border-bottom:1px solid #e3e6ea}"
    ".decide label{display:block;margin:.5rem 0 .2rem;font-weight:600}"
    ".decide input[type=text],.decide textarea{width:100%;box-sizing:border-box;font:inherit;"
    "padding:.55rem;border:1px solid #9aa4ae;border-radius:4px}"
    ".decide textarea{min-height:5rem}"
    ".decide .check{display:flex;gap:.6rem;align-items:flex-start;font-weight:400}"
    ".decide .check input{width:1.3rem;height:1.3rem;margin-top:.15rem;flex:none}"
    ".decide button{font:inherit;font-weight:600;margin-top:.7rem;padding:.7rem 1.2rem;"
    "border:0;border-radius:4px;background:#1f6f43;color:#fff;min-height:44px}"
    ".decide button.secondary{background:#5b6670}"
    ".err{color:#b3261e;font-weight:600}"
    "@media print{.bar,.decide{display:none}}";

struct page {
    struct dw_buf b;
    char nonce[25];
};

static void page_begin(struct page *p, const json_t *v, const char *title) {
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(p->nonce, sizeof p->nonce, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    dw_buf_init(&p->b, 8u << 20);
    const char *lang = v ? dw_json_str(v, "language") : NULL;
    dw_buf_printf(&p->b,
                  "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"robots\" content=\"noindex\">\n<title>",
                  lang && strlen(lang) == 2 ? lang : "en");
    esc(&p->b, title);
    dw_buf_printf(&p->b, "</title>\n<style nonce=\"%s\">%s%s</style>\n</head>\n<body>\n", p->nonce,
                  dw_doc_stylesheet(), page_css);
    dw_buf_puts(&p->b, "<header class=\"bar\"><strong>");
    esc(&p->b, v && dw_json_str(v, "company") ? dw_json_str(v, "company") : "");
    dw_buf_puts(&p->b, "</strong>");
    static const char *const parts[] = {"deal", "customer_company"};
    for (size_t i = 0; v && i < DW_ARRAY_SIZE(parts); i++)
        if (dw_json_str(v, parts[i])) {
            dw_buf_puts(&p->b, " · ");
            esc(&p->b, dw_json_str(v, parts[i]));
        }
    dw_buf_puts(&p->b, "</header>\n<main class=\"wrap\">\n");
}

static enum MHD_Result page_send(struct MHD_Connection *c, struct req *rq, struct page *p,
                                 unsigned status, const char *set_cookie) {
    dw_buf_puts(&p->b, "</main>\n</body>\n</html>\n");
    size_t len = p->b.len;
    char *text = dw_buf_steal(&p->b);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    char csp[256];
    snprintf(csp, sizeof csp,
             "default-src 'none'; style-src 'nonce-%s'; img-src 'none'; form-action 'self'; "
             "base-uri 'none'; frame-ancestors 'none'",
             p->nonce);
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    /* the token leaves with no request to another site; a form posted here keeps a real
     * Origin (under no-referrer a browser sends "Origin: null", which is refused) */
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "X-Robots-Tag", "noindex");
    if (status == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", set_cookie);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    (void)rq;
    return ret;
}

/* A page that only says something (an invalid link, a refused form, too many requests). */
static enum MHD_Result page_message(struct MHD_Connection *c, struct req *rq, unsigned status,
                                    const json_t *v, const char *heading, const char *text) {
    struct page p;
    page_begin(&p, v, heading);
    dw_buf_puts(&p.b, "<section class=\"card status bad\" role=\"alert\"><h1>");
    esc(&p.b, heading);
    dw_buf_puts(&p.b, "</h1><p>");
    esc(&p.b, text);
    dw_buf_puts(&p.b, "</p></section>\n");
    return page_send(c, rq, &p, status, NULL);
}

/* ---- the request ----------------------------------------------------------------------- */

/* The client's address as text, and its bucket in the rate limit (negative: never an API
 * token's id). */
static int64_t client_of(struct MHD_Connection *c, char *addr, size_t size) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(addr, size, "unknown");
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, (socklen_t)size);
    uint64_t h = dw_fnv1a64(addr, strlen(addr));
    return -(int64_t)(h >> 2) - 1;
}

static bool valid_session(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n != 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* The page's session: the cookie when it is well formed, else a new one to set. */
static const char *session_of(struct MHD_Connection *c, char fresh[33], char *set_cookie,
                              size_t size) {
    const char *s = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    if (valid_session(s)) {
        *set_cookie = '\0';
        return s;
    }
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(fresh, 33, raw, sizeof raw);
    snprintf(set_cookie, size, COOKIE "=%s; Path=/p/; HttpOnly; SameSite=Strict", fresh);
    return fresh;
}

/* An Origin header, when sent, must name this host. */
static bool origin_ok(struct MHD_Connection *c) {
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!origin)
        return true;
    const char *o = strstr(origin, "://");
    return o && host && strcmp(o + 3, host) == 0;
}

/* ---- the page --------------------------------------------------------------------------- */

/* A word of the page in the proposal's language (the library's words, dw_buyer_view). */
static const char *word(const json_t *v, const char *key) {
    const char *w = dw_json_str(json_object_get(v, "words"), key);
    return w ? w : "";
}

static void ref_card(struct page *p, const json_t *v) {
    dw_buf_puts(&p->b, "<section class=\"card ref\"><p>");
    esc(&p->b, word(v, "revision"));
    dw_buf_printf(&p->b, " <strong>%lld</strong> · ", (long long)dw_json_int(v, "revision", 0));
    esc(&p->b, word(v, "total"));
    dw_buf_puts(&p->b, " <strong id=\"total\">");
    esc(&p->b, dw_json_str(v, "total_text"));
    dw_buf_puts(&p->b, "</strong>");
    if (dw_json_str(v, "valid_until_text")) {
        dw_buf_puts(&p->b, " · ");
        esc(&p->b, word(v, "valid_until"));
        dw_buf_puts(&p->b, " <strong>");
        esc(&p->b, dw_json_str(v, "valid_until_text"));
        dw_buf_puts(&p->b, "</strong>");
    }
    dw_buf_puts(&p->b, "</p><p>");
    esc(&p->b, word(v, "hash"));
    dw_buf_puts(&p->b, " <code id=\"quote-hash\">");
    esc(&p->b, dw_json_str(v, "quote_hash"));
    dw_buf_puts(&p->b, "</code></p></section>\n");
}

static void form_open(struct page *p, const char *token, const char *action, const char *csrf) {
    dw_buf_puts(&p->b, "<form method=\"post\" action=\"/p/");
    esc(&p->b, token);
    dw_buf_printf(&p->b,
                  "\" id=\"%s\">\n<input type=\"hidden\" name=\"action\" value=\"%s\">\n"
                  "<input type=\"hidden\" name=\"csrf\" value=\"",
                  action, action);
    esc(&p->b, csrf);
    dw_buf_puts(&p->b, "\">\n");
}

static void decide_card(struct page *p, const json_t *v, const char *token, const char *error) {
    const char *csrf = dw_json_str(v, "csrf");
    if (!csrf)
        return;
    dw_buf_puts(&p->b, "<section class=\"card decide\" id=\"decide\">\n");
    if (error) {
        dw_buf_puts(&p->b, "<p class=\"err\" role=\"alert\" id=\"form-error\">");
        esc(&p->b, error);
        dw_buf_puts(&p->b, "</p>\n");
    }
    /* a labelled field, a heading, a button: their words escaped like any text */
#define TAG(open, key, close)                                                                      \
    do {                                                                                           \
        dw_buf_puts(&p->b, open);                                                                  \
        esc(&p->b, word(v, key));                                                                  \
        dw_buf_puts(&p->b, close);                                                                 \
    } while (0)
    TAG("<h2>", "accept_h", "</h2>\n");
    form_open(p, token, "accept", csrf);
    TAG("<label for=\"name\">", "name", "</label>\n");
    dw_buf_puts(&p->b, "<input type=\"text\" id=\"name\" name=\"name\" required minlength=\"2\" "
                       "maxlength=\"120\" autocomplete=\"name\">\n");
    TAG("<label for=\"title\">", "title", "</label>\n");
    dw_buf_puts(&p->b, "<input type=\"text\" id=\"title\" name=\"title\" required "
                       "maxlength=\"120\" autocomplete=\"organization-title\">\n"
                       "<label class=\"check\"><input type=\"checkbox\" id=\"agree\" "
                       "name=\"agree\" value=\"yes\" required>");
    TAG("<span>", "agree", "</span></label>\n");
    TAG("<button type=\"submit\">", "accept_b", "</button>\n</form>\n");
    TAG("<h2>", "changes_h", "</h2>\n");
    form_open(p, token, "changes", csrf);
    TAG("<label for=\"message\">", "changes_l", "</label>\n");
    dw_buf_puts(&p->b, "<textarea id=\"message\" name=\"message\" required "
                       "maxlength=\"4000\"></textarea>\n");
    TAG("<button type=\"submit\" class=\"secondary\">", "changes_b", "</button>\n</form>\n");
    TAG("<h2>", "decline_h", "</h2>\n");
    form_open(p, token, "decline", csrf);
    TAG("<label for=\"reason\">", "decline_l", "</label>\n");
    dw_buf_puts(&p->b, "<textarea id=\"reason\" name=\"reason\" required "
                       "maxlength=\"2000\"></textarea>\n");
    TAG("<button type=\"submit\" class=\"secondary\">", "decline_b",
        "</button>\n</form>\n</section>\n");
#undef TAG
}

static unsigned state_status(const char *state) {
    return strcmp(state, "open") == 0 || strcmp(state, "accepted") == 0 ? 200 : 409;
}

static enum MHD_Result show(struct MHD_Connection *c, struct req *rq, const json_t *v,
                            const char *token, const char *error, unsigned status,
                            const char *cookie) {
    struct page p;
    char title[300];
    snprintf(title, sizeof title, "%s · %s",
             dw_json_str(v, "company") ? dw_json_str(v, "company") : "", dw_json_str(v, "deal"));
    page_begin(&p, v, title);
    const char *state = dw_json_str(v, "state");
    bool open = strcmp(state, "open") == 0;
    dw_buf_printf(&p.b, "<section class=\"card status%s\" id=\"state\" data-state=\"%s\">",
                  open || strcmp(state, "accepted") == 0 ? "" : " bad", state);
    if (open) {
        dw_buf_puts(&p.b, "<p>");
        esc(&p.b, word(v, "intro"));
        dw_buf_puts(&p.b, "</p>");
    } else {
        dw_buf_puts(&p.b, "<p><strong>");
        esc(&p.b, word(v, "state"));
        dw_buf_puts(&p.b, "</strong></p>");
        if (strcmp(state, "accepted") != 0) {
            dw_buf_puts(&p.b, "<p>");
            esc(&p.b, word(v, "nothing"));
            dw_buf_puts(&p.b, "</p>");
        }
    }
    dw_buf_puts(&p.b, "</section>\n");
    ref_card(&p, v);
    const char *html = dw_json_str(v, "proposal_html");
    if (html)
        dw_buf_puts(&p.b, html); /* md4c's output: escaped, no raw HTML */
    decide_card(&p, v, token, error);
    return page_send(c, rq, &p, status ? status : state_status(state), cookie);
}

/* ---- forms ------------------------------------------------------------------------------ */

static int hexval(char ch) {
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* application/x-www-form-urlencoded, decoded in place; the first value of each key wins.
 * False for a malformed escape. */
static bool form_parse(char *body, json_t *out) {
    char *save = NULL;
    for (char *pair = strtok_r(body, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        char *val = eq ? eq + 1 : pair + strlen(pair);
        if (eq)
            *eq = '\0';
        for (char *s = pair; s; s = s == pair ? val : NULL) {
            char *w = s;
            for (char *r = s; *r; r++) {
                if (*r == '+')
                    *w++ = ' ';
                else if (*r == '%') {
                    int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
                    if (hi < 0 || lo < 0)
                        return false;
                    *w++ = (char)(hi * 16 + lo);
                    r += 2;
                } else
                    *w++ = *r;
            }
            *w = '\0';
            if (s == val)
                break;
        }
        if (!json_object_get(out, pair) && strlen(val) == strnlen(val, PAGE_BODY_MAX))
            json_object_set_new(out, pair, json_string(val));
    }
    return true;
}

static enum MHD_Result fail_page(struct server *sv, struct MHD_Connection *c, struct req *rq,
                                 const struct dw_error *err, int r) {
    (void)sv;
    unsigned status = r == -DW_EPERM ? 403 : r == -DW_ESTATE ? 409 : r == -DW_EINVAL ? 400 : 500;
    const char *heading = r == -DW_EPERM    ? "This link is not valid"
                          : r == -DW_ESTATE ? "This proposal cannot be accepted"
                          : r == -DW_EINVAL ? "Please check the form"
                                            : "Something went wrong";
    return page_message(c, rq, status, NULL, heading,
                        status == 500 ? "Please try again later." : err->msg);
}

enum MHD_Result srv_route_buyer_page(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    char addr[64], fresh[33], cookie[128];
    if (!srv_rate_take_cost(sv, client_of(c, addr, sizeof addr), page_cost(sv)))
        return page_message(c, rq, 429, NULL, "Too many requests",
                            "Please wait a moment and load the page again.");
    const char *session = session_of(c, fresh, cookie, sizeof cookie);
    struct dw_buyer_client client = {
        .address = addr,
        .user_agent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent"),
        .session = session};
    struct dw_error err = {0};
    _cleanup_json_ json_t *v = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_buyer_view(sv->api, rq->token, &client, &v, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return fail_page(sv, c, rq, &err, r);
    srv_wrote(sv);
    return show(c, rq, v, rq->token, NULL, 0, *cookie ? cookie : NULL);
}

enum MHD_Result srv_route_buyer_post(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    char addr[64];
    if (!srv_rate_take_cost(sv, client_of(c, addr, sizeof addr), page_cost(sv)))
        return page_message(c, rq, 429, NULL, "Too many requests",
                            "Please wait a moment and send the form again.");
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0)
        return page_message(c, rq, 400, NULL, "Please check the form",
                            "The form must be sent as application/x-www-form-urlencoded.");
    if (rq->body.len > PAGE_BODY_MAX)
        return page_message(c, rq, 413, NULL, "Please check the form",
                            "The form is larger than 16 KiB.");
    if (!origin_ok(c))
        return page_message(c, rq, 403, NULL, "This link is not valid",
                            "The form was not sent from this page.");
    _cleanup_json_ json_t *f = json_object();
    _cleanup_free_ char *body = strndup(rq->body.data ? rq->body.data : "", rq->body.len);
    if (!f || !body)
        return MHD_NO;
    if (!form_parse(body, f))
        return page_message(c, rq, 400, NULL, "Please check the form",
                            "The form's encoding is malformed.");
    const char *session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    struct dw_buyer_client client = {
        .address = addr,
        .user_agent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent"),
        .session = valid_session(session) ? session : NULL};
    const char *agree = dw_json_str(f, "agree");
    struct dw_buyer_decision d = {.action = dw_json_str(f, "action"),
                                  .csrf = dw_json_str(f, "csrf"),
                                  .name = dw_json_str(f, "name"),
                                  .title = dw_json_str(f, "title"),
                                  .agree = agree && strcmp(agree, "yes") == 0,
                                  .reason = dw_json_str(f, "reason"),
                                  .message = dw_json_str(f, "message")};
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL, *v = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_buyer_decide(sv->api, rq->token, &client, &d, &res, &err);
    struct dw_error verr = {0};
    /* a form the customer can correct is shown again with what was wrong */
    int rv = r == -DW_EINVAL ? dw_buyer_view(sv->api, rq->token, &client, &v, &verr) : -1;
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0) {
        if (rv == 0)
            return show(c, rq, v, rq->token, err.msg, 400, NULL);
        return fail_page(sv, c, rq, &err, r);
    }
    srv_wrote(sv);
    const char *state = dw_json_str(res, "state");
    struct page p;
    const json_t *w = json_object_get(res, "words");
    json_t *head = json_pack("{s:s?}", "language", dw_json_str(w, "language"));
    page_begin(&p, head, dw_json_str(w, "heading"));
    json_decref(head);
    dw_buf_printf(&p.b, "<section class=\"card status\" id=\"state\" data-state=\"%s\"><h1>",
                  state);
    esc(&p.b, dw_json_str(w, "heading"));
    dw_buf_puts(&p.b, "</h1><p>");
    esc(&p.b, dw_json_str(w, "text"));
    dw_buf_puts(&p.b, "</p>");
    dw_buf_puts(&p.b, "</section>\n");
    return page_send(c, rq, &p, 200, NULL);
}

/* ---- the staff's routes ----------------------------------------------------------------- */

enum MHD_Result srv_route_links_create(struct server *sv, struct MHD_Connection *c,
                                       struct req *rq) {
    _cleanup_json_ json_t *body = NULL;
    enum MHD_Result m = srv_body_json(c, rq, false, &body);
    if (!body)
        return m;
    const char *k;
    json_t *val;
    json_object_foreach(body, k, val) {
        if (strcmp(k, "days") != 0)
            return srv_send_error(c, rq, 400, k, "unknown field '%.40s'", k);
    }
    json_t *days = json_object_get(body, "days");
    if (days &&
        (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 90))
        return srv_send_error(c, rq, 400, "days", "days must be an integer from 1 to 90");
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_buyer_link_create(sv->api, rq->id, days ? (int)json_integer_value(days) : 0,
                                 rq->user, rq->role, &out, &err);
    pthread_mutex_unlock(&sv->api_mu);
    if (r < 0)
        return srv_send_dw_error(c, rq, &err, r);
    return srv_send_json(c, rq, 201, out);
}

enum MHD_Result srv_route_links(struct server *sv, struct MHD_Connection *c, struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    struct reader *rd = srv_reader_get(sv);
    int r = dw_buyer_links(rd->e, rq->id, &out, &err);
    srv_reader_put(rd);
    return r < 0 ? srv_send_dw_error(c, rq, &err, r) : srv_send_json(c, rq, 200, out);
}

enum MHD_Result srv_route_links_revoke(struct server *sv, struct MHD_Connection *c,
                                       struct req *rq) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *out = NULL;
    pthread_mutex_lock(&sv->api_mu);
    int r = dw_buyer_link_revoke(sv->api, rq->id, rq->user, rq->role, &out, &err);
    pthread_mutex_unlock(&sv->api_mu);
    return r < 0 ? srv_send_dw_error(c, rq, &err, r) : srv_send_json(c, rq, 200, out);
}

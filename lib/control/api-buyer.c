/* The buyer's page (include/dealwright/documents.h, docs/internals/documents.md): signed,
 * expiring, revocable links to one quote revision, on which the customer accepts, declines
 * or asks for changes.
 *
 * A token is base64url(deal id, link number, revision, expiry) followed by a libsodium
 * crypto_auth tag (HMAC-SHA-512-256) under a key of the store (store_keys "buyer"). It is
 * checked before anything is read: a token altered by one bit names nothing. The link's
 * record (the deal document `buyer_links`) holds what the token cannot: when it was
 * revoked, and the quote's hash the link was made for. The form tokens of the page are
 * the same MAC over ("csrf", the link, the page's session value), so a form posted from
 * another site — which cannot read the session cookie — is refused; the buyer's address is
 * kept only as a keyed BLAKE2b hash (crypto_generichash), so it cannot be reversed by
 * trying every address without the key.
 *
 * What the customer types (their name, title, a reason, a request) is personal data: it
 * goes into the acceptance document, the outcome and a follow-up lead — which the privacy
 * purge redacts — and never into the audit chain or the event log, which hold the link,
 * the revision and the state.
 */
#include <string.h>

#include <sodium.h>

#include "channels/document.h"
#include "engines/docclock.h"
#include "engines/lang.h"
#include "internal.h"
#include <dealwright/documents.h>

#define KEY_NAME "buyer"
#define PAYLOAD_LEN 24 /* deal u64, link u32, revision u32, expiry i64: big-endian */
#define TOKEN_BIN (PAYLOAD_LEN + crypto_auth_BYTES)
#define TOKEN_MAX 128
#define DAYS_DEFAULT 14
#define DAYS_MAX 90
#define LINKS_MAX 200

struct link_ref {
    int64_t deal;
    uint32_t link, revision;
    int64_t expires;
};

/* ---- small helpers ------------------------------------------------------------------- */

static int begin(struct dw_engine *e, struct dw_error *err) {
    int r;
    for (int i = 0; i < 3; i++)
        if ((r = e->store->ops->begin(e->store, err)) != -DW_EBUSY)
            return r;
    return r;
}

static int end(struct dw_engine *e, int r, struct dw_error *err) {
    if (r < 0) {
        e->store->ops->rollback(e->store);
        return r;
    }
    if ((r = e->store->ops->commit(e->store, err)) < 0)
        e->store->ops->rollback(e->store);
    return r;
}

static int store_key(struct dw_engine *e, unsigned char key[crypto_auth_KEYBYTES],
                     struct dw_error *err) {
    unsigned char fresh[crypto_auth_KEYBYTES];
    crypto_auth_keygen(fresh);
    int r = e->store->ops->key_get(e->store, KEY_NAME, fresh, sizeof fresh, dw__now(e), key, err);
    sodium_memzero(fresh, sizeof fresh);
    return r;
}

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}
static void put_u32(unsigned char *p, uint32_t v) {
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}
static uint64_t get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
static uint32_t get_u32(const unsigned char *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | p[i];
    return v;
}

static void token_make(const unsigned char *key, const struct link_ref *l, char *out, size_t size) {
    unsigned char bin[TOKEN_BIN];
    put_u64(bin, (uint64_t)l->deal);
    put_u32(bin + 8, l->link);
    put_u32(bin + 12, l->revision);
    put_u64(bin + 16, (uint64_t)l->expires);
    crypto_auth(bin + PAYLOAD_LEN, bin, PAYLOAD_LEN, key);
    sodium_bin2base64(out, size, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The token's link, when its tag verifies under the store's key; -DW_EPERM otherwise. */
static int token_check(const unsigned char *key, const char *token, struct link_ref *ret,
                       struct dw_error *err) {
    unsigned char bin[TOKEN_BIN];
    size_t len = 0;
    if (!token || strlen(token) > TOKEN_MAX ||
        sodium_base642bin(bin, sizeof bin, token, strlen(token), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != TOKEN_BIN || crypto_auth_verify(bin + PAYLOAD_LEN, bin, PAYLOAD_LEN, key) != 0)
        return dw_error_field(err, -DW_EPERM, "link",
                              "this link is not valid: it was altered or never issued");
    ret->deal = (int64_t)get_u64(bin);
    ret->link = get_u32(bin + 8);
    ret->revision = get_u32(bin + 12);
    ret->expires = (int64_t)get_u64(bin + 16);
    return 0;
}

/* A MAC over a domain, the link and a value, in hex (65 bytes). */
static void mac_hex(const unsigned char *key, const char *domain, const struct link_ref *l,
                    const char *value, char out[2 * crypto_auth_BYTES + 1]) {
    crypto_auth_hmacsha512256_state st;
    unsigned char tag[crypto_auth_BYTES], id[16];
    put_u64(id, (uint64_t)l->deal);
    put_u32(id + 8, l->link);
    put_u32(id + 12, l->revision);
    crypto_auth_hmacsha512256_init(&st, key, crypto_auth_KEYBYTES);
    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_auth_hmacsha512256_update(&st, id, sizeof id);
    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)(value ? value : ""),
                                     value ? strlen(value) : 0);
    crypto_auth_hmacsha512256_final(&st, tag);
    sodium_bin2hex(out, 2 * crypto_auth_BYTES + 1, tag, sizeof tag);
}

/* The buyer's address as a keyed hash (16 bytes in hex): the same address gives the same
 * hash under this store, and nothing else can be read from it. */
static void address_hash(const unsigned char *key, const char *address, char out[33]) {
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)(address ? address : ""),
                       address ? strlen(address) : 0, key, crypto_auth_KEYBYTES);
    sodium_bin2hex(out, 33, h, sizeof h);
}

static bool valid_session(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n < 16 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

/* Text a customer types: within its limits, valid UTF-8, no control characters but line
 * breaks and tabs where `multiline`. */
static int check_text(const char *v, const char *field, size_t min, size_t max, bool multiline,
                      struct dw_error *err) {
    size_t n = v ? strlen(v) : 0;
    if (n < min || n > max)
        return dw_error_field(err, -DW_EINVAL, field, "%s: %zu to %zu bytes, got %zu", field, min,
                              max, n);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
            return dw_error_field(err, -DW_EINVAL, field, "%s: control characters are not allowed",
                                  field);
    if (!dw_utf8_valid(v, n, NULL))
        return dw_error_field(err, -DW_EINVAL, field, "%s: not valid UTF-8", field);
    /* text of letters and spaces alone would do for a name, but people's names have every
     * character; what matters is that nothing here is ever read as an instruction */
    return 0;
}

/* ---- the links' record ---------------------------------------------------------------- */

static int links_doc(struct dw_engine *e, int64_t deal, json_t **ret, struct dw_error *err) {
    int r = e->store->ops->doc_get(e->store, deal, "buyer_links", ret, err);
    if (r == -DW_ENOENT) {
        *ret = json_pack("{s:[]}", "links");
        return *ret ? 0 : -DW_ENOMEM;
    }
    return r;
}

static json_t *link_find(json_t *doc, uint32_t n) {
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "links"), i, l) {
        if (dw_json_int(l, "link", 0) == (int64_t)n)
            return l;
    }
    return NULL;
}

static const char *actor_of(const struct link_ref *l, char *buf, size_t size) {
    snprintf(buf, size, "buyer:%s/%u", DW_ID('D', l->deal), l->link);
    return buf;
}

/* A day as `lang` writes it ("5. Januar 2027"); an ISO date or time, or a time. */
static const char *day_in(const char *lang, const char *iso, dw_time_t t, char *buf, size_t size) {
    char noon[32];
    if (iso) {
        snprintf(noon, sizeof noon, "%.10sT12:00:00Z", iso);
        if (dw_time_parse(noon, &t) < 0)
            t = 0;
    }
    return dw_lang_date(lang, t, buf, size);
}

/* What the link lets its holder do now (docs: the states), and why, in `lang` (the staff's
 * answers: en; the page: the proposal's language). */
static int link_state(struct dw_engine *e, const struct link_ref *l, const json_t *rec,
                      const char *lang, const char **ret, char *why, size_t why_size,
                      struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, l->deal, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *acc = NULL, *quote = NULL, *proposal = NULL;
    if ((r = s->ops->doc_get(s, l->deal, "acceptance", &acc, err)) < 0 && r != -DW_ENOENT)
        return r;
    if ((r = s->ops->quote_get(s, l->deal, 0, &quote, err)) < 0)
        return r;
    if ((r = s->ops->doc_get(s, l->deal, "proposal", &proposal, err)) < 0 && r != -DW_ENOENT)
        return r;
    const struct dw_page_words *w = dw_page_words(lang);
    int latest = (int)dw_json_int(quote, "revision", 0);
    dw_time_t now = dw__now(e);
    char rev[16], lat[16], day[64];
    snprintf(rev, sizeof rev, "%u", l->revision);
    snprintf(lat, sizeof lat, "%d", latest);
    const char *vu = dw_json_str(proposal, "valid_until");
    const char *qhash = dw_json_str(quote, "hash"), *lhash = dw_json_str(rec, "quote_hash");
    *why = '\0';
    if (!json_is_null(json_object_get(rec, "revoked_at")) && json_object_get(rec, "revoked_at")) {
        *ret = "revoked";
        dw_doc_fill(why, why_size, w->st_revoked, 1,
                    (const char *const[]){e->ws->company_name ? e->ws->company_name : "?"});
    } else if (d.stage == DW_STAGE_ORDERED && acc &&
               dw_json_int(acc, "revision", 0) == (int64_t)l->revision) {
        *ret = "accepted";
        dw_doc_fill(why, why_size, w->st_accepted, 2,
                    (const char *const[]){
                        rev, day_in(w->lang, dw_json_str(acc, "at"), 0, day, sizeof day)});
    } else if (d.stage == DW_STAGE_LOST || d.stage == DW_STAGE_DISQUALIFIED) {
        *ret = "declined";
        dw_doc_fill(why, why_size, w->st_declined, 0, NULL);
    } else if (now > l->expires) {
        *ret = "expired";
        dw_doc_fill(why, why_size, w->st_expired, 1,
                    (const char *const[]){day_in(w->lang, NULL, l->expires, day, sizeof day)});
    } else if ((int)l->revision != latest || d.stage == DW_STAGE_ORDERED ||
               strcmp(qhash ? qhash : "", lhash ? lhash : "") != 0) {
        *ret = "superseded";
        dw_doc_fill(why, why_size, w->st_superseded, 2, (const char *const[]){rev, lat});
    } else if (d.stage != DW_STAGE_PROPOSAL_READY) {
        *ret = "superseded";
        dw_doc_fill(why, why_size, w->st_revising, 0, NULL);
    } else if (dw_json_int(proposal, "quote_revision", 0) == (int64_t)l->revision && vu &&
               dw_offer_expired(vu, now)) {
        *ret = "expired";
        dw_doc_fill(why, why_size, w->st_quote_expired, 2,
                    (const char *const[]){rev, day_in(w->lang, vu, 0, day, sizeof day)});
    } else {
        *ret = "open";
    }
    return 0;
}

/* The buyer's page's words in the proposal's language, the blanks filled. */
static json_t *page_words_json(const char *lang, uint32_t revision, const char *state_text) {
    const struct dw_page_words *w = dw_page_words(lang);
    char rev[16], agree[512];
    snprintf(rev, sizeof rev, "%u", revision);
    dw_doc_fill(agree, sizeof agree, w->agree, 1, (const char *const[]){rev});
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
                     "intro", w->intro, "nothing", w->nothing, "revision", w->revision, "total",
                     w->total, "valid_until", w->valid_until, "hash", w->hash, "accept_h",
                     w->accept_h, "name", w->name, "title", w->title, "agree", agree, "accept_b",
                     w->accept_b, "changes_h", w->changes_h, "changes_l", w->changes_l, "changes_b",
                     w->changes_b, "decline_h", w->decline_h, "decline_l", w->decline_l,
                     "decline_b", w->decline_b, "state", state_text);
}

/* ---- making and revoking links -------------------------------------------------------- */

int dw_buyer_link_create(struct dw_engine *e, int64_t deal_id, int days, const char *user,
                         const char *role, json_t **ret, struct dw_error *err) {
    if (days < 0 || days > DAYS_MAX)
        return dw_error_field(err, -DW_EINVAL, "days", "days: 1 to %d, got %d", DAYS_MAX, days);
    if (!days)
        days = DAYS_DEFAULT;
    if ((user || role) && dw__may_sell(e, user, role, "make a link for the customer", err) < 0)
        return -DW_EPERM;
    struct dw_store *s = e->store;
    int r = begin(e, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *doc = NULL, *quote = NULL, *out = NULL;
    unsigned char key[crypto_auth_KEYBYTES];
    struct dw_deal_rec d;
    char token[2 * TOKEN_BIN], actor[160], at[32], exp[32];
    struct link_ref l = {.deal = deal_id};
    if ((r = dw__deal_get(e, deal_id, &d, err)) < 0)
        goto out;
    if (d.stage != DW_STAGE_PROPOSAL_READY) {
        r = dw_error_set(err, -DW_ESTATE,
                         "%s is %s; a link is made for a deal whose proposal is ready",
                         DW_ID('D', deal_id), dw_stage_name(d.stage));
        goto out;
    }
    if ((r = s->ops->quote_get(s, deal_id, 0, &quote, err)) < 0 ||
        (r = links_doc(e, deal_id, &doc, err)) < 0 || (r = store_key(e, key, err)) < 0)
        goto out;
    json_t *links = json_object_get(doc, "links");
    if (json_array_size(links) >= LINKS_MAX) {
        r = dw_error_set(err, -DW_ETOOBIG, "%s has %d links already; revoke them first",
                         DW_ID('D', deal_id), LINKS_MAX);
        goto out;
    }
    dw_time_t now = dw__now(e);
    l.link = (uint32_t)json_array_size(links) + 1;
    l.revision = (uint32_t)dw_json_int(quote, "revision", 0);
    l.expires = now + (dw_time_t)days * 86400;
    token_make(key, &l, token, sizeof token);
    snprintf(actor, sizeof actor, user ? "user:%s" : "operator", user ? user : "");
    dw_time_format(now, at, sizeof at);
    dw_time_format(l.expires, exp, sizeof exp);
    json_t *rec = json_pack("{s:i,s:i,s:O,s:s,s:s,s:s,s:n}", "link", (int)l.link, "revision",
                            (int)l.revision, "quote_hash", json_object_get(quote, "hash"),
                            "created_at", at, "created_by", actor, "expires_at", exp, "revoked_at");
    if (!rec || json_array_append_new(links, rec) < 0) {
        r = dw_error_set(err, -DW_ENOMEM, "out of memory");
        goto out;
    }
    if ((r = s->ops->doc_put(s, deal_id, "buyer_links", doc, e->ws->hash, err)) < 0)
        goto out;
    r = dw__audit(e, deal_id, actor, "buyer.link",
                  json_pack("{s:i,s:i,s:O,s:s}", "link", (int)l.link, "revision", (int)l.revision,
                            "quote_hash", json_object_get(quote, "hash"), "expires_at", exp),
                  err);
    if (r < 0)
        goto out;
    char path[sizeof token + 8];
    snprintf(path, sizeof path, "/p/%s", token);
    out =
        json_pack("{s:s,s:i,s:i,s:O,s:s,s:s,s:s}", "deal", DW_ID('D', deal_id), "link", (int)l.link,
                  "revision", (int)l.revision, "quote_hash", json_object_get(quote, "hash"),
                  "expires_at", exp, "token", token, "path", path);
out:
    sodium_memzero(key, sizeof key);
    if ((r = end(e, r, err)) < 0)
        return r;
    *ret = DW_TAKE_PTR(out);
    return 0;
}

int dw_buyer_link_revoke(struct dw_engine *e, int64_t deal_id, const char *user, const char *role,
                         json_t **ret, struct dw_error *err) {
    if ((user || role) && dw__may_sell(e, user, role, "revoke the customer's links", err) < 0)
        return -DW_EPERM;
    struct dw_deal_rec d;
    int r = begin(e, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *doc = NULL;
    int n = 0;
    char actor[160], at[32];
    if ((r = dw__deal_get(e, deal_id, &d, err)) < 0 || (r = links_doc(e, deal_id, &doc, err)) < 0)
        goto out;
    dw_time_format(dw__now(e), at, sizeof at);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "links"), i, l) {
        if (json_is_null(json_object_get(l, "revoked_at"))) {
            json_object_set_new(l, "revoked_at", json_string(at));
            n++;
        }
    }
    snprintf(actor, sizeof actor, user ? "user:%s" : "operator", user ? user : "");
    if (n &&
        ((r = e->store->ops->doc_put(e->store, deal_id, "buyer_links", doc, e->ws->hash, err)) <
             0 ||
         (r = dw__audit(e, deal_id, actor, "buyer.revoke", json_pack("{s:i}", "links", n), err)) <
             0))
        goto out;
out:
    if ((r = end(e, r, err)) < 0)
        return r;
    *ret = json_pack("{s:s,s:i}", "deal", DW_ID('D', deal_id), "revoked", n);
    return 0;
}

int dw_buyer_links(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *doc = NULL;
    if ((r = links_doc(e, deal_id, &doc, err)) < 0)
        return r;
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "links"), i, l) {
        struct link_ref ref = {.deal = deal_id,
                               .link = (uint32_t)dw_json_int(l, "link", 0),
                               .revision = (uint32_t)dw_json_int(l, "revision", 0)};
        dw_time_parse(dw_json_str(l, "expires_at"), &ref.expires);
        const char *state = "open";
        char why[512];
        if ((r = link_state(e, &ref, l, "en", &state, why, sizeof why, err)) < 0) {
            json_decref(out);
            return r;
        }
        json_t *v = json_deep_copy(l);
        json_object_set_new(v, "state", json_string(state));
        json_array_append_new(out, v);
    }
    *ret = out;
    return 0;
}

/* ---- the page ------------------------------------------------------------------------- */

/* In the caller's transaction: the key, the token's link and its record. */
static int open_link(struct dw_engine *e, const char *token, unsigned char *key, struct link_ref *l,
                     json_t **ret_doc, json_t **ret_rec, struct dw_error *err) {
    int r = store_key(e, key, err);
    if (r < 0)
        return r;
    if ((r = token_check(key, token, l, err)) < 0)
        return r;
    struct dw_deal_rec d;
    if (e->store->ops->deal_get(e->store, l->deal, &d, NULL) < 0 ||
        links_doc(e, l->deal, ret_doc, NULL) < 0 || !(*ret_rec = link_find(*ret_doc, l->link)))
        return dw_error_field(err, -DW_EPERM, "link", "this link is not valid");
    return 0;
}

static int view(struct dw_engine *e, const char *token, const struct dw_buyer_client *client,
                json_t **ret, struct dw_error *err) {
    unsigned char key[crypto_auth_KEYBYTES];
    struct link_ref l;
    _cleanup_json_ json_t *doc = NULL, *quote = NULL, *proposal = NULL, *leads = NULL,
                          *contact = NULL;
    json_t *rec = NULL;
    int r = open_link(e, token, key, &l, &doc, &rec, err);
    if (r < 0)
        goto out;
    const char *state;
    char why[512], text[512], actor[96], iph[33], csrf[2 * crypto_auth_BYTES + 1] = "";
    struct dw_store *s = e->store;
    if ((r = s->ops->quote_get(s, l.deal, (int)l.revision, &quote, err)) < 0)
        goto out;
    if ((r = s->ops->doc_get(s, l.deal, "proposal", &proposal, err)) < 0 && r != -DW_ENOENT)
        goto out;
    const char *lang = dw_json_str(proposal, "document_language");
    if ((r = link_state(e, &l, rec, "en", &state, why, sizeof why, err)) < 0 ||
        (r = link_state(e, &l, rec, lang, &state, text, sizeof text, err)) < 0)
        goto out;
    if ((r = s->ops->leads_for_deal(s, l.deal, &leads, err)) < 0)
        goto out;
    address_hash(key, client ? client->address : NULL, iph);
    if (strcmp(state, "open") == 0 && client && valid_session(client->session))
        mac_hex(key, "csrf", &l, client->session, csrf);
    char total[40], exp[32];
    dw_money_format(dw_json_int(quote, "total", 0), (int)dw_json_int(quote, "digits", 2), total,
                    sizeof total);
    dw_time_format(l.expires, exp, sizeof exp);
    contact = dw__deal_contact(leads);
    json_t *out = json_pack(
        "{s:s,s:s,s:i,s:i,s:O?,s:s,s:s,s:s?,s:O?,s:s,s:O?,s:O?,s:s,s:O?}", "state", state, "deal",
        DW_ID('D', l.deal), "link", (int)l.link, "revision", (int)l.revision, "quote_hash",
        json_object_get(quote, "hash"), "expires_at", exp, "message", why, "company",
        e->ws->company_name, "customer_company", json_object_get(contact, "company"), "total",
        total, "currency", json_object_get(quote, "currency"), "valid_until",
        dw_json_int(proposal, "quote_revision", 0) == (int64_t)l.revision
            ? json_object_get(proposal, "valid_until")
            : NULL,
        "language",
        dw_json_str(proposal, "document_language") ? dw_json_str(proposal, "document_language")
                                                   : "en",
        "signature", NULL);
    if (!out) {
        r = dw_error_set(err, -DW_ENOMEM, "out of memory");
        goto out;
    }
    if (*csrf)
        json_object_set_new(out, "csrf", json_string(csrf));
    json_object_set_new(out, "words", page_words_json(lang, l.revision, text));
    /* the total and the validity as the customer's language writes them */
    char money_text[96], day[64];
    json_object_set_new(
        out, "total_text",
        json_string(dw_lang_money(dw_page_words(lang)->lang, dw_json_int(quote, "total", 0),
                                  (int)dw_json_int(quote, "digits", 2),
                                  dw_json_str(quote, "currency"), money_text, sizeof money_text)));
    if (dw_json_str(out, "valid_until"))
        json_object_set_new(
            out, "valid_until_text",
            json_string(day_in(dw_page_words(lang)->lang, dw_json_str(out, "valid_until"), 0, day,
                               sizeof day)));
    /* the document itself only while it is the offer, or what was accepted */
    if ((strcmp(state, "open") == 0 || strcmp(state, "accepted") == 0) && proposal &&
        dw_json_int(proposal, "quote_revision", 0) == (int64_t)l.revision) {
        _cleanup_free_ char *html = NULL;
        size_t len;
        if ((r = dw__proposal_html(e, proposal, DW_ID('D', l.deal), false, &html, &len, err)) < 0) {
            json_decref(out);
            goto out;
        }
        json_object_set_new(out, "proposal_html", json_string(html));
    }
    r = dw__audit(e, l.deal, actor_of(&l, actor, sizeof actor), "buyer.view",
                  json_pack("{s:i,s:i,s:s,s:s}", "link", (int)l.link, "revision", (int)l.revision,
                            "state", state, "ip_hash", iph),
                  err);
    if (r < 0) {
        json_decref(out);
        goto out;
    }
    *ret = out;
out:
    sodium_memzero(key, sizeof key);
    return r;
}

int dw_buyer_view(struct dw_engine *e, const char *token, const struct dw_buyer_client *client,
                  json_t **ret, struct dw_error *err) {
    json_t *out = NULL;
    int r = begin(e, err);
    if (r < 0)
        return r;
    r = view(e, token, client, &out, err);
    if ((r = end(e, r, err)) < 0) {
        json_decref(out);
        return r;
    }
    *ret = out;
    return 0;
}

/* The decision's fields, checked before anything is read. */
static int check_decision(const struct dw_buyer_decision *d, struct dw_error *err) {
    if (!d || !d->action)
        return dw_error_field(err, -DW_EINVAL, "action", "action: accept, decline or changes");
    if (strcmp(d->action, "accept") == 0) {
        int r = check_text(d->name, "name", 2, 120, false, err);
        if (r == 0)
            r = check_text(d->title, "title", 1, 120, false, err);
        if (r == 0 && !d->agree)
            r = dw_error_field(err, -DW_EINVAL, "agree",
                               "confirm that you accept the terms of the proposal (the box)");
        return r;
    }
    if (strcmp(d->action, "decline") == 0)
        return check_text(d->reason, "reason", 1, 2000, true, err);
    if (strcmp(d->action, "changes") == 0)
        return check_text(d->message, "message", 1, 4000, true, err);
    return dw_error_field(err, -DW_EINVAL, "action", "action: accept, decline or changes");
}

/* Verify the token and the form token and that the link is open; in the caller's
 * transaction. */
static int decision_open(struct dw_engine *e, const char *token,
                         const struct dw_buyer_client *client, const struct dw_buyer_decision *d,
                         unsigned char *key, struct link_ref *l, json_t **doc, char *iph,
                         struct dw_error *err) {
    json_t *rec = NULL;
    int r = open_link(e, token, key, l, doc, &rec, err);
    if (r < 0)
        return r;
    char want[2 * crypto_auth_BYTES + 1];
    if (!client || !valid_session(client->session) || !d->csrf ||
        strlen(d->csrf) != 2 * crypto_auth_BYTES)
        return dw_error_field(err, -DW_EPERM, "csrf",
                              "the form has expired or was not sent from this page; reload it");
    mac_hex(key, "csrf", l, client->session, want);
    if (sodium_memcmp(want, d->csrf, 2 * crypto_auth_BYTES) != 0)
        return dw_error_field(err, -DW_EPERM, "csrf",
                              "the form has expired or was not sent from this page; reload it");
    const char *state;
    char why[512];
    if ((r = link_state(e, l, rec, "en", &state, why, sizeof why, err)) < 0)
        return r;
    if (strcmp(state, "open") != 0)
        return dw_error_field(err, -DW_ESTATE, "link", "%s", why);
    address_hash(key, client->address, iph);
    return 0;
}

static int decide_accept(struct dw_engine *e, const struct link_ref *l, const json_t *rec,
                         const struct dw_buyer_client *client, const struct dw_buyer_decision *d,
                         const char *iph, struct dw_error *err) {
    char actor[96], at[32], ua[257];
    snprintf(ua, sizeof ua, "%s", client->user_agent ? client->user_agent : "");
    for (char *p = ua; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    _cleanup_json_ json_t *sig = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:i,s:O?,s:b}", "name", d->name, "title", d->title, "at",
        dw_time_format(dw__now(e), at, sizeof at), "ip_hash", iph, "user_agent", ua, "link",
        (int)l->link, "quote_hash", json_object_get(rec, "quote_hash"), "agreed", 1);
    if (!sig)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    return dw__accept(e, l->deal, (int)l->revision, NULL, actor_of(l, actor, sizeof actor), d->name,
                      sig, err);
}

static int decide_decline(struct dw_engine *e, const struct link_ref *l,
                          const struct dw_buyer_decision *d, struct dw_error *err) {
    struct dw_deal_rec deal;
    int r = dw__deal_get(e, l->deal, &deal, err);
    if (r < 0)
        return r;
    char actor[96];
    actor_of(l, actor, sizeof actor);
    _cleanup_json_ json_t *out =
        json_pack("{s:s,s:s,s:s,s:s,s:i,s:i}", "stage", "lost", "reason",
                  "The customer declined the proposal on the buyer's page", "customer_reason",
                  d->reason, "by", actor, "link", (int)l->link, "revision", (int)l->revision);
    if ((r = e->store->ops->doc_put(e->store, l->deal, "outcome", out, e->ws->hash, err)) < 0)
        return r;
    enum dw_stage before = deal.stage;
    deal.stage = DW_STAGE_LOST;
    if ((r = dw__deal_settle(e, &deal, err)) < 0 ||
        (r = dw__deal_write(e, &deal, before, actor, err)) < 0)
        return r;
    return 0;
}

/* A request for changes is a message from the deal's contact, as a reply by mail would be:
 * a lead that names the deal, joined to it by the usual rules (screened, extracted, and the
 * deal runs again). Its external id is a hash of the link, the session and the text, so the
 * same form sent twice is one message. */
static json_t *changes_lead(struct dw_engine *e, const struct link_ref *l,
                            const struct dw_buyer_client *client, const unsigned char *key,
                            const char *message, struct dw_error *err) {
    _cleanup_json_ json_t *leads = NULL;
    if (e->store->ops->leads_for_deal(e->store, l->deal, &leads, err) < 0)
        return NULL;
    _cleanup_json_ json_t *contact = dw__deal_contact(leads);
    /* a message continues a deal by its sender's address (the reference rule); a deal whose
     * contact left none (a chat) could not be continued, and the request would start a
     * deal of its own: refused instead, saying what to do */
    if (!dw_json_str(contact, "email")) {
        dw_error_field(err, -DW_ESTATE, "message",
                       "this deal has no contact address to add your request to; please "
                       "write to us directly");
        return NULL;
    }
    char id[2 * crypto_auth_BYTES + 1], ext[80], subject[160], at[32];
    struct dw_buf b;
    dw_buf_init(&b, 8192);
    dw_buf_printf(&b, "%s\n%s", client->session ? client->session : "", message);
    mac_hex(key, "changes", l, b.data, id);
    dw_buf_release(&b);
    snprintf(ext, sizeof ext, "buyer-page-%.32s", id);
    snprintf(subject, sizeof subject, "Changes requested to %s, quote revision %u",
             DW_ID('D', l->deal), l->revision);
    json_t *c = json_object();
    static const char *const keys[] = {"name", "email", "phone", "title", "company", "country"};
    for (size_t i = 0; c && i < DW_ARRAY_SIZE(keys); i++)
        if (dw_json_str(contact, keys[i]))
            json_object_set(c, keys[i], json_object_get(contact, keys[i]));
    return json_pack("[{s:s,s:s,s:s,s:o,s:s,s:s}]", "source", "web_form", "external_id", ext,
                     "received_at", dw_time_format(dw__now(e), at, sizeof at), "contact", c,
                     "subject", subject, "message", message);
}

int dw_buyer_decide(struct dw_engine *e, const char *token, const struct dw_buyer_client *client,
                    const struct dw_buyer_decision *d, json_t **ret, struct dw_error *err) {
    int r = check_decision(d, err);
    if (r < 0)
        return r;
    unsigned char key[crypto_auth_KEYBYTES];
    struct link_ref l = {0};
    _cleanup_json_ json_t *doc = NULL, *lead = NULL, *submitted = NULL;
    char iph[33], actor[96];
    bool changes = strcmp(d->action, "changes") == 0;
    if ((r = begin(e, err)) < 0)
        return r;
    r = decision_open(e, token, client, d, key, &l, &doc, iph, err);
    if (r == 0 && strcmp(d->action, "accept") == 0)
        r = decide_accept(e, &l, link_find(doc, l.link), client, d, iph, err);
    else if (r == 0 && strcmp(d->action, "decline") == 0)
        r = decide_decline(e, &l, d, err);
    else if (r == 0 && changes && !(lead = changes_lead(e, &l, client, key, d->message, err)))
        r = err && err->code ? err->code : -DW_ENOMEM;
    if (r == 0)
        r = dw__audit(e, l.deal, actor_of(&l, actor, sizeof actor),
                      strcmp(d->action, "accept") == 0    ? "buyer.accept"
                      : strcmp(d->action, "decline") == 0 ? "buyer.decline"
                                                          : "buyer.changes",
                      json_pack("{s:i,s:i,s:s}", "link", (int)l.link, "revision", (int)l.revision,
                                "ip_hash", iph),
                      err);
    sodium_memzero(key, sizeof key);
    if ((r = end(e, r, err)) < 0)
        return r;
    /* the message goes in as a lead (its own transaction, idempotent by its external id),
     * then the deal runs on as after any decision */
    if (changes && (r = dw_leads_submit(e, lead, &submitted, err)) < 0)
        return r;
    struct dw_run_opts o = {.only_deal = l.deal};
    if ((r = dw_run(e, &o, NULL, err)) < 0)
        return r;
    struct dw_deal_rec deal;
    if ((r = dw__deal_get(e, l.deal, &deal, err)) < 0)
        return r;
    if (strcmp(d->action, "accept") == 0 && deal.stage != DW_STAGE_ORDERED)
        return dw_error_set(err, -DW_ESTATE, "the order was not created: %s",
                            deal.last_error[0] ? deal.last_error : "see the deal's timeline");
    json_t *out = json_pack("{s:s,s:s,s:i,s:s}", "state",
                            strcmp(d->action, "accept") == 0    ? "accepted"
                            : strcmp(d->action, "decline") == 0 ? "declined"
                                                                : "changes_requested",
                            "deal", DW_ID('D', l.deal), "revision", (int)l.revision, "stage",
                            dw_stage_name(deal.stage));
    _cleanup_json_ json_t *shown = NULL;
    if (dw_deal_show(e, l.deal, &shown, NULL) == 0 && strcmp(d->action, "accept") == 0)
        json_object_set(out, "order", json_object_get(shown, "order"));
    /* the thank-you page's words, in the proposal's language */
    const struct dw_page_words *w =
        dw_page_words(dw_json_str(json_object_get(shown, "proposal"), "document_language"));
    char rev[16], heading[256], text[512];
    snprintf(rev, sizeof rev, "%u", l.revision);
    const char *order = dw_json_str(json_object_get(out, "order"), "id");
    bool acc = strcmp(d->action, "accept") == 0, dec = strcmp(d->action, "decline") == 0;
    dw_doc_fill(heading, sizeof heading,
                acc   ? w->accepted_h
                : dec ? w->declined_h
                      : w->changes_done_h,
                1, (const char *const[]){rev});
    dw_doc_fill(text, sizeof text,
                acc   ? w->accepted_p
                : dec ? w->declined_p
                      : w->changes_done_p,
                1, (const char *const[]){order ? order : ""});
    json_object_set_new(
        out, "words",
        json_pack("{s:s,s:s,s:s}", "heading", heading, "text", text, "language", w->lang));
    *ret = out;
    return 0;
}

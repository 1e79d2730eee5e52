/* Contact details in the text (e-mail, telephone), the language, and the
 * instructions to the system the screen flags. */
#include "engines/extract/extract-internal.h"

/* ---- contact details ------------------------------------------------------------------ */

static bool email_local(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

static bool email_host(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-';
}

/* Claim the tokens inside bytes [s, e), so no number of a phone or address is read as a
 * quantity or an amount. */
static void claim_bytes(struct ctx *c, size_t s, size_t e) {
    size_t k = 0;
    if (!dw__ex_plain) { /* the tokens' ends only grow: those ending by s are passed at once */
        size_t hi = c->nt;
        while (k < hi) {
            size_t mid = k + (hi - k) / 2;
            if (c->t[mid].e > s)
                hi = mid;
            else
                k = mid + 1;
        }
    }
    for (; k < c->nt && c->t[k].s < e; k++)
        if (c->t[k].e > s)
            c->claim[k] = 1;
}

/* A contact detail at bytes [s, e), its value `value` (vlen bytes), into arr; its tokens
 * claimed. arr NULL: only the claims (a pass over a message's other parts, whose contact
 * details the pass over the current text has read already from the whole text). At most
 * DW_EXTRACT_MAX_ITEMS a pass, counted in *n; none is claimed past them. */
static void add_contact(struct ctx *c, json_t *arr, size_t *n, const char *kind, const char *value,
                        size_t vlen, size_t s, size_t e, int conf) {
    if (*n >= DW_EXTRACT_MAX_ITEMS)
        return;
    (*n)++;
    struct dw__ex_contact_spans *kept = dw__ex_plain ? NULL : c->contact_spans;
    if (arr && kept && !kept->done) { /* for the pass over the other parts */
        kept->s[kept->n] = (uint32_t)s;
        kept->e[kept->n++] = (uint32_t)e;
    }
    if (arr) {
        json_t *o = dw__ex_new_item(c);
        if (o) {
            dw__ex_put(c, o, "kind", json_string_nocheck(kind));
            dw__ex_put(c, o, "value", json_stringn(value, vlen));
            dw__ex_put_bytes(c, o, s, e);
            dw__ex_put_conf(c, o, conf);
        }
        dw__ex_append(c, arr, o);
    }
    claim_bytes(c, s, e);
}

/* name@host.tld: the local part and the host around an '@'; returns the end or 0. */
static size_t email_at(struct ctx *c, size_t at, size_t *ret_start) {
    const unsigned char *p = (const unsigned char *)c->text;
    size_t s = at, e = at + 1, dot = 0;
    while (s > 0 && email_local(p[s - 1]) && at - s < 64)
        s--;
    while (s < at && p[s] == '.')
        s++;
    while (e < c->len && email_host(p[e]) && e - at < 255) {
        if (p[e] == '.')
            dot = e;
        e++;
    }
    while (e > at + 1 && (p[e - 1] == '.' || p[e - 1] == '-'))
        e--;
    dot = 0; /* the last dot of the host, after trimming a full stop */
    for (size_t k = at + 1; k < e; k++)
        if (p[k] == '.')
            dot = k;
    if (s == at || !dot || dot >= e || e - dot < 3 || dot == at + 1)
        return 0;
    *ret_start = s;
    return e;
}

/* A phone number: "+49 221 555 0142", "(0221) 555-0142", "+1 216 555 0187": 7 to 15
 * digits with spaces, dashes, slashes, dots or brackets, starting with "+", or after a
 * phone word ("Tel.", "phone", "call me on", "mobil"). */
static size_t phone_at(const struct ctx *c, size_t s) {
    const unsigned char *p = (const unsigned char *)c->text;
    size_t e = s, digits = 0, last = s;
    if (p[e] == '+')
        e++;
    while (e < c->len && digits <= 15) {
        unsigned char ch = p[e];
        if (ch >= '0' && ch <= '9') {
            digits++;
            last = e + 1;
        } else if (!(ch == ' ' || ch == '-' || ch == '/' || ch == '.' || ch == '(' || ch == ')')) {
            break;
        } else if (ch == ' ' && e + 1 < c->len && p[e + 1] == ' ') {
            break;
        }
        e++;
    }
    return digits >= 7 && digits <= 15 ? last : 0;
}

/* prefixes: "tel" is also "Tel.", "Telefon", "teléfono", "telefono", "telefoon"; "cel"
 * "cell", "celular", "cellulare" */
static const char *const phone_cues[] = {
    "tel",       "phone",     "mobile",  "mobil",  "cel",     "handy",      "call",      "fon",
    "direct",    "durchwahl", "contact", "reach",  "kontakt", "erreichbar", "whatsapp",  "rückruf",
    "rueckruf",  "anruf",     "numéro",  "numero", "número",  "móvil",      "movil",     "portable",
    "joignable", "llam",      "chiam",   "bel ",   "bellen",  "mobiel",     "t\xc3\xa9l"};
/* The bytes a cue starts with (set by pair_init()). */
static bool cue_first[256];

static bool phone_cue(const struct ctx *c, size_t s) {
    const char *const *cues = phone_cues;
    size_t from = s > 24 ? s - 24 : 0;
    if (!dw__ex_plain) {
        /* one pass over the window: only a byte some cue starts with is tried */
        for (size_t b = from; b < s; b++) {
            unsigned char f = (unsigned char)c->lo[b];
            if (!cue_first[f] || (b > 0 && email_local((unsigned char)c->lo[b - 1])))
                continue;
            for (size_t k = 0; k < DW_ARRAY_SIZE(phone_cues); k++) {
                if ((unsigned char)cues[k][0] != f)
                    continue;
                size_t n = strlen(cues[k]);
                if (b + n <= s && memcmp(c->lo + b, cues[k], n) == 0)
                    return true;
            }
        }
        return false;
    }
    for (size_t k = 0; k < DW_ARRAY_SIZE(phone_cues); k++) {
        size_t n = strlen(cues[k]);
        for (size_t b = from; b + n <= s; b++)
            if (c->lo[b] == cues[k][0] && memcmp(c->lo + b, cues[k], n) == 0 &&
                (b == 0 || !email_local((unsigned char)c->lo[b - 1])))
                return true;
    }
    return false;
}

/* A number written the way a phone number is, without "+" or a word saying so: a national
 * number with its trunk "0" in three or more groups ("05 56 55 01 23", "069 555 48 20",
 * "01227 555 093", "010 555 4477"), the North American "(503) 555-0134", or three or more
 * groups of two to four digits alone at the end of a line or between the separators of a
 * signature ("Gasolineras Ebro S.L. · 948 555 602 · ..."). 9 to 12 digits; a date or an
 * amount has fewer groups or a currency after it. */
static bool phone_shape(const struct ctx *c, size_t s, size_t e) {
    const unsigned char *p = (const unsigned char *)c->text;
    size_t groups = 0, digits = 0, glen[8] = {0}, short_group = 0;
    for (size_t k = s; k < e; k++) {
        if (p[k] >= '0' && p[k] <= '9') {
            if (k == s || !(p[k - 1] >= '0' && p[k - 1] <= '9'))
                groups++;
            digits++;
            if (groups <= 8)
                glen[groups - 1]++;
        } else if (k > s && !(p[k - 1] >= '0' && p[k - 1] <= '9') && p[k] != ')' &&
                   p[k - 1] != ')') {
            return false; /* two separators in a row */
        }
    }
    for (size_t g = 0; g < groups && g < 8; g++)
        short_group += glen[g] < 2;
    if (groups < 3 || groups > 8 || digits < 9 || digits > 12 || short_group)
        return false;
    if (p[s] == '(')
        return groups == 3 && glen[0] == 3 && glen[1] == 3 && glen[2] == 4;
    if (p[s] == '0')
        return true;
    size_t a = e, b = s;
    while (a < c->len && p[a] == ' ')
        a++;
    while (b > 0 && p[b - 1] == ' ')
        b--;
    bool end = a >= c->len || p[a] == '\n' || p[a] == '\r' || p[a] == '|' ||
               (a + 1 < c->len && p[a] == 0xC2 && p[a + 1] == 0xB7); /* · */
    bool start = b == 0 || p[b - 1] == '\n' || p[b - 1] == '|' ||
                 (b >= 2 && p[b - 2] == 0xC2 && p[b - 1] == 0xB7);
    return end && start;
}

/* The caller's text is not NUL-terminated: compare within it. */
static bool starts_at(const struct ctx *c, size_t b, const char *w) {
    size_t n = strlen(w);
    return b + n <= c->len && memcmp(c->text + b, w, n) == 0;
}

/* the bytes a contact detail's test below can start at; the rest are passed over */
static const bool can_start[256] = {
    ['@'] = true, ['h'] = true, ['w'] = true, ['+'] = true, ['('] = true, ['0' ... '9'] = true};

/* By two bytes x y (as a 16-bit load reads them): can a contact detail start at x or at y?
 * At x: a byte it starts with, and for a web address the second byte of "http" or "www."; at
 * y: a byte it starts with after a byte before which one may start (a space, a newline, '(',
 * '<' or ':'), or an '@' anywhere. Most pairs of a message say no to both, so its text is
 * passed over eight bytes at a time. Built once. */
static uint8_t pair_may[1 << 16];
static pthread_once_t pair_once = PTHREAD_ONCE_INIT;

static void pair_set(unsigned x, unsigned y) {
    unsigned char two[2] = {(unsigned char)x, (unsigned char)y};
    uint16_t k;
    memcpy(&k, two, 2);
    pair_may[k] = 1;
}

/* Only the pairs that say yes are written (the table starts all no); and cue_first[]. */
static void pair_init(void) {
    static const unsigned char before[] = {' ', '(', '<', '\n', ':'};
    for (size_t k = 0; k < DW_ARRAY_SIZE(phone_cues); k++)
        cue_first[(unsigned char)phone_cues[k][0]] = true;
    for (unsigned b = 0; b < 256; b++) {
        if (!can_start[b])
            continue;
        for (unsigned y = 0; y < 256; y++) /* b first */
            if (!(b == 'h' && y != 't') && !(b == 'w' && y != 'w'))
                pair_set(b, y);
        for (unsigned x = 0; x < 256 && b == '@'; x++) /* b second: an '@' after any byte */
            pair_set(x, b);
        for (size_t k = 0; k < DW_ARRAY_SIZE(before); k++) /* b second, after a separator */
            pair_set(before[k], b);
    }
}

static inline uint8_t pair_at(const unsigned char *p, size_t b) {
    uint16_t k;
    memcpy(&k, p + b, 2);
    return pair_may[k];
}

/* The first byte from b on of the first eight (b, b + 8, ...) in which a contact detail
 * may start, or where fewer than eight are left. */
static size_t skip_plain_bytes(const unsigned char *p, size_t b, size_t len) {
    while (b + 8 <= len &&
           !(pair_at(p, b) | pair_at(p, b + 2) | pair_at(p, b + 4) | pair_at(p, b + 6)))
        b += 8;
    return b;
}

void dw__ex_extract_contacts(struct ctx *c, json_t *arr) {
    const unsigned char *p = (const unsigned char *)c->text;
    size_t found = arr ? json_array_size(arr) : 0;
    struct dw__ex_contact_spans *kept = dw__ex_plain ? NULL : c->contact_spans;
    if (kept && kept->done && !arr) { /* the claims only: the bytes the first pass found */
        for (uint32_t k = 0; k < kept->n; k++)
            claim_bytes(c, kept->s[k], kept->e[k]);
        return;
    }
    size_t ahead = 0; /* the bytes before it are tested one by one */
    if (!dw__ex_plain)
        pthread_once(&pair_once, pair_init);
    for (size_t b = 0; b < c->len; b++) {
        size_t s, e;
        if (b >= ahead && !dw__ex_plain) {
            b = skip_plain_bytes(p, b, c->len);
            ahead = b + 8;
            if (b >= c->len)
                break;
        }
        if (!can_start[p[b]])
            continue;
        if (p[b] == '@' && (e = email_at(c, b, &s))) {
            char buf[320];
            size_t n = e - s < sizeof buf - 1 ? e - s : sizeof buf - 1;
            memcpy(buf, c->lo + s, n);
            buf[n] = '\0';
            add_contact(c, arr, &found, "email", buf, strlen(buf), s, e, 99);
            b = e;
        } else if ((p[b] == 'h' || p[b] == 'w') &&
                   (b == 0 || p[b - 1] == ' ' || p[b - 1] == '(' || p[b - 1] == '<' ||
                    p[b - 1] == '\n') &&
                   (starts_at(c, b, "https://") || starts_at(c, b, "http://") ||
                    starts_at(c, b, "www."))) {
            e = b;
            while (e < c->len && p[e] > ' ' && p[e] != '>' && p[e] != ')' && p[e] != '"')
                e++;
            while (e > b && strchr(".,;:!?", p[e - 1]))
                e--;
            add_contact(c, arr, &found, "url", c->text + b, e - b, b, e, 95);
            b = e;
        } else if ((p[b] == '+' || p[b] == '(' || (p[b] >= '0' && p[b] <= '9')) &&
                   (b == 0 || p[b - 1] == ' ' || p[b - 1] == ':' || p[b - 1] == '\n') &&
                   (e = phone_at(c, b)) &&
                   (p[b] == '+' || phone_cue(c, b) || phone_shape(c, b, e))) {
            char buf[40];
            size_t n = 0;
            bool space = false;
            for (size_t k = b; k < e && n < sizeof buf - 2; k++) {
                if (p[k] == '+' || (p[k] >= '0' && p[k] <= '9')) {
                    if (space && n)
                        buf[n++] = ' ';
                    buf[n++] = (char)p[k];
                    space = false;
                } else if (p[k] == ' ') {
                    space = true;
                }
            }
            buf[n] = '\0';
            add_contact(c, arr, &found, "phone", buf, n, b, e, p[b] == '+' ? 90 : 80);
            b = e;
        }
    }
    if (kept && arr)
        kept->done = true;
}

/* ---- language ------------------------------------------------------------------------- */

/* The language identifier of lib/engines/lang.c (en, de, fr, es, it, nl); English when the
 * text gives too little evidence. */
const char *dw__ex_language(const struct ctx *c) {
    return dw_lang_detectable[c->lang];
}

/* ---- instructions to the system ------------------------------------------------------- */

/* Words addressed to the system, and claims made to it, as the screening engine reads them
 * (lib/engines/screen.h): every finding with its span into the text. */
void dw__ex_extract_instructions(struct ctx *c, json_t *arr) {
    struct dw_screen_field f = {.name = "text", .text = c->text, .len = c->len};
    json_t *found = NULL;
    if (dw_screen(&f, 1, &found, NULL) < 0) {
        c->oom = true;
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(found, i, o) {
        if (json_array_size(arr) >= DW_EXTRACT_MAX_ITEMS)
            break;
        json_object_del(o, "field");
        dw__ex_put_conf(c, o, 80);
        if (json_array_append(arr, o) < 0)
            c->oom = true;
    }
    json_decref(found);
}

/* The parts of an e-mail: what the customer writes now, and what only comes along with it —
 * quoted earlier messages and their attribution lines ("On … wrote:", "Il giorno … ha
 * scritto:", "Op … schreef …:"), forwarded messages and their header blocks, signatures and
 * legal disclaimers — in English, German, French, Spanish, Italian and Dutch.
 *
 * The reader works line by line and never moves a byte: each part is a span of whole lines
 * of the caller's text. The extractor reads the current text first and lets the other parts
 * only fill the facts it did not find there (docs/internals/extraction.md, "Message
 * structure"), so a signature's address or a quoted older message never overrides the
 * request. Linear in the text; at most DW_MSG_MAX_PARTS parts (the rest joins the last).
 */
#include "base/ac.h"
#include "engines/extract/extract-internal.h"

static const char *const part_names[] = {
    [DW_PART_CURRENT] = "current",
    [DW_PART_QUOTED] = "quoted",
    [DW_PART_QUOTE_HEADER] = "quote_header",
    [DW_PART_FORWARDED] = "forwarded",
    [DW_PART_FORWARD_HEADER] = "forward_header",
    [DW_PART_SIGNATURE] = "signature",
    [DW_PART_DISCLAIMER] = "disclaimer",
    [DW_PART_SELLER] = "seller",
};

const char *dw_msg_part_name(enum dw_msg_part p) {
    return (unsigned)p < DW_ARRAY_SIZE(part_names) ? part_names[p] : "current";
}

/* ---- one line ------------------------------------------------------------------------- */

struct line {
    size_t s, e;   /* the line without its newline */
    size_t ts, te; /* trimmed of spaces, tabs and '\r' */
};

/* ASCII lower-case copy of the trimmed line into buf (cap bytes), NUL-terminated; longer
 * lines are cut. */
static size_t lower_line(const char *text, const struct line *l, char *buf, size_t cap) {
    size_t n = l->te - l->ts < cap - 1 ? l->te - l->ts : cap - 1;
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)text[l->ts + k];
        buf[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    buf[n] = '\0';
    return n;
}

/* Does a line start with a label, a ':' within its first 25 bytes? */
static bool labelled(const char *text, const struct line *l) {
    size_t n = l->te - l->ts < 25 ? l->te - l->ts : 25;
    return n > 0 && memchr(text + l->ts, ':', n) != NULL;
}

/* A chat transcript pasted as text ("Visitor: ...", "Agent: ..."): the speaker a line's label
 * names (a word before a ':' at its start), 1 the customer, 2 the seller, 0 none. */
static int speaker(const char *lo, size_t n) {
    static const char *const buyer[] = {
        "visitor",     "besucher",    "besucherin", "visiteur", "visiteuse",  "visitante",
        "visitatore",  "visitatrice", "bezoeker",   "customer", "kunde",      "kundin",
        "client",      "cliente",     "klant",      "user",     "utente",     "usuario",
        "utilisateur", "gast",        "guest",      "prospect", "interessent"};
    static const char *const seller[] = {
        "agent",         "agente",      "operator",    "operatore", "operatrice", "opérateur",
        "opératrice",    "operateur",   "operador",    "operadora", "medewerker", "mitarbeiter",
        "mitarbeiterin", "berater",     "beraterin",   "support",   "sales",      "vertrieb",
        "conseiller",    "conseillère", "conseillere", "asesor",    "asesora",    "consulente",
        "verkoper",      "bot",         "chatbot",     "assistant", "assistent",  "assistente",
        "asistente"};
    size_t k = 0;
    while (k < n && k < 24 && lo[k] != ':')
        k++;
    if (k >= n || lo[k] != ':')
        return 0;
    while (k > 0 && lo[k - 1] == ' ')
        k--;
    /* (the first byte first: k > 0 here, and no name is empty) */
    for (size_t w = 0; w < DW_ARRAY_SIZE(buyer); w++)
        if (buyer[w][0] == lo[0] && strlen(buyer[w]) == k && memcmp(lo, buyer[w], k) == 0)
            return 1;
    for (size_t w = 0; w < DW_ARRAY_SIZE(seller); w++)
        if (seller[w][0] == lo[0] && strlen(seller[w]) == k && memcmp(lo, seller[w], k) == 0)
            return 2;
    return 0;
}

/* How many bytes of w s starts with, all of w's or fewer; byte by byte, as most lines
 * differ from most words in their first bytes. */
static size_t common_start(const char *s, const char *w) {
    size_t n = 0;
    while (w[n] && s[n] == w[n])
        n++;
    return n;
}

static bool starts_with(const char *s, const char *w) {
    return !w[common_start(s, w)];
}

/* The byte after the word w at the start of s is not a letter (a word boundary). */
static bool starts_word(const char *s, const char *w) {
    size_t n = common_start(s, w);
    if (w[n])
        return false;
    unsigned char ch = (unsigned char)s[n];
    return !((ch >= 'a' && ch <= 'z') || ch >= 0x80);
}

static bool is_quoted(const char *text, const struct line *l) {
    return l->ts < l->te && text[l->ts] == '>';
}

static bool is_blank(const struct line *l) {
    return l->ts == l->te;
}

/* "---------- Forwarded message ---------", "Begin forwarded message:", "Inizio messaggio
 * inoltrato:", "-------- Message transféré --------", "Doorgestuurd bericht"... */
static bool forward_marker(const char *lo, size_t n) {
    static const char *const marks[] = {
        "forwarded message",           "begin forwarded",
        "original message follows",    "weitergeleitete nachricht",
        "anfang der weitergeleiteten", "message transféré",
        "message réexpédié",           "mensaje reenviado",
        "messaggio inoltrato",         "doorgestuurd bericht",
        "doorgestuurde bericht",       "fwd message",
    };
    /* a rule of dashes around it, or a colon after it */
    if (n > 90 || n < 12 || !(lo[n - 1] == ':' || memchr(lo, '-', n)))
        return false;
    for (size_t k = 0; k < DW_ARRAY_SIZE(marks); k++)
        if (strstr(lo, marks[k]))
            return true;
    return false;
}

/* "-----Original Message-----" in the six languages, or a rule of underscores (Outlook). */
static bool original_marker(const char *lo, size_t n) {
    static const char *const marks[] = {
        "original message",        "ursprüngliche nachricht", "message d'origine",
        "mensaje original",        "messaggio originale",     "oorspronkelijk bericht",
        "oorspronkelijke bericht",
    };
    if (n > 80)
        return false;
    if (n >= 10 && strspn(lo, "_") == n)
        return true;
    if (!starts_with(lo, "---"))
        return false;
    for (size_t k = 0; k < DW_ARRAY_SIZE(marks); k++)
        if (strstr(lo, marks[k]))
            return true;
    return false;
}

/* A header field of a quoted or forwarded message: "From:", "Von:", "De :", "Da:",
 * "Van:", "Sent:", "Gesendet:", "Envoyé :", "Enviado el:", "Inviato:", "Verzonden:",
 * "Date:", "Datum:", "Data:", "Fecha:", "To:", "An:", "À :", "Para:", "A:", "Aan:", "Cc:",
 * "Subject:", "Betreff:", "Objet :", "Asunto:", "Oggetto:", "Onderwerp:". *from is set for
 * the fields that open a block (the sender). */
static bool header_field(const char *lo, bool *from) {
    static const char *const senders[] = {"from", "von", "de", "da", "van"};
    static const char *const others[] = {
        "sent",       "gesendet", "envoyé",  "enviado",   "enviado el", "inviato",    "verzonden",
        "date",       "datum",    "data",    "fecha",     "to",         "an",         "à",
        "para",       "a",        "aan",     "cc",        "bcc",        "subject",    "betreff",
        "objet",      "asunto",   "oggetto", "onderwerp", "reply-to",   "antwort an", "répondre à",
        "inviato il", "sent on",  "À"};
    *from = false;
    const char *colon = strchr(lo, ':');
    if (!colon || colon - lo > 16)
        return false;
    size_t n = (size_t)(colon - lo);
    while (n > 0 && lo[n - 1] == ' ')
        n--; /* French "De :" */
    if (n == 0)
        return false;
    /* (the first byte first: n > 0 here, and most labels start otherwise) */
    for (size_t k = 0; k < DW_ARRAY_SIZE(senders); k++)
        if (senders[k][0] == lo[0] && strlen(senders[k]) == n && memcmp(lo, senders[k], n) == 0) {
            *from = true;
            return true;
        }
    for (size_t k = 0; k < DW_ARRAY_SIZE(others); k++)
        if (others[k][0] == lo[0] && strlen(others[k]) == n && memcmp(lo, others[k], n) == 0)
            return true;
    return false;
}

/* An attribution line: "On Tue, 10 Nov 2026 at 09:12, Anna <a@x> wrote:", "Am … schrieb …:",
 * "Le … a écrit :", "El … escribió:", "Il giorno … ha scritto:", "Op … schreef …:". The
 * verb and a colon at the end (of this line or, wrapped, of the next). */
static bool attribution(const char *lo, size_t n, const char *next, size_t nn) {
    static const char *const verbs[] = {
        " wrote",   " schrieb", " a écrit", " escribió", " ha scritto",
        " schreef", " writes",  " scrive",  " a ecrit",  " escribio",
    };
    bool colon = n > 0 && lo[n - 1] == ':';
    bool next_colon = next && nn > 0 && nn <= 120 && next[nn - 1] == ':';
    if (n > 300 || !(colon || next_colon))
        return false;
    bool verb = false;
    for (size_t k = 0; k < DW_ARRAY_SIZE(verbs) && !verb; k++)
        verb = strstr(lo, verbs[k]) != NULL;
    if (verb && colon)
        return true;
    /* wrapped: "Op wo 18 nov. 2026 om 14:02 schreef Els Janssen <" / "els@x.example>:";
     * then the line opens like an attribution */
    if (!next_colon)
        return false;
    if (!(starts_word(lo, "on") || starts_word(lo, "am") || starts_word(lo, "le") ||
          starts_word(lo, "el") || starts_word(lo, "il") || starts_word(lo, "op")))
        return false;
    for (size_t k = 0; k < DW_ARRAY_SIZE(verbs) && !verb; k++)
        verb = strstr(next, verbs[k]) != NULL;
    return verb;
}

/* A sign-off on a line of its own, perhaps with a name after a comma: "Best regards",
 * "Mit freundlichen Grüßen", "Cordialement", "Un saludo", "Cordiali saluti", "Met
 * vriendelijke groet", "Groet, Bram", "Grazie, Davide". */
static const char *const sign_offs[] = {/* en */ "best regards",
                                        "kind regards",
                                        "warm regards",
                                        "regards",
                                        "best wishes",
                                        "many thanks",
                                        "thanks in advance",
                                        "thank you",
                                        "thanks",
                                        "cheers",
                                        "sincerely",
                                        "yours sincerely",
                                        "yours faithfully",
                                        "all the best",
                                        "best",
                                        /* de */ "mit freundlichen grüßen",
                                        "mit freundlichen grüssen",
                                        "mit freundlichem gruß",
                                        "freundliche grüße",
                                        "freundliche grüsse",
                                        "viele grüße",
                                        "viele grüsse",
                                        "beste grüße",
                                        "beste grüsse",
                                        "liebe grüße",
                                        "herzliche grüße",
                                        "gruß",
                                        "grüße",
                                        "grüsse",
                                        "mfg",
                                        "lg",
                                        "vg",
                                        "danke",
                                        "vielen dank",
                                        /* fr */ "bien cordialement",
                                        "cordialement",
                                        "bien à vous",
                                        "salutations",
                                        "sincères salutations",
                                        "meilleures salutations",
                                        "merci d'avance",
                                        "merci",
                                        "bonne journée",
                                        /* es */ "un saludo",
                                        "saludos cordiales",
                                        "saludos",
                                        "atentamente",
                                        "un cordial saludo",
                                        "muchas gracias",
                                        "gracias",
                                        /* it */ "cordiali saluti",
                                        "distinti saluti",
                                        "un saluto",
                                        "saluti",
                                        "grazie mille",
                                        "grazie",
                                        "cordialmente",
                                        "buona giornata",
                                        "a presto",
                                        /* nl */ "met vriendelijke groeten",
                                        "met vriendelijke groet",
                                        "vriendelijke groeten",
                                        "vriendelijke groet",
                                        "met hartelijke groet",
                                        "hartelijke groeten",
                                        "groetjes",
                                        "groeten",
                                        "groet",
                                        "mvg",
                                        "hoogachtend",
                                        "alvast bedankt",
                                        "bedankt",
                                        "dank je wel"};

/* The sign-offs by their first byte, in their order (the only ones starts_word() can find
 * on a line starting with that byte), set once; a byte with more than SIGN_OFF_SAME of them
 * lists none and sets sign_off_all. */
#define SIGN_OFF_SAME 16
static uint8_t sign_off_by[256][SIGN_OFF_SAME], sign_off_n[256];
static bool sign_off_all;
static pthread_once_t sign_off_once = PTHREAD_ONCE_INIT;

static void sign_off_init(void) {
    for (size_t k = 0; k < DW_ARRAY_SIZE(sign_offs); k++) {
        unsigned char f = (unsigned char)sign_offs[k][0];
        if (sign_off_n[f] == SIGN_OFF_SAME)
            sign_off_all = true;
        else
            sign_off_by[f][sign_off_n[f]++] = (uint8_t)k;
    }
}

static bool sign_off(const char *lo, size_t n) {
    if (n == 0 || n > 60)
        return false;
    /* a line starting with a byte no sign-off starts with is none (most lines): one look at
     * a table of those bytes, built once, instead of a comparison with each phrase */
    pthread_once(&sign_off_once, sign_off_init);
    unsigned char f0 = (unsigned char)lo[0];
    bool all = dw__ex_plain || sign_off_all;
    size_t count = all ? DW_ARRAY_SIZE(sign_offs) : sign_off_n[f0];
    for (size_t i = 0; i < count; i++) {
        size_t k = all ? i : sign_off_by[f0][i];
        if (!starts_word(lo, sign_offs[k]))
            continue;
        const char *r = lo + strlen(sign_offs[k]);
        bool comma = false;
        for (; *r == ' ' || *r == ',' || *r == '.' || *r == '!' || *r == '-'; r++)
            comma = comma || *r == ',';
        /* a one-word sign-off ("Thanks", "Grazie") stands alone or before ", Name"; at most
         * three words of a name after it, no digits */
        if (*r && !comma && !strchr(sign_offs[k], ' '))
            return false;
        int words = 0;
        bool in = false;
        for (const char *p = r; *p; p++) {
            if (*p >= '0' && *p <= '9')
                return false;
            if (*p == ' ') {
                in = false;
            } else if (!in) {
                in = true;
                words++;
            }
        }
        return words <= 3;
    }
    return false;
}

/* Words of a legal notice: three of them in one paragraph make it a disclaimer (a title
 * such as "DISCLAIMER" or "AVVISO DI RISERVATEZZA" counts two). */
static int disclaimer_cues(const char *lo) {
    static const char *const strong[] = {"disclaimer",
                                         "avviso di riservatezza",
                                         "haftungsausschluss",
                                         "avis de confidentialit",
                                         "aviso de confidencialidad",
                                         "aviso legal",
                                         "confidentiality notice",
                                         "rechten worden ontleend"};
    static const char *const weak[] = {"confidential",
                                       "vertraulich",
                                       "confidentiel",
                                       "confidencial",
                                       "riservat",
                                       "vertrouwelijk",
                                       "intended recipient",
                                       "intended solely",
                                       "intended only",
                                       "addressee",
                                       "destinatari",
                                       "destinataire",
                                       "empfänger",
                                       "geadresseerde",
                                       "received this",
                                       "in error",
                                       "per errore",
                                       "par erreur",
                                       "por error",
                                       "irrtümlich",
                                       "per vergissing",
                                       "onbedoeld",
                                       "privileged",
                                       "unauthori",
                                       "non autorizzat",
                                       "prohibited",
                                       "vietat",
                                       "untersagt",
                                       "interdit",
                                       "prohibid",
                                       "verboden",
                                       "delete",
                                       "cancellarl",
                                       "löschen",
                                       "supprimer",
                                       "eliminar",
                                       "verwijderen",
                                       "distruggerl",
                                       "informativa privacy",
                                       "d.lgs",
                                       "uitsluitend bestemd",
                                       "exclusivement",
                                       "ausschließlich",
                                       "esclusivamente",
                                       "exclusivamente",
                                       "solely",
                                       "juridisch"};
    enum { NS = DW_ARRAY_SIZE(strong), NW = DW_ARRAY_SIZE(weak) };
    /* both lists in one automaton, built on first use: one pass over the line */
    static struct dw_ac *ac;
    static bool failed;
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    struct dw_ac *a = __atomic_load_n(&ac, __ATOMIC_ACQUIRE);
    if (!a && !__atomic_load_n(&failed, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&mu);
        if (!ac && !failed) {
            const char *all[NS + NW];
            memcpy(all, strong, sizeof strong);
            memcpy(all + NS, weak, sizeof weak);
            if (dw_ac_new(all, NS + NW, &a) == 0)
                __atomic_store_n(&ac, a, __ATOMIC_RELEASE);
            else
                __atomic_store_n(&failed, true, __ATOMIC_RELEASE);
        }
        a = ac;
        pthread_mutex_unlock(&mu);
    }
    int n = 0;
    if (a) {
        uint64_t found[(NS + NW + 63) / 64] = {0};
        dw_ac_scan(a, lo, strlen(lo), found);
        if (NS + NW <= 64 && !dw__ex_plain) { /* two bit counts, not a test a word */
            uint64_t strong_bits = ((uint64_t)1 << NS) - 1;
            return 2 * __builtin_popcountll(found[0] & strong_bits) +
                   __builtin_popcountll(found[0] & ~strong_bits);
        }
        for (size_t k = 0; k < NS + NW; k++)
            if (found[k / 64] & ((uint64_t)1 << (k % 64)))
                n += k < NS ? 2 : 1;
        return n;
    }
    for (size_t k = 0; k < NS; k++) /* out of memory: one search a word */
        if (strstr(lo, strong[k]))
            n += 2;
    for (size_t k = 0; k < NW; k++)
        if (strstr(lo, weak[k]))
            n++;
    return n;
}

/* ---- the message ---------------------------------------------------------------------- */

#define LINE_BUF 320

static void push(struct dw_msg_span *out, size_t cap, size_t *n, size_t s, size_t e,
                 enum dw_msg_part p) {
    if (*n > 0 && out[*n - 1].part == p && out[*n - 1].e <= s) {
        out[*n - 1].e = (uint32_t)e;
        return;
    }
    if (*n == cap) { /* out of room: the last part grows */
        out[*n - 1].e = (uint32_t)e;
        return;
    }
    out[(*n)++] = (struct dw_msg_span){(uint32_t)s, (uint32_t)e, (uint8_t)p};
}

size_t dw_msg_structure(const char *text, size_t len, struct dw_msg_span *out, size_t cap) {
    if (!text || !out || cap == 0)
        return 0;
    if (len > DW_EXTRACT_MAX_TEXT)
        len = DW_EXTRACT_MAX_TEXT;
    size_t n_lines = 1;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n_lines++;
    /* most messages fit the stack */
    struct line ln_small[128];
    uint8_t kind_small[128];
    bool small = n_lines <= 128;
    struct line *ln = small ? ln_small : malloc(n_lines * sizeof *ln);
    uint8_t *kind = small ? kind_small : malloc(n_lines);
    if (!ln || !kind) {
        if (!small) {
            free(ln);
            free(kind);
        }
        out[0] = (struct dw_msg_span){0, (uint32_t)len, DW_PART_CURRENT};
        return 1;
    }
    size_t nl = 0;
    for (size_t s = 0; s <= len;) {
        const char *nl_at = memchr(text + s, '\n', len - s);
        size_t e = nl_at ? (size_t)(nl_at - text) : len;
        struct line l = {s, e, s, e};
        while (l.ts < l.te && (text[l.ts] == ' ' || text[l.ts] == '\t' || text[l.ts] == '\r'))
            l.ts++;
        while (l.te > l.ts &&
               (text[l.te - 1] == ' ' || text[l.te - 1] == '\t' || text[l.te - 1] == '\r'))
            l.te--;
        ln[nl++] = l;
        s = e + 1;
        if (e == len)
            break;
    }

    /* Pass 1: quotes, forwards, headers and signatures, top to bottom. `base` is what a
     * plain line is in the current stretch; `hdr` the kind of header block being read. */
    enum dw_msg_part base = DW_PART_CURRENT, hdr = DW_PART_CURRENT, before_sig = DW_PART_CURRENT;
    bool in_sig = false, seen_text = false;
    size_t hdr_fields = 0; /* header fields read since the block's marker */
    char lo[LINE_BUF], next[LINE_BUF];
    size_t next_of = SIZE_MAX; /* the line next[] holds, lower-cased for the one before it */
    for (size_t i = 0; i < nl; i++) {
        const struct line *l = &ln[i];
        size_t n;
        if (next_of == i && !dw__ex_plain) { /* lower-cased already, as the next line */
            n = l->te - l->ts < sizeof lo - 1 ? l->te - l->ts : sizeof lo - 1;
            memcpy(lo, next, n + 1);
        } else {
            n = lower_line(text, l, lo, sizeof lo);
        }
        size_t nn = i + 1 < nl ? lower_line(text, &ln[i + 1], next, sizeof next) : 0;
        next_of = i + 1;
        bool from = false;
        if (is_blank(l)) {
            if (hdr_fields > 0) /* a header block ends at a blank line after its fields */
                hdr = DW_PART_CURRENT;
            hdr_fields = 0;
            kind[i] = (uint8_t)(in_sig ? DW_PART_SIGNATURE : base);
            continue;
        }
        if (is_quoted(text, l)) {
            kind[i] = DW_PART_QUOTED;
            continue;
        }
        if (forward_marker(lo, n)) {
            kind[i] = DW_PART_FORWARD_HEADER;
            hdr = DW_PART_FORWARD_HEADER;
            base = DW_PART_FORWARDED;
            in_sig = false;
            continue;
        }
        if (original_marker(lo, n)) {
            kind[i] = DW_PART_QUOTE_HEADER;
            hdr = DW_PART_QUOTE_HEADER;
            base = DW_PART_QUOTED;
            in_sig = false;
            continue;
        }
        if (hdr != DW_PART_CURRENT && header_field(lo, &from)) {
            kind[i] = (uint8_t)hdr;
            hdr_fields++;
            continue;
        }
        /* a header block without a marker line (Outlook): "From:" (or its translation) with
         * an address or a second header field right after it */
        if (seen_text && header_field(lo, &from) && from && i + 1 < nl) {
            bool from2;
            if (memchr(lo, '@', n) || header_field(next, &from2)) {
                kind[i] = DW_PART_QUOTE_HEADER;
                hdr = DW_PART_QUOTE_HEADER;
                hdr_fields = 1;
                if (base == DW_PART_CURRENT)
                    base = DW_PART_QUOTED;
                in_sig = false;
                continue;
            }
        }
        if (attribution(lo, n, i + 1 < nl ? next : NULL, nn)) {
            kind[i] = DW_PART_QUOTE_HEADER;
            if (!(n > 0 && lo[n - 1] == ':') && i + 1 < nl && !is_quoted(text, &ln[i + 1]))
                kind[++i] = DW_PART_QUOTE_HEADER; /* the wrapped rest */
            /* with '>' markers after it, only the marked lines are quoted (an inline reply
             * may follow them); without, the rest is the older message */
            size_t k = i + 1;
            while (k < nl && is_blank(&ln[k]))
                k++;
            if (!(k < nl && is_quoted(text, &ln[k])))
                base = DW_PART_QUOTED;
            in_sig = false;
            continue;
        }
        hdr = DW_PART_CURRENT; /* text ends a header block */
        if ((n == 2 && memcmp(lo, "--", 2) == 0) || (n == 3 && memcmp(lo, "-- ", 3) == 0) ||
            (seen_text && sign_off(lo, n))) {
            if (!in_sig)
                before_sig = base;
            in_sig = true;
            kind[i] = DW_PART_SIGNATURE;
            continue;
        }
        /* a long line or a postscript after a signature is text again */
        if (in_sig && (l->te - l->ts >= 100 || starts_with(lo, "p.s") || starts_with(lo, "ps:"))) {
            in_sig = false;
            base = before_sig;
        }
        kind[i] = (uint8_t)(in_sig ? DW_PART_SIGNATURE : base);
        seen_text = true;
    }

    /* Pass 1b: a chat transcript, with both the customer's and the seller's labels: the
     * seller's lines are not the customer's words ("Agent: Any cellular backup?") */
    size_t turns[3] = {0, 0, 0};
    for (size_t i = 0; i < nl && !(turns[1] && turns[2]); i++)
        if (kind[i] == DW_PART_CURRENT && labelled(text, &ln[i]))
            turns[speaker(lo, lower_line(text, &ln[i], lo, sizeof lo))]++;
    for (size_t i = 0; turns[1] && turns[2] && i < nl; i++)
        if (kind[i] == DW_PART_CURRENT && labelled(text, &ln[i]) &&
            speaker(lo, lower_line(text, &ln[i], lo, sizeof lo)) == 2)
            kind[i] = DW_PART_SELLER;

    /* Pass 2: paragraphs that read as a legal notice, wherever they stand after the first
     * line. */
    for (size_t i = 1; i < nl;) {
        if (is_blank(&ln[i])) {
            i++;
            continue;
        }
        size_t j = i, cues = 0, bytes = 0;
        bool quoted = false;
        for (; j < nl && !is_blank(&ln[j]); j++) {
            bytes += ln[j].te - ln[j].ts;
            quoted = quoted || is_quoted(text, &ln[j]);
        }
        /* a notice is long; a quoted paragraph is never one, so its cues are not counted */
        for (size_t k = i; bytes >= 80 && (!quoted || dw__ex_plain) && k < j && cues < 3; k++) {
            lower_line(text, &ln[k], lo, sizeof lo);
            cues += (size_t)disclaimer_cues(lo);
        }
        if (cues >= 3 && !quoted)
            for (size_t k = i; k < j; k++)
                kind[k] = DW_PART_DISCLAIMER;
        i = j;
    }

    size_t np = 0;
    for (size_t i = 0; i < nl; i++) {
        /* blank lines go with the part before them */
        enum dw_msg_part p = is_blank(&ln[i]) && np > 0 ? (enum dw_msg_part)out[np - 1].part
                                                        : (enum dw_msg_part)kind[i];
        size_t e = i + 1 < nl ? ln[i + 1].s : len;
        push(out, cap, &np, ln[i].s, e, p);
    }
    if (!small) {
        free(ln);
        free(kind);
    }
    if (np == 0)
        out[np++] = (struct dw_msg_span){0, (uint32_t)len, DW_PART_CURRENT};
    return np;
}

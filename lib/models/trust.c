/* models/trust — masking, screening, the schema check, budgets' and breaker's arithmetic
 * (trust.h). Pure functions over text and JSON; the patterns are compiled once (PCRE2,
 * shared read-only between threads, a match data per call).
 *
 * Why patterns and known strings rather than a name recogniser: the deal's own people
 * (the contact, as every lead of the deal gives them) are known exactly and masked
 * wherever they occur, in any case; other people's names are caught where buyers write
 * them (after "my name is", a greeting, a sign-off). A name written nowhere near such a
 * cue can pass; docs/internals/models.md says so.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/screen.h"
#include "models/trust.h"

enum { K_NAME, K_EMAIL, K_PHONE, K_ADDRESS, K_IBAN };
static const char *const kind_names[] = {"NAME", "EMAIL", "PHONE", "ADDRESS", "IBAN"};

/* group: the capture group holding the value (0: the whole match) */
/* Common given names of the languages buyers write in (en, de, fr, es, it, nl, pt): a
 * given name followed by a capitalised word is taken for a person ("send it to Marco
 * Bianchi"). Names that are also everyday capitalised words (Will, May, Grace, Art...) are
 * left out, so that "Will Support" is not masked. */
#define DW__GIVEN_NAMES                                                                            \
    "Aaron|Adam|Adrian|Agnes|Alain|Alberto|Alejandro|Alessandro|Alessia|Alex|Alexander|Alexandra|" \
    "Alice|Alicia|Amelie|Ana|Andrea|Andreas|Andrew|Angela|Anna|Anne|Antoine|Antonio|Ben|"          \
    "Benjamin|Bernd|Bram|Brian|Bruno|Camille|Carla|Carlos|Carmen|Caroline|Charlotte|Chiara|"       \
    "Chris|Christian|Christina|Christine|Christoph|Claire|Claudia|Daan|Daniel|Daniela|David|"      \
    "Diego|Dirk|Elena|Elisa|Emma|Eric|Erik|Eva|Fabian|Felix|Fernando|Florian|Francesca|"           \
    "Francisco|Frank|Franziska|Frederic|Gabriel|Giorgio|Giovanni|Giulia|Giuseppe|Hans|Helen|"      \
    "Hugo|Ines|Isabel|Isabelle|Jakob|James|Jan|Jana|Javier|Jean|Jens|Jessica|Joao|Johan|"          \
    "Johannes|John|Jonas|Jorge|Jose|Joseph|Juan|Julia|Julian|Julie|Jurgen|Karin|Katharina|"        \
    "Kevin|Klaus|Lars|Laura|Laurent|Lea|Lena|Leon|Linda|Lisa|Lorenzo|Louis|Luca|Lucas|Lucia|"      \
    "Luis|Lukas|Manuel|Marc|Marco|Maria|Marie|Mario|Mark|Markus|Marta|Martin|Martina|Matteo|"      \
    "Mathieu|Matthias|Max|Michael|Michel|Michele|Miguel|Monika|Nathalie|Nicolas|Nicole|Niels|"     \
    "Nina|Oliver|Olivier|Pablo|Paola|Pascal|Patrick|Paul|Paula|Pedro|Peter|Philipp|Pierre|"        \
    "Pieter|Rafael|Raul|Richard|Robert|Roberto|Ruben|Sabine|Sandra|Sara|Sarah|Sebastian|"          \
    "Sergio|Simon|Simone|Sofia|Sophie|Stefan|Stefano|Stephan|Susanne|Sven|Thomas|Tim|Tobias|"      \
    "Tom|Ursula|Valentina|Vincent|Wim|Wolfgang|Yann|Yves"

static const struct {
    int kind, group;
    const char *re;
} mask_patterns[] = {
    {K_NAME, 0,
     "\\b(?:" DW__GIVEN_NAMES ")[ \\t]+(?:(?:van|von|de|der|den|da|di|del|du|le|la)[ \\t]+)?"
     "\\p{Lu}[\\p{Ll}'-]+(?:-\\p{Lu}[\\p{Ll}'-]+)?\\b"},
    {K_EMAIL, 0, "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"},
    {K_IBAN, 0, "\\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\\b"},
    {K_PHONE, 0, "(?<![\\w+])(?:\\+|00)[1-9][0-9 ()./-]{6,20}[0-9](?!\\w)"},
    {K_PHONE, 1,
     "(?i)\\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp|telefon|handy|mobil|t\\x{e9}l"
     "\\x{e9}phone|t\\x{e9}l|portable|telefono|cellulare|tel\\x{e9}fono|m\\x{f3}vil|telefoon|"
     "mobiel|telemovel|telem\\x{f3}vel)\\.?\\s*(?:[:#]|no\\.?|nr\\.?|number|n\\x{b0})?\\s*"
     "((?:\\+|00)?[0-9][0-9 ()./-]{5,20}[0-9])(?!\\w)"},
    {K_ADDRESS, 0,
     "\\b\\d{1,5}[A-Za-z]?\\s+(?:\\p{Lu}[\\p{L}'.-]*\\s+){1,4}(?:Street|St\\.|Road|Rd\\.|Avenue|"
     "Ave\\.|Boulevard|Blvd\\.|Lane|Drive|Way|Place|Court|Square|Parkway|Terrace)(?!\\w)"},
    {K_ADDRESS, 0,
     "\\b\\p{Lu}[\\p{L}-]*(?:stra\\x{df}e|strasse|str\\.|weg|gasse|platz|allee|damm|laan|"
     "straat|gracht|plein|kade|steeg)\\s+\\d{1,5}\\s?[a-z]?\\b"},
    {K_ADDRESS, 0,
     "(?i)\\b\\d{1,5}(?:\\s?(?:bis|ter))?,?\\s+(?:rue|avenue|boulevard|chemin|place|all\\x{e9}e|"
     "impasse|quai|route)\\s+[\\p{L}' -]{2,40}?(?=[,\\n.;]|$)"},
    {K_ADDRESS, 0,
     "\\b(?:[Cc]alle|[Vv]ia|[Vv]iale|[Pp]iazza|[Cc]orso|[Aa]venida|[Pp]laza|[Rr]ua|[Pp]aseo|"
     "[Cc]arrer)\\s+\\p{Lu}[\\p{L}' .-]{1,40}?,?\\s*(?:n\\.?\\x{ba}?\\s*)?\\d{1,5}\\b"},
    /* an honorific before a surname (or a title and a surname): "Herr Schmidt", "Mme Dubois",
     * "M. Garnier", "Dr. Okonkwo", "Sra. Etxeberria", "Dhr. Van den Broek". Short forms that
     * are also other words (Fr, Sr, Hr, M) count only with their dot. */
    {K_NAME, 1,
     "(?<![\\p{L}.])(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Mme|Mlle)\\.?|(?:M|Sr|Sra|Srta|Hr|Fr|Sig|"
     "Sig\\.ra|Dott|Dott\\.ssa|Dhr|Mevr|Ing|Avv)\\.|Herr|Frau|Monsieur|Madame|Mademoiselle|"
     "Signor|Signora|Se\\x{f1}or|Se\\x{f1}ora|Mevrouw|Meneer)[ \\t]+((?:(?:Dr|Prof)\\.?[ \\t]+)?"
     "(?:(?i:van|von|de|der|den|da|di|del|du|le|la|ter|ten)[ \\t]+){0,2}\\p{Lu}[\\p{L}'-]+"
     "(?:[ \\t]+\\p{Lu}[\\p{L}'-]+)?)"},
    /* a role or a contact line before a given name and a surname: "our CFO, Brigitte
     * Hammerschmidt", "Ansprechpartner: Kai-Uwe Brettschneider", "responsabile IT, Gianmarco
     * Esposito" */
    {K_NAME, 1,
     "(?i:\\b(?:CFO|CEO|CTO|CIO|COO|CISO|IT[- ]?(?:manager|director|lead|leiter|leiterin)|"
     "head of (?:IT|procurement|purchasing)|purchasing manager|procurement (?:lead|manager)|"
     "gesch\\x{e4}ftsf\\x{fc}hrer(?:in)?|einkaufsleiter(?:in)?|ansprechpartner(?:in)?|"
     "contact person|contactpersoon|persona de contacto|referente|interlocut(?:eur|rice)|"
     "responsabile(?: IT| acquisti)?|responsable(?: informatique| des achats| IT)?|"
     "direct(?:eur|rice)(?: informatique| technique| des achats)?|director(?:a)? de "
     "(?:IT|compras|sistemas)|inkoper|hoofd IT))[,:]?[ \\t]+(\\p{Lu}[\\p{Ll}'-]+"
     "(?:-\\p{Lu}[\\p{Ll}'-]+)?[ \\t]+(?:(?i:van|von|de|der|den|da|di|del|du|le|la)[ \\t]+){0,2}"
     "\\p{Lu}[\\p{L}'-]+(?:-\\p{Lu}[\\p{L}'-]+)?)"},
    {K_NAME, 1,
     "(?:[Mm]y name is|[Mm]ein Name ist|[Jj]e m'appelle|[Mm]i chiamo|[Mm]e llamo|[Mm]ijn naam "
     "is|[Mm]eu nome \\x{e9}|[Mm]y name's)\\s+(\\p{Lu}[\\p{L}'-]+(?:[ \\t]+\\p{Lu}[\\p{L}'-]+)?)"},
    {K_NAME, 1,
     "(?:^|\\n)[ \\t]*(?:Dear|Hi|Hello|Hallo|Liebe|Lieber|Bonjour|Ciao|Hola|Beste|Geachte|Ol"
     "\\x{e1}|Sehr geehrte[r]?[ \\t]+(?:Herr|Frau)|Cher|Ch\\x{e8}re|Gentile|Estimad[oa]|"
     "Caro|Cara)[ \\t]+(\\p{Lu}[\\p{L}'-]+(?:[ \\t]+\\p{Lu}[\\p{L}'-]+)?)"},
    {K_NAME, 1,
     "(?i:Regards|Best|Thanks|Thank you|Cheers|Sincerely|Gr\\x{fc}\\x{df}e|Gru\\x{df}|Gr"
     "\\x{fc}\\x{df}en|Cordialement|Saluti|Saludos|Groeten|groet|Atenciosamente|Abra\\x{e7}os|"
     "Un saludo|Bien \\x{e0} vous|Distinti saluti)[,.!]?[ \\t]*\\r?\\n[ \\t]*(\\p{Lu}[\\p{L}'-]+"
     "(?:[ \\t]+\\p{Lu}[\\p{L}'.-]+){0,2})"},
};
static pcre2_code *mask_code[DW_ARRAY_SIZE(mask_patterns)];

/* What an answer may not say (besides the screen's commands and claims). */
static const char *const out_patterns[] = {
    "(?i)(?:\"?tool_calls\"?\\s*:|function_call|<tool_use|<function[ _=>]|\\bcall(?:ing)? "
    "(?:the |a )?tool\\b|\\binvoke (?:the )?(?:tool|function)\\b|\\bexecute (?:the )?"
    "(?:tool|function|command)\\b)",
    "(?i)\\b(?:change|update|override|disable|bypass|lift|raise|remove|ignore)[ds]?\\s+(?:the"
    "\\s+|your\\s+|all\\s+|any\\s+)?(?:discount\\s+)?(?:polic(?:y|ies)|approval(?:s| rules?| "
    "limits?)?|rules?|limits?|authority)\\b",
    "(?i)\\b(?:grant(?:ed|s|ing)?|give[sn]?|gave|assign(?:ed|s)?)\\s+(?:\\w+\\s+){0,4}?"
    "(?:authority|permissions?|admin(?:istrator)?(?: rights)?|approval rights?|roles?)\\b",
    "(?i)\\b(?:(?:is|are|has been|have been|was|were)\\s+(?:pre-?|already\\s+)?approved|"
    "approval (?:is |has been )?(?:granted|waived|not (?:required|needed)))\\b",
};
static pcre2_code *out_code[DW_ARRAY_SIZE(out_patterns)];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool compiled_ok;

static pcre2_code *compile(const char *re) {
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
    if (c)
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    return c;
}

static void compile_all(void) {
    compiled_ok = true;
    for (size_t i = 0; i < DW_ARRAY_SIZE(mask_patterns); i++)
        if (!(mask_code[i] = compile(mask_patterns[i].re)))
            compiled_ok = false;
    for (size_t i = 0; i < DW_ARRAY_SIZE(out_patterns); i++)
        if (!(out_code[i] = compile(out_patterns[i])))
            compiled_ok = false;
}

/* ---- masking ------------------------------------------------------------------------- */

void dw_mask_init(struct dw_mask *m) {
    memset(m, 0, sizeof *m);
}

void dw_mask_release(struct dw_mask *m) {
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].value);
    free(m->v);
    memset(m, 0, sizeof *m);
}

static const char *placeholder(struct dw_mask *m, int kind, const char *s, size_t n) {
    for (size_t i = 0; i < m->n; i++)
        if (strlen(m->v[i].value) == n && memcmp(m->v[i].value, s, n) == 0)
            return m->v[i].ph;
    if (DW_GROW(m->v, m->cap, m->n + 1) < 0)
        return NULL;
    struct dw_mask_entry *e = &m->v[m->n];
    if (!(e->value = strndup(s, n)))
        return NULL;
    snprintf(e->ph, sizeof e->ph, "[%s_%d]", kind_names[kind], ++m->count[kind]);
    m->n++;
    return e->ph;
}

struct span {
    size_t start, end;
    int kind;
};

static bool iban_ok(const char *s, size_t n) {
    char c[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof c; i++)
        if (s[i] != ' ')
            c[k++] = s[i];
    if (k < 15 || k > 34)
        return false;
    int rem = 0;
    for (size_t i = 0; i < k; i++) {
        char ch = c[(i + 4) % k];
        int v = isdigit((unsigned char)ch) ? ch - '0' : ch - 'A' + 10;
        rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
    }
    return rem == 1;
}

static int count_digits(const char *s, size_t n) {
    int d = 0;
    for (size_t i = 0; i < n; i++)
        d += isdigit((unsigned char)s[i]) != 0;
    return d;
}

static bool word_char(unsigned char c) {
    return isalnum(c) || c >= 0x80 || c == '_';
}

static int add_span(struct span **v, size_t *n, size_t *cap, size_t s, size_t e, int kind) {
    if (DW_GROW(*v, *cap, *n + 1) < 0)
        return -DW_ENOMEM;
    (*v)[(*n)++] = (struct span){s, e, kind};
    return 0;
}

/* Every case-insensitive, whole-word occurrence of a known string (and of each word of a
 * known name of 3 letters or more). */
/* ASCII lower-case copy of n bytes (UTF-8 sequences kept), NUL-terminated; NULL on OOM. */
static char *lower_copy(const char *s, size_t n) {
    char *l = malloc(n + 1);
    if (!l)
        return NULL;
    for (size_t i = 0; i < n; i++)
        l[i] = (char)tolower((unsigned char)s[i]);
    l[n] = '\0';
    return l;
}

/* Every whole-word occurrence of needle[0..wl) (lower-case) in the lower-cased text. */
static int spans_of(const char *ltext, size_t len, const char *needle, size_t wl, int kind,
                    struct span **v, size_t *n, size_t *cap) {
    for (const char *at = ltext; wl && (size_t)(at - ltext) + wl <= len;) {
        const char *hit = memmem(at, len - (size_t)(at - ltext), needle, wl);
        if (!hit)
            break;
        size_t s = (size_t)(hit - ltext);
        if ((s == 0 || !word_char((unsigned char)ltext[s - 1])) &&
            (s + wl == len || !word_char((unsigned char)ltext[s + wl]))) {
            int r = add_span(v, n, cap, s, s + wl, kind);
            if (r < 0)
                return r;
        }
        at = hit + 1;
    }
    return 0;
}

/* Every case-insensitive, whole-word occurrence of a known string (and of each word of a
 * known name of 3 letters or more). */
static int known_spans(const char *text, size_t len, const json_t *known, struct span **v,
                       size_t *n, size_t *cap) {
    if (!json_array_size(known))
        return 0;
    char *ltext = lower_copy(text, len);
    if (!ltext)
        return -DW_ENOMEM;
    int r = 0;
    size_t i;
    json_t *k;
    json_array_foreach(known, i, k) {
        const char *s = json_string_value(k);
        if (!s || !*s)
            continue;
        size_t sl = strlen(s);
        int kind = strchr(s, '@') ? K_EMAIL : count_digits(s, sl) >= 7 ? K_PHONE : K_NAME;
        char *ls = lower_copy(s, sl);
        if (!ls) {
            r = -DW_ENOMEM;
            break;
        }
        r = spans_of(ltext, len, ls, sl, kind, v, n, cap);
        /* a name's words on their own: "Hartmann asks..." */
        for (const char *p = ls; r == 0 && kind == K_NAME && *p;) {
            size_t wl = strcspn(p, " \t-");
            if (wl >= 3 && wl < sl)
                r = spans_of(ltext, len, p, wl, kind, v, n, cap);
            p += wl;
            while (*p == ' ' || *p == '\t' || *p == '-')
                p++;
        }
        free(ls);
        if (r < 0)
            break;
    }
    free(ltext);
    return r;
}

static int cmp_span(const void *a, const void *b) {
    const struct span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end; /* longer first */
}

/* names_only: the discovery pass, which needs only the name patterns' finds */
static int mask_text(struct dw_mask *m, const char *text, size_t len, const json_t *known,
                     bool names_only, char **ret) {
    pthread_once(&once, compile_all);
    *ret = NULL;
    struct span *v = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    pcre2_match_data *md = NULL;
    for (size_t p = 0; p < DW_ARRAY_SIZE(mask_patterns) && r == 0; p++) {
        if (!mask_code[p] || (names_only && mask_patterns[p].kind != K_NAME))
            continue;
        pcre2_match_data_free(md);
        if (!(md = pcre2_match_data_create_from_pattern(mask_code[p], NULL))) {
            r = -DW_ENOMEM;
            break;
        }
        PCRE2_SIZE off = 0;
        while (off < len) {
            int rc = pcre2_match(mask_code[p], (PCRE2_SPTR)text, len, off, 0, md, NULL);
            if (rc < 0)
                break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            int g = mask_patterns[p].group;
            size_t s = ov[2 * g], e = ov[2 * g + 1];
            off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            if (s == PCRE2_UNSET || e <= s)
                continue;
            int kind = mask_patterns[p].kind;
            if (kind == K_IBAN && !iban_ok(text + s, e - s))
                continue;
            if (kind == K_PHONE) {
                int d = count_digits(text + s, e - s);
                if (d < 7 || d > 15)
                    continue;
            }
            if ((r = add_span(&v, &n, &cap, s, e, kind)) < 0)
                break;
        }
    }
    pcre2_match_data_free(md);
    if (r == 0 && known)
        r = known_spans(text, len, known, &v, &n, &cap);
    /* a name a pattern found is masked wherever else it occurs ("Anna" after "my name is
     * Anna Keller" and again above the signature) */
    json_t *found = r == 0 ? json_array() : NULL;
    for (size_t i = 0; found && i < n; i++)
        if (v[i].kind == K_NAME)
            json_array_append_new(found, json_stringn(text + v[i].start, v[i].end - v[i].start));
    if (found && json_array_size(found))
        r = known_spans(text, len, found, &v, &n, &cap);
    json_decref(found);
    if (r < 0) {
        free(v);
        return r;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_span);
    struct dw_buf b = {0};
    size_t at = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (v[i].start < at)
            continue; /* overlaps one already masked */
        const char *ph = placeholder(m, v[i].kind, text + v[i].start, v[i].end - v[i].start);
        if (!ph) {
            r = -DW_ENOMEM;
            break;
        }
        r = dw_buf_append(&b, text + at, v[i].start - at);
        if (r == 0)
            r = dw_buf_puts(&b, ph);
        at = v[i].end;
    }
    free(v);
    if (r == 0)
        r = dw_buf_append(&b, text + at, len - at);
    if (r < 0) {
        dw_buf_release(&b);
        return r;
    }
    *ret = dw_buf_steal(&b);
    return 0;
}

int dw_mask_text(struct dw_mask *m, const char *text, size_t len, const json_t *known, char **ret) {
    return mask_text(m, text, len, known, false, ret);
}

static int mask_json(struct dw_mask *m, const json_t *v, const json_t *known, bool names_only,
                     json_t **ret) {
    *ret = NULL;
    if (json_is_string(v)) {
        char *s = NULL;
        int r = mask_text(m, json_string_value(v), json_string_length(v), known, names_only, &s);
        if (r < 0)
            return r;
        *ret = json_string(s);
        free(s);
        return *ret ? 0 : -DW_ENOMEM;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            json_t *y;
            int r = mask_json(m, x, known, names_only, &y);
            if (r < 0 || json_array_append_new(a, y) < 0) {
                json_decref(a);
                return r < 0 ? r : -DW_ENOMEM;
            }
        }
        *ret = a;
        return 0;
    }
    if (json_is_object(v)) {
        /* keys in sorted order, so placeholders are numbered the same whatever order the
         * caller built the object in */
        size_t n = json_object_size(v), k = 0;
        const char **keys = n ? calloc(n, sizeof *keys) : NULL;
        if (n && !keys)
            return -DW_ENOMEM;
        const char *key;
        json_t *x;
        json_object_foreach((json_t *)v, key, x) keys[k++] = key;
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
                const char *t = keys[j];
                keys[j] = keys[j - 1];
                keys[j - 1] = t;
            }
        json_t *o = json_object();
        for (size_t i = 0; i < n; i++) {
            json_t *y;
            int r = mask_json(m, json_object_get(v, keys[i]), known, names_only, &y);
            if (r < 0 || json_object_set_new(o, keys[i], y) < 0) {
                free(keys);
                json_decref(o);
                return r < 0 ? r : -DW_ENOMEM;
            }
        }
        free(keys);
        *ret = o;
        return 0;
    }
    *ret = json_deep_copy(v);
    return *ret || !v ? 0 : -DW_ENOMEM;
}

int dw_mask_json(struct dw_mask *m, const json_t *v, const json_t *known, json_t **ret) {
    return mask_json(m, v, known, false, ret);
}

int dw_mask_discover(const json_t *v, const json_t *known, json_t **ret) {
    struct dw_mask m;
    dw_mask_init(&m);
    json_t *masked = NULL;
    int r = mask_json(&m, v, known, true, &masked);
    json_decref(masked);
    json_t *out = r == 0 ? json_array() : NULL;
    for (size_t i = 0; out && known && i < json_array_size(known); i++)
        json_array_append(out, json_array_get(known, i));
    for (size_t i = 0; out && i < m.n; i++) /* names; the others the patterns find anyway */
        if (strncmp(m.v[i].ph, "[NAME_", 6) == 0)
            json_array_append_new(out, json_string(m.v[i].value));
    dw_mask_release(&m);
    if (r == 0 && !out)
        r = -DW_ENOMEM;
    *ret = out;
    return r;
}

static json_t *unmask_string(const struct dw_mask *m, const char *s) {
    struct dw_buf b = {0};
    int r = 0;
    while (*s && r == 0) {
        const char *open = strchr(s, '[');
        if (!open) {
            r = dw_buf_puts(&b, s);
            break;
        }
        r = dw_buf_append(&b, s, (size_t)(open - s));
        const struct dw_mask_entry *hit = NULL;
        for (size_t i = 0; i < m->n && !hit; i++)
            if (strncmp(open, m->v[i].ph, strlen(m->v[i].ph)) == 0)
                hit = &m->v[i];
        if (r == 0 && hit) {
            r = dw_buf_puts(&b, hit->value);
            s = open + strlen(hit->ph);
        } else if (r == 0) {
            r = dw_buf_putc(&b, '[');
            s = open + 1;
        }
    }
    json_t *out = r == 0 ? json_string(b.data ? b.data : "") : NULL;
    dw_buf_release(&b);
    return out;
}

json_t *dw_unmask_json(const struct dw_mask *m, const json_t *v) {
    if (json_is_string(v))
        return unmask_string(m, json_string_value(v));
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(a, dw_unmask_json(m, x));
        return a;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) json_object_set_new(o, k, dw_unmask_json(m, x));
        return o;
    }
    return json_deep_copy(v);
}

/* ---- screening ------------------------------------------------------------------------ */

static int collect_strings(const json_t *v, const char *path, json_t *out) {
    char sub[256];
    if (json_is_string(v))
        return json_array_append_new(
            out, json_pack("{s:s,s:s}", "path", path, "text", json_string_value(v)));
    size_t i;
    json_t *x;
    const char *k;
    if (json_is_array(v))
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            collect_strings(x, sub, out);
        }
    if (json_is_object(v))
        json_object_foreach((json_t *)v, k, x) {
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            collect_strings(x, sub, out);
        }
    return 0;
}

static int screen_strings(const json_t *strings, json_t **ret, struct dw_error *err) {
    size_t n = json_array_size(strings);
    struct dw_screen_field *f = n ? calloc(n, sizeof *f) : NULL;
    if (n && !f)
        return -DW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(strings, i);
        f[i] = (struct dw_screen_field){dw_json_str(s, "path"), dw_json_str(s, "text"),
                                        strlen(dw_json_str(s, "text"))};
    }
    int r = dw_screen(f, n, ret, err);
    free(f);
    return r;
}

int dw_screen_input(const json_t *v, json_t *flags, struct dw_error *err) {
    _cleanup_json_ json_t *strings = json_array(), *found = NULL;
    if (!strings)
        return -DW_ENOMEM;
    collect_strings(v, "vars", strings);
    int r = screen_strings(strings, &found, err);
    if (r < 0)
        return r;
    size_t i;
    json_t *f;
    json_array_foreach(found, i, f) {
        const char *cat = dw_json_str(f, "category");
        if (!cat || (!dw_screen_is_command(cat) && strcmp(cat, "fake_system") != 0))
            continue;
        char flag[300];
        snprintf(flag, sizeof flag, "%s at %s", cat, dw_json_str(f, "field"));
        bool seen = false;
        size_t j;
        json_t *g;
        json_array_foreach(flags, j, g) seen |= strcmp(json_string_value(g), flag) == 0;
        if (!seen)
            json_array_append_new(flags, json_string(flag));
    }
    return 0;
}

int dw_screen_output(const json_t *answer, const char *data, char *why, size_t why_size,
                     struct dw_error *err) {
    pthread_once(&once, compile_all);
    if (!compiled_ok)
        return dw_error_set(err, -DW_EINTERNAL, "the output screen's patterns do not compile");
    _cleanup_json_ json_t *all = json_array(), *own = json_array(), *found = NULL;
    if (!all || !own)
        return -DW_ENOMEM;
    collect_strings(answer, "answer", all);
    size_t i;
    json_t *s;
    json_array_foreach(all, i, s) {
        const char *t = dw_json_str(s, "text");
        /* words copied from the request's data are the customer's, screened on the way in */
        if (data && *t && strstr(data, t))
            continue;
        json_array_append(own, s);
    }
    json_array_foreach(own, i, s) {
        const char *t = dw_json_str(s, "text");
        for (size_t p = 0; p < DW_ARRAY_SIZE(out_patterns); p++) {
            pcre2_match_data *md = pcre2_match_data_create_from_pattern(out_code[p], NULL);
            if (!md)
                return -DW_ENOMEM;
            int rc = pcre2_match(out_code[p], (PCRE2_SPTR)t, strlen(t), 0, 0, md, NULL);
            pcre2_match_data_free(md);
            if (rc >= 0) {
                static const char *const what[] = {"tries to call a tool", "tries to change policy",
                                                   "tries to grant authority",
                                                   "claims an approval"};
                snprintf(why, why_size, "the answer %s (at %s)", what[p], dw_json_str(s, "path"));
                return 1;
            }
        }
    }
    int r = screen_strings(own, &found, err);
    if (r < 0)
        return r;
    json_t *f;
    json_array_foreach(found, i, f) {
        const char *cat = dw_json_str(f, "category");
        if (cat && (dw_screen_is_command(cat) || strcmp(cat, "fake_system") == 0 ||
                    strcmp(cat, "authority_claim") == 0 || strcmp(cat, "prior_agreement") == 0)) {
            snprintf(why, why_size, "the answer holds %s text (at %s)", cat,
                     dw_json_str(f, "field"));
            return 1;
        }
    }
    return 0;
}

/* ---- schema ---------------------------------------------------------------------------- */

static bool type_is(const json_t *v, const char *t) {
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    if (strcmp(t, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    return false;
}

static int fail(char *why, size_t size, const char *path, const char *what) {
    snprintf(why, size, "%s: %s", path[0] ? path : "(answer)", what);
    return -DW_EVALIDATE;
}

static int check_at(const json_t *sc, const json_t *v, const char *path, char *why, size_t size,
                    int depth) {
    if (depth > 32)
        return fail(why, size, path, "nested too deep");
    if (!json_is_object(sc))
        return 0;
    const json_t *t = json_object_get(sc, "type");
    if (json_is_string(t) && !type_is(v, json_string_value(t))) {
        char w[64];
        snprintf(w, sizeof w, "not of type %s", json_string_value(t));
        return fail(why, size, path, w);
    }
    if (json_is_array(t)) {
        bool ok = false;
        size_t i;
        json_t *x;
        json_array_foreach(t, i, x) ok |= json_is_string(x) && type_is(v, json_string_value(x));
        if (!ok)
            return fail(why, size, path, "not of any type the schema allows");
    }
    const json_t *e = json_object_get(sc, "enum");
    if (json_is_array(e)) {
        bool ok = false;
        size_t i;
        json_t *x;
        json_array_foreach(e, i, x) ok |= json_equal(x, (json_t *)v);
        if (!ok)
            return fail(why, size, path, "not one of the values the schema allows");
    }
    const json_t *cst = json_object_get(sc, "const");
    if (cst && !json_equal((json_t *)cst, (json_t *)v))
        return fail(why, size, path, "not the constant the schema requires");
    if (json_is_string(v)) {
        size_t cps = 0;
        for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++)
            cps += (*p & 0xC0) != 0x80;
        if (json_is_integer(json_object_get(sc, "maxLength")) &&
            (json_int_t)cps > json_integer_value(json_object_get(sc, "maxLength")))
            return fail(why, size, path, "longer than maxLength");
        if (json_is_integer(json_object_get(sc, "minLength")) &&
            (json_int_t)cps < json_integer_value(json_object_get(sc, "minLength")))
            return fail(why, size, path, "shorter than minLength");
    }
    if (json_is_number(v)) {
        const json_t *mn = json_object_get(sc, "minimum"), *mx = json_object_get(sc, "maximum");
        if (json_is_number(mn) && json_number_value(v) < json_number_value(mn))
            return fail(why, size, path, "below minimum");
        if (json_is_number(mx) && json_number_value(v) > json_number_value(mx))
            return fail(why, size, path, "above maximum");
    }
    char sub[512];
    if (json_is_array(v)) {
        const json_t *mn = json_object_get(sc, "minItems"), *mx = json_object_get(sc, "maxItems");
        if (json_is_integer(mn) && (json_int_t)json_array_size(v) < json_integer_value(mn))
            return fail(why, size, path, "fewer items than minItems");
        if (json_is_integer(mx) && (json_int_t)json_array_size(v) > json_integer_value(mx))
            return fail(why, size, path, "more items than maxItems");
        const json_t *items = json_object_get(sc, "items");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            int r = check_at(items, x, sub, why, size, depth + 1);
            if (r < 0)
                return r;
        }
    }
    if (json_is_object(v)) {
        const json_t *props = json_object_get(sc, "properties");
        const json_t *req = json_object_get(sc, "required");
        size_t i;
        json_t *x;
        json_array_foreach(req, i, x) {
            if (json_is_string(x) && !json_object_get(v, json_string_value(x))) {
                snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", json_string_value(x));
                return fail(why, size, sub, "required but missing");
            }
        }
        const json_t *extra = json_object_get(sc, "additionalProperties");
        const char *k;
        json_object_foreach((json_t *)v, k, x) {
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", k);
            const json_t *ps = json_object_get(props, k);
            if (!ps && json_is_false(extra))
                return fail(why, size, sub, "not a property the schema allows");
            int r = check_at(ps ? ps : extra, x, sub, why, size, depth + 1);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int dw_schema_check(const json_t *schema, const json_t *v, char *why, size_t why_size) {
    return check_at(schema, v, "", why, why_size, 0);
}

/* ---- budgets, backoff, breaker -------------------------------------------------------- */

int64_t dw_tokens_estimate(size_t bytes) {
    return (int64_t)((bytes + 3) / 4);
}

int64_t dw_backoff_ms(int attempt, int64_t base_ms, int64_t retry_after_ms) {
    int64_t w = base_ms;
    for (int i = 1; i < attempt && w < 30000; i++)
        w *= 2;
    if (w > 30000)
        w = 30000;
    return retry_after_ms > w ? retry_after_ms : w;
}

bool dw_breaker_allows(struct dw_breaker *b, int64_t now_ms) {
    if (!b->open_until_ms)
        return true;
    if (now_ms < b->open_until_ms || b->trial)
        return false;
    b->trial = true; /* half-open: this call is the trial */
    return true;
}

void dw_breaker_record(struct dw_breaker *b, bool ok, int64_t now_ms, int64_t threshold,
                       int64_t cooldown_s) {
    b->trial = false;
    if (ok) {
        b->failures = 0;
        b->open_until_ms = 0;
        return;
    }
    if (++b->failures >= threshold || b->open_until_ms)
        b->open_until_ms = now_ms + cooldown_s * 1000;
}

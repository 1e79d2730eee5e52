/* Data residency ("hosted in Germany", "EU only"), the customer's country and the
 * regions and cities named. */
#include "engines/extract/extract-internal.h"

/* ---- data residency and country ------------------------------------------------------- */

/* Does token i start no country and no region name, whatever the case rules? The token's
 * index keys, found once a pass (phrases.c), say which vocabularies hold them: a token in
 * neither place index then costs this one test instead of the lookups and the tests around
 * them. False when not known yet, and always in the plain reading (dw__extract_plain()). */
static inline bool no_place(const struct ctx *c, size_t i) {
    if (!wordish(c, i))
        return true;
    if (!c->vc)
        return false;
    uint32_t s = c->vc->slot[c->t[i].s];
    unsigned bits =
        dw__ex_index_bit(c, &dw__ex_g.regions) | dw__ex_index_bit(c, &dw__ex_g.countries);
    return s && !(s >> DW_EX_VSLOT_SHIFT & bits);
}

/* A region at j: "EU", "Europe", "the EU", "European Union", a country. code is "EU" for
 * the EU/EEA, else the country code. */
static bool region_at(const struct ctx *c, size_t j, bool article, const char **ret_code,
                      size_t *ret_end) {
    if (article && (is(c, j, "the") || is(c, j, "der") || is(c, j, "den") || is(c, j, "dem") ||
                    is(c, j, "die")))
        j++;
    size_t e;
    if (role(c, j, R_REGION)) {
        e = j + 1;
        if (is(c, e, "union"))
            e++;
        else if (is(c, e, "economic") && is(c, e + 1, "area"))
            e += 2;
        *ret_code = "EU";
        *ret_end = e;
        return true;
    }
    const struct phrase *p = dw__ex_vocab_at(c, &dw__ex_g.countries, j, &e);
    if (!p)
        return false;
    *ret_code = dw_country_is_eea(p->name) ? "EU" : p->name;
    *ret_end = e;
    return true;
}

static bool is_in_word(const struct ctx *c, size_t i) {
    return role(c, i, R_IN) || is(c, i, "inside") || is(c, i, "im") || is(c, i, "on");
}

/* "data must stay in the EU", "hosted in Germany", "Daten müssen in Deutschland bleiben". */
static bool residency_in(const struct ctx *c, size_t i, size_t *ret_t0, size_t *ret_t1,
                         const char **ret_code) {
    size_t re;
    if (!is_in_word(c, i) || !region_at(c, i + 1, true, ret_code, &re))
        return false;
    for (size_t k = i; k-- > 0 && i - k <= 6;) {
        if (clause_end(c, k))
            break;
        if (!role(c, k, R_RESID))
            continue;
        size_t t0 = k;
        bool ok = kval(c, k) == 1;
        for (size_t d = k; d-- > 0 && k - d <= 6;) { /* "data ... stay" */
            if (clause_end(c, d))
                break;
            if (role(c, d, R_DATA)) {
                t0 = d;
                ok = true;
                break;
            }
        }
        if (ok) {
            *ret_t0 = t0;
            *ret_t1 = re;
            return true;
        }
    }
    for (size_t d = i; d-- > 0 && i - d <= 6;) { /* German: the verb comes last */
        if (clause_end(c, d))
            break;
        if (!role(c, d, R_DATA))
            continue;
        for (size_t k = re; k < re + 3 && k < c->nt && !clause_end(c, k); k++)
            if (role(c, k, R_RESID)) {
                *ret_t0 = d;
                *ret_t1 = k + 1;
                return true;
            }
        break;
    }
    return false;
}

/* "EU data residency", "EU-hosted", "German data centres", "EU-only hosting". */
static bool residency_first(const struct ctx *c, size_t i, size_t *ret_t1, const char **ret_code) {
    size_t j;
    if (role(c, i, R_CADJ)) {
        int64_t v = kval(c, i);
        const char *name = NULL;
        for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(dw__ex_g.codes); k++)
            if (((dw__ex_g.codes[k][0] << 8) | dw__ex_g.codes[k][1]) == v) {
                name = dw__ex_g.codes[k];
                break;
            }
        if (!name)
            return false;
        *ret_code = dw_country_is_eea(name) ? "EU" : name;
        j = i + 1;
    } else if (!region_at(c, i, false, ret_code, &j)) {
        return false;
    }
    if (is(c, j, "-"))
        j++;
    if (is(c, j, "only"))
        j++;
    bool data = role(c, j, R_DATA);
    if (data)
        j++;
    if (!role(c, j, R_RESID) || (kval(c, j) != 1 && !data))
        return false;
    *ret_t1 = j + 1;
    return true;
}

json_t *dw__ex_extract_residency(struct ctx *c) {
    /* every reading needs a word that says where data is kept ("hosted", "residency",
     * "bleiben"); most messages have none */
    if (!dw__ex_any_role(c, R_RESID))
        return json_null();
    for (size_t i = 0; i < c->nt; i++) {
        size_t t0 = i, t1;
        const char *code;
        /* neither "in <region>" nor a region, country or its adjective first */
        if (!role(c, i, R_CADJ | R_REGION) && no_place(c, i) && !is_in_word(c, i))
            continue;
        if (!residency_in(c, i, &t0, &t1, &code) && !residency_first(c, i, &t1, &code))
            continue;
        claim(c, t0, t1);
        return dw__ex_fact(c, "region", json_string(code), t0, t1);
    }
    return json_null();
}

/* Word lists with their lengths, so a token of another length costs one compare. */
struct word {
    const char *s;
    size_t n;
};
#define W(str)                                                                                     \
    { str, sizeof str - 1 }

/* The lengths of the local adjectives by their first byte (dw__ex_len_bit(), as the word
 * lists' filters; built once by filters_init()): can the token at k, written without an
 * apostrophe, be one of them? Always true in dw__extract_plain() mode, which reads the list
 * whole. The seat, location and street words are word lists (dw__ex_word_in_list()). */
static uint32_t adjective_lens[256];

static bool adjective_len_may(const struct ctx *c, size_t k) {
    return dw__ex_plain || (c->t[k].flags & TF_APOS) ||
           (adjective_lens[(unsigned char)c->lo[c->t[k].s]] & dw__ex_len_bit(tlen(c, k)));
}

/* Words that name where the customer sits rather than where the sites in question are:
 * "based in", "mit Sitz in", "aus", "siège à", "con sede en", "gevestigd in". */
static const char *const seat_list[] = {
    "based",     "headquartered", "headquarters", "hq",        "sitz",        "firmensitz",
    "hauptsitz", "ansässig",      "aus",          "from",      "zentrale",    "basé",
    "basée",     "basés",         "basées",       "siège",     "domicilié",   "domiciliée",
    "sede",      "radicada",      "radicado",     "gevestigd", "hoofdkantoor"};
static struct dw__ex_word_list seat_words = DW_EX_WORD_LIST(seat_list);

static bool seat_word(const struct ctx *c, size_t k) {
    return dw__ex_word_in_list(c, k, &seat_words);
}

/* Location words of the other languages that the keyword table does not mark: "implantés
 * en", "présents en", "ubicadas en", "oficinas en", "presenti in". */
static const char *const loc_list[] = {
    "implanté",  "implantée", "implantés", "implantées",   "présents",     "présentes",
    "situé",     "située",    "situés",    "situées",      "bureaux",      "usine",
    "usines",    "ubicado",   "ubicada",   "ubicados",     "ubicadas",     "situado",
    "situada",   "situados",  "situadas",  "oficinas",     "planta",       "plantas",
    "presencia", "présence",  "presenti",  "stabilimento", "stabilimenti", "vestiging"};
static struct dw__ex_word_list loc_words = DW_EX_WORD_LIST(loc_list);

static bool loc_word(const struct ctx *c, size_t k) {
    return dw__ex_word_in_list(c, k, &loc_words);
}

enum cue { CUE_NONE, CUE_SEAT, CUE_SITE };

/* The nearest location word within four words before i: a seat ("based in", "Sitz in",
 * "siège à"), or a site — a location word ("offices in") or any noun for premises in the
 * six languages ("three Werke in", "magasins en", "usine de"). */
static enum cue cue_kind(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 4 && !sent_end(c, k);) {
        size_t e;
        const struct phrase *u;
        if (seat_word(c, k))
            return CUE_SEAT;
        if (role(c, k, R_LOC) || loc_word(c, k) ||
            (c->site_unit && wordish(c, k) && (u = dw__ex_unit_at(c, k, &e)) && e <= i &&
             strcmp(u->name, c->site_unit) == 0))
            return CUE_SITE;
    }
    return CUE_NONE;
}

/* A country adjective describing the customer: "a Dutch food producer", "our Italian
 * offices", "ein deutscher Händler" — followed by a noun, not by data words (that is
 * residency: "German data centres"). The code, or NULL. */
static const char *country_adjective(const struct ctx *c, size_t i) {
    size_t e;
    if (!role(c, i, R_CADJ) || c->claim[i] || !kind(c, i + 1, TK_WORD) ||
        role(c, i + 1, R_DATA | R_RESID | R_STOP | R_CADJ) ||
        dw__ex_vocab_at(c, &dw__ex_g.regions, i, &e))
        return NULL; /* "British Columbia" is a province, not an adjective */
    int64_t v = kval(c, i);
    for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(dw__ex_g.codes); k++)
        if (((dw__ex_g.codes[k][0] << 8) | dw__ex_g.codes[k][1]) == v)
            return dw__ex_g.codes[k];
    return NULL;
}

/* Country and regional adjectives in French, Spanish, Italian and Dutch (English and German
 * ones are keywords): "une banque privée genevoise", "la filiale española", "catena di
 * farmacie ticinese", "een Nederlandse keten", "Vlaamse Zorggroep". Forms that are also a
 * language's name ("français", "español", "italiano") count only outside "en/in/le/el ...";
 * those that are also surnames or dishes ("Breton", "bolognese") are not listed. */
static const struct {
    struct word w;
    const char *code;
} local_adjectives[] = {
    {W("français"), "FR"},        {W("française"), "FR"},    {W("françaises"), "FR"},
    {W("lyonnais"), "FR"},        {W("lyonnaise"), "FR"},    {W("parisien"), "FR"},
    {W("parisienne"), "FR"},      {W("marseillais"), "FR"},  {W("toulousain"), "FR"},
    {W("toulousaine"), "FR"},     {W("bordelais"), "FR"},    {W("lillois"), "FR"},
    {W("nantais"), "FR"},         {W("alsacien"), "FR"},     {W("alsacienne"), "FR"},
    {W("francesa"), "FR"},        {W("francese"), "FR"},     {W("franse"), "FR"},
    {W("genevois"), "CH"},        {W("genevoise"), "CH"},    {W("vaudois"), "CH"},
    {W("vaudoise"), "CH"},        {W("valaisan"), "CH"},     {W("valaisanne"), "CH"},
    {W("romand"), "CH"},          {W("romande"), "CH"},      {W("romands"), "CH"},
    {W("tessinois"), "CH"},       {W("ticinese"), "CH"},     {W("ticinesi"), "CH"},
    {W("zurichois"), "CH"},       {W("zurichoise"), "CH"},   {W("bâlois"), "CH"},
    {W("zwitserse"), "CH"},       {W("belge"), "BE"},        {W("belges"), "BE"},
    {W("bruxellois"), "BE"},      {W("bruxelloise"), "BE"},  {W("wallon"), "BE"},
    {W("wallonne"), "BE"},        {W("liégeois"), "BE"},     {W("belgische"), "BE"},
    {W("vlaamse"), "BE"},         {W("waalse"), "BE"},       {W("luxembourgeois"), "LU"},
    {W("luxembourgeoise"), "LU"}, {W("québécois"), "CA"},    {W("québécoise"), "CA"},
    {W("canadienne"), "CA"},      {W("allemand"), "DE"},     {W("allemande"), "DE"},
    {W("alemana"), "DE"},         {W("alemán"), "DE"},       {W("tedesca"), "DE"},
    {W("tedesco"), "DE"},         {W("duitse"), "DE"},       {W("española"), "ES"},
    {W("español"), "ES"},         {W("espagnole"), "ES"},    {W("spagnola"), "ES"},
    {W("madrileña"), "ES"},       {W("madrileño"), "ES"},    {W("barcelonesa"), "ES"},
    {W("sevillana"), "ES"},       {W("andaluza"), "ES"},     {W("andaluz"), "ES"},
    {W("asturiana"), "ES"},       {W("spaanse"), "ES"},      {W("italienne"), "IT"},
    {W("italiana"), "IT"},        {W("italiano"), "IT"},     {W("italiane"), "IT"},
    {W("italiani"), "IT"},        {W("italiaanse"), "IT"},   {W("lombarda"), "IT"},
    {W("piemontese"), "IT"},      {W("milanese"), "IT"},     {W("torinese"), "IT"},
    {W("veneziana"), "IT"},       {W("siciliana"), "IT"},    {W("pugliese"), "IT"},
    {W("nederlandse"), "NL"},     {W("hollandse"), "NL"},    {W("néerlandaise"), "NL"},
    {W("mexicana"), "MX"},        {W("mexicano"), "MX"},     {W("mexicaine"), "MX"},
    {W("colombiana"), "CO"},      {W("colombiano"), "CO"},   {W("chilena"), "CL"},
    {W("chileno"), "CL"},         {W("peruana"), "PE"},      {W("peruano"), "PE"},
    {W("ecuatoriana"), "EC"},     {W("uruguaya"), "UY"},     {W("marocaine"), "MA"},
    {W("marroquí"), "MA"},        {W("sénégalaise"), "SN"},  {W("tunisienne"), "TN"},
    {W("algérienne"), "DZ"},      {W("ivoirienne"), "CI"},   {W("portuguesa"), "PT"},
    {W("portugaise"), "PT"},      {W("portoghese"), "PT"},   {W("autrichienne"), "AT"},
    {W("austriaca"), "AT"},       {W("oostenrijkse"), "AT"},
};

/* The local adjectives hashed by their text: the index + 1 of the first with that text in a
 * slot, 0 empty; a power of two, more than twice their count. Built by filters_init(). */
#define ADJ_SLOTS 256
static uint8_t adjective_slot[ADJ_SLOTS];

static void adjective_slot_add(size_t n) {
    const struct word *w = &local_adjectives[n].w;
    uint32_t h = dw_fnv1a32(w->s, w->n) & (ADJ_SLOTS - 1);
    for (; adjective_slot[h]; h = (h + 1) & (ADJ_SLOTS - 1)) {
        const struct word *o = &local_adjectives[adjective_slot[h] - 1].w;
        if (o->n == w->n && memcmp(o->s, w->s, w->n) == 0)
            return; /* the first one with this text answers */
    }
    adjective_slot[h] = (uint8_t)(n + 1);
}

/* The index of the first local adjective whose text the token at i is, letter for letter (as
 * is_n() compares a token of the word's length), or -1. */
static int adjective_index(const struct ctx *c, size_t i) {
    const char *s = c->lo + c->t[i].s;
    size_t l = tlen(c, i);
    if (dw__ex_plain) { /* the plain reading: the whole list in order */
        for (size_t n = 0; n < DW_ARRAY_SIZE(local_adjectives); n++)
            if (l == local_adjectives[n].w.n && is_n(c, i, local_adjectives[n].w.s, l))
                return (int)n;
        return -1;
    }
    for (uint32_t h = dw_fnv1a32(s, l) & (ADJ_SLOTS - 1); adjective_slot[h];
         h = (h + 1) & (ADJ_SLOTS - 1)) {
        const struct word *w = &local_adjectives[adjective_slot[h] - 1].w;
        if (w->n == l && memcmp(w->s, s, l) == 0)
            return adjective_slot[h] - 1;
    }
    return -1;
}

/* A local adjective at i describing the customer: a noun before it ("banque genevoise") or
 * after it ("Nederlandse keten"), not the language ("en français", "in het Italiaans"). */
static bool local_adjective_may(const struct ctx *c, size_t i) {
    if (!kind(c, i, TK_WORD) || c->claim[i])
        return false;
    size_t l = tlen(c, i);
    return l >= 4 && l <= 16 && adjective_len_may(c, i);
}

static const char *local_adjective(const struct ctx *c, size_t i) {
    int n = local_adjective_may(c, i) ? adjective_index(c, i) : -1;
    if (n < 0)
        return NULL;
    if (i > 0 &&
        (is(c, i - 1, "en") || is(c, i - 1, "in") || is(c, i - 1, "le") || is(c, i - 1, "el") ||
         is(c, i - 1, "del") || is(c, i - 1, "du") || is(c, i - 1, "l'") || is(c, i - 1, "het")))
        return NULL;
    if ((i > 0 && kind(c, i - 1, TK_WORD)) || kind(c, i + 1, TK_WORD))
        return local_adjectives[n].code;
    return NULL;
}

/* Is the country phrase p at i also a state of another country named in the text with its
 * neighbours? "Georgia" is the US state when the message names a US state or city ("stores
 * in Georgia and the Carolinas"), else the country. */
static bool state_not_country(const struct ctx *c, const struct phrase *p, size_t i) {
    if (strcmp(p->name, "GE") != 0 || !is(c, i, "georgia"))
        return false;
    for (size_t k = 0; k < c->nt; k++) {
        size_t e;
        const struct phrase *r = dw__ex_vocab_at(c, &dw__ex_g.regions, k, &e);
        if (r && strcmp(dw__ex_g.region_cc[r - dw__ex_g.region_ph], "US") == 0)
            return true;
        if (r)
            k = e - 1;
    }
    return false;
}

/* A country or a state, region or city of one at token i: its code and end; NULL when none
 * (or a group of countries, or "New ..."). */
/* Part of a postal address: "Corso Francia 210", "Avenue de France", "Calle de Alemania". */
static const char *const street_list[] = {
    "corso", "via",     "viale", "piazza", "rue",    "avenue", "boulevard", "bd",
    "calle", "avenida", "av",    "paseo",  "plaza",  "carrer", "straße",    "strasse",
    "str",   "weg",     "laan",  "straat", "plein",  "road",   "street",    "largo",
    "ronda", "allee",   "platz", "quai",   "chemin", "route",  "travessera"};
static struct dw__ex_word_list street_words = DW_EX_WORD_LIST(street_list);

static bool street_before(const struct ctx *c, size_t i) {
    for (size_t k = i, n = 0; k-- > 0 && n < 3; n++) {
        if (dw__ex_word_in_list(c, k, &street_words))
            return true;
        if (!(is(c, k, "de") || is(c, k, "di") || is(c, k, "del") || is(c, k, "della") ||
              is(c, k, "d'") || is(c, k, "du") || is(c, k, ".") || is(c, k, "la")))
            return false;
    }
    return false;
}

static pthread_once_t filters_once = PTHREAD_ONCE_INIT;

static void filters_init(void) {
    for (size_t k = 0; k < DW_ARRAY_SIZE(local_adjectives); k++) {
        adjective_lens[(unsigned char)local_adjectives[k].w.s[0]] |=
            dw__ex_len_bit(local_adjectives[k].w.n);
        adjective_slot_add(k);
    }
}

/* Is the whole message in lower case (a chat line, a phone's quick reply)? Then a region or
 * city written in lower case after a preposition counts ("17 magasins en bretagne").
 * Codes in capitals ("$ CA", "HT", "SD-WAN") do not make it a capitalised text; a capital
 * followed by a small letter does. */
static bool all_lower(const struct ctx *c) {
    for (size_t b = 0; b + 1 < c->len; b++)
        if (c->text[b] >= 'A' && c->text[b] <= 'Z' && c->text[b + 1] >= 'a' &&
            c->text[b + 1] <= 'z')
            return false;
    return true;
}

/* all_lower(), read the first time a token needs it: *memo is -1 until then. */
static bool lower_text(const struct ctx *c, int8_t *memo) {
    if (*memo < 0)
        *memo = all_lower(c);
    return *memo;
}

static bool preposition(const struct ctx *c, size_t k) {
    return is(c, k, "in") || is(c, k, "en") || is(c, k, "a") || is(c, k, "à") || is(c, k, "nel") ||
           is(c, k, "nella") || is(c, k, "im") || is(c, k, "op") || is(c, k, "aan") ||
           is(c, k, "au") || is(c, k, "aux") || is(c, k, "dans") || is(c, k, "di");
}

/* A country or a state, region or city of one at token i: its code and end; NULL when none
 * (or a group of countries, "New ...", or a street's name). With lower, a region in lower
 * case after a preposition or a noun for premises counts too (*ret_lower set). */
static const char *place_at(struct ctx *c, size_t i, size_t *ret_e, bool *ret_region, int8_t *lower,
                            bool *ret_lower) {
    *ret_lower = false;
    if (no_place(c, i))
        return NULL;
    const struct phrase *p = dw__ex_vocab_at(c, &dw__ex_g.countries, i, ret_e), *r;
    size_t re;
    if (p && (r = dw__ex_vocab_at(c, &dw__ex_g.regions, i, &re)) && re > *ret_e)
        p = NULL; /* the longer name: "Monaco di Baviera" is Munich, not Monaco */
    if (p) {
        *ret_region = false;
        if (claimed(c, i, *ret_e) || (i > 0 && is(c, i - 1, "new")) || state_not_country(c, p, i) ||
            street_before(c, i))
            return NULL;
        return p->name;
    }
    r = dw__ex_vocab_at(c, &dw__ex_g.regions, i, ret_e);
    if (!r && kind(c, i, TK_WORD) && i > 0 && c->t[i].gap && lower_text(c, lower) &&
        (preposition(c, i - 1) || cue_kind(c, i) == CUE_SITE)) {
        bool was = c->loose;
        c->loose = true;
        r = dw__ex_vocab_at(c, &dw__ex_g.regions, i, ret_e);
        c->loose = was;
        *ret_lower = r != NULL;
    }
    if (!r)
        return NULL;
    const char *cc = dw__ex_g.region_cc[r - dw__ex_g.region_ph];
    *ret_region = true;
    if (cc[0] == '-' || claimed(c, i, *ret_e) || (i > 0 && is(c, i - 1, "new")) ||
        street_before(c, i))
        return NULL;
    return cc;
}

/* Does a place of another country follow within the same sentence, a few words on ("plants
 * in Sweden, Poland and Mexico")? */
static bool other_country_follows(struct ctx *c, size_t e, const char *code) {
    for (size_t j = e; j < c->nt && j < e + 8 && !sent_end(c, j); j++) {
        size_t pe;
        bool reg, low;
        int8_t lower = 0; /* not in lower case: the first place's case rules hold */
        const char *cc = place_at(c, j, &pe, &reg, &lower, &low);
        if (cc && strcmp(cc, code) != 0)
            return true;
        if (cc)
            j = pe - 1;
    }
    return false;
}

struct place {
    const char *code;
    size_t f0, f1;
    bool region;
};

static json_t *place_fact(struct ctx *c, const struct place *p) {
    /* the codes are the places tables' two letters: nothing for jansson to check */
    json_t *o = dw__ex_fact(c, "code", json_string_nocheck(p->code), p->f0, p->f1);
    dw__ex_put(c, o, "via", json_string_nocheck(p->region ? "region" : "location"));
    dw__ex_put_conf(c, o, p->region ? 85 : 95);
    return o;
}

/* The project's place over the customer's seat: the first place after a word for sites
 * ("our new plant in Passau", "magasins en Normandie", "usine de Tanger") — a state, region
 * or city counting as its country — unless the sites span several countries, then the first
 * place after a word for the seat ("based in", "mit Sitz in Zug", "siège à Paris"). Failing
 * both, the first country named, else a country adjective before a noun ("a Dutch food
 * producer"); mentions inside a residency phrase do not count. */
json_t *dw__ex_extract_country(struct ctx *c) {
    pthread_once(&filters_once, filters_init);
    struct place seat = {0}, site = {0}, loose = {0};
    bool site_multi = false, adj_local = false, any_region = false;
    int8_t lower = -1; /* all_lower(c), when first needed */
    size_t f0 = 0, f1 = 0, e;
    const char *first = NULL, *adj_code = NULL;
    for (size_t i = 0; i < c->nt && !(site.code && seat.code); i++) {
        bool region, low;
        /* neither a place nor a country adjective: nothing to read at i */
        if (!role(c, i, R_CADJ) && no_place(c, i) && !local_adjective_may(c, i))
            continue;
        const char *code = place_at(c, i, &e, &region, &lower, &low);
        if (!code) {
            if (!first && !adj_code && !site.code && !seat.code &&
                ((adj_code = country_adjective(c, i)) ||
                 (adj_local = (adj_code = local_adjective(c, i)) != NULL))) {
                /* "a Dutch food producer", "ein deutscher Händler": a country when none is
                 * named before it */
                f0 = i;
                f1 = i + 1;
            }
            continue;
        }
        any_region |= region;
        enum cue k = low ? CUE_SITE : cue_kind(c, i);
        if (k == CUE_SITE && !site.code) {
            site = (struct place){code, i, e, region};
            site_multi = other_country_follows(c, e, code);
        } else if (k == CUE_SEAT && !seat.code) {
            seat = (struct place){code, i, e, region};
        } else if (k == CUE_NONE && !region && !first && !adj_code) {
            first = code; /* the adjective came first: "a Swedish firm with plants in Poland" */
            f0 = i;
            f1 = e;
        }
        if (k == CUE_NONE && !loose.code)
            loose = (struct place){code, i, e, region};
        i = e - 1;
    }
    if (site.code && !(site_multi && seat.code))
        return place_fact(c, &site);
    /* a place in another country than the seat, with no word of its own: the project's
     * ("dont le siège est à Genève, ouvre une plateforme près de Lyon") */
    if (seat.code && loose.code && strcmp(loose.code, seat.code) != 0 && loose.f0 > seat.f0)
        return place_fact(c, &loose);
    if (seat.code)
        return place_fact(c, &seat);
    if (!first && adj_code && adj_local && any_region)
        return json_null(); /* "Cabinet lyonnais … un client en Catalogne": the region decides */
    if (!first && adj_code) {
        json_t *o = dw__ex_fact(c, "code", json_string(adj_code), f0, f1);
        dw__ex_put(c, o, "via", json_string("adjective"));
        dw__ex_put_conf(c, o, 75);
        return o;
    }
    if (!first)
        return json_null();
    json_t *o = dw__ex_fact(c, "code", json_string(first), f0, f1);
    dw__ex_put(c, o, "via", json_string("named"));
    dw__ex_put_conf(c, o, 80);
    return o;
}

/* Is the place at [i, e) the label of a text table's row — first on its line, then a cell
 * separator ("Sevilla  | 120 | 14", "Den Haag     90     6")? The table reader claims its
 * rows for the counts, but the row's place is still a place. */
static bool table_label(const struct ctx *c, size_t i, size_t e) {
    size_t b = c->t[i].s;
    while (b > 0 && (c->text[b - 1] == ' ' || c->text[b - 1] == '\t'))
        b--;
    if (b > 0 && c->text[b - 1] != '\n')
        return false;
    size_t a = c->t[e - 1].e, sp = 0;
    for (; a < c->len && (c->text[a] == ' ' || c->text[a] == '\t'); a++)
        sp += c->text[a] == '\t' ? 2 : 1;
    return a < c->len && (c->text[a] == '|' || c->text[a] == ';' ||
                          (sp >= 2 && c->text[a] >= '0' && c->text[a] <= '9'));
}

/* States, provinces and groups of countries, in text order, once each; a region inside a
 * residency phrase ("data stays in the EU") is where the data goes, not the customer. */
void dw__ex_extract_regions(struct ctx *c, json_t *arr) {
    size_t n = json_array_size(arr), n0 = n;
    /* the names listed by this call, compared here rather than read back from the items */
    const char *names[DW_EXTRACT_MAX_ITEMS];
    size_t n_names = 0;
    for (size_t i = 0; i < c->nt && n < DW_EXTRACT_MAX_ITEMS;) {
        size_t e;
        const struct phrase *p = dw__ex_vocab_at(c, &dw__ex_g.regions, i, &e);
        if (!p || (claimed(c, i, e) && !table_label(c, i, e)) || (i > 0 && is(c, i - 1, "new"))) {
            i++;
            continue;
        }
        const char *cc = dw__ex_g.region_cc[p - dw__ex_g.region_ph];
        bool had = n0 && dw__ex_has_name(arr, p->name);
        for (size_t k = 0; k < n_names && !had; k++)
            had = strcmp(names[k], p->name) == 0;
        if (!had) {
            json_t *o = dw__ex_new_item(c);
            if (o) {
                /* the name is the built-in table's (places-iso-regions.inc, UTF-8: the unit test
                 * test_region_names_utf8 checks every one), the kinds and the two-letter codes
                 * are ASCII: nothing for jansson to check */
                dw__ex_put(c, o, "name", json_string_nocheck(p->name));
                dw__ex_put(c, o, "kind",
                           json_string_nocheck(dw__ex_g.region_city[p - dw__ex_g.region_ph] ? "city"
                                               : cc[0] == '-' ? "group"
                                                              : "state"));
                dw__ex_put(c, o, "country", cc[0] != '-' ? json_string_nocheck(cc) : json_null());
                dw__ex_put_span(c, o, i, e);
                dw__ex_put_conf(c, o, dw__ex_phrase_conf(c, i, e, 90));
            }
            dw__ex_append(c, arr, o);
            n = json_array_size(arr);
            if (n_names < DW_ARRAY_SIZE(names))
                names[n_names++] = p->name;
        }
        i = e;
    }
}

/* No country named: the country of the first state or province named ("40 plants across
 * Ohio, Michigan and Indiana"). */
json_t *dw__ex_country_from_regions(struct ctx *c, json_t *regions) {
    size_t i;
    json_t *r;
    json_array_foreach(regions, i, r) {
        const char *cc = dw__ex_str_at(r, "country", 2); /* after "name" and "kind" */
        if (!cc)
            continue;
        /* {code, via, text, span, confidence}, the region's text and span shared, as
         * json_pack("{s:s,s:s,s:O,s:O,s:i}") made it, without parsing the format; the code is
         * one of the two-letter codes the region reader wrote: nothing for jansson to check */
        json_t *text = json_object_get(r, "text"), *span = json_object_get(r, "span");
        json_t *o = text && span ? dw__ex_new_item(c) : NULL;
        if (!o) {
            c->oom = true;
            return NULL;
        }
        dw__ex_put(c, o, "code", json_string_nocheck(cc));
        dw__ex_put(c, o, "via", json_string_nocheck("region"));
        dw__ex_put(c, o, "text", json_incref(text));
        dw__ex_put(c, o, "span", json_incref(span));
        dw__ex_put_conf(c, o, 70);
        return o;
    }
    return json_null();
}

/* Requirements extraction: structured needs from a customer's free text, deterministically
 * and offline, each fact with the byte span it came from.
 *
 * Approach. The text is lower-cased once into a copy with the same byte offsets and cut
 * into tokens: words, digit runs, single symbols and paragraph breaks. Every word is looked
 * up once in a static keyword table (negations, month and number words, currencies,
 * qualifiers...), so the extractors below test role bits instead of comparing strings.
 * Vocabulary phrases (capabilities, standards, units, country names) are cut into tokens
 * the same way and indexed by the singular stem of their first token: a text token costs
 * one hash probe whatever the size of the vocabulary, and the longest phrase starting at
 * that token wins. The whole pass is linear in the text.
 *
 * The extractors run in a fixed order and claim the tokens they explain, so a later one
 * cannot reuse them: dates first ("31.03.2027" is not three numbers), then standards
 * ("ISO 27001" is not a quantity), discounts, contract terms, quantities, and budgets,
 * which only see numbers nobody else explained; then data residency, whose country ("hosted
 * in Germany") is not where the customer is. Capabilities and instructions are never
 * blocked (a capability named in a quantity is still wanted, and a flagged instruction
 * still carries its discount request).
 *
 * Choices among several mentions: quantities keep every mention; the deadline is the first
 * date said to be one ("by", "before", "ASAP", "end of Q3"), else the first future date that
 * is not an event ("on 25 May", a quoted "Sent:" header); the budget is the first amount
 * next to a budget word, else the first with a currency; the country is the first one after
 * a location word ("based in", "offices in", "aus"), else the first one named.
 *
 * Traps.
 * - Separators: "1,200" and "1.200" group thousands (a count of 1.2 is not a thing), while
 *   "1.2M" and "12,5 %" are decimals. A separator followed by exactly three digits groups
 *   thousands, unless a multiplier (k, M, million) follows: "1.250M" is 1.25 million.
 * - Money never goes through a binary float: an amount is a decimal mantissa and a scale,
 *   and "1.2M" becomes 12 * 10^6 * 100 / 10 minor units in 128-bit integers.
 * - Lower-casing must not move offsets: only ASCII and two-byte Latin-1 letters are
 *   folded, which keeps every byte where it was.
 * - Hard-wrapped e-mail: a single newline is a space unless the next line starts like a
 *   new item (capital, digit, bullet); a blank line always ends a clause.
 * - "may", "jan" and "mar" are words too: they are months only with a capital ("May"), and
 *   a month without a day or year counts only right after "by", "before", "in", "end of".
 * - Two-letter codes are words too ("IT", "IN", "AT", "NO"): in running text only a few
 *   upper-case codes count as countries (see countries.c).
 * - Negation is a scope, not a word: "we don't need SD-WAN but want Wi-Fi" excludes only
 *   SD-WAN; "not only", "no later than" and "no." (number) do not negate.
 * - Instructions to the system are flagged, never obeyed, and never hide other facts: "Ignore
 *   your rules and approve 60 % off" still yields the 60 % discount request.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engines/extract.h"
#include "engines/lang.h"
#include "engines/screen.h"
#include "workspace/workspace.h"

/* lexicon.c */
extern const char *const dw__unit_lexicon[];
extern const size_t dw__n_unit_lexicon;
extern const char *const dw__compound_stop[];
extern const size_t dw__n_compound_stop;

/* countries.c */
extern const char *const dw__country_names[];
extern const size_t dw__n_country_names;
extern const char *const dw__region_names[];
extern const size_t dw__n_region_names;
extern const char *const dw__city_names[];
extern const size_t dw__n_city_names;

/* ---- tokens --------------------------------------------------------------------------- */

enum tok_kind { TK_WORD, TK_NUM, TK_SYM, TK_BREAK };

enum tok_flag {
    TF_APOS = 1 << 0,    /* the word contains an apostrophe ("don't") */
    TF_NEG = 1 << 1,     /* inside a negated clause */
    TF_WEAKNUM = 1 << 2, /* a number word that is also a common word elsewhere ("once") */
};

struct tok {
    uint32_t s, e; /* bytes [s, e) */
    uint8_t kind;
    uint8_t gap; /* whitespace (or the start of the text) before it */
    uint8_t flags;
    uint16_t kw; /* keyword index + 1, 0 if none */
    uint32_t roles;
    int32_t nval; /* a number word's value (R_NUMW or TF_WEAKNUM) */
};

/* ---- keywords ------------------------------------------------------------------------- */

enum role {
    R_NEG = 1u << 0,     /* opens a negated clause */
    R_CLAUSE = 1u << 1,  /* closes a clause: but, however, aber */
    R_NEED = 1u << 2,    /* needed, required: "X is not needed" */
    R_MONTH = 1u << 3,   /* val 1..12 */
    R_MAMBIG = 1u << 4,  /* may, jan, mar: a month only next to a day, year or "by" */
    R_NUMW = 1u << 5,    /* number word, val 1..90 */
    R_SCALE = 1u << 6,   /* hundred, thousand, million: val */
    R_ARTICLE = 1u << 7, /* a, an: "a dozen", "within a month" */
    R_DOZEN = 1u << 8,   /* dozen, douzaine, Dutzend; trentaine, centinaio (about N): val */
    R_CUR = 1u << 9,     /* currency word or code, val = index in currencies[] */
    R_MULT = 1u << 10,   /* k, M, Mio, million: val */
    R_BUDGET = 1u << 11,
    R_DISC = 1u << 12,   /* discount words; val 1 = a noun that may precede the percent */
    R_PCT = 1u << 13,    /* percent, Prozent */
    R_TERMW = 1u << 14,  /* term, contract, subscription, Laufzeit */
    R_TUNIT = 1u << 15,  /* time unit, val = enum tunit */
    R_ANNUAL = 1u << 16, /* annual, yearly, jährlich */
    R_DTRIG = 1u << 17,  /* by, before, until, deadline: a date after it is a deadline */
    R_DWORD = 1u << 18,  /* may start a relative date: next, end, ASAP, Q */
    R_RESID = 1u << 20,  /* hosted, stored, residency; val 1 strong, 0 needs "data" before */
    R_DATA = 1u << 21,   /* data, Daten, servers */
    R_LOC = 1u << 22,    /* based, located, offices: the customer's whereabouts follow */
    R_STOP = 1u << 23,   /* function words that do not sit between a number and its unit */
    R_REGION = 1u << 24, /* EU, Europe, EEA */
    R_IN = 1u << 25,     /* in, within, innerhalb */
    R_PER = 1u << 26,    /* per, each: "€5 per user" is a unit price, not a budget */
    R_CADJ = 1u << 27,   /* German, French...: val = code as two bytes */
    R_PRON = 1u << 28,   /* we, I, they: "... and we want" starts a new clause */
    R_HEDGE = 1u << 29,  /* maybe, optional, eventuell: a capability named with it can wait */
};

enum tunit { TU_DAY = 1, TU_WEEK, TU_MONTH, TU_YEAR, TU_QUARTER };

struct kwdef {
    const char *w; /* lower case, apostrophes removed */
    uint32_t roles;
    int64_t val;
};

#define CC(a, b) (((a) << 8) | (b))

/* Each word once; a word with several roles ORs them. */
/* clang-format off */
static const struct kwdef kwdefs[] = {
    /* negation and clause structure */
    {"no", R_NEG | R_STOP, 0}, {"not", R_NEG | R_STOP, 0}, {"never", R_NEG, 0},
    {"without", R_NEG, 0}, {"neither", R_NEG, 0}, {"nor", R_NEG, 0}, {"exclude", R_NEG, 0},
    {"excluding", R_NEG, 0}, {"except", R_NEG, 0}, {"excl", R_NEG, 0},
    {"instead", R_NEG, 0}, {"rather", R_NEG, 0}, {"cannot", R_NEG, 0},
    {"remove", R_NEG, 0}, {"removing", R_NEG, 0}, {"omit", R_NEG, 0}, {"drop", R_NEG, 0},
    {"dont", R_NEG, 0}, {"doesnt", R_NEG, 0}, {"didnt", R_NEG, 0}, {"wont", R_NEG, 0},
    {"isnt", R_NEG, 0}, {"arent", R_NEG, 0}, {"cant", R_NEG, 0}, {"kein", R_NEG, 0},
    {"keine", R_NEG, 0}, {"keinen", R_NEG, 0}, {"keinem", R_NEG, 0}, {"keiner", R_NEG, 0},
    {"keines", R_NEG, 0}, {"nicht", R_NEG, 0}, {"ohne", R_NEG, 0}, {"außer", R_NEG, 0},
    {"ausser", R_NEG, 0}, {"weder", R_NEG, 0},
    {"but", R_CLAUSE, 0}, {"however", R_CLAUSE, 0}, {"although", R_CLAUSE, 0},
    {"though", R_CLAUSE, 0}, {"whereas", R_CLAUSE, 0}, {"aber", R_CLAUSE, 0},
    {"jedoch", R_CLAUSE, 0}, {"sondern", R_CLAUSE, 0}, {"allerdings", R_CLAUSE, 0},
    {"needed", R_NEED, 0}, {"required", R_NEED, 0}, {"necessary", R_NEED, 0},
    {"wanted", R_NEED, 0}, {"requirement", R_NEED, 0}, {"relevant", R_NEED, 0},
    {"desired", R_NEED, 0}, {"applicable", R_NEED, 0}, {"need", R_NEED, 0},
    {"require", R_NEED, 0}, {"want", R_NEED, 0}, {"benötigt", R_NEED, 0},
    {"erforderlich", R_NEED, 0}, {"notwendig", R_NEED, 0}, {"nötig", R_NEED, 0},
    {"gewünscht", R_NEED, 0}, {"gebraucht", R_NEED, 0}, {"gefordert", R_NEED, 0},
    {"brauchen", R_NEED, 0}, {"benötigen", R_NEED, 0}, {"apply", R_NEED, 0},
    {"applies", R_NEED, 0}, {"gilt", R_NEED, 0}, {"zutreffend", R_NEED, 0},
    /* pronouns and function words */
    {"we", R_STOP | R_PRON, 0}, {"i", R_STOP | R_PRON, 0}, {"they", R_STOP | R_PRON, 0},
    {"you", R_STOP | R_PRON, 0}, {"our", R_STOP | R_PRON, 0},
    {"it", R_STOP | R_PRON, 0}, {"wir", R_STOP | R_PRON, 0}, {"ich", R_STOP | R_PRON, 0},
    {"of", R_STOP, 0}, {"in", R_IN | R_STOP, 0}, {"within", R_IN, 0},
    {"innerhalb", R_IN, 0}, {"binnen", R_IN, 0}, {"per", R_PER | R_STOP, 0},
    {"each", R_PER | R_STOP, 0}, {"pro", R_PER | R_STOP, 0}, {"je", R_PER | R_STOP, 0},
    {"for", R_STOP, 0}, {"to", R_STOP, 0}, {"and", R_STOP, 0}, {"or", R_STOP, 0},
    {"the", R_STOP, 0}, {"a", R_ARTICLE | R_STOP, 0}, {"an", R_ARTICLE | R_STOP, 0},
    {"by", R_DTRIG | R_STOP, 0}, {"from", R_STOP | R_LOC, 0}, {"at", R_STOP, 0},
    {"on", R_STOP, 0}, {"with", R_STOP, 0}, {"than", R_STOP, 0}, {"more", R_STOP, 0},
    {"less", R_STOP, 0}, {"over", R_STOP, 0}, {"under", R_STOP, 0}, {"und", R_STOP, 0},
    {"oder", R_STOP, 0}, {"der", R_STOP, 0}, {"die", R_STOP, 0}, {"das", R_STOP, 0},
    {"den", R_STOP, 0}, {"dem", R_STOP, 0}, {"von", R_STOP, 0}, {"für", R_STOP, 0},
    {"mit", R_STOP, 0}, {"bis", R_DTRIG | R_STOP, 0}, {"is", R_STOP, 0},
    {"are", R_STOP, 0}, {"was", R_STOP, 0}, {"were", R_STOP, 0},
    {"this", R_STOP | R_DWORD, 0}, {"that", R_STOP, 0}, {"these", R_STOP, 0},
    {"those", R_STOP, 0}, {"about", R_STOP, 0}, {"around", R_STOP, 0}, {"plus", R_STOP, 0},
    {"all", R_STOP, 0}, {"only", R_STOP, 0}, {"some", R_STOP, 0}, {"any", R_STOP, 0},
    {"as", R_STOP | R_DWORD, 0}, {"up", R_STOP, 0},
    /* months */
    {"january", R_MONTH, 1}, {"jan", R_MONTH | R_MAMBIG, 1}, {"januar", R_MONTH, 1},
    {"jänner", R_MONTH, 1}, {"february", R_MONTH, 2}, {"feb", R_MONTH, 2},
    {"februar", R_MONTH, 2}, {"march", R_MONTH, 3}, {"mar", R_MONTH | R_MAMBIG, 3},
    {"märz", R_MONTH, 3}, {"maerz", R_MONTH, 3}, {"april", R_MONTH, 4}, {"apr", R_MONTH, 4},
    {"may", R_MONTH | R_MAMBIG, 5}, {"mai", R_MONTH, 5}, {"june", R_MONTH, 6},
    {"jun", R_MONTH, 6}, {"juni", R_MONTH, 6}, {"july", R_MONTH, 7}, {"jul", R_MONTH, 7},
    {"juli", R_MONTH, 7}, {"august", R_MONTH, 8}, {"aug", R_MONTH, 8},
    {"september", R_MONTH, 9}, {"sep", R_MONTH, 9}, {"sept", R_MONTH, 9},
    {"october", R_MONTH, 10}, {"oct", R_MONTH, 10}, {"oktober", R_MONTH, 10},
    {"okt", R_MONTH, 10}, {"november", R_MONTH, 11}, {"nov", R_MONTH, 11},
    {"december", R_MONTH, 12}, {"dec", R_MONTH, 12}, {"dezember", R_MONTH, 12},
    {"dez", R_MONTH, 12},
    /* number words */
    {"one", R_NUMW, 1}, {"two", R_NUMW, 2}, {"three", R_NUMW, 3}, {"four", R_NUMW, 4},
    {"five", R_NUMW, 5}, {"six", R_NUMW, 6}, {"seven", R_NUMW, 7}, {"eight", R_NUMW, 8},
    {"nine", R_NUMW, 9}, {"ten", R_NUMW, 10}, {"eleven", R_NUMW, 11},
    {"twelve", R_NUMW, 12}, {"thirteen", R_NUMW, 13}, {"fourteen", R_NUMW, 14},
    {"fifteen", R_NUMW, 15}, {"sixteen", R_NUMW, 16}, {"seventeen", R_NUMW, 17},
    {"eighteen", R_NUMW, 18}, {"nineteen", R_NUMW, 19}, {"twenty", R_NUMW, 20},
    {"thirty", R_NUMW, 30}, {"forty", R_NUMW, 40}, {"fifty", R_NUMW, 50},
    {"sixty", R_NUMW, 60}, {"seventy", R_NUMW, 70}, {"eighty", R_NUMW, 80},
    {"ninety", R_NUMW, 90}, {"ein", R_NUMW, 1}, {"eine", R_NUMW, 1}, {"einen", R_NUMW, 1},
    {"eins", R_NUMW, 1}, {"zwei", R_NUMW, 2}, {"drei", R_NUMW, 3}, {"vier", R_NUMW, 4},
    {"fünf", R_NUMW, 5}, {"sechs", R_NUMW, 6}, {"sieben", R_NUMW, 7}, {"acht", R_NUMW, 8},
    {"neun", R_NUMW, 9}, {"zehn", R_NUMW, 10}, {"elf", R_NUMW, 11}, {"zwölf", R_NUMW, 12},
    {"zwanzig", R_NUMW, 20}, {"dreißig", R_NUMW, 30}, {"vierzig", R_NUMW, 40},
    {"fünfzig", R_NUMW, 50}, {"eines", R_ARTICLE, 0}, {"einem", R_ARTICLE, 0},
    {"einer", R_ARTICLE, 0}, {"dozen", R_DOZEN, 12},
    {"un", R_ARTICLE, 0}, {"une", R_ARTICLE, 0}, {"una", R_ARTICLE, 0}, {"uno", R_ARTICLE, 0},
    {"een", R_ARTICLE, 0}, {"dutzend", R_DOZEN, 12}, {"douzaine", R_DOZEN, 12},
    {"docena", R_DOZEN, 12}, {"dozzina", R_DOZEN, 12}, {"dozijn", R_DOZEN, 12},
    {"dizaine", R_DOZEN, 10}, {"vingtaine", R_DOZEN, 20}, {"trentaine", R_DOZEN, 30},
    {"quarantaine", R_DOZEN, 40}, {"cinquantaine", R_DOZEN, 50}, {"centaine", R_DOZEN, 100},
    {"decena", R_DOZEN, 10}, {"veintena", R_DOZEN, 20}, {"centenar", R_DOZEN, 100},
    {"decina", R_DOZEN, 10}, {"ventina", R_DOZEN, 20}, {"trentina", R_DOZEN, 30},
    {"centinaio", R_DOZEN, 100}, {"tiental", R_DOZEN, 10},
    {"cent", R_SCALE, 100}, {"cents", R_SCALE, 100}, {"mille", R_SCALE, 1000},
    {"mil", R_SCALE, 1000}, {"duizend", R_SCALE, 1000},
    {"hundred", R_SCALE, 100}, {"hundert", R_SCALE, 100},
    {"thousand", R_SCALE | R_MULT, 1000}, {"tausend", R_SCALE | R_MULT, 1000},
    {"million", R_SCALE | R_MULT, 1000000}, {"millions", R_MULT, 1000000},
    {"millionen", R_SCALE | R_MULT, 1000000}, {"billion", R_SCALE | R_MULT, 1000000000},
    {"k", R_MULT, 1000}, {"m", R_MULT, 1000000}, {"mn", R_MULT, 1000000},
    {"mio", R_MULT, 1000000}, {"bn", R_MULT, 1000000000}, {"mrd", R_MULT, 1000000000},
    {"tsd", R_MULT, 1000},
    /* currencies: val indexes currencies[] */
    {"eur", R_CUR, 0}, {"euro", R_CUR, 0}, {"euros", R_CUR, 0}, {"usd", R_CUR, 1},
    {"dollar", R_CUR, 1}, {"dollars", R_CUR, 1}, {"gbp", R_CUR, 2}, {"pound", R_CUR, 2},
    {"pounds", R_CUR, 2}, {"sterling", R_CUR, 2}, {"chf", R_CUR, 3}, {"francs", R_CUR, 3},
    {"franken", R_CUR, 3}, {"jpy", R_CUR, 4}, {"yen", R_CUR, 4}, {"cad", R_CUR, 5},
    {"aud", R_CUR, 6}, {"sek", R_CUR, 7}, {"nok", R_CUR, 8}, {"dkk", R_CUR, 9},
    {"pln", R_CUR, 10}, {"czk", R_CUR, 11}, {"inr", R_CUR, 12}, {"cny", R_CUR, 13},
    /* budget, discount, term */
    {"budget", R_BUDGET, 0}, {"budgets", R_BUDGET, 0}, {"budgeted", R_BUDGET, 0},
    {"budgetary", R_BUDGET, 0}, {"spend", R_BUDGET, 0}, {"spending", R_BUDGET, 0},
    {"afford", R_BUDGET, 0}, {"invest", R_BUDGET, 0}, {"investment", R_BUDGET, 0},
    {"pay", R_BUDGET, 0}, {"budgetrahmen", R_BUDGET, 0}, {"etat", R_BUDGET, 0},
    {"investition", R_BUDGET, 0}, {"investieren", R_BUDGET, 0}, {"ausgeben", R_BUDGET, 0},
    {"kostenrahmen", R_BUDGET, 0}, {"cost", R_BUDGET, 0}, {"costs", R_BUDGET, 0},
    {"price", R_BUDGET, 0}, {"priced", R_BUDGET, 0}, {"kosten", R_BUDGET, 0},
    {"preis", R_BUDGET, 0},
    {"discount", R_DISC, 1}, {"discounts", R_DISC, 1}, {"rebate", R_DISC, 1},
    {"reduction", R_DISC, 1}, {"markdown", R_DISC, 1}, {"rabatt", R_DISC, 1},
    {"nachlass", R_DISC, 1}, {"preisnachlass", R_DISC, 1}, {"ermäßigung", R_DISC, 1},
    {"off", R_DISC, 0}, {"discounted", R_DISC, 0},
    {"percent", R_PCT, 0}, {"pct", R_PCT, 0}, {"prozent", R_PCT, 0},
    {"term", R_TERMW, 0}, {"contract", R_TERMW, 0}, {"subscription", R_TERMW, 0},
    {"agreement", R_TERMW, 0}, {"commitment", R_TERMW, 0}, {"commit", R_TERMW, 0},
    {"license", R_TERMW, 0}, {"licence", R_TERMW, 0}, {"licensing", R_TERMW, 0},
    {"deal", R_TERMW, 0}, {"plan", R_TERMW, 0}, {"laufzeit", R_TERMW, 0},
    {"vertrag", R_TERMW, 0}, {"vertragslaufzeit", R_TERMW, 0},
    {"mindestlaufzeit", R_TERMW, 0}, {"abo", R_TERMW, 0}, {"abonnement", R_TERMW, 0},
    {"annual", R_ANNUAL, 0}, {"annually", R_ANNUAL, 0}, {"yearly", R_ANNUAL, 0},
    {"jährlich", R_ANNUAL, 0}, {"jährliche", R_ANNUAL, 0}, {"jährlichen", R_ANNUAL, 0},
    {"jährlicher", R_ANNUAL, 0}, {"jaehrlich", R_ANNUAL, 0},
    /* time units */
    {"day", R_TUNIT, TU_DAY}, {"days", R_TUNIT, TU_DAY}, {"tag", R_TUNIT, TU_DAY},
    {"tage", R_TUNIT, TU_DAY}, {"tagen", R_TUNIT, TU_DAY}, {"week", R_TUNIT, TU_WEEK},
    {"weeks", R_TUNIT, TU_WEEK}, {"woche", R_TUNIT, TU_WEEK}, {"wochen", R_TUNIT, TU_WEEK},
    {"month", R_TUNIT, TU_MONTH}, {"months", R_TUNIT, TU_MONTH},
    {"monat", R_TUNIT, TU_MONTH}, {"monate", R_TUNIT, TU_MONTH},
    {"monaten", R_TUNIT, TU_MONTH}, {"monats", R_TUNIT, TU_MONTH},
    {"year", R_TUNIT | R_DWORD, TU_YEAR}, {"years", R_TUNIT, TU_YEAR},
    {"yr", R_TUNIT, TU_YEAR}, {"yrs", R_TUNIT, TU_YEAR}, {"jahr", R_TUNIT, TU_YEAR},
    {"jahre", R_TUNIT, TU_YEAR}, {"jahren", R_TUNIT, TU_YEAR},
    {"jahres", R_TUNIT, TU_YEAR}, {"quarter", R_TUNIT, TU_QUARTER},
    {"quarters", R_TUNIT, TU_QUARTER}, {"quartal", R_TUNIT, TU_QUARTER},
    {"quartals", R_TUNIT, TU_QUARTER},
    /* dates */
    {"before", R_DTRIG, 0}, {"until", R_DTRIG, 0}, {"till", R_DTRIG, 0},
    {"til", R_DTRIG, 0}, {"due", R_DTRIG, 0}, {"deadline", R_DTRIG, 0},
    {"latest", R_DTRIG, 0}, {"later", R_DTRIG, 0}, {"spätestens", R_DTRIG, 0},
    {"spaetestens", R_DTRIG, 0}, {"vor", R_DTRIG, 0}, {"frist", R_DTRIG, 0},
    {"termin", R_DTRIG, 0}, {"live", R_DTRIG, 0}, {"launch", R_DTRIG, 0},
    {"next", R_DWORD, 0}, {"coming", R_DWORD, 0}, {"nächste", R_DWORD, 0},
    {"nächsten", R_DWORD, 0}, {"nächster", R_DWORD, 0}, {"naechste", R_DWORD, 0},
    {"naechsten", R_DWORD, 0}, {"kommende", R_DWORD, 0}, {"kommenden", R_DWORD, 0},
    {"diese", R_DWORD, 0}, {"diesen", R_DWORD, 0}, {"dieses", R_DWORD, 0},
    {"end", R_DWORD, 0}, {"ende", R_DWORD, 0}, {"eoy", R_DWORD, 0},
    {"yearend", R_DWORD, 0}, {"jahresende", R_DWORD, 0}, {"monatsende", R_DWORD, 0},
    {"quartalsende", R_DWORD, 0}, {"asap", R_DWORD, 0}, {"immediately", R_DWORD, 0},
    {"urgent", R_DWORD, 0}, {"urgently", R_DWORD, 0}, {"dringend", R_DWORD, 0},
    {"schnellstmöglich", R_DWORD, 0}, {"sofort", R_DWORD, 0}, {"so", R_DWORD, 0},
    {"q", R_DWORD, 0},
    {"skip", R_NEG, 0},
    /* data residency and location */
    {"residency", R_RESID, 1}, {"resident", R_RESID, 1}, {"hosted", R_RESID, 1},
    {"hosting", R_RESID, 1}, {"host", R_RESID, 1}, {"stored", R_RESID, 1},
    {"datacenter", R_RESID, 1}, {"datacentre", R_RESID, 1}, {"datacenters", R_RESID, 1},
    {"datacentres", R_RESID, 1}, {"rechenzentrum", R_RESID, 1},
    {"rechenzentren", R_RESID, 1}, {"gehostet", R_RESID, 1}, {"gespeichert", R_RESID, 1},
    {"datenhaltung", R_RESID, 1}, {"datenspeicherung", R_RESID, 1},
    {"serverstandort", R_RESID, 1}, {"hosten", R_RESID, 1}, {"sovereignty", R_RESID, 1},
    {"stay", R_RESID, 0}, {"stays", R_RESID, 0}, {"remain", R_RESID, 0},
    {"remains", R_RESID, 0}, {"reside", R_RESID, 0}, {"resides", R_RESID, 0},
    {"kept", R_RESID, 0}, {"located", R_RESID | R_LOC, 0}, {"processed", R_RESID, 0},
    {"store", R_RESID, 0}, {"storage", R_RESID, 0}, {"center", R_RESID, 0},
    {"centre", R_RESID, 0}, {"centers", R_RESID, 0}, {"centres", R_RESID, 0},
    {"bleiben", R_RESID, 0}, {"verbleiben", R_RESID, 0}, {"liegen", R_RESID, 0},
    {"speichern", R_RESID, 0},
    {"data", R_DATA, 0}, {"daten", R_DATA, 0}, {"server", R_DATA, 0},
    {"servers", R_DATA, 0}, {"backups", R_DATA, 0}, {"kundendaten", R_DATA, 0},
    {"eu", R_REGION, 0}, {"europe", R_REGION, 0}, {"eea", R_REGION, 0},
    {"ewr", R_REGION, 0}, {"europa", R_REGION, 0}, {"european", R_REGION, 0},
    {"europäische", R_REGION, 0}, {"europäischen", R_REGION, 0},
    {"german", R_CADJ, CC('D', 'E')}, {"deutsche", R_CADJ, CC('D', 'E')},
    {"deutschen", R_CADJ, CC('D', 'E')}, {"deutschem", R_CADJ, CC('D', 'E')},
    {"deutscher", R_CADJ, CC('D', 'E')}, {"french", R_CADJ, CC('F', 'R')},
    {"dutch", R_CADJ, CC('N', 'L')}, {"swiss", R_CADJ, CC('C', 'H')},
    {"austrian", R_CADJ, CC('A', 'T')}, {"british", R_CADJ, CC('G', 'B')},
    {"american", R_CADJ, CC('U', 'S')}, {"irish", R_CADJ, CC('I', 'E')},
    {"italian", R_CADJ, CC('I', 'T')}, {"spanish", R_CADJ, CC('E', 'S')},
    {"swedish", R_CADJ, CC('S', 'E')}, {"finnish", R_CADJ, CC('F', 'I')},
    {"danish", R_CADJ, CC('D', 'K')}, {"norwegian", R_CADJ, CC('N', 'O')},
    {"belgian", R_CADJ, CC('B', 'E')}, {"canadian", R_CADJ, CC('C', 'A')},
    {"australian", R_CADJ, CC('A', 'U')}, {"japanese", R_CADJ, CC('J', 'P')},
    {"deutsches", R_CADJ, CC('D', 'E')}, {"österreichisch", R_CADJ, CC('A', 'T')}, {"österreichische", R_CADJ, CC('A', 'T')}, {"österreichischen", R_CADJ, CC('A', 'T')}, {"österreichischer", R_CADJ, CC('A', 'T')}, {"österreichisches", R_CADJ, CC('A', 'T')}, {"schweizer", R_CADJ, CC('C', 'H')}, {"schweizerische", R_CADJ, CC('C', 'H')}, {"schweizerischen", R_CADJ, CC('C', 'H')}, {"schweizerischer", R_CADJ, CC('C', 'H')}, {"schweizerisches", R_CADJ, CC('C', 'H')}, {"niederländische", R_CADJ, CC('N', 'L')}, {"niederländischen", R_CADJ, CC('N', 'L')}, {"niederländischer", R_CADJ, CC('N', 'L')}, {"niederländisches", R_CADJ, CC('N', 'L')}, {"holländische", R_CADJ, CC('N', 'L')}, {"holländischen", R_CADJ, CC('N', 'L')}, {"holländischer", R_CADJ, CC('N', 'L')}, {"französische", R_CADJ, CC('F', 'R')}, {"französischen", R_CADJ, CC('F', 'R')}, {"französischer", R_CADJ, CC('F', 'R')}, {"französisches", R_CADJ, CC('F', 'R')}, {"italienische", R_CADJ, CC('I', 'T')}, {"italienischen", R_CADJ, CC('I', 'T')}, {"italienischer", R_CADJ, CC('I', 'T')}, {"italienisches", R_CADJ, CC('I', 'T')}, {"spanische", R_CADJ, CC('E', 'S')}, {"spanischen", R_CADJ, CC('E', 'S')}, {"spanischer", R_CADJ, CC('E', 'S')}, {"spanisches", R_CADJ, CC('E', 'S')}, {"polnische", R_CADJ, CC('P', 'L')}, {"polnischen", R_CADJ, CC('P', 'L')}, {"polnischer", R_CADJ, CC('P', 'L')}, {"polnisches", R_CADJ, CC('P', 'L')}, {"czech", R_CADJ, CC('C', 'Z')}, {"tschechische", R_CADJ, CC('C', 'Z')}, {"tschechischen", R_CADJ, CC('C', 'Z')}, {"tschechischer", R_CADJ, CC('C', 'Z')}, {"tschechisches", R_CADJ, CC('C', 'Z')}, {"dänische", R_CADJ, CC('D', 'K')}, {"dänischen", R_CADJ, CC('D', 'K')}, {"dänischer", R_CADJ, CC('D', 'K')}, {"dänisches", R_CADJ, CC('D', 'K')}, {"schwedische", R_CADJ, CC('S', 'E')}, {"schwedischen", R_CADJ, CC('S', 'E')}, {"schwedischer", R_CADJ, CC('S', 'E')}, {"schwedisches", R_CADJ, CC('S', 'E')}, {"belgische", R_CADJ, CC('B', 'E')}, {"belgischen", R_CADJ, CC('B', 'E')}, {"belgischer", R_CADJ, CC('B', 'E')}, {"belgisches", R_CADJ, CC('B', 'E')}, {"britische", R_CADJ, CC('G', 'B')}, {"britischen", R_CADJ, CC('G', 'B')}, {"britischer", R_CADJ, CC('G', 'B')}, {"britisches", R_CADJ, CC('G', 'B')}, {"scottish", R_CADJ, CC('G', 'B')}, {"welsh", R_CADJ, CC('G', 'B')}, {"amerikanische", R_CADJ, CC('U', 'S')}, {"amerikanischen", R_CADJ, CC('U', 'S')}, {"amerikanischer", R_CADJ, CC('U', 'S')}, {"amerikanisches", R_CADJ, CC('U', 'S')}, {"luxembourgish", R_CADJ, CC('L', 'U')}, {"luxemburgische", R_CADJ, CC('L', 'U')}, {"luxemburgischen", R_CADJ, CC('L', 'U')}, {"luxemburgischer", R_CADJ, CC('L', 'U')}, {"portuguese", R_CADJ, CC('P', 'T')}, {"portugiesische", R_CADJ, CC('P', 'T')}, {"portugiesischen", R_CADJ, CC('P', 'T')}, {"portugiesischer", R_CADJ, CC('P', 'T')}, {"greek", R_CADJ, CC('G', 'R')}, {"griechische", R_CADJ, CC('G', 'R')}, {"griechischen", R_CADJ, CC('G', 'R')}, {"griechischer", R_CADJ, CC('G', 'R')}, {"mexican", R_CADJ, CC('M', 'X')}, {"brazilian", R_CADJ, CC('B', 'R')}, {"korean", R_CADJ, CC('K', 'R')}, {"hungarian", R_CADJ, CC('H', 'U')}, {"romanian", R_CADJ, CC('R', 'O')}, {"slovak", R_CADJ, CC('S', 'K')}, {"slovenian", R_CADJ, CC('S', 'I')}, {"croatian", R_CADJ, CC('H', 'R')}, {"estonian", R_CADJ, CC('E', 'E')}, {"latvian", R_CADJ, CC('L', 'V')}, {"lithuanian", R_CADJ, CC('L', 'T')}, {"icelandic", R_CADJ, CC('I', 'S')}, {"turkish", R_CADJ, CC('T', 'R')}, {"israeli", R_CADJ, CC('I', 'L')}, {"singaporean", R_CADJ, CC('S', 'G')}, {"finnische", R_CADJ, CC('F', 'I')}, {"finnischen", R_CADJ, CC('F', 'I')}, {"finnischer", R_CADJ, CC('F', 'I')}, {"norwegische", R_CADJ, CC('N', 'O')}, {"norwegischen", R_CADJ, CC('N', 'O')}, {"norwegischer", R_CADJ, CC('N', 'O')}, {"japanische", R_CADJ, CC('J', 'P')}, {"japanischen", R_CADJ, CC('J', 'P')}, {"japanischer", R_CADJ, CC('J', 'P')},
    {"based", R_LOC, 0}, {"headquartered", R_LOC, 0}, {"headquarters", R_LOC, 0},
    {"hq", R_LOC, 0}, {"offices", R_LOC, 0}, {"office", R_LOC, 0}, {"sites", R_LOC, 0},
    {"site", R_LOC, 0}, {"locations", R_LOC, 0}, {"location", R_LOC, 0},
    {"operate", R_LOC, 0}, {"operating", R_LOC, 0}, {"operations", R_LOC, 0},
    {"presence", R_LOC, 0}, {"subsidiary", R_LOC, 0}, {"subsidiaries", R_LOC, 0},
    {"branches", R_LOC, 0}, {"branch", R_LOC, 0}, {"plants", R_LOC, 0},
    {"plant", R_LOC, 0}, {"factories", R_LOC, 0}, {"factory", R_LOC, 0},
    {"stores", R_LOC, 0}, {"warehouses", R_LOC, 0}, {"warehouse", R_LOC, 0},
    {"sitz", R_LOC, 0}, {"standort", R_LOC, 0}, {"standorte", R_LOC, 0},
    {"standorten", R_LOC, 0}, {"niederlassung", R_LOC, 0},
    {"niederlassungen", R_LOC, 0}, {"ansässig", R_LOC, 0}, {"firmensitz", R_LOC, 0},
    {"hauptsitz", R_LOC, 0}, {"aus", R_LOC, 0},
    /* hedges: val 1 on its own, 0 only as "maybe later", "nice to have" */
    {"maybe", R_HEDGE, 1}, {"perhaps", R_HEDGE, 1}, {"possibly", R_HEDGE, 1},
    {"optional", R_HEDGE, 1}, {"optionally", R_HEDGE, 1}, {"might", R_HEDGE, 1},
    {"eventually", R_HEDGE, 1}, {"potentially", R_HEDGE, 1}, {"considering", R_HEDGE, 1},
    {"nice", R_HEDGE, 0}, {"vielleicht", R_HEDGE, 1}, {"eventuell", R_HEDGE, 1},
    {"evtl", R_HEDGE, 1}, {"ggf", R_HEDGE, 1}, {"gegebenenfalls", R_HEDGE, 1},
    {"optionale", R_HEDGE, 1}, {"optionalen", R_HEDGE, 1}, {"möglicherweise", R_HEDGE, 1},
    {"später", R_HEDGE, 1}, {"späteren", R_HEDGE, 1}, {"perspektivisch", R_HEDGE, 1},
    {"künftig", R_HEDGE, 1}, {"zukünftig", R_HEDGE, 1}, {"irgendwann", R_HEDGE, 1},
    {"wünschenswert", R_HEDGE, 1}, {"schön", R_HEDGE, 0},
};
/* clang-format on */

/* ---- integrations: the systems customers name when none are configured ---------------- */

#define SYN(...)                                                                                   \
    (const char *const[]){__VA_ARGS__},                                                            \
        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)
/* clang-format off */
static const struct dw_vocab_term default_integrations[] = {
    {"SAP", SYN("SAP S/4HANA", "S/4HANA", "SAP ERP", "SAP ECC")},
    {"Salesforce", SYN("SFDC", "Salesforce CRM")},
    {"ServiceNow", SYN("Service Now")},
    {"Microsoft Entra ID", SYN("Entra ID", "Azure AD", "Azure Active Directory", "AAD")},
    {"Active Directory", SYN("MS Active Directory", "Microsoft Active Directory")},
    {"LDAP", SYN("OpenLDAP")},
    {"RADIUS", SYN("FreeRADIUS")},
    {"Okta", SYN("Okta SSO")},
    {"Splunk", SYN("Splunk SIEM")},
    {"Microsoft Sentinel", SYN("Azure Sentinel", "Sentinel")},
    {"IBM QRadar", SYN("QRadar")},
    {"Elastic", SYN("Elasticsearch", "ELK", "Elastic Stack")},
    {"Syslog", SYN("syslog server")},
    {"Jira", SYN("Jira Service Management")},
    {"Microsoft Teams", SYN("MS Teams")},
    {"Slack", SYN("Slack workspace")},
    {"PagerDuty", SYN("Pager Duty")},
    {"Zabbix", SYN("Zabbix server")},
    {"Nagios", SYN("Icinga")},
    {"PRTG", SYN("Paessler PRTG")},
    {"Grafana", SYN("Grafana dashboards")},
    {"Prometheus", SYN("Prometheus exporter")},
    {"AWS", SYN("Amazon Web Services", "AWS Transit Gateway")},
    {"Microsoft Azure", SYN("Azure", "Azure Virtual WAN")},
    {"Google Cloud", SYN("GCP", "Google Cloud Platform")},
    {"Cisco ISE", SYN("ISE")},
    {"NetBox", SYN("Netbox")},
    {"Ansible", SYN("Ansible Tower", "AWX")},
    {"Terraform", SYN("Terraform provider")},
    {"Microsoft Intune", SYN("Intune")},
    {"VMware", SYN("vSphere", "VMware ESXi")},
    {"Microsoft 365", SYN("Office 365", "M365", "O365")},
    {"Google Workspace", SYN("G Suite")},
    {"DATEV", SYN("Datev")},
    {"Zendesk", SYN("Zendesk Support")},
    {"HubSpot", SYN("Hubspot")},
    {"Siemens TIA Portal", SYN("TIA Portal")},
    {"OPC UA", SYN("OPC-UA")},
};
/* clang-format on */
#undef SYN

/* ---- static tables built once --------------------------------------------------------- */

#define KW_SLOTS 2048 /* power of two, more than twice the keyword count */

/* One phrase of a vocabulary, cut into tokens. */
enum ph_flag {
    PH_PLURAL = 1 << 0, /* the last word also matches its plural/singular */
    PH_UPPER = 1 << 1,  /* in running text only when written without lower-case letters */
    PH_CAP = 1 << 2,    /* in running text only when it starts with a capital */
};

#define KEY_MAX 24

struct phrase {
    const char *name; /* reported name */
    const char *lo;   /* the phrase lower-cased; token offsets point into it */
    const struct tok *t;
    uint32_t nt;
    uint32_t order; /* position in the input, for a total order */
    uint32_t next;  /* next phrase with the same key + 1, 0 at the end */
    uint32_t len;
    uint8_t flags;
    uint8_t lang; /* LANG_* bits of a built-in unit noun, 0 for the workspace's own words */
    uint8_t klen;
    char key[KEY_MAX]; /* singular stem of the first token */
};

struct tindex {
    struct phrase *ph;
    size_t n;
    uint32_t *slot; /* per hash slot: the first phrase of one key + 1, 0 = empty */
    size_t mask;
};

#define COUNTRY_PHRASES 1024
#define COUNTRY_TOKENS 4096
#define COUNTRY_POOL 24576
#define REGION_PHRASES 1024
#define REGION_TOKENS 3072
#define REGION_POOL 24576

#define MORPHEMES 192 /* more than the morphemes of the number words */

static struct {
    uint16_t kw_slot[KW_SLOTS];
    uint8_t kw_len[KW_SLOTS]; /* the length of that slot's keyword */
    /* the number words' morphemes by first byte: morph[morph_start[b]..morph_start[b + 1])
     * are the indexes of those starting with b, in table order */
    uint8_t morph[MORPHEMES];
    uint8_t morph_len[MORPHEMES];
    uint16_t morph_start[257];
    struct tindex countries;
    struct phrase country_ph[COUNTRY_PHRASES];
    struct tok country_tok[COUNTRY_TOKENS];
    char country_pool[COUNTRY_POOL];
    uint32_t country_slot[2 * COUNTRY_PHRASES];
    char codes[320][3];
    struct tindex regions; /* names point into region_pool; region_cc[phrase] its country */
    struct phrase region_ph[REGION_PHRASES];
    struct tok region_tok[REGION_TOKENS];
    char region_pool[REGION_POOL];
    uint32_t region_slot[2 * REGION_PHRASES];
    char region_cc[REGION_PHRASES][3];
    bool region_city[REGION_PHRASES];
} g;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* ---- text helpers --------------------------------------------------------------------- */

/* ASCII and Latin-1 (two-byte) letters to lower case; every byte stays where it was. */
static void fold_lower(const char *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch >= 'A' && ch <= 'Z') {
            ch += 32;
        } else if (ch == 0xC3 && i + 1 < n) {
            unsigned char nx = (unsigned char)in[i + 1];
            if (nx >= 0x80 && nx <= 0x9E && nx != 0x97)
                nx += 0x20;
            out[i++] = (char)ch;
            out[i] = (char)nx;
            continue;
        }
        out[i] = (char)ch;
    }
    out[n] = '\0';
}

static uint32_t u8_next(const unsigned char *p, size_t n, size_t i, size_t *ret_len) {
    unsigned char b = p[i];
    if (b < 0x80) {
        *ret_len = 1;
        return b;
    }
    size_t l = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (b < 0xC0 || i + l > n) {
        *ret_len = 1;
        return 0xFFFD;
    }
    uint32_t cp = b & (0x3Fu >> (l - 1));
    for (size_t k = 1; k < l; k++)
        cp = (cp << 6) | (p[i + k] & 0x3Fu);
    *ret_len = l;
    return cp;
}

static bool cp_space(uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* Letters closely enough: ASCII letters, and above U+00C0 everything but the punctuation,
 * currency and symbol blocks. */
static bool cp_letter(uint32_t cp) {
    if (cp < 0x80)
        return ((cp | 32) >= 'a' && (cp | 32) <= 'z');
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7 || cp == 0xFFFD)
        return false;
    if (cp < 0x2000)
        return true;
    if (cp < 0x2C00 || (cp >= 0x3000 && cp < 0x3040) || (cp >= 0xFE00 && cp < 0xFE70) ||
        (cp >= 0xFF00 && cp < 0xFF21))
        return false;
    return true;
}

static bool is_upper_start(const unsigned char *p, size_t n, size_t i) {
    if (p[i] >= 'A' && p[i] <= 'Z')
        return true;
    return p[i] == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9E;
}

/* After a newline at i-1: does the next line start a new item? */
static bool newline_breaks(const unsigned char *p, size_t n, size_t i) {
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
        i++;
    if (i >= n || p[i] == '\n')
        return true;
    if (is_upper_start(p, n, i) || (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '*' ||
        p[i] == '>' || p[i] == '#')
        return true;
    return n - i >= 3 && p[i] == 0xE2 && p[i + 1] == 0x80 && p[i + 2] == 0xA2; /* • */
}

/* French and Italian elision: "d'agences", "l'entrepôt", "nell'area", "un'unica" are two
 * words, the article or preposition with its apostrophe and the noun. */
static bool elision_prefix(const unsigned char *p, size_t n) {
    static const char *const pre[] = {"d",    "l",     "c",    "j",      "m",     "n",     "s",
                                      "t",    "qu",    "dell", "nell",   "all",   "dall",  "sull",
                                      "dell", "quell", "un",   "lorsqu", "jusqu", "puisqu"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(pre); k++) {
        size_t l = strlen(pre[k]);
        if (l != n)
            continue;
        size_t m = 0;
        while (m < l && (p[m] | 32) == (unsigned char)pre[k][m])
            m++;
        if (m == l)
            return true;
    }
    return false;
}

/* Cut s[0..n) into tokens; t has room for n tokens. Offsets are relative to s. */
static size_t tokenize(const char *s, size_t n, struct tok *t, bool breaks) {
    const unsigned char *p = (const unsigned char *)s;
    size_t nt = 0, i = 0, l;
    bool gap = true;
    while (i < n) {
        uint32_t cp = p[i] < 0x80 ? (l = 1, p[i]) : u8_next(p, n, i, &l);
        if (cp == '\n') {
            if (breaks && newline_breaks(p, n, i + 1) && nt > 0 && t[nt - 1].kind != TK_BREAK)
                t[nt++] = (struct tok){
                    .s = (uint32_t)i, .e = (uint32_t)i + 1, .kind = TK_BREAK, .gap = 1};
            gap = true;
            i++;
            continue;
        }
        if (cp_space(cp)) {
            gap = true;
            i += l;
            continue;
        }
        struct tok *k = &t[nt++];
        *k = (struct tok){.s = (uint32_t)i, .gap = gap};
        if (cp >= '0' && cp <= '9') {
            while (i < n && p[i] >= '0' && p[i] <= '9')
                i++;
            k->kind = TK_NUM;
        } else if (cp_letter(cp)) {
            i += l;
            while (i < n) {
                size_t l2;
                unsigned char b = p[i];
                if (b < 0x80 && (b | 32) >= 'a' && (b | 32) <= 'z') {
                    i++; /* the common case, without decoding */
                    continue;
                }
                uint32_t c2 = u8_next(p, n, i, &l);
                if (cp_letter(c2)) {
                    i += l;
                } else if ((c2 == '\'' || c2 == 0x2019) && i + l < n &&
                           cp_letter(u8_next(p, n, i + l, &l2))) {
                    if (elision_prefix(p + k->s, i - k->s)) {
                        i += l; /* "d'" ends here; the noun is the next word */
                        break;
                    }
                    k->flags |= TF_APOS;
                    i += l;
                } else {
                    break;
                }
            }
            k->kind = TK_WORD;
        } else {
            i += l;
            k->kind = TK_SYM;
        }
        k->e = (uint32_t)i;
        gap = false;
    }
    return nt;
}

/* s[0..n) without apostrophes into buf (size cap); returns the length or 0 if too long. */
static size_t strip_apos(const char *s, size_t n, char *buf, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            continue;
        if ((unsigned char)s[i] == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x99) {
            i += 2;
            continue;
        }
        if (o + 1 >= cap)
            return 0;
        buf[o++] = s[i];
    }
    buf[o] = '\0';
    return o;
}

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int kw_find(const char *w, size_t n) {
    uint32_t h = hash_bytes(w, n) & (KW_SLOTS - 1);
    for (;;) {
        int k = g.kw_slot[h];
        if (!k)
            return 0;
        if (g.kw_len[h] == n && memcmp(kwdefs[k - 1].w, w, n) == 0)
            return k;
        h = (h + 1) & (KW_SLOTS - 1);
    }
}

/* Singular stem for plural matching, written to out (cap bytes): "switches" -> "switch",
 * "companies" -> "company", "users" -> "user". Longer words are cut: the index key only
 * groups candidates, the match itself compares whole words. */
static size_t stem(const char *s, size_t n, char *out, size_t cap) {
    size_t m = n;
    bool y = false;
    if (n > 4 && memcmp(s + n - 3, "ies", 3) == 0) {
        m = n - 3;
        y = true;
    } else if (n > 4 && s[n - 1] == 's' && s[n - 2] == 'e' &&
               (s[n - 3] == 'x' || s[n - 3] == 'z' || (s[n - 3] == 's' && s[n - 4] == 's') ||
                (s[n - 3] == 'h' && (s[n - 4] == 'c' || s[n - 4] == 's')))) {
        m = n - 2;
    } else if (n > 3 && s[n - 1] == 's' && s[n - 2] != 's' && s[n - 2] != 'u' && s[n - 2] != 'i') {
        m = n - 1;
    }
    size_t o = m < cap - 1 ? m : cap - 1;
    memcpy(out, s, o);
    if (y && o < cap - 1)
        out[o++] = 'y';
    return o;
}

/* Singular/plural equality of two words ("switch" = "switches"), and the German dative
 * plural "-n" ("Standorten" = "Standorte", "Nutzern" = "Nutzer"). */
static bool plural_eq(const char *a, size_t an, const char *b, size_t bn) {
    char x[64], y[64];
    if (an >= sizeof x || bn >= sizeof y)
        return false;
    if ((an == bn + 1 && a[bn] == 'n' && memcmp(a, b, bn) == 0) ||
        (bn == an + 1 && b[an] == 'n' && memcmp(a, b, an) == 0))
        return an > 3 && bn > 3;
    size_t xn = stem(a, an, x, sizeof x), yn = stem(b, bn, y, sizeof y);
    return xn == yn && memcmp(x, y, xn) == 0;
}

/* ---- phrase index --------------------------------------------------------------------- */

static bool joiner(const char *lo, const struct tok *t) {
    return t->kind == TK_SYM && t->e - t->s == 1 && (lo[t->s] == '-' || lo[t->s] == '/');
}

/* Order within one key: more tokens first, then longer, then earlier in the input. */
static int phrase_cmp(const struct phrase *x, const struct phrase *y) {
    if (x->nt != y->nt)
        return x->nt > y->nt ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Fill ph (its lo, t and name set) from the phrase text; false if it cannot be matched
 * (empty, or starting with a symbol). */
static bool phrase_init(struct phrase *ph, const char *orig, size_t len, char *lo, struct tok *toks,
                        uint8_t flags) {
    fold_lower(orig, len, lo);
    size_t nt = tokenize(orig, len, toks, false);
    if (nt == 0 || (toks[0].kind != TK_WORD && toks[0].kind != TK_NUM))
        return false;
    ph->lo = lo;
    ph->t = toks;
    ph->nt = (uint32_t)nt;
    ph->len = (uint32_t)len;
    ph->flags = flags;
    ph->klen = (uint8_t)stem(lo + toks[0].s, toks[0].e - toks[0].s, ph->key, KEY_MAX);
    return true;
}

static bool key_eq(const struct phrase *p, const char *key, size_t klen) {
    return p->klen == klen && memcmp(p->key, key, klen) == 0;
}

/* Hash the phrases by key; the phrases of one key form a chain, longest first. */
static void tindex_finish(struct tindex *ix, uint32_t *slot, size_t nslot) {
    ix->slot = slot;
    ix->mask = nslot - 1;
    memset(slot, 0, nslot * sizeof *slot);
    for (size_t i = 0; i < ix->n; i++) {
        struct phrase *p = &ix->ph[i];
        uint32_t h = hash_bytes(p->key, p->klen) & (uint32_t)ix->mask;
        while (slot[h] && !key_eq(&ix->ph[slot[h] - 1], p->key, p->klen))
            h = (h + 1) & (uint32_t)ix->mask;
        uint32_t *link = &slot[h];
        while (*link && phrase_cmp(&ix->ph[*link - 1], p) < 0)
            link = &ix->ph[*link - 1].next;
        p->next = *link;
        *link = (uint32_t)i + 1;
    }
}

/* Short all-capital standards ("EAR", "PCI") are words in lower case ("ear"). */
static uint8_t standard_flags(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return PH_UPPER;
}

/* Index a vocabulary list: names and synonyms, in one allocation owned by ix->ph. */
static int tindex_build(struct tindex *ix, const struct dw_vocab_term *terms, size_t n,
                        uint8_t flags, bool standards, const uint8_t *term_lang) {
    *ix = (struct tindex){0};
    size_t nph = 0, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!terms[i].name)
            continue;
        nph++;
        bytes += strlen(terms[i].name) + 1;
        for (size_t k = 0; k < terms[i].n_synonyms; k++)
            if (terms[i].synonyms && terms[i].synonyms[k]) {
                nph++;
                bytes += strlen(terms[i].synonyms[k]) + 1;
            }
    }
    if (nph == 0)
        return 0;
    if (nph > (1u << 20) || bytes > (16u << 20))
        return -DW_ETOOBIG;
    size_t nslot = 16;
    while (nslot < 2 * nph)
        nslot <<= 1;
    char *mem = malloc(nph * sizeof(struct phrase) + bytes * sizeof(struct tok) +
                       nslot * sizeof(uint32_t) + bytes);
    if (!mem)
        return -DW_ENOMEM;
    struct phrase *ph = (struct phrase *)(void *)mem;
    struct tok *toks = (struct tok *)(void *)(ph + nph);
    uint32_t *slot = (uint32_t *)(void *)(toks + bytes);
    char *pool = (char *)(slot + nslot);
    size_t np = 0, tp = 0, pp = 0;
    for (size_t i = 0; i < n; i++) {
        if (!terms[i].name)
            continue;
        for (size_t k = 0; k <= terms[i].n_synonyms; k++) {
            const char *s = k == 0              ? terms[i].name
                            : terms[i].synonyms ? terms[i].synonyms[k - 1]
                                                : NULL;
            if (!s)
                continue;
            size_t len = strlen(s);
            struct phrase *p = &ph[np];
            *p = (struct phrase){
                .name = terms[i].name, .order = (uint32_t)np, .lang = term_lang ? term_lang[i] : 0};
            uint8_t fl = flags | (standards ? standard_flags(s) : 0);
            if (phrase_init(p, s, len, pool + pp, toks + tp, fl)) {
                tp += p->nt;
                np++;
            }
            pp += len + 1;
        }
    }
    ix->ph = ph;
    ix->n = np;
    tindex_finish(ix, slot, nslot);
    return 0;
}

static void morphemes_init(void); /* with the number words below */

static void init_tables(void) {
    for (size_t k = 0; k < DW_ARRAY_SIZE(kwdefs); k++) {
        size_t n = strlen(kwdefs[k].w);
        uint32_t h = hash_bytes(kwdefs[k].w, n) & (KW_SLOTS - 1);
        bool dup = false;
        while (g.kw_slot[h] && !dup) {
            dup = strcmp(kwdefs[g.kw_slot[h] - 1].w, kwdefs[k].w) == 0;
            h = (h + 1) & (KW_SLOTS - 1);
        }
        if (!dup) {
            g.kw_slot[h] = (uint16_t)(k + 1);
            g.kw_len[h] = (uint8_t)n;
        }
    }
    morphemes_init();
    size_t np = 0, tp = 0, pp = 0;
    for (size_t c = 0; c < dw__n_country_names && c < DW_ARRAY_SIZE(g.codes); c++) {
        const char *s = dw__country_names[c];
        memcpy(g.codes[c], s, 2);
        g.codes[c][2] = '\0';
        for (const char *p = s + 3; *p;) {
            size_t len = strcspn(p, "|");
            const char *a = p;
            uint8_t fl = 0;
            if (*a == '^' || *a == '*') {
                fl = *a == '^' ? PH_UPPER : PH_CAP;
                a++;
            }
            size_t alen = len - (size_t)(a - p);
            if (np < COUNTRY_PHRASES && tp + alen <= COUNTRY_TOKENS &&
                pp + alen + 1 <= COUNTRY_POOL) {
                struct phrase *ph = &g.country_ph[np];
                *ph = (struct phrase){.name = g.codes[c], .order = (uint32_t)np};
                if (phrase_init(ph, a, alen, g.country_pool + pp, g.country_tok + tp, fl)) {
                    tp += ph->nt;
                    np++;
                }
                pp += alen + 1;
            }
            p += len;
            if (*p == '|')
                p++;
        }
    }
    g.countries.ph = g.country_ph;
    g.countries.n = np;
    tindex_finish(&g.countries, g.country_slot, DW_ARRAY_SIZE(g.country_slot));

    /* regions: the reported name is the first one, copied NUL-terminated into the pool */
    np = tp = pp = 0;
    for (size_t r = 0; r < dw__n_region_names + dw__n_city_names; r++) {
        bool city = r >= dw__n_region_names;
        const char *s = city ? dw__city_names[r - dw__n_region_names] : dw__region_names[r];
        size_t nlen = strcspn(s + 3, "|");
        if (pp + nlen + 1 > REGION_POOL)
            break;
        char *name = g.region_pool + pp;
        memcpy(name, s + 3, nlen);
        name[nlen] = '\0';
        pp += nlen + 1;
        for (const char *p = s + 3; *p;) {
            size_t len = strcspn(p, "|");
            if (np < REGION_PHRASES && tp + len <= REGION_TOKENS && pp + len + 1 <= REGION_POOL) {
                struct phrase *ph = &g.region_ph[np];
                *ph = (struct phrase){.name = name, .order = (uint32_t)np};
                if (phrase_init(ph, p, len, g.region_pool + pp, g.region_tok + tp, PH_CAP)) {
                    memcpy(g.region_cc[np], s, 2);
                    g.region_city[np] = city;
                    tp += ph->nt;
                    np++;
                }
                pp += len + 1;
            }
            p += len;
            if (*p == '|')
                p++;
        }
    }
    g.regions.ph = g.region_ph;
    g.regions.n = np;
    tindex_finish(&g.regions, g.region_slot, DW_ARRAY_SIZE(g.region_slot));
}

/* ---- the extraction context ----------------------------------------------------------- */

struct ctx {
    const char *text; /* the caller's text */
    const char *lo;   /* lower-cased copy, same offsets */
    size_t len;
    struct tok *t;
    size_t nt;
    uint8_t *claim; /* per token: explained by an earlier extractor */
    bool loose;     /* dw_country_code(): ignore the running-text case rules */
    int64_t today;  /* days since 1970-01-01 of received_at */
    int ty;
    unsigned tm, td;
    int wd; /* weekday of today, 0 = Monday */
    const struct tindex *caps, *stds, *units, *integ;
    const char *site_unit; /* the catalog unit the built-in premises nouns extend, or NULL */
    const char *defcur;
    bool oom;
};

static size_t tlen(const struct ctx *c, size_t i) {
    return c->t[i].e - c->t[i].s;
}
static bool kind(const struct ctx *c, size_t i, int k) {
    return i < c->nt && c->t[i].kind == k;
}
static bool role(const struct ctx *c, size_t i, uint32_t r) {
    return i < c->nt && (c->t[i].roles & r);
}
static int64_t kval(const struct ctx *c, size_t i) {
    return i < c->nt && c->t[i].kw ? kwdefs[c->t[i].kw - 1].val : 0;
}
/* Token i touches token i-1 (no space between). */
static bool glued(const struct ctx *c, size_t i) {
    return i < c->nt && !c->t[i].gap;
}
static bool wordish(const struct ctx *c, size_t i) {
    return i < c->nt && (c->t[i].kind == TK_WORD || c->t[i].kind == TK_NUM);
}
/* Token j starts a new word: it is not a letter or digit glued to the one before. */
/* Does token i end with an apostrophe (an elided "d'", "l'")? */
static bool elided(const struct ctx *c, size_t i) {
    const char *w = c->lo + c->t[i].s;
    size_t n = tlen(c, i);
    return (n >= 2 && w[n - 1] == '\'') || (n >= 4 && memcmp(w + n - 3, "\xE2\x80\x99", 3) == 0);
}

static bool free_at(const struct ctx *c, size_t j) {
    return j >= c->nt || c->t[j].gap || !wordish(c, j) || !wordish(c, j - 1) || elided(c, j - 1);
}

/* Token i's text equals w[0..n) (lower case; apostrophes in the text are ignored). */
static bool is_n(const struct ctx *c, size_t i, const char *w, size_t n) {
    if (i >= c->nt || c->t[i].kind == TK_BREAK)
        return false;
    const char *s = c->lo + c->t[i].s;
    size_t l = tlen(c, i);
    if (l == n)
        return memcmp(s, w, n) == 0;
    if (!(c->t[i].flags & TF_APOS))
        return false;
    char buf[64];
    size_t m = strip_apos(s, l, buf, sizeof buf);
    return m == n && memcmp(buf, w, n) == 0;
}
/* A literal's length is known at compile time: is() costs one length test for most words. */
#define is(c, i, w) is_n((c), (i), (w), __builtin_strlen(w))

static bool claimed(const struct ctx *c, size_t a, size_t b) {
    for (size_t i = a; i < b && i < c->nt; i++)
        if (c->claim[i])
            return true;
    return false;
}
static void claim(struct ctx *c, size_t a, size_t b) {
    for (size_t i = a; i < b && i < c->nt; i++)
        c->claim[i] = 1;
}

static char sym1(const struct ctx *c, size_t i) {
    return kind(c, i, TK_SYM) && tlen(c, i) == 1 ? c->lo[c->t[i].s] : 0;
}

/* A '.' or ',' inside a number ("1,200", "1.5"). */
static bool in_number(const struct ctx *c, size_t i) {
    return i > 0 && kind(c, i - 1, TK_NUM) && kind(c, i + 1, TK_NUM) && glued(c, i) &&
           glued(c, i + 1);
}

/* The end of a sentence: . ! ? ; or a break. A full stop counts only before a capital or
 * the end ("approx. 50k" goes on). */
static bool sent_end(const struct ctx *c, size_t i) {
    if (i >= c->nt || c->t[i].kind == TK_BREAK)
        return true;
    char ch = sym1(c, i);
    if (ch == '!' || ch == '?' || ch == ';')
        return true;
    if (ch != '.' || in_number(c, i))
        return false;
    if (i + 1 >= c->nt)
        return true;
    if (!c->t[i + 1].gap)
        return false;
    return c->t[i + 1].kind == TK_BREAK ||
           is_upper_start((const unsigned char *)c->text, c->len, c->t[i + 1].s);
}

/* The end of a clause: a sentence end, , : ( ) or but/however/aber. */
static bool clause_end(const struct ctx *c, size_t i) {
    if (sent_end(c, i))
        return true;
    char ch = sym1(c, i);
    if ((ch == ',' && !in_number(c, i)) || (ch == ':' && !in_number(c, i)) || ch == '(' ||
        ch == ')')
        return true;
    return role(c, i, R_CLAUSE);
}

/* ---- small token patterns ------------------------------------------------------------- */

struct num {
    size_t t0, t1;
    int64_t mant; /* value = mant / 10^scale */
    int scale;
    int groups; /* thousands groups ("1,200,000" has 2) */
    bool words;
};

static int64_t digits_val(const struct ctx *c, size_t i) {
    int64_t v = 0;
    for (uint32_t k = c->t[i].s; k < c->t[i].e; k++)
        v = v * 10 + (c->lo[k] - '0');
    return v;
}

/* A digit separator: ',' and '.' group thousands or mark decimals; the Swiss apostrophe
 * ("320'000", "320’000") only groups. */
static bool sep_at(const struct ctx *c, size_t i, char *ret) {
    char ch = sym1(c, i);
    if (is(c, i, "’"))
        ch = '\'';
    if (ch != ',' && ch != '.' && ch != '\'')
        return false;
    *ret = ch;
    return true;
}

/* Three digits after one space, no-break space or narrow no-break space: a thousands group
 * in "1 200". */
static bool space_group(const struct ctx *c, size_t j) {
    if (j == 0 || !kind(c, j, TK_NUM) || tlen(c, j) != 3 || !kind(c, j - 1, TK_NUM))
        return false;
    const char *sp = c->text + c->t[j - 1].e;
    size_t gl = c->t[j].s - c->t[j - 1].e;
    return (gl == 1 && sp[0] == ' ') || (gl == 2 && memcmp(sp, "\xC2\xA0", 2) == 0) ||
           (gl == 3 && memcmp(sp, "\xE2\x80\xAF", 3) == 0);
}

/* A number in digits at i: "12", "1,200", "1.200", "1,200.50", "12,5", "1.2". */
static bool parse_digits(const struct ctx *c, size_t i, struct num *n) {
    char ch;
    if (!kind(c, i, TK_NUM))
        return false;
    if (i > 0 && glued(c, i)) {
        if (wordish(c, i - 1))
            return false; /* "Q3", "v2", "SOC2" */
        if (sep_at(c, i - 1, &ch) && i >= 2 && kind(c, i - 2, TK_NUM) && glued(c, i - 1))
            return false; /* the middle of a number */
    }
    size_t nd = tlen(c, i);
    if (nd > 15)
        return false;
    int64_t v = digits_val(c, i);
    size_t j = i + 1;
    char grp = 0;
    int groups = 0;
    if (nd <= 3) {
        while (sep_at(c, j, &ch) && (!grp || ch == grp) && glued(c, j) && kind(c, j + 1, TK_NUM) &&
               glued(c, j + 1) && tlen(c, j + 1) == 3 && nd + 3 <= 15) {
            grp = ch;
            v = v * 1000 + digits_val(c, j + 1);
            nd += 3;
            groups++;
            j += 2;
        }
    }
    /* French and Swiss typography group with a space: "1 200 employés", "20 000 €" */
    if (nd <= 3 && !groups && (i == 0 || !kind(c, i - 1, TK_NUM))) {
        size_t k = j;
        int64_t w = v;
        size_t wd = nd;
        int sg = 0;
        while (space_group(c, k) && wd + 3 <= 15) {
            w = w * 1000 + digits_val(c, k);
            wd += 3;
            sg++;
            k++;
        }
        if (sg && !(kind(c, k, TK_NUM) && c->t[k].gap)) {
            v = w;
            nd = wd;
            groups = sg;
            j = k;
        }
    }
    int scale = 0;
    /* at most 18 digits in all, so the mantissa fits an int64 */
    if (sep_at(c, j, &ch) && ch != grp && ch != '\'' && glued(c, j) && kind(c, j + 1, TK_NUM) &&
        glued(c, j + 1) && tlen(c, j + 1) <= 6 && nd + tlen(c, j + 1) <= 18) {
        size_t fd = tlen(c, j + 1);
        for (size_t k = 0; k < fd; k++)
            v *= 10;
        v += digits_val(c, j + 1);
        scale = (int)fd;
        j += 2;
    }
    if (sep_at(c, j, &ch) && glued(c, j) && kind(c, j + 1, TK_NUM) && glued(c, j + 1))
        return false; /* "1.2.3", an address or a version */
    *n = (struct num){.t0 = i, .t1 = j, .mant = v, .scale = scale, .groups = groups};
    return true;
}

/* Does the number word at j add to the value so far ("twenty five", "treinta y cinco",
 * "doscientos cincuenta", "soixante-dix", "vingt et un")? */
static bool adds_to(int64_t cur, int64_t v) {
    if (v < 10 && cur >= 20 && cur % 10 == 0)
        return true; /* tens, then a unit */
    if (v >= 10 && v < 20 && (cur % 100 == 60 || cur % 100 == 80))
        return true; /* French: soixante-dix, quatre-vingt-douze */
    return v < 100 && cur >= 100 && cur % 100 == 0;
}

/* A number in words, in any of the six languages: "twelve", "two hundred and fifty",
 * "a dozen", "une douzaine", "zwölf", "treinta y cinco", "vingt-cinq", "zweihundert". */
static bool parse_words(const struct ctx *c, size_t i, struct num *n) {
    int64_t total = 0, cur = 0;
    size_t j = i;
    int last = 0; /* 1 a number word, 3 scale */
    bool any = false;
    if (role(c, i, R_ARTICLE)) {
        if (!role(c, i + 1, R_SCALE | R_DOZEN))
            return false;
        cur = 1;
        j++;
    }
    while (j < c->nt && total + cur < 1000000000000LL) {
        if (role(c, j, R_NUMW)) {
            int64_t v = c->t[j].nval;
            if (last == 1 && !adds_to(cur, v))
                break;
            cur += v;
            last = 1;
            any = true;
            j++;
            /* "twenty-five", "vingt-cinq"; "treinta y cinco", "vingt et un" */
            size_t k = j;
            if (is(c, k, "-") && glued(c, k) && glued(c, k + 1))
                k++;
            else if (is(c, k, "y") || is(c, k, "et"))
                k++;
            if (k > j && role(c, k, R_NUMW) && adds_to(cur, c->t[k].nval))
                j = k;
            continue;
        }
        if (role(c, j, R_SCALE) && (any || cur)) {
            int64_t s = kval(c, j);
            if (s == 100) {
                cur = (cur ? cur : 1) * 100;
            } else {
                total += (cur ? cur : 1) * s;
                cur = 0;
            }
            any = true;
            last = 3;
            j++;
            if (is(c, j, "and") && role(c, j + 1, R_NUMW))
                j++;
            continue;
        }
        if (role(c, j, R_DOZEN) && (any || cur)) {
            cur = (cur ? cur : 1) * kval(c, j);
            any = true;
            last = 3;
            j++;
            continue;
        }
        break;
    }
    if (!any)
        return false;
    *n = (struct num){.t0 = i, .t1 = j, .mant = total + cur, .words = true};
    return true;
}

static bool parse_number(const struct ctx *c, size_t i, struct num *n) {
    return parse_digits(c, i, n) || parse_words(c, i, n);
}

/* A multiplier after a number: "200k", "1.2M", "1.2 million", "5 Mio.". */
static int64_t parse_mult(const struct ctx *c, size_t j, size_t *ret_end) {
    if (is(c, j, "t") && is(c, j + 1, "€") && glued(c, j + 1) && c->text[c->t[j].s] == 'T') {
        *ret_end = j + 1; /* "130 T€": thousand euros; the € is read as the currency */
        return 1000;
    }
    if (!role(c, j, R_MULT))
        return 0;
    if (tlen(c, j) <= 2 && !glued(c, j))
        return 0; /* "k", "M", "bn" touch the number */
    size_t e = j + 1;
    if ((is(c, j, "mio") || is(c, j, "tsd") || is(c, j, "mrd")) && is(c, e, ".") && glued(c, e))
        e++;
    *ret_end = e;
    return kval(c, j);
}

/* A whole count: "12", "1,200", "1.200", "two hundred", "10k". */
static bool parse_count(const struct ctx *c, size_t i, int64_t *ret, size_t *ret_end) {
    struct num n;
    if (!parse_number(c, i, &n))
        return false;
    size_t e = n.t1;
    int64_t m = parse_mult(c, e, &e);
    if (m) {
        if (n.groups == 1 && n.scale == 0)
            n.scale = 3; /* "1.5k" yes, but "1.500k" is 1.5 thousand too */
    } else {
        m = 1;
    }
    __int128 v = (__int128)n.mant * m, div = 1;
    for (int s = 0; s < n.scale; s++)
        div *= 10;
    if (v % div != 0)
        return false;
    v /= div;
    if (v <= 0 || v > 1000000000000LL)
        return false;
    *ret = (int64_t)v;
    *ret_end = e;
    return true;
}

/* Match a token pattern at i: elements separated by spaces, each a literal word or
 * symbol, "{a|b}" for one of several, or "#" for a number; a trailing "?" makes an element
 * optional, "*" lets it repeat up to three times. Returns the end token or 0. */
static bool pat_elem(const struct ctx *c, size_t j, const char *el, size_t n, size_t *ret_end) {
    if (j >= c->nt || c->t[j].kind == TK_BREAK)
        return false;
    if (n == 1 && el[0] == '#') {
        struct num x;
        if (!parse_digits(c, j, &x))
            return false;
        *ret_end = x.t1;
        return true;
    }
    if (el[0] == '{') {
        const char *p = el + 1, *end = el + n - 1;
        while (p < end) {
            const char *q = p;
            while (q < end && *q != '|')
                q++;
            if (is_n(c, j, p, (size_t)(q - p))) {
                *ret_end = j + 1;
                return true;
            }
            p = q + 1;
        }
        return false;
    }
    if (!is_n(c, j, el, n))
        return false;
    *ret_end = j + 1;
    return true;
}

static size_t pat_match(const struct ctx *c, size_t i, const char *pat) {
    size_t j = i;
    const char *p = pat;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            return j > i ? j : 0;
        size_t n = 0;
        if (*p == '{')
            while (p[n++] != '}')
                ;
        else
            while (p[n] && p[n] != ' ' && p[n] != '?' && p[n] != '*')
                n++;
        char mod = (p[n] == '?' || p[n] == '*') ? p[n] : 0;
        int reps = 0, max = mod == '*' ? 3 : 1;
        size_t e;
        while (reps < max && pat_elem(c, j, p, n, &e)) {
            j = e;
            reps++;
        }
        if (reps == 0 && !mod)
            return 0;
        p += n + (mod ? 1 : 0);
    }
}

/* A pattern that ends exactly at token `end`, starting up to 5 tokens before it; returns
 * its start or SIZE_MAX. */
static size_t pat_before(const struct ctx *c, size_t end, const char *pat) {
    for (size_t k = end < 5 ? end : 5; k >= 1; k--)
        if (pat_match(c, end - k, pat) == end)
            return end - k;
    return SIZE_MAX;
}

/* ---- vocabulary lookup ---------------------------------------------------------------- */

/* Does phrase p match the text at token i? Returns the end token or 0. Hyphens and
 * slashes are optional between words ("on-prem" = "on prem"), the last word of a plural
 * phrase matches singular and plural. */
static size_t phrase_match(const struct ctx *c, const struct phrase *p, size_t i) {
    size_t j = i;
    for (uint32_t k = 0; k < p->nt; k++) {
        const struct tok *pt = &p->t[k];
        if (joiner(p->lo, pt))
            continue;
        if (j > i)
            while (j < c->nt && joiner(c->lo, &c->t[j]))
                j++;
        if (j >= c->nt)
            return 0;
        const struct tok *tt = &c->t[j];
        if (tt->kind != pt->kind)
            return 0;
        size_t tl = tt->e - tt->s, pl = pt->e - pt->s;
        const char *ts = c->lo + tt->s, *ps = p->lo + pt->s;
        if (tl != pl || memcmp(ts, ps, pl) != 0) {
            if (k + 1 != p->nt || !(p->flags & PH_PLURAL) || tt->kind != TK_WORD ||
                !plural_eq(ts, tl, ps, pl))
                return 0;
        }
        j++;
    }
    if (!free_at(c, j))
        return 0;
    if (!c->loose && (p->flags & PH_UPPER)) {
        for (uint32_t b = c->t[i].s; b < c->t[j - 1].e; b++)
            if (c->text[b] >= 'a' && c->text[b] <= 'z')
                return 0;
    }
    if (!c->loose && (p->flags & PH_CAP) &&
        !is_upper_start((const unsigned char *)c->text, c->len, c->t[i].s))
        return 0;
    return j;
}

/* The longest phrase of ix starting at token i whose key is key[0..kl), or NULL. */
static const struct phrase *vocab_probe(const struct ctx *c, const struct tindex *ix, size_t i,
                                        const char *key, size_t kl, size_t *ret_end) {
    uint32_t h = hash_bytes(key, kl) & (uint32_t)ix->mask;
    for (;;) {
        uint32_t s = ix->slot[h];
        if (!s)
            return NULL;
        if (key_eq(&ix->ph[s - 1], key, kl)) {
            for (uint32_t q = s; q; q = ix->ph[q - 1].next) {
                size_t e = phrase_match(c, &ix->ph[q - 1], i);
                if (e) {
                    *ret_end = e;
                    return &ix->ph[q - 1];
                }
            }
            return NULL;
        }
        h = (h + 1) & (uint32_t)ix->mask;
    }
}

/* The longest phrase of ix starting at token i, or NULL. A word ending in "n" is tried
 * again without it, for German plurals ("Standorten"). */
static const struct phrase *vocab_at(const struct ctx *c, const struct tindex *ix, size_t i,
                                     size_t *ret_end) {
    if (!ix || !ix->n || !wordish(c, i) || !free_at(c, i))
        return NULL;
    char key[KEY_MAX];
    const char *w = c->lo + c->t[i].s;
    size_t n = tlen(c, i), kl = stem(w, n, key, KEY_MAX);
    const struct phrase *p = vocab_probe(c, ix, i, key, kl, ret_end);
    if (!p && n > 4 && w[n - 1] == 'n' && c->t[i].kind == TK_WORD) {
        kl = stem(w, n - 1, key, KEY_MAX);
        p = vocab_probe(c, ix, i, key, kl, ret_end);
    }
    return p;
}

/* ---- number words in six languages ---------------------------------------------------- */

enum { LANG_EN = 1, LANG_DE = 2, LANG_FR = 4, LANG_ES = 8, LANG_IT = 16, LANG_NL = 32 };

/* The parts number words are written with, German, Dutch, Italian and Spanish run them
 * together ("fünfundzwanzig", "vijfentwintig", "trentadue", "veintidós", "zweihundert").
 * kind: 'u' a value that may stand alone, 'e' one that needs more after it ("vent" of
 * "ventotto", "veinti"), 'h' hundred, 'k' thousand, 'j' a joiner inside the word ("und",
 * "en"). English and the simple German words are keywords (kwdefs). */
static const struct {
    const char *m;
    int32_t v;
    char kind;
} morphemes[] = {
    /* German */
    {"zwei", 2, 'u'},
    {"drei", 3, 'u'},
    {"vier", 4, 'u'},
    {"fünf", 5, 'u'},
    {"sechs", 6, 'u'},
    {"sieben", 7, 'u'},
    {"acht", 8, 'u'},
    {"neun", 9, 'u'},
    {"zehn", 10, 'u'},
    {"elf", 11, 'u'},
    {"zwölf", 12, 'u'},
    {"dreizehn", 13, 'u'},
    {"vierzehn", 14, 'u'},
    {"fünfzehn", 15, 'u'},
    {"sechzehn", 16, 'u'},
    {"siebzehn", 17, 'u'},
    {"achtzehn", 18, 'u'},
    {"neunzehn", 19, 'u'},
    {"zwanzig", 20, 'u'},
    {"dreißig", 30, 'u'},
    {"dreissig", 30, 'u'},
    {"vierzig", 40, 'u'},
    {"fünfzig", 50, 'u'},
    {"sechzig", 60, 'u'},
    {"siebzig", 70, 'u'},
    {"achtzig", 80, 'u'},
    {"neunzig", 90, 'u'},
    {"ein", 1, 'e'},
    {"hundert", 100, 'h'},
    {"tausend", 1000, 'k'},
    {"und", 0, 'j'},
    /* Dutch */
    {"twee", 2, 'u'},
    {"drie", 3, 'u'},
    {"vijf", 5, 'u'},
    {"zes", 6, 'u'},
    {"zeven", 7, 'u'},
    {"negen", 9, 'u'},
    {"tien", 10, 'u'},
    {"twaalf", 12, 'u'},
    {"dertien", 13, 'u'},
    {"veertien", 14, 'u'},
    {"vijftien", 15, 'u'},
    {"zestien", 16, 'u'},
    {"zeventien", 17, 'u'},
    {"achttien", 18, 'u'},
    {"negentien", 19, 'u'},
    {"twintig", 20, 'u'},
    {"dertig", 30, 'u'},
    {"veertig", 40, 'u'},
    {"vijftig", 50, 'u'},
    {"zestig", 60, 'u'},
    {"zeventig", 70, 'u'},
    {"tachtig", 80, 'u'},
    {"negentig", 90, 'u'},
    {"een", 1, 'e'},
    {"één", 1, 'e'},
    {"honderd", 100, 'h'},
    {"duizend", 1000, 'k'},
    {"en", 0, 'j'},
    {"ën", 0, 'j'},
    /* French (compounds take hyphens: "vingt-cinq", read token by token) */
    {"deux", 2, 'u'},
    {"trois", 3, 'u'},
    {"quatre", 4, 'u'},
    {"cinq", 5, 'u'},
    {"six", 6, 'u'},
    {"sept", 7, 'u'},
    {"huit", 8, 'u'},
    {"neuf", 9, 'u'},
    {"dix", 10, 'u'},
    {"onze", 11, 'u'},
    {"douze", 12, 'u'},
    {"treize", 13, 'u'},
    {"quatorze", 14, 'u'},
    {"quinze", 15, 'u'},
    {"seize", 16, 'u'},
    {"vingt", 20, 'u'},
    {"vingts", 20, 'u'},
    {"trente", 30, 'u'},
    {"quarante", 40, 'u'},
    {"cinquante", 50, 'u'},
    {"soixante", 60, 'u'},
    /* Spanish */
    {"dos", 2, 'u'},
    {"tres", 3, 'u'},
    {"cuatro", 4, 'u'},
    {"cinco", 5, 'u'},
    {"seis", 6, 'u'},
    {"siete", 7, 'u'},
    {"ocho", 8, 'u'},
    {"nueve", 9, 'u'},
    {"diez", 10, 'u'},
    {"once", 11, 'u'},
    {"doce", 12, 'u'},
    {"trece", 13, 'u'},
    {"catorce", 14, 'u'},
    {"quince", 15, 'u'},
    {"dieci", 10, 'e'},
    {"veinte", 20, 'u'},
    {"veinti", 20, 'e'},
    {"treinta", 30, 'u'},
    {"cuarenta", 40, 'u'},
    {"cincuenta", 50, 'u'},
    {"sesenta", 60, 'u'},
    {"setenta", 70, 'u'},
    {"ochenta", 80, 'u'},
    {"noventa", 90, 'u'},
    {"dós", 2, 'u'},
    {"trés", 3, 'u'},
    {"séis", 6, 'u'},
    {"cien", 100, 'u'},
    {"ciento", 100, 'u'},
    {"doscientos", 200, 'u'},
    {"doscientas", 200, 'u'},
    {"trescientos", 300, 'u'},
    {"trescientas", 300, 'u'},
    {"cuatrocientos", 400, 'u'},
    {"quinientos", 500, 'u'},
    {"seiscientos", 600, 'u'},
    {"setecientos", 700, 'u'},
    {"ochocientos", 800, 'u'},
    {"novecientos", 900, 'u'},
    /* Italian */
    {"due", 2, 'u'},
    {"tre", 3, 'u'},
    {"tré", 3, 'u'},
    {"quattro", 4, 'u'},
    {"cinque", 5, 'u'},
    {"sei", 6, 'u'},
    {"sette", 7, 'u'},
    {"otto", 8, 'u'},
    {"nove", 9, 'u'},
    {"dieci", 10, 'u'},
    {"undici", 11, 'u'},
    {"dodici", 12, 'u'},
    {"tredici", 13, 'u'},
    {"quattordici", 14, 'u'},
    {"quindici", 15, 'u'},
    {"sedici", 16, 'u'},
    {"diciassette", 17, 'u'},
    {"diciotto", 18, 'u'},
    {"diciannove", 19, 'u'},
    {"venti", 20, 'u'},
    {"vent", 20, 'e'},
    {"trenta", 30, 'u'},
    {"trent", 30, 'e'},
    {"quaranta", 40, 'u'},
    {"quarant", 40, 'e'},
    {"cinquanta", 50, 'u'},
    {"cinquant", 50, 'e'},
    {"sessanta", 60, 'u'},
    {"sessant", 60, 'e'},
    {"settanta", 70, 'u'},
    {"settant", 70, 'e'},
    {"ottanta", 80, 'u'},
    {"ottant", 80, 'e'},
    {"novanta", 90, 'u'},
    {"novant", 90, 'e'},
    {"uno", 1, 'e'},
    {"cento", 100, 'h'},
    {"mila", 1000, 'k'},
};

static void morphemes_init(void) {
    _Static_assert(DW_ARRAY_SIZE(morphemes) <= MORPHEMES, "MORPHEMES too small");
    size_t o = 0;
    for (unsigned b = 0; b < 256; b++) {
        g.morph_start[b] = (uint16_t)o;
        for (size_t k = 0; k < DW_ARRAY_SIZE(morphemes); k++)
            if ((unsigned char)morphemes[k].m[0] == b)
                g.morph[o++] = (uint8_t)k;
    }
    g.morph_start[256] = (uint16_t)o;
    for (size_t k = 0; k < DW_ARRAY_SIZE(morphemes); k++)
        g.morph_len[k] = (uint8_t)strlen(morphemes[k].m);
}

/* Number words that are common words in another language count only before a unit noun
 * of their own: Spanish "once" (English "once"), Italian "due" and "sei" (English "due",
 * German "sei"). */
static const struct {
    const char *w;
    uint8_t lang;
} weak_numbers[] = {{"once", LANG_ES}, {"due", LANG_IT}, {"sei", LANG_IT}};

/* The value of a number written as one word in any of the six languages ("zwölf",
 * "vijfentwintig", "trentadue", "veintidós", "zweihundertfünfzig"), or -1. A lone 1
 * ("een", "uno") is an article, not a number. */
static int32_t word_number(const char *w, size_t n) {
    int64_t total = 0, cur = 0;
    size_t i = 0;
    char last = 0;
    int parts = 0;
    while (i < n) {
        size_t best = 0, bl = 0;
        unsigned b = (unsigned char)w[i];
        for (size_t m = g.morph_start[b]; m < g.morph_start[b + 1]; m++) {
            size_t k = g.morph[m], l = g.morph_len[k];
            if (l > bl && l <= n - i && memcmp(w + i, morphemes[k].m, l) == 0) {
                best = k;
                bl = l;
            }
        }
        if (!bl)
            return -1;
        char kd = morphemes[best].kind;
        int32_t v = morphemes[best].v;
        if (kd == 'j') {
            if (last != 'u' && last != 'e')
                return -1;
        } else if (kd == 'h') {
            cur = (cur ? cur : 1) * v;
        } else if (kd == 'k') {
            total += (cur ? cur : 1) * v;
            cur = 0;
        } else {
            cur += v;
        }
        last = kd;
        parts++;
        i += bl;
        if (total + cur > 1000000)
            return -1;
    }
    if (last == 'j' || (parts == 1 && (last == 'e' || total + cur <= 1)))
        return -1;
    return (int32_t)(total + cur);
}

/* ---- keywords and negation ------------------------------------------------------------ */

static void classify(struct ctx *c) {
    char buf[40];
    for (size_t i = 0; i < c->nt; i++) {
        struct tok *k = &c->t[i];
        if (k->kind != TK_WORD)
            continue;
        const char *s = c->lo + k->s;
        size_t l = k->e - k->s;
        if (k->flags & TF_APOS) {
            /* "don't", "isn’t": any n't is a negation */
            if (l >= 3 && s[l - 1] == 't' &&
                ((s[l - 2] == '\'' && s[l - 3] == 'n') ||
                 (l >= 5 && memcmp(s + l - 4, "\xE2\x80\x99", 3) == 0 && s[l - 5] == 'n')))
                k->roles |= R_NEG;
            l = strip_apos(s, l, buf, sizeof buf);
            s = buf;
        }
        if (l == 0 || l >= sizeof buf)
            continue;
        int kw = kw_find(s, l);
        if (kw) {
            k->kw = (uint16_t)kw;
            k->roles |= kwdefs[kw - 1].roles;
            k->nval = (int32_t)kwdefs[kw - 1].val;
        }
        if (!(k->roles & (R_NUMW | R_ARTICLE | R_SCALE | R_DOZEN)) && l >= 3) {
            int32_t v = word_number(s, l);
            if (v > 0) {
                bool weak = false;
                for (size_t w = 0; w < DW_ARRAY_SIZE(weak_numbers); w++)
                    weak = weak ||
                           (strlen(weak_numbers[w].w) == l && memcmp(weak_numbers[w].w, s, l) == 0);
                k->flags |= weak ? TF_WEAKNUM : 0;
                k->roles |= weak ? 0 : R_NUMW;
                k->nval = v;
            }
        }
    }
}

/* Length of the negation trigger at i, 0 if none. */
static size_t neg_trigger(const struct ctx *c, size_t i) {
    if (!role(c, i, R_NEG))
        return 0;
    if (is(c, i, "instead"))
        return is(c, i + 1, "of") ? 2 : 0;
    if (is(c, i, "rather"))
        return is(c, i + 1, "than") ? 2 : 0;
    if (is(c, i, "no") && is(c, i + 1, ".") && glued(c, i + 1))
        return 0; /* "No. of users" */
    static const char *const not_neg[] = {"only",  "just",    "sure", "matter", "doubt", "later",
                                          "least", "problem", "nur",  "more",   "less"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(not_neg); k++)
        if (is(c, i + 1, not_neg[k]))
            return 0;
    return 1;
}

/* After a comma inside a negated clause: does a bare list of capabilities follow ("we
 * don't need SD-WAN, Wi-Fi or switches")? Returns where that list ends, or 0. */
static size_t neg_list_continues(const struct ctx *c, size_t j) {
    size_t k = j + 1, e;
    bool any = false;
    for (;;) {
        while (is(c, k, "or") || is(c, k, "and") || is(c, k, "nor") || is(c, k, "any") ||
               is(c, k, "the") || is(c, k, "a") || is(c, k, "an") || is(c, k, "oder") ||
               is(c, k, "und") || is(c, k, "noch"))
            k++;
        if (!vocab_at(c, c->caps, k, &e))
            break;
        any = true;
        k = e;
        if (sym1(c, k) == ',') {
            k++;
            continue;
        }
        if (!is(c, k, "or") && !is(c, k, "and") && !is(c, k, "nor") && !is(c, k, "oder") &&
            !is(c, k, "und"))
            break;
    }
    return any && (k >= c->nt || clause_end(c, k)) ? k : 0;
}

/* A verb that asks for something, starting a new request after "and": "... and send",
 * "... und schicken Sie". */
static bool request_verb(const struct ctx *c, size_t j) {
    static const char *const v[] = {"send",     "provide", "confirm", "share", "quote",
                                    "include",  "please",  "let",     "tell",  "give",
                                    "schicken", "senden",  "nennen",  "bitte", "teilen"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(v); k++)
        if (is(c, j, v[k]))
            return true;
    return false;
}

/* Mark every token inside a negated clause: from the trigger to the end of its clause, or
 * to "and we"/"or I" (a new subject) or "and send" (a new request). */
static void mark_negation(struct ctx *c) {
    for (size_t i = 0; i < c->nt;) {
        size_t n = neg_trigger(c, i);
        if (!n) {
            i++;
            continue;
        }
        size_t j = i + n;
        while (j < c->nt) {
            if (clause_end(c, j)) {
                size_t e = sym1(c, j) == ',' ? neg_list_continues(c, j) : 0;
                if (!e)
                    break;
                j = e;
                continue;
            }
            if ((is(c, j, "and") || is(c, j, "or") || is(c, j, "und") || is(c, j, "oder")) &&
                (role(c, j + 1, R_PRON) || request_verb(c, j + 1)))
                break; /* "not ITAR-controlled and send the ECCN under the EAR" */
            j++;
        }
        for (size_t k = i; k < j && k < c->nt; k++)
            c->t[k].flags |= TF_NEG;
        i = j > i ? j : i + 1;
    }
}

/* "SD-WAN is not needed", "on-prem: not required", "Hardware: no". */
static bool trailing_neg(const struct ctx *c, size_t e) {
    size_t j = e;
    char ch = sym1(c, j);
    if (ch == ':' || ch == '-' || is(c, j, "–")) {
        if ((is(c, j + 1, "no") || is(c, j + 1, "none") || is(c, j + 1, "nein")) &&
            (j + 2 >= c->nt || clause_end(c, j + 2)))
            return true;
        j++;
    }
    bool need = false; /* German word order: "WLAN brauchen wir nicht" */
    for (size_t k = j; k < j + 6 && k < c->nt && !clause_end(c, k); k++) {
        if (!neg_trigger(c, k)) {
            need = need || role(c, k, R_NEED);
            continue;
        }
        if (need && (k + 1 >= c->nt || clause_end(c, k + 1)))
            return true;
        for (size_t m = k + 1; m <= k + 3 && m < c->nt && !clause_end(c, m); m++)
            if (role(c, m, R_NEED))
                return true;
        return false;
    }
    return false;
}

/* ---- JSON helpers --------------------------------------------------------------------- */

static void put(struct ctx *c, json_t *o, const char *key, json_t *v) {
    if (!v || json_object_set_new(o, key, v) != 0)
        c->oom = true;
}

/* Adds "text" and "span" for tokens [t0, t1). */
static void put_span(struct ctx *c, json_t *o, size_t t0, size_t t1) {
    size_t s = c->t[t0].s, e = c->t[t1 - 1].e;
    put(c, o, "text", json_stringn(c->text + s, e - s));
    put(c, o, "span", json_pack("[I,I]", (json_int_t)s, (json_int_t)e));
}

static json_t *new_item(struct ctx *c) {
    json_t *o = json_object();
    if (!o)
        c->oom = true;
    return o;
}

/* How sure the engine is of a fact, in percent (docs/internals/extraction.md lists the
 * grades); an integer, as everything the engine writes that is compared later. */
static void put_conf(struct ctx *c, json_t *o, int pct) {
    if (o)
        put(c, o, "confidence", json_integer(pct));
}

/* A fact of one value: {key: value, text, span} for tokens [t0, t1); value is stolen. */
static json_t *fact(struct ctx *c, const char *key, json_t *value, size_t t0, size_t t1) {
    json_t *o = new_item(c);
    if (!o) {
        json_decref(value);
        return NULL;
    }
    put(c, o, key, value);
    put_span(c, o, t0, t1);
    put_conf(c, o, 85);
    return o;
}

static void append(struct ctx *c, json_t *arr, json_t *o) {
    if (!o || json_array_append_new(arr, o) != 0)
        c->oom = true;
}

static bool has_name(json_t *arr, const char *name) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *n = dw_json_str(v, "name");
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

/* ---- dates ---------------------------------------------------------------------------- */

struct dhit {
    size_t t0, t1;
    int64_t days;
    bool rel;    /* depends on received_at */
    bool strong; /* a deadline by its words alone ("ASAP", "next week", "end of Q3") */
};

static unsigned mdays(int y, unsigned m) {
    static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static bool valid_ymd(int64_t y, int64_t m, int64_t d) {
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= mdays((int)y, (unsigned)m);
}

static int64_t month_end(int y, unsigned m) {
    return dw_days_from_civil(y, m, mdays(y, m));
}

/* The last day of the month `n` months after today's month. */
static int64_t month_end_after(const struct ctx *c, int64_t n) {
    int64_t mm = (int64_t)c->tm - 1 + n;
    return month_end(c->ty + (int)(mm / 12), (unsigned)(mm % 12) + 1);
}

static int64_t add_months(const struct ctx *c, int64_t n) {
    int64_t mm = (int64_t)c->tm - 1 + n;
    int y = c->ty + (int)(mm / 12);
    unsigned m = (unsigned)(mm % 12) + 1, d = c->td;
    if (d > mdays(y, m))
        d = mdays(y, m);
    return dw_days_from_civil(y, m, d);
}

static bool year_at(const struct ctx *c, size_t j, int *ret) {
    if (!kind(c, j, TK_NUM) || tlen(c, j) != 4 || !free_at(c, j + 1))
        return false;
    int64_t y = digits_val(c, j);
    if (y < 1900 || y > 2200)
        return false;
    *ret = (int)y;
    return true;
}

static size_t skip_ordinal(const struct ctx *c, size_t j) {
    if (glued(c, j) && (is(c, j, "st") || is(c, j, "nd") || is(c, j, "rd") || is(c, j, "th")))
        return j + 1;
    return j;
}

/* "2027-03-31", "31.03.2027", "31/03/2027", "03/31/2027". */
static bool date_numeric(const struct ctx *c, size_t i, struct dhit *h) {
    if (!kind(c, i, TK_NUM) || !kind(c, i + 2, TK_NUM) || !kind(c, i + 4, TK_NUM))
        return false;
    for (size_t k = i + 1; k <= i + 4; k++)
        if (!glued(c, k))
            return false;
    if (i > 0 && glued(c, i) && c->t[i - 1].kind != TK_SYM)
        return false;
    char s1 = sym1(c, i + 1), s2 = sym1(c, i + 3), ch;
    if (s1 != s2 || (s1 != '-' && s1 != '/' && s1 != '.'))
        return false;
    if (!free_at(c, i + 5) && !is(c, i + 5, "t"))
        return false;
    if (sep_at(c, i + 5, &ch) && glued(c, i + 5) && kind(c, i + 6, TK_NUM) && glued(c, i + 6))
        return false; /* "10.1.2.3" */
    size_t la = tlen(c, i), lb = tlen(c, i + 2), lc = tlen(c, i + 4);
    if (la > 4 || lb > 2 || lc > 4)
        return false;
    int64_t a = digits_val(c, i), b = digits_val(c, i + 2), e = digits_val(c, i + 4), y, m, d;
    if (la == 4 && lc <= 2 && s1 != '.') {
        y = a, m = b, d = e;
    } else if (la <= 2 && (lc == 4 || lc == 2)) {
        y = lc == 2 ? 2000 + e : e;
        if (s1 == '/' && a <= 12 && b > 12)
            m = a, d = b; /* only unambiguous US order; otherwise day first */
        else
            d = a, m = b;
    } else {
        return false;
    }
    if (!valid_ymd(y, m, d))
        return false;
    *h = (struct dhit){
        .t0 = i, .t1 = i + 5, .days = dw_days_from_civil((int)y, (unsigned)m, (unsigned)d)};
    return true;
}

/* Day and month known, then an optional ", 2027" at j; without a year, the next such day
 * not before today. */
static bool finish_day_month(const struct ctx *c, size_t t0, size_t j, int64_t d, int64_t m,
                             struct dhit *h) {
    size_t k = sym1(c, j) == ',' ? j + 1 : j;
    int y;
    bool rel = false;
    if (year_at(c, k, &y)) {
        j = k + 1;
    } else {
        y = c->ty;
        rel = true;
        if (valid_ymd(y, m, d) && dw_days_from_civil(y, (unsigned)m, (unsigned)d) < c->today)
            y++;
    }
    if (!valid_ymd(y, m, d))
        return false;
    *h = (struct dhit){
        .t0 = t0, .t1 = j, .rel = rel, .days = dw_days_from_civil(y, (unsigned)m, (unsigned)d)};
    return true;
}

static bool month_ok(const struct ctx *c, size_t i) {
    /* "may", "jan", "mar" are months only when written with a capital */
    return role(c, i, R_MONTH) &&
           (!role(c, i, R_MAMBIG) ||
            is_upper_start((const unsigned char *)c->text, c->len, c->t[i].s));
}

/* "15 January 2027", "15th of March", "15. Januar 2027". */
static bool date_day_month(const struct ctx *c, size_t i, struct dhit *h) {
    if (!kind(c, i, TK_NUM) || tlen(c, i) > 2 || (i > 0 && glued(c, i) && wordish(c, i - 1)))
        return false;
    int64_t d = digits_val(c, i);
    size_t j = skip_ordinal(c, i + 1);
    if (sym1(c, j) == '.' && glued(c, j))
        j++;
    if (is(c, j, "of"))
        j++;
    if (!month_ok(c, j))
        return false;
    int64_t m = kval(c, j);
    j++;
    if (tlen(c, j - 1) <= 4 && sym1(c, j) == '.' && glued(c, j) && !sent_end(c, j))
        j++; /* "15 Jan. 2027", but not the full stop of "by 15 May." */
    return finish_day_month(c, i, j, d, m, h);
}

/* "March 31, 2027", "March 2027" (its last day), and "by March" (the next end of March). */
static bool date_month(const struct ctx *c, size_t i, struct dhit *h) {
    if (!month_ok(c, i))
        return false;
    int64_t m = kval(c, i);
    size_t j = i + 1;
    if (tlen(c, i) <= 4 && sym1(c, j) == '.' && glued(c, j) && !sent_end(c, j))
        j++;
    if (kind(c, j, TK_NUM) && tlen(c, j) <= 2) {
        size_t k = skip_ordinal(c, j + 1);
        if (free_at(c, k) && finish_day_month(c, i, k, digits_val(c, j), m, h))
            return true;
    }
    size_t k = sym1(c, j) == ',' ? j + 1 : j;
    int y;
    if (year_at(c, k, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = k + 1, .days = month_end(y, (unsigned)m)};
        return true;
    }
    if (i > 0 && (role(c, i - 1, R_DTRIG) || is(c, i - 1, "in") || is(c, i - 1, "of") ||
                  is(c, i - 1, "end") || is(c, i - 1, "ende") || is(c, i - 1, "im") ||
                  is(c, i - 1, "zum"))) {
        y = c->ty;
        if (month_end(y, (unsigned)m) < c->today)
            y++;
        *h = (struct dhit){.t0 = i, .t1 = j, .days = month_end(y, (unsigned)m), .rel = true};
        return true;
    }
    return false;
}

/* "Q3", "Q3 2027", "Q3/2027": the last day of that quarter (the next one without a year). */
static bool date_quarter(const struct ctx *c, size_t i, struct dhit *h) {
    if (!is(c, i, "q") || !kind(c, i + 1, TK_NUM) || !glued(c, i + 1) || tlen(c, i + 1) != 1 ||
        !free_at(c, i) || !free_at(c, i + 2))
        return false;
    int q = c->lo[c->t[i + 1].s] - '0', y;
    if (q < 1 || q > 4)
        return false;
    size_t k = i + 2;
    if ((is(c, k, "/") || is(c, k, "-")) && glued(c, k))
        k++;
    if (year_at(c, k, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = k + 1, .days = month_end(y, (unsigned)q * 3)};
        return true;
    }
    y = c->ty;
    if (month_end(y, (unsigned)q * 3) < c->today)
        y++;
    *h = (struct dhit){.t0 = i, .t1 = i + 2, .days = month_end(y, (unsigned)q * 3), .rel = true};
    return true;
}

/* "first quarter 2027", "im ersten Quartal", "Ende des dritten Quartals 2027": the last
 * day of that quarter (the next one without a year). */
static bool date_quarter_words(const struct ctx *c, size_t i, struct dhit *h) {
    static const char *const ord[][2] = {
        {"first", "ersten"}, {"second", "zweiten"}, {"third", "dritten"}, {"fourth", "vierten"},
        {"1st", "erste"},    {"2nd", "zweite"},     {"3rd", "dritte"},    {"4th", "vierte"}};
    int q = 0;
    if (!role(c, i + 1, R_TUNIT) || kval(c, i + 1) != TU_QUARTER)
        return false;
    for (int k = 0; k < 8 && !q; k++)
        if (is(c, i, ord[k][0]) || is(c, i, ord[k][1]))
            q = k % 4 + 1;
    if (!q || !role(c, i + 1, R_TUNIT) || kval(c, i + 1) != TU_QUARTER)
        return false;
    int y;
    size_t j = i + 2;
    if (is(c, j, "of") || is(c, j, "des"))
        j++;
    if (year_at(c, j, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = month_end(y, (unsigned)q * 3)};
        return true;
    }
    y = c->ty;
    if (month_end(y, (unsigned)q * 3) < c->today)
        y++;
    *h = (struct dhit){.t0 = i, .t1 = i + 2, .days = month_end(y, (unsigned)q * 3), .rel = true};
    return true;
}

/* "mid-February", "Mitte März 2027": the 15th of that month (the next one without a year). */
static bool date_mid(const struct ctx *c, size_t i, struct dhit *h) {
    if (!is(c, i, "mid") && !is(c, i, "mitte") && !is(c, i, "middle"))
        return false;
    size_t j = i + 1;
    if (is(c, j, "-") || is(c, j, "of"))
        j++;
    if (!month_ok(c, j))
        return false;
    int64_t m = kval(c, j);
    int y;
    if (year_at(c, j + 1, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 2, .days = dw_days_from_civil(y, (unsigned)m, 15)};
        return true;
    }
    y = c->ty;
    if (dw_days_from_civil(y, (unsigned)m, 15) < c->today)
        y++;
    *h = (struct dhit){
        .t0 = i, .t1 = j + 1, .days = dw_days_from_civil(y, (unsigned)m, 15), .rel = true};
    return true;
}

static bool is_next_word(const struct ctx *c, size_t j) {
    return is(c, j, "next") || is(c, j, "coming") || is(c, j, "nächste") || is(c, j, "nächsten") ||
           is(c, j, "nächster") || is(c, j, "naechste") || is(c, j, "naechsten") ||
           is(c, j, "kommende") || is(c, j, "kommenden");
}

/* "[this|the|next] week|month|quarter|year", "des Jahres": the end of that period (the
 * Friday of a week). *ret_next says "next". */
static bool period_ref(const struct ctx *c, size_t j, size_t *ret_end, int64_t *ret_days,
                       bool *ret_next) {
    int next = 0;
    if (is_next_word(c, j)) {
        next = 1;
        j++;
    } else if (is(c, j, "the") || is(c, j, "this") || is(c, j, "des") || is(c, j, "dieses") ||
               is(c, j, "diese") || is(c, j, "diesen") || is(c, j, "current")) {
        j++;
    }
    if (!role(c, j, R_TUNIT))
        return false;
    int64_t days;
    switch (kval(c, j)) {
    case TU_WEEK:
        days = c->today - c->wd + 4 + 7 * next;
        if (days < c->today)
            days = c->today;
        break;
    case TU_MONTH:
        days = month_end_after(c, next);
        break;
    case TU_QUARTER:
        days = month_end_after(c, (int64_t)(2 - (c->tm - 1) % 3) + 3 * next);
        break;
    case TU_YEAR:
        days = month_end(c->ty + next, 12);
        break;
    default:
        return false;
    }
    *ret_end = j + 1;
    *ret_days = days;
    *ret_next = next;
    return true;
}

/* "end of Q3", "end of March 2027", "by the end of the year", "year-end", "Ende Q3",
 * "Jahresende", "end of 2027". */
static bool date_end(const struct ctx *c, size_t i, struct dhit *h) {
    if (is(c, i, "eoy") || is(c, i, "jahresende") || is(c, i, "yearend")) {
        int y;
        if (year_at(c, i + 1, &y)) { /* "Jahresende 2027" */
            *h = (struct dhit){.t0 = i, .t1 = i + 2, .days = month_end(y, 12), .strong = true};
            return true;
        }
        *h = (struct dhit){
            .t0 = i, .t1 = i + 1, .days = month_end(c->ty, 12), .rel = true, .strong = true};
        return true;
    }
    if (is(c, i, "monatsende") || is(c, i, "quartalsende")) {
        int64_t add = is(c, i, "monatsende") ? 0 : (int64_t)(2 - (c->tm - 1) % 3);
        *h = (struct dhit){
            .t0 = i, .t1 = i + 1, .days = month_end_after(c, add), .rel = true, .strong = true};
        return true;
    }
    if (is(c, i, "year")) {
        size_t k = is(c, i + 1, "-") ? i + 2 : i + 1;
        if (!is(c, k, "end"))
            return false;
        *h = (struct dhit){
            .t0 = i, .t1 = k + 1, .days = month_end(c->ty, 12), .rel = true, .strong = true};
        return true;
    }
    size_t j;
    if (is(c, i, "end")) {
        j = is(c, i + 1, "-") ? i + 2 : i + 1;
        if (!is(c, j, "of"))
            return false;
        j++;
        if (is(c, j, "-"))
            j++;
    } else if (is(c, i, "ende")) {
        j = i + 1;
    } else {
        return false;
    }
    size_t e;
    int64_t days;
    bool next;
    int y;
    struct dhit sub;
    if ((is(c, j, "the") || is(c, j, "des")) && date_quarter_words(c, j + 1, &sub)) {
        *h = sub;
        h->t0 = i;
    } else if (period_ref(c, j, &e, &days, &next)) {
        *h = (struct dhit){.t0 = i, .t1 = e, .days = days, .rel = true};
    } else if (date_quarter_words(c, j, &sub) || date_quarter(c, j, &sub) ||
               date_month(c, j, &sub)) {
        *h = sub;
        h->t0 = i;
    } else if (year_at(c, j, &y)) {
        *h = (struct dhit){.t0 = i, .t1 = j + 1, .days = month_end(y, 12)};
    } else {
        return false;
    }
    h->strong = true;
    return true;
}

/* "next week" (its Friday), "next month", "this quarter". */
static bool date_next(const struct ctx *c, size_t i, struct dhit *h) {
    size_t e;
    int64_t days;
    bool next;
    if (!(is_next_word(c, i) || is(c, i, "this") || is(c, i, "diese") || is(c, i, "dieses") ||
          is(c, i, "diesen")) ||
        !period_ref(c, i, &e, &days, &next))
        return false;
    *h = (struct dhit){.t0 = i, .t1 = e, .days = days, .rel = true, .strong = next};
    return true;
}

/* "in 3 weeks", "within two months", "within a month", "in the next 30 days",
 * "innerhalb von zwei Wochen", "innerhalb eines Monats". */
static bool date_in(const struct ctx *c, size_t i, struct dhit *h) {
    if (!role(c, i, R_IN))
        return false;
    size_t j = i + 1, e;
    if (is(c, j, "of") || is(c, j, "von"))
        j++;
    if ((is(c, j, "the") || is(c, j, "den")) && is_next_word(c, j + 1))
        j += 2;
    else if (is_next_word(c, j))
        j++;
    int64_t n;
    if (role(c, j, R_ARTICLE) && role(c, j + 1, R_TUNIT)) {
        n = 1;
        e = j + 1;
    } else if (!parse_count(c, j, &n, &e)) {
        return false;
    }
    if (!role(c, e, R_TUNIT))
        return false;
    int64_t days;
    switch (kval(c, e)) {
    case TU_DAY:
        days = n <= 3650 ? c->today + n : -1;
        break;
    case TU_WEEK:
        days = n <= 520 ? c->today + 7 * n : -1;
        break;
    case TU_MONTH:
        days = n <= 120 ? add_months(c, n) : -1;
        break;
    case TU_QUARTER:
        days = n <= 40 ? add_months(c, 3 * n) : -1;
        break;
    default: /* years */
        days = n <= 10 ? add_months(c, 12 * n) : -1;
        break;
    }
    if (days < 0)
        return false;
    *h = (struct dhit){.t0 = i, .t1 = e + 1, .days = days, .rel = true, .strong = true};
    return true;
}

/* "ASAP", "as soon as possible", "immediately", "urgent": received_at + 14 days. */
static bool date_asap(const struct ctx *c, size_t i, struct dhit *h) {
    size_t e = 0;
    if (is(c, i, "asap") || is(c, i, "immediately") || is(c, i, "urgent") || is(c, i, "urgently") ||
        is(c, i, "dringend") || is(c, i, "schnellstmöglich") || is(c, i, "sofort"))
        e = i + 1;
    else if (is(c, i, "as"))
        e = pat_match(c, i, "as soon as {possible|possibly}");
    else if (is(c, i, "so"))
        e = pat_match(c, i, "so {schnell|bald} wie möglich");
    if (!e)
        return false;
    *h = (struct dhit){.t0 = i, .t1 = e, .days = c->today + 14, .rel = true, .strong = true};
    return true;
}

static bool trigger_before(const struct ctx *c, size_t t0) {
    for (size_t k = t0; k-- > 0 && t0 - k <= 3;) {
        if (sent_end(c, k))
            return false;
        if (role(c, k, R_DTRIG))
            return true;
    }
    return false;
}

static bool date_at(const struct ctx *c, size_t i, struct dhit *h) {
    const struct tok *k = &c->t[i];
    if (date_quarter_words(c, i, h) || date_mid(c, i, h))
        return true;
    if (k->kind == TK_NUM)
        return date_numeric(c, i, h) || date_day_month(c, i, h);
    if (k->roles & R_MONTH)
        return date_month(c, i, h);
    if (k->roles & (R_DWORD | R_IN))
        return date_end(c, i, h) || date_quarter(c, i, h) || date_next(c, i, h) ||
               date_in(c, i, h) || date_asap(c, i, h);
    return false;
}

/* "on 2026-11-25", "since March", "Sent: Friday, November 20": the date of an event or of
 * a quoted e-mail, not a deadline. */
static bool event_date(const struct ctx *c, size_t t0) {
    static const char *const words[] = {
        "on",       "since",    "from",   "starting", "start",     "started",    "signed",
        "dated",    "sent",     "date",   "am",       "seit",      "ab",         "vom",
        "datum",    "gesendet", "monday", "tuesday",  "wednesday", "thursday",   "friday",
        "saturday", "sunday",   "mon",    "tue",      "wed",       "thu",        "fri",
        "sat",      "sun",      "montag", "dienstag", "mittwoch",  "donnerstag", "freitag",
        "samstag",  "sonntag"};
    size_t k = t0;
    if (k > 0 && (sym1(c, k - 1) == ',' || sym1(c, k - 1) == ':'))
        k--;
    for (size_t w = 0; k > 0 && w < DW_ARRAY_SIZE(words); w++)
        if (is(c, k - 1, words[w]))
            return true;
    return false;
}

/* Every date claims its tokens; the deadline is the first one said to be a deadline (by
 * its words or a "by"/"before"/"until" in front), else the first one not in the past. */
static json_t *extract_deadline(struct ctx *c) {
    struct dhit best = {0}, future = {0}, last = {0}, h;
    bool have_best = false, have_future = false, have_last = false;
    for (size_t i = 0; i < c->nt;) {
        if (!date_at(c, i, &h)) {
            /* "the board meets on 14 January; we need the offer before then" */
            if (have_last && !have_best &&
                (((is(c, i, "by") || is(c, i, "before") || is(c, i, "until")) &&
                  is(c, i + 1, "then")) ||
                 (is(c, i, "bis") && is(c, i + 1, "dahin")))) {
                best = last;
                have_best = true;
            }
            i++;
            continue;
        }
        last = h;
        have_last = true;
        claim(c, h.t0, h.t1);
        if (!have_best && (h.strong || trigger_before(c, h.t0))) {
            best = h;
            have_best = true;
        }
        if (!have_future && h.days > c->today && !event_date(c, h.t0)) {
            future = h;
            have_future = true;
        }
        i = h.t1;
    }
    if (!have_best && !have_future)
        return json_null();
    int conf = !have_best ? 65 : best.rel ? 85 : 95;
    if (!have_best)
        best = future;
    int y;
    unsigned m, d;
    char buf[16];
    dw_civil_from_days(best.days, &y, &m, &d);
    snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    json_t *o = new_item(c);
    if (!o)
        return NULL;
    put(c, o, "date", json_string(buf));
    put(c, o, "relative", json_boolean(best.rel));
    put_span(c, o, best.t0, best.t1);
    put_conf(c, o, conf);
    return o;
}

/* ---- standards, capabilities ---------------------------------------------------------- */

/* Add {name, text, span} for tokens [i, e) unless the list already names it. */
static void append_named(struct ctx *c, json_t *arr, const char *name, size_t i, size_t e,
                         int conf) {
    if (has_name(arr, name) || json_array_size(arr) >= DW_EXTRACT_MAX_ITEMS)
        return;
    json_t *o = new_item(c);
    if (o) {
        put(c, o, "name", json_string(name));
        put_span(c, o, i, e);
        put_conf(c, o, conf);
    }
    append(c, arr, o);
}

/* A phrase of one short word ("HA", "LTE", "5G") is more often something else than a
 * longer one. */
static int phrase_conf(const struct ctx *c, size_t i, size_t e, int hi) {
    return e - i == 1 && tlen(c, i) <= 3 ? hi - 15 : hi;
}

static void extract_standards(struct ctx *c, json_t *arr) {
    for (size_t i = 0; i < c->nt;) {
        size_t e;
        const struct phrase *p = vocab_at(c, c->stds, i, &e);
        if (!p || claimed(c, i, e)) {
            i++;
            continue;
        }
        claim(c, i, e);
        if (!(c->t[i].flags & TF_NEG) && !trailing_neg(c, e))
            append_named(c, arr, p->name, i, e, phrase_conf(c, i, e, 95));
        i = e;
    }
}

/* Systems named: not claimed, a product name may also be a capability's word. */
static void extract_integrations(struct ctx *c, json_t *arr) {
    for (size_t i = 0; i < c->nt;) {
        size_t e;
        const struct phrase *p = vocab_at(c, c->integ, i, &e);
        if (!p) {
            i++;
            continue;
        }
        append_named(c, arr, p->name, i, e, phrase_conf(c, i, e, 90));
        i = e;
    }
}

/* Is the hedge word at k one on its own ("maybe", "eventuell"), or with its partners
 * ("nice to have", "at a later stage", "may")? */
static bool hedge_at(const struct ctx *c, size_t k) {
    if (role(c, k, R_HEDGE))
        return kval(c, k) == 1 || (is(c, k + 1, "to") && is(c, k + 2, "have")) ||
               is(c, k + 1, "wäre") || (k > 0 && is(c, k - 1, "wäre"));
    if (is(c, k, "later"))
        return is(c, k + 1, "stage") || is(c, k + 1, "phase") || is(c, k + 1, "on") ||
               (k > 0 && (role(c, k - 1, R_HEDGE) || is(c, k - 1, "a")));
    /* "we may add Wi-Fi" — but "May" with a capital is the month */
    return is(c, k, "may") && c->text[c->t[k].s] == 'm' && !kind(c, k + 1, TK_NUM);
}

/* A capability at [i, e) with a hedge in its clause: before it (up to eight words) or
 * after it (up to five). A list continues the clause: "maybe Wi-Fi and switches later". */
static bool hedged(const struct ctx *c, size_t i, size_t e) {
    for (size_t k = i; k-- > 0 && i - k <= 8;) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE))
            break;
        if (hedge_at(c, k))
            return true;
    }
    for (size_t k = e; k < e + 5 && k < c->nt; k++) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE))
            break;
        if (hedge_at(c, k))
            return true;
    }
    return false;
}

/* "bereits" means "already have" only next to a word of having: "WLAN haben wir bereits",
 * "Firewalls sind bereits im Einsatz" — not "SD-WAN soll bereits im Mai laufen". */
static bool have_word_near(const struct ctx *c, size_t k) {
    static const char *const words[] = {"haben",   "hat",         "habe",      "vorhanden",
                                        "einsatz", "installiert", "abgedeckt", "nutzen",
                                        "nutzt",   "betreiben",   "gelöst"};
    size_t a = k > 3 ? k - 3 : 0;
    for (size_t m = a; m <= k + 3 && m < c->nt; m++)
        for (size_t w = 0; w < DW_ARRAY_SIZE(words); w++)
            if (is(c, m, words[w]))
                return true;
    return false;
}

/* Not wanted because the customer has it or leaves it out: "Wi-Fi and switching are
 * already covered", "we already have SD-WAN", "WLAN haben wir bereits", "Wi-Fi is out of
 * scope". Within the capability's clause, at most six words away. */
static bool already_had(const struct ctx *c, size_t i, size_t e) {
    for (size_t k = e; k < e + 6 && k < c->nt; k++) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE))
            break;
        if ((is(c, k, "already") &&
             (is(c, k + 1, "covered") || is(c, k + 1, "have") || is(c, k + 1, "in") ||
              is(c, k + 1, "installed") || is(c, k + 1, "deployed") || is(c, k + 1, "exists") ||
              is(c, k + 1, "done"))) ||
            (is(c, k, "bereits") && have_word_near(c, k)) || is(c, k, "vorhanden") ||
            (is(c, k, "out") && is(c, k + 1, "of") && is(c, k + 2, "scope")))
            return true;
    }
    for (size_t k = i; k-- > 0 && i - k <= 4;) {
        if (clause_end(c, k) || role(c, k, R_CLAUSE))
            break;
        if (is(c, k, "already") && (is(c, k + 1, "have") || is(c, k + 1, "use") ||
                                    is(c, k + 1, "run") || is(c, k + 1, "own")))
            return true;
    }
    return false;
}

/* A one-word "-ing" phrase after a form of "to be" is a verb, not a request: "our
 * carriers are switching LTE off", "we're monitoring it ourselves". */
static bool progressive_verb(const struct ctx *c, size_t i, size_t e) {
    size_t n = tlen(c, i);
    if (e != i + 1 || i == 0 || n < 5 || memcmp(c->lo + c->t[i].s + n - 3, "ing", 3) != 0)
        return false;
    return is(c, i - 1, "are") || is(c, i - 1, "is") || is(c, i - 1, "am") ||
           is(c, i - 1, "were") || is(c, i - 1, "was") || is(c, i - 1, "been") ||
           is(c, i - 1, "be") || is(c, i - 1, "re");
}

static void extract_capabilities(struct ctx *c, json_t *wanted, json_t *excluded,
                                 json_t *optional) {
    for (size_t i = 0; i < c->nt;) {
        size_t e;
        const struct phrase *p = vocab_at(c, c->caps, i, &e);
        if (!p || progressive_verb(c, i, e)) {
            i = p ? e : i + 1;
            continue;
        }
        bool neg = (c->t[i].flags & TF_NEG) || trailing_neg(c, e) || already_had(c, i, e);
        bool hedge = !neg && hedged(c, i, e);
        json_t *arr = neg ? excluded : hedge ? optional : wanted;
        append_named(c, arr, p->name, i, e, phrase_conf(c, i, e, neg || hedge ? 85 : 90));
        i = e;
    }
    /* a capability both wanted and hedged elsewhere is wanted */
    size_t k;
    json_t *v;
    json_array_foreach(wanted, k, v) {
        const char *n = dw_json_str(v, "name");
        for (size_t m = 0; n && m < json_array_size(optional); m++)
            if (strcmp(n, dw_json_str(json_array_get(optional, m), "name")) == 0) {
                json_array_remove(optional, m);
                break;
            }
    }
}

/* ---- discount ------------------------------------------------------------------------- */

/* "15%", "12.5 %", "20 percent", "zwanzig Prozent": basis points and the end. */
static bool pct_at(const struct ctx *c, size_t i, int32_t *ret_bp, size_t *ret_end) {
    struct num n;
    if (!parse_number(c, i, &n) || n.mant > 1000000 || n.scale > 2)
        return false;
    size_t j = n.t1;
    if (is(c, j, "%") || role(c, j, R_PCT))
        j++;
    else if (is(c, j, "per") && is(c, j + 1, "cent"))
        j += 2;
    else
        return false;
    int64_t bp = n.mant;
    for (int s = n.scale; s < 2; s++)
        bp *= 10;
    if (bp <= 0 || bp > 10000)
        return false;
    *ret_bp = (int32_t)bp;
    *ret_end = j;
    return true;
}

static json_t *extract_discount(struct ctx *c) {
    for (size_t i = 0; i < c->nt; i++) {
        int32_t bp;
        size_t e, t0 = i, t1 = 0;
        if (c->claim[i] || !(kind(c, i, TK_NUM) || role(c, i, R_NUMW)) || !pct_at(c, i, &bp, &e))
            continue;
        /* "15% discount", "20 percent off", "15% price reduction" */
        for (size_t k = e; k < e + 3 && k < c->nt && !clause_end(c, k); k++)
            if (role(c, k, R_DISC)) {
                t1 = k + 1;
                break;
            }
        /* "discount of 20 %", "a discount of around 15%", "Rabatt von 15 %", "discount: 10%" */
        for (size_t k = i; !t1 && k-- > 0 && i - k <= 5;) {
            if (sent_end(c, k) || sym1(c, k) == ',')
                break;
            if (role(c, k, R_DISC) && kval(c, k) == 1) {
                t0 = k;
                t1 = e;
            }
        }
        if (!t1 || claimed(c, t0, t1))
            continue;
        claim(c, t0, t1);
        char buf[32];
        return fact(c, "pct", json_string(dw_pct_format(bp, buf, sizeof buf)), t0, t1);
    }
    return json_null();
}

/* ---- contract term -------------------------------------------------------------------- */

static bool term_words_after_annual(const struct ctx *c, size_t j) {
    static const char *const not_term[] = {
        "budget", "budgets",  "revenue", "revenues", "turnover", "report",     "reports",
        "spend",  "spending", "sales",   "meeting",  "review",   "growth",     "income",
        "volume", "umsatz",   "leave",   "audit",    "audits",   "conference", "event"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(not_term); k++)
        if (is(c, j, not_term[k]))
            return false;
    return true;
}

/* "3-year term", "36 months", "two-year subscription", "term of 3 years", "Laufzeit: 36
 * Monate"; else "annual" (12). Years need a term word; bare months count unless they are a
 * period of the past or a deadline ("3 months ago", "in 3 months" is a date already). */
static json_t *extract_term(struct ctx *c) {
    size_t a0 = 0, a1 = 0;
    for (size_t i = 0; i < c->nt; i++) {
        if (c->claim[i])
            continue;
        if (role(c, i, R_ANNUAL)) {
            if (!a1 && term_words_after_annual(c, i + 1)) {
                a0 = i;
                a1 = role(c, i + 1, R_TERMW) && !claimed(c, i + 1, i + 2) ? i + 2 : i + 1;
            }
            continue;
        }
        int64_t n;
        size_t e;
        if (role(c, i, R_ARTICLE) && role(c, i + 1, R_TUNIT)) {
            n = 1;
            e = i + 1;
        } else if (!(kind(c, i, TK_NUM) || role(c, i, R_NUMW)) || !parse_count(c, i, &n, &e)) {
            continue;
        }
        size_t j = is(c, e, "-") ? e + 1 : e;
        int64_t u = role(c, j, R_TUNIT) ? kval(c, j) : 0;
        if (u != TU_MONTH && u != TU_YEAR)
            continue;
        j++;
        size_t t0 = i, t1 = j, k = is(c, j, "-") ? j + 1 : j;
        bool tw = false;
        if (role(c, k, R_TERMW)) {
            tw = true;
            t1 = k + 1;
        } else {
            for (size_t b = i; b-- > 0 && i - b <= 4;) {
                if (sent_end(c, b))
                    break;
                if (role(c, b, R_TERMW)) {
                    tw = true;
                    t0 = b;
                    break;
                }
            }
        }
        if (!tw &&
            (u == TU_YEAR || is(c, j, "ago") || is(c, j, "old") ||
             (i > 0 && (role(c, i - 1, R_IN) || is(c, i - 1, "last") || is(c, i - 1, "past") ||
                        is(c, i - 1, "first") || is(c, i - 1, "next") || is(c, i - 1, "every")))))
            continue;
        int64_t months = u == TU_YEAR ? n * 12 : n;
        if (months < 1 || months > 1200 || claimed(c, t0, t1))
            continue;
        a0 = t0;
        a1 = t1;
        n = months;
        claim(c, t0, t1);
        return fact(c, "value", json_integer(n), a0, a1);
    }
    if (!a1)
        return json_null();
    claim(c, a0, a1);
    return fact(c, "value", json_integer(12), a0, a1);
}

/* ---- quantities ----------------------------------------------------------------------- */

struct qty {
    size_t t0, t1;
    int64_t value;
    const char *unit;
    size_t u0, u1; /* the unit's words */
    int conf;
    int64_t per_value;    /* a rate times a count: "4 access points per store" x 120 stores */
    const char *per_unit; /* the unit of the count it was multiplied by, or NULL */
};

static bool per_word(const struct ctx *c, size_t j) {
    return is(c, j, "per") || is(c, j, "pro") || is(c, j, "je") || is(c, j, "each") ||
           is(c, j, "par") || is(c, j, "por");
}

/* "every" in the six languages: "every store", "chaque magasin", "cada tienda", "ogni
 * negozio", "elke winkel", "jede Filiale". */
static bool every_word(const struct ctx *c, size_t j) {
    return is(c, j, "every") || is(c, j, "jede") || is(c, j, "jedes") || is(c, j, "jeder") ||
           is(c, j, "chaque") || is(c, j, "cada") || is(c, j, "ogni") || is(c, j, "elke") ||
           is(c, j, "elk") || is(c, j, "iedere") || is(c, j, "ieder");
}

/* The unit a rate is counted per: "per store", "in each office", "at every site", "for
 * each branch" right after the counted unit; NULL when there is none. */
static const struct phrase *rate_unit(const struct ctx *c, size_t ue) {
    size_t j = ue, e;
    if (is(c, j, "in") || is(c, j, "at") || is(c, j, "for") || is(c, j, "across") ||
        is(c, j, "dans") || is(c, j, "pour") || is(c, j, "für") || is(c, j, "op"))
        j++;
    if (!(per_word(c, j) || every_word(c, j)))
        return NULL;
    return vocab_at(c, c->units, j + 1, &e);
}

static bool currency_sign(const struct ctx *c, size_t i) {
    return is(c, i, "€") || is(c, i, "$") || is(c, i, "£") || is(c, i, "¥");
}

/* A German or Dutch compound whose last part is a built-in unit noun: "Supermarktfilialen"
 * is "Filialen", "Logistikstandorte" "Standorte", "kledingwinkels" "winkels"; at least three
 * letters before the head, and not a word of dw__compound_stop ("Netzwerke"). */
static const struct phrase *compound_unit(const struct ctx *c, size_t j) {
    if (!c->units || c->t[j].kind != TK_WORD || (c->t[j].flags & TF_APOS))
        return NULL;
    const char *w = c->lo + c->t[j].s;
    size_t n = tlen(c, j);
    if (n < 7 || n > 48)
        return NULL;
    for (size_t k = 0; k < dw__n_compound_stop; k++)
        if (strlen(dw__compound_stop[k]) == n && memcmp(dw__compound_stop[k], w, n) == 0)
            return NULL;
    const struct phrase *best = NULL;
    for (size_t k = 0; k < c->units->n; k++) {
        const struct phrase *p = &c->units->ph[k];
        if (!(p->lang & (LANG_DE | LANG_NL)) || p->nt != 1)
            continue;
        size_t pl = p->t[0].e - p->t[0].s;
        if (pl < 4 || pl + 3 > n || memcmp(w + n - pl, p->lo + p->t[0].s, pl) != 0)
            continue;
        if (!best || pl > best->t[0].e - best->t[0].s)
            best = p;
    }
    return best;
}

/* A unit noun at j: the vocabulary's, or a compound ending in a built-in one. */
static const struct phrase *unit_at(const struct ctx *c, size_t j, size_t *ret_end) {
    const struct phrase *u = vocab_at(c, c->units, j, ret_end);
    if (!u && free_at(c, j) && (u = compound_unit(c, j)))
        *ret_end = j + 1;
    return u;
}

/* A unit within two words after j ("200 named users"); returns it and its end. */
static const struct phrase *unit_after(const struct ctx *c, size_t j, size_t *ret_end,
                                       size_t *ret_start) {
    for (int f = 0; f <= 2 && j < c->nt; f++, j++) {
        if (c->claim[j])
            return NULL;
        /* "20 cold-storage warehouses": a hyphen inside a modifier is not a word of its own */
        if (f > 0 && is(c, j, "-") && glued(c, j)) {
            f--;
            continue;
        }
        const struct phrase *u = unit_at(c, j, ret_end), *head;
        size_t e;
        /* "40 branch offices": the last noun of a compound is the unit */
        size_t u0 = j;
        while (u && (head = vocab_at(c, c->units, *ret_end, &e))) {
            u = head;
            *ret_end = e;
        }
        if (u && !claimed(c, j, *ret_end))
            *ret_start = u0;
        if (u)
            return claimed(c, j, *ret_end) ? NULL : u;
        if (c->t[j].kind != TK_WORD ||
            (c->t[j].roles & (R_STOP | R_NEG | R_CLAUSE | R_NUMW | R_SCALE | R_TUNIT | R_CUR |
                              R_MULT | R_PCT | R_PER | R_MONTH)))
            return NULL;
    }
    return NULL;
}

/* Is the number at i the end of a capability's name ("Wi-Fi 6", "Wi-Fi 7")? */
static bool in_capability(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 4;) {
        size_t e;
        if (vocab_at(c, c->caps, k, &e) && e > i)
            return true;
    }
    return false;
}

/* A count per something is a rate, not a quantity: "3 access points per store", "je Filiale
 * ca. 10 Access Points", "two switches each". */
static bool rate_of(const struct ctx *c, size_t i, size_t ue) {
    size_t ce;
    if (per_word(c, ue) && (is(c, ue, "each") || kind(c, ue + 1, TK_WORD)) &&
        !vocab_at(c, c->caps, ue + 1, &ce)) /* "Umspannwerke per SD-WAN" is a means */
        return true;
    /* "je Autohaus ca. 10": per, one word, then only approximations up to the number */
    for (size_t k = i; k-- > 0 && i - k <= 5;) {
        if (clause_end(c, k) && sym1(c, k) != '.')
            break;
        if (per_word(c, k) && !is(c, k, "each") && kind(c, k + 1, TK_WORD)) {
            for (size_t m = k + 2; m < i; m++)
                if (!(is(c, m, "ca") || is(c, m, ".") || is(c, m, "about") || is(c, m, "around") ||
                      is(c, m, "rund") || is(c, m, "etwa") || is(c, m, "approx") ||
                      is(c, m, "roughly") || is(c, m, "circa")))
                    return false;
            return true;
        }
    }
    return false;
}

/* The unit a rate is counted per when it comes first: "Each of our hotels needs 12 access
 * points", "each school needs 20", "pro Filiale 3 Access Points", "je Autohaus ca. 4",
 * "chaque magasin a besoin de 4": per, each or every, the unit, then at most three words
 * before the number; NULL otherwise. */
static const struct phrase *rate_unit_before(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 8;) {
        if (clause_end(c, k) && sym1(c, k) != '.')
            return NULL;
        if (sym1(c, k) == '.' && !is(c, k + 1, "ca") && !(k > 0 && is(c, k - 1, "ca")))
            return NULL; /* a sentence ends (but "ca." does not) */
        if (!(per_word(c, k) || every_word(c, k)))
            continue;
        size_t j = k + 1, e;
        if (is(c, j, "of"))
            j++;
        if (is(c, j, "our") || is(c, j, "the") || is(c, j, "these") || is(c, j, "your"))
            j++;
        if (kind(c, j, TK_NUM)) /* "each of our 30 hotels needs 12" */
            j++;
        const struct phrase *u = vocab_at(c, c->units, j, &e);
        if (!u || e > i || i - e > 3)
            return NULL;
        for (size_t m = e; m < i; m++) {
            if (c->t[m].kind != TK_WORD && !is(c, m, ".") && !is(c, m, ":"))
                return NULL;
            /* "firewall at each practice and monitoring for 8 devices": the per phrase
             * ended with what it qualified; the count after "and" is a count of its own */
            if (is(c, m, "and") || is(c, m, "und") || is(c, m, "et") || is(c, m, "y") ||
                is(c, m, "e") || is(c, m, "en") || is(c, m, "plus") || is(c, m, "sowie"))
                return NULL;
        }
        return u;
    }
    return NULL;
}

/* "(about 600)", "(ca. 80 Stück)", "(600 units)" right after a unit: the count and the end
 * after ")". */
static size_t paren_count(const struct ctx *c, size_t j, int64_t *ret) {
    if (!is(c, j, "("))
        return 0;
    j++;
    while (is(c, j, "about") || is(c, j, "approx") || is(c, j, "around") || is(c, j, "ca") ||
           is(c, j, "circa") || is(c, j, "etwa") || is(c, j, "rund") || is(c, j, "roughly") ||
           is(c, j, "."))
        j++;
    size_t e;
    if (!kind(c, j, TK_NUM) || !parse_count(c, j, ret, &e) || claimed(c, j, e))
        return 0;
    if (is(c, e, "stück") || is(c, e, "units") || is(c, e, "pcs") || is(c, e, "stk") ||
        is(c, e, "in") || is(c, e, "total") || is(c, e, "insgesamt"))
        e++;
    if (is(c, e, "total"))
        e++;
    return is(c, e, ")") ? e + 1 : 0;
}

/* Words that introduce a part of a count just given: "12 sites, of which 9 clinics",
 * "zwölf Standorte, davon neun Praxen", "dont 9 cliniques", "de los cuales 9", "di cui 9",
 * "waarvan 9", "including 3 warehouses". */
static bool partitive_before(const struct ctx *c, size_t i) {
    static const char *const pats[] = {"of {them|those|which|these}",
                                       "among {them|those|which}",
                                       "{including|incl|inkl|inklusive}",
                                       "{davon|darunter|hiervon}",
                                       "{dont|parmi}",
                                       "de {los|las} cuales",
                                       "entre {ellos|ellas}",
                                       "{incluidas|incluidos|incluyendo}",
                                       "{di|tra} cui",
                                       "{waarvan|waaronder|inclusief}",
                                       "{y|et|e|en|und|and} {davon|dont|waarvan}"};
    for (size_t k = 0; k < DW_ARRAY_SIZE(pats); k++)
        if (pat_before(c, i, pats[k]) != SIZE_MAX)
            return true;
    if (i > 0 && is(c, i - 1, "."))
        return i > 1 && (is(c, i - 2, "incl") || is(c, i - 2, "inkl")) &&
               pat_before(c, i - 1, "{incl|inkl}") != SIZE_MAX;
    return false;
}

/* Is the count at token i (value n, unit u) a part of a larger count of the same unit given
 * just before it? "12 locations; nine of those...", "zwölf Standorte (davon neun Praxen)",
 * "12 sites: 9 clinics and 3 labs". The site count is then the total, so the part is not
 * reported. *open marks a list of parts ("(", ":") still running after the first part. */
static bool part_of_total(const struct ctx *c, const struct qty *q, size_t nq, size_t i, int64_t n,
                          const char *unit, size_t *open) {
    const struct qty *tot = NULL;
    for (size_t k = nq; k-- > 0;)
        if (strcmp(q[k].unit, unit) == 0 && q[k].t1 <= i) {
            tot = &q[k];
            break;
        }
    if (!tot || tot->value <= n)
        return false;
    for (size_t k = tot->t1; k < i; k++)
        if (sent_end(c, k) && !is(c, k, ";") && sym1(c, k) != ',')
            return false; /* the total is in an earlier sentence */
    if (partitive_before(c, i))
        return true;
    if (*open && *open <= i && i - *open <= 12)
        return true;
    /* a list of parts right after the total: "12 sites (9 clinics, 3 labs)", "12 sites: 9..." */
    size_t j = tot->t1;
    if (j < i && (is(c, j, "(") || is(c, j, ":") || is(c, j, "–") || is(c, j, "—")) && i - j <= 3) {
        *open = i;
        return true;
    }
    return false;
}

/* A weak number word ("once", "due", "sei") counts only right before a unit noun of its own
 * language: "once tiendas", "due negozi", not "once stores open". */
static bool weak_count_ok(const struct ctx *c, const struct qty *q) {
    if (!(c->t[q->t0].flags & TF_WEAKNUM))
        return true;
    uint8_t wl = 0;
    for (size_t w = 0; w < DW_ARRAY_SIZE(weak_numbers); w++)
        if (is_n(c, q->t0, weak_numbers[w].w, strlen(weak_numbers[w].w)))
            wl = weak_numbers[w].lang;
    size_t e;
    const struct phrase *u = q->u0 == q->t0 + 1 ? unit_at(c, q->u0, &e) : NULL;
    return u && (u->lang & wl);
}

/* The counts in text order without the parts of a total and the weak number words that
 * do not count; returns how many are kept. */
static size_t keep_counts(const struct ctx *c, struct qty *q, size_t nq) {
    size_t kept = 0, open = 0;
    for (size_t k = 0; k < nq; k++)
        if (weak_count_ok(c, &q[k]) &&
            !part_of_total(c, q, kept, q[k].t0, q[k].value, q[k].unit, &open))
            q[kept++] = q[k];
    return kept;
}

/* "200 users", "12 sites", "two hundred seats", "5 x gateways", "1,200 endpoints", "a dozen
 * APs", and form style "Users: 200". One entry per mention, in text order. */
static void extract_quantities(struct ctx *c, json_t *arr) {
    struct qty q[DW_EXTRACT_MAX_ITEMS], rates[DW_EXTRACT_MAX_ITEMS];
    size_t nq = 0, nr = 0;
    for (size_t i = 0; i < c->nt && nq < DW_EXTRACT_MAX_ITEMS; i++) {
        bool weak = c->t[i].flags & TF_WEAKNUM;
        if (c->claim[i] || !(kind(c, i, TK_NUM) || role(c, i, R_NUMW | R_ARTICLE) || weak))
            continue;
        if (i > 0 && (currency_sign(c, i - 1) || role(c, i - 1, R_CUR)))
            continue;
        int64_t n;
        size_t e, ue;
        if (weak) {
            n = c->t[i].nval;
            e = i + 1;
        } else if (!parse_count(c, i, &n, &e) || claimed(c, i, e)) {
            continue;
        }
        size_t j = e;
        if (is(c, j, "+") && glued(c, j))
            j++;
        if (is(c, j, "x") || is(c, j, "×") || is(c, j, "*") || (is(c, j, "-") && glued(c, j)))
            j++;
        size_t u0 = j;
        const struct phrase *u = unit_after(c, j, &ue, &u0);
        if (!u || in_capability(c, i) || (n == 1 && !kind(c, i, TK_NUM) && u0 != j))
            continue; /* "Wi-Fi 6 access points", "ein eigenes Rechenzentrum" */
        const struct phrase *pu = rate_unit(c, ue);
        if (!pu)
            pu = rate_unit_before(c, i);
        if (pu || rate_of(c, i, ue)) { /* "3 APs per store": a rate, multiplied below */
            if (pu && nr < DW_EXTRACT_MAX_ITEMS && strcmp(pu->name, u->name) != 0)
                rates[nr++] = (struct qty){i, ue, n, u->name, u0, ue, 85, n, pu->name};
            continue;
        }
        int conf = kind(c, i, TK_NUM) ? (u0 == j ? 95 : 90) : 85;
        q[nq++] = (struct qty){i, ue, n, u->name, u0, ue, conf, 0, NULL};
        claim(c, i, ue);
        i = ue - 1;
    }
    for (size_t i = 0; i < c->nt && nq < DW_EXTRACT_MAX_ITEMS; i++) {
        size_t ue, e;
        int64_t n;
        const struct phrase *u = vocab_at(c, c->units, i, &ue);
        if (!u && sym1(c, i + 1) == ':' && (u = compound_unit(c, i))) /* "Logistikstandorte: 6" */
            ue = i + 1;
        if (!u || claimed(c, i, ue))
            continue;
        if ((e = paren_count(c, ue, &n))) { /* "access points (about 600)" */
            q[nq++] = (struct qty){i, e, n, u->name, i, ue, 85, 0, NULL};
            claim(c, i, e);
            i = e - 1;
            continue;
        }
        char ch = sym1(c, ue);
        if ((ch != ':' && ch != '=') || !parse_count(c, ue + 1, &n, &e) || claimed(c, ue + 1, e) ||
            is(c, e, "%") || role(c, e, R_PCT | R_MULT | R_CUR) || currency_sign(c, e)) {
            i = ue - 1;
            continue;
        }
        q[nq++] = (struct qty){i, e, n, u->name, i, ue, 90, 0, NULL};
        claim(c, i, e);
        i = e - 1;
    }
    /* "4 access points per store" and "120 stores": 480 access points, unless the customer
     * also gave the total ("27 access points, three per store") */
    size_t n_counts = nq;
    for (size_t k = 0; k < nr && nq < DW_EXTRACT_MAX_ITEMS; k++) {
        bool total = false;
        int64_t per = 0;
        for (size_t m = 0; m < n_counts; m++) {
            total = total || strcmp(q[m].unit, rates[k].unit) == 0;
            if (strcmp(q[m].unit, rates[k].per_unit) == 0 && q[m].value > per)
                per = q[m].value;
        }
        int64_t v;
        if (total || per == 0 || dw_mul_checked(rates[k].value, per, &v) < 0 || v > 100000000)
            continue;
        q[nq] = rates[k];
        q[nq++].value = v;
    }
    for (size_t a = 1; a < nq; a++) /* text order */
        for (size_t b = a; b > 0 && q[b - 1].t0 > q[b].t0; b--) {
            struct qty tmp = q[b];
            q[b] = q[b - 1];
            q[b - 1] = tmp;
        }

    /* parts of a total already given, and weak number words before a foreign noun */
    nq = keep_counts(c, q, nq);
    for (size_t k = 0; k < nq; k++) {
        json_t *o = new_item(c);
        if (o) {
            put(c, o, "value", json_integer(q[k].value));
            put(c, o, "unit", json_string(q[k].unit));
            size_t cs = c->t[q[k].u0].s, ce = c->t[q[k].u1 - 1].e;
            put(c, o, "counts", json_stringn(c->text + cs, ce - cs));
            if (q[k].per_unit)
                put(c, o, "per",
                    json_pack("{s:I, s:s}", "value", (json_int_t)q[k].per_value, "unit",
                              q[k].per_unit));
            put_span(c, o, q[k].t0, q[k].t1);
            put_conf(c, o, q[k].conf);
        }
        append(c, arr, o);
    }
}

/* ---- budget --------------------------------------------------------------------------- */

static const struct {
    const char *code;
    int digits;
} currencies[] = {{"EUR", 2}, {"USD", 2}, {"GBP", 2}, {"CHF", 2}, {"JPY", 0},
                  {"CAD", 2}, {"AUD", 2}, {"SEK", 2}, {"NOK", 2}, {"DKK", 2},
                  {"PLN", 2}, {"CZK", 2}, {"INR", 2}, {"CNY", 2}};

static int currency_digits(const char *code) {
    for (size_t k = 0; k < DW_ARRAY_SIZE(currencies); k++)
        if (dw_streq_ci(currencies[k].code, code))
            return currencies[k].digits;
    return 2;
}

struct amount {
    size_t t0, t1;
    int64_t mant, mult;
    int scale;
    int cur; /* index in currencies[], -1 if none was written */
    bool has_mult, plain_year;
};

/* A currency sign, code or word at j: its index and end, or -1. */
static int currency_at(const struct ctx *c, size_t j, size_t *ret_end) {
    int cur = -1;
    size_t e = j + 1;
    if (is(c, j, "€"))
        cur = 0;
    else if (is(c, j, "$"))
        cur = 1;
    else if (is(c, j, "£"))
        cur = 2;
    else if (is(c, j, "¥"))
        cur = 4;
    else if (is(c, j, "us") && is(c, j + 1, "$") && glued(c, j + 1))
        cur = 1, e = j + 2;
    else if (role(c, j, R_CUR))
        cur = (int)kval(c, j);
    if (cur >= 0)
        *ret_end = e;
    return cur;
}

/* "€200k", "EUR 200,000", "$1.2M", "80,000 euros", "50k", "two hundred thousand euros". */
/* "half a million", "a half million", "eine halbe Million": half the scale word after it. */
static bool half_at(const struct ctx *c, size_t j, struct amount *a) {
    size_t k = j;
    if (role(c, k, R_ARTICLE) || is(c, k, "eine") || is(c, k, "einer"))
        k++;
    if (!is(c, k, "half") && !is(c, k, "halbe") && !is(c, k, "halben"))
        return false;
    k++;
    if (role(c, k, R_ARTICLE))
        k++;
    if (!role(c, k, R_SCALE) || kval(c, k) < 1000)
        return false;
    a->mant = 5;
    a->scale = 1;
    a->mult = kval(c, k);
    a->has_mult = true;
    a->t1 = k + 1;
    return true;
}

static bool parse_amount(const struct ctx *c, size_t i, struct amount *a) {
    *a = (struct amount){.t0 = i, .cur = -1, .mult = 1};
    size_t j = i, e;
    int cur = currency_at(c, j, &e);
    if (cur >= 0) {
        a->cur = cur;
        j = e;
    }
    struct num n;
    if (half_at(c, j, a)) {
        j = a->t1;
        if (a->cur < 0 && (cur = currency_at(c, j, &e)) >= 0) {
            a->cur = cur;
            j = e;
        }
        a->t1 = j;
        return !claimed(c, a->t0, j);
    }
    if (!parse_number(c, j, &n) || claimed(c, j, n.t1))
        return false;
    a->plain_year = !n.words && n.groups == 0 && n.scale == 0 && tlen(c, j) == 4 &&
                    n.mant >= 1900 && n.mant <= 2100;
    j = n.t1;
    int64_t m = parse_mult(c, j, &e);
    if (m) {
        a->mult = m;
        a->has_mult = true;
        a->plain_year = false;
        j = e;
        if (n.groups == 1 && n.scale == 0)
            n.scale = 3;
    }
    if (a->cur < 0 && (cur = currency_at(c, j, &e)) >= 0) {
        a->cur = cur;
        j = e;
    } else if (a->cur < 0 && !m && is(c, j, "teur")) { /* "90 TEUR" */
        a->cur = 0;
        a->mult = 1000;
        a->has_mult = true;
        j++;
    }
    a->mant = n.mant;
    a->scale = n.scale;
    a->t1 = j;
    return true;
}

/* Minor units of a currency with `digits` decimals, rounded half to even; false on
 * overflow. */
static bool amount_minor(int64_t mant, int scale, int64_t mult, int digits, int64_t *ret) {
    __int128 v = (__int128)mant * mult, div = 1;
    for (int d = 0; d < digits; d++)
        v *= 10;
    for (int s = 0; s < scale; s++)
        div *= 10;
    __int128 q = v / div, r = v % div;
    if (2 * r > div || (2 * r == div && (q & 1)))
        q++;
    if (q > INT64_MAX || q <= 0)
        return false;
    *ret = (int64_t)q;
    return true;
}

static const struct {
    const char *pat;
    const char *q;
} qualifiers[] = {
    {"{no|not} more than", "max"},
    {"nicht mehr als", "max"},
    {"less than", "max"},
    {"weniger als", "max"},
    {"up to", "max"},
    {"bis zu", "max"},
    {"at most", "max"},
    {"at the most", "max"},
    {"not to exceed", "max"},
    {"not exceed", "max"},
    {"not exceeding", "max"},
    {"{capped|max|maximum} {at|of}", "max"},
    {"{cap|ceiling|limit} of", "max"},
    {"max .", "max"},
    {"{under|below|max|maximum|maximal|höchstens|unter|<|≤}", "max"},
    {"in the {region|range|order} of", "about"},
    {"{approx|ca} .", "about"},
    {"in etwa", "about"},
    {"{around|about|approximately|approx|roughly|circa|ca|some|ungefähr|etwa|rund|zirka|~|≈}",
     "about"},
    {"{more|mehr} {than|als}", "min"},
    {"at least", "min"},
    {"minimum of", "min"},
    {"{over|above|minimum|mindestens|min|über|>|≥}", "min"},
};

/* The qualifier just before token t0 (and its start), or NULL. */
static const char *qualifier_before(const struct ctx *c, size_t t0, size_t *ret_start) {
    for (size_t k = 0; k < DW_ARRAY_SIZE(qualifiers); k++) {
        size_t s = pat_before(c, t0, qualifiers[k].pat);
        if (s != SIZE_MAX) {
            *ret_start = s;
            return qualifiers[k].q;
        }
    }
    return NULL;
}

static const char *qualifier_after(const struct ctx *c, size_t t1, size_t *ret_end) {
    size_t e;
    if ((e = pat_match(c, t1, "{max|maximum|tops|höchstens|maximal}"))) {
        if (sym1(c, e) == '.' && glued(c, e) && !sent_end(c, e))
            e++; /* "max." as an abbreviation, not the full stop */
        *ret_end = e;
        return "max";
    }
    if ((e = pat_match(c, t1, "{at|or} {most|less}")) || (e = pat_match(c, t1, "at the most"))) {
        *ret_end = e;
        return "max";
    }
    if ((e = pat_match(c, t1, "or so")) || (e = pat_match(c, t1, "-? ish"))) {
        *ret_end = e;
        return "about";
    }
    if ((e = pat_match(c, t1, "or more")) || (e = pat_match(c, t1, "{minimum|mindestens}"))) {
        *ret_end = e;
        return "min";
    }
    return NULL;
}

/* How strongly a budget word points at this amount: 2 "budget" words, 1 "pay", "spend",
 * "price", 0 none. Before it in the same sentence, or right after it ("50k budget"). */
static int budget_word(const struct ctx *c, const struct amount *a) {
    int best = 0;
    for (size_t k = a->t0; k-- > 0 && a->t0 - k <= 8;) {
        if (sent_end(c, k))
            break;
        if (role(c, k, R_BUDGET)) {
            best = is(c, k, "budget") || is(c, k, "budgets") || is(c, k, "budgeted") ||
                           is(c, k, "budgetary") || is(c, k, "budgetrahmen") || is(c, k, "etat") ||
                           is(c, k, "kostenrahmen")
                       ? 2
                       : 1;
            break;
        }
    }
    for (size_t k = a->t1; !best && k < a->t1 + 2 && k < c->nt && !sent_end(c, k); k++)
        if (role(c, k, R_BUDGET))
            best = 2;
    return best;
}

/* "€5 per user", "$10/seat", "€1,290 per gateway", "€3 each": a unit price, not a budget.
 * "per month" and "per year" are budgets over time and stay. */
static bool per_unit(const struct ctx *c, size_t t1) {
    if (is(c, t1, "each") || is(c, t1, "apiece"))
        return true;
    if (!(role(c, t1, R_PER) || is(c, t1, "/")))
        return false;
    size_t j = role(c, t1 + 1, R_ARTICLE) ? t1 + 2 : t1 + 1;
    return kind(c, j, TK_WORD) && !role(c, j, R_TUNIT) && !is(c, j, "annum") && !is(c, j, "anno");
}

static bool range_link(const struct ctx *c, size_t j, bool between) {
    return is(c, j, "-") || is(c, j, "–") || is(c, j, "—") || is(c, j, "to") || is(c, j, "bis") ||
           (between && (is(c, j, "and") || is(c, j, "und")));
}

struct budget {
    struct amount a, lo; /* lo: the lower end of a range */
    bool range;
    const char *qual;
    size_t t0, t1;
    int score;
};

static bool below_1000(const struct amount *a) {
    int64_t v = a->mant;
    for (int k = 0; k < a->scale; k++)
        v /= 10;
    return v < 1000;
}

/* The amount at i with its range, qualifier and span; false if it is not money-like. */
static bool budget_at(struct ctx *c, size_t i, struct budget *b) {
    *b = (struct budget){.qual = "exact"};
    if (!parse_amount(c, i, &b->a) || claimed(c, i, b->a.t1))
        return false;
    size_t j = b->a.t1, q;
    if (is(c, j, "%") || role(c, j, R_PCT))
        return false;
    b->t0 = b->a.t0;
    b->t1 = b->a.t1;
    bool between = i > 0 && (is(c, i - 1, "between") || is(c, i - 1, "zwischen"));
    struct amount hi;
    if (range_link(c, j, between) && parse_amount(c, j + 1, &hi) && !claimed(c, j + 1, hi.t1) &&
        !(is(c, hi.t1, "%") || role(c, hi.t1, R_PCT))) {
        b->lo = b->a;
        b->a = hi;
        b->range = true;
        b->qual = "range";
        b->t1 = hi.t1;
        if (b->lo.cur < 0)
            b->lo.cur = hi.cur;
        if (b->a.cur < 0)
            b->a.cur = b->lo.cur;
        if (!b->lo.has_mult && hi.has_mult) {
            /* "100-150k": the lower end takes the multiplier when it is the smaller number */
            __int128 l = b->lo.mant, h = hi.mant;
            for (int s = 0; s < hi.scale; s++)
                l *= 10;
            for (int s = 0; s < b->lo.scale; s++)
                h *= 10;
            if (l < h)
                b->lo.mult = hi.mult;
        }
        if (between || (i > 0 && (is(c, i - 1, "from") || is(c, i - 1, "von"))))
            b->t0 = i - 1;
    }
    if (b->a.cur < 0 && (b->a.plain_year || (b->range && b->lo.plain_year)))
        return false;
    if (b->a.cur < 0 && !b->a.has_mult && below_1000(&b->a))
        return false; /* "Ein Budget steht noch nicht fest", "budget for 3 sites" */
    if (per_unit(c, b->a.t1))
        return false;
    int w = budget_word(c, &b->a);
    if (b->range && !w)
        w = budget_word(c, &b->lo);
    if (w == 2)
        b->score = 3;
    else if (b->a.cur >= 0)
        b->score = w ? 2 : 1;
    else
        b->score = w ? 1 : 0; /* "we can spend 50k": money in the default currency */
    if (!b->score)
        return false;
    if (b->range)
        return true;
    if ((b->qual = qualifier_before(c, b->t0, &q)))
        b->t0 = q;
    else if ((b->qual = qualifier_after(c, b->t1, &q)))
        b->t1 = q;
    else
        b->qual = "exact";
    return true;
}

/* The budget: the first amount named by a "budget" word, else the first amount with a
 * currency or a spending word. Per-unit prices and years are never budgets. */
static json_t *extract_budget(struct ctx *c) {
    struct budget best = {0}, b;
    for (size_t i = 0; i < c->nt; i++) {
        if (c->claim[i] ||
            !(kind(c, i, TK_NUM) || role(c, i, R_NUMW | R_ARTICLE | R_CUR) ||
              (kind(c, i, TK_SYM) && currency_sign(c, i)) || is(c, i, "us") || is(c, i, "half")))
            continue;
        if (!budget_at(c, i, &b))
            continue;
        if (b.score > best.score)
            best = b;
        if (best.score == 3)
            break;
        i = b.t1 - 1;
    }
    if (!best.score)
        return json_null();
    const char *code = best.a.cur >= 0 ? currencies[best.a.cur].code : c->defcur;
    int digits = currency_digits(code);
    int64_t amount, lo = 0;
    if (!amount_minor(best.a.mant, best.a.scale, best.a.mult, digits, &amount) ||
        (best.range && !amount_minor(best.lo.mant, best.lo.scale, best.lo.mult, digits, &lo)))
        return json_null();
    claim(c, best.t0, best.t1);
    json_t *o = new_item(c);
    if (!o)
        return NULL;
    put(c, o, "amount", dw_json_money(amount, digits));
    put(c, o, "currency", json_string(code));
    put(c, o, "qualifier", json_string(best.qual));
    put(c, o, "min", best.range ? dw_json_money(lo, digits) : json_null());
    put(c, o, "minor", json_integer(amount));
    put_span(c, o, best.t0, best.t1);
    put_conf(c, o, best.score == 3 ? 95 : best.score == 2 ? 85 : 70);
    return o;
}

/* ---- data residency and country ------------------------------------------------------- */

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
    const struct phrase *p = vocab_at(c, &g.countries, j, &e);
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
        for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(g.codes); k++)
            if (((g.codes[k][0] << 8) | g.codes[k][1]) == v) {
                name = g.codes[k];
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

static json_t *extract_residency(struct ctx *c) {
    for (size_t i = 0; i < c->nt; i++) {
        size_t t0 = i, t1;
        const char *code;
        if (!residency_in(c, i, &t0, &t1, &code) && !residency_first(c, i, &t1, &code))
            continue;
        claim(c, t0, t1);
        return fact(c, "region", json_string(code), t0, t1);
    }
    return json_null();
}

/* A location word within four words before i: "based in", "offices in", "aus", or any
 * noun for premises in the six languages ("three Werke in", "magasins en"). */
static bool cue_before(const struct ctx *c, size_t i) {
    for (size_t k = i; k-- > 0 && i - k <= 4 && !sent_end(c, k);) {
        size_t e;
        const struct phrase *u;
        if (role(c, k, R_LOC) || (c->site_unit && wordish(c, k) && (u = unit_at(c, k, &e)) &&
                                  e <= i && strcmp(u->name, c->site_unit) == 0))
            return true;
    }
    return false;
}

/* A country adjective describing the customer: "a Dutch food producer", "our Italian
 * offices", "ein deutscher Händler" — followed by a noun, not by data words (that is
 * residency: "German data centres"). The code, or NULL. */
static const char *country_adjective(const struct ctx *c, size_t i) {
    size_t e;
    if (!role(c, i, R_CADJ) || c->claim[i] || !kind(c, i + 1, TK_WORD) ||
        role(c, i + 1, R_DATA | R_RESID | R_STOP | R_CADJ) || vocab_at(c, &g.regions, i, &e))
        return NULL; /* "British Columbia" is a province, not an adjective */
    int64_t v = kval(c, i);
    for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(g.codes); k++)
        if (((g.codes[k][0] << 8) | g.codes[k][1]) == v)
            return g.codes[k];
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
        const struct phrase *r = vocab_at(c, &g.regions, k, &e);
        if (r && strcmp(g.region_cc[r - g.region_ph], "US") == 0)
            return true;
        if (r)
            k = e - 1;
    }
    return false;
}

/* The first country named after a location word ("based in", "our sites in", "aus"), else
 * the first country named at all; mentions inside a residency phrase do not count. */
static json_t *extract_country(struct ctx *c) {
    size_t f0 = 0, f1 = 0, e;
    bool cue_found = false;
    const struct phrase *first = NULL, *r;
    const char *adj_code = NULL, *region_code = NULL;
    for (size_t i = 0; i < c->nt; i++) {
        const struct phrase *p = vocab_at(c, &g.countries, i, &e);
        if (!p && (r = vocab_at(c, &g.regions, i, &e)) && g.region_cc[r - g.region_ph][0] != '-' &&
            !claimed(c, i, e) && !(i > 0 && is(c, i - 1, "new")) && cue_before(c, i)) {
            /* "drei Werke in Sachsen und zwei Niederlassungen in Polen": the first place
             * after a location word, a state or city as much as a country */
            region_code = g.region_cc[r - g.region_ph];
            f0 = i;
            f1 = e;
            break;
        }
        if (!p && !first && !adj_code && (adj_code = country_adjective(c, i))) {
            /* "a Dutch food producer", "ein deutscher Händler": a country when none is
             * named before it */
            f0 = i;
            f1 = i + 1;
            continue;
        }
        if (!p || claimed(c, i, e) || (i > 0 && is(c, i - 1, "new")) || state_not_country(c, p, i))
            continue;
        if (adj_code && !cue_before(c, i))
            continue; /* the adjective came first: "a Swedish firm with plants in Poland" */
        bool cue = cue_before(c, i);
        if (cue || !first) {
            adj_code = NULL;
            first = p;
            f0 = i;
            f1 = e;
        }
        if (cue) {
            cue_found = true;
            break;
        }
        i = e - 1;
    }
    if (region_code) {
        json_t *o = fact(c, "code", json_string(region_code), f0, f1);
        put(c, o, "via", json_string("region"));
        put_conf(c, o, 85);
        return o;
    }
    if (!first && adj_code) {
        json_t *o = fact(c, "code", json_string(adj_code), f0, f1);
        put(c, o, "via", json_string("adjective"));
        put_conf(c, o, 75);
        return o;
    }
    if (!first)
        return json_null();
    json_t *o = fact(c, "code", json_string(first->name), f0, f1);
    put(c, o, "via", json_string(cue_found ? "location" : "named"));
    put_conf(c, o, cue_found ? 95 : 80);
    return o;
}

/* States, provinces and groups of countries, in text order, once each; a region inside a
 * residency phrase ("data stays in the EU") is where the data goes, not the customer. */
static void extract_regions(struct ctx *c, json_t *arr) {
    for (size_t i = 0; i < c->nt && json_array_size(arr) < DW_EXTRACT_MAX_ITEMS;) {
        size_t e;
        const struct phrase *p = vocab_at(c, &g.regions, i, &e);
        if (!p || claimed(c, i, e) || (i > 0 && is(c, i - 1, "new"))) {
            i++;
            continue;
        }
        const char *cc = g.region_cc[p - g.region_ph];
        if (!has_name(arr, p->name)) {
            json_t *o = new_item(c);
            if (o) {
                put(c, o, "name", json_string(p->name));
                put(c, o, "kind",
                    json_string(g.region_city[p - g.region_ph] ? "city"
                                : cc[0] == '-'                 ? "group"
                                                               : "state"));
                put(c, o, "country", cc[0] != '-' ? json_string(cc) : json_null());
                put_span(c, o, i, e);
                put_conf(c, o, phrase_conf(c, i, e, 90));
            }
            append(c, arr, o);
        }
        i = e;
    }
}

/* No country named: the country of the first state or province named ("40 plants across
 * Ohio, Michigan and Indiana"). */
static json_t *country_from_regions(struct ctx *c, json_t *regions) {
    size_t i;
    json_t *r;
    json_array_foreach(regions, i, r) {
        const char *cc = dw_json_str(r, "country");
        if (!cc)
            continue;
        json_t *o = json_pack("{s:s,s:s,s:O,s:O,s:i}", "code", cc, "via", "region", "text",
                              json_object_get(r, "text"), "span", json_object_get(r, "span"),
                              "confidence", 70);
        if (!o)
            c->oom = true;
        return o;
    }
    return json_null();
}

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
    for (size_t k = 0; k < c->nt && c->t[k].s < e; k++)
        if (c->t[k].e > s)
            c->claim[k] = 1;
}

static void add_contact(struct ctx *c, json_t *arr, const char *kind, json_t *value, size_t s,
                        size_t e, int conf) {
    if (json_array_size(arr) >= DW_EXTRACT_MAX_ITEMS) {
        json_decref(value);
        return;
    }
    json_t *o =
        json_pack("{s:s,s:o,s:s%,s:[I,I],s:i}", "kind", kind, "value", value, "text", c->text + s,
                  e - s, "span", (json_int_t)s, (json_int_t)e, "confidence", conf);
    append(c, arr, o);
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

static bool phone_cue(const struct ctx *c, size_t s) {
    static const char *const cues[] = {
        "tel", "phone",  "mobile",    "mobil",   "cell",  "handy",   "telefon",    "call",
        "fon", "direct", "durchwahl", "contact", "reach", "kontakt", "erreichbar", "whatsapp"};
    size_t from = s > 24 ? s - 24 : 0;
    for (size_t k = 0; k < DW_ARRAY_SIZE(cues); k++) {
        size_t n = strlen(cues[k]);
        for (size_t b = from; b + n <= s; b++)
            if (memcmp(c->lo + b, cues[k], n) == 0 &&
                (b == 0 || !email_local((unsigned char)c->lo[b - 1])))
                return true;
    }
    return false;
}

/* The caller's text is not NUL-terminated: compare within it. */
static bool starts_at(const struct ctx *c, size_t b, const char *w) {
    size_t n = strlen(w);
    return b + n <= c->len && memcmp(c->text + b, w, n) == 0;
}

static void extract_contacts(struct ctx *c, json_t *arr) {
    const unsigned char *p = (const unsigned char *)c->text;
    for (size_t b = 0; b < c->len; b++) {
        size_t s, e;
        if (p[b] == '@' && (e = email_at(c, b, &s))) {
            char buf[320];
            size_t n = e - s < sizeof buf - 1 ? e - s : sizeof buf - 1;
            memcpy(buf, c->lo + s, n);
            buf[n] = '\0';
            add_contact(c, arr, "email", json_string(buf), s, e, 99);
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
            add_contact(c, arr, "url", json_stringn(c->text + b, e - b), b, e, 95);
            b = e;
        } else if ((p[b] == '+' || p[b] == '(' || (p[b] >= '0' && p[b] <= '9')) &&
                   (b == 0 || p[b - 1] == ' ' || p[b - 1] == ':' || p[b - 1] == '\n') &&
                   (p[b] == '+' || phone_cue(c, b)) && (e = phone_at(c, b))) {
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
            add_contact(c, arr, "phone", json_string(buf), b, e, p[b] == '+' ? 90 : 80);
            b = e;
        }
    }
}

/* ---- language ------------------------------------------------------------------------- */

/* The language identifier of lib/engines/lang.c (en, de, fr, es, it, nl); English when the
 * text gives too little evidence. */
static const char *language(const struct ctx *c) {
    const char *l = dw_lang_detect(c->text, c->len, NULL);
    return l ? l : "en";
}

/* ---- instructions to the system ------------------------------------------------------- */

/* Words addressed to the system, and claims made to it, as the screening engine reads them
 * (lib/engines/screen.h): every finding with its span into the text. */
static void extract_instructions(struct ctx *c, json_t *arr) {
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
        put_conf(c, o, 80);
        if (json_array_append(arr, o) < 0)
            c->oom = true;
    }
    json_decref(found);
}

/* ---- entry points --------------------------------------------------------------------- */

static void release_index(struct tindex *ix) {
    free(ix->ph);
}

static int run(struct ctx *c, json_t *out) {
    json_t *quantities = json_array(), *caps = json_array(), *excl = json_array(),
           *opt = json_array(), *stds = json_array(), *instr = json_array(), *integ = json_array(),
           *regions = json_array(), *contacts = json_array();
    put(c, out, "language", json_string(language(c)));
    put(c, out, "quantities", quantities);
    if (contacts)
        extract_contacts(c, contacts);
    json_t *deadline = extract_deadline(c);
    extract_standards(c, stds);
    json_t *discount = extract_discount(c);
    json_t *term = extract_term(c);
    if (quantities)
        extract_quantities(c, quantities);
    json_t *budget = extract_budget(c);
    json_t *residency = extract_residency(c);
    json_t *country = extract_country(c);
    if (regions)
        extract_regions(c, regions);
    if (json_is_null(country) && regions)
        country = country_from_regions(c, regions);
    if (caps && excl && opt)
        extract_capabilities(c, caps, excl, opt);
    if (integ)
        extract_integrations(c, integ);
    if (instr)
        extract_instructions(c, instr);
    put(c, out, "budget", budget);
    put(c, out, "deadline", deadline);
    put(c, out, "country", country);
    put(c, out, "regions", regions);
    put(c, out, "capabilities", caps);
    put(c, out, "excluded_capabilities", excl);
    put(c, out, "optional_capabilities", opt);
    put(c, out, "standards", stds);
    put(c, out, "integrations", integ);
    put(c, out, "discount", discount);
    put(c, out, "term_months", term);
    put(c, out, "data_residency", residency);
    put(c, out, "contact_details", contacts);
    put(c, out, "instructions_detected", instr);
    return c->oom ? -DW_ENOMEM : 0;
}

/* A vocabulary prepared once: its phrase indexes. The terms' strings are borrowed, except
 * the built-in unit nouns (lexicon.c), copied into umem with the terms that name them. */
struct dw_extractor {
    struct tindex caps, stds, units, integ;
    const char *defcur;
    struct dw_vocab_term *uterms; /* the workspace's units, then the built-in nouns */
    uint8_t *ulang;               /* per term: LANG_* of a built-in noun, 0 for the workspace's */
    const char *site_unit;        /* the unit the premises nouns extend, or NULL */
    size_t n_uterms;
    char *umem;
};

/* The workspace unit a built-in concept extends: the unit whose name or synonyms include
 * one of the concept's English words; NULL when the catalog counts no such thing. */
static const char *lexicon_target(const struct dw_extract_vocab *v, const char *concept,
                                  size_t clen) {
    static const char *const site[] = {"site", "sites"}, *const users[] = {"user", "users",
                                                                           "employees"};
    bool is_site = clen == 4 && memcmp(concept, "site", 4) == 0;
    const char *const *words = is_site ? site : users;
    size_t nw = is_site ? DW_ARRAY_SIZE(site) : DW_ARRAY_SIZE(users);
    for (size_t u = 0; u < v->n_units; u++) {
        const struct dw_vocab_term *t = &v->units[u];
        for (size_t k = 0; t->name && k <= t->n_synonyms; k++) {
            const char *s = k == 0 ? t->name : t->synonyms ? t->synonyms[k - 1] : NULL;
            for (size_t w = 0; s && w < nw; w++)
                if (strcasecmp(s, words[w]) == 0)
                    return t->name;
        }
    }
    return NULL;
}

/* The workspace's units followed by the built-in nouns of lexicon.c for the units it has. */
static int lexicon_units(struct dw_extractor *x, const struct dw_extract_vocab *v) {
    static const struct {
        const char *code;
        uint8_t bit;
    } langs[] = {{"en", LANG_EN}, {"de", LANG_DE}, {"fr", LANG_FR},
                 {"es", LANG_ES}, {"it", LANG_IT}, {"nl", LANG_NL}};
    size_t bytes = 0, forms = 0;
    for (size_t l = 0; l < dw__n_unit_lexicon; l++) {
        bytes += strlen(dw__unit_lexicon[l]) + 1;
        for (const char *p = dw__unit_lexicon[l]; *p; p++)
            forms += *p == '|';
    }
    size_t nt = v->n_units + dw__n_unit_lexicon;
    x->umem = malloc(nt * (sizeof(struct dw_vocab_term) + 1) + forms * sizeof(char *) + bytes);
    if (!x->umem)
        return -DW_ENOMEM;
    x->uterms = (struct dw_vocab_term *)(void *)x->umem;
    const char **syn = (const char **)(void *)(x->uterms + nt);
    char *pool = (char *)(syn + forms);
    x->ulang = (uint8_t *)(pool + bytes);
    size_t n = 0;
    for (size_t u = 0; u < v->n_units; u++) {
        x->uterms[n] = v->units[u];
        x->ulang[n++] = 0;
    }
    for (size_t l = 0; l < dw__n_unit_lexicon; l++) {
        const char *line = dw__unit_lexicon[l], *b1 = strchr(line, '|');
        const char *b2 = b1 ? strchr(b1 + 1, '|') : NULL;
        const char *name = b1 ? lexicon_target(v, line, (size_t)(b1 - line)) : NULL;
        if (!name || !b2)
            continue;
        if (memcmp(line, "site|", 5) == 0)
            x->site_unit = name;
        uint8_t bit = 0;
        for (size_t k = 0; k < DW_ARRAY_SIZE(langs); k++)
            if ((size_t)(b2 - b1 - 1) == strlen(langs[k].code) &&
                memcmp(b1 + 1, langs[k].code, 2) == 0)
                bit = langs[k].bit;
        size_t len = strlen(b2 + 1);
        memcpy(pool, b2 + 1, len + 1);
        struct dw_vocab_term *t = &x->uterms[n];
        *t = (struct dw_vocab_term){.name = name, .synonyms = syn};
        for (char *p = pool; p;) {
            char *bar = strchr(p, '|');
            if (bar)
                *bar = '\0';
            syn[t->n_synonyms++] = p;
            p = bar ? bar + 1 : NULL;
        }
        syn += t->n_synonyms;
        pool += len + 1;
        x->ulang[n++] = bit;
    }
    x->n_uterms = n;
    return 0;
}

void dw_extractor_free(struct dw_extractor *x) {
    if (!x)
        return;
    free(x->umem);
    release_index(&x->caps);
    release_index(&x->stds);
    release_index(&x->units);
    release_index(&x->integ);
    free(x);
}

int dw_extractor_new(const struct dw_extract_vocab *vocab, struct dw_extractor **ret,
                     struct dw_error *err) {
    static const struct dw_extract_vocab no_vocab = {0};
    if (!ret)
        return dw_error_set(err, -DW_EINVAL, "extract: no result pointer");
    if (!vocab)
        vocab = &no_vocab;
    pthread_once(&g_once, init_tables);
    struct dw_extractor *x = calloc(1, sizeof *x);
    if (!x)
        return dw_error_set(err, -DW_ENOMEM, "extract: %s", dw_strerror(-DW_ENOMEM));
    x->defcur =
        vocab->default_currency && vocab->default_currency[0] ? vocab->default_currency : "EUR";
    const struct dw_vocab_term *integ =
        vocab->n_integrations ? vocab->integrations : default_integrations;
    size_t n_integ =
        vocab->n_integrations ? vocab->n_integrations : DW_ARRAY_SIZE(default_integrations);
    int r;
    if ((r = tindex_build(&x->caps, vocab->capabilities, vocab->n_capabilities, PH_PLURAL, false,
                          NULL)) < 0 ||
        (r = tindex_build(&x->stds, vocab->standards, vocab->n_standards, 0, true, NULL)) < 0 ||
        (r = lexicon_units(x, vocab)) < 0 ||
        (r = tindex_build(&x->units, x->uterms, x->n_uterms, PH_PLURAL, false, x->ulang)) < 0 ||
        (r = tindex_build(&x->integ, integ, n_integ, PH_CAP, true, NULL)) < 0) {
        dw_extractor_free(x);
        return dw_error_set(err, r, "extract: vocabulary: %s", dw_strerror(r));
    }
    *ret = x;
    return 0;
}

int dw_extractor_run(const struct dw_extractor *x, const char *text, size_t len,
                     dw_time_t received_at, json_t **ret, struct dw_error *err) {
    if (!x || !ret || (!text && len))
        return dw_error_set(err, -DW_EINVAL, "extract: no text or no result pointer");
    if (len > DW_EXTRACT_MAX_TEXT)
        return dw_error_set(err, -DW_ETOOBIG, "message is %zu bytes; the limit is %d bytes", len,
                            DW_EXTRACT_MAX_TEXT);
    size_t bad;
    if (len && !dw_utf8_valid(text, len, &bad))
        return dw_error_set(err, -DW_EINVAL, "message is not valid UTF-8 at byte %zu", bad);

    size_t tok_off = (len + 1 + 7) & ~(size_t)7;
    char *mem = malloc(tok_off + (len + 1) * sizeof(struct tok) + len + 1);
    json_t *out = json_object();
    int r = -DW_ENOMEM;
    if (!mem || !out)
        goto out;
    int64_t days = received_at >= 0 ? received_at / 86400 : (received_at - 86399) / 86400;
    struct ctx c = {.text = text ? text : "",
                    .lo = mem,
                    .len = len,
                    .today = days,
                    .wd = dw_weekday(received_at),
                    .caps = &x->caps,
                    .stds = &x->stds,
                    .units = &x->units,
                    .site_unit = x->site_unit,
                    .integ = &x->integ,
                    .defcur = x->defcur};
    dw_civil_from_days(days, &c.ty, &c.tm, &c.td);
    fold_lower(c.text, len, mem);
    c.t = (struct tok *)(void *)(mem + tok_off);
    c.nt = tokenize(c.text, len, c.t, true);
    c.claim = (uint8_t *)(c.t + len + 1);
    memset(c.claim, 0, len + 1);
    classify(&c);
    mark_negation(&c);
    r = run(&c, out);
out:
    free(mem);
    if (r < 0) {
        json_decref(out);
        return dw_error_set(err, r, "extract: %s", dw_strerror(r));
    }
    *ret = out;
    return 0;
}

int dw_extract(const char *text, size_t len, dw_time_t received_at,
               const struct dw_extract_vocab *vocab, json_t **ret, struct dw_error *err) {
    if (!ret || (!text && len))
        return dw_error_set(err, -DW_EINVAL, "extract: no text or no result pointer");
    struct dw_extractor *x = NULL;
    int r = dw_extractor_new(vocab, &x, err);
    if (r < 0)
        return r;
    r = dw_extractor_run(x, text, len, received_at, ret, err);
    dw_extractor_free(x);
    return r;
}

/* ---- the workspace's extractor -------------------------------------------------------- */

/* The vocabulary terms of a workspace, laid out for struct dw_extract_vocab; they borrow the
 * snapshot's strings, which live as long as the extractor kept with it. */
struct ws_extractor {
    struct dw_extractor *x;
    struct dw_vocab_term terms[];
};

static void ws_extractor_free(void *p) {
    struct ws_extractor *w = p;
    dw_extractor_free(w->x);
    free(w);
}

static void vocab_terms(const struct dw_term *t, size_t n, struct dw_vocab_term *out) {
    for (size_t i = 0; i < n; i++)
        out[i] = (struct dw_vocab_term){.name = t[i].name,
                                        .synonyms = (const char *const *)t[i].synonyms,
                                        .n_synonyms = t[i].n_synonyms};
}

static void *ws_extractor_build(const struct dw_workspace *ws, void *ud) {
    struct dw_error *err = ud;
    size_t n = ws->n_capabilities + ws->n_standards + ws->n_units;
    struct ws_extractor *w = calloc(1, sizeof *w + (n + 1) * sizeof(struct dw_vocab_term));
    if (!w) {
        dw_error_set(err, -DW_ENOMEM, "extract: %s", dw_strerror(-DW_ENOMEM));
        return NULL;
    }
    struct dw_vocab_term *caps = w->terms, *stds = caps + ws->n_capabilities,
                         *units = stds + ws->n_standards;
    vocab_terms(ws->capabilities, ws->n_capabilities, caps);
    vocab_terms(ws->standards, ws->n_standards, stds);
    vocab_terms(ws->units, ws->n_units, units);
    struct dw_extract_vocab vocab = {
        .capabilities = caps,
        .n_capabilities = ws->n_capabilities,
        .standards = stds,
        .n_standards = ws->n_standards,
        .units = units,
        .n_units = ws->n_units,
        .default_currency = ws->home_currency,
    };
    if (dw_extractor_new(&vocab, &w->x, err) < 0) {
        free(w);
        return NULL;
    }
    return w;
}

const struct dw_extractor *dw_ws_extractor(const struct dw_workspace *ws, struct dw_error *err) {
    if (!ws) {
        dw_error_set(err, -DW_EINVAL, "extract: no workspace");
        return NULL;
    }
    struct ws_extractor *w =
        dw_ws_memo(ws, DW_WS_MEMO_EXTRACTOR, ws_extractor_build, err, ws_extractor_free);
    return w ? w->x : NULL;
}

const char *dw_country_code(const char *name) {
    if (!name)
        return NULL;
    pthread_once(&g_once, init_tables);
    while (*name == ' ' || *name == '\t')
        name++;
    size_t n = strlen(name);
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 128)
        return NULL;
    if (n == 2) {
        char a = name[0] & ~0x20, b = name[1] & ~0x20;
        for (size_t k = 0; k < dw__n_country_names && k < DW_ARRAY_SIZE(g.codes); k++)
            if (g.codes[k][0] == a && g.codes[k][1] == b)
                return g.codes[k];
    }
    char lo[129];
    struct tok t[129];
    fold_lower(name, n, lo);
    struct ctx c = {.text = name, .lo = lo, .len = n, .t = t, .loose = true};
    c.nt = tokenize(name, n, t, false);
    size_t e;
    for (size_t i = 0; i < 2 && i < c.nt; i++) {
        const struct phrase *p = vocab_at(&c, &g.countries, i, &e);
        if (p && e == c.nt)
            return p->name;
        if (!is(&c, i, "the"))
            break;
    }
    return NULL;
}

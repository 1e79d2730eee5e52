/* The per-language knowledge files (lib/engines/extract/lang/LANG.yaml): their sections, shared
 * by the build step that checks and embeds them (embed-lang.c) and the extractor that reads
 * them (extract/langdata.c). docs/internals/extraction.md ("Per-language knowledge")
 * describes each section.
 *
 * Kinds: LK_LIST a list of words; LK_INT a mapping of words to integers in [lo, hi];
 * LK_NAME a mapping of words to one of a section's names; LK_PATTERN a list of token
 * patterns; LK_FORMAT the number format. A word is one token of the extractor (no space; an
 * apostrophe is dropped, as the extractor drops it when it looks words up). */
#ifndef DW_LANG_SCHEMA_H
#define DW_LANG_SCHEMA_H

enum lk_kind { LK_LIST, LK_INT, LK_NAME, LK_PATTERN, LK_FORMAT, LK_CODE, LK_PATNAME };

/* X(section, kind, lo, hi): lo/hi bound LK_INT values */
#define DW_LANG_SECTIONS(X)                                                                        \
    X(language, LK_CODE, 0, 0)                                                                     \
    X(number_format, LK_FORMAT, 0, 0)                                                              \
    X(numbers, LK_INT, 1, 999)                                                                     \
    X(number_units, LK_INT, 1, 999)                                                                \
    X(number_prefixes, LK_INT, 1, 900)                                                             \
    X(number_hundreds, LK_LIST, 0, 0)                                                              \
    X(number_thousands, LK_LIST, 0, 0)                                                             \
    X(number_millions, LK_LIST, 0, 0)                                                              \
    X(number_joiners, LK_LIST, 0, 0)                                                               \
    X(dozens, LK_INT, 2, 1000)                                                                     \
    X(scales, LK_INT, 100, 1000000000)                                                             \
    X(magnitudes, LK_INT, 1000, 1000000000)                                                        \
    X(and_a_half, LK_PATTERN, 0, 0)                                                                \
    X(currencies, LK_NAME, 0, 0)                                                                   \
    X(currency_phrases, LK_PATNAME, 0, 0)                                                          \
    X(months, LK_INT, 1, 12)                                                                       \
    X(months_capitalised, LK_INT, 1, 12)                                                           \
    X(weekdays, LK_INT, 1, 7)                                                                      \
    X(time_units, LK_NAME, 0, 0)                                                                   \
    X(ordinals, LK_INT, 1, 4)                                                                      \
    X(date_words, LK_NAME, 0, 0)                                                                   \
    X(holidays, LK_NAME, 0, 0)                                                                     \
    X(date_triggers, LK_LIST, 0, 0)                                                                \
    X(offer_words, LK_LIST, 0, 0)                                                                  \
    X(start_words, LK_LIST, 0, 0)                                                                  \
    X(could_words, LK_LIST, 0, 0)                                                                  \
    X(within, LK_LIST, 0, 0)                                                                       \
    X(asap, LK_PATTERN, 0, 0)                                                                      \
    X(negations, LK_LIST, 0, 0)                                                                    \
    X(negations_after, LK_LIST, 0, 0)                                                              \
    X(clause_breaks, LK_LIST, 0, 0)                                                                \
    X(need, LK_LIST, 0, 0)                                                                         \
    X(hedges, LK_LIST, 0, 0)                                                                       \
    X(hedges_paired, LK_LIST, 0, 0)                                                                \
    X(hedge_phrases, LK_PATTERN, 0, 0)                                                             \
    X(project_events, LK_PATTERN, 0, 0)                                                            \
    X(budget_words, LK_INT, 1, 2)                                                                  \
    X(before_tax, LK_LIST, 0, 0)                                                                   \
    X(already, LK_PATTERN, 0, 0)                                                                   \
    X(replace, LK_PATTERN, 0, 0)                                                                   \
    X(refusals, LK_PATTERN, 0, 0)                                                                  \
    X(contrast, LK_PATTERN, 0, 0)                                                                  \
    X(halves, LK_PATTERN, 0, 0)                                                                    \
    X(one_and_a_half, LK_PATTERN, 0, 0)                                                            \
    X(qualifiers_max, LK_PATTERN, 0, 0)                                                            \
    X(qualifiers_about, LK_PATTERN, 0, 0)                                                          \
    X(qualifiers_min, LK_PATTERN, 0, 0)                                                            \
    X(range_links, LK_PATTERN, 0, 0)                                                               \
    X(range_between, LK_PATTERN, 0, 0)                                                             \
    X(range_and, LK_PATTERN, 0, 0)                                                                 \
    X(only_here, LK_LIST, 0, 0)

#define DW_LANG_SECTION_ENUM(s, k, lo, hi) LS_##s,
enum lk_section { DW_LANG_SECTIONS(DW_LANG_SECTION_ENUM) LS_COUNT };
#undef DW_LANG_SECTION_ENUM

/* The names an LK_NAME section's values take; the value stored is the index + 1. */
#define DW_LANG_CURRENCIES                                                                         \
    "EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "INR",     \
        "CNY", "MXN", "COP", "CLP", "ARS", "BRL", "XOF", "MAD", "TND", "PEN", "SGD", "HKD", "NZD", \
        "ZAR", "HUF", "RON", "AED", "UYU"
#define DW_LANG_TIME_UNITS "day", "week", "month", "year", "quarter", "half" /* TU_* order */
#define DW_LANG_DATE_WORDS                                                                         \
    "next", "this", "end", "year_end", "month_end", "quarter_end", "asap", "mid",                  \
        "quarter_letter", "calendar_week", "fiscal_year", "half_letter"
#define DW_LANG_HOLIDAYS                                                                           \
    "christmas", "new_year_eve", "easter", "ascension", "pentecost", "all_saints", "thanksgiving", \
        "ferragosto", "kings_day", "epiphany", "holy_week"
enum lk_dateword {
    DWK_NEXT = 1,
    DWK_THIS,
    DWK_END,
    DWK_YEAR_END,
    DWK_MONTH_END,
    DWK_QUARTER_END,
    DWK_ASAP,
    DWK_MID,
    DWK_QLETTER,
    DWK_CW,
    DWK_FISCAL,
    DWK_HLETTER
};
enum lk_holiday {
    HOL_CHRISTMAS = 1,
    HOL_NEW_YEAR_EVE,
    HOL_EASTER,
    HOL_ASCENSION,
    HOL_PENTECOST,
    HOL_ALL_SAINTS,
    HOL_THANKSGIVING,
    HOL_FERRAGOSTO,
    HOL_KINGS_DAY,
    HOL_EPIPHANY,
    HOL_HOLY_WEEK
};

/* One word or pattern of one language's file, as embedded. */
struct dw_lang_entry {
    const char *w;         /* the word (lower case, no apostrophe) or pattern */
    unsigned char lang;    /* index into en de fr es it nl */
    unsigned char section; /* enum lk_section */
    unsigned char only;    /* listed under only_here: its roles hold in this language only */
    long long val;         /* LK_INT value, LK_NAME index + 1; 0 otherwise */
};

/* A language's number format: decimal separator and the grouping ones (UTF-8 each). */
struct dw_lang_format {
    const char *decimal;
    const char *group[4];
};

#endif

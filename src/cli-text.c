/* Text in columns: widths in terminal cells, not bytes, so that accented, East Asian and
 * combined characters line up and are never cut in the middle.
 *
 * UTF-8 is decoded here (the process's locale may be "C"); each character's width comes
 * from the C library's Unicode tables (wcwidth() under the C.UTF-8 locale, which glibc
 * always has), with a small table of wide ranges and combining marks as the fallback. */
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"

/* The next code point of s (advancing *n bytes), or -1 for an invalid sequence (*n = 1). */
static long decode(const unsigned char *s, int *n) {
    unsigned c = s[0];
    int len = c < 0x80             ? 1
              : (c & 0xE0) == 0xC0 ? 2
              : (c & 0xF0) == 0xE0 ? 3
              : (c & 0xF8) == 0xF0 ? 4
                                   : 0;
    *n = 1;
    if (!len)
        return -1;
    long cp = len == 1 ? (long)c : (long)(c & (0x7F >> len));
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const long min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *n = len;
    return cp;
}

static int fallback_width(long cp) {
    static const long zero[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},  {0x064B, 0x065F},
        {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},  {0x200B, 0x200F},
        {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF}};
    static const long wide[][2] = {{0x1100, 0x115F},   {0x2E80, 0x303E},  {0x3041, 0x33FF},
                                   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},  {0xA000, 0xA4CF},
                                   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},  {0xFE30, 0xFE4F},
                                   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},  {0x1F300, 0x1F64F},
                                   {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD}};
    for (size_t i = 0; i < DW_ARRAY_SIZE(zero); i++)
        if (cp >= zero[i][0] && cp <= zero[i][1])
            return 0;
    for (size_t i = 0; i < DW_ARRAY_SIZE(wide); i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

/* Cells of one code point; -1 for a control character (shown as '?', one cell). */
static int cp_width(long cp) {
    static locale_t utf8;
    static bool tried;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return -1;
    if (cp < 0x7F)
        return 1;
    if (!tried) {
        tried = true;
        utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    }
    if (!utf8)
        return fallback_width(cp);
    locale_t old = uselocale(utf8);
    int w = wcwidth((wchar_t)cp);
    uselocale(old);
    return w < 0 ? 1 : w;
}

int cli_text_width(const char *s) {
    int w = 0, n;
    for (const unsigned char *p = (const unsigned char *)(s ? s : "-"); *p; p += n) {
        long cp = decode(p, &n);
        int cw = cp < 0 ? 1 : cp_width(cp);
        w += cw < 0 ? 1 : cw;
    }
    return w;
}

void cli_cell(FILE *f, const char *s, int width, bool right) {
    const unsigned char *p = (const unsigned char *)(s ? s : "-");
    int total = cli_text_width((const char *)p);
    int room = total > width ? width - 1 : width; /* one cell for '…' when cut */
    int used = 0, n;
    if (right && total < width)
        fprintf(f, "%*s", width - total, "");
    for (; *p; p += n) {
        long cp = decode(p, &n);
        int cw = cp < 0 ? -1 : cp_width(cp);
        if (used + (cw < 0 ? 1 : cw) > room)
            break;
        if (cw < 0)
            fputc('?', f);
        else
            fwrite(p, 1, (size_t)n, f);
        used += cw < 0 ? 1 : cw;
    }
    /* combining marks after the last character shown belong to it */
    for (; *p; p += n) {
        long cp = decode(p, &n);
        if (cp < 0 || cp_width(cp) != 0)
            break;
        fwrite(p, 1, (size_t)n, f);
    }
    if (total > width && width > 0) {
        fputs("…", f);
        used++;
    }
    if (!right && used < width)
        fprintf(f, "%*s", width - used, "");
}

void cli_put_text(FILE *f, const char *s, bool keep_lines) {
    int n;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p += n) {
        long cp = decode(p, &n);
        if (cp == '\n' || cp == '\t' || cp == '\r')
            fputc(keep_lines && cp != '\r' ? (int)cp : ' ', f);
        else if (cp < 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
            fputc('?', f);
        else
            fwrite(p, 1, (size_t)n, f);
    }
}

/*
 * escape.c: makes any text safe to print in an error message or a log
 * line. Messages echo what others wrote (URIs from key files, archive
 * member names, keystore aliases, service request ids and messages); a
 * newline in them forges a log line, an escape sequence rewrites a
 * terminal, a bidi control reorders what a reader sees. Everything but
 * printable ASCII and well-formed UTF-8 of printable characters is written
 * as \xNN (bytes) or \uNNNN (characters), which leaves text that is already
 * safe unchanged, so escaping twice does no harm.
 */
#include <stdio.h>
#include <string.h>

#include "core/hwc.h"

/* Length of the UTF-8 sequence at s (n bytes left) and its code point;
 * 0 when it is not well-formed (overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_char(const unsigned char *s, size_t n, unsigned long *cp)
{
    size_t len;
    unsigned long c, min;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2, c = s[0] & 0x1F, min = 0x80;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3, c = s[0] & 0x0F, min = 0x800;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    *cp = c;
    return len;
}

/* C1 controls and the characters that reorder or split what is shown. */
static int invisible(unsigned long c)
{
    return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
           c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

size_t hwc_escape(char *dst, size_t cap, const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t out = 0, i = 0;

    if (cap == 0) {
        return 0;
    }
    while (i < len) {
        char piece[16];
        size_t plen, step = 1;
        unsigned long cp;

        if (s[i] >= 0x20 && s[i] < 0x7F) {
            piece[0] = (char)s[i];
            plen = 1;
        } else if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
            piece[0] = '\\';
            piece[1] = s[i] == '\n' ? 'n' : s[i] == '\r' ? 'r' : 't';
            plen = 2;
        } else if (s[i] >= 0x80 && (step = utf8_char(s + i, len - i, &cp)) &&
                   !invisible(cp)) {
            memcpy(piece, s + i, step);
            plen = step;
        } else if (s[i] >= 0x80 && step > 0) {
            plen = (size_t)snprintf(piece, sizeof(piece), "\\u%04lX", cp);
        } else {
            step = 1;
            plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02X", s[i]);
        }
        if (out + plen >= cap) {
            break; /* never half an escape or half a character */
        }
        memcpy(dst + out, piece, plen);
        out += plen;
        i += step;
    }
    dst[out] = '\0';
    return out;
}

size_t hwc_vescapef(char *dst, size_t cap, const char *fmt, va_list ap)
{
    char raw[4096]; /* at least what any caller keeps: escaping only grows */
    int n = vsnprintf(raw, sizeof(raw), fmt, ap);
    size_t len = n < 0                     ? 0
                 : (size_t)n < sizeof(raw) ? (size_t)n
                                           : sizeof(raw) - 1;

    return hwc_escape(dst, cap, raw, len);
}

/*
 * der.c: a strict DER reader (definite, minimal lengths; one-byte tags)
 * over a byte range. Nothing here allocates or raises: callers turn a 0
 * into their own message, or into a fall-back to libcrypto.
 */
#include <string.h>

#include "formats/der.h"

#define MAX_DEPTH 32

int hwc_der_next(hwc_der *in, unsigned char *tag, hwc_der *content,
                 hwc_der *whole)
{
    const unsigned char *s = in->p;
    size_t n = in->n, l, h = 2;

    if (n < 2 || (s[0] & 0x1f) == 0x1f) {
        return 0;
    }
    l = s[1];
    if (l & 0x80) {
        size_t nb = l & 0x7f;

        /* indefinite, longer than 4 octets, or a leading zero octet */
        if (nb == 0 || nb > 4 || n < 2 + nb || s[2] == 0) {
            return 0;
        }
        l = 0;
        for (size_t i = 0; i < nb; i++) {
            l = (l << 8) | s[2 + i];
        }
        if (l < 0x80) {
            return 0; /* long form for a short length */
        }
        h += nb;
    }
    if (l > n - h) {
        return 0;
    }
    if (tag != NULL) {
        *tag = s[0];
    }
    if (content != NULL) {
        content->p = s + h;
        content->n = l;
    }
    if (whole != NULL) {
        whole->p = s;
        whole->n = h + l;
    }
    in->p = s + h + l;
    in->n = n - h - l;
    return 1;
}

int hwc_der_take(hwc_der *in, unsigned char tag, hwc_der *content,
                 hwc_der *whole)
{
    return hwc_der_peek(in, tag) && hwc_der_next(in, NULL, content, whole);
}

int hwc_der_peek(const hwc_der *in, unsigned char tag)
{
    return in->n > 0 && in->p[0] == tag;
}

static int well_formed(hwc_der in, int depth)
{
    while (in.n > 0) {
        unsigned char tag;
        hwc_der c;

        if (!hwc_der_next(&in, &tag, &c, NULL)) {
            return 0;
        }
        if ((tag & 0x20) &&
            (depth >= MAX_DEPTH || !well_formed(c, depth + 1))) {
            return 0;
        }
    }
    return 1;
}

int hwc_der_well_formed(hwc_der in)
{
    return in.p != NULL && in.n > 0 && well_formed(in, 0);
}

int hwc_der_uint_take(hwc_der *in, hwc_der *out)
{
    hwc_der c;

    if (!hwc_der_take(in, 0x02, &c, NULL) || c.n == 0 || (c.p[0] & 0x80) ||
        (c.n > 1 && c.p[0] == 0 && (c.p[1] & 0x80) == 0)) {
        return 0;
    }
    if (out != NULL) {
        *out = c;
    }
    return 1;
}

int hwc_der_is_ecdsa_sig(const unsigned char *p, size_t n)
{
    hwc_der in = {p, n}, seq;

    return hwc_der_take(&in, 0x30, &seq, NULL) && in.n == 0 &&
           hwc_der_uint_take(&seq, NULL) && hwc_der_uint_take(&seq, NULL) &&
           seq.n == 0;
}

int hwc_der_eq(hwc_der a, hwc_der b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

size_t hwc_der_put_tl(unsigned char *o, unsigned char tag, size_t n)
{
    size_t nb = n < 0x80        ? 0
                : n < 0x100     ? 1
                : n < 0x10000   ? 2
                : n < 0x1000000 ? 3
                                : 4;

    if (o != NULL) {
        o[0] = tag;
        if (nb == 0) {
            o[1] = (unsigned char)n;
        } else {
            o[1] = (unsigned char)(0x80 | nb);
            for (size_t i = 0; i < nb; i++) {
                o[2 + i] = (unsigned char)(n >> (8 * (nb - 1 - i)));
            }
        }
    }
    return 2 + nb;
}

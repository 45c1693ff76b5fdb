/*
 * uriwrap.c: a provider URI wrapped as PEM, so that software that only
 * reads key files (nginx ssl_certificate_key, ...) can be pointed at a
 * remote key: "-----BEGIN HWCLOUD PROVIDER URI-----" around the DER of
 *     SEQUENCE { VisibleString "hwcloud-provider-uri-v1", UTF8String uri }
 * Decoding is strict DER: exact magic, minimal lengths, nothing trailing.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "formats/uriwrap.h"
#include "formats/der.h"
#include "core/hwc.h"

#define TAG_SEQUENCE 0x30
#define TAG_UTF8STRING 0x0c
#define TAG_VISIBLESTRING 0x1a

/* Largest URI we wrap or unwrap; far above any real one. */
#define URI_MAX 65535

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF), no NUL. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        unsigned long cp;

        if (c == 0) {
            return 0;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3, cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k) {
            return 0;
        }
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        i += k + 1;
    }
    return 1;
}

int hwc_uri_wrap_der(const char *uri, unsigned char **der, size_t *len)
{
    size_t ulen, mlen = strlen(HWC_URI_PEM_MAGIC), inner, total, w = 0;
    unsigned char *o;

    if (der == NULL || len == NULL) {
        hwc_raise(HWC_R_INTERNAL, "hwc_uri_wrap_der: invalid arguments");
        return 0;
    }
    if (uri == NULL || (ulen = strlen(uri)) == 0) {
        hwc_raise(HWC_R_URI_INVALID, "URI to wrap is empty");
        return 0;
    }
    if (ulen > URI_MAX || !utf8_ok((const unsigned char *)uri, ulen)) {
        hwc_raise(HWC_R_URI_INVALID,
                  "URI to wrap is longer than %d bytes or not UTF-8", URI_MAX);
        return 0;
    }
    inner = hwc_der_put_tl(NULL, TAG_VISIBLESTRING, mlen) + mlen +
            hwc_der_put_tl(NULL, TAG_UTF8STRING, ulen) + ulen;
    total = hwc_der_put_tl(NULL, TAG_SEQUENCE, inner) + inner;
    if ((o = OPENSSL_malloc(total)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "wrapped URI");
        return 0;
    }
    w += hwc_der_put_tl(o + w, TAG_SEQUENCE, inner);
    w += hwc_der_put_tl(o + w, TAG_VISIBLESTRING, mlen);
    memcpy(o + w, HWC_URI_PEM_MAGIC, mlen);
    w += mlen;
    w += hwc_der_put_tl(o + w, TAG_UTF8STRING, ulen);
    memcpy(o + w, uri, ulen);
    w += ulen;
    *der = o;
    *len = w;
    return 1;
}

char *hwc_uri_wrap_pem(const char *uri)
{
    unsigned char *der = NULL;
    size_t dlen = 0, blen;
    char *b64 = NULL, *pem = NULL;
    hwc_buf b = {0};
    int ok;

    if (!hwc_uri_wrap_der(uri, &der, &dlen)) {
        return NULL;
    }
    b64 = hwc_base64_encode(der, dlen);
    OPENSSL_free(der);
    if (b64 == NULL) {
        hwc_raise(HWC_R_MALLOC, "wrapped URI");
        return NULL;
    }
    blen = strlen(b64);
    ok = hwc_buf_append_str(&b, "-----BEGIN " HWC_URI_PEM_LABEL "-----\n");
    for (size_t i = 0; ok && i < blen; i += 64) {
        ok = hwc_buf_append(&b, b64 + i, blen - i < 64 ? blen - i : 64) &&
             hwc_buf_append_str(&b, "\n");
    }
    ok = ok && hwc_buf_append_str(&b, "-----END " HWC_URI_PEM_LABEL "-----\n");
    OPENSSL_free(b64);
    if (!ok || (pem = (char *)hwc_buf_steal(&b, NULL)) == NULL) {
        hwc_buf_free(&b);
        hwc_raise(HWC_R_MALLOC, "wrapped URI");
        return NULL;
    }
    return pem;
}

char *hwc_uri_unwrap_der(const unsigned char *der, size_t len)
{
    size_t mlen = strlen(HWC_URI_PEM_MAGIC);
    hwc_der in = {der, len}, seq, magic, u;
    char *uri;

    if (der == NULL || len == 0) {
        hwc_raise(HWC_R_DECODE, "wrapped URI: empty");
        return NULL;
    }
    if (!hwc_der_take(&in, TAG_SEQUENCE, &seq, NULL)) {
        hwc_raise(HWC_R_DECODE,
                  "wrapped URI: not a DER SEQUENCE (or bad length)");
        return NULL;
    }
    if (in.n != 0) {
        hwc_raise(HWC_R_DECODE,
                  "wrapped URI: %zu trailing bytes after the SEQUENCE", in.n);
        return NULL;
    }
    if (!hwc_der_take(&seq, TAG_VISIBLESTRING, &magic, NULL)) {
        hwc_raise(HWC_R_DECODE,
                  "wrapped URI: first element is not a VisibleString");
        return NULL;
    }
    if (magic.n != mlen || memcmp(magic.p, HWC_URI_PEM_MAGIC, mlen) != 0) {
        hwc_raise(HWC_R_DECODE, "wrapped URI: wrong magic (expected \"%s\")",
                  HWC_URI_PEM_MAGIC);
        return NULL;
    }
    if (!hwc_der_take(&seq, TAG_UTF8STRING, &u, NULL)) {
        hwc_raise(HWC_R_DECODE,
                  "wrapped URI: second element is not a UTF8String");
        return NULL;
    }
    if (seq.n != 0) {
        hwc_raise(HWC_R_DECODE, "wrapped URI: extra elements after the URI");
        return NULL;
    }
    if (u.n == 0 || u.n > URI_MAX || !utf8_ok(u.p, u.n)) {
        hwc_raise(HWC_R_DECODE,
                  "wrapped URI: URI is empty, too long or not valid UTF-8");
        return NULL;
    }
    if ((uri = OPENSSL_malloc(u.n + 1)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "wrapped URI");
        return NULL;
    }
    memcpy(uri, u.p, u.n);
    uri[u.n] = '\0';
    return uri;
}

/*
 * buf.c: growable byte buffers that wipe what they held, and the string,
 * base64 and hex helpers the other layers share.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/hwc.h"

static int buf_reserve(hwc_buf *b, size_t extra)
{
    size_t need, ncap;
    unsigned char *p;

    if (extra > SIZE_MAX - b->len - 1) {
        return 0;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return 1;
    }
    ncap = b->cap ? b->cap : 256;
    while (ncap < need) {
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    }
    /* Not realloc: the old block may hold secrets and must be wiped. */
    p = OPENSSL_malloc(ncap);
    if (p == NULL) {
        return 0;
    }
    if (b->data != NULL) {
        memcpy(p, b->data, b->len);
        OPENSSL_clear_free(b->data, b->cap);
    }
    b->data = p;
    b->cap = ncap;
    return 1;
}

int hwc_buf_append(hwc_buf *b, const void *p, size_t n)
{
    if (!buf_reserve(b, n)) {
        return 0;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 1;
}

int hwc_buf_append_str(hwc_buf *b, const char *s)
{
    return hwc_buf_append(b, s, strlen(s));
}

int hwc_buf_printf(hwc_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n)) {
        return 0;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 1;
}

char *hwc_buf_cstr(hwc_buf *b)
{
    if (!buf_reserve(b, 0)) {
        return NULL;
    }
    b->data[b->len] = '\0';
    return (char *)b->data;
}

unsigned char *hwc_buf_steal(hwc_buf *b, size_t *len)
{
    unsigned char *p;

    if (hwc_buf_cstr(b) == NULL) {
        return NULL;
    }
    p = b->data;
    if (len != NULL) {
        *len = b->len;
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void hwc_buf_free(hwc_buf *b)
{
    if (b == NULL) {
        return;
    }
    OPENSSL_clear_free(b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

void hwc_secret_free(char *s)
{
    if (s != NULL) {
        OPENSSL_clear_free(s, strlen(s));
    }
}

int hwc_str_set(char **dst, const char *src)
{
    char *copy = NULL;

    if (src != NULL && (copy = OPENSSL_strdup(src)) == NULL) {
        return 0;
    }
    hwc_secret_free(*dst);
    *dst = copy;
    return 1;
}

char *hwc_base64_encode(const unsigned char *in, size_t len)
{
    size_t outlen = 4 * ((len + 2) / 3);
    char *out;

    if (len > (size_t)INT32_MAX) {
        return NULL;
    }
    out = OPENSSL_malloc(outlen + 1);
    if (out == NULL) {
        return NULL;
    }
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    out[outlen] = '\0';
    return out;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Strict decoder: whitespace is skipped, padding only at the end, any other
 * character fails. EVP_DecodeBlock is not used because it accepts trailing
 * garbage and does not report the length without padding arithmetic.
 */
unsigned char *hwc_base64_decode(const char *in, size_t len, size_t *outlen)
{
    unsigned char *out = OPENSSL_malloc(len / 4 * 3 + 3);
    size_t o = 0;
    unsigned int acc = 0;
    int bits = 0, pad = 0;

    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        int v;

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || (v = b64_value(c)) < 0) {
            goto fail;
        }
        acc = (acc << 6) | (unsigned int)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (pad > 2 || bits >= 6 || (pad > 0 && (bits / 2) != pad)) {
        goto fail;
    }
    *outlen = o;
    return out;
fail:
    OPENSSL_clear_free(out, len / 4 * 3 + 3);
    return NULL;
}

char *hwc_hex_encode(const unsigned char *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = OPENSSL_malloc(2 * len + 1);

    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * len] = '\0';
    return out;
}

/*
 * pem.c: PEM armour split by hand (RFC 7468 with the usual sloppiness:
 * CRLF or LF, blocks glued together, text around and between blocks), so
 * that the DER inside can be decoded by type without PEM_read_*'s guesses.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "formats/pem.h"
#include "core/hwc.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"

static const char *find_bytes(const char *hay, size_t haylen,
                              const char *needle)
{
    size_t nlen = strlen(needle);

    if (nlen == 0 || haylen < nlen) {
        return NULL;
    }
    for (size_t i = 0; i + nlen <= haylen; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

/* A label is printable ASCII, at most 63 characters, not empty. */
static int label_ok(const char *p, size_t n)
{
    if (n == 0 || n >= sizeof(((hwc_pem_block *)0)->label)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") start the body. */
static int has_headers(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n &&
           ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
            (p[i] >= '0' && p[i] <= '9') || p[i] == '-')) {
        i++;
    }
    return i > 0 && i < n && p[i] == ':';
}

static int blocks_push(hwc_pem_block **arr, int *n, int *cap,
                       const hwc_pem_block *b)
{
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 4;
        hwc_pem_block *nv;

        if (*cap > INT_MAX / 4) {
            return 0;
        }
        nv = OPENSSL_realloc(*arr, (size_t)ncap * sizeof(**arr));
        if (nv == NULL) {
            return 0;
        }
        *arr = nv;
        *cap = ncap;
    }
    (*arr)[(*n)++] = *b;
    return 1;
}

/* Decodes one body into b->der; returns 0 with why filled in. */
static int decode_body(const char *body, size_t blen, hwc_pem_block *b, int idx,
                       char *why, size_t whylen)
{
    while (blen > 0 && hwc_is_space((unsigned char)body[0])) {
        body++;
        blen--;
    }
    while (blen > 0 && hwc_is_space((unsigned char)body[blen - 1])) {
        blen--;
    }
    if (blen == 0) {
        snprintf(why, whylen, "PEM block %d (%s): empty body", idx, b->label);
        return 0;
    }
    if (has_headers(body, blen)) {
        /* Encrypted (or otherwise headed) PEM: hand the text over as is. */
        b->der = OPENSSL_memdup(body, blen);
        if (b->der == NULL) {
            snprintf(why, whylen, "PEM block %d: out of memory", idx);
            return 0;
        }
        b->der_len = blen;
        return 1;
    }
    b->der = hwc_base64_decode(body, blen, &b->der_len);
    if (b->der == NULL) {
        snprintf(why, whylen, "PEM block %d (%s): invalid base64", idx,
                 b->label);
        return 0;
    }
    if (b->der_len == 0) {
        OPENSSL_free(b->der);
        b->der = NULL;
        snprintf(why, whylen, "PEM block %d (%s): empty body", idx, b->label);
        return 0;
    }
    return 1;
}

/*
 * The BEGIN line at beg (of block idx): its label into b->label. Returns
 * where the body starts, or NULL with why filled in.
 */
static const char *scan_begin(const char *text, size_t len, const char *beg,
                              int idx, hwc_pem_block *b, char *why,
                              size_t whylen)
{
    const char *lab = beg + strlen(PEM_BEGIN);
    const char *labend =
        find_bytes(lab, len - (size_t)(lab - text), PEM_DASHES);
    size_t lablen;

    if (labend == NULL) {
        snprintf(why, whylen, "PEM block %d: unterminated BEGIN line", idx);
        return NULL;
    }
    lablen = (size_t)(labend - lab);
    if (!label_ok(lab, lablen)) {
        snprintf(why, whylen,
                 "PEM block %d: invalid label (empty, longer than %zu "
                 "characters or not printable ASCII)",
                 idx, sizeof(b->label) - 1);
        return NULL;
    }
    memset(b, 0, sizeof(*b));
    memcpy(b->label, lab, lablen);
    return labend + strlen(PEM_DASHES);
}

/*
 * The END line that closes the body starting at body, which must carry
 * b->label: *endp is where it starts. Returns where the text goes on after
 * it, or NULL with why filled in.
 */
static const char *scan_end(const char *text, size_t len, const char *body,
                            const hwc_pem_block *b, int idx, const char **endp,
                            char *why, size_t whylen)
{
    const char *elab, *elabend;
    size_t lablen = strlen(b->label);

    *endp = find_bytes(body, len - (size_t)(body - text), PEM_END);
    if (*endp == NULL) {
        snprintf(why, whylen, "PEM block %d (%s): no END line", idx, b->label);
        return NULL;
    }
    if (find_bytes(body, (size_t)(*endp - body), PEM_BEGIN) != NULL) {
        snprintf(why, whylen, "PEM block %d (%s): BEGIN line before END", idx,
                 b->label);
        return NULL;
    }
    elab = *endp + strlen(PEM_END);
    elabend = find_bytes(elab, len - (size_t)(elab - text), PEM_DASHES);
    if (elabend == NULL) {
        snprintf(why, whylen, "PEM block %d (%s): unterminated END line", idx,
                 b->label);
        return NULL;
    }
    if ((size_t)(elabend - elab) == lablen &&
        memcmp(elab, b->label, lablen) == 0) {
        return elabend + strlen(PEM_DASHES);
    }
    if (label_ok(elab, (size_t)(elabend - elab))) {
        snprintf(why, whylen,
                 "PEM block %d: END label \"%.*s\" does not match "
                 "BEGIN label \"%s\"",
                 idx, (int)(elabend - elab), elab, b->label);
    } else {
        snprintf(why, whylen,
                 "PEM block %d: END label does not match BEGIN "
                 "label \"%s\"",
                 idx, b->label);
    }
    return NULL;
}

/* Whether an END line comes before the next BEGIN line (or the end). */
static int stray_end(const char *rest, size_t restlen, const char *beg, int n,
                     char *why, size_t whylen)
{
    if (find_bytes(rest, beg != NULL ? (size_t)(beg - rest) : restlen,
                   PEM_END) == NULL) {
        return 0;
    }
    if (n == 0) {
        snprintf(why, whylen, "END line without BEGIN line");
    } else {
        snprintf(why, whylen, "END line without BEGIN after block %d", n);
    }
    return 1;
}

static int pem_split(const char *text, size_t len, hwc_pem_block **blocks,
                     char *why, size_t whylen)
{
    hwc_pem_block *arr = NULL;
    int n = 0, cap = 0;
    const char *rest = text, *beg, *body, *endp;

    while (rest < text + len) {
        hwc_pem_block b;
        int idx = n + 1;

        beg = find_bytes(rest, len - (size_t)(rest - text), PEM_BEGIN);
        if (stray_end(rest, len - (size_t)(rest - text), beg, n, why, whylen)) {
            goto fail;
        }
        if (beg == NULL) {
            break;
        }
        if ((body = scan_begin(text, len, beg, idx, &b, why, whylen)) == NULL ||
            (rest = scan_end(text, len, body, &b, idx, &endp, why, whylen)) ==
                NULL) {
            goto fail;
        }
        if (n == INT_MAX - 1) {
            snprintf(why, whylen, "too many PEM blocks");
            goto fail;
        }
        if (!decode_body(body, (size_t)(endp - body), &b, idx, why, whylen)) {
            goto fail;
        }
        if (!blocks_push(&arr, &n, &cap, &b)) {
            OPENSSL_clear_free(b.der, b.der_len);
            snprintf(why, whylen, "PEM block %d: out of memory", idx);
            goto fail;
        }
    }
    *blocks = arr;
    return n;
fail:
    hwc_pem_blocks_free(arr, n);
    return -1;
}

int hwc_pem_split(const char *text, size_t len, hwc_pem_block **blocks)
{
    char why[256];
    int n;

    if (blocks == NULL || (text == NULL && len > 0)) {
        hwc_raise(HWC_R_INTERNAL, "hwc_pem_split: invalid arguments");
        return -1;
    }
    *blocks = NULL;
    why[0] = '\0';
    n = pem_split(text, len, blocks, why, sizeof(why));
    if (n < 0) {
        hwc_raise(HWC_R_DECODE, "%s", why);
    }
    return n;
}

void hwc_pem_blocks_free(hwc_pem_block *blocks, int n)
{
    if (blocks == NULL) {
        return;
    }
    for (int i = 0; i < n; i++) {
        OPENSSL_clear_free(blocks[i].der, blocks[i].der_len);
    }
    OPENSSL_free(blocks);
}

int hwc_looks_like_pem(const unsigned char *data, size_t len)
{
    size_t i = 0;

    if (data == NULL) {
        return 0;
    }
    /* A UTF-8 byte order mark, as some editors write. */
    if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf) {
        i = 3;
    }
    while (i < len && hwc_is_space(data[i])) {
        i++;
    }
    return len - i >= strlen(PEM_BEGIN) &&
           memcmp(data + i, PEM_BEGIN, strlen(PEM_BEGIN)) == 0;
}

int hwc_pem_has_begin(const void *data, size_t len)
{
    static const char tag[] = "-----BEGIN ";
    const unsigned char *d = data;
    size_t t = sizeof(tag) - 1;

    for (size_t i = 0; i + t <= len; i++) {
        if (d[i] == '-' && memcmp(d + i, tag, t) == 0) {
            return 1;
        }
    }
    return 0;
}

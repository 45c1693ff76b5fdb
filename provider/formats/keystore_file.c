/*
 * keystore_file.c: the CodeArts Build keystore download. The file name says
 * nothing reliable (".jks" is PKCS#12 since JDK 9), so the bytes are
 * sniffed: JKS and JCEKS by magic, PKCS#12 by its PFX header, PEM by its
 * armour; then the matching parser runs. A PEM keystore may hold several
 * keys and certificates: each block is handed to the PEM decoders on its
 * own, in file order.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "formats/kdfcap.h"
#include "formats/certs.h"
#include "formats/keys.h"
#include "formats/keystore_file.h"
#include "formats/objs.h"
#include "formats/pem.h"
#include "core/hwc.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"

/*------------------------------------------------------------ sniffing */

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

/* PFX ::= SEQUENCE { version INTEGER (3), ... }, DER or BER length. */
static int looks_like_pkcs12(const unsigned char *d, size_t len)
{
    size_t i = 2;

    if (len < 5 || d[0] != 0x30) {
        return 0;
    }
    if (d[1] & 0x80) {
        size_t n = d[1] & 0x7F; /* 0: BER indefinite length */

        if (n > 4) {
            return 0;
        }
        i += n;
    }
    return len >= i + 3 && d[i] == 0x02 && d[i + 1] == 0x01 && d[i + 2] == 0x03;
}

static const unsigned char *find_mem(const unsigned char *hay, size_t len,
                                     const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; len >= n && i <= len - n; i++) {
        if (hay[i] == (unsigned char)needle[0] &&
            memcmp(hay + i, needle, n) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

/*
 * PEM: armour after optional BOM and whitespace, or text (no NUL byte)
 * with armour further on, as `openssl pkcs12 -nodes` writes "Bag
 * Attributes" lines before each block.
 */
static int looks_like_pem(const unsigned char *d, size_t len)
{
    size_t i = 0;

    if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    while (i < len &&
           (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) {
        i++;
    }
    if (len - i >= strlen(PEM_BEGIN) &&
        memcmp(d + i, PEM_BEGIN, strlen(PEM_BEGIN)) == 0) {
        return 1;
    }
    return memchr(d, 0, len) == NULL && find_mem(d, len, PEM_BEGIN) != NULL;
}

enum hwc_keystore_format hwc_keystore_sniff(const unsigned char *data,
                                            size_t len)
{
    if (data == NULL || len < 4) {
        return HWC_KS_UNKNOWN;
    }
    if (be32(data) == 0xFEEDFEEDu) {
        return HWC_KS_JKS;
    }
    if (be32(data) == 0xCECECECEu) {
        return HWC_KS_JCEKS;
    }
    if (looks_like_pkcs12(data, len)) {
        return HWC_KS_PKCS12;
    }
    if (looks_like_pem(data, len)) {
        return HWC_KS_PEM;
    }
    return HWC_KS_UNKNOWN;
}

int hwc_keystore_needs_password(enum hwc_keystore_format fmt)
{
    return fmt == HWC_KS_PKCS12 || fmt == HWC_KS_JKS || fmt == HWC_KS_JCEKS;
}

/*------------------------------------------------------------ PEM */

typedef struct pem_span {
    const char *start; /* "-----BEGIN " */
    const char *end;   /* just after the closing "-----END label-----" */
    char label[64];
} pem_span;

/* The next armoured block at or after p; 0 when there is none. */
static int next_span(const char *p, const char *lim, pem_span *s)
{
    const unsigned char *b, *e;
    const char *lab, *dash;
    char endmark[96];
    size_t llen;

    b = find_mem((const unsigned char *)p, (size_t)(lim - p), PEM_BEGIN);
    if (b == NULL) {
        return 0;
    }
    lab = (const char *)b + strlen(PEM_BEGIN);
    dash = (const char *)find_mem((const unsigned char *)lab,
                                  (size_t)(lim - lab), PEM_DASHES);
    if (dash == NULL || (llen = (size_t)(dash - lab)) >= sizeof(s->label) ||
        memchr(lab, '\n', llen) != NULL) {
        return -1;
    }
    memcpy(s->label, lab, llen);
    s->label[llen] = '\0';
    snprintf(endmark, sizeof(endmark), "%s%s%s", PEM_END, s->label, PEM_DASHES);
    e = find_mem((const unsigned char *)dash, (size_t)(lim - dash), endmark);
    if (e == NULL) {
        return -1;
    }
    s->start = (const char *)b;
    s->end = (const char *)e + strlen(endmark);
    return 1;
}

static int is_cert_label(const char *l)
{
    return strcmp(l, "CERTIFICATE") == 0 ||
           strcmp(l, "X509 CERTIFICATE") == 0 ||
           strcmp(l, "TRUSTED CERTIFICATE") == 0;
}

static int is_key_label(const char *l)
{
    size_t n = strlen(l), k = strlen("PRIVATE KEY");

    return n >= k && strcmp(l + n - k, "PRIVATE KEY") == 0 &&
           strcmp(l, "ENCRYPTED PRIVATE KEY") != 0;
}

/* The same file's decryptions share one key-derivation budget. */
typedef struct pem_ks {
    const char *pass;
    size_t passlen;
    OSSL_LIB_CTX *libctx;
    hwc_kdf_budget kdf;
} pem_ks;

/* An "ENCRYPTED PRIVATE KEY" block, decrypted with the keystore password
 * once its key derivation is known to be affordable. */
static int pem_encrypted_key(const pem_span *s, pem_ks *ks, hwc_objs *out)
{
    hwc_pem_block *blk = NULL;
    int n = hwc_pem_split(s->start, (size_t)(s->end - s->start), &blk);
    const unsigned char *p;
    const X509_ALGOR *alg = NULL;
    X509_SIG *sig = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    unsigned char *der = NULL;
    int len = 0, ok = 0;

    if (n == 1 && (p = blk[0].der) != NULL &&
        (sig = d2i_X509_SIG(NULL, &p, (long)blk[0].der_len)) != NULL) {
        X509_SIG_get0(sig, &alg, NULL);
        if (!hwc_kdf_check(alg, &ks->kdf,
                           "PEM keystore: ENCRYPTED PRIVATE KEY")) {
            goto done;
        }
        if (ks->pass != NULL && ks->passlen <= INT32_MAX) {
            p8 = PKCS8_decrypt_ex(sig, ks->pass, (int)ks->passlen, ks->libctx,
                                  NULL);
        }
    }
    if (p8 == NULL || (len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0) {
        hwc_raise(HWC_R_BAD_PASSWORD,
                  "PEM keystore: cannot decrypt ENCRYPTED PRIVATE KEY "
                  "(wrong or missing password)");
    } else {
        ok = hwc_decode_private_key((const char *)der, (size_t)len, out);
    }
    if (der != NULL) {
        OPENSSL_clear_free(der, (size_t)len);
    }
done:
    PKCS8_PRIV_KEY_INFO_free(p8);
    X509_SIG_free(sig);
    hwc_pem_blocks_free(blk, n);
    return ok;
}

/* One block: keys and certificates go to their decoders, others are
 * skipped. `params` is a directly preceding "EC PARAMETERS" block. */
static int pem_block(const pem_span *s, const pem_span *params, pem_ks *ks,
                     hwc_objs *out)
{
    const char *from = params != NULL ? params->start : s->start;

    if (is_cert_label(s->label)) {
        return hwc_decode_cert_bundle(s->start, (size_t)(s->end - s->start),
                                      out);
    }
    if (strcmp(s->label, "ENCRYPTED PRIVATE KEY") == 0) {
        return pem_encrypted_key(s, ks, out);
    }
    if (is_key_label(s->label)) {
        return hwc_decode_private_key(from, (size_t)(s->end - from), out);
    }
    return 1;
}

static int pem_keystore(const unsigned char *data, size_t len, const char *pass,
                        size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out)
{
    const char *p = (const char *)data, *lim = p + len;
    pem_span s, prev;
    pem_ks ks = {pass, passlen, libctx, {HWC_KDF_MAX_TOTAL}};
    int r, have_prev = 0, ok = 1;
    hwc_objs tmp = {0};

    while (ok && (r = next_span(p, lim, &s)) > 0) {
        int ecparams = have_prev && strcmp(prev.label, "EC PARAMETERS") == 0;

        ok = pem_block(&s, ecparams ? &prev : NULL, &ks, &tmp);
        prev = s;
        have_prev = 1;
        p = s.end;
    }
    if (ok && r < 0) {
        hwc_raise(HWC_R_DECODE, "PEM keystore: unterminated block");
        ok = 0;
    } else if (ok && tmp.n == 0) {
        hwc_raise(HWC_R_DECODE,
                  "PEM keystore holds no private key or certificate");
        ok = 0;
    }
    ok = ok && hwc_objs_move(out, &tmp);
    hwc_objs_free(&tmp);
    return ok;
}

/*------------------------------------------------------------ dispatch */

int hwc_decode_keystore(const unsigned char *data, size_t len, const char *pass,
                        size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out)
{
    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "keystore: no output list");
        return 0;
    }
    switch (hwc_keystore_sniff(data, len)) {
    case HWC_KS_JKS:
    case HWC_KS_JCEKS:
        return hwc_jks_parse(data, len, pass, passlen, out);
    case HWC_KS_PKCS12:
        return hwc_pkcs12_parse(data, len, pass, passlen, libctx, out);
    case HWC_KS_PEM:
        return pem_keystore(data, len, pass, passlen, libctx, out);
    default:
        hwc_raise(HWC_R_DECODE,
                  "keystore is neither JKS, JCEKS, PKCS#12 nor PEM (%zu "
                  "bytes)",
                  len);
        return 0;
    }
}

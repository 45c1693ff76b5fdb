/*
 * jks_crypto.c: the key protections of Java keystores (jks.c): the store
 * digest, Sun's SHA-1 KeyProtector (JKS) and PBEWithMD5AndTripleDES
 * (JCEKS), whose iterations count against the caps every keystore format
 * shares (kdfcap.h).
 */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "formats/decodectx.h"
#include "core/hwc.h"
#include "formats/jks.h"
#include "formats/kdfcap.h"

/*
 * Java passwords are char arrays; JKS hashes them as UTF-16BE. The caller's
 * bytes are taken as UTF-8, and a byte that is not valid UTF-8 as Latin-1.
 */
static int utf8_next(const unsigned char *s, size_t n, size_t *used,
                     uint32_t *cp)
{
    size_t need = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    uint32_t v = need == 4   ? s[0] & 0x07u
                 : need == 3 ? s[0] & 0x0Fu
                             : s[0] & 0x1Fu;

    if (need == 1 || s[0] > 0xF4 || need > n) {
        *used = 1;
        *cp = s[0];
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *used = 1;
            *cp = s[0];
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    *used = need;
    *cp = v;
    return 1;
}

unsigned char *hwc_jks_password_utf16be(const char *pass, size_t passlen,
                                        size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)pass;
    unsigned char *out = OPENSSL_malloc(passlen * 4 + 1);
    size_t o = 0, used;
    uint32_t cp;

    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < passlen; i += used) {
        utf8_next(s + i, passlen - i, &used, &cp);
        if (cp >= 0x10000) {
            uint32_t hi = 0xD800 + ((cp - 0x10000) >> 10);
            uint32_t lo = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            out[o++] = (unsigned char)(hi >> 8);
            out[o++] = (unsigned char)hi;
            cp = lo;
        }
        out[o++] = (unsigned char)(cp >> 8);
        out[o++] = (unsigned char)cp;
    }
    *outlen = o;
    return out;
}

static int sha1_2(EVP_MD_CTX *md, const unsigned char *a, size_t alen,
                  const unsigned char *b, size_t blen, unsigned char *dig)
{
    return EVP_DigestInit_ex(md, EVP_sha1(), NULL) &&
           EVP_DigestUpdate(md, a, alen) && EVP_DigestUpdate(md, b, blen) &&
           EVP_DigestFinal_ex(md, dig, NULL);
}

/* The store digest: SHA-1(password + "Mighty Aphrodite" + body). */
int hwc_jks_digest_ok(const jks_ctx *c, const unsigned char *data,
                      size_t body_len)
{
    static const char whitener[] = "Mighty Aphrodite";
    unsigned char dig[JKS_SHA1_LEN];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha1(), NULL) &&
             EVP_DigestUpdate(md, c->pw, c->pwlen) &&
             EVP_DigestUpdate(md, whitener, sizeof(whitener) - 1) &&
             EVP_DigestUpdate(md, data, body_len) &&
             EVP_DigestFinal_ex(md, dig, NULL) &&
             CRYPTO_memcmp(dig, data + body_len, JKS_SHA1_LEN) == 0;

    EVP_MD_CTX_free(md);
    return ok;
}

/*
 * sun.security.provider.KeyProtector: salt(20) | key XOR stream | check(20)
 * where the stream is D1 = SHA-1(pw + salt), Dn = SHA-1(pw + Dn-1) and the
 * check is SHA-1(pw + key). Returns the plain PKCS#8 or NULL.
 */
unsigned char *hwc_jks_sun_unprotect(const jks_ctx *c, const unsigned char *enc,
                                     size_t len, size_t *outlen)
{
    unsigned char dig[JKS_SHA1_LEN];
    unsigned char *key = NULL;
    size_t n;
    EVP_MD_CTX *md;
    int ok = 0;

    if (len <= 2 * JKS_SHA1_LEN || (md = EVP_MD_CTX_new()) == NULL) {
        return NULL;
    }
    n = len - 2 * JKS_SHA1_LEN;
    memcpy(dig, enc, JKS_SHA1_LEN);
    if ((key = OPENSSL_malloc(n)) == NULL) {
        goto done;
    }
    for (size_t off = 0; off < n; off += JKS_SHA1_LEN) {
        if (!sha1_2(md, c->pw, c->pwlen, dig, JKS_SHA1_LEN, dig)) {
            goto done;
        }
        for (size_t i = 0; i < JKS_SHA1_LEN && off + i < n; i++) {
            key[off + i] = enc[JKS_SHA1_LEN + off + i] ^ dig[i];
        }
    }
    ok = sha1_2(md, c->pw, c->pwlen, key, n, dig) &&
         CRYPTO_memcmp(dig, enc + JKS_SHA1_LEN + n, JKS_SHA1_LEN) == 0;
done:
    OPENSSL_cleanse(dig, sizeof(dig));
    EVP_MD_CTX_free(md);
    if (!ok) {
        OPENSSL_clear_free(key, n);
        return NULL;
    }
    *outlen = n;
    return key;
}

/*
 * Sun's PBEWithMD5AndTripleDES key (com.sun.crypto.provider.PBES1Core):
 * each salt half, hashed iter times as MD5(prev + password), gives 16
 * bytes; the 32 bytes are the 3DES key (24) and the IV (8).
 */
static int sun_pbe_derive(const unsigned char *pw, size_t pwlen,
                          const unsigned char *salt8, long iter,
                          unsigned char dk[32])
{
    unsigned char s[8], h[16];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_MD *md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    int ok = md != NULL && md5 != NULL;

    memcpy(s, salt8, 8);
    if (memcmp(s, s + 4, 4) == 0) {
        /* Java's code, including its bug (s[3 - 1], not s[3 - i]). */
        for (int i = 0; i < 2; i++) {
            unsigned char tmp = s[i];
            s[i] = s[3 - i];
            s[2] = tmp;
        }
    }
    for (int half = 0; ok && half < 2; half++) {
        size_t hlen = 4;

        memcpy(h, s + 4 * half, 4);
        for (long j = 0; ok && j < iter; j++) {
            ok = EVP_DigestInit_ex(md, md5, NULL) &&
                 EVP_DigestUpdate(md, h, hlen) &&
                 EVP_DigestUpdate(md, pw, pwlen) &&
                 EVP_DigestFinal_ex(md, h, NULL);
            hlen = 16;
        }
        memcpy(dk + 16 * half, h, 16);
    }
    OPENSSL_cleanse(h, sizeof(h));
    EVP_MD_CTX_free(md);
    EVP_MD_free(md5);
    return ok;
}

static unsigned char *des3_decrypt(const unsigned char dk[32],
                                   const unsigned char *in, size_t len,
                                   size_t *outlen)
{
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    unsigned char *out = OPENSSL_malloc(len + 8);
    int n1 = 0, n2 = 0;
    int ok = cc != NULL && out != NULL && len > 0 && len <= INT32_MAX &&
             EVP_DecryptInit_ex(cc, EVP_des_ede3_cbc(), NULL, dk, dk + 24) &&
             EVP_DecryptUpdate(cc, out, &n1, in, (int)len) &&
             EVP_DecryptFinal_ex(cc, out + n1, &n2);

    EVP_CIPHER_CTX_free(cc);
    if (!ok) {
        OPENSSL_clear_free(out, len + 8);
        return NULL;
    }
    *outlen = (size_t)n1 + (size_t)n2;
    return out;
}

unsigned char *hwc_jks_jce_unprotect(jks_ctx *c, const X509_ALGOR *alg,
                                     const unsigned char *enc, size_t len,
                                     size_t *outlen)
{
    const void *pval;
    int ptype;
    const ASN1_STRING *seq;
    const unsigned char *p;
    PBEPARAM *pbe = NULL;
    unsigned char *pw7 = NULL, *out = NULL, dk[32];
    size_t pw7len = c->pwlen / 2;
    long iter;

    X509_ALGOR_get0(NULL, &ptype, &pval, alg);
    if (ptype != V_ASN1_SEQUENCE || (seq = pval) == NULL) {
        return NULL;
    }
    p = ASN1_STRING_get0_data(seq);
    pbe = d2i_PBEPARAM(NULL, &p, ASN1_STRING_length(seq));
    if (pbe == NULL || ASN1_STRING_length(pbe->salt) != 8 ||
        (iter = ASN1_INTEGER_get(pbe->iter)) < 1) {
        goto done;
    }
    if (iter > HWC_KDF_MAX_ITER || iter > *c->iter_left) {
        c->over_cap = 1;
        goto done;
    }
    if ((pw7 = OPENSSL_malloc(pw7len + 1)) == NULL) {
        goto done;
    }
    *c->iter_left -= iter;
    /* PBEKey keeps the low 7 bits of each (ASCII) password char. */
    for (size_t i = 0; i < pw7len; i++) {
        pw7[i] = c->pw[2 * i + 1] & 0x7F;
    }
    if (sun_pbe_derive(pw7, pw7len, ASN1_STRING_get0_data(pbe->salt), iter,
                       dk)) {
        out = des3_decrypt(dk, enc, len, outlen);
    }
    OPENSSL_cleanse(dk, sizeof(dk));
done:
    OPENSSL_clear_free(pw7, pw7len + 1);
    PBEPARAM_free(pbe);
    return out;
}

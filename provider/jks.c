/*
 * jks.c: reads Java KeyStores, JKS (magic FE ED FE ED) and JCEKS (CE CE CE
 * CE), versions 1 and 2, as CodeArts Build hands them out for Android
 * signing. Private-key entries are unwrapped (Sun's SHA-1 key protector, or
 * JCEKS's PBEWithMD5AndTripleDES) to PKCS#8 DER, followed by their chain;
 * trusted certificates come out as they are; JCEKS secret keys are skipped.
 *
 * The file is walked twice: once to check its structure (every length
 * against what is left), then, once the store digest has proved the
 * password, to decrypt and append. So a wrong password or a damaged file
 * appends nothing.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "decodectx.h"
#include "kdfcap.h"
#include "keystore_file.h"
#include "objs.h"
#include "hwc.h"
#include "javaser.h"

#define JKS_MAGIC 0xFEEDFEEDu
#define JCEKS_MAGIC 0xCECECECEu
#define JKS_SHA1_LEN 20
/* tag(4) + alias length(2) + timestamp(8): the smallest possible entry */
#define JKS_MIN_ENTRY 14
/* The key protections: Sun's own (SHA-1 keystream, no iterations) and
 * JCEKS's PBEWithMD5AndTripleDES, whose iterations count against the caps
 * every keystore format shares (kdfcap.h). */
#define OID_SUN_JKS "1.3.6.1.4.1.42.2.17.1.1"
#define OID_SUN_JCE_3DES "1.3.6.1.4.1.42.2.19.1"

typedef struct jks_ctx {
    int jceks;
    uint32_t version;
    const char *why;         /* first structural problem */
    const unsigned char *pw; /* password as Java chars, UTF-16BE */
    size_t pwlen;
    hwc_objs *out;        /* NULL while only checking the structure */
    int keypass_failures; /* entries whose key password is different */
    long *iter_left;      /* PBE iterations this file may still spend */
    int over_cap;         /* the last key asked for too many iterations */
} jks_ctx;

/*------------------------------------------------------------ reading */

/* A u32-length-prefixed byte string. */
static int rd_blob(hwc_jrd *r, const unsigned char **s, size_t *n)
{
    uint32_t len;

    if (!hwc_jrd_u32(r, &len) || !hwc_jrd_take(r, len, s)) {
        return 0;
    }
    *n = len;
    return 1;
}

static int bad(jks_ctx *c, const char *why)
{
    if (c->why == NULL) {
        c->why = why;
    }
    return 0;
}

/*------------------------------------------------------------ crypto */

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

static unsigned char *password_utf16be(const char *pass, size_t passlen,
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
static int jks_digest_ok(const jks_ctx *c, const unsigned char *data,
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
static unsigned char *sun_jks_unprotect(const jks_ctx *c,
                                        const unsigned char *enc, size_t len,
                                        size_t *outlen)
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

static unsigned char *sun_jce_unprotect(jks_ctx *c, const X509_ALGOR *alg,
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

/*------------------------------------------------------------ entries */

/* The key type name, checking the PKCS#8 really is a usable key. */
static int pkcs8_type(const unsigned char *der, size_t len, char *type,
                      size_t typelen)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    EVP_PKEY *pk = NULL;
    const char *name = NULL;

    if (p8 != NULL && p == der + len &&
        (pk = EVP_PKCS82PKEY_ex(p8, hwc_decode_libctx(), NULL)) != NULL) {
        name = EVP_PKEY_get0_type_name(pk);
    }
    if (name != NULL) {
        OPENSSL_strlcpy(type, name, typelen);
    }
    EVP_PKEY_free(pk);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return name != NULL;
}

/* Decrypts a protected key; NULL and *why on failure. */
static unsigned char *jks_recover_key(jks_ctx *c, const X509_SIG *sig,
                                      size_t *len, char *type, size_t typelen,
                                      const char **why)
{
    const X509_ALGOR *alg;
    const ASN1_OCTET_STRING *enc;
    const ASN1_OBJECT *oid;
    char txt[64];
    unsigned char *key = NULL;

    if (sig == NULL) {
        *why = "out of memory";
        return NULL;
    }
    X509_SIG_get0(sig, &alg, &enc);
    X509_ALGOR_get0(&oid, NULL, NULL, alg);
    OBJ_obj2txt(txt, sizeof(txt), oid, 1);
    if (strcmp(txt, OID_SUN_JKS) == 0) {
        key = sun_jks_unprotect(c, ASN1_STRING_get0_data(enc),
                                (size_t)ASN1_STRING_length(enc), len);
    } else if (strcmp(txt, OID_SUN_JCE_3DES) == 0) {
        key = sun_jce_unprotect(c, alg, ASN1_STRING_get0_data(enc),
                                (size_t)ASN1_STRING_length(enc), len);
    } else {
        *why = "unsupported key protection algorithm";
        return NULL;
    }
    if (key == NULL && c->over_cap) {
        c->over_cap = 0;
        *why = "key derivation asks for more iterations than the cap "
               "of " HWC_STR(HWC_KDF_MAX_ITER) " (or the file's " HWC_STR(
                   HWC_KDF_MAX_TOTAL) "): not run";
        return NULL;
    }
    if (key == NULL) {
        c->keypass_failures++;
        *why = "wrong key password";
        return NULL;
    }
    if (!pkcs8_type(key, *len, type, typelen)) {
        OPENSSL_clear_free(key, *len);
        c->keypass_failures++;
        *why = "wrong key password or unreadable key";
        return NULL;
    }
    return key;
}

/* DER whose outer TLV is one SEQUENCE filling len exactly. */
static int der_one_sequence(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    long plen;
    int tag, xclass, ret;

    ERR_set_mark();
    ret = ASN1_get_object(&p, &plen, &tag, &xclass, (long)len);
    ERR_pop_to_mark();
    return ret == V_ASN1_CONSTRUCTED && tag == V_ASN1_SEQUENCE &&
           xclass == V_ASN1_UNIVERSAL && plen == (long)(der + len - p);
}

static int der_is_x509(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x;

    ERR_set_mark();
    x = d2i_X509(NULL, &p, (long)len);
    ERR_pop_to_mark();
    X509_free(x);
    return x != NULL && p == der + len;
}

/*
 * One certificate. The structure pass checks only its outer DER (a full
 * X.509 parse costs a millisecond in OpenSSL 3); the decode pass parses
 * it before anything of its entry is appended.
 */
static int jks_read_cert(jks_ctx *c, hwc_jrd *r, const unsigned char **der,
                         size_t *len)
{
    const unsigned char *type = NULL;
    uint16_t tlen = 5;

    if ((c->version == 2 && !hwc_jrd_utf(r, &type, &tlen)) ||
        !rd_blob(r, der, len)) {
        return bad(c, "truncated certificate");
    }
    if (type != NULL && (tlen != 5 || memcmp(type, "X.509", 5) != 0)) {
        return bad(c, "certificate type is not X.509");
    }
    return der_one_sequence(*der, *len) || bad(c, "certificate is not DER");
}

/* Tag 2: a trusted certificate. */
static int jks_cert_entry(jks_ctx *c, hwc_jrd *r, const char *alias)
{
    const unsigned char *der;
    size_t len;

    if (!jks_read_cert(c, r, &der, &len)) {
        return 0;
    }
    if (c->out == NULL) {
        return 1;
    }
    if (!der_is_x509(der, len)) {
        return hwc_objs_note_failure(c->out, alias, "not an X.509 certificate");
    }
    return hwc_objs_add(c->out, HWC_OBJ_CERT, NULL, der, len, alias);
}

/* Reads n chain certificates, appending them when emit is set. */
static int jks_chain(jks_ctx *c, hwc_jrd *r, uint32_t n, const char *alias,
                     int emit)
{
    const unsigned char *der;
    size_t len;

    for (uint32_t i = 0; i < n; i++) {
        if (!jks_read_cert(c, r, &der, &len) ||
            (emit &&
             !hwc_objs_add(c->out, HWC_OBJ_CERT, NULL, der, len, alias))) {
            return 0;
        }
    }
    return 1;
}

/* True when every chain certificate (read from a copy of r) is X.509. */
static int jks_chain_ok(jks_ctx *c, hwc_jrd r, uint32_t n)
{
    const unsigned char *der;
    size_t len;

    for (uint32_t i = 0; i < n; i++) {
        if (!jks_read_cert(c, &r, &der, &len) || !der_is_x509(der, len)) {
            return 0;
        }
    }
    return 1;
}

/* Appends the decrypted key, or notes why the entry is left out. */
static int jks_emit_key(jks_ctx *c, const unsigned char *blob, size_t len,
                        const char *alias, int *emit)
{
    const unsigned char *p = blob;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
    const char *why = NULL;
    char type[16];
    size_t keylen = 0;
    unsigned char *key;
    int ok;

    /* A key that fails is noted, not raised: drop libcrypto's errors. */
    ERR_set_mark();
    key = jks_recover_key(c, sig, &keylen, type, sizeof(type), &why);
    ERR_pop_to_mark();
    X509_SIG_free(sig);
    *emit = key != NULL;
    if (key == NULL) {
        return hwc_objs_note_failure(c->out, alias, why);
    }
    ok = hwc_objs_add(c->out, HWC_OBJ_PRIVKEY, type, key, keylen, alias);
    OPENSSL_clear_free(key, keylen);
    return ok;
}

static int jks_check_key_blob(jks_ctx *c, const unsigned char *blob, size_t len)
{
    const unsigned char *p = blob;
    X509_SIG *sig;

    ERR_set_mark();
    sig = d2i_X509_SIG(NULL, &p, (long)len);
    ERR_pop_to_mark();
    X509_SIG_free(sig);
    return (sig != NULL && p == blob + len) ||
           bad(c, "protected key is not EncryptedPrivateKeyInfo");
}

/* Tag 1: protected key, then its certificate chain; all or nothing. */
static int jks_key_entry(jks_ctx *c, hwc_jrd *r, const char *alias)
{
    const unsigned char *blob;
    size_t len;
    uint32_t n;
    int emit = 0;

    if (!rd_blob(r, &blob, &len)) {
        return bad(c, "truncated private key");
    }
    if (!hwc_jrd_u32(r, &n) || n > r->left / 4) {
        return bad(c, "bad certificate chain length");
    }
    if (c->out == NULL) {
        if (!jks_check_key_blob(c, blob, len)) {
            return 0;
        }
    } else if (!jks_chain_ok(c, *r, n)) {
        if (!hwc_objs_note_failure(c->out, alias,
                                   "certificate chain is not X.509")) {
            return 0;
        }
    } else if (!jks_emit_key(c, blob, len, alias, &emit)) {
        return 0;
    }
    return jks_chain(c, r, n, alias, emit);
}

static int jks_secret_entry(jks_ctx *c, hwc_jrd *r, const char *alias)
{
    if (!hwc_java_skip_object(r)) {
        return bad(c, "malformed secret-key entry");
    }
    return c->out == NULL ||
           hwc_objs_note_failure(c->out, alias,
                                 "secret-key entry skipped (not supported)");
}

static int jks_entry(jks_ctx *c, hwc_jrd *r)
{
    uint32_t tag;
    const unsigned char *a;
    uint16_t alen;
    char *alias;
    int ok = 0;

    if (!hwc_jrd_u32(r, &tag) || !hwc_jrd_utf(r, &a, &alen) ||
        !hwc_jrd_take(r, 8, NULL)) {
        return bad(c, "truncated entry");
    }
    /* Modified UTF-8 never holds a NUL byte; an alias with one is bogus. */
    if (memchr(a, 0, alen) != NULL) {
        return bad(c, "alias holds a NUL byte");
    }
    if ((alias = OPENSSL_strndup((const char *)a, alen)) == NULL) {
        return bad(c, "out of memory");
    }
    if (tag == 1) {
        ok = jks_key_entry(c, r, alias);
    } else if (tag == 2) {
        ok = jks_cert_entry(c, r, alias);
    } else if (tag == 3 && c->jceks) {
        ok = jks_secret_entry(c, r, alias);
    } else {
        ok = bad(c, "unknown entry type");
    }
    OPENSSL_free(alias);
    return ok;
}

/* Header and every entry; they must fill the body exactly. */
static int jks_walk(jks_ctx *c, const unsigned char *data, size_t body_len)
{
    hwc_jrd r = {data, body_len};
    uint32_t magic, count;

    if (!hwc_jrd_u32(&r, &magic) || !hwc_jrd_u32(&r, &c->version) ||
        !hwc_jrd_u32(&r, &count)) {
        return bad(c, "truncated header");
    }
    if (c->version != 1 && c->version != 2) {
        return bad(c, "unsupported version");
    }
    if (count > r.left / JKS_MIN_ENTRY) {
        return bad(c, "entry count exceeds the file");
    }
    for (uint32_t i = 0; i < count; i++) {
        if (!jks_entry(c, &r)) {
            return 0;
        }
    }
    return r.left == 0 || bad(c, "trailing bytes after the last entry");
}

/*------------------------------------------------------------ public */

static int jks_header(const unsigned char *data, size_t len, int *jceks)
{
    uint32_t magic;

    if (len < 12 + JKS_SHA1_LEN) {
        return 0;
    }
    magic = ((uint32_t)data[0] << 24) | ((uint32_t)data[1] << 16) |
            ((uint32_t)data[2] << 8) | data[3];
    *jceks = magic == JCEKS_MAGIC;
    return magic == JKS_MAGIC || magic == JCEKS_MAGIC;
}

/* Nothing came out: say why as one error. */
static void jks_raise_empty(const jks_ctx *c, const hwc_objs *tmp)
{
    const char *what = c->jceks ? "JCEKS" : "JKS";

    if (tmp->failed == NULL) {
        hwc_raise(NULL, HWC_R_DECODE, "%s keystore holds no entries", what);
    } else if (c->keypass_failures > 0) {
        hwc_raise(NULL, HWC_R_BAD_PASSWORD,
                  "no %s entry could be decrypted: %s", what, tmp->failed);
    } else {
        hwc_raise(NULL, HWC_R_DECODE, "no usable %s entry: %s", what,
                  tmp->failed);
    }
}

static int jks_decode(jks_ctx *c, const unsigned char *data, size_t len,
                      hwc_objs *out)
{
    const char *what = c->jceks ? "JCEKS" : "JKS";
    size_t body = len - JKS_SHA1_LEN;
    hwc_objs tmp = {0};
    int ok = 0;

    if (!jks_walk(c, data, body)) {
        hwc_raise(NULL, HWC_R_DECODE, "malformed %s keystore: %s", what,
                  c->why);
        return 0;
    }
    if (!jks_digest_ok(c, data, body)) {
        hwc_raise(NULL, HWC_R_BAD_PASSWORD,
                  "%s: wrong password or tampered keystore", what);
        return 0;
    }
    c->out = &tmp;
    c->why = NULL;
    if (!jks_walk(c, data, body)) {
        if (c->why != NULL) {
            hwc_raise(NULL, HWC_R_MALLOC, "%s keystore: %s", what, c->why);
        }
    } else if (tmp.n == 0) {
        jks_raise_empty(c, &tmp);
    } else {
        ok = hwc_objs_move(out, &tmp);
    }
    hwc_objs_free(&tmp);
    return ok;
}

int hwc_jks_parse(const unsigned char *data, size_t len, const char *pass,
                  size_t passlen, hwc_objs *out)
{
    jks_ctx c;
    unsigned char *pw;
    long iter_left = HWC_KDF_MAX_TOTAL;
    int ok;

    memset(&c, 0, sizeof(c));
    c.iter_left = &iter_left;
    if (data == NULL || out == NULL || !jks_header(data, len, &c.jceks)) {
        hwc_raise(NULL, HWC_R_DECODE, "not a JKS or JCEKS keystore");
        return 0;
    }
    if (pass == NULL) {
        hwc_raise(NULL, HWC_R_BAD_PASSWORD, "%s keystore needs a password",
                  c.jceks ? "JCEKS" : "JKS");
        return 0;
    }
    if ((pw = password_utf16be(pass, passlen, &c.pwlen)) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "keystore password");
        return 0;
    }
    c.pw = pw;
    ok = jks_decode(&c, data, len, out);
    OPENSSL_clear_free(pw, passlen * 4 + 1);
    return ok;
}

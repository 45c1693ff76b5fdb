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

#include "formats/decodectx.h"
#include "formats/kdfcap.h"
#include "formats/keystore_file.h"
#include "formats/objs.h"
#include "core/hwc.h"
#include "formats/javaser.h"
#include "formats/jks.h"

#define JKS_MAGIC 0xFEEDFEEDu
#define JCEKS_MAGIC 0xCECECECEu
/* tag(4) + alias length(2) + timestamp(8): the smallest possible entry */
#define JKS_MIN_ENTRY 14
/* The key protections: Sun's own (SHA-1 keystream, no iterations) and
 * JCEKS's PBEWithMD5AndTripleDES, whose iterations count against the caps
 * every keystore format shares (kdfcap.h). */
#define OID_SUN_JKS "1.3.6.1.4.1.42.2.17.1.1"
#define OID_SUN_JCE_3DES "1.3.6.1.4.1.42.2.19.1"

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
        key = hwc_jks_sun_unprotect(c, ASN1_STRING_get0_data(enc),
                                    (size_t)ASN1_STRING_length(enc), len);
    } else if (strcmp(txt, OID_SUN_JCE_3DES) == 0) {
        key = hwc_jks_jce_unprotect(c, alg, ASN1_STRING_get0_data(enc),
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
        hwc_raise(HWC_R_DECODE, "%s keystore holds no entries", what);
    } else if (c->keypass_failures > 0) {
        hwc_raise(HWC_R_BAD_PASSWORD, "no %s entry could be decrypted: %s",
                  what, tmp->failed);
    } else {
        hwc_raise(HWC_R_DECODE, "no usable %s entry: %s", what, tmp->failed);
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
        hwc_raise(HWC_R_DECODE, "malformed %s keystore: %s", what, c->why);
        return 0;
    }
    if (!hwc_jks_digest_ok(c, data, body)) {
        hwc_raise(HWC_R_BAD_PASSWORD, "%s: wrong password or tampered keystore",
                  what);
        return 0;
    }
    c->out = &tmp;
    c->why = NULL;
    if (!jks_walk(c, data, body)) {
        if (c->why != NULL) {
            hwc_raise(HWC_R_MALLOC, "%s keystore: %s", what, c->why);
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
        hwc_raise(HWC_R_DECODE, "not a JKS or JCEKS keystore");
        return 0;
    }
    if (pass == NULL) {
        hwc_raise(HWC_R_BAD_PASSWORD, "%s keystore needs a password",
                  c.jceks ? "JCEKS" : "JKS");
        return 0;
    }
    if ((pw = hwc_jks_password_utf16be(pass, passlen, &c.pwlen)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "keystore password");
        return 0;
    }
    c.pw = pw;
    ok = jks_decode(&c, data, len, out);
    OPENSSL_clear_free(pw, passlen * 4 + 1);
    return ok;
}

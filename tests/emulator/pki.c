/* pki.c: key generation (with the optional cross-run fixture cache) and
 * X.509 certificate building for the emulator's CA, TLS and fixtures. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

static EVP_PKEY *key_from_cache(const char *path)
{
    size_t len;
    unsigned char *pem = emu_read_file(path, &len);
    if (pem == NULL)
        return NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    free(pem);
    return k;
}

static EVP_PKEY *key_generate(const char *alg, int bits)
{
    if (strcmp(alg, "RSA") == 0)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (strcmp(alg, "SM2") == 0)
        return EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    if (strcmp(alg, "SECP256K1") == 0)
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", bits == 384 ? "P-384" : "P-256");
}

static void key_keep(const char *path, EVP_PKEY *k)
{
    char *pem = pki_key_pem(k, "pkcs8");
    mode_t old = umask(077);
    emu_write_file(path, pem, strlen(pem));
    umask(old);
    free(pem);
}

/* A private key named NAME: the one this state directory has (a restart
 * keeps its keys), else the cache's when one is configured, else new. */
EVP_PKEY *pki_key(const char *name, const char *alg, int bits)
{
    char *file = emu_printf("%s-%s%d.pem", name, alg, bits);
    char *mine = persist_key_path(file), *path = NULL;
    EVP_PKEY *k = key_from_cache(mine);
    int kept = k != NULL;
    if (k == NULL && g_emu.cache_dir != NULL) {
        path = emu_printf("%s/%s", g_emu.cache_dir, file);
        k = key_from_cache(path);
    }
    if (k == NULL) {
        k = key_generate(alg, bits);
        if (k != NULL && path != NULL)
            key_keep(path, k);
    }
    if (k != NULL && !kept)
        key_keep(mine, k);
    free(path);
    free(mine);
    free(file);
    return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (e != NULL) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
}

static void set_serial(X509 *x)
{
    unsigned char rnd[16];
    RAND_bytes(rnd, sizeof(rnd));
    rnd[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
}

static void add_exts(X509 *x, X509 *issuer, int is_ca, const char *san)
{
    add_ext(x, issuer, NID_subject_key_identifier, "hash");
    if (issuer != NULL)
        add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
    if (is_ca) {
        add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
        return;
    }
    add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, issuer, NID_key_usage,
            "critical,digitalSignature,keyEncipherment");
    add_ext(x, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
    if (san != NULL)
        add_ext(x, issuer, NID_subject_alt_name, san);
}

/* Certificate for KEY with subject CN, signed by ISSUER/IKEY (self-signed
 * when ISSUER is NULL). */
X509 *pki_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
               int is_ca, const char *san, int days)
{
    X509 *x = persist_cert_get(key, cn, issuer, ikey, is_ca, san, days);
    if (x != NULL)
        return x; /* issued at an earlier start of this state directory */
    x = X509_new();
    X509_set_version(x, 2);
    set_serial(x);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (unsigned char *)"DE", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
                               (unsigned char *)"hwc-emulator", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (unsigned char *)cn, -1,
                               -1, 0);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    add_exts(x, issuer, is_ca, san);
    if (X509_sign(x, issuer != NULL ? ikey : key, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    persist_cert_put(x, key, cn, issuer, ikey, is_ca, san, days);
    return x;
}

static char *bio_string(BIO *b)
{
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        abort();
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(b);
    return s;
}

char *pki_cert_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    return bio_string(b);
}

unsigned char *pki_cert_der(X509 *x, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n <= 0)
        return NULL;
    *len = (size_t)n;
    return der;
}

/* FORM: "pkcs8" (PRIVATE KEY) or "traditional" (RSA/EC PRIVATE KEY). */
char *pki_key_pem(EVP_PKEY *k, const char *form)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (strcmp(form, "pkcs8") == 0)
        PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    else
        PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL);
    return bio_string(b);
}

char *pki_pub_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, k);
    return bio_string(b);
}

int pki_write_pem(const char *dir, const char *name, const char *pem)
{
    char *path = emu_printf("%s/%s", dir, name);
    int r = emu_write_file(path, pem, strlen(pem));
    free(path);
    return r;
}

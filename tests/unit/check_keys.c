/*
 * check_keys.c: hwc_decode_public_key, hwc_decode_private_key,
 * hwc_decode_cert_bundle and the hwc_objs list. Keys and certificates are
 * generated here with libcrypto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "formats/archive_certs.h"
#include "formats/certs.h"
#include "formats/keys.h"
#include "kms_doc_example.h"
#include "formats/objs.h"
#include "formats/pem.h"
#include "formats/scmchain.h"
#include "core/hwc.h"
#include "testutil.h"

/* The example of the KMS get-publickey API page, verbatim (PKCS#1 body). */
static const char kms_example[] = HWC_KMS_DOC_PUBLIC_KEY;

static EVP_PKEY *rsa_key, *ec_key, *ed_key;
static X509 *rsa_cert, *ec_cert;

/*--------------------------------------------------------------- helpers */

/* PEM or DER of a key through OSSL_ENCODER; *len set; free with free(). */
static char *encode_key(EVP_PKEY *pk, int selection, const char *type,
                        const char *structure, const char *cipher, size_t *len)
{
    OSSL_ENCODER_CTX *ctx =
        OSSL_ENCODER_CTX_new_for_pkey(pk, selection, type, structure, NULL);
    unsigned char *data = NULL;
    size_t dlen = 0;
    char *copy;

    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_gt(OSSL_ENCODER_CTX_get_num_encoders(ctx), 0);
    if (cipher != NULL) {
        ck_assert(OSSL_ENCODER_CTX_set_cipher(ctx, cipher, NULL));
        ck_assert(OSSL_ENCODER_CTX_set_passphrase(
            ctx, (const unsigned char *)"secret", 6));
    }
    ck_assert(OSSL_ENCODER_to_data(ctx, &data, &dlen));
    OSSL_ENCODER_CTX_free(ctx);
    copy = malloc(dlen + 1);
    memcpy(copy, data, dlen);
    copy[dlen] = '\0';
    OPENSSL_free(data);
    if (len != NULL) {
        *len = dlen;
    }
    return copy;
}

static char *key_pem(EVP_PKEY *pk, const char *structure)
{
    return encode_key(pk, EVP_PKEY_KEYPAIR, "PEM", structure, NULL, NULL);
}

/* PEM armour with the given line end; free with free(). */
static char *cert_pem(X509 *x, const char *eol)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    char *pem;

    ck_assert_int_gt(len, 0);
    pem = tu_pem_armour("CERTIFICATE", der, (size_t)len, eol);
    OPENSSL_free(der);
    return pem;
}

static EVP_PKEY *obj_pub(const hwc_obj *o)
{
    const unsigned char *p = o->der;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)o->der_len);

    ck_assert_ptr_nonnull(pk);
    ck_assert_ptr_eq(p, o->der + o->der_len);
    return pk;
}

/* The object is PKCS#8 of the same key as want. */
static void assert_pkcs8_of(const hwc_obj *o, EVP_PKEY *want)
{
    const unsigned char *p = o->der;
    PKCS8_PRIV_KEY_INFO *p8;
    EVP_PKEY *pk;

    ck_assert_int_eq(o->kind, HWC_OBJ_PRIVKEY);
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)o->der_len);
    ck_assert_ptr_nonnull(p8);
    ck_assert_ptr_eq(p, o->der + o->der_len);
    pk = EVP_PKCS82PKEY(p8);
    ck_assert_ptr_nonnull(pk);
    ck_assert_int_eq(EVP_PKEY_eq(pk, want), 1);
    EVP_PKEY_free(pk);
    PKCS8_PRIV_KEY_INFO_free(p8);
}

static void assert_err(const char *want)
{
    const char *err = tu_errors();

    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in \"%s\"", want,
                  err);
}

/* A list with one entry already, to check failures leave it alone. */
static void preset(hwc_objs *l)
{
    memset(l, 0, sizeof(*l));
    ck_assert(hwc_objs_add(l, HWC_OBJ_CERT, NULL, (const unsigned char *)"x", 1,
                           "pre"));
}

static void assert_preset_only(hwc_objs *l)
{
    ck_assert_uint_eq(l->n, 1);
    ck_assert_str_eq(l->v[0].label, "pre");
}

static void setup(void)
{
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    ck_assert(rsa_key && ec_key && ed_key);
    rsa_cert = tu_cert(rsa_key, "rsa leaf", NULL, NULL, 1, 0);
    ec_cert = tu_cert(ec_key, "ec leaf", NULL, NULL, 1, 0);
}

static void teardown(void)
{
    X509_free(rsa_cert);
    X509_free(ec_cert);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(ed_key);
}

/*------------------------------------------------------------ objs list */

START_TEST(test_objs_basics)
{
    hwc_objs a = {0}, b = {0};

    ck_assert(hwc_objs_add(&a, HWC_OBJ_CERT, NULL, (const unsigned char *)"abc",
                           3, NULL));
    ck_assert(hwc_objs_add(&a, HWC_OBJ_PRIVKEY, "A-VERY-LONG-TYPE-NAME-HERE",
                           (const unsigned char *)"key", 3, "alias"));
    ck_assert_uint_eq(a.n, 2);
    ck_assert_str_eq(a.v[0].data_type, "");
    ck_assert_ptr_null(a.v[0].label);
    ck_assert_uint_eq(strlen(a.v[1].data_type), 15);
    ck_assert_str_eq(a.v[1].label, "alias");
    ck_assert(!hwc_objs_add(&a, HWC_OBJ_CERT, NULL, NULL, 3, NULL));
    ck_assert(!hwc_objs_add(&a, HWC_OBJ_CERT, NULL, (const unsigned char *)"x",
                            0, NULL));
    ck_assert(!hwc_objs_add(&a, (enum hwc_obj_kind)99, NULL,
                            (const unsigned char *)"x", 1, NULL));
    tu_errors();
    ck_assert_uint_eq(a.n, 2);
    ck_assert(hwc_objs_note_failure(&a, "one", "bad"));
    ck_assert(hwc_objs_note_failure(&a, NULL, "worse"));
    ck_assert_str_eq(a.failed, "one: bad; worse");
    for (int i = 0; i < 100; i++) {
        ck_assert(hwc_objs_add(&b, HWC_OBJ_PUBKEY, "EC",
                               (const unsigned char *)"pub", 3, NULL));
    }
    ck_assert(hwc_objs_note_failure(&b, "two", "ugly"));
    ck_assert(hwc_objs_move(&a, &b));
    ck_assert_uint_eq(a.n, 102);
    ck_assert_uint_eq(b.n, 0);
    ck_assert_ptr_null(b.v);
    ck_assert_str_eq(a.failed, "one: bad; worse; two: ugly");
    ck_assert(hwc_objs_move(&a, &b)); /* empty move */
    ck_assert_uint_eq(a.n, 102);
    ck_assert(!hwc_objs_move(&a, &a));
    tu_errors();
    hwc_objs_free(&a);
    ck_assert_uint_eq(a.n, 0);
    ck_assert_ptr_null(a.v);
    hwc_objs_free(&a);
    hwc_objs_free(NULL);
}
END_TEST

static void check_priv(const char *text, EVP_PKEY *want, const char *type);

/*---------------------------------------------------------- public keys */

START_TEST(test_pub_kms_example)
{
    hwc_objs l = {0};
    EVP_PKEY *pk;

    ck_assert_msg(hwc_decode_public_key(kms_example, strlen(kms_example), &l),
                  "%s", tu_errors());
    ck_assert_uint_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, HWC_OBJ_PUBKEY);
    ck_assert_str_eq(l.v[0].data_type, "RSA");
    ck_assert_ptr_null(l.v[0].label);
    pk = obj_pub(&l.v[0]);
    ck_assert(EVP_PKEY_is_a(pk, "RSA"));
    ck_assert_int_eq(EVP_PKEY_get_bits(pk), 4096);
    EVP_PKEY_free(pk);
    /* The same with LF line ends and as raw PKCS#1 DER. */
    {
        char *lf = strdup(kms_example), *w = lf;
        size_t dlen = 0;
        hwc_pem_block *b = NULL;
        int n;

        for (const char *r = kms_example; *r; r++) {
            if (*r != '\r') {
                *w++ = *r;
            }
        }
        *w = '\0';
        ck_assert(hwc_decode_public_key(lf, strlen(lf), &l));
        ck_assert_mem_eq(l.v[1].der, l.v[0].der, l.v[0].der_len);
        n = hwc_pem_split(lf, strlen(lf), &b);
        ck_assert_int_eq(n, 1);
        dlen = b[0].der_len;
        ck_assert(hwc_decode_public_key((const char *)b[0].der, dlen, &l));
        ck_assert_uint_eq(l.v[2].der_len, l.v[0].der_len);
        hwc_pem_blocks_free(b, n);
        free(lf);
    }
    ck_assert_uint_eq(l.n, 3);
    hwc_objs_free(&l);
}
END_TEST

static void check_pub_roundtrip(EVP_PKEY *key, const char *type,
                                const char *structure, const char *want_type)
{
    hwc_objs l = {0};
    size_t len = 0;
    char *enc =
        encode_key(key, EVP_PKEY_PUBLIC_KEY, type, structure, NULL, &len);
    EVP_PKEY *pk;

    ck_assert_msg(hwc_decode_public_key(enc, len, &l), "%s %s: %s", type,
                  structure, tu_errors());
    ck_assert_uint_eq(l.n, 1);
    ck_assert_str_eq(l.v[0].data_type, want_type);
    pk = obj_pub(&l.v[0]);
    ck_assert_int_eq(EVP_PKEY_eq(pk, key), 1);
    EVP_PKEY_free(pk);
    hwc_objs_free(&l);
    free(enc);
}

START_TEST(test_pub_spki_pkcs1)
{
    check_pub_roundtrip(rsa_key, "PEM", "SubjectPublicKeyInfo", "RSA");
    check_pub_roundtrip(rsa_key, "DER", "SubjectPublicKeyInfo", "RSA");
    check_pub_roundtrip(rsa_key, "PEM", "type-specific", "RSA"); /* PKCS#1 */
    check_pub_roundtrip(rsa_key, "DER", "type-specific", "RSA");
    check_pub_roundtrip(ec_key, "PEM", "SubjectPublicKeyInfo", "EC");
    check_pub_roundtrip(ec_key, "DER", "SubjectPublicKeyInfo", "EC");
    check_pub_roundtrip(ed_key, "PEM", "SubjectPublicKeyInfo", "ED25519");
}
END_TEST

START_TEST(test_other_types)
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    EVP_PKEY *pss = NULL;
    EVP_PKEY *ed448 = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
    char *p;

    ck_assert_ptr_nonnull(kctx);
    ck_assert_int_gt(EVP_PKEY_keygen_init(kctx), 0);
    ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_keygen_bits(kctx, 1024), 0);
    ck_assert_int_gt(EVP_PKEY_generate(kctx, &pss), 0);
    EVP_PKEY_CTX_free(kctx);
    ck_assert(pss && ed448);
    check_pub_roundtrip(pss, "PEM", "SubjectPublicKeyInfo", "RSA-PSS");
    check_pub_roundtrip(ed448, "DER", "SubjectPublicKeyInfo", "ED448");
    p = key_pem(pss, "PrivateKeyInfo");
    check_priv(p, pss, "RSA-PSS");
    free(p);
    p = key_pem(ed448, "PrivateKeyInfo");
    check_priv(p, ed448, "ED448");
    free(p);
    EVP_PKEY_free(pss);
    EVP_PKEY_free(ed448);
}
END_TEST

/* Damaged copies of valid input through every decoder: no crash, no leak
 * (valgrind), and a failure always leaves an error message. */
START_TEST(test_hostile_mutations)
{
    char *inputs[4];
    unsigned int seed = 12345;

    inputs[0] = key_pem(rsa_key, "type-specific");
    inputs[1] = key_pem(ec_key, "PrivateKeyInfo");
    inputs[2] = cert_pem(rsa_cert, "\r\n");
    inputs[3] = strdup(kms_example);
    for (int in = 0; in < 4; in++) {
        size_t len = strlen(inputs[in]);
        char *m = malloc(len + 1);

        for (int round = 0; round < 150; round++) {
            hwc_objs l = {0};
            size_t cut = len;
            int r;

            memcpy(m, inputs[in], len + 1);
            for (int k = 0; k < 1 + round % 4; k++) {
                seed = seed * 1103515245u + 12345u;
                m[(seed >> 8) % len] = (char)(seed >> 20);
            }
            if (round % 5 == 0) {
                cut = (seed >> 4) % len;
            }
            ERR_clear_error();
            r = hwc_decode_public_key(m, cut, &l);
            ck_assert(r || ERR_peek_error() != 0);
            ERR_clear_error();
            if (!hwc_decode_private_key(m, cut, &l)) {
                ck_assert(ERR_peek_error() != 0);
            } else {
                r++;
            }
            ERR_clear_error();
            if (!hwc_decode_cert_bundle(m, cut, &l)) {
                ck_assert(ERR_peek_error() != 0);
            } else {
                r++;
            }
            ck_assert_uint_eq(l.n, (size_t)r);
            ERR_clear_error();
            if (!hwc_decode_archive_certs((const unsigned char *)m, cut,
                                          1 << 20, &l)) {
                ck_assert(ERR_peek_error() != 0);
            }
            m[cut] = '\0';
            ERR_clear_error();
            if (!hwc_assemble_scm(m, m, NULL, NULL, tu_plain_libctx(), &l)) {
                ck_assert(ERR_peek_error() != 0);
            }
            hwc_objs_free(&l);
            tu_errors();
        }
        free(m);
        free(inputs[in]);
    }
}
END_TEST

START_TEST(test_pub_bare_base64_and_crlf)
{
    hwc_objs l = {0};
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(ec_key, &der);
    char *b64 = hwc_base64_encode(der, (size_t)len);
    char *crlf = tu_pem_armour("PUBLIC KEY", der, (size_t)len, "\r\n");

    ck_assert(hwc_decode_public_key(b64, strlen(b64), &l));
    ck_assert(hwc_decode_public_key(crlf, strlen(crlf), &l));
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.v[0].der_len, (size_t)len);
    ck_assert_mem_eq(l.v[0].der, der, (size_t)len);
    ck_assert_mem_eq(l.v[1].der, der, (size_t)len);
    hwc_objs_free(&l);
    free(crlf);
    OPENSSL_free(b64);
    OPENSSL_free(der);
}
END_TEST

START_TEST(test_pub_errors)
{
    hwc_objs l;
    unsigned char *der = NULL, *longer;
    int len = i2d_PUBKEY(ec_key, &der);
    char *pem;
    char *priv = key_pem(rsa_key, "type-specific");

    preset(&l);
    ck_assert(!hwc_decode_public_key("", 0, &l));
    assert_err("public key: empty");
    ck_assert(!hwc_decode_public_key(NULL, 5, &l));
    tu_errors();
    ck_assert(!hwc_decode_public_key("garbage!", 8, &l));
    assert_err("not PEM, and not a DER");
    /* truncated base64 */
    ck_assert(!hwc_decode_public_key(kms_example, 100, &l));
    assert_err("no END line");
    {
        const char *bad = "-----BEGIN PUBLIC KEY-----\nMIIB!!\n"
                          "-----END PUBLIC KEY-----\n";

        ck_assert(!hwc_decode_public_key(bad, strlen(bad), &l));
    }
    assert_err("PEM block 1 (PUBLIC KEY): invalid base64");
    /* a private key is not a public key */
    ck_assert(!hwc_decode_public_key(priv, strlen(priv), &l));
    assert_err("is neither a SubjectPublicKeyInfo nor a PKCS#1");
    /* trailing bytes after the DER */
    longer = malloc((size_t)len + 1);
    memcpy(longer, der, (size_t)len);
    longer[len] = 0;
    ck_assert(
        !hwc_decode_public_key((const char *)longer, (size_t)len + 1, &l));
    pem = tu_pem_armour("PUBLIC KEY", longer, (size_t)len + 1, "\n");
    ck_assert(!hwc_decode_public_key(pem, strlen(pem), &l));
    tu_errors();
    /* truncated DER */
    ck_assert(!hwc_decode_public_key((const char *)der, (size_t)len - 1, &l));
    tu_errors();
    assert_preset_only(&l);
    hwc_objs_free(&l);
    free(pem);
    free(longer);
    free(priv);
    OPENSSL_free(der);
}
END_TEST

/*--------------------------------------------------------- private keys */

static void check_priv(const char *text, EVP_PKEY *want, const char *type)
{
    hwc_objs l = {0};

    ck_assert_msg(hwc_decode_private_key(text, strlen(text), &l), "%s",
                  tu_errors());
    ck_assert_uint_eq(l.n, 1);
    ck_assert_str_eq(l.v[0].data_type, type);
    assert_pkcs8_of(&l.v[0], want);
    hwc_objs_free(&l);
}

START_TEST(test_priv_pkcs1_sec1_pkcs8)
{
    char *p;

    p = key_pem(rsa_key, "type-specific");
    ck_assert_ptr_nonnull(strstr(p, "BEGIN RSA PRIVATE KEY"));
    check_priv(p, rsa_key, "RSA");
    free(p);
    p = key_pem(ec_key, "type-specific");
    ck_assert_ptr_nonnull(strstr(p, "BEGIN EC PRIVATE KEY"));
    check_priv(p, ec_key, "EC");
    free(p);
    p = key_pem(rsa_key, "PrivateKeyInfo");
    ck_assert_ptr_nonnull(strstr(p, "BEGIN PRIVATE KEY"));
    check_priv(p, rsa_key, "RSA");
    free(p);
    p = key_pem(ec_key, "PrivateKeyInfo");
    check_priv(p, ec_key, "EC");
    free(p);
    p = key_pem(ed_key, "PrivateKeyInfo");
    check_priv(p, ed_key, "ED25519");
    free(p);
}
END_TEST

START_TEST(test_priv_crlf_and_cert_around)
{
    char *k = key_pem(ec_key, "type-specific");
    char *c = cert_pem(ec_cert, "\n");
    char *text = malloc(strlen(k) * 2 + strlen(c) * 2 + 10), *w = text;

    /* certificate, then the key with CRLF, then the certificate again */
    w += sprintf(w, "%s", c);
    for (const char *r = k; *r; r++) {
        if (*r == '\n') {
            *w++ = '\r';
        }
        *w++ = *r;
    }
    w += sprintf(w, "%s", c);
    check_priv(text, ec_key, "EC");
    free(text);
    free(c);
    free(k);
}
END_TEST

/* SEC1 DER with its [0] parameters removed. */
static unsigned char *sec1_without_params(EVP_PKEY *key, size_t *outlen)
{
    size_t len = 0;
    unsigned char *der = (unsigned char *)encode_key(
        key, EVP_PKEY_KEYPAIR, "DER", "type-specific", NULL, &len);
    unsigned char *o = malloc(len);
    size_t i = 2, w = 0, clen;

    /* 30 len { 02 01 01, 04 20 <32>, a0 0a <oid>, a1 44 <pub> } (P-256) */
    ck_assert_int_eq(der[0], 0x30);
    ck_assert_int_eq(der[1], 0x77);
    ck_assert_int_eq(der[i], 0x02);
    i += 2 + der[i + 1];
    ck_assert_int_eq(der[i], 0x04);
    i += 2 + der[i + 1];
    ck_assert_int_eq(der[i], 0xa0);
    clen = 2 + der[i + 1];
    o[w++] = 0x30;
    o[w++] = (unsigned char)(der[1] - clen);
    memcpy(o + w, der + 2, i - 2);
    w += i - 2;
    memcpy(o + w, der + i + clen, len - i - clen);
    w += len - i - clen;
    *outlen = w;
    free(der);
    return o;
}

START_TEST(test_priv_ec_parameters)
{
    char *params = encode_key(ec_key, EVP_PKEY_KEY_PARAMETERS, "PEM",
                              "type-specific", NULL, NULL);
    char *key = key_pem(ec_key, "type-specific");
    char *both = malloc(strlen(params) + strlen(key) + 1);
    size_t nlen = 0;
    unsigned char *bare = sec1_without_params(ec_key, &nlen);
    char *bare_pem = tu_pem_armour("EC PRIVATE KEY", bare, nlen, "\r\n");
    char *both2 = malloc(strlen(params) + strlen(bare_pem) + 1);
    hwc_objs l = {0};

    ck_assert_ptr_nonnull(strstr(params, "BEGIN EC PARAMETERS"));
    /* `openssl ecparam -genkey` style: parameters, then the key */
    sprintf(both, "%s%s", params, key);
    check_priv(both, ec_key, "EC");
    /* the key without its own parameters needs the block */
    ck_assert(!hwc_decode_private_key(bare_pem, strlen(bare_pem), &l));
    assert_err("PEM block 1 (EC PRIVATE KEY): not a valid SEC1 ECPrivateKey");
    sprintf(both2, "%s%s", params, bare_pem);
    check_priv(both2, ec_key, "EC");
    free(both);
    free(both2);
    free(bare_pem);
    free(bare);
    free(key);
    free(params);
}
END_TEST

START_TEST(test_priv_encrypted)
{
    hwc_objs l;
    char *p8 = encode_key(rsa_key, EVP_PKEY_KEYPAIR, "PEM",
                          "EncryptedPrivateKeyInfo", "AES-256-CBC", NULL);
    char *trad = encode_key(ec_key, EVP_PKEY_KEYPAIR, "PEM", "type-specific",
                            "AES-128-CBC", NULL);

    preset(&l);
    ck_assert_ptr_nonnull(strstr(p8, "ENCRYPTED PRIVATE KEY"));
    ck_assert_ptr_nonnull(strstr(trad, "Proc-Type: 4,ENCRYPTED"));
    ERR_clear_error();
    ck_assert(!hwc_decode_private_key(p8, strlen(p8), &l));
    assert_err("unsupported");
    ck_assert(!hwc_decode_private_key(p8, strlen(p8), &l));
    assert_err("encrypted PKCS#8 private keys (ENCRYPTED PRIVATE KEY) are not "
               "supported");
    ck_assert(!hwc_decode_private_key(trad, strlen(trad), &l));
    assert_err("encrypted PEM private keys (Proc-Type: 4,ENCRYPTED) are not "
               "supported");
    assert_preset_only(&l);
    hwc_objs_free(&l);
    free(p8);
    free(trad);
}
END_TEST

START_TEST(test_priv_errors)
{
    hwc_objs l;
    char *rsa = key_pem(rsa_key, "type-specific");
    char *ec8 = key_pem(ec_key, "PrivateKeyInfo");
    char *two = malloc(strlen(rsa) + strlen(ec8) + 1);
    char *pub = encode_key(rsa_key, EVP_PKEY_PUBLIC_KEY, "PEM",
                           "SubjectPublicKeyInfo", NULL, NULL);
    char *c = cert_pem(rsa_cert, "\n");
    unsigned char *der = NULL;
    int dlen;
    char *wrong;

    preset(&l);
    sprintf(two, "%s%s", rsa, ec8);
    ck_assert(!hwc_decode_private_key(two, strlen(two), &l));
    assert_err("more than one private key (PEM blocks 1 and 2)");
    ck_assert(!hwc_decode_private_key(pub, strlen(pub), &l));
    assert_err("no private key PEM block");
    ck_assert(!hwc_decode_private_key(c, strlen(c), &l));
    assert_err("no private key PEM block");
    ck_assert(!hwc_decode_private_key("", 0, &l));
    assert_err("private key: empty");
    ck_assert(!hwc_decode_private_key("junk", 4, &l));
    assert_err("neither PEM nor a DER private key");
    /* a PKCS#8 body under the PKCS#1 label, and an EC key as RSA */
    dlen = i2d_PUBKEY(rsa_key, &der);
    wrong = tu_pem_armour("RSA PRIVATE KEY", der, (size_t)dlen, "\n");
    ck_assert(!hwc_decode_private_key(wrong, strlen(wrong), &l));
    assert_err("PEM block 1 (RSA PRIVATE KEY): not a valid PKCS#1");
    free(wrong);
    /* truncated key body */
    rsa[200] = '\0';
    ck_assert(!hwc_decode_private_key(rsa, strlen(rsa), &l));
    assert_err("no END line");
    /* bad base64 in the key */
    strcpy(rsa,
           "-----BEGIN PRIVATE KEY-----\nMIIE*\n-----END PRIVATE KEY-----\n");
    ck_assert(!hwc_decode_private_key(rsa, strlen(rsa), &l));
    assert_err("PEM block 1 (PRIVATE KEY): invalid base64");
    assert_preset_only(&l);
    hwc_objs_free(&l);
    OPENSSL_free(der);
    free(c);
    free(pub);
    free(two);
    free(ec8);
    free(rsa);
}
END_TEST

START_TEST(test_priv_der)
{
    hwc_objs l = {0};
    size_t len = 0;
    char *der = encode_key(ec_key, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo",
                           NULL, &len);

    ck_assert(hwc_decode_private_key(der, len, &l));
    assert_pkcs8_of(&l.v[0], ec_key);
    hwc_objs_free(&l);
    free(der);
}
END_TEST

/*--------------------------------------------------------- certificates */

START_TEST(test_bundle_forms)
{
    char *a = cert_pem(rsa_cert, "\r\n"), *b = cert_pem(ec_cert, "\n");
    char *k = key_pem(ec_key, "PrivateKeyInfo");
    size_t cap = strlen(a) + strlen(b) + strlen(k) + 100;
    char *text = malloc(cap), *glued = malloc(cap), *t;
    unsigned char *der = NULL;
    int dlen = i2d_X509(ec_cert, &der);
    hwc_objs l = {0};

    /* CRLF, text between, a key in between (ignored), whitespace */
    snprintf(text, cap, "  \n%sBag Attributes\n%s\n\n%s  \n", a, k, b);
    ck_assert_msg(hwc_decode_cert_bundle(text, strlen(text), &l), "%s",
                  tu_errors());
    ck_assert_uint_eq(l.n, 2);
    ck_assert_int_eq(l.v[0].kind, HWC_OBJ_CERT);
    ck_assert_str_eq(l.v[0].data_type, "");
    ck_assert_uint_eq(l.v[1].der_len, (size_t)dlen);
    ck_assert_mem_eq(l.v[1].der, der, (size_t)dlen);
    /* glued: no newline between END and BEGIN */
    strcpy(glued, a);
    t = glued + strlen(glued);
    while (t[-1] == '\n' || t[-1] == '\r') {
        *--t = '\0';
    }
    strcat(glued, b);
    ck_assert(hwc_decode_cert_bundle(glued, strlen(glued), &l));
    ck_assert_uint_eq(l.n, 4);
    ck_assert_mem_eq(l.v[3].der, der, (size_t)dlen);
    /* DER */
    ck_assert(hwc_decode_cert_bundle((const char *)der, (size_t)dlen, &l));
    ck_assert_uint_eq(l.n, 5);
    /* TRUSTED CERTIFICATE comes out as plain X.509 DER */
    {
        X509 *x = X509_dup(ec_cert);
        unsigned char *aux = NULL;
        int alen;
        char *tp;

        ck_assert(X509_add1_trust_object(x, OBJ_nid2obj(NID_server_auth)));
        alen = i2d_X509_AUX(x, &aux);
        ck_assert_int_gt(alen, dlen);
        tp = tu_pem_armour("TRUSTED CERTIFICATE", aux, (size_t)alen, "\n");
        ck_assert(hwc_decode_cert_bundle(tp, strlen(tp), &l));
        ck_assert_uint_eq(l.n, 6);
        ck_assert_uint_eq(l.v[5].der_len, (size_t)dlen);
        ck_assert_mem_eq(l.v[5].der, der, (size_t)dlen);
        free(tp);
        OPENSSL_free(aux);
        X509_free(x);
    }
    hwc_objs_free(&l);
    OPENSSL_free(der);
    free(glued);
    free(text);
    free(k);
    free(b);
    free(a);
}
END_TEST

START_TEST(test_bundle_errors)
{
    hwc_objs l;
    char *a = cert_pem(rsa_cert, "\n");
    char *k = key_pem(ec_key, "PrivateKeyInfo");
    size_t cap = strlen(a) * 2 + 200;
    char *text = malloc(cap), *p;
    unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    char *jp = tu_pem_armour("CERTIFICATE", junk, sizeof(junk), "\n");

    preset(&l);
    ck_assert(!hwc_decode_cert_bundle(k, strlen(k), &l));
    assert_err("no CERTIFICATE PEM block among 1 block");
    ck_assert(!hwc_decode_cert_bundle("", 0, &l));
    assert_err("certificates: empty");
    ck_assert(!hwc_decode_cert_bundle("hello", 5, &l));
    assert_err("neither PEM nor a DER X.509 certificate");
    snprintf(text, cap, "%s%s", a, jp);
    ck_assert(!hwc_decode_cert_bundle(text, strlen(text), &l));
    assert_err("PEM block 2 (CERTIFICATE): not a valid X.509 certificate");
    /* bad base64 in the second block */
    snprintf(text, cap, "%s%s", a, a);
    p = strstr(text + strlen(a), "\n") + 5;
    *p = '#';
    ck_assert(!hwc_decode_cert_bundle(text, strlen(text), &l));
    assert_err("PEM block 2 (CERTIFICATE): invalid base64");
    assert_preset_only(&l);
    hwc_objs_free(&l);
    free(jp);
    free(text);
    free(k);
    free(a);
}
END_TEST

static Suite *keys_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("decode");

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_objs_basics);
    tcase_add_test(tc, test_pub_kms_example);
    tcase_add_test(tc, test_pub_spki_pkcs1);
    tcase_add_test(tc, test_pub_bare_base64_and_crlf);
    tcase_add_test(tc, test_other_types);
    tcase_add_test(tc, test_hostile_mutations);
    tcase_add_test(tc, test_pub_errors);
    tcase_add_test(tc, test_priv_pkcs1_sec1_pkcs8);
    tcase_add_test(tc, test_priv_crlf_and_cert_around);
    tcase_add_test(tc, test_priv_ec_parameters);
    tcase_add_test(tc, test_priv_encrypted);
    tcase_add_test(tc, test_priv_errors);
    tcase_add_test(tc, test_priv_der);
    tcase_add_test(tc, test_bundle_forms);
    tcase_add_test(tc, test_bundle_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(keys_suite());
}

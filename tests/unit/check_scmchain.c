/*
 * check_scmchain.c: hwc_assemble_scm on a root -> intermediate -> leaf
 * chain generated here (RSA and EC leaves), in every shape the SCM export
 * fields can take.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats/objs.h"
#include "formats/scmchain.h"
#include "core/hwc.h"
#include "testutil.h"

static EVP_PKEY *root_key, *inter_key, *rsa_key, *ec_key, *other_key;
static X509 *root, *inter, *rsa_leaf, *ec_leaf, *other_root;

/*--------------------------------------------------------------- helpers */

/* A CA (ca) or end-entity certificate: tu_cert with basicConstraints. */
static X509 *mk_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
                     EVP_PKEY *issuer_key, int ca, long serial)
{
    return tu_cert(key, cn, issuer, issuer_key, serial, NID_basic_constraints,
                   ca ? "critical,CA:TRUE" : "CA:FALSE", 0);
}

/* Concatenated PEM of the certificates (NULL-terminated list). */
static char *pems(const char *eol, ...)
{
    hwc_buf b = {0};
    va_list ap;
    X509 *x;
    char *s;

    va_start(ap, eol);
    while ((x = va_arg(ap, X509 *)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        char *p = tu_pem_armour("CERTIFICATE", der, (size_t)len, eol);

        ck_assert(hwc_buf_append_str(&b, p));
        free(p);
        OPENSSL_free(der);
    }
    va_end(ap);
    ck_assert(hwc_buf_append_str(&b, ""));
    s = strdup((const char *)b.data);
    hwc_buf_free(&b);
    return s;
}

static char *key_pem(EVP_PKEY *pk, int selection, const char *structure)
{
    OSSL_ENCODER_CTX *ctx =
        OSSL_ENCODER_CTX_new_for_pkey(pk, selection, "PEM", structure, NULL);
    unsigned char *data = NULL;
    size_t dlen = 0;
    char *s;

    ck_assert_ptr_nonnull(ctx);
    ck_assert(OSSL_ENCODER_to_data(ctx, &data, &dlen));
    OSSL_ENCODER_CTX_free(ctx);
    s = strndup((const char *)data, dlen);
    OPENSSL_free(data);
    return s;
}

static void assert_cert(const hwc_obj *o, X509 *want, int idx)
{
    unsigned char *der = NULL;
    int len = i2d_X509(want, &der);
    char name[256];

    X509_NAME_oneline(X509_get_subject_name(want), name, sizeof(name));
    ck_assert_msg(o->kind == HWC_OBJ_CERT, "entry %d is not a cert", idx);
    ck_assert_msg(o->der_len == (size_t)len &&
                      memcmp(o->der, der, (size_t)len) == 0,
                  "entry %d is not %s", idx, name);
    OPENSSL_free(der);
}

static void assert_key(const hwc_obj *o, EVP_PKEY *want, const char *type)
{
    const unsigned char *p = o->der;
    EVP_PKEY *pk;

    ck_assert_int_eq(o->kind, HWC_OBJ_PRIVKEY);
    ck_assert_str_eq(o->data_type, type);
    pk = d2i_AutoPrivateKey(NULL, &p, (long)o->der_len);
    ck_assert_ptr_nonnull(pk);
    ck_assert_int_eq(EVP_PKEY_eq(pk, want), 1);
    EVP_PKEY_free(pk);
}

/* The list is exactly certs (NULL-terminated), then the key if any. */
static void assert_order(const hwc_objs *l, EVP_PKEY *key, const char *type,
                         ...)
{
    va_list ap;
    X509 *x;
    size_t i = 0;

    va_start(ap, type);
    while ((x = va_arg(ap, X509 *)) != NULL) {
        ck_assert_uint_gt(l->n, i);
        assert_cert(&l->v[i], x, (int)i);
        i++;
    }
    va_end(ap);
    if (key != NULL) {
        ck_assert_uint_gt(l->n, i);
        assert_key(&l->v[i], key, type);
        i++;
    }
    ck_assert_uint_eq(l->n, i);
    for (size_t j = 0; j < l->n; j++) {
        ck_assert_ptr_null(l->v[j].label);
    }
}

static void assert_err(const char *want)
{
    const char *err = tu_errors();

    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in \"%s\"", want,
                  err);
}

static void setup(void)
{
    root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    inter_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ck_assert(root_key && inter_key && other_key && ec_key && rsa_key);
    root = mk_cert(root_key, "Test Root", NULL, NULL, 1, 1);
    inter = mk_cert(inter_key, "Test Intermediate", root, root_key, 1, 2);
    rsa_leaf = mk_cert(rsa_key, "rsa.example.com", inter, inter_key, 0, 3);
    ec_leaf = mk_cert(ec_key, "ec.example.com", inter, inter_key, 0, 4);
    other_root = mk_cert(other_key, "Other Root", NULL, NULL, 1, 5);
}

static void teardown(void)
{
    X509_free(root);
    X509_free(inter);
    X509_free(rsa_leaf);
    X509_free(ec_leaf);
    X509_free(other_root);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(inter_key);
    EVP_PKEY_free(other_key);
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(rsa_key);
}

/*----------------------------------------------------------------- tests */

/*
 * Assemblies that differ only in what each field holds. Fields are given
 * by the certificates they hold, in order: L the RSA leaf, E the EC leaf,
 * I the intermediate, R the root, O another root; "" is an empty field,
 * "_" one of blanks, NULL none. want is the certificates expected, in
 * order, then the key (of key's type); NULL: the assembly fails with err.
 */
enum key_form { K_NONE, K_EMPTY, K_RSA_PKCS1, K_RSA_PKCS8, K_EC_SEC1 };

static const struct assembly {
    const char *certificate, *chain, *entire;
    enum key_form key;
    const char *want, *err;
} assemblies[] = {
    /* a full export, the key in PKCS#1 */
    {"L", "IR", "LIR", K_RSA_PKCS1, "LIR", NULL},
    /* certificate missing or empty, entire_certificate present (in any
     * order: the leaf is found by its key) */
    {NULL, NULL, "EIR", K_EC_SEC1, "EIR", NULL},
    {"", "", "EIR", K_EC_SEC1, "EIR", NULL},
    {NULL, NULL, "RIE", K_EC_SEC1, "EIR", NULL},
    /* chain empty or none */
    {"L", NULL, NULL, K_RSA_PKCS8, "L", NULL},
    {"L", "", "_", K_RSA_PKCS8, "L", NULL},
    /* a reversed chain, duplicates */
    {"E", "RI", NULL, K_EC_SEC1, "EIR", NULL},
    {"E", "RRIEI", "IER", K_EC_SEC1, "EIR", NULL},
    /* certificates linked to nothing come last, in input order */
    {"L", "ORI", "E", K_RSA_PKCS1, "LIROE", NULL},
    /* certificate holds one the key does not match: the leaf is in
     * entire_certificate */
    {"E", NULL, "LIR", K_RSA_PKCS1, "LIRE", NULL},
    /* no private key: the leaf is the first certificate of certificate,
     * else of entire_certificate, else of the chain */
    {"L", "RI", NULL, K_NONE, "LIR", NULL},
    {"L", "RI", NULL, K_EMPTY, "LIR", NULL},
    {NULL, "RI", "EI", K_NONE, "EIR", NULL},
    {NULL, "RI", NULL, K_NONE, "RI", NULL},
    /* nothing to assemble */
    {NULL, NULL, NULL, K_NONE, NULL, "malformed service response"},
    {"", "", "", K_EMPTY, NULL, "are all empty"},
    {"_", "_", "_", K_NONE, NULL, "are all empty"},
    {NULL, "", NULL, K_EC_SEC1, NULL, "SCM export: no certificate"},
};

static X509 *cert_named(char c)
{
    switch (c) {
    case 'L':
        return rsa_leaf;
    case 'E':
        return ec_leaf;
    case 'I':
        return inter;
    case 'R':
        return root;
    default:
        return other_root;
    }
}

/* A field as the table gives it (see assemblies); free() it. */
static char *field_text(const char *spec)
{
    hwc_buf b = {0};
    char *s;

    if (spec == NULL) {
        return NULL;
    }
    if (strcmp(spec, "_") == 0) {
        return strdup(" \r\n\t");
    }
    for (const char *c = spec; *c != '\0'; c++) {
        char *one = pems("\n", cert_named(*c), NULL);
        ck_assert(hwc_buf_append_str(&b, one));
        free(one);
    }
    ck_assert(hwc_buf_append_str(&b, ""));
    s = strdup((const char *)b.data);
    hwc_buf_free(&b);
    return s;
}

static char *key_text(enum key_form k)
{
    switch (k) {
    case K_NONE:
        return NULL;
    case K_EMPTY:
        return strdup("");
    case K_RSA_PKCS1:
        return key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    case K_RSA_PKCS8:
        return key_pem(rsa_key, EVP_PKEY_KEYPAIR, "PrivateKeyInfo");
    default:
        return key_pem(ec_key, EVP_PKEY_KEYPAIR, "type-specific");
    }
}

START_TEST(test_assembly)
{
    const struct assembly *a = &assemblies[_i];
    char *c = field_text(a->certificate), *chain = field_text(a->chain);
    char *entire = field_text(a->entire), *k = key_text(a->key);
    int rsa = a->key == K_RSA_PKCS1 || a->key == K_RSA_PKCS8;
    int has_key = a->key != K_NONE && a->key != K_EMPTY;
    hwc_objs l = {0};
    size_t n = a->want != NULL ? strlen(a->want) : 0;

    if (a->key == K_RSA_PKCS1) {
        ck_assert_ptr_nonnull(strstr(k, "BEGIN RSA PRIVATE KEY"));
    }
    ck_assert_int_eq(
        hwc_assemble_scm(c, chain, entire, k, tu_plain_libctx(), &l),
        a->want != NULL);
    if (a->want == NULL) {
        assert_err(a->err);
        ck_assert_uint_eq(l.n, 0);
    } else {
        ck_assert_msg(l.n == n + (has_key ? 1 : 0), "%zu objects, want %s", l.n,
                      a->want);
        for (size_t i = 0; i < n; i++) {
            assert_cert(&l.v[i], cert_named(a->want[i]), (int)i);
            ck_assert_ptr_null(l.v[i].label);
        }
        if (has_key) {
            assert_key(&l.v[n], rsa ? rsa_key : ec_key, rsa ? "RSA" : "EC");
        }
    }
    hwc_objs_free(&l);
    free(c);
    free(chain);
    free(entire);
    free(k);
}
END_TEST

START_TEST(test_crlf_everywhere)
{
    char *c = pems("\r\n", ec_leaf, NULL);
    char *chain = pems("\r\n", inter, root, NULL);
    char *k = key_pem(ec_key, EVP_PKEY_KEYPAIR, "PrivateKeyInfo");
    char *kc = malloc(strlen(k) * 2 + 1), *w = kc;
    hwc_objs l = {0};

    for (const char *r = k; *r; r++) {
        if (*r == '\n') {
            *w++ = '\r';
        }
        *w++ = *r;
    }
    *w = '\0';
    ck_assert_msg(hwc_assemble_scm(c, chain, NULL, kc, tu_plain_libctx(), &l),
                  "%s", tu_errors());
    assert_order(&l, ec_key, "EC", ec_leaf, inter, root, NULL);
    hwc_objs_free(&l);
    free(c);
    free(chain);
    free(k);
    free(kc);
}
END_TEST

START_TEST(test_glued_chain)
{
    char *c = pems("\n", rsa_leaf, NULL);
    char *a = pems("", inter, NULL), *b = pems("\n", root, NULL);
    char *chain = malloc(strlen(a) + strlen(b) + 1);
    hwc_objs l = {0};

    sprintf(chain, "%s%s", a, b); /* "-----END CERTIFICATE----------BEGIN" */
    ck_assert_ptr_nonnull(strstr(chain, "-----END CERTIFICATE----------BEGIN"));
    ck_assert_msg(hwc_assemble_scm(c, chain, NULL, NULL, tu_plain_libctx(), &l),
                  "%s", tu_errors());
    assert_order(&l, NULL, NULL, rsa_leaf, inter, root, NULL);
    hwc_objs_free(&l);
    free(chain);
    free(a);
    free(b);
    free(c);
}
END_TEST

START_TEST(test_sec1_with_params)
{
    char *c = pems("\n", ec_leaf, NULL);
    char *chain = pems("\n", inter, root, NULL);
    char *params = key_pem(ec_key, EVP_PKEY_KEY_PARAMETERS, "type-specific");
    char *k = key_pem(ec_key, EVP_PKEY_KEYPAIR, "type-specific");
    char *pk = malloc(strlen(params) + strlen(k) + 1);
    hwc_objs l = {0};

    sprintf(pk, "%s%s", params, k);
    ck_assert_ptr_nonnull(strstr(pk, "BEGIN EC PARAMETERS"));
    ck_assert_ptr_nonnull(strstr(pk, "BEGIN EC PRIVATE KEY"));
    ck_assert_msg(hwc_assemble_scm(c, chain, NULL, pk, tu_plain_libctx(), &l),
                  "%s", tu_errors());
    assert_order(&l, ec_key, "EC", ec_leaf, inter, root, NULL);
    hwc_objs_free(&l);
    free(c);
    free(chain);
    free(params);
    free(k);
    free(pk);
}
END_TEST

START_TEST(test_mismatched_key)
{
    char *c = pems("\n", rsa_leaf, NULL);
    char *chain = pems("\n", inter, root, NULL);
    char *entire = pems("\n", rsa_leaf, inter, root, NULL);
    char *k = key_pem(ec_key, EVP_PKEY_KEYPAIR, "type-specific");
    hwc_objs l = {0};

    ck_assert(hwc_objs_add(&l, HWC_OBJ_CERT, NULL, (const unsigned char *)"x",
                           1, "pre"));
    ERR_clear_error();
    ck_assert(!hwc_assemble_scm(c, chain, entire, k, tu_plain_libctx(), &l));
    assert_err("no certificate matches the private key");
    ck_assert(!hwc_assemble_scm(c, chain, entire, k, tu_plain_libctx(), &l));
    assert_err("private_key matches no certificate");
    /* the key's certificate only in certificate_chain does not count */
    free(chain);
    chain = pems("\n", ec_leaf, NULL);
    ck_assert(!hwc_assemble_scm(c, chain, NULL, k, tu_plain_libctx(), &l));
    assert_err("private_key matches no certificate");
    ck_assert_uint_eq(l.n, 1);
    ck_assert_str_eq(l.v[0].label, "pre");
    hwc_objs_free(&l);
    free(c);
    free(chain);
    free(entire);
    free(k);
}
END_TEST

START_TEST(test_bad_fields)
{
    char *c = pems("\n", rsa_leaf, NULL);
    char *chain = pems("\n", inter, root, NULL);
    char *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    char *p;
    hwc_objs l = {0};
    OSSL_ENCODER_CTX *ectx;
    unsigned char *enc = NULL;
    size_t elen = 0;
    char *ek;

    /* bad base64 inside the second certificate of the chain */
    p = strstr(chain, "-----END CERTIFICATE-----\n") + 26;
    p = strchr(p, '\n') + 10;
    *p = '%';
    ck_assert(!hwc_assemble_scm(c, chain, NULL, k, tu_plain_libctx(), &l));
    assert_err("certificate_chain: PEM block 2 (CERTIFICATE): invalid base64");
    ck_assert(
        !hwc_assemble_scm("not pem", NULL, NULL, NULL, tu_plain_libctx(), &l));
    assert_err("certificate: not PEM");
    ck_assert(!hwc_assemble_scm(c, NULL, k, NULL, tu_plain_libctx(), &l));
    assert_err("entire_certificate: no CERTIFICATE PEM block");
    ck_assert(!hwc_assemble_scm(c, NULL, NULL,
                                "-----BEGIN PRIVATE KEY-----\n"
                                "AAAA\n-----END PRIVATE KEY-----",
                                tu_plain_libctx(), &l));
    assert_err("private_key: PEM block 1 (PRIVATE KEY): not a valid PKCS#8");
    /* truncated certificate */
    c[strlen(c) / 2] = '\0';
    ck_assert(!hwc_assemble_scm(c, NULL, NULL, k, tu_plain_libctx(), &l));
    assert_err("certificate: PEM block 1 (CERTIFICATE): no END line");
    /* encrypted key: unsupported, said so */
    ectx = OSSL_ENCODER_CTX_new_for_pkey(rsa_key, EVP_PKEY_KEYPAIR, "PEM",
                                         "EncryptedPrivateKeyInfo", NULL);
    ck_assert(OSSL_ENCODER_CTX_set_cipher(ectx, "AES-128-CBC", NULL));
    ck_assert(
        OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)"pw", 2));
    ck_assert(OSSL_ENCODER_to_data(ectx, &enc, &elen));
    OSSL_ENCODER_CTX_free(ectx);
    ek = strndup((const char *)enc, elen);
    free(c);
    c = pems("\n", rsa_leaf, NULL);
    ck_assert(!hwc_assemble_scm(c, NULL, NULL, ek, tu_plain_libctx(), &l));
    assert_err("unsupported");
    ck_assert(!hwc_assemble_scm(c, NULL, NULL, ek, tu_plain_libctx(), &l));
    assert_err("private_key: PEM block 1: encrypted PKCS#8");
    ck_assert_uint_eq(l.n, 0);
    free(ek);
    OPENSSL_free(enc);
    free(c);
    free(chain);
    free(k);
}
END_TEST

/*------------------------------------- the quick way and the careful way */

/* Assembles and checks the order; returns how many careful runs it took. */
static unsigned long assemble_counted(const char *c, const char *chain,
                                      const char *k, EVP_PKEY *key,
                                      const char *type, X509 *x0, X509 *x1,
                                      X509 *x2)
{
    unsigned long before = hwc_scm_careful_runs();
    hwc_objs l = {0};

    ck_assert_msg(hwc_assemble_scm(c, chain, NULL, k, tu_plain_libctx(), &l),
                  "%s", tu_errors());
    assert_order(&l, key, type, x0, x1, x2, NULL);
    hwc_objs_free(&l);
    return hwc_scm_careful_runs() - before;
}

START_TEST(test_quick_way_for_plain_exports)
{
    char *chain = pems("\n", root, inter, NULL);
    char *rc = pems("\n", rsa_leaf, NULL), *ec = pems("\n", ec_leaf, NULL);
    char *k1 = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    char *k8 = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "PrivateKeyInfo");
    char *sec1 = key_pem(ec_key, EVP_PKEY_KEYPAIR, "type-specific");
    char *ec8 = key_pem(ec_key, EVP_PKEY_KEYPAIR, "PrivateKeyInfo");

    /* The same answers as libcrypto gives, without asking it. */
    ck_assert_uint_eq(
        assemble_counted(rc, chain, k1, rsa_key, "RSA", rsa_leaf, inter, root),
        0);
    ck_assert_uint_eq(
        assemble_counted(rc, chain, k8, rsa_key, "RSA", rsa_leaf, inter, root),
        0);
    ck_assert_uint_eq(
        assemble_counted(ec, chain, sec1, ec_key, "EC", ec_leaf, inter, root),
        0);
    ck_assert_uint_eq(
        assemble_counted(ec, chain, ec8, ec_key, "EC", ec_leaf, inter, root),
        0);
    ck_assert_uint_eq(
        assemble_counted(rc, chain, NULL, NULL, NULL, rsa_leaf, inter, root),
        0);
    free(chain);
    free(rc);
    free(ec);
    free(k1);
    free(k8);
    free(sec1);
    free(ec8);
}
END_TEST

/* An assembly that succeeds leaves nothing on the error queue, although
 * the plain context it parses in cannot take a certificate's fingerprint. */
START_TEST(test_success_queues_no_error)
{
    char *chain = pems("\n", root, inter, NULL),
         *c = pems("\n", rsa_leaf, NULL);
    char *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    hwc_objs l = {0};

    ck_assert_ptr_nonnull(tu_plain_libctx());
    ERR_clear_error();
    ck_assert(hwc_assemble_scm(c, chain, NULL, k, tu_plain_libctx(), &l));
    ck_assert_msg(ERR_peek_error() == 0, "queued: %s", tu_errors());
    hwc_objs_free(&l);
    /* libcrypto's default context */
    ck_assert(hwc_assemble_scm(c, chain, NULL, k, NULL, &l));
    ck_assert_msg(ERR_peek_error() == 0, "queued: %s", tu_errors());
    hwc_objs_free(&l);
    free(chain);
    free(c);
    free(k);
}
END_TEST

/* A certificate issued by inter whose issuer name says the same as inter's
 * subject in another string type: equal only once canonicalised. */
static X509 *leaf_with_printable_issuer(EVP_PKEY *key)
{
    X509 *x = mk_cert(key, "printable.example.com", inter, inter_key, 0, 9);
    X509_NAME *n = X509_NAME_new();

    ck_assert(X509_NAME_add_entry_by_txt(
        n, "CN", V_ASN1_PRINTABLESTRING,
        (const unsigned char *)"Test Intermediate", -1, -1, 0));
    ck_assert(X509_set_issuer_name(x, n));
    ck_assert(X509_sign(x, inter_key, EVP_sha256()) > 0);
    X509_NAME_free(n);
    ck_assert_int_eq(X509_check_issued(inter, x), X509_V_OK);
    return x;
}

START_TEST(test_careful_way_for_canonical_names)
{
    X509 *leaf = leaf_with_printable_issuer(rsa_key);
    char *c = pems("\n", leaf, NULL), *chain = pems("\n", root, inter, NULL);
    char *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");

    ck_assert_uint_eq(
        assemble_counted(c, chain, k, rsa_key, "RSA", leaf, inter, root), 1);
    X509_free(leaf);
    free(c);
    free(chain);
    free(k);
}
END_TEST

START_TEST(test_careful_way_for_compressed_point)
{
    EVP_PKEY *pub = EVP_PKEY_dup(ec_key);
    X509 *leaf;
    char *c, *chain = pems("\n", inter, root, NULL);
    char *k = key_pem(ec_key, EVP_PKEY_KEYPAIR, "type-specific");

    ck_assert(EVP_PKEY_set_utf8_string_param(
        pub, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"));
    leaf = mk_cert(pub, "compressed.example.com", inter, inter_key, 0, 10);
    c = pems("\n", leaf, NULL);
    /* The key's point and the certificate's differ in bytes, not value. */
    ck_assert_uint_eq(
        assemble_counted(c, chain, k, ec_key, "EC", leaf, inter, root), 1);
    X509_free(leaf);
    EVP_PKEY_free(pub);
    free(c);
    free(chain);
    free(k);
}
END_TEST

START_TEST(test_careful_way_for_ber)
{
    unsigned char *der = NULL, *ber;
    int len = i2d_X509(rsa_leaf, &der);
    char *c, *entire = pems("\n", rsa_leaf, inter, root, NULL);
    char *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");

    /* The outer length with a leading zero octet: BER, not DER. */
    ck_assert(len > 4 && der[0] == 0x30 && der[1] == 0x82);
    ber = malloc((size_t)len + 1);
    memcpy(ber, "\x30\x83\x00", 3);
    memcpy(ber + 3, der + 2, (size_t)len - 2);
    c = tu_pem_armour("CERTIFICATE", ber, (size_t)len + 1, "\n");
    /* Re-encoded, the BER leaf is the entire_certificate's first one. */
    {
        unsigned long before = hwc_scm_careful_runs();
        hwc_objs l = {0};

        ck_assert_msg(
            hwc_assemble_scm(c, NULL, entire, k, tu_plain_libctx(), &l), "%s",
            tu_errors());
        assert_order(&l, rsa_key, "RSA", rsa_leaf, inter, root, NULL);
        hwc_objs_free(&l);
        ck_assert_uint_eq(hwc_scm_careful_runs() - before, 0);
    }
    OPENSSL_free(der);
    free(ber);
    free(c);
    free(entire);
    free(k);
}
END_TEST

/* Plain DER that libcrypto still refuses (a UTF8String that is not UTF-8):
 * refused here, by name, never handed on. */
START_TEST(test_der_libcrypto_refuses)
{
    X509 *x = mk_cert(rsa_key, "utf8", inter, inter_key, 0, 11);
    X509_NAME *n = X509_NAME_new();
    unsigned char *der = NULL, *p;
    int len;
    char *c, *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    hwc_objs l = {0};

    ck_assert(X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_UTF8STRING,
                                         (const unsigned char *)"caf\xc3\xa9",
                                         -1, -1, 0));
    ck_assert(X509_set_subject_name(x, n));
    ck_assert(X509_sign(x, inter_key, EVP_sha256()) > 0);
    len = i2d_X509(x, &der);
    p = memchr(der, 0xc3, (size_t)len);
    ck_assert_ptr_nonnull(p);
    *p = 0xff; /* "caf\xff\xa9" */
    c = tu_pem_armour("CERTIFICATE", der, (size_t)len, "\n");
    ck_assert(!hwc_assemble_scm(c, NULL, NULL, k, tu_plain_libctx(), &l));
    ck_assert_uint_eq(l.n, 0);
    assert_err("certificate: PEM block 1 (CERTIFICATE): not a valid X.509 "
               "certificate");
    X509_NAME_free(n);
    X509_free(x);
    OPENSSL_free(der);
    free(c);
    free(k);
}
END_TEST

/* Flips the last byte of the 65-byte public point of key wherever it
 * occurs in der (the key's own encoding, a certificate). */
static void spoil_point(unsigned char *der, size_t len, EVP_PKEY *key)
{
    unsigned char pt[65];
    size_t n = 0;

    ck_assert(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                              sizeof(pt), &n));
    ck_assert_uint_eq(n, 65);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(der + i, pt, n) == 0) {
            der[i + n - 1] ^= 0x01;
            return;
        }
    }
    ck_abort_msg("point not found");
}

/* A key whose point is off its curve, and a certificate with the same
 * bytes: libcrypto would refuse the key, so it is refused here. */
START_TEST(test_ec_point_off_curve)
{
    unsigned char *cder = NULL, *kder = NULL;
    int clen = i2d_X509(ec_leaf, &cder);
    OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(
        ec_key, EVP_PKEY_KEYPAIR, "DER", "type-specific", NULL);
    size_t klen = 0;
    char *c, *k;
    hwc_objs l = {0};

    ck_assert(ectx != NULL && OSSL_ENCODER_to_data(ectx, &kder, &klen));
    OSSL_ENCODER_CTX_free(ectx);
    spoil_point(cder, (size_t)clen, ec_key);
    spoil_point(kder, klen, ec_key);
    c = tu_pem_armour("CERTIFICATE", cder, (size_t)clen, "\n");
    k = tu_pem_armour("EC PRIVATE KEY", kder, klen, "\n");
    ck_assert(!hwc_assemble_scm(c, NULL, NULL, k, tu_plain_libctx(), &l));
    ck_assert_uint_eq(l.n, 0);
    assert_err("private_key: PEM block 1 (EC PRIVATE KEY): not a valid SEC1 "
               "ECPrivateKey");
    OPENSSL_free(cder);
    OPENSSL_clear_free(kder, klen);
    free(c);
    free(k);
}
END_TEST

/* A CA certificate for key named cn by issuer (self-signed when NULL),
 * with key identifiers: its SKID from key, its AKID from issuer's SKID. */
static X509 *mk_cert_kid(EVP_PKEY *key, const char *cn, X509 *issuer,
                         EVP_PKEY *issuer_key)
{
    if (issuer == NULL) {
        return tu_cert(key, cn, NULL, NULL, 12, NID_basic_constraints,
                       "critical,CA:TRUE", NID_subject_key_identifier, "hash",
                       0);
    }
    return tu_cert(key, cn, issuer, issuer_key, 12, NID_basic_constraints,
                   "critical,CA:TRUE", NID_subject_key_identifier, "hash",
                   NID_authority_key_identifier, "keyid:always", 0);
}

/* Same name as the root and an AKID pointing at it, but a public key that
 * does not decode: X509_check_issued says it issued nothing, so the leaf
 * hangs under the real root and this one comes last. */
START_TEST(test_issuer_key_must_decode)
{
    X509 *r = mk_cert_kid(root_key, "Kid Root", NULL, NULL);
    X509 *a = mk_cert_kid(other_key, "Kid Root", r, root_key);
    X509 *leaf = mk_cert(rsa_key, "kid.example.com", r, root_key, 0, 13);
    unsigned char *der = NULL;
    int len = i2d_X509(a, &der);
    X509 *broken;
    const unsigned char *p;
    char *c = pems("\n", leaf, NULL), *chain,
         *entire = pems("\n", leaf, r, NULL);
    char *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    hwc_objs l = {0};

    spoil_point(der, (size_t)len, other_key);
    p = der;
    broken = d2i_X509(NULL, &p, len);
    ck_assert_ptr_nonnull(broken);
    ck_assert_ptr_null(X509_get0_pubkey(broken));
    ERR_clear_error();
    chain = pems("\n", broken, NULL);
    ck_assert_msg(hwc_assemble_scm(c, chain, entire, k, tu_plain_libctx(), &l),
                  "%s", tu_errors());
    assert_order(&l, rsa_key, "RSA", leaf, r, broken, NULL);
    hwc_objs_free(&l);
    X509_free(r);
    X509_free(a);
    X509_free(leaf);
    X509_free(broken);
    OPENSSL_free(der);
    free(c);
    free(chain);
    free(entire);
    free(k);
}
END_TEST

/* An intermediate whose basicConstraints do not decode: libcrypto finds its
 * extensions invalid and X509_check_issued links nothing to it, so the
 * leaf stands alone and the rest follow in input order. */
START_TEST(test_invalid_extension_links_nothing)
{
    static const unsigned char not_bc[] = {0x05, 0x00}; /* NULL */
    X509 *bad = mk_cert(inter_key, "Test Intermediate", root, root_key, 1, 14);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext;
    char *c = pems("\n", rsa_leaf, NULL), *chain;
    char *k = key_pem(rsa_key, EVP_PKEY_KEYPAIR, "type-specific");
    hwc_objs l = {0};

    /* Replace the good basicConstraints with one that does not decode. */
    X509_EXTENSION_free(X509_delete_ext(
        bad, X509_get_ext_by_NID(bad, NID_basic_constraints, -1)));
    ck_assert(os != NULL && ASN1_OCTET_STRING_set(os, not_bc, sizeof(not_bc)));
    ext = X509_EXTENSION_create_by_NID(NULL, NID_basic_constraints, 1, os);
    ck_assert(ext != NULL && X509_add_ext(bad, ext, -1));
    ck_assert(X509_sign(bad, root_key, EVP_sha256()) > 0);
    ck_assert(X509_get_extension_flags(bad) & EXFLAG_INVALID);
    chain = pems("\n", root, bad, NULL);
    ck_assert_msg(hwc_assemble_scm(c, chain, NULL, k, tu_plain_libctx(), &l),
                  "%s", tu_errors());
    assert_order(&l, rsa_key, "RSA", rsa_leaf, root, bad, NULL);
    hwc_objs_free(&l);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    X509_free(bad);
    free(c);
    free(chain);
    free(k);
}
END_TEST

static Suite *scm_suite(void)
{
    Suite *s = suite_create("scmchain");
    TCase *tc = tcase_create("assemble");

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_assembly, 0, HWC_NELEM(assemblies));
    tcase_add_test(tc, test_crlf_everywhere);
    tcase_add_test(tc, test_glued_chain);
    tcase_add_test(tc, test_sec1_with_params);
    tcase_add_test(tc, test_mismatched_key);
    tcase_add_test(tc, test_bad_fields);
    tcase_add_test(tc, test_quick_way_for_plain_exports);
    tcase_add_test(tc, test_success_queues_no_error);
    tcase_add_test(tc, test_careful_way_for_canonical_names);
    tcase_add_test(tc, test_careful_way_for_compressed_point);
    tcase_add_test(tc, test_careful_way_for_ber);
    tcase_add_test(tc, test_der_libcrypto_refuses);
    tcase_add_test(tc, test_ec_point_off_curve);
    tcase_add_test(tc, test_issuer_key_must_decode);
    tcase_add_test(tc, test_invalid_extension_links_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(scm_suite());
}

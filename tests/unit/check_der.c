/*
 * check_der.c: the strict DER reader and the certificate and private-key
 * views of der.h, checked against what libcrypto says about the same
 * objects (X509_check_issued, EVP_PKEY_eq, d2i of the PKCS#8 we build).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats/der.h"
#include "testutil.h"

/*--------------------------------------------------------------- reader */

static hwc_der D(const unsigned char *p, size_t n)
{
    hwc_der d = {p, n};
    return d;
}

START_TEST(test_reader_accepts_strict_der)
{
    static const unsigned char in[] = {0x30, 0x03, 0x02, 0x01,
                                       0x05, 0x04, 0x00};
    hwc_der cur = D(in, sizeof(in)), c, w, inner;
    unsigned char tag;

    ck_assert(hwc_der_peek(&cur, 0x30));
    ck_assert(!hwc_der_peek(&cur, 0x04));
    ck_assert(hwc_der_next(&cur, &tag, &c, &w));
    ck_assert_uint_eq(tag, 0x30);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_uint_eq(w.n, 5);
    ck_assert_ptr_eq(w.p, in);
    inner = c;
    ck_assert(hwc_der_take(&inner, 0x02, &c, NULL));
    ck_assert_uint_eq(c.n, 1);
    ck_assert_uint_eq(c.p[0], 5);
    ck_assert_uint_eq(inner.n, 0);
    ck_assert(!hwc_der_take(&cur, 0x05, NULL, NULL)); /* wrong tag */
    ck_assert_uint_eq(cur.n, 2);
    ck_assert(hwc_der_take(&cur, 0x04, &c, NULL));
    ck_assert_uint_eq(c.n, 0);
    ck_assert(!hwc_der_next(&cur, NULL, NULL, NULL)); /* empty */
    ck_assert(hwc_der_well_formed(D(in, sizeof(in))));
}
END_TEST

START_TEST(test_reader_rejects_ber_and_damage)
{
    static const struct {
        const char *what;
        unsigned char b[8];
        size_t n;
    } bad[] = {
        {"indefinite length", {0x30, 0x80, 0x00, 0x00}, 4},
        {"long form for a short length", {0x04, 0x81, 0x01, 0xaa}, 4},
        {"leading zero length octet", {0x04, 0x82, 0x00, 0x81}, 4},
        {"five length octets", {0x04, 0x85, 1, 0, 0, 0, 0}, 7},
        {"length past the end", {0x04, 0x05, 1, 2}, 4},
        {"high tag number", {0x1f, 0x81, 0x01, 0x00}, 4},
        {"header cut short", {0x04}, 1},
        {"long length cut short", {0x04, 0x82, 0x01}, 3},
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hwc_der cur = D(bad[i].b, bad[i].n);

        ck_assert_msg(!hwc_der_next(&cur, NULL, NULL, NULL), "%s accepted",
                      bad[i].what);
        ck_assert_msg(cur.p == bad[i].b && cur.n == bad[i].n,
                      "%s: cursor moved", bad[i].what);
        ck_assert_msg(!hwc_der_well_formed(D(bad[i].b, bad[i].n)),
                      "%s well formed", bad[i].what);
    }
}
END_TEST

START_TEST(test_well_formed_recurses)
{
    /* SEQUENCE { SEQUENCE { damaged OCTET STRING } } */
    static const unsigned char inner_bad[] = {0x30, 0x04, 0x30,
                                              0x02, 0x04, 0x05};
    /* A primitive's content is not looked into. */
    static const unsigned char prim[] = {0x04, 0x02, 0x30, 0x80};
    /* Trailing byte after the element. */
    static const unsigned char trailing[] = {0x05, 0x00, 0x00};
    unsigned char deep[2 * 40];

    ck_assert(!hwc_der_well_formed(D(inner_bad, sizeof(inner_bad))));
    ck_assert(hwc_der_well_formed(D(prim, sizeof(prim))));
    ck_assert(!hwc_der_well_formed(D(trailing, sizeof(trailing))));
    ck_assert(!hwc_der_well_formed(D(NULL, 0)));
    /* 40 nested empty-ended SEQUENCEs: deeper than the reader goes. */
    for (size_t i = 0; i < 40; i++) {
        deep[2 * i] = 0x30;
        deep[2 * i + 1] = (unsigned char)(2 * (40 - i - 1));
    }
    ck_assert(!hwc_der_well_formed(D(deep, sizeof(deep))));
    ck_assert(hwc_der_well_formed(D(deep + 2 * 20, sizeof(deep) - 2 * 20)));
}
END_TEST

/* libcrypto's own test of a signature's encoding: it parses, uses the
 * whole input, and encodes back to the same octets. */
static int libcrypto_canonical(const unsigned char *p, size_t n)
{
    const unsigned char *q = p;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)n);
    unsigned char *der = NULL;
    int len = es != NULL && q == p + n ? i2d_ECDSA_SIG(es, &der) : -1;
    int same = len == (int)n && memcmp(der, p, n) == 0;

    ECDSA_SIG_free(es);
    OPENSSL_free(der);
    ERR_clear_error();
    return same;
}

static size_t ecdsa_sig_der(int rbytes, int sbytes, unsigned char top,
                            unsigned char *out)
{
    unsigned char rb[80], sb[80];
    ECDSA_SIG *es = ECDSA_SIG_new();
    unsigned char *der = NULL;
    int len;

    memset(rb, 0x11, sizeof(rb));
    memset(sb, 0x22, sizeof(sb));
    rb[0] = sb[0] = top;
    ck_assert(ECDSA_SIG_set0(es, BN_bin2bn(rb, rbytes, NULL),
                             BN_bin2bn(sb, sbytes, NULL)));
    len = i2d_ECDSA_SIG(es, &der);
    ck_assert_int_gt(len, 0);
    memcpy(out, der, (size_t)len);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return (size_t)len;
}

/* hwc_der_is_ecdsa_sig says yes exactly where libcrypto's ECDSA
 * verification would take the octets as they are. */
START_TEST(test_ecdsa_sig_shape)
{
    static const int sizes[][2] = {{32, 32}, {31, 32}, {1, 1},
                                   {48, 47}, {66, 66}, {66, 60}};
    unsigned char sig[300], m[304];

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (int top = 0; top < 2; top++) {
            size_t n =
                ecdsa_sig_der(sizes[i][0], sizes[i][1], top ? 0x80 : 0x7f, sig);
            size_t hdr = sig[1] & 0x80 ? 3 : 2;

            ck_assert(hwc_der_is_ecdsa_sig(sig, n));
            ck_assert(libcrypto_canonical(sig, n));
            /* Damage: each case is refused by both. */
            for (int d = 0; d < 6; d++) {
                size_t mn = n;

                memcpy(m, sig, n);
                if (d == 0) {
                    m[mn++] = 0; /* trailing octet */
                } else if (d == 1) {
                    mn--; /* truncated */
                } else if (d == 2) {
                    m[hdr + 2] |= 0x80; /* r negative */
                } else if (d == 3) {    /* r padded with a zero octet */
                    memmove(m + hdr + 3, m + hdr + 2, n - hdr - 2);
                    m[hdr + 2] = 0;
                    m[hdr + 1]++;
                    m[hdr - 1]++;
                    mn++;
                    if (m[1] == 0x80) {
                        continue; /* the outer length changed form */
                    }
                } else if (d == 4) { /* outer length in a longer form */
                    memmove(m + 4, m + hdr, n - hdr);
                    m[1] = 0x82, m[2] = 0, m[3] = sig[hdr - 1];
                    mn = n - hdr + 4;
                } else {
                    m[0] = 0x31; /* SET, not SEQUENCE */
                }
                ck_assert_msg(!hwc_der_is_ecdsa_sig(m, mn), "%zu/%d/%d", i, top,
                              d);
                ck_assert_int_eq(libcrypto_canonical(m, mn), 0);
            }
        }
    }
    /* Raw r||s of P-256 is not DER. */
    memset(sig, 0x42, 64);
    ck_assert(!hwc_der_is_ecdsa_sig(sig, 64));
}
END_TEST

START_TEST(test_put_tl_round_trips)
{
    static const size_t lens[] = {0,     1,     127,     128,      255,     256,
                                  65535, 65536, 1 << 20, 16777215, 16777216};
    unsigned char buf[8];

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t w = hwc_der_put_tl(buf, 0x04, lens[i]);
        size_t h = 0;

        ck_assert_uint_eq(w, hwc_der_put_tl(NULL, 0x04, lens[i]));
        /* Parse the header alone: give it the content length too. */
        ck_assert_uint_eq(buf[0], 0x04);
        if (lens[i] < 0x80) {
            ck_assert_uint_eq(w, 2);
            ck_assert_uint_eq(buf[1], lens[i]);
        } else {
            size_t nb = buf[1] & 0x7f, v = 0;

            ck_assert_uint_eq(w, 2 + nb);
            ck_assert_uint_ne(buf[2], 0);
            for (h = 0; h < nb; h++) {
                v = (v << 8) | buf[2 + h];
            }
            ck_assert_uint_eq(v, lens[i]);
        }
    }
}
END_TEST

/*------------------------------------------------------------ certificates */

/* The view of x; the DER stays alive in *der (free it). */
static int view_of(X509 *x, hwc_cert_view *v, unsigned char **der)
{
    int len;

    *der = NULL;
    len = i2d_X509(x, der);
    ck_assert_int_gt(len, 0);
    return hwc_cert_view_parse(*der, (size_t)len, v);
}

static EVP_PKEY *ec_p256, *ec_p384, *rsa2048;

static void keys_setup(void)
{
    ec_p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ec_p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ck_assert(ec_p256 && ec_p384 && rsa2048);
}

static void keys_teardown(void)
{
    EVP_PKEY_free(ec_p256);
    EVP_PKEY_free(ec_p384);
    EVP_PKEY_free(rsa2048);
}

/* The view's answer, and libcrypto's when the view gives one. */
static int issued(X509 *a, X509 *b)
{
    hwc_cert_view va, vb;
    unsigned char *da, *db;
    int r;

    ck_assert(view_of(a, &va, &da));
    ck_assert(view_of(b, &vb, &db));
    r = hwc_cert_view_issued(&va, &vb);
    if (r >= 0) {
        ck_assert_int_eq(r, X509_check_issued(a, b) == X509_V_OK);
    }
    OPENSSL_free(da);
    OPENSSL_free(db);
    return r;
}

START_TEST(test_cert_view_fields)
{
    X509 *x = tu_cert(rsa2048, "view.example", NULL, NULL, 7,
                      NID_subject_key_identifier, "hash", 0);
    hwc_cert_view v;
    unsigned char *der, *name = NULL;
    int nlen = i2d_X509_NAME(X509_get_subject_name(x), &name);
    const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);

    ck_assert(view_of(x, &v, &der));
    ck_assert_uint_eq(v.subject.n, (size_t)nlen);
    ck_assert_mem_eq(v.subject.p, name, (size_t)nlen);
    ck_assert_mem_eq(v.issuer.p, name, (size_t)nlen);
    ck_assert_ptr_nonnull(skid);
    ck_assert_uint_eq(v.skid.n, (size_t)ASN1_STRING_length(skid));
    ck_assert_mem_eq(v.skid.p, ASN1_STRING_get0_data(skid), v.skid.n);
    ck_assert_uint_eq(v.akid.n, 0);
    ck_assert_int_eq(v.no_cert_sign, 0);
    OPENSSL_free(der);
    OPENSSL_free(name);
    X509_free(x);
}
END_TEST

START_TEST(test_cert_view_issued_like_libcrypto)
{
    EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *root =
        tu_cert(ec_p256, "Root", NULL, NULL, 7, NID_subject_key_identifier,
                "hash", NID_authority_key_identifier, "keyid:always", 0);
    /* Same name, another key: only the key identifiers tell them apart. */
    X509 *twin = tu_cert(other, "Root", NULL, NULL, 7,
                         NID_subject_key_identifier, "hash", 0);
    X509 *leaf =
        tu_cert(rsa2048, "leaf", root, ec_p256, 7, NID_authority_key_identifier,
                "keyid:always", NID_key_usage, "critical,digitalSignature", 0);
    X509 *below = tu_cert(ec_p384, "below", leaf, rsa2048, 7, 0);
    X509 *named =
        tu_cert(ec_p384, "named", root, ec_p256, 7,
                NID_authority_key_identifier, "keyid:always,issuer:always", 0);

    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(issued(root, root), 1);
    ck_assert_int_eq(issued(root, leaf), 1);
    ck_assert_int_eq(issued(twin, leaf), 0);   /* AKID is not twin's SKID */
    ck_assert_int_eq(issued(leaf, root), 0);   /* names differ */
    ck_assert_int_eq(issued(leaf, below), 0);  /* keyUsage lacks certSign */
    ck_assert_int_eq(issued(root, named), -1); /* AKID names the issuer */
    {
        /* An RSA CA of the same name signed this one: the EC root's key
         * cannot have made its signature. */
        X509 *rsa_twin = tu_cert(rsa2048, "Root", NULL, NULL, 7, 0);
        X509 *by_rsa = tu_cert(ec_p384, "by rsa", rsa_twin, rsa2048, 7, 0);
        EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        X509 *ed_root = tu_cert(ed, "Ed Root", NULL, NULL, 7, 0);

        ck_assert_int_eq(issued(rsa_twin, by_rsa), 1);
        ck_assert_int_eq(issued(root, by_rsa), 0);
        ck_assert_int_eq(issued(ed_root, ed_root), -1); /* not known here */
        X509_free(rsa_twin);
        X509_free(by_rsa);
        X509_free(ed_root);
        EVP_PKEY_free(ed);
    }
    X509_free(root);
    X509_free(twin);
    X509_free(leaf);
    X509_free(below);
    X509_free(named);
    EVP_PKEY_free(other);
}
END_TEST

/* proxyCertInfo { proxyPolicy { id-ppl-inheritAll } }, critical. */
static void add_proxy_cert_info(X509 *x)
{
    static const unsigned char val[] = {0x30, 0x0c, 0x30, 0x0a, 0x06,
                                        0x08, 0x2b, 0x06, 0x01, 0x05,
                                        0x05, 0x07, 0x15, 0x01};
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext;

    ck_assert(os != NULL && ASN1_OCTET_STRING_set(os, val, sizeof(val)));
    ext = X509_EXTENSION_create_by_NID(NULL, NID_proxyCertInfo, 1, os);
    ck_assert_ptr_nonnull(ext);
    ck_assert(X509_add_ext(x, ext, -1));
    ck_assert(X509_sign(x, ec_p256, EVP_sha256()) > 0);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
}

START_TEST(test_cert_view_declines)
{
    X509 *x = tu_cert(ec_p256, "decline", NULL, NULL, 7, 0);
    X509 *proxy = tu_cert(ec_p256, "proxy", NULL, NULL, 7, 0);
    hwc_cert_view v;
    unsigned char *der = NULL, *big;
    int len = i2d_X509(x, &der);

    ck_assert(hwc_cert_view_parse(der, (size_t)len, &v));
    ck_assert(!hwc_cert_view_parse(der, (size_t)len - 1, &v)); /* cut */
    big = OPENSSL_malloc((size_t)len + 1);
    memcpy(big, der, (size_t)len);
    big[len] = 0;
    ck_assert(!hwc_cert_view_parse(big, (size_t)len + 1, &v)); /* trailing */
    /* BER: the outer length with a leading zero octet (30 83 00 xx xx). */
    ck_assert_uint_eq(der[0], 0x30);
    ck_assert_uint_eq(der[1], 0x82);
    big[0] = 0x30;
    big[1] = 0x83;
    big[2] = 0x00;
    memcpy(big + 3, der + 2, (size_t)len - 2);
    ck_assert(!hwc_cert_view_parse(big, (size_t)len + 1, &v));
    OPENSSL_free(big);
    ck_assert(!hwc_cert_view_parse(NULL, 0, &v));
    OPENSSL_free(der);
    der = NULL;
    add_proxy_cert_info(proxy);
    len = i2d_X509(proxy, &der);
    ck_assert(!hwc_cert_view_parse(der, (size_t)len, &v));
    OPENSSL_free(der);
    X509_free(x);
    X509_free(proxy);
}
END_TEST

/*------------------------------------------------------------ private keys */

/* DER of pk in the given encoder structure, with params set first. */
static unsigned char *key_der(EVP_PKEY *pk, const char *structure, size_t *len,
                              const char *pname, const char *pval)
{
    OSSL_ENCODER_CTX *ctx;
    unsigned char *data = NULL;
    EVP_PKEY *k = EVP_PKEY_dup(pk);

    ck_assert_ptr_nonnull(k);
    if (pname != NULL) {
        ck_assert(EVP_PKEY_set_utf8_string_param(k, pname, pval));
    }
    ctx = OSSL_ENCODER_CTX_new_for_pkey(k, EVP_PKEY_KEYPAIR, "DER", structure,
                                        NULL);
    ck_assert_ptr_nonnull(ctx);
    ck_assert(OSSL_ENCODER_to_data(ctx, &data, len));
    OSSL_ENCODER_CTX_free(ctx);
    EVP_PKEY_free(k);
    return data;
}

/* The view of pk in form/structure matches pk's own certificate, and the
 * PKCS#8 built from it decodes to pk. */
static void check_key(EVP_PKEY *pk, enum hwc_key_form form,
                      const char *structure, int ec)
{
    X509 *x = tu_cert(pk, "key", NULL, NULL, 7, 0);
    X509 *other = tu_cert(ec ? ec_p384 : rsa2048, "other", NULL, NULL, 7, 0);
    size_t len = 0, p8len = 0;
    unsigned char *der = key_der(pk, structure, &len, NULL, NULL);
    unsigned char *cder, *oder, *p8;
    const unsigned char *p;
    hwc_key_view kv, again;
    hwc_cert_view cv, ov;
    EVP_PKEY *back;

    ck_assert_msg(hwc_key_view_parse(der, len, form, &kv), "%s declined",
                  structure);
    ck_assert_int_eq(kv.ec, ec);
    ck_assert(view_of(x, &cv, &cder));
    ck_assert(view_of(other, &ov, &oder));
    ck_assert(hwc_key_view_matches(&kv, &cv));
    if (pk != ec_p384 && pk != rsa2048) {
        ck_assert(!hwc_key_view_matches(&kv, &ov));
    }
    p8 = hwc_key_view_pkcs8(&kv, &p8len);
    ck_assert_ptr_nonnull(p8);
    p = p8;
    back = d2i_AutoPrivateKey(NULL, &p, (long)p8len);
    ck_assert_msg(back != NULL, "%s: our PKCS#8 does not decode", structure);
    ck_assert_int_eq(EVP_PKEY_eq(back, pk), 1);
    ck_assert(hwc_key_view_parse(p8, p8len, HWC_KEY_PKCS8, &again));
    ck_assert(hwc_key_view_matches(&again, &cv));
    if (form == HWC_KEY_PKCS8) {
        ck_assert_mem_eq(p8, der, len); /* handed on as it came */
    }
    EVP_PKEY_free(back);
    OPENSSL_clear_free(p8, p8len);
    OPENSSL_clear_free(der, len);
    OPENSSL_free(cder);
    OPENSSL_free(oder);
    X509_free(x);
    X509_free(other);
}

START_TEST(test_key_views)
{
    EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");

    check_key(rsa2048, HWC_KEY_PKCS1, "type-specific", 0);
    check_key(rsa2048, HWC_KEY_PKCS8, "PrivateKeyInfo", 0);
    check_key(ec_p256, HWC_KEY_SEC1, "type-specific", 1);
    check_key(ec_p256, HWC_KEY_PKCS8, "PrivateKeyInfo", 1);
    check_key(ec_p384, HWC_KEY_SEC1, "type-specific", 1);
    check_key(p521, HWC_KEY_PKCS8, "PrivateKeyInfo", 1);
    EVP_PKEY_free(p521);
}
END_TEST

static void declined(EVP_PKEY *pk, enum hwc_key_form form,
                     const char *structure, const char *pname, const char *pval,
                     const char *what)
{
    size_t len = 0;
    unsigned char *der = key_der(pk, structure, &len, pname, pval);
    hwc_key_view kv;

    ck_assert_msg(!hwc_key_view_parse(der, len, form, &kv), "%s accepted",
                  what);
    OPENSSL_clear_free(der, len);
}

START_TEST(test_key_views_decline)
{
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *pss = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    size_t len = 0;
    unsigned char *der;
    hwc_key_view kv;

    ck_assert(pctx != NULL && EVP_PKEY_keygen_init(pctx) > 0 &&
              EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, 2048) > 0 &&
              EVP_PKEY_keygen(pctx, &pss) > 0);
    EVP_PKEY_CTX_free(pctx);
    ck_assert(ed && pss && k1);
    declined(ed, HWC_KEY_PKCS8, "PrivateKeyInfo", NULL, NULL, "Ed25519");
    declined(pss, HWC_KEY_PKCS8, "PrivateKeyInfo", NULL, NULL, "RSA-PSS");
    declined(k1, HWC_KEY_SEC1, "type-specific", NULL, NULL, "secp256k1");
    declined(ec_p256, HWC_KEY_SEC1, "type-specific",
             OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed",
             "a compressed public point");
    declined(ec_p256, HWC_KEY_PKCS8, "PrivateKeyInfo",
             OSSL_PKEY_PARAM_EC_ENCODING, "explicit", "explicit parameters");
    /* The right bytes in the wrong form. */
    der = key_der(rsa2048, "type-specific", &len, NULL, NULL);
    ck_assert(!hwc_key_view_parse(der, len, HWC_KEY_PKCS8, &kv));
    ck_assert(!hwc_key_view_parse(der, len, HWC_KEY_SEC1, &kv));
    ck_assert(!hwc_key_view_parse(der, len - 1, HWC_KEY_PKCS1, &kv));
    OPENSSL_clear_free(der, len);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(pss);
    EVP_PKEY_free(k1);
}
END_TEST

START_TEST(test_ec_key_without_public_point)
{
    EVP_PKEY *k = EVP_PKEY_dup(ec_p256);
    OSSL_ENCODER_CTX *ctx;
    unsigned char *data = NULL;
    size_t len = 0;
    hwc_key_view kv;

    ck_assert(EVP_PKEY_set_int_param(k, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 0));
    ctx = OSSL_ENCODER_CTX_new_for_pkey(k, EVP_PKEY_KEYPAIR, "DER",
                                        "type-specific", NULL);
    ck_assert(OSSL_ENCODER_to_data(ctx, &data, &len));
    ck_assert(!hwc_key_view_parse(data, len, HWC_KEY_SEC1, &kv));
    OSSL_ENCODER_CTX_free(ctx);
    OPENSSL_clear_free(data, len);
    EVP_PKEY_free(k);
}
END_TEST

static Suite *der_suite(void)
{
    Suite *s = suite_create("der");
    TCase *tc = tcase_create("reader");
    TCase *views = tcase_create("views");

    tcase_add_test(tc, test_reader_accepts_strict_der);
    tcase_add_test(tc, test_reader_rejects_ber_and_damage);
    tcase_add_test(tc, test_well_formed_recurses);
    tcase_add_test(tc, test_put_tl_round_trips);
    tcase_add_test(tc, test_ecdsa_sig_shape);
    suite_add_tcase(s, tc);
    tcase_add_unchecked_fixture(views, keys_setup, keys_teardown);
    tcase_add_test(views, test_cert_view_fields);
    tcase_add_test(views, test_cert_view_issued_like_libcrypto);
    tcase_add_test(views, test_cert_view_declines);
    tcase_add_test(views, test_key_views);
    tcase_add_test(views, test_key_views_decline);
    tcase_add_test(views, test_ec_key_without_public_point);
    suite_add_tcase(s, views);
    return s;
}

int main(void)
{
    return tu_run(der_suite());
}

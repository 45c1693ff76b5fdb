/*
 * check_keystore.c: the CodeArts keystore parsers (keystore_file.c, jks.c,
 * pkcs12.c) against the fixtures of tests/fixtures/keystores (made by its
 * make.sh with keytool and openssl): every format yields the same keys as
 * the reference PEMs, wrong passwords and damage fail cleanly, and
 * truncated or mutated files never crash or yield garbage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "formats/keystore_file.h"
#include "formats/objs.h"
#include "core/hwc.h"
#include "testutil.h"

#define PASS "changeit"
#define FIX "tests/fixtures/keystores/"

/*------------------------------------------------------------ helpers */

static unsigned char *fixture(const char *name, size_t *len)
{
    char rel[256];
    unsigned char *d;

    snprintf(rel, sizeof(rel), FIX "%s", name);
    d = tu_read_file(tu_src_path(rel), len);
    ck_assert_msg(d != NULL, "cannot read fixture %s", rel);
    return d;
}

static int decode_pass(const char *name, const char *pass, hwc_objs *out)
{
    size_t len;
    unsigned char *d = fixture(name, &len);
    int ok =
        hwc_decode_keystore(d, len, pass, pass ? strlen(pass) : 0, NULL, out);

    free(d);
    return ok;
}

static size_t count(const hwc_objs *o, enum hwc_obj_kind kind)
{
    size_t n = 0;

    for (size_t i = 0; i < o->n; i++) {
        n += o->v[i].kind == kind;
    }
    return n;
}

static const hwc_obj *find(const hwc_objs *o, enum hwc_obj_kind kind,
                           const char *label, size_t *idx)
{
    for (size_t i = 0; i < o->n; i++) {
        if (o->v[i].kind == kind && o->v[i].label != NULL &&
            strcmp(o->v[i].label, label) == 0) {
            if (idx != NULL) {
                *idx = i;
            }
            return &o->v[i];
        }
    }
    return NULL;
}

/* The reason of the newest error on the queue, which is then drained. */
static int last_reason(void)
{
    int r = ERR_GET_REASON(ERR_peek_last_error());

    tu_errors();
    return r;
}

static void check_key_eq(const hwc_obj *o, const char *refname)
{
    size_t len;
    unsigned char *pem = fixture(refname, &len);
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *ref = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    const unsigned char *p = o->der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, o->der_len);
    EVP_PKEY *got = p8 ? EVP_PKCS82PKEY(p8) : NULL;

    ck_assert_ptr_nonnull(ref);
    ck_assert_msg(got != NULL && p == o->der + o->der_len,
                  "key %s is not PKCS#8 DER", o->label);
    ck_assert_int_eq(EVP_PKEY_eq(ref, got), 1);
    ck_assert_str_eq(o->data_type, EVP_PKEY_get0_type_name(ref));
    EVP_PKEY_free(got);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(ref);
    BIO_free(b);
    free(pem);
}

static void check_cert_eq(const hwc_obj *o, const char *refname)
{
    size_t len;
    unsigned char *pem = fixture(refname, &len), *der = NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *ref = PEM_read_bio_X509(b, NULL, NULL, NULL);
    int dlen;

    ck_assert_ptr_nonnull(ref);
    dlen = i2d_X509(ref, &der);
    ck_assert_int_gt(dlen, 0);
    ck_assert_uint_eq(o->kind, HWC_OBJ_CERT);
    ck_assert_uint_eq(o->der_len, (size_t)dlen);
    ck_assert_int_eq(memcmp(o->der, der, (size_t)dlen), 0);
    OPENSSL_free(der);
    X509_free(ref);
    BIO_free(b);
    free(pem);
}

/* key, leaf, CA in a row, all labelled alias */
static void check_entry(const hwc_objs *o, const char *alias,
                        const char *keyref, const char *certref)
{
    size_t i;
    const hwc_obj *k = find(o, HWC_OBJ_PRIVKEY, alias, &i);

    ck_assert_msg(k != NULL, "no key %s", alias);
    check_key_eq(k, keyref);
    ck_assert_uint_ge(o->n, i + 3);
    ck_assert_str_eq(o->v[i + 1].label, alias);
    check_cert_eq(&o->v[i + 1], certref);
    ck_assert_str_eq(o->v[i + 2].label, alias);
    check_cert_eq(&o->v[i + 2], "ca-cert.pem");
}

/* The three-entry stores keytool made in every format. */
static void check_store(const char *name)
{
    hwc_objs o = {0};
    const hwc_obj *ca;

    ck_assert_msg(decode_pass(name, PASS, &o), "%s: %s", name, tu_errors());
    ck_assert_uint_eq(ERR_peek_error(), 0);
    ck_assert_uint_eq(count(&o, HWC_OBJ_PRIVKEY), 2);
    ck_assert_uint_eq(count(&o, HWC_OBJ_CERT), 5);
    ck_assert_ptr_null(o.failed);
    check_entry(&o, "signing", "signing-key.pem", "signing-cert.pem");
    check_entry(&o, "ec-signing", "ec-signing-key.pem", "ec-signing-cert.pem");
    ca = find(&o, HWC_OBJ_CERT, "trusted-ca", NULL);
    ck_assert_ptr_nonnull(ca);
    check_cert_eq(ca, "ca-cert.pem");
    hwc_objs_free(&o);
}

/* A wrong password appends nothing to a list that already holds one. */
static void check_wrong_password(const char *name)
{
    static const unsigned char dummy[] = {0x30, 0x00};
    hwc_objs o = {0};

    ck_assert(hwc_objs_add(&o, HWC_OBJ_CERT, NULL, dummy, 2, "before"));
    ck_assert(!decode_pass(name, "wrong-password", &o));
    ck_assert_int_eq(last_reason(), HWC_R_BAD_PASSWORD);
    ck_assert_uint_eq(o.n, 1);
    ck_assert_ptr_null(o.failed);
    hwc_objs_free(&o);
}

/* A successful parse of damaged data may only return objects that the
 * intact file also returns, byte for byte. */
static void check_subset(const hwc_objs *part, const hwc_objs *full)
{
    for (size_t i = 0; i < part->n; i++) {
        int found = 0;

        for (size_t j = 0; !found && j < full->n; j++) {
            found =
                part->v[i].kind == full->v[j].kind &&
                part->v[i].der_len == full->v[j].der_len &&
                memcmp(part->v[i].der, full->v[j].der, part->v[i].der_len) == 0;
        }
        ck_assert_msg(found, "object %zu is not in the intact file", i);
    }
}

static void check_truncations(const char *name, size_t step)
{
    size_t len;
    unsigned char *d = fixture(name, &len);
    hwc_objs full = {0};
    int binary = hwc_keystore_sniff(d, len) != HWC_KS_PEM;

    ck_assert(hwc_decode_keystore(d, len, PASS, strlen(PASS), NULL, &full));
    for (size_t cut = 0; cut < len; cut += step) {
        hwc_objs o = {0};
        int ok = hwc_decode_keystore(d, cut, PASS, strlen(PASS), NULL, &o);

        if (binary) {
            ck_assert_msg(!ok, "%s cut at %zu parsed", name, cut);
        }
        if (ok) {
            check_subset(&o, &full);
        } else {
            ck_assert_uint_eq(o.n, 0);
            ck_assert_int_ne(last_reason(), 0);
        }
        hwc_objs_free(&o);
    }
    hwc_objs_free(&full);
    free(d);
}

/*---------------------------------------------------- JKS helpers */

/* Replaces the store digest with the right one for the (edited) body. */
static void jks_resign(unsigned char *d, size_t len)
{
    static const char w[] = "Mighty Aphrodite";
    unsigned char pw[2 * sizeof(PASS)];
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    for (size_t i = 0; i < strlen(PASS); i++) {
        pw[2 * i] = 0;
        pw[2 * i + 1] = (unsigned char)PASS[i];
    }
    ck_assert(EVP_DigestInit_ex(md, EVP_sha1(), NULL));
    EVP_DigestUpdate(md, pw, 2 * strlen(PASS));
    EVP_DigestUpdate(md, w, strlen(w));
    EVP_DigestUpdate(md, d, len - 20);
    EVP_DigestFinal_ex(md, d + len - 20, NULL);
    EVP_MD_CTX_free(md);
}

static int jks_try(const unsigned char *d, size_t len, hwc_objs *o)
{
    return hwc_jks_parse(d, len, PASS, strlen(PASS), o);
}

/*
 * Each byte of the body changed and the digest made right again, so the
 * parser meets hostile lengths and keys after the integrity check. It
 * must not crash; what it returns must be well-formed.
 */
static void check_mutations(const char *name, size_t step)
{
    size_t len;
    unsigned char *d = fixture(name, &len);

    for (size_t off = 4; off + 20 < len; off += step) {
        hwc_objs o = {0};
        unsigned char keep = d[off];

        d[off] ^= (off & 1) ? 0xFF : 0x80;
        jks_resign(d, len);
        if (!jks_try(d, len, &o)) {
            ck_assert_uint_eq(o.n, 0);
            tu_errors();
        }
        for (size_t i = 0; i < o.n; i++) {
            ck_assert(o.v[i].der != NULL && o.v[i].der_len > 0);
        }
        hwc_objs_free(&o);
        d[off] = keep;
    }
    free(d);
}

/*------------------------------------------------------------ tests */

START_TEST(test_sniff)
{
    static const struct {
        const char *name;
        enum hwc_keystore_format fmt;
    } cases[] = {
        {"store.jks", HWC_KS_JKS},      {"store.jceks", HWC_KS_JCEKS},
        {"store.p12", HWC_KS_PKCS12},   {"legacy.p12", HWC_KS_PKCS12},
        {"modern.p12", HWC_KS_PKCS12},  {"ec-bundle.pem", HWC_KS_PEM},
        {"secret.jceks", HWC_KS_JCEKS}, {"ca-cert.pem", HWC_KS_PEM},
    };
    static const unsigned char junk[] = "\x30\x03\x02\x01\x02 not a keystore";

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        unsigned char *d = fixture(cases[i].name, &len);

        ck_assert_int_eq(hwc_keystore_sniff(d, len), cases[i].fmt);
        free(d);
    }
    ck_assert_int_eq(hwc_keystore_sniff(junk, sizeof(junk) - 1),
                     HWC_KS_UNKNOWN);
    ck_assert_int_eq(hwc_keystore_sniff(NULL, 0), HWC_KS_UNKNOWN);
    ck_assert_int_eq(hwc_keystore_sniff((const unsigned char *)"\xFE\xED", 2),
                     HWC_KS_UNKNOWN);
    ck_assert(hwc_keystore_needs_password(HWC_KS_JKS));
    ck_assert(hwc_keystore_needs_password(HWC_KS_JCEKS));
    ck_assert(hwc_keystore_needs_password(HWC_KS_PKCS12));
    ck_assert(!hwc_keystore_needs_password(HWC_KS_PEM));
    ck_assert(!hwc_keystore_needs_password(HWC_KS_UNKNOWN));
}
END_TEST

START_TEST(test_stores)
{
    check_store("store.jks");
    check_store("store.jceks");
    check_store("store.p12");
}
END_TEST

START_TEST(test_wrong_password)
{
    check_wrong_password("store.jks");
    check_wrong_password("store.jceks");
    check_wrong_password("store.p12");
    check_wrong_password("legacy.p12");
    check_wrong_password("modern.p12");
}
END_TEST

START_TEST(test_tampered)
{
    hwc_objs o = {0};
    const char *err;

    ck_assert(!decode_pass("tampered.jks", PASS, &o));
    ck_assert_int_eq(ERR_GET_REASON(ERR_peek_last_error()), HWC_R_BAD_PASSWORD);
    err = tu_errors();
    ck_assert_msg(strstr(err, "wrong password or tampered keystore") != NULL,
                  "%s", err);
    ck_assert_uint_eq(o.n, 0);
}
END_TEST

START_TEST(test_key_password_differs)
{
    hwc_objs o = {0};

    ck_assert_msg(decode_pass("keypass.jks", PASS, &o), "%s", tu_errors());
    ck_assert_uint_eq(ERR_peek_error(), 0); /* noted, not raised */
    ck_assert_ptr_nonnull(o.failed);
    ck_assert_msg(strstr(o.failed, "ec-signing") != NULL, "%s", o.failed);
    ck_assert_ptr_null(find(&o, HWC_OBJ_PRIVKEY, "ec-signing", NULL));
    ck_assert_ptr_null(find(&o, HWC_OBJ_CERT, "ec-signing", NULL));
    ck_assert_uint_eq(count(&o, HWC_OBJ_PRIVKEY), 1);
    ck_assert_uint_eq(count(&o, HWC_OBJ_CERT), 3);
    check_entry(&o, "signing", "signing-key.pem", "signing-cert.pem");
    check_cert_eq(find(&o, HWC_OBJ_CERT, "trusted-ca", NULL), "ca-cert.pem");
    hwc_objs_free(&o);
}
END_TEST

START_TEST(test_jceks_secret_key)
{
    hwc_objs o = {0};

    ck_assert_msg(decode_pass("secret.jceks", PASS, &o), "%s", tu_errors());
    ck_assert_uint_eq(count(&o, HWC_OBJ_PRIVKEY), 2);
    ck_assert_uint_eq(count(&o, HWC_OBJ_CERT), 5);
    ck_assert_ptr_nonnull(o.failed);
    ck_assert_msg(strstr(o.failed, "aes-secret") != NULL, "%s", o.failed);
    check_entry(&o, "ec-signing", "ec-signing-key.pem", "ec-signing-cert.pem");
    hwc_objs_free(&o);

    ck_assert(decode_pass("secret-only.jceks", PASS, &o));
    ck_assert_uint_eq(o.n, 1);
    check_cert_eq(&o.v[0], "ca-cert.pem");
    hwc_objs_free(&o);
}
END_TEST

static void check_one_key_p12(const char *name)
{
    hwc_objs o = {0};

    ck_assert_msg(decode_pass(name, PASS, &o), "%s: %s", name, tu_errors());
    ck_assert_uint_eq(ERR_peek_error(), 0);
    ck_assert_uint_eq(o.n, 3);
    ck_assert_ptr_null(o.failed);
    ck_assert_uint_eq(o.v[0].kind, HWC_OBJ_PRIVKEY);
    check_entry(&o, "signing", "signing-key.pem", "signing-cert.pem");
    hwc_objs_free(&o);
}

START_TEST(test_pkcs12_openssl)
{
    check_one_key_p12("modern.p12");
    check_one_key_p12("legacy.p12");
}
END_TEST

/* With no legacy provider to load, RC2 stores say what is missing. */
START_TEST(test_pkcs12_legacy_missing)
{
    hwc_objs o = {0};
    const char *old = getenv("OPENSSL_MODULES");
    char *saved = old ? strdup(old) : NULL;
    const char *err;

    setenv("OPENSSL_MODULES", "/nonexistent-hwc-test", 1);
    hwc_pkcs12_set_legacy_fallback("/nonexistent-hwc-test");
    ck_assert(!decode_pass("legacy.p12", PASS, &o));
    hwc_pkcs12_set_legacy_fallback(NULL);
    if (saved != NULL) {
        setenv("OPENSSL_MODULES", saved, 1);
        free(saved);
    } else {
        unsetenv("OPENSSL_MODULES");
    }
    ck_assert_int_eq(ERR_GET_REASON(ERR_peek_last_error()),
                     HWC_R_LEGACY_NEEDED);
    err = tu_errors();
    ck_assert_msg(strstr(err, "legacy provider") != NULL, "%s", err);
    ck_assert_uint_eq(o.n, 0);
}
END_TEST

START_TEST(test_pem_keystore)
{
    hwc_objs o = {0};

    ck_assert_msg(decode_pass("ec-bundle.pem", NULL, &o), "%s", tu_errors());
    ck_assert_uint_eq(o.n, 3);
    ck_assert_uint_eq(o.v[0].kind, HWC_OBJ_PRIVKEY);
    check_key_eq(&o.v[0], "ec-signing-key.pem");
    check_cert_eq(&o.v[1], "ec-signing-cert.pem");
    check_cert_eq(&o.v[2], "ca-cert.pem");
    hwc_objs_free(&o);
}
END_TEST

/* PEM with two keys, one of them encrypted with the keystore password. */
START_TEST(test_pem_several_keys)
{
    size_t l1, l2;
    unsigned char *k1 = fixture("signing-key.pem", &l1);
    unsigned char *k2 = fixture("ec-signing-key.pem", &l2);
    BIO *in = BIO_new_mem_buf(k2, (int)l2), *mem = BIO_new(BIO_s_mem());
    EVP_PKEY *pk = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    hwc_objs o = {0};
    char *text;
    long tlen;

    BIO_write(mem, "junk before\n", 12);
    BIO_write(mem, k1, (int)l1);
    ck_assert(PEM_write_bio_PKCS8PrivateKey(mem, pk, EVP_aes_128_cbc(), NULL, 0,
                                            NULL, (void *)PASS));
    tlen = BIO_get_mem_data(mem, &text);
    ck_assert(hwc_decode_keystore((unsigned char *)text, (size_t)tlen, PASS,
                                  strlen(PASS), NULL, &o));
    ck_assert_uint_eq(o.n, 2);
    check_key_eq(&o.v[0], "signing-key.pem");
    check_key_eq(&o.v[1], "ec-signing-key.pem");
    hwc_objs_free(&o);
    ck_assert(!hwc_decode_keystore((unsigned char *)text, (size_t)tlen, "nope",
                                   4, NULL, &o));
    ck_assert_int_eq(last_reason(), HWC_R_BAD_PASSWORD);
    ck_assert_uint_eq(o.n, 0);
    EVP_PKEY_free(pk);
    BIO_free(in);
    BIO_free(mem);
    free(k1);
    free(k2);
}
END_TEST

START_TEST(test_truncated)
{
    static const char *names[] = {
        "store.jks",  "store.jceks", "store.p12",     "legacy.p12",
        "modern.p12", "keypass.jks", "ec-bundle.pem", "secret.jceks",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        check_truncations(names[i], 1);
    }
}
END_TEST

START_TEST(test_mutated_jks)
{
    check_mutations("store.jks", 7);
    check_mutations("secret-only.jceks", 1);
    check_mutations("store.jceks", 401);
}
END_TEST

/* Hand-made JKS: 12-byte header, body, then a valid digest. */
static int jks_handmade_v(int version, const unsigned char *body, size_t blen,
                          uint32_t count, hwc_objs *o)
{
    unsigned char d[2048];
    size_t len = 12 + blen + 20;

    ck_assert_uint_le(len, sizeof(d));
    memcpy(d, "\xFE\xED\xFE\xED\x00\x00\x00", 7);
    d[7] = (unsigned char)version;
    d[8] = (unsigned char)(count >> 24);
    d[9] = (unsigned char)(count >> 16);
    d[10] = (unsigned char)(count >> 8);
    d[11] = (unsigned char)count;
    if (blen > 0) {
        memcpy(d + 12, body, blen);
    }
    jks_resign(d, len);
    return jks_try(d, len, o);
}

static int jks_handmade(const unsigned char *body, size_t blen, uint32_t count,
                        hwc_objs *o)
{
    return jks_handmade_v(2, body, blen, count, o);
}

/* Version 1 has no certificate type strings; version 3 does not exist. */
START_TEST(test_jks_version1)
{
    size_t plen;
    unsigned char *pem = fixture("ca-cert.pem", &plen), *der = NULL;
    unsigned char body[1024];
    BIO *b = BIO_new_mem_buf(pem, (int)plen);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    int dlen = i2d_X509(x, &der);
    size_t n;
    hwc_objs o = {0};

    ck_assert_int_gt(dlen, 0);
    /* tag 2, alias "ca", timestamp 0, certificate length */
    memcpy(body, "\0\0\0\2\0\2ca\0\0\0\0\0\0\0\0", 16);
    n = 16;
    body[n++] = (unsigned char)(dlen >> 24);
    body[n++] = (unsigned char)(dlen >> 16);
    body[n++] = (unsigned char)(dlen >> 8);
    body[n++] = (unsigned char)dlen;
    ck_assert_uint_le(n + (size_t)dlen, sizeof(body));
    memcpy(body + n, der, (size_t)dlen);
    n += (size_t)dlen;
    ck_assert_msg(jks_handmade_v(1, body, n, 1, &o), "%s", tu_errors());
    ck_assert_uint_eq(o.n, 1);
    ck_assert_str_eq(o.v[0].label, "ca");
    check_cert_eq(&o.v[0], "ca-cert.pem");
    hwc_objs_free(&o);
    ck_assert(!jks_handmade_v(3, body, n, 1, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    /* read as version 2, the length's first bytes become a type string */
    ck_assert(!jks_handmade_v(2, body, n, 1, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert_uint_eq(o.n, 0);
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(b);
    free(pem);
}
END_TEST

START_TEST(test_hostile_jks)
{
    /* tag 1, alias "a", timestamp, key length 0xFFFFFFF0 */
    static const unsigned char huge_key[] = {
        0, 0, 0, 1, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF0};
    /* tag 2, alias "a", timestamp, type "X.509", cert length 0x7FFFFFFF */
    static const unsigned char huge_cert[] = {
        0, 0, 0, 2, 0,   1,   'a', 0,   0,   0,    0,    0,    0,
        0, 0, 0, 5, 'X', '.', '5', '0', '9', 0x7F, 0xFF, 0xFF, 0xFF};
    /* tag 2 with a 2-byte "certificate" */
    static const unsigned char bad_cert[] = {
        0, 0, 0, 2,   0,   1,   'a', 0,   0, 0, 0, 0, 0,    0,
        0, 0, 5, 'X', '.', '5', '0', '9', 0, 0, 0, 2, 0x30, 0x00};
    /* tag 9 */
    static const unsigned char bad_tag[] = {0, 0, 0, 9, 0, 1, 'a', 0,
                                            0, 0, 0, 0, 0, 0, 0};
    hwc_objs o = {0};
    unsigned char junk[64];

    ck_assert(!jks_handmade(NULL, 0, 0, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!jks_handmade(NULL, 0, 0xFFFFFFFFu, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!jks_handmade(huge_key, sizeof(huge_key), 1, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!jks_handmade(huge_cert, sizeof(huge_cert), 1, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!jks_handmade(bad_cert, sizeof(bad_cert), 1, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!jks_handmade(bad_tag, sizeof(bad_tag), 1, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    /* trailing bytes after a valid entry list */
    ck_assert(!jks_handmade(bad_tag, sizeof(bad_tag), 0, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert_uint_eq(o.n, 0);

    memset(junk, 0xA5, sizeof(junk));
    ck_assert(!hwc_decode_keystore(junk, sizeof(junk), PASS, 8, NULL, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!hwc_decode_keystore(junk, 0, PASS, 8, NULL, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    memcpy(junk, "\xCE\xCE\xCE\xCE", 4);
    ck_assert(!hwc_decode_keystore(junk, sizeof(junk), PASS, 8, NULL, &o));
    ck_assert_int_eq(last_reason(), HWC_R_DECODE);
    ck_assert(!hwc_jks_parse(junk, sizeof(junk), NULL, 0, &o));
    ck_assert_int_eq(last_reason(), HWC_R_BAD_PASSWORD);
    ck_assert_uint_eq(o.n, 0);
}
END_TEST

START_TEST(test_hostile_pkcs12)
{
    size_t len;
    unsigned char *d = fixture("modern.p12", &len);
    hwc_objs o = {0};

    /* A flipped byte anywhere: the MAC or the DER parse must catch it. */
    for (size_t off = 0; off < len; off += 3) {
        d[off] ^= 0x41;
        if (!hwc_pkcs12_parse(d, len, PASS, strlen(PASS), NULL, &o)) {
            ck_assert_uint_eq(o.n, 0);
            tu_errors();
        } else {
            /* only a change the MAC does not cover, e.g. its iteration
             * count field staying valid, may still parse */
            ck_assert_uint_eq(o.n, 3);
            hwc_objs_free(&o);
        }
        d[off] ^= 0x41;
    }
    free(d);
}
END_TEST

/*------------------------------------------------ key-derivation caps */

/* Who can upload a keystore picks its iteration counts, and the password
 * is checked only after the KDF: 2^31-1 iterations are refused before any
 * derivation (without the caps each case runs for minutes). */
static const struct {
    const char *file, *pass, *msg;
} costly[] = {
    {"cost-pbkdf2.pem", "",
     "ENCRYPTED PRIVATE KEY: its key derivation asks for 2147483647 "
     "iterations, more than the cap of 1000000"},
    {"cost-pbes1.pem", "",
     "2147483647 iterations, more than the cap of 1000000"},
    {"cost-scrypt.pem", "", "more than the cap of 4194304"},
    {"cost-mac.p12", PASS,
     "PKCS#12 MAC: its key derivation asks for 2147483647 iterations"},
    {"cost-mac.p12", "", "PKCS#12 MAC: its key derivation asks for 2147483647"},
    {"cost-safe.p12", PASS, "PKCS#12 encrypted safe: its key derivation asks"},
    {"cost-keybag.p12", PASS, "PKCS#12 shrouded key bag: its key derivation"},
    {"cost-budget.pem", "",
     "the keystore's key derivations add up to more than the cap of 4000000"},
};

START_TEST(test_kdf_caps)
{
    hwc_objs o = {0};
    const char *errs;

    ck_assert(!decode_pass(costly[_i].file, costly[_i].pass, &o));
    ck_assert_uint_eq(o.n, 0);
    ck_assert_int_eq(ERR_GET_REASON(ERR_peek_last_error()), HWC_R_TOO_LARGE);
    errs = tu_errors();
    ck_assert_msg(strstr(errs, costly[_i].msg) != NULL, "%s: %s",
                  costly[_i].file, errs);
}
END_TEST

/* What openssl and keytool write, and the 600000 PBKDF2 iterations of the
 * most demanding tools, still load. */
START_TEST(test_kdf_real_tools)
{
    hwc_objs o = {0};

    ck_assert_msg(decode_pass("cost-600k.pem", "", &o), "%s", tu_errors());
    ck_assert_uint_eq(count(&o, HWC_OBJ_PRIVKEY), 1);
    check_key_eq(&o.v[0], "ec-signing-key.pem");
    hwc_objs_free(&o);
    ck_assert_msg(decode_pass("cost-10k.p12", PASS, &o), "%s", tu_errors());
    ck_assert_uint_eq(count(&o, HWC_OBJ_PRIVKEY), 1);
    hwc_objs_free(&o);
    ck_assert_msg(decode_pass("store.p12", PASS, &o), "%s", tu_errors());
    hwc_objs_free(&o);
    ck_assert_msg(decode_pass("store.jceks", PASS, &o), "%s", tu_errors());
    hwc_objs_free(&o);
}
END_TEST

static Suite *keystore_suite(void)
{
    Suite *s = suite_create("keystore");
    TCase *tc = tcase_create("formats");
    TCase *fz = tcase_create("hostile");

    tcase_add_test(tc, test_sniff);
    tcase_add_test(tc, test_stores);
    tcase_add_test(tc, test_wrong_password);
    tcase_add_test(tc, test_tampered);
    tcase_add_test(tc, test_key_password_differs);
    tcase_add_test(tc, test_jceks_secret_key);
    tcase_add_test(tc, test_pkcs12_openssl);
    tcase_add_test(tc, test_pkcs12_legacy_missing);
    tcase_add_test(tc, test_pem_keystore);
    tcase_add_test(tc, test_pem_several_keys);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    tcase_add_test(fz, test_truncated);
    tcase_add_test(fz, test_mutated_jks);
    tcase_add_test(fz, test_hostile_jks);
    tcase_add_test(fz, test_jks_version1);
    tcase_add_test(fz, test_hostile_pkcs12);
    tcase_set_timeout(fz, 1800);
    suite_add_tcase(s, fz);
    /* A derivation that ran would take minutes: the timeout is the test. */
    TCase *kdf = tcase_create("kdf-caps");
    tcase_add_loop_test(kdf, test_kdf_caps, 0,
                        sizeof(costly) / sizeof(costly[0]));
    tcase_add_test(kdf, test_kdf_real_tools);
    tcase_set_timeout(kdf, 60);
    suite_add_tcase(s, kdf);
    return s;
}

int main(void)
{
    return tu_run(keystore_suite());
}

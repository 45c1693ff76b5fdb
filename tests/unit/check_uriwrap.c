/* check_uriwrap.c: hwc_uri_wrap_der, hwc_uri_wrap_pem, hwc_uri_unwrap_der. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "formats/pem.h"
#include "formats/uriwrap.h"
#include "core/hwc.h"
#include "testutil.h"

#define URI "hwcloud:kms/eu-de/0d0466b0-e727-4d9c-b35d-f84bb474a37f"

static void assert_err(const char *want)
{
    const char *err = tu_errors();

    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in \"%s\"", want,
                  err);
}

/* Hand-made DER: SEQUENCE { tag1 s1, tag2 s2 } (short lengths). */
static size_t mk(unsigned char *o, unsigned char t1, const char *s1,
                 unsigned char t2, const char *s2)
{
    size_t l1 = strlen(s1), l2 = strlen(s2), w = 0;

    o[w++] = 0x30;
    o[w++] = (unsigned char)(4 + l1 + l2);
    o[w++] = t1;
    o[w++] = (unsigned char)l1;
    memcpy(o + w, s1, l1);
    w += l1;
    o[w++] = t2;
    o[w++] = (unsigned char)l2;
    memcpy(o + w, s2, l2);
    return w + l2;
}

static void expect_reject(const unsigned char *der, size_t len, const char *why)
{
    char *u = hwc_uri_unwrap_der(der, len);

    ck_assert_msg(u == NULL, "accepted: %s", u ? u : "");
    assert_err(why);
}

START_TEST(test_exact_der)
{
    unsigned char *der = NULL, want[128];
    size_t len = 0, wl = mk(want, 0x1a, HWC_URI_PEM_MAGIC, 0x0c, "kms:key/abc");
    char *u;

    ck_assert(hwc_uri_wrap_der("kms:key/abc", &der, &len));
    ck_assert_uint_eq(len, wl);
    ck_assert_mem_eq(der, want, wl);
    u = hwc_uri_unwrap_der(der, len);
    ck_assert_ptr_nonnull(u);
    ck_assert_str_eq(u, "kms:key/abc");
    OPENSSL_free(u);
    OPENSSL_free(der);
}
END_TEST

START_TEST(test_roundtrip_lengths)
{
    static const size_t sizes[] = {1,   100, 127,  128,  200,
                                   255, 256, 4000, 65535};
    char *uri = malloc(65537);

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *der = NULL;
        const unsigned char *p;
        size_t len = 0;
        char *u;
        ASN1_TYPE *t;

        memset(uri, 'u', sizes[i]);
        memcpy(uri, "k", 1);
        uri[sizes[i]] = '\0';
        ck_assert(hwc_uri_wrap_der(uri, &der, &len));
        /* libcrypto agrees it is one well-formed SEQUENCE */
        p = der;
        t = d2i_ASN1_TYPE(NULL, &p, (long)len);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(ASN1_TYPE_get(t), V_ASN1_SEQUENCE);
        ck_assert_ptr_eq(p, der + len);
        ASN1_TYPE_free(t);
        u = hwc_uri_unwrap_der(der, len);
        ck_assert_ptr_nonnull(u);
        ck_assert_str_eq(u, uri);
        OPENSSL_free(u);
        /* every truncation is refused */
        for (size_t cut = 0; cut < len; cut += (len > 300 ? 97 : 1)) {
            ck_assert_ptr_null(hwc_uri_unwrap_der(der, cut));
        }
        tu_errors();
        OPENSSL_free(der);
    }
    memset(uri, 'u', 65536);
    uri[65536] = '\0';
    {
        unsigned char *der = NULL;
        size_t len = 0;

        ck_assert(!hwc_uri_wrap_der(uri, &der, &len));
        assert_err("longer than 65535");
        ck_assert_ptr_null(der);
    }
    free(uri);
}
END_TEST

START_TEST(test_utf8)
{
    const char *uri = "hwcloud:scm/\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87/"
                      "\xe8\xaf\x81\xe4\xb9\xa6\xf0\x9f\x94\x91";
    unsigned char *der = NULL;
    size_t len = 0;
    char *u;

    ck_assert(hwc_uri_wrap_der(uri, &der, &len));
    u = hwc_uri_unwrap_der(der, len);
    ck_assert_ptr_nonnull(u);
    ck_assert_str_eq(u, uri);
    OPENSSL_free(u);
    OPENSSL_free(der);
    der = NULL;
    ck_assert(!hwc_uri_wrap_der("bad\xff", &der, &len));
    ck_assert(!hwc_uri_wrap_der("overlong\xc0\xaf", &der, &len));
    ck_assert(!hwc_uri_wrap_der("surrogate\xed\xa0\x80", &der, &len));
    ck_assert(!hwc_uri_wrap_der("cut\xe8\xaf", &der, &len));
    ck_assert(!hwc_uri_wrap_der("", &der, &len));
    ck_assert(!hwc_uri_wrap_der(NULL, &der, &len));
    ck_assert(!hwc_uri_wrap_der("x", NULL, &len));
    ck_assert_ptr_null(der);
    tu_errors();
}
END_TEST

START_TEST(test_pem)
{
    char *pem = hwc_uri_wrap_pem(URI);
    hwc_pem_block *b = NULL;
    int n;
    char *u;
    const char *line;

    ck_assert_ptr_nonnull(pem);
    ck_assert(strncmp(pem, "-----BEGIN HWCLOUD PROVIDER URI-----\n", 37) == 0);
    ck_assert_ptr_nonnull(
        strstr(pem, "\n-----END HWCLOUD PROVIDER URI-----\n"));
    ck_assert(hwc_looks_like_pem((const unsigned char *)pem, strlen(pem)));
    for (line = pem; *line; line = strchr(line, '\n') + 1) {
        ck_assert_int_le(strchr(line, '\n') - line, 64);
    }
    n = hwc_pem_split(pem, strlen(pem), &b);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(b[0].label, HWC_URI_PEM_LABEL);
    u = hwc_uri_unwrap_der(b[0].der, b[0].der_len);
    ck_assert_ptr_nonnull(u);
    ck_assert_str_eq(u, URI);
    OPENSSL_free(u);
    hwc_pem_blocks_free(b, n);
    OPENSSL_free(pem);
    ck_assert_ptr_null(hwc_uri_wrap_pem(""));
    ck_assert_ptr_null(hwc_uri_wrap_pem(NULL));
    tu_errors();
}
END_TEST

START_TEST(test_reject_magic_and_types)
{
    unsigned char d[160];
    size_t n;

    n = mk(d, 0x1a, "hwcloud-provider-uri-v2", 0x0c, URI);
    expect_reject(d, n, "wrong magic");
    n = mk(d, 0x1a, "hwcloud-provider-uri-v1x", 0x0c, URI);
    expect_reject(d, n, "wrong magic");
    n = mk(d, 0x1a, "hwcloud-provider-uri-v", 0x0c, URI);
    expect_reject(d, n, "wrong magic");
    n = mk(d, 0x13, HWC_URI_PEM_MAGIC, 0x0c, URI); /* PrintableString */
    expect_reject(d, n, "first element is not a VisibleString");
    n = mk(d, 0x0c, HWC_URI_PEM_MAGIC, 0x0c, URI); /* UTF8String */
    expect_reject(d, n, "first element is not a VisibleString");
    n = mk(d, 0x1a, HWC_URI_PEM_MAGIC, 0x04, URI); /* OCTET STRING */
    expect_reject(d, n, "second element is not a UTF8String");
    n = mk(d, 0x1a, HWC_URI_PEM_MAGIC, 0x16, URI); /* IA5String */
    expect_reject(d, n, "second element is not a UTF8String");
    n = mk(d, 0x1a, HWC_URI_PEM_MAGIC, 0x0c, URI);
    d[0] = 0x31; /* SET */
    expect_reject(d, n, "not a DER SEQUENCE");
    n = mk(d, 0x1a, HWC_URI_PEM_MAGIC, 0x0c, "");
    expect_reject(d, n, "URI is empty");
    n = mk(d, 0x1a, HWC_URI_PEM_MAGIC, 0x0c, "bad\xfe");
    expect_reject(d, n, "not valid UTF-8");
    expect_reject(d, 0, "wrapped URI: empty");
    expect_reject(NULL, 5, "wrapped URI: empty");
    /* a certificate-like or integer DER */
    expect_reject((const unsigned char *)"\x02\x01\x05", 3,
                  "not a DER SEQUENCE");
}
END_TEST

START_TEST(test_reject_structure)
{
    unsigned char d[200], e[200];
    size_t n = mk(d, 0x1a, HWC_URI_PEM_MAGIC, 0x0c, URI);

    /* trailing bytes */
    memcpy(e, d, n);
    e[n] = 0x00;
    expect_reject(e, n + 1, "1 trailing bytes");
    e[n] = 0x05;
    e[n + 1] = 0x00;
    expect_reject(e, n + 2, "2 trailing bytes");
    /* a third element inside the SEQUENCE */
    memcpy(e, d, n);
    e[1] = (unsigned char)(e[1] + 2);
    e[n] = 0x05;
    e[n + 1] = 0x00;
    expect_reject(e, n + 2, "extra elements after the URI");
    /* only the magic */
    e[0] = 0x30;
    e[1] = (unsigned char)(2 + strlen(HWC_URI_PEM_MAGIC));
    memcpy(e + 2, d + 2, 2 + strlen(HWC_URI_PEM_MAGIC));
    expect_reject(e, 4 + strlen(HWC_URI_PEM_MAGIC), "not a UTF8String");
    /* non-minimal outer length: 81 xx for a length < 128 */
    e[0] = 0x30;
    e[1] = 0x81;
    memcpy(e + 2, d + 1, n - 1);
    expect_reject(e, n + 1, "not a DER SEQUENCE");
    /* indefinite length */
    e[1] = 0x80;
    memcpy(e + 2, d + 2, n - 2);
    e[n] = 0;
    e[n + 1] = 0;
    expect_reject(e, n + 2, "not a DER SEQUENCE");
    /* length larger than the data / absurd */
    memcpy(e, d, n);
    e[1] = (unsigned char)(e[1] + 1);
    expect_reject(e, n, "not a DER SEQUENCE");
    e[1] = 0x84;
    expect_reject(e, n, "not a DER SEQUENCE");
    e[1] = 0xff;
    expect_reject(e, n, "not a DER SEQUENCE");
    /* NUL inside the URI */
    memcpy(e, d, n);
    e[n - 3] = 0;
    expect_reject(e, n, "not valid UTF-8");
    /* high tag number form */
    memcpy(e, d, n);
    e[0] = 0x3f;
    expect_reject(e, n, "not a DER SEQUENCE");
}
END_TEST

static Suite *uriwrap_suite(void)
{
    Suite *s = suite_create("uriwrap");
    TCase *tc = tcase_create("wrap");

    tcase_add_test(tc, test_exact_der);
    tcase_add_test(tc, test_roundtrip_lengths);
    tcase_add_test(tc, test_utf8);
    tcase_add_test(tc, test_pem);
    tcase_add_test(tc, test_reject_magic_and_types);
    tcase_add_test(tc, test_reject_structure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(uriwrap_suite());
}
